# shellcheck shell=bash
# tests/smp-stress.sh --load (sourced by it; $d, $rounds, $linux_too and
# load_pids come from there): SMP boots and reboots under a competing load
# (issue 24). One busy process per host core competes with QEMU's vCPU
# threads for the whole run, so harts' threads are starved at random
# moments; every run must still print what it prints natively.
harts_list=(2 4 8)
busy=$(nproc)
echo "smp-stress --load: $busy busy processes beside every run"
for _ in $(seq 1 "$busy"); do
    sh -c 'while :; do :; done' &
    load_pids+=($!)
done

# Linux with 4 harts that reboots itself once: the kernel command line
# carries rvnest.reboot=1; the init keeps a boot count in RAM above what
# the kernel may use (mem=) through /dev/mem.
linux_run() {
    "$RVNEST" run --smp 4 --allow-reboot --kernel "$RVNEST_IMAGES/Image" --initrd "$RVNEST_IMAGES/l1-test.cpio.gz" \
        --append "$RVNEST_L1_APPEND $LINUX_REBOOT_APPEND" --timeout 600 "$@"
}
LINUX_REBOOT_APPEND="mem=960M rvnest.reboot=0xbff00000"

echo "smp-stress --load: native references"
for n in "${harts_list[@]}"; do
    smpboot_want "$n" >"$d/smpboot$n.want"
    smpboot_run "$d/smpboot$n.native" "$n" --native
    smpboot_lines "$d/smpboot$n.native" >"$d/smpboot$n.ref"
    diff -u "$d/smpboot$n.want" "$d/smpboot$n.ref" || fail "native smpboot with $n harts did not boot four times"
done
if [ "$linux_too" = 1 ]; then
    linux_run --native >"$d/linux.native" 2>&1 || fail "native Linux reboot run failed"
    rvnest_lines "$d/linux.native" >"$d/linux.ref"
    grep -q "^RVNEST: first boot, nproc 4, rebooting" "$d/linux.ref" && grep -q "^RVNEST: second boot" "$d/linux.ref" && grep -q "^RVNEST: done" "$d/linux.ref" \
        || { cat "$d/linux.ref"; fail "native Linux did not boot twice"; }
fi

# nested_ok WHAT RC OUT REF FILTER: a run under rvnest (exit status RC,
# output OUT, statistics $d/stats.json) exited 0, its FILTER lines are REF's
# and no guest code ran in real HS.
nested_ok() {
    [ "$2" = 0 ] || { tail -5 "$3"; fail "round $r: $1 under rvnest exited $2 (124: hang)"; }
    diff -u "$4" <("$5" "$3") || fail "round $r: $1 differs from native"
    grep -q '"audit_hs_guest_blocks": 0,' "$d/stats.json" || fail "round $r: $1: guest code ran in real HS"
}

boots=0 ok=0
for r in $(seq 1 "$rounds"); do
    t0=$(date +%s)
    for n in "${harts_list[@]}"; do
        rm -f "$d/stats.json"
        smpboot_run "$d/smpboot$n.$r" "$n" --audit --stats "$d/stats.json"
        nested_ok "smpboot with $n harts" $? "$d/smpboot$n.$r" "$d/smpboot$n.ref" smpboot_lines
        boots=$((boots + 4))
    done
    if [ "$linux_too" = 1 ]; then
        rm -f "$d/stats.json"
        linux_run --audit --stats "$d/stats.json" >"$d/linux.$r" 2>&1
        nested_ok "Linux reboot" $? "$d/linux.$r" "$d/linux.ref" rvnest_lines
        boots=$((boots + 2))
    fi
    ok=$r
    echo "smp-stress --load: round $r ok ($(( $(date +%s) - t0 )) s; $boots SMP boots and reboots so far)"
done
what="smpboot with ${harts_list[*]} harts (a boot, a cold and a warm SRST reboot and a reset through the test device with the other harts running, each)"
[ "$linux_too" = 1 ] && what="$what, Linux with 4 harts booting and rebooting"
echo "smp-stress --load: $ok of $rounds rounds clean, $boots SMP boots and reboots under load identical to native ($what)"

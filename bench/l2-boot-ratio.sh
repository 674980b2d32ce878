#!/usr/bin/env bash
# Benchmark: L2 Linux boot-to-poweroff through KVM in L1, nested divided by
# single-level. The scenario is tests/kvm's (tests/kvm/lib.sh run_l1): L1
# Linux loads kvm.ko and runs rvnest-vmm, which boots the L2 Linux guest
# with its busybox workload until L2 powers off.
#   single-level: L1 in QEMU's real HS (RVNEST_MODE=native), KVM on real H
#   nested:       L1 under rvnest (RVNEST_MODE=nested), L0 runs L2
# Runs alternate; every pair is printed, then the median of the ratios. The
# time compared is rvnest-vmm's own "boot-to-poweroff" (measured in L1,
# from KVM_CREATE_VM to L2's SRST system event) when both runs print it,
# else the wall time of the whole QEMU run (L1 boot + L2 + poweroff); both
# are printed. After a failed nested run (the engine may not run L2 yet)
# the remaining pairs run the single-level half only. At the end: every
# non-zero key of the last nested run's L0 stats (rvnest run --stats, nested
# objects as a.b). It prints figures; it asserts nothing about time.
#
# Usage: bench/l2-boot-ratio.sh [PAIRS] [--smp N] [--kernel 6.12|7.2]
#                               [--l2-kernel 6.12|7.2] [--nacl on|off]
#        bench/l2-boot-ratio.sh --matrix [PAIRS]
#   PAIRS: default 5 (1 with --matrix)
#   --smp N: L1 with N harts running an L2 with N vCPUs (rvnest-vmm --cpus)
#   --kernel: L1's Linux (default RVNEST_KERNEL, else 6.12); --l2-kernel:
#     L2's (default RVNEST_L2_KERNEL, else L1's); --nacl: the plugin's nacl=
#     in the nested runs (default RVNEST_NACL, else the plugin's default, on)
#   --matrix: every combination, L1 Linux 6.12|7.2 x L2 Linux 6.12|7.2 x
#     nacl on|off x --smp 1|2 (16), PAIRS pairs each, one QEMU at a time;
#     a line per combination as it ends, then a table of the medians (the
#     full output of each in a directory it names)
# Environment: RVNEST_L1_TIMEOUT (single-level run, default 600 s),
#   RVNEST_L2_BOOT_NESTED_TIMEOUT (nested run, default 3600 s).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
. "$REPO/bench/lib.sh"
kernel_args "$@"
matrix=0 args=()
for a in ${rest[@]+"${rest[@]}"}; do
    if [ "$a" = --matrix ]; then matrix=1; else args+=("$a"); fi
done
bench_usage+=" | --matrix [PAIRS]"
if [ "$matrix" = 1 ]; then
    [ "$kernel_set" = 0 ] && [[ ${#args[@]} -le 1 && "${args[0]:-1}" =~ ^[1-9][0-9]*$ ]] \
        || { echo "usage: bench/l2-boot-ratio.sh --matrix [PAIRS] (it runs every kernel, NACL and --smp 1|2 itself)" >&2; exit 2; }
    pairs=${args[0]:-1}
    out=$(mktemp -d "${TMPDIR:-/tmp}/l2-boot-matrix.XXXXXX")
    echo "L2 Linux boot-to-poweroff through KVM in L1, nested / single-level, every combination of"
    echo "L1 Linux 6.12|7.2, L2 Linux 6.12|7.2, nacl on|off, 1|2 harts and vCPUs; $pairs pair(s) each; full outputs in $out"
    printf '%-4s %-4s %-4s %-3s  %12s %12s %10s %10s %12s %12s\n' L1 L2 nacl smp "single vmm s" "nested vmm s" "ratio vmm" "ratio wall" "L0 exits" "L2 exits" >"$out/table"
    for k in $RVNEST_KERNELS; do for l2k in $RVNEST_KERNELS; do for nacl in on off; do for s in 1 2; do
        name=l1-$k-l2-$l2k-nacl-$nacl-smp$s
        "$0" "$pairs" --smp "$s" --kernel "$k" --l2-kernel "$l2k" --nacl "$nacl" >"$out/$name.log" 2>&1
        rc=$?
        # the figures of the run's summary lines
        nat=$(sed -n 's/^single-level (median): L2 boot-to-poweroff \([^ ]*\) s.*/\1/p' "$out/$name.log")
        nst=$(sed -n 's/^nested       (median): L2 boot-to-poweroff \([^ ]*\) s.*/\1/p' "$out/$name.log")
        rv=$(sed -n 's/^median ratio nested\/single-level: \([^ ]*\) (rvnest-vmm.*/\1/p' "$out/$name.log")
        rw=$(sed -n 's/^median ratio nested\/single-level: .*whole run (wall): \([^ ]*\)$/\1/p; s/^median ratio nested\/single-level: \([^ ]*\) (whole run, wall.*/\1/p' "$out/$name.log")
        ex=$(awk '$1 == "exits_total" {print $2}' "$out/$name.log")
        l2ex=$(awk '$1 == "l2_exits_total" {print $2}' "$out/$name.log")
        printf '%-4s %-4s %-4s %-3s  %12s %12s %10s %10s %12s %12s\n' "$k" "$l2k" "$nacl" "$s" "${nat:--}" "${nst:--}" \
            "${rv:--}" "${rw:--}" "${ex:--}" "${l2ex:--}" >>"$out/table"
        if [ "$rc" = 0 ] && [ -n "$rw" ]; then
            echo "  $name: ratio vmm ${rv:--}, wall $rw"
        else
            echo "  $name: no ratio (status $rc): $(grep -m1 -e 'nested run failed' -e 'run failed' -e 'l2-boot-ratio:' "$out/$name.log" || tail -1 "$out/$name.log")"
        fi
    done; done; done; done
    echo
    cat "$out/table"
    echo "vmm s: median rvnest-vmm boot-to-poweroff (KVM_CREATE_VM to L2's SRST) in L1; ratio = nested / single-level;"
    echo "L0 exits, L2 exits: exits_total and l2_exits_total of the last nested run's L0 stats."
    exit 0
fi
pairs_smp l2-boot-ratio.sh ${args[@]+"${args[@]}"}
# shellcheck source=tests/kvm/lib.sh
. "$REPO/tests/kvm/lib.sh"
export L1_SMP=$smp
native_to=${RVNEST_L1_TIMEOUT:-600} nested_to=${RVNEST_L2_BOOT_NESTED_TIMEOUT:-3600}
kvm_bench_setup l2-boot-ratio
# L2's own limit inside L1 (rvnest-vmm --timeout): as long as the nested run's
append="quiet rvnest_checks=0 rvnest_l2_timeout=$nested_to"
[ "$smp" = 1 ] || append+=" rvnest_vmm_args=\"--cpus $smp\""

# run MODE LOG: one L1 run; prints "WALL VMM" (VMM "-" when rvnest-vmm did
# not print its line); fails unless L2 ran its workload and L1 passed.
run() {
    local mode=$1 log=$2 to=$native_to runx="" s e rc
    [ "$mode" = native ] || { to=$nested_to; runx="--quiet --stats $tmp/stats.json"; rm -f "$tmp/stats.json"; }
    s=$(date +%s.%N)
    L1_TIMEOUT=$to RVNEST_MODE=$mode RVNEST_RUN_EXTRA=$runx run_l1 "$append" >"$log" 2>&1
    rc=$?
    e=$(date +%s.%N)
    tr -d '\r' <"$log" >"$log.txt" && mv "$log.txt" "$log"
    echo "$rc" >"$log.rc"
    [ "$rc" = 0 ] && grep -q '^RVNEST-L1: PASS' "$log" && grep -q "^RVNEST-L2: md5=$L2_EXPECTED_MD5" "$log" \
        || return 1
    awk -v s="$s" -v e="$e" 'BEGIN {w = sprintf("%.3f", e - s); v = "-"}
        /^rvnest-vmm: boot-to-poweroff:/ {v = $3} END {print w, v}' "$log"
}
# reason LOG: why a run failed, one line
reason() {
    local rc
    rc=$(cat "$1.rc" 2>/dev/null || echo '?')
    case "$rc" in 124|137) echo "timed out (QEMU status $rc)"; return ;; esac
    local l
    l=$(grep -m1 'rvnest: fatal:' "$1") \
        || l=$(grep '^rvnest-vmm: ' "$1" | grep -m1 -v -e 'boot-to-poweroff:' -e 'exits:' -e 'kvm-stats:') \
        || l=$(grep -m1 -e 'Kernel panic' -e 'RVNEST-L1: FAIL' "$1") \
        || l=$(grep -v '^$' "$1" | tail -1)
    echo "QEMU status $rc: $l$(grep -m1 -o 'RVNEST-L1: vmm-exit=[0-9]*' "$1" | sed 's/^RVNEST-L1: / (/; s/$/)/')"
}

echo "L2 Linux boot-to-poweroff through KVM in L1 (L1 Debian $(cat "$L1_KERNEL_DIR/kernel-version"), L2 Debian $(cat "$L2_KERNEL_DIR/kernel-version"), busybox workload),"
echo "nested (L1 under rvnest, nacl=${RVNEST_NACL:-default}) / single-level (L1 in QEMU's real HS), L1 ${L1_MEM}, L2 256M, $pairs pairs"
nested_on=1 last_nested=
for i in $(seq 1 "$pairs"); do
    if ! nat=$(run native "$tmp/native.log"); then
        echo "  pair $i: single-level run failed ($(reason "$tmp/native.log")); last lines:" >&2
        tail -n 20 "$tmp/native.log" >&2
        exit 1
    fi
    read -r nw nv <<<"$nat"
    echo "$nw" >>"$tmp/native-wall"
    [ "$nv" = - ] || echo "$nv" >>"$tmp/native-vmm"
    line=$(printf '  pair %d: single-level vmm %s s, wall %s s' "$i" "$nv" "$nw")
    if [ "$nested_on" = 0 ]; then
        echo "$line; nested not run (failed before)"
        continue
    fi
    if ! nst=$(run nested "$tmp/nested.log"); then
        last_nested=failed
        echo "$line; nested run failed: $(reason "$tmp/nested.log")"
        echo "  (the remaining pairs run single-level only)"
        nested_on=0
        continue
    fi
    last_nested=ok
    read -r rw rv <<<"$nst"
    echo "$rw" >>"$tmp/nested-wall"
    [ "$rv" = - ] || echo "$rv" >>"$tmp/nested-vmm"
    wr=$(echo "$rw $nw" | awk '{printf "%.3f", $1 / $2}')
    echo "$wr" >>"$tmp/ratio-wall"
    if [ "$nv" != - ] && [ "$rv" != - ]; then
        vr=$(echo "$rv $nv" | awk '{printf "%.3f", $1 / $2}')
        echo "$vr" >>"$tmp/ratio-vmm"
    else
        vr=-
    fi
    echo "$vr" >>"$tmp/ratio"        # "-": this pair falls back to wall time
    echo "$line; nested vmm $rv s, wall $rw s; ratio vmm $vr, wall $wr"
done

med() { [ -s "$1" ] && median <"$1" || echo -; }
echo
printf 'single-level (median): L2 boot-to-poweroff %s s (rvnest-vmm), whole run %s s (wall)\n' \
    "$(med "$tmp/native-vmm")" "$(med "$tmp/native-wall")"
if [ -s "$tmp/ratio-wall" ]; then
    printf 'nested       (median): L2 boot-to-poweroff %s s (rvnest-vmm), whole run %s s (wall)\n' \
        "$(med "$tmp/nested-vmm")" "$(med "$tmp/nested-wall")"
    if ! grep -q '^-$' "$tmp/ratio"; then
        printf 'median ratio nested/single-level: %s (rvnest-vmm boot-to-poweroff); whole run (wall): %s\n' \
            "$(med "$tmp/ratio-vmm")" "$(med "$tmp/ratio-wall")"
    else
        printf 'median ratio nested/single-level: %s (whole run, wall: rvnest-vmm did not print its time in every run)\n' \
            "$(med "$tmp/ratio-wall")"
    fi
else
    echo "nested: no run succeeded, no ratio"
fi
for m in native nested; do
    [ -f "$tmp/$m.log" ] || continue
    l=$(grep -m1 '^rvnest-vmm: exits:' "$tmp/$m.log" | sed 's/^rvnest-vmm: exits: //')
    [ -z "$l" ] || echo "rvnest-vmm exits in L1, last $m run: $l"
done
echo
if [ -n "$last_nested" ] && [ -s "$tmp/stats.json" ]; then
    echo "L0 stats of the last nested run ($( [ "$last_nested" = ok ] && echo "succeeded" || echo "failed")), non-zero keys:"
    stats_flat "$tmp/stats.json" | awk '$2 != 0 {printf "  %-34s %s\n", $1, $2}'
else
    echo "no L0 stats (no nested run wrote its --stats file)"
fi
# L0 exits per L2 entry by reason: the world switch's cost (KVM's trapped
# H CSR accesses, its sret and HFENCEs, or with NACL one sbi_nacl
# SYNC_SRET; and the L2 exit L1 sees) beside what L1 and L2 cost L0
# otherwise (shadow fills, L1's own traps, its device I/O).
if [ -n "$last_nested" ] && [ -s "$tmp/stats.json" ]; then
    stats_flat "$tmp/stats.json" | awk '
        { v[$1] = $2; k[n++] = $1 }
        END {
            e = v["l2_entries"]
            if (!e) { print "no L2 entry in the last nested run"; exit }
            printf "L0 exits per L2 entry, last nested run (%d entries):\n", e
            fwd = v["l2_exits.guest_page_fault"] + v["l2_exits.virtual_insn"] + v["l2_exits.ecall"] + v["l2_exits.exception"] + v["l2_exits.irq"]
            printf "  all L0 exits          %8.3f  (L1 exits %.3f, L2 exits %.3f: %.3f forwarded to L1, %.3f handled in L0)\n",
                (v["exits_total"] + v["l2_exits_total"]) / e, v["exits_total"] / e, v["l2_exits_total"] / e, fwd / e,
                (v["l2_exits_total"] - fwd) / e
            ws = v["exits.sbi_nacl"] + v["exits.csr"] + v["exits.virtual_insn_other"] + v["exits.hfence"]
            printf "  world switch          %8.3f  (KVM entering L2: sbi_nacl %.3f, trapped H CSR accesses %.3f, sret %.3f, hfence %.3f; the L2 exits L1 sees %.3f)\n",
                (ws + fwd) / e, v["exits.sbi_nacl"] / e, v["exits.csr"] / e, v["exits.virtual_insn_other"] / e,
                v["exits.hfence"] / e, fwd / e
            for (i = 0; i < n; i++)
                if (k[i] ~ /^(exits|l2_exits)\./ && v[k[i]] != 0)
                    printf "  %-21s %8.3f\n", (k[i] ~ /^l2_/ ? "L2 " substr(k[i], 10) : substr(k[i], 7)), v[k[i]] / e
        }'
fi
if [ "$smp" -gt 1 ] && [ -s "$tmp/stats.json" ]; then
    echo "L0 per hart, last nested run:"
    grep -o '"hart": [0-9]*, "exits_total": [0-9]*, "l2_exits_total": [0-9]*, "l2_entries": [0-9]*' "$tmp/stats.json" |
        awk -F'[:,]' '{printf "  hart %d: %d L1 exits, %d L2 exits, %d L2 entries\n", $2, $4, $6, $8}'
fi

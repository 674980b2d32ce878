#!/usr/bin/env bash
# SMP stress run: the SMP scenarios repeated N times in a row
# (default 20) under rvnest, each compared with a native reference: Linux
# with 4 harts (nproc, parallel checksums and forks, the rest of the
# workload: RVNEST lines identical to the native run's), KVM in a 2-hart
# L1 running a 2-vCPU L2 through rvnest-vmm (L2's lines identical), and the
# bare-metal SMP program with 2 and 4 harts (check lines identical). Stops at the
# first hang (timeout), crash (non-zero exit, fatal) or divergence and says
# which run; prints the count of clean rounds.
# --load: boots and reboots under a competing load instead (issue 24): one
# busy process per host core runs beside every round; a round is the SMP
# boot/reboot program (smpboot.c: every hart started through HSM, then an
# SBI SRST cold and a warm reboot and a reset through the test device, four
# boots) with 2, 4 and 8 harts, and Linux with 4 harts booting, rebooting
# itself ("reboot -f") and booting again (--no-linux leaves Linux out);
# each compared with native.
# usage: tests/smp-stress.sh [ROUNDS] [--keep DIR] [--load [--no-linux]]
set -uo pipefail
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/kvm/lib.sh
. "$(dirname "$0")/kvm/lib.sh"
"$REPO/tests/kvm/build.sh" >/dev/null 2>&1 || fail "tests/kvm/build.sh failed"
rounds=20 keep= load=0 linux_too=1
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
        --load) load=1; shift ;;
        --no-linux) linux_too=0; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) rounds=$1; shift ;;
    esac
done
usage="usage: tests/smp-stress.sh [ROUNDS] [--keep DIR] [--load [--no-linux]]"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 2; }
[ $load = 1 ] || [ $linux_too = 1 ] || { echo "smp-stress: --no-linux goes with --load; $usage" >&2; exit 2; }
if [ -n "$keep" ]; then mkdir -p "$keep"; d=$keep; else d=$(mktemp -d); fi
load_pids=()
cleanup() {
    [ ${#load_pids[@]} = 0 ] || kill "${load_pids[@]}" 2>/dev/null
    [ -n "$keep" ] || rm -rf "$d"
}
trap cleanup EXIT
if [ $load = 1 ]; then
    . "$(dirname "$0")/smp-stress-load.sh"
    exit $?
fi
linux=(--smp 4 --kernel "$RVNEST_IMAGES/Image" --initrd "$RVNEST_IMAGES/l1-test.cpio.gz"
       --append "$RVNEST_L1_APPEND" --timeout 400)
checks() { tr -d '\r' <"$1" | grep -E '^(check |FAIL|smp: )' || true; }

echo "smp-stress: native references"
"$RVNEST" run --native "${linux[@]}" >"$d/linux.native" 2>&1 || fail "native Linux run failed"
rvnest_lines "$d/linux.native" >"$d/linux.ref"
grep -q '^RVNEST: nproc 4$' "$d/linux.ref" || fail "native Linux run: nproc is not 4"
run_l2_smp native >"$d/l2.native" 2>&1 || fail "native SMP L2 run failed"
l2_lines "$d/l2.native" >"$d/l2.ref"
grep -qE '^RVNEST-L2: up, .*, 2 cpu\(s\)' "$d/l2.ref" && grep -q '^RVNEST-L1: PASS' "$d/l2.ref" \
    || fail "native SMP L2 run: L2 did not see 2 CPUs or L1 did not pass"
for n in 2 4; do
    "$RVNEST" run --native --smp $n --kernel "$BM/smp.elf" --mem 256M --timeout 120 >"$d/smp$n.native" 2>&1 \
        || fail "native smp run with $n harts failed"
    checks "$d/smp$n.native" >"$d/smp$n.ref"
    grep -q '^smp: passed' "$d/smp$n.ref" || fail "native smp run with $n harts did not pass"
done
ok=0
for r in $(seq 1 "$rounds"); do
    t0=$(date +%s)
    "$RVNEST" run "${linux[@]}" --audit --stats "$d/linux.$r.json" >"$d/linux.$r" 2>&1
    rc=$?
    [ $rc = 0 ] || { tail -5 "$d/linux.$r"; fail "round $r: Linux under rvnest exited $rc (124: hang)"; }
    rvnest_lines "$d/linux.$r" >"$d/linux.$r.lines"
    diff -u "$d/linux.ref" "$d/linux.$r.lines" || fail "round $r: Linux output differs from native"
    grep -q '"audit_hs_guest_blocks": 0,' "$d/linux.$r.json" || fail "round $r: guest code ran in real HS"
    run_l2_smp nested "$d/l2.$r.json" >"$d/l2.$r" 2>&1
    rc=$?
    [ $rc = 0 ] || { tail -5 "$d/l2.$r"; fail "round $r: SMP L2 under rvnest exited $rc (124: hang)"; }
    diff -u "$d/l2.ref" <(l2_lines "$d/l2.$r") || fail "round $r: SMP L2 output differs from native"
    for n in 2 4; do
        "$RVNEST" run --smp $n --kernel "$BM/smp.elf" --mem 256M --timeout 120 >"$d/smp$n.$r" 2>&1
        rc=$?
        [ $rc = 0 ] || { tail -5 "$d/smp$n.$r"; fail "round $r: smp with $n harts exited $rc"; }
        diff -u "$d/smp$n.ref" <(checks "$d/smp$n.$r") || fail "round $r: smp with $n harts differs from native"
    done
    ok=$r
    echo "smp-stress: round $r ok ($(( $(date +%s) - t0 )) s; $(grep -o '"exits_total": [0-9]*' "$d/linux.$r.json" | head -1))"
done
echo "smp-stress: $ok of $rounds rounds clean (Linux 4 harts, KVM 2 harts running a 2-vCPU L2, bare-metal 2 and 4 harts; identical to native)"

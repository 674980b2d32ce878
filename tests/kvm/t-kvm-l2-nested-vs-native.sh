#!/usr/bin/env bash
# End to end, two levels under rvnest: L1 Linux runs at V=1 under rvnest,
# loads kvm.ko and runs rvnest-vmm, which boots the L2 Linux guest through
# L1's KVM (rvnest forwards L2's traps to L1, shadows L1's G-stage, switches
# worlds). The same images run single-level first (L1 in real HS, QEMU
# -cpu rv64,h=true): L2's output and the VMM's 12 bad-input checks must be
# identical in both runs, and both must pass their own checks
# (tests/kvm/t-kvm-l2-native.sh's expectations). L0's per-level statistics
# of the nested run are printed.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/kvm/lib.sh
. "$REPO/tests/kvm/lib.sh"

RVNEST_MODE=nested why=$(RVNEST_MODE=nested kvm_prereqs) || { echo "SKIP: $why"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { fail_with_logs "$work" "$*"; }

build_kvm_images "$work"

for mode in native nested; do
    start=$(date +%s.%N)
    RVNEST_MODE=$mode RVNEST_RUN_EXTRA="--stats $work/stats.json" run_l1 "quiet" > "$work/$mode.raw" 2>&1
    rc=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    tr -d '\r' < "$work/$mode.raw" > "$work/$mode.log"
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && fail "$mode: L1 did not finish within ${L1_TIMEOUT}s"
    [ "$rc" = 0 ] || fail "$mode: QEMU exited with status $rc"
    has() { grep -qF -- "$1" "$work/$mode.log"; }
    has "RVNEST-L1: kvm loaded" || fail "$mode: L1 did not load KVM"
    has "RVNEST-L1: checks-failed=0" || fail "$mode: the VMM's bad-input checks failed"
    has "RVNEST-L2: md5=$L2_EXPECTED_MD5" || fail "$mode: L2 workload: wrong or missing md5"
    has "RVNEST-L2: forks=$L2_EXPECTED_FORKS" || fail "$mode: L2 workload: wrong or missing fork count"
    has "RVNEST-L2: done" || fail "$mode: L2 did not finish its workload"
    has "RVNEST-L1: PASS" || fail "$mode: L1 did not report PASS"
    l2_lines "$work/$mode.log" > "$work/$mode.lines"
    echo "$mode: L1 + L2 in ${secs}s, $(grep -c . "$work/$mode.lines") lines compared; $(grep -E '^rvnest-vmm: boot-to-poweroff' "$work/$mode.log")"
done
grep -q '^RVNEST-L1: check ' "$work/nested.lines" || fail "no VMM check lines"
diff -u "$work/native.lines" "$work/nested.lines" || fail "L2/VMM output differs between single-level and nested"
grep -q '"l2_entries": [1-9]' "$work/stats.json" || fail "rvnest's statistics show no L2 entry: L2 did not run nested"
grep -E '^rvnest: (L1 exits|L2|  L2 |shadow)' "$work/nested.log" | sed 's/^/  /'
echo "PASS: KVM in L1 under rvnest ran L2 Linux; L2 output and the 12 VMM checks identical to single-level"

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
    timed_run "$work/$mode.log" run_l2 "$mode" "$work/stats.json"
    l2_run_ok "$mode" "$work/$mode.log" "$rc"
    grep -qF "RVNEST-L1: checks-failed=0" "$work/$mode.log" || fail "$mode: the VMM's bad-input checks failed"
    l2_lines "$work/$mode.log" > "$work/$mode.lines"
    echo "$mode: L1 + L2 in ${secs}s, $(grep -c . "$work/$mode.lines") lines compared; $(grep -E '^rvnest-vmm: boot-to-poweroff' "$work/$mode.log")"
done
grep -q '^RVNEST-L1: check ' "$work/nested.lines" || fail "no VMM check lines"
diff -u "$work/native.lines" "$work/nested.lines" || fail "L2/VMM output differs between single-level and nested"
grep -q '"l2_entries": [1-9]' "$work/stats.json" || fail "rvnest's statistics show no L2 entry: L2 did not run nested"
nacl_used_ok "$work/stats.json"
grep -E '^rvnest: (L1 exits|L2|  L2 |shadow|NACL)' "$work/nested.log" | sed 's/^/  /'
echo "PASS: KVM in L1 under rvnest ran L2 Linux; L2 output and the 12 VMM checks identical to single-level ($(kvm_config))"

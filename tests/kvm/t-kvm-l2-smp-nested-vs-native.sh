#!/usr/bin/env bash
# End to end, SMP at both levels: L1 Linux with 2 harts loads kvm.ko and
# runs rvnest-vmm with 2 vCPUs; L2 Linux sees 2 CPUs, runs its workload and
# powers off; L1's KVM schedules the vCPU threads on its harts (they may
# migrate), KVM's remote HFENCEs and VMID flushes go through SBI RFENCE.
# Single level first (L1 in real HS, QEMU -cpu rv64,h=true -smp 2), then
# under rvnest (--smp 2): L2's lines must be identical, and every hart of
# the nested run must have run L2.
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
    timed_run "$work/$mode.log" run_l2_smp "$mode" "$work/stats.json"
    l2_run_ok "$mode" "$work/$mode.log" "$rc"
    grep -qE '^RVNEST-L2: up, .*, 2 cpu\(s\)' "$work/$mode.log" || fail "$mode: L2 does not see 2 CPUs"
    l2_lines "$work/$mode.log" > "$work/$mode.lines"
    echo "$mode: L1 (2 harts) + L2 (2 vCPUs) in ${secs}s; $(grep -E '^rvnest-vmm: boot-to-poweroff' "$work/$mode.log")"
done
diff -u "$work/native.lines" "$work/nested.lines" || fail "L2 output differs between single-level and nested"
for h in 0 1; do
    grep -q "{ \"hart\": $h, \"exits_total\": [0-9]*, \"l2_exits_total\": [0-9]*, \"l2_entries\": [1-9]" "$work/stats.json" \
        || fail "hart $h never ran L2"
done
grep -o '{ "hart": [0-9]*, "exits_total": [0-9]*, "l2_exits_total": [0-9]*, "l2_entries": [0-9]*' "$work/stats.json" | sed 's/^/  /'
nacl_used_ok "$work/stats.json" 2
grep -E '^rvnest: NACL' "$work/nested.log" | sed 's/^/  /'
echo "PASS: L1 with 2 harts under rvnest ran a 2-vCPU L2; L2 output identical to single-level ($(kvm_config))"

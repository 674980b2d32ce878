#!/usr/bin/env bash
# KVM dirty logging in L1 loses no page, single-level and nested: L2 runs
# l2-memwork's dirtytest (tests/kvm/l2-memwork.c, protocol in docs/vmm.md):
# it declares PAGES pages of its memory (mlocked, 4 KiB pages, their PFNs
# from /proc/self/pagemap) to rvnest-vmm through the bench device, then for
# ROUNDS rounds writes (stores, byte stores, AMOs, load-then-store) or only
# reads a deterministic subset of them, one writer thread per vCPU pinned
# to it; at the end of each round the VMM gets and clears KVM's dirty log
# (KVM_GET_DIRTY_LOG + KVM_CLEAR_DIRTY_LOG, manual protect) and compares: a
# written page not reported is LOST, a reported page not written EXTRA.
# Under rvnest this checks that L1's write-protection (KVM's CLEAR, its
# HFENCE.GVMA) reaches the shadow G-stage: a stale writable shadow leaf
# would let L2 write without L1 seeing the fault.
#   1 vCPU (L1 with 1 hart; the VMM turns logging on when the test starts,
#   on a slot L2 has been running on: KVM write-protects the whole slot) and
#   2 vCPUs (L1 with 2 harts, --cpus 2; the slot logs from the VM's creation,
#   --dirty-log 0), each
#   single-level (L1 in real HS) and nested (L1 under rvnest): every run 0
#   lost, 0 extra; the VMM's summary line and L2's result (without its time)
#   identical native vs nested (and the summary identical for 1 and 2 vCPUs:
#   the pages written do not depend on the threads).
# RVNEST_DIRTY_PAGES (default 512) and RVNEST_DIRTY_ROUNDS (default 40)
# change the size.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/kvm/lib.sh
. "$REPO/tests/kvm/lib.sh"

RVNEST_MODE=nested why=$(RVNEST_MODE=nested kvm_prereqs) || { echo "SKIP: $why"; exit 77; }
pages=${RVNEST_DIRTY_PAGES:-512} rounds=${RVNEST_DIRTY_ROUNDS:-40}
[[ "$pages" =~ ^[1-9][0-9]*$ && "$rounds" =~ ^[1-9][0-9]*$ ]] \
    || { echo "FAIL: RVNEST_DIRTY_PAGES/ROUNDS must be positive numbers"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { fail_with_logs "$work" "$*"; }
build_kvm_images "$work"

append="quiet rvnest_checks=0 rvnest_l2_append=\"console=ttyS0 quiet panic=-1 rvnest_work=dirtytest,$pages,$rounds\""
# run_dirty MODE CPUS: one L1 run, L1 with CPUS harts running an L2 with CPUS vCPUs
run_dirty() {
    local args=$append
    [ "$2" = 1 ] || args+=" rvnest_vmm_args=\"--cpus $2 --dirty-log 0\""
    L1_SMP=$2 RVNEST_MODE=$1 RVNEST_RUN_EXTRA="--stats $work/stats.json" run_l1 "$args"
}
# compared LOG: the lines that must be identical: the VMM's summary, L2's result without its time
compared() {
    grep -E '^rvnest-vmm: dirty-log: |^RVNEST-L2: work dirtytest ' "$1" | sed -E 's/ ms=[0-9.]+//'
}

total_start=$(date +%s)
for cpus in 1 2; do
    for mode in native nested; do
        log=$work/$mode.log
        rm -f "$work/stats.json"
        timed_run "$log" run_dirty "$mode" "$cpus"
        what="$mode, $cpus vCPU(s)"
        [ "$rc" = 124 ] || [ "$rc" = 137 ] && fail "$what: L1 did not finish within ${L1_TIMEOUT}s"
        grep -F 'rvnest: fatal' "$log" && fail "$what: rvnest stopped with a fatal error"
        grep -E '^rvnest-vmm: dirty-log: round ' "$log" | sed 's/^/  /'
        sum=$(grep -E '^rvnest-vmm: dirty-log: ' "$log" | grep -v ': round ')
        [ -n "$sum" ] || fail "$what: no dirty-log summary from the VMM"
        [[ "$sum" == *", 0 lost, 0 extra, mode "* ]] || fail "$what: the dirty log lost or added pages: $sum"
        [[ "$sum" == *"dirty-log: $rounds rounds, $pages pages, "* && "$sum" != *ERROR* ]] || fail "$what: $sum"
        grep -qE "^RVNEST-L2: work dirtytest pages=$pages rounds=$rounds threads=$cpus written=[0-9]+ lost=0 extra=0 status=0 " "$log" \
            || fail "$what: L2's dirtytest did not report $cpus thread(s), 0 lost, 0 extra"
        [ "$rc" = 0 ] || fail "$what: QEMU exited with status $rc"
        grep -qF "RVNEST-L2: done" "$log" || fail "$what: L2 did not finish its workload"
        grep -qF "RVNEST-L1: vmm-exit=0" "$log" && grep -qF "RVNEST-L1: PASS" "$log" || fail "$what: the VMM did not exit 0"
        compared "$log" >"$work/$mode-$cpus.lines"
        echo "$what: L1 + L2 in ${secs}s: $(grep -o 'work dirtytest .*' "$log")"
        if [ "$mode" = nested ]; then
            grep -q '"l2_entries": [1-9]' "$work/stats.json" || fail "$what: rvnest's statistics show no L2 entry"
            grep -E '^rvnest: (L2:|shadow|NACL)' "$log" | sed 's/^/  /'
        fi
    done
    echo "  $sum"
    diff -u "$work/native-$cpus.lines" "$work/nested-$cpus.lines" \
        || fail "$cpus vCPU(s): the dirty-log results differ between single-level and nested"
done
diff -u <(grep '^rvnest-vmm' "$work/nested-1.lines") <(grep '^rvnest-vmm' "$work/nested-2.lines") \
    || fail "the pages written differ between 1 and 2 vCPUs"
echo "PASS: KVM's dirty log in L1 lost no page and added none, $pages pages x $rounds rounds, 1 and 2 vCPUs, single-level and nested, identical results ($(kvm_config); $(( $(date +%s) - total_start ))s)"

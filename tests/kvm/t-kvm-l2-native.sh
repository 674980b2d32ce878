#!/usr/bin/env bash
# End to end, single level: L1 Linux in real HS mode (QEMU -cpu rv64,h=true)
# loads kvm.ko and runs rvnest-vmm, which boots the L2 Linux guest; L2 runs
# a deterministic workload and powers off; L1 reports the VMM's status.
# Also checks, inside L1, that the VMM rejects bad input with one clear line.
# RVNEST_MODE=nested runs the same scenario with L1 under rvnest.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/kvm/lib.sh
. "$REPO/tests/kvm/lib.sh"

why=$(kvm_prereqs) || { echo "SKIP: $why"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "FAIL: $*"
    echo "--- last lines of the L1 console ($RVNEST_MODE) ---"
    tail -n 40 "$work/l1.log" 2>/dev/null
    exit 1
}

"$REPO/tests/kvm/build.sh" > "$work/build.log" 2>&1 \
    || { tail -n 5 "$work/build.log"; fail "tests/kvm/build.sh failed"; }

timed_run "$work/l1.log" run_l1 quiet
l2_run_ok "$RVNEST_MODE L1" "$work/l1.log" "$rc"
has() { grep -qF -- "$1" "$work/l1.log"; }
grep "RVNEST-L1: check .* FAILED" "$work/l1.log" && fail "bad-input checks of the VMM failed"
has "RVNEST-L1: checks-failed=0" || fail "bad-input checks did not run"
has "RVNEST-L2: up" || fail "L2 did not reach its init"
has "RVNEST-L1: vmm-exit=0" || fail "rvnest-vmm did not exit 0 after L2 powered off"
grep -E '^RVNEST-L1: check |^rvnest-vmm: (boot-to-poweroff|exits):' "$work/l1.log"
echo "PASS: L2 booted, ran its workload and powered off under rvnest-vmm ($RVNEST_MODE L1, $(kvm_config), ${secs}s)"

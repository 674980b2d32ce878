#!/usr/bin/env bash
# The long mode of the kernel tests (opt-in; `./rvnest test` runs only the
# default selection): every combination of the kernels and NACL settings,
# each run under rvnest and compared with the native-H run as the default
# tests do, one QEMU at a time.
#   KVM:      L1 Linux 6.12|7.2 x L2 Linux 6.12|7.2 x nacl on|off x 1|2 vCPUs
#             (t-kvm-l2-nested-vs-native.sh, t-kvm-l2-smp-nested-vs-native.sh:
#             16 runs)
#   L1 alone: L1 Linux 6.12|7.2 x nacl on|off x t-linux, t-linux-smp,
#             t-linux-smstateen, t-kvm-init, t-kvm-init-smstateen (20 runs)
#
# Usage: tests/kvm/matrix.sh [--kvm|--l1] [--kernel 6.12|7.2] [--nacl on|off]
#                            [--skip-default] [--list]
#   --kvm, --l1     only the KVM runs, only the L1-alone runs
#   --kernel K      only the runs with L1 Linux K
#   --nacl on|off   only the runs with that NACL setting
#   --skip-default  leave out the runs the default suite already makes (the
#                   same script with the same kernels and NACL; the plugin's
#                   default is nacl=on)
#   --list          print the runs, run nothing
# Prints a line per run (PASS/FAIL name (time): its last line), then
# "N passed, N failed"; exit status 1 if any failed. The logs are in
# $RVNEST_BUILD/test-logs/matrix/. RVNEST_TEST_MATRIX=1 ./rvnest test runs
# it with --skip-default after the default suite.
# Expects ./rvnest setup to have been done (both kernels, the images).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/env.sh
. "$REPO/scripts/env.sh"

usage() { echo "usage: tests/kvm/matrix.sh [--kvm|--l1] [--kernel 6.12|7.2] [--nacl on|off] [--skip-default] [--list]" >&2; exit 2; }
half= only_k= only_nacl= skip_default=0 list=0
while [ $# -gt 0 ]; do
    case "$1" in
        --kvm|--l1) half=${1#--}; shift ;;
        --kernel) only_k=${2:-}; shift 2 || usage
                  rvnest_kernel_dir "$only_k" --kernel >/dev/null || exit 2 ;;
        --nacl) only_nacl=${2:-}; shift 2 || usage
                rvnest_nacl_ok "$only_nacl" --nacl || exit 2 ;;
        --skip-default) skip_default=1; shift ;;
        --list) list=1; shift ;;
        *) usage ;;
    esac
done

# The runs: "NAME SCRIPT L1 L2 NACL [CPU-PROPS]" (L2 "-" for the L1-alone runs).
runs=()
for k in $RVNEST_KERNELS; do
    for l2 in $RVNEST_KERNELS; do
        for nacl in on off; do
            runs+=("kvm-l1-$k-l2-$l2-nacl-$nacl-1vcpu kvm/t-kvm-l2-nested-vs-native.sh $k $l2 $nacl"
                   "kvm-l1-$k-l2-$l2-nacl-$nacl-2vcpu kvm/t-kvm-l2-smp-nested-vs-native.sh $k $l2 $nacl")
        done
    done
done
for k in $RVNEST_KERNELS; do
    for nacl in on off; do
        for t in linux linux-smp linux-smstateen kvm-init kvm-init-smstateen; do
            runs+=("$t-l1-$k-nacl-$nacl guest/t-$t-native-vs-nested.sh $k - $nacl")
        done
    done
done
# in the default suite (tests/*/t-*.sh): the 6.12 tests with the plugin's
# default (nacl=on), and the 7.2 ones
in_default() {
    case "$1" in
        kvm-l1-6.12-l2-6.12-nacl-on-*|*-l1-6.12-nacl-on) return 0 ;;
        kvm-l1-7.2-l2-7.2-nacl-on-1vcpu|kvm-l1-7.2-l2-6.12-nacl-off-1vcpu|kvm-l1-7.2-l2-7.2-nacl-on-2vcpu) return 0 ;;
        linux-l1-7.2-nacl-on|kvm-init-smstateen-l1-7.2-nacl-on) return 0 ;;
    esac
    return 1
}

logs=$RVNEST_BUILD/test-logs/matrix
mkdir -p "$logs"
passed=0 failed=0 failures=()
for r in "${runs[@]}"; do
    read -r name script k l2 nacl <<<"$r"
    case "$half" in kvm) [[ $name == kvm-l1-* ]] || continue ;; l1) [[ $name != kvm-l1-* ]] || continue ;; esac
    [ -z "$only_k" ] || [ "$k" = "$only_k" ] || continue
    [ -z "$only_nacl" ] || [ "$nacl" = "$only_nacl" ] || continue
    [ "$skip_default" = 0 ] || ! in_default "$name" || continue
    if [ "$list" = 1 ]; then
        echo "$name: $script (L1 Linux $k, $([ "$l2" = - ] && echo "no L2" || echo "L2 Linux $l2"), nacl=$nacl)"
        continue
    fi
    [ "$l2" != - ] || l2=$k
    log=$logs/$name.log
    start=$(date +%s)
    RVNEST_KERNEL=$k RVNEST_L2_KERNEL=$l2 RVNEST_NACL=$nacl "$REPO/tests/$script" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [ "$rc" = 0 ]; then
        passed=$((passed + 1)); echo "PASS matrix/$name (${secs}s): $(tail -1 "$log")"
    else
        failed=$((failed + 1)); failures+=("matrix/$name")
        echo "FAIL matrix/$name (exit $rc, ${secs}s), last lines of $log:"; tail -15 "$log" | sed 's/^/    /'
    fi
done
[ "$list" = 0 ] || exit 0
[ ${#failures[@]} = 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

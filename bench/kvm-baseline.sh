#!/usr/bin/env bash
# Baseline for KVM-in-guest: the single-level scenario of
# tests/kvm/t-kvm-l2-native.sh (L1 in real HS, L2 under rvnest-vmm) run N
# times. Prints medians of
#   - L2 boot-to-poweroff, measured inside L1 by rvnest-vmm (KVM_CREATE_VM to
#     the SRST system event; includes the L2 workload),
#   - the whole QEMU run (L1 boot + L2 + poweroff), measured here,
#   - exits by reason: the VMM's own userspace counters and KVM's in-kernel
#     per-vCPU counters (binary stats).
# The run-L2 issue reports its ratio against these figures.
#
# usage: bench/kvm-baseline.sh [-n RUNS]     (RVNEST_MODE=nested: under rvnest)
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/kvm/lib.sh
. "$REPO/tests/kvm/lib.sh"

runs=${RVNEST_BENCH_RUNS:-5}
while [ $# -gt 0 ]; do
    case "$1" in
    -n) runs=${2:-}; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kvm-baseline: unknown argument '$1' (usage: $0 [-n RUNS])" >&2; exit 2 ;;
    esac
done
case "$runs" in ''|*[!0-9]*|0) echo "kvm-baseline: -n needs a positive number" >&2; exit 2 ;; esac
why=$(kvm_prereqs) || { echo "kvm-baseline: $why" >&2; exit 1; }
"$REPO/tests/kvm/build.sh" >&2 || { echo "kvm-baseline: tests/kvm/build.sh failed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/samples"
for i in $(seq 1 "$runs"); do
    t0=$(date +%s.%N)
    run_l1 "quiet rvnest_checks=0" > "$work/l1.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    if [ "$rc" != 0 ] || ! grep -q "RVNEST-L1: PASS" "$work/l1.log" \
        || ! grep -q "RVNEST-L2: md5=$L2_EXPECTED_MD5" "$work/l1.log"; then
        echo "kvm-baseline: run $i failed (QEMU status $rc); last lines:" >&2
        tail -n 20 "$work/l1.log" >&2
        exit 1
    fi
    # one line of key=value samples per run
    tr -d '\r' < "$work/l1.log" | awk -v q="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" '
        /^rvnest-vmm: boot-to-poweroff:/ { printf "l2_boot_s=%s ", $3 }
        /^rvnest-vmm: exits:/     { for (i = 3; i <= NF; i++) printf "vmm:%s ", $i }
        /^rvnest-vmm: kvm-stats:/ { for (i = 3; i <= NF; i++) printf "kvm:%s ", $i }
        END { printf "qemu_s=%s\n", q }' >> "$work/samples"
    printf '  run %d/%d: %s\n' "$i" "$runs" "$(grep -o 'l2_boot_s=[0-9.]*' "$work/samples" | tail -1)" >&2
done

# median of each key over the runs; keys keep their first-seen order
awk -v runs="$runs" -v mode="$RVNEST_MODE" '
function median(key,   n, i, j, t, a) {
    n = split(vals[key], a, " ")
    while (n < runs) a[++n] = 0     # counters that stayed 0 are not printed
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
    kvm = 0
    for (f = 1; f <= NF; f++) {
        split($f, kv, "=")
        k = kv[1]
        if (!(k in vals)) order[++nk] = k
        vals[k] = vals[k] " " kv[2]
    }
}
END {
    printf "rvnest KVM baseline: RVNEST_MODE=%s, %d runs, L2 256M 1 vCPU (medians)\n", mode, runs
    printf "  L2 boot-to-poweroff (rvnest-vmm, in L1): %.3f s\n", median("l2_boot_s")
    printf "  whole QEMU run (L1 boot + L2 + poweroff): %.3f s\n", median("qemu_s")
    line = ""
    for (i = 1; i <= nk; i++) if (order[i] ~ /^vmm:/) { k = order[i]; sub(/^vmm:/, "", k); line = line " " k "=" median(order[i]) }
    printf "  VMM exits by reason (userspace):%s\n", line
    line = ""
    for (i = 1; i <= nk; i++) if (order[i] ~ /^kvm:/) { k = order[i]; sub(/^kvm:/, "", k); line = line " " k "=" median(order[i]) }
    printf "  KVM counters (in-kernel, summed over vCPUs):%s\n", line
}' "$work/samples"

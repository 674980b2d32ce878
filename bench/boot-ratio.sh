#!/usr/bin/env bash
# Benchmark: L1 Linux boot-to-poweroff wall time under rvnest divided by
# native H (QEMU -cpu rv64,h=true, no plugin). Runs alternate in one
# invocation; prints every pair, the median ratio, and L0's exit counts by
# reason (deterministic apart from timer-dependent interrupt counts).
# Usage: bench/boot-ratio.sh [PAIRS] [--smp N]   (default 5 pairs, 1 hart);
# with several harts it also prints each hart's L0 exits.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
. "$REPO/bench/lib.sh"
pairs_smp boot-ratio.sh "$@"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(--smp "$smp" --kernel "$RVNEST_IMAGES/Image" --initrd "$RVNEST_IMAGES/l1-test.cpio.gz" --append "$RVNEST_L1_APPEND" --timeout 600)
run() { # mode outfile -> seconds
    local t
    t=$(timed_run "$1" "$2" "$tmp/stats.json" "${args[@]}")
    grep -q '^RVNEST: done' "$2" || { echo "bench: $1 run failed" >&2; tail -5 "$2" >&2; exit 1; }
    echo "$t"
}
echo "L1 boot-to-poweroff (Debian $(cat "$RVNEST_IMAGES/kernel-version"), busybox workload), $pairs pairs, $smp hart(s)"
ratios=()
for i in $(seq 1 "$pairs"); do
    n=$(run native "$tmp/n"); r=$(run nested "$tmp/r")
    ratio=$(echo "$r / $n" | bc -l)
    ratios+=("$ratio")
    printf '  pair %d: native %.2f s, rvnest %.2f s, ratio %.3f\n' "$i" "$n" "$r" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | median)
printf 'median ratio rvnest/native: %.3f (target <= 1.3)\n' "$median"
print_exits "$tmp/stats.json"
if [ "$smp" -gt 1 ]; then
    echo "L0 exits per hart (last rvnest run):"
    grep -o '"hart": [0-9]*, "exits_total": [0-9]*' "$tmp/stats.json" | awk -F'[:,]' '{printf "  hart %d: %d\n", $2, $4}'
fi

#!/usr/bin/env bash
# Benchmark: L1 Linux boot-to-poweroff wall time under rvnest divided by
# native H (QEMU -cpu rv64,h=true, no plugin). Runs alternate in one
# invocation; prints every pair, the median ratio, and L0's exit counts by
# reason (deterministic apart from timer-dependent interrupt counts).
# Usage: bench/boot-ratio.sh [PAIRS]   (default 5)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
pairs=${1:-5}
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/boot-ratio.sh [PAIRS]" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(--kernel "$RVNEST_IMAGES/Image" --initrd "$RVNEST_IMAGES/l1-test.cpio.gz" --append "$RVNEST_L1_APPEND" --timeout 600)
run() { # mode outfile -> seconds
    local s e
    s=$(date +%s.%N)
    if [ "$1" = native ]; then "$REPO/rvnest" run --native "${args[@]}" >"$2" 2>&1
    else "$REPO/rvnest" run "${args[@]}" --quiet --stats "$tmp/stats.json" >"$2" 2>&1; fi
    e=$(date +%s.%N)
    grep -q '^RVNEST: done' "$2" || { echo "bench: $1 run failed" >&2; tail -5 "$2" >&2; exit 1; }
    echo "$e - $s" | bc -l
}
echo "L1 boot-to-poweroff (Debian $(cat "$RVNEST_IMAGES/kernel-version"), busybox workload), $pairs pairs"
ratios=()
for i in $(seq 1 "$pairs"); do
    n=$(run native "$tmp/n"); r=$(run nested "$tmp/r")
    ratio=$(echo "$r / $n" | bc -l)
    ratios+=("$ratio")
    printf '  pair %d: native %.2f s, rvnest %.2f s, ratio %.3f\n' "$i" "$n" "$r" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
printf 'median ratio rvnest/native: %.3f (target <= 1.3)\n' "$median"
echo "L0 exits in the last rvnest run (by reason):"
tr -d ' ",{}' <"$tmp/stats.json" | grep -v '^$\|^exits:$' | awk -F: '$2 != 0 {printf "  %-22s %s\n", $1, $2}'

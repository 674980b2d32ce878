#!/usr/bin/env bash
# Benchmark: a memory-heavy L1 (tests/guest/baremetal/memtouch.c: touch
# 128 MiB through 4 KiB Sv39 pages 4 times, then a 2,000,000-step random
# pointer chase over those pages) under rvnest divided by native H
# (QEMU -cpu rv64,h=true, no plugin), alternated in one invocation. Every TLB
# miss of L1 costs what L0's isolation makes QEMU do on a TLB fill, which a
# boot (bench/boot-ratio.sh) hides. Prints each pair (whole QEMU wall time
# and the guest-timed phases in 10 MHz ticks), the median ratios, and L0's
# exit counts by reason (deterministic: the workload itself traps to no one).
# Usage: bench/l1-memory.sh [PAIRS] [BOOTARGS]   (default 5, "mib=128 passes=4 chase=2000000")
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
. "$REPO/bench/lib.sh"
pairs=${1:-5}
bootargs=${2:-mib=128 passes=4 chase=2000000}
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/l1-memory.sh [PAIRS] [BOOTARGS]" >&2; exit 2; }
elf=$RVNEST_BM/memtouch.elf
[ -f "$elf" ] || { echo "bench: $elf missing; run ./rvnest setup" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(--kernel "$elf" --mem 512M --append "$bootargs" --timeout 900)
run() { # mode outfile -> "wall touch chase"
    local w
    w=$(timed_run "$1" "$2" "$tmp/stats.json" "${args[@]}")
    grep -q '^memtouch: done' "$2" || { echo "bench: $1 run failed" >&2; tail -5 "$2" >&2; exit 1; }
    tr -d '\r' <"$2" | grep -q ', traps 0$' || { echo "bench: the workload trapped in the $1 run" >&2; exit 1; }
    local t c
    read -r t c < <(tr -d '\r' <"$2" | sed -n 's/^memtouch: ticks touch \([0-9]*\) chase \([0-9]*\)/\1 \2/p')
    echo "$w $t $c"
}
echo "L1 memory workload ($bootargs), $pairs pairs, native H vs rvnest"
rw=() rt=() rc=()
for i in $(seq 1 "$pairs"); do
    read -r nw nt nc < <(run native "$tmp/n")
    read -r sw st sc < <(run nested "$tmp/r")
    cmp -s <(grep '^memtouch: checksum' "$tmp/n") <(grep '^memtouch: checksum' "$tmp/r") \
        || { echo "bench: checksums differ" >&2; exit 1; }
    rw+=("$(echo "$sw / $nw" | bc -l)"); rt+=("$(echo "$st / $nt" | bc -l)"); rc+=("$(echo "$sc / $nc" | bc -l)")
    printf '  pair %d: wall native %.2f s rvnest %.2f s (%.3f) | touch %d/%d ticks (%.3f) | chase %d/%d ticks (%.3f)\n' \
        "$i" "$nw" "$sw" "${rw[-1]}" "$nt" "$st" "${rt[-1]}" "$nc" "$sc" "${rc[-1]}"
done
printf 'median ratio rvnest/native: wall %.3f, touch %.3f, chase %.3f (target <= 1.05)\n' \
    "$(printf '%s\n' "${rw[@]}" | median)" "$(printf '%s\n' "${rt[@]}" | median)" "$(printf '%s\n' "${rc[@]}" | median)"
print_exits "$tmp/stats.json"

#!/usr/bin/env bash
# SBI FWFT from L1, natively and under rvnest (forwarded to OpenSBI, with
# L0 following menvcfg and medeleg): OpenSBI's answers, a misaligned AMO
# before/with/after misaligned delegation (htinst tells the path), and L1's
# own page tables with and without hardware A/D updating.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$BM/fwft.elf" --mem 256M --timeout 120
same_output "$tmp" guest_lines 'fwft: probe 1$' 'get feature 0x4: err 0 value 1$' \
    'amo misaligned delegated: traps 1 ' 'load through A=0 PTE without updating: traps 1 cause 13, PTE.A now 0$' \
    'load through A=0 PTE updating again: traps 0 cause 0, PTE.A now 1$' 'fwft: done'
grep -q '"sbi_fwft": [1-9]' "$tmp/stats.json" || fail "FWFT calls did not go through L0"
echo "identical output ($(wc -l <"$tmp/a") lines), $(grep -o '"sbi_fwft": [0-9]*' "$tmp/stats.json")"

#!/usr/bin/env bash
# Zkr's seed from L1's HS (-cpu rv64,h=true,zkr=true): natively and under
# rvnest (where the access is replayed in real HS) the same accesses work
# and the same forms fail, with identical output.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
RVNEST_CPU_PROPS=zkr=true run_both "$tmp" --kernel "$BM/zkr.elf" --mem 256M --timeout 120
same_output "$tmp" guest_lines 'zkr: start' 'csrrs seed, x0 (read-only form): trap cause 2' 'zkr: passed'
grep -q '"ucode_runs": [1-9]' "$tmp/stats.json" || fail "no access was replayed in real HS"
echo "identical output ($(wc -l <"$tmp/a") lines), $(grep -o '"ucode_runs": [0-9]*' "$tmp/stats.json")"

#!/usr/bin/env bash
# L0 isolation, native vs nested: every access kind (load, store from S and
# U, fetch, AMO, LR/SC, HLV/HSV, L1's own page-table walks and HLV's VS- and
# G-stage walks) at addresses across everything above L1's RAM (L0's
# vector, microcode, memory, and the rest of the machine's RAM) faults
# exactly as it does natively, where that memory does not exist. Under
# rvnest PMP entries deny it to L1 (docs/architecture.md, "Isolation").
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$BM/isolation.elf" --mem 256M --timeout 120
same_output "$tmp" guest_lines 'isolation: RAM ends at 0x90000000' 'check ld.S@+0: trap cause 5 ' \
    'check walk.ld@+0: trap cause 13' 'check hlv.g-walk@+7ff000: trap cause 21' 'isolation: passed'
n=$(grep -c '^check ' "$tmp/a")
[ "$n" -ge 110 ] || fail "only $n checks"
grep -q '"access_fault": [1-9]' "$tmp/stats.json" || fail "no access reached L0's PMP entries"
echo "$n isolation checks, identical natively and under rvnest"

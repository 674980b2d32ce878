#!/usr/bin/env bash
# The smallest L2 round trip (tests/guest/baremetal/l2entry.c): L1 enters
# its guest in VS and then VU, the guest's ecall comes back to L1 with the
# registers a trap from V=1 sets. Identical natively and under rvnest.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$BM/l2entry.elf" --mem 256M --timeout 60
same_output "$tmp" guest_lines 'l2entry: round 0: scause 0xa .* spv 1 spvp 1 gva 0' \
    'l2entry: round 1: scause 0x16 .* spv 1 spvp 0 gva 0' 'l2entry: passed'
grep -q '"l2_entries": 2,' "$tmp/stats.json" || fail "rvnest did not count 2 entries into L2"
echo "identical output; $(grep -o '"l2_entries": [0-9]*' "$tmp/stats.json" | head -1), $(grep -o '"l2_exits_total": [0-9]*' "$tmp/stats.json" | head -1)"

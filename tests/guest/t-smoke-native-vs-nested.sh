#!/usr/bin/env bash
# The bare-metal L1 smoke program prints the same lines with L1 in real HS
# (QEMU's native H, the reference) and at V=1 under rvnest, and passes its
# own checks in both; no guest code runs in real HS under rvnest.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$BM/smoke.elf" --mem 256M --timeout 120
same_output "$tmp" guest_lines 'smoke: start' 'csr hgatp <- ' 'sbi set_timer: timer interrupts 1$' \
    'ipi to self: err 0, software interrupts 1$' 'smoke: passed'
[ "$(wc -l <"$tmp/a")" -gt 60 ] || fail "native output too short"
grep -q '"csr": [1-9]' "$tmp/stats.json" || fail "no CSR exits counted"
echo "identical output ($(wc -l <"$tmp/a") lines), $(grep -o '"exits_total": [0-9]*' "$tmp/stats.json" | head -1)"

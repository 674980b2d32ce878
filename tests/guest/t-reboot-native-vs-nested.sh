#!/usr/bin/env bash
# A system reset requested by L1 (SBI SRST cold reboot): L1 boots again,
# natively and under rvnest, with identical output; under rvnest L0 sets
# itself up again and enters L1 at V=1 twice.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --allow-reboot --kernel "$BM/reboot.elf" --mem 256M --timeout 120
same_output "$tmp" guest_lines 'reboot: first boot' 'reboot: second boot, time advances: 1$' 'reboot: passed$'
grep -q 'entered 2 time(s) at V=1' "$tmp/nested" || fail "L0 did not enter L1 at V=1 after the reset"
grep -q '"firmware_entry": 2,' "$tmp/stats.json" || fail "expected two firmware entries"
echo "two boots, identical output ($(wc -l <"$tmp/a") lines)"

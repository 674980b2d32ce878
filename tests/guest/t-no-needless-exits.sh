#!/usr/bin/env bash
# L1's S-mode CSR accesses, sfence.vma, wfi, ordinary sret and its U-mode
# ecalls never reach L0: the program runs thousands of each, natively and
# under rvnest with identical output, and L0 counts no exit for them (only
# the SBI console calls and the final SRST).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$BM/noexit.elf" --mem 256M --timeout 120
same_output "$tmp" guest_lines 'noexit: begin' 'noexit: end .u ecalls 1000, other traps 0.$'
j=$(tr -d ' \n' <"$tmp/stats.json")
for reason in csr virtual_insn_other exception_other access_fault mmio_plic irq_software irq_timer; do
    echo "$j" | grep -qE "\"$reason\":0[,}]" || fail "L0 saw $reason exits: $(echo "$j" | grep -o "\"$reason\":[0-9]*")"
done
total=$(echo "$j" | grep -o '"exits_total":[0-9]*' | head -1 | cut -d: -f2)
dbcn=$(echo "$j" | grep -o '"sbi_dbcn":[0-9]*' | cut -d: -f2)
[ "$total" = $((dbcn + 2)) ] || fail "expected only the console calls, the firmware entry and SRST: $j"
echo "26000 CSR reads, 6000 CSR writes, 4000 sfence.vma, 50 wfi, 3200 sret, 1000 U ecalls: $total L0 exits, all SBI console/entry/SRST"

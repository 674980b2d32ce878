#!/usr/bin/env bash
# Debian's kernel boots as L1 with a busybox initramfs, natively and under
# rvnest: the ISA line shows h, the workload output is identical, the clock
# advances, L1 powers off through SBI SRST and QEMU exits 0 in both; L1 ran
# at V=1, no guest code ran in real HS, and no CSR access of L1 trapped.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_l1_image
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$L1_IMAGE" --initrd "$RVNEST_IMAGES/l1-test.cpio.gz" \
    --append "$RVNEST_L1_APPEND" --timeout 300
same_output "$tmp" rvnest_lines 'RVNEST: isa: rv64[a-z]*h' 'RVNEST: hypervisor extension listed' \
    'RVNEST: forks 300$' 'RVNEST: clock advanced' 'RVNEST: done'
grep -q 'L1 ran at V=1' "$tmp/nested" || fail "no V=1 report"
grep -q '"irq_external": [1-9]' "$tmp/stats.json" || fail "no external interrupt went through L0"
grep -q '"mmio_plic": [1-9]' "$tmp/stats.json" || fail "no PLIC claim/complete went through L0"
grep -q '"sbi_srst": 1,' "$tmp/stats.json" || fail "L1 did not power off through SBI SRST"
grep -q '"csr": 0,' "$tmp/stats.json" || fail "L1 trapped on CSRs during boot (counters must not trap)"
grep '^rvnest: NACL' "$tmp/nested" || true
echo "identical RVNEST lines ($(wc -l <"$tmp/a")), $(grep -o '"exits_total": [0-9]*' "$tmp/stats.json" | head -1) ($(l1_config))"

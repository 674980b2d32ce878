#!/usr/bin/env bash
# Debian's kernel as an SMP L1 (4 harts, QEMU's multi-threaded TCG),
# natively and under rvnest: Linux brings up every hart through SBI HSM,
# nproc is 4, the parallel workload (4 concurrent checksum jobs, 4
# concurrent fork loops) and everything else print identical lines; no
# guest code ran in real HS; every hart entered L1 and took exits.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_l1_image
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --smp 4 --kernel "$L1_IMAGE" --initrd "$RVNEST_IMAGES/l1-test.cpio.gz" \
    --append "$RVNEST_L1_APPEND" --timeout 400
same_output "$tmp" rvnest_lines 'RVNEST: isa: rv64[a-z]*h' 'RVNEST: nproc 4$' 'RVNEST: par-md5 ' \
    'RVNEST: par-forks 100 100 100 100 $' 'RVNEST: forks 300$' 'RVNEST: clock advanced' 'RVNEST: done'
grep -q '"sbi_hsm": [1-9]' "$tmp/stats.json" || fail "no HSM call went through L0"
grep -q '"sbi_srst": 1,' "$tmp/stats.json" || fail "L1 did not power off through SBI SRST"
for h in 0 1 2 3; do
    grep -q "{ \"hart\": $h, \"exits_total\": [1-9]" "$tmp/stats.json" || fail "hart $h took no exit to L0"
done
echo "identical RVNEST lines ($(wc -l <"$tmp/a")), $(grep -o '"exits_total": [0-9]*' "$tmp/stats.json" | head -1) ($(l1_config))"

#!/usr/bin/env bash
# The hypervisor load/store and fence instructions: the bare-metal L1
# program builds VS-stage and G-stage tables and runs HLV/HLVX/HSV/HFENCE
# checks (every translation mode, page size, permission rule, A/D, faults
# with stval/htval/htinst/GVA, memory that is not there or PMP-protected,
# misaligned accesses, L1's U-mode). It prints the same lines with L1 in
# real HS (QEMU's native H, the reference) and at V=1 under rvnest, where L0
# emulates every one of these instructions, and passes its own checks.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$BM/hlv.elf" --mem 256M --timeout 300
same_output "$tmp" guest_lines 'hlv: start' 'hlv: vsatp modes' 'width hlv.d: val=' \
    'implicit vs root table unmapped hlv.d: cause=21 ' 'memory data at ram_end+1m hlv.d: cause=5 ' \
    'user HU=0 hlv.d (U): cause=2 ' 'hlv: [0-9]* checks, 0 failures' 'hlv: passed'
! grep -q 'FAIL' "$tmp/a" || fail "the program reported failures"
n=$(sed -n 's/^hlv: \([0-9]*\) checks.*/\1/p' "$tmp/a")
[ "$n" -ge 150 ] || fail "only $n checks ran"
grep -q '"hyp_load_store": [1-9]' "$tmp/stats.json" || fail "no HLV/HSV exits counted"
grep -q '"hfence": [1-9]' "$tmp/stats.json" || fail "no HFENCE exits counted"
echo "identical output ($n checks, $(wc -l <"$tmp/a") lines), $(grep -o '"exits_total": [0-9]*' "$tmp/stats.json" | head -1)"

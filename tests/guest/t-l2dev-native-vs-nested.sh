#!/usr/bin/env bash
# Issue 21: L1 maps the machine's physical regions into its guest. The
# bare-metal L1 program (tests/guest/baremetal/l2dev.c) maps RAM, every
# device of the virt machine (UART, virtio-mmio, goldfish RTC, sifive_test,
# MROM, flash, PCIe ECAM and PIO, the PLIC's priority, pending, enable and
# S-context pages, the CLINT), holes (0, 0x8000000, the end of RAM and
# 1 MiB above it) and the firmware into L2's G-stage (4 KiB window leaves,
# the identity 1 GiB and 2 MiB leaves, a 2 MiB leaf onto the PLIC's
# contexts) and runs 1-, 2-, 4- and 8-byte loads, harmless stores and
# instruction fetches in L2; each is repeated by L1 at the PA and must
# behave the same (natively: L1 in HS, QEMU's H extension). Then L1
# changes the mappings (HFENCE.GVMA by address, VMID, all; none where the
# leaf was invalid), hgatp Bare, and L2 takes the UART's interrupt
# through the PLIC pages mapped into it (polled by L2, and taken by L1 in
# HS while L2 runs), claims and completes it. The program passes its own
# checks natively; under rvnest it must print the same lines.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$BM/l2dev.elf" --mem 256M --timeout 120
guest_lines "$tmp/native" >"$tmp/a"
! grep -q '^FAIL' "$tmp/a" || { grep -B1 '^FAIL' "$tmp/a"; fail "the program fails natively"; }
grep -q '^l2dev: passed' "$tmp/a" || fail "no pass line natively"
n=$(grep -c '^check ' "$tmp/a")
[ "$n" -ge 590 ] || fail "only $n checks ran natively"
for want in 'l2dev: start' 'check uart.win4k.lhu+1: L2 cause 0 ' 'check plic-context.big2m.lwu: L2 cause 0 ' \
    'check remap.invalid.hfence-gpa: L2 cause 21 ' 'check irq.poll.claimed: 10' 'check irq.sei-to-l1.claimed: 10'; do
    grep -q "^$want" "$tmp/a" || fail "native run lacks '$want'"
done
# The differing lines first (diff -u, native first), then the verdict.
guest_lines "$tmp/nested" >"$tmp/b"
if ! diff -u "$tmp/a" "$tmp/b"; then
    fail "output under rvnest differs from native H: $(diff "$tmp/a" "$tmp/b" | grep -c '^< check ') of $n check lines"
fi
echo "identical output ($n checks), $(grep -o '"exits_total": [0-9]*' "$tmp/stats.json" | head -1)"

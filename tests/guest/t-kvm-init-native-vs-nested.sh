#!/usr/bin/env bash
# Debian's kvm.ko loads in L1 under rvnest as on native H: it finds the H
# extension, probes the G-stage mode and the VMID width through L1's
# virtual hgatp (emulated CSR accesses, WARL by probing), and creates
# /dev/kvm. The RVNEST lines of both runs are identical.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$RVNEST_IMAGES/Image" --initrd "$RVNEST_IMAGES/l1-kvm-init.cpio.gz" \
    --append "$RVNEST_L1_APPEND" --timeout 300
same_output "$tmp" rvnest_lines 'RVNEST: insmod kvm ok$' 'RVNEST: kvm: hypervisor extension available$' \
    'RVNEST: kvm: using Sv57x4 G-stage page table format$' 'RVNEST: kvm: VMID 14 bits available$' \
    'RVNEST: /dev/kvm present$' 'RVNEST: done$'
grep -q '"csr": [1-9]' "$tmp/stats.json" || fail "KVM's hypervisor CSR accesses did not go through L0"
echo "kvm.ko initialised identically, $(grep -o '"csr": [0-9]*' "$tmp/stats.json") emulated"

#!/usr/bin/env bash
# Debian's kvm.ko loads in L1 under rvnest as on native H: it finds the H
# extension, probes the G-stage mode and the VMID width through L1's
# virtual hgatp (emulated CSR accesses, WARL by probing), and creates
# /dev/kvm. The RVNEST lines of both runs are identical, but for the line
# in which KVM (Linux >= 6.13) names the SBI nested acceleration (NACL)
# features it uses: OpenSBI offers none natively, L0 may with nacl=on (never
# with nacl=off); that line is printed apart.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_l1_image
initrd=$L1_KERNEL_DIR/l1-kvm-init.cpio.gz
[ -f "$initrd" ] || fail "no $initrd: run scripts/setup.sh (tests/guest/build.sh builds it)"
case "$RVNEST_KERNEL" in
    6.12) gstage='RVNEST: kvm: using Sv57x4 G-stage page table format$' ;;
    *)    gstage='RVNEST: kvm: highest G-stage page table mode is Sv57x4$' ;;
esac
nacl_line='^RVNEST: kvm: using SBI nested acceleration'
kvm_lines() { rvnest_lines "$1" | grep -v "$nacl_line" || true; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run_both "$tmp" --kernel "$L1_IMAGE" --initrd "$initrd" --append "$RVNEST_L1_APPEND" --timeout 300
same_output "$tmp" kvm_lines 'RVNEST: insmod kvm ok$' 'RVNEST: kvm: hypervisor extension available$' \
    "$gstage" 'RVNEST: kvm: VMID 14 bits available$' 'RVNEST: /dev/kvm present$' 'RVNEST: done$'
grep -q '"csr": [1-9]' "$tmp/stats.json" || fail "KVM's hypervisor CSR accesses did not go through L0"
! rvnest_lines "$tmp/native" | grep "$nacl_line" || fail "native OpenSBI offered SBI nested acceleration"
if rvnest_lines "$tmp/nested" | grep "$nacl_line"; then
    [ "${RVNEST_NACL:-}" != off ] || fail "nacl=off, yet L1's KVM uses SBI nested acceleration"
fi
grep '^rvnest: NACL' "$tmp/nested" || true
echo "kvm.ko initialised identically, $(grep -o '"csr": [0-9]*' "$tmp/stats.json") emulated ($(l1_config))"

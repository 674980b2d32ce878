#!/usr/bin/env bash
# Debian's kvm.ko loads in L1 under rvnest as on native H: it finds the H
# extension, probes the G-stage mode and the VMID width through L1's
# virtual hgatp (emulated CSR accesses, WARL by probing), and creates
# /dev/kvm. The RVNEST lines of both runs are identical.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(--kernel "$RVNEST_IMAGES/Image" --initrd "$RVNEST_IMAGES/l1-kvm-init.cpio.gz" --append "$RVNEST_L1_APPEND" --timeout 300)
"$RVNEST" run --native "${args[@]}" >"$tmp/native" 2>&1 || { tail -5 "$tmp/native"; fail "native run exited $?"; }
"$RVNEST" run "${args[@]}" --audit --stats "$tmp/stats.json" >"$tmp/nested" 2>&1 || { tail -20 "$tmp/nested"; fail "nested run exited $?"; }
grep '^RVNEST:' "$tmp/native" | tr -d '\r' >"$tmp/a"
grep '^RVNEST:' "$tmp/nested" | tr -d '\r' >"$tmp/b"
for want in 'RVNEST: insmod kvm ok' 'RVNEST: kvm: hypervisor extension available' \
            'RVNEST: kvm: using Sv57x4 G-stage page table format' 'RVNEST: kvm: VMID 14 bits available' \
            'RVNEST: /dev/kvm present' 'RVNEST: done'; do
    grep -qx "$want" "$tmp/a" || fail "native run lacks '$want'"
    grep -qx "$want" "$tmp/b" || fail "nested run lacks '$want'"
done
diff -u "$tmp/a" "$tmp/b" || fail "L1 output under rvnest differs from native H"
grep -q '"csr": [1-9]' "$tmp/stats.json" || fail "KVM's hypervisor CSR accesses did not go through L0"
grep -q '"audit_hs_guest_blocks": 0,' "$tmp/stats.json" || fail "guest code ran in real HS"
echo "kvm.ko initialised identically, $(grep -o '"csr": [0-9]*' "$tmp/stats.json") emulated"

#!/usr/bin/env bash
# The bare-metal L1 smoke program prints the same lines with L1 in real HS
# (QEMU's native H, the reference) and at V=1 under rvnest, and passes its
# own checks in both; no guest code runs in real HS under rvnest.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$RVNEST" run --native --kernel "$BM/smoke.elf" --mem 256M --timeout 120 >"$tmp/native" 2>&1 || fail "native run exited $?"
"$RVNEST" run --kernel "$BM/smoke.elf" --mem 256M --timeout 120 --audit --stats "$tmp/stats.json" >"$tmp/nested" 2>&1 \
    || { tail -5 "$tmp/nested"; fail "nested run exited $?"; }
guest_lines "$tmp/native" >"$tmp/a"
guest_lines "$tmp/nested" >"$tmp/b"
grep -q '^smoke: passed' "$tmp/a" || { cat "$tmp/a"; fail "smoke program failed natively"; }
grep -q '^smoke: passed' "$tmp/b" || { cat "$tmp/b"; fail "smoke program failed under rvnest"; }
[ "$(wc -l <"$tmp/a")" -gt 60 ] || fail "native output too short"
diff -u "$tmp/a" "$tmp/b" || fail "output under rvnest differs from native H"
grep -q '"audit_hs_guest_blocks": 0,' "$tmp/stats.json" || fail "guest code ran in real HS"
grep -q '"csr": [1-9]' "$tmp/stats.json" || fail "no CSR exits counted"
echo "identical output ($(wc -l <"$tmp/a") lines), $(grep -o '"exits_total": [0-9]*' "$tmp/stats.json")"

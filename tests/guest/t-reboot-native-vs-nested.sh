#!/usr/bin/env bash
# A system reset requested by L1 (SBI SRST cold reboot): L1 boots again,
# natively and under rvnest, with identical output; under rvnest L0 sets
# itself up again and enters L1 at V=1 twice.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(--allow-reboot --kernel "$BM/reboot.elf" --mem 256M --timeout 120)
"$RVNEST" run --native "${args[@]}" >"$tmp/native" 2>&1 || { tail -5 "$tmp/native"; fail "native run exited $?"; }
"$RVNEST" run "${args[@]}" --audit --stats "$tmp/stats.json" >"$tmp/nested" 2>&1 || { tail -5 "$tmp/nested"; fail "nested run exited $?"; }
guest_lines "$tmp/native" >"$tmp/a"
guest_lines "$tmp/nested" >"$tmp/b"
grep -q '^reboot: second boot' "$tmp/a" || { cat "$tmp/a"; fail "no second boot natively"; }
grep -q '^reboot: passed' "$tmp/b" || { cat "$tmp/b"; fail "no second boot under rvnest"; }
diff -u "$tmp/a" "$tmp/b" || fail "output under rvnest differs from native H"
grep -q 'entered 2 time(s) at V=1' "$tmp/nested" || fail "L0 did not enter L1 at V=1 after the reset"
grep -q '"firmware_entry": 2,' "$tmp/stats.json" || fail "expected two firmware entries"
grep -q '"audit_hs_guest_blocks": 0,' "$tmp/stats.json" || fail "guest code ran in real HS"
echo "two boots, identical output ($(wc -l <"$tmp/a") lines)"

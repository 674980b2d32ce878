#!/usr/bin/env bash
# No L1 access can reach L0 memory: loads, stores and fetches there are
# access faults delivered to L1, DBCN refuses the range.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$RVNEST" run --kernel "$BM/l0probe.elf" --mem 256M --append l0=0x90000000 --timeout 120 >"$tmp/out" 2>&1 || { tail -5 "$tmp/out"; fail "run exited $?"; }
guest_lines "$tmp/out" >"$tmp/g"
[ "$(grep -c ' ok$' "$tmp/g")" = 10 ] || { cat "$tmp/g"; fail "expected 10 checks ok"; }
grep -q '^l0probe: passed' "$tmp/g" || { cat "$tmp/g"; fail "l0probe failed"; }
grep -q 'access_fault  *9$' "$tmp/out" || fail "expected 9 access faults in L0's report"
echo "10 isolation checks ok"

#!/usr/bin/env bash
# What an L1 can probe to tell rvnest from native H, timing aside
# (docs/detectability.md): the bare-metal probe program
# (tests/guest/baremetal/probe.c) prints one "probe NAME: ..." line per
# probe natively (L1 in real HS, QEMU's native H) and under rvnest. The
# outputs must be identical but for the documented differences below: each
# is "NAME|the exact line rvnest must print"; the native line is whatever
# QEMU and OpenSBI say. Native-only lines (the PMU's counters) must be
# absent under rvnest. Anything else that differs fails.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
known_differences=(
    # SBI extensions rvnest does not offer (docs/architecture.md, "SBI")
    "ext.pmu|probe ext.pmu: probe err 0 value 0, call fid 0: err -2 value 0"
    "ext.sse|probe ext.sse: probe err 0 value 0, call fid 0: err -2 value 0"
    "ext.dbtr|probe ext.dbtr: probe err 0 value 0, call fid 0: err -2 value 0"
    # SBI nested acceleration: offered by rvnest as an L0 hypervisor does
    # (nested/sbi_nacl.c), not by OpenSBI; fid 0 probes feature 0 (SYNC_CSR)
    "ext.nacl|probe ext.nacl: probe err 0 value 1, call fid 0: err 0 value 1"
    # L1's HLV of a size the device refuses ("Known gaps")
    "hlv.d-test-device|probe hlv.d-test-device: value 0x0"
    # setting sstatus.SIE does not exit ("Interrupts and timers", known limit)
    "vssi-after-sie|probe vssi-after-sie: taken after -1 of 100000 loop iterations, still pending 1"
)
native_only='^probe pmu\.counter-info\.'
run_both "$tmp" --kernel "$BM/probe.elf" --mem 256M --timeout 60
guest_lines "$tmp/native" >"$tmp/a"
guest_lines "$tmp/nested" >"$tmp/b"
for f in a b; do
    grep -q '^probe: done' "$tmp/$f" || { cat "$tmp/$f"; fail "run $f did not finish"; }
done
grep -qE "$native_only" "$tmp/a" || fail "native run printed no PMU counter"
if grep -E "$native_only" "$tmp/b"; then fail "rvnest offers PMU counters"; fi
pat=$native_only
for k in "${known_differences[@]}"; do
    name=${k%%|*} want=${k#*|}
    grep -q "^probe $name:" "$tmp/a" || fail "native run lacks '$name'"
    if grep -qxF "$want" "$tmp/a"; then fail "'$name' no longer differs natively: update the docs and this list"; fi
    grep -qxF "$want" "$tmp/b" || { grep "^probe $name:" "$tmp/b" || true; fail "rvnest's '$name' is not the documented '$want'"; }
    pat+="|^probe ${name//./\\.}:"
done
diff -u <(grep -vE "$pat" "$tmp/a") <(grep -vE "$pat" "$tmp/b") || fail "output under rvnest differs from native H"
echo "probe: $(grep -vcE "$pat" "$tmp/a") lines identical natively and under rvnest;" \
    "${#known_differences[@]} documented differences:"
for k in "${known_differences[@]}"; do
    name=${k%%|*}
    echo "  native: $(grep "^probe $name:" "$tmp/a")"
    echo "  rvnest: $(grep "^probe $name:" "$tmp/b")"
done
echo "  native only: $(grep -cE "$native_only" "$tmp/a") PMU counter-info lines"

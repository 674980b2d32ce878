#!/usr/bin/env bash
# The SMP L1 (tests/guest/baremetal/smp.c: SBI HSM start/stop/status/
# suspend, IPIs with exact per-hart counts, every RFENCE function with the
# remote hart's stale translation checked gone, FWFT A/D updating set per
# hart; every register at each hart start and non-retentive resume, and
# every suspend type, on every hart, in rounds) with 2 and 4 harts: L1 in
# real HS on QEMU's native H (the reference) and at V=1 under rvnest. For
# each number of harts the native run must pass with at least the number
# of checks below, the run under rvnest must pass too (no guest code in
# real HS), and the "check"/"FAIL" lines and the summary must be
# identical. Prints one "ok"/"not ok" line per run and comparison; the
# differing lines are shown (diff -u, native first).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
# SMP_KEEP=DIR keeps every run's output there.
if [ -n "${SMP_KEEP:-}" ]; then tmp=$SMP_KEEP; mkdir -p "$tmp"; else tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; fi
# harts:checks the program prints natively (at least)
configs="2:133 4:253"
bad=0 n=0
ok() { n=$((n + 1)); echo "ok - $*"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok - $*"; }
# the lines compared: checks, failures, the summary
compared() { guest_lines "$1" | grep -E '^(check |FAIL|smp: [0-9]+ checks)' || true; }
for c in $configs; do
    h=${c%%:*} want=${c##*:}
    d=$tmp/smp$h
    mkdir -p "$d"
    run=(--smp "$h" --kernel "$BM/smp.elf" --mem 256M --timeout 120)

    "$RVNEST" run --native "${run[@]}" >"$d/native" 2>&1
    rc=$?
    compared "$d/native" >"$d/a"
    na=$(grep -c '^check ' "$d/a") fa=$(grep -c '^FAIL' "$d/a")
    if [ "$rc" != 0 ]; then
        not_ok "$h harts native: exit status $rc"; tail -5 "$d/native"
    elif ! guest_lines "$d/native" | grep -q '^smp: passed'; then
        not_ok "$h harts native: $na checks, $fa failed"; grep -B1 '^FAIL' "$d/a"
    elif [ "$na" -lt "$want" ]; then
        not_ok "$h harts native: $na checks, expected at least $want"
    else
        ok "$h harts native: $na checks, passed"
    fi

    rm -f "$d/stats.json"
    "$RVNEST" run "${run[@]}" --audit --stats "$d/stats.json" >"$d/nested" 2>&1
    rc=$?
    compared "$d/nested" >"$d/b"
    nb=$(grep -c '^check ' "$d/b") fb=$(grep -c '^FAIL' "$d/b")
    if [ "$rc" != 0 ]; then
        not_ok "$h harts under rvnest: exit status $rc: $(grep -m1 -E 'rvnest' "$d/nested" || tail -1 "$d/nested")"
    elif ! guest_lines "$d/nested" | grep -q '^smp: passed'; then
        not_ok "$h harts under rvnest: $nb checks, $fb failed"; grep -B1 '^FAIL' "$d/b"
    elif [ "$nb" -lt "$want" ]; then
        not_ok "$h harts under rvnest: $nb checks, expected at least $want"
    elif ! grep -q '"audit_hs_guest_blocks": 0,' "$d/stats.json" 2>/dev/null; then
        not_ok "$h harts under rvnest: guest code ran in real HS (or no statistics)"
    else
        ok "$h harts under rvnest: $nb checks, passed, no guest code in real HS"
    fi

    ndiff=$(diff "$d/a" "$d/b" | grep -c '^[<>] check ')
    if [ -s "$d/a" ] && diff -q "$d/a" "$d/b" >/dev/null; then
        ok "$h harts: $na check lines identical natively and under rvnest"
    else
        not_ok "$h harts: output under rvnest differs from native H ($ndiff check lines differ, $na native, $nb nested)"
        diff -u "$d/a" "$d/b" | head -40
    fi
done
echo "smp: $((n - bad))/$n ok"
[ "$bad" = 0 ] || fail "smp: rvnest differs from native H with 2 or 4 harts (or a run failed)"
echo "smp: 2 and 4 harts identical natively and under rvnest"

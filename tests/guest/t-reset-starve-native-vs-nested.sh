#!/usr/bin/env bash
# Issue 24: an SMP L1 boots and reboots whatever the host's scheduler does.
# A test plugin (tests/tools/hold.c, loaded after rvnest's) holds one hart's
# thread at the reset vector, as a busy host may: each hart in turn, at the
# cold boot (run 1), at the cold reboot (run 2), at the warm reboot (run 3)
# and at the reset through the test device with the other harts running
# (run 4) of the SMP boot/reboot program (smpboot.c), with 2 harts and a
# few with 4. Every case runs natively and under rvnest with the same hold; both
# must print exactly what the program prints when nothing is held, and the
# hold must have happened in both. One case holds a hart 11 s, longer than
# any wait L0 ever had (it had a 10 s deadline: a slow host became a fatal).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
[ -f "$HOLD_PLUGIN" ] || fail "no $HOLD_PLUGIN; run ./rvnest setup"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# harts:held hart:reset-vector run:milliseconds
cases="2:1:1:3000 2:0:1:2000 2:1:2:11000 2:0:2:2000 2:1:3:2000 2:0:3:2000 2:1:4:2000 2:0:4:2000 4:2:2:3000 4:3:1:3000 4:1:4:2000"
bad=0 n=0
for c in $cases; do
    IFS=: read -r h hart run ms <<<"$c"
    name="$h harts, hart $hart held ${ms} ms at reset-vector run $run"
    smpboot_want "$h" >"$tmp/want"
    hold=(-- -plugin "$HOLD_PLUGIN,hart=$hart,run=$run,ms=$ms")
    smpboot_run "$tmp/native" "$h" --native "${hold[@]}"; rn=$?
    rm -f "$tmp/stats.json"
    smpboot_run "$tmp/nested" "$h" --audit --stats "$tmp/stats.json" "${hold[@]}"; rs=$?
    smpboot_lines "$tmp/native" >"$tmp/a"
    smpboot_lines "$tmp/nested" >"$tmp/b"
    n=$((n + 1))
    why=
    [ $rn = 0 ] || why="native exit status $rn"
    [ -n "$why" ] || diff -q "$tmp/want" "$tmp/a" >/dev/null || why="native output is not the program's"
    [ -n "$why" ] || grep -q "^hold: hart $hart at the reset vector (run $run)" "$tmp/native" || why="the native run was not held"
    [ -n "$why" ] || [ $rs = 0 ] || why="nested exit status $rs: $(grep -m1 'rvnest: fatal' "$tmp/nested" || tail -1 "$tmp/nested")"
    [ -n "$why" ] || grep -q "^hold: hart $hart at the reset vector (run $run)" "$tmp/nested" || why="the nested run was not held"
    [ -n "$why" ] || diff -q "$tmp/a" "$tmp/b" >/dev/null || why="output under rvnest differs from native H"
    [ -n "$why" ] || grep -q '"audit_hs_guest_blocks": 0,' "$tmp/stats.json" || why="guest code ran in real HS"
    [ -n "$why" ] || grep -q '"firmware_entry": ' "$tmp/stats.json" || why="no statistics"
    if [ -z "$why" ]; then
        echo "ok - $name: 4 boots, identical natively and under rvnest"
    else
        bad=$((bad + 1))
        echo "not ok - $name: $why"
        diff -u "$tmp/want" "$tmp/a" | head -20
        diff -u "$tmp/a" "$tmp/b" | head -20
        tail -5 "$tmp/nested" | sed 's/^/    /'
    fi
done
echo "reset-starve: $((n - bad))/$n ok"
[ "$bad" = 0 ] || fail "an SMP L1 held at the reset vector did not boot and reboot as natively"
echo "reset-starve: $n held boots and reboots identical natively and under rvnest"

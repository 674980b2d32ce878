#!/usr/bin/env bash
# Sets everything up, then runs every rvnest test: the engine's unit tests
# (meson test, mock hart) and the guest tests (tests/*/t-*.sh: real QEMU,
# real OpenSBI, real guests). Ends with one line "N passed, N failed, N skipped".
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
if [ "${RVNEST_SKIP_SETUP:-0}" != 1 ]; then
    "$REPO/scripts/setup.sh" || { echo "rvnest: setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi
logs=$RVNEST_BUILD/test-logs
mkdir -p "$logs"
passed=0 failed=0 skipped=0 failures=()

echo "==> unit tests (meson test)"
/usr/bin/meson test -C "$RVNEST_BUILD" --print-errorlogs >"$logs/unit.log" 2>&1
while read -r name result; do
    case "$result" in
        OK) passed=$((passed + 1)); echo "PASS unit/$name" ;;
        SKIP) skipped=$((skipped + 1)); echo "SKIP unit/$name" ;;
        *) failed=$((failed + 1)); failures+=("unit/$name"); echo "FAIL unit/$name ($result)" ;;
    esac
done < <(sed -n 's/^ *[0-9]*\/[0-9]* \([^ ]*\) *\(OK\|FAIL\|SKIP\|TIMEOUT\|ERROR\|EXPECTEDFAIL\|UNEXPECTEDPASS\) .*/\1 \2/p' "$logs/unit.log")
if ! grep -q '^Ok: *[1-9]' "$logs/unit.log"; then
    failed=$((failed + 1)); failures+=("unit (meson test ran nothing)"); echo "FAIL meson test: see $logs/unit.log"
fi

echo "==> guest tests"
for t in "$REPO"/tests/*/t-*.sh; do
    name=$(basename "$(dirname "$t")")/$(basename "$t" .sh)
    log=$logs/${name//\//_}.log
    start=$(date +%s)
    "$t" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(( $(date +%s) - start ))
    case $rc in
        0) passed=$((passed + 1)); echo "PASS $name (${secs}s): $(tail -1 "$log")" ;;
        77) skipped=$((skipped + 1)); echo "SKIP $name: $(tail -1 "$log")" ;;
        *) failed=$((failed + 1)); failures+=("$name"); echo "FAIL $name (exit $rc, ${secs}s), last lines of $log:"; tail -15 "$log" | sed 's/^/    /' ;;
    esac
done
# RVNEST_TEST_MATRIX=1: also the long mode of the kernel tests, the runs of
# tests/kvm/matrix.sh the default suite does not make (about 25 minutes).
if [ "${RVNEST_TEST_MATRIX:-0}" = 1 ]; then
    echo "==> kernel matrix (tests/kvm/matrix.sh --skip-default)"
    while IFS= read -r line; do
        case "$line" in
            "PASS matrix/"*) passed=$((passed + 1)) ;;
            "FAIL matrix/"*) failed=$((failed + 1)); name=${line#FAIL }; failures+=("${name%% *}") ;;
            "failed: "*|*" passed, "*" failed") continue ;;
        esac
        echo "$line"
    done < <("$REPO/tests/kvm/matrix.sh" --skip-default 2>&1 </dev/null)
fi
[ ${#failures[@]} = 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]

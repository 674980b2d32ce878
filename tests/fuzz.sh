#!/usr/bin/env bash
# Differential fuzzing of L1's virtual H extension: runs the bare-metal
# fuzzer (tests/guest/baremetal/fuzz.c) with the same seed natively (L1 in
# real HS on QEMU's native H, the reference) and under rvnest, and compares
# the running hashes it prints every 1000 operations. Under rvnest a share
# of the CSR writes, fences and L2 entries go through SBI nested
# acceleration (NACL) instead of instructions (fuzz.c), and must agree with
# the native run all the same. On a difference it
# reruns both up to the end of the first differing 1000-op window with
# verbose output from its start and prints the first differing operation:
# its number, its description and both results.
#
# usage: tests/fuzz.sh [--seed S] [--ops N] [--kinds MASK] [--adue on|off] [--timeout SEC] [--keep DIR]
#   --ops      operations (default 1000000)
#   --adue     on: the hart updates A/D bits (Svadu); off: a missing A/D
#              faults (Svade); set through SBI FWFT (default: the firmware's)
#   --kinds    operations to draw (bit 0 CSR, 1 HLV/HSV in S, 2 HLV/HSV in U,
#              3 HFENCE, 4 table edits, 5 mode switches, 6 sstatus, 7 L2 runs;
#              default 0xff)
#   --timeout  per QEMU run (default 120 + ops/500 seconds)
#   --keep     keep the outputs in DIR (default: a temporary directory)
# Exit status 0 when both runs agree on every operation, 1 otherwise.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
seed=1 ops=1000000 timeout= keep= kinds=0xff adue=
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) seed=${2:?--seed needs a number}; shift 2 ;;
        --ops) ops=${2:?--ops needs a number}; shift 2 ;;
        --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
        --kinds) kinds=${2:?--kinds needs a mask}; shift 2 ;;
        --adue)
            case "${2:-}" in on) adue=" adue=1" ;; off) adue=" adue=0" ;; *) echo "fuzz.sh: --adue takes on or off" >&2; exit 2 ;; esac
            shift 2 ;;
        --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "fuzz.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
[[ "$seed" =~ ^[0-9]+$ && "$ops" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seed and --ops take numbers" >&2; exit 2; }
timeout=${timeout:-$((120 + ops / 500))}
[ -f "$BM/fuzz.elf" ] || fail "no $BM/fuzz.elf (build tests/guest/baremetal)"
if [ -n "$keep" ]; then mkdir -p "$keep"; d=$keep; else d=$(mktemp -d); trap 'rm -rf "$d"' EXIT; fi

# run MODE OUT APPEND: one QEMU run, its exit status in $OUT.rc.
run() {
    local mode=$1 out=$2 append=$3 rc
    if [ "$mode" = native ]; then
        "$RVNEST" run --native --kernel "$BM/fuzz.elf" --mem 256M --timeout "$timeout" --append "$append" >"$out" 2>&1
    else
        "$RVNEST" run --kernel "$BM/fuzz.elf" --mem 256M --timeout "$timeout" --append "$append" \
            --audit --stats "$out.stats.json" >"$out" 2>&1
    fi
    rc=$?
    echo "$rc" >"$out.rc"
}
lines() { tr -d '\r' <"$1" | grep -E "^$2" || true; }

run native "$d/native" "seed=$seed ops=$ops kinds=$kinds$adue"
run nested "$d/nested" "seed=$seed ops=$ops kinds=$kinds$adue"
lines "$d/native" 'chk ' >"$d/native.chk"
lines "$d/nested" 'chk ' >"$d/nested.chk"
grep -q '^fuzz: passed' <(tr -d '\r' <"$d/native") \
    || { tail -5 "$d/native"; fail "the native run did not pass (exit $(cat "$d/native.rc"))"; }
[ "$(wc -l <"$d/native.chk")" = $((ops / 1000)) ] || fail "the native run printed $(wc -l <"$d/native.chk") checkpoints, expected $((ops / 1000))"
native_end=$(lines "$d/native" 'fuzz: end ' | head -1)
nested_end=$(lines "$d/nested" 'fuzz: end ' | head -1)
rate=$(lines "$d/native" 'fuzz-time: ' | awk '{ if ($2 > 0) printf "%d", $5 * 1000 / $2 }')

if cmp -s "$d/native.chk" "$d/nested.chk" && [ -n "$nested_end" ] && [ "$native_end" = "$nested_end" ]; then
    grep -q '"audit_hs_guest_blocks": 0,' "$d/nested.stats.json" || fail "guest code ran in real HS"
    # under rvnest a share of the operations went through SBI nested acceleration
    nacl=$(lines "$d/nested" 'fuzz-nacl: ' | head -1)
    [[ "$nacl" == *", 0 SBI errors" ]] || fail "the nested run did not use SBI nested acceleration cleanly: '${nacl:-no fuzz-nacl line}'"
    echo "fuzz: seed $seed: $ops ops compared, 0 divergences (native ${rate:-?} ops/s; under rvnest through NACL: ${nacl#fuzz-nacl: })"
    exit 0
fi

# The first differing window [start, end).
first=$(diff <(cat "$d/native.chk") <(cat "$d/nested.chk") | sed -n 's/^< chk \([0-9]*\) .*/\1/p' | head -1)
if [ -z "$first" ]; then
    end=$ops                           # checkpoints agree: the last partial window or the end line
else
    end=$first
fi
start=$(( (end - 1) / 1000 * 1000 ))
[ "$start" -ge 0 ] || start=0
echo "fuzz: seed $seed: checkpoints agree up to op $start; the window [$start, $end) differs"
run native "$d/native.v" "seed=$seed ops=$end verbose_from=$start kinds=$kinds$adue"
run nested "$d/nested.v" "seed=$seed ops=$end verbose_from=$start kinds=$kinds$adue"
lines "$d/native.v" '(op|res) [0-9]+:' >"$d/native.ops"
lines "$d/nested.v" '(op|res) [0-9]+:' >"$d/nested.ops"
# The first line where the two differ (or where one of them ends).
n=$(awk 'FNR == NR { a[FNR] = $0; na = FNR; next } { b[FNR] = $0; nb = FNR }
         END { m = na > nb ? na : nb
               for (i = 1; i <= m; i++)
                   if (!(i in a) || !(i in b) || a[i] != b[i]) { print i; exit } }' "$d/native.ops" "$d/nested.ops")
if [ -z "$n" ]; then
    echo "fuzz: the verbose reruns agree on every operation of the window (the difference is in the"
    echo "      end-of-window checksum: table memory, data pages or interrupts taken)"
    diff <(lines "$d/native.v" '(chk|fuzz: end)') <(lines "$d/nested.v" '(chk|fuzz: end)') | head -10
    echo "fuzz: seed $seed: $start ops compared, 1 divergence"
    exit 1
fi
opno=$( { sed -n "${n}p" "$d/native.ops"; sed -n "${n}p" "$d/nested.ops"; } | head -1 | sed -n 's/^[a-z]* \([0-9]*\):.*/\1/p')
echo "fuzz: first divergence at op $opno"
echo "  native: $(grep -m1 "^op $opno:" "$d/native.ops")"
echo "          $(grep -m1 "^res $opno:" "$d/native.ops" || echo "(no result)")"
if grep -q "^op $opno:" "$d/nested.ops"; then
    echo "  nested: $(grep -m1 "^op $opno:" "$d/nested.ops")"
    echo "          $(grep -m1 "^res $opno:" "$d/nested.ops" || echo "(no result: the run stopped)")"
else
    echo "  nested: (the run stopped before op $opno)"
fi
if grep -q 'rvnest: fatal' "$d/nested.v"; then
    echo "  nested run: $(grep -m1 'rvnest: fatal' "$d/nested.v")"
elif [ "$(cat "$d/nested.v.rc")" != 0 ]; then
    echo "  nested run: exit status $(cat "$d/nested.v.rc")"
fi
echo "fuzz: seed $seed: $opno ops compared, 1 divergence (native ${rate:-?} ops/s)"
exit 1

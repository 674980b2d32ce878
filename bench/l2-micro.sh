#!/usr/bin/env bash
# Benchmark: L2 operations, single-level against nested. The guest is
# tests/guest/baremetal/bench_l2.c, a small test hypervisor that enters an
# L2 guest in VS-mode (Sv39x4 G-stage, KVM-like delegation) and times, from
# L2, loops of: sbi (an ecall L1 answers), mmio (a load from a GPA L1 leaves
# unmapped and emulates), timer (a VS timer interrupt round trip through
# L2's own handler, Sstc), pagefault (a store to a new page; L1 maps it),
# rdtime and rdcycle (no trap). It prints figures; it asserts nothing about
# time.
#
#   native: bench_l2 with --native (the program is in real HS; L2 is QEMU's
#           real VS with the real G-stage)
#   nested: bench_l2 under rvnest (the program is L1 in VS; L0 runs L2)
#
# One invocation first runs each op alone under rvnest once with iters=N and
# once with iters=0: the stats JSON difference divided by N gives L0's exits
# per op by reason (every numeric key of the stats, nested objects as a.b)
# and host ns in L0 per op. An op whose nested run fails (the engine may not
# run L2 yet) is reported and left out of the nested runs. Then it runs,
# alternating, PAIRS times (default 5) the native program and the nested one
# with every op, and prints the median ticks per op of each, and their ratio.
#
# Usage: bench/l2-micro.sh [-n ITERS] [-o OPS] [PAIRS] [--nacl on|off]
#                          [--kernel 6.12|7.2] [--l2-kernel 6.12|7.2]
#   ITERS  timed iterations per op (default 20000)
#   OPS    comma-separated subset of sbi,mmio,timer,pagefault,rdtime,rdcycle
#   --nacl the plugin's nacl= in the nested runs (default RVNEST_NACL, else
#          the plugin's default, on)
#   --kernel, --l2-kernel: taken (and checked) as by bench/l2-boot-ratio.sh
#          so that one set of options drives both, but no Linux runs here:
#          L1 and L2 are bench_l2's own bare-metal code; the header says so
# Expects ./rvnest setup to have been done (QEMU, plugin, $RVNEST_BM).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
. "$REPO/bench/lib.sh"
kernel_args "$@"
micro_args l2-micro.sh sbi,mmio,timer,pagefault,rdtime,rdcycle 20000 ${rest[@]+"${rest[@]}"}
ELF=$(bench_elf bench_l2)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
RUN=("$REPO/rvnest" run --kernel "$ELF" --mem 256M --timeout 300)

ok() { tr -d '\r' <"$1" | grep -q '^bench_l2: done' && ! tr -d '\r' <"$1" | grep -q '^bench_l2: FAIL'; }
# why OUT: the line that says why a run failed
why() {
    tr -d '\r' <"$1" | grep -m1 -e 'rvnest: fatal:' -e '^bench_l2: FAIL' \
        || { tr -d '\r' <"$1" | grep -v '^$' | tail -1; } || true
}
# nested OPS ITERS OUT: under rvnest, stats in OUT.json; fails unless the program finished
nested() {
    "${RUN[@]}" --append "iters=$2 ops=$1" --quiet --stats "$3.json" >"$3" 2>&1 && ok "$3"
}
native() {
    "${RUN[@]}" --native --append "iters=$iters ops=$ops" >"$1" 2>&1 && ok "$1" \
        || { echo "bench: native run failed: $(why "$1")" >&2; tail -5 "$1" >&2; exit 1; }
}
# "name ticks iters" from the op lines of a run
op_lines() { tr -d '\r' <"$1" | sed -n 's/^bench_l2: op \([a-z]*\) iters \([0-9]*\) ticks \([0-9]*\)$/\1 \3 \2/p'; }

echo "rvnest L2 micro-benchmarks: bench_l2, $iters iterations per op, $pairs pairs"
echo "QEMU $("$(rvnest_qemu_prefix)/bin/qemu-system-riscv64" --version | sed -n '1s/.*version //p'), -cpu rv64,h=true, L1 RAM 256M"
echo "ticks: L2's 'time', QEMU virt's 10 MHz timer (1 tick = 100 ns of host time, no icount)"
echo "nested runs: nacl=${RVNEST_NACL:-default}$([ "$kernel_set" = 0 ] || echo "; --kernel/--l2-kernel not used: bench_l2 is a bare-metal L1 running bare-metal L2 code, no Linux")"

# 1. One nested run per op with iters=N and one with iters=0: which ops run
#    nested, and L0's counts per op.
run_ops=()
for op in ${ops//,/ }; do
    if nested "$op" 0 "$tmp/base-$op" && nested "$op" "$iters" "$tmp/op-$op"; then
        run_ops+=("$op")
        stats_flat "$tmp/base-$op.json" | sort >"$tmp/base-$op.kv"
        stats_flat "$tmp/op-$op.json" | sort >"$tmp/op-$op.kv"
    else
        f=$tmp/op-$op; [ -f "$f" ] || f=$tmp/base-$op
        echo "  $op: nested run failed: $(why "$f")"
    fi
done
run_list=$(IFS=,; echo "${run_ops[*]}")

# 2. The timed pairs, alternating native and nested.
nested_ok=0
for i in $(seq 1 "$pairs"); do
    native "$tmp/n"
    line="  pair $i: native"
    while read -r name ticks n; do
        echo "$ticks $n" | awk '{printf "%.4f\n", $1 / $2}' >>"$tmp/nat-$name"
        line+=" $name $(tail -1 "$tmp/nat-$name")"
    done < <(op_lines "$tmp/n")
    line+=" | nested"
    if [ -z "$run_list" ]; then
        line+=" (no op runs nested)"
    elif nested "$run_list" "$iters" "$tmp/r"; then
        nested_ok=1
        while read -r name ticks n; do
            echo "$ticks $n" | awk '{printf "%.4f\n", $1 / $2}' >>"$tmp/nest-$name"
            line+=" $name $(tail -1 "$tmp/nest-$name")"
        done < <(op_lines "$tmp/r")
    else
        line+=" failed: $(why "$tmp/r")"
    fi
    echo "$line (ticks per op)"
done

# 3. The table.
echo
printf '%-10s %12s %12s %8s %10s %10s  %s\n' op "native t/op" "nested t/op" ratio "L0 exit/op" "L0 ns/op" \
    "L0 stats per op (changed keys, by reason)"
for op in ${ops//,/ }; do
    nat=$(median <"$tmp/nat-$op")
    if [ ! -s "$tmp/nest-$op" ]; then
        printf '%-10s %12.3f %12s %8s %10s %10s  %s\n' "$op" "$nat" - - - - "not run nested (see above)"
        continue
    fi
    nst=$(median <"$tmp/nest-$op")
    ratio=$(echo "$nst $nat" | awk '{printf "%.3f", $1 / $2}')
    # per-op differences of every key; totals and L0 time apart
    diffs=$(join "$tmp/base-$op.kv" "$tmp/op-$op.kv" | awk -v n="$iters" '$3 != $2 {printf "%s %.3f\n", $1, ($3 - $2) / n}')
    total=$(awk '$1 == "exits_total" {print $2}' <<<"$diffs")
    ns=$(awk '$1 == "l0_ns" {printf "%.0f", $2}' <<<"$diffs")
    by=$(awk '$1 != "exits_total" && $1 != "l0_ns" {printf "%s%s %s", sep, $1, $2; sep = ", "}' <<<"$diffs")
    printf '%-10s %12.3f %12.3f %8s %10s %10s  %s\n' "$op" "$nat" "$nst" "$ratio" "${total:-0}" "${ns:-0}" "${by:-none}"
done
echo
echo "t/op: median over the pairs of L2's ticks per iteration (1 tick = 100 ns); ratio = nested / native."
echo "L0 stats per op: one nested run of that op alone with iters=$iters minus one with iters=0, divided"
echo "by $iters (the program does the same outside its loops); exit/op = exits_total, ns/op = l0_ns."
[ "$nested_ok" = 1 ] || echo "no nested run of the timed pairs succeeded: nested figures are missing."

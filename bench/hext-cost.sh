#!/usr/bin/env bash
# Benchmark: the host cost of what L0 emulates for L1 (H CSR accesses,
# HLV/HSV, HFENCE, an SBI call answered in L0), each as a ratio against a
# native-H trap round trip (VS -> HS handler -> VS) measured in the same
# invocation. It prints figures; it asserts nothing about time.
#
# One invocation first runs each op alone under rvnest once, and once with
# iters=0 (both without the warm-up loop; apart from its loops bench_hext
# does the same thing whatever ops and iters are): the stats JSON
# difference divided by the iterations gives L0's exits per op by reason,
# microcode runs per op and host ns spent in L0 per op (l0_ns). An op that
# stops the machine ("not implemented yet") is reported and left out.
# Then it runs, alternating, PAIRS times (default 5):
#   native: bench_hext mode=ref with --native (the program is in real HS and
#           runs a VS guest loop of its own that traps to it every iteration)
#   nested: bench_hext mode=ops under rvnest (each op traps to L0)
# and prints the medians and their ratios.
#
# Usage: bench/hext-cost.sh [-n ITERS] [-o OPS] [PAIRS]
#   ITERS  timed iterations per loop (default 100000)
#   OPS    comma-separated subset of csrr,csrw,hlv,hsv,hfence.vvma,hfence.gvma,sbi
# Expects ./rvnest setup to have been done (QEMU, plugin, $RVNEST_BM).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
. "$REPO/bench/lib.sh"
micro_args hext-cost.sh csrr,csrw,hlv,hsv,hfence.vvma,hfence.gvma,sbi 100000 "$@"
ELF=$(bench_elf bench_hext)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
RUN=("$REPO/rvnest" run --kernel "$ELF" --mem 256M --timeout 300)

# nested OPS ITERS OUT [ARGS]: mode=ops under rvnest, stats in OUT.json
nested() {
    "${RUN[@]}" --append "mode=ops iters=$2 ops=$1${4:+ $4}" --quiet --stats "$3.json" >"$3" 2>&1
}
native() {
    "${RUN[@]}" --native --append "mode=ref iters=$iters" >"$1" 2>&1 \
        && grep -q '^bench_hext: done' "$1" && ! grep -q FAIL "$1" \
        || { echo "bench: native reference run failed" >&2; tail -5 "$1" >&2; exit 1; }
}
# The stats JSON as "key value" lines (exit reasons and the totals).
kv() { tr -d ' ",{}\r' <"$1" | awk -F: 'NF == 2 && $2 != "" {print $1, $2}' | sort; }
# "name ticks iters" from the BENCH lines of a run
bench_lines() { tr -d '\r' <"$1" | sed -n 's/^BENCH [a-z]*=\([^ ]*\) iters=\([0-9]*\) ticks=\([0-9]*\) .*/\1 \3 \2/p'; }
minimum() { sort -g | head -1; }

echo "rvnest H-extension emulation cost: bench_hext, $iters iterations per loop, $pairs pairs"
echo "QEMU $("$(rvnest_qemu_prefix)/bin/qemu-system-riscv64" --version | sed -n '1s/.*version //p'), -cpu rv64,h=true, L1 RAM 256M"
echo "ticks: QEMU virt's 10 MHz 'time' (1 tick = 100 ns of host time, QEMU_CLOCK_VIRTUAL without icount)"

# 1. One nested run per op (and a baseline with no iterations), without
#    the untimed warm-up loop: which ops run, and L0's counts per op.
nested csrr 0 "$tmp/base" warmup=0 || { echo "bench: nested baseline run failed" >&2; tail -5 "$tmp/base" >&2; exit 1; }
kv "$tmp/base.json" >"$tmp/base.kv"
run_ops=()
for op in ${ops//,/ }; do
    if nested "$op" "$iters" "$tmp/op-$op" warmup=0 && grep -q '^bench_hext: done' "$tmp/op-$op"; then
        run_ops+=("$op")
        kv "$tmp/op-$op.json" >"$tmp/op-$op.kv"
    else
        msg=$(tr -d '\r' <"$tmp/op-$op" | grep -m1 'rvnest: fatal:' || tail -1 "$tmp/op-$op")
        echo "  $op: not run under this rvnest ($msg)"
        : >"$tmp/op-$op.kv"
    fi
done
[ ${#run_ops[@]} -gt 0 ] || { echo "bench: no op runs under rvnest" >&2; exit 1; }
run_list=$(IFS=,; echo "${run_ops[*]}")
# For context: the same ops executed by L1 in real HS on native H (no trap).
"${RUN[@]}" --native --append "mode=ops iters=$iters ops=$ops" >"$tmp/direct" 2>&1 \
    && grep -q '^bench_hext: done' "$tmp/direct" \
    || { echo "bench: native ops run failed" >&2; tail -5 "$tmp/direct" >&2; exit 1; }
bench_lines "$tmp/direct" >"$tmp/direct.lines"

# 2. The timed pairs, alternating native reference and nested ops.
for i in $(seq 1 "$pairs"); do
    native "$tmp/n"
    nested "$run_list" "$iters" "$tmp/r" && grep -q '^bench_hext: done' "$tmp/r" \
        || { echo "bench: nested run failed" >&2; tail -5 "$tmp/r" >&2; exit 1; }
    line="  pair $i: native"
    while read -r name ticks n; do
        echo "$ticks $n" | awk '{printf "%.4f\n", $1 / $2}' >>"$tmp/ref-$name"
        line+=" $name $(tail -1 "$tmp/ref-$name")"
    done < <(bench_lines "$tmp/n")
    line+=" | nested"
    while read -r name ticks n; do
        echo "$ticks $n" | awk '{printf "%.4f\n", $1 / $2}' >>"$tmp/nest-$name"
        line+=" $name $(tail -1 "$tmp/nest-$name")"
    done < <(bench_lines "$tmp/r")
    echo "$line (ticks per op)"
done

# 3. The table.
ref_vi=$(median <"$tmp/ref-virtual_insn")
ref_ec=$(median <"$tmp/ref-vs_ecall")
echo
echo "native-H trap round trip (median): virtual instruction (VS csrr hstatus -> HS handler -> sret) $ref_vi ticks;"
echo "                                   VS ecall (-> HS handler -> sret) $ref_ec ticks"
echo "                          (minimum): virtual instruction $(minimum <"$tmp/ref-virtual_insn") ticks; VS ecall $(minimum <"$tmp/ref-vs_ecall") ticks"
echo
printf '%-12s %12s %8s %13s %7s %9s  %-30s %8s %9s %9s %10s\n' op "nested t/op" "ref" "ref t/rt" ratio "ratio min" \
    "L0 exits per op (by reason)" "ucode/op" "L0 ns/op" "total ns" "direct t/op"
for op in ${ops//,/ }; do
    direct=$(awk -v op="$op" '$1 == op {printf "%.3f", $2 / $3}' "$tmp/direct.lines")
    if [ ! -s "$tmp/op-$op.kv" ]; then
        printf '%-12s %s (direct t/op %s)\n' "$op" "not run under rvnest (stopped the machine, see above)" "$direct"
        continue
    fi
    if [ "$op" = sbi ]; then ref=vs_ecall rf=$tmp/ref-vs_ecall; else ref=virt_insn rf=$tmp/ref-virtual_insn; fi
    r=$(median <"$rf")
    m=$(median <"$tmp/nest-$op")
    rmin=$(echo "$(minimum <"$tmp/nest-$op") $(minimum <"$rf")" | awk '{printf "%.3f", $1 / $2}')
    counts=$(join "$tmp/base.kv" "$tmp/op-$op.kv" | awk -v n="$iters" '
        $1 == "exits_total" || $1 == "l0_ns" || $1 == "ucode_runs" || $1 == "audit_hs_guest_blocks" {next}
        $3 != $2 {printf "%s%s %.3f", sep, $1, ($3 - $2) / n; sep = ", "}')
    extra=$(join "$tmp/base.kv" "$tmp/op-$op.kv" | awk -v n="$iters" '
        $1 == "ucode_runs" {u = ($3 - $2) / n} $1 == "l0_ns" {ns = ($3 - $2) / n}
        END {printf "%.3f %.0f", u, ns}')
    printf '%-12s %12.3f %8s %13.3f %7.3f %9s  %-30s %8s %9s %9.0f %10s\n' "$op" "$m" "$ref" "$r" \
        "$(echo "$m $r" | awk '{print $1 / $2}')" "$rmin" "${counts:-none}" ${extra} "$(echo "$m" | awk '{print $1 * 100}')" "$direct"
done
echo
echo "ratio = median nested ticks per op / median native round trip ticks (ratio of medians); ratio min ="
echo "the same with the minima (less sensitive to other load on the host, which only ever adds time);"
echo "ref: virt_insn = virtual-instruction round trip (CSR, HLV/HSV, HFENCE), vs_ecall = VS ecall round trip (SBI)."
echo "target (issue): every ratio <= 1.0 (reported as measured)."
echo "exits, ucode and L0 ns per op: one nested run of that op alone minus a run with iters=0, divided by"
echo "$iters; L0 ns = host time inside rvnest's callbacks (l0_ns), total ns = nested ticks per op x 100 ns."
echo "direct t/op: the op executed by L1 itself in real HS on native H (no trap; one run, for context)."

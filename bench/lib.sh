# Shared by the benchmark scripts; source it after scripts/env.sh.

# The median of the numbers on stdin, one per line ("nan" when there are none).
median() { sort -g | awk '{a[NR]=$1} END {if (!NR) print "nan"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# timed_run MODE OUT STATS ARGS...: runs the guest (rvnest run ARGS) on
# native H (MODE native) or under rvnest with its stats JSON in STATS, the
# output in OUT; prints the wall seconds. The caller checks OUT.
timed_run() {
    local mode=$1 out=$2 stats=$3 s e
    shift 3
    s=$(date +%s.%N)
    if [ "$mode" = native ]; then "$REPO/rvnest" run --native "$@" >"$out" 2>&1
    else "$REPO/rvnest" run "$@" --quiet --stats "$stats" >"$out" 2>&1; fi
    e=$(date +%s.%N)
    echo "$e - $s" | bc -l
}

# print_exits STATS: L0's exits by reason, those that happened.
print_exits() {
    echo "L0 exits in the last rvnest run (by reason):"
    stats_flat "$1" | awk '$2 != 0 {sub(/^(exits|l2_exits)\./, "", $1); printf "  %-22s %s\n", $1, $2}'
}

# stats_flat STATS: the numeric keys of a stats JSON as "key value" lines,
# nested objects flattened as outer.inner (e.g. exits.csr), in file order;
# arrays (the per-hart totals) left out: the sums are there.
stats_flat() {
    sed 's/[][{},]/\n&\n/g' "$1" | awk '
        { gsub(/^[ \t\r]+|[ \t\r]+$/, "") }
        $0 == "" || $0 == "," { next }
        $0 == "{" || $0 == "[" { stack[++d] = pend; pend = ""; arr[d] = $0 == "[" || arr[d - 1]; next }
        $0 == "}" || $0 == "]" { d--; next }
        arr[d] { next }
        /^"[^"]*"[ \t]*:/ {
            k = $0; sub(/^"/, "", k); sub(/".*/, "", k)
            v = $0; sub(/^"[^"]*"[ \t]*:[ \t]*/, "", v)
            if (v == "") { pend = k; next }
            if (v ~ /^-?[0-9][0-9.eE+-]*$/) {
                p = ""
                for (i = 2; i <= d; i++) p = p stack[i] "."
                print p k, v
            }
        }'
}

# kernel_args ARGS...: takes "--kernel 6.12|7.2", "--l2-kernel 6.12|7.2" and
# "--nacl on|off" out of ARGS (the rest into the array rest) and exports
# them as RVNEST_KERNEL (default: its value, else 6.12), RVNEST_L2_KERNEL
# (default: its value, else L1's) and RVNEST_NACL (default: its value, else
# unset: the plugin's default) for tests/kvm/lib.sh and rvnest run; kernel_set
# is 1 when one of them was given. A bad value: one line, exit 2. Sets
# bench_usage, the options' part of a usage line.
# shellcheck disable=SC2034 # rest, kernel_set and bench_usage are for the caller
kernel_args() {
    local k=${RVNEST_KERNEL:-6.12} l2k=${RVNEST_L2_KERNEL:-} nacl=${RVNEST_NACL:-}
    rest=() kernel_set=0
    bench_usage=" [--kernel 6.12|7.2] [--l2-kernel 6.12|7.2] [--nacl on|off]"
    while [ $# -gt 0 ]; do
        case "$1" in
            --kernel|--l2-kernel|--nacl)
                [ $# -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
                case "$1" in --kernel) k=$2 ;; --l2-kernel) l2k=$2 ;; --nacl) nacl=$2 ;; esac
                kernel_set=1; shift 2 ;;
            *) rest+=("$1"); shift ;;
        esac
    done
    rvnest_kernel_dir "$k" "--kernel/RVNEST_KERNEL" >/dev/null || exit 2
    rvnest_kernel_dir "${l2k:-$k}" "--l2-kernel/RVNEST_L2_KERNEL" >/dev/null || exit 2
    [ -z "$nacl" ] || rvnest_nacl_ok "$nacl" "--nacl/RVNEST_NACL" || exit 2
    export RVNEST_KERNEL=$k RVNEST_L2_KERNEL=${l2k:-$k}
    if [ -n "$nacl" ]; then export RVNEST_NACL=$nacl; else unset RVNEST_NACL; fi
}

# pairs_smp NAME ARGS...: "[PAIRS] [--smp N]" into pairs (default 5) and
# smp (default 1, at most 8); bad input: the usage line and exit 2.
pairs_smp() {
    local name=$1
    shift
    pairs=5 smp=1
    while [ $# -gt 0 ]; do
        case "$1" in
            --smp) smp=${2:?--smp needs a number}; shift 2 ;;
            *) pairs=$1; shift ;;
        esac
    done
    [[ "$pairs" =~ ^[1-9][0-9]*$ && "$smp" =~ ^[1-8]$ ]] || { echo "usage: bench/$name [PAIRS] [--smp 1-8]${bench_usage:-}" >&2; exit 2; }
}

# micro_args NAME ALL_OPS ITERS ARGS...: "[-n ITERS] [-o OPS] [PAIRS]" into
# iters (default ITERS), ops (default ALL_OPS, each one of them) and pairs
# (default 5); then the bare-metal program PROG.elf (NAME's) must exist.
micro_args() {
    local name=$1 usage_line="usage: bench/$1 [-n ITERS] [-o OPS] [PAIRS]${bench_usage:-}" op
    all_ops=$2 iters=$3 ops=$2 pairs=5
    shift 3
    while [ $# -gt 0 ]; do
        case "$1" in
            -n) iters=${2:-}; shift 2 || { echo "$usage_line" >&2; exit 2; } ;;
            -o) ops=${2:-}; shift 2 || { echo "$usage_line" >&2; exit 2; } ;;
            -h|--help) echo "$usage_line" >&2; exit 2 ;;
            *) pairs=$1; shift ;;
        esac
    done
    [[ "$pairs" =~ ^[1-9][0-9]*$ ]] && [[ "$iters" =~ ^[1-9][0-9]*$ ]] || { echo "$usage_line" >&2; exit 2; }
    for op in ${ops//,/ }; do
        [[ ",$all_ops," == *",$op,"* ]] || { echo "bench: unknown op '$op' (ops: $all_ops)" >&2; exit 2; }
    done
}

# bench_elf PROG: the path of bench program PROG, or exit 1 saying how to build it
bench_elf() {
    local elf=$RVNEST_BM/$1.elf
    [ -f "$elf" ] || { echo "bench: $elf not found; run ./rvnest setup (or make -C tests/guest/baremetal OUT=\$RVNEST_BM)" >&2; exit 1; }
    echo "$elf"
}

# kvm_bench_setup NAME: for the KVM-in-L1 benchmarks (after sourcing
# tests/kvm/lib.sh): both modes' prerequisites, a temporary directory in
# $tmp (removed at exit) and the KVM images built; a failure is one line
# naming the benchmark.
kvm_bench_setup() {
    local name=$1 m why
    for m in native nested; do
        why=$(RVNEST_MODE=$m kvm_prereqs) || { echo "$name: $why" >&2; exit 1; }
    done
    tmp=$(mktemp -d)
    # shellcheck disable=SC2064 # $tmp is expanded now, on purpose
    trap "rm -rf '$tmp'" EXIT
    "$REPO/tests/kvm/build.sh" >"$tmp/build.log" 2>&1 \
        || { tail -5 "$tmp/build.log" >&2; echo "$name: tests/kvm/build.sh failed" >&2; exit 1; }
}

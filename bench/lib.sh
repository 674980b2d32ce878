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

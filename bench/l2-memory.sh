#!/usr/bin/env bash
# Benchmark: L2 memory and exit-heavy workloads through KVM in L1, nested
# against single-level. The scenario is tests/kvm's (tests/kvm/lib.sh
# run_l1): L1 Linux loads kvm.ko and runs rvnest-vmm, which boots L2 Linux;
# L2's init runs one workload of tests/kvm/l2-memwork.c (rvnest_work=) and
# powers off.
#   single-level: L1 in QEMU's real HS (RVNEST_MODE=native), KVM on real H
#   nested:       L1 under rvnest (RVNEST_MODE=nested), L0 runs L2
# Workloads (-w, default all):
#   touch           touch 512 MiB of fresh anonymous memory, a word per 4 KiB
#                   page (L2 page faults; L1's G-stage faults, L1 allocating)
#   dirty           write a word per page of 64 MiB, 8 times, while the VMM
#                   collects KVM's dirty log every 50 ms (KVM_GET_DIRTY_LOG +
#                   KVM_CLEAR_DIRTY_LOG: write-protection faults, fences); the
#                   guest starts the collector (a first look at once) before
#                   its writes and stops it after. The RAM slot logs from the
#                   VM's creation (rvnest-vmm --dirty-log 0): Linux 7.2's KVM
#                   livelocks the vCPU when logging is turned on for a slot
#                   whose memory L1 backs with transparent huge pages (it
#                   maps them as 2 MiB G-stage blocks and never splits them
#                   on the write faults; single-level as much as nested)
#   churn           50 times: mmap 4 MiB, touch it, munmap; fork, exit, wait
#   mmio            20000 4-byte writes to the VMM's bench device (each one a
#                   KVM_EXIT_MMIO to rvnest-vmm in L1's user space)
#   mmio-coalesced  20000 writes to its coalesced page (KVM queues them in
#                   the coalesced MMIO ring; each still a G-stage fault in L1)
# Each workload runs in its own L1+L2 boot (a fresh L2: no workload runs on
# memory another one already faulted in), native then nested, PAIRS times
# (default 3). The time compared is the workload's elapsed time measured
# in L2 (clock_gettime(CLOCK_MONOTONIC) around its loop: L2's time, the
# hart's timer through KVM's htimedelta); median over the pairs.
# L0's figures per operation: the last nested run of the workload's L0
# stats (rvnest run --stats) minus those of one nested boot whose L2 runs
# no workload (same L1, L2, VMM options; run first), divided by the workload's
# operations (pages touched, pages written, iterations, writes): what the
# workload cost L0 beyond booting and powering off L1 and L2 (the L2 timer
# ticks during the workload included). After a nested run of a workload
# fails, its remaining pairs run single-level only. It prints figures; it
# asserts nothing about time.
#
# Usage: bench/l2-memory.sh [PAIRS] [--smp N] [-w WORKLOADS] [--kernel 6.12|7.2]
#                           [--l2-kernel 6.12|7.2] [--nacl on|off]
#   PAIRS: default 3; --smp N: L1 with N harts running an L2 with N vCPUs
#   (the workloads themselves are single-threaded); -w: comma-separated
#   subset of touch,dirty,churn,mmio,mmio-coalesced; --kernel, --l2-kernel,
#   --nacl: as bench/l2-boot-ratio.sh
# Environment: RVNEST_L1_MEM (default 2G), RVNEST_L2MEM_L2_MEM (L2's RAM,
#   default 768M), RVNEST_L2MEM_TOUCH_MIB (512), RVNEST_L2MEM_DIRTY
#   ("64,8,50": MiB, iterations, collector period in ms), RVNEST_L2MEM_CHURN
#   (50), RVNEST_L2MEM_MMIO (20000: both mmio workloads), RVNEST_L1_TIMEOUT
#   (a single-level run, default 1200 s), RVNEST_L2MEM_NESTED_TIMEOUT (a
#   nested run, default 3600 s).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
. "$REPO/bench/lib.sh"
kernel_args "$@"
all_workloads=touch,dirty,churn,mmio,mmio-coalesced
workloads=$all_workloads args=()
set -- ${rest[@]+"${rest[@]}"}
while [ $# -gt 0 ]; do
    case "$1" in
        -w) [ $# -ge 2 ] || { echo "bench: -w needs a list of workloads ($all_workloads)" >&2; exit 2; }
            workloads=$2; shift 2 ;;
        -h|--help) echo "usage: bench/l2-memory.sh [PAIRS] [--smp 1-8] [-w WORKLOADS]$bench_usage" >&2; exit 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
for w in ${workloads//,/ }; do
    [[ ",$all_workloads," == *",$w,"* ]] || { echo "bench: unknown workload '$w' (workloads: $all_workloads)" >&2; exit 2; }
done
[ -n "${workloads//,/}" ] || { echo "bench: -w needs at least one workload ($all_workloads)" >&2; exit 2; }
bench_usage=" [-w WORKLOADS]$bench_usage"
# (pairs_smp's default is 5; this benchmark's 3, given first: a PAIRS argument wins)
pairs_smp l2-memory.sh 3 ${args[@]+"${args[@]}"}
# shellcheck source=tests/kvm/lib.sh
. "$REPO/tests/kvm/lib.sh"
export L1_SMP=$smp
L1_MEM=${RVNEST_L1_MEM:-2G}
l2_mem=${RVNEST_L2MEM_L2_MEM:-768M}
touch_mib=${RVNEST_L2MEM_TOUCH_MIB:-512} dirty=${RVNEST_L2MEM_DIRTY:-64,8,50}
churn=${RVNEST_L2MEM_CHURN:-50} mmio=${RVNEST_L2MEM_MMIO:-20000}
[[ "$touch_mib" =~ ^[1-9][0-9]*$ && "$dirty" =~ ^[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*$ &&
   "$churn" =~ ^[1-9][0-9]*$ && "$mmio" =~ ^[1-9][0-9]*$ && "$l2_mem" =~ ^[1-9][0-9]*[MG]$ ]] \
    || { echo "bench: bad RVNEST_L2MEM_* setting (numbers; RVNEST_L2MEM_DIRTY is MIB,ITERS,MS)" >&2; exit 2; }
native_to=${RVNEST_L1_TIMEOUT:-1200} nested_to=${RVNEST_L2MEM_NESTED_TIMEOUT:-3600}
kvm_bench_setup l2-memory

# work_line WORKLOAD: its l2-memwork mode line (commas between words)
work_line() {
    case "$1" in
        touch) echo "touch,$touch_mib" ;;
        dirty) echo "dirty,$dirty" ;;
        churn) echo "churn,$churn" ;;
        mmio) echo "mmio,$mmio" ;;
        mmio-coalesced) echo "mmio-coalesced,$mmio" ;;
        nop|nop-dl) echo nop ;;
    esac
}
# dirty_vm WORKLOAD: whether its VM logs dirty pages from its creation
dirty_vm() { [ "$1" = dirty ] || [ "$1" = nop-dl ]; }
# run MODE WORKLOAD LOG: one L1 run (nested: L0 stats in LOG.json); fails
# unless L2 printed the workload's result line and L1 passed
run() {
    local mode=$1 w=$2 log=$3 to=$native_to runx="" rc append
    [ "$mode" = native ] || { to=$nested_to; runx="--quiet --stats $log.json"; rm -f "$log.json"; }
    append="quiet rvnest_checks=0 rvnest_l2_mem=$l2_mem rvnest_l2_timeout=$to"
    append+=" rvnest_l2_append=\"console=ttyS0 quiet panic=-1 rvnest_work=$(work_line "$w")\""
    local vmm_args=""
    [ "$smp" = 1 ] || vmm_args+=" --cpus $smp"
    ! dirty_vm "$w" || vmm_args+=" --dirty-log 0"
    [ -z "$vmm_args" ] || append+=" rvnest_vmm_args=\"${vmm_args# }\""
    L1_TIMEOUT=$to RVNEST_MODE=$mode RVNEST_RUN_EXTRA=$runx run_l1 "$append" >"$log.raw" 2>&1
    rc=$?
    tr -d '\r' <"$log.raw" >"$log" && rm -f "$log.raw"
    echo "$rc" >"$log.rc"
    [ "$rc" = 0 ] && grep -q '^RVNEST-L1: PASS' "$log" && grep -q "^RVNEST-L2: work $(work_line "$w" | cut -d, -f1) .*ms=" "$log" \
        && ! grep -q "^RVNEST-L2: work .*FAIL\|^RVNEST-L2: work .* failed" "$log"
}
# reason LOG: why a run failed, one line
reason() {
    local rc l
    rc=$(cat "$1.rc" 2>/dev/null || echo '?')
    case "$rc" in 124|137) echo "timed out (QEMU status $rc)"; return ;; esac
    l=$(grep -m1 'rvnest: fatal:' "$1") \
        || l=$(grep -m1 -e '^RVNEST-L2: work .*FAIL' -e '^RVNEST-L2: work .* failed' "$1") \
        || l=$(grep '^rvnest-vmm: ' "$1" | grep -m1 -v -e 'boot-to-poweroff:' -e 'exits:' -e 'kvm-stats:' -e 'bench:' -e 'dirty-log: collector') \
        || l=$(grep -m1 -e 'Kernel panic' -e 'RVNEST-L1: FAIL' "$1") \
        || l=$(grep -v '^$' "$1" | tail -1)
    echo "QEMU status $rc: $l"
}
# field LOG KEY: KEY=value of the workload's result line
field() { sed -n "s/^RVNEST-L2: work [a-z-]* .*\\<$2=\\([0-9.]*\\).*/\\1/p" "$1" | head -1; }
# ops WORKLOAD LOG: the workload's operations, and what they are
ops() {
    case "$1" in
        touch) echo "$(field "$2" pages) pages touched" ;;
        dirty) echo "$(( $(field "$2" pages) * $(field "$2" iters) )) page writes" ;;
        churn) echo "$(field "$2" n) iterations" ;;
        mmio|mmio-coalesced) echo "$(field "$2" n) writes" ;;
    esac
}

echo "L2 memory and exit workloads through KVM in L1 (L1 Debian $(cat "$L1_KERNEL_DIR/kernel-version"), L2 Debian $(cat "$L2_KERNEL_DIR/kernel-version")),"
echo "nested (L1 under rvnest, nacl=${RVNEST_NACL:-default}) / single-level (L1 in QEMU's real HS); L1 $L1_MEM, $smp hart(s); L2 $l2_mem, $smp vCPU(s); $pairs pair(s)"
echo "workloads: $(for w in ${workloads//,/ }; do printf '%s ' "$w=$(work_line "$w")"; done)"
echo "each workload in its own L1+L2 boot, single-level then nested; time: the workload's elapsed ms measured in L2"
echo

# 1. The baselines: a nested boot whose L2 runs no workload (and one whose
#    VM logs dirty pages from its creation, as the dirty workload's does).
bases=nop
[[ ",$workloads," != *,dirty,* ]] || bases+=" nop-dl"
for b in $bases; do
    base=$tmp/$b.log
    what="baseline nested boot (L2 runs no workload$([ "$b" = nop ] || echo "; rvnest-vmm --dirty-log 0, for dirty"))"
    if run nested "$b" "$base" && [ -s "$base.json" ]; then
        stats_flat "$base.json" | sort >"$tmp/$b.kv"
        echo "$what: ok, $(awk '$1=="l2_entries"{e=$2} $1=="exits_total"{x=$2} $1=="l2_exits_total"{y=$2} END{printf "%d L1 exits, %d L2 exits, %d L2 entries", x, y, e}' "$tmp/$b.kv")"
    else
        echo "$what failed ($(reason "$base")): no L0 figures per operation$([ "$b" = nop ] || echo " for dirty")"
    fi
done
# base_kv WORKLOAD: the baseline's stats of the workload
base_kv() { if dirty_vm "$1"; then echo "$tmp/nop-dl.kv"; else echo "$tmp/nop.kv"; fi; }

# 2. The pairs.
declare -A nested_on
for w in ${workloads//,/ }; do nested_on[$w]=1; done
for i in $(seq 1 "$pairs"); do
    for w in ${workloads//,/ }; do
        log=$tmp/$w-native.log
        if ! run native "$w" "$log"; then
            echo "  pair $i: $w: single-level run failed ($(reason "$log")); last lines:" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        nm=$(field "$log" ms)
        echo "$nm" >>"$tmp/$w-native-ms"
        ops "$w" "$log" >"$tmp/$w-ops"
        line=$(printf '  pair %d: %-15s single-level %9.1f ms' "$i" "$w" "$nm")
        if [ "${nested_on[$w]}" = 0 ]; then
            echo "$line; nested not run (failed before)"
            continue
        fi
        log=$tmp/$w-nested.log
        if ! run nested "$w" "$log"; then
            echo "$line; nested run failed: $(reason "$log")"
            nested_on[$w]=0
            cp "$log" "$tmp/$w-nested-failed.log"
            continue
        fi
        xm=$(field "$log" ms)
        echo "$xm" >>"$tmp/$w-nested-ms"
        cp "$log.json" "$tmp/$w.json"
        grep -m1 "^RVNEST-L2: work $w " "$log" >"$tmp/$w-nested-line"
        grep -m1 "^RVNEST-L2: work $w " "$tmp/$w-native.log" >"$tmp/$w-native-line"
        echo "$line, nested $(printf '%9.1f' "$xm") ms; ratio $(echo "$xm $nm" | awk '{printf "%.2f", $1 / $2}')"
    done
done

# 3. The tables.
med() { [ -s "$1" ] && median <"$1" || echo -; }
echo
printf '%-15s %-28s %12s %12s %7s %12s %12s\n' workload operations "native ms" "nested ms" ratio "native us/op" "nested us/op"
for w in ${workloads//,/ }; do
    n=$(cut -d' ' -f1 "$tmp/$w-ops")
    nm=$(med "$tmp/$w-native-ms") xm=$(med "$tmp/$w-nested-ms")
    if [ "$xm" = - ]; then
        printf '%-15s %-28s %12.1f %12s %7s %12.2f %12s\n' "$w" "$(cat "$tmp/$w-ops")" "$nm" - - "$(echo "$nm $n" | awk '{print $1 * 1000 / $2}')" -
    else
        printf '%-15s %-28s %12.1f %12.1f %7.2f %12.2f %12.2f\n' "$w" "$(cat "$tmp/$w-ops")" "$nm" "$xm" \
            "$(echo "$xm $nm" | awk '{print $1 / $2}')" "$(echo "$nm $n" | awk '{print $1 * 1000 / $2}')" \
            "$(echo "$xm $n" | awk '{print $1 * 1000 / $2}')"
    fi
done
echo "ms: median over the pairs of the workload's time measured in L2; ratio = nested / single-level."
for w in ${workloads//,/ }; do
    [ -s "$tmp/$w-nested-line" ] && sed "s/^RVNEST-L2: work /  last results: /" "$tmp/$w-native-line" "$tmp/$w-nested-line"
done
for w in ${workloads//,/ }; do
    [ -f "$tmp/$w-nested-failed.log" ] || continue
    echo "  $w: the failed nested run's last lines:"
    grep -v '^$' "$tmp/$w-nested-failed.log" | tail -n 8 | sed 's/^/    /'
done

echo
echo "L0 per operation, nested: (the workload's nested run) - (a nested boot running no workload), / operations"
printf '%-15s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %8s\n' workload "L0 exits" "L1 exits" "L2 exits" "fwd to L1" \
    "L2 entry" "L0/entry" fills invals emptied replays reclaims
for w in ${workloads//,/ }; do
    if [ ! -s "$tmp/$w.json" ] || [ ! -s "$(base_kv "$w")" ]; then
        printf '%-15s %s\n' "$w" "no successful nested run$([ -s "$(base_kv "$w")" ] || echo " of its baseline")"
        continue
    fi
    n=$(cut -d' ' -f1 "$tmp/$w-ops")
    stats_flat "$tmp/$w.json" | sort >"$tmp/$w.kv"
    join "$(base_kv "$w")" "$tmp/$w.kv" | awk -v n="$n" -v w="$w" '
        { d[$1] = $3 - $2 }
        END {
            fwd = d["l2_exits.guest_page_fault"] + d["l2_exits.virtual_insn"] + d["l2_exits.ecall"] + d["l2_exits.exception"] + d["l2_exits.irq"]
            all = d["exits_total"] + d["l2_exits_total"]
            printf "%-15s %9.3f %9.3f %9.3f %9.3f %9.3f %9.2f %9.3f %9.3f %9.4f %9.3f %8d\n", w, all / n, d["exits_total"] / n,
                d["l2_exits_total"] / n, fwd / n, d["l2_entries"] / n, d["l2_entries"] ? all / d["l2_entries"] : 0,
                d["shadow_fills"] / n, d["shadow_invalidations"] / n, d["shadow_drops"] / n, d["shadow_replays"] / n,
                d["shadow_reclaims"]
        }'
done
echo "L0 exits = L1 exits (L0 exits while L1 runs: its trapped H CSR accesses, sret, HFENCEs, SBI calls) + L2 exits"
echo "(while L2 runs: shadow fills handled in L0, and the exits forwarded to L1); L2 entry: world switches into L2;"
echo "L0/entry: L0 exits per L2 entry; fills, invals: shadow G-stage leaves filled, invalidations (L1's fences);"
echo "emptied: shadow contexts dropped whole; replays: leaves made again after a local fence; reclaims: pool"
echo "exhausted, every shadow dropped (a count, not per op). Differences of two boots: a figure near 0 can come"
echo "out slightly negative, and the host time (l0_ns) varies from boot to boot by more than a small workload's share."
echo
echo "L0 exits by reason per operation (non-zero; L2 ...: while L2 runs; nacl.*: SBI nested acceleration events, not"
echo "exits: sync_sret is the world switch of a NACL client, KVM >= 6.13), and host time in L0 per operation:"
for w in ${workloads//,/ }; do
    [ -s "$tmp/$w.kv" ] || continue
    n=$(cut -d' ' -f1 "$tmp/$w-ops")
    join "$(base_kv "$w")" "$tmp/$w.kv" | awk -v n="$n" -v w="$w" '
        $1 ~ /^(exits|l2_exits|nacl)\./ && $3 != $2 {
            k = $1; sub(/^exits\./, "", k); sub(/^l2_exits\./, "L2 ", k)
            s = s sep sprintf("%s %.3f", k, ($3 - $2) / n); sep = ", "
        }
        $1 == "l0_ns" { ns = ($3 - $2) / n }
        END { printf "  %-15s %s; L0 host time %.1f us/op\n", w, s, ns / 1000 }'
done

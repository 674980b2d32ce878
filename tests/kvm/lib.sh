# Shared by tests/kvm/t-*.sh and bench/kvm-baseline.sh: how to boot L1 with
# the KVM images. Source after setting REPO.
# shellcheck shell=bash
# shellcheck source=scripts/env.sh
. "$REPO/scripts/env.sh"

# The kernels (scripts/env.sh): L1's RVNEST_KERNEL (default 6.12), L2's
# RVNEST_L2_KERNEL (default L1's); tests/kvm/build.sh builds their L1
# initramfs. RVNEST_NACL (on|off, unset: the plugin's default) reaches the
# plugin of every nested run through `rvnest run`.
RVNEST_KERNEL=${RVNEST_KERNEL:-6.12}
RVNEST_L2_KERNEL=${RVNEST_L2_KERNEL:-$RVNEST_KERNEL}
export RVNEST_KERNEL RVNEST_L2_KERNEL
L1_KERNEL_DIR=$(rvnest_kernel_dir "$RVNEST_KERNEL" RVNEST_KERNEL) || exit 2
L2_KERNEL_DIR=$(rvnest_kernel_dir "$RVNEST_L2_KERNEL" RVNEST_L2_KERNEL) || exit 2
[ -z "${RVNEST_NACL:-}" ] || rvnest_nacl_ok "$RVNEST_NACL" RVNEST_NACL || exit 2
L1_KERNEL=$L1_KERNEL_DIR/Image
KVM_L1_INITRD=$(rvnest_kvm_l1_initrd "$RVNEST_KERNEL" "$RVNEST_L2_KERNEL")
# kvm_config: the kernels and NACL setting of this run, for the result lines.
kvm_config() { echo "L1 Linux $RVNEST_KERNEL, L2 Linux $RVNEST_L2_KERNEL, nacl=${RVNEST_NACL:-default}"; }
# native: L1 runs in QEMU's real HS mode (-cpu rv64,h=true), no plugin.
# nested: L1 runs under rvnest (the plugin emulates H); needs ./rvnest.
RVNEST_MODE=${RVNEST_MODE:-native}
L1_TIMEOUT=${RVNEST_L1_TIMEOUT:-300}
L1_MEM=${RVNEST_L1_MEM:-1G}
# What the L2 workload (tests/kvm/l2-init.sh) must print.
# shellcheck disable=SC2034 # used by the scripts that source this file
L2_EXPECTED_MD5=$(seq 1 20000 | md5sum | cut -d' ' -f1) L2_EXPECTED_FORKS=200

# kvm_prereqs: prints a reason and returns 1 if this machine cannot run the
# scenario at all (setup never ran).
kvm_prereqs() {
    local k
    for k in "$L1_KERNEL" "$L2_KERNEL_DIR/Image"; do
        [ -f "$k" ] || { echo "no $k: scripts/setup.sh has not run"; return 1; }
    done
    [ -x "$(rvnest_qemu_prefix)/bin/qemu-system-riscv64" ] || { echo "no qemu-system-riscv64: scripts/setup.sh has not run"; return 1; }
    if [ "$RVNEST_MODE" = nested ] && [ ! -x "$REPO/rvnest" ]; then
        echo "RVNEST_MODE=nested needs the ./rvnest launcher"; return 1
    fi
}

# run_l1 APPEND: boots L1 with the L1 initramfs and kernel command line
# APPEND; console on stdout. Returns QEMU's (or timeout's) exit status.
# RVNEST_RUN_EXTRA (optional, nested only): more `rvnest run` options,
# split on spaces, e.g. "--quiet --stats /tmp/stats.json".
# L1_SMP (optional, default 1): L1's harts (QEMU's multi-threaded TCG).
run_l1() {
    local append="console=ttyS0 panic=-1 $1" extra=() smp=${L1_SMP:-1} accel=()
    read -r -a extra <<<"${RVNEST_RUN_EXTRA:-}"
    [ "$smp" = 1 ] || accel=(-accel tcg,thread=multi)
    case "$RVNEST_MODE" in
    native)
        timeout -k 10 "$L1_TIMEOUT" "$(rvnest_qemu_prefix)/bin/qemu-system-riscv64" \
            -M virt -cpu rv64,h=true -smp "$smp" ${accel[@]+"${accel[@]}"} -m "$L1_MEM" -nographic -no-reboot \
            -bios "$RVNEST_OPENSBI" -kernel "$L1_KERNEL" \
            -initrd "$KVM_L1_INITRD" -append "$append" </dev/null ;;
    nested)
        timeout -k 10 "$L1_TIMEOUT" "$REPO/rvnest" run --smp "$smp" --kernel "$L1_KERNEL" \
            --initrd "$KVM_L1_INITRD" --append "$append" --mem "$L1_MEM" \
            ${extra[@]+"${extra[@]}"} </dev/null ;;
    *)
        echo "unknown RVNEST_MODE=$RVNEST_MODE (native or nested)" >&2; return 2 ;;
    esac
}

# l2_lines LOG: the lines two runs of the L2 scenario must share: L2's own
# output and the VMM's check results (timings and exit counts differ by
# nature and are left out).
l2_lines() {
    tr -d '\r' <"$1" | grep -E '^RVNEST-L2: |^RVNEST-L1: (check |checks-failed|kvm loaded|vmm-exit|PASS|FAIL)' \
        | sed -E 's/ \(took [0-9.]+ ?s\)//'
}

# run_l2 MODE [STATS]: the single-vCPU scenario (with the VMM's bad-input
# checks); console on stdout, L0 stats (nested) in STATS. Returns run_l1's
# status.
run_l2() {
    RVNEST_MODE=$1 RVNEST_RUN_EXTRA="${2:+--stats $2}" run_l1 quiet
}

# nacl_used_ok STATS [HARTS]: with a 7.2 L1 (KVM >= 6.13 is a NACL client) and
# nacl not off, KVM entered L2 through NACL: every hart set its shared
# memory, and SYNC_SRET made at least 90% of the L2 entries; with
# nacl=off, no NACL call succeeded. Calls the caller's fail otherwise;
# prints what it found.
nacl_used_ok() {
    local st=$1 harts=${2:-1} shm sret ent
    shm=$(grep -o '"set_shmem": [0-9]*' "$st" | grep -o '[0-9]*$')
    sret=$(grep -o '"sync_sret": [0-9]*' "$st" | grep -o '[0-9]*$')
    ent=$(grep -o '"l2_entries": [0-9]*' "$st" | head -1 | grep -o '[0-9]*$')
    if [ "${RVNEST_NACL:-on}" = off ]; then
        [ "${shm:-0}" = 0 ] && [ "${sret:-0}" = 0 ] || fail "nacl=off, yet NACL calls succeeded (set_shmem $shm, sync_sret $sret)"
        echo "NACL: off, not used (0 set_shmem, 0 sync_sret; $ent L2 entries through trapped sret)"
    elif [ "$RVNEST_KERNEL" = 7.2 ]; then
        [ "${shm:-0}" -ge "$harts" ] || fail "KVM in the 7.2 L1 set no NACL shared memory on every hart (set_shmem ${shm:-0})"
        [ "$((${sret:-0} * 10))" -ge "$((ent * 9))" ] || fail "KVM entered L2 $ent times but only ${sret:-0} through NACL SYNC_SRET"
        echo "NACL: used by KVM: $shm set_shmem, $sret of $ent L2 entries through SYNC_SRET"
    fi
}

# timed_run LOG CMD...: runs CMD with its console, CRs removed, in LOG; sets
# rc (its status) and secs (its wall time, one decimal).
timed_run() {
    local log=$1 start
    shift
    start=$(date +%s.%N)
    "$@" > "$log.raw" 2>&1
    rc=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    tr -d '\r' < "$log.raw" > "$log"
    rm -f "$log.raw"
}

# l2_run_ok WHAT LOG RC: what every run of an L2 scenario shows: QEMU
# finished in time and exited 0, L1 loaded KVM, L2 ran its workload to the
# end with the expected results, L1 reported PASS. Calls the caller's fail
# with WHAT and the first that does not hold.
l2_run_ok() {
    local what=$1 log=$2 rc=$3
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && fail "$what: L1 did not finish within ${L1_TIMEOUT}s"
    [ "$rc" = 0 ] || fail "$what: QEMU exited with status $rc"
    grep -qF "RVNEST-L1: kvm loaded" "$log" || fail "$what: L1 did not load KVM"
    grep -qF "RVNEST-L2: md5=$L2_EXPECTED_MD5" "$log" || fail "$what: L2 workload: wrong or missing md5 (want $L2_EXPECTED_MD5)"
    grep -qF "RVNEST-L2: forks=$L2_EXPECTED_FORKS" "$log" || fail "$what: L2 workload: wrong or missing fork count"
    grep -qF "RVNEST-L2: done" "$log" || fail "$what: L2 did not finish its workload"
    grep -qF "RVNEST-L1: PASS" "$log" || fail "$what: L1 did not report PASS"
}

# run_l2_smp MODE [STATS]: the SMP scenario, L1 with 2 harts running a
# 2-vCPU L2 (no bad-input checks); console on stdout, L0 stats (nested) in
# STATS. Returns run_l1's status.
run_l2_smp() {
    L1_SMP=2 RVNEST_MODE=$1 RVNEST_RUN_EXTRA="${2:+--stats $2}" \
        run_l1 'quiet rvnest_checks=0 rvnest_vmm_args="--cpus 2"'
}

# fail_with_logs DIR MESSAGE: FAIL, then the tail of DIR/native.log and
# DIR/nested.log (those that exist); exits 1.
fail_with_logs() {
    echo "FAIL: $2"
    for m in native nested; do
        [ -f "$1/$m.log" ] || continue
        echo "--- last lines of the L1 console ($m) ---"
        tail -n 30 "$1/$m.log"
    done
    exit 1
}

# build_kvm_images DIR: tests/kvm/build.sh (log in DIR/build.log), or fail.
build_kvm_images() {
    "$REPO/tests/kvm/build.sh" >"$1/build.log" 2>&1 \
        || { tail -n 5 "$1/build.log"; fail_with_logs "$1" "tests/kvm/build.sh failed"; }
}

# Shared by tests/kvm/t-*.sh and bench/kvm-baseline.sh: how to boot L1 with
# the KVM images. Source after setting REPO.
# shellcheck shell=bash
# shellcheck source=scripts/env.sh
. "$REPO/scripts/env.sh"

KVM_IMAGES=$RVNEST_IMAGES/kvm
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
    [ -f "$RVNEST_IMAGES/Image" ] || { echo "no $RVNEST_IMAGES/Image: scripts/setup.sh has not run"; return 1; }
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
            -bios "$RVNEST_OPENSBI" -kernel "$RVNEST_IMAGES/Image" \
            -initrd "$KVM_IMAGES/l1-initramfs.cpio.gz" -append "$append" </dev/null ;;
    nested)
        timeout -k 10 "$L1_TIMEOUT" "$REPO/rvnest" run --smp "$smp" --kernel "$RVNEST_IMAGES/Image" \
            --initrd "$KVM_IMAGES/l1-initramfs.cpio.gz" --append "$append" --mem "$L1_MEM" \
            ${extra[@]+"${extra[@]}"} </dev/null ;;
    *)
        echo "unknown RVNEST_MODE=$RVNEST_MODE (native or nested)" >&2; return 2 ;;
    esac
}

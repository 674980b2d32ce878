# Sourced by rvnest's scripts: the paths everything agrees on.
# shellcheck shell=bash
: "${REPO:?}"
RVNEST_CACHE=${RVNEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rvnest}
RVNEST_IMAGES=$RVNEST_CACHE/images
# bare-metal L1 programs (a worktree may build its own elsewhere)
RVNEST_BM=${RVNEST_BM:-$RVNEST_IMAGES/baremetal}
RVNEST_RISCV64_ROOT=$RVNEST_CACHE/riscv64/root
RVNEST_BUILD=${RVNEST_BUILD:-$REPO/build}
RVNEST_OPENSBI=${RVNEST_OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
rvnest_qemu_prefix() {
    if [ -n "${RVNEST_QEMU_PREFIX:-}" ]; then echo "$RVNEST_QEMU_PREFIX"
    elif [ -f "$RVNEST_CACHE/qemu-prefix" ]; then cat "$RVNEST_CACHE/qemu-prefix"
    else echo /usr; fi
}
# The default L1 command line. QEMU's virt board also offers a syscon
# power-off device, which Linux prefers; keeping its driver out makes L1
# power off through SBI SRST, the path an L0 must provide.
RVNEST_L1_APPEND=${RVNEST_L1_APPEND:-console=ttyS0 quiet initcall_blacklist=syscon_poweroff_driver_init}
# The Linux kernels setup fetches for L1 and L2, Debian's riscv64 builds:
# 6.12 (trixie) in $RVNEST_IMAGES itself, 7.2 (sid) in $RVNEST_IMAGES/7.2;
# each directory holds Image, kvm.ko and kernel-version. RVNEST_KERNEL
# chooses L1's (the tests' default 6.12, the demo's 7.2), RVNEST_L2_KERNEL
# L2's (default: L1's); RVNEST_NACL=on|off is the plugin's nacl= for every
# `rvnest run` under rvnest (unset: the plugin's default).
RVNEST_KERNELS="6.12 7.2"
# rvnest_kernel_dir VERSION [KNOB]: that kernel's directory; an unknown
# VERSION is a one-line error on stderr naming KNOB, status 1.
rvnest_kernel_dir() {
    case "$1" in
        6.12) echo "$RVNEST_IMAGES" ;;
        7.2) echo "$RVNEST_IMAGES/7.2" ;;
        *) echo "rvnest: unknown kernel '$1'${2:+ for $2}: 6.12 or 7.2" >&2; return 1 ;;
    esac
}
# rvnest_kvm_l1_initrd L1 L2: the L1 initramfs of the KVM scenario
# (tests/kvm/build.sh) for L1 kernel L1 and L2 kernel L2, one per pair
# (6.12 with 6.12 where it always was).
rvnest_kvm_l1_initrd() {
    if [ "$1" = 6.12 ] && [ "$2" = 6.12 ]; then echo "$RVNEST_IMAGES/kvm/l1-initramfs.cpio.gz"
    else echo "$RVNEST_IMAGES/kvm/l1-$1-l2-$2/l1-initramfs.cpio.gz"; fi
}
# rvnest_nacl_ok VALUE [KNOB]: VALUE is on or off, else a one-line error
# naming KNOB, status 1.
rvnest_nacl_ok() {
    case "$1" in
        on|off) ;;
        *) echo "rvnest: ${2:-nacl} '$1' must be on or off" >&2; return 1 ;;
    esac
}
export RVNEST_KERNELS RVNEST_BM RVNEST_L1_APPEND RVNEST_CACHE RVNEST_IMAGES RVNEST_RISCV64_ROOT RVNEST_BUILD RVNEST_OPENSBI

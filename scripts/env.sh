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
export RVNEST_BM RVNEST_L1_APPEND RVNEST_CACHE RVNEST_IMAGES RVNEST_RISCV64_ROOT RVNEST_BUILD RVNEST_OPENSBI

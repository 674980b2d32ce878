# Sourced by rvnest's scripts: the paths everything agrees on.
# shellcheck shell=bash
: "${REPO:?}"
RVNEST_CACHE=${RVNEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rvnest}
RVNEST_IMAGES=$RVNEST_CACHE/images
RVNEST_RISCV64_ROOT=$RVNEST_CACHE/riscv64/root
RVNEST_BUILD=${RVNEST_BUILD:-$REPO/build}
RVNEST_OPENSBI=${RVNEST_OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
rvnest_qemu_prefix() {
    if [ -n "${RVNEST_QEMU_PREFIX:-}" ]; then echo "$RVNEST_QEMU_PREFIX"
    elif [ -f "$RVNEST_CACHE/qemu-prefix" ]; then cat "$RVNEST_CACHE/qemu-prefix"
    else echo /usr; fi
}
export RVNEST_CACHE RVNEST_IMAGES RVNEST_RISCV64_ROOT RVNEST_BUILD RVNEST_OPENSBI

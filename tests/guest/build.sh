#!/usr/bin/env bash
# Builds the guest programs and images the demo and the tests use, into
# $RVNEST_IMAGES. Idempotent: each output is rebuilt only when older than
# its inputs.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$REPO/scripts/env.sh"
. "$REPO/scripts/initramfs.sh"
mkdir -p "$RVNEST_IMAGES"
busybox=$RVNEST_RISCV64_ROOT/usr/bin/busybox
[ -x "$busybox" ] || busybox=$RVNEST_RISCV64_ROOT/bin/busybox
[ -f "$busybox" ] || { echo "rvnest: busybox-static riscv64 missing; run scripts/setup.sh" >&2; exit 1; }

# The L1 Linux test initramfs images: busybox, an init, maybe kvm.ko.
build_initramfs() { # output init [extra file...]
    local out=$1 init=$2 newest=$2 f
    shift 2
    for f in "$busybox" "$@"; do [ "$f" -nt "$newest" ] && newest=$f; done
    [ -f "$out" ] && [ "$out" -nt "$newest" ] && return 0
    echo "    building $(basename "$out")"
    local stage
    stage=$(mktemp -d)
    mkdir -p "$stage"/{bin,sbin,proc,sys,dev,tmp,etc}
    cp "$busybox" "$stage/bin/busybox"
    cp "$init" "$stage/init"
    chmod +x "$stage/init"
    for f in "$@"; do cp "$f" "$stage/"; done
    pack_initramfs "$stage" "$out"
    rm -rf "$stage"
}
build_initramfs "$RVNEST_IMAGES/l1-test.cpio.gz" "$REPO/tests/guest/linux/init"
# one kvm-init image per kernel setup fetched, beside its kvm.ko
for k in $RVNEST_KERNELS; do
    kdir=$(rvnest_kernel_dir "$k")
    [ -f "$kdir/kvm.ko" ] || continue
    build_initramfs "$kdir/l1-kvm-init.cpio.gz" "$REPO/tests/guest/linux/init-kvm" "$kdir/kvm.ko"
done

# The bare-metal L1 programs.
make -s -C "$REPO/tests/guest/baremetal" OUT="$RVNEST_BM"

# The KVM VMM and its images (issue 3), when present.
if [ -x "$REPO/tests/kvm/build.sh" ]; then
    "$REPO/tests/kvm/build.sh"
fi

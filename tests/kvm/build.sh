#!/usr/bin/env bash
# Builds the KVM-in-guest pieces into $RVNEST_IMAGES/kvm/:
#   rvnest-vmm            static riscv64 VMM (vmm/*.c + Debian's riscv64 libfdt.a)
#   l2-memwork            static riscv64 L2 workload program (tests/kvm/l2-memwork.c)
#   l2-initramfs.cpio.gz  busybox + l2-memwork + deterministic workload + poweroff
#   l1-initramfs.cpio.gz  busybox + kvm.ko + rvnest-vmm + L2 kernel/initramfs + init
# for L1 kernel RVNEST_KERNEL (6.12 or 7.2, default 6.12: its kvm.ko) and L2
# kernel RVNEST_L2_KERNEL (default L1's), one L1 initramfs per pair:
# kvm/l1-initramfs.cpio.gz for 6.12 with 6.12, else
# kvm/l1-<L1>-l2-<L2>/l1-initramfs.cpio.gz (scripts/env.sh rvnest_kvm_l1_initrd).
# Idempotent: each output is rebuilt only when one of its inputs is newer.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/env.sh
. "$REPO/scripts/env.sh"
. "$REPO/scripts/initramfs.sh"

OUT=$RVNEST_IMAGES/kvm
ROOT=$RVNEST_RISCV64_ROOT
CC=${RVNEST_RISCV64_CC:-riscv64-linux-gnu-gcc}
HERE=$REPO/tests/kvm

die()  { printf 'tests/kvm/build.sh: error: %s\n' "$*" >&2; exit 1; }
info() { printf '    %s\n' "$*"; }
# up_to_date OUT IN...: OUT exists and is newer than every IN
up_to_date() {
    local out=$1 f; shift
    [ -e "$out" ] || return 1
    for f in "$@"; do [ "$out" -nt "$f" ] || return 1; done
}

# ------------------------------------------------------------------ inputs
command -v "$CC" >/dev/null || die "$CC not found (Debian package gcc-riscv64-linux-gnu; run scripts/setup.sh)"
[ -f /usr/riscv64-linux-gnu/lib/libc.a ] \
    || die "no static riscv64 libc: install Debian package libc6-dev-riscv64-cross"
KVM_ASM=$ROOT/usr/include/riscv64-linux-gnu/asm/kvm.h
{ [ -f "$ROOT/usr/include/linux/kvm.h" ] && grep -q KVM_RISCV_SBI_EXT_DBCN "$KVM_ASM" 2>/dev/null; } \
    || die "no RISC-V KVM uapi headers in $ROOT/usr/include: unpack trixie's linux-libc-dev (6.12) there (scripts/setup.sh)"
LIBFDT_A=$ROOT/usr/lib/riscv64-linux-gnu/libfdt.a
[ -f "$LIBFDT_A" ] && [ -f "$ROOT/usr/include/libfdt.h" ] \
    || die "no riscv64 libfdt.a in $ROOT (Debian package libfdt-dev:riscv64; run scripts/setup.sh)"
BUSYBOX=$ROOT/usr/bin/busybox
[ -f "$BUSYBOX" ] || BUSYBOX=$ROOT/bin/busybox
[ -f "$BUSYBOX" ] || die "no riscv64 busybox in $ROOT (Debian package busybox-static:riscv64; run scripts/setup.sh)"
L1_K=${RVNEST_KERNEL:-6.12}
L2_K=${RVNEST_L2_KERNEL:-$L1_K}
L1_DIR=$(rvnest_kernel_dir "$L1_K" RVNEST_KERNEL) || exit 1
L2_DIR=$(rvnest_kernel_dir "$L2_K" RVNEST_L2_KERNEL) || exit 1
KERNEL=$L2_DIR/Image     # L2's, in L1's initramfs
KVM_KO=$L1_DIR/kvm.ko    # L1's
[ -f "$KERNEL" ] && [ -f "$KVM_KO" ] || die "no $KERNEL or $KVM_KO: run scripts/setup.sh"
command -v cpio >/dev/null || die "cpio not found (Debian package cpio)"
mkdir -p "$OUT"

# ------------------------------------------------------------------ the VMM
VMM_SRCS=(main.c args.c bench.c loader.c fdt.c uart.c sbi.c kvm.c vm.c)
VMM=$OUT/rvnest-vmm
if ! up_to_date "$VMM" "${VMM_SRCS[@]/#/$REPO/vmm/}" "$REPO"/vmm/*.h "$LIBFDT_A" "$HERE/build.sh"; then
    info "building rvnest-vmm"
    # The 6.12 uapi headers come first so that the RISC-V KVM definitions
    # (DBCN, satp_mode, ...) are the ones the L1 kernel implements.
    "$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -static -s \
        -isystem "$ROOT/usr/include/riscv64-linux-gnu" -isystem "$ROOT/usr/include" \
        "${VMM_SRCS[@]/#/$REPO/vmm/}" "$LIBFDT_A" -lpthread -o "$VMM.$$.tmp" \
        || die "building rvnest-vmm failed (if ld crashed: the riscv64 cross libc/libgcc packages must be bookworm's, matching binutils 2.40, not trixie's)"
    mv -f "$VMM.$$.tmp" "$VMM"
fi

# ------------------------------------------------------------------ the L2 workload program
MEMWORK=$OUT/l2-memwork
if ! up_to_date "$MEMWORK" "$HERE/l2-memwork.c" "$REPO/vmm/benchdev.h" "$HERE/build.sh"; then
    info "building l2-memwork"
    "$CC" -std=c11 -D_GNU_SOURCE -O2 -g0 -Wall -Wextra -Werror -static -s -I "$REPO/vmm" \
        "$HERE/l2-memwork.c" -lpthread -o "$MEMWORK.$$.tmp" \
        || die "building l2-memwork failed"
    mv -f "$MEMWORK.$$.tmp" "$MEMWORK"
fi

# ------------------------------------------------------------------ initramfs helpers
# Busybox applets the two init scripts use (a static busybox cannot run on
# the build host to --install itself).
APPLETS="sh ash cat echo printf test [ true false seq md5sum cut head tail grep sed wc
    mount umount mkdir ls uname dmesg sleep poweroff reboot insmod lsmod date expr env
    timeout sync stty"

stage_busybox() { # STAGING
    mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
    cp "$BUSYBOX" "$1/bin/busybox"
    local a
    for a in $APPLETS; do ln -sf busybox "$1/bin/$a"; done
}

# ------------------------------------------------------------------ L2 initramfs
L2=$OUT/l2-initramfs.cpio.gz
if ! up_to_date "$L2" "$BUSYBOX" "$HERE/l2-init.sh" "$HERE/build.sh" "$MEMWORK"; then
    info "building l2-initramfs.cpio.gz"
    st=$(mktemp -d); trap 'rm -rf "$st"' EXIT
    stage_busybox "$st"
    install -m 0755 "$HERE/l2-init.sh" "$st/init"
    install -m 0755 "$MEMWORK" "$st/bin/l2-memwork"
    pack_initramfs "$st" "$L2"
    rm -rf "$st"; trap - EXIT
fi

# ------------------------------------------------------------------ bare-metal probes
# Tiny raw RV64 programs for the VMM's --kernel-format bin checks, written as
# instruction words (little endian) so that no toolchain is needed.
words_bin() { # FILE WORD...
    local f=$1 w; shift
    : > "$f"
    # shellcheck disable=SC2059 # the format is the bytes themselves
    for w in "$@"; do printf "\\x${w:6:2}\\x${w:4:2}\\x${w:2:2}\\x${w:0:2}" >> "$f"; done
}
SRST_SHUTDOWN=(535258B7 35488893 00000813 00000513 00000593 00000073 0000006F)
#   lui a7,0x53525; addi a7,a7,0x354 (a7 = SRST "SRST"); li a6,0 (system_reset);
#   li a0,0 (shutdown); li a1,0 (no reason); ecall; j .
bare_programs() { # DIR
    # UART hello: lui t0,0x10000; li t1,'A'; sb t1,0(t0); li t1,'\n'; sb t1,0(t0); SRST
    words_bin "$1/bare-hello.bin" 100002B7 04100313 00628023 00A00313 00628023 "${SRST_SHUTDOWN[@]}"
    # unmapped MMIO: lui t0,0x20000; sw zero,0(t0); j .
    words_bin "$1/bare-bad-mmio.bin" 200002B7 0002A023 0000006F
}

# ------------------------------------------------------------------ L1 initramfs
# kvm.ko plus the modules it depends on (read from its .modinfo).
kvm_modules() {
    local kver moddir dep f
    kver=$(cat "$L1_DIR/kernel-version" 2>/dev/null || true)
    # trixie's packages are unpacked in $ROOT, sid's (7.2) in riscv64/sid/root
    for moddir in {"$ROOT","$RVNEST_CACHE/riscv64/sid/root"}/{lib,usr/lib}/modules/"$kver"; do
        [ -d "$moddir" ] && break
    done
    # .modinfo is a list of NUL-terminated key=value strings
    for dep in $(tr '\0' '\n' < "$KVM_KO" | sed -n 's/^depends=//p' | head -1 | tr ',' ' '); do
        f=$(find "$moddir" -name "$dep.ko*" 2>/dev/null | head -1)
        [ -n "$f" ] || die "kvm.ko needs module $dep, not found under $moddir"
        echo "$f"
    done
}
mapfile -t DEP_MODS < <(kvm_modules)
L1=$(rvnest_kvm_l1_initrd "$L1_K" "$L2_K")
mkdir -p "$(dirname "$L1")"
if ! up_to_date "$L1" "$BUSYBOX" "$HERE/l1-init.sh" "$HERE/build.sh" "$VMM" "$L2" "$KERNEL" "$KVM_KO" "${DEP_MODS[@]}"; then
    info "building ${L1#"$OUT"/} (L1 $L1_K, L2 $L2_K)"
    st=$(mktemp -d); trap 'rm -rf "$st"' EXIT
    stage_busybox "$st"
    install -m 0755 "$HERE/l1-init.sh" "$st/init"
    mkdir -p "$st/lib/modules" "$st/guest"
    : > "$st/lib/modules/load-order"
    for m in "${DEP_MODS[@]}"; do
        b=$(basename "$m"); b=${b%.xz}; b=${b%.zst}
        case "$m" in
            *.xz) xz -dc "$m" > "$st/lib/modules/$b" ;;
            *.zst) zstd -qdc "$m" > "$st/lib/modules/$b" ;;
            *) cp "$m" "$st/lib/modules/$b" ;;
        esac
        echo "$b" >> "$st/lib/modules/load-order"
    done
    cp "$KVM_KO" "$st/lib/modules/kvm.ko"
    echo kvm.ko >> "$st/lib/modules/load-order"
    cp "$VMM" "$st/bin/rvnest-vmm"
    cp "$KERNEL" "$st/guest/Image"
    cp "$L2" "$st/guest/l2-initramfs.cpio.gz"
    bare_programs "$st/guest"
    pack_initramfs "$st" "$L1"
    rm -rf "$st"; trap - EXIT
fi

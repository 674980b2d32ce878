#!/usr/bin/env bash
# rvnest setup: installs and builds everything rvnest needs on Debian 12.
#
# Idempotent. Everything expensive is cached outside the checkout in
# $RVNEST_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/rvnest); a second run
# with a warm cache does no network access and finishes in seconds.
#
# apt rules (../shared/docs/PROVISIONING.md): bookworm-backports as a normal
# deb source (priority 100, used only with -t), sid only as deb-src, trixie
# only for riscv64 packages that are downloaded and unpacked, never installed.
# The second kernel (Linux 7.2, sid's riscv64 build) comes through an apt
# configuration of setup's own in the cache (its own sources file, lists and
# a pin forbidding every sid package): the host's apt never sees sid binaries.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/env.sh
. "$REPO/scripts/env.sh"

QEMU_VERSION=10.2.2
QEMU_DEB_VERSION=1:10.2.2+ds-1
# The second L1/L2 kernel: Debian sid's riscv64 Linux 7.2, pinned by its ABI
# name (packages linux-binary-<ABI>-riscv64, the Image, and
# linux-modules-<ABI>-riscv64, kvm.ko); the Debian revision is sid's.
SID_KERNEL_ABI=7.2.13+deb14
STEPS=7
step() { printf '==> [%s/%s] %s\n' "$1" "$STEPS" "$2"; }
info() { printf '    %s\n' "$*"; }
die()  { printf 'rvnest setup: error: %s\n' "$*" >&2; exit 1; }

SUDO=
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "run as root or install sudo"
    SUDO=sudo
fi

mkdir -p "$RVNEST_CACHE"

HOST_PKGS=(build-essential dpkg-dev xz-utils ninja-build libglib2.0-dev
    libpixman-1-dev libfdt-dev pkg-config flex bison python3-venv libslirp-dev
    gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf gcc-riscv64-linux-gnu
    libc6-dev-riscv64-cross cpio device-tree-compiler bc)
# The riscv64 cross runtime must be bookworm's (binutils 2.40 crashes linking
# against trixie's); trixie is pinned so that its arch-all packages never win.
CROSS_PKGS=(libc6-riscv64-cross libc6-dev-riscv64-cross linux-libc-dev-riscv64-cross
    libgcc-12-dev-riscv64-cross libgcc-s1-riscv64-cross libatomic1-riscv64-cross
    libasan8-riscv64-cross libgomp1-riscv64-cross gcc-12-cross-base-ports)
BPO_PKGS=(meson python3-pycotap opensbi)

pkgs_missing() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    printf '%s\n' "${missing[@]}"
}

# ---------------------------------------------------------------- 1. apt sources
step 1 "apt sources (bookworm-backports, sid deb-src, trixie riscv64 downloads)"
APT_CHANGED=0
write_source() { # file content
    if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
        printf '%s\n' "$2" | $SUDO tee "$1" >/dev/null
        APT_CHANGED=1
        info "wrote $1"
    fi
}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
write_source /etc/apt/sources.list.d/rvnest-backports.sources "Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: $KEYRING"
write_source /etc/apt/sources.list.d/rvnest-sid-src.sources "Types: deb-src
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Signed-By: $KEYRING"
write_source /etc/apt/sources.list.d/rvnest-trixie-riscv64.sources "Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Architectures: riscv64
Signed-By: $KEYRING"
# Only riscv64 guest packages come from trixie, and only by download: pin it
# below everything so that no install ever takes a package from it.
write_source /etc/apt/preferences.d/rvnest-trixie "Package: *
Pin: release n=trixie
Pin-Priority: 1"
if ! dpkg --print-foreign-architectures | grep -qx riscv64; then
    $SUDO dpkg --add-architecture riscv64
    APT_CHANGED=1
    info "added dpkg architecture riscv64"
fi
apt_updated=0
apt_update() {
    if [ "$apt_updated" = 0 ]; then
        info "apt-get update"
        $SUDO apt-get update -qq -o Acquire::Check-Valid-Until=false >/dev/null \
            || die "apt-get update failed"
        apt_updated=1
    fi
}
[ "$APT_CHANGED" = 1 ] && apt_update

# ---------------------------------------------------------------- 2. host packages
step 2 "host packages (build tools, cross compilers, OpenSBI)"
mapfile -t miss < <(pkgs_missing "${HOST_PKGS[@]}")
if [ "${#miss[@]}" -gt 0 ] && [ -n "${miss[0]}" ]; then
    apt_update
    info "installing ${miss[*]}"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${miss[@]}" >/dev/null \
        || die "apt-get install ${miss[*]} failed"
fi
mapfile -t miss < <(pkgs_missing "${BPO_PKGS[@]}")
if [ "${#miss[@]}" -gt 0 ] && [ -n "${miss[0]}" ]; then
    apt_update
    info "installing from bookworm-backports: ${miss[*]}"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        -t bookworm-backports "${miss[@]}" >/dev/null || die "apt-get install -t bookworm-backports ${miss[*]} failed"
fi
# Repair a machine where trixie's cross runtime was installed before the pin.
wrong=()
for p in "${CROSS_PKGS[@]}"; do
    inst=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
    [ -n "$inst" ] || continue
    cand=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -z "$cand" ] || [ "$cand" = "(none)" ] || [ "$inst" = "$cand" ] || wrong+=("$p=$cand")
done
if [ "${#wrong[@]}" -gt 0 ]; then
    info "putting the riscv64 cross runtime back to bookworm's: ${wrong[*]}"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends --allow-downgrades \
        "${wrong[@]}" >/dev/null || die "apt-get install ${wrong[*]} failed"
fi
[ -f "$RVNEST_OPENSBI" ] || die "OpenSBI firmware $RVNEST_OPENSBI missing after install"
info "ok: meson $(/usr/bin/meson --version), OpenSBI $(dpkg-query -W -f='${Version}' opensbi)"

# ---------------------------------------------------------------- 3. QEMU
step 3 "QEMU >= 10.1 with plugin support"
qemu_ok() { # prefix
    [ -x "$1/bin/qemu-system-riscv64" ] && [ -f "$1/include/qemu-plugin.h" ] || return 1
    local v
    v=$("$1/bin/qemu-system-riscv64" --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    set -- $v
    [ "${1:-0}" -gt 10 ] || { [ "${1:-0}" = 10 ] && [ "${2:-0}" -ge 1 ]; }
}
# QEMU fixes rvnest needs (scripts/qemu-patches, applied on top of Debian's):
# a hart reset at V=1 must come out at V=0 (else QEMU aborts at its next
# trap; under rvnest every hart runs L1 at V=1). The build in the cache
# records which patch set it has; another set rebuilds it.
PATCHES=("$REPO"/scripts/qemu-patches/*.patch)
PATCH_ID=$(cat "${PATCHES[@]}" | sha256sum | cut -c1-16)
qemu_cache_ok() {
    qemu_ok "$RVNEST_CACHE/qemu" && [ "$(cat "$RVNEST_CACHE/qemu/rvnest-patches" 2>/dev/null)" = "$PATCH_ID" ]
}
QEMU_PREFIX=
if [ -n "${RVNEST_QEMU_PREFIX:-}" ] && qemu_ok "$RVNEST_QEMU_PREFIX"; then
    QEMU_PREFIX=$RVNEST_QEMU_PREFIX   # the user's own: without scripts/qemu-patches unless they applied them
elif qemu_cache_ok; then
    QEMU_PREFIX=$RVNEST_CACHE/qemu
else
    src=$RVNEST_CACHE/qemu-src
    mkdir -p "$src"
    dsc=$src/qemu_${QEMU_DEB_VERSION#1:}.dsc
    if [ ! -f "$dsc" ]; then
        apt_update
        info "fetching Debian source package qemu=$QEMU_DEB_VERSION"
        # RVNEST_QEMU_FROM_DEPS=1 skips the archive (to check the fallback)
        if [ "${RVNEST_QEMU_FROM_DEPS:-0}" = 1 ] ||
           ! (cd "$src" && apt-get source --download-only -qq "qemu=$QEMU_DEB_VERSION" >/dev/null 2>&1); then
            deps="$REPO/../shared/deps/qemu"
            [ -f "$deps/SHA256SUMS" ] || die "the archive does not serve qemu $QEMU_DEB_VERSION and $deps is missing"
            info "archive does not serve it; using verified copy in $deps"
            (cd "$deps" && sha256sum -c --quiet SHA256SUMS) || die "checksum mismatch in $deps"
            cp "$deps"/qemu_* "$src/"
        fi
    fi
    tree=$src/qemu-$QEMU_VERSION
    info "unpacking (dpkg-source -x applies Debian's patches, then scripts/qemu-patches)"
    rm -rf "$tree"
    (cd "$src" && dpkg-source -x -q "$dsc" "$tree" >/dev/null 2>&1) || die "dpkg-source -x failed"
    for p in "${PATCHES[@]}"; do
        patch -d "$tree" -p1 -s <"$p" || die "cannot apply $(basename "$p") to QEMU $QEMU_VERSION"
    done
    info "configuring and building QEMU $QEMU_VERSION (about 5 minutes on 2 cores)"
    mkdir -p "$tree/build"
    (cd "$tree/build" && ../configure --prefix="$RVNEST_CACHE/qemu" --python=/usr/bin/python3 \
        --target-list=riscv64-softmmu --enable-plugins --disable-docs --disable-install-blobs \
        --disable-werror >"$src/configure.log" 2>&1) || die "QEMU configure failed; see $src/configure.log"
    (cd "$tree/build" && make -j"$(nproc)" >"$src/build.log" 2>&1 && make install >>"$src/build.log" 2>&1) \
        || die "QEMU build failed; see $src/build.log"
    echo "$PATCH_ID" > "$RVNEST_CACHE/qemu/rvnest-patches"
    qemu_cache_ok || die "QEMU build did not produce a usable qemu-system-riscv64"
    QEMU_PREFIX=$RVNEST_CACHE/qemu
    rm -rf "$tree/build"   # the install is what we keep
fi
echo "$QEMU_PREFIX" > "$RVNEST_CACHE/qemu-prefix"
info "ok: $("$QEMU_PREFIX/bin/qemu-system-riscv64" --version | head -1) at $QEMU_PREFIX"

# ---------------------------------------------------------------- 4. riscv64 guest packages
step 4 "Debian riscv64 kernel, busybox and libfdt (downloaded, unpacked, never installed)"
rv=$RVNEST_CACHE/riscv64
mkdir -p "$rv/debs"
fetch_rv() { # package [apt spec] -> unpacked into $rv/root, records the .deb name
    local pkg=$1 spec=${2:-$1:riscv64} stamp=$rv/debs/$1.stamp
    [ -f "$stamp" ] && [ -f "$rv/debs/$(cat "$stamp")" ] && return 0
    apt_update
    (cd "$rv/debs" && apt-get download -qq "$spec" >/dev/null 2>&1) || die "apt-get download $spec failed"
    local deb
    deb=$(cd "$rv/debs" && ls -t "${pkg}"_*.deb | head -1)
    dpkg-deb -x "$rv/debs/$deb" "$rv/root"
    echo "$deb" > "$stamp"
    info "unpacked $deb"
}
if [ ! -f "$rv/debs/kernel-pkg" ]; then
    apt_update
    kpkg=$(apt-cache depends linux-image-riscv64:riscv64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -1)
    [ -n "$kpkg" ] || die "cannot resolve linux-image-riscv64:riscv64 in trixie"
    echo "$kpkg" > "$rv/debs/kernel-pkg"
fi
fetch_rv "$(cat "$rv/debs/kernel-pkg")"
fetch_rv busybox-static
fetch_rv libfdt1
fetch_rv libfdt-dev
fetch_rv linux-libc-dev linux-libc-dev/trixie     # arch-all: RISC-V KVM uapi headers
kimg=$(ls "$rv"/root/boot/vmlinux-* 2>/dev/null | head -1 || true)
[ -n "$kimg" ] || die "no /boot/vmlinux-* in the kernel package"
kver=${kimg##*/vmlinux-}
kvmko=$(find "$rv/root/lib/modules/$kver" "$rv/root/usr/lib/modules/$kver" -name 'kvm.ko*' 2>/dev/null | head -1 || true)
[ -n "$kvmko" ] || die "kvm.ko not found for kernel $kver"
mkdir -p "$RVNEST_IMAGES"
cp -u "$kimg" "$RVNEST_IMAGES/Image"
case "$kvmko" in
    *.xz) [ "$RVNEST_IMAGES/kvm.ko" -nt "$kvmko" ] || xz -dc "$kvmko" > "$RVNEST_IMAGES/kvm.ko" ;;
    *)    cp -u "$kvmko" "$RVNEST_IMAGES/kvm.ko" ;;
esac
echo "$kver" > "$RVNEST_IMAGES/kernel-version"
info "ok: kernel $kver, busybox $(cat "$rv/debs/busybox-static.stamp")"

# ---------------------------------------------------------------- 5. Linux 7.2 from sid
step 5 "Debian sid riscv64 kernel $SID_KERNEL_ABI (downloaded, unpacked, never installed)"
# Into $RVNEST_IMAGES/7.2 (Image, kvm.ko, kernel-version) beside 6.12's.
K72=$RVNEST_IMAGES/7.2
sid=$rv/sid
k72ver=$SID_KERNEL_ABI-riscv64
k72_pkgs=("linux-binary-$k72ver" "linux-modules-$k72ver")
if [ -f "$K72/Image" ] && [ -f "$K72/kvm.ko" ] && [ "$(cat "$K72/kernel-version" 2>/dev/null)" = "$k72ver" ]; then
    info "ok: kernel $k72ver (cached in $K72)"
else
    # apt configuration of its own: sid riscv64 only, a pin no sid package
    # passes (downloads name the release, pkg/sid), its own lists and cache;
    # /etc/apt is neither read for sources nor written.
    mkdir -p "$sid/apt/sources.list.d" "$sid/apt/preferences.d" "$sid/apt/lists/partial" \
        "$sid/apt/cache/archives/partial" "$sid/debs" "$sid/root"
    printf '%s\n' "Types: deb
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Architectures: riscv64
Signed-By: $KEYRING" > "$sid/apt/sources.list.d/rvnest-sid-riscv64.sources"
    printf '%s\n' "Package: *
Pin: release n=sid
Pin-Priority: -1" > "$sid/apt/preferences.d/rvnest-sid"
    SID_APT=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$sid/apt/sources.list.d"
        -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$sid/apt/preferences.d"
        -o Dir::State::Lists="$sid/apt/lists" -o Dir::Cache="$sid/apt/cache"
        -o Acquire::Check-Valid-Until=false)
    sid_updated=0
    for p in "${k72_pkgs[@]}"; do
        stamp=$sid/debs/$p.stamp
        [ -f "$stamp" ] && [ -f "$sid/debs/$(cat "$stamp")" ] && continue
        if [ "$sid_updated" = 0 ]; then
            info "apt-get update (sid riscv64, setup's own apt configuration in $sid/apt)"
            apt-get "${SID_APT[@]}" update -qq >/dev/null 2>&1 \
                || die "apt-get update of sid riscv64 failed (network, or deb.debian.org unreachable); run setup again"
            sid_updated=1
        fi
        apt-cache "${SID_APT[@]}" show "$p:riscv64" >/dev/null 2>&1 \
            || die "sid does not serve $p: set SID_KERNEL_ABI in scripts/setup.sh to the 7.2 ABI it has (linux-binary-7.2.*-riscv64 in $sid/apt/lists)"
        info "downloading $p from sid"
        (cd "$sid/debs" && apt-get "${SID_APT[@]}" download -qq "$p:riscv64/sid" >/dev/null 2>&1) \
            || die "apt-get download $p:riscv64/sid failed; run setup again"
        deb=$(cd "$sid/debs" && ls -t "${p}"_*_riscv64.deb | head -1)
        dpkg-deb -x "$sid/debs/$deb" "$sid/root" || die "dpkg-deb -x $deb failed (remove $sid/debs/$deb and run setup again)"
        echo "$deb" > "$stamp"
        info "unpacked $deb"
    done
    kimg=$sid/root/usr/lib/modules/$k72ver/vmlinuz
    [ -f "$kimg" ] || die "no usr/lib/modules/$k72ver/vmlinuz in linux-binary-$k72ver (remove $sid and run setup again)"
    kvmko=$(find "$sid/root/usr/lib/modules/$k72ver" -name 'kvm.ko*' 2>/dev/null | head -1 || true)
    [ -n "$kvmko" ] || die "kvm.ko not found for kernel $k72ver (remove $sid and run setup again)"
    mkdir -p "$K72"
    cp "$kimg" "$K72/Image.tmp" && mv -f "$K72/Image.tmp" "$K72/Image"
    case "$kvmko" in
        *.xz) xz -dc "$kvmko" > "$K72/kvm.ko.tmp" ;;
        *)    cp "$kvmko" "$K72/kvm.ko.tmp" ;;
    esac
    mv -f "$K72/kvm.ko.tmp" "$K72/kvm.ko"
    echo "$k72ver" > "$K72/kernel-version"
    info "ok: kernel $k72ver ($(cat "$sid/debs/linux-binary-$k72ver.stamp"), $(cat "$sid/debs/linux-modules-$k72ver.stamp")) in $K72"
fi

# ---------------------------------------------------------------- 6. rvnest
step 6 "build rvnest (meson)"
"$REPO/scripts/build.sh"

# ---------------------------------------------------------------- 7. guest images
step 7 "guest programs and images"
"$REPO/tests/guest/build.sh"
echo "==> setup complete (cache: $RVNEST_CACHE)"

# Packing guest initramfs images (sourced by tests/guest/build.sh and
# tests/kvm/build.sh).
# shellcheck shell=bash

# newc cpio of /dev and /dev/console: the kernel opens /dev/console for
# init's stdio before anything can mount devtmpfs, and mknod needs root, so
# write the two entries by hand (format: Documentation/driver-api/early-userspace/buffer-format.rst).
cpio_entry() { # name mode rdevmajor rdevminor
    local name=$1 namesize=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
        0 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0 "$name"
    local pad=$(( (4 - (110 + namesize) % 4) % 4 ))
    head -c "$pad" /dev/zero
}
dev_console_cpio() {
    cpio_entry dev $((0040755)) 0 0
    cpio_entry dev/console $((0020600)) 5 1
    cpio_entry 'TRAILER!!!' 0 0 0
}

# pack_initramfs STAGING OUT: gzip'd newc archive, files owned by root
# (a unique temporary name, so that concurrent builds never mix their output)
pack_initramfs() {
    local tmp
    tmp=$(mktemp "$2.XXXXXX")
    { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet)
      dev_console_cpio; } | gzip -6n > "$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$2"
}

#!/usr/bin/env bash
# The device tree L1 receives under rvnest is the one QEMU and OpenSBI give
# a native machine of L1's size, byte for byte (docs/architecture.md, "L1's
# device tree"): the bare-metal program dtdump prints the blob a1 points to
# (and a1) natively and under rvnest; both blobs are compared as dts
# (dtc -I dtb -O dts) and as bytes (header and totalsize, struct and
# strings blocks, the free space after them) at several machine shapes.
# Only what the allow-list below names may differ.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
command -v dtc >/dev/null || fail "dtc not found (device-tree-compiler; scripts/setup.sh installs it)"

# The allow-list: what differs between ANY two boots, native ones too, and
# is masked (set to zero) in both blobs before comparing. Keep it in step
# with docs/architecture.md, "L1's device tree".
#   value NODE/PROP: the property's value bytes.
#   padding NODE: the alignment padding after the values of NODE's
#     properties (bytes no parser reads).
ALLOW=(
    # QEMU draws /chosen/rng-seed at random at every boot (and reset).
    "value /chosen/rng-seed"
    # A random seed as well, where a board gives one (QEMU's virt does not today).
    "value /chosen/kaslr-seed"
    # QEMU draws a first rng-seed, inserts the other /chosen properties in
    # front of it (libfdt inserts a property first in its node) and draws
    # the seed again at reset: the padding of those properties (the 3 bytes
    # after stdout-path's string) keeps bytes of the first, random seed.
    "padding /chosen"
)

# dtb_of OUT DTB: the blob dtdump printed, as a file.
dtb_of() {
    tr -d '\r' <"$1" | sed -n 's/^dtb: 0x[0-9a-f]* //p' | python3 -c '
import sys; sys.stdout.buffer.write(bytes.fromhex("".join(sys.stdin.read().split())))' >"$2"
}

# mask IN OUT: IN with what ALLOW names set to zero.
mask() {
    python3 - "$1" "$2" "${ALLOW[@]}" <<'EOF'
import struct, sys
src, dst, allow = sys.argv[1], sys.argv[2], [a.split() for a in sys.argv[3:]]
b = bytearray(open(src, "rb").read())
magic, total, off_struct, off_strings, _, _, _, _, _, size_struct = struct.unpack(">10I", b[:40])
assert magic == 0xd00dfeed and total == len(b), "not a whole device tree blob"
values = {w for k, w in allow if k == "value"}
padding = {w for k, w in allow if k == "padding"}
def name_at(off):
    return b[off:b.index(0, off)].decode()
def align(n):
    return (n + 3) & ~3
path, off, end = [], off_struct, off_struct + size_struct
while off < end:
    tag = struct.unpack(">I", b[off:off + 4])[0]
    off += 4
    if tag == 1:                                   # FDT_BEGIN_NODE
        name = name_at(off)
        path.append(name.split("@")[0])
        off = align(off + len(name) + 1)
    elif tag == 2:                                 # FDT_END_NODE
        path.pop()
    elif tag == 3:                                 # FDT_PROP
        ln, nameoff = struct.unpack(">II", b[off:off + 8])
        node = "/" + "/".join(path[1:])
        prop = node.rstrip("/") + "/" + name_at(off_strings + nameoff)
        val = off + 8
        if prop in values:
            b[val:val + ln] = bytes(ln)
        if node in padding:
            b[val + ln:align(val + ln)] = bytes(align(val + ln) - val - ln)
        off = align(val + ln)
    elif tag == 4:                                 # FDT_NOP
        pass
    elif tag == 9:                                 # FDT_END
        break
    else:
        sys.exit("bad tag %#x at %#x" % (tag, off - 4))
open(dst, "wb").write(b)
EOF
}

# compare NAME RUN-ARGS...: one machine shape.
compare() {
    local name=$1 d=$tmp/$1
    shift
    mkdir -p "$d"
    run_both "$d" --kernel "$BM/dtdump.elf" --timeout 120 "$@"
    local r
    for r in native nested; do
        grep -q '^dtdump: done' "$d/$r" || { tail -5 "$d/$r"; fail "$name: dtdump did not finish ($r)"; }
        dtb_of "$d/$r" "$d/$r.dtb"
        mask "$d/$r.dtb" "$d/$r.masked.dtb" || fail "$name: cannot parse the $r blob"
        dtc -q -I dtb -O dts "$d/$r.masked.dtb" >"$d/$r.dts" || fail "$name: dtc cannot read the $r blob"
    done
    same_output "$d" dtdump_lines 'dtdump: magic 0xd00dfeed totalsize [0-9]' 'dtdump: at 0x'
    diff -u "$d/native.dts" "$d/nested.dts" || fail "$name: L1's device tree under rvnest differs from native"
    cmp "$d/native.masked.dtb" "$d/nested.masked.dtb" \
        || fail "$name: same dts, but the blobs differ (layout, padding or free space)"
    echo "$name: identical ($(grep -o 'totalsize [0-9]*' "$d/a"), $(grep -o 'at 0x[0-9a-f]*' "$d/a"))"
}
dtdump_lines() { tr -d '\r' <"$1" | grep '^dtdump:' || true; }

compare 256M --mem 256M
compare 1G
compare 512M-smp2 --mem 512M --smp 2
compare 1G-smp2-bootargs --smp 2 --append "console=ttyS0 quiet"
echo "L1's device tree is the native one at 4 machine shapes (masked: ${#ALLOW[@]} allow-list entries)"

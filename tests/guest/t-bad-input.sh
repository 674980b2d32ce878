#!/usr/bin/env bash
# Every launcher and plugin error gives a one-line message and a non-zero
# exit, never a crash or a hang.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad=0 n=0
# case NAME EXPECTED-REGEX COMMAND...: non-zero exit, no crash, message matches
case_() {
    local name=$1 want=$2; shift 2
    n=$((n + 1))
    timeout 120 "$@" >"$tmp/out" 2>&1 </dev/null
    local rc=$?
    if [ "$rc" = 0 ] || [ "$rc" -ge 124 ]; then
        echo "not ok - $name: exit status $rc"; bad=$((bad + 1))
    elif ! grep -qE "$want" "$tmp/out"; then
        echo "not ok - $name: no message matching '$want'"; tail -3 "$tmp/out"; bad=$((bad + 1))
    else
        echo "ok - $name: $(grep -E "$want" "$tmp/out" | head -1)"
    fi
}
Q=$(rvnest_qemu_prefix)/bin/qemu-system-riscv64
P=$RVNEST_BUILD/librvnest.so
QARGS=(-M virt -cpu rv64,h=true -m 256M -nographic -no-reboot -bios "$RVNEST_OPENSBI" -kernel "$BM/smoke.elf")
case_ "launcher: unknown command" "unknown command 'frobnicate'" "$RVNEST" frobnicate
case_ "launcher: unknown option" "unknown option '--bogus'" "$RVNEST" run --bogus
case_ "launcher: no kernel" "run needs --kernel" "$RVNEST" run
case_ "launcher: missing kernel file" "kernel '/nonexistent/Image' not found" "$RVNEST" run --kernel /nonexistent/Image
case_ "launcher: missing initrd" "initrd '/nonexistent.cpio' not found" "$RVNEST" run --kernel "$BM/smoke.elf" --initrd /nonexistent.cpio
case_ "launcher: smp > 8" "rvnest runs 1 to 8 harts" "$RVNEST" run --kernel "$BM/smoke.elf" --native --smp 9
case_ "launcher: smp 0" "rvnest runs 1 to 8 harts" "$RVNEST" run --kernel "$BM/smoke.elf" --native --smp 0
case_ "launcher: bad --cpu-props" "is not a list like smstateen=true" "$RVNEST" run --kernel "$BM/smoke.elf" --cpu-props 'smstateen=true;reboot'
case_ "launcher: --cpu-props without H" "cannot change h" "$RVNEST" run --kernel "$BM/smoke.elf" --cpu-props svinval=true,h=false
case_ "launcher: bad --plugin-opts" "is not a list like nacl=off" "$RVNEST" run --kernel "$BM/smoke.elf" --plugin-opts 'nacl=off;x'
case_ "launcher: bad memory size" "not a size" "$RVNEST" run --kernel "$BM/smoke.elf" --mem lots
case_ "launcher: too little memory" "too small" "$RVNEST" run --kernel "$BM/smoke.elf" --mem 64M
case_ "launcher: missing firmware" "OpenSBI firmware /nonexistent/fw.bin not found" env RVNEST_OPENSBI=/nonexistent/fw.bin "$RVNEST" run --kernel "$BM/smoke.elf"
# a QEMU that is too old, and one without plugin support
mkdir -p "$tmp/old/bin" "$tmp/noplug/bin"
printf '#!/bin/sh\necho "QEMU emulator version 7.2.0"\n' >"$tmp/old/bin/qemu-system-riscv64"
printf '#!/bin/sh\necho "QEMU emulator version 10.2.2"\n' >"$tmp/noplug/bin/qemu-system-riscv64"
chmod +x "$tmp"/*/bin/qemu-system-riscv64
case_ "launcher: QEMU too old" "needs QEMU >= 10.1" env RVNEST_QEMU_PREFIX="$tmp/old" "$RVNEST" run --kernel "$BM/smoke.elf"
case_ "launcher: QEMU without plugins" "has no plugin support" env RVNEST_QEMU_PREFIX="$tmp/noplug" "$RVNEST" run --kernel "$BM/smoke.elf"
case_ "launcher: plugin options with --native" "need the plugin" "$RVNEST" run --native --kernel "$BM/smoke.elf" --stats x.json
case_ "launcher: bad --nacl" "nacl 'maybe' must be on or off" "$RVNEST" run --kernel "$BM/smoke.elf" --nacl maybe
case_ "launcher: bad RVNEST_NACL" "RVNEST_NACL='1' must be on or off" env RVNEST_NACL=1 "$RVNEST" run --kernel "$BM/smoke.elf"
case_ "launcher: --nacl with --native" "need the plugin" "$RVNEST" run --native --kernel "$BM/smoke.elf" --nacl on
case_ "launcher: demo, unknown kernel" "unknown kernel '5.10'" "$RVNEST" demo --kernel 5.10
case_ "launcher: demo, unknown L2 kernel" "unknown L2 kernel '6.1'" "$RVNEST" demo --l2-kernel 6.1
case_ "launcher: demo, unknown RVNEST_KERNEL" "unknown kernel '7'" env RVNEST_KERNEL=7 "$RVNEST" demo l1
case_ "launcher: demo, bad --nacl" "nacl 'maybe' .* must be on or off" "$RVNEST" demo --nacl maybe
case_ "launcher: demo l1 with --l2-kernel" "is for the l2 demo" "$RVNEST" demo l1 --l2-kernel 6.12
case_ "tests: unknown RVNEST_KERNEL" "unknown kernel '5.10' for RVNEST_KERNEL" env RVNEST_KERNEL=5.10 "$REPO/tests/kvm/build.sh"
case_ "tests: unknown RVNEST_L2_KERNEL" "unknown kernel '6' for RVNEST_L2_KERNEL" env RVNEST_L2_KERNEL=6 "$REPO/tests/kvm/t-kvm-l2-nested-vs-native.sh"
case_ "tests: bad RVNEST_NACL" "RVNEST_NACL 'yes' must be on or off" env RVNEST_NACL=yes "$REPO/tests/guest/t-linux-native-vs-nested.sh"
case_ "plugin: unknown option" "rvnest: unknown option 'bogus'" "$Q" "${QARGS[@]}" -plugin "$P,bogus=1"
case_ "plugin: empty stats file name" "stats= needs a file name" "$Q" "${QARGS[@]}" -plugin "$P,stats="
case_ "plugin: bad boolean" "takes on or off, not 'maybe'" "$Q" "${QARGS[@]}" -plugin "$P,audit=maybe"
case_ "plugin: bad shadow-prefetch" "takes on or off, not 'sometimes'" "$Q" "${QARGS[@]}" -plugin "$P,shadow-prefetch=sometimes"
case_ "plugin: bad l0-mem" "l0-mem='3' must be" "$Q" "${QARGS[@]}" -plugin "$P,l0-mem=3"
case_ "plugin: smp > 8" "rvnest runs 1 to 8" "$Q" "${QARGS[@]}" -smp 9 -plugin "$P"
case_ "plugin: no H extension" "H extension" "$Q" -M virt -cpu rv64,h=false -m 256M -nographic -no-reboot -bios "$RVNEST_OPENSBI" -kernel "$BM/smoke.elf" -plugin "$P"
case_ "plugin: L0 memory does not fit" "not enough RAM for L0" "$Q" -M virt -cpu rv64,h=true -m 128M -nographic -no-reboot -bios "$RVNEST_OPENSBI" -kernel "$BM/smoke.elf" -plugin "$P,l0-mem=100"
case_ "plugin: l1-mem leaves no room for L0" "leaves no room for L0" "$Q" "${QARGS[@]}" -plugin "$P,l1-mem=256"
case_ "plugin: bad l1-mem" "l1-mem='abc' must be" "$Q" "${QARGS[@]}" -plugin "$P,l1-mem=abc"
case_ "plugin: stats file cannot be written" "cannot write statistics" "$RVNEST" run --kernel "$BM/smoke.elf" --mem 256M --stats /nonexistent/dir/s.json
echo "$((n - bad))/$n error cases ok"
[ "$bad" = 0 ]

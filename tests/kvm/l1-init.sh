#!/bin/sh
# /init of the L1 guest: load KVM, check the VMM rejects bad input, run the
# L2 guest under rvnest-vmm, report its exit status, power off.
#
# Knobs, from the L1 kernel command line (the kernel hands name=value
# parameters it does not know to init as environment variables):
#   rvnest_l2_mem=256M           guest RAM for L2
#   rvnest_l2_append="..."       L2 kernel command line
#   rvnest_vmm_args="..."        extra rvnest-vmm arguments (e.g. --cpus 2)
#   rvnest_checks=0              skip the bad-input checks
#   rvnest_l2_timeout=240        --timeout for the L2 run, seconds
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
say() { echo "RVNEST-L1: $*"; }
# poweroff -f does not wait for the console to drain; stty setting the
# console's own settings again (tcsetattr TCSADRAIN) does.
finish() { stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null; sync; poweroff -f; sleep 5; }

say "up, kernel $(uname -r)"
while read -r m; do
    insmod "/lib/modules/$m" || { say "FAIL: insmod $m failed"; finish; }
done < /lib/modules/load-order
[ -c /dev/kvm ] || { say "FAIL: no /dev/kvm after loading kvm.ko"; finish; }
say "kvm loaded"

VMM=/bin/rvnest-vmm
K=/guest/Image
I=/guest/l2-initramfs.cpio.gz
failed=0
# check NAME EXPECTED_STATUS MESSAGE_PATTERN -- VMM ARGS...: the VMM must exit
# with EXPECTED_STATUS and print one line on stderr matching the pattern,
# within 60 s. (The guest console, on stdout, is dropped.)
check() {
    name=$1 want=$2 pat=$3
    shift 4
    out=$(timeout 60 "$VMM" "$@" 2>&1 >/dev/null)
    st=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    if [ "$st" = "$want" ] && [ "$lines" = 1 ] && printf '%s\n' "$out" | grep -q "$pat"; then
        say "check $name ok: $out"
    else
        say "check $name FAILED: status $st (want $want): $out"
        failed=$((failed + 1))
    fi
}
if [ "${rvnest_checks:-1}" = 1 ]; then
    check missing-kernel 1 "cannot open kernel '/nonexistent'" -- --kernel /nonexistent --initrd "$I"
    check bad-kernel 1 "neither a RISC-V Linux Image nor an ELF" -- --kernel "$I"
    : > /tmp/empty
    check empty-kernel 1 "is empty" -- --kernel /tmp/empty
    check missing-initrd 1 "cannot open initrd" -- --kernel "$K" --initrd /nonexistent
    check too-little-mem 2 "too little memory" -- --kernel "$K" --mem 1M
    check kernel-too-big 1 "too little memory" -- --kernel "$K" --initrd "$I" --mem 32M
    check bad-mem 2 "invalid --mem" -- --kernel "$K" --mem lots
    check no-kernel 2 "no kernel given" --
    check unknown-option 2 "unknown option" -- --kernel "$K" --frobnicate
    # a guest that panics (no init) and reboots: --no-reboot makes it status 2
    check guest-reboot 2 "guest requested a reboot" -- --kernel "$K" --no-reboot \
        --append "console=ttyS0 quiet rdinit=/nonexistent panic=-1"
    # a guest that never powers off: --timeout stops it, status 124
    check guest-hang 124 "did not power off within 5 s" -- --kernel "$K" --timeout 5 \
        --append "console=ttyS0 quiet rdinit=/nonexistent panic=0"
    # bare-metal programs (raw binaries): an access to an address with no
    # device is a clear error; UART output and SRST shutdown work
    check bare-bad-mmio 1 "unmapped address 0x20000000" -- --kernel /guest/bare-bad-mmio.bin \
        --kernel-format bin --mem 32M
    out=$(timeout 60 "$VMM" --kernel /guest/bare-hello.bin --kernel-format bin --mem 32M 2>&1)
    st=$?
    if [ "$st" = 0 ] && [ "$out" = A ]; then
        say "check bare-hello ok: printed '$out' and powered off"
    else
        say "check bare-hello FAILED: status $st (want 0), output '$out' (want 'A')"
        failed=$((failed + 1))
    fi
    say "checks-failed=$failed"
fi

say "starting L2"
# shellcheck disable=SC2086 # rvnest_vmm_args is a list of arguments
"$VMM" --kernel "$K" --initrd "$I" --mem "${rvnest_l2_mem:-256M}" \
    --append "${rvnest_l2_append:-console=ttyS0 quiet panic=-1}" \
    --no-reboot --timeout "${rvnest_l2_timeout:-240}" --stats ${rvnest_vmm_args:-}
st=$?
say "vmm-exit=$st"
if [ "$st" = 0 ] && [ "$failed" = 0 ]; then say PASS; else say FAIL; fi
finish

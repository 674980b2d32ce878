# Helpers for rvnest's guest test scripts (sourced).
# shellcheck shell=bash
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
RVNEST=$REPO/rvnest
BM=$RVNEST_BM
fail() { echo "FAIL: $*"; exit 1; }
# The Linux L1 tests boot RVNEST_KERNEL's Image (6.12 or 7.2, default 6.12;
# scripts/env.sh); RVNEST_NACL (on|off) reaches the plugin of the nested run
# through rvnest run. need_l1_image: FAIL unless setup fetched that kernel.
RVNEST_KERNEL=${RVNEST_KERNEL:-6.12}
L1_KERNEL_DIR=$(rvnest_kernel_dir "$RVNEST_KERNEL" RVNEST_KERNEL) || exit 2
L1_IMAGE=$L1_KERNEL_DIR/Image
[ -z "${RVNEST_NACL:-}" ] || rvnest_nacl_ok "$RVNEST_NACL" RVNEST_NACL || exit 2
need_l1_image() { [ -f "$L1_IMAGE" ] || fail "no $L1_IMAGE (Linux $RVNEST_KERNEL): run scripts/setup.sh"; }
# l1_config: L1's kernel and the NACL setting, for the result lines.
l1_config() { echo "L1 Linux $RVNEST_KERNEL, nacl=${RVNEST_NACL:-default}"; }
# Guest output without firmware banners and L0's report.
guest_lines() { tr -d '\r' <"$1" | grep -v -E '^(Domain|Boot|Firmware|Platform|OpenSBI|Runtime| |rvnest|qemu-system)|^$' || true; }
# The guest's "RVNEST:" lines.
rvnest_lines() { tr -d '\r' <"$1" | grep '^RVNEST:' || true; }
# run_both DIR RUN-ARGS...: runs L1 natively (DIR/native) and under rvnest
# with the audit on (DIR/nested, DIR/stats.json); fails if either run fails.
# RVNEST_CPU_PROPS (e.g. smstateen=true) is passed to both runs.
run_both() {
    local d=$1
    shift
    [ -z "${RVNEST_CPU_PROPS:-}" ] || set -- "$@" --cpu-props "$RVNEST_CPU_PROPS"
    "$RVNEST" run --native "$@" >"$d/native" 2>&1 || { tail -5 "$d/native"; fail "native run exited $?"; }
    "$RVNEST" run "$@" --audit --stats "$d/stats.json" >"$d/nested" 2>&1 \
        || { tail -20 "$d/nested"; fail "nested run exited $?"; }
    grep -q '"audit_hs_guest_blocks": 0,' "$d/stats.json" || fail "guest code ran in real HS"
}
# same_output DIR FILTER WANT...: FILTER (guest_lines or rvnest_lines) of
# both runs into DIR/a and DIR/b; each WANT regex must match a line of both,
# and the two must be identical.
same_output() {
    local d=$1 filter=$2 want
    shift 2
    "$filter" "$d/native" >"$d/a"
    "$filter" "$d/nested" >"$d/b"
    for want in "$@"; do
        grep -q "^$want" "$d/a" || { cat "$d/a"; fail "native run lacks '$want'"; }
        grep -q "^$want" "$d/b" || { cat "$d/b"; fail "nested run lacks '$want'"; }
    done
    diff -u "$d/a" "$d/b" || fail "output under rvnest differs from native H"
}
# The SMP boot/reboot program (tests/guest/baremetal/smpboot.c) with N
# harts: four boots (a cold and a warm SBI SRST reboot, a reset through the
# test device with the other harts running). smpboot_run OUT N
# [RUN-ARGS...] runs it (add --native for the reference; "-- -plugin
# $HOLD_PLUGIN,hart=H,run=K,ms=MS" holds a hart at the reset vector);
# smpboot_lines prints its lines; smpboot_want N what every run must print.
HOLD_PLUGIN=$RVNEST_BUILD/libhold.so
smpboot_run() {
    local out=$1 n=$2
    shift 2
    "$RVNEST" run --allow-reboot --smp "$n" --kernel "$BM/smpboot.elf" --mem 256M --timeout 300 "$@" >"$out" 2>&1
}
smpboot_lines() { tr -d '\r' <"$1" | grep '^smpboot:' || true; }
smpboot_want() {
    local b
    for b in 1 2 3 4; do
        echo "smpboot: boot $b: $1 harts up, 0 failed"
        case $b in 1) echo "smpboot: boot 1: asking for a cold reboot" ;;
                   2) echo "smpboot: boot 2: asking for a warm reboot" ;;
                   3) echo "smpboot: boot 3: resetting through the test device, the others running" ;;
                   4) echo "smpboot: passed" ;; esac
    done
}

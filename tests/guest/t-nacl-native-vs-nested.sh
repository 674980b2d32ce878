#!/usr/bin/env bash
# SBI nested acceleration (NACL) as an L1 hypervisor uses it: the bare-metal
# L1 program tests/guest/baremetal/nacl.c (with nacl_asm.S, its own L2
# guest) checks the probe, SET_SHMEM's errors, the CSR space kept current
# and SYNC_CSR (one CSR, all, dependency order, invalid numbers), HFENCE
# entries of every type, order, index and reserved form, SYNC_SRET into L2
# and back with and without autoswap, stale G- and VS-stage translations
# from L2 after each fence form, and VS interrupts and the Sstc VS timer for
# L2 through the shared memory. Runs:
#   native               L1 in real HS on QEMU's native H, CSR instructions (the reference; no NACL)
#   csr                  under rvnest, CSR instructions, HFENCE instructions, sret
#   nacl                 under rvnest, everything through the shared memory; two
#                        harts: the second (HSM hart_start) has no shared memory
#                        until it sets its own, and its page is its own
#   nacl-sret-off ...    under rvnest with a NACL feature off (plugin option
#                        nacl-<feature>=off): the program expects it off
#   nacl-off             under rvnest with nacl=off: the extension is absent
# Each run must pass its own checks ("check NAME: ..."; "FAIL: NAME" when
# one is not met), print at least the checks it printed when this test was
# written, and print the same "val ..." lines as the native run: every H/VS
# CSR written with many values (CSR instruction, or word + dirty bit and
# SYNC_CSR) and read back. The nacl run must print at least 150 checks.
# NACL_KEEP=DIR keeps every run's output there.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
if [ -n "${NACL_KEEP:-}" ]; then tmp=$NACL_KEEP; mkdir -p "$tmp"; else tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; fi
[ -f "$BM/nacl.elf" ] || fail "no $BM/nacl.elf (build tests/guest/baremetal)"
props=()
[ -z "${RVNEST_CPU_PROPS:-}" ] || props=(--cpu-props "$RVNEST_CPU_PROPS")
# name|plugin options (- for the native run)|harts|bootargs|checks it must print at least
runs=(
    "native|-|1|nacl.mode=csr nacl.expect=absent|40"
    "csr||1|nacl.mode=csr|219"
    "nacl||2|nacl.mode=nacl|274"
    "nacl-sret-off|nacl-sret=off|1|nacl.mode=nacl nacl.off=sret|261"
    "nacl-autoswap-off|nacl-autoswap=off|1|nacl.mode=nacl nacl.off=autoswap|262"
    "nacl-csr-hfence-off|nacl-csr=off,nacl-hfence=off|1|nacl.mode=nacl nacl.off=csr,hfence|183"
    "nacl-off|nacl=off|1|nacl.mode=nacl nacl.expect=absent|40"
)
bad=0 nested_checks=0 nacl_checks=0 native_checks=0
for r in "${runs[@]}"; do
    IFS='|' read -r name popts smp append want <<<"$r"
    out=$tmp/$name
    start=$(date +%s%N)
    if [ "$popts" = - ]; then
        "$RVNEST" run --native --kernel "$BM/nacl.elf" --mem 256M --timeout 60 "${props[@]}" --append "$append" >"$out" 2>&1
    else
        "$RVNEST" run --kernel "$BM/nacl.elf" --smp "$smp" --mem 256M --timeout 60 "${props[@]}" --append "$append" \
            --audit --stats "$out.json" ${popts:+--plugin-opts "$popts"} >"$out" 2>&1
    fi
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    guest_lines "$out" >"$out.lines"
    grep '^val ' "$out.lines" >"$out.val"
    n=$(grep -c '^check ' "$out.lines") f=$(grep -c '^FAIL' "$out.lines") v=$(wc -l <"$out.val")
    echo "$name: $n checks, $f failed, $v val lines (exit $rc, $ms ms)"
    [ "$rc" = 0 ] || { tail -5 "$out"; echo "FAIL: $name: exit status $rc"; bad=1; }
    [ "$f" = 0 ] || { grep -B1 '^FAIL' "$out.lines"; bad=1; }
    grep -q "^nacl: $n checks, 0 failed$" "$out.lines" || { echo "FAIL: $name: no summary line for $n checks, 0 failed"; bad=1; }
    grep -q '^nacl: passed$' "$out.lines" || { echo "FAIL: $name: no pass line"; bad=1; }
    [ "$n" -ge "$want" ] || { echo "FAIL: $name: $n checks, expected at least $want"; bad=1; }
    if [ "$popts" = - ]; then
        native_checks=$n
        [ "$v" -ge 300 ] || { echo "FAIL: native: only $v val lines"; bad=1; }
    else
        nested_checks=$((nested_checks + n))
        [ "$name" = nacl ] && nacl_checks=$n
        grep -q '"audit_hs_guest_blocks": 0,' "$out.json" 2>/dev/null || { echo "FAIL: $name: guest code ran in real HS"; bad=1; }
        diff -u "$tmp/native.val" "$out.val" >"$out.diff" \
            || { head -20 "$out.diff"; echo "FAIL: $name: val lines differ from native H ($(grep -c '^[-+]val' "$out.diff") lines)"; bad=1; }
    fi
    grep -h 'rvnest: fatal' "$out" | head -1
done
[ "$nacl_checks" -ge 150 ] || { echo "FAIL: the nacl run printed $nacl_checks checks, fewer than 150"; bad=1; }
[ "$bad" = 0 ] || fail "nacl: a run failed, or its val lines differ from native H"
echo "nacl: $native_checks checks passed natively, $nested_checks in 6 runs under rvnest ($nacl_checks with everything through the shared memory); val lines identical in all 7 runs"

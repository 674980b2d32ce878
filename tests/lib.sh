# Helpers for rvnest's guest test scripts (sourced).
# shellcheck shell=bash
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
RVNEST=$REPO/rvnest
BM=$RVNEST_IMAGES/baremetal
fail() { echo "FAIL: $*"; exit 1; }
# Guest output without firmware banners and L0's report.
guest_lines() { tr -d '\r' <"$1" | grep -v -E '^(Domain|Boot|Firmware|Platform|OpenSBI|Runtime| |rvnest|qemu-system)|^$' || true; }

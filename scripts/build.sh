#!/usr/bin/env bash
# Configures (once) and builds rvnest with meson into $RVNEST_BUILD.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/scripts/env.sh"
prefix=$(rvnest_qemu_prefix)
MESON=/usr/bin/meson
if [ ! -f "$RVNEST_BUILD/build.ninja" ]; then
    echo "    meson setup $RVNEST_BUILD (QEMU prefix $prefix)"
    "$MESON" setup "$RVNEST_BUILD" "$REPO" -Dqemu_prefix="$prefix" >"$RVNEST_CACHE/meson-setup.log" 2>&1 \
        || { cat "$RVNEST_CACHE/meson-setup.log" >&2; echo "rvnest setup: error: meson setup failed" >&2; exit 1; }
fi
echo "    ninja -C $RVNEST_BUILD"
ninja -C "$RVNEST_BUILD" >"$RVNEST_CACHE/ninja.log" 2>&1 \
    || { tail -40 "$RVNEST_CACHE/ninja.log" >&2; echo "rvnest setup: error: build failed" >&2; exit 1; }

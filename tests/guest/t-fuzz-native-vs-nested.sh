#!/usr/bin/env bash
# Differential fuzzing of L1's virtual H extension, short run: 10,000
# random operations (CSR forms on the H/VS CSRs, HLV/HLVX/HSV on random
# two-stage tables, HFENCE, covered table edits, runs of L1's own guest L2
# through those tables with random delegation, KVM-like dirty-logging
# rounds) with a fixed seed, natively and under rvnest; every result must
# agree. Twice: a missing A/D faults (Svade), and A/D updated by the hart
# (Svadu) with another seed. On a difference tests/fuzz.sh
# prints the first differing operation with both results.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
"$REPO/tests/fuzz.sh" --seed 20250101 --ops 10000 --adue off --timeout 300 || exit 1
exec "$REPO/tests/fuzz.sh" --seed 20251207 --ops 10000 --adue on --timeout 300

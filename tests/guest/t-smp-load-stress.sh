#!/usr/bin/env bash
# Issue 24 in CI: one round of tests/smp-stress.sh --load (SMP boots and
# SBI SRST cold and warm reboots and a reset through the test device with
# the other harts running, with 2, 4 and 8 harts, and a 4-hart Linux
# that reboots itself, all beside one busy process per host core; each
# compared with native). The long run is a command: tests/smp-stress.sh 15 --load (210 boots and reboots).
set -uo pipefail
exec "$(dirname "$0")/../smp-stress.sh" 1 --load

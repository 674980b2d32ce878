#!/usr/bin/env bash
# The Linux L1 test on a CPU with Smstateen (-cpu rv64,h=true,smstateen=true):
# hstateen0-3 exist, the firmware's mstateen gates HS, and L0's real
# hstateen lets L1's own accesses at V=1 through as in HS.
RVNEST_CPU_PROPS=smstateen=true exec "$(dirname "$0")/t-linux-native-vs-nested.sh"

#!/usr/bin/env bash
# The SMP KVM scenario (t-kvm-l2-smp-nested-vs-native.sh: L1 with 2 harts,
# a 2-vCPU L2) with Debian sid's Linux 7.2 at both levels, the plugin's nacl=on.
RVNEST_KERNEL=7.2 RVNEST_L2_KERNEL=7.2 RVNEST_NACL=on exec "$(dirname "$0")/t-kvm-l2-smp-nested-vs-native.sh"

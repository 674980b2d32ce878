#!/usr/bin/env bash
# KVM in L1 running L2 Linux (t-kvm-l2-nested-vs-native.sh): L1 Linux 7.2
# (Debian sid) running an L2 Linux 6.12 (trixie), the plugin's nacl=off.
RVNEST_KERNEL=7.2 RVNEST_L2_KERNEL=6.12 RVNEST_NACL=off exec "$(dirname "$0")/t-kvm-l2-nested-vs-native.sh"

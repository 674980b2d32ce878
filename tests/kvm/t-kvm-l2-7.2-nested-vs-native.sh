#!/usr/bin/env bash
# KVM in L1 running L2 Linux (t-kvm-l2-nested-vs-native.sh), Debian sid's
# Linux 7.2 at both levels, the plugin's nacl=on.
RVNEST_KERNEL=7.2 RVNEST_L2_KERNEL=7.2 RVNEST_NACL=on exec "$(dirname "$0")/t-kvm-l2-nested-vs-native.sh"

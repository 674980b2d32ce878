#!/usr/bin/env bash
# kvm.ko initialisation on a CPU with Smstateen (t-kvm-init-native-vs-nested.sh,
# smstateen=true) with Debian sid's Linux 7.2 as L1 and the plugin's nacl=on.
RVNEST_KERNEL=7.2 RVNEST_NACL=on RVNEST_CPU_PROPS=smstateen=true exec "$(dirname "$0")/t-kvm-init-native-vs-nested.sh"

#!/usr/bin/env bash
# kvm.ko initialisation on a CPU with Smstateen, natively and under rvnest.
RVNEST_CPU_PROPS=smstateen=true exec "$(dirname "$0")/t-kvm-init-native-vs-nested.sh"

#!/usr/bin/env bash
# The Linux L1 test (t-linux-native-vs-nested.sh) with Debian sid's Linux 7.2
# as L1 and the plugin's nacl=on.
RVNEST_KERNEL=7.2 RVNEST_NACL=on exec "$(dirname "$0")/t-linux-native-vs-nested.sh"

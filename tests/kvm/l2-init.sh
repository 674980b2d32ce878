#!/bin/sh
# /init of the L2 guest: a deterministic workload (or, with rvnest_work= on
# its command line, l2-memwork's), its results on the console, then power
# off (SBI SRST, which the VMM sees as a system event).
export PATH=/bin
mount -t proc proc /proc
echo "RVNEST-L2: up, kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu(s)"
echo "RVNEST-L2: isa $(sed -n 's/^isa[[:space:]]*: //p' /proc/cpuinfo | head -1)"
if [ -n "${rvnest_work:-}" ]; then
    # rvnest_work="MODE ARGS;MODE ARGS;...": l2-memwork's workloads
    # (tests/kvm/l2-memwork.c) instead of the default one, in order; words
    # are separated by spaces or commas (commas fit in L1's
    # rvnest_l2_append="..."). Each prints its RVNEST-L2: work line.
    mount -t devtmpfs dev /dev 2>/dev/null    # /dev/mem: the bench device
    work_line() {
        # shellcheck disable=SC2046 # the words of the line
        set -- $(echo "$1" | sed 's/,/ /g')
        [ $# -gt 0 ] || return 0
        /bin/l2-memwork "$@" </dev/null || echo "RVNEST-L2: work $1 failed (status $?)"
    }
    set -f
    old_ifs=$IFS IFS=';'
    # shellcheck disable=SC2086 # split on ;
    set -- $rvnest_work
    IFS=$old_ifs
    for w in "$@"; do work_line "$w"; done
    set +f
else
    # 1. CPU-bound: hash a known stream
    echo "RVNEST-L2: md5=$(seq 1 20000 | md5sum | cut -d' ' -f1)"
    # 2. fork/exec-bound: page tables, TLB flushes, traps
    i=0
    while [ "$i" -lt 200 ]; do
        /bin/true || break
        i=$((i + 1))
    done
    echo "RVNEST-L2: forks=$i"
fi
echo "RVNEST-L2: done"
# poweroff -f does not wait for the console to drain: the 8250 driver sends
# from a polling timer (the VMM's UART has no interrupt line), so wait until
# its transmit counter stops moving. Linux 7.2 has no /proc/tty/driver/serial:
# there, stty setting the console's own settings again (tcsetattr TCSADRAIN)
# waits until the port has sent everything.
tx() { sed -n 's/.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial 2>/dev/null | head -1; }
if [ -r /proc/tty/driver/serial ]; then
    n=0
    while [ "$n" -lt 100 ]; do
        a=$(tx); sleep 0.05; b=$(tx)
        [ "$a" = "$b" ] && break
        n=$((n + 1))
    done
else
    stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null
fi
poweroff -f

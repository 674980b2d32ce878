#!/bin/sh
# /init of the L2 guest: a deterministic workload, its results on the
# console, then power off (SBI SRST, which the VMM sees as a system event).
export PATH=/bin
mount -t proc proc /proc
echo "RVNEST-L2: up, kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu(s)"
echo "RVNEST-L2: isa $(sed -n 's/^isa[[:space:]]*: //p' /proc/cpuinfo | head -1)"
# 1. CPU-bound: hash a known stream
echo "RVNEST-L2: md5=$(seq 1 20000 | md5sum | cut -d' ' -f1)"
# 2. fork/exec-bound: page tables, TLB flushes, traps
i=0
while [ "$i" -lt 200 ]; do
    /bin/true || break
    i=$((i + 1))
done
echo "RVNEST-L2: forks=$i"
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

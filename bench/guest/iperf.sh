#!/bin/sh
# Guest side of bench/nested-net.sh (in the overlay as /bench/iperf.sh): DHCP
# from the VMM's user-mode network, then iperf3 to the nested host's servers
# through the gateway 10.0.2.2: guest->host on port $1, host->guest (-R) on
# port $2, $3 seconds each.
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -T 2 -s /bench/udhcpc.sh >/dev/null 2>&1 || echo "LKVM-GUEST: net dhcp FAILED"
echo "LKVM-GUEST: net addr $(ip addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
/usr/bin/iperf3 -c 10.0.2.2 -p "$1" -t "$3" -f m 2>&1 | grep -E "sender|receiver|error" | sed 's/^/LKVM-GUEST: up /'
/usr/bin/iperf3 -c 10.0.2.2 -p "$2" -t "$3" -f m -R 2>&1 | grep -E "sender|receiver|error" | sed 's/^/LKVM-GUEST: down /'
echo "LKVM-GUEST: iperf done"

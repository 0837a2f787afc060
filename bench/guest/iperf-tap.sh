#!/bin/sh
# Guest side of the tap part of bench/nested-net.sh (in the overlay as /bench/iperf-tap.sh):
# a static address on the tap's network, then iperf3 to the nested host's
# servers on 192.168.100.1: guest->host on port $1, host->guest (-R) on port
# $2, $3 seconds each.
ip link set lo up
ip addr add 192.168.100.2/24 dev eth0
ip link set eth0 up
sleep 1
# A run that stalls (seen once in four) ends and is reported, not waited out.
limit=$(($3 * 4 + 30))
timeout "$limit" /usr/bin/iperf3 -c 192.168.100.1 -p "$1" -t "$3" -f m --connect-timeout 10000 2>&1 | grep -E "sender|receiver|error" | sed 's/^/LKVM-GUEST: up /'
timeout "$limit" /usr/bin/iperf3 -c 192.168.100.1 -p "$2" -t "$3" -f m -R --connect-timeout 10000 2>&1 | grep -E "sender|receiver|error" | sed 's/^/LKVM-GUEST: down /'
echo "LKVM-GUEST: iperf done"

#!/bin/sh
# Guest side of tap networking: a static 192.168.100.2/24 facing the host's
# tap at 192.168.100.1, then the transfers. $1: port, $2: MiB.
ip link set eth0 up
ip addr add 192.168.100.2/24 dev eth0
echo "LKVM-GUEST: net addr 192.168.100.2"
sh /e2e/net-xfer.sh 192.168.100.1 "$1" "$2"

#!/bin/sh
# Guest side of user-mode networking: DHCP from libslirp, then the transfers
# to the host's loopback through the gateway 10.0.2.2. $1: port, $2: MiB.
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -T 2 -s /e2e/udhcpc.sh >/dev/null 2>&1 || echo "LKVM-GUEST: net dhcp FAILED"
echo "LKVM-GUEST: net addr $(ip addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
sh /e2e/net-xfer.sh 10.0.2.2 "$1" "$2"

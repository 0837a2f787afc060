#!/bin/sh
# Guest side of the network checks, after eth0 is up: against the host's
# tests/e2e/net_peer.py at $1:$2, sends 1 MiB of random data and reads 1 MiB
# back (checksums printed for the host to compare), then times $3 MiB each
# way (zeros, nothing checked but the count).
host=$1 port=$2 mib=$3
uptime_cs() {
	read -r up rest </proc/uptime
	echo "${up%.*}${up#*.}"
}
dd if=/dev/urandom of=/tmp/up bs=1M count=1 2>/dev/null
nc "$host" "$port" </tmp/up >/tmp/down
echo "LKVM-GUEST: net exchange up=$(sha256sum </tmp/up | cut -d' ' -f1) down=$(sha256sum </tmp/down | cut -d' ' -f1) down_bytes=$(wc -c </tmp/down)"
t0=$(uptime_cs)
dd if=/dev/zero bs=1M count="$mib" 2>/dev/null | nc "$host" "$port" >/dev/null
t1=$(uptime_cs)
n=$(nc "$host" "$port" </dev/null | wc -c)
t2=$(uptime_cs)
echo "LKVM-GUEST: net tx_cs=$((t1 - t0)) rx_cs=$((t2 - t1)) rx_bytes=$n"
echo "LKVM-GUEST: net done"

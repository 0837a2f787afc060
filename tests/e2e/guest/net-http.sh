#!/bin/sh
# Guest side of tests/e2e/net-http.sh: DHCP from libslirp, a download from
# the host through the gateway, then a web server for the host's hostfwd.
# $1: the host's port on its loopback.
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -T 2 -s /e2e/udhcpc.sh >/dev/null 2>&1 || echo "LKVM-GUEST: net dhcp FAILED"
echo "LKVM-GUEST: net addr $(ip addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
if wget -q -O /tmp/blob "http://10.0.2.2:$1/blob"; then
	echo "LKVM-GUEST: http got $(wc -c </tmp/blob) bytes sha=$(sha256sum </tmp/blob | cut -d' ' -f1)"
else
	echo "LKVM-GUEST: http download FAILED"
fi
mkdir -p /tmp/www
echo "served-by-the-guest" >/tmp/www/hello
httpd -p 8080 -h /tmp/www
echo "LKVM-GUEST: http serving"
while :; do sleep 60; done

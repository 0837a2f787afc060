#!/bin/sh
# udhcpc's event script (busybox's default one is not in the initramfs).
case "$1" in
deconfig) ip addr flush dev "$interface" ;;
bound | renew)
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	;;
esac
exit 0

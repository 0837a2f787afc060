#!/bin/sh
# Guest side of the balloon check: touch nearly all free RAM once (so that the
# host has it resident and the balloon's pages are ones the host backs), free
# it, then wait for the host to inflate the balloon.
avail=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)
fill=$((avail / 1024 - 24))
mkdir -p /mnt/fill
mount -t tmpfs -o size=${fill}m tmpfs /mnt/fill
dd if=/dev/zero of=/mnt/fill/f bs=1M count=$fill 2>/dev/null
rm /mnt/fill/f
umount /mnt/fill
echo "LKVM-GUEST: balloon filled ${fill} MiB"
while :; do
	sleep 2
	echo "LKVM-GUEST: balloon $(grep -E 'MemFree' /proc/meminfo | tr -s ' ')"
done

#!/bin/sh
# Guest side of the read-only disk check: reads work, writes are refused.
dd if=/dev/vda of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null && echo "LKVM-GUEST: ro read ok"
[ "$(cat /sys/block/vda/ro)" = 1 ] && echo "LKVM-GUEST: ro flag set"
if dd if=/dev/zero of=/dev/vda bs=4k count=1 oflag=direct 2>/dev/null; then
	echo "LKVM-GUEST: ro write ACCEPTED"
else
	echo "LKVM-GUEST: ro write refused"
fi

#!/bin/sh
# Guest side of the durability check: write, fsync, say so, then wait to be killed.
# The line ends in "end": the host kills lkvm as soon as it sees it, and a
# serial console may still be printing the checksum when "synced" shows up.
dd if=/dev/urandom of=/tmp/data bs=1M count=1 2>/dev/null
if dd if=/tmp/data of=/dev/vda bs=1M count=1 conv=fsync 2>/dev/null; then
	echo "LKVM-GUEST: synced sha=$(sha256sum /tmp/data | cut -d' ' -f1) end"
else
	echo "LKVM-GUEST: write or fsync FAILED"
fi
while :; do sleep 3600; done

#!/bin/sh
# Guest side of tests/e2e/control.sh: write 1 MiB to /dev/vda with O_DIRECT
# (completed by lkvm, not cached here), then tick once a second with the
# memory the guest has available.
dd if=/dev/urandom of=/tmp/data bs=1M count=1 2>/dev/null
dd if=/tmp/data of=/dev/vda bs=1M count=1 oflag=direct 2>/dev/null
echo "LKVM-GUEST: written sha=$(sha256sum </tmp/data | cut -d' ' -f1) end"
i=0
while :; do
	i=$((i + 1))
	echo "LKVM-GUEST: tick $i avail_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo) end"
	sleep 1
done

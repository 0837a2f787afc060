#!/bin/sh
# Guest side of the disk round trip, for every virtio disk: 1 MiB of random
# data written with fsync, read back with O_DIRECT, checksums compared. Prints
# each checksum so the host can compare the image files after lkvm exits.
set -e
[ -b /dev/vda ] || { echo "LKVM-GUEST: no /dev/vda"; exit 1; }
for dev in /dev/vd?; do
	name=${dev#/dev/}
	dd if=/dev/urandom of=/tmp/data bs=1M count=1 2>/dev/null
	want=$(sha256sum /tmp/data | cut -d' ' -f1)
	dd if=/tmp/data of="$dev" bs=1M count=1 conv=fsync 2>/dev/null
	dd if="$dev" of=/tmp/back bs=1M count=1 iflag=direct 2>/dev/null
	got=$(sha256sum /tmp/back | cut -d' ' -f1)
	if [ "$want" = "$got" ]; then
		echo "LKVM-GUEST: roundtrip $name ok sha=$want"
	else
		echo "LKVM-GUEST: roundtrip $name MISMATCH wrote=$want read=$got"
	fi
done

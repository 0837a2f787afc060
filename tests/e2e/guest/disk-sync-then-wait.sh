#!/bin/sh
# Guest side of the durability check: write, fsync, say so, then wait to be killed.
dd if=/dev/urandom of=/tmp/data bs=1M count=1 2>/dev/null
dd if=/tmp/data of=/dev/vda bs=1M count=1 conv=fsync 2>/dev/null
echo "LKVM-GUEST: synced sha=$(sha256sum /tmp/data | cut -d' ' -f1)"
while :; do sleep 3600; done

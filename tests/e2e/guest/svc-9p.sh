#!/bin/sh
# Guest side of the virtio-9p check. $1: the host's path of the share's
# parent, where the host keeps a secret outside the share.
outside=$1
mkdir -p /mnt/share
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 hostshare /mnt/share; then
	echo "LKVM-GUEST: 9p mount FAILED"
	exit 1
fi
echo "LKVM-GUEST: 9p host-file $(cat /mnt/share/from-host.txt)"
echo "guest-wrote-this" >/mnt/share/from-guest.txt && sync
mkdir /mnt/share/dir && mv /mnt/share/from-guest.txt /mnt/share/dir/moved.txt &&
	cp /mnt/share/dir/moved.txt /mnt/share/from-guest.txt && rm /mnt/share/dir/moved.txt &&
	rmdir /mnt/share/dir && echo "LKVM-GUEST: 9p ops ok"
ln -s from-guest.txt /mnt/share/guest-link && [ "$(cat /mnt/share/guest-link)" = guest-wrote-this ] &&
	echo "LKVM-GUEST: 9p symlink ok"
# Escapes: '..' past the share's root, an absolute and a relative symlink the
# host planted. None may show the host's secret.
leak=none
for p in "/mnt/share/../secret" "/mnt/share/abs$outside/secret" "/mnt/share/rel$outside/secret" \
	"/mnt/share/..$outside/secret"; do
	if grep -q host-secret "$p" 2>/dev/null; then
		leak=$p
	fi
done
echo "data" >/mnt/share/../escaped.txt 2>/dev/null
echo "LKVM-GUEST: 9p escape leak=$leak"
df /mnt/share >/dev/null && echo "LKVM-GUEST: 9p statfs ok"
umount /mnt/share && echo "LKVM-GUEST: 9p done"

#!/bin/sh
# Guest side of bench/nested-disk.sh (in the overlay as /bench/fio-guest.sh):
# fio with its eighty-odd MiB of libraries is not copied into the
# initramfs; the guest mounts the nested host's root (9p tag hostroot,
# read-only) and runs bench/guest/fio.sh chrooted into it, on /dev/vda.
#
#   /bench/fio-guest.sh REPO SECONDS    (REPO: the checkout's path there)
P9=trans=virtio,version=9p2000.L,msize=262144,ro
mkdir -p /host
if ! mount -t 9p -o "$P9" hostroot /host; then
	echo "LKVM-GUEST: fio FAILED: cannot mount the nested host's root over 9p"
	exit 1
fi
mount --bind /dev /host/dev
mount --bind /proc /host/proc
mount --bind /sys /host/sys
# fio.sh's scratch files go to a tmpfs, on /tmp unless the checkout is there
# (a clone in /tmp, which the nested host shows through).
for scratch in /tmp /mnt; do
	case "$1/" in "$scratch"/*) ;; *) break ;; esac
done
mount -t tmpfs tmpfs "/host$scratch"
TMPDIR=$scratch chroot /host /bin/sh "$1/bench/guest/fio.sh" /dev/vda 1 "$2"

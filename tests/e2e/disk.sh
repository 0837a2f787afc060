#!/bin/sh
# shellcheck shell=dash
# Runs inside the nested host (bash on x86, busybox sh on arm64): virtio-blk
# end to end, per transport and backend.
#
#   tests/e2e/disk.sh LKVM KERNEL INITRD TRANSPORTS
#
# - roundtrip: three disks, one per host backend (uring, aio, sync); on each,
#   1 MiB written with fsync and read back with O_DIRECT in the guest matches,
#   and after lkvm exits each image holds the same bytes.
# - ro: a ro disk reads but refuses writes, and the image is unchanged.
# - sigkill: data the guest fsync'd is in the image after SIGKILL.
# Prints PASS:/FAIL: lines.
set -u

lkvm=$1 kernel=$2 base_initrd=$3 transports=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-disk.XXXXXX")
timeout_s=${LKVM_E2E_BOOT_TIMEOUT:-120}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

boot() {
	local log="$1" script="$2"
	shift 2
	timeout -k 5 "$timeout_s" "$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 2 \
		-p quiet -p lkvm.action=script -p "lkvm.script=/e2e/$script" "$@" </dev/null >"$log" 2>&1
}

image_sha() {
	dd if="$1" bs=1M count=1 2>/dev/null | sha256sum | cut -d' ' -f1
}

# One guest, three disks, one per host backend: vda (uring), vdb (aio), vdc (sync).
roundtrip() {
	local t="$1" name="roundtrip-$1" log status io dev want ok=1
	log=$work/$name.log
	for io in uring aio sync; do
		truncate -s 67108864 "$work/$io.img"
	done
	boot "$log" disk-roundtrip.sh --virtio-transport "$t" -d "$work/uring.img,io=uring" \
		-d "$work/aio.img,io=aio" -d "$work/sync.img,io=sync"
	status=$?
	for io in uring aio sync; do
		case "$io" in uring) dev=vda ;; aio) dev=vdb ;; sync) dev=vdc ;; esac
		want=$(sed -n "s/.*LKVM-GUEST: roundtrip $dev ok sha=\([0-9a-f]*\).*/\1/p" "$log")
		if [ "$status" -ne 0 ] || [ -z "$want" ]; then
			fail "$name-$io: exit $status, no good round trip on /dev/$dev in the guest" "$log"
			ok=0
		elif [ "$(image_sha "$work/$io.img")" != "$want" ]; then
			fail "$name-$io: the image on the host does not hold what the guest wrote" "$log"
			ok=0
		else
			echo "PASS: $name-$io (/dev/$dev written, read back O_DIRECT in the guest; the host image matches)"
		fi
		rm -f "$work/$io.img"
	done
	[ "$ok" = 1 ]
}

read_only() {
	local t="$1" name="ro-$1" log status before
	log=$work/$name.log
	dd if=/dev/urandom of="$work/ro.img" bs=1048576 count=1 2>/dev/null
	truncate -s 16777216 "$work/ro.img"
	before=$(image_sha "$work/ro.img")
	boot "$log" disk-ro.sh --virtio-transport "$t" -d "$work/ro.img,ro"
	status=$?
	if [ "$status" -ne 0 ] || ! grep -q "LKVM-GUEST: ro read ok" "$log" ||
		! grep -q "LKVM-GUEST: ro write refused" "$log" ||
		! grep -q "LKVM-GUEST: ro flag set" "$log"; then
		fail "$name: exit $status" "$log"
	elif [ "$(image_sha "$work/ro.img")" != "$before" ]; then
		fail "$name: the read-only image changed" "$log"
	else
		echo "PASS: $name (reads work, the guest's write is refused, the image is unchanged)"
	fi
	rm -f "$work/ro.img"
}

sigkill() {
	local t="$1" name="sigkill-$1" log pid want i
	log=$work/$name.log
	truncate -s 16777216 "$work/k.img"
	"$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 2 -p quiet -p lkvm.action=script \
		-p lkvm.script=/e2e/disk-sync-then-wait.sh --virtio-transport "$t" -d "$work/k.img" \
		</dev/null >"$log" 2>&1 &
	pid=$!
	i=0
	while [ "$i" -lt "$timeout_s" ] && ! grep -q "LKVM-GUEST: synced sha=.* end" "$log" &&
		! grep -q "LKVM-GUEST: write or fsync FAILED" "$log"; do
		sleep 1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	want=$(sed -n 's/.*LKVM-GUEST: synced sha=\([0-9a-f]*\) end.*/\1/p' "$log")
	if [ -z "$want" ]; then
		fail "$name: the guest never reported its fsync" "$log"
	elif [ "$(image_sha "$work/k.img")" != "$want" ]; then
		fail "$name: fsync'd data is not in the image after SIGKILL" "$log"
	else
		echo "PASS: $name (fsync'd data is in the image after SIGKILL)"
	fi
	rm -f "$work/k.img"
}

make_initrd
for t in $transports; do
	retry roundtrip "$t"
	retry read_only "$t"
	retry sigkill "$t"
done
rm -rf "$work"

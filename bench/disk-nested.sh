#!/usr/bin/env bash
# Guest disk throughput beside the nested host's own file, per transport and
# backend: bench/disk-nested.sh (from the repository root, after make).
# The guest runs diskbench on /dev/vda with O_DIRECT; the nested host runs it
# buffered on the same kind of file (its /tmp is tmpfs, which has no O_DIRECT),
# which is what lkvm itself does underneath. Numbers, not assertions.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
gcc -O2 -static -o bench/out/diskbench bench/diskbench.c
guest/build.sh x86_64 >/dev/null
# shellcheck disable=SC2016 # expanded inside the nested host
tests/e2e/nested.sh --smp 2 --mem 4096 --timeout 900 -- bash -c '
	set -u
	work=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
	mkdir -p "$work/overlay/bin"
	cp bench/out/diskbench "$work/overlay/bin/"
	(cd "$work/overlay" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/o.cpio.gz"
	cat guest/out/initramfs-x86_64.cpio.gz "$work/o.cpio.gz" >"$work/initrd"
	truncate -s 256M "$work/host.img"
	echo "nested-host-file: $(bench/out/diskbench -b "$work/host.img" 256)"
	for t in pci mmio; do
		for io in uring aio sync; do
			truncate -s 256M "$work/g.img"
			out=$(timeout 300 ./lkvm run -k guest/out/vmlinuz-x86_64 -i "$work/initrd" -m 512 -c 2 \
				--virtio-transport "$t" -d "$work/g.img,io=$io" -p quiet -p lkvm.action=script \
				-p "lkvm.script=\"/bin/diskbench /dev/vda 256\"" </dev/null 2>&1 | grep "^BENCH" || true)
			echo "guest-$t-$io: ${out:-no result}"
			rm -f "$work/g.img"
		done
	done
	rm -rf "$work"
'

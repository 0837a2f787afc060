#!/usr/bin/env bash
# Disk throughput in the guest, lkvm beside QEMU, inside the nested x86 host:
#
#   tests/e2e/nested.sh --mem 4096 --timeout 2400 -- bench/nested-disk.sh [RUNS]   (bench/run)
#
# The approach of bench/disk-nested.sh (lkvm's backends among themselves),
# here against a peer: bench/diskbench (static) in an overlay runs in the
# default guest (1 vCPU, 256 MiB) on /dev/vda with O_DIRECT over a 256 MiB
# raw image in this host's scratch folder: sequential 1 MiB writes and reads
# (MB/s), 4 KiB random reads and writes at queue depth 1 (IOPS). lkvm: its
# default backend (io_uring where the host has it), buffered on the host;
# QEMU: aio=io_uring with its default cache=writeback, also buffered. Both
# transports each. RUNS boots per VMM (default 3); rows go to
# $LKVM_NESTED_OUT/disk.tsv.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/nested-lib.sh
. bench/nested-lib.sh

runs=${1:-3}
bench_init disk
[ -x bench/out/diskbench ] || { echo "bench: bench/out/diskbench is not built (bench/run builds it)" >&2; exit 1; }
mkdir -p "$WORK/overlay/bin"
cp bench/out/diskbench "$WORK/overlay/bin/"
(cd "$WORK/overlay" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$WORK/o.cpio.gz"
cat "$INITRD" "$WORK/o.cpio.gz" >"$WORK/initrd"

for vmm in lkvm-pci lkvm-mmio qemu-q35 qemu-microvm; do
	for run in $(seq "$runs"); do
		rm -f "$WORK/g.img"
		truncate -s 256M "$WORK/g.img"
		vmm_cmd "$vmm" 1 "$WORK/initrd" \
			"quiet lkvm.action=script lkvm.script=\"/bin/diskbench /dev/vda 256\"" "blk:$WORK/g.img" || exit 1
		log=$LOGS/$vmm-$run.log
		timed_boot "$log"
		line=$(grep -a "^BENCH " "$log" | head -n 1)
		if [ -z "$line" ]; then
			fail_note "disk $vmm run $run" "$log"
		fi
		for key in seqwrite_MBps seqread_MBps randread_iops randwrite_iops; do
			value=$(sed -n "s/.* $key=\([0-9.]*\).*/\1/p" <<<" $line")
			row "disk_$key" "${vmm%%-*}" "$vmm" "$run" "${value:-fail}" "${key##*_}"
		done
		[ -z "$line" ] || echo "bench: disk $vmm run $run: ${line#BENCH }"
	done
done
rm -f "$WORK/g.img"
bench_done

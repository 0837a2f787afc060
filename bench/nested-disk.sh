#!/usr/bin/env bash
# Disk throughput in the guest, each lkvm backend and transport beside QEMU,
# and the nested host's own file as the ceiling, inside the nested x86 host:
#
#   tests/e2e/nested.sh --mem 4096 --timeout 2400 -- bench/nested-disk.sh [RUNS]   (bench/run)
#
# fio (bench/guest/fio.sh, libaio) runs 4 KiB random reads and writes at
# queue depth 1 and 32 (IOPS) and 1 MiB sequential reads and writes at
# depth 1 (MB/s) on /dev/vda with O_DIRECT, in the default guest (1 vCPU,
# 256 MiB), over a 256 MiB raw image filled with zeroes in this host's
# scratch folder (a tmpfs: the ceiling is memory, not a device). The guest
# reaches fio through the nested host's root over 9p (bench/guest/
# fio-guest.sh), the same way under both VMMs. lkvm: io_uring, libaio and
# the synchronous backend on virtio-pci, io_uring on virtio-mmio, all
# through the host's page cache; QEMU: aio=io_uring with its default
# cache=writeback, q35 (virtio-pci) and microvm (virtio-mmio). The ceiling:
# the same jobs on the image file here, through the page cache (tmpfs has
# no O_DIRECT). RUNS rounds (default 2; bench/run asks for 1), each job BENCH_FIO_SECONDS
# (default 2) after 1 s of ramp; rows go to $LKVM_NESTED_OUT/disk.tsv.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/nested-lib.sh
. bench/nested-lib.sh

runs=${1:-2}
secs=${BENCH_FIO_SECONDS:-2}
jobs="randread_qd1 randread_qd32 randwrite_qd1 randwrite_qd32 seqread seqwrite"
bench_init disk
command -v fio >/dev/null || { echo "bench: no fio here (scripts/setup installs it)" >&2; exit 1; }
mkdir -p "$WORK/overlay/bench"
cp bench/guest/fio-guest.sh "$WORK/overlay/bench/"
(cd "$WORK/overlay" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$WORK/o.cpio.gz"
cat "$INITRD" "$WORK/o.cpio.gz" >"$WORK/initrd"
repo=$(pwd)

fresh_image() {
	rm -f "$WORK/g.img"
	head -c 256M /dev/zero >"$WORK/g.img"
}

# rows_from LOG VMM CONFIG RUN: one row per job from the LKVM-GUEST: fio lines.
rows_from() {
	local log=$1 vmm=$2 config=$3 run=$4 j line value unit
	for j in $jobs; do
		line=$(grep -a "LKVM-GUEST: fio $j " "$log" | head -n 1)
		case "$j" in
		seq*) unit=MBps value=$(sed -n 's/.* MBps=\([0-9.]*\).*/\1/p' <<<"$line") ;;
		*) unit=iops value=$(sed -n 's/.* iops=\([0-9]*\).*/\1/p' <<<"$line") ;;
		esac
		row "disk_$j" "$vmm" "$config" "$run" "${value:-fail}" "$unit"
	done
}

# fio_summary LOG: the job lines of LOG on one line, for the progress output.
fio_summary() {
	grep -a 'LKVM-GUEST: fio ' "$1" | sed 's/.*LKVM-GUEST: fio //' | tr -d '\r' | tr '\n' ' '
}

for run in $(seq "$runs"); do
	fresh_image
	log=$LOGS/host-$run.log
	sh bench/guest/fio.sh "$WORK/g.img" 0 "$secs" >"$log" 2>&1
	rows_from "$log" host host-file "$run"
	echo "bench: disk host file run $run: $(fio_summary "$log")"
	for config in lkvm-pci-uring lkvm-pci-aio lkvm-pci-sync lkvm-mmio-uring qemu-q35 qemu-microvm; do
		fresh_image
		case "$config" in
		lkvm-*) vmm=${config%-*} dev="blk:$WORK/g.img,io=${config##*-}" ;;
		*) vmm=$config dev="blk:$WORK/g.img" ;;
		esac
		vmm_cmd "$vmm" 1 "$WORK/initrd" \
			"quiet lkvm.action=script lkvm.script=\"sh /bench/fio-guest.sh $repo $secs\"" "$dev" hostroot || exit 1
		log=$LOGS/$config-$run.log
		timed_boot "$log"
		grep -q "LKVM-GUEST: fio done" "$log" || fail_note "disk $config run $run" "$log"
		rows_from "$log" "${vmm%%-*}" "$config" "$run"
		echo "bench: disk $config run $run: $(fio_summary "$log")"
	done
done
rm -f "$WORK/g.img"
bench_done

#!/bin/sh
# The disk jobs of bench/nested-disk.sh, the same wherever they run: in the
# guest (chrooted into the nested host's root over 9p, see fio-guest.sh),
# and on the nested host's own file for the ceiling.
#
#   sh bench/guest/fio.sh TARGET DIRECT SECONDS
#
# TARGET: a block device or a file of at least 256 MiB; DIRECT: 1 for
# O_DIRECT, 0 for the page cache. One fio run (its libraries load once; in
# the guest they come over 9p) with the jobs one after another. Prints one
# line per job:
#   LKVM-GUEST: fio JOB iops=N MBps=N
# then "LKVM-GUEST: fio done", or "fio FAILED" with fio's complaint.
target=$1 direct=$2 secs=$3
jobs=$(mktemp "${TMPDIR:-/tmp}/fio-jobs.XXXXXX") || exit 1

# job NAME RW BS DEPTH
job() {
	printf '[%s]\nrw=%s\nbs=%s\niodepth=%s\nstonewall\n' "$@" >>"$jobs"
}

printf '[global]\nfilename=%s\ndirect=%s\nioengine=libaio\nsize=256M\nruntime=%s\ntime_based\nramp_time=1\nnorandommap\nrandrepeat=0\n' \
	"$target" "$direct" "$secs" >"$jobs"
job randread_qd1 randread 4k 1
job randread_qd32 randread 4k 32
job randwrite_qd1 randwrite 4k 1
job randwrite_qd32 randwrite 4k 32
job seqread read 1M 1
job seqwrite write 1M 1

# fio's terse lines: the job's name in field 3, the read bandwidth (KiB/s)
# and IOPS in fields 7 and 8, the write ones in 48 and 49.
if out=$(fio --minimal "$jobs" 2>&1); then
	echo "$out" | awk -F';' '
		$1 == "3" && NF > 50 {
			f = ($3 ~ /read/) ? 7 : 48
			printf "LKVM-GUEST: fio %s iops=%.0f MBps=%.1f\n", $3, $(f + 1), $f * 1024 / 1e6
		}'
	echo "LKVM-GUEST: fio done"
else
	echo "LKVM-GUEST: fio FAILED: $(echo "$out" | tail -n 1)"
fi
rm -f "$jobs"

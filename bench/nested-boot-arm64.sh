#!/bin/sh
# shellcheck shell=dash
# Boot time of the default arm64 guest, lkvm beside QEMU, inside the nested arm64
# host (busybox sh, in the staging folder that bench/run fills):
#
#   tests/e2e/nested.sh --arch arm64 --stage ... -- sh bench/nested-boot-arm64.sh [RUNS]
#
# The arm64 side of bench/nested-boot.sh. Per VMM (lkvm with virtio-pci and with
# virtio-mmio; QEMU's virt machine with the virtio device on its PCIe bus and on
# one of its virtio-mmio slots) and per vCPU count (1, 2): RUNS boots (default
# 5) of guest/out's arm64 kernel and initramfs with 256 MiB, one virtio-rng and
# "console=ttyAMA0 earlycon quiet lkvm.action=poweroff". bench/out/boot_timer-arm64
# times each boot: wall-clock ms from the VMM's start to the guest's first
# "LKVM-GUEST: hello" line and to the VMM's exit after the guest powered off.
# Rows go to $LKVM_NESTED_OUT/boot-arm64.tsv (figure, vmm, config, run, value,
# unit; value "fail" for a failed boot), logs to boot-arm64-logs/ beside it.
set -u

LKVM=./build/arm64-bundle/lkvm-arm64
QEMU=./build/qemu-arm64-bundle/qemu-system-aarch64
TIMER=./bench/out/boot_timer-arm64
KERNEL=guest/out/vmlinuz-arm64
INITRD=guest/out/initramfs-arm64.cpio.gz
ARGS="quiet lkvm.action=poweroff"
# What lkvm puts first on every arm64 command line; the QEMU runs get the same.
LKVM_CMDLINE="console=ttyAMA0 earlycon"
TIMEOUT=${BENCH_BOOT_TIMEOUT:-240}
OUT=${LKVM_NESTED_OUT:-/tmp}
TSV=$OUT/boot-arm64.tsv
LOGS=$OUT/boot-arm64-logs
runs=${1:-5}

row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$TSV"
}

# timed_boot VMM CPUS LOG: one boot; sets HELLO_MS ("-" when the line never
# came), EXIT_MS and RC.
timed_boot() {
	vmm=$1 cpus=$2 log=$3
	case "$vmm" in
	lkvm-*)
		set -- "$LKVM" run -k "$KERNEL" -i "$INITRD" -m 256 -c "$cpus" --nodefaults \
			--virtio-transport "${vmm#lkvm-}" --rng -p "$ARGS"
		;;
	qemu-virt-*)
		if [ "$vmm" = qemu-virt-pci ]; then dev=virtio-rng-pci; else dev=virtio-rng-device; fi
		set -- "$QEMU" -M virt,gic-version=3 -accel kvm -cpu host -smp "$cpus" -m 256 \
			-nodefaults -no-user-config -display none -serial stdio -no-reboot \
			-kernel "$KERNEL" -initrd "$INITRD" -append "$LKVM_CMDLINE $ARGS" -device "$dev"
		;;
	esac
	# shellcheck disable=SC2046 # three words: HELLO_MS EXIT_MS STATUS
	set -- $("$TIMER" "$TIMEOUT" "LKVM-GUEST: hello" "$log" -- "$@")
	HELLO_MS=${1:--} EXIT_MS=${2:-0} RC=${3:-2}
}

boot_ok() {
	[ "$RC" = 0 ] && [ "$HELLO_MS" != - ] && grep -q "LKVM-GUEST: selfcheck ok" "$1"
}

: >"$TSV"
mkdir -p "$LOGS"
for f in "$LKVM" "$QEMU" "$TIMER" "$KERNEL" "$INITRD"; do
	[ -e "$f" ] || { echo "bench: $f is not staged" >&2; exit 1; }
done
echo "bench: $("$QEMU" --version | head -n 1); lkvm $("$LKVM" version)"
for cpus in 1 2; do
	for vmm in lkvm-pci lkvm-mmio qemu-virt-pci qemu-virt-mmio; do
		config="$vmm c$cpus"
		for run in $(seq "$runs"); do
			log=$LOGS/$vmm-c$cpus-$run.log
			timed_boot "$vmm" "$cpus" "$log"
			if boot_ok "$log"; then
				row boot_to_hello_ms "${vmm%%-*}" "$config" "$run" "$HELLO_MS" ms
				row boot_to_exit_ms "${vmm%%-*}" "$config" "$run" "$EXIT_MS" ms
				echo "bench: boot-arm64 $config run $run: hello $HELLO_MS ms, exit $EXIT_MS ms"
			else
				row boot_to_hello_ms "${vmm%%-*}" "$config" "$run" fail ms
				row boot_to_exit_ms "${vmm%%-*}" "$config" "$run" fail ms
				echo "bench: FAILED boot-arm64 $config run $run (exit $RC):" \
					"$(grep -a . "$log" | tail -n 1 | cut -c1-160)"
			fi
		done
	done
done

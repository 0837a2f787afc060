#!/usr/bin/env bash
# Boot time of the default guest, lkvm beside QEMU, inside the nested x86 host:
#
#   tests/e2e/nested.sh --timeout 2400 -- bench/nested-boot.sh [RUNS]    (bench/run does this)
#
# Per VMM (lkvm with virtio-pci and with virtio-mmio; QEMU's microvm machine,
# whose virtio is MMIO, and q35, whose virtio is PCI) and per vCPU count (1, 2):
# RUNS boots (default 5) of guest/out's kernel (its vmlinux) and initramfs with 256 MiB, one
# virtio-rng and "console=ttyS0 reboot=acpi quiet lkvm.action=poweroff". Each
# boot gives two figures, in wall-clock ms from the VMM's start: the guest's
# first "LKVM-GUEST: hello" line (its init is running and has loaded the virtio
# modules) and the VMM's exit after the guest powered off. Rows go to
# $LKVM_NESTED_OUT/boot.tsv; a failed boot is a row with value "fail".
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/nested-lib.sh
. bench/nested-lib.sh

runs=${1:-5}
bench_init boot
for cpus in 1 2; do
	for vmm in lkvm-pci lkvm-mmio qemu-microvm qemu-q35; do
		config="$vmm c$cpus"
		vmm_cmd "$vmm" "$cpus" "$INITRD" "quiet lkvm.action=poweroff" rng || exit 1
		for run in $(seq "$runs"); do
			log=$LOGS/$vmm-c$cpus-$run.log
			timed_boot "$log"
			if boot_ok "$log"; then
				row boot_to_hello_ms "${vmm%%-*}" "$config" "$run" "$HELLO_MS" ms
				row boot_to_exit_ms "${vmm%%-*}" "$config" "$run" "$EXIT_MS" ms
				echo "bench: boot $config run $run: hello ${HELLO_MS} ms, exit ${EXIT_MS} ms"
			else
				row boot_to_hello_ms "${vmm%%-*}" "$config" "$run" fail ms
				row boot_to_exit_ms "${vmm%%-*}" "$config" "$run" fail ms
				fail_note "boot $config run $run" "$log"
			fi
		done
	done
done
bench_done

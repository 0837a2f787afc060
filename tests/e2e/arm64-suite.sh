#!/bin/sh
# shellcheck shell=dash
# What the arm64 nested host runs (busybox sh, in the staging folder): the
# boot table, virtio-blk on both transports, the guest services, then
# user-mode networking on both transports; then disks and networking again
# with lkvm built with ASan+UBSan.
sh tests/e2e/boot.sh tests/e2e/boot-arm64.tsv ./build/arm64-bundle/lkvm-arm64 guest/out arm64
sh tests/e2e/disk.sh ./build/arm64-bundle/lkvm-arm64 guest/out/vmlinuz-arm64 guest/out/initramfs-arm64.cpio.gz "pci mmio"
sh tests/e2e/services.sh ./build/arm64-bundle/lkvm-arm64 guest/out/vmlinuz-arm64 guest/out/initramfs-arm64.cpio.gz \
	"console rng 9p clock"
sh tests/e2e/net-http.sh ./build/arm64-bundle/lkvm-arm64 guest/out/vmlinuz-arm64 \
	guest/out/initramfs-arm64.cpio.gz "pci mmio"
sh tests/e2e/sanitized.sh ./build/arm64-san-bundle/lkvm-arm64 guest/out/vmlinuz-arm64 \
	guest/out/initramfs-arm64.cpio.gz

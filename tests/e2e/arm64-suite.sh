#!/bin/sh
# shellcheck shell=dash
# What the arm64 nested host runs (busybox sh, in the staging folder): the
# boot table, then virtio-blk on both transports.
sh tests/e2e/boot.sh tests/e2e/boot-arm64.tsv ./lkvm-arm64 guest/out arm64
sh tests/e2e/disk.sh ./lkvm-arm64 guest/out/vmlinuz-arm64 guest/out/initramfs-arm64.cpio.gz "pci mmio"

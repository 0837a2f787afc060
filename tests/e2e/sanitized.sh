#!/bin/sh
# shellcheck shell=dash
# Runs inside the nested host (bash on x86, busybox sh on arm64): the disk and
# user-mode networking checks again with an lkvm built with SANITIZE=1
# (ASan+UBSan), so that what only a real Linux guest drives (virtio-pci with
# MSI-X, io_uring/aio/sync completions, SIGKILL with writes in flight,
# libslirp with DHCP and hostfwd) runs under the sanitizers too.
#
#   tests/e2e/sanitized.sh LKVM KERNEL INITRD
#
# Any ASan report or UBSan runtime error ends lkvm with a non-zero status,
# which fails the check that ran it; a leak found at exit does the same.
# Prints the same PASS:/FAIL:/INFO: lines, named "sanitized <check>".
set -u

lkvm=$1 kernel=$2 initrd=$3
here=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

prefix() {
	sed -e 's/^\(PASS\|FAIL\|INFO\): /\1: sanitized /'
}

if [ ! -x "$lkvm" ]; then
	echo "FAIL: sanitized: $lkvm is not built (make SANITIZE=1)"
	exit 1
fi
sh "$here/disk.sh" "$lkvm" "$kernel" "$initrd" pci 2>&1 | prefix
sh "$here/net-http.sh" "$lkvm" "$kernel" "$initrd" pci 2>&1 | prefix

#!/usr/bin/env bash
# The arm64 cross builds: the dynamic ./lkvm-arm64 (with user-mode networking,
# libslirp loaded on demand; the arm64 e2e runs it) and the static
# ./lkvm-arm64-static both build and link.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
	echo "SKIP: arm64 cross build: aarch64-linux-gnu-gcc is not installed (scripts/setup installs it)"
	exit 0
fi
# libfdt for arm64 comes from a sysroot in the cache (scripts/arm64-sysroot explains why).
if ! scripts/arm64-sysroot >/dev/null; then
	echo "FAIL: arm64 cross build: scripts/arm64-sysroot could not prepare libfdt for arm64"
	exit 1
fi
make -s ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- STATIC=1 >/dev/null
if file lkvm-arm64-static | grep -q 'ARM aarch64.*statically linked'; then
	echo "PASS: lkvm-arm64-static is a static aarch64 executable"
else
	echo "FAIL: lkvm-arm64-static: $(file lkvm-arm64-static)"
fi
make -s ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- >/dev/null
# libslirp is dlopen'ed (virtio/net_slirp.c), not linked: named in the
# binary, absent from its DT_NEEDED.
if file lkvm-arm64 | grep -q 'ARM aarch64.*dynamically linked' &&
	grep -aq 'libslirp\.so\.0' lkvm-arm64 &&
	! aarch64-linux-gnu-readelf -d lkvm-arm64 | grep -q "NEEDED.*libslirp"; then
	echo "PASS: lkvm-arm64 is a dynamic aarch64 executable with user-mode networking loaded on demand"
else
	echo "FAIL: lkvm-arm64: $(file lkvm-arm64); $(aarch64-linux-gnu-readelf -d lkvm-arm64 | grep -c NEEDED) NEEDED"
fi

#!/usr/bin/env bash
# Builds an initramfs overlay that gives the default guest iperf3:
#
#   bench/iperf3-overlay.sh OUT.cpio.gz
#
# Copies this machine's /usr/bin/iperf3, the shared libraries ldd names and
# the loader (at their own paths), bench/guest/iperf.sh as /bench/iperf.sh and
# tests/e2e/guest/udhcpc.sh as /bench/udhcpc.sh. Appended to the default
# initramfs (cat base.cpio.gz OUT.cpio.gz), as tests/e2e/net.sh appends its
# overlay: the kernel unpacks both, the later files on top.
set -euo pipefail
out=${1:?usage: bench/iperf3-overlay.sh OUT.cpio.gz}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(command -v iperf3) || {
	echo "iperf3-overlay: no iperf3 here; install it (scripts/setup)" >&2
	exit 1
}
stage=$(mktemp -d "${TMPDIR:-/tmp}/iperf3-overlay.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
mkdir -p "$stage/usr/bin" "$stage/bench"
cp -L "$bin" "$stage/usr/bin/iperf3"
# "libx.so => /path (addr)", "/lib64/ld-linux-x86-64.so.2 (addr)", "linux-vdso.so.1 (addr)"
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
cp "$root/bench/guest/iperf.sh" "$stage/bench/iperf.sh"
cp "$root/bench/guest/iperf-tap.sh" "$stage/bench/iperf-tap.sh"
cp "$root/tests/e2e/guest/udhcpc.sh" "$stage/bench/udhcpc.sh"
(cd "$stage" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$out"

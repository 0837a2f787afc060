#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the arm64 device trees with dtc: the sample machine of fdt_dump
# (1, 4 and 8 CPUs; GICv2, GICv3, GICv3 with ITS; virtio-mmio devices and
# a PCI host), each decompiled with "dtc -I dtb -O dts", failing on any
# warning (dtc checks reg, ranges, interrupt-map, phandles and PCI nodes).
# The decompiled source is not compiled back: it has numbers where dtc's
# source checks want &label references, which only warns about itself.
#
#   tests/unit/fdt_dtc.sh [BUILD_DIR]
#
# Uses BUILD_DIR/tests/unit/fdt_dump when there is one, otherwise compiles
# it. Prints PASS:/FAIL: lines; exits 77 (skipped) when dtc is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v dtc >/dev/null 2>&1; then
	echo "SKIP: dtc not installed (Debian package device-tree-compiler)"
	exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dump=${1:-}/tests/unit/fdt_dump
if [ -z "${1:-}" ] || [ ! -x "$dump" ]; then
	dump=$work/fdt_dump
	${CC:-cc} -Wall -Wextra -Werror -D_GNU_SOURCE -I"$root" -o "$dump" \
		"$root/tests/unit/fdt_dump.c" "$root/fdt/fdt.c" "$root/core/util.c" -lfdt
fi
"$dump" "$work"

fail=0
n=0
for dtb in "$work"/*.dtb; do
	name=$(basename "$dtb" .dtb)
	n=$((n + 1))
	if ! dtc -q -I dtb -O dts -o "$work/$name.dts" "$dtb" 2>/dev/null; then
		echo "FAIL: $name: dtc cannot read the blob"
		fail=1
		continue
	fi
	# Without -q, dtc reports every check that fails as a warning on stderr.
	dtc -I dtb -O dts -o /dev/null "$dtb" 2>"$work/$name.log" || true
	if [ -s "$work/$name.log" ]; then
		echo "FAIL: $name: dtc warns:"
		sed 's/^/    /' "$work/$name.log"
		fail=1
	fi
done
[ "$n" -eq 9 ] || { echo "FAIL: fdt_dump wrote $n blobs, not 9"; fail=1; }
[ "$fail" = 0 ] && echo "PASS: fdt_dtc ($n device trees clean under dtc -I dtb -O dts)"
exit "$fail"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks the ACPI tables of a sample platform with the ACPICA tools:
#  - "iasl -d" on each table, failing on any error or firmware warning
#    (bad checksums, malformed AML or resource descriptors);
#  - each disassembly compiled back with iasl, which runs the compiler's
#    semantic checks (predefined names, _HID format, resource fields);
#  - acpiexec loading the tables and parsing every _CRS, and the PCI host
#    bridge's _PRT, the way the ACPICA in a Linux guest does.
#
#   tests/unit/acpi_iasl.sh [BUILD_DIR]
#
# Uses BUILD_DIR/tests/unit/acpi_dump when tests/run passes one that has it,
# otherwise compiles acpi_dump itself. Prints PASS:/FAIL: lines for tests/run
# and exits 77 (the automake "skipped" code) when iasl is not installed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v iasl >/dev/null 2>&1; then
	echo "SKIP: iasl not installed (Debian package acpica-tools)"
	exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out
mkdir "$out"

dump=${1:-}/tests/unit/acpi_dump
if [ -z "${1:-}" ] || [ ! -x "$dump" ]; then
	dump=$work/acpi_dump
	${CC:-cc} -Wall -Wextra -Werror -I"$root" -o "$dump" \
		"$root/tests/unit/acpi_dump.c" "$root/acpi/acpi.c" \
		"$root/acpi/aml.c" "$root/core/util.c"
fi
"$dump" "$out"

fail=0

indent() {
	sed 's/^/    /'
}

bad() {
	echo "FAIL: $*"
	fail=1
}

# Errors and firmware warnings fail; warnings about externals are expected.
scan_log() {
	local what=$1 log=$2 hits

	hits=$(grep -iE 'error|warning|invalid|incorrect|exception|not a valid|segmentation' "$log" |
		grep -viE 'external|^Compilation (successful|complete)' || true)
	if [ -n "$hits" ]; then
		bad "$what:"
		indent <<<"$hits"
	fi
}

# The RSDP has no standard header (bytes 4..7 are "PTR ", not a length), and
# some iasl releases refuse it as a binary file; then the checks are done here.
byte_sum() {
	od -An -tu1 -v -N"$2" "$1" |
		awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }'
}

check_rsdp_by_hand() {
	local f=$1 sum

	[ "$(head -c 8 "$f")" = "RSD PTR " ] || bad "rsdp.dat: bad signature"
	sum=$(byte_sum "$f" 20)
	[ "$sum" = 0 ] || bad "rsdp.dat: first 20 bytes sum to $sum, not 0"
	sum=$(byte_sum "$f" 36)
	[ "$sum" = 0 ] || bad "rsdp.dat: all 36 bytes sum to $sum, not 0"
	echo "rsdp.dat: this iasl refuses a binary RSDP; checksums checked here"
}

disassemble() {
	local name=$1 log=$work/$1.dis.log

	if ! iasl -d "$out/$name.dat" >"$log" 2>&1; then
		if [ "$name" = rsdp ] && grep -q 'does not contain a valid ACPI table' "$log"; then
			check_rsdp_by_hand "$out/rsdp.dat"
			return
		fi
		bad "iasl -d $name.dat exited non-zero"
		indent <"$log"
		return
	fi
	scan_log "iasl -d $name.dat" "$log"
	[ -s "$out/$name.dsl" ] || bad "iasl -d $name.dat wrote no $name.dsl"
}

recompile() {
	local name=$1 log=$work/$1.asl.log

	[ -s "$out/$name.dsl" ] || return 0
	if ! (cd "$out" && iasl -p "$work/$name.re" "$name.dsl") >"$log" 2>&1; then
		bad "iasl could not compile $name.dsl back"
		indent <"$log"
		return
	fi
	scan_log "iasl $name.dsl" "$log"
	grep -qE '^Compilation successful\. 0 Errors' "$log" ||
		bad "iasl $name.dsl: $(grep -E '^Compilation' "$log" || echo 'no summary')"
}

# iasl prints an undecodable _CRS as a plain Buffer rather than failing.
check_crs_decoded() {
	local dsl=$out/dsdt.dsl all templates

	all=$(grep -c 'Name (_CRS,' "$dsl" || true)
	templates=$(grep -c 'Name (_CRS, ResourceTemplate ()' "$dsl" || true)
	[ "$all" -gt 0 ] || bad "dsdt.dsl has no _CRS at all"
	[ "$all" = "$templates" ] ||
		bad "only $templates of $all _CRS objects decode as ResourceTemplate"
}

# MCFG: the sample's one ECAM range (see acpi_dump.c).
check_mcfg() {
	local dsl=$out/mcfg.dsl

	[ -s "$dsl" ] || return 0
	grep -qE 'Base Address : 00000000E0000000' "$dsl" ||
		bad "mcfg.dsl: ECAM base is not 0xE0000000"
	grep -qE 'End Bus Number : 00' "$dsl" || bad "mcfg.dsl: bus range is not 0-0"
}

# "resources" on PCI0 also builds the IRQ routing table from _PRT, as
# Linux's acpi_pci_irq code does: 32 slots x 4 pins in the sample.
check_pci_objects() {
	local log=$1

	grep -q 'Evaluation of \\_SB.PCI0._CRS returned' "$log" ||
		bad "acpiexec could not evaluate \\_SB.PCI0._CRS"
	grep -A1 'Evaluation of \\_SB.PCI0._PRT returned' "$log" |
		grep -q 'Contains 128 Elements' ||
		bad "acpiexec could not evaluate \\_SB.PCI0._PRT (128 entries)"
	grep -q '^\[7F\] PCI IRQ Routing Table Package' "$log" ||
		bad "acpiexec could not convert \\_SB.PCI0._PRT to a routing table"
}

# acpiexec supplies its own RSDP/XSDT; its resource round trip re-encodes
# the EndTag with checksum 0, so only that descriptor may compare unequal.
acpiexec_check() {
	local log=$work/acpiexec.log cmds="namespace" dev hits

	command -v acpiexec >/dev/null 2>&1 || return 0
	while read -r dev; do
		cmds="$cmds; resources \\_SB.$dev"
	done < <(sed -n 's/^ *Device (\([A-Z0-9_]*\)).*/\1/p' "$out/dsdt.dsl")
	cmds="$cmds; evaluate \\_SB.PCI0._CRS; evaluate \\_SB.PCI0._PRT"
	(cd "$out" && timeout 60 acpiexec -b "$cmds; evaluate \\_S5" \
		facp.dat dsdt.dat apic.dat mcfg.dat) >"$log" 2>&1 ||
		bad "acpiexec exited non-zero"
	hits=$(grep -E 'Data mismatch in descriptor' "$log" | grep -v 'type 78' || true)
	[ -z "$hits" ] || bad "acpiexec: a resource descriptor did not round-trip: $hits"
	hits=$(grep -e 'AcpiGetCurrentResources failed' -e 'ACPI Error' \
		-e 'AcpiGetIrqRoutingTable failed' \
		-e 'ACPI Exception' -e 'Firmware Error' -e 'Firmware Warning' \
		-e 'Segmentation' "$log" || true)
	if [ -n "$hits" ]; then
		bad "acpiexec reported problems:"
		indent <<<"$hits"
	fi
	grep -A1 'Evaluation of \\_S5 returned' "$log" |
		grep -q 'Contains 4 Elements' || bad "acpiexec could not evaluate \\_S5"
	check_pci_objects "$log"
}

tables="rsdp xsdt facp apic mcfg dsdt"
for name in $tables; do
	if [ ! -s "$out/$name.dat" ]; then
		bad "acpi_dump wrote no $name.dat"
		continue
	fi
	disassemble "$name"
	recompile "$name"
done
check_crs_decoded
check_mcfg
acpiexec_check

if [ "$fail" != 0 ]; then
	echo "acpi_iasl: FAILED"
	exit 1
fi
echo "PASS: acpi_iasl ($tables clean under iasl -d, iasl and acpiexec)"

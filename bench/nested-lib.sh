# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
# Sourced by bench/nested-*.sh, which run inside the nested x86 host (bench/run
# starts them through tests/e2e/nested.sh, from the repository root).
#
# Each script appends rows to $BENCH_TSV (default $LKVM_NESTED_OUT/NAME.tsv):
#   figure  vmm  config  run  value  unit
# and bench/tsv2json.py turns them into bench/results/nested-NAME.json.

# The default guest's kernel uncompressed (guest/build.sh extracts it from the
# bzImage): lkvm enters it directly, QEMU through its PVH note. The bzImage's
# own decompressor would add about 4.5 s to every boot under nested TCG, the
# same for every VMM, and drown their differences.
KERNEL=guest/out/vmlinux-x86_64
INITRD=guest/out/initramfs-x86_64.cpio.gz
LKVM=./lkvm
QEMU=qemu-system-x86_64
# What lkvm puts first on every x86 command line; the QEMU runs get the same.
LKVM_CMDLINE="console=ttyS0 reboot=acpi"
BOOT_TIMEOUT=${BENCH_BOOT_TIMEOUT:-240}

bench_init() {
	local name=$1
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-$name.XXXXXX")
	BENCH_TSV=${BENCH_TSV:-${LKVM_NESTED_OUT:-$WORK}/$name.tsv}
	: >"$BENCH_TSV"
	LOGS=${LKVM_NESTED_OUT:-$WORK}/$name-logs
	mkdir -p "$LOGS"
	[ -x "$LKVM" ] || { echo "bench: $LKVM is not built" >&2; exit 1; }
	[ -r "$KERNEL" ] || { echo "bench: no default guest ($KERNEL); run make guest" >&2; exit 1; }
	echo "bench: $($QEMU --version | head -n 1); lkvm $($LKVM version)"
}

# bench_done: removes the scratch folder unless the rows are in it.
bench_done() {
	if [ -n "${LKVM_NESTED_OUT:-}" ]; then
		rm -rf "$WORK"
	else
		echo "bench: rows in $BENCH_TSV, logs in $LOGS"
	fi
}

# row FIGURE VMM CONFIG RUN VALUE UNIT
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_TSV"
}

now_us() {
	echo "${EPOCHREALTIME/./}"
}

# vmm_cmd VMM CPUS INITRD CMDLINE [DEVICE-KIND...]: sets CMD to the command line of
# one guest boot. VMM: lkvm-pci, lkvm-mmio (lkvm with that virtio transport),
# qemu-microvm (virtio-mmio), qemu-q35 (virtio-pci; SeaBIOS). DEVICE-KIND: rng
# (the default), net (user-mode networking), tap and tap-novhost (tap0, with
# vhost-net and for lkvm without), blk:IMAGE[,io=BACKEND] (BACKEND
# for lkvm only; QEMU uses aio=io_uring), hostroot (this host's / read-only
# over virtio-9p, tag hostroot). The kernel command line is lkvm's own plus
# CMDLINE for both VMMs. QEMU gets -cpu host, as lkvm passes the host's CPUID
# through.
vmm_cmd() {
	local vmm=$1 cpus=$2 initrd=$3 cmdline=$4 qdev dev img
	shift 4
	[ $# -gt 0 ] || set -- rng
	case "$vmm" in
	lkvm-pci | lkvm-mmio)
		CMD=("$LKVM" run -k "$KERNEL" -i "$initrd" -m 256 -c "$cpus" --nodefaults
			--virtio-transport "${vmm#lkvm-}" -p "$cmdline")
		;;
	qemu-microvm | qemu-q35)
		CMD=("$QEMU" -M "${vmm#qemu-}" -accel kvm -cpu host -smp "$cpus" -m 256
			-nodefaults -no-user-config -display none -serial stdio -no-reboot
			-kernel "$KERNEL" -initrd "$initrd" -append "$LKVM_CMDLINE $cmdline")
		if [ "$vmm" = qemu-microvm ]; then qdev=device; else qdev=pci; fi
		;;
	*)
		echo "bench: unknown VMM $vmm" >&2
		return 1
		;;
	esac
	for dev in "$@"; do
		case "$vmm:$dev" in
		lkvm*:rng) CMD+=(--rng) ;;
		lkvm*:net) CMD+=(-n mode=user) ;;
		lkvm*:blk:*) CMD+=(-d "${dev#blk:}") ;;
		lkvm*:hostroot) CMD+=(--9p /,hostroot,ro) ;;
		lkvm*:tap) CMD+=(-n mode=tap,tapif=tap0,vhost=on) ;;
		lkvm*:tap-novhost) CMD+=(-n mode=tap,tapif=tap0,vhost=off) ;;
		qemu*:rng) CMD+=(-device "virtio-rng-$qdev") ;;
		qemu*:net) CMD+=(-netdev "user,id=n0" -device "virtio-net-$qdev,netdev=n0") ;;
		qemu*:blk:*)
			img=${dev#blk:}
			CMD+=(-drive "file=${img%%,*},format=raw,if=none,id=d0,aio=io_uring"
				-device "virtio-blk-$qdev,drive=d0")
			;;
		qemu*:tap) CMD+=(-netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=on
			-device "virtio-net-$qdev,netdev=n0") ;;
		qemu*:hostroot) CMD+=(-fsdev local,id=h0,path=/,security_model=none,readonly=on,multidevs=remap
			-device "virtio-9p-$qdev,fsdev=h0,mount_tag=hostroot") ;;
		*)
			echo "bench: unknown device kind $dev" >&2
			return 1
			;;
		esac
	done
}

# stamp T0_US: copies the console through, adding a line "BENCH-HELLO MS" when the
# guest's first "LKVM-GUEST: hello" arrives (MS since T0_US).
stamp() {
	local t0=$1 line seen=0
	while IFS= read -r line; do
		printf '%s\n' "${line%$'\r'}"
		if [ "$seen" = 0 ] && [[ "$line" == *"LKVM-GUEST: hello"* ]]; then
			echo "BENCH-HELLO $((($(now_us) - t0) / 1000))"
			seen=1
		fi
	done
}

# timed_boot LOG: runs CMD with a timeout, its console in LOG; sets HELLO_MS (empty
# when the line never came), EXIT_MS (start to the VMM's exit) and RC.
timed_boot() {
	local log=$1 t0
	t0=$(now_us)
	timeout -k 5 "$BOOT_TIMEOUT" "${CMD[@]}" </dev/null 2>&1 | stamp "$t0" >"$log"
	RC=${PIPESTATUS[0]}
	EXIT_MS=$((($(now_us) - t0) / 1000))
	HELLO_MS=$(sed -n 's/^BENCH-HELLO \([0-9]*\)$/\1/p' "$log")
}

# QEMU exits 0 on the guest's poweroff, lkvm too.
boot_ok() {
	[ "$RC" = 0 ] && [ -n "$HELLO_MS" ] && grep -q "LKVM-GUEST: selfcheck ok" "$1"
}

# fail_note WHAT LOG: one line for the caller's output, with the log's last line.
fail_note() {
	echo "bench: FAILED $1 (exit $RC): $(grep -a . "$2" | tail -n 1 | cut -c1-160)"
}

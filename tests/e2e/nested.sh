#!/usr/bin/env bash
# Runs one command inside a throw-away nested KVM host (L1) under QEMU TCG.
#
#   tests/e2e/nested.sh [--arch x86_64|arm64] [--smp N] [--mem MB] [--timeout SECS] [--timings]
#                       [--idle-timeout SECS] [--record FILE] [--stage PATH]... -- COMMAND [ARG...]
#
# L1 boots Debian's kernel (the one guest/build.sh fetches) with kvm-amd loaded, sees this
# machine's root read-only over 9p, and runs COMMAND chrooted into it, in the caller's working
# directory, without stdin. COMMAND's stdout and stderr are streamed here; the exit status is
# COMMAND's. Inside, LKVM_NESTED=1 and LKVM_NESTED_OUT names a writable directory whose files
# land in the run's folder tests/e2e/out/nested-*/share/ (L1's console is console.log there;
# --record writes that folder's path to FILE, --timings prints L1-boot/command/total seconds).
# This machine's files are read-only in L1: build before, write to /tmp or LKVM_NESTED_OUT.
#
# --arch arm64: L1 is an arm64 host (QEMU virt with EL2, GICv3; KVM built into Debian's kernel).
# This machine's x86 root is of no use there, so L1 sees instead a read-only staging folder of
# the files named with --stage (paths relative to the working directory, copied with their
# relative paths) and runs COMMAND with busybox sh in that folder; write scripts for busybox.
#
# --idle-timeout SECS also gives up when COMMAND has printed nothing for SECS (an L1 that
# stalled, seen under TCG with every vCPU idle, need not wait out the whole timeout).
#
# Exit status: COMMAND's; 124 when L1 did not finish within the timeout (default 300 s);
# 125 when the harness failed (no /dev/kvm in L1, L1 died, bad usage).
#
# Sourcing the file defines nested_run (same arguments) without running anything; call it as
# the last command of a script or in a subshell, as set -e is off in an `||` context.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../../guest/build.sh
source "$E2E_DIR/../../guest/build.sh"

# What L1 loads, dependencies added from modinfo: kvm-amd and the 9p-over-virtio-pci stack,
# plus tun and vhost for VMMs that use them.
L1_MODULES=(
	irqbypass ccp kvm kvm_amd
	virtio_pci 9pnet_virtio 9p
	tun vhost_net vhost_vsock
)
# An arm64 L1 has KVM built in; it needs only the 9p shares.
L1_MODULES_ARM64=(virtio_pci 9pnet_virtio 9p)
NESTED_KEEP_RUNS=20

nested_die() {
	echo "nested: $*" >&2
	exit 125
}

nested_usage() {
	sed -n '2,25p' "$E2E_DIR/nested.sh" | sed 's/^# \{0,1\}//'
	exit 0
}

# nested_args ARG...: parses options into NESTED_* and the command into NESTED_CMD.
nested_args() {
	NESTED_SMP=2 NESTED_MEM=3072 NESTED_TIMEOUT=300 NESTED_TIMINGS=0 NESTED_RECORD= NESTED_IDLE=0
	NESTED_ARCH=x86_64 NESTED_STAGE=()
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--arch) NESTED_ARCH=${2:?--arch needs x86_64 or arm64} && shift 2 ;;
		--stage) NESTED_STAGE+=("${2:?--stage needs a path}") && shift 2 ;;
		--smp) NESTED_SMP=${2:?--smp needs a number} && shift 2 ;;
		--mem) NESTED_MEM=${2:?--mem needs megabytes} && shift 2 ;;
		--timeout) NESTED_TIMEOUT=${2:?--timeout needs seconds} && shift 2 ;;
		--idle-timeout) NESTED_IDLE=${2:?--idle-timeout needs seconds} && shift 2 ;;
		--timings) NESTED_TIMINGS=1 && shift ;;
		--record) NESTED_RECORD=${2:?--record needs a file} && shift 2 ;;
		--) shift && break ;;
		-h | --help) nested_usage ;;
		*) nested_die "unknown option '$1' (the command goes after --)" ;;
		esac
	done
	[[ $# -gt 0 ]] || nested_die "no command given (usage: nested.sh [options] -- COMMAND ...)"
	[[ "$NESTED_ARCH" == x86_64 || "$NESTED_ARCH" == arm64 ]] ||
		nested_die "--arch '$NESTED_ARCH': use x86_64 or arm64"
	[[ "$NESTED_ARCH" == arm64 || ${#NESTED_STAGE[@]} -eq 0 ]] ||
		nested_die "--stage is for --arch arm64 (an x86_64 L1 sees this machine's root)"
	local n
	[[ "$NESTED_IDLE" == 0 || "$NESTED_IDLE" =~ ^[1-9][0-9]*$ ]] ||
		nested_die "--idle-timeout '$NESTED_IDLE' is not a positive whole number"
	for n in "$NESTED_SMP" "$NESTED_MEM" "$NESTED_TIMEOUT"; do
		[[ "$n" =~ ^[1-9][0-9]*$ ]] || nested_die "'$n' is not a positive whole number"
	done
	NESTED_CMD=("$@")
}

# nested_vmlinux: the ELF vmlinux inside the bzImage (guest/build.sh's vmlinux_extract). QEMU
# boots it through its PVH note, skipping the firmware and the in-guest xz decompression that
# take about 2.5 s under TCG. Prints nothing, and L1 boots the bzImage, when it cannot be had.
nested_vmlinux() {
	vmlinux_extract 2>/dev/null || true
}

# nested_l1_image_arm64: Debian's arm64 kernel (KVM built in) and an arm64 busybox initramfs.
nested_l1_image_arm64() {
	guest_arch arm64
	kernel_fetch
	busybox_fetch
	mkdir -p "$LKVM_CACHE/l1"
	L1_KERNEL=$KERNEL_IMAGE
	L1_INITRD="$LKVM_CACHE/l1/l1-$KERNEL_RELEASE.cpio.gz"
	initramfs_build "$L1_INITRD" "$E2E_DIR/l1-init" "${L1_MODULES_ARM64[@]}"
}

# nested_l1_image: fetches the kernel and builds L1's initramfs in the cache.
nested_l1_image() {
	if [[ "$NESTED_ARCH" == arm64 ]]; then
		nested_l1_image_arm64
		return
	fi
	guest_arch x86_64
	kernel_fetch
	busybox_fetch
	mkdir -p "$LKVM_CACHE/l1"
	L1_KERNEL=$(nested_vmlinux)
	L1_KERNEL=${L1_KERNEL:-$KERNEL_IMAGE}
	L1_INITRD="$LKVM_CACHE/l1/l1-$KERNEL_RELEASE.cpio.gz"
	initramfs_build "$L1_INITRD" "$E2E_DIR/l1-init" "${L1_MODULES[@]}"
}

# nested_run_dir: makes this run's folder (and prunes old ones); sets RUN_DIR and SHARE.
nested_run_dir() {
	local out="$E2E_DIR/out" old
	mkdir -p "$out"
	RUN_DIR=$(mktemp -d "$out/nested-$(date +%Y%m%d-%H%M%S)-XXXX")
	SHARE="$RUN_DIR/share"
	mkdir "$SHARE"
	[[ "$RUN_DIR" != *,* ]] || nested_die "path $RUN_DIR has a comma, which QEMU's -fsdev cannot take"
	ln -sfn "${RUN_DIR##*/}" "$out/nested-last"
	[[ -z "$NESTED_RECORD" ]] || echo "$RUN_DIR" >"$NESTED_RECORD"
	while IFS= read -r old; do
		rm -rf "$old"
	done < <(find "$out" -maxdepth 1 -type d -name 'nested-*' | sort -r | tail -n +$((NESTED_KEEP_RUNS + 1)))
}

# nested_stage: copies the --stage paths into the run's staging folder (arm64 L1's "host").
nested_stage() {
	local path
	STAGE="$RUN_DIR/stage"
	mkdir -p "$STAGE"
	for path in "${NESTED_STAGE[@]}"; do
		[[ -e "$path" ]] || nested_die "--stage $path: no such file"
		[[ "$path" != /* && "$path" != *..* ]] || nested_die "--stage $path: give a path below $PWD"
		mkdir -p "$STAGE/$(dirname "$path")"
		# A hard link costs nothing when the run folder shares the file system.
		cp -lL "$path" "$STAGE/$path" 2>/dev/null || cp -L "$path" "$STAGE/$path"
	done
}

# nested_scratch_lines: shell lines that export TMPDIR, a writable scratch folder
# in L1 (/tmp stays read-only when the checkout lives under it), and
# XDG_RUNTIME_DIR inside it for lkvm's control sockets (L1 has no writable home).
nested_scratch_lines() {
	cat <<'EOS'
for d in /tmp /run /var/tmp; do
	if mkdir -p "$d/lkvm-scratch" 2>/dev/null && [ -w "$d/lkvm-scratch" ]; then
		export TMPDIR="$d/lkvm-scratch"
		break
	fi
done
export XDG_RUNTIME_DIR="${TMPDIR:-/tmp}/xdg"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
EOS
}

# nested_job_arm64: the same for busybox sh in an arm64 L1, run in the staging folder.
nested_job_arm64() {
	local name
	{
		echo '#!/bin/sh'
		for name in $(compgen -e | grep '^LKVM_' || true); do
			printf 'export %s=%q\n' "$name" "${!name}"
		done
		printf 'export LKVM_NESTED=1 LKVM_NESTED_OUT=%q\n' "$SHARE"
		nested_scratch_lines
		printf 'cd /host || exit 125\n'
		printf 'exec'
		printf ' %q' "${NESTED_CMD[@]}"
		printf '\n'
	} >"$SHARE/job.sh"
	echo stage >"$SHARE/mode"
}

# nested_job: writes the script L1 runs: the caller's LKVM_* variables, cd, exec COMMAND.
nested_job() {
	local name
	if [[ "$NESTED_ARCH" == arm64 ]]; then
		nested_job_arm64
		echo "$SHARE" >"$SHARE/outdir"
		echo /host >"$SHARE/cwd"
		: >"$SHARE/stdout"
		: >"$SHARE/stderr"
		return
	fi
	{
		echo '#!/bin/bash'
		for name in $(compgen -e | grep '^LKVM_' || true); do
			printf 'export %s=%q\n' "$name" "${!name}"
		done
		printf 'export LKVM_CACHE=%q LKVM_NESTED=1 LKVM_NESTED_OUT=%q\n' "$LKVM_CACHE" "$SHARE"
		nested_scratch_lines
		printf 'cd -- %q || exit 125\n' "$PWD"
		printf 'exec'
		printf ' %q' "${NESTED_CMD[@]}"
		printf '\n'
	} >"$SHARE/job.sh"
	echo "$SHARE" >"$SHARE/outdir"
	echo "$PWD" >"$SHARE/cwd"
	: >"$SHARE/stdout"
	: >"$SHARE/stderr"
}

# pauth-impdef: QEMU's own pointer-authentication hash, far cheaper under TCG than QARMA.
nested_qemu_arm64() {
	qemu-system-aarch64 -accel tcg,thread=multi -M virt,virtualization=on,gic-version=3 \
		-cpu max,pauth-impdef=on -smp "$NESTED_SMP" -m "$NESTED_MEM" \
		-kernel "$L1_KERNEL" -initrd "$L1_INITRD" \
		-append "console=ttyAMA0 quiet panic=-1" \
		-display none -nodefaults -no-reboot \
		-chardev "pipe,id=mon,path=$RUN_DIR/monitor" -mon chardev=mon,mode=readline \
		-serial "file:$RUN_DIR/console.log" \
		-fsdev "local,id=host,path=$STAGE,security_model=none,readonly=on" \
		-device virtio-9p-pci,fsdev=host,mount_tag=host \
		-fsdev "local,id=results,path=$SHARE,security_model=none" \
		-device virtio-9p-pci,fsdev=results,mount_tag=results \
		</dev/null >"$RUN_DIR/qemu.log" 2>&1 &
	QEMU_PID=$!
}

nested_qemu_start() {
	mkfifo "$RUN_DIR/monitor.in" "$RUN_DIR/monitor.out"
	if [[ "$NESTED_ARCH" == arm64 ]]; then
		nested_qemu_arm64
	else
		nested_qemu_x86_64
	fi
	tail -n +1 -f -s 0.2 --pid="$QEMU_PID" "$SHARE/stdout" &
	TAIL_OUT_PID=$!
	tail -n +1 -f -s 0.2 --pid="$QEMU_PID" "$SHARE/stderr" >&2 &
	TAIL_ERR_PID=$!
}

# LKVM_NESTED_TCG=single trades speed for fewer moving parts when chasing an
# L1 hang (seen twice here while other emulated hosts ran beside it: every L1
# CPU spinning on a kernel spinlock with interrupts off); SMP guests then
# crawl, so multi-threaded TCG is the default.
nested_qemu_x86_64() {
	qemu-system-x86_64 -accel "tcg,thread=${LKVM_NESTED_TCG:-multi}" -M pc -cpu max \
		-smp "$NESTED_SMP" -m "$NESTED_MEM" \
		-kernel "$L1_KERNEL" -initrd "$L1_INITRD" \
		-append "console=ttyS0 quiet panic=-1 nokaslr" \
		-display none -nodefaults -no-reboot \
		-chardev "pipe,id=mon,path=$RUN_DIR/monitor" -mon chardev=mon,mode=readline \
		-serial "file:$RUN_DIR/console.log" \
		-fsdev local,id=host,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=host,mount_tag=host \
		-fsdev "local,id=results,path=$SHARE,security_model=none" \
		-device virtio-9p-pci,fsdev=results,mount_tag=results \
		</dev/null >"$RUN_DIR/qemu.log" 2>&1 &
	QEMU_PID=$!
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# nested_output_size: bytes COMMAND has printed so far.
nested_output_size() {
	cat "$SHARE/stdout" "$SHARE/stderr" 2>/dev/null | wc -c
}

# nested_idle: true when --idle-timeout is set and COMMAND has printed nothing for that long
# (checked about once a second; IDLE_SIZE and IDLE_SINCE carry the state).
nested_idle() {
	local now size
	[[ "$NESTED_IDLE" != 0 && -n "$T_STARTED" ]] || return 1
	now=$(now_ms)
	((now - IDLE_CHECKED >= 1000)) || return 1
	IDLE_CHECKED=$now
	size=$(nested_output_size)
	if [[ "$size" != "$IDLE_SIZE" ]]; then
		IDLE_SIZE=$size IDLE_SINCE=$now
		return 1
	fi
	((now - IDLE_SINCE > NESTED_IDLE * 1000))
}

# nested_wait: waits for QEMU to exit, the timeout or the idle timeout; sets QEMU_RC (124 on
# either) and the wall-clock marks T_START (set by the caller), T_STARTED (command began) and
# T_END.
nested_wait() {
	local deadline=$((T_START + NESTED_TIMEOUT * 1000))
	T_STARTED= IDLE_SIZE=-1 IDLE_SINCE=0 IDLE_CHECKED=0 NESTED_WENT_IDLE=0
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		[[ -n "$T_STARTED" || ! -s "$SHARE/started" ]] || T_STARTED=$(now_ms)
		if nested_idle; then
			NESTED_WENT_IDLE=1
		fi
		if (($(now_ms) > deadline)) || [[ "$NESTED_WENT_IDLE" == 1 ]]; then
			nested_dump_cpus
			nested_kill
			QEMU_RC=124
			T_END=$(now_ms)
			return 0
		fi
		sleep 0.1
	done
	T_END=$(now_ms)
	QEMU_RC=0
	wait "$QEMU_PID" || QEMU_RC=$?
	wait "$TAIL_OUT_PID" "$TAIL_ERR_PID" || true
}

# nested_dump_cpus: saves L1's vCPU registers (QEMU monitor) to l1-cpus.txt, for a hang.
nested_dump_cpus() {
	echo "info registers -a" >"$RUN_DIR/monitor.in"
	timeout 3 cat "$RUN_DIR/monitor.out" 2>/dev/null | sed -n '/^CPU#/,$p' >"$RUN_DIR/l1-cpus.txt" || true
}

nested_kill() {
	local i
	kill "$QEMU_PID" 2>/dev/null || true
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$QEMU_PID" 2>/dev/null || break
		sleep 0.2
		[[ $i -lt 10 ]] || kill -KILL "$QEMU_PID" 2>/dev/null || true
	done
	wait "$QEMU_PID" 2>/dev/null || true
	wait "$TAIL_OUT_PID" "$TAIL_ERR_PID" 2>/dev/null || true
}

nested_rips() {
	sed -n -e 's/^RIP=\([0-9a-f]*\).*HLT=\([01]\).*/\1(hlt=\2)/p' \
		-e 's/^PC=\([0-9a-f]*\).*/\1/p' "$RUN_DIR/l1-cpus.txt" | tr '\n' ' '
}

nested_console_tail() {
	echo "nested: last lines of L1's console ($RUN_DIR/console.log):" >&2
	if [[ -s "$RUN_DIR/console.log" ]]; then
		tail -n 40 "$RUN_DIR/console.log" | sed 's/^/  | /' >&2
	else
		echo "  | (nothing: L1 boots with 'quiet' and its init had printed nothing)" >&2
	fi
}

# nested_timings: wall-clock seconds for L1's boot, the command and the whole run.
nested_timings() {
	local boot=-1 cmd=-1 total
	total=$(((T_END - T_START) / 10))
	if [[ -n "$T_STARTED" ]]; then
		boot=$(((T_STARTED - T_START) / 10))
		cmd=$(((T_END - T_STARTED) / 10))
	fi
	printf 'l1_boot_s=%d.%02d command_s=%d.%02d total_s=%d.%02d\n' \
		$((boot / 100)) $((boot % 100)) $((cmd / 100)) $((cmd % 100)) $((total / 100)) $((total % 100)) \
		>"$RUN_DIR/timings"
	[[ "$NESTED_TIMINGS" == 0 ]] || echo "nested: $(cat "$RUN_DIR/timings")" >&2
}

# nested_result: turns what L1 left in the share into this script's exit status.
nested_result() {
	local status
	nested_timings
	if [[ "$QEMU_RC" == 124 ]]; then
		if [[ "$NESTED_WENT_IDLE" == 1 ]]; then
			echo "nested: the command printed nothing for $NESTED_IDLE s; the nested host was stopped" >&2
		else
			echo "nested: nested host timed out after $NESTED_TIMEOUT s" >&2
		fi
		echo "nested: L1 vCPU state: $RUN_DIR/l1-cpus.txt (RIPs: $(nested_rips))" >&2
		[[ ! -s "$SHARE/status" ]] || echo "nested: (the command had finished, status $(cat "$SHARE/status"))" >&2
		nested_console_tail
		return 124
	fi
	status=$(cat "$SHARE/status" 2>/dev/null || true)
	if [[ "$(cat "$SHARE/kvm" 2>/dev/null || true)" != yes ]]; then
		echo "nested: /dev/kvm did not appear in L1" >&2
		[[ ! -s "$SHARE/kvm.log" ]] || sed 's/^/  | /' "$SHARE/kvm.log" >&2
		nested_console_tail
		return 125
	fi
	if [[ ! "$status" =~ ^[0-9]+$ ]]; then
		echo "nested: L1 ended without the command's status (qemu exit $QEMU_RC, ${status:-no status})" >&2
		nested_console_tail
		return 125
	fi
	return "$status"
}

nested_interrupted() {
	nested_kill
	echo "nested: interrupted; run folder $RUN_DIR" >&2
	exit 130
}

# nested_run [OPTIONS] -- COMMAND [ARG...]: the whole run; returns the exit status.
nested_run() {
	nested_args "$@"
	nested_l1_image
	nested_run_dir
	[[ "$NESTED_ARCH" != arm64 ]] || nested_stage
	nested_job
	T_START=$(now_ms)
	nested_qemu_start
	trap nested_interrupted INT TERM
	nested_wait
	trap - INT TERM
	nested_result
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	nested_run "$@"
fi

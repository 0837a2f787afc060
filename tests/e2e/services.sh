#!/bin/sh
# shellcheck shell=dash
# Runs inside the nested host (bash on x86, busybox sh on arm64): the guest
# services of issue 6, one guest each.
#
#   tests/e2e/services.sh LKVM KERNEL INITRD "CHECKS"
#
# CHECKS from:
#   console  --console virtio: the guest's lines arrive over hvc0
#   rng      --rng: rng_current names virtio, /dev/hwrng gives 4 KiB of random bytes
#   9p       --9p: the guest reads a file the host wrote, writes one the host
#            reads back, renames/links inside the share; '..' and symlinks the
#            host planted do not reach a file beside the share
#   clock    the guest's wall clock (from the RTC) is within 2 s of the host's
#   balloon  --balloon: inflating by 64 MiB lowers lkvm's RSS by >= 48 MiB
#   vsock    --vsock: 1 MiB through vhost-vsock to an echo server in the guest
#   sandbox  lkvm sandbox: output, exit status, working directory, overlay
# Prints PASS:/FAIL:/INFO: lines.
set -u

lkvm=$1 kernel=$2 base_initrd=$3 checks=$4
# Absolute: the sandbox check runs lkvm from another directory.
lkvm=$(cd "$(dirname "$lkvm")" && pwd)/$(basename "$lkvm")
guest_dir=$(cd "$(dirname "$kernel")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-svc.XXXXXX")
timeout_s=${LKVM_E2E_BOOT_TIMEOUT:-120}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

# boot LOG SCRIPT [OPTIONS...]: one guest running /e2e/SCRIPT, to its poweroff.
boot() {
	local log="$1" script="$2"
	shift 2
	timeout -k 5 "$timeout_s" "$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 1 \
		--nodefaults -p quiet -p lkvm.action=script -p "lkvm.script=\"$script\"" "$@" \
		</dev/null >"$log" 2>&1
}

# start LOG SCRIPT [OPTIONS...]: the same in the background; sets pid.
start() {
	local log="$1" script="$2"
	shift 2
	"$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 1 --nodefaults -p quiet \
		-p lkvm.action=script -p "lkvm.script=\"$script\"" "$@" </dev/null >"$log" 2>&1 &
	pid=$!
}

# wait_line LOG TEXT: until the log holds TEXT or lkvm is gone (5 polls a second).
wait_line() {
	local i=0
	while [ "$i" -lt $((timeout_s * 5)) ] && ! grep -q "$2" "$1"; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	grep -q "$2" "$1"
}

finish() {
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

rss_kib() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"
}

check_console() {
	local log=$work/console.log
	boot "$log" /e2e/svc-console.sh --console virtio
	if [ $? -eq 0 ] && grep -q "LKVM-GUEST: console on hvc0" "$log" &&
		grep -q "LKVM-GUEST: selfcheck ok" "$log"; then
		echo "PASS: console-virtio (the guest's console is hvc0; its lines reach the terminal)"
	else
		fail "console-virtio: no self-check over hvc0" "$log"
	fi
}

check_rng() {
	local log=$work/rng.log line
	boot "$log" /e2e/svc-rng.sh --rng
	line=$(grep "LKVM-GUEST: rng " "$log")
	case "$line" in
	*"current=virtio_rng"*"bytes=4096 nonzero="*) ;;
	*)
		fail "rng: ${line:-no answer}" "$log"
		return
		;;
	esac
	if [ "${line##*nonzero=}" -lt 4000 ]; then
		fail "rng: too many zero bytes ($line)" "$log"
		return
	fi
	echo "PASS: rng (rng_current is virtio, /dev/hwrng gave 4096 bytes; ${line##*LKVM-GUEST: })"
}

check_9p() {
	local log=$work/9p.log share=$work/share token
	rm -rf "$share" "$work/escaped.txt"
	mkdir -p "$share"
	token="host-token-$$"
	echo "$token" >"$share/from-host.txt"
	echo host-secret >"$work/secret"
	ln -s / "$share/abs"
	chmod 0777 "$share"
	ln -s ../../../../../../../.. "$share/rel"
	boot "$log" "sh /e2e/svc-9p.sh $work" --9p "$share,hostshare"
	if ! grep -q "LKVM-GUEST: 9p host-file $token" "$log"; then
		fail "9p: the guest did not read the host's file" "$log"
	elif [ "$(cat "$share/from-guest.txt" 2>/dev/null)" != guest-wrote-this ]; then
		fail "9p: the guest's file is not on the host" "$log"
	elif ! grep -q "LKVM-GUEST: 9p ops ok" "$log" || ! grep -q "LKVM-GUEST: 9p symlink ok" "$log" ||
		! grep -q "LKVM-GUEST: 9p statfs ok" "$log"; then
		fail "9p: mkdir/rename/copy/unlink/symlink/statfs failed in the guest" "$log"
	elif ! grep -q "LKVM-GUEST: 9p escape leak=none" "$log" || [ -e "$work/escaped.txt" ]; then
		fail "9p: an escape reached outside the share" "$log"
	elif [ "$(readlink "$share/guest-link")" != from-guest.txt ]; then
		fail "9p: the guest's symlink is not on the host as made" "$log"
	else
		echo "PASS: 9p (host file read, guest file written back, ops and symlinks work, '..' and planted symlinks stay inside)"
	fi
}

check_clock() {
	local log=$work/clock.log guest host diff
	start "$log" /e2e/svc-clock.sh
	wait_line "$log" "LKVM-GUEST: clock [0-9]* end"
	host=$(date +%s)
	finish
	guest=$(sed -n 's/.*LKVM-GUEST: clock \([0-9]*\) end.*/\1/p' "$log")
	if [ -z "$guest" ]; then
		fail "clock: the guest did not tell its time" "$log"
		return
	fi
	diff=$((guest - host))
	[ "$diff" -ge 0 ] || diff=$((-diff))
	if [ "$diff" -le 2 ]; then
		echo "PASS: clock (the guest's wall clock is ${diff} s from the host's)"
	else
		fail "clock: the guest's wall clock is ${diff} s off (guest $guest, host $host)" "$log"
	fi
}

check_balloon() {
	local log=$work/balloon.log before after i
	start "$log" /e2e/svc-balloon.sh --balloon --name svc-balloon
	if ! wait_line "$log" "LKVM-GUEST: balloon filled"; then
		fail "balloon: the guest did not fill its memory" "$log"
		finish
		return
	fi
	before=$(rss_kib "$pid")
	if ! "$lkvm" balloon -n svc-balloon --inflate 64 >>"$log" 2>&1; then
		fail "balloon: lkvm balloon --inflate 64 failed" "$log"
		finish
		return
	fi
	i=0
	after=$before
	while [ "$i" -lt 60 ] && [ $((before - after)) -lt 49152 ]; do
		sleep 1
		after=$(rss_kib "$pid")
		i=$((i + 1))
	done
	"$lkvm" stat -n svc-balloon --memory >"$work/stat.out" 2>&1
	finish
	if [ $((before - after)) -ge 49152 ]; then
		echo "PASS: balloon (inflating by 64 MiB took lkvm's RSS from $((before / 1024)) to $((after / 1024)) MiB)"
		sed 's/^/INFO: balloon stat: /' "$work/stat.out"
	else
		fail "balloon: RSS went from $before to $after KiB only" "$log"
	fi
}

check_vsock() {
	local log=$work/vsock.log
	if ! cc -O2 -o "$work/vsock-echo" "$here/../../guest/vsock-echo.c" 2>"$work/cc.log"; then
		fail "vsock: cannot build the host's vsock-echo" "$work/cc.log"
		return
	fi
	start "$log" /e2e/svc-vsock.sh --vsock 42
	if ! wait_line "$log" "LKVM-GUEST: vsock listening"; then
		fail "vsock: the guest's echo server did not start" "$log"
		finish
		return
	fi
	head -c 1048576 /dev/urandom >"$work/vsock.in"
	timeout 60 "$work/vsock-echo" send 42 1234 <"$work/vsock.in" >"$work/vsock.out" 2>>"$log"
	finish
	if cmp -s "$work/vsock.in" "$work/vsock.out"; then
		echo "PASS: vsock (1 MiB to the guest's CID 42 over vhost-vsock and back, unchanged)"
	else
		fail "vsock: the echo came back as $(wc -c <"$work/vsock.out") bytes, not the 1 MiB sent" "$log"
	fi
}

check_sandbox() {
	local log=$work/sandbox.log status
	(cd "$work" && LKVM_GUEST_DIR=$guest_dir timeout -k 5 "$timeout_s" "$lkvm" sandbox -- \
		sh -c 'echo hi; pwd; echo probe >/etc/lkvm-sandbox-probe && cat /etc/lkvm-sandbox-probe; exit 3') \
		</dev/null >"$log" 2>&1
	status=$?
	if [ "$status" -ne 3 ]; then
		fail "sandbox: exit $status, not the command's 3" "$log"
	elif ! tr -d '\r' <"$log" | grep -qx hi || ! tr -d '\r' <"$log" | grep -qx "$work"; then
		fail "sandbox: 'hi' or the working directory $work missing from the output" "$log"
	elif ! tr -d '\r' <"$log" | grep -qx probe || [ -e /etc/lkvm-sandbox-probe ]; then
		fail "sandbox: the guest's write to /etc did not stay in its overlay" "$log"
	else
		echo "PASS: sandbox (printed hi in $work, exit 3 passed through, /etc writable in the guest only)"
	fi
}

make_initrd
for c in $checks; do
	case "$c" in
	console) retry check_console ;;
	rng) retry check_rng ;;
	9p) retry check_9p ;;
	clock) retry check_clock ;;
	balloon) retry check_balloon ;;
	vsock) retry check_vsock ;;
	sandbox) retry check_sandbox ;;
	*) echo "FAIL: services: unknown check '$c'" ;;
	esac
done
[ -n "${LKVM_E2E_KEEP:-}" ] || rm -rf "$work"

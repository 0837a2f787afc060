#!/usr/bin/env bash
# Runs inside the nested x86 host: virtio-net end to end.
#
#   tests/e2e/net.sh LKVM KERNEL INITRD "TRANSPORTS" "MODES"
#
# MODES from: user (libslirp: DHCP, then the gateway 10.0.2.2 reaches a server
# on this host's 127.0.0.1), tap (a tap made here with ip tuntap, vhost-net
# where this host has it), tap-novhost (the same with vhost=off). Per mode
# and transport the guest sends 1 MiB of random data to tests/e2e/net_peer.py
# and gets 1 MiB back; both checksums must match on both sides. Then it times
# LKVM_E2E_NET_MIB (default 4) MiB each way; the rates are printed as INFO.
# Prints PASS:/FAIL: lines.
set -u

lkvm=$1 kernel=$2 base_initrd=$3 transports=$4 modes=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-net.XXXXXX")
timeout_s=${LKVM_E2E_BOOT_TIMEOUT:-180}
mib=${LKVM_E2E_NET_MIB:-4}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
port=5555

# fail WHAT LOG: the FAIL line carries the log's last guest line and the
# peer's counts (CI shows only that line); the whole log is kept in
# LKVM_NESTED_OUT, which lands in tests/e2e/out.
fail() {
	local last peer
	last=$(grep -a . "$2" | tail -n 1 | tr -d '\r' | cut -c1-160)
	peer=$(tr '\n' ' ' <"$work/peer.out" 2>/dev/null || tr '\n' ' ' <"$work/peer.out.tmp" 2>/dev/null)
	echo "FAIL: $1 (peer: ${peer:-nothing}; last log line: ${last:-empty log}); last lines:"
	tail -n 15 "$2" | sed 's/^/    /'
	[ ! -s "$work/peer.err" ] || sed 's/^/    peer: /' "$work/peer.err"
	[ -z "${LKVM_NESTED_OUT:-}" ] || cp "$2" "$LKVM_NESTED_OUT/" 2>/dev/null
}

setup_tap() {
	ip tuntap add tap0 mode tap &&
		ip addr add 192.168.100.1/24 dev tap0 &&
		ip link set tap0 up
}

rate() {
	# MiB/s from bytes and centiseconds
	awk -v b="$1" -v cs="$2" 'BEGIN { if (cs <= 0) cs = 1; printf "%.1f", b / 1048576 / (cs / 100) }'
}

# run_guest NAME SCRIPT PEER_ADDR LKVM_ARGS...: boots, waits for the transfers, checks.
run_guest() {
	local name=$1 script=$2 addr=$3 log pid i want_up want_down line tx rx
	shift 3
	log=$work/$name.log
	port=$((port + 1))
	rm -f "$work/peer.out" "$work/peer.err"
	python3 "$here/net_peer.py" "$addr" "$port" 1048576 $((mib * 1048576)) "$work/peer.out" \
		2>"$work/peer.err" &
	sleep 0.5
	"$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 2 -p quiet -p lkvm.action=script \
		-p "lkvm.script=\"sh /e2e/$script $port $mib\"" "$@" </dev/null >"$log" 2>&1 &
	pid=$!
	i=0
	while [ "$i" -lt "$timeout_s" ] && kill -0 "$pid" 2>/dev/null &&
		! grep -q "LKVM-GUEST: net done" "$log"; do
		sleep 1
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt 30 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	kill "$(jobs -p)" 2>/dev/null
	wait 2>/dev/null
	line=$(grep "LKVM-GUEST: net exchange" "$log")
	[ -e "$work/peer.out" ] || mv "$work/peer.out.tmp" "$work/peer.out" 2>/dev/null
	want_up=$(sed -n 's/.*recv=\([0-9a-f]*\).*/\1/p' "$work/peer.out" 2>/dev/null)
	want_down=$(sed -n 's/.*sent=\([0-9a-f]*\).*/\1/p' "$work/peer.out" 2>/dev/null)
	if [ -z "$line" ] || [ -z "$want_up" ]; then
		fail "$name: no exchange with the host's server" "$log"
		return
	fi
	if [[ "$line" != *"up=$want_up down=$want_down "* ]]; then
		fail "$name: checksums differ (host: recv=$want_up sent=$want_down)" "$log"
		return
	fi
	tx=$(sed -n 's/.*tx_cs=\([0-9]*\).*/\1/p' "$log")
	rx=$(sed -n 's/.*rx_cs=\([0-9]*\).*rx_bytes=\([0-9]*\).*/\1 \2/p' "$log")
	if ! grep -q "sink_bytes=$((mib * 1048576))" "$work/peer.out" || [ "${rx#* }" != $((mib * 1048576)) ]; then
		fail "$name: the $mib MiB transfers were short" "$log"
		return
	fi
	echo "PASS: $name: 1 MiB each way, checksums match ($(grep -o 'net addr [0-9.]*' "$log"))"
	echo "INFO: $name: guest->host $(rate $((mib * 1048576)) "$tx") MiB/s, host->guest $(rate "${rx#* }" "${rx% *}") MiB/s ($mib MiB)"
}

make_initrd
for m in $modes; do
	if [ "$m" != user ] && ! ip link show tap0 >/dev/null 2>&1 && ! setup_tap; then
		echo "FAIL: net-$m: cannot create tap0 in the nested host"
		continue
	fi
	for t in $transports; do
		case "$m" in
		user) retry run_guest "user-$t" net-user.sh 127.0.0.1 --virtio-transport "$t" -n mode=user ;;
		tap) retry run_guest "tap-$t" net-tap.sh 192.168.100.1 --virtio-transport "$t" -n mode=tap,tapif=tap0 ;;
		tap-novhost) retry run_guest "tap-novhost-$t" net-tap.sh 192.168.100.1 --virtio-transport "$t" \
			-n mode=tap,tapif=tap0,vhost=off ;;
		esac
	done
done
[ -n "${LKVM_E2E_KEEP:-}" ] || rm -rf "$work"

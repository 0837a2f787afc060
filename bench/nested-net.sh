#!/usr/bin/env bash
# Network throughput, lkvm beside QEMU, inside the nested x86 host:
#
#   tests/e2e/nested.sh --timeout 2400 -- bench/nested-net.sh [RUNS [SECONDS]]   (bench/run)
#
# User-mode networking: lkvm -n mode=user on virtio-pci and virtio-mmio; QEMU
# -netdev user with virtio-net-pci on q35 and virtio-net-device on microvm.
# The guest gets its address by DHCP and runs iperf3 against servers on this
# host's 127.0.0.1, reached through the gateway 10.0.2.2.
# tap: tap0 here (192.168.100.1/24, the guest 192.168.100.2), virtio-pci:
# lkvm with vhost-net and without, QEMU q35 with vhost-net (-netdev tap with
# script=no on the same tap0; as root here it needs no helper); iperf3
# against servers on 192.168.100.1.
# Each: RUNS boots (default 3) of the default guest with iperf3 added
# (bench/iperf3-overlay.sh), 1 vCPU, 256 MiB, iperf3 for SECONDS (default 5)
# each way. The rates are the servers' own (iperf3 -J): guest->host is what
# the server received, host->guest (-R) what it sent. Rows (Mbit/s) go to
# $LKVM_NESTED_OUT/net.tsv. BENCH_NET_PARTS (default "user tap") picks the parts.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/nested-lib.sh
. bench/nested-lib.sh

runs=${1:-3}
secs=${2:-5}
bench_init net
bench/iperf3-overlay.sh "$WORK/iperf3.cpio.gz" || exit 1
cat "$INITRD" "$WORK/iperf3.cpio.gz" >"$WORK/initrd"
ip link set lo up 2>/dev/null || true
port=5300

# mbps JSON KEY: bits_per_second of end.KEY in iperf3's JSON, in Mbit/s.
mbps() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("%.1f" % (d["end"][sys.argv[2]]["bits_per_second"] / 1e6))' "$1" "$2" 2>/dev/null
}

# measure FIGURE_PREFIX CONFIG VMM ADDR GUEST_SCRIPT DEVICE-KIND: RUNS boots, their rows.
measure() {
	local prefix=$1 config=$2 vmm=$3 addr=$4 script=$5 dev=$6 run up down s1 s2 log rx tx
	for run in $(seq "$runs"); do
		up=$((port += 2)) down=$((port + 1))
		iperf3 -s -1 -J -B "$addr" -p "$up" >"$WORK/up.json" 2>/dev/null &
		s1=$!
		iperf3 -s -1 -J -B "$addr" -p "$down" >"$WORK/down.json" 2>/dev/null &
		s2=$!
		# iperf3 starts slowly under TCG; a client too early gets refused.
		sleep 2
		vmm_cmd "$vmm" 1 "$WORK/initrd" \
			"quiet lkvm.action=script lkvm.script=\"sh /bench/$script $up $down $secs\"" "$dev" || exit 1
		log=$LOGS/$config-$run.log
		timed_boot "$log"
		kill "$s1" "$s2" 2>/dev/null
		wait "$s1" "$s2" 2>/dev/null
		rx=$(mbps "$WORK/up.json" sum_received)
		tx=$(mbps "$WORK/down.json" sum_sent)
		row "${prefix}_guest_to_host_mbps" "${vmm%%-*}" "$config" "$run" "${rx:-fail}" Mbit/s
		row "${prefix}_host_to_guest_mbps" "${vmm%%-*}" "$config" "$run" "${tx:-fail}" Mbit/s
		if [ -n "$rx" ] && [ -n "$tx" ]; then
			echo "bench: $prefix $config run $run: guest->host $rx Mbit/s, host->guest $tx Mbit/s"
		else
			fail_note "$prefix $config run $run" "$log"
		fi
	done
}

parts=${BENCH_NET_PARTS:-user tap}
if [[ " $parts " == *" user "* ]]; then
	for vmm in lkvm-pci lkvm-mmio qemu-q35 qemu-microvm; do
		measure net "$vmm" "$vmm" 127.0.0.1 iperf.sh net
	done
fi
if [[ " $parts " != *" tap "* ]]; then
	:
elif ip tuntap add tap0 mode tap && ip addr add 192.168.100.1/24 dev tap0 && ip link set tap0 up; then
	measure net_tap lkvm-pci-vhost lkvm-pci 192.168.100.1 iperf-tap.sh tap
	measure net_tap lkvm-pci-novhost lkvm-pci 192.168.100.1 iperf-tap.sh tap-novhost
	measure net_tap qemu-q35-vhost qemu-q35 192.168.100.1 iperf-tap.sh tap
else
	echo "bench: FAILED: cannot create tap0 here; no tap figures"
fi
bench_done

#!/usr/bin/env bash
# tap throughput of lkvm, with and without vhost-net, inside the nested x86 host:
#
#   tests/e2e/nested.sh -- bench/nested-tap.sh [RUNS [SECONDS]]
#
# Per mode (vhost=on, vhost=off) RUNS boots (default 2) of the default guest
# with iperf3 (bench/iperf3-overlay.sh), 1 vCPU, 256 MiB, virtio-pci, on tap0
# (192.168.100.1/24 here, 192.168.100.2 in the guest); iperf3 for SECONDS
# (default 5) each way against servers on 192.168.100.1. Prints one line per
# run with the servers' rates (Mbit/s). QEMU is not a peer here: its tap
# backend needs a bridge helper or root setup of its own.
set -u
cd "$(dirname "$0")/.." || exit 1
runs=${1:-2} secs=${2:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-tap.XXXXXX")
bench/iperf3-overlay.sh "$work/iperf3.cpio.gz" || exit 1
cat guest/out/initramfs-x86_64.cpio.gz "$work/iperf3.cpio.gz" >"$work/initrd"
ip link set lo up
ip tuntap add tap0 mode tap && ip addr add 192.168.100.1/24 dev tap0 && ip link set tap0 up || exit 1
port=5400

mbps() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("%.1f" % (d["end"][sys.argv[2]]["bits_per_second"] / 1e6))' "$1" "$2" 2>/dev/null
}

for vhost in on off; do
	for run in $(seq "$runs"); do
		up=$((port += 2)) down=$((port + 1))
		iperf3 -s -1 -J -B 192.168.100.1 -p "$up" >"$work/up.json" 2>/dev/null &
		s1=$!
		iperf3 -s -1 -J -B 192.168.100.1 -p "$down" >"$work/down.json" 2>/dev/null &
		s2=$!
		# iperf3 starts slowly under TCG; a client too early gets refused.
		sleep 2
		timeout 300 ./lkvm run -k guest/out/vmlinuz-x86_64 -i "$work/initrd" -m 256 -c 1 \
			--nodefaults -n "mode=tap,tapif=tap0,vhost=$vhost" -p quiet -p lkvm.action=script \
			-p "lkvm.script=\"sh /bench/iperf-tap.sh $up $down $secs\"" </dev/null \
			>"$work/vm.log" 2>&1
		kill "$s1" "$s2" 2>/dev/null
		wait "$s1" "$s2" 2>/dev/null
		echo "bench: tap vhost=$vhost run $run: guest->host $(mbps "$work/up.json" sum_received) Mbit/s," \
			"host->guest $(mbps "$work/down.json" sum_sent) Mbit/s"
		[ -z "${LKVM_NESTED_OUT:-}" ] || cp "$work/vm.log" "$LKVM_NESTED_OUT/tap-$vhost-$run.log"
	done
done
rm -rf "$work"

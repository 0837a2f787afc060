#!/usr/bin/env bash
# User-mode networking throughput, lkvm beside QEMU, inside the nested x86 host:
#
#   tests/e2e/nested.sh --timeout 2400 -- bench/nested-net.sh [RUNS [SECONDS]]   (bench/run)
#
# Per VMM (lkvm -n mode=user on virtio-pci and virtio-mmio; QEMU -netdev user
# with virtio-net-pci on q35 and virtio-net-device on microvm), RUNS boots
# (default 3) of the default guest with iperf3 added (bench/iperf3-overlay.sh),
# 1 vCPU, 256 MiB. The guest gets its address by DHCP and runs iperf3 for
# SECONDS (default 5) each way against servers on this host's 127.0.0.1,
# reached through the gateway 10.0.2.2. The rates are the servers' own
# (iperf3 -J): guest->host is what the server received, host->guest (-R) what
# it sent. Rows (Mbit/s) go to $LKVM_NESTED_OUT/net.tsv.
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

for vmm in lkvm-pci lkvm-mmio qemu-q35 qemu-microvm; do
	for run in $(seq "$runs"); do
		up=$((port += 2)) down=$((port + 1))
		iperf3 -s -1 -J -B 127.0.0.1 -p "$up" >"$WORK/up.json" 2>/dev/null &
		s1=$!
		iperf3 -s -1 -J -B 127.0.0.1 -p "$down" >"$WORK/down.json" 2>/dev/null &
		s2=$!
		sleep 0.5
		vmm_cmd "$vmm" 1 "$WORK/initrd" \
			"quiet lkvm.action=script lkvm.script=\"sh /bench/iperf.sh $up $down $secs\"" net || exit 1
		log=$LOGS/$vmm-$run.log
		timed_boot "$log"
		kill "$s1" "$s2" 2>/dev/null
		wait "$s1" "$s2" 2>/dev/null
		rx=$(mbps "$WORK/up.json" sum_received)
		tx=$(mbps "$WORK/down.json" sum_sent)
		row net_guest_to_host_mbps "${vmm%%-*}" "$vmm" "$run" "${rx:-fail}" Mbit/s
		row net_host_to_guest_mbps "${vmm%%-*}" "$vmm" "$run" "${tx:-fail}" Mbit/s
		if [ -n "$rx" ] && [ -n "$tx" ]; then
			echo "bench: net $vmm run $run: guest->host $rx Mbit/s, host->guest $tx Mbit/s"
		else
			fail_note "net $vmm run $run" "$log"
		fi
	done
done
bench_done

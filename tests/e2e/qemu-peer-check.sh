#!/usr/bin/env bash
# Checks the default guest and the nested harness with a stand-in VMM: inside a nested KVM host
# (tests/e2e/nested.sh), Debian's qemu-system-x86_64 -accel kvm boots guest/out's kernel and
# initramfs with 2 vCPUs; the guest must print its self-check and power off.
#
#   tests/e2e/qemu-peer-check.sh [--timeout SECS]
#
# Prints the wall times of L1's boot, the inner boot and the whole round trip; exits non-zero,
# with the guest's output, when a line is missing (124 when L1 timed out).
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
INNER_TIMEOUT=150
EXPECT=("LKVM-GUEST: cpus=2" "LKVM-GUEST: selfcheck ok")

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# inner: runs in L1 (chroot): boots the guest once and prints its console and a timing line.
inner() {
	local t0 rc=0
	t0=$(now_ms)
	timeout -k 5 "$INNER_TIMEOUT" qemu-system-x86_64 -accel kvm \
		-kernel "$ROOT/guest/out/vmlinuz-x86_64" -initrd "$ROOT/guest/out/initramfs-x86_64.cpio.gz" \
		-append "console=ttyS0 quiet lkvm.action=poweroff" \
		-smp 2 -m 256 -nographic -no-reboot </dev/null 2>&1 | tr -d '\r' || rc=$?
	echo "peer-check: inner_ms=$(($(now_ms) - t0)) qemu_rc=$rc"
}

ms_to_s() {
	printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10))
}

# report OUTPUT RUN_DIR NESTED_RC TOTAL_MS: checks the expected lines and prints the timings.
report() {
	local out=$1 run=$2 rc=$3 total=$4 line inner missing=0
	for line in "${EXPECT[@]}"; do
		grep -qxF "$line" "$out" || {
			echo "peer-check: FAIL: missing '$line'" >&2
			missing=1
		}
	done
	inner=$(sed -n 's/^peer-check: inner_ms=\([0-9]*\).*/\1/p' "$out")
	echo "peer-check: timings: $(cat "$run/timings" 2>/dev/null)" \
		"inner_boot_s=$(ms_to_s "${inner:-0}") round_trip_s=$(ms_to_s "$total")"
	if [[ "$rc" != 0 || "$missing" != 0 ]]; then
		echo "peer-check: FAIL (nested rc $rc); guest output:" >&2
		sed 's/^/  | /' "$out" >&2
		[[ "$rc" != 0 ]] && return "$rc"
		return 1
	fi
	echo "peer-check: ok: ${EXPECT[*]}"
}

outer() {
	local timeout=240 out record t0 rc=0
	[[ "${1:-}" != --timeout ]] || timeout=${2:?--timeout needs seconds}
	"$ROOT/guest/build.sh" >/dev/null
	out=$(mktemp)
	record=$(mktemp)
	t0=$(now_ms)
	"$E2E_DIR/nested.sh" --timeout "$timeout" --record "$record" -- \
		"$E2E_DIR/qemu-peer-check.sh" --inner >"$out" || rc=$?
	report "$out" "$(cat "$record")" "$rc" "$(($(now_ms) - t0))" || rc=$?
	rm -f "$out" "$record"
	return "$rc"
}

if [[ "${1:-}" == --inner ]]; then
	inner
else
	outer "$@"
fi

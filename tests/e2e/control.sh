#!/usr/bin/env bash
# Runs inside the nested x86 host: the control plane against two running
# Debian guests.
#
#   tests/e2e/control.sh LKVM KERNEL INITRD
#
# Two named VMs at once: `lkvm list` shows both; `pause` stops the guest's
# tick counter and `resume` restarts it; `balloon --inflate 64` lowers the
# memory the guest reports available by >= 48 MiB; `debug --dump` shows a
# RIP in the kernel's text; `stop` ends a VM with exit 0 and the data its
# guest wrote (O_DIRECT, completed) in the image. Prints PASS:/FAIL:.
set -u

lkvm=$1 kernel=$2 base_initrd=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-ctl.XXXXXX")
timeout_s=${LKVM_E2E_BOOT_TIMEOUT:-120}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

# wait_for LOG TEXT PID: until LOG holds TEXT or lkvm PID is gone.
wait_for() {
	local i=0
	while [ "$i" -lt $((timeout_s * 5)) ] && ! grep -q "$2" "$1"; do
		kill -0 "$3" 2>/dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	grep -q "$2" "$1"
}

last_tick() {
	sed -n 's/.*LKVM-GUEST: tick \([0-9]*\) .* end.*/\1/p' "$1" | tail -n 1
}

last_avail() {
	sed -n 's/.*LKVM-GUEST: tick [0-9]* avail_kb=\([0-9]*\) end.*/\1/p' "$1" | tail -n 1
}

check_pause() {
	local log=$1 t1 t2 t3 state
	"$lkvm" pause -n ctl-a >/dev/null || { fail "pause: lkvm pause -n ctl-a failed" "$log"; return; }
	sleep 1
	t1=$(last_tick "$log")
	state=$("$lkvm" list | awk '$1 == "ctl-a" { print $3 }')
	sleep 4
	t2=$(last_tick "$log")
	"$lkvm" resume -n ctl-a >/dev/null || { fail "resume: lkvm resume -n ctl-a failed" "$log"; return; }
	sleep 4
	t3=$(last_tick "$log")
	if [ "$state" = paused ] && [ "$t1" = "$t2" ] && [ "$t3" -gt "$t2" ]; then
		echo "PASS: pause-resume (paused: tick stayed at $t2 for 4 s, list said paused; resumed: tick $t3)"
	else
		fail "pause-resume: state '$state', ticks $t1 -> $t2 while paused, $t3 after resume" "$log"
	fi
}

check_balloon() {
	local log=$1 before after i
	before=$(last_avail "$log")
	"$lkvm" balloon -n ctl-a --inflate 64 >"$work/balloon.out" 2>&1 ||
		{ fail "balloon: $(cat "$work/balloon.out")" "$log"; return; }
	i=0
	after=$before
	while [ "$i" -lt 30 ] && [ $((before - after)) -lt 49152 ]; do
		sleep 1
		after=$(last_avail "$log")
		i=$((i + 1))
	done
	if [ $((before - after)) -ge 49152 ]; then
		echo "PASS: balloon (the guest's MemAvailable went from $((before / 1024)) to $((after / 1024)) MiB after --inflate 64)"
		"$lkvm" stat -n ctl-a --memory | sed 's/^/INFO: stat: /'
	else
		fail "balloon: the guest's MemAvailable went from $before to $after kB only" "$log"
	fi
}

check_dump() {
	local log=$1 dump rip
	dump=$("$lkvm" debug -n ctl-a --dump 2>&1)
	rip=$(sed -n 's/^rip \([0-9a-f]*\) .*/\1/p' <<<"$dump" | head -n 1)
	# The kernel's text is mapped at 0xffffffff80000000 and up.
	if [[ "$rip" =~ ^ffffffff[89a-f] ]]; then
		echo "PASS: debug-dump (vCPU 0 rip $rip is in the kernel's text)"
	else
		fail "debug-dump: no kernel rip in: $(head -n 2 <<<"$dump" | tr '\n' ' ')" "$log"
	fi
}

run() {
	local log_a=$work/ctl-a.log log_b=$work/ctl-b.log pid_a pid_b want list status
	truncate -s 16M "$work/a.img"
	"$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 1 --nodefaults --name ctl-a --balloon \
		-d "$work/a.img" -p quiet -p lkvm.action=script -p 'lkvm.script="sh /e2e/ctl-guest.sh"' \
		</dev/null >"$log_a" 2>&1 &
	pid_a=$!
	if ! wait_for "$log_a" "LKVM-GUEST: tick 2 " "$pid_a"; then
		fail "two-vms: ctl-a did not come up" "$log_a"
		kill -KILL "$pid_a" 2>/dev/null
		wait
		return
	fi
	# Only now: two guests booting at once in the emulated host fail far
	# more often than one (docs/testing.md).
	"$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 1 --nodefaults --name ctl-b -p quiet \
		-p lkvm.action=sleep </dev/null >"$log_b" 2>&1 &
	pid_b=$!
	if ! wait_for "$log_b" "LKVM-GUEST: sleeping" "$pid_b"; then
		fail "two-vms: ctl-b did not come up ($(kill -0 "$pid_b" 2>/dev/null && echo 'still running' || echo 'lkvm exited'))" "$log_b"
		kill -KILL "$pid_a" "$pid_b" 2>/dev/null
		wait
		return
	fi
	list=$("$lkvm" list)
	if grep -q "^ctl-a .* running" <<<"$list" && grep -q "^ctl-b .* running" <<<"$list"; then
		echo "PASS: list (two named VMs running at once, both listed)"
	else
		fail "list: $(tr '\n' '|' <<<"$list")" "$log_a"
	fi
	check_pause "$log_a"
	check_balloon "$log_a"
	check_dump "$log_a"
	want=$(sed -n 's/.*LKVM-GUEST: written sha=\([0-9a-f]*\) end.*/\1/p' "$log_a")
	"$lkvm" stop -n ctl-a >/dev/null
	status=0
	wait "$pid_a" || status=$?
	if [ "$status" -eq 0 ] && [ -n "$want" ] &&
		[ "$(head -c 1048576 "$work/a.img" | sha256sum | cut -d' ' -f1)" = "$want" ]; then
		echo "PASS: stop (lkvm stop -n ctl-a: exit 0, the guest's completed write is in the image)"
	else
		fail "stop: exit $status, image holds the guest's data: $([ -n "$want" ] && echo no || echo 'never written')" "$log_a"
	fi
	"$lkvm" stop -n ctl-b >/dev/null
	wait "$pid_b"
	list=$("$lkvm" list)
	if grep -q "^ctl-" <<<"$list"; then
		fail "list after stop: $(tr '\n' '|' <<<"$list")" "$log_b"
	fi
}

make_initrd
retry run
[ -n "${LKVM_E2E_KEEP:-}" ] || rm -rf "$work"

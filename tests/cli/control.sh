#!/usr/bin/env bash
# The control commands against real `lkvm run` processes on the local /dev/kvm.
# The guest is a tiny hand-made bzImage whose 64-bit entry prints '.' on the
# serial port forever, so this runs wherever KVM runs 64-bit code (no Linux
# needed). Usage: tests/cli/control.sh ./lkvm
set -uo pipefail

lkvm=$(realpath "${1:-./lkvm}")
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp/xdg
mkdir -p "$XDG_RUNTIME_DIR"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP: control commands: /dev/kvm is not usable here"
	exit 0
fi

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# A bzImage (boot protocol 2.12, 64-bit entry) whose code at entry is:
#   1: mov dx,0x3f8; mov al,'.'; out dx,al; mov ecx,N; 2: dec ecx; jnz 2b; jmp 1b
python3 - "$tmp/dots.bzImage" <<'PY'
import struct, sys
setup = bytearray(1024)
setup[0x1f1] = 1                                 # setup_sects: 1 + the boot sector
setup[0x1fe:0x200] = b'\x55\xaa'
setup[0x201] = 0x66                              # header ends at 0x268
setup[0x202:0x206] = b'HdrS'
struct.pack_into('<H', setup, 0x206, 0x020c)     # protocol 2.12
setup[0x211] = 0x01                              # LOADED_HIGH
struct.pack_into('<I', setup, 0x22c, 0x7fffffff) # initrd_addr_max
struct.pack_into('<H', setup, 0x236, 0x0001)     # XLF_KERNEL_64
struct.pack_into('<I', setup, 0x238, 2048)       # cmdline_size
struct.pack_into('<I', setup, 0x260, 0x10000)    # init_size
code = bytes([0x66, 0xba, 0xf8, 0x03, 0xb0, 0x2e, 0xee,
              0xb9, 0x00, 0x00, 0x01, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0xeb, 0xee])
kernel = bytearray(0x200) + code + bytearray(0x1000)
open(sys.argv[1], 'wb').write(bytes(setup + kernel))
PY

# start NAME: an lkvm run in the background, its console in $tmp/NAME.out
start() {
	"$lkvm" run -k "$tmp/dots.bzImage" -m 64 --name "$1" </dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" &
	pids+=($!)
	eval "pid_${1//-/_}=$!"
}

# wait_for CMD...: until CMD succeeds, at most 10 s
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

listed() { "$lkvm" list | grep -q "^$1 .* running"; }
size() { stat -c %s "$tmp/$1.out"; }
grown() { [ "$(size "$1")" -gt "$2" ]; }

start vm-a
start vm-b
if wait_for listed vm-a && wait_for listed vm-b; then
	pass "lkvm list shows two running VMs"
else
	fail "lkvm list: $("$lkvm" list 2>&1); vm-a: $(cat "$tmp/vm-a.err")"
	exit 1
fi

n=$("$lkvm" list --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(v), v[0]["name"], v[0]["state"], v[0]["cpus"], v[0]["mem_mib"])')
[ "$n" = "2 vm-a running 1 64" ] && pass "lkvm list --json" || fail "lkvm list --json: $n"

mode=$(stat -c %a "$XDG_RUNTIME_DIR/lkvm/vm-a.sock") dmode=$(stat -c %a "$XDG_RUNTIME_DIR/lkvm")
[ "$mode" = 600 ] && [ "$dmode" = 700 ] && pass "socket 0600 in a 0700 directory" ||
	fail "socket mode $mode, directory $dmode"

err=$("$lkvm" run -k "$tmp/dots.bzImage" -m 64 --name vm-a </dev/null 2>&1 >/dev/null)
status=$?
want="lkvm: --name vm-a: a VM with this name is already running (pid $pid_vm_a); pick another name"
[ "$status" = 2 ] && [ "$err" = "$want" ] && pass "a second --name vm-a is refused" ||
	fail "second --name vm-a: exit $status: $err"

wait_for grown vm-a 0
"$lkvm" pause -n vm-a >/dev/null
s1=$(size vm-a); sleep 0.5; s2=$(size vm-a)
state=$("$lkvm" list | awk '$1 == "vm-a" { print $3 }')
"$lkvm" resume -n vm-a >/dev/null
if [ "$s1" = "$s2" ] && [ "$state" = paused ] && wait_for grown vm-a "$s2"; then
	pass "pause stops the guest's output ($s1 bytes before, $s2 after 0.5 s) and resume restarts it"
else
	fail "pause/resume: $s1 -> $s2 bytes while paused, state $state, now $(size vm-a)"
fi

dump=$("$lkvm" debug -n vm-a --dump)
rip=$(sed -n 's/^rip \([0-9a-f]*\) .*/\1/p' <<<"$dump")
if [ -n "$rip" ] && [ $((16#$rip)) -ge $((0x100200)) ] && [ $((16#$rip)) -lt $((0x100212)) ]; then
	pass "debug --dump: rip $rip is in the guest's loop"
else
	fail "debug --dump: $dump"
fi

"$lkvm" debug -n vm-a --sysrq h >/dev/null 2>&1 && pass "debug --sysrq h" || fail "debug --sysrq h"
err=$("$lkvm" balloon -n vm-a --inflate 64 2>&1)
[ $? = 1 ] && grep -q "no balloon device; start it with --balloon" <<<"$err" &&
	pass "balloon without --balloon: a clear error" || fail "balloon: $err"
err=$("$lkvm" debug -n nosuch --dump 2>&1)
[ $? = 2 ] && grep -q "no VM named nosuch" <<<"$err" && pass "an unknown name is a usage error" ||
	fail "unknown name: $err"

"$lkvm" stop -n vm-a >/dev/null
status=0
wait "$pid_vm_a" || status=$?
if [ "$status" = 0 ] && grep -q "stopped by 'lkvm stop'" "$tmp/vm-a.err" &&
	[ ! -e "$XDG_RUNTIME_DIR/lkvm/vm-a.sock" ]; then
	pass "stop ends the VM with status 0 and removes its socket"
else
	fail "stop: exit $status, $(cat "$tmp/vm-a.err")"
fi

# A VM killed outright leaves its socket: list cleans it, and the name is free again.
kill -9 "$pid_vm_b"
wait "$pid_vm_b" 2>/dev/null
[ -S "$XDG_RUNTIME_DIR/lkvm/vm-b.sock" ] || fail "the killed VM's socket should still be there"
out=$("$lkvm" list)
if ! grep -q vm-b <<<"$out" && [ ! -e "$XDG_RUNTIME_DIR/lkvm/vm-b.sock" ]; then
	pass "list removes the stale socket of a killed VM"
else
	fail "stale socket: $out"
fi
start vm-b
wait_for listed vm-b && pass "the name of a killed VM can be reused" || fail "reuse vm-b: $(cat "$tmp/vm-b.err")"

kill -TERM "$pid_vm_b"
wait "$pid_vm_b"
status=$?
[ "$status" = 143 ] && [ ! -e "$XDG_RUNTIME_DIR/lkvm/vm-b.sock" ] &&
	pass "SIGTERM ends the VM (143) and removes its socket" || fail "SIGTERM: exit $status"

start vm-c
start vm-d
wait_for listed vm-c && wait_for listed vm-d
"$lkvm" stop --all >/dev/null
wait "$pid_vm_c" && wait "$pid_vm_d" && [ -z "$(ls "$XDG_RUNTIME_DIR/lkvm")" ] &&
	pass "stop --all" || fail "stop --all: $(ls "$XDG_RUNTIME_DIR/lkvm")"

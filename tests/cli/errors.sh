#!/usr/bin/env bash
# Every user mistake: exit status 2 and exactly one line on stderr naming the
# bad value. Usage: tests/cli/errors.sh ./lkvm
set -uo pipefail

lkvm=${1:-./lkvm}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# expect NAME STATUS NEEDLE -- ARGS...
expect() {
	local name=$1 want=$2 needle=$3 status lines
	shift 4
	LKVM_GUEST_DIR=/nonexistent timeout 20 "$lkvm" "$@" >"$out/stdout" 2>"$out/stderr" </dev/null
	status=$?
	lines=$(wc -l <"$out/stderr")
	if [ "$status" -ne "$want" ]; then
		echo "FAIL: $name: exit $status, wanted $want; stderr: $(cat "$out/stderr")"
	elif [ "$want" -ne 0 ] && [ "$lines" -ne 1 ]; then
		echo "FAIL: $name: $lines lines on stderr, wanted 1: $(cat "$out/stderr")"
	elif ! grep -qF -- "$needle" "$out/stderr" "$out/stdout"; then
		echo "FAIL: $name: '$needle' not in: $(cat "$out/stderr" "$out/stdout")"
	else
		echo "PASS: $name"
	fi
}

printf 'not a kernel\n' >"$out/notakernel"

expect "unknown command" 2 "'frob'" -- frob
expect "unknown option" 2 "'--frobnicate'" -- run --frobnicate
expect "option prefix is not an option" 2 "'--ker'" -- run --ker x
expect "-m 0" 2 "-m 0" -- run -k "$out/notakernel" -m 0
expect "-m not a size" 2 "'12Q'" -- run -k "$out/notakernel" -m 12Q
expect "-c 0" 2 "-c 0" -- run -k "$out/notakernel" -c 0
expect "missing value" 2 "'-k' needs a value" -- run -k
expect "--irqchip not a GIC" 2 "'gicv9'" -- run -k "$out/notakernel" --irqchip gicv9
expect "no kernel, no default guest" 2 "no kernel given" -- run
expect "help" 0 "--kernel" -- run --help
expect "help names --no-seccomp" 0 "--no-seccomp" -- run --help
expect "--no-seccomp takes no value" 2 "'--no-seccomp=1'" -- run --no-seccomp=1
expect "version" 0 "lkvm " -- version

# A set-uid lkvm refuses to run (root makes the copy; nobody runs it).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	cp "$lkvm" "$out/lkvm-suid" && chmod 4755 "$out/lkvm-suid" && chmod 0755 "$out"
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$out/lkvm-suid" version >"$out/stdout" 2>"$out/stderr"; then
		echo "SKIP: set-uid refusal: the set-uid bit had no effect here (a nosuid mount?)"
	elif grep -q "refusing to run set-uid" "$out/stderr"; then
		echo "PASS: set-uid lkvm refuses to run"
	else
		echo "FAIL: set-uid lkvm: $(cat "$out/stderr")"
	fi
else
	echo "SKIP: set-uid refusal: needs root (to make a set-uid copy) and setpriv"
fi

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	expect "-m beyond the host" 2 "-m 1048576: this host has only" -- run -k "$out/notakernel" -m 1T
	expect "-c beyond KVM" 2 "-c 100000" -- run -k "$out/notakernel" -c 100000
	expect "missing kernel" 2 "'$out/nope'" -- run -k "$out/nope"
	expect "not a kernel" 2 "'$out/notakernel' is neither an x86 bzImage" -- run -k "$out/notakernel"
	expect "missing initrd" 2 "initrd '$out/nope'" -- run -k "$out/notakernel" -i "$out/nope"
	if [ "$(uname -m)" = x86_64 ]; then
		expect "--irqchip on x86" 2 "--irqchip chooses an arm64 GIC" -- run -k "$out/notakernel" --irqchip gicv3
		expect "ELF but not a vmlinux" 2 "'/bin/true' is an ELF file but not an x86-64 vmlinux" -- run -k /bin/true
	fi
else
	echo "SKIP: host-checked errors (-m beyond the host, -c beyond KVM, bad kernel files): /dev/kvm is not usable here"
fi

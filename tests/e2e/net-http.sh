#!/bin/sh
# shellcheck shell=dash
# Runs inside the nested host (bash on x86, busybox sh on arm64): user-mode
# networking end to end with busybox's httpd, wget and nc.
#
#   tests/e2e/net-http.sh LKVM KERNEL INITRD "TRANSPORTS"
#
# Per transport: the guest gets its address by DHCP, downloads 1 MiB that
# this host serves on 127.0.0.1 (through the gateway 10.0.2.2) and the
# checksums match; then a hostfwd rule lets this host fetch a page from a
# web server in the guest. Prints PASS:/FAIL: lines.
set -u

lkvm=$1 kernel=$2 base_initrd=$3 transports=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/lkvm-http.XXXXXX")
timeout_s=${LKVM_E2E_BOOT_TIMEOUT:-120}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
port=8180

wait_line() {
	local i=0
	while [ "$i" -lt $((timeout_s * 5)) ] && ! grep -q "$2" "$1"; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	grep -q "$2" "$1"
}

check() {
	local t=$1 name="user-http-$1" log want got fwd web
	log=$work/$name.log
	port=$((port + 2))
	fwd=$((port + 1))
	busybox httpd -f -p "127.0.0.1:$port" -h "$work/www" &
	web=$!
	"$lkvm" run -k "$kernel" -i "$work/initrd" -m 256 -c 1 -p quiet -p lkvm.action=script \
		-p "lkvm.script=\"sh /e2e/net-http.sh $port\"" --virtio-transport "$t" \
		-n "mode=user,hostfwd=tcp:127.0.0.1:$fwd-:8080" </dev/null >"$log" 2>&1 &
	pid=$!
	want=$(sha256sum <"$work/www/blob" | cut -d' ' -f1)
	if ! wait_line "$log" "LKVM-GUEST: http serving"; then
		fail "$name: the guest did not get as far as serving" "$log"
	elif ! grep -q "LKVM-GUEST: http got 1048576 bytes sha=$want" "$log"; then
		fail "$name: the guest's download does not match the host's file" "$log"
	else
		# busybox nc, not wget: Debian's static busybox wget crashes in glibc's
		# resolver outside a full Debian system.
		printf 'GET /hello HTTP/1.0\r\n\r\n' | timeout 30 busybox nc 127.0.0.1 "$fwd" \
			>"$work/fwd.out" 2>>"$log"
		got=$(tr -d '\r' <"$work/fwd.out" | tail -n 1)
		if [ "$got" = served-by-the-guest ]; then
			echo "PASS: $name (DHCP $(sed -n 's/.*LKVM-GUEST: net addr \([0-9.]*\).*/\1/p' "$log"), 1 MiB from the host via 10.0.2.2 matches, hostfwd 127.0.0.1:$fwd reaches the guest's server)"
		else
			fail "$name: hostfwd 127.0.0.1:$fwd did not reach the guest's server (got '$got')" "$log"
		fi
	fi
	kill -KILL "$pid" "$web" 2>/dev/null
	wait "$pid" "$web" 2>/dev/null
}

make_initrd
mkdir -p "$work/www"
dd if=/dev/urandom of="$work/www/blob" bs=1048576 count=1 2>/dev/null
for t in $transports; do
	retry check "$t"
done
[ -n "${LKVM_E2E_KEEP:-}" ] || rm -rf "$work"

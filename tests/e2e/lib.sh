#!/bin/sh
# shellcheck shell=dash
# Sourced by the e2e scripts (bash on x86, busybox sh on arm64). The helpers
# use the caller's variables: work (its scratch folder), here (tests/e2e)
# and base_initrd (the default guest's initramfs).
#
# retry CHECK [ARG...]: runs the check function, which prints PASS:/FAIL:
# lines; when one of them is a FAIL, shows those FAIL lines as INFO lines
# and runs the check again, up to LKVM_E2E_TRIES attempts (3); the last
# attempt's lines count. The nested hosts are emulated (QEMU TCG running
# KVM): about one guest in ten there stalls or triple-faults for reasons
# outside lkvm (docs/testing.md). With one retry, the fifty-odd checks of a
# CI run still failed one in three runs on that noise; with two, a check
# fails on noise about once in a thousand, while a real failure fails every
# time. Each failed attempt's log is kept in LKVM_NESTED_OUT by fail().
retry() {
	local _retry_out _retry_try=1 _retry_tries="${LKVM_E2E_TRIES:-3}"
	while :; do
		_retry_out=$("$@")
		# A check that printed no verdict at all failed too (a shell error, say).
		case "$_retry_out" in
		*"PASS:"* | *"FAIL:"*) ;;
		*) _retry_out="${_retry_out:+$_retry_out
}FAIL: $1 printed no PASS or FAIL line" ;;
		esac
		case "$_retry_out" in
		*"FAIL:"*) [ "$_retry_try" -lt "$_retry_tries" ] || break ;;
		*) break ;;
		esac
		echo "$_retry_out" | grep "^FAIL:" |
			sed "s/^FAIL:/INFO: retrying after failed attempt $_retry_try of $_retry_tries:/"
		_retry_try=$((_retry_try + 1))
	done
	echo "$_retry_out"
}

# make_initrd: $work/initrd, the default initramfs with the guest-side
# scripts (tests/e2e/guest/*.sh) added under /e2e.
make_initrd() {
	mkdir -p "$work/overlay/e2e"
	cp "$here"/guest/*.sh "$work/overlay/e2e/"
	(cd "$work/overlay" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/overlay.cpio.gz"
	cat "$base_initrd" "$work/overlay.cpio.gz" >"$work/initrd"
}

# fail WHAT LOG: the FAIL line carries the log's last line (CI shows only
# that line); the whole log is kept in LKVM_NESTED_OUT (tests/e2e/out).
fail() {
	local last
	last=$(grep -a . "$2" | tail -n 1 | tr -d '\r' | cut -c1-160)
	echo "FAIL: $1 (last log line: ${last:-empty log}); last lines:"
	tail -n 15 "$2" | sed 's/^/    /'
	[ -z "${LKVM_NESTED_OUT:-}" ] || cp "$2" "$LKVM_NESTED_OUT/" 2>/dev/null
}

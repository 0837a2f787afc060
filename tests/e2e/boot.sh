#!/usr/bin/env bash
# Runs inside the nested host: boots the default guest once per row of a
# scenario table and checks the exit status and the guest's own lines.
#
#   tests/e2e/boot.sh TABLE LKVM GUEST_DIR ARCH
#
# Prints PASS:/FAIL: per row, with the wall time from start to lkvm's exit.
# Written for both bash and busybox sh: the nested arm64 host has only the latter.
set -uo pipefail

table=$1 lkvm=$2 guest=$3 arch=$4
out=${LKVM_NESTED_OUT:-/tmp}
timeout_s=${LKVM_E2E_BOOT_TIMEOUT:-120}

initrd=$guest/initramfs-$arch.cpio.gz
kernel=$guest/vmlinuz-$arch

tab=$(printf '\t')
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

check_lines() {
	local log=$1 lines=$2 line missing= saved_ifs=$IFS
	IFS=';'
	set -f
	for line in $lines; do
		grep -qF -- "$line" "$log" || missing="$missing'$line' "
	done
	set +f
	IFS=$saved_ifs
	echo "$missing"
}

# Seconds since boot, to 1/100 s: date +%N is missing from busybox.
uptime_s() {
	local up rest
	read -r up rest </proc/uptime
	echo "$up"
}

run_row() {
	local name=$1 opts=$2 action=$3 want_status=$4 lines=$5 log start end status missing
	log=$out/boot-$name.log
	start=$(uptime_s)
	# shellcheck disable=SC2086 # opts is a list of options
	timeout -k 5 "$timeout_s" "$lkvm" run -k "$kernel" -i "$initrd" --name "$name" $opts \
		-p "lkvm.action=$action" </dev/null >"$log" 2>&1
	status=$?
	end=$(uptime_s)
	missing=$(check_lines "$log" "$lines")
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	# 124/137: coreutils timeout; 143: busybox timeout (the TERM signal's status)
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ] || [ "$status" -eq 143 ]; then
		echo "FAIL: $name: timed out after ${timeout_s} s; last guest lines:"
		tail -n 20 "$log" | sed 's/^/    /'
	elif [ "$status" -ne "$want_status" ] || [ -n "$missing" ]; then
		echo "FAIL: $name: exit $status (wanted $want_status), missing: ${missing:-none}; last lines:"
		tail -n 20 "$log" | sed 's/^/    /'
	else
		echo "PASS: $name (${secs} s from lkvm run to exit)"
	fi
}

while IFS=$tab read -r name opts action status lines; do
	case "$name" in '#'* | '') continue ;; esac
	retry run_row "$name" "$opts" "$action" "$status" "$lines"
done <"$table"

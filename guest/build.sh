#!/usr/bin/env bash
# Builds lkvm's default guest: Debian's generic kernel and a busybox initramfs.
#
#   guest/build.sh [ARCH]        ARCH: x86_64 (default) or arm64
#
# Writes guest/out/vmlinuz-ARCH and guest/out/initramfs-ARCH.cpio.gz and prints their paths.
# For arm64 the kernel is the uncompressed Image (lkvm does not decompress; a gzip'd vmlinuz is
# unpacked): guest/out/Image-arm64, with vmlinuz-arm64 a link to it for lkvm's default guest.
# Downloads (the kernel and busybox-static .debs) go to ${LKVM_CACHE:-$HOME/.cache/lkvm} and are
# reused; an up-to-date build does no work. The file can also be sourced for its helpers
# (tests/e2e/nested.sh builds its L1 initramfs with them).
set -euo pipefail

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_BUILD_SH="$GUEST_DIR/build.sh"
LKVM_CACHE=${LKVM_CACHE:-$HOME/.cache/lkvm}

# What the default guest loads; dependencies are added from `modinfo -F depends`.
GUEST_MODULES=(
	virtio virtio_ring virtio_pci virtio_mmio
	virtio_blk virtio_net virtio_console virtio_rng virtio_balloon
	netfs fscache 9pnet 9pnet_virtio 9p
	vsock vmw_vsock_virtio_transport_common vmw_vsock_virtio_transport
	overlay
)

die() {
	echo "lkvm guest build: $*" >&2
	exit 1
}

note() {
	echo "lkvm guest build: $*" >&2
}

# guest_arch ARCH: sets GUEST_ARCH and DEB_ARCH for one target architecture.
guest_arch() {
	case "$1" in
	x86_64 | amd64) GUEST_ARCH=x86_64 DEB_ARCH=amd64 ;;
	arm64 | aarch64) GUEST_ARCH=arm64 DEB_ARCH=arm64 ;;
	*) die "arch '$1': unknown (use x86_64 or arm64)" ;;
	esac
}

# apt_query ARGS...: the output of apt-cache ARGS, memoised in the cache until apt's package
# lists change (apt-cache takes most of a second here; an up-to-date build should not).
apt_query() {
	local lists key file
	lists=$(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0)
	key=$(echo "$lists $*" | sha256sum | cut -c1-16)
	file="$LKVM_CACHE/apt/$key"
	if [[ ! -e "$file" ]]; then
		mkdir -p "$LKVM_CACHE/apt"
		apt-cache "$@" >"$file.tmp.$$" 2>/dev/null || true
		# An empty answer (no such package yet, e.g. before apt-get update) is not kept.
		if [[ ! -s "$file.tmp.$$" ]]; then
			rm -f "$file.tmp.$$"
			return 0
		fi
		mv "$file.tmp.$$" "$file"
	fi
	cat "$file"
}

# deb_version PKG: the candidate version apt knows for PKG, or nothing.
deb_version() {
	apt_query show --no-all-versions "$1" | sed -n 's/^Version: //p' | head -n 1
}

# deb_cached NAME: the newest unpacked NAME_*_DEB_ARCH in the cache, or nothing.
deb_cached() {
	local d
	# shellcheck disable=SC2086,SC2231 # $1 may be a glob pattern
	for d in "$LKVM_CACHE"/debs/$1_*_"$DEB_ARCH"; do
		if [[ -e "$d/.unpacked" ]]; then
			echo "$d"
		fi
	done | sort -V | tail -n 1
}

# deb_download PKG FILE: apt-get download PKG into the cache as FILE (atomically).
deb_download() {
	local tmp
	tmp=$(mktemp -d "$LKVM_CACHE/debs/.dl.XXXXXX")
	note "downloading $1"
	if ! (cd "$tmp" && apt-get -q -o APT::Sandbox::User="$(id -un)" download "$1" >/dev/null); then
		rm -rf "$tmp"
		die "apt-get download $1 failed (try: apt-get update)"
	fi
	mv "$tmp"/*.deb "$2"
	rmdir "$tmp"
}

# deb_fetch PKG: makes sure PKG (for DEB_ARCH) is downloaded and unpacked in the cache.
# Sets DEB_ROOT (the unpacked tree) and DEB_VERSION.
deb_fetch() {
	local pkg=$1 name=${1%%:*} file tmp
	mkdir -p "$LKVM_CACHE/debs"
	DEB_VERSION=$(deb_version "$pkg:$DEB_ARCH")
	if [[ -z "$DEB_VERSION" ]]; then
		DEB_ROOT=$(deb_cached "$name")
		[[ -n "$DEB_ROOT" ]] || die "apt knows no package $pkg:$DEB_ARCH (try: apt-get update)"
		DEB_VERSION=${DEB_ROOT##*/"${name}"_}
		DEB_VERSION=${DEB_VERSION%_"$DEB_ARCH"}
		DEB_VERSION=${DEB_VERSION//%3a/:}
		return 0
	fi
	DEB_ROOT="$LKVM_CACHE/debs/${name}_${DEB_VERSION//:/%3a}_${DEB_ARCH}"
	[[ -e "$DEB_ROOT/.unpacked" ]] && return 0
	file="$DEB_ROOT.deb"
	[[ -s "$file" ]] || deb_download "$pkg:$DEB_ARCH" "$file"
	tmp=$(mktemp -d "$DEB_ROOT.tmp.XXXXXX")
	dpkg -x "$file" "$tmp"
	touch "$tmp/.unpacked"
	rm -rf "$DEB_ROOT"
	mv -T "$tmp" "$DEB_ROOT"
}

# kernel_package: the generic-flavour image package that linux-image-DEB_ARCH depends on.
kernel_package() {
	# A foreign architecture's dependencies carry a :ARCH suffix.
	apt_query depends "linux-image-$DEB_ARCH:$DEB_ARCH" |
		sed -n "s/^ *Depends: \(linux-image-[0-9][0-9.]*-[0-9][0-9]*-$DEB_ARCH\)\(:$DEB_ARCH\)\{0,1\}\$/\1/p" |
		head -n 1
}

# kernel_fetch: downloads and unpacks the current Debian kernel. Sets KERNEL_PKG,
# KERNEL_PKG_VERSION, KERNEL_ROOT, KERNEL_RELEASE (uname -r), KERNEL_IMAGE and KERNEL_MODDIR.
kernel_fetch() {
	local cached
	KERNEL_PKG=$(kernel_package)
	if [[ -z "$KERNEL_PKG" ]]; then
		cached=$(deb_cached "linux-image-[0-9]*-$DEB_ARCH")
		[[ -n "$cached" ]] || die "apt-cache depends linux-image-$DEB_ARCH found no kernel (try: apt-get update)"
		KERNEL_PKG=${cached##*/}
		KERNEL_PKG=${KERNEL_PKG%%_*}
	fi
	deb_fetch "$KERNEL_PKG"
	KERNEL_PKG_VERSION=$DEB_VERSION
	KERNEL_ROOT=$DEB_ROOT
	KERNEL_RELEASE=${KERNEL_PKG#linux-image-}
	KERNEL_IMAGE="$KERNEL_ROOT/boot/vmlinuz-$KERNEL_RELEASE"
	KERNEL_MODDIR="$KERNEL_ROOT/lib/modules/$KERNEL_RELEASE"
	[[ -f "$KERNEL_IMAGE" && -d "$KERNEL_MODDIR" ]] || die "$KERNEL_PKG: no vmlinuz or modules in $KERNEL_ROOT"
}

# busybox_fetch: sets BUSYBOX to a static busybox binary for DEB_ARCH.
busybox_fetch() {
	deb_fetch busybox-static
	BUSYBOX="$DEB_ROOT/bin/busybox"
	[[ -x "$BUSYBOX" ]] || die "busybox-static $DEB_VERSION has no bin/busybox"
}

# mod_index: maps module names (with '_', as the kernel spells them) to .ko files in MOD_FILE.
mod_index() {
	local f n
	declare -gA MOD_FILE=()
	while IFS= read -r -d '' f; do
		n=${f##*/}
		n=${n%%.ko*}
		MOD_FILE[${n//-/_}]=$f
	done < <(find "$KERNEL_MODDIR/kernel" -name '*.ko*' -print0)
}

# mod_builtin NAME: true when NAME is built into the kernel.
mod_builtin() {
	sed 's#.*/##; s#\.ko.*##; s#-#_#g' "$KERNEL_MODDIR/modules.builtin" | grep -x "$1" >/dev/null
}

# mod_stage NAME DIR: writes NAME.ko, decompressed, into DIR.
mod_stage() {
	local src=${MOD_FILE[$1]} dst="$2/$1.ko"
	case "$src" in
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) die "module $1: unknown compression ($src)" ;;
	esac
}

# mod_visit NAME DIR: stages NAME and, first, its dependencies; appends to MOD_ORDER.
mod_visit() {
	local name=${1//-/_} dir=$2 deps dep
	local -a list=()
	[[ -z "${MOD_SEEN[$name]:-}" ]] || return 0
	MOD_SEEN[$name]=1
	if [[ -z "${MOD_FILE[$name]:-}" ]]; then
		mod_builtin "$name" && return 0
		die "module $name: neither a .ko in $KERNEL_PKG nor built in"
	fi
	mod_stage "$name" "$dir"
	deps=$(modinfo -F depends "$dir/$name.ko")
	[[ -z "$deps" ]] || IFS=, read -ra list <<<"$deps"
	for dep in "${list[@]}"; do
		mod_visit "$dep" "$dir"
	done
	MOD_ORDER+=("$name")
}

# mod_resolve DIR NAME...: stages the modules and their dependencies into DIR and writes
# DIR/load-order, one module name a line, each after the modules it depends on.
mod_resolve() {
	local dir=$1 m
	shift
	declare -gA MOD_SEEN=()
	MOD_ORDER=()
	mod_index
	for m in "$@"; do
		mod_visit "$m" "$dir"
	done
	printf '%s\n' "${MOD_ORDER[@]}" >"$dir/load-order"
}

# cpio_entry NAME MODE MAJOR MINOR: one newc header for an entry without data.
cpio_entry() {
	local name=$1 mode=$2 major=$3 minor=$4 namesize pad
	namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
}

# cpio_console: a newc archive with dev/console, so the kernel has a console before init runs
# (building it needs neither root nor mknod).
cpio_console() {
	cpio_entry dev $((0040755)) 0 0
	cpio_entry dev/console $((0020600)) 5 1
	cpio_entry TRAILER!!! 0 0 0
}

# cpio_pack DIR OUT: packs DIR (root-owned, fixed mtimes) plus dev/console into OUT.cpio.gz.
cpio_pack() {
	local dir=$1 out=$2
	find "$dir" -exec touch -h -d @0 {} +
	{
		(cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --reproducible --quiet)
		cpio_console
	} | gzip -n -6 >"$out.tmp.$$"
	mv "$out.tmp.$$" "$out"
}

# Small static C tools of the default guest (guest/*.c), installed in its /bin.
GUEST_TOOLS=(vsock-echo)
INITRAMFS_TOOLS=()

# tools_build DIR: compiles GUEST_TOOLS for GUEST_ARCH into DIR.
tools_build() {
	local cc t
	case "$GUEST_ARCH-$(uname -m)" in
	x86_64-x86_64 | arm64-aarch64) cc=gcc ;;
	arm64-*) cc=aarch64-linux-gnu-gcc ;;
	*) cc=x86_64-linux-gnu-gcc ;;
	esac
	for t in "${INITRAMFS_TOOLS[@]}"; do
		"$cc" -static -O2 -Wall -Werror -o "$1/$t" "$GUEST_DIR/$t.c" || die "cannot build guest tool $t with $cc"
	done
}

# initramfs_stamp INIT NAME...: a hash of everything an initramfs is built from.
initramfs_stamp() {
	local init=$1 t
	shift
	{
		echo "$KERNEL_PKG $KERNEL_PKG_VERSION $BUSYBOX $* ${INITRAMFS_TOOLS[*]}"
		cat "$init" "$GUEST_BUILD_SH"
		for t in "${INITRAMFS_TOOLS[@]}"; do
			cat "$GUEST_DIR/$t.c"
		done
	} | sha256sum | cut -d' ' -f1
}

# initramfs_build OUT INIT NAME...: builds OUT (a .cpio.gz) with busybox, INIT as /init and the
# named modules (with dependencies) in /lib/modules, listed in load order in
# /lib/modules/load-order. Does nothing when OUT is up to date. Needs kernel_fetch, busybox_fetch.
initramfs_build() {
	local out=$1 init=$2 stamp stage
	shift 2
	stamp=$(initramfs_stamp "$init" "$@")
	if [[ -s "$out" && "$(cat "$out.stamp" 2>/dev/null)" == "$stamp" ]]; then
		return 0
	fi
	mkdir -p "$LKVM_CACHE/stage"
	stage=$(mktemp -d "$LKVM_CACHE/stage/${out##*/}.XXXXXX")
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib/modules,dev,proc,sys,tmp,run,root,etc,mnt}
	cp "$BUSYBOX" "$stage/bin/busybox"
	cp "$init" "$stage/init"
	chmod 0755 "$stage/init" "$stage/bin/busybox"
	tools_build "$stage/bin"
	mod_resolve "$stage/lib/modules" "$@"
	cpio_pack "$stage" "$out"
	rm -rf "$stage"
	echo "$stamp" >"$out.stamp.$$"
	mv "$out.stamp.$$" "$out.stamp"
}

# kernel_install OUT: copies the kernel to OUT/vmlinuz-ARCH when it changed; for arm64 to
# OUT/Image-arm64 (unpacked if gzip'd), which vmlinuz-arm64 links to.
kernel_install() {
	local out=$1 name=vmlinuz-$GUEST_ARCH tmp
	tmp="$out/.kernel.tmp.$$"
	if [[ "$GUEST_ARCH" == arm64 ]]; then
		name=Image-arm64
		# Unpacking takes a second: skip it when this kernel version is already there.
		if [[ -s "$out/$name" && "$(cat "$out/kernel-$GUEST_ARCH.version" 2>/dev/null)" == \
			"$KERNEL_PKG $KERNEL_PKG_VERSION" ]]; then
			ln -sfn "$name" "$out/vmlinuz-$GUEST_ARCH"
			return 0
		fi
		if [[ "$(head -c 2 "$KERNEL_IMAGE" | od -An -tx1 | tr -d ' ')" == 1f8b ]]; then
			gzip -dc "$KERNEL_IMAGE" >"$tmp" || die "cannot unpack $KERNEL_IMAGE"
		else
			cp "$KERNEL_IMAGE" "$tmp"
		fi
	else
		cp "$KERNEL_IMAGE" "$tmp"
	fi
	if cmp -s "$tmp" "$out/$name"; then
		rm -f "$tmp"
	else
		mv "$tmp" "$out/$name"
	fi
	[[ "$name" == "vmlinuz-$GUEST_ARCH" ]] || ln -sfn "$name" "$out/vmlinuz-$GUEST_ARCH"
}

# vmlinux_extract: the uncompressed ELF vmlinux inside an x86 bzImage (xz-compressed, as
# Debian's are), unpacked once into the cache; prints its path. lkvm and QEMU both boot it
# without the kernel's own decompressor, which costs seconds under nested emulation.
vmlinux_extract() {
	local out="$LKVM_CACHE/vmlinux/vmlinux-$KERNEL_RELEASE" off
	if [[ ! -s "$out" ]]; then
		mkdir -p "$LKVM_CACHE/vmlinux"
		off=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$KERNEL_IMAGE" | head -n 1 | cut -d: -f1) || true
		[[ -n "$off" ]] || die "$KERNEL_IMAGE: no xz payload to unpack a vmlinux from"
		tail -c +$((off + 1)) "$KERNEL_IMAGE" | xz -dcq --single-stream >"$out.tmp.$$" 2>/dev/null || true
		if [[ "$(head -c 4 "$out.tmp.$$" | od -An -tx1 | tr -d ' ')" != 7f454c46 ]]; then
			rm -f "$out.tmp.$$"
			die "$KERNEL_IMAGE: its xz payload is not an ELF vmlinux"
		fi
		mv "$out.tmp.$$" "$out"
	fi
	echo "$out"
}

# guest_build ARCH: builds guest/out/{vmlinuz,initramfs}-ARCH and prints their paths; for
# x86_64 also guest/out/vmlinux-x86_64, the same kernel uncompressed (ELF).
guest_build() {
	local out="$GUEST_DIR/out" vmlinux
	guest_arch "$1"
	kernel_fetch
	busybox_fetch
	mkdir -p "$out"
	kernel_install "$out"
	if [[ "$GUEST_ARCH" == x86_64 ]]; then
		vmlinux=$(vmlinux_extract)
		cmp -s "$vmlinux" "$out/vmlinux-x86_64" ||
			ln -f "$vmlinux" "$out/vmlinux-x86_64" 2>/dev/null || cp "$vmlinux" "$out/vmlinux-x86_64"
	fi
	INITRAMFS_TOOLS=("${GUEST_TOOLS[@]}")
	initramfs_build "$out/initramfs-$GUEST_ARCH.cpio.gz" "$GUEST_DIR/init" "${GUEST_MODULES[@]}"
	echo "$KERNEL_PKG $KERNEL_PKG_VERSION" >"$out/kernel-$GUEST_ARCH.version"
	echo "$out/vmlinuz-$GUEST_ARCH"
	echo "$out/initramfs-$GUEST_ARCH.cpio.gz"
}

main() {
	case "${1:-}" in
	-h | --help)
		sed -n '2,9p' "$GUEST_BUILD_SH" | sed 's/^# \{0,1\}//'
		return 0
		;;
	esac
	[[ $# -le 1 ]] || die "usage: guest/build.sh [ARCH]"
	guest_build "${1:-x86_64}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	main "$@"
fi

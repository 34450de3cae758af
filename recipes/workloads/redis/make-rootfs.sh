#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Assemble a redis root filesystem from Debian's packages: the server binary
# (Debian ships redis-server as a name of redis-check-rdb, in redis-tools)
# and redis-cli with every shared library they load, plus busybox-static for
# the smoke test's shell.
#   make-rootfs.sh [DEST]      (default: ./rootfs next to this script)
# KTRIM_ARCH=arm64 (default x86_64, the host's installed packages) takes
# Debian's arm64 packages instead, for an arm64 guest: see stage_arm64.
# KTRIM_BUSYBOX: another static busybox (arm64: KBUSYBOX from
# KTRIM_ARCH=arm64 ci/kernel-cache.sh; else busybox-static:arm64 is fetched).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here/rootfs}
me=make-rootfs.sh

# The host's own redis-tools: ldd names what each binary loads.
stage_x86_64() {
	if ! [ -x /usr/bin/redis-check-rdb ] || ! [ -x /usr/bin/redis-cli ]; then
		if [ "$(id -u)" = 0 ]; then
			apt-get install -y -q redis-tools >&2
		else
			echo "$me: needs redis-tools: apt-get install redis-tools" >&2
			exit 1
		fi
	fi
	rm -rf "$dest"
	mkdir -p "$dest/usr/bin" "$dest/bin"
	cp /usr/bin/redis-check-rdb "$dest/usr/bin/redis-server"
	cp /usr/bin/redis-cli "$dest/usr/bin/redis-cli"
	# Every library either binary loads, at the path the dynamic linker expects.
	for bin in /usr/bin/redis-check-rdb /usr/bin/redis-cli; do
		ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
	done | sort -u | while read -r lib; do
		mkdir -p "$dest$(dirname "$lib")"
		cp -L "$lib" "$dest$lib"
	done
	cp /bin/busybox "$dest/bin/busybox"
}

# --- arm64: packages downloaded and unpacked, never installed -------------
# Installing redis-tools:arm64 would replace the host's, and ldd cannot run
# arm64 binaries here; so the packages are unpacked (dpkg -x) into a cache
# keyed by redis-tools' version, and the library closure is read from the
# ELF files themselves (DT_NEEDED, PT_INTERP) with readelf.
triplet=aarch64-linux-gnu
cache=${KTRIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktrim}/arm64/redis

# The library packages redis-tools:arm64 depends on, transitively: apt's
# Depends/Pre-Depends, followed only through packages named lib* (adduser,
# gcc-12-base and the like hold no library the binaries load). A soname this
# misses is named by closure below.
arm64_packages() {
	seen=redis-tools frontier=redis-tools
	while [ -n "$frontier" ]; do
		# shellcheck disable=SC2046 # one word per package
		next=$(apt-cache depends --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances \
			$(for p in $frontier; do echo "$p:arm64"; done) |
			sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \(lib[a-z0-9.+-]*\):arm64$/\2/p' | sort -u)
		frontier=
		for p in $next; do
			case " $seen " in *" $p "*) ;; *) seen="$seen $p" frontier="$frontier $p" ;; esac
		done
	done
	echo "$seen busybox-static"
}

arm64_fetch() { # tree
	tree=$1
	[ -e "$tree/.complete" ] && return 0
	mkdir -p "$cache"
	pkgs=$(arm64_packages)
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	echo "$me: apt-get download (arm64):$pkgs" >&2
	# shellcheck disable=SC2046
	if ! (cd "$tmp" && apt-get download -q $(for p in $pkgs; do echo "$p:arm64"; done) >&2); then
		rm -rf "$tmp"
		echo "$me: apt-get download of the arm64 packages failed" >&2
		exit 1
	fi
	rm -rf "$tree.partial"
	mkdir -p "$tree.partial"
	for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$tree.partial"; done
	rm -rf "$tmp"
	touch "$tree.partial/.complete"
	rm -rf "$tree"
	mv "$tree.partial" "$tree"
}

# A guest path's file in the unpacked tree, its symlinks followed inside
# the tree: an absolute link target is the guest's path, not the host's.
in_tree() { # guest-path
	p=$tree$1 n=0
	while [ -L "$p" ]; do
		n=$((n + 1))
		[ $n -le 16 ] || { echo "$me: $p: too many symlinks" >&2; return 1; }
		t=$(readlink "$p")
		case $t in /*) p=$tree$t ;; *) p=$(dirname "$p")/$t ;; esac
	done
	[ -f "$p" ] && echo "$p"
}

elf_machine() { readelf -hW "$1" | sed -n 's/^ *Machine: *//p'; }
elf_needed() { readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
elf_interp() { readelf -lW "$1" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p'; }

# Guest paths of the binaries and everything they load: the interpreter and
# each DT_NEEDED soname, resolved where Debian's arm64 ld.so looks
# (/lib/aarch64-linux-gnu, /usr/lib/aarch64-linux-gnu), to a fixed point.
closure() { # guest-path...
	todo="$*" done_=
	while [ -n "$todo" ]; do
		# shellcheck disable=SC2086
		set -- $todo
		f=$1
		shift
		todo="$*"
		case " $done_ " in *" $f "*) continue ;; esac
		done_="$done_ $f"
		echo "$f"
		file=$(in_tree "$f") || { echo "$me: $f: not in $tree" >&2; exit 1; }
		m=$(elf_machine "$file")
		[ "$m" = AArch64 ] || { echo "$me: $f: machine '$m', not AArch64" >&2; exit 1; }
		interp=$(elf_interp "$file")
		[ -z "$interp" ] || todo="$todo $interp"
		for so in $(elf_needed "$file"); do
			lib=
			for d in /lib/$triplet /usr/lib/$triplet; do
				if in_tree "$d/$so" >/dev/null; then lib=$d/$so && break; fi
			done
			[ -n "$lib" ] || {
				echo "$me: $f needs $so, in none of the downloaded arm64 packages" \
					"(add its package to arm64_packages; cache: $tree)" >&2
				exit 1
			}
			todo="$todo $lib"
		done
	done
}

stage_arm64() {
	if ! apt-cache show redis-tools:arm64 >/dev/null 2>&1; then
		echo "$me: apt knows no redis-tools:arm64: dpkg --add-architecture arm64 &&" \
			"apt-get update (ci/deps.sh adds the architecture)" >&2
		exit 1
	fi
	ver=$(apt-cache policy redis-tools:arm64 | sed -n 's/^ *Candidate: *//p' | tr ':~' '_-')
	arm64_fetch "$cache/$ver"
	bb=${KTRIM_BUSYBOX:-$tree/bin/busybox}
	if ! file -L "$bb" | grep -q 'ARM aarch64.*statically linked'; then
		echo "$me: $bb is not a static arm64 busybox" >&2
		exit 1
	fi
	libs=$(closure /usr/bin/redis-check-rdb /usr/bin/redis-cli)
	rm -rf "$dest"
	mkdir -p "$dest/usr/bin" "$dest/bin"
	for f in $libs; do
		case $f in
		/usr/bin/redis-check-rdb) to=/usr/bin/redis-server ;;
		*) to=$f ;;
		esac
		mkdir -p "$dest$(dirname "$to")"
		cp "$(in_tree "$f")" "$dest$to"
	done
	cp "$bb" "$dest/bin/busybox"
}

case ${KTRIM_ARCH:-x86_64} in
x86_64 | x86 | amd64) stage_x86_64 ;;
arm64 | aarch64) stage_arm64 ;;
*) echo "$me: KTRIM_ARCH=$KTRIM_ARCH: known arches are x86_64 and arm64" >&2; exit 2 ;;
esac
mkdir -p "$dest/etc" "$dest/data" "$dest/tmp"
for applet in sh grep cat; do ln -s busybox "$dest/bin/$applet"; done
echo 'root:x:0:0:root:/data:/bin/sh' > "$dest/etc/passwd"
echo 'root:x:0:' > "$dest/etc/group"
echo "rootfs ready: $dest ($(du -sh "$dest" | cut -f1))"

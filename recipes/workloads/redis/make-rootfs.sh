#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Assemble a redis root filesystem from the host's Debian packages: the
# server binary (Debian ships redis-server as a name of redis-check-rdb, in
# redis-tools) and redis-cli with every shared library they load, plus
# busybox-static for the smoke test's shell.
#   make-rootfs.sh [DEST]      (default: ./rootfs next to this script)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here/rootfs}
if ! [ -x /usr/bin/redis-check-rdb ] || ! [ -x /usr/bin/redis-cli ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -q redis-tools >&2
	else
		echo "make-rootfs.sh: needs redis-tools: apt-get install redis-tools" >&2
		exit 1
	fi
fi
rm -rf "$dest"
mkdir -p "$dest/usr/bin" "$dest/bin" "$dest/etc" "$dest/data" "$dest/tmp"
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
for applet in sh grep cat; do ln -s busybox "$dest/bin/$applet"; done
echo 'root:x:0:0:root:/data:/bin/sh' > "$dest/etc/passwd"
echo 'root:x:0:' > "$dest/etc/group"
echo "rootfs ready: $dest ($(du -sh "$dest" | cut -f1))"

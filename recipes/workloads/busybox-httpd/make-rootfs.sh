#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Assemble the busybox HTTP server's root filesystem from Debian's
# busybox-static: one static binary, the applet links the workload and its
# smoke test use, and a page to serve.
#   make-rootfs.sh [DEST]      (default: ./rootfs next to this script)
# KTRIM_BUSYBOX: another static busybox, e.g. arm64's for an arm64 guest
# (KTRIM_ARCH=arm64 ci/kernel-cache.sh prints it as KBUSYBOX).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here/rootfs}
bb=${KTRIM_BUSYBOX:-/bin/busybox}
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "make-rootfs.sh: $bb is not static; apt-get install busybox-static" >&2
	exit 1
fi
rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/www" "$dest/etc" "$dest/tmp"
cp "$bb" "$dest/bin/busybox"
for applet in sh httpd wget grep cat ls; do
	ln -s busybox "$dest/bin/$applet"
done
echo '<html><body>ktrim busybox httpd works</body></html>' > "$dest/www/index.html"
echo 'root:x:0:0:root:/:/bin/sh' > "$dest/etc/passwd"
echo 'root:x:0:' > "$dest/etc/group"
echo "rootfs ready: $dest"

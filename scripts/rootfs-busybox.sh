#!/usr/bin/env bash
# Build mew's default root filesystem from Debian's busybox-static into the
# cache (not the repo).  Usage: rootfs-busybox.sh [amd64|arm64]
# Cached by the package version: rebuilt only when busybox-static changes.
set -euo pipefail
arch=${1:-amd64}
if [ -n "${MEW_CACHE:-}" ]; then cache=$MEW_CACHE
elif [ "$(id -u)" -eq 0 ]; then cache=/var/cache/mew
else cache=${XDG_CACHE_HOME:-$HOME/.cache}/mew; fi
dest=$cache/rootfs/busybox-$arch

hostarch=$(dpkg --print-architecture)
if [ "$arch" = "$hostarch" ]; then
	pkg=busybox-static
else
	pkg=busybox-static:$arch
fi
version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
# busybox-static:arm64 conflicts with the host's busybox-static: it is only
# downloaded, never installed, so its version comes from apt.
[ -n "$version" ] || [ "$arch" = "$hostarch" ] ||
	version=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -v '(none)' || true)
if [ -z "$version" ]; then
	echo "mew: $pkg is not installed: run scripts/deps.sh" >&2
	exit 1
fi
# Keyed by its inputs: the package version and this script.
stamp="$pkg $version script-$(sha256sum "$0" | cut -c1-12)"
if [ -f "$dest/.mew-rootfs" ] && [ "$(cat "$dest/.mew-rootfs")" = "$stamp" ]; then
	exit 0
fi

echo "mew: building the $arch busybox rootfs in $dest from $pkg $version" >&2
tmp=$(mktemp -d "$cache/rootfs/.busybox-$arch.XXXXXX" 2>/dev/null || { mkdir -p "$cache/rootfs"; mktemp -d "$cache/rootfs/.busybox-$arch.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
# Extract the package's own files: no host binary is copied in.
work=$(mktemp -d)
(cd "$work" && apt-get download -qq "$pkg" >/dev/null 2>&1) || cp "/var/cache/apt/archives/busybox-static_${version//:/%3a}_$arch.deb" "$work/" 2>/dev/null || true
deb=$(ls "$work"/*.deb 2>/dev/null | head -n1 || true)
if [ -n "$deb" ]; then
	dpkg-deb -x "$deb" "$work/x"
	bb=$work/x/bin/busybox
else
	# The package is installed but no .deb can be fetched: use its installed file.
	bb=$(dpkg -L "$pkg" | grep '/bin/busybox$' | head -n1)
fi
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,run,var/tmp}
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 700 "$tmp/root"
install -m 0755 "$bb" "$tmp/bin/busybox"
rm -rf "$work"
# One link per applet, where busybox itself says it belongs.
if [ "$arch" = "$hostarch" ]; then
	list=$("$tmp/bin/busybox" --list-full)
else
	# Same source package, same applets: ask the host's busybox-static.
	list=$(busybox --list-full)
fi
while read -r a; do
	[ -n "$a" ] || continue
	[ "$a" = bin/busybox ] && continue
	ln -sf /bin/busybox "$tmp/$a"
done <<<"$list"
cat >"$tmp/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$tmp/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
echo mew >"$tmp/etc/hostname"
: >"$tmp/etc/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$tmp/etc/hosts"
echo "$stamp" >"$tmp/.mew-rootfs"
chmod 755 "$tmp"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "mew: rootfs ready: $dest" >&2

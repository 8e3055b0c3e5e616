#!/usr/bin/env bash
# The path of a static qemu-aarch64 (Debian's qemu-user-static, the same
# version as the host's qemu-user), for references that chroot into the
# arm64 rootfs: a binfmt_misc entry with the F flag keeps the interpreter
# file open, but a dynamic qemu-aarch64 then looks for its own libraries
# inside the chroot and fails ENOENT.  The package is unpacked into the
# cache (`apt-get download`, `dpkg -x`), never installed: installing it
# would register its binfmt_misc handlers on the host.
# Usage: qemu-static.sh   (prints the path on stdout)
set -euo pipefail
if [ -n "${MEW_CACHE:-}" ]; then cache=$MEW_CACHE
elif [ "$(id -u)" -eq 0 ]; then cache=/var/cache/mew
else cache=${XDG_CACHE_HOME:-$HOME/.cache}/mew; fi
version=$(apt-cache policy qemu-user-static | sed -n 's/^ *Candidate: *//p')
[ -n "$version" ] && [ "$version" != "(none)" ] ||
	{ echo "qemu-static.sh: no qemu-user-static in the package lists (apt-get update)" >&2; exit 2; }
dest=$cache/qemu-user-static/${version//[:\/]/_}
bin=$dest/usr/bin/qemu-aarch64-static
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
mkdir -p "$cache/qemu-user-static"
exec 9>"$cache/qemu-user-static/.lock"
flock 9
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
tmp=$(mktemp -d "$cache/qemu-user-static/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # apt-get downloads as _apt
(cd "$tmp" && apt-get download -q "qemu-user-static=$version" >&2)
dpkg -x "$tmp"/qemu-user-static_*.deb "$tmp/root"
[ -x "$tmp/root/usr/bin/qemu-aarch64-static" ] || { echo "qemu-static.sh: no qemu-aarch64-static in the package" >&2; exit 2; }
mkdir -p "$tmp/keep/usr/bin"
mv "$tmp/root/usr/bin/qemu-aarch64-static" "$tmp/keep/usr/bin/" # the rest: other guests' (400 MB)
rm -rf "$dest"
mv "$tmp/keep" "$dest"
echo "$bin"

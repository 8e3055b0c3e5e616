#!/usr/bin/env bash
# Build the Debian rootfs the syscall engine's tests and benchmarks use, with
# `mew rootfs create --from debian`, into the cache (not the repo).
# Usage: rootfs-debian.sh [amd64]   (prints the rootfs path on stdout)
# Keyed by its inputs (suite, variant, arch, mirror, debootstrap version):
# rebuilt only when one changes.
set -euo pipefail
arch=${1:-amd64}
suite=bookworm
mirror=http://deb.debian.org/debian
cd "$(dirname "$0")/.."
mew=${MEW:-$PWD/build/mew}
if [ -n "${MEW_CACHE:-}" ]; then cache=$MEW_CACHE
elif [ "$(id -u)" -eq 0 ]; then cache=/var/cache/mew
else cache=${XDG_CACHE_HOME:-$HOME/.cache}/mew; fi
dest=$cache/rootfs/debian-$suite-$arch
stamp="debian $suite minbase $arch $mirror debootstrap $(dpkg-query -W -f='${Version}' debootstrap 2>/dev/null || echo none)"
if [ -f "$dest/.mew-rootfs" ] && [ "$(cat "$dest/.mew-rootfs")" = "$stamp" ]; then
	echo "$dest"
	exit 0
fi
mkdir -p "$cache/rootfs"
exec 9>"$cache/rootfs/.debian-$suite-$arch.lock"
flock 9
if [ -f "$dest/.mew-rootfs" ] && [ "$(cat "$dest/.mew-rootfs")" = "$stamp" ]; then
	echo "$dest"
	exit 0
fi
tmp=$(mktemp -d "$cache/rootfs/.debian-$suite-$arch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$mew" rootfs create --from debian --arch "$arch" --suite "$suite" --mirror "$mirror" "$tmp" >&2
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/debootstrap"
echo "$stamp" >"$tmp/.mew-rootfs"
chmod 755 "$tmp"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"

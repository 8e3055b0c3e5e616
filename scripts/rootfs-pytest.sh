#!/usr/bin/env bash
# The Debian rootfs of scripts/rootfs-debian.sh with Python's own tests:
# Debian's libpython3.11-testsuite and netbase, installed by apt-get under
# mew itself (so the install is part of what is tried: --engine syscall on
# amd64, emulate on arm64), and an /etc/hosts (test_socket needs both).
# Usage: rootfs-pytest.sh [amd64|arm64]   (prints the rootfs path on stdout)
# Kept in the cache next to the base rootfs, keyed by it; rebuilt only when
# the base changes.  Needs the Debian mirror (apt-get update).
set -euo pipefail
arch=${1:-amd64}
case $arch in
amd64) engine=syscall ;;
arm64) engine=emulate ;;
*) echo "rootfs-pytest.sh: amd64 or arm64, not \`$arch'" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
MEW=${MEW:-$here/build/mew}
base=$(bash "$here/scripts/rootfs-debian.sh" "$arch")
root=$base-pytest
stamp="$(cat "$base/.mew-rootfs") + libpython3.11-testsuite netbase"
fresh() { [ -f "$root/.mew-rootfs" ] && [ "$(cat "$root/.mew-rootfs")" = "$stamp" ]; }
if fresh; then
	echo "$root"
	exit 0
fi
exec 9>"$(dirname "$base")/.$(basename "$root").lock"
flock 9
if fresh; then
	echo "$root"
	exit 0
fi
echo "rootfs-pytest.sh: installing libpython3.11-testsuite into a copy of $base (apt-get under mew --engine $engine)" >&2
rm -rf "$root.tmp"
trap 'rm -rf "$root.tmp"' EXIT
cp -a --reflink=auto "$base" "$root.tmp"
"$MEW" run --engine "$engine" --rootfs "$root.tmp" -- sh -c \
	'apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends libpython3.11-testsuite netbase python3 >/dev/null' >&2
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root.tmp/etc/hosts"
rm -rf "$root.tmp/var/cache/apt/archives/"*.deb
echo "$stamp" >"$root.tmp/.mew-rootfs"
rm -rf "$root"
mv "$root.tmp" "$root"
trap - EXIT
echo "$root"

#!/usr/bin/env bash
# Python's own standard-library tests, on the same Debian rootfs, once by a
# reference and once under mew, in the same run:
#
#     bash scripts/pytests.sh [--arch amd64|arm64] [MODULE...]
#
# amd64: the reference is the host itself (chroot, as root), mew is the
#        syscall engine; the default modules are the OS interface's.
# arm64: the reference is qemu-aarch64 (QEMU_LD_PREFIX=ROOTFS, and a
#        binfmt_misc of its own for the programs the tests execute), mew
#        is the emulate engine; the default modules are the numeric and
#        runtime ones.
#
# The rootfs is scripts/rootfs-pytest.sh's: scripts/rootfs-debian.sh's
# with Debian's libpython3.11-testsuite and netbase installed by apt-get
# under mew itself, and an /etc/hosts.  Each module runs with regrtest under
# `timeout` (PYTEST_TIMEOUT seconds, default 900); the verdict is regrtest's
# exit status (0 passed, 2 failed, 3 environment changed, 4 no tests ran,
# 124 timed out, anything else broken).
# Prints one line per module and the modules whose verdicts differ.
# Needs root (chroot, and the reference runs as root).  MEW: the mew binary.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
MEW=${MEW:-$here/build/mew}
arch=amd64
if [ "${1:-}" = --arch ]; then
	arch=$2
	shift 2
fi
case $arch in
amd64)
	engine=syscall
	modules=${*:-test_os test_shutil test_tempfile test_pathlib test_glob test_posix test_stat test_fileio
test_subprocess test_signal test_socket test_select test_threading test_tarfile test_zipfile test_json test_io}
	;;
arm64)
	engine=emulate
	command -v qemu-aarch64 >/dev/null || { echo "pytests.sh: no qemu-aarch64 (apt-get install qemu-user)" >&2; exit 2; }
	modules=${*:-test_math test_float test_cmath test_struct test_long test_int test_decimal test_fractions
test_statistics test_random test_hashlib test_zlib test_re test_unicode test_bytes test_array test_json
test_os test_threading test_signal}
	;;
*) echo "pytests.sh: --arch amd64 or arm64, not \`$arch'" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "pytests.sh: run as root (the reference runs in a chroot as root)" >&2; exit 2; }
[ -x "$MEW" ] || { echo "pytests.sh: no mew at $MEW (make)" >&2; exit 2; }
timeout_s=${PYTEST_TIMEOUT:-900}

root=$(bash "$here/scripts/rootfs-pytest.sh" "$arch")

# the reference runs one module (under timeout: exported, run by bash -c)
reference() {
	local env=(env -i PATH=/usr/bin:/bin HOME=/root TMPDIR=/tmp)
	if [ "$arch" = amd64 ]; then
		# a chroot with the host's /dev, /proc and /sys, as a system has them
		unshare --mount --fork sh -c 'mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc" &&
			mount --rbind /sys "$1/sys" && exec chroot "$@"' _ "$root" "${env[@]}" python3 -m test -q "$1"
	else
		qemu_binfmt "$root" "${env[@]}" QEMU_LD_PREFIX="$root" qemu-aarch64 "$root/usr/bin/python3" -m test -q "$1"
	fi
}
. "$here/scripts/qemu-binfmt.sh"
export -f qemu_binfmt
export -f reference
export arch root
verdict() {
	case $1 in
	0) echo passed ;; 2) echo failed ;; 3) echo "env changed" ;; 4) echo "no tests ran" ;;
	124) echo "timed out" ;; *) echo "broken ($1)" ;;
	esac
}

log=$(mktemp -d /tmp/mew-pytests.XXXXXX)
ref_name=$([ "$arch" = amd64 ] && echo native || echo qemu-aarch64)
printf '%-18s %-14s %-14s\n' module "$ref_name" "mew $engine"
same=0 differ=0 list=""
for m in $modules; do
	s=0
	(cd /tmp && timeout "$timeout_s" bash -c 'reference "$1"' _ "$m") >"$log/$m.ref" 2>&1 </dev/null || s=$?
	r=$(verdict $s)
	s=0
	timeout "$timeout_s" "$MEW" run --engine "$engine" --rootfs "$root" -e HOME=/root -e TMPDIR=/tmp -- \
		python3 -m test -q "$m" >"$log/$m.mew" 2>&1 </dev/null || s=$?
	u=$(verdict $s)
	printf '%-18s %-14s %-14s\n' "$m" "$r" "$u"
	if [ "$r" = "$u" ]; then same=$((same + 1)); else differ=$((differ + 1)); list="$list $m"; fi
done
echo "same verdict: $same, different: $differ${list:+ ($list )}; logs in $log"

#!/usr/bin/env bash
# Python's own standard-library tests, on the same Debian rootfs, once by a
# reference and once under mew, in the same run:
#
#     bash scripts/pytests.sh [--arch amd64|arm64] [MODULE...]
#
# amd64: the reference is the host itself (chroot, as root), mew is the
#        syscall engine; the default modules are the OS interface's.
# arm64: the reference is qemu-aarch64 in a chroot, as amd64's: the static
#        one of scripts/qemu-static.sh, run through a binfmt_misc of its own
#        (scripts/qemu-binfmt.sh) for every arm64 program; mew is the emulate
#        engine; the default modules are the numeric and runtime ones.
#        Without a static qemu (no package lists), qemu-aarch64 -L ROOTFS
#        outside a chroot, where the tests see the host's files (test_os's
#        listdir of / fails so).
#
# The rootfs is scripts/rootfs-pytest.sh's: scripts/rootfs-debian.sh's
# with Debian's libpython3.11-testsuite and netbase installed by apt-get
# under mew itself, and an /etc/hosts.  Each module runs with regrtest under
# `timeout` (PYTEST_TIMEOUT seconds, default 900); the verdict is regrtest's
# exit status (0 passed, 2 failed, 3 environment changed, 4 no tests ran,
# 124 timed out, anything else broken).
# Prints one line per module (each side's verdict and wall time in seconds)
# and the modules whose verdicts differ.
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
if [ "$arch" = arm64 ] && [ -z "${QEMU_AARCH64:-}" ]; then
	QEMU_AARCH64=$(bash "$here/scripts/qemu-static.sh") ||
		echo "pytests.sh: no static qemu-aarch64: the reference runs outside a chroot (qemu -L)" >&2
fi

# the reference runs one module (under timeout: exported, run by bash -c)
reference() {
	local env=(env -i PATH=/usr/bin:/bin HOME=/root TMPDIR=/tmp)
	if [ "$arch" = amd64 ]; then
		# a chroot with the host's /dev, /proc and /sys, as a system has them
		unshare --mount --fork sh -c 'mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc" &&
			mount --rbind /sys "$1/sys" && exec chroot "$@"' _ "$root" "${env[@]}" python3 -m test -q "$1"
	elif [ -n "${QEMU_AARCH64:-}" ]; then
		# the same chroot, in qemu_binfmt's namespace (its own /proc
		# needs a pid namespace of its own: the host's, bound)
		qemu_binfmt "$root" sh -c 'mount --rbind /dev "$1/dev" && mount --rbind /proc "$1/proc" &&
			mount --rbind /sys "$1/sys" && exec chroot "$@"' _ "$root" "${env[@]}" python3 -m test -q "$1"
	else
		qemu_binfmt "$root" "${env[@]}" QEMU_LD_PREFIX="$root" qemu-aarch64 "$root/usr/bin/python3" -m test -q "$1"
	fi
}
. "$here/scripts/qemu-binfmt.sh"
export -f qemu_binfmt
export -f reference
export arch root QEMU_AARCH64
verdict() {
	case $1 in
	0) echo passed ;; 2) echo failed ;; 3) echo "env changed" ;; 4) echo "no tests ran" ;;
	124) echo "timed out" ;; *) echo "broken ($1)" ;;
	esac
}

log=$(mktemp -d /tmp/mew-pytests.XXXXXX)
ref_name=$([ "$arch" = amd64 ] && echo native || echo qemu-aarch64)
printf '%-18s %-14s %6s   %-14s %6s\n' module "$ref_name" s "mew $engine" s
same=0 differ=0 list=""
for m in $modules; do
	s=0 t0=$SECONDS
	(cd /tmp && timeout "$timeout_s" bash -c 'reference "$1"' _ "$m") >"$log/$m.ref" 2>&1 </dev/null || s=$?
	r=$(verdict $s) rt=$((SECONDS - t0))
	s=0 t0=$SECONDS
	timeout "$timeout_s" "$MEW" run --engine "$engine" --rootfs "$root" -e HOME=/root -e TMPDIR=/tmp -- \
		python3 -m test -q "$m" >"$log/$m.mew" 2>&1 </dev/null || s=$?
	u=$(verdict $s) ut=$((SECONDS - t0))
	printf '%-18s %-14s %6d   %-14s %6d\n' "$m" "$r" "$rt" "$u" "$ut"
	if [ "$r" = "$u" ]; then same=$((same + 1)); else differ=$((differ + 1)); list="$list $m"; fi
done
echo "same verdict: $same, different: $differ${list:+ ($list )}; logs in $log"

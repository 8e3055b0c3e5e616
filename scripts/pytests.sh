#!/usr/bin/env bash
# Python's own standard-library tests, on the same Debian rootfs, once by a
# reference and once under mew, in the same run:
#
#     bash scripts/pytests.sh [--arch amd64|arm64] [--user USER] [MODULE...]
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
# --user USER: mew runs as that ordinary user (setpriv), as most users run
#        it, with the guest's default identity (root), on a copy of the
#        rootfs that USER owns, as mew would have unpacked it for USER
#        (scripts/rootfs-user.sh: owners and set-id bits kept).  The
#        reference stays root in the chroot on the root-owned rootfs: both
#        sides' tests run as a root that owns the files, so a test that
#        differs shows where mew's fake root is not the kernel's (a
#        reference run as USER would compare a non-root guest instead,
#        which is not what a user of mew gets).
#
# The rootfs is scripts/rootfs-pytest.sh's: scripts/rootfs-debian.sh's
# with Debian's libpython3.11-testsuite and netbase installed by apt-get
# under mew itself, and an /etc/hosts.  Each module runs with regrtest under
# `timeout` (PYTEST_TIMEOUT seconds, default 900); the verdict is regrtest's
# exit status (0 passed, 2 failed, 3 environment changed, 4 no tests ran,
# 124 timed out, anything else broken).
# Prints one line per module (each side's verdict and wall time in seconds,
# then the tests that fail or err on one side only, from regrtest -v's
# FAIL:/ERROR: lines, and those skipped on one side only) and the modules
# whose verdicts differ.
# Needs root (chroot, and the reference runs as root).  MEW: the mew binary.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
MEW=${MEW:-$here/build/mew}
arch=amd64
user=
while [ $# -gt 1 ]; do
	case $1 in
	--arch) arch=$2 ;;
	--user) user=$2 ;;
	*) break ;;
	esac
	shift 2
done
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
log=$(mktemp -d /tmp/mew-pytests.XXXXXX)
mew_root=$root as_user=()
if [ -n "$user" ]; then
	id "$user" >/dev/null || { echo "pytests.sh: no user \`$user'" >&2; exit 2; }
	setpriv --reuid "$user" --regid "$(id -g "$user")" --clear-groups test -x "$MEW" ||
		{ echo "pytests.sh: $user cannot run $MEW" >&2; exit 2; }
	chmod 755 "$log"
	mew_root=$log/rootfs
	MEW=$MEW bash "$here/scripts/rootfs-user.sh" "$root" "$mew_root" "$user"
	as_user=(setpriv --reuid "$user" --regid "$(id -g "$user")" --clear-groups --reset-env)
fi
if [ "$arch" = arm64 ] && [ -z "${QEMU_AARCH64:-}" ]; then
	QEMU_AARCH64=$(bash "$here/scripts/qemu-static.sh") ||
		echo "pytests.sh: no static qemu-aarch64: the reference runs outside a chroot (qemu -L)" >&2
fi

# the reference runs one module (under timeout: exported, run by bash -c)
reference() {
	local env=(env -i PATH=/usr/bin:/bin HOME=/root TMPDIR=/tmp)
	if [ "$arch" = amd64 ]; then
		# a chroot with the /dev that mew gives (src/wall/dev.c: vsock's
		# test hangs on this host's /dev/vsock, and mew has none), the
		# host's /proc and /sys, and a hostname of its own (test_socket
		# sets it as root)
		unshare --mount --uts --fork sh -c 'mount -t tmpfs -o mode=755 dev "$1/dev" &&
			for d in null zero full random urandom tty; do touch "$1/dev/$d" && mount --bind "/dev/$d" "$1/dev/$d" || exit; done &&
			mkdir "$1/dev/pts" "$1/dev/shm" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$1/dev/pts" &&
			ln -s pts/ptmx "$1/dev/ptmx" && mount -t tmpfs -o mode=1777 shm "$1/dev/shm" &&
			ln -s /proc/self/fd "$1/dev/fd" && ln -s /proc/self/fd/0 "$1/dev/stdin" &&
			ln -s /proc/self/fd/1 "$1/dev/stdout" && ln -s /proc/self/fd/2 "$1/dev/stderr" &&
			mount -t proc proc "$1/proc" && mount --rbind /sys "$1/sys" && exec chroot "$@"' \
			_ "$root" "${env[@]}" python3 -m test -v "$1"
	elif [ -n "${QEMU_AARCH64:-}" ]; then
		# the same chroot, in qemu_binfmt's namespace (its own /proc
		# needs a pid namespace of its own: the host's, bound)
		qemu_binfmt "$root" sh -c 'mount --rbind /dev "$1/dev" && mount --rbind /proc "$1/proc" &&
			mount --rbind /sys "$1/sys" && exec chroot "$@"' _ "$root" "${env[@]}" python3 -m test -v "$1"
	else
		qemu_binfmt "$root" "${env[@]}" QEMU_LD_PREFIX="$root" qemu-aarch64 "$root/usr/bin/python3" -m test -v "$1"
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

# the tests that failed or erred in a log, and those skipped, one a line
failures() { grep -aE '^(FAIL|ERROR): ' "$1" | sort -u || true; }
skips() { grep -aoE '^test\w* \(.*\) \.\.\. skipped' "$1" | sed 's/ \.\.\. skipped$//' | sort -u || true; }
ref_name=$([ "$arch" = amd64 ] && echo native || echo qemu-aarch64)
printf '%-18s %-14s %6s   %-14s %6s\n' module "$ref_name" s "mew $engine${user:+ as $user}" s
same=0 differ=0 list=""
for m in $modules; do
	s=0 t0=$SECONDS
	(cd /tmp && timeout "$timeout_s" bash -c 'reference "$1"' _ "$m") >"$log/$m.ref" 2>&1 </dev/null || s=$?
	r=$(verdict $s) rt=$((SECONDS - t0))
	s=0 t0=$SECONDS
	(cd /tmp && timeout "$timeout_s" "${as_user[@]}" "$MEW" run --engine "$engine" --rootfs "$mew_root" \
		-e HOME=/root -e TMPDIR=/tmp -- python3 -m test -v "$m") >"$log/$m.mew" 2>&1 </dev/null || s=$?
	u=$(verdict $s) ut=$((SECONDS - t0))
	printf '%-18s %-14s %6d   %-14s %6d\n' "$m" "$r" "$rt" "$u" "$ut"
	failures "$log/$m.ref" >"$log/$m.ref.failed"
	failures "$log/$m.mew" >"$log/$m.mew.failed"
	comm -13 "$log/$m.ref.failed" "$log/$m.mew.failed" | sed 's/^/    only under mew: /'
	comm -23 "$log/$m.ref.failed" "$log/$m.mew.failed" | sed "s/^/    only under $ref_name: /"
	skips "$log/$m.ref" >"$log/$m.ref.skipped"
	skips "$log/$m.mew" >"$log/$m.mew.skipped"
	comm -13 "$log/$m.ref.skipped" "$log/$m.mew.skipped" | sed 's/^/    skipped only under mew: /'
	comm -23 "$log/$m.ref.skipped" "$log/$m.mew.skipped" | sed "s/^/    skipped only under $ref_name: /"
	if [ "$r" = "$u" ]; then same=$((same + 1)); else differ=$((differ + 1)); list="$list $m"; fi
done
[ -z "$user" ] || rm -rf "$mew_root"
echo "same verdict: $same, different: $differ${list:+ ($list )}; logs in $log"

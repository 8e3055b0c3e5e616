#!/usr/bin/env bash
# The Linux Test Project's system-call tests (runtest/syscalls) of the calls
# a program's OS interface makes that the personality answers or passes
# through (paths, fds, xattrs, sockets, credentials, processes: 466 tests
# of 129 folders), run natively and under the syscall engine on the
# Debian rootfs, as root and as an ordinary user (nobody), in the same run.
# The whole run (466 tests, three runs each) takes about 25 minutes on a
# 2-core host; LTP_DIRS=paths is the first, shorter set (about a third).
#
#     bash scripts/ltp.sh [--arch arm64] [LTP_SOURCE]
#
# LTP_SOURCE: a checkout of github.com/linux-test-project/ltp (default
# $MEW_CACHE/ltp/src); built there once (autoconf, automake from Debian:
# scripts/deps.d/ltp.list).  MEW: the mew binary (default build/mew).
# LTP_DIRS: the testcases/kernel/syscalls folders (default below, "wide";
# "paths": the first set); LTP_ONLY:
# the names (of runtest/syscalls) to run, all by default; LTP_KEEP=1 keeps
# each run's output (out.WHERE.NAME) in the work folder it names.
# Prints one line per test that passes natively and not under mew, then
# the counts: passed (exit 0), passed with a TWARN only (4), skipped (TCONF,
# 32), needs a block device, failed (anything else: TFAIL, TBROK, a signal,
# the timeout).  "Needs a block device": LTP's library ends a test that
# needs a mount (.needs_device, .mount_device, .all_filesystems, and
# .needs_rofs once mount(2) refused its tmpfs) in TBROK "Failed to acquire
# device" when it finds no free loop device (lib/tst_device.c: its TCONF
# branch in tst_test.c is never reached); the engines give the guest no
# block device and no mount(2), so those are counted apart, with that
# reason, and not listed as failures.  Every run has LTPROOT, where the
# tests find their resource files (LTPROOT/testcases/bin).
#
# --arch arm64 (or LTP_ARCH=arm64): the same folders cross-built with
# aarch64-linux-gnu-gcc in a clone of the checkout ($MEW_CACHE/ltp/arm64;
# the amd64 build in LTP_SOURCE is left as it is), run as root under
# qemu-aarch64 -L on the arm64 Debian rootfs (the reference) and under
# `mew run --engine emulate` on the same rootfs; the lines name the tests
# that pass under qemu and not under mew.  LTPROOT/testcases/bin is the
# tests' folder, where they find their helper programs (qemu's
# /proc/self/exe is qemu).  qemu runs with a binfmt_misc of its own
# (scripts/qemu-binfmt.sh, as scripts/pytests.sh's reference), so that the
# arm64 programs a test executes run under qemu too, as they do under mew;
# LTP_QEMU_BINFMT=0 runs it without.
set -euo pipefail

arch=${LTP_ARCH:-amd64}
if [ "${1:-}" = --arch ]; then
	arch=${2:?--arch needs amd64 or arm64}
	shift 2
fi
case "$arch" in amd64 | arm64) ;; *) echo "ltp.sh: --arch $arch: amd64 or arm64" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MEW_CACHE:-/var/cache/mew}
src=${1:-$cache/ltp/src}
MEW=${MEW:-$here/build/mew}
# The folders: the calls a program's OS interface makes that the personality
# answers or passes through.  LTP_DIRS=paths is the first, shorter set (the
# path, socket-path and pipe calls, about 166 tests).
ltp_paths="access bind chdir chmod chown connect creat execve execveat faccessat faccessat2
fchmod fchmodat fchown link linkat mkdir mkdirat open openat readlink rename rmdir stat statx symlink
unlink unlinkat pipe"
ltp_wide="$ltp_paths
fchownat lchown lstat fstat fstatat statfs fstatfs statvfs readdir realpath getcwd fchdir chroot
mknod mknodat truncate ftruncate utime utimes utimensat futimesat readlinkat symlinkat renameat
renameat2 openat2 fchmodat2 getdents lseek read write readv writev pread pwrite close close_range
dup dup2 dup3 pipe2 fcntl umask
getxattr setxattr fgetxattr fsetxattr lgetxattr listxattr flistxattr llistxattr removexattr
fremovexattr lremovexattr
socket socketpair accept accept4 getsockname getpeername listen send sendto sendmsg recv recvfrom
recvmsg getsockopt shutdown
getuid geteuid getgid getegid getresuid getresgid getgroups setuid setgid setreuid setregid
setresuid setresgid setfsuid setfsgid setgroups
clone clone3 vfork wait4 getpid getppid kill execl execle execlp execv execvp uname newuname
gethostname"
dirs=${LTP_DIRS:-wide}
[ "$dirs" = wide ] && dirs=$ltp_wide
[ "$dirs" = paths ] && dirs=$ltp_paths
per_test=${LTP_TIMEOUT:-60}

[ -f "$src/runtest/syscalls" ] || { echo "ltp.sh: no LTP checkout at $src" >&2; exit 2; }
[ -x "$MEW" ] || { echo "ltp.sh: no mew at $MEW (make)" >&2; exit 2; }
debian=$(bash "$here/scripts/rootfs-debian.sh" "$arch")
configure=
if [ "$arch" = arm64 ]; then
	command -v aarch64-linux-gnu-gcc >/dev/null || { echo "ltp.sh: no aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu)" >&2; exit 2; }
	command -v qemu-aarch64 >/dev/null || { echo "ltp.sh: no qemu-aarch64 (qemu-user)" >&2; exit 2; }
	# a clone of its own: objects of the other architecture never mix in
	cross=${LTP_ARM64_BUILD:-$cache/ltp/arm64}
	[ -d "$cross/.git" ] || git clone -q --shared "$src" "$cross"
	src=$cross
	configure="--host=aarch64-linux-gnu"
fi

# Build what is missing: the library and the chosen folders only.
if [ ! -f "$src/include/config.h" ]; then
	(cd "$src" && make autotools && ./configure $configure) >/dev/null
fi
make -C "$src/lib" -j2 >/dev/null
for d in $dirs; do
	make -C "$src/testcases/kernel/syscalls/$d" -j2 >/dev/null
done

work=$(mktemp -d /tmp/mew-ltp.XXXXXX)
if [ -n "${LTP_KEEP:-}" ]; then echo "ltp.sh: outputs kept in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
chmod 755 "$work"
mkdir -p "$work/root/testcases/bin"
ln -s root/testcases/bin "$work/bin"
for d in $dirs; do
	find "$src/testcases/kernel/syscalls/$d" -maxdepth 1 -type f -perm -u+x -exec cp {} "$work/bin/" \;
done
chmod -R a+rX "$work"

# The tests of runtest/syscalls whose program was built, but the _16 and _64
# variants: on a 64-bit architecture the 16-bit id calls do not exist (each
# ends in TCONF) and a _64 build makes the same calls as its plain one.
list=$work/list
while read -r name cmd; do
	case "$name" in '#'* | '' | *_16 | *_64) continue ;; esac
	set -- $cmd
	[ -n "${LTP_ONLY:-}" ] && [[ " $LTP_ONLY " != *" $name "* ]] && continue
	[ -x "$work/bin/$1" ] && printf '%s %s\n' "$name" "$cmd"
done <"$src/runtest/syscalls" >"$list"

# arm64: each test in a pids cgroup of its own run (v1 pids controller,
# where there is one): at most 1024 processes (under qemu, execve05's
# children, which cannot exec an arm64 program without binfmt_misc, made
# thousands), and whatever a test leaves behind is killed after it.
pids=
if [ "$arch" = arm64 ] && [ -w /sys/fs/cgroup/pids ]; then
	pids=/sys/fs/cgroup/pids/mew-ltp.$$
	mkdir "$pids"
	echo 1024 >"$pids/pids.max"
	trap 'rm -rf "$work"; rmdir "$pids" 2>/dev/null' EXIT
	[ -n "${LTP_KEEP:-}" ] && trap 'rmdir "$pids" 2>/dev/null' EXIT
fi
in_pids() {
	if [ -n "$pids" ]; then
		sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$pids" "$@"
	else
		"$@"
	fi
}
pids_clean() {
	[ -n "$pids" ] || return 0
	local p
	for _ in 1 2 3; do
		p=$(cat "$pids/cgroup.procs")
		[ -z "$p" ] && return 0
		kill -9 $p 2>/dev/null || true
		sleep 0.2
	done
}

# LTP asks systemd-detect-virt whether it runs in a virtual machine (its
# timer tests then skip their oversleep checks): the host has one, the
# rootfs not, and qemu's popen runs the host's /bin/sh. Every column is
# given the host's answer.
virt=$(systemd-detect-virt 2>/dev/null || true)
qemu_binfmt=(bash "$here/scripts/qemu-binfmt.sh" "$debian")
[ "${LTP_QEMU_BINFMT:-1}" = 0 ] && qemu_binfmt=()

# run WHERE NAME CMD...: the test's exit status (0 pass, 32 TCONF).  Each
# run has a /tmp of its own, bound over the rootfs's: the rootfs is a shared
# cache, and a test that dies leaves its LTP_* folder in its TMPDIR.
run() {
	local where=$1 name=$2 tmp
	shift 2
	tmp=$(mktemp -d "$work/tmp.XXXXXX")
	chmod 1777 "$tmp"
	local guest=(--rootfs "$debian" -v "$work/root:/ltp" -v "$tmp:/tmp" -e PATH=/ltp/testcases/bin:/usr/bin:/bin
		-e TMPDIR=/tmp -e LTPROOT=/ltp -e LTP_VIRT_OVERRIDE="$virt" -w /tmp -- "/ltp/testcases/bin/$1" "${@:2}")
	case "$where" in
	native)
		(cd "$tmp" && TMPDIR=$tmp PATH=$work/bin:$PATH LTPROOT=$work/root LTP_VIRT_OVERRIDE=$virt timeout "$per_test" "$work/bin/$1" "${@:2}") ;;
	qemu)
		(cd "$tmp" && TMPDIR=$tmp PATH=$work/bin:$PATH LTPROOT=$work/root LTP_VIRT_OVERRIDE=$virt QEMU_LD_PREFIX=$debian in_pids \
			timeout "$per_test" "${qemu_binfmt[@]}" qemu-aarch64 "$work/bin/$1" "${@:2}") ;;
	emulate)
		in_pids timeout "$per_test" "$MEW" run --engine emulate "${guest[@]}" ;;
	root)
		timeout "$per_test" "$MEW" run --engine syscall "${guest[@]}" ;;
	user)
		timeout "$per_test" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$MEW" run --engine syscall "${guest[@]}" ;;
	esac >"$work/out.$where.$name" 2>&1 </dev/null
	local status=$?
	rm -rf "$tmp"
	return $status
}

declare -A pass warn skip dev fail
ref=native refword=natively
wheres="native root"
[ "$(id -u)" -eq 0 ] && wheres="native root user"
[ "$arch" = arm64 ] && ref=qemu refword="under qemu" wheres="qemu emulate"
for w in $wheres; do pass[$w]=0 warn[$w]=0 skip[$w]=0 dev[$w]=0 fail[$w]=0; done
needs_device() { # WHERE NAME: the test ended for want of a block device
	grep -Eq 'TBROK.*Failed to acquire device' "$work/out.$1.$2"
}
total=0
while read -r name cmd; do
	total=$((total + 1))
	declare -A st=()
	for w in $wheres; do
		set +e
		run "$w" "$name" $cmd
		st[$w]=$?
		pids_clean
		set -e
		case ${st[$w]} in
		0) pass[$w]=$((pass[$w] + 1)) ;;
		4) warn[$w]=$((warn[$w] + 1)) ;;
		32) skip[$w]=$((skip[$w] + 1)) ;;
		*)
			if needs_device "$w" "$name"; then
				dev[$w]=$((dev[$w] + 1))
				st[$w]=dev
			else
				fail[$w]=$((fail[$w] + 1))
			fi ;;
		esac
	done
	for w in $wheres; do
		if [ "$w" != "$ref" ] && [ "${st[$ref]}" = 0 ] && [ "${st[$w]}" = dev ]; then
			echo "$name: passes $refword, under mew ($w) needs a block device (no loop device, no mount)"
		elif [ "$w" != "$ref" ] && [ "${st[$ref]}" = 0 ] && [ "${st[$w]}" != 0 ]; then
			echo "$name: passes $refword, under mew ($w) exit ${st[$w]}: $(grep -m1 -E 'TFAIL|TBROK|TWARN|TCONF' "$work/out.$w.$name" || true)"
		fi
	done
done <"$list"
echo "LTP syscalls subset ($arch): $total tests ($(echo $dirs | wc -w) folders)"
for w in $wheres; do
	label=$w
	[ "$w" = root ] && label="mew as root"
	[ "$w" = user ] && label="mew as nobody"
	[ "$w" = qemu ] && label="qemu-aarch64"
	[ "$w" = emulate ] && label="mew emulate"
	printf '%-14s passed %3d  passed with TWARN %3d  TCONF %3d  needs a block device %3d  failed %3d\n' "$label" \
		"${pass[$w]}" "${warn[$w]}" "${skip[$w]}" "${dev[$w]}" "${fail[$w]}"
done

#!/usr/bin/env bash
# qemu_binfmt ROOT CMD...: CMD where an arm64 program it executes runs under
# qemu-aarch64 too, as it does under mew: through binfmt_misc, in an
# instance of its own (Linux 6.7: a user namespace's own mount), so that the
# host's stays untouched.  The namespace maps every id to itself: root stays
# root over the files (but holds no capability over what the host's user
# namespace owns: the hostname, the clock, devices), bounded by the
# caller's bounding set (a capability the caller lacks, CAP_SYS_RESOURCE
# on these hosts, is not the namespace's either, or LTP warns that its
# oom_score_adj could not be lowered "even with capabilities"); its ptys
# come from a devpts of its own, also at ROOT/dev/pts (where it has one),
# where qemu finds ROOT/dev/ptmx.
# Without it (an older kernel), CMD as it is: programs it executes fail
# ENOEXEC.  QEMU_AARCH64: the interpreter to register (default: qemu-aarch64
# along PATH; a static one, scripts/qemu-static.sh's, works in a chroot).  The qemu references of scripts/pytests.sh and scripts/ltp.sh.
#
#     . scripts/qemu-binfmt.sh; qemu_binfmt ROOT CMD...
#     bash scripts/qemu-binfmt.sh ROOT CMD...     (the same, from timeout)
qemu_binfmt() {
	local root=$1 fifo pid s=0 bnd last i drop=
	shift
	bnd=$((16#$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)))
	last=$(cat /proc/sys/kernel/cap_last_cap)
	for ((i = 0; i <= last; i++)); do
		((bnd >> i & 1)) || drop+="${drop:+,}-cap_$i"
	done
	local reg=':mew-qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'${QEMU_AARCH64:-$(command -v qemu-aarch64)}':F'
	fifo=$(mktemp -u /tmp/mew-qemu-binfmt.XXXXXX)
	mkfifo "$fifo"
	unshare --user --mount sh -c 'read go <"$1"; drop=$4; [ "$go" = binfmt ] &&
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && printf %s "$2" >/proc/sys/fs/binfmt_misc/register ||
		echo "qemu-binfmt.sh: no binfmt_misc of its own for qemu-aarch64: programs it executes fail" >&2
		[ "$go" = binfmt ] && mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts &&
		mount --bind /dev/pts/ptmx /dev/ptmx && { [ ! -d "$3/dev/pts" ] || mount --bind /dev/pts "$3/dev/pts"; } ||
		echo "qemu-binfmt.sh: no devpts of its own: openpty fails" >&2
		shift 4; [ -z "$drop" ] || set -- setpriv --bounding-set "$drop" -- "$@"; exec "$@"' _ "$fifo" "$reg" "$root" "$drop" "$@" &
	pid=$!
	while [ "$(readlink /proc/$pid/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do sleep 0.05; done
	if echo "0 0 4294967295" >/proc/$pid/uid_map && echo "0 0 4294967295" >/proc/$pid/gid_map; then
		echo binfmt >"$fifo"
	else
		echo none >"$fifo"
	fi
	rm -f "$fifo"
	wait $pid || s=$?
	return $s
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -eu
	qemu_binfmt "$@"
fi

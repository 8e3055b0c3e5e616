#!/usr/bin/env bats
# The syscall engine's fast path inside the guest (src/trap/guest): call-site
# patching (patch.c) seen from the guest, run as an ordinary user as
# syscall.bats does.  Each program also runs natively in the test, where
# nothing is patched and the answers are the kernel's own.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	local t
	t=$(mktemp -d /tmp/mew-fastpath.XXXXXX)
	chmod 755 "$t"
	mkdir -p "$t/bin" "$t/work"
	cp "$MEW" "$t/bin/mew"
	for p in patch fds traceme statat dircache; do
		cc -O1 -pthread -o "$t/bin/$p" "$BATS_TEST_DIRNAME/fastpath/$p.c" || return 1
	done
	chmod -R a+rX "$t"
	chmod 777 "$t/work"
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" amd64) || return 1
	else
		DEBIAN=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" amd64 2>/dev/null) || DEBIAN=
	fi
	# a directory of the rootfs's own (the directory cache serves no bind)
	DC=
	[ -n "$DEBIAN" ] && DC=$(mktemp -d "$DEBIAN/tmp/mew-dircache.XXXXXX") && chmod 777 "$DC"
	export T=$t DEBIAN DC
}

teardown_file() {
	[ -n "${T:-}" ] && rm -rf "$T"
	[ -n "${DC:-}" ] && rm -rf "$DC"
}

setup() {
	[ -n "$DEBIAN" ] || skip "no Debian rootfs: building one needs root and debootstrap (scripts/rootfs-debian.sh)"
}

# guest [MEW RUN FLAGS] -- CMD...: the command under the syscall engine, unprivileged.
guest() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" -v "$T/work:/work" "$@"
	else
		"$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" -v "$T/work:/work" "$@"
	fi
}

@test "syscall: a call site that trapped is patched, and answers from the rootfs; MEW_TRAP_PATCH=0 patches none" {
	ino=$(stat -c %i "$DEBIAN/etc/debian_version")
	run "$T/bin/patch" sites "$DEBIAN/etc/debian_version"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "site 0: b8 answered ino $ino" ]
	run guest -- /opt/t/patch sites /etc/debian_version
	echo "$output"
	[ "$status" -eq 0 ]
	# offset 8 of a block: one 8-byte store; offset 5: one 16-byte store;
	# offset 13: no aligned block holds it, it keeps trapping; offset 12
	# (glibc's getdents64): a trampoline close after it, so that the byte
	# in the next block stays, and one 8-byte store
	[ "${lines[0]}" = "site 0: e9 answered ino $ino" ]
	[ "${lines[1]}" = "site 1: e9 answered ino $ino" ]
	[ "${lines[2]}" = "site 2: b8 answered ino $ino" ]
	[ "${lines[3]}" = "site 3: e9 answered ino $ino" ]
	MEW_TRAP_PATCH=0 run guest -- /opt/t/patch sites /etc/debian_version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "site 0: b8 answered ino $ino" ]
	[ "${lines[1]}" = "site 1: b8 answered ino $ino" ]
	[ "${lines[3]}" = "site 3: b8 answered ino $ino" ]
}

@test "syscall: a patched call keeps what the kernel keeps (registers, red zone, direction flag) and sets rcx and r11 as it does" {
	run "$T/bin/patch" regs "$DEBIAN/etc/debian_version"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "regs: kept (site b8)" ]
	run guest -- /opt/t/patch regs /etc/debian_version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "regs: kept (site e9)" ]
}

@test "syscall: glibc's syscall(), whose number is in a register, is patched: trapped numbers go to the stub, the rest to the kernel" {
	run "$T/bin/patch" syscall "$DEBIAN/etc/debian_version"
	echo "$output"
	[ "$output" = "syscall: answered, site 4c" ]
	run guest -- /opt/t/patch syscall /etc/debian_version
	echo "$output"
	[ "$output" = "syscall: answered, site e9" ]
	MEW_TRAP_PATCH=0 run guest -- /opt/t/patch syscall /etc/debian_version
	[ "$output" = "syscall: answered, site 4c" ]
}

@test "syscall: patched sites under threads patching at once, a signal handler's calls, fork" {
	run guest -- sh -c '/opt/t/patch threads /etc/debian_version && /opt/t/patch signals /etc/debian_version && /opt/t/patch fork /etc/debian_version'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "threads: 0 wrong answers" ]
	[ "${lines[1]}" = "signals: 0 wrong answers, 0 in the handler" ]
	[ "${lines[2]}" = "fork: child answered" ]
}

@test "syscall: paths under a -v bind are answered in the process (stat, open, readlink), with the bind's files" {
	ino=$(stat -c %i "$T/bin/patch")
	run env MEW_DEBUG=1 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/patch loop /opt/t/patch 1000"
	echo "$output" | grep -v '^mew: debug' || true
	[ "$status" -eq 0 ]
	[[ "$output" == *"loop: answered"* ]]
	n=$(echo "$output" | sed -n 's/.*the notifier answered \([0-9]*\) calls.*/\1/p')
	[ -n "$n" ] && [ "$n" -lt 100 ]
	run guest -- /opt/t/patch sites /opt/t/patch
	[ "${lines[0]}" = "site 0: e9 answered ino $ino" ]
	# what the kernel refuses to walk from the bind (`..` out of it, an
	# absolute symlink) is mew's, and means the guest's tree
	ln -sfn /etc "$T/work/abs"
	ln -sfn ../opt/t "$T/work/up"
	run guest -- sh -c 'cat /work/abs/debian_version; ls /work/up/patch; ls /work/../opt/t/traceme; stat -c %i /work/up/patch'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(cat "$DEBIAN/etc/debian_version")" ]
	[ "${lines[1]}" = /work/up/patch ]
	[ "${lines[2]}" = /work/../opt/t/traceme ]
	[ "${lines[3]}" = "$ino" ]
	rm -f "$T/work/abs" "$T/work/up"
}

# same LINES: each of statat's eight lines (fstatat and statx, from a
# dirfd and the cwd, following and not) says LINE
all8() {
	local l n=0
	for l in "${lines[@]}"; do
		[ "${l#*: }" = "$1" ] || { echo "not $1: $l"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -eq 8 ]
}

@test "syscall: one name in a directory (fstatat(dirfd, name), tar's and find's) is answered in one call, with what binds and symlinks mean" {
	ln -sfn /etc "$T/work/abs"
	ln -sfn ../opt/t "$T/work/up"
	run guest -- /opt/t/statat /etc debian_version
	echo "$output"
	all8 "f $(stat -c %d:%i "$DEBIAN/etc/debian_version") 0:0"
	# what the binds hide in the rootfs is never the answer
	run guest -- /opt/t/statat / proc
	echo "$output"
	all8 "d $(stat -c %d:%i /proc) 0:0"
	run guest -- /opt/t/statat /dev null
	echo "$output"
	[ "${#lines[@]}" -eq 8 ]
	[[ "$output" != *" $(stat -c %d:%i "$DEBIAN/dev/null") "* ]]
	[[ "$output" == *"statx cwd follow: c "* ]]
	# a symlink that is followed means the guest's tree: the rootfs's /etc,
	# the bind's directory; not followed, it is itself
	run guest -- /opt/t/statat /work abs
	echo "$output"
	[ "${lines[0]}" = "fstatat dirfd follow: d $(stat -c %d:%i "$DEBIAN/etc") 0:0" ]
	[ "${lines[5]}" = "statx cwd follow: d $(stat -c %d:%i "$DEBIAN/etc") 0:0" ]
	[ "${lines[2]}" = "fstatat dirfd nofollow: l $(stat -c %d:%i "$T/work/abs") 0:0" ]
	[ "${lines[7]}" = "statx cwd nofollow: l $(stat -c %d:%i "$T/work/abs") 0:0" ]
	run guest -- /opt/t/statat /work up
	echo "$output"
	[ "${lines[1]}" = "statx dirfd follow: d $(stat -c %d:%i "$T/bin") 0:0" ]
	[ "${lines[4]}" = "fstatat cwd follow: d $(stat -c %d:%i "$T/bin") 0:0" ]
	# the owner the guest gave, recorded by mew (run as a user)
	rm -f "$T/work/owned"
	run guest -- sh -c 'touch /work/owned && chown 123:45 /work/owned && /opt/t/statat /work owned'
	echo "$output"
	all8 "f $(stat -c %d:%i "$T/work/owned") 123:45"
	rm -f "$T/work/abs" "$T/work/up" "$T/work/owned"
}

# notified CMD...: how many calls mew's notifier answered for CMD (MEW_DEBUG).
notified() {
	MEW_DEBUG=1 "$@" 2>&1 | sed -n 's/.*the notifier answered \([0-9]*\) calls.*/\1/p'
}

@test "syscall: run by root, the raw fstat is not intercepted (the owners are real); run by a user, it shows the owners the guest sees" {
	[ "$(id -u)" -eq 0 ] || skip "mew's owners are real only when it runs as root"
	# the notifier mode answers every intercepted fstat itself: count them
	run notified env MEW_TRAP_STUB=0 "$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" -- /opt/t/patch rawfstat /etc/debian_version 1000
	echo "$output"
	[ -n "$output" ] && [ "$output" -lt 100 ]
	run notified env MEW_TRAP_STUB=0 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/patch rawfstat /etc/debian_version 1000"
	echo "$output"
	[ -n "$output" ] && [ "$output" -ge 1000 ]
	for mode in 1 0; do
		run env MEW_TRAP_STUB=$mode "$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" -- /opt/t/patch rawfstat /etc/debian_version 10
		[ "$output" = "rawfstat: answered" ]
	done
}

@test "syscall: files made and removed relative to the cwd in the rootfs are answered in the process (glibc's AT_FDCWD is an int)" {
	# (built-ins and one exec each of mkdir, ls and rm: an exec is an upcall)
	cmd='d=$(mktemp -d) && cd $d && for i in $(seq 200); do : > f$i; done && mkdir $(seq -f d%g 200) && ls | wc -l && rm -r f* d* && ls | wc -l && cd / && rmdir $d'
	run guest -- sh -c "$cmd"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 400 ]
	[ "${lines[1]}" = 0 ]
	run notified bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- sh -c '$cmd'"
	echo "$output"
	[ -n "$output" ] && [ "$output" -lt 100 ]
}

@test "syscall: the stub's own fds are not the guest's (/proc/self/fd, fcntl, close, dup2 and close_range over them)" {
	ino=$(stat -c %i "$DEBIAN/etc/debian_version")
	run guest -- /opt/t/fds list
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "fds: 0 1 2"* ]]
	# the stub keeps its fds from 1000 or the limit up: none shows
	[ -z "$(grep -E ' [0-9]{4,}' <<<"$output")" ]
	run guest -- sh -c 'ls /proc/self/fd /proc/self/fdinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(grep -E '^[0-9]{4,}$' <<<"$output")" ]
	run guest -- /opt/t/fds poke /etc/debian_version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "getfd 0 close 0" ]
	[ "${lines[1]}" = "ino $ino" ]
	# the guest's dup2 onto the stub's numbers takes them; the stub moves
	# its fds (they lie under the guest's limit once it raised it: at
	# 1024 and up under 1024:4096)
	for limit in "" 1024:4096; do
		run ${limit:+prlimit --nofile=$limit} bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/fds dup2 /etc/debian_version"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "dup2 failed 0" ]
		[ "${lines[1]}" = "ino $ino" ]
		[ "${lines[2]}" = "close_range 0" ]
		[ "${lines[3]}" = "ino $ino" ]
		[ "${lines[4]}" = "fds: 0 1 2 3" ]
	done
}

@test "syscall: a vfork child's dup2 onto the stub's numbers leaves its parent's fds where they were: hidden, and its path calls answered from the rootfs" {
	ino=$(stat -c %i "$DEBIAN/etc/debian_version")
	run "$T/bin/fds" vfork "$DEBIAN/etc/debian_version"
	echo "$output"
	native=$output
	# the child shares its parent's memory, where the stub keeps the
	# numbers of its fds, and not its fd table (the guest's limit raised
	# over them, which start at 1024 under 1024:4096)
	for limit in 1024:4096; do
		run prlimit --nofile=$limit bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/fds vfork /etc/debian_version"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "fds: 0 1 2"* ]]
		[ -z "$(grep -E ' [0-9]{4,}' <<<"${lines[0]}")" ]
		[ "${lines[1]}" = "getfd 0" ]
		[ "${lines[2]}" = "ino $ino" ]
		[ "${lines[3]}" = "child ino $ino" ]
		[ "$(sed -n 2p <<<"$native")" = "${lines[1]}" ]
	done
}

@test "syscall: no call on the stub's own fds answers but as on a closed fd (fstat, fstatat, statx, dup, fchdir, openat, fstatfs, /proc/self/fd/N), as root and as nobody, in a child that closed everything too" {
	ino=$(stat -c %i "$DEBIAN/etc/debian_version")
	none="fstat 0 fstatat 0 statx 0 dup 0 fchdir 0 openat 0 lseek 0 read 0 fstatfs 0 fchmod 0 fsync 0 getdents64 0 readlink 0 stat 0 open 0 fdinfo 0"
	run "$T/bin/fds" probe
	[ "$output" = "$none" ]
	run guest -- /opt/t/fds probe
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$none" ]
	# as root the raw fstat is allowed on its number, but for these fds
	if [ "$(id -u)" -eq 0 ]; then
		run "$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" -- /opt/t/fds probe
		echo "$output"
		[ "$output" = "$none" ]
	fi
	# subprocess's and closefrom's way: close everything, then exec
	run guest -- /opt/t/fds child /etc/debian_version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ino $ino" ]
	[ "${lines[1]}" = "fds: 0 1 2 3" ] # 3: the listing's own
	[ "${lines[2]}" = "$none" ]
}

@test "syscall: an AF_UNIX socket's name is the guest path it was bound to (getsockname, getpeername, accept, recvfrom)" {
	for d in /tmp /work; do
		run guest -- /opt/t/fds sock $d
		echo "$output"
		[ "$status" -eq 0 ]
		check_sockname "$d"
	done
}

@test "syscall: a program that asks another guest process to trace it (as strace starts one) is refused, and mew says why, once, naming the engine" {
	run "$T/bin/traceme" /bin/true
	[ "$output" = "child exit 0" ]
	run guest -- /opt/t/traceme /bin/true
	echo "$output"
	[[ "$output" == *"child exit 4"* ]]
	[ "$(grep -c '^mew: ptrace: the syscall engine does not run debuggers inside the guest (strace, gdb): use --engine container$' <<<"$output")" -eq 1 ]
}

# dircache MODE [HOST GUEST]: the program natively on a directory's host
# path ($DC's, in the rootfs, by default), then in the guest on its guest
# path; both answer the same (the guest's through the directory cache,
# guest/dircache.c).
dircache_both() {
	local host=${2:-$DC} in_guest=${3:-/tmp/${DC##*/}}
	rm -rf "${host:?}"/*
	native=$(setpriv_nobody "$T/bin/dircache" "$1" "$host")
	echo "native: $native"
	rm -rf "${host:?}"/*
	run guest -- /opt/t/dircache "$1" "$in_guest"
	echo "guest: $output"
	[ "$status" -eq 0 ]
}

setpriv_nobody() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}

@test "syscall: a stat through a directory walked before sees it moved (mv d d2; mkdir d), removed and replaced by a symlink out of the rootfs (resolved inside), exchanged, renamed over; in the rootfs and under a -v bind" {
	dircache_both moved
	[ "${lines[0]}" = "start: f same" ]
	[ "${lines[1]}" = "after mv d d2; mkdir d: ENOENT" ]
	[ "${lines[2]}" = "d2: f same" ]
	[ "${lines[3]}" = "new d/sub/f: f new" ]
	[ "${lines[4]}" = "after rmdir d/sub: ENOENT" ]
	[ "${lines[5]}" = "d/sub a symlink: l" ]
	# /etc of the rootfs, not the host's
	[ "${lines[6]}" = "d/sub/debian_version: $(stat -c %d:%i "$DEBIAN/etc/debian_version")" ]
	[ "${lines[7]}" = "exchanged: f same" ]
	[ "${lines[8]}" = "empty d3: ENOENT" ]
	[ "${lines[9]}" = "renamed over d3: f new" ]
	[ "$(sed 7d <<<"$native")" = "$(sed 7d <<<"$output")" ]
	# the same under a -v bind (cached from the bind's fd)
	mkdir -p "$T/work/dc" && chmod 777 "$T/work/dc"
	dircache_both moved "$T/work/dc" /work/dc
	[ "${lines[1]}" = "after mv d d2; mkdir d: ENOENT" ]
	[ "${lines[3]}" = "new d/sub/f: f new" ]
	[ "${lines[6]}" = "d/sub/debian_version: $(stat -c %d:%i "$DEBIAN/etc/debian_version")" ]
	[ "$(sed 7d <<<"$native")" = "$(sed 7d <<<"$output")" ]
}

@test "syscall: the directory cache of one process sees another's rename (mv, in a process of its own) and rmdir at its next stat" {
	dircache_both twoproc
	[ "${lines[0]}" = "child before: f same" ]
	[ "${lines[1]}" = "child after mv: ENOENT" ]
	[ "${lines[2]}" = "child after rmdir: ENOTDIR" ]
	[ "$native" = "$output" ]
}

@test "syscall: the directory cache's fds are the stub's: none reached by number, close_range and dup2 over every number keep the answers right, as in a vfork child" {
	dircache_both fds
	[ "${lines[0]}" = "start: f same" ]
	[ "${lines[1]}" = "usable fds: 0" ]
	[ "${lines[2]}" = "fds reached: 0" ]
	[ "${lines[3]}" = "after close_range: f same" ]
	[ "${lines[4]}" = "after dup2 over all: f same" ]
	[ "${lines[5]}" = "after close again: f same" ]
	[ "${lines[6]}" = "vfork child: f same" ]
	[ "${lines[7]}" = "after vfork: f same" ]
	[ "${lines[8]}" = "after mv d d2; mkdir d: ENOENT" ]
	[ "${lines[9]}" = "usable fds: 0" ]
	[ "$native" = "$output" ]
	dircache_both exec
	[ "$native" = "$output" ]
	[ "$output" = "start: f same
usable fds in the new image: 0
new image: f same
after mv d d2; mkdir d: ENOENT" ]
}

@test "syscall: a directory the guest has cached, moved by a host process, is seen gone (mew's inotify thread)" {
	rm -rf "${DC:?}"/*
	guest -- /opt/t/dircache wait "/tmp/${DC##*/}" >"$T/work/wait.out" 2>&1 &
	pid=$!
	for _ in $(seq 600); do [ -e "$DC/ready" ] && break; sleep 0.1; done
	[ -e "$DC/ready" ]
	mv "$DC/d" "$DC/d2"
	mkdir "$DC/d"
	touch "$DC/go"
	wait "$pid"
	cat "$T/work/wait.out"
	[ "$(cat "$T/work/wait.out")" = "start: f same
gone" ]
}

#!/usr/bin/env bats
# The syscall engine's credentials, in its three modes (stub, notifier,
# ptrace): the personality's model (src/personality/cred.c) answers as the
# kernel does for a real root that changes identity; the expected lines
# (creds.bash) are what the same program prints natively as root.
load helpers
load creds
bats_require_minimum_version 1.5.0

setup_file() {
	export R=$BATS_FILE_TMPDIR/rootfs U=
	cp -a "$ROOTFS" "$R"
	cc -O1 -static -o "$R/creds" "$BATS_TEST_DIRNAME/syscall/creds.c" || return 1
	cc -O1 -static -o "$R/setid" "$BATS_TEST_DIRNAME/syscall/setid.c" || return 1
	cc -O1 -static -o "$R/ownerxattr" "$BATS_TEST_DIRNAME/syscall/ownerxattr.c" || return 1
	cc -O1 -static -o "$R/adminxattr" "$BATS_TEST_DIRNAME/syscall/adminxattr.c" || return 1
	nobody_copy syscall-creds
}

teardown_file() {
	[ -n "${U:-}" ] && rm -rf "$U"
}

# sc MODE [FLAGS] -- CMD: MODE stub, notifier or ptrace
sc() {
	local mode=$1
	shift
	case $mode in
	stub) "$MEW" run --engine syscall --rootfs "$R" "$@" ;;
	notifier) MEW_TRAP_STUB=0 "$MEW" run --engine syscall --rootfs "$R" "$@" ;;
	ptrace) MEW_TRAP_NOTIFY=0 "$MEW" run --engine syscall --rootfs "$R" "$@" ;;
	esac
}

# as an ordinary user (65534), on its own copy of the rootfs
user_sc() {
	local mode=$1 env=
	shift
	case $mode in
	notifier) env=MEW_TRAP_STUB=0 ;;
	ptrace) env=MEW_TRAP_NOTIFY=0 ;;
	esac
	env $env setpriv --reuid=65534 --regid=65534 --clear-groups "$U/mew" run --engine syscall --rootfs "$U/rootfs" "$@"
}

@test "syscall creds: a fake root with every capability, in each mode" {
	for m in stub notifier ptrace; do
		run sc $m -- /creds ids
		expect CREDS_IDS_ROOT
	done
}

@test "syscall creds: --user fakes that identity, as emulate does" {
	for m in stub notifier; do
		run sc $m --user 1000:100 -- /creds ids
		expect CREDS_IDS_USER
	done
	run sc stub --user 1000:100 -- sh -c 'id -u; id -g; touch /tmp/u; stat -c %u:%g /tmp/u; rm /tmp/u'
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 100 ]
	[ "${lines[2]}" = 1000:100 ]
}

@test "syscall creds: set*id, setgroups and capabilities carried whole across exec, in each mode" {
	for m in stub notifier ptrace; do
		run sc $m -- /creds exec
		expect CREDS_EXEC
	done
}

@test "syscall creds: after setuid(nobody), root's files are refused, in each mode" {
	for m in stub notifier; do
		run sc $m -- /creds perm /tmp/p
		expect CREDS_PERM
		[ ! -e "$R/tmp/p" ]
	done
	# the ptrace mode translates no AF_UNIX path: bind is left out
	run sc ptrace -- /creds perm /tmp/p
	output=$(echo "$output" | grep -v '^bind ')
	CREDS_PERM=$(echo "$CREDS_PERM" | grep -v '^bind ')
	expect CREDS_PERM
	[ ! -e "$R/tmp/p" ]
}

@test "syscall creds: readlink as nobody needs search permission on every directory of the walk, in each mode" {
	for m in stub notifier ptrace; do
		run sc $m -- /creds rlink /tmp/rl
		echo "$m: $output"
		[ "$output" = "$(printf 'setuid(0) EPERM\nreadlink EACCES\nreadlink as root ok')" ]
	done
}

@test "syscall creds: after setuid(nobody), a port below 1024 is EACCES, in each mode" {
	for m in stub notifier ptrace; do
		run sc $m -- /creds port
		echo "$m: $output"
		[ "$output" = "$(printf 'setuid(0) EPERM\nbind 80 EACCES\nbind 0 ok')" ]
	done
}

@test "syscall creds: a socket bound by a root with euid nobody is nobody's, in the modes that translate bind, mew run by root and by an ordinary user" {
	need_root
	for m in stub notifier; do
		rm -f "$R/tmp/creds-sock"
		run sc $m -- /creds sockown /tmp/creds-sock
		echo "$m: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'seteuid ok\nbind ok\nowner 65534\nchmod ok\nunlink ok')" ]
		# run by an ordinary user, mew keeps the owner a socket cannot
		# carry (owner.c) for the run
		rm -f "$U/rootfs/tmp/creds-sock"
		run user_sc $m -- /creds sockown /tmp/creds-sock
		echo "$m, unprivileged: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'seteuid ok\nbind ok\nowner 65534\nchmod ok\nunlink ok')" ]
	done
}

@test "syscall creds: chown is real as root; set-id bits and set-group-id directories as the kernel" {
	need_root
	for m in stub notifier ptrace; do
		run sc $m -- /creds own /tmp/o
		expect CREDS_OWN
		run sc $m -- /creds ownkept /tmp/k
		expect CREDS_OWNKEPT
	done
}

@test "syscall creds: a root of another group makes files of that group" {
	for m in stub notifier ptrace; do
		run sc $m -- /creds newgid /tmp/g
		expect CREDS_NEWGID
		if [ -n "$U" ]; then
			run user_sc $m -- /creds newgid /tmp/g
			expect CREDS_NEWGID
		fi
	done
}

# groups, set-id programs and search permission, in each mode, run by
# $1 (sc: as root; user_sc: as an ordinary user)
groups_setid_search() {
	for m in stub notifier ptrace; do
		run "$1" $m -- /creds groups /tmp/gr
		expect CREDS_GROUPS
		run "$1" $m -- /creds setid /tmp/si
		expect CREDS_SETID
		run "$1" $m -- /creds search /tmp/se
		expect CREDS_SEARCH
	done
}

@test "syscall creds: 65536 groups, set-id programs, search permission on every directory, in each mode" {
	groups_setid_search sc
}

@test "syscall creds: unprivileged, 65536 groups, set-id programs and search permission, in each mode" {
	need_root
	groups_setid_search user_sc
}

# Unprivileged, owners are recorded (user.mew.owner) and shown back, and the
# caller's own files are root's (PRoot -0's view: git sees no "dubious
# ownership").
@test "syscall creds: unprivileged, owners are recorded and the caller's files are root's" {
	need_root
	for m in stub notifier ptrace; do
		run user_sc $m -- /creds own /tmp/o
		expect CREDS_OWN
		# the owners kept for a symlink and FIFOs, which the stub's stat
		# asks mew for once it keeps one (LTP's lchown01, fchownat02,
		# mknod05, mknod08)
		run user_sc $m -- /creds ownkept /tmp/k
		expect CREDS_OWNKEPT
		run user_sc $m -- sh -c 'stat -c %u:%g /etc /bin/busybox; touch /tmp/x; chown 5:6 /tmp/x; stat -c %u:%g /tmp/x; ls -ln /tmp/x | awk "{print \$3, \$4}"; rm /tmp/x'
		[ "${lines[0]}" = 0:0 ]
		[ "${lines[1]}" = 0:0 ]
		[ "${lines[2]}" = 5:6 ]
		[ "${lines[3]}" = "5 6" ]
	done
	# records kept and read on files mew itself may not read or write
	# (LTP's stat01), as the kernel keeps real owners
	for m in stub notifier ptrace; do
		run user_sc $m -- /creds hidden /tmp/h
		expect CREDS_HIDDEN
	done
	# a root's permission on mew's own files whose owner's permissions it
	# took (LTP's access01: files made in a 0444 directory); the ptrace
	# mode has the kernel make the call in the guest, and does not
	for m in stub notifier; do
		run user_sc $m -- /creds override /tmp/ov
		expect CREDS_OVERRIDE
	done
	# the same on a volume, but never on a :ro one, whose modes are not
	# mew's to change even for a moment (where a real root could read)
	mkdir -p "$U/rovol" "$U/rwvol"
	echo s >"$U/rovol/f"
	echo s >"$U/rwvol/f"
	chmod 0 "$U/rovol/f" "$U/rwvol/f"
	chown -R 65534:65534 "$U/rovol" "$U/rwvol"
	run user_sc stub -v "$U/rovol:/ro:ro" -v "$U/rwvol:/rw" -- sh -c 'cat /rw/f && cat /ro/f'
	echo "$output"
	[ "${lines[0]}" = s ]
	[ "$status" -ne 0 ]
	[ "$(stat -c %a "$U/rovol/f")" = 0 ]
	[ "$(stat -c %a "$U/rwvol/f")" = 0 ]
	# the host's view: the caller's files
	[ "$(stat -c %u "$U/rootfs/etc")" = 65534 ]
	run user_sc stub -- /creds perm /tmp/p
	expect CREDS_PERM
}

# The stub keeps the records it read by inode and ctime, where the rootfs's
# filesystem gives each change a ctime of its own: a change by the process
# itself, by a child or by its parent is seen at once, by path, by fd and by
# name from a directory fd.
@test "syscall creds: unprivileged, an owner changed again and again is seen anew each time, in each mode" {
	need_root
	local native
	native=$("$R/creds" restat "$BATS_TEST_TMPDIR/rs")
	[[ "$native" == *"parent sees 0:0 0:0 0:0 755"* ]]
	for m in stub notifier ptrace; do
		run user_sc $m -- /creds restat /tmp/rs$m
		echo "$m: $output"
		[ "$output" = "$native" ]
	done
}

# The records are no xattrs of the guest's (listed, a copy with its xattrs
# would carry the owner; written, the guest would choose owners): the same
# lines as natively as root, by path and by fd, in every mode.
@test "syscall creds: unprivileged, the owner records are no xattrs of the guest's, in each mode" {
	need_root
	local native_fd
	native_fd=$("$R/ownerxattr" "$BATS_TEST_TMPDIR" fd)
	[[ "$native_fd" != *FAILED* ]]
	for m in stub notifier ptrace; do
		run user_sc $m -- /ownerxattr /tmp fd
		echo "$m: $output"
		[ "$output" = "$native_fd" ]
	done
}

# trusted.* and security.*: the fake root's CAP_SYS_ADMIN (kept under
# mew's own names, and for a symlink and a FIFO in mew's table), an
# ordinary user's EPERM and ENODATA: the lines the program prints natively
# as root, under mew run by an ordinary user and by root, in every mode.
@test "syscall creds: trusted.* and security.* xattrs of the fake root, run by an ordinary user and by root, in each mode" {
	need_root
	local native d
	# natively, a directory the ordinary user can reach
	d=$(mktemp -d /tmp/mew-adminxattr.XXXXXX)
	chmod 755 "$d"
	native=$("$R/adminxattr" "$d") || true
	rm -rf "$d"
	echo "natively: $native"
	[[ "$native" != *FAILED* ]]
	for m in stub notifier ptrace; do
		run user_sc $m -- /adminxattr /tmp
		echo "$m, as nobody: $output"
		[ "$output" = "$native" ]
		run sc $m -- /adminxattr /tmp
		echo "$m, as root: $output"
		[ "$output" = "$native" ]
	done
	# kept under mew's own names, not the host's real ones, also as root
	list() { python3 -c 'import os, sys; print(" ".join(sorted(os.listxattr(sys.argv[1]))))' "$1"; }
	run user_sc notifier -- /adminxattr /tmp keep
	[[ "$output" != *FAILED* ]]
	[ "$(list "$U/rootfs/tmp/ax/f")" = "user.mew.x.security.b user.mew.x.trusted.a user.t" ]
	run sc ptrace -- /adminxattr /tmp keep
	[[ "$output" != *FAILED* ]]
	[ "$(list "$R/tmp/ax/f")" = "user.mew.x.security.b user.mew.x.trusted.a user.t" ]
}

@test "syscall creds: unprivileged, the stub answers the stat of mew's own symlinks, and asks mew for those whose owner it keeps" {
	need_root
	local n
	# without the directory cache's page the stub cannot know: it asks
	MEW_TRAP_DIRCACHE=0 run user_sc stub -- /creds ownkept /tmp/k
	expect CREDS_OWNKEPT
	# /bin/sh, busybox's symlink, is mew's own file in this copy
	MEW_DEBUG=1 run user_sc stub -- /creds lstats /bin/sh 1000
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 0:0
	n=$(echo "$output" | sed -n 's/.*the notifier answered \([0-9]*\) calls.*/\1/p')
	[ -n "$n" ] && [ "$n" -lt 100 ]
	# the owner of another symlink kept: /bin/sh's stat still the stub's
	MEW_DEBUG=1 run user_sc stub -- /creds lstats /bin/sh 1000 /tmp/ka
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 0:0
	echo "$output" | grep -qx 'kept 5:6'
	n=$(echo "$output" | sed -n 's/.*the notifier answered \([0-9]*\) calls.*/\1/p')
	[ -n "$n" ] && [ "$n" -lt 100 ]
	MEW_DEBUG=1 run user_sc stub -- sh -c 'ln -s x /tmp/kl && chown -h 5:6 /tmp/kl && /creds lstats /tmp/kl 1000'
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 5:6
	n=$(echo "$output" | sed -n 's/.*the notifier answered \([0-9]*\) calls.*/\1/p')
	[ -n "$n" ] && [ "$n" -ge 1000 ]
}

# Set-id bits (tests/e2e/syscall/setid.c): what the program prints natively
# as root (the kernel is the oracle) is what it prints under mew run by an
# ordinary user, whose kernel drops them on each write and truncate where
# the guest's root keeps them (openat03's O_TMPFILE 07777, then written);
# and run as root, whose kernel keeps them where a guest user's write
# drops them: there mew drops them at the open for writing, not at the
# first write (setid_root_lines: the lines that differ so).
@test "syscall creds: set-id bits kept and dropped as the kernel does, mew run by an ordinary user and by root, in each mode" {
	need_root
	local want
	want=$(setid_native "$R/setid")
	[ -n "$want" ]
	for m in stub notifier ptrace; do
		run user_sc $m -- /setid /tmp/si
		echo "$m, unprivileged:"
		diff <(echo "$want") <(echo "$output")
		run sc $m -- /setid /tmp/si
		echo "$m, as root:"
		diff <(echo "$want" | setid_root_lines) <(echo "$output" | setid_root_lines)
	done
}

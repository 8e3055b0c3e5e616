#!/usr/bin/env bats
# The emulate engine's credentials: the personality's model (src/personality/cred.c)
# answers as the kernel does for a real root that changes identity; the
# expected lines (creds.bash) are what the same program prints natively.
load helpers
load creds
bats_require_minimum_version 1.5.0

setup_file() {
	export U=
	arm64_rootfs || return 0
	aarch64-linux-gnu-gcc -O1 -static -o "$R/creds" "$BATS_TEST_DIRNAME/syscall/creds.c"
	aarch64-linux-gnu-gcc -O1 -static -o "$R/setid" "$BATS_TEST_DIRNAME/syscall/setid.c"
	cc -O1 -static -o "$BATS_FILE_TMPDIR/setid" "$BATS_TEST_DIRNAME/syscall/setid.c"
	aarch64-linux-gnu-gcc -O1 -static -o "$R/ownerxattr" "$BATS_TEST_DIRNAME/syscall/ownerxattr.c"
	aarch64-linux-gnu-gcc -O1 -static -o "$R/adminxattr" "$BATS_TEST_DIRNAME/syscall/adminxattr.c"
	nobody_copy emulate-creds
}

teardown_file() {
	[ -n "${U:-}" ] && rm -rf "$U"
}

need_creds() {
	[ -x "$R/creds" ] || skip "no arm64 busybox rootfs or no aarch64-linux-gnu-gcc"
}

emu() {
	"$MEW" run --engine emulate --arch arm64 --rootfs "$R" "$@"
}

@test "emulate creds: a fake root with every capability" {
	need_creds
	run emu -- /creds ids
	expect CREDS_IDS_ROOT
}

@test "emulate creds: --user fakes that identity, without capabilities" {
	need_creds
	run emu --user 1000:100 -- /creds ids
	expect CREDS_IDS_USER
}

@test "emulate creds: set*id, setgroups and capabilities carried whole across exec" {
	need_creds
	run emu -- /creds exec
	expect CREDS_EXEC
}

# AF_UNIX paths are not translated by the emulate engine yet (bind sees the
# host's /tmp): that line is left out here and checked under the syscall
# engine.
perm_lines() {
	grep -v -e '^bind '
}

@test "emulate creds: after setuid(nobody), root's files are refused as the kernel refuses them" {
	need_creds
	run emu -- /creds perm /tmp/p
	output=$(echo "$output" | perm_lines)
	CREDS_PERM=$(echo "$CREDS_PERM" | perm_lines)
	expect CREDS_PERM
	[ ! -e "$R/tmp/p" ]
}

@test "emulate creds: chown is real as root; set-id bits and set-group-id directories as the kernel" {
	need_creds
	need_root
	run emu -- /creds own /tmp/o
	expect CREDS_OWN
}

@test "emulate creds: a root of another group makes files of that group" {
	need_creds
	run emu -- /creds newgid /tmp/g
	expect CREDS_NEWGID
}

@test "emulate creds: 65536 groups, set-id programs, search permission on every directory" {
	need_creds
	run emu -- /creds groups /tmp/gr
	expect CREDS_GROUPS
	run emu -- /creds setid /tmp/si
	expect CREDS_SETID
	run emu -- /creds search /tmp/se
	expect CREDS_SEARCH
	if [ -n "$U" ]; then
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$U/mew" run --engine emulate --rootfs "$U/rootfs" -- /creds setid /tmp/si
		expect CREDS_SETID
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$U/mew" run --engine emulate --rootfs "$U/rootfs" -- /creds search /tmp/se
		expect CREDS_SEARCH
	fi
}

# Run by an ordinary user: owners are recorded (user.mew.owner) and shown
# back, the caller's own files show as root's.
@test "emulate creds: unprivileged, owners are recorded and reported by stat" {
	need_creds
	need_root
	local u=$U
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$u/mew" run --engine emulate --rootfs "$u/rootfs" -- /creds own /tmp/o
	expect CREDS_OWN
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$u/mew" run --engine emulate --rootfs "$u/rootfs" -- sh -c 'touch /tmp/x; chown 5:6 /tmp/x; stat -c "%u:%g" /etc/passwd /tmp/x; ls -ln /tmp/x | awk "{print \$3, \$4}"'
	[ "${lines[0]}" = 0:0 ]
	[ "${lines[1]}" = 5:6 ]
	[ "${lines[2]}" = "5 6" ]
	# the host's view: the caller's file, with the record
	[ "$(stat -c %u "$u/rootfs/tmp/x")" = 65534 ]
}

# Set-id bits as syscall-creds.bats checks them: the same program run
# natively (built for the host) as root prints what it prints under the
# emulate engine run by an ordinary user and by root.
@test "emulate creds: set-id bits kept and dropped as the kernel does, mew run by an ordinary user and by root" {
	need_creds
	need_root
	local want
	want=$(setid_native "$BATS_FILE_TMPDIR/setid")
	[ -n "$want" ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$U/mew" run --engine emulate --rootfs "$U/rootfs" -- /setid /tmp/si
	diff <(echo "$want") <(echo "$output")
	run emu -- /setid /tmp/si
	diff <(echo "$want" | setid_root_lines) <(echo "$output" | setid_root_lines)
}

# The records are no xattrs of the guest's, by path and by fd: the lines
# the same program prints natively as root (syscall-creds.bats's twin).
@test "emulate creds: unprivileged, the owner records are no xattrs of the guest's" {
	need_creds
	need_root
	local native
	cc -O1 -o "$BATS_TEST_TMPDIR/ownerxattr" "$BATS_TEST_DIRNAME/syscall/ownerxattr.c"
	native=$("$BATS_TEST_TMPDIR/ownerxattr" "$BATS_TEST_TMPDIR" fd)
	[[ "$native" != *FAILED* ]]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$U/mew" run --engine emulate --rootfs "$U/rootfs" -- /ownerxattr /tmp fd
	echo "$output"
	[ "$output" = "$native" ]
}

# trusted.* and security.*: the lines the same program prints natively as
# root (syscall-creds.bats's twin).  Without a table of the run's (each
# guest process is a process of mew's), a symlink or a FIFO carries none:
# EOPNOTSUPP, as a filesystem without the namespace says.
@test "emulate creds: trusted.* and security.* xattrs of the fake root, run by an ordinary user and by root" {
	need_creds
	need_root
	local native d
	cc -O1 -o "$BATS_TEST_TMPDIR/adminxattr" "$BATS_TEST_DIRNAME/syscall/adminxattr.c"
	# natively, a directory the ordinary user can reach
	d=$(mktemp -d /tmp/mew-adminxattr.XXXXXX)
	chmod 755 "$d"
	native=$("$BATS_TEST_TMPDIR/adminxattr" "$d" nolinks) || true
	rm -rf "$d"
	echo "natively: $native"
	[[ "$native" != *FAILED* ]]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$U/mew" run --engine emulate --rootfs "$U/rootfs" -- /adminxattr /tmp nolinks
	echo "$output"
	[ "$output" = "$native" ]
	run emu -- /adminxattr /tmp nolinks
	echo "$output"
	[ "$output" = "$native" ]
	run emu -- /adminxattr /tmp
	[[ "$output" == *"FAILED lsetxattr trusted.s on the symlink: got Operation not supported"* ]]
}

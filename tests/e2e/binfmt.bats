#!/usr/bin/env bats
# mew binfmt: mew as binfmt_misc's interpreter of arm64 programs.  The
# registration is the machine's: the file puts back what it found (an
# earlier mew-aarch64 entry, an unmounted binfmt_misc) and leaves nothing.
load helpers
bats_require_minimum_version 1.5.0

BM=/proc/sys/fs/binfmt_misc

setup_file() {
	export ARM_ROOTFS=${ROOTFS%-amd64}-arm64
	export SAVED=$BATS_FILE_TMPDIR/saved-entry MOUNTED_BY_US=$BATS_FILE_TMPDIR/mounted
	[ "$(id -u)" -eq 0 ] || return 0
	# one such file at a time on this machine (other checkouts run it too):
	# the lock is held by this file's runner until it ends
	exec {BINFMT_LOCK}>/run/lock/mew-binfmt-tests
	flock "$BINFMT_LOCK"
	grep -qw binfmt_misc /proc/filesystems || return 0
	if ! mountpoint -q $BM; then
		mount -t binfmt_misc binfmt_misc $BM 2>/dev/null && touch "$MOUNTED_BY_US"
	fi
	[ -e $BM/mew-aarch64 ] && cat $BM/mew-aarch64 >"$SAVED"
	return 0
}

# An entry file (enabled / interpreter / flags / offset / magic / mask)
# back into a registration line.
reregister() {
	local f=$1 interp flags offset magic mask
	interp=$(sed -n 's/^interpreter //p' "$f")
	flags=$(sed -n 's/^flags: //p' "$f")
	offset=$(sed -n 's/^offset //p' "$f")
	magic=$(sed -n 's/^magic //p' "$f" | sed 's/../\\x&/g')
	mask=$(sed -n 's/^mask //p' "$f" | sed 's/../\\x&/g')
	printf ':mew-aarch64:M:%s:%s:%s:%s:%s' "$offset" "$magic" "$mask" "$interp" "$flags" >$BM/register
	grep -q '^disabled' "$f" && echo 0 >$BM/mew-aarch64
	return 0
}

teardown_file() {
	[ -e $BM/mew-test-other ] && echo -1 >$BM/mew-test-other
	[ -e $BM/mew-aarch64 ] && echo -1 >$BM/mew-aarch64
	[ -s "$SAVED" ] && reregister "$SAVED"
	[ -e "$MOUNTED_BY_US" ] && umount $BM
	return 0
}

need_binfmt() {
	need_root
	mountpoint -q $BM || skip "binfmt_misc cannot be mounted here"
	[ -x "$MEW_ROOT/build/mew-aarch64" ] || skip "no build/mew-aarch64 (make builds it)"
	[ -x "$ARM_ROOTFS/bin/busybox" ] || skip "no arm64 busybox rootfs"
}

@test "binfmt: install registers mew-aarch64 with qemu's magic, flags PF, and status says mew runs arm64" {
	need_binfmt
	run "$MEW" binfmt install
	[ "$status" -eq 0 ]
	grep -qx enabled $BM/mew-aarch64
	grep -qx "interpreter $MEW_ROOT/build/mew-aarch64" $BM/mew-aarch64
	grep -qx "flags: PF" $BM/mew-aarch64
	grep -qx "magic 7f454c460201010000000000000000000200b700" $BM/mew-aarch64
	grep -qx "mask ffffffffffffff00fffffffffffffffffeffffff" $BM/mew-aarch64
	run "$MEW" binfmt status
	[[ "$output" == *"aarch64 programs run through: mew (mew-aarch64)"* ]]
}

@test "binfmt: ./arm64-program runs through mew, with argv[0] kept (P)" {
	need_binfmt
	"$MEW" binfmt install
	cp "$ARM_ROOTFS/bin/busybox" "$BATS_TEST_TMPDIR/busybox"
	run "$BATS_TEST_TMPDIR/busybox" uname -m
	[ "$status" -eq 0 ]
	[ "$output" = aarch64 ]
	# busybox picks its applet by argv[0]: only a kept argv[0] says echo
	run bash -c 'exec -a echo "$1" kept argv0' _ "$BATS_TEST_TMPDIR/busybox"
	[ "$output" = "kept argv0" ]
	run "$BATS_TEST_TMPDIR/busybox" sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "binfmt: chroot ARM64-ROOTFS sh runs, and its arm64 children too (F: no mew inside)" {
	need_binfmt
	"$MEW" binfmt install
	[ ! -e "$ARM_ROOTFS$MEW_ROOT/build/mew-aarch64" ]
	run chroot "$ARM_ROOTFS" /bin/sh -c 'uname -m; /bin/sh -c "echo child \$(id -u)"; cat /etc/passwd >/dev/null && echo read'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = aarch64 ]
	[ "${lines[1]}" = "child 0" ]
	[ "${lines[2]}" = read ]
}

@test "binfmt: status names another aarch64 handler and which one wins" {
	need_binfmt
	[ -x /usr/bin/qemu-aarch64 ] || skip "no qemu-aarch64 to register as a second handler"
	"$MEW" binfmt install
	local magic mask
	magic=$(sed -n 's/^magic //p' $BM/mew-aarch64 | sed 's/../\\x&/g')
	mask=$(sed -n 's/^mask //p' $BM/mew-aarch64 | sed 's/../\\x&/g')
	printf ':mew-test-other:M::%s:%s:/usr/bin/qemu-aarch64:F' "$magic" "$mask" >$BM/register
	run "$MEW" binfmt status
	[[ "$output" == *"mew-test-other: enabled, interpreter /usr/bin/qemu-aarch64"* ]]
	[[ "$output" == *"run through: mew-test-other, registered after mew's"* ]]
	# installed again, mew is the newest and wins
	"$MEW" binfmt install
	run "$MEW" binfmt status
	[[ "$output" == *"run through: mew (mew-aarch64)"* ]]
	echo -1 >$BM/mew-test-other
}

@test "binfmt: remove leaves no entry; a static interpreter is required" {
	need_binfmt
	"$MEW" binfmt install
	run "$MEW" binfmt remove
	[ "$status" -eq 0 ]
	[ ! -e $BM/mew-aarch64 ]
	run "$MEW" binfmt status
	[[ "$output" == *"mew-aarch64: not registered"* ]]
	run "$MEW" binfmt install --interpreter "$MEW_ROOT/build/mew"
	[ "$status" -eq 125 ]
	[[ "$output" == *"linked dynamically"* ]]
	[ ! -e $BM/mew-aarch64 ]
}

@test "binfmt: podman run --arch arm64 of an image made from the arm64 rootfs runs through mew" {
	need_binfmt
	command -v podman >/dev/null || skip "podman is not installed"
	local rt store
	rt="$(cd "$(dirname "$MEW")" && pwd)/mew-runc"
	[ -x "$rt" ] || skip "build/mew-runc is missing (make)"
	"$MEW" binfmt install
	store=$(mktemp -d /var/tmp/mew-binfmt-podman.XXXXXX)
	local P=(podman --cgroup-manager cgroupfs --events-backend file --storage-driver vfs --root "$store/root"
		 --runroot "$store/runroot" --tmpdir "$store/tmp" --runtime "$rt")
	local U=(--rm --arch arm64 --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
	tar -C "$ARM_ROOTFS" -cf "$store/rootfs.tar" .
	"${P[@]}" import --arch arm64 "$store/rootfs.tar" localhost/mew-binfmt-arm64 >/dev/null
	run "${P[@]}" run "${U[@]}" localhost/mew-binfmt-arm64 /bin/sh -c 'uname -m; echo hi'
	local out=$output st=$status
	# the interpreter that ran it answers the probe: mew
	run "${P[@]}" run "${U[@]}" -e MEW_BINFMT_PROBE=1 localhost/mew-binfmt-arm64 /bin/true
	local probe=$output
	"${P[@]}" rmi -af >/dev/null 2>&1
	for _ in $(seq 100); do pgrep -f -- "$store" >/dev/null || break; sleep 0.1; done
	umount -R "$store" 2>/dev/null || true
	rm -rf "$store"
	echo "$out"
	[ "$st" -eq 0 ]
	[ "$out" = "aarch64
hi" ]
	[ "$probe" = mew ]
}

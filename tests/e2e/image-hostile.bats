#!/usr/bin/env bats
# Hostile image layers, checked from the attacker's side: each aims at a
# directory outside the target (ESC), and the test looks there afterwards.

load helpers

setup() {
	command -v python3 >/dev/null || skip "python3 is not installed (it builds the test images)"
	MKIMAGE=$BATS_TEST_DIRNAME/mkimage.py
	export MEW_CACHE=$BATS_TEST_TMPDIR/cache
	ESC=$BATS_TEST_TMPDIR/escape
	mkdir -p "$ESC" "$BATS_TEST_TMPDIR/base/etc"
	echo victim >"$ESC/victim"
	echo base >"$BATS_TEST_TMPDIR/base/etc/base"
}

hostile() { # KIND... -> an image of one base layer and one layer per KIND
	local layers=("$BATS_TEST_TMPDIR/base") k
	for k in "$@"; do
		python3 "$MKIMAGE" --hostile "$k" "$BATS_TEST_TMPDIR/$k.tar" "$ESC"
		layers+=("$BATS_TEST_TMPDIR/$k.tar")
	done
	rm -rf "$BATS_TEST_TMPDIR/img"
	python3 "$MKIMAGE" "$BATS_TEST_TMPDIR/img" "${layers[@]}" >/dev/null
}

outside_untouched() {
	[ "$(ls -A "$ESC")" = victim ]
	[ "$(cat "$ESC/victim")" = victim ]
	[ "$(stat -c %h "$ESC/victim")" = 1 ]
}

refused() { # KIND...: refused by rootfs create and by run --image
	hostile "$@"
	run "$MEW" rootfs create --from image "oci:$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"refused"* ]]
	outside_untouched
	run "$MEW" run --image "oci:$BATS_TEST_TMPDIR/img" -- true
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"refused"* ]]
	outside_untouched
	# nothing half-unpacked is left in the cache
	[ -z "$(ls -d "$MEW_CACHE"/images/tmp-* "$MEW_CACHE"/images/sha256-*/ 2>/dev/null)" ]
}

# A test that fails midway still removes its world-readable directory.
teardown() {
	[ -n "${u:-}" ] && rm -rf "$u"
	return 0
}

@test "image hostile: a ../ path is refused, nothing written outside" {
	refused dotdot
}

@test "image hostile: an absolute path is refused, nothing written outside" {
	refused absolute
}

@test "image hostile: a symlink out (absolute), then a write through it, is refused" {
	refused symlink-dir through-symlink
}

@test "image hostile: a symlink out (../), then a write through it, is refused" {
	refused symlink-dir through-symlink2
}

@test "image hostile: a hard link to a file outside is refused" {
	refused hardlink-out
}

@test "image hostile: the symlink alone is kept as a symlink (read inside the rootfs)" {
	hostile symlink-dir
	run "$MEW" rootfs create --from image "oci:$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 0 ]
	[ "$(readlink "$BATS_TEST_TMPDIR/r/evil")" = "$ESC" ]
	outside_untouched
}

@test "image hostile: a blob that is a symlink to a device is refused, not read" {
	hostile fifo
	layer=$(ls -S "$BATS_TEST_TMPDIR/img/blobs/sha256" | sed -n 1p)
	ln -sf /dev/zero "$BATS_TEST_TMPDIR/img/blobs/sha256/$layer"
	run timeout 60 "$MEW" rootfs create --from image "oci:$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 125 ]
}

@test "image hostile: device nodes are skipped without root; owners recorded in xattrs" {
	need_root
	u=$(mktemp -d /tmp/mew-image-user.XXXXXX)
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.probe", b"1")' "$u" 2>/dev/null ||
		{ rm -rf "$u"; skip "/tmp takes no user xattrs (the owners are recorded in them)"; }
	hostile device fifo
	# a layer with a file owned by 1234:5678
	mkdir -p "$BATS_TEST_TMPDIR/own"
	echo o >"$BATS_TEST_TMPDIR/own/owned"
	chown 1234:5678 "$BATS_TEST_TMPDIR/own/owned"
	python3 "$MKIMAGE" "$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/base" "$BATS_TEST_TMPDIR/device.tar" \
		"$BATS_TEST_TMPDIR/own" --tag latest >/dev/null
	cp -a "$BATS_TEST_TMPDIR/img" "$u/img"
	chmod -R a+rX "$u"
	chown nobody "$u"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env MEW_CACHE="$u/cache" \
		"$MEW" rootfs create --from image "oci:$u/img" "$u/r"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"device node"*"skipped"* ]]
	[ ! -e "$u/r/dev/sda-from-image" ]
	[ ! -e "$u/r/dev/mem-from-image" ]
	[ -f "$u/r/ok-after" ]
	[ "$(stat -c %u "$u/r/owned")" = "$(id -u nobody)" ]
	[ "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.mew.owner").decode())' "$u/r/owned")" = 1234:5678 ]
	rm -rf "$u"
	# as root the nodes are made, with the owners the layer gives
	run "$MEW" rootfs create --from image "oci:$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 0 ]
	[ -b "$BATS_TEST_TMPDIR/r/dev/sda-from-image" ]
	[ "$(stat -c '%t:%T %u:%g' "$BATS_TEST_TMPDIR/r/owned")" = "0:0 1234:5678" ]
}

@test "image hostile: xattrs: user.* kept; overlay's trusted.* and mew's owner records are not the layer's to set" {
	touch "$BATS_TEST_TMPDIR/probe"
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.probe", b"1")' "$BATS_TEST_TMPDIR/probe" 2>/dev/null ||
		skip "the filesystem of $BATS_TEST_TMPDIR takes no user xattrs"
	hostile xattrs
	run "$MEW" rootfs create --from image "oci:$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 0 ]
	f=$BATS_TEST_TMPDIR/r/xattr-file
	[ "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.mewtest").decode())' "$f")" = kept ]
	run python3 -c 'import os,sys; print(sorted(os.listxattr(sys.argv[1])))' "$f"
	echo "$output"
	[[ "$output" != *"trusted.overlay"* ]]
	[[ "$output" != *"user.mew.owner"* ]]
}

#!/usr/bin/env bats
# --image under each engine: the same image, the same answers, each run's
# writes thrown away; an arm64 image picks the emulate engine under
# --engine auto.
load helpers

setup_file() {
	command -v python3 >/dev/null || return 0
	[ -d "$ROOTFS" ] || return 0
	python3 "$BATS_TEST_DIRNAME/mkimage.py" "$BATS_FILE_TMPDIR/oci" "$ROOTFS" \
		--env FROM_IMAGE=yes --workdir /etc --cmd '["sh","-c","echo $FROM_IMAGE $(pwd)"]' >/dev/null
	chmod -R a+rX "$BATS_FILE_TMPDIR"
}

setup() {
	command -v python3 >/dev/null || skip "python3 is not installed (it builds the test images)"
	[ -d "$ROOTFS" ] || skip "no busybox rootfs at $ROOTFS"
	IMG=oci:$BATS_FILE_TMPDIR/oci
	export MEW_CACHE=$BATS_FILE_TMPDIR/cache
}

same_answers() { # ENGINE [flags]: the config's command, and a write that does not last
	run "$MEW" run --engine "$@" --image "$IMG"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "yes /etc" ]
	run "$MEW" run --engine "$@" --image "$IMG" -- sh -c 'echo x >/etc/run-write && cat /etc/run-write'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = x ]
	run "$MEW" run --engine "$@" --image "$IMG" -- cat /etc/run-write
	[ "$status" -ne 0 ]
}

# A test that fails midway still removes its world-readable directory.
teardown() {
	[ -n "${u:-}" ] && rm -rf "$u"
	return 0
}

@test "image engines: container" {
	"$MEW" engines | grep -q '^container  *yes' || skip "container engine unavailable here"
	same_answers container
}

@test "image engines: syscall" {
	"$MEW" engines | grep -q '^syscall  *yes' || skip "syscall engine unavailable here"
	same_answers syscall
}

@test "image engines: syscall, unprivileged (the run writes on a copy)" {
	"$MEW" engines | grep -q '^syscall  *yes' || skip "syscall engine unavailable here"
	need_root
	u=$(mktemp -d /tmp/mew-image-user.XXXXXX)
	cp -a "$BATS_FILE_TMPDIR/oci" "$u/oci"
	chmod -R a+rX "$u"
	mkdir "$u/cache"
	chown nobody "$u/cache"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env MEW_CACHE="$u/cache" \
		"$MEW" run --engine syscall --image "oci:$u/oci" -- sh -c 'echo x >/etc/w; cat /etc/w; id -u'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-2]}" = x ]
	[ "${lines[-1]}" = 0 ]
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env MEW_CACHE="$u/cache" \
		"$MEW" run --engine syscall --image "oci:$u/oci" -- cat /etc/w
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$u/cache/images/run")" ]
	rm -rf "$u"
}

@test "image engines: an arm64 image runs under emulate with --engine auto" {
	arm=${ROOTFS%-amd64}-arm64
	[ -d "$arm" ] || bash "$MEW_ROOT/scripts/rootfs-busybox.sh" arm64 >/dev/null 2>&1 || skip "no arm64 busybox rootfs (scripts/rootfs-busybox.sh arm64)"
	"$MEW" engines | grep -q '^emulate  *yes' || skip "emulate engine unavailable here"
	python3 "$BATS_TEST_DIRNAME/mkimage.py" "$BATS_TEST_TMPDIR/arm" "$arm" --arch arm64 --cmd '["uname","-m"]' >/dev/null
	run "$MEW" run --engine auto --image "oci:$BATS_TEST_TMPDIR/arm"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = aarch64 ]
	run "$MEW" run --engine auto --image "oci:$BATS_TEST_TMPDIR/arm" -- sh -c 'echo w >/w; cat /w'
	echo "$output"
	[ "${lines[-1]}" = w ]
	run "$MEW" run --engine auto --image "oci:$BATS_TEST_TMPDIR/arm" -- ls /w
	[ "$status" -ne 0 ]
	# the image says arm64: --arch amd64 contradicts it
	run "$MEW" run --arch amd64 --image "oci:$BATS_TEST_TMPDIR/arm" -- true
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"is arm64"* ]]
}

@test "image engines: vm (the test guest reads the image's rootfs over 9p)" {
	TG="$BATS_TEST_DIRNAME/../../build/vm/testguest.elf"
	[ -c /dev/kvm ] || skip "no /dev/kvm on this host"
	"$MEW" engines | grep -q '^vm  *yes' || skip "vm engine unavailable here"
	[ -f "$TG" ] || skip "test guest not built"
	run "$MEW" run --engine vm --image "$IMG" --kernel "$TG" -- 9p /etc/passwd
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"9p: root:"* ]]
}

@test "image engines: a Debian arm64 image (a user by name, a whiteout) under --engine auto" {
	[ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null || skip "building the Debian rootfs needs root and debootstrap"
	"$MEW" engines | grep -q '^emulate  *yes' || skip "emulate engine unavailable here"
	# the shared cache's Debian rootfs (as emulate-debian.bats builds it), not this file's cache
	deb=$(MEW_CACHE=${ROOTFS%/rootfs/*} bash "$MEW_ROOT/scripts/rootfs-debian.sh" arm64) || skip "no Debian arm64 rootfs"
	d=$BATS_TEST_TMPDIR
	tar -C "$deb" --numeric-owner -cf "$d/base.tar" .
	mkdir -p "$d/top/etc" "$d/top/usr/share/doc"
	touch "$d/top/usr/share/doc/.wh..wh..opq" "$d/top/etc/.wh.debian_version"
	echo from-the-image >"$d/top/etc/motd"
	python3 "$BATS_TEST_DIRNAME/mkimage.py" "$d/oci" "$d/base.tar" "$d/top" --arch arm64 --user nobody \
		--cmd '["sh","-c","id -u; uname -m; cat /etc/motd; ls /etc/debian_version; ls /usr/share/doc | wc -l"]' >/dev/null
	rm -f "$d/base.tar"
	run "$MEW" run --engine auto --image "oci:$d/oci"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-5]}" = 65534 ]
	[ "${lines[-4]}" = aarch64 ]
	[ "${lines[-3]}" = from-the-image ]
	[[ "${lines[-2]}" == *"No such file"* ]]
	[ "${lines[-1]}" = 0 ]
}

@test "image engines: unpacked without root, the layer's owners are what the emulate engine's stat shows" {
	need_root
	arm=${ROOTFS%-amd64}-arm64
	[ -d "$arm" ] || skip "no arm64 busybox rootfs (scripts/rootfs-busybox.sh arm64)"
	"$MEW" engines | grep -q '^emulate  *yes' || skip "emulate engine unavailable here"
	u=$(mktemp -d /tmp/mew-image-user.XXXXXX)
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.probe", b"1")' "$u" 2>/dev/null ||
		{ rm -rf "$u"; skip "/tmp takes no user xattrs (the owners are recorded in them)"; }
	mkdir -p "$u/own/home/user"
	echo o >"$u/own/home/user/file"
	chown -R 1234:5678 "$u/own/home/user"
	python3 "$BATS_TEST_DIRNAME/mkimage.py" "$u/oci" "$arm" "$u/own" --arch arm64 \
		--cmd '["sh","-c","stat -c %u:%g /home/user/file /home/user /bin/busybox"]' >/dev/null
	rm -rf "$u/own"
	chmod -R a+rX "$u"
	mkdir "$u/cache"
	chown nobody "$u/cache"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups env MEW_CACHE="$u/cache" \
		"$MEW" run --engine auto --image "oci:$u/oci"
	echo "$output"
	rm -rf "$u"
	[ "$status" -eq 0 ]
	[ "${lines[-3]}" = 1234:5678 ]
	[ "${lines[-2]}" = 1234:5678 ]
	[ "${lines[-1]}" = 0:0 ]
}

#!/usr/bin/env bats
# mew rootfs create, and the syscall engine on a static busybox rootfs.

load helpers

@test "rootfs create: --from busybox builds a rootfs the syscall engine runs" {
	dpkg-query -W busybox-static >/dev/null 2>&1 || skip "busybox-static is not installed"
	d=$(mktemp -d /tmp/mew-rootfs.XXXXXX)
	chmod 755 "$d"
	run "$MEW" rootfs create --from busybox "$d/r"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x "$d/r/bin/busybox" ]
	[ -L "$d/r/bin/sh" ]
	run "$MEW" run --engine syscall --rootfs "$d/r" -- sh -c 'echo hi; id -u; readlink /proc/self/exe'
	rm -rf "$d"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hi ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = /bin/busybox ]
}

@test "rootfs create: refuses a non-empty directory and an unknown source" {
	d=$(mktemp -d)
	touch "$d/x"
	run "$MEW" rootfs create --from busybox "$d"
	[ "$status" -eq 125 ]
	[[ "$output" == *"not empty"* ]]
	run "$MEW" rootfs create --from gentoo "$d/y"
	[ "$status" -eq 125 ]
	[[ "$output" == *"gentoo"* ]]
	run "$MEW" rootfs create "$d/y"
	[ "$status" -eq 125 ]
	rm -rf "$d"
}

@test "rootfs create --from debian needs root and says so" {
	d=$(mktemp -d /tmp/mew-rootfs.XXXXXX)
	chmod 777 "$d"
	cp "$MEW" "$d/mew"
	chmod 755 "$d/mew"
	if [ "$(id -u)" -eq 0 ]; then
		run setpriv --reuid=65534 --regid=65534 --clear-groups -- "$d/mew" rootfs create --from debian "$d/r"
	else
		run "$d/mew" rootfs create --from debian "$d/r"
	fi
	rm -rf "$d"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"root"* ]]
}

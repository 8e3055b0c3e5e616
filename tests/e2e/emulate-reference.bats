#!/usr/bin/env bats
# The qemu-aarch64 reference that scripts/ltp.sh and scripts/pytests.sh
# compare the emulate engine with (scripts/qemu-binfmt.sh): an arm64
# program it runs executes other arm64 programs, as under mew, and the
# host keeps its own binfmt_misc and capabilities.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export A=${ROOTFS%-amd64}-arm64
	bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-busybox.sh" arm64 >/dev/null 2>&1 || true
}

@test "qemu reference: a program run under qemu-aarch64 executes another arm64 program, with the caller's bounding set" {
	[ -x "$A/bin/busybox" ] || skip "no arm64 busybox rootfs (busybox-static:arm64 not downloadable)"
	command -v qemu-aarch64 >/dev/null || skip "no qemu-aarch64 (qemu-user)"
	[ "$(id -u)" -eq 0 ] || skip "needs root (the namespace maps every id)"
	bb=$A/bin/busybox
	# without it, the kernel cannot execute the arm64 child
	run qemu-aarch64 "$bb" sh -c "$bb echo child ran"
	[ "$status" -eq 126 ]
	run bash "$BATS_TEST_DIRNAME/../../scripts/qemu-binfmt.sh" "$A" qemu-aarch64 "$bb" sh -c \
		"$bb echo child ran; $bb grep CapBnd /proc/self/status"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "child ran" ]
	[ "${lines[1]}" = "$(grep CapBnd /proc/self/status)" ]
	# registered in its own instance only
	[ ! -e /proc/sys/fs/binfmt_misc/mew-qemu-aarch64 ]
}

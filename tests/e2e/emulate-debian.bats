#!/usr/bin/env bats
# The emulate engine on a full Debian arm64 root filesystem, made by
# `mew rootfs create --from debian --arch arm64` (debootstrap --foreign, then
# its second stage run by mew's own emulate engine; scripts/rootfs-debian.sh,
# cached by its inputs).
load helpers

setup_file() {
	export DEB=
	if [ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null; then
		DEB=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" arm64) || return 1
	fi
	export T=$BATS_FILE_TMPDIR/t
	mkdir -p "$T"
	if command -v aarch64-linux-gnu-gcc >/dev/null; then
		aarch64-linux-gnu-gcc -O2 -o "$T/prog" "$BATS_TEST_DIRNAME/emulate/prog.c" -lm -lpthread
	fi
}

need_debian() {
	[ -n "$DEB" ] || skip "building the Debian rootfs needs root and debootstrap"
}

deb() {
	"$MEW" run --engine emulate --arch arm64 --rootfs "$DEB" -v "$T:/mnt/t" -- "$@"
}

@test "emulate debian: the second stage ran: dpkg knows the base system" {
	need_debian
	run deb dpkg -l
	[ "$status" -eq 0 ]
	[[ "$output" == *"ii  dpkg "*arm64* ]]
	[[ "$output" == *"ii  libc6:arm64 "* ]]
}

@test "emulate debian: ls, sh, perl -e" {
	need_debian
	run deb sh -c 'ls /usr/bin/dpkg; echo "$((6*7))"; perl -e "print join(q{,}, map { \$_ * 2 } 1..3), qq{\n}"; uname -m; cat /etc/debian_version'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /usr/bin/dpkg ]
	[ "${lines[1]}" = 42 ]
	[ "${lines[2]}" = 2,4,6 ]
	[ "${lines[3]}" = aarch64 ]
}

@test "emulate debian: a program built with aarch64-linux-gnu-gcc, against the rootfs's glibc" {
	need_debian
	[ -x "$T/prog" ] || skip "no aarch64-linux-gnu-gcc"
	run deb /mnt/t/prog 3
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "float 1.414214 1.250e-09 0" ]
	[ "${lines[1]}" = "threads 80000" ]
	[ "${lines[3]}" = "child 7" ]
}

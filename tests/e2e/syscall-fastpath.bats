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
	mkdir -p "$t/bin"
	cp "$MEW" "$t/bin/mew"
	cc -O1 -pthread -o "$t/bin/patch" "$BATS_TEST_DIRNAME/fastpath/patch.c" || return 1
	chmod -R a+rX "$t"
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" amd64) || return 1
	else
		DEBIAN=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" amd64 2>/dev/null) || DEBIAN=
	fi
	export T=$t DEBIAN
}

teardown_file() {
	[ -n "${T:-}" ] && rm -rf "$T"
}

setup() {
	[ -n "$DEBIAN" ] || skip "no Debian rootfs: building one needs root and debootstrap (scripts/rootfs-debian.sh)"
}

# guest [MEW RUN FLAGS] -- CMD...: the command under the syscall engine, unprivileged.
guest() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" "$@"
	else
		"$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" "$@"
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
	# offset 13: no aligned block holds it, it keeps trapping
	[ "${lines[0]}" = "site 0: e9 answered ino $ino" ]
	[ "${lines[1]}" = "site 1: e9 answered ino $ino" ]
	[ "${lines[2]}" = "site 2: b8 answered ino $ino" ]
	MEW_TRAP_PATCH=0 run guest -- /opt/t/patch sites /etc/debian_version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "site 0: b8 answered ino $ino" ]
	[ "${lines[1]}" = "site 1: b8 answered ino $ino" ]
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

@test "syscall: patched sites under threads patching at once, a signal handler's calls, fork" {
	run guest -- sh -c '/opt/t/patch threads /etc/debian_version && /opt/t/patch signals /etc/debian_version && /opt/t/patch fork /etc/debian_version'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "threads: 0 wrong answers" ]
	[ "${lines[1]}" = "signals: 0 wrong answers, 0 in the handler" ]
	[ "${lines[2]}" = "fork: child answered" ]
}

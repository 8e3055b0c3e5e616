#!/usr/bin/env bats
# A bounded subset of Python's own standard-library tests (Debian's
# libpython3.11-testsuite) under the syscall engine: each module's verdict
# is the one it has natively on the same rootfs, in the same run
# (scripts/pytests.sh; it runs the whole list of the OS interface's modules).
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export PYROOT= WHY=
	if [ "$(id -u)" -ne 0 ]; then
		WHY="the native reference runs in a chroot: needs root"
		return 0
	fi
	if ! bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" amd64 >/dev/null 2>&1; then
		WHY="no Debian rootfs: building one needs debootstrap and the Debian mirror (scripts/rootfs-debian.sh)"
		return 0
	fi
	if ! PYROOT=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-pytest.sh" amd64 2>"$BATS_FILE_TMPDIR/build.log"); then
		PYROOT=
		# mew's own apt-get failing is a failure; an unreachable mirror is the host's
		if timeout 20 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' 2>/dev/null; then
			WHY=broken
		else
			WHY="deb.debian.org is out of reach: no libpython3.11-testsuite to install"
		fi
	fi
}

setup() {
	if [ "$WHY" = broken ]; then
		cat "$BATS_FILE_TMPDIR/build.log"
		echo "apt-get install of libpython3.11-testsuite under mew failed with the mirror in reach"
		return 1
	fi
	[ -z "$WHY" ] || skip "$WHY"
}

# same [--user USER] MODULE...: each module's verdict natively and under
# mew (as USER), and the same (a hang is a failure too, after
# PYTEST_TIMEOUT seconds).
same() {
	local n=$#
	[ "$1" != --user ] || n=$((n - 2))
	PYTEST_TIMEOUT=600 run bash "$BATS_TEST_DIRNAME/../../scripts/pytests.sh" "$@"
	echo "$output"
	[[ "$output" == *"logs in "* ]] && rm -rf "${output##*logs in }"
	[ "$status" -eq 0 ]
	[[ "$output" == *"same verdict: $n, different: 0"* ]]
	# a module that ran nothing, or broke natively, proves nothing
	[[ "$output" != *"no tests ran"* && "$output" != *broken* && "$output" != *"timed out"* ]]
}

@test "syscall pytests: test_stat, as natively" {
	same test_stat
}

@test "syscall pytests: test_glob, as natively" {
	same test_glob
}

@test "syscall pytests: test_fileio, as natively" {
	same test_fileio
}

@test "syscall pytests: test_tempfile, as natively" {
	same test_tempfile
}

@test "syscall pytests: test_posix, as natively" {
	same test_posix
}

# mew as an ordinary user, on its own copy of the rootfs (scripts/rootfs-user.sh)
@test "syscall pytests: test_os and test_shutil with mew run by nobody, as natively" {
	same --user nobody test_os test_shutil
}

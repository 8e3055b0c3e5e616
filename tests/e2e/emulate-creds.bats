#!/usr/bin/env bats
# The emulate engine's credentials: the personality's model (src/personality/cred.c)
# answers as the kernel does for a real root that changes identity; the
# expected lines (creds.bash) are what the same program prints natively.
load helpers
load creds
bats_require_minimum_version 1.5.0

setup_file() {
	export ARM_ROOTFS=${ROOTFS%-amd64}-arm64
	bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-busybox.sh" arm64 >/dev/null 2>&1 || true
	export R=$BATS_FILE_TMPDIR/rootfs
	if [ -d "$ARM_ROOTFS" ] && command -v aarch64-linux-gnu-gcc >/dev/null; then
		cp -a "$ARM_ROOTFS" "$R"
		aarch64-linux-gnu-gcc -O1 -static -o "$R/creds" "$BATS_TEST_DIRNAME/syscall/creds.c"
	fi
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

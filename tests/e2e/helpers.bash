# Shared by the bats files: $MEW is the binary under test, $ROOTFS the default
# busybox rootfs.
: "${MEW:=$BATS_TEST_DIRNAME/../../build/mew}"
if [ -n "${MEW_CACHE:-}" ]; then ROOTFS=$MEW_CACHE/rootfs/busybox-amd64
elif [ "$(id -u)" -eq 0 ]; then ROOTFS=/var/cache/mew/rootfs/busybox-amd64
else ROOTFS=${XDG_CACHE_HOME:-$HOME/.cache}/mew/rootfs/busybox-amd64; fi
export ROOTFS

# For a setup_file of the emulate engine's tests: R, this file's own copy of
# the arm64 busybox rootfs (ARM_ROOTFS, made by scripts/rootfs-busybox.sh
# where busybox-static:arm64 can be had), for the file to add its programs
# to.  Fails where there is no such rootfs (R is not made) or no
# aarch64-linux-gnu-gcc to build the programs with; the tests skip on what
# they find missing.
arm64_rootfs() {
	export ARM_ROOTFS=${ROOTFS%-amd64}-arm64 R=$BATS_FILE_TMPDIR/rootfs
	bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-busybox.sh" arm64 >/dev/null 2>&1 || true
	[ -d "$ARM_ROOTFS" ] || return 1
	cp -a "$ARM_ROOTFS" "$R"
	command -v aarch64-linux-gnu-gcc >/dev/null
}

# arm64_libs LIB...: the cross glibc's loader and LIBs in $R, for dynamic
# programs (the busybox rootfs has no libraries).
arm64_libs() {
	local lib=/usr/aarch64-linux-gnu/lib l
	mkdir -p "$R/lib/aarch64-linux-gnu"
	cp -L $lib/ld-linux-aarch64.so.1 "$R/lib/"
	for l; do cp -L "$lib/$l" "$R/lib/aarch64-linux-gnu/"; done
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# Run the libFuzzer target build/fuzz/fuzz_NAME (tests/fuzz/fuzz_NAME.c) for
# SECONDS on inputs up to MAX_LEN bytes, from tests/fuzz/corpus/NAME with
# tests/fuzz/NAME.dict.  A crash, a leak or a broken invariant fails the test
# and leaves the input in the artifact directory, which it prints.
run_fuzzer() {
	local name=$1 seconds=$2 max_len=$3 work
	command -v clang >/dev/null || skip "clang is not installed"
	cd "$MEW_ROOT"
	make -s "build/fuzz/fuzz_$name" >/dev/null
	work=$(mktemp -d)
	mkdir "$work/corpus" "$work/artifacts"
	cp "tests/fuzz/corpus/$name"/* "$work/corpus/"
	run "./build/fuzz/fuzz_$name" -max_total_time="$seconds" -max_len="$max_len" \
		-dict="tests/fuzz/$name.dict" -artifact_prefix="$work/artifacts/" "$work/corpus"
	echo "$output" | tail -20
	ls -l "$work/artifacts"
	[ "$status" -eq 0 ]
	[ -z "$(ls "$work/artifacts")" ]
	rm -rf "$work"
}

# tree_state DIR: what a write would change under DIR (names, types, sizes,
# modes, owners, mtimes, contents, extended attributes), to compare.
tree_state() {
	(cd "$1" && find . -printf '%p %y %s %m %U %G %T@\n' | sort && find . -type f -exec md5sum {} + | sort &&
		python3 -c 'import os, sys
for p in sorted(sys.argv[1:]):
    try: print(p, sorted((n, os.getxattr(p, n, follow_symlinks=False)) for n in os.listxattr(p, follow_symlinks=False)))
    except OSError as e: print(p, e.errno)' $(find . -not -type l))
}

# rowrite_place DIR: what tests/e2e/personality/rowrite writes to: a file
# f with a user.keep extended attribute (where the filesystem takes one)
# and a directory d, owned by OWNER (uid:gid, default the caller): an
# owner that may change them on the host, so that only mew stops a write.
rowrite_place() { # DIR [OWNER]
	mkdir -p "$1/d"
	echo kept >"$1/f"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.keep", b"1")' "$1/f" 2>/dev/null || true
	[ -z "${2:-}" ] || chown -R "$2" "$1"
}

# check_rowrite OUTPUT: tests/e2e/personality/rowrite's 28 lines say what
# the kernel says on a read-only mount: EROFS (30) for every write, through
# a path or through an fd opened for reading; EINVAL (22) for ftruncate of
# such an fd, as anywhere.
check_rowrite() {
	local out=$1 line name want
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 28 ] || { echo "not 28 lines"; return 1; }
	while read -r name line; do
		want=30
		[ "$name" = ftruncate ] && want=22
		[ "$line" = "$want" ] || { echo "$name: errno $line, not $want"; return 1; }
	done <<<"$out"
}

# check_sockname DIR: the fds program's `sock DIR` lines (tests/e2e/syscall
# and emulate): every name an AF_UNIX socket is given back is the guest path
# it was bound to under DIR (getsockname, getpeername, accept, recvfrom),
# and a name cut short is cut as the kernel cuts it.
check_sockname() {
	local d=$1
	[ "${lines[0]}" = "getsockname: $d/s" ]
	[ "${lines[1]}" = "getpeername: $d/s" ]
	[ "${lines[2]}" = "accepted getsockname: $d/s" ]
	[ "${lines[3]}" = "short: ${d:0:4} 1" ]
	[ "${lines[4]}" = "accept: $d/c" ]
	[ "${lines[5]}" = "recvfrom: $d/e" ]
}

# An OCI runtime test's work space: RT (build/mew-runc), WORK, its state
# ROOT, the bundle B, an ID prefixed PREFIX, and ROOTFS a copy of the default
# rootfs (mount points made for the config's mounts must not land in the
# shared cached one).  WORK is 755: a user namespace's root is another uid.
oci_work() { # PREFIX
	need_root
	RT="$(dirname "$MEW")/mew-runc"
	[ -x "$RT" ] || skip "build/mew-runc is missing (make)"
	WORK=$(mktemp -d)
	chmod 755 "$WORK"
	ROOT=$WORK/state
	B=$WORK/bundle
	mkdir -p "$B" "$WORK/shared"
	ID=$1-$$-$BATS_TEST_NUMBER
	cp -a "$ROOTFS" "$WORK/rootfs"
	ROOTFS=$WORK/rootfs
}

# The status `state` reports for container ID.
status_of() { # ID
	"$RT" --root "$ROOT" state "$1" | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'
}

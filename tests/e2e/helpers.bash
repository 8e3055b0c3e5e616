# Shared by the bats files: $MEW is the binary under test, $ROOTFS the default
# busybox rootfs.
: "${MEW:=$BATS_TEST_DIRNAME/../../build/mew}"
if [ -n "${MEW_CACHE:-}" ]; then ROOTFS=$MEW_CACHE/rootfs/busybox-amd64
elif [ "$(id -u)" -eq 0 ]; then ROOTFS=/var/cache/mew/rootfs/busybox-amd64
else ROOTFS=${XDG_CACHE_HOME:-$HOME/.cache}/mew/rootfs/busybox-amd64; fi
export ROOTFS

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

#!/usr/bin/env bats
# Debian's containerd drives mew through its runc shim: `ctr run --runc-binary
# build/mew-runc` on an image imported from an OCI archive that this test
# builds from the busybox rootfs.  containerd runs privately (own socket,
# root and state under a temporary directory) and is stopped afterwards.
load helpers
load oci-image

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	command -v containerd >/dev/null && command -v ctr >/dev/null || return 0
	D=$(mktemp -d /var/tmp/mew-containerd.XXXXXX)
	export D SOCK=$D/containerd.sock
	cat >"$D/config.toml" <<EOF
version = 2
root = "$D/root"
state = "$D/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
EOF
	containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 &
	echo $! >"$D/pid"
	for _ in $(seq 100); do
		ctr -a "$SOCK" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	oci_archive "$ROOTFS" "$D/busybox-oci.tar"
}

teardown_file() {
	[ -n "${D:-}" ] || return 0
	[ -f "$D/pid" ] && kill "$(cat "$D/pid")" 2>/dev/null
	sleep 0.5
	umount -R "$D" 2>/dev/null
	grep " $D" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$D"
}

setup() {
	need_root
	command -v containerd >/dev/null || skip "containerd is not installed"
	command -v containerd-shim-runc-v2 >/dev/null || skip "containerd's runc shim is not installed"
	RT="$(cd "$(dirname "$MEW")" && pwd)/mew-runc"
	[ -x "$RT" ] || skip "build/mew-runc is missing (make)"
	C=(ctr -a "$SOCK" -n mew-e2e)
}

@test "containerd: ctr image import takes the OCI archive built from the busybox rootfs" {
	run "${C[@]}" image import "$D/busybox-oci.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	"${C[@]}" image ls -q | grep -qx docker.io/mew/busybox:latest
}

@test "containerd: ctr run --runc-binary mew runs the image" {
	"${C[@]}" image ls -q | grep -q busybox || "${C[@]}" image import "$D/busybox-oci.tar"
	run "${C[@]}" run --rm --snapshotter native --runc-binary "$RT" docker.io/mew/busybox:latest \
		mew-ctr-$$ /bin/sh -c 'echo hi from pid $$'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hi from pid 1" ]
}

@test "containerd: a detached task is mew's (state, exec, kill, delete)" {
	"${C[@]}" image ls -q | grep -q busybox || "${C[@]}" image import "$D/busybox-oci.tar"
	# (ctr leaves a detached task's FIFOs behind: in $D, not /run/containerd/fifo)
	"${C[@]}" run -d --fifo-dir "$D/fifo" --snapshotter native --runc-binary "$RT" docker.io/mew/busybox:latest \
		mew-ctrd-$$ /bin/sleep 1000
	# the shim keeps runc state under /run/containerd/runc/<namespace>: mew's
	# state.json (with its own start_time field) is there
	grep -q '"start_time"' "/run/containerd/runc/mew-e2e/mew-ctrd-$$/state.json"
	run "${C[@]}" task exec --fifo-dir "$D/fifo" --exec-id e1 mew-ctrd-$$ /bin/sh -c 'echo exec-ok; exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$output" = exec-ok ]
	"${C[@]}" task ls | grep "mew-ctrd-$$" | grep -q RUNNING
	"${C[@]}" task kill -s KILL mew-ctrd-$$
	for _ in $(seq 50); do "${C[@]}" task ls | grep "mew-ctrd-$$" | grep -q STOPPED && break; sleep 0.1; done
	"${C[@]}" task rm mew-ctrd-$$
	"${C[@]}" container rm mew-ctrd-$$
	[ ! -e "/run/containerd/runc/mew-e2e/mew-ctrd-$$" ]
}

@test "containerd: ctr run -t gets the container's terminal through the shim's console socket" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	"${C[@]}" image ls -q | grep -q busybox || "${C[@]}" image import "$D/busybox-oci.tar"
	run timeout 60 script -qec "${C[*]} run -t --rm --snapshotter native --runc-binary $RT docker.io/mew/busybox:latest mew-ctrt-$$ /bin/sh -c 'test -t 0 && test -t 1 && echo ctr-tty-ok'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ctr-tty-ok* ]]
}

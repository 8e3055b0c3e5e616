#!/usr/bin/env bats
# Debian's containerd drives mew through its runc shim: `ctr run --runc-binary
# build/mew-runc` on an image imported from an OCI archive that this test
# builds from the busybox rootfs.  containerd runs privately (own socket,
# root and state under a temporary directory) and is stopped afterwards.
load helpers

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

# oci_archive ROOTFS OUT: an OCI image layout (one uncompressed layer) as a tar.
oci_archive() {
	local dir blobs layer cfg man size_l size_c size_m
	dir=$(mktemp -d)
	blobs=$dir/blobs/sha256
	mkdir -p "$blobs"
	tar -C "$1" --numeric-owner -cf "$dir/layer.tar" .
	layer=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	size_l=$(stat -c %s "$dir/layer.tar")
	mv "$dir/layer.tar" "$blobs/$layer"
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin:/sbin:/usr/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$layer" >"$dir/config"
	cfg=$(sha256sum "$dir/config" | cut -d' ' -f1)
	size_c=$(stat -c %s "$dir/config")
	mv "$dir/config" "$blobs/$cfg"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$cfg" "$size_c" "$layer" "$size_l" >"$dir/manifest"
	man=$(sha256sum "$dir/manifest" | cut -d' ' -f1)
	size_m=$(stat -c %s "$dir/manifest")
	mv "$dir/manifest" "$blobs/$man"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"docker.io/mew/busybox:latest","org.opencontainers.image.ref.name":"latest"}}]}' \
		"$man" "$size_m" >"$dir/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$2" oci-layout index.json blobs
	rm -rf "$dir"
}

setup() {
	need_root
	command -v containerd >/dev/null || skip "containerd is not installed"
	command -v containerd-shim-runc-v2 >/dev/null || skip "containerd's runc shim is not installed"
	RT="$(cd "$(dirname "$MEW")" && pwd)/mew-runc"
	[ -x "$RT" ] || skip "build/mew-runc is missing (make)"
	C=(ctr -a "$SOCK" -n mew)
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
	"${C[@]}" run -d --snapshotter native --runc-binary "$RT" docker.io/mew/busybox:latest \
		mew-ctrd-$$ /bin/sleep 1000
	# the shim keeps runc state under /run/containerd/runc/<namespace>: mew's
	# state.json (with its own start_time field) is there
	grep -q '"start_time"' "/run/containerd/runc/mew/mew-ctrd-$$/state.json"
	run "${C[@]}" task exec --exec-id e1 mew-ctrd-$$ /bin/sh -c 'echo exec-ok; exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$output" = exec-ok ]
	"${C[@]}" task ls | grep "mew-ctrd-$$" | grep -q RUNNING
	"${C[@]}" task kill -s KILL mew-ctrd-$$
	for _ in $(seq 50); do "${C[@]}" task ls | grep "mew-ctrd-$$" | grep -q STOPPED && break; sleep 0.1; done
	"${C[@]}" task rm mew-ctrd-$$
	"${C[@]}" container rm mew-ctrd-$$
	[ ! -e "/run/containerd/runc/mew/mew-ctrd-$$" ]
}

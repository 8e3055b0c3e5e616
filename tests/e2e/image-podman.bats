#!/usr/bin/env bats
# Images podman made: `podman build` (layers with podman's own whiteouts)
# in a private store, read as containers-storage:[vfs@ROOT+RUNROOT]NAME
# through podman, and podman's own oci-archive and docker-archive.
load helpers

setup_file() {
	command -v podman >/dev/null || return 0
	command -v runc >/dev/null || return 0
	[ -d "$ROOTFS" ] || return 0
	S=$BATS_FILE_TMPDIR/store
	mkdir -p "$S/ctx"
	tar -C "$ROOTFS" -cf "$S/ctx/rootfs.tar" .
	cat >"$S/ctx/Containerfile" <<-'CF'
	FROM scratch
	ADD rootfs.tar /
	RUN mkdir -p /data/gone/sub && echo a >/data/a && echo b >/data/b && echo x >/data/gone/sub/x
	RUN rm -rf /data/a /data/gone && echo c >/data/c
	ENV FROM_PODMAN=yes
	WORKDIR /data
	CMD ["sh","-c","echo $FROM_PODMAN $(pwd) $(ls)"]
	CF
	P=(podman --storage-driver vfs --root "$S/root" --runroot "$S/run" --tmpdir "$S/tmp"
	   --cgroup-manager cgroupfs --events-backend file --runtime runc)
	"${P[@]}" build --network none -t localhost/mew-image-test:1 "$S/ctx" >"$S/build.log" 2>&1 || return 0
	"${P[@]}" save --format oci-archive -o "$S/oci.tar" localhost/mew-image-test:1 >/dev/null 2>&1
	"${P[@]}" save --format docker-archive -o "$S/docker.tar" localhost/mew-image-test:1 >/dev/null 2>&1
	touch "$S/built"
}

setup() {
	command -v podman >/dev/null || skip "podman is not installed"
	command -v runc >/dev/null || skip "runc is not installed (podman build runs its RUN steps with it)"
	S=$BATS_FILE_TMPDIR/store
	[ -e "$S/built" ] || skip "podman build failed here: $(tail -n 3 "$S/build.log" 2>/dev/null)"
	REF="containers-storage:[vfs@$S/root+$S/run]localhost/mew-image-test:1"
	export MEW_CACHE=$BATS_FILE_TMPDIR/cache
}

@test "image podman: containers-storage: through podman; podman's whiteouts applied" {
	run "$MEW" run --image "$REF"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"exporting"* ]]
	[ "${lines[-1]}" = "yes /data b c" ]
	# the second run finds the unpack by podman's image ID: no export
	run "$MEW" run --image "$REF" -- ls /data
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"exporting"* ]]
	[ -z "$(ls -d "$MEW_CACHE"/images/tmp-* 2>/dev/null)" ]
}

@test "image podman: podman save's oci-archive (gzip layers) and docker-archive" {
	for ref in "oci-archive:$S/oci.tar" "docker-archive:$S/docker.tar"; do
		rm -rf "$BATS_TEST_TMPDIR/r"
		run "$MEW" rootfs create --from image "$ref" "$BATS_TEST_TMPDIR/r"
		echo "$ref: $output"
		[ "$status" -eq 0 ]
		[ "$(ls "$BATS_TEST_TMPDIR/r/data" | tr '\n' ' ')" = "b c " ]
	done
}

@test "image podman: an image podman does not have is named" {
	run "$MEW" run --image "containers-storage:[vfs@$S/root+$S/run]localhost/no-such-image:1" -- true
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no such image in podman's store"* ]]
}

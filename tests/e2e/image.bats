#!/usr/bin/env bats
# mew run --image and mew rootfs create --from image: images the tests build
# themselves (tests/e2e/mkimage.py writes the OCI layout), a cache of their
# own, and each run's writes thrown away.

load helpers

setup_file() {
	export MKIMAGE="$BATS_TEST_DIRNAME/mkimage.py"
	command -v python3 >/dev/null || return 0
	# A two-layer image: the busybox rootfs plus files, then a layer that
	# deletes some (whiteouts) and empties a directory (opaque) of them.
	l1=$BATS_FILE_TMPDIR/l1 l2=$BATS_FILE_TMPDIR/l2
	mkdir -p "$l1/data" "$l1/opq/sub" "$l2/data" "$l2/opq" "$l2/new"
	cp -a "$ROOTFS/." "$l1/"
	echo a >"$l1/data/a"; echo b >"$l1/data/b"; echo keep >"$l1/data/keep"
	echo x >"$l1/opq/x"; echo y >"$l1/opq/sub/y"
	ln "$l1/data/keep" "$l1/data/keep-link"
	touch "$l2/data/.wh.a" "$l2/.wh.linuxrc" "$l2/opq/.wh..wh..opq"
	echo z >"$l2/opq/z"; echo new >"$l2/new/file"
	python3 "$MKIMAGE" "$BATS_FILE_TMPDIR/oci" "$l1" "$l2" --env FOO=from-image --env BAR=image \
		--workdir /data --cmd '["sh","-c","echo cmd:$FOO:$BAR:$(pwd)"]' >/dev/null
}

setup() {
	command -v python3 >/dev/null || skip "python3 is not installed (it builds the test images)"
	[ -d "$ROOTFS" ] || skip "no busybox rootfs at $ROOTFS"
	IMG=oci:$BATS_FILE_TMPDIR/oci
	# A cache of the tests' own (ROOTFS, from helpers, is the shared one).
	export MEW_CACHE="$BATS_FILE_TMPDIR/cache"
}

@test "image: layers applied in order: whiteouts, an opaque directory, hard links" {
	run "$MEW" run --image "$IMG" -- sh -c 'ls /data; echo --; ls -a /opq; echo --; cat /new/file; ls /linuxrc 2>&1; stat -c %h /data/keep'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"b"*"keep"*"--"* ]]
	[[ "$output" != *$'\na\n'* ]]
	# opaque: x and sub/ from the layer below are gone, z from this layer is there
	[[ "$output" == *"z"* ]]
	[[ "$output" != *"sub"* ]]
	[[ "$output" != *$'\nx\n'* ]]
	[[ "$output" == *"new"* ]]
	[[ "$output" == *"No such file"* ]]
	[ "${lines[-1]}" = 2 ]
}

@test "image: the config supplies Cmd, Env and WorkingDir; -e, -w and the command win" {
	run "$MEW" run --image "$IMG"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "cmd:from-image:image:/data" ]
	run "$MEW" run --image "$IMG" -e FOO=flag -w /opq -- sh -c 'echo $FOO:$BAR:$(pwd)'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "flag:image:/opq" ]
}

@test "image: Entrypoint comes before the command; User is taken, by name too" {
	d=$BATS_TEST_TMPDIR/ep
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l1" --entrypoint '["echo","ep"]' --cmd '["default"]' --user 1234:5678
	run "$MEW" run --image "oci:$d"
	echo "$output"
	[ "${lines[-1]}" = "ep default" ]
	run "$MEW" run --image "oci:$d" -- given
	[ "${lines[-1]}" = "ep given" ]
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l1" --cmd '["id"]' --user 1234:5678 --tag id
	run "$MEW" run --image "oci:$d:id"
	echo "$output"
	[[ "${lines[-1]}" == "uid=1234 gid=5678"* ]]
	# a name from the image's /etc/passwd (busybox's has root)
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l1" --cmd '["id","-u"]' --user root --tag named
	run "$MEW" run --image "oci:$d:named"
	[ "${lines[-1]}" = 0 ]
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l1" --cmd '["id","-u"]' --user nosuchuser --tag bad
	run "$MEW" run --image "oci:$d:bad"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no user \`nosuchuser\`"* ]]
}

@test "image: unpacked once into the cache; each run's writes are thrown away unless --persist" {
	run "$MEW" run --image "$IMG" -- sh -c 'echo w >/data/written; cat /data/written'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = w ]
	[[ "$output" != *"unpacking"* ]] || [ -z "$(ls "$MEW_CACHE/images/run")" ]
	run "$MEW" run --image "$IMG" -- sh -c 'ls /data/written'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" != *"unpacking"* ]]
	# no run layer is left behind
	[ -z "$(ls -A "$MEW_CACHE/images/run")" ]
	# the cached rootfs is untouched
	[ ! -e "$MEW_CACHE"/images/sha256-*/rootfs/data/written ]
	run "$MEW" run --image "$IMG" --persist -- sh -c 'echo p >/data/persisted'
	[ "$status" -eq 0 ]
	run "$MEW" run --image "$IMG" -- cat /data/persisted
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = p ]
	run "$MEW" images
	echo "$output"
	[[ "$output" == *"persisted"* ]]
}

@test "image: mew images lists sizes; prune keeps what a run uses and removes the rest" {
	d=$BATS_TEST_TMPDIR/small
	mkdir -p "$d/l"
	cp -a "$ROOTFS/." "$d/l/"
	head -c 3000000 /dev/zero >"$d/l/big"
	python3 "$MKIMAGE" "$d/oci" "$d/l" >/dev/null
	export MEW_CACHE=$BATS_TEST_TMPDIR/cache
	run "$MEW" run --image "oci:$d/oci" -- true
	[ "$status" -eq 0 ]
	run "$MEW" images
	echo "$output"
	[[ "${lines[1]}" == sha256-*" amd64 "*"MiB"*"oci:$d/oci"* ]]
	mkfifo "$d/started"
	"$MEW" run --image "oci:$d/oci" -v "$d:/t" -- sh -c 'echo >/t/started; sleep 60' &
	pid=$!
	read -r _ <"$d/started"
	run "$MEW" images prune
	echo "$output"
	[[ "$output" == *"kept sha256-"*"in use"* ]]
	[[ "$output" == *"0 images removed"* ]]
	kill "$pid"; wait "$pid" || true
	run "$MEW" images prune
	echo "$output"
	[[ "$output" == *"1 images removed"* ]]
	[ -z "$(ls -d "$MEW_CACHE"/images/sha256-* 2>/dev/null)" ]
}

@test "image: oci-archive, docker-archive and a gzip layer give the same rootfs" {
	d=$BATS_TEST_TMPDIR
	python3 "$MKIMAGE" "$d/img.tar" "$BATS_FILE_TMPDIR/l1" "$BATS_FILE_TMPDIR/l2" --format oci-archive >/dev/null
	python3 "$MKIMAGE" "$d/docker.tar" "$BATS_FILE_TMPDIR/l1" "$BATS_FILE_TMPDIR/l2" --format docker-archive >/dev/null
	python3 "$MKIMAGE" "$d/gz" "$BATS_FILE_TMPDIR/l1" "$BATS_FILE_TMPDIR/l2" --gzip >/dev/null
	for ref in "oci-archive:$d/img.tar" "docker-archive:$d/docker.tar" "docker-archive:$d/docker.tar:mew-test" "oci:$d/gz:latest"; do
		rm -rf "$d/r"
		run "$MEW" rootfs create --from image "$ref" "$d/r"
		echo "$ref: $output"
		[ "$status" -eq 0 ]
		[ "$(cat "$d/r/data/b")" = b ]
		[ ! -e "$d/r/data/a" ]
		[ ! -e "$d/r/opq/x" ]
		[ "$(cat "$d/r/opq/z")" = z ]
		[ -x "$d/r/bin/busybox" ]
	done
	stat -c '%a %u' "$d/r/tmp" | grep -qx '1777 0'
}

@test "image: a registry reference is refused: no registry is used" {
	for ref in busybox docker.io/library/busybox:latest docker://busybox quay.io/x/y:1; do
		run "$MEW" run --image "$ref" -- true
		echo "$output"
		[ "$status" -eq 125 ]
		[[ "$output" == *"registry"*"no registry is used"* ]]
	done
}

@test "image: a blob that does not match its digest is refused" {
	d=$BATS_TEST_TMPDIR/bad
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l2" >/dev/null
	layer=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"].split(":")[1]; print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["layers"][0]["digest"].split(":")[1])' "$d")
	chmod u+w "$d/blobs/sha256/$layer"
	printf 'X' | dd of="$d/blobs/sha256/$layer" bs=1 seek=600 conv=notrunc 2>/dev/null
	run "$MEW" rootfs create --from image "oci:$d" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"digest mismatch"* ]]
	run "$MEW" run --image "oci:$d" -- true
	[ "$status" -eq 125 ]
	[ -z "$(ls -d "$MEW_CACHE"/images/tmp-* 2>/dev/null)" ]
}

@test "image: tags pick the image; an unknown tag lists the ones there are" {
	d=$BATS_TEST_TMPDIR/tags
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l2" --tag one --cmd '["one"]' >/dev/null
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l2" --tag two --cmd '["two"]' >/dev/null
	run "$MEW" rootfs create --from image "oci:$d:three" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no image tagged \`three\`"*"one, two"* ]]
	run "$MEW" rootfs create --from image "oci:$d" "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 125 ]
	[[ "$output" == *"say which with :TAG"* ]]
}

@test "image: two runs at once unpack the image once" {
	d=$BATS_TEST_TMPDIR
	python3 "$MKIMAGE" "$d/oci" "$BATS_FILE_TMPDIR/l1" "$BATS_FILE_TMPDIR/l2" --tag both >/dev/null
	export MEW_CACHE=$d/cache
	"$MEW" run --image "oci:$d/oci" -- cat /data/b >"$d/1" 2>&1 &
	a=$!
	"$MEW" run --image "oci:$d/oci" -- cat /data/b >"$d/2" 2>&1 &
	b=$!
	wait $a
	wait $b
	cat "$d/1" "$d/2"
	[ "$(tail -n1 "$d/1")" = b ]
	[ "$(tail -n1 "$d/2")" = b ]
	[ "$(cat "$d/1" "$d/2" | grep -c '^mew: image: unpacking')" = 1 ]
	[ "$(ls -d "$MEW_CACHE"/images/sha256-*/ | wc -l)" = 1 ]
}

@test "image: what a killed mew left (an unpack, a run's layer) is removed by the next run" {
	export MEW_CACHE=$BATS_TEST_TMPDIR/cache
	# a pid that is gone
	sh -c 'exit 0' & dead=$!; wait $dead
	mkdir -p "$MEW_CACHE/images/tmp-$dead-unpack.abcdef/rootfs" "$MEW_CACHE/images/run/$dead-ghijkl/upper"
	run "$MEW" run --image "$IMG" -- true
	[ "$status" -eq 0 ]
	[ ! -e "$MEW_CACHE/images/tmp-$dead-unpack.abcdef" ]
	[ ! -e "$MEW_CACHE/images/run/$dead-ghijkl" ]
}

@test "image: mew killed during a run leaves no overlay mounted on the host" {
	need_root
	d=$BATS_TEST_TMPDIR
	mkfifo "$d/started"
	"$MEW" run --image "$IMG" -v "$d:/t" -- sh -c 'echo >/t/started; sleep 60' &
	pid=$!
	read -r _ <"$d/started"
	# the run's overlay is in mew's own mount namespace, not the host's
	! grep -q "$MEW_CACHE/images/run" /proc/self/mountinfo
	grep -q "$MEW_CACHE/images/run" "/proc/$pid/mountinfo"
	kill -9 "$pid"
	wait "$pid" || true
	! grep -q "$MEW_CACHE/images/run" /proc/self/mountinfo
	run "$MEW" run --image "$IMG" -- true
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$MEW_CACHE/images/run")" ]
}

@test "image: --persist is refused where the writes could not be kept, and without --image" {
	run "$MEW" run --engine vm --root-disk --persist --image "$IMG" -- true
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"--persist: the vm engine cannot keep the run's writes with --root-disk"* ]]
	run "$MEW" run --persist -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--persist: only with --image"* ]]
	run "$MEW" run --image "$IMG" --rootfs "$ROOTFS" -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--image and --rootfs"* ]]
}

@test "image: a broken layout is named: not a layout, bad JSON, a missing blob, an odd digest" {
	d=$BATS_TEST_TMPDIR/broken
	python3 "$MKIMAGE" "$d" "$BATS_FILE_TMPDIR/l2" >/dev/null
	run "$MEW" rootfs create --from image "oci:$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/r"
	[ "$status" -eq 125 ]
	[[ "$output" == *"is not an OCI image layout (no oci-layout file)"* ]]
	cp "$d/index.json" "$BATS_TEST_TMPDIR/index.json"
	echo '{"manifests": [' >"$d/index.json"
	run "$MEW" rootfs create --from image "oci:$d" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"index.json: invalid JSON at line"* ]]
	sed 's/"digest": "sha256:[0-9a-f]*"/"digest": "sha256:..\/..\/..\/etc\/passwd"/' "$BATS_TEST_TMPDIR/index.json" >"$d/index.json"
	run "$MEW" rootfs create --from image "oci:$d" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"manifests[].digest: invalid"* ]]
	man=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"].split(":")[1])' "$BATS_TEST_TMPDIR/index.json")
	cp "$BATS_TEST_TMPDIR/index.json" "$d/index.json"
	rm "$d/blobs/sha256/$man"
	run "$MEW" rootfs create --from image "oci:$d" "$BATS_TEST_TMPDIR/r"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"blobs/sha256/$man"*"No such file"* ]]
}

# The static builds (the vm guest's mew; the binfmt interpreter and the OCI
# runtime's launcher) link no image code: each command that needs it says
# so, with exit 125.
@test "image: the static builds refuse --image, rootfs create --from image and images by name" {
	local bin why=": this mew is the static build, without the image code: use build/mew"
	for bin in "$(dirname "$MEW")/vm/mew-static" "$(dirname "$MEW")/mew-aarch64"; do
		[ -x "$bin" ] || skip "no $bin (make builds it)"
		run bash -c 'exec -a mew "$0" run --image "$1" -- true' "$bin" "$IMG"
		echo "$output"
		[ "$status" -eq 125 ]
		[ "$output" = "mew: --image$why" ]
		run bash -c 'exec -a mew "$0" images' "$bin"
		[ "$status" -eq 125 ]
		[ "$output" = "mew: images$why" ]
		rm -rf "$BATS_TEST_TMPDIR/r"
		run bash -c 'exec -a mew "$0" rootfs create --from image "$1" "$2"' "$bin" "$IMG" "$BATS_TEST_TMPDIR/r"
		[ "$status" -eq 125 ]
		[ "$output" = "mew: rootfs create --from image$why" ]
	done
}

#!/usr/bin/env bats
# The engine per container: the annotation run.mew.engine, else the name the
# runtime is invoked by (mew-runc, mew-syscall, mew-emulate, mew-vm).  syscall
# and emulate run the bundle's process under mew's personality inside what
# the container engine sets up from the config.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	need_root
	BUILD="$(cd "$(dirname "$MEW")" && pwd)"
	RT=$BUILD/mew-runc
	[ -x "$RT" ] && [ -x "$BUILD/mew-syscall" ] && [ -x "$BUILD/mew-emulate" ] ||
		skip "build/mew-runc, mew-syscall or mew-emulate is missing (make)"
	[ -x "$BUILD/mew-aarch64" ] || skip "build/mew-aarch64 (the static mew the engines run through) is missing"
	WORK=$(mktemp -d)
	chmod 755 "$WORK"
	ROOT=$WORK/state
	B=$WORK/bundle
	mkdir -p "$B"
	ID=ocieng-$$-$BATS_TEST_NUMBER
	ARM64=${ROOTFS%-amd64}-arm64
}

teardown() {
	for rt in mew-runc mew-syscall mew-emulate; do
		[ -n "${BUILD:-}" ] && "$BUILD/$rt" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1
	done
	rm -rf "$WORK"
}

# config ROOTFS ARGS_JSON [ENGINE]: a bundle on a copy of ROOTFS.
config() {
	rm -rf "$WORK/rootfs"
	cp -a "$1" "$WORK/rootfs"
	local ann=""
	[ -n "${3:-}" ] && ann="\"annotations\": { \"run.mew.engine\": \"$3\" },"
	cat >"$B/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	$ann
	"process": { "args": $2, "env": [ "PATH=/bin:/sbin:/usr/bin" ], "cwd": "/",
		     "user": { "uid": 0, "gid": 0 } },
	"root": { "path": "$WORK/rootfs" },
	"hostname": "engbox",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] }
	],
	"linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" },
				  { "type": "uts" }, { "type": "network" } ],
		   "resources": { "pids": { "limit": 64 } } }
}
JSON
}

state_field() { # RUNTIME FIELD
	"$BUILD/$1" --root "$ROOT" state "$ID" | sed -n "s/.*\"$2\": \"\\{0,1\\}\\([^\",]*\\).*/\\1/p"
}

# The program the container's process 1 runs, from the host.
init_exe() { readlink "/proc/$(state_field "$1" pid)/exe"; }

@test "oci-engines: the annotation picks the syscall engine: the process runs under mew's personality" {
	config "$ROOTFS" '[ "/bin/sleep", "100" ]' syscall
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$RT" --root "$ROOT" start "$ID"
	# process 1 is the static mew running the engine, in the config's cgroup
	[ "$(init_exe mew-runc)" = "$BUILD/mew-aarch64" ]
	tr '\0' ' ' <"/proc/$(state_field mew-runc pid)/cmdline" | grep -q -- "run --engine syscall --rootfs /"
	"$RT" --root "$ROOT" delete --force "$ID"
	config "$ROOTFS" '[ "/bin/sh", "-c", "hostname; echo $((6 * 7))" ]' syscall
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = engbox ]
	[ "${lines[1]}" = 42 ]
}

@test "oci-engines: the config's environment reaches a syscall container's process, its values never the launcher's argv (any host user reads /proc/PID/cmdline)" {
	config "$ROOTFS" '[ "/bin/sh", "-c", "echo \"[$SECRET]\"; exec sleep 100" ]' syscall
	jq '.process.env += ["SECRET=hunter2 with=sign"]' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$RT" --root "$ROOT" start "$ID"
	pid=$(state_field mew-runc pid)
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-e SECRET "
	run grep -c hunter2 "/proc/$pid/cmdline"
	[ "$output" = 0 ]
	run "$RT" --root "$ROOT" exec "$ID" /bin/sh -c 'echo "[$SECRET]"'
	echo "$output"
	[ "$output" = "[hunter2 with=sign]" ]
	"$RT" --root "$ROOT" delete --force "$ID"
}

@test "oci-engines: a config's environment cannot set the engine's own MEW_ settings (MEW_WALL_ABI=0 would turn off the wall): refused by name before anything runs" {
	config "$ROOTFS" '[ "/bin/true" ]' syscall
	jq '.process.env += ["MEW_WALL_ABI=0"]' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.env: `MEW_WALL_ABI`: names beginning MEW_ are the syscall engine'* ]]
	[ ! -e "$ROOT/$ID" ]
	# exec's environment too
	config "$ROOTFS" '[ "/bin/sleep", "100" ]' syscall
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$RT" --root "$ROOT" start "$ID"
	run "$RT" --root "$ROOT" exec --env MEW_TRAP_NOTIFY=1 "$ID" /bin/true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.env: `MEW_TRAP_NOTIFY`'* ]]
	# every MEW_ name, not only the settings there are today
	run "$RT" --root "$ROOT" exec --env MEW_X=1 "$ID" /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.env: `MEW_X`'* ]]
	"$RT" --root "$ROOT" delete --force "$ID"
}

@test "oci-engines: the name picks the engine (mew-syscall); the annotation wins over it; vm and unknown names are refused" {
	config "$ROOTFS" '[ "/bin/sleep", "100" ]'
	"$BUILD/mew-syscall" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$BUILD/mew-syscall" --root "$ROOT" start "$ID"
	[ "$(init_exe mew-syscall)" = "$BUILD/mew-aarch64" ]
	"$BUILD/mew-syscall" --root "$ROOT" delete --force "$ID"
	config "$ROOTFS" '[ "/bin/sleep", "100" ]' container
	"$BUILD/mew-syscall" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$BUILD/mew-syscall" --root "$ROOT" start "$ID"
	[[ "$(init_exe mew-syscall)" == */bin/busybox ]]
	"$BUILD/mew-syscall" --root "$ROOT" delete --force "$ID"
	config "$ROOTFS" '[ "/bin/true" ]' vm
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
	[ "$status" -eq 125 ]
	[[ "$output" == *'annotations.run.mew.engine: the vm engine cannot run an OCI container yet'* ]]
	[ ! -e "$ROOT/$ID" ]
	run "$BUILD/mew-vm" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
	[ "$status" -eq 125 ]
	config "$ROOTFS" '[ "/bin/true" ]' warp
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
	[ "$status" -eq 125 ]
	[ "$output" = 'mew: config.json: annotations.run.mew.engine: unknown engine `warp`: expected container, syscall, emulate, vm or auto' ]
	[ ! -e "$ROOT/$ID" ]
}

@test "oci-engines: exec, ps, kill and delete under the syscall engine; exec runs under it too" {
	config "$ROOTFS" '[ "/bin/sleep", "100" ]' syscall
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$RT" --root "$ROOT" start "$ID"
	run "$RT" --root "$ROOT" exec "$ID" /bin/sh -c 'echo exec-ok; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = exec-ok ]
	run "$RT" --root "$ROOT" ps --format json "$ID"
	echo "$output"
	[[ "$output" == "[$(state_field mew-runc pid)"* ]]
	"$RT" --root "$ROOT" kill "$ID" KILL
	for _ in $(seq 50); do [ "$(state_field mew-runc status)" = stopped ] && break; sleep 0.1; done
	[ "$(state_field mew-runc status)" = stopped ]
	"$RT" --root "$ROOT" delete "$ID"
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "/sys/fs/cgroup/pids/mew-runtime/$ID" ] && [ ! -e "/sys/fs/cgroup/mew-runtime/$ID" ]
}

@test "oci-engines: an arm64 bundle runs under emulate (by name, and by auto) without binfmt_misc" {
	[ -x "$ARM64/bin/busybox" ] || skip "no arm64 busybox rootfs at $ARM64 (scripts/rootfs-busybox.sh arm64)"
	# (the guest's execve re-executes mew, whose path the container cannot
	# reach: the wall lets it through /proc/self/exe)
	config "$ARM64" '[ "/bin/sh", "-c", "/bin/uname -m; exec /bin/uname -m" ]'
	run "$BUILD/mew-emulate" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "aarch64
aarch64" ]
	config "$ARM64" '[ "/bin/uname", "-m" ]' auto
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = aarch64 ]
	# auto on the host's architecture is the container engine
	config "$ROOTFS" '[ "/bin/sleep", "100" ]' auto
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$RT" --root "$ROOT" start "$ID"
	[[ "$(init_exe mew-runc)" == */bin/busybox ]]
}

@test "oci-engines: syscall and emulate on a read-only root with no /tmp (a pause image's): the guest's /dev is the config's" {
	config "$ROOTFS" '[ "/bin/sh", "-c", "echo x >/dev/null && ls /dev/shm/marker && echo dev-ok" ]' syscall
	rm -rf "$WORK/rootfs/tmp"
	jq '.root.readonly = true | .mounts += [{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm" }]' \
		"$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
	# a file the container's own /dev/shm has: the guest sees that /dev
	jq '.hooks.startContainer = [{ "path": "/bin/touch", "args": ["touch", "/dev/shm/marker"] }]' \
		"$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = dev-ok ]
	[ ! -e "$WORK/rootfs/tmp" ]
	[ -x "$ARM64/bin/busybox" ] || skip "no arm64 busybox rootfs at $ARM64 (scripts/rootfs-busybox.sh arm64)"
	config "$ARM64" '[ "/bin/sh", "-c", "echo x >/dev/null && echo dev-ok" ]' emulate
	rm -rf "$WORK/rootfs/tmp"
	jq '.root.readonly = true' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = dev-ok ]
}

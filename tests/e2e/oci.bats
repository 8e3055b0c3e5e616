#!/usr/bin/env bats
# mew as an OCI runtime, driven directly with runc's command line:
# lifecycle, hooks, exec, pause, errors.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	oci_work oci
}

teardown() {
	[ -n "${RT:-}" ] && "$RT" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1
	rm -rf "$WORK"
}

# bundle ARGS_JSON [HOOKS_JSON]: a config.json on the busybox rootfs.
bundle() {
	cat >"$B/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": $1,
		"env": [ "PATH=/bin:/sbin:/usr/bin" ],
		"cwd": "/",
		"capabilities": {
			"bounding": [ "CAP_KILL", "CAP_CHOWN" ],
			"effective": [ "CAP_KILL", "CAP_CHOWN" ],
			"permitted": [ "CAP_KILL", "CAP_CHOWN" ]
		},
		"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 512, "soft": 256 } ],
		"noNewPrivileges": true
	},
	"root": { "path": "$ROOTFS", "readonly": true },
	"hostname": "ocibox",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
		{ "destination": "/shared", "type": "bind", "source": "$WORK/shared", "options": [ "rbind" ] }
	],
	"hooks": ${2:-{\}},
	"linux": {
		"namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" },
				{ "type": "uts" }, { "type": "network" } ],
		"resources": { "pids": { "limit": 64 }, "memory": { "limit": 67108864 } },
		"maskedPaths": [ "/proc/kcore" ],
		"readonlyPaths": [ "/proc/sys" ]
	}
}
JSON
}


wait_status() { # ID STATUS: up to 5 s
	for _ in $(seq 50); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "status of $1: $(status_of "$1"), wanted $2"
	return 1
}

@test "oci: create -> created -> start -> running -> kill -> stopped -> delete" {
	bundle '[ "/bin/sh", "-c", "echo started > /shared/out; exec sleep 100" ]'
	"$RT" --root "$ROOT" create --bundle "$B" --pid-file "$WORK/pid" "$ID" </dev/null >"$WORK/log" 2>&1
	[ -d "$ROOT/$ID" ]
	[ "$(status_of "$ID")" = created ]
	pid=$(cat "$WORK/pid")
	"$RT" --root "$ROOT" state "$ID" | grep -q "\"pid\": $pid,"
	# created: the process has not run yet
	[ ! -e "$WORK/shared/out" ]
	"$RT" --root "$ROOT" start "$ID"
	wait_status "$ID" running
	for _ in $(seq 50); do [ -e "$WORK/shared/out" ] && break; sleep 0.1; done
	[ "$(cat "$WORK/shared/out")" = started ]
	run "$RT" --root "$ROOT" delete "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"is running"* ]]
	"$RT" --root "$ROOT" kill "$ID" KILL
	wait_status "$ID" stopped
	"$RT" --root "$ROOT" delete "$ID"
	[ ! -e "$ROOT/$ID" ]
	run "$RT" --root "$ROOT" state "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"does not exist"* ]]
}

@test "oci: the config's limits, capabilities, rlimits and hostname hold inside" {
	bundle '[ "/bin/sh", "-c", "hostname; ulimit -n; grep CapEff /proc/self/status; cat /proc/self/cgroup | grep -c pids:/mew-runtime/" ]'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = ocibox ]
	[ "${lines[1]}" = 256 ]
	# CAP_CHOWN (0) and CAP_KILL (5)
	[[ "${lines[2]}" == *0000000000000021 ]]
	[ "${lines[3]}" = 1 ]
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "/sys/fs/cgroup/pids/mew-runtime/$ID" ] && [ ! -e "/sys/fs/cgroup/mew-runtime/$ID" ]
}

@test "oci: run passes stdio and the exit status through" {
	bundle '[ "/bin/sh", "-c", "read x; echo got $x; echo err >&2; exit 7" ]'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" <<<"ping"
	[ "$status" -eq 7 ]
	[[ "$output" == *"got ping"* ]]
	[[ "$output" == *"err"* ]]
}

@test "oci: hooks run in order, each with the state on stdin" {
	cat >"$WORK/hook" <<HOOK
#!/bin/sh
state=\$(cat)
echo "\$1 \$(echo "\$state" | grep -o '"status": "[a-z]*"' | cut -d'"' -f4) \$(echo "\$state" | grep -c '"id": "$ID"')" >> $WORK/shared/hooks
HOOK
	chmod +x "$WORK/hook"
	h() { printf '[{"path": "%s", "args": ["hook", "%s"]}]' "$WORK/hook" "$1"; }
	# createContainer and startContainer run in the container's mount namespace
	c() { printf '[{"path": "/bin/sh", "args": ["sh", "-c", "echo %s $(cat | grep -c tus.:..created) 1 >> /shared/hooks"]}]' "$1"; }
	bundle '[ "/bin/sh", "-c", "echo process >> /shared/hooks" ]' \
		"{\"prestart\": $(h prestart), \"createRuntime\": $(h createRuntime),
		  \"createContainer\": $(c createContainer), \"startContainer\": $(c startContainer),
		  \"poststart\": $(h poststart), \"poststop\": $(h poststop)}"
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1
	"$RT" --root "$ROOT" start "$ID"
	wait_status "$ID" stopped
	"$RT" --root "$ROOT" delete "$ID"
	cat "$WORK/shared/hooks"
	# poststart may run before or after the process itself writes its line
	run grep -v '^process$' "$WORK/shared/hooks"
	[ "${lines[0]}" = "prestart created 1" ]
	[ "${lines[1]}" = "createRuntime created 1" ]
	[ "${lines[2]}" = "createContainer 1 1" ]
	[ "${lines[3]}" = "startContainer 1 1" ]
	[ "${lines[4]}" = "poststart running 1" ]
	[ "${lines[5]}" = "poststop stopped 1" ]
	grep -qx process "$WORK/shared/hooks"
}

@test "oci: a failing prestart hook fails create and leaves nothing" {
	bundle '[ "/bin/true" ]' '{"prestart": [{"path": "/bin/false"}]}'
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hook prestart[0] \`/bin/false\`: exit status 1"* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "oci: exec, ps, pause and resume on a running container" {
	bundle '[ "/bin/sleep", "100" ]'
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1
	"$RT" --root "$ROOT" start "$ID"
	run "$RT" --root "$ROOT" exec "$ID" /bin/sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = ocibox ]
	[ "${lines[1]}" = "/bin/sleep 100 " ]
	run "$RT" --root "$ROOT" exec "$ID" /bin/sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run -127 "$RT" --root "$ROOT" exec "$ID" /nonexistent
	[ "$status" -eq 127 ]
	run "$RT" --root "$ROOT" ps --format json "$ID"
	[ "$output" = "[$("$RT" --root "$ROOT" state "$ID" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')]" ]
	"$RT" --root "$ROOT" pause "$ID"
	[ "$(status_of "$ID")" = paused ]
	"$RT" --root "$ROOT" resume "$ID"
	[ "$(status_of "$ID")" = running ]
	"$RT" --root "$ROOT" list | grep -q "^$ID .* running "
	"$RT" --root "$ROOT" delete --force "$ID"
	[ ! -e "$ROOT/$ID" ]
}

@test "oci: config errors name the JSON path and the value, with exit 125" {
	bundle '[ "/bin/true" ]'
	sed -i 's/"limit": 67108864/"limit": "12XB"/' "$B/config.json"
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID"
	[ "$status" -eq 125 ]
	[ "$output" = 'mew: config.json: linux.resources.memory.limit: expected an integer, got "12XB"' ]
	[ ! -e "$ROOT/$ID" ]
}

@test "oci: errors go to --log as JSON for containerd" {
	run "$RT" --root "$ROOT" --log "$WORK/log.json" --log-format json start nosuch
	[ "$status" -ne 0 ]
	grep -q '"level":"error"' "$WORK/log.json"
	grep -q 'container `nosuch` does not exist' "$WORK/log.json"
}

@test "oci: a second create with the same ID is refused" {
	bundle '[ "/bin/sleep", "100" ]'
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
	# deleting a created container kills its waiting process
	pid=$("$RT" --root "$ROOT" state "$ID" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
	"$RT" --root "$ROOT" delete "$ID"
	[ ! -e "$ROOT/$ID" ]
	! grep -q '^State:.*[RS]' "/proc/$pid/status" 2>/dev/null
}

@test "oci: spec writes a config that parses; features is JSON" {
	cd "$WORK/bundle"
	"$RT" spec
	grep -q '"ociVersion"' config.json
	run "$RT" spec
	[ "$status" -ne 0 ]
	"$RT" features | grep -q '"ociVersionMax"'
	"$MEW" runtime --version | grep -q '^mew version'
}

# A config of our own: $1 = process args, $2 = extra linux members, $3 = namespaces.
bundle_linux() {
	cat >"$B/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": { "args": $1, "cwd": "/", "env": [ "PATH=/bin" ], "user": { "uid": 0, "gid": 0 } },
	"root": { "path": "$ROOTFS", "readonly": true },
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
		{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs" }
	],
	"linux": {
		"namespaces": $3,
		$2
	}
}
JSON
}

@test "oci: sysctl, masked and read-only paths, a seccomp rule and the device allow-list hold" {
	bundle_linux '[ "/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward; wc -c < /proc/cpuinfo; echo 1 > /proc/sys/kernel/shmmni || echo ro; mkdir /tmp/x || echo denied; head -c1 /dev/fuse; head -c1 /dev/null && echo null-ok" ]' \
		'"sysctl": { "net.ipv4.ip_forward": "1" },
		"maskedPaths": [ "/proc/cpuinfo" ],
		"readonlyPaths": [ "/proc/sys" ],
		"devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438 } ],
		"resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
		"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "architectures": [ "SCMP_ARCH_X86_64" ],
			"syscalls": [ { "names": [ "mkdir", "mkdirat" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }' \
		'[ { "type": "pid" }, { "type": "mount" }, { "type": "network" }, { "type": "ipc" } ]'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" == *"Read-only file system"*ro* ]]
	[[ "$output" == *"Operation not permitted"*denied* ]]
	# listed in linux.devices: made and allowed (a fuse node with no
	# filesystem behind it says EIO rather than EPERM)
	[[ "$output" == *"/dev/fuse: Input/output error"* ]]
	[ "${lines[${#lines[@]}-1]}" = null-ok ]
}

@test "oci: the device allow-list is the config's rules, runc's defaults and linux.devices" {
	[ -d /sys/fs/cgroup/devices ] || skip "no cgroup v1 devices controller (v2 needs eBPF)"
	bundle_linux '[ "/bin/cat", "/sys/fs/cgroup/devices/devices.list" ]' \
		'"devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229 } ],
		"resources": { "devices": [ { "allow": false, "access": "rwm" },
			{ "allow": true, "type": "c", "major": 4, "minor": 64, "access": "r" } ] }' \
		'[ { "type": "pid" }, { "type": "mount" } ]'
	sed -i 's|"source": "tmpfs" }$|"source": "tmpfs" },\n\t\t{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [ "ro" ] }|' "$B/config.json"
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"a *:* rwm"* ]]
	[[ "$output" == *"c 4:64 r"* ]]
	[[ "$output" == *"c 1:3 rwm"* ]]
	[[ "$output" == *"c 10:229 rwm"* ]]
}

@test "oci: a user namespace with the config's uid and gid mappings" {
	bundle_linux '[ "/bin/sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map | tr -s \" \"" ]' \
		'"uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
		"gidMappings": [ { "containerID": 0, "hostID": 200000, "size": 1000 } ]' \
		'[ { "type": "pid" }, { "type": "mount" }, { "type": "user" }, { "type": "network" } ]'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = " 0 100000 65536" ]
	[ "${lines[2]}" = " 0 200000 1000" ]
}

@test "oci: update changes a running container's limits; a bad value is named" {
	[ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroups"
	bundle '[ "/bin/sleep", "100" ]'
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1
	"$RT" --root "$ROOT" start "$ID"
	mem() {
		cat "/sys/fs/cgroup/memory/mew-runtime/$ID/memory.limit_in_bytes" 2>/dev/null ||
			cat "/sys/fs/cgroup/mew-runtime/$ID/memory.max"
	}
	[ "$(mem)" = 67108864 ]
	"$RT" --root "$ROOT" update --memory 128m --pids-limit 50 "$ID"
	[ "$(mem)" = 134217728 ]
	echo '{"memory": {"limit": 33554432}}' | "$RT" --root "$ROOT" update --resources - "$ID"
	[ "$(mem)" = 33554432 ]
	run "$RT" --root "$ROOT" update --resources - "$ID" <<<'{"pids": {"limit": "many"}}'
	[ "$status" -eq 125 ]
	[ "$output" = 'mew: resources.json: resources.pids.limit: expected an integer, got "many"' ]
}

@test "oci: a tmpfs with tmpcopyup starts with the directory's contents" {
	bundle '[ "/bin/sh", "-c", "touch /bin/new && ls /bin/new && /bin/echo copied" ]'
	sed -i 's|"options": \[ "rbind" \] }|"options": [ "rbind" ] },\n\t\t{ "destination": "/bin", "type": "tmpfs", "source": "tmpfs", "options": [ "tmpcopyup", "mode=755" ] }|' "$B/config.json"
	grep -q tmpcopyup "$B/config.json"
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /bin/new ]
	[ "${lines[1]}" = copied ]
	[ ! -e "$ROOTFS/bin/new" ]
}

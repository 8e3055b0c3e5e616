#!/usr/bin/env bats
# Runtime-spec rules that an independent conformance suite found mew breaking:
# each test here fails without its fix.
load helpers
bats_require_minimum_version 1.5.0

setup() {
	oci_work ocispec
}

teardown() {
	[ -n "${RT:-}" ] && "$RT" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1
	# (unshare --kill-child blocks SIGTERM; its child dies with it)
	[ -n "${UNSHARE_PID:-}" ] && kill -KILL "$UNSHARE_PID" 2>/dev/null
	rm -rf "$WORK"
}

# config ARGS_JSON [PROCESS_EXTRA] [TOP_EXTRA] [LINUX_JSON]: a config.json on the
# busybox rootfs; LINUX_JSON is the whole "linux" object (default: the usual
# namespaces).  The extras are members, each ending in a comma.
NS='{ "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" }, { "type": "network" } ] }'
config() {
	local linux=${4:-$NS}
	cat >"$B/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		$2
		"args": $1,
		"env": [ "PATH=/bin:/sbin:/usr/bin" ],
		"cwd": "/",
		"user": { "uid": 0, "gid": 0 }
	},
	$3
	"root": { "path": "$ROOTFS" },
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
		{ "destination": "/shared", "type": "bind", "source": "$WORK/shared", "options": [ "rbind" ] }
	],
	"linux": $linux
}
JSON
}


@test "oci-spec: noNewPrivileges false is honoured with a seccomp profile; no linux.seccomp, no filter" {
	printf '#!/bin/sh\ngrep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\\t"\n' >"$ROOTFS/nnp"
	chmod +x "$ROOTFS/nnp"
	config '[ "/nnp" ]' '"noNewPrivileges": false,' '' \
		'{ "namespaces": [ { "type": "pid" }, { "type": "mount" } ],
		  "seccomp": { "defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [ { "names": [ "mkdirat" ], "action": "SCMP_ACT_ERRNO" } ] } }'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NoNewPrivs:0" ]
	[ "${lines[1]}" = "Seccomp:2" ]
	# runc installs no filter of its own when the config has none
	config '[ "/nnp" ]' '"noNewPrivileges": false,'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NoNewPrivs:0" ]
	[ "${lines[1]}" = "Seccomp:0" ]
	config '[ "/nnp" ]' '"noNewPrivileges": true,'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NoNewPrivs:1" ]
	[ "${lines[1]}" = "Seccomp:0" ]
}

@test "oci-spec: a failing poststart or poststop hook warns and the remaining hooks run" {
	hook() { printf '[{"path": "/bin/false"}, {"path": "/bin/sh", "args": ["sh", "-c", "echo %s >> %s"]}]' "$1" "$WORK/shared/hooks"; }
	config '[ "/bin/true" ]' '' "\"hooks\": { \"poststart\": $(hook poststart), \"poststop\": $(hook poststop) },"
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1
	run "$RT" --root "$ROOT" start "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hook poststart[0] \`/bin/false\`: exit status 1"* ]]
	for _ in $(seq 50); do [ "$(status_of "$ID")" = stopped ] && break; sleep 0.1; done
	run "$RT" --root "$ROOT" delete "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hook poststop[0] \`/bin/false\`: exit status 1"* ]]
	[ "$(cat "$WORK/shared/hooks")" = "$(printf 'poststart\npoststop')" ]
	[ ! -e "$ROOT/$ID" ]
}

@test "oci-spec: capabilities that cannot be applied fail create, as runc's do, and leave nothing" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	# The runtime runs without CAP_SYS_NICE in its bounding set: the config
	# asks for it, which no process it starts can get.
	config '[ "/bin/true" ]' '"capabilities": { "bounding": [ "CAP_SYS_NICE" ], "permitted": [ "CAP_SYS_NICE" ], "effective": [ "CAP_SYS_NICE" ] },'
	# (output to a file: a create that wrongly succeeds leaves a container
	# holding its stdio)
	status=0
	setpriv --bounding-set -sys_nice "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/out" 2>&1 || status=$?
	cat "$WORK/out"
	[ "$status" -ne 0 ]
	grep -q "process.capabilities" "$WORK/out"
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "/sys/fs/cgroup/pids/mew-runtime/$ID" ] && [ ! -e "/sys/fs/cgroup/mew-runtime/$ID" ]
}

ns_inode() { readlink "/proc/$1/ns/$2"; }

@test "oci-spec: no linux.namespaces: every namespace is the runtime's; the mounts go with delete" {
	config '[ "/bin/sleep", "100" ]' '' '' '{ }'
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	pid=$("$RT" --root "$ROOT" state "$ID" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
	for ns in mnt pid net ipc uts cgroup user; do
		echo "$ns: $(ns_inode "$pid" $ns) $(ns_inode $$ $ns)"
		[ "$(ns_inode "$pid" $ns)" = "$(ns_inode $$ $ns)" ]
	done
	# its root is the rootfs (a chroot), with the config's mounts under it
	[ "$(stat -L -c %i "/proc/$pid/root/bin")" = "$(stat -c %i "$ROOTFS/bin")" ]
	grep -q " $ROOTFS/proc " /proc/self/mountinfo
	"$RT" --root "$ROOT" start "$ID"
	run "$RT" --root "$ROOT" exec "$ID" /bin/sh -c 'test -x /bin/busybox && ls /shared && echo in-root'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = in-root ]
	"$RT" --root "$ROOT" delete --force "$ID"
	[ ! -e "$ROOT/$ID" ]
	run grep " $ROOTFS" /proc/self/mountinfo
	echo "$output"
	[ "$status" -ne 0 ]
}

@test "oci-spec: a mount namespace given by path is joined by the container, not the runtime" {
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	unshare --mount --fork --kill-child sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	UNSHARE_PID=$!
	for _ in $(seq 50); do [ "$(ns_inode $UNSHARE_PID mnt)" != "$(ns_inode $$ mnt)" ] && break; sleep 0.1; done
	config '[ "/bin/sleep", "100" ]' '' '' "{ \"namespaces\": [ { \"type\": \"pid\" },
		{ \"type\": \"mount\", \"path\": \"/proc/$UNSHARE_PID/ns/mnt\" } ] }"
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	[ "$(status_of "$ID")" = created ]
	pid=$("$RT" --root "$ROOT" state "$ID" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
	[ "$(ns_inode "$pid" mnt)" = "$(ns_inode $UNSHARE_PID mnt)" ]
	"$RT" --root "$ROOT" start "$ID"
	[ "$(status_of "$ID")" = running ]
	"$RT" --root "$ROOT" delete --force "$ID"
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "/sys/fs/cgroup/pids/mew-runtime/$ID" ] && [ ! -e "/sys/fs/cgroup/mew-runtime/$ID" ]
	# a path that is no namespace fails create and leaves nothing
	sed -i "s|/proc/$UNSHARE_PID/ns/mnt|$WORK/log|" "$B/config.json"
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.namespaces: join \`$WORK/log\`"* ]]
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "/sys/fs/cgroup/pids/mew-runtime/$ID" ] && [ ! -e "/sys/fs/cgroup/mew-runtime/$ID" ]
}

@test "oci-spec: delete --force removes what a create killed half-way left (state directory, cgroup)" {
	config '[ "/bin/true" ]'
	mkdir -p "$ROOT/$ID"
	cp "$B/config.json" "$ROOT/$ID/config.json"
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then cg=/sys/fs/cgroup/mew-runtime/$ID
	else cg=/sys/fs/cgroup/pids/mew-runtime/$ID; fi
	mkdir -p "$cg"
	"$RT" --root "$ROOT" delete --force "$ID"
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "$cg" ]
}

@test "oci-spec: an AppArmor profile or an SELinux label the host cannot apply is refused by name" {
	aa=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || true)
	if [ "${aa:0:1}" != Y ]; then
		config '[ "/bin/true" ]' '"apparmorProfile": "mew-test",'
		run "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
		echo "$output"
		[ "$status" -eq 125 ]
		[ "$output" = 'mew: config.json: process.apparmorProfile: `mew-test`: AppArmor is not enabled on this host' ]
		[ ! -e "$ROOT/$ID" ]
	fi
	[ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled here (the AppArmor half ran: ${aa:-no AppArmor})"
	config '[ "/bin/true" ]' '"selinuxLabel": "system_u:system_r:container_t:s0",'
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *'process.selinuxLabel: `system_u:system_r:container_t:s0`: SELinux is not enabled on this host' ]]
	config '[ "/bin/true" ]' '' '' '{ "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811", "namespaces": [ { "type": "mount" } ] }'
	run "$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *'linux.mountLabel: `system_u:object_r:svirt_sandbox_file_t:s0:c715,c811`: SELinux is not enabled on this host' ]]
	[ ! -e "$ROOT/$ID" ]
}

# The container's group for controller $1 (v1 hierarchy, hybrid v2 tree or
# unified root), or nothing when the host has no such controller.
cgdir() {
	local d
	for d in /sys/fs/cgroup/*/; do
		d=${d%/}
		[ -L "$d" ] && continue
		case ",$(basename "$d")," in *",$1,"*) echo "$d/mew-runtime/$ID"; return ;; esac
	done
	for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -f "$d/cgroup.controllers" ] && grep -qw "$1" "$d/cgroup.controllers" &&
			{ echo "$d/mew-runtime/$ID"; return; }
	done
	return 0
}

create_with_resources() { # RESOURCES_JSON
	config '[ "/bin/true" ]' '' '' "{ \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"mount\" } ], \"resources\": $1 }"
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1
}

@test "oci-spec: blockIO, hugepageLimits, network and rdma are written where the host has the controller, else refused by name" {
	dev=$(cat "$(ls -d /sys/block/*/dev | head -1)")
	if [ -n "$(cgdir blkio)$(cgdir io)" ]; then
		create_with_resources "{ \"blockIO\": { \"throttleReadBpsDevice\": [ { \"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"rate\": 1048576 } ] } }" ||
			{ cat "$WORK/log"; false; }
		if [ -n "$(cgdir blkio)" ]; then
			grep -qx "$dev 1048576" "$(cgdir blkio)/blkio.throttle.read_bps_device"
		else
			grep -q "^$dev rbps=1048576 " "$(cgdir io)/io.max"
		fi
		"$RT" --root "$ROOT" delete --force "$ID"
	fi
	hp=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed -n '1s/hugepages-\([0-9]*\)kB/\1/p')
	if [ -n "$(cgdir hugetlb)" ] && [ -n "$hp" ]; then
		# named as the kernel names it (mm/hugetlb_cgroup.c: mem_fmt)
		if [ "$hp" -ge 1048576 ]; then size=$((hp / 1048576))GB
		elif [ "$hp" -ge 1024 ]; then size=$((hp / 1024))MB
		else size=${hp}KB; fi
		v2=$(dirname "$(dirname "$(cgdir hugetlb)")")
		before=$(cat "$v2/cgroup.subtree_control" 2>/dev/null)
		create_with_resources "{ \"hugepageLimits\": [ { \"pageSize\": \"$size\", \"limit\": $((hp * 1024 * 4)) } ] }" ||
			{ cat "$WORK/log"; false; }
		cat "$(cgdir hugetlb)/hugetlb.$size.limit_in_bytes" "$(cgdir hugetlb)/hugetlb.$size.max" 2>/dev/null | grep -qx $((hp * 1024 * 4))
		"$RT" --root "$ROOT" delete --force "$ID"
		[ ! -e "$(cgdir hugetlb)" ]
		# a size this host has not, named with the field and the value
		! create_with_resources '{ "hugepageLimits": [ { "pageSize": "3MB", "limit": 4194304 } ] }'
		grep -q 'hugepageLimits\[0\].pageSize: `3MB` is not a huge page size of this host' "$WORK/log"
		[ ! -e "$(cgdir hugetlb)" ]
		# a v2 tree's root keeps the controller a limit needed (as under
		# runc): the test hands back the root as it found it
		[ -f "$v2/cgroup.subtree_control" ] && [[ " $before " != *" hugetlb "* ]] &&
			{ echo -hugetlb >"$v2/cgroup.subtree_control" || true; }
	elif [ -z "$(cgdir hugetlb)" ]; then
		run create_with_resources '{ "hugepageLimits": [ { "pageSize": "2MB", "limit": 4194304 } ] }'
		[ "$status" -ne 0 ]
		grep -q 'linux.resources.hugepageLimits: this host has no hugetlb controller' "$WORK/log"
	fi
	if [ -z "$(cgdir net_cls)" ]; then
		run create_with_resources '{ "network": { "classID": 1048577 } }'
		[ "$status" -ne 0 ]
		cat "$WORK/log"
		grep -q 'linux.resources.network.classID: this host has no net_cls (cgroup v1 only) controller' "$WORK/log"
	else
		create_with_resources '{ "network": { "classID": 1048577 } }' || { cat "$WORK/log"; false; }
		[ "$(cat "$(cgdir net_cls)/net_cls.classid")" = 1048577 ]
		"$RT" --root "$ROOT" delete --force "$ID"
	fi
	if [ -z "$(cgdir rdma)" ]; then
		run create_with_resources '{ "rdma": { "mlx5_1": { "hcaHandles": 3, "hcaObjects": 10000 } } }'
		[ "$status" -ne 0 ]
		grep -q 'linux.resources.rdma: this host has no rdma controller' "$WORK/log"
	fi
	[ ! -e "$ROOT/$ID" ]
}

@test "oci-spec: linux.resources.unified writes cgroup v2 files; one that is not there is refused by name" {
	v2=/sys/fs/cgroup
	[ -f $v2/cgroup.controllers ] || v2=/sys/fs/cgroup/unified
	[ -f $v2/cgroup.controllers ] || skip "no cgroup v2 hierarchy on this host"
	before=$(cat $v2/cgroup.subtree_control)
	create_with_resources '{ "unified": { "cgroup.max.descendants": "7" } }' || { cat "$WORK/log"; false; }
	[ "$(cat "$v2/mew-runtime/$ID/cgroup.max.descendants")" = 7 ]
	# hugetlb and rdma are handed down only to a config that limits them
	# (enabled at the root, they stay after the container is gone)
	for c in hugetlb rdma; do
		[[ " $before " == *" $c "* ]] || [ -z "$(grep -w $c $v2/cgroup.subtree_control)" ]
	done
	pid=$("$RT" --root "$ROOT" state "$ID" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
	grep -qx "$pid" "$v2/mew-runtime/$ID/cgroup.procs"
	"$RT" --root "$ROOT" delete --force "$ID"
	[ ! -e "$v2/mew-runtime/$ID" ]
	run create_with_resources '{ "unified": { "nosuch.knob": "1" } }'
	[ "$status" -ne 0 ]
	cat "$WORK/log"
	grep -q 'linux.resources.unified.nosuch.knob: no such file in the cgroup v2 group' "$WORK/log"
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "$v2/mew-runtime/$ID" ]
}

# Without a cgroup namespace the process's first read of /proc/self/cgroup
# names its group in every hierarchy, the v2 one included (a hybrid host
# gets a v2 group for linux.resources.unified: clone3 places the process
# there at birth), whether entered at birth or by cgroup.procs writes.
@test "oci-spec: the process is in its groups, v1 and v2, from its first instruction" {
	local birth
	[ -n "$(cgdir pids)" ] || skip "no pids controller on this host"
	for birth in clone procs; do
		config '[ "cat", "/proc/self/cgroup" ]' '' '' \
			'{ "namespaces": [ { "type": "pid" }, { "type": "mount" } ],
			  "resources": { "pids": { "limit": 20 }, "unified": { "cgroup.max.descendants": "5" } } }'
		run env MEW_CGROUP_BIRTH=$birth "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
		echo "$birth: $output"
		[ "$status" -eq 0 ]
		[ -n "$(echo "$output" | grep '^0::')" ]
		[ -z "$(echo "$output" | grep -v ":/mew-runtime/$ID\$")" ]
		[ ! -e "$(cgdir pids)" ]
	done
}

# An exec'd process enters the container's groups as the first process did,
# at birth (clone3 into the v2 group, its own `tasks` write in v1) or by
# cgroup.procs writes: its first read of /proc/self/cgroup names the
# container's group in every hierarchy, the hybrid host's v2 group that
# linux.resources.unified made included.
@test "oci-spec: an exec'd process is in the container's groups, v1 and v2, from its first instruction" {
	local birth
	[ -n "$(cgdir pids)" ] || skip "no pids controller on this host"
	config '[ "/bin/sleep", "100" ]' '' '' \
		'{ "namespaces": [ { "type": "pid" }, { "type": "mount" } ],
		  "resources": { "pids": { "limit": 20 }, "unified": { "cgroup.max.descendants": "5" } } }'
	"$RT" --root "$ROOT" create --bundle "$B" "$ID" </dev/null >"$WORK/log" 2>&1 || { cat "$WORK/log"; false; }
	"$RT" --root "$ROOT" start "$ID"
	for birth in clone procs; do
		run env MEW_CGROUP_BIRTH=$birth "$RT" --root "$ROOT" exec "$ID" cat /proc/self/cgroup
		echo "$birth: $output"
		[ "$status" -eq 0 ]
		[ -n "$(echo "$output" | grep '^0::')" ]
		[ -z "$(echo "$output" | grep -v ":/mew-runtime/$ID\$")" ]
	done
	"$RT" --root "$ROOT" delete --force "$ID"
	[ ! -e "$(cgdir pids)" ]
}

@test "oci-spec: a sysctl outside the container's namespaces is refused by name, as runc does (it would change the host's)" {
	before=$(cat /proc/sys/vm/swappiness)
	config '[ "/bin/true" ]' '' '' '{ "namespaces": [ { "type": "mount" }, { "type": "ipc" } ], "sysctl": { "vm.swappiness": "1" } }'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"linux.sysctl.vm.swappiness: \`vm.swappiness\` is not in a namespace of the container's"* ]]
	config '[ "/bin/true" ]' '' '' '{ "namespaces": [ { "type": "mount" } ], "sysctl": { "net.ipv4.ip_forward": "1" } }'
	run "$RT" --root "$ROOT" run --bundle "$B" "$ID" </dev/null
	[ "$status" -eq 125 ]
	[[ "$output" == *"linux.sysctl.net.ipv4.ip_forward: needs a network namespace"* ]]
	[ "$(cat /proc/sys/vm/swappiness)" = "$before" ]
	[ ! -e "$ROOT/$ID" ]
}

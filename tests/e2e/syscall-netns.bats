#!/usr/bin/env bats
# New network, UTS and IPC namespaces of a guest of the syscall engine
# (src/trap/guest/ns.c): real ones, made in the guest's process inside a
# new user namespace of the run's user.  What the guest sees in them, and
# that the host's stay as they were.  As root, each test runs twice: mew
# run as root and as nobody; as an ordinary user, once.  The attacks from
# inside them are syscall-hostile.bats's.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	local t
	[ -d "$ROOTFS" ] || return 0
	t=$(mktemp -d /tmp/mew-netns.XXXXXX)
	chmod 755 "$t"
	mkdir -p "$t/bin" "$t/work"
	cp "$MEW" "$t/bin/mew"
	cc -O1 -static -o "$t/bin/netns" "$BATS_TEST_DIRNAME/syscall/netns.c" || return 1
	cp -a "$ROOTFS" "$t/rootfs"
	chmod -R a+rX "$t"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R 65534:65534 "$t/rootfs" "$t/work"
		WHO="root nobody"
	else
		WHO=self
	fi
	export T=$t WHO
}

teardown_file() {
	[ -n "${T:-}" ] && rm -rf "$T"
}

setup() {
	[ -d "$ROOTFS" ] || skip "no busybox rootfs at $ROOTFS (make rootfs)"
	[ "$("$MEW" engines | awk '$1 == "syscall" { print $2 }')" = yes ] || skip "the syscall engine cannot run here"
	[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] ||
		skip "user namespaces are disabled on this host (user.max_user_namespaces)"
}

# guest WHO [MEW RUN FLAGS] -- CMD...: CMD under the syscall engine, mew run by WHO.
guest() {
	local who=$1
	shift
	if [ "$who" = nobody ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$T/bin/mew" run --engine syscall --rootfs "$T/rootfs" -v "$T/bin:/t" -v "$T/work:/work" "$@"
	else
		"$T/bin/mew" run --engine syscall --rootfs "$T/rootfs" -v "$T/bin:/t" -v "$T/work:/work" "$@"
	fi
}

@test "syscall netns: unshare -n gives a network namespace with only lo, which the guest brings up (ip runs after exec); the host's links stay" {
	local host_links host_lo
	host_links=$(ip -o link | wc -l)
	host_lo=$(ip -o link show lo)
	for who in $WHO; do
		run guest "$who" -- sh -c 'ip -o link | wc -l; unshare -n ip -o link; echo ---; unshare -n sh -c "ip link set lo up && ip -o link && ip addr add 10.9.8.7/8 dev lo && ip -o -4 addr show lo"'
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		# before: the host's links, as the host sees them
		[ "${lines[0]}" -eq "$host_links" ]
		[[ "${lines[1]}" == "1: lo: <LOOPBACK> "* ]]
		[ "${lines[2]}" = --- ]
		[[ "${lines[3]}" == "1: lo: <LOOPBACK,UP,LOWER_UP> "* ]]
		[[ "${lines[4]}" == *"inet 127.0.0.1/8 "* ]]
		[[ "${lines[5]}" == *"inet 10.9.8.7/8 "* ]]
		[ "${#lines[@]}" -eq 6 ]
		[ "$(ip -o link show lo)" = "$host_lo" ]
		! ip -o addr | grep -q 10.9.8.7
	done
}

@test "syscall netns: unshare -u: the hostname set in the new UTS namespace is the guest's, which started as --hostname's; the host's stays" {
	local host
	host=$(hostname)
	for who in $WHO; do
		run guest "$who" --hostname box -- sh -c 'unshare -u sh -c "hostname; hostname inner; hostname; uname -n; sh -c hostname"; hostname; uname -n'
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'box\ninner\ninner\ninner\nbox\nbox')" ]
		[ "$(hostname)" = "$host" ]
	done
}

@test "syscall netns: clone with CLONE_NEWNET|CLONE_NEWUTS, with a stack (glibc's clone) and fork-like: the child's own namespaces, the same ids and owners" {
	local host owner
	host=$(hostname)
	for who in $WHO; do
		owner=0:0
		[ "$who" != root ] || owner=65534:65534
		run guest "$who" --hostname box -- /t/netns clone
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		# the owners the parent sees: as they are for a root mew, its own
		# files as root's for an ordinary user's
		[[ "${lines[0]}" == "before: links $(ip -o link | wc -l), uid 0, gid 0, /bin owned by $owner" ]]
		[ "${lines[1]}" = "stack child: links 1, nodename child, uid 0, gid 0, /bin owned by $owner" ]
		[ "${lines[2]}" = "stack parent: child exit 0, nodename box" ]
		[ "${lines[3]}" = "fork child: links 1, nodename child, uid 0, gid 0, /bin owned by $owner" ]
		[ "${lines[4]}" = "fork parent: child exit 0, nodename box" ]
		[ "$(hostname)" = "$host" ]
	done
}

@test "syscall netns: a TCP listener in the guest's network namespace is reached from inside it, not from the host's" {
	local port pid
	for who in $WHO; do
		rm -f "$T/work/port" "$T/work/port.done"
		guest "$who" -- /t/netns listen /work/port >"$T/listen.out" 2>&1 3>&- &
		pid=$!
		for _ in $(seq 300); do [ -s "$T/work/port" ] && break; sleep 0.1; done
		port=$(cat "$T/work/port")
		[ -n "$port" ]
		run ! bash -c "echo climbed >/dev/tcp/127.0.0.1/$port"
		echo "host connect: $output"
		touch "$T/work/port.done"
		wait "$pid"
		cat "$T/listen.out"
		grep -qx "self: connected" "$T/listen.out"
		grep -qx "accepted from outside: no" "$T/listen.out"
	done
}

@test "syscall netns: refused as Linux refuses them (a guest no longer root, an unknown flag), and as before (PID, cgroup, time namespaces; CLONE_VM); unshare of no namespace is the kernel's (LTP's unshare01, unshare02)" {
	for who in $WHO; do
		run guest "$who" -- /t/netns refused
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "unshare(CLONE_FILES | CLONE_FS): ok" ]
		[ "${lines[1]}" = "unshare(-1): Invalid argument" ]
		[ "$(tail -n +3 <<<"$output")" = "$(printf '%s: Operation not permitted\n' 'unshare(CLONE_NEWPID)' \
			'unshare(CLONE_NEWCGROUP)' 'unshare(CLONE_NEWTIME)' \
			'unshare(CLONE_NEWNET | CLONE_NEWPID)' 'clone(CLONE_VM | CLONE_NEWNET)' \
			'nobody: unshare(CLONE_NEWNET)' 'nobody: clone(CLONE_NEWUTS)')" ]
	done
}

@test "syscall netns: setns into the namespaces another guest process made, after the kernel's errors; not into a mount namespace, nor by a guest no longer root" {
	for who in $WHO; do
		run guest "$who" -- /t/netns setns
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "before: links $(ip -o link | wc -l)
setns(-1): Bad file descriptor
setns(a directory): Invalid argument
setns(uts, CLONE_NEWNET): Invalid argument
setns(uts, -1): Invalid argument
setns(mnt): Operation not permitted
setns(uts, CLONE_NEWUTS): ok
nodename child
setns(net, 0): ok
links 1
nobody: setns(net, 0): Operation not permitted" ]
	done
}

@test "syscall netns: a mount namespace of its own, where the guest mounts nothing either; a CLONE_FS child's unshare of one leaves its parent's cwd (LTP's unshare01, unshare04)" {
	for who in $WHO; do
		run guest "$who" -- sh -c 'cd /work && mkdir -p sub && /t/netns mount sub; r=$?; rmdir sub; exit $r'
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "child: unshare(CLONE_NEWNS): ok
parent's cwd kept
unshare(CLONE_NEWNS): ok
mount tmpfs: Operation not permitted
umount /proc: Operation not permitted
/etc/passwd readable" ]
	done
}

@test "syscall netns: only the stub mode makes them: the notifier mode refuses unshare -n and unshare -r (EPERM)" {
	run env MEW_TRAP_STUB=0 "$MEW" run --engine syscall --rootfs "$ROOTFS" -- unshare -n true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run env MEW_TRAP_STUB=0 "$MEW" run --engine syscall --rootfs "$ROOTFS" -- unshare -r true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"unshare(0x10000000): Operation not permitted"* ]]
}

# The owner of the rootfs's files as the guest sees them before it makes a
# user namespace: mew run as root shows the real one (the copy is
# nobody's), mew run by nobody its own files as root's.
owner_of() {
	[ "$1" = root ] && [ "$(id -u)" -eq 0 ] && echo 65534 || echo 0
}

@test "syscall netns: a user namespace of the guest's own: unshare -r id, unshare -U (unmapped: nobody), unshare -Urn ip link set lo up after exec, the maps read back; as the guest's root and as an ordinary guest user" {
	local o
	for who in $WHO; do
		for u in 0 1000; do
			run guest "$who" --user "$u:$u" -- sh -c 'unshare -r id; unshare -r cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; unshare -U id; unshare -Urn sh -c "ip link set lo up && ip -o link | cut -d\" \" -f2,3; id"; id -u'
			echo "as $who, guest user $u: $output"
			[ "$status" -eq 0 ]
			o=$(printf '%10u %10u %10u' 0 "$u" 1)
			[ "$output" = "uid=0(root) gid=0(root)
$o
$o
deny
uid=65534(nobody) gid=65534(nogroup)
lo: <LOOPBACK,UP,LOWER_UP>
uid=0(root) gid=0(root)
$u" ]
		done
	done
}

@test "syscall netns: what LTP's tst_setup_netns does (unshare(CLONE_NEWUSER|CLONE_NEWNET), setgroups deny, uid_map and gid_map of its own ids), then lo up, a bind to a privileged port, a raw socket; the ids and owners seen through the maps; a CLONE_NEWUSER child's" {
	local own
	for who in $WHO; do
		for u in 0 1000; do
			run guest "$who" --user "$u:$u" -- /t/netns userns
			echo "as $who, guest user $u: $output"
			[ "$status" -eq 0 ]
			own=$(owner_of "$who")
			[ "$output" = "before: uid $u, gid $u, euid $u, /etc/passwd owned by $own:$own
clone(CLONE_NEWUSER) child: uid 65534, gid 65534, euid 65534, /etc/passwd owned by 65534:65534
parent: uid $u, gid $u, euid $u, /etc/passwd owned by $own:$own
unshare(CLONE_NEWUSER | CLONE_NEWNET): ok
unmapped: uid 65534, gid 65534, euid 65534, /etc/passwd owned by 65534:65534
write setgroups deny: ok
write uid_map: ok
write gid_map: ok
/proc/self/uid_map: $(printf '%10u %10u %10u' 0 "$u" 1)
/proc/self/gid_map: $(printf '%10u %10u %10u' 0 "$u" 1)
/proc/self/setgroups: deny
mapped: uid 0, gid 0, euid 0, /etc/passwd owned by $([ "$own" = "$u" ] && echo 0:0 || echo 65534:65534)
lo up: ok
bind 127.0.0.1:80: ok
raw socket: ok
links 1" ]
		done
	done
}

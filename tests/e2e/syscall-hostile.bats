#!/usr/bin/env bats
# The wall (src/wall) from the attacker's side: a guest of the syscall
# engine that attacks mew's stub instead of asking it (tests/e2e/syscall/
# climb.c) must meet the kernel's refusal, and the host must be untouched.
# As root, each attack runs twice: as root and as nobody (the wall must not
# rest on file permissions: nobody owns the rootfs copy, the :ro volume and
# the host file); as an ordinary user, once.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	local t
	[ -d "$ROOTFS" ] || return 0
	t=$(mktemp -d /tmp/mew-hostile.XXXXXX)
	chmod 755 "$t"
	mkdir -p "$t/bin" "$t/work" "$t/ro" "$t/host"
	echo "host secret" >"$t/host/secret"
	echo keep >"$t/ro/file"
	cp "$MEW" "$t/bin/mew"
	cc -O1 -static -pthread -I"$BATS_TEST_DIRNAME/../../src" -o "$t/bin/climb" \
		"$BATS_TEST_DIRNAME/syscall/climb.c" || return 1
	cp -a "$ROOTFS" "$t/rootfs"
	# the arm64 attacks, under the emulate engine
	if [ -d "${ROOTFS%-amd64}-arm64" ] && command -v aarch64-linux-gnu-gcc >/dev/null; then
		aarch64-linux-gnu-gcc -O1 -static -pthread -I"$BATS_TEST_DIRNAME/../../src" -o "$t/bin/climb-arm64" \
			"$BATS_TEST_DIRNAME/syscall/climb.c" || return 1
		cp -a "${ROOTFS%-amd64}-arm64" "$t/rootfs-arm64"
	fi
	chmod -R a+rX "$t"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R 65534:65534 "$t/rootfs" "$t/work" "$t/ro" "$t/host"
		[ ! -d "$t/rootfs-arm64" ] || chown -R 65534:65534 "$t/rootfs-arm64"
		WHO="root nobody"
	else
		WHO=self
	fi
	export T=$t WHO
}

teardown_file() {
	[ -n "${T:-}" ] && rm -rf "$T"
}

# Host-side processes a test started (behind): killed by their pids when
# the test ends, also when an assertion failed before its own kill.
teardown() {
	local pid
	[ -n "${T:-}" ] && [ -f "$T/behind.pids" ] || return 0
	while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$T/behind.pids"
	rm -f "$T/behind.pids"
}

setup() {
	[ -d "$ROOTFS" ] || skip "no busybox rootfs at $ROOTFS (make rootfs)"
	[ "$("$MEW" engines | awk '$1 == "syscall" { print $2 }')" = yes ] || skip "the syscall engine cannot run here"
	grep -q "walled in by Landlock" <("$MEW" engines) || skip "no Landlock on this kernel: the wall is not there to test"
}

# on WHO CMD...: a host command as WHO (root, nobody, self).
on() {
	local who=$1
	shift
	if [ "$who" = nobody ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}

# behind WHO CMD...: a host command as WHO in the background; $! is its pid
# (it does not keep bats' fd 3).
behind() {
	local who=$1
	shift
	if [ "$who" = nobody ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@" 3>&- &
	else
		"$@" 3>&- &
	fi
	echo "$!" >>"$T/behind.pids"
}

# listener WHO NAME: a host process of WHO listening on the abstract UNIX
# socket NAME, once it listens; $LISTENER is its pid, and what it accepts
# it writes to $T/work/accepted.
listener() {
	rm -f "$T/work/accepted"
	behind "$1" "$T/bin/climb" listen "$2" "$T/work/accepted" >"$T/work/listening"
	LISTENER=$!
	for _ in $(seq 50); do grep -q listening "$T/work/listening" && break; sleep 0.1; done
}

# listener_untouched PID: the listener lived through the attack, was
# never traced, and accepted nothing; then it ends.
listener_untouched() {
	kill -0 "$1"
	grep -q "^TracerPid:	0$" "/proc/$1/status"
	kill "$1"
	wait "$1" || true
	[ ! -e "$T/work/accepted" ]
}

# guest WHO [MEW RUN FLAGS] -- CMD...: CMD under the syscall engine, mew run by WHO.
guest() {
	local who=$1
	shift
	on "$who" "$T/bin/mew" run --engine syscall --rootfs "$T/rootfs" -v "$T/bin:/t" -v "$T/work:/work" "$@"
}

# walled WHO ATTACK ARGS...: the attack is refused and nothing of the host
# leaks into its output.
walled() {
	local who=$1
	shift
	run guest "$who" -- /t/climb "$@"
	echo "as $who: $output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"walled:"* ]]
	[[ "$output" != *"host secret"* ]]
	[[ "$output" != *CLIMBED* ]]
}

@test "syscall wall: openat from the stub's fast syscall instruction is refused by the kernel" {
	for who in $WHO; do
		walled "$who" fast "$T/host/secret"
		[[ "$output" == *"fast syscall: Permission denied"* ]]
	done
}

@test "syscall wall: the stub's code and data rewritten by the guest give it nothing" {
	for who in $WHO; do
		walled "$who" rewrite "$T/host/secret"
		[[ "$output" == *"rewritten stub code: Permission denied"* ]]
	done
}

@test "syscall wall: the stub's SIGSEGV handler (bad pointers are EFAULT) taken over gives the guest nothing" {
	for who in $WHO; do
		walled "$who" fault "$T/host/secret"
		[[ "$output" == *"openat from a SIGSEGV handler inside the stub's call: Permission denied"* ]]
	done
}

@test "syscall wall: a root guest cannot rename the host, open a host file by its handle, or write the names mew keeps its trusted.* and security.* xattrs under (by path or through an fd, which mew writes)" {
	local before
	before=$(hostname)
	for who in $WHO; do
		walled "$who" root
		[[ "$output" == *"walled: sethostname: Operation not permitted"* ]]
		[[ "$output" == *"walled: open_by_handle_at: Operation not permitted"* ]]
		[[ "$output" == *"walled: setxattr of its storage name: Operation not permitted"* ]]
		[[ "$output" == *"walled: fsetxattr of its storage name: Operation not permitted"* ]]
		[[ "$output" == *"walled: fremovexattr of its storage name: No data available"* ]]
		[ "$(hostname)" = "$before" ]
		# and the fake root does not claim what it lost: its own name (the
		# personality's, not the host's) stays as it was
		run guest "$who" -- sh -c 'grep CapEff /proc/self/status; hostname; hostname other; hostname'
		echo "as $who: $output"
		[ "${lines[-1]}" = "${lines[-3]}" ]
		[ "${lines[-1]}" != other ]
		[ "$(hostname)" = "$before" ]
	done
}

@test "syscall wall: dup2 over the stub's rootfs fd gives it nothing" {
	for who in $WHO; do
		walled "$who" dup2 "$T/host/secret"
	done
}

@test "syscall wall: a path the stub never sees (io_uring openat) is refused by the kernel" {
	for who in $WHO; do
		walled "$who" uring "$T/host/secret"
		[[ "$output" == *"io_uring openat (a path the stub never sees): Permission denied"* ]]
	done
}

@test "syscall wall: ptrace, kill and process_vm_readv of a host process of the same user fail" {
	local pid
	for who in $WHO; do
		behind "$who" sleep 60
		pid=$!
		walled "$who" ptrace "$pid"
		[[ "$output" == *"Operation not permitted"* ]]
		walled "$who" kill "$pid"
		walled "$who" vmread "$pid"
		# the host process is alive, not stopped, not traced
		kill -0 "$pid"
		grep -q "^TracerPid:	0$" "/proc/$pid/status"
		grep -Eq "^State:	[SR]" "/proc/$pid/status"
		kill "$pid"
		wait "$pid" || true
	done
}

@test "syscall wall: a host abstract UNIX socket cannot be reached" {
	local pid name
	for who in $WHO; do
		name=mew-wall-$$-$who
		listener "$who" "$name"
		pid=$LISTENER
		walled "$who" abstract "$name"
		[[ "$output" == *"Operation not permitted"* ]]
		kill "$pid"
		wait "$pid" || true
		[ ! -e "$T/work/accepted" ]
	done
}

@test "syscall wall: in network and UTS namespaces of its own (made in a user namespace of the run's user), the guest cannot mount, pivot_root, setns into the host's, map host root, or reach a host process or abstract socket" {
	local pid name before
	before=$(hostname)
	for who in $WHO; do
		name=mew-wall-ns-$$-$who
		listener "$who" "$name"
		pid=$LISTENER
		walled "$who" ns "$pid" "$name"
		[[ "$output" == *"walled: mount: Operation not permitted"* ]]
		[[ "$output" == *"walled: mount (fast): Operation not permitted"* ]]
		[[ "$output" == *"walled: pivot_root: Operation not permitted"* ]]
		[[ "$output" == *"walled: umount /proc: Operation not permitted"* ]]
		[[ "$output" == *"walled: setns back into the host's network namespace: Operation not permitted"* ]]
		[[ "$output" == *"walled: setns back into the host's network namespace (fast): Operation not permitted"* ]]
		[[ "$output" == *"walled: /proc/1/ns/net: "* ]]
		[[ "$output" == *"walled: in the user namespace mew made: write uid_map mapping host root: "* ]]
		[[ "$output" == *"walled: in the user namespace mew made: write uid_map mapping host root (fast open): "* ]]
		[[ "$output" == *"walled: in a new user namespace of its own: write uid_map mapping host root: "* ]]
		[[ "$output" == *"walled: kill a host process: Operation not permitted"* ]]
		[[ "$output" == *"walled: ptrace a host process: Operation not permitted"* ]]
		[[ "$output" == *"walled: connect to a host abstract UNIX socket: Operation not permitted"* ]]
		# its sethostname was its own UTS namespace's
		[ "$(hostname)" = "$before" ]
		listener_untouched "$pid"
	done
}

@test "syscall wall: a user namespace the guest made itself (from the stub's fast syscall) cannot be given a map of host root, by mew's /proc or its own open" {
	for who in $WHO; do
		walled "$who" userns
		[[ "$output" == *"walled: in a new user namespace of its own: write uid_map mapping host root: Operation not permitted"* ]]
		[[ "$output" == *"walled: in a new user namespace of its own: write uid_map mapping host root (fast open): Permission denied"* ]]
	done
}

@test "syscall wall: in a user namespace of its own (with a network namespace), an ordinary guest user maps no id but its own, once, writes no other process's map, and its capabilities there reach nothing outside" {
	local pid name
	for who in $WHO; do
		name=mew-wall-userns-$$-$who
		listener "$who" "$name"
		pid=$LISTENER
		run guest "$who" --user 1000:1000 -- /t/climb ownuserns "$pid" "$name"
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[[ "$output" != *CLIMBED* ]]
		[[ "$output" != *WRONG* ]]
		for w in "own map of host root (0 0 1): Operation not permitted" \
			"own map of every id: Operation not permitted" \
			"gid_map before setgroups is denied: Operation not permitted" \
			"a host process's uid_map: Operation not permitted" "pid 1's uid_map: Operation not permitted" \
			"a second uid_map: Operation not permitted" "setgroups allowed again: Operation not permitted" \
			"setgroups(0): Operation not permitted" "setuid to an unmapped id: Invalid argument" \
			"uid_map (fast open): Permission denied" "open root's /etc/passwd for writing: Permission denied" \
			"chown root's /etc/passwd: Operation not permitted" \
			"setns back into the host's network namespace: Operation not permitted" \
			"kill a host process: Operation not permitted" "ptrace a host process: Operation not permitted" \
			"connect to a host abstract UNIX socket: Operation not permitted"; do
			[[ "$output" == *"walled: $w"* ]]
		done
		listener_untouched "$pid"
	done
}

# unix_wall ROOTFS CLIMB [MEW RUN FLAGS]: a guest with ROOTFS attacks a host
# socket at a host path outside it and fails with ENOENT (the path does not
# exist in the rootfs), and nothing reaches the host's listener; an honest
# connect and send to a socket inside the rootfs (a host process listens
# there) still work.
unix_wall() {
	local rootfs=$1 climb=$2 pid hpid sock honest
	shift 2
	for who in $WHO; do
		sock=$T/host/wall-$who.sock
		honest=$rootfs/tmp/honest-$who.sock
		rm -f "$T/work/accepted" "$T/work/honest"
		behind "$who" "$T/bin/climb" listen-path "$sock" "$T/work/accepted" >"$T/work/listening"
		pid=$!
		behind "$who" "$T/bin/climb" listen-path "$honest" "$T/work/honest" >"$T/work/listening-honest"
		hpid=$!
		for _ in $(seq 50); do
			grep -q listening "$T/work/listening" && grep -q listening "$T/work/listening-honest" && break
			sleep 0.1
		done
		run on "$who" "$T/bin/mew" run --rootfs "$rootfs" -v "$T/bin:/t" "$@" -- "/t/$climb" unix "$sock"
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"walled:"* ]]
		[[ "$output" != *CLIMBED* ]]
		[[ "$output" == *"connect to a host socket from the fast syscall: No such file or directory"* ]]
		[[ "$output" == *"sendmsg to a host datagram socket from the fast syscall: No such file or directory"* ]]
		run on "$who" "$T/bin/mew" run --rootfs "$rootfs" -v "$T/bin:/t" "$@" -- "/t/$climb" honest "/tmp/honest-$who.sock"
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"honest: connected and sent"* ]]
		# the listener logs what it took after the guest has ended
		for _ in $(seq 50); do
			[ "$(sort -u "$T/work/honest" 2>/dev/null | tr '\n' ' ')" = "accepted received " ] && break
			sleep 0.1
		done
		kill "$pid" "$hpid"
		wait "$pid" "$hpid" || true
		[ ! -e "$T/work/accepted" ]
		[ "$(sort -u "$T/work/honest" 2>/dev/null | tr '\n' ' ')" = "accepted received " ]
	done
}

@test "syscall wall: a host UNIX socket named by path cannot be reached; one in the rootfs can" {
	unix_wall "$T/rootfs" climb --engine syscall
}

@test "emulate wall: a host UNIX socket named by path cannot be reached; one in the rootfs can" {
	[ -x "$T/bin/climb-arm64" ] || skip "no arm64 busybox rootfs or no aarch64-linux-gnu-gcc"
	unix_wall "$T/rootfs-arm64" climb-arm64 --engine emulate
}

@test "syscall wall: /proc/PID of a host process: its root, environ and memory are refused" {
	local pid
	for who in $WHO; do
		behind "$who" sleep 60
		pid=$!
		walled "$who" proc "$pid" "$T/host/secret"
		[[ "$output" != *"WRONG"* ]]
		kill "$pid"
		wait "$pid" || true
	done
}

@test "syscall wall: a :ro volume and a --read-only rootfs are not written, asked or not" {
	for who in $WHO; do
		run guest "$who" -v "$T/ro:/ro:ro" -- /t/climb write /ro/file "$T/ro/file"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"open for writing: Read-only file system"* ]]
		[[ "$output" == *"fast syscall: Permission denied"* ]]
		[ "$(cat "$T/ro/file")" = keep ]
		cp "$T/rootfs/etc/hostname" "$T/work/hostname.before" 2>/dev/null || : >"$T/work/hostname.before"
		run guest "$who" --read-only -- /t/climb write /etc/hostname "$T/rootfs/etc/hostname"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"open for writing: Read-only file system"* ]]
		[[ "$output" == *"fast syscall: Permission denied"* ]]
		cmp "$T/rootfs/etc/hostname" "$T/work/hostname.before"
	done
}

@test "syscall wall: execve of a host program by its host path is refused" {
	for who in $WHO; do
		rm -f "$T/work/marker"
		walled "$who" exec /usr/bin/touch "$T/work/marker"
		[[ "$output" == *"Permission denied"* ]]
		[ ! -e "$T/work/marker" ]
	done
}

@test "syscall wall: /proc/sys and the host's /dev are not the guest's to change" {
	local before
	before=$(cat /proc/sys/fs/lease-break-time)
	for who in $WHO; do
		run guest "$who" -- sh -c "echo $((before + 7)) > /proc/sys/fs/lease-break-time; rm /dev/full; mv /dev/zero /x;
			chmod 600 /dev/null; mknod /tmp/blk b 7 0; touch /dev/mew-wall-probe && ls /dev/mew-wall-probe;
			ls /dev/loop0; echo x > /dev/null && echo null-works"
		echo "as $who: $output"
		[[ "$output" == *"/dev/mew-wall-probe"* ]]
		[[ "$output" == *"null-works"* ]]
		[[ "$output" == *"/dev/loop0: No such file or directory"* ]]
		run guest "$who" -- /t/climb write /proc/sys/fs/lease-break-time /proc/sys/fs/lease-break-time
		echo "as $who: $output"
		[[ "$output" != *CLIMBED* ]]
		[ "$(cat /proc/sys/fs/lease-break-time)" = "$before" ]
		[ -c /dev/full ] && [ -c /dev/zero ] && [ -c /dev/null ]
		[ "$(stat -c %a /dev/null)" = 666 ]
		[ ! -e /dev/mew-wall-probe ]
		[ ! -e "$T/rootfs/tmp/blk" ]
	done
}

@test "syscall wall: as root, a device node in the rootfs outside /dev cannot be opened" {
	[ "$(id -u)" -eq 0 ] || skip "an unprivileged mew: a node opens as its own permissions say, as outside mew"
	grep -q "devices" /proc/self/cgroup || skip "no v1 devices controller"
	mknod -m 600 "$T/rootfs/tmp/kmsg" c 1 11
	run guest root -- /t/climb dev /tmp/kmsg "$T/rootfs/tmp/kmsg"
	rm -f "$T/rootfs/tmp/kmsg"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"open a device node of the rootfs: Operation not permitted"* ]]
	[[ "$output" == *"from the fast syscall: Operation not permitted"* ]]
	# mew's own /dev still works, and the run's group is gone after it
	# (its name read inside: other runs of mew may hold groups of their own)
	run guest root -- sh -c 'echo x > /dev/null && head -c 4 /dev/urandom | wc -c && grep devices /proc/self/cgroup'
	echo "$output"
	[ "${lines[0]}" = 4 ]
	group=${lines[1]##*:}
	[[ "$group" == /mew/wall-* ]]
	[ ! -d "/sys/fs/cgroup/devices$group" ]
}

@test "emulate wall: as root, a device node in the rootfs outside /dev cannot be opened" {
	[ "$(id -u)" -eq 0 ] || skip "an unprivileged mew: a node opens as its own permissions say, as outside mew"
	[ -x "$T/bin/climb-arm64" ] || skip "no arm64 busybox rootfs or no aarch64-linux-gnu-gcc"
	grep -q "devices" /proc/self/cgroup || skip "no v1 devices controller"
	mknod -m 600 "$T/rootfs-arm64/tmp/kmsg" c 1 11
	run "$T/bin/mew" run --engine emulate --rootfs "$T/rootfs-arm64" -v "$T/bin:/t" -- /t/climb-arm64 dev /tmp/kmsg /tmp/kmsg
	rm -f "$T/rootfs-arm64/tmp/kmsg"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"open a device node of the rootfs: Operation not permitted"* ]]
}

@test "syscall wall: under --sandbox strict the guest has no host pty: no ptmx, an empty /dev/pts" {
	for who in $WHO; do
		run guest "$who" --sandbox strict -- sh -c 'ls -A /dev/pts; ls /dev/ptmx; echo done'
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"/dev/ptmx: No such file or directory"* ]]
		[ "${lines[-1]}" = done ]
		[ "${#lines[@]}" -eq 2 ]
		run guest "$who" --sandbox strict -- /t/climb fast /dev/pts/ptmx
		echo "as $who: $output"
		[[ "$output" == *"walled: openat from the stub's fast syscall: Permission denied"* ]]
	done
}

@test "syscall wall: no guest /dev is left behind" {
	# a TMPDIR of the test's own: other runs of mew keep theirs in /tmp
	mkdir -m 1777 "$T/tmpdir"
	for who in $WHO; do
		TMPDIR=$T/tmpdir run guest "$who" -- sh -c 'touch /dev/shm/left; mkdir /dev/shm/d; chmod 0 /dev/shm/d; ls -d /dev/shm/d'
		[ "$status" -eq 0 ]
		[ "$output" = /dev/shm/d ]
		run ls -A "$T/tmpdir"
		[ "$output" = "" ]
	done
	# without TMPDIR it is made in the host's /dev/shm where that is a
	# tmpfs (no disk), and the guest's /dev/shm is one, as natively
	[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] || skip "the host's /dev/shm is not a tmpfs"
	for who in $WHO; do
		run env -u TMPDIR bash -c "$(declare -f on guest); T=$T; guest $who -- sh -c 'echo \$PPID; stat -f -c %T /dev/shm'"
		echo "as $who: $output"
		[ "$status" -eq 0 ]
		[ "${lines[1]}" = tmpfs ]
		# mew's pid names its directory: gone with the run
		run bash -c "ls -d /dev/shm/mew-dev.${lines[0]}.* 2>/dev/null"
		[ "$output" = "" ]
	done
}

@test "syscall wall: mew engines says what the wall lacks, and --sandbox strict refuses to run without it" {
	run "$MEW" engines
	[[ "${lines[1]}" == *"walled in by Landlock ABI"* ]]
	run "$MEW" run --engine syscall --rootfs "$ROOTFS" --sandbox strict -- true
	[ "$status" -eq 0 ]
	MEW_WALL_ABI=5 run "$MEW" engines
	[[ "$output" == *"wall incomplete: signals to host processes"* ]]
	MEW_WALL_ABI=5 run "$MEW" run --engine syscall --rootfs "$ROOTFS" --sandbox strict -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--sandbox strict: the syscall engine's wall is incomplete here"* ]]
	MEW_WALL_ABI=0 run "$MEW" run --engine emulate --rootfs "$ROOTFS" --sandbox strict -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"no Landlock"* ]]
}

@test "emulate wall: the interpreted guest is behind the same wall" {
	local arm pid
	arm=${ROOTFS%-amd64}-arm64
	[ -d "$arm" ] || skip "no arm64 busybox rootfs at $arm"
	behind self sleep 60
	pid=$!
	run "$MEW" run --engine emulate --rootfs "$arm" -- sh -c "
		cat /proc/$pid/environ; echo 1 > /proc/sys/fs/lease-break-time;
		rm /dev/full; ls /dev/loop0; echo x > /dev/null && echo null-works"
	echo "$output"
	kill "$pid"
	[[ "$output" == *"null-works"* ]]
	[[ "$output" == *"/proc/$pid/environ': Permission denied"* ]]
	[[ "$output" == *"/dev/loop0: No such file or directory"* ]]
	[ -c /dev/full ]
}

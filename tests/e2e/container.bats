#!/usr/bin/env bats
# The container engine: isolation, limits, security defaults, cleanup, bad input.
load helpers

setup() {
	need_root
	[ -d "$ROOTFS" ] || skip "no default rootfs at $ROOTFS"
}

teardown() {
	tmux kill-session -t "mew-tty-$$" 2>/dev/null || true
}

# Cgroups mew left behind, in any layout: those of runs whose mew is gone
# (other runs may be going on at the same time).
leftover_cgroups() {
	local d
	for d in $(find /sys/fs/cgroup -maxdepth 3 -path '*/mew/run-*' -type d 2>/dev/null); do
		kill -0 "${d##*/run-}" 2>/dev/null || echo "$d"
	done
}

@test "the command runs under mew's init as PID 2, init is PID 1" {
	run "$MEW" run -- sh -c 'echo $$; cat /proc/1/comm'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = mew-init ]
}

@test "no host process is visible" {
	sleep 30 &
	local host_pid=$!
	run "$MEW" run -- sh -c "ls /proc | grep -c '^[0-9]'; test -e /proc/$host_pid && echo visible; true"
	kill $host_pid
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -le 4 ]
	[[ "$output" != *visible* ]]
}

@test "own hostname: default and --hostname" {
	run "$MEW" run -- hostname
	[ "$output" = mew ]
	run "$MEW" run --hostname box7 -- hostname
	[ "$output" = box7 ]
	[ "$(hostname)" != box7 ]
}

@test "host mounts are invisible and the rootfs is /" {
	mkdir -p /tmp/mew-host-only && mount -t tmpfs mewhostonly /tmp/mew-host-only
	run "$MEW" run -- cat /proc/self/mountinfo
	umount /tmp/mew-host-only
	[ "$status" -eq 0 ]
	[[ "$output" != *mewhostonly* ]]
	[[ "$output" != *" /work"* ]]
	run "$MEW" run -- cat /.mew-rootfs
	[ "$status" -eq 0 ]
	[[ "$output" == busybox-static* ]]
}

@test "--net none has only loopback, and it is up; --net host sees the host" {
	run "$MEW" run -- ls /sys/class/net
	[ "$output" = lo ]
	run "$MEW" run -- cat /sys/class/net/lo/flags
	[ $(( $output & 1 )) -eq 1 ]
	# The host's default-route interface (others come and go while tests
	# elsewhere make veths) is there with --net host.
	host_if=$(awk '$2 == "00000000" { print $1; exit }' /proc/net/route)
	[ -n "$host_if" ] || host_if=$(ls /sys/class/net | grep -vx lo | head -1)
	[ -n "$host_if" ] || skip "the host has no network interface but loopback"
	run "$MEW" run --net host -- ls /sys/class/net
	echo "$output" | grep -qx "$host_if"
}

@test "/dev is minimal and has the usual nodes" {
	run "$MEW" run -- ls /dev
	[ "$status" -eq 0 ]
	for d in null zero full random urandom tty pts shm mqueue ptmx fd; do
		[[ " $(echo $output) " == *" $d "* ]] || { echo "missing /dev/$d"; false; }
	done
	[[ "$output" != *sda* && "$output" != *vda* && "$output" != *kvm* ]]
	run "$MEW" run -- sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c'
	[ "$output" = 4 ]
}

@test "masked and read-only kernel paths" {
	run "$MEW" run -- sh -c 'cat /proc/keys | wc -c'
	[ "$output" = 0 ]
	run "$MEW" run -- sh -c 'ls /sys/firmware | wc -l'
	[ "$output" = 0 ]
	run "$MEW" run -- sh -c 'echo x > /proc/sys/kernel/domainname'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only"* ]]
	run "$MEW" run -- sh -c 'touch /sys/x'
	[ "$status" -ne 0 ]
}

@test "a memory limit OOM-kills the container and nothing else" {
	run "$MEW" run --memory 32m -- sh -c 'head -c 200m /dev/zero | tail > /dev/null'
	[ "$status" -eq 137 ]
	# The same work without the limit succeeds: the limit did it.
	run "$MEW" run -- sh -c 'head -c 100m /dev/zero | tail > /dev/null'
	[ "$status" -eq 0 ]
}

@test "a fork bomb stops at the pids limit" {
	run "$MEW" run --pids 10 -- sh -c 'for i in $(seq 30); do sleep 3 & done; echo done'
	[[ "$output" == *"can't fork"* ]]
}

# The command's own first read: its groups, as mounted at /sys/fs/cgroup
# from where it is, hold its limits and list init (1) and the command (2),
# in the container's pid namespace.  Entered at birth (clone3 into a v2
# group, the child's own `tasks` write in v1), and the old way, every pid
# written to cgroup.procs by mew (MEW_CGROUP_BIRTH=procs, what a kernel
# without clone3 gets): either way, in before it runs.
@test "the command is in the container's groups from its first instruction, however they were entered" {
	local files="/sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids/cgroup.procs
		/sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/cgroup.procs" birth
	[ -e /sys/fs/cgroup/cgroup.controllers ] &&
		files="/sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max /sys/fs/cgroup/cgroup.procs"
	for birth in clone procs; do
		run env MEW_CGROUP_BIRTH=$birth "$MEW" run --memory 48m --pids 21 -- cat $files
		echo "$birth: $output"
		[ "$status" -eq 0 ]
		if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
			[ "$(echo $output)" = "21 50331648 1 2" ]
		else
			[ "$(echo $output)" = "21 1 2 50331648 1 2" ]
		fi
	done
}

@test "the limits hold when the groups are entered by cgroup.procs (no clone3)" {
	run env MEW_CGROUP_BIRTH=procs "$MEW" run --pids 10 -- sh -c 'for i in $(seq 30); do sleep 3 & done; echo done'
	[[ "$output" == *"can't fork"* ]]
	run env MEW_CGROUP_BIRTH=procs "$MEW" run --memory 32m -- sh -c 'head -c 200m /dev/zero | tail > /dev/null'
	[ "$status" -eq 137 ]
}

@test "limits are written to the cgroup" {
	"$MEW" run --memory 48m --pids 33 --cpus 0.5 -- sleep 3 &
	local mew_pid=$!
	local mode=v1
	[ -e /sys/fs/cgroup/cgroup.controllers ] && mode=v2
	for i in $(seq 50); do
		if [ $mode = v1 ] && [ -e /sys/fs/cgroup/cpu/mew/run-$mew_pid/cpu.cfs_quota_us ]; then break; fi
		if [ $mode = v2 ] && [ -e /sys/fs/cgroup/mew/run-$mew_pid/cpu.max ]; then break; fi
		sleep 0.1
	done
	if [ $mode = v1 ]; then
		quota=$(cat /sys/fs/cgroup/cpu/mew/run-$mew_pid/cpu.cfs_quota_us)
		mem=$(cat /sys/fs/cgroup/memory/mew/run-$mew_pid/memory.limit_in_bytes)
		pids=$(cat /sys/fs/cgroup/pids/mew/run-$mew_pid/pids.max)
	else
		quota=$(cut -d' ' -f1 /sys/fs/cgroup/mew/run-$mew_pid/cpu.max)
		mem=$(cat /sys/fs/cgroup/mew/run-$mew_pid/memory.max)
		pids=$(cat /sys/fs/cgroup/mew/run-$mew_pid/pids.max)
	fi
	kill -TERM $mew_pid
	wait $mew_pid || true
	[ "$quota" = 50000 ]
	[ "$mem" = $((48 * 1024 * 1024)) ]
	[ "$pids" = 33 ]
}

@test "default capabilities, no_new_privs and seccomp" {
	run "$MEW" run -- sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status'
	[ "$status" -eq 0 ]
	# docker's default set
	[[ "$output" == *"CapEff:	00000000a80425fb"* ]]
	[[ "$output" == *"CapBnd:	00000000a80425fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
}

@test "reboot, mount and module loading are denied" {
	run "$MEW" run -- reboot -f
	[ "$status" -ne 0 ]
	[[ "$output" == *"not permitted"* ]]
	# the denial itself: busybox says so for EPERM (no CAP_SYS_ADMIN), not
	# for a missing mount point or filesystem
	run "$MEW" run -- mount -t tmpfs x /tmp
	[ "$status" -eq 1 ]
	[ "$output" = "mount: permission denied (are you root?)" ]
	run "$MEW" run -- sh -c 'unshare -n true'
	[ "$status" -eq 1 ]
	[ "$output" = "unshare: unshare(0x40000000): Operation not permitted" ]
}

@test "a rootless run as a non-root user maps uid 0 to that user" {
	local d
	d=$(mktemp -d /tmp/mew-rootless.XXXXXX)
	cp "$MEW" "$d/mew"
	chmod 755 "$d" "$d/mew"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp "$d/mew" run --rootfs "$ROOTFS" -- \
		sh -c 'id -u; cat /proc/self/uid_map; echo $$; hostname'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ +0\ +65534\ +1$ ]]
	[ "${lines[2]}" = 2 ]
	[ "${lines[3]}" = mew ]
	# mount fails in a rootless container
	run setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp "$d/mew" run --rootfs "$ROOTFS" -- \
		mount -t tmpfs x /tmp
	[ "$status" -eq 1 ]
	[ "$output" = "mount: permission denied (are you root?)" ]
	rm -rf "$d"
}

@test "env, workdir and user" {
	run "$MEW" run -e FOO=bar -w /etc -u 1000:1001 -- sh -c 'echo $FOO; pwd; id -u; id -g'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /etc ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1001 ]
	run "$MEW" run -u 1000 -- sh -c 'grep CapEff /proc/self/status'
	[[ "$output" == *"0000000000000000"* ]]
}

@test "volumes: read-write and read-only" {
	local d r
	d=$(mktemp -d)
	# Mount points are made in the rootfs, as runc does: use a copy of it.
	r=$(mktemp -d)
	cp -a "$ROOTFS/." "$r/"
	echo inside > "$d/file"
	run "$MEW" run --rootfs "$r" -v "$d:/data" -- sh -c 'cat /data/file; echo new > /data/out'
	[ "$status" -eq 0 ]
	[ "$output" = inside ]
	[ "$(cat "$d/out")" = new ]
	run "$MEW" run --rootfs "$r" -v "$d:/data:ro" -- sh -c 'echo x > /data/out2'
	[ "$status" -ne 0 ]
	[ ! -e "$d/out2" ]
	# a single file can be bound, to a path that does not exist yet
	run "$MEW" run --rootfs "$r" -v "$d/file:/opt/new/file" -- cat /opt/new/file
	[ "$output" = inside ]
	rm -rf "$d" "$r"
}

@test "a volume target that is a symlink out of the rootfs stays inside" {
	local r d
	r=$(mktemp -d)
	cp -a "$ROOTFS/." "$r/"
	ln -s /etc "$r/escape"
	d=$(mktemp -d)
	echo marker > "$d/marker"
	run "$MEW" run --rootfs "$r" -v "$d:/escape/sub" -- cat /etc/sub/marker
	[ "$status" -eq 0 ]
	[ "$output" = marker ]
	[ ! -e /etc/sub ]
	rm -rf "$r" "$d"
}

@test "--read-only makes the rootfs read-only" {
	run "$MEW" run --read-only -- touch /newfile
	[ "$status" -ne 0 ]
	[ ! -e "$ROOTFS/newfile" ]
	run "$MEW" run --read-only -- sh -c 'echo ok > /dev/shm/x && cat /dev/shm/x'
	[ "$output" = ok ]
}

@test "exit statuses: the command's own, and 128+N for a signal" {
	run "$MEW" run -- sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run "$MEW" run -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
}

@test "stdout and stderr pass through separately; stdin only with -i" {
	run bash -c "'$MEW' run -- sh -c 'echo out; echo err >&2' 2>/dev/null"
	[ "$output" = out ]
	run bash -c "'$MEW' run -- sh -c 'echo out; echo err >&2' 2>&1 >/dev/null"
	[ "$output" = err ]
	run bash -c "echo piped | '$MEW' run -i -- cat"
	[ "$output" = piped ]
	run bash -c "echo piped | '$MEW' run -- cat"
	[ "$output" = "" ]
}

@test "-t gives a terminal with the caller's window size" {
	command -v script >/dev/null || skip "script(1) not installed"
	run script -qec "stty cols 91 rows 27; '$MEW' run -it -- sh -c 'tty; stty size; echo \$TERM'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/console"* ]]
	[[ "$output" == *"27 91"* ]]
	[[ "$output" == *xterm* ]]
}

@test "SIGTERM to mew reaches the command" {
	"$MEW" run -- sh -c 'trap "echo got-term; exit 3" TERM; echo ready; sleep 20 & wait' > "$BATS_TEST_TMPDIR/out" &
	local pid=$! i
	# the signal once the trap is set (a fixed sleep lost the race on a loaded host)
	for i in $(seq 200); do
		grep -q ready "$BATS_TEST_TMPDIR/out" && break
		sleep 0.05
	done
	kill -TERM $pid
	local s=0
	wait $pid || s=$?
	[ "$s" -eq 3 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "ready
got-term" ]
}

@test "nothing is left behind after a normal run" {
	"$MEW" run --memory 64m --pids 50 -- true
	[ -z "$(leftover_cgroups)" ]
}

@test "SIGKILL of mew kills the container; the next run removes its cgroup" {
	"$MEW" run --memory 64m -- sleep 60 &
	local mew_pid=$!
	local cg=
	for i in $(seq 50); do
		cg=$(find /sys/fs/cgroup -maxdepth 3 -path "*/mew/run-$mew_pid" -type d | head -n1)
		[ -n "$cg" ] && [ -s "$cg/cgroup.procs" ] && break
		sleep 0.1
	done
	[ -n "$cg" ]
	local inner
	inner=$(head -n1 "$cg/cgroup.procs")
	kill -KILL $mew_pid
	wait $mew_pid || true
	for i in $(seq 50); do kill -0 "$inner" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$inner" 2>/dev/null
	"$MEW" run -- true
	[ ! -d "$cg" ]
	[ -z "$(leftover_cgroups)" ]
}

@test "bad input: a rootfs without the command exits 127 and names it" {
	run "$MEW" run -- no-such-command
	[ "$status" -eq 127 ]
	[[ "$output" == "mew: exec \`no-such-command\`"* ]]
}

@test "bad input: a command that is not executable exits 126" {
	run "$MEW" run -- /etc/passwd
	[ "$status" -eq 126 ]
	[[ "$output" == "mew: exec \`/etc/passwd\`: Permission denied"* ]]
}

@test "bad input: a volume whose host path does not exist exits 125 and names it" {
	run "$MEW" run -v /no/such/dir:/mnt -- true
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: volume source \`/no/such/dir\`"* ]]
	[ -z "$(leftover_cgroups)" ]
}

@test "bad input: a bad size, a missing rootfs and an unknown flag leave nothing behind" {
	run "$MEW" run --memory 12XB -- true
	[ "$status" -eq 125 ]
	run "$MEW" run --memory 64m --rootfs /nonexistent -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"/nonexistent"* ]]
	run "$MEW" run --memory 64m --bogus -- true
	[ "$status" -eq 125 ]
	[ -z "$(leftover_cgroups)" ]
}

# Wait (up to 10 s) until tmux session $1's screen shows $2.
pane_shows() {
	for _ in $(seq 100); do
		tmux capture-pane -p -t "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	tmux capture-pane -p -t "$1"
	return 1
}

@test "-it: an interactive shell in tmux follows a window resize and exits with its status" {
	command -v tmux >/dev/null || skip "tmux not installed"
	local s=mew-tty-$$
	tmux new-session -d -s "$s" -x 100 -y 30 "'$MEW' run -it -- sh; echo mew-exit=\$?; sleep 30"
	pane_shows "$s" '/ #'
	tmux send-keys -t "$s" 'stty size' Enter
	pane_shows "$s" '30 100'
	tmux resize-window -t "$s" -x 120 -y 40
	tmux send-keys -t "$s" 'stty size' Enter
	pane_shows "$s" '40 120'
	tmux send-keys -t "$s" 'exit 5' Enter
	pane_shows "$s" 'mew-exit=5'
	tmux kill-session -t "$s"
}

@test "/sys/fs/cgroup is read-only and shows the container's own limits" {
	run "$MEW" run --memory 48m --pids 21 -- sh -c '
		if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
			cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
		else
			cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
		fi
		mkdir /sys/fs/cgroup/pids/x 2>/dev/null || mkdir /sys/fs/cgroup/x 2>/dev/null || echo read-only'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $((48 * 1024 * 1024)) ]
	[ "${lines[1]}" = 21 ]
	[ "${lines[2]}" = read-only ]
}

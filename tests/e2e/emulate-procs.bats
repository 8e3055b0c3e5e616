#!/usr/bin/env bats
# The emulate engine's process tree: nothing outlives the run, not even when
# mew is killed; limits are applied with a cgroup (root) or refused.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export A=${ROOTFS%-amd64}-arm64
	bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-busybox.sh" arm64 >/dev/null 2>&1 || true
}

need_arm64() {
	[ -x "$A/bin/busybox" ] || skip "no arm64 busybox rootfs (busybox-static:arm64 not downloadable)"
}

# pids of the processes running `sleep N` (the guest's sleeps re-execute mew
# as `mew __a64-exec ... sleep N`, which writes the guest's argv over its own,
# padded with NULs: pgrep sees "sleep N" and blanks)
sleepers() {
	pgrep -f "^sleep $1 *\$" || true
}

# wait up to 10 s for cmd to print nothing
gone() {
	for _ in $(seq 100); do
		[ -z "$("$@")" ] && return 0
		sleep 0.1
	done
	return 1
}

@test "emulate: SIGKILL of mew takes the guest's children and grandchildren with it" {
	need_arm64
	n=$((200000 + RANDOM))
	"$MEW" run --engine emulate --rootfs "$A" -- sh -c "sleep $n & (sleep $n &); sleep $n" >/dev/null 2>&1 3>&- &
	mew=$!
	for _ in $(seq 100); do
		[ "$(sleepers $n | wc -l)" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(sleepers $n | wc -l)" -ge 3 ]
	kill -9 "$mew"
	wait "$mew" || true
	if ! gone sleepers $n; then
		left=$(sleepers $n)
		kill -9 $left
		echo "left running: $left"
		false
	fi
}

@test "emulate: what the guest leaves running is stopped when its command exits" {
	need_arm64
	n=$((200000 + RANDOM))
	run "$MEW" run --engine emulate --rootfs "$A" -- sh -c "sleep $n >/dev/null 2>&1 & (sleep $n >/dev/null 2>&1 &); echo started; exit 4"
	[ "$status" -eq 4 ]
	[ "$output" = started ]
	[ -z "$(sleepers $n)" ] || { kill -9 $(sleepers $n); false; }
}

@test "emulate: SIGTERM to mew reaches the guest" {
	need_arm64
	"$MEW" run --engine emulate --rootfs "$A" -- sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >"$BATS_TEST_TMPDIR/out" 3>&- &
	mew=$!
	for _ in $(seq 100); do
		grep -q ready "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -TERM "$mew"
	st=0
	wait "$mew" || st=$?
	[ "$st" -eq 7 ]
	grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "emulate: --pids limits the guest's processes" {
	need_arm64
	need_root
	[ -d /sys/fs/cgroup/pids ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no pids cgroup controller"
	script='for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; echo end'
	run "$MEW" run --engine emulate --pids 6 --rootfs "$A" -- sh -c "$script"
	[[ "$output" == *"can't fork"* ]]
	run "$MEW" run --engine emulate --rootfs "$A" -- sh -c "$script"
	[ "$status" -eq 0 ]
	[ "$output" = end ]
}

# The keeper is born into the run's groups (clone3 into a v2 group, its own
# `tasks` write in v1) or put there by cgroup.procs (MEW_CGROUP_BIRTH=procs),
# before the guest exists: the guest's first read names the run's group.
@test "emulate: the guest is in the run's groups from its first instruction, however they were entered" {
	local birth want='^[0-9]+:pids:/mew/run-[0-9]+$'
	need_arm64
	need_root
	[ -d /sys/fs/cgroup/pids ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no pids cgroup controller"
	[ -f /sys/fs/cgroup/cgroup.controllers ] && want='^0::/mew/run-[0-9]+$'
	for birth in clone procs; do
		run env MEW_CGROUP_BIRTH=$birth "$MEW" run --engine emulate --pids 20 --rootfs "$A" -- cat /proc/self/cgroup
		echo "$birth: $output"
		[ "$status" -eq 0 ]
		echo "$output" | grep -qE "$want"
	done
}

@test "emulate: --memory limits the guest's memory" {
	need_arm64
	need_root
	[ "$(awk '/SwapTotal/ {print $2}' /proc/meminfo)" = 0 ] || skip "swap would absorb the limit"
	run "$MEW" run --engine emulate --memory 16m --rootfs "$A" -- dd if=/dev/zero of=/dev/null bs=64M count=1
	[ "$status" -eq 137 ]
	run "$MEW" run --engine emulate --rootfs "$A" -- dd if=/dev/zero of=/dev/null bs=64M count=1
	[ "$status" -eq 0 ]
}

@test "emulate: --cpus sets the guest's CPU quota" {
	need_arm64
	need_root
	# the guest reads its own group's quota (v1: cpu.cfs_quota_us, v2: cpu.max)
	script='p=$(grep -E "^[0-9]+:([^:]*,)?cpu(,[^:]*)?:" /proc/self/cgroup | cut -d: -f3)
		if [ -n "$p" ]; then cat /sys/fs/cgroup/cpu$p/cpu.cfs_quota_us
		else cut -d" " -f1 /sys/fs/cgroup$(grep "^0::" /proc/self/cgroup | cut -d: -f3)/cpu.max; fi'
	run "$MEW" run --engine emulate --cpus 0.5 --rootfs "$A" -- sh -c "$script"
	[ "$status" -eq 0 ]
	[ "$output" = 50000 ]
}

@test "emulate: without root, --memory, --pids and --cpus are refused, each by name" {
	need_arm64
	command -v setpriv >/dev/null || skip "no setpriv"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become another user"
	for f in "--memory 64m" "--pids 10" "--cpus 0.5"; do
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$MEW" run --engine emulate $f --rootfs "$A" -- true
		[ "$status" -eq 125 ]
		[[ "$output" == "mew: ${f% *}: "*root* ]]
	done
}

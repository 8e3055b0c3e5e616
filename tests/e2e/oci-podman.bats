#!/usr/bin/env bats
# Debian's podman drives mew: `podman --runtime build/mew-runc`.
#
# The options this host needs, kept here on purpose:
#   --cgroup-manager cgroupfs  no systemd to ask for cgroups
#   --events-backend file      no journald
#   --storage-driver vfs       works on any filesystem (no overlay mounts);
#                              with --rootfs no image is stored anyway
#   --root/--runroot           a private store, removed afterwards
#   --ulimit nofile=...,nproc=...  podman raises these to 1048576 by default,
#                              which a host without CAP_SYS_RESOURCE in its
#                              bounding set (like this one) refuses; runc
#                              and crun fail the same way without them
load helpers
load oci-image

setup() {
	need_root
	command -v podman >/dev/null || skip "podman is not installed"
	RT="$(cd "$(dirname "$MEW")" && pwd)/mew-runc"
	[ -x "$RT" ] || skip "build/mew-runc is missing (make)"
	STORE=$(mktemp -d /var/tmp/mew-podman.XXXXXX)
	P=(podman --cgroup-manager cgroupfs --events-backend file --storage-driver vfs
	   --root "$STORE/root" --runroot "$STORE/runroot" --tmpdir "$STORE/tmp" --runtime "$RT")
	U=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
}

teardown() {
	[ -n "${STORE:-}" ] || return 0
	"${P[@]}" rm -af -t 0 >/dev/null 2>&1
	# conmon runs `podman container cleanup` on its own after an exit: let
	# it finish, or it makes the store again after we removed it
	for _ in $(seq 100); do pgrep -f -- "$STORE" >/dev/null || break; sleep 0.1; done
	umount -R "$STORE" 2>/dev/null
	rm -rf "$STORE"
}

@test "podman: run --rm prints hi" {
	run "${P[@]}" run --rm "${U[@]}" --rootfs "$ROOTFS" /bin/sh -c 'echo hi'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "podman: the exit status comes back" {
	run "${P[@]}" run --rm "${U[@]}" --rootfs "$ROOTFS" /bin/sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "podman: -it gets a terminal through --console-socket" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	# podman attaches to conmon after the start: output written before
	# that is lost with any runtime (podman#9859, runc's too), so the
	# command waits a moment first, as podman's own tests do
	run script -qec "${P[*]} run -it --rm ${U[*]} --rootfs $ROOTFS /bin/sh -c 'sleep 1; test -t 0 && test -t 1 && echo tty-ok'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *tty-ok* ]]
}

@test "podman: --memory sets the container's memory limit" {
	run "${P[@]}" run --rm "${U[@]}" --memory 64m --rootfs "$ROOTFS" /bin/sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 67108864 ]
}

@test "podman: exec, stop and rm -f" {
	run "${P[@]}" run -d --name mew-pod-$$ "${U[@]}" --rootfs "$ROOTFS" /bin/sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	echo "$output"
	[ "$status" -eq 0 ]
	run "${P[@]}" exec mew-pod-$$ /bin/sh -c 'echo in $(hostname); cat /proc/1/cmdline | tr "\0" " "'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "in "* ]]
	[[ "${lines[1]}" == "/bin/sh -c trap"* ]]
	run "${P[@]}" exec mew-pod-$$ /bin/sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run "${P[@]}" stop -t 10 mew-pod-$$
	[ "$status" -eq 0 ]
	run "${P[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' mew-pod-$$
	echo "$output"
	[ "$output" = "exited 0" ]
	run "${P[@]}" rm -f mew-pod-$$
	[ "$status" -eq 0 ]
	run "${P[@]}" ps -aq
	[ -z "$output" ]
}

@test "podman: --read-only, --privileged, --device, --user, --pid host, seccomp=unconfined" {
	run "${P[@]}" run --rm "${U[@]}" --read-only --rootfs "$ROOTFS" /bin/sh -c 'touch /x || echo ro; touch /tmp/x && echo tmp-rw'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *ro*tmp-rw* ]]
	run "${P[@]}" run --rm "${U[@]}" --privileged --rootfs "$ROOTFS" /bin/sh -c 'grep CapEff /proc/self/status; test -c /dev/null && echo dev-ok'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:"*"000001ff"*dev-ok* || "$output" == *"CapEff:"*"0000003f"*dev-ok* ]]
	run "${P[@]}" run --rm "${U[@]}" --device /dev/null:/dev/extra --rootfs "$ROOTFS" /bin/sh -c 'test -c /dev/extra && echo extra-ok'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = extra-ok ]
	run "${P[@]}" run --rm "${U[@]}" --user 1000:1000 --pid host --security-opt seccomp=unconfined --rootfs "$ROOTFS" /bin/sh -c 'id -u; test -d /proc/1 && ! grep -q "^/bin/sh" /proc/1/cmdline && echo host-pids'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = host-pids ]
}

@test "podman: exec -it gets a terminal of the container's own devpts" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	run "${P[@]}" run -d --name mew-it-$$ "${U[@]}" --rootfs "$ROOTFS" /bin/sleep 1000
	[ "$status" -eq 0 ]
	run script -qec "${P[*]} exec -it mew-it-$$ /bin/sh -c 'tty; echo exec-tty-ok'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == */dev/pts/0* ]]
	[[ "$output" == *exec-tty-ok* ]]
}

@test "podman: rm -f removes a running container and its state" {
	run "${P[@]}" run -d --name mew-rm-$$ "${U[@]}" --rootfs "$ROOTFS" /bin/sleep 1000
	[ "$status" -eq 0 ]
	id=$output
	[ -d "/run/mew-runtime/$id" ]
	run "${P[@]}" rm -f -t 0 mew-rm-$$
	[ "$status" -eq 0 ]
	[ ! -e "/run/mew-runtime/$id" ]
	[ ! -e "/sys/fs/cgroup/memory/libpod_parent/libpod-$id" ]
}

@test "podman: an image loaded from an OCI archive runs" {
	oci_archive "$ROOTFS" "$STORE/busybox-oci.tar"
	run "${P[@]}" load -i "$STORE/busybox-oci.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	run "${P[@]}" run --rm "${U[@]}" docker.io/mew/busybox:latest /bin/sh -c 'echo from-image; test -x /bin/busybox'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-image ]
}

@test "podman: --runtime mew-syscall runs the container under the syscall engine" {
	[ -x "$(dirname "$RT")/mew-syscall" ] || skip "build/mew-syscall is missing (make)"
	P[${#P[@]}-1]="$(dirname "$RT")/mew-syscall"
	run "${P[@]}" run -d "${U[@]}" --name mew-sys-$$ --rootfs "$ROOTFS" /bin/sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	# the container's process 1 is the static mew running the engine
	pid=$("${P[@]}" inspect -f '{{.State.Pid}}' mew-sys-$$)
	[ "$(readlink "/proc/$pid/exe")" = "$(dirname "$RT")/mew-aarch64" ]
	run "${P[@]}" exec mew-sys-$$ /bin/sh -c 'echo hi; exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$output" = hi ]
	run "${P[@]}" rm -f -t 0 mew-sys-$$
	[ "$status" -eq 0 ]
}

@test "podman: --annotation run.mew.engine=emulate runs an arm64 rootfs without binfmt_misc" {
	arm64=${ROOTFS%-amd64}-arm64
	[ -x "$arm64/bin/busybox" ] || skip "no arm64 busybox rootfs at $arm64"
	run "${P[@]}" run --rm "${U[@]}" --annotation run.mew.engine=emulate --rootfs "$arm64" /bin/uname -m
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = aarch64 ]
}

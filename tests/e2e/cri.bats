#!/usr/bin/env bats
# Kubernetes through CRI: Debian's containerd, whose CRI plugin has a runtime
# handler per mew engine (runtime_type io.containerd.runc.v2, BinaryName
# build/mew-runc, mew-syscall, mew-emulate), driven as the kubelet drives it
# (RunPodSandbox with a handler, CreateContainer, StartContainer, ExecSync,
# ContainerStatus, the log file, StopContainer, StopPodSandbox,
# RemovePodSandbox) by tests/e2e/cri/client.py, a small client on Debian's
# python3-grpcio with the CRI protocol in tests/e2e/cri/api.proto.
#
# No registry: the images are imported (`ctr -n k8s.io images import`) from
# OCI archives built here, the busybox rootfs and a pause image holding only
# tests/e2e/cri/pause.c built static.  Pods use the host's network, but one
# whose network is its own (Debian's CNI bridge and host-local plugins, on a
# bridge of this run's own).
# containerd runs once for the file, privately (socket, root, state, the
# shim's runc root, the pods' network namespaces and logs under one temporary
# directory), and teardown_file leaves nothing: pods removed through CRI,
# containerd stopped, any container or shim of it still there stopped, the
# bridge deleted, mounts under the directory detached, the pods' cgroups
# (whose parent the kubelet would own) removed, the directory deleted.
load helpers
load oci-image
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	BUILD="$(cd "$(dirname "$MEW")" && pwd)"
	export BUILD CRI_DIR="$BATS_TEST_DIRNAME/cri" CNI_BIN=/usr/lib/cni
	cri_missing >/dev/null && return 0
	D=$(mktemp -d /var/tmp/mew-cri.XXXXXX)
	chmod 755 "$D"
	# the pods' cgroup parent, as the kubelet's /kubepods/... would be
	export D SOCK=$D/containerd.sock CGP=/mew-cri-${D##*.} ARM64=${ROOTFS%-amd64}-arm64 BR=mewcri${D##*.}
	mkdir -p "$D/py" "$D/logs" "$D/pause/dev" "$D/pause/proc" "$D/pause/etc"
	protoc -I "$CRI_DIR" --python_out="$D/py" "$CRI_DIR/api.proto"
	cc -static -Os -o "$D/pause/pause" "$CRI_DIR/pause.c"
	oci_archive "$D/pause" "$D/pause.tar" docker.io/mew/pause:1 amd64 '{"Entrypoint":["/pause"]}'
	oci_archive "$ROOTFS" "$D/busybox.tar"
	# Pods of their own network get it from Debian's CNI plugins: a bridge of
	# this run's own with no address on the host side, addresses kept in $D
	mkdir -p "$D/cni"
	cat >"$D/cni/10-mew.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "mew-cri",
  "plugins": [ { "type": "bridge", "bridge": "$BR", "isGateway": false, "ipMasq": false,
		 "ipam": { "type": "host-local", "ranges": [ [ { "subnet": "10.233.7.0/24" } ] ],
			   "dataDir": "$D/cni/ipam" } } ] }
EOF
	cat >"$D/config.toml" <<EOF
version = 2
root = "$D/root"
state = "$D/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
		    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
		    "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/mew/pause:1"
  disable_apparmor = true
  # the pause's -998 and lower need CAP_SYS_RESOURCE, which a host that is
  # itself a container may not give: no lower than containerd's own then
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  # pods of their own network: the netns under the state directory
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$D/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "mew-runc"
$(cri_handler mew-runc '"run.mew.engine"')
$(cri_handler mew-syscall)
$(cri_handler mew-emulate)
EOF
	# (not holding bats's descriptor 3: a shim left running would hang bats)
	containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 3>&- &
	echo $! >"$D/containerd.pid"
	for _ in $(seq 100); do
		cri Version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctr -a "$SOCK" -n k8s.io images import --snapshotter native "$D/pause.tar" >/dev/null
	ctr -a "$SOCK" -n k8s.io images import --snapshotter native "$D/busybox.tar" >/dev/null
	if [ -x "$ARM64/bin/busybox" ]; then
		oci_archive "$ARM64" "$D/busybox-arm64.tar" docker.io/mew/busybox-arm64:latest arm64
		ctr -a "$SOCK" -n k8s.io images import --snapshotter native --platform linux/arm64 \
			"$D/busybox-arm64.tar" >/dev/null
	fi
}

# cri_handler NAME [POD_ANNOTATION...]: a runtime handler running build/NAME.
cri_handler() {
	local name=$1 p="[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$1"
	shift
	local ann
	ann=$(IFS=,; echo "$*")
	cat <<EOF
    $p]
      runtime_type = "io.containerd.runc.v2"
      pod_annotations = [$ann]
      $p.options]
        BinaryName = "$BUILD/$name"
        Root = "$D/runc"
EOF
}

# What this host lacks for the test, if anything.
cri_missing() {
	local t
	for t in containerd ctr containerd-shim-runc-v2 protoc cc jq ip; do
		command -v $t >/dev/null || { echo "$t is not installed"; return 0; }
	done
	[ -x "$CNI_BIN/bridge" ] && [ -x "$CNI_BIN/host-local" ] && [ -x "$CNI_BIN/loopback" ] ||
		{ echo "containernetworking-plugins is not installed"; return 0; }
	/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
		{ echo "python3-grpcio or python3-protobuf is not installed"; return 0; }
	for t in mew-runc mew-syscall mew-emulate mew-aarch64; do
		[ -x "$BUILD/$t" ] || { echo "build/$t is missing (make)"; return 0; }
	done
	return 1
}

teardown_file() {
	[ -n "${D:-}" ] && [ -d "$D" ] || return 0
	local id pid f
	if [ -f "$D/containerd.pid" ] && kill -0 "$(cat "$D/containerd.pid")" 2>/dev/null; then
		for id in $(cri ListPodSandbox 2>/dev/null | jq -r '.items[]?.id'); do
			cri StopPodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null 2>&1
			cri RemovePodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null 2>&1
		done
		pid=$(cat "$D/containerd.pid")
		kill "$pid"
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	# what a failed run left: the containers, then the shims this containerd
	# started (named by its socket, unique to this run)
	for f in "$D"/runc/k8s.io/*; do
		[ -d "$f" ] && "$BUILD/mew-runc" --root "$D/runc/k8s.io" delete --force "${f##*/}" >/dev/null 2>&1
	done
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' <"$f" 2>/dev/null | grep -q "^[^ ]*containerd-shim-runc-v2 .*-address $SOCK " &&
			pid=${f#/proc/} && kill "${pid%/cmdline}" 2>/dev/null
	done
	ip link del "$BR" 2>/dev/null
	grep -F " $D/" /proc/self/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l 2>/dev/null
	for f in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/"$CGP"; do
		[ -d "$f" ] && find "$f" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$D"
}

setup() {
	need_root
	local why
	why=$(cri_missing) && skip "$why"
	[ -S "$SOCK" ] || { cat "$D/containerd.log"; false; }
}

# cri METHOD [REQUEST_JSON]: the response as JSON.
cri() {
	/usr/bin/python3 "$CRI_DIR/client.py" "$D/py" "$SOCK" "$@"
}

# The PodSandboxConfig of pod NAME, as the kubelet writes it for a pod on the
# host's network (hostNetwork: no hostname then, the node's UTS namespace),
# or, with NET=pod in the environment, of its own (CNI) and named NAME.
pod_config() { # NAME [ANNOTATIONS_JSON]
	local net='"hostname": "'$1'", "linux": { "cgroup_parent": "'$CGP/pod-$1'" }'
	[ "${NET:-}" = pod ] || net='"linux": { "cgroup_parent": "'$CGP/pod-$1'",
	     "security_context": { "namespace_options": { "network": "NODE" } } }'
	cat <<EOF
{ "metadata": { "name": "$1", "uid": "uid-$1", "namespace": "mew-e2e" },
  "log_directory": "$D/logs/$1", "annotations": ${2:-{\}}, $net }
EOF
}

# pod NAME HANDLER [ANNOTATIONS_JSON]: run a pod sandbox; prints its id.
pod() {
	local out
	# kept for CreateContainer's sandbox_config, which the kubelet sends whole
	pod_config "$1" "${3:-}" >"$D/logs/$1.json"
	out=$(cri RunPodSandbox "{ \"runtime_handler\": \"$2\", \"config\": $(cat "$D/logs/$1.json") }") &&
		jq -re .podSandboxId <<<"$out"
}

# container POD_ID POD_NAME NAME ARGS_JSON [IMAGE]: create one (from busybox); prints its id.
container() {
	local out
	out=$(cri CreateContainer "$(cat <<EOF
{ "pod_sandbox_id": "$1",
  "config": { "metadata": { "name": "$3" }, "image": { "image": "${5:-docker.io/mew/busybox:latest}" },
	      "command": $4, "log_path": "$3.log",
	      "envs": [ { "key": "WHO", "value": "$3" } ] },
  "sandbox_config": $(cat "$D/logs/$2.json") }
EOF
)") && jq -re .containerId <<<"$out"
}

# The host pid of a running container's process 1 (ContainerStatus's verbose info).
pid_of() {
	cri ContainerStatus "{\"container_id\": \"$1\", \"verbose\": true}" | jq -re '.info.info | fromjson | .pid'
}

# exec_out ID CMD...: ExecSync's stdout; its exit code in $exec_status.
exec_sync() {
	local id=$1 args
	shift
	args=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	cri ExecSync "{\"container_id\": \"$id\", \"cmd\": $args, \"timeout\": 60}"
}

@test "cri: containerd's CRI plugin is up and sees the imported images" {
	run cri Version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .runtimeName <<<"$output")" = containerd ]
	[ "$(jq -r .runtimeApiVersion <<<"$output")" = v1 ]
	for img in docker.io/mew/pause:1 docker.io/mew/busybox:latest; do
		run cri ImageStatus "{\"image\": {\"image\": \"$img\"}}"
		echo "$output"
		[ "$status" -eq 0 ]
		jq -e --arg i "$img" '.image.repoTags | index($i)' <<<"$output"
	done
}

# Nothing of pod P or container C is left: the runtime's state, mounts, cgroups.
gone() { # ID...
	local id
	for id in "$@"; do
		[ ! -e "$D/runc/k8s.io/$id" ] || { echo "state of $id left"; return 1; }
		! grep -q "$id" /proc/self/mounts || { echo "a mount of $id left"; return 1; }
		! ls -d /sys/fs/cgroup/*/"$CGP"/*/"$id" 2>/dev/null || { echo "cgroup of $id left"; return 1; }
	done
}

@test "cri: a pod on the mew-runc handler, as the kubelet runs it (create, start, exec, status, logs, stop, remove)" {
	P=$(pod web mew-runc)
	# the pod's pause container is mew's: its state is in the shim's runc root
	grep -q '"start_time"' "$D/runc/k8s.io/$P/state.json"
	C=$(container "$P" web app '["/bin/sh", "-c", "echo started $WHO; echo to-stderr >&2; exec sleep 1000"]')
	cri StartContainer "{\"container_id\": \"$C\"}"
	run cri ContainerStatus "{\"container_id\": \"$C\"}"
	echo "$output"
	[ "$(jq -r .status.state <<<"$output")" = CONTAINER_RUNNING ]
	# the container engine: the process is the image's own program
	pid=$(pid_of "$C")
	[[ "$(readlink "/proc/$pid/exe")" == */bin/busybox ]]
	# UpdateContainerResources reaches the container's cgroup (mew's update)
	cri UpdateContainerResources "{\"container_id\": \"$C\", \"linux\": {\"memory_limit_in_bytes\": 67108864}}"
	[ "$(cat /sys/fs/cgroup/memory/$CGP/pod-web/$C/memory.limit_in_bytes 2>/dev/null ||
		cat /sys/fs/cgroup/$CGP/pod-web/$C/memory.max)" = 67108864 ]
	# ContainerStats reads it (the kubelet's, for kubectl top)
	run cri ContainerStats "{\"container_id\": \"$C\"}"
	echo "$output"
	[ "$(jq -r .stats.attributes.id <<<"$output")" = "$C" ]
	[ "$(jq -r .stats.memory.usageBytes.value <<<"$output")" -gt 0 ]
	# ExecSync in the container, in the pod's pid namespace (pause is 1)
	run exec_sync "$C" /bin/sh -c 'echo $WHO $(cat /proc/1/cmdline); echo err >&2; exit 3'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .stdout <<<"$output" | base64 -d)" = "app /pause" ]
	[ "$(jq -r .stderr <<<"$output" | base64 -d)" = err ]
	[ "$(jq -r .exitCode <<<"$output")" = 3 ]
	# the log file in CRI's format: time stream tag message
	grep -Eq '^[0-9T:.+Z-]+ stdout F started app$' "$D/logs/web/app.log"
	grep -Eq '^[0-9T:.+Z-]+ stderr F to-stderr$' "$D/logs/web/app.log"
	# StopContainer's SIGTERM reaches it (143, not the SIGKILL after the timeout's 137)
	cri StopContainer "{\"container_id\": \"$C\", \"timeout\": 30}"
	run cri ContainerStatus "{\"container_id\": \"$C\"}"
	echo "$output"
	[ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ]
	[ "$(jq -r .status.exitCode <<<"$output")" = 143 ]
	cri RemoveContainer "{\"container_id\": \"$C\"}"
	cri StopPodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	cri RemovePodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	run cri ListPodSandbox
	[ "$(jq '.items | length' <<<"$output")" = 0 ]
	gone "$P" "$C"
}

# The engine a container's process 1 runs under, seen from the host: the
# container engine runs the image's program, syscall and emulate the static
# mew (build/mew-aarch64) as `mew run --engine E`.
engine_of() { # CONTAINER_ID
	local pid exe
	pid=$(pid_of "$1") || return 1
	exe=$(readlink "/proc/$pid/exe")
	if [ "$exe" = "$BUILD/mew-aarch64" ]; then
		tr '\0' ' ' <"/proc/$pid/cmdline" | sed -n 's/^mew run --engine \([a-z]*\) .*/\1/p'
	else
		echo "container $exe"
	fi
}

# The value of FIELD in /proc/self/status of a process ExecSync runs in ID.
exec_status_field() { # ID FIELD
	exec_sync "$1" /bin/sh -c "sed -n 's/^$2:[[:space:]]*//p' /proc/self/status" | jq -r .stdout | base64 -d
}

@test "cri: two pods on two handlers in one run: mew-runc's under the container engine, mew-syscall's under the syscall engine" {
	A=$(pod plain mew-runc)
	S=$(pod walled mew-syscall)
	CA=$(container "$A" plain a '["/bin/sleep", "1000"]')
	CS=$(container "$S" walled s '["/bin/sh", "-c", "echo hello from $WHO; exec sleep 1000"]')
	cri StartContainer "{\"container_id\": \"$CA\"}"
	cri StartContainer "{\"container_id\": \"$CS\"}"
	run engine_of "$CA"
	echo "$output"
	[[ "$output" == "container "*/bin/busybox ]]
	run engine_of "$CS"
	echo "$output"
	[ "$output" = syscall ]
	# the syscall container's exec is under the personality too (its seccomp
	# filter), the container engine's has none (CRI asked for no profile)
	[ "$(exec_status_field "$CA" Seccomp)" = 0 ]
	[ "$(exec_status_field "$CS" Seccomp)" = 2 ]
	run exec_sync "$CS" /bin/sh -c 'echo $WHO; exit 5'
	echo "$output"
	[ "$(jq -r .stdout <<<"$output" | base64 -d)" = s ]
	[ "$(jq -r .exitCode <<<"$output")" = 5 ]
	grep -Eq '^[0-9T:.+Z-]+ stdout F hello from s$' "$D/logs/walled/s.log"
	for P in "$A" "$S"; do
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$P\"}"
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	done
	gone "$A" "$S" "$CA" "$CS"
}

@test "cri: the pod annotation run.mew.engine chooses the engine where the handler passes it (pod_annotations), not elsewhere" {
	# mew-runc passes run.mew.engine: the pod's containers run under syscall
	A=$(pod chosen mew-runc '{"run.mew.engine": "syscall"}')
	# mew-syscall does not: its engine stays
	S=$(pod fixed mew-syscall '{"run.mew.engine": "container"}')
	CA=$(container "$A" chosen a '["/bin/sleep", "1000"]')
	CS=$(container "$S" fixed s '["/bin/sleep", "1000"]')
	cri StartContainer "{\"container_id\": \"$CA\"}"
	cri StartContainer "{\"container_id\": \"$CS\"}"
	run engine_of "$CA"
	echo "$output"
	[ "$output" = syscall ]
	run engine_of "$CS"
	echo "$output"
	[ "$output" = syscall ]
	# StopPodSandbox stops the running containers with it
	for P in "$A" "$S"; do
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$P\"}"
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	done
	gone "$A" "$S" "$CA" "$CS"
}

@test "cri: an arm64 image's container in a pod whose annotation says auto: emulate for it, the container engine for the amd64 pause" {
	[ -x "$ARM64/bin/busybox" ] || skip "no arm64 busybox rootfs at $ARM64 (scripts/rootfs-busybox.sh arm64)"
	P=$(pod arm mew-runc '{"run.mew.engine": "auto"}')
	C=$(container "$P" arm a '["/bin/sh", "-c", "uname -m; exec sleep 1000"]' docker.io/mew/busybox-arm64:latest)
	cri StartContainer "{\"container_id\": \"$C\"}"
	run engine_of "$C"
	echo "$output"
	[ "$output" = emulate ]
	pause=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$P\", \"verbose\": true}" | jq -re '.info.info | fromjson | .pid')
	[[ "$(readlink "/proc/$pause/exe")" == */pause ]]
	run exec_sync "$C" /bin/uname -m
	echo "$output"
	[ "$(jq -r .stdout <<<"$output" | base64 -d)" = aarch64 ]
	grep -Eq '^[0-9T:.+Z-]+ stdout F aarch64$' "$D/logs/arm/a.log"
	cri StopPodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	cri RemovePodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	gone "$P" "$C"
}

@test "cri: a pod of its own network (CNI) on the mew-syscall handler: the container joins the pod's network and UTS namespaces by path" {
	P=$(NET=pod pod netted mew-syscall)
	ipaddr=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$P\"}" | jq -re .status.network.ip)
	[[ "$ipaddr" == 10.233.7.* ]]
	C=$(container "$P" netted n '["/bin/sleep", "1000"]')
	cri StartContainer "{\"container_id\": \"$C\"}"
	run engine_of "$C"
	[ "$output" = syscall ]
	pid=$(pid_of "$C")
	pause=$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$P\", \"verbose\": true}" | jq -re '.info.info | fromjson | .pid')
	[ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/$pause/ns/net)" ]
	[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	run exec_sync "$C" /bin/sh -c 'hostname; grep -c eth0: /proc/net/dev'
	echo "$output"
	[ "$(jq -r .stdout <<<"$output" | base64 -d)" = "netted
1" ]
	cri StopPodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	cri RemovePodSandbox "{\"pod_sandbox_id\": \"$P\"}"
	gone "$P" "$C"
	# CNI gave the address back
	[ -z "$(ls "$D/cni/ipam/mew-cri" 2>/dev/null | grep '^10\.')" ]
}

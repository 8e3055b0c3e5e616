#!/usr/bin/env bash
# podman with mew as its OCI runtime against podman with runc (and crun where
# it runs), in the same run: `podman run --rm --rootfs BUSYBOX /bin/true`.
# Also the runtimes alone on one bundle (`RUNTIME run`, no podman).
# Reports medians and ratios to runc.
# Usage: sudo bench/oci.sh [RUNS]   (needs root; podman, runc, hyperfine, jq)
set -euo pipefail
runs=${1:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
mew=$here/build/mew-runc
rootfs=${ROOTFS:-/var/cache/mew/rootfs/busybox-amd64}
for t in hyperfine jq podman runc; do
	command -v $t >/dev/null || { echo "bench: $t is not installed" >&2; exit 1; }
done
[ -x "$mew" ] || { echo "bench: build mew first (make)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/mew-bench-oci.XXXXXX)
cleanup() {
	podman "${popts[@]}" rm -af >/dev/null 2>&1 || true
	umount -R "$work" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
# The podman options this host needs (see tests/e2e/oci-podman.bats).
popts=(--cgroup-manager cgroupfs --events-backend file --storage-driver vfs
       --root "$work/root" --runroot "$work/runroot" --tmpdir "$work/tmp")
pod="podman ${popts[*]}"
run="run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs $rootfs /bin/true"

# One bundle for the runtimes alone: runc's default spec on the busybox rootfs.
mkdir -p "$work/bundle"
(cd "$work/bundle" && runc spec)
jq --arg root "$rootfs" '.root.path = $root | .process.terminal = false | .process.args = ["/bin/true"]' \
	"$work/bundle/config.json" >"$work/c.json" && mv "$work/c.json" "$work/bundle/config.json"

# Per engine (the runtime's name picks it): syscall on the same rootfs,
# emulate on the arm64 one (its /bin/true is an arm64 program); the vm engine
# is refused by name until it boots a VM per container.
arm64=${ROOTFS_ARM64:-${rootfs%-amd64}-arm64}
cmds=(
	"podman + mew|$pod --runtime $mew $run"
	"podman + runc|$pod --runtime $(command -v runc) $run"
	"podman + mew-syscall|$pod --runtime ${mew%-runc}-syscall $run"
	"mew-runc run|$mew --root $work/mew run -b $work/bundle b-\$RANDOM"
	"runc run|runc --root $work/runc run -b $work/bundle b-\$RANDOM"
)
if [ -x "$arm64/bin/busybox" ]; then
	cmds+=("podman + mew-emulate|$pod --runtime ${mew%-runc}-emulate ${run/--rootfs $rootfs/--rootfs $arm64}")
else
	echo "bench: no arm64 rootfs at $arm64: podman + mew-emulate not measured" >&2
fi
# The vm engine: timed where it runs (a VM per container, /dev/kvm); else
# its own reason is printed, and nothing is made up in its place.
if $pod --runtime "${mew%-runc}-vm" $run >/dev/null 2>"$work/vm.err"; then
	cmds+=("podman + mew-vm|$pod --runtime ${mew%-runc}-vm $run")
else
	echo "bench: podman + mew-vm cannot run here$([ -e /dev/kvm ] || echo ' (no /dev/kvm)'): $(grep -v '^$' "$work/vm.err" | tail -n1)" >&2
fi
if command -v crun >/dev/null && $pod --runtime "$(command -v crun)" $run >/dev/null 2>&1; then
	cmds+=("podman + crun|$pod --runtime $(command -v crun) $run")
else
	echo "bench: podman + crun cannot run here: $($pod --runtime "$(command -v crun)" $run 2>&1 | tail -n1)" >&2
fi
for c in "${cmds[@]}"; do # each must work before it is timed
	bash -c "${c#*|}" >/dev/null || { echo "bench: \`${c#*|}\` failed" >&2; exit 1; }
done

args=()
for c in "${cmds[@]}"; do args+=(-n "${c%%|*}" "${c#*|}"); done
hyperfine --style none --warmup 3 --runs "$runs" --export-json "$work/r.json" "${args[@]}" >/dev/null 2>&1

median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$work/r.json"; }
printf '%-22s %10s %10s\n' command "median ms" "vs runc"
for c in "${cmds[@]}"; do
	n=${c%%|*}
	case $n in podman*) ref=$(median "podman + runc") ;; *) ref=$(median "runc run") ;; esac
	awk -v n="$n" -v m="$(median "$n")" -v r="$ref" \
		'BEGIN { printf "%-22s %10.1f %9.2fx\n", n, m * 1000, m / r }'
done

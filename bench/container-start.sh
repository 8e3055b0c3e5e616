#!/usr/bin/env bash
# Start-up of /bin/true in the busybox rootfs: mew's container engine against
# runc, crun, bubblewrap and unshare+chroot, in the same run.  Reports the
# median wall time of each and its ratio to runc (with limits), to bwrap and
# to the floor (unshare + chroot: namespaces and a root, nothing else).
# Usage: bench/container-start.sh [RUNS]   (needs root; hyperfine, runc, crun, bwrap, jq)
# MEW_BASE=ANOTHER-MEW adds that build (an older commit's) to the same run.
set -euo pipefail
runs=${1:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
mew=$here/build/mew
rootfs=${ROOTFS:-/var/cache/mew/rootfs/busybox-amd64}
for t in hyperfine jq runc; do
	command -v $t >/dev/null || { echo "bench: $t is not installed (apt-get install $t)" >&2; exit 1; }
done
[ -x "$mew" ] || { echo "bench: build mew first (make)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One OCI bundle for runc and crun, with the same limits mew gets.
mkdir -p "$work/bundle"
(cd "$work/bundle" && runc spec)
jq --arg root "$rootfs" '.root.path = $root | .root.readonly = true | .process.terminal = false
	| .process.args = ["/bin/true"]
	| .linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 100}' \
	"$work/bundle/config.json" > "$work/bundle/c.json"
mv "$work/bundle/c.json" "$work/bundle/config.json"
jq 'del(.linux.resources.memory, .linux.resources.pids)' "$work/bundle/config.json" > "$work/nolimits.json"
mkdir -p "$work/bundle-nolimits"
cp "$work/nolimits.json" "$work/bundle-nolimits/config.json"

cmds=(
	"mew (limits)|$mew run --memory 64m --pids 100 -- /bin/true"
	"mew|$mew run -- /bin/true"
	"runc (limits)|runc --root $work/runc run -b $work/bundle bench-\$RANDOM"
	"runc|runc --root $work/runc run -b $work/bundle-nolimits bench-\$RANDOM"
	"bwrap --unshare-all|bwrap --unshare-all --bind $rootfs / --proc /proc --dev /dev /bin/true"
	"unshare + chroot|unshare -mpfiun chroot $rootfs /bin/true"
	"bare exec|/bin/true"
)
if [ -n "${MEW_BASE:-}" ]; then
	cmds+=("base mew (limits)|$MEW_BASE run --memory 64m --pids 100 -- /bin/true"
	       "base mew|$MEW_BASE run -- /bin/true")
fi
if command -v crun >/dev/null && crun --root "$work/crun" run -b "$work/bundle" probe >/dev/null 2>&1; then
	cmds+=("crun (limits)|crun --root $work/crun run -b $work/bundle bench-\$RANDOM")
else
	echo "bench: crun cannot run here: $(crun --root "$work/crun" run -b "$work/bundle" probe 2>&1 | tail -n1)" >&2
fi

args=()
for c in "${cmds[@]}"; do args+=(-n "${c%%|*}" "${c#*|}"); done
# Through a shell (runc needs a fresh container id per run); hyperfine
# subtracts the shell's own start-up from every command alike.
hyperfine --style none --warmup 5 --runs "$runs" --export-json "$work/r.json" "${args[@]}" >/dev/null 2>&1

median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$work/r.json"; }
runc_l=$(median "runc (limits)")
bwrap=$(median "bwrap --unshare-all")
floor=$(median "unshare + chroot")
printf '%-22s %10s %12s %12s %12s\n' command "median ms" "vs runc(lim)" "vs bwrap" "vs floor"
for c in "${cmds[@]}"; do
	n=${c%%|*}
	m=$(median "$n")
	awk -v n="$n" -v m="$m" -v r="$runc_l" -v b="$bwrap" -v f="$floor" \
		'BEGIN { printf "%-22s %10.2f %11.2fx %11.2fx %11.2fx\n", n, m * 1000, m / r, m / b, m / f }'
done

#!/usr/bin/env bash
# mew bench's workloads under mew's engines and under their peers, in the same
# hyperfine run per workload: the container engine against runc, crun and
# bubblewrap; the syscall engine against PRoot; the emulate engine against
# qemu-aarch64; the vm engine against qemu-system-x86_64 (where a kernel boots).
# Prints the medians with their ratio to native, then each mew engine against
# its peer, ratio by ratio (below 1: mew is faster).  Markdown, for bench/README.md.
#
# Usage: sudo bench/peers.sh [RUNS]      QUICK=1 for mew bench --quick's sizes
# Needs: root, hyperfine, jq, and `make` (build/mew, build/bench/work-*).
set -euo pipefail
runs=${1:-5}
limit=${LIMIT:-120} # seconds a single run may take
here=$(cd "$(dirname "$0")/.." && pwd)
mew=$here/build/mew
arch=$(dpkg --print-architecture)
rootfs=${ROOTFS:-/var/cache/mew/rootfs/busybox-$arch}
rootfs_arm64=${ROOTFS_ARM64:-/var/cache/mew/rootfs/busybox-arm64}
if [ -n "${QUICK:-}" ]; then n_sys=2000 n_walk=1 n_cpu=100000
else n_sys=20000 n_walk=10 n_cpu=500000; fi

for t in hyperfine jq; do
	command -v $t >/dev/null || { echo "peers: $t is not installed (apt-get install $t)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "peers: run as root (runc, crun and mew's container engine need it)" >&2; exit 1; }
[ -x "$mew" ] && [ -x "$here/build/bench/work-$arch" ] || { echo "peers: build mew first (make)" >&2; exit 1; }
[ -d "$rootfs" ] || { echo "peers: no rootfs at $rootfs (make rootfs)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage # bound at /mew-bench everywhere, as mew bench does
mkdir -p "$stage"
cp "$here/build/bench/work-$arch" "$stage/"
[ -f "$here/build/bench/work-arm64" ] && cp "$here/build/bench/work-arm64" "$stage/"
"$stage/work-$arch" mktree "$stage/tree" 20 100 >/dev/null

# Each workload's command line inside a rootfs whose /mew-bench is the stage.
# $1 = workload, $2 = the directory the stage is seen at, $3 = arch
wl() {
	case $1 in
	startup) echo "/bin/true" ;;
	syscalls) echo "$2/work-$3 syscalls $n_sys $2/tree" ;;
	walk) echo "$2/work-$3 walk $2/tree $n_walk" ;;
	cpu) echo "$2/work-$3 cpu $n_cpu" ;;
	esac
}

# OCI bundles for runc and crun: the rootfs read-only, the stage bound in.
mkdir -p "$work/bundle"
(cd "$work/bundle" && runc spec)
jq --arg root "$rootfs" --arg stage "$stage" '.root.path = $root | .root.readonly = true
	| .process.terminal = false
	| .mounts += [{"destination": "/mew-bench", "type": "bind", "source": $stage, "options": ["rbind", "ro"]}]' \
	"$work/bundle/config.json" >"$work/config.json"
for w in startup syscalls walk cpu; do
	mkdir -p "$work/bundle-$w"
	# shellcheck disable=SC2046
	jq --argjson args "$(wl $w /mew-bench "$arch" | jq -R 'split(" ")')" '.process.args = $args' \
		"$work/config.json" >"$work/bundle-$w/config.json"
done

engine_ok() { "$mew" engines | grep -q "^$1  *yes"; }

# "label|command" per workload; a command is kept only if one trial run works.
declare -A cmds
skipped=()
failed=()
add() { # workload label command...
	local w=$1 label=$2
	shift 2
	local cmd="$*"
	# an engine that failed once is not tried on the next workloads
	[[ " ${failed[*]:-} " == *" ${label// /_} "* ]] && return
	if ! out=$(timeout -k 5 "$limit" bash -c "$cmd" 2>&1 >/dev/null </dev/null); then
		skipped+=("$label ($w and the workloads after it): $(printf '%s' "$out" | tail -n1)")
		failed+=("${label// /_}")
		return
	fi
	# A hung run (a bug, not a figure) must not hang the whole benchmark.
	cmds[$w]+="$label|timeout -k 5 $limit $cmd"$'\n'
}

for w in startup syscalls walk cpu; do
	g=$(wl $w /mew-bench "$arch")
	vol="-v $stage:/mew-bench:ro"
	[ $w = startup ] && vol=""
	# natively, the rootfs's own busybox (its /bin/true is a link to /bin/busybox, the host's)
	if [ $w = startup ]; then add $w native "$rootfs/bin/busybox true"; else add $w native "$(wl $w "$stage" "$arch")"; fi
	# container engine and its peers
	engine_ok container && add $w "mew container" "$mew run --engine container $vol -- $g"
	add $w runc "runc --root $work/runc run -b $work/bundle-$w bench-\$RANDOM"
	if crun --root "$work/crun" run -b "$work/bundle-startup" probe >/dev/null 2>&1; then
		add $w crun "crun --root $work/crun run -b $work/bundle-$w bench-\$RANDOM"
	elif [ $w = startup ]; then
		skipped+=("crun: $(crun --root "$work/crun" run -b "$work/bundle-startup" probe 2>&1 | tail -n1 || true)")
	fi
	command -v bwrap >/dev/null &&
		add $w bwrap "bwrap --unshare-all --ro-bind $rootfs / --ro-bind $stage /mew-bench --proc /proc --dev /dev $g"
	# syscall engine and PRoot
	engine_ok syscall && add $w "mew syscall" "$mew run --engine syscall $vol -- $g"
	command -v proot >/dev/null && add $w proot "proot -r $rootfs -b $stage:/mew-bench $g"
	# emulate engine and qemu-aarch64: the arm64 builds, the arm64 rootfs
	if [ -d "$rootfs_arm64" ] && { [ $w = startup ] || [ -f "$stage/work-arm64" ]; }; then
		ga=$(wl $w /mew-bench arm64)
		engine_ok emulate && add $w "mew emulate" "$mew run --engine emulate --arch arm64 --rootfs $rootfs_arm64 $vol -- $ga"
		if command -v qemu-aarch64 >/dev/null; then
			if [ $w = startup ]; then add $w qemu-aarch64 "qemu-aarch64 -L $rootfs_arm64 $rootfs_arm64/bin/busybox true"
			else add $w qemu-aarch64 "qemu-aarch64 -L $rootfs_arm64 $(wl $w "$stage" arm64)"; fi
		fi
	elif [ $w = startup ]; then
		skipped+=("emulate, qemu-aarch64: no arm64 rootfs at $rootfs_arm64 or no arm64 build (scripts/rootfs-busybox.sh arm64; gcc-aarch64-linux-gnu)")
	fi
	# vm engine; qemu-system only where the vm engine itself can boot a kernel
	if engine_ok vm; then
		add $w "mew vm" "$mew run --engine vm $vol -- $g"
		# qemu -M microvm boots the same guest kernel with the rootfs over 9p and
		# /bin/true as init (its exit panics the kernel, which ends qemu): start-up only.
		if [ $w = startup ] && [[ " ${failed[*]:-} " != *" mew_vm "* ]] && command -v qemu-system-x86_64 >/dev/null; then
			kernel=/var/cache/mew/kernel/current/bzImage
			add $w qemu-system "qemu-system-x86_64 -M microvm -enable-kvm -m 512 -nographic -no-reboot -kernel $kernel" \
				"-fsdev local,id=r,path=$rootfs,security_model=none,readonly=on -device virtio-9p-device,fsdev=r,mount_tag=root" \
				"-append 'console=ttyS0 quiet panic=-1 root=root rootfstype=9p rootflags=trans=virtio ro init=/bin/true' </dev/null"
		fi
	fi
done

results=$work/results.tsv
: >"$results"
for w in startup syscalls walk cpu; do
	args=()
	while IFS= read -r c; do
		[ -n "$c" ] && args+=(-n "${c%%|*}" "${c#*|}")
	done <<<"${cmds[$w]}"
	echo "peers: $w: $(( ${#args[@]} / 3 )) commands, $runs runs each" >&2
	if ! hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/$w.json" "${args[@]}" >"$work/$w.log" 2>&1; then
		echo "peers: $w: hyperfine failed: $(tail -n2 "$work/$w.log")" >&2
		continue
	fi
	jq -r --arg w "$w" '.results[] | [$w, .command, .median] | @tsv' "$work/$w.json" >>"$results"
done

med() { awk -F'\t' -v w="$1" -v c="$2" '$1 == w && $2 == c { print $3 }' "$results"; }
fmt() { awk -v s="$1" 'BEGIN { if (s == "") print "-"; else if (s < 0.01) printf "%.2f ms", s*1000; else if (s < 1) printf "%.1f ms", s*1000; else printf "%.2f s", s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2fx", a / b }'; }

echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ { print $2 }') GiB, Linux $(uname -r); $runs runs each, median"
echo "Workloads: syscalls = $n_sys x (getppid, stat, open, close); walk = $n_walk passes over a 2021-entry tree; cpu = sort + hash of $n_cpu numbers and a Mandelbrot"
echo
labels=$(cut -f2 "$results" | awk '!seen[$0]++')
echo "| command | startup | syscalls | walk | cpu |"
echo "|---|---|---|---|---|"
while IFS= read -r l; do
	row="| $l |"
	for w in startup syscalls walk cpu; do
		m=$(med $w "$l")
		row+=" $(fmt "$m") ($(ratio "$m" "$(med $w native)")) |"
	done
	echo "$row"
done <<<"$labels"
echo
echo "Each mew engine against its peer (mew's median / the peer's; below 1: mew is faster):"
echo
echo "| mew engine / peer | startup | syscalls | walk | cpu |"
echo "|---|---|---|---|---|"
for pair in "mew container|runc" "mew container|crun" "mew container|bwrap" "mew syscall|proot" \
	"mew emulate|qemu-aarch64" "mew vm|qemu-system"; do
	a=${pair%%|*} b=${pair#*|}
	grep -q "	$a	" "$results" && grep -q "	$b	" "$results" || continue
	row="| ${a#mew } / $b |"
	for w in startup syscalls walk cpu; do row+=" $(ratio "$(med $w "$a")" "$(med $w "$b")") |"; done
	echo "$row"
done
if [ ${#skipped[@]} -gt 0 ]; then
	echo
	echo "Not measured:"
	printf -- '- %s\n' "${skipped[@]}" | awk '!seen[$0]++'
fi

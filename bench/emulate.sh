#!/usr/bin/env bash
# bench/emulate.sh [RUNS]: mew's emulate engine against qemu-aarch64 and the
# host itself, in one run (hyperfine, median wall time), with ratios:
#   cpu    a sort + hash + floating-point program (bench/emulate/cpu.c) built
#          for arm64 (static) and for x86-64
#   shell  busybox sh counting to 100,000
#   start  busybox true
# Needs: hyperfine, qemu-user, gcc-aarch64-linux-gnu, the arm64 busybox rootfs.
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
mew=$root/build/mew
cache=${MEW_CACHE:-/var/cache/mew}
arm=$cache/rootfs/busybox-arm64
amd=$cache/rootfs/busybox-amd64
for t in hyperfine qemu-aarch64 aarch64-linux-gnu-gcc jq; do
	command -v $t >/dev/null || { echo "bench/emulate: $t is not installed (scripts/deps.sh)" >&2; exit 1; }
done
bash "$root/scripts/rootfs-busybox.sh" arm64
bash "$root/scripts/rootfs-busybox.sh" amd64
[ -x "$mew" ] || make -C "$root" -j2 >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root"
aarch64-linux-gnu-gcc -O2 -static -o "$tmp/root/cpu" "$root/bench/emulate/cpu.c" -lm
gcc -O2 -o "$tmp/cpu-native" "$root/bench/emulate/cpu.c" -lm
n=200000
want=$("$tmp/cpu-native" $n)
for out in "$(qemu-aarch64 "$tmp/root/cpu" $n)" "$("$mew" run --engine emulate --arch arm64 --rootfs "$tmp/root" -- /cpu $n)"; do
	[ "$out" = "$want" ] || { echo "bench/emulate: cpu output differs: $out vs $want" >&2; exit 1; }
done

count='i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo $i'
emu="$mew run --engine emulate --arch arm64"
declare -A cmd=(
	[cpu/mew]="$emu --rootfs $tmp/root -- /cpu $n"
	[cpu/qemu]="qemu-aarch64 $tmp/root/cpu $n"
	[cpu/native]="$tmp/cpu-native $n"
	[shell/mew]="$emu --rootfs $arm -- /bin/busybox sh -c '$count'"
	[shell/qemu]="qemu-aarch64 $arm/bin/busybox sh -c '$count'"
	[shell/native]="$amd/bin/busybox sh -c '$count'"
	[start/mew]="$emu --rootfs $arm -- /bin/busybox true"
	[start/qemu]="qemu-aarch64 $arm/bin/busybox true"
	[start/native]="$amd/bin/busybox true"
)
# wall-time medians; and, since the machine may be shared, the ratio of CPU
# time (user + system, means) too, which others' load disturbs less
printf '| benchmark | mew emulate | qemu-aarch64 | native x86-64 | mew/qemu | qemu/native | mew/native | mew/qemu CPU time |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for b in cpu shell start; do
	r=$runs
	[ $b = start ] && r=$((runs * 5))
	hyperfine -N --warmup 2 --runs $r --export-json "$tmp/$b.json" \
		-n mew "${cmd[$b/mew]}" -n qemu "${cmd[$b/qemu]}" -n native "${cmd[$b/native]}" >/dev/null 2>&1 ||
	hyperfine --warmup 2 --runs $r --export-json "$tmp/$b.json" \
		-n mew "${cmd[$b/mew]}" -n qemu "${cmd[$b/qemu]}" -n native "${cmd[$b/native]}" >/dev/null
	read -r m q x mc qc < <(jq -r '[(.results[] | .median), (.results[0:2][] | .user + .system)] | @tsv' "$tmp/$b.json")
	awk -v b=$b -v m=$m -v q=$q -v x=$x -v mc=$mc -v qc=$qc 'BEGIN {
		printf "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f× | %.2f× | %.2f× | %.2f× |\n", b, m*1000, q*1000, x*1000, m/q, q/x, m/x, mc/qc }'
done

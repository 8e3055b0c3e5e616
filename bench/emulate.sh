#!/usr/bin/env bash
# bench/emulate.sh [RUNS] [WORKLOADS...]: mew's emulate engine, with its
# translator and with the interpreter alone (MEW_A64_JIT=0), against
# qemu-aarch64 and the host itself, in one run (hyperfine, median wall
# time, mean CPU time), with ratios:
#   cpu    a sort + hash + floating-point program (bench/emulate/cpu.c) built
#          for arm64 (static) and for x86-64
#   shell  busybox sh counting to 100,000
#   start  busybox true
#   clock  1,000,000 clock_gettime(CLOCK_MONOTONIC) (bench/emulate/clock.c):
#          a time call, through the vDSO where there is one
#   gzip   gzip -9 of 4 MB (tar of the rootfs's /usr/share), Debian's arm64 gzip
#   xz     xz -9 of 1 MB of the same, Debian's arm64 xz-utils
#   pyloop python3 summing i*i%7 for 300,000 i
#   pyjson python3 dumping and loading 20,000 records 5 times
# The last four run in a copy of the Debian arm64 rootfs with xz-utils and
# python3.11 unpacked into it (apt-get download; cached next to the rootfs);
# natively, the host's gzip, xz and python3.11.
# MEW_BASE=ANOTHER-MEW adds that build (an older one, to compare) to the
# same alternating runs, with a base/qemu CPU column.
# Needs: hyperfine, qemu-user, gcc-aarch64-linux-gnu, jq, the arm64 busybox
# rootfs; the Debian arm64 rootfs (mew rootfs create) for the last four.
set -euo pipefail
runs=${1:-5}
shift || true
want_list=${*:-cpu shell start clock gzip xz pyloop pyjson}
root=$(cd "$(dirname "$0")/.." && pwd)
mew=$root/build/mew
cache=${MEW_CACHE:-/var/cache/mew}
arm=$cache/rootfs/busybox-arm64
amd=$cache/rootfs/busybox-amd64
deb=$cache/rootfs/debian-bookworm-arm64
tools=$cache/bench/debian-arm64-tools
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
aarch64-linux-gnu-gcc -O2 -static -o "$tmp/root/clock" "$root/bench/emulate/clock.c"
gcc -O2 -o "$tmp/clock-native" "$root/bench/emulate/clock.c"
n=200000
want=$("$tmp/cpu-native" $n)
for out in "$(qemu-aarch64 "$tmp/root/cpu" $n)" "$("$mew" run --engine emulate --arch arm64 --rootfs "$tmp/root" -- /cpu $n)" \
	"$(MEW_A64_JIT=0 "$mew" run --engine emulate --arch arm64 --rootfs "$tmp/root" -- /cpu $n)"; do
	[ "$out" = "$want" ] || { echo "bench/emulate: cpu output differs: $out vs $want" >&2; exit 1; }
done

want=$("$tmp/clock-native" 1000)
for out in "$(qemu-aarch64 "$tmp/root/clock" 1000)" "$("$mew" run --engine emulate --arch arm64 --rootfs "$tmp/root" -- /clock 1000)"; do
	[ "$out" = "$want" ] || { echo "bench/emulate: clock output differs: $out vs $want" >&2; exit 1; }
done

# The Debian rootfs with the tools, made once: debs unpacked beside it, their
# /lib going to usr/lib (the rootfs's /lib is a link to usr/lib).
make_tools() {
	[ -x "$tools/usr/bin/python3.11" ] && [ -x "$tools/usr/bin/xz" ] && return 0
	[ -d "$deb/usr/bin" ] || return 1
	local d=$tmp/debs x=$tmp/x
	mkdir -p "$d" "$x"
	(cd "$d" && apt-get download -q xz-utils:arm64 python3.11-minimal:arm64 libpython3.11-minimal:arm64 \
		libpython3.11-stdlib:arm64 libexpat1:arm64 >/dev/null 2>&1) || return 1
	rm -rf "$tools.tmp"
	cp -a "$deb" "$tools.tmp"
	for p in "$d"/*.deb; do dpkg -x "$p" "$x"; done
	[ -d "$x/lib" ] && cp -a "$x/lib/." "$tools.tmp/usr/lib/"
	cp -a "$x/usr/." "$tools.tmp/usr/"
	mv "$tools.tmp" "$tools"
}
have_tools=0
if make_tools; then
	have_tools=1
	{ tar cf - -C "$tools" usr/share 2>/dev/null || true; } | head -c 4000000 >"$tools/tmp/bench-data"
	head -c 1000000 "$tools/tmp/bench-data" >"$tools/tmp/bench-data-1m"
fi

count='i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo $i'
pyloop='s=0
for i in range(300000): s+=i*i%7
print(s)'
pyjson='import json
d=[{"k":i,"v":[i,str(i),{"x":i*0.5}]} for i in range(20000)]
for _ in range(5): d=json.loads(json.dumps(d))
print(len(d))'
emu="$mew run --engine emulate --arch arm64"
base=${MEW_BASE:-}
qt="qemu-aarch64 -L $tools"
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
	[clock/mew]="$emu --rootfs $tmp/root -- /clock"
	[clock/qemu]="qemu-aarch64 $tmp/root/clock"
	[clock/native]="$tmp/clock-native"
	[gzip/mew]="$emu --rootfs $tools -- gzip -9 -c /tmp/bench-data"
	[gzip/qemu]="$qt $tools/usr/bin/gzip -9 -c $tools/tmp/bench-data"
	[gzip/native]="gzip -9 -c $tools/tmp/bench-data"
	[xz/mew]="$emu --rootfs $tools -- xz -9 -c /tmp/bench-data-1m"
	[xz/qemu]="$qt $tools/usr/bin/xz -9 -c $tools/tmp/bench-data-1m"
	[xz/native]="xz -9 -c $tools/tmp/bench-data-1m"
	[pyloop/mew]="$emu --rootfs $tools -- python3.11 -c '$pyloop'"
	[pyloop/qemu]="$qt $tools/usr/bin/python3.11 -c '$pyloop'"
	[pyloop/native]="/usr/bin/python3.11 -c '$pyloop'"
	[pyjson/mew]="$emu --rootfs $tools -- python3.11 -c '$pyjson'"
	[pyjson/qemu]="$qt $tools/usr/bin/python3.11 -c '$pyjson'"
	[pyjson/native]="/usr/bin/python3.11 -c '$pyjson'"
)
# wall-time medians; and, since the machine may be shared, the ratio of CPU
# time (user + system, means) too, which others' load disturbs less
printf '| benchmark | mew | mew interpreter | qemu-aarch64 | native x86-64 | mew/qemu | interpreter/qemu | mew/native | mew/qemu CPU | interpreter/qemu CPU |%s\n' \
	"${base:+ base/qemu CPU |}"
printf '|---|---|---|---|---|---|---|---|---|---|%s\n' "${base:+---|}"
for b in $want_list; do
	case $b in gzip | xz | pyloop | pyjson) [ $have_tools = 1 ] || { echo "| $b | (no Debian arm64 rootfs with the tools) |"; continue; } ;; esac
	r=$runs
	[ $b = start ] && r=$((runs * 5))
	extra=()
	[ -n "$base" ] && extra=(-n base "${cmd[$b/mew]/#$mew /$base }")
	hyperfine --warmup 1 --runs $r --export-json "$tmp/$b.json" --output=null \
		-n mew "${cmd[$b/mew]}" -n interpreter "MEW_A64_JIT=0 ${cmd[$b/mew]}" \
		-n qemu "${cmd[$b/qemu]}" -n native "${cmd[$b/native]}" "${extra[@]}" >/dev/null
	read -r m i q x mc ic qc bc < <(jq -r '[(.results[0:4][] | .median), (.results[0:3][] | .user + .system),
		(.results[4] // {user: 0, system: 0} | .user + .system)] | @tsv' "$tmp/$b.json")
	awk -v b=$b -v m=$m -v i=$i -v q=$q -v x=$x -v mc=$mc -v ic=$ic -v qc=$qc -v bc=$bc 'BEGIN {
		printf "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× |",
			b, m*1000, i*1000, q*1000, x*1000, m/q, i/q, m/x, mc/qc, ic/qc
		if (bc > 0) printf " %.2f× |", bc/qc
		printf "\n" }'
done

#!/usr/bin/env bash
# bench/vm.sh [RUNS]: mew's VMM against qemu -M microvm on the same test guest
# (build/vm/testguest.elf, booted by mew at its 64-bit entry or through PVH, by
# qemu through PVH), in one run:
#   1. boot + exit: the guest's only command reports status 0 at once;
#   2. round trip: boot, 1 MiB over virtio-console to the host, exit;
#   3. VMM start-up: from exec of `mew run` (and from the engine's start) to the
#      guest's first instruction, which writes port 0x80 (mew's own clock,
#      --vm-debug timing; a small launcher passes its clock at exec in MEW_VM_T0),
#      runs 0.2 s apart (the previous VM's teardown, which a helper does after
#      mew exits, is over) and back to back;
#   4. VMM memory overhead: RSS of the VMM process minus its guest-RAM mapping,
#      while the guest spins.
# Ratios are mew / qemu.  Needs /dev/kvm, hyperfine and qemu-system-x86.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
mew=$PWD/build/mew
tg=$PWD/build/vm/testguest.elf
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ -x "$mew" ] && [ -f "$tg" ] || { echo "bench/vm: build first (make)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/vm: needs hyperfine" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "bench/vm: needs qemu-system-x86" >&2; exit 1; }

mewopts="--engine vm --memory 512m --kernel $tg --initrd /dev/null"
mewrun="$mew run $mewopts --"
qemu="qemu-system-x86_64 -M microvm -enable-kvm -m 512M -nodefaults -no-user-config -display none \
 -global virtio-mmio.force-legacy=false -serial file:/dev/null -kernel $tg \
 -device isa-debug-exit,iobase=0xf4,iosize=4 -device virtio-serial-device,max_ports=1 \
 -chardev file,id=c0,path=/dev/null -device virtconsole,chardev=c0"

hyperfine -N -i -w 3 -r "$runs" --export-json "$out/boot.json" \
	-n "mew (64-bit entry)" "$mewrun exit=0" \
	-n "mew (PVH entry)" "$mew run $mewopts --vm-debug pvh -- exit=0" \
	-n "qemu microvm (PVH)" "$qemu -append '-- exit=0'" >/dev/null 2>&1
hyperfine -i -w 2 -r "$runs" --export-json "$out/console.json" \
	-n "mew (64-bit entry)" "$mewrun console 1048576 >/dev/null" \
	-n "qemu microvm (PVH)" "$qemu -append '-- console 1048576'" >/dev/null 2>&1

# mew's own clock: exec (the launcher's clock) and engine start to the first
# guest instruction (its VM exit).
cat >"$out/t0.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct timespec ts;
	char v[32];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec);
	setenv("MEW_VM_T0", v, 1);
	execv(argv[1], argv + 1);
	return 127;
}
C
cc -O2 -o "$out/t0" "$out/t0.c"
startup() { # pause-between-runs -> lines "engine exec"
	for i in $(seq "$runs"); do
		sleep "$1"
		"$out/t0" $mew run $mewopts --vm-debug timing -- exit=0 2>&1 >/dev/null |
			sed -n 's/.*first guest exit \([0-9.]*\) ms after the engine started, \([0-9.]*\) ms after exec.*/\1 \2/p'
	done
}
startup 0.2 > "$out/startup.txt"
startup 0 > "$out/startup-b2b.txt"

# RSS minus the guest-RAM mapping (512 MiB), while the guest spins.
overhead() { # pid -> kB
	python3 - "$1" <<'PY'
import sys
total, big = 0, False
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    f = line.split()
    if "-" in f[0] and len(f) >= 5 and not f[0].endswith(":"):
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        big = hi - lo == 512 << 20
    elif f[0] == "Rss:" and not big:
        total += int(f[1])
print(total)
PY
}
rss() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
$mewrun spin 100000000 >/dev/null & mp=$!
sleep 1; mew_over=$(overhead $mp); mew_rss=$(rss $mp); kill $mp; wait $mp 2>/dev/null || true
$qemu -append '-- spin 100000000' 2>/dev/null & qp=$!
sleep 1; q_over=$(overhead $qp); q_rss=$(rss $qp); kill $qp; wait $qp 2>/dev/null || true

python3 - "$out" "$mew_over" "$mew_rss" "$q_over" "$q_rss" <<'PY'
import json, sys, statistics
out, mo, mr, qo, qr = sys.argv[1], *map(int, sys.argv[2:])
def table(name, title):
    res = json.load(open(f"{out}/{name}.json"))["results"]
    q = [r for r in res if r["command"].startswith("qemu")][0]["median"]
    print(f"\n{title}\n\n| VMM | median | vs qemu |\n|---|---|---|")
    for r in res:
        print(f"| {r['command']} | {r['median']*1000:.2f} ms | {r['median']/q:.2f}x |")
table("boot", "Boot + exit (test guest, status 0 at once):")
table("console", "Round trip: boot, 1 MiB over virtio-console, exit:")
def startup(name, title):
    rows = [l.split() for l in open(f"{out}/{name}") if l.strip()]
    if not rows:
        return
    eng = [float(r[0]) for r in rows]
    ex = [float(r[1]) for r in rows]
    print(f"| {title} | {statistics.median(ex):.2f} ms (min {min(ex):.2f}) | {statistics.median(eng):.2f} ms (min {min(eng):.2f}) |")
print("\nVMM start-up to the guest's first instruction (mew's clock, medians of", len(open(f"{out}/startup.txt").readlines()), "runs):\n")
print("| runs | from exec of mew | from the engine's start |\n|---|---|---|")
startup("startup.txt", "0.2 s apart")
startup("startup-b2b.txt", "back to back")
print(f"\nVMM memory overhead (RSS minus the 512 MiB guest-RAM mapping): mew {mo/1024:.1f} MiB (RSS {mr/1024:.1f} MiB), "
      f"qemu {qo/1024:.1f} MiB (RSS {qr/1024:.1f} MiB), ratio {mo/qo:.2f}x")
PY

#!/usr/bin/env bash
# bench/vm-kernel.sh [RUNS]: boot-to-command with mew's guest kernel, mew
# against qemu -M microvm on the same vmlinux, in one run.
#   mew:  `mew run --engine vm --memory 128m -- true` (kernel, agent, 9p root,
#         the command, its status), RUNS times;
#   qemu: the same vmlinux and command-line workarounds, an initramfs whose
#         /init is busybox `true` (init exits, the kernel panics, panic=-1 and
#         -no-reboot end qemu): boot to the first user program, at most 300 s (stopped at once on a KVM internal error).
# Where KVM runs the kernel's code in its instruction emulator (mew engines
# says so) qemu stops at the kernel's int3 self-test, which mew completes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
mew=$PWD/build/mew
command -v qemu-system-x86_64 >/dev/null || { echo "bench/vm-kernel: needs qemu-system-x86" >&2; exit 1; }
kdir=$(dirname "$(bash scripts/guest-kernel.sh)")
bb=$(command -v busybox) || { echo "bench/vm-kernel: needs busybox-static" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
extra=$("$mew" engines | sed -n 's/.*booted with \(.*\))$/\1/p')
mkdir -p "$out/ird/bin"
cp "$bb" "$out/ird/bin/busybox"
ln -s busybox "$out/ird/bin/true"
(cd "$out/ird" && find . | busybox cpio -o -H newc 2>/dev/null) >"$out/initrd"

uptime
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 && r=0 || r=$?; e=$(date +%s.%N); echo "$(echo "$e - $s" | bc) $r"; }
for i in $(seq "$runs"); do
	echo "mew $(t "$mew" run --engine vm --memory 128m -- true)"
done | tee "$out/mew.txt"
s=$(date +%s.%N)
qemu-system-x86_64 -M microvm -enable-kvm -m 128M -nodefaults -no-user-config -display none \
	-no-reboot -kernel "$kdir/vmlinux" -initrd "$out/initrd" -serial file:"$out/qemu.serial" \
	-append "console=ttyS0 panic=-1 rdinit=/bin/true $extra" >"$out/qemu.err" 2>&1 &
qp=$!
# qemu pauses the VM on a KVM internal error rather than exiting.
for i in $(seq 3000); do
	kill -0 $qp 2>/dev/null || break
	grep -q "KVM internal error" "$out/qemu.err" && break
	sleep 0.1
done
e=$(date +%s.%N)
kill $qp 2>/dev/null || true
wait $qp 2>/dev/null && q=0 || q=$?
mew_med=$(awk '{print $2}' "$out/mew.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "mew: median boot-to-command ${mew_med%????????} s over $runs runs (status $(awk '{print $3}' "$out/mew.txt" | sort -u | tr '\n' ' '))"
if grep -q "Kernel panic.*kill init" "$out/qemu.serial"; then
	qt=$(echo "$e - $s" | bc)
	echo "qemu microvm: boot to init's exit $qt s; ratio mew/qemu $(echo "scale=2; $mew_med / $qt" | bc)x"
else
	echo "qemu microvm: no boot (exit $q after $(echo "$e - $s" | bc) s): $(grep -m1 -E 'KVM internal error|error' "$out/qemu.err" || true)" \
		"at $(grep -m1 -o 'RIP=[0-9a-f]*' "$out/qemu.err" || true); last kernel line: $(tail -n1 "$out/qemu.serial")"
fi

#!/usr/bin/env bash
# bench/vm-kernel.sh [RUNS]: boot-to-command with mew's guest kernel, mew
# against qemu -M microvm on the same vmlinux, and mew's snapshot restore
# against its own cold boot, in one run.
#   mew:  `mew run --engine vm --memory 128m --no-snapshot -- true` (kernel,
#         agent, 9p root, the command, its status), RUNS times;
#   mew restored: the same without --no-snapshot once the snapshot exists,
#         RUNS times: the time to restore, to the agent's first word (it took
#         its run) and to the command's exit, each reported apart;
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
	echo "mew $(t "$mew" run --engine vm --memory 128m --no-snapshot -- true)"
done | tee "$out/mew.txt"
# The snapshot: made by a cold boot if there is none yet, then restored.
"$mew" run --engine vm --memory 128m -- true >/dev/null 2>&1 || true
for i in $(seq "$runs"); do
	s=$(date +%s.%N)
	"$mew" run --engine vm --memory 128m --vm-debug timing -- true 2>"$out/restore.err" >/dev/null && r=0 || r=$?
	e=$(date +%s.%N)
	at() { sed -n "s/.*timing: $1 .*(\([0-9.]*\) ms after the engine started).*/\1/p" "$out/restore.err" | head -1; }
	echo "restored $(echo "$e - $s" | bc) $r $(at "snapshot restored") $(at "the agent took its run")"
done | tee "$out/restore.txt"
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
med() { awk "{print \$$2}" "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mew_med=$(med "$out/mew.txt" 2)
echo "mew: median boot-to-command ${mew_med%????????} s over $runs runs (status $(awk '{print $3}' "$out/mew.txt" | sort -u | tr '\n' ' '))"
if grep -q "restored [0-9.]* 0 [0-9.]" "$out/restore.txt"; then
	rest=$(med "$out/restore.txt" 2)
	echo "mew restored from its snapshot: median $(med "$out/restore.txt" 4) ms to restore, $(med "$out/restore.txt" 5) ms to the agent's first word," \
		"$rest s to the command's exit; restore/cold $(echo "scale=3; $rest / $mew_med" | bc)x"
else
	echo "mew restored: no restore happened ($(tail -n1 "$out/restore.err"))"
fi
if grep -q "Kernel panic.*kill init" "$out/qemu.serial"; then
	qt=$(echo "$e - $s" | bc)
	echo "qemu microvm: boot to init's exit $qt s; ratio mew/qemu $(echo "scale=2; $mew_med / $qt" | bc)x"
else
	echo "qemu microvm: no boot (exit $q after $(echo "$e - $s" | bc) s): $(grep -m1 -E 'KVM internal error|error' "$out/qemu.err" || true)" \
		"at $(grep -m1 -o 'RIP=[0-9a-f]*' "$out/qemu.err" || true); last kernel line: $(tail -n1 "$out/qemu.serial")"
fi

#!/usr/bin/env bash
# `make demo`: run one command on the default rootfs under every engine that
# can run on this host, and show what ran and how it ended.
set -u
cd "$(dirname "$0")/.."
mew=build/mew
# The emulate engine's default rootfs is the arm64 one (make rootfs builds it).
bash scripts/rootfs-busybox.sh arm64 >/dev/null 2>&1 || echo "== no arm64 rootfs: the emulate engine and its bench are skipped"
echo "== mew engines"
$mew engines
for engine in container syscall emulate vm; do
	if ! $mew engines | grep -q "^$engine  *yes"; then
		echo "== $engine: skipped (see mew engines)"
		continue
	fi
	if [ "$engine" = vm ] && $mew engines | grep -q "^vm .*kernel boot: yes"; then
		# mew's guest kernel: built once, cached (scripts/guest-kernel.sh).
		bash scripts/guest-kernel.sh >/dev/null || { echo "   exit status $? (guest kernel build)"; continue; }
		$mew engines | grep -q "^vm .*instruction emulator" &&
			echo "== vm: KVM emulates the guest kernel's code on this host: the boot takes about a minute"
	fi
	echo "== mew run --engine $engine -- sh -c 'echo hello from \$(uname -m) as \$(id -u) on \$(hostname)'"
	$mew run --engine "$engine" -- sh -c 'echo hello from $(uname -m) as $(id -u) on $(hostname)'
	echo "   exit status $?"
done
echo "== mew bench --quick"
$mew bench --quick

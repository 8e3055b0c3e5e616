#!/usr/bin/env bash
# Build mew's guest kernel from Debian's linux-source-6.1 with the config in
# src/vm/guest/kernel/mew.config (merged onto tinyconfig) and the patches in
# src/vm/guest/kernel/*.patch, into $cache/kernel/<key>/{bzImage,vmlinux,config},
# where key hashes the config fragment, the patches, this script and the source
# version; `current` points at it.
# Rebuilds only when an input changed.  About 3+ minutes of CPU on 2 cores.
#   --check   exit 0 if the current inputs are already built, 1 if not
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${MEW_CACHE:-}" ]; then cache=$MEW_CACHE
elif [ "$(id -u)" -eq 0 ]; then cache=/var/cache/mew
else cache=${XDG_CACHE_HOME:-$HOME/.cache}/mew; fi
frag=$PWD/src/vm/guest/kernel/mew.config
patches=("$PWD"/src/vm/guest/kernel/*.patch)
[ -e "${patches[0]}" ] || patches=()

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [ -z "$srcver" ]; then
	[ "${1:-}" = --check ] && exit 1
	echo "mew: installing linux-source-6.1 and the kernel build tools" >&2
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		linux-source-6.1 bc flex bison libelf-dev libssl-dev xz-utils make gcc >/dev/null
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
fi
key=$(cat "$frag" "$0" "${patches[@]}" | sha256sum | cut -c1-12)-$srcver
out=$cache/kernel/$key
if [ -f "$out/bzImage" ]; then
	[ "${1:-}" = --check ] && exit 0
	ln -sfn "$key" "$cache/kernel/current"
	echo "$out/bzImage"
	exit 0
fi
[ "${1:-}" = --check ] && exit 1

# One source tree per set of patches (an unpatched tree is build-$srcver).
phash=
[ ${#patches[@]} -eq 0 ] || phash=-$(cat "${patches[@]}" | sha256sum | cut -c1-8)
work=$cache/kernel/build-$srcver$phash
if [ ! -f "$work/Makefile" ]; then
	rm -rf "$work.tmp"
	mkdir -p "$work.tmp"
	tar -xaf /usr/src/linux-source-6.1.tar.xz -C "$work.tmp" --strip-components=1
	for p in "${patches[@]}"; do
		patch -s -p1 -d "$work.tmp" <"$p"
	done
	rm -rf "$work"
	mv "$work.tmp" "$work"
fi
# What make and the compiler say goes to a log; the terminal gets progress.
log=$work/mew-build.log
echo "mew: building the guest kernel in $work (a few minutes; the compiler's output: $log)" >&2
failed() {
	tail -n 20 "$log" >&2
	echo "mew: the guest kernel build failed (the whole output: $log)" >&2
	exit 1
}
{
	make -C "$work" -s tinyconfig
	"$work/scripts/kconfig/merge_config.sh" -m -O "$work" "$work/.config" "$frag"
	make -C "$work" -s olddefconfig
} >"$log" 2>&1 || failed
# merge_config.sh names each option of mew.config that the final .config
# does not carry as asked (one that tinyconfig's choices leave out): counted
# here, listed in the log.
n=$(grep -c '^Value requested for' "$log" || true)
[ "$n" -eq 0 ] || echo "mew: $n options of mew.config are not in the final .config as asked (listed in $log)" >&2
# kbuild says each step as "  CC      kernel/fork.o"; counted line by line
# (mawk would read the pipe in blocks and report late).
make -C "$work" -j"${MEW_JOBS:-2}" bzImage vmlinux 2>&1 | tee -a "$log" | {
	n=0
	while IFS= read -r line; do
		case $line in
		"  "[A-Z]*)
			n=$((n + 1))
			if [ $((n % 100)) -eq 0 ]; then echo "mew: guest kernel: $n steps done" >&2; fi
			;;
		esac
	done
	echo "mew: guest kernel: $n steps done" >&2
} || failed
mkdir -p "$out.tmp"
cp "$work/arch/x86/boot/bzImage" "$work/vmlinux" "$work/.config" "$out.tmp/"
mv "$out.tmp/.config" "$out.tmp/config"
rm -rf "$out"
mv "$out.tmp" "$out"
ln -sfn "$key" "$cache/kernel/current"
echo "$out/bzImage"

#!/usr/bin/env bash
# A bounded subset of the Linux Test Project's system-call tests
# (runtest/syscalls, the path, socket-path and pipe calls the personality and
# the wall answer), run natively and under the syscall engine on the Debian
# rootfs, as root and as an ordinary user (nobody), in the same run.
#
#     bash scripts/ltp.sh [LTP_SOURCE]
#
# LTP_SOURCE: a checkout of github.com/linux-test-project/ltp (default
# $MEW_CACHE/ltp/src); built there once (autoconf, automake from Debian:
# scripts/deps.d/ltp.list).  MEW: the mew binary (default build/mew).
# LTP_DIRS: the testcases/kernel/syscalls folders (default below).
# Prints one line per test that passes natively and not under mew, then
# the counts: passed (exit 0), passed with a TWARN only (4), skipped (TCONF,
# 32), failed (anything else: TFAIL, TBROK, a signal, the timeout).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MEW_CACHE:-/var/cache/mew}
src=${1:-$cache/ltp/src}
MEW=${MEW:-$here/build/mew}
dirs=${LTP_DIRS:-"access bind chdir chmod chown connect creat execve execveat faccessat faccessat2
fchmod fchmodat fchown link linkat mkdir mkdirat open openat readlink rename rmdir stat statx symlink
unlink unlinkat pipe"}
per_test=${LTP_TIMEOUT:-60}

[ -f "$src/runtest/syscalls" ] || { echo "ltp.sh: no LTP checkout at $src" >&2; exit 2; }
[ -x "$MEW" ] || { echo "ltp.sh: no mew at $MEW (make)" >&2; exit 2; }
debian=$(bash "$here/scripts/rootfs-debian.sh" amd64)

# Build what is missing: the library and the chosen folders only.
if [ ! -f "$src/include/config.h" ]; then
	(cd "$src" && make autotools && ./configure) >/dev/null
fi
make -C "$src/lib" -j2 >/dev/null
for d in $dirs; do
	make -C "$src/testcases/kernel/syscalls/$d" -j2 >/dev/null
done

work=$(mktemp -d /tmp/mew-ltp.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/bin"
for d in $dirs; do
	find "$src/testcases/kernel/syscalls/$d" -maxdepth 1 -type f -perm -u+x -exec cp {} "$work/bin/" \;
done
chmod -R a+rX "$work"

# The tests of runtest/syscalls whose program was built.
list=$work/list
while read -r name cmd; do
	case "$name" in '#'* | '') continue ;; esac
	set -- $cmd
	[ -x "$work/bin/$1" ] && printf '%s %s\n' "$name" "$cmd"
done <"$src/runtest/syscalls" >"$list"

# run WHERE NAME CMD...: the test's exit status (0 pass, 32 TCONF).
run() {
	local where=$1 name=$2 tmp
	shift 2
	tmp=$(mktemp -d "$work/tmp.XXXXXX")
	chmod 1777 "$tmp"
	case "$where" in
	native)
		(cd "$tmp" && TMPDIR=$tmp PATH=$work/bin:$PATH timeout "$per_test" "$work/bin/$1" "${@:2}") ;;
	root)
		timeout "$per_test" "$MEW" run --engine syscall --rootfs "$debian" -v "$work/bin:/ltp" \
			-e PATH=/ltp:/usr/bin:/bin -e TMPDIR=/tmp -w /tmp -- "/ltp/$1" "${@:2}" ;;
	user)
		timeout "$per_test" setpriv --reuid=65534 --regid=65534 --clear-groups -- "$MEW" run --engine syscall \
			--rootfs "$debian" -v "$work/bin:/ltp" -e PATH=/ltp:/usr/bin:/bin -e TMPDIR=/tmp -w /tmp \
			-- "/ltp/$1" "${@:2}" ;;
	esac >"$work/out.$where.$name" 2>&1 </dev/null
}

declare -A pass warn skip fail
wheres="native root"
[ "$(id -u)" -eq 0 ] && wheres="native root user"
for w in $wheres; do pass[$w]=0 warn[$w]=0 skip[$w]=0 fail[$w]=0; done
total=0
while read -r name cmd; do
	total=$((total + 1))
	declare -A st=()
	for w in $wheres; do
		set +e
		run "$w" "$name" $cmd
		st[$w]=$?
		set -e
		case ${st[$w]} in
		0) pass[$w]=$((pass[$w] + 1)) ;;
		4) warn[$w]=$((warn[$w] + 1)) ;;
		32) skip[$w]=$((skip[$w] + 1)) ;;
		*) fail[$w]=$((fail[$w] + 1)) ;;
		esac
	done
	for w in $wheres; do
		if [ "$w" != native ] && [ "${st[native]}" -eq 0 ] && [ "${st[$w]}" -ne 0 ]; then
			echo "$name: passes natively, under mew ($w) exit ${st[$w]}: $(grep -m1 -E 'TFAIL|TBROK|TWARN' "$work/out.$w.$name" || true)"
		fi
	done
done <"$list"
echo "LTP syscalls subset: $total tests ($(echo $dirs | wc -w) folders)"
for w in $wheres; do
	label=$w
	[ "$w" = root ] && label="mew as root"
	[ "$w" = user ] && label="mew as nobody"
	printf '%-14s passed %3d  passed with TWARN %3d  TCONF %3d  failed %3d\n' "$label" "${pass[$w]}" "${warn[$w]}" \
		"${skip[$w]}" "${fail[$w]}"
done

#!/usr/bin/env bash
# The syscall engine's fast path before and after a change, same run, same
# rootfs, same unprivileged user (nobody when started as root): two mew
# binaries (default: build/mew against itself) and native execution, each
# figure the best of RUNS runs, as ns per call:
#   getppid  1,000,000 getppid() (never intercepted)
#   stat     100,000 stat("/etc/debian_version"), a root-owned file
#   fstat    100,000 fstat(fd) (newfstatat(fd, "", AT_EMPTY_PATH))
#   own      100,000 stat of a file in the rootfs the user owns (an
#            unprivileged mew shows it as root's, looking for a recorded
#            owner first)
# Usage: bench/creds.sh [BEFORE-MEW [AFTER-MEW [RUNS]]]
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:-build/mew} after=${2:-build/mew} runs=${3:-3}
rootfs=$(bash scripts/rootfs-debian.sh amd64)
t=$(mktemp -d /tmp/mew-bench-creds.XXXXXX)
own=/tmp/$(basename "$t") # inside the rootfs (its /tmp)
trap 'rm -rf "$t" "$rootfs$own"' EXIT
cc -O2 -o "$t/loops" bench/syscall/loops.c
cp "$before" "$t/before" && cp "$after" "$t/after"
mkdir "$rootfs$own" && echo x >"$rootfs$own/file"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	chown -R 65534:65534 "$rootfs$own"
fi
chmod -R a+rX "$t" && chmod 755 "$t"

one() { # WAY MODE N PATH -> ns
	local way=$1 mode=$2 n=$3 path=${4:-}
	case $way in
	native) [ "$mode" = own ] && path=$own/file
		[ -n "$path" ] && path=$rootfs$path
		"${as_user[@]}" "$t/loops" "${mode/own/stat}" "$n" ${path:+"$path"} ;;
	*) [ "$mode" = own ] && path=$own/file
		"${as_user[@]}" "$t/$way" run --engine syscall --rootfs "$rootfs" -v "$t:/opt/b" -- \
			/opt/b/loops "${mode/own/stat}" "$n" ${path:+"$path"} ;;
	esac | awk '{print $2}'
}

best() { # WAY MODE N [PATH]
	local b= v
	for _ in $(seq "$runs"); do
		v=$(one "$@")
		if [ -z "$b" ] || awk -v a="$v" -v b="$b" 'BEGIN{exit !(a<b)}'; then b=$v; fi
	done
	echo "$b"
}

printf '%-8s %10s %10s %10s %8s %8s\n' call native before after before/n after/before
for m in getppid stat fstat own; do
	n=100000 p=/etc/debian_version
	[ "$m" = getppid ] && n=1000000 p=
	nat=$(best native $m $n $p) bef=$(best before $m $n $p) aft=$(best after $m $n $p)
	awk -v m=$m -v n="$nat" -v b="$bef" -v a="$aft" \
		'BEGIN { printf "%-8s %10.1f %10.1f %10.1f %8.2f %8.2f\n", m, n, b, a, b / n, a / b }'
done

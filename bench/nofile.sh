#!/usr/bin/env bash
# What the stub's fds cost a process's forks and execs under a given
# RLIMIT_NOFILE (src/trap/README.md, "the stub's own fds"): the kernel's
# fd table grows to the highest fd, and every fork copies it.  Native and
# mew (and MEW_BASE, another build), same run, same Debian rootfs, as
# nobody when started as root, interleaved rounds, best of RUNS:
#   exec    300 runs of /bin/true from a shell loop            ms in all
#   fork    2000 fork + _exit + wait                           us a fork
#   raised  the same after the soft limit is raised to the hard one (Go's
#           runtime, the JVM, nginx): mew moves its fds to the new top
# For each limit of NOFILE_LIMITS (default "1024:524288 1048576:1048576
# 1024:20000 20000:20000"); one the host cannot set (raising a hard limit
# needs CAP_SYS_RESOURCE) is said and skipped.  Wall time, and the CPU
# time of the process and its children in the fork lines (a busy machine
# moves the wall more).
# Usage: [MEW_BASE=path/to/mew] [NOFILE_LIMITS="..."] bench/nofile.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
[ -x build/mew ] || make -j2 >/dev/null
rootfs=$(bash scripts/rootfs-debian.sh amd64)
t=$(mktemp -d /tmp/mew-bench-nofile.XXXXXX)
trap 'rm -rf "$t"' EXIT
cc -O2 -o "$t/forks" bench/syscall/forks.c
cp build/mew "$t/mew"
ways="native mew"
if [ -n "${MEW_BASE:-}" ]; then
	cp "$MEW_BASE" "$t/base"
	ways="$ways base"
fi
chmod -R a+rX "$t"
chmod 755 "$t"
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)

# run_way WAY LIMIT CMD...: CMD as the way runs it, under LIMIT
run_way() {
	local way=$1 limit=$2
	shift 2
	case $way in
	native) prlimit --nofile="$limit" "${as_user[@]}" "$@" ;;
	*) prlimit --nofile="$limit" "${as_user[@]}" "$t/$way" run --engine syscall --rootfs "$rootfs" \
		-v "$t:/opt/b" -- "$@" ;;
	esac
}

guest_path() { [ "$1" = native ] && echo "$t" || echo /opt/b; }

ms_of() {
	local s e
	s=$(date +%s%N)
	"$@" >/dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}

# best WAY LIMIT KIND: one round's figure ("wall cpu" for forks)
one() {
	local way=$1 limit=$2 kind=$3 p
	p=$(guest_path "$way")
	case $kind in
	exec) ms_of run_way "$way" "$limit" sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done' ;;
	fork) run_way "$way" "$limit" "$p/forks" 2000 ;;
	raised) run_way "$way" "$limit" "$p/forks" 2000 raise ;;
	esac
}

for limit in ${NOFILE_LIMITS:-1024:524288 1048576:1048576 1024:20000 20000:20000}; do
	if ! prlimit --nofile="$limit" true 2>/dev/null; then
		echo "$limit: this host cannot set it (raising a hard limit needs CAP_SYS_RESOURCE): skipped"
		continue
	fi
	declare -A best=()
	for ((r = 0; r < runs; r++)); do
		for kind in exec fork raised; do
			for way in $ways; do
				v=$(one "$way" "$limit" "$kind")
				w=${v%% *}
				k="$kind $way"
				if [ -z "${best[$k]:-}" ] || awk -v a="$w" -v b="${best[$k]%% *}" 'BEGIN { exit !(a < b) }'; then
					best[$k]=$v
				fi
			done
		done
	done
	echo "RLIMIT_NOFILE $limit (best of $runs; fork: wall us, CPU us a fork)"
	for kind in exec fork raised; do
		line=$(printf '  %-7s' "$kind")
		n=${best[$kind native]%% *}
		for way in $ways; do
			v=${best[$kind $way]}
			line+=$(printf '  %s %-14s' "$way" "$v")
			[ "$way" != native ] && line+=$(awk -v a="${v%% *}" -v b="$n" 'BEGIN { printf "(%.2fx native)  ", a / b }')
		done
		echo "$line"
	done
	unset best
done

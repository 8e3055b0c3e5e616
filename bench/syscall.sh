#!/usr/bin/env bash
# The syscall engine against native execution and Debian's PRoot, same run,
# same Debian rootfs, same unprivileged user (nobody when started as root):
#   getppid  1,000,000 getppid() (never intercepted)        ns per call
#   stat     100,000 stat("/etc/debian_version") (a path)   ns per call
#   statat   100,000 fstatat(dirfd, "debian_version", AT_SYMLINK_NOFOLLOW)
#            from an fd on /etc (what tar, find and rm -r do)
#   fstat    100,000 fstat(fd) (glibc: newfstatat(fd, "", AT_EMPTY_PATH))
#   rawfstat 100,000 fstat(fd) as Go makes it: nr 5, from a call site that
#            holds the number in a register (never patched)
#   open     100,000 open("/etc/debian_version") and close
#   openat2  100,000 openat2(fd on /etc, "debian_version", RESOLVE_BENEATH)
#            and close (cap-std's, Go's os.Root's way)
#   bindstat 100,000 stat("/opt/b/loops"), a file under a -v bind (natively:
#            the same file at its host path)                  ns per call
#   bindopen 100,000 open("/opt/b/loops") and close
#   tar      tar c /usr | wc -c                              ms, whole command
#   cpu      300,000,000 iterations of an integer loop      ns per iteration
# Each figure is the best of RUNS runs (default 3).  Then, where perf can
# count them, the host system calls each call costs (load-independent).  Also shown: mew without
# call-site patching (MEW_TRAP_PATCH=0: every call the stub answers takes the
# SIGSYS round trip), mew without its directory cache (MEW_TRAP_DIRCACHE=0:
# the stat of a path walks it, 3 calls), mew without its in-process fast path (MEW_TRAP_STUB=0: intercepted calls are seccomp
# user notifications answered by mew's thread) and with neither fast path
# (MEW_TRAP_NOTIFY=0: every intercepted call is a ptrace stop), mew without
# its wall (MEW_WALL_ABI=0: no Landlock domain; what the wall costs), and
# native under an allow-everything seccomp filter (what any filter costs).
# Started as root, "mew (own rootfs)" is mew run by nobody on a copy of the
# rootfs that is nobody's (scripts/rootfs-user.sh: every file the user's,
# the owners in mew's records), as a rootless user's own rootfs is: each
# stat reads the owner record.
# Started as root, "mew (root)" is mew run by root (its owners are real:
# nothing to rewrite, and the raw fstat is not intercepted).
# MEW_BASE=PATH adds another build of mew (say, main before a change) to the
# same interleaved rounds, and a column "mew / base".
# MEW_BENCH_WAYS="native mew ..." runs only those ways (more rounds in the
# same time on a busy machine); names as in run_in.
# Usage: [MEW_BASE=path/to/mew] [MEW_BENCH_WAYS=...] bench/syscall.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
[ -x build/mew ] || make -j2 >/dev/null
rootfs=$(bash scripts/rootfs-debian.sh amd64)
t=$(mktemp -d /tmp/mew-bench-syscall.XXXXXX)
trap 'rm -rf "$t"' EXIT
cc -O2 -o "$t/loops" bench/syscall/loops.c
cc -O2 -o "$t/allow" bench/syscall/allow.c
cp build/mew "$t/mew"
[ -n "${MEW_BASE:-}" ] && cp "$MEW_BASE" "$t/base"
chmod -R a+rX "$t"
chmod 755 "$t"
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
have_proot=1
command -v proot >/dev/null || have_proot=0

# cmd_of WAY: (array cmd) the command line that runs a guest path the
# given way, from $t as /opt/b.
cmd_of() {
	local m=("$t/mew" run --engine syscall --rootfs "$rootfs" -v "$t:/opt/b" --)
	case $1 in
	native) cmd=("${as_user[@]}") ;;
	filter) cmd=("${as_user[@]}" "$t/allow") ;;
	mew-root) cmd=("${m[@]}") ;;
	mew-own) cmd=("${as_user[@]}" "$t/mew" run --engine syscall --rootfs "$t/own" -v "$t:/opt/b" --) ;;
	mew) cmd=("${as_user[@]}" "${m[@]}") ;;
	mew-nopatch) cmd=(env MEW_TRAP_PATCH=0 "${as_user[@]}" "${m[@]}") ;;
	mew-nocache) cmd=(env MEW_TRAP_DIRCACHE=0 "${as_user[@]}" "${m[@]}") ;;
	mew-nowall) cmd=(env MEW_WALL_ABI=0 "${as_user[@]}" "${m[@]}") ;;
	base) cmd=("${as_user[@]}" "$t/base" "${m[@]:1}") ;;
	mew-notify) cmd=(env MEW_TRAP_STUB=0 "${as_user[@]}" "${m[@]}") ;;
	mew-ptrace) cmd=(env MEW_TRAP_NOTIFY=0 "${as_user[@]}" "${m[@]}") ;;
	proot) cmd=("${as_user[@]}" proot -w / -r "$rootfs" -b "$t:/opt/b" -b /proc -b /dev -b /sys) ;;
	esac
}

# run_in WAY CMD...: CMD (a guest path) the given way.
run_in() {
	local cmd
	cmd_of "$1"
	shift
	"${cmd[@]}" "$@"
}

loops_cmd() { # WAY MODE N [PATH]: (array run) the loops program's command line
	local way=$1 mode=$2 n=$3 path=${4:-} cmd
	local exe=/opt/b/loops
	if [ "$way" = native ] || [ "$way" = filter ]; then
		exe=$t/loops
		case $path in
		/opt/b/*) path=$t/${path#/opt/b/} ;;
		?*) path=$rootfs$path ;;
		esac
	fi
	cmd_of "$way"
	run=("${cmd[@]}" "$exe" "$mode" "$n" ${path:+"$path"})
}

loops() { # WAY MODE N [PATH] -> ns
	local run
	loops_cmd "$@"
	"${run[@]}" | awk '{print $2}'
}

# calls WAY MODE [PATH] -> host system calls per call: those of every
# process of a run of 11,000 calls less those of a run of 1,000 (perf's
# raw_syscalls:sys_enter), over 10,000.  Counted, not timed: the same on a
# busy machine.
calls() {
	local run a b
	loops_cmd "$1" "$2" 1000 "${3:-}"
	perf stat -x, -o "$t/perf" -e raw_syscalls:sys_enter -- "${run[@]}" >/dev/null 2>&1
	a=$(awk -F, '/raw_syscalls/ { print $1 }' "$t/perf")
	loops_cmd "$1" "$2" 11000 "${3:-}"
	perf stat -x, -o "$t/perf" -e raw_syscalls:sys_enter -- "${run[@]}" >/dev/null 2>&1
	b=$(awk -F, '/raw_syscalls/ { print $1 }' "$t/perf")
	awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", (b - a) / 10000; else print "-" }'
}

tar_ms() { # WAY -> ms
	local way=$1 t0 t1
	t0=$(date +%s%N)
	if [ "$way" = native ] || [ "$way" = filter ]; then
		run_in "$way" sh -c "cd '$rootfs' && tar c usr 2>/dev/null | wc -c" >/dev/null
	else
		run_in "$way" sh -c 'tar c /usr 2>/dev/null | wc -c' >/dev/null
	fi
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

ways=(native filter mew mew-nopatch mew-nocache mew-nowall mew-notify mew-ptrace)
[ ${#as_user[@]} -gt 0 ] && ways+=(mew-own mew-root)
[ "$have_proot" = 1 ] && ways+=(proot)
[ -n "${MEW_BASE:-}" ] && ways+=(base)
if [ -n "${MEW_BENCH_WAYS:-}" ]; then
	read -ra want <<<"$MEW_BENCH_WAYS"
	for w in "${want[@]}"; do
		[[ " ${ways[*]} " == *" $w "* ]] || { echo "bench/syscall.sh: MEW_BENCH_WAYS: no way \`$w' here (${ways[*]})" >&2; exit 2; }
	done
	ways=("${want[@]}")
fi
if [[ " ${ways[*]} " == *" mew-own "* ]]; then
	echo "bench/syscall.sh: a copy of the rootfs for nobody (scripts/rootfs-user.sh)" >&2
	bash scripts/rootfs-user.sh "$rootfs" "$t/own" nobody >/dev/null
fi
declare -A r
# Interleaved: every way runs each round, so a busy moment on a shared
# machine hits them all alike; the best round counts.
add() { # KEY VALUE: keep the smaller
	if [ -z "${r[$1]:-}" ] || awk -v a="$2" -v b="${r[$1]}" 'BEGIN { exit !(a < b) }'; then
		r[$1]=$2
	fi
}
for i in $(seq "$runs"); do
	for w in "${ways[@]}"; do
		add "$w,getppid" "$(loops "$w" getppid 1000000)"
		add "$w,stat" "$(loops "$w" stat 100000 /etc/debian_version)"
		add "$w,statat" "$(loops "$w" statat 100000 /etc/debian_version)"
		add "$w,fstat" "$(loops "$w" fstat 100000 /etc/debian_version)"
		add "$w,rawfstat" "$(loops "$w" rawfstat 100000 /etc/debian_version)"
		add "$w,open" "$(loops "$w" open 100000 /etc/debian_version)"
		add "$w,openat2" "$(loops "$w" openat2 100000 /etc/debian_version)"
		add "$w,bindstat" "$(loops "$w" stat 100000 /opt/b/loops)"
		add "$w,bindopen" "$(loops "$w" open 100000 /opt/b/loops)"
		add "$w,tar" "$(tar_ms "$w")"
		add "$w,cpu" "$(loops "$w" cpu 300000000)"
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }'; }
declare -A label=([native]=native [filter]="native + allow-all filter" [mew]=mew
	[mew-nopatch]="mew (no patching)" [mew-nocache]="mew (no dircache)" [mew-nowall]="mew (no wall)" [mew-notify]="mew (notifier)"
	[mew-ptrace]="mew (ptrace only)" [mew-own]="mew (own rootfs)" [mew-root]="mew (root)" [proot]=proot [base]=base)
# ratio columns: "A/B" pairs of ways
pairs=()
for p in mew/native mew-nopatch/native mew/mew-nopatch mew/mew-nocache mew/mew-nowall mew-own/native mew-root/native mew/proot mew/base; do
	[[ " ${ways[*]} " == *" ${p%/*} "* && " ${ways[*]} " == *" ${p#*/} "* ]] && pairs+=("$p")
done
echo "syscall engine benchmark: best of $runs, $(nproc) CPUs, $(uname -r), $("${as_user[@]}" id -un 2>/dev/null || id -un), $(date -u '+%Y-%m-%d %H:%M UTC')"
[ "$have_proot" = 1 ] && echo "proot: $(dpkg-query -W -f='${Version}' proot 2>/dev/null)"
printf '| test | unit |'
for w in "${ways[@]}"; do printf ' %s |' "${label[$w]}"; done
for p in "${pairs[@]}"; do printf ' %s / %s |' "${label[${p%/*}]}" "${label[${p#*/}]}"; done
echo
printf '|---|---|'
for _ in "${ways[@]}" "${pairs[@]}"; do printf -- '---|'; done
echo
for k in getppid stat statat fstat rawfstat open openat2 bindstat bindopen tar cpu; do
	unit=ns
	[ $k = tar ] && unit=ms
	printf '| %s | %s |' "$k" "$unit"
	for w in "${ways[@]}"; do printf ' %s |' "${r[$w,$k]}"; done
	for p in "${pairs[@]}"; do printf ' %s |' "$(ratio "${r[${p%/*},$k]}" "${r[${p#*/},$k]}")"; done
	echo
done
# System calls per call, where perf can count them (only the in-process
# ways: the notifier's and the tracer's calls are mew's too).
if perf stat -x, -o "$t/perf" -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
	cways=()
	for w in native mew mew-nopatch mew-nocache mew-own mew-root base; do
		[[ " ${ways[*]} " == *" $w "* ]] && cways+=("$w")
	done
	echo
	printf '| host system calls per call |'
	for w in "${cways[@]}"; do printf ' %s |' "${label[$w]}"; done
	echo
	printf '|---|'
	for _ in "${cways[@]}"; do printf -- '---|'; done
	echo
	for k in "getppid getppid" "stat stat /etc/debian_version" "statat statat /etc/debian_version" \
		"fstat fstat /etc/debian_version" "rawfstat rawfstat /etc/debian_version" \
		"open open /etc/debian_version" "openat2 openat2 /etc/debian_version" "bindstat stat /opt/b/loops" "bindopen open /opt/b/loops"; do
		read -r name mode path <<<"$k"
		printf '| %s |' "$name"
		for w in "${cways[@]}"; do printf ' %s |' "$(calls "$w" "$mode" "$path")"; done
		echo
	done
	echo
else
	echo "(no system call counts: perf stat cannot count raw_syscalls:sys_enter here)"
fi
# Paths under a -v bind against paths in the rootfs (goal: within 1.2×).
for w in mew mew-nopatch; do
	[[ " ${ways[*]} " == *" $w "* ]] || continue
	echo "${label[$w]}: under a bind / in the rootfs: stat $(ratio "${r[$w,bindstat]}" "${r[$w,stat]}"), open $(ratio "${r[$w,bindopen]}" "${r[$w,open]}")"
done

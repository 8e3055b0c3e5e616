#!/usr/bin/env bats
# The syscall engine on a real distribution (debootstrap minbase, cached by
# scripts/rootfs-debian.sh), run as an ordinary user: as root, the tests
# drop to nobody (65534) with setpriv and run a copy of mew from a
# world-readable directory.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	local t
	t=$(mktemp -d /tmp/mew-syscall.XXXXXX)
	chmod 755 "$t"
	mkdir -p "$t/bin" "$t/work" "$t/host"
	echo "host secret" >"$t/host/secret"
	cp "$MEW" "$t/bin/mew"
	for p in escape threads hello hostile fastpath sock ptrace killexec eintr fdcount; do
		cc -O1 -pthread -o "$t/bin/$p" "$BATS_TEST_DIRNAME/syscall/$p.c" || return 1
	done
	for p in rowrite fdwrite; do
		cc -O1 -o "$t/bin/$p" "$BATS_TEST_DIRNAME/personality/$p.c" || return 1
	done
	# static: a dynamic program runs through the rootfs's ld.so, and the
	# kernel sees ld.so executing, not the program (no ETXTBSY for it)
	cc -O1 -static -o "$t/bin/errnos" "$BATS_TEST_DIRNAME/syscall/errnos.c" || return 1
	cc -O1 -o "$t/bin/openat2" "$BATS_TEST_DIRNAME/syscall/openat2.c" || return 1
	cc -O1 -o "$t/bin/efault" "$BATS_TEST_DIRNAME/syscall/efault.c" || return 1
	# static: it runs itself inside the root it makes
	cc -O1 -static -o "$t/bin/chroot" "$BATS_TEST_DIRNAME/personality/chroot.c" || return 1
	chmod -R a+rX "$t"
	if [ "$(id -u)" -eq 0 ]; then
		chown 65534:65534 "$t/work"
		DEBIAN=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" amd64) || return 1
	else
		chmod 777 "$t/work"
		DEBIAN=$(bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-debian.sh" amd64 2>/dev/null) || DEBIAN=
	fi
	export T=$t DEBIAN
}

teardown_file() {
	[ -n "${T:-}" ] && rm -rf "$T"
}

setup() {
	[ -n "$DEBIAN" ] || skip "no Debian rootfs: building one needs root and debootstrap (scripts/rootfs-debian.sh)"
}

# guest [MEW RUN FLAGS] -- CMD...: the command under the syscall engine, unprivileged.
guest() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" -v "$T/work:/work" "$@"
	else
		"$T/bin/mew" run --engine syscall --rootfs "$DEBIAN" -v "$T/bin:/opt/t" -v "$T/work:/work" "$@"
	fi
}

# guest_in_fresh_dir PROG [ARGS...]: the test program /opt/t/PROG in the
# guest, given a new directory of /work (removed after) and ARGS; the
# MEW_TRAP_* variables set before it choose the mode.
guest_in_fresh_dir() {
	local prog=$1
	shift
	run guest -- sh -c 'd=$(mktemp -d "/work/$0.XXXXXX"); "/opt/t/$0" "$d" "$@"; r=$?; rm -rf "$d"; exit $r' "$prog" "$@"
}

@test "syscall: runs as an ordinary user with a fake root identity" {
	run guest -- sh -c 'id; id -u; cat /proc/self/status | grep "^Uid"'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid=0(root) gid=0(root)"* ]]
	[ "${lines[1]}" = 0 ]
	# /proc/self/status says what getuid says, not the host's 65534
	[ "${lines[2]}" = "Uid:	0	0	0	0" ]
}

@test "syscall: /proc/N/status shows the guest's ids, groups and capabilities, its own and another guest process's; su works as an ordinary user, in the stub and notifier modes" {
	# mew's user must be able to read the rootfs's /etc/shadow (0640 root:shadow
	# in the cached rootfs): pam_unix's account check reads it, and without it
	# su says "Authentication failure", as it would to a native nobody
	cp "$DEBIAN/etc/shadow" "$T/shadow" 2>/dev/null || skip "the rootfs's /etc/shadow is not readable by $(id -un)"
	[ "$(id -u)" -eq 0 ] && chown 65534 "$T/shadow"
	cat >"$T/bin/ids.sh" <<-'EOF'
		# each line ended by ';', its trailing blanks kept
		ids() { grep -E '^(Uid|Gid|Groups|CapEff|NoNewPrivs):' "/proc/$1/status" | sed 's/$/;/'; }
		ids self
		if [ "$1" != nobody ]; then
			su -s /bin/sh nobody -c 'sh /opt/t/ids.sh nobody'
		else
			id -u
			# su itself, which waits as root: the nearest su above
			p=$PPID
			for _ in 1 2 3; do
				[ "$(head -zn1 /proc/$p/cmdline | tr -d '\0')" = su ] && break
				p=$(awk '/^PPid:/ { print $2 }' /proc/$p/status)
			done
			ids $p
		fi
	EOF
	chmod a+r "$T/bin/ids.sh"
	for m in stub notifier; do
		run env $([ $m = notifier ] && echo MEW_TRAP_STUB=0) bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -v $T/shadow:/etc/shadow -- sh /opt/t/ids.sh"
		echo "$m: $output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "Uid:	0	0	0	0;" ]
		[ "${lines[1]}" = "Gid:	0	0	0	0;" ]
		# no supplementary group, as the kernel prints none
		[ "${lines[2]}" = "Groups:	 ;" ]
		# the capabilities a root has under an unprivileged mew
		# (PERS_CAP_EMULATED, CAP_SYS_ADMIN in every mode)
		[ "${lines[3]}" = "CapEff:	00000000002401ff;" ]
		[ "${lines[4]}" = "NoNewPrivs:	0;" ]
		# su's shell: nobody's ids, no capability
		[ "${lines[5]}" = "Uid:	65534	65534	65534	65534;" ]
		[ "${lines[6]}" = "Gid:	65534	65534	65534	65534;" ]
		[ "${lines[7]}" = "Groups:	65534 ;" ]
		[ "${lines[8]}" = "CapEff:	0000000000000000;" ]
		[ "${lines[10]}" = 65534 ]
		[ "${lines[11]}" = "Uid:	0	0	0	0;" ]
	done
}

@test "syscall: --user is taken, or refused by name while the contract says so" {
	run guest --user 1234:1234 -- id -u
	if "$MEW" engines --json | jq -e '.engines[] | select(.name == "syscall") | .refuses.user' >/dev/null; then
		[ "$status" -eq 125 ]
		[[ "$output" == "mew: --user: the syscall engine cannot "* ]]
	else
		[ "$status" -eq 0 ]
		[ "$output" = 1234 ]
	fi
}

@test "syscall: sh -c and coreutils see the rootfs as /" {
	run guest -- sh -c 'cat /etc/debian_version; echo a b | wc -w; basename /usr/bin/env; mktemp -u /tmp/x.XXXX | head -c 7; echo; pwd'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(cat "$DEBIAN/etc/debian_version")" ]
	[ "${lines[1]}" = 2 ]
	[ "${lines[2]}" = env ]
	[ "${lines[3]}" = "/tmp/x." ]
	[ "${lines[4]}" = / ]
}

@test "syscall: ls -la / lists the rootfs" {
	run guest -- ls -la /
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" usr"* ]]
	[[ "$output" == *"bin -> usr/bin"* ]]
	[[ "$output" != *"mew-syscall"* ]]
}

@test "syscall: find / -xdev walks the rootfs and nothing else" {
	run guest -- sh -c 'find / -xdev 2>/dev/null | wc -l; find / -xdev -name debian_version 2>/dev/null'
	echo "$output"
	if [ "$(id -u)" -eq 0 ]; then
		want=$(setpriv --reuid=65534 --regid=65534 --clear-groups find "$DEBIAN" -xdev -path "$DEBIAN/dev" -prune -o -print 2>/dev/null | wc -l)
	else
		want=$(find "$DEBIAN" -xdev -path "$DEBIAN/dev" -prune -o -print 2>/dev/null | wc -l)
	fi
	# /opt/t and /work are binds on the same host filesystem: they may add a few
	[ "${lines[0]}" -ge "$want" ]
	[ "${lines[0]}" -le $((want + 50)) ]
	[ "${lines[1]}" = /etc/debian_version ]
}

@test "syscall: tar archives and extracts inside the rootfs" {
	run guest -- sh -c 'cd /work && tar cf etc.tar /etc/apt 2>/dev/null; mkdir -p x && tar xf etc.tar -C x && ls x/etc/apt | grep sources && rm -rf x etc.tar'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sources.list"* ]]
}

@test "syscall: dpkg -l, apt-get --version and perl -e" {
	run guest -- sh -c 'dpkg -l 2>/dev/null | grep -c "^ii"; apt-get --version | head -1; perl -e "print 6*7, qq(\n)"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -gt 50 ]
	[[ "${lines[1]}" == "apt "* ]]
	[ "${lines[2]}" = 42 ]
}

@test "syscall: a dynamically linked program runs with the rootfs's loader" {
	run guest -- /opt/t/hello
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello argv0=/opt/t/hello exe=/opt/t/hello uid=0" ]
	run guest -w /opt/t -- ./hello
	[ "$output" = "hello argv0=./hello exe=/opt/t/hello uid=0" ]
}

@test "syscall: #! scripts find their interpreter in the rootfs" {
	printf '#!/usr/bin/perl -w\nprint "perl script $0\\n";\n' >"$T/work/s.pl"
	chmod 755 "$T/work/s.pl"
	run guest -- /work/s.pl
	rm -f "$T/work/s.pl"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "perl script /work/s.pl" ]
}

@test "syscall: escape attempts stay inside the rootfs" {
	[ -e "$T/host/secret" ]
	run guest -- /opt/t/escape "$T/host/secret"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = contained ]
	run guest -- sh -c "cat /../../..$T/host/secret; ln -s / /work/l; cat /work/l/..$T/host/secret; ln -s $T/host /work/h; cat /work/h/secret; rm /work/l /work/h; cd /proc/self/root/../../..; pwd; ls"
	echo "$output"
	[[ "$output" != *"host secret"* ]]
	[[ "$output" == *"etc"* ]]
}

@test "syscall: a symlink to /etc means the rootfs's /etc" {
	run guest -- sh -c 'ln -sf /etc /work/etc && readlink /work/etc && cat /work/etc/debian_version && rm /work/etc'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /etc ]
	[ "${lines[1]}" = "$(cat "$DEBIAN/etc/debian_version")" ]
}

@test "syscall: binds from -v and the working directory from -w" {
	echo bound >"$T/work/f"
	run guest -w /work -- sh -c 'pwd; cat f; cat /work/../work/f; readlink -f /proc/self/cwd'
	rm -f "$T/work/f"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /work ]
	[ "${lines[1]}" = bound ]
	[ "${lines[2]}" = bound ]
	[ "${lines[3]}" = /work ]
}

@test "syscall: threads, fork and vfork are all followed" {
	run guest -- /opt/t/threads
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "threads: 0 failures, spawn exit 7, fork exit 5" ]
}

@test "syscall: exit statuses pass through" {
	run guest -- sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run guest -- false
	[ "$status" -eq 1 ]
	run -127 guest -- /no/such/program
	[ "$status" -eq 127 ]
	run -127 guest -- nosuchcommand
	[ "$status" -eq 127 ]
	run guest -- /etc/passwd
	[ "$status" -eq 126 ]
}

@test "syscall: a killed command reports 128+N and mew exits cleanly" {
	run guest -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	run guest -- sh -c 'kill -SEGV $$'
	[ "$status" -eq 139 ]
	run guest -- perl -e 'kill "TERM", $$; sleep 5'
	[ "$status" -eq 143 ]
}

@test "syscall: what the command leaves running (its children, orphans reparented to mew) ends with it" {
	# children of the main process, and orphans whose parent is gone
	# (reparented to mew, the subreaper)
	run guest -- sh -c 'sleep 7391 & (sleep 7392 &); perl -e "fork or exec qw(sleep 7393)"; echo started'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = started ]
	# nothing of them survives the run
	run pgrep -f "sleep 739[123]"
	[ "$status" -eq 1 ]
}

@test "syscall: signals are delivered unchanged to the command" {
	run guest -- sh -c 'trap "echo got USR1" USR1; kill -USR1 $$; trap "echo got HUP" HUP; kill -HUP $$; echo after'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "got USR1
got HUP
after" ]
	# stop and continue: the job is not left stopped
	run guest -- sh -c 'sleep 5 & p=$!; kill -STOP $p; kill -CONT $p; kill -TERM $p; wait $p; echo $?'
	echo "$output"
	[ "${lines[-1]}" = 143 ]
}

@test "syscall: a signal without SA_RESTART does not interrupt calls Linux never interrupts (open of /dev/null, stat, mkdir, rmdir answered through mew), in the stub and ptrace modes" {
	# The notifier-only mode (MEW_TRAP_STUB=0, for kernels without
	# openat2) still can: a signal that comes before mew has received the
	# call interrupts it, and nothing in the guest can make it again.
	for mode in "1 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -- /opt/t/eintr /work/eintr.dir
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == "EINTR 0, other errors 0, in 16000 calls with "* ]]
	done
}

@test "syscall: nothing outlives the run (no zombie, no stopped tracee)" {
	tag=$((RANDOM + 4000)).25
	run guest -- sh -c "sleep $tag & sleep $tag & kill -STOP \$!; echo started"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = started ]
	sleep 0.2
	run pgrep -f "sleep $tag"
	[ "$status" -ne 0 ]
}

@test "syscall: mew's memory does not grow with the number of guest processes it has seen (600 execs)" {
	local tag=$((RANDOM + 4000)) pid rss=
	rm -f "$T/work/execs-done"
	guest -- sh -c "i=0; while [ \$i -lt 600 ]; do /bin/true; i=\$((i+1)); done; touch /work/execs-done; sleep $tag.5" &
	for _ in $(seq 600); do [ -e "$T/work/execs-done" ] && break; sleep 0.5; done
	[ -e "$T/work/execs-done" ]
	pid=$(pgrep -o -f "^$T/bin/mew run .*sleep $tag.5")
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	kill "$pid"
	wait
	echo "mew $pid: VmRSS $rss kB"
	# about 20 MB; a record of 256 KiB kept for each process gone made 160 MB
	[ -n "$rss" ] && [ "$rss" -lt 65536 ]
}

@test "syscall: uname, hostname and /proc/sys/kernel/{hostname,domainname} are the configured ones, in the stub and notifier modes" {
	for stub in 1 0; do
		MEW_TRAP_STUB=$stub run guest --hostname box -- sh -c 'uname -n; uname -s; hostname; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'
		echo "MEW_TRAP_STUB=$stub: $output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = box ]
		[ "${lines[1]}" = Linux ]
		[ "${lines[2]}" = box ]
		[ "${lines[3]}" = box ]
		[ "${lines[4]}" = "(none)" ]
	done
}

@test "syscall: io_uring is refused with ENOSYS (natively it works)" {
	cat >"$T/work/uring.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
int main(void) {
	struct io_uring_params p = { 0 };
	long r = syscall(425, 4, &p); /* io_uring_setup, valid params */
	printf("%ld %d\n", r, r < 0 ? errno : 0);
	return 0;
}
C
	cc -o "$T/bin/uring" "$T/work/uring.c"
	chmod a+rx "$T/bin/uring"
	run "$T/bin/uring"
	echo "native: $output"
	[ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" != 0 ] || [ "${output% *}" -ge 0 ]
	run guest -- /opt/t/uring
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "-1 38" ] # ENOSYS
}

@test "syscall: a call through int 0x80 (the i386 ABI) is refused with ENOSYS" {
	cat >"$T/work/int80.c" <<'C'
#include <stdio.h>
int main(void) {
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) /* i386 getpid */ : "memory", "r8", "r9", "r10", "r11");
	printf("%ld\n", r);
	return 0;
}
C
	cc -o "$T/bin/int80" "$T/work/int80.c"
	chmod a+rx "$T/bin/int80"
	run "$T/bin/int80"
	[ "$status" -eq 0 ] || skip "this kernel has no IA32 emulation (int 0x80 faults natively)"
	[ "$output" -gt 0 ]
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -- /opt/t/int80
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[ "$output" = -38 ] # ENOSYS
	done
}

@test "syscall: without the fast path (ptrace only) escapes stay closed and threads work" {
	MEW_TRAP_NOTIFY=0 run guest -- /opt/t/escape "$T/host/secret"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = contained ]
	MEW_TRAP_NOTIFY=0 run guest -- /opt/t/threads
	[ "$status" -eq 0 ]
	MEW_TRAP_NOTIFY=0 run guest -- sh -c 'cd /work && mkdir -p d && tar cf d.tar /etc/apt 2>/dev/null && tar xf d.tar -C d && ls d/etc/apt | grep -c sources && rm -rf d d.tar'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "syscall: a FIFO opened by two guest processes" {
	run guest -- sh -c 'rm -f /work/fifo; mkfifo /work/fifo; (echo through > /work/fifo &); cat /work/fifo; rm /work/fifo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = through ]
}

@test "syscall: files the guest creates get its umask" {
	run guest -- sh -c 'umask 027; cd /work; rm -f u; : > u; stat -c %a u; umask 0; rm u; : > u; stat -c %a u; rm u'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 640 ]
	[ "${lines[1]}" = 666 ]
}

@test "syscall: a hostile guest gets errors, mew keeps answering" {
	run guest -- /opt/t/hostile
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = survived ]
	MEW_TRAP_NOTIFY=0 run guest -- /opt/t/hostile
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = survived ]
}

@test "syscall: /proc/PID/cmdline of a dynamic program shows its own argv, not the loader's" {
	# (waits until the background child has exec'd sleep)
	run guest -- sh -c 'cat /proc/self/cmdline | tr "\0" " "; echo; sleep 20 & for i in $(seq 100); do c=$(tr "\0" " " < /proc/$!/cmdline); case $c in sh*) sleep 0.1 ;; *) break ;; esac; done; echo "$c"; kill $!'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cat /proc/self/cmdline " ]
	[ "${lines[1]}" = "sleep 20 " ]
}

@test "syscall: --read-only and :ro binds refuse writes, rw binds take them; creating what is there says EEXIST first, in each mode" {
	mkdir -p "$T/rodir/sub"
	echo kept >"$T/rodir/f"
	chmod -R a+rwX "$T/rodir"
	# stub (default), notifier, ptrace
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest --read-only -v "$T/rodir:/ro:ro" -- sh -c 'touch /tmp/x 2>&1; rm /ro/f 2>&1; echo x > /ro/g 2>&1; cat /ro/f; echo w > /work/w && cat /work/w && rm /work/w
			mkdir /etc 2>&1; mkdir /ro/sub 2>&1; mkdir -p /etc/apt /ro/sub && echo mkdir-p; mkdir /etc/new 2>&1'
		echo "mode $mode: $output"
		[[ "${lines[0]}" == *"Read-only file system"* ]]
		[[ "${lines[1]}" == *"Read-only file system"* ]]
		[[ "${lines[2]}" == *"Read-only file system"* ]]
		[ "${lines[3]}" = kept ]
		[ "${lines[4]}" = w ]
		# the kernel looks the name up before it asks the mount
		[[ "${lines[5]}" == *"File exists"* ]]
		[[ "${lines[6]}" == *"File exists"* ]]
		[ "${lines[7]}" = mkdir-p ]
		[[ "${lines[8]}" == *"Read-only file system"* ]]
	done
	[ -e "$T/rodir/f" ]
	[ ! -e "$T/rodir/g" ]
}

@test "syscall: every kind of write through a :ro volume or a --read-only rootfs, by path or through an fd opened for reading, fails as the kernel says and leaves the host files as they were, in each mode" {
	local d=$T/rowrite r=$T/rofs before rbefore owner=
	# owned by the user mew runs as: the host would let every write through
	[ "$(id -u)" -eq 0 ] && owner=65534:65534
	rowrite_place "$d" $owner
	# --read-only: a rootfs of its own holding only the static program
	rowrite_place "$r/rotest" $owner
	cc -O1 -static -o "$r/rowrite" "$BATS_TEST_DIRNAME/personality/rowrite.c"
	chmod -R a+rX "$d" "$r"
	before=$(tree_state "$d")
	rbefore=$(tree_state "$r")
	# the kernel's own answers on a read-only mount, where this host lets
	# root make one: mew must say the same
	if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
		cp -a "$d" "$T/native"
		run unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && "$2" "$1"' - "$T/native" "$T/bin/rowrite"
		echo "native: $output"
		check_rowrite "$output"
		rm -rf "$T/native"
	fi
	# stub (default), notifier, ptrace
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -v "$d:/ro:ro" -- /opt/t/rowrite /ro
		echo "mode $mode, :ro volume: $output"
		[ "$status" -eq 0 ]
		check_rowrite "$output"
		[ "$(tree_state "$d")" = "$before" ]
		if [ "$(id -u)" -eq 0 ]; then
			MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run setpriv --reuid=65534 --regid=65534 --clear-groups -- \
				"$T/bin/mew" run --engine syscall --rootfs "$r" --read-only -- /rowrite /rotest
		else
			MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run "$T/bin/mew" run --engine syscall --rootfs "$r" --read-only -- /rowrite /rotest
		fi
		echo "mode $mode, --read-only: $output"
		[ "$status" -eq 0 ]
		check_rowrite "$output"
		[ "$(tree_state "$r")" = "$rbefore" ]
	done
}

@test "syscall: writes through fds on a writable place (fchmod, futimens, f*xattr; O_PATH fds, AT_EMPTY_PATH) answer as the kernel does, in each mode" {
	local d=$T/fdw native
	mkdir -p "$d"
	[ "$(id -u)" -eq 0 ] && chown 65534:65534 "$d"
	# natively, as the user mew runs as
	if [ "$(id -u)" -eq 0 ]; then
		native=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c 'echo x >"$1/f" && "$2" "$1"' - "$d" "$T/bin/fdwrite")
	else
		native=$(sh -c 'echo x >"$1/f" && "$2" "$1"' - "$d" "$T/bin/fdwrite")
	fi
	echo "native: $native"
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -v "$d:/w" -- sh -c 'rm /w/f && echo x >/w/f && /opt/t/fdwrite /w'
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$native" ]
	done
}

@test "syscall: no cgroups and no PID namespace inside (not a kernel), even run by root; a network namespace of the guest's own (syscall-netns.bats)" {
	run "$MEW" run --engine syscall --rootfs "$DEBIAN" -- sh -c 'unshare -p true 2>&1; echo "unshare -p $?"; unshare -n true 2>&1; echo "unshare -n $?"; mkdir /sys/fs/cgroup/mew-syscall-test 2>&1; echo "mkdir $?"; perl -e "print qq(threads fall back from clone3\n)"'
	echo "$output"
	[[ "$output" == *"unshare -p 1"* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"unshare -n 0"* ]]
	[[ "$output" == *"mkdir 1"* ]]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e /sys/fs/cgroup/mew-syscall-test ]
}

@test "syscall: the in-process fast path answers as the notifier does" {
	local d=/tmp/fastpath.$$.$RANDOM
	run guest -- /opt/t/fastpath answers $d /work/fastpath-bound
	[ "$status" -eq 0 ]
	fast=$output
	run env MEW_TRAP_STUB=0 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/fastpath answers $d /work/fastpath-bound"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -gt 800 ]
	grep -q '^creat b relative: mode 100600 size 3$' <<<"$output"
	diff <(echo "$output") <(echo "$fast")
}

@test "syscall: the in-process fast path is taken (stat, open, creat, chmod, truncate, rename, unlink, mkdir, rmdir, getcwd, uname never reach mew)" {
	run env MEW_DEBUG=1 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/fastpath loop 2000"
	echo "$output"
	[ "$status" -eq 0 ]
	n=$(echo "$output" | sed -n 's/.*the notifier answered \([0-9]*\) calls.*/\1/p')
	[ -n "$n" ] && [ "$n" -lt 100 ]
	run env MEW_DEBUG=1 MEW_TRAP_STUB=0 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/fastpath loop 2000"
	n=$(echo "$output" | sed -n 's/.*the notifier answered \([0-9]*\) calls.*/\1/p')
	[ -n "$n" ] && [ "$n" -ge 22000 ]
}

@test "syscall: the fast path survives blocked signals, ppoll masks, a guest SIGSYS handler, sigaltstack, threads, fork, vfork" {
	run guest -- /opt/t/fastpath signals
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 17 ]
	! grep -q FAILED <<<"$output"
}

@test "syscall: AF_UNIX socket paths are translated: no host socket is reachable by its path" {
	local pid
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$T/hostsock" && chown 65534 "$T/hostsock"
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$T/bin/sock" listen "$T/hostsock/s" &
	else
		mkdir -p "$T/hostsock"
		"$T/bin/sock" listen "$T/hostsock/s" &
	fi
	pid=$!
	for i in $(seq 50); do [ -S "$T/hostsock/s" ] && break; sleep 0.1; done
	run guest -- sh -c "umask 022; /opt/t/sock check /work/s '$T/hostsock/s'"
	kill "$pid"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	# the guest's /work/s is the bind's socket, made with the guest's umask
	[ -S "$T/work/s" ]
	[ "$(stat -c %a "$T/work/s")" = 755 ]
	# the notifier (without the in-process stub) translates bind and connect
	run env MEW_TRAP_STUB=0 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/sock check /work/s2 '$T/hostsock/s' stream"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "syscall: SO_PEERCRED of a connection a guest process made names that process and its ids as the guest sees them (mew makes the connect), in the stub and notifier modes (LTP's getsockopt02)" {
	run "$T/bin/sock" peercred "$T/work/pc"
	echo "$output"
	native=$output
	[ "${lines[0]}" = "peer pid: the child's" ]
	[ "${lines[1]}" = "peer ids: the child's" ]
	[ "${lines[2]}" = "the child's peer: the parent" ]
	for stub in 1 0; do
		run env MEW_TRAP_STUB=$stub bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/sock peercred /work/pc"
		echo "stub $stub: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$native" ]
	done
}

@test "syscall: the kernel's errnos: a hard link to a directory, fchown of O_PATH, execveat NOFOLLOW and unknown flags, ETXTBSY (static and dynamic programs, both ways), /proc/self/fd/N/... in linkat and bind, an O_TMPFILE linked, a dirfd that is a file, linkat's flags, lstat(NULL), fstatat's unknown flags, truncate past RLIMIT_FSIZE" {
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 guest_in_fresh_dir errnos
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 28 ]
	done
}

@test "syscall: openat2 as Linux answers it: the struct's checks, each RESOLVE_* rule (a -v bind is a mount), natively and in each mode" {
	local d
	d=$(mktemp -d /tmp/mew-openat2.XXXXXX)
	run "$T/bin/openat2" "$d" /proc
	rm -rf "$d"
	echo "native: $output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 65 ]
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 guest_in_fresh_dir openat2 /work
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[ "$(grep -c '^ok ' <<<"$output")" -eq 65 ]
		# a guest no longer root: the kernel's permission checks (O_PATH
		# needs search permission only)
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -- perl -e '
			my ($p, $q) = ("/etc/shadow", "/root/.bashrc");
			my @how = (pack("QQQ", 0, 0, 0), pack("QQQ", 010000000, 0, 0));
			$> = 65534;
			for ([$p, 0], [$p, 1], [$q, 1]) {
				my $r = syscall(437, -100, $_->[0], $how[$_->[1]], 24);
				print $r >= 0 ? "ok\n" : "$!\n";
			}'
		echo "mode $mode: $output"
		[ "$output" = "$(printf 'Permission denied\nok\nPermission denied')" ]
	done
}

@test "syscall: openat2 of a relative name, answered in the guest's process, never opens what a -v bind hides" {
	local r=$BATS_TEST_TMPDIR/rootfs b=$BATS_TEST_TMPDIR/bound
	[ -x "$ROOTFS/bin/busybox" ] || skip "no busybox rootfs (scripts/rootfs-busybox.sh)"
	cp -a "$ROOTFS" "$r"
	cc -O1 -static -o "$r/openat2" "$BATS_TEST_DIRNAME/syscall/openat2.c"
	mkdir -p "$r/opt/tt" "$b"
	echo hidden >"$r/opt/tt/secret"
	echo bound >"$b/secret"
	run "$MEW" run --engine syscall --rootfs "$r" -v "$b:/opt/tt" -- sh -c 'cd /opt && /openat2 cat tt/secret; cd /opt/tt && /openat2 cat secret'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'bound\nbound')" ]
}

@test "syscall: chroot as Linux's: its errors in order; a root of the process's own (paths, symlinks, .., a cwd and fd outside it, getcwd, /proc/N/root and cwd, fork, exec, nested, the escape), natively and in each mode" {
	local d
	if [ "$(id -u)" -eq 0 ]; then
		d=$(mktemp -d /tmp/mew-chroot.XXXXXX)
		run "$T/bin/chroot" "$d"
		rm -rf "$d"
		echo "native: $output"
		[ "$status" -eq 0 ]
		[ "$(grep -c '^ok ' <<<"$output")" -eq 44 ]
	fi
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 guest_in_fresh_dir chroot
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[ "$(grep -c '^ok ' <<<"$output")" -eq 44 ]
	done
}

# chroot_tree DIR: a root of dash, ls, cat, readlink and sleep with the
# libraries ldd names (its loader too), /etc/marker and /abs -> /etc/marker
chroot_tree='set -e; nr=$1; mkdir -p $nr/etc $nr/usr/bin $nr/proc
	for p in /usr/bin/dash /usr/bin/ls /usr/bin/cat /usr/bin/readlink /usr/bin/sleep; do
		cp $p $nr/usr/bin/
		for l in $(ldd $p | grep -o "/[^ ]*"); do mkdir -p $nr$(dirname $l); cp -L $l $nr$l; done
	done
	ln -s usr/bin $nr/bin; ln -s dash $nr/usr/bin/sh
	echo inside >$nr/etc/marker; ln -s /etc/marker $nr/abs'

@test "syscall: chroot DIR sh: dynamic programs load the root's ld.so and libraries; /, absolute symlinks, /proc/self/root (/proc bound there) and /proc/N/root from outside, in each mode" {
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -v /proc:/work/newroot/proc -- sh -c "$chroot_tree"'
			cd /work; chroot newroot /bin/sh -c "ls /; cat /etc/marker /abs; readlink /proc/self/root; pwd; cd /../..; pwd; ls"
			chroot newroot sleep 5 & sleep 1; readlink /proc/$!/root; kill $!' x /work/newroot
		rm -rf "$T/work/newroot"
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf '%s\n' abs bin etc lib lib64 usr inside inside / / / abs bin etc lib lib64 usr /work/newroot)" ]
	done
}

@test "syscall: a chrooted guest never gets above the run's rootfs: the escape through a cwd outside its root ends at the run's /, in each mode" {
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -- sh -c 'mkdir -p "$1"; cd /work
			# a cwd outside its root, `..` up, chroot(.): Linux goes to its /
			perl -e '\''chroot("/work/newroot") or die "chroot: $!"; chdir("../../../../../..") or die; chroot(".") or die "chroot .: $!";
				opendir(my $d, "/") or die; print join(" ", sort grep { !/^\./ } readdir $d), "\n";
				for my $p ("/../../../../'"$T"'/host/secret", "../../../../../../../../'"$T"'/host/secret") { print open(my $f, "<", $p) ? "LEAK $p\n" : "no $p\n"; }'\''' x /work/newroot
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		rm -rf "$T/work/newroot"
		[ "${lines[0]}" = "$(ls "$DEBIAN" | tr '\n' ' ' | sed 's/ $//')" ]
		[[ "$output" != *LEAK* ]]
		[ "$(grep -c '^no ' <<<"$output")" -eq 2 ]
	done
}

@test "syscall: fchdir of a guest that is no longer root needs search permission on the directory as it sees it (LTP's fchdir03)" {
	run guest -- sh -c 'd=$(mktemp -d /work/fchdir.XXXXXX); mkdir -m 700 $d/closed; mkdir -m 755 $d/open; chmod 755 $d
		perl -e "opendir(my \$c, \"$d/closed\") or die; opendir(my \$o, \"$d/open\") or die; \$> = 65534;
			print chdir(\$c) ? \"allowed\n\" : \"\$!\n\"; print chdir(\$o) ? \"allowed\n\" : \"\$!\n\""; r=$?; rm -rf $d; exit $r'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Permission denied" ]
	[ "${lines[1]}" = allowed ]
}

@test "syscall: a bad pointer is EFAULT, not a crash, and the guest's own SIGSEGV is its own, in each mode" {
	for mode in "1 1 1" "1 1 0" "0 1 1" "1 0 1"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 MEW_TRAP_PATCH=$3 guest_in_fresh_dir efault
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[[ "$output" != *FAILED* ]]
		[ "$(grep -c '^ok ' <<<"$output")" -eq 112 ]
	done
}

@test "syscall: ptrace inside the guest: attaching is EPERM with one message naming the engine, in each mode" {
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -- sh -c '/opt/t/ptrace && /opt/t/ptrace'
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[[ "$output" != *FAILED* ]]
		[ "$(grep -c '^ok ' <<<"$output")" -eq 10 ]
		# once a run, however many processes try
		[ "$(grep -c '^mew: ptrace: the syscall engine does not run debuggers inside the guest (strace, gdb): use --engine container$' <<<"$output")" -eq 1 ]
	done
}

@test "syscall: /proc/PID/exe of another guest process is its program, in each mode" {
	for mode in "1 1" "0 1" "1 0"; do
		set -- $mode
		MEW_TRAP_STUB=$1 MEW_TRAP_NOTIFY=$2 run guest -- sh -c 'sleep 20 & sleep 0.3; readlink /proc/$!/exe; kill $!'
		echo "mode $mode: $output"
		[ "$status" -eq 0 ]
		[ "$output" = /usr/bin/sleep ] # not the rootfs's ld.so that runs it
	done
}

@test "syscall: /proc/self/maps, mountinfo and mounts show guest paths" {
	run guest -- sh -c 'cat /proc/self/maps; echo ==; cat /proc/self/mountinfo; echo ==; cat /proc/mounts'
	echo "$output"
	[ "$status" -eq 0 ]
	! grep -qF "$DEBIAN" <<<"$output"
	grep -q ' /usr/lib/x86_64-linux-gnu/libc.so.6$' <<<"$output"
	grep -q '^[0-9]* [0-9]* [0-9:]* [^ ]* / ' <<<"$output"
	grep -q '^[^ ]* / ' <<<"$output"
	grep -q ' /proc proc ' <<<"$output"
}

@test "syscall: exec with a short and a very long argv (the stub builds it in its frame or a mapping)" {
	run guest -- sh -c '/bin/echo $(seq 20) | wc -w; /bin/echo $(seq 5000) | wc -w'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 20 ]
	[ "${lines[1]}" = 5000 ]
}

@test "syscall: the fake root's set*id are seen, survive exec, and a dropped root stays dropped" {
	run guest -- sh -c 'id -u; setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "id -u; id -g; setpriv --reuid=0 true 2>/dev/null || echo refused"; id -u'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\n65534\n65534\nrefused\n0')" ]
}

@test "syscall: many processes exec and ask mew at once" {
	run guest -- sh -c 'for i in $(seq 40); do /bin/true & grep -c . /proc/self/maps >/dev/null & ls /proc/self/ >/dev/null & done; wait; echo done'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = done ]
}

@test "syscall: a child killed while mew puts the stub into its new program dies of the guest's SIGKILL, and mew says nothing (subprocess's timeout)" {
	run "$T/bin/killexec" 300
	[ "$output" = "killed 300, other ends 0" ]
	run guest -- /opt/t/killexec 300
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "killed 300, other ends 0" ]
}

@test "syscall: a program counts the fds its RLIMIT_NOFILE lets it open as natively (LTP's pipe07, dup06, dup03, dup201), whatever the limit: hard and soft the same, room above, lowered, set back" {
	# the stub's fds sit at the limit the guest sees, which is lower by
	# their number where the hard limit leaves no room above them
	for limit in 20000:20000 1024:1024 1024:4096 4096:4096 512:512; do
		run prlimit --nofile=$limit "$T/bin/fdcount"
		echo "$output"
		native=$output
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "pipe: as counted" ]
		[ "${lines[1]}" = "start: dup: the limit" ]
		[ "${lines[3]}" = "at the limit: dup2 Bad file descriptor, F_DUPFD Invalid argument, dup2 under it ok, F_DUPFD under it ok" ]
		run prlimit --nofile=$limit bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/fdcount"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$output" = "$native" ]
	done
	# the limit shown: the soft one where the hard one leaves room, and
	# both less the stub's fds where it does not
	run prlimit --nofile=1024:4096 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- sh -c 'ulimit -Sn; ulimit -Hn'"
	[ "${lines[0]}" = 1024 ]
	[ "${lines[1]}" -lt 4096 ]
	run prlimit --nofile=1024:1024 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- sh -c 'ulimit -Sn; ulimit -Hn'"
	[ "${lines[0]}" -lt 1024 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	# a program run under a lower limit still has them (raised for the
	# time it takes), where the filter keeps them from it: ls answers
	# from the rootfs and lists none
	run prlimit --nofile=1024:4096 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- sh -c 'ulimit -Sn 100; ls /proc/self/fd /etc/debian_version'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /etc/debian_version ]
	[ -z "$(grep -E '^[0-9]{4,}$' <<<"$output")" ]
}

# fdcount (and fdcount raise) under limit $1 natively, then under mew
# (with MEW_TRAP_FD_TOP=$3 when given): the same lines
fdcount_as_natively() {
	run prlimit --nofile=$1 "$T/bin/fdcount" $2
	echo "$output"
	native=$output
	[ "$status" -eq 0 ]
	run prlimit --nofile=$1 env ${3:+MEW_TRAP_FD_TOP=$3} bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- /opt/t/fdcount $2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$native" ]
}

@test "syscall: a program that raises its soft RLIMIT_NOFILE to the hard limit (Go, the JVM) gets its fds numbered under it, the stub's moved over it" {
	for limit in 1024:4096 1024:20000 20000:20000; do
		fdcount_as_natively $limit raise
		[ "${lines[1]}" = "3000 fds: one after the other" ]
		[ "${lines[2]}" = "top: dup2 under the limit ok, dup2 at it Bad file descriptor" ]
		[ "${lines[3]}" = "path: ok, in a child ok" ]
		[ "${lines[5]}" = "raised: numbers: under the limit" ]
	done
	# fds inherited at the stub's numbers (just under the real limit) are
	# the guest's; once it closes them, their numbers are the stub's again
	run prlimit --nofile=20000:20000 "$T/bin/fdcount"
	native=$output
	run prlimit --nofile=20000:20000 bash -c "exec 19950</dev/null 19999</dev/null; $(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- sh -c 'ls /proc/self/fd | grep -c ^199; /opt/t/fdcount'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '2\n%s' "$native")" ]
}

@test "syscall: over a soft RLIMIT_NOFILE of 32768 (Docker's 1048576:1048576) the guest starts under 32768, with its hard limit less the stub's fds; MEW_TRAP_FD_TOP puts this host's limit there" {
	# the same regime at the size this host allows
	run prlimit --nofile=20000:20000 env MEW_TRAP_FD_TOP=4096 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- sh -c 'ulimit -Sn; ulimit -Hn'"
	[ "$output" = "$(printf '4096\n19903')" ]
	fdcount_as_natively 20000:20000 "" 4096
	[ "${lines[2]}" = "start: numbers: under the limit" ]
	fdcount_as_natively 20000:20000 raise 4096
	[ "${lines[5]}" = "raised: numbers: under the limit" ]
}

@test "syscall: under Docker's RLIMIT_NOFILE of 1048576:1048576 a program counts its fds as natively, and one that raises its soft limit too" {
	if ! prlimit --nofile=1048576:1048576 true 2>/dev/null; then
		skip "cannot raise RLIMIT_NOFILE to 1048576:1048576 here (CAP_SYS_RESOURCE not in the bounding set)"
	fi
	run prlimit --nofile=1048576:1048576 bash -c "$(declare -f guest); T=$T DEBIAN=$DEBIAN guest -- sh -c 'ulimit -Sn; ulimit -Hn'"
	[ "$output" = "$(printf '32768\n1048479')" ]
	fdcount_as_natively 1048576:1048576
	fdcount_as_natively 1048576:1048576 raise
}

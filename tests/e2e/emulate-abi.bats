#!/usr/bin/env bats
# The emulate engine's system calls where the arm64 ABI and mew's handling
# can go wrong: bad guest pointers (EFAULT, never the guest's SIGSEGV or a
# crash of mew), flags whose values differ between arm64 and x86-64.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	# static programs need no more than a directory to run in
	export R=$BATS_FILE_TMPDIR/rootfs
	mkdir -p "$R/tmp"
	if command -v aarch64-linux-gnu-gcc >/dev/null; then
		local src=$BATS_TEST_DIRNAME/emulate
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/efault" "$src/efault.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/abi" "$src/abi.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/memory-static" "$src/memory.c"
		aarch64-linux-gnu-gcc -O1 -static-pie -Wall -o "$R/memory-pie" "$src/memory.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/execveat" "$src/execveat.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/sent" "$src/sent.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/rtqueue" "$src/rtqueue.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/caps" "$src/caps.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/vfork" "$src/vfork.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/exit" "$src/exit.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/clonevm" "$src/clonevm.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/sigrace" "$src/sigrace.c" -lpthread
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/hugepages" "$src/hugepages.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/pidfd" "$src/pidfd.c"
		aarch64-linux-gnu-gcc -O1 -static -Wall -o "$R/clonevm-state" "$src/clonevm-state.c"
		printf 'int main(void) { return 7; }\n' | aarch64-linux-gnu-gcc -O1 -static -o "$R/vfork-true" -x c -
	fi
}

need_cc() {
	command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"
}

emu() {
	"$MEW" run --engine emulate --arch arm64 --rootfs "$R" -- "$@"
}

# every call of efault.c answered EFAULT, and the program went on to its end
check_efault() {
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = done ]
	[ "${#lines[@]}" -eq 30 ]
	for l in "${lines[@]:0:29}"; do
		[ "${l##* }" = EFAULT ]
	done
}

@test "emulate abi: a bad pointer given to a system call is EFAULT, not a SIGSEGV (translator)" {
	need_cc
	run emu /efault
	check_efault
}

@test "emulate abi: a bad pointer given to a system call is EFAULT, not a SIGSEGV (interpreter)" {
	need_cc
	MEW_A64_JIT=0 run emu /efault
	check_efault
}

# abi.expected is what arm64 Linux answers: O_LARGEFILE (0400000 on arm64)
# on every open, O_DIRECT 0200000, O_DIRECTORY 040000, O_NOFOLLOW 0100000
# (qemu-aarch64 7.2 shows the host's O_LARGEFILE bit as O_NOFOLLOW);
# sigaltstack's smallest stack is arm64's MINSIGSTKSZ, 5120 (qemu takes 5119)
@test "emulate abi: open, pipe2 and fcntl flags that differ from x86-64 are converted both ways; readlinkat's edges; prctl; sigaltstack" {
	need_cc
	run emu /abi 9<"$BATS_TEST_FILENAME"
	echo "$output"
	[ "$status" -eq 0 ]
	diff -u "$BATS_TEST_DIRNAME/emulate/abi.expected" - <<<"$output"
}

# as arm64 Linux (and qemu-aarch64) answer: the break moves both ways and
# comes back zeroed, also for a PIE (mapped among other mappings: its
# break's room is reserved at load); an executable mapping shows x, and
# one without read shows none (LTP's mmap04), its code still run
@test "emulate abi: the program break of a static and a PIE program; /proc/self/maps shows exec" {
	need_cc
	for prog in memory-static memory-pie; do
		run emu /$prog
		echo "$prog: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "brk moves
brk-grow ok
brk-regrown zero
mmap-rx r-xp
mprotect-rwx rwxp
mprotect-r r--p
text r-xp
mmap-wx -wxp
wx-code returns 42
mprotect-w -w-p
mmap-shared-wx -wxs" ]
	done
}

@test "emulate abi: a large private anonymous mapping is advised huge pages; a small one, a stack, a shared one and MEW_A64_THP=0 not; the guest's MADV_NOHUGEPAGE wins" {
	need_cc
	[ -e /sys/kernel/mm/transparent_hugepage/enabled ] || skip "this kernel has no transparent huge pages"
	run emu /hugepages
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "large huge
one-mib small
stack small
shared small
advised-against small" ]
	MEW_A64_THP=0 run emu /hugepages
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "large small" ]
}

# as on Linux (qemu-aarch64 7.2 has no execveat at all)
@test "emulate abi: execveat by dirfd and name, by AT_EMPTY_PATH, and its errors; exec and readlink check the guest's ids; ETXTBSY both ways" {
	need_cc
	run emu /execveat
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "child ran
child ran
child ran
empty-no-flag ENOENT
nofollow-link ELOOP
child ran
bad-flags EINVAL
bad-dirfd EBADF
file-dirfd ENOTDIR
nobody-execve-0744 EACCES
nobody-readlink-0700 EACCES
open-for-writing ETXTBSY
child ran
running-open-write ETXTBSY
running-open-trunc ETXTBSY
running-open-read ok
self-open-write ETXTBSY
ended-open-write ok
done" ]
}

# as arm64 Linux answers (LTP's kill12, unshare01, unshare02, clone11)
@test "emulate abi: SIGSEGV and SIGBUS sent by kill follow the guest's disposition; unshare; sched_setparam's owner rule" {
	need_cc
	run emu /sent
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "signal 11: exit 1
signal 7: exit 1
signal 11: killed by 11
signal 7: killed by 7
handled 7 SI_USER
signal 7: exit 1
unshare-invalid EINVAL
unshare-files ok
unshare-fs ok
nobody-unshare-uts EPERM
nobody-clone-uts EPERM
nobody-sched-setparam-root EPERM
nobody-sched-setparam-own ok" ]
}

@test "emulate abi: real-time signals queue, each with its own siginfo, in order" {
	need_cc
	run emu /rtqueue
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1 2 3 4 5 6" ]
}

# what the kernel checks on the real process (CAP_SYS_RESOURCE: an rlimit
# raised, oom_score_adj lowered) the fake root has only when mew has it;
# what the personality emulates (CAP_CHOWN, CAP_KILL) it always has
@test "emulate abi: the fake root's capabilities are bounded by mew's own" {
	need_cc
	need_root
	local host guest
	host=$(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) ))
	run emu /caps
	echo "host $host guest $output"
	[ "$status" -eq 0 ]
	guest=$(( 0x$output ))
	[ $(( guest & 1 )) -eq 1 ]        # CAP_CHOWN
	[ $(( (guest >> 5) & 1 )) -eq 1 ] # CAP_KILL
	[ $(( (guest >> 24) & 1 )) -eq $(( (host >> 24) & 1 )) ] # CAP_SYS_RESOURCE
	[ $(( guest & ~(host | 0x2401ff) )) -eq 0 ]
}

# as on arm64 Linux (qemu-aarch64 7.2 makes a copy: written 0, a missing
# program's posix_spawn 0, the exit status of exit() lost)
check_vfork() {
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "written before the parent went on: 1
child is a process of its own: yes
child's parent is the caller: yes
child's status: 5
parent's cwd: /
parent's SIGUSR1 handler: kept
parent's umask: 022
posix_spawn of a missing program: ENOENT
posix_spawn of a program: 0, status 7" ]
}

@test "emulate abi: CLONE_VM|CLONE_VFORK shares the memory with a process of its own; its cwd and dispositions stay its own (translator)" {
	need_cc
	run emu /vfork
	check_vfork
}

@test "emulate abi: CLONE_VM|CLONE_VFORK shares the memory with a process of its own; its cwd and dispositions stay its own (interpreter)" {
	need_cc
	MEW_A64_JIT=0 run emu /vfork
	check_vfork
}

# as Linux answers (natively, and qemu-aarch64)
@test "emulate abi: exit of a process's last thread gives the process that thread's status" {
	need_cc
	run emu /exit
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "exit of the only thread: 5
exit of the main thread, then of the last: 9" ]
}

# as Linux answers natively (qemu-aarch64 7.2 refuses CLONE_VM without
# CLONE_THREAD, and CLONE_PARENT, with EINVAL)
check_clonevm() {
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "child wrote while running: yes
child is a process of its own: yes
child's parent is the caller: yes
fd closed by the child: yes
child's status: 4
middle: 0
CLONE_PARENT's child, waited for by the grandparent: 6
CLONE_THREAD without CLONE_SIGHAND: EINVAL" ]
}

@test "emulate abi: CLONE_VM without CLONE_THREAD is a process of its own over the same memory; CLONE_PARENT makes a sibling (translator)" {
	need_cc
	run emu /clonevm
	check_clonevm
}

@test "emulate abi: CLONE_VM without CLONE_THREAD is a process of its own over the same memory; CLONE_PARENT makes a sibling (interpreter)" {
	need_cc
	MEW_A64_JIT=0 run emu /clonevm
	check_clonevm
}

# as Linux answers natively (the same program built for x86-64; qemu-aarch64
# 7.2 refuses CLONE_VM without CLONE_THREAD): the child's dispositions, cwd
# and ids were the caller's, whatever the flags
check_clonevm_state() {
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "CLONE_VM: status 3, SIGUSR1 default, SIGUSR2 default, cwd /, uid 0, gid 0
CLONE_VM|CLONE_SIGHAND: status 3, SIGUSR1 child's, SIGUSR2 ignored, cwd /, uid 0, gid 0
CLONE_VM|CLONE_FS: status 3, SIGUSR1 default, SIGUSR2 default, cwd /tmp, uid 0, gid 0
CLONE_VM|CLONE_FS|CLONE_SIGHAND: status 3, SIGUSR1 child's, SIGUSR2 ignored, cwd /tmp, uid 0, gid 0" ]
}

@test "emulate abi: a CLONE_VM child's dispositions and cwd are its own unless CLONE_SIGHAND and CLONE_FS share them; its ids always (translator)" {
	need_cc
	run emu /clonevm-state
	check_clonevm_state
}

@test "emulate abi: a CLONE_VM child's dispositions and cwd are its own unless CLONE_SIGHAND and CLONE_FS share them; its ids always (interpreter)" {
	need_cc
	MEW_A64_JIT=0 run emu /clonevm-state
	check_clonevm_state
}

# as on Linux (before, the delivery checked one handler and jumped to the
# next: SIG_IGN, address 1, and the guest died of SIGSEGV)
@test "emulate abi: a signal delivered while another thread switches its handler to SIG_IGN and back takes one of them whole" {
	need_cc
	run emu /sigrace
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "survived, handled some" ]
	MEW_A64_JIT=0 run emu /sigrace
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "survived, handled some" ]
}

# as arm64 Linux answers, and qemu-aarch64 (mew's emulate engine had no
# pidfd_open nor pidfd_send_signal: ENOSYS, and Python's test_signal
# skipped its PidfdSignalTest)
@test "emulate abi: pidfd_open and pidfd_send_signal, through a pidfd and a /proc/PID directory; the owner rule" {
	need_cc
	run emu /pidfd
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "pidfd_open self ok
send to self ok, handled 10, SI_USER yes, from self yes
send through /proc/PID ok, handled 10
send through fd 0 EBADF
send through a file EBADF
pidfd_open bad flags EINVAL
pidfd_open no such process ESRCH
send SIGTERM to a child ok, waitid(P_PIDFD) ok, killed by 15
nobody to root EPERM
root's handler untouched yes" ]
}

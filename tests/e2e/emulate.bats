#!/usr/bin/env bats
# The emulate engine: arm64 programs on this host, every instruction simulated.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	# the cross glibc for dynamic programs, and the test programs
	arm64_rootfs || return 0
	arm64_libs libc.so.6 libm.so.6
	local src=$BATS_TEST_DIRNAME/emulate
	aarch64-linux-gnu-gcc -O2 -static -o "$R/prog-static" "$src/prog.c" -lm -lpthread
	aarch64-linux-gnu-gcc -O2 -o "$R/prog-dynamic" "$src/prog.c" -lm -lpthread
	aarch64-linux-gnu-gcc -O2 -static -o "$R/sigill" "$src/sigill.c"
	aarch64-linux-gnu-gcc -O2 -static -o "$R/signals" "$src/signals.c"
	aarch64-linux-gnu-gcc -O2 -static -o "$R/faultpc" "$src/faultpc.c"
	aarch64-linux-gnu-gcc -O1 -static -o "$R/smc" "$src/smc.c"
	aarch64-linux-gnu-gcc -O2 -static -o "$R/nointr" "$src/nointr.c"
	aarch64-linux-gnu-gcc -O2 -static -o "$R/rowrite" "$BATS_TEST_DIRNAME/personality/rowrite.c"
	aarch64-linux-gnu-gcc -O2 -static -o "$R/fdwrite" "$BATS_TEST_DIRNAME/personality/fdwrite.c"
	aarch64-linux-gnu-gcc -O1 -static -o "$R/fds" "$BATS_TEST_DIRNAME/fastpath/fds.c"
	aarch64-linux-gnu-gcc -O1 -static -o "$R/chroot" "$BATS_TEST_DIRNAME/personality/chroot.c"
	aarch64-linux-gnu-gcc -O1 -static -o "$R/openat2" "$BATS_TEST_DIRNAME/syscall/openat2.c"
}

need_arm64() {
	[ -x "$R/bin/busybox" ] || skip "no arm64 busybox rootfs (busybox-static:arm64 not downloadable)"
}

need_cc() {
	need_arm64
	[ -x "$R/prog-static" ] || skip "no aarch64-linux-gnu-gcc"
}

emu() {
	"$MEW" run --engine emulate --arch arm64 --rootfs "$R" -- "$@"
}

@test "emulate: sh -c 'echo hi; ls /'" {
	need_arm64
	run emu sh -c 'echo hi; ls /'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hi ]
	[[ "$output" == *etc* ]]
	[[ "$output" == *bin* ]]
}

@test "emulate: the machine is aarch64 and --engine auto picks it for an arm64 rootfs" {
	need_arm64
	run "$MEW" run --engine auto --rootfs "$R" -- uname -m
	[ "$status" -eq 0 ]
	[ "$output" = aarch64 ]
}

@test "emulate: busybox applets give the same answers as on the host" {
	need_arm64
	run emu sh -c 'printf "b\na\nc\n" | sort | tr a-z A-Z | tr -d "\n"; echo; md5sum /etc/passwd | cut -d" " -f1; echo $((6*7)); seq 1 5 | awk "{s+=\$1} END {print s}"; echo hello | sed s/l/L/g; dd if=/dev/zero bs=1k count=64 2>/dev/null | gzip | gunzip | wc -c'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = ABC ]
	[ "${lines[1]}" = "$(md5sum < "$R/etc/passwd" | cut -d' ' -f1)" ]
	[ "${lines[2]}" = 42 ]
	[ "${lines[3]}" = 15 ]
	[ "${lines[4]}" = heLLo ]
	[ "${lines[5]}" = 65536 ]
}

@test "emulate: paths stay inside the rootfs; cwd, /proc/self/exe, hostname" {
	need_arm64
	run emu sh -c 'cd /etc/../../..; pwd; cd /tmp && pwd; readlink /proc/self/exe; hostname; cat /proc/sys/kernel/hostname; ls /lib/aarch64-linux-gnu >/dev/null && echo libdir'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = / ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = /bin/busybox ]
	[ "${lines[3]}" = mew ]
	[ "${lines[4]}" = mew ]
}

@test "emulate: every kind of write through a :ro volume or a --read-only rootfs, by path or through an fd opened for reading, fails as the kernel says; the files stay as they were" {
	need_cc
	local d=$BATS_TEST_TMPDIR/ro before
	# by path and through fds opened for reading (rowrite.c)
	rowrite_place "$d"
	rowrite_place "$R/rotest"
	before=$(tree_state "$d")
	run "$MEW" run --engine emulate --rootfs "$R" -v "$d:/ro:ro" -- /rowrite /ro
	echo "$output"
	[ "$status" -eq 0 ]
	check_rowrite "$output"
	[ "$(tree_state "$d")" = "$before" ]
	before=$(tree_state "$R")
	run "$MEW" run --engine emulate --rootfs "$R" --read-only -- /rowrite /rotest
	echo "$output"
	[ "$status" -eq 0 ]
	check_rowrite "$output"
	[ "$(tree_state "$R")" = "$before" ]
	# a rw volume takes the writes; creating what is there says EEXIST, as on a read-only mount
	run "$MEW" run --engine emulate --rootfs "$R" --read-only -v "$d:/rw" -- sh -c 'echo w > /rw/w && cat /rw/w; mkdir /etc 2>&1; mkdir -p /etc && echo mkdir-p'
	echo "$output"
	[ "${lines[0]}" = w ]
	[[ "${lines[1]}" == *"File exists"* ]]
	[ "${lines[2]}" = mkdir-p ]
	rm -rf "$R/rotest"
}

@test "emulate: writes through fds on a writable place (fchmod, futimens, f*xattr; O_PATH fds, AT_EMPTY_PATH) answer as the kernel does" {
	need_cc
	local d=$BATS_TEST_TMPDIR/fdw native
	mkdir -p "$d"
	cc -O1 -o "$BATS_TEST_TMPDIR/fdwrite" "$BATS_TEST_DIRNAME/personality/fdwrite.c"
	echo x >"$d/f"
	native=$("$BATS_TEST_TMPDIR/fdwrite" "$d")
	echo "native: $native"
	rm "$d/f"
	echo x >"$d/f"
	run "$MEW" run --engine emulate --rootfs "$R" -v "$d:/w" -- /fdwrite /w
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$native" ]
}

@test "emulate: chroot as Linux's: its errors in order; a root of the process's own (paths, symlinks, .., a cwd and fd outside it, getcwd, /proc/N/root and cwd, fork, exec, nested, the escape), as under the syscall engine" {
	need_cc
	mkdir -m 1777 "$R/chroot-test"
	run emu /chroot /chroot-test
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 44 ]
}

@test "emulate: openat2 as Linux answers it: the struct's checks (arm64's flags), each RESOLVE_* rule, as natively (the personality's walk, as under the syscall engine)" {
	need_cc
	local d
	d=$(mktemp -d /tmp/mew-openat2.XXXXXX)
	cc -O1 -o "$BATS_FILE_TMPDIR/openat2-native" "$BATS_TEST_DIRNAME/syscall/openat2.c"
	run "$BATS_FILE_TMPDIR/openat2-native" "$d" /proc
	rm -rf "$d"
	echo "native: $output"
	[ "$status" -eq 0 ]
	native=$output
	mkdir -m 1777 "$R/openat2-test"
	run emu /openat2 /openat2-test /proc
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$native" ]
}

@test "emulate: /proc shows the guest: argv in cmdline and exe (its own and another's), guest paths in maps and mountinfo" {
	need_arm64
	run emu sh -c 'cat /proc/self/cmdline | tr "\0" " "; echo; sleep 20 & sleep 0.3; tr "\0" " " < /proc/$!/cmdline; echo; readlink /proc/$!/exe; kill $!; grep -c "'"$R"'" /proc/self/mountinfo /proc/self/mounts /proc/self/maps; awk "\$5 == \"/\"" /proc/self/mountinfo | wc -l; grep -m1 busybox /proc/self/maps'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cat /proc/self/cmdline " ]
	[ "${lines[1]}" = "sleep 20 " ]
	[ "${lines[2]}" = /bin/busybox ]
	[ "${lines[3]}" = /proc/self/mountinfo:0 ]
	[ "${lines[4]}" = /proc/self/mounts:0 ]
	[ "${lines[5]}" = /proc/self/maps:0 ]
	[ "${lines[6]}" -ge 1 ]
	[[ "${lines[7]}" == *" /bin/busybox" ]]
}

@test "emulate: fake root: ids follow set*id, a dropped privilege stays dropped, /proc/self/status says them" {
	need_arm64
	run emu sh -c 'id -u; su -s /bin/sh nobody -c "id -u; id -g; su -s /bin/sh root -c true </dev/null 2>/dev/null && echo regained || echo kept; grep -E \"^(Uid|CapEff):\" /proc/self/status"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 65534 ]
	[ "${lines[2]}" = 65534 ]
	[ "${lines[3]}" = kept ]
	# the model's, not mew's own process's (root when the tests run as root)
	[ "${lines[4]}" = "Uid:	65534	65534	65534	65534" ]
	[ "${lines[5]}" = "CapEff:	0000000000000000" ]
}

@test "emulate: exit statuses: the command's own, 128+N for a signal, 127, 126" {
	need_arm64
	run emu sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run emu sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	run -127 emu /no/such/program
	[ "$status" -eq 127 ]
	run emu /etc/passwd
	[ "$status" -eq 126 ]
}

@test "emulate: execve of another program, #! scripts, fork and pipes" {
	need_arm64
	run emu sh -c 'printf "#!/bin/sh\necho script \$1\nexit 4\n" > /tmp/s; chmod +x /tmp/s; /tmp/s arg; echo "rc=$?"; /bin/sh -c "echo nested" | cat; (exit 9); echo "sub=$?"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "script arg" ]
	[ "${lines[1]}" = rc=4 ]
	[ "${lines[2]}" = nested ]
	[ "${lines[3]}" = sub=9 ]
}

# what tests/e2e/emulate/prog.c prints when all went well
prog_output_ok() {
	[ "${lines[0]}" = "float 1.414214 1.250e-09 0" ]
	[ "${lines[1]}" = "threads 80000" ]
	[ "${lines[2]}" = "signal 10" ]
	[ "${lines[3]}" = "child 7" ]
	[ "${lines[4]}" = "segv 11" ]
}

@test "emulate: a static C program (floating point, threads, signals, fork, SIGSEGV handler)" {
	need_cc
	run emu /prog-static 5
	[ "$status" -eq 5 ]
	prog_output_ok
}

@test "emulate: a dynamic C program (PT_INTERP from the rootfs)" {
	need_cc
	run emu /prog-dynamic 6
	[ "$status" -eq 6 ]
	[ "${lines[0]}" = "float 1.414214 1.250e-09 0" ]
	[ "${lines[1]}" = "threads 80000" ]
	[ "${lines[4]}" = "segv 11" ]
}

@test "emulate: an undefined instruction raises SIGILL at its own pc" {
	need_cc
	run emu /sigill
	[ "$status" -eq 0 ]
	[ "$output" = "sigill handled 1" ]
	run emu /sigill nohandler
	[ "$status" -eq 132 ]
}

@test "emulate: a fault is charged to its own instruction inside pairs, superblocks and followed branches; a pre/post-index access that faults leaves its base unchanged; a loop kept in host registers shows its registers at the fault" {
	need_cc
	run emu /faultpc
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "faults 10 wrong 0 failed 0 writeback 30 of 30" ]
}

@test "emulate: a code cache far too small fills and is flushed again and again; programs still run right, faults charged to their instructions" {
	need_cc
	export MEW_A64_JIT_CACHE=65536
	MEW_DEBUG=1 run emu /prog-dynamic 6
	[ "$status" -eq 6 ]
	[ "$(grep -c 'the code cache is full' <<<"$output")" -gt 5 ]
	run emu /prog-dynamic 6
	[ "$status" -eq 6 ]
	prog_output_ok
	run emu /faultpc
	[ "$status" -eq 0 ]
	[ "$output" = "faults 10 wrong 0 failed 0 writeback 30 of 30" ]
	run emu sh -c 'i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "$i" | sed s/0/o/g | tr 1 l >/dev/null; done; echo $i'
	[ "$status" -eq 0 ]
	[ "$output" = 300 ]
}

@test "emulate: signals against blocking calls: SA_RESTART, EINTR, sleeps never restarted, many timers, sigaltstack" {
	need_cc
	run timeout 120 "$MEW" run --engine emulate --arch arm64 --rootfs "$R" -- /signals
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "restart 1 ticks>0 1" ]
	[ "${lines[1]}" = "norestart -4" ]
	[ "${lines[2]}" = "nanosleep -4 rem<1s 1" ]
	[ "${lines[3]}" = "clock_nanosleep -4" ]
	[ "${lines[4]}" = "ppoll -4" ]
	[ "${lines[5]}" = "wakeups 300" ]
	[ "${lines[6]}" = "altstack 1" ]
}

@test "emulate: calls Linux never interrupts succeed while signals keep arriving (translated and interpreted)" {
	need_cc
	run emu /nointr
	[ "$status" -eq 0 ]
	[ "$output" = "0 failed calls, signals arrived" ]
	MEW_A64_JIT=0 run emu /nointr
	[ "$status" -eq 0 ]
	[ "$output" = "0 failed calls, signals arrived" ]
}

@test "emulate: self-modifying code (IC IVAU, munmap, mprotect) runs the new instructions, translated or interpreted" {
	need_cc
	for jit in 1 0; do
		MEW_A64_JIT=$jit run emu /smc
		[ "$status" -eq 0 ]
		[ "$output" = "5050 7" ]
	done
}

@test "emulate: --jit off interprets, over exec too; --jit on translates, whatever MEW_A64_JIT says" {
	need_arm64
	MEW_DEBUG=1 run "$MEW" run --engine emulate --jit off --rootfs "$R" -- sh -c 'sh -c "echo x"; true'
	[ "$status" -eq 0 ]
	[ "$(grep -c ': interpreted$' <<<"$output")" -eq 2 ]
	! grep -q ': translated$' <<<"$output"
	grep -qx x <<<"$output"
	MEW_A64_JIT=0 MEW_DEBUG=1 run "$MEW" run --engine emulate --jit on --rootfs "$R" -- sh -c 'sh -c "echo x"; true'
	[ "$status" -eq 0 ]
	[ "$(grep -c ': translated$' <<<"$output")" -eq 2 ]
	! grep -q ': interpreted$' <<<"$output"
	run "$MEW" run --engine emulate --jit fast --rootfs "$R" -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--jit: unknown mode \`fast\`"* ]]
}

# Differential tests against qemu-aarch64 (tests/diff/a64diff.py): random
# instruction sequences from random register states, final state compared.
need_diff() {
	need_arm64
	command -v qemu-aarch64 >/dev/null || skip "no qemu-aarch64"
	command -v aarch64-linux-gnu-gcc >/dev/null || skip "no aarch64-linux-gnu-gcc"
	command -v python3 >/dev/null || skip "no python3"
}

@test "emulate: differential vs qemu-aarch64: integer ALU and flags" {
	need_diff
	for seed in 1 2; do
		run python3 "$BATS_TEST_DIRNAME/../diff/a64diff.py" --mew "$MEW" --kind int --cases 200 --seed $seed
		echo "$output"
		[ "$status" -eq 0 ]
	done
}

@test "emulate: differential vs qemu-aarch64: floating point edge cases, every rounding mode" {
	need_diff
	for seed in 1 2; do
		run python3 "$BATS_TEST_DIRNAME/../diff/a64diff.py" --mew "$MEW" --kind fp --cases 150 --seed $seed
		echo "$output"
		[ "$status" -eq 0 ]
	done
}

@test "emulate: differential vs qemu-aarch64: Advanced SIMD vector forms" {
	need_diff
	run python3 "$BATS_TEST_DIRNAME/../diff/a64diff.py" --mew "$MEW" --kind simd --cases 200 --seed 1
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "emulate: differential vs qemu-aarch64: integer, floating point and SIMD mixed" {
	need_diff
	run python3 "$BATS_TEST_DIRNAME/../diff/a64diff.py" --mew "$MEW" --kind all --cases 200 --len 30 --seed 31
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "emulate: an AF_UNIX socket's name is the guest path it was bound to (getsockname, getpeername, accept, recvfrom), and /proc/self/fd shows no fd of mew's" {
	need_cc
	mkdir -p "$R/tmp" "$BATS_FILE_TMPDIR/vol"
	for d in /tmp /vol; do
		run "$MEW" run --engine emulate --arch arm64 --rootfs "$R" -v "$BATS_FILE_TMPDIR/vol:/vol" -- /fds sock $d
		echo "$output"
		[ "$status" -eq 0 ]
		check_sockname "$d"
	done
	# the guest runs in mew's process: none of mew's files (the rootfs, a
	# memfd, its own binary) is open where the guest can see it
	run emu sh -c 'ls -l /proc/self/fd/ /proc/$$/fd/'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"$R"* ]]
	[[ "$output" != *memfd* ]]
	[[ "$output" != *mew* ]]
}

#!/usr/bin/env bats
# The emulate engine's arm64 vDSO: glibc (static and dynamic) finds it by
# AT_SYSINFO_EHDR and its time calls are answered without system calls; its
# instruction anywhere else is SIGILL.  Translated and interpreted.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	arm64_rootfs || return 0
	arm64_libs libc.so.6 libgcc_s.so.1
	aarch64-linux-gnu-gcc -O2 -static -o "$R/vdso-static" "$BATS_TEST_DIRNAME/emulate/vdso.c"
	aarch64-linux-gnu-gcc -O2 -rdynamic -o "$R/vdso-dynamic" "$BATS_TEST_DIRNAME/emulate/vdso.c"
}

need_cc() {
	[ -x "$ARM_ROOTFS/bin/busybox" ] || skip "no arm64 busybox rootfs (busybox-static:arm64 not downloadable)"
	[ -x "$R/vdso-static" ] || skip "no aarch64-linux-gnu-gcc"
}

emu() { # emu on|off ARGS...
	local jit=$1
	shift
	"$MEW" run --engine emulate --jit "$jit" --rootfs "$R" -- "$@"
}

# The number of system calls the guest process made (MEW_DEBUG's line at exit_group).
syscalls() {
	local out
	out=$(MEW_DEBUG=1 emu "$@" 2>&1 >/dev/null)
	[[ "$out" =~ ([0-9]+)\ system\ calls ]] || { echo "no count in: $out" >&2; return 1; }
	echo "${BASH_REMATCH[1]}"
}

@test "emulate vdso: clock_gettime, gettimeofday, clock_getres answer as Linux's vDSO does (static, dynamic, after execve)" {
	need_cc
	for jit in on off; do
		for p in vdso-static vdso-dynamic; do
			run emu $jit /$p check "$(date +%s)" "$(cut -d' ' -f1 /proc/uptime)"
			echo "$jit $p: $output"
			[ "$status" -eq 0 ]
			[[ "$output" == *"vdso ok"* ]]
		done
		# glibc put it in its link map
		[[ "$output" == *"link map: linux-vdso.so.1"* ]]
		# a guest execve is a new mew process: it gets its own
		run emu $jit sh -c "exec /vdso-static check $(date +%s) $(cut -d' ' -f1 /proc/uptime)"
		echo "$jit exec: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"vdso ok"* ]]
	done
}

@test "emulate vdso: the time calls are not system calls (MEW_DEBUG's count)" {
	need_cc
	for jit in on off; do
		for p in vdso-static vdso-dynamic; do
			none=$(syscalls $jit /$p loop 0)
			libc=$(syscalls $jit /$p loop 2000)
			raw=$(syscalls $jit /$p svc 2000)
			echo "$jit $p: $none without the loop, $libc with 12000 calls through libc, $raw as system calls"
			# the control: the counter sees the same calls made as system calls
			# (the dynamic loader's own count varies by one or two between runs)
			[ "$raw" -ge $((none + 11990)) ]
			[ "$libc" -lt $((none + 100)) ]
		done
	done
}

@test "emulate vdso: its instruction outside the vDSO is SIGILL (own code, a copy, a page mapped where it was)" {
	need_cc
	for jit in on off; do
		run emu $jit /vdso-static hostile
		echo "$jit: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"hostile: 3 of 3 SIGILL"* ]]
	done
}

@test "emulate vdso: a backtrace from a signal handler goes through __kernel_rt_sigreturn, named by glibc" {
	need_cc
	for jit in on off; do
		run emu $jit /vdso-dynamic backtrace
		echo "$jit: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"linux-vdso.so.1(__kernel_rt_sigreturn+0x0)"* ]]
		[[ "$output" == *"(interrupted+"* ]]
		[[ "$output" == *"(main+"* ]]
	done
}

#!/usr/bin/env bats
# The contract (src/engine/contract.c), checked under every engine the host
# runs: each flag of `mew run` is honoured for real, or, where `mew engines
# --json` says the engine refuses it, refused by name with exit 125 before
# anything runs.  A flag silently ignored fails here.  When an engine comes to
# honour a flag (its cell flipped to YES), the same check tests it for real.
#
# The vm engine boots a kernel per run (a minute or more on a kvm-pvm host):
# its checks are batched into four boots at the end of this file.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export C=$BATS_FILE_TMPDIR
	"$MEW" engines --json >"$C/engines.json"
	bash "$BATS_TEST_DIRNAME/../../scripts/rootfs-busybox.sh" arm64 >/dev/null 2>&1 || true
	# Throwaway copies: the runs write into them, never into the cached rootfs.
	cp -a "$ROOTFS" "$C/rootfs-amd64"
	if [ -d "${ROOTFS%-amd64}-arm64" ]; then cp -a "${ROOTFS%-amd64}-arm64" "$C/rootfs-arm64"; fi
	for r in "$C"/rootfs-*; do
		mkdir -p "$r/home/u"
		chown 1234:1234 "$r/home/u"
	done
}

# The rootfs an engine runs: emulate's is arm64.
rootfs_of() {
	if [ "$1" = emulate ]; then echo "$C/rootfs-arm64"; else echo "$C/rootfs-amd64"; fi
}

# Skip unless engine $1 runs here (and has its rootfs), saying why.
on() {
	local e=$1 line
	line=$("$MEW" engines | grep "^$e ")
	[[ "$line" == "$e"*" yes "* ]] || skip "engine $e unavailable here: $line"
	[ -x "$(rootfs_of "$e")/bin/busybox" ] || skip "no rootfs for $e ($(rootfs_of "$e")): scripts/rootfs-busybox.sh"
}

refuses() { # engine clause: the reason, or nothing when honoured
	jq -er --arg e "$1" --arg c "$2" '.engines[] | select(.name == $e) | .refuses[$c] // empty' "$C/engines.json"
}

flag_of() {
	jq -r --arg c "$1" '.fields[] | select(.name == $c) | .flag' "$C/engines.json"
}

mewrun() { # engine args...: mew run under engine on its throwaway rootfs
	local e=$1
	shift
	"$MEW" run --engine "$e" --rootfs "$(rootfs_of "$e")" "$@"
}

# Where engine $1 refuses clause $2 (the contract says so): the reason.
# The checks below ask it first, then either expect the refusal or check the
# honoured path for real.  (No assertion sits in a function called as a
# condition: bash ignores set -e there.)
expect_refusal() { # engine clause args...
	local e=$1 c=$2
	shift 2
	echo "# $c under $e: refused: $(refuses "$e" "$c")"
	run mewrun "$e" "$@" -- true
	echo "# $output"
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: $(flag_of "$c"): the $e engine "* ]]
}

# An example of each clause, to see every refusal made by name.
declare -gA EXAMPLE=(
	[env]="-e A=1" [workdir]="-w /tmp" [user]="-u 1234:1234" [hostname]="--hostname h"
	[tty]="-t" [interactive]="-i" [volume]="-v /tmp:/mnt" [volume-ro]="-v /tmp:/mnt:ro"
	[read-only]="--read-only" [memory]="--memory 64m" [pids]="--pids 9" [cpus]="--cpus 1"
	[net-none]="--net none" [net-host]="--net host" [net-user]="--net user" [arch]="--arch arm64" [kernel]="--kernel /k"
	[initrd]="--initrd /i" [cmdline]="--cmdline x" [console]="--console" [disk]="--disk /d"
	[root-disk]="--root-disk" [vsock-uds]="--vsock-uds /tmp/v" [no-snapshot]="--no-snapshot"
	[vm-debug]="--vm-debug timing" [sandbox-strict]="--sandbox strict"
	[jit]="--jit off"
)

check_refusals() {
	local e=$1 c
	for c in $(jq -r '.fields[].name' "$C/engines.json"); do
		[ -n "${EXAMPLE[$c]:-}" ] || { echo "contract.bats has no example of clause $c"; false; }
		refuses "$e" "$c" >/dev/null || continue
		# shellcheck disable=SC2086
		expect_refusal "$e" "$c" ${EXAMPLE[$c]}
	done
}

check_env_workdir_hostname() {
	local e=$1
	if refuses "$e" env >/dev/null; then expect_refusal "$e" env -e A=1; else
		run mewrun "$e" -e MEW_A=1 -e "MEW_B=two words" -- sh -c 'printf "%s|%s\n" "$MEW_A" "$MEW_B"'
		[ "$status" -eq 0 ]
		[ "$output" = "1|two words" ]
	fi
	if refuses "$e" workdir >/dev/null; then expect_refusal "$e" workdir -w /etc; else
		run mewrun "$e" -w /etc -- pwd
		[ "$status" -eq 0 ]
		[ "$output" = /etc ]
	fi
	if refuses "$e" hostname >/dev/null; then expect_refusal "$e" hostname --hostname h; else
		run mewrun "$e" --hostname mew-contract -- hostname
		[ "$status" -eq 0 ]
		[ "$output" = mew-contract ]
	fi
}

check_user() {
	local r
	r=$(rootfs_of "$1")
	if refuses "$1" user >/dev/null; then expect_refusal "$1" user -u 1234:1234; return; fi
	rm -f "$r/home/u/by-1234" "$r/etc/by-1234"
	run mewrun "$1" -u 1234:1234 -- sh -c 'id -u; id -g; echo x >/home/u/by-1234; echo x 2>/dev/null >/etc/by-1234 && echo wrote || echo refused'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1234 ]
	[ "${lines[1]}" = 1234 ]
	[ "${lines[2]}" = refused ]
	[ -f "$r/home/u/by-1234" ]
	[ ! -e "$r/etc/by-1234" ]
	# (The syscall and emulate engines fake the identity; the files then
	# deny it as the kernel would: the personality checks every call
	# against the fake credentials and the owners the guest sees.)
}

check_tty() {
	if refuses "$1" tty >/dev/null; then expect_refusal "$1" tty -t; return; fi
	run mewrun "$1" -t -- sh -c 'test -t 0 && test -t 1 && echo a-terminal' </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *a-terminal* ]]
}

check_stdin() {
	# without -i the command reads nothing, as with docker
	run bash -c "printf 'from-mew\n' | $(printf '%q ' "$MEW" run --engine "$1" --rootfs "$(rootfs_of "$1")") -- cat"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	if refuses "$1" interactive >/dev/null; then expect_refusal "$1" interactive -i; return; fi
	run mewrun "$1" -i -- sh -c 'cat; echo end' < <(printf 'line1\nline2\n')
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'line1\nline2\nend')" ]
}

check_stdout_stderr_status() {
	local e=$1 rc=0
	mewrun "$e" -- sh -c 'echo to-out; echo to-err >&2; exit 42' >"$C/out.$e" 2>"$C/err.$e" || rc=$?
	[ "$rc" -eq 42 ]
	[ "$(cat "$C/out.$e")" = to-out ]
	[ "$(cat "$C/err.$e")" = to-err ]
}

check_126_127_signal() {
	local e=$1
	run mewrun "$e" -- /etc/passwd
	[ "$status" -eq 126 ]
	run -127 mewrun "$e" -- /no/such/program
	[ "$status" -eq 127 ]
	run -127 mewrun "$e" -- no-such-program
	[ "$status" -eq 127 ]
	run mewrun "$e" -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	run mewrun "$e" -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

check_volumes() {
	local e=$1 d=$C/vol.$1
	mkdir -p "$d"
	echo original >"$d/in"
	if refuses "$e" volume >/dev/null; then expect_refusal "$e" volume -v "$d:/data"; else
		run mewrun "$e" -v "$d:/data" -- sh -c 'cat /data/in; echo written >/data/out'
		[ "$status" -eq 0 ]
		[ "$output" = original ]
		[ "$(cat "$d/out")" = written ]
	fi
	if refuses "$e" volume-ro >/dev/null; then expect_refusal "$e" volume-ro -v "$d:/data:ro"; return; fi
	echo keep >"$d/out"
	chmod 644 "$d/in"
	touch -d @1000000000 "$d/in"
	run mewrun "$e" -v "$d:/data:ro" -- sh -c 'cat /data/in; echo over >/data/in; echo new >/data/new; rm /data/out'
	[ "${lines[0]}" = original ]
	[ "$status" -ne 0 ]
	# through an fd opened for reading (its /proc/self/fd link), and
	# creating what is there: what the kernel says on a read-only mount
	run mewrun "$e" -v "$d:/data:ro" -- sh -c 'exec 3</data/in; chmod 600 /proc/self/fd/3 2>&1; touch /proc/self/fd/3 2>&1; mkdir /data 2>&1; mkdir -p /data && echo mkdir-p'
	echo "$output"
	[[ "${lines[0]}" == *"Read-only file system"* ]]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[[ "${lines[2]}" == *"File exists"* ]]
	[ "${lines[3]}" = mkdir-p ]
	# nothing reached the host
	[ "$(cat "$d/in")" = original ]
	[ "$(stat -c '%a %Y' "$d/in")" = "644 1000000000" ]
	[ ! -e "$d/new" ]
	[ "$(cat "$d/out")" = keep ]
}

check_rootfs_writes() {
	local e=$1 r
	r=$(rootfs_of "$1")
	rm -f "$r/contract-rw"
	run mewrun "$e" -- sh -c 'echo written >/contract-rw'
	[ "$status" -eq 0 ]
	[ "$(cat "$r/contract-rw")" = written ]
	if refuses "$e" read-only >/dev/null; then expect_refusal "$e" read-only --read-only; return; fi
	chmod 644 "$r/contract-rw"
	touch -d @1000000000 "$r/contract-rw"
	run mewrun "$e" --read-only -- sh -c 'cat /etc/hostname; echo x >/contract-ro; mkdir /contract-dir; rm /contract-rw'
	[ "${lines[0]}" = mew ]
	[ "$status" -ne 0 ]
	# through an fd opened for reading; creating what is there says EEXIST
	run mewrun "$e" --read-only -- sh -c 'exec 3</contract-rw; chmod 600 /proc/self/fd/3 2>&1; touch /proc/self/fd/3 2>&1; mkdir /etc 2>&1; mkdir -p /etc && echo mkdir-p'
	echo "$output"
	[[ "${lines[0]}" == *"Read-only file system"* ]]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[[ "${lines[2]}" == *"File exists"* ]]
	[ "${lines[3]}" = mkdir-p ]
	[ ! -e "$r/contract-ro" ]
	[ ! -e "$r/contract-dir" ]
	[ -e "$r/contract-rw" ]
	[ "$(stat -c '%a %Y' "$r/contract-rw")" = "644 1000000000" ]
}

# The interfaces the command sees, one a line, sorted.
IFACES='sed -n "s/^ *\([^:]*\):.*/\1/p" /proc/net/dev | sort'

check_net() {
	local e=$1
	if refuses "$e" net-none >/dev/null; then expect_refusal "$e" net-none --net none; else
		run mewrun "$e" --net none -- sh -c "$IFACES"
		[ "$status" -eq 0 ]
		[ "$output" = lo ]
	fi
	if refuses "$e" net-host >/dev/null; then expect_refusal "$e" net-host --net host; return; fi
	# the host's own network namespace (its interfaces come and go)
	run mewrun "$e" --net host -- readlink /proc/self/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
}

check_memory() {
	if refuses "$1" memory >/dev/null; then expect_refusal "$1" memory --memory 32m; return; fi
	# 64 MiB read into one buffer: within no limit, beyond --memory 32m
	run mewrun "$1" --memory 32m -- dd if=/dev/zero of=/dev/null bs=64M count=1
	[ "$status" -ne 0 ]
	run mewrun "$1" -- dd if=/dev/zero of=/dev/null bs=64M count=1
	[ "$status" -eq 0 ]
}

check_pids() {
	local spawn='i=0; while [ $i -lt 12 ]; do sleep 1 & i=$((i+1)); done; wait'
	if refuses "$1" pids >/dev/null; then expect_refusal "$1" pids --pids 6; return; fi
	run mewrun "$1" --pids 6 -- sh -c "$spawn"
	[[ "$output" == *"can't fork"* ]]
	run mewrun "$1" -- sh -c "$spawn"
	[ "$status" -eq 0 ]
	[[ "$output" != *"can't fork"* ]]
}

# The CPU quota of the cgroup a run's command is in, read from the host:
# QUOTA PERIOD (microseconds).
cpu_quota_of_run() {
	local e=$1 pid line path kids all k deadline=$((SECONDS + 60))
	"$MEW" run --engine "$e" --rootfs "$(rootfs_of "$e")" --cpus 0.5 -- sleep 30 >/dev/null 2>&1 &
	pid=$!
	while [ $SECONDS -lt $deadline ]; do
		all=$pid kids=$pid
		while [ -n "$kids" ]; do
			kids=$(for k in $kids; do cat /proc/$k/task/*/children 2>/dev/null; done)
			all="$all $kids"
		done
		for k in $all; do
			line=$(grep -E '^[0-9]+:(cpu,cpuacct|cpuacct,cpu|cpu):|^0::' /proc/$k/cgroup 2>/dev/null | head -n1)
			path=${line#*:*:}
			[[ "$path" == */mew/* ]] || continue
			if [ -f "/sys/fs/cgroup/cpu$path/cpu.cfs_quota_us" ]; then
				echo "$(cat "/sys/fs/cgroup/cpu$path/cpu.cfs_quota_us") $(cat "/sys/fs/cgroup/cpu$path/cpu.cfs_period_us")"
			elif [ -f "/sys/fs/cgroup$path/cpu.max" ]; then
				cat "/sys/fs/cgroup$path/cpu.max"
			else
				continue
			fi
			kill -TERM $pid
			wait $pid || true
			return 0
		done
		sleep 0.2
	done
	kill -TERM $pid
	wait $pid || true
	echo "no process of the run in a cgroup of mew's"
}

check_cpus() {
	local quota period
	if refuses "$1" cpus >/dev/null; then expect_refusal "$1" cpus --cpus 0.5; return; fi
	run cpu_quota_of_run "$1"
	echo "# the command's cgroup: $output"
	read -r quota period <<<"$output"
	[ "$quota" -gt 0 ]
	[ $((quota * 2)) -eq "$period" ]
}

check_arch() {
	local e=$1 foreign=arm64 machine=aarch64
	if [ "$(uname -m)" = aarch64 ]; then foreign=amd64 machine=x86_64; fi
	if refuses "$e" arch >/dev/null; then expect_refusal "$e" arch --arch $foreign; return; fi
	run "$MEW" run --engine "$e" --arch $foreign --rootfs "$C/rootfs-$foreign" -- uname -m
	[ "$status" -eq 0 ]
	[ "$output" = $machine ]
}

# The vm engine's own flags elsewhere are refused (check_refusals); honoured,
# they are vm.bats's.
check_vm_flags() {
	local c
	for c in kernel initrd cmdline console disk root-disk vsock-uds no-snapshot vm-debug; do
		refuses "$1" $c >/dev/null || [ "$1" = vm ] || { echo "$c honoured by $1: add its check here"; false; }
	done
}

@test "the README's table is the contract (scripts/contract-table.sh --update rewrites it)" {
	run bash -c "sed -n '/^<!-- contract table/,/^<!-- end of contract table/p' '$BATS_TEST_DIRNAME/../../README.md' | sed '1d;\$d'"
	[ "$output" = "$(MEW=$MEW bash "$BATS_TEST_DIRNAME/../../scripts/contract-table.sh")" ]
}

@test "container: refusals by name" { on container; check_refusals container; }
@test "container: env, workdir, hostname" { on container; check_env_workdir_hostname container; }
@test "container: --user" { on container; check_user container; }
@test "container: -t" { on container; check_tty container; }
@test "container: stdin only with -i" { on container; check_stdin container; }
@test "container: stdout and stderr apart, the exit status" { on container; check_stdout_stderr_status container; }
@test "container: 126, 127, 128+N after a signal" { on container; check_126_127_signal container; }
@test "container: volumes rw and :ro" { on container; check_volumes container; }
@test "container: rootfs writes stay, --read-only" { on container; check_rootfs_writes container; }
@test "container: --net none, --net host" { on container; check_net container; }
@test "container: --memory" { on container; check_memory container; }
@test "container: --pids" { on container; check_pids container; }
@test "container: --cpus" { on container; check_cpus container; }
@test "container: --arch" { on container; check_arch container; }
@test "container: the vm engine's flags" { on container; check_vm_flags container; }

@test "syscall: refusals by name" { on syscall; check_refusals syscall; }
@test "syscall: env, workdir, hostname" { on syscall; check_env_workdir_hostname syscall; }
@test "syscall: --user" { on syscall; check_user syscall; }
@test "syscall: -t" { on syscall; check_tty syscall; }
@test "syscall: stdin only with -i" { on syscall; check_stdin syscall; }
@test "syscall: stdout and stderr apart, the exit status" { on syscall; check_stdout_stderr_status syscall; }
@test "syscall: 126, 127, 128+N after a signal" { on syscall; check_126_127_signal syscall; }
@test "syscall: volumes rw and :ro" { on syscall; check_volumes syscall; }
@test "syscall: rootfs writes stay, --read-only" { on syscall; check_rootfs_writes syscall; }
@test "syscall: --net none, --net host" { on syscall; check_net syscall; }
@test "syscall: --memory" { on syscall; check_memory syscall; }
@test "syscall: --pids" { on syscall; check_pids syscall; }
@test "syscall: --cpus" { on syscall; check_cpus syscall; }
@test "syscall: --arch" { on syscall; check_arch syscall; }
@test "syscall: the vm engine's flags" { on syscall; check_vm_flags syscall; }

@test "emulate: refusals by name" { on emulate; check_refusals emulate; }
@test "emulate: env, workdir, hostname" { on emulate; check_env_workdir_hostname emulate; }
@test "emulate: --user" { on emulate; check_user emulate; }
@test "emulate: -t" { on emulate; check_tty emulate; }
@test "emulate: stdin only with -i" { on emulate; check_stdin emulate; }
@test "emulate: stdout and stderr apart, the exit status" { on emulate; check_stdout_stderr_status emulate; }
@test "emulate: 126, 127, 128+N after a signal" { on emulate; check_126_127_signal emulate; }
@test "emulate: volumes rw and :ro" { on emulate; check_volumes emulate; }
@test "emulate: rootfs writes stay, --read-only" { on emulate; check_rootfs_writes emulate; }
@test "emulate: --net none, --net host" { on emulate; check_net emulate; }
@test "emulate: --memory" { on emulate; check_memory emulate; }
@test "emulate: --pids" { on emulate; check_pids emulate; }
@test "emulate: --cpus" { on emulate; check_cpus emulate; }
@test "emulate: --arch" { on emulate; check_arch emulate; }
@test "emulate: the vm engine's flags" { on emulate; check_vm_flags emulate; }

# The vm engine: every boot costs a minute or more where KVM emulates the
# kernel's code, so the checks share four boots.  What the contract says vm
# refuses is checked first, without a boot; what it honours joins a boot.
need_vm_kernel() {
	local line
	line=$("$MEW" engines | grep '^vm ')
	[[ "$line" == "vm"*" yes "* ]] || skip "engine vm unavailable here: $line"
	[[ "$line" == *"kernel boot: yes"* ]] || skip "a Linux kernel cannot boot here: ${line#*kernel boot: }"
	bash "$MEW_ROOT/scripts/guest-kernel.sh" >/dev/null
}

honours() { ! refuses "$1" "$2" >/dev/null; }

@test "vm: refusals by name (no boot)" {
	on vm
	check_refusals vm
	check_vm_flags vm
}

@test "vm: env, workdir, hostname, -i, stdout and stderr apart, --read-only, --memory, --cpus, --net none, volumes, the exit status: one boot" {
	need_vm_kernel
	local d=$C/vol.vm r=$C/rootfs-amd64 flags=() script
	mkdir -p "$d"
	echo original >"$d/in"
	echo keep >"$d/out-ro"
	rm -f "$r/contract-ro" "$d/out"
	flags=(-e MEW_A=1 -e "MEW_B=two words" -w /etc --hostname mew-contract)
	script='echo "env=$MEW_A|$MEW_B"; echo "pwd=$(pwd)"; echo "host=$(hostname)"; echo to-err >&2'
	if honours vm interactive; then
		flags+=(-i)
		script="$script"'; echo "stdin=$(head -n 1)"'
	fi
	if honours vm read-only; then
		flags+=(--read-only)
		script="$script"'; if echo x >/contract-ro; then echo ro=written; else echo ro=refused; fi 2>/dev/null'
	fi
	if honours vm memory; then
		flags+=(--memory 128m)
		script="$script"'; echo "memkb=$(sed -n "s/^MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)"'
	fi
	if honours vm cpus; then
		flags+=(--cpus 2)
		script="$script"'; echo "cpus=$(grep -c ^processor /proc/cpuinfo)"'
	fi
	if honours vm net-none; then
		flags+=(--net none)
		script="$script; echo \"ifaces=\$($IFACES | tr '\n' ' ')\""
	fi
	if honours vm volume; then
		flags+=(-v "$d:/data")
		script="$script"'; echo "vol=$(cat /data/in)"; echo written >/data/out'
	fi
	if honours vm volume-ro; then
		flags+=(-v "$d:/dataro:ro")
		script="$script"'; if { echo over >/dataro/in; echo new >/dataro/new; rm /dataro/out-ro; } 2>/dev/null; then echo volro=written; else echo volro=refused; fi'
	fi
	echo "# mew run --engine vm ${flags[*]}"
	local st=0
	printf 'from-mew\n' | mewrun vm "${flags[@]}" -- sh -c "$script; exit 42" >"$C/out.vm" 2>"$C/err.vm" || st=$?
	cat "$C/out.vm" "$C/err.vm"
	[ "$st" -eq 42 ]
	grep -qx 'to-err' "$C/err.vm"
	! grep -q 'to-err' "$C/out.vm"
	grep -qx 'env=1|two words' "$C/out.vm"
	grep -qx 'pwd=/etc' "$C/out.vm"
	grep -qx 'host=mew-contract' "$C/out.vm"
	if honours vm interactive; then grep -qx 'stdin=from-mew' "$C/out.vm"; fi
	if honours vm read-only; then
		grep -qx 'ro=refused' "$C/out.vm"
		[ ! -e "$r/contract-ro" ]
	fi
	if honours vm memory; then
		local kb
		kb=$(sed -n 's/^memkb=//p' "$C/out.vm")
		[ "$kb" -gt 0 ]
		[ "$kb" -le 131072 ]
	fi
	if honours vm cpus; then grep -qx 'cpus=2' "$C/out.vm"; fi
	if honours vm net-none; then grep -qx 'ifaces=lo ' "$C/out.vm"; fi
	if honours vm volume; then
		grep -qx 'vol=original' "$C/out.vm"
		[ "$(cat "$d/out")" = written ]
	fi
	if honours vm volume-ro; then
		grep -qx 'volro=refused' "$C/out.vm"
		[ "$(cat "$d/in")" = original ]
		[ ! -e "$d/new" ]
		[ "$(cat "$d/out-ro")" = keep ]
	fi
}

@test "vm: --user, -t, a rootfs write stays, 128+N after a signal: one boot" {
	need_vm_kernel
	local r=$C/rootfs-amd64 flags=(--memory 128m) script='echo x >/home/u/by-1234; echo written'
	rm -f "$r/home/u/by-1234"
	if honours vm user; then
		flags+=(-u 1234:1234)
		script="$script"'; echo "uid=$(id -u) gid=$(id -g)"'
	fi
	if honours vm tty; then
		flags+=(-t)
		script="$script"'; test -t 0 && test -t 1 && echo a-terminal'
	fi
	run mewrun vm "${flags[@]}" -- sh -c "$script; kill -TERM \$\$" </dev/null
	echo "$output"
	[ "$status" -eq 143 ]
	[[ "$output" == *written* ]]
	[ -f "$r/home/u/by-1234" ]
	if honours vm user; then [[ "$output" == *"uid=1234 gid=1234"* ]]; fi
	if honours vm tty; then [[ "$output" == *a-terminal* ]]; fi
}

@test "vm: 126 and 127: two boots" {
	need_vm_kernel
	run mewrun vm --memory 128m -- /etc/passwd
	[ "$status" -eq 126 ]
	run -127 mewrun vm --memory 128m -- no-such-program
	[ "$status" -eq 127 ]
}

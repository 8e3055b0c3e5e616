#!/usr/bin/env bats
load helpers

@test "mew --help lists the commands" {
	run "$MEW" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"run "* ]]
	[[ "$output" == *"engines"* ]]
}

@test "mew --version prints a version" {
	run "$MEW" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mew "* ]]
}

@test "mew run --help documents every option" {
	run "$MEW" run --help
	[ "$status" -eq 0 ]
	for o in --engine --rootfs -e -w -u --hostname -v --memory --pids --cpus --net -t -i --read-only; do
		[[ "$output" == *" $o"* ]] || { echo "missing $o"; false; }
	done
}

@test "mew engines lists the four engines" {
	run "$MEW" engines
	[ "$status" -eq 0 ]
	for e in container syscall emulate vm; do
		[[ "$output" == *"$e"* ]]
	done
}

@test "an unknown command exits 125 and names it" {
	run "$MEW" frobnicate
	[ "$status" -eq 125 ]
	[[ "$output" == *"frobnicate"* ]]
}

@test "an unknown run flag exits 125 and names it" {
	run "$MEW" run --frobnicate true
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: "*"--frobnicate"* ]]
}

@test "a bad memory size exits 125 and names the value" {
	run "$MEW" run --memory 12XB true
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: --memory: invalid size \`12XB\`"* ]]
}

@test "a missing rootfs exits 125 and names the path" {
	run "$MEW" run --rootfs /nonexistent/rootfs true
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: rootfs \`/nonexistent/rootfs\`"* ]]
}

# What an engine cannot honour is refused by name, never ignored.
refused() {
	local engine=$1 flag=$2
	shift 2
	"$MEW" engines | grep -q "^$engine  *yes" || skip "engine $engine unavailable here: $("$MEW" engines | grep "^$engine")"
	run "$MEW" run --engine "$engine" "$@" -- true
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: $flag: the $engine engine "* ]]
}

@test "the syscall engine refuses --net none and limits by name" {
	refused syscall "--net none" --net none
	refused syscall --memory --memory 64m
	refused syscall --pids --pids 10
	refused syscall --cpus --cpus 1
}

@test "the syscall and emulate engines share the host's network by default" {
	"$MEW" engines | grep -q "^syscall  *yes" || skip "engine syscall unavailable here"
	# The loopback interface is the host's: its index and the host's agree.
	run "$MEW" run --engine syscall -- cat /sys/class/net/lo/ifindex
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat /sys/class/net/lo/ifindex)" ]
	refused emulate "--net none" --net none
}

@test "the vm engine refuses --net host and --pids by name" {
	refused vm "--net host" --net host
	refused vm --pids --pids 10
}

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

#!/usr/bin/env bats
# The libFuzzer target on mount options -> mount(2) flags and data
# (tests/fuzz/fuzz_mountopt.c), for a bounded time (MEW_FUZZ_SECONDS, default
# 20: the parser is small).
load helpers

@test "fuzz: mount option parser survives ${MEW_FUZZ_SECONDS:-20}s of libFuzzer" {
	run_fuzzer mountopt "${MEW_FUZZ_SECONDS:-20}" 512
}

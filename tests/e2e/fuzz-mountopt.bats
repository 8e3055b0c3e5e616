#!/usr/bin/env bats
# The libFuzzer target on mount options -> mount(2) flags and data
# (tests/fuzz/fuzz_mountopt.c), for a bounded time (MEW_FUZZ_SECONDS, default
# 20: the parser is small).  A crash, a leak or a broken invariant fails the
# test and leaves the input in the artifact directory.
load helpers

@test "fuzz: mount option parser survives ${MEW_FUZZ_SECONDS:-20}s of libFuzzer" {
	command -v clang >/dev/null || skip "clang is not installed"
	cd "$MEW_ROOT"
	make -s build/fuzz/fuzz_mountopt >/dev/null
	work=$(mktemp -d)
	mkdir "$work/corpus" "$work/artifacts"
	cp tests/fuzz/corpus/mountopt/* "$work/corpus/"
	run ./build/fuzz/fuzz_mountopt -max_total_time="${MEW_FUZZ_SECONDS:-20}" -max_len=512 \
		-dict=tests/fuzz/mountopt.dict -artifact_prefix="$work/artifacts/" "$work/corpus"
	echo "$output" | tail -20
	ls -l "$work/artifacts"
	[ "$status" -eq 0 ]
	[ -z "$(ls "$work/artifacts")" ]
	rm -rf "$work"
}

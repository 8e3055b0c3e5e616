#!/usr/bin/env bats
# The libFuzzer target on config.json -> spec, for a bounded time
# (MEW_FUZZ_SECONDS, default 60).  A crash, a leak or an error without a
# message fails the test and leaves the input in the artifact directory.
load helpers

@test "fuzz: config.json parser survives ${MEW_FUZZ_SECONDS:-60}s of libFuzzer" {
	command -v clang >/dev/null || skip "clang is not installed"
	cd "$MEW_ROOT"
	make -s build/fuzz/fuzz_oci >/dev/null
	work=$(mktemp -d)
	mkdir "$work/corpus" "$work/artifacts"
	cp tests/fuzz/corpus/oci/* "$work/corpus/"
	run ./build/fuzz/fuzz_oci -max_total_time="${MEW_FUZZ_SECONDS:-60}" -max_len=4096 \
		-dict=tests/fuzz/oci.dict -artifact_prefix="$work/artifacts/" "$work/corpus"
	echo "$output" | tail -20
	ls -l "$work/artifacts"
	[ "$status" -eq 0 ]
	[ -z "$(ls "$work/artifacts")" ]
	rm -rf "$work"
}

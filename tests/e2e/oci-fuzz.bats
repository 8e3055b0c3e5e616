#!/usr/bin/env bats
# The libFuzzer target on config.json -> spec, for a bounded time
# (MEW_FUZZ_SECONDS, default 60).  A crash, a leak or an error without a
# message fails the test and leaves the input in the artifact directory.
load helpers

@test "fuzz: config.json parser survives ${MEW_FUZZ_SECONDS:-60}s of libFuzzer" {
	run_fuzzer oci "${MEW_FUZZ_SECONDS:-60}" 4096
}

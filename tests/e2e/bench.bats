#!/usr/bin/env bats
# mew bench: a --quick run completes under every engine that probes as
# runnable, its JSON has the fields a reader needs, the chart is a PNG, and a
# saved result prints and charts again.  No assertion on any figure.
load helpers

setup_file() {
	export BENCH_DIR=$(mktemp -d)
	# A copy of the rootfs, to see what the bench leaves in it.
	cp -a "$ROOTFS" "$BENCH_DIR/rootfs"
	rmdir "$BENCH_DIR/rootfs/mew-bench" 2>/dev/null || true
	# One --quick run for the whole file (it is the slow part).
	"$MEW" bench --quick --rootfs "$BENCH_DIR/rootfs" --json "$BENCH_DIR/r.json" --chart "$BENCH_DIR/r.png" \
		>"$BENCH_DIR/out" 2>"$BENCH_DIR/err"
	echo $? >"$BENCH_DIR/status"
}

teardown_file() {
	rm -rf "$BENCH_DIR"
}

need_tools() {
	command -v jq >/dev/null || skip "jq is not installed"
	command -v gnuplot >/dev/null || skip "gnuplot is not installed"
}

is_png() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
}

@test "mew bench leaves no /mew-bench mount point in the rootfs it measured" {
	[ "$(cat "$BENCH_DIR/status")" -eq 0 ]
	[ -d "$BENCH_DIR/rootfs/bin" ]
	[ ! -e "$BENCH_DIR/rootfs/mew-bench" ]
}

@test "mew bench --help documents every option" {
	run "$MEW" bench --help
	[ "$status" -eq 0 ]
	for o in --rootfs --quick --json --chart --runs --from; do
		[[ "$output" == *" $o"* ]] || { echo "missing $o"; false; }
	done
}

@test "mew bench --quick completes, with a table, the real-Linux check and the claims" {
	need_tools
	cat "$BENCH_DIR/err" "$BENCH_DIR/out"
	[ "$(cat "$BENCH_DIR/status")" -eq 0 ]
	grep -q '^native  *amd64' "$BENCH_DIR/out"
	grep -q 'A real Linux inside' "$BENCH_DIR/out"
	grep -q "mew's claims, on this machine" "$BENCH_DIR/out"
	for w in startup syscalls walk cpu; do grep -q " $w" "$BENCH_DIR/out"; done
}

@test "every engine is in the table: measured, or skipped with its probe's reason" {
	need_tools
	while read -r name yes rest; do
		if [ "$yes" = yes ]; then
			grep -Eq "^$name +[a-z0-9]+ +[0-9.]+ (ms|s) " "$BENCH_DIR/out" ||
				grep -Eq "^$name +[a-z0-9]+ +(failed|skipped) \[" "$BENCH_DIR/out" ||
				{ echo "no figures for $name"; false; }
		else
			reason=${rest#*: }
			grep -Fq "$name" "$BENCH_DIR/out"
			grep -Fq "skipped: $reason" "$BENCH_DIR/out" || { echo "no reason for $name: $reason"; false; }
		fi
	done < <("$MEW" engines)
}

@test "no workload failed under an engine that runs here (a refusal or a crash shows as failed)" {
	need_tools
	jq -r '.engines[] | select(.runnable) | .engine as $e | .results[] | select(.status == "failed") |
		"\($e): \(.note)"' "$BENCH_DIR/r.json"
	jq -e '[.engines[] | select(.runnable) | .results[].status] | all(. != "failed")' "$BENCH_DIR/r.json"
}

@test "the JSON result is valid and has the expected fields" {
	need_tools
	j=$BENCH_DIR/r.json
	jq -e '.format == 1 and .quick == true and (.runs | type) == "number"' "$j"
	jq -e '(.machine | type) == "string" and (.date | test("^[0-9]{4}-"))' "$j"
	jq -e '[.workloads[].name] == ["startup", "syscalls", "walk", "cpu"]' "$j"
	jq -e '.engines[0].engine == "native" and .engines[0].runnable == true' "$j"
	jq -e '[.engines[].engine] | contains(["container", "syscall", "emulate", "vm"])' "$j"
	# Native ran every workload; every cell has a known status, ok cells a median and a ratio.
	jq -e '[.engines[0].results[] | .status] == ["ok", "ok", "ok", "ok"]' "$j"
	jq -e '[.engines[].results[] | .status | IN("ok", "failed", "skipped")] | all' "$j"
	jq -e '[.engines[].results[] | select(.status == "ok") | (.median > 0 and .ratio > 0 and (.runs | length) == 3)] | all' "$j"
	jq -e '[.engines[] | select(.runnable | not) | .reason | type == "string"] | all' "$j"
	jq -e '[.engines[] | .real_linux | (.unshare_net.result, .cgroup.result, .as_user.unshare_net.result, .as_user.cgroup.result) | IN("ok", "failed", "untested")] | all' "$j"
	jq -e '[.engines[] | .real_linux | (.can_host_containers, .on_its_own) | type | IN("boolean", "null")] | all' "$j"
	jq -e '[.claims[].id] == ["container", "vm", "emulate", "syscall", "syscall-cost"]' "$j"
	jq -e '[.claims[].verdict | IN("held", "partly", "not_held", "untested")] | all' "$j"
}

@test "the real-Linux check ran natively, and the container engine answered it" {
	need_tools
	need_root
	j=$BENCH_DIR/r.json
	jq -e '.engines[0].real_linux.unshare_net.result == "ok"' "$j"
	# as nobody, the host itself refuses: the check tells privileges from a kernel of one's own
	jq -e '.engines[0].real_linux.as_user.unshare_net.result == "failed"' "$j"
	jq -e '.engines[0].real_linux.on_its_own == false' "$j"
	if "$MEW" engines | grep -q '^container  *yes'; then
		jq -e '.engines[] | select(.engine == "container") | .real_linux.unshare_net.result != "untested"' "$j"
	fi
}

@test "the chart is a PNG" {
	need_tools
	is_png "$BENCH_DIR/r.png"
}

@test "mew bench --from prints and charts a saved result without running anything" {
	need_tools
	run "$MEW" bench --from "$BENCH_DIR/r.json" --chart "$BENCH_DIR/again.png" --json "$BENCH_DIR/again.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"native"* ]]
	[[ "$output" != *"mew bench: startup:"* ]]
	is_png "$BENCH_DIR/again.png"
	diff <(jq -S . "$BENCH_DIR/r.json") <(jq -S . "$BENCH_DIR/again.json")
}

@test "a broken result file is refused with the JSON path named" {
	echo '{"format": 1, "runs": 3, "engines": [{"engine": "x", "runnable": true, "results": {}}]}' >"$BENCH_DIR/bad.json"
	run "$MEW" bench --from "$BENCH_DIR/bad.json"
	[ "$status" -eq 125 ]
	[[ "$output" == *"mew: bench JSON: engines[0].results.startup: missing"* ]]
	run "$MEW" bench --from "$BENCH_DIR/nonexistent.json"
	[ "$status" -eq 125 ]
	[[ "$output" == *"nonexistent.json"* ]]
}

@test "errors name what failed" {
	run "$MEW" bench --frobnicate
	[ "$status" -eq 125 ]
	[[ "$output" == *"mew: bench: unknown option \`--frobnicate\`"* ]]
	run "$MEW" bench --rootfs /nonexistent/rootfs
	[ "$status" -eq 125 ]
	[[ "$output" == *"/nonexistent/rootfs"* ]]
	run "$MEW" bench --runs 0
	[ "$status" -eq 125 ]
	[[ "$output" == *"--runs"* ]]
	MEW_BENCH_WORK=/nonexistent/work run "$MEW" bench --quick
	[ "$status" -eq 125 ]
	[[ "$output" == *"no workload program at \`/nonexistent/work/work-"* ]]
}

@test "the workload program gives the same answers on every run" {
	work=$(dirname "$MEW")/bench/work-$(dpkg --print-architecture)
	[ -x "$work" ]
	run "$work" cpu 1000
	[ "$status" -eq 0 ]
	first=$output
	run "$work" cpu 1000
	[ "$output" = "$first" ]
	run "$work" mktree "$BENCH_DIR/tree" 2 3
	[ "$output" = "mktree 6" ]
	run "$work" walk "$BENCH_DIR/tree" 2
	[ "$output" = "walk 18 entries 1536 bytes" ]
	run "$work" syscalls 10 "$BENCH_DIR/tree"
	[ "$output" = "syscalls 40" ]
	run "$work" frobnicate
	[ "$status" -eq 2 ]
}

@test "the arm64 workload program, where the cross compiler is installed, is an aarch64 ELF" {
	command -v aarch64-linux-gnu-gcc >/dev/null || skip "aarch64-linux-gnu-gcc is not installed"
	work=$(dirname "$MEW")/bench/work-arm64
	[ -f "$work" ]
	# e_machine 183 (0xb7) = EM_AARCH64
	[ "$(od -An -tu2 -j18 -N2 "$work" | tr -d ' ')" = 183 ]
}

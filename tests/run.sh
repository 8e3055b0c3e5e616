#!/usr/bin/env bash
# Run the unit test binaries given as arguments (cmocka) and every bats file in
# tests/e2e, then print one line: `N passed, N failed, N skipped`.
# MEW_TESTS=pattern runs only the bats files whose name matches.
set -u
cd "$(dirname "$0")/.."
export MEW="$PWD/build/mew"
export MEW_ROOT="$PWD"
pass=0 fail=0 skip=0
failed=()

count_tap() { # reads TAP on stdin, echoes it, and updates the counters
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*) fail=$((fail + 1)); failed+=("$1: ${line#not ok }") ;;
		"ok "*"# skip"* | "ok "*"# SKIP"*) skip=$((skip + 1)) ;;
		"ok "*) pass=$((pass + 1)) ;;
		esac
	done
}

for t in "$@"; do
	echo "# unit: $t"
	before=$fail
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	count_tap "$t" <<<"$out"
	# A binary that crashed or failed without a `not ok` line still failed.
	if [ $rc -ne 0 ] && [ $fail -eq $before ]; then
		echo "not ok - $t exited with status $rc"
		fail=$((fail + 1))
		failed+=("$t: exited with status $rc")
	fi
done

# End-to-end tests need the default rootfs.
if ! bash scripts/rootfs-busybox.sh amd64; then
	echo "not ok - building the default rootfs failed"
	fail=$((fail + 1))
fi
for f in tests/e2e/*.bats; do
	[ -e "$f" ] || continue
	[ -n "${MEW_TESTS:-}" ] && [[ "$f" != *${MEW_TESTS}* ]] && continue
	echo "# e2e: $f"
	count_tap "$f" < <(bats --tap "$f" 2>&1)
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failed[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

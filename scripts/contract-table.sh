#!/usr/bin/env bash
# The README's table of what each engine honours of `mew run`'s flags, made
# from `mew engines --json` (the contract, src/engine/contract.c).
#   contract-table.sh           print the table
#   contract-table.sh --update  rewrite it in README.md, between its markers
# tests/e2e/contract.bats fails when README.md and the contract differ.
set -euo pipefail
cd "$(dirname "$0")/.."
mew=${MEW:-build/mew}
table() {
	"$mew" engines --json | jq -r '
		.engines as $e |
		"| flag | " + ([$e[] | "`\(.name)`"] | join(" | ")) + " |",
		"|---|" + ([$e[] | "---"] | join("|")) + "|",
		(.fields[] as $f | "| `\($f.usage)` | " +
			([$e[] | if (.honours | index($f.name)) then "yes" else "refused" end] | join(" | ")) + " |")'
}
begin='<!-- contract table: scripts/contract-table.sh --update -->'
end='<!-- end of contract table -->'
if [ "${1:-}" != --update ]; then
	table
	exit 0
fi
grep -qxF "$begin" README.md && grep -qxF "$end" README.md || {
	echo "mew: README.md lacks the contract table's markers" >&2
	exit 1
}
new=$(table)
awk -v b="$begin" -v e="$end" -v t="$new" '
	$0 == b { print; print t; skip = 1; next }
	$0 == e { skip = 0 }
	!skip' README.md >README.md.tmp
mv README.md.tmp README.md

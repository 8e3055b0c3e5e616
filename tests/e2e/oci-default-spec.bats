#!/usr/bin/env bats
# The config.json that `spec` writes must run as it is, as runc's does.
load helpers

@test "oci: the config that spec writes runs unchanged (ambient capabilities included)" {
	need_root
	local b
	b=$(mktemp -d)
	mkdir "$b/rootfs"
	cp -a "$ROOTFS/." "$b/rootfs/"
	(cd "$b" && "${MEW}-runc" spec)
	grep -q '"ambient"' "$b/config.json"
	# spec's default is an interactive sh; run a command without a terminal.
	sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"true"/' "$b/config.json"
	run "${MEW}-runc" --root "$b/state" run -b "$b" default-spec-$$
	echo "$output"
	rm -rf "$b"
	[ "$status" -eq 0 ]
}

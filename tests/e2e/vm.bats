#!/usr/bin/env bats
# The vm engine, end to end on this host's /dev/kvm: mew boots its own
# freestanding test guest (build/vm/testguest.elf) and the guest drives the
# serial port and each virtio device.  A Linux kernel boot runs only where the
# probe says KVM can execute one.
bats_require_minimum_version 1.5.0
load helpers

TG="$BATS_TEST_DIRNAME/../../build/vm/testguest.elf"

setup() {
	[ -c /dev/kvm ] || skip "no /dev/kvm on this host"
	"$MEW" engines | grep -q '^vm  *yes' || skip "vm engine unavailable: $("$MEW" engines | grep '^vm')"
	[ -f "$TG" ] || skip "test guest not built"
	T=$(mktemp -d)
}

teardown() {
	[ -n "${T:-}" ] && rm -rf "$T"
	return 0
}

vmrun() {
	"$MEW" run --engine vm --rootfs "${ROOT:-$ROOTFS}" --kernel "$TG" "$@"
}

@test "vm: mew engines says what the vm engine can do here" {
	run "$MEW" engines
	[[ "$output" == *"vm"*"/dev/kvm usable; kernel boot: "* ]]
}

@test "vm: the test guest boots in 64-bit mode, prints over serial and exits with its status" {
	run vmrun -- hello echo over-serial exit=7
	[ "$status" -eq 7 ]
	[[ "$output" == *"hello from the test guest (64-bit entry)"* ]]
	[[ "$output" == *"over-serial"* ]]
}

@test "vm: the test guest boots through the PVH entry" {
	run vmrun --vm-debug pvh -- hello exit=3
	[ "$status" -eq 3 ]
	[[ "$output" == *"hello from the test guest (PVH entry)"* ]]
}

@test "vm: the devices are announced on the command line and found by the guest" {
	run vmrun -- devices
	[ "$status" -eq 0 ]
	for id in 3 4 9 19; do
		[[ "$output" == *"virtio device $id at 0x"* ]] || { echo "no device $id"; false; }
	done
}

@test "vm: virtio-console carries 1 MiB from the guest intact" {
	run bash -c "'$MEW' run --engine vm --rootfs '$ROOTFS' --kernel '$TG' -- console 1048576 | wc -c"
	[ "$status" -eq 0 ]
	[ "$output" -eq 1048576 ]
}

@test "vm: with -i -t, standard input reaches the guest over virtio-console" {
	run bash -c "printf 'hello-from-stdin' | '$MEW' run --engine vm -i -t --rootfs '$ROOTFS' --kernel '$TG' -- rx 16"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rx: hello-from-stdin"* ]]
}

@test "vm: virtio-rng hands the guest random bytes" {
	run vmrun -- rng
	[ "$status" -eq 0 ]
	[[ "$output" == *"rng: "* ]]
}

@test "vm: virtio-blk reads and writes a raw image, and refuses reads past its end" {
	printf 'MEWDISK-sector-zero' > "$T/disk.img"
	truncate -s 1M "$T/disk.img"
	run vmrun --disk "$T/disk.img" -- blk
	[ "$status" -eq 0 ]
	[[ "$output" == *"2048 sectors, sector 0 begins \`MEWDISK-sector-z\`"* ]]
	[ "$(dd if="$T/disk.img" bs=512 skip=1 count=1 2>/dev/null | head -c 10)" = "mew-blk-ok" ]
}

@test "vm: --root-disk builds an ext4 image of the rootfs (mke2fs -d), caches it and keeps the run's writes out of it" {
	command -v mke2fs >/dev/null || skip "needs mke2fs (e2fsprogs)"
	mkdir -p "$T/root/etc" "$T/cache"
	echo one >"$T/root/etc/hostname"
	MEW_CACHE="$T/cache" ROOT="$T/root" run vmrun --root-disk -- ext4 blk cmdline
	[ "$status" -eq 0 ]
	[[ "$output" == *"ext4: label \`mewroot\`"* ]]
	[[ "$output" == *"blk: wrote and read back sector 1"* ]]
	[[ "$output" == *" mew.root=vda "* ]]
	img=$(ls "$T"/cache/vm/disk/*.ext4)
	[ "$(echo "$img" | wc -l)" -eq 1 ]
	# the guest wrote sector 1: the cached image does not have it
	[ "$(dd if="$img" bs=512 skip=1 count=1 2>/dev/null | head -c 10)" != "mew-blk-ok" ]
	if command -v debugfs >/dev/null; then
		[ "$(debugfs -R 'cat /etc/hostname' "$img" 2>/dev/null)" = one ]
	fi
	# an unchanged rootfs reuses the image; a changed one gets a new image
	before=$(stat -c %i.%Y "$img")
	MEW_CACHE="$T/cache" ROOT="$T/root" run vmrun --root-disk -- ext4
	[ "$status" -eq 0 ]
	[ "$(ls "$T"/cache/vm/disk/*.ext4)" = "$img" ]
	[ "$(stat -c %i.%Y "$img")" = "$before" ]
	echo two >"$T/root/etc/hostname"
	MEW_CACHE="$T/cache" ROOT="$T/root" run vmrun --root-disk -- ext4
	[ "$status" -eq 0 ]
	[ "$(ls "$T"/cache/vm/disk/*.ext4 | wc -l)" -eq 2 ]
}

@test "vm: virtio-9p shares the rootfs directory" {
	mkdir -p "$T/root/etc"
	echo "shared over 9p" > "$T/root/etc/greeting"
	ROOT="$T/root" run vmrun -- 9p /etc/greeting
	[ "$status" -eq 0 ]
	[[ "$output" == *"9p: tag \`mewroot\`"* ]]
	[[ "$output" == *"9p: shared over 9p"* ]]
}

@test "vm: virtio-9p does not let a symlink or .. lead out of the share" {
	mkdir -p "$T/root/etc"
	echo secret > "$T/outside"
	ln -s "$T/outside" "$T/root/etc/escape"
	ln -s ../../../../../../.. "$T/root/up"
	ROOT="$T/root" run vmrun -- 9p /etc/escape
	[[ "$output" != *"secret"* ]]
	ROOT="$T/root" run vmrun -- 9p "/up${T}/outside"
	[[ "$output" != *"secret"* ]]
}

@test "vm: virtio-vsock connects the guest to a host Unix socket" {
	command -v python3 >/dev/null || skip "needs python3 for the host end"
	python3 - "$T/vsock_5000" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); data = c.recv(100)
c.sendall(b"pong to " + data)
c.close()
PY
	for i in $(seq 50); do [ -S "$T/vsock_5000" ] && break; sleep 0.1; done
	run vmrun --vsock-uds "$T/vsock" -- vsock 5000
	wait
	[ "$status" -eq 0 ]
	[[ "$output" == *"vsock: pong to ping"* ]]
}

# mew's agent protocol (src/vm/agent.h), which the test guest speaks too:
# stdout, stderr and the exit status each on its own vsock stream.
@test "vm: the agent's stdout, stderr and exit status travel on their own vsock streams" {
	# exit=1 would be the test guest's own status on the exit port: the vsock
	# status must end the VM first.
	vmrun -- vsend 2 to-stdout vsend 3 to-stderr vsend 4 7 exit=1 >"$T/out" 2>"$T/err" && st=0 || st=$?
	[ "$st" -eq 7 ]
	[ "$(cat "$T/out")" = "to-stdout" ]
	[ "$(cat "$T/err")" = "to-stderr" ]
	run vmrun -- vsend 4 abc exit=0
	[ "$status" -eq 125 ]
	[[ "$output" == *"mew: vm: the guest agent sent a malformed exit status"* ]]
	run vmrun -- vsend 4 256 exit=0
	[ "$status" -eq 125 ]
}

@test "vm: with -i, standard input reaches the guest on the agent's vsock stream, byte for byte" {
	head -c 200000 /dev/urandom >"$T/in"
	"$MEW" run --engine vm -i --rootfs "$ROOTFS" --kernel "$TG" -- vcat vsend 4 0 <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
	# without -i the host refuses the stream
	run vmrun -- vcat vsend 4 0 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "no stdin" ]
}

# mew exits before KVM has torn the VM down: a helper process sharing its
# address space drops the VM afterwards.  It must not outlive that.
@test "vm: the helper that tears the VM down after mew exits goes away" {
	exe=$(readlink -f "$MEW")
	out=$(vmrun -- echo done exit=0 | cat)
	[ "$out" = "done" ]
	for i in $(seq 50); do
		left=0
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/exe" 2>/dev/null)" = "$exe" ] && left=1
		done
		[ "$left" -eq 0 ] && break
		sleep 0.1
	done
	[ "$left" -eq 0 ]
}

@test "vm: hostile virtqueues are refused and the VMM keeps running" {
	run vmrun -- hostile echo still-alive
	[ "$status" -eq 0 ]
	[[ "$output" == *"hostile: refused 5 of 5"* ]]
	[[ "$output" == *"still-alive"* ]]
}

@test "vm: a machine reset without a status is reported as mew's failure" {
	run vmrun -- reset
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: vm: the guest reset the machine"* ]]
}

@test "vm: a guest that crashes the vCPU is reported, not followed" {
	run vmrun -- fault
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: vm: "* ]]
}

@test "vm: int3 in the guest reaches the guest's own #BP handler and returns" {
	run vmrun -- int3 echo after
	[ "$status" -eq 0 ]
	[[ "$output" == *"int3: handled 2"*"after"* ]]
}

@test "vm: fwait in the guest runs on (Linux runs one at each exec)" {
	run vmrun -- fwait exit=4
	[ "$status" -eq 4 ]
	[[ "$output" == *"fwait: ok"* ]]
}

@test "vm: an instruction KVM cannot emulate is reported with its RIP, symbol and bytes" {
	run vmrun -- emulfail
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: vm: KVM internal error 1 (emulation failure) on vCPU 0 at rip 0x"* ]]
	[[ "$output" == *" <cmd_emulfail+0x"*"> (cpl 0), instruction bytes: f3 48 0f b8"* ]]
}

@test "vm: a kernel that is neither ELF nor bzImage is refused by name" {
	echo garbage > "$T/k"
	run "$MEW" run --engine vm --kernel "$T/k" -- true
	[ "$status" -eq 125 ]
	[[ "$output" == *"kernel"* ]]
}

@test "vm: --memory and --cpus are honoured and bounded" {
	run vmrun --memory 64m --cpus 2 -- hello
	[ "$status" -eq 0 ]
	run vmrun --memory 8g -- hello
	[ "$status" -eq 125 ]
	[[ "$output" == *"--memory"* ]]
}

@test "vm: without --kernel, a host that cannot boot a kernel is named with the probe's reason" {
	"$MEW" engines | grep -q 'kernel boot: no' || skip "this host can boot a kernel"
	run "$MEW" run --engine vm -- true
	[ "$status" -eq 125 ]
	[[ "$output" == "mew: vm: cannot boot a Linux kernel on this host: "* ]]
}

# The full path: mew's guest kernel (built once, cached by scripts/guest-kernel.sh),
# the agent as init, the rootfs over 9p, the command's output over virtio-console.
@test "vm: a Linux kernel boots and runs the command through the guest agent" {
	line=$("$MEW" engines | grep '^vm')
	[[ "$line" == *"kernel boot: yes"* ]] || skip "a Linux kernel cannot boot here: ${line#*kernel boot: }"
	bash "$MEW_ROOT/scripts/guest-kernel.sh" >/dev/null
	# The default kernel (a bzImage, or its vmlinux where KVM emulates the
	# kernel's code: see mew engines); a small guest, so that a boot in KVM's
	# instruction emulator takes about a minute rather than several.
	# The same boot checks the volumes and a read-only rootfs, from a guest
	# root's side: remounting rw inside changes nothing on the host.
	cp -a "$ROOTFS" "$T/root"
	mkdir "$T/rw" "$T/ro"
	echo in-ro >"$T/ro/in"
	echo one-file >"$T/file"
	run "$MEW" run --engine vm --memory 96m --cpus 2 -e GREETING=hi -w /tmp --rootfs "$T/root" --read-only \
		-v "$T/rw:/data" -v "$T/ro:/ro:ro" -v "$T/file:/etc/mew-file:ro" -- \
		sh -c 'echo "$GREETING from $(uname -r) in $(pwd) on $(grep -c ^processor /proc/cpuinfo) cpus, host $(hostname)"
			echo written >/data/out; cat /ro/in /etc/mew-file
			mount -o remount,rw /ro; echo x >/ro/planted || echo ro-refused
			mount -o remount,rw /; echo x >/planted || echo root-refused
			echo x >/etc/mew-file || echo file-refused; exit 3'
	[ "$status" -eq 3 ]
	[[ "$output" == *"hi from 6.1"*" in /tmp on 2 cpus, host mew"* ]]
	[ "$(cat "$T/rw/out")" = written ]
	[[ "$output" == *"in-ro"*"one-file"*"ro-refused"*"root-refused"*"file-refused"* ]]
	[ ! -e "$T/ro/planted" ] && [ ! -e "$T/root/planted" ]
	[ "$(cat "$T/file")" = one-file ]
	# That boot saved a snapshot at the agent's ready point: the same shape
	# of VM now restores it (another rootfs, no volumes), steps the clock to
	# the host's and reseeds the RNG, so two restored runs differ.
	for i in 1 2; do
		"$MEW" run --engine vm --memory 96m --cpus 2 --vm-debug timing -- \
			sh -c 'date +%s; cat /proc/sys/kernel/random/uuid; hostname' >"$T/r$i" 2>"$T/e$i"
		grep -q "snapshot restored" "$T/e$i"
		[ "$(sed -n 3p "$T/r$i")" = mew ]
		guest=$(sed -n 1p "$T/r$i")
		[ $((guest - $(date +%s))) -le 60 ] && [ $(($(date +%s) - guest)) -le 60 ]
	done
	[ "$(sed -n 2p "$T/r1")" != "$(sed -n 2p "$T/r2")" ]
	run -127 "$MEW" run --engine vm --memory 96m -- /nonexistent
	[ "$status" -eq 127 ]
}

# The same path with the agent's separate streams, the ext4 root disk and
# mew's own container engine inside the guest.
@test "vm: under a Linux kernel, stdout and stderr stay apart, --root-disk roots the guest on ext4, and mew's container engine runs inside" {
	line=$("$MEW" engines | grep '^vm')
	[[ "$line" == *"kernel boot: yes"* ]] || skip "a Linux kernel cannot boot here: ${line#*kernel boot: }"
	bash "$MEW_ROOT/scripts/guest-kernel.sh" >/dev/null
	# mew's default kernel, in a small guest (see the test above).
	vm() { "$MEW" run --engine vm --memory 128m "$@"; }
	# --net user: passt's user-mode network reaches a server on the host's
	# loopback through the gateway, 10.0.2.2 (where passt is installed).
	net=() get= want=out
	if command -v passt >/dev/null; then
		mkdir "$T/www" && echo served-by-the-host >"$T/www/hello"
		python3 -c 'import functools, http.server, sys
s = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1]))
print(s.server_address[1], flush=True)
s.serve_forever()' "$T/www" >"$T/port" 2>/dev/null &
		srv=$!
		for i in $(seq 200); do port=$(head -1 "$T/port"); [ -n "$port" ] && break; sleep 0.1; done
		net=(--net user) get="wget -q -O - http://10.0.2.2:$port/hello;" want="served-by-the-host
out"
	else
		echo "# --net user not checked: passt is not installed" >&3
	fi
	vm "${net[@]}" -- sh -c "$get echo out; echo err >&2; exit 4" >"$T/out" 2>"$T/err" && st=0 || st=$?
	[ -z "${srv:-}" ] || kill $srv
	[ "$st" -eq 4 ]
	[ "$(cat "$T/out")" = "$want" ]
	[ "$(cat "$T/err")" = err ]
	run vm --root-disk -- sh -c 'echo written >/etc/mew-root-disk && cat /etc/mew-root-disk && grep " / " /proc/mounts'
	[ "$status" -eq 0 ]
	[[ "$output" == *"written"*"/dev/vda / ext4"* ]]
	[ ! -e "$ROOTFS/etc/mew-root-disk" ]
	# (The container engine cannot take / itself as the rootfs: pivot_root
	# refuses the current root, in a guest as on a host.)
	run vm -- sh -c 'mkdir -p /tmp/c && mount --bind / /tmp/c &&
		exec /run/mew-guest/mew run --engine container --rootfs /tmp/c -- sh -c "echo container pid \$\$"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"container pid "[12]* ]]
}

# Where a kernel cannot boot to the end, its first steps still check the
# loader: the 64-bit entry, boot_params, the e820 map, the MP table and the
# command line with the virtio-mmio devices, as the kernel itself reports them.
@test "vm: the guest kernel's vmlinux starts from mew's boot data (as far as this KVM lets it)" {
	bash "$MEW_ROOT/scripts/guest-kernel.sh" --check || skip "the guest kernel is not built (scripts/guest-kernel.sh)"
	vmlinux=$(readlink -f "$(dirname "$ROOTFS")/../kernel/current/vmlinux")
	[ -f "$vmlinux" ] || skip "no vmlinux at $vmlinux"
	run timeout 60 "$MEW" run --engine vm --vm-debug no-probe --console --cpus 2 --kernel "$vmlinux" \
		--cmdline "earlyprintk=serial,ttyS0" -- true </dev/null
	[[ "$output" == *"Linux version 6.1"* ]]
	[[ "$output" == *"BIOS-e820: [mem 0x0000000000100000-"* ]]
	[[ "$output" == *"found SMP MP-table"* ]]
	[[ "$output" == *"Processor #1"* ]]
	[[ "$output" == *"virtio_mmio.device=4K@0xd0000000:5"*"-- true"* ]]
	# Where KVM gives up on the kernel, mew names the kernel function.
	[[ "$output" != *"KVM internal error"* ]] || [[ "$output" == *"at rip 0xffffffff"*" <"*"+0x"*"instruction bytes: "* ]]
}

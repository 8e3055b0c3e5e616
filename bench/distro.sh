#!/usr/bin/env bash
# A Debian system used as a user would use it, on fresh copies of the same
# rootfs (scripts/rootfs-debian.sh), natively and under mew and PRoot, in
# the same run:
#
#     bash bench/distro.sh [--user USER] [--runs N]
#
# Steps, each one command in the guest, timed from outside (wall seconds,
# best of N runs, default 2, each run on a fresh copy):
#   install  apt-get install of 104 packages (gcc, make, python3, perl
#            modules, debsums, fakeroot), offline: the .debs are downloaded
#            once into the cache and put in each copy's /var/cache/apt/archives
#   dpkg-i   dpkg -i of a .deb built here whose files carry set-id bits and
#            whose postinst gives them owners (chown, chmod)
#   gcc      gcc -pthread compiling a C program with threads, and running it
#   python   import ssl, sqlite3, ctypes, multiprocessing and a Pool's map
#   verify   dpkg --verify, dpkg --audit and debsums -s (what dpkg installed,
#            checked by dpkg), and the mode, owner and type of every file
#            dpkg installed as the guest sees them (stat)
# Sides (DISTRO_SIDES, default "native mew proot"; proot where installed):
# native (chroot as root, the host's /dev, /proc, /sys), mew (the
# syscall engine as USER, default nobody, guest root, on a copy USER owns
# with the owners and set-id bits recorded as mew keeps them: rootfs-user.sh)
# and `proot -0` (as USER on a plain chown -R copy: PRoot keeps no owners,
# so its verify listing differs in those); mew-root is mew run by root on a
# copy root owns (owners real).  Each step's output is compared with
# native's: a step that fails or prints other things is marked, and the
# listings' differences are kept in the log directory printed at the end.
# Needs root (chroot, chown), and the Debian mirror once (the .debs).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
MEW=${MEW:-$here/build/mew}
user=nobody runs=2
while [ $# -gt 1 ]; do
	case $1 in
	--user) user=$2 ;;
	--runs) runs=$2 ;;
	*) echo "distro.sh: unknown option \`$1'" >&2; exit 2 ;;
	esac
	shift 2
done
[ "$(id -u)" -eq 0 ] || { echo "distro.sh: run as root (native runs in a chroot)" >&2; exit 2; }
[ -x "$MEW" ] || { echo "distro.sh: no mew at $MEW (make)" >&2; exit 2; }
group=$(id -g "$user")
as_user=(setpriv --reuid "$user" --regid "$group" --clear-groups --reset-env)
"${as_user[@]}" test -x "$MEW" || { echo "distro.sh: $user cannot run $MEW" >&2; exit 2; }

packages="gcc make python3 libc6-dev perl libjson-perl libyaml-libyaml-perl libwww-perl
libdbd-sqlite3-perl debsums python3-venv fakeroot"
base=$(bash "$here/scripts/rootfs-debian.sh" amd64)
log=$(mktemp -d /tmp/mew-distro.XXXXXX)
chmod 755 "$log"

# the .debs, once per base rootfs (its package lists name the versions)
debs=$(dirname "$base")/$(basename "$base")-distro-debs
stamp="$(cat "$base/.mew-rootfs") + $(echo $packages)"
if ! [ -f "$debs/.stamp" ] || [ "$(cat "$debs/.stamp")" != "$stamp" ]; then
	echo "distro.sh: downloading the packages into $debs" >&2
	rm -rf "$debs" "$log/dl"
	cp -a --reflink=auto "$base" "$log/dl"
	chroot "$log/dl" apt-get install -y -qq --no-install-recommends --download-only $packages >/dev/null
	mkdir -p "$debs"
	mv "$log/dl/var/cache/apt/archives/"*.deb "$debs/"
	rm -rf "$log/dl"
	echo "$stamp" >"$debs/.stamp"
fi

# a .deb of our own: set-id files, owners given by its postinst
deb=$log/mew-owners.deb
mkdir -p "$log/pkg/DEBIAN" "$log/pkg/opt/mew-owners/dir"
cat >"$log/pkg/DEBIAN/control" <<'EOF'
Package: mew-owners
Version: 1.0
Architecture: all
Maintainer: mew <mew@localhost>
Description: files with set-id bits and owners, for mew's distro check
EOF
printf '#!/bin/sh\nset -e\nchown nobody:staff /opt/mew-owners/owned\nchmod 2775 /opt/mew-owners/dir\nchgrp staff /opt/mew-owners/dir\n' \
	>"$log/pkg/DEBIAN/postinst"
chmod 755 "$log/pkg/DEBIAN/postinst"
printf '#!/bin/sh\necho set-id\n' >"$log/pkg/opt/mew-owners/suid"
chmod 4755 "$log/pkg/opt/mew-owners/suid"
echo owned >"$log/pkg/opt/mew-owners/owned"
chmod 640 "$log/pkg/opt/mew-owners/owned"
dpkg-deb --root-owner-group -Zgzip --build "$log/pkg" "$deb" >/dev/null

cat >"$log/threads.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
static long sums[4];
static void *work(void *arg)
{
	long i, n = (long)arg, s = 0;
	for (i = 0; i < 1000000; i++)
		s += i % (n + 2);
	sums[n] = s;
	return NULL;
}
int main(void)
{
	pthread_t t[4];
	long n;
	for (n = 0; n < 4; n++)
		pthread_create(&t[n], NULL, work, (void *)n);
	for (n = 0; n < 4; n++)
		pthread_join(t[n], NULL);
	printf("%ld %ld %ld %ld\n", sums[0], sums[1], sums[2], sums[3]);
	return 0;
}
EOF

# the guest's command of each step
step_cmd() {
	case $1 in
	install) echo "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(echo $packages) >/tmp/install.log 2>&1 || { tail -20 /tmp/install.log; exit 1; }; dpkg-query -W -f '\${Package} \${Status}\n' | sort" ;;
	dpkg-i) echo 'dpkg -i /tmp/mew-owners.deb >/dev/null && stat -c "%A %U:%G %n" /opt/mew-owners/* && /opt/mew-owners/suid' ;;
	gcc) echo 'cd /tmp && gcc -O2 -pthread -o threads threads.c && ./threads' ;;
	python) echo "python3 -c 'import ssl, sqlite3, ctypes, multiprocessing
print(ssl.OPENSSL_VERSION.split()[0], sqlite3.connect(\":memory:\").execute(\"select 6*7\").fetchone()[0], ctypes.CDLL(None).getpid() > 0)
with multiprocessing.Pool(4) as pool: print(sum(pool.map(abs, range(-1000, 1000))))'" ;;
	verify) echo 'dpkg --verify; echo "dpkg --verify: $?"; dpkg --audit; echo "dpkg --audit: $?"
		debsums -s 2>&1; echo "debsums -s: $?"
		dpkg-query -W -f "\${Package}\n" | xargs dpkg-query -L 2>/dev/null | sort -u |
			xargs -d "\n" stat -c "%a %U:%G %F %n" 2>/dev/null; true' ;;
	esac
}
steps="install dpkg-i gcc python verify"

# run SIDE ROOT STEP: the step's command in the guest, its output on stdout
run() {
	local cmd env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp)
	cmd=$(step_cmd "$3")
	case $1 in
	native) unshare --mount --fork sh -c 'mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc" &&
		mount --rbind /sys "$1/sys" && exec chroot "$@"' _ "$2" "${env[@]}" sh -c "$cmd" ;;
	mew) (cd /tmp && "${as_user[@]}" "$MEW" run --engine syscall --rootfs "$2" -e HOME=/root -e TMPDIR=/tmp -- sh -c "$cmd") ;;
	mew-root) (cd /tmp && "$MEW" run --engine syscall --rootfs "$2" -e HOME=/root -e TMPDIR=/tmp -- sh -c "$cmd") ;;
	proot) (cd /tmp && "${as_user[@]}" proot -0 -r "$2" -b /dev -b /proc -b /sys -w / "${env[@]}" sh -c "$cmd") ;;
	esac
}

sides=${DISTRO_SIDES:-native mew $(command -v proot >/dev/null && echo proot)}
declare -A best status
for n in $(seq "$runs"); do
	for side in $sides; do
		root=$log/root-$side
		rm -rf "$root"
		case $side in
		native | mew-root) cp -a --reflink=auto "$base" "$root" ;;
		mew) MEW=$MEW bash "$here/scripts/rootfs-user.sh" "$base" "$root" "$user" ;;
		proot) cp -a --reflink=auto "$base" "$root" && chown -hR "$user:$group" "$root" ;;
		esac
		cp "$debs/"*.deb "$root/var/cache/apt/archives/"
		cp "$deb" "$log/threads.c" "$root/tmp/"
		[ "$side" = native ] || [ "$side" = mew-root ] || chown -hR "$user:$group" "$root/var/cache/apt/archives" "$root/tmp"
		for step in $steps; do
			t0=$(date +%s.%N) s=0
			run "$side" "$root" "$step" >"$log/$side.$step.$n" 2>&1 </dev/null || s=$?
			t=$(echo "$(date +%s.%N) - $t0" | bc)
			[ "$s" -eq 0 ] || status[$side.$step]=$s
			b=${best[$side.$step]:-}
			if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then best[$side.$step]=$t; fi
		done
		rm -rf "$root"
	done
done

printf '%-8s' step
for side in $sides; do printf '  %-16s' "$side (s)"; done
echo
differ=0
for step in $steps; do
	printf '%-8s' "$step"
	for side in $sides; do
		mark=
		[ -z "${status[$side.$step]:-}" ] || mark=" exit ${status[$side.$step]}"
		if [ "$side" != native ] && ! cmp -s "$log/native.$step.1" "$log/$side.$step.1"; then
			mark="$mark differs"
			[[ $side != mew* ]] || differ=$((differ + 1))
			diff "$log/native.$step.1" "$log/$side.$step.1" >"$log/$side.$step.diff" || true
		fi
		printf '  %-16s' "$(printf '%.1f' "${best[$side.$step]}")$mark"
	done
	echo
done
echo "steps where mew differs from native: $differ; logs in $log"

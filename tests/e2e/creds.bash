# What tests/e2e/syscall/creds.c prints natively, run by real root (the
# lines were taken from such a run; the kernel is the oracle), shared by
# syscall-creds.bats and emulate-creds.bats.

# nobody_copy NAME: as root, U, a directory an ordinary user (65534) may
# enter, with that user's own copy of the rootfs $R and of mew.
nobody_copy() {
	[ "$(id -u)" -eq 0 ] || return 0
	U=$(mktemp -d "/tmp/mew-$1.XXXXXX")
	cp -a "$R" "$U/rootfs" && cp "$MEW" "$U/mew"
	chown -R 65534:65534 "$U" && chmod 755 "$U"
}

CREDS_IDS_ROOT='uid 0 0 0 fs 0
gid 0 0 0 fs 0
groups 0:
caps eff root prm root keep 0'

CREDS_IDS_USER='uid 1000 1000 1000 fs 1000
gid 100 100 100 fs 100
groups 0:
caps eff none prm none keep 0'

# setgroups, then a partial drop, then exec: the saved ids follow the
# effective ones, groups and the real uid 0 (so permitted capabilities) stay.
CREDS_EXEC='setgroups ok
getgroups(1) EINVAL
setresgid ok
setresuid ok
uid 0 1000 0 fs 1000
gid 100 100 0 fs 100
groups 3: 30 40 50
caps eff none prm root keep 0
uid 0 1000 1000 fs 1000
gid 100 100 100 fs 100
groups 3: 30 40 50
caps eff none prm root keep 0'

# After setuid(nobody): root's files (LTP access01, access04, open02,
# creat04, mkdir04, unlink, rename, chmod, chown04, kill05, bind; open08: O_DIRECTORY; open02: O_NOATIME).
CREDS_PERM='setuid(0) EPERM
access W_OK EACCES
access R_OK ok
access d X_OK EACCES
open O_WRONLY EACCES
open O_RDONLY ok
open O_DIRECTORY ENOTDIR
open O_NOATIME EPERM
creat EACCES
creat() EACCES
mkdir EACCES
unlink EACCES
rename EACCES
chmod EPERM
chown EPERM
kill EPERM
execve 0700 EACCES
bind EACCES'

# Ownership recorded and reported; chown's set-id rules (chown02), ENOENT
# and EBADF, set-group-id directories (mkdir02, creat08, open10), chmod05.
CREDS_OWN='new 0:0 755
chown ok
chowned 1000:50 755
fchown ok
fstat 1001:50
raw fstat 1001:50
chown -1 ok
suid 1001:51 755
chown nonexistent ENOENT
fchown -1 EBADF
symlink ok
lchown ok
target 0:0 644
sgdir 0:60 2775
sgsub 0:60 2755
sgfile 0:60 2755
setuid(0) EPERM
chmod g+s ok
chmod05 65534:70 755
chown other EPERM
chgrp own ok
chgrp 65534:65534 755'

# Owners of a symlink and FIFOs, which no attribute can hold.
CREDS_OWNKEPT='symlink ok
lchown ok
link 7:8 777
fchownat ok
statx link 9:10
mkfifo ok
chown fifo ok
fifo 11:12 644
fifo fstat 11:12
fifo raw fstat 11:12
mknod ok
sgfifo 0:60 644'

# A root with another group makes files of that group.
CREDS_NEWGID='setresgid ok
file 0:100 644
dir 0:100 755'

# The kernel's NGROUPS_MAX (65536) groups held, sorted, and counted by the
# permission checks (getgroups01, setgroups02).
CREDS_GROUPS='setgroups 65537 EINVAL
setgroups 65536 ok
getgroups(0) 65536
getgroups 65536 sorted 1
open by group ok
write by group EACCES'

# Set-user-id and set-group-id programs exec'd by nobody take their
# owner's ids (su, sudo, newgrp); under no_new_privs, which the guest sets
# itself, the bits are ignored.  (The guest starts without no_new_privs:
# mew's own, under the syscall engine, is mechanism and not shown.)
CREDS_SETID='no_new_privs at start 0
suid root:
uid 65534 0 0 fs 0
gid 65534 65534 65534 fs 65534
groups 0:
caps eff root prm root keep 0
sgid 42:
uid 65534 65534 65534 fs 65534
gid 65534 42 42 fs 42
groups 0:
caps eff none prm none keep 0
suid root, no_new_privs:
no_new_privs ok
no_new_privs now 1
uid 65534 65534 65534 fs 65534
gid 65534 65534 65534 fs 65534
groups 0:
caps eff none prm none keep 0'

# Search permission on every directory of a path, not only the parent.
CREDS_SEARCH='setuid(0) EPERM
open EACCES
access EACCES
creat EACCES
mkdir EACCES
unlink EACCES
truncate EACCES
chmod EACCES
stat EACCES
chdir EACCES
stat closed ok
setuid(0) EPERM
searchable: open ok
searchable: creat ok
searchable: stat ok'

CREDS_HIDDEN='chown ok
write-only 1234:1235 222
mode 0 1234:1235 0
chown back ok
back 0:0 0
setuid(0) EPERM
nobody'"'"'s write-only 65534:65534 222'

CREDS_OVERRIDE='mkdir 0444 ok
create inside ok
write ok
mkdir 0222 inside ok
create in both ok
chmod 0 ok
stat ok 0
open mode 0 ok
access ok
open 0222 directory ok
rename ok
unlink ok
rmdir ok
modes kept ok
rmdir 0444 ok'

# expect NAME: $output must be the text of $NAME (shows both when not).
expect() {
	local want=${!1}
	if [ "$output" != "$want" ]; then
		diff <(echo "$want") <(echo "$output") || true
		return 1
	fi
}

# setid.c's lines natively, run by root in a directory its user 1000 may
# reach.
setid_native() {
	local d
	d=$(mktemp -d /tmp/mew-setid.XXXXXX) && chmod 755 "$d" && "$1" "$d/t"
	rm -rf "$d"
}

# setid.c's lines but where mew run as root, whose own writes keep every
# set-id bit, drops them for a user at the open for writing, not at the
# write: a file opened and never written, and one given them by fchmod
# after it was opened, then written.
setid_root_lines() {
	grep -v -e '^user [0-7]* opened, not written:' -e '^user fchmod [0-7]*, written:'
}

#!/usr/bin/env bash
# Give a rootfs that root made (debootstrap's, scripts/rootfs-debian.sh's)
# to an ordinary user, as the user's own copy would be had mew unpacked it
# for them (`mew rootfs create --from image`): every file is USER's, and the
# owners other than root and the set-id bits are recorded by mew itself,
# run as USER (its chown keeps the owner in user.mew.owner), so the guest
# sees the owners and modes that root's copy has.  A plain chown -R would
# show every file as root's and drop the set-id bits (su, mount, chage).
# Usage: rootfs-user.sh SRC DEST USER   (DEST must not exist; needs root)
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: rootfs-user.sh SRC DEST USER" >&2; exit 2; }
src=$1 dest=$2 user=$3
here=$(cd "$(dirname "$0")/.." && pwd)
MEW=${MEW:-$here/build/mew}
[ ! -e "$dest" ] || { echo "rootfs-user.sh: $dest exists" >&2; exit 2; }
group=$(id -g "$user")
cp -a --reflink=auto "$src" "$dest"
# symlinks cannot carry the record (their owners are root's under mew)
(cd "$dest" && find . -xdev ! -type l \( ! -uid 0 -o ! -gid 0 -o -perm /6000 \) -printf '%U:%G %m %p\n') >"$dest.owners"
chown -hR "$user:$group" "$dest"
setpriv --reuid "$user" --regid "$group" --clear-groups --reset-env \
	"$MEW" run -i --engine syscall --rootfs "$dest" -- sh -c \
	'while read -r owner mode path; do chown "$owner" "$path" && chmod "$mode" "$path" || exit 1; done' <"$dest.owners"
rm -f "$dest.owners"

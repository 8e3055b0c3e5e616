/* The stat of one name in a directory, as tar and find ask it
 * (guest/query.c's stat_name): runs natively too.
 *   statat DIR NAME    fstatat(fd on DIR, NAME) and statx(fd on DIR, NAME),
 *                      following and not, and the same from DIR as the cwd:
 *                      one line each, "<how>: <type> <dev>:<ino> <uid>:<gid>"
 *                      or "<how>: <errno name>" */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char type(mode_t m)
{
	return S_ISLNK(m) ? 'l' : S_ISDIR(m) ? 'd' : S_ISREG(m) ? 'f' : S_ISCHR(m) ? 'c' : '?';
}

static void show(const char *how, int r, mode_t m, unsigned long dev, unsigned long ino, unsigned u, unsigned g)
{
	if (r != 0)
		printf("%s: %s\n", how, strerrorname_np(errno));
	else
		printf("%s: %c %lu:%lu %u:%u\n", how, type(m), dev, ino, u, g);
}

static void both(const char *how, int dfd, const char *name, int flags)
{
	struct stat st;
	struct statx sx;
	char h[64];
	int r;

	r = fstatat(dfd, name, &st, flags);
	snprintf(h, sizeof(h), "fstatat %s", how);
	show(h, r, st.st_mode, (unsigned long)st.st_dev, (unsigned long)st.st_ino, st.st_uid, st.st_gid);
	r = statx(dfd, name, flags, STATX_BASIC_STATS, &sx);
	snprintf(h, sizeof(h), "statx %s", how);
	show(h, r, sx.stx_mode, (unsigned long)makedev(sx.stx_dev_major, sx.stx_dev_minor),
	     (unsigned long)sx.stx_ino, sx.stx_uid, sx.stx_gid);
}

int main(int argc, char **argv)
{
	int dfd;

	if (argc != 3)
		return 2;
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || chdir(argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	both("dirfd follow", dfd, argv[2], 0);
	both("dirfd nofollow", dfd, argv[2], AT_SYMLINK_NOFOLLOW);
	both("cwd follow", AT_FDCWD, argv[2], 0);
	both("cwd nofollow", AT_FDCWD, argv[2], AT_SYMLINK_NOFOLLOW);
	return 0;
}

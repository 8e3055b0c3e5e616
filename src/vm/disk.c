/* The rootfs as an ext4 image for virtio-blk, built with `mke2fs -d` (which
 * needs no root) and cached under <cache>/vm/disk/<key>.ext4.  The key hashes
 * the rootfs's path and every entry's name, type, mode, owner, size, mtime and
 * ctime (and a symlink's target), so that any change to the tree builds a new
 * image and an unchanged tree costs one walk of it. */
#include "vm/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/paths.h"

extern char **environ;

/* Bumped when the way images are made changes. */
#define DISK_FORMAT "mew-disk-1"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* nftw has no argument for its callback: one walk at a time. */
static struct {
	size_t root_len;
	uint64_t sum, entries, bytes;
} walk;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct {
		uint64_t mode, uid, gid, size, mtime, mtime_ns, ctime, ctime_ns;
	} rec = { st->st_mode, st->st_uid, st->st_gid, (uint64_t)st->st_size, (uint64_t)st->st_mtim.tv_sec,
		  (uint64_t)st->st_mtim.tv_nsec, (uint64_t)st->st_ctim.tv_sec, (uint64_t)st->st_ctim.tv_nsec };
	const char *rel = path + walk.root_len;
	uint64_t h = fnv(0xcbf29ce484222325ULL, rel, strlen(rel) + 1);

	h = fnv(h, &rec, sizeof(rec));
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target));
		if (n > 0)
			h = fnv(h, target, (size_t)n);
	}
	/* A sum: the order nftw meets entries in does not matter. */
	walk.sum += mix(h);
	walk.entries++;
	walk.bytes += (uint64_t)st->st_blocks * 512;
	return 0;
}

/* Run argv; its output (both streams, at most the first 1000 bytes) goes to
 * out.  The exit status, or -1 when it could not run. */
static int run_capture(char *const argv[], char *out, size_t max)
{
	posix_spawn_file_actions_t fa;
	int p[2], status;
	size_t n = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		errno = r;
		return -1;
	}
	for (;;) {
		char buf[512];
		ssize_t k = read(p[0], buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k && n + 1 < max; i++)
			out[n++] = buf[i];
	}
	out[n] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int vm_disk_from_rootfs(const char *rootfs, char **image, struct mew_error **err)
{
	cleanup_free char *root = realpath(rootfs, NULL);
	cleanup_free char *dir = NULL, *path = NULL, *tmp = NULL;
	char size_k[32], inodes[32], out[1000];
	uint64_t key;

	*image = NULL;
	if (root == NULL)
		return mew_error(err, errno, "--root-disk: rootfs `%s`", rootfs);
	memset(&walk, 0, sizeof(walk));
	walk.root_len = strlen(root);
	if (nftw(root, visit, 64, FTW_PHYS) < 0)
		return mew_error(err, errno, "--root-disk: walking `%s`", root);
	key = mix(fnv(fnv(0xcbf29ce484222325ULL, DISK_FORMAT, sizeof(DISK_FORMAT)), root, strlen(root)) ^
		  walk.sum) ^ walk.entries;
	if (asprintf(&dir, "%s/vm/disk", mew_cache_dir()) < 0 ||
	    asprintf(&path, "%s/%016llx.ext4", dir, (unsigned long long)key) < 0 ||
	    asprintf(&tmp, "%s/.%016llx.%d.tmp", dir, (unsigned long long)key, (int)getpid()) < 0)
		return mew_error(err, ENOMEM, "--root-disk");
	if (file_exists(path)) {
		*image = path;
		path = NULL;
		return 0;
	}
	if (file_mkdir_p(dir, 0755, err) < 0)
		return -1;
	/* Room for the files as they are allocated now, an inode each, and
	 * some slack for the guest's own writes (which stay in memory, the image
	 * is never written: see virtio_blk_new's overlay). */
	uint64_t kib = (walk.bytes + walk.entries * 512) / 1024 * 5 / 4 + 16384;
	snprintf(size_k, sizeof(size_k), "%lluk", (unsigned long long)kib);
	snprintf(inodes, sizeof(inodes), "%llu", (unsigned long long)walk.entries + 1024);
	char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-O", "^has_journal,^resize_inode", "-m", "0",
			 "-N", inodes, "-E", "root_owner=0:0", "-L", "mewroot", "-d", root, tmp, size_k, NULL };
	int st = run_capture(argv, out, sizeof(out));
	if (st != 0) {
		unlink(tmp);
		if (st < 0)
			return mew_error(err, errno, "--root-disk: running mke2fs (install e2fsprogs)");
		out[strcspn(out, "\n")] = '\0';
		return mew_error(err, 0, "--root-disk: mke2fs -d `%s` failed (status %d): %s", root, st, out);
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return mew_error(err, errno, "--root-disk: `%s`", path);
	}
	*image = path;
	path = NULL;
	return 0;
}

/* One layer applied beneath a root directory, as the OCI image spec says
 * (image-spec layer.md): entries in archive order, a `.wh.NAME` deletes NAME
 * from the layers below, `.wh..wh..opq` empties its directory of what the
 * layers below put there, an entry replaces what is at its path (a
 * directory onto a directory merges).  libarchive reads the tar (and its
 * compression); the writing is mew's, because of where it may write:
 *
 * Every parent directory is opened with openat2(RESOLVE_BENEATH) from the
 * root, and the entry created relative to that descriptor without following
 * its last component.  A name with `..`, an absolute name, or a parent that
 * resolves outside the root (a symlink an earlier entry planted, `/etc` or
 * `../../x`) fails in the kernel's walk and the layer is refused: nothing is
 * ever written outside the root.
 *
 * Owners: kept as the tar says when mew is root; otherwise the files are the
 * user's and the tar's owner is recorded in xattrs.  Device nodes need root:
 * without it they are skipped (counted, reported once). */
#include "image/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "image/owner.h"

/* The paths this layer wrote: an opaque directory keeps those. */
struct pathset {
	char **slot;
	size_t cap, n;
};

struct dirtime {
	char *path;
	mode_t mode;
	struct timespec ts[2];
};

struct applier {
	int root_fd;
	bool root; /* may chown and mknod */
	const char *what;
	struct image_layer_stats *st;
	struct mew_error **err;
	char *parent;	/* the cached parent directory's path */
	int parent_fd;	/* and its descriptor (O_PATH) */
	struct pathset seen;
	struct dirtime *dirs; /* directories' times (and modes), set at the end */
	size_t ndirs, capdirs;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static bool set_has(const struct pathset *s, const char *p)
{
	if (s->cap == 0)
		return false;
	for (size_t i = hash(p) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == NULL)
			return false;
		if (strcmp(s->slot[i], p) == 0)
			return true;
	}
}

static int set_add(struct pathset *s, const char *p)
{
	size_t i;

	if (set_has(s, p))
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		struct pathset g = { .cap = s->cap ? 2 * s->cap : 1024 };
		g.slot = calloc(g.cap, sizeof(char *));
		if (g.slot == NULL)
			return -1;
		for (size_t k = 0; k < s->cap; k++) {
			if (s->slot[k] == NULL)
				continue;
			for (i = hash(s->slot[k]) & (g.cap - 1); g.slot[i] != NULL; i = (i + 1) & (g.cap - 1))
				;
			g.slot[i] = s->slot[k];
		}
		free(s->slot);
		s->slot = g.slot;
		s->cap = g.cap;
	}
	for (i = hash(p) & (s->cap - 1); s->slot[i] != NULL; i = (i + 1) & (s->cap - 1))
		;
	s->slot[i] = strdup(p);
	if (s->slot[i] == NULL)
		return -1;
	s->n++;
	return 0;
}

static void set_free(struct pathset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
}

/* "./a//b/" -> "a/b"; NULL when a component is "..": a name that climbs. */
static char *clean(const char *name, bool *absolute)
{
	char *out = malloc(strlen(name) + 1), *w = out;
	const char *p = name;

	if (out == NULL)
		return NULL;
	*absolute = name[0] == '/';
	while (*p != '\0') {
		size_t n;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			p += 1;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return NULL;
		}
		if (w != out)
			*w++ = '/';
		memcpy(w, p, n);
		w += n;
		p += n;
	}
	*w = '\0';
	return out;
}

static int beneath(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd;

	do
		fd = (int)syscall(SYS_openat2, root_fd, path[0] != '\0' ? path : ".", &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

static int escapes(struct applier *ap, const char *name, const char *why)
{
	return mew_error(ap->err, 0, "%s: `%s`: %s: refused (nothing is written outside the image root)",
			 ap->what, name, why);
}

static int walk_error(struct applier *ap, const char *name, const char *dir, int e)
{
	if (e == EXDEV || e == ELOOP)
		return escapes(ap, name, "its directory resolves outside the image root (through a symlink)");
	if (e == ENOTDIR)
		return mew_error(ap->err, 0, "%s: `%s`: `%s` is not a directory", ap->what, name, dir);
	return mew_error(ap->err, e, "%s: `%s`: open `%s`", ap->what, name, dir);
}

static void drop_parent(struct applier *ap)
{
	if (ap->parent_fd >= 0 && ap->parent_fd != ap->root_fd)
		close(ap->parent_fd);
	ap->parent_fd = -1;
	free(ap->parent);
	ap->parent = NULL;
}

/* The directory dir (a clean relative path, "" for the root), created with
 * its missing parents (root-owned, 0755, as other runtimes do).  Cached. */
static int open_parent(struct applier *ap, const char *name, const char *dir)
{
	int fd;

	if (ap->parent != NULL && strcmp(ap->parent, dir) == 0)
		return ap->parent_fd;
	drop_parent(ap);
	if (dir[0] == '\0') {
		ap->parent = strdup("");
		ap->parent_fd = ap->root_fd;
		return ap->parent == NULL ? mew_error(ap->err, ENOMEM, "layer") : ap->root_fd;
	}
	fd = beneath(ap->root_fd, dir, O_PATH | O_DIRECTORY);
	if (fd < 0 && errno == ENOENT) {
		cleanup_free char *p = strdup(dir);
		char *slash = p;
		int prev = ap->root_fd;

		if (p == NULL)
			return mew_error(ap->err, ENOMEM, "layer");
		do {
			slash = strchr(slash + (slash != p), '/');
			if (slash != NULL)
				*slash = '\0';
			fd = beneath(ap->root_fd, p, O_PATH | O_DIRECTORY);
			if (fd < 0 && errno == ENOENT) {
				const char *base = strrchr(p, '/') != NULL ? strrchr(p, '/') + 1 : p;
				if (mkdirat(prev, base, 0755) < 0 && errno != EEXIST) {
					int e = errno;
					if (prev != ap->root_fd)
						close(prev);
					return walk_error(ap, name, p, e);
				}
				fd = beneath(ap->root_fd, p, O_PATH | O_DIRECTORY);
			}
			if (prev != ap->root_fd)
				close(prev);
			if (fd < 0)
				return walk_error(ap, name, p, errno);
			prev = fd;
			if (slash != NULL)
				*slash = '/';
		} while (slash != NULL);
	}
	if (fd < 0)
		return walk_error(ap, name, dir, errno);
	ap->parent = strdup(dir);
	ap->parent_fd = fd;
	return fd;
}

/* rm -r of dir_fd/name, never following a symlink. */
static int remove_tree(struct applier *ap, int dir_fd, const char *name)
{
	cleanup_close int fd = -1;
	DIR *d;
	struct dirent *de;

	if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return mew_error(ap->err, errno, "%s: remove `%s`", ap->what, name);
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mew_error(ap->err, errno, "%s: remove `%s`", ap->what, name);
	if (!ap->root)
		fchmod(fd, 0700);
	d = fdopendir(dup(fd));
	if (d == NULL)
		return mew_error(ap->err, errno, "%s: remove `%s`", ap->what, name);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_tree(ap, fd, de->d_name) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0)
		return mew_error(ap->err, errno, "%s: remove `%s`", ap->what, name);
	return 0;
}

/* An opaque directory: what the layers below put in dir goes; what this
 * layer wrote there (before the marker) stays. */
static int opaque(struct applier *ap, int dir_fd, const char *dir)
{
	cleanup_close int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return mew_error(ap->err, errno, "%s: `%s`", ap->what, dir);
	d = fdopendir(dup(fd));
	if (d == NULL)
		return mew_error(ap->err, errno, "%s: `%s`", ap->what, dir);
	while (r == 0 && (de = readdir(d)) != NULL) {
		cleanup_free char *p = NULL;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&p, "%s%s%s", dir, dir[0] != '\0' ? "/" : "", de->d_name) < 0) {
			r = mew_error(ap->err, ENOMEM, "layer");
			break;
		}
		if (!set_has(&ap->seen, p)) {
			r = remove_tree(ap, fd, de->d_name);
		} else if (de->d_type == DT_DIR) {
			cleanup_close int sub = openat(fd, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub >= 0 ? opaque(ap, sub, p) : 0;
		}
	}
	closedir(d);
	return r;
}

static int defer_dir(struct applier *ap, const char *path, struct archive_entry *e)
{
	struct dirtime *t;

	if (ap->ndirs == ap->capdirs) {
		struct dirtime *n = realloc(ap->dirs, (ap->capdirs = ap->capdirs * 2 + 64) * sizeof(*n));
		if (n == NULL)
			return mew_error(ap->err, ENOMEM, "layer");
		ap->dirs = n;
	}
	t = &ap->dirs[ap->ndirs];
	t->path = strdup(path);
	if (t->path == NULL)
		return mew_error(ap->err, ENOMEM, "layer");
	t->mode = archive_entry_perm(e) & 07777;
	t->ts[0].tv_sec = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : archive_entry_mtime(e);
	t->ts[0].tv_nsec = archive_entry_atime_is_set(e) ? archive_entry_atime_nsec(e) : archive_entry_mtime_nsec(e);
	t->ts[1].tv_sec = archive_entry_mtime(e);
	t->ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	ap->ndirs++;
	return 0;
}

static bool xattr_allowed(const char *name)
{
	/* trusted.* (overlay's own among them) would steer the overlay the
	 * cached rootfs is mounted under; mew's owner records are mew's. */
	return strncmp(name, "trusted.", 8) != 0 && strncmp(name, "user.overlay.", 13) != 0 &&
	       !image_owner_xattr(name);
}

/* Owner, mode, xattrs and times of what fd is (a file or directory). */
static int set_meta(struct applier *ap, int fd, const char *name, struct archive_entry *e,
		    bool is_dir)
{
	const char *xname;
	const void *xval;
	size_t xsize;
	uid_t uid = (uid_t)archive_entry_uid(e);
	gid_t gid = (gid_t)archive_entry_gid(e);
	mode_t mode = archive_entry_perm(e) & 07777;

	if (ap->root) {
		if (fchown(fd, uid, gid) < 0)
			return mew_error(ap->err, errno, "%s: chown `%s` to %u:%u", ap->what, name, uid, gid);
	} else if ((uid != 0 || gid != 0) && image_owner_record(fd, uid, gid) == 0) {
		ap->st->owners_recorded++;
	}
	/* A directory keeps u+wx until the layer ends, so that an unprivileged
	 * user can fill it; its exact mode is set with its times. */
	if (fchmod(fd, is_dir && !ap->root ? mode | 0700 : mode) < 0)
		return mew_error(ap->err, errno, "%s: chmod `%s`", ap->what, name);
	if (archive_entry_xattr_reset(e) > 0) {
		while (archive_entry_xattr_next(e, &xname, &xval, &xsize) == ARCHIVE_OK) {
			if (!xattr_allowed(xname) || fsetxattr(fd, xname, xval, xsize, 0) < 0)
				ap->st->xattrs_skipped++;
		}
	}
	if (!is_dir) {
		struct timespec ts[2] = {
			{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
			{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
		};
		if (archive_entry_atime_is_set(e)) {
			ts[0].tv_sec = archive_entry_atime(e);
			ts[0].tv_nsec = archive_entry_atime_nsec(e);
		}
		futimens(fd, ts);
	}
	return 0;
}

static int write_file(struct applier *ap, struct archive *a, int dir_fd, const char *base,
		      const char *name, struct archive_entry *e)
{
	cleanup_close int fd = -1;
	const void *buf;
	size_t size;
	la_int64_t off, end = 0;
	int r;

	fd = openat(dir_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		if (remove_tree(ap, dir_fd, base) < 0)
			return -1;
		fd = openat(dir_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return mew_error(ap->err, errno, "%s: create `%s`", ap->what, name);
	while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
		const char *p = buf;
		while (size > 0) {
			ssize_t n = pwrite(fd, p, size, off);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return mew_error(ap->err, errno, "%s: write `%s`", ap->what, name);
			}
			p += n;
			off += n;
			size -= (size_t)n;
			ap->st->bytes += (uint64_t)n;
		}
		end = off;
	}
	if (r != ARCHIVE_EOF)
		return mew_error(ap->err, 0, "%s: `%s`: %s", ap->what, name, archive_error_string(a));
	/* A sparse file's hole at the end. */
	if (end < archive_entry_size(e) && ftruncate(fd, archive_entry_size(e)) < 0)
		return mew_error(ap->err, errno, "%s: `%s`", ap->what, name);
	return set_meta(ap, fd, name, e, false);
}

static int make_dir(struct applier *ap, int dir_fd, const char *base, const char *name,
		    struct archive_entry *e)
{
	cleanup_close int fd = -1;

	if (mkdirat(dir_fd, base, 0700) < 0 && errno == EEXIST) {
		struct stat sb;
		if (fstatat(dir_fd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(sb.st_mode) &&
		    (remove_tree(ap, dir_fd, base) < 0 || mkdirat(dir_fd, base, 0700) < 0))
			return mew_error(ap->err, errno, "%s: mkdir `%s`", ap->what, name);
	}
	fd = openat(dir_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mew_error(ap->err, errno, "%s: mkdir `%s`", ap->what, name);
	if (set_meta(ap, fd, name, e, true) < 0)
		return -1;
	return defer_dir(ap, name, e);
}

/* symlink, hard link, fifo or device: created at base, replacing what is there. */
static int make_other(struct applier *ap, int dir_fd, const char *base, const char *name,
		      struct archive_entry *e)
{
	mode_t type = archive_entry_filetype(e);
	const char *hl = archive_entry_hardlink(e);
	cleanup_close int tdir = -1;
	cleanup_free char *target = NULL;
	const char *tbase = NULL;
	int r = -1;

	if (hl != NULL) {
		bool absolute;
		char *slash;
		target = clean(hl, &absolute);
		if (target == NULL || absolute || target[0] == '\0')
			return escapes(ap, name, "a hard link to a path outside the image root");
		slash = strrchr(target, '/');
		if (slash != NULL)
			*slash = '\0';
		tdir = beneath(ap->root_fd, slash != NULL ? target : "", O_PATH | O_DIRECTORY);
		if (tdir < 0)
			return walk_error(ap, name, slash != NULL ? target : ".", errno);
		tbase = slash != NULL ? slash + 1 : target;
	} else if ((type == AE_IFCHR || type == AE_IFBLK) && !ap->root) {
		if (ap->st->devices_skipped++ == 0)
			mew_warn("image: %s: device node `%s` not created (needs root); device nodes are skipped",
				 ap->what, name);
		return 0;
	} else if (type == AE_IFSOCK) {
		return 0;
	}
	for (int tries = 0; tries < 2; tries++) {
		if (hl != NULL)
			r = linkat(tdir, tbase, dir_fd, base, 0);
		else if (type == AE_IFLNK)
			r = symlinkat(archive_entry_symlink(e), dir_fd, base);
		else if (type == AE_IFIFO)
			r = mknodat(dir_fd, base, S_IFIFO | 0600, 0);
		else
			r = mknodat(dir_fd, base, (type == AE_IFCHR ? S_IFCHR : S_IFBLK) | 0600,
				    makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e)));
		if (r == 0 || errno != EEXIST || tries > 0)
			break;
		if (remove_tree(ap, dir_fd, base) < 0)
			return -1;
	}
	if (r < 0 && (type == AE_IFCHR || type == AE_IFBLK) && errno == EPERM && hl == NULL) {
		ap->st->devices_skipped++;
		return 0;
	}
	if (r < 0)
		return mew_error(ap->err, errno, "%s: create `%s`%s%s", ap->what, name,
				 hl != NULL ? " as a hard link to " : "", hl != NULL ? hl : "");
	if (hl != NULL)
		return 0; /* the link shares its target's inode and metadata */
	if (type == AE_IFLNK) {
		struct timespec ts[2] = { { archive_entry_mtime(e), 0 }, { archive_entry_mtime(e), 0 } };
		if (ap->root && fchownat(dir_fd, base, (uid_t)archive_entry_uid(e),
					 (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
			return mew_error(ap->err, errno, "%s: chown `%s`", ap->what, name);
		utimensat(dir_fd, base, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	{
		cleanup_close int fd = openat(dir_fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		char proc[64];
		if (fd < 0)
			return mew_error(ap->err, errno, "%s: `%s`", ap->what, name);
		if (ap->root && fchownat(fd, "", (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
					 AT_EMPTY_PATH) < 0)
			return mew_error(ap->err, errno, "%s: chown `%s`", ap->what, name);
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		chmod(proc, archive_entry_perm(e) & 07777);
	}
	return 0;
}

static int entry(struct applier *ap, struct archive *a, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);
	bool absolute;
	cleanup_free char *name = raw != NULL ? clean(raw, &absolute) : NULL;
	cleanup_free char *dir = NULL;
	const char *base, *slash;
	mode_t type = archive_entry_filetype(e);
	int dir_fd;

	if (raw == NULL)
		return mew_error(ap->err, 0, "%s: an entry without a name", ap->what);
	if (name == NULL)
		return escapes(ap, raw, "the name climbs out with `..`");
	if (absolute)
		return escapes(ap, raw, "an absolute name");
	ap->st->entries++;
	if (name[0] == '\0') { /* the root itself: its metadata */
		cleanup_close int fd = openat(ap->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (type != AE_IFDIR || archive_entry_hardlink(e) != NULL)
			return mew_error(ap->err, 0, "%s: `%s`: the root is not a directory", ap->what, raw);
		return fd < 0 || set_meta(ap, fd, raw, e, true) < 0 ? -1 : defer_dir(ap, "", e);
	}
	slash = strrchr(name, '/');
	base = slash != NULL ? slash + 1 : name;
	dir = strndup(name, slash != NULL ? (size_t)(slash - name) : 0);
	if (dir == NULL)
		return mew_error(ap->err, ENOMEM, "layer");
	dir_fd = open_parent(ap, name, dir);
	if (dir_fd < 0)
		return -1;
	if (strncmp(base, ".wh.", 4) == 0) {
		int r;
		if (strcmp(base, ".wh..wh..opq") == 0)
			r = opaque(ap, dir_fd, dir);
		else if (strncmp(base, ".wh..wh.", 8) == 0)
			r = 0; /* aufs' own bookkeeping (.wh..wh.plnk): not content */
		else
			r = remove_tree(ap, dir_fd, base + 4);
		return r;
	}
	if (set_add(&ap->seen, name) < 0)
		return mew_error(ap->err, ENOMEM, "layer");
	if (type == AE_IFREG && archive_entry_hardlink(e) == NULL)
		return write_file(ap, a, dir_fd, base, name, e);
	if (type == AE_IFDIR && archive_entry_hardlink(e) == NULL)
		return make_dir(ap, dir_fd, base, name, e);
	return make_other(ap, dir_fd, base, name, e);
}

static int finish_dirs(struct applier *ap)
{
	/* Deepest first, so a directory made read-only is not needed again. */
	for (size_t i = ap->ndirs; i-- > 0;) {
		struct dirtime *t = &ap->dirs[i];
		cleanup_close int fd = beneath(ap->root_fd, t->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd >= 0) {
			if (!ap->root)
				fchmod(fd, t->mode);
			futimens(fd, t->ts);
		}
	}
	return 0;
}

struct reader {
	struct image_blob *blob;
	struct image_layer_stats *st;
};

static la_ssize_t read_cb(struct archive *a, void *arg, const void **buf)
{
	struct reader *rd = arg;
	ssize_t n = image_blob_read(rd->blob, buf);

	if (n < 0)
		archive_set_error(a, errno, "read error");
	else if (rd->st->progress != NULL)
		rd->st->progress(rd->st->progress_arg, image_blob_offset(rd->blob));
	return n;
}

int image_layer_apply(int root_fd, struct image_blob *blob, const char *what,
		      struct image_layer_stats *st, struct mew_error **err)
{
	struct applier ap = {
		.root_fd = root_fd,
		.root = geteuid() == 0,
		.what = what,
		.st = st,
		.err = err,
		.parent_fd = -1,
	};
	struct reader rd = { .blob = blob, .st = st };
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0, ar;

	if (a == NULL)
		return mew_error(err, ENOMEM, "archive");
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open(a, &rd, NULL, read_cb, NULL) != ARCHIVE_OK) {
		r = mew_error(err, 0, "%s: %s", what, archive_error_string(a));
		goto out;
	}
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
		if (entry(&ap, a, e) < 0) {
			r = -1;
			goto out;
		}
	}
	if (ar != ARCHIVE_EOF) {
		r = mew_error(err, 0, "%s: not a readable tar: %s", what, archive_error_string(a));
		goto out;
	}
	finish_dirs(&ap);
out:
	archive_read_free(a);
	drop_parent(&ap);
	set_free(&ap.seen);
	for (size_t i = 0; i < ap.ndirs; i++)
		free(ap.dirs[i].path);
	free(ap.dirs);
	return r;
}

/* Where an image's files are.  An OCI layout directory is read in place
 * (every name opened beneath it with openat2, never by string checks); an
 * archive (oci-archive, docker-archive) is indexed once and each file is
 * streamed out of it by libarchive, never extracted to disk; podman's store
 * is exported with `podman image save --format oci-dir` when a blob is first
 * needed (its image ID comes from `podman image inspect` without that). */
#include "image/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"

struct entry {
	char *name;
	char *link; /* hard link or symlink target (resolved to a name), or NULL */
	bool symlink;
};

struct image_source {
	const struct image_ref *ref;
	int dir_fd; /* a layout directory (oci:, or podman's export), or -1 */
	char *export_dir; /* podman's export, removed on close */
	/* an archive */
	char *file;
	struct entry *entries;
	size_t nentries;
};

struct image_stream {
	int fd;		    /* a file beneath dir_fd, or -1 */
	struct archive *ar; /* positioned at the entry's data */
};

static int openat_beneath(int dir_fd, const char *name, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	do
		fd = (int)syscall(SYS_openat2, dir_fd, name, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

/* "./a/b" -> "a/b" */
static const char *clean_name(const char *n)
{
	while (n[0] == '.' && n[1] == '/')
		n += 2;
	while (n[0] == '/')
		n++;
	return n;
}

static struct entry *find_entry(struct image_source *src, const char *name)
{
	for (size_t i = 0; i < src->nentries; i++)
		if (strcmp(src->entries[i].name, name) == 0)
			return &src->entries[i];
	return NULL;
}

/* A symlink's target relative to its own directory, as a name in the
 * archive; docker save links repeated layers to the first copy. */
static char *resolve_symlink(const char *name, const char *target)
{
	const char *slash = strrchr(name, '/');
	cleanup_free char *joined = NULL;
	char *parts[64], *save, *p, *out;
	size_t n = 0, len = 0;

	if (target[0] == '/')
		return NULL;
	if (asprintf(&joined, "%.*s%s%s", slash != NULL ? (int)(slash - name) : 0, name,
		     slash != NULL ? "/" : "", target) < 0)
		return NULL;
	for (p = strtok_r(joined, "/", &save); p != NULL; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			if (n == 0)
				return NULL;
			n--;
			continue;
		}
		if (n == ARRAY_SIZE(parts))
			return NULL;
		parts[n++] = p;
	}
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	out = calloc(1, len + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, "/");
		strcat(out, parts[i]);
	}
	return out;
}

static struct archive *archive_open(const char *file, struct mew_error **err)
{
	struct archive *a = archive_read_new();

	if (a == NULL) {
		mew_error(err, ENOMEM, "archive");
		return NULL;
	}
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		mew_error(err, archive_errno(a) > 0 ? archive_errno(a) : 0, "image archive `%s`: %s", file,
			  archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int index_archive(struct image_source *src, struct mew_error **err)
{
	struct archive *a = archive_open(src->file, err);
	struct archive_entry *e;
	size_t cap = 0;
	int r;

	if (a == NULL)
		return -1;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = clean_name(archive_entry_pathname(e));
		const char *hl = archive_entry_hardlink(e);
		struct entry *en;

		if (archive_entry_filetype(e) == AE_IFDIR && hl == NULL)
			continue;
		if (src->nentries == cap) {
			struct entry *n = realloc(src->entries, (cap = cap * 2 + 16) * sizeof(*n));
			if (n == NULL) {
				archive_read_free(a);
				return mew_error(err, ENOMEM, "image archive");
			}
			src->entries = n;
		}
		en = &src->entries[src->nentries++];
		memset(en, 0, sizeof(*en));
		en->name = strdup(name);
		if (hl != NULL) {
			en->link = strdup(clean_name(hl));
		} else if (archive_entry_filetype(e) == AE_IFLNK) {
			en->symlink = true;
			en->link = resolve_symlink(name, archive_entry_symlink(e));
		}
	}
	if (r != ARCHIVE_EOF) {
		mew_error(err, 0, "image archive `%s`: %s", src->file, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	archive_read_free(a);
	return 0;
}

/* podman ARGS... on the ref's store; its stdout in *out. */
static int podman(const struct image_ref *ref, char *const args[], char **out, struct mew_error **err)
{
	int fds[2], status;
	pid_t pid;
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return mew_error(err, errno, "pipe");
	pid = fork();
	if (pid < 0)
		return mew_error(err, errno, "fork");
	if (pid == 0) {
		char *argv[32];
		int k = 0;
		dup2(fds[1], STDOUT_FILENO);
		argv[k++] = "podman";
		if (ref->store_root != NULL) {
			argv[k++] = "--storage-driver";
			argv[k++] = ref->store_driver;
			argv[k++] = "--root";
			argv[k++] = ref->store_root;
			argv[k++] = "--runroot";
			argv[k++] = ref->store_runroot;
		}
		for (int i = 0; args[i] != NULL && k < 31; i++)
			argv[k++] = args[i];
		argv[k] = NULL;
		execvp("podman", argv);
		fprintf(stderr, "mew: cannot run podman: %s (containers-storage: needs podman)\n",
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		if (cap - len < 1024) {
			char *nb = realloc(buf, cap = cap * 2 + 4096);
			if (nb == NULL)
				break;
			buf = nb;
		}
		n = read(fds[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return mew_error(err, errno, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return mew_error(err, 0, "podman %s %s failed", args[0], args[1]);
	if (buf != NULL)
		buf[len] = '\0';
	if (out != NULL)
		*out = steal_pointer(&buf);
	return 0;
}

/* podman's store, exported as an OCI layout into the image cache's
 * directory (the same filesystem the unpack goes to). */
static int storage_export(struct image_source *src, struct mew_error **err)
{
	cleanup_free char *cache = image_cache_dir(), *tmpl = NULL;
	char *argv[] = { "image", "save", "--quiet", "--format", "oci-dir", "-o", NULL, src->ref->path, NULL };

	if (src->dir_fd >= 0)
		return 0;
	if (cache == NULL || asprintf(&tmpl, "%s/tmp-%d-export.XXXXXX", cache, (int)getpid()) < 0)
		return mew_error(err, ENOMEM, "containers-storage");
	if (file_mkdir_p(cache, 0755, err) < 0)
		return -1;
	if (mkdtemp(tmpl) == NULL)
		return mew_error(err, errno, "mkdtemp `%s`", tmpl);
	src->export_dir = steal_pointer(&tmpl);
	/* podman save wants to create the directory itself. */
	rmdir(src->export_dir);
	argv[6] = src->export_dir;
	fprintf(stderr, "mew: image: exporting %s from podman's store\n", src->ref->path);
	if (podman(src->ref, argv, NULL, err) < 0)
		return mew_error_wrap(err, "%s", src->ref->text);
	src->dir_fd = open(src->export_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src->dir_fd < 0)
		return mew_error(err, errno, "open `%s`", src->export_dir);
	return 0;
}

int image_source_open(const struct image_ref *ref, struct image_source **out,
		      struct mew_error **err)
{
	struct image_source *src = calloc(1, sizeof(*src));
	struct stat sb;

	if (src == NULL)
		return mew_error(err, ENOMEM, "image");
	src->ref = ref;
	src->dir_fd = -1;
	switch (ref->transport) {
	case IMAGE_OCI:
		src->dir_fd = open(ref->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (src->dir_fd < 0) {
			mew_error(err, errno, "--image: %s: OCI layout directory `%s`", ref->text, ref->path);
			goto fail;
		}
		if (faccessat(src->dir_fd, "oci-layout", F_OK, 0) < 0) {
			mew_error(err, 0, "--image: %s: `%s` is not an OCI image layout (no oci-layout file)",
				  ref->text, ref->path);
			goto fail;
		}
		break;
	case IMAGE_OCI_ARCHIVE:
	case IMAGE_DOCKER_ARCHIVE:
		if (stat(ref->path, &sb) < 0) {
			mew_error(err, errno, "--image: %s: `%s`", ref->text, ref->path);
			goto fail;
		}
		if (!S_ISREG(sb.st_mode)) {
			mew_error(err, 0, "--image: %s: `%s` is not a file", ref->text, ref->path);
			goto fail;
		}
		src->file = strdup(ref->path);
		if (src->file == NULL || index_archive(src, err) < 0)
			goto fail;
		break;
	case IMAGE_CONTAINERS_STORAGE:
		break; /* exported on first use */
	}
	*out = src;
	return 0;
fail:
	image_source_close(src);
	return -1;
}

void image_source_close(struct image_source *src)
{
	if (src == NULL)
		return;
	if (src->dir_fd >= 0)
		close(src->dir_fd);
	if (src->export_dir != NULL) {
		image_remove_dir(src->export_dir);
		free(src->export_dir);
	}
	for (size_t i = 0; i < src->nentries; i++) {
		free(src->entries[i].name);
		free(src->entries[i].link);
	}
	free(src->entries);
	free(src->file);
	free(src);
}

char *image_source_id(struct image_source *src)
{
	char *argv[] = { "image", "inspect", "--format", "{{.Id}}", src->ref->path, NULL };
	char *out = NULL, *id = NULL;

	if (src->ref->transport != IMAGE_CONTAINERS_STORAGE)
		return NULL;
	if (podman(src->ref, argv, &out, NULL) < 0 || out == NULL) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	if (strlen(out) == 64 && strspn(out, "0123456789abcdef") == 64 &&
	    asprintf(&id, "sha256:%s", out) < 0)
		id = NULL;
	free(out);
	return id;
}

/* The archive entry that holds NAME's bytes: links followed a few times. */
static const char *data_name(struct image_source *src, const char *name)
{
	for (int hops = 0; hops < 8; hops++) {
		struct entry *e = find_entry(src, name);
		if (e == NULL)
			return NULL;
		if (e->link == NULL)
			return e->symlink ? NULL : e->name;
		name = e->link;
	}
	return NULL;
}

static int ensure_dir(struct image_source *src, struct mew_error **err)
{
	if (src->ref->transport == IMAGE_CONTAINERS_STORAGE)
		return storage_export(src, err);
	return 0;
}

bool image_source_has(struct image_source *src, const char *name)
{
	if (ensure_dir(src, NULL) < 0)
		return false;
	if (src->dir_fd >= 0) {
		int fd = openat_beneath(src->dir_fd, name, O_PATH);
		if (fd < 0)
			return false;
		close(fd);
		return true;
	}
	return data_name(src, name) != NULL;
}

int image_stream_open(struct image_source *src, const char *name, struct image_stream **out,
		      struct mew_error **err)
{
	struct image_stream *s;
	struct archive_entry *e;
	const char *want;
	int r;

	if (ensure_dir(src, err) < 0)
		return -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return mew_error(err, ENOMEM, "image");
	s->fd = -1;
	if (src->dir_fd >= 0) {
		struct stat sb;
		s->fd = openat_beneath(src->dir_fd, name, O_RDONLY | O_NOFOLLOW);
		if (s->fd < 0) {
			mew_error(err, errno, "%s: `%s`", src->ref->text, name);
			goto fail;
		}
		if (fstat(s->fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			mew_error(err, 0, "%s: `%s` is not a regular file", src->ref->text, name);
			goto fail;
		}
		posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		*out = s;
		return 0;
	}
	want = data_name(src, name);
	if (want == NULL) {
		mew_error(err, ENOENT, "%s: `%s` in `%s`", src->ref->text, name, src->file);
		goto fail;
	}
	s->ar = archive_open(src->file, err);
	if (s->ar == NULL)
		goto fail;
	while ((r = archive_read_next_header(s->ar, &e)) == ARCHIVE_OK)
		if (strcmp(clean_name(archive_entry_pathname(e)), want) == 0 &&
		    archive_entry_hardlink(e) == NULL)
			break;
	if (r != ARCHIVE_OK) {
		mew_error(err, 0, "%s: `%s` in `%s`: %s", src->ref->text, name, src->file,
			  r == ARCHIVE_EOF ? "not found" : archive_error_string(s->ar));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	image_stream_close(s);
	return -1;
}

ssize_t image_stream_read(struct image_stream *s, void *buf, size_t len)
{
	ssize_t n;

	if (s->fd >= 0) {
		do
			n = read(s->fd, buf, len);
		while (n < 0 && errno == EINTR);
		return n;
	}
	n = archive_read_data(s->ar, buf, len);
	if (n < 0)
		errno = archive_errno(s->ar) > 0 ? archive_errno(s->ar) : EIO;
	return n;
}

void image_stream_close(struct image_stream *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->ar != NULL)
		archive_read_free(s->ar);
	free(s);
}

int image_source_read(struct image_source *src, const char *name, size_t max, char **buf,
		      size_t *len, struct mew_error **err)
{
	struct image_stream *s;
	cleanup_free char *b = malloc(max + 1);
	size_t got = 0;
	ssize_t n;

	if (b == NULL)
		return mew_error(err, ENOMEM, "image");
	if (image_stream_open(src, name, &s, err) < 0)
		return -1;
	while ((n = image_stream_read(s, b + got, max + 1 - got)) > 0) {
		got += (size_t)n;
		if (got > max) {
			image_stream_close(s);
			return mew_error(err, EFBIG, "%s: `%s` is larger than %zu bytes", src->ref->text,
					 name, max);
		}
	}
	image_stream_close(s);
	if (n < 0)
		return mew_error(err, errno, "%s: read `%s`", src->ref->text, name);
	b[got] = '\0';
	*buf = steal_pointer(&b);
	if (len != NULL)
		*len = got;
	return 0;
}

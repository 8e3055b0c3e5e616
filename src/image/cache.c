/* The unpacked images, one directory per image digest, in the cache:
 *   $MEW_CACHE/images/sha256-<hex>/rootfs      the layers applied
 *   $MEW_CACHE/images/sha256-<hex>/image.json  digest, refs, size, the config
 *   $MEW_CACHE/images/sha256-<hex>/use.lock    shared-locked by each run
 *   $MEW_CACHE/images/sha256-<hex>/persisted   a --persist run wrote into it
 *   $MEW_CACHE/images/by-id/<config hex>       -> the entry (podman's image ID)
 *   $MEW_CACHE/images/tmp-<pid>-*              unpacks and exports under way
 * One unpack per image: the unpacker holds sha256-<hex>.lock, unpacks into a
 * tmp- directory and renames it into place; a second run waits for the lock
 * and finds the entry.  A lock dies with its process, and a tmp- directory
 * whose process is gone is removed by the next run. */
#include "image/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/strutil.h"

char *image_cache_dir(void)
{
	char *p = NULL;
	if (asprintf(&p, "%s/images", mew_cache_dir()) < 0)
		return NULL;
	return p;
}

int image_remove_dir(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* An unprivileged unpack keeps directory modes such as 0555. */
		if (geteuid() != 0)
			execlp("sh", "sh", "-c", "chmod -R u+rwx -- \"$1\" 2>/dev/null; exec rm -rf --one-file-system -- \"$1\"",
			       "sh", path, (char *)NULL);
		else
			execlp("rm", "rm", "-rf", "--one-file-system", "--", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* tmp-<pid>-... and run/<pid>-... of a process that is gone. */
static bool stale(const char *name, const char *prefix)
{
	long pid;
	char *end;

	if (!str_has_prefix(name, prefix))
		return false;
	pid = strtol(name + strlen(prefix), &end, 10);
	if (end == name + strlen(prefix) || *end != '-' || pid <= 0)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void clean_dir(const char *dir, const char *prefix)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		cleanup_free char *p = NULL;
		if (!stale(de->d_name, prefix) || asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			continue;
		mew_debug("image: removing `%s`, left by a run that is gone", p);
		image_remove_dir(p);
	}
}

void image_cache_clean_stale(void)
{
	cleanup_free char *cache = image_cache_dir(), *run = NULL;

	if (cache == NULL)
		return;
	clean_dir(cache, "tmp-");
	if (asprintf(&run, "%s/run", cache) >= 0)
		clean_dir(run, "");
}

static char *entry_path(const char *cache, const char *digest)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%.*s-%s", cache, (int)strcspn(digest, ":"), digest,
		     strchr(digest, ':') != NULL ? strchr(digest, ':') + 1 : digest) < 0)
		return NULL;
	return p;
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* image.json: what `mew images` lists and what a run needs of the config,
 * in the image config's own shape (architecture, config.Env...). */
static json_t *describe(const struct image *img, const struct image_ref *ref,
			const struct image_layer_stats *st)
{
	const struct image_config *c = &img->config;
	json_t *cfg = json_object();
	json_t *j = json_object();

	if (c->env != NULL)
		json_object_set_new(cfg, "Env", strv_json(c->env));
	if (c->entrypoint != NULL)
		json_object_set_new(cfg, "Entrypoint", strv_json(c->entrypoint));
	if (c->cmd != NULL)
		json_object_set_new(cfg, "Cmd", strv_json(c->cmd));
	if (c->workdir != NULL)
		json_object_set_new(cfg, "WorkingDir", json_string(c->workdir));
	if (c->user != NULL)
		json_object_set_new(cfg, "User", json_string(c->user));
	json_object_set_new(j, "digest", json_string(img->digest));
	json_object_set_new(j, "config_digest", json_string(img->config_digest));
	json_object_set_new(j, "refs", json_pack("[s]", ref->text));
	json_object_set_new(j, "layers", json_integer((json_int_t)img->nlayers));
	json_object_set_new(j, "size", json_integer((json_int_t)st->bytes));
	json_object_set_new(j, "files", json_integer((json_int_t)st->entries));
	json_object_set_new(j, "unpacked", json_integer((json_int_t)time(NULL)));
	json_object_set_new(j, "architecture", json_string(c->arch));
	json_object_set_new(j, "os", json_string("linux"));
	json_object_set_new(j, "config", cfg);
	return j;
}

static int write_json(const char *path, json_t *j, struct mew_error **err)
{
	cleanup_free char *tmp = NULL;

	if (asprintf(&tmp, "%s.%d", path, (int)getpid()) < 0)
		return mew_error(err, ENOMEM, "image cache");
	if (json_dump_file(j, tmp, JSON_INDENT(1)) < 0)
		return mew_error(err, errno, "write `%s`", tmp);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return mew_error(err, errno, "rename to `%s`", path);
	}
	return 0;
}

/* The entry at path, when complete: its config (and the ref noted). */
static int entry_load(const char *entry, const struct image_ref *ref, struct image_config *config)
{
	cleanup_free char *path = NULL, *buf = NULL;
	size_t len;
	json_t *j, *refs, *v;
	size_t i;
	bool known = false;

	if (asprintf(&path, "%s/image.json", entry) < 0 || file_read(path, &buf, &len, NULL) < 0)
		return -1;
	if (image_config_parse(buf, len, path, config, NULL) < 0)
		return -1;
	j = json_loadb(buf, len, 0, NULL);
	refs = json_object_get(j, "refs");
	json_array_foreach(refs, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), ref->text) == 0)
			known = true;
	if (!known && json_is_array(refs)) {
		json_array_append_new(refs, json_string(ref->text));
		write_json(path, j, NULL);
	}
	json_decref(j);
	return 0;
}

static int lock_file(const char *path, int op, struct mew_error **err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return mew_error(err, errno, "open `%s`", path);
	if ((op & LOCK_NB) == 0 && flock(fd, op | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		if (op & LOCK_EX)
			fprintf(stderr, "mew: image: waiting for another mew unpacking the same image\n");
	} else if ((op & LOCK_NB) == 0) {
		return fd;
	}
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		close(fd);
		return (op & LOCK_NB) ? -1 : mew_error(err, errno, "lock `%s`", path);
	}
	return fd;
}

/* Take the entry into use: a shared lock on use.lock, then make sure it
 * was not pruned meanwhile. */
static int use(const char *entry, int *use_fd)
{
	cleanup_free char *lock = NULL, *json = NULL;
	int fd;

	if (asprintf(&lock, "%s/use.lock", entry) < 0 || asprintf(&json, "%s/image.json", entry) < 0)
		return -1;
	fd = lock_file(lock, LOCK_SH, NULL);
	if (fd < 0)
		return -1;
	if (!file_exists(json)) {
		close(fd);
		return -1;
	}
	*use_fd = fd;
	return 0;
}

static int link_id(const char *cache, const char *entry, const char *config_digest)
{
	cleanup_free char *dir = NULL, *link = NULL, *target = NULL;

	if (config_digest == NULL || strchr(config_digest, ':') == NULL)
		return 0;
	if (asprintf(&dir, "%s/by-id", cache) < 0 ||
	    asprintf(&link, "%s/%s", dir, strchr(config_digest, ':') + 1) < 0 ||
	    asprintf(&target, "../%s", strrchr(entry, '/') + 1) < 0)
		return -1;
	mkdir(dir, 0755);
	unlink(link);
	return symlink(target, link);
}

static int unpack(const char *cache, const char *entry, struct image_source *src,
		  const struct image_ref *ref, const struct image *img, struct mew_error **err)
{
	cleanup_free char *tmp = NULL, *rootfs = NULL, *json = NULL, *use_lock = NULL;
	struct image_layer_stats st = { 0 };
	json_t *j;
	int r;

	if (asprintf(&tmp, "%s/tmp-%d-unpack.XXXXXX", cache, (int)getpid()) < 0)
		return mew_error(err, ENOMEM, "image cache");
	if (mkdtemp(tmp) == NULL)
		return mew_error(err, errno, "mkdtemp `%s`", tmp);
	if (asprintf(&rootfs, "%s/rootfs", tmp) < 0 || asprintf(&json, "%s/image.json", tmp) < 0 ||
	    asprintf(&use_lock, "%s/use.lock", tmp) < 0) {
		r = mew_error(err, ENOMEM, "image cache");
		goto out;
	}
	chmod(tmp, 0755);
	if (mkdir(rootfs, 0755) < 0) {
		r = mew_error(err, errno, "mkdir `%s`", rootfs);
		goto out;
	}
	fprintf(stderr, "mew: image: unpacking %s (%s, %zu layers)\n", ref->text, img->digest,
		img->nlayers);
	r = image_unpack(src, img, rootfs, &st, err);
	if (r < 0)
		goto out;
	j = describe(img, ref, &st);
	r = write_json(json, j, err);
	json_decref(j);
	if (r < 0)
		goto out;
	r = file_touch(use_lock, 0644, err);
	if (r == 0 && rename(tmp, entry) < 0) {
		/* Another mew finished the same unpack first (it held a lock
		 * file prune had just removed): theirs is as good. */
		if ((errno == ENOTEMPTY || errno == EEXIST) && file_exists(entry)) {
			image_remove_dir(tmp);
			return 0;
		}
		r = mew_error(err, errno, "rename `%s` to `%s`", tmp, entry);
	}
	if (r == 0)
		link_id(cache, entry, img->config_digest);
out:
	if (r < 0)
		image_remove_dir(tmp);
	return r;
}

int image_cache_get(const struct image_ref *ref, const char *arch, char **entry_out,
		    struct image_config *config, int *use_fd, struct mew_error **err)
{
	cleanup_free char *cache = image_cache_dir(), *entry = NULL, *lockpath = NULL, *id = NULL;
	struct image_source *src = NULL;
	struct image img = { 0 };
	int lock = -1, r = -1;

	if (cache == NULL)
		return mew_error(err, ENOMEM, "image cache");
	if (file_mkdir_p(cache, 0755, err) < 0)
		return -1;
	image_cache_clean_stale();
	if (image_source_open(ref, &src, err) < 0)
		return -1;
	/* podman's store: its image ID finds an unpack without an export. */
	id = image_source_id(src);
	if (id == NULL && ref->transport == IMAGE_CONTAINERS_STORAGE) {
		mew_error(err, 0, "%s: podman image inspect found no such image in podman's store (see podman images)",
			  ref->text);
		image_source_close(src);
		return -1;
	}
	if (id != NULL && asprintf(&entry, "%s/by-id/%s", cache, strchr(id, ':') + 1) >= 0) {
		char real[4096];
		if (realpath(entry, real) != NULL && entry_load(real, ref, config) == 0 &&
		    (arch == NULL || strcmp(config->arch, arch) == 0) && use(real, use_fd) == 0) {
			*entry_out = strdup(real);
			image_source_close(src);
			return 0;
		}
		image_config_free(config);
	}
	free(entry);
	entry = NULL;
	if (image_load(src, ref, arch, &img, err) < 0)
		goto out;
	entry = entry_path(cache, img.digest);
	if (entry == NULL || asprintf(&lockpath, "%s.lock", entry) < 0) {
		mew_error(err, ENOMEM, "image cache");
		goto out;
	}
	for (int tries = 0; tries < 3; tries++) {
		if (entry_load(entry, ref, config) == 0) {
			if (use(entry, use_fd) == 0) {
				r = 0;
				break;
			}
			image_config_free(config);
		}
		if (lock < 0 && (lock = lock_file(lockpath, LOCK_EX, err)) < 0)
			break;
		if (file_exists(entry) && entry_load(entry, ref, config) == 0) {
			image_config_free(config);
			continue; /* unpacked by the run we waited for */
		}
		if (file_exists(entry))
			image_remove_dir(entry); /* incomplete: no image.json */
		if (unpack(cache, entry, src, ref, &img, err) < 0)
			break;
	}
	if (r < 0 && (err == NULL || *err == NULL))
		mew_error(err, 0, "image cache: `%s` could not be taken into use", entry);
out:
	if (lock >= 0)
		close(lock);
	if (r == 0)
		*entry_out = steal_pointer(&entry);
	image_free(&img);
	image_source_close(src);
	return r;
}

struct listed {
	char *name;
	json_t *j;
	bool in_use, persisted;
};

static int list_entries(const char *cache, struct listed **out, size_t *n)
{
	cleanup_dir DIR *d = opendir(cache);
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		cleanup_free char *json = NULL, *lock = NULL, *pers = NULL;
		struct listed *l;
		int fd;

		if (!str_has_prefix(de->d_name, "sha256-") && !str_has_prefix(de->d_name, "sha512-"))
			continue;
		if (strchr(de->d_name, '.') != NULL)
			continue; /* the unpack locks */
		if (*n == cap) {
			struct listed *nl = realloc(*out, (cap = cap * 2 + 8) * sizeof(*nl));
			if (nl == NULL)
				return -1;
			*out = nl;
		}
		l = &(*out)[(*n)++];
		memset(l, 0, sizeof(*l));
		l->name = strdup(de->d_name);
		if (asprintf(&json, "%s/%s/image.json", cache, de->d_name) >= 0)
			l->j = json_load_file(json, 0, NULL);
		if (asprintf(&lock, "%s/%s/use.lock", cache, de->d_name) >= 0) {
			fd = open(lock, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				l->in_use = flock(fd, LOCK_EX | LOCK_NB) < 0;
				close(fd);
			}
		}
		if (asprintf(&pers, "%s/%s/persisted", cache, de->d_name) >= 0)
			l->persisted = file_exists(pers);
	}
	return 0;
}

static void free_listed(struct listed *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].name);
		json_decref(l[i].j);
	}
	free(l);
}

static void human(char *buf, size_t len, double bytes)
{
	const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

int image_cache_list(FILE *out, struct mew_error **err)
{
	cleanup_free char *cache = image_cache_dir();
	struct listed *l;
	size_t n;

	if (cache == NULL || list_entries(cache, &l, &n) < 0)
		return mew_error(err, ENOMEM, "image cache");
	fprintf(out, "%-19s %-6s %10s %7s %-9s %s\n", "DIGEST", "ARCH", "SIZE", "LAYERS", "STATE", "REFS");
	for (size_t i = 0; i < n; i++) {
		char size[32], refs[1024] = "";
		json_t *r, *v;
		size_t k;
		human(size, sizeof(size), (double)json_integer_value(json_object_get(l[i].j, "size")));
		r = json_object_get(l[i].j, "refs");
		json_array_foreach(r, k, v)
			snprintf(refs + strlen(refs), sizeof(refs) - strlen(refs), "%s%s", k > 0 ? " " : "",
				 json_string_value(v));
		fprintf(out, "%-19.19s %-6s %10s %7lld %-9s %s\n", l[i].name,
			l[i].j != NULL ? json_string_value(json_object_get(l[i].j, "architecture")) : "?",
			l[i].j != NULL ? size : "?",
			(long long)json_integer_value(json_object_get(l[i].j, "layers")),
			l[i].j == NULL ? "broken" : l[i].in_use ? "in-use" : l[i].persisted ? "persisted" : "-",
			refs);
	}
	free_listed(l, n);
	fprintf(out, "(cache: %s)\n", cache);
	return 0;
}

int image_cache_prune(bool all, FILE *out, struct mew_error **err)
{
	cleanup_free char *cache = image_cache_dir();
	struct listed *l;
	size_t n;
	unsigned removed = 0;
	double freed = 0;
	char size[32];

	if (cache == NULL || list_entries(cache, &l, &n) < 0)
		return mew_error(err, ENOMEM, "image cache");
	image_cache_clean_stale();
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *entry = NULL, *lock = NULL, *gone = NULL;
		int fd;

		if (l[i].persisted && !all) {
			fprintf(out, "kept %s: a --persist run wrote into it (prune --all removes it)\n", l[i].name);
			continue;
		}
		if (asprintf(&entry, "%s/%s", cache, l[i].name) < 0 ||
		    asprintf(&lock, "%s/use.lock", entry) < 0 ||
		    asprintf(&gone, "%s/tmp-%d-prune-%s", cache, (int)getpid(), l[i].name) < 0)
			break;
		/* In use: a run holds it shared; holding it exclusive, move the
		 * entry away so that no new run finds it, then remove it. */
		fd = lock_file(lock, LOCK_EX | LOCK_NB, NULL);
		if (fd < 0 && file_exists(lock)) {
			fprintf(out, "kept %s: in use by a run\n", l[i].name);
			continue;
		}
		if (rename(entry, gone) == 0) {
			freed += (double)json_integer_value(json_object_get(l[i].j, "size"));
			image_remove_dir(gone);
			removed++;
			fprintf(out, "removed %s\n", l[i].name);
		}
		if (fd >= 0)
			close(fd);
	}
	free_listed(l, n);
	/* unpack locks no unpack holds, and by-id links whose entry is gone */
	{
		cleanup_dir DIR *d = opendir(cache);
		struct dirent *de;
		while (d != NULL && (de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			int fd;
			if (len < 5 || strcmp(de->d_name + len - 5, ".lock") != 0)
				continue;
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
			if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
				unlinkat(dirfd(d), de->d_name, 0);
			if (fd >= 0)
				close(fd);
		}
	}
	{
		cleanup_free char *byid = NULL;
		cleanup_dir DIR *d = NULL;
		struct dirent *de;
		if (asprintf(&byid, "%s/by-id", cache) >= 0 && (d = opendir(byid)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				struct stat sb;
				if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &sb, 0) < 0)
					unlinkat(dirfd(d), de->d_name, 0);
			}
		}
	}
	human(size, sizeof(size), freed);
	fprintf(out, "%u images removed, %s freed\n", removed, size);
	return 0;
}

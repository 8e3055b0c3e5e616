/* What an image's config supplies to a run, as `podman run` takes it: the
 * command is Entrypoint followed by the given command or else Cmd; Env
 * under what -e sets; WorkingDir unless -w; User unless -u, names resolved
 * in the image's own /etc/passwd and /etc/group (read beneath the rootfs). */
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/strutil.h"

/* The image's /etc/FILE, symlinks resolved inside the rootfs. */
static FILE *open_etc(const char *rootfs, const char *file)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	cleanup_close int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (root < 0)
		return NULL;
	fd = (int)syscall(SYS_openat2, root, file, &how, sizeof(how));
	return fd >= 0 ? fdopen(fd, "r") : NULL;
}

/* name -> id (and the passwd entry's group) from a passwd or group file. */
static int lookup(const char *rootfs, const char *file, const char *name, uint32_t *id,
		  uint32_t *gid)
{
	cleanup_fclose FILE *f = open_etc(rootfs, file);
	char line[1024];

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *save, *n = strtok_r(line, ":", &save), *x, *u, *g;
		int64_t v;
		if (n == NULL || strcmp(n, name) != 0)
			continue;
		x = strtok_r(NULL, ":", &save);
		u = strtok_r(NULL, ":", &save);
		g = strtok_r(NULL, ":", &save);
		(void)x;
		if (u == NULL || parse_int(u, 0, 0xfffffffe, &v) < 0)
			return -1;
		*id = (uint32_t)v;
		if (gid != NULL && g != NULL && parse_int(g, 0, 0xfffffffe, &v) == 0)
			*gid = (uint32_t)v;
		return 0;
	}
	return -1;
}

/* The primary group of a numeric uid, from passwd. */
static void group_of(const char *rootfs, uint32_t uid, uint32_t *gid)
{
	cleanup_fclose FILE *f = open_etc(rootfs, "/etc/passwd");
	char line[1024];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *save, *u, *g;
		int64_t v;
		strtok_r(line, ":", &save);
		strtok_r(NULL, ":", &save);
		u = strtok_r(NULL, ":", &save);
		g = strtok_r(NULL, ":", &save);
		if (u != NULL && g != NULL && parse_int(u, 0, 0xfffffffe, &v) == 0 && v == uid &&
		    parse_int(g, 0, 0xfffffffe, &v) == 0) {
			*gid = (uint32_t)v;
			return;
		}
	}
}

static int user(const char *value, const char *rootfs, struct spec *spec, struct mew_error **err)
{
	cleanup_free char *copy = strdup(value);
	char *group;
	uint32_t uid, gid = 0;
	int64_t v;

	if (copy == NULL)
		return mew_error(err, ENOMEM, "image");
	group = strchr(copy, ':');
	if (group != NULL)
		*group++ = '\0';
	if (parse_int(copy, 0, 0xfffffffe, &v) == 0) {
		uid = (uint32_t)v;
		group_of(rootfs, uid, &gid);
	} else if (lookup(rootfs, "/etc/passwd", copy, &uid, &gid) < 0) {
		return mew_error(err, 0, "image config: User `%s`: no user `%s` in the image's /etc/passwd",
				 value, copy);
	}
	if (group != NULL) {
		if (parse_int(group, 0, 0xfffffffe, &v) == 0)
			gid = (uint32_t)v;
		else if (lookup(rootfs, "/etc/group", group, &gid, NULL) < 0)
			return mew_error(err, 0, "image config: User `%s`: no group `%s` in the image's /etc/group",
					 value, group);
	}
	spec->user_set = true;
	spec->uid = uid;
	spec->gid = gid;
	return 0;
}

/* An Env entry unless -e set the name: a value that is not spec_init's
 * default was given on the command line. */
static int env(struct spec *spec, const char *kv)
{
	static const char *const defaults[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
	};
	size_t n = strcspn(kv, "=");
	cleanup_free char *name = strndup(kv, n);
	const char *cur = name != NULL ? spec_getenv(spec, name) : NULL;

	if (name == NULL || kv[n] != '=')
		return 0;
	if (cur != NULL) {
		bool is_default = false;
		for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
			if (strncmp(defaults[i], kv, n + 1) == 0 && strcmp(defaults[i] + n + 1, cur) == 0)
				is_default = true;
		if (!is_default)
			return 0;
	}
	return spec_setenv(spec, kv);
}

int image_config_apply(const struct image_config *c, const char *rootfs, struct spec *spec,
		       struct mew_error **err)
{
	char **argv = NULL;

	for (size_t i = 0; c->entrypoint != NULL && c->entrypoint[i] != NULL; i++)
		if (strv_push(&argv, c->entrypoint[i]) < 0)
			goto nomem;
	{
		char *const *rest = spec->argv != NULL && spec->argv[0] != NULL ? spec->argv : c->cmd;
		for (size_t i = 0; rest != NULL && rest[i] != NULL; i++)
			if (strv_push(&argv, rest[i]) < 0)
				goto nomem;
	}
	if (argv == NULL)
		return mew_error(err, 0, "no command given, and the image's config has no Entrypoint or Cmd");
	strv_free(spec->argv);
	spec->argv = argv;
	for (size_t i = 0; c->env != NULL && c->env[i] != NULL; i++)
		if (env(spec, c->env[i]) < 0)
			return mew_error(err, ENOMEM, "image");
	if (spec->cwd == NULL && c->workdir != NULL) {
		if (asprintf(&spec->cwd, "%s%s", c->workdir[0] == '/' ? "" : "/", c->workdir) < 0) {
			spec->cwd = NULL;
			return mew_error(err, ENOMEM, "image");
		}
	}
	if (!spec->user_set && c->user != NULL && user(c->user, rootfs, spec, err) < 0)
		return -1;
	return 0;
nomem:
	strv_free(argv);
	return mew_error(err, ENOMEM, "image");
}

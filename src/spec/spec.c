#include "spec/spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/paths.h"
#include "base/strutil.h"

static const char *const default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root",
	NULL,
};

void spec_init(struct spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->env = strv_dup((char *const *)default_env);
	spec->net = SPEC_NET_NONE;
}

void spec_free(struct spec *spec)
{
	free(spec->engine);
	free(spec->rootfs);
	free(spec->image);
	free(spec->arch);
	strv_free(spec->argv);
	strv_free(spec->env);
	free(spec->cwd);
	free(spec->groups);
	free(spec->hostname);
	for (size_t i = 0; i < spec->nmounts; i++) {
		free(spec->mounts[i].type);
		free(spec->mounts[i].source);
		free(spec->mounts[i].destination);
		strv_free(spec->mounts[i].options);
	}
	free(spec->mounts);
	free(spec->vm.kernel);
	free(spec->vm.initrd);
	free(spec->vm.cmdline);
	free(spec->vm.disk);
	free(spec->vm.vsock_uds);
	spec_oci_free(spec->oci);
	memset(spec, 0, sizeof(*spec));
}

int spec_add_mount(struct spec *spec, const char *type, const char *source,
		   const char *destination, char *const *options)
{
	struct spec_mount *m = realloc(spec->mounts, (spec->nmounts + 1) * sizeof(*m));
	if (m == NULL)
		return -1;
	spec->mounts = m;
	m = &spec->mounts[spec->nmounts++];
	m->type = strdup(type);
	m->source = source != NULL ? strdup(source) : NULL;
	m->destination = strdup(destination);
	m->options = strv_dup(options);
	return 0;
}

int spec_setenv(struct spec *spec, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t n = eq != NULL ? (size_t)(eq - kv) : strlen(kv);

	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++) {
		if (strncmp(spec->env[i], kv, n) == 0 && spec->env[i][n] == '=') {
			char *dup = strdup(kv);
			if (dup == NULL)
				return -1;
			free(spec->env[i]);
			spec->env[i] = dup;
			return 0;
		}
	}
	return strv_push(&spec->env, kv);
}

const char *spec_getenv(const struct spec *spec, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++)
		if (strncmp(spec->env[i], name, n) == 0 && spec->env[i][n] == '=')
			return spec->env[i] + n + 1;
	return NULL;
}

int spec_validate(const struct spec *spec, struct mew_error **err)
{
	struct stat sb;

	if (spec->rootfs == NULL)
		return mew_error(err, 0, "rootfs: not set");
	if (stat(spec->rootfs, &sb) < 0)
		return mew_error(err, errno, "rootfs `%s`", spec->rootfs);
	if (!S_ISDIR(sb.st_mode))
		return mew_error(err, ENOTDIR, "rootfs `%s`", spec->rootfs);
	if (spec->argv == NULL || spec->argv[0] == NULL)
		return mew_error(err, 0, "no command given");
	if (spec->argv[0][0] == '\0')
		return mew_error(err, 0, "command: empty name");
	if (spec->cwd != NULL && spec->cwd[0] != '/')
		return mew_error(err, 0, "workdir `%s`: not an absolute path", spec->cwd);
	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++)
		if (strchr(spec->env[i], '=') == NULL || spec->env[i][0] == '=')
			return mew_error(err, 0, "env `%s`: expected NAME=VALUE", spec->env[i]);
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		if (m->destination == NULL || m->destination[0] != '/')
			return mew_error(err, 0, "mount destination `%s`: not an absolute path",
					 m->destination != NULL ? m->destination : "");
		if (strcmp(m->type, "bind") == 0) {
			if (m->source == NULL || m->source[0] == '\0')
				return mew_error(err, 0, "mount `%s`: bind without a source", m->destination);
			if (stat(m->source, &sb) < 0)
				return mew_error(err, errno, "volume source `%s`", m->source);
		}
	}
	if (spec->limits.memory < 0 || spec->limits.pids < 0 || spec->limits.cpus < 0)
		return mew_error(err, 0, "limits: negative value");
	return 0;
}

const char *spec_arch_name(const char *arch)
{
	if (arch == NULL)
		return NULL;
	if (strcmp(arch, "x86_64") == 0 || strcmp(arch, "x86-64") == 0 || strcmp(arch, "amd64") == 0)
		return "amd64";
	if (strcmp(arch, "aarch64") == 0 || strcmp(arch, "arm64") == 0)
		return "arm64";
	return NULL;
}

const char *spec_host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#else
	return "unknown";
#endif
}

char *spec_default_rootfs(const char *arch)
{
	char *path = NULL;
	const char *a = spec_arch_name(arch != NULL ? arch : spec_host_arch());

	if (a == NULL)
		a = "unknown";
	if (asprintf(&path, "%s/rootfs/busybox-%s", mew_cache_dir(), a) < 0)
		return NULL;
	/* An ordinary user without a cache of their own uses the one root built. */
	if (access(path, F_OK) < 0 && geteuid() != 0) {
		char *shared = NULL;
		if (asprintf(&shared, "/var/cache/mew/rootfs/busybox-%s", a) >= 0 &&
		    access(shared, F_OK) == 0) {
			free(path);
			return shared;
		}
		free(shared);
	}
	return path;
}

/* OCI runtime-spec 1.x config.json -> struct spec: the same spec `mew run`
 * flags build, with what only config.json can say in spec->oci.  Every error
 * names the JSON path and the offending value. */
#include "spec/spec.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strutil.h"

struct ctx {
	const char *file; /* "config.json", "process.json" */
	char path[512];	  /* the JSON path being read: "linux.resources.memory" */
	size_t len;
	struct mew_error **err;
};

static size_t push_key(struct ctx *c, const char *key)
{
	size_t old = c->len;
	int n = snprintf(c->path + c->len, sizeof(c->path) - c->len, "%s%s",
			 c->len > 0 ? "." : "", key);
	if (n > 0)
		c->len = c->len + (size_t)n < sizeof(c->path) ? c->len + (size_t)n : sizeof(c->path) - 1;
	return old;
}

static size_t push_index(struct ctx *c, size_t i)
{
	size_t old = c->len;
	int n = snprintf(c->path + c->len, sizeof(c->path) - c->len, "[%zu]", i);
	if (n > 0)
		c->len = c->len + (size_t)n < sizeof(c->path) ? c->len + (size_t)n : sizeof(c->path) - 1;
	return old;
}

static void pop(struct ctx *c, size_t old)
{
	c->len = old;
	c->path[old] = '\0';
}

static const char *here(struct ctx *c)
{
	return c->len > 0 ? c->path : "(top level)";
}

/* "expected X, got V" with V as compact JSON, shortened when long. */
static int bad(struct ctx *c, json_t *v, const char *expected)
{
	cleanup_free char *dump = v != NULL ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	if (dump != NULL && strlen(dump) > 64)
		strcpy(dump + 60, "...");
	return mew_error(c->err, 0, "%s: %s: expected %s, got %s", c->file, here(c), expected,
			 dump != NULL ? dump : "nothing");
}

static int fail(struct ctx *c, const char *fmt, const char *value)
{
	char why[256];
	snprintf(why, sizeof(why), fmt, value);
	return mew_error(c->err, 0, "%s: %s: %s", c->file, here(c), why);
}

static int missing(struct ctx *c, const char *key)
{
	size_t old = push_key(c, key);
	mew_error(c->err, 0, "%s: %s: missing", c->file, here(c));
	pop(c, old);
	return -1;
}

static int oom(struct ctx *c)
{
	return mew_error(c->err, ENOMEM, "%s: %s", c->file, here(c));
}

/* The member key of obj if present and not null, else NULL. */
static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v != NULL && !json_is_null(v) ? v : NULL;
}

/* Typed readers: each takes the parent object and a key, returns 0 when the
 * key is absent (out untouched) or read, 1 in *present when it was there, and
 * -1 with the path and value named when the type or range is wrong. */

static int read_object(struct ctx *c, json_t *obj, const char *key, json_t **out)
{
	json_t *v = member(obj, key);
	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_object(v)) {
		size_t old = push_key(c, key);
		bad(c, v, "an object");
		pop(c, old);
		return -1;
	}
	*out = v;
	return 0;
}

static int read_array(struct ctx *c, json_t *obj, const char *key, json_t **out)
{
	json_t *v = member(obj, key);
	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_array(v)) {
		size_t old = push_key(c, key);
		bad(c, v, "an array");
		pop(c, old);
		return -1;
	}
	*out = v;
	return 0;
}

static int check_string(struct ctx *c, json_t *v, char **out)
{
	if (!json_is_string(v))
		return bad(c, v, "a string");
	char *s = strdup(json_string_value(v));
	if (s == NULL)
		return oom(c);
	free(*out);
	*out = s;
	return 0;
}

static int read_string(struct ctx *c, json_t *obj, const char *key, char **out)
{
	json_t *v = member(obj, key);
	if (v == NULL)
		return 0;
	size_t old = push_key(c, key);
	int r = check_string(c, v, out);
	pop(c, old);
	return r;
}

static int read_bool(struct ctx *c, json_t *obj, const char *key, bool *out)
{
	json_t *v = member(obj, key);
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		size_t old = push_key(c, key);
		bad(c, v, "true or false");
		pop(c, old);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

static int check_int(struct ctx *c, json_t *v, int64_t min, int64_t max, int64_t *out)
{
	char what[96];

	if (min == 0 && max == INT64_MAX)
		snprintf(what, sizeof(what), "a non-negative integer");
	else
		snprintf(what, sizeof(what), "an integer in [%" PRId64 ", %" PRId64 "]", min, max);
	/* A string or a real gets the plain word: the type is what is wrong. */
	if (!json_is_integer(v))
		return bad(c, v, min == 0 && max == INT64_MAX ? what : "an integer");
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return bad(c, v, what);
	*out = n;
	return 0;
}

static int read_int(struct ctx *c, json_t *obj, const char *key, int64_t min, int64_t max,
		    int64_t *out, bool *present)
{
	json_t *v = member(obj, key);
	if (present != NULL)
		*present = false;
	if (v == NULL)
		return 0;
	size_t old = push_key(c, key);
	int r = check_int(c, v, min, max, out);
	pop(c, old);
	if (r == 0 && present != NULL)
		*present = true;
	return r;
}

/* An array of strings -> a NULL-terminated vector (an empty array gives an
 * empty vector, not NULL, so "given and empty" differs from "absent"). */
static int read_strv(struct ctx *c, json_t *obj, const char *key, char ***out)
{
	json_t *arr, *v;
	size_t i, old;
	char **vec;

	if (read_array(c, obj, key, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	vec = calloc(json_array_size(arr) + 1, sizeof(char *));
	if (vec == NULL)
		return oom(c);
	old = push_key(c, key);
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i);
		if (check_string(c, v, &vec[i]) < 0) {
			strv_free(vec);
			return -1;
		}
		pop(c, o);
	}
	pop(c, old);
	strv_free(*out);
	*out = vec;
	return 0;
}

/* A string naming one of table's entries -> its index. */
static int check_name(struct ctx *c, json_t *v, const char *const *names, size_t n, const char *what)
{
	if (json_is_string(v))
		for (size_t i = 0; i < n; i++)
			if (names[i] != NULL && strcmp(json_string_value(v), names[i]) == 0)
				return (int)i;
	return bad(c, v, what);
}

/* ---- process ---- */

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static int read_capset(struct ctx *c, json_t *obj, const char *key, uint64_t *mask)
{
	json_t *arr, *v;
	size_t i, old;

	if (read_array(c, obj, key, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	old = push_key(c, key);
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i), k;
		if (!json_is_string(v) || !str_has_prefix(json_string_value(v), "CAP_"))
			return bad(c, v, "a capability name like \"CAP_CHOWN\"");
		for (k = 0; k < ARRAY_SIZE(cap_names); k++)
			if (strcmp(json_string_value(v), cap_names[k]) == 0)
				break;
		/* A capability newer than this table is skipped, as runc does. */
		if (k < ARRAY_SIZE(cap_names))
			*mask |= 1ULL << k;
		else
			mew_debug("%s: %s: unknown capability `%s` ignored", c->file, here(c),
				  json_string_value(v));
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },	    { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },	    { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },	    { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

/* An unsigned 64-bit value: JSON integers are signed 64-bit in jansson, so
 * RLIM_INFINITY arrives as -1 or as a large positive real. */
static int check_u64(struct ctx *c, json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		if (n < -1)
			return bad(c, v, "a non-negative integer");
		*out = n == -1 ? UINT64_MAX : (uint64_t)n;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d >= 9223372036854775808.0 && d <= 18446744073709551615.0 && d == (double)(uint64_t)d) {
			*out = d >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)d;
			return 0;
		}
	}
	return bad(c, v, "an integer");
}

static int read_rlimits(struct ctx *c, json_t *proc, struct spec_oci *oci)
{
	json_t *arr, *v;
	size_t i, old;

	if (read_array(c, proc, "rlimits", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	free(oci->rlimits);
	oci->nrlimits = 0;
	oci->rlimits = calloc(json_array_size(arr) + 1, sizeof(*oci->rlimits));
	if (oci->rlimits == NULL)
		return oom(c);
	old = push_key(c, "rlimits");
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i), k, o2;
		struct spec_rlimit *rl = &oci->rlimits[i];
		json_t *t, *n;

		if (!json_is_object(v))
			return bad(c, v, "an object");
		t = member(v, "type");
		if (t == NULL)
			return missing(c, "type");
		o2 = push_key(c, "type");
		for (k = 0; k < ARRAY_SIZE(rlimit_names); k++)
			if (json_is_string(t) && strcmp(json_string_value(t), rlimit_names[k].name) == 0)
				break;
		if (k == ARRAY_SIZE(rlimit_names))
			return bad(c, t, "an RLIMIT_* name");
		pop(c, o2);
		rl->resource = rlimit_names[k].resource;
		for (size_t j = 0; j < i; j++)
			if (oci->rlimits[j].resource == rl->resource)
				return fail(c, "%s given twice", rlimit_names[k].name);
		if ((n = member(v, "soft")) == NULL)
			return missing(c, "soft");
		o2 = push_key(c, "soft");
		if (check_u64(c, n, &rl->soft) < 0)
			return -1;
		pop(c, o2);
		if ((n = member(v, "hard")) == NULL)
			return missing(c, "hard");
		o2 = push_key(c, "hard");
		if (check_u64(c, n, &rl->hard) < 0)
			return -1;
		pop(c, o2);
		if (rl->soft > rl->hard)
			return fail(c, "soft limit above the hard limit%s", "");
		oci->nrlimits++;
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_user(struct ctx *c, json_t *proc, struct spec *spec)
{
	json_t *user, *arr, *v;
	int64_t n;
	bool present;
	size_t i, old;

	if (read_object(c, proc, "user", &user) < 0)
		return -1;
	if (user == NULL)
		return 0;
	old = push_key(c, "user");
	if (read_int(c, user, "uid", 0, UINT32_MAX - 1, &n, &present) < 0)
		return -1;
	spec->uid = present ? (uid_t)n : 0;
	if (read_int(c, user, "gid", 0, UINT32_MAX - 1, &n, &present) < 0)
		return -1;
	spec->gid = present ? (gid_t)n : 0;
	spec->user_set = true;
	if (read_int(c, user, "umask", 0, 0777, &n, &spec->oci->umask_set) < 0)
		return -1;
	spec->oci->umask = (mode_t)n;
	if (read_array(c, user, "additionalGids", &arr) < 0)
		return -1;
	if (arr != NULL) {
		size_t o = push_key(c, "additionalGids");
		free(spec->groups);
		spec->ngroups = 0;
		spec->groups = calloc(json_array_size(arr) + 1, sizeof(gid_t));
		if (spec->groups == NULL)
			return oom(c);
		json_array_foreach (arr, i, v) {
			size_t o2 = push_index(c, i);
			if (check_int(c, v, 0, UINT32_MAX - 1, &n) < 0)
				return -1;
			spec->groups[spec->ngroups++] = (gid_t)n;
			pop(c, o2);
		}
		pop(c, o);
	}
	/* user.username is for Windows; nothing to do with it here. */
	pop(c, old);
	return 0;
}

/* "" is what Go's omitempty leaves out: the same as absent. */
static void empty_is_none(char **s)
{
	if (*s != NULL && (*s)[0] == '\0') {
		free(*s);
		*s = NULL;
	}
}

static int read_process(struct ctx *c, json_t *proc, struct spec *spec)
{
	struct spec_oci *oci = spec->oci;
	json_t *caps, *size;
	char **env = NULL;
	int64_t n;
	bool present;

	if (read_strv(c, proc, "args", &spec->argv) < 0)
		return -1;
	if (spec->argv == NULL)
		return missing(c, "args");
	if (spec->argv[0] == NULL) {
		size_t o = push_key(c, "args");
		bad(c, member(proc, "args"), "a command");
		pop(c, o);
		return -1;
	}
	if (read_strv(c, proc, "env", &env) < 0)
		return -1;
	if (env != NULL) {
		for (size_t i = 0; env[i] != NULL; i++) {
			if (strchr(env[i], '=') == NULL || env[i][0] == '=') {
				size_t o = push_key(c, "env"), o2 = push_index(c, i);
				bad(c, json_array_get(member(proc, "env"), i), "NAME=VALUE");
				pop(c, o2);
				pop(c, o);
				strv_free(env);
				return -1;
			}
		}
		strv_free(spec->env);
		spec->env = env;
	}
	if (read_string(c, proc, "cwd", &spec->cwd) < 0)
		return -1;
	if (spec->cwd != NULL && spec->cwd[0] != '/') {
		size_t o = push_key(c, "cwd");
		bad(c, member(proc, "cwd"), "an absolute path");
		pop(c, o);
		return -1;
	}
	if (read_bool(c, proc, "terminal", &spec->tty) < 0)
		return -1;
	/* stdin is whatever the caller passes: keep it open. */
	spec->interactive = true;
	if (read_object(c, proc, "consoleSize", &size) < 0)
		return -1;
	if (size != NULL) {
		size_t o = push_key(c, "consoleSize");
		if (read_int(c, size, "height", 0, UINT16_MAX, &n, NULL) < 0)
			return -1;
		oci->console_height = (unsigned)n;
		n = 0;
		if (read_int(c, size, "width", 0, UINT16_MAX, &n, NULL) < 0)
			return -1;
		oci->console_width = (unsigned)n;
		pop(c, o);
	}
	if (read_user(c, proc, spec) < 0)
		return -1;
	if (read_object(c, proc, "capabilities", &caps) < 0)
		return -1;
	if (caps != NULL) {
		size_t o = push_key(c, "capabilities");
		memset(&oci->caps, 0, sizeof(oci->caps));
		oci->caps.set = true;
		if (read_capset(c, caps, "bounding", &oci->caps.bounding) < 0 ||
		    read_capset(c, caps, "effective", &oci->caps.effective) < 0 ||
		    read_capset(c, caps, "inheritable", &oci->caps.inheritable) < 0 ||
		    read_capset(c, caps, "permitted", &oci->caps.permitted) < 0 ||
		    read_capset(c, caps, "ambient", &oci->caps.ambient) < 0)
			return -1;
		pop(c, o);
	}
	if (read_rlimits(c, proc, oci) < 0)
		return -1;
	if (read_bool(c, proc, "noNewPrivileges", &oci->no_new_privileges) < 0)
		return -1;
	if (read_int(c, proc, "oomScoreAdj", -1000, 1000, &n, &present) < 0)
		return -1;
	if (present) {
		oci->oom_score_adj_set = true;
		oci->oom_score_adj = (int)n;
	}
	/* Applied or refused by the engine (container/lsm_oci.c). */
	if (read_string(c, proc, "apparmorProfile", &oci->apparmor_profile) < 0 ||
	    read_string(c, proc, "selinuxLabel", &oci->selinux_label) < 0)
		return -1;
	empty_is_none(&oci->apparmor_profile);
	empty_is_none(&oci->selinux_label);
	return 0;
}

/* ---- root, mounts, hooks ---- */

static char *join_bundle(const char *bundle, const char *path)
{
	char *out = NULL;
	if (path[0] == '/' || bundle == NULL)
		return strdup(path);
	if (asprintf(&out, "%s/%s", bundle, path) < 0)
		return NULL;
	return out;
}

static int read_root(struct ctx *c, json_t *cfg, struct spec *spec)
{
	json_t *root;
	cleanup_free char *path = NULL;
	size_t old;

	if (read_object(c, cfg, "root", &root) < 0)
		return -1;
	if (root == NULL)
		return missing(c, "root");
	old = push_key(c, "root");
	if (read_string(c, root, "path", &path) < 0)
		return -1;
	if (path == NULL)
		return missing(c, "path");
	if (path[0] == '\0') {
		size_t o = push_key(c, "path");
		bad(c, member(root, "path"), "a directory");
		pop(c, o);
		return -1;
	}
	free(spec->rootfs);
	spec->rootfs = join_bundle(spec->oci->bundle, path);
	if (spec->rootfs == NULL)
		return oom(c);
	if (read_bool(c, root, "readonly", &spec->readonly_root) < 0)
		return -1;
	pop(c, old);
	return 0;
}

static bool has_option(char *const *options, const char *name)
{
	for (size_t i = 0; options != NULL && options[i] != NULL; i++)
		if (strcmp(options[i], name) == 0)
			return true;
	return false;
}

static int read_mounts(struct ctx *c, json_t *cfg, struct spec *spec)
{
	json_t *arr, *v;
	size_t i, old;

	if (read_array(c, cfg, "mounts", &arr) < 0)
		return -1;
	spec->oci->mounts_complete = true;
	if (arr == NULL)
		return 0;
	old = push_key(c, "mounts");
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i);
		cleanup_free char *dest = NULL, *type = NULL, *source = NULL, *full = NULL;
		char **options = NULL;
		int r;

		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (read_string(c, v, "destination", &dest) < 0)
			return -1;
		if (dest == NULL)
			return missing(c, "destination");
		if (dest[0] != '/') {
			/* runc takes a relative destination as relative to /. */
			char *abs = NULL;
			if (asprintf(&abs, "/%s", dest) < 0)
				return oom(c);
			free(dest);
			dest = abs;
		}
		if (read_string(c, v, "type", &type) < 0 || read_string(c, v, "source", &source) < 0 ||
		    read_strv(c, v, "options", &options) < 0)
			return -1;
		if (has_option(options, "bind") || has_option(options, "rbind")) {
			free(type);
			type = strdup("bind");
		} else if (type == NULL || type[0] == '\0') {
			size_t o2 = push_key(c, "type");
			bad(c, member(v, "type"), "a filesystem type (or a bind/rbind option)");
			pop(c, o2);
			strv_free(options);
			return -1;
		}
		if (type != NULL && strcmp(type, "bind") == 0) {
			if (source == NULL || source[0] == '\0') {
				strv_free(options);
				return missing(c, "source");
			}
			full = join_bundle(spec->oci->bundle, source);
		}
		r = type != NULL ? spec_add_mount(spec, type, full != NULL ? full : source, dest, options)
				 : -1;
		strv_free(options);
		if (r < 0)
			return oom(c);
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static const char *const hook_keys[SPEC_HOOK_COUNT] = {
	[SPEC_HOOK_PRESTART] = "prestart",
	[SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
	[SPEC_HOOK_START_CONTAINER] = "startContainer",
	[SPEC_HOOK_POSTSTART] = "poststart",
	[SPEC_HOOK_POSTSTOP] = "poststop",
};

static int read_hooks(struct ctx *c, json_t *cfg, struct spec_oci *oci)
{
	json_t *hooks, *arr, *v;
	size_t i, old;
	int64_t n;

	if (read_object(c, cfg, "hooks", &hooks) < 0)
		return -1;
	if (hooks == NULL)
		return 0;
	old = push_key(c, "hooks");
	for (int k = 0; k < SPEC_HOOK_COUNT; k++) {
		struct spec_hooks *h = &oci->hooks[k];
		size_t o;

		if (read_array(c, hooks, hook_keys[k], &arr) < 0)
			return -1;
		if (arr == NULL)
			continue;
		h->v = calloc(json_array_size(arr) + 1, sizeof(*h->v));
		if (h->v == NULL)
			return oom(c);
		o = push_key(c, hook_keys[k]);
		json_array_foreach (arr, i, v) {
			size_t o2 = push_index(c, i);
			struct spec_hook *hook = &h->v[h->n++];

			if (!json_is_object(v))
				return bad(c, v, "an object");
			if (read_string(c, v, "path", &hook->path) < 0)
				return -1;
			if (hook->path == NULL)
				return missing(c, "path");
			if (hook->path[0] != '/') {
				size_t o3 = push_key(c, "path");
				bad(c, member(v, "path"), "an absolute path");
				pop(c, o3);
				return -1;
			}
			if (read_strv(c, v, "args", &hook->args) < 0 ||
			    read_strv(c, v, "env", &hook->env) < 0)
				return -1;
			n = 0;
			if (read_int(c, v, "timeout", 1, INT_MAX, &n, NULL) < 0)
				return -1;
			hook->timeout = (int)n;
			pop(c, o2);
		}
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

/* ---- linux ---- */

static const char *const ns_names[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = "pid",	   [SPEC_NS_NET] = "network", [SPEC_NS_MOUNT] = "mount",
	[SPEC_NS_IPC] = "ipc",	   [SPEC_NS_UTS] = "uts",     [SPEC_NS_USER] = "user",
	[SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

static int read_namespaces(struct ctx *c, json_t *lx, struct spec *spec)
{
	struct spec_oci *oci = spec->oci;
	json_t *arr, *v;
	size_t i, old;

	if (read_array(c, lx, "namespaces", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	old = push_key(c, "namespaces");
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i), o2;
		int k;

		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (member(v, "type") == NULL)
			return missing(c, "type");
		o2 = push_key(c, "type");
		k = check_name(c, member(v, "type"), ns_names, SPEC_NS_COUNT,
			       "one of pid, network, mount, ipc, uts, user, cgroup, time");
		if (k < 0)
			return -1;
		if (oci->ns[k].enabled)
			return bad(c, member(v, "type"), "each namespace once");
		pop(c, o2);
		oci->ns[k].enabled = true;
		if (read_string(c, v, "path", &oci->ns[k].path) < 0)
			return -1;
		if (oci->ns[k].path != NULL && oci->ns[k].path[0] != '/') {
			o2 = push_key(c, "path");
			bad(c, member(v, "path"), "an absolute path");
			pop(c, o2);
			return -1;
		}
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_idmaps(struct ctx *c, json_t *lx, const char *key, struct spec_idmap **out,
		       size_t *count)
{
	json_t *arr, *v;
	size_t i, old;

	if (read_array(c, lx, key, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	free(*out);
	*count = 0;
	*out = calloc(json_array_size(arr) + 1, sizeof(**out));
	if (*out == NULL)
		return oom(c);
	old = push_key(c, key);
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i);
		struct spec_idmap *m = &(*out)[i];
		int64_t cid, hid, size;
		bool p1, p2, p3;

		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (read_int(c, v, "containerID", 0, UINT32_MAX, &cid, &p1) < 0 ||
		    read_int(c, v, "hostID", 0, UINT32_MAX, &hid, &p2) < 0 ||
		    read_int(c, v, "size", 1, UINT32_MAX, &size, &p3) < 0)
			return -1;
		if (!p1)
			return missing(c, "containerID");
		if (!p2)
			return missing(c, "hostID");
		if (!p3)
			return missing(c, "size");
		m->container_id = (uint32_t)cid;
		m->host_id = (uint32_t)hid;
		m->size = (uint32_t)size;
		(*count)++;
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_device_rules(struct ctx *c, json_t *res, struct spec_resources *r)
{
	json_t *arr, *v;
	size_t i, old;

	if (read_array(c, res, "devices", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	r->devices = calloc(json_array_size(arr) + 1, sizeof(*r->devices));
	if (r->devices == NULL)
		return oom(c);
	old = push_key(c, "devices");
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i);
		struct spec_device_rule *d = &r->devices[r->ndevices++];
		cleanup_free char *type = NULL, *access = NULL;
		bool present = false;

		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (member(v, "allow") == NULL)
			return missing(c, "allow");
		if (read_bool(c, v, "allow", &d->allow) < 0)
			return -1;
		if (read_string(c, v, "type", &type) < 0)
			return -1;
		d->type = 'a';
		if (type != NULL) {
			if (strcmp(type, "a") != 0 && strcmp(type, "c") != 0 && strcmp(type, "b") != 0) {
				size_t o2 = push_key(c, "type");
				bad(c, member(v, "type"), "\"a\", \"c\" or \"b\"");
				pop(c, o2);
				return -1;
			}
			d->type = type[0];
		}
		if (read_int(c, v, "major", -1, INT32_MAX, &d->major, &present) < 0)
			return -1;
		if (!present)
			d->major = -1;
		if (read_int(c, v, "minor", -1, INT32_MAX, &d->minor, &present) < 0)
			return -1;
		if (!present)
			d->minor = -1;
		if (read_string(c, v, "access", &access) < 0)
			return -1;
		if (access == NULL) {
			strcpy(d->access, "rwm");
		} else {
			size_t n = 0;
			for (const char *p = access; *p != '\0'; p++) {
				if ((*p != 'r' && *p != 'w' && *p != 'm') || strchr(d->access, *p) != NULL ||
				    n >= 3) {
					size_t o2 = push_key(c, "access");
					bad(c, member(v, "access"), "letters from \"rwm\"");
					pop(c, o2);
					return -1;
				}
				d->access[n++] = *p;
			}
		}
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

/* blockIO's device lists: weightDevice (weights) or a throttle (rate). */
static int read_blkio_devices(struct ctx *c, json_t *obj, const char *key, bool weights,
			      struct spec_blkio_device **out, size_t *count)
{
	json_t *arr, *v, *x;
	size_t i, old;
	bool present;

	if (read_array(c, obj, key, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	*out = calloc(json_array_size(arr) + 1, sizeof(**out));
	if (*out == NULL)
		return oom(c);
	old = push_key(c, key);
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i);
		struct spec_blkio_device *d = &(*out)[(*count)++];

		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (read_int(c, v, "major", 0, 4095, &d->major, &present) < 0)
			return -1;
		if (!present)
			return missing(c, "major");
		if (read_int(c, v, "minor", 0, 1048575, &d->minor, &present) < 0)
			return -1;
		if (!present)
			return missing(c, "minor");
		d->weight = d->leaf_weight = -1;
		if (weights) {
			if (read_int(c, v, "weight", 0, UINT16_MAX, &d->weight, &present) < 0)
				return -1;
			if (!present)
				d->weight = -1;
			if (read_int(c, v, "leafWeight", 0, UINT16_MAX, &d->leaf_weight, &present) < 0)
				return -1;
			if (!present)
				d->leaf_weight = -1;
		} else {
			if ((x = member(v, "rate")) == NULL)
				return missing(c, "rate");
			size_t o2 = push_key(c, "rate");
			if (check_u64(c, x, &d->rate) < 0)
				return -1;
			pop(c, o2);
		}
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_blkio(struct ctx *c, json_t *res, struct spec_resources *r)
{
	static const char *const throttle_keys[SPEC_BLKIO_NTHROTTLE] = {
		"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
		"throttleWriteIOPSDevice",
	};
	struct spec_blkio *b = &r->blkio;
	json_t *obj;
	bool present;
	size_t old;

	if (read_object(c, res, "blockIO", &obj) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	b->set = true;
	old = push_key(c, "blockIO");
	if (read_int(c, obj, "weight", 0, UINT16_MAX, &b->weight, &present) < 0)
		return -1;
	if (!present)
		b->weight = -1;
	if (read_int(c, obj, "leafWeight", 0, UINT16_MAX, &b->leaf_weight, &present) < 0)
		return -1;
	if (!present)
		b->leaf_weight = -1;
	if (read_blkio_devices(c, obj, "weightDevice", true, &b->weight_device, &b->nweight_device) < 0)
		return -1;
	for (int k = 0; k < SPEC_BLKIO_NTHROTTLE; k++)
		if (read_blkio_devices(c, obj, throttle_keys[k], false, &b->throttle[k], &b->nthrottle[k]) < 0)
			return -1;
	pop(c, old);
	return 0;
}

static int read_hugepages(struct ctx *c, json_t *res, struct spec_resources *r)
{
	json_t *arr, *v, *x;
	size_t i, old;

	if (read_array(c, res, "hugepageLimits", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	r->hugepages = calloc(json_array_size(arr) + 1, sizeof(*r->hugepages));
	if (r->hugepages == NULL)
		return oom(c);
	old = push_key(c, "hugepageLimits");
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i), o2;
		struct spec_hugepage_limit *h = &r->hugepages[r->nhugepages++];

		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (read_string(c, v, "pageSize", &h->page_size) < 0)
			return -1;
		if (h->page_size == NULL)
			return missing(c, "pageSize");
		/* It names a cgroup file: "2MB", "1GB", "64KB". */
		if (strspn(h->page_size, "0123456789") == 0 ||
		    (strcmp(h->page_size + strspn(h->page_size, "0123456789"), "KB") != 0 &&
		     strcmp(h->page_size + strspn(h->page_size, "0123456789"), "MB") != 0 &&
		     strcmp(h->page_size + strspn(h->page_size, "0123456789"), "GB") != 0)) {
			o2 = push_key(c, "pageSize");
			bad(c, member(v, "pageSize"), "a page size like \"2MB\"");
			pop(c, o2);
			return -1;
		}
		if ((x = member(v, "limit")) == NULL)
			return missing(c, "limit");
		o2 = push_key(c, "limit");
		if (check_u64(c, x, &h->limit) < 0)
			return -1;
		pop(c, o2);
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_network(struct ctx *c, json_t *res, struct spec_resources *r)
{
	json_t *net, *arr, *v;
	size_t i, old;
	int64_t n;

	if (read_object(c, res, "network", &net) < 0)
		return -1;
	if (net == NULL)
		return 0;
	old = push_key(c, "network");
	if (read_int(c, net, "classID", 0, UINT32_MAX, &n, &r->net_class_set) < 0)
		return -1;
	r->net_class_id = (uint32_t)n;
	if (read_array(c, net, "priorities", &arr) < 0)
		return -1;
	if (arr != NULL) {
		size_t o = push_key(c, "priorities");
		r->net_priorities = calloc(json_array_size(arr) + 1, sizeof(*r->net_priorities));
		if (r->net_priorities == NULL)
			return oom(c);
		json_array_foreach (arr, i, v) {
			size_t o2 = push_index(c, i);
			struct spec_net_priority *p = &r->net_priorities[r->nnet_priorities++];
			bool present;

			if (!json_is_object(v))
				return bad(c, v, "an object");
			if (read_string(c, v, "name", &p->name) < 0)
				return -1;
			if (p->name == NULL)
				return missing(c, "name");
			if (p->name[0] == '\0' || strpbrk(p->name, " \n/") != NULL) {
				size_t o3 = push_key(c, "name");
				bad(c, member(v, "name"), "an interface name");
				pop(c, o3);
				return -1;
			}
			if (read_int(c, v, "priority", 0, UINT32_MAX, &n, &present) < 0)
				return -1;
			if (!present)
				return missing(c, "priority");
			p->priority = (uint32_t)n;
			pop(c, o2);
		}
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_rdma(struct ctx *c, json_t *res, struct spec_resources *r)
{
	json_t *obj, *v;
	const char *key;
	size_t old;

	if (read_object(c, res, "rdma", &obj) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	r->rdma = calloc(json_object_size(obj) + 1, sizeof(*r->rdma));
	if (r->rdma == NULL)
		return oom(c);
	old = push_key(c, "rdma");
	json_object_foreach (obj, key, v) {
		size_t o = push_key(c, key);
		struct spec_rdma_limit *l = &r->rdma[r->nrdma++];
		bool present;

		l->device = strdup(key);
		if (l->device == NULL)
			return oom(c);
		if (key[0] == '\0' || strpbrk(key, " \n/=") != NULL)
			return fail(c, "invalid device name `%s`", key);
		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (read_int(c, v, "hcaHandles", 0, UINT32_MAX, &l->hca_handles, &present) < 0)
			return -1;
		if (!present)
			l->hca_handles = -1;
		if (read_int(c, v, "hcaObjects", 0, UINT32_MAX, &l->hca_objects, &present) < 0)
			return -1;
		if (!present)
			l->hca_objects = -1;
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

/* unified: cgroup v2 files and their values, written as given. */
static int read_unified(struct ctx *c, json_t *res, struct spec_resources *r)
{
	json_t *obj, *v;
	const char *key;
	size_t old;

	if (read_object(c, res, "unified", &obj) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	old = push_key(c, "unified");
	json_object_foreach (obj, key, v) {
		size_t o = push_key(c, key);
		char *kv = NULL;
		int rr;

		if (key[0] == '\0' || key[0] == '.' || strchr(key, '/') != NULL || strchr(key, '=') != NULL)
			return fail(c, "invalid cgroup file name `%s`", key);
		if (!json_is_string(v))
			return bad(c, v, "a string");
		if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0)
			return oom(c);
		rr = strv_push(&r->unified, kv);
		free(kv);
		if (rr < 0)
			return oom(c);
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_resources(struct ctx *c, json_t *lx, struct spec *spec)
{
	struct spec_resources *r = &spec->oci->resources;
	json_t *res, *mem, *cpu, *pids;
	int64_t n;
	bool present;
	size_t old;

	r->memory_swappiness = -1;
	if (read_object(c, lx, "resources", &res) < 0)
		return -1;
	if (res == NULL)
		return 0;
	old = push_key(c, "resources");
	if (read_device_rules(c, res, r) < 0)
		return -1;
	if (read_object(c, res, "memory", &mem) < 0)
		return -1;
	if (mem != NULL) {
		size_t o = push_key(c, "memory");
		if (read_int(c, mem, "limit", -1, INT64_MAX, &n, &present) < 0)
			return -1;
		if (present)
			spec->limits.memory = n > 0 ? n : 0;
		if (read_int(c, mem, "reservation", -1, INT64_MAX, &n, &present) < 0)
			return -1;
		if (present)
			r->memory_reservation = n > 0 ? n : 0;
		if (read_int(c, mem, "swap", -1, INT64_MAX, &n, &present) < 0)
			return -1;
		if (present)
			r->memory_swap = n;
		if (read_int(c, mem, "kernel", -1, INT64_MAX, &n, NULL) < 0 ||
		    read_int(c, mem, "kernelTCP", -1, INT64_MAX, &n, NULL) < 0)
			return -1;
		if (read_int(c, mem, "swappiness", 0, 100, &n, &present) < 0)
			return -1;
		if (present)
			r->memory_swappiness = n;
		if (read_bool(c, mem, "disableOOMKiller", &r->disable_oom_killer) < 0)
			return -1;
		bool hier = false;
		if (read_bool(c, mem, "useHierarchy", &hier) < 0 ||
		    read_bool(c, mem, "checkBeforeUpdate", &hier) < 0)
			return -1;
		pop(c, o);
	}
	if (read_object(c, res, "cpu", &cpu) < 0)
		return -1;
	if (cpu != NULL) {
		size_t o = push_key(c, "cpu");
		if (read_int(c, cpu, "shares", 0, INT64_MAX, &n, &present) < 0)
			return -1;
		if (present)
			r->cpu_shares = (uint64_t)n;
		if (read_int(c, cpu, "quota", -1, INT64_MAX, &n, &present) < 0)
			return -1;
		if (present)
			r->cpu_quota = n;
		if (read_int(c, cpu, "period", 0, INT64_MAX, &n, &present) < 0)
			return -1;
		if (present)
			r->cpu_period = (uint64_t)n;
		if (read_int(c, cpu, "burst", 0, INT64_MAX, &n, NULL) < 0 ||
		    read_int(c, cpu, "realtimeRuntime", -1, INT64_MAX, &n, NULL) < 0 ||
		    read_int(c, cpu, "realtimePeriod", 0, INT64_MAX, &n, NULL) < 0 ||
		    read_int(c, cpu, "idle", -1, 1, &n, NULL) < 0)
			return -1;
		if (read_string(c, cpu, "cpus", &r->cpuset_cpus) < 0 ||
		    read_string(c, cpu, "mems", &r->cpuset_mems) < 0)
			return -1;
		if (r->cpu_quota > 0) {
			uint64_t period = r->cpu_period > 0 ? r->cpu_period : 100000;
			spec->limits.cpus = (double)r->cpu_quota / (double)period;
		}
		pop(c, o);
	}
	if (read_object(c, res, "pids", &pids) < 0)
		return -1;
	if (pids != NULL) {
		size_t o = push_key(c, "pids");
		if (member(pids, "limit") == NULL)
			return missing(c, "limit");
		if (read_int(c, pids, "limit", INT64_MIN, INT64_MAX, &n, NULL) < 0)
			return -1;
		/* 0 and negative values mean "no limit" in the spec. */
		spec->limits.pids = n > 0 ? n : 0;
		pop(c, o);
	}
	if (read_blkio(c, res, r) < 0 || read_hugepages(c, res, r) < 0 || read_network(c, res, r) < 0 ||
	    read_rdma(c, res, r) < 0 || read_unified(c, res, r) < 0)
		return -1;
	pop(c, old);
	return 0;
}

/* A sysctl is written only where it belongs to a namespace of the
 * container's (runc's rule): anything else would change the host's. */
static int sysctl_scope(struct ctx *c, const char *key, const struct spec_oci *oci)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					   "kernel.sem", "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced" };
	enum spec_ns ns = SPEC_NS_COUNT;
	const char *what = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (strcmp(key, ipc[i]) == 0)
			ns = SPEC_NS_IPC, what = "an ipc";
	if (str_has_prefix(key, "fs.mqueue."))
		ns = SPEC_NS_IPC, what = "an ipc";
	else if (str_has_prefix(key, "net."))
		ns = SPEC_NS_NET, what = "a network";
	else if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		ns = SPEC_NS_UTS, what = "a uts";
	if (ns == SPEC_NS_COUNT)
		return fail(c, "`%s` is not in a namespace of the container's: it would change the host's", key);
	if (!oci->ns[ns].enabled) {
		char why[160];
		snprintf(why, sizeof(why), "needs %s namespace in linux.namespaces: it would change the host's", what);
		return fail(c, "%s", why);
	}
	return 0;
}

static int read_sysctl(struct ctx *c, json_t *lx, struct spec_oci *oci)
{
	json_t *obj, *v;
	const char *key;
	size_t old;

	if (read_object(c, lx, "sysctl", &obj) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	old = push_key(c, "sysctl");
	json_object_foreach (obj, key, v) {
		size_t o = push_key(c, key);
		char *kv = NULL;
		if (!json_is_string(v))
			return bad(c, v, "a string");
		if (key[0] == '\0' || strchr(key, '=') != NULL || strchr(key, '/') != NULL ||
		    strstr(key, "..") != NULL || key[0] == '.')
			return fail(c, "invalid sysctl name `%s`", key);
		if (sysctl_scope(c, key, oci) < 0)
			return -1;
		if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0)
			return oom(c);
		int r = strv_push(&oci->sysctl, kv);
		free(kv);
		if (r < 0)
			return oom(c);
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static const char *const seccomp_actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
	"SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
	"SCMP_ACT_KILL_THREAD",
};
static const enum spec_seccomp_action seccomp_action_values[] = {
	SPEC_SECCOMP_KILL_THREAD, SPEC_SECCOMP_KILL_PROCESS, SPEC_SECCOMP_TRAP,
	SPEC_SECCOMP_ERRNO,	  SPEC_SECCOMP_TRACE,	     SPEC_SECCOMP_ALLOW,
	SPEC_SECCOMP_LOG,	  SPEC_SECCOMP_NOTIFY,	     SPEC_SECCOMP_KILL_THREAD,
};
static const char *const seccomp_ops[] = {
	[SPEC_SECCOMP_NE] = "SCMP_CMP_NE", [SPEC_SECCOMP_LT] = "SCMP_CMP_LT",
	[SPEC_SECCOMP_LE] = "SCMP_CMP_LE", [SPEC_SECCOMP_EQ] = "SCMP_CMP_EQ",
	[SPEC_SECCOMP_GE] = "SCMP_CMP_GE", [SPEC_SECCOMP_GT] = "SCMP_CMP_GT",
	[SPEC_SECCOMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};
static const char *const seccomp_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static int read_action(struct ctx *c, json_t *obj, const char *key, enum spec_seccomp_action *out)
{
	size_t o = push_key(c, key);
	int k = check_name(c, member(obj, key), seccomp_actions, ARRAY_SIZE(seccomp_actions),
			   "an SCMP_ACT_* action");
	if (k < 0)
		return -1;
	*out = seccomp_action_values[k];
	pop(c, o);
	return 0;
}

static int read_seccomp_rule(struct ctx *c, json_t *v, struct spec_seccomp_rule *rule)
{
	json_t *args, *a;
	size_t i;
	int64_t n;
	bool present;

	if (!json_is_object(v))
		return bad(c, v, "an object");
	if (read_strv(c, v, "names", &rule->names) < 0)
		return -1;
	if (rule->names == NULL) {
		/* The pre-1.0 form: one "name". */
		char *name = NULL;
		if (read_string(c, v, "name", &name) < 0)
			return -1;
		if (name == NULL)
			return missing(c, "names");
		rule->names = calloc(2, sizeof(char *));
		if (rule->names == NULL) {
			free(name);
			return oom(c);
		}
		rule->names[0] = name;
	}
	if (member(v, "action") == NULL)
		return missing(c, "action");
	if (read_action(c, v, "action", &rule->action) < 0)
		return -1;
	if (read_int(c, v, "errnoRet", 0, 4095, &n, &present) < 0)
		return -1;
	rule->ret = present ? (int)n : (rule->action == SPEC_SECCOMP_ERRNO ? EPERM : 0);
	if (read_array(c, v, "args", &args) < 0)
		return -1;
	if (args == NULL)
		return 0;
	rule->args = calloc(json_array_size(args) + 1, sizeof(*rule->args));
	if (rule->args == NULL)
		return oom(c);
	size_t old = push_key(c, "args");
	json_array_foreach (args, i, a) {
		size_t o = push_index(c, i), o2;
		struct spec_seccomp_arg *arg = &rule->args[rule->nargs++];
		json_t *x;
		int k;

		if (!json_is_object(a))
			return bad(c, a, "an object");
		if (read_int(c, a, "index", 0, 5, &n, &present) < 0)
			return -1;
		if (!present)
			return missing(c, "index");
		arg->index = (unsigned)n;
		if ((x = member(a, "value")) == NULL)
			return missing(c, "value");
		o2 = push_key(c, "value");
		if (check_u64(c, x, &arg->value) < 0)
			return -1;
		pop(c, o2);
		if ((x = member(a, "valueTwo")) != NULL) {
			o2 = push_key(c, "valueTwo");
			if (check_u64(c, x, &arg->value_two) < 0)
				return -1;
			pop(c, o2);
		}
		if (member(a, "op") == NULL)
			return missing(c, "op");
		o2 = push_key(c, "op");
		k = check_name(c, member(a, "op"), seccomp_ops, ARRAY_SIZE(seccomp_ops),
			       "an SCMP_CMP_* operator");
		if (k < 0)
			return -1;
		arg->op = (enum spec_seccomp_op)k;
		pop(c, o2);
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static void seccomp_free(struct spec_seccomp *s)
{
	if (s == NULL)
		return;
	strv_free(s->architectures);
	for (size_t i = 0; i < s->nrules; i++) {
		strv_free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s);
}

static int read_seccomp(struct ctx *c, json_t *lx, struct spec_oci *oci)
{
	json_t *sc, *arr, *v;
	char **flags = NULL;
	size_t i, old;
	int64_t n;
	bool present;

	if (read_object(c, lx, "seccomp", &sc) < 0)
		return -1;
	if (sc == NULL)
		return 0;
	oci->seccomp = calloc(1, sizeof(*oci->seccomp));
	if (oci->seccomp == NULL)
		return oom(c);
	struct spec_seccomp *s = oci->seccomp;
	old = push_key(c, "seccomp");
	if (member(sc, "defaultAction") == NULL)
		return missing(c, "defaultAction");
	if (read_action(c, sc, "defaultAction", &s->default_action) < 0)
		return -1;
	if (read_int(c, sc, "defaultErrnoRet", 0, 4095, &n, &present) < 0)
		return -1;
	s->default_ret = present ? (int)n : (s->default_action == SPEC_SECCOMP_ERRNO ? EPERM : 0);
	if (read_strv(c, sc, "architectures", &s->architectures) < 0)
		return -1;
	for (i = 0; s->architectures != NULL && s->architectures[i] != NULL; i++) {
		if (!str_has_prefix(s->architectures[i], "SCMP_ARCH_")) {
			size_t o = push_key(c, "architectures"), o2 = push_index(c, i);
			bad(c, json_array_get(member(sc, "architectures"), i), "an SCMP_ARCH_* name");
			pop(c, o2);
			pop(c, o);
			return -1;
		}
	}
	if (read_strv(c, sc, "flags", &flags) < 0)
		return -1;
	for (i = 0; flags != NULL && flags[i] != NULL; i++) {
		size_t k;
		for (k = 0; k < ARRAY_SIZE(seccomp_flags); k++)
			if (strcmp(flags[i], seccomp_flags[k]) == 0)
				break;
		if (k == ARRAY_SIZE(seccomp_flags)) {
			size_t o = push_key(c, "flags"), o2 = push_index(c, i);
			bad(c, json_array_get(member(sc, "flags"), i), "a SECCOMP_FILTER_FLAG_* name");
			pop(c, o2);
			pop(c, o);
			strv_free(flags);
			return -1;
		}
		s->flags |= 1u << k;
	}
	strv_free(flags);
	cleanup_free char *listener = NULL, *metadata = NULL;
	if (read_string(c, sc, "listenerPath", &listener) < 0 ||
	    read_string(c, sc, "listenerMetadata", &metadata) < 0)
		return -1;
	if (read_array(c, sc, "syscalls", &arr) < 0)
		return -1;
	if (arr != NULL) {
		size_t o = push_key(c, "syscalls");
		s->rules = calloc(json_array_size(arr) + 1, sizeof(*s->rules));
		if (s->rules == NULL)
			return oom(c);
		json_array_foreach (arr, i, v) {
			size_t o2 = push_index(c, i);
			s->nrules++;
			if (read_seccomp_rule(c, v, &s->rules[i]) < 0)
				return -1;
			if (s->rules[i].action == SPEC_SECCOMP_NOTIFY && listener == NULL)
				return fail(c, "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath%s", "");
			pop(c, o2);
		}
		pop(c, o);
	}
	if (s->default_action == SPEC_SECCOMP_NOTIFY)
		return fail(c, "SCMP_ACT_NOTIFY cannot be the default action%s", "");
	pop(c, old);
	return 0;
}

static int read_linux_devices(struct ctx *c, json_t *lx, struct spec_oci *oci)
{
	json_t *arr, *v;
	size_t i, old;
	int64_t n;
	bool present;

	if (read_array(c, lx, "devices", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	oci->devices = calloc(json_array_size(arr) + 1, sizeof(*oci->devices));
	if (oci->devices == NULL)
		return oom(c);
	old = push_key(c, "devices");
	json_array_foreach (arr, i, v) {
		size_t o = push_index(c, i);
		struct spec_device *d = &oci->devices[oci->ndevices++];
		cleanup_free char *type = NULL;

		if (!json_is_object(v))
			return bad(c, v, "an object");
		if (read_string(c, v, "path", &d->path) < 0)
			return -1;
		if (d->path == NULL)
			return missing(c, "path");
		if (!str_has_prefix(d->path, "/dev/") || strstr(d->path, "..") != NULL) {
			size_t o2 = push_key(c, "path");
			bad(c, member(v, "path"), "a path under /dev/");
			pop(c, o2);
			return -1;
		}
		if (read_string(c, v, "type", &type) < 0)
			return -1;
		if (type == NULL)
			return missing(c, "type");
		if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL) {
			size_t o2 = push_key(c, "type");
			bad(c, member(v, "type"), "\"c\", \"b\", \"u\" or \"p\"");
			pop(c, o2);
			return -1;
		}
		d->type = type[0];
		if (read_int(c, v, "major", 0, 4095, &d->major, &present) < 0)
			return -1;
		if (!present && d->type != 'p')
			return missing(c, "major");
		if (read_int(c, v, "minor", 0, 1048575, &d->minor, &present) < 0)
			return -1;
		if (!present && d->type != 'p')
			return missing(c, "minor");
		/* podman passes the whole st_mode (type bits included): keep the
		 * permission bits, the type comes from "type". */
		if (read_int(c, v, "fileMode", 0, 0177777, &n, &d->mode_set) < 0)
			return -1;
		d->mode = (mode_t)n & 07777;
		if (read_int(c, v, "uid", 0, UINT32_MAX - 1, &n, &d->uid_set) < 0)
			return -1;
		d->uid = (uid_t)n;
		if (read_int(c, v, "gid", 0, UINT32_MAX - 1, &n, &d->gid_set) < 0)
			return -1;
		d->gid = (gid_t)n;
		pop(c, o);
	}
	pop(c, old);
	return 0;
}

static int read_propagation(struct ctx *c, json_t *lx, struct spec_oci *oci)
{
	static const char *const names[] = { "private", "rprivate", "slave", "rslave",
					     "shared", "rshared", "unbindable", "runbindable" };
	static const unsigned long flags[] = { MS_PRIVATE, MS_PRIVATE | MS_REC, MS_SLAVE,
					       MS_SLAVE | MS_REC, MS_SHARED, MS_SHARED | MS_REC,
					       MS_UNBINDABLE, MS_UNBINDABLE | MS_REC };
	json_t *v = member(lx, "rootfsPropagation");
	size_t o;
	int k;

	if (v == NULL || (json_is_string(v) && json_string_value(v)[0] == '\0'))
		return 0;
	o = push_key(c, "rootfsPropagation");
	k = check_name(c, v, names, ARRAY_SIZE(names),
		       "one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable");
	if (k < 0)
		return -1;
	oci->rootfs_propagation = flags[k];
	pop(c, o);
	return 0;
}

static int read_linux(struct ctx *c, json_t *cfg, struct spec *spec)
{
	struct spec_oci *oci = spec->oci;
	json_t *lx, *other;
	size_t old;

	spec->oci->resources.memory_swappiness = -1;
	if (read_object(c, cfg, "linux", &lx) < 0)
		return -1;
	if (lx == NULL)
		return 0;
	old = push_key(c, "linux");
	if (read_namespaces(c, lx, spec) < 0 ||
	    read_idmaps(c, lx, "uidMappings", &oci->uid_mappings, &oci->nuid_mappings) < 0 ||
	    read_idmaps(c, lx, "gidMappings", &oci->gid_mappings, &oci->ngid_mappings) < 0 ||
	    read_resources(c, lx, spec) < 0 || read_string(c, lx, "cgroupsPath", &oci->cgroups_path) < 0 ||
	    read_sysctl(c, lx, oci) < 0 || read_seccomp(c, lx, oci) < 0 ||
	    read_strv(c, lx, "maskedPaths", &oci->masked_paths) < 0 ||
	    read_strv(c, lx, "readonlyPaths", &oci->readonly_paths) < 0 ||
	    read_propagation(c, lx, oci) < 0 || read_linux_devices(c, lx, oci) < 0 ||
	    read_string(c, lx, "mountLabel", &oci->mount_label) < 0 || read_object(c, lx, "intelRdt", &other) < 0 ||
	    read_object(c, lx, "personality", &other) < 0)
		return -1;
	empty_is_none(&oci->mount_label);
	if ((oci->nuid_mappings > 0 || oci->ngid_mappings > 0) && !oci->ns[SPEC_NS_USER].enabled) {
		size_t o = push_key(c, "uidMappings");
		mew_error(c->err, 0, "%s: %s: given without a user namespace in linux.namespaces",
			  c->file, here(c));
		pop(c, o);
		return -1;
	}
	pop(c, old);
	return 0;
}

/* ---- entry points ---- */

void spec_resources_clear(struct spec_resources *r)
{
	free(r->cpuset_cpus);
	free(r->cpuset_mems);
	free(r->devices);
	free(r->blkio.weight_device);
	for (int k = 0; k < SPEC_BLKIO_NTHROTTLE; k++)
		free(r->blkio.throttle[k]);
	for (size_t i = 0; i < r->nhugepages; i++)
		free(r->hugepages[i].page_size);
	free(r->hugepages);
	for (size_t i = 0; i < r->nnet_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	for (size_t i = 0; i < r->nrdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	strv_free(r->unified);
	memset(r, 0, sizeof(*r));
	r->memory_swappiness = -1;
}

void spec_oci_free(struct spec_oci *oci)
{
	if (oci == NULL)
		return;
	free(oci->bundle);
	free(oci->rlimits);
	free(oci->apparmor_profile);
	free(oci->selinux_label);
	free(oci->mount_label);
	for (int k = 0; k < SPEC_HOOK_COUNT; k++) {
		for (size_t i = 0; i < oci->hooks[k].n; i++) {
			free(oci->hooks[k].v[i].path);
			strv_free(oci->hooks[k].v[i].args);
			strv_free(oci->hooks[k].v[i].env);
		}
		free(oci->hooks[k].v);
	}
	for (int k = 0; k < SPEC_NS_COUNT; k++)
		free(oci->ns[k].path);
	free(oci->uid_mappings);
	free(oci->gid_mappings);
	spec_resources_clear(&oci->resources);
	free(oci->cgroups_path);
	strv_free(oci->sysctl);
	seccomp_free(oci->seccomp);
	strv_free(oci->masked_paths);
	strv_free(oci->readonly_paths);
	for (size_t i = 0; i < oci->ndevices; i++)
		free(oci->devices[i].path);
	free(oci->devices);
	free(oci);
}

static json_t *load(struct ctx *c, const char *json, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);

	if (root == NULL) {
		mew_error(c->err, 0, "%s: line %d, column %d: %s", c->file, jerr.line, jerr.column,
			  jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		bad(c, root, "an object");
		json_decref(root);
		return NULL;
	}
	return root;
}

static int ensure_oci(struct spec *spec, struct mew_error **err)
{
	if (spec->oci == NULL) {
		spec->oci = calloc(1, sizeof(*spec->oci));
		if (spec->oci == NULL)
			return mew_error(err, ENOMEM, "config.json");
		spec->oci->resources.memory_swappiness = -1;
	}
	return 0;
}

int spec_from_oci_json(const char *json, size_t len, const char *bundle, struct spec *spec,
		       struct mew_error **err)
{
	struct ctx c = { .file = "config.json", .err = err };
	json_t *root, *proc;
	cleanup_free char *version = NULL, *hostname = NULL, *domain = NULL;
	int r = -1;

	if (ensure_oci(spec, err) < 0)
		return -1;
	if (bundle != NULL) {
		char *real = realpath(bundle, NULL);
		spec->oci->bundle = real != NULL ? real : strdup(bundle);
	}
	root = load(&c, json, len);
	if (root == NULL)
		return -1;
	free(spec->engine);
	spec->engine = strdup("container");
	if (read_string(&c, root, "ociVersion", &version) < 0)
		goto out;
	if (version == NULL) {
		missing(&c, "ociVersion");
		goto out;
	}
	if (!str_has_prefix(version, "1.")) {
		size_t o = push_key(&c, "ociVersion");
		bad(&c, member(root, "ociVersion"), "a 1.x version");
		pop(&c, o);
		goto out;
	}
	if (read_root(&c, root, spec) < 0)
		goto out;
	if (read_object(&c, root, "process", &proc) < 0)
		goto out;
	if (proc == NULL) {
		missing(&c, "process");
		goto out;
	}
	{
		size_t o = push_key(&c, "process");
		if (read_process(&c, proc, spec) < 0)
			goto out;
		pop(&c, o);
	}
	if (read_string(&c, root, "hostname", &hostname) < 0 ||
	    read_string(&c, root, "domainname", &domain) < 0)
		goto out;
	if (hostname != NULL && hostname[0] != '\0') {
		free(spec->hostname);
		spec->hostname = steal_pointer(&hostname);
	}
	if (read_mounts(&c, root, spec) < 0 || read_hooks(&c, root, spec->oci) < 0 ||
	    read_linux(&c, root, spec) < 0)
		goto out;
	json_t *ann;
	if (read_object(&c, root, "annotations", &ann) < 0)
		goto out;
	if (ann != NULL) {
		const char *key;
		json_t *v;
		size_t o = push_key(&c, "annotations");
		json_object_foreach (ann, key, v) {
			if (!json_is_string(v)) {
				size_t o2 = push_key(&c, key);
				bad(&c, v, "a string");
				pop(&c, o2);
				goto out;
			}
		}
		pop(&c, o);
	}
	/* A namespace the config does not list is the runtime's own
	 * (runtime-spec), the network's too; a hostname needs a uts namespace
	 * of the container's, as runc says. */
	spec->net = spec->oci->ns[SPEC_NS_NET].enabled ? SPEC_NET_NONE : SPEC_NET_HOST;
	if (spec->hostname != NULL && !spec->oci->ns[SPEC_NS_UTS].enabled) {
		mew_error(err, 0, "config.json: hostname: `%s` needs a uts namespace in linux.namespaces",
			  spec->hostname);
		goto out;
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

int spec_from_oci_bundle(const char *bundle, struct spec *spec, struct mew_error **err)
{
	cleanup_free char *path = NULL, *buf = NULL;
	size_t len;

	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return mew_error(err, ENOMEM, "config.json");
	if (file_read(path, &buf, &len, err) < 0)
		return -1;
	return spec_from_oci_json(buf, len, bundle, spec, err);
}

int spec_from_oci_process(const char *json, size_t len, const char *name, struct spec *spec,
			  struct mew_error **err)
{
	struct ctx c = { .file = name != NULL ? name : "process.json", .err = err };
	json_t *root;
	int r;

	if (ensure_oci(spec, err) < 0)
		return -1;
	root = load(&c, json, len);
	if (root == NULL)
		return -1;
	r = read_process(&c, root, spec);
	json_decref(root);
	return r;
}

int spec_from_oci_resources(const char *json, size_t len, const char *name, struct spec *spec,
			    struct mew_error **err)
{
	struct ctx c = { .file = name != NULL ? name : "resources.json", .err = err };
	json_t *root, *parent;
	int r;

	if (ensure_oci(spec, err) < 0)
		return -1;
	root = load(&c, json, len);
	if (root == NULL)
		return -1;
	parent = json_pack("{sO}", "resources", root);
	json_decref(root);
	if (parent == NULL)
		return mew_error(err, ENOMEM, "%s", c.file);
	/* Paths read "resources.memory.limit" in messages. */
	free(spec->oci->resources.devices);
	spec->oci->resources.devices = NULL;
	spec->oci->resources.ndevices = 0;
	r = read_resources(&c, parent, spec);
	json_decref(parent);
	return r;
}


#include "runtime/runtime.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "container/cgroup_oci.h"

int rt_check_id(const char *id, struct mew_error **err)
{
	if (id == NULL || id[0] == '\0')
		return mew_error(err, 0, "no container ID given");
	if (strchr(id, '/') != NULL || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
	    strlen(id) > 1024)
		return mew_error(err, 0, "invalid container ID `%s`", id);
	return 0;
}

char *rt_state_dir(const char *id)
{
	char *out = NULL;
	if (asprintf(&out, "%s/%s", rt_globals.root, id) < 0)
		return NULL;
	return out;
}

unsigned long long rt_pid_start_time(pid_t pid)
{
	char path[64];
	cleanup_free char *buf = NULL;
	size_t len;
	unsigned long long t = 0;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || file_read(path, &buf, &len, NULL) < 0)
		return 0;
	/* Fields after the command name (which may hold spaces and parens). */
	p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	p += 2;
	/* state is field 3; starttime is field 22 */
	if (*p == 'Z' || *p == 'X')
		return 0;
	for (int field = 3; field < 22 && p != NULL; field++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL || sscanf(p, "%llu", &t) != 1)
		return 0;
	return t;
}

bool rt_pid_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long t = rt_pid_start_time(pid);
	return t != 0 && (start_time == 0 || t == start_time);
}

enum rt_status rt_status(const struct rt_state *st)
{
	char fifo[4200];

	if (!rt_pid_alive(st->pid, st->start_time))
		return RT_STOPPED;
	if (st->cgroup != NULL && cgroup_oci_frozen(st->cgroup))
		return RT_PAUSED;
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	if (access(fifo, F_OK) == 0)
		return RT_CREATED;
	return RT_RUNNING;
}

const char *rt_status_name(enum rt_status s)
{
	static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
	return names[s];
}

char *rt_state_json(const struct rt_state *st, enum rt_status status)
{
	json_t *o = json_object();
	json_t *ann = NULL;
	char *out;

	if (st->annotations != NULL)
		ann = json_loads(st->annotations, 0, NULL);
	json_object_set_new(o, "ociVersion", json_string("1.0.2"));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "status", json_string(rt_status_name(status)));
	json_object_set_new(o, "pid", json_integer(status == RT_STOPPED ? 0 : st->pid));
	json_object_set_new(o, "bundle", json_string(st->bundle != NULL ? st->bundle : ""));
	json_object_set_new(o, "rootfs", json_string(st->rootfs != NULL ? st->rootfs : ""));
	json_object_set_new(o, "created", json_string(st->created != NULL ? st->created : ""));
	json_object_set_new(o, "owner", json_string(""));
	json_object_set_new(o, "annotations", ann != NULL ? ann : json_object());
	out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return out;
}

int rt_state_save(const struct rt_state *st, struct mew_error **err)
{
	json_t *o = json_object();
	char path[4200], tmp[4300];
	char *text;
	int r;

	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid", json_integer(st->pid));
	json_object_set_new(o, "start_time", json_integer((json_int_t)st->start_time));
	json_object_set_new(o, "bundle", json_string(st->bundle != NULL ? st->bundle : ""));
	json_object_set_new(o, "rootfs", json_string(st->rootfs != NULL ? st->rootfs : ""));
	json_object_set_new(o, "created", json_string(st->created != NULL ? st->created : ""));
	json_object_set_new(o, "cgroup", json_string(st->cgroup != NULL ? st->cgroup : ""));
	if (st->engine != NULL)
		json_object_set_new(o, "engine", json_string(st->engine));
	if (st->host_mount != 0)
		json_object_set_new(o, "host_mount", json_integer((json_int_t)st->host_mount));
	json_object_set_new(o, "annotations", st->annotations != NULL
						      ? json_loads(st->annotations, 0, NULL)
						      : json_object());
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return mew_error(err, ENOMEM, "state");
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	snprintf(tmp, sizeof(tmp), "%s/.state.json.tmp", st->dir);
	r = file_write_str(tmp, text, err);
	free(text);
	if (r < 0)
		return -1;
	if (rename(tmp, path) < 0)
		return mew_error(err, errno, "rename `%s`", tmp);
	return 0;
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

int rt_state_load(const char *id, struct rt_state *st, struct mew_error **err)
{
	char path[4200];
	cleanup_free char *buf = NULL;
	json_t *o, *ann;
	size_t len;

	memset(st, 0, sizeof(*st));
	if (rt_check_id(id, err) < 0)
		return -1;
	st->id = strdup(id);
	st->dir = rt_state_dir(id);
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	if (file_read(path, &buf, &len, NULL) < 0) {
		rt_state_free(st);
		return mew_error(err, 0, "container `%s` does not exist", id);
	}
	o = json_loadb(buf, len, 0, NULL);
	if (o == NULL) {
		rt_state_free(st);
		return mew_error(err, 0, "`%s`: corrupt state", path);
	}
	st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	st->start_time = (unsigned long long)json_integer_value(json_object_get(o, "start_time"));
	st->bundle = dup_str(o, "bundle");
	st->rootfs = dup_str(o, "rootfs");
	st->created = dup_str(o, "created");
	st->cgroup = dup_str(o, "cgroup");
	st->engine = dup_str(o, "engine");
	st->host_mount = (unsigned long long)json_integer_value(json_object_get(o, "host_mount"));
	ann = json_object_get(o, "annotations");
	st->annotations = ann != NULL ? json_dumps(ann, JSON_COMPACT) : NULL;
	json_decref(o);
	return 0;
}

void rt_state_free(struct rt_state *st)
{
	free(st->id);
	free(st->dir);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup);
	free(st->annotations);
	free(st->engine);
	memset(st, 0, sizeof(*st));
}

int rt_state_spec(const struct rt_state *st, struct spec *spec, struct mew_error **err)
{
	char path[4200];
	cleanup_free char *buf = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/config.json", st->dir);
	if (file_read(path, &buf, &len, err) < 0)
		return -1;
	return spec_from_oci_json(buf, len, st->bundle, spec, err);
}

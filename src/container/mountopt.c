#include "container/mountopt.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "base/strutil.h"

struct flag_name {
	const char *name;
	bool clear;
	unsigned long flag;
};

static const struct flag_name flag_names[] = {
	{ "ro", false, MS_RDONLY },	    { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },	    { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },	    { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },	    { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },  { "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },   { "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK },	    { "nomand", true, MS_MANDLOCK },
	{ "atime", true, MS_NOATIME },	    { "noatime", false, MS_NOATIME },
	{ "diratime", true, MS_NODIRATIME }, { "nodiratime", false, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
	{ "bind", false, MS_BIND },	    { "rbind", false, MS_BIND | MS_REC },
};

static const struct flag_name propagation_names[] = {
	{ "private", false, MS_PRIVATE },	    { "rprivate", false, MS_PRIVATE | MS_REC },
	{ "shared", false, MS_SHARED },		    { "rshared", false, MS_SHARED | MS_REC },
	{ "slave", false, MS_SLAVE },		    { "rslave", false, MS_SLAVE | MS_REC },
	{ "unbindable", false, MS_UNBINDABLE },	    { "runbindable", false, MS_UNBINDABLE | MS_REC },
};

static const char *const runtime_only[] = {
	"tmpcopyup", "notmpcopyup", "copy-symlink", "idmap", "ridmap", "z", "Z", "U", "O", "defaults",
};

static int append_data(char **data, const char *opt)
{
	size_t old = *data != NULL ? strlen(*data) : 0;
	char *nd = realloc(*data, old + strlen(opt) + 2);
	if (nd == NULL)
		return -1;
	if (old > 0)
		nd[old++] = ',';
	strcpy(nd + old, opt);
	*data = nd;
	return 0;
}

int mount_flags_parse(char *const *options, struct mount_flags *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; options != NULL && options[i] != NULL; i++) {
		const char *o = options[i];
		bool known = o[0] == '\0'; /* an empty option says nothing */

		for (size_t j = 0; j < sizeof(flag_names) / sizeof(flag_names[0]); j++) {
			if (strcmp(o, flag_names[j].name) != 0)
				continue;
			if (flag_names[j].clear)
				out->flags &= ~flag_names[j].flag;
			else
				out->flags |= flag_names[j].flag;
			known = true;
		}
		for (size_t j = 0; j < sizeof(propagation_names) / sizeof(propagation_names[0]); j++) {
			if (strcmp(o, propagation_names[j].name) == 0) {
				out->propagation = propagation_names[j].flag;
				known = true;
			}
		}
		/* Options for the runtime (crun's and podman's), not for mount(2):
		 * a filesystem refuses them with EINVAL.  tmpcopyup's copy is not done. */
		for (size_t j = 0; j < sizeof(runtime_only) / sizeof(runtime_only[0]) && !known; j++)
			known = strcmp(o, runtime_only[j]) == 0;
		if (!known && append_data(&out->data, o) < 0)
			return -1;
	}
	out->readonly = (out->flags & MS_RDONLY) != 0;
	return 0;
}

void mount_flags_free(struct mount_flags *mf)
{
	free(mf->data);
	mf->data = NULL;
}

unsigned long mount_flags_locked(const char *path)
{
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	if (sv.f_flag & ST_RDONLY)
		flags |= MS_RDONLY;
	return flags;
}

#include "container/identity.h"

#include <errno.h>
#include <grp.h>
#include <unistd.h>

int identity_switch(const struct spec *spec, bool userns, const char *origin,
		    struct mew_error **err)
{
	uid_t uid = spec->user_set ? spec->uid : 0;
	gid_t gid = spec->user_set ? spec->gid : 0;
	const char *rootless = userns ? " (a rootless container maps only id 0)" : "";

	if (!userns || spec->ngroups > 0) {
		if (setgroups(spec->ngroups, spec->groups) < 0)
			return mew_error(err, errno, "%s: setgroups%s", origin, rootless);
	}
	if (setresgid(gid, gid, gid) < 0)
		return mew_error(err, errno, "%s: setgid %u%s", origin, (unsigned)gid, rootless);
	if (setresuid(uid, uid, uid) < 0)
		return mew_error(err, errno, "%s: setuid %u%s", origin, (unsigned)uid, rootless);
	return 0;
}

#include "container/caps.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

const char *const caps_default[] = {
	"CAP_CHOWN",	  "CAP_DAC_OVERRIDE", "CAP_FSETID",	      "CAP_FOWNER",
	"CAP_MKNOD",	  "CAP_NET_RAW",      "CAP_SETGID",	      "CAP_SETUID",
	"CAP_SETFCAP",	  "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",	  "CAP_AUDIT_WRITE",  NULL,
};

int caps_apply(const char *const *names, struct mew_error **err)
{
	cap_value_t keep[CAP_LAST_CAP + 64];
	int nkeep = 0, last = (int)cap_max_bits() - 1;
	cap_t caps;
	int r;

	if (names == NULL)
		names = caps_default;
	for (size_t i = 0; names[i] != NULL; i++) {
		cap_value_t v;
		/* libcap wants lower-case names without the prefix, or accepts both. */
		if (cap_from_name(names[i], &v) < 0)
			return mew_error(err, 0, "unknown capability `%s`", names[i]);
		if (nkeep < (int)(sizeof(keep) / sizeof(keep[0])))
			keep[nkeep++] = v;
	}
	for (int c = 0; c <= last; c++) {
		bool kept = false;
		for (int i = 0; i < nkeep; i++)
			kept |= keep[i] == c;
		if (!kept && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return mew_error(err, errno, "drop capability %d from the bounding set", c);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	caps = cap_init();
	if (caps == NULL)
		return mew_error(err, errno, "capabilities");
	if (nkeep > 0 && (cap_set_flag(caps, CAP_EFFECTIVE, nkeep, keep, CAP_SET) < 0 ||
			  cap_set_flag(caps, CAP_PERMITTED, nkeep, keep, CAP_SET) < 0 ||
			  cap_set_flag(caps, CAP_INHERITABLE, nkeep, keep, CAP_SET) < 0)) {
		cap_free(caps);
		return mew_error(err, errno, "capabilities");
	}
	r = cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return mew_error(err, errno, "set capabilities");
	return 0;
}

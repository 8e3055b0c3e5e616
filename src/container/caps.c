#include "container/caps.h"

#include <errno.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#define BIT(c) (1ULL << (c))

uint64_t caps_default(void)
{
	return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) | BIT(CAP_MKNOD) |
	       BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) |
	       BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);
}

int caps_drop_bounding(uint64_t keep, struct mew_error **err)
{
	int last = (int)cap_max_bits() - 1;

	for (int c = 0; c <= last; c++)
		if (!(keep & BIT(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return mew_error(err, errno, "drop capability %d from the bounding set", c);
	return 0;
}

static void free_caps(cap_t *caps)
{
	if (*caps != NULL)
		cap_free(*caps);
}

int caps_limit(uint64_t keep, bool strict, struct mew_error **err)
{
	static const cap_flag_t sets[] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
	__attribute__((cleanup(free_caps))) cap_t caps = cap_get_proc();
	int last = (int)cap_max_bits() - 1;
	cap_flag_value_t v;

	if (caps == NULL)
		return mew_error(err, errno, "capabilities");
	/* the bounding set first: dropping needs CAP_SETPCAP, which may go below */
	if ((strict || (cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)) &&
	    caps_drop_bounding(keep, err) < 0)
		return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (cap_value_t c = 0; c <= last; c++) {
		bool kept = keep & BIT(c);
		if (kept && !strict)
			continue;
		if (kept && (cap_get_flag(caps, c, CAP_PERMITTED, &v) < 0 || v != CAP_SET)) {
			char *name = cap_to_name(c);
			mew_error(err, 0, "capability %s: mew's own permitted set lacks it", name);
			cap_free(name);
			return -1;
		}
		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
			if (cap_set_flag(caps, sets[i], 1, &c, kept ? CAP_SET : CAP_CLEAR) < 0)
				return mew_error(err, errno, "capabilities");
	}
	if (cap_set_proc(caps) < 0)
		return mew_error(err, errno, "set capabilities");
	return 0;
}

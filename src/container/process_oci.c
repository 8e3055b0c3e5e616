#include "container/process_oci.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "container/caps.h"
#include "container/identity.h"
#include "container/lsm_oci.h"

static int last_cap(void)
{
	static int last = -1;
	if (last < 0) {
		cleanup_fclose FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
		if (f == NULL || fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
	}
	return last;
}

static int set_rlimits(const struct spec_oci *oci, struct mew_error **err)
{
	for (size_t i = 0; i < oci->nrlimits; i++) {
		struct rlimit rl = {
			.rlim_cur = oci->rlimits[i].soft == UINT64_MAX ? RLIM_INFINITY : oci->rlimits[i].soft,
			.rlim_max = oci->rlimits[i].hard == UINT64_MAX ? RLIM_INFINITY : oci->rlimits[i].hard,
		};
		if (setrlimit(oci->rlimits[i].resource, &rl) < 0)
			return mew_error(err, errno, "config.json: process.rlimits[%zu]: setrlimit %llu/%llu",
					 i, (unsigned long long)oci->rlimits[i].soft,
					 (unsigned long long)oci->rlimits[i].hard);
	}
	return 0;
}

static int set_oom_score_adj(const struct spec_oci *oci, struct mew_error **err)
{
	char buf[16];
	int n;
	cleanup_close int fd = -1;

	if (!oci->oom_score_adj_set)
		return 0;
	n = snprintf(buf, sizeof(buf), "%d", oci->oom_score_adj);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return mew_error(err, errno, "config.json: process.oomScoreAdj: write %d", oci->oom_score_adj);
	return 0;
}

static int set_caps(const struct spec_caps *caps, struct mew_error **err)
{
	cap_t c = cap_init();
	int r = 0;

	if (c == NULL)
		return mew_error(err, errno, "capabilities");
	for (int i = 0; i <= last_cap() && r == 0; i++) {
		cap_value_t v = i;
		if (caps->effective & (1ULL << i))
			r = cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (r == 0 && caps->permitted & (1ULL << i))
			r = cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
		if (r == 0 && caps->inheritable & (1ULL << i))
			r = cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	if (r == 0)
		r = cap_set_proc(c);
	cap_free(c);
	if (r < 0)
		return mew_error(err, errno, "config.json: process.capabilities: set");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int i = 0; i <= last_cap(); i++) {
		if (!(caps->ambient & (1ULL << i)))
			continue;
		/* The kernel raises an ambient capability only if it is also
		 * inheritable; runc's own default spec lists ambient ones without
		 * inheritable, and runc skips them: so do we. */
		if (!(caps->inheritable & (1ULL << i)) || !(caps->permitted & (1ULL << i))) {
			mew_debug("config.json: process.capabilities.ambient: %d is not inheritable and "
				  "permitted: skipped", i);
			continue;
		}
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
			return mew_error(err, errno, "config.json: process.capabilities.ambient: raise %d", i);
	}
	return 0;
}

/* No linux.seccomp: no filter at all, as runc installs none. */
static int load_filter(const struct spec_oci *oci, struct mew_error **err)
{
	if (oci->seccomp == NULL)
		return 0;
	return seccomp_oci_load(oci->seccomp, oci->no_new_privileges, err);
}

int process_oci_apply(const struct spec *spec, bool userns, struct mew_error **err)
{
	const struct spec_oci *oci = spec->oci;
	bool nnp = oci->no_new_privileges;
	uid_t uid = spec->user_set ? spec->uid : 0;

	if (lsm_oci_apply(spec, err) < 0 || set_rlimits(oci, err) < 0 || set_oom_score_adj(oci, err) < 0)
		return -1;
	if (oci->umask_set)
		umask(oci->umask);
	/* Without no_new_privs only CAP_SYS_ADMIN may load a filter: load it
	 * while we still hold every capability. */
	if (!nnp && load_filter(oci, err) < 0)
		return -1;
	if (!oci->caps.set) {
		if (caps_limit(caps_default(), true, err) < 0 ||
		    identity_switch(spec, userns, "config.json: process.user", err) < 0)
			return -1;
	} else {
		if (caps_drop_bounding(oci->caps.bounding, err) < 0)
			return -1;
		/* Keep the permitted set across the switch to another uid, then
		 * set the exact sets the config asks for. */
		if (uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return mew_error(err, errno, "keep capabilities");
		if (identity_switch(spec, userns, "config.json: process.user", err) < 0 || set_caps(&oci->caps, err) < 0)
			return -1;
	}
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return mew_error(err, errno, "no_new_privs");
	if (nnp && load_filter(oci, err) < 0)
		return -1;
	return 0;
}

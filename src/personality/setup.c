/* The spec -> personality setup, the same for every engine that answers
 * with the personality: the rootfs, the volumes (`:ro` kept), the default
 * binds, --read-only, the hostname. */
#include "personality/pers.h"

#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/spec.h"

int pers_setup(struct pers *p, const struct spec *spec, struct mew_error **err)
{
	if (pers_init(p, spec->rootfs, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		bool ro = false;
		if (m->type != NULL && strcmp(m->type, "bind") != 0)
			continue; /* tmpfs, proc: the host's view serves */
		for (char **o = m->options; o != NULL && *o != NULL; o++)
			if (strcmp(*o, "ro") == 0)
				ro = true;
		if (pers_add_bind(p, m->source, m->destination, ro, err) < 0)
			return -1;
	}
	if (pers_add_default_binds(p, err) < 0)
		return -1;
	p->readonly_root = spec->readonly_root;
	if (spec->hostname != NULL)
		pers_set_hostname(p, spec->hostname);
	return 0;
}

uint64_t pers_host_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

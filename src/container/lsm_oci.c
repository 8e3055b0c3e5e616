#include "container/lsm_oci.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/file.h"

static bool apparmor_enabled(void)
{
	cleanup_free char *buf = NULL;
	size_t len;

	return file_read("/sys/module/apparmor/parameters/enabled", &buf, &len, NULL) == 0 &&
	       len > 0 && buf[0] == 'Y';
}

/* selinuxfs is mounted where the kernel runs SELinux. */
static bool selinux_enabled(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int lsm_oci_check(const struct spec *spec, struct mew_error **err)
{
	const struct spec_oci *oci = spec->oci;

	if (oci == NULL)
		return 0;
	if (oci->apparmor_profile != NULL && !apparmor_enabled())
		return mew_error(err, 0, "config.json: process.apparmorProfile: `%s`: AppArmor is not "
				 "enabled on this host", oci->apparmor_profile);
	if (oci->selinux_label != NULL && !selinux_enabled())
		return mew_error(err, 0, "config.json: process.selinuxLabel: `%s`: SELinux is not "
				 "enabled on this host", oci->selinux_label);
	if (oci->mount_label != NULL && !selinux_enabled())
		return mew_error(err, 0, "config.json: linux.mountLabel: `%s`: SELinux is not enabled "
				 "on this host", oci->mount_label);
	if (oci->mount_label != NULL)
		return mew_error(err, 0, "config.json: linux.mountLabel: `%s`: mew does not label "
				 "mounts", oci->mount_label);
	return 0;
}

/* Write value to /proc/thread-self/attr/<module>/exec (or the older shared
 * attr/exec): it takes effect at the next execve. */
static int attr_exec(const char *module, const char *value, const char *field, struct mew_error **err)
{
	char path[96];
	cleanup_close int fd = -1;
	size_t n = strlen(value);

	snprintf(path, sizeof(path), "/proc/thread-self/attr/%s/exec", module);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, n) != (ssize_t)n)
		return mew_error(err, errno, "config.json: %s: apply `%s`", field, value);
	return 0;
}

int lsm_oci_apply(const struct spec *spec, struct mew_error **err)
{
	const struct spec_oci *oci = spec->oci;
	char buf[1024];

	if (oci == NULL)
		return 0;
	if (oci->apparmor_profile != NULL) {
		snprintf(buf, sizeof(buf), "exec %s", oci->apparmor_profile);
		if (attr_exec("apparmor", buf, "process.apparmorProfile", err) < 0)
			return -1;
	}
	if (oci->selinux_label != NULL &&
	    attr_exec("selinux", oci->selinux_label, "process.selinuxLabel", err) < 0)
		return -1;
	return 0;
}

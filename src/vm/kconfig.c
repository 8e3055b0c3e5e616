#include "vm/kconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/file.h"

/* What the agent's guest needs, and what for. */
static const struct {
	const char *opt, *what;
} needed[] = {
	{ "CONFIG_VIRTIO_MMIO", "virtio-mmio (every device)" },
	{ "CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES", "virtio-mmio devices from the command line" },
	{ "CONFIG_DEVTMPFS", "devtmpfs" },
	{ "CONFIG_BLK_DEV_INITRD", "the initramfs (the agent)" },
	{ "CONFIG_SERIAL_8250_CONSOLE", "the serial console" },
	{ "CONFIG_NET_9P_VIRTIO", "9p over virtio (the rootfs)" },
	{ "CONFIG_9P_FS", "the 9p file system (the rootfs)" },
	{ "CONFIG_VIRTIO_VSOCKETS", "virtio-vsock (the command's stdio and status)" },
};

/* "y", "m" or NULL (not set) for opt in config. */
static const char *value(const char *config, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = config; p != NULL;) {
		if (strncmp(p, opt, n) == 0 && p[n] == '=')
			return p[n + 1] == 'y' ? "y" : p[n + 1] == 'm' ? "m" : NULL;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

int vm_kernel_config_text_check(const char *config, char *why, size_t len)
{
	size_t at = 0;
	int bad = 0;

	why[0] = '\0';
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		const char *v = value(config, needed[i].opt);
		if (v != NULL && v[0] == 'y')
			continue;
		at += (size_t)snprintf(why + at, at < len ? len - at : 0, "%s%s (%s) %s", bad ? "; " : "",
				       needed[i].what, needed[i].opt,
				       v != NULL ? "is a module, which mew's initramfs does not load" : "is not built");
		bad = 1;
	}
	return bad ? -1 : 0;
}

int vm_kernel_config_check(const char *kernel_path, char *why, size_t len)
{
	cleanup_free char *dir = strdup(kernel_path), *text = NULL;
	const char *base = strrchr(kernel_path, '/');
	char *slash = dir != NULL ? strrchr(dir, '/') : NULL;
	char cand[3][4096];
	size_t n;

	base = base != NULL ? base + 1 : kernel_path;
	if (slash != NULL)
		*slash = '\0';
	snprintf(cand[0], sizeof(cand[0]), "%s/config", slash != NULL ? dir : ".");
	snprintf(cand[1], sizeof(cand[1]), "%s/.config", slash != NULL ? dir : ".");
	/* vmlinuz-6.1.0-28-amd64 -> /boot/config-6.1.0-28-amd64 */
	snprintf(cand[2], sizeof(cand[2]), "/boot/config-%s", strchr(base, '-') != NULL ? strchr(base, '-') + 1 : base);
	for (int i = 0; i < 3; i++) {
		struct mew_error *e = NULL;
		if (!file_exists(cand[i]))
			continue;
		if (file_read(cand[i], &text, &n, &e) < 0) {
			mew_error_free(e);
			continue;
		}
		int r = vm_kernel_config_text_check(text, why, len);
		if (r < 0) {
			size_t at = strlen(why);
			snprintf(why + at, at < len ? len - at : 0, " (per %s)", cand[i]);
		}
		return r;
	}
	snprintf(why, len, "not checked: no config next to `%s` or at %s", kernel_path, cand[2]);
	return 0;
}

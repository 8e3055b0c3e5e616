/* What a --kernel was built with, read before booting it: its .config
 * (next to it as `config` or `.config`, as scripts/guest-kernel.sh leaves
 * it, or /boot/config-VERSION for a distribution's vmlinuz-VERSION), checked
 * for what mew's guest needs built in: mew's initramfs loads no modules, so
 * a stock kernel that builds virtio-mmio, 9p or vsock as modules cannot
 * reach the agent, and mew says so rather than booting it to a hang. */
#ifndef MEW_VM_KCONFIG_H
#define MEW_VM_KCONFIG_H

#include <stddef.h>

/* 0 when the kernel's config has what the agent needs built in, or when no
 * config can be found (why then says that it was not checked); -1 with why
 * naming what is missing or a module. */
int vm_kernel_config_check(const char *kernel_path, char *why, size_t len);
/* The same on a config text (for tests). */
int vm_kernel_config_text_check(const char *config, char *why, size_t len);

#endif

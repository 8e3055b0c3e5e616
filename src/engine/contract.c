/* The contract: for every flag of `mew run`, whether each engine honours it
 * exactly or refuses it by name before anything runs.  One table, read by
 * engine_fit_spec (the refusal), `mew engines --json`, the README's table and
 * tests/e2e/contract.bats (which checks the honoured cells for real).
 *
 * When an engine comes to honour a field, flip its cell: NO("...") -> YES.
 * Every cell is declared; tests/unit/test_contract.c fails on a missing one. */
#include "engine/engine.h"

#include <string.h>

#define YES { .honoured = true }
#define NO(text) { .why = text }

/* The reasons, said once where several cells share them. */
#define NO_CGROUPS "cannot limit resources (it makes no cgroups): use --engine container, or emulate as root"
#define NO_NET_USER "has no user-mode network (passt) yet (--net host is the host's): use --engine vm"
#define NO_NETNS "shares the host's network (it makes no namespaces): use --engine container or vm for an isolated one"
#define NO_TERMINAL "cannot give the command a terminal of its own (it shares mew's): use --engine container or vm"
#define NO_FOREIGN "runs only programs of the host's architecture: use --engine emulate"
#define NO_JIT "runs the host's own code, without a translator to turn off or on: use --engine emulate"
#define NO_VM "runs no virtual machine (the flag is the vm engine's): use --engine vm"

/* Every run has an environment: mew's defaults (PATH, HOME, ...) and -e's. */
static bool uses_env(const struct spec *s)
{
	return s->env != NULL;
}

static bool uses_workdir(const struct spec *s)
{
	return s->cwd != NULL;
}

static bool uses_user(const struct spec *s)
{
	return s->user_set;
}

static bool uses_hostname(const struct spec *s)
{
	return s->hostname != NULL;
}

static bool uses_tty(const struct spec *s)
{
	return s->tty;
}

static bool uses_interactive(const struct spec *s)
{
	return s->interactive;
}

static bool bind_is_ro(const struct spec_mount *m)
{
	for (size_t i = 0; m->options != NULL && m->options[i] != NULL; i++)
		if (strcmp(m->options[i], "ro") == 0)
			return true;
	return false;
}

static bool uses_bind(const struct spec *s, bool ro)
{
	for (size_t i = 0; i < s->nmounts; i++)
		if (strcmp(s->mounts[i].type, "bind") == 0 && bind_is_ro(&s->mounts[i]) == ro)
			return true;
	return false;
}

static bool uses_volume(const struct spec *s)
{
	return uses_bind(s, false);
}

static bool uses_volume_ro(const struct spec *s)
{
	return uses_bind(s, true);
}

static bool uses_read_only(const struct spec *s)
{
	return s->readonly_root;
}

static bool uses_sandbox_strict(const struct spec *s)
{
	return s->sandbox_strict;
}

static bool uses_memory(const struct spec *s)
{
	return s->limits.memory > 0;
}

static bool uses_pids(const struct spec *s)
{
	return s->limits.pids > 0;
}

static bool uses_cpus(const struct spec *s)
{
	return s->limits.cpus > 0;
}

static bool uses_net_none(const struct spec *s)
{
	return s->net == SPEC_NET_NONE;
}

static bool uses_net_host(const struct spec *s)
{
	return s->net == SPEC_NET_HOST;
}

static bool uses_net_user(const struct spec *s)
{
	return s->net == SPEC_NET_USER;
}

static bool uses_foreign_arch(const struct spec *s)
{
	return s->arch != NULL && strcmp(s->arch, spec_host_arch()) != 0;
}

static bool uses_jit(const struct spec *s)
{
	return s->jit != SPEC_JIT_DEFAULT;
}

static bool uses_kernel(const struct spec *s)
{
	return s->vm.kernel != NULL;
}

static bool uses_initrd(const struct spec *s)
{
	return s->vm.initrd != NULL;
}

static bool uses_cmdline(const struct spec *s)
{
	return s->vm.cmdline != NULL;
}

static bool uses_console(const struct spec *s)
{
	return s->vm.console;
}

static bool uses_disk(const struct spec *s)
{
	return s->vm.disk != NULL;
}

static bool uses_root_disk(const struct spec *s)
{
	return s->vm.root_disk;
}

static bool uses_vsock_uds(const struct spec *s)
{
	return s->vm.vsock_uds != NULL;
}

static bool uses_no_snapshot(const struct spec *s)
{
	return s->vm.no_snapshot;
}

static bool uses_vm_debug(const struct spec *s)
{
	return s->vm.boot_pvh || s->vm.no_probe || s->vm.timing || s->vm.sample_ms > 0;
}

const struct engine_clause engine_contract[] = {
	{ "env", "--env", "-e NAME=VALUE", uses_env, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "workdir", "--workdir", "-w DIR", uses_workdir, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "user", "--user", "-u UID[:GID]", uses_user, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "hostname", "--hostname", "--hostname NAME", uses_hostname, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "tty", "--tty", "-t", uses_tty, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = NO(NO_TERMINAL),
		[ENGINE_EMULATE] = NO(NO_TERMINAL),
		[ENGINE_VM] = YES } },
	{ "interactive", "--interactive", "-i", uses_interactive, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "volume", "--volume", "-v HOST:GUEST", uses_volume, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "volume-ro", "--volume", "-v HOST:GUEST:ro", uses_volume_ro, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "read-only", "--read-only", "--read-only", uses_read_only, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	/* Honoured: each engine runs only behind a complete wall (namespaces,
	 * a kernel of its own, or a Landlock domain whose gaps on this host
	 * engine_fit_spec refuses: src/wall). */
	{ "sandbox-strict", "--sandbox strict", "--sandbox strict", uses_sandbox_strict, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "memory", "--memory", "--memory SIZE", uses_memory, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = NO(NO_CGROUPS),
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "pids", "--pids", "--pids N", uses_pids, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = NO(NO_CGROUPS),
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = NO("does not limit processes inside the guest yet: use --engine container") } },
	{ "cpus", "--cpus", "--cpus N", uses_cpus, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = NO(NO_CGROUPS),
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = YES } },
	{ "net-none", "--net none", "--net none", uses_net_none, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = NO(NO_NETNS),
		[ENGINE_EMULATE] = NO(NO_NETNS),
		[ENGINE_VM] = YES } },
	{ "net-host", "--net host", "--net host", uses_net_host, {
		[ENGINE_CONTAINER] = YES,
		[ENGINE_SYSCALL] = YES,
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = NO("gives the guest a network of its own (--net user reaches out through the host), "
				 "not the host's: use --engine container, syscall or emulate for the host's network") } },
	{ "net-user", "--net user", "--net user", uses_net_user, {
		[ENGINE_CONTAINER] = NO(NO_NET_USER),
		[ENGINE_SYSCALL] = NO(NO_NET_USER),
		[ENGINE_EMULATE] = NO(NO_NET_USER),
		[ENGINE_VM] = YES } },
	{ "arch", "--arch", "--arch (not the host's)", uses_foreign_arch, {
		[ENGINE_CONTAINER] = NO(NO_FOREIGN),
		[ENGINE_SYSCALL] = NO(NO_FOREIGN),
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = NO(NO_FOREIGN) } },
	{ "jit", "--jit", "--jit off|on", uses_jit, {
		[ENGINE_CONTAINER] = NO(NO_JIT),
		[ENGINE_SYSCALL] = NO(NO_JIT),
		[ENGINE_EMULATE] = YES,
		[ENGINE_VM] = NO("runs the guest's code on the CPU (KVM), without a translator to turn off or on: "
				 "use --engine emulate") } },
	{ "kernel", "--kernel", "--kernel FILE", uses_kernel, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "initrd", "--initrd", "--initrd FILE", uses_initrd, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "cmdline", "--cmdline", "--cmdline STR", uses_cmdline, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "console", "--console", "--console", uses_console, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "disk", "--disk", "--disk FILE", uses_disk, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "root-disk", "--root-disk", "--root-disk", uses_root_disk, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "vsock-uds", "--vsock-uds", "--vsock-uds PREFIX", uses_vsock_uds, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "no-snapshot", "--no-snapshot", "--no-snapshot", uses_no_snapshot, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ "vm-debug", "--vm-debug", "--vm-debug LIST", uses_vm_debug, {
		[ENGINE_CONTAINER] = NO(NO_VM),
		[ENGINE_SYSCALL] = NO(NO_VM),
		[ENGINE_EMULATE] = NO(NO_VM),
		[ENGINE_VM] = YES } },
	{ NULL },
};

const struct engine_term *engine_term(const struct engine *e, const struct engine_clause *c)
{
	for (size_t i = 0; i < ENGINE_COUNT; i++)
		if (engines[i] == e)
			return &c->terms[i];
	return NULL; /* not a registered engine */
}

const struct engine_clause *engine_clause_find(const char *name)
{
	for (const struct engine_clause *c = engine_contract; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

bool engine_honours(const struct engine *e, const char *name)
{
	const struct engine_clause *c = engine_clause_find(name);
	const struct engine_term *t = c != NULL ? engine_term(e, c) : NULL;

	return t != NULL && t->honoured;
}

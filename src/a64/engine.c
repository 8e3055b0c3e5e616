/* The emulate engine: arm64 Linux programs on this host, every instruction
 * simulated by the interpreter in src/a64.  mew forks one child that
 * becomes the guest process; a guest execve re-executes mew (`mew
 * __a64-exec`) so that the new program gets a fresh address space. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/exec.h"
#include "a64/jit/jit.h"
#include "a64/vdso.h"
#include "base/log.h"
#include "cgroup/cgroup.h"
#include "engine/engine.h"
#include "wall/wall.h"

static struct a64_sighand first_sighand = { .refs = 1 };
struct a64_proc a64_proc_static = { .sighand = &first_sighand };
__thread struct a64_proc *a64_self = &a64_proc_static;

static int probe(char *why, size_t len)
{
	size_t at;

	wall_describe(why, len);
	/* Landlock lets a domain that reads /proc read other processes'
	 * environ, maps and status; the interpreter reads /proc itself, so
	 * only mew's answers (pers.guest_root) keep the guest from them */
	at = strlen(why);
	if (wall_abi() > 0 && at < len)
		snprintf(why + at, len - at, ", host processes' /proc/N/{environ,maps,status} (refused by mew's "
					     "answers, not by the kernel)");
	return 0;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t k = 0; env != NULL && env[k] != NULL; k++)
		if (strncmp(env[k], name, n) == 0 && env[k][n] == '=')
			return env[k] + n + 1;
	return NULL;
}

/* Become the guest: a64_self->pers is set up; load cmd, run.  Returns only
 * on failure, with *err set. */
static int become_guest(const char *cmd, char *const *argv, char *const *env, struct mew_error **err)
{
	char hcwd[PATH_MAX], path[PATH_MAX];
	/* (the cwd is the run's guest path: "." from it, not re-rooted) */
	int r = a64_path(AT_FDCWD, ".", 1, hcwd, sizeof(hcwd));
	if (r != AT_FDCWD || chdir(hcwd) < 0)
		return mew_error(err, r != AT_FDCWD ? -r : errno, "workdir `%s`", a64_self->pers.cwd);
	r = pers_lookup(&a64_self->pers, cmd, env_get(env, "PATH"), path, sizeof(path));
	if (r == -ENOENT)
		return mew_error_status(err, MEW_EXIT_NOT_FOUND, 0, "`%s`: command not found", cmd);
	if (r < 0)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, -r, "`%s`", cmd);
	/* exec's rules for the credentials, with the set-id bits of the
	 * program run (a script's interpreter) */
	static struct pers_exec ex;
	if (pers_exec_script(&a64_self->pers, NULL, path, NULL, &ex) < 0)
		ex.mode = ex.uid = ex.gid = 0;
	pers_cred_exec(&a64_self->pers.cred, ex.mode, ex.uid, ex.gid);
	if (a64_vdso_map() < 0)
		return mew_error(err, errno, "map the vDSO");
	struct a64_cpu *c = a64_cpu_new();
	if (c == NULL)
		return mew_error(err, ENOMEM, "allocate the CPU");
	a64_fault_init();
	a64_signal_init();
	if (a64_load(c, path, argv, env, err) < 0)
		return -1;
	a64_debug("%s: %s", path, a64_jit_enabled ? "translated" : "interpreted");
	c->tid = getpid();
	a64_self->threads = 1;
	a64_fpcr_write(c, 0);
	sigset_t cur;
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	for (int s = 1; s <= 64; s++)
		if (sigismember(&cur, s) == 1)
			c->blocked |= 1ull << (s - 1);
	a64_run(c);
}

static volatile pid_t guest_pid;

static void forward(int sig)
{
	if (guest_pid > 0)
		kill(guest_pid, sig);
}

/* The guest's own /dev, made by mew before the keeper forks and removed
 * after it is gone. */
static char devdir[PATH_MAX];

static int setup_pers(const struct spec *spec, struct mew_error **err)
{
	struct pers *p = &a64_self->pers;
	if (pers_setup(p, spec, err) < 0)
		return -1;
	if (wall_dev_binds(p, devdir, !spec->sandbox_strict, err) < 0)
		return -1;
	p->guest_root = getppid(); /* the keeper, the guest's subreaper */
	p->sock_names = true; /* a64/sock.c gives AF_UNIX names back as the guest's */
	if (spec->user_set)
		pers_cred_init(&p->cred, spec->uid, spec->gid);
	/* what the kernel checks on the guest's real process (an rlimit,
	 * oom_score_adj) the fake root claims only when this process can */
	pers_cred_bound(&p->cred, pers_host_caps() & wall_caps_kept());
	if (spec->cwd != NULL) {
		int r = pers_set_cwd(p, spec->cwd);
		if (r < 0)
			return mew_error(err, -r, "workdir `%s`", spec->cwd);
	}
	return 0;
}

/* The guest's calls are made by this process: it goes behind the wall
 * once the personality is set up, before the guest's first instruction;
 * the keeper and mew stay outside.  A guest execve (mew __a64-exec) stays
 * inside: mew's own files are in it, to be executed and read. */
static int enter_wall(struct mew_error **err)
{
	struct wall w;
	int r;

	if (wall_open(&w, err) < 0)
		return -1;
	if (wall_allow_pers(&w, &a64_self->pers, true, err) < 0 || wall_allow_self(&w, err) < 0) {
		wall_close(&w);
		return -1;
	}
	r = wall_enter(&w);
	wall_close(&w);
	return r < 0 ? mew_error(err, -r, "the wall: entering the Landlock domain") : 0;
}

static int guest_main(void *arg)
{
	const struct spec *spec = arg;
	struct mew_error *e = NULL;
	if (setup_pers(spec, &e) == 0 && enter_wall(&e) == 0)
		become_guest(spec->argv[0], spec->argv, spec->env, &e);
	return mew_error_report(e);
}

static int run(const struct spec *spec, struct mew_error **err)
{
	struct cgroup cg = { 0 };
	struct cgroup_birth birth;
	a64_debug_on = mew_log_level >= 2;
	a64_jit_configure();
	if (spec->jit != SPEC_JIT_DEFAULT && a64_jit_choose(spec->jit == SPEC_JIT_ON) < 0)
		return mew_error(err, 0, "--jit on: this host has no arm64 translator (x86-64 hosts do): use --jit off");
	if (a64_limits_check(spec, err) < 0)
		return -1;
	/* the keeper is born into the groups, the guest below it with it */
	cgroup_birth_init(&birth);
	if (cgroup_wanted(&spec->limits)) {
		char name[64];
		cgroup_cleanup_stale();
		snprintf(name, sizeof(name), "run-%d", (int)getpid());
		if (cgroup_create(name, &spec->limits, &cg, err) < 0)
			return -1;
		if (cgroup_birth_of(&cg, &birth, err) < 0) {
			cgroup_destroy(&cg);
			return -1;
		}
	}
	if (wall_dev_make(spec, devdir, sizeof(devdir), err) < 0) {
		cgroup_birth_close(&birth);
		cgroup_destroy(&cg);
		return -1;
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = cgroup_birth_clone(&birth, SIGCHLD);
	if (pid < 0) {
		cgroup_birth_close(&birth);
		cgroup_destroy(&cg);
		wall_dev_remove(devdir);
		return mew_error(err, errno, "fork");
	}
	if (pid == 0) {
		struct mew_error *e = NULL;
		if (cgroup_birth_join(&birth, &e) < 0)
			_exit(mew_error_report(e));
		cgroup_birth_close(&birth);
		a64_keeper(parent, guest_main, (void *)spec);
	}
	cgroup_birth_close(&birth);
	/* the guest gets the terminal's signals; mew waits for the keeper
	 * and passes on the ones meant for mew itself */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	guest_pid = pid;
	struct sigaction sa = { .sa_handler = forward };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			cgroup_destroy(&cg);
			wall_dev_remove(devdir);
			return mew_error(err, errno, "wait for the guest");
		}
	cgroup_destroy(&cg);
	wall_dev_remove(devdir);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* The credentials travel in a memfd the new image reads and closes (with
 * the kernel's 65536 groups they do not fit an argument string); -1. */
static int cred_fd = -1;

void a64_exec_args_done(void)
{
	if (cred_fd >= 0)
		close(cred_fd);
	cred_fd = -1;
}

static int cred_read(int fd, struct pers_cred *c)
{
	size_t n = 4ul * PERS_CRED_NGROUPS;
	int ok = pread(fd, c, PERS_CRED_HEAD, 0) == (ssize_t)PERS_CRED_HEAD && pers_cred_valid(c) &&
		 (n = 4ul * c->ngroups, pread(fd, c->groups, n, PERS_CRED_HEAD) == (ssize_t)n);
	close(fd);
	return ok ? 0 : -1;
}

/* The personality travels over a guest's execve as arguments:
 * MODE ROOTFS CWD CHROOT HOSTNAME CRED ROOT NBINDS (HOST GUEST RO)...;
 * CHROOT is the process's root with a leading "r" (chroot(2)); MODE is 1
 * for debug, 2 added for the interpreter alone; CRED is the fd of a memfd
 * holding the credential set (the part in use), the exec's rules applied
 * by the new image; ROOT is guest_root, with a leading "r" when the rootfs
 * is read-only.  After a failed execve: a64_exec_args_done. */
int a64_exec_args(char **av)
{
	static char num[24], root[32], cred[24], chroot[PATH_MAX + 1];
	const struct pers *p = &a64_self->pers;
	int k = 0;
	static const char *mode[] = { "0", "1", "2", "3" };
	av[k++] = (char *)mode[(a64_debug_on ? 1 : 0) | (a64_jit_enabled ? 0 : 2)];
	av[k++] = p->rootfs;
	av[k++] = (char *)p->cwd;
	snprintf(chroot, sizeof(chroot), "r%s", p->root);
	av[k++] = chroot;
	av[k++] = (char *)p->uts.nodename;
	a64_exec_args_done();
	cred_fd = memfd_create("mew-cred", 0);
	if (cred_fd >= 0 && write(cred_fd, &p->cred, pers_cred_size(&p->cred)) != (ssize_t)pers_cred_size(&p->cred))
		a64_exec_args_done();
	snprintf(cred, sizeof(cred), "%d", cred_fd);
	snprintf(num, sizeof(num), "%zu", p->nbinds);
	snprintf(root, sizeof(root), "%s%d", p->readonly_root ? "r" : "", (int)p->guest_root);
	av[k++] = cred;
	av[k++] = root;
	av[k++] = num;
	for (size_t b = 0; b < p->nbinds; b++) {
		av[k++] = p->binds[b].host;
		av[k++] = p->binds[b].guest;
		av[k++] = p->binds[b].ro ? "1" : "0";
	}
	return k;
}

/* `mew __a64-exec ARGS PATH ARGV...` (a64_exec_args): the guest called execve. */
int a64_exec_main(int argc, char **argv)
{
	struct mew_error *e = NULL;
	struct pers *p = &a64_self->pers;
	if (argc < 10)
		goto usage;
	unsigned long mode = strtoul(argv[1], NULL, 10);
	a64_debug_on = (mode & 1) != 0;
	a64_jit_enabled = (mode & 2) == 0;
	if (pers_init(p, argv[2], &e) < 0)
		return mew_error_report(e);
	p->readonly_root = argv[7][0] == 'r';
	p->guest_root = (pid_t)strtol(argv[7] + (argv[7][0] == 'r'), NULL, 10);
	p->sock_names = true;
	size_t nb = strtoul(argv[8], NULL, 10);
	if ((size_t)argc < 10 + 3 * nb || argv[4][0] != 'r')
		goto usage;
	for (size_t b = 0; b < nb; b++)
		if (pers_add_bind(p, argv[9 + 3 * b], argv[10 + 3 * b], argv[11 + 3 * b][0] == '1', &e) < 0)
			return mew_error_report(e);
	pers_set_hostname(p, argv[5]);
	if (cred_read(atoi(argv[6]), &p->cred) < 0)
		goto usage;
	snprintf(p->cwd, sizeof(p->cwd), "%s", argv[3]);
	snprintf(p->root, sizeof(p->root), "%s", argv[4] + 1);
	argv += 9 + 3 * nb;
	argc -= 9 + 3 * nb;
	if (argc < 2)
		goto usage;

	extern char **environ;
	char path[PATH_MAX];
	/* execve does not search PATH */
	snprintf(path, sizeof(path), "%s%s", strchr(argv[0], '/') ? "" : "./", argv[0]);
	become_guest(path, argv + 1, environ, &e);
	return mew_error_report(e);
usage:
	fprintf(stderr, "mew: __a64-exec: internal command, not for users\n");
	return MEW_EXIT_FAILURE;
}

/* `mew-aarch64 PROGRAM [ARG...]`, as the kernel's binfmt_misc runs it for an
 * arm64 program (see src/cli/binfmt.c), or by hand.  The guest is this
 * process (its parent waits for this pid), its root directory the
 * process's own, its identity the real one. */
int a64_binfmt_main(int argc, char **argv)
{
	struct mew_error *e = NULL;
	struct pers *p = &a64_self->pers;
	char path[PATH_MAX], cwd[PATH_MAX];
	if (getenv("MEW_BINFMT_PROBE") != NULL) { /* `mew binfmt status` asks who runs arm64 */
		fputs("mew\n", stdout);
		return 0;
	}
	/* with the P flag the kernel passes the path, then the original argv */
	int preserve = (getauxval(AT_FLAGS) & 1 /* AT_FLAGS_PRESERVE_ARGV0 */) != 0;
	if (argc < 2 + preserve) {
		fprintf(stderr, "Usage: mew-aarch64 PROGRAM [ARG...]: run an arm64 Linux program "
				"(the binfmt_misc interpreter, see mew binfmt)\n");
		return MEW_EXIT_FAILURE;
	}
	const char *env = getenv("MEW_DEBUG");
	a64_debug_on = env != NULL && env[0] != '\0' && strcmp(env, "0") != 0;
	a64_jit_configure();
	if (pers_init(p, "/", &e) < 0)
		return mew_error_report(e);
	p->fake_root = false;
	p->uid = getuid();
	p->gid = getgid();
	if (getcwd(cwd, sizeof(cwd)) != NULL)
		pers_set_cwd(p, cwd);
	a64_self->binfmt = 1;
	/* the program by its path, never searched along PATH */
	snprintf(path, sizeof(path), "%s%s", strchr(argv[1], '/') ? "" : "./", argv[1]);
	extern char **environ;
	become_guest(path, argv + 1 + preserve, environ, &e);
	return mew_error_report(e);
}

int emulate_is_foreign(const struct spec *spec)
{
#if defined(__aarch64__)
	return 0;
#else
	struct pers p;
	struct mew_error *e = NULL;
	char guest[PATH_MAX], host[PATH_MAX];
	int r = 0;

	if (spec->rootfs == NULL || spec->argv == NULL || spec->argv[0] == NULL)
		return 0;
	if (pers_init(&p, spec->rootfs, &e) < 0) {
		mew_error_free(e);
		return 0;
	}
	if (spec->cwd != NULL)
		pers_set_cwd(&p, spec->cwd);
	if (pers_lookup(&p, spec->argv[0], spec_getenv(spec, "PATH"), guest, sizeof(guest)) == 0 &&
	    pers_translate(&p, NULL, guest, PERS_FOLLOW, host, sizeof(host)) == 0)
		r = a64_is_elf(host);
	pers_free(&p);
	return r;
#endif
}

const struct engine engine_emulate = {
	.name = "emulate",
	.summary = "arm64 programs on this host, every instruction simulated",
	.wall_gaps = wall_gaps,
	.probe = probe,
	.run = run,
};

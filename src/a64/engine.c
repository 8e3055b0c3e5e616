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
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a64/a64.h"
#include "a64/exec.h"
#include "base/log.h"
#include "engine/engine.h"

struct a64_proc a64_proc;

static int probe(char *why, size_t len)
{
	(void)why;
	(void)len;
	return 0;
}

static int make_tramp(void)
{
	uint32_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	p[0] = 0xd2801168; /* mov x8, #139 (rt_sigreturn) */
	p[1] = 0xd4000001; /* svc #0 */
	mprotect(p, 4096, PROT_READ);
	a64_proc.sigreturn_tramp = (uint64_t)(uintptr_t)p;
	return 0;
}

/* Find argv0 along PATH inside the rootfs, as execvp would. */
static int find_command(const char *name, const char *path_env, char *out, size_t len)
{
	char hp[PATH_MAX];
	if (strchr(name, '/') != NULL) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	const char *p = path_env != NULL ? path_env : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	int saw_eacces = 0;
	while (*p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char cand[PATH_MAX];
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, n ? p : ".", name);
		if (a64_path(AT_FDCWD, cand, 1, hp, sizeof(hp)) == AT_FDCWD) {
			if (access(hp, X_OK) == 0) {
				snprintf(out, len, "%s", cand);
				return 0;
			}
			if (errno == EACCES)
				saw_eacces = 1;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return saw_eacces ? -EACCES : -ENOENT;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t k = 0; env != NULL && env[k] != NULL; k++)
		if (strncmp(env[k], name, n) == 0 && env[k][n] == '=')
			return env[k] + n + 1;
	return NULL;
}

/* Become the guest: set up the process, load path, run.  Returns only on
 * failure, with *err set. */
static int become_guest(const char *rootfs, const char *cwd, const char *cmd, char *const *argv,
			char *const *env, struct mew_error **err)
{
	char real[PATH_MAX], hcwd[PATH_MAX], path[PATH_MAX];
	if (realpath(rootfs, real) == NULL)
		return mew_error(err, errno, "rootfs `%s`", rootfs);
	snprintf(a64_proc.rootfs, sizeof(a64_proc.rootfs), "%s", strcmp(real, "/") == 0 ? "" : real);
	snprintf(a64_proc.cwd, sizeof(a64_proc.cwd), "%s", cwd != NULL ? cwd : "/");
	int r = a64_path(AT_FDCWD, a64_proc.cwd, 1, hcwd, sizeof(hcwd));
	if (r != AT_FDCWD || chdir(hcwd) < 0)
		return mew_error(err, r != AT_FDCWD ? -r : errno, "workdir `%s`", a64_proc.cwd);
	r = find_command(cmd, env_get(env, "PATH"), path, sizeof(path));
	if (r == -ENOENT)
		return mew_error_status(err, MEW_EXIT_NOT_FOUND, 0, "`%s`: command not found", cmd);
	if (r < 0)
		return mew_error_status(err, MEW_EXIT_NOT_EXEC, -r, "`%s`", cmd);
	if (make_tramp() < 0)
		return mew_error(err, errno, "map the signal trampoline");
	struct a64_cpu *c = a64_cpu_new();
	if (c == NULL)
		return mew_error(err, ENOMEM, "allocate the CPU");
	a64_fault_init();
	a64_signal_init();
	if (a64_load(c, path, argv, env, err) < 0)
		return -1;
	c->tid = getpid();
	a64_fpcr_write(c, 0);
	sigset_t cur;
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	for (int s = 1; s <= 64; s++)
		if (sigismember(&cur, s) == 1)
			c->blocked |= 1ull << (s - 1);
	a64_run(c);
}

static int run(const struct spec *spec, struct mew_error **err)
{
	a64_debug_on = mew_log_level >= 2;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return mew_error(err, errno, "fork");
	if (pid == 0) {
		struct mew_error *e = NULL;
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		become_guest(spec->rootfs, spec->cwd, spec->argv[0], spec->argv, spec->env, &e);
		_exit(mew_error_report(e));
	}
	/* the guest gets the terminal's signals; mew waits for it */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return mew_error(err, errno, "wait for the guest");
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* `mew __a64-exec DEBUG ROOTFS CWD PATH ARGV...`: the guest called execve. */
int a64_exec_main(int argc, char **argv)
{
	struct mew_error *e = NULL;
	if (argc < 6) {
		fprintf(stderr, "mew: __a64-exec: internal command, not for users\n");
		return MEW_EXIT_FAILURE;
	}
	a64_debug_on = argv[1][0] == '1';
	extern char **environ;
	char path[PATH_MAX];
	/* execve does not search PATH */
	snprintf(path, sizeof(path), "%s%s", strchr(argv[4], '/') ? "" : "./", argv[4]);
	become_guest(argv[2], argv[3], path, argv + 5, environ, &e);
	return mew_error_report(e);
}

const struct engine engine_emulate = {
	.name = "emulate",
	.summary = "arm64 programs on this host, every instruction simulated",
	.probe = probe,
	.run = run,
};

/* The guest's view of paths and identity, through the shared personality
 * (src/personality): a thin adapter for the a64 system calls. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a64/a64.h"
#include "base/cleanup.h"

/* Copied first: guest memory that faults does so here (the system call's
 * -EFAULT, run.c), before the personality's walk holds anything. */
int a64_path_copy(const char *guest, char out[PATH_MAX])
{
	size_t n;

	if (guest == NULL)
		return -EFAULT;
	n = strnlen(guest, PATH_MAX);
	if (n == PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, guest, n + 1);
	return 0;
}

int a64_path(int dirfd, const char *guest, int follow, char *out, size_t len)
{
	char base[PATH_MAX], copy[PATH_MAX];
	const char *b = NULL;
	int r;

	if ((r = a64_path_copy(guest, copy)) < 0)
		return r;
	guest = copy;

	/* the guest program, not mew (busybox re-executes itself this way) */
	char self[64];
	snprintf(self, sizeof(self), "/proc/%d/exe", getpid());
	if (follow && a64_self->exe[0] == '/' &&
	    (strcmp(guest, "/proc/self/exe") == 0 || strcmp(guest, self) == 0)) {
		/* (a guest path of the run's, which may lie outside the
		 * process's root: walked from it as a base) */
		b = a64_self->exe;
		guest = ".";
	}
	if (guest[0] != '/' && dirfd != AT_FDCWD && b == NULL) {
		/* a name under a dirfd that is no directory: ENOTDIR (statx03) */
		r = guest[0] != '\0' ? pers_dirfd_path(&a64_self->pers, 0, dirfd, base, sizeof(base))
				     : pers_fd_path(&a64_self->pers, 0, dirfd, base, sizeof(base));
		if (r < 0)
			return r;
		b = base;
	}
	r = pers_translate(&a64_self->pers, b, guest, follow ? PERS_FOLLOW : 0, out, len);
	return r < 0 ? r : AT_FDCWD;
}

int a64_call_path(const struct a64_cpu *c, const struct pers_call *pc, int slot, char *out, size_t len)
{
	uint64_t f = PERS_CALL_FLAG(pc, c->x);
	int dirfd = pc->dirfd[slot] >= 0 ? (int)c->x[pc->dirfd[slot]] : AT_FDCWD;
	const char *guest = (const char *)(uintptr_t)c->x[pc->path[slot]];
	int r;

	if (guest == NULL)
		return -EFAULT;
	r = a64_path(dirfd, guest, slot == 0 && pers_call_follows(pc, f, pers_abi_aarch64.o_nofollow), out, len);
	if (r < 0 && r != AT_FDCWD)
		return r;
	/* the walk's search permission, for a guest that is no longer root */
	if (a64_self->pers.fake_root && (r = pers_check_lookup(&a64_self->pers, &a64_self->pers.cred, out)) < 0)
		return r;
	return pers_write_check(&a64_self->pers, pc, f, slot, out);
}

int a64_path_to_guest(const char *host, char *out, size_t len)
{
	int r = pers_untranslate(&a64_self->pers, host, out, len);
	return r < 0 ? r : 0;
}

int a64_exe_of(const struct pers *p, pid_t pid, char *guest, size_t len)
{
	char exe[sizeof(a64_self->exe)];

	if (a64_peer_read(pid, a64_proc_static.exe, exe, sizeof(exe)) < 0 || exe[0] != '/' ||
	    memchr(exe, '\0', sizeof(exe)) == NULL)
		return -1;
	return (size_t)snprintf(guest, len, "%s", exe) < len ? 0 : -1;
}

int a64_root_of(const struct pers *p, pid_t pid, char *root, size_t len)
{
	char r[sizeof(a64_self->pers.root)];

	(void)p;
	if (a64_peer_read(pid, a64_proc_static.pers.root, r, sizeof(r)) < 0 || memchr(r, '\0', sizeof(r)) == NULL ||
	    (r[0] != '/' && r[0] != '\0'))
		return -1;
	return (size_t)snprintf(root, len, "%s", r) < len ? 0 : -1;
}

static bool runs(pid_t pid, dev_t dev, ino_t ino)
{
	struct a64_prog_id id;

	if (pid == getpid())
		return a64_self->prog.dev == dev && a64_self->prog.ino == ino;
	return a64_peer_read(pid, &a64_proc_static.prog, &id, sizeof(id)) == 0 && id.dev == dev && id.ino == ino;
}

/* Whether pid or one of its descendants (at most *budget processes
 * looked at) runs dev:ino: each thread's children, from /proc. */
static bool tree_runs(pid_t pid, dev_t dev, ino_t ino, int *budget)
{
	char path[64], line[32];
	bool found = false;
	cleanup_dir DIR *tasks = NULL;
	struct dirent *t;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((tasks = opendir(path)) == NULL)
		return false;
	while (!found && (t = readdir(tasks)) != NULL) {
		if (t->d_name[0] < '1' || t->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.12s/children", (int)pid, t->d_name);
		cleanup_fclose FILE *f = fopen(path, "re");
		while (!found && f != NULL && fscanf(f, "%31s", line) == 1 && --*budget > 0) {
			pid_t child = (pid_t)strtol(line, NULL, 10);
			found = child > 0 && (runs(child, dev, ino) || tree_runs(child, dev, ino, budget));
		}
	}
	return found;
}

bool a64_runs_program(const struct pers *p, const struct stat *st)
{
	int budget = 4096;

	if (runs(getpid(), st->st_dev, st->st_ino))
		return true;
	/* Walking the tree for every file opened for writing would cost
	 * dpkg's unpacking dearly; a file none may execute is run by no one
	 * (unless its mode changed while it ran: not seen). */
	if (p->guest_root <= 0 || !(st->st_mode & 0111))
		return false;
	return tree_runs(p->guest_root, st->st_dev, st->st_ino, &budget);
}

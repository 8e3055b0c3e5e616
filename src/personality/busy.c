/* ETXTBSY, both ways: a program some process runs cannot be opened for
 * writing, and a file open for writing cannot be executed.
 *
 * The kernel enforces both for the files it executes itself; the syscall
 * engine executes a dynamic program as `ld.so PROGRAM` (exec.c), so the
 * kernel sees ld.so running and the program only mapped.  The first rule is
 * kept here instead: the engine tells which program each guest process
 * runs (pers_busy_exec, from the start of its execve, as the kernel takes
 * the file at its start), and an open for writing of one of them is
 * refused (pers_busy_check).  The second asks the kernel itself
 * (pers_busy_probe).  What a forked child keeps running after its parent
 * exec'd something else is not seen (only each process's last execve).
 * The emulate engine loads every program itself (the kernel sees mew
 * run), and each guest process knows its own: it answers p->runs_program
 * instead of keeping this list. */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct busy_prog {
	pid_t pid;
	int pidfd; /* alive while it does not poll readable */
	bool pending; /* its execve has not completed */
	dev_t dev;
	ino_t ino;
};

struct pers_busy {
	pthread_mutex_t lock;
	struct busy_prog *v;
	size_t n, cap;
};

struct pers_busy *pers_busy_new(void)
{
	struct pers_busy *b = calloc(1, sizeof(*b));

	if (b != NULL)
		pthread_mutex_init(&b->lock, NULL);
	return b;
}

static bool gone(const struct busy_prog *e)
{
	struct pollfd pfd = { .fd = e->pidfd, .events = POLLIN };

	return poll(&pfd, 1, 0) != 0;
}

static void drop(struct pers_busy *b, size_t i)
{
	close(b->v[i].pidfd);
	b->v[i] = b->v[--b->n];
}

void pers_busy_free(struct pers_busy *b)
{
	if (b == NULL)
		return;
	while (b->n > 0)
		drop(b, b->n - 1);
	free(b->v);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

void pers_busy_exec(struct pers_busy *b, pid_t pid, dev_t dev, ino_t ino)
{
	int pidfd;

	if (b == NULL)
		return;
	/* a thread other than the leader (no pidfd of its own): not kept */
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0)
		return;
	pthread_mutex_lock(&b->lock);
	for (size_t i = b->n; i-- > 0;)
		if (gone(&b->v[i]) || (b->v[i].pid == pid && b->v[i].pending))
			drop(b, i);
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct busy_prog *v = realloc(b->v, cap * sizeof(*v));
		if (v == NULL) {
			pthread_mutex_unlock(&b->lock);
			close(pidfd);
			return;
		}
		b->v = v, b->cap = cap;
	}
	b->v[b->n++] = (struct busy_prog){ .pid = pid, .pidfd = pidfd, .pending = true, .dev = dev, .ino = ino };
	pthread_mutex_unlock(&b->lock);
}

void pers_busy_exec_done(struct pers_busy *b, pid_t pid, bool ok)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	for (size_t i = b->n; i-- > 0;) {
		if (b->v[i].pid != pid)
			continue;
		if (ok && b->v[i].pending)
			b->v[i].pending = false; /* the new program, now the one it runs */
		else if (ok || b->v[i].pending)
			drop(b, i); /* the program it ran before, or the execve that failed */
	}
	pthread_mutex_unlock(&b->lock);
}

int pers_busy_check(const struct pers *p, const char *host, int flags)
{
	struct pers_busy *b = p->busy;
	struct stat st;
	int r = 0;

	if ((b == NULL && p->runs_program == NULL) || ((flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC)) ||
	    (flags & O_PATH))
		return 0;
	if (stat(host, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (b == NULL)
		return p->runs_program(p, &st) ? -ETXTBSY : 0;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < b->n && r == 0; i++)
		if (b->v[i].dev == st.st_dev && b->v[i].ino == st.st_ino && !gone(&b->v[i]))
			r = -ETXTBSY;
	pthread_mutex_unlock(&b->lock);
	return r;
}

int pers_busy_probe(int fd)
{
	/* execveat fails at its argv, which it reads after it opened the file
	 * for executing (Linux 6.8 and later; before, it reads argv first and
	 * this says nothing), so nothing is ever executed here. */
	long r = syscall(SYS_execveat, fd, "", (char *const *)-1L, NULL, AT_EMPTY_PATH);

	return r < 0 && errno == ETXTBSY ? -ETXTBSY : 0;
}

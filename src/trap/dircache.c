/* The directory cache's host side (guest/dircache.c): the page every guest
 * process of a run shares with mew (a memfd; the stubs map it through an
 * fd mew installs at their upcall), and mew's watch over the directories
 * the caches go through.  Changes made from outside the guest (a host
 * process renaming or removing a directory in the rootfs while the guest
 * runs) reach no stub: this thread reads them from inotify and bumps the
 * share's generation, which every stub reads before each use of its
 * cache.  The guest sees them once the thread has woken (no timer: the
 * read returns when the kernel queues the event). */
#include "trap/trap.h"
#include "base/closeaside.h"
#include "base/thread.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A directory's entries moved or removed (a directory among them: file
 * events bump nothing), or the directory itself. */
#define WATCH_MASK (IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct trap_dircache {
	int memfd, ifd;
	struct stub_share *share;
	pthread_t thread;
	bool running;
	int stopping;
	pthread_mutex_t lock;
	size_t n;
	struct {
		int wd;
		uint64_t dev, ino;
	} w[STUB_MAX_WATCHED];
};

/* mew's list, as the stubs read it (seqlock: wseq odd meanwhile). */
static void publish(struct trap_dircache *d)
{
	struct stub_share *s = d->share;

	__atomic_add_fetch(&s->wseq, 1, __ATOMIC_SEQ_CST);
	for (size_t i = 0; i < d->n; i++) {
		s->watched[i].dev = d->w[i].dev;
		s->watched[i].ino = d->w[i].ino;
	}
	__atomic_store_n(&s->nwatched, (uint32_t)d->n, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&s->wseq, 1, __ATOMIC_SEQ_CST);
}

int trap_dircache_watch(struct trap_dircache *d, const char *path)
{
	struct stat st;
	int wd, r = 0;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->n; i++)
		if (d->w[i].dev == st.st_dev && d->w[i].ino == st.st_ino)
			goto out;
	if (d->n >= STUB_MAX_WATCHED) {
		r = -ENOSPC;
		goto out;
	}
	if ((wd = inotify_add_watch(d->ifd, path, WATCH_MASK)) < 0) {
		r = -errno;
		goto out;
	}
	d->w[d->n].wd = wd;
	d->w[d->n].dev = st.st_dev;
	d->w[d->n].ino = st.st_ino;
	d->n++;
	publish(d);
out:
	pthread_mutex_unlock(&d->lock);
	return r;
}

void trap_dircache_bump(struct trap_dircache *d)
{
	__atomic_add_fetch(&d->share->gen, 1, __ATOMIC_SEQ_CST);
}

/* A watch the kernel removed (its directory gone): its inode number may
 * be another directory's next. */
static void unwatched(struct trap_dircache *d, int wd)
{
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->n; i++)
		if (d->w[i].wd == wd) {
			d->w[i] = d->w[--d->n];
			publish(d);
			break;
		}
	pthread_mutex_unlock(&d->lock);
}

static void *events(void *arg)
{
	struct trap_dircache *d = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (!__atomic_load_n(&d->stopping, __ATOMIC_ACQUIRE)) {
		ssize_t len = read(d->ifd, buf, sizeof(buf));
		bool changed = false;

		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *e = (const struct inotify_event *)p;
			if (e->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
				changed = true;
			if ((e->mask & (IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE)) && (e->mask & IN_ISDIR))
				changed = true;
			if (e->mask & IN_IGNORED)
				unwatched(d, e->wd);
			p += sizeof(*e) + e->len;
		}
		if (changed)
			trap_dircache_bump(d);
	}
	/* (not stopping: the reports end, and so do the caches) */
	__atomic_store_n(&d->share->off, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void wake(int sig)
{
	(void)sig;
}

struct trap_dircache *trap_dircache_start(const char *rootfs)
{
	struct trap_dircache *d = calloc(1, sizeof(*d));
	struct sigaction sa = { .sa_handler = wake }; /* no SA_RESTART: read returns EINTR */

	if (d == NULL)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	d->memfd = memfd_create("mew-dircache", MFD_CLOEXEC);
	d->ifd = inotify_init1(IN_CLOEXEC);
	if (d->memfd < 0 || d->ifd < 0 || ftruncate(d->memfd, STUB_SHARE_SIZE) < 0)
		goto fail;
	d->share = mmap(NULL, STUB_SHARE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->memfd, 0);
	if (d->share == MAP_FAILED) {
		d->share = NULL;
		goto fail;
	}
	/* the root: every cached path starts there */
	if (trap_dircache_watch(d, rootfs) < 0)
		goto fail;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	if (pthread_create(&d->thread, NULL, events, d) != 0)
		goto fail;
	d->running = true;
	return d;
fail:
	trap_dircache_stop(d);
	return NULL;
}

int trap_dircache_memfd(const struct trap_dircache *d)
{
	return d->memfd;
}

void trap_dircache_publish_owners(struct trap_dircache *d, struct pers_owners *o)
{
	pers_owners_publish(o, &d->share->nkept, d->share->kept, STUB_MAX_KEPT);
}

void trap_dircache_stop(struct trap_dircache *d)
{
	if (d == NULL)
		return;
	if (d->running) {
		__atomic_store_n(&d->stopping, 1, __ATOMIC_RELEASE);
		thread_stop(d->thread, SIGUSR2);
	}
	if (d->share != NULL)
		munmap(d->share, STUB_SHARE_SIZE);
	if (d->memfd >= 0)
		close(d->memfd);
	/* (its last close waits out an SRCU grace period: base/closeaside.h) */
	close_aside(&d->ifd, 1);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* The wall: what the kernel itself keeps a guest of the syscall and emulate
 * engines from, whatever the guest does to mew's stub or interpreter.
 *
 * Both engines answer the guest's calls with the personality; the wall is
 * under that answer, not part of it: a Landlock domain (landlock.c) that
 * lets the guest's processes read and execute beneath the rootfs, write
 * there unless --read-only, reach each bind's source with the bind's rights,
 * and nothing else of the host's files; that scopes signals and abstract
 * UNIX sockets to the guest's own processes; and, as every Landlock domain,
 * keeps ptrace and the ptrace-guarded /proc files of processes outside it
 * out of reach.  mew's own threads (the notifier, the exec watcher) stay
 * outside and keep answering what the personality answers.
 *
 * The guest's /dev is mew's own (dev.c): the few nodes every /dev has, a
 * private /dev/shm, the host's terminals. */
#ifndef MEW_WALL_WALL_H
#define MEW_WALL_WALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"
#include "personality/pers.h"

struct spec;

enum wall_right {
	WALL_READ = 1 << 0,  /* read files, list directories */
	WALL_WRITE = 1 << 1, /* write, create, remove, rename, truncate (never device nodes) */
	WALL_EXEC = 1 << 2,
	WALL_IOCTL = 1 << 3, /* ioctl on device files (terminals) */
};

struct wall {
	int fd;	 /* the Landlock ruleset; -1 without Landlock */
	int abi; /* Landlock's ABI version; 0 = none */
};

/* The kernel's Landlock ABI version, 0 when it has none (or it is off). */
int wall_abi(void);
/* What the wall does not hold on this kernel, as "; "-separated phrases
 * ("" when it holds everything it is meant to); the number of them. */
int wall_gaps(char *buf, size_t len);
/* One line for `mew engines`: the Landlock ABI and, if any, the gaps
 * (wall_gaps, or an engine's gaps_of: the wall's and its own). */
void wall_describe(char *buf, size_t len);
void wall_describe_gaps(char *buf, size_t len, int (*gaps_of)(char *, size_t));

/* A ruleset that handles every file access this kernel knows. */
int wall_open(struct wall *w, struct mew_error **err);
/* Allow rights (enum wall_right) beneath path (a directory) or on it (a
 * file).  A path that does not exist is skipped. */
int wall_allow(struct wall *w, const char *path, unsigned rights, struct mew_error **err);
/* The personality's view: the rootfs (read, execute; write unless
 * read-only) and each bind with its own rights (sysfs: read).  procfs:
 * read when proc, else not at all (the guest reaches /proc only through
 * mew, whose answers refuse host processes: see pers.guest_root; the kernel
 * lets a domain read some of their files, environ and maps among them). */
int wall_allow_pers(struct wall *w, const struct pers *p, bool proc, struct mew_error **err);
/* The files this process is made of (its program, loader, libraries): read
 * and execute, so that it may execute itself again (emulate's execve). */
int wall_allow_self(struct wall *w, struct mew_error **err);
/* Enter the domain (and set no_new_privs, which Landlock needs): every
 * thread created and program executed afterwards stays in it.  Only the
 * calling thread is confined.  0 or -errno. */
int wall_enter(const struct wall *w);
/* The capabilities a guest's process may keep (caps.c), as a mask of
 * CAP_* bits; wall_enter drops the others, with or without Landlock. */
uint64_t wall_caps_kept(void);
int wall_drop_caps(void);
void wall_close(struct wall *w);

/* The minimal /dev (dev.c).  The nodes every /dev has, for the container
 * engine's tmpfs and for the personality's /dev. */
struct wall_device {
	const char *name;
	unsigned int major, minor;
};
extern const struct wall_device wall_devices[];
extern const size_t wall_ndevices;
/* Symbolic links every /dev has: {target, name}. */
extern const char *const wall_dev_links[][2];
extern const size_t wall_ndev_links;

/* A directory of this run's own for the guest's /dev: placeholders for
 * the nodes, pts/, a private shm/ (mode 1777), the links.  dir receives its
 * path (PATH_MAX), or "" when the spec binds /dev itself (the OCI runtime's
 * launcher: the container's /dev, made from its config).  Directories that
 * a killed mew left are removed first. */
int wall_dev_make(const struct spec *spec, char *dir, size_t len, struct mew_error **err);
/* name is PREFIX PID SEP... and mew process PID is gone (what a killed mew
 * left behind: its /dev, its devices cgroup). */
bool wall_stale(const char *name, const char *prefix, char sep);
/* Remove it and everything the guest put in it. */
void wall_dev_remove(const char *dir);
/* The personality's /dev: dir, with the host's nodes bound over the
 * placeholders (/dev/null, ..., /dev/ptmx) and, with host_pts, the host's
 * /dev/pts: an unprivileged mew cannot mount a devpts of the guest's own,
 * so a guest that may make ptys reaches the host's other terminals of its
 * user too (not walled; --sandbox strict goes without: no ptmx, an empty
 * pts/, only the terminal the guest is given).  Nothing when the spec binds
 * /dev itself. */
int wall_dev_binds(struct pers *p, const char *dir, bool host_pts, struct mew_error **err);

/* Which devices the guest may open (devcg.c): as root, with the v1
 * devices controller, a devices cgroup of the run's own that allows only
 * mew's /dev (made with the guest's /dev, joined by wall_enter, removed with
 * wall_dev_remove, or by the next run if mew was killed). */
bool wall_devcg_wanted(void);	/* mew is root */
bool wall_devcg_possible(void); /* the host has the v1 devices controller */
int wall_devcg_make(struct mew_error **err);
int wall_devcg_join(void); /* 0 or -errno */
/* What the group allows (true without one): for mew's own opens on the
 * guest's behalf (the syscall engine's notifier), which it does not hold. */
bool wall_devcg_allows(mode_t mode, dev_t rdev);
void wall_devcg_remove(void);

#endif

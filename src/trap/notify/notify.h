/* What the notifier's files share: the notifier, and the guest process
 * behind a notification (see serve.c). */
#ifndef MEW_TRAP_NOTIFY_NOTIFY_H
#define MEW_TRAP_NOTIFY_NOTIFY_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "trap/trap.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

struct notifier {
	struct trap *t;
	int fd;
	int stopping;
	struct pers pers; /* this thread's copy: pid, tid, exe are per call */
	char exe[PATH_MAX];
	/* An open answers with the fd installed but the guest not yet let go
	 * (*val): the permissions mew gave itself are taken back first. */
	bool hold;
};

/* guest.c: the guest process behind a notification */
void pers_for(struct notifier *n, pid_t tid);
int path_arg(struct notifier *n, const struct seccomp_notif *req, int pi, int di, int flags, char *host);
/* The call's row of the personality's call table (never NULL for a call
 * the filter notifies), its flag argument, and whether it follows its
 * first path's last symlink (PERS_FOLLOW). */
const struct pers_call *call_row(const struct seccomp_notif *req);
uint64_t call_flag(const struct seccomp_notif *req);
int call_follows(const struct seccomp_notif *req);
/* Path slot 0 or 1 of the call, by its row: translated, the read-only
 * rules applied (pers_write_check).  0, 1 when the path is empty or (for
 * futimens) NULL: the call is about the fd, whose read-only rule is then
 * applied (pers_call_fd_check); or -errno. */
int call_path(struct notifier *n, const struct seccomp_notif *req, int slot, char *host);
/* A copy of the guest's fd number fd (pidfd_getfd), and its
 * /proc/self/fd path in path: the copy, or -errno (-EBADF: not open). */
int guest_fd(struct notifier *n, const struct seccomp_notif *req, int fd, char *path, size_t len);
int put(const struct seccomp_notif *req, uint64_t addr, const void *buf, size_t len);
int umask_of(pid_t tid);

/* The answers, one concept a file: each returns *val's value with 0, or
 * 1 (already sent), 2 (let the call run as it is), -errno. */
int notify_query(struct notifier *n, const struct seccomp_notif *req, int64_t *val); /* query.c */
int notify_open(struct notifier *n, const struct seccomp_notif *req, int64_t *val); /* open.c */
/* openat2's path argument pi under dirfd argument di, with its struct
 * open_how of size bytes at how_addr: the struct read and checked
 * (trap_open_how), the path walked under its RESOLVE rules, the walk's
 * search permission and the read-only rules: 0 or -errno. */
int notify_openat2_path(struct notifier *n, const struct seccomp_notif *req, int pi, int di, uint64_t how_addr,
			uint64_t size, struct pers_open_how *how, char *host);
int notify_change(struct notifier *n, const struct seccomp_notif *req);		     /* change.c */
int notify_cred(struct notifier *n, const struct seccomp_notif *req, int64_t *val);  /* cred.c */
/* The credentials of the calling thread (stub mode: read from its stub). */
int notify_cred_of(struct notifier *n, pid_t tid, struct pers_cred *out);
/* The credentials of guest thread tid, any of the run's (for its
 * /proc/N/status): -ESRCH for a host process, of which no record is made. */
int notify_guest_cred(struct notifier *n, pid_t tid, struct pers_cred *out);
/* Search permission on the walk to host for the caller's credentials
 * (pers_check_lookup): 0 or -EACCES; nothing read beyond its ids for a
 * caller every check passes (a fake root). */
int notify_check_lookup(struct notifier *n, pid_t tid, const char *host);
int notify_sock(struct notifier *n, const struct seccomp_notif *req);		     /* sock.c */
/* A write through the guest's fd in argument fdarg, the call's other
 * arguments at after: done by mew on a copy of the fd (fd.c). */
int notify_fd_write(struct notifier *n, const struct seccomp_notif *req, const struct pers_cred *c, int fdarg,
		    const __u64 *after);
/* getxattr and the others of the family, every form (xattr.c). */
int notify_xattr(struct notifier *n, const struct seccomp_notif *req, int64_t *val);
/* connect, sendto, sendmsg, sendmmsg: made by mew (1: a thread answers later). */
int notify_peer(struct notifier *n, const struct seccomp_notif *req, int64_t *val); /* peer.c */
/* getsockopt(SOL_SOCKET, SO_PEERCRED): the guest process mew connected for. */
int notify_peercred(struct notifier *n, const struct seccomp_notif *req);
int notify_upcall_exec(struct notifier *n, const struct seccomp_notif *req);	     /* exec.c */
int notify_upcall_dircache(struct notifier *n, const struct seccomp_notif *req);   /* dircache.c */

#endif

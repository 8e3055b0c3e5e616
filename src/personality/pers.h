/* The Linux personality shared by the syscall (trap) and emulate engines:
 * how mew answers the parts of the kernel API that depend on "where am I and
 * who am I" — paths under a rootfs, a fake identity, /proc answers, uname.
 *
 * Host-neutral: nothing here knows about ptrace or an instruction set.  The
 * caller owns the guest's state (its cwd, its pid, its program) and hands it
 * in; pers never keeps a pointer into a guest.
 *
 * Paths.  A *guest path* is what the guest program sees ("/etc/passwd"); a
 * *host path* is where that lives on this machine
 * ("/var/cache/mew/rootfs/debian/etc/passwd").  Translation resolves the
 * guest path component by component in guest space, the way the kernel
 * would inside a chroot:
 *   - `..` at the guest `/` (the process's root, pers.root) stays there;
 *   - every symlink met on the way (and the last one with PERS_FOLLOW) is
 *     read on the host and its target interpreted in guest space, so an
 *     absolute symlink `/etc/x -> /etc/y` means rootfs/etc/y, never the
 *     host's /etc/y;
 *   - binds (`-v HOST:GUEST`) replace a guest subtree by a host directory;
 *   - /proc is the host's /proc (a default bind the engine adds), with
 *     /proc/self and /proc/thread-self meaning the guest process (pers.pid,
 *     pers.tid), and the magic links /proc/N/{exe,cwd,root,fd/N} answering
 *     guest paths (/proc/N/root is process N's root, pers.root);
 * so the host path returned contains no symlink and no `..` and is always
 * under the rootfs or a bind source (or /proc magic for an fd the guest
 * already holds).
 *
 * Errors are returned as negative errno values (-ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG): the caller answers the guest's system call with them.
 *
 * Identity.  With fake_root (the default unless `--user` was given), the
 * guest's getuid/geteuid/getgid/getegid (and getres*id) answer 0, set*id and
 * chown succeed without changing anything (so dpkg and tar extracting as
 * "root" work), and stat reports the files' real owners (a rootfs extracted
 * by root shows root, as it would inside a container).
 *
 * Typical use (emulate engine, one guest process):
 *     struct pers p;
 *     pers_init(&p, "/path/rootfs", &err);
 *     pers_add_bind(&p, "/proc", "/proc", false, &err);   // default binds
 *     pers_set_cwd(&p, "/root");
 *     char host[PATH_MAX];
 *     int r = pers_translate(&p, NULL, "../etc/passwd", PERS_FOLLOW, host, sizeof(host));
 *     if (r < 0) return r;                 // -errno to the guest
 *     fd = openat(AT_FDCWD, host, flags);
 * For a dirfd-relative call (openat(dirfd, path)), pass the directory's guest
 * path as base: pers_dirfd_path(&p, 0, dirfd, base, sizeof(base)).
 */
#ifndef MEW_PERSONALITY_PERS_H
#define MEW_PERSONALITY_PERS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "base/error.h"
#include "personality/call.h"
#include "personality/cred.h"

struct pers_bind {
	char *host;  /* canonical host directory or file */
	char *guest; /* canonical guest path, never "/" */
	bool ro;
};

struct pers {
	char *rootfs; /* canonical host path of the guest's `/`, no trailing slash */
	struct pers_bind *binds;
	size_t nbinds;
	char cwd[PATH_MAX]; /* the guest's cwd (guest path), for the emulate engine */
	/* The calling process's root (chroot(2)): a canonical guest path of
	 * the run's tree, "" for the run's own `/`.  Absolute paths and
	 * absolute symlinks start there and `..` stops there; the paths the
	 * process is shown are relative to it (pers_view).  Guest paths the
	 * personality takes and gives (base, pers_resolve, pers_getcwd,
	 * pers_fd_path) stay the run's, so that one outside the root (an fd
	 * or cwd kept from before the chroot) still means its file. */
	char root[PATH_MAX];
	/* The root of another guest process, for /proc/N/root: the engine's
	 * answer (0 with its guest path as in root), or NULL / -1: "". */
	int (*root_of)(const struct pers *p, pid_t pid, char *root, size_t len);

	/* The guest process a call comes from: /proc/self is /proc/<pid>,
	 * /proc/thread-self is /proc/<pid>/task/<tid>.  0 = the caller itself. */
	pid_t pid, tid;
	/* mew's process every guest process descends from (a subreaper, so
	 * orphans come back to it); when set, /proc/N of any other process
	 * (the host's, mew's own threads) is refused with EACCES, as the
	 * guest's Landlock domain (src/wall) refuses it.  0 = no check. */
	pid_t guest_root;
	/* Guest path of the program the guest process runs, answered for
	 * /proc/self/exe; NULL = ask the host's /proc and untranslate. */
	const char *exe;
	/* The program of another guest process, for /proc/N/exe: the engine's
	 * lookup (0 with its guest path), or NULL / -1: the host's link,
	 * untranslated (which names ld.so or mew, not the program). */
	int (*exe_of)(const struct pers *p, pid_t pid, char *guest, size_t len);
	/* Is fd of guest process pid (0: the caller) one of the engine's own
	 * (the syscall engine's stub keeps a few in every guest process)?
	 * Those are not the guest's: /proc/N/fd/M and /proc/N/fdinfo/M of
	 * one do not exist, and a dirfd naming one is EBADF.  NULL: none. */
	bool (*hides_fd)(const struct pers *p, pid_t pid, int fd);
	/* Does a live guest process run the program file st (a regular
	 * file)?  The engine's answer for ETXTBSY where it keeps no busy
	 * (below): the emulate engine asks its processes.  NULL: neither. */
	bool (*runs_program)(const struct pers *p, const struct stat *st);
	void *engine; /* for exe_of, hides_fd */

	/* The engine wrote each guest process's argv over its own host argv,
	 * padded with NULs (emulate): /proc/N/cmdline drops the padding. */
	bool cmdline_padded;

	/* The emulate engine's guest vDSO is mapped from a memfd of this name:
	 * /proc/N/maps shows it as [vdso], and not the host's own [vdso],
	 * [vvar] and [vsyscall] (mew's, x86-64).  NULL: maps as the host has it. */
	const char *vdso_memfd;

	/* The engine gives AF_UNIX names back as the guest's (sockname.h, on
	 * getsockname, getpeername, accept, recvfrom): bind then names the
	 * socket by its host path where that fits in sun_path, which the
	 * kernel keeps as its name (not /proc/self/fd/N/name, which no guest
	 * can connect to).  Landlock walls bind (making a socket file is a
	 * right), as in the syscall engine's stub, which binds the same way. */
	bool sock_names;

	/* --read-only: the rootfs (outside rw binds) refuses writes (EROFS). */
	bool readonly_root;

	/* Identity. */
	bool fake_root; /* the identity is faked (cred below); false: the host's (binfmt) */
	uid_t uid;
	gid_t gid;
	/* mew's own ids: as root (0) chown is real; otherwise owners the guest
	 * gives are recorded (owner.c) and mew's own files show as root's. */
	uid_t host_uid;
	gid_t host_gid;

	/* uname(2) answers; empty fields are taken from the host. */
	struct utsname uts;

	/* Optional memo of directories that cannot change under the guest (see
	 * pers_cache_new); NULL = none.  One per thread: not shared. */
	struct pers_cache *cache;

	/* The programs guest processes run, for ETXTBSY (busy.c); shared by
	 * every copy of this pers (it locks itself).  NULL = not kept. */
	struct pers_busy *busy;

	/* Set while an engine makes a root's call again on mew's own files
	 * (pers_grant): translation gives itself search permission. */
	struct pers_grant *grant;

	/* Run by an ordinary user, the owners given to sockets, FIFOs and
	 * symlinks, which cannot carry the record (owner.c); shared by every
	 * copy of this pers.  NULL = not kept. */
	struct pers_owners *owners;

	/* The admin's xattr names of symlinks, device nodes, FIFOs and
	 * sockets, which cannot carry mew's user.* names (xattr.c); shared
	 * by every copy of this pers.  NULL = not kept. */
	struct pers_xattrs *xattrs;

	/* The credentials the guest starts with (cred.h): a fake root, or
	 * --user's uid:gid; each guest process then keeps its own copy.
	 * Last: with the kernel's 65536 groups it is large, and only the
	 * part in use is ever touched (pers_init, pers_copy). */
	struct pers_cred cred;
};

/* A memo that lets translation skip the lstat of directories the guest
 * cannot replace: a directory is remembered only when its parent is
 * neither owned nor writable by the caller, so no guest call can turn it
 * into a symlink.  Nothing under the /proc bind is remembered.  (The host
 * changing the rootfs under a running guest is not noticed.) */
struct pers_cache *pers_cache_new(void);
void pers_cache_free(struct pers_cache *c);

/* Is pid (a thread or process) below root, and not root itself? */
bool pers_pid_in_guest(pid_t root, pid_t pid);

/* PERS_FOLLOW: call.h */

/* rootfs must be a directory; it is canonicalised (realpath).  Identity:
 * fake root; uts: sysname Linux, nodename "mew", the host's release,
 * version and machine; cwd "/". */
int pers_init(struct pers *p, const char *rootfs, struct mew_error **err);
void pers_free(struct pers *p);
/* *dst = *src, without touching the groups src's cred does not use (a
 * struct copy writes the whole 256 KiB of them). */
void pers_copy(struct pers *dst, const struct pers *src);
/* Make guest path `guest` show host path `host` (a directory or a file). */
int pers_add_bind(struct pers *p, const char *host, const char *guest, bool ro,
		  struct mew_error **err);
/* The binds every guest needs: /proc, /proc/sys and /sys read-only (only
 * those whose host path exists and is not already bound).  /dev is the
 * engine's (wall_dev_binds). */
int pers_add_default_binds(struct pers *p, struct mew_error **err);
void pers_set_hostname(struct pers *p, const char *name);
/* pers_init for spec: its rootfs, its volumes (`:ro` kept), the default
 * binds, --read-only and --hostname (setup.c).  Identity and cwd are the
 * engine's to set. */
struct spec;
int pers_setup(struct pers *p, const struct spec *spec, struct mew_error **err);
/* The calling process's effective capabilities: what the kernel lets the
 * guest's real process do, the bound of a fake root's (pers_cred_bound). */
uint64_t pers_host_caps(void);

/* The user namespace a guest's new namespaces live in (userns.c;
 * cred.h, pers_cred_new_ns): whether this host lets mew's user make one
 * (user.max_user_namespaces), and the ids map of guest process pid's new
 * user namespace, written by mew from outside the guest's wall before the
 * guest runs on: mew's uid and gid mapped to themselves (as root: every id
 * to itself), setgroups denied (the guest's groups are the model's), so
 * that the ids the host sees and the owners a stat returns stay what they
 * were.  0 or -errno (EPERM: pid is not in a new user namespace whose
 * parent is mew's, or its map is written). */
bool pers_userns_allowed(void);
int pers_userns_map(pid_t pid);

/* openat2's RESOLVE_* rules (linux/openat2.h's bits, shifted), in
 * pers_translate's flags: the walk as the kernel's (fs/namei.c) makes it.
 * NO_XDEV: no mount crossed, going down, by `..` or by a jump (in the
 * guest's view a bind is a mount, and so is a host mount under a bind's
 * source); NO_MAGICLINKS: no /proc/N/{fd/M,exe,cwd,root,...} followed
 * (ELOOP); NO_SYMLINKS: no symlink followed (ELOOP); BENEATH: the walk
 * stays under base (EXDEV for an absolute path, a `..` above it, an
 * absolute symlink or a magic link); IN_ROOT: base is the walk's `/` (an
 * absolute path, `..` and absolute symlinks stop there; a magic link is
 * EXDEV). */
#define PERS_RESOLVE(resolve) ((int)((resolve) & 0x1f) << 8)
#define PERS_NO_XDEV PERS_RESOLVE(0x01)
#define PERS_NO_MAGICLINKS PERS_RESOLVE(0x02)
#define PERS_NO_SYMLINKS PERS_RESOLVE(0x04)
#define PERS_BENEATH PERS_RESOLVE(0x08)
#define PERS_IN_ROOT PERS_RESOLVE(0x10)

/* Guest path -> host path.  base: the guest directory a relative path is
 * relative to (the cwd, or a dirfd's guest path); NULL = p->cwd; with
 * PERS_IN_ROOT an absolute path's too.  flags: PERS_FOLLOW or 0, and the
 * RESOLVE rules above.  A trailing slash on path is kept on the host path.
 * Returns 0 or -errno. */
int pers_translate(const struct pers *p, const char *base, const char *path, int flags,
		   char *host, size_t len);
/* Whether a walk of path with these flags starts from base (the engine
 * then reads the dirfd's or the cwd's guest path). */
static inline bool pers_walk_needs_base(const char *path, int flags)
{
	return path[0] != '/' || (flags & PERS_IN_ROOT);
}
/* The same resolution, answering the canonical guest path (no `..`, no
 * symlink) instead of the host path. */
int pers_resolve(const struct pers *p, const char *base, const char *path, int flags,
		 char *guest, size_t len);
/* Host path -> guest path: under a bind source (longest first), then under
 * the rootfs.  A host path outside both is returned unchanged and the result
 * is 1 (the guest cannot name it); 0 when it maps; -errno on error. */
int pers_untranslate(const struct pers *p, const char *host, char *guest, size_t len);
/* Is the translated host path read-only for the guest (a `:ro` bind, or
 * the rootfs with readonly_root)?  Callers answer writes with -EROFS. */
bool pers_host_readonly(const struct pers *p, const char *host);
/* The read-only rule for path slot (0 or 1) of call c, translated to
 * host: 0 when the call may go on, else the kernel's answer for a
 * read-only mount (-EROFS; -EEXIST for a creation where something is).
 * flag: PERS_CALL_FLAG of the call (readonly.c). */
int pers_write_check(const struct pers *p, const struct pers_call *c, uint64_t flag, int slot,
		     const char *host);
/* The same for a write through fd of host process pid (0: this one):
 * -EROFS when its file is in a read-only place (fchmod, fsetxattr,
 * futimens... of an fd opened for reading), else 0.  pers_call_fd_check:
 * for a call with arguments args, when it writes through an fd (a PK_FD
 * row; pers_call_on_fd with empty: its first path was read as ""). */
int pers_fd_write_check(const struct pers *p, pid_t pid, int fd);
int pers_call_fd_check(const struct pers *p, pid_t pid, const struct pers_call *c, const uint64_t *args,
		       bool empty);
/* openat2(2)'s struct open_how (openhow.c), read by the engine from the
 * guest: pers_open_how_size first on the size argument (-EINVAL below the
 * first version's 24 bytes, -E2BIG above a page), then the engine reads
 * size bytes (-EFAULT), then pers_open_how: -E2BIG for a nonzero byte
 * past the fields Linux knows, the kernel's checks of flags (host values:
 * the emulate engine converts arm64's first), mode and resolve (EINVAL,
 * EAGAIN for RESOLVE_CACHED with a creation), and how filled, with
 * O_LARGEFILE added to an open that is not O_PATH as 64-bit Linux adds it.
 * pers_open_how_walk: pers_translate's flags for it (PERS_FOLLOW unless
 * O_NOFOLLOW or O_CREAT|O_EXCL, the RESOLVE rules).
 * RESOLVE_CACHED asks nothing more: the kernel may answer EAGAIN whenever,
 * and mew's walk is always complete. */
struct pers_open_how {
	uint64_t flags, mode, resolve;
};
#define PERS_OPEN_HOW_SIZE 24
int pers_open_how_size(uint64_t size);
int pers_open_how(const void *buf, size_t size, struct pers_open_how *how);
int pers_open_how_walk(const struct pers_open_how *how);
/* readlink(2) as the guest sees it: the link's own text for a symlink in the
 * rootfs, a guest path for /proc magic links.  Returns the length (not NUL
 * terminated when it fills buf, like readlink) or -errno. */
ssize_t pers_readlink(const struct pers *p, const char *base, const char *path, char *buf,
		      size_t len);
/* chdir: resolve, check it is a searchable directory, store in p->cwd.
 * pers_set_cwd_at: path relative to base (fchdir: the fd's guest path
 * and ".", which may be outside the process's root). */
int pers_set_cwd(struct pers *p, const char *path);
int pers_set_cwd_at(struct pers *p, const char *base, const char *path);
/* The guest path of host process pid's fd (pid 0 = this process), e.g. for a
 * dirfd.  Returns 0, or -errno (-EBADF, -ENOTDIR is the caller's to check). */
int pers_fd_path(const struct pers *p, pid_t pid, int fd, char *guest, size_t len);
/* The same for an fd a relative path is relative to (a dirfd): -ENOTDIR
 * when its file is not a directory (a tty, a pipe, a file outside the
 * guest's tree), as the kernel says before looking at the path. */
int pers_dirfd_path(const struct pers *p, pid_t pid, int fd, char *guest, size_t len);
/* Guest process pid's fd was opened with O_PATH (fchown on it is EBADF). */
bool pers_fd_is_opath(pid_t pid, int fd);
/* getcwd of host process pid as a guest path (pid 0: p->cwd). */
int pers_getcwd(const struct pers *p, pid_t pid, char *guest, size_t len);
/* A guest path of the run as the calling process names it (p->root):
 * below its root, the part under it ("/" for the root itself), 0; else
 * the run's path unchanged and 1 (Linux's d_path of a path the root does
 * not reach); -ENAMETOOLONG. */
int pers_view(const struct pers *p, const char *guest, char *out, size_t len);
/* getcwd(2)'s answer: pers_getcwd seen from the root, "(unreachable)"
 * before a cwd outside it, as the kernel writes it. */
int pers_getcwd_view(const struct pers *p, pid_t pid, char *out, size_t len);

/* uname(2) as configured. */
void pers_uname(const struct pers *p, struct utsname *u);

/* The PATH a program is looked up along when the environment has none
 * (Docker's and runc's default). */
#define PERS_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* A command name -> the guest path of the program, searched along path_env
 * (NULL: PERS_DEFAULT_PATH) inside the rootfs as execvp would; a name with
 * a slash is taken as it is.  0, -ENOENT, or -EACCES (found, not
 * executable) (lookup.c). */
int pers_lookup(const struct pers *p, const char *name, const char *path_env, char *guest, size_t len);

/* Resolve a program for execve the way the kernel would inside the rootfs:
 * `#!` lines are followed (up to 4 levels) and an ELF's PT_INTERP is
 * looked up in the rootfs.  The result says what to run on the host:
 * host_path to execve, and the argv prefix that replaces argv[0]. */
struct pers_exec {
	char host[PATH_MAX];   /* what the host kernel must execute */
	char guest[PATH_MAX];  /* guest path of the program finally run (exe) */
	/* Arguments inserted before the guest's argv[1]: new argv =
	 * prefix[0..nprefix) followed by the original argv[1..]. */
	char *prefix[8];
	int nprefix;
	const char *program;	/* the guest path of the program as named (the
				 * last `#!` interpreter, or path itself) */
	/* That program's mode and owner as the guest sees them: its set-id
	 * bits are exec's (pers_cred_exec; a script's own are ignored). */
	uint32_t mode, uid, gid;
	dev_t dev; /* and its file (pers_busy_exec) */
	ino_t ino;
	char buf[3 * PATH_MAX]; /* storage for prefix strings */
};
/* argv0: the guest's argv[0] (kept for the program as ld.so's --argv0).
 * Returns 0 or -errno (-ENOENT, -EACCES, -ENOEXEC, -ELOOP). */
int pers_exec_resolve(const struct pers *p, const char *base, const char *path,
		      const char *argv0, struct pers_exec *out);
/* execveat's AT_SYMLINK_NOFOLLOW: -ELOOP when path names a symlink, else 0
 * (or translation's -errno). */
int pers_exec_nofollow(const struct pers *p, const char *base, const char *path);
/* execve's permission for the guest's credentials c: search on the walk
 * and execute permission on the program as named (LTP's execve02: a 0700
 * program of root's, exec'd after seteuid(nobody), is EACCES). */
int pers_exec_permission(const struct pers *p, const struct pers_cred *c, const char *base, const char *path);
/* execveat's flags: -EINVAL for any but AT_EMPTY_PATH and
 * AT_SYMLINK_NOFOLLOW (checked after the path is read), else 0. */
int pers_exec_flags(int flags);
/* The same, `#!` only: out->host is the final program, an ELF whose own
 * PT_INTERP is the caller's to load (the emulate engine loads it itself). */
int pers_exec_script(const struct pers *p, const char *base, const char *path, const char *argv0,
		     struct pers_exec *out);

/* ETXTBSY (busy.c).  The engine says which program each guest process
 * runs: pers_busy_exec at the start of its execve (dev and ino of
 * pers_exec's program), pers_busy_exec_done when it completed or failed.
 * pers_busy_check: -ETXTBSY when an open with these flags would write host,
 * a program a live guest process runs (p->busy, or p->runs_program), else 0.  pers_busy_probe: -ETXTBSY
 * when the file of fd is open for writing anywhere (the kernel says), else
 * 0; exec resolution asks it of every file it would execute. */
struct pers_busy *pers_busy_new(void);
void pers_busy_free(struct pers_busy *b);
void pers_busy_exec(struct pers_busy *b, pid_t pid, dev_t dev, ino_t ino);
void pers_busy_exec_done(struct pers_busy *b, pid_t pid, bool ok);
int pers_busy_check(const struct pers *p, const char *host, int flags);
int pers_busy_probe(int fd);

/* A read-only open of host path host (translated) that is one of the
 * /proc files whose text would name host paths or mew: an fd (a memfd,
 * close-on-exec) with the guest's view, or -1 (open host as it is)
 * (proc.c).  /proc/N/cmdline: the guest's argv (a dynamic program that the
 * syscall engine started through the rootfs's loader shows "ARGV0 ARGS",
 * not "ld.so --argv0 ARGV0 PROGRAM ARGS"; see cmdline_padded);
 * /proc/N/{maps,mountinfo,mounts}: guest paths, and only the mounts the
 * guest can see, the rootfs's as `/`; /proc/N/status: the ids, groups,
 * capabilities and no_new_privs of cred, the credentials of the process
 * pers_proc_cred_pid names (NULL: the host's, as they are);
 * /proc/sys/kernel/{hostname,domainname}: uname's names, the guest's (for a
 * process in mew's own UTS namespace: the engine asks only for those). */
int pers_proc_open(const struct pers *p, const char *host, const struct pers_cred *cred);
/* A /proc file the engine (mew, outside the guest's wall) would open for
 * writing on the guest's behalf: -EPERM for the id maps of a user
 * namespace (/proc/N/{uid,gid,projid}_map, setgroups), whose writes the
 * kernel checks against the credentials of who opened them (mew's: as
 * root, a map of the host's root); else 0. */
int pers_proc_write_check(const char *host);
/* The task whose credentials the view of host shows (/proc/N/status,
 * /proc/N/task/M/status), else 0. */
pid_t pers_proc_cred_pid(const char *host);

/* Owners as the guest sees them (owner.c): the recorded owner
 * (PERS_OWNER_XATTR), else for an unprivileged mew its own files as
 * root's, else the real one.  Host paths; follow: the last symlink. */
/* Are the kernel's owners the guest's (mew runs as root: chown is real)?
 * Then nothing is rewritten, and the engines need not see fstat. */
bool pers_owners_real(const struct pers *p);
void pers_owner_view(const struct pers *p, const char *host, bool follow, struct stat *st);
struct pers_owners *pers_owners_new(void);
void pers_owners_free(struct pers_owners *o);
/* Where an engine answers stat elsewhere (the syscall engine's stub) and
 * must know when not to: the (dev, ino) of each object o keeps an owner
 * for is put in keys[*n] (dev as st_dev), then *n is raised (a release
 * store), now and before each pers_owner_set that keeps one returns.
 * Keys are never taken out (an owner dropped leaves its key: a stat that
 * asks for nothing); more than cap of them: *n = cap + 1, "ask for all".
 * n NULL: no longer. */
void pers_owners_publish(struct pers_owners *o, uint32_t *n, uint64_t (*keys)[2], uint32_t cap);
int pers_owner_stat(const struct pers *p, const char *host, bool follow, struct stat *st);
/* Give the file that owner: a real chown as root, else a record (the
 * set-id bits it keeps stay kept). */
int pers_owner_set(const struct pers *p, const char *host, bool follow, uid_t uid, gid_t gid);
/* The same view for a statx the engine made: owner, group and set-id
 * bits, those of its mask. */
struct statx;
void pers_owner_view_statx(const struct pers *p, const char *host, bool follow, struct statx *sx);
/* Set-id bits an unprivileged mew's host does not keep for the guest
 * (owner.c).  pers_setid_keep: after the host was given the guest's mode
 * (chmod, chown's drop, a creation), whose set-id bits are bits: on mew's
 * own regular file or directory, those the host did not take, or that a
 * write by mew would drop where c may keep them (CAP_FSETID), recorded
 * for stat and exec; 0 or -errno.  pers_setid_write: before c opens host
 * for writing or truncates it (truncate: the kernel drops them now), the
 * bits such a write drops handed to the host, whose write drops them as
 * the kernel drops them for c, or for a c with CAP_FSETID kept in the
 * record; where mew runs as root (its writes keep every bit), those c's
 * write would drop are dropped then. */
int pers_setid_keep(const struct pers *p, const struct pers_cred *c, const char *host, bool follow, mode_t bits);
void pers_setid_write(const struct pers *p, const struct pers_cred *c, const char *host, bool follow, bool truncate);
/* After the guest created host (mkdir, open O_CREAT, mknod, symlink, bind):
 * the owner and set-group-id bit the kernel gives a new inode, and the
 * set-id bits it was made with kept (pers_setid_keep).  The same for an
 * O_TMPFILE file made in directory dir, named by its fd's /proc/N/fd/M. */
int pers_owner_created(const struct pers *p, const struct pers_cred *c, const char *host);
int pers_owner_tmpfile(const struct pers *p, const struct pers_cred *c, const char *dir, const char *fd_link);
/* Whether pers_owner_created would have anything to do for a creation of
 * host by c (an engine that must wait for the call's end to know). */
bool pers_owner_create_matters(const struct pers *p, const struct pers_cred *c, const char *host);

/* The kernel's permission checks for the guest's credentials c (perm.c),
 * on translated host paths: 0, or -errno for the guest (the call is then
 * not made).  A fake root passes without a look at the file. */
int pers_check_access(const struct pers *p, const struct pers_cred *c, const char *host,
		      bool follow, int mode, bool eaccess);
/* Any call that names host: search permission on every directory of the
 * walk (stat, readlink, chdir, execve, xattrs...; the checks below make it
 * too). */
int pers_check_lookup(const struct pers *p, const struct pers_cred *c, const char *host);
/* chdir: the walk, and search permission on the directory itself. */
int pers_check_chdir(const struct pers *p, const struct pers_cred *c, const char *host);
/* chroot (chroot.c): the kernel's errors for path in its order (the
 * walk's ENOENT, ENOTDIR, ELOOP; EACCES; EPERM without CAP_SYS_CHROOT),
 * then the process's new root in root (a canonical guest path, "" for
 * the run's `/`, as pers.root), which the engine keeps for the process
 * (fork inherits it, CLONE_FS shares it, exec keeps it).  base as for
 * pers_translate. */
int pers_chroot(const struct pers *p, const struct pers_cred *c, const char *base, const char *path,
		char *root, size_t len);
/* A root's permission on mew's own files (grant.c): after the personality
 * allowed a call on host that the kernel refused mew with EACCES, give
 * back the owner's permissions it needs on the files mew owns (search on
 * the walk, write on the entry's directory, read and write on the object),
 * below the rootfs or a bind; the number given.  Call again, then undo. */
#define PERS_GRANT_MAX 16
struct pers_grant {
	int n;
	struct {
		char path[PATH_MAX];
		mode_t mode;
	} saved[PERS_GRANT_MAX];
};
int pers_grant(const struct pers *p, const char *host, struct pers_grant *g);
/* While p->grant is set, translation's walk gives itself search
 * permission on the directories it is refused (into p->grant): true when
 * it gave the directory of host some. */
bool pers_grant_search(const struct pers *p, const char *host);
void pers_grant_undo(struct pers_grant *g);

/* open: the permission checks, then ETXTBSY for writing a program a guest
 * process runs (pers_busy_check), then for an open that writes, the
 * set-id bits its writes drop (pers_setid_write). */
int pers_check_open(const struct pers *p, const struct pers_cred *c, const char *host, int flags);
/* mkdir, mknod, symlink, link's new name, bind: the parent's write and search. */
int pers_check_create(const struct pers *p, const struct pers_cred *c, const char *host);
/* unlink, rmdir (with the sticky bit's rule), rename (both ends). */
int pers_check_delete(const struct pers *p, const struct pers_cred *c, const char *host);
int pers_check_rename(const struct pers *p, const struct pers_cred *c, const char *from,
		      const char *to);
/* truncate: the permission checks, then the set-id bits it drops
 * (pers_setid_write). */
int pers_check_write(const struct pers *p, const struct pers_cred *c, const char *host, bool follow);
/* An xattr name whose namespace Linux gives only to CAP_SYS_ADMIN:
 * trusted.*, and security.* but security.capability (CAP_SETFCAP's). */
bool pers_xattr_needs_admin(const char *name);

/* The xattr calls (xattr.c), every form: the engine finds the host path
 * (an fd's: pers_xattr_fd), reads the name (-ERANGE where it is longer
 * than XATTR_NAME_MAX) and, for a set, the value, and gives the guest
 * what pers_xattr returns (get and list: the bytes written in value).
 * The admin's namespaces (pers_xattr_needs_admin) of a caller with
 * CAP_SYS_ADMIN are stored under PERS_XATTR_HIDDEN + the name, or kept
 * for the run (p->xattrs) on what cannot carry user.* names; mew's own
 * names (pers_xattr_mews) are never the guest's. */
enum { PERS_XATTR_GET, PERS_XATTR_SET, PERS_XATTR_LIST, PERS_XATTR_REMOVE };
#define PERS_XATTR_HIDDEN "user.mew.x."
/* op on host (follow: its last symlink) for a caller of credentials c:
 * name (NULL for a list), value and size as the call's, flags (a set's).
 * The call's return value or -errno. */
long pers_xattr(const struct pers *p, const struct pers_cred *c, int op, const char *host, bool follow,
		const char *name, void *value, size_t size, int flags);
/* The host path of process pid's (0: this one) fd for these calls
 * (/proc/PID/fd/FD): 0, or 1 when the kernel answers the call as it is
 * (no fd, an O_PATH fd, a pipe, a socket). */
int pers_xattr_fd(pid_t pid, int fd, char *host, size_t len);
struct pers_xattrs *pers_xattrs_new(void);
void pers_xattrs_free(struct pers_xattrs *x);
/* A truncate the engine makes for guest thread tid (mew's own RLIMIT_FSIZE
 * is not the guest's): growing host's file past the guest's limit is
 * EFBIG, and SIGXFSZ to tid, as the kernel answers (LTP's truncate03). */
int pers_check_fsize(pid_t tid, const char *host, long long length);
/* utimes: now = to the current time (write permission is enough). */
int pers_check_utimes(const struct pers *p, const struct pers_cred *c, const char *host,
		      bool follow, bool now);
/* chmod and chown made whole: checked, then done (chown recorded where mew
 * cannot give files away; set-id bits dropped as the kernel drops them). */
int pers_chmod(const struct pers *p, const struct pers_cred *c, const char *host, bool follow,
	       mode_t mode);
int pers_chown(const struct pers *p, const struct pers_cred *c, const char *host, bool follow,
	       uid_t uid, gid_t gid);

#endif

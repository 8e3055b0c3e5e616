/* The personality's path translation: every way out of the rootfs stays in. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "personality/pers.h"

static char top[PATH_MAX], root[PATH_MAX], outside[PATH_MAX];

static void mk(const char *fmt, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), fmt, root, rel);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

static void touch(const char *rel, const char *content, mode_t mode)
{
	char p[PATH_MAX];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(p, mode);
}

static void ln(const char *target, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/mew-pers-XXXXXX";
	char p[PATH_MAX];

	assert_non_null(mkdtemp(tmpl));
	assert_non_null(realpath(tmpl, top));
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	mkdir(root, 0755);
	mkdir(outside, 0755);
	snprintf(p, sizeof(p), "%s/secret", outside);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	mk("%s/%s", "etc");
	mk("%s/%s", "usr");
	mk("%s/%s", "usr/bin");
	mk("%s/%s", "home");
	mk("%s/%s", "home/user");
	mk("%s/%s", "mnt");
	mk("%s/%s", "lib64");
	mk("%s/%s", "proc");
	touch("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
	touch("etc/target", "t\n", 0644);
	ln("/etc/target", "etc/abs");       /* absolute, inside */
	ln("/etc", "hostetc");              /* would be the host's /etc */
	ln("../../../../../../..", "up");    /* climbs */
	ln("usr/bin", "bin");               /* relative */
	ln("loop2", "loop1");
	ln("loop1", "loop2");
	ln("/etc/nothere", "dangling");
	ln("/nonexistent/file", "dangling2");
	touch("usr/bin/script", "#!/usr/bin/interp -x\necho\n", 0755);
	touch("usr/bin/interp", "#!/bin/realinterp\n", 0755);
	touch("usr/bin/noexec", "#!/bin/sh\n", 0644);
	/* A dynamic ELF: copy the host's /bin/true and give the rootfs its loader. */
	{
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd),
			 "cp /bin/true %s/usr/bin/true && cp /lib64/ld-linux-x86-64.so.2 %s/lib64/ && cp /bin/busybox %s/usr/bin/realinterp 2>/dev/null || cp /bin/true %s/usr/bin/realinterp",
			 root, root, root, root);
		assert_int_equal(system(cmd), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd);
}

static void init(struct pers *p)
{
	struct mew_error *err = NULL;
	char b[PATH_MAX];
	assert_int_equal(pers_init(p, root, &err), 0);
	snprintf(b, sizeof(b), "%s", outside);
	assert_int_equal(pers_add_bind(p, b, "/mnt/data/", false, &err), 0);
	assert_int_equal(pers_add_default_binds(p, &err), 0);
}

static void expect(struct pers *p, const char *base, const char *path, int flags, const char *rel)
{
	char host[PATH_MAX], want[PATH_MAX];
	int r = pers_translate(p, base, path, flags, host, sizeof(host));
	if (r < 0)
		fail_msg("translate `%s`: %s", path, strerror(-r));
	if (rel[0] == '@')
		snprintf(want, sizeof(want), "%s", rel + 1); /* a host path as is */
	else
		snprintf(want, sizeof(want), "%s%s", root, rel);
	if (strcmp(host, want) != 0)
		fail_msg("translate `%s`: got `%s`, want `%s`", path, host, want);
}

static void expect_err(struct pers *p, const char *path, int flags, int e)
{
	char host[PATH_MAX];
	int r = pers_translate(p, NULL, path, flags, host, sizeof(host));
	if (r != -e)
		fail_msg("translate `%s`: got %d (%s), want -%d", path, r, r < 0 ? strerror(-r) : host, e);
}

static void expect_err_at(struct pers *p, const char *base, const char *path, int flags, int e)
{
	char host[PATH_MAX];
	int r = pers_translate(p, base, path, flags, host, sizeof(host));
	if (r != -e)
		fail_msg("translate `%s` from `%s`: got %d (%s), want -%d", path, base, r, r < 0 ? strerror(-r) : host, e);
}

/* openat2's RESOLVE rules on the walk (fs/namei.c's answers). */
static void openat2_resolve_rules(void **state)
{
	struct pers p;
	const int F = PERS_FOLLOW;
	init(&p);
	/* BENEATH: nothing above base, no absolute path, no absolute symlink */
	expect(&p, "/etc", "passwd", F | PERS_BENEATH, "/etc/passwd");
	expect(&p, "/etc", "./../etc/passwd", F, "/etc/passwd");
	expect_err_at(&p, "/etc", "../etc/passwd", F | PERS_BENEATH, EXDEV);
	expect_err_at(&p, "/etc", "/etc/passwd", F | PERS_BENEATH, EXDEV);
	expect_err_at(&p, "/", "..", F | PERS_BENEATH, EXDEV);
	expect_err_at(&p, "/", "up/etc", F | PERS_BENEATH, EXDEV);
	expect_err_at(&p, "/", "etc/abs", F | PERS_BENEATH, EXDEV);
	expect(&p, "/", "etc/abs", PERS_BENEATH, "/etc/abs"); /* not followed */
	expect(&p, "/", "bin/script", F | PERS_BENEATH, "/usr/bin/script");
	expect(&p, "/usr", "bin/../bin/script", F | PERS_BENEATH, "/usr/bin/script");
	/* IN_ROOT: base is `/` for absolute paths, `..` and absolute symlinks */
	expect(&p, "/etc", "/passwd", F | PERS_IN_ROOT, "/etc/passwd");
	expect(&p, "/etc", "../../passwd", F | PERS_IN_ROOT, "/etc/passwd");
	expect_err_at(&p, "/etc", "abs", F | PERS_IN_ROOT, ENOENT); /* /etc/etc/target */
	expect(&p, "/", "up/etc/passwd", F | PERS_IN_ROOT, "/etc/passwd");
	/* NO_SYMLINKS: none followed, the last one named */
	expect_err_at(&p, "/", "bin/script", F | PERS_NO_SYMLINKS, ELOOP);
	expect_err_at(&p, "/", "etc/abs", F | PERS_NO_SYMLINKS, ELOOP);
	expect(&p, "/", "etc/abs", PERS_NO_SYMLINKS, "/etc/abs");
	expect(&p, "/", "/proc", F | PERS_NO_SYMLINKS, "@/proc");
	/* NO_XDEV: a bind is a mount, crossed down or by `..` */
	expect_err_at(&p, "/", "/mnt/data/secret", F | PERS_NO_XDEV, EXDEV);
	expect_err_at(&p, "/", "/proc", 0 | PERS_NO_XDEV, EXDEV);
	expect_err_at(&p, "/mnt/data", "..", F | PERS_NO_XDEV, EXDEV);
	expect(&p, "/", "/etc/passwd", F | PERS_NO_XDEV, "/etc/passwd");
	expect(&p, "/etc", "abs", F | PERS_NO_XDEV, "/etc/target");
	/* NO_MAGICLINKS: /proc/N/root and fd/M are magic, /proc/self is not */
	expect_err_at(&p, "/", "/proc/self/root/etc", F | PERS_NO_MAGICLINKS, ELOOP);
	expect_err_at(&p, "/", "/proc/self/root", F | PERS_NO_MAGICLINKS, ELOOP);
	expect_err_at(&p, "/", "/proc/self/fd/0", F | PERS_NO_MAGICLINKS, ELOOP);
	expect(&p, "/", "/proc/self/root/etc/passwd", F, "/etc/passwd");
	expect_err_at(&p, "/", "/proc/self/root/etc", F | PERS_IN_ROOT, EXDEV);
	expect_err_at(&p, "/", "/proc/self/root", F | PERS_NO_SYMLINKS, ELOOP);
	pers_free(&p);
}

/* openat2's struct open_how: the kernel's checks, in its order. */
static void openat2_open_how_checks(void **state)
{
	unsigned char buf[64] = { 0 };
	struct pers_open_how how, in = { 0 };
#define HOW(f, m, r) (in = (struct pers_open_how){ f, m, r }, memcpy(buf, &in, sizeof(in)), pers_open_how(buf, 24, &how))
	assert_int_equal(pers_open_how_size(16), -EINVAL);
	assert_int_equal(pers_open_how_size(8192), -E2BIG);
	assert_int_equal(pers_open_how_size(4096), 0);
	assert_int_equal(HOW(O_RDONLY, 0, 0), 0);
	assert_true(how.flags & 0100000); /* O_LARGEFILE, as 64-bit Linux adds it */
	buf[40] = 1;
	assert_int_equal(pers_open_how(buf, 48, &how), -E2BIG);
	buf[40] = 0;
	assert_int_equal(pers_open_how(buf, 48, &how), 0);
	assert_int_equal(HOW(1ULL << 40, 0, 0), -EINVAL);
	assert_int_equal(HOW(04, 0, 0), -EINVAL);
	assert_int_equal(HOW(O_RDONLY, 0, 0x40), -EINVAL);
	assert_int_equal(HOW(O_RDONLY, 0, 0x18), -EINVAL); /* BENEATH | IN_ROOT */
	assert_int_equal(HOW(O_RDONLY, 0644, 0), -EINVAL);
	assert_int_equal(HOW(O_CREAT | O_WRONLY, 010644, 0), -EINVAL);
	assert_int_equal(HOW(O_CREAT | O_WRONLY, 07644, 0), 0);
	assert_int_equal(HOW(O_CREAT | O_DIRECTORY, 0, 0), -EINVAL);
	assert_int_equal(HOW(O_TMPFILE | O_RDONLY, 0600, 0), -EINVAL);
	assert_int_equal(HOW(O_TMPFILE | O_RDWR, 0600, 0), 0);
	assert_int_equal(HOW(O_PATH | O_RDWR, 0, 0), -EINVAL);
	assert_int_equal(HOW(O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0, 0), 0);
	assert_false(how.flags & 0100000);
	assert_int_equal(HOW(O_CREAT | O_WRONLY, 0600, 0x20), -EAGAIN); /* CACHED */
	assert_int_equal(HOW(O_RDONLY, 0, 0x20), 0);
	assert_int_equal(HOW(O_RDONLY, 0, 0x08), 0);
	assert_int_equal(pers_open_how_walk(&how), PERS_FOLLOW | PERS_BENEATH);
	assert_int_equal(HOW(O_CREAT | O_EXCL | O_WRONLY, 0600, 0x04), 0);
	assert_int_equal(pers_open_how_walk(&how), PERS_NO_SYMLINKS);
#undef HOW
}

static void plain_paths(void **state)
{
	struct pers p;
	init(&p);
	expect(&p, NULL, "/etc/passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, NULL, "/", PERS_FOLLOW, "");
	expect(&p, NULL, "//etc/./passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, NULL, "/etc/newfile", 0, "/etc/newfile");
	expect(&p, NULL, "/etc/", PERS_FOLLOW, "/etc/");
	expect(&p, "/home/user", "../../etc/passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, "/home", "user", PERS_FOLLOW, "/home/user");
	pers_free(&p);
}

static void dotdot_stays_at_root(void **state)
{
	struct pers p;
	init(&p);
	expect(&p, NULL, "../../../../etc/passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, NULL, "/..", PERS_FOLLOW, "");
	expect(&p, "/home", "../../../..", PERS_FOLLOW, "");
	expect(&p, "/../../..", "etc", PERS_FOLLOW, "/etc");
	pers_free(&p);
}

static void symlinks_resolve_in_the_rootfs(void **state)
{
	struct pers p;
	init(&p);
	expect(&p, NULL, "/etc/abs", PERS_FOLLOW, "/etc/target");
	expect(&p, NULL, "/etc/abs", 0, "/etc/abs");
	expect(&p, NULL, "/hostetc/passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, NULL, "/hostetc", PERS_FOLLOW, "/etc");
	expect(&p, NULL, "/up/etc/passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, NULL, "/up/../../..", PERS_FOLLOW, "");
	expect(&p, NULL, "/bin/script", PERS_FOLLOW, "/usr/bin/script");
	expect(&p, NULL, "/dangling", PERS_FOLLOW, "/etc/nothere");
	expect_err(&p, "/dangling2", PERS_FOLLOW, ENOENT);
	expect_err(&p, "/loop1", PERS_FOLLOW, ELOOP);
	expect(&p, NULL, "/loop1", 0, "/loop1");
	expect_err(&p, "/etc/passwd/x", PERS_FOLLOW, ENOTDIR);
	expect_err(&p, "/nope/x", PERS_FOLLOW, ENOENT);
	expect_err(&p, "", PERS_FOLLOW, ENOENT);
	pers_free(&p);
}

static void binds_replace_a_subtree(void **state)
{
	struct pers p;
	char want[PATH_MAX], g[PATH_MAX];
	init(&p);
	snprintf(want, sizeof(want), "@%s/secret", outside);
	expect(&p, NULL, "/mnt/data/secret", PERS_FOLLOW, want);
	expect(&p, NULL, "/mnt/data/../../etc/passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, NULL, "/mnt/data/../x", 0, "/mnt/x");
	snprintf(want, sizeof(want), "%s/secret", outside);
	assert_int_equal(pers_untranslate(&p, want, g, sizeof(g)), 0);
	assert_string_equal(g, "/mnt/data/secret");
	assert_int_equal(pers_untranslate(&p, outside, g, sizeof(g)), 0);
	assert_string_equal(g, "/mnt/data");
	snprintf(want, sizeof(want), "%s/etc/passwd", root);
	assert_int_equal(pers_untranslate(&p, want, g, sizeof(g)), 0);
	assert_string_equal(g, "/etc/passwd");
	assert_int_equal(pers_untranslate(&p, root, g, sizeof(g)), 0);
	assert_string_equal(g, "/");
	assert_int_equal(pers_untranslate(&p, top, g, sizeof(g)), 1);
	/* read-only: a bind's own flag, the rootfs with readonly_root */
	snprintf(want, sizeof(want), "%s/etc/passwd", root);
	assert_false(pers_host_readonly(&p, want));
	p.readonly_root = true;
	assert_true(pers_host_readonly(&p, want));
	snprintf(want, sizeof(want), "%s/secret", outside);
	assert_false(pers_host_readonly(&p, want));
	p.binds[0].ro = true;
	assert_true(pers_host_readonly(&p, want));
	p.readonly_root = false;
	/* a sibling whose name starts like the rootfs is not inside it */
	snprintf(want, sizeof(want), "%sx/y", root);
	assert_int_equal(pers_untranslate(&p, want, g, sizeof(g)), 1);
	pers_free(&p);
}

static void proc_answers_guest_paths(void **state)
{
	struct pers p;
	char buf[PATH_MAX], home[PATH_MAX], old[PATH_MAX];
	ssize_t n;

	init(&p);
	/* /proc/self is the guest process, not whoever translates */
	n = pers_readlink(&p, NULL, "/proc/self", buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(atoi(buf), getpid());
	p.pid = 1;
	n = pers_readlink(&p, NULL, "/proc/self", buf, sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, "1");
	p.pid = 0;
	/* /proc/self/root is the guest's root: `..` from it stays there */
	expect(&p, NULL, "/proc/self/root", PERS_FOLLOW, "");
	expect(&p, NULL, "/proc/self/root/..", PERS_FOLLOW, "");
	expect(&p, NULL, "/proc/self/root/../etc/passwd", PERS_FOLLOW, "/etc/passwd");
	n = pers_readlink(&p, NULL, "/proc/self/root", buf, sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, "/");
	/* /proc/self/cwd answers the guest path of the process's cwd */
	assert_non_null(getcwd(old, sizeof(old)));
	snprintf(home, sizeof(home), "%s/home/user", root);
	assert_int_equal(chdir(home), 0);
	n = pers_readlink(&p, NULL, "/proc/self/cwd", buf, sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, "/home/user");
	expect(&p, NULL, "/proc/self/cwd/../../etc/passwd", PERS_FOLLOW, "/etc/passwd");
	assert_int_equal(pers_getcwd(&p, getpid(), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/user");
	assert_int_equal(chdir(old), 0);
	/* the engine's idea of the program wins over the host's */
	p.exe = "/usr/bin/prog";
	n = pers_readlink(&p, NULL, "/proc/self/exe", buf, sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, "/usr/bin/prog");
	expect(&p, NULL, "/proc/self/exe", PERS_FOLLOW, "/usr/bin/prog");
	/* a symlink's own text */
	n = pers_readlink(&p, NULL, "/etc/abs", buf, sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, "/etc/target");
	assert_int_equal(pers_readlink(&p, NULL, "/etc/passwd", buf, sizeof(buf)), -EINVAL);
	pers_free(&p);
}

static void dirfd_opened_before_chdir(void **state)
{
	struct pers p;
	char g[PATH_MAX], d[PATH_MAX];
	int fd;
	init(&p);
	snprintf(d, sizeof(d), "%s/home", root);
	fd = open(d, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(pers_set_cwd(&p, "/etc"), 0);
	assert_string_equal(p.cwd, "/etc");
	assert_int_equal(pers_fd_path(&p, 0, fd, g, sizeof(g)), 0);
	assert_string_equal(g, "/home");
	expect(&p, g, "../../../etc/passwd", PERS_FOLLOW, "/etc/passwd");
	expect(&p, NULL, "passwd", PERS_FOLLOW, "/etc/passwd");
	assert_int_equal(pers_set_cwd(&p, "/etc/passwd"), -ENOTDIR);
	assert_int_equal(pers_set_cwd(&p, "/hostetc/.."), 0);
	assert_string_equal(p.cwd, "/");
	close(fd);
	pers_free(&p);
}

static void exec_finds_interpreters_in_the_rootfs(void **state)
{
	struct pers p;
	struct pers_exec e;
	char want[PATH_MAX];
	init(&p);
	/* script -> /usr/bin/interp (itself a script) -> /bin/realinterp */
	assert_int_equal(pers_exec_resolve(&p, NULL, "/bin/script", "script", &e), 0);
	snprintf(want, sizeof(want), "%s/usr/bin/realinterp", root);
	assert_string_equal(e.host, want);
	assert_int_equal(e.nprefix >= 4, 1);
	assert_string_equal(e.prefix[0], "/bin/realinterp");
	assert_string_equal(e.prefix[1], "/usr/bin/interp");
	assert_string_equal(e.prefix[2], "-x");
	assert_string_equal(e.prefix[3], "/bin/script");
	/* dynamic ELF: the rootfs's loader runs the program */
	assert_int_equal(pers_exec_resolve(&p, NULL, "/bin/true", "true", &e), 0);
	snprintf(want, sizeof(want), "%s/lib64/ld-linux-x86-64.so.2", root);
	assert_string_equal(e.host, want);
	assert_int_equal(e.nprefix, 4);
	assert_string_equal(e.prefix[1], "--argv0");
	assert_string_equal(e.prefix[2], "true");
	assert_string_equal(e.prefix[3], "/usr/bin/true");
	assert_string_equal(e.guest, "/usr/bin/true");
	assert_int_equal(pers_exec_resolve(&p, NULL, "/bin/noexec", "x", &e), -EACCES);
	assert_int_equal(pers_exec_resolve(&p, NULL, "/bin/none", "x", &e), -ENOENT);
	assert_int_equal(pers_exec_resolve(&p, NULL, "/etc", "x", &e), -EACCES);
	pers_free(&p);
}

static void uname_and_identity(void **state)
{
	struct pers p;
	struct utsname u;
	init(&p);
	assert_true(p.fake_root);
	assert_int_equal(p.uid, 0);
	pers_set_hostname(&p, "box");
	pers_uname(&p, &u);
	assert_string_equal(u.nodename, "box");
	assert_string_equal(u.sysname, "Linux");
	pers_free(&p);
}

/* The call table: the same rules for a call under both ABIs. */
static void one_call_table_for_both_abis(void **state)
{
	const struct pers_call *x = pers_call(&pers_abi_x86_64, 257 /* openat */);
	const struct pers_call *a = pers_call(&pers_abi_aarch64, 56 /* openat */);
	uint64_t args[6] = { 0 };

	assert_non_null(x);
	assert_ptr_equal(x, a);
	assert_int_equal(x->path[0], 1);
	assert_int_equal(x->dirfd[0], 0);
	/* O_NOFOLLOW is 0400000 on x86-64, 0100000 on aarch64 */
	assert_int_equal(pers_call_follows(x, 0400000, pers_abi_x86_64.o_nofollow), 0);
	assert_int_equal(pers_call_follows(a, 0400000, pers_abi_aarch64.o_nofollow), PERS_FOLLOW);
	assert_int_equal(pers_call_follows(a, 0100000, pers_abi_aarch64.o_nofollow), 0);
	assert_int_equal(pers_call_follows(x, O_CREAT | O_EXCL, pers_abi_x86_64.o_nofollow), 0);
	assert_false(pers_call_writes(x, O_RDONLY));
	assert_true(pers_call_writes(x, O_WRONLY));
	assert_true(pers_call_writes(x, O_RDONLY | O_TRUNC));
	assert_true(pers_call_writes(x, O_RDONLY | O_CREAT));
	/* fstatat is aarch64's newfstatat; mkdir exists on x86-64 only */
	assert_ptr_equal(pers_call(&pers_abi_aarch64, 79), pers_call(&pers_abi_x86_64, 262));
	assert_non_null(pers_call(&pers_abi_x86_64, 83));
	assert_null(pers_call(&pers_abi_aarch64, 83)); /* aarch64 83 is fsync */
	/* linkat: second path named, first followed only with AT_SYMLINK_FOLLOW */
	x = pers_call(&pers_abi_x86_64, 265);
	args[4] = 0x400;
	assert_int_equal(pers_call_follows(x, PERS_CALL_FLAG(x, args), 0400000), PERS_FOLLOW);
	assert_int_equal(x->path[1], 3);
	assert_int_equal(x->creates, 2);
	/* getppid is nothing of the personality's */
	assert_null(pers_call(&pers_abi_x86_64, 110));
	/* the identity calls are rows too: the credential model's call */
	x = pers_call(&pers_abi_x86_64, 117 /* setresuid */);
	assert_non_null(x);
	assert_int_equal(x->kind, PK_CRED);
	assert_int_equal(x->cred, PERS_SETRESUID);
	assert_ptr_equal(pers_call(&pers_abi_aarch64, 147 /* setresuid */), x);
	assert_int_equal(pers_call(&pers_abi_aarch64, 167 /* prctl */)->cred, PERS_PRCTL);
	assert_int_equal(pers_call(&pers_abi_x86_64, 62 /* kill */)->kind, PK_KILL);
	assert_ptr_equal(pers_call(&pers_abi_aarch64, 131 /* tgkill */), pers_call(&pers_abi_x86_64, 234));
	/* fchown: owners, on the fd in argument 0, uid and gid after it */
	x = pers_call(&pers_abi_x86_64, 93 /* fchown */);
	assert_int_equal(x->kind, PK_FD);
	assert_true(x->owner);
	assert_int_equal(x->dirfd[0], 0);
	assert_ptr_equal(pers_call(&pers_abi_aarch64, 55 /* fchown */), x);
	assert_true(pers_call(&pers_abi_x86_64, 260 /* fchownat */)->owner);
}

/* Read-only: EROFS for a write, EEXIST for creating what is there, and
 * nothing for an O_CREAT open of an existing file read only. */
static void read_only_rules(void **state)
{
	const struct pers_call *mkdirat = pers_call(&pers_abi_x86_64, 258);
	const struct pers_call *openat = pers_call(&pers_abi_x86_64, 257);
	const struct pers_call *stat_ = pers_call(&pers_abi_x86_64, 4);
	char etc[PATH_MAX], nope[PATH_MAX], passwd[PATH_MAX];
	struct pers p;

	init(&p);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	snprintf(nope, sizeof(nope), "%s/etc/nope", root);
	snprintf(passwd, sizeof(passwd), "%s/etc/passwd", root);
	assert_int_equal(pers_write_check(&p, mkdirat, 0, 0, nope), 0);
	p.readonly_root = true;
	assert_int_equal(pers_write_check(&p, mkdirat, 0, 0, nope), -EROFS);
	assert_int_equal(pers_write_check(&p, mkdirat, 0, 0, etc), -EEXIST);
	assert_int_equal(pers_write_check(&p, stat_, 0, 0, etc), 0);
	assert_int_equal(pers_write_check(&p, openat, O_RDONLY | O_CREAT, 0, passwd), 0);
	assert_int_equal(pers_write_check(&p, openat, O_RDONLY | O_CREAT, 0, nope), -EROFS);
	assert_int_equal(pers_write_check(&p, openat, O_WRONLY | O_CREAT | O_EXCL, 0, passwd), -EEXIST);
	assert_int_equal(pers_write_check(&p, openat, O_WRONLY, 0, passwd), -EROFS);
	/* the rw bind is not the rootfs */
	snprintf(nope, sizeof(nope), "%s/new", outside);
	assert_int_equal(pers_write_check(&p, mkdirat, 0, 0, nope), 0);
	/* writes through an fd opened for reading: by the fd's file */
	{
		const struct pers_call *fchmod_ = pers_call(&pers_abi_x86_64, 91 /* fchmod */);
		const struct pers_call *fgetxattr = pers_call(&pers_abi_x86_64, 193 /* fgetxattr */);
		const struct pers_call *utimensat = pers_call(&pers_abi_x86_64, 280 /* utimensat */);
		const struct pers_call *fchownat = pers_call(&pers_abi_x86_64, 260 /* fchownat */);
		int in = open(passwd, O_RDONLY | O_CLOEXEC), out;
		uint64_t args[6] = { 0 };
		snprintf(nope, sizeof(nope), "%s/secret", outside);
		out = open(nope, O_RDONLY | O_CLOEXEC);
		assert_true(in >= 0 && out >= 0);
		/* a read (the admin's xattr names are the personality's): no
		 * read-only rule */
		assert_non_null(fgetxattr);
		args[0] = (uint64_t)in;
		assert_int_equal(pers_call_fd_check(&p, 0, fgetxattr, args, false), 0);
		assert_int_equal(pers_fd_write_check(&p, 0, in), -EROFS);
		assert_int_equal(pers_fd_write_check(&p, 0, out), 0);
		assert_int_equal(pers_fd_write_check(&p, 0, -1), 0); /* the kernel's EBADF */
		args[0] = (uint64_t)in;
		assert_int_equal(pers_call_fd_check(&p, 0, fchmod_, args, false), -EROFS);
		args[0] = (uint64_t)out;
		assert_int_equal(pers_call_fd_check(&p, 0, fchmod_, args, false), 0);
		/* futimens: utimensat(fd, NULL, ...); utimensat(fd, "", ..., AT_EMPTY_PATH) */
		args[0] = (uint64_t)in;
		assert_int_equal(pers_call_on_fd(utimensat, args, false), 0);
		assert_int_equal(pers_call_fd_check(&p, 0, utimensat, args, false), -EROFS);
		args[1] = (uint64_t)(uintptr_t)"";
		assert_int_equal(pers_call_on_fd(utimensat, args, true), -1); /* an empty path is ENOENT */
		args[3] = AT_EMPTY_PATH;
		assert_int_equal(pers_call_on_fd(utimensat, args, true), 0);
		assert_int_equal(pers_call_on_fd(utimensat, args, false), -1); /* a path: not the fd */
		args[4] = AT_EMPTY_PATH;
		assert_int_equal(pers_call_fd_check(&p, 0, fchownat, args, true), -EROFS);
		/* an open with O_DSYNC (the same bit) and an empty path is no fd call */
		args[2] = O_WRONLY | O_DSYNC;
		assert_int_equal(pers_call_on_fd(openat, args, true), -1);
		close(in);
		close(out);
	}
	pers_free(&p);
}

/* Program lookup: along PATH, the default when there is none; a found
 * file that is not executable is EACCES, as for execvp. */
static void lookup_along_path(void **state)
{
	char g[PATH_MAX];
	struct pers p;

	init(&p);
	assert_int_equal(pers_lookup(&p, "true", NULL, g, sizeof(g)), 0);
	assert_string_equal(g, "/usr/bin/true");
	assert_int_equal(pers_lookup(&p, "true", "/nowhere:/bin", g, sizeof(g)), 0);
	assert_string_equal(g, "/bin/true"); /* /bin -> usr/bin */
	assert_int_equal(pers_lookup(&p, "noexec", NULL, g, sizeof(g)), -EACCES);
	assert_int_equal(pers_lookup(&p, "nothere", NULL, g, sizeof(g)), -ENOENT);
	assert_int_equal(pers_lookup(&p, "passwd", "/etc", g, sizeof(g)), -EACCES);
	assert_int_equal(pers_lookup(&p, "./x/y", NULL, g, sizeof(g)), 0);
	assert_string_equal(g, "./x/y");
	pers_free(&p);
}

/* The (dev, ino) of each symlink whose owner is kept reach the published
 * table (the syscall engine's stubs read it) before pers_owner_set
 * returns, once each; past the table's size, "ask for all". */
static void kept_owners_published(void **state)
{
	uint64_t keys[2][2] = { { 0 } };
	uint32_t n = 99;
	char l[3][PATH_MAX];
	struct stat st[3];
	struct pers p;

	memset(&p, 0, sizeof(p));
	p.fake_root = true;
	p.host_uid = 4242, p.host_gid = 4242; /* an ordinary user: owners are kept */
	assert_non_null(p.owners = pers_owners_new());
	for (int i = 0; i < 3; i++) {
		snprintf(l[i], sizeof(l[i]), "%s/kept%d", top, i);
		assert_int_equal(symlink("x", l[i]), 0);
		assert_int_equal(lstat(l[i], &st[i]), 0);
	}
	assert_int_equal(pers_owner_set(&p, l[0], false, 5, 6), 0); /* before publishing */
	pers_owners_publish(p.owners, &n, keys, 2);
	assert_int_equal(n, 1);
	assert_int_equal(keys[0][0], st[0].st_dev);
	assert_int_equal(keys[0][1], st[0].st_ino);
	assert_int_equal(pers_owner_set(&p, l[0], false, 7, 8), 0); /* the same one again */
	assert_int_equal(n, 1);
	assert_int_equal(pers_owner_set(&p, l[1], false, 5, 6), 0);
	assert_int_equal(n, 2);
	assert_int_equal(keys[1][1], st[1].st_ino);
	assert_int_equal(pers_owner_set(&p, l[2], false, 5, 6), 0); /* no room: all */
	assert_int_equal(n, 3);
	pers_owners_publish(p.owners, NULL, NULL, 0);
	pers_owners_free(p.owners);
	for (int i = 0; i < 3; i++)
		unlink(l[i]);
}

/* A process's own root (chroot): absolute paths and absolute symlinks
 * start there, `..` stops there, a base outside it (a cwd or fd kept from
 * before) still climbs to the run's `/` and no further; the paths shown
 * are the root's (getcwd's "(unreachable)" outside it). */
static void chroot_gives_a_root_of_its_own(void **state)
{
	struct pers p;
	char buf[PATH_MAX], g[PATH_MAX];
	struct pers_cred c;
	ssize_t n;

	init(&p);
	pers_cred_init(&c, 0, 0);
	assert_int_equal(pers_chroot(&p, &c, NULL, "/usr/../home", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home");
	assert_int_equal(pers_chroot(&p, &c, NULL, "/", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(pers_chroot(&p, &c, NULL, "/etc/passwd", buf, sizeof(buf)), -ENOTDIR);
	/* the bind's directory, by the guest's name */
	assert_int_equal(pers_chroot(&p, &c, NULL, "/mnt/data", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/data");
	/* a bind of the rootfs itself is the bind, not the rootfs's `/` */
	{
		struct mew_error *err = NULL;
		assert_int_equal(pers_add_bind(&p, root, "/mnt/all", true, &err), 0);
	}
	assert_int_equal(pers_chroot(&p, &c, NULL, "/mnt/all", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/all");
	pers_cred_init(&c, 65534, 65534);
	assert_int_equal(pers_chroot(&p, &c, NULL, "/home", buf, sizeof(buf)), -EPERM);

	snprintf(p.root, sizeof(p.root), "/home");
	expect(&p, NULL, "/user", PERS_FOLLOW, "/home/user");
	expect(&p, NULL, "/..", PERS_FOLLOW, "/home");
	expect(&p, NULL, "/../../user/..", PERS_FOLLOW, "/home");
	expect(&p, "/home/user", "../../..", PERS_FOLLOW, "/home");
	/* a base outside the root climbs as Linux's walk does, to the
	 * run's `/` at most */
	expect(&p, "/etc", "..", PERS_FOLLOW, "");
	expect(&p, "/etc", "../../../etc/passwd", PERS_FOLLOW, "/etc/passwd");
	/* an absolute symlink met from outside jumps into the root */
	expect(&p, "/", "etc/abs", 0, "/etc/abs");
	expect_err(&p, "etc/abs", PERS_FOLLOW, ENOENT); /* /home/etc/target; cwd / */
	expect_err(&p, "/etc/passwd", 0, ENOENT);
	p.root[0] = '\0';
	expect(&p, NULL, "/etc/abs", PERS_FOLLOW, "/etc/target");
	snprintf(p.root, sizeof(p.root), "/etc");
	expect(&p, NULL, "/abs", 0, "/etc/abs");
	expect_err(&p, "/abs", PERS_FOLLOW, ENOENT); /* /etc/target of /etc */
	expect(&p, NULL, "/target", PERS_FOLLOW, "/etc/target");
	/* scopes are the dirfd's, not the root's */
	expect(&p, "/usr", "bin/../..", PERS_IN_ROOT, "/usr");

	/* what the process is shown */
	assert_int_equal(pers_view(&p, "/etc/target", g, sizeof(g)), 0);
	assert_string_equal(g, "/target");
	assert_int_equal(pers_view(&p, "/etc", g, sizeof(g)), 0);
	assert_string_equal(g, "/");
	assert_int_equal(pers_view(&p, "/etcx", g, sizeof(g)), 1);
	assert_string_equal(g, "/etcx");
	snprintf(p.cwd, sizeof(p.cwd), "/home/user");
	assert_int_equal(pers_getcwd_view(&p, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "(unreachable)/home/user");
	snprintf(p.cwd, sizeof(p.cwd), "/etc");
	assert_int_equal(pers_getcwd_view(&p, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	/* /proc/self/root: the root, and `..` from it stays there (/proc
	 * is the run's bind, not under /etc: reached from a base) */
	assert_int_equal(pers_readlink(&p, NULL, "/proc/self/root", buf, sizeof(buf)), -ENOENT);
	n = pers_readlink(&p, "/proc", "self/root", buf, sizeof(buf));
	assert_int_equal(n, 1);
	assert_memory_equal(buf, "/", 1);
	expect(&p, "/proc", "self/root/../target", PERS_FOLLOW, "/etc/target");
	pers_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_paths),
		cmocka_unit_test(dotdot_stays_at_root),
		cmocka_unit_test(chroot_gives_a_root_of_its_own),
		cmocka_unit_test(openat2_resolve_rules),
		cmocka_unit_test(openat2_open_how_checks),
		cmocka_unit_test(symlinks_resolve_in_the_rootfs),
		cmocka_unit_test(binds_replace_a_subtree),
		cmocka_unit_test(proc_answers_guest_paths),
		cmocka_unit_test(dirfd_opened_before_chdir),
		cmocka_unit_test(exec_finds_interpreters_in_the_rootfs),
		cmocka_unit_test(uname_and_identity),
		cmocka_unit_test(one_call_table_for_both_abis),
		cmocka_unit_test(read_only_rules),
		cmocka_unit_test(lookup_along_path),
		cmocka_unit_test(kept_owners_published),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

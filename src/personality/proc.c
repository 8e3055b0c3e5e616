/* The /proc files whose text names host paths, shown as the guest would
 * see them (pers.h: pers_proc_open), for every engine. */
#include "personality/pers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The whole of a /proc file (they are small), NUL-terminated; NULL on error. */
static char *slurp(const char *host, size_t *len)
{
	size_t cap = 1 << 16, at = 0;
	char *buf = malloc(cap);
	int fd = open(host, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (buf == NULL || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + at, cap - at - 1)) > 0) {
		at += (size_t)n;
		if (cap - at < 4096) {
			char *b = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
			if (b == NULL)
				break;
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	buf[at] = '\0';
	*len = at;
	return buf;
}

/* /proc/N[/task/M]/WHAT of a host path: "/WHAT", or NULL. */
static const char *proc_file(const char *host)
{
	const char *num = host + 6;
	char *end;

	if (strncmp(host, "/proc/", 6) != 0 || *num < '0' || *num > '9')
		return NULL;
	strtol(num, &end, 10);
	if (strncmp(end, "/task/", 6) == 0)
		strtol(end + 6, &end, 10);
	return end;
}

static int memfd_of(const char *name, const char *data, size_t len)
{
	int m = memfd_create(name, MFD_CLOEXEC);

	if (m < 0)
		return -1;
	for (size_t at = 0; at < len;) {
		ssize_t n = write(m, data + at, len - at);
		if (n <= 0) {
			close(m);
			return -1;
		}
		at += (size_t)n;
	}
	lseek(m, 0, SEEK_SET);
	return m;
}

/* A memfd (*m) and a stream that writes into it through an fd of its own:
 * NULL (nothing left open) on error. */
static FILE *memfd_stream(const char *name, int *m)
{
	FILE *out;

	*m = memfd_create(name, MFD_CLOEXEC);
	out = *m < 0 ? NULL : fdopen(dup(*m), "w");
	if (out == NULL && *m >= 0) {
		close(*m);
		*m = -1;
	}
	return out;
}

/* /proc/N/cmdline: of a dynamic program mew started through the rootfs's
 * loader ("ld.so --argv0 ARGV0 PROGRAM ARGS"), what the kernel would have
 * shown ("ARGV0 ARGS"); where the engine wrote the guest's argv over its
 * own (cmdline_padded), without the padding.  -1 when neither. */
static int cmdline_fd(const struct pers *p, const char *host)
{
	const char *args[4];
	size_t at, k = 0;
	char *buf = slurp(host, &at);
	int m = -1;

	if (buf == NULL)
		return -1;
	for (size_t i = 0; k < 4 && i < at; k++) {
		args[k] = buf + i;
		while (i < at && buf[i] != '\0')
			i++;
		i++;
	}
	if (k == 4 && args[0][0] == '/' && strncmp(strrchr(args[0], '/') + 1, "ld-", 3) == 0 &&
	    strcmp(args[1], "--argv0") == 0) {
		/* ARGV0, then what follows PROGRAM */
		size_t a0 = strlen(args[2]) + 1, from = (size_t)(args[3] - buf) + strlen(args[3]) + 1;
		memmove(buf, args[2], a0);
		if (from < at)
			memmove(buf + a0, buf + from, at - from);
		m = memfd_of("cmdline", buf, a0 + (from < at ? at - from : 0));
	} else if (p->cmdline_padded) {
		while (at >= 2 && buf[at - 1] == '\0' && buf[at - 2] == '\0')
			at--;
		m = memfd_of("cmdline", buf, at);
	}
	free(buf);
	return m;
}

/* Does path (a host mount point) contain dir as whole components? */
static bool host_under(const char *dir, const char *path)
{
	size_t n = strlen(path);
	if (n == 1)
		return dir[0] == '/';
	return strncmp(dir, path, n) == 0 && (dir[n] == '/' || dir[n] == '\0');
}

/* A maps line whose name starts at name, where the engine has a vDSO of its
 * own (vdso_memfd): its mapping shown as Linux shows [vdso] (no file, the
 * code executable), the host's [vdso], [vvar] and [vsyscall] (mew's) not
 * shown.  1 when the line was dealt with, 0 when it is an ordinary one. */
static int vdso_line(const struct pers *p, const char *line, int name, FILE *out)
{
	char memfd[64], range[64], perms[8], head[160];
	const char *n = line + name;

	if (strcmp(n, "[vdso]") == 0 || strncmp(n, "[vvar", 5) == 0 || strcmp(n, "[vsyscall]") == 0)
		return 1;
	snprintf(memfd, sizeof(memfd), "/memfd:%s (deleted)", p->vdso_memfd);
	if (strcmp(n, memfd) != 0 || sscanf(line, "%63s %7s", range, perms) != 2 || strlen(perms) != 4)
		return 0;
	perms[2] = 'x';
	/* as the kernel pads it: the name in column 74 */
	snprintf(head, sizeof(head), "%s %s 00000000 00:00 0 ", range, perms);
	fprintf(out, "%-72s [vdso]\n", head);
	return 1;
}

/* /proc/N/{maps,mountinfo,mounts} with guest paths: file names in maps
 * untranslated; of the mounts, those the guest can see (under the rootfs
 * or a bind), the one holding the rootfs shown as `/`.  -1 when host is
 * none of them. */
static int view_fd(const struct pers *p, const char *host)
{
	const char *what = proc_file(host);
	char *buf, *line, *save = NULL, guest[PATH_MAX];
	size_t len, best = 0;
	int m, field;
	FILE *out;

	if (what == NULL)
		return -1;
	if (strcmp(what, "/maps") == 0)
		field = 0;
	else if (strcmp(what, "/mountinfo") == 0)
		field = 5;
	else if (strcmp(what, "/mounts") == 0)
		field = 2;
	else
		return -1;
	buf = slurp(host, &len);
	if (buf == NULL)
		return -1;
	if ((out = memfd_stream(what + 1, &m)) == NULL) {
		free(buf);
		return -1;
	}
	if (field != 0) {
		/* The mount the rootfs lives on: the longest mount point above it. */
		char *copy = strdup(buf), *l, *sv = NULL;
		for (l = copy != NULL ? strtok_r(copy, "\n", &sv) : NULL; l != NULL; l = strtok_r(NULL, "\n", &sv)) {
			char mp[PATH_MAX];
			if (sscanf(l, field == 5 ? "%*s %*s %*s %*s %4095s" : "%*s %4095s", mp) == 1 &&
			    host_under(p->rootfs, mp) && strlen(mp) > best)
				best = strlen(mp);
		}
		free(copy);
	}
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		int a = 0, b = 0;
		if (field == 0) {
			/* address perms offset dev inode   pathname */
			if (p->vdso_memfd != NULL && sscanf(line, "%*s %*s %*s %*s %*s %n", &a) >= 0 && a > 0) {
				if (vdso_line(p, line, a, out))
					continue;
			}
			if (sscanf(line, "%*s %*s %*s %*s %*s %n", &a) >= 0 && a > 0 && line[a] == '/') {
				char *del = strstr(line + a, " (deleted)");
				if (del != NULL)
					*del = '\0';
				if (pers_untranslate(p, line + a, guest, sizeof(guest)) == 0) {
					fprintf(out, "%.*s%s%s\n", a, line, guest, del != NULL ? " (deleted)" : "");
					continue;
				}
				if (del != NULL)
					*del = ' ';
			}
			fprintf(out, "%s\n", line);
			continue;
		}
		/* the mount point: field 5 of mountinfo, 2 of mounts */
		{
			char *f = line;
			for (int i = 1; i < field && f != NULL; i++) {
				f = strchr(f, ' ');
				if (f != NULL)
					f++;
			}
			if (f == NULL)
				continue;
			a = (int)(f - line);
			b = a;
			while (line[b] != '\0' && line[b] != ' ')
				b++;
		}
		{
			char mp[PATH_MAX];
			snprintf(mp, sizeof(mp), "%.*s", b - a, line + a);
			if (strlen(mp) == best && best > 0 && host_under(p->rootfs, mp))
				snprintf(guest, sizeof(guest), "/");
			else if (strcmp(mp, p->rootfs) != 0 && host_under(mp, p->rootfs) &&
				 pers_untranslate(p, mp, guest, sizeof(guest)) == 0)
				;
			else if (pers_untranslate(p, mp, guest, sizeof(guest)) != 0 ||
				 host_under(p->rootfs, mp))
				continue; /* not the guest's to see */
			fprintf(out, "%.*s%s%s\n", a, line, guest, line + b);
		}
	}
	fclose(out);
	free(buf);
	lseek(m, 0, SEEK_SET);
	return m;
}

/* /proc/N/status with the credentials the guest has (cred.h), not the
 * host process's: its ids, groups, capability sets and no_new_privs. */
static int status_fd(const char *host, const struct pers_cred *c)
{
	size_t len;
	char *buf = slurp(host, &len), *line, *save = NULL;
	FILE *out;
	int m;

	if (buf == NULL)
		return -1;
	if ((out = memfd_stream("status", &m)) == NULL) {
		free(buf);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Uid:", 4) == 0) {
			fprintf(out, "Uid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid, c->fsuid);
		} else if (strncmp(line, "Gid:", 4) == 0) {
			fprintf(out, "Gid:\t%u\t%u\t%u\t%u\n", c->gid, c->egid, c->sgid, c->fsgid);
		} else if (strncmp(line, "Groups:", 7) == 0) {
			/* as the kernel prints them: a space after the last, even after none */
			fputs("Groups:\t", out);
			for (uint32_t i = 0; i < c->ngroups && i < PERS_CRED_NGROUPS; i++)
				fprintf(out, i > 0 ? " %u" : "%u", c->groups[i]);
			fputs(" \n", out);
		} else if (strncmp(line, "CapInh:", 7) == 0) {
			fprintf(out, "CapInh:\t%016llx\n", (unsigned long long)c->cap_inh);
		} else if (strncmp(line, "CapPrm:", 7) == 0) {
			fprintf(out, "CapPrm:\t%016llx\n", (unsigned long long)c->cap_prm);
		} else if (strncmp(line, "CapEff:", 7) == 0) {
			fprintf(out, "CapEff:\t%016llx\n", (unsigned long long)c->cap_eff);
		} else if (strncmp(line, "CapBnd:", 7) == 0) {
			fprintf(out, "CapBnd:\t%016llx\n", (unsigned long long)c->cap_bnd);
		} else if (strncmp(line, "NoNewPrivs:", 11) == 0) {
			fprintf(out, "NoNewPrivs:\t%u\n", c->no_new_privs ? 1u : 0u);
		} else {
			fprintf(out, "%s\n", line);
		}
	}
	fclose(out);
	free(buf);
	lseek(m, 0, SEEK_SET);
	return m;
}

pid_t pers_proc_cred_pid(const char *host)
{
	const char *what = proc_file(host), *task;

	if (what == NULL || strcmp(what, "/status") != 0)
		return 0;
	task = strstr(host + 6, "/task/");
	return (pid_t)atoi(task != NULL && task < what ? task + 6 : host + 6);
}

int pers_proc_write_check(const char *host)
{
	static const char *const maps[] = { "/uid_map", "/gid_map", "/projid_map", "/setgroups" };
	const char *what = proc_file(host);

	for (size_t i = 0; what != NULL && i < sizeof(maps) / sizeof(maps[0]); i++)
		if (strcmp(what, maps[i]) == 0)
			return -EPERM;
	return 0;
}

/* /proc/sys/kernel/hostname and domainname: the names uname gives the
 * guest (the personality's: mew's default or --hostname), not the host's;
 * -1 for another file. */
static int uts_fd(const struct pers *p, const char *host)
{
	char line[sizeof(p->uts.nodename) + 1];
	const char *v = strcmp(host, "/proc/sys/kernel/hostname") == 0	   ? p->uts.nodename
			: strcmp(host, "/proc/sys/kernel/domainname") == 0 ? p->uts.domainname
									   : NULL;

	if (v == NULL)
		return -1;
	snprintf(line, sizeof(line), "%s\n", v);
	return memfd_of("mew-uts", line, strlen(line));
}

int pers_proc_open(const struct pers *p, const char *host, const struct pers_cred *cred)
{
	const char *what = proc_file(host);

	if (strncmp(host, "/proc/sys/kernel/", 17) == 0)
		return uts_fd(p, host);
	if (what == NULL)
		return -1;
	if (strcmp(what, "/cmdline") == 0)
		return cmdline_fd(p, host);
	if (strcmp(what, "/status") == 0)
		return cred != NULL ? status_fd(host, cred) : -1;
	return view_fd(p, host);
}

/* The /proc files whose text names host paths, shown as the guest would
 * see them (see pers.h: pers_proc_cmdline_fd, pers_proc_view_fd). */
#include "personality/pers.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* /proc/N/cmdline of a dynamic program mew started through the rootfs's
 * loader reads "ld.so --argv0 ARGV0 PROGRAM ARGS": give the guest what the
 * kernel would have shown, "ARGV0 ARGS", in a memfd.  -1 when not such a
 * file (open it normally). */
int pers_proc_cmdline_fd(const char *host)
{
	static char buf[1 << 17];
	const char *p = host + 6, *args[4];
	char *end;
	ssize_t n, at = 0;
	int fd, k = 0, m;

	if (strncmp(host, "/proc/", 6) != 0 || *p < '0' || *p > '9')
		return -1;
	strtol(p, &end, 10);
	if (strncmp(end, "/task/", 6) == 0)
		strtol(end + 6, &end, 10);
	if (strcmp(end, "/cmdline") != 0)
		return -1;
	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (at < (ssize_t)sizeof(buf) && (n = read(fd, buf + at, sizeof(buf) - (size_t)at)) > 0)
		at += n;
	close(fd);
	/* the first four strings */
	for (ssize_t i = 0; k < 4 && i < at; k++) {
		args[k] = buf + i;
		while (i < at && buf[i] != '\0')
			i++;
		i++;
	}
	if (k < 4 || args[0][0] != '/' || strncmp(strrchr(args[0], '/') + 1, "ld-", 3) != 0 ||
	    strcmp(args[1], "--argv0") != 0)
		return -1;
	m = memfd_create("cmdline", MFD_CLOEXEC);
	if (m < 0)
		return -1;
	{
		const char *rest = args[3] + strlen(args[3]) + 1;
		size_t alen = strlen(args[2]) + 1;
		if (write(m, args[2], alen) != (ssize_t)alen ||
		    (rest < buf + at && write(m, rest, (size_t)(buf + at - rest)) < 0)) {
			close(m);
			return -1;
		}
	}
	lseek(m, 0, SEEK_SET);
	return m;
}

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

/* Does path (a host mount point) contain dir as whole components? */
static bool host_under(const char *dir, const char *path)
{
	size_t n = strlen(path);
	if (n == 1)
		return dir[0] == '/';
	return strncmp(dir, path, n) == 0 && (dir[n] == '/' || dir[n] == '\0');
}

/* /proc/N/{maps,mountinfo,mounts} with guest paths: file names in maps
 * untranslated; of the mounts, those the guest can see (under the rootfs
 * or a bind), the one holding the rootfs shown as `/`.  -1 when host is
 * none of them. */
int pers_proc_view_fd(const struct pers *p, const char *host)
{
	const char *num = host + 6, *what;
	char *end, *buf, *line, *save = NULL, guest[PATH_MAX];
	size_t len, best = 0;
	int m, field;
	FILE *out;

	if (strncmp(host, "/proc/", 6) != 0 || *num < '0' || *num > '9')
		return -1;
	strtol(num, &end, 10);
	if (strncmp(end, "/task/", 6) == 0)
		strtol(end + 6, &end, 10);
	what = end;
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
	m = memfd_create(what + 1, MFD_CLOEXEC);
	out = m < 0 ? NULL : fdopen(dup(m), "w");
	if (out == NULL) {
		free(buf);
		if (m >= 0)
			close(m);
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

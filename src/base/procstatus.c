/* One field of /proc/PID/status: the engines read a process's thread
 * group, parent, umask, tracer and capabilities there. */
#include "base/procstatus.h"

#include <stdio.h>
#include <string.h>

int proc_status_field(pid_t pid, const char *key, char *value, size_t n)
{
	char path[64], line[256];
	size_t k = strlen(key);
	int r = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, k) != 0 || line[k] != ':')
			continue;
		const char *v = line + k + 1 + strspn(line + k + 1, " \t");
		snprintf(value, n, "%.*s", (int)strcspn(v, "\n"), v);
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

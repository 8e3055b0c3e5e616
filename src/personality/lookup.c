/* Program lookup: a command name searched along PATH inside the rootfs, as
 * execvp would do it there.  One default PATH for every engine. */
#include "personality/pers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pers_lookup(const struct pers *p, const char *name, const char *path_env, char *guest, size_t len)
{
	const char *dirs = path_env != NULL ? path_env : PERS_DEFAULT_PATH;
	char host[PATH_MAX];
	bool eacces = false;

	if (strchr(name, '/') != NULL) {
		if ((size_t)snprintf(guest, len, "%s", name) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (name[0] == '\0')
		return -ENOENT;
	for (;;) {
		const char *end = strchrnul(dirs, ':');
		int n = (int)(end - dirs);
		struct stat st;

		/* an empty entry is the current directory, as for execvp */
		if ((size_t)snprintf(guest, len, "%.*s/%s", n, n > 0 ? dirs : ".", name) < len &&
		    pers_translate(p, NULL, guest, PERS_FOLLOW, host, sizeof(host)) == 0 && stat(host, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (access(host, X_OK) == 0)
				return 0;
			eacces = true;
		}
		if (*end == '\0')
			break;
		dirs = end + 1;
	}
	return eacces ? -EACCES : -ENOENT;
}

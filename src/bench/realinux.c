/* The "real Linux" check: can an engine host containers?  The workload
 * program runs inside it and prints one line per check (src/bench/guest). */
#include "bench/bench.h"

#include <stdlib.h>
#include <string.h>

/* "NAME: ok[: detail]" or "NAME: failed: why", anywhere in out. */
static int parse_line(const char *out, const char *name, struct bench_check *c)
{
	size_t n = strlen(name);
	const char *p = out;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '\n');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len > n + 1 && strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ') {
			const char *v = p + n + 2, *detail = NULL;
			size_t vlen = len - n - 2;
			char *copy = NULL;
			enum bench_check_result res;

			if (vlen >= 2 && strncmp(v, "ok", 2) == 0 && (vlen == 2 || strncmp(v + 2, ": ", 2) == 0)) {
				res = BENCH_CHECK_OK;
				detail = vlen > 4 ? v + 4 : NULL;
			} else if (vlen >= 6 && strncmp(v, "failed", 6) == 0) {
				res = BENCH_CHECK_FAILED;
				detail = vlen > 8 ? v + 8 : NULL;
			} else {
				return -1;
			}
			if (detail != NULL)
				copy = strndup(detail, (size_t)(v + vlen - detail));
			bench_check_set(c, res, copy);
			free(copy);
			return 0;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return -1;
}

int bench_parse_realinux(const char *out, struct bench_check *unshare_net, struct bench_check *cgroup)
{
	int a = parse_line(out, "unshare-net", unshare_net);
	int b = parse_line(out, "cgroup", cgroup);

	return a < 0 || b < 0 ? -1 : 0;
}

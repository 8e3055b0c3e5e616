/* The test programs' one line a check: "ok WHAT", or "FAILED WHAT: got X,
 * want Y" and failed set.  want: the call's result r (-1 and errno) against
 * the errno expected (0: success); check: a condition. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failed;

static void want(const char *what, long r, int err)
{
	int e = r < 0 ? errno : 0;

	if (e == err) {
		printf("ok %s\n", what);
	} else {
		printf("FAILED %s: got %s, want %s\n", what, e ? strerror(e) : "success", err ? strerror(err) : "success");
		failed = 1;
	}
}

static inline void check(const char *what, int good)
{
	printf("%s %s\n", good ? "ok" : "FAILED", what);
	if (!good)
		failed = 1;
}

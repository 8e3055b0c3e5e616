/* libFuzzer target: mount_flags_parse (src/container/mountopt.c).  The bytes
 * are the options, split at NUL or ','.  Whatever they are, the result holds:
 * readonly is MS_RDONLY, the data string has no empty option and only options
 * given, none of them a word mount(2) takes as a flag.  Built by
 * `make build/fuzz/fuzz_mountopt`, run for a bounded time by
 * tests/e2e/fuzz-mountopt.bats. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "container/mountopt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const flag_words[] = { "ro", "rw", "nosuid", "bind", "rbind", "rprivate", "shared",
					   "noexec", "defaults", "z" };

static int given(char **opts, const char *word, size_t len)
{
	for (size_t i = 0; opts[i] != NULL; i++)
		if (strlen(opts[i]) == len && memcmp(opts[i], word, len) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), **opts = calloc(size + 2, sizeof(char *));
	struct mount_flags mf;
	size_t n = 0;

	if (buf == NULL || opts == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	opts[n++] = buf;
	for (size_t i = 0; i < size; i++)
		if (buf[i] == ',' || buf[i] == '\0') {
			buf[i] = '\0';
			opts[n++] = buf + i + 1;
		}
	opts[n] = NULL;
	if (mount_flags_parse(opts, &mf) < 0)
		abort();
	if (mf.readonly != ((mf.flags & MS_RDONLY) != 0))
		abort();
	for (const char *p = mf.data; p != NULL;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		/* an empty option, one not given, or a flag word passed on */
		if (len == 0 || !given(opts, p, len))
			abort();
		for (size_t k = 0; k < sizeof(flag_words) / sizeof(flag_words[0]); k++)
			if (strlen(flag_words[k]) == len && memcmp(flag_words[k], p, len) == 0)
				abort();
		p = end != NULL ? end + 1 : NULL;
	}
	mount_flags_free(&mf);
	free(opts);
	free(buf);
	return 0;
}

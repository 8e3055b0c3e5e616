/* The host side of mew's agent protocol: the run description survives the
 * kernel command line byte for byte, and only a well-formed exit status is
 * taken from the guest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <string.h>
#include <cmocka.h>

#include "spec/spec.h"
#include "vm/agentproto.h"

static int hex(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

static void run_description_round_trips(void **state)
{
	char *argv[] = { "sh", "-c", "echo \"a b\" 'x=y' \001\377", NULL };
	char *env[] = { "A=1", "PATH=/bin", NULL };
	struct spec spec;
	char out[4096], dec[2048];
	size_t n = 0;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.env = env;
	spec.cwd = "/tmp dir";
	spec.user_set = true;
	spec.uid = 1000;
	spec.gid = 100;
	char *ro[] = { "rbind", "ro", NULL };
	struct spec_mount mounts[] = { { "bind", "/host/a", "/data", ro }, { "bind", "/host/b", "/b c", NULL } };
	spec.mounts = mounts;
	spec.nmounts = 2;
	spec.readonly_root = true;
	assert_int_equal(agent_encode_run(&spec, out, sizeof(out)), 0);
	assert_memory_equal(out, " mew.run=", 9);
	for (const char *p = out + 9; *p; p += 2) {
		assert_true(strchr("0123456789abcdef", p[0]) && strchr("0123456789abcdef", p[1]));
		dec[n++] = (char)(hex(p[0]) << 4 | hex(p[1]));
	}
	const char *want[] = { "3", "sh", "-c", "echo \"a b\" 'x=y' \001\377", "2", "A=1", "PATH=/bin", "/tmp dir",
			       "1000", "100", "mew", "1", "2", "/data", "1", "/b c", "0" };
	size_t off = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(dec + off, want[i]);
		off += strlen(want[i]) + 1;
	}
	/* then the host's clock (near now) and a fresh seed, different each time */
	long long sec = atoll(dec + off);
	assert_true(llabs(sec - (long long)time(NULL)) < 5);
	off += strlen(dec + off) + 1;
	off += strlen(dec + off) + 1;
	const char *seed = dec + off;
	assert_int_equal(strlen(seed), 64);
	off += 65;
	/* no network but loopback: an empty address */
	assert_memory_equal(dec + off, "\0" "0\0" "\0", 4);
	off += 4;
	assert_int_equal(off, n);
	struct agent_run *again = malloc(sizeof(*again));
	assert_int_equal(agent_run_describe(&spec, again), 0);
	assert_memory_not_equal(again->buf + again->len - 65, seed, 64);
	free(again);
	/* too long for the room: refused, not cut */
	assert_int_equal(agent_encode_run(&spec, out, 40), -1);
	assert_int_equal(agent_encode_run(&spec, out, 5), -1);
}

static int feed(const char *s)
{
	struct agent_status st = { 0 };
	return agent_status_feed(&st, (const uint8_t *)s, strlen(s));
}

static void only_a_wellformed_status_is_taken(void **state)
{
	struct agent_status st = { 0 };

	assert_int_equal(feed("0\n"), 0);
	assert_int_equal(feed("7\n"), 7);
	assert_int_equal(feed("255\n"), 255);
	/* in pieces */
	assert_int_equal(agent_status_feed(&st, (const uint8_t *)"12", 2), AGENT_STATUS_MORE);
	assert_int_equal(agent_status_feed(&st, (const uint8_t *)"5\n", 2), 125);
	/* nothing more after it */
	assert_int_equal(agent_status_feed(&st, (const uint8_t *)"1\n", 2), AGENT_STATUS_BAD);
	assert_int_equal(feed("7\n8\n"), AGENT_STATUS_BAD);
	/* out of range, empty, not decimal, too long, signed */
	assert_int_equal(feed("256\n"), AGENT_STATUS_BAD);
	assert_int_equal(feed("\n"), AGENT_STATUS_BAD);
	assert_int_equal(feed("abc\n"), AGENT_STATUS_BAD);
	assert_int_equal(feed("0007\n"), AGENT_STATUS_BAD);
	assert_int_equal(feed("99999999999999999999\n"), AGENT_STATUS_BAD);
	assert_int_equal(feed("-1\n"), AGENT_STATUS_BAD);
	assert_int_equal(feed("1 \n"), AGENT_STATUS_BAD);
	assert_int_equal(feed("3"), AGENT_STATUS_MORE);
}

/* The entries of a newc archive: name -> (mode, data). */
static int cpio_find(const struct cpio *c, const char *want, unsigned *mode, const char **data, size_t *len)
{
	size_t off = 0;
	while (off + 110 <= c->len) {
		char field[9] = { 0 };
		const char *h = (const char *)c->buf + off;
		assert_memory_equal(h, "070701", 6);
		memcpy(field, h + 14, 8);
		unsigned m = (unsigned)strtoul(field, NULL, 16);
		memcpy(field, h + 54, 8);
		size_t fsize = strtoul(field, NULL, 16);
		memcpy(field, h + 94, 8);
		size_t nsize = strtoul(field, NULL, 16);
		const char *name = h + 110;
		size_t doff = (off + 110 + nsize + 3) & ~(size_t)3;
		if (strcmp(name, "TRAILER!!!") == 0)
			return -1;
		if (strcmp(name, want) == 0) {
			*mode = m;
			*data = (const char *)c->buf + doff;
			*len = fsize;
			return 0;
		}
		off = (doff + fsize + 3) & ~(size_t)3;
	}
	return -1;
}

static void initramfs_carries_the_agent_and_mew(void **state)
{
	char dir[] = "/tmp/mew-initramfs-XXXXXX", path[128];
	struct cpio c = { 0 };
	struct mew_error *err = NULL;
	const char *data;
	unsigned mode;
	size_t len;

	assert_non_null(mkdtemp(dir));
	/* no agent built: refused by name */
	assert_int_equal(agent_initramfs(&c, dir, &err), -1);
	assert_non_null(strstr(err->msg, "mew-agent"));
	mew_error_free(err);
	err = NULL;
	cpio_free(&c);
	memset(&c, 0, sizeof(c));

	snprintf(path, sizeof(path), "%s/mew-agent", dir);
	FILE *f = fopen(path, "w");
	fputs("AGENT", f);
	fclose(f);
	assert_int_equal(agent_initramfs(&c, dir, &err), 0);
	assert_int_equal(cpio_find(&c, "init", &mode, &data, &len), 0);
	assert_int_equal(mode, 0100755);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "AGENT", 5);
	assert_int_equal(cpio_find(&c, "mew/mew", &mode, &data, &len), -1); /* not built: not there */
	cpio_free(&c);
	memset(&c, 0, sizeof(c));

	snprintf(path, sizeof(path), "%s/mew-static", dir);
	f = fopen(path, "w");
	fputs("MEW-STATIC", f);
	fclose(f);
	assert_int_equal(agent_initramfs(&c, dir, &err), 0);
	assert_int_equal(cpio_find(&c, "mew", &mode, &data, &len), 0);
	assert_int_equal(mode, 040755);
	assert_int_equal(cpio_find(&c, "mew/mew", &mode, &data, &len), 0);
	assert_int_equal(mode, 0100755);
	assert_int_equal(len, 10);
	assert_memory_equal(data, "MEW-STATIC", 10);
	assert_int_equal(cpio_find(&c, "root", &mode, &data, &len), 0);
	cpio_free(&c);
	unlink(path);
	snprintf(path, sizeof(path), "%s/mew-agent", dir);
	unlink(path);
	rmdir(dir);
}

/* The initramfs is built once per build of the agent and mew, then mapped
 * from the cache. */
static void initramfs_is_cached_per_build(void **state)
{
	char dir[] = "/tmp/mew-initramfs-XXXXXX", cache[] = "/tmp/mew-cache-XXXXXX", path[128], cmd[300];
	struct agent_image a, b, c;
	struct mew_error *err = NULL;

	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(cache));
	setenv("MEW_CACHE", cache, 1);
	snprintf(path, sizeof(path), "%s/mew-agent", dir);
	FILE *f = fopen(path, "w");
	fputs("AGENT-1", f);
	fclose(f);
	assert_int_equal(agent_initramfs_get(&a, dir, &err), 0);
	assert_null(a.map); /* built this time */
	assert_int_equal(agent_initramfs_get(&b, dir, &err), 0);
	assert_non_null(b.map); /* mapped from the cache */
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* a new build of the agent: a new image */
	f = fopen(path, "w");
	fputs("AGENT-2, a longer build", f);
	fclose(f);
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
	utimensat(AT_FDCWD, path, ts, 0);
	assert_int_equal(agent_initramfs_get(&c, dir, &err), 0);
	assert_null(c.map);
	assert_int_not_equal(c.len, a.len);
	agent_initramfs_put(&a);
	agent_initramfs_put(&b);
	agent_initramfs_put(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, cache);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_description_round_trips),
		cmocka_unit_test(only_a_wellformed_status_is_taken),
		cmocka_unit_test(initramfs_carries_the_agent_and_mew),
		cmocka_unit_test(initramfs_is_cached_per_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/cleanup.h"
#include "base/strutil.h"
#include "spec/flags.h"

static void parse_size_accepts_units(void **state)
{
	int64_t v;
	assert_int_equal(parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(parse_size("64k", &v), 0);
	assert_int_equal(v, 64 * 1024);
	assert_int_equal(parse_size("512m", &v), 0);
	assert_int_equal(v, 512LL << 20);
	assert_int_equal(parse_size("1GB", &v), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(parse_size("1.5g", &v), 0);
	assert_int_equal(v, 3LL << 29);
}

static void parse_size_rejects_garbage(void **state)
{
	int64_t v;
	assert_int_equal(parse_size("12XB", &v), -1);
	assert_int_equal(parse_size("", &v), -1);
	assert_int_equal(parse_size("-1m", &v), -1);
	assert_int_equal(parse_size("m", &v), -1);
	assert_int_equal(parse_size("1mm", &v), -1);
	assert_int_equal(parse_size("99999999999999999999g", &v), -1);
}

static int parse(struct spec *spec, struct mew_error **err, int argc, char **argv)
{
	spec_init(spec);
	return spec_parse_run_flags(argc, argv, spec, err);
}

static void flags_fill_the_spec(void **state)
{
	char *argv[] = { "run", "--engine", "syscall", "-e", "A=1", "-e", "PATH=/x", "-w", "/tmp",
			 "-u", "1000:100", "--hostname", "box", "-v", "/tmp:/mnt:ro", "--memory", "64m",
			 "--pids", "20", "--cpus", "0.5", "--net", "host", "-t", "--read-only",
			 "--", "sh", "-c", "echo hi", NULL };
	struct mew_error *err = NULL;
	struct spec spec;

	assert_int_equal(parse(&spec, &err, (int)ARRAY_SIZE(argv) - 1, argv), 0);
	assert_string_equal(spec.engine, "syscall");
	assert_string_equal(spec_getenv(&spec, "A"), "1");
	assert_string_equal(spec_getenv(&spec, "PATH"), "/x");
	assert_string_equal(spec.cwd, "/tmp");
	assert_true(spec.user_set);
	assert_int_equal(spec.uid, 1000);
	assert_int_equal(spec.gid, 100);
	assert_string_equal(spec.hostname, "box");
	assert_int_equal(spec.nmounts, 1);
	assert_string_equal(spec.mounts[0].source, "/tmp");
	assert_string_equal(spec.mounts[0].destination, "/mnt");
	assert_string_equal(spec.mounts[0].options[1], "ro");
	assert_int_equal(spec.limits.memory, 64 << 20);
	assert_int_equal(spec.limits.pids, 20);
	assert_true(spec.limits.cpus == 0.5);
	assert_int_equal(spec.net, SPEC_NET_HOST);
	assert_true(spec.tty);
	assert_true(spec.readonly_root);
	assert_string_equal(spec.argv[0], "sh");
	assert_string_equal(spec.argv[2], "echo hi");
	assert_null(spec.argv[3]);
	spec_free(&spec);
}

static void expect_error(char **argv, int argc, const char *needle)
{
	struct mew_error *err = NULL;
	struct spec spec;

	assert_int_equal(parse(&spec, &err, argc, argv), -1);
	assert_non_null(err);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("message `%s` does not name `%s`", err->msg, needle);
	assert_int_equal(err->status, MEW_EXIT_FAILURE);
	mew_error_free(err);
	spec_free(&spec);
}

/* -e NAME alone passes mew's own value (podman's -e NAME); unset, nothing. */
static void env_name_alone_takes_mews_value(void **state)
{
	char *argv[] = { "run", "-e", "MEW_TEST_SET", "-e", "MEW_TEST_UNSET", "-e", "MEW_TEST_EQ=a=b",
			 "--", "true", NULL };
	struct mew_error *err = NULL;
	struct spec spec;

	(void)state;
	setenv("MEW_TEST_SET", "x y=z", 1);
	unsetenv("MEW_TEST_UNSET");
	assert_int_equal(parse(&spec, &err, (int)ARRAY_SIZE(argv) - 1, argv), 0);
	assert_string_equal(spec_getenv(&spec, "MEW_TEST_SET"), "x y=z");
	assert_null(spec_getenv(&spec, "MEW_TEST_UNSET"));
	assert_string_equal(spec_getenv(&spec, "MEW_TEST_EQ"), "a=b");
	spec_free(&spec);
	unsetenv("MEW_TEST_SET");
}

static void flag_errors_name_the_value(void **state)
{
	char *a[] = { "run", "--memory", "12XB", "true", NULL };
	char *b[] = { "run", "--volume", "nocolon", "true", NULL };
	char *c[] = { "run", "--engine", "warp", "true", NULL };
	char *d[] = { "run", "--user", "bob", "true", NULL };
	char *e[] = { "run", "--net", "bridge", "true", NULL };
	char *f[] = { "run", "--frobnicate", "true", NULL };
	char *g[] = { "run", "-w", "relative", "true", NULL };
	char *h[] = { "run", "--pids", "0", "true", NULL };
	char *i[] = { "run", "--memory", "64m", NULL };

	expect_error(a, 4, "12XB");
	expect_error(b, 4, "nocolon");
	expect_error(c, 4, "warp");
	expect_error(d, 4, "bob");
	expect_error(e, 4, "bridge");
	expect_error(f, 3, "--frobnicate");
	expect_error(g, 4, "relative");
	expect_error(h, 4, "`0`");
	expect_error(i, 3, "no command");
}

static void validate_names_the_rootfs(void **state)
{
	struct mew_error *err = NULL;
	struct spec spec;
	char *argv[] = { "run", "--rootfs", "/nonexistent/rootfs", "true", NULL };

	assert_int_equal(parse(&spec, &err, 4, argv), 0);
	assert_int_equal(spec_validate(&spec, &err), -1);
	assert_non_null(strstr(err->msg, "/nonexistent/rootfs"));
	mew_error_free(err);
	spec_free(&spec);
}

static void setenv_replaces(void **state)
{
	struct spec spec;
	spec_init(&spec);
	assert_int_equal(spec_setenv(&spec, "HOME=/x"), 0);
	assert_string_equal(spec_getenv(&spec, "HOME"), "/x");
	assert_int_equal(strv_len(spec.env), 2);
	spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_size_accepts_units),
		cmocka_unit_test(parse_size_rejects_garbage),
		cmocka_unit_test(flags_fill_the_spec),
		cmocka_unit_test(env_name_alone_takes_mews_value),
		cmocka_unit_test(flag_errors_name_the_value),
		cmocka_unit_test(validate_names_the_rootfs),
		cmocka_unit_test(setenv_replaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* src/image: reference parsing, the image config, what it gives a spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/strutil.h"
#include "image/image.h"

static void ref_transports_and_tags(void **state)
{
	struct image_ref r;

	assert_int_equal(image_ref_parse("oci:/a/b:v1", &r, NULL), 0);
	assert_int_equal(r.transport, IMAGE_OCI);
	assert_string_equal(r.path, "/a/b");
	assert_string_equal(r.tag, "v1");
	image_ref_free(&r);
	assert_int_equal(image_ref_parse("oci-archive:x.tar", &r, NULL), 0);
	assert_int_equal(r.transport, IMAGE_OCI_ARCHIVE);
	assert_null(r.tag);
	image_ref_free(&r);
	assert_int_equal(image_ref_parse("docker-archive:d.tar:busybox:1", &r, NULL), 0);
	assert_string_equal(r.path, "d.tar");
	assert_string_equal(r.tag, "busybox:1");
	image_ref_free(&r);
	/* podman resolves the whole name; a store in brackets */
	assert_int_equal(image_ref_parse("containers-storage:[vfs@/s/root+/s/run]localhost/x:2", &r, NULL), 0);
	assert_int_equal(r.transport, IMAGE_CONTAINERS_STORAGE);
	assert_string_equal(r.path, "localhost/x:2");
	assert_string_equal(r.store_driver, "vfs");
	assert_string_equal(r.store_root, "/s/root");
	assert_string_equal(r.store_runroot, "/s/run");
	image_ref_free(&r);
}

static void ref_refuses_registries_and_nonsense(void **state)
{
	const char *bad[] = { "busybox", "busybox:latest", "docker://busybox", "quay.io/a/b:1",
			      "oci:", "oci::tag", "oci:dir:", "containers-storage:[vfs]x",
			      "containers-storage:[vfs@/r+/rr]" };
	struct image_ref r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mew_error *err = NULL;
		assert_int_equal(image_ref_parse(bad[i], &r, &err), -1);
		assert_non_null(err);
		if (i < 4)
			assert_non_null(strstr(err->msg, "no registry is used"));
		mew_error_free(err);
	}
}

static void config_fields(void **state)
{
	const char *json = "{\"architecture\":\"aarch64\",\"os\":\"linux\",\"config\":{"
			   "\"Env\":[\"A=1\"],\"Entrypoint\":[\"/e\"],\"Cmd\":[\"c\",\"d\"],"
			   "\"WorkingDir\":\"w\",\"User\":\"1:2\"}}";
	struct image_config c;

	assert_int_equal(image_config_parse(json, strlen(json), "cfg", &c, NULL), 0);
	assert_string_equal(c.arch, "arm64");
	assert_string_equal(c.env[0], "A=1");
	assert_string_equal(c.entrypoint[0], "/e");
	assert_string_equal(c.cmd[1], "d");
	assert_string_equal(c.workdir, "w");
	assert_string_equal(c.user, "1:2");
	image_config_free(&c);
}

static void config_errors_name_the_field(void **state)
{
	const struct {
		const char *json, *want;
	} cases[] = {
		{ "{", "cfg: invalid JSON" },
		{ "[]", "cfg: expected an object" },
		{ "{\"os\":\"linux\"}", "cfg: architecture: missing" },
		{ "{\"architecture\":\"amd64\",\"os\":\"windows\"}", "os: `windows` is not linux" },
		{ "{\"architecture\":\"amd64\",\"config\":{\"Env\":\"A=1\"}}", "config.Env: expected an array" },
		{ "{\"architecture\":\"amd64\",\"config\":{\"Cmd\":[1]}}", "config.Cmd[0]: expected a string" },
	};
	struct image_config c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mew_error *err = NULL;
		assert_int_equal(image_config_parse(cases[i].json, strlen(cases[i].json), "cfg", &c, &err), -1);
		assert_non_null(err);
		if (strstr(err->msg, cases[i].want) == NULL)
			fail_msg("`%s`: got `%s`, want `%s`", cases[i].json, err->msg, cases[i].want);
		mew_error_free(err);
	}
}

static void config_into_spec(void **state)
{
	char *entry[] = { "/ep", NULL }, *cmd[] = { "default", NULL }, *env[] = { "PATH=/img", "X=img", NULL };
	char *given[] = { "given", NULL };
	struct image_config c = { .arch = "amd64", .entrypoint = entry, .cmd = cmd, .env = env, .workdir = "rel" };
	struct spec spec;

	spec_init(&spec);
	spec_setenv(&spec, "X=flag");
	assert_int_equal(image_config_apply(&c, "/nonexistent", &spec, NULL), 0);
	assert_string_equal(spec.argv[0], "/ep");
	assert_string_equal(spec.argv[1], "default");
	/* the image's PATH replaces mew's default; -e's X stays */
	assert_string_equal(spec_getenv(&spec, "PATH"), "/img");
	assert_string_equal(spec_getenv(&spec, "X"), "flag");
	assert_string_equal(spec.cwd, "/rel");
	spec_free(&spec);

	spec_init(&spec);
	spec.argv = strv_dup(given);
	assert_int_equal(image_config_apply(&c, "/nonexistent", &spec, NULL), 0);
	assert_string_equal(spec.argv[0], "/ep");
	assert_string_equal(spec.argv[1], "given");
	assert_null(spec.argv[2]);
	spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ref_transports_and_tags),
		cmocka_unit_test(ref_refuses_registries_and_nonsense),
		cmocka_unit_test(config_fields),
		cmocka_unit_test(config_errors_name_the_field),
		cmocka_unit_test(config_into_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

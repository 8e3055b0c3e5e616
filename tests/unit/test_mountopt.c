/* mount_flags_parse (src/container/mountopt.c): fstab-style mount options
 * split into mount(2) flags, propagation and the filesystem's data string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "container/mountopt.h"

static void flags_propagation_and_data_split(void **state)
{
	char *opts[] = { "nosuid", "noexec", "rbind", "ro", "rw", "rslave", "mode=755", "tmpcopyup",
			 "size=64k", NULL };
	struct mount_flags mf;

	assert_int_equal(mount_flags_parse(opts, &mf), 0);
	assert_int_equal(mf.flags, MS_NOSUID | MS_NOEXEC | MS_BIND | MS_REC);
	assert_int_equal(mf.propagation, MS_SLAVE | MS_REC);
	assert_false(mf.readonly);
	assert_string_equal(mf.data, "mode=755,size=64k");
	mount_flags_free(&mf);
	assert_null(mf.data);
}

static void the_last_word_wins(void **state)
{
	char *opts[] = { "rw", "ro", "exec", "noexec", "suid", "private", "rshared", "atime", "noatime", NULL };
	struct mount_flags mf;

	assert_int_equal(mount_flags_parse(opts, &mf), 0);
	assert_true(mf.readonly);
	assert_int_equal(mf.flags, MS_RDONLY | MS_NOEXEC | MS_NOATIME);
	assert_int_equal(mf.propagation, MS_SHARED | MS_REC);
	assert_null(mf.data);
	mount_flags_free(&mf);
}

static void clearing_words_clear(void **state)
{
	char *opts[] = { "nodev", "dev", "nosuid", "suid", "sync", "async", "mand", "nomand", "relatime",
			 "norelatime", "strictatime", "nostrictatime", "nodiratime", "diratime", NULL };
	struct mount_flags mf;

	assert_int_equal(mount_flags_parse(opts, &mf), 0);
	assert_int_equal(mf.flags, 0);
	mount_flags_free(&mf);
}

static void runtime_words_and_empty_ones_reach_no_filesystem(void **state)
{
	char *opts[] = { "", "defaults", "z", "Z", "U", "O", "idmap", "ridmap", "copy-symlink",
			 "notmpcopyup", "uid=5", "", NULL };
	struct mount_flags mf;

	assert_int_equal(mount_flags_parse(opts, &mf), 0);
	assert_int_equal(mf.flags, 0);
	assert_string_equal(mf.data, "uid=5");
	mount_flags_free(&mf);
}

static void no_options(void **state)
{
	struct mount_flags mf;

	assert_int_equal(mount_flags_parse(NULL, &mf), 0);
	assert_int_equal(mf.flags, 0);
	assert_int_equal(mf.propagation, 0);
	assert_null(mf.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flags_propagation_and_data_split),
		cmocka_unit_test(the_last_word_wins),
		cmocka_unit_test(clearing_words_clear),
		cmocka_unit_test(runtime_words_and_empty_ones_reach_no_filesystem),
		cmocka_unit_test(no_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* libFuzzer target: config.json (and process.json) -> spec.  Whatever the
 * bytes, the parser returns 0 or -1 with a message, without leaking or
 * touching memory it does not own.  Built by `make build/fuzz/fuzz_oci`,
 * run for a bounded time by tests/e2e/oci-fuzz.bats. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "container/mountopt.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mew_error *err = NULL;
	struct spec spec;
	int r;

	mew_log_level = 0;
	spec_init(&spec);
	/* The first byte picks the entry point, the rest is the document. */
	if (size > 0 && data[0] == 'P')
		r = spec_from_oci_process((const char *)data + 1, size - 1, "process.json", &spec, &err);
	else if (size > 0 && data[0] == 'R')
		r = spec_from_oci_resources((const char *)data + 1, size - 1, "resources.json", &spec, &err);
	else
		r = spec_from_oci_json((const char *)data, size, "/bundle", &spec, &err);
	if (r < 0) {
		/* Every failure carries a message that names the file. */
		if (err == NULL || err->msg == NULL || strstr(err->msg, ".json") == NULL)
			abort();
	} else {
		if (err != NULL || spec.oci == NULL || (data[0] != 'R' && (spec.argv == NULL || spec.argv[0] == NULL)))
			abort();
		for (size_t i = 0; i < spec.nmounts; i++) {
			struct mount_flags mf;
			if (mount_flags_parse(spec.mounts[i].options, &mf) == 0)
				mount_flags_free(&mf);
		}
	}
	mew_error_free(err);
	spec_free(&spec);
	return 0;
}

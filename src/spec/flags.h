#ifndef MEW_SPEC_FLAGS_H
#define MEW_SPEC_FLAGS_H

#include <getopt.h>

#include "spec/spec.h"

/* Parse `mew run` options and the command into spec.  Returns 0, 1 when
 * --help was asked for, or -1 with *err naming the flag and the value. */
int spec_parse_run_flags(int argc, char **argv, struct spec *spec, struct mew_error **err);

extern const char spec_run_usage[];
/* Every option of `mew run`, for getopt_long; the contract
 * (src/engine/contract.c) has a clause for each that describes the run. */
extern const struct option spec_run_options[];

#endif

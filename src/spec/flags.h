#ifndef MEW_SPEC_FLAGS_H
#define MEW_SPEC_FLAGS_H

#include "spec/spec.h"

/* Parse `mew run` options and the command into spec.  Returns 0, 1 when
 * --help was asked for, or -1 with *err naming the flag and the value. */
int spec_parse_run_flags(int argc, char **argv, struct spec *spec, struct mew_error **err);

extern const char spec_run_usage[];

#endif

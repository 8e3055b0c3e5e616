#ifndef MEW_BASE_STRUTIL_H
#define MEW_BASE_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "512", "64k", "512m", "1g", "1.5g" (binary multiples, optional trailing "b")
 * -> bytes.  Returns -1 on anything else. */
int parse_size(const char *s, int64_t *out);
/* A whole decimal number in [min, max]. */
int parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
int strv_push(char ***v, const char *s); /* copies s */
char **strv_dup(char *const *v);
void strv_free(char **v);

bool str_has_prefix(const char *s, const char *prefix);

#endif

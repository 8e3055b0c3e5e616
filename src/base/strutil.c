#include "base/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int parse_size(const char *s, int64_t *out)
{
	char *end;
	double v;
	double mult = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'b':
		end++;
		break;
	case 'k':
		mult = 1024.0, end++;
		break;
	case 'm':
		mult = 1024.0 * 1024, end++;
		break;
	case 'g':
		mult = 1024.0 * 1024 * 1024, end++;
		break;
	case 't':
		mult = 1024.0 * 1024 * 1024 * 1024, end++;
		break;
	default:
		return -1;
	}
	/* "512m" and "512mb" are both fine; "12XB" is not. */
	if (mult > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end != '\0')
		return -1;
	v *= mult;
	if (!isfinite(v) || v < 0 || v > 9.0e18)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(char *));
	if (nv == NULL)
		return -1;
	*v = nv;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	return nv[n] == NULL ? -1 : 0;
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **nv = calloc(n + 1, sizeof(char *));
	if (nv == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		nv[i] = strdup(v[i]);
		if (nv[i] == NULL) {
			strv_free(nv);
			return NULL;
		}
	}
	return nv;
}

void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

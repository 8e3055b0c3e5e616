#include "base/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static int verror(struct mew_error **err, int status, int errnum, const char *fmt, va_list ap)
{
	char *msg = NULL;
	struct mew_error *e;

	if (err == NULL || *err != NULL)
		return -1;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (msg != NULL && errnum != 0) {
		char *full = NULL;
		if (asprintf(&full, "%s: %s", msg, strerror(errnum)) >= 0) {
			free(msg);
			msg = full;
		}
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		free(msg);
		return -1;
	}
	e->status = status;
	e->errnum = errnum;
	e->msg = msg != NULL ? msg : strdup("out of memory");
	*err = e;
	return -1;
}

int mew_error(struct mew_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(err, MEW_EXIT_FAILURE, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int mew_error_status(struct mew_error **err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(err, status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int mew_error_wrap(struct mew_error **err, const char *fmt, ...)
{
	char *prefix = NULL, *full = NULL;
	va_list ap;

	if (err == NULL || *err == NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		prefix = NULL;
	va_end(ap);
	if (prefix != NULL && asprintf(&full, "%s: %s", prefix, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = full;
	}
	free(prefix);
	return -1;
}

int mew_error_report(struct mew_error *err)
{
	if (err == NULL)
		return MEW_EXIT_FAILURE;
	fprintf(stderr, "mew: %s\n", err->msg);
	return err->status;
}

void mew_error_free(struct mew_error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	free(err);
}

/* Errors that carry their context, crun style: a fallible function returns
 * a negative value and fills *err; the caller returns it upward or reports it. */
#ifndef MEW_BASE_ERROR_H
#define MEW_BASE_ERROR_H

#include <stdarg.h>

/* Exit statuses mew itself uses, as docker and podman do. */
enum {
	MEW_EXIT_FAILURE = 125,	  /* mew could not run the command */
	MEW_EXIT_NOT_EXEC = 126,  /* the command exists but cannot be executed */
	MEW_EXIT_NOT_FOUND = 127, /* the command does not exist */
};

struct mew_error {
	int status; /* exit status to report: one of MEW_EXIT_* */
	int errnum; /* errno at the point of failure, or 0 */
	char *msg;
};

/* Set *err (if err is not NULL and *err is free) and return -1.  The message
 * is printf-formatted; with errnum != 0, ": strerror(errnum)" is appended. */
int mew_error(struct mew_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int mew_error_status(struct mew_error **err, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix an existing error's message with more context ("while doing X"). */
int mew_error_wrap(struct mew_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "mew: <msg>" on stderr and return the error's exit status. */
int mew_error_report(struct mew_error *err);
void mew_error_free(struct mew_error *err);

#endif

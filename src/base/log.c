#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>

int mew_log_level = 1;

void mew_warn(const char *fmt, ...)
{
	va_list ap;
	if (mew_log_level < 1)
		return;
	fputs("mew: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mew_debug(const char *fmt, ...)
{
	va_list ap;
	if (mew_log_level < 2)
		return;
	fputs("mew: debug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

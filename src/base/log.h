#ifndef MEW_BASE_LOG_H
#define MEW_BASE_LOG_H

/* Verbosity: 0 quiet, 1 normal (warnings), 2 debug (MEW_DEBUG=1 or --debug). */
extern int mew_log_level;

void mew_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mew_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

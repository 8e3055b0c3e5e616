#ifndef MEW_BASE_PROCSTATUS_H
#define MEW_BASE_PROCSTATUS_H

#include <stddef.h>
#include <sys/types.h>

/* The text after "KEY:" on its line of /proc/PID/status (PID a process or
 * a thread), blanks skipped, into value (n bytes, cut to fit): 0, or -1
 * when the file or the line is not there (the process is gone). */
int proc_status_field(pid_t pid, const char *key, char *value, size_t n);

#endif

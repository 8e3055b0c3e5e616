#ifndef MEW_BASE_CLOSEASIDE_H
#define MEW_BASE_CLOSEASIDE_H

#include <stddef.h>

/* Close fds without waiting for the kernel's housekeeping of their last
 * close, which mew does not need: an inotify fd that has held watches waits
 * for an SRCU grace period there (fsnotify_destroy_group: 8-20 ms on these
 * hosts), on the path of every run's end.  The fds' last references go to
 * a process of their own, sharing mew's memory and holding no other fd,
 * which closes them and exits; mew goes on at once.  It sends no signal at
 * its end, mew does not wait for it, and once mew has ended init reaps it.
 * Where it cannot be made, the fds are closed here. */
void close_aside(const int *fds, size_t n);

#endif

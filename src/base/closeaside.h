#ifndef MEW_BASE_CLOSEASIDE_H
#define MEW_BASE_CLOSEASIDE_H

#include <stddef.h>

/* Close fds without waiting for the kernel's housekeeping of their last
 * close, which mew does not need: an inotify fd that has held watches waits
 * for an SRCU grace period there (fsnotify_destroy_group: 8-20 ms on these
 * hosts), on the path of every run's end.  The fds' last references go to
 * a copy of mew (a fork of this thread) that holds no other fd, calls
 * itself mew-closing (its name and command line), closes them once mew has
 * closed its own, and exits; mew goes on at once.  It sends no signal at
 * its end, mew does not wait for it, and once mew has ended init reaps it.
 * Where it cannot be made, the fds are closed here. */
void close_aside(const int *fds, size_t n);

#endif

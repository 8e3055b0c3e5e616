#ifndef MEW_BASE_THREAD_H
#define MEW_BASE_THREAD_H

#include <pthread.h>

/* End thread th, which has been told to stop and may be blocked in a call
 * that only a signal interrupts: send it sig (a handler without
 * SA_RESTART) until it has ended, and join it.  The signal may land just
 * before it blocks, so it is sent again every millisecond; each wait
 * returns as soon as the thread ends. */
void thread_stop(pthread_t th, int sig);

#endif

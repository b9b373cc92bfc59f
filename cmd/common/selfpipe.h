/* SPDX-License-Identifier: MIT */
/* selfpipe.h: SIGTERM and SIGINT as a flag and a readable fd, so a poll() wakes up for them. */
#ifndef MLLP_SELFPIPE_H
#define MLLP_SELFPIPE_H

#include <signal.h>

/* Set by the handlers of selfpipe_catch_stop(); the loops check it. */
extern volatile sig_atomic_t selfpipe_stop;

/* The read end of the pipe, for poll(): readable after a signal.  -1: no pipe. */
extern int selfpipe_fd;

/*
 * Make the pipe (non-blocking, close-on-exec), closing one made before: a
 * forked child calls it again for a pipe of its own.  0, or -1 (then
 * selfpipe_fd is -1 and only the flag works).
 */
int selfpipe_open(void);

/* Make selfpipe_fd readable; async-signal-safe, errno kept (for other handlers, e.g. SIGHUP). */
void selfpipe_wake(void);

/* Read what the pipe holds, so the next poll() waits again. */
void selfpipe_drain(void);

/*
 * selfpipe_open(), then SIGTERM and SIGINT set selfpipe_stop and wake the
 * pipe.  Installed without SA_RESTART: a read() they interrupt returns EINTR.
 */
void selfpipe_catch_stop(void);

#endif

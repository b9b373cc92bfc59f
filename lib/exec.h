/* SPDX-License-Identifier: MIT */
/* exec.h: run a command per message and map its result to an outcome. */
#ifndef MLLPD_EXEC_H
#define MLLPD_EXEC_H

#include <stddef.h>

enum exec_result {
	EXEC_OK,        /* exit 0 */
	EXEC_DATAERR,   /* exit 65 (EX_DATAERR): reject */
	EXEC_FAILED,    /* any other exit status */
	EXEC_SIGNALED,  /* killed by a signal */
	EXEC_TIMEOUT,   /* ran past the timeout; killed */
	EXEC_SPAWN,     /* could not be started (errno set) */
};

struct exec_status {
	enum exec_result result;
	int code;       /* exit status or signal number */
	size_t out_len; /* bytes of stdout kept in the caller's buffer */
	int out_truncated; /* 1 if stdout was longer than the buffer */
};

/*
 * Run "/bin/sh -c cmd" with data on its stdin and envp as its whole
 * environment, in its own process group.  Its stdout is read into
 * out[0..out_cap); stderr is inherited.  A timeout in milliseconds (<= 0:
 * none) kills the process group with SIGKILL.  Returns 0 with *st filled,
 * or -1 with errno set when it could not be run at all (st->result is then
 * EXEC_SPAWN).  The caller must not ignore SIGCHLD.
 */
int exec_run(const char *cmd, char *const envp[], const char *data, size_t len, int timeout_ms,
	     char *out, size_t out_cap, struct exec_status *st);

/* Text for a result ("exited 1", "timed out"...), for logs. */
const char *exec_result_text(enum exec_result r);

#endif

/* SPDX-License-Identifier: MIT */
/* exec.h: run a command per message and map its result to an outcome. */
#ifndef MLLPD_EXEC_H
#define MLLPD_EXEC_H

#include <stddef.h>

enum exec_result {
	EXEC_OK,       /* exit 0 */
	EXEC_DATAERR,  /* exit 65 (EX_DATAERR): reject */
	EXEC_FAILED,   /* any other exit status */
	EXEC_SIGNALED, /* killed by a signal */
	EXEC_TIMEOUT,  /* ran past the timeout; killed */
	EXEC_SPAWN,    /* could not be started (errno set) */
};

struct exec_status {
	enum exec_result result;
	int code;	   /* exit status or signal number */
	size_t out_len;	   /* bytes of stdout kept in the caller's buffer */
	int out_truncated; /* 1 if stdout was longer than the buffer */
};

/*
 * A command line, split once.  A line of plain words (letters, digits and
 * "-_./,:+@" separated by spaces or tabs) whose first word is no shell
 * keyword or builtin is run directly, argv[0] searched in the PATH of the
 * command's environment as the shell searches it.  Anything else (quotes,
 * "$", redirections, globs, "=", "~", "#", a newline, bytes outside
 * printable ASCII, "cd", "exec", "if", ...) is run by "/bin/sh -c line".
 * "true" and "false" alone run directly: the same effect as the builtins.
 */
struct exec_cmd {
	const char *line; /* borrowed: must outlive the struct */
	char **argv;	  /* the words, NULL-terminated, when run directly; NULL: by /bin/sh -c */
};

/*
 * Decide how line is run and split it.  Returns 0, or -1 with errno set
 * (ENOMEM).  exec_free() releases what it allocated.
 */
int exec_prepare(struct exec_cmd *c, const char *line);
void exec_free(struct exec_cmd *c);

/*
 * Run the command with data on its stdin and envp as its whole
 * environment, in its own process group, with SIGPIPE, SIGTERM and SIGCHLD
 * at their defaults, no signal blocked and only fds 0-2 open.  Its stdout is
 * read into out[0..out_cap); stderr is inherited.  A timeout in milliseconds
 * (<= 0: none) kills the process group with SIGKILL.  Returns 0 with *st
 * filled, or -1 with errno set when it could not be run at all (st->result
 * is then EXEC_SPAWN).  The caller must not ignore SIGCHLD, and must
 * ignore SIGPIPE (a command may close its stdin early).
 *
 * data is written to the command's stdin to its end, whatever the command
 * does with its stdout (it may close or redirect it first); writing stops
 * early only when the command closes its stdin or exits, and that does not
 * change the result: a command that exits 0 having read part of its input,
 * or none, is EXEC_OK.
 *
 * A direct command sees what "/bin/sh -c line" would have given it: the
 * same argv, stdin, stdout, stderr and environment, with PWD set to the
 * working directory when envp has no PWD naming it (as sh does).  Whenever
 * the direct start cannot give exactly that (no PATH in envp, a PATH with
 * "%", an environment sh would change otherwise: a name that is not a shell
 * name, a name twice, IFS, OPTIND or PPID) or fails (not found, not
 * executable, not a binary nor a "#!" script), the line is run by
 * "/bin/sh -c line" instead, so errors keep the shell's exit status (127,
 * 126) and its message on stderr.  One difference remains: /bin/sh may
 * report a command killed by a signal as exit 128+N, a direct command is
 * EXEC_SIGNALED.
 */
int exec_run(const struct exec_cmd *c, char *const envp[], const char *data, size_t len,
	     int timeout_ms, char *out, size_t out_cap, struct exec_status *st);

/* Text for a result ("exited 1", "timed out"...), for logs. */
const char *exec_result_text(enum exec_result r);

#endif

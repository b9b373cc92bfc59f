/* SPDX-License-Identifier: MIT */
/* test_exec.c: exec_run maps a command's end to a result and collects its output. */
#include <string.h>

#include "exec.h"
#include "tap.h"

static char *env[] = {"PATH=/usr/bin:/bin", "FOO=bar baz", NULL};

static int run(const char *cmd, const char *in, int timeout_ms, char *out, size_t cap, struct exec_status *st)
{
	return exec_run(cmd, env, in, strlen(in), timeout_ms, out, cap, st);
}

int main(void)
{
	struct exec_status st;
	char out[64];

	TAP_OK(run("cat", "hello", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK && st.out_len == 5 &&
		       memcmp(out, "hello", 5) == 0,
	       "stdin reaches the command and its stdout comes back");
	TAP_OK(run("printf %s \"$FOO\"", "", 10000, out, sizeof out, &st) == 0 && st.out_len == 7 &&
		       memcmp(out, "bar baz", 7) == 0,
	       "the environment given is the command's");
	TAP_OK(run("exit 1", "x", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_FAILED && st.code == 1,
	       "exit 1 is EXEC_FAILED");
	TAP_OK(run("exit 65", "x", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_DATAERR && st.code == 65,
	       "exit 65 is EXEC_DATAERR");
	TAP_OK(run("kill -9 $$", "x", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_SIGNALED && st.code == 9,
	       "a signal is EXEC_SIGNALED");
	TAP_OK(run("sleep 30", "x", 200, out, sizeof out, &st) == 0 && st.result == EXEC_TIMEOUT,
	       "a command past its timeout is killed");
	TAP_OK(run("sleep 30 & wait", "x", 200, out, sizeof out, &st) == 0 && st.result == EXEC_TIMEOUT,
	       "the whole process group is killed at the timeout");
	TAP_OK(run("true", "a message the command never reads", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK,
	       "a command that ignores stdin still succeeds");
	static char big[300000];
	memset(big, 'x', sizeof big - 1);
	TAP_OK(run("cat", big, 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK && st.out_len == sizeof out &&
		       st.out_truncated,
	       "large input and output do not deadlock; output is bounded");
	TAP_OK(run("ls /proc/self/fd | wc -l | tr -d ' '", "", 10000, out, sizeof out, &st) == 0 && st.out_len >= 2 &&
		       out[0] <= '5',
	       "the command inherits only fds 0-2 (plus ls's own)");
	TAP_OK(exec_run("exit 0", env, NULL, 0, 0, out, sizeof out, &st) == 0 && st.result == EXEC_OK,
	       "no timeout and no input");
	TAP_OK(strcmp(exec_result_text(EXEC_TIMEOUT), "timed out") == 0, "exec_result_text");
	return tap_done();
}

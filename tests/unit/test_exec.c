/* SPDX-License-Identifier: MIT */
/* test_exec.c: exec_prepare's direct/shell split; exec_run maps a command's end to a result and
 * collects its output. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "tap.h"

static char *env[] = {"PATH=/usr/bin:/bin", "FOO=bar baz", NULL};

static int run(const char *cmd, const char *in, int timeout_ms, char *out, size_t cap,
	       struct exec_status *st)
{
	struct exec_cmd c;
	if (exec_prepare(&c, cmd) < 0)
		return -1;
	int r = exec_run(&c, env, in, strlen(in), timeout_ms, out, cap, st);
	exec_free(&c);
	return r;
}

/* The split: NULL argv (the shell) or the words joined by '|'. */
static const struct {
	const char *line, *argv;
} splits[] = {
    {"true", "true"},
    {"false", "false"},
    {"cat", "cat"},
    {"  tee\t-a  /var/spool/hl7/all.log ", "tee|-a|/var/spool/hl7/all.log"},
    {"/usr/local/bin/route-hl7 --topic adt,oru -v", "/usr/local/bin/route-hl7|--topic|adt,oru|-v"},
    {"./bin/x user@host:9092 +1", "./bin/x|user@host:9092|+1"},
    {"kcat -b kafka:9092 -t hl7 -P", "kcat|-b|kafka:9092|-t|hl7|-P"},
    {"true x", NULL},	 /* /bin/true --help differs from the builtin */
    {"echo -e x", NULL}, /* builtins: the shell's */
    {"printf x", NULL},
    {"test -f x", NULL},
    {"kill -0 1", NULL},
    {"pwd", NULL},
    {"cd /tmp", NULL},
    {"exec cat", NULL},
    {"exit 1", NULL},
    {"if", NULL},
    {". ./x", NULL},
    {": x", NULL},
    {"", NULL},
    {" \t ", NULL},
    {"cat\n", NULL},
    {"a;b", NULL},
    {"a|b", NULL},
    {"a&", NULL},
    {"a >f", NULL},
    {"a <f", NULL},
    {"a 'b'", NULL},
    {"a \"b\"", NULL},
    {"a `b`", NULL},
    {"a \\b", NULL},
    {"a $B", NULL},
    {"a *", NULL},
    {"a ?", NULL},
    {"a [b]", NULL},
    {"a {b}", NULL},
    {"(a)", NULL},
    {"a ~/x", NULL},
    {"a #c", NULL},
    {"X=1 a", NULL},
    {"a --k=v", NULL},
    {"a 100%", NULL},
    {"a !", NULL},
    {"a\rb", NULL},
    {"caf\xc3\xa9", NULL},
};

static int split_is(const struct exec_cmd *c, const char *want)
{
	char got[256] = "";
	if (!c->argv || !want)
		return !c->argv && !want;
	for (char **v = c->argv; *v; v++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
			 v == c->argv ? "" : "|", *v);
	return strcmp(got, want) == 0;
}

/* The size of a file, -1 when absent. */
static long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as mllpd: a command may close its stdin early */
	for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
		struct exec_cmd c;
		TAP_OK(exec_prepare(&c, splits[i].line) == 0 && c.line == splits[i].line &&
			   split_is(&c, splits[i].argv),
		       "split %zu: %s", i, splits[i].argv ? splits[i].argv : "by the shell");
		exec_free(&c);
	}

	struct exec_status st;
	char out[64];

	TAP_OK(run("cat", "hello", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK &&
		   st.out_len == 5 && memcmp(out, "hello", 5) == 0,
	       "stdin reaches the command and its stdout comes back");
	TAP_OK(run("printf %s \"$FOO\"", "", 10000, out, sizeof out, &st) == 0 && st.out_len == 7 &&
		   memcmp(out, "bar baz", 7) == 0,
	       "the environment given is the command's");
	TAP_OK(run("exit 1", "x", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_FAILED &&
		   st.code == 1,
	       "exit 1 is EXEC_FAILED");
	TAP_OK(run("exit 65", "x", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_DATAERR &&
		   st.code == 65,
	       "exit 65 is EXEC_DATAERR");
	TAP_OK(run("kill -9 $$", "x", 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_SIGNALED && st.code == 9,
	       "a signal is EXEC_SIGNALED");
	TAP_OK(run("sleep 30", "x", 200, out, sizeof out, &st) == 0 && st.result == EXEC_TIMEOUT,
	       "a command past its timeout is killed");
	TAP_OK(run("sleep 30 & wait", "x", 200, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_TIMEOUT,
	       "the whole process group is killed at the timeout");
	TAP_OK(run("true", "a message the command never reads", 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_OK,
	       "a command that ignores stdin still succeeds");
	static char big[300000];
	memset(big, 'x', sizeof big - 1);
	TAP_OK(run("cat", big, 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK &&
		   st.out_len == sizeof out && st.out_truncated,
	       "large input and output do not deadlock; output is bounded");
	TAP_OK(run("ls /proc/self/fd | wc -l | tr -d ' '", "", 10000, out, sizeof out, &st) == 0 &&
		   st.out_len >= 2 && out[0] <= '5',
	       "the command inherits only fds 0-2 (plus ls's own)");
	struct exec_cmd c = {"exit 0", NULL};
	TAP_OK(exec_run(&c, env, NULL, 0, 0, out, sizeof out, &st) == 0 && st.result == EXEC_OK,
	       "no timeout and no input");

	/* Direct commands: the shell's results, errors included. */
	char dir[] = "/tmp/test_exec.XXXXXX", path[64], envpath[80], line[96];
	TAP_OK(mkdtemp(dir) != NULL, "a scratch directory");
	snprintf(path, sizeof path, "%s/noexec", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("#!/bin/sh\nexit 0\n", f);
		fclose(f);
	}
	TAP_OK(run(path, "x", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_FAILED &&
		   st.code == 126,
	       "a file that is not executable exits 126, as by sh");
	snprintf(path, sizeof path, "%s/script", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("echo from a script\n", f);
		fclose(f);
	}
	chmod(path, 0755);
	TAP_OK(run(path, "", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK &&
		   st.out_len == 14 && memcmp(out, "from a script\n", 14) == 0,
	       "a script without #! is run by sh, as by sh");
	TAP_OK(run("no-such-command-here x", "x", 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_FAILED && st.code == 127,
	       "a command not in PATH exits 127");
	snprintf(line, sizeof line, "%s/missing", dir);
	TAP_OK(run(line, "x", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_FAILED &&
		   st.code == 127,
	       "a missing path exits 127");
	TAP_OK(run("printenv FOO", "", 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK &&
		   st.out_len == 8 && memcmp(out, "bar baz\n", 8) == 0,
	       "a direct command gets the environment");
	char cwd[512];
	TAP_OK(getcwd(cwd, sizeof cwd) &&
		   run("printenv PWD", "", 10000, out, sizeof out, &st) == 0 &&
		   st.out_len == strlen(cwd) + 1 && memcmp(out, cwd, strlen(cwd)) == 0,
	       "a direct command gets PWD, as from sh");
	/* PATH from the command's environment, searched in order; a directory is passed over. */
	snprintf(path, sizeof path, "%s/cat", dir);
	mkdir(path, 0755);
	snprintf(envpath, sizeof envpath, "PATH=%s:/usr/bin:/bin", dir);
	char *env2[] = {envpath, NULL};
	struct exec_cmd c2;
	TAP_OK(exec_prepare(&c2, "cat") == 0 && c2.argv &&
		   exec_run(&c2, env2, "abc", 3, 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_OK && st.out_len == 3,
	       "PATH is the environment's; a directory named like the command is skipped");
	/* An environment sh would change: the shell runs the line, with the same result. */
	char *env3[] = {"PATH=/usr/bin:/bin", "NOT-A-NAME=1", NULL};
	TAP_OK(exec_run(&c2, env3, "abc", 3, 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_OK && st.out_len == 3,
	       "an environment with a name sh drops still runs");
	char *env4[] = {"HOME=/", NULL};
	TAP_OK(exec_run(&c2, env4, "abc", 3, 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_OK && st.out_len == 3,
	       "no PATH: the shell's default PATH");
	exec_free(&c2);
	snprintf(path, sizeof path, "%s/cat", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/noexec", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/script", dir);
	unlink(path);
	/* stdin is written to its end whatever the command does with its stdout. */
	static char big2[200001];
	memset(big2, 'y', sizeof big2 - 1);
	char sh[256], got[96], gpid[96];
	snprintf(got, sizeof got, "%s/got", dir);
	snprintf(sh, sizeof sh, "exec >>/dev/null 2>&1; cat >%s", got);
	TAP_OK(run(sh, big2, 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK &&
		   file_size(got) == (long)sizeof big2 - 1,
	       "a command that closes its stdout first still gets all of stdin (%ld of %zu bytes)",
	       file_size(got), sizeof big2 - 1);
	unlink(got);
	snprintf(sh, sizeof sh, "exec >&-; sleep 0.2; cat >%s", got);
	TAP_OK(run(sh, big2, 10000, out, sizeof out, &st) == 0 && st.result == EXEC_OK &&
		   file_size(got) == (long)sizeof big2 - 1,
	       "... also when it reads stdin only later (%ld bytes)", file_size(got));
	unlink(got);
	TAP_OK(run("head -c 100 >/dev/null", big2, 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_OK,
	       "a command that reads part of stdin and exits 0 succeeds: its own choice");
	TAP_OK(run("exec <&- >&-; exit 0", big2, 10000, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_OK,
	       "a command that closes stdin unread and exits 0 succeeds");
	TAP_OK(run("exec <&- >&-; sleep 30", big2, 300, out, sizeof out, &st) == 0 &&
		   st.result == EXEC_TIMEOUT,
	       "a command that closes both and runs on is still timed out");
	/* The command exits with stdout closed while a child of its own holds stdin unread. */
	snprintf(gpid, sizeof gpid, "%s/gpid", dir);
	snprintf(sh, sizeof sh, "exec >&-; sleep 30 <&0 & echo $! >%s; exit 0", gpid);
	TAP_OK(run(sh, big2, 20000, out, sizeof out, &st) == 0 && st.result == EXEC_OK,
	       "writing stops when the command exits, even if its child holds stdin");
	if ((f = fopen(gpid, "r")) != NULL) {
		int gp = 0;
		if (fscanf(f, "%d", &gp) == 1 && gp > 0)
			kill(gp, SIGKILL);
		fclose(f);
	}
	unlink(gpid);
	rmdir(dir);
	TAP_OK(strcmp(exec_result_text(EXEC_TIMEOUT), "timed out") == 0, "exec_result_text");
	return tap_done();
}

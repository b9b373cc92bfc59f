/* SPDX-License-Identifier: MIT */
/* exec.c: run a command per message, directly or by /bin/sh, feeding stdin and reading stdout with
 * a deadline.
 *
 * Why the direct start (issue 16, 2026-12-05): 300 messages in one stream,
 *   mllpd --exec /bin/true -q <frames   vs   mllpd --exec "'/bin/true'" -q <frames
 * (the quotes send the second through /bin/sh -c): 9.9-11.6 vs 21.4-28.6 ms per message, release
 * build, loaded 2-core machine.  `make bench` prints the ratio ("--exec direct", goal >= 1.5). */
#define _GNU_SOURCE /* posix_spawn_file_actions_addclosefrom_np (glibc 2.34) */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chars.h"
#include "monotime.h"

const char *exec_result_text(enum exec_result r)
{
	switch (r) {
	case EXEC_OK: return "exited 0";
	case EXEC_DATAERR: return "exited 65";
	case EXEC_FAILED: return "exited non-zero";
	case EXEC_SIGNALED: return "killed by a signal";
	case EXEC_TIMEOUT: return "timed out";
	case EXEC_SPAWN: return "could not be started";
	}
	return "?";
}

/*
 * Splitting.  Only words the shell would pass on unchanged are run directly:
 * every other character might quote, expand, redirect or start a comment.
 */
static int plain_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr("-_./,:+@", ch) != NULL;
}

/* First words the shell runs itself, differently from a PATH program of that
 * name, or parses: dash's and bash's keywords and builtins. */
static const char *const shell_words[] = {
    ".",       ":",	  "alias",  "bg",      "bind",	   "break",    "builtin",   "caller",
    "case",    "cd",	  "chdir",  "command", "compgen",  "complete", "compopt",   "continue",
    "coproc",  "declare", "dirs",   "disown",  "do",	   "done",     "echo",	    "elif",
    "else",    "enable",  "esac",   "eval",    "exec",	   "exit",     "export",    "false",
    "fc",      "fg",	  "fi",	    "for",     "function", "getopts",  "hash",	    "help",
    "history", "if",	  "in",	    "jobs",    "kill",	   "let",      "local",	    "logout",
    "mapfile", "popd",	  "printf", "pushd",   "pwd",	   "read",     "readarray", "readonly",
    "return",  "select",  "set",    "shift",   "shopt",	   "source",   "suspend",   "test",
    "then",    "time",	  "times",  "trap",    "true",	   "type",     "typeset",   "ulimit",
    "umask",   "unalias", "unset",  "until",   "wait",	   "while",
};

/* 1 when line can run without the shell; *words is then its number of words. */
static int direct_ok(const char *line, size_t *words)
{
	size_t n = 0, first = 0;
	const char *p = line;

	for (; *p; p++) {
		if (chars_is_blank(*p))
			continue;
		if (!plain_char((unsigned char)*p))
			return 0;
		if (p == line || chars_is_blank(p[-1]))
			n++;
	}
	if (n == 0)
		return 0;
	*words = n;
	while (chars_is_blank(line[first]))
		first++;
	size_t len = strcspn(line + first, " \t");
	for (size_t i = 0; i < sizeof shell_words / sizeof shell_words[0]; i++) {
		if (strlen(shell_words[i]) != len || memcmp(shell_words[i], line + first, len) != 0)
			continue;
		/* The builtins true and false, without arguments, do what /bin/true and /bin/false
		 * do. */
		return n == 1 && (strcmp(shell_words[i], "true") == 0 ||
				  strcmp(shell_words[i], "false") == 0);
	}
	return 1;
}

int exec_prepare(struct exec_cmd *c, const char *line)
{
	size_t words = 0, len = strlen(line), k = 0;

	c->line = line;
	c->argv = NULL;
	if (!direct_ok(line, &words))
		return 0;
	char **v = malloc((words + 1) * sizeof *v + len + 1);
	if (!v)
		return -1;
	char *p = memcpy((char *)(v + words + 1), line, len + 1);
	while (*p) {
		if (chars_is_blank(*p)) {
			*p++ = '\0';
			continue;
		}
		v[k++] = p;
		p += strcspn(p, " \t");
	}
	v[k] = NULL;
	c->argv = v;
	return 0;
}

void exec_free(struct exec_cmd *c)
{
	free(c->argv);
	c->argv = NULL;
}

/* Length of the shell variable name before '=' in an environment entry, or 0. */
static size_t env_name(const char *e)
{
	size_t i = 0;
	if (!((e[0] >= 'a' && e[0] <= 'z') || (e[0] >= 'A' && e[0] <= 'Z') || e[0] == '_'))
		return 0;
	while ((e[i] >= 'a' && e[i] <= 'z') || (e[i] >= 'A' && e[i] <= 'Z') ||
	       (e[i] >= '0' && e[i] <= '9') || e[i] == '_')
		i++;
	return e[i] == '=' ? i : 0;
}

/*
 * How a direct command is started: the program's path and the environment
 * sh would have passed.  sh passes on its environment unchanged but for
 * names it drops (not a shell name), merges (twice) or resets (IFS, OPTIND,
 * PPID, PWD); all but PWD send the line to the shell.
 */
struct plan {
	const char *path;
	char *const *envp;
	char *alloc; /* the copied environment, when PWD had to be set */
	char buf[PATH_MAX];
};

/*
 * Check envp the way sh would take it (n entries): 1 when sh would pass it
 * unchanged but for PWD, with PATH's and PWD's values (or NULL); 0 when the
 * line goes to the shell.
 */
static int scan_env(char *const envp[], size_t *n, const char **path_var, const char **pwd)
{
	size_t i;

	*path_var = *pwd = NULL;
	for (i = 0; envp[i]; i++) {
		size_t l = env_name(envp[i]);
		if (l == 0)
			return 0;
		for (size_t j = 0; j < i; j++)
			if (strncmp(envp[j], envp[i], l + 1) == 0)
				return 0;
		if ((l == 3 && memcmp(envp[i], "IFS", 3) == 0) ||
		    (l == 6 && memcmp(envp[i], "OPTIND", 6) == 0) ||
		    (l == 4 && memcmp(envp[i], "PPID", 4) == 0))
			return 0;
		if (l == 4 && memcmp(envp[i], "PATH", 4) == 0)
			*path_var = envp[i] + 5;
		if (l == 3 && memcmp(envp[i], "PWD", 3) == 0)
			*pwd = envp[i] + 4;
	}
	*n = i;
	return 1;
}

/* sh keeps PWD when it names the working directory, else sets the physical one: 1 done, 0 run
 * by the shell (no working directory), -1 out of memory. */
static int plan_pwd(char *const envp[], size_t n, const char *pwd, struct plan *pl)
{
	struct stat a, b;
	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return 1;
	char **e = malloc((n + 2) * sizeof *e + 4 + PATH_MAX);
	if (!e)
		return -1;
	char *s = (char *)(e + n + 2);
	memcpy(s, "PWD=", 4);
	if (!getcwd(s + 4, PATH_MAX)) {
		free(e);
		return 0;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], "PWD=", 4) != 0)
			e[k++] = envp[i];
	e[k++] = s;
	e[k] = NULL;
	pl->alloc = (char *)e;
	pl->envp = e;
	return 1;
}

/* The shell's search: the first regular file in PATH (into pl->buf); 0 when not found. */
static int search_path(const char *name, const char *path_var, struct plan *pl)
{
	size_t nl = strlen(name);

	for (const char *d = path_var;;) {
		size_t dl = strcspn(d, ":");
		if (dl + 1 + nl + 1 > sizeof pl->buf)
			return 0;
		char *q = pl->buf;
		if (dl > 0) {
			memcpy(q, d, dl);
			q[dl] = '/';
			q += dl + 1;
		}
		memcpy(q, name, nl + 1);
		struct stat st;
		if (stat(pl->buf, &st) == 0 && S_ISREG(st.st_mode)) {
			pl->path = pl->buf;
			return 1;
		}
		if (d[dl] == '\0')
			return 0;
		d += dl + 1;
	}
}

/* 1: run directly as planned, 0: run by the shell, -1: out of memory. */
static int plan_direct(const struct exec_cmd *c, char *const envp[], struct plan *pl)
{
	const char *path_var, *pwd, *name = c->argv[0];
	size_t n = 0;
	int r;

	pl->alloc = NULL;
	pl->envp = envp;
	if (!scan_env(envp, &n, &path_var, &pwd))
		return 0;
	if ((r = plan_pwd(envp, n, pwd, pl)) <= 0)
		return r;
	if (strchr(name, '/')) {
		pl->path = name;
		return 1;
	}
	/* sh's default PATH is its own business. */
	if (path_var && !strchr(path_var, '%') && search_path(name, path_var, pl))
		return 1;
	free(pl->alloc);
	pl->alloc = NULL;
	pl->envp = envp;
	return 0;
}

/*
 * Start path with argv and envp: its own process group, in_r and out_w as
 * fd 0 and 1, stderr inherited, nothing else open, default dispositions for
 * the signals mllpd handles, an empty signal mask.  Returns 0 with *pid set,
 * or an errno value: that of the exec too, posix_spawn's child reports it.
 * posix_spawn rather than fork: glibc's clone(CLONE_VM|CLONE_VFORK) copies
 * no page tables (a third less CPU per message), and it returns only once
 * the child has exec'd, so the process group the timeout kills exists.
 */
static int spawn(const char *path, char *const argv[], char *const envp[], int in_r, int out_w,
		 pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	int e;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGCHLD);
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		return e;
	if ((e = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return e;
	}
	if ((e = posix_spawn_file_actions_adddup2(&fa, in_r, 0)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, out_w, 1)) == 0 &&
	    (e = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
						   POSIX_SPAWN_SETSIGMASK)) == 0 &&
	    (e = posix_spawnattr_setpgroup(&at, 0)) == 0 &&
	    (e = posix_spawnattr_setsigdefault(&at, &dfl)) == 0 &&
	    (e = posix_spawnattr_setsigmask(&at, &none)) == 0)
		e = posix_spawn(pid, path, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

/* Start the command: directly when planned, by the shell otherwise or when that fails. */
static int start(const struct exec_cmd *c, char *const envp[], int in_r, int out_w, pid_t *pid)
{
	char *sh_argv[] = {"sh", "-c", (char *)c->line, NULL};
	struct plan pl;
	int e;

	if (c->argv) {
		int r = plan_direct(c, envp, &pl);
		if (r < 0)
			return errno;
		if (r > 0) {
			e = spawn(pl.path, c->argv, pl.envp, in_r, out_w, pid);
			free(pl.alloc);
			if (e == 0)
				return 0;
		}
	}
	return spawn("/bin/sh", sh_argv, envp, in_r, out_w, pid);
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/*
 * Wait for pid until the deadline (0: none).  Returns 0 with *status, 1 when
 * the deadline passed, -1 on error.  The child's stdout closes a moment
 * before it can be reaped: a pidfd wakes us when it can, without the
 * sleeping retries older kernels need.
 */
static int reap(pid_t pid, int *status, long long deadline)
{
	int delay_us = 200, pfd = -1, rc;
	for (;;) {
		pid_t r = waitpid(pid, status, deadline ? WNOHANG : 0);
		if (r == pid) {
			rc = 0;
			break;
		}
		if (r < 0 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (r == 0) {
			long long left = deadline - monotime_ms();
			if (left <= 0) {
				rc = 1;
				break;
			}
			if (pfd < 0 && delay_us == 200)
				pfd = pidfd_open(pid, 0);
			if (pfd >= 0) {
				struct pollfd p = {.fd = pfd, .events = POLLIN};
				poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
				continue;
			}
			struct timespec ts = {0, delay_us * 1000L};
			nanosleep(&ts, NULL);
			if (delay_us < 10000)
				delay_us *= 2;
		}
	}
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* 1 when pid has ended, its status left for waitpid. */
static int exited(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Start the command with a pipe on its stdin and one on its stdout (our ends non-blocking).  0, or
 * errno. */
static int start_piped(const struct exec_cmd *c, char *const envp[], pid_t *pid, int *in_fd,
		       int *out_fd)
{
	int in_pipe[2], out_pipe[2], e;

	if (pipe(in_pipe) < 0)
		return errno;
	if (pipe(out_pipe) < 0) {
		e = errno;
		close(in_pipe[0]);
		close(in_pipe[1]);
		return e;
	}
	fcntl(in_pipe[1], F_SETFD, FD_CLOEXEC);
	fcntl(out_pipe[0], F_SETFD, FD_CLOEXEC);
	e = start(c, envp, in_pipe[0], out_pipe[1], pid);
	close(in_pipe[0]);
	close(out_pipe[1]);
	if (e != 0) {
		close(in_pipe[1]);
		close(out_pipe[0]);
		return e;
	}
	set_nonblock(in_pipe[1]);
	set_nonblock(out_pipe[0]);
	*in_fd = in_pipe[1];
	*out_fd = out_pipe[0];
	return 0;
}

/* The command's two pipes while it runs. */
struct pump {
	pid_t pid;
	int in_fd, out_fd, pfd; /* -1 once closed; pfd: its pidfd, or -1 */
	const char *data;
	size_t len, written;
	char *out;
	size_t out_cap;
	long long deadline; /* monotime_ms(), 0: none */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Read what the command printed: into out while it has room, then counted as truncated. */
static void pump_read(struct pump *u, struct exec_status *st)
{
	char sink[4096];
	char *dst = st->out_len < u->out_cap ? u->out + st->out_len : sink;
	size_t room = st->out_len < u->out_cap ? u->out_cap - st->out_len : sizeof sink;
	ssize_t k = read(u->out_fd, dst, room);
	if (k > 0) {
		if (dst == sink)
			st->out_truncated = 1;
		else
			st->out_len += (size_t)k;
	} else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
		close_fd(&u->out_fd);
	}
}

/*
 * stdin is written to its end, or until the command closes it or exits:
 * never stopped because stdout closed (a script may redirect its stdout
 * before it reads).  The pidfd tells when the command has exited while a
 * child of its own still holds stdin; without one, a short poll and a
 * waitid that leaves the status to reap().  Returns 1 when the deadline
 * passed first, else 0.
 */
static int pump_run(struct pump *u, struct exec_status *st)
{
	while (u->out_fd >= 0 || u->in_fd >= 0) {
		struct pollfd p[3];
		int n = 0, wait_ms = -1, po = -1, pi = -1, pp = -1;
		if (u->out_fd >= 0) {
			po = n;
			p[n++] = (struct pollfd){.fd = u->out_fd, .events = POLLIN};
		}
		if (u->in_fd >= 0) {
			pi = n;
			p[n++] = (struct pollfd){.fd = u->in_fd, .events = POLLOUT};
			if (u->pfd >= 0) {
				pp = n;
				p[n++] = (struct pollfd){.fd = u->pfd, .events = POLLIN};
			} else {
				wait_ms = 50;
			}
		}
		if (u->deadline) {
			long long left = u->deadline - monotime_ms();
			if (left <= 0)
				return 1;
			if (wait_ms < 0 || left < wait_ms)
				wait_ms = left > 1000000 ? 1000000 : (int)left;
		}
		int r = poll(p, (nfds_t)n, wait_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (u->in_fd >= 0 &&
		    ((pp >= 0 && p[pp].revents) || (u->pfd < 0 && exited(u->pid)))) {
			/* The command is gone: what it left unread was its choice. */
			close_fd(&u->in_fd);
		} else if (pi >= 0 && p[pi].revents) {
			ssize_t w = write(u->in_fd, u->data + u->written, u->len - u->written);
			if (w > 0)
				u->written += (size_t)w;
			/* EPIPE: the command closed its input; that is its business. */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || u->written == u->len)
				close_fd(&u->in_fd);
		}
		if (po >= 0 && p[po].revents)
			pump_read(u, st);
	}
	return 0;
}

int exec_run(const struct exec_cmd *c, char *const envp[], const char *data, size_t len,
	     int timeout_ms, char *out, size_t out_cap, struct exec_status *st)
{
	struct pump u = {.data = data, .len = len, .out = out, .out_cap = out_cap};
	int status = 0;

	memset(st, 0, sizeof *st);
	st->result = EXEC_SPAWN;
	u.deadline = timeout_ms > 0 ? monotime_ms() + timeout_ms : 0;
	int e = start_piped(c, envp, &u.pid, &u.in_fd, &u.out_fd);
	if (e != 0) {
		errno = e;
		return -1;
	}
	u.pfd = pidfd_open(u.pid, 0);
	if (len == 0)
		close_fd(&u.in_fd);
	int timed_out = pump_run(&u, st);
	close_fd(&u.in_fd);
	close_fd(&u.out_fd);
	close_fd(&u.pfd);
	if (!timed_out && reap(u.pid, &status, u.deadline) == 1)
		timed_out = 1;
	if (timed_out) {
		kill(-u.pid, SIGKILL);
		kill(u.pid, SIGKILL);
		reap(u.pid, &status, 0);
		st->result = EXEC_TIMEOUT;
		return 0;
	}
	if (WIFEXITED(status)) {
		st->code = WEXITSTATUS(status);
		st->result = st->code == 0 ? EXEC_OK : st->code == 65 ? EXEC_DATAERR : EXEC_FAILED;
	} else {
		st->code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		st->result = EXEC_SIGNALED;
	}
	return 0;
}

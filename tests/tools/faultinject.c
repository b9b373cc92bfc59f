/* SPDX-License-Identifier: MIT */
/* faultinject.c: an LD_PRELOAD shim for the tests: make chosen file-system calls fail with a chosen
 * errno. */
/*
 * LD_PRELOAD=build/tools/faultinject.so, then, in the environment:
 *
 *   FAULTINJECT_CALL   which calls fail, comma-separated: write (write,
 *                      pwrite), fsync (fsync, fdatasync), rename (rename,
 *                      renameat, renameat2), open (open, openat, and their
 *                      64 names), mkdir (mkdir, mkdirat).  Unset or empty:
 *                      the shim does nothing.
 *   FAULTINJECT_ERRNO  the error: ENOSPC, EIO, EDQUOT, EROFS, EACCES, EPERM,
 *                      EMFILE, or a number (default EIO).
 *   FAULTINJECT_PATH   only calls on a path holding this text: the path
 *                      given, the descriptor's path (/proc/self/fd) for
 *                      write and fsync, the directory's path joined to the
 *                      name for the *at calls.  Unset: calls on regular
 *                      files and directories only (never sockets, pipes or
 *                      terminals); set it whenever stderr is a file.
 *   FAULTINJECT_AFTER  let this many matching calls succeed first (0).
 *   FAULTINJECT_TIMES  then fail this many (default: every one after).
 *   FAULTINJECT_WHILE  a file: matching calls fail only while it exists,
 *                      so a test can "return the space" by removing it.
 *   FAULTINJECT_LOG    a file: one line per injected failure
 *                      ("faultinject: CALL PATH: ERRNO"), for the test to
 *                      prove the fault really happened.
 *   FAULTINJECT_TRACE  non-empty: no call fails; each matching call is
 *                      logged instead, in order ("faultinject: trace CALL
 *                      PATH"), for a test to see which calls were made.
 *
 * Counters are per process (a forked child starts from its parent's).
 * Under AddressSanitizer, preload the ASan runtime first:
 * LD_PRELOAD="libasan.so.N faultinject.so".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { C_WRITE = 1, C_FSYNC = 2, C_RENAME = 4, C_OPEN = 8, C_MKDIR = 16 };

static int calls = -1; /* -1: not read yet */
static int fault_errno = EIO;
static const char *only_path, *while_file, *log_file;
static int trace_only;
static long after, times = -1, seen, failed;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_mkdirat)(int, const char *, mode_t);

static const struct {
	const char *name;
	int value;
} errnos[] = {
    {"ENOSPC", ENOSPC}, {"EIO", EIO},	  {"EDQUOT", EDQUOT}, {"EROFS", EROFS},
    {"EACCES", EACCES}, {"EPERM", EPERM}, {"EMFILE", EMFILE},
};

static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static void setup(void)
{
	if (calls >= 0)
		return;
	real_write = next("write");
	real_pwrite = next("pwrite");
	real_fsync = next("fsync");
	real_fdatasync = next("fdatasync");
	real_rename = next("rename");
	real_renameat = next("renameat");
	real_renameat2 = next("renameat2");
	real_open = next("open");
	real_open64 = next("open64");
	real_openat = next("openat");
	real_openat64 = next("openat64");
	real_mkdir = next("mkdir");
	real_mkdirat = next("mkdirat");

	const char *v = getenv("FAULTINJECT_CALL");
	int c = 0;
	if (v) {
		c |= strstr(v, "write") ? C_WRITE : 0;
		c |= strstr(v, "fsync") ? C_FSYNC : 0;
		c |= strstr(v, "rename") ? C_RENAME : 0;
		c |= strstr(v, "open") ? C_OPEN : 0;
		c |= strstr(v, "mkdir") ? C_MKDIR : 0;
	}
	if ((v = getenv("FAULTINJECT_ERRNO")) && *v) {
		fault_errno = atoi(v) > 0 ? atoi(v) : EIO;
		for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
			if (strcmp(v, errnos[i].name) == 0)
				fault_errno = errnos[i].value;
	}
	only_path = getenv("FAULTINJECT_PATH");
	if (only_path && !*only_path)
		only_path = NULL;
	while_file = getenv("FAULTINJECT_WHILE");
	log_file = getenv("FAULTINJECT_LOG");
	trace_only = (v = getenv("FAULTINJECT_TRACE")) && *v;
	if ((v = getenv("FAULTINJECT_AFTER")))
		after = atol(v);
	if ((v = getenv("FAULTINJECT_TIMES")) && *v)
		times = atol(v);
	calls = c;
}

__attribute__((constructor)) static void faultinject_init(void)
{
	setup();
}

/* The path of fd, or of name under the directory dirfd; "" when unknown. */
static void path_of(int dirfd, const char *name, char *out, size_t cap)
{
	char link[64];
	out[0] = '\0';
	if (name && (name[0] == '/' || dirfd == AT_FDCWD)) {
		if (name[0] == '/' || !getcwd(out, cap))
			snprintf(out, cap, "%s", name);
		else
			snprintf(out + strlen(out), cap - strlen(out), "/%s", name);
		return;
	}
	snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
	ssize_t n = readlink(link, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	if (name)
		snprintf(out + strlen(out), cap - strlen(out), "/%s", name);
}

static void note(const char *call, const char *path)
{
	if (!log_file)
		return;
	char line[4200];
	int n = trace_only ? snprintf(line, sizeof line, "faultinject: trace %s %s\n", call, path)
			   : snprintf(line, sizeof line, "faultinject: %s %s: %s\n", call, path,
				      strerror(fault_errno));
	int fd = real_open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	ssize_t w = real_write(fd, line, (size_t)n);
	(void)w;
	close(fd);
}

/* Should this call fail?  kind: C_*; the call is on fd (name NULL) or on name under dirfd. */
static int should_fail(int kind, const char *call, int dirfd, const char *name)
{
	char path[4096];
	struct stat st;

	setup();
	if (!(calls & kind))
		return 0;
	if (!name && !only_path &&
	    (fstat(dirfd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))))
		return 0;
	path_of(dirfd, name, path, sizeof path);
	if (only_path && !strstr(path, only_path))
		return 0;
	if (trace_only) {
		note(call, path);
		return 0;
	}
	if (seen++ < after)
		return 0;
	if (times >= 0 && failed >= times)
		return 0;
	if (while_file && access(while_file, F_OK) < 0)
		return 0;
	failed++;
	note(call, path);
	errno = fault_errno;
	return 1;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (should_fail(C_WRITE, "write", fd, NULL))
		return -1;
	return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (should_fail(C_WRITE, "pwrite", fd, NULL))
		return -1;
	return real_pwrite(fd, buf, n, off);
}

int fsync(int fd)
{
	if (should_fail(C_FSYNC, "fsync", fd, NULL))
		return -1;
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	if (should_fail(C_FSYNC, "fdatasync", fd, NULL))
		return -1;
	return real_fdatasync(fd);
}

int rename(const char *from, const char *to)
{
	if (should_fail(C_RENAME, "rename", AT_FDCWD, from))
		return -1;
	return real_rename(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	if (should_fail(C_RENAME, "renameat", fromfd, from))
		return -1;
	return real_renameat(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags)
{
	if (should_fail(C_RENAME, "renameat2", fromfd, from))
		return -1;
	return real_renameat2(fromfd, from, tofd, to, flags);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	if (should_fail(C_OPEN, "open", AT_FDCWD, path))
		return -1;
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	if (should_fail(C_OPEN, "open64", AT_FDCWD, path))
		return -1;
	return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	if (should_fail(C_OPEN, "openat", dirfd, path))
		return -1;
	return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	if (should_fail(C_OPEN, "openat64", dirfd, path))
		return -1;
	return real_openat64(dirfd, path, flags, mode);
}

int mkdir(const char *path, mode_t mode)
{
	if (should_fail(C_MKDIR, "mkdir", AT_FDCWD, path))
		return -1;
	return real_mkdir(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	if (should_fail(C_MKDIR, "mkdirat", dirfd, path))
		return -1;
	return real_mkdirat(dirfd, path, mode);
}

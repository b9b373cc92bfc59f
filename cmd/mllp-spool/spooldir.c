/* SPDX-License-Identifier: MIT */
/* spooldir.c: open and check a spool directory for mllp-spool, lock a state directory, check and
 * show file names. */
#include "mllp-spool.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "termsafe.h"

void spooldir_close(struct spooldir *d)
{
	int *fds[] = {&d->dirfd, &d->newfd, &d->curfd, &d->failedfd};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int open_sub(const struct spooldir *d, const char *sub)
{
	return openat(d->dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int spooldir_open(struct spooldir *d, const char *path)
{
	d->path = path;
	d->dirfd = d->newfd = d->curfd = d->failedfd = -1;
	d->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd < 0) {
		int e = errno;
		cli_error("%s: %s", path,
			  e == ENOTDIR ? "not a spool: not a directory" : strerror(e));
		return e == ENOTDIR		    ? EX_DATAERR
		       : e == ENOENT || e == EACCES ? EX_NOINPUT
						    : EX_IOERR;
	}
	/* A spool, as mllpd and mllp-send --drain make it: new/ and cur/ at least.  Anything
	 * else is someone else's directory, left alone. */
	d->newfd = open_sub(d, "new");
	d->curfd = d->newfd >= 0 ? open_sub(d, "cur") : -1;
	if (d->curfd < 0) {
		int e = errno;
		const char *sub = d->newfd < 0 ? "new" : "cur";
		if (e == ENOENT || e == ENOTDIR)
			cli_error("%s: not a spool: no %s/ directory", path, sub);
		else
			cli_error("%s/%s: %s", path, sub, strerror(e));
		spooldir_close(d);
		return e == ENOENT || e == ENOTDIR ? EX_DATAERR : EX_IOERR;
	}
	d->failedfd = open_sub(d, "failed");
	if (d->failedfd < 0 && errno != ENOENT) {
		int e = errno;
		cli_error("%s/failed: %s", path, e == ENOTDIR ? "not a directory" : strerror(e));
		spooldir_close(d);
		return e == ENOTDIR ? EX_DATAERR : EX_IOERR;
	}
	return 0;
}

int spooldir_lock(const struct spooldir *d, int fd, const char *sub)
{
	/* The kernel drops the lock with the process: nothing to clean up after a kill. */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK) {
		cli_error("%s/%s: busy: another process holds its lock", d->path, sub);
		return EX_TEMPFAIL;
	}
	cli_error("%s/%s: lock: %s", d->path, sub, strerror(errno));
	return EX_IOERR;
}

int spooldir_name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

const char *spooldir_safe(char *buf, size_t cap, const char *name)
{
	size_t n = termsafe_escape(buf, cap - 1, name, strlen(name), 0);
	buf[n < cap - 1 ? n : cap - 1] = '\0';
	return buf;
}

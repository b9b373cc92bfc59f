/* SPDX-License-Identifier: MIT */
/* spool.c: maildir-style durable writer: nothing is visible in new/ before it is whole. */
#include "spool.h"

#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int open_subdir(int parent, const char *name)
{
	if (mkdirat(parent, name, 0750) < 0 && errno != EEXIST)
		return -1;
	return openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int spool_open(struct spool *s, const char *dir, unsigned flags, const char **what)
{
	int curfd;

	memset(s, 0, sizeof *s);
	s->dirfd = s->tmpfd = s->newfd = s->failedfd = s->nextfd = -1;
	s->flags = flags;
	s->pid = (int)getpid();

	*what = dir;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return -1;
	*what = "tmp";
	if ((s->tmpfd = open_subdir(s->dirfd, "tmp")) < 0)
		goto fail;
	*what = "new";
	if ((s->newfd = open_subdir(s->dirfd, "new")) < 0)
		goto fail;
	*what = "cur";
	if ((curfd = open_subdir(s->dirfd, "cur")) < 0)
		goto fail;
	close(curfd);
	*what = "failed";
	if ((s->failedfd = open_subdir(s->dirfd, "failed")) < 0)
		goto fail;
	*what = NULL;
	return 0;
fail:;
	int saved = errno;
	spool_close(s);
	errno = saved;
	return -1;
}

/* Seconds and nanoseconds first, so names sort by arrival time; pid and a
 * per-process sequence make them unique across concurrent writers. */
static void make_name(struct spool *s, char *name)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, SPOOL_NAME_MAX, "%010lld.%09ld.%d.%lu.hl7", (long long)ts.tv_sec, (long)ts.tv_nsec,
		 s->pid, ++s->seq);
}

int spool_prepare(struct spool *s)
{
	int tries = 0;

	if (s->nextfd >= 0)
		return 0;
	do {
		make_name(s, s->nextname);
		s->nextfd = openat(s->tmpfd, s->nextname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	} while (s->nextfd < 0 && errno == EEXIST && ++tries < 100);
	return s->nextfd < 0 ? -1 : 0;
}

int spool_stage(struct spool *s, const char *data, size_t len, char *tmpname)
{
	int fd, saved;
	int sync = !(s->flags & SPOOL_NO_FSYNC);

	if (spool_prepare(s) < 0)
		return -1;
	fd = s->nextfd;
	s->nextfd = -1;
	memcpy(tmpname, s->nextname, SPOOL_NAME_MAX);
	if (io_write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		saved = errno;
		close(fd);
		goto fail;
	}
	/* Closed before the rename: a file system that reports write errors at close is heard. */
	if (close(fd) < 0) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	unlinkat(s->tmpfd, tmpname, 0);
	errno = saved;
	return -1;
}

/* Rename tmp/TMPNAME to DIRFD/NAME (made now: names sort by arrival) and fsync DIRFD. */
static int move_from_tmp(struct spool *s, int dirfd, const char *tmpname, char *name)
{
	make_name(s, name);
	if (renameat(s->tmpfd, tmpname, dirfd, name) < 0)
		return -1;
	if (!(s->flags & SPOOL_NO_FSYNC) && fsync(dirfd) < 0) {
		/* Not known to be durable there: take it back rather than ACK it. */
		int saved = errno;
		renameat(dirfd, name, s->tmpfd, tmpname);
		errno = saved;
		return -1;
	}
	return 0;
}

int spool_publish(struct spool *s, const char *tmpname, char *name)
{
	return move_from_tmp(s, s->newfd, tmpname, name);
}

int spool_reject(struct spool *s, const char *tmpname, char *name)
{
	if (move_from_tmp(s, s->failedfd, tmpname, name) < 0)
		return -1;
	return (s->flags & SPOOL_NO_FSYNC) || fsync(s->tmpfd) == 0 ? 0 : -1;
}

int spool_commit(struct spool *s, const char *data, size_t len, char *name)
{
	char tmpname[SPOOL_NAME_MAX];
	int prepared = s->nextfd >= 0;

	for (;;) {
		if (spool_stage(s, data, len, tmpname) < 0)
			return -1;
		if (spool_publish(s, tmpname, name) == 0)
			return 0;
		int saved = errno;
		unlinkat(s->tmpfd, tmpname, 0);
		if (saved == ENOENT && prepared) {
			/* The file opened ahead was removed while it waited: once more with a fresh one. */
			prepared = 0;
			continue;
		}
		errno = saved;
		return -1;
	}
}

int spool_fail(struct spool *s, const char *name)
{
	if (renameat(s->newfd, name, s->failedfd, name) < 0)
		return -1;
	if (!(s->flags & SPOOL_NO_FSYNC))
		fsync(s->failedfd);
	return 0;
}

int spool_clean_tmp(struct spool *s, long max_age)
{
	/* A descriptor of its own: closedir() closes it, tmpfd stays open. */
	int fd = openat(s->tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	time_t now = time(NULL);
	struct dirent *e;
	struct stat st;
	int removed = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		/* mtime: a file being written is young whatever its size; a clock step back keeps files. */
		if (fstatat(s->tmpfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
		    now - st.st_mtime <= max_age)
			continue;
		if (unlinkat(s->tmpfd, e->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

void spool_close(struct spool *s)
{
	if (s->nextfd >= 0) {
		close(s->nextfd);
		unlinkat(s->tmpfd, s->nextname, 0);
		s->nextfd = -1;
	}
	int *fds[] = {&s->dirfd, &s->tmpfd, &s->newfd, &s->failedfd};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

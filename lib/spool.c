/* SPDX-License-Identifier: MIT */
/* spool.c: maildir-style durable writer: nothing is visible in new/ before it is whole. */
#define _GNU_SOURCE /* sync_file_range */
#include "spool.h"

#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * Durable creation: a directory made here is fsynced into its parent before
 * it is used, and removed again when that fails, so that the next open makes
 * it (and syncs) once more rather than trusting an entry that may not last.
 */
static const char *const subdirs[] = {"tmp", "new", "cur", "failed"};

int spool_open(struct spool *s, const char *dir, unsigned flags, const char **what)
{
	int sync = !(flags & SPOOL_NO_FSYNC), made = 0, saved;
	unsigned created = 0;
	int fds[4] = {-1, -1, -1, -1};

	memset(s, 0, sizeof *s);
	s->dirfd = s->tmpfd = s->newfd = s->failedfd = s->nextfd = -1;
	s->flags = flags;
	s->pid = (int)getpid();

	*what = dir;
	if (mkdir(dir, 0750) == 0)
		made = 1;
	else if (errno != EEXIST)
		return -1;
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		goto fail_dir;
	if (made && sync) {
		int parent = openat(s->dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0)
			goto fail_dir;
		int r = fsync(parent);
		saved = errno;
		close(parent);
		errno = saved;
		if (r < 0)
			goto fail_dir;
	}
	for (size_t i = 0; i < 4; i++) {
		*what = subdirs[i];
		if (mkdirat(s->dirfd, subdirs[i], 0750) == 0)
			created |= 1u << i;
		else if (errno != EEXIST)
			goto fail_sub;
		if ((fds[i] = openat(s->dirfd, subdirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			goto fail_sub;
	}
	*what = dir;
	if (created && sync && fsync(s->dirfd) < 0)
		goto fail_sub;
	s->tmpfd = fds[0];
	s->newfd = fds[1];
	close(fds[2]);
	s->failedfd = fds[3];
	*what = NULL;
	return 0;
fail_sub:
	saved = errno;
	for (size_t i = 0; i < 4; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (created & (1u << i))
			unlinkat(s->dirfd, subdirs[i], AT_REMOVEDIR);
	}
	errno = saved;
fail_dir:
	saved = errno;
	spool_close(s);
	if (made)
		rmdir(dir);
	errno = saved;
	return -1;
}

/* Seconds and nanoseconds first, so names sort by arrival time; pid and a
 * per-process sequence (1, 2, 3 ...: one number per message delivered) make
 * them unique across concurrent writers. */
static void make_name(struct spool *s, char *name)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, SPOOL_NAME_MAX, "%010lld.%09ld.%d.%lu.hl7", (long long)ts.tv_sec,
		 (long)ts.tv_nsec, s->pid, ++s->seq);
}

/* A name in tmp/ takes no number from the sequence: a counter of its own. */
static void make_tmp_name(struct spool *s, char *name)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, SPOOL_NAME_MAX, "%010lld.%09ld.%d.t%lu.tmp", (long long)ts.tv_sec,
		 (long)ts.tv_nsec, s->pid, ++s->tmpseq);
}

int spool_prepare(struct spool *s)
{
	int tries = 0;

	if (s->nextfd >= 0)
		return 0;
	do {
		make_tmp_name(s, s->nextname);
		s->nextfd =
		    openat(s->tmpfd, s->nextname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
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

/*
 * Rename tmp/TMPNAME to DIRFD/NAME (made now: names sort by arrival) and
 * fsync both directories.  If the rename fails, name is emptied; if an
 * fsync fails, the file is taken back to tmp/ when take_back (name then
 * emptied too), else left where it is.
 */
static int move_from_tmp(struct spool *s, int dirfd, const char *tmpname, char *name, int take_back)
{
	make_name(s, name);
	if (renameat(s->tmpfd, tmpname, dirfd, name) < 0) {
		name[0] = '\0';
		return -1;
	}
	/* Both directories of the move: the file in its new one, and gone from tmp/. */
	if (!(s->flags & SPOOL_NO_FSYNC) && (fsync(dirfd) < 0 || fsync(s->tmpfd) < 0)) {
		int saved = errno;
		if (take_back && renameat(dirfd, name, s->tmpfd, tmpname) == 0)
			name[0] = '\0';
		errno = saved;
		return -1;
	}
	return 0;
}

int spool_publish(struct spool *s, const char *tmpname, char *name)
{
	/* Not known to be durable in new/: taken back rather than ACKed. */
	return move_from_tmp(s, s->newfd, tmpname, name, 1);
}

int spool_reject(struct spool *s, const char *tmpname, char *name)
{
	return move_from_tmp(s, s->failedfd, tmpname, name, 0);
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
			/* The file opened ahead was removed while it waited: once more with a fresh
			 * one. */
			prepared = 0;
			continue;
		}
		errno = saved;
		return -1;
	}
}

int spool_write(struct spool *s, const char *data, size_t len, struct spool_staged *st)
{
	struct stat sb;

	/* A file opened ahead and removed meanwhile (spool_clean_tmp() elsewhere): a fresh one. */
	if (s->nextfd >= 0 && fstat(s->nextfd, &sb) == 0 && sb.st_nlink == 0) {
		close(s->nextfd);
		s->nextfd = -1;
	}
	if (spool_prepare(s) < 0)
		return -1;
	st->fd = s->nextfd;
	s->nextfd = -1;
	memcpy(st->tmpname, s->nextname, SPOOL_NAME_MAX);
	/* Named at arrival: the caller's thread alone touches the sequence. */
	make_name(s, st->name);
	if (io_write_all(st->fd, data, len) < 0) {
		int saved = errno;
		spool_discard(s, st);
		errno = saved;
		return -1;
	}
	return 0;
}

void spool_discard(struct spool *s, struct spool_staged *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	unlinkat(s->tmpfd, st->tmpname, 0);
	st->name[0] = '\0';
}

/* Not known to be durable in new/: the first moved taken back, and every file removed. */
static int group_fail(struct spool *s, struct spool_staged *st, size_t n, size_t moved)
{
	int saved = errno;
	for (size_t i = 0; i < n; i++) {
		if (i < moved && renameat(s->newfd, st[i].name, s->tmpfd, st[i].tmpname) < 0)
			unlinkat(s->newfd, st[i].name, 0);
		spool_discard(s, &st[i]);
	}
	errno = saved;
	return -1;
}

int spool_group_flush(struct spool *s, struct spool_staged *st, size_t n)
{
	int sync = !(s->flags & SPOOL_NO_FSYNC), saved = 0;

	/* Start every file's writeback first, so that the file system allocates them all in one
	 * transaction and the fdatasyncs that follow share its commit rather than making one each.
	 * An error here is heard again from fdatasync(). */
	for (size_t i = 0; sync && i < n; i++)
		sync_file_range(st[i].fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	/* Every descriptor is closed, also after a failure. */
	for (size_t i = 0; i < n; i++) {
		if (!saved && sync && fdatasync(st[i].fd) < 0)
			saved = errno;
		/* Closed before the rename: a file system that reports write errors at close is
		 * heard. */
		if (close(st[i].fd) < 0 && !saved)
			saved = errno;
		st[i].fd = -1;
	}
	errno = saved;
	return saved ? group_fail(s, st, n, 0) : 0;
}

int spool_group_rename(struct spool *s, struct spool_staged *st, size_t n)
{
	for (size_t moved = 0; moved < n; moved++)
		if (renameat(s->tmpfd, st[moved].tmpname, s->newfd, st[moved].name) < 0)
			return group_fail(s, st, n, moved);
	return 0;
}

int spool_group_sync(struct spool *s, struct spool_staged *st, size_t n)
{
	/* Both directories: every file in new/, and gone from tmp/. */
	if (n && !(s->flags & SPOOL_NO_FSYNC) && (fsync(s->newfd) < 0 || fsync(s->tmpfd) < 0))
		return group_fail(s, st, n, n);
	return 0;
}

int spool_commit_group(struct spool *s, struct spool_staged *st, size_t n)
{
	if (spool_group_flush(s, st, n) < 0 || spool_group_rename(s, st, n) < 0)
		return -1;
	return spool_group_sync(s, st, n);
}

int spool_fail(struct spool *s, const char *name)
{
	if (renameat(s->newfd, name, s->failedfd, name) < 0)
		return -1;
	/* failed/ first: whatever a crash keeps, the file is in one of them. */
	if (!(s->flags & SPOOL_NO_FSYNC) && (fsync(s->failedfd) < 0 || fsync(s->newfd) < 0))
		return -1;
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
		/* mtime: a file being written is young whatever its size; a clock step back keeps
		 * files. */
		if (fstatat(s->tmpfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || now - st.st_mtime <= max_age)
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

/* ---- Readers and tools ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void spool_list_free(struct spool_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->count = 0;
}

/* A regular file by its entry, or by lstat when the file system does not say. */
static int is_regular(int dirfd, const struct dirent *e)
{
	struct stat st;
	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_REG;
	return fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

static int list_add(struct spool_list *l, size_t *cap, const char *name)
{
	if (l->count == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		char **p = realloc(l->names, n * sizeof *p);
		if (!p)
			return -1;
		l->names = p;
		*cap = n;
	}
	if (!(l->names[l->count] = strdup(name)))
		return -1;
	l->count++;
	return 0;
}

int spool_list(int dirfd, struct spool_list *l)
{
	size_t cap = 0;
	int saved, fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	l->names = NULL;
	l->count = 0;
	if (!d) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		errno = saved;
		return -1;
	}
	errno = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !is_regular(dirfd, e))
			continue;
		if (list_add(l, &cap, e->d_name) < 0) {
			errno = ENOMEM;
			break;
		}
		errno = 0;
	}
	saved = errno;
	closedir(d);
	if (saved) {
		spool_list_free(l);
		errno = saved;
		return -1;
	}
	if (l->count)
		qsort(l->names, l->count, sizeof *l->names, by_name);
	return 0;
}

/* Rename without replacing: renameat2 on Linux, else (or where the file system lacks it) link
 * and unlink, both of which refuse an existing target. */
static int move_noreplace(int fromfd, const char *from, int tofd, const char *to)
{
#if defined(__linux__) && defined(SYS_renameat2)
	if (syscall(SYS_renameat2, fromfd, from, tofd, to, 1u /* RENAME_NOREPLACE */) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
#endif
	if (linkat(fromfd, from, tofd, to, 0) < 0)
		return -1;
	if (unlinkat(fromfd, from, 0) < 0) {
		int saved = errno;
		unlinkat(tofd, to, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

/* NAME, or NAME with ".rN" before a final ".hl7" (appended otherwise): 0, or -1 when it does
 * not fit. */
static int retry_name(char *out, size_t cap, const char *name, unsigned n)
{
	size_t len = strlen(name), stem = len;
	int r;
	if (len > 4 && strcmp(name + len - 4, ".hl7") == 0)
		stem = len - 4;
	if (n == 0)
		r = snprintf(out, cap, "%s", name);
	else
		r = snprintf(out, cap, "%.*s.r%u%s", (int)stem, name, n, name + stem);
	return r < 0 || (size_t)r >= cap ? -1 : 0;
}

int spool_move(int fromfd, const char *name, int tofd, char *out, size_t outcap, unsigned flags)
{
	unsigned n = 0;
	for (;;) {
		if (retry_name(out, outcap, name, n) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (move_noreplace(fromfd, name, tofd, out) == 0)
			break;
		if (errno != EEXIST || ++n > 999)
			return -1;
	}
	/* The destination first: whatever a crash keeps, the file is in one of them. */
	if (!(flags & SPOOL_NO_FSYNC) && (fsync(tofd) < 0 || fsync(fromfd) < 0))
		return -1;
	return 0;
}

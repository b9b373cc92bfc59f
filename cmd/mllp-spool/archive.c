/* SPDX-License-Identifier: MIT */
/* archive.c: append files to a tar archive and make it durable before anything is removed. */
#include "mllp-spool.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "tar.h"

static ssize_t fd_read(void *ctx, void *buf, size_t len, unsigned long long off)
{
	int fd = *(const int *)ctx;
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Open the file, or create it (created = 1): 0, or -1 with errno. */
static int open_or_create(struct archive *a)
{
	a->created = 0;
	a->fd = open(a->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (a->fd < 0 && errno == ENOENT) {
		a->fd = open(a->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0640);
		a->created = a->fd >= 0;
	}
	return a->fd < 0 ? -1 : 0;
}

int archive_open(struct archive *a, const char *path)
{
	struct stat st;
	a->path = path;
	a->start = 0;
	if (open_or_create(a) < 0 || fstat(a->fd, &st) < 0) {
		cli_error("--archive %s: %s", path, strerror(errno));
		archive_close(a);
		return EX_CANTCREAT;
	}
	int rc = 0;
	if (!S_ISREG(st.st_mode)) {
		cli_error("--archive %s: not a regular file", path);
		rc = EX_CANTCREAT;
	} else if (flock(a->fd, LOCK_EX | LOCK_NB) < 0) {
		int busy = errno == EWOULDBLOCK;
		cli_error("--archive %s: %s", path,
			  busy ? "busy: another process holds its lock" : strerror(errno));
		rc = busy ? EX_TEMPFAIL : EX_IOERR;
	} else {
		enum tar_status ts =
		    tar_find_end(fd_read, &a->fd, (unsigned long long)st.st_size, &a->start);
		if (ts != TAR_OK) {
			cli_error("--archive %s: cannot append: %s at byte %llu", path,
				  ts == TAR_IO ? strerror(errno) : tar_status_text(ts), a->start);
			rc = ts == TAR_IO ? EX_IOERR : EX_DATAERR;
		} else if (lseek(a->fd, (off_t)a->start, SEEK_SET) < 0) {
			cli_error("--archive %s: %s", path, strerror(errno));
			rc = EX_IOERR;
		}
	}
	if (rc) {
		/* Refused before anything was written: a file made just now goes again, one that
		 * was there is left exactly as it was. */
		if (a->created && rc != EX_TEMPFAIL)
			unlink(path);
		archive_close(a);
	}
	return rc;
}

/* Copy exactly size bytes of fd to the archive: 0, or -1 (errno; EAGAIN: the size changed). */
static int copy_data(struct archive *a, int fd, unsigned long long size)
{
	static char buf[1 << 16];
	unsigned long long left = size;
	while (left > 0) {
		ssize_t r = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? (errno = EAGAIN, -1) : -1;
		if (io_write_all(a->fd, buf, (size_t)r) < 0)
			return -1;
		left -= (unsigned long long)r;
	}
	/* One byte more means the file grew meanwhile: what was archived is not what is removed. */
	if (read(fd, buf, 1) != 0)
		return errno = EAGAIN, -1;
	memset(buf, 0, tar_pad(size));
	return io_write_all(a->fd, buf, tar_pad(size));
}

int archive_add(struct archive *a, int dirfd, const char *name, const char *member)
{
	static char hdr[TAR_HEADER_MAX];
	char safe[256];
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return -1; /* removed meanwhile by someone else: nothing to archive, nor to remove
			    */
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : 0;
		cli_error("%s: %s", spooldir_safe(safe, sizeof safe, member),
			  e ? strerror(e) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return e == 0 ? EX_NOINPUT : EX_IOERR;
	}
	struct tar_entry e = {member,	   (unsigned long long)st.st_size,
			      st.st_mtime, st.st_mode & 07777,
			      st.st_uid,   st.st_gid};
	size_t n = tar_header(hdr, sizeof hdr, &e);
	int rc = 0;
	if (n == 0 || n > sizeof hdr) {
		cli_error("%s: name too long for the archive",
			  spooldir_safe(safe, sizeof safe, member));
		rc = EX_SOFTWARE;
	} else if (io_write_all(a->fd, hdr, n) < 0 || copy_data(a, fd, e.size) < 0) {
		int err = errno;
		if (err == EAGAIN)
			cli_error("%s: changed size while being archived",
				  spooldir_safe(safe, sizeof safe, member));
		else
			cli_error("--archive %s: %s: %s", a->path,
				  spooldir_safe(safe, sizeof safe, member), strerror(err));
		rc = EX_IOERR;
	}
	close(fd);
	return rc;
}

/* fsync the directory that holds path: 0, or -1 with errno. */
static int sync_parent(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int r = fsync(fd), e = errno;
	close(fd);
	errno = e;
	return r;
}

int archive_finish(struct archive *a)
{
	static const char zeros[2 * TAR_BLOCK];
	off_t end = lseek(a->fd, 0, SEEK_CUR);
	if (end < 0 || io_write_all(a->fd, zeros, sizeof zeros) < 0 ||
	    ftruncate(a->fd, end + (off_t)sizeof zeros) < 0 || fsync(a->fd) < 0 ||
	    (a->created && sync_parent(a->path) < 0)) {
		cli_error("--archive %s: %s", a->path, strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

void archive_abort(struct archive *a)
{
	static const char zeros[2 * TAR_BLOCK];
	if (a->fd < 0)
		return;
	if (a->created) {
		unlink(a->path);
	} else if (ftruncate(a->fd, (off_t)a->start) == 0 && a->start > 0 &&
		   pwrite(a->fd, zeros, sizeof zeros, (off_t)a->start) == (ssize_t)sizeof zeros) {
		fsync(a->fd);
	}
	archive_close(a);
}

void archive_close(struct archive *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

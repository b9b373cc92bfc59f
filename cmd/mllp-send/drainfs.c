/* SPDX-License-Identifier: MIT */
/* drainfs.c: the spool side of --drain: list new/ in arrival order, load a file for sending, move
 * it to cur/ or rejected/ (durably) once its answer is known. */
#include "drainfs.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "io.h"
#include "segnorm.h"

int drain_open_sub(struct drain *d, const char *name)
{
	if (mkdirat(d->dirfd, name, 0750) < 0 && errno != EEXIST)
		return -1;
	return openat(d->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void drain_sync_dir(const struct drain *d, int fd)
{
	if (!d->cfg->no_fsync)
		fsync(fd);
}

void drain_free_names(struct drain *d)
{
	struct spool_list l = {.names = d->names, .count = d->count};
	spool_list_free(&l);
	d->names = NULL;
	d->count = 0;
}

/* The names in new/, sorted: mllpd's names start with the arrival time, so this is arrival order.
 */
int drain_list_new(struct drain *d)
{
	struct spool_list l;

	drain_free_names(d);
	if (spool_list(d->newfd, &l) < 0)
		return -1;
	d->names = l.names;
	d->count = l.count;
	return 0;
}

/* Read fd from where it stands into buf, up to cap bytes: the count, or -1 with errno. */
static ssize_t read_upto(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	return (ssize_t)len;
}

/* Move new/NAME to the directory tofd, then make both directories durable. */
int drain_move(struct drain *d, const char *name, int tofd)
{
	if (renameat(d->newfd, name, tofd, name) < 0)
		return errno == ENOENT ? 0 : -1; /* gone already: another consumer took it */
	drain_sync_dir(d, tofd);
	drain_sync_dir(d, d->newfd);
	return 0;
}

/* rejected/NAME.ack, written whole (tmp, fsync, rename) before the message moves beside it. */
int drain_write_ack(struct drain *d, const char *name, const char *ack, size_t len)
{
	char final[512], tmp[520];
	if ((size_t)snprintf(final, sizeof final, "%s.ack", name) >= sizeof final)
		return errno = ENAMETOOLONG, -1;
	snprintf(tmp, sizeof tmp, ".%s.tmp", final);
	int fd = openat(d->rejfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (io_write_all(fd, ack, len) < 0)
		goto fail;
	if ((!d->cfg->no_fsync && fsync(fd) < 0) || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (renameat(d->rejfd, tmp, d->rejfd, final) < 0)
		goto fail_unlink;
	return 0;
fail:;
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
fail_unlink:
	e = errno;
	unlinkat(d->rejfd, tmp, 0);
	errno = e;
	return -1;
}

void drain_fs_error(struct drain *d, const char *what, const char *name)
{
	cli_error("%s/%s: %s: %s", d->dir, name, what, strerror(errno));
	d->fatal = EX_IOERR;
}

/* A file delivered (AA, CA, or sent needing no ACK): to cur/, or deleted with --delete. */
void drain_done_file(struct drain *d, const char *name)
{
	d->progress = 1;
	if (d->cfg->delete_acked) {
		if (unlinkat(d->newfd, name, 0) < 0 && errno != ENOENT)
			drain_fs_error(d, "delete", name);
		else
			drain_sync_dir(d, d->newfd);
	} else if (drain_move(d, name, d->curfd) < 0) {
		drain_fs_error(d, "move to cur/", name);
	}
}

/*
 * A message file too large to hold (size bytes): its first
 * SEND_STREAM_CHUNK bytes are read, their whole segments normalised into
 * d->msg and checked (*id borrows from it); the rest is only streamed.
 * NULL: ready, fd in d->stream_fd at offset 0.  Else why it cannot be sent
 * (*batch: it is a batch); -1 in *io: a read error (errno).
 */
static const char *load_large(struct drain *d, int fd, long long size, struct hl7_span *id,
			      enum noack *noack, int *batch, int *io)
{
	if (size > SEND_MAX_STREAM)
		return "larger than 1073741824 bytes";
	ssize_t n = read_upto(fd, d->file, SEND_STREAM_CHUNK);
	if (n < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		*io = -1;
		return "";
	}
	size_t whole = (size_t)n;
	while (whole > 0 && d->file[whole - 1] != '\r' && d->file[whole - 1] != '\n')
		whole--;
	if (whole == 0)
		return "first segment longer than 1048576 bytes";
	size_t m = segnorm_copy(d->msg, SEND_MAX_MESSAGE + 1, d->file, whole);
	if (hl7_batch_is(d->msg, m)) {
		*batch = 1;
		return "batch larger than 16777216 bytes: only a single message is streamed";
	}
	const char *why = message_check(d->msg, m, id, noack);
	if (!why)
		d->stream_fd = fd;
	return why;
}

/* Move new/NAME to rejected/, its error line written: 0, or -1 fatal. */
static int reject(struct drain *d, const char *name)
{
	if (drain_move(d, name, d->rejfd) < 0) {
		drain_fs_error(d, "move to rejected/", name);
		return -1;
	}
	d->refused = 1;
	return 0;
}

static int refuse(struct drain *d, const char *name, const char *why)
{
	cli_error("%s/new/%s: not an HL7 message: %s; moved to rejected/", d->dir, name, why);
	return reject(d, name);
}

/* drain_load() for a file of SEND_MAX_MESSAGE bytes or more, open on fd. */
static int load_big(struct drain *d, int fd, const struct stat *st, const char *name, size_t *len,
		    struct hl7_span *id, enum noack *noack)
{
	int batch = 0, io = 0;
	const char *why = load_large(d, fd, (long long)st->st_size, id, noack, &batch, &io);
	if (!why) {
		*len = 0;
		return 1;
	}
	int e = errno;
	close(fd);
	if (io) {
		errno = e;
		drain_fs_error(d, "read", name);
		return -1;
	}
	if (!batch)
		return refuse(d, name, why);
	cli_error("%s/new/%s: %s; moved to rejected/", d->dir, name, why);
	return reject(d, name);
}

int drain_load(struct drain *d, const char *name, size_t *len, struct hl7_span *id,
	       enum noack *noack)
{
	char text[512];
	struct stat st;
	ssize_t n = -1;
	int fd = openat(d->newfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT)
		return 0;
	d->ids.batch = 0;
	/* Normalised, a smaller file fits the buffers (it may gain one final CR). */
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size >= (off_t)SEND_MAX_MESSAGE)
		return load_big(d, fd, &st, name, len, id, noack);
	if (fd >= 0) {
		n = read_upto(fd, d->file, SEND_MAX_MESSAGE + 1);
		int e = errno;
		close(fd);
		errno = e;
	}
	if (n < 0) {
		drain_fs_error(d, "read", name);
		return -1;
	}
	/* A spool file is one message or one batch: only its separators are normalised. */
	*len = segnorm_copy(d->msg, SEND_MAX_MESSAGE + 1, d->file, (size_t)n);
	if (*len > SEND_MAX_MESSAGE || (size_t)n > SEND_MAX_MESSAGE)
		return refuse(d, name, "larger than 16777216 bytes");
	if (hl7_batch_is(d->msg, *len)) {
		if (batch_check(d->msg, *len, &d->ids, text, sizeof text) == 0)
			return 1;
		cli_error("%s/new/%s: %s; moved to rejected/", d->dir, name, text);
		return reject(d, name);
	}
	const char *why = message_check(d->msg, *len, id, noack);
	return why ? refuse(d, name, why) : 1;
}

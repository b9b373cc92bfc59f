/* SPDX-License-Identifier: MIT */
/* input.c: read files or stdin in chunks and hand each message (lib/msgsplit unit) to a subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hl7cmd.h"
#include "msgsplit.h"

#define CHUNK (256 * 1024)
#define MAX_UNIT ((size_t)1 << 30) /* one message (or batch) may hold at most 1 GiB */

static char *buf;
static size_t cap;

/* Grow the buffer to hold at least need bytes; -1 when that is over MAX_UNIT. */
static int reserve(size_t need)
{
	size_t n = cap ? cap : CHUNK;
	char *p;

	if (need <= cap)
		return 0;
	if (need > MAX_UNIT + CHUNK)
		return -1;
	while (n < need)
		n *= 2;
	p = realloc(buf, n);
	if (!p) {
		report_plain(EX_SOFTWARE, "out of memory");
		exit(EX_OSERR);
	}
	buf = p;
	cap = n;
	return 0;
}

static void read_fd(int fd, const char *name, input_fn fn, void *ctx)
{
	struct msgsplit s;
	struct input_msg in = {.file = name};
	size_t have = 0, off = 0;
	int eof = 0;

	memset(&s, 0, sizeof s);
	for (;;) {
		struct hl7_span m;
		size_t used;
		enum msgsplit_event ev = msgsplit_next(&s, buf + off, have - off, eof, &m, &used);

		off += used;
		if (ev == MSGSPLIT_MESSAGE) {
			in.number++;
			in.p = m.p;
			in.len = m.len;
			in.flags = s.flags;
			fn(ctx, &in);
			continue;
		}
		if (ev == MSGSPLIT_END)
			return;
		/* need more: keep the unconsumed bytes at the front */
		memmove(buf, buf + off, have - off);
		have -= off;
		off = 0;
		if (have + CHUNK > cap && reserve(have + CHUNK) < 0) {
			in.number++;
			report(EX_DATAERR, &in,
			       "message larger than 1 GiB: rest of the file skipped");
			return;
		}
		ssize_t r = read(fd, buf + have, cap - have);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			report_plain(EX_IOERR, "%s: read: %s", name, strerror(errno));
			return;
		}
		if (r == 0)
			eof = 1;
		have += (size_t)r;
	}
}

enum hl7_batch_status batch_each(const struct input_msg *in, struct hl7_batch *b, input_fn fn,
				 void *ctx)
{
	struct input_msg sub = *in;
	enum hl7_batch_kind kind;
	struct hl7_span piece;
	size_t cursor = 0;

	if (hl7_batch_parse(b, in->p, in->len) != HL7_BATCH_OK)
		return b->status;
	sub.flags &= ~(unsigned)MSGSPLIT_BATCH;
	sub.batch = b;
	sub.batch_message = 0;
	sub.fhs = sub.bhs = (struct hl7_span){"", 0};
	while (hl7_batch_next(b, &cursor, &kind, &piece)) {
		switch (kind) {
		case HL7_BATCH_FHS: sub.fhs = piece; break;
		case HL7_BATCH_BHS: sub.bhs = piece; break;
		case HL7_BATCH_BTS: sub.bhs = (struct hl7_span){"", 0}; break;
		case HL7_BATCH_FTS: break;
		case HL7_BATCH_MESSAGE:
			sub.batch_message++;
			sub.p = piece.p;
			sub.len = piece.len;
			fn(ctx, &sub);
			break;
		}
	}
	return b->status;
}

void input_each(char **files, int nfiles, input_fn fn, void *ctx)
{
	if (reserve(CHUNK) < 0)
		return;
	if (nfiles == 0) {
		read_fd(0, "stdin", fn, ctx);
		return;
	}
	for (int i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0) {
			read_fd(0, "stdin", fn, ctx);
			continue;
		}
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			report_plain(EX_NOINPUT, "%s: %s", files[i], strerror(errno));
			continue;
		}
		read_fd(fd, files[i], fn, ctx);
		close(fd);
	}
}

/* SPDX-License-Identifier: MIT */
/* drain.c: forward a spool's new/ in arrival order; a file leaves new/ only after a positive ACK.
 */
#include "drainfs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "cli.h"
#include "selfpipe.h"

/* What to do with an ACK: move the file, or note that it must be retried. */
static void settle(struct drain *d, struct sess_ack *k)
{
	const char *name = k->f.label;

	print_result(d->cfg, k);
	if (k->a.positive) {
		drain_done_file(d, name);
	} else if (k->a.code[1] == 'R') {
		d->progress = 1;
		d->rejected = 1;
		if (drain_write_ack(d, name, k->raw, k->rawlen) < 0)
			drain_fs_error(d, "write rejected/ ACK", name);
		else if (drain_move(d, name, d->rejfd) < 0)
			drain_fs_error(d, "move to rejected/", name);
	} else {
		char plain[256], text[300];
		size_t n = hl7_unescape(&k->m.d, k->a.text, plain, sizeof plain);
		sanitise(text, sizeof text, plain, n < sizeof plain ? n : sizeof plain);
		cli_error("%s: %s: answered %s%s%s", d->cfg->target, name, k->a.code,
			  text[0] ? ": " : "", text);
		if (d->failed == FAIL_NONE) {
			d->failed = FAIL_NEGATIVE;
			snprintf(d->stuck, sizeof d->stuck, "%s", name);
		}
	}
}

/*
 * One result of a batch file: printed; the file is settled with the last
 * one, as a whole: to cur/ (or deleted) when every message got AA/CA; kept
 * in new/ to be sent again when one got AE/CE or no ACK; else (AR/CR) to
 * rejected/ with the answer as received.
 */
static void settle_batch(struct drain *d, struct sess_ack *k)
{
	const char *name = k->f.label;

	print_result(d->cfg, k);
	if (k->empty || k->noack) {
		/* a batch without messages answered without a NAK, or an ACK in it: nothing to
		 * settle but the file */
	} else if (k->missing) {
		d->batch_retry = 1;
	} else if (!k->a.positive && k->a.code[1] == 'R') {
		d->batch_reject = 1;
	} else if (!k->a.positive) {
		char id[80], plain[256], text[300];
		size_t n = hl7_unescape(&k->m.d, k->a.text, plain, sizeof plain);
		sanitise(text, sizeof text, plain, n < sizeof plain ? n : sizeof plain);
		sanitise(id, sizeof id, k->f.id, k->f.idlen);
		cli_error("%s: %s: %s answered %s%s%s", d->cfg->target, name, id, k->a.code,
			  text[0] ? ": " : "", text);
		d->batch_retry = 1;
	}
	if (!k->last)
		return;
	int retry = d->batch_retry, reject = d->batch_reject;
	d->batch_retry = d->batch_reject = 0;
	if (retry) {
		if (d->failed == FAIL_NONE) {
			d->failed = FAIL_NEGATIVE;
			snprintf(d->stuck, sizeof d->stuck, "%s", name);
		}
		return;
	}
	d->progress = 1;
	if (reject) {
		d->rejected = 1;
		if (drain_write_ack(d, name, k->frame, k->framelen) < 0)
			drain_fs_error(d, "write rejected/ ACK", name);
		else if (drain_move(d, name, d->rejfd) < 0)
			drain_fs_error(d, "move to rejected/", name);
	} else {
		drain_done_file(d, name);
	}
}

static void transport_failed(struct drain *d, enum sess_result r, const char *sending)
{
	snprintf(d->stuck, sizeof d->stuck, "%s", d->s.n > 0 ? d->s.q[0].label : sending);
	cli_error("%s: %s", d->cfg->target, d->s.why);
	session_close(&d->s);
	d->batch_retry = d->batch_reject = 0;
	d->failed = r == SESS_PROTOCOL ? FAIL_PROTOCOL : FAIL_TEMP;
}

/* Settle a message written that needs no ACK (enum noack): done, as an AA would make it. */
static void settle_noack(struct drain *d, const char *name, struct hl7_span id, enum noack n)
{
	print_noack(d->cfg, name, id, n);
	drain_done_file(d, name);
}

/* Send what drain_load() put in d->msg (a message, or the batch in d->ids): 0, or -1 when the pass
 * must stop. */
static int send_loaded(struct drain *d, const char *name, size_t len, struct hl7_span id,
		       enum noack noack)
{
	struct session *s = &d->s;

	/* An idle connection the peer has closed is replaced without counting a failure. */
	if (s->n == 0)
		session_peer_gone(s);
	if (!session_connected(s) && session_connect(s) < 0) {
		cli_error("%s: %s", d->cfg->target, s->why);
		snprintf(d->stuck, sizeof d->stuck, "%s", name);
		d->failed = FAIL_CONNECT;
		return -1;
	}
	enum sess_result sr;
	if (d->stream_fd >= 0) {
		sr = session_send_fd(s, d->stream_fd, d->file, SEND_STREAM_CHUNK, id, name, 0,
				     noack);
		close(d->stream_fd);
		d->stream_fd = -1;
	} else {
		sr = d->ids.batch ? session_send_batch(s, d->msg, len, &d->ids, name, 0)
				  : session_send(s, d->msg, len, id, name, 0, noack);
	}
	if (sr == SESS_FILE) {
		cli_error("%s/new/%s: read: %s", d->dir, name, s->why);
		session_close(s);
		d->fatal = EX_IOERR;
		return -1;
	}
	if (sr != SESS_OK) {
		transport_failed(d, sr, name);
		return -1;
	}
	if (!d->ids.batch && noack != NOACK_NO)
		settle_noack(d, name, id, noack);
	if (batch_unanswered(&d->ids)) {
		for (size_t i = 0; i < d->ids.n; i++)
			print_noack(d->cfg, name, d->ids.id[i], NOACK_ACK);
		drain_done_file(d, name);
	}
	return 0;
}

/*
 * One pass over the listing: send in order, at most window in flight, settle
 * each ACK.  A batch file goes alone: after the ACKs due, and nothing is sent
 * before its whole answer is in.
 */
static void pass(struct drain *d)
{
	size_t next = 0;
	struct session *s = &d->s;

	d->failed = FAIL_NONE;
	d->progress = 0;
	d->held = 0;
	while (!d->fatal) {
		int go = !selfpipe_stop && d->failed == FAIL_NONE && !session_batch_busy(s);
		if (go && d->held && s->n == 0) {
			d->held = 0;
			if (send_loaded(d, d->held_name, d->held_len, (struct hl7_span){"", 0},
					NOACK_NO) < 0)
				break;
			continue;
		}
		if (go && !d->held && next < d->count && s->n < d->cfg->window) {
			size_t len;
			struct hl7_span id;
			enum noack noack = NOACK_NO;
			const char *name = d->names[next];
			int r = drain_load(d, name, &len, &id, &noack);
			if (r < 0)
				break;
			next++;
			if (r == 0)
				continue;
			if (d->ids.batch && s->n > 0) {
				d->held = 1;
				d->held_len = len;
				d->held_name = name;
				continue;
			}
			if (send_loaded(d, name, len, id, noack) < 0)
				break;
			continue;
		}
		if (s->n == 0)
			break;
		struct sess_ack k;
		enum sess_result r = session_wait(s, &k);
		if (r != SESS_OK) {
			transport_failed(d, r, "");
			break;
		}
		if (k.batch)
			settle_batch(d, &k);
		else
			settle(d, &k);
		flight_free(&k.f);
	}
}

/* Sleep ms, or less when a stop is requested. */
static void pause_ms(long long ms)
{
	long long end = monotime_ms() + ms;
	while (!selfpipe_stop) {
		long long left = end - monotime_ms();
		if (left <= 0)
			break;
		struct pollfd p = {.fd = selfpipe_fd, .events = POLLIN};
		poll(&p, selfpipe_fd >= 0 ? 1 : 0, (int)(left < 60000 ? left : 60000));
	}
}

/* --watch with nothing to send: wait for a new file, a stop, or the peer going away. */
static void idle(struct drain *d)
{
	struct pollfd p[3];
	nfds_t n = 0;
	char evbuf[4096];

	if (selfpipe_fd >= 0)
		p[n++] = (struct pollfd){.fd = selfpipe_fd, .events = POLLIN};
	if (d->ino >= 0)
		p[n++] = (struct pollfd){.fd = d->ino, .events = POLLIN};
	if (session_connected(&d->s))
		p[n++] = (struct pollfd){.fd = d->s.conn.fd, .events = POLLIN};
	/* inotify wakes us at once; the timeout only re-lists in case an event was missed (or
	 * without inotify). */
	if (selfpipe_stop || poll(p, n, d->ino >= 0 ? 5000 : 500) <= 0)
		return;
	for (nfds_t i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == d->ino || p[i].fd == selfpipe_fd) {
			ssize_t r = read(p[i].fd, evbuf, sizeof evbuf);
			(void)r;
		} else {
			session_peer_gone(&d->s);
		}
	}
}

static int setup(struct drain *d, const struct config *cfg)
{
	memset(d, 0, sizeof *d);
	d->cfg = cfg;
	d->dir = cfg->drain_dir;
	d->dirfd = d->newfd = d->curfd = d->rejfd = d->ino = d->stream_fd = -1;
	const char *what = d->dir;
	if (mkdir(d->dir, 0750) < 0 && errno != EEXIST)
		goto fail;
	if ((d->dirfd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	what = "new";
	if ((d->newfd = drain_open_sub(d, "new")) < 0)
		goto fail;
	what = "cur";
	if ((d->curfd = drain_open_sub(d, "cur")) < 0)
		goto fail;
	what = "rejected";
	if ((d->rejfd = drain_open_sub(d, "rejected")) < 0)
		goto fail;
	/* One drainer per spool: two would send every message twice.  The kernel drops the lock
	 * with the process. */
	if (flock(d->dirfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			cli_error("--drain %s: another process is draining it", d->dir);
			return EX_TEMPFAIL;
		}
		what = "lock";
		goto fail;
	}
#ifdef __linux__
	if (cfg->watch) {
		char path[4096];
		snprintf(path, sizeof path, "%s/new", d->dir);
		d->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (d->ino >= 0 &&
		    inotify_add_watch(d->ino, path, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
			close(d->ino);
			d->ino = -1;
		}
	}
#endif
	d->file = malloc(SEND_MAX_MESSAGE + 1);
	d->msg = malloc(SEND_MAX_MESSAGE + 1);
	if (!d->file || !d->msg || session_init(&d->s, cfg) < 0) {
		cli_error("%s", strerror(ENOMEM));
		return EX_OSERR;
	}
	return 0;
fail:
	cli_error("--drain %s: %s: %s", d->dir, what, strerror(errno));
	return errno == ENOENT || errno == EACCES || errno == ENOTDIR ? EX_NOINPUT : EX_IOERR;
}

static void teardown(struct drain *d)
{
	drain_free_names(d);
	if (d->s.ackbuf) {
		session_finish(&d->s);
		session_free(&d->s);
	}
	free(d->file);
	free(d->msg);
	batch_ids_free(&d->ids);
	int fds[] = {d->dirfd, d->newfd, d->curfd, d->rejfd, d->ino, d->stream_fd};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int drain_spool(const struct config *cfg)
{
	struct drain d;
	long retries = 0;
	int rc = setup(&d, cfg);

	if (rc == 0)
		selfpipe_catch_stop();
	while (rc == 0 && !selfpipe_stop) {
		if (drain_list_new(&d) < 0) {
			cli_error("--drain %s: new: %s", d.dir, strerror(errno));
			rc = EX_IOERR;
			break;
		}
		if (d.count == 0) {
			if (!cfg->watch)
				break;
			idle(&d);
			continue;
		}
		pass(&d);
		if (d.fatal) {
			rc = d.fatal;
			break;
		}
		/* A settled message ends a run of failures: the back-off starts over. */
		if (d.progress)
			retries = 0;
		if (d.failed == FAIL_NONE)
			continue;
		if (cfg->retry_max >= 0 && retries >= cfg->retry_max) {
			cli_error("--drain %s: giving up after %ld retr%s: %s stays in new/", d.dir,
				  retries, retries == 1 ? "y" : "ies", d.stuck);
			rc = d.failed == FAIL_CONNECT	 ? EX_UNAVAILABLE
			     : d.failed == FAIL_PROTOCOL ? EX_PROTOCOL
							 : EX_TEMPFAIL;
			break;
		}
		/* Exponential back-off from --retry-delay, capped at --retry-max-delay. */
		double delay = cfg->retry_delay;
		for (long i = 0; i < retries && delay < cfg->retry_max_delay; i++)
			delay *= 2;
		if (delay > cfg->retry_max_delay)
			delay = cfg->retry_max_delay;
		retries++;
		cli_error("%s: retry %ld in %g s", cfg->target, retries, delay);
		pause_ms((long long)(delay * 1000 + 0.5));
	}
	if (rc == 0 && !cfg->watch)
		rc = d.refused ? EX_DATAERR : d.rejected ? EXIT_NEGATIVE : 0;
	teardown(&d);
	return rc;
}

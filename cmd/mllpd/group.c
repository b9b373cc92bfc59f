/* SPDX-License-Identifier: MIT */
/* group.c: group commit for the durable spool: the blocks of each read staged as a batch, batches
 * flushed by threads at once, answers in order. */
#define _GNU_SOURCE /* pipe2 */
#include "group.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* At most GROUP_MAX blocks a batch, GROUP_BYTES in all, each at most GROUP_FRAME_MAX bytes (a
 * larger one goes alone): a connection holds at most SLOTS * GROUP_BYTES of frames, 1.25 MiB.
 * A batch is the frames one read completes; with conn.c's 64 KiB reads that is under 128 KiB,
 * and group_add keeps the bound whatever the read size. */
#define GROUP_MAX 64
#define GROUP_BYTES (256 * 1024)
#define GROUP_FRAME_MAX 65536
/*
 * Batches flushed at once, each by a thread of its own.  One thread
 * flushing one batch at a time leaves the journal idle while the next
 * batch is read and staged, and makes every batch wait for two commits
 * in turn (its files, then its renames); with several, one batch's
 * renames share a commit with the next one's files.  make bench, "1 conn
 * x 64 in flight" (vs 8 x 8), ext4 in RAM, rounds of five: the main thread
 * alone 0.75-0.82, two threads 0.77-0.90, four 0.84-0.92, eight no better.
 */
#define FLUSHERS 4
#define SLOTS (FLUSHERS + 1) /* and the batch being staged */

struct member {
	struct block k;
	char *data; /* a copy of the frame in the batch's buf: the framer reuses its buffer */
	int staged; /* its file is st[staged]; -1: nothing to make durable */
};

enum state { QUEUED, FLUSHING, DONE };

struct batch {
	struct member m[GROUP_MAX];
	struct spool_staged st[GROUP_MAX];
	char *buf; /* GROUP_BYTES, made when first needed: the members' frames */
	size_t n, nst, used;
	unsigned long long ticket; /* its turn to rename: batches rename in the order read */
	enum state state;
	int err; /* errno of the step that failed, or 0 */
};

/*
 * The submitted batches, oldest first, are b[head], ...,
 * b[(head + len - 1) % SLOTS]; the main thread stages into cur (the slot
 * after them, or NULL).  Under mu: head, len, each submitted batch's state
 * and err, turn, stop.  A batch's members and files belong to the main
 * thread until it is submitted and again once it is DONE; in between, to
 * the flusher that took it.  The flushers use the spool's directory
 * descriptors only, which the main thread leaves open meanwhile (sink.h).
 */
struct group {
	struct batch b[SLOTS];
	struct batch *cur;
	size_t head, len;
	struct spool *spool;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* broadcast on every change: work, a turn, a batch done, stop */
	unsigned long long tickets, turn;
	pthread_t th[FLUSHERS];
	size_t threads; /* none (not yet, or could not be made): the main thread flushes */
	int tried;	/* threads made, or tried */
	int done[2];	/* a byte written as each batch is done: group_fd() */
	int stop;
};

int group_wanted(const struct config *cfg)
{
	return cfg->spool_dir && !cfg->no_fsync && !cfg->exec_cmd && !cfg->dedupe_window;
}

int group_open(struct receiver *r)
{
	struct group *g = calloc(1, sizeof *g);
	if (!g)
		return -1;
	if (pipe2(g->done, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(g);
		return -1;
	}
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->spool = &r->sinks.spool;
	r->group = g;
	return 0;
}

/* One batch: its files made durable, renamed into new/ in its turn, new/ and tmp/ synced; by a
 * flusher, which then says so on the done pipe, or by the main thread (notify 0). */
static void flush_batch(struct group *g, struct batch *b, int notify)
{
	int err = 0;

	if (spool_group_flush(g->spool, b->st, b->nst) < 0)
		err = errno;
	pthread_mutex_lock(&g->mu);
	while (g->turn != b->ticket)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	if (!err && spool_group_rename(g->spool, b->st, b->nst) < 0)
		err = errno;
	pthread_mutex_lock(&g->mu);
	g->turn++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	if (!err && spool_group_sync(g->spool, b->st, b->nst) < 0)
		err = errno;
	pthread_mutex_lock(&g->mu);
	b->err = err;
	b->state = DONE;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	if (notify)
		(void)!write(g->done[1], "", 1);
}

/* The oldest batch no flusher has taken, or NULL; under mu.  Taken oldest first, a batch waiting
 * for its turn to rename waits only for batches already taken. */
static struct batch *queued(struct group *g)
{
	for (size_t i = 0; i < g->len; i++) {
		struct batch *b = &g->b[(g->head + i) % SLOTS];
		if (b->state == QUEUED)
			return b;
	}
	return NULL;
}

static void *flusher(void *arg)
{
	struct group *g = arg;
	struct batch *b;

	pthread_mutex_lock(&g->mu);
	for (;;) {
		if ((b = queued(g))) {
			b->state = FLUSHING;
			pthread_mutex_unlock(&g->mu);
			flush_batch(g, b, 1);
			pthread_mutex_lock(&g->mu);
		} else if (g->stop) {
			break;
		} else {
			pthread_cond_wait(&g->cv, &g->mu);
		}
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* The flushers, with every signal blocked: SIGTERM and the rest go to the main thread.  Those
 * that cannot be made are done without: with none, the main thread flushes each batch itself. */
static void start_flushers(struct group *g)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (g->threads < FLUSHERS && pthread_create(&g->th[g->threads], NULL, flusher, g) == 0)
		g->threads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Hand the batch being staged to the flushers.  A batch of one block with
 * none in flight (a synchronous sender) is flushed by the main thread
 * itself: there is nothing to overlap with it, and handing it to a thread
 * and back costs a fifth of its rate (make bench, "durable spool, 1
 * connection": 2,950 msg/s here against 2,400 by a thread, 2-core VM).
 * The threads are made when first needed.
 */
static void submit(struct group *g)
{
	struct batch *b = g->cur;

	if (!b || !b->n)
		return;
	int here = b->n == 1 && g->len == 0;
	if (!here && !g->threads && !g->tried) {
		g->tried = 1;
		start_flushers(g);
	}
	here = here || !g->threads;
	g->cur = NULL;
	pthread_mutex_lock(&g->mu);
	b->ticket = g->tickets++;
	b->state = here ? FLUSHING : QUEUED;
	g->len++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	if (here)
		flush_batch(g, b, 0);
}

/* The back half of each block of a batch done, in order: outcome, answer, log.  0, or -1 when
 * the connection must end. */
static int answer(struct receiver *r, struct batch *b)
{
	struct outcome o;
	int rc = 0;

	sink_committed(&r->sinks, b->err, &o);
	for (size_t i = 0; i < b->n; i++) {
		struct member *m = &b->m[i];
		if (m->staged >= 0)
			m->k.o = o;
		if (block_end(r, &m->k) < 0)
			rc = -1;
	}
	b->n = b->nst = 0;
	return rc;
}

enum { DONE_ONLY, ONE_SLOT, ALL };

/* Answer the oldest batches: those done (DONE_ONLY), waiting for the oldest when every slot is
 * taken (ONE_SLOT), or all of them (ALL).  0, or -1 as answer(). */
static int answer_done(struct receiver *r, int how)
{
	struct group *g = r->group;
	char sink[64];
	int rc = 0;

	/* Nothing to drain (a system call saved a message) when no flusher was ever made. */
	while (g->threads && read(g->done[0], sink, sizeof sink) > 0)
		continue;
	for (;;) {
		pthread_mutex_lock(&g->mu);
		if (g->len == 0 || (how == ONE_SLOT && g->len < SLOTS) ||
		    (how == DONE_ONLY && g->b[g->head].state != DONE)) {
			pthread_mutex_unlock(&g->mu);
			return rc;
		}
		struct batch *b = &g->b[g->head];
		while (b->state != DONE)
			pthread_cond_wait(&g->cv, &g->mu);
		pthread_mutex_unlock(&g->mu);
		if (answer(r, b) < 0)
			rc = -1;
		pthread_mutex_lock(&g->mu);
		g->head = (g->head + 1) % SLOTS;
		g->len--;
		pthread_mutex_unlock(&g->mu);
	}
}

/* The batch to stage into: the open one, or a free slot (answering the oldest batch first when
 * none is free).  -1 as answer(). */
static int open_batch(struct receiver *r)
{
	struct group *g = r->group;
	int rc = 0;

	if (g->cur)
		return 0;
	rc = answer_done(r, ONE_SLOT);
	g->cur = &g->b[(g->head + g->len) % SLOTS];
	g->cur->n = g->cur->nst = g->cur->used = 0;
	return rc;
}

void group_close(struct receiver *r)
{
	struct group *g = r->group;
	if (!g)
		return;
	/* The flushers finish what they took or were given; unanswered batches stay unanswered. */
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	for (size_t i = 0; i < g->threads; i++)
		pthread_join(g->th[i], NULL);
	if (g->cur)
		for (size_t i = 0; i < g->cur->nst; i++)
			spool_discard(g->spool, &g->cur->st[i]);
	for (size_t s = 0; s < SLOTS; s++)
		free(g->b[s].buf);
	close(g->done[0]);
	close(g->done[1]);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
	r->group = NULL;
}

/* The front half: copy, validate, check, and write an accepted block to tmp/. */
static int stage(struct receiver *r, const char *data, size_t len, size_t size)
{
	struct batch *b = r->group->cur;
	struct member *m = &b->m[b->n];

	if (!b->buf && !(b->buf = malloc(GROUP_BYTES)))
		return -1;
	m->data = b->buf + b->used;
	memcpy(m->data, data, len);
	b->used += len;
	b->n++;
	m->staged = -1;
	block_begin(r, &m->k, m->data, len, NULL, size);
	if (m->k.o.what != ACK_OUTCOME_ACCEPT || m->k.duplicate)
		return 0;
	if (sink_stage(&r->sinks, m->data, len, &b->st[b->nst], &m->k.o) == 0)
		m->staged = (int)b->nst++;
	return 0;
}

int group_add(struct receiver *r, const char *data, size_t len, const char *refusal, size_t size)
{
	struct group *g = r->group;
	int rc = 0;

	if (refusal || len > GROUP_FRAME_MAX) {
		if (group_finish(r) < 0)
			return -1;
		return block_handle(r, data, len, refusal, size);
	}
	/* A failed step left the spool stale: the groups in flight, which use it, are answered
	 * before stage() opens it afresh (sinks_spool_ready()). */
	if (r->sinks.spool_stale && group_finish(r) < 0)
		return -1;
	if (g->cur && g->cur->used + len > GROUP_BYTES)
		submit(g); /* full: this one starts the next batch */
	if (open_batch(r) < 0)
		rc = -1;
	if (stage(r, data, len, size) < 0) {
		/* Out of memory for the copy: the ones before are answered, this one alone. */
		if (group_finish(r) < 0)
			return -1;
		return block_handle(r, data, len, NULL, size);
	}
	if (g->cur->n == GROUP_MAX)
		submit(g);
	return rc;
}

int group_commit(struct receiver *r)
{
	submit(r->group);
	return answer_done(r, DONE_ONLY);
}

int group_finish(struct receiver *r)
{
	submit(r->group);
	return answer_done(r, ALL);
}

int group_fd(const struct receiver *r)
{
	return r->group && r->group->len ? r->group->done[0] : -1;
}

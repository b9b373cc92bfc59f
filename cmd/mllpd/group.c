/* SPDX-License-Identifier: MIT */
/* group.c: group commit for the durable spool: stage every block of a read, one pass of flushes,
 * then the answers in order. */
#include "group.h"

#include <stdlib.h>
#include <string.h>

/* At most this many blocks, each at most GROUP_FRAME_MAX bytes (a larger one goes alone). */
#define GROUP_MAX 64
#define GROUP_FRAME_MAX 65536

struct member {
	struct block k;
	char *data; /* a copy of the frame: the framer reuses its buffer */
	size_t room;
	int staged; /* its file is st[staged]; -1: nothing to make durable */
};

struct group {
	struct member m[GROUP_MAX];
	struct spool_staged st[GROUP_MAX];
	size_t n, nst;
};

int group_wanted(const struct config *cfg)
{
	return cfg->spool_dir && !cfg->no_fsync && !cfg->exec_cmd && !cfg->dedupe_window;
}

int group_open(struct receiver *r)
{
	r->group = calloc(1, sizeof *r->group);
	return r->group ? 0 : -1;
}

void group_close(struct receiver *r)
{
	struct group *g = r->group;
	if (!g)
		return;
	for (size_t i = 0; i < g->nst; i++)
		spool_discard(&r->sinks.spool, &g->st[i]);
	for (size_t i = 0; i < GROUP_MAX; i++)
		free(g->m[i].data);
	free(g);
	r->group = NULL;
}

/* The front half: copy, validate, check, and write an accepted block to tmp/. */
static int stage(struct receiver *r, const char *data, size_t len, size_t size)
{
	struct group *g = r->group;
	struct member *m = &g->m[g->n];

	if (m->room < len || !m->data) {
		char *p = realloc(m->data, len ? len : 1);
		if (!p)
			return -1;
		m->data = p;
		m->room = len;
	}
	memcpy(m->data, data, len);
	g->n++;
	m->staged = -1;
	block_begin(r, &m->k, m->data, len, NULL, size);
	if (m->k.o.what != ACK_OUTCOME_ACCEPT || m->k.duplicate)
		return 0;
	if (sink_stage(&r->sinks, m->data, len, &g->st[g->nst], &m->k.o) == 0)
		m->staged = (int)g->nst++;
	return 0;
}

int group_add(struct receiver *r, const char *data, size_t len, const char *refusal, size_t size)
{
	if (refusal || len > GROUP_FRAME_MAX) {
		if (group_commit(r) < 0)
			return -1;
		return block_handle(r, data, len, refusal, size);
	}
	if (stage(r, data, len, size) < 0) {
		/* Out of memory for the copy: the ones before are answered, this one alone. */
		if (group_commit(r) < 0)
			return -1;
		return block_handle(r, data, len, NULL, size);
	}
	return r->group->n == GROUP_MAX ? group_commit(r) : 0;
}

int group_commit(struct receiver *r)
{
	struct group *g = r->group;
	struct outcome o;
	int rc = 0;

	if (g->n == 0)
		return 0;
	sink_commit_group(&r->sinks, g->st, g->nst, &o);
	for (size_t i = 0; i < g->n; i++) {
		struct member *m = &g->m[i];
		if (m->staged >= 0)
			m->k.o = o;
		if (block_end(r, &m->k) < 0)
			rc = -1;
	}
	g->n = g->nst = 0;
	return rc;
}

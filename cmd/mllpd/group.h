/* SPDX-License-Identifier: MIT */
/* group.h: group commit for the durable spool: the blocks of one read are made durable together,
 * then answered in order. */
#ifndef MLLPD_GROUP_H
#define MLLPD_GROUP_H

#include <stddef.h>

#include "block.h"

/*
 * With --spool alone and its fsyncs (no --exec, no --dedupe, no
 * --no-fsync), a pipelining sender's messages need not wait for each
 * other's flushes: the connection loop gives every complete frame of a
 * read to group_add(), which runs the front half of the pipeline on it
 * (block_begin()) and writes an accepted one to tmp/; group_commit() hands
 * the read's batch to flusher threads, which make it durable in new/ with
 * one pass of flushes while the next read is staged (several batches at
 * once; their renames in the order read, so new/ gains files in name
 * order).  As each batch is done, in order, the back half of each of its
 * blocks runs (block_end(): answer, log).  No answer is built before the
 * flush that covers its message, nor before the answers of the messages
 * read before it; when a flush fails, every message of its batch is
 * answered AE and none is in new/.
 */
struct group;

/* 1 when cfg asks for what group commit gives (see above). */
int group_wanted(const struct config *cfg);

/* A group for r (r->group); 0, or -1 (out of memory).  group_close() waits for the flushers to
 * finish what they were given and leaves unanswered what group_finish() did not answer. */
int group_open(struct receiver *r);
void group_close(struct receiver *r);

/*
 * One block (arguments as block_handle()) into r's batch; a large or
 * refused frame waits for every batch and goes through block_handle()
 * alone, and a full batch is handed over.  Returns 0, or -1 when the
 * connection must end (as block_handle()).
 */
int group_add(struct receiver *r, const char *data, size_t len, const char *refusal, size_t size);

/* Hand the batch read to the flushers, and append the answers of the batches done, in order.
 * 0, or -1 as above. */
int group_commit(struct receiver *r);

/* Wait for every batch and append all their answers.  0, or -1 as above. */
int group_finish(struct receiver *r);

/* While batches are being flushed, a descriptor that becomes readable as each is done (then call
 * group_commit()); else -1. */
int group_fd(const struct receiver *r);

#endif

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
 * other's flushes: the connection loop gives every complete frame of one
 * read to group_add(), which runs the front half of the pipeline on it
 * (block_begin()) and writes an accepted one to tmp/; group_commit() then
 * makes them all durable in new/ with one pass of flushes
 * (sink_commit_group()) and runs the back half of each in order
 * (block_end(): answer, log).  No answer is built before the flush that
 * covers its message; when that flush fails, every message of the group
 * is answered AE and none is in new/.
 */
struct group;

/* 1 when cfg asks for what group commit gives (see above). */
int group_wanted(const struct config *cfg);

/* A group for r (r->group); 0, or -1 (out of memory). */
int group_open(struct receiver *r);
void group_close(struct receiver *r);

/*
 * One block (arguments as block_handle()) into r's group; a large or
 * refused frame commits the group first and goes through block_handle()
 * alone, and a full group is committed.  Returns 0, or -1 when the
 * connection must end (as block_handle()).
 */
int group_add(struct receiver *r, const char *data, size_t len, const char *refusal, size_t size);

/* Make the group durable and append the answers of its blocks in order.  0, or -1 as above. */
int group_commit(struct receiver *r);

#endif

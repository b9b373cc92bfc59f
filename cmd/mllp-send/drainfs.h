/* SPDX-License-Identifier: MIT */
/* drainfs.h: the spool side of --drain: the state of a drain, reading new/, moving files out. */
#ifndef MLLP_SEND_DRAINFS_H
#define MLLP_SEND_DRAINFS_H
#include "mllp-send.h"

/* Why the last attempt failed, for the back-off and the exit status on giving up. */
enum failure { FAIL_NONE, FAIL_CONNECT, FAIL_NEGATIVE, FAIL_TEMP, FAIL_PROTOCOL };

struct drain {
	const struct config *cfg;
	const char *dir;
	int dirfd, newfd, curfd, rejfd, ino;
	struct session s;
	char *file, *msg; /* SEND_MAX_MESSAGE + 1 bytes each */
	char **names;
	size_t count;
	int progress; /* a message was settled (ACKed AA/CA/AR/CR) during this pass */
	int refused;  /* a file that is not HL7 was moved to rejected/ */
	int rejected; /* a message was answered AR/CR */
	int fatal;    /* an exit status that ends the drain now */
	enum failure failed;
	char stuck[256];      /* the file a failure left in new/ */
	struct batch_ids ids; /* the batch loaded in d->msg (ids.batch), or none */
	int stream_fd; /* the message file too large to hold, loaded: sent from here; else -1 */
	int held;      /* d->msg holds a batch loaded while ACKs were due: send it next */
	size_t held_len;
	const char *held_name;
	int batch_retry;  /* a message of the batch in flight got AE/CE or no ACK */
	int batch_reject; /* a message of the batch in flight got AR/CR */
};

/* The subdirectory NAME of the spool, made when missing: an fd, or -1. */
int drain_open_sub(struct drain *d, const char *name);
/* fsync a directory, unless --no-fsync. */
void drain_sync_dir(const struct drain *d, int fd);
void drain_free_names(struct drain *d);
/* The names in new/, sorted into d->names: mllpd's names start with the arrival time, so this is
 * arrival order.  0, or -1 with errno. */
int drain_list_new(struct drain *d);
/* Move new/NAME to the directory tofd, then make both directories durable. */
int drain_move(struct drain *d, const char *name, int tofd);
/* rejected/NAME.ack, written whole (tmp, fsync, rename) before the message moves beside it. */
int drain_write_ack(struct drain *d, const char *name, const char *ack, size_t len);
/* Report a failed file operation (errno) on NAME; the drain ends with EX_IOERR. */
void drain_fs_error(struct drain *d, const char *what, const char *name);
/* A file delivered (AA, CA, or sent needing no ACK): to cur/, or deleted with --delete. */
void drain_done_file(struct drain *d, const char *name);
/*
 * Prepare new/NAME for sending: 1 ready (d->msg, *len, *id, *noack; a
 * batch: d->ids.batch; too large to hold: d->stream_fd), 0 skip it, -1 fatal.
 */
int drain_load(struct drain *d, const char *name, size_t *len, struct hl7_span *id,
	       enum noack *noack);
#endif

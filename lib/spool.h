/* SPDX-License-Identifier: MIT */
/* spool.h: maildir-style durable writer (tmp/, fsync, rename into new/). */
#ifndef MLLPD_SPOOL_H
#define MLLPD_SPOOL_H

#include <stddef.h>

#define SPOOL_NO_FSYNC 0x01

/* Longest file name spool_commit() makes, with its NUL. */
#define SPOOL_NAME_MAX 64

/* Age after which a file in tmp/ is a crash's leftover (maildir: 36 hours). */
#define SPOOL_TMP_MAX_AGE (36L * 60 * 60)

struct spool {
	int dirfd, tmpfd, newfd, failedfd; /* open directories */
	int nextfd;		       /* the next message's file in tmp/, opened ahead; -1: none */
	char nextname[SPOOL_NAME_MAX]; /* its name in tmp/ */
	unsigned flags;
	unsigned long seq;    /* per-process sequence number: the last name given */
	unsigned long tmpseq; /* the same for names in tmp/ */
	int pid;	      /* stamped in names; set by spool_open */
};

/*
 * Open (creating when missing, mode 0750 under the umask) dir and its tmp/,
 * new/, cur/ and failed/.  A directory it creates is fsynced into its parent
 * (dir's parent, then dir for the four) unless SPOOL_NO_FSYNC; when such an
 * fsync fails, what this call created is removed again.  Returns 0, or -1
 * with errno set (*what names the part that failed: dir itself, also for a
 * failed fsync, or "tmp", "new", ...).  The descriptors are close-on-exec.
 */
int spool_open(struct spool *s, const char *dir, unsigned flags, const char **what);

/*
 * Write data durably: a file in tmp/, fsync, rename to new/NAME, fsync new/
 * and tmp/ (no fsyncs with SPOOL_NO_FSYNC).  NAME is unique, sortable by
 * arrival time (it is made at the rename), ends in ".hl7" and holds nothing
 * from the data; its sequence number is 1 for the first commit of the
 * struct, 2 for the next, whether spool_prepare() was called or not.  It
 * is stored in name (SPOOL_NAME_MAX bytes).  Uses the file
 * spool_prepare() opened, else opens one.  Returns 0, or -1 with errno
 * set; on failure nothing is left in new/ or tmp/.
 */
int spool_commit(struct spool *s, const char *data, size_t len, char *name);

/*
 * spool_commit() in two steps, for a sink that must accept a message before
 * any reader of new/ may see it (--spool with --exec):
 *
 * spool_stage() writes data durably (write, fsync) to a file in tmp/, whose
 * name it stores in tmpname (SPOOL_NAME_MAX bytes).  Returns 0, or -1 with
 * errno set (nothing is left in tmp/).
 *
 * spool_publish() renames tmp/TMPNAME to new/NAME (a name made now, sorting
 * by arrival, stored in name) and fsyncs new/ and tmp/.  Returns 0, or -1
 * with errno set: the file is then back in tmp/ (or gone), never in new/,
 * and name is empty.
 *
 * spool_reject() moves tmp/TMPNAME to failed/NAME (name made now) and
 * fsyncs failed/ and tmp/.  Returns 0, or -1 with errno set: name is empty
 * when the file is still in tmp/ (the rename failed), else it names the
 * file in failed/, there but not known to be durable.
 *
 * Without SPOOL_NO_FSYNC, a file is durable in tmp/ when spool_stage()
 * returns; a crash before spool_publish() leaves it in tmp/, where readers
 * never look and spool_clean_tmp() removes it after SPOOL_TMP_MAX_AGE.
 */
int spool_stage(struct spool *s, const char *data, size_t len, char *tmpname);
int spool_publish(struct spool *s, const char *tmpname, char *name);
int spool_reject(struct spool *s, const char *tmpname, char *name);

/*
 * Group commit: several messages made durable by one pass of flushes
 * (--spool alone, a pipelining sender).
 *
 * spool_write() writes data to a file in tmp/ (the one spool_prepare()
 * opened, else a new one) and keeps it open in *st, not yet durable; it
 * also makes the file's name in new/ (st->name, sorting by arrival).
 * Returns 0, or -1 with errno set (nothing is left in tmp/).
 *
 * spool_commit_group() makes st[0..n) durable and visible together, in
 * three steps a caller may also take one by one:
 *   spool_group_flush()   fdatasync and close each file;
 *   spool_group_rename()  rename each into new/, in order;
 *   spool_group_sync()    fsync new/ and tmp/ once.
 * (No flushes with SPOOL_NO_FSYNC.)  Each step returns 0, or -1 with
 * errno set, and then none of the group's files is in new/ or tmp/ (those
 * renamed are taken back and removed), every name is empty and the caller
 * takes no further step.  The descriptors are closed after the first step
 * either way.  Only the rename touches what other groups see, so groups of
 * one spool may be flushed and synced from several threads at once, as
 * long as their renames run one group at a time, in the order their
 * spool_write() calls were made: new/ then gains files in name order.
 *
 * spool_discard() closes and removes a file spool_write() left in tmp/.
 */
struct spool_staged {
	int fd;			      /* open until spool_group_flush(); -1 after */
	char tmpname[SPOOL_NAME_MAX]; /* in tmp/ */
	char name[SPOOL_NAME_MAX];    /* in new/, once renamed; "" after a failure */
};

int spool_write(struct spool *s, const char *data, size_t len, struct spool_staged *st);
int spool_commit_group(struct spool *s, struct spool_staged *st, size_t n);
int spool_group_flush(struct spool *s, struct spool_staged *st, size_t n);
int spool_group_rename(struct spool *s, struct spool_staged *st, size_t n);
int spool_group_sync(struct spool *s, struct spool_staged *st, size_t n);
void spool_discard(struct spool *s, struct spool_staged *st);

/*
 * Open the next message's file in tmp/ ahead of time, so that the next
 * spool_commit() only writes, closes and renames: a caller calls it while
 * it waits for input, taking the file creation off the time between a
 * message and its answer.  Does nothing when a file is already open.  The
 * file stays empty in tmp/ until used; spool_close() removes it, and a file
 * removed meanwhile (by spool_clean_tmp() elsewhere) is replaced at commit.
 * Returns 0, or -1 with errno set (spool_commit() then opens its own).
 */
int spool_prepare(struct spool *s);

/*
 * Move new/NAME to failed/NAME, for a message that was spooled but then
 * answered negatively (a later sink failed), then fsync failed/ and new/
 * (not with SPOOL_NO_FSYNC).  Returns 0, or -1 with errno set when the
 * rename or an fsync failed (after a failed fsync the file is in failed/,
 * not known to be durably so).
 */
int spool_fail(struct spool *s, const char *name);

/*
 * Remove the regular files in tmp/ last modified more than max_age seconds
 * ago: what a writer killed mid-write left behind (the maildir rule: readers
 * ignore tmp/, a cleaner removes files older than 36 hours, so a file still
 * being written is never touched).  Symbolic links and directories are left
 * alone.  Returns the number removed, or -1 with errno set when tmp/ cannot
 * be read; a file that cannot be removed is skipped.
 */
int spool_clean_tmp(struct spool *s, long max_age);

/* Close the directories; remove the file spool_prepare() left unused. */
void spool_close(struct spool *s);

/* ---- Readers and tools: a state directory's files, a move between states ---- */

/* The regular files of a state directory (new/, cur/, failed/), sorted by name. */
struct spool_list {
	char **names; /* NUL-terminated, owned; NULL when count is 0 */
	size_t count;
};

/*
 * List the directory dirfd (read through a descriptor of its own; dirfd
 * stays open and is not moved): the names of its regular files, sorted by
 * strcmp, which for names spool_commit() made is arrival order.  Names
 * starting with '.', symbolic links, directories and other kinds are left
 * out.  Returns 0, or -1 with errno set (l is then empty).  Free with
 * spool_list_free().
 */
int spool_list(int dirfd, struct spool_list *l);
void spool_list_free(struct spool_list *l);

/* Room spool_move() needs for the name it chose: strlen(name) + SPOOL_MOVE_EXTRA. */
#define SPOOL_MOVE_EXTRA 8

/*
 * Move the file fromfd/NAME into the directory tofd, never replacing a file
 * there: under NAME, or when that is taken under NAME with ".rN" (N = 1 to
 * 999) inserted before a final ".hl7" (else appended), which sorts right
 * after NAME.  The name chosen is stored in out (outcap bytes, at least
 * strlen(name) + SPOOL_MOVE_EXTRA).  Then tofd and fromfd are fsynced, in
 * that order, so that whatever a crash keeps the file is in one of them
 * (none with SPOOL_NO_FSYNC: the caller syncs both once after many moves).
 * Linux renameat2(RENAME_NOREPLACE) makes the move one atomic step; where
 * that is missing, a link then an unlink (a crash between them leaves the
 * file in both).  Returns 0, or -1 with errno set: ENOENT when NAME is not
 * in fromfd, EEXIST when no name is free; after a failed fsync the file has
 * moved, not known to be durably so.
 */
int spool_move(int fromfd, const char *name, int tofd, char *out, size_t outcap, unsigned flags);

#endif

/* SPDX-License-Identifier: MIT */
/* mllp-spool.h: what the parts of mllp-spool share: the subcommands and the spool directory. */
#ifndef MLLP_SPOOL_CMD_H
#define MLLP_SPOOL_CMD_H

#include <stddef.h>
#include <sysexits.h>

#include "cli.h"

/*
 * Subcommands: argv[0] is the subcommand's name, the rest its arguments.
 * Each reports its errors (one line, "mllp-spool: ...") and returns the
 * exit status.
 */
int cmd_prune(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_stat(int argc, char **argv);

/* ---- spooldir.c: a spool directory opened for a tool ---- */

struct spooldir {
	const char *path;		   /* as given */
	int dirfd, newfd, curfd, failedfd; /* -1: not open (failedfd: the spool has no failed/) */
};

/*
 * Open the spool path: a directory with new/ and cur/ in it (tmp/ and
 * failed/ are not needed: failedfd is -1 without failed/).  Nothing is
 * created.  Returns 0, or reports and returns the exit status: 66 missing
 * (or not readable), 65 not a spool (not a directory, or without new/ or
 * cur/), 74 another error.
 */
int spooldir_open(struct spooldir *d, const char *path);
void spooldir_close(struct spooldir *d);

/*
 * Lock the state directory fd (named sub, "cur" or "failed") against a
 * second mllp-spool doing the same: flock, not waiting.  Returns 0, or
 * reports and returns 75 (held elsewhere) or 74.
 */
int spooldir_lock(const struct spooldir *d, int fd, const char *sub);

/* A file name of the command line: not empty, no '/', not "." or "..". */
int spooldir_name_ok(const char *name);

/* name made safe for a terminal (lib/termsafe) into buf (cap bytes, NUL-terminated, cut). */
const char *spooldir_safe(char *buf, size_t cap, const char *name);

/* ---- archive.c: appending files to a tar archive (lib/tar) ---- */

struct archive {
	const char *path;
	int fd;
	int created;		  /* this run made the file: removed again on failure */
	unsigned long long start; /* where the archive ended: its end blocks, then ours */
};

/*
 * Open (creating it, mode 0640 under the umask) the archive at path and
 * lock it (flock, not waiting), then find where it ends (an existing
 * archive must be one lib/tar can walk).  The file offset is left there.
 * Returns 0, or reports and returns the status: 73 cannot be opened or
 * created (or not a regular file), 75 locked by another process, 65 not a
 * tar archive (or truncated), 74 a read error.
 */
int archive_open(struct archive *a, const char *path);

/*
 * Append the regular file dirfd/NAME as the member MEMBER: ustar header
 * (pax records when needed), its bytes, padding.  Returns 0; -1 when NAME
 * is gone (nothing written, nothing reported); or reports and returns 74
 * (a read or write error, or the file changed size meanwhile) or 66 (not
 * a regular file).
 */
int archive_add(struct archive *a, int dirfd, const char *name, const char *member);

/*
 * End the archive (two zero blocks, nothing after them), fsync it, and
 * fsync its directory when this run created it: once this returns 0 the
 * members are on disk.  Returns 0, or reports and returns 74.
 */
int archive_finish(struct archive *a);

/*
 * After a failure: put the archive back as it was (cut at start and ended
 * again; removed if this run created it), and close it.
 */
void archive_abort(struct archive *a);

/* Close it (after archive_finish()). */
void archive_close(struct archive *a);

#endif

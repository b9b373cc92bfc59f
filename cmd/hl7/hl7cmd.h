/* SPDX-License-Identifier: MIT */
/* hl7cmd.h: what the parts of the hl7 filter share: input, output, the message walker, subcommands.
 */
#ifndef HL7CMD_H
#define HL7CMD_H

#include <stddef.h>
#include <sysexits.h>

#include "batch.h"
#include "cli.h"
#include "hl7.h"
#include "hl7walk.h"
#include "termsafe.h"

/* Exit statuses: <sysexits.h>, and lint's own 1. */
#define EX_FINDINGS 1 /* lint: something to report */

/* ---- input.c: files or stdin, split into units (lib/msgsplit) ---- */

struct input_msg {
	const char *file;     /* display name: the path, or "stdin" */
	unsigned long number; /* 1-based, within the file */
	const char *p;	      /* the unit's bytes (without MLLP framing) */
	size_t len;
	unsigned flags; /* MSGSPLIT_* */
	/* A message of a batch (batch_each()): */
	unsigned long batch_message;   /* 1-based position in its batch; 0: not in a batch */
	const struct hl7_batch *batch; /* the batch, checked; NULL when not in one */
	struct hl7_span fhs, bhs;      /* the batch's FHS and its group's BHS (empty when none) */
};

typedef void (*input_fn)(void *ctx, const struct input_msg *in);

/*
 * Call fn for every unit of every file (stdin when nfiles is 0; "-" is
 * stdin too).  Files that cannot be opened or read are reported on stderr
 * and noted in the exit status (66, 74); the others are still read.
 */
void input_each(char **files, int nfiles, input_fn fn, void *ctx);

/*
 * For a batch unit (MSGSPLIT_BATCH): check its structure into *b and, when
 * it is sound, call fn for each of its messages in order, as a unit of its
 * own (batch_message, batch, fhs, bhs set; MSGSPLIT_BATCH cleared).
 * Returns b->status; nothing is reported.
 */
enum hl7_batch_status batch_each(const struct input_msg *in, struct hl7_batch *b, input_fn fn,
				 void *ctx);

/* ---- main.c: errors and the exit status ---- */

/* "hl7: FILE: message N[: batch message K]: TEXT" on stderr, and note status (65, 66, 74...). */
void report(int status, const struct input_msg *in, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "hl7: TEXT" on stderr, and note status. */
void report_plain(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Note an exit status without a message (the worst one wins). */
void exit_note(int status);
/* Parse a unit for get/json/ack: 0 and *m filled when its fields are readable, else -1 (reported,
 * 65). */
int message_open(const struct input_msg *in, struct hl7_msg *m);
/*
 * For get and json: when in is a batch, run fn on each of its messages
 * (batch_each(); a bad structure is reported, 65) and return 1; else 0.
 */
int batch_open(const struct input_msg *in, input_fn fn, void *ctx);

/* ---- out.c: output encodings ---- */

/* Decoded value of a raw span (escapes resolved), in a buffer reused by the next call. */
struct hl7_span value_decode(const struct hl7_msg *m, struct hl7_span raw);
/*
 * A value in a tab-separated table: TAB, LF and CR become \t, \n, \r; with
 * TERMSAFE_NAMED every other control character \xhh too (lib/termsafe);
 * with TERMSAFE_RAW only those three.
 */
void out_cell(struct hl7_span v, unsigned flags);
/*
 * A JSON string: valid UTF-8 kept, control characters (C0, DEL, C1 in
 * UTF-8 or not: lib/termsafe) as \u00XX; other bytes as \u00XX (their
 * Latin-1 meaning).
 */
void out_json_string(const char *p, size_t len);
void out_bytes(const char *p, size_t len);
void out_char(char c);
void out_str(const char *s);

/* ---- subcommands ---- */

int cmd_get(int argc, char **argv);
int cmd_json(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_ack(int argc, char **argv);

#endif

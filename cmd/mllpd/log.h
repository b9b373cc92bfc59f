/* SPDX-License-Identifier: MIT */
/* log.h: mllpd's log lines: stderr, journald (structured fields) or syslog; never message content.
 */
#ifndef MLLPD_LOG_H
#define MLLPD_LOG_H

#include <stddef.h>
#include <syslog.h>

enum log_target { LOG_TARGET_AUTO, LOG_TARGET_STDERR, LOG_TARGET_JOURNAL, LOG_TARGET_SYSLOG };

/* A structured field for journald (KEY=value); the value is already sanitised. */
struct log_field {
	const char *key;
	const char *value;
};

/* verbosity: -1 quiet (warnings and errors), 0 normal, 1 verbose. */
void log_setup(enum log_target target, int verbosity);

/* 1 when a line of this priority is written (LOG_INFO: normal, LOG_DEBUG: -v). */
int log_enabled(int prio);

/* One line: "mllpd: <text>" on stderr, MESSAGE=<text> plus fields in the journal. */
void log_event(int prio, const char *message_id, const struct log_field *fields, size_t nfields,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_line(prio, ...) log_event((prio), NULL, NULL, 0, __VA_ARGS__)

/*
 * Copy a peer-controlled value for a log line: printable ASCII except space,
 * '"', '\\' and '=', everything else as \xNN, at most 64 input bytes ("..."
 * after).  Always NUL-terminates dst (cap >= 5).
 */
void log_sanitise(char *dst, size_t cap, const char *p, size_t len);

/*
 * The same for a NUL-terminated text of ours that may carry peer or
 * command bytes (error="..."): spaces and '=' stay, '"', '\\' and
 * non-printable bytes become \xNN, no length cap but cap.
 */
void log_sanitise_text(char *dst, size_t cap, const char *text);

#endif

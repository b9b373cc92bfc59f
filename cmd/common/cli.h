/* SPDX-License-Identifier: MIT */
/* cli.h: what every program's main shares: one-line errors, usage errors, option values
 * (lib/parse). */
#ifndef MLLP_CLI_H
#define MLLP_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <sysexits.h>

/*
 * Process-level reporting for cmd/: messages are one line on stderr,
 * "PROG: what failed: why".  Only cmd/ includes this; lib/ reports through
 * return values.
 */

/* The program's name for messages, and the usage text printed after a usage error (NULL: none). */
void cli_init(const char *prog, const char *usage);

/*
 * While a configuration file is applied, the program's hook says where the
 * option being read came from: it writes "FILE:LINE" into buf and returns
 * 1 (a usage error then reads "PROG: FILE:LINE: ...", exits EX_CONFIG and
 * prints no usage), or returns 0 (the command line).  NULL: no hook.
 */
void cli_set_where(int (*where)(char *buf, size_t cap));

/* "PROG: MESSAGE" on stderr, then the usage text; exit EX_USAGE (EX_CONFIG from a configuration
 * file). */
void cli_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* "PROG: MESSAGE" on stderr (stdout flushed first, so the two stay in order). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_error() with a va_list. */
void cli_verror(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* cli_error(), then exit status. */
void cli_fatal(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/*
 * Option values through lib/parse; a bad value is a usage error naming the
 * option and the value as given:
 *   "OPT: invalid number of seconds: VALUE", "OPT: must be 0 to 2147483 seconds: VALUE"
 *   "OPT: invalid size: VALUE",              "OPT: must be 16 to 1073741824 bytes: VALUE"
 *   "OPT: invalid number: VALUE",            "OPT: must be 1 to 100000: VALUE"
 */

/* The longest timeout a program keeps in an int of milliseconds (poll(), lib/exec, lib/tlsio):
 * 2147483 s. */
#define CLI_TIMEOUT_MAX_MS 2147483000ull

/* Seconds with an optional fraction ("0.5"; finer than 1 ms rounds up), in [min_ms, max_ms];
 * returns seconds. */
double cli_seconds(const char *opt, const char *s, unsigned long long min_ms,
		   unsigned long long max_ms);

/* Bytes with an optional K, M or G suffix, in [min, max]. */
unsigned long long cli_size(const char *opt, const char *s, unsigned long long min,
			    unsigned long long max);

/* A whole number in [min, max]. */
unsigned long long cli_count(const char *opt, const char *s, unsigned long long min,
			     unsigned long long max);

#endif

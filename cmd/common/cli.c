/* SPDX-License-Identifier: MIT */
/* cli.c: one-line errors and usage errors for the programs, and option values through lib/parse. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "parse.h"

static const char *prog = "?";
static const char *usage;
static int (*where_hook)(char *buf, size_t cap);

void cli_init(const char *name, const char *usage_text)
{
	prog = name;
	usage = usage_text;
}

void cli_set_where(int (*where)(char *buf, size_t cap))
{
	where_hook = where;
}

static void vline(const char *where, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (where)
		fprintf(stderr, "%s: %s: ", prog, where);
	else
		fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_usage_error(const char *fmt, ...)
{
	char where[512];
	int from_file = where_hook && where_hook(where, sizeof where);
	va_list ap;
	va_start(ap, fmt);
	vline(from_file ? where : NULL, fmt, ap);
	va_end(ap);
	if (from_file)
		exit(EX_CONFIG);
	if (usage)
		fputs(usage, stderr);
	exit(EX_USAGE);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(NULL, fmt, ap);
	va_end(ap);
}

void cli_verror(const char *fmt, va_list ap)
{
	vline(NULL, fmt, ap);
}

void cli_fatal(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(NULL, fmt, ap);
	va_end(ap);
	exit(status);
}

/* Milliseconds as seconds, as short as exact: 2147483000 "2147483", 1 "0.001", 1500 "1.5". */
static void seconds_text(char *buf, size_t cap, unsigned long long ms)
{
	int n = snprintf(buf, cap, "%llu.%03llu", ms / 1000, ms % 1000);
	while (n > 0 && (size_t)n < cap && (buf[n - 1] == '0' || buf[n - 1] == '.')) {
		int dot = buf[n - 1] == '.';
		buf[--n] = '\0';
		if (dot)
			break;
	}
}

double cli_seconds(const char *opt, const char *s, unsigned long long min_ms,
		   unsigned long long max_ms)
{
	unsigned long long ms;
	enum parse_status st = parse_duration_ms(s, PARSE_FRACTION, min_ms, max_ms, &ms);
	if (st == PARSE_RANGE) {
		char lo[32], hi[32];
		seconds_text(lo, sizeof lo, min_ms);
		seconds_text(hi, sizeof hi, max_ms);
		cli_usage_error("%s: must be %s to %s seconds: %s", opt, lo, hi, s);
	}
	if (st != PARSE_OK)
		cli_usage_error("%s: invalid number of seconds: %s", opt, s);
	return (double)ms / 1000;
}

unsigned long long cli_size(const char *opt, const char *s, unsigned long long min,
			    unsigned long long max)
{
	unsigned long long v;
	enum parse_status st = parse_size(s, min, max, &v);
	if (st == PARSE_RANGE)
		cli_usage_error("%s: must be %llu to %llu bytes: %s", opt, min, max, s);
	if (st != PARSE_OK)
		cli_usage_error("%s: invalid size: %s", opt, s);
	return v;
}

unsigned long long cli_count(const char *opt, const char *s, unsigned long long min,
			     unsigned long long max)
{
	unsigned long long v;
	enum parse_status st = parse_count(s, min, max, &v);
	if (st == PARSE_RANGE)
		cli_usage_error("%s: must be %llu to %llu: %s", opt, min, max, s);
	if (st != PARSE_OK)
		cli_usage_error("%s: invalid number: %s", opt, s);
	return v;
}

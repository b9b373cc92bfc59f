/* SPDX-License-Identifier: MIT */
/* fuzz_optfile.c: the configuration-file parser against a model written from optfile.h, and its
 * arguments through getopt_long. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "optfile.h"

/*
 * Input: the file.  A model written from optfile.h reads it too: both must
 * accept it, or refuse it at the same line.  What is accepted must give the
 * model's arguments, with their lines, and getopt_long() must read those
 * arguments back as the same options and values, without an error.
 */

static const struct option table[] = {
    {"spool", required_argument, NULL, 1},    {"spool-dir", required_argument, NULL, 2},
    {"no-fsync", no_argument, NULL, 3},	      {"v", no_argument, NULL, 4},
    {"max_size", required_argument, NULL, 5}, {"log-level", optional_argument, NULL, 6},
    {"config", required_argument, NULL, 7},   {"help", no_argument, NULL, 8},
    {"A-9", required_argument, NULL, 9},      {NULL, 0, NULL, 0},
};

static const char *const refused[] = {"config", "help", NULL};

#define MAX_ARGS 512

struct setting {
	const struct option *o;
	const char *value; /* into the input; NULL: no value */
	size_t value_len;
	size_t line;
};

struct model {
	struct setting s[MAX_ARGS];
	size_t n;
	size_t err_line; /* 0: accepted */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static const struct option *lookup(const char *p, size_t len)
{
	for (const struct option *o = table; o->name; o++)
		if (strlen(o->name) == len && memcmp(o->name, p, len) == 0)
			return o;
	return NULL;
}

static int is_refused(const char *name)
{
	for (const char *const *r = refused; *r; r++)
		if (strcmp(*r, name) == 0)
			return 1;
	return 0;
}

/* 1 to go on, 0 when line broke a rule (err_line set). */
static int model_line(struct model *m, const char *p, size_t n, size_t line)
{
	size_t b = 0, e = n, ne, v;
	const struct option *o;

	if (memchr(p, 0, n))
		return 0;
	while (b < e && is_blank(p[b]))
		b++;
	while (e > b && is_blank(p[e - 1]))
		e--;
	if (b == e || p[b] == '#')
		return 1;
	for (ne = b; ne < e && is_name(p[ne]); ne++)
		;
	for (v = ne; v < e && is_blank(p[v]); v++)
		;
	if (ne == b || (v < e && p[v] != '='))
		return 0;
	if (v < e)
		v++;
	while (v < e && is_blank(p[v]))
		v++;
	o = lookup(p + b, ne - b);
	if (!o || is_refused(o->name))
		return 0;
	if ((o->has_arg == no_argument && v < e) || (o->has_arg == required_argument && v == e))
		return 0;
	if (m->n < MAX_ARGS) {
		m->s[m->n].o = o;
		m->s[m->n].value = v < e ? p + v : NULL;
		m->s[m->n].value_len = e - v;
		m->s[m->n].line = line;
	}
	m->n++;
	return 1;
}

static void model_parse(struct model *m, const char *buf, size_t len)
{
	size_t off = 0, line = 0;

	m->n = 0;
	m->err_line = 0;
	while (off < len) {
		const char *p = buf + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;

		off += n + (nl != NULL);
		if (!model_line(m, p, n, ++line)) {
			m->err_line = line;
			return;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	const char *buf = (const char *)data;
	struct optfile f;
	struct optfile_error err;
	int rc, c, idx, k;

	model_parse(&m, buf, size);
	memset(&err, 0xa5, sizeof err);
	rc = optfile_parse(buf, size, table, refused, "prog", &f, &err);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(memchr(err.reason, 0, sizeof err.reason) && err.reason[0]);
		FUZZ_CHECK(err.line == m.err_line && err.line >= 1);
		FUZZ_CHECK(f.argc == 0 && f.argv == NULL && f.line == NULL && f.store == NULL);
		optfile_free(&f);
		return 0;
	}
	FUZZ_CHECK(m.err_line == 0);
	FUZZ_CHECK(f.argc >= 1 && (size_t)f.argc == m.n + 1);
	FUZZ_CHECK(strcmp(f.argv[0], "prog") == 0 && f.line[0] == 0 && f.argv[f.argc] == NULL);
	if (m.n > MAX_ARGS) {
		optfile_free(&f);
		return 0;
	}
	for (size_t i = 0; i < m.n; i++) {
		const struct setting *s = &m.s[i];
		const char *a = f.argv[i + 1];
		size_t nl = strlen(s->o->name);

		FUZZ_CHECK(f.line[i + 1] == s->line);
		FUZZ_CHECK(a[0] == '-' && a[1] == '-' && strncmp(a + 2, s->o->name, nl) == 0);
		if (s->value)
			FUZZ_CHECK(a[2 + nl] == '=' && strlen(a + 3 + nl) == s->value_len &&
				   memcmp(a + 3 + nl, s->value, s->value_len) == 0);
		else
			FUZZ_CHECK(a[2 + nl] == 0);
	}

	/* the arguments through getopt_long, as the caller runs them */
	optind = 0; /* glibc: start again from scratch */
	opterr = 0;
	for (k = 0; (c = getopt_long(f.argc, f.argv, "", table, &idx)) != -1; k++) {
		const struct setting *s = &m.s[k];

		FUZZ_CHECK((size_t)k < m.n && c != '?' && c != ':');
		FUZZ_CHECK(&table[idx] == s->o && c == s->o->val);
		if (s->value)
			FUZZ_CHECK(optarg && strlen(optarg) == s->value_len &&
				   memcmp(optarg, s->value, s->value_len) == 0);
		else
			FUZZ_CHECK(optarg == NULL);
	}
	FUZZ_CHECK((size_t)k == m.n && optind == f.argc);
	optfile_free(&f);
	FUZZ_CHECK(f.argc == 0 && f.argv == NULL);
	return 0;
}

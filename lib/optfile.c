/* SPDX-License-Identifier: MIT */
/* optfile.c: name = value lines to --name=value arguments, checked against the caller's getopt_long
 * table. */
#include "optfile.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chars.h"

/* Option names longer than this are never in a table; it keeps the reasons whole. */
#define NAME_MAX_LEN 64

static int is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

/* The entry of table named exactly name/len, or NULL. */
static const struct option *find(const struct option *table, const char *name, size_t len)
{
	for (; table->name; table++)
		if (strlen(table->name) == len && memcmp(table->name, name, len) == 0)
			return table;
	return NULL;
}

static int is_refused(const char *const *refused, const char *name)
{
	for (; refused && *refused; refused++)
		if (strcmp(*refused, name) == 0)
			return 1;
	return 0;
}

static int fail(struct optfile *out, struct optfile_error *err, size_t line, const char *fmt,
		const char *name)
{
	optfile_free(out);
	err->line = line;
	snprintf(err->reason, sizeof err->reason, fmt, name);
	return -1;
}

/* One NAME = VALUE line, split. */
struct entry {
	char name[NAME_MAX_LEN + 1];
	size_t name_len;
	const char *value; /* value_len bytes, when has_value */
	size_t value_len;
	int has_value;
};

/* Split line p[0..n): 1 an entry, 0 blank or a comment, -1 not a NAME = VALUE line. */
static int split_line(const char *p, size_t n, struct entry *en)
{
	size_t b = 0, e = n;
	while (b < e && chars_is_line_blank(p[b]))
		b++;
	while (e > b && chars_is_line_blank(p[e - 1]))
		e--;
	if (b == e || p[b] == '#')
		return 0;

	size_t ne = b;
	while (ne < e && is_name_char(p[ne]))
		ne++;
	size_t vb = ne;
	while (vb < e && chars_is_line_blank(p[vb]))
		vb++;
	if (ne == b || ne - b > NAME_MAX_LEN || (vb < e && p[vb] != '='))
		return -1;
	en->name_len = ne - b;
	memcpy(en->name, p + b, en->name_len);
	en->name[en->name_len] = '\0';
	if (vb < e)
		vb++; /* the '=' */
	while (vb < e && chars_is_line_blank(p[vb]))
		vb++;
	en->has_value = vb < e;
	en->value = p + vb;
	en->value_len = e - vb;
	return 1;
}

/* Check the entry against the table: 0, or fail()'s -1. */
static int check_entry(const struct entry *en, const struct option *table,
		       const char *const *refused, struct optfile *out, struct optfile_error *err,
		       size_t lineno)
{
	const struct option *o = find(table, en->name, en->name_len);
	if (!o)
		return fail(out, err, lineno, "unknown option: %s", en->name);
	if (is_refused(refused, en->name))
		return fail(out, err, lineno, "%s: not allowed in a configuration file", en->name);
	if (o->has_arg == no_argument && en->has_value)
		return fail(out, err, lineno, "%s: takes no value", en->name);
	if (o->has_arg == required_argument && !en->has_value)
		return fail(out, err, lineno, "%s: requires a value", en->name);
	return 0;
}

/* Append "--NAME" or "--NAME=VALUE" to out->argv, its text at out->store + *used. */
static void add_arg(struct optfile *out, size_t *used, const struct entry *en, size_t lineno)
{
	char *arg = out->store + *used;
	int k = en->has_value ? sprintf(arg, "--%s=", en->name) : sprintf(arg, "--%s", en->name);
	if (en->has_value) {
		memcpy(arg + k, en->value, en->value_len);
		k += (int)en->value_len;
	}
	arg[k] = '\0';
	*used += (size_t)k + 1;
	out->line[out->argc] = lineno;
	out->argv[out->argc++] = arg;
}

int optfile_parse(const char *buf, size_t len, const struct option *table,
		  const char *const *refused, const char *prog, struct optfile *out,
		  struct optfile_error *err)
{
	size_t lines = 1, used = 0, lineno = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	/* Each argument is at most its line plus "--", "=" and a NUL. */
	out->argv = calloc(lines + 2, sizeof *out->argv);
	out->line = calloc(lines + 2, sizeof *out->line);
	out->store = malloc(len + 3 * lines + 1);
	if (!out->argv || !out->line || !out->store)
		return fail(out, err, 0, "%s", "out of memory");
	out->argv[0] = (char *)prog;
	out->argc = 1;

	for (size_t pos = 0; pos < len;) {
		const char *p = buf + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		struct entry en;
		pos += n + (nl != NULL);
		lineno++;
		if (memchr(p, '\0', n))
			return fail(out, err, lineno, "%s", "a NUL byte");
		int r = split_line(p, n, &en);
		if (r < 0)
			return fail(out, err, lineno, "%s", "not a NAME = VALUE line");
		if (r == 0)
			continue;
		if (check_entry(&en, table, refused, out, err, lineno) < 0)
			return -1;
		add_arg(out, &used, &en, lineno);
	}
	out->argv[out->argc] = NULL;
	return 0;
}

void optfile_free(struct optfile *f)
{
	free(f->argv);
	free(f->line);
	free(f->store);
	memset(f, 0, sizeof *f);
}

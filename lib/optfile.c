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
		size_t n = nl ? (size_t)(nl - p) : len - pos, b = 0, e = n;
		pos += n + (nl != NULL);
		lineno++;
		if (memchr(p, '\0', n))
			return fail(out, err, lineno, "%s", "a NUL byte");
		while (b < e && chars_is_line_blank(p[b]))
			b++;
		while (e > b && chars_is_line_blank(p[e - 1]))
			e--;
		if (b == e || p[b] == '#')
			continue;

		size_t ne = b;
		while (ne < e && is_name_char(p[ne]))
			ne++;
		size_t vb = ne;
		while (vb < e && chars_is_line_blank(p[vb]))
			vb++;
		if (ne == b || ne - b > NAME_MAX_LEN || (vb < e && p[vb] != '='))
			return fail(out, err, lineno, "%s", "not a NAME = VALUE line");
		char name[NAME_MAX_LEN + 1];
		memcpy(name, p + b, ne - b);
		name[ne - b] = '\0';
		if (vb < e)
			vb++; /* the '=' */
		while (vb < e && chars_is_line_blank(p[vb]))
			vb++;
		int has_value = vb < e;

		const struct option *o = find(table, name, ne - b);
		if (!o)
			return fail(out, err, lineno, "unknown option: %s", name);
		if (is_refused(refused, name))
			return fail(out, err, lineno, "%s: not allowed in a configuration file",
				    name);
		if (o->has_arg == no_argument && has_value)
			return fail(out, err, lineno, "%s: takes no value", name);
		if (o->has_arg == required_argument && !has_value)
			return fail(out, err, lineno, "%s: requires a value", name);

		char *arg = out->store + used;
		int k = has_value ? sprintf(arg, "--%s=", name) : sprintf(arg, "--%s", name);
		if (has_value) {
			memcpy(arg + k, p + vb, e - vb);
			k += (int)(e - vb);
		}
		arg[k] = '\0';
		used += (size_t)k + 1;
		out->line[out->argc] = lineno;
		out->argv[out->argc++] = arg;
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

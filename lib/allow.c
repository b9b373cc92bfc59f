/* SPDX-License-Identifier: MIT */
/* allow.c: the --tls-allow rules: parse them from a buffer, match a certificate's identities and MSH-3/MSH-4. */
#include "allow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One rule; a NULL app or fac is the wildcard.  The strings point into the table's copy of the file. */
struct allow_rule {
	const char *id, *app, *fac;
	size_t id_len, app_len, fac_len;
};

struct allow_table {
	char *text;
	struct allow_rule *rules;
	size_t n;
};

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static struct allow_table *parse_error(struct allow_table *t, struct allow_error *err, size_t line, const char *why)
{
	allow_free(t);
	if (err) {
		err->line = line;
		snprintf(err->reason, sizeof err->reason, "%s", why);
	}
	return NULL;
}

struct allow_table *allow_parse(const char *buf, size_t len, struct allow_error *err)
{
	struct allow_table *t = calloc(1, sizeof *t);
	size_t cap = 0, lineno = 0;

	if (!t || !(t->text = malloc(len + 1)))
		return parse_error(t, err, 0, "out of memory");
	if (len)
		memcpy(t->text, buf, len);
	t->text[len] = '\0';
	for (size_t off = 0; off < len;) {
		const char *line = t->text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		const char *w[4];
		size_t wl[4], nw = 0;

		off += ll + (nl ? 1 : 0);
		lineno++;
		for (size_t i = 0; i < ll;) {
			unsigned char ch = (unsigned char)line[i];
			if (ch == '#')
				break;
			if (is_blank((char)ch)) {
				i++;
				continue;
			}
			size_t start = i;
			for (; i < ll && !is_blank(line[i]) && line[i] != '#'; i++)
				if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] == 0x7f)
					return parse_error(t, err, lineno, "control character");
			if (nw < 4) {
				w[nw] = line + start;
				wl[nw] = i - start;
			}
			nw++;
		}
		if (nw == 0)
			continue;
		if (nw != 3)
			return parse_error(t, err, lineno, "expected IDENTITY APPLICATION FACILITY");
		if (wl[0] == 1 && w[0][0] == '*')
			return parse_error(t, err, lineno, "IDENTITY cannot be *");
		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct allow_rule *r = realloc(t->rules, ncap * sizeof *r);
			if (!r)
				return parse_error(t, err, 0, "out of memory");
			t->rules = r;
			cap = ncap;
		}
		struct allow_rule *r = &t->rules[t->n++];
		int any_app = wl[1] == 1 && w[1][0] == '*', any_fac = wl[2] == 1 && w[2][0] == '*';
		*r = (struct allow_rule){
			.id = w[0], .id_len = wl[0],
			.app = any_app ? NULL : w[1], .app_len = any_app ? 0 : wl[1],
			.fac = any_fac ? NULL : w[2], .fac_len = any_fac ? 0 : wl[2],
		};
	}
	return t;
}

void allow_free(struct allow_table *t)
{
	if (!t)
		return;
	free(t->rules);
	free(t->text);
	free(t);
}

size_t allow_count(const struct allow_table *t)
{
	return t ? t->n : 0;
}

static int value_matches(const char *want, size_t want_len, const char *p, size_t len)
{
	if (!want)
		return 1;
	return want_len == len && (len == 0 || memcmp(want, p, len) == 0);
}

int allow_permits(const struct allow_table *t, const char *const *ids, size_t nids, const char *app, size_t app_len,
		  const char *fac, size_t fac_len)
{
	if (!t)
		return 0;
	for (size_t k = 0; k < nids; k++) {
		size_t il = strlen(ids[k]);
		for (size_t i = 0; i < t->n; i++) {
			const struct allow_rule *r = &t->rules[i];
			if (r->id_len == il && memcmp(r->id, ids[k], il) == 0 &&
			    value_matches(r->app, r->app_len, app, app_len) && value_matches(r->fac, r->fac_len, fac, fac_len))
				return 1;
		}
	}
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int allow_next_cn(const char *subject, size_t *pos, char *out, size_t cap)
{
	size_t i = *pos;

	if (!subject)
		return 0;
	while (subject[i]) {
		/* The attribute type, up to '=' (types hold no escapes). */
		size_t ts = i;
		while (subject[i] && subject[i] != '=' && subject[i] != ',' && subject[i] != '+')
			i++;
		if (subject[i] != '=') {
			/* Not "TYPE=value": skip to the next attribute. */
			if (subject[i])
				i++;
			continue;
		}
		int is_cn = i - ts == 2 && (subject[ts] == 'C' || subject[ts] == 'c') &&
			    (subject[ts + 1] == 'N' || subject[ts + 1] == 'n');
		i++;
		/* The value, to an unescaped ',' or '+'. */
		int bad = subject[i] == '#'; /* a hex dump of a type OpenSSL could not print */
		size_t o = 0;
		while (subject[i] && subject[i] != ',' && subject[i] != '+') {
			unsigned char ch = (unsigned char)subject[i++];
			if (ch == '\\') {
				int hi = subject[i] ? hexval(subject[i]) : -1, lo = hi >= 0 && subject[i + 1] ? hexval(subject[i + 1]) : -1;
				if (hi >= 0 && lo >= 0) {
					ch = (unsigned char)(hi << 4 | lo);
					i += 2;
				} else if (subject[i]) {
					ch = (unsigned char)subject[i++];
				} else {
					bad = 1;
					break;
				}
				if (ch == '\0')
					bad = 1;
			}
			if (o + 1 < cap)
				out[o++] = (char)ch;
			else
				bad = 1;
		}
		if (subject[i])
			i++;
		if (is_cn && !bad && cap) {
			out[o] = '\0';
			*pos = i;
			return 1;
		}
	}
	*pos = i;
	if (cap)
		out[0] = '\0';
	return 0;
}

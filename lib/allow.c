/* SPDX-License-Identifier: MIT */
/* allow.c: the --tls-allow rules: parse them from a buffer, match a certificate's identities and
 * MSH-3/MSH-4. */
#include "allow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chars.h"

/* The kinds of identity, in the order of their prefixes below. */
enum kind { KIND_CN, KIND_DNS, KIND_EMAIL, KIND_URI, KIND_IP, KIND_ANY, KIND_NONE };

static const struct {
	const char *prefix;
	size_t len;
} kinds[] = {{"CN:", 3}, {"DNS:", 4}, {"email:", 6}, {"URI:", 4}, {"IP:", 3}, {"*:", 2}};

/*
 * One rule; a NULL app or fac is the wildcard.  The strings point into the
 * table's copy of the file; id is the NAME after the KIND.  An IP rule, or
 * a "*:" rule whose NAME is an address, has that address in ip/ip_len.
 */
struct allow_rule {
	enum kind kind;
	const char *id, *app, *fac;
	size_t id_len, app_len, fac_len;
	unsigned char ip[16];
	size_t ip_len;
};

struct allow_table {
	char *text;
	struct allow_rule *rules;
	size_t n;
};

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* The KIND that p/len starts with (ASCII case ignored) and its length in *plen; KIND_NONE (and 0)
 * without one. */
static enum kind kind_of(const char *p, size_t len, size_t *plen)
{
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		size_t i = 0;
		while (i < kinds[k].len && i < len &&
		       lower((unsigned char)p[i]) == lower((unsigned char)kinds[k].prefix[i]))
			i++;
		if (i == kinds[k].len) {
			*plen = i;
			return (enum kind)k;
		}
	}
	*plen = 0;
	return KIND_NONE;
}

/* The address p/len spells (IPv4 or IPv6 text) into out; returns 4 or 16, or 0 when it is not one.
 */
static size_t ip_parse(const char *p, size_t len, unsigned char out[16])
{
	char text[64];
	if (len == 0 || len >= sizeof text || memchr(p, '\0', len))
		return 0;
	memcpy(text, p, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, out) == 1)
		return 16;
	return 0;
}

static struct allow_table *parse_error(struct allow_table *t, struct allow_error *err, size_t line,
				       const char *why)
{
	allow_free(t);
	if (err) {
		err->line = line;
		snprintf(err->reason, sizeof err->reason, "%s", why);
	}
	return NULL;
}

static const char out_of_memory[] = "out of memory";

/* A NUL or a control character is malformed anywhere on a line, its comment included. */
static int has_control(const char *line, size_t ll)
{
	for (size_t i = 0; i < ll; i++)
		if (((unsigned char)line[i] < 0x20 && !chars_is_line_blank(line[i])) ||
		    (unsigned char)line[i] == 0x7f)
			return 1;
	return 0;
}

/* The words of a line before its comment: the first 4 in w/wl; returns how many there are. */
static size_t split_words(const char *line, size_t ll, const char *w[4], size_t wl[4])
{
	size_t nw = 0;

	for (size_t i = 0; i < ll;) {
		if (line[i] == '#')
			break;
		if (chars_is_line_blank(line[i])) {
			i++;
			continue;
		}
		size_t start = i;
		for (; i < ll && !chars_is_line_blank(line[i]) && line[i] != '#'; i++)
			;
		if (nw < 4) {
			w[nw] = line + start;
			wl[nw] = i - start;
		}
		nw++;
	}
	return nw;
}

/* A free rule at the end of t->rules (cap entries), or NULL without memory. */
static struct allow_rule *new_rule(struct allow_table *t, size_t *cap)
{
	if (t->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct allow_rule *r = realloc(t->rules, ncap * sizeof *r);
		if (!r)
			return NULL;
		t->rules = r;
		*cap = ncap;
	}
	return &t->rules[t->n++];
}

/* Add the rule IDENTITY APPLICATION FACILITY of w/wl: NULL, or why it is malformed. */
static const char *add_rule(struct allow_table *t, size_t *cap, const char *const w[3],
			    const size_t wl[3])
{
	size_t pl;
	enum kind kind = kind_of(w[0], wl[0], &pl);
	if (kind == KIND_NONE)
		kind = KIND_CN; /* a bare NAME is a CN, as before there were kinds */
	const char *name = w[0] + pl;
	size_t name_len = wl[0] - pl;
	if (name_len == 1 && name[0] == '*')
		return "IDENTITY cannot be *";
	if (name_len == 0)
		return "IDENTITY has an empty name";
	unsigned char ip[16];
	size_t ip_len = kind == KIND_IP || kind == KIND_ANY ? ip_parse(name, name_len, ip) : 0;
	if (kind == KIND_IP && ip_len == 0)
		return "IDENTITY IP: not an IPv4 or IPv6 address";
	struct allow_rule *r = new_rule(t, cap);
	if (!r)
		return out_of_memory;
	int any_app = wl[1] == 1 && w[1][0] == '*', any_fac = wl[2] == 1 && w[2][0] == '*';
	*r = (struct allow_rule){
	    .kind = kind,
	    .id = name,
	    .id_len = name_len,
	    .app = any_app ? NULL : w[1],
	    .app_len = any_app ? 0 : wl[1],
	    .fac = any_fac ? NULL : w[2],
	    .fac_len = any_fac ? 0 : wl[2],
	    .ip_len = ip_len,
	};
	memcpy(r->ip, ip, ip_len);
	return NULL;
}

struct allow_table *allow_parse(const char *buf, size_t len, struct allow_error *err)
{
	struct allow_table *t = calloc(1, sizeof *t);
	size_t cap = 0, lineno = 0;

	if (!t || !(t->text = malloc(len + 1)))
		return parse_error(t, err, 0, out_of_memory);
	if (len)
		memcpy(t->text, buf, len);
	t->text[len] = '\0';
	for (size_t off = 0; off < len;) {
		const char *line = t->text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		const char *w[4], *why;
		size_t wl[4], nw;

		off += ll + (nl ? 1 : 0);
		lineno++;
		if (has_control(line, ll))
			return parse_error(t, err, lineno, "control character");
		nw = split_words(line, ll, w, wl);
		if (nw == 0)
			continue;
		if (nw != 3)
			return parse_error(t, err, lineno,
					   "expected IDENTITY APPLICATION FACILITY");
		if ((why = add_rule(t, &cap, w, wl)))
			return parse_error(t, err, why == out_of_memory ? 0 : lineno, why);
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

/* Does rule r name the identity of kind k and name p/len? */
static int identity_matches(const struct allow_rule *r, enum kind k, const char *p, size_t len)
{
	if (r->kind != KIND_ANY && r->kind != k)
		return 0;
	if (k == KIND_IP) {
		unsigned char ip[16];
		size_t n = ip_parse(p, len, ip);
		return n != 0 && n == r->ip_len && memcmp(ip, r->ip, n) == 0;
	}
	if (len != r->id_len)
		return 0;
	if (k == KIND_DNS) {
		for (size_t i = 0; i < len; i++)
			if (lower((unsigned char)p[i]) != lower((unsigned char)r->id[i]))
				return 0;
		return 1;
	}
	return memcmp(p, r->id, len) == 0;
}

int allow_permits(const struct allow_table *t, const char *const *ids, size_t nids, const char *app,
		  size_t app_len, const char *fac, size_t fac_len)
{
	if (!t)
		return 0;
	for (size_t k = 0; k < nids; k++) {
		size_t len = strlen(ids[k]), pl;
		enum kind kind = kind_of(ids[k], len, &pl);
		if (kind == KIND_NONE || kind == KIND_ANY)
			continue;
		for (size_t i = 0; i < t->n; i++) {
			const struct allow_rule *r = &t->rules[i];
			if (identity_matches(r, kind, ids[k] + pl, len - pl) &&
			    value_matches(r->app, r->app_len, app, app_len) &&
			    value_matches(r->fac, r->fac_len, fac, fac_len))
				return 1;
		}
	}
	return 0;
}

/* A field with the sender's separators written as rules write them; -1 when ambiguous or too long.
 */
static long canonical_field(struct hl7_span v, const struct hl7_delims *d, char *buf, size_t cap)
{
	if (v.len > cap)
		return -1;
	for (size_t i = 0; i < v.len; i++) {
		char ch = v.p[i];
		if (ch == d->component)
			ch = '^';
		else if (ch == d->subcomponent)
			ch = '&';
		else if (ch == d->repetition)
			ch = '~';
		else if (ch == '^' || ch == '&' || ch == '~')
			return -1;
		buf[i] = ch;
	}
	return (long)v.len;
}

int allow_sender_permits(const struct allow_table *t, const char *names, struct hl7_span app,
			 struct hl7_span fac, const struct hl7_delims *d)
{
	char a[512], f[512];
	long al = canonical_field(app, d, a, sizeof a), fl = canonical_field(fac, d, f, sizeof f);
	if (al < 0 || fl < 0)
		return 0;
	for (const char *id = names; id && *id; id += strlen(id) + 1) {
		const char *ids[1] = {id};
		if (allow_permits(t, ids, 1, a, (size_t)al, f, (size_t)fl))
			return 1;
	}
	return 0;
}

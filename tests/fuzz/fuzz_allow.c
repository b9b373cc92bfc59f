/* SPDX-License-Identifier: MIT */
/* fuzz_allow.c: the --tls-allow rules parser and matcher against a model written from allow.h. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "fuzz.h"

/*
 * Input: the rules file.  A model written from the description in allow.h
 * parses it too: both must accept it or refuse it at the same line, and
 * agree on the number of rules.  Then identities, applications and
 * facilities made from the rules themselves, as written and altered (case,
 * a byte cut off, an address in another spelling, another kind), are asked
 * of allow_permits() one by one and all at once, and the answers must be
 * the model's.
 */

enum kind { K_CN, K_DNS, K_EMAIL, K_URI, K_IP, K_ANY, K_NONE };

static const char *const prefixes[] = {"CN:", "DNS:", "email:", "URI:", "IP:", "*:"};

#define MAX_RULES 256

struct rule {
	enum kind kind;
	const char *name, *app, *fac; /* into the input; app/fac NULL for "*" */
	size_t name_len, app_len, fac_len;
};

struct model {
	struct rule r[MAX_RULES];
	size_t n;	 /* rules (all of them counted, the first MAX_RULES kept) */
	size_t err_line; /* 0: accepted */
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static enum kind kind_of(const char *p, size_t len, size_t *plen)
{
	for (int k = 0; k < K_NONE; k++) {
		size_t n = strlen(prefixes[k]);

		if (len >= n && ieq(p, prefixes[k], n)) {
			*plen = n;
			return (enum kind)k;
		}
	}
	*plen = 0;
	return K_NONE;
}

static size_t ip_of(const char *p, size_t len, unsigned char out[16])
{
	char t[64];

	if (len == 0 || len >= sizeof t || memchr(p, 0, len))
		return 0;
	memcpy(t, p, len);
	t[len] = 0;
	if (inet_pton(AF_INET, t, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, t, out) == 1)
		return 16;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
}

/* Parse the file as allow.h describes it. */
static void model_parse(struct model *m, const char *buf, size_t len)
{
	size_t off = 0, line = 0;

	memset(m, 0, sizeof *m);
	while (off < len) {
		const char *p = buf + off, *nl = memchr(p, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - p) : len - off, i = 0, nw = 0, end;
		const char *w[3];
		size_t wl[3];

		off += ll + (nl != NULL);
		line++;
		/* a control character is malformed, in a comment too; the words end at a comment */
		for (end = 0; end < ll && p[end] != '#'; end++)
			;
		for (size_t k = 0; k < ll; k++)
			if (is_control((unsigned char)p[k])) {
				m->err_line = line;
				return;
			}
		while (i < end) {
			size_t s;

			if (is_blank(p[i])) {
				i++;
				continue;
			}
			for (s = i; i < end && !is_blank(p[i]); i++)
				;
			if (nw < 3) {
				w[nw] = p + s;
				wl[nw] = i - s;
			}
			nw++;
		}
		if (nw == 0)
			continue;
		if (nw != 3) {
			m->err_line = line;
			return;
		}
		size_t pl;
		enum kind k = kind_of(w[0], wl[0], &pl);
		unsigned char ip[16];
		const char *name = w[0] + pl;
		size_t name_len = wl[0] - pl;

		if (k == K_NONE)
			k = K_CN;
		if (name_len == 0 || (name_len == 1 && name[0] == '*') ||
		    (k == K_IP && !ip_of(name, name_len, ip))) {
			m->err_line = line;
			return;
		}
		if (m->n < MAX_RULES) {
			struct rule *r = &m->r[m->n];

			r->kind = k;
			r->name = name;
			r->name_len = name_len;
			r->app = wl[1] == 1 && w[1][0] == '*' ? NULL : w[1];
			r->app_len = r->app ? wl[1] : 0;
			r->fac = wl[2] == 1 && w[2][0] == '*' ? NULL : w[2];
			r->fac_len = r->fac ? wl[2] : 0;
		}
		m->n++;
	}
}

static int value_ok(const char *want, size_t want_len, const char *p, size_t len)
{
	return !want || (want_len == len && memcmp(want, p, len) == 0);
}

/* The model's answer for one identity "KIND:name" (NUL-terminated). */
static int model_permits(const struct model *m, const char *id, const char *app, size_t app_len,
			 const char *fac, size_t fac_len)
{
	size_t len = strlen(id), pl;
	enum kind k = kind_of(id, len, &pl);
	const char *name = id + pl;
	size_t nl = len - pl;

	if (k == K_NONE || k == K_ANY)
		return 0;
	for (size_t i = 0; i < m->n && i < MAX_RULES; i++) {
		const struct rule *r = &m->r[i];
		int id_ok;

		if (r->kind != k && r->kind != K_ANY)
			continue;
		if (k == K_IP) {
			unsigned char a[16], b[16];
			size_t na = ip_of(name, nl, a), nb = ip_of(r->name, r->name_len, b);

			id_ok = na && na == nb && memcmp(a, b, na) == 0;
		} else if (k == K_DNS) {
			id_ok = nl == r->name_len && ieq(name, r->name, nl);
		} else {
			id_ok = nl == r->name_len && memcmp(name, r->name, nl) == 0;
		}
		if (id_ok && value_ok(r->app, r->app_len, app, app_len) &&
		    value_ok(r->fac, r->fac_len, fac, fac_len))
			return 1;
	}
	return 0;
}

#define MAX_QUERIES 8

struct query {
	char id[160];
	const char *app, *fac;
	size_t app_len, fac_len;
};

/* A query from rule r, altered as sel says. */
static void make_query(struct query *q, const struct rule *r, unsigned sel, const char *in,
		       size_t in_len)
{
	static const char *const ids[] = {
	    "CN:", "DNS:", "email:", "URI:", "IP:", "dns:", "Cn:", "*:", ""};
	enum kind k = r->kind == K_ANY ? (enum kind)(sel % 5) : r->kind;
	const char *prefix = sel & 0x100 ? ids[(sel >> 3) % 9] : prefixes[k];
	size_t nl = r->name_len < 100 ? r->name_len : 100, pl = strlen(prefix);
	unsigned char ip[16];

	memcpy(q->id, prefix, pl);
	memcpy(q->id + pl, r->name, nl);
	q->id[pl + nl] = 0;
	/* names hold no NUL (control characters are malformed), but a long one is cut */
	if (sel & 0x200 && nl > 0)
		q->id[pl + nl - 1] = 0;
	if (sel & 0x400)
		for (char *c = q->id + pl; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
	if (sel & 0x800) {
		/* the address in inet_ntop's spelling */
		size_t n = ip_of(r->name, r->name_len, ip);
		char t[64];

		if (n && inet_ntop(n == 4 ? AF_INET : AF_INET6, ip, t, sizeof t)) {
			memcpy(q->id + pl, t, strlen(t) + 1);
		}
	}
	q->app = r->app;
	q->app_len = r->app_len;
	q->fac = r->fac;
	q->fac_len = r->fac_len;
	/* a wildcard takes any value: some bytes of the input, maybe none */
	if (!q->app || sel & 0x1000) {
		q->app = in_len ? in + (sel >> 13) % in_len : NULL;
		q->app_len = in_len ? (sel >> 5) % 4 % (in_len - (size_t)(q->app - in) + 1) : 0;
	}
	if (!q->fac || sel & 0x2000) {
		q->fac = in_len ? in + (sel >> 17) % in_len : NULL;
		q->fac_len = in_len ? (sel >> 7) % 3 % (in_len - (size_t)(q->fac - in) + 1) : 0;
	}
	if (q->app_len == 0)
		q->app = NULL;
	if (q->fac_len == 0)
		q->fac = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct allow_error err;
	struct allow_table *t;
	struct model m;
	struct query qs[MAX_QUERIES];
	uint64_t h = 14695981039346656037ULL;

	model_parse(&m, buf, size);
	memset(&err, 0xa5, sizeof err);
	t = allow_parse(buf, size, &err);
	if (!t) {
		FUZZ_CHECK(memchr(err.reason, 0, sizeof err.reason) && err.reason[0]);
		FUZZ_CHECK(err.line == m.err_line && err.line >= 1);
		FUZZ_CHECK(allow_count(NULL) == 0);
		return 0;
	}
	FUZZ_CHECK(m.err_line == 0);
	FUZZ_CHECK(allow_count(t) == m.n);
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;

	/* the model keeps MAX_RULES rules: past them it cannot answer */
	for (size_t i = 0; m.n <= MAX_RULES && i < m.n; i += 1 + i / 4) {
		const char *ids[MAX_QUERIES];
		int any = 0;

		for (unsigned j = 0; j < MAX_QUERIES; j++) {
			struct query *q = &qs[j];
			unsigned sel =
			    j == 0 ? 0 : (unsigned)(h >> (j * 5 % 40)) ^ (unsigned)(i * 7919 + j);
			int want, got;

			make_query(q, &m.r[i], sel, buf, size);
			ids[j] = q->id;
			want = model_permits(&m, q->id, q->app, q->app_len, q->fac, q->fac_len);
			FUZZ_CHECK(allow_permits(t, &ids[j], 0, q->app, q->app_len, q->fac,
						 q->fac_len) == 0);
			got = allow_permits(t, &ids[j], 1, q->app, q->app_len, q->fac, q->fac_len);
			FUZZ_CHECK(got == want);
			/* a rule as written permits itself */
			if (j == 0 && m.r[i].name_len <= 100)
				FUZZ_CHECK(got == 1);
		}
		/* all identities of one certificate at once, with the first query's values */
		for (unsigned j = 0; j < MAX_QUERIES; j++)
			any |= model_permits(&m, ids[j], qs[0].app, qs[0].app_len, qs[0].fac,
					     qs[0].fac_len);
		FUZZ_CHECK(allow_permits(t, ids, MAX_QUERIES, qs[0].app, qs[0].app_len, qs[0].fac,
					 qs[0].fac_len) == any);
	}
	FUZZ_CHECK(allow_permits(NULL, NULL, 0, NULL, 0, NULL, 0) == 0);
	allow_free(t);
	return 0;
}

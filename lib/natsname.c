/* SPDX-License-Identifier: MIT */
/* natsname.c: NATS subjects and message IDs from message fields, every value sanitised. */
#include "natsname.h"

#include <string.h>

static int is_token_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

size_t natsname_token(char *dst, size_t cap, const char *src, size_t len)
{
	if (len > NATSNAME_VALUE_MAX)
		len = NATSNAME_VALUE_MAX;
	if (len == 0) {
		if (cap > 0)
			dst[0] = '_';
		return 1;
	}
	for (size_t i = 0; i < len && i < cap; i++)
		dst[i] = is_token_byte((unsigned char)src[i]) ? src[i] : '_';
	return len;
}

/* Append one message ID field at dst[*n], cut and sanitised; '/' is the separator. */
static void put_field(char *dst, size_t cap, size_t *n, const char *src, size_t len)
{
	if (len > NATSNAME_VALUE_MAX)
		len = NATSNAME_VALUE_MAX;
	for (size_t i = 0; i < len; i++, (*n)++) {
		unsigned char c = (unsigned char)src[i];

		if (*n < cap)
			dst[*n] = c > ' ' && c < 0x7f && c != '/' ? (char)c : '_';
	}
}

size_t natsname_msgid(char *dst, size_t cap, const struct hl7_span fields[3],
		      const unsigned char digest[SHA256_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (int f = 0; f < 3; f++) {
		put_field(dst, cap, &n, fields[f].p, fields[f].len);
		if (n < cap)
			dst[n] = '/';
		n++;
	}
	for (int i = 0; i < SHA256_LEN; i++, n += 2) {
		if (n < cap)
			dst[n] = hex[digest[i] >> 4];
		if (n + 1 < cap)
			dst[n + 1] = hex[digest[i] & 15];
	}
	if (cap > 0)
		dst[n < cap ? n : cap - 1] = 0;
	return n;
}

const char *natsname_status_text(enum natsname_status s)
{
	switch (s) {
#define NATSNAME_X_TEXT(name, text)                                                                \
	case name: return text;
		NATSNAME_STATUS_LIST(NATSNAME_X_TEXT)
#undef NATSNAME_X_TEXT
	}
	return "unknown status";
}

static int is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_byte(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static int is_literal(unsigned char c)
{
	return c > ' ' && c < 0x7f && !strchr("*>{}$%", c);
}

/*
 * The reference at t (a '%' or '$'): its kind, name and the length of the whole reference, or
 * 0 when it is malformed.
 */
static size_t parse_ref(const char *t, enum natsname_ref *kind, const char **name, size_t *nlen)
{
	size_t i = 1;

	*kind = t[0] == '%' ? NATSNAME_FIELD : NATSNAME_ENV;
	if (t[1] == '{') {
		const char *end = strchr(t + 2, '}');

		if (!end || end == t + 2)
			return 0;
		*name = t + 2;
		*nlen = (size_t)(end - *name);
		if (*kind == NATSNAME_ENV) {
			for (size_t k = 0; k < *nlen; k++)
				if (!(k == 0 ? is_name_start
					     : is_name_byte)((unsigned char)(*name)[k]))
					return 0;
		}
		return *nlen + 3;
	}
	if (*kind == NATSNAME_FIELD || !is_name_start((unsigned char)t[1]))
		return 0;
	while (is_name_byte((unsigned char)t[i]))
		i++;
	*name = t + 1;
	*nlen = i - 1;
	return i;
}

struct out {
	char *dst;
	size_t cap, n;
	size_t token; /* bytes in the current token */
};

static void put(struct out *o, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++, o->n++)
		if (o->n < o->cap)
			o->dst[o->n] = p[i];
	o->token += len;
}

/* One reference at tmpl[*i]: expanded into o, *i moved past it. */
static enum natsname_status expand_ref(struct out *o, const char *tmpl, size_t *i,
				       natsname_lookup lookup, void *ctx)
{
	enum natsname_ref kind;
	const char *name;
	size_t nlen, rlen = parse_ref(tmpl + *i, &kind, &name, &nlen);
	struct hl7_span val = {"", 0};
	char tok[NATSNAME_VALUE_MAX];

	if (rlen == 0)
		return NATSNAME_ERR_SYNTAX;
	if (lookup && lookup(ctx, kind, name, nlen, &val) < 0)
		return NATSNAME_ERR_REF;
	put(o, tok, natsname_token(tok, sizeof tok, val.p, val.len));
	*i += rlen;
	return NATSNAME_OK;
}

enum natsname_status natsname_expand(char *dst, size_t cap, const char *tmpl,
				     natsname_lookup lookup, void *ctx, size_t *len)
{
	struct out o = {dst, cap, 0, 0};
	enum natsname_status st = NATSNAME_OK;
	size_t i = 0;

	while (tmpl[i] && st == NATSNAME_OK) {
		unsigned char c = (unsigned char)tmpl[i];

		if (c == '%' || c == '$') {
			st = expand_ref(&o, tmpl, &i, lookup, ctx);
		} else if (c == '.') {
			if (o.token == 0)
				st = NATSNAME_ERR_EMPTY_TOKEN;
			else
				put(&o, ".", 1), o.token = 0, i++;
		} else if (!is_literal(c)) {
			st = NATSNAME_ERR_CHAR;
		} else {
			put(&o, tmpl + i, 1);
			i++;
		}
		if (st == NATSNAME_OK && (o.n > NATSNAME_SUBJECT_MAX || o.n >= cap))
			st = NATSNAME_ERR_TOO_LONG;
	}
	if (st == NATSNAME_OK && o.token == 0)
		st = NATSNAME_ERR_EMPTY_TOKEN;
	if (cap > 0)
		dst[o.n < cap ? o.n : cap - 1] = 0;
	*len = st == NATSNAME_OK ? o.n : i;
	return st;
}

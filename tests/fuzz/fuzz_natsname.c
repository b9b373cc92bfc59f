/* SPDX-License-Identifier: MIT */
/* fuzz_natsname.c: subject templates expanded from a message, and message IDs: the results are
 * always valid NATS subjects and header values. */
#include <string.h>

#include "fuzz.h"
#include "natsname.h"

/*
 * Input: a subject template, a newline, then an HL7 message.  %{PATH} reads the message,
 * $NAME gives the message's first bytes.  Whatever the input, an expanded subject is a valid
 * publish subject (no wildcard, no empty token, no space or control byte, no leading '$'), the
 * same at any larger capacity, and the message ID has no byte a header cannot carry.
 */

struct ctx {
	struct hl7_msg m;
	const char *msg;
	size_t len;
};

static int lookup(void *c, enum natsname_ref kind, const char *name, size_t len,
		  struct hl7_span *val)
{
	struct ctx *x = c;
	struct hl7_path p;

	if (kind == NATSNAME_ENV) {
		val->p = x->msg;
		val->len = x->len < len * 3 ? x->len : len * 3;
		return 0;
	}
	if (hl7_path_parse(name, len, &p) < 0)
		return -1;
	if (!x->m.has_field_separator || !hl7_get(&x->m, &p, val)) {
		val->p = "";
		val->len = 0;
	}
	return 0;
}

static void check_subject(const char *s, size_t len)
{
	size_t token = 0;

	FUZZ_CHECK(len >= 1 && len <= NATSNAME_SUBJECT_MAX && strlen(s) == len);
	FUZZ_CHECK(s[0] != '$');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		FUZZ_CHECK(c > ' ' && c < 0x7f && c != '*' && c != '>');
		if (c == '.') {
			FUZZ_CHECK(token > 0);
			token = 0;
		} else {
			token++;
		}
	}
	FUZZ_CHECK(token > 0);
}

static void check_msgid(struct ctx *x)
{
	unsigned char d[SHA256_LEN];
	char id[NATSNAME_MSGID_MAX + 1];
	struct hl7_span f[3] = {{"", 0}, {"", 0}, {"", 0}};

	if (x->m.has_field_separator) {
		f[0] = hl7_msh(&x->m, 3, 0);
		f[1] = hl7_msh(&x->m, 4, 0);
		f[2] = hl7_msh(&x->m, 10, 0);
	}
	sha256_digest(x->msg, x->len, d);
	size_t n = natsname_msgid(id, sizeof id, f, d);
	FUZZ_CHECK(n <= NATSNAME_MSGID_MAX && strlen(id) == n);
	for (size_t i = 0, slashes = 0; i < n; i++) {
		FUZZ_CHECK(id[i] > ' ' && id[i] < 0x7f);
		slashes += id[i] == '/';
		FUZZ_CHECK(slashes <= 3);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *nl = memchr(buf, '\n', size);
	size_t tlen = nl ? (size_t)(nl - buf) : size;
	char tmpl[512], out[NATSNAME_SUBJECT_MAX + 1], big[1024];
	size_t len, len2;
	struct ctx x = {.msg = nl ? nl + 1 : "", .len = nl ? size - tlen - 1 : 0};

	if (tlen >= sizeof tmpl || memchr(buf, 0, tlen))
		return 0;
	memcpy(tmpl, buf, tlen);
	tmpl[tlen] = 0;
	hl7_parse(&x.m, x.msg, x.len, 0);
	check_msgid(&x);

	enum natsname_status st = natsname_expand(out, sizeof out, tmpl, lookup, &x, &len);
	enum natsname_status st2 = natsname_expand(big, sizeof big, tmpl, lookup, &x, &len2);
	FUZZ_CHECK(strlen(out) < sizeof out && natsname_status_text(st)[0]);
	if (st == NATSNAME_OK) {
		check_subject(out, len);
		FUZZ_CHECK(st2 == NATSNAME_OK && len2 == len && strcmp(out, big) == 0);
	} else {
		FUZZ_CHECK(len <= tlen);
		FUZZ_CHECK(st2 == st || st == NATSNAME_ERR_TOO_LONG);
	}
	/* A template's syntax does not depend on the message. */
	enum natsname_status st3 = natsname_expand(big, sizeof big, tmpl, NULL, NULL, &len2);
	if (st3 != NATSNAME_OK && st3 != NATSNAME_ERR_TOO_LONG)
		FUZZ_CHECK(st == st3 || st == NATSNAME_ERR_REF || st == NATSNAME_ERR_TOO_LONG);
	for (size_t cap = 0; cap < 8 && cap < size; cap++) {
		char tok[8];
		size_t n = natsname_token(tok, cap, buf, size);

		FUZZ_CHECK(n >= 1 && n <= NATSNAME_VALUE_MAX);
	}
	return 0;
}

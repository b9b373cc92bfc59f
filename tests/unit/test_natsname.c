/* SPDX-License-Identifier: MIT */
/* test_natsname.c: subject tokens, message IDs and subject templates: table cases, every
 * capacity. */
#include <string.h>

#include "natsname.h"
#include "tap.h"

struct tcase {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

static const struct tcase tokens[] = {
    {"ADT", 0, "ADT"},
    {"A01-x_Y9", 0, "A01-x_Y9"},
    {"", 0, "_"},
    {"a.b", 0, "a_b"},
    {"*", 0, "_"},
    {">", 0, "_"},
    {"$JS", 0, "_JS"},
    {"a b\tc\r\n", 0, "a_b_c__"},
    {"a\0b", 3, "a_b"},
    {"\xc3\xa9", 0, "__"},
    {"x\\F\\y", 0, "x_F_y"},
    {"1234567890123456789012345678901234567890123456789012345678901234567890", 0,
     "1234567890123456789012345678901234567890123456789012345678901234"},
};

static void test_tokens(void)
{
	for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
		const struct tcase *c = &tokens[i];
		size_t len = c->len ? c->len : strlen(c->in), want = strlen(c->want);
		char out[NATSNAME_VALUE_MAX + 8];
		int ok = 1;

		for (size_t cap = 0; cap <= want + 1; cap++) {
			memset(out, '#', sizeof out);
			size_t n = natsname_token(cap ? out : NULL, cap, c->in, len);
			size_t w = cap < want ? cap : want;

			ok &= n == want && memcmp(out, c->want, w) == 0 && out[w] == '#';
		}
		TAP_OK(ok, "token %zu: \"%s\" at every capacity", i, c->want);
	}
}

static void test_msgid(void)
{
	unsigned char d[SHA256_LEN];
	const char *hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char want[NATSNAME_MSGID_MAX + 1], out[NATSNAME_MSGID_MAX + 8];
	struct hl7_span f[3] = {{"LAB/X", 5}, {"", 0}, {"42 \x1b\xff:~", 7}};
	int ok = 1;

	sha256_digest("abc", 3, d);
	snprintf(want, sizeof want, "LAB_X//42___:~/%s", hex);
	for (size_t cap = 0; cap <= strlen(want) + 1; cap++) {
		memset(out, '#', sizeof out);
		size_t n = natsname_msgid(out, cap, f, d);

		ok &= n == strlen(want);
		if (cap > 0)
			ok &=
			    strncmp(out, want, cap - 1) == 0 && out[cap - 1 < n ? cap - 1 : n] == 0;
		ok &= out[cap] == '#';
	}
	TAP_OK(ok, "msgid: fields sanitised, '/' replaced, hex digest, every capacity");

	char big[NATSNAME_VALUE_MAX * 2];
	memset(big, 'x', sizeof big);
	struct hl7_span g[3] = {{big, sizeof big}, {big, sizeof big}, {big, sizeof big}};
	TAP_OK(natsname_msgid(out, sizeof out, g, d) == NATSNAME_MSGID_MAX &&
		   strlen(out) == NATSNAME_MSGID_MAX,
	       "msgid: long fields cut at %d bytes each", NATSNAME_VALUE_MAX);
}

/* The look-up of the tests: fields by path from a fixed table, variables from another. */
static int lookup(void *ctx, enum natsname_ref kind, const char *name, size_t len,
		  struct hl7_span *val)
{
	static const char *const fields[][2] = {
	    {"MSH-9.1", "ADT"}, {"MSH-9.2", "A01"}, {"MSH-4", "LAB.1 *>"}};
	static const char *const vars[][2] = {{"HL7_MESSAGE_CODE", "ORU"}, {"EVIL", "a.b.>"}};
	const char *const(*t)[2] = kind == NATSNAME_FIELD ? fields : vars;
	size_t n = kind == NATSNAME_FIELD ? 3 : 2;

	(void)ctx;
	if (kind == NATSNAME_FIELD && (len < 5 || memcmp(name, "MSH-", 4) != 0))
		return -1;
	val->p = "";
	val->len = 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i][0]) == len && memcmp(t[i][0], name, len) == 0) {
			val->p = t[i][1];
			val->len = strlen(t[i][1]);
		}
	return 0;
}

struct xcase {
	const char *tmpl;
	enum natsname_status st;
	const char *want; /* the subject, or the error offset as a number */
};

static const struct xcase xcases[] = {
    {"hl7", NATSNAME_OK, "hl7"},
    {"hl7.%{MSH-9.1}.%{MSH-9.2}", NATSNAME_OK, "hl7.ADT.A01"},
    {"hl7.$HL7_MESSAGE_CODE", NATSNAME_OK, "hl7.ORU"},
    {"hl7.${HL7_MESSAGE_CODE}x", NATSNAME_OK, "hl7.ORUx"},
    {"hl7.$HL7_MESSAGE_CODE-x", NATSNAME_OK, "hl7.ORU-x"},
    {"hl7.%{MSH-4}", NATSNAME_OK, "hl7.LAB_1___"},
    {"hl7.$EVIL", NATSNAME_OK, "hl7.a_b__"},
    {"hl7.$UNSET", NATSNAME_OK, "hl7._"},
    {"hl7.%{MSH-7}.end", NATSNAME_OK, "hl7._.end"},
    {"$EVIL", NATSNAME_OK, "a_b__"},
    {"", NATSNAME_ERR_EMPTY_TOKEN, "0"},
    {".hl7", NATSNAME_ERR_EMPTY_TOKEN, "0"},
    {"hl7.", NATSNAME_ERR_EMPTY_TOKEN, "4"},
    {"hl7..x", NATSNAME_ERR_EMPTY_TOKEN, "4"},
    {"hl7.*", NATSNAME_ERR_CHAR, "4"},
    {"hl7.>", NATSNAME_ERR_CHAR, "4"},
    {"hl7 x", NATSNAME_ERR_CHAR, "3"},
    {"hl7.\x01", NATSNAME_ERR_CHAR, "4"},
    {"hl7.\xc3\xa9", NATSNAME_ERR_CHAR, "4"},
    {"hl7.{x}", NATSNAME_ERR_CHAR, "4"},
    {"hl7.%{MSH-9", NATSNAME_ERR_SYNTAX, "4"},
    {"hl7.%{}", NATSNAME_ERR_SYNTAX, "4"},
    {"hl7.%MSH", NATSNAME_ERR_SYNTAX, "4"},
    {"hl7.$", NATSNAME_ERR_SYNTAX, "4"},
    {"hl7.$9", NATSNAME_ERR_SYNTAX, "4"},
    {"hl7.${A-B}", NATSNAME_ERR_SYNTAX, "4"},
    {"hl7.%{PID}", NATSNAME_ERR_REF, "4"},
};

static void test_expand(void)
{
	for (size_t i = 0; i < sizeof xcases / sizeof xcases[0]; i++) {
		const struct xcase *c = &xcases[i];
		char out[NATSNAME_SUBJECT_MAX + 1], num[32];
		size_t len = 99;
		enum natsname_status st =
		    natsname_expand(out, sizeof out, c->tmpl, lookup, NULL, &len);

		if (st == NATSNAME_OK) {
			TAP_OK(st == c->st && strcmp(out, c->want) == 0 && len == strlen(out),
			       "expand \"%s\" -> \"%s\" (got \"%s\")", c->tmpl, c->want, out);
		} else {
			snprintf(num, sizeof num, "%zu", len);
			TAP_OK(st == c->st && strcmp(num, c->want) == 0,
			       "expand \"%s\": %s at %s (got %s at %zu)", c->tmpl,
			       natsname_status_text(c->st), c->want, natsname_status_text(st), len);
		}
	}
}

static void test_limits(void)
{
	char tmpl[600], out[NATSNAME_SUBJECT_MAX + 1];
	size_t len;

	memset(tmpl, 'a', NATSNAME_SUBJECT_MAX);
	tmpl[NATSNAME_SUBJECT_MAX] = 0;
	TAP_OK(natsname_expand(out, sizeof out, tmpl, NULL, NULL, &len) == NATSNAME_OK &&
		   len == NATSNAME_SUBJECT_MAX,
	       "a subject of %d bytes fits", NATSNAME_SUBJECT_MAX);
	strcpy(tmpl + NATSNAME_SUBJECT_MAX, "b");
	TAP_OK(natsname_expand(out, sizeof out, tmpl, NULL, NULL, &len) == NATSNAME_ERR_TOO_LONG &&
		   strlen(out) == NATSNAME_SUBJECT_MAX,
	       "one byte more is too long, the output stays terminated");
	TAP_OK(natsname_expand(out, 4, "hl7.x", NULL, NULL, &len) == NATSNAME_ERR_TOO_LONG &&
		   strcmp(out, "hl7") == 0,
	       "a small capacity is too long");
	TAP_OK(natsname_expand(out, sizeof out, "hl7.%{MSH-9.1}", NULL, NULL, &len) ==
		       NATSNAME_OK &&
		   strcmp(out, "hl7._") == 0,
	       "no look-up: every value empty");
	TAP_OK(strcmp(natsname_status_text(NATSNAME_ERR_CHAR),
		      "character not allowed in a subject") == 0,
	       "status text");
}

int main(void)
{
	test_tokens();
	test_msgid();
	test_expand();
	test_limits();
	return tap_done();
}

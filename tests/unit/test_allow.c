/* SPDX-License-Identifier: MIT */
/* test_allow.c: --tls-allow rules: parsing (good and malformed files), matching, CN from RFC 2253 subjects. */
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "tap.h"

struct parse_case {
	const char *name;
	const char *in;
	size_t len;        /* 0: strlen(in) */
	size_t rules;      /* when it parses */
	size_t err_line;   /* 0: it parses */
	const char *reason;
};

static const struct parse_case parse_cases[] = {
	{"empty file", "", 0, 0, 0, NULL},
	{"comments and blank lines only", "# rules\n\n   \n\t# indented\n", 0, 0, 0, NULL},
	{"one rule", "lab-sender LAB HOSP\n", 0, 1, 0, NULL},
	{"no final newline", "lab-sender LAB HOSP", 0, 1, 0, NULL},
	{"tabs, CRLF, trailing comment", "lab-sender\tLAB  HOSP # the lab\r\nris RIS *\r\n", 0, 2, 0, NULL},
	{"several lines per identity", "a X Y\na Z *\na * *\n", 0, 3, 0, NULL},
	{"non-ASCII bytes", "caf\xc3\xa9 L\xe4\x62 F\n", 0, 1, 0, NULL},
	{"two words", "# c\nlab-sender LAB\n", 0, 0, 2, "expected IDENTITY APPLICATION FACILITY"},
	{"four words", "a b c\n\na b c d\n", 0, 0, 3, "expected IDENTITY APPLICATION FACILITY"},
	{"one word", "lab-sender\n", 0, 0, 1, "expected IDENTITY APPLICATION FACILITY"},
	{"comment cuts a word count", "a b #c\n", 0, 0, 1, "expected IDENTITY APPLICATION FACILITY"},
	{"wildcard identity", "* LAB HOSP\n", 0, 0, 1, "IDENTITY cannot be *"},
	{"control character", "a b\x01 c\n", 0, 0, 1, "control character"},
	{"DEL", "a b c\x7f\n", 0, 0, 1, "control character"},
	{"NUL", "a b c\0\n", 7, 0, 1, "control character"},
	{"form feed on line 4", "a b c\n\n#\nx\fy z w\n", 0, 0, 4, "control character"},
};

struct permit_case {
	const char *name;
	const char *ids[3];
	size_t nids;
	const char *app, *fac;
	int want;
};

static const char rules[] =
	"# identity   application facility\n"
	"lab-sender   LAB         HOSP\n"
	"lab-sender   LAB2        HOSP\n"
	"ris          RIS         *\n"
	"any-app      *           WARD\n"
	"relay        *           *\n"
	"caf\xc3\xa9      A           B\n";

static const struct permit_case permit_cases[] = {
	{"exact", {"lab-sender"}, 1, "LAB", "HOSP", 1},
	{"second line of the identity", {"lab-sender"}, 1, "LAB2", "HOSP", 1},
	{"wrong application", {"lab-sender"}, 1, "RIS", "HOSP", 0},
	{"wrong facility", {"lab-sender"}, 1, "LAB", "OTHER", 0},
	{"case matters", {"lab-sender"}, 1, "lab", "HOSP", 0},
	{"prefix is not a match", {"lab-sender"}, 1, "LA", "HOSP", 0},
	{"longer is not a match", {"lab-sender"}, 1, "LABX", "HOSP", 0},
	{"empty application", {"lab-sender"}, 1, "", "HOSP", 0},
	{"identity case matters", {"Lab-Sender"}, 1, "LAB", "HOSP", 0},
	{"identity prefix", {"lab"}, 1, "LAB", "HOSP", 0},
	{"unknown identity", {"rogue"}, 1, "LAB", "HOSP", 0},
	{"no identity", {NULL}, 0, "LAB", "HOSP", 0},
	{"facility wildcard", {"ris"}, 1, "RIS", "ANY", 1},
	{"facility wildcard, empty facility", {"ris"}, 1, "RIS", "", 1},
	{"facility wildcard, wrong application", {"ris"}, 1, "LAB", "ANY", 0},
	{"application wildcard", {"any-app"}, 1, "WHATEVER", "WARD", 1},
	{"application wildcard, wrong facility", {"any-app"}, 1, "WHATEVER", "HOSP", 0},
	{"both wildcards", {"relay"}, 1, "X", "Y", 1},
	{"both wildcards, empty values", {"relay"}, 1, "", "", 1},
	{"literal * is not a wildcard in the message", {"lab-sender"}, 1, "*", "HOSP", 0},
	{"second identity matches", {"rogue", "ris"}, 2, "RIS", "F", 1},
	{"rules of one identity not lent to another", {"ris", "any-app"}, 2, "LAB", "HOSP", 0},
	{"non-ASCII identity", {"caf\xc3\xa9"}, 1, "A", "B", 1},
};

struct cn_case {
	const char *name;
	const char *subject;
	const char *want[3]; /* the CNs, in order */
	size_t n;
};

static const struct cn_case cn_cases[] = {
	{"CN last (RFC 2253 order)", "O=Hospital,CN=lab-sender", {"lab-sender"}, 1},
	{"CN first", "CN=lab-sender,O=Hospital,C=DE", {"lab-sender"}, 1},
	{"no CN", "O=Hospital,C=DE", {NULL}, 0},
	{"empty subject", "", {NULL}, 0},
	{"escaped comma and plus", "CN=Smith\\, John \\+ co,O=X", {"Smith, John + co"}, 1},
	{"escaped backslash and quote", "CN=a\\\\b\\\"c", {"a\\b\"c"}, 1},
	{"hex escape (UTF-8)", "CN=caf\\C3\\A9,O=X", {"caf\xc3\xa9"}, 1},
	{"escaped leading # and space", "CN=\\#1\\ ", {"#1 "}, 1},
	{"hex dump skipped", "CN=#0C03616263,O=X", {NULL}, 0},
	{"multi-valued RDN", "O=X+CN=one,CN=two", {"one", "two"}, 2},
	{"cn lower case type", "cn=low", {"low"}, 1},
	{"CNX is not CN", "CNX=no,XCN=no,CN=yes", {"yes"}, 1},
	{"escaped NUL skipped", "CN=a\\00b,CN=ok", {"ok"}, 1},
	{"trailing backslash skipped", "CN=ab\\", {NULL}, 0},
	{"no = in an attribute", "garbage,CN=ok", {"ok"}, 1},
	{"empty CN", "CN=,O=X", {""}, 1},
	{"CN containing =", "CN=a=b", {"a=b"}, 1},
};

int main(void)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct allow_error err = {99, "unset"};
		size_t len = c->len ? c->len : strlen(c->in);
		/* A heap copy without a terminator: the parser must respect len. */
		char *copy = malloc(len ? len : 1);
		memcpy(copy, c->in, len);
		struct allow_table *t = allow_parse(copy, len, &err);
		free(copy);
		if (c->err_line == 0)
			TAP_OK(t && allow_count(t) == c->rules, "parse: %s: %zu rule(s)", c->name, c->rules);
		else
			TAP_OK(!t && err.line == c->err_line && strcmp(err.reason, c->reason) == 0,
			       "parse: %s: line %zu: %s (got line %zu: %s)", c->name, c->err_line, c->reason, err.line,
			       err.reason);
		allow_free(t);
	}

	struct allow_error err;
	struct allow_table *t = allow_parse(rules, strlen(rules), &err);
	TAP_OK(t && allow_count(t) == 6, "the rule table parses: 6 rules");
	for (size_t i = 0; t && i < sizeof permit_cases / sizeof permit_cases[0]; i++) {
		const struct permit_case *c = &permit_cases[i];
		int got = allow_permits(t, c->ids, c->nids, c->app, strlen(c->app), c->fac, strlen(c->fac));
		TAP_OK(got == c->want, "permits: %s: %s", c->name, c->want ? "allowed" : "refused");
	}
	TAP_OK(allow_permits(t, NULL, 0, NULL, 0, NULL, 0) == 0, "permits: no identities, NULL values: refused");
	const char *relay[] = {"relay"};
	TAP_OK(allow_permits(t, relay, 1, NULL, 0, NULL, 0) == 1, "permits: wildcards accept NULL values");
	TAP_OK(allow_permits(NULL, relay, 1, "X", 1, "Y", 1) == 0, "permits: no table: refused");
	/* Values are raw bytes with lengths: an embedded NUL does not end them. */
	TAP_OK(allow_permits(t, (const char *[]){"lab-sender"}, 1, "LAB\0X", 5, "HOSP", 4) == 0,
	       "permits: a NUL inside MSH-3 does not cut it short");
	allow_free(t);
	allow_free(NULL);
	TAP_OK(allow_count(NULL) == 0, "count of no table is 0");

	for (size_t i = 0; i < sizeof cn_cases / sizeof cn_cases[0]; i++) {
		const struct cn_case *c = &cn_cases[i];
		char out[64];
		size_t pos = 0, n = 0;
		int ok = 1;
		while (allow_next_cn(c->subject, &pos, out, sizeof out)) {
			if (n >= c->n || strcmp(out, c->want[n]) != 0)
				ok = 0;
			n++;
		}
		TAP_OK(ok && n == c->n, "cn: %s: %zu CN(s)", c->name, c->n);
	}
	/* A value that does not fit is skipped, never cut to a prefix. */
	char small[6];
	size_t pos = 0;
	int r1 = allow_next_cn("CN=lab-sender,CN=short", &pos, small, sizeof small);
	TAP_OK(r1 == 1 && strcmp(small, "short") == 0, "cn: too long for the buffer: skipped, not truncated");
	pos = 0;
	TAP_OK(allow_next_cn("CN=abcdef", &pos, small, sizeof small) == 0 && small[0] == '\0',
	       "cn: only a too-long CN: none");
	pos = 0;
	TAP_OK(allow_next_cn(NULL, &pos, small, sizeof small) == 0, "cn: NULL subject: none");
	return tap_done();
}

/* SPDX-License-Identifier: MIT */
/* test_allow.c: --tls-allow rules: parsing (good and malformed files), matching by kind of identity
 * and MSH-3/4. */
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "tap.h"

struct parse_case {
	const char *name;
	const char *in;
	size_t len;	 /* 0: strlen(in) */
	size_t rules;	 /* when it parses */
	size_t err_line; /* 0: it parses */
	const char *reason;
};

static const struct parse_case parse_cases[] = {
    {"empty file", "", 0, 0, 0, NULL},
    {"comments and blank lines only", "# rules\n\n   \n\t# indented\n", 0, 0, 0, NULL},
    {"one rule", "lab-sender LAB HOSP\n", 0, 1, 0, NULL},
    {"no final newline", "lab-sender LAB HOSP", 0, 1, 0, NULL},
    {"tabs, CRLF, trailing comment", "lab-sender\tLAB  HOSP # the lab\r\nris RIS *\r\n", 0, 2, 0,
     NULL},
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
    /* found by fuzz_allow: a comment hid NUL and control characters */
    {"NUL in a comment", "a b c # x\0y\n", 12, 0, 1, "control character"},
    {"control character in a comment line", "a b c\n# \x1a\n", 0, 0, 2, "control character"},
    {"DEL in a trailing comment", "a b c\nd e f #\x7f\n", 0, 0, 2, "control character"},
    {"every kind",
     "CN:a X Y\nDNS:h.example X Y\nemail:a@h.example X Y\nURI:urn:x:y X Y\nIP:10.0.0.1 X Y\n"
     "IP:2001:db8::1 X Y\n*:any X Y\n",
     0, 7, 0, NULL},
    {"kinds in any case", "cn:a X Y\ndns:h X Y\nEMAIL:e X Y\nuri:u X Y\nip:::1 X Y\n", 0, 5, 0,
     NULL},
    {"unknown kind is a bare CN", "RID:1.2.3 X Y\nhost:8080 X Y\n", 0, 2, 0, NULL},
    {"CN: holding another kind", "CN:DNS:x X Y\n", 0, 1, 0, NULL},
    {"kind with a wildcard name", "DNS:* X Y\n", 0, 0, 1, "IDENTITY cannot be *"},
    {"any kind, wildcard name", "a b c\n*:* X Y\n", 0, 0, 2, "IDENTITY cannot be *"},
    {"kind without a name", "DNS: X Y\n", 0, 0, 1, "IDENTITY has an empty name"},
    {"any kind without a name", "*: X Y\n", 0, 0, 1, "IDENTITY has an empty name"},
    {"CN: without a name", "CN: X Y\n", 0, 0, 1, "IDENTITY has an empty name"},
    {"IP: not an address", "IP:10.0.0 X Y\n", 0, 0, 1, "IDENTITY IP: not an IPv4 or IPv6 address"},
    {"IP: a host name", "IP:localhost X Y\n", 0, 0, 1, "IDENTITY IP: not an IPv4 or IPv6 address"},
    {"IP: a network", "IP:10.0.0.0/8 X Y\n", 0, 0, 1, "IDENTITY IP: not an IPv4 or IPv6 address"},
    {"IP: a zone", "IP:fe80::1%eth0 X Y\n", 0, 0, 1, "IDENTITY IP: not an IPv4 or IPv6 address"},
    {"IP: too long", "IP:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001 X Y\n", 0, 0,
     1, "IDENTITY IP: not an IPv4 or IPv6 address"},
    {"*: a non-address name is fine", "*:lab X Y\n", 0, 1, 0, NULL},
};

struct permit_case {
	const char *name;
	const char *ids[3];
	size_t nids;
	const char *app, *fac;
	int want;
};

static const char rules[] = "# identity   application facility\n"
			    "lab-sender   LAB         HOSP\n"
			    "lab-sender   LAB2        HOSP\n"
			    "ris          RIS         *\n"
			    "any-app      *           WARD\n"
			    "relay        *           *\n"
			    "caf\xc3\xa9      A           B\n"
			    "CN:explicit  E           F\n"
			    "DNS:Lab.Example.org  DNSAPP  F\n"
			    "email:lab@example.org  MAILAPP  F\n"
			    "URI:spiffe://example.org/lab  URIAPP  F\n"
			    "IP:192.0.2.7  IPAPP  F\n"
			    "ip:2001:DB8:0:0::1  IP6APP  F\n"
			    "IP:::ffff:192.0.2.8  MAPPED  F\n"
			    "*:shared  ANYAPP  F\n"
			    "*:198.51.100.1  ANYIP  F\n";

static const struct permit_case permit_cases[] = {
    {"exact", {"CN:lab-sender"}, 1, "LAB", "HOSP", 1},
    {"second line of the identity", {"CN:lab-sender"}, 1, "LAB2", "HOSP", 1},
    {"wrong application", {"CN:lab-sender"}, 1, "RIS", "HOSP", 0},
    {"wrong facility", {"CN:lab-sender"}, 1, "LAB", "OTHER", 0},
    {"case matters", {"CN:lab-sender"}, 1, "lab", "HOSP", 0},
    {"prefix is not a match", {"CN:lab-sender"}, 1, "LA", "HOSP", 0},
    {"longer is not a match", {"CN:lab-sender"}, 1, "LABX", "HOSP", 0},
    {"empty application", {"CN:lab-sender"}, 1, "", "HOSP", 0},
    {"identity case matters", {"CN:Lab-Sender"}, 1, "LAB", "HOSP", 0},
    {"identity prefix", {"CN:lab"}, 1, "LAB", "HOSP", 0},
    {"unknown identity", {"CN:rogue"}, 1, "LAB", "HOSP", 0},
    {"no identity", {NULL}, 0, "LAB", "HOSP", 0},
    {"facility wildcard", {"CN:ris"}, 1, "RIS", "ANY", 1},
    {"facility wildcard, empty facility", {"CN:ris"}, 1, "RIS", "", 1},
    {"facility wildcard, wrong application", {"CN:ris"}, 1, "LAB", "ANY", 0},
    {"application wildcard", {"CN:any-app"}, 1, "WHATEVER", "WARD", 1},
    {"application wildcard, wrong facility", {"CN:any-app"}, 1, "WHATEVER", "HOSP", 0},
    {"both wildcards", {"CN:relay"}, 1, "X", "Y", 1},
    {"both wildcards, empty values", {"CN:relay"}, 1, "", "", 1},
    {"literal * is not a wildcard in the message", {"CN:lab-sender"}, 1, "*", "HOSP", 0},
    {"second identity matches", {"CN:rogue", "CN:ris"}, 2, "RIS", "F", 1},
    {"rules of one identity not lent to another", {"CN:ris", "CN:any-app"}, 2, "LAB", "HOSP", 0},
    {"non-ASCII identity", {"CN:caf\xc3\xa9"}, 1, "A", "B", 1},
    {"explicit CN: rule", {"CN:explicit"}, 1, "E", "F", 1},
    /* An identity must say its kind: a bare or "*:" identity matches nothing. */
    {"bare identity matches nothing", {"lab-sender"}, 1, "LAB", "HOSP", 0},
    {"any-kind identity matches nothing", {"*:lab-sender"}, 1, "LAB", "HOSP", 0},
    {"unknown identity kind", {"RID:lab-sender"}, 1, "LAB", "HOSP", 0},
    /* A bare rule is a CN rule: a SAN of the same name is not it. */
    {"bare rule, DNS SAN of the name", {"DNS:lab-sender"}, 1, "LAB", "HOSP", 0},
    {"bare rule, email SAN of the name", {"email:lab-sender"}, 1, "LAB", "HOSP", 0},
    {"DNS rule", {"CN:x", "DNS:Lab.Example.org"}, 2, "DNSAPP", "F", 1},
    {"DNS rule, ASCII case ignored", {"DNS:lab.example.ORG"}, 1, "DNSAPP", "F", 1},
    {"DNS rule, other name", {"DNS:lab.example.org.evil"}, 1, "DNSAPP", "F", 0},
    {"DNS rule, shorter name", {"DNS:lab.example"}, 1, "DNSAPP", "F", 0},
    {"DNS rule, not by a CN", {"CN:Lab.Example.org"}, 1, "DNSAPP", "F", 0},
    {"DNS rule, not by an email", {"email:Lab.Example.org"}, 1, "DNSAPP", "F", 0},
    {"DNS rule, wrong application", {"DNS:Lab.Example.org"}, 1, "LAB", "F", 0},
    {"email rule", {"email:lab@example.org"}, 1, "MAILAPP", "F", 1},
    {"email rule, case matters", {"email:Lab@example.org"}, 1, "MAILAPP", "F", 0},
    {"email rule, not by a DNS name", {"DNS:lab@example.org"}, 1, "MAILAPP", "F", 0},
    {"email rule, not by a URI", {"URI:lab@example.org"}, 1, "MAILAPP", "F", 0},
    {"URI rule", {"URI:spiffe://example.org/lab"}, 1, "URIAPP", "F", 1},
    {"URI rule, not by a CN", {"CN:spiffe://example.org/lab"}, 1, "URIAPP", "F", 0},
    {"URI rule, longer", {"URI:spiffe://example.org/lab/x"}, 1, "URIAPP", "F", 0},
    {"IP rule", {"IP:192.0.2.7"}, 1, "IPAPP", "F", 1},
    {"IP rule, other address", {"IP:192.0.2.70"}, 1, "IPAPP", "F", 0},
    {"IP rule, not by a DNS name", {"DNS:192.0.2.7"}, 1, "IPAPP", "F", 0},
    {"IP rule, not by a CN", {"CN:192.0.2.7"}, 1, "IPAPP", "F", 0},
    {"IP rule, not by the IPv4-mapped IPv6", {"IP:::ffff:192.0.2.7"}, 1, "IPAPP", "F", 0},
    {"IPv6 rule written long, RFC 5952 identity", {"IP:2001:db8::1"}, 1, "IP6APP", "F", 1},
    {"IPv6 rule, uncompressed identity", {"IP:2001:0db8:0:0:0:0:0:1"}, 1, "IP6APP", "F", 1},
    {"IPv6 rule, other address", {"IP:2001:db8::2"}, 1, "IP6APP", "F", 0},
    {"IPv4-mapped rule", {"IP:::ffff:192.0.2.8"}, 1, "MAPPED", "F", 1},
    {"IPv4-mapped rule, not by the IPv4", {"IP:192.0.2.8"}, 1, "MAPPED", "F", 0},
    {"IP identity that is not an address", {"IP:not-an-address"}, 1, "IPAPP", "F", 0},
    {"any-kind rule, CN", {"CN:shared"}, 1, "ANYAPP", "F", 1},
    {"any-kind rule, DNS", {"DNS:SHARED"}, 1, "ANYAPP", "F", 1},
    {"any-kind rule, email", {"email:shared"}, 1, "ANYAPP", "F", 1},
    {"any-kind rule, URI", {"URI:shared"}, 1, "ANYAPP", "F", 1},
    {"any-kind rule, CN case matters", {"CN:Shared"}, 1, "ANYAPP", "F", 0},
    {"any-kind rule, IP identity, name not an address", {"IP:shared"}, 1, "ANYAPP", "F", 0},
    {"any-kind rule, wrong application", {"DNS:shared"}, 1, "IPAPP", "F", 0},
    {"any-kind address rule, IP", {"IP:198.51.100.1"}, 1, "ANYIP", "F", 1},
    {"any-kind address rule, DNS", {"DNS:198.51.100.1"}, 1, "ANYIP", "F", 1},
};

/* Whole fields, every component, in the message's own separators. */
static void test_sender(void)
{
	static const char sender_rules[] =
	    "lab LAB^2.16.840.1.113883.99^ISO HOSP\nlab * WARD&X\nris RIS *\n";
	struct allow_error err;
	struct allow_table *t = allow_parse(sender_rules, sizeof sender_rules - 1, &err);
	static const char names[] = "CN:lab\0\0";
	struct hl7_delims std = hl7_default_delims, odd = {'|', '$', '@', '\\', '%', 0};
	static const struct {
		const char *app, *fac;
		int odd, want;
		const char *name;
	} cases[] = {
	    {"LAB^2.16.840.1.113883.99^ISO", "HOSP", 0, 1, "whole HD matches"},
	    {"LAB", "HOSP", 0, 0, "first component alone does not"},
	    {"LAB^2.16.840.1.113883.98^ISO", "HOSP", 0, 0, "another universal ID does not"},
	    {"LAB^2.16.840.1.113883.99^ISO", "HOSP^1^ISO", 0, 0, "facility compared whole too"},
	    {"LAB$2.16.840.1.113883.99$ISO", "HOSP", 1, 1,
	     "other separators are written ^ for the rules"},
	    {"ANY", "WARD%X", 1, 1, "subcomponents written &"},
	    {"LAB^2.16.840.1.113883.99^ISO", "HOSP", 1, 0,
	     "a literal ^ in other separators never matches"},
	    {"RIS", "", 0, 0, "an identity without rules for it"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct hl7_span a = {cases[i].app, strlen(cases[i].app)},
				f = {cases[i].fac, strlen(cases[i].fac)};
		TAP_OK(t && allow_sender_permits(t, names, a, f, cases[i].odd ? &odd : &std) ==
				cases[i].want,
		       "allow_sender_permits: %s", cases[i].name);
	}
	TAP_OK(t && !allow_sender_permits(t, NULL, (struct hl7_span){"RIS", 3},
					  (struct hl7_span){"", 0}, &std),
	       "allow_sender_permits: no names, no match");
	allow_free(t);
}

int main(void)
{
	test_sender();
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
			TAP_OK(t && allow_count(t) == c->rules, "parse: %s: %zu rule(s)", c->name,
			       c->rules);
		else
			TAP_OK(!t && err.line == c->err_line && strcmp(err.reason, c->reason) == 0,
			       "parse: %s: line %zu: %s (got line %zu: %s)", c->name, c->err_line,
			       c->reason, err.line, err.reason);
		allow_free(t);
	}

	struct allow_error err;
	struct allow_table *t = allow_parse(rules, strlen(rules), &err);
	TAP_OK(t && allow_count(t) == 15, "the rule table parses: 15 rules");
	for (size_t i = 0; t && i < sizeof permit_cases / sizeof permit_cases[0]; i++) {
		const struct permit_case *c = &permit_cases[i];
		int got = allow_permits(t, c->ids, c->nids, c->app, strlen(c->app), c->fac,
					strlen(c->fac));
		TAP_OK(got == c->want, "permits: %s: %s", c->name, c->want ? "allowed" : "refused");
	}
	TAP_OK(allow_permits(t, NULL, 0, NULL, 0, NULL, 0) == 0,
	       "permits: no identities, NULL values: refused");
	const char *relay[] = {"CN:relay"};
	TAP_OK(allow_permits(t, relay, 1, NULL, 0, NULL, 0) == 1,
	       "permits: wildcards accept NULL values");
	TAP_OK(allow_permits(NULL, relay, 1, "X", 1, "Y", 1) == 0, "permits: no table: refused");
	/* Values are raw bytes with lengths: an embedded NUL does not end them. */
	TAP_OK(allow_permits(t, (const char *[]){"CN:lab-sender"}, 1, "LAB\0X", 5, "HOSP", 4) == 0,
	       "permits: a NUL inside MSH-3 does not cut it short");
	allow_free(t);
	allow_free(NULL);
	TAP_OK(allow_count(NULL) == 0, "count of no table is 0");
	return tap_done();
}

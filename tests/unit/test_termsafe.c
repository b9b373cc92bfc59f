/* SPDX-License-Identifier: MIT */
/* test_termsafe.c: control characters found and written \xhh: table cases, every capacity, input at
 * a guard page. */
#include <string.h>

#include "guard.h"
#include "tap.h"
#include "termsafe.h"

struct tcase {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	unsigned flags;
	const char *want;
};

static const struct tcase cases[] = {
    {"plain ASCII", "ADT^A01 O'BRIEN", 0, 0, "ADT^A01 O'BRIEN"},
    {"ESC of a CSI sequence", "a\x1b[2Jb", 0, 0, "a\\x1b[2Jb"},
    {"OSC ended by BEL", "\x1b]0;title\x07", 0, 0, "\\x1b]0;title\\x07"},
    {"NUL", "a\0b", 3, 0, "a\\x00b"},
    {"DEL", "a\x7f", 0, 0, "a\\x7f"},
    {"TAB LF CR as hex", "\t\n\r", 0, 0, "\\x09\\x0a\\x0d"},
    {"TAB LF CR named", "a\tb\nc\rd", 0, TERMSAFE_NAMED, "a\\tb\\nc\\rd"},
    {"lone C1 CSI (Latin-1 terminal)",
     "a\x9b"
     "2J",
     0, 0, "a\\x9b2J"},
    {"every lone C1 byte: 0x80", "\x80", 0, 0, "\\x80"},
    {"every lone C1 byte: 0x9f", "\x9f", 0, 0, "\\x9f"},
    {"C1 CSI in UTF-8",
     "a\xc2\x9b"
     "2J",
     0, 0, "a\\xc2\\x9b2J"},
    {"U+0080 and U+009F in UTF-8", "\xc2\x80\xc2\x9f", 0, 0, "\\xc2\\x80\\xc2\\x9f"},
    {"U+00A0 and e-acute are text", "\xc2\xa0\xc3\xa9", 0, 0, "\xc2\xa0\xc3\xa9"},
    {"euro sign: continuation 0x82 is no C1", "\xe2\x82\xac", 0, 0, "\xe2\x82\xac"},
    {"4-byte UTF-8", "\xf0\x9f\x98\x80", 0, 0, "\xf0\x9f\x98\x80"},
    {"Latin-1 letters are text", "M\xfcller \xe9", 0, 0, "M\xfcller \xe9"},
    {"cut UTF-8 then C1 byte", "\xe2\x82", 0, 0, "\xe2\\x82"},
    {"0xC2 at the end", "a\xc2", 0, 0, "a\xc2"},
    {"backslash stands for itself", "\\x1b\\t", 0, TERMSAFE_NAMED, "\\x1b\\t"},
    {"raw: only TAB LF CR", "a\x1b\tb\x9b\xc2\x9b\x7f\r\n", 0, TERMSAFE_RAW,
     "a\x1b\\tb\x9b\xc2\x9b\x7f\\r\\n"},
    {"empty", "", 0, 0, ""},
};

struct ccase {
	const char *in;
	size_t len;
	size_t control, utf8;
};

static const struct ccase ccases[] = {
    {"A", 1, 0, 1},
    {"\x1b", 1, 1, 1},
    {"\x7f", 1, 1, 1},
    {"\x9b", 1, 1, 0},
    {"\xc2\x9b", 2, 2, 2},
    {"\xc2\xa0", 2, 0, 2},
    {"\xc2", 1, 0, 0},
    {"\xc0\x9b", 2, 0, 0},	   /* overlong: not UTF-8; 0xC0 itself is no control */
    {"\xed\xa0\x80", 3, 0, 0},	   /* a surrogate */
    {"\xf4\x90\x80\x80", 4, 0, 0}, /* over U+10FFFF */
    {"", 0, 0, 0},
};

struct acase {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *also;
	size_t cap;
	const char *want;
};

static const struct acase acases[] = {
    {"ascii: printable stays", "MSG00001 a~z", 0, "", 64, "MSG00001 a~z"},
    {"ascii: controls, DEL, UTF-8 as \\xhh", "a\x1b\x7f\xc3\xa9", 0, "", 64,
     "a\\x1b\\x7f\\xc3\\xa9"},
    {"ascii: NUL", "a\0b", 3, "", 64, "a\\x00b"},
    {"ascii: the also set", "k=\"v\" \\", 0, " \"\\=", 64, "k\\x3d\\x22v\\x22\\x20\\x5c"},
    {"ascii: cut before a byte without room for it and 4 more", "abcdefgh", 0, "", 8, "abcd"},
    {"ascii: never inside an escape", "ab\x01\x02", 0, "", 9, "ab"},
    {"ascii: an escape that fits", "ab\x01\x02", 0, "", 10, "ab\\x01"},
    {"ascii: cap 5 holds one byte", "xyz", 0, "", 5, "x"},
    {"ascii: cap 4 holds none", "xyz", 0, "", 4, ""},
    {"ascii: empty", "", 0, "", 8, ""},
};

/* termsafe_ascii(): the table, each input ending at a guard page, the NUL, nothing past it. */
static void ascii_cases(void)
{
	char out[128];

	for (size_t i = 0; i < sizeof acases / sizeof acases[0]; i++) {
		const struct acase *t = &acases[i];
		size_t len = t->len ? t->len : strlen(t->in);
		size_t want = strlen(t->want);
		struct guarded g = guard_copy(t->in, len);

		memset(out, 0x55, sizeof out);
		size_t n = termsafe_ascii(out, t->cap, g.p, len, t->also);
		TAP_OK(n == want && memcmp(out, t->want, want) == 0 && out[n] == '\0' &&
			   (unsigned char)out[t->cap] == 0x55,
		       "%s (%zu bytes: \"%s\")", t->name, n, out);
		guard_free(&g);
	}
}

int main(void)
{
	char out[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = t->len ? t->len : strlen(t->in), want = strlen(t->want), cap, n;
		int ok = 1;
		struct guarded g = guard_copy(t->in, len);

		memset(out, 0x55, sizeof out);
		n = termsafe_escape(out, sizeof out, g.p, len, t->flags);
		TAP_OK(n == want && memcmp(out, t->want, want) == 0 &&
			   (unsigned char)out[n] == 0x55,
		       "%s: escape", t->name);
		for (cap = 0; cap <= want; cap++) {
			memset(out, 0x55, sizeof out);
			n = termsafe_escape(cap ? out : NULL, cap, g.p, len, t->flags);
			if (n != want || memcmp(out, t->want, cap) != 0 ||
			    (unsigned char)out[cap] != 0x55)
				ok = 0;
		}
		TAP_OK(ok, "%s: every capacity writes a prefix and returns the full length",
		       t->name);
		guard_free(&g);
	}
	for (size_t i = 0; i < sizeof ccases / sizeof ccases[0]; i++) {
		const struct ccase *c = &ccases[i];
		struct guarded g = guard_copy(c->in, c->len);

		TAP_OK(termsafe_control(g.p, c->len) == c->control, "control %zu: %zu", i,
		       c->control);
		TAP_OK(termsafe_utf8(g.p, c->len) == c->utf8, "utf8 %zu: %zu", i, c->utf8);
		guard_free(&g);
	}
	ascii_cases();
	return tap_done();
}

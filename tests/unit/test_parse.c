/* SPDX-License-Identifier: MIT */
/* test_parse.c: every boundary of the count, size and duration parsers: 0, max, max + 1, overflow,
 * form. */
#include <limits.h>
#include <stdio.h>

#include "parse.h"
#include "tap.h"

#define OK PARSE_OK
#define EMPTY PARSE_EMPTY
#define BAD PARSE_INVALID
#define RANGE PARSE_RANGE

struct tcase {
	const char *s;
	enum parse_status st;
	unsigned long long v; /* when OK */
};

/* Run a table through fn; *out must stay untouched unless OK. */
#define RUN(name, table, call)                                                                     \
	do {                                                                                       \
		int ok_ = 1;                                                                       \
		for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {                      \
			const char *s = table[i].s;                                                \
			unsigned long long v = 12345;                                              \
			enum parse_status st = call;                                               \
			unsigned long long want = table[i].st == OK ? table[i].v : 12345;          \
			if (st != table[i].st || v != want) {                                      \
				printf("# %s(\"%s\"): %s, %llu; expected %s, %llu\n", name,        \
				       s ? s : "NULL", parse_status_text(st), v,                   \
				       parse_status_text(table[i].st), want);                      \
				ok_ = 0;                                                           \
			}                                                                          \
		}                                                                                  \
		TAP_OK(ok_, "%s: %zu cases", name, sizeof table / sizeof table[0]);                \
	} while (0)

static void test_count(void)
{
	static const struct tcase c[] = {
	    {"0", RANGE, 0},
	    {"1", OK, 1},
	    {"100000", OK, 100000},
	    {"100001", RANGE, 0},
	    {"0001", OK, 1},
	    {"4294967297", RANGE, 0},
	    {"18446744073709551615", RANGE, 0},
	    {"18446744073709551616", RANGE, 0},
	    {"99999999999999999999999", RANGE, 0},
	    {NULL, EMPTY, 0},
	    {"", EMPTY, 0},
	    {"-1", BAD, 0},
	    {"+1", BAD, 0},
	    {" 1", BAD, 0},
	    {"1 ", BAD, 0},
	    {"1.5", BAD, 0},
	    {"1e3", BAD, 0},
	    {"0x10", BAD, 0},
	    {"1K", BAD, 0},
	    {"abc", BAD, 0},
	    {"1\n", BAD, 0},
	    {"-0", BAD, 0},
	    {"99999999999999999999x", BAD, 0},
	};
	RUN("parse_count [1, 100000]", c, parse_count(s, 1, 100000, &v));

	static const struct tcase full[] = {
	    {"0", OK, 0},
	    {"18446744073709551615", OK, ULLONG_MAX},
	    {"18446744073709551616", RANGE, 0},
	    {"18446744073709551620", RANGE, 0},
	    {"00000000000000000000000018446744073709551615", OK, ULLONG_MAX},
	};
	RUN("parse_count [0, ULLONG_MAX]", full, parse_count(s, 0, ULLONG_MAX, &v));
}

static void test_size(void)
{
	static const struct tcase c[] = {
	    {"16", OK, 16},
	    {"15", RANGE, 0},
	    {"0", RANGE, 0},
	    {"0K", RANGE, 0},
	    {"1073741824", OK, 1ull << 30},
	    {"1073741825", RANGE, 0},
	    {"1K", OK, 1024},
	    {"1k", OK, 1024},
	    {"1048576K", OK, 1ull << 30},
	    {"1048577K", RANGE, 0},
	    {"1M", OK, 1ull << 20},
	    {"1m", OK, 1ull << 20},
	    {"16M", OK, 16ull << 20},
	    {"1024M", OK, 1ull << 30},
	    {"1025M", RANGE, 0},
	    {"1G", OK, 1ull << 30},
	    {"1g", OK, 1ull << 30},
	    {"2G", RANGE, 0},
	    /* 2^34 + 1 G, 2^44 + 1 M, 2^54 + 1 K: each wraps to one unit in 64 bits */
	    {"17179869185G", RANGE, 0},
	    {"17592186044417M", RANGE, 0},
	    {"18014398509481985K", RANGE, 0},
	    {"17179869184G", RANGE, 0},
	    {"18446744073709551615", RANGE, 0},
	    {"18446744073709551616", RANGE, 0},
	    {"99999999999G", RANGE, 0},
	    {NULL, EMPTY, 0},
	    {"", EMPTY, 0},
	    {"K", BAD, 0},
	    {"-1", BAD, 0},
	    {"+1K", BAD, 0},
	    {" 1K", BAD, 0},
	    {"1K ", BAD, 0},
	    {"1 K", BAD, 0},
	    {"1.5K", BAD, 0},
	    {"1KB", BAD, 0},
	    {"1KK", BAD, 0},
	    {"1T", BAD, 0},
	    {"1b", BAD, 0},
	    {"12Q", BAD, 0},
	    {"abc", BAD, 0},
	    {"1e3", BAD, 0},
	};
	RUN("parse_size [16, 1G]", c, parse_size(s, 16, 1ull << 30, &v));

	static const struct tcase full[] = {
	    {"17179869183G", OK, 17179869183ull << 30},
	    {"17179869184G", RANGE, 0},
	    {"18014398509481983K", OK, 18014398509481983ull << 10},
	    {"18014398509481984K", RANGE, 0},
	    {"0", OK, 0},
	    {"0G", OK, 0},
	};
	RUN("parse_size [0, ULLONG_MAX]", full, parse_size(s, 0, ULLONG_MAX, &v));
}

static void test_seconds(void)
{
	/* Timeouts in mllpd and mllp-send: seconds with a fraction, 0 to 2147483 s. */
	static const struct tcase c[] = {
	    {"0", OK, 0},
	    {"0.0", OK, 0},
	    {"0.000", OK, 0},
	    {"0.0000", OK, 0},
	    {"1", OK, 1000},
	    {"0.5", OK, 500},
	    {"0.05", OK, 50},
	    {"0.001", OK, 1},
	    {"0.0001", OK, 1},
	    {"0.0010001", OK, 2},
	    {"0.000000000000000000000001", OK, 1},
	    {"1.2345", OK, 1235},
	    {"1.2340", OK, 1234},
	    {"30", OK, 30000},
	    {"2147483", OK, 2147483000ull},
	    {"2147483.000", OK, 2147483000ull},
	    {"2147483.0001", RANGE, 0},
	    {"2147483.001", RANGE, 0},
	    {"2147484", RANGE, 0},
	    {"31536000", RANGE, 0},
	    {"18446744073709551", RANGE, 0},
	    {"18446744073709552", RANGE, 0},
	    {"18446744073709551615", RANGE, 0},
	    {"99999999999999999999", RANGE, 0},
	    {"99999999999999999999.9", RANGE, 0},
	    {NULL, EMPTY, 0},
	    {"", EMPTY, 0},
	    {"-1", BAD, 0},
	    {"+5", BAD, 0},
	    {" 5", BAD, 0},
	    {"5 ", BAD, 0},
	    {".5", BAD, 0},
	    {"5.", BAD, 0},
	    {".", BAD, 0},
	    {"1.5.5", BAD, 0},
	    {"1,5", BAD, 0},
	    {"1e3", BAD, 0},
	    {"0x10", BAD, 0},
	    {"inf", BAD, 0},
	    {"nan", BAD, 0},
	    {"5s", BAD, 0},
	    {"5m", BAD, 0},
	    {"abc", BAD, 0},
	    {"10x", BAD, 0},
	    {"-0", BAD, 0},
	};
	RUN("parse_duration_ms FRACTION [0, 2147483 s]", c,
	    parse_duration_ms(s, PARSE_FRACTION, 0, 2147483000ull, &v));

	static const struct tcase min[] = {
	    {"0", RANGE, 0},  {"0.000", RANGE, 0}, {"0.0001", OK, 1},
	    {"0.001", OK, 1}, {"1", OK, 1000},
	};
	RUN("parse_duration_ms FRACTION [1 ms, ...]", min,
	    parse_duration_ms(s, PARSE_FRACTION, 1, 2147483000ull, &v));
}

static void test_units(void)
{
	/* The --dedupe window: whole seconds, minutes, hours or days; 1 s to 366 d. */
	static const struct tcase c[] = {
	    {"600", OK, 600000},
	    {"600s", OK, 600000},
	    {"15m", OK, 900000},
	    {"24h", OK, 86400000},
	    {"7d", OK, 604800000},
	    {"1", OK, 1000},
	    {"1s", OK, 1000},
	    {"0015m", OK, 900000},
	    {"366d", OK, 31622400000ull},
	    {"31622400", OK, 31622400000ull},
	    {"8784h", OK, 31622400000ull},
	    {"527040m", OK, 31622400000ull},
	    {"527041m", RANGE, 0},
	    {"367d", RANGE, 0},
	    {"31622401", RANGE, 0},
	    {"8785h", RANGE, 0},
	    {"0", RANGE, 0},
	    {"0s", RANGE, 0},
	    {"0d", RANGE, 0},
	    {"99999999999999999999", RANGE, 0},
	    {"9223372036854775808s", RANGE, 0},
	    {"213503982334602d", RANGE, 0},
	    {"18446744073709552d", RANGE, 0},
	    {"", EMPTY, 0},
	    {"-5", BAD, 0},
	    {"+5", BAD, 0},
	    {" 5", BAD, 0},
	    {"5 ", BAD, 0},
	    {"5x", BAD, 0},
	    {"5ms", BAD, 0},
	    {"5M", BAD, 0},
	    {"5H", BAD, 0},
	    {"1.5h", BAD, 0},
	    {"1.5", BAD, 0},
	    {"h", BAD, 0},
	    {"5w", BAD, 0},
	    {"5ss", BAD, 0},
	};
	RUN("parse_duration_ms UNITS [1 s, 366 d]", c,
	    parse_duration_ms(s, PARSE_UNITS, 1000, 366ull * 86400 * 1000, &v));

	static const struct tcase both[] = {
	    {"1.5", OK, 1500},	{"1.5s", OK, 1500}, {"1.5m", BAD, 0},
	    {"2m", OK, 120000}, {"0.0001s", OK, 1},
	};
	RUN("parse_duration_ms FRACTION|UNITS", both,
	    parse_duration_ms(s, PARSE_FRACTION | PARSE_UNITS, 0, ULLONG_MAX, &v));

	static const struct tcase top[] = {
	    {"18446744073709551", OK, 18446744073709551000ull},
	    {"18446744073709551.615", OK, ULLONG_MAX},
	    {"18446744073709551.6151", RANGE, 0},
	    {"18446744073709551.616", RANGE, 0},
	    {"18446744073709552", RANGE, 0},
	};
	RUN("parse_duration_ms at ULLONG_MAX ms", top,
	    parse_duration_ms(s, PARSE_FRACTION, 0, ULLONG_MAX, &v));
}

int main(void)
{
	test_count();
	test_size();
	test_seconds();
	test_units();
	TAP_OK(parse_status_text(PARSE_RANGE)[0] == 'o', "status text: \"%s\"",
	       parse_status_text(PARSE_RANGE));
	return tap_done();
}

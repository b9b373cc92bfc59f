/* SPDX-License-Identifier: MIT */
/* test_hl7tok.c: the tokeniser's leaves equal hl7_walk's LEAF events, SSE2 and portable code, with
 * guard pages. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7.h"
#include "hl7tok.h"
#include "hl7walk.h"
#include "guard.h"
#include "tap.h"

/* The library's tokeniser is tested beside its portable code. */
#include "hl7tok_scalar.h"

struct leaves {
	struct hl7_leaf *v;
	size_t n, cap;
	size_t seg_first; /* index of the current segment's first leaf (walk) */
};

static void push(struct leaves *l, const struct hl7_leaf *x)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v) {
			perror("realloc");
			exit(2);
		}
	}
	l->v[l->n++] = *x;
}

/* The reference: hl7_walk's LEAF events, with end worked out from its counts. */
static void record(void *ctx, enum hl7_walk_event ev, const struct hl7_walk_pos *w)
{
	struct leaves *l = ctx;
	struct hl7_leaf x;

	if (ev == HL7_WALK_SEGMENT)
		l->seg_first = l->n;
	if (ev == HL7_WALK_SEGMENT_END && l->n > l->seg_first)
		l->v[l->n - 1].end = HL7_TOK_END_SEGMENT;
	if (ev != HL7_WALK_LEAF)
		return;
	memset(&x, 0, sizeof x);
	x.value = w->value;
	x.segment = w->segment;
	memcpy(x.id, w->id, 4);
	x.seg_index = w->seg_index;
	x.field = w->field;
	x.rep = w->rep;
	x.comp = w->comp;
	x.sub = w->sub;
	x.end = w->sub < w->nsub     ? HL7_TOK_END_SUB
		: w->comp < w->ncomp ? HL7_TOK_END_COMP
		: w->rep < w->nrep   ? HL7_TOK_END_REP
				     : HL7_TOK_END_FIELD;
	x.whole = (unsigned char)w->whole;
	push(l, &x);
}

typedef void (*init_fn)(struct hl7_tok *, const struct hl7_msg *);
typedef size_t (*next_fn)(struct hl7_tok *, struct hl7_leaf *, size_t);

static const struct impl {
	const char *name;
	init_fn init;
	next_fn next;
} impls[] = {
    {"library", hl7_tok_init, hl7_tok_next},
    {"portable", hl7_tok_init_scalar, hl7_tok_next_scalar},
};

/* Batch sizes: one leaf at a time, odd sizes, and more than a message holds. */
static const size_t caps[] = {1, 2, 7, 64, 1000};

static int tok_run(const struct impl *im, const struct hl7_msg *m, size_t cap, struct leaves *out)
{
	static struct hl7_leaf b[1000];
	struct hl7_tok t;
	size_t n, i;

	if (cap > sizeof b / sizeof b[0])
		abort();
	im->init(&t, m);
	do {
		n = im->next(&t, b, cap);
		for (i = 0; i < n; i++)
			push(out, &b[i]);
	} while (n == cap);
	/* the end stays the end */
	n = im->next(&t, b, cap);
	return n == 0;
}

static char failure[512];

static int same_leaf(const struct hl7_leaf *a, const struct hl7_leaf *b)
{
	return a->value.p == b->value.p && a->value.len == b->value.len &&
	       a->segment.p == b->segment.p && a->segment.len == b->segment.len &&
	       memcmp(a->id, b->id, 4) == 0 && a->seg_index == b->seg_index &&
	       a->field == b->field && a->rep == b->rep && a->comp == b->comp && a->sub == b->sub &&
	       a->end == b->end && a->whole == b->whole;
}

static void describe(char *dst, size_t cap, const char *base, const struct hl7_leaf *l)
{
	snprintf(dst, cap, "%.3s[%u] f%u r%u c%u s%u end=%u whole=%u @%td+%zu seg @%td+%zu", l->id,
		 l->seg_index, l->field, l->rep, l->comp, l->sub, l->end, l->whole,
		 l->value.p - base, l->value.len, l->segment.p - base, l->segment.len);
}

/*
 * Parse buf[0..len) and compare every implementation at every batch size
 * with the walk.  Returns 1 when all agree; else 0 with failure[] set.
 */
static int check(const char *buf, size_t len)
{
	struct hl7_msg m;
	struct leaves want, got;
	size_t i, c, k;
	int ok = 1;

	memset(&want, 0, sizeof want);
	hl7_parse(&m, buf, len, 0);
	if (m.has_delims)
		hl7_walk(&m, record, &want);
	for (i = 0; ok && i < sizeof impls / sizeof impls[0]; i++)
		for (c = 0; ok && c < sizeof caps / sizeof caps[0]; c++) {
			memset(&got, 0, sizeof got);
			if (!tok_run(&impls[i], &m, caps[c], &got)) {
				snprintf(failure, sizeof failure,
					 "%s, cap %zu: leaves after the end", impls[i].name,
					 caps[c]);
				ok = 0;
			}
			for (k = 0; ok && k < want.n && k < got.n; k++)
				if (!same_leaf(&want.v[k], &got.v[k])) {
					char a[200], b[200];

					describe(a, sizeof a, buf, &got.v[k]);
					describe(b, sizeof b, buf, &want.v[k]);
					snprintf(failure, sizeof failure,
						 "%s, cap %zu, leaf %zu:\n#   got  %s\n#   want %s",
						 impls[i].name, caps[c], k, a, b);
					ok = 0;
				}
			if (ok && got.n != want.n) {
				snprintf(failure, sizeof failure,
					 "%s, cap %zu: %zu leaves, want %zu", impls[i].name,
					 caps[c], got.n, want.n);
				ok = 0;
			}
			free(got.v);
		}
	free(want.v);
	return ok;
}

/*
 * check() on a copy of the input that ends at a guard page: one mapping
 * kept for the many small inputs (tens of thousands of mmap calls cost
 * seconds under ASan), a new one for large inputs.
 */
#define GUARD_SMALL 16384

static int check_guarded(const char *s, size_t len)
{
	static const char zeros[GUARD_SMALL];
	static struct guarded small;
	struct guarded g;
	int ok;

	if (len > GUARD_SMALL) {
		g = guard_copy(s, len);
		ok = check(g.p, len);
		guard_free(&g);
		return ok;
	}
	if (!small.map)
		small = guard_copy(zeros, GUARD_SMALL);
	memcpy(small.p + GUARD_SMALL - len, s, len);
	return check(small.p + GUARD_SMALL - len, len);
}

struct tcase {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen */
};

#define MSH_A "MSH|^~\\&|A|B|C|D|20260101120000||ADT^A01|1|P|2.5.1\r"
#define NULS MSH_A "\0AB|x^y\rP\0D|1\0^2\r\0\0\0\r"
#define X40 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct tcase cases[] = {
    {"minimal", MSH_A, 0},
    {"reps, comps, subs", "MSH|^~\\&|A\rPID|1||123^^^H&1.2&ISO^MR~456^^^S^SS||DOE^JOHN\r", 0},
    {"trailing delimiters", MSH_A "PID|a|\rPID|a^\rPID|a~\rPID|a&\rPID|||\rPID|^~&|\r", 0},
    {"delimiters only",
     MSH_A "ZZZ|^^^^^^^^^^^^^^^^^^^^|~~~~~~~~~~~~~~~~~~~~~~|&&&&&&&&&&&&&&&&&&&&&&&&&&&\r", 0},
    {"segments without an ID", MSH_A "A\rAB\rABCD|x\rPID\rPID|\rPIDX\r^^^|x^y\r|||||\r", 0},
    {"ID of delimiters", MSH_A "^&~|a^b\r~~~|c\r", 0},
    {"MSH-2 ends the segment", "MSH|^~\\&\rPID|x^y", 0},
    {"MSH-2 ends the message", "MSH|^~\\&", 0},
    {"MSH-2 with a truncation character", "MSH|^~\\&#|A#B^C|D&E\rPID|a#b\r", 0},
    {"MSH-2 odd but readable", "MSH|^~\\&|^~&|\r", 0},
    {"other delimiters", "MSH#!$%*#A!B$C*D%E#F\rPID#1#a!b*c$d!e%f##\r", 0},
    {"escape character untouched", MSH_A "PID|a\\F\\b^c\\S\\d|\\T\\~\\R\\&\\E\\\r", 0},
    {"LF, CR LF and empty segments", "MSH|^~\\&|A\n\nPID|x\r\n\r\nOBX|1^2\n\r\n", 0},
    {"UTF-8 BOM", "\xEF\xBB\xBFMSH|^~\\&|A\rPID|1", 0},
    {"second MSH inside", "MSH|^~\\&|A\rMSH|^~\\&|B^C|D\rMSH|\rMSH|^\r", 0},
    {"no final separator", MSH_A "PID|1|a^b", 0},
    {"NUL bytes and IDs starting with NUL", NULS, sizeof(NULS) - 1},
    {"high bytes", MSH_A "PID|\x01\x7f\xc3\xa9^\xff&\x80\x09|\xff\xfe\r", 0},
    {"fields across 16-byte blocks",
     MSH_A "OBX|" X40 "^" X40 "&" X40 "~" X40 "|" X40 X40 "|\r"
	   "NTE|" X40 X40 X40 "\r",
     0},
    {"a delimiter at each of 16 offsets",
     MSH_A "Z|a|bb|ccc|dddd|eeeee|ffffff|ggggggg|hhhhhhhh|iiiiiiiii|"
	   "jjjjjjjjjj|kkkkkkkkkkk|llllllllllll|mmmmmmmmmmmmm|nnnnnnnnnnnnnn|ooooooooooooooo|"
	   "pppppppppppppppp|\r"
	   "ZZZ|a|bb|ccc|dddd|eeeee|ffffff|ggggggg|hhhhhhhh|iiiiiiiii|jjjjjjjjjj|kkkkkkkkkkk|"
	   "llllllllllll|\r",
     0},
    {"seg_index counting", MSH_A "OBX|1\rNTE|a\rOBX|2\rOBX\rOBX|4\rNTE|b\r", 0},
    {"not a message", "PID|1|2\r", 0},
    {"bad MSH-2", "MSH|^^\\&|A\r", 0},
    {"empty", "", 0},
};

static size_t case_len(const struct tcase *t)
{
	return t->len ? t->len : strlen(t->in);
}

/* A growable byte string for generated messages. */
struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* The ORU^R01 of the benchmark, n OBX segments. */
static void build_oru(struct buf *b, unsigned n)
{
	char seg[160];

	puts_(b, "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20260101120000||ORU^R01^ORU_R01|K64|P|"
		 "2.5.1\r");
	for (unsigned i = 1; i <= n; i++) {
		snprintf(seg, sizeof seg, "OBX|%u|TX|1234-5^Result^LN||%.*s||||||F\r", i,
			 (int)(i % 70), X40 X40);
		puts_(b, seg);
	}
}

/* More distinct segment IDs than are counted (seg_index 0 past 128). */
static void build_ids(struct buf *b, unsigned n)
{
	char seg[32];

	puts_(b, MSH_A);
	for (unsigned i = 0; i < n; i++) {
		snprintf(seg, sizeof seg, "Z%c%c|%u\r", 'A' + i / 26 % 26, 'A' + i % 26, i);
		puts_(b, seg);
		if (i % 7 == 0)
			puts_(b, "NTE|x^y\r");
	}
	puts_(b, "ZAA|again\rZZZ|end\r");
}

/* Long runs: a field of n bytes without a delimiter, n delimiters in a row. */
static void build_long(struct buf *b, unsigned n)
{
	puts_(b, MSH_A "OBX|1|TX|||");
	for (unsigned i = 0; i < n; i++)
		put(b, "abcdefghijklmnopqrstuvwxyz0123456789" + i % 36, 1);
	puts_(b, "|");
	for (unsigned i = 0; i < n; i++)
		put(b, "^&~|" + i % 4, 1);
	puts_(b, "^&~end|F");
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)((rng >> 11) % n);
}

/*
 * A random "delimiter soup": a header with one of a few delimiter sets,
 * then pieces chosen at random: text runs of any length, each delimiter,
 * the escape and truncation characters, CR, LF, NUL and high bytes, segment
 * IDs (MSH among them) and short segments.
 */
static void build_soup(struct buf *b, unsigned size)
{
	static const char *const heads[] = {
	    "MSH|^~\\&", "MSH|^~\\&#", "MSH#!$%*", "MSH\x01^~\\&\x02", "\xEF\xBB\xBFMSH|^~\\&",
	};
	const char *h = heads[rnd(5)];
	char d[6];
	size_t o = (unsigned char)h[0] == 0xEF ? 3 : 0;

	puts_(b, h);
	memcpy(d, h + o + 3, 5);
	d[5] = h[o + 8] ? h[o + 8] : 'Q';
	while (b->len < size) {
		unsigned r = rnd(24);
		char c;

		if (r < 8) {
			unsigned n = rnd(r < 4 ? 4 : 40);

			for (unsigned i = 0; i < n; i++)
				put(b, "xyzMSH01" + rnd(8), 1);
		} else if (r < 14) {
			put(b, d, 1); /* mostly field separators */
		} else if (r < 19) {
			put(b, d + 1 + rnd(5),
			    1); /* component, repetition, escape, subcomponent, truncation */
		} else if (r == 19) {
			put(b, "\r\n" + rnd(2), 1);
		} else if (r == 20) {
			puts_(b, rnd(2) ? "\rPID" : "\rMSH");
			put(b, d, 1);
		} else if (r == 21) {
			c = "\0\xff\x80 "[rnd(4)];
			put(b, &c, 1);
		} else if (r == 22) {
			puts_(b, "\r\r\n");
		} else {
			put(b, "\rOBX\rNT\rZ", 1 + rnd(9));
		}
	}
}

static void show_failure(void)
{
	printf("#   %s\n", failure);
}

int main(void)
{
	size_t i, k;

	printf("# library build: %s\n",
#if defined(__SSE2__)
	       "SSE2"
#else
	       "portable"
#endif
	);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = case_len(t);
		int ok = check(t->in, len);

		TAP_OK(ok, "%s", t->name);
		if (!ok)
			show_failure();
		ok = check_guarded(t->in, len);
		TAP_OK(ok, "%s: input ending at a guard page", t->name);
		if (!ok)
			show_failure();
		/* every prefix, each ending at a guard page */
		for (k = 0; ok && k < len; k++)
			if (!check_guarded(t->in, k)) {
				printf("#   prefix of %zu bytes\n", k);
				show_failure();
				ok = 0;
			}
		TAP_OK(ok, "%s: each of its %zu prefixes, guard page", t->name, len);
	}

	{
		static const struct {
			void (*build)(struct buf *, unsigned);
			unsigned arg;
			const char *name;
		} gen[] = {
		    {build_oru, 675, "ORU^R01, 675 OBX (the benchmark's 64 KiB)"},
		    {build_ids, 140, "140 distinct segment IDs"},
		    {build_long, 70000, "70000-byte field, 70000 delimiters in a row"},
		    {build_long, 33, "33-byte field, 33 delimiters in a row"},
		};

		for (i = 0; i < sizeof gen / sizeof gen[0]; i++) {
			struct buf b = {0};
			int ok;

			gen[i].build(&b, gen[i].arg);
			ok = check_guarded(b.p, b.len);
			TAP_OK(ok, "%s: guard page", gen[i].name);
			if (!ok)
				show_failure();
			free(b.p);
		}
	}

	{
		/* random soups: many short ones, and fewer long ones (every block offset, the
		 * scalar tail) */
		static const struct {
			unsigned count, size;
		} soups[] = {{8000, 64}, {2000, 300}, {100, 5000}};

		for (i = 0; i < sizeof soups / sizeof soups[0]; i++) {
			unsigned n, bad = 0;

			for (n = 0; n < soups[i].count; n++) {
				struct buf b = {0};

				build_soup(&b, 1 + rnd(soups[i].size));
				if (!check_guarded(b.p, b.len) && bad++ == 0) {
					printf("#   soup %u, %zu bytes\n", n, b.len);
					show_failure();
				}
				free(b.p);
			}
			TAP_OK(bad == 0, "%u random delimiter soups of up to %u bytes: %u differ",
			       soups[i].count, soups[i].size, bad);
		}
	}
	return tap_done();
}

/* SPDX-License-Identifier: MIT */
/* parse-bench.c: lib's parser with full tokenisation (hl7_parse + hl7_tok_next to every
 * subcomponent), over a mix of the messages named: prints "MB/s messages/s walk-MB/s", the last for
 * hl7_parse + hl7_walk (the event walker) on the same mix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl7.h"
#include "hl7tok.h"
#include "hl7walk.h"

static void count(void *ctx, enum hl7_walk_event ev, const struct hl7_walk_pos *w)
{
	if (ev == HL7_WALK_LEAF)
		*(size_t *)ctx += w->value.len + 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every leaf of a parsed message through the tokeniser, in batches. */
static size_t tokenise(const struct hl7_msg *m)
{
	struct hl7_tok t;
	struct hl7_leaf leaves[64];
	size_t n, i, sum = 0;

	hl7_tok_init(&t, m);
	do {
		n = hl7_tok_next(&t, leaves, 64);
		for (i = 0; i < n; i++)
			sum += leaves[i].value.len + 1;
	} while (n == 64);
	return sum;
}

/* Repeat the mix for about a second (at least 8 rounds); MB/s, and messages/s in *mps. */
static double run(char **msgs, const size_t *lens, int n, char **names, int walk, double *mps,
		  size_t *sink)
{
	size_t bytes = 0, messages = 0;
	double t0 = now(), t;
	long rounds = 0;
	do {
		for (int k = 0; k < 64; k++)
			for (int i = 0; i < n; i++) {
				struct hl7_msg m;
				if (hl7_parse(&m, msgs[i], lens[i], 0) != HL7_OK) {
					fprintf(stderr, "parse-bench: %s does not parse\n",
						names[i]);
					exit(65);
				}
				if (walk)
					hl7_walk(&m, count, sink);
				else
					*sink += tokenise(&m);
				bytes += lens[i];
				messages++;
			}
		rounds++;
		t = now() - t0;
	} while (t < 1.0 || rounds < 8);
	*mps = (double)messages / t;
	return (double)bytes / t / 1e6;
}

int main(int argc, char **argv)
{
	char *msgs[16];
	size_t lens[16], sink = 0;
	int n = 0;
	double mbs, mps, wmbs, wmps;
	for (int i = 1; i < argc && n < 16; i++, n++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 66;
		}
		msgs[n] = malloc(1 << 20);
		lens[n] = fread(msgs[n], 1, 1 << 20, f);
		fclose(f);
	}
	if (n == 0) {
		fprintf(stderr, "usage: parse-bench FILE...\n");
		return 64;
	}
	mbs = run(msgs, lens, n, argv + 1, 0, &mps, &sink);
	wmbs = run(msgs, lens, n, argv + 1, 1, &wmps, &sink);
	printf("%.0f %.0f %.0f\n", mbs, mps, wmbs);
	return sink == 0;
}

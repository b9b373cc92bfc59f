/* SPDX-License-Identifier: MIT */
/* parse-bench.c: lib's parser with full tokenisation (hl7_parse + hl7_walk to every subcomponent),
 * over a mix of the messages named: prints "MB/s messages/s". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl7.h"
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

int main(int argc, char **argv)
{
	char *msgs[16];
	size_t lens[16], total = 0;
	int n = 0;
	for (int i = 1; i < argc && n < 16; i++, n++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 66;
		}
		msgs[n] = malloc(1 << 20);
		lens[n] = fread(msgs[n], 1, 1 << 20, f);
		fclose(f);
		total += lens[n];
	}
	if (n == 0) {
		fprintf(stderr, "usage: parse-bench FILE...\n");
		return 64;
	}
	/* Repeat the mix for about a second (at least 8 rounds). */
	size_t bytes = 0, messages = 0, sink = 0;
	double t0 = now(), t;
	long rounds = 0;
	do {
		for (int k = 0; k < 64; k++)
			for (int i = 0; i < n; i++) {
				struct hl7_msg m;
				if (hl7_parse(&m, msgs[i], lens[i], 0) != HL7_OK) {
					fprintf(stderr, "parse-bench: %s does not parse\n", argv[i + 1]);
					return 65;
				}
				hl7_walk(&m, count, &sink);
				bytes += lens[i];
				messages++;
			}
		rounds++;
		t = now() - t0;
	} while (t < 1.0 || rounds < 8);
	printf("%.0f %.0f\n", (double)bytes / t / 1e6, (double)messages / t);
	return sink == 0;
}

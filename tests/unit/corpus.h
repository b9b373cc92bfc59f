/* SPDX-License-Identifier: MIT */
/* corpus.h: find ../shared/corpus (or $MLLPD_CORPUS) and read its files, for the unit drivers that
 * use it when present. */
#ifndef MLLPD_CORPUS_H
#define MLLPD_CORPUS_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(b, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return b;
}

static inline const char *corpus_dir(void)
{
	static const char *const dirs[] = {"../shared/corpus", "../../shared/corpus",
					   "../../../shared/corpus", "../../../../shared/corpus"};
	static char buf[1024];
	const char *env = getenv("MLLPD_CORPUS");
	size_t i;

	if (env && *env) {
		snprintf(buf, sizeof buf, "%s/MANIFEST.tsv", env);
		if (access(buf, R_OK) == 0)
			return env;
	}
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(buf, sizeof buf, "%s/MANIFEST.tsv", dirs[i]);
		if (access(buf, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

#endif

/* SPDX-License-Identifier: MIT */
/* guard.h: test inputs placed to end exactly at an unreadable page, so an over-read crashes. */
#ifndef MLLPD_GUARD_H
#define MLLPD_GUARD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A copy of some bytes that ends exactly where an unreadable page begins. */
struct guarded {
	char *map;
	size_t maplen;
	char *p;
};

static inline struct guarded guard_copy(const char *s, size_t len)
{
	struct guarded g;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (len + page - 1) / page * page;

	if (data == 0)
		data = page;
	g.maplen = data + page;
	g.map = mmap(NULL, g.maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.map == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	if (mprotect(g.map + data, page, PROT_NONE) != 0) {
		perror("mprotect");
		exit(2);
	}
	g.p = g.map + data - len;
	if (len)
		memcpy(g.p, s, len);
	return g;
}

static inline void guard_free(struct guarded *g)
{
	munmap(g->map, g->maplen);
}

#endif

/* SPDX-License-Identifier: MIT */
/* stats.c: the shared counter file: create or check it under flock, map it, add atomically. */
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The header as it is written into a new file. */
static void header_make(unsigned char *h)
{
	uint32_t version = STATS_VERSION, slots = STATS_SLOTS;
	memset(h, 0, STATS_HEADER);
	memcpy(h, STATS_MAGIC, 8);
	memcpy(h + 8, &version, 4);
	memcpy(h + 12, &slots, 4);
}

/* Make an empty file a stats file: zeros to STATS_FILE_SIZE, then the header.  0, or -1. */
static int file_init(int fd)
{
	unsigned char h[STATS_HEADER];
	header_make(h);
	if (ftruncate(fd, STATS_FILE_SIZE) < 0)
		return -1;
	if (pwrite(fd, h, sizeof h, 0) != (ssize_t)sizeof h) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* Check an existing file's size and header (the lock held). */
static enum stats_error file_check(int fd)
{
	unsigned char h[STATS_HEADER], want[STATS_HEADER];
	struct stat st;
	if (fstat(fd, &st) < 0)
		return STATS_ERR_SYSTEM;
	if (!S_ISREG(st.st_mode) || st.st_size != STATS_FILE_SIZE)
		return STATS_ERR_FOREIGN;
	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
		return STATS_ERR_FOREIGN;
	header_make(want);
	if (memcmp(h, want, 8) != 0)
		return STATS_ERR_FOREIGN;
	if (memcmp(h, want, sizeof h) != 0)
		return STATS_ERR_VERSION;
	return STATS_OK;
}

/* With the lock held: make a new (empty) file a stats file when allowed, then check it. */
static enum stats_error file_ready(int fd, int flags)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return STATS_ERR_SYSTEM;
	if ((flags & STATS_CREATE) && S_ISREG(st.st_mode) && st.st_size == 0 && file_init(fd) < 0)
		return STATS_ERR_SYSTEM;
	return file_check(fd);
}

enum stats_error stats_open(struct stats *s, const char *path, int flags)
{
	int ro = flags & STATS_READONLY;
	int oflags = (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	if ((flags & STATS_CREATE) && !ro)
		oflags |= O_CREAT;
	memset(s, 0, sizeof *s);
	int fd = open(path, oflags, 0644);
	if (fd < 0)
		return STATS_ERR_SYSTEM;
	/* Exclusive while a creator may initialise; shared is enough to read a finished file. */
	enum stats_error e = STATS_ERR_SYSTEM;
	if (flock(fd, ro ? LOCK_SH : LOCK_EX) == 0)
		e = file_ready(fd, ro ? 0 : flags);
	if (e == STATS_OK) {
		void *m = mmap(NULL, STATS_FILE_SIZE, ro ? PROT_READ : PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			e = STATS_ERR_SYSTEM;
		} else {
			s->map = m;
			s->slot = (uint64_t *)((char *)m + STATS_HEADER);
		}
	}
	int saved = errno;
	/* Unlock by hand: the mapping holds the open file, so close() alone would keep the lock. */
	flock(fd, LOCK_UN);
	close(fd);
	errno = saved;
	return e;
}

const char *stats_error_text(enum stats_error e)
{
	switch (e) {
	case STATS_OK: return "ok";
	case STATS_ERR_SYSTEM: return "cannot open";
	case STATS_ERR_FOREIGN: return "not a mllpd stats file (wrong size or magic)";
	case STATS_ERR_VERSION: return "a mllpd stats file of another version";
	}
	return "unknown error";
}

void stats_add(struct stats *s, enum stats_counter c, uint64_t n)
{
	if (!s || !s->slot || (unsigned)c >= STATS_SLOTS)
		return;
	__atomic_fetch_add(&s->slot[c], n, __ATOMIC_RELAXED);
}

uint64_t stats_get(const struct stats *s, enum stats_counter c)
{
	if (!s || !s->slot || (unsigned)c >= STATS_SLOTS)
		return 0;
	return __atomic_load_n(&s->slot[c], __ATOMIC_RELAXED);
}

void stats_close(struct stats *s)
{
	if (s->map)
		munmap(s->map, STATS_FILE_SIZE);
	memset(s, 0, sizeof *s);
}

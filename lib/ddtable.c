/* SPDX-License-Identifier: MIT */
/* ddtable.c: dedupe's mapped table of records: sets of slots, a lock word per set. */
#define _GNU_SOURCE /* fallocate */
#include "ddtable.h"
#include "le.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T_MAGIC "MLDT"
#define T_VERSION 1u
#define S_MAGIC "MLDS"
#define PAGE 4096u

/* Slot fields. */
#define O_SUM 0
#define O_MAGIC 8
#define O_KEYLEN 12
#define O_TIME 16
#define O_ACKLEN 24
#define O_WINDOW 28
#define O_DIGEST 32
#define O_KEY 64

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void header(unsigned char *h)
{
	memset(h, 0, PAGE);
	memcpy(h, T_MAGIC, 4);
	le_put32(h + 4, T_VERSION);
	le_put32(h + 8, DDTABLE_SETS);
	le_put32(h + 12, DDTABLE_WAYS);
	le_put32(h + 16, DDTABLE_SLOT);
}

/*
 * Give every byte of the table its storage now.  A page of a shared mapping
 * that the file system has no room for is a SIGBUS when first written, in
 * the middle of a message; allocated here, a full disk is an error at
 * creation (or at open, for a sparse table an older mllpd made).  It also
 * keeps the page allocation out of the first record written to each page.
 * A file system without fallocate keeps the table sparse, as before.
 */
static int allocate(int fd)
{
	if (fallocate(fd, 0, 0, (off_t)DDTABLE_SIZE) == 0 || errno == EOPNOTSUPP || errno == ENOSYS)
		return 0;
	return -1;
}

/* Make DIR/table whole under a temporary name, then link it into place (an existing one wins). */
static int create(int dirfd)
{
	unsigned char h[PAGE];
	char tmp[40];
	int fd, rc = -1, saved;

	snprintf(tmp, sizeof tmp, ".table.%ld", (long)getpid());
	fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -1;
	header(h);
	if (ftruncate(fd, (off_t)DDTABLE_SIZE) == 0 && allocate(fd) == 0 &&
	    pwrite(fd, h, PAGE, 0) == (ssize_t)PAGE &&
	    (linkat(dirfd, tmp, dirfd, "table", 0) == 0 || errno == EEXIST))
		rc = 0;
	saved = errno;
	close(fd);
	unlinkat(dirfd, tmp, 0);
	errno = saved;
	return rc;
}

int ddtable_open(struct ddtable *t, int dirfd)
{
	unsigned char want[PAGE];
	struct stat st;
	int fd, saved;

	t->map = NULL;
	fd = openat(dirfd, "table", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (create(dirfd) < 0)
			return -1;
		fd = openat(dirfd, "table", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size != DDTABLE_SIZE) {
		errno = EPROTO;
		goto fail;
	}
	if ((unsigned long long)st.st_blocks * 512 < DDTABLE_SIZE && allocate(fd) < 0)
		goto fail;
	void *m = mmap(NULL, DDTABLE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		goto fail;
	close(fd);
	header(want);
	if (memcmp(m, want, PAGE) != 0) {
		munmap(m, DDTABLE_SIZE);
		errno = EPROTO;
		return -1;
	}
	t->map = m;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

void ddtable_close(struct ddtable *t)
{
	if (t->map)
		munmap(t->map, DDTABLE_SIZE);
	t->map = NULL;
}

static unsigned char *set_of(const struct ddtable *t, uint64_t h)
{
	return t->map + PAGE + (size_t)(h % DDTABLE_SETS) * PAGE;
}

static uint64_t *lock_word(const struct ddtable *t, uint64_t h)
{
	return (uint64_t *)(void *)set_of(t, h);
}

static uint64_t word_of(pid_t pid)
{
	return (uint64_t)(uint32_t)pid | (uint64_t)(uint32_t) ~(uint32_t)pid << 32;
}

/* 1 if the word w names a process that is gone, or is no lock word at all. */
static int stale(uint64_t w)
{
	uint32_t pid = (uint32_t)w;
	if ((uint32_t)(w >> 32) != (uint32_t)~pid || pid == 0 || pid > (uint32_t)INT32_MAX)
		return 1;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

void ddtable_lock(struct ddtable *t, uint64_t h, pid_t self)
{
	uint64_t *lw = lock_word(t, h), mine = word_of(self);
	long wait_ns = 50000;

	for (;;) {
		uint64_t cur = 0;
		if (__atomic_compare_exchange_n(lw, &cur, mine, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED) ||
		    cur == mine)
			return;
		int saved = errno;
		if (stale(cur) && __atomic_compare_exchange_n(lw, &cur, mine, 0, __ATOMIC_ACQUIRE,
							      __ATOMIC_RELAXED)) {
			errno = saved;
			return;
		}
		errno = saved;
		struct timespec ts = {0, wait_ns};
		nanosleep(&ts, NULL);
		if (wait_ns < 1000000)
			wait_ns *= 2;
	}
}

void ddtable_unlock(struct ddtable *t, uint64_t h, pid_t self)
{
	uint64_t mine = word_of(self);
	__atomic_compare_exchange_n(lock_word(t, h), &mine, 0, 0, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
}

static unsigned char *slot(const struct ddtable *t, uint64_t h, unsigned way)
{
	return set_of(t, h) + (size_t)(way + 1) * DDTABLE_SLOT;
}

int ddtable_slot_valid(const unsigned char *b)
{
	uint32_t keylen = le_get32(b + O_KEYLEN), acklen = le_get32(b + O_ACKLEN);
	if (memcmp(b + O_MAGIC, S_MAGIC, 4) != 0 || keylen > DDTABLE_ROOM ||
	    acklen > DDTABLE_ROOM - keylen)
		return 0;
	return fnv(b + O_MAGIC, O_KEY - O_MAGIC + keylen + acklen) == le_get64(b + O_SUM);
}

/* The way whose valid slot holds key, or -1. */
static int way_of(const struct ddtable *t, uint64_t h, const unsigned char *key, size_t len)
{
	for (unsigned w = 0; w < DDTABLE_WAYS; w++) {
		const unsigned char *b = slot(t, h, w);
		if (memcmp(b + O_MAGIC, S_MAGIC, 4) == 0 && le_get32(b + O_KEYLEN) == len &&
		    memcmp(b + O_KEY, key, len) == 0 && ddtable_slot_valid(b))
			return (int)w;
	}
	return -1;
}

int ddtable_find(const struct ddtable *t, uint64_t h, const unsigned char *key, size_t len,
		 struct ddtable_rec *r)
{
	if (len > DDTABLE_ROOM)
		return 0;
	int w = way_of(t, h, key, len);
	if (w < 0)
		return 0;
	const unsigned char *b = slot(t, h, (unsigned)w);
	r->t = (long long)le_get64(b + O_TIME);
	r->window = le_get32(b + O_WINDOW);
	r->digest = b + O_DIGEST;
	r->ack = b + O_KEY + len;
	r->ack_len = le_get32(b + O_ACKLEN);
	return 1;
}

/* A way to write key into: its own, an empty one, a damaged one, an expired one; or -1. */
static int free_way(const struct ddtable *t, uint64_t h, const unsigned char *key, size_t len,
		    long long now)
{
	int w = way_of(t, h, key, len);
	for (unsigned i = 0; w < 0 && i < DDTABLE_WAYS; i++)
		if (memcmp(slot(t, h, i) + O_MAGIC, S_MAGIC, 4) != 0)
			w = (int)i;
	for (unsigned i = 0; w < 0 && i < DDTABLE_WAYS; i++) {
		const unsigned char *b = slot(t, h, i);
		if (!ddtable_slot_valid(b) ||
		    (long long)le_get64(b + O_TIME) + (long long)le_get32(b + O_WINDOW) < now)
			w = (int)i;
	}
	return w;
}

int ddtable_put(struct ddtable *t, uint64_t h, const unsigned char *key, size_t len,
		const unsigned char digest[32], long long now, uint32_t window,
		const unsigned char *ack, size_t ack_len)
{
	if (len > DDTABLE_ROOM || ack_len > DDTABLE_ROOM - len)
		return -1;
	int w = free_way(t, h, key, len, now);
	if (w < 0)
		return -1;
	unsigned char *b = slot(t, h, (unsigned)w);
	/* Invalid while it changes: a writer killed here leaves an empty slot. */
	__atomic_store_n((uint32_t *)(void *)(b + O_MAGIC), 0, __ATOMIC_RELEASE);
	le_put32(b + O_KEYLEN, (uint32_t)len);
	le_put64(b + O_TIME, (uint64_t)now);
	le_put32(b + O_ACKLEN, (uint32_t)ack_len);
	le_put32(b + O_WINDOW, window);
	memcpy(b + O_DIGEST, digest, 32);
	memcpy(b + O_KEY, key, len);
	if (ack_len)
		memcpy(b + O_KEY + len, ack, ack_len);
	unsigned char m[4];
	memcpy(m, S_MAGIC, 4);
	uint64_t sum = 0xcbf29ce484222325ULL;
	for (int i = 0; i < 4; i++)
		sum = (sum ^ m[i]) * 0x100000001b3ULL;
	for (size_t i = O_KEYLEN; i < O_KEY + len + ack_len; i++)
		sum = (sum ^ b[i]) * 0x100000001b3ULL;
	le_put64(b + O_SUM, sum);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(b + O_MAGIC, S_MAGIC, 4);
	return 0;
}

void ddtable_forget(struct ddtable *t, uint64_t h, const unsigned char *key, size_t len)
{
	int w = len <= DDTABLE_ROOM ? way_of(t, h, key, len) : -1;
	if (w >= 0)
		memset(slot(t, h, (unsigned)w) + O_MAGIC, 0, 4);
}

long long ddtable_overflow(const struct ddtable *t, uint64_t h)
{
	return (long long)le_get64(set_of(t, h) + 8);
}

void ddtable_set_overflow(struct ddtable *t, uint64_t h, long long when)
{
	if (ddtable_overflow(t, h) < when)
		le_put64(set_of(t, h) + 8, (uint64_t)when);
}

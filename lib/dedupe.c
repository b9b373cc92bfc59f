/* SPDX-License-Identifier: MIT */
/* dedupe.c: records of accepted message keys in time buckets, read and written without a daemon. */
#include "dedupe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "parse.h"

/* Key locks live on bytes [0, LOCK_SLOTS) of the lock file, the pruner's
 * lock past them: the two never meet. */
#define LOCK_SLOTS 65521
#define PRUNE_BYTE 65536

/* Record header: magic, version, time, key length, ACK length (little-endian). */
#define REC_MAGIC "MLDD"
#define REC_VERSION 1
#define REC_HEADER 24

/* "START+SIZE/HHHHHHHHHHHHHHHH" and ".PID.HHHHHHHHHHHHHHHH" fit. */
#define PATH_MAX_DD 96

/* The key as stored and hashed: each field after its 4-byte length, so
 * ("ab", "c") and ("a", "bc") differ. */
struct keyparts {
	unsigned char lens[3][4];
	struct iovec iov[6];
	size_t len;
};

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int key_parts(const struct dedupe_key *k, struct keyparts *kp)
{
	const struct hl7_span *f[3] = {&k->app, &k->fac, &k->control_id};

	kp->len = 0;
	for (int i = 0; i < 3; i++) {
		if (f[i]->len > UINT32_MAX - 12 - kp->len) {
			errno = EOVERFLOW;
			return -1;
		}
		put32(kp->lens[i], (uint32_t)f[i]->len);
		kp->iov[2 * i] = (struct iovec){kp->lens[i], 4};
		kp->iov[2 * i + 1] = (struct iovec){(void *)f[i]->p, f[i]->len};
		kp->len += 4 + f[i]->len;
	}
	return 0;
}

/* FNV-1a 64: collisions only cost a record (the stored key is compared). */
static uint64_t key_hash(const struct keyparts *kp)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < 6; i++) {
		const unsigned char *p = kp->iov[i].iov_base;
		for (size_t j = 0; j < kp->iov[i].iov_len; j++)
			h = (h ^ p[j]) * 0x100000001b3ULL;
	}
	return h;
}

/* 1 if b[0..n) equals the stored key's bytes at offset off. */
static int key_eq_at(const struct keyparts *kp, size_t off, const unsigned char *b, size_t n)
{
	for (int i = 0; i < 6 && n > 0; i++) {
		size_t plen = kp->iov[i].iov_len, m;
		if (off >= plen) {
			off -= plen;
			continue;
		}
		m = plen - off < n ? plen - off : n;
		if (memcmp((const unsigned char *)kp->iov[i].iov_base + off, b, m) != 0)
			return 0;
		b += m;
		n -= m;
		off = 0;
	}
	return n == 0;
}

static long long floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void record_path(char *path, long long start, long size, uint64_t h)
{
	snprintf(path, PATH_MAX_DD, "%lld+%ld/%016llx", start, size, (unsigned long long)h);
}

int dedupe_open(struct dedupe *d, const char *dir, long window_seconds, const char **what)
{
	memset(d, 0, sizeof *d);
	d->dirfd = d->lockfd = -1;

	*what = "window";
	if (window_seconds < 1 || window_seconds > DEDUPE_WINDOW_MAX) {
		errno = EINVAL;
		return -1;
	}
	d->window = window_seconds;
	d->bucket = window_seconds / 2 > 0 ? window_seconds / 2 : 1;
	*what = dir;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	d->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd < 0)
		return -1;
	*what = "lock";
	d->lockfd = openat(d->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (d->lockfd < 0) {
		int saved = errno;
		dedupe_close(d);
		errno = saved;
		return -1;
	}
	*what = NULL;
	return 0;
}

void dedupe_close(struct dedupe *d)
{
	if (d->dirfd >= 0)
		close(d->dirfd);
	if (d->lockfd >= 0)
		close(d->lockfd);
	d->dirfd = d->lockfd = -1;
}

static int lock_byte(struct dedupe *d, const struct dedupe_key *k, short type)
{
	struct keyparts kp;
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_len = 1};
	int r;

	if (key_parts(k, &kp) < 0)
		return -1;
	fl.l_start = (off_t)(key_hash(&kp) % LOCK_SLOTS);
	do
		r = fcntl(d->lockfd, type == F_UNLCK ? F_SETLK : F_SETLKW, &fl);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

int dedupe_lock(struct dedupe *d, const struct dedupe_key *k)
{
	return lock_byte(d, k, F_WRLCK);
}

int dedupe_unlock(struct dedupe *d, const struct dedupe_key *k)
{
	return lock_byte(d, k, F_UNLCK);
}

/* One record file: 1 when it holds k within the window, 0 when it is
 * absent, expired, damaged, unreadable or another key's (a read error is
 * a miss: it must never make a duplicate), -1 when it cannot be opened. */
static int find_in(struct dedupe *d, const char *path, const struct keyparts *kp, time_t now, char *ack, size_t cap,
		   size_t *ack_len, time_t *accepted_at)
{
	unsigned char h[REC_HEADER], buf[512];
	struct stat st;
	int fd, found = 0;
	long long t;
	uint32_t keylen, acklen;

	fd = openat(d->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0 : -1;
	if (fstat(fd, &st) < 0) {
		found = -1;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < REC_HEADER || pread(fd, h, REC_HEADER, 0) != REC_HEADER)
		goto out;
	t = (long long)get64(h + 8);
	keylen = get32(h + 16);
	acklen = get32(h + 20);
	if (memcmp(h, REC_MAGIC, 4) != 0 || get32(h + 4) != REC_VERSION || keylen != kp->len ||
	    (unsigned long long)st.st_size != (unsigned long long)REC_HEADER + keylen + acklen)
		goto out;
	if (t < (long long)now - d->window)
		goto out;
	for (size_t off = 0; off < keylen;) {
		size_t want = keylen - off < sizeof buf ? keylen - off : sizeof buf;
		if (pread(fd, buf, want, (off_t)(REC_HEADER + off)) != (ssize_t)want || !key_eq_at(kp, off, buf, want))
			goto out;
		off += want;
	}
	if (acklen <= cap && acklen > 0 && pread(fd, ack, acklen, (off_t)(REC_HEADER + keylen)) != (ssize_t)acklen)
		goto out;
	*ack_len = acklen;
	if (accepted_at)
		*accepted_at = (time_t)t;
	found = 1;
out:;
	int saved = errno;
	close(fd);
	errno = saved;
	return found;
}

int dedupe_find(struct dedupe *d, const struct dedupe_key *k, time_t now, char *ack, size_t cap, size_t *ack_len,
		time_t *accepted_at)
{
	struct keyparts kp;
	char path[PATH_MAX_DD];
	long long first, b;
	uint64_t h;

	if (key_parts(k, &kp) < 0)
		return -1;
	h = key_hash(&kp);
	/* Newest bucket first: a resend usually follows its original closely. */
	first = floor_div((long long)now - d->window, d->bucket);
	for (b = floor_div(now, d->bucket); b >= first && b >= 0; b--) {
		record_path(path, b * d->bucket, d->bucket, h);
		int r = find_in(d, path, &kp, now, ack, cap, ack_len, accepted_at);
		if (r != 0)
			return r;
	}
	return 0;
}

/* writev() until everything is written. */
static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int dedupe_record(struct dedupe *d, const struct dedupe_key *k, time_t now, const char *ack, size_t ack_len)
{
	struct keyparts kp;
	unsigned char h[REC_HEADER];
	struct iovec iov[8];
	char bucket[48], name[20], tmp[48];
	int bfd = -1, fd, saved, tries = 0;
	uint64_t hash;

	if (key_parts(k, &kp) < 0)
		return -1;
	if (ack_len > UINT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	hash = key_hash(&kp);
	memcpy(h, REC_MAGIC, 4);
	put32(h + 4, REC_VERSION);
	put64(h + 8, (uint64_t)(long long)now);
	put32(h + 16, (uint32_t)kp.len);
	put32(h + 20, (uint32_t)ack_len);
	iov[0] = (struct iovec){h, REC_HEADER};
	memcpy(iov + 1, kp.iov, sizeof kp.iov);
	iov[7] = (struct iovec){(void *)ack, ack_len};

	snprintf(bucket, sizeof bucket, "%lld+%ld", floor_div(now, d->bucket) * d->bucket, d->bucket);
	snprintf(name, sizeof name, "%016llx", (unsigned long long)hash);
	/* The pid is taken now, not at open: a struct opened before fork()
	 * is shared by children that must not share temporary names. */
	snprintf(tmp, sizeof tmp, ".%ld.%s", (long)getpid(), name);
	/* A pruner may remove the bucket between mkdir and open: try again. */
	do {
		if (mkdirat(d->dirfd, bucket, 0750) < 0 && errno != EEXIST)
			return -1;
		bfd = openat(d->dirfd, bucket, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	} while (bfd < 0 && errno == ENOENT && ++tries < 3);
	if (bfd < 0)
		return -1;
	fd = openat(bfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		saved = errno;
		close(bfd);
		errno = saved;
		return -1;
	}
	if (writev_all(fd, iov, 8) < 0) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || renameat(bfd, tmp, bfd, name) < 0) {
		saved = errno;
		goto fail;
	}
	close(bfd);
	return 0;
fail:
	unlinkat(bfd, tmp, 0);
	close(bfd);
	errno = saved;
	return -1;
}

/* Decimal digits, canonical (no leading zero but "0"), at most 18 of them. */
static const char *parse_num(const char *s, long long *v)
{
	int n = 0;

	*v = 0;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return NULL;
	while (*s >= '0' && *s <= '9' && n < 18) {
		*v = *v * 10 + (*s++ - '0');
		n++;
	}
	return n > 0 && !(*s >= '0' && *s <= '9') ? s : NULL;
}

/* "START+SIZE" with SIZE >= 1: a bucket name; anything else is not ours. */
static int parse_bucket(const char *name, long long *start, long long *size)
{
	const char *s = parse_num(name, start);

	if (!s || *s != '+')
		return 0;
	s = parse_num(s + 1, size);
	return s && *s == '\0' && *size >= 1;
}

/* Empty one bucket and remove it; returns the records removed or -1. */
static int remove_bucket(struct dedupe *d, const char *bucket)
{
	struct dirent *e;
	DIR *dir;
	int fd, n = 0;

	fd = openat(d->dirfd, bucket, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!(dir = fdopendir(fd))) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0 && e->d_name[0] != '.')
			n++;
	}
	closedir(dir);
	/* A writer whose clock lags may have put a record in meanwhile:
	 * leave the bucket for the next prune then. */
	if (unlinkat(d->dirfd, bucket, AT_REMOVEDIR) < 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
		return -1;
	return n;
}

int dedupe_prune(struct dedupe *d, time_t now)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = PRUNE_BYTE, .l_len = 1};
	struct dirent *e;
	DIR *dir;
	int fd, n = 0, failed = 0, saved = 0;
	long long start, size;

	/* Due once per bucket period, or at once when the clock went back. */
	if (now < d->next_prune && (long long)now >= (long long)d->next_prune - d->bucket)
		return 0;
	d->next_prune = now + d->bucket;
	if (fcntl(d->lockfd, F_SETLK, &fl) < 0)
		return errno == EAGAIN || errno == EACCES || errno == EINTR ? 0 : -1;
	fd = openat(d->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		failed = 1;
		goto unlock;
	}
	while ((e = readdir(dir))) {
		if (!parse_bucket(e->d_name, &start, &size))
			continue;
		/* Any window that makes buckets of this size is at most 2 * size + 1:
		 * the last second of the bucket, start + size - 1, is past it. */
		if ((long long)now - (start + size) <= 2 * size)
			continue;
		int r = remove_bucket(d, e->d_name);
		if (r < 0) {
			saved = errno;
			failed = 1;
		} else {
			n += r;
		}
	}
	closedir(dir);
unlock:
	fl.l_type = F_UNLCK;
	fcntl(d->lockfd, F_SETLK, &fl);
	if (failed) {
		errno = saved;
		return -1;
	}
	return n;
}

int dedupe_parse_window(const char *s, long *seconds)
{
	unsigned long long ms;
	if (parse_duration_ms(s, PARSE_UNITS, 1000, DEDUPE_WINDOW_MAX * 1000ull, &ms) != PARSE_OK)
		return -1;
	*seconds = (long)(ms / 1000);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* dedupe.c: records of accepted message keys in time buckets, read and written without a daemon. */
#include "dedupe.h"
#include "sha256.h"

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
#include "le.h"

/* Key locks live on bytes [0, LOCK_SLOTS) of the lock file, the pruner's
 * lock past them: the two never meet. */
#define LOCK_SLOTS 65521
#define PRUNE_BYTE 65536

/* Record header (little-endian): magic, version, time, key length, ACK
 * length, content digest.  Version 1 had no kind in the key and no digest. */
#define REC_MAGIC "MLDD"
#define REC_VERSION 2
#define REC_DIGEST 24
#define REC_HEADER (REC_DIGEST + DEDUPE_DIGEST_LEN)

/* "START+SIZE/HHHHHHHHHHHHHHHH" and ".PID.HHHHHHHHHHHHHHHH" fit. */
#define PATH_MAX_DD 96

/* The key as stored and hashed: the kind (4 bytes), then each field after
 * its 4-byte length, so ("ab", "c") and ("a", "bc") differ. */
struct keyparts {
	unsigned char kind[4];
	unsigned char lens[3][4];
	struct iovec iov[7];
	size_t len;
};

static int key_parts(enum dedupe_kind kind, const struct dedupe_key *k, struct keyparts *kp)
{
	const struct hl7_span *f[3] = {&k->app, &k->fac, &k->control_id};

	if (kind != DEDUPE_MESSAGE && kind != DEDUPE_BATCH) {
		errno = EINVAL;
		return -1;
	}
	le_put32(kp->kind, (uint32_t)kind);
	kp->iov[0] = (struct iovec){kp->kind, 4};
	kp->len = 4;
	for (int i = 0; i < 3; i++) {
		if (f[i]->len > UINT32_MAX - 16 - kp->len) {
			errno = EOVERFLOW;
			return -1;
		}
		le_put32(kp->lens[i], (uint32_t)f[i]->len);
		kp->iov[2 * i + 1] = (struct iovec){kp->lens[i], 4};
		kp->iov[2 * i + 2] = (struct iovec){(void *)f[i]->p, f[i]->len};
		kp->len += 4 + f[i]->len;
	}
	return 0;
}

/* FNV-1a 64 of iov[from..7): collisions only cost a record (the stored key
 * is compared) or a shared lock byte. */
static uint64_t parts_hash(const struct keyparts *kp, int from)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = from; i < 7; i++) {
		const unsigned char *p = kp->iov[i].iov_base;
		for (size_t j = 0; j < kp->iov[i].iov_len; j++)
			h = (h ^ p[j]) * 0x100000001b3ULL;
	}
	return h;
}

/* The record's name: kind and key. */
static uint64_t key_hash(const struct keyparts *kp)
{
	return parts_hash(kp, 0);
}

/* 1 if b[0..n) equals the stored key's bytes at offset off. */
static int key_eq_at(const struct keyparts *kp, size_t off, const unsigned char *b, size_t n)
{
	for (int i = 0; i < 7 && n > 0; i++) {
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

void dedupe_unit_init(struct dedupe_unit *u, enum dedupe_kind kind, struct dedupe_key key,
		      const char *bytes, size_t len)
{
	u->kind = kind;
	u->key = key;
	sha256_digest(bytes, len, u->digest);
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
	*what = "table";
	if (ddtable_open(&d->table, d->dirfd) < 0) {
		int saved = errno;
		dedupe_close(d);
		errno = saved;
		return -1;
	}
	*what = NULL;
	return 0;
}

void dedupe_set_self(struct dedupe *d, pid_t self)
{
	d->self = self;
}

void dedupe_files_only(struct dedupe *d)
{
	ddtable_close(&d->table);
}

void dedupe_close(struct dedupe *d)
{
	if (d->dirfd >= 0)
		close(d->dirfd);
	if (d->lockfd >= 0)
		close(d->lockfd);
	d->dirfd = d->lockfd = -1;
	ddtable_close(&d->table);
}

static int lock_byte(struct dedupe *d, const struct dedupe_key *k, short type)
{
	struct keyparts kp;
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_len = 1};
	int r;

	/* The fields without the kind, hashed as version 1 did: old and new
	 * processes on one directory lock the same bytes. */
	if (key_parts(DEDUPE_MESSAGE, k, &kp) < 0)
		return -1;
	if (d->table.map) {
		/* The table's set lock, no system call when free (ddtable.h). */
		if (type == F_UNLCK) {
			ddtable_unlock(&d->table, parts_hash(&kp, 1), d->locker);
		} else {
			d->locker = d->self ? d->self : getpid();
			ddtable_lock(&d->table, parts_hash(&kp, 1), d->locker);
		}
		return 0;
	}
	fl.l_start = (off_t)(parts_hash(&kp, 1) % LOCK_SLOTS);
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

/* pread() all of n bytes at off; 0, or -1 (an error or a short file). */
static int pread_all(int fd, void *buf, size_t n, off_t off)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = pread(fd, p, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/*
 * One record file: a status when it holds kp within the window
 * (DEDUPE_DUPLICATE, DEDUPE_TRUNCATED, DEDUPE_REUSED; digest NULL matches
 * any content), DEDUPE_NEW when it is absent, expired, damaged, unreadable
 * or another key's (a read error is a miss: it must never make a
 * duplicate), DEDUPE_FAILED when it cannot be opened.  *hit is written
 * only for a record found.
 */
static enum dedupe_status find_in(struct dedupe *d, const char *path, const struct keyparts *kp,
				  const unsigned char *digest, time_t now, char *ack, size_t cap,
				  struct dedupe_hit *hit)
{
	unsigned char h[REC_HEADER], buf[512];
	struct stat st;
	enum dedupe_status found = DEDUPE_NEW;
	int fd;
	long long t;
	uint32_t keylen, acklen;

	fd = openat(d->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? DEDUPE_NEW
									     : DEDUPE_FAILED;
	if (fstat(fd, &st) < 0) {
		found = DEDUPE_FAILED;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < REC_HEADER || pread_all(fd, h, REC_HEADER, 0) < 0)
		goto out;
	t = (long long)le_get64(h + 8);
	keylen = le_get32(h + 16);
	acklen = le_get32(h + 20);
	/* Every claim is checked before it is used: the key length must be
	 * ours, the ACK length bounded, and the file exactly that long. */
	if (memcmp(h, REC_MAGIC, 4) != 0 || le_get32(h + 4) != REC_VERSION || keylen != kp->len ||
	    acklen > DEDUPE_ACK_MAX ||
	    (unsigned long long)st.st_size != (unsigned long long)REC_HEADER + keylen + acklen)
		goto out;
	if (t < (long long)now - d->window)
		goto out;
	for (size_t off = 0; off < keylen;) {
		size_t want = keylen - off < sizeof buf ? keylen - off : sizeof buf;
		if (pread_all(fd, buf, want, (off_t)(REC_HEADER + off)) < 0 ||
		    !key_eq_at(kp, off, buf, want))
			goto out;
		off += want;
	}
	if (digest && memcmp(h + REC_DIGEST, digest, DEDUPE_DIGEST_LEN) != 0) {
		*hit = (struct dedupe_hit){.accepted_at = (time_t)t};
		found = DEDUPE_REUSED;
		goto out;
	}
	if (acklen > cap) {
		*hit = (struct dedupe_hit){.ack_stored = acklen, .accepted_at = (time_t)t};
		found = DEDUPE_TRUNCATED;
		goto out;
	}
	if (acklen > 0 && pread_all(fd, ack, acklen, (off_t)(REC_HEADER + keylen)) < 0)
		goto out;
	*hit =
	    (struct dedupe_hit){.ack_len = acklen, .ack_stored = acklen, .accepted_at = (time_t)t};
	found = DEDUPE_DUPLICATE;
out:;
	int saved = errno;
	close(fd);
	errno = saved;
	return found;
}

/* The newest record of kp's kind and key in the window decides. */
static enum dedupe_status lookup_parts(struct dedupe *d, const struct keyparts *kp,
				       const unsigned char *digest, time_t now, char *ack,
				       size_t cap, struct dedupe_hit *hit)
{
	char path[PATH_MAX_DD];
	long long first, b;
	uint64_t h = key_hash(kp);

	/* Newest bucket first: a resend usually follows its original closely. */
	first = floor_div((long long)now - d->window, d->bucket);
	for (b = floor_div(now, d->bucket); b >= first && b >= 0; b--) {
		record_path(path, b * d->bucket, d->bucket, h);
		enum dedupe_status r = find_in(d, path, kp, digest, now, ack, cap, hit);
		if (r != DEDUPE_NEW)
			return r;
	}
	return DEDUPE_NEW;
}

/* The key's bytes in one buffer (room DDTABLE_ROOM); 0, or -1 when longer than a slot holds. */
static int flat_key(const struct keyparts *kp, unsigned char *buf)
{
	size_t n = 0;
	if (kp->len > DDTABLE_ROOM)
		return -1;
	for (int i = 0; i < 7; i++) {
		memcpy(buf + n, kp->iov[i].iov_base, kp->iov[i].iov_len);
		n += kp->iov[i].iov_len;
	}
	return 0;
}

/* A record found in a table slot, as dedupe_lookup() reports it. */
static enum dedupe_status slot_status(const struct ddtable_rec *r, const unsigned char *digest,
				      char *ack, size_t cap, struct dedupe_hit *hit)
{
	if (memcmp(r->digest, digest, DEDUPE_DIGEST_LEN) != 0) {
		*hit = (struct dedupe_hit){.accepted_at = (time_t)r->t};
		return DEDUPE_REUSED;
	}
	if (r->ack_len > cap) {
		*hit = (struct dedupe_hit){.ack_stored = r->ack_len, .accepted_at = (time_t)r->t};
		return DEDUPE_TRUNCATED;
	}
	if (r->ack_len)
		memcpy(ack, r->ack, r->ack_len);
	*hit = (struct dedupe_hit){
	    .ack_len = r->ack_len, .ack_stored = r->ack_len, .accepted_at = (time_t)r->t};
	return DEDUPE_DUPLICATE;
}

/* The table's slot, and the files when the set overflowed within the window: the newer decides. */
static enum dedupe_status lookup_table(struct dedupe *d, const struct keyparts *kp,
				       const unsigned char *digest, time_t now, char *ack,
				       size_t cap, struct dedupe_hit *hit)
{
	unsigned char key[DDTABLE_ROOM];
	struct ddtable_rec r;
	uint64_t set = parts_hash(kp, 1);
	int in_slot = flat_key(kp, key) == 0 && ddtable_find(&d->table, set, key, kp->len, &r) &&
		      r.t >= (long long)now - d->window;

	if (ddtable_overflow(&d->table, set) >= (long long)now - d->window) {
		enum dedupe_status st = lookup_parts(d, kp, digest, now, ack, cap, hit);
		if (st != DEDUPE_NEW && (!in_slot || (long long)hit->accepted_at > r.t))
			return st;
		*hit = (struct dedupe_hit){0};
	}
	return in_slot ? slot_status(&r, digest, ack, cap, hit) : DEDUPE_NEW;
}

enum dedupe_status dedupe_lookup(struct dedupe *d, const struct dedupe_unit *u, time_t now,
				 char *ack, size_t cap, struct dedupe_hit *hit)
{
	struct keyparts kp;

	*hit = (struct dedupe_hit){0};
	if (key_parts(u->kind, &u->key, &kp) < 0)
		return DEDUPE_FAILED;
	if (!d->table.map)
		return lookup_parts(d, &kp, u->digest, now, ack, cap, hit);
	return lookup_table(d, &kp, u->digest, now, ack, cap, hit);
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

/* Write a record of kp with this digest. */
static int store(struct dedupe *d, const struct keyparts *kp, const unsigned char *digest,
		 time_t now, const char *ack, size_t ack_len)
{
	unsigned char h[REC_HEADER];
	struct iovec iov[9];
	char bucket[48], name[20], tmp[48];
	int bfd = -1, fd, saved, tries = 0;
	uint64_t hash;

	if (ack_len > DEDUPE_ACK_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	hash = key_hash(kp);
	memcpy(h, REC_MAGIC, 4);
	le_put32(h + 4, REC_VERSION);
	le_put64(h + 8, (uint64_t)(long long)now);
	le_put32(h + 16, (uint32_t)kp->len);
	le_put32(h + 20, (uint32_t)ack_len);
	memcpy(h + REC_DIGEST, digest, DEDUPE_DIGEST_LEN);
	iov[0] = (struct iovec){h, REC_HEADER};
	memcpy(iov + 1, kp->iov, sizeof kp->iov);
	iov[8] = (struct iovec){(void *)ack, ack_len};

	snprintf(bucket, sizeof bucket, "%lld+%ld", floor_div(now, d->bucket) * d->bucket,
		 d->bucket);
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
	if (writev_all(fd, iov, 9) < 0) {
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

int dedupe_store(struct dedupe *d, const struct dedupe_unit *u, time_t now, const char *ack,
		 size_t ack_len)
{
	struct keyparts kp;

	if (key_parts(u->kind, &u->key, &kp) < 0)
		return -1;
	if (ack_len > DEDUPE_ACK_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (d->table.map) {
		unsigned char key[DDTABLE_ROOM];
		uint64_t set = parts_hash(&kp, 1);
		int flat = flat_key(&kp, key) == 0;
		if (flat &&
		    ddtable_put(&d->table, set, key, kp.len, u->digest, (long long)now,
				(uint32_t)d->window, (const unsigned char *)ack, ack_len) == 0)
			return 0;
		/* Too large for a slot, or a full set: a file, and the set says to look there. */
		if (flat)
			ddtable_forget(&d->table, set, key, kp.len);
		ddtable_set_overflow(&d->table, set, (long long)now);
	}
	return store(d, &kp, u->digest, now, ack, ack_len);
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
	if (unlinkat(d->dirfd, bucket, AT_REMOVEDIR) < 0 && errno != ENOTEMPTY && errno != EEXIST &&
	    errno != ENOENT)
		return -1;
	return n;
}

int dedupe_prune(struct dedupe *d, time_t now)
{
	struct flock fl = {
	    .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = PRUNE_BYTE, .l_len = 1};
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

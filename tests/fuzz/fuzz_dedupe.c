/* SPDX-License-Identifier: MIT */
/* fuzz_dedupe.c: dedupe_lookup on damaged and forged record files never finds what is not a whole
 * record of the unit. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dedupe.h"
#include "fuzz.h"

/*
 * Input: 8 bytes of header, then the key's bytes, the ACK's, and bytes for
 * the damage.  Header: window (1 + b0 % 64 s), how long after the record
 * the lookup runs (b1), the lengths of MSH-3, MSH-4 and MSH-10 (b2..b4),
 * the damage (b5), the ACK buffer's size (b6), the ACK's length (b7).
 *
 * A real record is made with dedupe_store(), then its file is damaged
 * (cut, bytes changed, bytes added, header fields forged, replaced by a
 * directory, a symlink or other bytes) and looked up with dedupe_lookup().
 * A find must be a whole record: the genuine magic and version, the key's
 * length and bytes, a size that adds up, a time inside the window, and what
 * is returned (time, ACK length and bytes) is what the file holds.  An
 * undamaged record inside the window must be found.
 *
 * Only record_file() and rec_*() know the layout (dedupe.c's, not public):
 * header 56 bytes (magic 4, version 4, time 8, key length 4, ACK length 4,
 * little-endian, then the 32-byte content digest), then the key, then the
 * ACK.  Files live in a directory
 * under /dev/shm made once per process.
 */

#define REC_HEADER 56
#define REC_DIGEST 24
#define T0 1000000000L

static char dir[64];

/* fn on every file of every bucket (bucket 0), then on the bucket itself (bucket 1). */
static void each(void (*fn)(const char *path, const char *name, int bucket, void *arg), void *arg)
{
	DIR *d = opendir(dir), *b;
	struct dirent *e, *f;

	FUZZ_CHECK(d != NULL);
	while ((e = readdir(d)) != NULL) {
		char sub[320];

		if (e->d_name[0] == '.' || strcmp(e->d_name, "lock") == 0 ||
		    strcmp(e->d_name, "table") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
		FUZZ_CHECK((b = opendir(sub)) != NULL);
		while ((f = readdir(b)) != NULL)
			if (strcmp(f->d_name, ".") != 0 && strcmp(f->d_name, "..") != 0) {
				char p[600];

				snprintf(p, sizeof p, "%s/%s", sub, f->d_name);
				fn(p, f->d_name, 0, arg);
			}
		closedir(b);
		fn(sub, e->d_name, 1, arg);
	}
	closedir(d);
}

static void remove_one(const char *path, const char *name, int bucket, void *arg)
{
	(void)name;
	(void)arg;
	if (bucket || unlink(path) < 0)
		FUZZ_CHECK(rmdir(path) == 0);
}

static void remove_all(void)
{
	each(remove_one, NULL);
}

static void cleanup(void)
{
	char lock[80];

	remove_all();
	snprintf(lock, sizeof lock, "%s/lock", dir);
	unlink(lock);
	rmdir(dir);
}

struct found {
	char *path;
	size_t cap;
	int n;
};

static void find_one(const char *path, const char *name, int bucket, void *arg)
{
	struct found *f = arg;

	if (!bucket && name[0] != '.' && f->n++ == 0)
		snprintf(f->path, f->cap, "%s", path);
}

/* The one record file dedupe_store() made: its path in out. */
static void record_file(char *out, size_t cap)
{
	struct found f = {out, cap, 0};

	each(find_one, &f);
	FUZZ_CHECK(f.n == 1);
}

static uint32_t rec_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static long long rec_time(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[8 + i];
	return (long long)v;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *b;
	int fd = open(path, O_RDONLY);

	FUZZ_CHECK(fd >= 0 && fstat(fd, &st) == 0);
	b = malloc((size_t)st.st_size + 1);
	FUZZ_CHECK(b != NULL && read(fd, b, (size_t)st.st_size) == st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void write_all(const char *path, const unsigned char *b, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);

	FUZZ_CHECK(fd >= 0 && (size_t)write(fd, b, len) == len);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dedupe d;
	static long open_window;
	struct dedupe_key k;
	struct dedupe_unit u;
	struct dedupe_hit hit;
	const char *what, *in = (const char *)data + 8;
	char path[600], ack[300];
	unsigned char *genuine, *rec;
	size_t n = size, glen, rlen, keylen, ack_in, cap, extra_len;
	long window;
	time_t now;
	int damaged = 1, kind;
	enum dedupe_status r;

	if (size < 8)
		return 0;
	if (!dir[0]) {
		struct stat st;

		/* tmpfs when there is one: many small files made and removed */
		snprintf(dir, sizeof dir, "%s/fuzz_dedupe.%ld",
			 stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
		atexit(cleanup);
	}
	window = 1 + data[0] % 64;
	if (open_window != window) {
		dedupe_close(&d);
		FUZZ_CHECK(dedupe_open(&d, dir, window, &what) == 0);
		dedupe_files_only(&d); /* the record files: the table has its own target */
		open_window = window;
	}
	n -= 8;
	k.app = (struct hl7_span){in, data[2] % 8 < n ? data[2] % 8u : n};
	k.fac = (struct hl7_span){in + k.app.len,
				  data[3] % 8 < n - k.app.len ? data[3] % 8u : n - k.app.len};
	keylen = k.app.len + k.fac.len;
	k.control_id =
	    (struct hl7_span){in + keylen, data[4] % 16 < n - keylen ? data[4] % 16u : n - keylen};
	keylen += k.control_id.len;
	ack_in = data[7] < n - keylen ? data[7] : n - keylen;
	cap = data[6] % 4 == 0	 ? 0
	      : data[6] % 4 == 1 ? ack_in
	      : data[6] % 4 == 2 ? sizeof ack
				 : data[6] % 64;
	extra_len = n - keylen - ack_in;
	const unsigned char *extra = (const unsigned char *)in + keylen + ack_in;

	/* the content: the key's own bytes */
	dedupe_unit_init(&u, DEDUPE_MESSAGE, k, in, keylen);
	FUZZ_CHECK(dedupe_store(&d, &u, T0, in + keylen, ack_in) == 0);
	record_file(path, sizeof path);
	genuine = read_all(path, &glen);
	FUZZ_CHECK(glen >= REC_HEADER);
	rec = malloc(glen + extra_len + 16);
	FUZZ_CHECK(rec != NULL);
	memcpy(rec, genuine, glen);
	rlen = glen;
	kind = data[5] % 8;
	switch (kind) {
	case 0: /* untouched */ damaged = 0; break;
	case 1: /* cut */ rlen = extra_len ? extra[0] % (glen + 1) : glen / 2; break;
	case 2: /* bytes changed, each extra byte pair an (offset, xor) */
		for (size_t i = 0; i + 1 < extra_len; i += 2)
			rec[extra[i] % glen] ^= extra[i + 1] ? extra[i + 1] : 1;
		break;
	case 3: /* bytes added */
		memcpy(rec + glen, extra, extra_len);
		rlen += extra_len ? extra_len : 1;
		if (!extra_len)
			rec[glen] = 0;
		break;
	case 4: /* the header forged from the extra bytes */
		memcpy(rec + 8, extra, extra_len < 16 ? extra_len : 16);
		break;
	case 5: /* other bytes altogether */
		memcpy(rec, extra, extra_len);
		rlen = extra_len;
		break;
	default: break;
	}
	if (kind == 6) {
		FUZZ_CHECK(unlink(path) == 0 && mkdir(path, 0750) == 0);
	} else if (kind == 7) {
		char target[620];

		snprintf(target, sizeof target, "%s.real", path);
		FUZZ_CHECK(rename(path, target) == 0 && symlink(target, path) == 0);
	} else {
		write_all(path, rec, rlen);
	}

	now = T0 + data[1] % (2 * window + 2);
	memset(ack, 0x5a, sizeof ack);
	r = dedupe_lookup(&d, &u, now, cap ? ack : NULL, cap, &hit);
	FUZZ_CHECK(r == DEDUPE_NEW || r == DEDUPE_DUPLICATE || r == DEDUPE_REUSED ||
		   r == DEDUPE_TRUNCATED);
	if (r != DEDUPE_NEW) {
		uint32_t kl, al;

		/* only a whole record of this unit's kind and key, inside the window */
		FUZZ_CHECK(kind <= 5 && rlen >= REC_HEADER);
		kl = rec_u32(rec + 16);
		al = rec_u32(rec + 20);
		FUZZ_CHECK(memcmp(rec, genuine, 8) == 0 && kl == rec_u32(genuine + 16));
		FUZZ_CHECK(rlen == REC_HEADER + (size_t)kl + al);
		FUZZ_CHECK(memcmp(rec + REC_HEADER, genuine + REC_HEADER, kl) == 0);
		FUZZ_CHECK(rec_time(rec) >= (long long)now - window &&
			   hit.accepted_at == (time_t)rec_time(rec));
		int same =
		    memcmp(rec + REC_DIGEST, genuine + REC_DIGEST, REC_HEADER - REC_DIGEST) == 0;
		FUZZ_CHECK(same == (r != DEDUPE_REUSED));
		if (r == DEDUPE_DUPLICATE) {
			FUZZ_CHECK(hit.ack_len == al && al <= cap);
			if (al > 0)
				FUZZ_CHECK(memcmp(ack, rec + REC_HEADER + kl, al) == 0);
		}
		if (r == DEDUPE_TRUNCATED) {
			FUZZ_CHECK(hit.ack_stored == al && al > cap);
			if (cap)
				FUZZ_CHECK((unsigned char)ack[0] == 0x5a);
		}
	}
	if (!damaged && now <= T0 + window) {
		FUZZ_CHECK(hit.accepted_at == T0);
		if (ack_in <= cap) {
			FUZZ_CHECK(r == DEDUPE_DUPLICATE && hit.ack_len == ack_in);
			if (ack_in > 0)
				FUZZ_CHECK(memcmp(ack, in + keylen, ack_in) == 0);
		} else {
			FUZZ_CHECK(r == DEDUPE_TRUNCATED && hit.ack_stored == ack_in);
		}
	}
	if (!damaged && now > T0 + window)
		FUZZ_CHECK(r == DEDUPE_NEW);
	free(genuine);
	free(rec);
	remove_all();
	return 0;
}

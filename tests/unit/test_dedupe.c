/* SPDX-License-Identifier: MIT */
/* test_dedupe.c: dedupe finds what was recorded within the window, and nothing else, across
 * processes. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dedupe.h"
#include "sha256.h"
#include "tap.h"

/* A moment on a 600 s boundary, so bucket edges are easy to reason about. */
#define T0 ((time_t)1700000400)

static char root[256];

static struct dedupe_key key3(const char *app, const char *fac, const char *id)
{
	struct dedupe_key k = {{app, strlen(app)}, {fac, strlen(fac)}, {id, strlen(id)}};
	return k;
}

/* A unit of kind kind, key (app, fac, id) and content c (borrowed strings). */
static struct dedupe_unit unit(enum dedupe_kind kind, const char *app, const char *fac,
			       const char *id, const char *c)
{
	struct dedupe_unit u;
	dedupe_unit_init(&u, kind, key3(app, fac, id), c, strlen(c));
	return u;
}

/* A message whose content is its key's control ID: the common case of a test. */
static struct dedupe_unit msg3(const char *app, const char *fac, const char *id)
{
	return unit(DEDUPE_MESSAGE, app, fac, id, id);
}

static int open_dd(struct dedupe *d, const char *sub, long window)
{
	char dir[320];
	const char *what;
	snprintf(dir, sizeof dir, "%s/%s", root, sub);
	return dedupe_open(d, dir, window, &what);
}

/* A dedupe directory whose records are files only (the table's overflow store). */
static int open_files(struct dedupe *d, const char *sub, long window)
{
	int r = open_dd(d, sub, window);
	if (r == 0)
		dedupe_files_only(d);
	return r;
}

/* 1 if u is a duplicate at now with exactly this ACK and time. */
static int found_as(struct dedupe *d, struct dedupe_unit u, time_t now, const char *ack, size_t len,
		    time_t at)
{
	char buf[4096];
	struct dedupe_hit hit;
	return dedupe_lookup(d, &u, now, buf, sizeof buf, &hit) == DEDUPE_DUPLICATE &&
	       hit.ack_len == len && hit.ack_stored == len && memcmp(buf, ack, len) == 0 &&
	       hit.accepted_at == at;
}

/* dedupe_lookup()'s status for u at now. */
static enum dedupe_status find(struct dedupe *d, struct dedupe_unit u, time_t now)
{
	char buf[64];
	struct dedupe_hit hit;
	return dedupe_lookup(d, &u, now, buf, sizeof buf, &hit);
}

static int store(struct dedupe *d, struct dedupe_unit u, time_t now, const char *ack, size_t len)
{
	return dedupe_store(d, &u, now, ack, len);
}

/* The path of the one record in a dedupe directory (first bucket, first record). */
static int only_record(const char *sub, char *path, size_t cap)
{
	char dir[320], bucket[640];
	struct dirent *e;
	DIR *dd, *bd;
	int ok = 0;

	snprintf(dir, sizeof dir, "%s/%s", root, sub);
	if (!(dd = opendir(dir)))
		return 0;
	while (!ok && (e = readdir(dd))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(bucket, sizeof bucket, "%s/%s", dir, e->d_name);
		if (!(bd = opendir(bucket)))
			continue;
		struct dirent *f;
		while (!ok && (f = readdir(bd)))
			if (f->d_name[0] != '.')
				ok = snprintf(path, cap, "%s/%s", bucket, f->d_name) < (int)cap;
		closedir(bd);
	}
	closedir(dd);
	return ok;
}

static int exists(const char *sub, const char *name)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s/%s", root, sub, name);
	return access(path, F_OK) == 0;
}

/* Rewrite a record file: keep its first len bytes, then append extra. */
static int rewrite(const char *path, size_t len, const char *extra, size_t elen)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
	if (fd >= 0)
		close(fd);
	if (n < 0 || (size_t)n < len || len + elen > sizeof buf)
		return -1;
	memcpy(buf + len, extra, elen);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	n = write(fd, buf, len + elen);
	close(fd);
	return n == (ssize_t)(len + elen) ? 0 : -1;
}

/* Overwrite n bytes of a record file at off. */
static int patch(const char *path, off_t off, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY);
	ssize_t w = fd < 0 ? -1 : pwrite(fd, data, n, off);
	if (fd >= 0)
		close(fd);
	return w == (ssize_t)n ? 0 : -1;
}

/* The files in the buckets of a dedupe directory: records, and with dotfiles the temporary ones
 * too. */
static int count_files(const char *sub, int dotfiles)
{
	char dir[320], bucket[640];
	struct dirent *e, *f;
	DIR *dd, *bd;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/%s", root, sub);
	if (!(dd = opendir(dir)))
		return -1;
	while ((e = readdir(dd))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(bucket, sizeof bucket, "%s/%s", dir, e->d_name);
		if ((bd = opendir(bucket))) {
			while ((f = readdir(bd)))
				n += f->d_name[0] != '.' ||
				     (dotfiles && strcmp(f->d_name, ".") != 0 &&
				      strcmp(f->d_name, "..") != 0);
			closedir(bd);
		}
	}
	closedir(dd);
	return n;
}

static int count_records(const char *sub)
{
	return count_files(sub, 0);
}

static int count_entries(const char *sub)
{
	return count_files(sub, 1);
}

static void test_basics(void)
{
	struct dedupe d;
	struct stat st;
	char path[400];
	const char ack[] = "\x0bMSH|^~\\&|RCV|RF|APP|FAC|20231114221400||ACK^A01^ACK|X1|P|2.5."
			   "1\rMSA|AA|MSG001\r\x1c\r";
	struct dedupe_unit k = msg3("APP", "FAC", "MSG001");

	umask(022);
	TAP_OK(open_dd(&d, "a", 600) == 0, "dedupe_open creates the directory");
	snprintf(path, sizeof path, "%s/a", root);
	TAP_OK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750,
	       "it is a 0750 directory");
	TAP_OK(exists("a", "lock"), "with a lock file");
	TAP_OK(find(&d, k, T0) == DEDUPE_NEW, "an empty record finds nothing");
	TAP_OK(dedupe_lock(&d, &k.key) == 0, "dedupe_lock");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0, "dedupe_store");
	TAP_OK(dedupe_unlock(&d, &k.key) == 0, "dedupe_unlock");
	TAP_OK(exists("a", "table") && !exists("a", "1700000400+300"),
	       "the record is in the table, not a file in a bucket");
	TAP_OK(found_as(&d, k, T0, ack, sizeof ack - 1, T0),
	       "a duplicate at once: the same ACK bytes and time");
	TAP_OK(found_as(&d, k, T0 + 100, ack, sizeof ack - 1, T0), "a duplicate 100 s later");

	TAP_OK(find(&d, msg3("APQ", "FAC", "MSG001"), T0) == DEDUPE_NEW, "another MSH-3 is new");
	TAP_OK(find(&d, msg3("APP", "FAD", "MSG001"), T0) == DEDUPE_NEW, "another MSH-4 is new");
	TAP_OK(find(&d, msg3("APP", "FAC", "MSG002"), T0) == DEDUPE_NEW, "another MSH-10 is new");
	TAP_OK(find(&d, unit(DEDUPE_MESSAGE, "APP", "FAC", "MSG00", "MSG001"), T0) == DEDUPE_NEW,
	       "a prefix of MSH-10 is new");
	TAP_OK(find(&d, unit(DEDUPE_MESSAGE, "", "APPFAC", "MSG001", "MSG001"), T0) == DEDUPE_NEW,
	       "the same bytes split otherwise are new");

	struct dedupe_unit ab = unit(DEDUPE_MESSAGE, "ab", "c", "1", "x"),
			   bc = unit(DEDUPE_MESSAGE, "a", "bc", "1", "x");
	struct dedupe_unit c1 = unit(DEDUPE_MESSAGE, "x", "ab", "c", "x"),
			   c2 = unit(DEDUPE_MESSAGE, "x", "a", "bc", "x");
	TAP_OK(store(&d, ab, T0, "", 0) == 0 && store(&d, c1, T0, "", 0) == 0,
	       "record (ab, c, 1) and (x, ab, c) with no ACK");
	TAP_OK(found_as(&d, ab, T0, "", 0, T0), "(ab, c, 1) is a duplicate, with an empty ACK");
	TAP_OK(find(&d, bc, T0) == DEDUPE_NEW, "(a, bc, 1) is new");
	TAP_OK(find(&d, c2, T0) == DEDUPE_NEW, "(x, a, bc) is new");

	/* Fields and an ACK past the reader's 512-byte chunks. */
	static char big_id[1500], big_ack[3000], other_id[1500];
	memset(big_id, 'I', sizeof big_id - 1);
	memcpy(other_id, big_id, sizeof big_id);
	other_id[sizeof other_id - 2] = 'J';
	for (size_t i = 0; i < sizeof big_ack; i++)
		big_ack[i] = (char)(i * 7);
	struct dedupe_unit big = unit(DEDUPE_MESSAGE, "APP", "FAC", big_id, "B"),
			   other = unit(DEDUPE_MESSAGE, "APP", "FAC", other_id, "B");
	TAP_OK(store(&d, big, T0, big_ack, sizeof big_ack) == 0,
	       "record a 1.5 KB MSH-10 with a 3 KB ACK");
	TAP_OK(found_as(&d, big, T0 + 1, big_ack, sizeof big_ack, T0), "found whole");
	TAP_OK(find(&d, other, T0) == DEDUPE_NEW, "one different last byte: new");

	struct dedupe_unit r = msg3("APP", "FAC", "AGAIN");
	TAP_OK(store(&d, r, T0, "first", 5) == 0 && store(&d, r, T0 + 1, "second", 6) == 0 &&
		   found_as(&d, r, T0 + 2, "second", 6, T0 + 1),
	       "a second record in the same bucket replaces the first");
	TAP_OK(store(&d, r, T0 + 400, "third", 5) == 0 &&
		   found_as(&d, r, T0 + 401, "third", 5, T0 + 400),
	       "the newest bucket is searched first");
	dedupe_close(&d);
	dedupe_close(&d);
	TAP_OK(d.dirfd == -1 && d.lockfd == -1, "dedupe_close twice is harmless");
}

/* Issue 2: a batch and a message never match, whatever their fields. */
static void test_kinds(void)
{
	struct dedupe d;
	char path[400], path2[400];
	const char *same =
	    "BHS|^~\\&|SND|SFAC\rBTS|0\r"; /* one content for both: only the kind differs */
	struct dedupe_unit b = unit(DEDUPE_BATCH, "SND", "SFAC", "K1", same);
	struct dedupe_unit m = unit(DEDUPE_MESSAGE, "SND", "SFAC", "K1", same);

	TAP_OK(open_dd(&d, "kinds", 600) == 0 && store(&d, b, T0, "batch answer", 12) == 0,
	       "a batch (SND, SFAC, K1) is recorded");
	TAP_OK(find(&d, m, T0) == DEDUPE_NEW,
	       "a message (SND, SFAC, K1), same bytes even: new, not the batch's duplicate");
	TAP_OK(found_as(&d, b, T0, "batch answer", 12, T0), "the batch is a duplicate of itself");
	TAP_OK(store(&d, m, T0 + 1, "message answer", 14) == 0, "the message is recorded too");
	TAP_OK(found_as(&d, m, T0 + 2, "message answer", 14, T0 + 1) &&
		   found_as(&d, b, T0 + 2, "batch answer", 12, T0),
	       "each finds its own record and answer: the message did not replace the batch");

	/* The batch's record put under the message's name: the stored kind is compared. */
	struct dedupe d2;
	TAP_OK(open_files(&d2, "kinds2", 600) == 0 && store(&d2, m, T0, "M", 1) == 0 &&
		   only_record("kinds2", path2, sizeof path2),
	       "a message's record elsewhere");
	dedupe_close(&d2);
	TAP_OK(open_files(&d2, "kinds3", 600) == 0 && store(&d2, b, T0, "B", 1) == 0 &&
		   only_record("kinds3", path, sizeof path) && rename(path, path2) == 0,
	       "replaced by the batch's record, same key, same digest, of the same length");
	dedupe_close(&d2);
	TAP_OK(open_files(&d2, "kinds2", 600) == 0 && find(&d2, m, T0) == DEDUPE_NEW,
	       "a message finds a batch's record under its own name: new");
	dedupe_close(&d2);

	struct dedupe_unit none = m;
	char buf[8];
	struct dedupe_hit hit;
	none.kind = 0;
	errno = 0;
	TAP_OK(dedupe_lookup(&d, &none, T0, buf, sizeof buf, &hit) == DEDUPE_FAILED &&
		   errno == EINVAL,
	       "a unit of kind 0: dedupe_lookup fails, EINVAL");
	errno = 0;
	TAP_OK(dedupe_store(&d, &none, T0, "", 0) == -1 && errno == EINVAL,
	       "dedupe_store fails too, EINVAL");
	dedupe_close(&d);
}

/* Issue 3: same key, other content is a reused control ID, not a duplicate. */
static void test_content(void)
{
	struct dedupe d;
	char path[400];
	static const char x[] =
	    "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101||ADT^A01|R1|P|2.5\rPID|1||1^^^H^MR||DOE^JOHN\r";
	static const char y[] =
	    "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260102||ADT^A08|R1|P|2.5\rPID|1||2^^^H^MR||ROE^JANE\r";
	char x2[sizeof x];
	struct dedupe_unit ux = unit(DEDUPE_MESSAGE, "SND", "SFAC", "R1", x);
	struct dedupe_unit uy = unit(DEDUPE_MESSAGE, "SND", "SFAC", "R1", y);
	struct dedupe_hit hit;
	char buf[64];
	unsigned char want[SHA256_LEN];

	sha256_digest(x, strlen(x), want);
	TAP_OK(memcmp(ux.digest, want, SHA256_LEN) == 0 && ux.kind == DEDUPE_MESSAGE &&
		   ux.key.control_id.len == 2,
	       "dedupe_unit_init: the kind, the key and the SHA-256 of the bytes");
	TAP_OK(open_dd(&d, "content", 600) == 0 && store(&d, ux, T0, "ACK X", 5) == 0,
	       "message X recorded as R1");
	TAP_OK(found_as(&d, ux, T0 + 10, "ACK X", 5, T0), "X again: a duplicate, X's answer");
	memset(buf, '#', sizeof buf);
	TAP_OK(dedupe_lookup(&d, &uy, T0 + 10, buf, sizeof buf, &hit) == DEDUPE_REUSED &&
		   hit.accepted_at == T0 && hit.ack_len == 0 && hit.ack_stored == 0 &&
		   buf[0] == '#',
	       "Y with X's key: a reused control ID, when X was recorded, no answer copied");
	int all = 1;
	for (size_t i = 0; i < sizeof x - 1; i++) {
		memcpy(x2, x, sizeof x);
		x2[i] ^= 0x20;
		all &= find(&d, unit(DEDUPE_MESSAGE, "SND", "SFAC", "R1", x2), T0) == DEDUPE_REUSED;
	}
	TAP_OK(all, "one byte changed anywhere in X: reused, never a duplicate");
	memcpy(x2, x, sizeof x);
	x2[sizeof x - 2] = '\n';
	TAP_OK(find(&d, unit(DEDUPE_MESSAGE, "SND", "SFAC", "R1", x2), T0) == DEDUPE_REUSED,
	       "the bytes as received: an LF for the last CR is other content");
	TAP_OK(store(&d, uy, T0 + 20, "ACK Y", 5) == 0 &&
		   found_as(&d, uy, T0 + 30, "ACK Y", 5, T0 + 20),
	       "Y recorded: Y again is a duplicate with Y's answer");
	TAP_OK(dedupe_lookup(&d, &ux, T0 + 30, buf, sizeof buf, &hit) == DEDUPE_REUSED &&
		   hit.accepted_at == T0 + 20,
	       "Y replaced X: X again is reused (only the newest content is remembered)");
	TAP_OK(store(&d, ux, T0 + 400, "ACK X2", 6) == 0 &&
		   found_as(&d, ux, T0 + 401, "ACK X2", 6, T0 + 400) &&
		   find(&d, uy, T0 + 401) == DEDUPE_REUSED,
	       "X again in a newer bucket: the newer record decides, Y is reused");

	/* A flipped bit in the stored digest: never a duplicate. */
	struct dedupe d2;
	TAP_OK(open_files(&d2, "content2", 600) == 0 && store(&d2, ux, T0, "A", 1) == 0 &&
		   only_record("content2", path, sizeof path),
	       "a record to damage");
	TAP_OK(patch(path, 24 + 31, "\x01", 1) == 0 && find(&d2, ux, T0) == DEDUPE_REUSED,
	       "its digest damaged: reused, delivered again");
	dedupe_close(&d2);
	dedupe_close(&d);
}

static void test_window(void)
{
	struct dedupe d;
	struct dedupe_unit k = msg3("APP", "FAC", "W");
	int ok;

	TAP_OK(open_dd(&d, "w600", 600) == 0 && store(&d, k, T0 + 299, "A", 1) == 0, "window 600");
	TAP_OK(find(&d, k, T0 + 299 + 600) == DEDUPE_DUPLICATE, "found at t + window");
	TAP_OK(find(&d, k, T0 + 299 + 601) == DEDUPE_NEW, "not found at t + window + 1");
	dedupe_close(&d);

	/* Odd windows: the look-up spans up to 4 buckets.  Every record time
	 * within two buckets, every look-up time around the window's edge. */
	long windows[] = {1, 2, 3, 7, 600, 601};
	for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
		char sub[32];
		long win = windows[w];
		snprintf(sub, sizeof sub, "odd%ld", win);
		ok = open_dd(&d, sub, win) == 0;
		long span = win < 4 ? 6 : 2 * (win / 2) + 1;
		for (long t = 0; ok && t <= span; t += win < 20 ? 1 : 37) {
			char id[32];
			snprintf(id, sizeof id, "K%ld", t);
			struct dedupe_unit kt = msg3("APP", "FAC", id);
			ok = store(&d, kt, T0 + t, id, strlen(id)) == 0;
			/* Every dt for small windows; near both ends for large ones. */
			for (long dt = 0; ok && dt <= win + 2;
			     dt = win >= 20 && dt > 40 && dt + 37 < win - 40 ? dt + 37 : dt + 1)
				ok = find(&d, kt, T0 + t + dt) ==
				     (dt <= win ? DEDUPE_DUPLICATE : DEDUPE_NEW);
		}
		TAP_OK(ok, "window %ld: found from t to t + %ld, not at t + %ld", win, win,
		       win + 1);
		dedupe_close(&d);
	}
}

/* The size of a file, or -1. */
static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Make a record claim an ACK of claim bytes, its file (sparse) that long, so the sizes still add
 * up. */
static int forge_claim(const char *path, size_t real_ack, uint32_t claim)
{
	unsigned char c[4] = {(unsigned char)claim, (unsigned char)(claim >> 8),
			      (unsigned char)(claim >> 16), (unsigned char)(claim >> 24)};
	off_t size = file_size(path);
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && size >= 0 && pwrite(fd, c, 4, 20) == 4 &&
		 ftruncate(fd, size - (off_t)real_ack + (off_t)claim) == 0;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static void test_damage(void)
{
	struct dedupe d, d2;
	struct dedupe_unit k = msg3("APP", "FAC", "MSG00001");
	struct dedupe_unit other = msg3("APP", "FAC", "MSG00002"),
			   longer = msg3("APP", "FAC", "MSG000003");
	char path[400], path2[400];
	const char ack[] = "MSH|^~\\&|R|F|APP|FAC|2023||ACK|1|P|2.5\rMSA|AA|MSG00001\r";
	/* Header 56, kind 4, three lengths 12, the fields, the ACK. */
	size_t whole = 56 + 4 + 12 + 3 + 3 + 8 + sizeof ack - 1;

	TAP_OK(open_files(&d, "dmg", 600) == 0 && store(&d, k, T0, ack, sizeof ack - 1) == 0 &&
		   only_record("dmg", path, sizeof path) && file_size(path) == (off_t)whole,
	       "a record to damage, %zu bytes", whole);
	TAP_OK(rewrite(path, whole - 1, "", 0) == 0 && find(&d, k, T0) == DEDUPE_NEW,
	       "one byte short: new");
	TAP_OK(rewrite(path, whole - 1, "\r\r", 2) == 0 && find(&d, k, T0) == DEDUPE_NEW,
	       "one byte too many: new");
	TAP_OK(rewrite(path, whole - 1, "\r", 1) == 0 && find(&d, k, T0) == DEDUPE_DUPLICATE,
	       "(the record restored is a duplicate)");
	TAP_OK(rewrite(path, 10, "", 0) == 0 && find(&d, k, T0) == DEDUPE_NEW,
	       "a torn header: new");
	TAP_OK(rewrite(path, 0, "", 0) == 0 && find(&d, k, T0) == DEDUPE_NEW, "an empty file: new");

	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 && patch(path, 0, "MLDX", 4) == 0 &&
		   find(&d, k, T0) == DEDUPE_NEW,
	       "a wrong magic: new");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 && patch(path, 4, "\x03", 1) == 0 &&
		   find(&d, k, T0) == DEDUPE_NEW,
	       "a later version: new");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 && patch(path, 4, "\x01", 1) == 0 &&
		   find(&d, k, T0) == DEDUPE_NEW,
	       "version 1 (no kind, no digest): new");
	/* The key length one more and the ACK length one less: the sizes
	 * still add up, but the key length is not k's. */
	char acklen[4] = {(char)(sizeof ack - 2), 0, 0, 0},
	     keylen[4] = {4 + 12 + 3 + 3 + 8 + 1, 0, 0, 0};
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 && patch(path, 16, keylen, 4) == 0 &&
		   patch(path, 20, acklen, 4) == 0 && find(&d, k, T0) == DEDUPE_NEW,
	       "a wrong key length: new");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 && patch(path, 56, "\x02", 1) == 0 &&
		   find(&d, k, T0) == DEDUPE_NEW,
	       "another kind in the stored key: new");

	/* Issue 13: forged ACK lengths, with files as long as they claim (sparse). */
	char buf[64];
	struct dedupe_hit hit;
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 &&
		   forge_claim(path, sizeof ack - 1, 0xfffffff0u) == 0 &&
		   find(&d, k, T0) == DEDUPE_NEW,
	       "a record claiming a 4 GiB ACK: new (damaged), nothing to allocate");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 &&
		   forge_claim(path, sizeof ack - 1, (uint32_t)DEDUPE_ACK_MAX + 1) == 0 &&
		   find(&d, k, T0) == DEDUPE_NEW,
	       "a record claiming DEDUPE_ACK_MAX + 1 bytes: new");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 &&
		   forge_claim(path, sizeof ack - 1, (uint32_t)DEDUPE_ACK_MAX) == 0 &&
		   dedupe_lookup(&d, &k, T0, buf, sizeof buf, &hit) == DEDUPE_TRUNCATED &&
		   hit.ack_stored == DEDUPE_ACK_MAX && hit.ack_len == 0,
	       "one claiming exactly DEDUPE_ACK_MAX: a duplicate too long for the buffer, nothing "
	       "copied");
	dedupe_close(&d);

	/* A hash collision: the file named for `other` holds k's record. */
	TAP_OK(open_files(&d, "coll", 600) == 0 && open_files(&d2, "coll2", 600) == 0,
	       "two directories");
	TAP_OK(store(&d, other, T0, "B", 1) == 0 && only_record("coll", path, sizeof path) &&
		   store(&d2, k, T0, ack, sizeof ack - 1) == 0 &&
		   only_record("coll2", path2, sizeof path2) && rename(path2, path) == 0,
	       "k's record put under the name of another key of the same length");
	TAP_OK(find(&d, other, T0) == DEDUPE_NEW, "that other key is new (stored key compared)");
	TAP_OK(find(&d, k, T0) == DEDUPE_NEW, "and so is k (its own name is absent)");
	TAP_OK(store(&d2, longer, T0, "C", 1) == 0 && only_record("coll2", path2, sizeof path2) &&
		   rename(path2, path) == 0 && find(&d, other, T0) == DEDUPE_NEW,
	       "a key of another length under that name: new");
	dedupe_close(&d);
	dedupe_close(&d2);
}

/* Issue 13: what a caller gets is never more than its buffer, whatever the record does. */
static void test_answer_bounds(void)
{
	struct dedupe d;
	struct dedupe_unit k = msg3("APP", "FAC", "T1");
	static char ack[300], buf[400];
	struct dedupe_hit hit;

	for (size_t i = 0; i < sizeof ack; i++)
		ack[i] = (char)('A' + i % 26);
	TAP_OK(open_dd(&d, "bounds", 600) == 0 && store(&d, k, T0, ack, 200) == 0,
	       "a record with a 200-byte ACK");
	memset(buf, '#', sizeof buf);
	TAP_OK(dedupe_lookup(&d, &k, T0, buf, 199, &hit) == DEDUPE_TRUNCATED && hit.ack_len == 0 &&
		   hit.ack_stored == 200 && hit.accepted_at == T0 && buf[0] == '#',
	       "a buffer one byte short: truncated, nothing copied, 200 needed");
	TAP_OK(dedupe_lookup(&d, &k, T0, NULL, 0, &hit) == DEDUPE_TRUNCATED &&
		   hit.ack_stored == 200,
	       "no buffer at all: truncated");
	TAP_OK(dedupe_lookup(&d, &k, T0, buf, 200, &hit) == DEDUPE_DUPLICATE &&
		   hit.ack_len == 200 && memcmp(buf, ack, 200) == 0 && buf[200] == '#',
	       "exactly 200: a duplicate, 200 bytes copied, none past them");
	/* The record changes between two calls (conn.c's case): the second
	 * call reports its own truth, and never more than its cap. */
	TAP_OK(dedupe_lookup(&d, &k, T0, buf, 10, &hit) == DEDUPE_TRUNCATED &&
		   hit.ack_stored == 200 && store(&d, k, T0 + 1, ack, 300) == 0 &&
		   dedupe_lookup(&d, &k, T0 + 1, buf, hit.ack_stored, &hit) == DEDUPE_TRUNCATED &&
		   hit.ack_len == 0 && hit.ack_stored == 300,
	       "grown to 300 after the first call: the second, with 200, is truncated again (300), "
	       "nothing sent");
	TAP_OK(store(&d, k, T0 + 2, ack, 100) == 0 &&
		   dedupe_lookup(&d, &k, T0 + 2, buf, 300, &hit) == DEDUPE_DUPLICATE &&
		   hit.ack_len == 100 && hit.ack_stored == 100,
	       "shrunk to 100: 100 copied into the 300-byte buffer, 100 reported");

	/* Refused when recording: nothing left behind. */
	char *huge = calloc(1, DEDUPE_ACK_MAX + 1);
	int before = count_records("bounds");
	errno = 0;
	TAP_OK(
	    huge && store(&d, msg3("APP", "FAC", "T2"), T0, huge, DEDUPE_ACK_MAX + 1) == -1 &&
		errno == EMSGSIZE && count_records("bounds") == before &&
		count_entries("bounds") == before,
	    "dedupe_store of an ACK of DEDUPE_ACK_MAX + 1: EMSGSIZE, no record, no temporary file");
	free(huge);
	dedupe_close(&d);
}

static void test_prune(void)
{
	struct dedupe d, d2;
	struct dedupe_unit k1 = msg3("A", "F", "1"), k2 = msg3("A", "F", "2"),
			   k3 = msg3("A", "F", "3");
	char path[400];

	/* Window 600, buckets of 300: [T0, T0+300) ends at T0+300 and goes
	 * when now - (T0+300) > 600. */
	TAP_OK(open_files(&d, "pr", 600) == 0 && store(&d, k1, T0, "1", 1) == 0 &&
		   store(&d, k2, T0 + 299, "2", 1) == 0 && store(&d, k3, T0 + 650, "3", 1) == 0,
	       "records at T0, T0+299 (one bucket) and T0+650");
	snprintf(path, sizeof path, "%s/pr/%lld+300/.4242.0123456789abcdef", root, (long long)T0);
	close(open(path, O_CREAT | O_WRONLY, 0640));
	snprintf(path, sizeof path, "%s/pr/junk", root);
	mkdir(path, 0750);
	snprintf(path, sizeof path, "%s/pr/0300+300", root);
	mkdir(path, 0750);
	TAP_OK(dedupe_prune(&d, T0 + 900) == 0 && exists("pr", "1700000400+300") &&
		   count_records("pr") == 3,
	       "at T0+900 (end + window) nothing goes");
	TAP_OK(dedupe_prune(&d, T0 + 1000) == 0 && exists("pr", "1700000400+300"),
	       "at T0+1000: not due, one bucket period after the last prune");
	TAP_OK(dedupe_prune(&d, T0 + 1200) == 2, "at T0+1200 the old bucket's 2 records go");
	TAP_OK(!exists("pr", "1700000400+300") && count_records("pr") == 1,
	       "with the bucket and its temporary file");
	TAP_OK(found_as(&d, k3, T0 + 1200, "3", 1, T0 + 650),
	       "the young record stays and is found");
	TAP_OK(exists("pr", "junk") && exists("pr", "0300+300") && exists("pr", "lock"),
	       "names not ours are left");
	dedupe_close(&d);
	TAP_OK(open_files(&d, "pr", 600) == 0 && dedupe_prune(&d, T0 + 1201) == 0 &&
		   count_records("pr") == 1,
	       "a new process prunes at once, the young bucket stays");
	TAP_OK(dedupe_prune(&d, T0 + 5000) == 1 && count_records("pr") == 0,
	       "and later it goes too");
	TAP_OK(dedupe_prune(&d, T0 + 10) == 0, "a clock gone back prunes at once (nothing there)");
	dedupe_close(&d);

	/* Two windows in one directory: 24 h (buckets of 12 h) and 15 min
	 * (buckets of 450 s).  Each prunes the other's buckets by their own end. */
	struct dedupe_unit ka = msg3("A", "F", "day"), kb = msg3("A", "F", "quarter");
	TAP_OK(open_files(&d, "mix", 86400) == 0 && open_files(&d2, "mix", 900) == 0,
	       "windows 24h and 15m share a directory");
	TAP_OK(store(&d, ka, T0, "A", 1) == 0 && store(&d2, kb, T0, "B", 1) == 0,
	       "one record each");
	TAP_OK(find(&d2, ka, T0) == DEDUPE_NEW && find(&d, kb, T0) == DEDUPE_NEW,
	       "each sees only its own buckets");
	TAP_OK(dedupe_prune(&d2, T0 + 3600) == 1,
	       "the 15m process, an hour later, prunes its own record");
	TAP_OK(found_as(&d, ka, T0 + 3600, "A", 1, T0), "and not the 24h one's");
	TAP_OK(store(&d2, kb, T0 + 3600, "B", 1) == 0 && dedupe_prune(&d, T0 + 3700) == 0 &&
		   found_as(&d2, kb, T0 + 3700, "B", 1, T0 + 3600),
	       "the 24h process keeps a young 15m record");
	TAP_OK(dedupe_prune(&d, T0 + 3700 + 43200) == 1 &&
		   found_as(&d, ka, T0 + 3700 + 43200, "A", 1, T0),
	       "and prunes it once past its own window, keeping its own");
	TAP_OK(dedupe_prune(&d, T0 + 3 * 86400) == 1 && count_records("mix") == 0,
	       "its own goes after its window");
	dedupe_close(&d);
	dedupe_close(&d2);
}

/* 1 if a and b fall in one set of the table: FNV-1a 64 of each field after its 4-byte length. */
static int same_set(const struct dedupe_unit *a, const struct dedupe_unit *b)
{
	uint64_t h[2];
	for (int j = 0; j < 2; j++) {
		const struct dedupe_key *k = j ? &b->key : &a->key;
		const struct hl7_span *f[3] = {&k->app, &k->fac, &k->control_id};
		h[j] = 0xcbf29ce484222325ULL;
		for (int i = 0; i < 3; i++) {
			unsigned char len[4] = {
			    (unsigned char)f[i]->len, (unsigned char)(f[i]->len >> 8),
			    (unsigned char)(f[i]->len >> 16), (unsigned char)(f[i]->len >> 24)};
			for (int m = 0; m < 4; m++)
				h[j] = (h[j] ^ len[m]) * 0x100000001b3ULL;
			for (size_t m = 0; m < f[i]->len; m++)
				h[j] = (h[j] ^ (unsigned char)f[i]->p[m]) * 0x100000001b3ULL;
		}
	}
	return h[0] % DDTABLE_SETS == h[1] % DDTABLE_SETS;
}

/* The offset in sub/table of the one slot whose magic is set, or -1. */
static off_t table_slot(const char *sub)
{
	char path[400];
	unsigned char page[4096];
	off_t found = -1;
	snprintf(path, sizeof path, "%s/%s/table", root, sub);
	int fd = open(path, O_RDONLY);
	for (off_t off = 4096; fd >= 0 && off < (off_t)DDTABLE_SIZE; off += 4096) {
		if (pread(fd, page, sizeof page, off) != (ssize_t)sizeof page)
			break;
		for (unsigned w = 1; w <= DDTABLE_WAYS; w++)
			if (memcmp(page + w * DDTABLE_SLOT + 8, "MLDS", 4) == 0)
				found = off + (off_t)(w * DDTABLE_SLOT);
	}
	if (fd >= 0)
		close(fd);
	return found;
}

static int table_patch(const char *sub, off_t off, const char *data, size_t n)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s/table", root, sub);
	return patch(path, off, data, n);
}

static void test_table_kill(struct dedupe *dp, struct dedupe_unit k2);
static void test_table_self(struct dedupe *dp);
static void test_table_bad(struct dedupe_unit k);
static void test_table_full(void);

/* The table: a slot cut or damaged is absent; a bad table is refused; a dead locker's lock is
 * taken over. */
static void test_table(void)
{
	struct dedupe d;
	struct dedupe_unit k = msg3("APP", "FAC", "TBL1"), k2 = msg3("APP", "FAC", "TBL2");
	const char ack[] = "MSH|^~\\&|R|F|APP|FAC|2023||ACK|1|P|2.5\rMSA|AA|TBL1\r";
	off_t s = -1;

	TAP_OK(open_dd(&d, "tbl", 600) == 0 && store(&d, k, T0, ack, sizeof ack - 1) == 0 &&
		   count_records("tbl") == 0 && (s = table_slot("tbl")) > 0,
	       "a record lands in one slot of DIR/table, no file");
	TAP_OK(found_as(&d, k, T0 + 1, ack, sizeof ack - 1, T0), "and is found");
	TAP_OK(table_patch("tbl", s + 8, "\0\0\0\0", 4) == 0 && find(&d, k, T0) == DEDUPE_NEW,
	       "its magic cleared (a writer killed mid-write leaves that): new");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 && (s = table_slot("tbl")) > 0 &&
		   table_patch("tbl", s + 64 + 30, "#", 1) == 0 && find(&d, k, T0) == DEDUPE_NEW,
	       "one byte of its answer damaged (the sum fails): new");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 && (s = table_slot("tbl")) > 0 &&
		   table_patch("tbl", s + 24, "\xff\xff\xff\x7f", 4) == 0 &&
		   find(&d, k, T0) == DEDUPE_NEW,
	       "an answer length past the slot: new");
	TAP_OK(store(&d, k, T0, ack, sizeof ack - 1) == 0 &&
		   found_as(&d, k, T0, ack, sizeof ack - 1, T0),
	       "recorded again over the damaged slot: a duplicate");

	test_table_kill(&d, k2);
	test_table_self(&d);
	dedupe_close(&d);
	test_table_bad(k);
	test_table_full();
}

/* A process killed (SIGKILL) while it holds a set's lock. */
static void test_table_kill(struct dedupe *dp, struct dedupe_unit k2)
{
	struct dedupe d = *dp;
	pid_t pid = fork();
	if (pid == 0) {
		if (dedupe_lock(&d, &k2.key) == 0 && store(&d, k2, T0, "K2", 2) == 0)
			raise(SIGKILL);
		_exit(1);
	}
	int st;
	TAP_OK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	       "a child locks TBL2, records it and is killed -9 holding the lock");
	alarm(20); /* a lock never taken over fails the test instead of hanging it */
	TAP_OK(dedupe_lock(&d, &k2.key) == 0 && found_as(&d, k2, T0, "K2", 2, T0) &&
		   dedupe_unlock(&d, &k2.key) == 0,
	       "the dead child's lock is taken over, its record survives");
	alarm(0);
}

/*
 * dedupe_set_self: the lock word names the pid given, not getpid()'s.  The
 * lock is taken in the name of a child S, which then dies: another process
 * takes the lock over at once.  Were getpid() used, the word would name
 * this live process and the other would wait forever (the alarm fails it).
 */
static void test_table_self(struct dedupe *dp)
{
	struct dedupe d = *dp;
	struct dedupe_unit k3 = msg3("APP", "FAC", "TBL3");
	int st, ok;
	pid_t s = fork();
	if (s == 0) {
		pause();
		_exit(0);
	}
	dedupe_set_self(&d, s);
	ok = s > 0 && dedupe_lock(&d, &k3.key) == 0;
	kill(s, SIGKILL);
	waitpid(s, &st, 0);
	pid_t other = fork();
	if (other == 0) {
		struct dedupe o = *dp; /* self 0: getpid() */
		alarm(20);
		_exit(dedupe_lock(&o, &k3.key) == 0 && dedupe_unlock(&o, &k3.key) == 0 ? 0 : 1);
	}
	TAP_OK(ok && other > 0 && waitpid(other, &st, 0) == other && WIFEXITED(st) &&
		   WEXITSTATUS(st) == 0,
	       "dedupe_set_self: the lock names the pid given (gone: taken over at once)");
	dedupe_set_self(&d, getpid());
	TAP_OK(dedupe_lock(&d, &k3.key) == 0 && dedupe_unlock(&d, &k3.key) == 0 &&
		   dedupe_lock(dp, &k3.key) == 0 && dedupe_unlock(dp, &k3.key) == 0,
	       "dedupe_set_self(getpid()): locks and unlocks as without it");
}

/* 1 if the file at path has a block of storage for each of its bytes. */
static int allocated(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 &&
	       (unsigned long long)st.st_blocks * 512 >= (unsigned long long)st.st_size;
}

/* A table that is not ours is refused; a removed one starts again empty; a table is allocated. */
static void test_table_bad(struct dedupe_unit k)
{
	struct dedupe d;
	char path[400];
	snprintf(path, sizeof path, "%s/tbl/table", root);
	errno = 0;
	TAP_OK(patch(path, 0, "MLDX", 4) == 0 && open_dd(&d, "tbl", 600) == -1 && errno == EPROTO,
	       "a table whose header is not ours: dedupe_open fails, EPROTO (AE, never a guess)");
	TAP_OK(truncate(path, 4096) == 0 && open_dd(&d, "tbl", 600) == -1 && errno == EPROTO,
	       "a short table: EPROTO");
	unlink(path);
	TAP_OK(open_dd(&d, "tbl", 600) == 0 && find(&d, k, T0) == DEDUPE_NEW,
	       "the table removed: a new empty one, every message new");
	dedupe_close(&d);
	TAP_OK(allocated(path), "a new table is allocated whole (a full disk is an error at "
				"creation, never a SIGBUS when a record is written)");
	/* A sparse table, as an older mllpd left it: allocated when opened, its records kept. */
	const char ack[] = "MSA|AA|TBL1\r";
	char cmd[2000];
	snprintf(cmd, sizeof cmd, "cp --sparse=always '%s' '%s.s' && mv '%s.s' '%s'", path, path,
		 path, path);
	TAP_OK(open_dd(&d, "tbl", 600) == 0 && store(&d, k, T0, ack, sizeof ack - 1) == 0,
	       "a record stored");
	dedupe_close(&d);
	TAP_OK(system(cmd) == 0 && !allocated(path) && open_dd(&d, "tbl", 600) == 0 &&
		   allocated(path) && found_as(&d, k, T0, ack, sizeof ack - 1, T0),
	       "a sparse table (an older mllpd's) is allocated when opened, its records kept");
	dedupe_close(&d);
}

/* A full set: the eighth live key of one set goes to a file and is still found. */
static void test_table_full(void)
{
	struct dedupe d;
	TAP_OK(open_dd(&d, "full", 600) == 0, "a table to fill");
	int n = 0, files = 0, all = 1;
	char ids[64][16];
	for (int i = 0; i < 200000 && n < 8; i++) {
		snprintf(ids[n], sizeof ids[n], "F%d", i);
		struct dedupe_unit u = msg3("APP", "FAC", ids[n]);
		struct dedupe_unit u0 = msg3("APP", "FAC", n ? ids[0] : ids[n]);
		char a[2] = {(char)('0' + n), 0};
		if (n == 0 || same_set(&u, &u0)) {
			all &= store(&d, u, T0, a, 1) == 0;
			n++;
		}
	}
	files = count_records("full");
	for (int i = 0; i < n; i++) {
		char a[2] = {(char)('0' + i), 0};
		all &= found_as(&d, msg3("APP", "FAC", ids[i]), T0 + 1, a, 1, T0);
	}
	TAP_OK(n == 8 && all && files == 1,
	       "8 keys of one 7-way set: 7 slots and 1 file (%d), all 8 found", files);
	dedupe_close(&d);
}

#define PROCS 8
#define KEYS 200

/* One writer: each key, in its own order, delivered when not found. */
static int writer(struct dedupe *d, int c, int out)
{
	unsigned char delivered[KEYS] = {0};
	int bad = 0;

	for (int j = 0; j < KEYS; j++) {
		int i = (j + c * 37) % KEYS;
		char id[16], ack[32], got[32];
		snprintf(id, sizeof id, "C%d", i);
		snprintf(ack, sizeof ack, "ACK for C%d", i);
		struct dedupe_unit k = msg3("APP", "FAC", id);
		struct dedupe_hit hit;
		if (dedupe_lock(d, &k.key) < 0)
			return 1;
		enum dedupe_status r = dedupe_lookup(d, &k, T0, got, sizeof got, &hit);
		if (r == DEDUPE_NEW) {
			delivered[i]++;
			if (dedupe_store(d, &k, T0, ack, strlen(ack)) < 0)
				bad = 1;
		} else if (r != DEDUPE_DUPLICATE || hit.ack_len != strlen(ack) ||
			   memcmp(got, ack, hit.ack_len) != 0) {
			bad = 1;
		}
		if (dedupe_unlock(d, &k.key) < 0 || dedupe_prune(d, T0) < 0)
			bad = 1;
	}
	return write(out, delivered, sizeof delivered) != (ssize_t)sizeof delivered || bad;
}

static void test_concurrent(int files)
{
	const char *sub = files ? "concf" : "conc";
	struct dedupe d;
	int fds[PROCS][2], failed = 0, total = 0, each = 1;
	pid_t pids[PROCS];
	int counts[KEYS] = {0};

	/* Opened once before fork(): each child's locks are its own. */
	TAP_OK((files ? open_files : open_dd)(&d, sub, 3600) == 0,
	       "a directory for %d processes (%s)", PROCS, files ? "files" : "table");
	for (int c = 0; c < PROCS; c++) {
		if (pipe(fds[c]) < 0 || (pids[c] = fork()) < 0) {
			failed = 1;
			pids[c] = -1;
			continue;
		}
		if (pids[c] == 0) {
			close(fds[c][0]);
			_exit(writer(&d, c, fds[c][1]));
		}
		close(fds[c][1]);
	}
	for (int c = 0; c < PROCS; c++) {
		unsigned char got[KEYS];
		int st;
		if (pids[c] < 0)
			continue;
		ssize_t n = read(fds[c][0], got, sizeof got);
		close(fds[c][0]);
		if (waitpid(pids[c], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
		    n != KEYS)
			failed = 1;
		for (int i = 0; n == KEYS && i < KEYS; i++)
			counts[i] += got[i];
	}
	for (int i = 0; i < KEYS; i++) {
		total += counts[i];
		each &= counts[i] == 1;
	}
	TAP_OK(!failed,
	       "every writer ran and saw the first writer's ACK for every key it did not deliver");
	TAP_OK(each && total == KEYS,
	       "every key delivered exactly once in all (%d deliveries for %d keys)", total, KEYS);
	TAP_OK(count_records(sub) == (files ? KEYS : 0), "%d record files", files ? KEYS : 0);
	dedupe_close(&d);
}

static void test_errors(void)
{
	struct dedupe d;
	const char *what;
	char path[320];

	errno = 0;
	TAP_OK(open_dd(&d, "e", 0) < 0 && errno == EINVAL, "window 0: EINVAL");
	TAP_OK(open_dd(&d, "e", DEDUPE_WINDOW_MAX + 1) < 0 && errno == EINVAL,
	       "window past the maximum: EINVAL");
	snprintf(path, sizeof path, "%s/file", root);
	close(open(path, O_CREAT | O_WRONLY, 0640));
	errno = 0;
	TAP_OK(dedupe_open(&d, path, 60, &what) < 0 && errno == ENOTDIR && strcmp(what, path) == 0,
	       "dedupe_open names the directory that failed (ENOTDIR)");
	snprintf(path, sizeof path, "%s/lockdir", root);
	mkdir(path, 0750);
	snprintf(path, sizeof path, "%s/lockdir/lock", root);
	mkdir(path, 0750);
	snprintf(path, sizeof path, "%s/lockdir", root);
	TAP_OK(dedupe_open(&d, path, 60, &what) < 0 && strcmp(what, "lock") == 0 && d.dirfd == -1,
	       "a lock that is a directory: \"lock\" fails, nothing left open");
}

static void test_parse_window(void)
{
	static const struct {
		const char *s;
		long v; /* -1: refused */
	} cases[] = {
	    {"600", 600},
	    {"600s", 600},
	    {"15m", 900},
	    {"24h", 86400},
	    {"7d", 604800},
	    {"1", 1},
	    {"1s", 1},
	    {"0015m", 900},
	    {"366d", 31622400},
	    {"31622400", 31622400},
	    {"8784h", 31622400},
	    {"", -1},
	    {"0", -1},
	    {"0s", -1},
	    {"0d", -1},
	    {"-5", -1},
	    {"+5", -1},
	    {" 5", -1},
	    {"5 ", -1},
	    {"5x", -1},
	    {"5ms", -1},
	    {"5M", -1},
	    {"5H", -1},
	    {"1.5h", -1},
	    {"h", -1},
	    {"5w", -1},
	    {"367d", -1},
	    {"31622401", -1},
	    {"8785h", -1},
	    {"99999999999999999999", -1},
	    {"9223372036854775808s", -1},
	};
	int ok = 1;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long v = -7;
		int r = dedupe_parse_window(cases[i].s, &v);
		if (cases[i].v < 0 ? r != -1 || v != -7 : r != 0 || v != cases[i].v) {
			printf("# \"%s\": %d, %ld\n", cases[i].s, r, v);
			ok = 0;
		}
	}
	TAP_OK(ok, "dedupe_parse_window: %zu strings accepted or refused as they should be",
	       sizeof cases / sizeof cases[0]);
	long v;
	TAP_OK(dedupe_parse_window(NULL, &v) == -1, "NULL is refused");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[300];

	snprintf(root, sizeof root, "%s/mllpd-dedupe-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return 1;
	test_basics();
	test_kinds();
	test_content();
	test_window();
	test_damage();
	test_answer_bounds();
	test_prune();
	test_table();
	test_concurrent(0);
	test_concurrent(1);
	test_errors();
	test_parse_window();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	TAP_OK(system(cmd) == 0, "cleanup");
	return tap_done();
}

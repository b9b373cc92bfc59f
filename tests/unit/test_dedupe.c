/* SPDX-License-Identifier: MIT */
/* test_dedupe.c: dedupe finds what was recorded within the window, and nothing else, across processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dedupe.h"
#include "tap.h"

/* A moment on a 600 s boundary, so bucket edges are easy to reason about. */
#define T0 ((time_t)1700000400)

static char root[256];

static struct dedupe_key key3(const char *app, const char *fac, const char *id)
{
	struct dedupe_key k = {{app, strlen(app)}, {fac, strlen(fac)}, {id, strlen(id)}};
	return k;
}

static int open_dd(struct dedupe *d, const char *sub, long window)
{
	char dir[320];
	const char *what;
	snprintf(dir, sizeof dir, "%s/%s", root, sub);
	return dedupe_open(d, dir, window, &what);
}

/* 1 if k is found at now with exactly this ACK and time. */
static int found_as(struct dedupe *d, struct dedupe_key k, time_t now, const char *ack, size_t len, time_t at)
{
	char buf[4096];
	size_t n = 12345;
	time_t t = 0;
	return dedupe_find(d, &k, now, buf, sizeof buf, &n, &t) == 1 && n == len && memcmp(buf, ack, len) == 0 &&
	       t == at;
}

static int find(struct dedupe *d, struct dedupe_key k, time_t now)
{
	char buf[64];
	size_t n;
	return dedupe_find(d, &k, now, buf, sizeof buf, &n, NULL);
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

static void test_basics(void)
{
	struct dedupe d;
	struct stat st;
	char path[400];
	const char ack[] = "\x0bMSH|^~\\&|RCV|RF|APP|FAC|20231114221400||ACK^A01^ACK|X1|P|2.5.1\rMSA|AA|MSG001\r\x1c\r";
	struct dedupe_key k = key3("APP", "FAC", "MSG001");

	umask(022);
	TAP_OK(open_dd(&d, "a", 600) == 0, "dedupe_open creates the directory");
	snprintf(path, sizeof path, "%s/a", root);
	TAP_OK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750, "it is a 0750 directory");
	TAP_OK(exists("a", "lock"), "with a lock file");
	TAP_OK(find(&d, k, T0) == 0, "an empty record finds nothing");
	TAP_OK(dedupe_lock(&d, &k) == 0, "dedupe_lock");
	TAP_OK(dedupe_record(&d, &k, T0, ack, sizeof ack - 1) == 0, "dedupe_record");
	TAP_OK(dedupe_unlock(&d, &k) == 0, "dedupe_unlock");
	TAP_OK(exists("a", "1700000400+300"), "the record is in bucket START+SIZE (window 600: size 300)");
	TAP_OK(found_as(&d, k, T0, ack, sizeof ack - 1, T0), "found at once: the same ACK bytes and time");
	TAP_OK(found_as(&d, k, T0 + 100, ack, sizeof ack - 1, T0), "found 100 s later");

	char small[8];
	size_t n = 0;
	memset(small, '#', sizeof small);
	TAP_OK(dedupe_find(&d, &k, T0, small, sizeof small, &n, NULL) == 1 && n == sizeof ack - 1 &&
		       memcmp(small, "########", 8) == 0,
	       "an ACK longer than the buffer: its length, nothing copied");
	TAP_OK(find(&d, key3("APQ", "FAC", "MSG001"), T0) == 0, "another MSH-3 is not found");
	TAP_OK(find(&d, key3("APP", "FAD", "MSG001"), T0) == 0, "another MSH-4 is not found");
	TAP_OK(find(&d, key3("APP", "FAC", "MSG002"), T0) == 0, "another MSH-10 is not found");
	TAP_OK(find(&d, key3("APP", "FAC", "MSG00"), T0) == 0, "a prefix of MSH-10 is not found");
	TAP_OK(find(&d, key3("", "APPFAC", "MSG001"), T0) == 0, "the same bytes split otherwise are not found");

	struct dedupe_key ab = key3("ab", "c", "1"), bc = key3("a", "bc", "1");
	struct dedupe_key c1 = key3("x", "ab", "c"), c2 = key3("x", "a", "bc");
	TAP_OK(dedupe_record(&d, &ab, T0, "", 0) == 0 && dedupe_record(&d, &c1, T0, "", 0) == 0,
	       "record (ab, c, 1) and (x, ab, c) with no ACK");
	TAP_OK(found_as(&d, ab, T0, "", 0, T0), "(ab, c, 1) is found, with an empty ACK");
	TAP_OK(find(&d, bc, T0) == 0, "(a, bc, 1) is not");
	TAP_OK(find(&d, c2, T0) == 0, "(x, a, bc) is not");

	/* Fields and an ACK past the reader's 512-byte chunks. */
	static char big_id[1500], big_ack[3000], other_id[1500];
	memset(big_id, 'I', sizeof big_id - 1);
	memcpy(other_id, big_id, sizeof big_id);
	other_id[sizeof other_id - 2] = 'J';
	for (size_t i = 0; i < sizeof big_ack; i++)
		big_ack[i] = (char)(i * 7);
	struct dedupe_key big = key3("APP", "FAC", big_id), other = key3("APP", "FAC", other_id);
	TAP_OK(dedupe_record(&d, &big, T0, big_ack, sizeof big_ack) == 0, "record a 1.5 KB MSH-10 with a 3 KB ACK");
	TAP_OK(found_as(&d, big, T0 + 1, big_ack, sizeof big_ack, T0), "found whole");
	TAP_OK(find(&d, other, T0) == 0, "one different last byte: not found");

	struct dedupe_key r = key3("APP", "FAC", "AGAIN");
	TAP_OK(dedupe_record(&d, &r, T0, "first", 5) == 0 && dedupe_record(&d, &r, T0 + 1, "second", 6) == 0 &&
		       found_as(&d, r, T0 + 2, "second", 6, T0 + 1),
	       "a second record in the same bucket replaces the first");
	TAP_OK(dedupe_record(&d, &r, T0 + 400, "third", 5) == 0 && found_as(&d, r, T0 + 401, "third", 5, T0 + 400),
	       "the newest bucket is searched first");
	dedupe_close(&d);
	dedupe_close(&d);
	TAP_OK(d.dirfd == -1 && d.lockfd == -1, "dedupe_close twice is harmless");
}

static void test_window(void)
{
	struct dedupe d;
	struct dedupe_key k = key3("APP", "FAC", "W");
	int ok;

	TAP_OK(open_dd(&d, "w600", 600) == 0 && dedupe_record(&d, &k, T0 + 299, "A", 1) == 0, "window 600");
	TAP_OK(find(&d, k, T0 + 299 + 600) == 1, "found at t + window");
	TAP_OK(find(&d, k, T0 + 299 + 601) == 0, "not found at t + window + 1");
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
			struct dedupe_key kt = key3("APP", "FAC", id);
			ok = dedupe_record(&d, &kt, T0 + t, id, strlen(id)) == 0;
			/* Every dt for small windows; near both ends for large ones. */
			for (long dt = 0; ok && dt <= win + 2;
			     dt = win >= 20 && dt > 40 && dt + 37 < win - 40 ? dt + 37 : dt + 1)
				ok = find(&d, kt, T0 + t + dt) == (dt <= win);
		}
		TAP_OK(ok, "window %ld: found from t to t + %ld, not at t + %ld", win, win, win + 1);
		dedupe_close(&d);
	}
}

static void test_damage(void)
{
	struct dedupe d, d2;
	struct dedupe_key k = key3("APP", "FAC", "MSG00001");
	struct dedupe_key other = key3("APP", "FAC", "MSG00002"), longer = key3("APP", "FAC", "MSG000003");
	char path[400], path2[400];
	const char ack[] = "MSH|^~\\&|R|F|APP|FAC|2023||ACK|1|P|2.5\rMSA|AA|MSG00001\r";
	size_t whole = 24 + 12 + 3 + 3 + 8 + sizeof ack - 1;

	TAP_OK(open_dd(&d, "dmg", 600) == 0 && dedupe_record(&d, &k, T0, ack, sizeof ack - 1) == 0 &&
		       only_record("dmg", path, sizeof path),
	       "a record to damage");
	TAP_OK(rewrite(path, whole - 1, "", 0) == 0 && find(&d, k, T0) == 0, "one byte short: not found");
	TAP_OK(rewrite(path, whole - 1, "\r\r", 2) == 0 && find(&d, k, T0) == 0, "one byte too many: not found");
	TAP_OK(rewrite(path, whole - 1, "\r", 1) == 0 && find(&d, k, T0) == 1, "(the record restored is found)");
	TAP_OK(rewrite(path, 10, "", 0) == 0 && find(&d, k, T0) == 0, "a torn header: not found");
	TAP_OK(rewrite(path, 0, "", 0) == 0 && find(&d, k, T0) == 0, "an empty file: not found");

	TAP_OK(dedupe_record(&d, &k, T0, ack, sizeof ack - 1) == 0 && patch(path, 0, "MLDX", 4) == 0 &&
		       find(&d, k, T0) == 0,
	       "a wrong magic: not found");
	TAP_OK(dedupe_record(&d, &k, T0, ack, sizeof ack - 1) == 0 && patch(path, 4, "\x02", 1) == 0 &&
		       find(&d, k, T0) == 0,
	       "another version: not found");
	/* The key length one more and the ACK length one less: the sizes
	 * still add up, but the key length is not k's. */
	char acklen[4] = {(char)(sizeof ack - 2), 0, 0, 0};
	TAP_OK(dedupe_record(&d, &k, T0, ack, sizeof ack - 1) == 0 && patch(path, 16, "\x1b", 1) == 0 &&
		       patch(path, 20, acklen, 4) == 0 &&
		       find(&d, k, T0) == 0,
	       "a wrong key length: not found");
	dedupe_close(&d);

	/* A hash collision: the file named for `other` holds k's record. */
	TAP_OK(open_dd(&d, "coll", 600) == 0 && open_dd(&d2, "coll2", 600) == 0, "two directories");
	TAP_OK(dedupe_record(&d, &other, T0, "B", 1) == 0 && only_record("coll", path, sizeof path) &&
		       dedupe_record(&d2, &k, T0, ack, sizeof ack - 1) == 0 &&
		       only_record("coll2", path2, sizeof path2) && rename(path2, path) == 0,
	       "k's record put under the name of another key of the same length");
	TAP_OK(find(&d, other, T0) == 0, "that other key is not found (stored key compared)");
	TAP_OK(find(&d, k, T0) == 0, "nor is k (its own name is absent)");
	TAP_OK(dedupe_record(&d2, &longer, T0, "C", 1) == 0 && only_record("coll2", path2, sizeof path2) &&
		       rename(path2, path) == 0 && find(&d, other, T0) == 0,
	       "a key of another length under that name: not found");
	dedupe_close(&d);
	dedupe_close(&d2);
}

static int count_records(const char *sub)
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
				n += f->d_name[0] != '.';
			closedir(bd);
		}
	}
	closedir(dd);
	return n;
}

static void test_prune(void)
{
	struct dedupe d, d2;
	struct dedupe_key k1 = key3("A", "F", "1"), k2 = key3("A", "F", "2"), k3 = key3("A", "F", "3");
	char path[400];

	/* Window 600, buckets of 300: [T0, T0+300) ends at T0+300 and goes
	 * when now - (T0+300) > 600. */
	TAP_OK(open_dd(&d, "pr", 600) == 0 && dedupe_record(&d, &k1, T0, "1", 1) == 0 &&
		       dedupe_record(&d, &k2, T0 + 299, "2", 1) == 0 && dedupe_record(&d, &k3, T0 + 650, "3", 1) == 0,
	       "records at T0, T0+299 (one bucket) and T0+650");
	snprintf(path, sizeof path, "%s/pr/%lld+300/.4242.0123456789abcdef", root, (long long)T0);
	close(open(path, O_CREAT | O_WRONLY, 0640));
	snprintf(path, sizeof path, "%s/pr/junk", root);
	mkdir(path, 0750);
	snprintf(path, sizeof path, "%s/pr/0300+300", root);
	mkdir(path, 0750);
	TAP_OK(dedupe_prune(&d, T0 + 900) == 0 && exists("pr", "1700000400+300") && count_records("pr") == 3,
	       "at T0+900 (end + window) nothing goes");
	TAP_OK(dedupe_prune(&d, T0 + 1000) == 0 && exists("pr", "1700000400+300"),
	       "at T0+1000: not due, one bucket period after the last prune");
	TAP_OK(dedupe_prune(&d, T0 + 1200) == 2, "at T0+1200 the old bucket's 2 records go");
	TAP_OK(!exists("pr", "1700000400+300") && count_records("pr") == 1, "with the bucket and its temporary file");
	TAP_OK(found_as(&d, k3, T0 + 1200, "3", 1, T0 + 650), "the young record stays and is found");
	TAP_OK(exists("pr", "junk") && exists("pr", "0300+300") && exists("pr", "lock"), "names not ours are left");
	dedupe_close(&d);
	TAP_OK(open_dd(&d, "pr", 600) == 0 && dedupe_prune(&d, T0 + 1201) == 0 && count_records("pr") == 1,
	       "a new process prunes at once, the young bucket stays");
	TAP_OK(dedupe_prune(&d, T0 + 5000) == 1 && count_records("pr") == 0, "and later it goes too");
	TAP_OK(dedupe_prune(&d, T0 + 10) == 0, "a clock gone back prunes at once (nothing there)");
	dedupe_close(&d);

	/* Two windows in one directory: 24 h (buckets of 12 h) and 15 min
	 * (buckets of 450 s).  Each prunes the other's buckets by their own end. */
	struct dedupe_key ka = key3("A", "F", "day"), kb = key3("A", "F", "quarter");
	TAP_OK(open_dd(&d, "mix", 86400) == 0 && open_dd(&d2, "mix", 900) == 0,
	       "windows 24h and 15m share a directory");
	TAP_OK(dedupe_record(&d, &ka, T0, "A", 1) == 0 && dedupe_record(&d2, &kb, T0, "B", 1) == 0, "one record each");
	TAP_OK(find(&d2, ka, T0) == 0 && find(&d, kb, T0) == 0, "each sees only its own buckets");
	TAP_OK(dedupe_prune(&d2, T0 + 3600) == 1, "the 15m process, an hour later, prunes its own record");
	TAP_OK(found_as(&d, ka, T0 + 3600, "A", 1, T0), "and not the 24h one's");
	TAP_OK(dedupe_record(&d2, &kb, T0 + 3600, "B", 1) == 0 && dedupe_prune(&d, T0 + 3700) == 0 &&
		       found_as(&d2, kb, T0 + 3700, "B", 1, T0 + 3600),
	       "the 24h process keeps a young 15m record");
	TAP_OK(dedupe_prune(&d, T0 + 3700 + 43200) == 1 && found_as(&d, ka, T0 + 3700 + 43200, "A", 1, T0),
	       "and prunes it once past its own window, keeping its own");
	TAP_OK(dedupe_prune(&d, T0 + 3 * 86400) == 1 && count_records("mix") == 0, "its own goes after its window");
	dedupe_close(&d);
	dedupe_close(&d2);
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
		size_t n;
		snprintf(id, sizeof id, "C%d", i);
		snprintf(ack, sizeof ack, "ACK for C%d", i);
		struct dedupe_key k = key3("APP", "FAC", id);
		if (dedupe_lock(d, &k) < 0)
			return 1;
		int r = dedupe_find(d, &k, T0, got, sizeof got, &n, NULL);
		if (r == 0) {
			delivered[i]++;
			if (dedupe_record(d, &k, T0, ack, strlen(ack)) < 0)
				bad = 1;
		} else if (r != 1 || n != strlen(ack) || memcmp(got, ack, n) != 0) {
			bad = 1;
		}
		if (dedupe_unlock(d, &k) < 0 || dedupe_prune(d, T0) < 0)
			bad = 1;
	}
	return write(out, delivered, sizeof delivered) != (ssize_t)sizeof delivered || bad;
}

static void test_concurrent(void)
{
	struct dedupe d;
	int fds[PROCS][2], failed = 0, total = 0, each = 1;
	pid_t pids[PROCS];
	int counts[KEYS] = {0};

	/* Opened once before fork(): each child's locks are its own. */
	TAP_OK(open_dd(&d, "conc", 3600) == 0, "a directory for %d processes", PROCS);
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
		if (waitpid(pids[c], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || n != KEYS)
			failed = 1;
		for (int i = 0; n == KEYS && i < KEYS; i++)
			counts[i] += got[i];
	}
	for (int i = 0; i < KEYS; i++) {
		total += counts[i];
		each &= counts[i] == 1;
	}
	TAP_OK(!failed, "every writer ran and saw the first writer's ACK for every key it did not deliver");
	TAP_OK(each && total == KEYS, "every key delivered exactly once in all (%d deliveries for %d keys)", total,
	       KEYS);
	TAP_OK(count_records("conc") == KEYS, "%d records", KEYS);
	dedupe_close(&d);
}

static void test_errors(void)
{
	struct dedupe d;
	const char *what;
	char path[320];

	errno = 0;
	TAP_OK(open_dd(&d, "e", 0) < 0 && errno == EINVAL, "window 0: EINVAL");
	TAP_OK(open_dd(&d, "e", DEDUPE_WINDOW_MAX + 1) < 0 && errno == EINVAL, "window past the maximum: EINVAL");
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
		{"600", 600}, {"600s", 600}, {"15m", 900}, {"24h", 86400}, {"7d", 604800}, {"1", 1}, {"1s", 1},
		{"0015m", 900}, {"366d", 31622400}, {"31622400", 31622400}, {"8784h", 31622400},
		{"", -1}, {"0", -1}, {"0s", -1}, {"0d", -1}, {"-5", -1}, {"+5", -1}, {" 5", -1}, {"5 ", -1},
		{"5x", -1}, {"5ms", -1}, {"5M", -1}, {"5H", -1}, {"1.5h", -1}, {"h", -1}, {"5w", -1},
		{"367d", -1}, {"31622401", -1}, {"8785h", -1}, {"99999999999999999999", -1},
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
	test_window();
	test_damage();
	test_prune();
	test_concurrent();
	test_errors();
	test_parse_window();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	TAP_OK(system(cmd) == 0, "cleanup");
	return tap_done();
}

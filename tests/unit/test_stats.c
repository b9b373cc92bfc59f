/* SPDX-License-Identifier: MIT */
/* test_stats.c: the shared counter file: created once, checked, exact across processes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"
#include "tap.h"

static char root[256];

static const char *path_of(const char *name)
{
	static char p[320];
	snprintf(p, sizeof p, "%s/%s", root, name);
	return p;
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

static off_t size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A new file: the size, the magic, zero counts; adds land in the file; a reader sees them. */
static void test_create(void)
{
	struct stats s, r;
	const char *p = path_of("new.stats");
	TAP_OK(stats_open(&s, p, STATS_CREATE) == STATS_OK, "a missing file is created");
	TAP_OK(size_of(p) == STATS_FILE_SIZE, "it is %d bytes", STATS_FILE_SIZE);
	TAP_OK(stats_get(&s, STATS_ACK_AA) == 0 && stats_get(&s, STATS_TLS_REFUSED) == 0,
	       "counts start at zero");
	stats_add(&s, STATS_ACK_AA, 1);
	stats_add(&s, STATS_ACK_AA, 2);
	stats_add(&s, STATS_BYTES, 1000);
	stats_add(&s, STATS_SLOTS, 5);	  /* out of range: ignored */
	stats_add(NULL, STATS_ACK_AA, 5); /* not open: ignored */
	TAP_OK(stats_open(&r, p, STATS_READONLY) == STATS_OK, "a reader opens it read-only");
	TAP_OK(stats_get(&r, STATS_ACK_AA) == 3 && stats_get(&r, STATS_BYTES) == 1000,
	       "the reader sees the writer's counts");
	TAP_OK(stats_get(&r, STATS_SLOTS) == 0, "an out-of-range counter reads 0");
	stats_close(&s);
	stats_close(&r);
	TAP_OK(stats_open(&s, p, STATS_CREATE) == STATS_OK && stats_get(&s, STATS_ACK_AA) == 3,
	       "opened again: the counts are kept, not reset");
	stats_close(&s);
	char head[9] = "";
	int fd = open(p, O_RDONLY);
	TAP_OK(fd >= 0 && read(fd, head, 8) == 8 && memcmp(head, "MLLPSTAT", 8) == 0,
	       "the file starts with the magic MLLPSTAT");
	if (fd >= 0)
		close(fd);
	stats_close(&s); /* twice: harmless */
	TAP_OK(stats_get(&s, STATS_ACK_AA) == 0, "a closed struct reads 0");
}

/* Files that are not ours are refused and left as they were. */
static void test_refused(void)
{
	struct stats s;
	char big[STATS_FILE_SIZE];
	const char *p = path_of("short");
	write_file(p, "hello\n", 6);
	TAP_OK(stats_open(&s, p, STATS_CREATE) == STATS_ERR_FOREIGN && !s.slot,
	       "a short foreign file is refused");
	TAP_OK(size_of(p) == 6, "and left untouched");
	memset(big, 'x', sizeof big);
	p = path_of("same-size");
	write_file(p, big, sizeof big);
	TAP_OK(stats_open(&s, p, STATS_CREATE) == STATS_ERR_FOREIGN,
	       "a file of the right size without the magic is refused");
	memset(big, 0, sizeof big);
	memcpy(big, "MLLPSTAT\x09", 9);
	p = path_of("version");
	write_file(p, big, sizeof big);
	TAP_OK(stats_open(&s, p, STATS_CREATE) == STATS_ERR_VERSION,
	       "another version is refused as such");
	errno = 0;
	TAP_OK(stats_open(&s, path_of("missing"), STATS_READONLY) == STATS_ERR_SYSTEM &&
		   errno == ENOENT,
	       "a reader does not create: ENOENT");
	TAP_OK(stats_open(&s, root, STATS_CREATE) == STATS_ERR_SYSTEM, "a directory: refused");
	p = path_of("empty");
	write_file(p, "", 0);
	TAP_OK(stats_open(&s, p, STATS_READONLY) == STATS_ERR_FOREIGN,
	       "an empty file is refused by a reader");
	TAP_OK(stats_open(&s, p, STATS_CREATE) == STATS_OK && size_of(p) == STATS_FILE_SIZE,
	       "and made a stats file by a writer (a creator that died before initialising)");
	stats_close(&s);
	TAP_OK(strstr(stats_error_text(STATS_ERR_FOREIGN), "not a mllpd stats file") != NULL,
	       "the reason names it");
}

enum { KIDS = 4, ADDS = 1000000 };

/* Processes that open (create) the file at once and add concurrently: the totals are exact. */
static void test_concurrent(void)
{
	const char *p = path_of("shared.stats");
	pid_t kid[KIDS];
	int go[2];
	if (pipe(go) < 0)
		abort();
	for (int i = 0; i < KIDS; i++) {
		kid[i] = fork();
		if (kid[i] == 0) {
			struct stats s;
			char c;
			close(go[1]);
			if (stats_open(&s, p, STATS_CREATE) != STATS_OK)
				_exit(1);
			/* Every child waits for the others: they add at the same time, not in turn.
			 */
			if (read(go[0], &c, 1) != 0)
				_exit(1);
			for (int k = 0; k < ADDS; k++) {
				stats_add(&s, STATS_ACK_AA, 1);
				stats_add(&s, STATS_BYTES, 3);
			}
			_exit(0); /* no stats_close: the counts are in the file already */
		}
	}
	close(go[0]);
	close(go[1]); /* the start: every child reads end of file */
	int ok = 1;
	for (int i = 0; i < KIDS; i++) {
		int st;
		ok &= kid[i] > 0 && waitpid(kid[i], &st, 0) == kid[i] && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0;
	}
	TAP_OK(ok, "%d processes created and opened one file at once", KIDS);
	struct stats r;
	TAP_OK(stats_open(&r, p, STATS_READONLY) == STATS_OK, "it is a valid stats file");
	TAP_OK(stats_get(&r, STATS_ACK_AA) == (uint64_t)KIDS * ADDS &&
		   stats_get(&r, STATS_BYTES) == (uint64_t)KIDS * ADDS * 3,
	       "exact totals: %llu AA, %llu bytes", (unsigned long long)stats_get(&r, STATS_ACK_AA),
	       (unsigned long long)stats_get(&r, STATS_BYTES));
	stats_close(&r);
}

/* A child forked after the open counts into the same mapping. */
static void test_fork_inherits(void)
{
	struct stats s;
	const char *p = path_of("fork.stats");
	stats_open(&s, p, STATS_CREATE);
	pid_t k = fork();
	if (k == 0) {
		stats_add(&s, STATS_CONNECTIONS, 7);
		_exit(0);
	}
	waitpid(k, NULL, 0);
	TAP_OK(stats_get(&s, STATS_CONNECTIONS) == 7, "a forked child's counts reach the parent");
	stats_close(&s);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/test_stats.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return 2;
	test_create();
	test_refused();
	test_concurrent();
	test_fork_inherits();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 2;
	return tap_done();
}

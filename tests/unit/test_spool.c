/* SPDX-License-Identifier: MIT */
/* test_spool.c: spool_commit leaves whole files in new/ and nothing else. */
#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"
#include "tap.h"

static int count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int file_is(const char *path, const char *data, size_t len)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	return n == (ssize_t)len && memcmp(buf, data, len) == 0;
}

/*
 * fsync as the spool calls it, traced: this definition takes the place of
 * libc's for the whole test program.  Each call's path is kept relative to
 * the scratch root ("." for the root itself, "file" for a regular file),
 * and the call numbered fsync_fail_at (from 0) fails with EIO.
 */
static char trace_root[4096], trace[512];
static int fsync_calls, fsync_fail_at = -1;

/* fsync and fdatasync as the spool calls them: one trace, fdatasync's entries marked "data:". */
static int traced_sync(int fd, long nr)
{
	char link[64], path[256];
	struct stat sb;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t k = readlink(link, path, sizeof path - 1);
	path[k > 0 ? k : 0] = '\0';
	size_t rl = strlen(trace_root);
	const char *rel = path;
	if (fstat(fd, &sb) == 0 && !S_ISDIR(sb.st_mode))
		rel = "file";
	else if (strcmp(path, trace_root) == 0)
		rel = ".";
	else if (strncmp(path, trace_root, rl) == 0 && path[rl] == '/')
		rel = path + rl + 1;
	snprintf(trace + strlen(trace), sizeof trace - strlen(trace), "%s%s%s", trace[0] ? "|" : "",
		 nr == SYS_fdatasync ? "data:" : "", rel);
	if (fsync_calls++ == fsync_fail_at) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(nr, fd);
}

int fsync(int fd)
{
	return traced_sync(fd, SYS_fsync);
}

int fdatasync(int fd)
{
	return traced_sync(fd, SYS_fdatasync);
}

/* Start a new trace; the call numbered fail_at (from 0, -1: none) fails. */
static void trace_reset(int fail_at)
{
	trace[0] = '\0';
	fsync_calls = 0;
	fsync_fail_at = fail_at;
}

/* 1 when the trace is want; shows what it was otherwise. */
static int trace_is(const char *want)
{
	if (strcmp(trace, want) == 0)
		return 1;
	printf("#   fsyncs: \"%s\", expected \"%s\"\n", trace, want);
	return 0;
}

static int exists(const char *root, const char *rel)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

/* touch DIRFD/NAME with data. */
static void put(int dirfd, const char *name, const char *data)
{
	int fd = openat(dirfd, name, O_CREAT | O_WRONLY | O_TRUNC, 0640);
	if (fd >= 0) {
		ssize_t w = write(fd, data, strlen(data));
		(void)w;
		close(fd);
	}
}

/* spool_list and spool_move: the readers' tools (mllp-spool). */
static void test_list_move(const char *root)
{
	char dir[160], out[64];
	struct spool s;
	struct spool_list l;
	const char *what;

	snprintf(dir, sizeof dir, "%s/tools", root);
	TAP_OK(spool_open(&s, dir, SPOOL_NO_FSYNC, &what) == 0, "spool_open for the tools");
	TAP_OK(spool_list(s.failedfd, &l) == 0 && l.count == 0 && l.names == NULL,
	       "spool_list of an empty directory: no names");
	put(s.failedfd, "2.hl7", "two");
	put(s.failedfd, "1.hl7", "one");
	put(s.failedfd, "10.hl7", "ten");
	put(s.failedfd, ".hidden", "x");
	mkdirat(s.failedfd, "sub", 0750);
	TAP_OK(symlinkat("1.hl7", s.failedfd, "link") == 0, "a symbolic link in failed/");
	TAP_OK(spool_list(s.failedfd, &l) == 0 && l.count == 3 &&
		   strcmp(l.names[0], "1.hl7") == 0 && strcmp(l.names[1], "10.hl7") == 0 &&
		   strcmp(l.names[2], "2.hl7") == 0,
	       "spool_list: the regular files, sorted by name; no dot file, directory or link");
	spool_list_free(&l);
	TAP_OK(l.count == 0 && l.names == NULL, "spool_list_free empties the list");
	TAP_OK(spool_list(-1, &l) < 0 && errno == EBADF && l.count == 0,
	       "spool_list of a bad descriptor: -1 EBADF, empty");

	TAP_OK(spool_move(s.failedfd, "1.hl7", s.newfd, out, sizeof out, 0) == 0 &&
		   strcmp(out, "1.hl7") == 0,
	       "spool_move keeps the name when it is free");
	char path[300];
	snprintf(path, sizeof path, "%s/new/1.hl7", dir);
	TAP_OK(file_is(path, "one", 3) && faccessat(s.failedfd, "1.hl7", F_OK, 0) < 0,
	       "the file is in new/ with its bytes, and gone from failed/");
	put(s.newfd, "2.hl7", "other");
	put(s.newfd, "2.r1.hl7", "other");
	TAP_OK(spool_move(s.failedfd, "2.hl7", s.newfd, out, sizeof out, 0) == 0 &&
		   strcmp(out, "2.r2.hl7") == 0,
	       "a taken name: the next free .rN before .hl7 (2.r2.hl7)");
	snprintf(path, sizeof path, "%s/new/2.hl7", dir);
	TAP_OK(file_is(path, "other", 5), "the file that was there is not replaced");
	snprintf(path, sizeof path, "%s/new/2.r2.hl7", dir);
	TAP_OK(file_is(path, "two", 3), "the moved file holds its own bytes");
	put(s.failedfd, "plain", "p");
	put(s.newfd, "plain", "q");
	TAP_OK(spool_move(s.failedfd, "plain", s.newfd, out, sizeof out, 0) == 0 &&
		   strcmp(out, "plain.r1") == 0,
	       "a name without .hl7: .rN appended");
	errno = 0;
	TAP_OK(spool_move(s.failedfd, "missing.hl7", s.newfd, out, sizeof out, 0) < 0 &&
		   errno == ENOENT,
	       "a name not in the source: -1 ENOENT");
	put(s.newfd, "10.hl7", "x");
	errno = 0;
	TAP_OK(spool_move(s.failedfd, "10.hl7", s.newfd, out, 7, 0) < 0 && errno == ENAMETOOLONG &&
		   faccessat(s.failedfd, "10.hl7", F_OK, 0) == 0,
	       "no room for the name: -1 ENAMETOOLONG, the file stays");
	spool_close(&s);

	/* Durability: the destination, then the source; a failed fsync is reported. */
	snprintf(dir, sizeof dir, "%s/sync", root);
	TAP_OK(spool_open(&s, dir, SPOOL_NO_FSYNC, &what) == 0, "spool_open (sync) again");
	put(s.failedfd, "m1.hl7", "m");
	put(s.failedfd, "m2.hl7", "m");
	trace_reset(-1);
	TAP_OK(spool_move(s.failedfd, "m1.hl7", s.newfd, out, sizeof out, 0) == 0 &&
		   trace_is("sync/new|sync/failed"),
	       "spool_move fsyncs the destination (new/), then the source (failed/)");
	trace_reset(0);
	errno = 0;
	TAP_OK(spool_move(s.failedfd, "m2.hl7", s.newfd, out, sizeof out, 0) < 0 && errno == EIO &&
		   faccessat(s.newfd, "m2.hl7", F_OK, 0) == 0,
	       "the destination's fsync fails: -1 EIO, the file has moved");
	trace_reset(-1);
	put(s.failedfd, "m3.hl7", "m");
	TAP_OK(spool_move(s.failedfd, "m3.hl7", s.newfd, out, sizeof out, SPOOL_NO_FSYNC) == 0 &&
		   trace_is(""),
	       "SPOOL_NO_FSYNC: no fsync");
	spool_close(&s);
}

/* Stage n messages ("G0".."Gn-1") with spool_write(); 0, or -1. */
static int stage(struct spool *s, struct spool_staged *st, int n)
{
	char m[8];
	for (int i = 0; i < n; i++) {
		snprintf(m, sizeof m, "G%d", i);
		if (spool_write(s, m, strlen(m), &st[i]) < 0)
			return -1;
	}
	return 0;
}

/* Group commit: spool_write(), spool_commit_group(), spool_discard(). */
static void test_group(const char *root)
{
	char dir[300], tmp[320], new[320], path[700];
	struct spool s;
	struct spool_staged st[3];
	const char *what;

	snprintf(dir, sizeof dir, "%s/grp", root);
	snprintf(tmp, sizeof tmp, "%s/tmp", dir);
	snprintf(new, sizeof new, "%s/new", dir);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0, "group: spool_open");
	trace_reset(-1);
	TAP_OK(stage(&s, st, 3) == 0 && count(tmp) == 3 && count(new) == 0 && trace_is(""),
	       "spool_write: three files in tmp/, none in new/, nothing flushed yet");
	TAP_OK(spool_commit_group(&s, st, 3) == 0 &&
		   trace_is("data:file|data:file|data:file|grp/new|grp/tmp"),
	       "spool_commit_group: each file fdatasynced, then new/ and tmp/ once");
	TAP_OK(count(tmp) == 0 && count(new) == 3 && st[0].fd < 0,
	       "all three in new/, tmp/ empty, descriptors closed");
	int order = strcmp(st[0].name, st[1].name) < 0 && strcmp(st[1].name, st[2].name) < 0;
	snprintf(path, sizeof path, "%s/%s", new, st[2].name);
	TAP_OK(order && file_is(path, "G2", 2), "names sort in the order given; files whole");

	/* A failed flush, at each place: all or nothing. */
	const char *where[] = {"the second fdatasync", "the fsync of new/", "the fsync of tmp/"};
	for (int f = 1; f <= 4; f += (f == 1 ? 2 : 1)) {
		trace_reset(f);
		errno = 0;
		int r = stage(&s, st, 3) == 0 ? spool_commit_group(&s, st, 3) : 0;
		TAP_OK(r < 0 && errno == EIO && count(new) == 3 && count(tmp) == 0 &&
			   st[0].name[0] == '\0' && st[2].name[0] == '\0',
		       "EIO from %s: -1 EIO, none in new/, tmp/ emptied, names empty",
		       where[f == 1 ? 0 : f - 2]);
	}
	trace_reset(-1);

	/* The three steps one by one, two groups at once (as mllpd's flusher threads take them). */
	struct spool_staged a[3], b[3];
	trace_reset(-1);
	TAP_OK(stage(&s, a, 3) == 0 && stage(&s, b, 3) == 0 && a[0].name[0] && b[2].name[0] &&
		   strcmp(a[2].name, b[0].name) < 0,
	       "spool_write names each file in new/ at once, in the order written");
	TAP_OK(spool_group_flush(&s, b, 3) == 0 && spool_group_flush(&s, a, 3) == 0 &&
		   trace_is("data:file|data:file|data:file|data:file|data:file|data:file") &&
		   count(tmp) == 6 && count(new) == 3 && a[0].fd < 0 && b[2].fd < 0,
	       "spool_group_flush: each file fdatasynced and closed, still in tmp/ (the later "
	       "group may flush first)");
	trace_reset(-1);
	TAP_OK(spool_group_rename(&s, a, 3) == 0 && spool_group_rename(&s, b, 3) == 0 &&
		   trace_is("") && count(tmp) == 0 && count(new) == 9,
	       "spool_group_rename: into new/ in turn, nothing flushed");
	TAP_OK(spool_group_sync(&s, b, 3) == 0 && trace_is("grp/new|grp/tmp"),
	       "spool_group_sync: new/ and tmp/ fsynced once");
	trace_reset(-1);
	TAP_OK(spool_group_sync(&s, b, 0) == 0 && trace_is(""),
	       "spool_group_sync of an empty group: no fsync");
	snprintf(path, sizeof path, "%s/%s", new, b[2].name);
	TAP_OK(file_is(path, "G2", 2), "the files whole under their names");
	trace_reset(1);
	errno = 0;
	TAP_OK(stage(&s, a, 3) == 0 && spool_group_flush(&s, a, 3) < 0 && errno == EIO &&
		   count(tmp) == 0 && count(new) == 9 && a[0].name[0] == '\0' && a[2].fd < 0,
	       "a failed spool_group_flush: -1 EIO, its files gone, names empty, fds closed");
	trace_reset(3);
	errno = 0;
	TAP_OK(stage(&s, a, 3) == 0 && spool_group_flush(&s, a, 3) == 0 &&
		   spool_group_rename(&s, a, 3) == 0 && spool_group_sync(&s, a, 3) < 0 &&
		   errno == EIO && count(tmp) == 0 && count(new) == 9 && a[1].name[0] == '\0',
	       "a failed spool_group_sync: -1 EIO, the renamed files taken back and removed");
	trace_reset(-1);

	/* spool_discard(): the file is gone; an empty group commits nothing. */
	TAP_OK(stage(&s, st, 1) == 0 && count(tmp) == 1, "one staged");
	spool_discard(&s, &st[0]);
	TAP_OK(count(tmp) == 0 && st[0].fd < 0, "spool_discard removes it from tmp/");
	TAP_OK(spool_commit_group(&s, st, 0) == 0 && count(new) == 9, "an empty group: 0");

	/* A file opened ahead and removed meanwhile: spool_write() takes a fresh one. */
	TAP_OK(spool_prepare(&s) == 0, "a file opened ahead");
	snprintf(path, sizeof path, "%s/%s", tmp, s.nextname);
	unlink(path);
	TAP_OK(stage(&s, st, 1) == 0 && spool_commit_group(&s, st, 1) == 0 && count(new) == 10,
	       "removed while it waited: spool_write() opens another, the commit succeeds");
	spool_close(&s);
}

int main(void)
{
	char root[] = "/tmp/mllpd-spool-XXXXXX", dir[128], path[256], name[SPOOL_NAME_MAX],
	     name2[SPOOL_NAME_MAX];
	struct spool s;
	const char *what;
	struct stat st;

	if (!mkdtemp(root))
		return 1;
	snprintf(dir, sizeof dir, "%s/sp", root);
	umask(022);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0, "spool_open creates the spool");
	const char *subs[] = {"tmp", "new", "cur", "failed"};
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, subs[i]);
		TAP_OK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750,
		       "%s/ is a 0750 directory", subs[i]);
	}
	const char msg[] = "MSH|^~\\&|A\rPID|1\r";
	TAP_OK(spool_commit(&s, msg, sizeof msg - 1, name) == 0, "spool_commit succeeds");
	snprintf(path, sizeof path, "%s/new/%s", dir, name);
	TAP_OK(file_is(path, msg, sizeof msg - 1), "new/%s holds exactly the bytes", name);
	snprintf(path, sizeof path, "%s/tmp", dir);
	TAP_OK(count(path) == 0, "tmp/ is empty after a commit");
	size_t nl = strlen(name);
	TAP_OK(nl > 4 && strcmp(name + nl - 4, ".hl7") == 0, "the name ends in .hl7");
	TAP_OK(spool_commit(&s, msg, 3, name2) == 0 && strcmp(name, name2) < 0,
	       "names sort by arrival");
	TAP_OK(spool_fail(&s, name2) == 0, "spool_fail moves a file");
	snprintf(path, sizeof path, "%s/failed/%s", dir, name2);
	TAP_OK(access(path, F_OK) == 0, "the file is in failed/");
	snprintf(path, sizeof path, "%s/new/%s", dir, name2);
	TAP_OK(access(path, F_OK) < 0, "and no longer in new/");
	spool_close(&s);

	/* A file opened ahead by spool_prepare(): used by the next commit, removed by
	 * spool_close(). */
	snprintf(dir, sizeof dir, "%s/ahead", root);
	TAP_OK(spool_open(&s, dir, SPOOL_NO_FSYNC, &what) == 0, "spool_open for spool_prepare");
	snprintf(path, sizeof path, "%s/tmp", dir);
	TAP_OK(spool_prepare(&s) == 0 && spool_prepare(&s) == 0 && count(path) == 1,
	       "spool_prepare opens one file in tmp/, and a second call adds none");
	struct timespec pause = {0, 2000000}, after;
	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_REALTIME, &after);
	TAP_OK(spool_commit(&s, msg, sizeof msg - 1, name) == 0 && count(path) == 0,
	       "the commit uses it: tmp/ is empty");
	snprintf(path, sizeof path, "%s/new/%s", dir, name);
	TAP_OK(file_is(path, msg, sizeof msg - 1), "new/%s holds exactly the bytes", name);
	long long sec = 0, nsec = 0;
	sscanf(name, "%lld.%lld", &sec, &nsec);
	TAP_OK(sec > after.tv_sec || (sec == after.tv_sec && nsec >= after.tv_nsec),
	       "the name is made at the commit, not when the file was opened ahead");
	TAP_OK(spool_prepare(&s) == 0, "another file opened ahead");
	unlinkat(s.tmpfd, s.nextname, 0); /* what a cleaner elsewhere might do */
	TAP_OK(spool_commit(&s, msg, 5, name2) == 0,
	       "a commit whose file was removed meanwhile still succeeds");
	snprintf(path, sizeof path, "%s/new/%s", dir, name2);
	TAP_OK(file_is(path, msg, 5), "with the right bytes in new/");
	snprintf(path, sizeof path, "%s/tmp", dir);
	TAP_OK(spool_prepare(&s) == 0 && count(path) == 1, "a file waits in tmp/");
	spool_close(&s);
	TAP_OK(count(path) == 0, "spool_close removes it");

	/* A real fault: new/ is a file, not a directory. */
	snprintf(dir, sizeof dir, "%s/bad", root);
	mkdir(dir, 0750);
	snprintf(path, sizeof path, "%s/new", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	errno = 0;
	TAP_OK(spool_open(&s, dir, 0, &what) < 0 && errno == ENOTDIR && strcmp(what, "new") == 0,
	       "spool_open names the part that failed (new: ENOTDIR)");

	/* A commit that cannot rename leaves nothing behind. */
	snprintf(dir, sizeof dir, "%s/gone", root);
	TAP_OK(spool_open(&s, dir, SPOOL_NO_FSYNC, &what) == 0, "spool_open with SPOOL_NO_FSYNC");
	snprintf(path, sizeof path, "%s/new", dir);
	rmdir(path);
	TAP_OK(spool_commit(&s, msg, sizeof msg - 1, name) < 0,
	       "spool_commit fails when new/ is gone");
	snprintf(path, sizeof path, "%s/tmp", dir);
	TAP_OK(count(path) == 0, "and leaves nothing in tmp/");
	spool_close(&s);

	/* tmp/ leftovers: old regular files go, young ones, links and directories stay. */
	snprintf(dir, sizeof dir, "%s/clean", root);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0, "spool_open for the cleaner");
	const char *olds[] = {"old1", "old2.hl7", ".old3"}, *keeps[] = {"young", "link", "sub"};
	time_t now = time(NULL);
	struct timespec old_times[2] = {{.tv_sec = now - SPOOL_TMP_MAX_AGE - 60},
					{.tv_sec = now - SPOOL_TMP_MAX_AGE - 60}};
	struct timespec young_times[2] = {{.tv_sec = now - SPOOL_TMP_MAX_AGE + 60},
					  {.tv_sec = now - SPOOL_TMP_MAX_AGE + 60}};
	for (int i = 0; i < 3; i++) {
		close(openat(s.tmpfd, olds[i], O_CREAT | O_WRONLY, 0640));
		utimensat(s.tmpfd, olds[i], old_times, 0);
	}
	close(openat(s.tmpfd, "young", O_CREAT | O_WRONLY, 0640));
	utimensat(s.tmpfd, "young", young_times, 0);
	TAP_OK(symlinkat("old1", s.tmpfd, "link") == 0, "an old symbolic link in tmp/");
	utimensat(s.tmpfd, "link", old_times, AT_SYMLINK_NOFOLLOW);
	mkdirat(s.tmpfd, "sub", 0750);
	utimensat(s.tmpfd, "sub", old_times, 0);
	TAP_OK(spool_clean_tmp(&s, SPOOL_TMP_MAX_AGE) == 3,
	       "spool_clean_tmp removes the 3 files older than 36 h");
	for (int i = 0; i < 3; i++)
		TAP_OK(faccessat(s.tmpfd, olds[i], F_OK, AT_SYMLINK_NOFOLLOW) < 0, "tmp/%s is gone",
		       olds[i]);
	for (int i = 0; i < 3; i++)
		TAP_OK(faccessat(s.tmpfd, keeps[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0, "tmp/%s stays",
		       keeps[i]);
	TAP_OK(spool_clean_tmp(&s, SPOOL_TMP_MAX_AGE) == 0, "a second pass removes nothing");
	TAP_OK(spool_clean_tmp(&s, -1) == 1, "age -1: every regular file goes (tmp/young)");
	spool_close(&s);

	/* Durability: which directories are fsynced, and that a failed fsync or rename is reported.
	 */
	if (!realpath(root, trace_root))
		snprintf(trace_root, sizeof trace_root, "%s", root);
	snprintf(dir, sizeof dir, "%s/sync", root);
	trace_reset(-1);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0 && trace_is(".|sync"),
	       "creating the spool fsyncs its parent, then the spool (for tmp/ new/ cur/ failed/)");
	trace_reset(-1);
	TAP_OK(spool_commit(&s, msg, sizeof msg - 1, name) == 0 &&
		   trace_is("file|sync/new|sync/tmp"),
	       "a commit fsyncs the file, then both directories of the move: new/ and tmp/");
	trace_reset(-1);
	TAP_OK(spool_fail(&s, name) == 0 && trace_is("sync/failed|sync/new"),
	       "a move to failed/ fsyncs failed/, then new/");
	spool_close(&s);
	trace_reset(-1);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0 && trace_is(""),
	       "opening an existing spool fsyncs nothing");
	spool_close(&s);
	snprintf(dir, sizeof dir, "%s/nosync", root);
	trace_reset(-1);
	TAP_OK(spool_open(&s, dir, SPOOL_NO_FSYNC, &what) == 0 &&
		   spool_commit(&s, msg, 3, name) == 0 && spool_fail(&s, name) == 0 && trace_is(""),
	       "SPOOL_NO_FSYNC: no fsync at all");
	spool_close(&s);

	snprintf(dir, sizeof dir, "%s/p1", root);
	trace_reset(0);
	errno = 0;
	TAP_OK(spool_open(&s, dir, 0, &what) < 0 && errno == EIO && what &&
		   strcmp(what, dir) == 0 && !exists(root, "p1"),
	       "the parent's fsync fails: -1 EIO naming the spool, which is removed again");
	trace_reset(-1);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0 && trace_is(".|p1"),
	       "the next open creates it and fsyncs again");
	spool_close(&s);
	snprintf(dir, sizeof dir, "%s/p2", root);
	mkdir(dir, 0750);
	trace_reset(0);
	errno = 0;
	TAP_OK(spool_open(&s, dir, 0, &what) < 0 && errno == EIO && what &&
		   strcmp(what, dir) == 0 && exists(root, "p2") && !exists(root, "p2/tmp") &&
		   !exists(root, "p2/new") && !exists(root, "p2/failed"),
	       "an existing spool's fsync after making its subdirectories fails: -1 EIO, they are "
	       "removed");
	trace_reset(-1);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0 && trace_is("p2"),
	       "the next open makes them and fsyncs the spool");

	trace_reset(2);
	errno = 0;
	TAP_OK(spool_commit(&s, msg, 3, name) < 0 && errno == EIO && count(dir) == 4,
	       "a commit whose fsync of tmp/ fails: -1 EIO");
	snprintf(path, sizeof path, "%s/new", dir);
	TAP_OK(count(path) == 0, "and the file is taken back out of new/");
	trace_reset(-1);
	TAP_OK(spool_commit(&s, msg, 3, name) == 0, "a commit");
	trace_reset(0);
	errno = 0;
	TAP_OK(spool_fail(&s, name) < 0 && errno == EIO,
	       "the fsync of failed/ fails: spool_fail reports -1 EIO");
	trace_reset(-1);
	TAP_OK(spool_commit(&s, msg, 3, name) == 0, "a commit");
	trace_reset(1);
	errno = 0;
	TAP_OK(spool_fail(&s, name) < 0 && errno == EIO,
	       "the fsync of new/ after the move fails: -1 EIO");
	trace_reset(-1);
	TAP_OK(spool_commit(&s, msg, 3, name) == 0, "a commit");
	snprintf(path, sizeof path, "%s/failed", dir);
	char cmd0[300];
	snprintf(cmd0, sizeof cmd0, "rm -rf %s", path);
	errno = 0;
	TAP_OK(system(cmd0) == 0 && spool_fail(&s, name) < 0 && errno == ENOENT,
	       "a rename into a missing failed/ is reported: -1 ENOENT");
	spool_close(&s);
	trace_reset(-1);

	/* Names: the documented per-process sequence 1, 2, 3, a file opened ahead or not. */
	snprintf(dir, sizeof dir, "%s/seq", root);
	char n1[SPOOL_NAME_MAX], n2[SPOOL_NAME_MAX], n3[SPOOL_NAME_MAX], want[32];
	TAP_OK(spool_open(&s, dir, SPOOL_NO_FSYNC, &what) == 0 &&
		   spool_commit(&s, msg, 3, n1) == 0 && spool_prepare(&s) == 0 &&
		   spool_commit(&s, msg, 3, n2) == 0 && spool_prepare(&s) == 0 &&
		   spool_prepare(&s) == 0 && spool_commit(&s, msg, 3, n3) == 0,
	       "three commits, two with a file opened ahead");
	for (int i = 0; i < 3; i++) {
		const char *n = i == 0 ? n1 : i == 1 ? n2 : n3;
		snprintf(want, sizeof want, ".%d.%d.hl7", (int)getpid(), i + 1);
		TAP_OK(strlen(n) > strlen(want) && strcmp(n + strlen(n) - strlen(want), want) == 0,
		       "name %d ends in %s: %s", i + 1, want, n);
	}
	TAP_OK(strcmp(n1, n2) < 0 && strcmp(n2, n3) < 0, "and they sort by arrival");
	spool_close(&s);

	test_group(root);
	test_list_move(root);

	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	TAP_OK(system(cmd) == 0, "cleanup");
	return tap_done();
}

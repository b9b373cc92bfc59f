/* SPDX-License-Identifier: MIT */
/* test_spool.c: spool_commit leaves whole files in new/ and nothing else. */
#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int main(void)
{
	char root[] = "/tmp/mllpd-spool-XXXXXX", dir[128], path[256], name[SPOOL_NAME_MAX], name2[SPOOL_NAME_MAX];
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
		TAP_OK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750, "%s/ is a 0750 directory",
		       subs[i]);
	}
	const char msg[] = "MSH|^~\\&|A\rPID|1\r";
	TAP_OK(spool_commit(&s, msg, sizeof msg - 1, name) == 0, "spool_commit succeeds");
	snprintf(path, sizeof path, "%s/new/%s", dir, name);
	TAP_OK(file_is(path, msg, sizeof msg - 1), "new/%s holds exactly the bytes", name);
	snprintf(path, sizeof path, "%s/tmp", dir);
	TAP_OK(count(path) == 0, "tmp/ is empty after a commit");
	size_t nl = strlen(name);
	TAP_OK(nl > 4 && strcmp(name + nl - 4, ".hl7") == 0, "the name ends in .hl7");
	TAP_OK(spool_commit(&s, msg, 3, name2) == 0 && strcmp(name, name2) < 0, "names sort by arrival");
	TAP_OK(spool_fail(&s, name2) == 0, "spool_fail moves a file");
	snprintf(path, sizeof path, "%s/failed/%s", dir, name2);
	TAP_OK(access(path, F_OK) == 0, "the file is in failed/");
	snprintf(path, sizeof path, "%s/new/%s", dir, name2);
	TAP_OK(access(path, F_OK) < 0, "and no longer in new/");
	spool_close(&s);

	/* A file opened ahead by spool_prepare(): used by the next commit, removed by spool_close(). */
	snprintf(dir, sizeof dir, "%s/ahead", root);
	TAP_OK(spool_open(&s, dir, SPOOL_NO_FSYNC, &what) == 0, "spool_open for spool_prepare");
	snprintf(path, sizeof path, "%s/tmp", dir);
	TAP_OK(spool_prepare(&s) == 0 && spool_prepare(&s) == 0 && count(path) == 1,
	       "spool_prepare opens one file in tmp/, and a second call adds none");
	struct timespec pause = {0, 2000000}, after;
	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_REALTIME, &after);
	TAP_OK(spool_commit(&s, msg, sizeof msg - 1, name) == 0 && count(path) == 0, "the commit uses it: tmp/ is empty");
	snprintf(path, sizeof path, "%s/new/%s", dir, name);
	TAP_OK(file_is(path, msg, sizeof msg - 1), "new/%s holds exactly the bytes", name);
	long long sec = 0, nsec = 0;
	sscanf(name, "%lld.%lld", &sec, &nsec);
	TAP_OK(sec > after.tv_sec || (sec == after.tv_sec && nsec >= after.tv_nsec),
	       "the name is made at the commit, not when the file was opened ahead");
	TAP_OK(spool_prepare(&s) == 0, "another file opened ahead");
	unlinkat(s.tmpfd, s.nextname, 0); /* what a cleaner elsewhere might do */
	TAP_OK(spool_commit(&s, msg, 5, name2) == 0, "a commit whose file was removed meanwhile still succeeds");
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
	TAP_OK(spool_commit(&s, msg, sizeof msg - 1, name) < 0, "spool_commit fails when new/ is gone");
	snprintf(path, sizeof path, "%s/tmp", dir);
	TAP_OK(count(path) == 0, "and leaves nothing in tmp/");
	spool_close(&s);

	/* tmp/ leftovers: old regular files go, young ones, links and directories stay. */
	snprintf(dir, sizeof dir, "%s/clean", root);
	TAP_OK(spool_open(&s, dir, 0, &what) == 0, "spool_open for the cleaner");
	const char *olds[] = {"old1", "old2.hl7", ".old3"}, *keeps[] = {"young", "link", "sub"};
	time_t now = time(NULL);
	struct timespec old_times[2] = {{.tv_sec = now - SPOOL_TMP_MAX_AGE - 60}, {.tv_sec = now - SPOOL_TMP_MAX_AGE - 60}};
	struct timespec young_times[2] = {{.tv_sec = now - SPOOL_TMP_MAX_AGE + 60}, {.tv_sec = now - SPOOL_TMP_MAX_AGE + 60}};
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
	TAP_OK(spool_clean_tmp(&s, SPOOL_TMP_MAX_AGE) == 3, "spool_clean_tmp removes the 3 files older than 36 h");
	for (int i = 0; i < 3; i++)
		TAP_OK(faccessat(s.tmpfd, olds[i], F_OK, AT_SYMLINK_NOFOLLOW) < 0, "tmp/%s is gone", olds[i]);
	for (int i = 0; i < 3; i++)
		TAP_OK(faccessat(s.tmpfd, keeps[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0, "tmp/%s stays", keeps[i]);
	TAP_OK(spool_clean_tmp(&s, SPOOL_TMP_MAX_AGE) == 0, "a second pass removes nothing");
	TAP_OK(spool_clean_tmp(&s, -1) == 1, "age -1: every regular file goes (tmp/young)");
	spool_close(&s);

	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	TAP_OK(system(cmd) == 0, "cleanup");
	return tap_done();
}

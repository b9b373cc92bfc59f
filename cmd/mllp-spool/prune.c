/* SPDX-License-Identifier: MIT */
/* prune.c: mllp-spool prune: remove old files from cur/ only, archived first when asked. */
#include "mllp-spool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "spool.h"

/* The largest --older-than: 100 years. */
#define PRUNE_MAX_MS (36500ull * 24 * 60 * 60 * 1000)

struct prune {
	struct spooldir d;
	const char *archive;
	unsigned long long age_ms;
	struct spool_list old; /* the files of cur/ to remove */
};

static void options(struct prune *p, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"older-than", required_argument, NULL, 'o'},
	    {"archive", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const char *age = NULL;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'o': age = optarg; break;
		case 'a': p->archive = optarg; break;
		case ':': cli_usage_error("prune: %s needs a value", argv[optind - 1]);
		default: cli_usage_error("prune: unknown option: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		cli_usage_error(argc == optind ? "prune: a spool directory is needed"
					       : "prune: one spool directory only");
	if (!age)
		cli_usage_error("prune: --older-than is needed");
	if (p->archive && !p->archive[0])
		cli_usage_error("prune: --archive: an empty file name");
	enum parse_status st = parse_duration_ms(age, PARSE_UNITS, 0, PRUNE_MAX_MS, &p->age_ms);
	if (st == PARSE_RANGE)
		cli_usage_error("--older-than: must be 0 to 36500d: %s", age);
	if (st != PARSE_OK)
		cli_usage_error("--older-than: invalid duration (digits, then s, m, h or d): %s",
				age);
}

/* Keep in p->old the regular files of cur/ modified more than age_ms ago. */
static int select_old(struct prune *p)
{
	struct timespec now;
	struct stat st;
	struct spool_list *l = &p->old;
	if (spool_list(p->d.curfd, l) < 0) {
		cli_error("%s/cur: %s", p->d.path, strerror(errno));
		return EX_IOERR;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	long long cut = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 - (long long)p->age_ms;
	size_t k = 0;
	for (size_t i = 0; i < l->count; i++) {
		char *name = l->names[i];
		long long mtime = 0;
		int keep =
		    fstatat(p->d.curfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
		if (keep)
			mtime = (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
		if (keep && mtime < cut)
			l->names[k++] = name;
		else
			free(name);
	}
	l->count = k;
	return 0;
}

/* Every selected file into the archive, which is on disk when this returns 0. */
static int archive_all(struct prune *p)
{
	struct archive a;
	char member[300];
	int rc = archive_open(&a, p->archive);
	for (size_t i = 0; rc == 0 && i < p->old.count; i++) {
		snprintf(member, sizeof member, "cur/%s", p->old.names[i]);
		rc = archive_add(&a, p->d.curfd, p->old.names[i], member);
		if (rc < 0) {
			/* Gone: neither archived nor to be removed. */
			free(p->old.names[i]);
			p->old.names[i] = NULL;
			rc = 0;
		}
	}
	if (rc == 0)
		rc = archive_finish(&a);
	if (rc == 0)
		archive_close(&a);
	else if (a.fd >= 0)
		archive_abort(&a);
	return rc;
}

static int remove_all(struct prune *p)
{
	char safe[256];
	int rc = 0;
	for (size_t i = 0; i < p->old.count; i++) {
		const char *name = p->old.names[i];
		if (!name)
			continue;
		if (unlinkat(p->d.curfd, name, 0) < 0 && errno != ENOENT) {
			cli_error("%s/cur/%s: remove: %s", p->d.path,
				  spooldir_safe(safe, sizeof safe, name), strerror(errno));
			rc = EX_IOERR;
		}
	}
	if (fsync(p->d.curfd) < 0) {
		cli_error("%s/cur: fsync: %s", p->d.path, strerror(errno));
		rc = EX_IOERR;
	}
	return rc;
}

int cmd_prune(int argc, char **argv)
{
	struct prune p = {.archive = NULL};
	options(&p, argc, argv);
	int rc = spooldir_open(&p.d, argv[optind]);
	if (rc)
		return rc;
	rc = spooldir_lock(&p.d, p.d.curfd, "cur");
	if (rc == 0)
		rc = select_old(&p);
	if (rc == 0 && p.old.count > 0 && p.archive)
		rc = archive_all(&p);
	/* Nothing is removed unless the archive, when asked for, holds it all on disk. */
	if (rc == 0 && p.old.count > 0)
		rc = remove_all(&p);
	spool_list_free(&p.old);
	spooldir_close(&p.d);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* replay.c: mllp-spool replay: move failed/ back to new/, every file or the ones named, to be
 * sent again. */
#include "mllp-spool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

static void options(int argc, char **argv)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	opterr = 0;
	optind = 1;
	if (getopt_long(argc, argv, ":", opts, NULL) != -1)
		cli_usage_error("replay: unknown option: %s", argv[optind - 1]);
	if (argc == optind)
		cli_usage_error("replay: a spool directory is needed");
	for (int i = optind + 1; i < argc; i++)
		if (!spooldir_name_ok(argv[i]))
			cli_usage_error("replay: not a file name in failed/: %s", argv[i]);
}

/* The names given, checked: each a regular file in failed/, each once.  0 or 66. */
static int named(const struct spooldir *d, char **names, int n, struct spool_list *l)
{
	char safe[256];
	struct stat st;
	l->names = calloc((size_t)n, sizeof *l->names);
	l->count = 0;
	if (!l->names)
		return cli_error("%s", strerror(ENOMEM)), EX_OSERR;
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (size_t j = 0; j < l->count && !dup; j++)
			dup = strcmp(l->names[j], names[i]) == 0;
		if (dup)
			continue;
		if (d->failedfd < 0 ||
		    fstatat(d->failedfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode)) {
			cli_error("%s/failed/%s: no such file", d->path,
				  spooldir_safe(safe, sizeof safe, names[i]));
			return EX_NOINPUT;
		}
		if (!(l->names[l->count] = strdup(names[i])))
			return cli_error("%s", strerror(ENOMEM)), EX_OSERR;
		l->count++;
	}
	return 0;
}

/* Move each file; new/ then failed/ fsynced once at the end.  0 or 74. */
static int move_all(const struct spooldir *d, const struct spool_list *l)
{
	char safe[256], safe2[256], to[300];
	int rc = 0;
	for (size_t i = 0; i < l->count; i++) {
		const char *name = l->names[i];
		if (spool_move(d->failedfd, name, d->newfd, to, sizeof to, SPOOL_NO_FSYNC) < 0) {
			cli_error("%s/failed/%s: move to new/: %s", d->path,
				  spooldir_safe(safe, sizeof safe, name), strerror(errno));
			rc = EX_IOERR;
		} else if (strcmp(to, name) != 0) {
			cli_error("%s/failed/%s: new/ has that name: replayed as new/%s", d->path,
				  spooldir_safe(safe, sizeof safe, name),
				  spooldir_safe(safe2, sizeof safe2, to));
		}
	}
	/* new/ first: whatever a crash keeps, each file is in one of the two. */
	const char *sub = NULL;
	if (l->count)
		sub = fsync(d->newfd) < 0 ? "new" : fsync(d->failedfd) < 0 ? "failed" : NULL;
	if (sub) {
		cli_error("%s/%s: fsync: %s", d->path, sub, strerror(errno));
		rc = EX_IOERR;
	}
	return rc;
}

int cmd_replay(int argc, char **argv)
{
	struct spooldir d;
	struct spool_list l = {NULL, 0};
	options(argc, argv);
	int rc = spooldir_open(&d, argv[optind]);
	if (rc)
		return rc;
	if (d.failedfd >= 0)
		rc = spooldir_lock(&d, d.failedfd, "failed");
	if (rc == 0 && optind + 1 < argc)
		rc = named(&d, argv + optind + 1, argc - optind - 1, &l);
	else if (rc == 0 && d.failedfd >= 0 && spool_list(d.failedfd, &l) < 0) {
		cli_error("%s/failed: %s", d.path, strerror(errno));
		rc = EX_IOERR;
	}
	if (rc == 0)
		rc = move_all(&d, &l);
	spool_list_free(&l);
	spooldir_close(&d);
	return rc;
}

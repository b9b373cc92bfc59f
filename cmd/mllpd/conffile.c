/* SPDX-License-Identifier: MIT */
/* conffile.c: read the --config file; the parsing is lib/optfile's, the options main.c's own table.
 */
#include "conffile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A configuration file is at most this large. */
#define CONFFILE_MAX (1 << 20)

void conffile_load(struct optfile *out, const char *path, const struct option *table,
		   const char *const *refused, const char *prog)
{
	FILE *f = fopen(path, "rb");
	const char *why = f ? NULL : strerror(errno);
	char *buf = malloc(CONFFILE_MAX + 1);
	size_t len = 0;

	if (!why && !buf) {
		why = strerror(errno);
	} else if (!why) {
		len = fread(buf, 1, CONFFILE_MAX + 1, f);
		if (ferror(f))
			why = strerror(errno ? errno : EIO);
		else if (len > CONFFILE_MAX)
			why = "larger than 1 MiB";
	}
	if (f)
		fclose(f);
	if (why) {
		free(buf);
		cli_fatal(EX_CONFIG, "%s: %s", path, why);
	}
	struct optfile_error err;
	int rc = optfile_parse(buf, len, table, refused, prog, out, &err);
	free(buf);
	if (rc < 0) {
		if (err.line)
			cli_fatal(EX_CONFIG, "%s:%zu: %s", path, err.line, err.reason);
		cli_fatal(EX_CONFIG, "%s: %s", path, err.reason);
	}
}

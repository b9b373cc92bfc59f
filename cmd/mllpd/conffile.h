/* SPDX-License-Identifier: MIT */
/* conffile.h: --config FILE: read it and turn its name = value lines into arguments (lib/optfile).
 */
#ifndef MLLPD_CONFFILE_H
#define MLLPD_CONFFILE_H

#include "optfile.h"

/*
 * Read path (at most 1 MiB) and parse it against the getopt_long table, the
 * names in refused not allowed.  An unreadable or malformed file ends the
 * process: "mllpd: FILE: why" or "mllpd: FILE:LINE: why" on stderr, exit
 * 78 (EX_CONFIG).
 */
void conffile_load(struct optfile *out, const char *path, const struct option *table,
		   const char *const *refused, const char *prog);

#endif

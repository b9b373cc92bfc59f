/* SPDX-License-Identifier: MIT */
/* optfile.h: a configuration file of name = value lines, turned into --name=value arguments for
 * getopt_long. */
#ifndef MLLP_OPTFILE_H
#define MLLP_OPTFILE_H

#include <stddef.h>

struct option; /* <getopt.h> */

/*
 * The file, one setting per line:
 *
 *     # a comment
 *     spool = /var/spool/hl7
 *     no-fsync
 *
 * NAME is a long option name of the caller's getopt_long table, exactly (no
 * abbreviations); the value is the rest of the line after '=', taken
 * literally ('#', quotes and backslashes included).  Blanks (spaces and tabs;
 * a CR before the line end too) around the name and the value are dropped.
 * A line whose first non-blank byte is '#' is a comment; blank lines are
 * ignored.  An empty value is no value.  An option that takes a value
 * (required_argument) needs one; a flag (no_argument) takes none.
 *
 * Each setting becomes one argument, "--NAME=VALUE" or "--NAME", in file
 * order, so that the caller runs them through the same getopt_long table
 * and handler as its command line.
 *
 * Nothing here reads files, prints, exits or reads the environment: the
 * caller reads the file and reports the error.
 */

struct optfile {
	int argc;     /* arguments, argv[0] included */
	char **argv;  /* argv[0] is the caller's prog; argv[argc] is NULL */
	size_t *line; /* line[i]: the line (1-based) argv[i] came from; line[0] is 0 */
	char *store;  /* the argument strings */
};

/* Why optfile_parse() failed: the line (1-based; 0 when not about a line: out of memory) and a
 * reason. */
struct optfile_error {
	size_t line;
	char reason[160];
};

/*
 * Parse len bytes.  table is the caller's getopt_long table (ending with a
 * zero entry); refused lists names (NULL-terminated; NULL for none) that
 * are in the table but not allowed in a file, such as "config" or "help".
 * A NUL byte, a line that is not NAME[ = VALUE], a name not in the table,
 * a refused name, a value on a flag or a missing value is an error; its
 * reason names the NAME as written ("unknown option: spol",
 * "no-fsync: takes no value", "spool: requires a value").
 * Returns 0 with out filled (free with optfile_free), or -1 with err.
 */
int optfile_parse(const char *buf, size_t len, const struct option *table,
		  const char *const *refused, const char *prog, struct optfile *out,
		  struct optfile_error *err);

/* Free what optfile_parse() allocated (a zeroed struct is fine). */
void optfile_free(struct optfile *f);

#endif

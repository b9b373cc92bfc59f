/* SPDX-License-Identifier: MIT */
/* main.c: mllp-spool's entry: pick the subcommand from the table, print usage and help. */
#include <stdio.h>
#include <string.h>

#include "mllp-spool.h"

#define MLLP_SPOOL_VERSION "0.1.0"

/* One line per subcommand: its name, its function, its arguments for the usage text. */
static const struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
} cmds[] = {
    {"prune", cmd_prune, "DIR --older-than DURATION [--archive FILE.tar]"},
    {"replay", cmd_replay, "DIR [NAME...]"},
    {"stat", cmd_stat, "[--stats FILE] [-o FILE] [DIR...]"},
};

#define NCMDS (sizeof cmds / sizeof cmds[0])

static const char help_text[] = "\n"
				"Tools for a spool that mllpd writes and mllp-send --drain reads.\n"
				"DURATION: digits and a unit, s, m, h or d (none: seconds).\n"
				"See mllp-spool(1).\n";

/* "usage: mllp-spool NAME ARGS" for each subcommand, then --version | --help. */
static char usage_text[2048];

static void make_usage(void)
{
	size_t n = 0;
	for (size_t i = 0; i < NCMDS; i++)
		n +=
		    (size_t)snprintf(usage_text + n, sizeof usage_text - n, "%s mllp-spool %s %s\n",
				     i ? "      " : "usage:", cmds[i].name, cmds[i].args);
	snprintf(usage_text + n, sizeof usage_text - n, "       mllp-spool --version | --help\n");
}

static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("stdout: write error");
		return EX_IOERR;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	make_usage();
	cli_init("mllp-spool", usage_text);
	if (!sub)
		cli_usage_error("a command is needed");
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		printf("%s%s", usage_text, help_text);
		return finish(0);
	}
	if (strcmp(sub, "--version") == 0) {
		printf("mllp-spool %s\n", MLLP_SPOOL_VERSION);
		return finish(0);
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(sub, cmds[i].name) == 0)
			return finish(cmds[i].fn(argc - 1, argv + 1));
	cli_usage_error("unknown command: %s", sub);
}

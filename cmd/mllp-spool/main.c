/* SPDX-License-Identifier: MIT */
/* main.c: mllp-spool COMMAND ...: tools for an mllpd spool; each command is in its own file. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "mllp-spool.h"

static const char usage_text[] = "usage: mllp-spool stat [--stats FILE] [-o FILE] [DIR...]\n"
				 "       mllp-spool --help\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
    {"stat", cmd_stat},
};

int main(int argc, char **argv)
{
	cli_init("mllp-spool", usage_text);
	if (argc < 2)
		cli_usage_error("no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("%s\nSee mllp-spool(1).\n", usage_text);
		return EX_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	cli_usage_error("unknown command: %s", argv[1]);
}

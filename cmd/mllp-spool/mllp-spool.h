/* SPDX-License-Identifier: MIT */
/* mllp-spool.h: the commands of mllp-spool, one file each; main.c dispatches. */
#ifndef MLLP_SPOOL_H
#define MLLP_SPOOL_H

/*
 * Each command gets the arguments from its own name on (argv[0] is "stat",
 * ...) and returns an exit status (sysexits).
 */

/* mllp-spool stat [--stats FILE] [-o FILE] [DIR...]: metrics, Prometheus text format. */
int cmd_stat(int argc, char **argv);

#endif

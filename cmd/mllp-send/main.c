/* SPDX-License-Identifier: MIT */
/* main.c: mllp-send's options and wiring; sending is in send.c, the spool forwarder in drain.c. */
#include "mllp-send.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MLLP_SEND_VERSION "0.1.0"

static const char usage_text[] =
	"usage: mllp-send [-q] [--timeout SEC] [--window N] [--print-ack] HOST:PORT [FILE...]\n"
	"       mllp-send [-q] [--timeout SEC] [--window N] [--print-ack] --drain DIR [--watch]\n"
	"                 [--delete] [--no-fsync] [--retry-max N] [--retry-delay SEC]\n"
	"                 [--retry-max-delay SEC] HOST:PORT\n"
	"       mllp-send --version | --help\n";

static const char help_text[] =
	"\n"
	"Send HL7 v2 messages over MLLP and wait for each ACK; or forward a spool's new/.\n"
	"\n"
	"  --timeout SEC          wait at most SEC for the connection and each ACK (30)\n"
	"  --window N             messages in flight at once, ACKs matched by MSA-2 (1)\n"
	"  --print-ack            print each ACK as received instead of a summary line\n"
	"  -q, --quiet            print no summary lines\n"
	"  --drain DIR            forward every message in DIR/new/, oldest first\n"
	"  --watch                with --drain: keep forwarding as files arrive\n"
	"  --delete               with --drain: delete acknowledged files (default: move to cur/)\n"
	"  --no-fsync             with --drain: skip the directory fsyncs (not crash-safe)\n"
	"  --retry-max N          with --drain: give up after N retries in a row (default: never)\n"
	"  --retry-delay SEC      with --drain: first back-off delay (1), doubled each retry\n"
	"  --retry-max-delay SEC  with --drain: longest back-off delay (60)\n"
	"  --version              print the version and exit\n"
	"  --help                 print this help and exit\n"
	"\n"
	"HOST:PORT is 127.0.0.1:2575, [::1]:2575 or localhost:2575.  Without FILE, stdin.\n"
	"Exit: 0 all AA/CA, 1 some AE/AR/CE/CR, 65 not HL7, 66 no such file, 69 peer\n"
	"unreachable, 75 ACK timeout or connection lost, 76 not an ACK.  See mllp-send(1).\n";

static void usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "mllp-send: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n%s", usage_text);
	exit(EXIT_USAGE);
}

static double parse_seconds(const char *opt, const char *s, double min)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < min || v > 31536000)
		usage_error("%s: invalid number of seconds: %s", opt, s);
	return v;
}

static long parse_count(const char *opt, const char *s, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max)
		usage_error("%s: invalid number: %s", opt, s);
	return v;
}

enum {
	OPT_TIMEOUT = 256, OPT_WINDOW, OPT_PRINT_ACK, OPT_DRAIN, OPT_WATCH, OPT_DELETE, OPT_NO_FSYNC, OPT_RETRY_MAX,
	OPT_RETRY_DELAY, OPT_RETRY_MAX_DELAY, OPT_VERSION, OPT_HELP,
};

static const struct option options[] = {
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"window", required_argument, NULL, OPT_WINDOW},
	{"print-ack", no_argument, NULL, OPT_PRINT_ACK},
	{"quiet", no_argument, NULL, 'q'},
	{"drain", required_argument, NULL, OPT_DRAIN},
	{"watch", no_argument, NULL, OPT_WATCH},
	{"delete", no_argument, NULL, OPT_DELETE},
	{"no-fsync", no_argument, NULL, OPT_NO_FSYNC},
	{"retry-max", required_argument, NULL, OPT_RETRY_MAX},
	{"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
	{"retry-max-delay", required_argument, NULL, OPT_RETRY_MAX_DELAY},
	{"version", no_argument, NULL, OPT_VERSION},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	struct config cfg = {
		.timeout = 30,
		.window = 1,
		.retry_max = -1,
		.retry_delay = 1,
		.retry_max_delay = 60,
	};
	const char *drain_only = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
		const char *opt = argv[optind - 1];
		switch (c) {
		case OPT_TIMEOUT: cfg.timeout = parse_seconds("--timeout", optarg, 0.001); break;
		case OPT_WINDOW: cfg.window = (unsigned)parse_count("--window", optarg, 1, 1000); break;
		case OPT_PRINT_ACK: cfg.print_ack = 1; break;
		case 'q': cfg.quiet = 1; break;
		case OPT_DRAIN: cfg.drain_dir = optarg; break;
		case OPT_WATCH: cfg.watch = 1; drain_only = "--watch"; break;
		case OPT_DELETE: cfg.delete_acked = 1; drain_only = "--delete"; break;
		case OPT_NO_FSYNC: cfg.no_fsync = 1; drain_only = "--no-fsync"; break;
		case OPT_RETRY_MAX:
			cfg.retry_max = parse_count("--retry-max", optarg, 0, 1000000000);
			drain_only = "--retry-max";
			break;
		case OPT_RETRY_DELAY:
			cfg.retry_delay = parse_seconds("--retry-delay", optarg, 0.001);
			drain_only = "--retry-delay";
			break;
		case OPT_RETRY_MAX_DELAY:
			cfg.retry_max_delay = parse_seconds("--retry-max-delay", optarg, 0.001);
			drain_only = "--retry-max-delay";
			break;
		case OPT_VERSION:
			printf("mllp-send %s\n", MLLP_SEND_VERSION);
			return 0;
		case OPT_HELP:
			printf("%s%s", usage_text, help_text);
			return 0;
		case ':':
			usage_error("%s: requires a value%s", opt, "");
			break;
		default:
			if (optopt && optopt < 256) {
				char o[3] = {'-', (char)optopt, 0};
				usage_error("unknown option: %s%s", o, "");
			}
			usage_error("unknown option: %s%s", opt, "");
		}
	}
	if (optind >= argc)
		usage_error("missing HOST:PORT%s%s", "", "");
	cfg.target = argv[optind++];
	const char *why;
	if (net_parse_target(cfg.target, cfg.host, sizeof cfg.host, cfg.port, sizeof cfg.port, &why) < 0)
		usage_error("%s: %s", cfg.target, why);
	if (drain_only && !cfg.drain_dir)
		usage_error("%s: only with --drain DIR%s", drain_only, "");
	if (cfg.drain_dir && optind < argc)
		usage_error("--drain: no FILE arguments: %s%s", argv[optind], "");
	if (cfg.retry_max_delay < cfg.retry_delay)
		cfg.retry_max_delay = cfg.retry_delay;
	signal(SIGPIPE, SIG_IGN);

	if (cfg.drain_dir)
		return drain_spool(&cfg);
	return send_files(&cfg, argv + optind, argc - optind);
}

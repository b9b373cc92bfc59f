/* SPDX-License-Identifier: MIT */
/* main.c: mllp-nats's options and the --exec sink (one message from stdin); the spool
 * forwarder is in drain.c, publishing in pub.c. */
#include "mllp-nats.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"

#define MLLP_NATS_VERSION "0.1.0"

static const char usage_text[] =
    "usage: mllp-nats --server URL[,URL...] --subject SUBJECT [--timeout DURATION]\n"
    "       mllp-nats --server URL[,URL...] --subject SUBJECT [--timeout DURATION] --drain DIR\n"
    "                 [--watch] [--inflight N]\n"
    "       mllp-nats --version | --help\n";

static const char help_text[] =
    "\n"
    "Publish an HL7 v2 message (stdin), or a spool's new/, to NATS JetStream and wait for\n"
    "the stream's acknowledgement.\n"
    "\n"
    "  --server URL[,URL...]  NATS servers, e.g. nats://127.0.0.1:4222 (any one will do)\n"
    "  --subject SUBJECT      subject; %{PATH} (MSH-9.1...) and $NAME are replaced by\n"
    "                         the value made a safe token\n"
    "  --timeout DURATION     connection and each acknowledgement, retries included (5s)\n"
    "  --drain DIR            publish every file of DIR/new/, then move it to cur/\n"
    "  --watch                with --drain: keep publishing files as they arrive\n"
    "  --inflight N           with --drain: publishes in flight at once (8)\n"
    "  --version              print the version and exit\n"
    "  --help                 print this help and exit\n"
    "\n"
    "Exit: 0 stored (or a duplicate), 65 refused by the stream, 75 no answer in time, no\n"
    "responders or no stream leader (try again), 64 usage.  See mllp-nats(1).\n";

enum {
	OPT_SERVER = 256,
	OPT_SUBJECT,
	OPT_TIMEOUT,
	OPT_DRAIN,
	OPT_WATCH,
	OPT_INFLIGHT,
	OPT_VERSION,
	OPT_HELP,
};

static const struct option options[] = {
    {"server", required_argument, NULL, OPT_SERVER},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"drain", required_argument, NULL, OPT_DRAIN},
    {"watch", no_argument, NULL, OPT_WATCH},
    {"inflight", required_argument, NULL, OPT_INFLIGHT},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* --server's list, split at ','; each URL non-empty. */
static void split_servers(struct config *cfg, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int n = 1;

	free(cfg->servers);
	free(cfg->servers_buf);
	cfg->servers_buf = copy;

	for (const char *c = list; *c; c++)
		n += *c == ',';
	cfg->servers = calloc((size_t)n, sizeof *cfg->servers);
	if (!copy || !cfg->servers)
		cli_fatal(EX_OSERR, "%s", strerror(ENOMEM));
	cfg->nservers = 0;
	for (char *u = strtok_r(copy, ",", &save); u; u = strtok_r(NULL, ",", &save))
		cfg->servers[cfg->nservers++] = u;
	if (cfg->nservers == 0)
		cli_usage_error("--server: no URL: %s", list);
}

static int timeout_ms(const char *s)
{
	unsigned long long ms;
	enum parse_status st = parse_duration_ms(s, PARSE_FRACTION | PARSE_UNITS, 1, 3600000, &ms);

	if (st == PARSE_RANGE)
		cli_usage_error("--timeout: must be 0.001s to 1h: %s", s);
	if (st != PARSE_OK)
		cli_usage_error("--timeout: invalid duration: %s", s);
	return (int)ms;
}

static void check_options(const struct config *cfg, const char *drain_only, int argc, char **argv)
{
	char buf[NATSNAME_SUBJECT_MAX + 1];
	size_t off;
	enum natsname_status st;

	if (optind < argc)
		cli_usage_error("unexpected argument: %s", argv[optind]);
	if (!cfg->servers)
		cli_usage_error("missing --server URL");
	if (!cfg->subject)
		cli_usage_error("missing --subject SUBJECT");
	if (drain_only && !cfg->drain_dir)
		cli_usage_error("%s: only with --drain DIR", drain_only);
	st = natsname_expand(buf, sizeof buf, cfg->subject, pub_lookup, NULL, &off);
	if (st != NATSNAME_OK)
		cli_usage_error("--subject: %s at byte %zu: %s", natsname_status_text(st), off,
				cfg->subject);
}

/* The whole of stdin, at most NATS_MAX_MESSAGE bytes; NULL with *len past it when longer. */
static char *read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		if (n == cap) {
			if (cap > NATS_MAX_MESSAGE)
				break;
			char *b = realloc(buf, cap * 2);
			if (!b)
				break;
			buf = b, cap *= 2;
		}
		ssize_t r = read(0, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			cli_fatal(EX_IOERR, "stdin: %s", strerror(errno));
		if (r == 0) {
			*len = n;
			return n <= NATS_MAX_MESSAGE ? buf : (free(buf), NULL);
		}
		n += (size_t)r;
	}
	free(buf);
	*len = n;
	return NULL;
}

static int publish_stdin(const struct config *cfg)
{
	struct pub p;
	char why[512];
	size_t len;
	int dup, rc = EX_OK;
	char *data = read_stdin(&len);

	if (!data) {
		if (len > NATS_MAX_MESSAGE)
			cli_fatal(EX_DATAERR, "stdin: message longer than %u bytes",
				  NATS_MAX_MESSAGE);
		cli_fatal(EX_OSERR, "stdin: %s", strerror(ENOMEM));
	}
	if (pub_connect(&p, cfg, 0, why, sizeof why) < 0) {
		cli_error("%s: %s", cfg->servers[0], why);
		rc = EX_TEMPFAIL;
	} else {
		switch (pub_message(&p, data, len, &dup, why, sizeof why)) {
		case PUB_OK: break;
		case PUB_REFUSED: cli_error("%s", why), rc = EX_DATAERR; break;
		case PUB_TEMPFAIL: cli_error("%s", why), rc = EX_TEMPFAIL; break;
		}
	}
	pub_close(&p);
	free(data);
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg = {.timeout_ms = 5000, .inflight = 8};
	const char *drain_only = NULL;
	int c;

	cli_init("mllp-nats", usage_text);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		const char *opt = argv[optind - 1];
		switch (c) {
		case OPT_SERVER: split_servers(&cfg, optarg); break;
		case OPT_SUBJECT: cfg.subject = optarg; break;
		case OPT_TIMEOUT: cfg.timeout_ms = timeout_ms(optarg); break;
		case OPT_DRAIN: cfg.drain_dir = optarg; break;
		case OPT_WATCH:
			cfg.watch = 1;
			drain_only = "--watch";
			break;
		case OPT_INFLIGHT:
			cfg.inflight = (int)cli_count("--inflight", optarg, 1, 256);
			drain_only = "--inflight";
			break;
		case OPT_VERSION: printf("mllp-nats %s\n", MLLP_NATS_VERSION); return EX_OK;
		case OPT_HELP: printf("%s%s", usage_text, help_text); return EX_OK;
		case ':': cli_usage_error("%s: requires a value", opt); break;
		default: cli_usage_error("unknown option: %s", opt);
		}
	}
	check_options(&cfg, drain_only, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	int rc = cfg.drain_dir ? drain_spool(&cfg) : publish_stdin(&cfg);
	nats_CloseAndWait(1000);
	free(cfg.servers);
	free(cfg.servers_buf);
	return rc;
}

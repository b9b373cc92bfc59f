/* SPDX-License-Identifier: MIT */
/* main.c: mllp-send's options and wiring; sending is in send.c, the spool forwarder in drain.c. */
#include "mllp-send.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tlsio.h"
#include "tlsopt.h"

#define MLLP_SEND_VERSION "0.1.0"

static const char usage_text[] =
    "usage: mllp-send [-q] [--timeout SEC] [--window N] [--print-ack] [TLS] HOST:PORT [FILE...]\n"
    "       mllp-send [-q] [--timeout SEC] [--window N --unordered] [--print-ack] [TLS] --drain "
    "DIR\n"
    "                 [--watch] [--delete] [--no-fsync] [--retry-max N] [--retry-delay SEC]\n"
    "                 [--retry-max-delay SEC] HOST:PORT\n"
    "       mllp-send --version | --help\n"
    "TLS: [--tls] [--tls-ca FILE] [--tls-cert FILE [--tls-key FILE] | --tls-pkcs12 FILE]\n"
    "     [--tls-password-file FILE] [--tls-min-version 1.2|1.3]\n";

static const char help_text[] =
    "\n"
    "Send HL7 v2 messages over MLLP and wait for each ACK; or forward a spool's new/.\n"
    "\n"
    "  --timeout SEC          wait at most SEC for the connection and each ACK (30)\n"
    "  --window N             messages in flight at once, ACKs matched by MSA-2 (1)\n"
    "  --unordered            with --drain: allow --window N > 1, which lets up to N-1\n"
    "                         messages overtake a failed one before its resend\n"
    "  --print-ack            print each ACK as received instead of a summary line\n"
    "  -q, --quiet            print no summary lines\n"
    "  --drain DIR            forward every message in DIR/new/, oldest first\n"
    "  --watch                with --drain: keep forwarding as files arrive\n"
    "  --delete               with --drain: delete acknowledged files (default: move to cur/)\n"
    "  --no-fsync             with --drain: skip the directory fsyncs (not crash-safe)\n"
    "  --retry-max N          with --drain: give up after N retries in a row (default: never)\n"
    "  --retry-delay SEC      with --drain: first back-off delay (1), doubled each retry\n"
    "  --retry-max-delay SEC  with --drain: longest back-off delay (60)\n"
    "  --tls                  connect with TLS, verifying the server and its name\n"
    "  --tls-ca FILE          PEM CAs the server must chain to (default: the system store)\n"
    "  --tls-cert FILE        client certificate (PEM) for mutual TLS\n"
    "  --tls-key FILE         its private key (PEM; default: in the --tls-cert file)\n"
    "  --tls-pkcs12 FILE      client certificate and key in one PKCS#12 file instead\n"
    "  --tls-password-file F  first line is the password of the key or PKCS#12\n"
    "  --tls-min-version V    oldest protocol version, 1.2 or 1.3 (1.2)\n"
    "  --version              print the version and exit\n"
    "  --help                 print this help and exit\n"
    "\n"
    "HOST:PORT is 127.0.0.1:2575, [::1]:2575 or localhost:2575.  Without FILE, stdin.\n"
    "Exit: 0 all AA/CA, 1 some AE/AR/CE/CR, 65 not HL7, 66 no such file, 69 peer\n"
    "unreachable, 75 ACK timeout or connection lost, 76 not an ACK.  See mllp-send(1).\n";

/* Back-off delays are kept in milliseconds in a long long: a year is plenty. */
#define RETRY_DELAY_MAX_MS (31536000ull * 1000)

enum {
	OPT_TIMEOUT = 256,
	OPT_WINDOW,
	OPT_PRINT_ACK,
	OPT_DRAIN,
	OPT_WATCH,
	OPT_DELETE,
	OPT_NO_FSYNC,
	OPT_RETRY_MAX,
	OPT_RETRY_DELAY,
	OPT_RETRY_MAX_DELAY,
	OPT_VERSION,
	OPT_HELP,
	OPT_TLS,
	OPT_TLS_CA,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TLS_PKCS12,
	OPT_TLS_PASSWORD_FILE,
	OPT_TLS_MIN_VERSION,
	OPT_UNORDERED,
};

static const struct option options[] = {
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"unordered", no_argument, NULL, OPT_UNORDERED},
    {"print-ack", no_argument, NULL, OPT_PRINT_ACK},
    {"quiet", no_argument, NULL, 'q'},
    {"drain", required_argument, NULL, OPT_DRAIN},
    {"watch", no_argument, NULL, OPT_WATCH},
    {"delete", no_argument, NULL, OPT_DELETE},
    {"no-fsync", no_argument, NULL, OPT_NO_FSYNC},
    {"retry-max", required_argument, NULL, OPT_RETRY_MAX},
    {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
    {"retry-max-delay", required_argument, NULL, OPT_RETRY_MAX_DELAY},
    {"tls", no_argument, NULL, OPT_TLS},
    {"tls-ca", required_argument, NULL, OPT_TLS_CA},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"tls-pkcs12", required_argument, NULL, OPT_TLS_PKCS12},
    {"tls-password-file", required_argument, NULL, OPT_TLS_PASSWORD_FILE},
    {"tls-min-version", required_argument, NULL, OPT_TLS_MIN_VERSION},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* The client context, made once: a bad file ends the run with 78 before any connection. */
static struct tlsio_ctx *tls_setup(const struct tlsio_config *tc, const char *password_file)
{
	struct tlsio_report rep;
	char line[600];
	struct tlsio_ctx *ctx =
	    tlsopt_ctx(TLSIO_CLIENT, tc, password_file, &rep, line, sizeof line);

	if (!ctx)
		cli_fatal(EX_CONFIG, "%s", line);
	if (tlsopt_warning(tc, &rep, line, sizeof line))
		cli_error("%s", line);
	return ctx;
}

/* The --tls-* options (each turns TLS on): 1 when c was one. */
static int tls_option(int c, struct tlsio_config *tc, const char **password_file)
{
	switch (c) {
	case OPT_TLS: break;
	case OPT_TLS_CA: tc->ca_file = optarg; break;
	case OPT_TLS_CERT: tc->cert_file = optarg; break;
	case OPT_TLS_KEY: tc->key_file = optarg; break;
	case OPT_TLS_PKCS12: tc->pkcs12_file = optarg; break;
	case OPT_TLS_PASSWORD_FILE: *password_file = optarg; break;
	case OPT_TLS_MIN_VERSION: tc->min_version = tlsopt_min_version(optarg); break;
	default: return 0;
	}
	return 1;
}

/* What the options say together: the target, and the combinations that are usage errors. */
static void check_options(struct config *cfg, const struct tlsio_config *tc, const char *drain_only,
			  int argc, char **argv)
{
	if (optind >= argc)
		cli_usage_error("missing HOST:PORT");
	cfg->target = argv[optind++];
	const char *why;
	if (net_parse_target(cfg->target, cfg->host, sizeof cfg->host, cfg->port, sizeof cfg->port,
			     &why) < 0)
		cli_usage_error("%s: %s", cfg->target, why);
	if (drain_only && !cfg->drain_dir)
		cli_usage_error("%s: only with --drain DIR", drain_only);
	if (cfg->drain_dir && optind < argc)
		cli_usage_error("--drain: no FILE arguments: %s", argv[optind]);
	/* Spool order is the forwarder's promise: a reorder must be asked for (mllp-send.1,
	 * Ordering). */
	if (cfg->drain_dir && cfg->window > 1 && !cfg->unordered)
		cli_usage_error("--window %u: with --drain, messages after a failed one are "
				"delivered before its "
				"resend: add --unordered to accept that",
				cfg->window);
	if (cfg->retry_max_delay < cfg->retry_delay)
		cfg->retry_max_delay = cfg->retry_delay;
	if (tc->cert_file && tc->pkcs12_file)
		cli_usage_error("--tls-pkcs12: not with --tls-cert");
	if (tc->key_file && !tc->cert_file)
		cli_usage_error("--tls-key: needs --tls-cert FILE");
}

/* The sending options' defaults (mllp-send.1). */
static const struct config config_defaults = {
    .timeout = 30,
    .window = 1,
    .retry_max = -1,
    .retry_delay = 1,
    .retry_max_delay = 60,
};

/* An option of the sending itself (not TLS): 1 when c was one. */
static int send_option(int c, struct config *cfg, const char **drain_only)
{
	switch (c) {
	case OPT_TIMEOUT:
		cfg->timeout = cli_seconds("--timeout", optarg, 1, CLI_TIMEOUT_MAX_MS);
		break;
	case OPT_WINDOW: cfg->window = (unsigned)cli_count("--window", optarg, 1, 1000); break;
	case OPT_UNORDERED:
		cfg->unordered = 1;
		*drain_only = "--unordered";
		break;
	case OPT_PRINT_ACK: cfg->print_ack = 1; break;
	case 'q': cfg->quiet = 1; break;
	case OPT_DRAIN: cfg->drain_dir = optarg; break;
	case OPT_WATCH:
		cfg->watch = 1;
		*drain_only = "--watch";
		break;
	case OPT_DELETE:
		cfg->delete_acked = 1;
		*drain_only = "--delete";
		break;
	case OPT_NO_FSYNC:
		cfg->no_fsync = 1;
		*drain_only = "--no-fsync";
		break;
	case OPT_RETRY_MAX:
		cfg->retry_max = (long)cli_count("--retry-max", optarg, 0, 1000000000);
		*drain_only = "--retry-max";
		break;
	case OPT_RETRY_DELAY:
		cfg->retry_delay = cli_seconds("--retry-delay", optarg, 1, RETRY_DELAY_MAX_MS);
		*drain_only = "--retry-delay";
		break;
	case OPT_RETRY_MAX_DELAY:
		cfg->retry_max_delay =
		    cli_seconds("--retry-max-delay", optarg, 1, RETRY_DELAY_MAX_MS);
		*drain_only = "--retry-max-delay";
		break;
	default: return 0;
	}
	return 1;
}

/* --version, --help, a missing value or an unknown option (opt as given): never returns. */
static void other_option(int c, const char *opt)
{
	switch (c) {
	case OPT_VERSION: printf("mllp-send %s\n", MLLP_SEND_VERSION); exit(EX_OK);
	case OPT_HELP: printf("%s%s", usage_text, help_text); exit(EX_OK);
	case ':': cli_usage_error("%s: requires a value", opt); break;
	default:
		if (optopt && optopt < 256) {
			char o[3] = {'-', (char)optopt, 0};
			cli_usage_error("unknown option: %s", o);
		}
		cli_usage_error("unknown option: %s", opt);
	}
}

int main(int argc, char **argv)
{
	struct tlsio_config tc = {.verify_peer = 1};
	const char *password_file = NULL;
	int tls = 0;
	struct config cfg = config_defaults;
	const char *drain_only = NULL;
	int c;

	cli_init("mllp-send", usage_text);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
		if (tls_option(c, &tc, &password_file))
			tls = 1;
		else if (!send_option(c, &cfg, &drain_only))
			other_option(c, argv[optind - 1]);
	}
	check_options(&cfg, &tc, drain_only, argc, argv);
	if (tls)
		cfg.tls = tls_setup(&tc, password_file);
	signal(SIGPIPE, SIG_IGN);

	int rc = cfg.drain_dir ? drain_spool(&cfg) : send_files(&cfg, argv + optind, argc - optind);
	tlsio_ctx_free(cfg.tls);
	return rc;
}

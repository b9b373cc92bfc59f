/* SPDX-License-Identifier: MIT */
/* main.c: mllpd's options, signals and start modes; the work is in conn.c and listener.c. */
#include "mllpd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "systemd.h"
#include <unistd.h>

#include "allow.h"
#include "cli.h"
#include "conffile.h"
#include "dedupe.h"
#include "log.h"
#include "spool.h"
#include "tlsio.h"

#define MLLPD_VERSION "0.1.0"

extern char **environ;

volatile int mllpd_terminate;
int mllpd_signal_fd = -1;
static int signal_write_fd = -1;

static const char usage_text[] =
    "usage: mllpd [-qv] [--spool DIR] [--no-fsync] [--exec CMD] [--exec-timeout SEC]\n"
    "             [--max-message-size BYTES] [--idle-timeout SEC] [--frame-timeout SEC]\n"
    "             [--ack-application NAME] [--ack-facility NAME] [--ack-mode auto|original]\n"
    "             [--strict] [--listen [HOST:]PORT] [--max-connections N]\n"
    "             [--max-per-source N]\n"
    "             [--log-target auto|stderr|journal|syslog]\n"
    "             [--tls-cert FILE [--tls-key FILE] | --tls-pkcs12 FILE]\n"
    "             [--tls-password-file FILE] [--tls-ca FILE] [--tls-verify-client]\n"
    "             [--tls-crl FILE] [--tls-ciphers LIST] [--tls-groups LIST]\n"
    "             [--tls-handshake-timeout SEC]\n"
    "             [--tls-min-version 1.2|1.3] [--tls-allow FILE] [--config FILE]\n"
    "             [--dedupe WINDOW [--dedupe-dir DIR]] [--stats FILE]\n"
    "       mllpd --version | --help\n";

static const char help_text[] =
    "\n"
    "Receive HL7 v2 messages over MLLP on one connection (fd 0/1, or systemd\n"
    "socket activation), acknowledge each, and deliver it to a spool and/or a command.\n"
    "\n"
    "  --spool DIR               write each message to DIR/new/ (maildir: tmp/, fsync, rename)\n"
    "  --no-fsync                skip the fsyncs of the spool (faster, not crash-safe)\n"
    "  --exec CMD                run /bin/sh -c CMD per message, message on stdin\n"
    "  --exec-timeout SEC        kill the command after SEC seconds, answer AE (30; 0 none)\n"
    "  --max-message-size BYTES  larger frames get AR (16M; K, M, G suffixes)\n"
    "  --idle-timeout SEC        close a connection silent for SEC seconds (0: never)\n"
    "  --frame-timeout SEC       a started frame must end within SEC seconds (60; 0 none)\n"
    "  --ack-application NAME    MSH-3 of acknowledgements (default: inbound MSH-5)\n"
    "  --ack-facility NAME       MSH-4 of acknowledgements (default: inbound MSH-6)\n"
    "  --ack-mode auto|original  answer as MSH-15/16 ask (auto), or always AA/AE/AR\n"
    "  --strict                  refuse LF separators, BOMs, empty segments, junk bytes\n"
    "  --listen [HOST:]PORT      accept connections, one process each (no super-server)\n"
    "  --max-connections N       connections served at once with --listen/Accept=no (64)\n"
    "  --max-per-source N        of those, from one address at once (0: no limit)\n"
    "  --log-target TARGET       auto, stderr, journal or syslog (auto)\n"
    "  --tls-cert FILE           TLS: PEM certificate (chain) of this server\n"
    "  --tls-key FILE            TLS: PEM private key (default: in the --tls-cert file)\n"
    "  --tls-pkcs12 FILE         TLS: certificate and key in one PKCS#12 file instead\n"
    "  --tls-password-file FILE  TLS: first line is the password of the key or PKCS#12\n"
    "  --tls-ca FILE             TLS: PEM CAs that client certificates must chain to\n"
    "  --tls-verify-client       TLS: require a client certificate (mutual TLS; needs --tls-ca)\n"
    "  --tls-crl FILE            TLS: PEM CRLs: refuse a revoked client certificate\n"
    "  --tls-handshake-timeout SEC TLS: a handshake must end within SEC seconds (10)\n"
    "  --tls-min-version V       TLS: oldest protocol version, 1.2 or 1.3 (1.2)\n"
    "  --tls-allow FILE          TLS: MSH-3/MSH-4 each client certificate (CN, SAN) may send as\n"
    "  --tls-ciphers LIST        TLS: TLS 1.2 cipher suites, OpenSSL syntax (Mozilla "
    "intermediate)\n"
    "  --tls-groups LIST         TLS: key exchange groups (X25519:P-256:P-384)\n"
    "  --dedupe WINDOW           deliver a resend (same MSH-3, -4, -10 and bytes) once per WINDOW "
    "(15m, 24h)\n"
    "  --dedupe-dir DIR          where --dedupe keeps its record (default: SPOOL/dedupe)\n"
    "  --stats FILE              count messages by answer, bytes, connections into FILE (shared)\n"
    "  --config FILE             options from FILE (name = value lines); the command line wins\n"
    "  -q, --quiet               log warnings and errors only\n"
    "  -v, --verbose             log connections and leniencies too\n"
    "  --version                 print the version and exit\n"
    "  --help                    print this help and exit\n"
    "\n"
    "See mllpd(8).\n";

/* --config FILE, and its arguments while they are applied (a bad value then names FILE:LINE, exit
 * 78). */
static const char *config_path;
static const struct optfile *config_args;

/* The largest --max-message-size (1 GiB) and --idle-timeout (a year; kept in microseconds). */
#define MLLPD_MAX_MESSAGE_MAX (1ull << 30)
#define IDLE_TIMEOUT_MAX_MS (31536000ull * 1000)

/* Where the option being applied came from, for cli_usage_error(): FILE:LINE while the --config
 * file is applied. */
static int config_where(char *buf, size_t cap)
{
	if (!config_args)
		return 0;
	snprintf(buf, cap, "%s:%zu", config_path, config_args->line[optind - 1]);
	return 1;
}

static void usage_error(const char *fmt, const char *a, const char *b)
{
	cli_usage_error(fmt, a, b);
}

enum {
	OPT_SPOOL = 256,
	OPT_NO_FSYNC,
	OPT_EXEC,
	OPT_EXEC_TIMEOUT,
	OPT_MAX_MESSAGE,
	OPT_IDLE_TIMEOUT,
	OPT_FRAME_TIMEOUT,
	OPT_ACK_APP,
	OPT_ACK_FAC,
	OPT_ACK_MODE,
	OPT_STRICT,
	OPT_LISTEN,
	OPT_MAX_CONN,
	OPT_LOG_TARGET,
	OPT_VERSION,
	OPT_HELP,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TLS_PKCS12,
	OPT_TLS_PASSWORD_FILE,
	OPT_TLS_CA,
	OPT_TLS_VERIFY_CLIENT,
	OPT_TLS_MIN_VERSION,
	OPT_TLS_ALLOW,
	OPT_CONFIG,
	OPT_DEDUPE,
	OPT_DEDUPE_DIR,
	OPT_TLS_CIPHERS,
	OPT_TLS_GROUPS,
	OPT_TLS_CRL,
	OPT_TLS_HANDSHAKE_TIMEOUT,
	OPT_MAX_PER_SOURCE,
	OPT_STATS,
};

static const struct option options[] = {
    {"spool", required_argument, NULL, OPT_SPOOL},
    {"no-fsync", no_argument, NULL, OPT_NO_FSYNC},
    {"exec", required_argument, NULL, OPT_EXEC},
    {"exec-timeout", required_argument, NULL, OPT_EXEC_TIMEOUT},
    {"max-message-size", required_argument, NULL, OPT_MAX_MESSAGE},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"frame-timeout", required_argument, NULL, OPT_FRAME_TIMEOUT},
    {"ack-application", required_argument, NULL, OPT_ACK_APP},
    {"ack-facility", required_argument, NULL, OPT_ACK_FAC},
    {"ack-mode", required_argument, NULL, OPT_ACK_MODE},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
    {"log-target", required_argument, NULL, OPT_LOG_TARGET},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"tls-pkcs12", required_argument, NULL, OPT_TLS_PKCS12},
    {"tls-password-file", required_argument, NULL, OPT_TLS_PASSWORD_FILE},
    {"tls-ca", required_argument, NULL, OPT_TLS_CA},
    {"tls-verify-client", no_argument, NULL, OPT_TLS_VERIFY_CLIENT},
    {"tls-min-version", required_argument, NULL, OPT_TLS_MIN_VERSION},
    {"tls-allow", required_argument, NULL, OPT_TLS_ALLOW},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"dedupe", required_argument, NULL, OPT_DEDUPE},
    {"dedupe-dir", required_argument, NULL, OPT_DEDUPE_DIR},
    {"tls-ciphers", required_argument, NULL, OPT_TLS_CIPHERS},
    {"tls-groups", required_argument, NULL, OPT_TLS_GROUPS},
    {"tls-crl", required_argument, NULL, OPT_TLS_CRL},
    {"tls-handshake-timeout", required_argument, NULL, OPT_TLS_HANDSHAKE_TIMEOUT},
    {"max-per-source", required_argument, NULL, OPT_MAX_PER_SOURCE},
    {"stats", required_argument, NULL, OPT_STATS},
    {NULL, 0, NULL, 0},
};

/* Options a --config file may not hold. */
static const char *const config_refused[] = {"config", "help", "version", NULL};

static void apply_options(int argc, char **argv, struct config *cfg, enum log_target *target,
			  int *verbosity)
{
	int c;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":qv", options, NULL)) != -1) {
		const char *opt = argv[optind - 1];
		switch (c) {
		case OPT_SPOOL: cfg->spool_dir = optarg; break;
		case OPT_NO_FSYNC: cfg->no_fsync = 1; break;
		case OPT_EXEC: cfg->exec_cmd = optarg; break;
		case OPT_EXEC_TIMEOUT:
			cfg->exec_timeout =
			    cli_seconds("--exec-timeout", optarg, 0, CLI_TIMEOUT_MAX_MS);
			break;
		case OPT_MAX_MESSAGE:
			cfg->max_message =
			    cli_size("--max-message-size", optarg, 16, MLLPD_MAX_MESSAGE_MAX);
			break;
		case OPT_IDLE_TIMEOUT:
			cfg->idle_timeout =
			    cli_seconds("--idle-timeout", optarg, 0, IDLE_TIMEOUT_MAX_MS);
			break;
		case OPT_FRAME_TIMEOUT:
			cfg->frame_timeout =
			    cli_seconds("--frame-timeout", optarg, 0, CLI_TIMEOUT_MAX_MS);
			break;
		case OPT_ACK_APP: cfg->ack_application = optarg; break;
		case OPT_ACK_FAC: cfg->ack_facility = optarg; break;
		case OPT_ACK_MODE:
			if (strcmp(optarg, "auto") == 0)
				cfg->ack_mode = ACK_MODE_AUTO;
			else if (strcmp(optarg, "original") == 0)
				cfg->ack_mode = ACK_MODE_ORIGINAL;
			else
				usage_error("--ack-mode: must be auto or original: %s%s", optarg,
					    "");
			break;
		case OPT_STRICT: cfg->strict = 1; break;
		case OPT_LISTEN: cfg->listen = optarg; break;
		case OPT_MAX_CONN:
			cfg->max_connections =
			    (unsigned)cli_count("--max-connections", optarg, 1, 100000);
			break;
		case OPT_LOG_TARGET:
			if (strcmp(optarg, "auto") == 0)
				*target = LOG_TARGET_AUTO;
			else if (strcmp(optarg, "stderr") == 0)
				*target = LOG_TARGET_STDERR;
			else if (strcmp(optarg, "journal") == 0)
				*target = LOG_TARGET_JOURNAL;
			else if (strcmp(optarg, "syslog") == 0)
				*target = LOG_TARGET_SYSLOG;
			else
				usage_error(
				    "--log-target: must be auto, stderr, journal or syslog: %s%s",
				    optarg, "");
			break;
		case OPT_TLS_CERT: cfg->tls_cert = optarg; break;
		case OPT_TLS_KEY: cfg->tls_key = optarg; break;
		case OPT_TLS_PKCS12: cfg->tls_pkcs12 = optarg; break;
		case OPT_TLS_PASSWORD_FILE: cfg->tls_password_file = optarg; break;
		case OPT_TLS_CA: cfg->tls_ca = optarg; break;
		case OPT_TLS_VERIFY_CLIENT: cfg->tls_verify_client = 1; break;
		case OPT_TLS_ALLOW: cfg->tls_allow = optarg; break;
		case OPT_TLS_MIN_VERSION:
			if (strcmp(optarg, "1.2") == 0)
				cfg->tls_min_version = 12;
			else if (strcmp(optarg, "1.3") == 0)
				cfg->tls_min_version = 13;
			else
				usage_error("--tls-min-version: must be 1.2 or 1.3: %s%s", optarg,
					    "");
			break;
		case OPT_CONFIG: config_path = optarg; break;
		case OPT_DEDUPE:
			if (dedupe_parse_window(optarg, &cfg->dedupe_window) < 0)
				usage_error("--dedupe: invalid window (a number with s, m, h or d, "
					    "up to 366d): %s",
					    optarg, "");
			break;
		case OPT_DEDUPE_DIR: cfg->dedupe_dir = optarg; break;
		case OPT_TLS_CIPHERS: cfg->tls_ciphers = optarg; break;
		case OPT_TLS_GROUPS: cfg->tls_groups = optarg; break;
		case OPT_TLS_CRL: cfg->tls_crl = optarg; break;
		case OPT_TLS_HANDSHAKE_TIMEOUT:
			cfg->tls_handshake_timeout =
			    cli_seconds("--tls-handshake-timeout", optarg, 0, CLI_TIMEOUT_MAX_MS);
			break;
		case OPT_MAX_PER_SOURCE:
			cfg->max_per_source =
			    (unsigned)cli_count("--max-per-source", optarg, 0, 100000);
			break;
		case OPT_STATS: cfg->stats_file = optarg; break;
		case 'q': *verbosity = -1; break;
		case 'v': *verbosity = 1; break;
		case OPT_VERSION: printf("mllpd %s\n", MLLPD_VERSION); exit(EX_OK);
		case OPT_HELP: printf("%s%s", usage_text, help_text); exit(EX_OK);
		case ':':
			fprintf(stderr, "mllpd: %s: requires a value\n%s", opt, usage_text);
			exit(EX_USAGE);
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "mllpd: unknown option: -%c\n%s", optopt,
					usage_text);
			else
				fprintf(stderr, "mllpd: unknown option: %s\n%s", opt, usage_text);
			exit(EX_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mllpd: unexpected argument: %s\n%s", argv[optind], usage_text);
		exit(EX_USAGE);
	}
}

/*
 * The command line, then the --config file's lines as --name=value
 * arguments through the same table and handler, then the command line
 * again: it wins over the file.
 */
static void parse_options(int argc, char **argv, struct config *cfg, enum log_target *target,
			  int *verbosity)
{
	cli_init("mllpd", NULL);
	cli_set_where(config_where);
	apply_options(argc, argv, cfg, target, verbosity);
	if (config_path) {
		static struct optfile args; /* the values stay in use: never freed */
		conffile_load(&args, config_path, options, config_refused, argv[0]);
		config_args = &args;
		apply_options(args.argc, args.argv, cfg, target, verbosity);
		config_args = NULL;
		apply_options(argc, argv, cfg, target, verbosity);
	}
	if (!cfg->spool_dir && !cfg->exec_cmd)
		usage_error("no sink configured: give --spool DIR and/or --exec CMD%s%s", "", "");
	/* An empty command is sh -c '': exit 0, an AA for every message delivered nowhere. */
	if (cfg->exec_cmd && cfg->exec_cmd[strspn(cfg->exec_cmd, " \t\n")] == '\0')
		usage_error(
		    "--exec: empty command (it would accept every message and deliver none)%s%s",
		    "", "");
	if (cfg->spool_dir && cfg->spool_dir[0] == '\0')
		usage_error("--spool: empty directory name%s%s", "", "");
	if (cfg->dedupe_dir && !cfg->dedupe_window)
		usage_error("--dedupe-dir: needs --dedupe WINDOW%s%s", "", "");
	if (cfg->dedupe_window && !cfg->dedupe_dir && !cfg->spool_dir)
		usage_error("--dedupe: needs --spool DIR (the record lives beside it) or "
			    "--dedupe-dir DIR%s%s",
			    "", "");
	if (cfg->tls_cert && cfg->tls_pkcs12)
		usage_error("--tls-pkcs12: not with --tls-cert%s%s", "", "");
	if (cfg->tls_key && cfg->tls_pkcs12)
		usage_error("--tls-key: not with --tls-pkcs12%s%s", "", "");
}

/* The --tls-allow file is at most this large. */
#define ALLOW_FILE_MAX (1 << 20)

/*
 * Read and parse --tls-allow FILE: the table, or NULL with the reason
 * logged after prefix ("" at start, where it is exit 78; the reload's
 * words on SIGHUP).
 */
static struct allow_table *allow_load(const char *path, const char *prefix)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(ALLOW_FILE_MAX + 1);
	size_t len = 0;
	const char *why = NULL;

	if (!f || !buf) {
		why = strerror(errno);
	} else {
		len = fread(buf, 1, ALLOW_FILE_MAX + 1, f);
		if (ferror(f))
			why = strerror(errno ? errno : EIO);
		else if (len > ALLOW_FILE_MAX)
			why = "larger than 1 MiB";
	}
	if (f)
		fclose(f);
	if (why) {
		log_line(LOG_ERR, "%s--tls-allow %s: %s", prefix, path, why);
		free(buf);
		return NULL;
	}
	struct allow_error err;
	struct allow_table *t = allow_parse(buf, len, &err);
	free(buf);
	if (!t) {
		if (err.line)
			log_line(LOG_ERR, "%s--tls-allow %s:%zu: %s", prefix, path, err.line,
				 err.reason);
		else
			log_line(LOG_ERR, "%s--tls-allow %s: %s", prefix, path, err.reason);
		return NULL;
	}
	if (allow_count(t) == 0)
		log_line(LOG_WARNING, "--tls-allow %s: no rules: every message will be refused",
			 path);
	return t;
}

/* A secret file other users may read: a warning naming it (ssh refuses; we warn, to keep serving).
 */
static void warn_exposed(const char *opt, const char *path)
{
	char why[96];
	if (path && tlsio_secret_exposed(path, why, sizeof why) == 1)
		log_line(LOG_WARNING, "%s %s: %s: chmod 600 it", opt, path, why);
}

/*
 * Read the TLS files named in cfg (password, certificate and key, CA, CRL,
 * allow list) into a new context and allow table.  0, or -1 with the
 * reason logged after prefix.  Warnings (an expired certificate, a stale
 * CRL, a secret others may read) are logged each time.
 */
static int tls_load(const struct config *cfg, const char *prefix, struct tlsio_ctx **ctx,
		    struct allow_table **allow)
{
	char password[1024], why[256];
	ssize_t plen = 0;
	*ctx = NULL;
	*allow = NULL;
	if (cfg->tls_password_file) {
		plen = tlsio_read_password(cfg->tls_password_file, password, sizeof password, why,
					   sizeof why);
		if (plen < 0) {
			log_line(LOG_ERR, "%s--tls-password-file %s: %s", prefix,
				 cfg->tls_password_file, why);
			return -1;
		}
	}
	struct tlsio_config tc = {
	    .cert_file = cfg->tls_cert,
	    .key_file = cfg->tls_key,
	    .pkcs12_file = cfg->tls_pkcs12,
	    .password = cfg->tls_password_file ? password : NULL,
	    .password_len = (size_t)plen,
	    .ca_file = cfg->tls_ca,
	    .crl_file = cfg->tls_crl,
	    .verify_peer = cfg->tls_verify_client,
	    .min_version = cfg->tls_min_version,
	    .ciphers = cfg->tls_ciphers,
	    .groups = cfg->tls_groups,
	};
	struct tlsio_report rep;
	*ctx = tlsio_ctx_new(TLSIO_SERVER, &tc, &rep);
	tlsio_cleanse(password, sizeof password);
	if (!*ctx) {
		if (rep.file)
			log_line(LOG_ERR, "%s%s %s: %s", prefix, tlsio_input_option(rep.input),
				 rep.file, rep.reason);
		else
			log_line(LOG_ERR, "%sTLS: %s", prefix, rep.reason);
		return -1;
	}
	if (rep.warning[0])
		log_line(LOG_WARNING, "%s %s: %s", cfg->tls_pkcs12 ? "--tls-pkcs12" : "--tls-cert",
			 rep.file, rep.warning);
	/* Only files that held a secret: the key (in the certificate file when no --tls-key),
	 * PKCS#12, password. */
	if (cfg->tls_pkcs12)
		warn_exposed("--tls-pkcs12", cfg->tls_pkcs12);
	else
		warn_exposed(cfg->tls_key ? "--tls-key" : "--tls-cert",
			     cfg->tls_key ? cfg->tls_key : cfg->tls_cert);
	warn_exposed("--tls-password-file", cfg->tls_password_file);
	for (size_t i = 0; i < rep.nnotes; i++)
		log_line(LOG_WARNING, "%s %s: %s", tlsio_input_option(rep.notes[i].input),
			 rep.notes[i].file, rep.notes[i].text);
	if (cfg->tls_allow && !(*allow = allow_load(cfg->tls_allow, prefix))) {
		tlsio_ctx_free(*ctx);
		*ctx = NULL;
		return -1;
	}
	return 0;
}

void mllpd_reload(struct config *cfg)
{
	struct tlsio_ctx *ctx;
	struct allow_table *allow;
	char cert[512];

	if (!cfg->tls) {
		log_line(LOG_NOTICE, "SIGHUP: nothing to reload (no TLS)");
		return;
	}
	if (tls_load(cfg, "TLS reload failed, serving with the previous files: ", &ctx, &allow) < 0)
		return;
	tlsio_ctx_free(cfg->tls);
	allow_free(cfg->allow);
	cfg->tls = ctx;
	cfg->allow = allow;
	tlsio_ctx_certificate(ctx, cert, sizeof cert);
	log_line(LOG_NOTICE, "TLS reloaded: certificate %s", cert);
}

/*
 * Find the TLS files, then load them once, before any connection or fork,
 * so a misconfiguration ends the start with exit 78 in every mode.  Files
 * not given as options are taken from systemd credentials
 * (LoadCredential=) of the same names: tls-cert, tls-key, tls-pkcs12,
 * tls-password, tls-ca, tls-crl, tls-allow.  A listener loads them again
 * on SIGHUP (mllpd_reload).
 */
static void tls_setup(struct config *cfg)
{
	static char cred[7][4096];
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	int given = cfg->tls_cert || cfg->tls_pkcs12;

	/* Sender binding needs a verified certificate on every connection. */
	if (cfg->tls_allow && !cfg->tls_verify_client) {
		log_line(LOG_ERR, "--tls-allow: needs --tls-verify-client");
		exit(EX_CONFIG);
	}
	if (!given && tlsio_credential(dir, "tls-cert", cred[0], sizeof cred[0]))
		cfg->tls_cert = cred[0];
	else if (!given && tlsio_credential(dir, "tls-pkcs12", cred[1], sizeof cred[1]))
		cfg->tls_pkcs12 = cred[1];
	if (!cfg->tls_cert && !cfg->tls_pkcs12) {
		const char *opt = cfg->tls_key		   ? "--tls-key"
				  : cfg->tls_password_file ? "--tls-password-file"
				  : cfg->tls_ca		   ? "--tls-ca"
				  : cfg->tls_verify_client ? "--tls-verify-client"
				  : cfg->tls_min_version   ? "--tls-min-version"
				  : cfg->tls_ciphers	   ? "--tls-ciphers"
				  : cfg->tls_groups	   ? "--tls-groups"
				  : cfg->tls_crl	   ? "--tls-crl"
							   : NULL;
		if (opt)
			usage_error("%s: needs --tls-cert FILE or --tls-pkcs12 FILE%s", opt, "");
		return;
	}
	if (cfg->tls_cert && !cfg->tls_key &&
	    tlsio_credential(dir, "tls-key", cred[2], sizeof cred[2]))
		cfg->tls_key = cred[2];
	if (!cfg->tls_ca && tlsio_credential(dir, "tls-ca", cred[3], sizeof cred[3]))
		cfg->tls_ca = cred[3];
	if (!cfg->tls_password_file &&
	    tlsio_credential(dir, "tls-password", cred[4], sizeof cred[4]))
		cfg->tls_password_file = cred[4];
	if (cfg->tls_verify_client && !cfg->tls_ca)
		usage_error("--tls-verify-client: needs --tls-ca FILE%s%s", "", "");
	if (cfg->tls_crl && !cfg->tls_ca)
		usage_error("--tls-crl: needs --tls-ca FILE%s%s", "", "");
	if (!cfg->tls_crl && cfg->tls_ca &&
	    tlsio_credential(dir, "tls-crl", cred[6], sizeof cred[6]))
		cfg->tls_crl = cred[6];
	if (!cfg->tls_allow && tlsio_credential(dir, "tls-allow", cred[5], sizeof cred[5])) {
		cfg->tls_allow = cred[5];
		if (!cfg->tls_verify_client) {
			log_line(LOG_ERR,
				 "--tls-allow %s (credential tls-allow): needs --tls-verify-client",
				 cred[5]);
			exit(EX_CONFIG);
		}
	}
	if (tls_load(cfg, "", &cfg->tls, &cfg->allow) < 0)
		exit(EX_CONFIG);
}

void mllpd_wake(void)
{
	int e = errno;
	if (signal_write_fd >= 0) {
		ssize_t w = write(signal_write_fd, "x", 1);
		(void)w;
	}
	errno = e;
}

static void on_terminate(int sig)
{
	(void)sig;
	mllpd_terminate = 1;
	mllpd_wake();
}

static void self_pipe(void)
{
	int p[2];
	if (mllpd_signal_fd >= 0) {
		close(mllpd_signal_fd);
		close(signal_write_fd);
	}
	mllpd_signal_fd = signal_write_fd = -1;
	if (pipe(p) < 0)
		return;
	for (int i = 0; i < 2; i++)
		fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK),
		    fcntl(p[i], F_SETFD, FD_CLOEXEC);
	mllpd_signal_fd = p[0];
	signal_write_fd = p[1];
}

static void signals_setup(void)
{
	struct sigaction sa = {.sa_handler = on_terminate};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	self_pipe();
}

void mllpd_child_setup(void)
{
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	self_pipe();
}

/* The peer of a connection on fds: from the super-server's environment, or the socket. */
static void peer_of_connection(struct peer *p, int fd)
{
	static const char *vars[][2] = {{"TCPREMOTEIP", "TCPREMOTEPORT"},
					{"REMOTE_ADDR", "REMOTE_PORT"},
					{"REMOTE_HOST", "REMOTE_PORT"},
					{"SOCAT_PEERADDR", "SOCAT_PEERPORT"}};
	/* xinetd sets REMOTE_HOST without REMOTE_PORT: the socket knows both, so an address alone
	 * comes last. */
	const char *half = NULL;
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *a = getenv(vars[i][0]), *port = getenv(vars[i][1]);
		if (a && *a && !(port && *port) && !half)
			half = a;
		if (a && *a && port && *port) {
			log_sanitise(p->addr, sizeof p->addr, a, strlen(a));
			log_sanitise(p->port, sizeof p->port, port, strlen(port));
			snprintf(p->label, sizeof p->label,
				 strchr(p->addr, ':') ? "[%s]:%s" : "%s:%s", p->addr, p->port);
			return;
		}
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	memset(&ss, 0, sizeof ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)) {
		peer_from_sockaddr(p, (struct sockaddr *)&ss);
		return;
	}
	if (half) {
		log_sanitise(p->addr, sizeof p->addr, half, strlen(half));
		p->port[0] = '\0';
		snprintf(p->label, sizeof p->label, "%s", p->addr);
		return;
	}
	p->addr[0] = p->port[0] = '\0';
	snprintf(p->label, sizeof p->label, "stdin");
}

/* Where connections are accepted, a spool that cannot be made is fatal at start. */
static void check_spool(const struct config *cfg)
{
	struct spool s;
	const char *what;
	if (cfg->spool_dir) {
		if (spool_open(&s, cfg->spool_dir, 0, &what) < 0) {
			log_line(LOG_ERR, "--spool %s: %s: %s", cfg->spool_dir, what,
				 strerror(errno));
			exit(EX_CANTCREAT);
		}
		spool_close(&s);
	}
	if (cfg->dedupe_window) {
		struct dedupe d;
		char dir[4096];
		if (dedupe_open(&d, dedupe_path(cfg, dir, sizeof dir), cfg->dedupe_window, &what) <
		    0) {
			log_line(LOG_ERR, "--dedupe: %s: %s", what, strerror(errno));
			exit(EX_CANTCREAT);
		}
		dedupe_close(&d);
	}
}

int main(int argc, char **argv)
{
	struct config cfg = {
	    .exec_timeout = 30,
	    .max_message = 16 << 20,
	    .frame_timeout = 60,
	    .ack_mode = ACK_MODE_AUTO,
	    .max_connections = 64,
	    .tls_handshake_timeout = 10,
	};
	enum log_target target = LOG_TARGET_AUTO;
	int verbosity = 0;
	int fds[16];

	parse_options(argc, argv, &cfg, &target, &verbosity);
	log_setup(target, verbosity);
	tls_setup(&cfg);
	metrics_open(&cfg);
	signals_setup();

	int n = systemd_listen_fds();
	if (n < 0) {
		log_line(LOG_ERR, "LISTEN_FDS: %s", strerror(-n));
		return EX_OSERR;
	}
	if (cfg.listen) {
		int k = listener_open(cfg.listen, fds, sizeof fds / sizeof fds[0]);
		if (k < 0)
			return k == -2 ? EX_USAGE : EX_UNAVAILABLE;
		check_spool(&cfg);
		log_line(LOG_DEBUG, "listening on %s", cfg.listen);
		int rc = listener_serve(&cfg, fds, (size_t)k, environ);
		tlsio_ctx_free(cfg.tls);
		allow_free(cfg.allow);
		return rc;
	}
	if (n > 0 && systemd_is_stream_socket(SYSTEMD_LISTEN_FDS_START, 1) > 0) {
		size_t k = 0;
		for (int i = 0; i < n && k < sizeof fds / sizeof fds[0]; i++)
			if (systemd_is_stream_socket(SYSTEMD_LISTEN_FDS_START + i, 1) > 0)
				fds[k++] = SYSTEMD_LISTEN_FDS_START + i;
		check_spool(&cfg);
		int rc = listener_serve(&cfg, fds, k, environ);
		tlsio_ctx_free(cfg.tls);
		allow_free(cfg.allow);
		return rc;
	}
	int in_fd = n > 0 ? SYSTEMD_LISTEN_FDS_START : 0,
	    out_fd = n > 0 ? SYSTEMD_LISTEN_FDS_START : 1;
	struct peer peer;
	if (n > 0)
		fcntl(in_fd, F_SETFD, FD_CLOEXEC);
	peer_of_connection(&peer, in_fd);
	int rc = conn_serve(&cfg, in_fd, out_fd, &peer, environ);
	tlsio_ctx_free(cfg.tls);
	allow_free(cfg.allow);
	return rc;
}

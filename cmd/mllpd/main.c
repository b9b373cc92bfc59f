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
#include <sysexits.h>
#include <unistd.h>

#include "allow.h"
#include "cli.h"
#include "conffile.h"
#include "dedupe.h"
#include "log.h"
#include "selfpipe.h"
#include "spool.h"
#include "systemd.h"
#include "tlsio.h"
#include "tlsopt.h"

#define MLLPD_VERSION "0.1.0"

extern char **environ;

static const char usage_text[] =
    "usage: mllpd [-qv] [--spool DIR] [--no-fsync] [--exec CMD] [--exec-timeout SEC]\n"
    "             [--max-message-size BYTES] [--idle-timeout SEC] [--frame-timeout SEC]\n"
    "             [--ack-application NAME] [--ack-facility NAME] [--ack-mode auto|original]\n"
    "             [--strict] [--listen [HOST:]PORT] [--max-connections N]\n"
    "             [--max-per-source N] [--proxy-protocol]\n"
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
    "  --proxy-protocol          each connection starts with a PROXY v1/v2 header (HAProxy)\n"
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
	OPT_PROXY_PROTOCOL,
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
    {"proxy-protocol", no_argument, NULL, OPT_PROXY_PROTOCOL},
    {"stats", required_argument, NULL, OPT_STATS},
    {NULL, 0, NULL, 0},
};

/* Options a --config file may not hold. */
static const char *const config_refused[] = {"config", "help", "version", NULL};

/* The value of an option that names one of a list: its index in names, else a usage error. */
static int one_of(const char *opt, const char *value, const char *const *names, const char *list)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	cli_usage_error("%s: must be %s: %s", opt, list, value);
}

/* Options of the sinks (--spool, --exec, --dedupe): 1 when c was one. */
static int sink_option(int c, struct config *cfg)
{
	switch (c) {
	case OPT_SPOOL: cfg->spool_dir = optarg; break;
	case OPT_NO_FSYNC: cfg->no_fsync = 1; break;
	case OPT_EXEC: cfg->exec_cmd = optarg; break;
	case OPT_EXEC_TIMEOUT:
		cfg->exec_timeout = cli_seconds("--exec-timeout", optarg, 0, CLI_TIMEOUT_MAX_MS);
		break;
	case OPT_DEDUPE:
		if (dedupe_parse_window(optarg, &cfg->dedupe_window) < 0)
			cli_usage_error("--dedupe: invalid window (a number with s, m, h or d, "
					"up to 366d): %s",
					optarg);
		break;
	case OPT_DEDUPE_DIR: cfg->dedupe_dir = optarg; break;
	default: return 0;
	}
	return 1;
}

/* Options of the connections: sizes, timeouts, answers, limits.  1 when c was one. */
static int conn_option(int c, struct config *cfg)
{
	static const char *const modes[] = {"auto", "original", NULL};
	switch (c) {
	case OPT_MAX_MESSAGE:
		cfg->max_message =
		    cli_size("--max-message-size", optarg, 16, MLLPD_MAX_MESSAGE_MAX);
		break;
	case OPT_IDLE_TIMEOUT:
		cfg->idle_timeout = cli_seconds("--idle-timeout", optarg, 0, IDLE_TIMEOUT_MAX_MS);
		break;
	case OPT_FRAME_TIMEOUT:
		cfg->frame_timeout = cli_seconds("--frame-timeout", optarg, 0, CLI_TIMEOUT_MAX_MS);
		break;
	case OPT_ACK_APP: cfg->ack_application = optarg; break;
	case OPT_ACK_FAC: cfg->ack_facility = optarg; break;
	case OPT_ACK_MODE:
		cfg->ack_mode = one_of("--ack-mode", optarg, modes, "auto or original") == 0
				    ? ACK_MODE_AUTO
				    : ACK_MODE_ORIGINAL;
		break;
	case OPT_STRICT: cfg->strict = 1; break;
	case OPT_LISTEN: cfg->listen = optarg; break;
	case OPT_MAX_CONN:
		cfg->max_connections = (unsigned)cli_count("--max-connections", optarg, 1, 100000);
		break;
	case OPT_MAX_PER_SOURCE:
		cfg->max_per_source = (unsigned)cli_count("--max-per-source", optarg, 0, 100000);
		break;
	case OPT_PROXY_PROTOCOL: cfg->proxy_protocol = 1; break;
	case OPT_STATS: cfg->stats_file = optarg; break;
	default: return 0;
	}
	return 1;
}

/* The --tls-* options: 1 when c was one. */
static int tls_option(int c, struct config *cfg)
{
	switch (c) {
	case OPT_TLS_CERT: cfg->tls_cert = optarg; break;
	case OPT_TLS_KEY: cfg->tls_key = optarg; break;
	case OPT_TLS_PKCS12: cfg->tls_pkcs12 = optarg; break;
	case OPT_TLS_PASSWORD_FILE: cfg->tls_password_file = optarg; break;
	case OPT_TLS_CA: cfg->tls_ca = optarg; break;
	case OPT_TLS_VERIFY_CLIENT: cfg->tls_verify_client = 1; break;
	case OPT_TLS_ALLOW: cfg->tls_allow = optarg; break;
	case OPT_TLS_MIN_VERSION: cfg->tls_min_version = tlsopt_min_version(optarg); break;
	case OPT_TLS_CIPHERS: cfg->tls_ciphers = optarg; break;
	case OPT_TLS_GROUPS: cfg->tls_groups = optarg; break;
	case OPT_TLS_CRL: cfg->tls_crl = optarg; break;
	case OPT_TLS_HANDSHAKE_TIMEOUT:
		cfg->tls_handshake_timeout =
		    cli_seconds("--tls-handshake-timeout", optarg, 0, CLI_TIMEOUT_MAX_MS);
		break;
	default: return 0;
	}
	return 1;
}

/* An option getopt_long() did not take (c is ':' or '?'): a usage error. */
static void bad_option(int c, const char *opt)
{
	if (c == ':')
		fprintf(stderr, "mllpd: %s: requires a value\n%s", opt, usage_text);
	else if (optopt && optopt < 256)
		fprintf(stderr, "mllpd: unknown option: -%c\n%s", optopt, usage_text);
	else
		fprintf(stderr, "mllpd: unknown option: %s\n%s", opt, usage_text);
	exit(EX_USAGE);
}

static void apply_options(int argc, char **argv, struct config *cfg, enum log_target *target,
			  int *verbosity)
{
	static const char *const targets[] = {"auto", "stderr", "journal", "syslog", NULL};
	static const enum log_target target_of[] = {LOG_TARGET_AUTO, LOG_TARGET_STDERR,
						    LOG_TARGET_JOURNAL, LOG_TARGET_SYSLOG};
	int c;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":qv", options, NULL)) != -1) {
		if (sink_option(c, cfg) || conn_option(c, cfg) || tls_option(c, cfg))
			continue;
		switch (c) {
		case OPT_LOG_TARGET:
			*target = target_of[one_of("--log-target", optarg, targets,
						   "auto, stderr, journal or syslog")];
			break;
		case OPT_CONFIG: config_path = optarg; break;
		case 'q': *verbosity = -1; break;
		case 'v': *verbosity = 1; break;
		case OPT_VERSION: printf("mllpd %s\n", MLLPD_VERSION); exit(EX_OK);
		case OPT_HELP: printf("%s%s", usage_text, help_text); exit(EX_OK);
		default: bad_option(c, argv[optind - 1]);
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
		cli_usage_error("no sink configured: give --spool DIR and/or --exec CMD");
	/* An empty command is sh -c '': exit 0, an AA for every message delivered nowhere. */
	if (cfg->exec_cmd && cfg->exec_cmd[strspn(cfg->exec_cmd, " \t\n")] == '\0')
		cli_usage_error(
		    "--exec: empty command (it would accept every message and deliver none)");
	if (cfg->spool_dir && cfg->spool_dir[0] == '\0')
		cli_usage_error("--spool: empty directory name");
	if (cfg->dedupe_dir && !cfg->dedupe_window)
		cli_usage_error("--dedupe-dir: needs --dedupe WINDOW");
	if (cfg->dedupe_window && !cfg->dedupe_dir && !cfg->spool_dir)
		cli_usage_error("--dedupe: needs --spool DIR (the record lives beside it) or "
				"--dedupe-dir DIR");
	if (cfg->tls_cert && cfg->tls_pkcs12)
		cli_usage_error("--tls-pkcs12: not with --tls-cert");
	if (cfg->tls_key && cfg->tls_pkcs12)
		cli_usage_error("--tls-key: not with --tls-pkcs12");
}

static void signals_setup(void)
{
	selfpipe_catch_stop();
	signal(SIGPIPE, SIG_IGN);
}

void mllpd_child_setup(void)
{
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	selfpipe_open();
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

/*
 * Serve as the start says: accept on --listen's sockets, or on systemd's
 * listening sockets (Accept=no); else one connection, on systemd's socket
 * (Accept=yes) or on fds 0 and 1 (inetd, tcpserver).  n: LISTEN_FDS.
 */
static int serve(struct config *cfg, int n)
{
	int fds[16];
	size_t k = 0;

	if (cfg->listen) {
		int got = listener_open(cfg->listen, fds, sizeof fds / sizeof fds[0]);
		if (got < 0)
			return got == -2 ? EX_USAGE : EX_UNAVAILABLE;
		check_spool(cfg);
		log_line(LOG_DEBUG, "listening on %s", cfg->listen);
		return listener_serve(cfg, fds, (size_t)got, environ);
	}
	if (n > 0 && systemd_is_stream_socket(SYSTEMD_LISTEN_FDS_START, 1) > 0) {
		for (int i = 0; i < n && k < sizeof fds / sizeof fds[0]; i++)
			if (systemd_is_stream_socket(SYSTEMD_LISTEN_FDS_START + i, 1) > 0)
				fds[k++] = SYSTEMD_LISTEN_FDS_START + i;
		check_spool(cfg);
		return listener_serve(cfg, fds, k, environ);
	}
	int in_fd = n > 0 ? SYSTEMD_LISTEN_FDS_START : 0,
	    out_fd = n > 0 ? SYSTEMD_LISTEN_FDS_START : 1;
	struct peer peer;
	if (n > 0)
		fcntl(in_fd, F_SETFD, FD_CLOEXEC);
	peer_of_connection(&peer, in_fd);
	return conn_serve(cfg, in_fd, out_fd, &peer, environ);
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

	parse_options(argc, argv, &cfg, &target, &verbosity);
	log_setup(target, verbosity);
	mllpd_tls_start(&cfg);
	metrics_open(&cfg);
	signals_setup();

	int n = systemd_listen_fds();
	if (n < 0) {
		log_line(LOG_ERR, "LISTEN_FDS: %s", strerror(-n));
		return EX_OSERR;
	}
	int rc = serve(&cfg, n);
	tlsio_ctx_free(cfg.tls);
	allow_free(cfg.allow);
	return rc;
}

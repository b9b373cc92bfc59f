/* SPDX-License-Identifier: MIT */
/* mllpd.h: what mllpd's main, connection loop and listener share. */
#ifndef MLLPD_MLLPD_H
#define MLLPD_MLLPD_H

#include <stddef.h>

#include "ack.h"

struct tlsio_ctx;
struct allow_table;
struct stats;

struct config {
	const char *spool_dir;
	int no_fsync;
	const char *exec_cmd;
	double exec_timeout;  /* seconds; 0: none */
	size_t max_message;   /* bytes */
	double idle_timeout;  /* seconds; 0: none */
	double frame_timeout; /* seconds; 0: none */
	const char *ack_application;
	const char *ack_facility;
	enum ack_mode ack_mode;
	int strict;
	const char *listen; /* [HOST:]PORT or NULL */
	unsigned max_connections;
	/* TLS: files as given (or found in $CREDENTIALS_DIRECTORY), and the context made from them.
	 */
	const char *tls_cert, *tls_key, *tls_pkcs12, *tls_password_file, *tls_ca;
	int tls_verify_client;
	int tls_min_version;   /* 12 or 13 */
	struct tlsio_ctx *tls; /* NULL: plain connections */
	const char *tls_allow; /* --tls-allow FILE, or NULL */
	struct allow_table
	    *allow;		/* its rules; NULL: any verified certificate may send as anyone */
	long dedupe_window;	/* --dedupe, seconds; 0: off */
	const char *dedupe_dir; /* --dedupe-dir, or NULL: SPOOL/dedupe */
	const char *tls_ciphers,
	    *tls_groups;	      /* --tls-ciphers, --tls-groups; NULL: Mozilla intermediate */
	const char *tls_crl;	      /* --tls-crl FILE (or the tls-crl credential), or NULL */
	double tls_handshake_timeout; /* seconds; 0: none */
	unsigned max_per_source; /* --max-per-source: connections from one address at once; 0: no
				    limit */
	int proxy_protocol;	 /* --proxy-protocol: a PROXY header starts each connection */
	const char *stats_file;	 /* --stats FILE, or NULL */
	struct stats *stats;	 /* its mapping (metrics.c); NULL: nothing counted */
};

/* A timeout option in milliseconds, rounded (options are at most 2147483 s: it fits an int). */
static inline int config_ms(double seconds)
{
	return (int)(seconds * 1000 + 0.5);
}

/* The directory of the --dedupe record: --dedupe-dir, else SPOOL/dedupe (in buf). */
const char *dedupe_path(const struct config *cfg, char *buf, size_t cap);

/* Who is on the other end, for logs and MLLP_REMOTE_*. */
struct peer {
	char addr[64];
	char port[16];
	char label[96]; /* "ADDR:PORT", or "stdin" */
};

/*
 * Serve one connection read from in_fd and written to out_fd until EOF,
 * SIGTERM (after the message in hand) or a timeout.  Returns an exit code
 * (sysexits).  envp is the environment to pass on to --exec commands.
 */
int conn_serve(const struct config *cfg, int in_fd, int out_fd, const struct peer *peer,
	       char **envp);

/*
 * Accept on the listening sockets and fork conn_serve() per connection;
 * on SIGHUP, mllpd_reload(cfg) between two accepts.
 */
int listener_serve(struct config *cfg, const int *fds, size_t nfds, char **envp);

/*
 * Find the TLS files (options, then systemd credentials of the same names:
 * tls-cert, tls-key, tls-pkcs12, tls-password, tls-ca, tls-crl, tls-allow)
 * and load them into cfg->tls and cfg->allow, before any connection or
 * fork, so that a misconfiguration ends the start with exit 78 in every
 * mode (64 for options that need others).  Without a certificate, nothing.
 */
void mllpd_tls_start(struct config *cfg);

/*
 * Load the TLS files of cfg again (certificate, key, CA, CRL, allow list)
 * and swap them in for the connections accepted from now on; when one
 * fails, keep the old ones.  Logged either way.
 */
void mllpd_reload(struct config *cfg);

/* Open the sockets for --listen [HOST:]PORT.  Returns the count, or -1 (logged). */
int listener_open(const char *spec, int *fds, size_t cap);

/* In a forked connection process: a self-pipe of its own (cmd/common/selfpipe), default SIGCHLD. */
void mllpd_child_setup(void);

/* Fill a peer from a socket address. */
struct sockaddr;
void peer_from_sockaddr(struct peer *p, const struct sockaddr *sa);

/* --stats FILE (metrics.c): open or create it at start; a bad file exits (logged). */
void metrics_open(struct config *cfg);
/* Count n messages answered code (ACK_NONE: none), size bytes on the wire, and resends. */
void metrics_block(const struct config *cfg, enum ack_code code, unsigned long n, size_t size,
		   unsigned long duplicates);
/* Count a connection served, or a TLS handshake that failed. */
void metrics_connection(const struct config *cfg);
void metrics_tls_refused(const struct config *cfg);

#endif

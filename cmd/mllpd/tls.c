/* SPDX-License-Identifier: MIT */
/* tls.c: mllpd's TLS files: found (options, systemd credentials), loaded at start, reloaded on
 * SIGHUP. */
#include "mllpd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "allow.h"
#include "cli.h"
#include "log.h"
#include "tlsio.h"
#include "tlsopt.h"

/* The --tls-allow file is at most this large. */
#define ALLOW_FILE_MAX (1 << 20)

/* Read at most ALLOW_FILE_MAX bytes of path into a new buffer: NULL with *why set on failure. */
static char *allow_read(const char *path, size_t *len, const char **why)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(ALLOW_FILE_MAX + 1);

	*why = NULL;
	if (!f || !buf) {
		*why = strerror(errno);
	} else {
		*len = fread(buf, 1, ALLOW_FILE_MAX + 1, f);
		if (ferror(f))
			*why = strerror(errno ? errno : EIO);
		else if (*len > ALLOW_FILE_MAX)
			*why = "larger than 1 MiB";
	}
	if (f)
		fclose(f);
	if (*why) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Read and parse --tls-allow FILE: the table, or NULL with the reason
 * logged after prefix ("" at start, where it is exit 78; the reload's
 * words on SIGHUP).
 */
static struct allow_table *allow_load(const char *path, const char *prefix)
{
	size_t len = 0;
	const char *why;
	char *buf = allow_read(path, &len, &why);

	if (!buf) {
		log_line(LOG_ERR, "%s--tls-allow %s: %s", prefix, path, why);
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

/* The warnings of a context just made: its certificate, the files that hold a secret, notes. */
static void tls_warnings(const struct config *cfg, const struct tlsio_config *tc,
			 const struct tlsio_report *rep)
{
	char line[600];
	if (tlsopt_warning(tc, rep, line, sizeof line))
		log_line(LOG_WARNING, "%s", line);
	/* Only files that held a secret: the key (in the certificate file when no --tls-key),
	 * PKCS#12, password. */
	if (cfg->tls_pkcs12)
		warn_exposed("--tls-pkcs12", cfg->tls_pkcs12);
	else
		warn_exposed(cfg->tls_key ? "--tls-key" : "--tls-cert",
			     cfg->tls_key ? cfg->tls_key : cfg->tls_cert);
	warn_exposed("--tls-password-file", cfg->tls_password_file);
	for (size_t i = 0; i < rep->nnotes; i++)
		log_line(LOG_WARNING, "%s %s: %s", tlsio_input_option(rep->notes[i].input),
			 rep->notes[i].file, rep->notes[i].text);
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
	struct tlsio_config tc = {
	    .cert_file = cfg->tls_cert,
	    .key_file = cfg->tls_key,
	    .pkcs12_file = cfg->tls_pkcs12,
	    .ca_file = cfg->tls_ca,
	    .crl_file = cfg->tls_crl,
	    .verify_peer = cfg->tls_verify_client,
	    .min_version = cfg->tls_min_version,
	    .ciphers = cfg->tls_ciphers,
	    .groups = cfg->tls_groups,
	};
	struct tlsio_report rep;
	char err[600];

	*allow = NULL;
	*ctx = tlsopt_ctx(TLSIO_SERVER, &tc, cfg->tls_password_file, &rep, err, sizeof err);
	if (!*ctx) {
		log_line(LOG_ERR, "%s%s", prefix, err);
		return -1;
	}
	tls_warnings(cfg, &tc, &rep);
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

/* A TLS option given without a certificate: the first one, or NULL. */
static const char *tls_option_alone(const struct config *cfg)
{
	return cfg->tls_key		? "--tls-key"
	       : cfg->tls_password_file ? "--tls-password-file"
	       : cfg->tls_ca		? "--tls-ca"
	       : cfg->tls_verify_client ? "--tls-verify-client"
	       : cfg->tls_min_version	? "--tls-min-version"
	       : cfg->tls_ciphers	? "--tls-ciphers"
	       : cfg->tls_groups	? "--tls-groups"
	       : cfg->tls_crl		? "--tls-crl"
					: NULL;
}

/* The systemd credentials (LoadCredential=) of the files the options left out. */
static void tls_credentials(struct config *cfg, const char *dir)
{
	static char cred[5][4096];

	if (cfg->tls_cert && !cfg->tls_key &&
	    tlsio_credential(dir, "tls-key", cred[0], sizeof cred[0]))
		cfg->tls_key = cred[0];
	if (!cfg->tls_ca && tlsio_credential(dir, "tls-ca", cred[1], sizeof cred[1]))
		cfg->tls_ca = cred[1];
	if (!cfg->tls_password_file &&
	    tlsio_credential(dir, "tls-password", cred[2], sizeof cred[2]))
		cfg->tls_password_file = cred[2];
	if (cfg->tls_verify_client && !cfg->tls_ca)
		cli_usage_error("--tls-verify-client: needs --tls-ca FILE");
	if (cfg->tls_crl && !cfg->tls_ca)
		cli_usage_error("--tls-crl: needs --tls-ca FILE");
	if (!cfg->tls_crl && cfg->tls_ca &&
	    tlsio_credential(dir, "tls-crl", cred[3], sizeof cred[3]))
		cfg->tls_crl = cred[3];
	if (!cfg->tls_allow && tlsio_credential(dir, "tls-allow", cred[4], sizeof cred[4])) {
		cfg->tls_allow = cred[4];
		if (!cfg->tls_verify_client) {
			log_line(LOG_ERR,
				 "--tls-allow %s (credential tls-allow): needs --tls-verify-client",
				 cred[4]);
			exit(EX_CONFIG);
		}
	}
}

void mllpd_tls_start(struct config *cfg)
{
	static char cred[2][4096];
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
		const char *opt = tls_option_alone(cfg);
		if (opt)
			cli_usage_error("%s: needs --tls-cert FILE or --tls-pkcs12 FILE", opt);
		return;
	}
	tls_credentials(cfg, dir);
	if (tls_load(cfg, "", &cfg->tls, &cfg->allow) < 0)
		exit(EX_CONFIG);
}

/* SPDX-License-Identifier: MIT */
/* tlsopt.c: the TLS options mllpd and mllp-send share, read once here for both. */
#include "tlsopt.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

int tlsopt_min_version(const char *value)
{
	if (strcmp(value, "1.2") == 0)
		return 12;
	if (strcmp(value, "1.3") == 0)
		return 13;
	cli_usage_error("--tls-min-version: must be 1.2 or 1.3: %s", value);
}

struct tlsio_ctx *tlsopt_ctx(enum tlsio_role role, const struct tlsio_config *tc,
			     const char *password_file, struct tlsio_report *rep, char *err,
			     size_t errcap)
{
	char password[1024], why[256];
	struct tlsio_config with = *tc;

	if (password_file) {
		ssize_t plen =
		    tlsio_read_password(password_file, password, sizeof password, why, sizeof why);
		if (plen < 0) {
			snprintf(err, errcap, "--tls-password-file %s: %s", password_file, why);
			return NULL;
		}
		with.password = password;
		with.password_len = (size_t)plen;
	}
	struct tlsio_ctx *ctx = tlsio_ctx_new(role, &with, rep);
	tlsio_cleanse(password, sizeof password);
	if (ctx)
		return ctx;
	if (rep->file)
		snprintf(err, errcap, "%s %s: %s", tlsio_input_option(rep->input), rep->file,
			 rep->reason);
	else
		snprintf(err, errcap, "TLS: %s", rep->reason);
	return NULL;
}

int tlsopt_warning(const struct tlsio_config *tc, const struct tlsio_report *rep, char *buf,
		   size_t cap)
{
	if (!rep->warning[0]) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	snprintf(buf, cap, "%s %s: %s", tc->pkcs12_file ? "--tls-pkcs12" : "--tls-cert", rep->file,
		 rep->warning);
	return 1;
}

/* SPDX-License-Identifier: MIT */
/* tlsopt.h: the TLS options mllpd and mllp-send share: --tls-min-version, and a context made from
 * the files named (lib/tlsio). */
#ifndef MLLP_TLSOPT_H
#define MLLP_TLSOPT_H

#include <stddef.h>

#include "tlsio.h"

/* --tls-min-version VALUE: 12 for "1.2", 13 for "1.3"; anything else is a usage error. */
int tlsopt_min_version(const char *value);

/*
 * A context for role from tc, with the first line of password_file (when
 * not NULL) as the password of the key or PKCS#12, wiped once used.
 * Returns the context (rep then holds its warnings), or NULL with one line
 * in err naming what failed: "--tls-password-file FILE: why",
 * "--tls-cert FILE: reason" (the option of the input at fault), or
 * "TLS: reason".
 */
struct tlsio_ctx *tlsopt_ctx(enum tlsio_role role, const struct tlsio_config *tc,
			     const char *password_file, struct tlsio_report *rep, char *err,
			     size_t errcap);

/*
 * The warning about the context's own certificate (an expired one), as
 * "--tls-cert FILE: warning" (--tls-pkcs12 when that holds it) into buf:
 * 1, or 0 (buf empty) when rep has none.
 */
int tlsopt_warning(const struct tlsio_config *tc, const struct tlsio_report *rep, char *buf,
		   size_t cap);

#endif

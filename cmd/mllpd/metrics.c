/* SPDX-License-Identifier: MIT */
/* metrics.c: mllpd --stats FILE: what mllpd counts into the shared file (lib/stats). */
#include "mllpd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "log.h"
#include "stats.h"

_Static_assert((int)STATS_ACK_NONE == (int)ACK_NONE && (int)STATS_ACK_AA == (int)ACK_AA &&
		   (int)STATS_ACK_CR == (int)ACK_CR,
	       "the answer counters are indexed by enum ack_code");

/* One mapping per process, made before any fork: --listen children inherit it. */
static struct stats mapping;

void metrics_open(struct config *cfg)
{
	if (!cfg->stats_file)
		return;
	enum stats_error e = stats_open(&mapping, cfg->stats_file, STATS_CREATE);
	if (e == STATS_ERR_SYSTEM) {
		log_line(LOG_ERR, "--stats %s: %s", cfg->stats_file, strerror(errno));
		exit(errno == ENOENT || errno == EACCES ? EX_CANTCREAT : EX_OSERR);
	}
	if (e != STATS_OK) {
		log_line(LOG_ERR, "--stats %s: %s: refusing to use it", cfg->stats_file,
			 stats_error_text(e));
		exit(EX_CONFIG);
	}
	cfg->stats = &mapping;
}

void metrics_block(const struct config *cfg, enum ack_code code, unsigned long n, size_t size,
		   unsigned long duplicates)
{
	if (!cfg->stats)
		return;
	if (n)
		stats_add(cfg->stats, (enum stats_counter)code, n);
	if (size)
		stats_add(cfg->stats, STATS_BYTES, size);
	if (duplicates)
		stats_add(cfg->stats, STATS_DUPLICATES, duplicates);
}

void metrics_connection(const struct config *cfg)
{
	stats_add(cfg->stats, STATS_CONNECTIONS, 1);
}

void metrics_tls_refused(const struct config *cfg)
{
	stats_add(cfg->stats, STATS_TLS_REFUSED, 1);
}

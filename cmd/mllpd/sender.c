/* SPDX-License-Identifier: MIT */
/* sender.c: the pipeline's sender check: --tls-allow against every sender a block claims. */
#include "block.h"

#include "allow.h"
#include "log.h"

/* May the connection's certificate send as application app, facility fac (whole fields, raw)? */
static int sender_permitted(const struct receiver *r, struct hl7_span app, struct hl7_span fac,
			    const struct hl7_delims *d)
{
	return allow_sender_permits(r->cfg->allow, r->allow_names, app, fac, d);
}

/* The refusal's log line: the peer, the certificate and the sender it claimed (sanitised; no
 * content). */
static void log_not_allowed(const struct receiver *r, struct hl7_span app, struct hl7_span fac)
{
	char a[264], f[264];
	log_sanitise(a, sizeof a, app.p, app.len);
	log_sanitise(f, sizeof f, fac.p, fac.len);
	/* The subject is RFC 2253 text (printable ASCII); quotes inside are escaped by it. */
	log_line(LOG_WARNING,
		 "%s: not authorised for this sender: tls_peer=\"%s\" sending_application=%s "
		 "sending_facility=%s",
		 r->peer->label, r->tls_peer, a, f);
}

static void refuse_sender(struct outcome *o)
{
	outcome_fail(o, ACK_OUTCOME_REJECT, 207, "not authorised for this sender");
}

/* A message's own checks: hl7_parse() and --tls-allow (not logged).  0 when it passes, else the
 * refusal in *o. */
int sender_check_message(const struct receiver *r, struct hl7_msg *m, struct hl7_span p,
			 struct outcome *o)
{
	enum hl7_status status = hl7_parse(m, p.p, p.len, r->cfg->strict ? HL7_PARSE_STRICT : 0);
	if (status != HL7_OK) {
		outcome_fail(o, ACK_OUTCOME_REJECT, hl7_status_code(status), "%s",
			     hl7_status_text(status));
		return -1;
	}
	struct hl7_span app = hl7_msh(m, 3, 0), fac = hl7_msh(m, 4, 0);
	if (r->cfg->allow && !sender_permitted(r, app, fac, &m->d)) {
		refuse_sender(o);
		return -1;
	}
	return 0;
}

/* A batch's headers (every FHS and BHS) claim senders too: each must be permitted.  0, or -1
 * (logged). */
static int check_headers(const struct receiver *r, struct block *k)
{
	size_t cursor = 0;
	enum hl7_batch_kind kind;
	struct hl7_span piece, app, fac;

	if (!r->cfg->allow)
		return 0;
	while (hl7_batch_next(&k->b, &cursor, &kind, &piece)) {
		if (kind != HL7_BATCH_FHS && kind != HL7_BATCH_BHS)
			continue;
		hl7_batch_field(&k->b, piece, 3, &app);
		hl7_batch_field(&k->b, piece, 4, &fac);
		if (app.len == 0 && fac.len == 0)
			continue; /* a header that names no sender claims none */
		if (!sender_permitted(r, app, fac, &k->b.d)) {
			log_not_allowed(r, app, fac);
			return -1;
		}
	}
	return 0;
}

/*
 * --tls-allow: every sender the block claims (a message's MSH-3/4; a
 * batch's FHS-3/4, each BHS-3/4 and each message's MSH-3/4) must be
 * permitted.  A refused header refuses the whole batch; a refused message
 * is one of the batch's refused messages.  Each refusal is logged.
 */
void sender_check_block(struct receiver *r, struct block *k)
{
	if (r->cfg->allow && k->o.what == ACK_OUTCOME_ACCEPT) {
		if (!k->batch) {
			struct hl7_span app = hl7_msh(&k->m, 3, 0), fac = hl7_msh(&k->m, 4, 0);
			if (!sender_permitted(r, app, fac, &k->m.d)) {
				log_not_allowed(r, app, fac);
				refuse_sender(&k->o);
			}
			return;
		}
		if (check_headers(r, k) < 0) {
			refuse_sender(&k->o);
			return;
		}
		size_t cursor = 0;
		enum hl7_batch_kind kind;
		struct hl7_span piece;
		struct hl7_msg m;
		while (hl7_batch_next(&k->b, &cursor, &kind, &piece)) {
			if (kind != HL7_BATCH_MESSAGE ||
			    hl7_parse(&m, piece.p, piece.len,
				      r->cfg->strict ? HL7_PARSE_STRICT : 0))
				continue; /* a message refused by validation is counted already */
			struct hl7_span app = hl7_msh(&m, 3, 0), fac = hl7_msh(&m, 4, 0);
			if (!sender_permitted(r, app, fac, &m.d)) {
				log_not_allowed(r, app, fac);
				k->refused++;
			}
		}
	}
	/* Every message of a batch passes its checks, or none is delivered. */
	if (k->refused && k->o.what == ACK_OUTCOME_ACCEPT) {
		outcome_fail(&k->o, ACK_OUTCOME_ERROR, 207,
			     "not delivered: %zu message%s of the batch refused", k->refused,
			     k->refused == 1 ? "" : "s");
		outcome_sink(&k->o, "none");
	}
}

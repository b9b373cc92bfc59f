/* SPDX-License-Identifier: MIT */
/* pub.c: one connection to a NATS cluster and one message published to JetStream, its PubAck
 * awaited and its failure classed as temporary or a refusal. */
#include "mllp-nats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl7.h"
#include "monotime.h"
#include "natsname.h"
#include "sha256.h"

int pub_lookup(void *ctx, enum natsname_ref kind, const char *name, size_t len,
	       struct hl7_span *val)
{
	const struct hl7_msg *m = ctx;
	struct hl7_path path;
	char var[256];

	val->p = "";
	val->len = 0;
	if (kind == NATSNAME_ENV) {
		const char *v = NULL;

		if (len < sizeof var) {
			memcpy(var, name, len);
			var[len] = 0;
			v = getenv(var);
		}
		if (v) {
			val->p = v;
			val->len = strlen(v);
		}
		return 0;
	}
	if (hl7_path_parse(name, len, &path) < 0)
		return -1;
	if (m && m->has_delims && !hl7_get(m, &path, val)) {
		val->p = "";
		val->len = 0;
	}
	return 0;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	while (ms > 0 && nanosleep(&ts, &ts) < 0)
		;
}

static void set_why(char *why, size_t cap, natsStatus s)
{
	const char *last = nats_GetLastError(NULL);

	snprintf(why, cap, "%s", last && *last ? last : natsStatus_GetText(s));
}

static int make_options(struct pub *p, const struct config *cfg, int forever)
{
	natsStatus s = natsOptions_Create(&p->opts);

	if (s == NATS_OK)
		s = natsOptions_SetServers(p->opts, (const char **)cfg->servers, cfg->nservers);
	if (s == NATS_OK)
		s = natsOptions_SetName(p->opts, "mllp-nats");
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(p->opts, cfg->timeout_ms);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(p->opts, 100);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(p->opts, forever ? -1 : 60);
	return s == NATS_OK ? 0 : -1;
}

int pub_connect(struct pub *p, const struct config *cfg, int forever, char *why, size_t cap)
{
	long long deadline = monotime_ms() + cfg->timeout_ms;
	natsStatus s;
	jsOptions jo;

	memset(p, 0, sizeof *p);
	p->cfg = cfg;
	if (make_options(p, cfg, forever) < 0) {
		snprintf(why, cap, "cannot set the connection's options");
		return -1;
	}
	while ((s = natsConnection_Connect(&p->nc, p->opts)) != NATS_OK) {
		set_why(why, cap, s);
		if (monotime_ms() + 100 >= deadline)
			return -1;
		sleep_ms(100);
	}
	jsOptions_Init(&jo);
	jo.Wait = cfg->timeout_ms;
	if ((s = natsConnection_JetStream(&p->js, p->nc, &jo)) != NATS_OK) {
		set_why(why, cap, s);
		return -1;
	}
	return 0;
}

void pub_close(struct pub *p)
{
	jsCtx_Destroy(p->js);
	natsConnection_Destroy(p->nc);
	natsOptions_Destroy(p->opts);
	memset(p, 0, sizeof *p);
}

/* An error in a PubAck that will pass: the cluster has no leader or no room for the moment. */
static int temporary_code(jsErrCode e)
{
	return e == 0 || e == JSClusterNotAvailErr || e == JSClusterNotLeaderErr ||
	       e == JSInsufficientResourcesErr || e == JSStreamStoreFailedErr ||
	       e == JSStreamNotFoundErr || e == JSNotEnabledErr || e == JSNotEnabledForAccountErr;
}

/* The message's subject and ID; -1 when the subject does not fit. */
static int name_message(const char *tmpl, const char *data, size_t len, char *subject, char *id)
{
	struct hl7_msg m;
	struct hl7_span f[3] = {{"", 0}, {"", 0}, {"", 0}};
	unsigned char d[SHA256_LEN];
	size_t slen;

	memset(&m, 0, sizeof m);
	hl7_parse(&m, data, len, 0);
	if (m.has_field_separator) {
		f[0] = hl7_msh(&m, 3, 0);
		f[1] = hl7_msh(&m, 4, 0);
		f[2] = hl7_msh(&m, 10, 0);
	}
	sha256_digest(data, len, d);
	natsname_msgid(id, NATSNAME_MSGID_MAX + 1, f, d);
	return natsname_expand(subject, NATSNAME_SUBJECT_MAX + 1, tmpl, pub_lookup, &m, &slen) ==
		       NATSNAME_OK
		   ? 0
		   : -1;
}

/* One attempt's failure: a refusal, or temporary. */
static enum pub_result classify(natsStatus s, jsErrCode e, const char *id, char *why, size_t cap)
{
	const char *last = nats_GetLastError(NULL);
	const char *text = last && *last ? last : natsStatus_GetText(s);

	if (s == NATS_MAX_PAYLOAD || (s == NATS_ERR && !temporary_code(e))) {
		snprintf(why, cap, "%s: refused: %s", id, text);
		return PUB_REFUSED;
	}
	snprintf(why, cap, "%s: %s", id,
		 s == NATS_NO_RESPONDERS ? "no responders (no stream "
					   "leader for the subject)"
					 : text);
	return PUB_TEMPFAIL;
}

/*
 * Wait until the connection is up, or deadline: 0, or -1.  While libnats reconnects it keeps a
 * publish in its reconnect buffer, so a PubAck could only time out ("Timeout" said nothing of
 * the lost server) and the message would go out later on its own.
 */
static int wait_connected(struct pub *p, long long deadline)
{
	long long left;

	while (natsConnection_Status(p->nc) != NATS_CONN_STATUS_CONNECTED) {
		if ((left = deadline - monotime_ms()) <= 0)
			return -1;
		sleep_ms(left < 50 ? left : 50);
	}
	return 0;
}

enum pub_result pub_message(struct pub *p, const char *data, size_t len, int *duplicate, char *why,
			    size_t cap)
{
	char subject[NATSNAME_SUBJECT_MAX + 1], id[NATSNAME_MSGID_MAX + 1];
	long long deadline = monotime_ms() + p->cfg->timeout_ms, left;
	enum pub_result r;

	*duplicate = 0;
	if (name_message(p->cfg->subject, data, len, subject, id) < 0) {
		snprintf(why, cap, "%s: refused: the subject is longer than %d bytes", id,
			 NATSNAME_SUBJECT_MAX);
		return PUB_REFUSED;
	}
	do {
		jsPubOptions po;
		jsPubAck *pa = NULL;
		jsErrCode e = 0;
		long long t0 = monotime_ms();

		if (wait_connected(p, deadline) < 0) {
			snprintf(why, cap, "%s: not connected to a server, %s", id,
				 natsConnection_IsClosed(p->nc) ? "no longer reconnecting"
								: "reconnecting");
			return PUB_TEMPFAIL;
		}
		jsPubOptions_Init(&po);
		po.MsgId = id;
		po.MaxWait = deadline - t0 > 0 ? deadline - t0 : 1;
		natsStatus s = js_Publish(&pa, p->js, subject, data, (int)len, &po, &e);
		if (s == NATS_OK) {
			*duplicate = pa->Duplicate;
			jsPubAck_Destroy(pa);
			return PUB_OK;
		}
		if ((r = classify(s, e, id, why, cap)) == PUB_REFUSED)
			return r;
		/* No responders comes back at once: wait a little for an election. */
		left = deadline - monotime_ms();
		if (left > 0 && monotime_ms() - t0 < 100)
			sleep_ms(left < 200 ? left : 200);
		left = deadline - monotime_ms();
	} while (left > 0);
	return PUB_TEMPFAIL;
}

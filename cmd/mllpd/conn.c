/* SPDX-License-Identifier: MIT */
/* conn.c: the per-connection loop: read frames, validate, deliver, acknowledge, log. */
#include "mllpd.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "allow.h"
#include "batch.h"
#include "dedupe.h"
#include "exec.h"
#include "io.h"
#include "hl7.h"
#include "log.h"
#include "mllp.h"
#include "spool.h"
#include "tlsio.h"

/* journald MESSAGE_IDs, one per event kind. */
#define MSGID_MESSAGE "7b0c4f3d2a6e4e1f9d8a5b6c7d8e9f01"
#define MSGID_CONNECTION "7b0c4f3d2a6e4e1f9d8a5b6c7d8e9f02"

#define READ_CHUNK 65536
/* The frame buffer starts at this size and doubles as frames need, up to --max-message-size. */
#define FRAME_BUF_START 65536
#define EXEC_OUT_MAX (1024 * 1024)

struct conn {
	const struct config *cfg;
	const struct peer *peer;
	char **envp;
	int in_fd, out_fd;
	struct mllp_framer framer;
	char *frame_buf;
	char *out;              /* framed answers not yet written */
	size_t out_len, out_cap;
	int batch;              /* sinks are fast: write answers once per read */
	int read_waits;         /* between frames, read() itself waits: no poll() (see direct_read_setup) */
	char *exec_out;
	struct exec_cmd exec;   /* --exec CMD, split with exec_out's allocation */
	struct spool spool;
	int spool_ok;
	struct dedupe dedupe;   /* --dedupe: the shared record, opened on first use */
	int dedupe_ok;
	unsigned long long duplicates;
	unsigned long seq;      /* answers sent, for fresh control IDs */
	unsigned long pid;
	unsigned long long messages, bytes_in, bytes_out;
	int gone;               /* the peer stopped reading */
	struct tlsio_conn *tls; /* NULL: plain fds, read(2) and write(2) as ever */
	char tls_peer[512];     /* client certificate subject (mutual TLS), or empty */
	char *allow_names;      /* with --tls-allow: the certificate's identities (tlsio_peer_names); NULL: none */
};

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Room after the pending answers for a framed answer of n bytes. */
static int out_reserve(struct conn *c, size_t n)
{
	if (c->out_len + n <= c->out_cap)
		return 0;
	char *p = realloc(c->out, c->out_len + n);
	if (!p)
		return -1;
	c->out = p;
	c->out_cap = c->out_len + n;
	return 0;
}

/* Where the next answer is built: after its start byte. */
static char *ack_slot(struct conn *c)
{
	return c->out + c->out_len + 1;
}

static size_t ack_slot_room(const struct conn *c)
{
	return c->out_cap - c->out_len > 3 ? c->out_cap - c->out_len - 3 : 0;
}

/* The I/O seam: one branch on the plain path, no OpenSSL call. */
static ssize_t conn_read(struct conn *c, void *buf, size_t len)
{
	if (c->tls)
		return tlsio_read(c->tls, buf, len);
	return read(c->in_fd, buf, len);
}

static int conn_write(struct conn *c, const char *p, size_t n)
{
	if (c->tls)
		return tlsio_write(c->tls, p, n, -1) < 0 ? -1 : 0;
	return io_write_all(c->out_fd, p, n);
}

static void flush(struct conn *c)
{
	if (c->out_len == 0 || c->gone)
		return;
	if (conn_write(c, c->out, c->out_len) < 0) {
		log_line(LOG_WARNING, "%s: cannot send the acknowledgement: %s", c->peer->label, strerror(errno));
		c->gone = 1;
	}
	c->bytes_out += c->out_len;
	c->out_len = 0;
}

/* Frame the answer built in the slot; it is written at once unless answers are batched. */
static void send_frame(struct conn *c, size_t ack_len)
{
	char *f = c->out + c->out_len;
	f[0] = MLLP_START;
	f[ack_len + 1] = MLLP_END;
	f[ack_len + 2] = MLLP_CR;
	c->out_len += ack_len + 3;
	if (!c->batch || c->out_len >= 65536)
		flush(c);
}

/*
 * What --exec is told of a block: a message's MSH fields, or a batch's
 * header fields (HL7_BATCH=1; see batch_fields()).
 */
struct block_fields {
	struct hl7_span control_id, type, code, trigger, version, processing;
	struct hl7_span sending_app, sending_fac, receiving_app, receiving_fac;
	int batch;
	char batch_messages[24];
};

static void message_fields(struct block_fields *f, const struct hl7_msg *m)
{
	memset(f, 0, sizeof *f);
	f->control_id = hl7_msh(m, 10, 0);
	f->type = hl7_msh(m, 9, 0);
	f->code = hl7_msh(m, 9, 1);
	f->trigger = hl7_msh(m, 9, 2);
	f->version = hl7_msh(m, 12, 0);
	f->processing = hl7_msh(m, 11, 0);
	f->sending_app = hl7_msh(m, 3, 1);
	f->sending_fac = hl7_msh(m, 4, 1);
	f->receiving_app = hl7_msh(m, 5, 1);
	f->receiving_fac = hl7_msh(m, 6, 1);
}

/* The first component of a header field (up to a component or repetition separator). */
static struct hl7_span first_component(const struct hl7_batch *b, struct hl7_span s)
{
	size_t i = 0;
	while (i < s.len && s.p[i] != b->d.component && s.p[i] != b->d.repetition)
		i++;
	s.len = i;
	return s;
}

/* A batch: the header's sender, receiver and control ID (BHS, else FHS); no message type. */
static void batch_fields(struct block_fields *f, const struct hl7_batch *b)
{
	struct hl7_span h = b->bhs.len ? b->bhs : b->fhs, v;
	memset(f, 0, sizeof *f);
	hl7_batch_field(b, h, 11, &f->control_id);
	hl7_batch_field(b, h, 3, &v);
	f->sending_app = first_component(b, v);
	hl7_batch_field(b, h, 4, &v);
	f->sending_fac = first_component(b, v);
	hl7_batch_field(b, h, 5, &v);
	f->receiving_app = first_component(b, v);
	hl7_batch_field(b, h, 6, &v);
	f->receiving_fac = first_component(b, v);
	f->batch = 1;
	snprintf(f->batch_messages, sizeof f->batch_messages, "%zu", b->messages);
}

/* Environment for --exec: the base environment plus the block's fields. */
static char **exec_environment(struct conn *c, const struct block_fields *f, const char *spool_file)
{
	struct {
		const char *key;
		struct hl7_span v;
	} vars[] = {
		{"HL7_CONTROL_ID", f->control_id},
		{"HL7_MESSAGE_TYPE", f->type},
		{"HL7_MESSAGE_CODE", f->code},
		{"HL7_TRIGGER_EVENT", f->trigger},
		{"HL7_VERSION", f->version},
		{"HL7_PROCESSING_ID", f->processing},
		{"HL7_SENDING_APPLICATION", f->sending_app},
		{"HL7_SENDING_FACILITY", f->sending_fac},
		{"HL7_RECEIVING_APPLICATION", f->receiving_app},
		{"HL7_RECEIVING_FACILITY", f->receiving_fac},
		{"HL7_BATCH", {f->batch ? "1" : NULL, f->batch ? 1 : 0}},
		{"HL7_BATCH_MESSAGES", {f->batch ? f->batch_messages : NULL, f->batch ? strlen(f->batch_messages) : 0}},
		{"MLLP_REMOTE_ADDR", {c->peer->addr, strlen(c->peer->addr)}},
		{"MLLP_REMOTE_PORT", {c->peer->port, strlen(c->peer->port)}},
		{"MLLP_SPOOL_FILE", {spool_file, spool_file ? strlen(spool_file) : 0}},
		{"MLLP_TLS_PEER", {c->tls_peer[0] ? c->tls_peer : NULL, strlen(c->tls_peer)}},
	};
	size_t nvars = sizeof vars / sizeof vars[0], nbase = 0, bytes = 0;

	while (c->envp[nbase])
		nbase++;
	for (size_t i = 0; i < nvars; i++)
		bytes += strlen(vars[i].key) + vars[i].v.len + 2;
	char **env = malloc((nbase + nvars + 1) * sizeof *env + bytes);
	if (!env)
		return NULL;
	char *p = (char *)(env + nbase + nvars + 1);
	size_t n = 0;
	for (size_t i = 0; i < nbase; i++)
		env[n++] = c->envp[i];
	for (size_t i = 0; i < nvars; i++) {
		/* Absent, not empty: the spool file, the TLS peer and the batch variables. */
		if (vars[i].v.p == NULL &&
		    (strcmp(vars[i].key, "MLLP_SPOOL_FILE") == 0 || strcmp(vars[i].key, "MLLP_TLS_PEER") == 0 ||
		     strncmp(vars[i].key, "HL7_BATCH", 9) == 0))
			continue;
		size_t kl = strlen(vars[i].key);
		env[n++] = p;
		memcpy(p, vars[i].key, kl);
		p[kl] = '=';
		if (vars[i].v.len)
			memcpy(p + kl + 1, vars[i].v.p, vars[i].v.len);
		p[kl + 1 + vars[i].v.len] = '\0';
		/* A NUL inside a field simply ends the value. */
		p += kl + vars[i].v.len + 2;
	}
	env[n] = NULL;
	return env;
}

/* A message the command printed, with separators made \r, in c->out after the
 * start byte.  Returns its length, or 0 when the output is not a message. */
static size_t take_printed_ack(struct conn *c, const char *p, size_t n)
{
	if (n < 3 || memcmp(p, "MSH", 3) != 0 || out_reserve(c, n + 4) < 0)
		return 0;
	char *d = ack_slot(c);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			if (o > 0 && d[o - 1] != '\r')
				d[o++] = '\r';
		} else {
			d[o++] = p[i];
		}
	}
	if (o > 0 && d[o - 1] != '\r')
		d[o++] = '\r';
	return o;
}

/* MSA-1 of an acknowledgement, as an ack_code (ACK_NONE when unknown). */
static enum ack_code printed_ack_code(const char *p, size_t n)
{
	static const char *names[] = {"", "AA", "AE", "AR", "CA", "CE", "CR"};
	struct hl7_msg m;
	struct hl7_span seg, code;
	size_t cur = 0;

	hl7_parse(&m, p, n, 0);
	if (!m.has_delims)
		return ACK_NONE;
	while (hl7_segment_next(&m, &cur, &seg)) {
		if (seg.len >= 3 && memcmp(seg.p, "MSA", 3) == 0) {
			hl7_field(&m, seg, 1, &code);
			for (int k = 1; k <= 6; k++)
				if (hl7_span_eq(code, names[k]))
					return (enum ack_code)k;
			return ACK_NONE;
		}
	}
	return ACK_NONE;
}

struct outcome {
	enum ack_outcome what;
	int err_code;
	char err_text[160];
	char sink[160];
	size_t printed_len; /* a command's own ACK, in ack_slot() */
};

static void sink_note(struct outcome *o, const char *fmt, const char *a, const char *b)
{
	size_t used = strlen(o->sink);
	snprintf(o->sink + used, sizeof o->sink - used, fmt, used ? "," : "", a, b);
}

static void fail(struct outcome *o, enum ack_outcome what, const char *fmt, const char *a, const char *b)
{
	o->what = what;
	o->err_code = 207;
	snprintf(o->err_text, sizeof o->err_text, fmt, a, b);
}

/* Open the spool on first use (0), or -1 with errno and *what as spool_open() sets them. */
static int spool_ready(struct conn *c, const char **what)
{
	if (c->spool_ok)
		return 0;
	if (spool_open(&c->spool, c->cfg->spool_dir, c->cfg->no_fsync ? SPOOL_NO_FSYNC : 0, what) < 0)
		return -1;
	c->spool_ok = 1;
	spool_clean_tmp(&c->spool, SPOOL_TMP_MAX_AGE); /* maildir: a crash's tmp/ leftovers, after 36 h */
	return 0;
}

/* Deliver a message (m) or a batch (b; m NULL) to every sink. */
static void deliver(struct conn *c, const struct hl7_msg *m, const struct hl7_batch *b, const char *data, size_t len,
		    struct outcome *o)
{
	const struct config *cfg = c->cfg;
	char name[SPOOL_NAME_MAX] = "", path[4096];
	const char *spool_file = NULL;

	o->what = ACK_OUTCOME_ACCEPT;
	if (cfg->spool_dir) {
		const char *what = NULL;
		if (spool_ready(c, &what) < 0) {
			const char *why = strerror(errno);
			sink_note(o, "%sspool:%s%s", "error", "");
			fail(o, ACK_OUTCOME_ERROR, "spool: %s: %s", what, why);
			log_line(LOG_ERR, "%s: spool %s: %s: %s", c->peer->label, cfg->spool_dir, what, why);
			return;
		}
		if (spool_commit(&c->spool, data, len, name) < 0) {
			const char *why = strerror(errno);
			sink_note(o, "%sspool:%s%s", "error", "");
			fail(o, ACK_OUTCOME_ERROR, "spool: %s%s", why, "");
			log_line(LOG_ERR, "%s: spool %s: %s", c->peer->label, cfg->spool_dir, why);
			/* Reopen next time: the directory may have been replaced. */
			spool_close(&c->spool);
			c->spool_ok = 0;
			return;
		}
		sink_note(o, "%sspool:%s%s", "ok", "");
		if (cfg->spool_dir[0] == '/')
			snprintf(path, sizeof path, "%s/new/%s", cfg->spool_dir, name);
		else {
			char cwd[2048];
			if (!getcwd(cwd, sizeof cwd))
				cwd[0] = '\0';
			snprintf(path, sizeof path, "%s/%s/new/%s", cwd, cfg->spool_dir, name);
		}
		spool_file = path;
	}
	if (cfg->exec_cmd) {
		struct exec_status st;
		struct block_fields fields;
		if (b)
			batch_fields(&fields, b);
		else
			message_fields(&fields, m);
		const struct block_fields *f = &fields;
		char **env = exec_environment(c, f, spool_file);
		int timeout_ms = cfg->exec_timeout > 0 ? (int)(cfg->exec_timeout * 1000) : 0;
		if (!c->exec_out && exec_prepare(&c->exec, cfg->exec_cmd) == 0 && !(c->exec_out = malloc(EXEC_OUT_MAX)))
			exec_free(&c->exec);
		if (!env || !c->exec_out || exec_run(&c->exec, env, data, len, timeout_ms, c->exec_out,
						      EXEC_OUT_MAX, &st) < 0) {
			const char *why = strerror(errno);
			sink_note(o, "%sexec:%s%s", "error", "");
			fail(o, ACK_OUTCOME_ERROR, "command could not be started: %s%s", why, "");
			log_line(LOG_ERR, "%s: --exec: cannot start the command: %s", c->peer->label, why);
		} else {
			char code[32];
			switch (st.result) {
			case EXEC_OK:
				snprintf(code, sizeof code, "ok");
				break;
			case EXEC_SIGNALED:
				snprintf(code, sizeof code, "signal-%d", st.code);
				break;
			case EXEC_TIMEOUT:
				snprintf(code, sizeof code, "timeout");
				break;
			default:
				snprintf(code, sizeof code, "exit-%d", st.code);
				break;
			}
			sink_note(o, "%sexec:%s%s", code, "");
			if (st.result == EXEC_DATAERR) {
				fail(o, ACK_OUTCOME_REJECT, "rejected by the command (exit 65)%s%s", "", "");
			} else if (st.result != EXEC_OK) {
				fail(o, ACK_OUTCOME_ERROR, "command failed%s%s", "", "");
				if (st.result == EXEC_FAILED)
					snprintf(o->err_text, sizeof o->err_text, "command exited %d", st.code);
				else if (st.result == EXEC_SIGNALED)
					snprintf(o->err_text, sizeof o->err_text, "command killed by signal %d", st.code);
				else
					snprintf(o->err_text, sizeof o->err_text, "command timed out");
			}
			/* A command may answer a message itself (not a batch), but never positively for a failure. */
			size_t n = f->batch ? 0 : take_printed_ack(c, c->exec_out, st.out_len);
			if (n > 0 && (st.result == EXEC_OK || !ack_code_positive(printed_ack_code(ack_slot(c), n))) &&
			    st.result != EXEC_TIMEOUT && st.result != EXEC_SIGNALED)
				o->printed_len = n;
		}
		free(env);
		if (o->what != ACK_OUTCOME_ACCEPT && name[0] && spool_fail(&c->spool, name) < 0 && errno != ENOENT)
			log_line(LOG_ERR, "%s: spool: cannot move %s to failed/: %s", c->peer->label, name, strerror(errno));
	}
}

/*
 * --tls-allow: may the connection's certificate send as this message's
 * MSH-3/MSH-4 (first components, raw)?  Its identities are the subject's
 * CNs and its DNS, email, URI and IP subject alternative names.
 */
static int sender_allowed(const struct conn *c, const struct hl7_msg *m)
{
	struct hl7_span app = hl7_msh(m, 3, 1), fac = hl7_msh(m, 4, 1);

	for (const char *id = c->allow_names; id && *id; id += strlen(id) + 1) {
		const char *ids[1] = {id};
		if (allow_permits(c->cfg->allow, ids, 1, app.p, app.len, fac.p, fac.len))
			return 1;
	}
	return 0;
}

/* The refusal's log line: the peer, the certificate and the sender it claimed (sanitised; no content). */
static void log_not_allowed(const struct conn *c, const struct hl7_msg *m)
{
	char app[264], fac[264];
	struct hl7_span s = hl7_msh(m, 3, 1);
	log_sanitise(app, sizeof app, s.p, s.len);
	s = hl7_msh(m, 4, 1);
	log_sanitise(fac, sizeof fac, s.p, s.len);
	/* The subject is RFC 2253 text (printable ASCII); quotes inside are escaped by it. */
	log_line(LOG_WARNING, "%s: not authorised for this sender: tls_peer=\"%s\" sending_application=%s sending_facility=%s",
		 c->peer->label, c->tls_peer, app, fac);
}

/* Room left in the answer slot after its first used bytes. */
static size_t slot_room(const struct conn *c, size_t used)
{
	size_t room = ack_slot_room(c);
	return room > used ? room - used : 0;
}

#define ANSWER_FAILED SIZE_MAX

/* A fresh control ID and the time, for the header of an answer (ack_control_id, ack_timestamp). */
static void fresh_ids(struct conn *c, char id[32], char ts[32])
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	ack_control_id(id, 32, &now, c->pid, ++c->seq);
	ack_timestamp(ts, 32, now.tv_sec);
}

/* After a build into the slot found need bytes too many for its room: grow it.  0, or -1 (logged, connection ends). */
static int answer_grow(struct conn *c, size_t used, size_t need)
{
	if (out_reserve(c, used + need + 3) == 0)
		return 0;
	log_line(LOG_ERR, "%s: out of memory for an acknowledgement", c->peer->label);
	c->gone = 1;
	return -1;
}

/*
 * Append to the answer being built in the slot (used bytes so far) the ACK
 * with this code for m.  Returns the new length, or ANSWER_FAILED (out of
 * memory: logged, the connection ends).
 */
static size_t answer_ack(struct conn *c, size_t used, const struct hl7_msg *m, enum ack_code code,
			 const struct outcome *o, const char *err_segment, unsigned err_field)
{
	char id[32], ts[32];
	fresh_ids(c, id, ts);
	struct ack_params ap = {
		.code = code,
		.err_code = o->what == ACK_OUTCOME_ACCEPT ? 0 : o->err_code,
		.err_text = o->what == ACK_OUTCOME_ACCEPT ? NULL : o->err_text,
		.err_segment = err_segment,
		.err_field = err_field,
		.control_id = id,
		.timestamp = ts,
		.application = c->cfg->ack_application,
		.facility = c->cfg->ack_facility,
	};
	size_t need = ack_build(ack_slot(c) + used, slot_room(c, used), m, &ap);
	if (need > slot_room(c, used)) {
		if (answer_grow(c, used, need) < 0)
			return ANSWER_FAILED;
		ack_build(ack_slot(c) + used, slot_room(c, used), m, &ap);
	}
	return used + need;
}

/* Append an acknowledgement batch's header answering the inbound FHS/BHS hdr.  As answer_ack(). */
static size_t answer_batch_header(struct conn *c, size_t used, const struct hl7_batch *b, struct hl7_span hdr)
{
	char id[32], ts[32];
	fresh_ids(c, id, ts);
	struct ack_params ap = {.control_id = id, .timestamp = ts,
				.application = c->cfg->ack_application, .facility = c->cfg->ack_facility};
	size_t need = ack_batch_header(ack_slot(c) + used, slot_room(c, used), b, hdr, &ap);
	if (need > slot_room(c, used)) {
		if (answer_grow(c, used, need) < 0)
			return ANSWER_FAILED;
		ack_batch_header(ack_slot(c) + used, slot_room(c, used), b, hdr, &ap);
	}
	return used + need;
}

/* Append an acknowledgement batch's trailer (BTS or FTS) counting count.  As answer_ack(). */
static size_t answer_batch_trailer(struct conn *c, size_t used, const struct hl7_batch *b, enum hl7_batch_kind kind,
				   size_t count)
{
	size_t need = ack_batch_trailer(ack_slot(c) + used, slot_room(c, used), b, kind, count);
	if (need > slot_room(c, used)) {
		if (answer_grow(c, used, need) < 0)
			return ANSWER_FAILED;
		ack_batch_trailer(ack_slot(c) + used, slot_room(c, used), b, kind, count);
	}
	return used + need;
}

/* The log line of one message (of a batch when batch_id is not NULL): fields only, never content. */
static void log_message(const struct conn *c, const struct hl7_msg *m, size_t size, enum ack_code code,
			const struct outcome *o, long long t0, const char *batch_id)
{
	if (!log_enabled(LOG_INFO))
		return;
	char id[264], type[264], version[264], extra[500] = "";
	struct hl7_span s;
	s = hl7_msh(m, 10, 0);
	log_sanitise(id, sizeof id, s.p, s.len);
	s = hl7_msh(m, 9, 0);
	log_sanitise(type, sizeof type, s.p, s.len);
	s = hl7_msh(m, 12, 0);
	log_sanitise(version, sizeof version, s.p, s.len);
	if (batch_id)
		snprintf(extra, sizeof extra, " batch=%s", batch_id);
	if (o->what != ACK_OUTCOME_ACCEPT)
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), " error=\"%s\"", o->err_text);
	char sz[32], us[32];
	snprintf(sz, sizeof sz, "%zu", size);
	snprintf(us, sizeof us, "%lld", now_us() - t0);
	struct log_field fields[] = {
		{"HL7_CONTROL_ID", id},     {"HL7_MESSAGE_TYPE", type},
		{"HL7_VERSION", version},   {"HL7_SIZE", sz},
		{"MLLP_ACK_CODE", ack_code_name(code)},
		{"MLLP_SINK", o->sink[0] ? o->sink : "none"},
		{"MLLP_DURATION_US", us},   {"REMOTE_ADDR", c->peer->addr},
		{"REMOTE_PORT", c->peer->port}, {"HL7_BATCH_CONTROL_ID", batch_id},
	};
	log_event(o->what == ACK_OUTCOME_ACCEPT ? LOG_INFO : LOG_WARNING, MSGID_MESSAGE, fields,
		  sizeof fields / sizeof fields[0] - (batch_id ? 0 : 1),
		  "%s: message id=%s type=%s version=%s size=%s ack=%s sink=%s us=%s%s", c->peer->label, id, type,
		  version, sz, ack_code_name(code), o->sink[0] ? o->sink : "none", us, extra);
}

/* A message's own checks: hl7_parse() and --tls-allow.  0 when it passes, else the refusal in *o. */
static int check_message(struct conn *c, struct hl7_msg *m, const char *p, size_t len, struct outcome *o, int quiet)
{
	enum hl7_status status = hl7_parse(m, p, len, c->cfg->strict ? HL7_PARSE_STRICT : 0);
	if (status != HL7_OK) {
		o->what = ACK_OUTCOME_REJECT;
		o->err_code = hl7_status_code(status);
		snprintf(o->err_text, sizeof o->err_text, "%s", hl7_status_text(status));
		return -1;
	}
	if (c->cfg->allow && !sender_allowed(c, m)) {
		o->what = ACK_OUTCOME_REJECT;
		o->err_code = 207;
		snprintf(o->err_text, sizeof o->err_text, "not authorised for this sender");
		if (!quiet)
			log_not_allowed(c, m);
		return -1;
	}
	return 0;
}

const char *dedupe_path(const struct config *cfg, char *buf, size_t cap)
{
	if (cfg->dedupe_dir)
		return cfg->dedupe_dir;
	snprintf(buf, cap, "%s/dedupe", cfg->spool_dir);
	return buf;
}

/*
 * --dedupe: take the lock of key k and look it up.  Returns 1 for a
 * duplicate (not locked; its first answer is replayed: framed in c->out,
 * *code its MSA-1), 0 for a new key (locked: dedupe_done() follows), or -1
 * when the record cannot be used (not locked; the AE is in *o: delivering
 * without the record could deliver a duplicate).
 */
static int dedupe_check(struct conn *c, const struct dedupe_key *k, struct outcome *o, enum ack_code *code)
{
	const char *what = "lock";
	char dir[4096];
	size_t len;
	time_t when;

	/* The record lives in the spool: make the spool first (its errors are deliver()'s to report). */
	if (c->cfg->spool_dir)
		spool_ready(c, &what);
	what = "lock";
	if (!c->dedupe_ok && dedupe_open(&c->dedupe, dedupe_path(c->cfg, dir, sizeof dir), c->cfg->dedupe_window, &what) == 0)
		c->dedupe_ok = 1;
	if (c->dedupe_ok && dedupe_lock(&c->dedupe, k) == 0) {
		int r = dedupe_find(&c->dedupe, k, time(NULL), ack_slot(c), ack_slot_room(c), &len, &when);
		if (r == 1 && len > ack_slot_room(c)) {
			if (out_reserve(c, len + 3) == 0)
				r = dedupe_find(&c->dedupe, k, time(NULL), ack_slot(c), ack_slot_room(c), &len, &when);
			else
				r = -1;
		}
		if (r == 0)
			return 0;
		int saved = errno;
		dedupe_unlock(&c->dedupe, k);
		errno = saved;
		what = "record";
		if (r == 1) {
			c->duplicates++;
			*code = len ? printed_ack_code(ack_slot(c), len) : ACK_NONE;
			if (len)
				send_frame(c, len);
			snprintf(o->sink, sizeof o->sink, "duplicate");
			return 1;
		}
	}
	const char *why = strerror(errno);
	fail(o, ACK_OUTCOME_ERROR, "dedupe: %s: %s", what, why);
	sink_note(o, "%sdedupe:%s%s", "error", "");
	log_line(LOG_ERR, "%s: --dedupe %s: %s: %s", c->peer->label, dedupe_path(c->cfg, dir, sizeof dir), what, why);
	return -1;
}

/* After dedupe_check() returned 0: record the answer (slot[0..used)) of a delivered block; unlock. */
static void dedupe_done(struct conn *c, const struct dedupe_key *k, const struct outcome *o, size_t used)
{
	if (o->what == ACK_OUTCOME_ACCEPT && used != ANSWER_FAILED &&
	    dedupe_record(&c->dedupe, k, time(NULL), ack_slot(c), used) < 0)
		log_line(LOG_WARNING, "%s: --dedupe: cannot record a delivered message (a resend would be delivered again): %s",
			 c->peer->label, strerror(errno));
	dedupe_unlock(&c->dedupe, k);
	dedupe_prune(&c->dedupe, time(NULL));
}

static void handle_frame(struct conn *c, const char *frame, size_t len, const char *refusal)
{
	const struct config *cfg = c->cfg;
	long long t0 = now_us();
	struct hl7_msg m;
	struct outcome o = {0};
	int parsed_bad = 0, locked = 0;
	struct dedupe_key key;
	enum ack_code code;

	c->messages++;
	if (refusal) {
		hl7_parse(&m, frame, len, 0);
		o.what = ACK_OUTCOME_REJECT;
		o.err_code = 207;
		snprintf(o.err_text, sizeof o.err_text, "%s", refusal);
	} else if (check_message(c, &m, frame, len, &o, 0) < 0) {
		parsed_bad = m.status != HL7_OK;
	} else {
		int r = 0;
		if (cfg->dedupe_window) {
			key = (struct dedupe_key){hl7_msh(&m, 3, 0), hl7_msh(&m, 4, 0), hl7_msh(&m, 10, 0)};
			r = dedupe_check(c, &key, &o, &code);
			if (r == 1) {
				log_message(c, &m, len, code, &o, t0, NULL);
				return;
			}
			locked = r == 0;
		}
		if (r == 0)
			deliver(c, &m, NULL, frame, len, &o);
	}

	code = ack_choose(&m, cfg->ack_mode, o.what);
	size_t n = 0;
	if (code != ACK_NONE && o.printed_len > 0) {
		code = printed_ack_code(ack_slot(c), o.printed_len);
		n = o.printed_len;
	} else if (code != ACK_NONE) {
		n = answer_ack(c, 0, &m, code, &o, parsed_bad && m.err_segment[0] ? m.err_segment : NULL,
			       parsed_bad ? m.err_field : 0);
	}
	if (locked)
		dedupe_done(c, &key, &o, n);
	if (n == ANSWER_FAILED)
		return;
	if (code != ACK_NONE)
		send_frame(c, n);
	log_message(c, &m, refusal ? c->framer.total : len, code, &o, t0, NULL);
}

/*
 * A block starting with FHS or BHS: delivered whole when every message in it
 * passes the checks, and answered with one acknowledgement batch (one ACK
 * per message, headers and trailers mirroring the inbound ones).  A batch
 * whose structure is wrong gets one plain AR.
 */
static void handle_batch(struct conn *c, const char *frame, size_t len)
{
	const struct config *cfg = c->cfg;
	long long t0 = now_us();
	struct hl7_batch b;
	struct hl7_msg m;
	struct outcome o = {0}, mo;
	size_t cursor = 0, refused = 0;
	enum hl7_batch_kind kind;
	struct hl7_span piece;
	char batch_id[264];

	c->messages++;
	if (hl7_batch_parse(&b, frame, len) != HL7_BATCH_OK) {
		o.what = ACK_OUTCOME_REJECT;
		o.err_code = hl7_batch_status_code(b.status);
		snprintf(o.err_text, sizeof o.err_text, "%s", hl7_batch_status_text(b.status));
		hl7_parse(&m, frame, len, 0); /* no MSH first: a minimal NAK */
		size_t n = answer_ack(c, 0, &m, ACK_AR, &o, b.err_segment[0] ? b.err_segment : NULL, 0);
		if (n != ANSWER_FAILED)
			send_frame(c, n);
		log_line(LOG_WARNING, "%s: batch refused: %s (byte %zu) size=%zu ack=AR", c->peer->label,
			 o.err_text, b.err_offset, len);
		return;
	}
	struct block_fields f;
	batch_fields(&f, &b);
	log_sanitise(batch_id, sizeof batch_id, f.control_id.p, f.control_id.len);

	/* --dedupe: a batch is known by its header's sender and control ID (BHS-11, else FHS-11), when it has one. */
	struct dedupe_key key;
	int locked = 0, dedupe = -2;
	if (cfg->dedupe_window && f.control_id.len) {
		struct hl7_span h = b.bhs.len ? b.bhs : b.fhs;
		key.control_id = f.control_id;
		hl7_batch_field(&b, h, 3, &key.app);
		hl7_batch_field(&b, h, 4, &key.fac);
		enum ack_code replayed;
		dedupe = dedupe_check(c, &key, &o, &replayed);
		if (dedupe == 1) {
			log_line(LOG_INFO, "%s: batch id=%s messages=%zu size=%zu outcome=duplicate sink=duplicate", c->peer->label,
				 batch_id, b.messages, len);
			return;
		}
		locked = dedupe == 0;
	}

	/* Every message passes its checks, or none is delivered. */
	while (hl7_batch_next(&b, &cursor, &kind, &piece))
		if (kind == HL7_BATCH_MESSAGE && check_message(c, &m, piece.p, piece.len, &mo, 0) < 0)
			refused++;
	if (dedupe == -1) {
		/* o holds the AE: nothing delivered. */
	} else if (refused) {
		o.what = ACK_OUTCOME_ERROR;
		o.err_code = 207;
		snprintf(o.err_text, sizeof o.err_text, "not delivered: %zu message%s of the batch refused", refused,
			 refused == 1 ? "" : "s");
		sink_note(&o, "%s%s%s", "none", "");
	} else {
		deliver(c, NULL, &b, frame, len, &o);
	}

	/* The acknowledgement batch. */
	size_t used = 0, in_group = 0, answered = 0;
	int group_open = 0, fhs = 0, fts = 0;
	cursor = 0;
	while (used != ANSWER_FAILED && hl7_batch_next(&b, &cursor, &kind, &piece)) {
		switch (kind) {
		case HL7_BATCH_FHS:
			fhs = 1;
			used = answer_batch_header(c, used, &b, piece);
			break;
		case HL7_BATCH_BHS:
			group_open = 1;
			in_group = 0;
			used = answer_batch_header(c, used, &b, piece);
			break;
		case HL7_BATCH_MESSAGE: {
			int bad;
			memset(&mo, 0, sizeof mo);
			bad = check_message(c, &m, piece.p, piece.len, &mo, 1) < 0;
			if (!bad)
				mo = o;
			/* Batch option 1: every message gets an ACK (inbound ACKs excepted). */
			enum ack_code code = ack_choose(&m, cfg->ack_mode, mo.what);
			if (code == ACK_NONE)
				code = ack_choose(&m, ACK_MODE_ORIGINAL, mo.what);
			if (code != ACK_NONE) {
				int pbad = bad && m.status != HL7_OK;
				used = answer_ack(c, used, &m, code, &mo, pbad && m.err_segment[0] ? m.err_segment : NULL,
						  pbad ? m.err_field : 0);
				in_group++;
				answered++;
			}
			log_message(c, &m, piece.len, code, &mo, t0, batch_id);
			break;
		}
		case HL7_BATCH_BTS:
			group_open = 0;
			used = answer_batch_trailer(c, used, &b, kind, in_group);
			break;
		case HL7_BATCH_FTS:
			if (group_open)
				used = answer_batch_trailer(c, used, &b, HL7_BATCH_BTS, in_group);
			group_open = 0;
			fts = 1;
			if (used != ANSWER_FAILED)
				used = answer_batch_trailer(c, used, &b, kind, b.groups);
			break;
		}
	}
	/* Senders may leave out the trailers; the answer has them. */
	if (group_open && used != ANSWER_FAILED)
		used = answer_batch_trailer(c, used, &b, HL7_BATCH_BTS, in_group);
	if (fhs && !fts && used != ANSWER_FAILED)
		used = answer_batch_trailer(c, used, &b, HL7_BATCH_FTS, b.groups);
	/* A batch of acknowledgements only is not answered (no ACK of an ACK). */
	int answer = answered > 0 || b.messages == 0;
	if (locked)
		dedupe_done(c, &key, &o, answer ? used : 0);
	if (used == ANSWER_FAILED)
		return;
	if (answer)
		send_frame(c, used);
	if (log_enabled(LOG_INFO)) {
		char sz[32], n[32], us[32];
		snprintf(sz, sizeof sz, "%zu", len);
		snprintf(n, sizeof n, "%zu", b.messages);
		snprintf(us, sizeof us, "%lld", now_us() - t0);
		log_line(o.what == ACK_OUTCOME_ACCEPT ? LOG_INFO : LOG_WARNING,
			 "%s: batch id=%s messages=%s size=%s outcome=%s sink=%s us=%s%s%s%s", c->peer->label, batch_id, n,
			 sz, o.what == ACK_OUTCOME_ACCEPT ? "delivered" : o.what == ACK_OUTCOME_REJECT ? "refused" : "failed",
			 o.sink[0] ? o.sink : "none", us, o.what != ACK_OUTCOME_ACCEPT ? " error=\"" : "",
			 o.what != ACK_OUTCOME_ACCEPT ? o.err_text : "", o.what != ACK_OUTCOME_ACCEPT ? "\"" : "");
	}
}

/* Remove what --exec commands must not inherit from mllpd's environment. */
static char **filtered_environment(char **envp)
{
	static const char *drop[] = {"LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES=", "NOTIFY_SOCKET=", "CREDENTIALS_DIRECTORY=", "HL7_",
				     "MLLP_"};
	size_t n = 0, k = 0;
	while (envp && envp[n])
		n++;
	char **out = calloc(n + 1, sizeof *out);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int keep = 1;
		for (size_t d = 0; d < sizeof drop / sizeof drop[0]; d++)
			if (strncmp(envp[i], drop[d], strlen(drop[d])) == 0)
				keep = 0;
		if (keep)
			out[k++] = envp[i];
	}
	return out;
}

static int wait_ms_until(long long deadline_us)
{
	if (!deadline_us)
		return -1;
	long long left = (deadline_us - now_us() + 999) / 1000;
	if (left <= 0)
		return 0;
	return left > 1000000 ? 1000000 : (int)left;
}

/*
 * Between frames, a poll() before each read() only watches for SIGTERM and
 * the idle timeout; on a synchronous sender it is a system call more on the
 * way from a message to its answer.  Where nothing else needs watching (no
 * TLS, no --idle-timeout) and in_fd is a blocking socket, the read waits
 * itself: SIGTERM interrupts it (its handler is installed without
 * SA_RESTART), and a receive timeout bounds the wait should the signal come
 * between the check of mllpd_terminate and the read.  Inside a frame the
 * poll() stays, for --frame-timeout.  Returns 1 when set up.
 */
static int direct_read_setup(const struct config *cfg, int in_fd)
{
	struct timeval bound = {.tv_sec = 2};
	int fl = fcntl(in_fd, F_GETFL);

	if (cfg->tls || cfg->idle_timeout > 0 || fl < 0 || (fl & O_NONBLOCK))
		return 0;
	return setsockopt(in_fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound) == 0;
}

int conn_serve(const struct config *cfg, int in_fd, int out_fd, const struct peer *peer, char **envp)
{
	static char rbuf[READ_CHUNK];
	struct conn c = {.cfg = cfg, .peer = peer, .in_fd = in_fd, .out_fd = out_fd, .pid = (unsigned long)getpid()};
	long long start = now_us(), idle_deadline = 0, frame_deadline = 0;
	const char *reason = "eof";
	int rc = 0, junk_logged = 0;
	/* The idle clock restarts at the start and after each frame, not on junk between frames. */
	int restart_idle = 1;

	c.envp = filtered_environment(envp);
	size_t frame_room = cfg->max_message < FRAME_BUF_START ? cfg->max_message : FRAME_BUF_START;
	c.frame_buf = malloc(frame_room);
	c.out_cap = 65536 + 4096;
	c.out = malloc(c.out_cap);
	c.batch = !cfg->exec_cmd && (cfg->no_fsync || !cfg->spool_dir);
	c.read_waits = direct_read_setup(cfg, in_fd);
	/* Answers go out as soon as they are written: no Nagle delay on a TCP peer. */
	int one = 1;
	setsockopt(out_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (!c.envp || !c.frame_buf || !c.out) {
		log_line(LOG_ERR, "%s: out of memory", peer->label);
		return 71;
	}
	mllp_init(&c.framer, c.frame_buf, cfg->max_message, cfg->strict ? MLLP_STRICT : 0);
	mllp_set_buffer(&c.framer, c.frame_buf, frame_room);
	log_line(LOG_DEBUG, "%s: connected", peer->label);
	if (cfg->tls) {
		/* The handshake is bounded like a frame; nothing is read or spooled before it succeeds. */
		char why[256];
		double limit = cfg->frame_timeout > 0 ? cfg->frame_timeout : 60;
		c.tls = tlsio_handshake(cfg->tls, in_fd, out_fd, NULL, (int)(limit * 1000), why, sizeof why);
		if (!c.tls) {
			log_line(LOG_WARNING, "%s: TLS handshake failed: %s", peer->label, why);
			free(c.out);
			free(c.frame_buf);
			free(c.envp);
			return 76;
		}
		tlsio_peer_subject(c.tls, c.tls_peer, sizeof c.tls_peer);
		if (cfg->allow) {
			/* A name past NAMES_MAX, or not plain text, is left out whole: it never matches. */
			enum { NAMES_MAX = 16384 };
			size_t skipped = 0;
			c.allow_names = malloc(NAMES_MAX);
			if (c.allow_names)
				tlsio_peer_names(c.tls, c.allow_names, NAMES_MAX, &skipped);
			if (skipped)
				log_line(LOG_WARNING, "%s: --tls-allow: %zu certificate name(s) ignored (not text, or too many)",
					 peer->label, skipped);
		}
		log_line(LOG_DEBUG, "%s: TLS %s %s%s%s%s", peer->label, tlsio_version(c.tls), tlsio_cipher(c.tls),
			 c.tls_peer[0] ? " peer=\"" : "", c.tls_peer, c.tls_peer[0] ? "\"" : "");
	}

	for (;;) {
		int in_frame = mllp_in_frame(&c.framer);
		if (c.gone) {
			if (rc == 0)
				reason = "peer-gone";
			break;
		}
		if (mllpd_terminate && !in_frame) {
			reason = "terminated";
			break;
		}
		if (!in_frame) {
			frame_deadline = 0;
			if (restart_idle)
				idle_deadline = cfg->idle_timeout > 0 ? now_us() + (long long)(cfg->idle_timeout * 1e6) : 0;
			restart_idle = 0;
		} else if (!frame_deadline && cfg->frame_timeout > 0) {
			frame_deadline = now_us() + (long long)(cfg->frame_timeout * 1e6);
		}
		struct pollfd p[2] = {{.fd = in_fd, .events = POLLIN}, {.fd = mllpd_signal_fd, .events = POLLIN}};
		int r;
		if (c.read_waits && !in_frame) {
			/* read() waits: EINTR on SIGTERM, EAGAIN after the bound, both back to the top. */
			p[0].revents = POLLIN;
			r = 1;
		} else if (c.tls && tlsio_pending(c.tls) > 0) {
			/* Decrypted bytes wait inside OpenSSL: the fd may never wake up for them. */
			p[0].revents = POLLIN;
			r = 1;
		} else {
			r = poll(p, mllpd_signal_fd >= 0 ? 2 : 1, wait_ms_until(in_frame ? frame_deadline : idle_deadline));
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			reason = "poll-error";
			rc = 71;
			break;
		}
		if (r == 0) {
			reason = in_frame ? "frame-timeout" : "idle-timeout";
			if (in_frame)
				log_line(LOG_WARNING, "%s: frame not finished within %gs: %zu bytes dropped, not acknowledged",
					 peer->label, cfg->frame_timeout, c.framer.total);
			break;
		}
		if (p[1].revents) {
			char drain[64];
			while (read(mllpd_signal_fd, drain, sizeof drain) > 0)
				;
		}
		if (!p[0].revents)
			continue;
		ssize_t n = conn_read(&c, rbuf, sizeof rbuf);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET) {
				reason = "reset";
				break;
			}
			if (errno == EPROTO && c.tls)
				log_line(LOG_ERR, "%s: TLS: %s", peer->label, tlsio_last_error(c.tls));
			else
				log_line(LOG_ERR, "%s: read: %s", peer->label, strerror(errno));
			reason = "read-error";
			rc = 74;
			break;
		}
		if (n == 0) {
			if (mllp_in_frame(&c.framer))
				log_line(LOG_WARNING, "%s: connection closed inside a frame: %zu bytes dropped, not acknowledged",
					 peer->label, c.framer.total);
			break;
		}
		c.bytes_in += (unsigned long long)n;
		unsigned long long frames_before = c.messages;
		for (size_t off = 0; off < (size_t)n && !c.gone;) {
			size_t used;
			enum mllp_event ev = mllp_feed(&c.framer, rbuf + off, (size_t)n - off, &used);
			off += used;
			switch (ev) {
			case MLLP_NEED_MORE:
				break;
			case MLLP_NEED_ROOM: {
				/* A large frame: double the buffer, never past --max-message-size. */
				size_t room = c.framer.room > cfg->max_message / 2 ? cfg->max_message : c.framer.room * 2;
				char *grown = realloc(c.frame_buf, room);
				if (!grown) {
					log_line(LOG_ERR, "%s: out of memory for a frame of %zu bytes: closing, not acknowledged",
						 peer->label, c.framer.total);
					reason = "out-of-memory";
					rc = 71;
					c.gone = 1;
					break;
				}
				c.frame_buf = grown;
				mllp_set_buffer(&c.framer, grown, room);
				break;
			}
			case MLLP_FRAME:
				if (hl7_batch_is(c.frame_buf, c.framer.frame_len))
					handle_batch(&c, c.frame_buf, c.framer.frame_len);
				else
					handle_frame(&c, c.frame_buf, c.framer.frame_len, NULL);
				break;
			case MLLP_TOO_LARGE:
				handle_frame(&c, c.frame_buf, c.framer.frame_len, "message too large");
				break;
			case MLLP_BAD_TRAILER:
				/* An oversized frame is refused as such, whatever its trailer. */
				handle_frame(&c, c.frame_buf, c.framer.frame_len,
					     c.framer.total > c.framer.cap ? "message too large"
									: "frame not ended by 0x1C 0x0D (--strict)");
				break;
			case MLLP_RESTARTED:
				log_line(LOG_WARNING, "%s: start byte inside a frame: %zu bytes dropped, not acknowledged",
					 peer->label, c.framer.partial);
				break;
			case MLLP_JUNK:
				log_line(LOG_ERR, "%s: byte outside a frame (--strict): closing", peer->label);
				reason = "protocol-error";
				rc = 76;
				flush(&c);
				c.gone = 1;
				break;
			}
			if (c.framer.junk_bytes && !junk_logged) {
				junk_logged = 1;
				log_line(LOG_WARNING, "%s: bytes outside frames skipped", peer->label);
			}
		}
		if (c.messages != frames_before)
			restart_idle = 1;
		flush(&c);
		/* The answers are out: open the next message's spool file now, not after it arrives. */
		if (c.spool_ok && !c.gone)
			spool_prepare(&c.spool);
		if (c.gone && rc == 0)
			reason = "peer-gone";
	}

	double secs = (double)(now_us() - start) / 1e6;
	char msgs[32], bin[32], bout[32], junk[32];
	snprintf(msgs, sizeof msgs, "%llu", c.messages);
	snprintf(bin, sizeof bin, "%llu", c.bytes_in);
	snprintf(bout, sizeof bout, "%llu", c.bytes_out);
	snprintf(junk, sizeof junk, "%llu", c.framer.junk_bytes);
	char tls[600] = "";
	if (cfg->dedupe_window)
		snprintf(tls, sizeof tls, " duplicates=%llu", c.duplicates);
	if (c.tls) {
		/* The subject is RFC 2253 text (printable ASCII); quotes inside are escaped by it. */
		size_t used = strlen(tls);
		snprintf(tls + used, sizeof tls - used, " tls=%s%s%s%s", tlsio_version(c.tls),
			 c.tls_peer[0] ? " tls_peer=\"" : "", c.tls_peer, c.tls_peer[0] ? "\"" : "");
	}
	struct log_field fields[] = {
		{"REMOTE_ADDR", peer->addr}, {"REMOTE_PORT", peer->port}, {"MLLP_MESSAGES", msgs},
		{"MLLP_BYTES_IN", bin},      {"MLLP_BYTES_OUT", bout},    {"MLLP_JUNK_BYTES", junk},
		{"MLLP_TLS_PEER", c.tls_peer},
	};
	log_event(LOG_INFO, MSGID_CONNECTION, fields, sizeof fields / sizeof fields[0] - (c.tls_peer[0] ? 0 : 1),
		  "%s: closed: messages=%s bytes_in=%s bytes_out=%s junk=%s seconds=%.3f reason=%s%s", peer->label,
		  msgs, bin, bout, junk, secs, reason, tls);
	tlsio_close(c.tls);
	free(c.allow_names);
	if (c.spool_ok)
		spool_close(&c.spool);
	if (c.dedupe_ok)
		dedupe_close(&c.dedupe);
	free(c.exec_out);
	exec_free(&c.exec);
	free(c.out);
	free(c.frame_buf);
	free(c.envp);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* sink.c: the spool and the --exec command, in the order that keeps a refused message from every
 * reader. */
#include "sink.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ackread.h"
#include "log.h"

#define EXEC_OUT_MAX (1024 * 1024)

void outcome_fail(struct outcome *o, enum ack_outcome what, int err_code, const char *fmt, ...)
{
	va_list ap;
	o->what = what;
	o->err_code = err_code;
	va_start(ap, fmt);
	vsnprintf(o->err_text, sizeof o->err_text, fmt, ap);
	va_end(ap);
}

void outcome_sink(struct outcome *o, const char *part)
{
	size_t used = strlen(o->sink);
	snprintf(o->sink + used, sizeof o->sink - used, "%s%s", used ? "," : "", part);
}

/* Remove what --exec commands must not inherit from mllpd's environment. */
static char **filtered_environment(char **envp)
{
	static const char *drop[] = {"LISTEN_FDS=",
				     "LISTEN_PID=",
				     "LISTEN_FDNAMES=",
				     "NOTIFY_SOCKET=",
				     "CREDENTIALS_DIRECTORY=",
				     "HL7_",
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

int sinks_init(struct sinks *s, const struct config *cfg, const struct peer *peer,
	       const char *tls_peer, char **envp)
{
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->peer = peer;
	s->tls_peer = tls_peer;
	s->envp = filtered_environment(envp);
	return s->envp ? 0 : -1;
}

void sinks_close(struct sinks *s)
{
	if (s->spool_ok)
		spool_close(&s->spool);
	s->spool_ok = 0;
	if (s->exec_ok)
		exec_free(&s->exec);
	s->exec_ok = 0;
	free(s->exec_out);
	s->exec_out = NULL;
	free(s->envp);
	s->envp = NULL;
}

int sinks_spool_ready(struct sinks *s, const char **what)
{
	if (s->spool_ok && !s->spool_stale)
		return 0;
	if (s->spool_ok)
		spool_close(&s->spool);
	s->spool_ok = s->spool_stale = 0;
	if (spool_open(&s->spool, s->cfg->spool_dir, s->cfg->no_fsync ? SPOOL_NO_FSYNC : 0, what) <
	    0)
		return -1;
	s->spool_ok = 1;
	spool_clean_tmp(&s->spool,
			SPOOL_TMP_MAX_AGE); /* maildir: a crash's tmp/ leftovers, after 36 h */
	return 0;
}

void sinks_idle(struct sinks *s)
{
	if (s->spool_ok && !s->spool_stale)
		spool_prepare(&s->spool);
}

/* Environment for --exec: the base environment plus the block's fields. */
static char **exec_environment(const struct sinks *s, const struct block_fields *f,
			       const char *spool_file)
{
	const struct peer *peer = s->peer;
	struct {
		const char *key;
		struct hl7_span v;
		int optional; /* absent, not empty, when unset */
	} vars[] = {
	    {"HL7_CONTROL_ID", f->control_id, 0},
	    {"HL7_MESSAGE_TYPE", f->type, 0},
	    {"HL7_MESSAGE_CODE", f->code, 0},
	    {"HL7_TRIGGER_EVENT", f->trigger, 0},
	    {"HL7_VERSION", f->version, 0},
	    {"HL7_PROCESSING_ID", f->processing, 0},
	    {"HL7_SENDING_APPLICATION", f->sending_app, 0},
	    {"HL7_SENDING_FACILITY", f->sending_fac, 0},
	    {"HL7_RECEIVING_APPLICATION", f->receiving_app, 0},
	    {"HL7_RECEIVING_FACILITY", f->receiving_fac, 0},
	    {"HL7_BATCH", {f->batch ? "1" : NULL, f->batch ? 1 : 0}, 1},
	    {"HL7_BATCH_MESSAGES",
	     {f->batch ? f->batch_messages : NULL, f->batch ? strlen(f->batch_messages) : 0},
	     1},
	    {"MLLP_REMOTE_ADDR", {peer->addr, strlen(peer->addr)}, 0},
	    {"MLLP_REMOTE_PORT", {peer->port, strlen(peer->port)}, 0},
	    {"MLLP_SPOOL_FILE", {spool_file, spool_file ? strlen(spool_file) : 0}, 1},
	    {"MLLP_TLS_PEER", {s->tls_peer[0] ? s->tls_peer : NULL, strlen(s->tls_peer)}, 1},
	};
	size_t nvars = sizeof vars / sizeof vars[0], nbase = 0, bytes = 0;

	while (s->envp[nbase])
		nbase++;
	for (size_t i = 0; i < nvars; i++)
		bytes += strlen(vars[i].key) + vars[i].v.len + 2;
	char **env = malloc((nbase + nvars + 1) * sizeof *env + bytes);
	if (!env)
		return NULL;
	char *p = (char *)(env + nbase + nvars + 1);
	size_t n = 0;
	for (size_t i = 0; i < nbase; i++)
		env[n++] = s->envp[i];
	for (size_t i = 0; i < nvars; i++) {
		if (vars[i].v.p == NULL && vars[i].optional)
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

/* The absolute path of a file in the spool's subdirectory sub. */
static void spool_path(const struct sinks *s, const char *sub, const char *name, char *path,
		       size_t cap)
{
	const char *dir = s->cfg->spool_dir;
	char cwd[2048] = "";
	if (dir[0] != '/' && !getcwd(cwd, sizeof cwd))
		cwd[0] = '\0';
	snprintf(path, cap, "%s%s%s/%s/%s", cwd, cwd[0] ? "/" : "", dir, sub, name);
}

static enum ack_outcome outcome_of_code(enum ack_code c)
{
	if (c == ACK_AA || c == ACK_CA)
		return ACK_OUTCOME_ACCEPT;
	return c == ACK_AR || c == ACK_CR ? ACK_OUTCOME_REJECT : ACK_OUTCOME_ERROR;
}

/*
 * The command's printed output as this message's answer (see sink.h), with
 * the outcome the exit status gave in o.  Normalised in place.
 */
static void take_printed(struct sinks *s, const struct exec_status *st, struct hl7_span control_id,
			 struct outcome *o)
{
	struct hl7_msg m;
	struct ackread a;
	size_t len;

	if (st->out_len == 0)
		return;
	enum ackread_status r = ackread_answer(s->exec_out, st->out_len, control_id, s->exec_out,
					       EXEC_OUT_MAX + 1, &len, &m, &a);
	if (r == ACKREAD_NOT_MSH)
		return;
	if (r != ACKREAD_OK) {
		log_line(LOG_WARNING, "%s: --exec: printed answer ignored: %s", s->peer->label,
			 ackread_status_text(r));
		return;
	}
	enum ack_code code = ack_code_from_name(a.code);
	if (st->result == EXEC_TIMEOUT || st->result == EXEC_SIGNALED)
		return;
	if (st->result != EXEC_OK && ack_code_positive(code)) {
		log_line(LOG_WARNING,
			 "%s: --exec: printed answer ignored: %s after a failed command",
			 s->peer->label, a.code);
		return;
	}
	o->printed = s->exec_out;
	o->printed_len = len;
	o->printed_code = code;
	/* A negative printed answer: the message was not accepted, whatever the exit status said.
	 */
	if (st->result == EXEC_OK && !ack_code_positive(code))
		outcome_fail(o, outcome_of_code(code), 207, "the command answered %s", a.code);
	if (!ack_code_positive(code) && a.text.len) {
		char text[sizeof o->err_text];
		size_t n = hl7_unescape(&m.d, a.text, text, sizeof text - 1);
		text[n < sizeof text - 1 ? n : sizeof text - 1] = '\0';
		snprintf(o->err_text, sizeof o->err_text, "%s", text);
	}
}

/* Run the command on data; the outcome, its printed ACK and sink= part in o. */
static void run_command(struct sinks *s, const struct block_fields *f, struct hl7_span control_id,
			const char *spool_file, const char *data, size_t len, struct outcome *o)
{
	const struct config *cfg = s->cfg;
	struct exec_status st;
	char **env = exec_environment(s, f, spool_file);
	int timeout_ms = cfg->exec_timeout > 0 ? config_ms(cfg->exec_timeout) : 0;

	if (!s->exec_ok && exec_prepare(&s->exec, cfg->exec_cmd) == 0)
		s->exec_ok = 1;
	if (s->exec_ok && !s->exec_out && !(s->exec_out = malloc(EXEC_OUT_MAX + 1)))
		errno = ENOMEM;
	if (!env || !s->exec_ok || !s->exec_out ||
	    exec_run(&s->exec, env, data, len, timeout_ms, s->exec_out, EXEC_OUT_MAX, &st) < 0) {
		const char *why = strerror(errno);
		outcome_sink(o, "exec:error");
		outcome_fail(o, ACK_OUTCOME_ERROR, 207, "command could not be started: %s", why);
		log_line(LOG_ERR, "%s: --exec: cannot start the command: %s", s->peer->label, why);
		free(env);
		return;
	}
	free(env);
	char code[32];
	switch (st.result) {
	case EXEC_OK: snprintf(code, sizeof code, "exec:ok"); break;
	case EXEC_SIGNALED:
		snprintf(code, sizeof code, "exec:signal-%d", st.code);
		outcome_fail(o, ACK_OUTCOME_ERROR, 207, "command killed by signal %d", st.code);
		break;
	case EXEC_TIMEOUT:
		snprintf(code, sizeof code, "exec:timeout");
		outcome_fail(o, ACK_OUTCOME_ERROR, 207, "command timed out");
		break;
	case EXEC_DATAERR:
		snprintf(code, sizeof code, "exec:exit-%d", st.code);
		outcome_fail(o, ACK_OUTCOME_REJECT, 207, "rejected by the command (exit 65)");
		break;
	default:
		snprintf(code, sizeof code, "exec:exit-%d", st.code);
		outcome_fail(o, ACK_OUTCOME_ERROR, 207, "command exited %d", st.code);
		break;
	}
	outcome_sink(o, code);
	/* A command may answer a message itself (not a batch). */
	if (!f->batch)
		take_printed(s, &st, control_id, o);
}

/* The spool could not be used: AE, logged; it is opened afresh before its next use, as the
 * directory may have been removed or replaced (a connection can last for days). */
static void spool_failed(struct sinks *s, const char *what, struct outcome *o)
{
	const char *why = strerror(errno);
	outcome_sink(o, "spool:error");
	if (what) {
		outcome_fail(o, ACK_OUTCOME_ERROR, 207, "spool: %s: %s", what, why);
		log_line(LOG_ERR, "%s: spool %s: %s: %s", s->peer->label, s->cfg->spool_dir, what,
			 why);
	} else {
		outcome_fail(o, ACK_OUTCOME_ERROR, 207, "spool: %s", why);
		log_line(LOG_ERR, "%s: spool %s: %s", s->peer->label, s->cfg->spool_dir, why);
	}
	s->spool_stale = 1;
}

void sink_deliver(struct sinks *s, const struct block_fields *f, struct hl7_span control_id,
		  const char *data, size_t len, struct outcome *o)
{
	const struct config *cfg = s->cfg;
	char tmpname[SPOOL_NAME_MAX], name[SPOOL_NAME_MAX], path[4096];
	const char *what = NULL;

	o->what = ACK_OUTCOME_ACCEPT;
	o->printed = NULL;
	o->printed_len = 0;
	if (!cfg->spool_dir) {
		run_command(s, f, control_id, NULL, data, len, o);
		return;
	}
	if (sinks_spool_ready(s, &what) < 0) {
		spool_failed(s, what, o);
		return;
	}
	if (!cfg->exec_cmd) {
		if (spool_commit(&s->spool, data, len, name) < 0)
			spool_failed(s, NULL, o);
		else
			outcome_sink(o, "spool:ok");
		return;
	}
	/* Both sinks: durable in tmp/, then the command, then new/ (accepted) or failed/. */
	if (spool_stage(&s->spool, data, len, tmpname) < 0) {
		spool_failed(s, NULL, o);
		return;
	}
	spool_path(s, "tmp", tmpname, path, sizeof path);
	run_command(s, f, control_id, path, data, len, o);
	/* sink= names the spool first, as the message is there first. */
	char ran[sizeof o->sink];
	memcpy(ran, o->sink, sizeof ran);
	o->sink[0] = '\0';
	if (o->what == ACK_OUTCOME_ACCEPT) {
		if (spool_publish(&s->spool, tmpname, name) == 0) {
			outcome_sink(o, "spool:ok");
			outcome_sink(o, ran);
			return;
		}
		/* The command has it, the spool does not: AE, so the sender sends it again. */
		const char *why = strerror(errno);
		o->printed = NULL;
		o->printed_len = 0;
		outcome_sink(o, "spool:error");
		outcome_sink(o, ran);
		outcome_fail(o, ACK_OUTCOME_ERROR, 207, "spool: %s", why);
		log_line(LOG_ERR, "%s: spool: cannot move %s to new/: %s", s->peer->label, tmpname,
			 why);
		unlinkat(s->spool.tmpfd, tmpname, 0);
		s->spool_stale = 1;
		return;
	}
	if (spool_reject(&s->spool, tmpname, name) < 0) {
		log_line(LOG_ERR, "%s: spool: cannot move %s to failed/: %s", s->peer->label,
			 name[0] ? name : tmpname, strerror(errno));
		s->spool_stale = 1;
	}
	outcome_sink(o, "spool:failed");
	outcome_sink(o, ran);
}

int sink_stage(struct sinks *s, const char *data, size_t len, struct spool_staged *st,
	       struct outcome *o)
{
	const char *what = NULL;

	if (sinks_spool_ready(s, &what) < 0) {
		spool_failed(s, what, o);
		return -1;
	}
	if (spool_write(&s->spool, data, len, st) < 0) {
		spool_failed(s, NULL, o);
		return -1;
	}
	return 0;
}

void sink_committed(struct sinks *s, int err, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	o->what = ACK_OUTCOME_ACCEPT;
	if (err) {
		errno = err;
		spool_failed(s, NULL, o);
	} else {
		outcome_sink(o, "spool:ok");
	}
}

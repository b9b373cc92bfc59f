/* SPDX-License-Identifier: MIT */
/* reply.c: hl7 ack: the acknowledgement mllpd would send for each message (lib/ack). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ack.h"
#include "hl7cmd.h"
#include "mllp.h"
#include "msgsplit.h"

struct reply {
	int have_code;
	enum ack_outcome outcome;
	const char *text;
	int err_code;
	enum ack_mode mode;
	const char *application, *facility;
	int mllp;
	unsigned long seq;
	char *out;
	size_t cap;
};

static void reply_message(void *ctx, const struct input_msg *in)
{
	struct reply *r = ctx;
	struct hl7_msg m;
	enum hl7_status status;
	enum ack_outcome outcome = r->outcome;
	int err_code = r->err_code;
	const char *text = r->text;
	char id[32], ts[32];
	struct timespec now;

	if (in->flags & MSGSPLIT_TRUNCATED) {
		report(EX_DATAERR_, in, "MLLP frame not ended by 0x1C: skipped");
		return;
	}
	if (in->flags & MSGSPLIT_BATCH) {
		report(EX_DATAERR_, in, "a batch (FHS/BHS): batch acknowledgements are not supported yet");
		return;
	}
	status = hl7_parse(&m, in->p, in->len, 0);
	if (status != HL7_OK) {
		/* mllpd refuses it whatever a command would say: the same AR */
		report(EX_DATAERR_, in, "%s", hl7_status_text(status));
		outcome = ACK_OUTCOME_REJECT;
		err_code = hl7_status_code(status);
		text = hl7_status_text(status);
	} else if (outcome == ACK_OUTCOME_ACCEPT) {
		err_code = 0;
	} else if (!err_code) {
		err_code = 207;
	}
	enum ack_code code = ack_choose(&m, r->mode, outcome);
	if (code == ACK_NONE)
		return; /* mllpd would not answer this one */
	clock_gettime(CLOCK_REALTIME, &now);
	ack_control_id(id, sizeof id, &now, (unsigned long)getpid(), ++r->seq);
	ack_timestamp(ts, sizeof ts, now.tv_sec);
	struct ack_params ap = {
		.code = code,
		.err_code = err_code,
		.err_text = text,
		.err_segment = status != HL7_OK && m.err_segment[0] ? m.err_segment : NULL,
		.err_field = status != HL7_OK ? m.err_field : 0,
		.control_id = id,
		.timestamp = ts,
		.application = r->application,
		.facility = r->facility,
	};
	size_t need = ack_build(NULL, 0, &m, &ap);
	if (need + 3 > r->cap) {
		char *p = realloc(r->out, need + 3);
		if (!p) {
			report_plain(EX_SOFTWARE_, "out of memory");
			exit(71);
		}
		r->out = p;
		r->cap = need + 3;
	}
	ack_build(r->out + 1, r->cap - 1, &m, &ap);
	if (r->mllp) {
		r->out[0] = MLLP_START;
		r->out[need + 1] = MLLP_END;
		r->out[need + 2] = MLLP_CR;
		out_bytes(r->out, need + 3);
	} else {
		out_bytes(r->out + 1, need);
	}
}

static int parse_code(const char *s, enum ack_outcome *o)
{
	if (strlen(s) != 2 || (s[0] != 'A' && s[0] != 'C'))
		return -1;
	switch (s[1]) {
	case 'A': *o = ACK_OUTCOME_ACCEPT; return 0;
	case 'E': *o = ACK_OUTCOME_ERROR; return 0;
	case 'R': *o = ACK_OUTCOME_REJECT; return 0;
	}
	return -1;
}

int cmd_ack(int argc, char **argv)
{
	enum { O_CODE = 256, O_TEXT, O_ERR, O_MODE, O_APP, O_FAC, O_MLLP };
	static const struct option options[] = {
		{"code", required_argument, NULL, O_CODE},
		{"text", required_argument, NULL, O_TEXT},
		{"error-code", required_argument, NULL, O_ERR},
		{"mode", required_argument, NULL, O_MODE},
		{"application", required_argument, NULL, O_APP},
		{"facility", required_argument, NULL, O_FAC},
		{"mllp", no_argument, NULL, O_MLLP},
		{NULL, 0, NULL, 0},
	};
	struct reply r;
	int c;

	memset(&r, 0, sizeof r);
	r.outcome = ACK_OUTCOME_ACCEPT;
	r.mode = ACK_MODE_AUTO;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case O_CODE:
			if (parse_code(optarg, &r.outcome) < 0)
				usage_error("ack: --code: must be AA, AE or AR: %s", optarg);
			break;
		case O_TEXT: r.text = optarg; break;
		case O_ERR: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 0 || v > 99999)
				usage_error("ack: --error-code: not a table 0357 code: %s", optarg);
			r.err_code = (int)v;
			break;
		}
		case O_MODE:
			if (strcmp(optarg, "auto") == 0)
				r.mode = ACK_MODE_AUTO;
			else if (strcmp(optarg, "original") == 0)
				r.mode = ACK_MODE_ORIGINAL;
			else
				usage_error("ack: --mode: must be auto or original: %s", optarg);
			break;
		case O_APP: r.application = optarg; break;
		case O_FAC: r.facility = optarg; break;
		case O_MLLP: r.mllp = 1; break;
		case ':': usage_error("ack: %s: requires a value", argv[optind - 1]);
		default: usage_error("ack: unknown option: %s", argv[optind - 1]);
		}
	}
	input_each(argv + optind, argc - optind, reply_message, &r);
	free(r.out);
	return 0;
}

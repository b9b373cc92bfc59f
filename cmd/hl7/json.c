/* SPDX-License-Identifier: MIT */
/* json.c: hl7 json: one JSON object per message, nested arrays or flat path/value pairs. */
#include <getopt.h>
#include <string.h>

#include "hl7cmd.h"

struct json {
	int paths;
	int raw;
	int first; /* no pair written yet in this object (--paths) */
	const struct hl7_msg *m;
};

static void leaf(struct json *j, const struct hl7_walk_pos *w)
{
	struct hl7_span v = w->value;

	if (!j->raw && !w->whole)
		v = value_decode(j->m, v);
	out_json_string(v.p, v.len);
}

/*
 * {"segments":[["MSH",F1,F2,...],["PID",F1,...]]}: a segment is an array
 * whose element 0 is its ID and element n its field n; a field is an array
 * of repetitions, a repetition of components, a component of subcomponents
 * (strings).
 */
static void nested(void *ctx, enum hl7_walk_event ev, const struct hl7_walk_pos *w)
{
	struct json *j = ctx;

	switch (ev) {
	case HL7_WALK_SEGMENT:
		if (!j->first)
			out_char(',');
		j->first = 0;
		out_char('[');
		if (w->id[0])
			out_json_string(w->id, 3);
		else
			out_json_string(w->segment.p, w->segment.len);
		break;
	case HL7_WALK_FIELD: out_str(",["); break;
	case HL7_WALK_REP: out_str(w->rep > 1 ? ",[" : "["); break;
	case HL7_WALK_COMP: out_str(w->comp > 1 ? ",[" : "["); break;
	case HL7_WALK_LEAF:
		if (w->sub > 1)
			out_char(',');
		leaf(j, w);
		break;
	default: out_char(']'); break;
	}
}

/* {"MSH-1":"|","MSH-2":"^~\\&","MSH-3":"SND",...}: every non-empty leaf. */
static void flat(void *ctx, enum hl7_walk_event ev, const struct hl7_walk_pos *w)
{
	struct json *j = ctx;
	char path[64];
	size_t n;

	if (ev != HL7_WALK_LEAF || w->value.len == 0 || !w->id[0])
		return;
	n = hl7_walk_path(w, HL7_WALK_LEAF, path, sizeof path);
	if (!j->first)
		out_char(',');
	j->first = 0;
	out_json_string(path, n);
	out_char(':');
	leaf(j, w);
}

static void json_message(void *ctx, const struct input_msg *in)
{
	struct json *j = ctx;
	struct hl7_msg m;

	if (batch_open(in, json_message, ctx) || message_open(in, &m) < 0)
		return;
	j->m = &m;
	j->first = 1;
	if (j->paths) {
		out_char('{');
		hl7_walk(&m, flat, j);
		out_str("}\n");
	} else {
		out_str("{\"segments\":[");
		hl7_walk(&m, nested, j);
		out_str("]}\n");
	}
}

int cmd_json(int argc, char **argv)
{
	static const struct option options[] = {
	    {"paths", no_argument, NULL, 'p'},
	    {"raw", no_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	struct json j;
	int c;

	memset(&j, 0, sizeof j);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case 'p': j.paths = 1; break;
		case 'r': j.raw = 1; break;
		default: cli_usage_error("json: unknown option: %s", argv[optind - 1]);
		}
	}
	input_each(argv + optind, argc - optind, json_message, &j);
	return 0;
}

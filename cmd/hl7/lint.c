/* SPDX-License-Identifier: MIT */
/* lint.c: hl7 lint: mllpd's validation plus structure warnings, one line per finding with its path.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "hl7cmd.h"
#include "msgsplit.h"

struct lint {
	int strict;
	const struct input_msg *in;
	const struct hl7_msg *m;
	unsigned long findings;
	char first_path[64]; /* the path of the validation error, not repeated */
	unsigned segno;	     /* segment ordinal while walking */
};

static void finding(struct lint *l, const char *path, const char *severity, const char *fmt,
		    const char *arg)
{
	printf("%s: message %lu: ", l->in->file, l->in->number);
	if (l->in->batch_message)
		printf("batch message %lu: ", l->in->batch_message);
	printf("%s: %s: ", path, severity);
	printf(fmt, arg);
	putchar('\n');
	l->findings++;
}

/* At most 16 bytes of s, control characters as \xhh (lib/termsafe: lint output never carries them
 * raw). */
static void sanitise(char *dst, size_t cap, const char *s, size_t len)
{
	size_t n = termsafe_escape(dst, cap - 4, s, len > 16 ? 16 : len, 0);

	if (n > cap - 4)
		n = cap - 4; /* cannot happen: 16 bytes give at most 64 */
	if (len > 16) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* A known escape sequence body (between the escape characters). */
static int known_escape(const struct hl7_msg *m, const char *b, size_t n)
{
	static const char *const fmt[] = {".br", ".fi", ".nf"};
	size_t i;

	if (n == 1)
		return strchr("FSTREHN", b[0]) != NULL || (b[0] == 'P' && m->d.truncation);
	if (b[0] == 'X') {
		if (n % 2 == 0)
			return 0;
		for (i = 1; i < n; i++)
			if (!is_hex(b[i]))
				return 0;
		return 1;
	}
	if (b[0] == 'C' || b[0] == 'M' || b[0] == 'Z') /* character sets, locally defined */
		return n > 1;
	if (b[0] == '.') {
		for (i = 0; i < sizeof fmt / sizeof fmt[0]; i++)
			if (n == 3 && memcmp(b, fmt[i], 3) == 0)
				return 1;
		/* .sp .in .ti .sk .ce take a number or a sign */
		if (n >= 3 && (memcmp(b, ".sp", 3) == 0 || memcmp(b, ".in", 3) == 0 ||
			       memcmp(b, ".ti", 3) == 0 || memcmp(b, ".sk", 3) == 0 ||
			       memcmp(b, ".ce", 3) == 0))
			return 1;
	}
	return 0;
}

static void check_escapes(struct lint *l, const struct hl7_walk_pos *w)
{
	const char *p = w->value.p;
	size_t n = w->value.len, i = 0;
	char esc = l->m->d.escape, path[64], seq[96];

	while (i < n) {
		const char *a = memchr(p + i, esc, n - i), *b;

		if (!a)
			return;
		b = memchr(a + 1, esc, (size_t)(p + n - a - 1));
		hl7_walk_path(w, HL7_WALK_LEAF, path, sizeof path);
		if (!b) {
			finding(l, path, "warning", "escape character without a closing one%s", "");
			return;
		}
		if (!known_escape(l->m, a + 1, (size_t)(b - a - 1))) {
			sanitise(seq, sizeof seq, a, (size_t)(b - a + 1));
			finding(l, path, "warning", "unknown escape sequence %s", seq);
		}
		i = (size_t)(b - p) + 1;
	}
}

/* " OBX" as a field: a segment run into the previous one (its separator lost). */
static void check_field(struct lint *l, const struct hl7_walk_pos *w)
{
	const char *p = w->value.p;
	size_t n = w->value.len, i = 0;
	char path[64], id[8];

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == 0 || n - i != 3)
		return;
	if (!(p[i] >= 'A' && p[i] <= 'Z'))
		return;
	for (size_t k = i + 1; k < n; k++)
		if (!((p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= '0' && p[k] <= '9')))
			return;
	hl7_walk_path(w, HL7_WALK_FIELD, path, sizeof path);
	memcpy(id, p + i, 3);
	id[3] = '\0';
	finding(l, path, "warning", "segment ID %s inside a field: a lost segment separator?", id);
}

static int valid_id(const struct hl7_walk_pos *w)
{
	const char *p = w->segment.p;

	return w->id[0] && p[0] >= 'A' && p[0] <= 'Z' &&
	       ((p[1] >= 'A' && p[1] <= 'Z') || (p[1] >= '0' && p[1] <= '9')) &&
	       ((p[2] >= 'A' && p[2] <= 'Z') || (p[2] >= '0' && p[2] <= '9'));
}

static void walker(void *ctx, enum hl7_walk_event ev, const struct hl7_walk_pos *w)
{
	struct lint *l = ctx;
	char where[32];

	switch (ev) {
	case HL7_WALK_SEGMENT:
		l->segno++;
		snprintf(where, sizeof where, "segment %u", l->segno);
		if (!valid_id(w) && strcmp(where, l->first_path) != 0)
			finding(l, where, "error", "invalid segment ID%s", "");
		break;
	case HL7_WALK_FIELD:
		if (!w->whole)
			check_field(l, w);
		break;
	case HL7_WALK_LEAF:
		if (!w->whole)
			check_escapes(l, w);
		break;
	default: break;
	}
}

/* Where a validation error is: "MSH-10", "BHS", "segment 3", "MSH". */
static void error_path(const struct hl7_msg *m, char *dst, size_t cap)
{
	if (m->err_segment[0] && m->err_field)
		snprintf(dst, cap, "%s-%u", m->err_segment, m->err_field);
	else if (m->err_segment[0])
		snprintf(dst, cap, "%s", m->err_segment);
	else if (m->status == HL7_ERR_NO_MSH || m->status == HL7_ERR_LENIENT || !m->has_delims)
		snprintf(dst, cap, "MSH");
	else {
		/* an invalid segment ID: its ordinal */
		size_t cursor = 0;
		struct hl7_span seg;
		unsigned n = 0;

		while (hl7_segment_next(m, &cursor, &seg)) {
			n++;
			if ((size_t)(seg.p - m->buf) >= m->err_offset)
				break;
		}
		snprintf(dst, cap, "segment %u", n);
	}
}

/* MSH-12.1 in HL7 table 0104? */
static int version_known(const struct hl7_msg *m)
{
	return hl7_version_known(hl7_msh(m, 12, 1));
}

static void empty_field(struct lint *l, unsigned n, unsigned c, const char *what)
{
	char path[16];

	if (hl7_msh(l->m, n, c).len)
		return;
	snprintf(path, sizeof path, c ? "MSH-%u.%u" : "MSH-%u", n, c);
	finding(l, path, "warning", "%s is empty", what);
}

static void lint_message(void *ctx, const struct input_msg *in)
{
	struct lint *l = ctx;
	struct hl7_msg m;
	enum hl7_status st;

	l->in = in;
	l->m = &m;
	l->segno = 0;
	l->first_path[0] = '\0';
	if (in->flags & MSGSPLIT_TRUNCATED) {
		finding(l, "frame", "error", "MLLP frame not ended by 0x1C%s", "");
		return;
	}
	if (in->flags & MSGSPLIT_BATCH) {
		struct hl7_batch b;

		/* the structure, then each message as a message of its own */
		if (batch_each(in, &b, lint_message, l) != HL7_BATCH_OK) {
			l->in = in;
			finding(l, b.err_segment[0] ? b.err_segment : "batch", "error", "%s",
				hl7_batch_status_text(b.status));
		}
		return;
	}
	st = hl7_parse(&m, in->p, in->len, l->strict ? HL7_PARSE_STRICT : 0);
	if (st != HL7_OK) {
		error_path(&m, l->first_path, sizeof l->first_path);
		finding(l, l->first_path, "error", "%s", hl7_status_text(st));
	}
	if (!m.has_delims)
		return;
	/* the required MSH fields mllpd checks after the first error, too */
	if (st != HL7_ERR_NO_MESSAGE_TYPE && hl7_msh(&m, 9, 1).len == 0)
		finding(l, "MSH-9", "error", "%s", hl7_status_text(HL7_ERR_NO_MESSAGE_TYPE));
	if (st != HL7_ERR_NO_CONTROL_ID && hl7_msh(&m, 10, 0).len == 0)
		finding(l, "MSH-10", "error", "%s", hl7_status_text(HL7_ERR_NO_CONTROL_ID));
	if (st != HL7_ERR_VERSION && st != HL7_ERR_NO_VERSION) {
		if (hl7_msh(&m, 12, 1).len == 0)
			finding(l, "MSH-12", "error", "%s", hl7_status_text(HL7_ERR_NO_VERSION));
		else if (!version_known(&m))
			finding(l, "MSH-12", "error", "%s", hl7_status_text(HL7_ERR_VERSION));
	}
	empty_field(l, 7, 0, "MSH-7 date/time of message");
	if (!hl7_span_eq(hl7_msh(&m, 9, 1), "ACK"))
		empty_field(l, 9, 2, "MSH-9.2 trigger event");
	empty_field(l, 11, 0, "MSH-11 processing ID");
	hl7_walk(&m, walker, l);
}

int cmd_lint(int argc, char **argv)
{
	static const struct option options[] = {
	    {"strict", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	struct lint l;
	int c;

	memset(&l, 0, sizeof l);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case 's': l.strict = 1; break;
		default: cli_usage_error("lint: unknown option: %s", argv[optind - 1]);
		}
	}
	input_each(argv + optind, argc - optind, lint_message, &l);
	return l.findings ? EX_FINDINGS : 0;
}

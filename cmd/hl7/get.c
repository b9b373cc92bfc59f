/* SPDX-License-Identifier: MIT */
/* get.c: hl7 get: values at paths, one tab-separated row per message (or per match with [*]);
 * FHS/BHS paths too. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "hl7cmd.h"

struct column {
	struct hl7_path path;
	int all_segments;    /* SEG[*]-n */
	int all_repetitions; /* SEG-n[*] */
};

struct get {
	struct column *cols;
	int ncols;
	int raw;
	int with_filename;
	const struct input_msg *in; /* the message being read */
	/* per message: every value of every column, as spans */
	struct hl7_span *vals;
	size_t nvals, capvals;
	size_t *first, *count; /* per column: index in vals, how many */
};

/* Parse PATH with the "[*]" forms; 0 or -1. */
static int column_parse(const char *s, struct column *c)
{
	char tmp[64];
	size_t n = 0, i, len = strlen(s);
	int dash = 0;

	memset(c, 0, sizeof *c);
	if (len >= sizeof tmp)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			dash = 1;
		if (strncmp(s + i, "[*]", 3) == 0) {
			int *flag = dash ? &c->all_repetitions : &c->all_segments;

			if (*flag)
				return -1;
			*flag = 1;
			i += 2;
			continue;
		}
		tmp[n++] = s[i];
	}
	return hl7_path_parse(tmp, n, &c->path);
}

static void add(struct get *g, struct hl7_span v)
{
	if (g->nvals == g->capvals) {
		size_t c = g->capvals ? g->capvals * 2 : 64;
		struct hl7_span *p = realloc(g->vals, c * sizeof *p);

		if (!p) {
			report_plain(EX_SOFTWARE, "out of memory");
			exit(EX_OSERR);
		}
		g->vals = p;
		g->capvals = c;
	}
	g->vals[g->nvals++] = v;
}

/* FHS or BHS: the batch header segments, read from the message's batch. */
static int is_header(const char *seg)
{
	return memcmp(seg, "FHS", 3) == 0 || memcmp(seg, "BHS", 3) == 0;
}

/* MSH-1/2, FHS-1/2, BHS-1/2: the delimiters themselves, never split or decoded. */
static int is_delims(const struct hl7_path *p)
{
	return (memcmp(p->seg, "MSH", 3) == 0 || is_header(p->seg)) && p->field <= 2;
}

/* The header segment a path names, for the message in (empty outside a batch). */
static struct hl7_span header_of(const struct input_msg *in, const char *seg)
{
	struct hl7_span none = {"", 0};

	if (!in->batch)
		return none;
	return seg[0] == 'F' ? in->fhs : in->bhs;
}

/* A FHS/BHS path, read as hl7_get() reads a message's. */
static int header_get(const struct input_msg *in, const struct hl7_path *p, struct hl7_span *out)
{
	struct hl7_span seg = header_of(in, p->seg), f, r, c;
	struct hl7_msg d;

	*out = (struct hl7_span){"", 0};
	if (seg.len == 0 || p->seg_index > 1 || !hl7_batch_field(in->batch, seg, p->field, &f))
		return 0;
	if (p->field <= 2) {
		if (p->rep > 1 || p->comp > 1 || p->sub > 1)
			return 0;
		*out = f;
		return 1;
	}
	if (p->rep == 0 && p->comp == 0) {
		*out = f;
		return 1;
	}
	/* the splitters need only the delimiters */
	memset(&d, 0, sizeof d);
	d.d = in->batch->d;
	d.has_field_separator = d.has_delims = 1;
	if (!hl7_repetition(&d, f, p->rep ? p->rep : 1, &r))
		return 0;
	if (p->comp == 0) {
		*out = r;
		return 1;
	}
	if (!hl7_component(&d, r, p->comp, &c))
		return 0;
	if (p->sub == 0) {
		*out = c;
		return 1;
	}
	if (!hl7_subcomponent(&d, c, p->sub, &r))
		return 0;
	*out = r;
	return 1;
}

static int get_value(const struct get *g, const struct hl7_msg *m, const struct hl7_path *p,
		     struct hl7_span *out)
{
	return is_header(p->seg) ? header_get(g->in, p, out) : hl7_get(m, p, out);
}

/* Number of segments with the path's ID (a batch header: 1 when the message has one). */
static unsigned count_segments(const struct get *g, const struct hl7_msg *m, const char *id)
{
	size_t cursor = 0;
	struct hl7_span seg;
	unsigned n = 0;

	if (is_header(id))
		return header_of(g->in, id).len > 0;

	while (hl7_segment_next(m, &cursor, &seg))
		if (seg.len >= 3 && memcmp(seg.p, id, 3) == 0 &&
		    (seg.len == 3 || seg.p[3] == m->d.field))
			n++;
	return n;
}

static void collect(struct get *g, const struct hl7_msg *m, const struct column *c)
{
	struct hl7_path p = c->path;
	unsigned s, last = c->all_segments ? count_segments(g, m, p.seg) : 1;
	struct hl7_span v;

	if (!c->all_segments && !c->all_repetitions) {
		get_value(g, m, &p, &v);
		add(g, v);
		return;
	}
	for (s = 1; s <= last; s++) {
		struct hl7_path f;
		struct hl7_span field;
		unsigned nrep = 1, r;

		if (c->all_segments)
			p.seg_index = s;
		if (!c->all_repetitions) {
			get_value(g, m, &p, &v); /* the segment is there: its value, empty or not */
			add(g, v);
			continue;
		}
		/* every repetition of the field; none when the segment or field is missing */
		f = p;
		f.rep = f.comp = f.sub = 0;
		if (!get_value(g, m, &f, &field))
			continue;
		if (!is_delims(&p))
			for (size_t i = 0; i < field.len; i++)
				nrep += field.p[i] == m->d.repetition;
		for (r = 1; r <= nrep; r++) {
			p.rep = r;
			get_value(g, m, &p, &v);
			add(g, v);
		}
	}
}

static void get_message(void *ctx, const struct input_msg *in)
{
	struct get *g = ctx;
	struct hl7_msg m;
	size_t rows = 1;
	int star = 0;

	if (batch_open(in, get_message, ctx) || message_open(in, &m) < 0)
		return;
	g->in = in;
	g->nvals = 0;
	for (int k = 0; k < g->ncols; k++) {
		const struct column *c = &g->cols[k];

		g->first[k] = g->nvals;
		collect(g, &m, c);
		g->count[k] = g->nvals - g->first[k];
		if (c->all_segments || c->all_repetitions) {
			if (!star || g->count[k] > rows)
				rows = g->count[k];
			star = 1;
		}
	}
	for (size_t r = 0; r < rows; r++) {
		if (g->with_filename) {
			out_cell((struct hl7_span){in->file, strlen(in->file)}, TERMSAFE_NAMED);
			out_char('\t');
		}
		for (int k = 0; k < g->ncols; k++) {
			const struct column *c = &g->cols[k];
			int st = c->all_segments || c->all_repetitions;
			struct hl7_span v = {"", 0};

			if (k)
				out_char('\t');
			if (!st)
				v = g->vals[g->first[k]];
			else if (r < g->count[k])
				v = g->vals[g->first[k] + r];
			else
				continue;
			if (!g->raw && !(is_delims(&c->path) && c->path.seg_index <= 1))
				v = value_decode(&m, v);
			out_cell(v, g->raw ? TERMSAFE_RAW : TERMSAFE_NAMED);
		}
		out_char('\n');
	}
}

int cmd_get(int argc, char **argv)
{
	static const struct option options[] = {
	    {"raw", no_argument, NULL, 'r'},
	    {"with-filename", no_argument, NULL, 'H'},
	    {NULL, 0, NULL, 0},
	};
	struct get g;
	int c, i;

	memset(&g, 0, sizeof g);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:H", options, NULL)) != -1) {
		switch (c) {
		case 'r': g.raw = 1; break;
		case 'H': g.with_filename = 1; break;
		default: cli_usage_error("get: unknown option: %s", argv[optind - 1]);
		}
	}
	g.cols = calloc((size_t)argc, sizeof *g.cols);
	g.first = calloc((size_t)argc, sizeof *g.first);
	g.count = calloc((size_t)argc, sizeof *g.count);
	if (!g.cols || !g.first || !g.count) {
		report_plain(EX_SOFTWARE, "out of memory");
		return EX_SOFTWARE;
	}
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] == '-' && argv[i][1] && g.ncols > 0)
			cli_usage_error("get: options go before the paths: %s", argv[i]);
		if (column_parse(argv[i], &g.cols[g.ncols]) < 0)
			break;
		g.ncols++;
	}
	if (g.ncols == 0) {
		if (i < argc)
			cli_usage_error("get: not a path: %s", argv[i]);
		cli_usage_error("get: no path given");
	}
	input_each(argv + i, argc - i, get_message, &g);
	free(g.vals);
	free(g.cols);
	free(g.first);
	free(g.count);
	return 0;
}

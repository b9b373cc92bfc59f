/* SPDX-License-Identifier: MIT */
/* ackread.c: MSA-1, MSA-2 and the error text of an acknowledgement, read through lib/hl7. */
#include "ackread.h"

#include <string.h>

#include "segnorm.h"

static const char *const status_text[] = {
#define ACKREAD_X_TEXT(name, text) text,
    ACKREAD_STATUS_LIST(ACKREAD_X_TEXT)
#undef ACKREAD_X_TEXT
};

const char *ackread_status_text(enum ackread_status s)
{
	if ((unsigned)s >= sizeof status_text / sizeof status_text[0])
		return "unknown status";
	return status_text[s];
}

static int seg_is(const struct hl7_msg *m, struct hl7_span seg, const char *id)
{
	return seg.len >= 3 && memcmp(seg.p, id, 3) == 0 &&
	       (seg.len == 3 || seg.p[3] == m->d.field);
}

/* Component c, subcomponent s (0 = whole) of the first repetition of field n of seg. */
static struct hl7_span part(const struct hl7_msg *m, struct hl7_span seg, unsigned n, unsigned c,
			    unsigned s)
{
	struct hl7_span f, r, x;
	hl7_field(m, seg, n, &f);
	if (c == 0)
		return f;
	hl7_repetition(m, f, 1, &r);
	hl7_component(m, r, c, &x);
	if (s == 0)
		return x;
	hl7_subcomponent(m, x, s, &f);
	return f;
}

enum ackread_status ackread_parse(struct hl7_msg *m, const char *buf, size_t len, struct ackread *a)
{
	static const char *const codes[] = {"AA", "AE", "AR", "CA", "CE", "CR"};
	struct hl7_span seg, msa = {NULL, 0}, err = {NULL, 0};
	size_t cur = 0;
	int have_msa = 0, have_err = 0;

	memset(a, 0, sizeof *a);
	a->control_id.p = a->text.p = buf;
	hl7_parse(m, buf, len, 0);
	if (!m->has_delims)
		return ACKREAD_NOT_HL7;
	/* hl7_parse() may stop early (a version it does not know, an odd segment ID); iteration
	 * does not. */
	while (hl7_segment_next(m, &cur, &seg)) {
		if (!have_msa && seg_is(m, seg, "MSA")) {
			msa = seg;
			have_msa = 1;
		} else if (!have_err && seg_is(m, seg, "ERR")) {
			err = seg;
			have_err = 1;
		}
	}
	if (!have_msa)
		return ACKREAD_NO_MSA;
	struct hl7_span code = part(m, msa, 1, 0, 0);
	a->control_id = part(m, msa, 2, 0, 0);
	a->text = part(m, msa, 3, 0, 0);
	if (a->text.len == 0 && have_err) {
		static const unsigned where[][3] = {{8, 0, 0}, {3, 2, 0}, {1, 4, 2}};
		for (size_t i = 0; i < sizeof where / sizeof where[0] && a->text.len == 0; i++)
			a->text = part(m, err, where[i][0], where[i][1], where[i][2]);
	}
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		if (hl7_span_eq(code, codes[i])) {
			memcpy(a->code, codes[i], 3);
			a->positive = codes[i][1] == 'A';
			return ACKREAD_OK;
		}
	}
	return ACKREAD_BAD_CODE;
}

enum ackread_status ackread_answer(const char *out, size_t n, struct hl7_span control_id, char *dst,
				   size_t cap, size_t *len, struct hl7_msg *m, struct ackread *a)
{
	memset(a, 0, sizeof *a);
	*len = 0;
	if (cap < n + 1)
		return ACKREAD_NOT_HL7;
	*len = segnorm_copy(dst, cap, out, n);
	if (*len < 3 || memcmp(dst, "MSH", 3) != 0)
		return ACKREAD_NOT_MSH;
	enum ackread_status st = ackread_parse(m, dst, *len, a);
	if (st != ACKREAD_OK)
		return st;
	if (a->control_id.len != control_id.len ||
	    (control_id.len && memcmp(a->control_id.p, control_id.p, control_id.len) != 0))
		return ACKREAD_OTHER_MESSAGE;
	return ACKREAD_OK;
}

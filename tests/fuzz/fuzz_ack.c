/* SPDX-License-Identifier: MIT */
/* fuzz_ack.c: round trip: parse any input, choose and build its ACK, and parse the ACK again. */
#include <stdlib.h>
#include <string.h>

#include "ack.h"
#include "ackread.h"
#include "fuzz.h"
#include "hl7.h"

/*
 * Input: byte 0 picks the ACK code and the error parameters, bytes 1..
 * are the message.  The ACK's texts (application, error text) are cut
 * from the message too, so that escaping sees the message's delimiters.
 */

/* A NUL-terminated copy of up to max bytes at p (the C strings ack_params wants). */
static char *text(const char *p, size_t len, size_t max)
{
	size_t n = len < max ? len : max, k = 0;
	char *s = malloc(n + 1);

	if (!s)
		abort();
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			s[k++] = p[i];
	s[k] = 0;
	return s;
}

/* hl7_unescape(v) equals t. */
static int unescapes_to(const struct hl7_delims *d, struct hl7_span v, const char *t)
{
	size_t n = hl7_unescape(d, v, NULL, 0), tl = strlen(t);
	char *u = malloc(n + 1);
	int eq;

	if (!u)
		abort();
	hl7_unescape(d, v, u, n);
	eq = n == tl && memcmp(u, t, n) == 0;
	free(u);
	return eq;
}

static void build_and_check(const struct hl7_msg *m, const struct ack_params *p)
{
	char small[16];
	size_t need = ack_build(small, sizeof small, m, p), again, cut;
	char *a = malloc(need), *b = malloc(need);
	struct hl7_msg am;
	struct ackread ar;
	enum hl7_status st;
	struct hl7_span id;

	if (!a || !b)
		abort();
	FUZZ_CHECK(ack_build(NULL, 0, m, p) == need);
	again = ack_build(a, need, m, p);
	FUZZ_CHECK(again == need);
	FUZZ_CHECK(memcmp(small, a, need < sizeof small ? need : sizeof small) == 0);
	/* a buffer cut anywhere gets the same prefix and the same length */
	cut = need / 2;
	FUZZ_CHECK(ack_build(b, cut, m, p) == need && memcmp(a, b, cut) == 0);
	FUZZ_CHECK(need >= 4 && memcmp(a, "MSH", 3) == 0 && a[need - 1] == '\r');
	FUZZ_CHECK(!memchr(a, '\n', need));

	st = hl7_parse(&am, a, need, HL7_PARSE_STRICT);
	FUZZ_CHECK(am.has_delims);
	FUZZ_CHECK(ackread_parse(&am, a, need, &ar) == ACKREAD_OK);
	FUZZ_CHECK(strcmp(ar.code, ack_code_name(p->code)) == 0);
	FUZZ_CHECK(ar.positive == ack_code_positive(p->code));
	hl7_parse(&am, a, need, HL7_PARSE_STRICT);
	if (!m->has_delims) {
		/* the minimal NAK: |^~\&, version 2.5, every copied value escaped */
		FUZZ_CHECK(st == HL7_OK);
		FUZZ_CHECK(memcmp(&am.d, &hl7_default_delims, sizeof am.d) == 0);
		if (m->has_field_separator) {
			struct hl7_span in = hl7_msh(m, 10, 0);
			char *t = text(in.p, in.len, in.len);

			/* MSA-2 decodes to the inbound MSH-10 (checked when it holds no NUL) */
			if (strlen(t) == in.len)
				FUZZ_CHECK(unescapes_to(&am.d, ar.control_id, t));
			free(t);
		} else {
			FUZZ_CHECK(ar.control_id.len == 0);
		}
	} else {
		/*
		 * The ACK keeps the inbound delimiters and copies MSH-2..6, 11, 12
		 * and MSH-10 (into MSA-2) raw.  It parses strictly when what it
		 * copies was valid: a known MSH-12 version (the only copied
		 * field hl7_parse judges).
		 */
		FUZZ_CHECK(memcmp(&am.d, &m->d, sizeof am.d) == 0);
		if (hl7_version_known(hl7_msh(m, 12, 1)))
			FUZZ_CHECK(st == HL7_OK);
		id = hl7_msh(m, 10, 0);
		FUZZ_CHECK(ar.control_id.len == id.len &&
			   memcmp(ar.control_id.p, id.p, id.len) == 0);
		FUZZ_CHECK(hl7_span_eq(hl7_msh(&am, 9, 1), "ACK"));
	}
	/* MSA-3 carries the error text, escaped for the ACK's delimiters */
	if (p->err_text && *p->err_text)
		FUZZ_CHECK(unescapes_to(&am.d, ar.text, p->err_text));
	FUZZ_CHECK(ack_choose(&am, ACK_MODE_AUTO, ACK_OUTCOME_ACCEPT) == ACK_NONE);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ack_code codes[] = {ACK_AA, ACK_AE, ACK_AR, ACK_CA, ACK_CE, ACK_CR};
	static const int err_codes[] = {0, 100, 101, 102, 203, 207};
	struct hl7_msg m;
	struct ack_params p;
	const char *buf;
	size_t len;
	uint8_t sel;
	char *app, *etext;

	if (size < 1)
		return 0;
	sel = data[0];
	buf = (const char *)data + 1;
	len = size - 1;

	for (int strict = 0; strict < 2; strict++) {
		enum hl7_status st = hl7_parse(&m, buf, len, strict ? HL7_PARSE_STRICT : 0);

		for (int mode = 0; mode < 2; mode++)
			for (int o = 0; o <= ACK_OUTCOME_REJECT; o++) {
				enum ack_code c =
				    ack_choose(&m, mode ? ACK_MODE_ORIGINAL : ACK_MODE_AUTO,
					       (enum ack_outcome)o);
				FUZZ_CHECK(c >= ACK_NONE && c <= ACK_CR);
				if (mode == 1 && c != ACK_NONE)
					FUZZ_CHECK(c == (o == 0	  ? ACK_AA
							 : o == 1 ? ACK_AE
								  : ACK_AR));
				if (c == ACK_NONE)
					continue;
				memset(&p, 0, sizeof p);
				p.code = c;
				p.err_code = o == 0 ? 0 : hl7_status_code(st);
				p.err_text = o == 0 ? NULL : hl7_status_text(st);
				p.err_segment = o == 0 ? NULL : m.err_segment;
				p.err_field = m.err_field;
				p.control_id = "ACK0000000000000001";
				p.timestamp = "20260101000000+0000";
				build_and_check(&m, &p);
			}
	}

	/* any code and error with texts cut from the input (escaped by the builder) */
	hl7_parse(&m, buf, len, 0);
	memset(&p, 0, sizeof p);
	p.code = codes[sel % 6];
	p.err_code = err_codes[(sel >> 3) % 6];
	app = text(buf, len, (sel >> 6) & 1 ? 12 : 0);
	etext = text(len > 8 ? buf + 8 : buf, len > 8 ? len - 8 : len, 40);
	p.application = (sel >> 6) & 1 ? app : NULL;
	p.facility = (sel >> 7) & 1 ? "FAC" : NULL;
	p.err_text = etext;
	p.err_segment = "MSH";
	p.err_field = sel;
	p.control_id = "C1";
	p.timestamp = "20260101000000";
	build_and_check(&m, &p);
	free(app);
	free(etext);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* test_ack.c: table-driven tests of the ACK choice (HL7 table 0155) and of the exact ACK bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ack.h"
#include "hl7.h"
#include "corpus.h"
#include "guard.h"
#include "tap.h"

/* Show bytes for a failure diagnostic: CR as <CR>, others non-printable as \xNN. */
static void show(const char *label, const char *p, size_t len)
{
	size_t i;

	printf("#   %s: '", label);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r')
			printf("<CR>");
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02X", c);
	}
	printf("'\n");
}

#define MSH_HEAD "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||"
#define TS "20260101120001+0100"

/* ---- ack_build: exact bytes ---- */

struct build_case {
	const char *name;
	const char *in;
	enum ack_code code;
	int from_parse; /* 1: err_code/text/segment/field from the parse result */
	int err_code;
	const char *err_text;
	const char *err_segment;
	unsigned err_field;
	const char *application;
	const char *facility;
	const char *want;
};

static const struct build_case build_cases[] = {
    {"AA v2.5.1 (the spec example)", MSH_HEAD "ADT^A01^ADT_A01|MSG00001|P|2.5.1\rPID|1\r", ACK_AA,
     0, 0, NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5.1\rMSA|AA|MSG00001\r"},
    {"AR v2.4: ERR-1 form", MSH_HEAD "ADT^A01||P|2.4\r", ACK_AR, 1, 0, NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.4\r"
     "MSA|AR||MSH-10 control ID is empty\rERR|MSH^1^10^101&Required field missing&HL70357\r"},
    {"AR v2.5: ERR-2/3/4/8 form", MSH_HEAD "ADT^A01||P|2.5\r", ACK_AR, 1, 0, NULL, NULL, 0, NULL,
     NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5\r"
     "MSA|AR||MSH-10 control ID is empty\r"
     "ERR||MSH^1^10|101^Required field missing^HL70357|E||||MSH-10 control ID is empty\r"},
    {"AR v2.1: ERR-1 form, ACK^trigger", MSH_HEAD "ADT^A01|X1|P|2.1\rpid\r", ACK_AR, 1, 0, NULL,
     NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01|ACK1|P|2.1\r"
     "MSA|AR|X1|invalid segment ID\rERR|^^^100&Segment sequence error&HL70357\r"},
    {"AR v2.3.1: ERR-1 form, second MSH",
     MSH_HEAD "ADT^A01|X1|P|2.3.1\r" MSH_HEAD "ADT^A01|X2|P|2.3.1\r", ACK_AR, 1, 0, NULL, NULL, 0,
     NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.3.1\r"
     "MSA|AR|X1|second MSH or batch segment inside a message\rERR|MSH^^^100&Segment sequence "
     "error&HL70357\r"},
    {"AR unknown version 2.999: ERR form of v2.5", MSH_HEAD "ORU^R01|MSG1|P|2.999\r", ACK_AR, 1, 0,
     NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^R01^ACK|ACK1|P|2.999\r"
     "MSA|AR|MSG1|MSH-12 version is not in HL7 table 0104\r"
     "ERR||MSH^1^12|203^Unsupported version id^HL70357|E||||MSH-12 version is not in HL7 table "
     "0104\r"},
    {"AR empty MSH-12: 101 at MSH-12, version 2.5 in the ACK (the form of its ERR)",
     MSH_HEAD "ORU^R01|MSG1|P|\r", ACK_AR, 1, 0, NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^R01^ACK|ACK1|P|2.5\r"
     "MSA|AR|MSG1|MSH-12 version is empty\r"
     "ERR||MSH^1^12|101^Required field missing^HL70357|E||||MSH-12 version is empty\r"},
    {"AR empty MSH-9.1 v2.5.1", MSH_HEAD "^A01|MSG1|P|2.5.1\r", ACK_AR, 1, 0, NULL, NULL, 0, NULL,
     NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5.1\r"
     "MSA|AR|MSG1|MSH-9.1 message type is empty\r"
     "ERR||MSH^1^9|101^Required field missing^HL70357|E||||MSH-9.1 message type is empty\r"},
    {"plain ACK without trigger (v2.3)", MSH_HEAD "ORU|X1|P|2.3\r", ACK_AA, 0, 0, NULL, NULL, 0,
     NULL, NULL, "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK|ACK1|P|2.3\rMSA|AA|X1\r"},
    {"plain ACK with an empty trigger (v2.5)", MSH_HEAD "ADT^|X1|P|2.5\r", ACK_AA, 0, 0, NULL, NULL,
     0, NULL, NULL, "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK|ACK1|P|2.5\rMSA|AA|X1\r"},
    {"v2.3: ACK^A01", MSH_HEAD "ADT^A01|X1|P|2.3\r", ACK_AA, 0, 0, NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01|ACK1|P|2.3\rMSA|AA|X1\r"},
    {"v2.2: ACK^A01", MSH_HEAD "ADT^A01|X1|P|2.2\r", ACK_AA, 0, 0, NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01|ACK1|P|2.2\rMSA|AA|X1\r"},
    {"v2.3.1: ACK^A01^ACK", MSH_HEAD "ADT^A01^ADT_A01|X1|P|2.3.1\r", ACK_AA, 0, 0, NULL, NULL, 0,
     NULL, NULL, "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.3.1\rMSA|AA|X1\r"},
    {"MSH-11/12 copied whole", MSH_HEAD "MDM^T01|X1|T^|2.5^DEU\r", ACK_AA, 0, 0, NULL, NULL, 0,
     NULL, NULL, "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^T01^ACK|ACK1|T^|2.5^DEU\rMSA|AA|X1\r"},
    {"MSH-3..6 with components copied raw, MSH-10 leading space echoed",
     "MSH|^~\\&|SND^X^ISO|SFAC|RCV^Y|RFAC&Z|T||SIU^S14| 38762|P|2.3\r", ACK_AA, 0, 0, NULL, NULL, 0,
     NULL, NULL,
     "MSH|^~\\&|RCV^Y|RFAC&Z|SND^X^ISO|SFAC|" TS "||ACK^S14|ACK1|P|2.3\rMSA|AA| 38762\r"},
    {"--ack-application/--ack-facility escaped", MSH_HEAD "ADT^A01|X1|P|2.5\r", ACK_AA, 0, 0, NULL,
     NULL, 0, "A|B^C", "F&G\\H~",
     "MSH|^~\\&|A\\F\\B\\S\\C|F\\T\\G\\E\\H\\R\\|SND|SFAC|" TS
     "||ACK^A01^ACK|ACK1|P|2.5\rMSA|AA|X1\r"},
    {"--ack-application only", MSH_HEAD "ADT^A01|X1|P|2.5\r", ACK_AA, 0, 0, NULL, NULL, 0, "MLLPD",
     NULL, "MSH|^~\\&|MLLPD|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5\rMSA|AA|X1\r"},
    {"AE spool failure v2.5.1, location unknown", MSH_HEAD "ADT^A01|MSG00001|P|2.5.1\r", ACK_AE, 0,
     207, "spool: No space left on device", NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5.1\r"
     "MSA|AE|MSG00001|spool: No space left on device\r"
     "ERR||^^|207^Application internal error^HL70357|E||||spool: No space left on device\r"},
    {"AE v2.4, location unknown", MSH_HEAD "ADT^A01|MSG00001|P|2.4\r", ACK_AE, 0, 207,
     "exec: exited 1", NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.4\r"
     "MSA|AE|MSG00001|exec: exited 1\rERR|^^^207&Application internal error&HL70357\r"},
    {"AR message too large v2.3", MSH_HEAD "ADT^A01|X1|P|2.3\r", ACK_AR, 0, 100,
     "message too large", NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01|ACK1|P|2.3\r"
     "MSA|AR|X1|message too large\rERR|^^^100&Segment sequence error&HL70357\r"},
    {"AR without text: no MSA-3, no ERR-8", MSH_HEAD "ADT^A01|X1|P|2.6\r", ACK_AR, 0, 200, NULL,
     NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.6\r"
     "MSA|AR|X1\rERR||^^|200^Unsupported message type^HL70357|E\r"},
    {"text with delimiters, CR and LF escaped", MSH_HEAD "ADT^A01|X1|P|2.5\r", ACK_AR, 0, 102,
     "bad|value^here\rnext\n", "PID", 3, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5\r"
     "MSA|AR|X1|bad\\F\\value\\S\\here\\X0D\\next\\X0A\\\r"
     "ERR||PID^1^3|102^Data type error^HL70357|E||||bad\\F\\value\\S\\here\\X0D\\next\\X0A\\\r"},
    {"AE with text but no ERR", MSH_HEAD "ADT^A01|X1|P|2.5\r", ACK_AE, 0, 0, "try later", NULL, 0,
     NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5\rMSA|AE|X1|try later\r"},
    {"CA in enhanced mode", MSH_HEAD "ADT^A01|X1|P|2.5|||AL|NE\r", ACK_CA, 0, 0, NULL, NULL, 0,
     NULL, NULL, "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5\rMSA|CA|X1\r"},
    {"non-default delimiters #$*@% v2.4, text escaped with them",
     "MSH#$*@%#SND#SFAC#RCV#RFAC#T##ADT$A01#X1#P#2.4\r", ACK_AE, 0, 207, "exit #1 $x@", NULL, 0,
     "A#B", NULL,
     "MSH#$*@%#A@F@B#RFAC#SND#SFAC#" TS "##ACK$A01$ACK#ACK1#P#2.4\r"
     "MSA#AE#X1#exit @F@1 @S@x@E@\rERR#$$$207%Application internal error%HL70357\r"},
    {"non-default delimiters #$*@% v2.5 ERR form", "MSH#$*@%#SND#SFAC#RCV#RFAC#T##ADT$A01##P#2.5\r",
     ACK_AR, 1, 0, NULL, NULL, 0, NULL, NULL,
     "MSH#$*@%#RCV#RFAC#SND#SFAC#" TS "##ACK$A01$ACK#ACK1#P#2.5\r"
     "MSA#AR##MSH-10 control ID is empty\r"
     "ERR##MSH$1$10#101$Required field missing$HL70357#E####MSH-10 control ID is empty\r"},
    {"MSH-2 ^~\\} copied", "MSH|^~\\}|S|SF|R|RF|T||BAR^P01|X1|P|2.4\r", ACK_AR, 0, 207, "a}b", NULL,
     0, NULL, NULL,
     "MSH|^~\\}|R|RF|S|SF|" TS "||ACK^P01^ACK|ACK1|P|2.4\r"
     "MSA|AR|X1|a\\T\\b\rERR|^^^207}Application internal error}HL70357\r"},
    {"MSH-2 with truncation ^~\\&# copied, # escaped",
     "MSH|^~\\&#|S|SF|R|RF|T||ORU^R01^ORU_R01|X1|P|2.7\r", ACK_AE, 0, 207, "a#b", NULL, 0, NULL,
     NULL,
     "MSH|^~\\&#|R|RF|S|SF|" TS "||ACK^R01^ACK|ACK1|P|2.7\r"
     "MSA|AE|X1|a\\P\\b\rERR||^^|207^Application internal error^HL70357|E||||a\\P\\b\r"},
    {"BOM and strict: LENIENT, inbound delimiters still used",
     "\xEF\xBB\xBF" MSH_HEAD "ADT^A01|X1|P|2.5\r", ACK_AR, 2, 0, NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|RCV|RFAC|SND|SFAC|" TS "||ACK^A01^ACK|ACK1|P|2.5\r"
     "MSA|AR|X1|non-standard message (refused by --strict)\r"
     "ERR||^^|102^Data type error^HL70357|E||||non-standard message (refused by --strict)\r"},

    /* minimal NAKs: no usable delimiters */
    {"minimal NAK: bad MSH-2, field separator #, MSH-10 escaped",
     "MSH#foo#SND#SFAC#RCV#RFAC#T##ADT^A01#C|1^x\\#P#2.5\r", ACK_AR, 1, 0, NULL, NULL, 0, NULL,
     NULL,
     "MSH|^~\\&|||||" TS "||ACK|ACK1|P|2.5\r"
     "MSA|AR|C\\F\\1\\S\\x\\E\\|MSH-2 is not 4 or 5 distinct encoding characters\r"
     "ERR||MSH^1^2|102^Data type error^HL70357|E||||MSH-2 is not 4 or 5 distinct encoding "
     "characters\r"},
    {"minimal NAK: MSH-2 empty, v2.3 inbound still answered as 2.5",
     "MSH||S|F|R|F|T||ADT^A01|CTL|P|2.3\r", ACK_AR, 1, 0, NULL, NULL, 0, "MLLPD", "HOSP",
     "MSH|^~\\&|MLLPD|HOSP|||" TS "||ACK|ACK1|P|2.5\r"
     "MSA|AR|CTL|MSH-2 is not 4 or 5 distinct encoding characters\r"
     "ERR||MSH^1^2|102^Data type error^HL70357|E||||MSH-2 is not 4 or 5 distinct encoding "
     "characters\r"},
    {"minimal NAK: no MSH", "PID|1\r", ACK_AR, 1, 0, NULL, NULL, 0, NULL, NULL,
     "MSH|^~\\&|||||" TS "||ACK|ACK1|P|2.5\r"
     "MSA|AR||message does not start with MSH\r"
     "ERR||^^|100^Segment sequence error^HL70357|E||||message does not start with MSH\r"},
    {"minimal NAK: MSH-1 a letter", "MSHH0", ACK_AR, 1, 0, NULL, NULL, 0, "A|B", NULL,
     "MSH|^~\\&|A\\F\\B||||" TS "||ACK|ACK1|P|2.5\r"
     "MSA|AR||MSH-1 is not a valid field separator\r"
     "ERR||MSH^1^1|102^Data type error^HL70357|E||||MSH-1 is not a valid field separator\r"},
    {"minimal NAK: empty block, message too large", "", ACK_AR, 0, 100, "message too large", NULL,
     0, NULL, NULL,
     "MSH|^~\\&|||||" TS "||ACK|ACK1|P|2.5\r"
     "MSA|AR||message too large\rERR||^^|100^Segment sequence error^HL70357|E||||message too "
     "large\r"},
};

static void fill_params(struct ack_params *p, const struct build_case *c, const struct hl7_msg *m)
{
	memset(p, 0, sizeof *p);
	p->code = c->code;
	p->err_code = c->err_code;
	p->err_text = c->err_text;
	p->err_segment = c->err_segment;
	p->err_field = c->err_field;
	if (c->from_parse) {
		p->err_code = hl7_status_code(m->status);
		p->err_text = hl7_status_text(m->status);
		p->err_segment = m->err_segment;
		p->err_field = m->err_field;
	}
	p->control_id = "ACK1";
	p->timestamp = TS;
	p->application = c->application;
	p->facility = c->facility;
}

static void test_build(void)
{
	size_t i;

	for (i = 0; i < sizeof build_cases / sizeof build_cases[0]; i++) {
		const struct build_case *c = &build_cases[i];
		size_t len = strlen(c->in), n, want = strlen(c->want);
		struct guarded g = guard_copy(c->in, len);
		struct hl7_msg m;
		struct ack_params p;
		char out[1024];

		hl7_parse(&m, g.p, len, c->from_parse == 2 ? HL7_PARSE_STRICT : 0);
		fill_params(&p, c, &m);
		n = ack_build(out, sizeof out, &m, &p);
		TAP_OK(n == want && memcmp(out, c->want, n) == 0, "ack_build: %s", c->name);
		if (n != want || memcmp(out, c->want, n) != 0) {
			show("got ", out, n < sizeof out ? n : sizeof out);
			show("want", c->want, want);
		}
		guard_free(&g);
	}
}

/* strlcpy-style: the full length whatever the capacity, never a byte past it. */
static void test_build_bounds(void)
{
	static const char in[] = MSH_HEAD "ADT^A01|MSG00001|P|2.5.1\r";
	struct guarded g = guard_copy(in, sizeof in - 1);
	struct hl7_msg m;
	struct ack_params p;
	char full[512], part[512];
	size_t n, cap;
	int ok = 1;

	hl7_parse(&m, g.p, sizeof in - 1, 0);
	memset(&p, 0, sizeof p);
	p.code = ACK_AE;
	p.err_code = 207;
	p.err_text = "x|y";
	p.control_id = "C";
	p.timestamp = TS;
	p.application = "A^B";
	n = ack_build(full, sizeof full, &m, &p);
	TAP_OK(ack_build(NULL, 0, &m, &p) == n, "ack_build: NULL, 0 measures (%zu)", n);
	for (cap = 0; cap <= n + 1; cap++) {
		memset(part, 'Z', sizeof part);
		if (ack_build(part, cap, &m, &p) != n ||
		    memcmp(part, full, cap < n ? cap : n) != 0 || part[cap < n ? cap : n] != 'Z')
			ok = 0;
	}
	TAP_OK(ok, "ack_build: every capacity 0..%zu writes a prefix and returns %zu", n + 1, n);
	guard_free(&g);

	hl7_parse(&m, "PID", 3, 0);
	n = ack_build(full, sizeof full, &m, &p);
	ok = 1;
	for (cap = 0; cap <= n; cap++) {
		memset(part, 'Z', sizeof part);
		if (ack_build(part, cap, &m, &p) != n || memcmp(part, full, cap) != 0 ||
		    part[cap] != 'Z')
			ok = 0;
	}
	TAP_OK(ok, "ack_build: minimal NAK, every capacity");
}

/* An ACK we build parses, strictly, and answers nothing itself. */
static void test_roundtrip(void)
{
	size_t i;

	for (i = 0; i < sizeof build_cases / sizeof build_cases[0]; i++) {
		const struct build_case *c = &build_cases[i];
		size_t len = strlen(c->in), n;
		struct guarded g = guard_copy(c->in, len), ga;
		struct hl7_msg m, a;
		struct ack_params p;
		struct hl7_path path;
		struct hl7_span v;
		char out[1024];
		enum hl7_status st;
		int ok;

		hl7_parse(&m, g.p, len, c->from_parse == 2 ? HL7_PARSE_STRICT : 0);
		fill_params(&p, c, &m);
		n = ack_build(out, sizeof out, &m, &p);
		ga = guard_copy(out, n);
		st = hl7_parse(&a, ga.p, n, HL7_PARSE_STRICT);
		ok = (st == HL7_OK || (st == HL7_ERR_VERSION && m.status == HL7_ERR_VERSION)) &&
		     a.has_delims;
		hl7_path_parse("MSA-1", 5, &path);
		ok = ok && hl7_get(&a, &path, &v) && hl7_span_eq(v, ack_code_name(c->code));
		if (m.has_delims) {
			hl7_path_parse("MSA-2", 5, &path);
			ok = ok && hl7_get(&a, &path, &v) && v.len == hl7_msh(&m, 10, 0).len &&
			     memcmp(v.p, hl7_msh(&m, 10, 0).p, v.len) == 0;
		}
		ok = ok && ack_choose(&a, ACK_MODE_AUTO, ACK_OUTCOME_ACCEPT) == ACK_NONE &&
		     ack_choose(&a, ACK_MODE_ORIGINAL, ACK_OUTCOME_REJECT) == ACK_NONE;
		TAP_OK(ok, "round trip: %s", c->name);
		if (!ok)
			printf("#   ACK parse: %s\n", hl7_status_text(st));
		guard_free(&ga);
		guard_free(&g);
	}
}

/* ---- ack_choose ---- */

/* MSH-15, MSH-16, then the answer to accept, error and reject ("-" = none). */
static const struct {
	const char *f15, *f16;
	const char *want[3];
} choose_cases[] = {
    {"", "", {"AA", "AE", "AR"}},
    {"", "AL", {"AA", "AE", "AR"}},
    {"", "NE", {"-", "-", "-"}},
    {"", "ER", {"-", "AE", "AR"}},
    {"", "SU", {"AA", "-", "-"}},
    {"AL", "", {"CA", "CE", "CR"}},
    {"AL", "AL", {"CA", "CE", "CR"}},
    {"AL", "NE", {"CA", "CE", "CR"}},
    {"AL", "ER", {"CA", "CE", "CR"}},
    {"AL", "SU", {"CA", "CE", "CR"}},
    {"NE", "", {"-", "-", "-"}},
    {"NE", "AL", {"AA", "AE", "AR"}},
    {"NE", "NE", {"-", "-", "-"}},
    {"NE", "ER", {"-", "AE", "AR"}},
    {"NE", "SU", {"AA", "-", "-"}},
    {"ER", "", {"-", "CE", "CR"}},
    {"ER", "AL", {"-", "CE", "CR"}},
    {"ER", "NE", {"-", "CE", "CR"}},
    {"ER", "ER", {"-", "CE", "CR"}},
    {"ER", "SU", {"-", "CE", "CR"}},
    {"SU", "", {"CA", "-", "-"}},
    {"SU", "AL", {"CA", "-", "-"}},
    {"SU", "NE", {"CA", "-", "-"}},
    {"SU", "ER", {"CA", "-", "-"}},
    {"SU", "SU", {"CA", "-", "-"}},
    /* unknown values behave like AL */
    {"XX", "", {"CA", "CE", "CR"}},
    {"", "XX", {"AA", "AE", "AR"}},
    {"NE", "XX", {"AA", "AE", "AR"}},
    {"al", "", {"CA", "CE", "CR"}},
};

static const char *const outcome_name[] = {"accept", "error", "reject"};

static const char *answer(enum ack_code c)
{
	return c == ACK_NONE ? "-" : ack_code_name(c);
}

/* shape: 0 valid, 1 invalid (bad version), 2 MSH-2 unusable (only MSH-1 known) */
static int choose_row(size_t i, int shape, enum ack_mode mode, int outcome_only)
{
	char msg[256];
	int n, all = 1, o;
	struct guarded g;
	struct hl7_msg m;

	if (shape == 2)
		n = snprintf(msg, sizeof msg, "MSH|^~|S|F|R|F|T||ADT^A01|1|P|2.5|||%s|%s\r",
			     choose_cases[i].f15, choose_cases[i].f16);
	else
		n = snprintf(msg, sizeof msg, MSH_HEAD "ADT^A01|1|P|%s|||%s|%s\r",
			     shape ? "2.999" : "2.5", choose_cases[i].f15, choose_cases[i].f16);
	g = guard_copy(msg, (size_t)n);
	hl7_parse(&m, g.p, (size_t)n, 0);
	for (o = 0; o < 3; o++) {
		/* without a usable MSH-2 the answer is the minimal NAK: original mode */
		const char *want = mode == ACK_MODE_ORIGINAL || shape == 2
				       ? (o == 0   ? "AA"
					  : o == 1 ? "AE"
						   : "AR")
				       : choose_cases[i].want[o];
		const char *got = answer(ack_choose(&m, mode, (enum ack_outcome)o));

		if (outcome_only >= 0 && o != outcome_only)
			continue;
		if (strcmp(got, want) != 0) {
			printf("#   MSH-15 '%s' MSH-16 '%s' %s: got %s, want %s\n",
			       choose_cases[i].f15, choose_cases[i].f16, outcome_name[o], got,
			       want);
			all = 0;
		}
	}
	guard_free(&g);
	return all && (shape == 0   ? m.status == HL7_OK
		       : shape == 1 ? m.status == HL7_ERR_VERSION
				    : !m.has_delims);
}

static void test_choose(void)
{
	size_t i;
	int o;

	for (i = 0; i < sizeof choose_cases / sizeof choose_cases[0]; i++)
		for (o = 0; o < 3; o++)
			TAP_OK(choose_row(i, 0, ACK_MODE_AUTO, o),
			       "ack_choose auto: MSH-15 '%s' MSH-16 '%s' %s -> %s",
			       choose_cases[i].f15, choose_cases[i].f16, outcome_name[o],
			       choose_cases[i].want[o]);
	for (i = 0; i < sizeof choose_cases / sizeof choose_cases[0]; i++) {
		TAP_OK(choose_row(i, 1, ACK_MODE_AUTO, -1),
		       "ack_choose auto, invalid message: MSH-15 '%s' MSH-16 '%s'",
		       choose_cases[i].f15, choose_cases[i].f16);
		TAP_OK(
		    choose_row(i, 2, ACK_MODE_AUTO, -1),
		    "ack_choose auto, bad MSH-2 (minimal NAK): MSH-15 '%s' MSH-16 '%s' -> AA/AE/AR",
		    choose_cases[i].f15, choose_cases[i].f16);
		TAP_OK(choose_row(i, 0, ACK_MODE_ORIGINAL, -1) &&
			   choose_row(i, 1, ACK_MODE_ORIGINAL, -1),
		       "ack_choose original: MSH-15 '%s' MSH-16 '%s' -> AA/AE/AR",
		       choose_cases[i].f15, choose_cases[i].f16);
	}
}

static void test_choose_special(void)
{
	static const struct {
		const char *name;
		const char *in;
		const char *want[2][3]; /* [auto, original][accept, error, reject] */
	} cases[] = {
	    {"inbound ACK^A01^ACK",
	     MSH_HEAD "ACK^A01^ACK|1|P|2.5\rMSA|AA|X\r",
	     {{"-", "-", "-"}, {"-", "-", "-"}}},
	    {"inbound plain ACK",
	     MSH_HEAD "ACK|1|P|2.6.1\rMSA|AA|X\r",
	     {{"-", "-", "-"}, {"-", "-", "-"}}},
	    {"inbound ACK with MSH-15 AL",
	     MSH_HEAD "ACK|1|P|2.5|||AL|AL\r",
	     {{"-", "-", "-"}, {"-", "-", "-"}}},
	    {"inbound ACK with empty MSH-10",
	     MSH_HEAD "ACK^Q11^ACK||P|2.5.1\rMSA|AA\r",
	     {{"-", "-", "-"}, {"-", "-", "-"}}},
	    /* An MSH we cannot parse: the minimal NAK (original mode), whatever MSH-9 seems to say.
	     */
	    {"bad MSH-2, MSH-9 ACK^A01: not an ACK we could read",
	     "MSH|^~|S|F|R|F|T||ACK^A01|1|P|2.5\r",
	     {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"bad MSH-2, plain MSH-9 ACK: not an ACK we could read",
	     "MSH|^^^^|S|F|R|F|T||ACK|1|P|2.5\r",
	     {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"control byte in MSH-2, MSH-9 ACK: not an ACK we could read",
	     "MSH|^~\x01&|S|F|R|F|T||ACK|1|P|2.5|||NE|NE\r",
	     {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"ACKX is not an ACK",
	     MSH_HEAD "ACKX^A01|1|P|2.5\r",
	     {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"ACK as trigger is not an ACK",
	     MSH_HEAD "ADT^ACK|1|P|2.5\r",
	     {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"bad MSH-2, ACKX is not an ACK",
	     "MSH|^~|S|F|R|F|T||ACKX^A01|1|P|2.5\r",
	     {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"no MSH", "PID|1\r", {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"no MSH, with ACK inside",
	     "EVN|1\rMSH|^~\\&|S|F|R|F|T||ACK|1|P|2.5|||NE|NE\r",
	     {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"bad MSH-1", "MSHA^~\\&A|NE|NE\r", {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"empty block", "", {{"AA", "AE", "AR"}, {"AA", "AE", "AR"}}},
	    {"MSH-15 with components",
	     MSH_HEAD "ADT^A01|1|P|2.5|||NE^x|ER^y\r",
	     {{"-", "AE", "AR"}, {"AA", "AE", "AR"}}},
	};
	size_t i;
	int mode, o;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].in);
		struct guarded g = guard_copy(cases[i].in, len);
		struct hl7_msg m;
		int ok = 1;

		hl7_parse(&m, g.p, len, 0);
		for (mode = 0; mode < 2; mode++)
			for (o = 0; o < 3; o++) {
				const char *got =
				    answer(ack_choose(&m, mode ? ACK_MODE_ORIGINAL : ACK_MODE_AUTO,
						      (enum ack_outcome)o));

				if (strcmp(got, cases[i].want[mode][o]) != 0) {
					printf("#   %s %s: got %s, want %s\n",
					       mode ? "original" : "auto", outcome_name[o], got,
					       cases[i].want[mode][o]);
					ok = 0;
				}
			}
		TAP_OK(ok, "ack_choose: %s", cases[i].name);
		guard_free(&g);
	}
}

static void test_names(void)
{
	TAP_OK(strcmp(ack_code_name(ACK_NONE), "none") == 0 &&
		   strcmp(ack_code_name(ACK_AA), "AA") == 0 &&
		   strcmp(ack_code_name(ACK_AE), "AE") == 0 &&
		   strcmp(ack_code_name(ACK_AR), "AR") == 0 &&
		   strcmp(ack_code_name(ACK_CA), "CA") == 0 &&
		   strcmp(ack_code_name(ACK_CE), "CE") == 0 &&
		   strcmp(ack_code_name(ACK_CR), "CR") == 0,
	       "ack_code_name");
	TAP_OK(ack_code_positive(ACK_AA) && ack_code_positive(ACK_CA) &&
		   !ack_code_positive(ACK_AE) && !ack_code_positive(ACK_AR) &&
		   !ack_code_positive(ACK_CE) && !ack_code_positive(ACK_CR) &&
		   !ack_code_positive(ACK_NONE),
	       "ack_code_positive");
	TAP_OK(strcmp(ack_error_text(100), "Segment sequence error") == 0 &&
		   strcmp(ack_error_text(101), "Required field missing") == 0 &&
		   strcmp(ack_error_text(102), "Data type error") == 0 &&
		   strcmp(ack_error_text(200), "Unsupported message type") == 0 &&
		   strcmp(ack_error_text(203), "Unsupported version id") == 0 &&
		   strcmp(ack_error_text(207), "Application internal error") == 0,
	       "ack_error_text, table 0357");
	TAP_OK(ack_error_text(-1) != NULL && ack_error_text(999) != NULL,
	       "ack_error_text unknown code is not NULL");
}

/* ---- the shared corpus, when it is there ---- */

/*
 * malformed/ipf-MULTI-01.hl7 holds one valid message although the manifest
 * describes two; its answers are checked for the outcome the manifest
 * assumes (reject).
 */
static int corpus_outcome(const char *file, const struct hl7_msg *m)
{
	if (strcmp(file, "malformed/ipf-MULTI-01.hl7") == 0)
		return ACK_OUTCOME_REJECT;
	return m->status == HL7_OK ? ACK_OUTCOME_ACCEPT : ACK_OUTCOME_REJECT;
}

static void test_corpus(void)
{
	const char *dir = corpus_dir();
	char path[2048], line[8192];
	FILE *mf;
	int rows = 0;

	if (!dir) {
		printf("ok %d - # SKIP corpus: ../shared/corpus not found\n", ++tap_n);
		return;
	}
	snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
	mf = fopen(path, "r");
	if (!mf || !fgets(line, sizeof line, mf)) {
		printf("ok %d - # SKIP corpus: cannot read %s\n", ++tap_n, path);
		if (mf)
			fclose(mf);
		return;
	}
	while (fgets(line, sizeof line, mf)) {
		char *col[9], *p = line, *data;
		int ncol = 0, ok;
		size_t len;
		struct guarded g;
		struct hl7_msg m;
		enum ack_outcome outcome;
		enum ack_code orig, aut;

		line[strcspn(line, "\r\n")] = 0;
		while (ncol < 9) {
			col[ncol++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = 0;
		}
		if (ncol < 9 || strncmp(col[0], "batch/", 6) == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, col[0]);
		data = read_file(path, &len);
		if (!data) {
			TAP_OK(0, "corpus %s: readable", col[0]);
			continue;
		}
		rows++;
		g = guard_copy(data, len);
		hl7_parse(&m, g.p, len, 0);
		outcome = (enum ack_outcome)corpus_outcome(col[0], &m);
		orig = ack_choose(&m, ACK_MODE_ORIGINAL, outcome);
		aut = ack_choose(&m, ACK_MODE_AUTO, outcome);
		ok = strcmp(ack_code_name(orig), col[7]) == 0 &&
		     strcmp(ack_code_name(aut), col[8]) == 0;
		TAP_OK(ok, "corpus %s: original %s, auto %s", col[0], col[7], col[8]);
		if (!ok)
			printf("#   got original %s, auto %s (%s)\n", ack_code_name(orig),
			       ack_code_name(aut), hl7_status_text(m.status));
		if (orig != ACK_NONE) {
			/* the ACK for it is a standard message that echoes MSH-10 */
			char out[4096];
			struct ack_params prm;
			struct hl7_msg a;
			struct guarded ga;
			size_t n;
			enum hl7_status st;

			memset(&prm, 0, sizeof prm);
			prm.code = orig;
			if (m.status != HL7_OK) {
				prm.err_code = hl7_status_code(m.status);
				prm.err_text = hl7_status_text(m.status);
				prm.err_segment = m.err_segment;
				prm.err_field = m.err_field;
			}
			prm.control_id = "20260101120000.1";
			prm.timestamp = TS;
			n = ack_build(out, sizeof out, &m, &prm);
			ga = guard_copy(out, n < sizeof out ? n : sizeof out);
			st = hl7_parse(&a, ga.p, n < sizeof out ? n : sizeof out, HL7_PARSE_STRICT);
			ok = n < sizeof out &&
			     (st == HL7_OK || (st == HL7_ERR_VERSION && m.status != HL7_OK)) &&
			     memchr(out, '\n', n) == NULL && out[n - 1] == '\r';
			if (ok && m.has_delims) {
				struct hl7_path pa;
				struct hl7_span v, id = hl7_msh(&m, 10, 0);

				hl7_path_parse("MSA-2", 5, &pa);
				ok = hl7_get(&a, &pa, &v) && v.len == id.len &&
				     memcmp(v.p, id.p, id.len) == 0;
			}
			TAP_OK(ok, "corpus %s: its %s ACK parses (%s)", col[0], ack_code_name(orig),
			       hl7_status_text(st));
			if (!ok)
				show("ack", out, n < sizeof out ? n : sizeof out);
			guard_free(&ga);
		}
		guard_free(&g);
		free(data);
	}
	fclose(mf);
	TAP_OK(rows > 0, "corpus: %d messages checked", rows);
}

/* Fresh control IDs: short enough for ST(20), distinct per process and sequence. */
static void test_control_id_and_timestamp(void)
{
	struct timespec t = {1795673194, 123456789};
	char a[32], b[32], c[32], ts[32];
	ack_control_id(a, sizeof a, &t, 4194304, 1);
	ack_control_id(b, sizeof b, &t, 4194304, 2);
	ack_control_id(c, sizeof c, &t, 4194303, 1);
	TAP_OK(strlen(a) == 20 && strspn(a, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 20,
	       "control ID is 20 of A-Z0-9: %s", a);
	TAP_OK(strcmp(a, b) != 0 && strcmp(a, c) != 0,
	       "control IDs differ by sequence and by process");
	ack_control_id(a, 8, &t, 1, 1);
	TAP_OK(strlen(a) == 7, "control ID is cut to the buffer");
	ack_timestamp(ts, sizeof ts, 1795673194);
	TAP_OK(strlen(ts) == 19 && (ts[14] == '+' || ts[14] == '-'),
	       "timestamp is YYYYMMDDHHMMSS+ZZZZ: %s", ts);
}

/*
 * The acknowledgement batch's shape: H header, M message (answered unless
 * its first byte after MSH| is 'N'), B/F trailer with its count.
 */
static void test_batch_walk(void)
{
	static const struct {
		const char *name, *in, *want;
	} cases[] = {
	    {"BHS group", "BHS|^~\\&\rMSH|^~\\&|A\rMSH|^~\\&|B\rBTS|2\r", "H M M B2"},
	    {"FHS, two groups",
	     "FHS|^~\\&\rBHS|^~\\&\rMSH|^~\\&|A\rBTS|1\rBHS|^~\\&\rMSH|^~\\&|A\rMSH|^~\\&|A\rBTS|"
	     "2\rFTS|2\r",
	     "H H M B1 H M M B2 F2"},
	    {"trailers left out", "FHS|^~\\&\rBHS|^~\\&\rMSH|^~\\&|A\r", "H H M B1 F1"},
	    {"FTS without BTS", "FHS|^~\\&\rBHS|^~\\&\rMSH|^~\\&|A\rFTS|1\r", "H H M B1 F1"},
	    {"an unanswered message is not counted", "BHS|^~\\&\rMSH|^~\\&|N\rMSH|^~\\&|A\r",
	     "H M M B1"},
	    {"empty", "BHS|^~\\&\r", "H B0"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct hl7_batch b;
		struct ack_batch_walk w = {0};
		enum ack_batch_step step;
		char got[128] = "";
		size_t n = 0;
		int ok = hl7_batch_parse(&b, cases[i].in, strlen(cases[i].in)) == HL7_BATCH_OK;
		while (ok && (step = ack_batch_next(&w, &b)) != ACK_BATCH_END &&
		       n < sizeof got - 8) {
			if (step == ACK_BATCH_HEADER)
				n += (size_t)snprintf(got + n, sizeof got - n, "%sH", n ? " " : "");
			else if (step == ACK_BATCH_TRAILER)
				n += (size_t)snprintf(got + n, sizeof got - n, "%s%c%zu",
						      n ? " " : "",
						      w.kind == HL7_BATCH_BTS ? 'B' : 'F', w.count);
			else {
				n += (size_t)snprintf(got + n, sizeof got - n, "%sM", n ? " " : "");
				if (w.piece.len > 9 && w.piece.p[9] != 'N')
					ack_batch_answered(&w);
			}
		}
		TAP_OK(ok && strcmp(got, cases[i].want) == 0, "ack_batch_next: %s: %s",
		       cases[i].name, got);
	}
}

int main(void)
{
	test_batch_walk();
	test_control_id_and_timestamp();
	test_names();
	test_build();
	test_build_bounds();
	test_roundtrip();
	test_choose();
	test_choose_special();
	test_corpus();
	return tap_done();
}

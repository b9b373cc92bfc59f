/* SPDX-License-Identifier: MIT */
/* test_ackread.c: MSA-1, MSA-2 and the error text read from acknowledgements of every shape. */
#include <stdlib.h>
#include <string.h>

#include "ackread.h"
#include "tap.h"

struct tcase {
	const char *name;
	const char *in;
	enum ackread_status st;
	const char *code;
	int positive;
	const char *id;
	const char *text;
};

#define MSH "MSH|^~\\&|RCV|RFAC|SND|SFAC|20260101120000+0000||ACK^A01^ACK|X1|P|2.5.1\r"

static const struct tcase cases[] = {
    {"AA", MSH "MSA|AA|MSG00001\r", ACKREAD_OK, "AA", 1, "MSG00001", ""},
    {"CA", MSH "MSA|CA|M2\r", ACKREAD_OK, "CA", 1, "M2", ""},
    {"AE with MSA-3", MSH "MSA|AE|M3|command exited 1\rERR||||E|||boom\r", ACKREAD_OK, "AE", 0,
     "M3", "command exited 1"},
    {"AR with ERR-8 only (v2.5)",
     MSH "MSA|AR|M4\rERR||MSH^1^10|101^Required field missing^HL70357|E||||no id\r", ACKREAD_OK,
     "AR", 0, "M4", "no id"},
    {"AR with ERR-3.2 only", MSH "MSA|AR|M5\rERR||MSH^1^10|101^Required field missing^HL70357|E\r",
     ACKREAD_OK, "AR", 0, "M5", "Required field missing"},
    {"AE with ERR-1 (v2.4)",
     "MSH|^~\\&|R|F|S|F|2026||ACK^A01|X|P|2.4\rMSA|AE|M6\rERR|MSH^1^10^207&Application "
     "internal error&HL70357\r",
     ACKREAD_OK, "AE", 0, "M6", "Application internal error"},
    {"CE, CR", MSH "MSA|CR|M7\r", ACKREAD_OK, "CR", 0, "M7", ""},
    {"no final CR (python3-hl7)", MSH "MSA|AA|M8", ACKREAD_OK, "AA", 1, "M8", ""},
    {"LF separators", "MSH|^~\\&|R|F|S|F|2026||ACK|X|P|2.5\nMSA|AA|M9\n", ACKREAD_OK, "AA", 1, "M9",
     ""},
    {"other delimiters", "MSH#*~\\&#R#F#S#F#2026##ACK#X#P#2.5\rMSA#AE#M10#bad\r", ACKREAD_OK, "AE",
     0, "M10", "bad"},
    {"unknown version still read", "MSH|^~\\&|R|F|S|F|2026||ACK|X|P|9.9\rMSA|AA|M11\r", ACKREAD_OK,
     "AA", 1, "M11", ""},
    {"empty MSA-2", MSH "MSA|AA|\r", ACKREAD_OK, "AA", 1, "", ""},
    {"not HL7", "HTTP/1.0 400 Bad Request\r\n", ACKREAD_NOT_HL7, "", 0, "", ""},
    {"empty", "", ACKREAD_NOT_HL7, "", 0, "", ""},
    {"no MSA", MSH "PID|1\r", ACKREAD_NO_MSA, "", 0, "", ""},
    {"MSAX is not MSA", MSH "MSAX|AA|M\r", ACKREAD_NO_MSA, "", 0, "", ""},
    {"bad code", MSH "MSA|OK|M12\r", ACKREAD_BAD_CODE, "", 0, "M12", ""},
    {"lower-case code", MSH "MSA|aa|M13\r", ACKREAD_BAD_CODE, "", 0, "M13", ""},
    {"first MSA wins", MSH "MSA|AE|M14\rMSA|AA|M15\r", ACKREAD_OK, "AE", 0, "M14", ""},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		size_t len = strlen(t->in);
		/* A copy that ends exactly at its allocation, so ASan sees any read past the end.
		 */
		char *buf = malloc(len ? len : 1);
		memcpy(buf, t->in, len);
		struct hl7_msg m;
		struct ackread a;
		enum ackread_status st = ackread_parse(&m, buf, len, &a);
		TAP_OK(st == t->st, "%s: status %s", t->name, ackread_status_text(st));
		TAP_OK(strcmp(a.code, t->code) == 0 && a.positive == t->positive, "%s: code '%s'",
		       t->name, a.code);
		TAP_OK(hl7_span_eq(a.control_id, t->id), "%s: MSA-2 '%.*s'", t->name,
		       (int)a.control_id.len, a.control_id.p);
		TAP_OK(hl7_span_eq(a.text, t->text), "%s: text '%.*s'", t->name, (int)a.text.len,
		       a.text.p);
		free(buf);
	}
	TAP_OK(strcmp(ackread_status_text((enum ackread_status)99), "unknown status") == 0,
	       "status text out of range");
	return tap_done();
}

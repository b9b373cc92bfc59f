/* SPDX-License-Identifier: MIT */
/* test_hl7.c: table-driven tests of the HL7 v2 parser, paths and escapes, each input ending at a
 * guard page. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hl7.h"
#include "corpus.h"
#include "guard.h"
#include "tap.h"

static int span_is(struct hl7_span s, const char *t)
{
	return hl7_span_eq(s, t);
}

/* Show a span for a failure diagnostic, non-printable bytes as \xNN. */
static const char *show(const char *p, size_t len)
{
	static char b[4][256];
	static int k;
	char *o = b[k++ % 4];
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < sizeof b[0]; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f)
			o[n++] = (char)c;
		else
			n += (size_t)snprintf(o + n, sizeof b[0] - n, "\\x%02X", c);
	}
	o[n] = 0;
	return o;
}

#define S(lit) lit, sizeof(lit) - 1
#define MSH_HEAD "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||"

/* ---- hl7_parse ---- */

#define ANY ((size_t)-1)

struct parse_case {
	const char *name;
	const char *in;
	size_t len;
	unsigned flags;
	enum hl7_status status;
	size_t err_offset; /* ANY: not checked */
	const char *err_segment;
	unsigned err_field;
	unsigned lenient; /* HL7_LENIENT_* expected */
	int has_fs, has_delims;
	unsigned segments; /* 0: not checked */
};

#define OK0 HL7_OK, 0, "", 0

static const struct parse_case parse_cases[] = {
    /* a plain valid message */
    {"valid ADT v2.5.1", S(MSH_HEAD "ADT^A01^ADT_A01|MSG00001|P|2.5.1\rEVN|A01\rPID|1||123\r"), 0,
     OK0, 0, 1, 1, 3},
    {"valid MSH only", S(MSH_HEAD "ADT^A01|1|P|2.5\r"), 0, OK0, 0, 1, 1, 1},
    {"valid MSH-9 without trigger", S(MSH_HEAD "ADT|1|P|2.1\r"), 0, OK0, 0, 1, 1, 1},
    {"valid MSH-12 with components", S(MSH_HEAD "MDM^T01|1|P|2.5^DEU\r"), 0, OK0, 0, 1, 1, 1},
    {"valid MSH-12 repetition", S(MSH_HEAD "MDM^T01|1|P|2.5~2.6\r"), 0, OK0, 0, 1, 1, 1},
    {"valid trailing fields", S(MSH_HEAD "ADT^A01|1|P|2.4|||AL|NE|\r"), 0, OK0, 0, 1, 1, 1},
    {"valid segment without fields", S(MSH_HEAD "ADT^A01|1|P|2.4\rPD1\rZ01|x\r"), 0, OK0, 0, 1, 1,
     3},
    {"valid digit segment IDs", S(MSH_HEAD "ADT^A01|1|P|2.4\rZ99|1\rP1D|2\rA00|3\r"), 0, OK0, 0, 1,
     1, 4},
    {"valid control id is a space", S(MSH_HEAD "ADT^A01| |P|2.4\r"), 0, OK0, 0, 1, 1, 1},
    {"valid MSA inside ORU", S(MSH_HEAD "ORU^R01|1|P|2.2\rMSA|AA|1\rOBX|1\r"), 0, OK0, 0, 1, 1, 3},
    {"valid MSH text inside a field", S(MSH_HEAD "ADT^A01|1|P|2.3\rPID|MSH|x\r"), 0, OK0, 0, 1, 1,
     2},
    {"valid strict", S(MSH_HEAD "ADT^A01|1|P|2.5\rPID|1\r"), HL7_PARSE_STRICT, OK0, 0, 1, 1, 2},

    /* MSH at the start */
    {"empty input", S(""), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0, 0},
    {"two bytes", S("MS"), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0, 0},
    {"starts with PID", S("PID|1\r"), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0, 0},
    {"lower-case msh", S("msh|^~\\&|\r"), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0, 0},
    {"CR before MSH", S("\r" MSH_HEAD "ADT^A01|1|P|2.5\r"), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0,
     0},
    {"NUL NUL STX before MSH", S("\0\0\2MSH|^~\\&|\r"), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0, 0},
    {"BHS first", S("BHS|^~\\&|\rMSH|^~\\&|\r"), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0, 0},
    {"BOM only", S("\xEF\xBB\xBF"), 0, HL7_ERR_NO_MSH, 3, "", 0, HL7_LENIENT_BOM, 0, 0, 0},
    {"BOM then PID", S("\xEF\xBB\xBFPID|1\r"), 0, HL7_ERR_NO_MSH, 3, "", 0, HL7_LENIENT_BOM, 0, 0,
     0},
    {"half a BOM", S("\xEF\xBBMSH|^~\\&|\r"), 0, HL7_ERR_NO_MSH, 0, "", 0, 0, 0, 0, 0},

    /* MSH-1 */
    {"MSH alone", S("MSH"), 0, HL7_ERR_FIELD_SEPARATOR, 3, "MSH", 1, 0, 0, 0, 0},
    {"MSH then CR", S("MSH\rPID|1\r"), 0, HL7_ERR_FIELD_SEPARATOR, 3, "MSH", 1, 0, 0, 0, 0},
    {"MSH then LF", S("MSH\n"), 0, HL7_ERR_FIELD_SEPARATOR, 3, "MSH", 1, 0, 0, 0, 0},
    {"MSH-1 a letter (MSHH0)", S("MSHH0"), 0, HL7_ERR_FIELD_SEPARATOR, 3, "MSH", 1, 0, 0, 0, 0},
    {"MSH-1 lower-case letter", S("MSHa^~\\&a\r"), 0, HL7_ERR_FIELD_SEPARATOR, 3, "MSH", 1, 0, 0, 0,
     0},
    {"MSH-1 a digit", S("MSH1^~\\&1\r"), 0, HL7_ERR_FIELD_SEPARATOR, 3, "MSH", 1, 0, 0, 0, 0},
    {"MSH-1 '#'", S("MSH#^~\\&#SND#SFAC#RCV#RFAC#20260101##ADT^A01#1#P#2.5\rPID#1\r"), 0, OK0, 0, 1,
     1, 2},
    {"MSH-1 space", S("MSH ^~\\& SND SFAC RCV RFAC 20260101  ADT^A01 1 P 2.5\r"), 0, OK0, 0, 1, 1,
     1},
    {"MSH-1 high byte",
     S("MSH\xA7^~\\&\xA7S\xA7S\xA7R\xA7R\xA7T\xA7\xA7"
       "ADT\xA7"
       "1\xA7P\xA7"
       "2.5\r"),
     0, OK0, 0, 1, 1, 1},

    /* MSH-2 */
    {"MSH-2 empty", S("MSH||SND|||||ADT^A01|1|P|2.5\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0,
     1, 0, 0},
    {"MSH-2 at end of segment", S("MSH|\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 at end of input", S("MSH|"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 three characters", S("MSH|^~}|S|F|R|F|T||ADT^A01|1|P|2.4\r"), 0, HL7_ERR_ENCODING_CHARS,
     4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 six characters", S("MSH|^~\\&#!|S|F|R|F|T||ADT^A01|1|P|2.4\r"), 0,
     HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 duplicate", S("MSH|^&&^|S|F|R|F|T||ADT^A01|1|P|2.6\r"), 0, HL7_ERR_ENCODING_CHARS, 4,
     "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 duplicate of five", S("MSH|^~\\\\&|S|F|R|F|T||ADT^A01|1|P|2.6\r"), 0,
     HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 a letter", S("MSH|foo|foo\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 a digit", S("MSH|0~00|S\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 a space", S("MSH| ~\\&|S\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 DEL", S("MSH|^~\\\x7f|S\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 high byte", S("MSH|^~\\\xA7|S\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1, 0, 0},
    {"MSH-2 holds the field separator", S("MSH#^~#&#S\r"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2,
     0, 1, 0, 0},
    {"MSH-2 single ^", S("MSH|^|||||||^A|||2.2\r^AA"), 0, HL7_ERR_ENCODING_CHARS, 4, "MSH", 2, 0, 1,
     0, 0},
    {"MSH-2 five with truncation", S(MSH_HEAD "ORU^R01|1|P|2.5.1\r"), 0, OK0, 0, 1, 1, 1},
    {"MSH-2 ^~\\&# five", S("MSH|^~\\&#|S|F|R|F|T||ORU^R01|1|P|2.5.1\rOBX|1\r"), 0, OK0, 0, 1, 1,
     2},
    {"MSH-2 ^~\\} non-default", S("MSH|^~\\}|S|F|R|F|T||BAR^P01|1|P|2.4\rPID|1||a}b\r"), 0, OK0, 0,
     1, 1, 2},
    {"MSH-2 ^~*& escape *", S("MSH|^~*&|S|F|R|F|T||ORU^R01|1|P|2.4\r"), 0, OK0, 0, 1, 1, 1},
    {"MSH-2 all different", S("MSH#$*@%#S#F#R#F#T##ORU$R01#1#P#2.4\r"), 0, OK0, 0, 1, 1, 1},

    /* MSH-9.1 */
    {"MSH-9 empty", S(MSH_HEAD "|1|P|2.5\r"), 0, HL7_ERR_NO_MESSAGE_TYPE, 43, "MSH", 9, 0, 1, 1, 0},
    {"MSH-9.1 empty", S(MSH_HEAD "^A01|1|P|2.5\r"), 0, HL7_ERR_NO_MESSAGE_TYPE, 43, "MSH", 9, 0, 1,
     1, 0},
    {"MSH-9 first repetition empty", S(MSH_HEAD "~ADT|1|P|2.5\r"), 0, HL7_ERR_NO_MESSAGE_TYPE, 43,
     "MSH", 9, 0, 1, 1, 0},
    {"MSH-9 missing", S("MSH|^~\\&|S|F|R|F|T\rPID|1\r"), 0, HL7_ERR_NO_MESSAGE_TYPE, 18, "MSH", 9,
     0, 1, 1, 0},
    {"MSH truncated after MSH-3", S("MSH|^~\\&|SendAppName\r"), 0, HL7_ERR_NO_MESSAGE_TYPE, 20,
     "MSH", 9, 0, 1, 1, 0},
    {"MSH-9 ADT^ (no trigger), no MSH-10", S(MSH_HEAD "ADT^"), 0, HL7_ERR_NO_CONTROL_ID, 47, "MSH",
     10, HL7_LENIENT_NO_FINAL_CR, 1, 1, 0},

    /* MSH-10 */
    {"MSH-10 empty", S(MSH_HEAD "ADT^A01||P|2.5\r"), 0, HL7_ERR_NO_CONTROL_ID, 51, "MSH", 10, 0, 1,
     1, 0},
    {"MSH-10 missing", S(MSH_HEAD "ADT^A01\r"), 0, HL7_ERR_NO_CONTROL_ID, 50, "MSH", 10, 0, 1, 1,
     0},
    {"MSH-9 checked before MSH-10", S(MSH_HEAD "||P|2.5\r"), 0, HL7_ERR_NO_MESSAGE_TYPE, 43, "MSH",
     9, 0, 1, 1, 0},

    /* MSH-12.1 */
    {"MSH-12 2.999", S(MSH_HEAD "ORU^R01|1|P|2.999\r"), 0, HL7_ERR_VERSION, 55, "MSH", 12, 0, 1, 1,
     0},
    {"MSH-12 2.3.z", S(MSH_HEAD "ORU^R01|1|P|2.3.z\r"), 0, HL7_ERR_VERSION, 55, "MSH", 12, 0, 1, 1,
     0},
    {"MSH-12 empty", S(MSH_HEAD "ORU^R01|1|P|\r"), 0, HL7_ERR_NO_VERSION, 55, "MSH", 12, 0, 1, 1,
     0},
    {"MSH-12 missing", S(MSH_HEAD "ORU^R01|1|P\r"), 0, HL7_ERR_NO_VERSION, 54, "MSH", 12, 0, 1, 1,
     0},
    {"MSH-12.1 empty", S(MSH_HEAD "ORU^R01|1|P|^DEU\r"), 0, HL7_ERR_NO_VERSION, 55, "MSH", 12, 0, 1,
     1, 0},
    {"MSH-12 leading space", S(MSH_HEAD "ORU^R01|1|P| 2.5\r"), 0, HL7_ERR_VERSION, 55, "MSH", 12, 0,
     1, 1, 0},
    {"MSH-12 2.5 with subcomponent", S(MSH_HEAD "ORU^R01|1|P|2.5&x\r"), 0, HL7_ERR_VERSION, 55,
     "MSH", 12, 0, 1, 1, 0},
    {"MSH-12 2.10", S(MSH_HEAD "ORU^R01|1|P|2.10\r"), 0, HL7_ERR_VERSION, 55, "MSH", 12, 0, 1, 1,
     0},
    {"MSH-12 2.8.1000...", S(MSH_HEAD "ORU^R01|1|P|2.8.10000000000000000000000\r"), 0,
     HL7_ERR_VERSION, 55, "MSH", 12, 0, 1, 1, 0},
    {"MSH-12 2.5 then garbage MSH-13", S(MSH_HEAD "ORU^R01|1|P|2.5|x|y\r"), 0, OK0, 0, 1, 1, 1},

    /* segment IDs */
    {"segment ID lower-case", S(MSH_HEAD "ADT^A01|1|P|2.5\rpid|1\r"), 0, HL7_ERR_SEGMENT_ID, 59, "",
     0, 0, 1, 1, 0},
    {"segment ID starts with a digit", S(MSH_HEAD "ADT^A01|1|P|2.5\r1ID|1\r"), 0,
     HL7_ERR_SEGMENT_ID, 59, "", 0, 0, 1, 1, 0},
    {"segment ID two characters", S(MSH_HEAD "ADT^A01|1|P|2.5\rAA"), 0, HL7_ERR_SEGMENT_ID, 59, "",
     0, 0, 1, 1, 0},
    {"segment ID two characters and |", S(MSH_HEAD "ADT^A01|1|P|2.5\rAA|1\r"), 0,
     HL7_ERR_SEGMENT_ID, 59, "", 0, 0, 1, 1, 0},
    {"segment ID four characters", S(MSH_HEAD "ADT^A01|1|P|2.5\rPIDX|1\r"), 0, HL7_ERR_SEGMENT_ID,
     59, "", 0, 0, 1, 1, 0},
    {"segment ID then ^", S(MSH_HEAD "ADT^A01|1|P|2.5\rPID^1\r"), 0, HL7_ERR_SEGMENT_ID, 59, "", 0,
     0, 1, 1, 0},
    {"segment ID String", S(MSH_HEAD "ADT^A01|1|P|2.3\rOBX|1\rString||x\r"), 0, HL7_ERR_SEGMENT_ID,
     65, "", 0, 0, 1, 1, 0},
    {"segment ID leading space", S(MSH_HEAD "ADT^A01|1|P|2.5\r PID|1\r"), 0, HL7_ERR_SEGMENT_ID, 59,
     "", 0, 0, 1, 1, 0},
    {"segment ID MSHX", S(MSH_HEAD "ADT^A01|1|P|2.5\rMSHX|1\r"), 0, HL7_ERR_SEGMENT_ID, 59, "", 0,
     0, 1, 1, 0},
    {"segment ID with NUL", S(MSH_HEAD "ADT^A01|1|P|2.5\rP\0D|1\r"), 0, HL7_ERR_SEGMENT_ID, 59, "",
     0, 0, 1, 1, 0},
    {"segment ID other separator", S("MSH#^~\\&#S#F#R#F#T##ADT^A01#1#P#2.5\rPID|1\r"), 0,
     HL7_ERR_SEGMENT_ID, 36, "", 0, 0, 1, 1, 0},

    /* segment sequence */
    {"second MSH", S(MSH_HEAD "ADT^A01|1|P|2.5\rPID|1\r" MSH_HEAD "ADT^A01|2|P|2.5\r"), 0,
     HL7_ERR_SEGMENT_SEQUENCE, 65, "MSH", 0, 0, 1, 1, 0},
    {"FHS inside", S(MSH_HEAD "ADT^A01|1|P|2.5\rFHS|^~\\&\r"), 0, HL7_ERR_SEGMENT_SEQUENCE, 59,
     "FHS", 0, 0, 1, 1, 0},
    {"BHS inside", S(MSH_HEAD "ADT^A01|1|P|2.5\rBHS|^~\\&\rPID|1\r"), 0, HL7_ERR_SEGMENT_SEQUENCE,
     59, "BHS", 0, 0, 1, 1, 0},
    {"BTS inside", S(MSH_HEAD "ADT^A01|1|P|2.5\rPID|1\rBTS|1\r"), 0, HL7_ERR_SEGMENT_SEQUENCE, 65,
     "BTS", 0, 0, 1, 1, 0},
    {"FTS inside", S(MSH_HEAD "ADT^A01|1|P|2.5\rFTS|1"), 0, HL7_ERR_SEGMENT_SEQUENCE, 59, "FTS", 0,
     0, 1, 1, 0},
    {"bare MSH inside", S(MSH_HEAD "ADT^A01|1|P|2.5\rMSH\r"), 0, HL7_ERR_SEGMENT_SEQUENCE, 59,
     "MSH", 0, 0, 1, 1, 0},

    /* leniencies, accepted by default and refused under HL7_PARSE_STRICT */
    {"BOM", S("\xEF\xBB\xBF" MSH_HEAD "ADT^A01|1|P|2.5\rPID|1\r"), 0, OK0, HL7_LENIENT_BOM, 1, 1,
     2},
    {"BOM strict", S("\xEF\xBB\xBF" MSH_HEAD "ADT^A01|1|P|2.5\rPID|1\r"), HL7_PARSE_STRICT,
     HL7_ERR_LENIENT, 0, "", 0, HL7_LENIENT_BOM, 1, 1, 0},
    {"LF", S(MSH_HEAD "ADT^A01|1|P|2.5\nPID|1\n"), 0, OK0, HL7_LENIENT_LF, 1, 1, 2},
    {"LF strict", S(MSH_HEAD "ADT^A01|1|P|2.5\nPID|1\n"), HL7_PARSE_STRICT, HL7_ERR_LENIENT, 58, "",
     0, HL7_LENIENT_LF, 1, 1, 0},
    {"CRLF", S(MSH_HEAD "ADT^A01|1|P|2.5\r\nPID|1\r\n"), 0, OK0, HL7_LENIENT_LF, 1, 1, 2},
    {"CRLF strict", S(MSH_HEAD "ADT^A01|1|P|2.5\r\nPID|1\r\n"), HL7_PARSE_STRICT, HL7_ERR_LENIENT,
     59, "", 0, HL7_LENIENT_LF, 1, 1, 0},
    {"CRLF before last only", S(MSH_HEAD "ADT^A01|1|P|2.5\rEVN|1\r\nPID|1\r\n"), 0, OK0,
     HL7_LENIENT_LF, 1, 1, 3},
    {"CRLF before last strict", S(MSH_HEAD "ADT^A01|1|P|2.5\rEVN|1\r\nPID|1\r\n"), HL7_PARSE_STRICT,
     HL7_ERR_LENIENT, 65, "", 0, HL7_LENIENT_LF, 1, 1, 0},
    {"empty segment", S(MSH_HEAD "ADT^A01|1|P|2.5\r\rPID|1\r"), 0, OK0, HL7_LENIENT_EMPTY_SEGMENT,
     1, 1, 2},
    {"empty segment strict", S(MSH_HEAD "ADT^A01|1|P|2.5\r\rPID|1\r"), HL7_PARSE_STRICT,
     HL7_ERR_LENIENT, 59, "", 0, HL7_LENIENT_EMPTY_SEGMENT, 1, 1, 0},
    {"empty segments at end", S(MSH_HEAD "ADT^A01|1|P|2.5\rPID|1\r\r\r"), 0, OK0,
     HL7_LENIENT_EMPTY_SEGMENT, 1, 1, 2},
    {"blank line LF LF", S(MSH_HEAD "ADT^A01|1|P|2.5\n\nPID|1\n"), 0, OK0,
     HL7_LENIENT_LF | HL7_LENIENT_EMPTY_SEGMENT, 1, 1, 2},
    {"LF CR", S(MSH_HEAD "ADT^A01|1|P|2.5\n\rPID|1\r"), 0, OK0,
     HL7_LENIENT_LF | HL7_LENIENT_EMPTY_SEGMENT, 1, 1, 2},
    {"no final CR", S(MSH_HEAD "ADT^A01|1|P|2.5\rPID|1"), 0, OK0, HL7_LENIENT_NO_FINAL_CR, 1, 1, 2},
    {"no final CR strict", S(MSH_HEAD "ADT^A01|1|P|2.5\rPID|1"), HL7_PARSE_STRICT, HL7_ERR_LENIENT,
     64, "", 0, HL7_LENIENT_NO_FINAL_CR, 1, 1, 0},
    {"MSH only, no final CR", S(MSH_HEAD "ADT^A01|1|P|2.5"), 0, OK0, HL7_LENIENT_NO_FINAL_CR, 1, 1,
     1},
    {"all leniencies", S("\xEF\xBB\xBF" MSH_HEAD "ADT^A01|1|P|2.5\r\n\nPID|1"), 0, OK0,
     HL7_LENIENT_BOM | HL7_LENIENT_LF | HL7_LENIENT_EMPTY_SEGMENT | HL7_LENIENT_NO_FINAL_CR, 1, 1,
     2},
    {"error before leniency", S(MSH_HEAD "ADT^A01||P|2.5\n"), HL7_PARSE_STRICT,
     HL7_ERR_NO_CONTROL_ID, 51, "MSH", 10, HL7_LENIENT_LF, 1, 1, 0},
    {"BOM strict and bad MSH-10", S("\xEF\xBB\xBF" MSH_HEAD "ADT^A01||P|2.5\r"), HL7_PARSE_STRICT,
     HL7_ERR_LENIENT, 0, "", 0, HL7_LENIENT_BOM, 1, 1, 0},
    {"BOM and bad MSH-10", S("\xEF\xBB\xBF" MSH_HEAD "ADT^A01||P|2.5\r"), 0, HL7_ERR_NO_CONTROL_ID,
     54, "MSH", 10, HL7_LENIENT_BOM, 1, 1, 0},
};

static void test_parse_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct guarded g = guard_copy(c->in, c->len);
		struct hl7_msg m;
		enum hl7_status st = hl7_parse(&m, g.p, c->len, c->flags);
		int ok = st == c->status && m.status == st && m.lenient == c->lenient &&
			 m.has_field_separator == c->has_fs && m.has_delims == c->has_delims &&
			 (c->status == HL7_OK || c->err_offset == ANY ||
			  m.err_offset == c->err_offset) &&
			 (c->status == HL7_OK || strcmp(m.err_segment, c->err_segment) == 0) &&
			 (c->status == HL7_OK || m.err_field == c->err_field) &&
			 (c->segments == 0 || m.segments == c->segments);

		TAP_OK(ok, "parse: %s", c->name);
		if (!ok)
			printf("#   got %s (%s) offset %zu segment '%s' field %u lenient %#x fs %d "
			       "delims %d segments %u\n",
			       hl7_status_text(st), show(c->in, c->len), m.err_offset,
			       m.err_segment, m.err_field, m.lenient, m.has_field_separator,
			       m.has_delims, m.segments);
		guard_free(&g);
	}
}

/* Every version of table 0104 is accepted as MSH-12.1, and only those. */
static void test_versions(void)
{
	static const char *const good[] = {"2.1", "2.2",   "2.3",   "2.3.1", "2.4",
					   "2.5", "2.5.1", "2.6",   "2.7",   "2.7.1",
					   "2.8", "2.8.1", "2.8.2", "2.9",   "2.9.1"};
	static const char *const bad[] = {"2.0", "2.3.2", "2.6.1", "2.9.2", "3.0",     "2",
					  "2.",	 "2.55",  "V2.5",  "2.5 ",  "2.5.1.1", "22.5"};
	char msg[256];
	size_t i;
	int fails = 0;

	for (i = 0; i < sizeof good / sizeof good[0] + sizeof bad / sizeof bad[0]; i++) {
		int is_good = i < sizeof good / sizeof good[0];
		const char *v = is_good ? good[i] : bad[i - sizeof good / sizeof good[0]];
		int n = snprintf(msg, sizeof msg, MSH_HEAD "ADT^A01|1|P|%s\r", v);
		struct guarded g = guard_copy(msg, (size_t)n);
		struct hl7_msg m;
		enum hl7_status st = hl7_parse(&m, g.p, (size_t)n, HL7_PARSE_STRICT);
		int ok = is_good ? st == HL7_OK : (st == HL7_ERR_VERSION && m.err_field == 12);

		TAP_OK(ok, "version %s is %s", v, is_good ? "accepted" : "refused");
		fails += !ok;
		guard_free(&g);
	}
	(void)fails;
}

/* ---- delimiters, fields, iteration ---- */

static void test_delims(void)
{
	struct {
		const char *name;
		const char *in;
		struct hl7_delims d;
	} cases[] = {
	    {"default", MSH_HEAD "ADT^A01|1|P|2.5\r", {'|', '^', '~', '\\', '&', 0}},
	    {"five with truncation",
	     "MSH|^~\\&#|S||||||ADT|1|P|2.7\r",
	     {'|', '^', '~', '\\', '&', '#'}},
	    {"^~\\}", "MSH|^~\\}|S||||||ADT|1|P|2.4\r", {'|', '^', '~', '\\', '}', 0}},
	    {"#$*@%!", "MSH#$*@%!#S######ADT#1#P#2.7\r", {'#', '$', '*', '@', '%', '!'}},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = strlen(cases[i].in);
		struct guarded g = guard_copy(cases[i].in, n);
		struct hl7_msg m;
		enum hl7_status st = hl7_parse(&m, g.p, n, 0);

		TAP_OK(st == HL7_OK && memcmp(&m.d, &cases[i].d, sizeof m.d) == 0, "delimiters %s",
		       cases[i].name);
		guard_free(&g);
	}
	TAP_OK(hl7_default_delims.field == '|' && hl7_default_delims.component == '^' &&
		   hl7_default_delims.repetition == '~' && hl7_default_delims.escape == '\\' &&
		   hl7_default_delims.subcomponent == '&' && hl7_default_delims.truncation == 0,
	       "hl7_default_delims is |^~\\&");
}

static void test_status_table(void)
{
	TAP_OK(hl7_status_code(HL7_OK) == 0 && strcmp(hl7_status_text(HL7_OK), "ok") == 0,
	       "status ok");
	TAP_OK(hl7_status_code(HL7_ERR_NO_MSH) == 100 &&
		   hl7_status_code(HL7_ERR_SEGMENT_ID) == 100 &&
		   hl7_status_code(HL7_ERR_SEGMENT_SEQUENCE) == 100,
	       "status codes 100");
	TAP_OK(hl7_status_code(HL7_ERR_NO_MESSAGE_TYPE) == 101 &&
		   hl7_status_code(HL7_ERR_NO_CONTROL_ID) == 101 &&
		   hl7_status_code(HL7_ERR_NO_VERSION) == 101,
	       "status codes 101 (an empty MSH-12 too)");
	TAP_OK(strcmp(hl7_status_text(HL7_ERR_NO_VERSION), "MSH-12 version is empty") == 0,
	       "status text of an empty MSH-12");
	TAP_OK(hl7_status_code(HL7_ERR_FIELD_SEPARATOR) == 102 &&
		   hl7_status_code(HL7_ERR_ENCODING_CHARS) == 102 &&
		   hl7_status_code(HL7_ERR_LENIENT) == 102,
	       "status codes 102");
	TAP_OK(hl7_status_code(HL7_ERR_VERSION) == 203, "status code 203");
	TAP_OK(strcmp(hl7_status_text(HL7_ERR_NO_CONTROL_ID), "MSH-10 control ID is empty") == 0,
	       "status text");
	TAP_OK(hl7_status_text((enum hl7_status)99) != NULL,
	       "status text out of range is not NULL");
}

static void test_iteration(void)
{
	static const char in[] =
	    "\xEF\xBB\xBF" MSH_HEAD "ADT^A01|1|P|2.5\r\n\rEVN|A01\n\nPID|1||x\r\r\nPV1";
	struct guarded g = guard_copy(in, sizeof in - 1);
	struct hl7_msg m;
	struct hl7_span seg, f;
	size_t cur = 0;
	const char *want[] = {MSH_HEAD "ADT^A01|1|P|2.5", "EVN|A01", "PID|1||x", "PV1"};
	unsigned n = 0;
	int ok = 1;

	TAP_OK(hl7_parse(&m, g.p, sizeof in - 1, 0) == HL7_OK && m.segments == 4 && m.start == 3,
	       "iteration: parse with BOM, CRLF, LF and empty segments");
	while (hl7_segment_next(&m, &cur, &seg)) {
		if (n >= 4 || !span_is(seg, want[n]))
			ok = 0;
		n++;
	}
	TAP_OK(ok && n == 4, "iteration: four segments, separators stripped (%u)", n);
	TAP_OK(hl7_segment_next(&m, &cur, &seg) == 0 && seg.len == 0,
	       "iteration: stays at the end");

	cur = 0;
	hl7_segment_next(&m, &cur, &seg);
	TAP_OK(hl7_field(&m, seg, 1, &f) && span_is(f, "|"), "field: MSH-1");
	TAP_OK(hl7_field(&m, seg, 2, &f) && span_is(f, "^~\\&"), "field: MSH-2");
	TAP_OK(hl7_field(&m, seg, 3, &f) && span_is(f, "SND"), "field: MSH-3");
	TAP_OK(hl7_field(&m, seg, 12, &f) && span_is(f, "2.5"), "field: MSH-12");
	TAP_OK(!hl7_field(&m, seg, 13, &f) && f.len == 0, "field: MSH-13 absent");
	TAP_OK(!hl7_field(&m, seg, 0, &f), "field: 0 is not a field");
	hl7_segment_next(&m, &cur, &seg);
	hl7_segment_next(&m, &cur, &seg);
	TAP_OK(hl7_field(&m, seg, 1, &f) && span_is(f, "1"), "field: PID-1");
	TAP_OK(hl7_field(&m, seg, 2, &f) && f.len == 0, "field: PID-2 empty but present");
	TAP_OK(hl7_field(&m, seg, 3, &f) && span_is(f, "x"), "field: PID-3 last");
	TAP_OK(!hl7_field(&m, seg, 4, &f), "field: PID-4 absent");
	hl7_segment_next(&m, &cur, &seg);
	TAP_OK(!hl7_field(&m, seg, 1, &f), "field: PV1 without fields has no PV1-1");
	guard_free(&g);

	{
		static const char bad[] = "PID|1\r";
		struct guarded g2 = guard_copy(bad, sizeof bad - 1);

		hl7_parse(&m, g2.p, sizeof bad - 1, 0);
		cur = 0;
		TAP_OK(hl7_segment_next(&m, &cur, &seg) == 0,
		       "iteration: nothing without delimiters");
		guard_free(&g2);
	}
}

static void test_parts(void)
{
	static const char in[] =
	    MSH_HEAD "ADT^A01|1|P|2.5\rPID|1||111^^^H1~222^^^H2&X&ISO||DOE^JOHN\r";
	struct guarded g = guard_copy(in, sizeof in - 1);
	struct hl7_msg m;
	struct hl7_span seg, f, r, c, s;
	size_t cur = 0;

	hl7_parse(&m, g.p, sizeof in - 1, 0);
	hl7_segment_next(&m, &cur, &seg);
	hl7_segment_next(&m, &cur, &seg);
	hl7_field(&m, seg, 3, &f);
	TAP_OK(hl7_repetition(&m, f, 1, &r) && span_is(r, "111^^^H1"), "repetition 1");
	TAP_OK(hl7_repetition(&m, f, 2, &r) && span_is(r, "222^^^H2&X&ISO"), "repetition 2");
	TAP_OK(!hl7_repetition(&m, f, 3, &c) && c.len == 0, "repetition 3 absent");
	TAP_OK(!hl7_repetition(&m, f, 0, &c), "repetition 0 absent");
	TAP_OK(hl7_component(&m, r, 1, &c) && span_is(c, "222"), "component 1");
	TAP_OK(hl7_component(&m, r, 2, &c) && c.len == 0, "component 2 empty");
	TAP_OK(hl7_component(&m, r, 4, &c) && span_is(c, "H2&X&ISO"), "component 4");
	TAP_OK(!hl7_component(&m, r, 5, &s), "component 5 absent");
	TAP_OK(hl7_subcomponent(&m, c, 1, &s) && span_is(s, "H2"), "subcomponent 1");
	TAP_OK(hl7_subcomponent(&m, c, 3, &s) && span_is(s, "ISO"), "subcomponent 3");
	TAP_OK(!hl7_subcomponent(&m, c, 4, &s), "subcomponent 4 absent");
	hl7_field(&m, seg, 2, &f);
	TAP_OK(hl7_repetition(&m, f, 1, &r) && r.len == 0 && hl7_component(&m, r, 1, &c) &&
		   c.len == 0,
	       "empty field has one empty repetition and component");
	guard_free(&g);
}

/* ---- paths ---- */

static void test_path_parse(void)
{
	struct {
		const char *s;
		int rc;
		struct hl7_path p;
	} cases[] = {
	    {"MSH-9.2", 0, {"MSH", 0, 9, 0, 2, 0}},
	    {"PID-3[2].1", 0, {"PID", 0, 3, 2, 1, 0}},
	    {"OBX[3]-5", 0, {"OBX", 3, 5, 0, 0, 0}},
	    {"PID-5.1.1", 0, {"PID", 0, 5, 0, 1, 1}},
	    {"PID-3[2].4.2", 0, {"PID", 0, 3, 2, 4, 2}},
	    {"OBX[12]-5[3].2.1", 0, {"OBX", 12, 5, 3, 2, 1}},
	    {"Z01-1", 0, {"Z01", 0, 1, 0, 0, 0}},
	    {"MSH-1", 0, {"MSH", 0, 1, 0, 0, 0}},
	    {"PID-03", 0, {"PID", 0, 3, 0, 0, 0}},
	    {"", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-0", -1, {"", 0, 0, 0, 0, 0}},
	    {"pid-1", -1, {"", 0, 0, 0, 0, 0}},
	    {"1ID-1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PI-1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PIDX-1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-1.", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-1..2", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-1.0", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID[0]-1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID[]-1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID[1-1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-1[2", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-1.2[1]", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-1.2.3.4", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-1x", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-+1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID--1", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID-99999999999999999999", -1, {"", 0, 0, 0, 0, 0}},
	    {"PID 1", -1, {"", 0, 0, 0, 0, 0}},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct hl7_path p;
		size_t n = strlen(cases[i].s);
		struct guarded g = guard_copy(cases[i].s, n);
		int rc = hl7_path_parse(g.p, n, &p);
		int ok = rc == cases[i].rc;

		if (ok && rc == 0)
			ok = strcmp(p.seg, cases[i].p.seg) == 0 &&
			     p.seg_index == cases[i].p.seg_index && p.field == cases[i].p.field &&
			     p.rep == cases[i].p.rep && p.comp == cases[i].p.comp &&
			     p.sub == cases[i].p.sub;
		TAP_OK(ok, "path parse '%s' %s", cases[i].s, cases[i].rc ? "refused" : "accepted");
		guard_free(&g);
	}
}

struct get_case {
	const char *path;
	int found;
	const char *value;
};

static void run_get_cases(const char *what, const char *in, unsigned flags,
			  const struct get_case *cases, size_t n)
{
	size_t len = strlen(in), i;
	struct guarded g = guard_copy(in, len);
	struct hl7_msg m;

	hl7_parse(&m, g.p, len, flags);
	for (i = 0; i < n; i++) {
		struct hl7_path p;
		struct hl7_span v;
		int found = -1;

		if (hl7_path_parse(cases[i].path, strlen(cases[i].path), &p) == 0)
			found = hl7_get(&m, &p, &v);
		TAP_OK(found == cases[i].found && (found ? span_is(v, cases[i].value) : v.len == 0),
		       "get %s %s = %s%s%s", what, cases[i].path, cases[i].found ? "'" : "",
		       cases[i].found ? cases[i].value : "absent", cases[i].found ? "'" : "");
		if (found != cases[i].found || (found == 1 && !span_is(v, cases[i].value)))
			printf("#   got %d '%s'\n", found, found == 1 ? show(v.p, v.len) : "");
	}
	guard_free(&g);
}

static void test_get(void)
{
	static const char msg[] =
	    "MSH|^~\\&|SND^SA|SFAC|RCV|RFAC|20260101||ADT^A01^ADT_A01|MSG1|P|2.5.1|||AL~NE\r"
	    "PID|1||111^^^H1~222^^^H2&X&ISO||DOE^JOHN^Q~ALIAS^A||\r"
	    "OBX|1|ST|A||v1\r"
	    "OBX|2|ST|B||v2\r"
	    "OBX|3|ST|C||v3~v3b^c2&s2\r";
	static const struct get_case cases[] = {
	    {"MSH-1", 1, "|"},
	    {"MSH-2", 1, "^~\\&"},
	    {"MSH-2.1", 1, "^~\\&"},
	    {"MSH-2[1]", 1, "^~\\&"},
	    {"MSH-1.1.1", 1, "|"},
	    {"MSH-2.2", 0, ""},
	    {"MSH-2[2]", 0, ""},
	    {"MSH-3", 1, "SND^SA"},
	    {"MSH-3.2", 1, "SA"},
	    {"MSH-3.3", 0, ""},
	    {"MSH-7", 1, "20260101"},
	    {"MSH-8", 1, ""},
	    {"MSH-9", 1, "ADT^A01^ADT_A01"},
	    {"MSH-9.1", 1, "ADT"},
	    {"MSH-9.2", 1, "A01"},
	    {"MSH-9.3", 1, "ADT_A01"},
	    {"MSH-9.4", 0, ""},
	    {"MSH-10", 1, "MSG1"},
	    {"MSH-12", 1, "2.5.1"},
	    {"MSH-15", 1, "AL~NE"},
	    {"MSH-15[2]", 1, "NE"},
	    {"MSH-15.1", 1, "AL"},
	    {"MSH-16", 0, ""},
	    {"MSH[1]-10", 1, "MSG1"},
	    {"MSH[2]-10", 0, ""},
	    {"PID-1", 1, "1"},
	    {"PID-2", 1, ""},
	    {"PID-3", 1, "111^^^H1~222^^^H2&X&ISO"},
	    {"PID-3.1", 1, "111"},
	    {"PID-3[1].4", 1, "H1"},
	    {"PID-3[2]", 1, "222^^^H2&X&ISO"},
	    {"PID-3[2].1", 1, "222"},
	    {"PID-3[2].2", 1, ""},
	    {"PID-3[2].4", 1, "H2&X&ISO"},
	    {"PID-3[2].4.1", 1, "H2"},
	    {"PID-3[2].4.2", 1, "X"},
	    {"PID-3[2].4.3", 1, "ISO"},
	    {"PID-3[2].4.4", 0, ""},
	    {"PID-3[2].5", 0, ""},
	    {"PID-3[3]", 0, ""},
	    {"PID-5.1.1", 1, "DOE"},
	    {"PID-5.1.2", 0, ""},
	    {"PID-5.3", 1, "Q"},
	    {"PID-5[2].2", 1, "A"},
	    {"PID-7", 1, ""},
	    {"PID-8", 0, ""},
	    {"PID[2]-1", 0, ""},
	    {"OBX-5", 1, "v1"},
	    {"OBX[1]-3", 1, "A"},
	    {"OBX[2]-3", 1, "B"},
	    {"OBX[3]-5", 1, "v3~v3b^c2&s2"},
	    {"OBX[3]-5[2]", 1, "v3b^c2&s2"},
	    {"OBX[3]-5[2].2.2", 1, "s2"},
	    {"OBX[4]-1", 0, ""},
	    {"NTE-1", 0, ""},
	};

	run_get_cases("default", msg, 0, cases, sizeof cases / sizeof cases[0]);
}

static void test_get_nondefault(void)
{
	static const char bar[] = "MSH|^~\\}|S|F|R|F|T||BAR^P01|1|P|2.4\rPID|1||A^^^B}C}D~E&F\r";
	static const struct get_case bar_cases[] = {
	    {"MSH-2", 1, "^~\\}"},  {"PID-3.4", 1, "B}C}D"},	{"PID-3.4.2", 1, "C"},
	    {"PID-3[2]", 1, "E&F"}, {"PID-3[2].1.1", 1, "E&F"},
	};
	static const char odd[] =
	    "MSH#$*@%!#SND$SA#SFAC#R#F#T##ORU$R01#1#P#2.7\rOBX#1#ST#C$D%E*X$Y##v@F@1\n";
	static const struct get_case odd_cases[] = {
	    {"MSH-1", 1, "#"},	       {"MSH-2", 1, "$*@%!"}, {"MSH-3", 1, "SND$SA"},
	    {"MSH-3.2", 1, "SA"},      {"MSH-9.2", 1, "R01"}, {"MSH-12", 1, "2.7"},
	    {"OBX-3", 1, "C$D%E*X$Y"}, {"OBX-3.2.2", 1, "E"}, {"OBX-3[2].2", 1, "Y"},
	    {"OBX-5", 1, "v@F@1"},
	};
	static const char pipes[] = "MSH#^~\\&#S|1#F#R#F#T##ADT^A01#C|1#P#2.5\rPID#a|b#c\r";
	static const struct get_case pipes_cases[] = {
	    {"MSH-3", 1, "S|1"},
	    {"MSH-10", 1, "C|1"},
	    {"PID-1", 1, "a|b"},
	    {"PID-2", 1, "c"},
	};

	run_get_cases("^~\\}", bar, 0, bar_cases, sizeof bar_cases / sizeof bar_cases[0]);
	run_get_cases("#$*@%!", odd, 0, odd_cases, sizeof odd_cases / sizeof odd_cases[0]);
	run_get_cases("fs #", pipes, 0, pipes_cases, sizeof pipes_cases / sizeof pipes_cases[0]);
}

/* Reading MSH of a message that failed validation. */
static void test_get_after_error(void)
{
	static const char badenc[] = "MSH|^~|SND|SFAC|RCV|RFAC|T||ADT^A01|CTRL1|P|2.5|||AL\r";
	static const struct get_case badenc_cases[] = {
	    {"MSH-1", 1, "|"},	  {"MSH-2", 1, "^~"},	  {"MSH-9", 1, "ADT^A01"},
	    {"MSH-9.1", 0, ""},	  {"MSH-10", 1, "CTRL1"}, {"MSH-15", 1, "AL"},
	    {"MSH-15[1]", 0, ""}, {"MSH-99", 0, ""},	  {"PID-1", 0, ""},
	};
	static const char seq[] = MSH_HEAD "ADT^A01|A|P|2.5\rPID|1\r" MSH_HEAD "ADT^A02|B|P|2.5\r";
	static const struct get_case seq_cases[] = {
	    {"MSH-10", 1, "A"},
	    {"MSH[2]-10", 1, "B"},
	    {"MSH[2]-9.2", 1, "A02"},
	    {"PID-1", 1, "1"},
	};
	static const char strict_bom[] = "\xEF\xBB\xBF" MSH_HEAD "ADT^A01|X9|P|2.5\r";
	static const struct get_case bom_cases[] = {
	    {"MSH-10", 1, "X9"},
	    {"MSH-9.2", 1, "A01"},
	};
	static const char nomsh[] = "PID|1\r";
	static const struct get_case nomsh_cases[] = {
	    {"MSH-10", 0, ""},
	    {"PID-1", 0, ""},
	};

	run_get_cases("bad MSH-2", badenc, 0, badenc_cases,
		      sizeof badenc_cases / sizeof badenc_cases[0]);
	run_get_cases("second MSH", seq, 0, seq_cases, sizeof seq_cases / sizeof seq_cases[0]);
	run_get_cases("strict BOM", strict_bom, HL7_PARSE_STRICT, bom_cases,
		      sizeof bom_cases / sizeof bom_cases[0]);
	run_get_cases("no MSH", nomsh, 0, nomsh_cases, sizeof nomsh_cases / sizeof nomsh_cases[0]);
	{
		struct hl7_msg m;
		struct guarded g = guard_copy(badenc, sizeof badenc - 1);

		hl7_parse(&m, g.p, sizeof badenc - 1, 0);
		TAP_OK(span_is(hl7_msh(&m, 10, 0), "CTRL1") && hl7_msh(&m, 9, 1).len == 0 &&
			   span_is(hl7_msh(&m, 9, 0), "ADT^A01"),
		       "hl7_msh whole fields without MSH-2");
		guard_free(&g);
	}
}

static void test_msh_helper(void)
{
	static const char in[] = MSH_HEAD "ADT^A01^ADT_A01|MSG00001|P|2.5.1\r";
	struct guarded g = guard_copy(in, sizeof in - 1);
	struct hl7_msg m;

	hl7_parse(&m, g.p, sizeof in - 1, 0);
	TAP_OK(span_is(hl7_msh(&m, 9, 0), "ADT^A01^ADT_A01"), "hl7_msh 9 whole");
	TAP_OK(span_is(hl7_msh(&m, 9, 1), "ADT"), "hl7_msh 9.1");
	TAP_OK(span_is(hl7_msh(&m, 9, 2), "A01"), "hl7_msh 9.2");
	TAP_OK(span_is(hl7_msh(&m, 10, 0), "MSG00001"), "hl7_msh 10");
	TAP_OK(hl7_msh(&m, 15, 0).len == 0 && hl7_msh(&m, 15, 0).p != NULL,
	       "hl7_msh absent field is empty, not NULL");
	TAP_OK(span_is(hl7_msh(&m, 1, 0), "|") && span_is(hl7_msh(&m, 2, 0), "^~\\&"),
	       "hl7_msh 1 and 2");
	guard_free(&g);
}

/* ---- escapes ---- */

struct esc_case {
	const char *name;
	const char *in;
	size_t len;
	const char *out;
	size_t outlen;
};

static const struct hl7_delims trunc_delims = {'|', '^', '~', '\\', '&', '#'};
static const struct hl7_delims odd_delims = {'#', '$', '*', '@', '%', '!'};

static void run_esc(const char *what, const struct hl7_delims *d, int decode,
		    const struct esc_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char buf[256];
		struct guarded g = guard_copy(c[i].in, c[i].len);
		struct hl7_span in = {g.p, c[i].len};
		size_t got = decode ? hl7_unescape(d, in, buf, sizeof buf)
				    : hl7_escape(d, in, buf, sizeof buf);

		TAP_OK(got == c[i].outlen && memcmp(buf, c[i].out, got) == 0, "%s %s: %s", what,
		       decode ? "unescape" : "escape", c[i].name);
		if (got != c[i].outlen || memcmp(buf, c[i].out, got) != 0)
			printf("#   got '%s'\n", show(buf, got < sizeof buf ? got : sizeof buf));
		guard_free(&g);
	}
}

static void test_escapes(void)
{
	static const struct esc_case dec[] = {
	    {"plain", S("abc"), S("abc")},
	    {"empty", S(""), S("")},
	    {"\\F\\", S("a\\F\\b"), S("a|b")},
	    {"\\S\\", S("a\\S\\b"), S("a^b")},
	    {"\\T\\", S("a\\T\\b"), S("a&b")},
	    {"\\R\\", S("a\\R\\b"), S("a~b")},
	    {"\\E\\", S("a\\E\\b"), S("a\\b")},
	    {"all in a row", S("\\F\\\\S\\\\T\\\\R\\\\E\\"), S("|^&~\\")},
	    {"\\X41\\", S("\\X41\\"), S("A")},
	    {"\\X0D0A\\", S("x\\X0D0A\\y"), S("x\r\ny")},
	    {"\\Xc3a9\\ lower-case hex", S("caf\\Xc3a9\\"), S("caf\xc3\xa9")},
	    {"\\X00\\ NUL", S("\\X00\\"), "\0", 1},
	    {"\\X4\\ odd digits passed through", S("\\X4\\"), S("\\X4\\")},
	    {"\\X\\ empty passed through", S("\\X\\"), S("\\X\\")},
	    {"\\Xzz\\ not hex passed through", S("\\Xzz\\"), S("\\Xzz\\")},
	    {"\\H\\ \\N\\ passed through", S("\\H\\bold\\N\\"), S("\\H\\bold\\N\\")},
	    {"\\.br\\ passed through", S("a\\.br\\b"), S("a\\.br\\b")},
	    {"\\Cxxyy\\ passed through", S("\\C2842\\x"), S("\\C2842\\x")},
	    {"\\Zabc\\ passed through", S("\\Zabc\\"), S("\\Zabc\\")},
	    {"\\P\\ without truncation passed through", S("\\P\\"), S("\\P\\")},
	    {"\\FF\\ passed through", S("\\FF\\"), S("\\FF\\")},
	    {"\\\\ empty sequence passed through", S("a\\\\b"), S("a\\\\b")},
	    {"lone escape", S("a\\b"), S("a\\b")},
	    {"trailing escape", S("abc\\"), S("abc\\")},
	    {"stray backslash then valid", S("\\70_105\\F\\"), S("\\70_105|")},
	    {"unknown then valid", S("\\H\\x\\F\\y"), S("\\H\\x|y")},
	    {"only escape", S("\\"), S("\\")},
	};
	static const struct esc_case dec_trunc[] = {
	    {"\\P\\ truncation", S("a\\P\\b"), S("a#b")},
	};
	static const struct esc_case dec_odd[] = {
	    {"@F@ @S@ @T@ @R@ @E@ @P@", S("@F@@S@@T@@R@@E@@P@"), S("#$%*@!")},
	    {"backslash is plain", S("a\\F\\b"), S("a\\F\\b")},
	    {"@X41@", S("@X41@"), S("A")},
	    {"@H@ passed through", S("@H@"), S("@H@")},
	};
	static const struct esc_case enc[] = {
	    {"plain", S("abc"), S("abc")},
	    {"empty", S(""), S("")},
	    {"each delimiter", S("a|b^c&d~e\\f"), S("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f")},
	    {"# is plain without truncation", S("#"), S("#")},
	    {"CR and LF", S("a\rb\nc"), S("a\\X0D\\b\\X0A\\c")},
	    {"high bytes unchanged", S("\xc3\xa9"), S("\xc3\xa9")},
	};
	static const struct esc_case enc_trunc[] = {
	    {"# is \\P\\", S("a#b"), S("a\\P\\b")},
	};
	static const struct esc_case enc_odd[] = {
	    {"odd delimiters", S("#$*@%!|^~\\&"), S("@F@@S@@R@@E@@T@@P@|^~\\&")},
	};

	run_esc("default", &hl7_default_delims, 1, dec, sizeof dec / sizeof dec[0]);
	run_esc("truncation #", &trunc_delims, 1, dec_trunc, 1);
	run_esc("#$*@%!", &odd_delims, 1, dec_odd, sizeof dec_odd / sizeof dec_odd[0]);
	run_esc("default", &hl7_default_delims, 0, enc, sizeof enc / sizeof enc[0]);
	run_esc("truncation #", &trunc_delims, 0, enc_trunc, 1);
	run_esc("#$*@%!", &odd_delims, 0, enc_odd, 1);
}

static void test_escape_bounds(void)
{
	static const char text[] = "a|b\\X41\\c";
	struct hl7_span in = {text, sizeof text - 1};
	char buf[32];
	size_t n;

	memset(buf, 'Z', sizeof buf);
	n = hl7_escape(&hl7_default_delims, in, buf, 4);
	TAP_OK(n == 15 && memcmp(buf, "a\\F\\", 4) == 0 && buf[4] == 'Z',
	       "escape: short buffer returns full length, writes cap");
	TAP_OK(hl7_escape(&hl7_default_delims, in, NULL, 0) == 15, "escape: NULL, 0 measures");
	memset(buf, 'Z', sizeof buf);
	n = hl7_unescape(&hl7_default_delims, in, buf, 4);
	TAP_OK(n == 5 && memcmp(buf, "a|bA", 4) == 0 && buf[4] == 'Z',
	       "unescape: short buffer returns full length, writes cap");
	TAP_OK(hl7_unescape(&hl7_default_delims, in, NULL, 0) == 5, "unescape: NULL, 0 measures");
	memset(buf, 'Z', sizeof buf);
	n = hl7_unescape(&hl7_default_delims, (struct hl7_span){"\\X414243\\", 9}, buf, 2);
	TAP_OK(n == 3 && memcmp(buf, "AB", 2) == 0 && buf[2] == 'Z',
	       "unescape: \\X run cut at cap");
}

static void test_escape_roundtrip(void)
{
	static const char *const texts[] = {"plain", "a|b^c&d~e\\f", "\\F\\ literally",
					    "x\\",   "#!$*@%",	     ""};
	const struct hl7_delims *ds[] = {&hl7_default_delims, &trunc_delims, &odd_delims};
	size_t i, j;
	int ok = 1;

	for (i = 0; i < sizeof ds / sizeof ds[0]; i++)
		for (j = 0; j < sizeof texts / sizeof texts[0]; j++) {
			char e[128], u[128];
			struct hl7_span in = {texts[j], strlen(texts[j])}, es;
			size_t n = hl7_escape(ds[i], in, e, sizeof e), k;

			es.p = e;
			es.len = n;
			k = hl7_unescape(ds[i], es, u, sizeof u);
			if (k != in.len || memcmp(u, in.p, k) != 0)
				ok = 0;
		}
	TAP_OK(ok, "escape then unescape gives the text back, for three delimiter sets");
}

static void test_span_eq(void)
{
	struct hl7_span s = {"ACK^A01", 3}, e = {"", 0};

	TAP_OK(hl7_span_eq(s, "ACK") && !hl7_span_eq(s, "AC") && !hl7_span_eq(s, "ACK^"),
	       "span_eq");
	TAP_OK(hl7_span_eq(e, "") && !hl7_span_eq(e, "A"), "span_eq empty");
}

/* ---- a long message: linear and exact at the end of the buffer ---- */

static void test_long(void)
{
	size_t cap = 4u << 20, n = 0, segs = 1;
	char *b = malloc(cap);
	struct guarded g;
	struct hl7_msg m;
	struct hl7_span seg;
	size_t cur = 0, count = 0;
	static const char head[] = MSH_HEAD "ORU^R01|1|P|2.5.1\n";

	memcpy(b, head, sizeof head - 1);
	n = sizeof head - 1;
	while (n + 200 < cap) {
		/* a LF-only message: a quadratic scan for CR would show here */
		n += (size_t)snprintf(b + n, cap - n, "OBX|%zu|ED|x||^AP^PDF^Base64^%0150zu\n",
				      segs, segs);
		segs++;
	}
	memcpy(b + n, "NTE|long:", 9);
	n += 9;
	memset(b + n, 'A', cap - n);
	g = guard_copy(b, cap);
	TAP_OK(hl7_parse(&m, g.p, cap, 0) == HL7_OK && m.segments == segs + 1 &&
		   m.lenient == (HL7_LENIENT_LF | HL7_LENIENT_NO_FINAL_CR),
	       "4 MiB LF message, last segment runs into the guard page (%u segments)", m.segments);
	while (hl7_segment_next(&m, &cur, &seg))
		count++;
	TAP_OK(count == segs + 1, "iterate 4 MiB LF message");
	guard_free(&g);
	free(b);
}

/* ---- the shared corpus, when it is there ---- */

/* The manifest writes bytes outside printable ASCII as \xNN. */
static size_t manifest_decode(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	while (*s && n < cap) {
		unsigned v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

/*
 * Rows where the manifest disagrees with mllpd(8) or with its own file;
 * the parser follows mllpd(8) and these rows check that instead.
 */
static const struct {
	const char *file;
	int valid;
	const char *why;
} corpus_exceptions[] = {
    {"valid/nhapi-ACK-01.hl7", 0,
     "MSH-12 2.6.1 is not in table 0104 (mllpd(8)); the manifest says accept, its answer (none) "
     "agrees"},
    {"malformed/ipf-MULTI-01.hl7", 1,
     "the file holds one message, not two; the manifest expects a second MSH that is not there"},
};

/* Valid or not, by the answer columns (they follow mllpd(8) even where expected_outcome does not).
 */
static int corpus_expect_valid(char **col, const char **why)
{
	size_t i;

	*why = NULL;
	for (i = 0; i < sizeof corpus_exceptions / sizeof corpus_exceptions[0]; i++)
		if (strcmp(col[0], corpus_exceptions[i].file) == 0) {
			*why = corpus_exceptions[i].why;
			return corpus_exceptions[i].valid;
		}
	if (strcmp(col[7], "AA") == 0)
		return 1;
	if (strcmp(col[7], "AR") == 0)
		return 0;
	return strcmp(col[5], "reject") != 0;
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
		int accept_expected;
		const char *why;

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
		accept_expected = corpus_expect_valid(col, &why);
		ok = (m.status == HL7_OK) == accept_expected;
		if (ok && m.status == HL7_OK && !why) {
			char cid[256];
			size_t cl = manifest_decode(col[3], cid, sizeof cid);
			struct hl7_span c10 = hl7_msh(&m, 10, 0);

			ok = span_is(hl7_msh(&m, 12, 0), col[1]) &&
			     span_is(hl7_msh(&m, 9, 0), col[2]) && c10.len == cl &&
			     memcmp(c10.p, cid, cl) == 0 && m.segments == (unsigned)atoi(col[4]);
		}
		TAP_OK(ok, "corpus %s: %s (%s)", col[0], accept_expected ? "valid" : "invalid",
		       hl7_status_text(m.status));
		if (why)
			printf("#   manifest differs: %s\n", why);
		if (!ok)
			printf("#   status %s at %zu segment '%s' field %u, segments %u (manifest "
			       "%s)\n",
			       hl7_status_text(m.status), m.err_offset, m.err_segment, m.err_field,
			       m.segments, col[4]);
		guard_free(&g);
		free(data);
	}
	fclose(mf);
	TAP_OK(rows > 0, "corpus: %d messages checked", rows);
}

int main(void)
{
	test_parse_cases();
	test_versions();
	test_delims();
	test_status_table();
	test_iteration();
	test_parts();
	test_path_parse();
	test_get();
	test_get_nondefault();
	test_get_after_error();
	test_msh_helper();
	test_escapes();
	test_escape_bounds();
	test_escape_roundtrip();
	test_span_eq();
	test_long();
	test_corpus();
	return tap_done();
}

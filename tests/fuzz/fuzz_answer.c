/* SPDX-License-Identifier: MIT */
/* fuzz_answer.c: a command's printed answer, as mllpd takes it, against the ACK reader everyone
 * else uses. */
#include <string.h>

#include "ack.h"
#include "ackread.h"
#include "fuzz.h"
#include "hl7.h"
#include "segnorm.h"

/*
 * Input: byte 0 is the length (mod 16) of the control ID the answer must
 * acknowledge, taken from the next bytes; the rest is what the command
 * printed.  Invariants: whatever ackread_answer() takes as the answer is
 * the normalised text; a client reading those very bytes (ackread_parse,
 * as mllp-send does) reads the same code and the same MSA-2, which is the
 * control ID; and what it refuses is never read by a client as an ACK of
 * that message.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t idlen = data[0] % 16;
	if (idlen > size - 1)
		idlen = size - 1;
	struct hl7_span id = {(const char *)data + 1, idlen};
	const char *out = (const char *)data + 1 + idlen;
	size_t n = size - 1 - idlen;

	char *dst = malloc(n + 1), *norm = malloc(n + 1);
	if (!dst || !norm)
		abort();
	struct hl7_msg m, m2;
	struct ackread a, a2;
	size_t len;
	enum ackread_status st = ackread_answer(out, n, id, dst, n + 1, &len, &m, &a);
	size_t nl = segnorm_copy(norm, n + 1, out, n);
	FUZZ_CHECK(len == nl && memcmp(dst, norm, len) == 0);
	/* In place, as mllpd calls it, gives the same. */
	memcpy(norm, out, n);
	size_t len2;
	enum ackread_status st2 = ackread_answer(norm, n, id, norm, n + 1, &len2, &m2, &a2);
	FUZZ_CHECK(st2 == st && len2 == len && memcmp(norm, dst, len) == 0);

	enum ackread_status client = ackread_parse(&m2, dst, len, &a2);
	if (st == ACKREAD_OK) {
		FUZZ_CHECK(len >= 3 && memcmp(dst, "MSH", 3) == 0);
		FUZZ_CHECK(client == ACKREAD_OK);
		FUZZ_CHECK(strcmp(a.code, a2.code) == 0 && a.positive == a2.positive);
		FUZZ_CHECK(a2.control_id.len == id.len &&
			   memcmp(a2.control_id.p, id.p, id.len) == 0);
	} else if (len >= 3 && memcmp(dst, "MSH", 3) == 0 && client == ACKREAD_OK) {
		/* Refused although a client reads an ACK: only because it acknowledges another
		 * message. */
		FUZZ_CHECK(st == ACKREAD_OTHER_MESSAGE);
		FUZZ_CHECK(a2.control_id.len != id.len ||
			   memcmp(a2.control_id.p, id.p, id.len) != 0);
	}
	free(dst);
	free(norm);
	return 0;
}

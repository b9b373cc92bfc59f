/* SPDX-License-Identifier: MIT */
/* fuzz_dedupe_table.c: a set of dedupe's table holding any bytes never yields a record that is
 * not whole, and a record put there is found as put. */
#include <string.h>
#include <sys/mman.h>

#include "ddtable.h"
#include "fuzz.h"

/*
 * Input: byte 0 is the key's length (0 to 255), the key's bytes follow,
 * and the rest is the set's 4096 bytes (lock word, overflow time, 7
 * slots), zero-padded; set 0 (hash 0) of a table mapped once per process.
 * A find must be a slot that passes the reader's checks (magic, lengths
 * within the slot, FNV-1a sum), whose key is the one asked, whose answer
 * lies inside the slot.  Then a record is put (when it fits) and must be
 * found with the same time, window, digest and answer.
 */

static struct ddtable table;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char key[256], digest[32];
	struct ddtable_rec r;

	if (!table.map) {
		void *m = mmap(NULL, DDTABLE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		FUZZ_CHECK(m != MAP_FAILED);
		table.map = m;
	}
	if (size < 1)
		return 0;
	size_t klen = data[0] < size - 1 ? data[0] : size - 1;
	memcpy(key, data + 1, klen);
	unsigned char *set = table.map + 4096;
	size_t rest = size - 1 - klen;
	memset(set, 0, 4096);
	memcpy(set, data + 1 + klen, rest < 4096 ? rest : 4096);

	if (ddtable_find(&table, 0, key, klen, &r)) {
		FUZZ_CHECK(r.ack >= set + DDTABLE_SLOT && r.ack + r.ack_len <= set + 4096);
		const unsigned char *slot = r.digest - 32;
		FUZZ_CHECK(ddtable_slot_valid(slot));
		FUZZ_CHECK(memcmp(slot + 64, key, klen) == 0 && klen + r.ack_len <= DDTABLE_ROOM);
		FUZZ_CHECK(r.ack == slot + 64 + klen && (size_t)(slot - set) % DDTABLE_SLOT == 0);
	}
	for (int i = 0; i < 32; i++)
		digest[i] = (unsigned char)(i * 7 + klen);
	const unsigned char ack[] = "MSA|AA|1\r";
	if (ddtable_put(&table, 0, key, klen, digest, 1000000000LL, 600, ack, sizeof ack - 1) ==
	    0) {
		FUZZ_CHECK(ddtable_find(&table, 0, key, klen, &r));
		FUZZ_CHECK(r.t == 1000000000LL && r.window == 600 && r.ack_len == sizeof ack - 1);
		FUZZ_CHECK(memcmp(r.digest, digest, 32) == 0 && memcmp(r.ack, ack, r.ack_len) == 0);
	}
	return 0;
}

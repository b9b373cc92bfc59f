/* SPDX-License-Identifier: MIT */
/* test_sha256.c: SHA-256 gives the FIPS 180-4 / NIST example digests, for any cutting of its input.
 */
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "sha256.h"
#include "tap.h"

static void hex(const unsigned char *d, char *out)
{
	for (int i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int main(void)
{
	/* The NIST examples (FIPS 180-4 example values, SHA256.pdf) and two at the padding edges.
	 */
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmno"
	     "pqrlmnopqrsmnopqrs"
	     "tnopqrstu",
	     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	    {"The quick brown fox jumps over the lazy dog",
	     "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
	};
	unsigned char d[SHA256_LEN];
	char got[2 * SHA256_LEN + 1];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].in);
		struct guarded g = guard_copy(cases[i].in, len);
		int same = 1;

		sha256_digest(g.p, len, d);
		hex(d, got);
		TAP_OK(strcmp(got, cases[i].want) == 0, "\"%.20s\" (%zu bytes): %s", cases[i].in,
		       len, got);
		/* Cut in two at every position, and a byte at a time. */
		for (size_t p = 0; p <= len; p++) {
			struct sha256 c;
			sha256_init(&c);
			sha256_update(&c, g.p, p);
			sha256_update(&c, g.p + p, len - p);
			sha256_final(&c, d);
			hex(d, got);
			same &= strcmp(got, cases[i].want) == 0;
		}
		struct sha256 c;
		sha256_init(&c);
		for (size_t p = 0; p < len; p++)
			sha256_update(&c, g.p + p, 1);
		sha256_final(&c, d);
		hex(d, got);
		same &= strcmp(got, cases[i].want) == 0;
		TAP_OK(same, "the same cut at every position and a byte at a time");
		guard_free(&g);
	}

	/* One million 'a' (NIST), in pieces of 1000. */
	static char a[1000];
	struct sha256 c;
	memset(a, 'a', sizeof a);
	sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		sha256_update(&c, a, sizeof a);
	sha256_final(&c, d);
	hex(d, got);
	TAP_OK(strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
	       "a million 'a': %s", got);

	/* Every length from 0 to 130 (each padding case): one call and a byte at a time agree. */
	static char buf[130];
	int agree = 1;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)(i * 31 + 7);
	for (size_t len = 0; len <= sizeof buf; len++) {
		unsigned char one[SHA256_LEN];
		sha256_digest(buf, len, one);
		sha256_init(&c);
		for (size_t p = 0; p < len; p++)
			sha256_update(&c, buf + p, 1);
		sha256_final(&c, d);
		agree &= memcmp(one, d, SHA256_LEN) == 0;
	}
	TAP_OK(agree, "lengths 0 to 130: one call and a byte at a time agree");
	/* 55, 56 and 64 bytes: the padding's edge cases, digests from coreutils sha256sum. */
	memset(a, 'a', sizeof a);
	static const char *edge[] = {
	    "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
	    "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
	    "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
	};
	size_t edge_len[] = {55, 56, 64};
	for (int i = 0; i < 3; i++) {
		sha256_digest(a, edge_len[i], d);
		hex(d, got);
		TAP_OK(strcmp(got, edge[i]) == 0, "%zu times 'a': %s", edge_len[i], got);
	}
	return tap_done();
}

/* SPDX-License-Identifier: MIT */
/* sha256.c: SHA-256 as FIPS 180-4 section 6.2 describes it, in portable C. */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define SHA256_NI 1
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

/* One 64-byte block into the state (FIPS 180-4, 6.2.2). */
static void compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			k = h[7];

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ w[t - 15] >> 3;
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ w[t - 2] >> 10;
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	for (int t = 0; t < 64; t++) {
		uint32_t t1 =
		    k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

#ifdef SHA256_NI
/*
 * The same compression with the x86 SHA extensions (Intel's SHA-NI): the
 * state as ABEF/CDGH vectors, four schedule words per step (sha256msg1/2),
 * two rounds per sha256rnds2.  About 6 times the portable code's speed.
 */
__attribute__((target("sha,sse4.1"))) static void compress_ni(uint32_t h[8], const unsigned char *p,
							      size_t n)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(void *)&h[0]), 0xB1);
	__m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(void *)&h[4]), 0x1B);
	__m128i s0 = _mm_alignr_epi8(tmp, s1, 8);
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);

	for (; n > 0; n--, p += 64) {
		__m128i w[16], a0 = s0, c0 = s1;
		for (int i = 0; i < 16; i++) {
			if (i < 4)
				w[i] = _mm_shuffle_epi8(
				    _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
				    mask);
			else
				w[i] = _mm_sha256msg2_epu32(
				    _mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
						  _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
				    w[i - 1]);
			__m128i m = _mm_add_epi32(
			    w[i], _mm_loadu_si128((const __m128i *)(const void *)&K[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, m);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
		}
		s0 = _mm_add_epi32(s0, a0);
		s1 = _mm_add_epi32(s1, c0);
	}
	tmp = _mm_shuffle_epi32(s0, 0x1B);
	s1 = _mm_shuffle_epi32(s1, 0xB1);
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);
	s1 = _mm_alignr_epi8(s1, tmp, 8);
	_mm_storeu_si128((__m128i *)(void *)&h[0], s0);
	_mm_storeu_si128((__m128i *)(void *)&h[4], s1);
}
#endif

#ifdef SHA256_NI
/*
 * 1 when the CPU has the SHA extensions and SSE4.1 (CPUID 7.EBX bit 29, 1.ECX
 * bit 19).  Asked once: CPUID is a VM exit under a hypervisor.  The cache is
 * the CPU's constant answer, written atomically (clang 14 has no
 * __builtin_cpu_supports("sha")).
 */
static int have_sha_ni(void)
{
	static int known; /* 0: not asked; 1: no; 2: yes */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
	if (!k) {
		unsigned a, b, c, d;
		int sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1);
		int sse41 = __get_cpuid(1, &a, &b, &c, &d) && (c >> 19 & 1);
		k = sha && sse41 ? 2 : 1;
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k == 2;
}
#endif

/* n whole blocks into the state: SHA-NI when the CPU has it. */
static void compress_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef SHA256_NI
	if (have_sha_ni()) {
		compress_ni(h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += 64)
		compress(h, p);
}

void sha256_init(struct sha256 *c)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(c->h, h0, sizeof h0);
	c->bytes = 0;
	c->n = 0;
}

void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->bytes += len;
	if (c->n > 0) {
		size_t m = 64 - c->n < len ? 64 - c->n : len;
		memcpy(c->block + c->n, p, m);
		c->n += m;
		p += m;
		len -= m;
		if (c->n < 64)
			return;
		compress_blocks(c->h, c->block, 1);
		c->n = 0;
	}
	compress_blocks(c->h, p, len / 64);
	p += len / 64 * 64;
	len %= 64;
	if (len > 0)
		memcpy(c->block, p, len);
	c->n = len;
}

void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN])
{
	uint64_t bits = c->bytes * 8;

	/* Padding (5.1.1): 0x80, zeros, the length in bits, big-endian. */
	c->block[c->n++] = 0x80;
	if (c->n > 56) {
		memset(c->block + c->n, 0, 64 - c->n);
		compress_blocks(c->h, c->block, 1);
		c->n = 0;
	}
	memset(c->block + c->n, 0, 56 - c->n);
	for (int i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress_blocks(c->h, c->block, 1);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(c->h[i] >> (24 - 8 * j));
}

void sha256_digest(const void *p, size_t len, unsigned char out[SHA256_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, p, len);
	sha256_final(&c, out);
}

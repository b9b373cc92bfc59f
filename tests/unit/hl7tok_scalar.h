/* SPDX-License-Identifier: MIT */
/* hl7tok_scalar.h: the tokeniser's portable code, built into a test under other names, so that
 * it is checked beside the library's (SSE2 where the compiler targets it).  Include it once. */
#ifndef MLLPD_HL7TOK_SCALAR_H
#define MLLPD_HL7TOK_SCALAR_H

#include "hl7tok.h"

void hl7_tok_init_scalar(struct hl7_tok *t, const struct hl7_msg *m);
size_t hl7_tok_next_scalar(struct hl7_tok *t, struct hl7_leaf *out, size_t cap);
#define HL7TOK_SCALAR 1
#define hl7_tok_init hl7_tok_init_scalar
#define hl7_tok_next hl7_tok_next_scalar
#include "hl7tok.c"
#undef hl7_tok_init
#undef hl7_tok_next

#ifdef HL7TOK_SSE2
#error "the portable build of hl7tok.c must not use SSE2"
#endif

#endif

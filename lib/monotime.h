/* SPDX-License-Identifier: MIT */
/* monotime.h: the monotonic clock, for deadlines and durations (never the wall clock). */
#ifndef MLLP_MONOTIME_H
#define MLLP_MONOTIME_H

/* Milliseconds of CLOCK_MONOTONIC: only differences mean anything. */
long long monotime_ms(void);

/* Microseconds of CLOCK_MONOTONIC. */
long long monotime_us(void);

#endif

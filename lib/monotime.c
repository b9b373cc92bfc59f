/* SPDX-License-Identifier: MIT */
/* monotime.c: CLOCK_MONOTONIC in milliseconds and microseconds. */
#include "monotime.h"

#include <time.h>

long long monotime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long monotime_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

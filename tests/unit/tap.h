/* SPDX-License-Identifier: MIT */
/* tap.h: a minimal TAP producer for the C unit drivers (one "ok"/"not ok" per case). */
#ifndef MLLPD_TAP_H
#define MLLPD_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

/* Report one case; extra lines after a failure start with '#'. */
#define TAP_OK(cond, ...)                                                                          \
	do {                                                                                       \
		int tap_c_ = (cond) ? 1 : 0;                                                       \
		printf("%sok %d - ", tap_c_ ? "" : "not ", ++tap_n);                               \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		if (!tap_c_) {                                                                     \
			tap_failed++;                                                              \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
		}                                                                                  \
	} while (0)

/* Print the plan at the end; exit status 1 when a case failed. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif

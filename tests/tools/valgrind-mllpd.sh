#!/bin/sh
# SPDX-License-Identifier: MIT
# valgrind-mllpd.sh: mllpd under valgrind, for the tests' $MLLPD (make check-valgrind).
#
# make check-valgrind links this script as BUILD/valgrind/mllpd, beside links
# to the other programs and tools, so the tests find them as usual; it runs
# BUILD/mllpd (or $MLLPD_VALGRIND_BIN) under memcheck.  An error, or a
# definite leak, makes the process exit 99.  With $VALGRIND_LOGS set, each
# process (forked connection processes included) reports into
# $VALGRIND_LOGS/PID.log instead of stderr, so a report from a process whose
# exit status no test sees is still found.
# No command substitution: a test that straces mllpd sees no write of ours.
real=${MLLPD_VALGRIND_BIN:-${0%/*}/../mllpd}
if [ -n "${VALGRIND_LOGS:-}" ]; then
	exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no -q \
		--log-file="$VALGRIND_LOGS/%p.log" "$real" "$@"
fi
exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no -q "$real" "$@"

#!/bin/sh
# SPDX-License-Identifier: MIT
# exec-capture.sh: an --exec command for the tests: saves what mllpd gives it.
#
#   exec-capture.sh OUTDIR [EXIT]
#
# Writes OUTDIR/stdin (the message bytes), OUTDIR/env.NAME for every variable
# of the mllpd --exec contract that is set (its value, no newline added),
# OUTDIR/spool-copy (a copy of $MLLP_SPOOL_FILE when it names an existing
# file at that moment), OUTDIR/count (one line per run), then exits EXIT (0).
# With several runs, the files of run N are also kept in OUTDIR/N/.
set -u
out=$1
code=${2:-0}
mkdir -p "$out"
echo run >>"$out/count"
n=$(wc -l <"$out/count" | tr -d ' ')
cat >"$out/stdin"
for v in HL7_CONTROL_ID HL7_MESSAGE_TYPE HL7_MESSAGE_CODE HL7_TRIGGER_EVENT \
	HL7_VERSION HL7_PROCESSING_ID HL7_SENDING_APPLICATION HL7_SENDING_FACILITY \
	HL7_RECEIVING_APPLICATION HL7_RECEIVING_FACILITY MLLP_REMOTE_ADDR \
	MLLP_REMOTE_PORT MLLP_SPOOL_FILE MLLP_TLS_PEER LISTEN_FDS LISTEN_PID NOTIFY_SOCKET; do
	if eval "[ -n \"\${$v+set}\" ]"; then
		eval "printf '%s' \"\$$v\"" >"$out/env.$v"
	else
		rm -f "$out/env.$v"
	fi
done
rm -f "$out/spool-copy"
if [ -n "${MLLP_SPOOL_FILE:-}" ] && [ -f "$MLLP_SPOOL_FILE" ]; then
	cp "$MLLP_SPOOL_FILE" "$out/spool-copy"
fi
mkdir -p "$out/$n"
cp "$out/stdin" "$out/$n/stdin"
for f in "$out"/env.*; do
	[ -e "$f" ] && cp "$f" "$out/$n/"
done
exit "$code"

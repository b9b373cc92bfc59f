# SPDX-License-Identifier: MIT
# tls.bash: the TLS client the TLS tests share (openssl s_client on loopback).
# Needs $T (a scratch directory), $PORT and bg_register from net.bash.

# tls_client NAME ARGS...: openssl s_client to 127.0.0.1:$PORT with ARGS, sending
# $T/m.framed; waits (bounded) for an ACK frame or the client's end, then closes
# its input (-no_ign_eof: the client then ends).  Output in $T/NAME.out, stderr in $T/NAME.cerr, status in TLS_STATUS.
tls_client() {
	local name=$1 i pid
	shift
	rm -f "$T/$name.fifo"
	mkfifo "$T/$name.fifo"
	timeout -k 2 20 openssl s_client -connect "127.0.0.1:$PORT" -quiet -no_ign_eof "$@" \
		<"$T/$name.fifo" >"$T/$name.out" 2>"$T/$name.cerr" 3>&- &
	pid=$!
	bg_register "$pid"
	exec 4>"$T/$name.fifo"
	cat "$T/m.framed" >&4
	for ((i = 0; i < 200; i++)); do
		grep -aq $'\x1c' "$T/$name.out" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	exec 4>&-
	# bounded: s_client runs under timeout
	# shellcheck disable=SC2034 # read by the tests
	TLS_STATUS=0
	# shellcheck disable=SC2034
	wait "$pid" || TLS_STATUS=$?
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 110-hostile: slow, endless, flooding, noisy and idle peers: mllpd stays bounded, alive and serving.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	STRESS="$MLLPD_ROOT/tests/tools/mllp_stress.py"
	# Peak RSS says nothing under ASan (shadow memory) or under valgrind
	# (make check-valgrind: $MLLPD is a script, ldd fails): asserted only
	# for a plain binary.
	local libs
	RSS_CHECK=
	if libs=$(ldd "$MLLPD" 2>/dev/null) && [[ $libs != *libasan.* ]]; then RSS_CHECK=' (asserted)'; fi
	sample_msg REAL1 >"$T/m.hl7"
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

# stress ARGS...: the stress client in the foreground, under a bound.
stress() {
	timeout -k 5 120 "$PYTHON" "$STRESS" "$@"
}

# children: the connection processes of the listener, on one line.
children() {
	local kids=
	read -r kids <"/proc/$MPID/task/$MPID/children" || true
	echo "$kids"
}

# peak_kib PID: the peak resident set size (VmHWM) of PID, in KiB.
peak_kib() {
	awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"
}

# served_after: the listener is alive and serves a normal message.
served_after() {
	kill -0 "$MPID" || fail "the listener died"
	run mllp_client --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	assert_output 'MSA|AA|REAL1'
}

@test "hostile: a byte per second inside a frame (slowloris) is cut off by --frame-timeout" {
	listen_start --spool "$SPOOL" --frame-timeout 2
	run stress slow 127.0.0.1 "$PORT" --interval 1 --limit 30
	assert_success
	assert_line --regexp '^closed after [0-9]+ bytes$'
	assert_line 'answer: none'
	wait_until 10 grep -q 'reason=frame-timeout' "$T/server.err"
	run grep -c 'frame not finished within 2s: [0-9]* bytes dropped, not acknowledged$' "$T/server.err"
	assert_output 1
	assert_spool_empty new
	served_after
}

@test "hostile: junk dripping between frames does not hold a connection past --idle-timeout" {
	# A byte outside any frame every 0.3 s for up to 15 s; --idle-timeout 1 must end it.
	mllpd_run --spool "$SPOOL" --idle-timeout 1 < <(for _ in $(seq 50); do printf 'x' || exit 0; sleep 0.3; done)
	[[ ${stderr_lines[-1]} == *" reason=idle-timeout" ]] || fail "not closed by --idle-timeout: $stderr"
	assert_no_answer
	assert_spool_empty
}

@test "hostile: a frame that never ends, under and over --max-message-size: closed by --frame-timeout, nothing answered" {
	listen_start --spool "$SPOOL" --frame-timeout 2 --max-message-size 64K
	# both at once, on two connections
	bg_start "$PYTHON" "$STRESS" endless 127.0.0.1 "$PORT" --bytes 10K --wait-close 30 </dev/null >"$T/small.out" 2>&1
	local small=$BG_PID
	bg_start "$PYTHON" "$STRESS" endless 127.0.0.1 "$PORT" --bytes 1M --wait-close 30 </dev/null >"$T/big.out" 2>&1
	client_wait "$BG_PID" 40
	[[ $CLIENT_STATUS -eq 0 ]] || fail "1 MiB client: $(cat "$T/big.out")"
	client_wait "$small" 40
	[[ $CLIENT_STATUS -eq 0 ]] || fail "10 KiB client: $(cat "$T/small.out")"
	run cat "$T/small.out" "$T/big.out"
	assert_output "sent 10240
closed by the server
answer: none
sent 1048576
closed by the server
answer: none"
	wait_until 10 eval '[[ $(grep -c "reason=frame-timeout" "$T/server.err") -eq 2 ]]'
	grep -q 'frame not finished within 2s: 10240 bytes dropped, not acknowledged$' "$T/server.err" || fail "no log line for the 10 KiB frame"
	grep -q 'frame not finished within 2s: 1048576 bytes dropped, not acknowledged$' "$T/server.err" || fail "no log line for the 1 MiB frame"
	assert_spool_empty new
	served_after
}

@test "hostile: an oversized frame gets AR 207 'message too large' and the connection stays usable" {
	listen_start --spool "$SPOOL" --max-message-size 64K
	run stress endless 127.0.0.1 "$PORT" --bytes 1M --end "$T/m.hl7"
	assert_success
	assert_line 'sent 1048576'
	assert_line 'answer 1: MSA|AR||message too large'
	assert_line 'err 1: ERR||^^|207^Application internal error^HL70357|E||||message too large'
	assert_line 'answer 2: MSA|AA|REAL1'
	assert_spooled_only "$T/m.hl7"
}

@test "hostile: 10,000 tiny garbage frames are each answered AR, memory stays bounded" {
	listen_start --spool "$SPOOL"
	bg_start "$PYTHON" "$STRESS" garbage 127.0.0.1 "$PORT" --count 10000 --ready-file "$T/ready" --hold-file "$T/release" \
		</dev/null >"$T/garbage.out" 2>"$T/garbage.err"
	local cpid=$BG_PID kid peak
	wait_until 60 test -e "$T/ready"
	# the connection is still open: its process is there to be measured
	kid=$(children)
	[[ $kid =~ ^[0-9]+$ ]] || fail "expected one connection process, got '$kid'"
	peak=$(peak_kib "$kid")
	touch "$T/release"
	client_wait "$cpid" 30
	run cat "$T/garbage.out"
	assert_line 'acks=10000'
	assert_line 'AR=10000'
	[[ ${#lines[@]} -eq 2 ]] || fail "answers other than AR: $output"
	assert_spool_empty new
	echo "# peak RSS of the connection process: $peak KiB${RSS_CHECK:- (not asserted: ASan or valgrind)}" >&3
	if [[ -n $RSS_CHECK ]]; then
		((peak < 32 * 1024)) || fail "peak RSS $peak KiB over 32 MiB"
	fi
	served_after
}

@test "hostile: a gigabyte without 0x1C: memory stays under --max-message-size plus a constant, AR, then AA" {
	listen_start --spool "$SPOOL" --max-message-size 1M --frame-timeout 0
	bg_start "$PYTHON" "$STRESS" endless 127.0.0.1 "$PORT" --bytes 1G --end "$T/m.hl7" \
		--ready-file "$T/ready" --hold-file "$T/release" </dev/null >"$T/gib.out" 2>"$T/gib.err"
	local cpid=$BG_PID kid peak
	wait_until 90 test -e "$T/ready"
	kid=$(children)
	[[ $kid =~ ^[0-9]+$ ]] || fail "expected one connection process, got '$kid'"
	peak=$(peak_kib "$kid")
	touch "$T/release"
	client_wait "$cpid" 30
	[[ $CLIENT_STATUS -eq 0 ]] || fail "endless exited $CLIENT_STATUS: $(cat "$T/gib.out" "$T/gib.err")"
	run cat "$T/gib.out"
	assert_line 'sent 1073741824'
	assert_line 'answer 1: MSA|AR||message too large'
	assert_line 'answer 2: MSA|AA|REAL1'
	assert_spooled_only "$T/m.hl7"
	grep -q ' size=1073741824 ack=AR sink=none .* error="message too large"$' "$T/server.err" || fail "no log line for the 1 GiB frame"
	echo "# peak RSS of the connection process after 1 GiB: $peak KiB${RSS_CHECK:- (not asserted: ASan or valgrind)}" >&3
	# 1 MiB of frame buffer, 64 KiB of read buffer, and the program
	if [[ -n $RSS_CHECK ]]; then
		((peak < 1024 + 8 * 1024)) || fail "peak RSS $peak KiB over 1 MiB + 8 MiB"
	fi
}

# noise_run FILE ARGS...: mllpd ARGS on FILE (output in FILE.out, FILE.err);
# sets status.  Not mllpd_run: printing a thousand answers costs seconds.
noise_run() {
	status=0
	timeout -k 5 "$MLLPD_TIMEOUT" "$MLLPD" "${@:2}" <"$1" >"$1.out" 2>"$1.err" || status=$?
	((status != 124 && status != 137)) || fail "mllpd timed out on $1"
}

@test "hostile: binary noise never crashes mllpd (lenient and --strict)" {
	local i
	for i in 1 2 3 4; do
		head -c 262144 /dev/urandom >"$T/noise$i"
		noise_run "$T/noise$i" --spool "$SPOOL"
		((status == 0)) || fail "noise $i: exit $status (a signal is 128+N, a sanitizer 99): $(tail -n 5 "$T/noise$i.err")"
	done
	# noise inside frames that start like a message: deeper into the parser
	"$PYTHON" - "$T" <<'PY'
import os, sys
for i in range(1, 5):
    with open(os.path.join(sys.argv[1], "framed%d" % i), "wb") as f:
        for _ in range(200):
            body = bytes(b for b in os.urandom(300) if b not in (0x0B, 0x1C))
            f.write(b"\x0bMSH|^~\\&|" + body + b"\x1c\r")
PY
	for i in 1 2 3 4; do
		noise_run "$T/framed$i" --spool "$SPOOL"
		((status == 0)) || fail "framed noise $i: exit $status: $(tail -n 5 "$T/framed$i.err")"
	done
	noise_run "$T/noise1" --strict --spool "$SPOOL"
	((status == 0 || status == 76)) || fail "--strict noise: exit $status: $(tail -n 5 "$T/noise1.err")"
	# every output is a clean sequence of answer frames (200 for 200
	# frames), and no sanitizer spoke
	run "$PYTHON" - "$T" <<'PY'
import glob, os, re, sys
bad = []
for out in sorted(glob.glob(os.path.join(sys.argv[1], "*.out"))):
    data = open(out, "rb").read()
    frames = re.findall(rb"\x0b([^\x0b\x1c]*)\x1c\r", data)
    if b"".join(b"\x0b" + f + b"\x1c\r" for f in frames) != data:
        bad.append("%s: not a sequence of frames" % out)
    if "framed" in out and len(frames) != 200:
        bad.append("%s: %d answers to 200 frames" % (out, len(frames)))
    if any(not f.startswith(b"MSH") or b"\rMSA|AR|" not in f for f in frames):
        bad.append("%s: an answer that is not an AR" % out)
    err = open(out[:-4] + ".err", "rb").read()
    if b"Sanitizer" in err or b"runtime error" in err:
        bad.append("%s: sanitizer report" % out[:-4])
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
	assert_success
	assert_spool_empty new
}

@test "hostile: 2000 idle connections against --max-connections 50: at most 50 processes, a real sender is served" {
	# the whole test may take a minute on a loaded host: the listener's bound
	MLLPD_TIMEOUT=120 listen_start --spool "$SPOOL" --max-connections 50 --idle-timeout 1
	bg_start "$PYTHON" "$STRESS" idle 127.0.0.1 "$PORT" --count 2000 --ready-file "$T/ready" --hold-file "$T/release" \
		</dev/null >"$T/idle.out" 2>"$T/idle.err"
	local ipid=$BG_PID kids=() n peak=0
	wait_until 30 test -e "$T/ready"
	# a real sender, connecting again as senders do while the server is full
	bg_start "$PYTHON" "$STRESS" persistent 127.0.0.1 "$PORT" "$T/m.hl7" --limit 60 --answer-timeout 3 </dev/null >"$T/real.out" 2>"$T/real.err"
	local rpid=$BG_PID
	# while it waits, count the connection processes (bounded loop)
	local sleeper i
	exec {sleeper}<> <(:)
	for ((i = 0; i < 700; i++)); do
		kids=()
		read -r -a kids <"/proc/$MPID/task/$MPID/children" || true
		n=${#kids[@]}
		((n > peak)) && peak=$n
		kill -0 "$rpid" 2>/dev/null || break
		read -r -t 0.1 -u "$sleeper" _ || true
	done
	exec {sleeper}<&-
	client_wait "$rpid" 70
	[[ $CLIENT_STATUS -eq 0 ]] || fail "the real sender was not served: $(cat "$T/real.err")"
	run cat "$T/real.out"
	assert_output 'MSA|AA|REAL1'
	echo "# peak connection processes: $peak; $(tail -n 1 "$T/real.err")" >&3
	((peak <= 50)) || fail "$peak connection processes, over --max-connections 50"
	# not vacuous: the idle connections did occupy the server (50 unless
	# forks are slower than --idle-timeout, as under ASan on a loaded host)
	((peak >= 10)) || fail "the idle connections never occupied the server (peak $peak)"
	touch "$T/release"
	client_wait "$ipid" 60
	run cat "$T/idle.out"
	assert_output --regexp '^opened=2000 connected=[0-9]+ closed-by-server=[0-9]+$'
	grep -q 'reason=idle-timeout' "$T/server.err" || fail "no connection was closed by --idle-timeout"
	# a sender that gave up on a connection may have sent the message twice
	local f
	[[ $(spool_count) -ge 1 ]] || fail "the message is not in new/"
	for f in "$SPOOL"/new/*; do
		cmp -s "$f" "$T/m.hl7" || fail "$f is not the message sent"
	done
	kill -0 "$MPID" || fail "the listener died"
}

@test "hostile: --frame-timeout bounds each frame: a steady pipelined sender whose reads straddle frames is served" {
	# 14 frames, each split across two writes 0.25 s apart, every write ending
	# inside a frame: 3.5 s in all against a --frame-timeout of 3 s per frame
	# (each frame gets 0.25 s of it; the margin is for a loaded machine).
	# The writes are the shell's own printf: no process per write.
	local i f head tail
	f=$(frame -f "$T/m.hl7" | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
	head=${f:0:400} tail=${f:400}
	# a pipe, so every read ends where a write ended
	pipelined() {
		printf '%b' "$head"
		for ((i = 1; i < 14; i++)); do
			sleep 0.25
			printf '%b' "$tail$head"
		done
		sleep 0.25
		printf '%b' "$tail"
	}
	mllpd_run --spool "$SPOOL" --frame-timeout 3 < <(pipelined)
	assert_ack_count 14
	[[ $stderr != *frame-timeout* ]] || fail "cut off: $stderr"
	assert_spool_count 14
}

@test "hostile: a peer that never reads its ACKs is closed after --frame-timeout, logged" {
	listen_start --spool "$SPOOL" --frame-timeout 2
	# 600 messages whose 20 KB MSH-10 each ACK repeats (12 MB of ACKs, past any
	# socket buffer), sent without ever reading an answer
	timeout -k 5 60 "$PYTHON" - "$PORT" >"$T/noread.out" 2>&1 <<-'PY' &
		import socket, sys, time
		port = int(sys.argv[1])
		msg = b"\x0bMSH|^~\\&|S|F|R|RF|20260101||ADT^A01|" + b"X" * 20000 + b"|P|2.5.1\rPID|1\r\x1c\r"
		s = socket.socket()
		s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
		s.connect(("127.0.0.1", port))
		try:
		    for _ in range(600):
		        s.sendall(msg)
		except OSError as e:
		    print("send stopped:", e)
		time.sleep(40)
	PY
	local cpid=$!
	bg_register "$cpid"
	wait_until 30 grep -q 'reason=write-timeout' "$T/server.err"
	grep -qE '^mllpd: 127\.0\.0\.1:[0-9]+: cannot send the acknowledgement: not read by the peer within 2s$' "$T/server.err" ||
		fail "no reason logged: $(cat "$T/server.err")"
	kill "$cpid" 2>/dev/null || true
	kill -0 "$MPID" || fail "the listener died"
}

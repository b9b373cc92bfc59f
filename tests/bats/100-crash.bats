#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 100-crash: connection processes SIGKILLed mid-message: nothing acknowledged is lost, nothing partial is in new/.

load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	STRESS="$MLLPD_ROOT/tests/tools/mllp_stress.py"
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

# age FILE HOURS: set the modification time of FILE HOURS hours back.
age() {
	touch -m -d "@$(($(date +%s) - $2 * 3600))" "$1"
}

# crash_run MAX-SIZE [CRASH-SEND OPTIONS]: crash-send against a listener with --spool
# for a few seconds while connection processes are SIGKILLed at random
# moments; then every AA must be whole in new/, nothing partial anywhere.
crash_run() {
	local limit=4 kills=0 rounds=0 pid d summary max=$1
	shift
	listen_start --spool "$SPOOL"
	bg_start "$PYTHON" "$STRESS" crash-send 127.0.0.1 "$PORT" "$T/out" --stop-file "$T/stop" --seconds 60 --max-size "$max" "$@" \
		</dev/null >"$T/client.out" 2>"$T/client.err"
	local cpid=$BG_PID
	# Rounds, bounded in time: 0 to 99 ms after the last kill, SIGKILL
	# whatever process serves the connection now (never the listener).
	# Builtins only (read -t on an idle pipe sleeps, /proc lists the
	# children): a fork costs tens of milliseconds here.
	local sleeper kids
	exec {sleeper}<> <(:)
	local end=$((SECONDS + limit))
	while ((SECONDS < end)); do
		printf -v d '0.%03d' $((RANDOM % 100))
		read -r -t "$d" -u "$sleeper" _ || true
		kids=
		read -r kids <"/proc/$MPID/task/$MPID/children" || true
		for pid in $kids; do
			kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
		done
		rounds=$((rounds + 1))
	done
	exec {sleeper}<&-
	touch "$T/stop"
	client_wait "$cpid" 30
	[[ $CLIENT_STATUS -eq 0 ]] || fail "crash-send exited $CLIENT_STATUS: $(cat "$T/client.err")"
	kill -0 "$MPID" || fail "the listener died"
	run "$PYTHON" "$STRESS" crash-verify "$SPOOL" "$T/out" --max-size "$max"
	echo "# $output" >&2
	assert_success
	summary=$output
	echo "# $(cat "$T/client.out") rounds=$rounds kills=$kills; $summary" >&3
	# the kills landed: messages were cut off mid-way, and many got through
	[[ $kills -gt 0 ]] || fail "no connection process was ever killed"
	[[ $summary =~ acked=([0-9]+) ]] && ((BASH_REMATCH[1] > 0)) || fail "no message was acknowledged: $summary"
	[[ $summary =~ unanswered=([0-9]+) ]] && ((BASH_REMATCH[1] > 0)) || fail "no kill ever cut a message off: $summary"
	# the listener saw each kill and is still serving
	grep -q 'connection process [0-9]* killed by signal 9' "$T/server.err" || fail "no kill in the listener's log"
	"$PYTHON" "$STRESS" message 999999 --max-size "$max" >"$T/last.hl7"
	run mllp_client --print msa 127.0.0.1 "$PORT" "$T/last.hl7"
	assert_success
	assert_output 'MSA|AA|CRASH999999'
	assert_no_phi "$T/server.err"
}

@test "crash: connection processes SIGKILLed at random moments: every AA is whole in new/, nothing partial" {
	crash_run 200000
}

@test "crash: SIGKILLed during pipelined bursts (group commit): every AA is whole in new/, nothing partial" {
	# Bursts of 16 small messages in one send: each read holds several,
	# made durable as one group before any of them is answered.
	crash_run 4000 --burst 16
}

@test "crash: tmp/ leftovers of killed writers are removed after 36 h, when a connection opens the spool" {
	listen_start --spool "$SPOOL"
	sample_msg FIRST >"$T/m1.hl7"
	run mllp_client --print msa 127.0.0.1 "$PORT" "$T/m1.hl7"
	assert_output 'MSA|AA|FIRST'
	# What killed writers leave: partial files; two past 36 h (one long
	# past), an empty one past 36 h, one 35 h old, one still being written
	# (printf and touch -d on several files at once: forks are slow here).
	local left old young
	left=$(sample_msg LEFT)
	old="$SPOOL/tmp/1700000000.000000001.4242.1.hl7 $SPOOL/tmp/1700000000.000000002.4242.2.hl7"
	old+=" $SPOOL/tmp/1700000000.000000003.4243.1.hl7"
	young="$SPOOL/tmp/1700000000.000000004.4244.1.hl7"
	printf '%s' "${left:0:40}" >"$SPOOL/tmp/1700000000.000000001.4242.1.hl7"
	printf '%s' "${left:0:70}" >"$SPOOL/tmp/1700000000.000000002.4242.2.hl7"
	: >"$SPOOL/tmp/1700000000.000000003.4243.1.hl7"
	printf '%s' "${left:0:50}" >"$young"
	printf '%s' "${left:0:60}" >"$SPOOL/tmp/writing.hl7"
	# shellcheck disable=SC2086
	touch -m -d "@$(($(date +%s) - 37 * 3600))" $old
	touch -m -d "@$(($(date +%s) - 400 * 3600))" "$SPOOL/tmp/1700000000.000000001.4242.1.hl7"
	touch -m -d "@$(($(date +%s) - 35 * 3600))" "$young"
	# a directory and a symbolic link are not the cleaner's business
	mkdir "$SPOOL/tmp/somedir"
	ln -s /etc/hostname "$SPOOL/tmp/link"
	touch -h -m -d '@1' "$SPOOL/tmp/somedir" "$SPOOL/tmp/link"
	# the next connection opens the spool at its first message, and cleans
	sample_msg SECOND >"$T/m2.hl7"
	run mllp_client --print msa 127.0.0.1 "$PORT" "$T/m2.hl7"
	assert_output 'MSA|AA|SECOND'
	run find "$SPOOL/tmp" -mindepth 1 -printf '%f\n'
	run sort <<<"$output"
	assert_output "$(printf '%s\n' 1700000000.000000004.4244.1.hl7 link somedir writing.hl7 | sort)"
	# new/ holds the two messages, untouched
	assert_spool_count 2
	assert_spooled 1 "$T/m1.hl7"
	assert_spooled 2 "$T/m2.hl7"
	[[ $(readlink "$SPOOL/tmp/link") == /etc/hostname && -f /etc/hostname ]] || fail "the link or its target changed"
}

@test "crash: the cleaner runs in pipe mode too, and an empty or missing tmp/ is no error" {
	mkdir -p "$SPOOL/tmp"
	: >"$SPOOL/tmp/old"
	age "$SPOOL/tmp/old" 48
	sample_msg PIPE1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_code AA
	[[ ! -e $SPOOL/tmp/old ]] || fail "tmp/old (48 h) was not removed"
	assert_spooled_only "$T/m.hl7"
	# a fresh spool: nothing to clean, nothing logged but the message
	SPOOL="$T/fresh"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
	run grep -v -e ' message id=PIPE1 ' -e ' closed: ' "$MLLPD_STDERR"
	assert_output ''
}

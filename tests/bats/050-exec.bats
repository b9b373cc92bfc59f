#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 050-exec: the --exec sink: stdin, environment, exit status -> ACK, command ACKs, both sinks.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net

NAME_RE='^[0-9]+\.[0-9]{9}\.[0-9]+\.[0-9]+\.hl7$'

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	CAP="$MLLPD_ROOT/tests/tools/exec-capture.sh"
	GC_PIDFILE="$T/gc.pid"
}

teardown() {
	# a grandchild a test command left running (started by this test, by pid)
	if [[ -s $GC_PIDFILE ]]; then
		kill -KILL "$(cat "$GC_PIDFILE")" 2>/dev/null || true
	fi
	mllpd_teardown
}

# env_is NAME VALUE: the capture saw NAME set to exactly VALUE.
env_is() {
	local f="$T/cap/env.$1"
	[[ -f $f ]] || fail "$1 was not set for the command"
	local got
	got=$(cat "$f" && printf x)
	got=${got%x}
	[[ $got == "$2" ]] || fail "$1='$(printf '%s' "$got" | visible)', expected '$2'"
}

# script NAME BODY: write an executable /bin/sh script $T/NAME.
script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1"
	chmod +x "$T/$1"
}

env_msg() {
	hl7 'MSH|^~\&|SNDAPP^1.2.3^ISO|SNDFAC\T\X^F2^L|RCVAPP^9.9^DNS|RCVFAC^R2|20260101120000||ADT^A01^ADT_A01|CTRL-42|P|2.5.1' \
		'EVN|A01|20260101120000' \
		"PID|1||12345^^^HOSP^MR||$PHI_SENTINEL^JOHN||19700101|M"
}

@test "exec: the command gets the message bytes on stdin" {
	{
		env_msg
		printf 'NTE|1||8-bit \xe4\xf6\xfc and a tab\t.\r'
	} >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_count 1
	assert_ack_code AA
	cmp "$T/cap/stdin" "$T/m.hl7" || fail "stdin differs: $(visible <"$T/cap/stdin")"
}

@test "exec: LF separators reach the command unchanged" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|LF9|P|2.5.1\nPID|1||1||DOE\n' >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	cmp "$T/cap/stdin" "$T/m.hl7" || fail "stdin differs: $(visible <"$T/cap/stdin")"
}

@test "exec: the contract environment variables hold the MSH values" {
	env_msg >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	env_is HL7_CONTROL_ID CTRL-42
	env_is HL7_MESSAGE_TYPE 'ADT^A01^ADT_A01'
	env_is HL7_MESSAGE_CODE ADT
	env_is HL7_TRIGGER_EVENT A01
	env_is HL7_VERSION 2.5.1
	env_is HL7_PROCESSING_ID P
	env_is HL7_SENDING_APPLICATION SNDAPP
	env_is HL7_SENDING_FACILITY 'SNDFAC\T\X'
	env_is HL7_RECEIVING_APPLICATION RCVAPP
	env_is HL7_RECEIVING_FACILITY RCVFAC
}

@test "exec: absent MSH fields give empty variables" {
	hl7 'MSH|^~\&|SND||||20260101120000||ADT|EMPTY1||2.4' 'PID|1||1||DOE' >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	env_is HL7_CONTROL_ID EMPTY1
	env_is HL7_MESSAGE_TYPE ADT
	env_is HL7_MESSAGE_CODE ADT
	env_is HL7_TRIGGER_EVENT ''
	env_is HL7_VERSION 2.4
	env_is HL7_PROCESSING_ID ''
	env_is HL7_SENDING_APPLICATION SND
	env_is HL7_SENDING_FACILITY ''
	env_is HL7_RECEIVING_APPLICATION ''
	env_is HL7_RECEIVING_FACILITY ''
}

@test "exec: HL7_VERSION is MSH-12 whole" {
	hl7 'MSH|^~\&|SND|SF|RCV|RF|20260101120000||ORU^R01^ORU_R01|V1|P|2.5.1^DEU&&ISO3166' 'PID|1||1||DOE' >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	env_is HL7_VERSION '2.5.1^DEU&&ISO3166'
	env_is HL7_TRIGGER_EVENT R01
}

@test "exec: mllpd's own environment is passed on, NOTIFY_SOCKET is not" {
	sample_msg ENV2 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	script cmd.sh "printf '%s' \"\${MLLPD_TEST_VAR-unset}\" >'$T/var'; printf '%s' \"\${NOTIFY_SOCKET-unset}\" >'$T/notify'"
	MLLPD_TEST_VAR='kept value' NOTIFY_SOCKET="$T/no-such-socket" mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_code AA
	run cat "$T/var"
	assert_output 'kept value'
	run cat "$T/notify"
	assert_output unset
}

@test "exec: MLLP_SPOOL_FILE is the absolute tmp/ path of the durable file during the command; accepted, it is in new/" {
	sample_msg SPF1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	cd "$T"
	# a relative --spool: the variable must still be absolute
	SPOOL="$T/spool"
	mllpd_send "$T/in" --spool spool --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
	[[ -f $T/cap/env.MLLP_SPOOL_FILE ]] || fail "MLLP_SPOOL_FILE not set"
	local v
	v=$(cat "$T/cap/env.MLLP_SPOOL_FILE")
	[[ $v == /* ]] || fail "MLLP_SPOOL_FILE is not absolute: $v"
	[[ ${v##*/} =~ ^[0-9]+\.[0-9]{9}\.[0-9]+\.t[0-9]+\.tmp$ ]] || fail "MLLP_SPOOL_FILE name not a tmp/ name: $v"
	[[ $(realpath "$(dirname "$v")") == $(realpath "$SPOOL/tmp") ]] || fail "MLLP_SPOOL_FILE not in tmp/: $v"
	[[ ! -e $v ]] || fail "the file stayed in tmp/ after the AA"
	[[ -f $T/cap/spool-copy ]] || fail "MLLP_SPOOL_FILE did not exist while the command ran"
	cmp "$T/cap/spool-copy" "$T/m.hl7"
}

@test "exec: exit 0 -> AA, 1 -> AE, 2 -> AE, 65 -> AR, 75 -> AE" {
	local i code want
	script cmd.sh 'cat >/dev/null; exit "${HL7_CONTROL_ID#X}"'
	for code in 0 1 2 65 75; do
		sample_msg "X$code" >"$T/m$code.hl7"
	done
	frame -f "$T/m0.hl7" -f "$T/m1.hl7" -f "$T/m2.hl7" -f "$T/m65.hl7" -f "$T/m75.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 5
	i=0
	for code in 0 1 2 65 75; do
		i=$((i + 1))
		case $code in 0) want=AA ;; 65) want=AR ;; *) want=AE ;; esac
		assert_ack_code "$want" "$i"
		run ack_field MSA 2 "$i"
		assert_output "X$code"
	done
}

@test "exec: the command killed by a signal -> AE" {
	script kill9.sh 'cat >/dev/null; kill -KILL $$'
	script term.sh 'cat >/dev/null; kill -TERM $$'
	sample_msg SIG1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/kill9.sh"
	assert_ack_count 1
	assert_ack_code AE
	mllpd_send "$T/in" --exec "$T/term.sh"
	assert_ack_count 1
	assert_ack_code AE
}

@test "exec: a command running past --exec-timeout -> AE, and the next message is served" {
	MLLPD_TIMEOUT=20
	script cmd.sh 'cat >/dev/null; if [ "$HL7_CONTROL_ID" = SLOW ]; then exec sleep 60; fi; exit 0'
	sample_msg SLOW >"$T/a.hl7"
	sample_msg FAST >"$T/b.hl7"
	frame -f "$T/a.hl7" -f "$T/b.hl7" >"$T/in"
	mllpd_send "$T/in" --exec-timeout 1 --exec "$T/cmd.sh"
	assert_ack_count 2
	assert_ack_code AE 1
	run ack_field MSA 2 1
	assert_output SLOW
	assert_ack_code AA 2
	run ack_field MSA 2 2
	assert_output FAST
}

@test "exec: a timed-out command whose child keeps stdout open still gets AE" {
	MLLPD_TIMEOUT=20
	# the shell waits on a background child that inherited the stdout pipe
	script cmd.sh "cat >/dev/null; sleep 60 & echo \$! >'$GC_PIDFILE'; wait"
	sample_msg GRAND1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec-timeout 1 --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSA 2
	assert_output GRAND1
}

@test "exec: an ACK printed by the command (exit 0) is sent back, separators as \\r" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST1|P|2.5.1\nMSA|AA|%s|from the command\n" "$HL7_CONTROL_ID"
exit 0'
	sample_msg CACK1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	printf '\013MSH|^~\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST1|P|2.5.1\rMSA|AA|CACK1|from the command\r\034\r' >"$T/want"
	cmp "$MLLPD_STDOUT" "$T/want" || fail "ACK bytes: $(visible <"$MLLPD_STDOUT"), expected $(visible <"$T/want")"
}

@test "exec: a command ACK that rejects (exit 65) is sent back" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST2|P|2.5.1\rMSA|AR|%s|bad patient\r" "$HL7_CONTROL_ID"
exit 65'
	sample_msg CACK2 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AR
	run ack_field MSH 3
	assert_output CUSTOM
	run ack_field MSA 3
	assert_output 'bad patient'
}

@test "exec: a command printing an AA ACK but exiting 1 -> our AE, not its AA" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST3|P|2.5.1\rMSA|AA|%s\r" "$HL7_CONTROL_ID"
exit 1'
	sample_msg CACK3 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSA 2
	assert_output CACK3
	# generated by mllpd: MSH-3/4 are the inbound MSH-5/6
	run ack_field MSH 3
	assert_output RCV
	run ack_field MSH 10
	refute_output CUST3
}

@test "exec: a command printing a CA ACK but killed -> our AE" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST4|P|2.5.1\rMSA|CA|%s\r" "$HL7_CONTROL_ID"
kill -KILL $$'
	sample_msg CACK4 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSH 3
	assert_output RCV
}

@test "exec: a command that prints something other than MSH -> generated ACK" {
	script cmd.sh 'cat >/dev/null; echo "processed fine"; exit 0'
	sample_msg NOTACK >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSH 3
	assert_output RCV
	run ack_field MSA 2
	assert_output NOTACK
}

@test "exec: a command that does not read a large message still decides the ACK" {
	script cmd.sh 'exit 0'
	{
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|BIG1|P|2.5.1'
		local i
		for ((i = 0; i < 4000; i++)); do
			printf 'NTE|%d||%0100d\r' "$i" 0
		done
	} >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSA 2
	assert_output BIG1
}

@test "exec: a command that redirects its stdout first still gets the whole message on stdin" {
	script cmd.sh "exec >>'$T/sink.log' 2>&1
cat >'$T/got'"
	{
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|BIG2|P|2.5.1'
		local i
		for ((i = 0; i < 2000; i++)); do
			printf 'NTE|%d||%0100d\r' "$i" 0
		done
	} >"$T/m.hl7"
	(($(stat -c %s "$T/m.hl7") > 200000)) || fail "the message is not 200 KB"
	frame -f "$T/m.hl7" >"$T/in"
	# "exec": the script alone holds the stdout pipe, as when run directly
	# (bats exports a function, which sends a plain line through sh -c)
	mllpd_send "$T/in" --exec "exec '$T/cmd.sh'"
	assert_ack_count 1
	assert_ack_code AA
	cmp "$T/got" "$T/m.hl7" || fail "the command got $(stat -c %s "$T/got") of $(stat -c %s "$T/m.hl7") bytes"
}

@test "exec: both sinks, command succeeds -> AA, file stays in new/" {
	sample_msg BOTH0 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
	assert_spool_empty failed
	cmp "$T/cap/stdin" "$T/m.hl7"
}

@test "exec: both sinks, command fails -> AE, file moved from new/ to failed/" {
	script cmd.sh 'cat >/dev/null; exit 1'
	sample_msg BOTH1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AE
	assert_spool_empty new
	assert_spool_count 1 failed
	local f
	f=$(spool_file 1 failed)
	[[ ${f##*/} =~ $NAME_RE ]] || fail "failed/ name not per contract: $f"
	cmp "$f" "$T/m.hl7"
	run find "$SPOOL/tmp" -mindepth 1
	assert_output ''
}

@test "exec: both sinks, command rejects (65) -> AR, file moved to failed/" {
	script cmd.sh 'cat >/dev/null; exit 65'
	sample_msg BOTH65 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL" --exec "$T/cmd.sh"
	assert_ack_code AR
	assert_spool_empty new
	assert_spool_count 1 failed
	cmp "$(spool_file 1 failed)" "$T/m.hl7"
}

@test "exec: shell syntax in MSH-10 and MSH-3 reaches the command only as values" {
	local work="$T/work"
	mkdir -p "$work"
	hl7 'MSH|^~\&|;touch pwned2|`touch pwned3`|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|$(touch pwned)|P|2.5.1' \
		'PID|1||1||$(touch pwned4)^;touch pwned5' >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	cd "$work"
	mllpd_send "$T/in" --spool "$SPOOL" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	env_is HL7_CONTROL_ID '$(touch pwned)'
	env_is HL7_SENDING_APPLICATION ';touch pwned2'
	env_is HL7_SENDING_FACILITY '`touch pwned3`'
	run ack_field MSA 2
	assert_output '$(touch pwned)'
	run find "$T" / -maxdepth 1 -name 'pwned*'
	assert_output ''
	run find "$T" -name 'pwned*'
	assert_output ''
	cmp "$T/cap/stdin" "$T/m.hl7"
}

@test "exec: non-default delimiters are honoured for the variables" {
	printf 'MSH*:~\\&*SNDAPP:X*SFAC:Y*RCVAPP*RFAC*20260101120000**ADT:A01:ADT_A01*DELIM1*P*2.5.1\rPID*1**1**DOE:J\r' >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	env_is HL7_CONTROL_ID DELIM1
	env_is HL7_MESSAGE_TYPE 'ADT:A01:ADT_A01'
	env_is HL7_MESSAGE_CODE ADT
	env_is HL7_TRIGGER_EVENT A01
	env_is HL7_SENDING_APPLICATION SNDAPP
	env_is HL7_SENDING_FACILITY SFAC
	cmp "$T/cap/stdin" "$T/m.hl7"
}

@test "exec: a command printing a lot (not an ACK) is drained, AA" {
	script cmd.sh 'cat >/dev/null; head -c 3000000 /dev/zero | tr "\0" x; exit 0'
	sample_msg LOUD1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSA 2
	assert_output LOUD1
}

@test "exec: a command ACK with CRLF separators is sent with \\r only" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST5|P|2.5.1\r\nMSA|AA|%s\r\n" "$HL7_CONTROL_ID"'
	sample_msg CRLF1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	printf '\013MSH|^~\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST5|P|2.5.1\rMSA|AA|CRLF1\r\034\r' >"$T/want"
	cmp "$MLLPD_STDOUT" "$T/want" || fail "ACK bytes: $(visible <"$MLLPD_STDOUT"), expected $(visible <"$T/want")"
}

@test "exec: both sinks, command times out -> AE, file moved to failed/" {
	# shellcheck disable=SC2034 # read by mllpd_send
	MLLPD_TIMEOUT=20
	script cmd.sh 'cat >/dev/null; exec sleep 60'
	sample_msg BOTHTO >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec-timeout 1 --spool "$SPOOL" --exec "$T/cmd.sh"
	assert_ack_code AE
	assert_spool_empty new
	assert_spool_count 1 failed
	cmp "$(spool_file 1 failed)" "$T/m.hl7"
}

@test "exec: messages on one connection run the command once each, in order" {
	local i
	for i in 1 2 3; do sample_msg "SEQ$i" >"$T/m$i.hl7"; done
	frame -f "$T/m1.hl7" -f "$T/m2.hl7" -f "$T/m3.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_count 3
	run wc -l <"$T/cap/count"
	assert_output 3
	for i in 1 2 3; do
		cmp "$T/cap/$i/stdin" "$T/m$i.hl7"
		run cat "$T/cap/$i/env.HL7_CONTROL_ID"
		assert_output "SEQ$i"
	done
}

@test "exec: 8-bit bytes in MSH-10 reach the variable unchanged" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|ID\xe9\xff-1|P|2.5.1\rPID|1||1||DOE\r' >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "'$CAP' '$T/cap'"
	assert_ack_code AA
	printf 'ID\xe9\xff-1' >"$T/want"
	cmp "$T/cap/env.HL7_CONTROL_ID" "$T/want"
}

@test "exec: a command printing an AA ACK but exiting 65 -> our AR, not its AA" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST6|P|2.5.1\rMSA|AA|%s\r" "$HL7_CONTROL_ID"
exit 65'
	sample_msg CACK6 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AR
	run ack_field MSA 2
	assert_output CACK6
	run ack_field MSH 3
	assert_output RCV
}

@test "exec: a command that cannot be found -> AE" {
	sample_msg NOCMD >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/no/such/command"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSA 2
	assert_output NOCMD
}

@test "exec: an inbound ACK is delivered to the command but not answered" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01^ACK|INACK1|P|2.5.1' 'MSA|AA|ORIG1' >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL" --exec "'$CAP' '$T/cap'"
	assert_no_answer
	cmp "$T/cap/stdin" "$T/m.hl7"
	env_is HL7_MESSAGE_CODE ACK
	assert_spooled_only "$T/m.hl7"
}

@test "exec: a command without shell syntax runs directly: arguments, stdin, exit status" {
	script cmd.sh 'cat >"$1"; exit "$2"'
	sample_msg DIRECT1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh  $T/got	65"
	assert_ack_count 1
	assert_ack_code AR
	cmp "$T/got" "$T/m.hl7" || fail "stdin differs: $(visible <"$T/got")"
	[[ $stderr == *' sink=exec:exit-65 '* ]] || fail "no exec:exit-65 in the log: $stderr"
	# a command found in PATH, with arguments
	mllpd_send "$T/in" --exec "cp /dev/stdin $T/cp.out"
	assert_ack_code AA
	cmp "$T/cp.out" "$T/m.hl7"
}

@test "exec: a direct command gets the contract environment and PWD, as from sh" {
	env_msg >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	script cmd.sh "printf '%s' \"\$PWD\" >'$T/pwd'; exec '$CAP' \"\$@\""
	cd "$T"
	env -u PWD "$MLLPD" --exec "$T/cmd.sh $T/cap" <"$T/in" >"$MLLPD_STDOUT" 2>"$MLLPD_STDERR" || fail "mllpd failed: $(cat "$MLLPD_STDERR")"
	ack_split "$MLLPD_STDOUT"
	assert_ack_code AA
	env_is HL7_CONTROL_ID CTRL-42
	env_is HL7_MESSAGE_TYPE 'ADT^A01^ADT_A01'
	env_is HL7_SENDING_FACILITY 'SNDFAC\T\X'
	cmp "$T/cap/stdin" "$T/m.hl7"
	run cat "$T/pwd"
	assert_output "$(pwd -P)"
}

@test "exec: a command not in PATH -> AE, exit 127 logged, sh's message on stderr" {
	sample_msg NOCMD2 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "no-such-mllpd-command --flag"
	assert_ack_count 1
	assert_ack_code AE
	[[ $stderr == *'no-such-mllpd-command: not found'* ]] || fail "no 'not found' message: $stderr"
	[[ $stderr == *' ack=AE sink=exec:exit-127 '*'error="command exited 127"'* ]] || fail "log line: $stderr"
}

@test "exec: a file that is not executable -> AE, exit 126 logged" {
	printf '#!/bin/sh\nexit 0\n' >"$T/noexec.sh"
	chmod 0644 "$T/noexec.sh"
	sample_msg NOEXEC >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/noexec.sh arg"
	assert_ack_count 1
	assert_ack_code AE
	[[ $stderr == *"$T/noexec.sh: Permission denied"* ]] || fail "no 'Permission denied' message: $stderr"
	[[ $stderr == *' sink=exec:exit-126 '* ]] || fail "log line: $stderr"
}

@test "exec: a command line with shell syntax is still run by sh" {
	sample_msg SHELL1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "cat >'$T/got' && test -s \"$T/got\"; exit \$((64 + 1))"
	assert_ack_count 1
	assert_ack_code AR
	cmp "$T/got" "$T/m.hl7"
}

@test "exec: both sinks: no consumer can take the message while the command runs; MLLP_SPOOL_FILE names it" {
	script cmd.sh 'cat >/dev/null
ls "$SPOOLDIR/new" >"$OUT.new"
[ -f "$MLLP_SPOOL_FILE" ] && cat "$MLLP_SPOOL_FILE" >"$OUT.file"
exit "$RC"'
	sample_msg HIDE1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	SPOOLDIR=$SPOOL OUT=$T/fail RC=1 mllpd_send "$T/in" --spool "$SPOOL" --exec "$T/cmd.sh"
	assert_ack_code AE
	[[ ! -s $T/fail.new ]] || fail "new/ held a file while the command ran: $(cat "$T/fail.new")"
	cmp -s "$T/fail.file" "$T/m.hl7" || fail "MLLP_SPOOL_FILE did not name the message during the command"
	assert_spool_empty new
	[[ $(spool_count failed) -eq 1 ]] || fail "the refused message is not in failed/"
	SPOOLDIR=$SPOOL OUT=$T/ok RC=0 mllpd_send "$T/in" --spool "$SPOOL" --exec "$T/cmd.sh"
	assert_ack_code AA
	[[ ! -s $T/ok.new ]] || fail "new/ held a file while the command ran: $(cat "$T/ok.new")"
	cmp -s "$T/ok.file" "$T/m.hl7" || fail "MLLP_SPOOL_FILE did not name the message during the command"
	assert_spooled_only "$T/m.hl7"
}

@test "exec: a command that exits 0 printing an MSH line that is no ACK -> our AA, the text ignored and logged" {
	script cmd.sh 'cat >/dev/null; printf "MSH|^~\\\\&|this is not an acknowledgement\r"; exit 0'
	sample_msg NOTACK2 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSH 3
	assert_output RCV
	run ack_field MSA 2
	assert_output NOTACK2
	[[ $stderr == *"printed answer ignored"* ]] || fail "not logged: $stderr"
}

@test "exec: a failed command's printed text is read as every ACK reader reads it: never an AA after a failure" {
	# 'MSA^AE' is no MSA segment for lib/ackread (and mllp-send); the real MSA says AA.
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST9|P|2.5.1\rMSA^AE\rMSA|AA|%s\r" "$HL7_CONTROL_ID"
exit 1'
	sample_msg CACK9 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AE
	[[ $(ack 1) != *$'\rMSA|AA|'* ]] || fail "an AA went out after a failed command: $(ack 1 | visible)"
	run ack_field MSH 3
	assert_output RCV
}

@test "exec: a printed AE with exit 0 is an AE: its MSA-3 is logged, the file goes to failed/, not new/" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST8|P|2.5.1\rMSA|AE|%s|store step failed\r" "$HL7_CONTROL_ID"
exit 0'
	sample_msg CACK8 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL" --exec "$T/cmd.sh"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSA 3
	assert_output 'store step failed'
	assert_spool_empty new
	[[ $(spool_count failed) -eq 1 ]] || fail "not in failed/"
	[[ $stderr == *' ack=AE '*'error="store step failed"'* ]] || fail "error= does not carry MSA-3: $stderr"
}

@test "exec: a printed AE with exit 1 logs its MSA-3 as the error" {
	script cmd.sh 'cat >/dev/null
printf "MSH|^~\\\\&|CUSTOM|CFAC|SND|SFAC|20260101120000||ACK^A01^ACK|CUST7|P|2.5.1\rMSA|AE|%s|queue full\r" "$HL7_CONTROL_ID"
exit 1'
	sample_msg CACK7 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_code AE
	run ack_field MSH 3
	assert_output CUSTOM
	[[ $stderr == *'error="queue full"'* ]] || fail "error= does not carry MSA-3: $stderr"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 120-injection: hostile MSH-3/4/9/10 and PID values never reach a file name, a shell or a log line raw.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers

NAME_RE='^[0-9]+\.[0-9]{9}\.[0-9]+\.[0-9]+\.hl7$'

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	# markers a command in a field would create; paths outside the test
	# directory too, as an attacker would pick them
	MARK="$T/pwned"
	OUTSIDE="/tmp/mllpd-inject-$$"
	rm -f -- "$OUTSIDE".*
	mkdir -p "$T/work" "$T/cap"
	echo 0 >"$T/cap/n"
}

teardown() {
	rm -f -- "$OUTSIDE".*
	mllpd_teardown
}

# msg FILE MSH3 MSH4 MSH9 MSH10 PID3 PID5: a message with these fields,
# written with printf %b (so \000, \377 and \n are bytes).
msg() {
	printf '%b\r' "MSH|^~\\\\&|$2|$3|RCV|RFAC|20260101120000||$4|$5|P|2.5.1" \
		'EVN|A01|20260101120000' "PID|1||$6||$7^$PHI_SENTINEL||19700101|M" >"$1"
}

# The --exec command, written the documented way: values only from the
# environment, every expansion quoted.  Run N saves its values in
# $CAP/N.VARIABLE and its stdin in $CAP/N.stdin (builtins but one cat).
# shellcheck disable=SC2016
EXEC_CMD='read -r n <"$CAP/n"; n=$((n + 1)); echo "$n" >"$CAP/n"; d="$CAP/$n" &&
printf %s "$HL7_CONTROL_ID" >"$d.HL7_CONTROL_ID" && printf %s "$HL7_MESSAGE_TYPE" >"$d.HL7_MESSAGE_TYPE" &&
printf %s "$HL7_SENDING_APPLICATION" >"$d.HL7_SENDING_APPLICATION" &&
printf %s "$HL7_SENDING_FACILITY" >"$d.HL7_SENDING_FACILITY" && cat >"$d.stdin"'

# expect_env N VAR BYTES: run N of the command got exactly BYTES (printf %b) in VAR.
expect_env() {
	printf '%b' "$3" >"$T/want"
	cmp -s "$T/cap/$1.$2" "$T/want" ||
		fail "run $1: $2 is '$(visible <"$T/cap/$1.$2")', expected '$(visible <"$T/want")'"
}

@test "injection: hostile fields: spool names per pattern, no command run, clean logs, values passed as bytes" {
	local d='$' b='`'
	# 1: path traversal and command substitution
	msg "$T/m1" "../../../../../..$OUTSIDE.app" "$d(touch $OUTSIDE.fac)" 'ADT^A01' \
		"${b}touch $MARK.id${b}" "../../x;rm -rf $T/work" "$d(touch $MARK.pid)"
	# 2: separators, quotes, and a newline as an HL7 escape (\X0A\)
	msg "$T/m2" ";touch $MARK.app;" "a'b\"c" "ADT^A01^$d(touch $MARK.type)" \
		'ID\\X0A\\2;id' "x\\\\X0A\\\\${b}touch $MARK.pid2${b}" 'DOE\\X0A\\'
	# 3: NUL bytes (a value ends at its NUL), in MSH-3 and MSH-10
	msg "$T/m3" 'A\000B' 'FAC' 'ADT^A01' 'NUL\000AFTER' 'P\000Q' 'DOE'
	# 4: invalid UTF-8 and 8-bit bytes everywhere
	msg "$T/m4" '\377\376' '\303\050' 'ADT^A\200' 'U\351\3778' '\355\240\200' '\300\257'
	# 5: printf formats, and a field far over the log's 64 characters
	msg "$T/m5" '%n%n' '%s%s%s' 'ADT^%x' "%s%n$(printf '$(touch %.0s' {1..40})" 'P' 'DOE'
	# 6: a raw LF in PID-5 starts a segment of its own (accepted, leniency)
	msg "$T/m6" 'APP' 'FAC' 'ADT^A01' 'RAWLF1' '1' "DOE\nZZZ|$d(touch $MARK.lf)|${b}touch $MARK.lf2${b}"
	# 7: a raw LF in MSH-10 cuts the MSH short: refused (AR), never run
	msg "$T/m7" 'APP' 'FAC' 'ADT^A01' "ID\n$d(touch $MARK.lf3)" '1' 'DOE'
	frame -f "$T/m1" -f "$T/m2" -f "$T/m3" -f "$T/m4" -f "$T/m5" -f "$T/m6" -f "$T/m7" >"$T/in"
	touch "$T/before"
	cd "$T/work"
	CAP="$T/cap" mllpd_send "$T/in" --spool "$SPOOL" --exec "$EXEC_CMD"
	# answers: six accepted, the seventh refused
	assert_ack_count 7
	local i
	for i in 1 2 3 4 5 6; do assert_ack_code AA "$i"; done
	assert_ack_code AR 7
	# no command ran: no marker anywhere, nothing new in the work directory
	run find "$T" -name 'pwned*'
	assert_output ''
	run find /tmp -maxdepth 1 -name "${OUTSIDE##*/}*"
	assert_output ''
	run find "$T/work" -mindepth 1
	assert_output ''
	# spool names: the documented pattern only, one file per accepted message
	assert_spool_count 6
	while IFS= read -r i; do
		[[ $i =~ $NAME_RE ]] || fail "spool name not per contract: $(printf '%s' "$i" | visible)"
	done < <(spool_files new)
	run find "$SPOOL" -mindepth 1 -newer "$T/before" ! -path "$SPOOL/new/*" ! -path "$SPOOL/tmp" \
		! -path "$SPOOL/new" ! -path "$SPOOL/cur" ! -path "$SPOOL/failed"
	assert_output ''
	for i in 1 2 3 4 5 6; do
		assert_spooled "$i" "$T/m$i"
	done
	# the log: one line per message and the close, printable ASCII only
	run grep -caP '[^\x20-\x7e]' "$MLLPD_STDERR"
	assert_output 0
	[[ ${#stderr_lines[@]} -eq 8 ]] || fail "expected 8 log lines, got ${#stderr_lines[@]}: $stderr"
	assert_stderr_line 2 "mllpd: stdin: message id=NUL\\x00AFTER type=ADT^A01 version=2.5.1 size=$(wc -c <"$T/m3") ack=AA sink=spool:ok,exec:ok us=${stderr_lines[2]##*us=}"
	[[ ${stderr_lines[3]} == "mllpd: stdin: message id=U\\xe9\\xff8 type=ADT^A\\x80 version=2.5.1 "* ]] || fail "line 3: ${stderr_lines[3]}"
	[[ ${stderr_lines[1]} == "mllpd: stdin: message id=ID\\x5cX0A\\x5c2;id type=ADT^A01^$d(touch\\x20"* ]] || fail "line 1: ${stderr_lines[1]}"
	# values are capped: of the 324 bytes of this MSH-10, 64 are logged, then "..."
	local id
	[[ ${stderr_lines[4]} =~ \ id=([^ ]*)\  ]] || fail "line 4: ${stderr_lines[4]}"
	id=${BASH_REMATCH[1]}
	[[ $id == '%s%n$(touch\x20$(touch\x20'*... ]] || fail "MSH-10 in the log: $id"
	id=${id%...}
	id=${id//\\x[0-9a-f][0-9a-f]/_}
	[[ ${#id} -eq 64 ]] || fail "MSH-10 logged with ${#id} bytes of the value, not 64: ${stderr_lines[4]}"
	assert_no_phi
	# the command got the raw field bytes through its environment, as bytes
	[[ $(cat "$T/cap/n") -eq 6 ]] || fail "the command ran $(cat "$T/cap/n") times, expected 6"
	expect_env 1 HL7_CONTROL_ID "${b}touch $MARK.id${b}"
	expect_env 1 HL7_SENDING_APPLICATION "../../../../../..$OUTSIDE.app"
	expect_env 1 HL7_SENDING_FACILITY "$d(touch $OUTSIDE.fac)"
	expect_env 2 HL7_CONTROL_ID 'ID\\X0A\\2;id'
	expect_env 2 HL7_SENDING_APPLICATION ";touch $MARK.app;"
	expect_env 2 HL7_MESSAGE_TYPE "ADT^A01^$d(touch $MARK.type)"
	expect_env 3 HL7_CONTROL_ID 'NUL'
	expect_env 3 HL7_SENDING_APPLICATION 'A'
	expect_env 4 HL7_CONTROL_ID 'U\351\3778'
	expect_env 4 HL7_SENDING_APPLICATION '\377\376'
	expect_env 4 HL7_SENDING_FACILITY '\303\050'
	expect_env 4 HL7_MESSAGE_TYPE 'ADT^A\200'
	expect_env 5 HL7_SENDING_APPLICATION '%n%n'
	for i in 1 2 3 4 5 6; do
		cmp -s "$T/cap/$i.stdin" "$T/m$i" || fail "run $i: stdin is not the message"
	done
}

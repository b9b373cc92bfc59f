#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 200-hl7-ack: hl7 ack prints, byte for byte, the ACK mllpd sends (MSH-7 and MSH-10 masked).

# shellcheck disable=SC2154,SC1003 # $status... come from the helpers; HL7 text is literal
load 200-hl7-common

setup() { hl7_setup; }
teardown() { mllpd_teardown; }

# same_ack MSGFILE MLLPD-ARGS -- HL7-ACK-ARGS: mllpd's answer (pipe mode) and
# hl7 ack's output are the same bytes once MSH-7 and MSH-10 are masked.
same_ack() {
	local msg=$1 a=() h=() mine theirs
	shift
	while (($#)) && [[ $1 != -- ]]; do a+=("$1"); shift; done
	shift
	h=("$@")
	mllpd_run 0 "${a[@]}" < <(frame -f "$msg")
	assert_ack_count 1
	theirs=$(ack_masked 1 && printf x)
	run_hl7 ack "${h[@]}" "$msg"
	ACKS=("$(cat "$OUT" && printf x)")
	ACKS[0]=${ACKS[0]%x}
	mine=$(ack_masked 1 && printf x)
	[[ $mine == "$theirs" ]] || fail "hl7 ack differs from mllpd:
  mllpd:   $(printf '%s' "${theirs%x}" | visible)
  hl7 ack: $(printf '%s' "${mine%x}" | visible)"
}

@test "ack: the bytes mllpd sends: AA, old versions, enhanced mode, own MSH-3/4, --code AR/AE --text" {
	# ack: AA, exactly as mllpd --exec true sends it
	adt >a.hl7
	same_ack a.hl7 --exec true -- 
	assert_status 0
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|MSG00001'
	# ack: older versions, enhanced mode, --ack-application/--ack-facility
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ORU^R01|C1|P|2.3' 'PID|1' >v23.hl7
	same_ack v23.hl7 --exec true --
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ORU^R01|C2|P|2.5|||AL|NE' 'PID|1' >enh.hl7
	same_ack enh.hl7 --exec true --
	same_ack enh.hl7 --exec true --ack-mode original --ack-application ME --ack-facility HERE -- \
		--mode original --application ME --facility HERE
	# ack: --code AR/AE with --text as mllpd answers a refusing or failing command
	adt >a.hl7
	same_ack a.hl7 --exec 'exit 65' -- --code AR --text 'rejected by the command (exit 65)'
	same_ack a.hl7 --exec 'exit 3' -- --code AE --text 'command exited 3'
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ORU^R01|C1|P|2.3' 'PID|1' >v23.hl7
	same_ack v23.hl7 --exec 'exit 3' -- --code AE --text 'command exited 3'
}

@test "ack: invalid messages get mllpd's AR (exit 65); no answer where mllpd sends none" {
	# ack: an invalid message gets mllpd's AR with ERR, exit 65
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ADT^A01||P|2.5.1' >noid.hl7
	same_ack noid.hl7 --exec true --
	assert_status 65
	assert_err 'hl7: noid.hl7: message 1: MSH-10 control ID is empty'
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ADT^A01|X|P|9.9' >ver.hl7
	same_ack ver.hl7 --exec true --
	assert_status 65
	# ack: no answer where mllpd sends none (MSH-15/16 NE, an inbound ACK)
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ADT^A01|C1|P|2.5|||NE|NE' >ne.hl7
	run_hl7 ack ne.hl7
	assert_status 0
	assert_out ''
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ACK^A01|C1|P|2.5' 'MSA|AA|X' >ack.hl7
	run_hl7 ack ack.hl7
	assert_status 0
	assert_out ''
}

@test "ack: control bytes copied from the message are written \\Xhh\\ (the same HL7 value); --raw: mllpd's bytes" {
	printf 'MSH|^~\\&|S\x1bA|SF|R|RF|20260101||ADT^A01|C\x9b1|P|2.5\rPID|1\r' >c.hl7
	run_hl7 ack c.hl7
	assert_status 0
	ACKS=("$(cat "$OUT")")
	assert_ack 1 'MSH|^~\&|R|RF|S\X1B\A|SF|<TS>||ACK^A01^ACK|<ID>|P|2.5' 'MSA|AA|C\X9B\1'
	run_hl7 ack --mllp c.hl7
	ack_split "$OUT" || fail "not MLLP frames: $(visible <"$OUT")"
	assert_ack 1 'MSH|^~\&|R|RF|S\X1B\A|SF|<TS>||ACK^A01^ACK|<ID>|P|2.5' 'MSA|AA|C\X9B\1'
	# ack --raw: the bytes mllpd sends
	same_ack c.hl7 --exec true -- --raw
	assert_status 0
}

@test "ack: --mllp framing, one ACK per message, usage errors 64, batch 65" {
	# ack --mllp frames each answer; several messages, several answers
	{ adt M1; adt M2; } >two.hl7
	run_hl7 ack --mllp two.hl7
	assert_status 0
	ack_split "$OUT" || fail "not MLLP frames: $(visible <"$OUT")"
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|M1'
	assert_ack 2 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|M2'
	[[ $(ack_field MSH 10 1) != "$(ack_field MSH 10 2)" ]] || fail "control IDs not fresh"
	# ack: usage errors are exit 64; a batch with a wrong count is exit 65, answered with mllpd's plain AR
	run_hl7 ack --code XX
	assert_status 64
	run_hl7 ack --mode sometimes
	assert_status 64
	{ hl7 'BHS|^~\&' ; adt; hl7 'BTS|2'; } >b.hl7
	run_hl7 ack b.hl7
	assert_status 65
	grep -qF 'MSA|AR||BTS-1 or FTS-1 count does not match the batch' "$OUT" || fail "no AR: $(visible <"$OUT")"
	assert_err 'hl7: b.hl7: message 1: not an HL7 batch: BTS-1 or FTS-1 count does not match the batch'
}

@test "ack: --error-code is 0 to 99999, digits only: signs, blanks and overflow are usage errors" {
	local v
	for v in '' -1 +207 ' 207' '207 ' 2O7 100000 18446744073709551823 99999999999999999999; do
		run_hl7 ack --error-code "$v" </dev/null
		assert_status 64
		[[ ${stderr%%$'\n'*} == "hl7: ack: --error-code: not a table 0357 code: $v" ]] ||
			fail "first stderr line: '${stderr%%$'\n'*}'"
	done
	adt E1 >e.hl7
	run_hl7 ack --code AE --error-code 99999 e.hl7
	assert_status 0
	grep -qF '|99999' "$OUT" || fail "ERR-3 99999 not in the ACK: $(visible <"$OUT")"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 200-hl7-lint: hl7 lint: mllpd's validation and structure warnings, one line each with the path.

# shellcheck disable=SC2154,SC1003 # $status... come from the helpers; HL7 text is literal
load 200-hl7-common

setup() { hl7_setup; }
teardown() { mllpd_teardown; }

@test "lint: clean is 0; errors and warnings with their paths" {
	# lint: a clean message is exit 0 and no output
	adt >a.hl7
	oru >o.hl7
	run_hl7 lint a.hl7 o.hl7
	assert_status 0
	assert_out ''
	assert_err ''
	# lint: mllpd's errors and the MSH warnings, each with its path
	hl7 'MSH|^~\&|A|B|C|D|||ADT|||2.99' 'PID|1||X\Q\Y||a\Xzz\' 'pid|2' 'OBX|1|TX|| OBX||v\' >bad.hl7
	run_hl7 lint bad.hl7
	assert_status 1
	assert_out 'bad.hl7: message 1: MSH-10: error: MSH-10 control ID is empty
bad.hl7: message 1: MSH-12: error: MSH-12 version is not in HL7 table 0104
bad.hl7: message 1: MSH-7: warning: MSH-7 date/time of message is empty
bad.hl7: message 1: MSH-9.2: warning: MSH-9.2 trigger event is empty
bad.hl7: message 1: MSH-11: warning: MSH-11 processing ID is empty
bad.hl7: message 1: PID-3: warning: unknown escape sequence \\Q\\
bad.hl7: message 1: PID-5: warning: unknown escape sequence \\Xzz\\
bad.hl7: message 1: segment 3: error: invalid segment ID
bad.hl7: message 1: OBX-4: warning: segment ID OBX inside a field: a lost segment separator?
bad.hl7: message 1: OBX-6: warning: escape character without a closing one\n'
}

@test "lint: an unknown escape sequence is shown with its control bytes as \\xhh" {
	printf 'MSH|^~\\&|A|B|C|D|20260101|x|ADT^A01|ID1|P|2.5\rNTE|1||\\Q\x1b[2J\xc2\x9b\xc3\xa9\\\r' >t.hl7
	run_hl7 lint t.hl7
	assert_status 1
	assert_out 't.hl7: message 1: NTE-3: warning: unknown escape sequence \\Q\\x1b[2J\\xc2\\x9b\xc3\xa9\\\n'
}

@test "lint: not HL7, batch, cut frame; two MSH in a frame; --strict" {
	# lint: not HL7, a batch with a wrong count and a cut frame are findings; the message number counts
	{ adt M1; printf 'junk\r'; } | tr '\r' '\n' >one.hl7
	{ printf 'junk\r'; adt M2; hl7 'BHS|^~\&' 'MSH|^~\&|x' 'BTS|2'; printf '\013MSH|^~\\&|'; } >many.hl7
	run_hl7 lint many.hl7
	assert_status 1
	assert_out 'many.hl7: message 1: MSH: error: message does not start with MSH
many.hl7: message 3: BTS: error: BTS-1 or FTS-1 count does not match the batch
many.hl7: message 4: frame: error: MLLP frame not ended by 0x1C\n'
	# lint: two MSH in one MLLP frame is mllpd's segment sequence error
	{ adt M1; adt M2; } | frame >two.mllp
	run_hl7 lint two.mllp
	assert_status 1
	assert_out 'two.mllp: message 1: MSH: error: second MSH or batch segment inside a message\n'
	# lint --strict: the leniencies mllpd --strict refuses
	adt | tr '\r' '\n' >lf.hl7
	run_hl7 lint lf.hl7
	assert_status 0
	run_hl7 lint --strict lf.hl7
	assert_status 1
	assert_out 'lf.hl7: message 1: MSH: error: non-standard message (refused by --strict)\n'
}

@test "lint: missing file 66, usage 64, stdin" {
	# lint: a missing file is exit 66, usage errors 64
	run_hl7 lint nosuch.hl7
	assert_status 66
	assert_err 'hl7: nosuch.hl7: No such file or directory'
	run_hl7 lint --bogus
	assert_status 64
	# lint: reads stdin
	hl7 'MSH|^~\&|A|B|C|D|20260101||ADT^A01|X1|P|2.5' >ok.hl7
	run_hl7 lint <ok.hl7
	assert_status 0
	printf 'MSH|^~\\&|A\r' >short.hl7
	run_hl7 lint <short.hl7
	assert_status 1
	assert_out 'stdin: message 1: MSH-9: error: MSH-9.1 message type is empty
stdin: message 1: MSH-10: error: MSH-10 control ID is empty
stdin: message 1: MSH-12: error: MSH-12 version is empty
stdin: message 1: MSH-7: warning: MSH-7 date/time of message is empty
stdin: message 1: MSH-9.2: warning: MSH-9.2 trigger event is empty
stdin: message 1: MSH-11: warning: MSH-11 processing ID is empty\n'
}

@test "corpus: lint agrees with mllpd: no error for what it accepts, an error for what it refuses" {
	local corpus=$MLLPD_ROOT/../shared/corpus f ans
	[[ -f $corpus/MANIFEST.tsv ]] || skip "no corpus in $corpus"
	local files=() refused=() got
	while IFS=$'\t' read -r f ans; do
		[[ $ans == AA || $ans == AR ]] || continue
		# several MSH in one file are several messages to hl7 (mllpd refuses
		# them in one MLLP block: see the framed test above)
		[[ $f == *-MULTI-* ]] && continue
		files+=("$corpus/$f")
		[[ $ans == AR ]] && refused+=("$corpus/$f")
	done < <(awk -F'\t' 'NR > 1 { print $1 "\t" $8 }' "$corpus/MANIFEST.tsv")
	run_hl7 lint "${files[@]}"
	assert_status 1
	got=$(grep -a ': error: ' "$OUT" | sed 's/: message [0-9]*: .*//' | sort -u)
	[[ $got == "$(printf '%s\n' "${refused[@]}" | sort -u)" ]] ||
		fail "files with errors differ from those mllpd refuses: $(diff <(echo "$got") <(printf '%s\n' "${refused[@]}" | sort -u))"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 200-hl7-get: hl7 get: paths, escapes, tables, [*], input forms, errors and exit codes.

# shellcheck disable=SC2154,SC1003 # $status... come from the helpers; HL7 text is literal
load 200-hl7-common

setup() { hl7_setup; }
teardown() { mllpd_teardown; }

@test "get: paths, components, repetitions, subcomponents, escapes, --raw, MSH-1/2, missing values" {
	# get: one path, one line per message
	adt >a.hl7
	run_hl7 get MSH-9 a.hl7
	assert_status 0
	assert_out 'ADT^A01^ADT_A01\n'
	assert_err ''
	# get: components, repetitions, subcomponents, segment occurrences
	adt >a.hl7
	run_hl7 get MSH-9.1 MSH-9.2 PID-3.1 'PID-3[2].1' 'PID-3[2].4.2' PID-5.1.1 PID-8 a.hl7
	assert_status 0
	assert_out 'ADT\tA01\t12345\t678\tY\tO\\BRIEN^X\tM\n'
	oru >o.hl7
	run_hl7 get 'OBX[2]-5' 'OBX[3]-3.2' OBX-6 o.hl7
	assert_out '140\tComment\tmmol/L\n'
	# get: escapes decoded by default, kept with --raw
	adt >a.hl7
	run_hl7 get PID-5.1 PID-5.2 a.hl7
	assert_out 'O\\BRIEN^X\tJOHN&J\n'
	run_hl7 get --raw PID-5.1 PID-5.2 a.hl7
	assert_out 'O\\E\\BRIEN\\S\\X\tJOHN\\T\\J\n'
	# get: MSH-1 and MSH-2 are single values, never decoded
	adt >a.hl7
	run_hl7 get MSH-1 MSH-2 a.hl7
	assert_out '|\t^~\\&\n'
	# get: missing values are empty columns
	adt >a.hl7
	run_hl7 get MSH-10 ZZZ-1 PID-99 'PID-3[9]' PID-5.7 a.hl7
	assert_status 0
	assert_out 'MSG00001\t\t\t\t\n'
}

@test "get: tables over files, -H, [*] rows" {
	# get: several files make a table
	adt MSG1 >a.hl7
	oru LAB2 >b.hl7
	run_hl7 get MSH-9.1 MSH-10 a.hl7 b.hl7
	assert_out 'ADT\tMSG1\nORU\tLAB2\n'
	run_hl7 get -H MSH-10 a.hl7 b.hl7
	assert_out 'a.hl7\tMSG1\nb.hl7\tLAB2\n'
	# get: [*] gives one row per match, other columns repeated
	oru >o.hl7
	run_hl7 get MSH-10 'OBX[*]-3.1' 'OBX[*]-5' o.hl7
	assert_out 'LAB0001\tGLU\t5.4\nLAB0001\tNA\t140\nLAB0001\tCMT\tfine|ok~second\n'
	run_hl7 get 'OBX[3]-5[*]' o.hl7
	assert_out 'fine|ok\nsecond\n'
	adt >a.hl7
	run_hl7 get 'PID-3[*].1' 'PID-3[*].5' a.hl7
	assert_out '12345\tMR\n678\tPI\n'
	# get: [*] with no match prints no row for that message
	adt >a.hl7
	oru >o.hl7
	run_hl7 get MSH-10 'OBX[*]-5' a.hl7 o.hl7
	assert_status 0
	assert_out 'LAB0001\t5.4\nLAB0001\t140\nLAB0001\tfine|ok~second\n'
}

@test "get: TAB/CR/LF in values; stdin, concatenated, LF, CRLF, MLLP input; other delimiters" {
	# get: TAB, CR and LF inside a value are written \\t \\r \\n
	hl7 'MSH|^~\&|A|B|C|D|20260101||ADT^A01|ID1|P|2.5' 'NTE|1||a\X09\b\X0D0A\c' >t.hl7
	run_hl7 get NTE-3 t.hl7
	assert_out 'a\\tb\\r\\nc\n'
	# get: stdin, concatenated messages, LF and CRLF files, MLLP frames
	{ adt M1; oru M2; } | tr '\r' '\n' >lf.hl7
	{ adt M3; } | sed 's/\r/\r\n/g' >crlf.hl7
	{ adt M4 | frame; oru M5 | frame; } >framed.mllp
	run_hl7 get MSH-10 PID-3.1 <lf.hl7
	assert_out 'M1\t12345\nM2\t999\n'
	run_hl7 get MSH-10 lf.hl7 crlf.hl7 framed.mllp - <lf.hl7
	assert_status 0
	assert_out 'M1\nM2\nM3\nM4\nM5\nM1\nM2\n'
	# get: non-default delimiters
	hl7 'MSH#*@!%#A#B#C#D#20260101##ADT*A01#ID7#P#2.5' 'PID#1##X*Y@Z%S1!T1#!F!' >d.hl7
	run_hl7 get MSH-9.2 PID-3.2 'PID-3[2].1.1' 'PID-3[2].1.2' PID-3.1 PID-4 d.hl7
	assert_out 'A01\tY\tZ\tS1!T1\tX\t#\n'
	run_hl7 get MSH-1 MSH-2 d.hl7
	assert_out '#\t*@!%\n'
}

@test "get: control bytes are written \\xhh (terminal-safe); --raw writes them as they are" {
	# get: a decoded ESC, a C1 CSI (Latin-1 byte and UTF-8), DEL and a raw ESC are \\xhh; UTF-8 text is kept
	printf 'MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID1|P|2.5\rNTE|1||a\\X1B\\[2Jb\\X9B\\c\\XC29B\\d\\X7F\\e\\XC3A9\\f|g\x1b]0;x\x07h\r' >t.hl7
	run_hl7 get NTE-3 NTE-4 t.hl7
	assert_status 0
	assert_out 'a\\x1b[2Jb\\x9bc\\xc2\\x9bd\\x7fe\xc3\xa9f\tg\\x1b]0;x\\x07h\n'
	# get: the visible form reads back to the bytes with printf %b
	[[ $(printf '%b' "$(cut -f1 "$OUT")" | od -An -tx1 | tr -d ' \n') == 611b5b324a629b63c29b647f65c3a966 ]] ||
		fail "printf %b does not read the value back"
	# get: --raw prints the message's bytes as they are (escape sequences not decoded, raw bytes raw)
	run_hl7 get --raw NTE-3 NTE-4 t.hl7
	assert_out 'a\\X1B\\[2Jb\\X9B\\c\\XC29B\\d\\X7F\\e\\XC3A9\\f\tg\x1b]0;x\x07h\n'
	# get: -H file names are made safe too
	cp t.hl7 "$(printf 'n\033m.hl7')"
	run_hl7 get -H MSH-10 "$(printf 'n\033m.hl7')"
	assert_out 'n\\x1bm.hl7\tID1\n'
}

@test "get: errors name the file and message: not HL7 (65), cut frame, batch" {
	# get: a file that is not HL7 is exit 65 with the file and message number
	adt M1 >a.hl7
	printf 'hello world\n' >bad.txt
	run_hl7 get MSH-10 a.hl7 bad.txt a.hl7
	assert_status 65
	assert_out 'M1\nM1\n'
	assert_err 'hl7: bad.txt: message 1: not an HL7 message: message does not start with MSH'
	# get: the second message of a stream is named
	{ adt M1; printf 'MSH|^~\\&|X\r'; } >two.hl7
	printf 'MSH|^~\\&|X\r' >one.hl7
	run_hl7 get MSH-3 two.hl7
	assert_status 0
	assert_out 'SND\nX\n'
	{ adt M1; printf 'MSH|A\r'; } >bad2.hl7
	run_hl7 get MSH-10 <bad2.hl7
	assert_status 65
	assert_out 'M1\n'
	assert_err 'hl7: stdin: message 2: not an HL7 message: MSH-2 is not 4 or 5 distinct encoding characters'
	# get: a cut-off MLLP frame and a batch with a wrong count are errors, the rest is read
	{ adt M1 | frame; printf '\013'; adt M2; } >cut.mllp
	run_hl7 get MSH-10 cut.mllp
	assert_status 65
	assert_out 'M1\n'
	assert_err 'hl7: cut.mllp: message 2: MLLP frame not ended by 0x1C: skipped'
	{ hl7 'BHS|^~\&|A' ; adt M1; hl7 'BTS|2'; adt M2; } >batch.hl7
	run_hl7 get MSH-10 batch.hl7
	assert_status 65
	assert_out 'M2\n'
	assert_err 'hl7: batch.hl7: message 1: not an HL7 batch: BTS-1 or FTS-1 count does not match the batch: skipped'
}

@test "get: missing file 66, usage 64, -- before files, --help, --version" {
	# get: a missing file is exit 66, the others are still read
	adt M1 >a.hl7
	run_hl7 get MSH-10 nosuch.hl7 a.hl7
	assert_status 66
	assert_out 'M1\n'
	assert_err 'hl7: nosuch.hl7: No such file or directory'
	# get: usage errors are exit 64
	run_hl7 get
	assert_status 64
	[[ ${stderr%%$'\n'*} == 'hl7: get: no path given' ]] || fail "stderr: $stderr"
	run_hl7 get --bogus MSH-10
	assert_status 64
	run_hl7 get nonsense
	assert_status 64
	[[ ${stderr%%$'\n'*} == 'hl7: get: not a path: nonsense' ]] || fail "stderr: $stderr"
	run_hl7 frobnicate
	assert_status 64
	run_hl7
	assert_status 64
	assert_out ''
	# get: a file named like a path is read after --
	adt M9 >PID-1
	run_hl7 get MSH-10 -- PID-1
	assert_status 0
	assert_out 'M9\n'
	# --help and --version print on stdout and exit 0
	run_hl7 --help
	assert_status 0
	grep -q '^usage: hl7 get' "$OUT" || fail "no usage in --help"
	run_hl7 --version
	assert_status 0
	grep -Eq '^hl7 [0-9]+\.[0-9]+\.[0-9]+$' "$OUT" || fail "--version: $(cat "$OUT")"
}

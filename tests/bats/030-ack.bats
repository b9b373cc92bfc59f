#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 030-ack: exact acknowledgement bytes (mllpd(8) ACKNOWLEDGEMENTS,
# "Which answer").  MSH-7 and MSH-10 of the ACK are masked as <TS> and <ID>
# (ack_masked checks their form); every other byte is compared.

# shellcheck disable=SC2154,SC2016,SC1003 # $status, $stderr... come from helpers.bash; HL7 text is literal
load helpers

setup() {
	mllpd_setup
	MSG="$BATS_TEST_TMPDIR/msg.hl7"
}
teardown() { mllpd_teardown; }

# mk ID VERSION TYPE [MSH-15 [MSH-16]]: a message from SND/SFAC to RCV/RFAC,
# written to $MSG.
mk() {
	local id=$1 ver=$2 type=$3 tail=
	if (($# > 3)); then tail="|||$4|${5-}"; fi
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||$type|$id|P|$ver$tail" \
		"EVN|A01|20260101120000" \
		"PID|1||12345^^^HOSP^MR||$PHI_SENTINEL^JOHN" >"$MSG"
}

# answer [ARGS...]: send $MSG framed to mllpd --spool $SPOOL ARGS; exit 0 expected.
answer() {
	mllpd_run 0 --spool "$SPOOL" "$@" < <(frame -f "$MSG")
	assert_framed
	assert_no_phi
}

# err_text [TEXT]: MSA-3 of frame 1, which must not be empty (and must be
# TEXT when given: the spec's hl7_status_text() wording).
err_text() {
	local t
	t=$(ack_field MSA 3) || fail "no MSA"
	[[ -n $t ]] || fail "MSA-3 (error text) is empty: $(ack | visible)"
	[[ $# -eq 0 || $t == "$1" ]] || fail "MSA-3 is '$t', expected '$1'"
	printf '%s\n' "$t"
}

# err_location PATTERN: ERR-2 of frame 1, which must match the regexp PATTERN.
err_location() {
	local l
	l=$(ack_field ERR 2) || fail "no ERR segment: $(ack | visible)"
	[[ $l =~ $1 ]] || fail "ERR-2 (location) '$l' does not match /$1/"
	printf '%s\n' "$l"
}

# ---------------------------------------------------------------- positive

@test "v2.5.1 AA: exact bytes, spooled byte-identical" {
	mk MSG00001 2.5.1 'ADT^A01^ADT_A01'
	answer
	assert_ack_count 1
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|MSG00001'
	assert_spooled_only "$MSG"
}

@test "v2.3: MSH-9 ACK^A01 without ^ACK" {
	mk MSG00002 2.3 'ADT^A01'
	answer
	assert_ack_count 1
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01|<ID>|P|2.3' 'MSA|AA|MSG00002'
}

@test "v2.2: MSH-9 ACK^A01 without ^ACK" {
	mk MSG00003 2.2 'ADT^A01'
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01|<ID>|P|2.2' 'MSA|AA|MSG00003'
}

@test "v2.3.1: MSH-9 ACK^A01^ACK (first version with the structure)" {
	mk MSG00004 2.3.1 'ADT^A01'
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.3.1' 'MSA|AA|MSG00004'
}

@test "MSH-12 with components (2.5^DEU) copied whole, version read from MSH-12.1" {
	mk MSG00005 '2.5^DEU' 'MDM^T01'
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^T01^ACK|<ID>|P|2.5^DEU' 'MSA|AA|MSG00005'
}

@test "message without trigger event: plain ACK (v2.3 and v2.5.1)" {
	mk ORU1 2.3 'ORU'
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK|<ID>|P|2.3' 'MSA|AA|ORU1'
	mk ORU2 2.5.1 'ORU'
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK|<ID>|P|2.5.1' 'MSA|AA|ORU2'
}

@test "MSA-2 echoes MSH-10 verbatim (leading space, escapes)" {
	mk ' 38762\T\x' 2.3 'SIU^S14'
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^S14|<ID>|P|2.3' 'MSA|AA| 38762\T\x'
}

@test "--ack-application and --ack-facility set MSH-3/MSH-4" {
	mk MSG00006 2.5.1 'ADT^A01^ADT_A01'
	answer --ack-application MLLPD --ack-facility=HOSP
	assert_ack 1 'MSH|^~\&|MLLPD|HOSP|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|MSG00006'
}

@test "empty MSH-3..6: ACK has empty MSH-3..6" {
	hl7 'MSH|^~\&|||||20260101120000||ADT^A01|E1|T|2.4' 'PID|1' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|||||<TS>||ACK^A01^ACK|<ID>|T|2.4' 'MSA|AA|E1'
}

@test "MSH-3/4 with components are swapped whole" {
	hl7 'MSH|^~\&|SND^1.2.3^ISO|SF^x|RCV^9^L|RF|20260101120000||ADT^A04|C1|P|2.5' 'PID|1' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|RCV^9^L|RF|SND^1.2.3^ISO|SF^x|<TS>||ACK^A04^ACK|<ID>|P|2.5' 'MSA|AA|C1'
}

@test "non-default MSH-1 '#' echoed in the ACK" {
	hl7 'MSH#^~\&#SND#SFAC#RCV#RFAC#20260101120000##ADT^A01^ADT_A01#HASH1#P#2.5.1' 'PID#1##12345' >"$MSG"
	answer
	assert_ack_count 1
	assert_ack 1 'MSH#^~\&#RCV#RFAC#SND#SFAC#<TS>##ACK^A01^ACK#<ID>#P#2.5.1' 'MSA#AA#HASH1'
	assert_spooled_only "$MSG"
}

@test "non-default MSH-2 '\$%*!' echoed, component separator used in MSH-9" {
	hl7 'MSH|$%*!|SND|SFAC|RCV|RFAC|20260101120000||ADT$A08$ADT_A01|DOL1|P|2.5' 'PID|1||1$$$H' >"$MSG"
	answer
	assert_ack 1 'MSH|$%*!|RCV|RFAC|SND|SFAC|<TS>||ACK$A08$ACK|<ID>|P|2.5' 'MSA|AA|DOL1'
}

@test "five encoding characters ^~\\&# echoed (v2.7 and v2.5.1)" {
	hl7 'MSH|^~\&#|SND|SFAC|RCV|RFAC|20260101120000||RSP^K22^RSP_K21|T27|P|2.7' 'MSA|AA|Q1' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&#|RCV|RFAC|SND|SFAC|<TS>||ACK^K22^ACK|<ID>|P|2.7' 'MSA|AA|T27'
	hl7 'MSH|^~\&#|SND|SFAC|RCV|RFAC|20260101120000||ORU^R01^ORU_R01|T251|P|2.5.1' 'PID|1' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&#|RCV|RFAC|SND|SFAC|<TS>||ACK^R01^ACK|<ID>|P|2.5.1' 'MSA|AA|T251'
}

@test "ACK MSH-10 is fresh: not the inbound one, different between ACKs and runs" {
	mk SAMEID 2.5.1 'ADT^A01^ADT_A01'
	mllpd_run 0 --spool "$SPOOL" < <(frame -f "$MSG" -f "$MSG" -f "$MSG")
	assert_ack_count 3
	local a b c d
	a=$(ack_field MSH 10 1)
	b=$(ack_field MSH 10 2)
	c=$(ack_field MSH 10 3)
	[[ -n $a && ${#a} -le 20 ]] || fail "MSH-10 '$a' empty or over 20 characters"
	[[ $a != SAMEID && $b != SAMEID && $c != SAMEID ]] || fail "inbound MSH-10 reused in an ACK"
	[[ $a != "$b" && $b != "$c" && $a != "$c" ]] || fail "ACK MSH-10 repeated: $a $b $c"
	mllpd_run 0 --spool "$SPOOL" < <(frame -f "$MSG")
	d=$(ack_field MSH 10 1)
	[[ $d != "$a" && $d != "$b" && $d != "$c" ]] || fail "ACK MSH-10 $d repeated across connections"
}

@test "ACK MSH-7 is now with a time-zone offset" {
	mk TS1 2.5.1 'ADT^A01'
	answer
	local ts
	ts=$(ack_field MSH 7)
	[[ $ts =~ ^[0-9]{14}[+-][0-9]{4}$ ]] || fail "MSH-7 '$ts' is not YYYYMMDDHHMMSS+ZZZZ"
	local y
	y=$(date +%Y)
	[[ ${ts:0:4} -ge $((y - 1)) && ${ts:0:4} -le $((y + 1)) ]] || fail "MSH-7 '$ts' is not now"
}

# ---------------------------------------------------------------- errors (AR)

@test "v2.4 empty MSH-10: AR, ERR-1 form, not delivered" {
	mk '' 2.4 'ADT^A01'
	answer
	assert_ack_count 1
	local t
	t=$(err_text 'MSH-10 control ID is empty')
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.4' \
		"MSA|AR||$t" 'ERR|MSH^1^10^101&Required field missing&HL70357'
	assert_spool_empty
}

@test "v2.3 empty MSH-10: AR, ERR-1 form" {
	mk '' 2.3 'ADT^A01'
	answer
	local t
	t=$(err_text 'MSH-10 control ID is empty')
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01|<ID>|P|2.3' \
		"MSA|AR||$t" 'ERR|MSH^1^10^101&Required field missing&HL70357'
	assert_spool_empty
}

@test "v2.5 empty MSH-10: AR, ERR-2/3/4/8 form" {
	mk '' 2.5 'ADT^A01'
	answer
	local t
	t=$(err_text 'MSH-10 control ID is empty')
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5' \
		"MSA|AR||$t" "ERR||MSH^1^10|101^Required field missing^HL70357|E||||$t"
	assert_spool_empty
}

@test "unsupported version 2.999: AR with ERR 203 in the v2.5 form" {
	mk MSG00007 2.999 'ADT^A01'
	answer
	assert_ack_count 1
	local t l m9
	t=$(err_text 'MSH-12 version is not in HL7 table 0104')
	l=$(err_location '^MSH\^1\^12(\^|$)')
	m9=$(ack_field MSH 9)
	[[ $m9 == 'ACK^A01^ACK' || $m9 == 'ACK^A01' ]] || fail "MSH-9 '$m9'"
	assert_ack 1 "MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||$m9|<ID>|P|2.999" \
		"MSA|AR|MSG00007|$t" "ERR||$l|203^Unsupported version id^HL70357|E||||$t"
	assert_spool_empty
}

@test "every table 0104 version of mllpd(8) accepted; MSH-9 form by version" {
	local v vs=(2.1 2.2 2.3 2.3.1 2.4 2.5 2.5.1 2.6 2.7 2.7.1 2.8 2.8.1 2.8.2 2.9 2.9.1) i=0
	for v in "${vs[@]}"; do
		hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|V$v|P|$v" 'PID|1' | frame >>"$BATS_TEST_TMPDIR/in"
	done
	mllpd_send "$BATS_TEST_TMPDIR/in" 0 --spool "$SPOOL"
	assert_ack_count ${#vs[@]}
	for v in "${vs[@]}"; do
		i=$((i + 1))
		local m9=ACK^A01^ACK
		case $v in 2.1 | 2.2 | 2.3) m9=ACK^A01 ;; esac
		assert_ack "$i" "MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||$m9|<ID>|P|$v" "MSA|AA|V$v"
	done
	assert_spool_count ${#vs[@]}
}

@test "versions outside table 0104 refused with 203" {
	local v vs=(2.0 2.0D 2.6.1 2.10 2.5.2 3.0 2.9.2 ' 2.5' '2.5 ' 2.5.1.1) i=0
	: >"$BATS_TEST_TMPDIR/in"
	for v in "${vs[@]}"; do
		hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|V$v|P|$v" 'PID|1' | frame >>"$BATS_TEST_TMPDIR/in"
	done
	mllpd_send "$BATS_TEST_TMPDIR/in" 0 --spool "$SPOOL"
	assert_ack_count ${#vs[@]}
	for v in "${vs[@]}"; do
		i=$((i + 1))
		assert_ack_code AR "$i"
		assert_equal "$(ack_field MSA 2 "$i")" "V$v"
		assert_equal "$(ack_field ERR 3 "$i")" '203^Unsupported version id^HL70357'
	done
	assert_spool_empty
}

@test "segment IDs with digits (ZB1, A12, Z99) and Z-segments accepted" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|DIG1|P|2.5' 'ZB1|x' 'A12|y' 'Z99|z' 'ZZZ|w' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5' 'MSA|AA|DIG1'
	assert_spooled_only "$MSG"
}

@test "MSH-only message (no other segment) accepted" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|ONLY1|P|2.5' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5' 'MSA|AA|ONLY1'
	assert_spooled_only "$MSG"
}

@test "truncated MSH ('MSH', 'MSH|', MSH-1 CR or LF): minimal NAK AR each" {
	{
		frame 'MSH' 'MSH|' $'MSH
PID|1
' $'MSH
^~\&|x
' 'MSH|^~\&'
	} >"$BATS_TEST_TMPDIR/in"
	mllpd_send "$BATS_TEST_TMPDIR/in" 0 --spool "$SPOOL"
	assert_ack_count 5
	local i
	for i in 1 2 3 4 5; do
		assert_ack_code AR "$i"
		[[ $(ack_segment MSH "$i") == 'MSH|^~\&|'* ]] || fail "frame $i: not |^~\\&: $(ack "$i" | visible)"
		ack_segment ERR "$i" >/dev/null || fail "frame $i: no ERR"
	done
	assert_spool_empty
}

@test "unsupported version 2.3.z: AR 203" {
	mk V1 2.3.z 'ORU^R01'
	answer
	assert_ack_code AR
	[[ $(ack_field ERR 3) == '203^Unsupported version id^HL70357' ]] || fail "ERR-3: $(ack | visible)"
	assert_spool_empty
}

@test "empty MSH-12: AR 101 required field missing at MSH-12, not 203" {
	mk V2 '' 'ORU^R01'
	answer
	local t='MSH-12 version is empty'
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^R01^ACK|<ID>|P|2.5' \
		"MSA|AR|V2|$t" "ERR||MSH^1^12|101^Required field missing^HL70357|E||||$t"
	assert_spool_empty
}

@test "empty MSH-9: AR 101 at MSH-9, plain ACK type" {
	mk MSG00008 2.5.1 ''
	answer
	local t l
	t=$(err_text 'MSH-9.1 message type is empty')
	l=$(err_location '^MSH\^1\^9(\^|$)')
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK|<ID>|P|2.5.1' \
		"MSA|AR|MSG00008|$t" "ERR||$l|101^Required field missing^HL70357|E||||$t"
	assert_spool_empty
}

@test "empty MSH-9.1 with a trigger (^A01): AR 101" {
	mk MSG00009 2.5.1 '^A01'
	answer
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" MSG00009
	assert_equal "$(ack_field ERR 3)" '101^Required field missing^HL70357'
	assert_spool_empty
}

@test "bad segment ID: AR 100" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|SEG1|P|2.5.1' 'Pid|1||x' >"$MSG"
	answer
	local t l
	t=$(err_text 'invalid segment ID')
	l=$(ack_field ERR 2)
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' \
		"MSA|AR|SEG1|$t" "ERR||$l|100^Segment sequence error^HL70357|E||||$t"
	assert_spool_empty
}

@test "bad segment IDs: 1AB, PI, PIDX, P-D: AR 100" {
	local s
	for s in '1AB|1' 'PI|1' 'PIDX|1' 'P-D|1'; do
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|S1|P|2.4' "$s" >"$MSG"
		answer
		assert_ack_code AR
		[[ $(ack_segment ERR) == 'ERR|'*'^100&Segment sequence error&HL70357' ]] ||
			fail "segment '$s': ERR not 100 in the v2.4 form: $(ack | visible)"
	done
	assert_spool_empty
}

@test "second MSH without batch header: AR 100, nothing delivered" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|TWO1|P|2.5.1' 'PID|1' \
		'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|TWO2|P|2.5.1' 'PID|2' >"$MSG"
	answer
	assert_ack_count 1
	local t l
	t=$(err_text 'second MSH or batch segment inside a message')
	l=$(ack_field ERR 2)
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' \
		"MSA|AR|TWO1|$t" "ERR||$l|100^Segment sequence error^HL70357|E||||$t"
	assert_spool_empty
}

@test "message not starting with MSH: minimal NAK" {
	hl7 'PID|1||12345' 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|N1|P|2.5.1' >"$MSG"
	answer --ack-application APP --ack-facility FAC
	assert_ack_count 1
	local t l
	t=$(err_text 'message does not start with MSH')
	l=$(ack_field ERR 2)
	[[ $(ack_field ERR 3) =~ ^10[0-2]\^ ]] || fail "ERR-3 not 100..102: $(ack | visible)"
	assert_ack 1 'MSH|^~\&|APP|FAC|||<TS>||ACK|<ID>|P|2.5' "MSA|AR||$t" \
		"ERR||$l|$(ack_field ERR 3)|E||||$t"
	assert_spool_empty
}

@test "minimal NAK without --ack-application: default delimiters, v2.5, MSA AR" {
	printf 'hello world\r' >"$MSG"
	answer
	assert_ack_count 1
	[[ $(ack_segment MSH) == 'MSH|^~\&|'* ]] || fail "not |^~\\&: $(ack | visible)"
	assert_equal "$(ack_field MSH 9)" ACK
	assert_equal "$(ack_field MSH 12)" 2.5
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" ''
	assert_spool_empty
}

@test "bad MSH-2 (duplicate encoding characters): minimal NAK with MSA-2 = MSH-10" {
	hl7 'MSH|^&&^|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|DUP1|P|2.6' 'PID|1' >"$MSG"
	answer --ack-application APP --ack-facility FAC
	assert_ack_count 1
	local t l e3
	t=$(err_text 'MSH-2 is not 4 or 5 distinct encoding characters')
	l=$(ack_field ERR 2)
	e3=$(ack_field ERR 3)
	[[ $e3 == 102^* ]] || fail "ERR-3 '$e3' is not 102"
	assert_ack 1 'MSH|^~\&|APP|FAC|||<TS>||ACK|<ID>|P|2.5' "MSA|AR|DUP1|$t" \
		"ERR||$l|$e3|E||||$t"
	assert_spool_empty
}

@test "unreadable MSH (control bytes in MSH-2) saying ACK in MSH-9: still the minimal NAK, exact bytes" {
	# "never answer an ACK" is for an ACK we could read: this one we cannot
	local m
	for m in 'ACK^A01^ACK' 'ACK'; do
		printf 'MSH|^~\001&|SND|SFAC|RCV|RFAC|20260101120000||%s|CTL1|P|2.5.1\rMSA|AA|X1\r' "$m" >"$MSG"
		answer --ack-application APP --ack-facility FAC
		local t='MSH-2 is not 4 or 5 distinct encoding characters'
		assert_ack 1 'MSH|^~\&|APP|FAC|||<TS>||ACK|<ID>|P|2.5' "MSA|AR|CTL1|$t" \
			"ERR||MSH^1^2|102^Data type error^HL70357|E||||$t"
		assert_spool_empty
	done
}

@test "auto: bad MSH-2 with MSH-15 AL still gets the minimal NAK AR (not CR)" {
	hl7 'MSH|^~\&&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|DUPAL|P|2.6|||AL|NE' 'PID|1' >"$MSG"
	answer
	assert_ack_count 1
	[[ $(ack_segment MSH) == 'MSH|^~\&|'* ]] || fail "not a minimal NAK: $(ack | visible)"
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" DUPAL
	assert_spool_empty
}

@test "auto: bad MSH-2 with MSH-15/16 NE still gets the minimal NAK AR" {
	hl7 'MSH|^~\&&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|DUPNE|P|2.6|||NE|NE' 'PID|1' >"$MSG"
	answer
	assert_ack_count 1
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" DUPNE
	assert_spool_empty
}

@test "error text escaped with the inbound delimiters (MSH-1 '-')" {
	hl7 'MSH-^~\&-SND-SFAC-RCV-RFAC-20260101120000--ADT^A01--P-2.5' 'PID-1' >"$MSG"
	answer
	local t
	t=$(err_text 'MSH\F\10 control ID is empty')
	[[ $t != *-* ]] || fail "MSA-3 '$t' holds the field separator unescaped"
	[[ $t == *'\F\'* ]] || fail "MSA-3 '$t': expected a \F\ escape"
	assert_ack 1 'MSH-^~\&-RCV-RFAC-SND-SFAC-<TS>--ACK^A01^ACK-<ID>-P-2.5' \
		"MSA-AR--$t" "ERR--MSH^1^10-101^Required field missing^HL70357-E----$t"
}

@test "v2.4 ERR-1 uses the inbound subcomponent separator" {
	hl7 'MSH|^~\}|SND|SFAC|RCV|RFAC|20260101120000||BAR^P01||P|2.4' 'PID|1' >"$MSG"
	answer
	local t
	t=$(err_text 'MSH-10 control ID is empty')
	assert_ack 1 'MSH|^~\}|RCV|RFAC|SND|SFAC|<TS>||ACK^P01^ACK|<ID>|P|2.4' \
		"MSA|AR||$t" 'ERR|MSH^1^10^101}Required field missing}HL70357'
}

@test "batch segment inside a message (BHS after MSH): AR 100" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A04|NB1|P|2.5' 'EVN|A04' 'BHS|^~\&' 'PID|1' >"$MSG"
	answer
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" NB1
	assert_equal "$(ack_field ERR 3)" '100^Segment sequence error^HL70357'
	assert_spool_empty
}

@test "bad MSH-2 variants: empty, 3 chars, letter, field separator inside: AR" {
	local e
	for e in '' '^~\' '^~\A' '^|\&' '^~1&' '^^\&' '^~\&^~'; do
		hl7 "MSH|$e|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|E2|P|2.5" 'PID|1' >"$MSG"
		answer
		assert_ack_count 1
		assert_ack_code AR
		[[ $(ack_segment MSH) == 'MSH|^~\&|'* ]] || fail "MSH-2 '$e': NAK without default delimiters"
	done
	assert_spool_empty
}

@test "bad MSH-1 (letter, digit): minimal NAK" {
	local f
	for f in A 1; do
		hl7 "MSH${f}^~\\&${f}SND${f}SFAC${f}RCV${f}RFAC${f}20260101120000${f}${f}ADT^A01${f}F1${f}P${f}2.5" >"$MSG"
		answer
		assert_ack_count 1
		assert_ack_code AR
		[[ $(ack_segment MSH) == 'MSH|^~\&|'* ]] || fail "MSH-1 '$f': NAK without default delimiters"
		assert_equal "$(ack_field MSH 12)" 2.5
	done
	assert_spool_empty
}

# ---------------------------------------------------------------- answer choice

@test "auto: MSH-15 AL -> CA" {
	mk AUTO1 2.5.1 'ADT^A01^ADT_A01' AL AL
	answer
	assert_ack_count 1
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|CA|AUTO1'
	assert_spooled_only "$MSG"
}

@test "auto: MSH-15 AL on an invalid message -> CR" {
	mk AUTO2 2.999 'ADT^A01^ADT_A01' AL NE
	answer
	assert_ack_count 1
	assert_ack_code CR
	assert_equal "$(ack_field ERR 3)" '203^Unsupported version id^HL70357'
	assert_spool_empty
}

@test "auto: MSH-15 NE + MSH-16 AL -> AA" {
	mk AUTO3 2.5.1 'ADT^A01^ADT_A01' NE AL
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|AUTO3'
	assert_spooled_only "$MSG"
}

@test "auto: MSH-15 empty + MSH-16 AL -> AA" {
	mk AUTO4 2.5.1 'ADT^A01^ADT_A01' '' AL
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|AUTO4'
}

@test "auto: NE/NE -> no answer, still spooled" {
	mk AUTO5 2.5.1 'ADT^A01^ADT_A01' NE NE
	answer
	assert_no_answer
	assert_spooled_only "$MSG"
}

@test "auto: MSH-15 NE, MSH-16 empty -> no answer, still spooled" {
	mk AUTO6 2.5 'ADT^A01' NE ''
	answer
	assert_no_answer
	assert_spooled_only "$MSG"
}

@test "auto: MSH-16 SU with an error -> no answer, not delivered" {
	mk AUTO7 2.999 'ADT^A01' '' SU
	answer
	assert_no_answer
	assert_spool_empty
}

@test "auto: MSH-16 SU on success -> AA; MSH-16 ER on success -> none" {
	mk AUTO8 2.5.1 'ADT^A01' NE SU
	answer
	assert_ack_code AA
	mk AUTO9 2.5.1 'ADT^A01' NE ER
	answer
	assert_no_answer
	assert_spool_count 2
}

@test "auto: MSH-16 ER with an error -> AR" {
	mk '' 2.5.1 'ADT^A01' NE ER
	answer
	assert_ack_count 1
	assert_ack_code AR
	assert_spool_empty
}

@test "auto: MSH-15 ER on success -> none, MSH-15 SU on success -> CA" {
	mk AUTO10 2.5.1 'ADT^A01' ER
	answer
	assert_no_answer
	mk AUTO11 2.5.1 'ADT^A01' SU
	answer
	assert_ack_code CA
	assert_equal "$(ack_field MSA 2)" AUTO11
	assert_spool_count 2
}

@test "auto: answers chosen per message on one connection" {
	mk P1 2.5.1 'ADT^A01' NE NE
	cp "$MSG" "$BATS_TEST_TMPDIR/p1"
	mk P2 2.5.1 'ADT^A01' AL
	cp "$MSG" "$BATS_TEST_TMPDIR/p2"
	mk P3 2.5.1 'ADT^A01'
	cp "$MSG" "$BATS_TEST_TMPDIR/p3"
	mllpd_run 0 --spool "$SPOOL" < <(frame -f "$BATS_TEST_TMPDIR/p1" -f "$BATS_TEST_TMPDIR/p2" -f "$BATS_TEST_TMPDIR/p3")
	assert_ack_count 2
	assert_ack_code CA 1
	assert_equal "$(ack_field MSA 2 1)" P2
	assert_ack_code AA 2
	assert_equal "$(ack_field MSA 2 2)" P3
	assert_spool_count 3
}

@test "--ack-mode original: MSH-15/16 ignored (AL/AL -> AA, NE/NE -> AA)" {
	mk ORIG1 2.5.1 'ADT^A01^ADT_A01' AL AL
	answer --ack-mode original
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|ORIG1'
	mk ORIG2 2.5.1 'ADT^A01^ADT_A01' NE NE
	answer --ack-mode original
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|ORIG2'
	mk ORIG3 2.999 'ADT^A01^ADT_A01' NE SU
	answer --ack-mode original
	assert_ack_code AR
	assert_spool_count 2
}

@test "inbound ACK: no answer, delivered (auto and original)" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01^ACK|INACK1|P|2.5.1' 'MSA|AA|X1' >"$MSG"
	answer
	assert_no_answer
	assert_spooled_only "$MSG"
	rm -f "$SPOOL"/new/*
	answer --ack-mode original
	assert_no_answer
	assert_spooled_only "$MSG"
}

@test "inbound ACK without trigger, MSH-15 AL: still no answer" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ACK|INACK2|P|2.3|||AL|AL' 'MSA|AE|X2' >"$MSG"
	answer
	assert_no_answer
	assert_spooled_only "$MSG"
}

@test "invalid inbound ACK (empty MSH-10): no answer, not delivered" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^Q11^ACK||P|2.5.1' 'MSA|AA|' >"$MSG"
	answer --ack-mode original
	assert_no_answer
	assert_spool_empty
}

# ---------------------------------------------------------------- leniency

@test "LF separators: accepted, spooled unchanged; --strict: AR" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|LF1|P|2.5.1\nPID|1||1\n' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|LF1'
	assert_spooled_only "$MSG"
	rm -f "$SPOOL"/new/*
	answer --strict
	assert_ack_count 1
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" LF1
	ack_segment ERR >/dev/null || fail "no ERR"
	assert_spool_empty
}

@test "CRLF separators: accepted, spooled unchanged; --strict: AR" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|CRLF1|P|2.5.1\r\nPID|1||1\r\n' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|CRLF1'
	assert_spooled_only "$MSG"
	rm -f "$SPOOL"/new/*
	answer --strict
	assert_ack_count 1
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" CRLF1
	assert_spool_empty
}

@test "UTF-8 BOM before MSH: accepted, spooled with the BOM; --strict: AR" {
	printf '\357\273\277MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|BOM1|P|2.5.1\rPID|1||1\r' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|BOM1'
	assert_spooled_only "$MSG"
	rm -f "$SPOOL"/new/*
	answer --strict
	assert_ack_count 1
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" BOM1
	assert_spool_empty
}

@test "no final CR and empty segments: accepted; --strict: AR" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|NOCR1|P|2.5.1\r\rPID|1||1' >"$MSG"
	answer
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|NOCR1'
	assert_spooled_only "$MSG"
	rm -f "$SPOOL"/new/*
	answer --strict
	assert_ack_code AR
	assert_spool_empty
}

@test "--strict: a standard message is still AA" {
	mk STRICT1 2.5.1 'ADT^A01^ADT_A01'
	answer --strict
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|STRICT1'
	assert_spooled_only "$MSG"
}

@test "--ack-application/--ack-facility values are escaped with the inbound delimiters" {
	hl7 'MSH#^~\&#SND#SFAC#RCV#RFAC#20260101120000##ADT^A01#ESC1#P#2.5' 'PID#1' >"$MSG"
	answer --ack-application 'A#B' --ack-facility 'F^1'
	assert_ack 1 'MSH#^~\&#A\F\B#F\S\1#SND#SFAC#<TS>##ACK^A01^ACK#<ID>#P#2.5' 'MSA#AA#ESC1'
}

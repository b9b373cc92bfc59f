# SPDX-License-Identifier: MIT
# 200-hl7-common.bash: setup and sample messages shared by the 200-hl7-*.bats tests of the hl7 filter.

load helpers

# The hl7 binary beside $MLLPD (so the ASan run tests build/asan/hl7), unless $HL7 is set.
hl7_setup() {
	mllpd_setup
	HL7=${HL7:-$MLLPD_DIR/hl7}
	[[ -x $HL7 ]] || skip "hl7 binary not built: $HL7"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# adt [ID]: an ADT^A01 with repetitions, components, subcomponents and escapes.
adt() {
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|${1-MSG00001}|P|2.5.1" \
		'EVN|A01|20260101120000' \
		'PID|1||12345^^^HOSP^MR~678^^^X&Y&Z^PI||O\E\BRIEN\S\X^JOHN\T\J||19700101|M'
}

# oru [ID]: an ORU^R01 with three OBX results.
oru() {
	hl7 "MSH|^~\\&|LAB|LFAC|EMR|EFAC|20260102080000||ORU^R01^ORU_R01|${1-LAB0001}|P|2.5.1" \
		'PID|1||999^^^HOSP^MR||DOE^JANE' \
		'OBR|1||ORD1|GLU^Glucose' \
		'OBX|1|NM|GLU^Glucose||5.4|mmol/L|||||F' \
		'OBX|2|NM|NA^Sodium||140|mmol/L|||||F' \
		'OBX|3|ST|CMT^Comment||fine\F\ok~second|||||F'
}

# run_hl7 ARGS...: run hl7 (stdin as given); sets $status, $stderr and keeps
# stdout byte for byte in $OUT.
run_hl7() {
	OUT=$BATS_TEST_TMPDIR/hl7.out
	status=0
	timeout -k 5 "$MLLPD_TIMEOUT" "$HL7" "$@" >"$OUT" 2>"$BATS_TEST_TMPDIR/hl7.err" || status=$?
	stderr=$(<"$BATS_TEST_TMPDIR/hl7.err")
	echo "# \$ hl7 $*: status $status, stderr: $stderr" >&2
}

# assert_out TEXT: stdout is exactly TEXT (printf %b: \t, \n, \r escapes).
assert_out() {
	printf '%b' "$1" >"$BATS_TEST_TMPDIR/want"
	cmp -s "$BATS_TEST_TMPDIR/want" "$OUT" || fail "stdout differs:
  expected: $(visible <"$BATS_TEST_TMPDIR/want")
  actual:   $(visible <"$OUT")"
}

# assert_status N
assert_status() {
	[[ $status -eq $1 ]] || fail "exit status $status, expected $1 (stderr: $stderr)"
}

# assert_err TEXT: stderr is exactly TEXT (one or more lines, no final newline).
assert_err() {
	[[ $stderr == "$1" ]] || fail "stderr is '$stderr', expected '$1'"
}

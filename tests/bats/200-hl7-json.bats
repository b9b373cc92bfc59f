#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 200-hl7-json: hl7 json: exact objects, --paths, UTF-8 safety, and jq agreeing with hl7 get.

# shellcheck disable=SC2154,SC1003 # $status... come from the helpers; HL7 text is literal
load 200-hl7-common

setup() { hl7_setup; }
teardown() { mllpd_teardown; }

small() {
	hl7 'MSH|^~\&|A||C|D|20260101||ADT^A01|ID1|P|2.5' 'PID|1||7^^^H&X~8||O\E\B^J\F\K'
}

# same_as_get FILE...: each FILE holds one message.  `hl7 get` of every key
# of `hl7 json --paths` prints its value (as jq -r reads it, TAB/LF/CR
# written \t \n \r), and the nested form holds the same non-empty leaves in
# the same order.  One jq run for all files, one hl7 get per file.
same_as_get() {
	local files=("$@") i=0 k keys IFS=$' \t\n'
	"$HL7" json --paths "${files[@]}" >paths.json || fail "json --paths exited $?"
	"$HL7" json "${files[@]}" >nested.json || fail "json exited $?"
	[[ $(wc -l <paths.json) -eq ${#files[@]} ]] || fail "not one object per file"
	jq -r '(keys_unsorted | join("\u001f")) + "\u0002" +
		([.[] | gsub("\t"; "\\t") | gsub("\n"; "\\n") | gsub("\r"; "\\r")] | join("\t"))' paths.json >kv.txt
	: >got.txt
	while IFS=$'\x02' read -r k _; do
		IFS=$'\x1f' read -r -a keys <<<"$k"
		"$HL7" get -- "${keys[@]}" "${files[i]}" >>got.txt || fail "${files[i]}: hl7 get exited $?"
		i=$((i + 1))
	done <kv.txt
	cut -d $'\x02' -f 2- kv.txt >want.txt
	cmp -s want.txt got.txt || fail "hl7 get differs from json --paths: $(diff want.txt got.txt | head -5)"
	jq -c '[.[]]' paths.json >flat.leaves
	jq -c '[.segments[] | select(.[0] | test("^[A-Z][A-Z0-9]{2}$")) | .[1:][][][][] | select(. != "")]' nested.json >nested.leaves
	cmp -s flat.leaves nested.leaves || fail "nested leaves differ from --paths: $(diff flat.leaves nested.leaves | head -5)"
}

@test "json: nested arrays and --paths pairs, exact bytes" {
	# json: nested arrays, segment ID first, decoded leaves
	small >s.hl7
	run_hl7 json s.hl7
	assert_status 0
	assert_out '{"segments":[["MSH",[[["|"]]],[[["^~\\\\&"]]],[[["A"]]],[[[""]]],[[["C"]]],[[["D"]]],[[["20260101"]]],[[[""]]],[[["ADT"],["A01"]]],[[["ID1"]]],[[["P"]]],[[["2.5"]]]],["PID",[[["1"]]],[[[""]]],[[["7"],[""],[""],["H","X"]],[["8"]]],[[[""]]],[[["O\\\\B"],["J|K"]]]]]}\n'
	# json --paths: flat path/value pairs, names hl7 get accepts
	small >s.hl7
	run_hl7 json --paths s.hl7
	assert_status 0
	assert_out '{"MSH-1":"|","MSH-2":"^~\\\\&","MSH-3":"A","MSH-5":"C","MSH-6":"D","MSH-7":"20260101","MSH-9.1":"ADT","MSH-9.2":"A01","MSH-10":"ID1","MSH-11":"P","MSH-12":"2.5","PID-1":"1","PID-3[1].1":"7","PID-3[1].4.1":"H","PID-3[1].4.2":"X","PID-3[2]":"8","PID-5.1":"O\\\\B","PID-5.2":"J|K"}\n'
	run_hl7 json --raw --paths s.hl7
	grep -qF '"PID-5.1":"O\\E\\B"' "$OUT" || fail "raw: $(cat "$OUT")"
}

@test "json: every input form; non-UTF-8 bytes as \\u00XX; not HL7 is 65" {
	# json: one line per message, every form of input
	{ small; small | frame; small | tr '\r' '\n'; } >mixed
	run_hl7 json mixed
	assert_status 0
	[[ $(wc -l <"$OUT") -eq 3 ]] || fail "expected 3 lines: $(cat "$OUT")"
	jq -e . "$OUT" >/dev/null || fail "not JSON"
	# json: bytes that are not UTF-8 become \\u00XX, control characters too; output is valid UTF-8
	printf 'MSH|^~\\&|A||C|D|20260101||ADT^A01|ID1|P|2.5\rPID|1||M\xfcller\xc3\xa9\xe2\x82|\x01"x\\X00\\\r' >l.hl7
	run_hl7 json --paths l.hl7
	assert_status 0
	assert_out '{"MSH-1":"|","MSH-2":"^~\\\\&","MSH-3":"A","MSH-5":"C","MSH-6":"D","MSH-7":"20260101","MSH-9.1":"ADT","MSH-9.2":"A01","MSH-10":"ID1","MSH-11":"P","MSH-12":"2.5","PID-1":"1","PID-3":"M\\u00fcller\xc3\xa9\\u00e2\\u0082","PID-4":"\\u0001\\"x\\u0000"}\n'
	iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null || fail "output is not UTF-8"
	[[ $(jq -r '."PID-3"' "$OUT") == $'M\xc3\xbcller\xc3\xa9\xc3\xa2\xc2\x82' ]] || fail "jq reads it back otherwise"
	# json: not HL7 is exit 65, the other messages are printed
	{ printf 'garbage\r'; small; } | tr '\r' '\n' >g.hl7
	run_hl7 json g.hl7
	assert_status 65
	[[ $(wc -l <"$OUT") -eq 1 ]] || fail "expected 1 line"
	assert_err 'hl7: g.hl7: message 1: not an HL7 message: message does not start with MSH'
}

@test "json: DEL and C1 controls (UTF-8 or not) are \\u00XX too: no raw control byte, jq reads them back" {
	printf 'MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID1|P|2.5\rNTE|1||a\\X1B\\b\\X9B\\c\\XC29B\\d\\X7F\\e\\XC3A9\\f|g\x7fh\xc2\x9bi\r' >t.hl7
	run_hl7 json --paths t.hl7
	assert_status 0
	assert_out '{"MSH-1":"|","MSH-2":"^~\\\\&","MSH-3":"A","MSH-4":"B","MSH-5":"C","MSH-6":"D","MSH-7":"20260101","MSH-9.1":"ADT","MSH-9.2":"A01","MSH-10":"ID1","MSH-11":"P","MSH-12":"2.5","NTE-1":"1","NTE-3":"a\\u001bb\\u009bc\\u009bd\\u007fe\xc3\xa9f","NTE-4":"g\\u007fh\\u009bi"}\n'
	[[ $(jq -r '."NTE-4"' "$OUT" | od -An -tx1 | tr -d ' \n') == 677f68c29b690a ]] || fail "jq reads NTE-4 back otherwise"
}

@test "json | jq: every value of --paths is what hl7 get prints for its key" {
	adt >a.hl7
	oru >o.hl7
	small >s.hl7
	same_as_get a.hl7 o.hl7 s.hl7
}

@test "corpus: every message mllpd accepts parses, is valid JSON, and jq agrees with hl7 get" {
	local corpus=$MLLPD_ROOT/../shared/corpus f ans n=0 skipped=0
	[[ -f $corpus/MANIFEST.tsv ]] || skip "no corpus in $corpus"
	local accepted=() utf8=() latin
	while IFS=$'\t' read -r f ans; do
		[[ $ans == AA ]] && accepted+=("$corpus/$f")
	done < <(awk -F'\t' 'NR > 1 { print $1 "\t" $8 }' "$corpus/MANIFEST.tsv")
	n=${#accepted[@]}
	"$HL7" json "${accepted[@]}" >all.json || fail "hl7 json exited $?"
	[[ $(wc -l <all.json) -eq $n && $(jq -c . all.json | wc -l) -eq $n ]] || fail "not $n JSON objects"
	iconv -f UTF-8 -t UTF-8 all.json >/dev/null || fail "JSON output is not UTF-8"
	# files with bytes that are not UTF-8: JSON holds their UTF-8 form, get the bytes
	latin=$(LC_ALL=C.UTF-8 grep -laxv '.*' "${accepted[@]}" || true)
	for f in "${accepted[@]}"; do
		if [[ $'\n'$latin$'\n' == *$'\n'"$f"$'\n'* ]]; then skipped=$((skipped + 1)); else utf8+=("$f"); fi
	done
	same_as_get "${utf8[@]}"
	((n > 0)) || fail "no accepted message in the corpus"
	echo "# $n accepted messages, $skipped not UTF-8 (values not compared)" >&3
}

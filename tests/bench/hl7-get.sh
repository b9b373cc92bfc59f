#!/bin/bash
# SPDX-License-Identifier: MIT
# hl7-get.sh: messages/s of `hl7 get MSH-10` against awk -F'|' over the same N generated messages.
#
#   tests/bench/hl7-get.sh [N]      (N defaults to 100000; HL7=path/to/hl7 to pick the binary)
#
# Messages are written to a temporary directory (removed at exit), one file
# each, and once more concatenated into one stream.  Each tool runs twice on
# the files (given on the command line in batches by xargs) and on the stream
# (stdin); the best time of the two counts.  Both must print the same N IDs.
set -eu
export LC_ALL=C

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HL7=${HL7:-$root/build/hl7}
n=${1:-100000}
[[ -x $HL7 ]] || { echo "hl7-get.sh: $HL7 not built (make all)" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hl7-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/msgs"

# n messages of about 600 bytes (ADT^A01 with PID/PV1/OBX), one file each.
awk -v n="$n" -v dir="$work/msgs" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("%s/%07d.hl7", dir, i)
		printf "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|MSG%07d|P|2.5.1\r", i > f
		printf "EVN|A01|20260101120000\r" > f
		printf "PID|1||%d^^^HOSP^MR~X%d^^^NAT^PI||DOE^JANE^Q||19700101|F|||1 MAIN ST^^TOWN^ST^12345\r", i, i > f
		printf "PV1|1|I|W1^101^A||||1234^SMITH^JOHN|||MED||||1|||1234^SMITH^JOHN|IN||||||||||||||||||||||||||20260101120000\r" > f
		printf "OBX|1|NM|GLU^Glucose^LN||%d.%d|mmol/L|3.9-5.5|N|||F\r", 4 + i % 3, i % 10 > f
		printf "OBX|2|ST|CMT^Comment||fine \\T\\ dandy|||N|||F\r" > f
		close(f)
	}
}'
(cd "$work/msgs" && find . -name '*.hl7' | sort | xargs cat) >"$work/stream.hl7"
bytes=$(wc -c <"$work/stream.hl7")

# best SECONDS of two runs of: sh -c CMD > OUT
best() {
	local cmd=$1 out=$2 t best=
	for _ in 1 2; do
		t=$( { /usr/bin/time -f %e sh -c "$cmd" >"$out"; } 2>&1 )
		if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
	done
	echo "$best"
}

check() {
	local got
	got=$(wc -l <"$1")
	[[ $got -eq $n ]] || { echo "hl7-get.sh: $2 printed $got lines, not $n" >&2; exit 70; }
}

cd "$work/msgs"
t_hf=$(best "find . -name '*.hl7' -print0 | xargs -0 '$HL7' get MSH-10 --" "$work/hl7.files")
t_af=$(best "find . -name '*.hl7' -print0 | xargs -0 awk -F'|' '/^MSH/{print \$10}' RS='\r'" "$work/awk.files")
t_hs=$(best "'$HL7' get MSH-10 <'$work/stream.hl7'" "$work/hl7.stream")
t_as=$(best "awk -F'|' '/^MSH/{print \$10}' RS='\r' <'$work/stream.hl7'" "$work/awk.stream")
for f in hl7.files awk.files hl7.stream awk.stream; do check "$work/$f" "$f"; done
cmp -s <(sort "$work/hl7.files") <(sort "$work/awk.files") || { echo "hl7-get.sh: hl7 and awk disagree" >&2; exit 70; }

rate() { awk -v n="$n" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }'; }
printf 'hl7 get MSH-10 vs awk -F"|": %d messages, %d bytes, %s\n' "$n" "$bytes" "$(nproc) CPU(s)"
printf '  %-28s %8s s %10s msg/s\n' "hl7 get, files via xargs" "$t_hf" "$(rate "$t_hf")"
printf '  %-28s %8s s %10s msg/s\n' "awk, files via xargs" "$t_af" "$(rate "$t_af")"
printf '  %-28s %8s s %10s msg/s\n' "hl7 get, one stream (stdin)" "$t_hs" "$(rate "$t_hs")"
printf '  %-28s %8s s %10s msg/s\n' "awk, one stream (stdin)" "$t_as" "$(rate "$t_as")"
printf '  hl7/awk speed: files %sx, stream %sx (>1: hl7 faster)\n' "$(ratio "$t_hf" "$t_af")" "$(ratio "$t_hs" "$t_as")"

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 130-metrics: mllpd --stats FILE counts answers, bytes, connections and
# duplicates exactly across processes and kills; mllp-spool stat prints them
# and the spool's gauges in the Prometheus text format (promtool), -o feeds a
# real node_exporter's textfile collector; the alert rules pass promtool's tests.

# shellcheck disable=SC2154,SC2016,SC1003 # $status, $stderr... come from helpers.bash; HL7 text is literal
load helpers
load net

setup() {
	mllpd_setup
	SPOOLTOOL=${SPOOLTOOL:-$MLLPD_DIR/mllp-spool}
	[[ -x $SPOOLTOOL ]] || fail "mllp-spool not built: $SPOOLTOOL"
	ST="$BATS_TEST_TMPDIR/stats"
	M="$BATS_TEST_TMPDIR/m.hl7"
}
teardown() {
	mllpd_teardown
	sanitizer_check
}

need() {
	command -v "$1" >/dev/null || skip "$1 not installed (Debian package ${2:-$1})"
}

# msg ID: a message to $M.
msg() {
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|$1|P|2.5" \
		"PID|1||$1^^^HOSP^MR||$PHI_SENTINEL^JOHN" >"$M"
}

# spool_stat ARGS...: mllp-spool stat ARGS; stdout in $out, stderr in $err, status in $status.
spool_stat() {
	status=0
	timeout -k 5 30 "$SPOOLTOOL" stat "$@" >"$BATS_TEST_TMPDIR/stat.out" 2>"$BATS_TEST_TMPDIR/stat.err" || status=$?
	out=$(<"$BATS_TEST_TMPDIR/stat.out")
	err=$(<"$BATS_TEST_TMPDIR/stat.err")
	echo "# mllp-spool stat $*: status $status, stderr: $err" >&2
}

# value NAME_AND_LABELS: the value of one series in $out.
value() {
	K=$1 awk '$1 == ENVIRON["K"] { print $2; n++ } END { exit n != 1 }' <<<"$out" || fail "no single series $1 in: $out"
}

@test "--stats: AA, AR, AE, none, a duplicate and their bytes are counted exactly" {
	local bytes=0
	msg C1
	bytes=$(($(wc -c <"$M") * 2))
	mllpd_run --spool "$SPOOL" --stats "$ST" --dedupe 1h < <(frame -f "$M" -f "$M" "NOT HL7")
	bytes=$((bytes + 7))
	msg C2
	bytes=$((bytes + $(wc -c <"$M")))
	mllpd_run --exec 'cat >/dev/null; exit 1' --stats "$ST" < <(frame -f "$M")
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01|C3|P|2.5" "MSA|AA|C1" >"$M"
	bytes=$((bytes + $(wc -c <"$M")))
	mllpd_run --spool "$SPOOL" --stats "$ST" < <(frame -f "$M")
	spool_stat --stats "$ST"
	((status == 0)) || fail "mllp-spool stat failed"
	local want
	want=$(printf '%s\n' \
		'mllpd_messages_total{ack="AA"} 2' 'mllpd_messages_total{ack="AE"} 1' \
		'mllpd_messages_total{ack="AR"} 1' 'mllpd_messages_total{ack="CA"} 0' \
		'mllpd_messages_total{ack="CE"} 0' 'mllpd_messages_total{ack="CR"} 0' \
		'mllpd_messages_total{ack="none"} 1' "mllpd_bytes_total $bytes" \
		'mllpd_connections_total 3' 'mllpd_duplicates_total 1' 'mllpd_tls_refused_total 0')
	[[ $(grep -v '^#' <<<"$out") == "$want" ]] || fail "counters: got $out"
	assert_no_phi
}

@test "--stats: a batch counts each of its messages under its own answer; its resend counts each as a duplicate" {
	local b="$BATS_TEST_TMPDIR/batch.hl7"
	{
		hl7 "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||||B-1"
		msg M1 && cat "$M"
		msg M2 && cat "$M"
		msg M3 && cat "$M"
		hl7 "BTS|3"
	} >"$b"
	mllpd_run --spool "$SPOOL" --stats "$ST" --dedupe 1h < <(frame -f "$b" -f "$b")
	assert_ack_count 2
	spool_stat --stats "$ST"
	((status == 0)) || fail "mllp-spool stat failed"
	assert_equal "$(value 'mllpd_messages_total{ack="AA"}')" 6
	assert_equal "$(value 'mllpd_duplicates_total')" 3
	assert_equal "$(value 'mllpd_bytes_total')" $(($(wc -c <"$b") * 2))
}

@test "stat output: every line byte for byte, and promtool check metrics accepts it" {
	need promtool prometheus
	mkdir -p "$SPOOL"/{new,cur,failed}
	: >"$SPOOL/new/a"
	: >"$SPOOL/new/b"
	: >"$SPOOL/new/.hidden"
	: >"$SPOOL/failed/c"
	mllpd_run --spool "$SPOOL" --stats "$ST" </dev/null
	spool_stat --stats "$ST" "$SPOOL"
	((status == 0)) || fail "mllp-spool stat failed"
	local d="$SPOOL"
	cat >"$BATS_TEST_TMPDIR/want" <<WANT
# HELP mllpd_messages_total Messages mllpd received (each of a batch too), by the answer it sent (none: no answer).
# TYPE mllpd_messages_total counter
mllpd_messages_total{ack="AA"} 0
mllpd_messages_total{ack="AE"} 0
mllpd_messages_total{ack="AR"} 0
mllpd_messages_total{ack="CA"} 0
mllpd_messages_total{ack="CE"} 0
mllpd_messages_total{ack="CR"} 0
mllpd_messages_total{ack="none"} 0
# HELP mllpd_bytes_total Bytes of the messages mllpd received (frame contents).
# TYPE mllpd_bytes_total counter
mllpd_bytes_total 0
# HELP mllpd_connections_total Connections mllpd served.
# TYPE mllpd_connections_total counter
mllpd_connections_total 1
# HELP mllpd_duplicates_total Resends mllpd --dedupe answered from its record without delivering them again.
# TYPE mllpd_duplicates_total counter
mllpd_duplicates_total 0
# HELP mllpd_tls_refused_total TLS handshakes that failed: peers refused before any message.
# TYPE mllpd_tls_refused_total counter
mllpd_tls_refused_total 0
# HELP mllp_spool_files Files in the spool directory, by state (new: waiting, cur: handled, failed: not accepted).
# TYPE mllp_spool_files gauge
mllp_spool_files{dir="$d",state="new"} 2
mllp_spool_files{dir="$d",state="cur"} 0
mllp_spool_files{dir="$d",state="failed"} 1
WANT
	head -n 26 "$BATS_TEST_TMPDIR/stat.out" | cmp - "$BATS_TEST_TMPDIR/want" ||
		fail "output differs: $(diff <(head -n 26 "$BATS_TEST_TMPDIR/stat.out") "$BATS_TEST_TMPDIR/want")"
	grep -c '^mllp_spool_oldest_age_seconds{' "$BATS_TEST_TMPDIR/stat.out" | grep -qx 3 || fail "no age gauges: $out"
	run promtool check metrics <"$BATS_TEST_TMPDIR/stat.out"
	echo "# promtool: $output" >&2
	((status == 0)) || fail "promtool check metrics: $output"
}

@test "stat: file counts and the oldest file's age per state (touch -d), the dir label as given and escaped" {
	need promtool prometheus
	local d="$BATS_TEST_TMPDIR/a\"b\\c"
	mkdir -p "$d"/{new,cur,failed,tmp}
	local now
	now=$(date +%s)
	touch -d "@$((now - 3600))" "$d/new/1"
	touch -d "@$((now - 60))" "$d/new/2"
	touch -d "@$((now - 86400))" "$d/cur/3"
	touch -d "@$((now - 5))" "$d/tmp/ignored"
	ln -s 1 "$d/new/link"
	mkdir "$d/new/subdir"
	spool_stat "$d/" "$d/"
	local after
	after=$(date +%s)
	((status == 0)) || fail "mllp-spool stat failed"
	local label="$BATS_TEST_TMPDIR/a\\\"b\\\\c/"
	[[ $(value "mllp_spool_files{dir=\"$label\",state=\"new\"}") == 2 ]] || fail "new: $out"
	[[ $(value "mllp_spool_files{dir=\"$label\",state=\"cur\"}") == 1 ]] || fail "cur: $out"
	[[ $(value "mllp_spool_files{dir=\"$label\",state=\"failed\"}") == 0 ]] || fail "failed: $out"
	local age
	age=$(value "mllp_spool_oldest_age_seconds{dir=\"$label\",state=\"new\"}")
	((age >= 3600 && age <= 3600 + after - now)) || fail "new/ oldest age $age, expected 3600"
	age=$(value "mllp_spool_oldest_age_seconds{dir=\"$label\",state=\"cur\"}")
	((age >= 86400 && age <= 86400 + after - now)) || fail "cur/ oldest age $age, expected 86400"
	[[ $(value "mllp_spool_oldest_age_seconds{dir=\"$label\",state=\"failed\"}") == 0 ]] || fail "empty failed/: $out"
	[[ $(grep -c '^mllp_spool_files' <<<"$out") == 3 ]] || fail "a directory named twice is reported twice"
	grep -q mllpd_ <<<"$out" && fail "counters printed without --stats"
	run promtool check metrics <"$BATS_TEST_TMPDIR/stat.out"
	((status == 0)) || fail "promtool check metrics: $output"
}

@test "stat: a line feed in a directory name is escaped as \\n" {
	local d="$BATS_TEST_TMPDIR/x"$'\n'"y"
	mkdir -p "$d"/{new,cur,failed}
	spool_stat "$d"
	((status == 0)) || fail "mllp-spool stat failed"
	grep -qF "mllp_spool_files{dir=\"$BATS_TEST_TMPDIR/x\\ny\",state=\"new\"} 0" <<<"$out" || fail "not escaped: $out"
}

@test "two mllpd processes sharing FILE at once: exact totals" {
	local n=300 i
	for ((i = 1; i <= n; i++)); do
		sample_frame "P$i"
	done >"$BATS_TEST_TMPDIR/in"
	timeout 60 "$MLLPD" --spool "$SPOOL.1" --no-fsync --stats "$ST" <"$BATS_TEST_TMPDIR/in" >/dev/null 2>"$BATS_TEST_TMPDIR/e1" &
	local p1=$!
	timeout 60 "$MLLPD" --spool "$SPOOL.2" --no-fsync --stats "$ST" <"$BATS_TEST_TMPDIR/in" >/dev/null 2>"$BATS_TEST_TMPDIR/e2" &
	local p2=$!
	wait "$p1" || fail "first mllpd failed: $(<"$BATS_TEST_TMPDIR/e1")"
	wait "$p2" || fail "second mllpd failed: $(<"$BATS_TEST_TMPDIR/e2")"
	spool_stat --stats "$ST"
	[[ $(value 'mllpd_messages_total{ack="AA"}') == $((2 * n)) ]] || fail "AA: $out"
	[[ $(value mllpd_connections_total) == 2 ]] || fail "connections: $out"
	local one
	one=$(sample_msg P1 | wc -c)
	# Every message is the same size but for its control ID's digits.
	local bytes=0
	for ((i = 1; i <= n; i++)); do bytes=$((bytes + one - 1 + ${#i})); done
	[[ $(value mllpd_bytes_total) == $((2 * bytes)) ]] || fail "bytes: $out"
}

@test "--listen: the forked connection processes count into the listener's FILE" {
	PORT=$(free_port)
	listen_start --spool "$SPOOL" --stats "$ST"
	msg L1
	mllp_client 127.0.0.1 "$PORT" "$M" >/dev/null || fail "client 1"
	mllp_client 127.0.0.1 "$PORT" "$M" "$M" >/dev/null || fail "client 2"
	mllp_client 127.0.0.1 "$PORT" "$M" >/dev/null || fail "client 3"
	wait_until 10 eval '"$SPOOLTOOL" stat --stats "$ST" | grep -qx "mllpd_connections_total 3"'
	spool_stat --stats "$ST"
	[[ $(value 'mllpd_messages_total{ack="AA"}') == 4 ]] || fail "AA: $out"
}

@test "a mllpd killed with SIGKILL keeps what it counted" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	exec 5<>"$BATS_TEST_TMPDIR/fifo"
	timeout 60 "$MLLPD" --spool "$SPOOL" --stats "$ST" <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/acks" 2>"$BATS_TEST_TMPDIR/k.err" 3>&- &
	local tpid=$!
	bg_register "$tpid"
	msg K1
	frame -f "$M" -f "$M" >&5
	wait_until 10 eval '[[ $(tr -cd "\034" <"$BATS_TEST_TMPDIR/acks" | wc -c) -eq 2 ]]'
	local mpid
	mpid=$(pgrep -P "$tpid")
	[[ -n $mpid ]] || fail "no mllpd under $tpid"
	kill -KILL "$mpid"
	wait "$tpid" || true
	exec 5>&-
	spool_stat --stats "$ST"
	[[ $(value 'mllpd_messages_total{ack="AA"}') == 2 ]] || fail "after kill -9: $out"
	[[ $(value mllpd_connections_total) == 1 ]] || fail "connections: $out"
}

@test "--stats: a file that is not a stats file is refused (exit 78) and left as it was" {
	printf 'precious data\n' >"$ST"
	msg F1
	mllpd_run 78 --spool "$SPOOL" --stats "$ST" < <(frame -f "$M")
	[[ $stderr == "mllpd: --stats $ST: not a mllpd stats file (wrong size or magic): refusing to use it" ]] ||
		fail "stderr: $stderr"
	[[ $(<"$ST") == "precious data" ]] || fail "the file was changed"
	assert_spool_empty
	assert_ack_count 0
	spool_stat --stats "$ST"
	((status == 65)) || fail "mllp-spool stat: status $status"
	[[ $err == "mllp-spool: stat: --stats $ST: not a mllpd stats file (wrong size or magic)" ]] || fail "stderr: $err"
}

@test "--stats in a missing directory: exit 73; mllp-spool stat errors and usage" {
	mllpd_run 73 --spool "$SPOOL" --stats "$BATS_TEST_TMPDIR/no/such/stats" </dev/null
	[[ $stderr == "mllpd: --stats $BATS_TEST_TMPDIR/no/such/stats: No such file or directory" ]] || fail "stderr: $stderr"
	mllpd_run 64 --spool "$SPOOL" --stats </dev/null
	spool_stat --stats "$BATS_TEST_TMPDIR/missing"
	((status == 66)) || fail "missing stats file: $status"
	[[ $err == "mllp-spool: stat: --stats $BATS_TEST_TMPDIR/missing: No such file or directory" ]] || fail "$err"
	mkdir -p "$BATS_TEST_TMPDIR/notspool"
	spool_stat "$BATS_TEST_TMPDIR/notspool"
	((status == 66)) || fail "not a spool: $status"
	[[ $err == "mllp-spool: stat: $BATS_TEST_TMPDIR/notspool/new: No such file or directory (not an mllpd spool?)" ]] || fail "$err"
	spool_stat
	((status == 64)) || fail "no argument: $status"
	[[ ${err%%$'\n'*} == "mllp-spool: stat: nothing to report: give --stats FILE and/or a spool DIR" ]] || fail "$err"
	spool_stat --bogus "$SPOOL"
	((status == 64)) || fail "unknown option: $status"
	[[ ${err%%$'\n'*} == "mllp-spool: stat: unknown option: --bogus" ]] || fail "$err"
	run "$SPOOLTOOL" nosuch
	((status == 64)) || fail "unknown command: $status"
}

@test "stat -o FILE: written whole by rename, mode 0644, no temporary file left; an error keeps the old file" {
	mkdir -p "$SPOOL"/{new,cur,failed} "$BATS_TEST_TMPDIR/tf"
	local f="$BATS_TEST_TMPDIR/tf/mllpd.prom"
	spool_stat -o "$f" "$SPOOL"
	((status == 0)) && [[ -z $out ]] || fail "status $status, stdout: $out"
	spool_stat "$SPOOL"
	[[ $(<"$f") == "$out" ]] || fail "-o wrote something else than stdout"
	[[ $(stat -c %a "$f") == 644 ]] || fail "mode $(stat -c %a "$f")"
	[[ $(find "$BATS_TEST_TMPDIR/tf" -type f | wc -l) == 1 ]] || fail "left behind: $(ls -a "$BATS_TEST_TMPDIR/tf")"
	local before
	before=$(<"$f")
	spool_stat -o "$f" "$BATS_TEST_TMPDIR/none"
	((status == 66)) || fail "status $status"
	[[ $(<"$f") == "$before" ]] || fail "a failed run changed the file"
	spool_stat -o "$BATS_TEST_TMPDIR/nodir/x.prom" "$SPOOL"
	((status == 73)) || fail "unwritable -o: status $status"
}

@test "a real node_exporter serves the metrics from its textfile collector" {
	local ne
	ne=$(command -v prometheus-node-exporter || command -v node_exporter) ||
		skip "node_exporter not installed (Debian package prometheus-node-exporter)"
	need curl
	mkdir -p "$BATS_TEST_TMPDIR/tf"
	msg N1
	mllpd_run --spool "$SPOOL" --stats "$ST" < <(frame -f "$M")
	spool_stat --stats "$ST" "$SPOOL" -o "$BATS_TEST_TMPDIR/tf/mllpd.prom"
	((status == 0)) || fail "mllp-spool stat failed"
	PORT=$(free_port)
	server_start ne "$ne" --web.listen-address="127.0.0.1:$PORT" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$BATS_TEST_TMPDIR/tf"
	wait_listen "$PORT" || { server_log ne; fail "node_exporter did not listen"; }
	curl -fsS "http://127.0.0.1:$PORT/metrics" >"$BATS_TEST_TMPDIR/scrape" || fail "scrape failed"
	grep -qx 'mllpd_messages_total{ack="AA"} 1' "$BATS_TEST_TMPDIR/scrape" || fail "no AA count: $(grep mllp "$BATS_TEST_TMPDIR/scrape")"
	grep -qx "mllp_spool_files{dir=\"$SPOOL\",state=\"new\"} 1" "$BATS_TEST_TMPDIR/scrape" || fail "no spool gauge"
	grep -qx '# TYPE mllpd_connections_total counter' "$BATS_TEST_TMPDIR/scrape" || fail "no TYPE line"
	grep -q '^node_textfile_scrape_error 0$' "$BATS_TEST_TMPDIR/scrape" || fail "the collector reports an error: $(grep textfile "$BATS_TEST_TMPDIR/scrape")"
	grep -q '^node_textfile_mtime_seconds{file=.*mllpd.prom"}' "$BATS_TEST_TMPDIR/scrape" || fail "no mtime for the alert MllpdMetricsStale"
}

@test "alert rules: promtool check rules, and promtool test rules passes" {
	need promtool prometheus
	run promtool check rules "$MLLPD_ROOT/contrib/prometheus/mllpd-alerts.yml"
	((status == 0)) || fail "check rules: $output"
	[[ $output == *"SUCCESS: 5 rules found"* ]] || fail "$output"
	run promtool test rules "$MLLPD_ROOT/tests/prometheus/mllpd-alerts.test.yml"
	((status == 0)) || fail "test rules: $output"
}

@test "units: mllp-spool-stat.service and .timer pass systemd-analyze verify" {
	need systemd-analyze systemd
	local u d="$BATS_TEST_TMPDIR/units"
	mkdir -p "$d"
	for u in "$MLLPD_ROOT"/units/mllp-spool-stat.{service,timer}; do
		sed "s|/usr/local/bin/|$(dirname "$SPOOLTOOL")/|g" "$u" >"$d/${u##*/}"
	done
	run systemd-analyze verify --man=no "$d/mllp-spool-stat.timer" "$d/mllp-spool-stat.service"
	((status == 0)) || fail "verify: $output"
	grep -q -- '-o /var/lib/prometheus/node-exporter/mllpd.prom' "$d/mllp-spool-stat.service" || fail "not the collector's directory"
}

@test "--stats: a failed TLS handshake (plain MLLP to a TLS mllpd) counts as a refused TLS peer" {
	need openssl
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
		-keyout "$BATS_TEST_TMPDIR/k.pem" -out "$BATS_TEST_TMPDIR/c.pem" 2>/dev/null || fail "openssl req"
	msg T1
	mllpd_run 76 --spool "$SPOOL" --stats "$ST" --tls-cert "$BATS_TEST_TMPDIR/c.pem" \
		--tls-key "$BATS_TEST_TMPDIR/k.pem" < <(frame -f "$M")
	spool_stat --stats "$ST"
	[[ $(value mllpd_tls_refused_total) == 1 ]] || fail "tls refused: $out"
	[[ $(value mllpd_connections_total) == 1 ]] || fail "connections: $out"
	[[ $(value 'mllpd_messages_total{ack="AA"}') == 0 ]] || fail "a message counted: $out"
}

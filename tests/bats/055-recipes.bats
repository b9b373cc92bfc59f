#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 055-recipes: the recipes and examples of README.md and hl7(1), taken from the documents (as rendered) and run end to end.

# shellcheck disable=SC2154,SC2016,SC2030,SC2031 # $status... come from the helpers; scripts are literal; PATH per test

load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
}

teardown() { mllpd_teardown; }

# mqtt_recipe PORT: the MQTT recipe of README.md, its wrapper script written
# to $T/mllpd-mqtt-pub; sets MQTT_CMD to the --exec command of its mllpd
# line, with the wrapper there and the broker at 127.0.0.1:PORT.
mqtt_recipe() {
	local cmd wrapper=/usr/local/libexec/mllpd-mqtt-pub
	awk -v w="# $wrapper " '
		/^```/ { if (on) exit; start = NR; next }
		NR == start + 1 && /^#!\/bin\/sh$/ { first = $0; next }
		NR == start + 2 && first != "" && index($0, w) == 1 { on = 1; print first }
		on { print }' "$MLLPD_ROOT/README.md" >"$T/mllpd-mqtt-pub"
	[[ -s $T/mllpd-mqtt-pub ]] || fail "no $wrapper script in README.md"
	chmod +x "$T/mllpd-mqtt-pub"
	cmd=$(awk '/^# MQTT/ { on = 1; next } on && /--exec/ { print; exit }' "$MLLPD_ROOT/README.md")
	cmd=${cmd#*--exec \'}
	cmd=${cmd%\'*}
	[[ -n $cmd ]] || fail "no MQTT recipe in README.md"
	cmd=${cmd//$wrapper/$T/mllpd-mqtt-pub}
	MQTT_CMD=${cmd//broker.example.org/127.0.0.1 -p $1}
}

@test "README MQTT recipe: AA only for what the broker took; refused by size or ACL, or no broker -> AE" {
	command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null && command -v mosquitto_sub >/dev/null ||
		skip "mosquitto and mosquitto-clients not installed"
	local port
	port=$(free_port)
	# a broker with a size limit (PUBACK 149 under the packet limit; over it, the client does not send) and an ACL
	printf 'topic readwrite hl7/#\ntopic deny hl7/ORU\n' >"$T/acl"
	printf '%s\n' "listener $port 127.0.0.1" 'allow_anonymous true' "acl_file $T/acl" \
		'message_size_limit 1500' 'max_packet_size 3000' "user $(id -un)" >"$T/mosquitto.conf"
	bg_start mosquitto -c "$T/mosquitto.conf" >"$T/broker.log" 2>&1
	local broker=$BG_PID
	wait_until 10 port_listening "$port"
	# a consumer's durable session: the broker keeps what it takes for it
	timeout 10 mosquitto_sub -p "$port" -V mqttv5 -q 1 -c -i consumer -x 600 -t 'hl7/#' -E
	mqtt_recipe "$port"
	sample_msg OK1 >"$T/ok.hl7"
	sample_msg ACL1 2.5.1 'ORU^R01^ORU_R01' >"$T/acl.hl7"
	{ sample_msg BIG1; printf 'NTE|1||%s\r' "$(head -c 2000 /dev/zero | tr '\0' x)"; } >"$T/big.hl7"
	{ sample_msg HUGE1; printf 'NTE|1||%s\r' "$(head -c 5000 /dev/zero | tr '\0' x)"; } >"$T/huge.hl7"
	frame -f "$T/ok.hl7" -f "$T/big.hl7" -f "$T/huge.hl7" -f "$T/acl.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$MQTT_CMD"
	assert_ack_count 4
	assert_ack_code AA 1
	assert_ack_code AE 2 # over message_size_limit: PUBACK 149
	assert_ack_code AE 3 # over max_packet_size: not even sent
	assert_ack_code AE 4 # ACL: PUBACK 135
	# the accepted message is the one the consumer gets, byte for byte, and the only one
	timeout 10 mosquitto_sub -p "$port" -V mqttv5 -q 1 -c -i consumer -x 600 -t 'hl7/#' -C 1 -W 5 -N >"$T/got" ||
		fail "the consumer got nothing"
	cmp -s "$T/got" "$T/ok.hl7" || fail "the consumer got: $(visible <"$T/got")"
	# no broker at all
	bg_stop "$broker"
	frame -f "$T/ok.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$MQTT_CMD"
	assert_ack_count 1
	assert_ack_code AE
}

@test "README MQTT recipe: the broker killed mid-run (kill -9): AA only for what it delivered, the rest AE" {
	command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null && command -v mosquitto_sub >/dev/null ||
		skip "mosquitto and mosquitto-clients not installed"
	local port n=30 i id broker consumer killer
	port=$(free_port)
	printf '%s\n' "listener $port 127.0.0.1" 'allow_anonymous true' "user $(id -un)" >"$T/mosquitto.conf"
	bg_start mosquitto -c "$T/mosquitto.conf" >"$T/broker.log" 2>&1
	# the broker is the timeout wrapper's child, forked a moment after it
	wait_until 10 pgrep -P "$BG_PID"
	broker=$(pgrep -P "$BG_PID")
	[[ -n $broker ]] || fail "no mosquitto process under $BG_PID"
	wait_until 10 port_listening "$port"
	# a live consumer: what the broker delivered, one message a line
	bg_start mosquitto_sub -p "$port" -V mqttv5 -q 1 -t 'hl7/#' >"$T/got" 2>"$T/sub.err"
	consumer=$BG_PID
	mqtt_recipe "$port"
	sample_msg MQ0000 >"$T/first.hl7"
	wait_until 10 eval 'timeout 5 mosquitto_pub -p '"$port"' -q 1 -t hl7/ADT -f "$T/first.hl7" && grep -q MQ0000 "$T/got"'
	for ((i = 1; i <= n; i++)); do printf -v id 'MQ%04d' "$i"; sample_frame "$id"; done >"$T/in"
	# the broker dies once some messages went through (each publish made a little slower, so
	# the kill lands mid-run)
	(
		for ((i = 0; i < 300; i++)); do
			[[ $(grep -c '|MQ00[0-9][0-9]|' "$T/got") -ge 6 ]] && break
			sleep 0.05
		done
		kill -9 "$broker"
	) &
	killer=$!
	mllpd_send "$T/in" --exec "sleep 0.05; $MQTT_CMD"
	wait "$killer"
	bg_stop "$consumer"
	assert_ack_count "$n"
	local aa=0 ae=0 code
	for ((i = 1; i <= n; i++)); do
		printf -v id 'MQ%04d' "$i"
		code=$(ack_field MSA 1 "$i")
		if [[ $code == AA ]]; then
			aa=$((aa + 1))
			grep -q "|$id|" "$T/got" || fail "$id answered AA, never delivered"
		else
			[[ $code == AE ]] || fail "$id answered $code, not AA or AE"
			ae=$((ae + 1))
		fi
	done
	((aa >= 1 && ae >= 1)) || fail "not killed mid-run: $aa AA, $ae AE"
	# and what came after the kill: every one AE, in order (no AA after the first AE)
	local seen_ae=0
	for ((i = 1; i <= n; i++)); do
		code=$(ack_field MSA 1 "$i")
		[[ $code == AE ]] && seen_ae=1
		((seen_ae == 0)) || [[ $code == AE ]] || fail "message $i answered $code after an AE"
	done
}

# man_example CAPTION: the display (.Bd) of hl7(1) after the paragraph
# holding CAPTION, as mandoc renders it and a user would paste it
# (indentation removed).
man_example() {
	mandoc -T utf8 "$MLLPD_ROOT/cmd/hl7/hl7.1" | col -b | awk -v cap="$1" '
		!found && index($0, cap) { found = 1 }
		!found { next }
		/^[ \t]*$/ { if (started) exit; gap = 1; next }
		!gap { next }
		!started { match($0, /^[ \t]*/); ind = RLENGTH; started = 1 }
		{ print substr($0, ind + 1) }'
}

@test "hl7(1) --exec script that answers itself: the ACK it prints and its exit status agree, through mllpd" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	local hl7dir
	hl7dir=$MLLPD_DIR
	[[ -x $hl7dir/hl7 ]] || skip "hl7 not built beside $MLLPD"
	man_example 'script that answers itself' >"$T/answer"
	[[ $(head -n 1 "$T/answer") == '#!/bin/sh' ]] || fail "no script in hl7(1): $(cat "$T/answer")"
	chmod +x "$T/answer"
	# store: the user's program; it fails while $T/full exists
	mkdir "$T/bin" "$T/tmp"
	printf '#!/bin/sh\n[ ! -e "%s/full" ] && cp "$1" "%s/stored"\n' "$T" "$T" >"$T/bin/store"
	chmod +x "$T/bin/store"
	export PATH="$T/bin:$hl7dir:$PATH" TMPDIR=$T/tmp
	sample_msg OK1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	# stored: AA, exit 0
	mllpd_send "$T/in" --spool "$SPOOL" --exec "$T/answer"
	assert_ack_count 1
	assert_ack_code AA
	[[ $stderr == *' ack=AA sink=spool:ok,exec:ok '* ]] || fail "not exec:ok: $stderr"
	cmp -s "$T/stored" "$T/m.hl7" || fail "store did not get the message"
	# not stored: the AE it prints, and an exit status that says so too (the spool file goes to failed/)
	touch "$T/full"
	"$T/answer" <"$T/m.hl7" >"$T/out" && fail "the script exits 0 after printing AE"
	grep -q '^MSA|AE|OK1|store failed' <(tr '\r' '\n' <"$T/out") || fail "no AE printed: $(visible <"$T/out")"
	rm -rf "$SPOOL"
	mllpd_send "$T/in" --spool "$SPOOL" --exec "$T/answer"
	assert_ack_count 1
	assert_ack_code AE
	[[ $stderr == *' ack=AE sink=spool:failed,exec:exit-'* ]] || fail "the command's exit status was 0: $stderr"
	[[ -z $(ls "$SPOOL/new") && -n $(ls "$SPOOL/failed") ]] || fail "the spool file is not in failed/"
	[[ -z $(ls "$T/tmp") ]] || fail "temporary files left: $(ls "$T/tmp")"
}

@test "hl7(1) jq and CSV examples work pasted as rendered" {
	command -v mandoc >/dev/null && command -v jq >/dev/null || skip "mandoc or jq not installed"
	local hl7dir
	hl7dir=$MLLPD_DIR
	[[ -x $hl7dir/hl7 ]] || skip "hl7 not built beside $MLLPD"
	export PATH="$hl7dir:$PATH"
	mkdir -p "$T/w/spool/new"
	cd "$T/w" || fail "no $T/w"
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ADT^A01|C1|P|2.5' 'PID|1||1||DOE^JANE' >spool/new/1.hl7
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ADT^A08|C2|P|2.5' 'PID|1||2||ROE^RICHARD' >spool/new/2.hl7
	hl7 'MSH|^~\&|S|SF|R|RF|20260101||ORU^R01|L3|P|2.5' 'OBX|1|NM|GLU^Glucose||5.4|mmol/L' \
		'OBX|2|NM|NA^Sodium||140|mmol/L' >spool/new/3.hl7
	man_example 'Patients admitted, with jq' >jq.sh
	run bash -o pipefail jq.sh
	assert_success
	assert_output DOE
	man_example 'Every OBX result as CSV' >csv.sh
	run bash -o pipefail csv.sh
	assert_success
	assert_output $'L3,GLU,5.4,mmol/L\nL3,NA,140,mmol/L'
}

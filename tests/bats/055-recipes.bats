#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 055-recipes: the --exec recipes of README.md and hl7(1), taken from the documents and run end to end.

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

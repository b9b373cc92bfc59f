#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 310-send-tls: mllp-send over TLS: server verification, client certificates, --drain, start-up errors.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net
load 300-send-helpers

# A throwaway PKI, made once per file (EC keys: fast), never committed.
setup_file() {
	export PKI="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$PKI"
	(
		set -e
		cd "$PKI"
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
		cert() { # cert NAME SUBJECT [EXTFILE]: a certificate signed by ca
			key "$1.key"
			openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
			openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
				${3:+-extfile "$3"} -out "$1.crt" 2>/dev/null
		}
		key ca.key
		openssl req -x509 -new -key ca.key -subj "/CN=Test CA" -days 3650 -out ca.crt 2>/dev/null
		key ca2.key
		openssl req -x509 -new -key ca2.key -subj "/CN=Other CA" -days 3650 -out ca2.crt 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
		printf 'subjectAltName=DNS:elsewhere.example\n' >other.ext
		cert server "/CN=localhost/O=mllpd test" san.ext
		cert wrongname "/CN=elsewhere.example" other.ext
		cert client "/CN=lab-sender/O=Hospital"
		key other.key
		printf 'Zz-s3cret-PW-31\n' >password
		printf 'not-the-password\n' >wrongpw
		openssl pkey -in client.key -aes256 -passout file:password -out client-enc.key
		openssl pkcs12 -export -in client.crt -inkey client.key -passout file:password -out client.p12
	) || return 1
}

setup() {
	send_setup
	sample_msg STLS1 >"$T/m1.hl7"
	sample_msg STLS2 >"$T/m2.hl7"
	TLS_PASSWORD=$(<"$PKI/password")
	SRV_TLS=(--tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key")
}

teardown() {
	send_teardown
}

@test "send-tls: the server is verified: --tls-ca (by IP and by name), the system store by default; another CA or name refused (69)" {
	mllpd_listen server "$T/in" "${SRV_TLS[@]}"
	send_run --tls-ca "$PKI/ca.crt" "127.0.0.1:$PORT" m1.hl7 m2.hl7
	assert_equal "$output" $'m1.hl7 STLS1 AA\nm2.hl7 STLS2 AA'
	send_run --tls-ca "$PKI/ca.crt" --window 2 "localhost:$PORT" m1.hl7 m2.hl7
	assert_equal "$output" $'m1.hl7 STLS1 AA\nm2.hl7 STLS2 AA'
	assert_count 4 "$T/in/new"
	wait_until 10 grep -q ' closed: messages=2 .* tls=TLSv1\.3' "$T/server.err"
	send_run 69 --tls "127.0.0.1:$PORT" m1.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: TLS handshake: certificate verify failed (unable to get local issuer certificate)"
	send_run 69 --tls-ca "$PKI/ca2.crt" "127.0.0.1:$PORT" m1.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: TLS handshake: certificate verify failed (unable to get local issuer certificate)"
	bg_stop "$SERVER_PID"
	mllpd_listen server2 "$T/in" --tls-cert "$PKI/wrongname.crt" --tls-key "$PKI/wrongname.key"
	send_run 69 --tls-ca "$PKI/ca.crt" "127.0.0.1:$PORT" m1.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: TLS handshake: certificate verify failed (IP address mismatch)"
	send_run 69 --tls-ca "$PKI/ca.crt" "localhost:$PORT" m1.hl7
	assert_stderr "mllp-send: localhost:$PORT: TLS handshake: certificate verify failed (hostname mismatch)"
	assert_count 4 "$T/in/new"
}

@test "send-tls: client certificates (PEM, encrypted PEM, PKCS#12) for mutual TLS, --drain too; none: refused, nothing delivered" {
	mllpd_listen server "$T/in" "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-verify-client
	# TLS 1.3: the server judges the client after the client's handshake ends: the
	# client learns it at its first read or write (then past a reset), as the alert
	send_run 74 --tls-ca "$PKI/ca.crt" "127.0.0.1:$PORT" m1.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: TLS: tlsv13 alert certificate required"
	assert_count 0 "$T/in/new"
	wait_until 10 grep -q 'TLS handshake failed: peer did not return a certificate' "$T/server.err"
	send_run --tls-ca "$PKI/ca.crt" --tls-cert "$PKI/client.crt" --tls-key "$PKI/client.key" "127.0.0.1:$PORT" m1.hl7
	assert_output 'm1.hl7 STLS1 AA'
	send_run --tls-ca "$PKI/ca.crt" --tls-cert "$PKI/client.crt" --tls-key "$PKI/client-enc.key" \
		--tls-password-file "$PKI/password" "127.0.0.1:$PORT" m1.hl7
	assert_output 'm1.hl7 STLS1 AA'
	send_run --tls-ca "$PKI/ca.crt" --tls-pkcs12 "$PKI/client.p12" --tls-password-file "$PKI/password" \
		"127.0.0.1:$PORT" m2.hl7
	assert_output 'm2.hl7 STLS2 AA'
	assert_count 3 "$T/in/new"
	wait_until 10 eval '[[ $(grep -c "tls_peer=\"O=Hospital,CN=lab-sender\"" "$T/server.err") -eq 3 ]]'
	! grep -aqF -- "$TLS_PASSWORD" "$T/server.err" "$T/send.err" "$T/send.out" || fail "the password leaked"
	# the store-and-forward path over the same mutual TLS
	spool_fill "$T/A" 1 3
	send_run -q --drain "$T/A" --tls-ca "$PKI/ca.crt" --tls-pkcs12 "$PKI/client.p12" \
		--tls-password-file "$PKI/password" "127.0.0.1:$PORT"
	assert_count 0 "$T/A/new"
	assert_count 6 "$T/in/new"
}

@test "send-tls: start-up errors: exit 78 and one line naming the file; usage errors exit 64" {
	local P=$PKI
	send_run 78 --tls-ca "$P/nope.crt" 127.0.0.1:1 m1.hl7
	assert_stderr "mllp-send: --tls-ca $P/nope.crt: No such file or directory"
	send_run 78 --tls-ca "$P/password" 127.0.0.1:1 m1.hl7
	assert_stderr "mllp-send: --tls-ca $P/password: no PEM certificate in the file"
	send_run 78 --tls-cert "$P/client.crt" --tls-key "$P/other.key" 127.0.0.1:1 m1.hl7
	assert_stderr "mllp-send: --tls-key $P/other.key: the key does not match the certificate $P/client.crt"
	send_run 78 --tls-cert "$P/client.crt" --tls-key "$P/client-enc.key" --tls-password-file "$P/wrongpw" 127.0.0.1:1 m1.hl7
	assert_stderr "mllp-send: --tls-key $P/client-enc.key: wrong password"
	send_run 78 --tls-pkcs12 "$P/client.p12" --tls-password-file "$P/wrongpw" 127.0.0.1:1 m1.hl7
	assert_stderr "mllp-send: --tls-pkcs12 $P/client.p12: wrong password"
	send_run 78 --tls-pkcs12 "$P/client.p12" --tls-password-file "$P/nope" 127.0.0.1:1 m1.hl7
	assert_stderr "mllp-send: --tls-password-file $P/nope: No such file or directory"
	send_run 64 --tls-min-version 1.0 127.0.0.1:1 m1.hl7
	assert_equal "${stderr_lines[0]}" "mllp-send: --tls-min-version: must be 1.2 or 1.3: 1.0"
	send_run 64 --tls-key "$P/client.key" 127.0.0.1:1 m1.hl7
	assert_equal "${stderr_lines[0]}" "mllp-send: --tls-key: needs --tls-cert FILE"
}

@test "send-tls: a server whose --tls-ca does not know the client certificate: its TLS alert is reported, not a reset; nothing delivered" {
	mllpd_listen server "$T/in" "${SRV_TLS[@]}" --tls-ca "$PKI/ca2.crt" --tls-verify-client
	# TLS 1.3 ends the client's handshake before the server judges its certificate: the
	# alert arrives during the first read or write, and a write into the closed connection
	# meets a reset; a 1 MiB message makes many writes
	{ sample_msg STLSBIG && printf 'OBX|1|ED|||%01048576d\r' 0; } >"$T/big.hl7"
	local f
	for f in m1.hl7 big.hl7; do
		send_run 74 --tls-ca "$PKI/ca.crt" --tls-cert "$PKI/client.crt" --tls-key "$PKI/client.key" \
			"127.0.0.1:$PORT" "$f"
		assert_stderr "mllp-send: 127.0.0.1:$PORT: TLS: tlsv1 alert unknown ca"
	done
	assert_count 0 "$T/in/new"
}

/* SPDX-License-Identifier: MIT */
/* tlsio.h: OpenSSL glue for both ends: contexts from files, and a TLS byte stream over fds. */
#ifndef MLLP_TLSIO_H
#define MLLP_TLSIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Nothing here prints, exits or reads the environment: every error comes
 * back as text (OpenSSL's error queue drained into it) for the caller to
 * report.  The program owns the policy (option names, exit codes).
 */

enum tlsio_role { TLSIO_SERVER, TLSIO_CLIENT };

/* Which input an error is about, so the caller can name its option. */
enum tlsio_input {
	TLSIO_IN_NONE,
	TLSIO_IN_CERT,
	TLSIO_IN_KEY,
	TLSIO_IN_PKCS12,
	TLSIO_IN_CA,
	TLSIO_IN_PASSWORD,
	TLSIO_IN_CRL,
	TLSIO_IN_CIPHERS, /* the cipher list (file: the list as given) */
	TLSIO_IN_GROUPS,  /* the group list (file: the list as given) */
};

/* The command-line option that names an input ("--tls-cert" ...; "TLS" for none), for error lines.
 */
const char *tlsio_input_option(enum tlsio_input in);

struct tlsio_config {
	const char *cert_file;	 /* PEM certificate (chain), or NULL */
	const char *key_file;	 /* PEM private key, or NULL (then none, or inside cert_file) */
	const char *pkcs12_file; /* PKCS#12 with key and certificate, instead of cert/key */
	const char *password;	 /* for an encrypted key or the PKCS#12; borrowed; NULL: none */
	size_t password_len;
	const char *ca_file; /* PEM CAs to verify the peer; NULL: client uses the system store */
	const char
	    *crl_file; /* PEM CRLs (one per CA of the chain), or NULL; CRLs in ca_file count too */
	int verify_peer;     /* server: require a client certificate; client: verify the server */
	int min_version;     /* 12 or 13 (TLS 1.2 / 1.3); 0: 1.2 */
	const char *ciphers; /* TLS 1.2 suites, OpenSSL syntax; NULL: server TLSIO_CIPHERS, client
				OpenSSL's */
	const char *groups;  /* key exchange groups ("X25519:P-256"); NULL: server TLSIO_GROUPS,
				client OpenSSL's */
};

/*
 * A server's defaults: Mozilla's "intermediate" TLS 1.2 suites (Server Side
 * TLS 5.7) without its DHE ones: ECDHE with AES-GCM or ChaCha20-Poly1305
 * only, so forward secrecy and AEAD on every connection.  TLS 1.3 keeps
 * OpenSSL's three AEAD suites, as Mozilla's list does.
 */
#define TLSIO_CIPHERS                                                                              \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLSIO_GROUPS "X25519:P-256:P-384"

/* The result of tlsio_ctx_new: which input failed, the reason, and warnings. */
struct tlsio_report {
	enum tlsio_input input; /* TLSIO_IN_NONE on success */
	const char *file;	/* the file concerned (borrowed from the config) */
	char reason[256];	/* one line, no file name */
	char warning[256];	/* non-fatal (e.g. an expired certificate); empty when none */
	/* More warnings, each about one input (a CRL past its next update); notes[0..nnotes). */
	struct tlsio_note {
		enum tlsio_input input;
		const char *file; /* borrowed from the config */
		char text[256];
	} notes[4];
	size_t nnotes;
};

struct tlsio_ctx;
struct tlsio_conn;

/*
 * Build a context: load and check the certificate and key (a key that does
 * not match is an error), the CA file, the CRLs (crl_file and any in
 * ca_file: then every certificate of a peer's chain is checked against the
 * CRL of its issuer, X509_V_FLAG_CRL_CHECK_ALL, and a CA without a CRL
 * fails the handshake; a CRL past its next update is a note, and then
 * refuses the certificates it covers), the protocol floor, the cipher and
 * group lists (one that OpenSSL refuses or that matches nothing is an
 * error), and the defaults (no compression, no renegotiation, server
 * cipher preference, no session tickets).  Returns NULL with rep filled.  The password is not kept.
 * The first call loads OpenSSL (dlopen of libcrypto.so.3 and libssl.so.3:
 * the programs do not link it); when that fails, NULL with
 * "cannot load OpenSSL: <reason>" and TLSIO_IN_NONE.
 */
struct tlsio_ctx *tlsio_ctx_new(enum tlsio_role role, const struct tlsio_config *cfg,
				struct tlsio_report *rep);
void tlsio_ctx_free(struct tlsio_ctx *ctx);

/*
 * The context's own certificate, for logs, into buf:
 * subject="O=...,CN=..." serial=1A2B expires="Dec  4 17:00:00 2027 GMT"
 * (printable ASCII).  Returns 1, or 0 (buf empty) when it has none.
 */
int tlsio_ctx_certificate(const struct tlsio_ctx *ctx, char *buf, size_t cap);

/*
 * Read a password file: its first line, without the line end, into buf (at
 * most cap - 1 bytes: a longer password is cut, and then fails as wrong)
 * (NUL-terminated).  Returns its length, or -1 with a reason in why
 * (strerror text or "empty").
 */
ssize_t tlsio_read_password(const char *path, char *buf, size_t cap, char *why, size_t whycap);

/*
 * May users other than the owner read the secret file at path (a key, a
 * PKCS#12, a password file)?  1 with "readable by other users (mode 0644)"
 * or "readable by its group (mode 0640)" in why; 0 when not, and when path
 * is not a regular file or cannot be stat()ed (loading it says why).
 * Does not load OpenSSL.
 */
int tlsio_secret_exposed(const char *path, char *why, size_t cap);

/* Overwrite secret bytes in a way the compiler keeps (does not load OpenSSL). */
void tlsio_cleanse(void *p, size_t len);

/*
 * "dir/name" into buf when that file exists (a systemd credential);
 * returns 1, else 0.
 */
int tlsio_credential(const char *dir, const char *name, char *buf, size_t cap);

/*
 * Handshake over rfd/wfd (the same socket, or two ends of a pipe pair);
 * server_name, for a client, is the host to check and send as SNI (an IP
 * address is checked as one).  The fds are made non-blocking for good.
 * Within timeout_ms (< 0: none).  Returns the connection, or NULL with a
 * reason in why.  The fds stay the caller's: tlsio_close() does not close
 * them.
 */
struct tlsio_conn *tlsio_handshake(struct tlsio_ctx *ctx, int rfd, int wfd, const char *server_name,
				   int timeout_ms, char *why, size_t whycap);

/*
 * Decrypted bytes: > 0 read, 0 end of stream (close_notify or EOF), -1 with
 * errno: EAGAIN (nothing yet: poll the rfd), ECONNRESET, EPROTO.
 */
ssize_t tlsio_read(struct tlsio_conn *t, void *buf, size_t len);

/* Write all len bytes, polling the fd as needed, within timeout_ms (< 0: none).  Returns len, or -1
 * with errno (ETIMEDOUT, EPIPE, EPROTO). */
ssize_t tlsio_write(struct tlsio_conn *t, const void *buf, size_t len, int timeout_ms);

/* Why the last tlsio_read() or tlsio_write() failed with EPROTO (OpenSSL's reason); "" if it did
 * not. */
const char *tlsio_last_error(const struct tlsio_conn *t);

/* Bytes already decrypted and buffered: read them before polling the fd. */
size_t tlsio_pending(const struct tlsio_conn *t);

/* "TLSv1.3", and the cipher, for logs; borrowed. */
const char *tlsio_version(const struct tlsio_conn *t);
const char *tlsio_cipher(const struct tlsio_conn *t);

/*
 * The peer certificate's subject (RFC 2253, printable ASCII only) into buf;
 * returns 1, or 0 (buf empty) when the peer sent no certificate.
 */
int tlsio_peer_subject(const struct tlsio_conn *t, char *buf, size_t cap);

/*
 * The peer certificate's identities, to match names against (--tls-allow):
 * each subject CN, then each subjectAltName of type DNS, email
 * (rfc822Name), URI and IP address, in certificate order, written into buf
 * as "KIND:name" strings, each ending in a NUL, with one more NUL after the
 * last (an empty string ends the list):
 *
 *     "CN:lab-sender\0DNS:lab.example.org\0IP:192.0.2.7\0\0"
 *
 * KIND is CN, DNS, email, URI or IP (as openssl x509 prints them, but
 * "IP:").  A CN is UTF-8 whatever its ASN.1 string type; an IP address is
 * text: dotted IPv4, or IPv6 in RFC 5952 form ("2001:db8::1",
 * "::ffff:192.0.2.7").  A name is written whole or not at all: one that is
 * empty, holds a NUL or another control character (or, for a SAN, any
 * byte outside visible ASCII; for a CN, bytes that are not UTF-8), or
 * does not fit in what is left of cap is skipped, never cut, and counted
 * in *skipped (when not NULL).  Other SAN kinds are ignored, uncounted.
 * Returns the bytes written before the final NUL (0: no certificate or no
 * usable name); buf stays NUL-terminated when cap > 0.  No allocation is
 * left to the caller.
 */
size_t tlsio_peer_names(const struct tlsio_conn *t, char *buf, size_t cap, size_t *skipped);

/* Send close_notify (best effort, no wait) and free; the fds stay open. */
void tlsio_close(struct tlsio_conn *t);

#endif

/* SPDX-License-Identifier: MIT */
/* test_tlsio.c: password files, credential lookup, the file errors tlsio_ctx_new reports, peer
 * certificate names. */
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "tlsio.h"

static char root[] = "/tmp/mllpd-tlsio-XXXXXX";

/* root/name holding data; returns the path (static, overwritten by the next call). */
static const char *put(const char *name, const char *data)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", root, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(data, f);
		fclose(f);
	}
	return path;
}

static void password_case(const char *data, ssize_t want, const char *want_pw)
{
	char buf[64], why[128] = "";
	ssize_t n = tlsio_read_password(put("pw", data), buf, sizeof buf, why, sizeof why);
	if (want < 0)
		TAP_OK(n < 0 && strcmp(why, want_pw) == 0,
		       "password file %zu bytes: error '%s' (got '%s')", strlen(data), want_pw,
		       why);
	else
		TAP_OK(n == want && strcmp(buf, want_pw) == 0, "password file %zu bytes: '%s'",
		       strlen(data), want_pw);
}

static void ctx_error(const char *what, struct tlsio_config *cfg, enum tlsio_input in,
		      const char *reason)
{
	struct tlsio_report rep;
	struct tlsio_ctx *ctx = tlsio_ctx_new(TLSIO_SERVER, cfg, &rep);
	TAP_OK(!ctx && rep.input == in && rep.file && strcmp(rep.reason, reason) == 0,
	       "%s: '%s' (got '%s')", what, reason, rep.reason);
	tlsio_ctx_free(ctx);
}

/* Run a shell command (printf-style) in root, quietly; 1 when it exits 0. */
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	int n = snprintf(cmd, sizeof cmd, "cd '%s' && { ", root);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
	va_end(ap);
	n = (int)strlen(cmd);
	snprintf(cmd + n, sizeof cmd - (size_t)n, "; } >/dev/null 2>&1");
	return system(cmd) == 0;
}

/* root/NAME.crt for SUBJECT (-subj, UTF-8) with subjectAltName SAN, signed by root/ca.crt; key
 * root/k.key. */
static int client_cert(const char *name, const char *subject, const char *san)
{
	return sh("openssl req -new -key k.key -utf8 -subj '%s' -addext 'subjectAltName=%s' -out "
		  "%s.csr && "
		  "openssl x509 -req -in %s.csr -CA ca.crt -CAkey k.key -CAcreateserial -days 1 "
		  "-copy_extensions copy "
		  "-out %s.crt",
		  subject, san, name, name, name);
}

/*
 * Handshake, over a socketpair, a client with root/NAME.crt (in a child)
 * with srv; the server's connection, or NULL.  *pid is the child: it ends
 * when the server closes.
 */
static struct tlsio_conn *accept_client(struct tlsio_ctx *srv, const char *name, int *fd,
					pid_t *pid)
{
	int sv[2];
	char why[256] = "fork failed";
	*fd = -1;
	*pid = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return NULL;
	*pid = fork();
	if (*pid == 0) {
		char crt[256], key[256];
		struct tlsio_report rep;
		close(sv[0]);
		snprintf(crt, sizeof crt, "%s/%s.crt", root, name);
		snprintf(key, sizeof key, "%s/k.key", root);
		struct tlsio_config cc = {.cert_file = crt, .key_file = key};
		struct tlsio_ctx *ctx = tlsio_ctx_new(TLSIO_CLIENT, &cc, &rep);
		struct tlsio_conn *c =
		    ctx ? tlsio_handshake(ctx, sv[1], sv[1], NULL, 5000, why, sizeof why) : NULL;
		struct pollfd p = {.fd = sv[1], .events = POLLIN};
		poll(&p, 1, 5000);
		_exit(c ? 0 : 1);
	}
	close(sv[1]);
	*fd = sv[0];
	struct tlsio_conn *c =
	    *pid > 0 ? tlsio_handshake(srv, sv[0], sv[0], NULL, 5000, why, sizeof why) : NULL;
	if (!c)
		printf("# handshake with %s: %s\n", name, why);
	return c;
}

static void accept_end(struct tlsio_conn *c, int fd, pid_t pid)
{
	int st;
	tlsio_close(c);
	if (fd >= 0)
		close(fd);
	if (pid > 0)
		waitpid(pid, &st, 0);
}

/* Do len bytes of buf hold exactly the NUL-separated list want (ending in "\0\0")? */
static int names_are(const char *buf, size_t len, const char *want, size_t want_len)
{
	return len + 1 == want_len && memcmp(buf, want, want_len) == 0;
}

/* One GeneralName: its context tag (0x82 dNSName ...) and bytes. */
struct der_name {
	unsigned char tag;
	const char *p;
	size_t len;
};

/* DER hex of a GeneralNames of n short names, for "subjectAltName=DER:...". */
static void san_der(char *out, size_t cap, const struct der_name *g, size_t n)
{
	size_t body = 0, o = 0;
	for (size_t i = 0; i < n; i++)
		body += 2 + g[i].len;
	o += (size_t)snprintf(out + o, cap - o, "30%02zx", body);
	for (size_t i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, cap - o, "%02x%02zx", g[i].tag, g[i].len);
		for (size_t k = 0; k < g[i].len; k++)
			o += (size_t)snprintf(out + o, cap - o, "%02x", (unsigned char)g[i].p[k]);
	}
}

static void peer_names_cases(void)
{
	if (!sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.key && "
		"openssl req -x509 -new -key k.key -subj /CN=ca -days 1 -out ca.crt")) {
		TAP_OK(0, "peer names: openssl(1) makes a CA");
		return;
	}
	/* Every kind; IPv6 forms of RFC 5952; a registeredID, which is not an identity. */
	static const char good_san[] =
	    "DNS:lab.example.org,email:lab@example.org,URI:urn:example:lab,RID:1.2.3.4,IP:192.0.2."
	    "7,"
	    "IP:2001:DB8:0:0:0:0:0:1,IP:0:0:0:0:0:0:0:1,IP:0:0:0:0:0:ffff:c000:208,IP:1:0:0:1:0:0:"
	    "0:1,"
	    "IP:1:0:0:1:0:0:1:1,IP:2001:db8:0:1:1:1:1:1,IP:fe80:0:0:0:0:0:0:0,IP:0:0:0:0:0:0:0:0";
	static const char good_want[] =
	    "CN:caf\xc3\xa9\0CN:two words\0DNS:lab.example.org\0email:lab@example.org\0"
	    "URI:urn:example:lab\0IP:192.0.2.7\0IP:2001:db8::1\0IP:::1\0"
	    "IP:::ffff:192.0.2.8\0IP:1:0:0:1::1\0IP:1::1:0:0:1:1\0IP:2001:db8:0:1:1:1:1:1\0"
	    "IP:fe80::\0IP:::\0";
	enum { GOOD_NAMES = 14 };
	/* Left out whole: a NUL, a control byte, a blank, a byte above ASCII, an empty name, a
	 * 5-byte address. */
	static const struct der_name bad[] = {
	    {0x82, "ok.example", 10},
	    {0x82, "lab.example.org\0.evil.example", 29},
	    {0x82, "a\001b", 3},
	    {0x82, "a b", 3},
	    {0x81, "\xffx@example.org", 14},
	    {0x86, "", 0},
	    {0x87, "\xc0\x00\x02\x07\x01", 5},
	    {0x82, "fine", 4},
	};
	char der[512];
	san_der(der, sizeof der, bad, sizeof bad / sizeof bad[0]);
	char bad_san[600];
	snprintf(bad_san, sizeof bad_san, "DER:%s", der);
	static const char bad_want[] = "CN:ok\0DNS:ok.example\0DNS:fine\0";
	int made =
	    sh("openssl req -x509 -new -key k.key -subj /CN=localhost -days 1 -out server.crt") &&
	    client_cert("good", "/CN=caf\xc3\xa9/CN=two words/O=X", good_san) &&
	    client_cert("bad",
			"/CN=ok/CN=a\001b/CN=c\xc2\x85"
			"d/O=X",
			bad_san);
	TAP_OK(made, "peer names: openssl(1) makes the certificates");
	if (!made)
		return;

	char crt[256], key[256], ca[256];
	snprintf(crt, sizeof crt, "%s/server.crt", root);
	snprintf(key, sizeof key, "%s/k.key", root);
	snprintf(ca, sizeof ca, "%s/ca.crt", root);
	struct tlsio_config sc = {
	    .cert_file = crt, .key_file = key, .ca_file = ca, .verify_peer = 1};
	struct tlsio_report rep;
	struct tlsio_ctx *srv = tlsio_ctx_new(TLSIO_SERVER, &sc, &rep);
	TAP_OK(srv != NULL, "peer names: server context (%s)", rep.reason);
	if (!srv)
		return;

	int fd;
	pid_t pid;
	char buf[1024];
	size_t skipped = 99, n;
	struct tlsio_conn *c = accept_client(srv, "good", &fd, &pid);
	TAP_OK(c != NULL, "peer names: handshake with every kind of name");
	if (c) {
		n = tlsio_peer_names(c, buf, sizeof buf, &skipped);
		TAP_OK(names_are(buf, n, good_want, sizeof good_want) && skipped == 0,
		       "peer names: CNs (UTF-8, blank), DNS, email, URI, IPv4, IPv6 as RFC 5952; "
		       "RID left out "
		       "(%zu bytes, %zu skipped)",
		       n, skipped);
		/* Exactly enough room, and one byte less: the last name is left out, not cut. */
		n = tlsio_peer_names(c, buf, sizeof good_want, &skipped);
		TAP_OK(names_are(buf, n, good_want, sizeof good_want) && skipped == 0,
		       "peer names: cap just enough");
		n = tlsio_peer_names(c, buf, sizeof good_want - 1, &skipped);
		TAP_OK(n == sizeof good_want - 1 - strlen("IP:::") - 1 && buf[n] == '\0' &&
			   buf[n - 1] == '\0' && skipped == 1 && memcmp(buf, good_want, n) == 0,
		       "peer names: one byte short: the last name left out whole");
		/* A long first name does not fit, a later short one does. */
		memset(buf, 'x', sizeof buf);
		n = tlsio_peer_names(c, buf, 9, &skipped);
		TAP_OK(n == 7 && memcmp(buf, "IP:::1\0\0", 8) == 0 && skipped == GOOD_NAMES - 1 &&
			   buf[9] == 'x',
		       "peer names: cap 9: only IP:::1 (7 + 2) fits, the names before and after it "
		       "are left out (%zu)",
		       n);
		n = tlsio_peer_names(c, buf, 1, &skipped);
		TAP_OK(n == 0 && buf[0] == '\0' && skipped == GOOD_NAMES,
		       "peer names: cap 1: an empty list");
		n = tlsio_peer_names(c, buf, 0, NULL);
		TAP_OK(n == 0, "peer names: cap 0, no count wanted");
	}
	accept_end(c, fd, pid);

	c = accept_client(srv, "bad", &fd, &pid);
	TAP_OK(c != NULL, "peer names: handshake with hostile names");
	if (c) {
		n = tlsio_peer_names(c, buf, sizeof buf, &skipped);
		TAP_OK(names_are(buf, n, bad_want, sizeof bad_want) && skipped == 8,
		       "peer names: NUL, control, blank, non-ASCII SAN, empty, 5-byte IP, CN with "
		       "a C0 or C1 control left out "
		       "whole (%zu bytes, %zu skipped)",
		       n, skipped);
	}
	accept_end(c, fd, pid);
	tlsio_ctx_free(srv);
}

int main(void)
{
	char path[256], why[128];
	char buf[8];

	if (!mkdtemp(root))
		return 1;

	password_case("s3cret\n", 6, "s3cret");
	password_case("s3cret\r\n", 6, "s3cret");
	password_case("s3cret", 6, "s3cret");
	password_case("one\ntwo\n", 3, "one");
	password_case("with space \n", 11, "with space ");
	password_case("", -1, "empty");
	password_case("\n", -1, "empty");
	snprintf(path, sizeof path, "%s/none", root);
	TAP_OK(tlsio_read_password(path, buf, sizeof buf, why, sizeof why) < 0 &&
		   strcmp(why, "No such file or directory") == 0,
	       "missing password file: strerror text");
	/* Longer than the buffer: cut, still NUL-terminated. */
	TAP_OK(tlsio_read_password(put("long", "0123456789abcdef\n"), buf, sizeof buf, why,
				   sizeof why) == 7 &&
		   strcmp(buf, "0123456") == 0,
	       "a password longer than the buffer is cut to cap - 1");

	static const struct {
		mode_t mode;
		int want;
		const char *why;
	} modes[] = {
	    {0600, 0, ""},
	    {0400, 0, ""},
	    {0640, 1, "readable by its group (mode 0640)"},
	    {0644, 1, "readable by other users (mode 0644)"},
	    {0604, 1, "readable by other users (mode 0604)"},
	    {0620, 0, ""},
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		char w[96] = "";
		const char *f = put("secret", "x");
		chmod(f, modes[i].mode);
		int got = tlsio_secret_exposed(f, w, sizeof w);
		TAP_OK(got == modes[i].want && strcmp(w, modes[i].why) == 0,
		       "secret file mode %04o: %d '%s' (got %d '%s')", (unsigned)modes[i].mode,
		       modes[i].want, modes[i].why, got, w);
	}
	TAP_OK(tlsio_secret_exposed(root, why, sizeof why) == 0,
	       "secret: a directory is not judged");
	snprintf(path, sizeof path, "%s/none", root);
	TAP_OK(tlsio_secret_exposed(path, why, sizeof why) == 0,
	       "secret: a missing file is not judged");

	char cred[256];
	put("tls-cert", "x");
	TAP_OK(tlsio_credential(root, "tls-cert", cred, sizeof cred) == 1 &&
		   strstr(cred, "/tls-cert"),
	       "tlsio_credential finds dir/name");
	TAP_OK(tlsio_credential(root, "tls-key", cred, sizeof cred) == 0 && cred[0] == '\0',
	       "tlsio_credential: a missing credential");
	TAP_OK(tlsio_credential(NULL, "tls-cert", cred, sizeof cred) == 0,
	       "tlsio_credential: no directory");

	struct tlsio_config cfg = {0};
	snprintf(path, sizeof path, "%s/none.crt", root);
	cfg.cert_file = path;
	ctx_error("missing certificate", &cfg, TLSIO_IN_CERT, "No such file or directory");
	cfg.cert_file = root;
	ctx_error("a directory as certificate", &cfg, TLSIO_IN_CERT, "Is a directory");
	cfg.cert_file = put("garbage.crt", "not a certificate\n");
	ctx_error("not PEM", &cfg, TLSIO_IN_CERT, "no PEM certificate in the file");
	cfg = (struct tlsio_config){.pkcs12_file = put("garbage.p12", "not pkcs12")};
	ctx_error("not PKCS#12", &cfg, TLSIO_IN_PKCS12, "not a PKCS#12 file");

	/* A client context with the system store needs no file. */
	struct tlsio_report rep;
	cfg = (struct tlsio_config){.verify_peer = 1, .min_version = 13};
	struct tlsio_ctx *ctx = tlsio_ctx_new(TLSIO_CLIENT, &cfg, &rep);
	TAP_OK(ctx && rep.input == TLSIO_IN_NONE && !rep.warning[0],
	       "client context from the system store");
	tlsio_ctx_free(ctx);
	cfg = (struct tlsio_config){.verify_peer = 1, .ca_file = put("empty.crt", "")};
	ctx_error("a CA file without certificates", &cfg, TLSIO_IN_CA,
		  "no PEM certificate in the file");
	cfg = (struct tlsio_config){.ciphers = "NOPE"};
	ctx_error("a cipher list that matches nothing", &cfg, TLSIO_IN_CIPHERS,
		  "no cipher matches");
	cfg = (struct tlsio_config){.groups = "X25519:P-999"};
	ctx_error("an unknown group", &cfg, TLSIO_IN_GROUPS, "not a list of groups");
	cfg = (struct tlsio_config){.crl_file = put("nocrl.pem", "not a CRL\n")};
	ctx_error("a CRL file without CRLs", &cfg, TLSIO_IN_CRL, "no PEM CRL in the file");
	snprintf(path, sizeof path, "%s/none.crl", root);
	cfg = (struct tlsio_config){.crl_file = path};
	ctx_error("missing CRL file", &cfg, TLSIO_IN_CRL, "No such file or directory");
	/* Defaults: a server context with no list given builds (Mozilla intermediate). */
	cfg = (struct tlsio_config){0};
	ctx = tlsio_ctx_new(TLSIO_SERVER, &cfg, &rep);
	TAP_OK(ctx != NULL, "server context with the default cipher and group lists (%s)",
	       ctx ? "" : rep.reason);
	tlsio_ctx_free(ctx);

	peer_names_cases();
	sh("rm -f k.key ca.crt ca.srl server.crt good.csr good.crt bad.csr bad.crt");

	const char *names[] = {"pw",	      "long",	   "tls-cert",	"garbage.crt",
			       "garbage.p12", "empty.crt", "nocrl.pem", "secret"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", root, names[i]);
		unlink(path);
	}
	rmdir(root);
	return tap_done();
}

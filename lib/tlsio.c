/* SPDX-License-Identifier: MIT */
/* tlsio.c: OpenSSL contexts from files with precise errors, and a non-blocking TLS stream. */
#include "tlsio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <dlfcn.h>

#include "monotime.h"

/*
 * OpenSSL is dlopen()ed on the first tlsio_ctx_new(), not linked: a plain
 * connection process (inetd, tcpserver) would otherwise pay for loading and
 * relocating libssl and libcrypto at every start.  Every OpenSSL function
 * this file calls is in this list, as the symbol the library exports (what
 * `nm -u` shows: the header macros SSL_CTX_set_min_proto_version,
 * sk_X509_num, SSL_get_cipher_name... expand to SSL_CTX_ctrl,
 * OPENSSL_sk_num, SSL_CIPHER_get_name...), and is typed from OpenSSL's own
 * prototype.  After the loader, each name is defined to its pointer so the
 * code below (and the header macros it uses) reads as plain OpenSSL; a name
 * missing from here is an undefined reference at link time, since the
 * programs no longer link OpenSSL.
 *
 * What it saves (issue 16, 2026-12-05): a plain one-message mllpd process,
 *   valgrind --tool=callgrind mllpd --spool S --no-fsync -q <one-frame
 * runs 0.27 M instructions, 1.7-1.9 MiB peak RSS (/usr/bin/time -f %M), 53-56 ms a
 * run; the same objects linked with -Wl,--no-as-needed -lssl -lcrypto: 3.47 M
 * instructions, 3.4 MiB, 76-89 ms (200 runs each, loaded 2-core machine).
 */
#define TLSIO_OPENSSL(X)                                                                           \
	X(crypto, ASN1_OCTET_STRING_free)                                                          \
	X(crypto, ASN1_STRING_get0_data)                                                           \
	X(crypto, ASN1_STRING_length)                                                              \
	X(crypto, ASN1_STRING_to_UTF8)                                                             \
	X(crypto, ASN1_TIME_print)                                                                 \
	X(crypto, BIO_free)                                                                        \
	X(crypto, BIO_new)                                                                         \
	X(crypto, BIO_read)                                                                        \
	X(crypto, BIO_s_mem)                                                                       \
	X(crypto, BIO_write)                                                                       \
	X(crypto, CRYPTO_free)                                                                     \
	X(crypto, ERR_clear_error)                                                                 \
	X(crypto, ERR_get_error)                                                                   \
	X(crypto, ERR_peek_error)                                                                  \
	X(crypto, ERR_reason_error_string)                                                         \
	X(crypto, EVP_PKEY_free)                                                                   \
	X(crypto, GENERAL_NAMES_free)                                                              \
	X(crypto, OPENSSL_sk_num)                                                                  \
	X(crypto, OPENSSL_sk_pop_free)                                                             \
	X(crypto, OPENSSL_sk_value)                                                                \
	X(crypto, PEM_X509_INFO_read_bio)                                                          \
	X(crypto, PEM_read_bio_PrivateKey)                                                         \
	X(crypto, PEM_read_bio_X509)                                                               \
	X(crypto, PKCS12_free)                                                                     \
	X(crypto, PKCS12_mac_present)                                                              \
	X(crypto, PKCS12_parse)                                                                    \
	X(crypto, PKCS12_verify_mac)                                                               \
	X(crypto, X509_INFO_free)                                                                  \
	X(crypto, X509_CRL_get0_nextUpdate)                                                        \
	X(crypto, X509_CRL_get_issuer)                                                             \
	X(crypto, X509_NAME_ENTRY_get_data)                                                        \
	X(crypto, X509_NAME_get_entry)                                                             \
	X(crypto, X509_NAME_get_index_by_NID)                                                      \
	X(crypto, X509_NAME_print_ex)                                                              \
	X(crypto, X509_STORE_add_cert)                                                             \
	X(crypto, X509_STORE_add_crl)                                                              \
	X(crypto, X509_STORE_set_flags)                                                            \
	X(crypto, X509_STORE_CTX_get_current_cert)                                                 \
	X(crypto, X509_STORE_CTX_get_error)                                                        \
	X(crypto, X509_STORE_CTX_get_ex_data)                                                      \
	X(crypto, X509_VERIFY_PARAM_set1_ip_asc)                                                   \
	X(crypto, X509_check_private_key)                                                          \
	X(crypto, X509_cmp_current_time)                                                           \
	X(crypto, X509_free)                                                                       \
	X(crypto, X509_get0_notAfter)                                                              \
	X(crypto, X509_get_ext_d2i)                                                                \
	X(crypto, X509_get_serialNumber)                                                           \
	X(crypto, X509_get_subject_name)                                                           \
	X(crypto, X509_verify_cert_error_string)                                                   \
	X(crypto, a2i_IPADDRESS)                                                                   \
	X(crypto, d2i_PKCS12_bio)                                                                  \
	X(crypto, i2a_ASN1_INTEGER)                                                                \
	X(ssl, SSL_CIPHER_get_name)                                                                \
	X(ssl, SSL_CTX_add_client_CA)                                                              \
	X(ssl, SSL_CTX_ctrl)                                                                       \
	X(ssl, SSL_CTX_free)                                                                       \
	X(ssl, SSL_CTX_get0_certificate)                                                           \
	X(ssl, SSL_CTX_get_cert_store)                                                             \
	X(ssl, SSL_CTX_new)                                                                        \
	X(ssl, SSL_CTX_set_cipher_list)                                                            \
	X(ssl, SSL_CTX_set_default_verify_paths)                                                   \
	X(ssl, SSL_CTX_set_num_tickets)                                                            \
	X(ssl, SSL_CTX_set_options)                                                                \
	X(ssl, SSL_CTX_set_session_id_context)                                                     \
	X(ssl, SSL_CTX_set_verify)                                                                 \
	X(ssl, SSL_CTX_use_PrivateKey)                                                             \
	X(ssl, SSL_CTX_use_certificate)                                                            \
	X(ssl, SSL_accept)                                                                         \
	X(ssl, SSL_connect)                                                                        \
	X(ssl, SSL_ctrl)                                                                           \
	X(ssl, SSL_free)                                                                           \
	X(ssl, SSL_get0_param)                                                                     \
	X(ssl, SSL_get1_peer_certificate)                                                          \
	X(ssl, SSL_get_current_cipher)                                                             \
	X(ssl, SSL_get_error)                                                                      \
	X(ssl, SSL_get_ex_data)                                                                    \
	X(ssl, SSL_get_ex_data_X509_STORE_CTX_idx)                                                 \
	X(ssl, SSL_get_verify_result)                                                              \
	X(ssl, SSL_get_version)                                                                    \
	X(ssl, SSL_new)                                                                            \
	X(ssl, SSL_pending)                                                                        \
	X(ssl, SSL_read_ex)                                                                        \
	X(ssl, SSL_set1_host)                                                                      \
	X(ssl, SSL_set_ex_data)                                                                    \
	X(ssl, SSL_set_rfd)                                                                        \
	X(ssl, SSL_set_wfd)                                                                        \
	X(ssl, SSL_shutdown)                                                                       \
	X(ssl, SSL_write_ex)                                                                       \
	X(ssl, TLS_client_method)                                                                  \
	X(ssl, TLS_server_method)

#define TLSIO_OPENSSL_MEMBER(lib, name) __typeof__(&name) name;
static struct {
	TLSIO_OPENSSL(TLSIO_OPENSSL_MEMBER)
} ossl;

/*
 * Load libcrypto and libssl and resolve the list, once: 0, or -1 with
 * "cannot load OpenSSL: <dlerror()>" in why (the same on every later call).
 * The handles are never closed: OpenSSL cleans up at exit by itself.  The
 * first call is not thread-safe (mllpd and mllp-send make their contexts
 * before any thread).
 */
static int openssl_load(char *why, size_t cap)
{
	static int state; /* 0: not tried; 1: loaded; -1: failed */
	static char error[200];
	if (state == 0) {
		void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
		void *ssl = crypto ? dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL) : NULL;
		int ok = ssl != NULL;
#define TLSIO_OPENSSL_RESOLVE(lib, name)                                                           \
	if (ok && !(ossl.name = (__typeof__(&name))dlsym(lib, #name)))                             \
		ok = 0;
		TLSIO_OPENSSL(TLSIO_OPENSSL_RESOLVE)
#undef TLSIO_OPENSSL_RESOLVE
		if (ok) {
			state = 1;
		} else {
			const char *e = dlerror();
			snprintf(error, sizeof error, "%s", e ? e : "unknown error");
			memset(&ossl, 0, sizeof ossl);
			if (ssl)
				dlclose(ssl);
			if (crypto)
				dlclose(crypto);
			state = -1;
		}
	}
	if (state < 0)
		snprintf(why, cap, "cannot load OpenSSL: %s", error);
	return state > 0 ? 0 : -1;
}

/* From here on, OpenSSL's names are the loaded pointers (see TLSIO_OPENSSL). */
#define ASN1_OCTET_STRING_free (ossl.ASN1_OCTET_STRING_free)
#define ASN1_STRING_get0_data (ossl.ASN1_STRING_get0_data)
#define ASN1_STRING_length (ossl.ASN1_STRING_length)
#define ASN1_STRING_to_UTF8 (ossl.ASN1_STRING_to_UTF8)
#define ASN1_TIME_print (ossl.ASN1_TIME_print)
#define BIO_free (ossl.BIO_free)
#define BIO_new (ossl.BIO_new)
#define BIO_read (ossl.BIO_read)
#define BIO_s_mem (ossl.BIO_s_mem)
#define BIO_write (ossl.BIO_write)
#define CRYPTO_free (ossl.CRYPTO_free)
#define ERR_clear_error (ossl.ERR_clear_error)
#define ERR_get_error (ossl.ERR_get_error)
#define ERR_peek_error (ossl.ERR_peek_error)
#define ERR_reason_error_string (ossl.ERR_reason_error_string)
#define EVP_PKEY_free (ossl.EVP_PKEY_free)
#define GENERAL_NAMES_free (ossl.GENERAL_NAMES_free)
#define OPENSSL_sk_num (ossl.OPENSSL_sk_num)
#define OPENSSL_sk_pop_free (ossl.OPENSSL_sk_pop_free)
#define OPENSSL_sk_value (ossl.OPENSSL_sk_value)
#define PEM_X509_INFO_read_bio (ossl.PEM_X509_INFO_read_bio)
#define PEM_read_bio_PrivateKey (ossl.PEM_read_bio_PrivateKey)
#define PEM_read_bio_X509 (ossl.PEM_read_bio_X509)
#define PKCS12_free (ossl.PKCS12_free)
#define PKCS12_mac_present (ossl.PKCS12_mac_present)
#define PKCS12_parse (ossl.PKCS12_parse)
#define PKCS12_verify_mac (ossl.PKCS12_verify_mac)
#define X509_INFO_free (ossl.X509_INFO_free)
#define X509_CRL_get0_nextUpdate (ossl.X509_CRL_get0_nextUpdate)
#define X509_CRL_get_issuer (ossl.X509_CRL_get_issuer)
#define X509_NAME_ENTRY_get_data (ossl.X509_NAME_ENTRY_get_data)
#define X509_NAME_get_entry (ossl.X509_NAME_get_entry)
#define X509_NAME_get_index_by_NID (ossl.X509_NAME_get_index_by_NID)
#define X509_NAME_print_ex (ossl.X509_NAME_print_ex)
#define X509_STORE_add_cert (ossl.X509_STORE_add_cert)
#define X509_STORE_add_crl (ossl.X509_STORE_add_crl)
#define X509_STORE_set_flags (ossl.X509_STORE_set_flags)
#define X509_STORE_CTX_get_current_cert (ossl.X509_STORE_CTX_get_current_cert)
#define X509_STORE_CTX_get_error (ossl.X509_STORE_CTX_get_error)
#define X509_STORE_CTX_get_ex_data (ossl.X509_STORE_CTX_get_ex_data)
#define X509_VERIFY_PARAM_set1_ip_asc (ossl.X509_VERIFY_PARAM_set1_ip_asc)
#define X509_check_private_key (ossl.X509_check_private_key)
#define X509_cmp_current_time (ossl.X509_cmp_current_time)
#define X509_free (ossl.X509_free)
#define X509_get0_notAfter (ossl.X509_get0_notAfter)
#define X509_get_ext_d2i (ossl.X509_get_ext_d2i)
#define X509_get_serialNumber (ossl.X509_get_serialNumber)
#define X509_get_subject_name (ossl.X509_get_subject_name)
#define X509_verify_cert_error_string (ossl.X509_verify_cert_error_string)
#define a2i_IPADDRESS (ossl.a2i_IPADDRESS)
#define d2i_PKCS12_bio (ossl.d2i_PKCS12_bio)
#define i2a_ASN1_INTEGER (ossl.i2a_ASN1_INTEGER)
#define SSL_CIPHER_get_name (ossl.SSL_CIPHER_get_name)
#define SSL_CTX_add_client_CA (ossl.SSL_CTX_add_client_CA)
#define SSL_CTX_ctrl (ossl.SSL_CTX_ctrl)
#define SSL_CTX_free (ossl.SSL_CTX_free)
#define SSL_CTX_get0_certificate (ossl.SSL_CTX_get0_certificate)
#define SSL_CTX_get_cert_store (ossl.SSL_CTX_get_cert_store)
#define SSL_CTX_new (ossl.SSL_CTX_new)
#define SSL_CTX_set_cipher_list (ossl.SSL_CTX_set_cipher_list)
#define SSL_CTX_set_default_verify_paths (ossl.SSL_CTX_set_default_verify_paths)
#define SSL_CTX_set_num_tickets (ossl.SSL_CTX_set_num_tickets)
#define SSL_CTX_set_options (ossl.SSL_CTX_set_options)
#define SSL_CTX_set_session_id_context (ossl.SSL_CTX_set_session_id_context)
#define SSL_CTX_set_verify (ossl.SSL_CTX_set_verify)
#define SSL_CTX_use_PrivateKey (ossl.SSL_CTX_use_PrivateKey)
#define SSL_CTX_use_certificate (ossl.SSL_CTX_use_certificate)
#define SSL_accept (ossl.SSL_accept)
#define SSL_connect (ossl.SSL_connect)
#define SSL_ctrl (ossl.SSL_ctrl)
#define SSL_free (ossl.SSL_free)
#define SSL_get0_param (ossl.SSL_get0_param)
#define SSL_get1_peer_certificate (ossl.SSL_get1_peer_certificate)
#define SSL_get_current_cipher (ossl.SSL_get_current_cipher)
#define SSL_get_error (ossl.SSL_get_error)
#define SSL_get_ex_data (ossl.SSL_get_ex_data)
#define SSL_get_ex_data_X509_STORE_CTX_idx (ossl.SSL_get_ex_data_X509_STORE_CTX_idx)
#define SSL_get_verify_result (ossl.SSL_get_verify_result)
#define SSL_get_version (ossl.SSL_get_version)
#define SSL_new (ossl.SSL_new)
#define SSL_pending (ossl.SSL_pending)
#define SSL_read_ex (ossl.SSL_read_ex)
#define SSL_set1_host (ossl.SSL_set1_host)
#define SSL_set_ex_data (ossl.SSL_set_ex_data)
#define SSL_set_rfd (ossl.SSL_set_rfd)
#define SSL_set_wfd (ossl.SSL_set_wfd)
#define SSL_shutdown (ossl.SSL_shutdown)
#define SSL_write_ex (ossl.SSL_write_ex)
#define TLS_client_method (ossl.TLS_client_method)
#define TLS_server_method (ossl.TLS_server_method)

/* Certificates, keys and CA bundles are small; anything larger is not one. */
#define TLSIO_FILE_MAX ((size_t)4 << 20)

struct tlsio_ctx {
	SSL_CTX *ssl;
	enum tlsio_role role;
};

struct tlsio_conn {
	SSL *ssl;
	int rfd, wfd;
	char error[256];
	char verify_note[96]; /* what verify_cb saw of a refused certificate ("serial 1A2B"), or
				 empty */
};

/* Without OpenSSL, so that wiping a password does not load it. */
void tlsio_cleanse(void *p, size_t len)
{
	explicit_bzero(p, len);
}

/* The earliest reason on OpenSSL's error queue (the root cause), and clear it. */
static void drain_errors(char *buf, size_t cap, const char *fallback)
{
	unsigned long e, first = 0;
	while ((e = ERR_get_error()) != 0)
		if (!first)
			first = e;
	const char *r = first ? ERR_reason_error_string(first) : NULL;
	snprintf(buf, cap, "%s", r ? r : fallback);
}

static int fail(struct tlsio_report *rep, enum tlsio_input in, const char *file,
		const char *fallback)
{
	rep->input = in;
	rep->file = file;
	drain_errors(rep->reason, sizeof rep->reason, fallback);
	return -1;
}

static int fail_text(struct tlsio_report *rep, enum tlsio_input in, const char *file,
		     const char *text)
{
	ERR_clear_error();
	rep->input = in;
	rep->file = file;
	snprintf(rep->reason, sizeof rep->reason, "%s", text);
	return -1;
}

/* A whole file into a memory BIO; NULL with the reason (strerror) in rep. */
static BIO *read_file(const char *path, enum tlsio_input in, struct tlsio_report *rep)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t len = 0;

	if (fd < 0)
		goto sys;
	if (fstat(fd, &st) < 0)
		goto sys;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto sys;
	}
	buf = malloc(TLSIO_FILE_MAX);
	if (!buf)
		goto sys;
	for (;;) {
		ssize_t r = read(fd, buf + len, TLSIO_FILE_MAX - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto sys;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == TLSIO_FILE_MAX) {
			close(fd);
			free(buf);
			fail_text(rep, in, path, "file too large");
			return NULL;
		}
	}
	close(fd);
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || BIO_write(b, buf, (int)len) != (int)len) {
		BIO_free(b);
		tlsio_cleanse(buf, len);
		free(buf);
		fail(rep, in, path, "out of memory");
		return NULL;
	}
	tlsio_cleanse(buf, len);
	free(buf);
	return b;
sys:;
	int e = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	fail_text(rep, in, path, strerror(e));
	return NULL;
}

ssize_t tlsio_read_password(const char *path, char *buf, size_t cap, char *why, size_t whycap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	if (fd < 0) {
		snprintf(why, whycap, "%s", strerror(errno));
		return -1;
	}
	while (len + 1 < cap) {
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, whycap, "%s", strerror(errno));
			close(fd);
			tlsio_cleanse(buf, cap);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	char *nl = memchr(buf, '\n', len);
	if (nl)
		len = (size_t)(nl - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (len == 0) {
		snprintf(why, whycap, "empty");
		return -1;
	}
	return (ssize_t)len;
}

int tlsio_secret_exposed(const char *path, char *why, size_t cap)
{
	struct stat st;
	if (!path || stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & (S_IRGRP | S_IROTH)))
		return 0;
	snprintf(why, cap, "readable by %s (mode %04o)",
		 st.st_mode & S_IROTH ? "other users" : "its group",
		 (unsigned)(st.st_mode & 07777));
	return 1;
}

int tlsio_credential(const char *dir, const char *name, char *buf, size_t cap)
{
	struct stat st;
	if (!dir || !*dir)
		return 0;
	int n = snprintf(buf, cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= cap || stat(buf, &st) < 0) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	return 1;
}

struct pw_state {
	const char *pw;
	size_t len;
	int asked;
};

static int pw_cb(char *buf, int size, int rwflag, void *u)
{
	struct pw_state *s = u;
	(void)rwflag;
	s->asked = 1;
	if (!s->pw || s->len > (size_t)size)
		return -1;
	memcpy(buf, s->pw, s->len);
	return (int)s->len;
}

/* An ASN.1 time as OpenSSL prints it ("Feb  1 00:00:00 2020 GMT") into buf. */
static void time_text(const ASN1_TIME *t, char *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	buf[0] = '\0';
	if (b && t && ASN1_TIME_print(b, t)) {
		int n = BIO_read(b, buf, (int)cap - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}

/* An X509 name in RFC 2253 form, printable ASCII, into buf. */
static void name_text(const X509_NAME *name, char *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	buf[0] = '\0';
	if (b && name && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		int n = BIO_read(b, buf, (int)cap - 1);
		buf[n > 0 ? n : 0] = '\0';
		for (char *p = buf; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				*p = '?';
	}
	BIO_free(b);
}

static void warn_expired(X509 *cert, const char *file, struct tlsio_report *rep)
{
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	if (!na || X509_cmp_current_time(na) >= 0)
		return;
	char when[64];
	time_text(na, when, sizeof when);
	rep->file = file;
	snprintf(rep->warning, sizeof rep->warning, "the certificate expired on %s", when);
}

/* Certificate and key from PEM files; the key may be encrypted. */
/* The certificate file: its first certificate in *cert, the rest as the chain. */
static int load_cert_chain(SSL_CTX *ssl, const char *file, X509 **cert, struct tlsio_report *rep)
{
	BIO *b = read_file(file, TLSIO_IN_CERT, rep);
	if (!b)
		return -1;
	*cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!*cert) {
		BIO_free(b);
		return fail_text(rep, TLSIO_IN_CERT, file, "no PEM certificate in the file");
	}
	if (SSL_CTX_use_certificate(ssl, *cert) != 1) {
		X509_free(*cert);
		BIO_free(b);
		return fail(rep, TLSIO_IN_CERT, file, "certificate refused");
	}
	/* The rest of the file is the chain. */
	X509 *extra;
	while ((extra = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(ssl, extra) != 1) {
			X509_free(extra);
			X509_free(*cert);
			BIO_free(b);
			return fail(rep, TLSIO_IN_CERT, file, "chain certificate refused");
		}
	ERR_clear_error();
	BIO_free(b);
	return 0;
}

static int load_pem(SSL_CTX *ssl, const struct tlsio_config *cfg, struct tlsio_report *rep)
{
	const char *kf = cfg->key_file ? cfg->key_file : cfg->cert_file;
	enum tlsio_input kin = cfg->key_file ? TLSIO_IN_KEY : TLSIO_IN_CERT;
	X509 *cert;
	if (load_cert_chain(ssl, cfg->cert_file, &cert, rep) < 0)
		return -1;

	BIO *b = read_file(kf, kin, rep);
	if (!b) {
		X509_free(cert);
		return -1;
	}
	struct pw_state pw = {cfg->password, cfg->password_len, 0};
	EVP_PKEY *key = PEM_read_bio_PrivateKey(b, NULL, pw_cb, &pw);
	BIO_free(b);
	if (!key) {
		X509_free(cert);
		if (pw.asked && !cfg->password)
			return fail_text(rep, kin, kf,
					 "the key is encrypted: a password is needed");
		if (pw.asked)
			return fail_text(rep, kin, kf, "wrong password");
		return fail_text(rep, kin, kf, "no PEM private key in the file");
	}
	if (X509_check_private_key(cert, key) != 1) {
		EVP_PKEY_free(key);
		X509_free(cert);
		fail_text(rep, kin, kf, "");
		snprintf(rep->reason, sizeof rep->reason,
			 "the key does not match the certificate %.200s", cfg->cert_file);
		return -1;
	}
	int ok = SSL_CTX_use_PrivateKey(ssl, key) == 1;
	EVP_PKEY_free(key);
	if (ok)
		warn_expired(cert, cfg->cert_file, rep);
	X509_free(cert);
	return ok ? 0 : fail(rep, kin, kf, "key refused");
}

/*
 * The password to open p12 with, as a C string in pass[1024] (PKCS#12
 * passwords are text): 0 with *use set to pass or NULL (no password), or
 * -1 reported.  The caller cleanses pass.
 */
static int pkcs12_password(PKCS12 *p12, const struct tlsio_config *cfg, char *pass, size_t cap,
			   const char **use, struct tlsio_report *rep)
{
	const char *f = cfg->pkcs12_file;
	if (cfg->password) {
		if (cfg->password_len >= cap || memchr(cfg->password, '\0', cfg->password_len))
			return fail_text(rep, TLSIO_IN_PKCS12, f, "wrong password");
		memcpy(pass, cfg->password, cfg->password_len);
		pass[cfg->password_len] = '\0';
	}
	*use = pass;
	/* No integrity MAC: nothing to check the password against before parsing. */
	if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, pass, -1) == 1)
		return 0;
	if (!cfg->password && PKCS12_verify_mac(p12, NULL, 0) == 1) {
		*use = NULL;
		return 0;
	}
	return fail_text(rep, TLSIO_IN_PKCS12, f,
			 cfg->password ? "wrong password"
				       : "the file is encrypted: a password is needed");
}

/* Use the certificate, key and chain from a PKCS#12 file. */
static int use_pkcs12(SSL_CTX *ssl, const char *f, X509 *cert, EVP_PKEY *key, STACK_OF(X509) * ca,
		      struct tlsio_report *rep)
{
	int rc = 0;
	if (!cert)
		rc = fail_text(rep, TLSIO_IN_PKCS12, f, "holds no certificate");
	else if (!key)
		rc = fail_text(rep, TLSIO_IN_PKCS12, f, "holds no private key");
	else if (X509_check_private_key(cert, key) != 1)
		rc = fail_text(rep, TLSIO_IN_PKCS12, f, "the key does not match the certificate");
	else if (SSL_CTX_use_certificate(ssl, cert) != 1 || SSL_CTX_use_PrivateKey(ssl, key) != 1)
		rc = fail(rep, TLSIO_IN_PKCS12, f, "certificate or key refused");
	for (int i = 0; rc == 0 && ca && i < sk_X509_num(ca); i++) {
		X509 *x = sk_X509_value(ca, i);
		if (SSL_CTX_add1_chain_cert(ssl, x) != 1)
			rc = fail(rep, TLSIO_IN_PKCS12, f, "chain certificate refused");
	}
	if (rc == 0)
		warn_expired(cert, f, rep);
	return rc;
}

static int load_pkcs12(SSL_CTX *ssl, const struct tlsio_config *cfg, struct tlsio_report *rep)
{
	const char *f = cfg->pkcs12_file;
	BIO *b = read_file(f, TLSIO_IN_PKCS12, rep);
	if (!b)
		return -1;
	PKCS12 *p12 = d2i_PKCS12_bio(b, NULL);
	BIO_free(b);
	if (!p12)
		return fail_text(rep, TLSIO_IN_PKCS12, f, "not a PKCS#12 file");

	char pass[1024] = "";
	const char *use;
	if (pkcs12_password(p12, cfg, pass, sizeof pass, &use, rep) < 0) {
		tlsio_cleanse(pass, sizeof pass);
		PKCS12_free(p12);
		return -1;
	}
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	int ok = PKCS12_parse(p12, use, &key, &cert, &ca);
	tlsio_cleanse(pass, sizeof pass);
	PKCS12_free(p12);
	if (!ok)
		return fail(rep, TLSIO_IN_PKCS12, f, "cannot be decoded");
	int rc = use_pkcs12(ssl, f, cert, key, ca, rep);
	sk_X509_pop_free(ca, X509_free);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* A certificate's serial in hex, as openssl x509 -serial prints it, into buf. */
static void serial_text(X509 *cert, char *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	buf[0] = '\0';
	if (b && i2a_ASN1_INTEGER(b, X509_get_serialNumber(cert)) > 0) {
		int n = BIO_read(b, buf, (int)cap - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}

/* Add a CRL to the store; a note when it is past its next update. */
static int add_crl(X509_STORE *store, X509_CRL *crl, enum tlsio_input in, const char *f,
		   struct tlsio_report *rep)
{
	if (X509_STORE_add_crl(store, crl) != 1)
		return fail(rep, in, f, "CRL refused");
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	if (next && X509_cmp_current_time(next) < 0 &&
	    rep->nnotes < sizeof rep->notes / sizeof rep->notes[0]) {
		struct tlsio_note *n = &rep->notes[rep->nnotes++];
		char issuer[128], when[64];
		name_text(X509_CRL_get_issuer(crl), issuer, sizeof issuer);
		time_text(next, when, sizeof when);
		n->input = in;
		n->file = f;
		snprintf(n->text, sizeof n->text,
			 "the CRL of %.120s was due for renewal on %.40s: the certificates it "
			 "covers are refused",
			 issuer, when);
	}
	return 0;
}

/* --tls-crl: PEM CRLs, at least one. */
static int load_crl(SSL_CTX *ssl, const char *f, struct tlsio_report *rep)
{
	BIO *b = read_file(f, TLSIO_IN_CRL, rep);
	if (!b)
		return -1;
	STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL);
	BIO_free(b);
	int n = 0, rc = 0;
	for (int i = 0; infos && i < sk_X509_INFO_num(infos) && rc == 0; i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);
		if (xi->crl) {
			rc = add_crl(SSL_CTX_get_cert_store(ssl), xi->crl, TLSIO_IN_CRL, f, rep);
			n++;
		}
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	if (rc == 0 && n == 0)
		rc = fail_text(rep, TLSIO_IN_CRL, f, "no PEM CRL in the file");
	return rc < 0 ? -1 : n;
}

/* CAs that verify the peer; a server also names them to the client.  Returns the CRLs found, or -1.
 */
static int load_ca(SSL_CTX *ssl, enum tlsio_role role, const char *f, struct tlsio_report *rep)
{
	BIO *b = read_file(f, TLSIO_IN_CA, rep);
	if (!b)
		return -1;
	STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!infos)
		return fail_text(rep, TLSIO_IN_CA, f, "no PEM certificate in the file");
	X509_STORE *store = SSL_CTX_get_cert_store(ssl);
	int n = 0, rc = 0, crls = 0;
	for (int i = 0; i < sk_X509_INFO_num(infos) && rc == 0; i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);
		/* A CRL appended to the CA file is used as one given with --tls-crl. */
		if (xi->crl) {
			rc = add_crl(store, xi->crl, TLSIO_IN_CA, f, rep);
			crls++;
		}
		if (!xi->x509 || rc < 0)
			continue;
		if (X509_STORE_add_cert(store, xi->x509) != 1 ||
		    (role == TLSIO_SERVER && SSL_CTX_add_client_CA(ssl, xi->x509) != 1))
			rc = fail(rep, TLSIO_IN_CA, f, "CA certificate refused");
		n++;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	if (rc == 0 && n == 0)
		rc = fail_text(rep, TLSIO_IN_CA, f, "no PEM certificate in the file");
	return rc < 0 ? -1 : crls;
}

/*
 * Keep what OpenSSL knows of a refused certificate for the log line: the
 * serial of a revoked one.  The verdict is OpenSSL's, unchanged.
 */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	if (ok)
		return ok;
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tlsio_conn *t = ssl ? SSL_get_ex_data(ssl, 0) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	if (t && cert && !t->verify_note[0] &&
	    X509_STORE_CTX_get_error(x) == X509_V_ERR_CERT_REVOKED) {
		char serial[64];
		serial_text(cert, serial, sizeof serial);
		snprintf(t->verify_note, sizeof t->verify_note, "serial %s", serial);
	}
	return ok;
}

/* Protocol versions, options and modes; for a server no resumption and the chain as given. */
static void set_protocol(SSL_CTX *ssl, enum tlsio_role role, const struct tlsio_config *cfg)
{
	SSL_CTX_set_min_proto_version(ssl,
				      cfg->min_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_options(ssl, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				     SSL_OP_CIPHER_SERVER_PREFERENCE |
				     SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_clear_mode(ssl, SSL_MODE_AUTO_RETRY);
	if (role != TLSIO_SERVER)
		return;
	/*
	 * No resumption: one process per connection keeps no session
	 * cache, and a TLS 1.2 ticket key made once in a --listen parent
	 * would be shared by every connection for its life.  No TLS 1.2
	 * tickets (SSL_OP_NO_TICKET), no TLS 1.3 tickets (0), no cache; the
	 * session id context is set so that a client offering an old
	 * session or ticket gets a full handshake, not "session id
	 * context uninitialized", under mutual TLS.
	 */
	static const unsigned char sid_ctx[] = "mllpd";
	SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ssl, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ssl, 0);
	SSL_CTX_set_session_id_context(ssl, sid_ctx, sizeof sid_ctx - 1);
	/*
	 * Send the chain of the certificate file (or PKCS#12) as given:
	 * OpenSSL would otherwise complete it from the store, which holds
	 * the --tls-ca roots trusted for clients, not the server's chain.
	 */
	SSL_CTX_set_mode(ssl, SSL_MODE_NO_AUTO_CHAIN);
}

/* Ciphers, groups, our certificate and key, the CAs and CRLs: 0, or -1 reported. */
static int load_files(SSL_CTX *ssl, enum tlsio_role role, const struct tlsio_config *cfg,
		      struct tlsio_report *rep)
{
	int rc = 0;
	const char *ciphers = cfg->ciphers	     ? cfg->ciphers
			      : role == TLSIO_SERVER ? TLSIO_CIPHERS
						     : NULL;
	const char *groups = cfg->groups ? cfg->groups : role == TLSIO_SERVER ? TLSIO_GROUPS : NULL;
	if (ciphers && SSL_CTX_set_cipher_list(ssl, ciphers) != 1)
		rc = fail_text(rep, TLSIO_IN_CIPHERS, ciphers, "no cipher matches");
	if (rc == 0 && groups && SSL_CTX_set1_groups_list(ssl, groups) != 1)
		rc = fail_text(rep, TLSIO_IN_GROUPS, groups, "not a list of groups");
	if (rc == 0 && cfg->pkcs12_file)
		rc = load_pkcs12(ssl, cfg, rep);
	else if (rc == 0 && cfg->cert_file)
		rc = load_pem(ssl, cfg, rep);
	int crls = 0;
	if (rc == 0 && cfg->ca_file)
		crls = rc = load_ca(ssl, role, cfg->ca_file, rep);
	if (rc >= 0 && cfg->crl_file) {
		rc = load_crl(ssl, cfg->crl_file, rep);
		crls += rc;
	}
	if (rc >= 0 && crls > 0)
		X509_STORE_set_flags(SSL_CTX_get_cert_store(ssl),
				     X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	rc = rc < 0 ? -1 : 0;
	if (rc == 0 && role == TLSIO_CLIENT && !cfg->ca_file && cfg->verify_peer &&
	    SSL_CTX_set_default_verify_paths(ssl) != 1)
		rc = fail(rep, TLSIO_IN_CA, NULL, "cannot load the system CA store");
	return rc;
}

static void set_verify(SSL_CTX *ssl, enum tlsio_role role, const struct tlsio_config *cfg)
{
	if (role == TLSIO_SERVER && cfg->verify_peer)
		SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
				   verify_cb);
	else if (role == TLSIO_SERVER && cfg->ca_file)
		SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER, verify_cb);
	else
		SSL_CTX_set_verify(ssl, cfg->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
				   verify_cb);
}

struct tlsio_ctx *tlsio_ctx_new(enum tlsio_role role, const struct tlsio_config *cfg,
				struct tlsio_report *rep)
{
	memset(rep, 0, sizeof *rep);
	if (openssl_load(rep->reason, sizeof rep->reason) < 0)
		return NULL;
	ERR_clear_error();
	struct tlsio_ctx *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(rep->reason, sizeof rep->reason, "out of memory");
		return NULL;
	}
	c->role = role;
	c->ssl = SSL_CTX_new(role == TLSIO_SERVER ? TLS_server_method() : TLS_client_method());
	if (!c->ssl) {
		fail(rep, TLSIO_IN_NONE, NULL, "cannot create a TLS context");
		free(c);
		return NULL;
	}
	set_protocol(c->ssl, role, cfg);
	if (load_files(c->ssl, role, cfg, rep) < 0) {
		SSL_CTX_free(c->ssl);
		free(c);
		return NULL;
	}
	set_verify(c->ssl, role, cfg);
	return c;
}

int tlsio_ctx_certificate(const struct tlsio_ctx *ctx, char *buf, size_t cap)
{
	X509 *cert = SSL_CTX_get0_certificate(ctx->ssl);
	char subject[256], serial[80], when[64];
	if (cap)
		buf[0] = '\0';
	if (!cert || !cap)
		return 0;
	name_text(X509_get_subject_name(cert), subject, sizeof subject);
	serial_text(cert, serial, sizeof serial);
	time_text(X509_get0_notAfter(cert), when, sizeof when);
	snprintf(buf, cap, "subject=\"%s\" serial=%s expires=\"%s\"", subject, serial, when);
	return 1;
}

void tlsio_ctx_free(struct tlsio_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

/* Wait for what OpenSSL wants; 1 ready, 0 timed out, -1 error (EINTR too when eintr_ends). */
static int wait_want(struct tlsio_conn *t, int err, long long deadline, int eintr_ends)
{
	struct pollfd p = {.fd = err == SSL_ERROR_WANT_WRITE ? t->wfd : t->rfd,
			   .events = err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN};
	for (;;) {
		int ms = -1;
		if (deadline >= 0) {
			long long left = deadline - monotime_ms();
			ms = left > 0 ? (int)(left < 1000000000 ? left : 1000000000) : 0;
		}
		int r = poll(&p, 1, ms);
		if (r >= 0)
			return r;
		if (errno != EINTR || eintr_ends)
			return -1;
	}
}

/* The reason a handshake or I/O call failed, with the verification result when there is one. */
static void ssl_reason(SSL *ssl, int err, int sys_errno, const char *note, char *why, size_t cap)
{
	long v = SSL_get_verify_result(ssl);
	if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		ERR_clear_error();
		snprintf(why, cap, "%s",
			 sys_errno ? strerror(sys_errno) : "connection closed by the peer");
		return;
	}
	if (err == SSL_ERROR_ZERO_RETURN) {
		ERR_clear_error();
		snprintf(why, cap, "connection closed by the peer");
		return;
	}
	drain_errors(why, cap, "protocol error");
	if (v != X509_V_OK) {
		size_t n = strlen(why);
		snprintf(why + n, cap - n, " (%s%s%s)", X509_verify_cert_error_string(v),
			 note[0] ? ": " : "", note);
	}
}

struct tlsio_conn *tlsio_handshake(struct tlsio_ctx *ctx, int rfd, int wfd, const char *server_name,
				   int timeout_ms, char *why, size_t whycap)
{
	struct tlsio_conn *t = calloc(1, sizeof *t);
	long long deadline = timeout_ms >= 0 ? monotime_ms() + timeout_ms : -1;

	ERR_clear_error();
	if (!t || !(t->ssl = SSL_new(ctx->ssl))) {
		drain_errors(why, whycap, "out of memory");
		free(t);
		return NULL;
	}
	t->rfd = rfd;
	t->wfd = wfd;
	fcntl(rfd, F_SETFL, fcntl(rfd, F_GETFL) | O_NONBLOCK);
	if (wfd != rfd)
		fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
	SSL_set_rfd(t->ssl, rfd);
	SSL_set_wfd(t->ssl, wfd);
	SSL_set_ex_data(t->ssl, 0, t);
	if (ctx->role == TLSIO_CLIENT && server_name && *server_name) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(server_name);
		if (ip) {
			ASN1_OCTET_STRING_free(ip);
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), server_name);
		} else {
			SSL_set_tlsext_host_name(t->ssl, server_name);
			SSL_set1_host(t->ssl, server_name);
		}
	}
	for (;;) {
		errno = 0;
		int r = ctx->role == TLSIO_SERVER ? SSL_accept(t->ssl) : SSL_connect(t->ssl);
		if (r == 1)
			return t;
		int e = errno;
		int err = SSL_get_error(t->ssl, r);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			/* A signal (SIGTERM) ends a handshake: no message is in hand yet. */
			int w = wait_want(t, err, deadline, 1);
			if (w > 0)
				continue;
			snprintf(why, whycap, "%s", w == 0 ? "timed out" : strerror(errno));
		} else {
			ssl_reason(t->ssl, err, e, t->verify_note, why, whycap);
		}
		SSL_free(t->ssl);
		free(t);
		return NULL;
	}
}

ssize_t tlsio_read(struct tlsio_conn *t, void *buf, size_t len)
{
	size_t got = 0;
	errno = 0;
	if (SSL_read_ex(t->ssl, buf, len, &got) == 1)
		return (ssize_t)got;
	int e = errno;
	switch (SSL_get_error(t->ssl, 0)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE: errno = EAGAIN; return -1;
	case SSL_ERROR_ZERO_RETURN: return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (e == 0)
			return 0;
		errno = e;
		return -1;
	default:
		drain_errors(t->error, sizeof t->error, "protocol error");
		errno = EPROTO;
		return -1;
	}
}

const char *tlsio_last_error(const struct tlsio_conn *t)
{
	return t->error;
}

ssize_t tlsio_write(struct tlsio_conn *t, const void *buf, size_t len, int timeout_ms)
{
	long long deadline = timeout_ms >= 0 ? monotime_ms() + timeout_ms : -1;
	size_t off = 0;
	while (off < len) {
		size_t w = 0;
		errno = 0;
		if (SSL_write_ex(t->ssl, (const char *)buf + off, len - off, &w) == 1) {
			off += w;
			continue;
		}
		int e = errno;
		int err = SSL_get_error(t->ssl, 0);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			int r = wait_want(t, err, deadline, 0);
			if (r > 0)
				continue;
			errno = r == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		if (err == SSL_ERROR_SYSCALL) {
			ERR_clear_error();
			errno = e ? e : EPIPE;
		} else {
			drain_errors(t->error, sizeof t->error, "protocol error");
			errno = EPROTO;
		}
		return -1;
	}
	return (ssize_t)len;
}

size_t tlsio_pending(const struct tlsio_conn *t)
{
	return (size_t)SSL_pending(t->ssl);
}

const char *tlsio_version(const struct tlsio_conn *t)
{
	return SSL_get_version(t->ssl);
}

const char *tlsio_cipher(const struct tlsio_conn *t)
{
	return SSL_get_cipher_name(t->ssl);
}

int tlsio_peer_subject(const struct tlsio_conn *t, char *buf, size_t cap)
{
	if (cap)
		buf[0] = '\0';
	X509 *peer = SSL_get1_peer_certificate(t->ssl);
	if (!peer)
		return 0;
	if (cap)
		name_text(X509_get_subject_name(peer), buf, cap < 4097 ? cap : 4097);
	X509_free(peer);
	return 1;
}

/*
 * Can p/len be matched as a name: not empty, no NUL or other control
 * character, and either visible ASCII (SAN names: IA5 text without blanks)
 * or, for utf8, well-formed UTF-8 without C1 controls (a CN; blanks kept).
 * A name that fails is dropped whole: cutting it at a bad byte could turn
 * "lab.example.org\0.evil.net" into another, valid name.
 */
static int name_ok(const unsigned char *p, size_t len, int utf8)
{
	static const unsigned long shortest[] = {0, 0, 0x80, 0x800, 0x10000};
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		unsigned char ch = p[i];
		if (ch < 0x80) {
			if (ch < 0x20 || ch == 0x7f || (!utf8 && ch == ' '))
				return 0;
			i++;
			continue;
		}
		size_t n = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 0;
		if (!utf8 || n == 0 || ch > 0xf4 || len - i < n)
			return 0;
		unsigned long cp = ch & (0x7fu >> n);
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3fu);
		}
		if (cp < shortest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp <= 0x9f)
			return 0;
		i += n;
	}
	return 1;
}

/*
 * An iPAddress SAN as text into out (cap >= 46): dotted IPv4, or IPv6 in
 * RFC 5952 form (lower case, no leading zeros, the longest run of two or
 * more zero groups as "::", the first of equal runs; an IPv4-mapped
 * address as ::ffff:a.b.c.d).  Returns the length, 0 when it is neither 4
 * nor 16 bytes long.
 */
static size_t ip_text(const unsigned char *a, int len, char *out, size_t cap)
{
	unsigned g[8];
	int best = -1, best_len = 0, n;
	size_t o = 0;

	if (len == 4) {
		n = snprintf(out, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return n > 0 && (size_t)n < cap ? (size_t)n : 0;
	}
	if (len != 16)
		return 0;
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	if (!g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xffff) {
		n = snprintf(out, cap, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return n > 0 && (size_t)n < cap ? (size_t)n : 0;
	}
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			n = snprintf(out + o, cap - o, "::");
			i += best_len - 1;
		} else {
			n = snprintf(out + o, cap - o, "%s%x",
				     i > 0 && i != best + best_len ? ":" : "", g[i]);
		}
		if (n < 0 || (size_t)n >= cap - o)
			return 0;
		o += (size_t)n;
	}
	return o;
}

/* The list tlsio_peer_names() builds: buf[len] is always the closing NUL (when cap > 0). */
struct name_list {
	char *buf;
	size_t cap, len, skipped;
};

/* Append "KIND:name" and its NUL whole, or skip (and count) it. */
static void name_add(struct name_list *l, const char *kind, const void *p, int len, int utf8)
{
	size_t kl = strlen(kind), nl = len > 0 ? (size_t)len : 0;
	if (!p || !name_ok(p, nl, utf8) || l->cap - l->len < kl + nl + 2) {
		l->skipped++;
		return;
	}
	memcpy(l->buf + l->len, kind, kl);
	memcpy(l->buf + l->len + kl, p, nl);
	l->len += kl + nl;
	l->buf[l->len++] = '\0';
	l->buf[l->len] = '\0';
}

size_t tlsio_peer_names(const struct tlsio_conn *t, char *buf, size_t cap, size_t *skipped)
{
	struct name_list l = {buf, cap, 0, 0};
	X509 *peer = SSL_get1_peer_certificate(t->ssl);

	if (cap)
		buf[0] = '\0';
	if (peer) {
		const X509_NAME *subject = X509_get_subject_name(peer);
		for (int i = -1; subject && (i = X509_NAME_get_index_by_NID(subject, NID_commonName,
									    i)) >= 0;) {
			/* Any string type (BMPString, TeletexString ...) as UTF-8, as RFC 2253
			 * printing does. */
			unsigned char *utf8 = NULL;
			int n = ASN1_STRING_to_UTF8(
			    &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
			name_add(&l, "CN:", utf8, n, 1);
			OPENSSL_free(utf8);
		}
		GENERAL_NAMES *sans = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
		for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
			char ip[64];
			switch (g->type) {
			case GEN_DNS:
				name_add(&l, "DNS:", ASN1_STRING_get0_data(g->d.dNSName),
					 ASN1_STRING_length(g->d.dNSName), 0);
				break;
			case GEN_EMAIL:
				name_add(&l, "email:", ASN1_STRING_get0_data(g->d.rfc822Name),
					 ASN1_STRING_length(g->d.rfc822Name), 0);
				break;
			case GEN_URI:
				name_add(&l, "URI:",
					 ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
					 ASN1_STRING_length(g->d.uniformResourceIdentifier), 0);
				break;
			case GEN_IPADD: {
				size_t n =
				    ip_text(ASN1_STRING_get0_data(g->d.iPAddress),
					    ASN1_STRING_length(g->d.iPAddress), ip, sizeof ip);
				name_add(&l, "IP:", n ? ip : NULL, (int)n, 0);
				break;
			}
			default:
				/* Directory names, otherName, registeredID: not identities here. */
				break;
			}
		}
		GENERAL_NAMES_free(sans);
		X509_free(peer);
	}
	ERR_clear_error();
	if (skipped)
		*skipped = l.skipped;
	return l.len;
}

void tlsio_close(struct tlsio_conn *t)
{
	if (!t)
		return;
	SSL_shutdown(t->ssl);
	ERR_clear_error();
	SSL_free(t->ssl);
	free(t);
}

const char *tlsio_input_option(enum tlsio_input in)
{
	switch (in) {
	case TLSIO_IN_CERT: return "--tls-cert";
	case TLSIO_IN_KEY: return "--tls-key";
	case TLSIO_IN_PKCS12: return "--tls-pkcs12";
	case TLSIO_IN_CA: return "--tls-ca";
	case TLSIO_IN_PASSWORD: return "--tls-password-file";
	case TLSIO_IN_CRL: return "--tls-crl";
	case TLSIO_IN_CIPHERS: return "--tls-ciphers";
	case TLSIO_IN_GROUPS: return "--tls-groups";
	default: return "TLS";
	}
}

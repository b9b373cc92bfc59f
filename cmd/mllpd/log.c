/* SPDX-License-Identifier: MIT */
/* log.c: one line per event on stderr, in the journal with fields, or to syslog. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "systemd.h"
#include <unistd.h>

#include "termsafe.h"

static enum log_target target = LOG_TARGET_STDERR;
static int verbosity;

/* stderr is the journal when JOURNAL_STREAM names its device and inode. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* inetd and xinetd give the connection as fd 2 too: log lines must not reach the peer. */
static int stderr_is_connection(void)
{
	struct stat in, err;
	return fstat(0, &in) == 0 && fstat(2, &err) == 0 && S_ISSOCK(err.st_mode) &&
	       in.st_dev == err.st_dev && in.st_ino == err.st_ino;
}

void log_setup(enum log_target t, int v)
{
	verbosity = v;
	if (stderr_is_connection()) {
		/* Nothing, not even an --exec command's stderr, may write into the connection. */
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0 && null != 2) {
			dup2(null, 2);
			close(null);
		}
		if (t == LOG_TARGET_AUTO || t == LOG_TARGET_STDERR)
			t = LOG_TARGET_SYSLOG;
	}
	if (t == LOG_TARGET_AUTO)
		t = stderr_is_journal() ? LOG_TARGET_JOURNAL : LOG_TARGET_STDERR;
	target = t;
	if (t == LOG_TARGET_SYSLOG)
		openlog("mllpd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_enabled(int prio)
{
	if (prio <= LOG_WARNING)
		return 1;
	if (prio == LOG_DEBUG)
		return verbosity > 0;
	return verbosity >= 0;
}

void log_event(int prio, const char *message_id, const struct log_field *fields, size_t nfields,
	       const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (!log_enabled(prio))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);

	switch (target) {
	case LOG_TARGET_JOURNAL: {
		enum { MAXF = 16 };
		char bufs[MAXF + 3][320];
		struct iovec iov[MAXF + 3];
		size_t n = 0;
		snprintf(bufs[n], sizeof bufs[n], "PRIORITY=%d", prio);
		n++;
		snprintf(bufs[n], sizeof bufs[n], "SYSLOG_IDENTIFIER=mllpd");
		n++;
		if (message_id) {
			snprintf(bufs[n], sizeof bufs[n], "MESSAGE_ID=%s", message_id);
			n++;
		}
		for (size_t i = 0; i < nfields && i < MAXF; i++, n++)
			snprintf(bufs[n], sizeof bufs[n], "%s=%s", fields[i].key, fields[i].value);
		for (size_t i = 0; i < n; i++)
			iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = strlen(bufs[i])};
		char msg[sizeof text + 16];
		snprintf(msg, sizeof msg, "MESSAGE=%s", text);
		iov[n++] = (struct iovec){.iov_base = msg, .iov_len = strlen(msg)};
		if (systemd_journal_sendv(iov, (int)n) >= 0)
			return;
		break; /* fall back to stderr */
	}
	case LOG_TARGET_SYSLOG: syslog(prio, "%s", text); return;
	default: break;
	}
	/* One write per line, so lines of concurrent processes never interleave. */
	char line[sizeof text + 16];
	int k = snprintf(line, sizeof line, "mllpd: %s\n", text);
	if (k > (int)sizeof line - 1) {
		k = (int)sizeof line - 1;
		line[k - 1] = '\n';
	}
	ssize_t w = write(2, line, (size_t)k);
	(void)w;
}

/* Printable ASCII as it is, except the bytes a value may not hold; others as \xNN (lib/termsafe);
 * at most limit input bytes, "..." after. */
static void sanitise(char *dst, size_t cap, const char *p, size_t len, size_t limit,
		     const char *not_plain)
{
	size_t o = termsafe_ascii(dst, cap, p, len < limit ? len : limit, not_plain);
	if (len > limit && o + 4 <= cap)
		memcpy(dst + o, "...", 4);
}

void log_sanitise(char *dst, size_t cap, const char *p, size_t len)
{
	sanitise(dst, cap, p, len, 64, " \"\\=");
}

void log_sanitise_text(char *dst, size_t cap, const char *text)
{
	sanitise(dst, cap, text, strlen(text), strlen(text), "\"\\");
}

/* SPDX-License-Identifier: MIT */
/* mllp-load.c: benchmark client: C connections, each sending N framed messages with W in flight;
 * every message gets a unique MSH-10 and every ACK's MSA-1 (AA/CA) and MSA-2 are checked. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct job {
	int port, count, window, reconnect;
	const char *msg;
	size_t msg_len, id_off; /* MSH-10 of the template: 16 digits at id_off */
	int conn;
	double *lat; /* per message latency in microseconds (window 1 only) */
	long ok, errors;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int one = 1, fd;
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	for (int tries = 0; tries < 200; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	return -1;
}

#define ID_LEN 16

static void put_id(char *dst, int conn, long seq)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%04d%012ld", conn % 10000, seq);
	memcpy(dst, tmp, ID_LEN);
}

/* 1 if the ACK frame f[0..n) has MSA-1 AA or CA and MSA-2 equal to id. */
static int ack_ok(const char *f, size_t n, const char *id)
{
	for (size_t i = 0; i + 4 <= n; i++) {
		if ((i == 0 || f[i - 1] == '\r') && memcmp(f + i, "MSA", 3) == 0) {
			const char *p = f + i + 4;
			size_t left = n - i - 4;
			if (left < 3 + ID_LEN || !(p[0] == 'A' || p[0] == 'C') || p[1] != 'A')
				return 0;
			return memcmp(p + 3, id, ID_LEN) == 0 &&
			       (left == 3 + ID_LEN || p[3 + ID_LEN] == '\r' ||
				p[3 + ID_LEN] == p[2]);
		}
	}
	return 0;
}

/* Read `want` ACK frames; each is checked against the ID it must answer, in order. */
static int read_acks(int fd, int want, int conn, long first_seq, long *good)
{
	static __thread char buf[65536], frame[65536];
	static __thread size_t flen;
	int got = 0;
	while (got < want) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return got;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == 0x0b) {
				flen = 0;
			} else if (buf[i] == 0x1c) {
				char id[ID_LEN];
				put_id(id, conn, first_seq + got);
				*good += ack_ok(frame, flen, id);
				got++;
			} else if (buf[i] != '\r' || flen > 0) {
				if (flen < sizeof frame)
					frame[flen++] = buf[i];
			}
		}
	}
	return got;
}

static void *run(void *arg)
{
	struct job *j = arg;
	size_t per = j->msg_len + 3;
	char *frames = malloc(per * (size_t)j->window), *frame = frames;
	for (int k = 0; k < j->window; k++) {
		char *f = frames + per * (size_t)k;
		f[0] = 0x0b;
		memcpy(f + 1, j->msg, j->msg_len);
		f[j->msg_len + 1] = 0x1c;
		f[j->msg_len + 2] = 0x0d;
	}
	int fd = -1;

	if (!j->reconnect && (fd = dial(j->port)) < 0) {
		j->errors = j->count;
		return NULL;
	}
	int sent = 0, acked = 0;
	while (acked < j->count) {
		if (j->reconnect) {
			if ((fd = dial(j->port)) < 0) {
				j->errors++;
				acked++;
				continue;
			}
		}
		int burst = j->window;
		if (burst > j->count - sent)
			burst = j->count - sent;
		for (int k = 0; k < burst; k++)
			put_id(frames + per * (size_t)k + 1 + j->id_off, j->conn, sent + k);
		double t0 = now();
		size_t bytes = per * (size_t)burst;
		if (write(fd, frame, bytes) != (ssize_t)bytes)
			burst = 0;
		long good = 0;
		int got = read_acks(fd, burst, j->conn, sent, &good);
		sent += burst;
		if (j->lat && burst == 1)
			j->lat[acked] = (now() - t0) * 1e6;
		j->ok += good;
		j->errors += (burst - got) + (got - good);
		if (burst == 0)
			break;
		acked += burst;
		if (j->reconnect) {
			close(fd);
			fd = -1;
		} else if (got < burst) {
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	free(frames);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: mllp-load PORT CONNECTIONS MESSAGES-PER-CONNECTION WINDOW "
				"[--reconnect] < message\n");
		return 64;
	}
	static char msg[1 << 20];
	size_t len = fread(msg, 1, sizeof msg, stdin);
	int port = atoi(argv[1]), conns = atoi(argv[2]), count = atoi(argv[3]),
	    window = atoi(argv[4]);
	int reconnect = argc > 5 && strcmp(argv[5], "--reconnect") == 0;
	/* MSH-10 of the template becomes a 16-digit unique ID per message. */
	char *p = msg;
	int bars = 0;
	while (p < msg + len && *p != '\r' && bars < 9)
		bars += *p++ == '|';
	char *e = memchr(p, '|', len - (size_t)(p - msg));
	if (bars < 9 || !e) {
		fprintf(stderr, "mllp-load: no MSH-10 in the message\n");
		return 65;
	}
	static char tmpl[(1 << 20) + 32];
	size_t off = (size_t)(p - msg);
	memcpy(tmpl, msg, off);
	memset(tmpl + off, '0', ID_LEN);
	memcpy(tmpl + off + ID_LEN, e, len - (size_t)(e - msg));
	len = off + ID_LEN + len - (size_t)(e - msg);
	struct job *jobs = calloc((size_t)conns, sizeof *jobs);
	pthread_t *th = calloc((size_t)conns, sizeof *th);
	for (int i = 0; i < conns; i++) {
		jobs[i] = (struct job){.port = port,
				       .count = count,
				       .window = window,
				       .reconnect = reconnect,
				       .msg = tmpl,
				       .msg_len = len,
				       .id_off = off,
				       .conn = i};
		if (window == 1)
			jobs[i].lat = calloc((size_t)count, sizeof(double));
	}
	double t0 = now();
	for (int i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, run, &jobs[i]);
	long ok = 0, errors = 0;
	for (int i = 0; i < conns; i++) {
		pthread_join(th[i], NULL);
		ok += jobs[i].ok;
		errors += jobs[i].errors;
	}
	double secs = now() - t0;
	double p50 = 0, p99 = 0;
	if (window == 1) {
		size_t n = (size_t)conns * (size_t)count, k = 0;
		double *all = calloc(n, sizeof *all);
		for (int i = 0; i < conns; i++)
			for (int m = 0; m < count; m++)
				all[k++] = jobs[i].lat[m];
		qsort(all, n, sizeof *all, cmp);
		p50 = all[n / 2];
		p99 = all[n * 99 / 100];
	}
	/* One line: messages/s, good ACKs, errors (missing or wrong), p50 us, p99 us */
	printf("%.0f %ld %ld %.1f %.1f\n", (double)ok / secs, ok, errors, p50, p99);
	return errors ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/* nats-stream.c: the tests' JetStream tool: create a stream, print its count, leader and
 * messages (libnats). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

static const char usage[] =
    "usage: nats-stream URL[,URL...] create NAME SUBJECT REPLICAS MAX_MSG_SIZE DUP_SECONDS\n"
    "       nats-stream URL[,URL...] count|leader|dump NAME\n"
    "dump: one line per message: SEQ SUBJECT NATS-MSG-ID LENGTH\n";

/* The cluster may still be electing: every request is tried again for up to 30 s. */
#define TRIES 150

static void pause_200ms(void)
{
	struct timespec ts = {0, 200 * 1000000L};

	nanosleep(&ts, NULL);
}

static jsCtx *connect_js(char *urls, natsConnection **nc)
{
	const char *servers[16];
	int n = 0;
	natsOptions *o = NULL;
	jsCtx *js = NULL;

	for (char *u = strtok(urls, ","); u && n < 16; u = strtok(NULL, ","))
		servers[n++] = u;
	if (natsOptions_Create(&o) != NATS_OK || natsOptions_SetServers(o, servers, n) != NATS_OK)
		return NULL;
	natsOptions_SetTimeout(o, 2000);
	for (int i = 0; i < TRIES && natsConnection_Connect(nc, o) != NATS_OK; i++)
		pause_200ms();
	natsOptions_Destroy(o);
	if (*nc && natsConnection_JetStream(&js, *nc, NULL) != NATS_OK)
		return NULL;
	return js;
}

static int create(jsCtx *js, char **a)
{
	jsStreamConfig c;
	jsStreamInfo *si = NULL;
	const char *subjects[1] = {a[1]};
	jsErrCode e = 0;
	natsStatus s = NATS_ERR;

	jsStreamConfig_Init(&c);
	c.Name = a[0];
	c.Subjects = subjects;
	c.SubjectsLen = 1;
	c.Replicas = atoi(a[2]);
	c.MaxMsgSize = atoi(a[3]);
	c.Duplicates = (int64_t)atoi(a[4]) * 1000000000LL;
	c.Storage = js_FileStorage;
	for (int i = 0; i < TRIES && (s = js_AddStream(&si, js, &c, NULL, &e)) != NATS_OK; i++)
		pause_200ms();
	if (s != NATS_OK) {
		fprintf(stderr, "nats-stream: create %s: %s (%d)\n", a[0], nats_GetLastError(NULL),
			e);
		return 1;
	}
	jsStreamInfo_Destroy(si);
	return 0;
}

static jsStreamInfo *info(jsCtx *js, const char *name)
{
	jsStreamInfo *si = NULL;
	jsErrCode e = 0;

	for (int i = 0; i < TRIES && js_GetStreamInfo(&si, js, name, NULL, &e) != NATS_OK; i++)
		pause_200ms();
	if (!si)
		fprintf(stderr, "nats-stream: %s: %s (%d)\n", name, nats_GetLastError(NULL), e);
	return si;
}

static int dump(jsCtx *js, const char *name, jsStreamInfo *si)
{
	for (uint64_t seq = si->State.FirstSeq; seq && seq <= si->State.LastSeq; seq++) {
		natsMsg *m = NULL;
		const char *id = "-";
		jsErrCode e = 0;
		natsStatus s = NATS_ERR;

		for (int i = 0;
		     i < TRIES && (s = js_GetMsg(&m, js, name, seq, NULL, &e)) != NATS_OK &&
		     e != JSNoMessageFoundErr;
		     i++)
			pause_200ms();
		if (s != NATS_OK)
			continue;
		natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
		printf("%llu %s %s %d\n", (unsigned long long)seq, natsMsg_GetSubject(m), id,
		       natsMsg_GetDataLength(m));
		natsMsg_Destroy(m);
	}
	return 0;
}

int main(int argc, char **argv)
{
	natsConnection *nc = NULL;
	jsStreamInfo *si;
	int rc = 1;

	if (argc < 4 || (strcmp(argv[2], "create") == 0 && argc != 8)) {
		fputs(usage, stderr);
		return 64;
	}
	jsCtx *js = connect_js(argv[1], &nc);
	if (!js) {
		fprintf(stderr, "nats-stream: %s: cannot connect\n", argv[1]);
		return 69;
	}
	if (strcmp(argv[2], "create") == 0) {
		rc = create(js, argv + 3);
	} else if ((si = info(js, argv[3])) != NULL) {
		rc = 0;
		if (strcmp(argv[2], "count") == 0)
			printf("%llu\n", (unsigned long long)si->State.Msgs);
		else if (strcmp(argv[2], "leader") == 0)
			printf("%s\n",
			       si->Cluster && si->Cluster->Leader ? si->Cluster->Leader : "");
		else
			rc = dump(js, argv[3], si);
		jsStreamInfo_Destroy(si);
	}
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_Close();
	return rc;
}

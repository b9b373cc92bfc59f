/* SPDX-License-Identifier: MIT */
/* listener.c: the thin accept-and-fork layer for --listen and systemd Accept=no. */
#include "mllpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include "systemd.h"
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "selfpipe.h"

void peer_from_sockaddr(struct peer *p, const struct sockaddr *sa)
{
	p->addr[0] = p->port[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, p->addr, sizeof p->addr);
		snprintf(p->port, sizeof p->port, "%u", ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, p->addr, sizeof p->addr);
		snprintf(p->port, sizeof p->port, "%u", ntohs(in6->sin6_port));
	}
	if (p->addr[0])
		snprintf(p->label, sizeof p->label, strchr(p->addr, ':') ? "[%s]:%s" : "%s:%s",
			 p->addr, p->port);
	else
		snprintf(p->label, sizeof p->label, "unknown");
}

/* Split --listen [HOST:]PORT ("[v6]:PORT" too) into host ("" for any) and port.  0, or -2
 * (logged). */
static int split_spec(const char *spec, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon = strrchr(spec, ':');
	unsigned long long pn;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= hcap)
			goto invalid;
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = '\0';
		colon = close + 1;
	} else if (colon) {
		if ((size_t)(colon - spec) >= hcap)
			goto invalid;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
	}
	snprintf(port, pcap, "%s", colon ? colon + 1 : spec);
	if (parse_count(port, 0, 65535, &pn) != PARSE_OK) {
		log_line(LOG_ERR, "--listen: invalid port: %s", spec);
		return -2;
	}
	return 0;
invalid:
	log_line(LOG_ERR, "--listen: invalid address: %s", spec);
	return -2;
}

/* A listening socket on one address: the fd, or -1 with errno. */
static int listen_one(const struct addrinfo *ai)
{
	int one = 1, fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int listener_open(const char *spec, int *fds, size_t cap)
{
	char host[256] = "", port[32];
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE},
			*res, *ai;
	int n = 0, err, last_errno = 0;

	if (split_spec(spec, host, sizeof host, port, sizeof port) < 0)
		return -2;
	if ((err = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0) {
		log_line(LOG_ERR, "--listen: %s: %s", spec, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai && (size_t)n < cap; ai = ai->ai_next) {
		int fd = listen_one(ai);
		if (fd < 0)
			last_errno = errno;
		else
			fds[n++] = fd;
	}
	freeaddrinfo(res);
	if (n == 0) {
		log_line(LOG_ERR, "--listen: cannot bind %s: %s", spec,
			 strerror(last_errno ? last_errno : EADDRNOTAVAIL));
		return -1;
	}
	return n;
}

static volatile int child_exited;
static volatile int reload_wanted;

static void on_hup(int sig)
{
	(void)sig;
	int e = errno;
	reload_wanted = 1;
	selfpipe_wake();
	errno = e;
}

static void on_child(int sig)
{
	(void)sig;
	int e = errno;
	child_exited = 1;
	selfpipe_wake();
	errno = e;
}

/* Reap finished children; returns how many. */
static unsigned reap_children(pid_t *kids, unsigned max)
{
	unsigned n = 0;
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < max; i++)
			if (kids[i] == pid) {
				kids[i] = 0;
				n++;
				break;
			}
		if (WIFSIGNALED(status))
			log_line(LOG_ERR, "connection process %d killed by signal %d", (int)pid,
				 WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			log_line(LOG_WARNING, "connection process %d exited %d", (int)pid,
				 WEXITSTATUS(status));
	}
	return n;
}

/* The same host (the address, not the port), for --max-per-source. */
static int same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr,
			      sizeof(struct in_addr)) == 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return 0;
}

/*
 * A log line that a peer can cause again and again (a full listener, a
 * refusal) is written once a minute at most; the next one counts those
 * left out.
 */
struct ratelimit {
	time_t last; /* monotonic seconds of the last line; 0: none yet */
	unsigned long skipped;
};

/* 1 when a line may be written now (then *skipped is what was left out since the last); else
 * counted. */
static int rate_ok(struct ratelimit *r, unsigned long *skipped)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (r->last && ts.tv_sec - r->last < 60) {
		r->skipped++;
		return 0;
	}
	*skipped = r->skipped;
	r->last = ts.tv_sec > 0 ? ts.tv_sec : 1;
	r->skipped = 0;
	return 1;
}

/* " (N more since the last report)", or "" */
static const char *skipped_text(char *buf, size_t cap, unsigned long n)
{
	if (!n)
		return "";
	snprintf(buf, cap, " (%lu more since the last report)", n);
	return buf;
}

/* The accept-and-fork state: a slot per connection process, with its peer's address. */
struct listener {
	struct config *cfg;
	const int *fds;
	size_t nfds;
	char **envp;
	pid_t *kids;
	struct sockaddr_storage *from;
	struct pollfd *p;
	unsigned active;
	struct ratelimit full_log, refuse_log;
};

/* --max-per-source: is this address at its limit?  Logged (rate-limited) when it is. */
static int over_source_limit(struct listener *l, const struct sockaddr_storage *ss,
			     const struct peer *peer)
{
	const struct config *cfg = l->cfg;
	unsigned same = 0;
	char more[64];
	unsigned long skipped;

	if (!cfg->max_per_source)
		return 0;
	for (unsigned k = 0; k < cfg->max_connections; k++)
		same += l->kids[k] && same_host(&l->from[k], ss);
	if (same < cfg->max_per_source)
		return 0;
	if (rate_ok(&l->refuse_log, &skipped))
		log_line(
		    LOG_WARNING,
		    "%s: refused: %u connections from this address already (--max-per-source %u)%s",
		    peer->label, same, cfg->max_per_source,
		    skipped_text(more, sizeof more, skipped));
	return 1;
}

/* Fork a connection process for fd and keep its slot. */
static void spawn(struct listener *l, int fd, const struct sockaddr_storage *ss,
		  const struct peer *peer)
{
	const struct config *cfg = l->cfg;
	char more[64];
	unsigned long skipped;
	pid_t pid = fork();

	if (pid < 0) {
		log_line(LOG_ERR, "%s: fork: %s", peer->label, strerror(errno));
		return;
	}
	if (pid == 0) {
		for (size_t k = 0; k < l->nfds; k++)
			close(l->fds[k]);
		/* The parent's bookkeeping is not the child's (valgrind saw it lost at _exit). */
		free(l->kids);
		free(l->from);
		free(l->p);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		mllpd_child_setup();
		_exit(conn_serve(cfg, fd, fd, peer, l->envp));
	}
	for (unsigned k = 0; k < cfg->max_connections; k++)
		if (!l->kids[k]) {
			l->kids[k] = pid;
			l->from[k] = *ss;
			break;
		}
	l->active++;
	if (l->active == cfg->max_connections && rate_ok(&l->full_log, &skipped))
		log_line(
		    LOG_WARNING,
		    "all %u connection slots in use (--max-connections %u): new connections wait%s",
		    l->active, cfg->max_connections, skipped_text(more, sizeof more, skipped));
}

/* Accept one connection on a listening socket and serve it in a process of its own. */
static void accept_one(struct listener *l, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd = accept(lfd, (struct sockaddr *)&ss, &sl);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_line(LOG_ERR, "accept: %s", strerror(errno));
		return;
	}
	struct peer peer;
	peer_from_sockaddr(&peer, (struct sockaddr *)&ss);
	if (!over_source_limit(l, &ss, &peer))
		spawn(l, fd, &ss, &peer);
	close(fd);
}

/* Stop accepting; each connection finishes the message in hand. */
static void shut_down(struct listener *l)
{
	for (size_t i = 0; i < l->nfds; i++)
		close(l->fds[i]);
	systemd_notify("STOPPING=1");
	for (unsigned k = 0; k < l->cfg->max_connections; k++)
		if (l->kids[k])
			kill(l->kids[k], SIGTERM);
	while (l->active > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		l->active--;
	}
}

int listener_serve(struct config *cfg, const int *fds, size_t nfds, char **envp)
{
	struct listener l = {.cfg = cfg, .fds = fds, .nfds = nfds, .envp = envp};
	struct sigaction sa = {.sa_handler = on_child};

	l.kids = calloc(cfg->max_connections, sizeof *l.kids);
	l.from = calloc(cfg->max_connections, sizeof *l.from);
	l.p = calloc(nfds + 1, sizeof *l.p);
	if (!l.kids || !l.p || !l.from) {
		log_line(LOG_ERR, "out of memory");
		return EX_OSERR;
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_hup;
	sa.sa_flags = 0;
	sigaction(SIGHUP, &sa, NULL);
	for (size_t i = 0; i < nfds; i++)
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	systemd_notify("READY=1");

	while (!selfpipe_stop) {
		size_t n = 0;
		l.p[n++] = (struct pollfd){.fd = selfpipe_fd, .events = POLLIN};
		if (l.active < cfg->max_connections)
			for (size_t i = 0; i < nfds; i++)
				l.p[n++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		int r = poll(l.p, n, -1);
		if (r < 0 && errno != EINTR) {
			log_line(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (r > 0 && l.p[0].revents)
			selfpipe_drain();
		l.active -= reap_children(l.kids, cfg->max_connections);
		if (reload_wanted) {
			reload_wanted = 0;
			mllpd_reload(cfg);
		}
		for (size_t i = 1; i < n && r > 0 && l.active < cfg->max_connections; i++)
			if (l.p[i].revents)
				accept_one(&l, l.p[i].fd);
	}
	shut_down(&l);
	free(l.kids);
	free(l.from);
	free(l.p);
	return 0;
}

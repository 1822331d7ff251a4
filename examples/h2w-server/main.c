/* h2w-server [--host H] [--port N] [--cert F --key F] [-v]
 *            [--idle-timeout MS] [--keepalive MS] [--keepalive-timeout MS]
 *            [--header-timeout MS] [--write-timeout MS]
 *
 * Cleartext: h2c with prior knowledge (RFC 9113 §3.3: the client sends
 * the connection preface right away) or through an HTTP/1.1 Upgrade
 * (RFC 7540 §3.2). With --cert/--key: h2 over TLS, chosen by ALPN
 * (RFC 9113 §3.2). Prints "listening on HOST:PORT" once ready; routes are
 * described in routes.c. SIGINT/SIGTERM shut down gracefully (RFC 9113
 * §6.8), for at most 5 seconds. */
#define _GNU_SOURCE

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "util.h"

typedef struct args {
  const char *host;
  const char *port;
  const char *cert, *key;
  int verbose;
  srv_limits limits;
} args;

static void usage(FILE *f) {
  fputs("usage: h2w-server [--host H] [--port N] [--cert F --key F] [-v]\n"
        "  --host H  address to listen on (default 127.0.0.1)\n"
        "  --port N  TCP port, 0 picks a free one (default 8080)\n"
        "  --cert F  PEM certificate chain: serve h2 over TLS (ALPN)\n"
        "  --key F   PEM private key of --cert\n"
        "  -v        trace every frame on stderr\n"
        "limits, in milliseconds, 0 turns one off:\n"
        "  --idle-timeout MS       close a connection with no stream open\n"
        "                          (GOAWAY; default 60000)\n"
        "  --keepalive MS          PING a peer quiet for MS (default 30000)\n"
        "  --keepalive-timeout MS  ... and close if nothing arrives within\n"
        "                          MS after it (default 10000)\n"
        "  --header-timeout MS     longest header block, HEADERS to\n"
        "                          END_HEADERS (GOAWAY; default 10000)\n"
        "  --write-timeout MS      close a connection whose socket takes no\n"
        "                          byte for MS (default 30000)\n",
        f);
  if (!ex_tls_available()) {
    fputs("(this build has no TLS: --cert/--key are not available)\n", f);
  }
}

/* The limit flag `o` names, or NULL. */
static uint32_t *limit_flag(args *a, const char *o) {
  static const char *const names[] = {"--idle-timeout", "--keepalive",
                                      "--keepalive-timeout", "--header-timeout",
                                      "--write-timeout"};
  uint32_t *fields[] = {&a->limits.idle_ms, &a->limits.keepalive_ms,
                        &a->limits.keepalive_wait_ms, &a->limits.header_ms,
                        &a->limits.write_ms};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(o, names[i]) == 0) {
      return fields[i];
    }
  }
  return NULL;
}

/* Returns 0 to run, 1 after --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, args *a) {
  a->host = "127.0.0.1";
  a->port = "8080";
  a->cert = a->key = NULL;
  a->verbose = 0;
  a->limits.idle_ms = SRV_IDLE_MS;
  a->limits.keepalive_ms = SRV_KEEPALIVE_MS;
  a->limits.keepalive_wait_ms = SRV_KEEPALIVE_WAIT;
  a->limits.header_ms = SRV_HEADER_MS;
  a->limits.write_ms = SRV_WRITE_MS;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    uint64_t port, ms;
    uint32_t *limit = limit_flag(a, o);
    if (limit != NULL) {
      if (i + 1 >= argc) {
        fprintf(stderr, "h2w-server: %s needs a value in milliseconds\n", o);
        return -1;
      }
      const char *v = argv[++i];
      if (ex_parse_u64(v, strlen(v), UINT32_MAX, &ms) != 0) {
        fprintf(stderr,
                "h2w-server: %s: bad value '%s' (milliseconds, 0 to %u)\n", o,
                v, (unsigned)UINT32_MAX);
        return -1;
      }
      *limit = (uint32_t)ms;
    } else if (strcmp(o, "-v") == 0) {
      a->verbose = 1;
    } else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
      usage(stdout);
      return 1;
    } else if (strcmp(o, "--host") == 0 && i + 1 < argc) {
      a->host = argv[++i];
    } else if (strcmp(o, "--cert") == 0 && i + 1 < argc) {
      a->cert = argv[++i];
    } else if (strcmp(o, "--key") == 0 && i + 1 < argc) {
      a->key = argv[++i];
    } else if (strcmp(o, "--port") == 0 && i + 1 < argc) {
      a->port = argv[++i];
      if (ex_parse_u64(a->port, strlen(a->port), 65535, &port) != 0) {
        fprintf(stderr, "h2w-server: bad port '%s'\n", a->port);
        return -1;
      }
    } else {
      fprintf(stderr, "h2w-server: unknown or incomplete option '%s'\n", o);
      usage(stderr);
      return -1;
    }
  }
  if ((a->limits.keepalive_ms == 0) != (a->limits.keepalive_wait_ms == 0)) {
    fputs("h2w-server: --keepalive and --keepalive-timeout are both 0 "
          "(off) or both not\n",
          stderr);
    return -1;
  }
  if ((a->cert == NULL) != (a->key == NULL)) {
    fputs("h2w-server: --cert and --key go together\n", stderr);
    return -1;
  }
  if (a->cert != NULL && !ex_tls_available()) {
    fputs("h2w-server: --cert: this build has no TLS support (OpenSSL was "
          "not found at configure time: apt-get install -y libssl-dev)\n",
          stderr);
    return -1;
  }
  return 0;
}

/* Each connection is a descriptor: 1,000 of them need more than the usual
 * soft limit of 1024 once the listener and epoll are counted. */
static void raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      perror("h2w-server: setrlimit(RLIMIT_NOFILE)");
    }
  }
}

static int listen_on(const struct addrinfo *ai) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  ai->ai_protocol);
  int one = 1;
  if (fd < 0) {
    return -1;
  }
  /* A restarted server can bind while old connections sit in TIME_WAIT. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* Returns the listening socket and sets *port to the bound port. */
static int open_listener(const char *host, const char *port_s, unsigned *port) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  int rc = getaddrinfo(host, port_s, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "h2w-server: %s: %s\n", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (const struct addrinfo *ai = res; ai != NULL && fd < 0;
       ai = ai->ai_next) {
    fd = listen_on(ai);
  }
  if (fd < 0) {
    fprintf(stderr, "h2w-server: listen on %s:%s: %s\n", host, port_s,
            strerror(errno));
  }
  freeaddrinfo(res);
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
    *port = ntohs(ss.ss_family == AF_INET6 ? sin6->sin6_port : sin->sin_port);
  }
  return fd;
}

/* SIGINT/SIGTERM arrive through a signalfd in the epoll set, so the loop
 * handles them between events with no async-signal-safety concerns. A
 * write to a connection the peer already closed must fail with EPIPE
 * rather than kill the process. */
static int open_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
    return -1;
  }
  signal(SIGPIPE, SIG_IGN);
  return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int epoll_add(int epfd, int fd, void *ptr) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.ptr = ptr;
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void accept_resume(ex_timer *t, uint64_t now) {
  server *srv = t->owner;
  (void)now;
  if (srv->lfd >= 0 && epoll_add(srv->epfd, srv->lfd, &srv->lfd) == 0) {
    srv->accept_paused = 0;
  }
}

/* Stop accepting, start a graceful shutdown on every connection; a second
 * signal ends the grace period at once. */
static void on_signal(server *srv) {
  struct signalfd_siginfo si;
  while (read(srv->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
  }
  if (srv->stopping) {
    srv->stop_deadline = srv->now;
    return;
  }
  srv->stopping = 1;
  srv->stop_deadline = srv->now + SRV_STOP_GRACE_MS;
  ex_heap_disarm(&srv->timers, &srv->accept_timer);
  close(srv->lfd); /* also leaves the epoll set */
  srv->lfd = -1;
  if (srv->verbose) {
    fprintf(stderr, "shutting down: %zu connection(s)\n", srv->nconns);
  }
  for (conn *c = srv->conns, *next; c != NULL; c = next) {
    next = c->next;
    conn_shutdown(c);
  }
}

/* Milliseconds until the earliest timer (or the end of the shutdown grace
 * period), -1 when there is none. */
static int loop_timeout(const server *srv) {
  uint64_t next = ex_heap_next(&srv->timers);
  if (srv->stopping && srv->stop_deadline < next) {
    next = srv->stop_deadline;
  }
  if (next == UINT64_MAX) {
    return -1;
  }
  if (next <= srv->now) {
    return 0;
  }
  return next - srv->now > INT_MAX ? INT_MAX : (int)(next - srv->now);
}

static void dispatch(server *srv, const struct epoll_event *ev) {
  void *p = ev->data.ptr;
  if (p == &srv->lfd) {
    srv_accept(srv);
  } else if (p == &srv->sigfd) {
    on_signal(srv);
  } else if (((conn *)p)->io.fd >= 0) {
    /* A connection closed earlier in this batch is skipped: it stays
     * allocated until srv_reap() for exactly this reason. */
    conn_on_event(p, ev->events);
  }
}

static int run(server *srv) {
  struct epoll_event evs[256];
  for (;;) {
    srv->now = ex_now_ms();
    if (srv->stopping && (srv->nconns == 0 || srv->now >= srv->stop_deadline)) {
      return 0;
    }
    int n = epoll_wait(srv->epfd, evs, 256, loop_timeout(srv));
    if (n < 0 && errno != EINTR) {
      perror("h2w-server: epoll_wait");
      return 1;
    }
    srv->now = ex_now_ms();
    for (int i = 0; i < n; i++) {
      dispatch(srv, &evs[i]);
    }
    ex_heap_run(&srv->timers, srv->now);
    srv_reap(srv);
  }
}

static int setup(server *srv, const args *a) {
  unsigned port = 0;
  int v[3];
  srv->verbose = a->verbose;
  srv->limits = a->limits;
  srv->lfd = srv->sigfd = srv->epfd = -1;
  ex_timer_init(&srv->accept_timer, accept_resume, srv);
  h2w_version(&v[0], &v[1], &v[2]);
  snprintf(srv->hello, sizeof srv->hello,
           "Hello from h2w-server (h2wire %d.%d.%d) over HTTP/2!\n", v[0], v[1],
           v[2]);
  srv->hello_len = strlen(srv->hello);
  if (srv_callbacks_new(&srv->cb, a->verbose) != H2W_OK ||
      srv_options_new(&srv->opt, &a->limits) != H2W_OK) {
    fputs("h2w-server: out of memory\n", stderr);
    return -1;
  }
  if (a->cert != NULL) {
    char err[256];
    srv->tls = ex_tls_server_ctx(a->cert, a->key, err, sizeof err);
    if (srv->tls == NULL) {
      fprintf(stderr, "h2w-server: TLS: %s\n", err);
      return -1;
    }
  }
  raise_nofile();
  srv->lfd = open_listener(a->host, a->port, &port);
  srv->sigfd = open_signals();
  srv->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (srv->lfd < 0 || srv->sigfd < 0 || srv->epfd < 0 ||
      epoll_add(srv->epfd, srv->lfd, &srv->lfd) != 0 ||
      epoll_add(srv->epfd, srv->sigfd, &srv->sigfd) != 0) {
    if (srv->lfd >= 0) {
      perror("h2w-server: setup");
    }
    return -1;
  }
  printf("listening on %s:%u\n", a->host, port);
  fflush(stdout);
  return 0;
}

static void teardown(server *srv) {
  while (srv->conns != NULL) {
    conn_close(srv->conns);
  }
  srv_reap(srv);
  ex_heap_free(&srv->timers);
  h2w_callbacks_del(srv->cb);
  h2w_options_del(srv->opt);
  ex_tls_ctx_free(srv->tls);
  int fds[3] = {srv->lfd, srv->sigfd, srv->epfd};
  for (int i = 0; i < 3; i++) {
    if (fds[i] >= 0) {
      close(fds[i]);
    }
  }
}

int main(int argc, char **argv) {
  args a;
  int rc = parse_args(argc, argv, &a);
  if (rc != 0) {
    return rc > 0 ? 0 : 2;
  }
  server *srv = calloc(1, sizeof *srv);
  if (srv == NULL) {
    fputs("h2w-server: out of memory\n", stderr);
    return 1;
  }
  rc = setup(srv, &a) == 0 ? run(srv) : 1;
  teardown(srv);
  free(srv);
  return rc;
}

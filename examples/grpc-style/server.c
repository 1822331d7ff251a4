/* grpc-style server PORT: serves /pkg.Service/Echo and /pkg.Service/Upper
 * on 127.0.0.1:PORT (0: a free port), h2c with prior knowledge. One
 * thread and one poll() set; SIGINT/SIGTERM end it with exit 0. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "grpc.h"
#include "util.h"

/* Connections served at once; more wait in the listen backlog. */
#define SRV_MAX_CONNS 64

typedef struct sconn {
  gs_io io;
  gs_call *calls; /* the session's user pointer is &calls */
} sconn;

typedef struct gserver {
  int lfd;
  h2w_callbacks *cb;
  sconn *c[SRV_MAX_CONNS];
  size_t n;
  uint8_t rbuf[GS_RBUF_SIZE];
} gserver;

static volatile sig_atomic_t stop_flag;
/* Self-pipe: the handler writes one octet so that a signal arriving just
 * before poll() still wakes it (poll has no timeout when no session has a
 * timer armed). */
static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig) {
  char one = 1;
  (void)sig;
  stop_flag = 1;
  if (write(sig_pipe[1], &one, 1) < 0) {
    /* The pipe is full: a wake-up is already pending. */
  }
}

static void conn_close(gserver *g, size_t i) {
  sconn *c = g->c[i];
  h2w_session_del(c->io.s);
  close(c->io.fd);
  gs_call_free_all(&c->calls);
  free(c);
  g->c[i] = g->c[--g->n];
}

static void accept_all(gserver *g) {
  while (g->n < SRV_MAX_CONNS) {
    int fd = accept(g->lfd, NULL, NULL);
    if (fd < 0) {
      return; /* EAGAIN, or a failed handshake: poll again */
    }
    sconn *c = calloc(1, sizeof *c);
    if (c == NULL || ex_set_nonblock(fd) != 0 ||
        h2w_session_server_new(&c->io.s, g->cb, NULL, &c->calls, NULL) !=
            H2W_OK) {
      free(c);
      close(fd);
      continue;
    }
    c->io.fd = fd;
    h2w_session_tick(c->io.s, ex_now_ms());
    g->c[g->n++] = c;
  }
}

/* Service one connection after poll(). Returns 0 to keep it, -1 to close
 * it: the socket failed, the peer left, or the session is finished. */
static int conn_service(gserver *g, sconn *c, short revents, uint64_t now) {
  gs_io *io = &c->io;
  if (h2w_session_tick(io->s, now) != H2W_OK) {
    gs_flush(io); /* the GOAWAY, best effort */
    return -1;
  }
  if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
    int rv = gs_read(io, g->rbuf, sizeof g->rbuf);
    if (rv == GS_E_EOF || rv == GS_E_SOCKET) {
      return -1;
    }
  }
  /* After a connection error the session still yields its GOAWAY, then
   * its sticky error: that ends the connection. */
  if (gs_flush(io) != 0) {
    return -1;
  }
  if (!h2w_session_want_read(io->s) && !h2w_session_want_write(io->s) &&
      !gs_pending(io)) {
    return -1;
  }
  return 0;
}

static int wait_ms(const gserver *g, uint64_t now) {
  int ms = -1;
  for (size_t i = 0; i < g->n; i++) {
    int t = gs_poll_ms(g->c[i]->io.s, now);
    if (t >= 0 && (ms < 0 || t < ms)) {
      ms = t;
    }
  }
  return ms;
}

static void serve(gserver *g) {
  struct pollfd p[SRV_MAX_CONNS + 2];
  while (!stop_flag) {
    /* The signal pipe is last; only its readiness matters. */
    p[g->n + 1].fd = sig_pipe[0];
    p[g->n + 1].events = POLLIN;
    p[0].fd = g->lfd;
    p[0].events = g->n < SRV_MAX_CONNS ? POLLIN : 0;
    for (size_t i = 0; i < g->n; i++) {
      p[i + 1].fd = g->c[i]->io.fd;
      p[i + 1].events =
          (short)(POLLIN | (gs_pending(&g->c[i]->io) ? POLLOUT : 0));
      p[i + 1].revents = 0;
    }
    p[0].revents = 0;
    if (poll(p, g->n + 2, wait_ms(g, ex_now_ms())) < 0) {
      if (errno == EINTR) {
        continue;
      }
      perror("grpc-style: poll");
      return;
    }
    uint64_t now = ex_now_ms();
    /* Backwards, so closing one (moving the last into its slot) does not
     * skip any. Connections accepted below are serviced next pass. */
    for (size_t i = g->n; i-- > 0;) {
      if (conn_service(g, g->c[i], p[i + 1].revents, now) != 0) {
        conn_close(g, i);
      }
    }
    if ((p[0].revents & POLLIN) != 0) {
      accept_all(g);
    }
  }
}

int gs_server_main(int argc, char **argv) {
  uint64_t port;
  if (argc != 2 || ex_parse_u64(argv[1], strlen(argv[1]), 65535, &port) != 0) {
    if (argc != 2) {
      fputs("grpc-style server: want exactly one argument, the PORT\n", stderr);
    } else {
      fprintf(stderr, "grpc-style server: bad port '%s' (0 to 65535)\n",
              argv[1]);
    }
    fputs("usage: grpc-style server PORT   (0: any free port)\n", stderr);
    return 2;
  }
  if (pipe(sig_pipe) != 0 || ex_set_nonblock(sig_pipe[0]) != 0 ||
      ex_set_nonblock(sig_pipe[1]) != 0) {
    perror("grpc-style: pipe");
    return 1;
  }
  gserver *g = calloc(1, sizeof *g);
  if (g == NULL || gs_call_callbacks(&g->cb) != H2W_OK) {
    fputs("grpc-style: out of memory\n", stderr);
    free(g);
    return 1;
  }
  unsigned bound = 0;
  g->lfd = gs_listen((unsigned)port, &bound);
  if (g->lfd < 0) {
    fprintf(stderr, "grpc-style: listen on 127.0.0.1:%u: %s\n", (unsigned)port,
            strerror(errno));
    h2w_callbacks_del(g->cb);
    free(g);
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  printf("listening on 127.0.0.1:%u\n", bound);
  fflush(stdout);
  serve(g);
  while (g->n > 0) {
    conn_close(g, g->n - 1);
  }
  close(g->lfd);
  close(sig_pipe[0]);
  close(sig_pipe[1]);
  h2w_callbacks_del(g->cb);
  free(g);
  return 0;
}

/* minimal-server: the smallest complete h2wire server. Cleartext HTTP/2
 * with prior knowledge (RFC 9113 §3.3), one poll() loop, no TLS, no timer
 * heap. Every request is answered 200 with a short text. It shows the
 * lifecycle every server needs: tick on your clock, handle EOF, close
 * gracefully. Usage: minimal-server [PORT]  (0 picks a free port). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getaddrinfo */
#include <h2wire.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 64
#define LINGER_MS 2000 /* how long a closing socket is drained */
#define NV(n, v)                                                               \
  { (const uint8_t *)n, strlen(n), (const uint8_t *)v, strlen(v), 0 }

static const char body[] = "hello from minimal-server\n";
typedef struct conn {
  int fd;
  h2w_session *s;
  int shut;              /* h2w_session_shutdown() was called */
  uint64_t linger_until; /* 0: open; else draining after our close */
} conn;
static conn conns[MAXCONN];
static volatile sig_atomic_t stop;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
/* The body offset of each response lives in the stream's user data as a
 * number (the library never dereferences it), so no per-stream memory has
 * to be freed: h2w_session_del() fires no on_stream_close. */
static h2w_ssize read_body(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *u) {
  size_t off = (uintptr_t)h2w_session_get_stream_user_data(s, id);
  (void)u;
  if (len > sizeof body - 1 - off)
    len = sizeof body - 1 - off;
  memcpy(buf, body + off, len);
  off += len;
  h2w_session_set_stream_user_data(s, id, (void *)(uintptr_t)off);
  if (off == sizeof body - 1)
    *flags |= H2W_DATA_FLAG_EOF;
  return (h2w_ssize)len;
}
/* The request is complete (its body, if any, was discarded): answer. */
static int on_request(h2w_session *s, uint32_t id, void *u) {
  h2w_nv h[] = {NV(":status", "200"), NV("content-type", "text/plain")};
  h2w_data_source src = {read_body, NULL, NULL};
  (void)u;
  return h2w_session_submit_response(s, id, h, 2, &src);
}
/* Our side is done: send FIN but keep reading (and discarding) until the
 * peer closes or LINGER_MS pass. Closing with unread input would make the
 * kernel answer with a TCP reset, which can destroy our last frames
 * (the GOAWAY) before the peer reads them. */
static void start_linger(conn *c, uint64_t now) {
  shutdown(c->fd, SHUT_WR);
  c->linger_until = now + LINGER_MS;
}
static void drop(conn *c) {
  close(c->fd);
  h2w_session_del(c->s);
  c->fd = -1;
}
/* Write what the session has queued; 0 on success, -1 on a dead socket. */
static int flush(conn *c) {
  const uint8_t *p;
  h2w_ssize n;
  while ((n = h2w_session_peek(c->s, &p)) > 0) {
    ssize_t w = write(c->fd, p, (size_t)n);
    if (w < 0)
      return errno == EAGAIN ? 0 : -1;
    h2w_session_ack(c->s, (size_t)w);
  }
  return 0;
}
static void serve(conn *c, short rev, uint64_t now) {
  uint8_t buf[16384];
  ssize_t n = -2; /* -2: nothing read, -1: error, 0: EOF */
  if (rev & (POLLIN | POLLHUP | POLLERR)) {
    n = read(c->fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      n = -2;
  }
  if (c->linger_until) { /* draining: EOF, an error or time ends it */
    if (n == 0 || n == -1 || now >= c->linger_until)
      drop(c);
    return;
  }
  if (n == -1) { /* reset by the peer: nothing more can be sent */
    drop(c);
    return;
  }
  if (n == 0) {
    /* EOF: the peer sends nothing more, so no stream can make progress
     * (h2wire has no eof call yet): flush what is queued and close. */
    flush(c);
    drop(c);
    return;
  }
  if (n > 0)
    h2w_session_recv(c->s, buf, (size_t)n); /* errors queue a GOAWAY */
  if (stop && !c->shut++)
    h2w_session_shutdown(c->s); /* GOAWAY, PING, final GOAWAY (§6.8) */
  /* Abuse limits refill and timers fire only through tick: servers must. */
  h2w_session_tick(c->s, now);
  if (flush(c) < 0)
    drop(c);
  else if (!h2w_session_want_read(c->s) && !h2w_session_want_write(c->s))
    start_linger(c, now);
}
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t alen = sizeof a;
  int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
  char *end = NULL;
  long port = argc > 1 ? strtol(argv[1], &end, 10) : 8080;
  h2w_callbacks *cb;
  h2w_options *opt;
  uint64_t stop_at = 0;
  if (argc > 2 || (end && *end) || port < 0 || port > 65535) {
    fprintf(stderr, "minimal-server: bad port '%s'\nusage: %s [PORT]\n",
            argc > 1 ? argv[1] : "", argv[0]);
    return 2;
  }
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 64) ||
      getsockname(lfd, (struct sockaddr *)&a, &alen)) {
    perror("minimal-server: listen");
    return 1;
  }
  signal(SIGINT, on_signal), signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);
  printf("listening on 127.0.0.1:%u\n", ntohs(a.sin_port));
  fflush(stdout);
  h2w_callbacks_new(&cb, NULL);
  h2w_callbacks_set_on_stream_end(cb, on_request);
  h2w_options_new(&opt, NULL);
  h2w_options_set_idle_timeout(opt, 60000); /* close idle clients */
  for (int i = 0; i < MAXCONN; i++)
    conns[i].fd = -1;
  for (int live = 1; !stop || live;) {
    struct pollfd pf[MAXCONN + 1];
    uint64_t now = now_ms(), due = now + 1000;
    live = 0;
    for (int i = 0; i < MAXCONN; i++) {
      conn *c = &conns[i];
      uint64_t d =
          c->linger_until
              ? c->linger_until
              : (c->fd < 0 ? UINT64_MAX : h2w_session_next_deadline(c->s));
      pf[i].fd = c->fd; /* poll() skips negative descriptors */
      pf[i].events = POLLIN;
      if (c->fd >= 0 && !c->linger_until && h2w_session_want_write(c->s))
        pf[i].events |= POLLOUT;
      live += c->fd >= 0;
      due = d < due ? d : due;
    }
    pf[MAXCONN].fd = stop ? -1 : lfd;
    pf[MAXCONN].events = POLLIN;
    if (poll(pf, MAXCONN + 1, due > now ? (int)(due - now) : 0) < 0 &&
        errno != EINTR)
      break;
    now = now_ms();
    if (stop && !stop_at)
      stop_at = now + 5000; /* streams get 5 s to finish, then we go */
    for (int i = 0; i < MAXCONN && stop_at && now >= stop_at; i++)
      if (conns[i].fd >= 0)
        drop(&conns[i]);
    for (int i = 0; i < MAXCONN; i++)
      if (conns[i].fd >= 0)
        serve(&conns[i], pf[i].revents, now);
    if (pf[MAXCONN].revents & POLLIN) {
      int fd = accept(lfd, NULL, NULL), i = 0;
      while (i < MAXCONN && conns[i].fd >= 0)
        i++;
      if (fd >= 0 && i == MAXCONN)
        close(fd); /* full: a real server would queue or refuse politely */
      else if (fd >= 0) {
        fcntl(fd, F_SETFL, O_NONBLOCK);
        conns[i] = (conn){fd, NULL, 0, 0};
        if (h2w_session_server_new(&conns[i].s, cb, opt, NULL, NULL)) {
          close(fd);
          conns[i].fd = -1;
        } else
          h2w_session_tick(conns[i].s, now); /* the idle clock starts */
      }
    }
  }
  h2w_options_del(opt);
  h2w_callbacks_del(cb);
  close(lfd);
  return 0;
}

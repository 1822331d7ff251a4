/* minimal-client: the smallest complete h2wire client. Cleartext HTTP/2
 * with prior knowledge (RFC 9113 §3.3), one poll() loop, no TLS. It GETs
 * each URL on one connection, writes the bodies to stdout as they arrive
 * and one line "URL -> STATUS (N bytes)" per response to stderr, then
 * closes gracefully. Exit 0 when every response arrived whole.
 * Usage: minimal-client http://HOST[:PORT]/PATH...  (one HOST:PORT) */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getaddrinfo */
#include <h2wire.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXREQ 64
#define LINGER_MS 2000 /* how long the closing socket is drained */
#define NV(n, v)                                                               \
  { (const uint8_t *)n, strlen(n), (const uint8_t *)v, strlen(v), 0 }

typedef struct req {
  const char *url, *path; /* path points into url */
  char status[4];
  size_t bytes;
  int complete, closed; /* END_STREAM seen; on_stream_close seen */
} req;
static req reqs[MAXREQ];
static int open_streams;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
/* The stream's user data is its req, owned by main(): nothing to free. */
static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv, void *u) {
  req *r = h2w_session_get_stream_user_data(s, id);
  (void)u;
  if (nv->namelen == 7 && !memcmp(nv->name, ":status", 7) && nv->valuelen == 3)
    memcpy(r->status, nv->value, 3); /* the last one: 1xx come first */
  return 0;
}
static int on_data(h2w_session *s, uint32_t id, const uint8_t *d, size_t n,
                   void *u) {
  req *r = h2w_session_get_stream_user_data(s, id);
  (void)u;
  r->bytes += n;
  return fwrite(d, 1, n, stdout) == n ? 0 : H2W_E_CALLBACK_FAILURE;
}
static int on_end(h2w_session *s, uint32_t id, void *u) {
  req *r = h2w_session_get_stream_user_data(s, id);
  (void)u;
  r->complete = 1;
  fprintf(stderr, "%s -> %s (%zu bytes)\n", r->url, r->status, r->bytes);
  return 0;
}
static int on_close(h2w_session *s, uint32_t id, uint32_t code, uint32_t fl,
                    void *u) {
  req *r = h2w_session_get_stream_user_data(s, id);
  (void)fl, (void)u;
  if (!r->complete) /* code: RFC 9113 §7 error code of the reset */
    fprintf(stderr, "%s: stream closed early (code %u)\n", r->url, code);
  r->closed = 1;
  open_streams--;
  return 0;
}
static int dial(const char *host, const char *port) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *p;
  int fd = -1, rc = getaddrinfo(host, port, &hints, &ai);
  if (rc) {
    fprintf(stderr, "minimal-client: %s: %s\n", host, gai_strerror(rc));
    return -1;
  }
  for (p = ai; p && fd < 0; p = p->ai_next) {
    fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
    if (fd >= 0 && connect(fd, p->ai_addr, p->ai_addrlen))
      close(fd), fd = -1;
  }
  freeaddrinfo(ai);
  if (fd < 0)
    fprintf(stderr, "minimal-client: connect %s:%s: %s\n", host, port,
            strerror(errno));
  return fd;
}

int main(int argc, char **argv) {
  char auth[256], host[256], port[8] = "80";
  int n = argc - 1, fd, shut = 0, bad = 0;
  uint64_t linger_until = 0;
  h2w_callbacks *cb;
  h2w_session *s;
  for (int i = 0; i < n && i < MAXREQ; i++) {
    const char *u = argv[i + 1], *a = u + 7, *p = strchr(a, '/');
    size_t alen = p ? (size_t)(p - a) : strlen(a);
    if (strncmp(u, "http://", 7) || !alen || alen >= sizeof auth ||
        (i && (strlen(auth) != alen || strncmp(auth, a, alen)))) {
      fprintf(stderr,
              "minimal-client: %s: want http://HOST[:PORT]/PATH, "
              "all on one HOST:PORT\n",
              u);
      return 2;
    }
    memcpy(auth, a, alen), auth[alen] = '\0';
    reqs[i] = (req){u, p ? p : "/", "---", 0, 0, 0};
  }
  if (n < 1 || n > MAXREQ) {
    fprintf(stderr,
            "minimal-client: want 1 to %d URLs\n"
            "usage: %s http://HOST[:PORT]/PATH...\n",
            MAXREQ, argv[0]);
    return 2;
  }
  strcpy(host, auth);
  char *colon = strrchr(host, ':');
  if (colon && !strchr(colon, ']'))
    snprintf(port, sizeof port, "%s", colon + 1), *colon = '\0';
  if ((fd = dial(host, port)) < 0)
    return 1;
  signal(SIGPIPE, SIG_IGN);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  h2w_callbacks_new(&cb, NULL);
  h2w_callbacks_set_on_header(cb, on_header);
  h2w_callbacks_set_on_data(cb, on_data);
  h2w_callbacks_set_on_stream_end(cb, on_end);
  h2w_callbacks_set_on_stream_close(cb, on_close);
  h2w_session_client_new(&s, cb, NULL, NULL, NULL);
  h2w_callbacks_del(cb);
  for (int i = 0; i < n; i++) {
    h2w_nv h[] = {NV(":method", "GET"), NV(":scheme", "http"),
                  NV(":authority", auth), NV(":path", reqs[i].path)};
    if (h2w_session_submit_request(s, h, 4, NULL, &reqs[i]) > 0)
      open_streams++;
    else
      fprintf(stderr, "%s: refused by the library\n", reqs[i].url), bad = 1;
  }
  for (;;) {
    uint64_t now = now_ms(), due = h2w_session_next_deadline(s);
    struct pollfd pf = {fd, POLLIN, 0};
    uint8_t buf[16384];
    const uint8_t *out;
    h2w_ssize k;
    h2w_session_tick(s, now); /* the SETTINGS and shutdown timers */
    /* Every stream is over: close gracefully (GOAWAY, RFC 9113 §6.8), but
     * keep reading: frames the server sent meanwhile (a PING, say) are
     * still answered instead of being met with a TCP reset. */
    if (!open_streams && !shut++)
      h2w_session_shutdown(s);
    while ((k = h2w_session_peek(s, &out)) > 0) {
      ssize_t w = write(fd, out, (size_t)k);
      if (w < 0)
        break; /* EAGAIN: POLLOUT below; else read() reports the error */
      h2w_session_ack(s, (size_t)w);
    }
    if (!linger_until && !h2w_session_want_read(s) &&
        !h2w_session_want_write(s)) {
      shutdown(fd, SHUT_WR); /* done: FIN, then drain until the peer's */
      linger_until = now + LINGER_MS;
    }
    if (linger_until)
      due = linger_until;
    if (h2w_session_want_write(s))
      pf.events |= POLLOUT;
    if (poll(&pf, 1,
             due > now ? (int)(due - now < 1000 ? due - now : 1000) : 0) < 0 &&
        errno != EINTR)
      break;
    if (linger_until && now_ms() >= linger_until)
      break;
    if (!(pf.revents & (POLLIN | POLLHUP | POLLERR)))
      continue;
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (r <= 0) { /* EOF or reset: the server sends nothing more */
      if (open_streams)
        fprintf(stderr,
                "minimal-client: connection closed by the server "
                "with %d stream(s) open\n",
                open_streams);
      /* Tell the session, as the server example does: it ends every
       * stream still open (on_stream_close reports each) and drops its
       * output, so nothing is left half-done when it is deleted. */
      if (!linger_until)
        h2w_session_eof(s);
      break; /* unfinished streams count as failed below */
    }
    if (!linger_until && (k = h2w_session_recv(s, buf, (size_t)r)) < 0)
      fprintf(stderr, "minimal-client: %s\n", h2w_strerror((int)k));
  }
  close(fd);
  h2w_session_del(s);
  for (int i = 0; i < n; i++)
    bad |= !reqs[i].complete;
  return bad;
}

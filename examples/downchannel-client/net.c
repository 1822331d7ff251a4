/* One connection of the downchannel client: the TCP connection (with TLS
 * on top for https://), the poll loop that moves bytes between the socket and
 * the session and ticks the session's clock (the keepalive PING and its timeout
 * live there), and the reason the connection ended. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dc.h"
#include "util.h"

/* Results of the socket side, apart from the h2w_error values. */
#define DC_E_SOCKET (-1000)
#define DC_E_EOF (-1001)

/* A non-blocking connect bounded by the ping timeout: a peer that does
 * not complete the TCP handshake is as dead as one that does not answer
 * PINGs. Returns the socket, or -1 with the reason in err. */
static int dial_one(const struct addrinfo *ai, int ms, char *err, size_t cap) {
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  int e = 0;
  socklen_t elen = sizeof e;
  if (fd < 0 || ex_set_nonblock(fd) != 0) {
    e = errno;
  } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    struct pollfd p = {fd, POLLOUT, 0};
    if (errno != EINPROGRESS) {
      e = errno;
    } else if (poll(&p, 1, ms) <= 0) {
      e = errno == EINTR ? EINTR : ETIMEDOUT;
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0) {
      e = errno;
    }
  }
  if (e != 0) {
    snprintf(err, cap, "%s", strerror(e));
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* https://: the TLS handshake, bounded like the TCP one, then RFC 9113
 * §3.2: HTTP/2 over TLS only when ALPN chose h2. Returns 0, or -1 with
 * the reason in c->why (fd closed). */
static int tls_start(dc_conn *c, int fd, int ms) {
  uint64_t end = ex_now_ms() + (uint64_t)ms;
  if (ex_io_tls(&c->io, c->o->tls, fd, c->o->host) != 0) {
    snprintf(c->why, sizeof c->why, "TLS: %.160s", c->io.err);
    close(fd);
    c->io.fd = -1;
    return -1;
  }
  for (;;) {
    int rv = ex_io_handshake(&c->io);
    if (rv == 0) {
      break;
    }
    uint64_t now = ex_now_ms();
    struct pollfd p = {fd, (short)(rv == EX_IO_WANT_WRITE ? POLLOUT : POLLIN),
                       0};
    if (rv == EX_IO_ERROR || now >= end || poll(&p, 1, (int)(end - now)) <= 0) {
      snprintf(c->why, sizeof c->why, "TLS handshake with %.60s: %.120s",
               c->o->host,
               rv == EX_IO_ERROR ? c->io.err : "timed out or interrupted");
      return -1;
    }
  }
  if (!ex_io_alpn_h2(&c->io)) {
    snprintf(c->why, sizeof c->why,
             "%.100s did not choose h2 by ALPN (RFC 9113 §3.2)", c->o->host);
    return -1;
  }
  return 0;
}

static int dial(dc_conn *c) {
  struct addrinfo hints, *res = NULL;
  char ports[8], err[128] = "no address";
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  snprintf(ports, sizeof ports, "%u", c->o->port);
  int rc = getaddrinfo(c->o->host, ports, &hints, &res);
  if (rc != 0) {
    snprintf(c->why, sizeof c->why, "resolve %.100s: %s", c->o->host,
             gai_strerror(rc));
    return -1;
  }
  int ms =
      c->o->ping_timeout_ms > INT_MAX ? INT_MAX : (int)c->o->ping_timeout_ms;
  int fd = -1;
  for (const struct addrinfo *ai = res; ai != NULL && fd < 0;
       ai = ai->ai_next) {
    fd = dial_one(ai, ms, err, sizeof err);
  }
  freeaddrinfo(res);
  if (fd < 0) {
    snprintf(c->why, sizeof c->why, "connect to %.100s port %u: %s", c->o->host,
             c->o->port, err);
    return -1;
  }
  if (!c->o->https) {
    ex_io_plain(&c->io, fd);
    return 0;
  }
  return tls_start(c, fd, ms);
}

/* Move session output to the socket until one of them has nothing more.
 * Returns 0, the session's negative error, or DC_E_SOCKET. */
static int flush(dc_conn *c) {
  for (;;) {
    if (c->woff == c->wlen) {
      h2w_ssize n = h2w_session_send(c->s, c->wbuf, sizeof c->wbuf);
      if (n <= 0) {
        return (int)n;
      }
      c->woff = 0;
      c->wlen = (size_t)n;
    }
    ssize_t w = ex_io_write(&c->io, c->wbuf + c->woff, c->wlen - c->woff);
    if (w == EX_IO_WANT_WRITE || w == EX_IO_WANT_READ) {
      return 0; /* POLLOUT while output waits; a TLS read comes anyway */
    }
    if (w < 0) {
      return DC_E_SOCKET;
    }
    c->woff += (size_t)w;
  }
}

static int poll_ms(const dc_conn *c) {
  uint64_t due = h2w_session_next_deadline(c->s), now = ex_now_ms();
  if (due == UINT64_MAX) {
    return -1;
  }
  return due <= now ? 0 : due - now > INT_MAX ? INT_MAX : (int)(due - now);
}

/* Wait for the socket or the session's next deadline, tick the session,
 * read what arrived. Returns 0, DC_E_EOF, DC_E_SOCKET or the session's
 * error. A signal returns 0 early, for the caller to look at. */
static int wait_and_read(dc_conn *c) {
  struct pollfd p;
  p.fd = c->io.fd;
  p.events = (short)(POLLIN | (c->woff < c->wlen ? POLLOUT : 0));
  p.revents = 0;
  if (poll(&p, 1, poll_ms(c)) < 0) {
    return errno == EINTR ? 0 : DC_E_SOCKET;
  }
  int rv = h2w_session_tick(c->s, ex_now_ms());
  if (rv != H2W_OK || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
    return rv;
  }
  /* Plain TCP: one read, poll reports the rest. TLS: until the transport
   * wants more, since OpenSSL may hold decrypted bytes poll cannot see. */
  do {
    ssize_t n = ex_io_read(&c->io, c->rbuf, sizeof c->rbuf);
    if (n == EX_IO_WANT_READ || n == EX_IO_WANT_WRITE) {
      return 0;
    }
    if (n < 0) {
      return DC_E_SOCKET;
    }
    if (n == 0) {
      return DC_E_EOF;
    }
    h2w_ssize r = h2w_session_recv(c->s, c->rbuf, (size_t)n);
    if (r < 0) {
      return (int)r;
    }
  } while (c->io.ssl != NULL);
  return 0;
}

/* The connection failed with rv: say why. A connection error outranks a
 * reason noted earlier (a GOAWAY that announced the end, say). */
static void failed(dc_conn *c, int rv) {
  const char *reason = NULL;
  if (rv == DC_E_EOF) {
    snprintf(c->why, sizeof c->why, "connection closed by the server");
  } else if (rv == DC_E_SOCKET) {
    snprintf(c->why, sizeof c->why, "socket: %s",
             c->io.err[0] != '\0' ? c->io.err : strerror(errno));
  } else {
    h2w_session_error(c->s, NULL, &reason, NULL);
    snprintf(c->why, sizeof c->why, "%s (%s)",
             reason != NULL ? reason : h2w_strerror(rv), h2w_error_name(rv));
    flush(c); /* the GOAWAY the session queued, best effort */
  }
}

/* RFC 9113 §6.8: GOAWAY(NO_ERROR) before closing, one try. */
static void goodbye(dc_conn *c) {
  if (h2w_session_submit_goaway(c->s, H2W_NO_ERROR, NULL, 0) == H2W_OK) {
    flush(c);
  }
}

static int run(dc_conn *c) {
  h2w_session_tick(c->s, ex_now_ms());
  for (;;) {
    if (dc_stopping()) {
      goodbye(c);
      return DC_END_STOP;
    }
    int rv = flush(c);
    if (rv == 0 && c->closed) {
      goodbye(c);
      break;
    }
    if (rv == 0 && !h2w_session_want_read(c->s) &&
        !h2w_session_want_write(c->s) && c->woff == c->wlen) {
      snprintf(c->why, sizeof c->why, "connection ended by the server");
      break;
    }
    if (rv == 0) {
      rv = wait_and_read(c);
    }
    if (rv != 0) {
      failed(c, rv);
      break;
    }
  }
  return c->open ? DC_END_LOST : DC_END_FAILED;
}

int dc_run_once(const dc_opts *o, uint64_t *events, char *why, size_t cap) {
  dc_conn *c = calloc(1, sizeof *c);
  int end = DC_END_FAILED;
  if (c == NULL) {
    snprintf(why, cap, "out of memory");
    return end;
  }
  c->o = o;
  c->io.fd = -1;
  c->events = events;
  if (dial(c) == 0) {
    int rv = dc_session_new(c);
    if (rv == H2W_OK) {
      rv = dc_open_stream(c);
    }
    if (rv == H2W_OK) {
      end = run(c);
    } else {
      snprintf(c->why, sizeof c->why, "session: %s", h2w_strerror(rv));
    }
  }
  snprintf(why, cap, "%s", c->why);
  h2w_session_del(c->s);
  ex_io_close(&c->io); /* TLS close_notify if it can leave, then close */
  free(c);
  return end;
}

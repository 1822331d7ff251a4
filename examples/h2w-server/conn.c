/* Connection I/O: bytes read from the transport (TCP or TLS) go to
 * h2w_session_recv(); bytes from h2w_session_send() go to the transport.
 * The session decides everything else. Before HTTP/2 starts a connection
 * runs its TLS handshake (CONN_TLS) or is sniffed for the client preface
 * versus an HTTP/1.1 request (CONN_SNIFF, h1.c). */
#define _GNU_SOURCE

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

/* How long accepting pauses when we are out of descriptors: the listen
 * socket would otherwise stay readable and spin the loop. */
#define ACCEPT_PAUSE_MS 100u

static void conn_timer_fire(ex_timer *t, uint64_t now);

/* EPOLLIN is always wanted (input, or the peer closing); EPOLLOUT while
 * output waits for the socket, or while a TLS read waits to write. */
static int set_interest(conn *c, int want_out) {
  struct epoll_event ev;
  uint32_t events = EPOLLIN;
  if (want_out || c->read_on_out) {
    events |= EPOLLOUT;
  }
  if (c->events == events) {
    return 0;
  }
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.ptr = c;
  if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->io.fd, &ev) != 0) {
    return -1;
  }
  c->events = events;
  return 0;
}

/* Write what is staged (an HTTP/1.1 answer, then session output), within
 * the per-wake-up budget. EPOLLOUT is wanted only while output is
 * actually left over: want_write() alone may be 1 for output that flow
 * control holds back. Returns 0, or -1 on a transport or session
 * error. */
static int conn_flush(conn *c) {
  size_t budget = SRV_WRITE_BUDGET;
  c->write_on_in = 0;
  for (;;) {
    if (c->woff == c->wlen) {
      if ((c->state != CONN_H2 && c->state != CONN_LINGER) || c->hold_output) {
        return set_interest(c, 0);
      }
      if (budget == 0) {
        /* Waiting for EPOLLOUT like a blocked write: if it never comes,
         * the write timeout must still see a stuck connection. */
        if (c->stall_since == 0) {
          c->stall_since = c->srv->now != 0 ? c->srv->now : 1;
        }
        return set_interest(c, 1);
      }
      h2w_ssize n = h2w_session_send(c->s, c->wbuf, sizeof c->wbuf);
      if (n < 0) {
        return -1;
      }
      if (n == 0) {
        return set_interest(c, 0);
      }
      c->woff = 0;
      c->wlen = (size_t)n;
      budget = budget > (size_t)n ? budget - (size_t)n : 0;
    }
    ssize_t w = ex_io_write(&c->io, c->wbuf + c->woff, c->wlen - c->woff);
    if (w == EX_IO_WANT_WRITE) {
      /* Stuck since the last byte that left (--write-timeout). */
      if (c->stall_since == 0) {
        c->stall_since = c->srv->now != 0 ? c->srv->now : 1;
      }
      return set_interest(c, 1);
    }
    if (w == EX_IO_WANT_READ) {
      /* TLS must read before it can write: retried on EPOLLIN. */
      c->write_on_in = 1;
      return set_interest(c, 0);
    }
    if (w < 0) {
      return -1;
    }
    c->stall_since = 0;
    c->woff += (size_t)w;
  }
}

/* A connection error ended the session: the library queued a GOAWAY
 * (RFC 9113 §5.4.1). Send it if the socket takes it now; the caller then
 * closes. */
static void conn_fatal(conn *c, int err) {
  if (c->srv->verbose) {
    uint32_t code = 0;
    const char *reason = NULL;
    h2w_session_error(c->s, &code, &reason, NULL);
    fprintf(stderr, "[conn %llu] closing: %s (%s, %s)\n",
            (unsigned long long)c->id, h2w_error_name(err),
            h2w_http2_error_name(code), reason != NULL ? reason : "-");
  }
  conn_flush(c);
}

static void conn_note(const conn *c, const char *what) {
  if (c->srv->verbose) {
    fprintf(stderr, "[conn %llu] %s\n", (unsigned long long)c->id, what);
  }
}

/* Before HTTP/2 runs, the connection timer is the start deadline. */
static int arm_start_timer(conn *c) {
  server *srv = c->srv;
  return ex_heap_arm(&srv->timers, &c->timer, srv->now + SRV_START_MS);
}

/* An HTTP/1.1 answer that has left: half-close, so the peer reads all of
 * it before seeing the end, and wait for its FIN (CONN_DRAIN). Closing at
 * once could reset the connection over unread input and lose the answer
 * (RFC 9112 §9.6). */
static int conn_service_h1(conn *c) {
  if (c->state == CONN_H1_DONE && c->woff == c->wlen) {
    shutdown(c->io.fd, SHUT_WR);
    c->state = CONN_DRAIN;
  }
  return 0;
}

/* The timer at `due`, strictly in the future so that the heap never
 * re-fires within one pass. Returns 0, or 1 if c was closed. */
static int conn_arm(conn *c, uint64_t due) {
  server *srv = c->srv;
  if (due <= srv->now) {
    due = srv->now + 1;
  }
  if (ex_heap_arm(&srv->timers, &c->timer, due) != 0) {
    conn_close(c);
    return 1;
  }
  return 0;
}

/* The end of a lingering close: end our side (TLS close_notify, FIN) and
 * discard input until the peer's FIN (CONN_DRAIN) or linger_end. Closing
 * with unread input would make the kernel answer with a TCP reset, which
 * can destroy our GOAWAY before the peer reads it. Returns 1 if c was
 * closed. */
static int conn_half_close(conn *c) {
  ex_io_shutdown_write(&c->io);
  c->state = CONN_DRAIN;
  c->read_on_out = 0;
  c->write_on_in = 0;
  if (set_interest(c, 0) != 0) {
    conn_close(c);
    return 1;
  }
  return conn_arm(c, c->linger_end);
}

/* CONN_LINGER: what arrives is answered (conn_read, conn_flush); once the
 * peer has been quiet for SRV_QUIET_MS and our answers are written, our
 * side ends. Returns 1 if c was closed. */
static int conn_service_linger(conn *c) {
  server *srv = c->srv;
  if (srv->now >= c->linger_end) {
    conn_note(c, "lingering close timed out");
    conn_close(c);
    return 1;
  }
  uint64_t due = c->linger_end;
  if (c->woff == c->wlen) {
    if (srv->now >= c->quiet_until) {
      return conn_half_close(c);
    }
    due = c->quiet_until < due ? c->quiet_until : due;
  }
  return conn_arm(c, due);
}

/* The session is over: GOAWAY sent or received, no stream left, output
 * written. RFC 9113 §6.8: after our GOAWAY the peer may still send frames
 * (a PING, a SETTINGS) and gets its answers until it goes quiet
 * (CONN_LINGER). A peer that sent GOAWAY itself is the one closing: our
 * side ends at once. Returns 1 if c was closed. */
static int conn_begin_linger(conn *c) {
  server *srv = c->srv;
  c->linger_end = srv->now + SRV_LINGER_MS;
  if (c->peer_goaway) {
    return conn_half_close(c);
  }
  c->state = CONN_LINGER;
  c->quiet_until = srv->now + SRV_QUIET_MS;
  return conn_service_linger(c);
}

int conn_service(conn *c) {
  server *srv = c->srv;
  if (c->state == CONN_TLS || c->state == CONN_SNIFF) {
    return 0;
  }
  if (conn_flush(c) != 0) {
    conn_close(c);
    return 1;
  }
  if (c->state == CONN_LINGER) {
    return conn_service_linger(c);
  }
  if (c->state != CONN_H2) {
    return conn_service_h1(c);
  }
  if (!h2w_session_want_read(c->s) && !h2w_session_want_write(c->s) &&
      c->woff == c->wlen) {
    return conn_begin_linger(c);
  }
  uint64_t due = h2w_session_next_deadline(c->s);
  const srv_limits *l = &srv->limits;
  if (c->hdr_since != 0 && l->header_ms != 0 &&
      c->hdr_since + l->header_ms < due) {
    due = c->hdr_since + l->header_ms;
  }
  if (c->stall_since != 0 && l->write_ms != 0 &&
      c->stall_since + l->write_ms < due) {
    due = c->stall_since + l->write_ms;
  }
  if (due == UINT64_MAX) {
    ex_heap_disarm(&srv->timers, &c->timer);
    return 0;
  }
  return conn_arm(c, due);
}

static void conn_timer_fire(ex_timer *t, uint64_t now) {
  conn *c = t->owner;
  if (c->state == CONN_LINGER) {
    conn_service(c);
    return;
  }
  if (c->state == CONN_DRAIN && c->s != NULL) {
    conn_note(c, "the peer did not close: closing");
    conn_close(c);
    return;
  }
  if (c->state != CONN_H2) {
    conn_note(c, "start deadline passed: closing");
    conn_close(c);
    return;
  }
  const srv_limits *l = &c->srv->limits;
  if (c->stall_since != 0 && l->write_ms != 0 &&
      now >= c->stall_since + l->write_ms) {
    /* The peer reads nothing: a GOAWAY could not leave either. */
    conn_note(c, "write timeout: the peer reads nothing, closing");
    conn_close(c);
    return;
  }
  if (c->hdr_since != 0 && l->header_ms != 0 &&
      now >= c->hdr_since + l->header_ms) {
    /* A header block blocks the whole connection until it ends (RFC 9113
     * §6.10): one left unfinished is a connection error; ours is a
     * timeout, reported with GOAWAY ENHANCE_YOUR_CALM (§7). */
    static const char why[] = "header block timeout";
    conn_note(c, "header block timeout: GOAWAY, closing");
    h2w_session_submit_goaway(c->s, H2W_ENHANCE_YOUR_CALM, (const uint8_t *)why,
                              sizeof why - 1);
    conn_flush(c);
    conn_close(c);
    return;
  }
  int rv = h2w_session_tick(c->s, now);
  if (rv != H2W_OK) {
    conn_fatal(c, rv);
    conn_close(c);
    return;
  }
  conn_service(c);
}

int conn_start_h2(conn *c) {
  server *srv = c->srv;
  if (h2w_session_server_new(&c->s, srv->cb, srv->opt, c, NULL) != H2W_OK) {
    return -1;
  }
  c->state = CONN_H2;
  ex_heap_disarm(&srv->timers, &c->timer);
  h2w_session_tick(c->s, srv->now);
  return 0;
}

int conn_feed(conn *c, const uint8_t *in, size_t n) {
  h2w_ssize r = h2w_session_recv(c->s, in, n);
  if (r >= 0) {
    r = conn_consume_owed(c);
  }
  if (r < 0) {
    conn_fatal(c, (int)r);
    return 1;
  }
  return 0;
}

static int conn_new(server *srv, int fd) {
  conn *c = calloc(1, sizeof *c);
  int one = 1;
  if (c == NULL) {
    return -1;
  }
  /* Small frames (an /events line, a PING ACK) must leave at once rather
   * than wait for Nagle's algorithm. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->srv = srv;
  c->id = ++srv->next_conn_id;
  ex_timer_init(&c->timer, conn_timer_fire, c);
  ex_io_plain(&c->io, fd);
  c->state = CONN_SNIFF;
  if (srv->tls != NULL) {
    c->state = CONN_TLS;
    if (ex_io_tls(&c->io, srv->tls, fd, NULL) != 0) {
      fprintf(stderr, "h2w-server: %s\n", c->io.err);
      free(c);
      return -1;
    }
  }
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.ptr = c;
  if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 ||
      arm_start_timer(c) != 0) {
    c->io.fd = -1; /* the caller closes fd */
    ex_io_close(&c->io);
    free(c);
    return -1;
  }
  c->events = EPOLLIN;
  c->next = srv->conns;
  if (srv->conns != NULL) {
    srv->conns->prev = c;
  }
  srv->conns = c;
  srv->nconns++;
  /* Nothing is sent yet: the server preface (RFC 9113 §3.4) follows the
   * TLS handshake, or the client's first bytes on cleartext, which may
   * still turn out to be an HTTP/1.1 Upgrade (h1.c). */
  return 0;
}

void srv_pause_accept(server *srv) {
  if (srv->accept_paused || srv->lfd < 0) {
    return;
  }
  epoll_ctl(srv->epfd, EPOLL_CTL_DEL, srv->lfd, NULL);
  srv->accept_paused = 1;
  if (ex_heap_arm(&srv->timers, &srv->accept_timer,
                  srv->now + ACCEPT_PAUSE_MS) != 0) {
    srv->accept_timer.fire(&srv->accept_timer, srv->now);
  }
}

void srv_accept(server *srv) {
  /* A bounded batch per wake-up; the level-triggered listener reports the
   * rest on the next pass. */
  for (int i = 0; i < 64; i++) {
    int fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        perror("h2w-server: accept");
        srv_pause_accept(srv);
        return;
      }
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      return; /* EAGAIN: nothing more */
    }
    if (conn_new(srv, fd) != 0) {
      close(fd);
    }
  }
}

/* CONN_H2 input. Plain TCP: a few reads, the level-triggered socket
 * reports the rest. TLS: read until the transport wants more, since
 * OpenSSL may hold decrypted bytes that no epoll event announces.
 * Returns 0 to go on, 1 when the connection must close: end of input, a
 * transport error, or a session error (after its GOAWAY went out if it
 * could). */
static int conn_read(conn *c) {
  server *srv = c->srv;
  c->read_on_out = 0;
  for (int i = 0; c->io.ssl != NULL || i < 4; i++) {
    ssize_t n = ex_io_read(&c->io, srv->rbuf, sizeof srv->rbuf);
    if (n == EX_IO_WANT_READ) {
      return 0;
    }
    if (n == EX_IO_WANT_WRITE) {
      c->read_on_out = 1;
      return set_interest(c, 0) != 0;
    }
    if (n <= 0) {
      conn_note(c, n == 0 ? "peer closed" : c->io.err);
      return 1;
    }
    c->hold_output = 0;
    if (c->state == CONN_LINGER) {
      c->quiet_until = srv->now + SRV_QUIET_MS; /* the peer still talks */
    }
    if (conn_feed(c, srv->rbuf, (size_t)n) != 0) {
      return 1;
    }
    if (c->io.ssl == NULL && (size_t)n < sizeof srv->rbuf) {
      return 0;
    }
  }
  return 0;
}

/* CONN_TLS: one handshake step. RFC 9113 §3.2: HTTP/2 over TLS only when
 * ALPN chose h2; a client that did not even offer ALPN gets the
 * connection closed (one that offered other protocols was already
 * refused with an alert by the select callback). */
static int conn_handshake(conn *c) {
  char desc[96], line[160];
  int rv = ex_io_handshake(&c->io);
  if (rv == EX_IO_WANT_READ || rv == EX_IO_WANT_WRITE) {
    return set_interest(c, rv == EX_IO_WANT_WRITE) != 0;
  }
  if (rv != 0) {
    conn_note(c, c->io.err);
    return 1;
  }
  if (!ex_io_alpn_h2(&c->io)) {
    conn_note(c, "TLS without ALPN h2: closing");
    return 1;
  }
  snprintf(line, sizeof line, "TLS %s, ALPN h2",
           ex_io_describe(&c->io, desc, sizeof desc));
  conn_note(c, line);
  if (conn_start_h2(c) != 0) {
    return 1;
  }
  /* The client preface may already sit decrypted inside OpenSSL. */
  return conn_read(c);
}

/* After an HTTP/1.1 answer: discard input until the peer closes. */
static int conn_discard(conn *c) {
  for (;;) {
    ssize_t n = ex_io_read(&c->io, c->srv->rbuf, sizeof c->srv->rbuf);
    if (n == EX_IO_WANT_READ) {
      return 0;
    }
    if (n <= 0) {
      return 1;
    }
  }
}

void conn_on_event(conn *c, uint32_t events) {
  int in = (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
  int out = (events & EPOLLOUT) != 0;
  int done = 0;
  switch (c->state) {
  case CONN_TLS:
    done = conn_handshake(c);
    break;
  case CONN_SNIFF:
    done = in ? h1_sniff(c) : 0;
    break;
  case CONN_H2:
  case CONN_LINGER:
    if (c->state == CONN_H2) {
      h2w_session_tick(c->s, c->srv->now);
    }
    if (in || (out && c->read_on_out)) {
      done = conn_read(c);
    }
    break;
  default:
    done = in ? conn_discard(c) : 0;
    break;
  }
  if (done) {
    conn_close(c);
    return;
  }
  conn_service(c);
}

void conn_shutdown(conn *c) {
  if (c->state != CONN_H2) {
    conn_close(c);
    return;
  }
  int rv = h2w_session_shutdown(c->s);
  if (rv != H2W_OK) {
    conn_fatal(c, rv);
    conn_close(c);
    return;
  }
  conn_service(c);
}

/* h2w_session_del() ends every stream still live with on_stream_close
 * (H2W_CLOSE_FLAG_CONNECTION), whose handler frees its request; the loop
 * below frees any the session never reported. The conn itself stays
 * allocated (fd -1) until srv_reap(), since later events of the current
 * epoll batch may still point at it. */
void conn_close(conn *c) {
  server *srv = c->srv;
  ex_heap_disarm(&srv->timers, &c->timer);
  h2w_session_del(c->s);
  c->s = NULL;
  while (c->reqs != NULL) {
    req_free(c->reqs);
  }
  ex_io_close(&c->io);
  if (c->prev != NULL) {
    c->prev->next = c->next;
  } else {
    srv->conns = c->next;
  }
  if (c->next != NULL) {
    c->next->prev = c->prev;
  }
  srv->nconns--;
  c->prev = NULL;
  c->next = srv->dead;
  srv->dead = c;
}

void srv_reap(server *srv) {
  while (srv->dead != NULL) {
    conn *c = srv->dead;
    srv->dead = c->next;
    free(c);
  }
}

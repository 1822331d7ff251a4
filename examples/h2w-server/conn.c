/* Connection I/O: bytes read from the socket go to h2w_session_recv();
 * bytes from h2w_session_send() go to write(). The session decides
 * everything else. */
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

static int set_interest(conn *c, uint32_t events) {
  struct epoll_event ev;
  if (c->events == events) {
    return 0;
  }
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.ptr = c;
  if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
    return -1;
  }
  c->events = events;
  return 0;
}

/* Write what the session has, within the per-wake-up budget. EPOLLOUT is
 * wanted only while output is actually left over: want_write() alone may
 * be 1 for output that flow control holds back. Returns 0, or -1 on a
 * socket error or a session error. */
static int conn_flush(conn *c) {
  size_t budget = SRV_WRITE_BUDGET;
  for (;;) {
    if (c->woff == c->wlen) {
      if (budget == 0) {
        return set_interest(c, EPOLLIN | EPOLLOUT);
      }
      h2w_ssize n = h2w_session_send(c->s, c->wbuf, sizeof c->wbuf);
      if (n < 0) {
        return -1;
      }
      if (n == 0) {
        return set_interest(c, EPOLLIN);
      }
      c->woff = 0;
      c->wlen = (size_t)n;
      budget = budget > (size_t)n ? budget - (size_t)n : 0;
    }
    ssize_t w = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
    if (w < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return set_interest(c, EPOLLIN | EPOLLOUT);
      }
      return -1;
    }
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

int conn_service(conn *c) {
  server *srv = c->srv;
  if (conn_flush(c) != 0) {
    conn_close(c);
    return 1;
  }
  if (!h2w_session_want_read(c->s) && !h2w_session_want_write(c->s) &&
      c->woff == c->wlen) {
    conn_close(c);
    return 1;
  }
  uint64_t due = h2w_session_next_deadline(c->s);
  if (due == UINT64_MAX) {
    ex_heap_disarm(&srv->timers, &c->timer);
    return 0;
  }
  /* Strictly in the future, so the heap never re-fires within one pass. */
  if (due <= srv->now) {
    due = srv->now + 1;
  }
  if (ex_heap_arm(&srv->timers, &c->timer, due) != 0) {
    conn_close(c);
    return 1;
  }
  return 0;
}

static void conn_timer_fire(ex_timer *t, uint64_t now) {
  conn *c = t->owner;
  int rv = h2w_session_tick(c->s, now);
  if (rv != H2W_OK) {
    conn_fatal(c, rv);
    conn_close(c);
    return;
  }
  conn_service(c);
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
  c->fd = fd;
  c->id = ++srv->next_conn_id;
  ex_timer_init(&c->timer, conn_timer_fire, c);
  if (h2w_session_server_new(&c->s, srv->cb, srv->opt, c, NULL) != H2W_OK) {
    free(c);
    return -1;
  }
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.ptr = c;
  if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    h2w_session_del(c->s);
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
  h2w_session_tick(c->s, srv->now);
  /* Our SETTINGS (the server preface, RFC 9113 §3.4) go out at once. */
  conn_service(c);
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

/* Returns 0 to go on, 1 when the connection must close: end of input, a
 * socket error, or a session error (after its GOAWAY went out if it
 * could). */
static int conn_read(conn *c) {
  server *srv = c->srv;
  for (int i = 0; i < 4; i++) {
    ssize_t n = read(c->fd, srv->rbuf, sizeof srv->rbuf);
    if (n == 0) {
      return 1;
    }
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
    }
    h2w_ssize r = h2w_session_recv(c->s, srv->rbuf, (size_t)n);
    if (r >= 0) {
      r = conn_consume_owed(c);
    }
    if (r < 0) {
      conn_fatal(c, (int)r);
      return 1;
    }
    if ((size_t)n < sizeof srv->rbuf) {
      return 0;
    }
  }
  return 0;
}

void conn_on_event(conn *c, uint32_t events) {
  h2w_session_tick(c->s, c->srv->now);
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 && conn_read(c) != 0) {
    conn_close(c);
    return;
  }
  conn_service(c);
}

void conn_shutdown(conn *c) {
  int rv = h2w_session_shutdown(c->s);
  if (rv != H2W_OK) {
    conn_fatal(c, rv);
    conn_close(c);
    return;
  }
  conn_service(c);
}

/* After a fatal error no callback fires again, and h2w_session_del()
 * fires none either: the requests are freed here. The conn itself stays
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
  close(c->fd);
  c->fd = -1;
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

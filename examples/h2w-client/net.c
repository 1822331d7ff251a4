/* The client's transport: one TCP connection, non-blocking, driven by
 * poll(). Reads go to h2w_session_recv(), h2w_session_send() output goes
 * to write(), and the session clock is ticked on every pass. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "util.h"

/* How long the closing GOAWAY may take to leave. */
#define CLI_CLOSE_MS 1000

int cli_dial(const char *host, unsigned port, char *err, size_t errlen) {
  struct addrinfo hints, *res = NULL;
  char ports[8];
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  snprintf(ports, sizeof ports, "%u", port);
  int rc = getaddrinfo(host, ports, &hints, &res);
  if (rc != 0) {
    snprintf(err, errlen, "resolve %s: %s", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1, e = 0;
  for (const struct addrinfo *ai = res; ai != NULL && fd < 0;
       ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      e = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    snprintf(err, errlen, "connect to %s port %u: %s", host, port,
             strerror(e != 0 ? e : errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (ex_set_nonblock(fd) != 0) {
    snprintf(err, errlen, "fcntl: %s", strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* Write what the session has until the socket is full. Returns 0, or a
 * negative h2w_error from the session, or -1000 on a socket error. */
static int flush(client *cl) {
  for (;;) {
    if (cl->woff == cl->wlen) {
      h2w_ssize n = h2w_session_send(cl->s, cl->wbuf, sizeof cl->wbuf);
      if (n <= 0) {
        return (int)n;
      }
      cl->woff = 0;
      cl->wlen = (size_t)n;
    }
    ssize_t w = write(cl->fd, cl->wbuf + cl->woff, cl->wlen - cl->woff);
    if (w < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1000;
    }
    cl->woff += (size_t)w;
  }
}

/* The session ended with error `err`: every unfinished URL fails with the
 * session's reason. The GOAWAY it queued goes out if the socket takes
 * it. */
static void session_failed(client *cl, int err) {
  char why[160];
  uint32_t code = 0;
  const char *reason = NULL;
  h2w_session_error(cl->s, &code, &reason, NULL);
  snprintf(why, sizeof why, "connection error: %s (%s%s%s)", h2w_strerror(err),
           h2w_http2_error_name(code), reason != NULL ? ", " : "",
           reason != NULL ? reason : "");
  flush(cl);
  cl->dead = 1;
  cli_fail_all(cl, why);
}

static int poll_timeout(const client *cl, uint64_t now) {
  uint64_t due = h2w_session_next_deadline(cl->s);
  if (due == UINT64_MAX) {
    return -1;
  }
  return due <= now ? 0 : due - now > INT_MAX ? INT_MAX : (int)(due - now);
}

/* Read once. Returns 0 to go on, -1 when the connection is over. */
static int read_some(client *cl) {
  ssize_t n = read(cl->fd, cl->rbuf, sizeof cl->rbuf);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
      return 0;
    }
    char why[96];
    snprintf(why, sizeof why, "read: %s", strerror(errno));
    cli_fail_all(cl, why);
    return -1;
  }
  if (n == 0) {
    cli_fail_all(cl, "connection closed by the server");
    return -1;
  }
  h2w_ssize r = h2w_session_recv(cl->s, cl->rbuf, (size_t)n);
  if (r >= 0) {
    r = cli_consume_owed(cl);
  }
  if (r < 0) {
    session_failed(cl, (int)r);
    return -1;
  }
  return 0;
}

/* One pass: flush, wait for the socket or the next session deadline,
 * tick, read. Returns -1 when the connection is over. */
static int step(client *cl) {
  int rv = flush(cl);
  if (rv != 0) {
    if (rv == -1000) {
      cli_fail_all(cl, "write to the server failed");
    } else {
      session_failed(cl, rv);
    }
    return -1;
  }
  /* A stream can finish inside h2w_session_send() too: our END_STREAM
   * may leave after the whole response arrived (RFC 9113 §8.1). */
  if (cl->ndone == cl->n) {
    return 0;
  }
  if (!h2w_session_want_read(cl->s) && !h2w_session_want_write(cl->s) &&
      cl->woff == cl->wlen) {
    cli_fail_all(cl, "connection ended by the server");
    return -1;
  }
  struct pollfd p;
  p.fd = cl->fd;
  p.events = (short)(POLLIN | (cl->woff < cl->wlen ? POLLOUT : 0));
  p.revents = 0;
  if (poll(&p, 1, poll_timeout(cl, ex_now_ms())) < 0 && errno != EINTR) {
    cli_fail_all(cl, "poll failed");
    return -1;
  }
  rv = h2w_session_tick(cl->s, ex_now_ms());
  if (rv != H2W_OK) {
    session_failed(cl, rv);
    return -1;
  }
  if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
    return read_some(cl);
  }
  return 0;
}

/* RFC 9113 §6.8: say goodbye with GOAWAY(NO_ERROR), then close; the
 * socket gets CLI_CLOSE_MS to take it. */
static void say_goaway(client *cl) {
  uint64_t end = ex_now_ms() + CLI_CLOSE_MS;
  if (h2w_session_submit_goaway(cl->s, H2W_NO_ERROR, NULL, 0) != H2W_OK) {
    return;
  }
  for (;;) {
    /* flush() drains the session until it has nothing more: all that is
     * left to wait for is what the socket refused. */
    if (flush(cl) != 0 || cl->woff == cl->wlen) {
      return;
    }
    uint64_t now = ex_now_ms();
    if (now >= end) {
      return;
    }
    struct pollfd p;
    p.fd = cl->fd;
    p.events = POLLOUT;
    p.revents = 0;
    if (poll(&p, 1, (int)(end - now)) <= 0) {
      return;
    }
  }
}

void cli_run(client *cl) {
  h2w_session_tick(cl->s, ex_now_ms());
  while (cl->ndone < cl->n) {
    if (step(cl) != 0) {
      return;
    }
  }
  say_goaway(cl);
}

/* The client's transport: one TCP connection, non-blocking, driven by
 * poll(), with TLS on top for https://. Reads go to h2w_session_recv(),
 * h2w_session_send() output goes to the transport, and the session clock
 * is ticked on every pass. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "util.h"

/* How long the graceful close may take in all: reading what is pending,
 * the GOAWAY leaving, answering what the server still sends, the server
 * closing its side. */
#define CLI_CLOSE_MS 2000
/* After our GOAWAY the write side stays open while the server may still
 * send something that wants an answer: until the PING sent behind the
 * GOAWAY comes back, or, from a server that does not answer it, until
 * nothing has arrived for this long. */
#define CLI_QUIET_MS 500
/* How long the TLS handshake may take. */
#define CLI_HANDSHAKE_MS 10000

int cli_wait(client *cl, int want, uint64_t deadline) {
  struct pollfd p;
  uint64_t now = ex_now_ms();
  if (now >= deadline) {
    return -1;
  }
  p.fd = cl->io.fd;
  p.events = (short)(want == EX_IO_WANT_READ ? POLLIN : POLLOUT);
  p.revents = 0;
  uint64_t ms = deadline - now;
  int rv = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
  return rv > 0 || (rv < 0 && errno == EINTR) ? 0 : -1;
}

/* RFC 9113 §3.2: over TLS, HTTP/2 only when ALPN chose h2; a server that
 * chose nothing (or, against RFC 7301, something we did not offer) is
 * left at once. */
int cli_tls_start(client *cl, char *err, size_t errlen) {
  uint64_t deadline = ex_now_ms() + CLI_HANDSHAKE_MS;
  for (;;) {
    int rv = ex_io_handshake(&cl->io);
    if (rv == 0) {
      break;
    }
    if (rv == EX_IO_ERROR) {
      snprintf(err, errlen, "%s", cl->io.err);
      return -1;
    }
    if (cli_wait(cl, rv, deadline) != 0) {
      snprintf(err, errlen, "TLS handshake timed out");
      return -1;
    }
  }
  if (!ex_io_alpn_h2(&cl->io)) {
    snprintf(err, errlen,
             "the server did not negotiate h2 through ALPN (RFC 9113 "
             "§3.2): it does not speak HTTP/2 over TLS");
    return -1;
  }
  if (cl->verbose) {
    char desc[96];
    fprintf(stderr, "TLS %s, ALPN h2\n",
            ex_io_describe(&cl->io, desc, sizeof desc));
  }
  return 0;
}

/* Write what the session has until the transport is full. Returns 0, or
 * a negative h2w_error from the session, or -1000 on a transport error. */
static int flush(client *cl) {
  cl->write_on_in = 0;
  for (;;) {
    if (cl->woff == cl->wlen) {
      h2w_ssize n = h2w_session_send(cl->s, cl->wbuf, sizeof cl->wbuf);
      if (n <= 0) {
        return (int)n;
      }
      cl->woff = 0;
      cl->wlen = (size_t)n;
    }
    ssize_t w = ex_io_write(&cl->io, cl->wbuf + cl->woff, cl->wlen - cl->woff);
    if (w == EX_IO_WANT_WRITE) {
      return 0;
    }
    if (w == EX_IO_WANT_READ) {
      cl->write_on_in = 1; /* retried after the next read */
      return 0;
    }
    if (w < 0) {
      return -1000;
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

/* What feed_once() returns when the session refused the input. */
#define CLI_FEED_FAILED (-100)

/* Read once from the transport and hand it to the session, then give back
 * the window the application has consumed. Returns what ex_io_read()
 * returned (octets read, 0 at the server's end of input,
 * EX_IO_WANT_READ/WRITE, EX_IO_ERROR), or CLI_FEED_FAILED with *err the
 * session's error. */
static ssize_t feed_once(client *cl, int *err) {
  ssize_t n = ex_io_read(&cl->io, cl->rbuf, sizeof cl->rbuf);
  if (n > 0) {
    h2w_ssize r = h2w_session_recv(cl->s, cl->rbuf, (size_t)n);
    if (r >= 0) {
      r = cli_consume_owed(cl);
    }
    if (r < 0) {
      *err = (int)r;
      return CLI_FEED_FAILED;
    }
  }
  return n;
}

/* Read once (TCP: poll reports what is left) or, over TLS, until the
 * transport wants more: OpenSSL may hold decrypted bytes that poll()
 * cannot see. Returns 0 to go on, -1 when the connection is over. */
static int read_some(client *cl) {
  cl->read_on_out = 0;
  do {
    int err = 0;
    ssize_t n = feed_once(cl, &err);
    if (n == EX_IO_WANT_READ) {
      return 0;
    }
    if (n == EX_IO_WANT_WRITE) {
      cl->read_on_out = 1;
      return 0;
    }
    if (n == CLI_FEED_FAILED) {
      session_failed(cl, err);
      return -1;
    }
    if (n < 0) {
      cli_fail_all(cl, cl->io.err);
      return -1;
    }
    if (n == 0) {
      cli_fail_all(cl, "connection closed by the server");
      return -1;
    }
  } while (cl->io.ssl != NULL && cl->ndone < cl->n);
  return 0;
}

/* Wait up to `timeout` ms (-1: no limit) for the socket: readable, or
 * writable while output waits for it (not while it waits for a TLS read)
 * or while a TLS read waits to write. Returns 1 when a read is due, 0
 * when not (time up, EINTR), -1 when poll() failed. */
static int wait_io(client *cl, int timeout) {
  int want_out = (cl->woff < cl->wlen && !cl->write_on_in) || cl->read_on_out;
  struct pollfd p;
  p.fd = cl->io.fd;
  p.events = (short)(POLLIN | (want_out ? POLLOUT : 0));
  p.revents = 0;
  if (poll(&p, 1, timeout) < 0) {
    return errno == EINTR ? 0 : -1;
  }
  return (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0 ||
         (cl->read_on_out && (p.revents & POLLOUT) != 0);
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
  int due = wait_io(cl, poll_timeout(cl, ex_now_ms()));
  if (due < 0) {
    cli_fail_all(cl, "poll failed");
    return -1;
  }
  rv = h2w_session_tick(cl->s, ex_now_ms());
  if (rv != H2W_OK) {
    session_failed(cl, rv);
    return -1;
  }
  return due ? read_some(cl) : 0;
}

/* Input already waiting after the last response (a PING, SETTINGS, a
 * WINDOW_UPDATE) is read and answered before we say goodbye: the server
 * may wait for that PING ACK or SETTINGS ACK (RFC 9113 §6.7, §6.5.3).
 * Returns 0, or -1 when the connection is over. */
static int drain_pending(client *cl, uint64_t end) {
  while (ex_now_ms() < end) {
    int err = 0;
    ssize_t n = feed_once(cl, &err);
    if (n == EX_IO_WANT_READ || n == EX_IO_WANT_WRITE) {
      return flush(cl) == 0 ? 0 : -1;
    }
    if (n <= 0 || flush(cl) != 0) {
      return -1; /* end of input, transport or session error */
    }
  }
  return 0;
}

/* RFC 9113 §6.8: say goodbye with GOAWAY(NO_ERROR), right behind a PING
 * whose ACK answer_late() waits for. The PING goes first: some peers
 * (python-h2) take any frame after a GOAWAY for a protocol error. The
 * socket gets CLI_CLOSE_MS in all to take them. */
static int say_goaway(client *cl, uint64_t end) {
  /* Without a free PING slot answer_late() just waits for quiet. */
  (void)h2w_session_submit_ping(cl->s, (const uint8_t *)CLI_CLOSE_PING);
  if (h2w_session_submit_goaway(cl->s, H2W_NO_ERROR, NULL, 0) != H2W_OK) {
    return -1;
  }
  for (;;) {
    /* flush() drains the session until it has nothing more: all that is
     * left to wait for is what the socket refused. */
    if (flush(cl) != 0) {
      return -1;
    }
    if (cl->woff == cl->wlen) {
      return 0;
    }
    if (cli_wait(cl, cl->write_on_in ? EX_IO_WANT_READ : EX_IO_WANT_WRITE,
                 end) != 0) {
      return -1;
    }
  }
}

/* Read what the transport has and hand it to the session. Returns 1 when
 * something arrived, 0 when nothing did, -1 at the end of input or on a
 * transport or session error. */
static int read_late(client *cl) {
  int got = 0;
  cl->read_on_out = 0;
  for (;;) {
    int err = 0;
    ssize_t n = feed_once(cl, &err);
    if (n == EX_IO_WANT_READ) {
      return got;
    }
    if (n == EX_IO_WANT_WRITE) {
      cl->read_on_out = 1;
      return got;
    }
    if (n == CLI_FEED_FAILED) {
      flush(cl); /* the session's GOAWAY, if the socket takes it */
      return -1;
    }
    if (n <= 0) {
      return -1;
    }
    got = 1;
  }
}

/* After our GOAWAY the server may still send frames, and we still process
 * them (RFC 9113 §6.8): a PING gets its ACK (§6.7), a SETTINGS its ACK
 * (§6.5.3). Every byte goes to the session and what it produces is
 * written, until the server has answered the PING sent with the GOAWAY
 * (it sends in order: whatever it sent before that answer, a PING that
 * crossed our GOAWAY, is here and answered) and our answers are written,
 * or the server has been quiet for CLI_QUIET_MS, or the time is up; then
 * 0: go on to the lingering close. Returns -1 when the connection is
 * over: the server closed, or an error. */
static int answer_late(client *cl, uint64_t end) {
  uint64_t quiet = ex_now_ms() + CLI_QUIET_MS;
  for (;;) {
    if (flush(cl) != 0) {
      return -1;
    }
    if (cl->close_ping_acked && cl->woff == cl->wlen &&
        !h2w_session_want_write(cl->s)) {
      return 0;
    }
    uint64_t now = ex_now_ms();
    uint64_t until = quiet < end ? quiet : end;
    if (now >= until) {
      return 0;
    }
    uint64_t ms = until - now;
    int due = wait_io(cl, ms > INT_MAX ? INT_MAX : (int)ms);
    if (due < 0) {
      return -1;
    }
    if (due) {
      int rv = read_late(cl);
      if (rv < 0) {
        return -1;
      }
      if (rv > 0) {
        quiet = ex_now_ms() + CLI_QUIET_MS;
      }
    }
  }
}

/* A lingering close: end our side (close_notify, FIN) and read,
 * discarding, until the server closes or the time is up. Closing with
 * unread input would make the kernel answer with a TCP reset, which can
 * destroy the GOAWAY before the server reads it. */
static void linger(client *cl, uint64_t end) {
  ex_io_shutdown_write(&cl->io);
  for (;;) {
    ssize_t n = ex_io_read(&cl->io, cl->rbuf, sizeof cl->rbuf);
    if (n == EX_IO_WANT_READ || n == EX_IO_WANT_WRITE) {
      if (cli_wait(cl, EX_IO_WANT_READ, end) != 0) {
        return;
      }
    } else if (n <= 0) {
      return; /* the server closed too */
    }
  }
}

static void close_gracefully(client *cl) {
  uint64_t end = ex_now_ms() + CLI_CLOSE_MS;
  if (drain_pending(cl, end) == 0 && say_goaway(cl, end) == 0 &&
      answer_late(cl, end) == 0) {
    linger(cl, end);
  }
}

void cli_run(client *cl) {
  h2w_session_tick(cl->s, ex_now_ms());
  while (cl->ndone < cl->n) {
    if (step(cl) != 0) {
      return;
    }
  }
  close_gracefully(cl);
}

/* --upgrade: HTTP/2 over cleartext started from HTTP/1.1 (RFC 7540 §3.2).
 * The first URL goes out as an HTTP/1.1 GET with "Upgrade: h2c" and the
 * session's own SETTINGS in HTTP2-Settings; after "101 Switching
 * Protocols" its response arrives on stream 1 of the session, and every
 * other URL is an ordinary HTTP/2 request on the same connection. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "util.h"

/* How long the HTTP/1.1 exchange may take. */
#define CLI_UPGRADE_MS 10000

/* The request head; extra -H headers go out as given (lowercase names are
 * valid HTTP/1.1 too). Returns a malloc'd string or NULL. */
static char *upgrade_head(const client *cl, const char *settings, size_t slen) {
  const fetch *f = &cl->f[0];
  int v[3];
  h2w_version(&v[0], &v[1], &v[2]);
  size_t cap = 256 + strlen(f->u.path) + strlen(cl->authority) + slen;
  for (size_t i = 0; i < cl->nextra; i++) {
    cap += cl->extra[i].namelen + cl->extra[i].valuelen + 4;
  }
  char *h = malloc(cap);
  if (h == NULL) {
    return NULL;
  }
  /* HTTP2-Settings is hop-by-hop, so it is named in Connection next to
   * Upgrade (RFC 7540 §3.2.1). */
  int n =
      snprintf(h, cap,
               "GET %s HTTP/1.1\r\n"
               "Host: %s\r\n"
               "Connection: Upgrade, HTTP2-Settings\r\n"
               "Upgrade: h2c\r\n"
               "HTTP2-Settings: %.*s\r\n"
               "User-Agent: h2w-client/%d.%d.%d\r\n",
               f->u.path, cl->authority, (int)slen, settings, v[0], v[1], v[2]);
  size_t len = n > 0 ? (size_t)n : 0;
  for (size_t i = 0; i < cl->nextra; i++) {
    const h2w_nv *nv = &cl->extra[i];
    len += (size_t)snprintf(h + len, cap - len, "%.*s: %.*s\r\n",
                            (int)nv->namelen, (const char *)nv->name,
                            (int)nv->valuelen, (const char *)nv->value);
  }
  snprintf(h + len, cap - len, "\r\n");
  return h;
}

static int send_all(client *cl, const char *p, size_t len, uint64_t deadline) {
  while (len > 0) {
    ssize_t w = ex_io_write(&cl->io, p, len);
    if (w == EX_IO_WANT_READ || w == EX_IO_WANT_WRITE) {
      if (cli_wait(cl, (int)w, deadline) != 0) {
        return -1;
      }
      continue;
    }
    if (w < 0) {
      return -1;
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Length of the response head in buf[0..n) (through CRLF CRLF), 0 if it
 * is not complete. */
static size_t head_len(const uint8_t *buf, size_t n) {
  for (size_t i = 3; i < n; i++) {
    if (memcmp(buf + i - 3, "\r\n\r\n", 4) == 0) {
      return i + 1;
    }
  }
  return 0;
}

/* Read the answer's head into cl->rbuf; *got is what was read in all.
 * Returns its length, or 0 with a message in err. */
static size_t read_head(client *cl, size_t *got, uint64_t deadline, char *err,
                        size_t errlen) {
  size_t n = 0, h = 0;
  while (h == 0) {
    if (n == sizeof cl->rbuf) {
      snprintf(err, errlen, "upgrade: HTTP/1.1 answer head too large");
      return 0;
    }
    ssize_t r = ex_io_read(&cl->io, cl->rbuf + n, sizeof cl->rbuf - n);
    if (r == EX_IO_WANT_READ || r == EX_IO_WANT_WRITE) {
      if (cli_wait(cl, (int)r, deadline) != 0) {
        snprintf(err, errlen, "upgrade: no answer from the server");
        return 0;
      }
      continue;
    }
    if (r <= 0) {
      snprintf(err, errlen, "upgrade: %s",
               r == 0 ? "connection closed by the server" : cl->io.err);
      return 0;
    }
    n += (size_t)r;
    h = head_len(cl->rbuf, n);
  }
  *got = n;
  return h;
}

/* The status line must be "HTTP/1.1 101 ..." (RFC 9110 §15.2.2). */
static int switched(const client *cl, size_t hlen, char *err, size_t errlen) {
  const char *p = (const char *)cl->rbuf;
  size_t line = strcspn(p, "\r");
  if (line > hlen) {
    line = hlen;
  }
  if (line >= 12 && memcmp(p, "HTTP/1.1 101", 12) == 0 &&
      (line == 12 || p[12] == ' ')) {
    return 0;
  }
  snprintf(err, errlen,
           "upgrade refused: the server answered '%.*s' instead of 101 "
           "Switching Protocols",
           (int)(line < 100 ? line : 100), p);
  return -1;
}

int cli_upgrade(client *cl, char *err, size_t errlen) {
  uint64_t deadline = ex_now_ms() + CLI_UPGRADE_MS;
  char settings[128];
  fetch *f = &cl->f[0];
  h2w_ssize slen =
      h2w_session_upgrade_settings(cl->s, settings, sizeof settings);
  char *head = slen >= 0 ? upgrade_head(cl, settings, (size_t)slen) : NULL;
  if (head == NULL) {
    snprintf(err, errlen, "upgrade: cannot build the request");
    return -1;
  }
  int rv = send_all(cl, head, strlen(head), deadline);
  free(head);
  if (rv != 0) {
    snprintf(err, errlen, "upgrade: cannot send the request: %s", cl->io.err);
    return -1;
  }
  size_t got = 0;
  size_t hlen = read_head(cl, &got, deadline, err, errlen);
  if (hlen == 0 || switched(cl, hlen, err, errlen) != 0) {
    return -1;
  }
  if (cl->verbose) {
    fputs("HTTP/1.1 101 Switching Protocols: h2c on stream 1\n", stderr);
  }
  /* The request we sent is stream 1, half-closed (local). */
  rv = h2w_session_upgrade(cl->s, settings, (size_t)slen, 0, f);
  if (rv != H2W_OK) {
    snprintf(err, errlen, "upgrade: %s", h2w_strerror(rv));
    return -1;
  }
  f->stream_id = 1;
  if (got > hlen) {
    /* The server's preface (and maybe more) came with the 101. */
    h2w_ssize r = h2w_session_recv(cl->s, cl->rbuf + hlen, got - hlen);
    if (r >= 0) {
      r = cli_consume_owed(cl);
    }
    if (r < 0) {
      snprintf(err, errlen, "connection error: %s", h2w_strerror((int)r));
      return -1;
    }
  }
  return 0;
}

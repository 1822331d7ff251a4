/* The cleartext start of a connection. A client with prior knowledge
 * sends the connection preface at once (RFC 9113 §3.3); anything else is
 * read as an HTTP/1.1 request head (RFC 9112 §2-§5). An Upgrade: h2c
 * request is answered with 101 and served on stream 1 (RFC 7540 §3.2);
 * every other HTTP/1.1 request gets a short HTTP/1.1 error answer, since
 * this server speaks HTTP/2 only. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

/* RFC 9113 §3.4. */
static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define MAGIC_LEN (sizeof magic - 1)
/* "PRI * HTTP/2.0": no HTTP/1.1 request starts so (version 2.0), so a
 * client that sent it means HTTP/2 with prior knowledge whatever follows;
 * from there on the session judges the preface, and a bad one is a
 * connection error, GOAWAY PROTOCOL_ERROR (§3.4), not an HTTP/1.1 400. */
#define MAGIC_LINE_LEN 14u

/* What the head of an HTTP/1.1 request says, as far as this server cares.
 * Pointers go into c->h1buf. */
typedef struct h1_req {
  const char *method, *target;
  size_t method_len, target_len;
  const char *settings; /* HTTP2-Settings value */
  size_t settings_len;
  int n_settings;   /* how many HTTP2-Settings fields */
  int upgrade_h2c;  /* Upgrade lists h2c */
  int conn_upgrade; /* Connection lists upgrade */
  int conn_settings;
  int has_body; /* Content-Length other than 0, or Transfer-Encoding */
  int http11;   /* HTTP/1.1, not 1.0 */
} h1_req;

/* Queue an HTTP/1.1 answer and end the connection once it is sent. */
static int h1_answer(conn *c, const char *status, const char *text, int head) {
  int n = snprintf((char *)c->wbuf, sizeof c->wbuf,
                   "HTTP/1.1 %s\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n"
                   "Content-Length: %zu\r\n"
                   "Connection: close\r\n"
                   "\r\n"
                   "%s",
                   status, strlen(text), head ? "" : text);
  if (n < 0 || (size_t)n >= sizeof c->wbuf) {
    return 1;
  }
  c->woff = 0;
  c->wlen = (size_t)n;
  c->state = CONN_H1_DONE;
  if (c->srv->verbose) {
    fprintf(stderr, "[conn %llu] HTTP/1.1 -> %s\n", (unsigned long long)c->id,
            status);
  }
  return ex_heap_arm(&c->srv->timers, &c->timer, c->srv->now + SRV_START_MS) !=
         0;
}

/* Does the comma-separated list v[0..n) hold `token` (case-insensitive,
 * RFC 9110 §5.6.1)? */
static int has_token(const char *v, size_t n, const char *token) {
  size_t tlen = strlen(token);
  size_t i = 0;
  while (i < n) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
      i++;
    }
    size_t j = i;
    while (j < n && v[j] != ',') {
      j++;
    }
    size_t k = j;
    while (k > i && (v[k - 1] == ' ' || v[k - 1] == '\t')) {
      k--;
    }
    if (k - i == tlen && strncasecmp(v + i, token, tlen) == 0) {
      return 1;
    }
    i = j;
  }
  return 0;
}

static int name_is(const char *name, size_t n, const char *want) {
  return n == strlen(want) && strncasecmp(name, want, n) == 0;
}

/* One "name: value" line (no CRLF). Returns 0, or -1 when malformed. */
static int h1_field(h1_req *q, const char *line, size_t len) {
  const char *colon = memchr(line, ':', len);
  if (colon == NULL || colon == line) {
    return -1;
  }
  size_t nlen = (size_t)(colon - line);
  for (size_t i = 0; i < nlen; i++) {
    /* No whitespace before the colon (RFC 9112 §5.1). */
    if (!isgraph((unsigned char)line[i])) {
      return -1;
    }
  }
  const char *v = colon + 1;
  size_t vlen = len - nlen - 1;
  while (vlen > 0 && (*v == ' ' || *v == '\t')) {
    v++;
    vlen--;
  }
  while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) {
    vlen--;
  }
  if (name_is(line, nlen, "upgrade")) {
    q->upgrade_h2c |= has_token(v, vlen, "h2c");
  } else if (name_is(line, nlen, "connection")) {
    q->conn_upgrade |= has_token(v, vlen, "upgrade");
    q->conn_settings |= has_token(v, vlen, "http2-settings");
  } else if (name_is(line, nlen, "http2-settings")) {
    q->n_settings++;
    q->settings = v;
    q->settings_len = vlen;
  } else if (name_is(line, nlen, "content-length")) {
    q->has_body |= !(vlen == 1 && v[0] == '0');
  } else if (name_is(line, nlen, "transfer-encoding")) {
    q->has_body = 1;
  }
  return 0;
}

/* "METHOD SP target SP HTTP/1.x" (RFC 9112 §3). */
static int h1_request_line(h1_req *q, const char *line, size_t len) {
  const char *sp1 = memchr(line, ' ', len);
  if (sp1 == NULL || sp1 == line) {
    return -1;
  }
  const char *t = sp1 + 1;
  const char *sp2 = memchr(t, ' ', len - (size_t)(t - line));
  if (sp2 == NULL || sp2 == t) {
    return -1;
  }
  const char *ver = sp2 + 1;
  size_t vlen = len - (size_t)(ver - line);
  if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) != 0) {
    return -1;
  }
  q->method = line;
  q->method_len = (size_t)(sp1 - line);
  q->target = t;
  q->target_len = (size_t)(sp2 - t);
  q->http11 = ver[7] == '1';
  return 0;
}

/* Parse the head c->h1buf[0..len) (ending with CRLF CRLF). */
static int h1_parse(const conn *c, size_t len, h1_req *q) {
  const char *p = (const char *)c->h1buf;
  const char *end = p + len - 2; /* the final empty line */
  int first = 1;
  memset(q, 0, sizeof *q);
  while (p < end) {
    const char *eol = memchr(p, '\r', (size_t)(end - p));
    if (eol == NULL || eol[1] != '\n') {
      return -1;
    }
    size_t n = (size_t)(eol - p);
    int rv = first ? h1_request_line(q, p, n) : h1_field(q, p, n);
    if (rv != 0) {
      return -1;
    }
    first = 0;
    p = eol + 2;
  }
  return first ? -1 : 0;
}

static char *dup_range(const char *p, size_t n) {
  char *d = malloc(n + 1);
  if (d != NULL) {
    memcpy(d, p, n);
    d[n] = '\0';
  }
  return d;
}

/* The upgraded request becomes stream 1 of a new session, half-closed
 * (remote): it had no body. Its answer is routed like any other. */
static int h1_switch(conn *c, const h1_req *q, int head) {
  static const char switching[] = "HTTP/1.1 101 Switching Protocols\r\n"
                                  "Connection: Upgrade\r\n"
                                  "Upgrade: h2c\r\n"
                                  "\r\n";
  if (conn_start_h2(c) != 0) {
    return 1;
  }
  req *r = req_new(c, 1);
  if (r == NULL) {
    return 1;
  }
  r->method = dup_range(q->method, q->method_len);
  r->path = dup_range(q->target, q->target_len);
  r->peer_ended = 1;
  if (r->method == NULL || r->path == NULL ||
      h2w_session_upgrade(c->s, q->settings, q->settings_len, head, r) !=
          H2W_OK) {
    return 1;
  }
  /* RFC 7540 §3.2: the 101 ends HTTP/1.1; the server preface (SETTINGS)
   * and the answer on stream 1 follow it in c->wbuf's wake. */
  memcpy(c->wbuf, switching, sizeof switching - 1);
  c->woff = 0;
  c->wlen = sizeof switching - 1;
  /* The rest waits for the client's preface: curl 7.x must hold whatever
   * follows the 101 in one read in a 32 KiB buffer, and fails the
   * transfer when a whole window of DATA is already there. Clients send
   * the preface right after the 101 (RFC 7540 §3.5), so no round trip is
   * lost. */
  c->hold_output = 1;
  if (c->srv->verbose) {
    fprintf(stderr, "[conn %llu] HTTP/1.1 %s %s -> 101, h2c on stream 1\n",
            (unsigned long long)c->id, r->method, r->path);
  }
  return route_request(c->s, r) != 0;
}

/* An Upgrade: h2c request (RFC 7540 §3.2, §3.2.1). Requests with a body
 * are refused: the body would have to be read as HTTP/1.1 before the
 * switch, which this example does not do. */
static int h1_upgrade(conn *c, const h1_req *q, int head) {
  h2w_settings_entry iv[64];
  if (q->n_settings != 1 || !q->conn_upgrade || !q->conn_settings ||
      !q->http11) {
    /* §3.2.1: no upgrade without exactly one HTTP2-Settings, which is a
     * connection option like Upgrade itself (RFC 9110 §7.8). */
    return h1_answer(c, "400 Bad Request",
                     "Upgrade: h2c needs HTTP/1.1, exactly one HTTP2-Settings "
                     "field and Connection: Upgrade, HTTP2-Settings\n",
                     head);
  }
  if (q->has_body) {
    return h1_answer(c, "400 Bad Request",
                     "Upgrade: h2c with a request body is not supported here: "
                     "upgrade with a bodiless request (OPTIONS, GET) first\n",
                     head);
  }
  if (q->target_len == 0 || q->target[0] != '/') {
    return h1_answer(c, "400 Bad Request",
                     "Upgrade: h2c needs an origin-form target (/path)\n",
                     head);
  }
  /* Checked before the session exists, so a bad value is a plain
   * HTTP/1.1 answer (the session would refuse it the same way). */
  if (h2w_http2_settings_decode(q->settings, q->settings_len, iv, 64) < 0) {
    return h1_answer(c, "400 Bad Request",
                     "malformed HTTP2-Settings (base64url of a SETTINGS "
                     "payload)\n",
                     head);
  }
  return h1_switch(c, q, head);
}

/* A complete head of `len` octets is in c->h1buf. */
static int h1_request(conn *c, size_t len) {
  h1_req q;
  if (h1_parse(c, len, &q) != 0) {
    return h1_answer(c, "400 Bad Request",
                     "bad request: not an HTTP/1.1 request head, and not the "
                     "HTTP/2 connection preface\n",
                     0);
  }
  int head = q.method_len == 4 && memcmp(q.method, "HEAD", 4) == 0;
  if (q.upgrade_h2c) {
    if (h1_upgrade(c, &q, head) != 0) {
      return 1;
    }
    if (c->state != CONN_H2 || len == c->h1len) {
      return 0;
    }
    /* Bytes after the head: the client's connection preface, sent early
     * (RFC 7540 §3.5 has it wait for the 101, but nothing is lost). */
    size_t rest = c->h1len - len;
    c->h1len = 0;
    c->hold_output = 0;
    return conn_feed(c, c->h1buf + len, rest);
  }
  return h1_answer(c, "505 HTTP Version Not Supported",
                   "This server speaks HTTP/2 only: use prior knowledge "
                   "(h2c), an Upgrade: h2c request without a body, or TLS "
                   "with ALPN h2.\n",
                   head);
}

/* Start of the head's final CRLF CRLF, + 4: the head's length; 0 if the
 * head is not complete yet. */
static size_t head_end(const uint8_t *p, size_t n) {
  for (size_t i = 3; i < n; i++) {
    if (p[i] == '\n' && p[i - 1] == '\r' && p[i - 2] == '\n' &&
        p[i - 3] == '\r') {
      return i + 1;
    }
  }
  return 0;
}

int h1_sniff(conn *c) {
  for (;;) {
    size_t room = sizeof c->h1buf - c->h1len;
    if (room == 0) {
      return h1_answer(c, "431 Request Header Fields Too Large",
                       "request head too large\n", 0);
    }
    ssize_t n = ex_io_read(&c->io, c->h1buf + c->h1len, room);
    if (n == EX_IO_WANT_READ) {
      return 0;
    }
    if (n <= 0) {
      return 1;
    }
    c->h1len += (size_t)n;
    size_t k = 0;
    while (k < c->h1len && k < MAGIC_LEN && c->h1buf[k] == (uint8_t)magic[k]) {
      k++;
    }
    if (k >= MAGIC_LINE_LEN || k == c->h1len) {
      if (k < MAGIC_LINE_LEN) {
        continue; /* a prefix of the preface so far: read on */
      }
      /* Prior knowledge: the session reads the preface itself. */
      if (conn_start_h2(c) != 0) {
        return 1;
      }
      size_t have = c->h1len;
      c->h1len = 0;
      return conn_feed(c, c->h1buf, have);
    }
    if (c->h1buf[0] < 'A' || c->h1buf[0] > 'Z') {
      /* No request method starts so (RFC 9110 §9.1 methods are tokens,
       * the registered ones uppercase): most likely a TLS ClientHello
       * (0x16) on this cleartext port. Answer now rather than wait for a
       * head that never comes. */
      return h1_answer(c, "400 Bad Request",
                       "not HTTP/2 and not HTTP/1.1 (TLS? this port is "
                       "cleartext)\n",
                       0);
    }
    size_t len = head_end(c->h1buf, c->h1len);
    if (len != 0) {
      return h1_request(c, len);
    }
  }
}

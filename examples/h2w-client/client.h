/* h2w-client: fetches URLs concurrently over one HTTP/2 connection on
 * h2wire's public API: h2c with prior knowledge (RFC 9113 §3.3), h2c
 * through an HTTP/1.1 Upgrade (RFC 7540 §3.2), or h2 over TLS (ALPN).
 *   main.c     arguments, request bodies and headers, exit status
 *   url.c      URL parsing
 *   fetch.c    session callbacks: responses, output in URL order
 *   net.c      connect, TLS handshake, the poll loop, the closing GOAWAY
 *   upgrade.c  the HTTP/1.1 Upgrade: h2c exchange */
#ifndef EX_CLIENT_H
#define EX_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"
#include "tls.h"

/* Each stream's receive window: how far a response runs ahead of us. */
#define CLI_STREAM_WINDOW (1024u * 1024u)
/* --autotune: the largest stream window (h2w_options_set_window_autotune):
 * 2 x BDP of a 1 Gbit/s, 200 ms path. */
#define CLI_AUTOTUNE_STREAM (64u * 1024u * 1024u)
/* A response that must wait for earlier URLs is buffered; past this many
 * bytes we stop consuming it, so its stream window closes and the server
 * waits (RFC 9113 §6.9) until the response's turn to be printed. */
#define CLI_HOLD_CAP (16u * 1024u * 1024u)
#define CLI_WBUF_SIZE (32u * 1024u)
#define CLI_RBUF_SIZE (64u * 1024u)
/* --push: pushed responses accepted per connection; later promises are
 * declined (RST_STREAM CANCEL). */
#define CLI_MAX_PUSHES 32u
/* The opaque data of the PING sent right before our closing GOAWAY. */
#define CLI_CLOSE_PING "h2wclose"

typedef struct url_parts {
  char scheme[8]; /* lowercase */
  char *host;     /* without the brackets of an IPv6 literal */
  int ipv6;
  unsigned port;
  char *path; /* path and query; "/" when the URL has none */
} url_parts;

/* Parse an absolute "scheme://host[:port][/path][?query][#frag]" URL.
 * Returns 0, or -1 with *err set to a static reason. */
int url_parse(const char *url, url_parts *u, const char **err);
void url_free(url_parts *u);

/* A request body (-d): bytes in memory, or a regular file that the data
 * source reads with pread() as the session pulls it, so an upload of any
 * size needs no more memory than a frame. */
typedef struct body {
  const uint8_t *mem; /* NULL when fd >= 0 */
  int fd;
  uint64_t len;
} body;

typedef struct fetch {
  const char *url; /* as given on the command line, or built for a push */
  char *push_url;  /* a pushed response: its URL (owned), else NULL */
  url_parts u;
  const body *body; /* NULL for GET */
  uint64_t body_off;
  int32_t stream_id;
  int status;       /* final response status, 0 until known */
  int block_status; /* :status of the header block being received */
  uint8_t ended;    /* END_STREAM received */
  uint8_t done;     /* nothing more will happen to it */
  uint8_t ok;
  char err[160];
  uint64_t nbytes; /* body bytes received */
  uint8_t *buf;    /* body held until the URLs before it are printed */
  size_t buf_len, buf_cap;
  size_t held; /* bytes of buf delivered but not consumed yet */
  size_t owed; /* bytes to consume once h2w_session_recv() returns */
} fetch;

typedef struct client {
  h2w_session *s;
  ex_io io; /* io.fd -1 when not connected */
  ex_tls_ctx *tls;
  int https;
  int insecure;       /* -k */
  const char *cafile; /* --cacert */
  int upgrade;        /* --upgrade */
  int push;           /* --push: accept server push */
  int autotune;       /* --autotune: windows sized to the path */
  /* A TLS read may wait for the socket to be writable, a TLS write for
   * it to be readable (SSL_ERROR_WANT_WRITE / WANT_READ). */
  int read_on_out;
  int write_on_in;
  int verbose;
  int dead; /* the session had a fatal error: no more calls but del */
  /* The server answered the PING sent with our GOAWAY: everything it
   * sent before that answer is here. */
  int close_ping_acked;
  fetch *f; /* URLs first, then accepted pushes (room for
               CLI_MAX_PUSHES more) */
  size_t n;
  size_t cap;
  /* The PUSH_PROMISE being received: its request's URL parts. */
  uint32_t promise_id;
  char promise_scheme[8];
  char promise_authority[256];
  char promise_path[1024];
  size_t next_out; /* first URL not completely printed */
  size_t ndone;
  char authority[300];
  const h2w_nv *extra; /* -H headers */
  size_t nextra;
  size_t woff, wlen;
  uint8_t wbuf[CLI_WBUF_SIZE];
  uint8_t rbuf[CLI_RBUF_SIZE];
} client;

/* fetch.c */
int cli_session_new(client *cl);
/* Submit every request; one that cannot be submitted fails at once. */
void cli_submit_all(client *cl);
/* Mark every unfinished fetch failed with `reason` and print the rest. */
void cli_fail_all(client *cl, const char *reason);
/* Consume what on_data took during the last h2w_session_recv(). Returns 0
 * or the session's error. */
int cli_consume_owed(client *cl);

/* net.c */
/* Over TLS: handshake with cl->io, then insist on ALPN h2. Returns 0, or
 * -1 with a message in err. */
int cli_tls_start(client *cl, char *err, size_t errlen);
/* Wait until cl->io.fd is readable (want == EX_IO_WANT_READ) or writable,
 * at most until `deadline` (ex_now_ms()). Returns 0, or -1 on a timeout
 * or error. */
int cli_wait(client *cl, int want, uint64_t deadline);
/* Run the connection until every fetch is done, then say GOAWAY. */
void cli_run(client *cl);

/* upgrade.c */
/* --upgrade: send the first URL's request as HTTP/1.1 with Upgrade: h2c,
 * read the answer; on 101 switch the session (the first fetch becomes
 * stream 1). Returns 0 when HTTP/2 runs, or -1 with a message in err. */
int cli_upgrade(client *cl, char *err, size_t errlen);

#endif

/* downchannel-client: keeps one long-lived response stream (a
 * "downchannel", here h2w-server's GET /events) open over h2c or h2 over
 * TLS (ALPN, examples/common/tls.h), watches
 * the connection with the library's keepalive PINGs, and reconnects when
 * the stream or the connection is lost.
 *   main.c  command line, the reconnect loop and its backoff, signals
 *   net.c   one connection: dial, the poll loop, why it ended
 *   conn.c  its session: request, response status, event lines
 *   log.c   timestamped output lines */
#ifndef DC_H
#define DC_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"
#include "tls.h"

#define DC_WBUF_SIZE (16u * 1024u)
#define DC_RBUF_SIZE (64u * 1024u)
/* Longest event line kept whole; a longer one is printed in pieces. */
#define DC_LINE_MAX 4096u

typedef struct dc_opts {
  char host[256];
  unsigned port;
  char authority[300];
  char path[1024];
  uint32_t ping_interval_ms;
  uint32_t ping_timeout_ms;
  long max_reconnects; /* -1: no limit */
  int verbose;         /* -v: trace every frame on stderr */
  int https;           /* https:// URL: h2 over TLS, chosen by ALPN */
  int insecure;        /* -k: do not verify the server's certificate */
  const char *cafile;  /* --cacert F, or NULL for the system's store */
  ex_tls_ctx *tls;     /* made once by main() for https:// */
} dc_opts;

/* How one connection ended. */
enum dc_end {
  DC_END_FAILED, /* never opened the downchannel (no 200 response) */
  DC_END_LOST,   /* the downchannel was open, then lost */
  DC_END_STOP    /* SIGINT/SIGTERM: leave */
};

/* One connection and its session (the session's user pointer). */
typedef struct dc_conn {
  const dc_opts *o;
  ex_io io; /* io.fd -1 until connected; io.ssl set for https:// */
  h2w_session *s;
  int blk_status; /* :status of the block being received */
  int open;       /* a 200 response arrived: the downchannel is up */
  int closed;     /* the stream is over */
  uint64_t *events;
  char why[256];
  size_t line_len;
  char line[DC_LINE_MAX];
  size_t woff, wlen;
  uint8_t wbuf[DC_WBUF_SIZE];
  uint8_t rbuf[DC_RBUF_SIZE];
} dc_conn;

/* conn.c */
/* A client session with keepalive(ping_interval, ping_timeout). */
int dc_session_new(dc_conn *c);
/* Submit GET of the downchannel path. Returns H2W_OK or an h2w_error. */
int dc_open_stream(dc_conn *c);

/* net.c */
/* Connect, open the downchannel and print its events until it is lost.
 * *events counts the event lines printed; why gets the reason it ended.
 * Returns an enum dc_end. */
int dc_run_once(const dc_opts *o, uint64_t *events, char *why, size_t cap);

/* main.c: set by SIGINT/SIGTERM. */
int dc_stopping(void);

/* log.c */
/* Print "<ISO-8601 UTC with ms> <text>\n" on stdout and flush it. */
void dc_log(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif

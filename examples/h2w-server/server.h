/* h2w-server: an HTTP/2 demo server on h2wire's public API: h2c with
 * prior knowledge or through an HTTP/1.1 Upgrade, or h2 over TLS (ALPN).
 * One thread, non-blocking sockets, one epoll set.
 *   main.c      arguments, listening socket, signals, the event loop
 *   conn.c      per-connection I/O: accept, TLS handshake, read -> recv,
 *               send -> write
 *   h1.c        the cleartext start: prior knowledge or HTTP/1.1 (an
 *               Upgrade: h2c request, or an error response)
 *   handlers.c  session callbacks: request state, flow control, tracing
 *   routes.c    the routes and their response bodies (data sources)
 *   timer.c     the deadline heap (session timers, /events ticks) */
#ifndef EX_SERVER_H
#define EX_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"
#include "timer.h"
#include "tls.h"

/* Output staging per connection: h2w_session_send() fills it and write()
 * drains it; what the socket refuses (EAGAIN) waits here for EPOLLOUT. */
#define SRV_WBUF_SIZE (32u * 1024u)
/* Input goes through one buffer shared by every connection: the server
 * never pauses h2w_session_recv(), which therefore consumes all it is
 * given, so no connection has unread input to keep between events. */
#define SRV_RBUF_SIZE (64u * 1024u)
/* The receive window of each stream we announce. With manual flow control
 * a peer may not send past it (RFC 9113 §6.9.1), so it bounds what one
 * /echo stream buffers: bytes are consumed only once they are handed to
 * the response. */
#define SRV_STREAM_WINDOW (256u * 1024u)
/* The connection-level receive window: bounds one connection's buffered
 * request bodies as a whole. */
#define SRV_CONN_WINDOW (1024u * 1024u)
/* Most output bytes one connection produces per wake-up, so a fast
 * /bytes download does not starve the other connections. */
#define SRV_WRITE_BUDGET (1024u * 1024u)
/* Graceful shutdown gives up on slow connections after this. */
#define SRV_STOP_GRACE_MS 5000u
/* A connection has this long to finish its TLS handshake, or its first
 * bytes (the client preface or an HTTP/1.1 request head), and an HTTP/1.1
 * error response this long to leave. */
#define SRV_START_MS 10000u
/* The graceful end of an HTTP/2 connection (RFC 9113 §6.8): after our
 * GOAWAY, with no stream left, what the peer still sends is processed and
 * answered (a PING gets its ACK, §6.7) until it has been quiet for
 * SRV_QUIET_MS; then our side ends (FIN) and input is discarded until the
 * peer's FIN. The whole lingering close takes at most SRV_LINGER_MS. */
#define SRV_QUIET_MS 200u
#define SRV_LINGER_MS 2000u
/* The largest HTTP/1.1 request head accepted on the cleartext port. */
#define SRV_H1_MAX (8u * 1024u)

/* Default limits for a connection (command-line flags override them; 0
 * turns one off). Without them a client could hold a connection, a half-
 * sent header block or a response it never reads forever. */
#define SRV_IDLE_MS 60000u        /* no stream open: GOAWAY, close */
#define SRV_KEEPALIVE_MS 30000u   /* quiet: PING ... */
#define SRV_KEEPALIVE_WAIT 10000u /* ... then close if nothing arrives */
#define SRV_HEADER_MS 10000u      /* one header block, HEADERS to its end */
#define SRV_WRITE_MS 30000u       /* the socket takes no byte of ours */

typedef struct srv_limits {
  uint32_t idle_ms, keepalive_ms, keepalive_wait_ms, header_ms, write_ms;
  int autotune; /* --autotune: receive windows sized to the path */
} srv_limits;

/* --autotune caps (h2w_options_set_window_autotune): what one connection
 * may have in flight towards us, 2 x BDP of a 1 Gbit/s, 200 ms path. */
#define SRV_AUTOTUNE_CONN (64u * 1024u * 1024u)
#define SRV_AUTOTUNE_STREAM (32u * 1024u * 1024u)

typedef struct server server;
typedef struct conn conn;
typedef struct req req;

struct server {
  int epfd;
  int lfd;   /* listening socket, -1 once closed */
  int sigfd; /* signalfd for SIGINT/SIGTERM */
  int verbose;
  int stopping;
  ex_tls_ctx *tls; /* NULL: cleartext (h2c) */
  int accept_paused;
  uint64_t stop_deadline;
  uint64_t now; /* CLOCK_MONOTONIC ms of the current loop pass */
  ex_heap timers;
  ex_timer accept_timer; /* accepting resumes after EMFILE */
  conn *conns;           /* live connections */
  conn *dead;            /* closed, freed at the end of the loop pass */
  size_t nconns;
  uint64_t next_conn_id;
  h2w_callbacks *cb;
  h2w_options *opt;
  srv_limits limits;
  char hello[96]; /* body of GET / */
  size_t hello_len;
  uint8_t rbuf[SRV_RBUF_SIZE];
};

/* Where a connection is before and after HTTP/2 starts. */
enum conn_state {
  CONN_TLS,     /* TLS handshake running */
  CONN_SNIFF,   /* cleartext: client preface or an HTTP/1.1 request? */
  CONN_H2,      /* the session runs */
  CONN_LINGER,  /* the session is over: still answer what arrives */
  CONN_H1_DONE, /* an HTTP/1.1 answer is leaving; then the connection ends */
  CONN_DRAIN    /* answer sent, write side shut: wait for the peer's FIN */
};

struct conn {
  server *srv;
  conn *prev, *next;
  req *reqs;      /* every request with state, freed with the connection */
  h2w_session *s; /* NULL until HTTP/2 starts */
  ex_io io;       /* io.fd -1 once closed */
  uint8_t state;  /* enum conn_state */
  /* With TLS a read may have to wait for the socket to be writable and a
   * write for it to be readable (SSL_ERROR_WANT_WRITE / WANT_READ). */
  uint8_t read_on_out;
  uint8_t write_on_in;
  /* After a 101: session output waits for the client's first bytes (see
   * h1.c), only the 101 itself leaves. */
  uint8_t hold_output;
  /* The peer sent GOAWAY: it is the one closing, and expects no more of
   * us once the session is over. */
  uint8_t peer_goaway;
  uint32_t events; /* epoll interest currently registered */
  uint64_t id;
  ex_timer timer; /* h2w_session_next_deadline() and the two below */
  /* When a header block (HEADERS without END_HEADERS) started; 0: none
   * open. Nothing else may arrive until it ends (RFC 9113 §6.10). */
  uint64_t hdr_since;
  /* When output got stuck (the socket took nothing); 0: not stuck. */
  uint64_t stall_since;
  /* CONN_LINGER: when the peer will have been quiet long enough; both
   * lingering states: when they end. */
  uint64_t quiet_until, linger_end;
  size_t owed; /* like req.owed, for body bytes of no known request */
  size_t woff, wlen;
  uint8_t wbuf[SRV_WBUF_SIZE];
  size_t h1len; /* CONN_SNIFF: bytes read so far */
  uint8_t h1buf[SRV_H1_MAX];
};

enum route {
  ROUTE_NONE,   /* not routed yet */
  ROUTE_TEXT,   /* a fixed short body: GET /, errors */
  ROUTE_ECHO,   /* /echo */
  ROUTE_BYTES,  /* GET /bytes/N */
  ROUTE_EVENTS, /* GET /events */
  ROUTE_EMPTY   /* a response without body */
};

/* One request: created at its first header block, freed when the stream
 * closes or the connection goes away. */
struct req {
  conn *c;
  req *prev, *next;
  uint32_t id;
  uint8_t route;
  uint8_t in_trailers; /* the current header block is trailers */
  uint8_t peer_ended;  /* END_STREAM received: the request body is over */
  uint8_t deferred;    /* our data source said H2W_E_DEFERRED */
  uint8_t expect_100;  /* "expect: 100-continue" (RFC 9110 §10.1.1) */
  char *method;
  char *path;
  char *authority; /* for the promises of GET /push */
  /* Body bytes to consume once h2w_session_recv() returns (see
   * conn_consume_owed()). */
  size_t owed;
  /* ROUTE_TEXT */
  const char *text;
  size_t text_len, text_off;
  /* ROUTE_ECHO: request body bytes received, not yet in the response */
  uint8_t *buf;
  size_t buf_off, buf_len, buf_cap;
  /* ROUTE_BYTES */
  uint64_t total, sent;
  /* ROUTE_EVENTS: events released by the timer and written so far */
  ex_timer tick;
  uint32_t interval, count, released, written;
  char line[24];
  size_t line_len, line_off;
};

/* conn.c */
void srv_accept(server *srv);
/* Start HTTP/2 on c: create the server session. Returns 0 or -1. */
int conn_start_h2(conn *c);
/* Feed in[0..n) to the session. Returns 0, or 1 after a fatal session
 * error (the connection must close). */
int conn_feed(conn *c, const uint8_t *in, size_t n);
void srv_pause_accept(server *srv);
void conn_on_event(conn *c, uint32_t events);
/* After activity outside of I/O events (timers, shutdown): flush, re-arm
 * the session timer, close when done. Returns 1 if c was closed. */
int conn_service(conn *c);
void conn_shutdown(conn *c);
void conn_close(conn *c);
void srv_reap(server *srv);

/* h1.c */
/* CONN_SNIFF: read, then start HTTP/2 (prior knowledge or Upgrade) or
 * queue an HTTP/1.1 answer in c->wbuf. Returns 0, or 1 to close. */
int h1_sniff(conn *c);

/* handlers.c */
int srv_callbacks_new(h2w_callbacks **out, int verbose);
/* A request of c on stream id, linked into c->reqs. NULL when out of
 * memory. */
req *req_new(conn *c, uint32_t id);
int srv_options_new(h2w_options **out, const srv_limits *l);
void req_free(req *r);
/* Consume the body bytes discarded during the last h2w_session_recv().
 * Returns 0 or the session's error. */
int conn_consume_owed(conn *c);

/* routes.c */
/* The request's headers are complete: pick the route and submit the
 * response. Returns 0 or a fatal error for the connection. */
int route_request(h2w_session *s, req *r);
/* A chunk of request body for /echo. Returns 0 or a fatal error. */
int echo_append(h2w_session *s, req *r, const uint8_t *data, size_t len);
/* A deferred data source of r may have something to send again. */
int req_wake(h2w_session *s, req *r);

#endif

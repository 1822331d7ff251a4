/* Session workloads of h2w-bench, shared by bench_session*.c:
 *   bench_session.c         the family (names, order, result rows);
 *   bench_session_util.c    counting allocator, buffers, scripts, feeding
 *                           and draining sessions, frame helpers;
 *   bench_session_record.c  the recorded request / response byte streams
 *                           and the checks of what a session emitted;
 *   bench_session_server.c  server sessions: server_rps;
 *   bench_session_memory.c  idle_session_bytes and stream_bytes;
 *   bench_session_client.c  client sessions: client_rps;
 *   bench_session_data.c    data_gbps, data_vs_memcpy and data_split*.
 *
 * Both libraries are driven through their public session APIs with the
 * same input chunks, fed by one recv call each, and their output is
 * drained into an application buffer as a socket write would take it. */
#ifndef H2W_BENCH_SESSION_H
#define H2W_BENCH_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <h2wire.h>
#include <nghttp2/nghttp2.h>

#include "bench.h"

#define BS_NREQ 100000u /* requests of server_rps and client_rps */
/* Requests per batch: the server's SETTINGS_MAX_CONCURRENT_STREAMS, so a
 * batch fits the concurrency limit of RFC 9113 §5.1.2 exactly. */
#define BS_BATCH 100u
#define BS_NBATCH (BS_NREQ / BS_BATCH)
#define BS_REQ_FIELDS 9u
#define BS_RESP_FIELDS 3u
#define BS_BODY_LEN 100u
#define BS_OPEN_STREAMS 1000u /* stream_bytes */
/* Allocations per request are counted from this batch on, once the
 * libraries' pools and tables have warmed up ("steady state"). */
#define BS_WARM_BATCHES 10u
#define BS_APP_CAP (64u * 1024u) /* the application's output buffer */
#define BS_PATH_CAP 16u

/* Chunks of both recorded scripts (each chunk is one recv call). */
#define BS_CHUNK_HELLO 0u /* preface, SETTINGS (and WINDOW_UPDATE) */
#define BS_CHUNK_ACK 1u   /* SETTINGS ACK */
#define BS_CHUNK_BATCH 2u /* + b: the frames of batch b */

/* RFC 9113 §6 frame types and flags the bench reads or writes. */
#define BS_FT_DATA 0x0u
#define BS_FT_HEADERS 0x1u
#define BS_FT_RST_STREAM 0x3u
#define BS_FT_SETTINGS 0x4u
#define BS_FT_PING 0x6u
#define BS_FT_GOAWAY 0x7u
#define BS_FT_WINDOW_UPDATE 0x8u
#define BS_FLAG_END_STREAM 0x1u
#define BS_FLAG_ACK 0x1u
#define BS_FLAG_END_HEADERS 0x4u
#define BS_FRAME_HD 9u
#define BS_MAGIC "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define BS_MAGIC_LEN 24u

/* ---- counting allocator ------------------------------------------------ */

/** Bytes held (sizes as requested) and allocating calls (malloc, calloc,
 *  realloc) of everything routed through it. */
typedef struct bs_alloc {
  size_t in_use;
  size_t peak;
  uint64_t calls;
} bs_alloc;

void bs_alloc_h2w(bs_alloc *a, h2w_mem *m);
void bs_alloc_ngh(bs_alloc *a, nghttp2_mem *m);

/* ---- buffers and scripts ----------------------------------------------- */

typedef struct bs_buf {
  uint8_t *p;
  size_t len, cap;
} bs_buf;

int bs_buf_put(bs_buf *b, const void *d, size_t n);
void bs_buf_free(bs_buf *b);

/** Recorded bytes cut into chunks. */
typedef struct bs_script {
  bs_buf bytes;
  size_t *end; /* end offset of each chunk */
  size_t n, cap;
} bs_script;

/** End the current chunk at the current length (it may be empty). */
int bs_script_cut(bs_script *s);
const uint8_t *bs_script_chunk(const bs_script *s, size_t i, size_t *len);
void bs_script_free(bs_script *s);

/* ---- application buffers ----------------------------------------------- */

/** Output drained like a socket write: each piece overwrites the fixed
 *  application buffer; with rec set (recording, validation) it is also
 *  appended there. */
typedef struct bs_out {
  uint8_t *app;
  size_t cap;
  bs_buf *rec;
  uint64_t total;
} bs_out;

/** Where received body bytes go: a ring the data callbacks copy into. */
typedef struct bs_sink {
  uint8_t *buf;
  size_t cap, off;
  uint64_t total;
} bs_sink;

static inline void bs_sink_put(bs_sink *k, const uint8_t *d, size_t n) {
  while (n > 0) {
    size_t room = k->cap - k->off, take = n < room ? n : room;
    if (take < n && k->off > 0) {
      k->off = 0; /* wrap rather than split a chunk when it fits */
      continue;
    }
    memcpy(k->buf + k->off, d, take);
    k->off = k->off + take == k->cap ? 0 : k->off + take;
    k->total += take;
    d += take;
    n -= take;
  }
}

/* ---- driving a session of either library ------------------------------- */

typedef struct bs_peer {
  int lib; /* BENCH_H2WIRE or BENCH_NGHTTP2 */
  h2w_session *h2w;
  nghttp2_session *ngh;
} bs_peer;

/** Feed in[0..len) in one recv call (repeated only if the library stops
 *  early). 0, or -1 after printing why. */
int bs_feed(bs_peer *p, const uint8_t *in, size_t len);
/** Drain every pending output byte into o. 0 or -1. */
int bs_drain(bs_peer *p, bs_out *o);
void bs_peer_del(bs_peer *p);
const char *bs_lib_name(int lib);

/* ---- frames ------------------------------------------------------------ */

void bs_frame_hd(uint8_t out[BS_FRAME_HD], uint32_t len, uint8_t type,
                 uint8_t flags, uint32_t sid);
int bs_put_frame(bs_buf *b, uint8_t type, uint8_t flags, uint32_t sid,
                 const uint8_t *payload, uint32_t len);

typedef int (*bs_frame_fn)(void *user, uint8_t type, uint8_t flags,
                           uint32_t sid, const uint8_t *payload, uint32_t len);
/** Call fn for every whole frame of p[0..len); return the bytes walked (a
 *  partial last frame is left), or -1 when fn failed. */
long bs_walk(const uint8_t *p, size_t len, bs_frame_fn fn, void *user);

/* ---- the recorded world ------------------------------------------------ */

typedef struct bs_world {
  char *paths; /* BS_NREQ paths, BS_PATH_CAP octets apart */
  uint8_t *pathlen;
  bs_script req;  /* client -> server, recorded once */
  bs_script resp; /* server -> client: h2wire's answer to req */
  uint8_t body[BS_BODY_LEN];
} bs_world;

/** Request i as h2wire / nghttp2 field arrays of BS_REQ_FIELDS. */
void bs_request_h2w(const bs_world *w, size_t i, h2w_nv *nv);
void bs_request_ngh(const bs_world *w, size_t i, nghttp2_nv *nv);
/** The response fields every request gets. */
void bs_response_h2w(h2w_nv *nv);
void bs_response_ngh(nghttp2_nv *nv);

/** --dump (bench_dump.c): a library's whole output of server_rps or
 *  client_rps validation, and what the bench asked for (requests and
 *  the response). 0, or -1 when a file cannot be written. */
int bs_dump_output(const char *workload, int lib, const uint8_t *p, size_t len);
int bs_dump_expectations(const bs_world *w, size_t nreq);

/** Field-by-field comparison with the recording (validation only). */
typedef struct bs_expect {
  const bs_world *w;
  int request; /* 1: request fields of stream `sid`; 0: response fields */
  uint32_t sid;
  unsigned k; /* fields of the current block seen so far */
  int bad;
} bs_expect;

void bs_expect_field(bs_expect *e, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen);
/** The block ended: it must have had all its fields. Resets k. */
void bs_expect_end(bs_expect *e);

/** Build paths, body and the request script. 0 or -1. */
int bs_world_init(bs_world *w);
void bs_world_free(bs_world *w);
/** Check a server's whole output: every request answered once with the
 *  response fields (decoded by the other library's HPACK decoder) and the
 *  body, nothing reset. 0 or -1. */
int bs_check_responses(const bs_world *w, int lib, const uint8_t *out,
                       size_t len, size_t nreq);
/** Check a client's whole output: requests 0..nreq-1 in order, decoded by
 *  the other library's HPACK decoder. 0 or -1. */
int bs_check_requests(const bs_world *w, int lib, const uint8_t *out,
                      size_t len, size_t nreq);

/* ---- workloads --------------------------------------------------------- */

/** Server session driven through the request script. */
typedef struct bs_srv {
  const bs_world *w;
  int answer; /* submit a response from the headers-complete callback */
  uint64_t fields, requests, closes, bad_submit;
  uint8_t *sent;     /* body octets sent, per request */
  bs_expect *expect; /* validation only */
} bs_srv;

int bs_srv_new(bs_peer *p, int lib, bs_srv *r, uint32_t max_streams,
               bs_alloc *a);
/** Feed hello, drain, feed ack, drain: the handshake. */
int bs_handshake(bs_peer *p, const bs_script *s, bs_out *o);

/** Validate both servers (recording h2wire's output as w->resp), then
 *  with `timed` measure server_rps. */
int bs_run_server(bench_ctx *ctx, bs_world *w, int timed);
/** idle_session_bytes and stream_bytes (those selected). */
int bs_run_memory(bench_ctx *ctx, const bs_world *w);
int bs_run_client(bench_ctx *ctx, const bs_world *w);
int bs_run_data(bench_ctx *ctx);
/* Whether any data_* row is selected, and the names of the split rows
 * (bench_session_data.c). */
int bs_data_selected(const bench_ctx *ctx);
void bs_data_list(bench_name_cb cb, void *user);

#endif

/* data_gbps: a client session of each library receives a 1 GiB response
 * body on one stream as 65,536 DATA frames of 16 KiB (the default
 * SETTINGS_MAX_FRAME_SIZE, RFC 9113 §4.2), and its data callback copies
 * every chunk into an application sink. The frames are one template fed
 * repeatedly, 16 frames (256 KiB) per recv call. The bench plays the
 * sending server honestly: it reads the client's output after every call
 * and never sends beyond the flow-control credit the client granted
 * (SETTINGS_INITIAL_WINDOW_SIZE and WINDOW_UPDATE, §6.9); both clients
 * offer 16 MiB windows and replenish them with WINDOW_UPDATEs, which are
 * drained and counted.
 * data_vs_memcpy: h2wire's rate against a plain memcpy of the same
 * payload octets, from the same input buffer into the same sink.
 * data_split<N>: the same byte stream handed to the library in recv calls
 * of N octets (1 KiB, 16 KiB as one TLS record each, 64 KiB), or of
 * pseudo-random sizes (data_split_random, 1..32 KiB from a fixed seed, the
 * same sequence for both libraries): frames then straddle calls, which is
 * what a real socket or TLS layer delivers. The client's output is drained
 * once per 256 KiB batch in every row, so the rows differ only in how the
 * input is cut. */
#include "bench_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_FRAME 16384u
#define DATA_NFRAMES 65536u /* 1 GiB */
#define DATA_BATCH 16u
#define DATA_NBATCH (DATA_NFRAMES / DATA_BATCH)
#define DATA_STRIDE (BS_FRAME_HD + DATA_FRAME)
#define DATA_TOTAL ((uint64_t)DATA_NFRAMES * DATA_FRAME)
#define DATA_WINDOW (16u << 20)
#define DATA_SINK_CAP (256u * 1024u)
#define DEFAULT_WINDOW 65535

/* data_bench.split: 0 = each 256 KiB batch in one recv call. */
#define DATA_SPLIT_RANDOM ((size_t)-1)
#define DATA_RANDOM_MAX 32768u

typedef struct data_bench {
  uint8_t *batch; /* DATA_BATCH frames on stream 1 */
  size_t split;   /* octets per recv call, 0 or DATA_SPLIT_RANDOM */
  bs_buf hello;   /* server SETTINGS, SETTINGS ACK, response HEADERS */
  uint8_t *sink;
  uint8_t *app;
} data_bench;

/* The client, and the bench's view as the sending server. */
typedef struct data_cli {
  const data_bench *db;
  uint32_t rng; /* data_split_random's cut sizes (xorshift32) */
  bs_sink sink;
  uint64_t responses, closes;
  int check, bad;
  int64_t conn_credit, stream_credit;
  uint32_t peer_initial;
  uint64_t window_updates;
  bs_buf out; /* client output not yet read */
  int magic_seen;
} data_cli;

static uint8_t pattern_at(size_t k) {
  return (uint8_t)(k % 251u);
}

/* Validation: every frame's payload is the template's, so body offset x
 * holds payload octet x mod 16384. */
static void check_chunk(data_cli *c, const uint8_t *d, size_t len) {
  const uint8_t *payload = c->db->batch + BS_FRAME_HD;
  uint64_t at = c->sink.total;
  while (len > 0 && !c->bad) {
    size_t off = (size_t)(at % DATA_FRAME);
    size_t n = DATA_FRAME - off < len ? DATA_FRAME - off : len;
    c->bad = memcmp(d, payload + off, n) != 0;
    d += n;
    len -= n;
    at += n;
  }
}

static void data_chunk(data_cli *c, const uint8_t *d, size_t len) {
  if (c->check) {
    check_chunk(c, d, len);
  }
  bs_sink_put(&c->sink, d, len);
}

/* ---- h2wire ------------------------------------------------------------ */

static int h2d_headers(h2w_session *s, uint32_t sid, int kind, int end_stream,
                       void *user) {
  data_cli *c = user;
  (void)s, (void)sid, (void)end_stream;
  c->responses += kind == H2W_HEADERS_RESPONSE;
  return 0;
}

static int h2d_data(h2w_session *s, uint32_t sid, const uint8_t *d, size_t len,
                    void *user) {
  (void)s, (void)sid;
  data_chunk(user, d, len);
  return 0;
}

static int h2d_close(h2w_session *s, uint32_t sid, uint32_t code,
                     uint32_t flags, void *user) {
  data_cli *c = user;
  (void)s, (void)sid, (void)flags;
  c->closes += code == H2W_NO_ERROR;
  return 0;
}

static int h2d_new(bs_peer *p, data_cli *c) {
  h2w_callbacks *cb = NULL;
  h2w_options *opt = NULL;
  int rc = h2w_callbacks_new(&cb, NULL);
  rc = rc ? rc : h2w_options_new(&opt, NULL);
  rc = rc ? rc : h2w_callbacks_set_on_headers(cb, h2d_headers);
  rc = rc ? rc : h2w_callbacks_set_on_data(cb, h2d_data);
  rc = rc ? rc : h2w_callbacks_set_on_stream_close(cb, h2d_close);
  rc = rc ? rc : h2w_options_set_initial_window_size(opt, DATA_WINDOW);
  rc = rc ? rc : h2w_options_set_connection_window_size(opt, DATA_WINDOW);
  rc = rc ? rc : h2w_session_client_new(&p->h2w, cb, opt, c, NULL);
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  if (rc != 0) {
    fprintf(stderr, "h2w-bench: h2wire client: %s\n", h2w_error_name(rc));
  }
  return rc ? -1 : 0;
}

/* ---- nghttp2 ----------------------------------------------------------- */

static int ngd_frame(nghttp2_session *s, const nghttp2_frame *f, void *user) {
  data_cli *c = user;
  (void)s;
  c->responses +=
      f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_RESPONSE;
  return 0;
}

static int ngd_data(nghttp2_session *s, uint8_t flags, int32_t sid,
                    const uint8_t *d, size_t len, void *user) {
  (void)s, (void)flags, (void)sid;
  data_chunk(user, d, len);
  return 0;
}

static int ngd_close(nghttp2_session *s, int32_t sid, uint32_t code,
                     void *user) {
  data_cli *c = user;
  (void)s, (void)sid;
  c->closes += code == NGHTTP2_NO_ERROR;
  return 0;
}

static int ngd_new(bs_peer *p, data_cli *c) {
  static const nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, DATA_WINDOW}};
  nghttp2_session_callbacks *cb;
  int rc;
  if (nghttp2_session_callbacks_new(&cb) != 0) {
    return -1;
  }
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ngd_frame);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, ngd_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, ngd_close);
  rc = nghttp2_session_client_new(&p->ngh, cb, c);
  nghttp2_session_callbacks_del(cb);
  rc = rc ? rc : nghttp2_submit_settings(p->ngh, NGHTTP2_FLAG_NONE, iv, 3);
  rc = rc ? rc
          : nghttp2_session_set_local_window_size(p->ngh, NGHTTP2_FLAG_NONE, 0,
                                                  DATA_WINDOW);
  if (rc != 0) {
    fprintf(stderr, "h2w-bench: nghttp2 client: %s\n", nghttp2_strerror(rc));
  }
  return rc ? -1 : 0;
}

/* ---- the sending side -------------------------------------------------- */

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* Credit from the client's SETTINGS_INITIAL_WINDOW_SIZE (which moves the
 * open stream's window by the difference, §6.9.2) and WINDOW_UPDATEs. */
static int client_frame(void *user, uint8_t type, uint8_t flags, uint32_t sid,
                        const uint8_t *p, uint32_t len) {
  data_cli *c = user;
  uint32_t i;
  if (type == BS_FT_SETTINGS && !(flags & BS_FLAG_ACK)) {
    for (i = 0; i + 6 <= len; i += 6) {
      if ((p[i] << 8 | p[i + 1]) == H2W_SETTINGS_INITIAL_WINDOW_SIZE) {
        uint32_t v = be32(p + i + 2);
        c->stream_credit += (int64_t)v - (int64_t)c->peer_initial;
        c->peer_initial = v;
      }
    }
  } else if (type == BS_FT_WINDOW_UPDATE && len == 4) {
    int64_t inc = be32(p) & 0x7fffffffu;
    c->window_updates++;
    if (sid == 0) {
      c->conn_credit += inc;
    } else if (sid == 1) {
      c->stream_credit += inc;
    }
  } else if (type == BS_FT_RST_STREAM || type == BS_FT_GOAWAY) {
    fprintf(stderr, "h2w-bench: the client sent frame type %u\n", type);
    return -1;
  }
  return 0;
}

static int read_client(data_cli *c) {
  size_t skip = 0;
  long n;
  if (!c->magic_seen) {
    if (c->out.len < BS_MAGIC_LEN) {
      return 0;
    }
    skip = BS_MAGIC_LEN;
    c->magic_seen = 1;
  }
  n = bs_walk(c->out.p + skip, c->out.len - skip, client_frame, c);
  if (n < 0) {
    return -1;
  }
  skip += (size_t)n;
  memmove(c->out.p, c->out.p + skip, c->out.len - skip);
  c->out.len -= skip;
  return 0;
}

static int exchange(bs_peer *p, data_cli *c, bs_out *o, const uint8_t *in,
                    size_t len) {
  return bs_feed(p, in, len) == 0 && bs_drain(p, o) == 0 && read_client(c) == 0
             ? 0
             : -1;
}

static int submit_get(bs_peer *p) {
  static const h2w_nv nv[] = {
      {(const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0},
      {(const uint8_t *)":scheme", 7, (const uint8_t *)"https", 5, 0},
      {(const uint8_t *)":authority", 10, (const uint8_t *)"bench.example.com",
       17, 0},
      {(const uint8_t *)":path", 5, (const uint8_t *)"/1GiB", 5, 0}};
  nghttp2_nv ngv[4];
  size_t k;
  if (p->lib == BENCH_H2WIRE) {
    return h2w_session_submit_request(p->h2w, nv, 4, NULL, NULL) == 1 ? 0 : -1;
  }
  for (k = 0; k < 4; k++) {
    ngv[k].name = (uint8_t *)(uintptr_t)nv[k].name;
    ngv[k].namelen = nv[k].namelen;
    ngv[k].value = (uint8_t *)(uintptr_t)nv[k].value;
    ngv[k].valuelen = nv[k].valuelen;
    ngv[k].flags = NGHTTP2_NV_FLAG_NONE;
  }
  return nghttp2_submit_request(p->ngh, NULL, ngv, 4, NULL, NULL) == 1 ? 0 : -1;
}

/* The size of the next recv call of a split row. */
static size_t cut_size(data_cli *c) {
  uint32_t x;
  if (c->db->split != DATA_SPLIT_RANDOM) {
    return c->db->split;
  }
  x = c->rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  c->rng = x;
  return 1u + x % DATA_RANDOM_MAX;
}

/* One batch, whole or cut into recv calls as the row says, then the
 * client's output is drained once. */
static int feed_batch(bs_peer *p, data_cli *c, bs_out *o, const uint8_t *in,
                      size_t len) {
  size_t off = 0;
  if (c->db->split == 0) {
    return exchange(p, c, o, in, len);
  }
  while (off < len) {
    size_t n = cut_size(c);
    if (n > len - off) {
      n = len - off;
    }
    if (bs_feed(p, in + off, n) != 0) {
      return -1;
    }
    off += n;
  }
  return bs_drain(p, o) == 0 && read_client(c) == 0 ? 0 : -1;
}

/* Feed every batch the client's credit allows; the last frame of the last
 * batch carries END_STREAM (patched in place, then restored). */
static int send_body(bs_peer *p, data_cli *c, bs_out *o, uint8_t *batch) {
  const int64_t need = (int64_t)DATA_BATCH * DATA_FRAME;
  uint8_t *last_flags = batch + (DATA_BATCH - 1) * DATA_STRIDE + 4;
  size_t b;
  int rc = 0;
  for (b = 0; b < DATA_NBATCH && rc == 0; b++) {
    if (c->conn_credit < need || c->stream_credit < need) {
      fprintf(stderr, "h2w-bench: %s client stalled the sender (credit %lld)\n",
              bs_lib_name(p->lib),
              (long long)(c->conn_credit < c->stream_credit
                              ? c->conn_credit
                              : c->stream_credit));
      return -1;
    }
    c->conn_credit -= need;
    c->stream_credit -= need;
    if (b == DATA_NBATCH - 1) {
      *last_flags = BS_FLAG_END_STREAM;
    }
    rc = feed_batch(p, c, o, batch, (size_t)DATA_BATCH * DATA_STRIDE);
    *last_flags = 0;
  }
  return rc;
}

static int data_connection(data_bench *db, int lib, data_cli *c) {
  bs_out o = {NULL, BS_APP_CAP, NULL, 0};
  bs_peer p;
  int rc;
  memset(&p, 0, sizeof(p));
  p.lib = lib;
  o.app = db->app;
  o.rec = &c->out;
  rc = lib == BENCH_H2WIRE ? h2d_new(&p, c) : ngd_new(&p, c);
  rc = rc ? rc : submit_get(&p);
  rc = rc ? rc : exchange(&p, c, &o, NULL, 0);
  rc = rc ? rc : exchange(&p, c, &o, db->hello.p, db->hello.len);
  rc = rc ? rc : send_body(&p, c, &o, db->batch);
  bs_peer_del(&p);
  bs_buf_free(&c->out);
  if (rc == 0 && (c->responses != 1 || c->closes != 1 ||
                  c->sink.total != DATA_TOTAL || c->bad)) {
    fprintf(stderr,
            "h2w-bench: %s client: %llu responses, %llu closed, %llu body "
            "octets%s\n",
            bs_lib_name(lib), (unsigned long long)c->responses,
            (unsigned long long)c->closes, (unsigned long long)c->sink.total,
            c->bad ? ", wrong content" : "");
    rc = -1;
  }
  return rc ? -1 : 0;
}

static void cli_init(data_cli *c, data_bench *db, int check) {
  memset(c, 0, sizeof(*c));
  c->db = db;
  c->check = check;
  c->sink.buf = db->sink;
  c->sink.cap = DATA_SINK_CAP;
  c->conn_credit = DEFAULT_WINDOW;
  c->stream_credit = DEFAULT_WINDOW;
  c->peer_initial = DEFAULT_WINDOW;
  c->rng = 0x9e3779b9u;
}

/* ---- passes ------------------------------------------------------------ */

static int data_pass(void *arg, int lib, unsigned long loops, uint64_t *units) {
  data_bench *db = arg;
  unsigned long l;
  for (l = 0; l < loops; l++) {
    data_cli c;
    cli_init(&c, db, 0);
    if (data_connection(db, lib, &c) != 0) {
      return -1;
    }
  }
  *units = (uint64_t)loops * DATA_TOTAL;
  return 0;
}

/* The floor: the same payload octets copied from the same input batch
 * into the same sink, with nothing parsed. */
static int memcpy_pass(data_bench *db, unsigned long loops, uint64_t *units) {
  bs_sink k = {NULL, DATA_SINK_CAP, 0, 0};
  unsigned long l;
  size_t b, f;
  k.buf = db->sink;
  for (l = 0; l < loops; l++) {
    for (b = 0; b < DATA_NBATCH; b++) {
      for (f = 0; f < DATA_BATCH; f++) {
        bs_sink_put(&k, db->batch + f * DATA_STRIDE + BS_FRAME_HD, DATA_FRAME);
      }
    }
  }
  *units = k.total;
  return k.total == (uint64_t)loops * DATA_TOTAL ? 0 : -1;
}

/* For bench_compare_rates: h2wire in the first column, memcpy in the
 * second. */
static int vs_memcpy_pass(void *arg, int lib, unsigned long loops,
                          uint64_t *units) {
  return lib == BENCH_H2WIRE ? data_pass(arg, lib, loops, units)
                             : memcpy_pass(arg, loops, units);
}

/* ---- setup ------------------------------------------------------------- */

static int build_hello(bs_buf *b) {
  static const uint8_t settings[6] = {0, 3, 0, 0, 0, 100};
  h2w_nv nv[3] = {{(const uint8_t *)":status", 7, (const uint8_t *)"200", 3, 0},
                  {(const uint8_t *)"content-type", 12,
                   (const uint8_t *)"application/octet-stream", 24, 0},
                  {(const uint8_t *)"content-length", 14,
                   (const uint8_t *)"1073741824", 10, 0}};
  h2w_hpack_encoder *enc;
  uint8_t blk[256];
  h2w_ssize n;
  if (h2w_hpack_encoder_new(&enc, NULL) != H2W_OK) {
    return -1;
  }
  n = h2w_hpack_encode(enc, blk, sizeof(blk), nv, 3);
  h2w_hpack_encoder_del(enc);
  if (n < 0 || bs_put_frame(b, BS_FT_SETTINGS, 0, 0, settings, 6) != 0 ||
      bs_put_frame(b, BS_FT_SETTINGS, BS_FLAG_ACK, 0, NULL, 0) != 0) {
    return -1;
  }
  return bs_put_frame(b, BS_FT_HEADERS, BS_FLAG_END_HEADERS, 1, blk,
                      (uint32_t)n);
}

static int data_init(data_bench *db) {
  size_t f, k;
  memset(db, 0, sizeof(*db));
  db->batch = malloc((size_t)DATA_BATCH * DATA_STRIDE);
  db->sink = malloc(DATA_SINK_CAP);
  db->app = malloc(BS_APP_CAP);
  if (db->batch == NULL || db->sink == NULL || db->app == NULL ||
      build_hello(&db->hello) != 0) {
    return -1;
  }
  for (f = 0; f < DATA_BATCH; f++) {
    uint8_t *fr = db->batch + f * DATA_STRIDE;
    bs_frame_hd(fr, DATA_FRAME, BS_FT_DATA, 0, 1);
    for (k = 0; k < DATA_FRAME; k++) {
      fr[BS_FRAME_HD + k] = pattern_at(k);
    }
  }
  return 0;
}

static void data_free(data_bench *db) {
  free(db->batch);
  free(db->sink);
  free(db->app);
  bs_buf_free(&db->hello);
}

/* The split rows: name, octets per recv call, and whether a _vs_memcpy
 * row goes with it. */
static const struct {
  const char *name, *vs_memcpy;
  size_t split;
} splits[] = {
    {"data_split1k", NULL, 1024},
    {"data_split16k", "data_split16k_vs_memcpy", 16384},
    {"data_split64k", "data_split64k_vs_memcpy", 65536},
    {"data_split_random", NULL, DATA_SPLIT_RANDOM},
};

int bs_data_selected(const bench_ctx *ctx) {
  size_t i;
  if (bench_selected(ctx, "data_gbps") ||
      bench_selected(ctx, "data_vs_memcpy")) {
    return 1;
  }
  for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
    if (bench_selected(ctx, splits[i].name) ||
        (splits[i].vs_memcpy != NULL &&
         bench_selected(ctx, splits[i].vs_memcpy))) {
      return 1;
    }
  }
  return 0;
}

void bs_data_list(bench_name_cb cb, void *user) {
  size_t i;
  for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
    cb(user, splits[i].name);
    if (splits[i].vs_memcpy != NULL) {
      cb(user, splits[i].vs_memcpy);
    }
  }
}

/* Validate each split once per library (content, END_STREAM, credit),
 * then time it. */
static int run_splits(bench_ctx *ctx, data_bench *db) {
  size_t i;
  int rc = 0, lib;
  for (i = 0; i < sizeof(splits) / sizeof(splits[0]) && rc == 0; i++) {
    int row = bench_selected(ctx, splits[i].name);
    int vs =
        splits[i].vs_memcpy != NULL && bench_selected(ctx, splits[i].vs_memcpy);
    if (!row && !vs) {
      continue;
    }
    db->split = splits[i].split;
    for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2 && rc == 0; lib++) {
      data_cli c;
      cli_init(&c, db, 1);
      rc = data_connection(db, lib, &c);
    }
    if (rc == 0 && row) {
      rc = bench_compare_rates(ctx, splits[i].name, "B", data_pass, db);
    }
    if (rc == 0 && vs) {
      rc = bench_compare_rates(ctx, splits[i].vs_memcpy, "B", vs_memcpy_pass,
                               db);
      if (rc == 0) {
        snprintf(ctx->results[ctx->nresults - 1].note, 96,
                 "2nd column is memcpy, not nghttp2");
      }
    }
  }
  db->split = 0;
  return rc;
}

int bs_run_data(bench_ctx *ctx) {
  data_bench db;
  int rc = data_init(&db), lib;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2 && rc == 0; lib++) {
    data_cli c;
    cli_init(&c, &db, 1);
    rc = data_connection(&db, lib, &c);
    if (rc == 0 && c.window_updates == 0) {
      fprintf(stderr, "h2w-bench: %s client sent no WINDOW_UPDATE\n",
              bs_lib_name(lib));
      rc = -1;
    }
  }
  if (rc == 0 && bench_selected(ctx, "data_gbps")) {
    rc = bench_compare_rates(ctx, "data_gbps", "B", data_pass, &db);
  }
  if (rc == 0 && bench_selected(ctx, "data_vs_memcpy")) {
    rc = bench_compare_rates(ctx, "data_vs_memcpy", "B", vs_memcpy_pass, &db);
    if (rc == 0) {
      snprintf(ctx->results[ctx->nresults - 1].note, 96,
               "2nd column is memcpy, not nghttp2");
    }
  }
  rc = rc ? rc : run_splits(ctx, &db);
  data_free(&db);
  return rc;
}

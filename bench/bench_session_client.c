/* client_rps: a client session of each library submits the 100,000 GET
 * requests, 100 per batch; after draining each batch's output into the
 * application buffer it is fed the recorded server answer to that batch
 * (h2wire's server output, recorded once by server_rps's validation: the
 * HPACK state of those bytes only depends on the server's encoder, so any
 * client decodes them). The client collects the header fields and copies
 * the body into an application sink. Unit: full request + response
 * exchanges. */
#include "bench_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_SINK_CAP (64u * 1024u)

typedef struct bs_cli {
  const bs_world *w;
  uint64_t fields, responses, closes;
  bs_sink sink;
  bs_expect *expect; /* validation only: fields and body compared */
  size_t body_off;
  int body_bad;
} bs_cli;

static void cli_field(bs_cli *c, uint32_t sid, const uint8_t *name,
                      size_t namelen, const uint8_t *value, size_t valuelen) {
  c->fields++;
  if (c->expect != NULL) {
    c->expect->sid = sid;
    bs_expect_field(c->expect, name, namelen, value, valuelen);
  }
}

static void cli_response(bs_cli *c) {
  c->responses++;
  if (c->expect != NULL) {
    bs_expect_end(c->expect);
  }
}

static void cli_data(bs_cli *c, const uint8_t *d, size_t len) {
  bs_sink_put(&c->sink, d, len);
  if (c->expect != NULL) {
    if (len > BS_BODY_LEN - c->body_off ||
        memcmp(d, c->w->body + c->body_off, len) != 0) {
      c->body_bad = 1;
    }
    c->body_off = (c->body_off + len) % BS_BODY_LEN;
  }
}

/* ---- h2wire ------------------------------------------------------------ */

static int h2c_header(h2w_session *s, uint32_t sid, const h2w_nv *nv,
                      void *user) {
  (void)s;
  cli_field(user, sid, nv->name, nv->namelen, nv->value, nv->valuelen);
  return 0;
}

static int h2c_headers(h2w_session *s, uint32_t sid, int kind, int end_stream,
                       void *user) {
  (void)s, (void)sid, (void)end_stream;
  if (kind == H2W_HEADERS_RESPONSE) {
    cli_response(user);
  }
  return 0;
}

static int h2c_data(h2w_session *s, uint32_t sid, const uint8_t *d, size_t len,
                    void *user) {
  (void)s, (void)sid;
  cli_data(user, d, len);
  return 0;
}

static int h2c_close(h2w_session *s, uint32_t sid, uint32_t code,
                     uint32_t flags, void *user) {
  bs_cli *c = user;
  (void)s, (void)sid, (void)flags;
  c->closes += code == H2W_NO_ERROR;
  return 0;
}

static int h2c_new(bs_peer *p, bs_cli *c, bs_alloc *a) {
  h2w_callbacks *cb = NULL;
  h2w_mem mem;
  int rc;
  if (a != NULL) {
    bs_alloc_h2w(a, &mem);
  }
  rc = h2w_callbacks_new(&cb, NULL);
  rc = rc ? rc : h2w_callbacks_set_on_header(cb, h2c_header);
  rc = rc ? rc : h2w_callbacks_set_on_headers(cb, h2c_headers);
  rc = rc ? rc : h2w_callbacks_set_on_data(cb, h2c_data);
  rc = rc ? rc : h2w_callbacks_set_on_stream_close(cb, h2c_close);
  rc = rc ? rc : h2w_session_client_new(&p->h2w, cb, NULL, c, a ? &mem : NULL);
  h2w_callbacks_del(cb);
  if (rc != 0) {
    fprintf(stderr, "h2w-bench: h2wire client: %s\n", h2w_error_name(rc));
  }
  return rc ? -1 : 0;
}

/* ---- nghttp2 ----------------------------------------------------------- */

static int ngc_header(nghttp2_session *s, const nghttp2_frame *f,
                      const uint8_t *name, size_t namelen, const uint8_t *value,
                      size_t valuelen, uint8_t flags, void *user) {
  (void)s, (void)flags;
  cli_field(user, (uint32_t)f->hd.stream_id, name, namelen, value, valuelen);
  return 0;
}

static int ngc_frame(nghttp2_session *s, const nghttp2_frame *f, void *user) {
  (void)s;
  if (f->hd.type == NGHTTP2_HEADERS &&
      f->headers.cat == NGHTTP2_HCAT_RESPONSE) {
    cli_response(user);
  }
  return 0;
}

static int ngc_data(nghttp2_session *s, uint8_t flags, int32_t sid,
                    const uint8_t *d, size_t len, void *user) {
  (void)s, (void)flags, (void)sid;
  cli_data(user, d, len);
  return 0;
}

static int ngc_close(nghttp2_session *s, int32_t sid, uint32_t code,
                     void *user) {
  bs_cli *c = user;
  (void)s, (void)sid;
  c->closes += code == NGHTTP2_NO_ERROR;
  return 0;
}

static int ngc_new(bs_peer *p, bs_cli *c, bs_alloc *a) {
  /* What h2wire's client announces by default (and nghttp sends). */
  static const nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  nghttp2_session_callbacks *cb;
  nghttp2_mem mem;
  int rc;
  if (a != NULL) {
    bs_alloc_ngh(a, &mem);
  }
  if (nghttp2_session_callbacks_new(&cb) != 0) {
    return -1;
  }
  nghttp2_session_callbacks_set_on_header_callback(cb, ngc_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ngc_frame);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, ngc_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, ngc_close);
  rc = nghttp2_session_client_new3(&p->ngh, cb, c, NULL, a ? &mem : NULL);
  nghttp2_session_callbacks_del(cb);
  if (rc == 0) {
    rc = nghttp2_submit_settings(p->ngh, NGHTTP2_FLAG_NONE, iv, 2);
  }
  if (rc != 0) {
    fprintf(stderr, "h2w-bench: nghttp2 client: %s\n", nghttp2_strerror(rc));
  }
  return rc ? -1 : 0;
}

/* ---- one client connection --------------------------------------------- */

static int submit_batch(bs_peer *p, const bs_world *w, size_t b) {
  size_t j;
  for (j = 0; j < BS_BATCH; j++) {
    size_t i = b * BS_BATCH + j;
    int32_t id;
    if (p->lib == BENCH_H2WIRE) {
      h2w_nv nv[BS_REQ_FIELDS];
      bs_request_h2w(w, i, nv);
      id = h2w_session_submit_request(p->h2w, nv, BS_REQ_FIELDS, NULL, NULL);
    } else {
      nghttp2_nv nv[BS_REQ_FIELDS];
      bs_request_ngh(w, i, nv);
      id = nghttp2_submit_request(p->ngh, NULL, nv, BS_REQ_FIELDS, NULL, NULL);
    }
    if (id != (int32_t)(2 * i + 1)) {
      fprintf(stderr, "h2w-bench: %s client: request %zu got stream %d\n",
              bs_lib_name(p->lib), i, (int)id);
      return -1;
    }
  }
  return 0;
}

typedef struct cli_run {
  bs_alloc *alloc;     /* counting allocator, or NULL for libc */
  bs_buf *rec;         /* the client's whole output, or NULL */
  uint64_t warm_calls; /* allocator calls from BS_WARM_BATCHES on */
} cli_run;

static int cli_batches(bs_peer *p, const bs_world *w, bs_out *o, cli_run *run) {
  size_t b, len;
  uint64_t calls0 = 0;
  for (b = 0; b < BS_NBATCH; b++) {
    const uint8_t *in = bs_script_chunk(&w->resp, BS_CHUNK_BATCH + b, &len);
    if (b == BS_WARM_BATCHES && run->alloc != NULL) {
      calls0 = run->alloc->calls;
    }
    if (submit_batch(p, w, b) != 0 || bs_drain(p, o) != 0 ||
        bs_feed(p, in, len) != 0) {
      return -1;
    }
  }
  if (run->alloc != NULL) {
    run->warm_calls = run->alloc->calls - calls0;
  }
  return bs_drain(p, o); /* the last WINDOW_UPDATEs */
}

static int cli_connection(const bs_world *w, int lib, bs_cli *c, cli_run *run) {
  uint8_t *app = malloc(BS_APP_CAP);
  bs_out o = {NULL, BS_APP_CAP, NULL, 0};
  bs_peer p;
  int rc = -1;
  memset(&p, 0, sizeof(p));
  p.lib = lib;
  o.app = app;
  o.rec = run->rec;
  if (app != NULL && (lib == BENCH_H2WIRE ? h2c_new(&p, c, run->alloc)
                                          : ngc_new(&p, c, run->alloc)) == 0) {
    /* Our preface first, then the server's SETTINGS and ACK. */
    rc = bs_drain(&p, &o) || bs_handshake(&p, &w->resp, &o) ? -1 : 0;
    rc = rc ? rc : cli_batches(&p, w, &o, run);
    bs_peer_del(&p);
  }
  free(app);
  if (rc == 0 && (c->responses != BS_NREQ || c->closes != BS_NREQ ||
                  c->fields != (uint64_t)BS_NREQ * BS_RESP_FIELDS ||
                  c->sink.total != (uint64_t)BS_NREQ * BS_BODY_LEN)) {
    fprintf(stderr,
            "h2w-bench: %s client: %llu responses, %llu closed, %llu "
            "fields, %llu body octets\n",
            bs_lib_name(lib), (unsigned long long)c->responses,
            (unsigned long long)c->closes, (unsigned long long)c->fields,
            (unsigned long long)c->sink.total);
    rc = -1;
  }
  return rc;
}

/* ---- the workload ------------------------------------------------------ */

typedef struct cli_bench {
  const bs_world *w;
  uint8_t *sink;
} cli_bench;

static void cli_init(bs_cli *c, const cli_bench *cb) {
  memset(c, 0, sizeof(*c));
  c->w = cb->w;
  c->sink.buf = cb->sink;
  c->sink.cap = CLI_SINK_CAP;
}

static int cli_pass(void *arg, int lib, unsigned long loops, uint64_t *units) {
  cli_bench *cb = arg;
  unsigned long l;
  for (l = 0; l < loops; l++) {
    bs_cli c;
    cli_run run = {NULL, NULL, 0};
    cli_init(&c, cb);
    if (cli_connection(cb->w, lib, &c, &run) != 0) {
      return -1;
    }
  }
  *units = (uint64_t)loops * BS_NREQ;
  return 0;
}

/* Untimed, through the counting allocator: every response field and body
 * octet compared, the client's requests decoded by the other library. */
static int cli_validate(const cli_bench *cb, double *allocs) {
  int lib;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
    bs_alloc a = {0, 0, 0};
    bs_expect e;
    bs_buf rec = {NULL, 0, 0};
    bs_cli c;
    cli_run run = {NULL, NULL, 0};
    int rc;
    memset(&e, 0, sizeof(e));
    e.w = cb->w;
    cli_init(&c, cb);
    c.expect = &e;
    run.alloc = &a;
    run.rec = &rec;
    rc = cli_connection(cb->w, lib, &c, &run);
    rc = rc || e.bad || c.body_bad
             ? -1
             : bs_check_requests(cb->w, lib, rec.p, rec.len, BS_NREQ);
    bs_buf_free(&rec);
    allocs[lib] = (double)run.warm_calls /
                  (double)((BS_NBATCH - BS_WARM_BATCHES) * BS_BATCH);
    if (rc != 0) {
      fprintf(stderr, "h2w-bench: %s client failed validation\n",
              bs_lib_name(lib));
      return -1;
    }
  }
  return 0;
}

int bs_run_client(bench_ctx *ctx, const bs_world *w) {
  cli_bench cb;
  double allocs[2];
  int rc;
  cb.w = w;
  cb.sink = malloc(CLI_SINK_CAP);
  if (cb.sink == NULL) {
    return -1;
  }
  rc = cli_validate(&cb, allocs);
  if (rc == 0) {
    rc = bench_compare_rates(ctx, "client_rps", "req", cli_pass, &cb);
  }
  if (rc == 0) {
    bench_result *res = &ctx->results[ctx->nresults - 1];
    snprintf(res->note, sizeof(res->note),
             "allocs/req: h2wire %.2f, nghttp2 %.2f", allocs[0], allocs[1]);
  }
  free(cb.sink);
  return rc;
}

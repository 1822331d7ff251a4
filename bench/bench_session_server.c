/* server_rps: a server session of each library consumes the recorded
 * requests batch by batch and answers each one from its headers-complete
 * callback (h2wire: on_headers with kind REQUEST; nghttp2:
 * on_frame_recv_callback for a request HEADERS) with :status 200,
 * content-type, content-length and a 100-octet body that a data source
 * copies; the output of each batch is drained into the application buffer
 * before the next batch is fed, so at most 100 streams are open
 * (RFC 9113 §5.1.2). Unit: full request + response exchanges. */
#include "bench_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- per-stream body progress -------------------------------------------
 * Both data sources keep how much of the body each stream has sent, so a
 * read that is offered less than the whole body stays correct. */

static size_t body_read(bs_srv *r, uint32_t sid, uint8_t *buf, size_t len,
                        int *eof) {
  size_t i = (sid - 1) / 2, off = r->sent[i];
  size_t n = BS_BODY_LEN - off < len ? BS_BODY_LEN - off : len;
  memcpy(buf, r->w->body + off, n);
  r->sent[i] = (uint8_t)(off + n);
  *eof = off + n == BS_BODY_LEN;
  return n;
}

static void field_seen(bs_srv *r, uint32_t sid, const uint8_t *name,
                       size_t namelen, const uint8_t *value, size_t valuelen) {
  r->fields++;
  if (r->expect != NULL) {
    r->expect->sid = sid;
    bs_expect_field(r->expect, name, namelen, value, valuelen);
  }
}

static void request_done(bs_srv *r) {
  r->requests++;
  if (r->expect != NULL) {
    bs_expect_end(r->expect);
  }
}

/* ---- h2wire ------------------------------------------------------------ */

static h2w_ssize h2s_read(h2w_session *s, uint32_t sid, uint8_t *buf,
                          size_t len, uint32_t *flags, void *src) {
  int eof;
  size_t n = body_read(src, sid, buf, len, &eof);
  (void)s;
  if (eof) {
    *flags |= H2W_DATA_FLAG_EOF;
  }
  return (h2w_ssize)n;
}

static int h2s_header(h2w_session *s, uint32_t sid, const h2w_nv *nv,
                      void *user) {
  (void)s;
  field_seen(user, sid, nv->name, nv->namelen, nv->value, nv->valuelen);
  return 0;
}

static int h2s_headers(h2w_session *s, uint32_t sid, int kind, int end_stream,
                       void *user) {
  bs_srv *r = user;
  (void)end_stream;
  if (kind != H2W_HEADERS_REQUEST) {
    return 0;
  }
  request_done(r);
  if (r->answer) {
    h2w_nv nv[BS_RESP_FIELDS];
    h2w_data_source src = {h2s_read, NULL, NULL};
    src.user = r;
    bs_response_h2w(nv);
    if (h2w_session_submit_response(s, sid, nv, BS_RESP_FIELDS, &src) != 0) {
      r->bad_submit++;
    }
  }
  return 0;
}

static int h2s_close(h2w_session *s, uint32_t sid, uint32_t code,
                     uint32_t flags, void *user) {
  bs_srv *r = user;
  (void)s, (void)sid, (void)flags;
  r->closes += code == H2W_NO_ERROR;
  return 0;
}

static int h2s_new(bs_peer *p, bs_srv *r, uint32_t max_streams, bs_alloc *a) {
  h2w_callbacks *cb = NULL;
  h2w_options *opt = NULL;
  h2w_mem mem;
  int rc;
  if (a != NULL) {
    bs_alloc_h2w(a, &mem);
  }
  rc = h2w_callbacks_new(&cb, NULL);
  rc = rc ? rc : h2w_options_new(&opt, NULL);
  rc = rc ? rc : h2w_callbacks_set_on_header(cb, h2s_header);
  rc = rc ? rc : h2w_callbacks_set_on_headers(cb, h2s_headers);
  rc = rc ? rc : h2w_callbacks_set_on_stream_close(cb, h2s_close);
  rc = rc ? rc : h2w_options_set_max_concurrent_streams(opt, max_streams);
  rc = rc ? rc : h2w_session_server_new(&p->h2w, cb, opt, r, a ? &mem : NULL);
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  if (rc != 0) {
    fprintf(stderr, "h2w-bench: h2wire server: %s\n", h2w_error_name(rc));
  }
  return rc ? -1 : 0;
}

/* ---- nghttp2 ----------------------------------------------------------- */

static ssize_t ngs_read(nghttp2_session *s, int32_t sid, uint8_t *buf,
                        size_t len, uint32_t *flags, nghttp2_data_source *src,
                        void *user) {
  int eof;
  size_t n = body_read(src->ptr, (uint32_t)sid, buf, len, &eof);
  (void)s, (void)user;
  if (eof) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return (ssize_t)n;
}

static int ngs_header(nghttp2_session *s, const nghttp2_frame *f,
                      const uint8_t *name, size_t namelen, const uint8_t *value,
                      size_t valuelen, uint8_t flags, void *user) {
  (void)s, (void)flags;
  field_seen(user, (uint32_t)f->hd.stream_id, name, namelen, value, valuelen);
  return 0;
}

static int ngs_frame(nghttp2_session *s, const nghttp2_frame *f, void *user) {
  bs_srv *r = user;
  if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;
  }
  request_done(r);
  if (r->answer) {
    nghttp2_nv nv[BS_RESP_FIELDS];
    nghttp2_data_provider prd;
    prd.source.ptr = r;
    prd.read_callback = ngs_read;
    bs_response_ngh(nv);
    if (nghttp2_submit_response(s, f->hd.stream_id, nv, BS_RESP_FIELDS, &prd) !=
        0) {
      r->bad_submit++;
    }
  }
  return 0;
}

static int ngs_close(nghttp2_session *s, int32_t sid, uint32_t code,
                     void *user) {
  bs_srv *r = user;
  (void)s, (void)sid;
  r->closes += code == NGHTTP2_NO_ERROR;
  return 0;
}

static int ngs_new(bs_peer *p, bs_srv *r, uint32_t max_streams, bs_alloc *a) {
  nghttp2_session_callbacks *cb;
  nghttp2_settings_entry iv = {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 0};
  nghttp2_mem mem;
  int rc;
  if (a != NULL) {
    bs_alloc_ngh(a, &mem);
  }
  if (nghttp2_session_callbacks_new(&cb) != 0) {
    return -1;
  }
  nghttp2_session_callbacks_set_on_header_callback(cb, ngs_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ngs_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, ngs_close);
  rc = nghttp2_session_server_new3(&p->ngh, cb, r, NULL, a ? &mem : NULL);
  nghttp2_session_callbacks_del(cb);
  /* nghttp2 leaves the server's SETTINGS to the application; h2wire
   * queues the same MAX_CONCURRENT_STREAMS on its own. */
  iv.value = max_streams;
  if (rc == 0) {
    rc = nghttp2_submit_settings(p->ngh, NGHTTP2_FLAG_NONE, &iv, 1);
  }
  if (rc != 0) {
    fprintf(stderr, "h2w-bench: nghttp2 server: %s\n", nghttp2_strerror(rc));
  }
  return rc ? -1 : 0;
}

int bs_srv_new(bs_peer *p, int lib, bs_srv *r, uint32_t max_streams,
               bs_alloc *a) {
  memset(p, 0, sizeof(*p));
  p->lib = lib;
  return lib == BENCH_H2WIRE ? h2s_new(p, r, max_streams, a)
                             : ngs_new(p, r, max_streams, a);
}

int bs_handshake(bs_peer *p, const bs_script *s, bs_out *o) {
  size_t len;
  const uint8_t *in = bs_script_chunk(s, BS_CHUNK_HELLO, &len);
  if (bs_feed(p, in, len) != 0 || bs_drain(p, o) != 0) {
    return -1;
  }
  in = bs_script_chunk(s, BS_CHUNK_ACK, &len);
  return bs_feed(p, in, len) == 0 && bs_drain(p, o) == 0 ? 0 : -1;
}

/* ---- one server connection --------------------------------------------- */

typedef struct srv_run {
  bs_alloc *alloc;     /* counting allocator, or NULL for libc */
  bs_script *rec;      /* the output of each input chunk, or NULL */
  uint64_t warm_calls; /* allocator calls from BS_WARM_BATCHES on */
} srv_run;

static int cut(bs_script *rec) {
  return rec != NULL ? bs_script_cut(rec) : 0;
}

static int srv_batches(bs_peer *p, const bs_world *w, bs_out *o, srv_run *run) {
  size_t b, len;
  uint64_t calls0 = 0;
  for (b = 0; b < BS_NBATCH; b++) {
    const uint8_t *in = bs_script_chunk(&w->req, BS_CHUNK_BATCH + b, &len);
    if (b == BS_WARM_BATCHES && run->alloc != NULL) {
      calls0 = run->alloc->calls;
    }
    if (bs_feed(p, in, len) != 0 || bs_drain(p, o) != 0 || cut(run->rec) != 0) {
      return -1;
    }
  }
  if (run->alloc != NULL) {
    run->warm_calls = run->alloc->calls - calls0;
  }
  return 0;
}

static int srv_connection(const bs_world *w, int lib, bs_srv *r, srv_run *run) {
  uint8_t *app = malloc(BS_APP_CAP);
  bs_out o = {NULL, BS_APP_CAP, NULL, 0};
  bs_peer p;
  int rc = -1;
  o.app = app;
  o.rec = run->rec != NULL ? &run->rec->bytes : NULL;
  if (app != NULL && bs_srv_new(&p, lib, r, BS_BATCH, run->alloc) == 0) {
    /* The handshake's two chunks are recorded as the script's first two
     * chunks, so the response script lines up with the request script. */
    size_t len;
    const uint8_t *in = bs_script_chunk(&w->req, BS_CHUNK_HELLO, &len);
    rc = bs_feed(&p, in, len) || bs_drain(&p, &o) || cut(run->rec);
    in = bs_script_chunk(&w->req, BS_CHUNK_ACK, &len);
    rc = rc ? rc : bs_feed(&p, in, len) || bs_drain(&p, &o) || cut(run->rec);
    rc = rc ? -1 : srv_batches(&p, w, &o, run);
    bs_peer_del(&p);
  }
  free(app);
  if (rc == 0 &&
      (r->requests != BS_NREQ || r->closes != BS_NREQ ||
       r->fields != (uint64_t)BS_NREQ * BS_REQ_FIELDS || r->bad_submit != 0)) {
    fprintf(stderr,
            "h2w-bench: %s server: %llu requests, %llu closed, %llu fields, "
            "%llu failed submits\n",
            bs_lib_name(lib), (unsigned long long)r->requests,
            (unsigned long long)r->closes, (unsigned long long)r->fields,
            (unsigned long long)r->bad_submit);
    rc = -1;
  }
  return rc;
}

static void srv_init(bs_srv *r, const bs_world *w, uint8_t *sent) {
  memset(r, 0, sizeof(*r));
  r->w = w;
  r->answer = 1;
  r->sent = sent;
  memset(sent, 0, BS_NREQ);
}

/* ---- the workload ------------------------------------------------------ */

typedef struct srv_bench {
  const bs_world *w;
  uint8_t *sent;
} srv_bench;

static int srv_pass(void *arg, int lib, unsigned long loops, uint64_t *units) {
  srv_bench *sb = arg;
  unsigned long l;
  for (l = 0; l < loops; l++) {
    bs_srv r;
    srv_run run = {NULL, NULL, 0};
    srv_init(&r, sb->w, sb->sent);
    if (srv_connection(sb->w, lib, &r, &run) != 0) {
      return -1;
    }
  }
  *units = (uint64_t)loops * BS_NREQ;
  return 0;
}

/* One untimed connection per library through the counting allocator, every
 * field compared with the recording and the whole output decoded by the
 * other library. h2wire's output becomes the response script of
 * client_rps. Stores allocator calls per request in steady state. */
static int srv_validate(bs_world *w, uint8_t *sent, double *allocs) {
  int lib;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
    bs_alloc a = {0, 0, 0};
    bs_expect e;
    bs_srv r;
    bs_script rec;
    srv_run run = {NULL, NULL, 0};
    int rc;
    memset(&rec, 0, sizeof(rec));
    memset(&e, 0, sizeof(e));
    e.w = w;
    e.request = 1;
    srv_init(&r, w, sent);
    r.expect = &e;
    run.alloc = &a;
    run.rec = &rec;
    rc = srv_connection(w, lib, &r, &run);
    rc = rc || e.bad
             ? -1
             : bs_check_responses(w, lib, rec.bytes.p, rec.bytes.len, BS_NREQ);
    allocs[lib] = (double)run.warm_calls /
                  (double)((BS_NBATCH - BS_WARM_BATCHES) * BS_BATCH);
    if (rc == 0 && lib == BENCH_H2WIRE) {
      bs_script_free(&w->resp);
      w->resp = rec;
    } else {
      bs_script_free(&rec);
    }
    if (rc != 0) {
      fprintf(stderr, "h2w-bench: %s server failed validation\n",
              bs_lib_name(lib));
      return -1;
    }
  }
  return 0;
}

int bs_run_server(bench_ctx *ctx, bs_world *w, int timed) {
  srv_bench sb;
  double allocs[2];
  int rc;
  sb.w = w;
  sb.sent = malloc(BS_NREQ);
  if (sb.sent == NULL) {
    return -1;
  }
  rc = srv_validate(w, sb.sent, allocs);
  if (rc == 0 && timed) {
    rc = bench_compare_rates(ctx, "server_rps", "req", srv_pass, &sb);
    if (rc == 0) {
      bench_result *res = &ctx->results[ctx->nresults - 1];
      snprintf(res->note, sizeof(res->note),
               "allocs/req: h2wire %.2f, nghttp2 %.2f", allocs[0], allocs[1]);
    }
  }
  free(sb.sent);
  return rc;
}

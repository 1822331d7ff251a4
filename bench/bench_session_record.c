/* The recorded traffic of the session workloads and the checks of what a
 * session emitted.
 *
 * The request script is built once, up front, with nghttp2's HPACK
 * deflater (what curl and nghttp put on the wire) and hand-laid frames:
 *   chunk 0: client magic, SETTINGS (ENABLE_PUSH 0, MAX_CONCURRENT_STREAMS
 *            100) and a connection WINDOW_UPDATE to 2^31-1, so that no
 *            response ever waits for connection credit (RFC 9113 §6.9);
 *   chunk 1: the SETTINGS ACK of the server's SETTINGS (§6.5.3);
 *   chunk 2 + b: batch b, 100 GET requests, one HEADERS frame each with
 *            END_STREAM | END_HEADERS, on streams 1, 3, 5, ... (§5.1.1).
 * Stream windows stay at 65535: a 100-octet body never needs more. */
#include "bench_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR(s) (const uint8_t *)(s), sizeof(s) - 1

typedef struct bs_field {
  const uint8_t *name;
  size_t namelen;
  const uint8_t *value;
  size_t valuelen;
} bs_field;

/* A browser-like GET; field 3 (:path) is /item/<i>. The cookie is about
 * 100 octets, as the issue asks. */
static const bs_field req_fields[BS_REQ_FIELDS] = {
    {STR(":method"), STR("GET")},
    {STR(":scheme"), STR("https")},
    {STR(":authority"), STR("bench.example.com")},
    {STR(":path"), STR("/")},
    {STR("user-agent"),
     STR("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 "
         "Firefox/120.0")},
    {STR("accept"),
     STR("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")},
    {STR("accept-encoding"), STR("gzip, deflate, br")},
    {STR("accept-language"), STR("en-US,en;q=0.5")},
    {STR("cookie"), STR("sid=6b1f0d3ea94c27c58e01fb3d7a92c4e5d0b8f17a29c3e6d4"
                        "; theme=dark; lang=en-US; consent=1; ab=7f3a9c")},
};
#define PATH_FIELD 3u

static const bs_field resp_fields[BS_RESP_FIELDS] = {
    {STR(":status"), STR("200")},
    {STR("content-type"), STR("text/plain")},
    {STR("content-length"), STR("100")},
};

static const bs_field *req_field(const bs_world *w, size_t i, unsigned k,
                                 bs_field *tmp) {
  if (k != PATH_FIELD) {
    return &req_fields[k];
  }
  *tmp = req_fields[k];
  tmp->value = (const uint8_t *)w->paths + i * BS_PATH_CAP;
  tmp->valuelen = w->pathlen[i];
  return tmp;
}

void bs_request_h2w(const bs_world *w, size_t i, h2w_nv *nv) {
  unsigned k;
  for (k = 0; k < BS_REQ_FIELDS; k++) {
    bs_field tmp;
    const bs_field *f = req_field(w, i, k, &tmp);
    nv[k].name = f->name;
    nv[k].namelen = f->namelen;
    nv[k].value = f->value;
    nv[k].valuelen = f->valuelen;
    nv[k].flags = 0;
  }
}

void bs_request_ngh(const bs_world *w, size_t i, nghttp2_nv *nv) {
  unsigned k;
  for (k = 0; k < BS_REQ_FIELDS; k++) {
    bs_field tmp;
    const bs_field *f = req_field(w, i, k, &tmp);
    nv[k].name = (uint8_t *)(uintptr_t)f->name;
    nv[k].namelen = f->namelen;
    nv[k].value = (uint8_t *)(uintptr_t)f->value;
    nv[k].valuelen = f->valuelen;
    nv[k].flags = NGHTTP2_NV_FLAG_NONE;
  }
}

void bs_response_h2w(h2w_nv *nv) {
  unsigned k;
  for (k = 0; k < BS_RESP_FIELDS; k++) {
    nv[k].name = resp_fields[k].name;
    nv[k].namelen = resp_fields[k].namelen;
    nv[k].value = resp_fields[k].value;
    nv[k].valuelen = resp_fields[k].valuelen;
    nv[k].flags = 0;
  }
}

void bs_response_ngh(nghttp2_nv *nv) {
  unsigned k;
  for (k = 0; k < BS_RESP_FIELDS; k++) {
    nv[k].name = (uint8_t *)(uintptr_t)resp_fields[k].name;
    nv[k].namelen = resp_fields[k].namelen;
    nv[k].value = (uint8_t *)(uintptr_t)resp_fields[k].value;
    nv[k].valuelen = resp_fields[k].valuelen;
    nv[k].flags = NGHTTP2_NV_FLAG_NONE;
  }
}

void bs_expect_field(bs_expect *e, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen) {
  unsigned max = e->request ? BS_REQ_FIELDS : BS_RESP_FIELDS;
  bs_field tmp;
  const bs_field *f;
  if (e->bad) {
    return;
  }
  if (e->k >= max) {
    fprintf(stderr, "h2w-bench: stream %u: extra field \"%.*s\"\n", e->sid,
            (int)namelen, (const char *)name);
    e->bad = 1;
    return;
  }
  f = e->request ? req_field(e->w, (e->sid - 1) / 2, e->k, &tmp)
                 : &resp_fields[e->k];
  if (f->namelen != namelen || f->valuelen != valuelen ||
      memcmp(f->name, name, namelen) != 0 ||
      memcmp(f->value, value, valuelen) != 0) {
    fprintf(stderr, "h2w-bench: stream %u field %u: got \"%.*s: %.*s\"\n",
            e->sid, e->k, (int)namelen, (const char *)name, (int)valuelen,
            (const char *)value);
    e->bad = 1;
  }
  e->k++;
}

void bs_expect_end(bs_expect *e) {
  unsigned max = e->request ? BS_REQ_FIELDS : BS_RESP_FIELDS;
  if (!e->bad && e->k != max) {
    fprintf(stderr, "h2w-bench: stream %u: %u fields, expected %u\n", e->sid,
            e->k, max);
    e->bad = 1;
  }
  e->k = 0;
}

/* ---- the request script ------------------------------------------------ */

static int put_settings(bs_buf *b, const uint32_t *pairs, size_t n) {
  uint8_t p[6 * 8];
  size_t i;
  for (i = 0; i < n; i++) {
    uint32_t id = pairs[2 * i], v = pairs[2 * i + 1];
    p[6 * i] = (uint8_t)(id >> 8);
    p[6 * i + 1] = (uint8_t)id;
    p[6 * i + 2] = (uint8_t)(v >> 24);
    p[6 * i + 3] = (uint8_t)(v >> 16);
    p[6 * i + 4] = (uint8_t)(v >> 8);
    p[6 * i + 5] = (uint8_t)v;
  }
  return bs_put_frame(b, BS_FT_SETTINGS, 0, 0, p, (uint32_t)(6 * n));
}

static int record_hello(bs_script *s) {
  static const uint32_t iv[] = {H2W_SETTINGS_ENABLE_PUSH, 0,
                                H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 100};
  /* Raise the connection window from 65535 to 2^31-1 (§6.9.1). */
  static const uint8_t wu[4] = {0x7f, 0xff, 0x00, 0x00};
  bs_buf *b = &s->bytes;
  if (bs_buf_put(b, BS_MAGIC, BS_MAGIC_LEN) != 0 ||
      put_settings(b, iv, 2) != 0 ||
      bs_put_frame(b, BS_FT_WINDOW_UPDATE, 0, 0, wu, 4) != 0 ||
      bs_script_cut(s) != 0 ||
      bs_put_frame(b, BS_FT_SETTINGS, BS_FLAG_ACK, 0, NULL, 0) != 0) {
    return -1;
  }
  return bs_script_cut(s);
}

static int record_batch(const bs_world *w, nghttp2_hd_deflater *def, size_t b,
                        bs_script *s, uint8_t *blk, size_t cap) {
  size_t j;
  for (j = 0; j < BS_BATCH; j++) {
    size_t i = b * BS_BATCH + j;
    nghttp2_nv nv[BS_REQ_FIELDS];
    ssize_t n;
    bs_request_ngh(w, i, nv);
    n = nghttp2_hd_deflate_hd(def, blk, cap, nv, BS_REQ_FIELDS);
    if (n < 0) {
      fprintf(stderr, "h2w-bench: deflate: %s\n", nghttp2_strerror((int)n));
      return -1;
    }
    if (bs_put_frame(&s->bytes, BS_FT_HEADERS,
                     BS_FLAG_END_STREAM | BS_FLAG_END_HEADERS,
                     (uint32_t)(2 * i + 1), blk, (uint32_t)n) != 0) {
      return -1;
    }
  }
  return bs_script_cut(s);
}

static int record_requests(bs_world *w) {
  nghttp2_hd_deflater *def;
  uint8_t blk[2048];
  size_t b;
  int rc;
  if (nghttp2_hd_deflate_new2(&def, H2W_HPACK_DEFAULT_TABLE_SIZE, NULL) != 0) {
    return -1;
  }
  rc = record_hello(&w->req);
  for (b = 0; b < BS_NBATCH && rc == 0; b++) {
    rc = record_batch(w, def, b, &w->req, blk, sizeof(blk));
  }
  nghttp2_hd_deflate_del(def);
  return rc;
}

int bs_world_init(bs_world *w) {
  static const char pattern[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  size_t i;
  memset(w, 0, sizeof(*w));
  w->paths = malloc((size_t)BS_NREQ * BS_PATH_CAP);
  w->pathlen = malloc(BS_NREQ);
  if (w->paths == NULL || w->pathlen == NULL) {
    fprintf(stderr, "h2w-bench: out of memory\n");
    bs_world_free(w);
    return -1;
  }
  for (i = 0; i < BS_NREQ; i++) {
    int n = snprintf(w->paths + i * BS_PATH_CAP, BS_PATH_CAP, "/item/%zu", i);
    w->pathlen[i] = (uint8_t)n;
  }
  for (i = 0; i < BS_BODY_LEN; i++) {
    w->body[i] = (uint8_t)pattern[i % (sizeof(pattern) - 1)];
  }
  if (record_requests(w) != 0) {
    bs_world_free(w);
    return -1;
  }
  return 0;
}

void bs_world_free(bs_world *w) {
  free(w->paths);
  free(w->pathlen);
  bs_script_free(&w->req);
  bs_script_free(&w->resp);
  memset(w, 0, sizeof(*w));
}

/* ---- checking what a session emitted ----------------------------------- */

/* The other library's HPACK decoder, so that neither library vouches for
 * its own output. */
typedef struct bs_hdec {
  h2w_hpack_decoder *h2w;
  nghttp2_hd_inflater *ngh;
} bs_hdec;

static int hdec_new(bs_hdec *d, int emitter) {
  memset(d, 0, sizeof(*d));
  if (emitter == BENCH_H2WIRE) {
    return nghttp2_hd_inflate_new2(&d->ngh, NULL) == 0 ? 0 : -1;
  }
  return h2w_hpack_decoder_new(&d->h2w, NULL) == H2W_OK ? 0 : -1;
}

static void hdec_del(bs_hdec *d) {
  h2w_hpack_decoder_del(d->h2w);
  if (d->ngh != NULL) {
    nghttp2_hd_inflate_del(d->ngh);
  }
}

static int hdec_field(void *user, const h2w_nv *nv) {
  bs_expect_field(user, nv->name, nv->namelen, nv->value, nv->valuelen);
  return 0;
}

static int hdec_ngh(nghttp2_hd_inflater *inf, const uint8_t *in, size_t left,
                    bs_expect *e) {
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t n = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, left, 1);
    if (n < 0) {
      return -1;
    }
    in += n;
    left -= (size_t)n;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      bs_expect_field(e, nv.name, nv.namelen, nv.value, nv.valuelen);
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inf);
      return 0;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) {
      return -1;
    }
  }
}

static int hdec_block(bs_hdec *d, const uint8_t *in, size_t len, bs_expect *e) {
  int rc = d->h2w != NULL ? h2w_hpack_decode(d->h2w, in, len, H2W_HPACK_FINAL,
                                             hdec_field, e)
                          : hdec_ngh(d->ngh, in, len, e);
  if (rc != 0) {
    fprintf(stderr, "h2w-bench: stream %u: header block does not decode\n",
            e->sid);
    return -1;
  }
  bs_expect_end(e);
  return e->bad ? -1 : 0;
}

typedef struct bs_chk {
  const bs_world *w;
  bs_hdec dec;
  bs_expect e;
  uint8_t *state; /* responses: 0 nothing, 1 headers, 2 done */
  size_t nreq, next;
} bs_chk;

static int bad_frame(uint8_t type, uint8_t flags, uint32_t sid) {
  fprintf(stderr,
          "h2w-bench: unexpected frame type %u flags 0x%x on stream %u\n", type,
          flags, sid);
  return -1;
}

static int check_response_frame(void *user, uint8_t type, uint8_t flags,
                                uint32_t sid, const uint8_t *p, uint32_t len) {
  bs_chk *c = user;
  size_t i = (sid - 1) / 2;
  if (type == BS_FT_SETTINGS || type == BS_FT_WINDOW_UPDATE ||
      type == BS_FT_PING) {
    return 0;
  }
  if (sid % 2 != 1 || i >= c->nreq) {
    return bad_frame(type, flags, sid);
  }
  if (type == BS_FT_HEADERS && flags == BS_FLAG_END_HEADERS &&
      c->state[i] == 0) {
    c->state[i] = 1;
    c->e.sid = sid;
    return hdec_block(&c->dec, p, len, &c->e);
  }
  if (type == BS_FT_DATA && flags == BS_FLAG_END_STREAM && c->state[i] == 1 &&
      len == BS_BODY_LEN && memcmp(p, c->w->body, len) == 0) {
    c->state[i] = 2;
    c->next++;
    return 0;
  }
  return bad_frame(type, flags, sid);
}

int bs_check_responses(const bs_world *w, int lib, const uint8_t *out,
                       size_t len, size_t nreq) {
  bs_chk c;
  long walked;
  memset(&c, 0, sizeof(c));
  c.w = w;
  c.e.w = w;
  c.nreq = nreq;
  if (bs_dump_output("server_rps", lib, out, len) != 0 ||
      (lib == BENCH_H2WIRE && bs_dump_expectations(w, nreq) != 0)) {
    return -1;
  }
  c.state = calloc(nreq, 1);
  if (c.state == NULL || hdec_new(&c.dec, lib) != 0) {
    free(c.state);
    return -1;
  }
  walked = bs_walk(out, len, check_response_frame, &c);
  hdec_del(&c.dec);
  free(c.state);
  if (walked != (long)len || c.next != nreq) {
    fprintf(stderr,
            "h2w-bench: %s server: %zu of %zu responses complete in its "
            "output\n",
            bs_lib_name(lib), c.next, nreq);
    return -1;
  }
  return 0;
}

static int check_request_frame(void *user, uint8_t type, uint8_t flags,
                               uint32_t sid, const uint8_t *p, uint32_t len) {
  bs_chk *c = user;
  if (type == BS_FT_SETTINGS || type == BS_FT_WINDOW_UPDATE ||
      type == BS_FT_PING) {
    return 0;
  }
  if (type == BS_FT_HEADERS && c->next < c->nreq && sid == 2 * c->next + 1 &&
      flags == (BS_FLAG_END_STREAM | BS_FLAG_END_HEADERS)) {
    c->next++;
    c->e.sid = sid;
    return hdec_block(&c->dec, p, len, &c->e);
  }
  return bad_frame(type, flags, sid);
}

int bs_check_requests(const bs_world *w, int lib, const uint8_t *out,
                      size_t len, size_t nreq) {
  bs_chk c;
  long walked = -1;
  memset(&c, 0, sizeof(c));
  c.w = w;
  c.e.w = w;
  c.e.request = 1;
  c.nreq = nreq;
  if (bs_dump_output("client_rps", lib, out, len) != 0) {
    return -1;
  }
  if (len < BS_MAGIC_LEN || memcmp(out, BS_MAGIC, BS_MAGIC_LEN) != 0) {
    fprintf(stderr, "h2w-bench: %s client: no connection preface\n",
            bs_lib_name(lib));
    return -1;
  }
  if (hdec_new(&c.dec, lib) != 0) {
    return -1;
  }
  walked =
      bs_walk(out + BS_MAGIC_LEN, len - BS_MAGIC_LEN, check_request_frame, &c);
  hdec_del(&c.dec);
  if (walked != (long)(len - BS_MAGIC_LEN) || c.next != nreq) {
    fprintf(stderr, "h2w-bench: %s client: %zu of %zu requests in its output\n",
            bs_lib_name(lib), c.next, nreq);
    return -1;
  }
  return 0;
}

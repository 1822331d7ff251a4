/* Second half of diff_peer.h: the two applications (what they submit,
 * what they check on receipt), the library callbacks, the op loop and
 * the checks at quiescence. Included by diff_peer.h only. */
#ifndef H2W_DIFF_PEER_APP_H
#define H2W_DIFF_PEER_APP_H

/* The harness is single-threaded; data sources of both libraries reach
 * the run through this (h2wire's read() gets no session user). */
static dx *g_dx;

static int ng_has_stream(dx *d, uint32_t sid) {
  return nghttp2_session_find_stream(d->ng, (int32_t)sid) != NULL;
}

/* The receiver of frames sent on direction dir has ended its own side of
 * the stream (an END_STREAM it receives there closes the stream). */
static int stream_half_closed_local(dx *d, int dir, uint32_t sid) {
  if (dir == DIR_OF_NG(d)) { /* h2wire receives */
    return h2w_session_stream_state(d->h, sid) ==
           H2W_STREAM_STATE_HALF_CLOSED_LOCAL;
  }
  nghttp2_stream *st = nghttp2_session_find_stream(d->ng, (int32_t)sid);
  return st != NULL &&
         nghttp2_stream_get_state(st) == NGHTTP2_STREAM_STATE_HALF_CLOSED_LOCAL;
}

/* nghttp2 holds the stream as promised to it and not yet started. */
static int ng_reserved(dx *d, uint32_t sid) {
  nghttp2_stream *st = nghttp2_session_find_stream(d->ng, (int32_t)sid);
  return st != NULL &&
         nghttp2_stream_get_state(st) == NGHTTP2_STREAM_STATE_RESERVED_REMOTE;
}

static int h_has_stream(dx *d, uint32_t sid) {
  int st = h2w_session_stream_state(d->h, sid);
  return st != H2W_STREAM_STATE_IDLE && st != H2W_STREAM_STATE_CLOSED;
}

/* DX_TRACE=1 in the environment prints every frame each library sends
 * (h2wire's through h2w_frame_trace()), for reading a reproducer. */
static int dx_trace = -1;

static int tracing(void) {
  if (dx_trace < 0) {
    dx_trace = getenv("DX_TRACE") != NULL;
  }
  return dx_trace;
}

/* The server's SETTINGS_MAX_CONCURRENT_STREAMS as the h2wire client
 * has applied it. */
static uint32_t h_peer_mcs(dx *d) {
  uint32_t mcs = 0;
  (void)h2w_session_setting(d->h, H2W_SETTINGS_REMOTE,
                            H2W_SETTINGS_MAX_CONCURRENT_STREAMS, &mcs);
  return mcs;
}

/* The h2wire client just put a request's HEADERS on the wire: did it
 * know that this passes the server's SETTINGS_MAX_CONCURRENT_STREAMS
 * (§5.1.2)? Only then is a refusal by nghttp2 h2wire's fault. The limit
 * is the one in force when the frame's first octet left (mcs0): a
 * SETTINGS h2wire receives while the rest of the frame waits in its
 * output cannot take back a stream already opening on the wire. */
static void note_h_open(dx *d, uint32_t sid) {
  uint32_t mcs = d->emit[DIR_OF_H2W(d)].mcs0, open = 0;
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    /* one send() may open several streams: count those up to this one
     * (client stream ids grow, §5.1.1) */
    if (!d->xs[i].pushed && (uint32_t)d->xs[i].id <= sid &&
        h_has_stream(d, (uint32_t)d->xs[i].id)) {
      open++;
    }
  }
  if (open > mcs && sid < DX_MAX_ID) {
    d->h_over_mcs[sid] = 1;
  }
  if (tracing()) {
    fprintf(stderr,
            "h2wire opened stream %u: %u open, peer limit %u at its first "
            "octet, %u now\n",
            sid, open, mcs, h_peer_mcs(d));
  }
}

/* ---- header fields ----------------------------------------------------- */
#define DX_MAX_NV 24
typedef struct nvs {
  h2w_nv h[DX_MAX_NV];
  nghttp2_nv n[DX_MAX_NV];
  size_t count;
} nvs;

static void nvs_from(const dbuf *fl, nvs *o) {
  size_t off = 0;
  o->count = 0;
  while (off < fl->len && o->count < DX_MAX_NV) {
    uint32_t l[2];
    memcpy(l, fl->p + off, sizeof l);
    off += sizeof l;
    uint8_t *nm = fl->p + off;
    off += l[0];
    uint8_t *val = fl->p + off;
    off += l[1];
    h2w_nv *h = &o->h[o->count];
    h->name = nm;
    h->namelen = l[0];
    h->value = val;
    h->valuelen = l[1];
    h->flags = 0;
    nghttp2_nv *n = &o->n[o->count];
    n->name = nm;
    n->namelen = l[0];
    n->value = val;
    n->valuelen = l[1];
    n->flags = NGHTTP2_NV_FLAG_NONE;
    o->count++;
  }
}

static void fl_str(dbuf *b, const char *n, const char *v) {
  fl_add(b, (const uint8_t *)n, strlen(n), (const uint8_t *)v, strlen(v));
}

static char dx_val[9000];

/* A field value from one selector octet: short printable strings, now
 * and then a long one so that blocks need CONTINUATION (§6.10). */
static size_t gen_value(dx *d, uint8_t sel) {
  size_t len = sel & 0x1f;
  if ((sel & 0xe0) == 0xe0) {
    len = 1500u + (size_t)(sel & 0x1f) * 240u;
  }
  uint32_t k = sel * 131u + d->req_no * 17u;
  for (size_t i = 0; i < len; i++) {
    /* field-vchar (RFC 9110 §5.5); a space inside is fine too */
    dx_val[i] = (char)(0x21 + (k + i * 7u + (i >> 3)) % 94u);
    if (i > 0 && i + 1 < len && (k + i) % 11u == 0) {
      dx_val[i] = ' ';
    }
  }
  dx_val[len] = '\0';
  return len;
}

static const char *const dx_names[] = {
    "x-a",           "x-bb",   "accept", "user-agent", "authorization",
    "cache-control", "x-long", "etag",   "cookie",     "x-never"};

static void gen_extras(dx *d, dbuf *fl, uint8_t count) {
  for (uint8_t i = 0; i < count; i++) {
    uint8_t ns = in_u8(&d->in);
    size_t vl = gen_value(d, in_u8(&d->in));
    const char *n = dx_names[ns % (sizeof dx_names / sizeof dx_names[0])];
    fl_add(fl, (const uint8_t *)n, strlen(n), (const uint8_t *)dx_val, vl);
  }
}

static const uint32_t dx_body_sizes[8] = {0,     1,     100,   1000,
                                          16384, 16385, 70000, 200000};

/* Body, deferral, trailers of a message to submit, from one octet. */
static void gen_body(dx *d, dx_msg *m, uint8_t b, uint8_t c) {
  uint32_t len = dx_body_sizes[b & 7];
  if (len > d->body_budget) {
    len = 0;
  }
  d->body_budget -= len;
  m->body_len = len;
  m->seed = (uint32_t)c * 977u + d->req_no;
  m->defer = (b >> 3) & 3;
  m->trailers = (b >> 5) & 1;
  static const uint32_t chunks[4] = {0, 1, 1000, 7000};
  m->chunk = chunks[(b >> 6) & 3];
  if (m->chunk == 1 && len > 1000) {
    m->chunk = 1000; /* one-octet frames only for small bodies: speed */
  }
  if (m->trailers) {
    fl_str(&m->trail, "x-trailer", "done");
    if (c & 1) {
      size_t vl = gen_value(d, c);
      fl_add(&m->trail, (const uint8_t *)"x-sum", 5, (const uint8_t *)dx_val,
             vl);
    }
  }
}

/* ---- data sources --------------------------------------------------- */

/* Shared by both libraries' sources: -1 defers, else octets written. */
static long msg_read(dx_msg *m, uint8_t *buf, size_t len, int *eof) {
  *eof = 0;
  if (m->defer > 0 && !g_dx->finishing) {
    m->defer--;
    m->deferred = 1;
    return -1;
  }
  m->deferred = 0;
  size_t left = m->body_len - m->sent;
  if (len > left) {
    len = left;
  }
  if (m->chunk != 0 && len > m->chunk) {
    len = m->chunk;
  }
  for (size_t i = 0; i < len; i++) {
    buf[i] = dx_body(m->seed, m->sent + (uint32_t)i);
  }
  m->sent += (uint32_t)len;
  *eof = m->sent == m->body_len;
  return (long)len;
}

static h2w_ssize h_read(h2w_session *s, uint32_t sid, uint8_t *buf, size_t len,
                        uint32_t *flags, void *user) {
  (void)s;
  (void)sid;
  dx_msg *m = user;
  int eof;
  long n = msg_read(m, buf, len, &eof);
  if (n < 0) {
    return H2W_E_DEFERRED;
  }
  if (eof) {
    *flags = H2W_DATA_FLAG_EOF;
    if (m->trailers) {
      *flags |= H2W_DATA_FLAG_NO_END_STREAM;
    }
  }
  return n;
}

static ssize_t ng_read(nghttp2_session *ng, int32_t sid, uint8_t *buf,
                       size_t len, uint32_t *flags, nghttp2_data_source *src,
                       void *user) {
  (void)user;
  dx_msg *m = src->ptr;
  int eof;
  long n = msg_read(m, buf, len, &eof);
  if (n < 0) {
    return NGHTTP2_ERR_DEFERRED;
  }
  if (eof) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (m->trailers) {
      /* nghttp2's documented way: NO_END_STREAM, then submit the trailer
       * from inside the read callback. */
      nvs t;
      nvs_from(&m->trail, &t);
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      int rv = nghttp2_submit_trailer(ng, sid, t.n, t.count);
      if (rv != 0) {
        dx_fail("nghttp2_submit_trailer failed", rv, sid);
      }
    }
  }
  return (ssize_t)n;
}

/* ---- what a receiving application checks ------------------------------ */

static int is_info(const dbuf *cur) {
  uint32_t l[2];
  if (cur->len < 8) {
    return 0;
  }
  memcpy(l, cur->p, sizeof l);
  return l[0] == 7 && memcmp(cur->p + 8, ":status", 7) == 0 && l[1] == 3 &&
         cur->p[15] == '1';
}

/* A header block ended: it must be exactly the next block the sender's
 * application submitted (RFC 9113 §8.1: informational blocks, the
 * header section, then trailers). */
static void blk_end(dx_xchg *x, dx_msg *m, const char *who) {
  (void)x;
  if (is_info(&m->cur)) {
    db_add(&m->r_info, m->cur.p, m->cur.len);
    if (m->r_info.len > m->info.len ||
        memcmp(m->r_info.p, m->info.p, m->r_info.len) != 0) {
      fprintf(stderr, "%s: stream %d\n", who, x->id);
      dx_fail("an informational block differs from the one submitted", x->id,
              (long)m->cur.len);
    }
  } else if (!m->r_head_done) {
    m->r_head_done = 1;
    db_add(&m->r_head, m->cur.p, m->cur.len);
    if (!db_eq(&m->r_head, &m->head)) {
      fprintf(stderr, "%s: stream %d\n", who, x->id);
      dx_fail("a header block differs from the one submitted", x->id,
              (long)m->cur.len);
    }
  } else {
    if (m->r_trail.len != 0) {
      dx_fail("a second trailer block", x->id, 0);
    }
    db_add(&m->r_trail, m->cur.p, m->cur.len);
    if (!db_eq(&m->r_trail, &m->trail)) {
      fprintf(stderr, "%s: stream %d\n", who, x->id);
      dx_fail("trailers differ from those submitted", x->id, (long)m->cur.len);
    }
  }
  m->cur.len = 0;
}

static void rx_data(dx_xchg *x, dx_msg *m, const uint8_t *p, size_t len) {
  if (!m->r_head_done) {
    dx_fail("DATA before the header block", x->id, (long)len);
  }
  if (m->r_body + len > m->body_len) {
    dx_fail("more body than submitted", x->id, (long)(m->r_body + len));
  }
  for (size_t i = 0; i < len; i++) {
    if (p[i] != dx_body(m->seed, m->r_body + (uint32_t)i)) {
      dx_fail("body octet differs from the one submitted", x->id,
              (long)(m->r_body + i));
    }
  }
  m->r_body += (uint32_t)len;
}

static void rx_end(dx_xchg *x, dx_msg *m) {
  if (m->r_end) {
    dx_fail("END_STREAM twice", x->id, 0);
  }
  if (!m->r_head_done || m->r_body != m->body_len ||
      !db_eq(&m->r_trail, &m->trail) || !db_eq(&m->r_info, &m->info)) {
    fprintf(stderr, "head %d body %u/%u trail %zu/%zu\n", m->r_head_done,
            m->r_body, m->body_len, m->r_trail.len, m->trail.len);
    dx_fail("the message ended incomplete", x->id, 0);
  }
  m->r_end = 1;
}

static dx_xchg *must_find(dx *d, uint32_t sid, const char *who) {
  dx_xchg *x = xfind(d, (int32_t)sid);
  if (x == NULL) {
    fprintf(stderr, "%s\n", who);
    dx_fail("an event on a stream no application opened", (long)sid, 0);
  }
  return x;
}

/* ---- h2wire callbacks ---------------------------------------------------- */

static int h_begin(h2w_session *s, uint32_t sid, int kind, void *user) {
  (void)s;
  dx *d = user;
  dx_xchg *x = must_find(d, sid, "h2w begin_headers");
  if (kind == H2W_HEADERS_PUSH_PROMISE) {
    x->h_rx = &x->req;
  } else if (d->h2w_server) {
    if (kind == H2W_HEADERS_REQUEST) {
      x->srv_seen = 1;
    }
    x->h_rx = &x->req;
  } else {
    x->h_rx = &x->resp;
  }
  x->h_rx->cur.len = 0;
  return 0;
}

static int h_header(h2w_session *s, uint32_t sid, const h2w_nv *nv,
                    void *user) {
  (void)s;
  dx_xchg *x = must_find(user, sid, "h2w header");
  fl_add(&x->h_rx->cur, nv->name, nv->namelen, nv->value, nv->valuelen);
  return 0;
}

static int h_headers(h2w_session *s, uint32_t sid, int kind, int end_stream,
                     void *user) {
  (void)s;
  (void)end_stream;
  dx_xchg *x = must_find(user, sid, "h2w headers");
  if (kind == H2W_HEADERS_INFORMATIONAL && !is_info(&x->h_rx->cur)) {
    dx_fail("h2wire called a block informational that is not", x->id, 0);
  }
  blk_end(x, x->h_rx, "h2wire received");
  return 0;
}

static int h_push(h2w_session *s, uint32_t sid, uint32_t pid, void *user) {
  (void)s;
  (void)sid;
  dx *d = user;
  dx_xchg *x = must_find(d, pid, "h2w push_promise");
  blk_end(x, &x->req, "h2wire received a promise");
  /* The promised stream's response arrives through the usual path. */
  x->h_rx = &x->resp;
  x->resp.cur.len = 0;
  if ((d->flags & 0x40) && (pid & 2)) {
    x->app_reset = 1;
    return H2W_PUSH_REFUSE;
  }
  return 0;
}

static int h_data(h2w_session *s, uint32_t sid, const uint8_t *p, size_t len,
                  void *user) {
  (void)s;
  dx *d = user;
  dx_xchg *x = must_find(d, sid, "h2w data");
  rx_data(x, d->h2w_server ? &x->req : &x->resp, p, len);
  x->unconsumed += len;
  return 0;
}

static int h_end(h2w_session *s, uint32_t sid, void *user) {
  (void)s;
  dx *d = user;
  dx_xchg *x = must_find(d, sid, "h2w stream_end");
  rx_end(x, d->h2w_server ? &x->req : &x->resp);
  if (x->h_end_seq != 0 && x->h_closed_seq == 0) {
    x->h_closed_seq = d->h_emit_n; /* closed before h2wire's next frame */
  }
  return 0;
}

static int h_close(h2w_session *s, uint32_t sid, uint32_t code, uint32_t flags,
                   void *user) {
  (void)s;
  dx *d = user;
  dx_xchg *x = xfind(d, (int32_t)sid);
  if (x == NULL) {
    return 0; /* a promise declined before the application saw it */
  }
  if (d->h2w_server) {
    if (x->srv_closed) {
      dx_fail("h2wire closed a stream twice", x->id, 0);
    }
    x->srv_closed = 1;
    x->srv_code = code;
  } else {
    if (x->cli_closed) {
      dx_fail("h2wire closed a stream twice", x->id, 0);
    }
    x->cli_closed = 1;
    x->cli_code = code;
    x->cli_retry = (flags & H2W_CLOSE_FLAG_RETRYABLE) != 0;
  }
  return 0;
}

static void h_error(h2w_session *s, uint32_t sid, uint32_t code,
                    const char *reason, void *user) {
  (void)s;
  dx *d = user;
  if (d->legit_fc_error[0] && code == H2W_FLOW_CONTROL_ERROR) {
    return;
  }
  dx_xchg *x = sid != 0 ? xfind(d, (int32_t)sid) : NULL;
  if (code == H2W_FLOW_CONTROL_ERROR && x != NULL && x->h_fc_legit) {
    /* nghttp2's WINDOW_UPDATE overflowed the stream's send window (see
     * h_fc_legit): the stream ends reset, as by an application. */
    x->app_reset = 1;
    return;
  }
  if (code == H2W_CANCEL && x != NULL && x->pushed) {
    /* A promise declined: by our on_push_promise, or because it arrived
     * on a request stream the client had reset meanwhile (RFC 9113
     * §8.4.2: "a client can ... send a RST_STREAM frame ... referencing
     * the promised stream"). */
    x->app_reset = 1;
    return;
  }
  if (code == H2W_FRAME_SIZE_ERROR && sid == 0 && d->h_over && d->h_over_ok) {
    /* nghttp2 sized a header-block frame by its grown buffer, past the
     * SETTINGS_MAX_FRAME_SIZE h2wire announced (fuzz/README.md): h2wire
     * is right; to_h() checks that this frame is the one refused. */
    d->h_over_err = 1;
    return;
  }
  if (code == H2W_REFUSED_STREAM && sid != 0) {
    /* §5.1.2: a client may open streams past a lowered
     * MAX_CONCURRENT_STREAMS before the SETTINGS reach it; "An endpoint
     * that receives a HEADERS frame that causes its advertised
     * concurrent stream limit to be exceeded MUST treat this as a stream
     * error ... of type PROTOCOL_ERROR or REFUSED_STREAM". The client
     * must then see the close as retryable (check_exchanges). */
    return;
  }
  fprintf(stderr, "h2wire on_error: stream %u code %s: %s\n", sid,
          h2w_http2_error_name(code), reason ? reason : "");
  if (code == H2W_FRAME_SIZE_ERROR && sid == 0 && d->h_over) {
    dx_fail("nghttp2 sent a frame larger than the SETTINGS_MAX_FRAME_SIZE "
            "h2wire announced, not explained by its grown frame buffer",
            (long)d->h_over_at, (long)h_mfs_limit(d));
  }
  dx_fail("h2wire reported an error about nghttp2's output", (long)sid,
          (long)code);
}

/* RST_STREAM codes that only a protocol violation produces (§7). */
static int bad_rst_code(uint32_t code) {
  return code == 0x1 || code == 0x3 || code == 0x5 || code == 0x6 ||
         code == 0x9;
}

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

static int h_frame_send(h2w_session *s, const h2w_frame_info *fi,
                        const uint8_t *p, void *user) {
  (void)s;
  dx *d = user;
  if (tracing()) {
    char line[256];
    h2w_frame_trace(line, sizeof line, 1, fi, p);
    fprintf(stderr, "h2wire  %s\n", line);
  }
  if (fi->type == 7 && fi->length >= 8 && p != NULL && be32(p + 4) != 0 &&
      !(d->legit_fc_error[0] && be32(p + 4) == H2W_FLOW_CONTROL_ERROR)) {
    dx_fail("h2wire sent GOAWAY with an error", (long)be32(p),
            (long)be32(p + 4));
  }
  dx_xchg *x = fi->stream_id != 0 ? xfind(d, (int32_t)fi->stream_id) : NULL;
  if (fi->type == 3 && fi->length == 4 && p != NULL && bad_rst_code(be32(p)) &&
      !(be32(p) == H2W_FLOW_CONTROL_ERROR && x != NULL && x->h_fc_legit)) {
    dx_fail("h2wire reset a stream with a protocol error code",
            (long)fi->stream_id, (long)be32(p));
  }
  return 0;
}

static int h_goaway(h2w_session *s, uint32_t last, uint32_t code,
                    const uint8_t *dbg, size_t dlen, void *user) {
  (void)s;
  (void)dbg;
  (void)dlen;
  (void)user;
  if (code != 0) {
    dx_fail("h2wire received GOAWAY with an error", (long)last, (long)code);
  }
  return 0;
}

/* ---- nghttp2 callbacks ----------------------------------------------------
 */

static uint32_t frame_sid(const nghttp2_frame *f) {
  return f->hd.type == NGHTTP2_PUSH_PROMISE
             ? (uint32_t)f->push_promise.promised_stream_id
             : (uint32_t)f->hd.stream_id;
}

static int ng_begin(nghttp2_session *ng, const nghttp2_frame *f, void *user) {
  (void)ng;
  dx *d = user;
  dx_xchg *x = must_find(d, frame_sid(f), "nghttp2 begin_headers");
  if (f->hd.type == NGHTTP2_PUSH_PROMISE) {
    x->ng_rx = &x->req;
    if (f->push_promise.promised_stream_id > d->ng_last_promised) {
      d->ng_last_promised = f->push_promise.promised_stream_id;
    }
  } else if (d->h2w_server) {
    x->ng_rx = &x->resp;
  } else {
    if (f->headers.cat == NGHTTP2_HCAT_REQUEST) {
      x->srv_seen = 1;
    }
    x->ng_rx = &x->req;
  }
  x->ng_rx->cur.len = 0;
  return 0;
}

static int ng_header(nghttp2_session *ng, const nghttp2_frame *f,
                     const uint8_t *n, size_t nl, const uint8_t *v, size_t vl,
                     uint8_t flags, void *user) {
  (void)ng;
  (void)flags;
  dx_xchg *x = must_find(user, frame_sid(f), "nghttp2 header");
  fl_add(&x->ng_rx->cur, n, nl, v, vl);
  return 0;
}

/* A SETTINGS ACK makes nghttp2 apply its own SETTINGS (RFC 9113 §6.5.3),
 * INITIAL_WINDOW_SIZE included (§6.9.2). Its stream windows before that
 * are kept to tell, once the ACK is processed, which streams it may
 * reset FLOW_CONTROL_ERROR by its own accounting (see ng_settings_acked). */
static int ng_begin_frame(nghttp2_session *ng, const nghttp2_frame_hd *hd,
                          void *user) {
  dx *d = user;
  if (hd->type != NGHTTP2_SETTINGS || !(hd->flags & NGHTTP2_FLAG_ACK)) {
    return 0;
  }
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    dx_xchg *x = &d->xs[i];
    x->ng_lw_snapped = x->id > 0 && nghttp2_session_find_stream(ng, x->id);
    if (x->ng_lw_snapped) {
      x->ng_lw_snap =
          nghttp2_session_get_stream_effective_local_window_size(ng, x->id);
    }
  }
  return 0;
}

/* nghttp2 has applied its SETTINGS. Two outcomes let it reset a stream
 * with FLOW_CONTROL_ERROR though h2wire kept within every window (the
 * window model checks that independently):
 * - a lowered INITIAL_WINDOW_SIZE leaves the stream's window negative:
 *   h2wire sent more, legitimately, before the SETTINGS reached it. RFC
 *   9113 §6.9.3: "the receiver MUST be prepared to receive data that
 *   exceeds this window size ... The receiver MAY instead send a
 *   RST_STREAM with an error code of FLOW_CONTROL_ERROR for the affected
 *   streams." nghttp2 does, once its next WINDOW_UPDATE for it is sent.
 * - a raised INITIAL_WINDOW_SIZE takes nghttp2's window, counted as if
 *   every octet received were returned, past 2^31-1, while the window
 *   h2wire holds (octets in use deducted) stays within it: §6.9.2 makes
 *   only an overflow of that one an error ("causes any flow-control
 *   window to exceed the maximum size"), and h2wire would end the
 *   connection then (check 4). nghttp2 cannot represent it and resets
 *   the stream. */
static void ng_settings_acked(nghttp2_session *ng, dx *d) {
  uint32_t iws = nghttp2_session_get_local_settings(
      ng, NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE);
  int64_t diff = (int64_t)iws - (int64_t)d->ng_local_iws;
  d->ng_local_iws = iws;
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    dx_xchg *x = &d->xs[i];
    if (!x->ng_lw_snapped || !nghttp2_session_find_stream(ng, x->id)) {
      continue;
    }
    x->ng_lw_snapped = 0;
    if (diff != 0 && (int64_t)x->ng_lw_snap + diff > 0x7fffffff) {
      x->ng_fc_affected = 1;
      /* nghttp2 queues its RST_STREAM FLOW_CONTROL_ERROR here, at the
       * ACK: from now until it leaves, the stream is one nghttp2 is
       * resetting, as after its application's reset (ng_counts_resetting) */
      x->ng_rst_pending = 1;
      if (tracing()) {
        fprintf(stderr, "nghttp2 stream %d: local window %d + %lld overflows\n",
                x->id, x->ng_lw_snap, (long long)diff);
      }
    }
    int32_t lw =
        nghttp2_session_get_stream_effective_local_window_size(ng, x->id);
    int32_t rx =
        nghttp2_session_get_stream_effective_recv_data_length(ng, x->id);
    if (diff < 0 && rx > lw) {
      x->ng_fc_affected = 1;
      if (tracing()) {
        fprintf(stderr, "nghttp2 stream %d: %d octets unreturned, window %d\n",
                x->id, rx, lw);
      }
    }
  }
}

static int ng_frame_recv(nghttp2_session *ng, const nghttp2_frame *f,
                         void *user) {
  dx *d = user;
  switch (f->hd.type) {
  case NGHTTP2_SETTINGS:
    if (f->hd.flags & NGHTTP2_FLAG_ACK) {
      ng_settings_acked(ng, d);
    }
    break;
  case NGHTTP2_HEADERS: {
    dx_xchg *x = must_find(d, (uint32_t)f->hd.stream_id, "nghttp2 headers");
    blk_end(x, x->ng_rx, "nghttp2 received");
    if (f->hd.flags & NGHTTP2_FLAG_END_STREAM) {
      rx_end(x, x->ng_rx);
    }
    break;
  }
  case NGHTTP2_DATA:
    if (f->hd.flags & NGHTTP2_FLAG_END_STREAM) {
      dx_xchg *x = must_find(d, (uint32_t)f->hd.stream_id, "nghttp2 data");
      rx_end(x, d->h2w_server ? &x->resp : &x->req);
    }
    break;
  case NGHTTP2_PUSH_PROMISE: {
    dx_xchg *x = must_find(d, frame_sid(f), "nghttp2 push");
    if (x->ng_cut_promise && !x->req.r_head_done) {
      /* reset by the client inside the block (op_reset): the fields
       * reported must still be the first ones submitted */
      if (x->req.cur.len > x->req.head.len ||
          (x->req.cur.len > 0 &&
           memcmp(x->req.cur.p, x->req.head.p, x->req.cur.len) != 0)) {
        dx_fail("a cut promise's fields differ from those submitted", x->id,
                (long)x->req.cur.len);
      }
      x->req.r_head_done = 1;
      db_add(&x->req.r_head, x->req.cur.p, x->req.cur.len);
      x->req.cur.len = 0;
      x->ng_rx = &x->resp;
      break;
    }
    blk_end(x, &x->req, "nghttp2 received a promise");
    x->ng_rx = &x->resp;
    break;
  }
  case NGHTTP2_GOAWAY:
    if (f->goaway.error_code != 0) {
      dx_fail("nghttp2 received GOAWAY with an error",
              (long)f->goaway.last_stream_id, (long)f->goaway.error_code);
    }
    break;
  default:
    break;
  }
  return 0;
}

static int ng_data(nghttp2_session *ng, uint8_t flags, int32_t sid,
                   const uint8_t *p, size_t len, void *user) {
  (void)ng;
  (void)flags;
  dx *d = user;
  dx_xchg *x = must_find(d, (uint32_t)sid, "nghttp2 data chunk");
  rx_data(x, d->h2w_server ? &x->resp : &x->req, p, len);
  return 0;
}

static int ng_close(nghttp2_session *ng, int32_t sid, uint32_t code,
                    void *user) {
  (void)ng;
  dx *d = user;
  dx_xchg *x = xfind(d, sid);
  if (x == NULL) {
    return 0;
  }
  if (!d->h2w_server) {
    if (x->srv_closed) {
      dx_fail("nghttp2 closed a stream twice", sid, 0);
    }
    x->srv_closed = 1;
    x->srv_code = code;
  } else {
    if (x->cli_closed) {
      dx_fail("nghttp2 closed a stream twice", sid, 0);
    }
    x->cli_closed = 1;
    x->cli_code = code;
    /* nghttp2 closes a request the server never processed (above a
     * GOAWAY's last-stream-id, or refused) with REFUSED_STREAM. */
    x->cli_retry = code == NGHTTP2_REFUSED_STREAM;
  }
  return 0;
}

/* nghttp2 has just been handed the end of a PUSH_PROMISE header block on
 * request stream assoc. If its client had queued a RST_STREAM on assoc
 * by then, nghttp2 holds that stream as closing (from the moment the
 * frame is queued) and skips the end of the block
 * (session_after_header_block_received()): no on_frame_recv, and the
 * promised stream keeps the HTTP state of the promise's request fields,
 * so a response it then receives there is refused as invalid (":status"
 * after regular fields). */
static void ng_orphan_promise(dx *d, uint32_t assoc, uint32_t promised) {
  dx_xchg *a = assoc != 0 ? xfind(d, (int32_t)assoc) : NULL;
  dx_xchg *x = promised != 0 ? xfind(d, (int32_t)promised) : NULL;
  if (d->h2w_server && a != NULL && a->ng_rst_queued && x != NULL) {
    x->ng_promise_orphaned = 1;
  }
}

/* The nghttp2 server calls h2wire's request HEADERS on stream sid a
 * connection PROTOCOL_ERROR ("max concurrent streams exceeded"): is that
 * explained by streams h2wire has closed (END_STREAM both ways, §5.1)
 * but nghttp2 still counts because its own application reset them and
 * the RST_STREAM has not left? nghttp2 ignores every frame on a stream it
 * is resetting, the END_STREAM that closed it included. h2wire, which
 * cannot see a reset still in its peer's queue, counted right (§5.1.2);
 * and §5.1.2 makes an excess a stream error, not a connection error. */
static int ng_counts_resetting(dx *d, uint32_t sid) {
  uint32_t ng_open = 0, ghosts = 0;
  uint32_t limit = nghttp2_session_get_local_settings(
      d->ng, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  if (d->h2w_server || !(sid & 1) || sid >= DX_MAX_ID || d->h_over_mcs[sid]) {
    return 0;
  }
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    dx_xchg *x = &d->xs[i];
    if (x->pushed || (uint32_t)x->id >= sid ||
        !ng_has_stream(d, (uint32_t)x->id)) {
      continue;
    }
    ng_open++;
    /* h2wire's view when sid's HEADERS left, not now: a stream it ended
     * by a frame behind them (in the same write) still counted for it */
    if (x->h_closed_seq != 0 && x->h_closed_seq < d->h_open_seq[sid]) {
      if (!x->ng_rst_pending) {
        return 0; /* a stream nghttp2 counts for another reason */
      }
      ghosts++;
    }
  }
  return ghosts > 0 && ng_open >= limit && ng_open - ghosts < limit;
}

static int ng_invalid(nghttp2_session *ng, const nghttp2_frame *f, int err,
                      void *user) {
  (void)ng;
  dx *d = user;
  uint32_t sid = (uint32_t)f->hd.stream_id;
  if (err == NGHTTP2_ERR_REFUSED_STREAM && f->hd.type == NGHTTP2_HEADERS &&
      sid < DX_MAX_ID && !d->h_over_mcs[sid]) {
    /* §5.1.2: nghttp2 lowered its limit in a SETTINGS h2wire had not
     * received when it opened the stream; REFUSED_STREAM is the RFC's
     * answer, and the client must then see the close as retryable. */
    return 0;
  }
  if (err == NGHTTP2_ERR_PROTO && f->hd.type == NGHTTP2_HEADERS &&
      ng_counts_resetting(d, sid)) {
    /* nghttp2 behaviour (above): it ends the connection; so does the run */
    d->stopped = 1;
    return 0;
  }
  if (err == NGHTTP2_ERR_PROTO &&
      (f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_RST_STREAM) &&
      d->h2w_server && !(sid & 1) && d->ng_goaway_sent &&
      sid > d->ng_goaway_last) {
    /* A push that crossed the nghttp2 client's GOAWAY: nghttp2 discards
     * the PUSH_PROMISE (above its last-stream-id) but then calls the
     * HEADERS or RST_STREAM on that stream a protocol error (an idle
     * stream for it), where RFC 9113 §6.8 says
     * "the sender can discard frames for streams initiated by the
     * receiver with identifiers higher than the identified last stream".
     * nghttp2 ends the connection; so does the run. */
    d->stopped = 1;
    return 0;
  }
  if (err == NGHTTP2_ERR_PROTO && f->hd.type == NGHTTP2_WINDOW_UPDATE &&
      d->h2w_server && sid != 0 && !(sid & 1) && d->ng_goaway_sent &&
      ng_reserved(d, sid)) {
    /* The nghttp2 client sent GOAWAY, then ignored h2wire's response
     * HEADERS on a promise (it stays reserved (remote) there, allowed
     * difference in fuzz/README.md), and calls h2wire's WINDOW_UPDATE on
     * it a protocol error. For h2wire the stream is half-closed (remote),
     * where §5.1 lets it send "frames of any type": h2wire is at fault
     * only if its WINDOW_UPDATE left before those HEADERS, in reserved
     * (local). nghttp2 ends the connection; so does the run, as for the
     * DATA that follow such HEADERS. */
    dx_xchg *x = xfind(d, (int32_t)sid);
    if (x != NULL && x->h_push_resp_out && !x->h_wu_reserved) {
      d->stopped = 1;
      return 0;
    }
  }
  if (err == NGHTTP2_ERR_HTTP_HEADER && f->hd.type == NGHTTP2_HEADERS &&
      d->h2w_server && sid != 0 && !(sid & 1)) {
    dx_xchg *x = xfind(d, (int32_t)sid);
    if (x != NULL && x->ng_promise_orphaned) {
      /* The pushed response of a promise whose block nghttp2 left
       * unfinished when its client reset the request stream
       * (ng_orphan_promise()): nghttp2 behaviour. h2wire's response is
       * valid, and a reset of the request stream does not withdraw a
       * promise (RFC 9113 §8.4.2: the client resets the promised stream
       * for that). nghttp2 resets the stream PROTOCOL_ERROR; the run
       * ends. */
      d->stopped = 1;
      return 0;
    }
  }
  if (err == NGHTTP2_ERR_REFUSED_STREAM) {
    dx_fail("h2wire opened a stream past the MAX_CONCURRENT_STREAMS it had "
            "already applied (§5.1.2)",
            (long)sid, 0);
  }
  fprintf(stderr, "nghttp2 invalid frame: type %u stream %d: %s\n", f->hd.type,
          f->hd.stream_id, nghttp2_strerror(err));
  dx_fail("nghttp2 found an invalid frame in h2wire's output", f->hd.type, err);
  return 0;
}

static int ng_not_send(nghttp2_session *ng, const nghttp2_frame *f, int err,
                       void *user) {
  (void)ng;
  dx *d = user;
  /* Application-level outcomes, not protocol errors: a request or push
   * that lost a race with a GOAWAY or a stream close, push disabled by
   * the client meanwhile (fuzz/README.md lists these). */
  switch (err) {
  case NGHTTP2_ERR_INVALID_STREAM_STATE:
    if (f->hd.type == NGHTTP2_PRIORITY_UPDATE) {
      return 0; /* the stream closed before its PRIORITY_UPDATE left */
    }
    break;
  case NGHTTP2_ERR_SESSION_CLOSING:
    /* nghttp2 is ending the connection: the GOAWAY it sends next says
     * why, and ng_frame_send() judges that. */
    return 0;
  case NGHTTP2_ERR_START_STREAM_NOT_ALLOWED:
  case NGHTTP2_ERR_STREAM_CLOSED:
  case NGHTTP2_ERR_STREAM_CLOSING:
  case NGHTTP2_ERR_STREAM_SHUT_WR:
  case NGHTTP2_ERR_PUSH_DISABLED: {
    dx_xchg *x = xfind(d, (int32_t)frame_sid(f));
    /* nghttp2 also never starts a pushed response once it has received
     * a GOAWAY, whatever its last-stream-id: the promised stream then
     * stays reserved on both sides (nghttp2's choice, not h2wire's). */
    if (x != NULL && ((f->hd.type == NGHTTP2_HEADERS &&
                       (f->headers.cat == NGHTTP2_HCAT_REQUEST ||
                        f->headers.cat == NGHTTP2_HCAT_PUSH_RESPONSE)) ||
                      f->hd.type == NGHTTP2_PUSH_PROMISE)) {
      x->not_sent = 1;
    }
    return 0;
  }
  default:
    break;
  }
  fprintf(stderr, "nghttp2 did not send type %u stream %d: %s\n", f->hd.type,
          f->hd.stream_id, nghttp2_strerror(err));
  dx_fail("nghttp2 could not send a frame", f->hd.type, err);
  return 0;
}

static int ng_frame_send(nghttp2_session *ng, const nghttp2_frame *f,
                         void *user) {
  (void)ng;
  dx *d = user;
  if (tracing()) {
    fprintf(stderr, "nghttp2 send type=%u stream=%d len=%zu flags=0x%02x",
            f->hd.type, f->hd.stream_id, f->hd.length, f->hd.flags);
    /* the values a reproducer's analysis needs */
    if (f->hd.type == NGHTTP2_SETTINGS) {
      for (size_t i = 0; i < f->settings.niv; i++) {
        fprintf(stderr, " %d=%u", f->settings.iv[i].settings_id,
                f->settings.iv[i].value);
      }
    } else if (f->hd.type == NGHTTP2_WINDOW_UPDATE) {
      fprintf(stderr, " increment=%d", f->window_update.window_size_increment);
    } else if (f->hd.type == NGHTTP2_RST_STREAM) {
      fprintf(stderr, " code=%u", f->rst_stream.error_code);
    } else if (f->hd.type == NGHTTP2_GOAWAY) {
      fprintf(stderr, " last=%d code=%u", f->goaway.last_stream_id,
              f->goaway.error_code);
    }
    fputc('\n', stderr);
  }
  if (f->hd.type == NGHTTP2_GOAWAY && f->goaway.error_code != 0 &&
      !(d->legit_fc_error[1] &&
        f->goaway.error_code == NGHTTP2_FLOW_CONTROL_ERROR)) {
    fprintf(stderr, "nghttp2 GOAWAY debug data: %.*s\n",
            (int)f->goaway.opaque_data_len,
            (const char *)f->goaway.opaque_data);
    if (d->h2w_server && d->ng_goaway_sent &&
        f->goaway.error_code == NGHTTP2_PROTOCOL_ERROR &&
        f->goaway.opaque_data_len >= 24 &&
        memcmp(f->goaway.opaque_data, "DATA: stream in reserved", 24) == 0) {
      /* An nghttp2 client that has sent GOAWAY ignores pushed responses
       * (the promise stays reserved, see fuzz/README.md), then calls
       * their DATA a protocol error: nghttp2 behaviour, the run ends. */
      d->stopped = 1;
      return 0;
    }
    if (f->goaway.error_code == NGHTTP2_COMPRESSION_ERROR && d->ng_multi_hts) {
      dx_fail("nghttp2 sent GOAWAY COMPRESSION_ERROR after announcing several "
              "HEADER_TABLE_SIZE entries in one SETTINGS (issue 14 defect C)",
              f->goaway.last_stream_id, (long)f->goaway.error_code);
    }
    dx_fail("nghttp2 sent GOAWAY with an error (h2wire's output is at fault)",
            f->goaway.last_stream_id, (long)f->goaway.error_code);
  }
  if (f->hd.type == NGHTTP2_GOAWAY) {
    d->ng_goaway_sent = 1;
    d->ng_goaway_last = (uint32_t)f->goaway.last_stream_id;
  }
  if (f->hd.type == NGHTTP2_RST_STREAM) {
    dx_xchg *x = xfind(d, f->hd.stream_id);
    if (x != NULL) {
      x->ng_rst_pending = 0;
    }
  }
  if (f->hd.type == NGHTTP2_PUSH_PROMISE) {
    dx_xchg *x = xfind(d, f->push_promise.promised_stream_id);
    if (x != NULL) {
      x->promise_sent = 1;
    }
  }
  if (f->hd.type == NGHTTP2_RST_STREAM &&
      f->rst_stream.error_code == NGHTTP2_FLOW_CONTROL_ERROR) {
    dx_xchg *x = xfind(d, f->hd.stream_id);
    if (x != NULL && x->ng_fc_affected) {
      /* nghttp2's own window after its SETTINGS (ng_settings_acked): an
       * allowed difference; the request ends reset, as by an
       * application. */
      x->app_reset = 1;
      return 0;
    }
  }
  if (f->hd.type == NGHTTP2_RST_STREAM &&
      bad_rst_code(f->rst_stream.error_code)) {
    dx_fail("nghttp2 reset a stream with a protocol error code",
            f->hd.stream_id, (long)f->rst_stream.error_code);
  }
  return 0;
}

static int ng_error(nghttp2_session *ng, int code, const char *msg, size_t len,
                    void *user) {
  (void)ng;
  (void)user;
  fprintf(stderr, "nghttp2 error %d: %.*s\n", code, (int)len, msg);
  return 0;
}

static ssize_t ng_padding(nghttp2_session *ng, const nghttp2_frame *f,
                          size_t max, void *user) {
  (void)ng;
  (void)user;
  size_t want = f->hd.length + (size_t)(f->hd.stream_id * 7 + 3) % 40u;
  return (ssize_t)(want < max ? want : max);
}

static ssize_t ng_read_len(nghttp2_session *ng, uint8_t type, int32_t sid,
                           int32_t sw, int32_t cw, uint32_t remote_max,
                           void *user) {
  (void)ng;
  (void)type;
  dx *d = user;
  /* Larger DATA frames than nghttp2's 16384 default, up to what the
   * peer's SETTINGS_MAX_FRAME_SIZE allows (§4.2). */
  int32_t w = sw < cw ? sw : cw;
  if (w <= 0) {
    w = 1;
  }
  uint32_t len = (uint32_t)w < remote_max ? (uint32_t)w : remote_max;
  /* nghttp2 takes the least of this, both windows and remote_max, and
   * reallocates its frame buffer (for every later frame) when that is
   * more than the buffer holds. */
  if (sw > 0 && cw > 0 && len > d->ng_grant_max) {
    d->ng_grant_max = len;
    if (tracing()) {
      fprintf(stderr,
              "nghttp2 frame buffer grown to %u payload octets (DATA on "
              "stream %d, remote MAX_FRAME_SIZE %u)\n",
              len, sid, remote_max);
    }
  }
  return (ssize_t)len;
}

#include "diff_peer_ops.h"

#endif /* H2W_DIFF_PEER_APP_H */

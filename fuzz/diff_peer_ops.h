/* Third part of diff_peer.h: application actions driven by the input,
 * the final phase, the checks at quiescence, and the run. */
#ifndef H2W_DIFF_PEER_OPS_H
#define H2W_DIFF_PEER_OPS_H

static void msg_free(dx_msg *m) {
  db_free(&m->info);
  db_free(&m->head);
  db_free(&m->trail);
  db_free(&m->r_info);
  db_free(&m->r_head);
  db_free(&m->r_trail);
  db_free(&m->cur);
}

static void x_free(dx_xchg *x) {
  msg_free(&x->req);
  msg_free(&x->resp);
}

/* A fresh slot past the last exchange; xcommit() keeps it. */
static dx_xchg *xslot(dx *d) {
  if (d->n_xchg == DX_MAX_XCHG) {
    return NULL;
  }
  dx_xchg *x = &d->xs[d->n_xchg];
  memset(x, 0, sizeof *x);
  return x;
}

static void xcommit(dx *d, dx_xchg *x, int32_t id) {
  x->id = id;
  d->n_xchg++;
}

/* Is the library acting for `server` (1) or the client (0) h2wire? */
static int is_h(dx *d, int server) {
  return server == d->h2w_server;
}

static size_t split_of(uint8_t b) {
  if (b == 0) {
    return SIZE_MAX;
  }
  return b < 128 ? b : (size_t)(b - 127) * 256u;
}

/* ---- requests and responses --------------------------------------------- */

static void op_request(dx *d) {
  uint8_t a = in_u8(&d->in), b = in_u8(&d->in), c = in_u8(&d->in);
  dx_xchg *x = xslot(d);
  if (x == NULL || (d->h2w_server && d->ng_goaway)) {
    /* an nghttp2 client that sent GOAWAY is shutting the connection
     * down (§6.8); a new request would revive a session nghttp2 already
     * stopped reading (h2wire refuses the same with INVALID_STATE) */
    return;
  }
  d->req_no++;
  gen_body(d, &x->req, b, c);
  char tmp[48];
  snprintf(tmp, sizeof tmp, "/r%u", d->req_no);
  fl_str(&x->req.head, ":method", x->req.body_len ? "POST" : "GET");
  fl_str(&x->req.head, ":scheme", "https");
  fl_str(&x->req.head, ":authority", "example.org");
  fl_str(&x->req.head, ":path", tmp);
  if (a & 0x80) {
    /* RFC 9218 §5: the priority header field */
    snprintf(tmp, sizeof tmp, "u=%u%s", a & 7u, (a & 8) ? ", i" : "");
    fl_str(&x->req.head, "priority", tmp);
  }
  if ((a & 0x40) && x->req.body_len > 0) {
    snprintf(tmp, sizeof tmp, "%u", x->req.body_len);
    fl_str(&x->req.head, "content-length", tmp);
  }
  gen_extras(d, &x->req.head, (uint8_t)((a >> 4) & 3));
  nvs nv;
  nvs_from(&x->req.head, &nv);
  int has_body = x->req.body_len > 0 || x->req.trailers;
  int32_t id;
  if (is_h(d, 0)) {
    h2w_data_source src = {h_read, NULL, &x->req};
    id = h2w_session_submit_request(d->h, nv.h, nv.count,
                                    has_body ? &src : NULL, NULL);
    if (id > 0 && x->req.trailers) {
      nvs t;
      nvs_from(&x->req.trail, &t);
      int rc = h2w_session_submit_trailers(d->h, (uint32_t)id, t.h, t.count);
      if (rc != 0) {
        dx_fail("h2w_session_submit_trailers refused a request's", id, rc);
      }
    }
  } else {
    nghttp2_data_provider prd;
    prd.source.ptr = &x->req;
    prd.read_callback = ng_read;
    id = nghttp2_submit_request(d->ng, NULL, nv.n, nv.count,
                                has_body ? &prd : NULL, NULL);
  }
  if (id <= 0) {
    x_free(x);
    return;
  }
  x->req.submitted = 1;
  xcommit(d, x, id);
}

static int server_has(dx *d, dx_xchg *x) {
  return is_h(d, 1) ? h_has_stream(d, (uint32_t)x->id)
                    : ng_has_stream(d, (uint32_t)x->id);
}

/* The server application may answer: it saw the whole request header
 * (or promised the stream) and has not answered yet. */
static int can_respond(dx *d, dx_xchg *x) {
  if (x->resp.submitted || x->srv_closed || x->not_sent) {
    return 0;
  }
  if (!x->pushed && !x->req.r_head_done) {
    return 0;
  }
  return server_has(d, x);
}

static dx_xchg *pick(dx *d, uint8_t sel, int (*ok)(dx *, dx_xchg *)) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    n += (uint32_t)ok(d, &d->xs[i]);
  }
  if (n == 0) {
    return NULL;
  }
  n = sel % n;
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    if (ok(d, &d->xs[i]) && n-- == 0) {
      return &d->xs[i];
    }
  }
  return NULL;
}

static void respond(dx *d, dx_xchg *x, uint8_t a, uint8_t b, uint8_t c) {
  static const char *const status[4] = {"200", "404", "500", "201"};
  uint32_t id = (uint32_t)x->id;
  d->req_no++;
  gen_body(d, &x->resp, b, c);
  if ((a & 0x80) && !x->pushed) {
    /* an informational response first (RFC 9113 §8.1) */
    dbuf info = {0};
    fl_str(&info, ":status", "103");
    fl_str(&info, "link", "</s.css>; rel=preload");
    nvs nv;
    nvs_from(&info, &nv);
    int rc = is_h(d, 1)
                 ? h2w_session_submit_informational(d->h, id, nv.h, nv.count)
                 : nghttp2_submit_headers(d->ng, NGHTTP2_FLAG_NONE, x->id, NULL,
                                          nv.n, nv.count, NULL);
    if (rc >= 0) {
      db_add(&x->resp.info, info.p, info.len);
    }
    db_free(&info);
  }
  fl_str(&x->resp.head, ":status", status[a & 3]);
  if ((a & 0x40) && x->resp.body_len > 0) {
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%u", x->resp.body_len);
    fl_str(&x->resp.head, "content-length", tmp);
  }
  gen_extras(d, &x->resp.head, (uint8_t)((a >> 4) & 3));
  nvs nv;
  nvs_from(&x->resp.head, &nv);
  int has_body = x->resp.body_len > 0 || x->resp.trailers;
  int rc;
  if (is_h(d, 1)) {
    h2w_data_source src = {h_read, NULL, &x->resp};
    rc = h2w_session_submit_response(d->h, id, nv.h, nv.count,
                                     has_body ? &src : NULL);
    if (rc == 0 && x->resp.trailers) {
      nvs t;
      nvs_from(&x->resp.trail, &t);
      int r2 = h2w_session_submit_trailers(d->h, id, t.h, t.count);
      if (r2 != 0) {
        dx_fail("h2w_session_submit_trailers refused a response's", x->id, r2);
      }
    }
  } else {
    nghttp2_data_provider prd;
    prd.source.ptr = &x->resp;
    prd.read_callback = ng_read;
    rc = nghttp2_submit_response(d->ng, x->id, nv.n, nv.count,
                                 has_body ? &prd : NULL);
  }
  if (rc != 0) {
    /* The stream went away in between: nothing was submitted. */
    d->body_budget += x->resp.body_len;
    msg_free(&x->resp);
    memset(&x->resp, 0, sizeof x->resp);
    return;
  }
  x->resp.submitted = 1;
}

static void op_respond(dx *d) {
  uint8_t s = in_u8(&d->in), a = in_u8(&d->in), b = in_u8(&d->in),
          c = in_u8(&d->in);
  dx_xchg *x = pick(d, s, can_respond);
  if (x != NULL) {
    respond(d, x, a, b, c);
  }
}

/* ---- deferral, resets, pings, SETTINGS ---------------------------------- */

static int resume_side(dx *d, int server) {
  int n = 0;
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    dx_xchg *x = &d->xs[i];
    /* the request body is the client's, the response body the server's */
    dx_msg *m = server ? &x->resp : &x->req;
    if (!m->deferred || !m->submitted) {
      continue;
    }
    m->deferred = 0;
    n++;
    if (is_h(d, server)) {
      (void)h2w_session_resume_data(d->h, (uint32_t)x->id);
    } else {
      (void)nghttp2_session_resume_data(d->ng, x->id);
    }
  }
  return n;
}

static int side_open(dx *d, dx_xchg *x, int server) {
  if (server ? x->srv_closed : x->cli_closed) {
    return 0;
  }
  return is_h(d, server) ? h_has_stream(d, (uint32_t)x->id)
                         : ng_has_stream(d, (uint32_t)x->id);
}
static int cli_open(dx *d, dx_xchg *x) {
  return side_open(d, x, 0);
}
static int srv_open(dx *d, dx_xchg *x) {
  return side_open(d, x, 1);
}

static void op_reset(dx *d) {
  uint8_t a = in_u8(&d->in), s = in_u8(&d->in);
  int server = a & 1;
  dx_xchg *x = pick(d, s, server ? srv_open : cli_open);
  if (x == NULL) {
    return;
  }
  if (server && x->pushed && !is_h(d, 1) && !x->promise_sent) {
    /* nghttp2 would put RST_STREAM for a promise it has not sent yet on
     * the wire: a frame on an idle stream (§6.4), our misuse */
    return;
  }
  uint32_t code = (a & 2) ? H2W_CANCEL : H2W_INTERNAL_ERROR;
  if (server && (a & 4) && !x->resp.submitted && !x->pushed) {
    /* §8.7: REFUSED_STREAM says the request was not processed; the
     * application has not answered, so that is true. */
    code = H2W_REFUSED_STREAM;
  }
  int rc =
      is_h(d, server)
          ? h2w_session_submit_rst_stream(d->h, (uint32_t)x->id, code)
          : nghttp2_submit_rst_stream(d->ng, NGHTTP2_FLAG_NONE, x->id, code);
  if (rc == 0) {
    x->app_reset = 1;
    x->ng_rst_pending = !is_h(d, server);
    if (!server && !is_h(d, 0) && !x->pushed) {
      x->ng_rst_queued = 1; /* ng_orphan_promise() */
    }
    if (!server && !is_h(d, 0) && x->pushed && !x->req.r_head_done) {
      /* nghttp2 opens the promised stream as it starts the PUSH_PROMISE
       * block; once its RST_STREAM has gone out it decodes the rest of
       * the block without on_header_callback, yet still reports the
       * frame: a prefix of the promise's fields arrives. */
      x->ng_cut_promise = 1;
    }
    if (code == H2W_REFUSED_STREAM) {
      x->srv_refused = 1;
    }
  }
}

static void op_ping(dx *d) {
  uint8_t a = in_u8(&d->in);
  uint8_t opaque[8] = {a, 1, 2, 3, 4, 5, 6, 7};
  if (a & 1) {
    (void)h2w_session_submit_ping(d->h, (a & 2) ? NULL : opaque);
  } else {
    (void)nghttp2_submit_ping(d->ng, NGHTTP2_FLAG_NONE, opaque);
  }
}

static const uint32_t dx_iws[9] = {65535, 0,     1,        100,        1024,
                                   16384, 65536, 1u << 20, 0x7fffffffu};
static const uint32_t dx_hts[8] = {4096, 0, 1, 64, 256, 1024, 8192, 65536};
static const uint32_t dx_mfs[6] = {16384, 16385,    32768,
                                   65536, 1u << 20, 16777215};
static const uint32_t dx_mcs[6] = {100, 1, 2, 3, 10, 0};

/* One SETTINGS entry from two octets. */
static void gen_setting(dx *d, uint16_t *id, uint32_t *v, int ng_side) {
  uint8_t a = in_u8(&d->in), b = in_u8(&d->in);
  switch (a % 5) {
  case 0:
    *id = H2W_SETTINGS_HEADER_TABLE_SIZE;
    *v = dx_hts[b % 8];
    break;
  case 1:
    *id = H2W_SETTINGS_INITIAL_WINDOW_SIZE;
    *v = dx_iws[b % 9];
    if (ng_side && *v > 0 && *v < 64) {
      /* h2wire's policy (docs/security.md row 7, recv.c dribble()): on
       * a stream window too small to hold DATA back (half of it under
       * 32 octets) every credit under 32 octets is a glitch, so a peer
       * returning a 1-octet window octet by octet is ended with
       * ENHANCE_YOUR_CALM; nghttp2 does exactly that. Windows from 64
       * on are held back instead (issue 15 §1). A 0 stays: ng_stream_inc
       * keeps explicit stream updates from making it 1..63. */
      *v = 64;
    }
    /* An h2wire stream WINDOW_UPDATE followed by an overflowing
     * INITIAL_WINDOW_SIZE (§6.9.2): nghttp2 resets the stream instead of
     * ending the connection, which this model does not follow; the
     * other way round (issue 14 defect I) is generated. */
    if ((d->wu_unsent[ng_side] > 0 || (!ng_side && d->h_stream_wu)) &&
        *v > (1u << 30)) {
      *v = 1u << 30;
    }
    break;
  case 2:
    *id = H2W_SETTINGS_MAX_FRAME_SIZE;
    *v = dx_mfs[b % 6];
    break;
  case 3:
    *id = H2W_SETTINGS_MAX_CONCURRENT_STREAMS;
    *v = dx_mcs[b % 6];
    break;
  default:
    *id = H2W_SETTINGS_MAX_HEADER_LIST_SIZE;
    *v = (b & 1) ? 65536u : 1u << 20;
    break;
  }
  (void)ng_side;
  if (*id == H2W_SETTINGS_INITIAL_WINDOW_SIZE) {
    d->big_iws[ng_side] |= *v > (1u << 30);
    if (*v <= 10 && d->body_budget > 8192) {
      d->body_budget = 8192; /* tiny windows move bodies octet by octet */
    }
  }
}

static void op_settings(dx *d) {
  uint8_t a = in_u8(&d->in);
  int ng_side = a & 1;
  size_t n = 1 + (size_t)((a >> 1) % 5);
  h2w_settings_entry he[6];
  nghttp2_settings_entry ne[6];
  for (size_t i = 0; i < n; i++) {
    uint16_t id;
    uint32_t v;
    gen_setting(d, &id, &v, ng_side);
    he[i].id = id;
    he[i].reserved = 0;
    he[i].value = v;
    ne[i].settings_id = id;
    ne[i].value = v;
  }
  int rc = ng_side ? nghttp2_submit_settings(d->ng, NGHTTP2_FLAG_NONE, ne, n)
                   : h2w_session_submit_settings(d->h, he, n);
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (he[i].id == H2W_SETTINGS_INITIAL_WINDOW_SIZE) {
      d->last_iws[ng_side] = he[i].value;
    }
  }
  if (rc == 0 && !ng_side) {
    h_mfs_queued(d, he, n);
  }
}

static int any_open(dx *d, dx_xchg *x) {
  return cli_open(d, x) || srv_open(d, x);
}

static void op_priority(dx *d) {
  uint8_t a = in_u8(&d->in), s = in_u8(&d->in);
  if (d->cheap_frames++ > 64) {
    return;
  }
  dx_xchg *x = pick(d, s, any_open);
  if (x == NULL) {
    return;
  }
  int u = a & 7, inc = (a >> 3) & 1;
  char val[16];
  int vl = snprintf(val, sizeof val, "u=%d%s", u, inc ? ", i" : "");
  if (!(a & 0x10)) { /* the client signals (RFC 9218 §7) */
    if (is_h(d, 0)) {
      (void)h2w_session_submit_priority_update(d->h, (uint32_t)x->id, val,
                                               (size_t)vl);
    } else if ((a & 0x20) && (d->flags & 0x80) && !x->prio_sent) {
      /* an RFC 7540 PRIORITY frame: h2wire validates and ignores it */
      nghttp2_priority_spec ps;
      nghttp2_priority_spec_init(&ps, 0, 16 + u, 0);
      x->prio_sent = 1;
      (void)nghttp2_submit_priority(d->ng, NGHTTP2_FLAG_NONE, x->id, &ps);
    } else {
      (void)nghttp2_submit_priority_update(d->ng, NGHTTP2_FLAG_NONE, x->id,
                                           (const uint8_t *)val, (size_t)vl);
    }
  } else { /* the server overrides (RFC 9218 §8) */
    if (is_h(d, 1)) {
      (void)h2w_session_set_stream_priority(d->h, (uint32_t)x->id, u, inc);
    } else {
      nghttp2_extpri ep = {(uint32_t)u, inc};
      (void)nghttp2_session_change_extpri_stream_priority(d->ng, x->id, &ep,
                                                          (a >> 6) & 1);
    }
  }
}

static void op_goaway(dx *d) {
  uint8_t a = in_u8(&d->in);
  int server = a & 1, kind = (a >> 1) & 1;
  if (is_h(d, server)) {
    if (kind) {
      (void)h2w_session_shutdown(d->h);
    } else {
      (void)h2w_session_submit_goaway(d->h, H2W_NO_ERROR,
                                      (const uint8_t *)"bye", 3);
    }
    d->h_goaway = 1;
  } else {
    if (server && kind) {
      (void)nghttp2_submit_shutdown_notice(d->ng);
    } else {
      /* The last stream the application processed: a server's last
       * request, a client's last accepted promise (nghttp2's
       * last_proc_stream_id does not count promises). */
      int32_t last = server ? nghttp2_session_get_last_proc_stream_id(d->ng)
                            : d->ng_last_promised;
      (void)nghttp2_submit_goaway(d->ng, NGHTTP2_FLAG_NONE, last,
                                  NGHTTP2_NO_ERROR, (const uint8_t *)"bye", 3);
      /* The last-stream-id names what the application processed: send it
       * before any further input can open a stream nghttp2 would then
       * process although the GOAWAY excludes it (our use, not h2wire's). */
      ng_produce(d, 1000);
    }
    d->ng_goaway = 1;
  }
}

static int can_push_on(dx *d, dx_xchg *x) {
  return !x->pushed && x->req.r_head_done && !x->resp.submitted &&
         srv_open(d, x);
}

static void op_push(dx *d) {
  uint8_t s = in_u8(&d->in), a = in_u8(&d->in);
  dx_xchg *x = pick(d, s, can_push_on);
  dx_xchg *p = xslot(d);
  if (x == NULL || p == NULL) {
    return;
  }
  char path[32];
  snprintf(path, sizeof path, "/push/%u", ++d->next_push_path);
  fl_str(&p->req.head, ":method", "GET");
  fl_str(&p->req.head, ":scheme", "https");
  fl_str(&p->req.head, ":authority", "example.org");
  fl_str(&p->req.head, ":path", path);
  gen_extras(d, &p->req.head, a & 3);
  nvs nv;
  nvs_from(&p->req.head, &nv);
  int32_t pid = is_h(d, 1)
                    ? h2w_session_submit_push_promise(d->h, (uint32_t)x->id,
                                                      nv.h, nv.count, NULL)
                    : nghttp2_submit_push_promise(d->ng, NGHTTP2_FLAG_NONE,
                                                  x->id, nv.n, nv.count, NULL);
  if (pid <= 0) {
    x_free(p);
    return;
  }
  p->pushed = 1;
  p->req.submitted = 1;
  p->srv_seen = 1;
  xcommit(d, p, pid);
}

static void op_tick(dx *d) {
  uint8_t a = in_u8(&d->in);
  /* Time passes with the network idle: everything in flight is
   * delivered first, so a timer can only fire on a peer that is slow
   * for real (RFC 9113 §6.5.3 SETTINGS timeout, keepalive). */
  (void)pump(d);
  if (d->stopped) {
    return;
  }
  if (!nghttp2_session_want_read(d->ng) || !h2w_session_want_read(d->h)) {
    /* One side considers the connection over (GOAWAY, no stream left):
     * nghttp2 then stops answering PINGs, and a real application would
     * close the socket; time passing says nothing about the peer. */
    return;
  }
  d->now += 1u + (uint64_t)a * 10u;
  int rc = h2w_session_tick(d->h, d->now);
  if (rc != 0) {
    dx_fail("h2w_session_tick failed with the peer answering", rc, 0);
  }
  (void)pump(d);
}

static int consume_all(dx *d) {
  int n = 0;
  if (!d->manual) {
    return 0;
  }
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    dx_xchg *x = &d->xs[i];
    if (x->unconsumed == 0) {
      continue;
    }
    int rc = h2w_session_consume(d->h, (uint32_t)x->id, x->unconsumed);
    if (rc == H2W_E_INVALID_ARGUMENT) {
      dx_fail("h2w_session_consume refused octets it delivered", x->id,
              (long)x->unconsumed);
    }
    x->unconsumed = 0;
    n++;
  }
  return n;
}

/* The increment an nghttp2 stream WINDOW_UPDATE may carry. nghttp2's
 * receive window for a stream is its INITIAL_WINDOW_SIZE plus what its
 * explicit WINDOW_UPDATEs gave beyond the octets it had received and not
 * yet returned (nghttp2_submit_window_update counts those as returned);
 * its automatic WINDOW_UPDATEs, once half the window is received, then
 * keep h2wire's window at that size. An INITIAL_WINDOW_SIZE of 0 (a
 * generated value, applied before or after the update, §6.9.2) plus an
 * excess of a few octets is thus a window of a few octets that nghttp2
 * returns octet by octet: the 1..63 windows gen_setting keeps out, which
 * h2wire ends as a row-7 dribble (docs/security.md) by design. No
 * application composes a window so: keep the excess at 0 or >= 64. */
static uint32_t ng_stream_inc(dx *d, uint32_t sid, uint32_t inc) {
  if (!nghttp2_session_find_stream(d->ng, (int32_t)sid)) {
    return inc;
  }
  int64_t lw = nghttp2_session_get_stream_effective_local_window_size(
      d->ng, (int32_t)sid);
  int64_t rx = nghttp2_session_get_stream_effective_recv_data_length(
      d->ng, (int32_t)sid);
  int64_t iws = nghttp2_session_get_local_settings(
      d->ng, NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE);
  int64_t excess = lw - iws + ((int64_t)inc > rx ? (int64_t)inc - rx : 0);
  if (excess > 0 && excess < 64) {
    inc += (uint32_t)(64 - excess);
  }
  return inc;
}

static void op_window(dx *d) {
  uint8_t a = in_u8(&d->in), b = in_u8(&d->in), s = in_u8(&d->in);
  if (a & 0x80) {
    (void)consume_all(d);
    return;
  }
  if (d->cheap_frames++ > 64) {
    return;
  }
  int ng_side = a & 1;
  /* The WINDOW_UPDATE raises what the side's peer may send. */
  int dir = ng_side ? DIR_OF_H2W(d) : DIR_OF_NG(d);
  uint32_t inc = 1u + (uint32_t)b * 37u;
  uint32_t sid = 0;
  int64_t w = d->conn[dir];
  if (!(a & 2)) {
    dx_xchg *x = pick(d, s, any_open);
    if (x == NULL || x->id >= DX_MAX_ID || d->big_iws[ng_side]) {
      return;
    }
    if (x->pushed && ng_side && !d->h2w_server) {
      /* nghttp2 as the server on its pushed stream: §5.1 allows no
       * WINDOW_UPDATE while it is reserved (local), and nghttp2 then
       * grows its window without sending one (h2wire refuses the call,
       * test_diff_window_update_on_reserved_local). */
      return;
    }
    sid = (uint32_t)x->id;
    w = d->init[dir] + d->delta[dir][sid];
    if (ng_side) {
      inc = ng_stream_inc(d, sid, inc);
    }
  }
  /* Stay clear of 2^31-1 (§6.9.1): an overflow would be our fault. */
  if (w + inc > 0x7fffffff - (1 << 21)) {
    return;
  }
  if (sid != 0) {
    d->wu_unsent[ng_side]++;
    d->h_stream_wu |= !ng_side;
  }
  if (ng_side) {
    (void)nghttp2_submit_window_update(d->ng, NGHTTP2_FLAG_NONE, (int32_t)sid,
                                       (int32_t)inc);
  } else {
    (void)h2w_session_submit_window_update(d->h, sid, inc);
  }
}

/* ---- checks at quiescence ----------------------------------------------- */

static void check_windows(dx *d) {
  int hd = DIR_OF_H2W(d), nd = DIR_OF_NG(d);
  int32_t hr, hs;
  if (!nghttp2_session_want_read(d->ng) || !h2w_session_want_read(d->h)) {
    /* A library that says the connection is over (GOAWAY both ways, no
     * stream left) may stop processing input, WINDOW_UPDATE included:
     * nghttp2 does. Its windows mean nothing then. */
    return;
  }
  if (h2w_session_window(d->h, 0, &hr, &hs) != 0) {
    dx_fail("h2w_session_window failed for the connection", 0, 0);
  }
  if (hs != d->conn[hd] || hr != d->conn[nd]) {
    fprintf(stderr, "h2wire send %d recv %d, wire %lld / %lld\n", hs, hr,
            (long long)d->conn[hd], (long long)d->conn[nd]);
    dx_fail("h2wire's connection windows differ from the wire", hs, hr);
  }
  int32_t ns = nghttp2_session_get_remote_window_size(d->ng);
  int32_t nr = nghttp2_session_get_local_window_size(d->ng);
  if (ns != d->conn[nd] || nr != d->conn[hd]) {
    fprintf(stderr, "nghttp2 send %d recv %d, wire %lld / %lld\n", ns, nr,
            (long long)d->conn[nd], (long long)d->conn[hd]);
    dx_fail("nghttp2's connection windows differ from the wire", ns, nr);
  }
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    uint32_t sid = (uint32_t)d->xs[i].id;
    if (sid >= DX_MAX_ID || !h_has_stream(d, sid) || !ng_has_stream(d, sid)) {
      continue;
    }
    int64_t wh = d->init[hd] + d->delta[hd][sid];
    int64_t wn = d->init[nd] + d->delta[nd][sid];
    if (h2w_session_window(d->h, sid, &hr, &hs) != 0 || hs != wh || hr != wn) {
      fprintf(stderr, "stream %u: h2wire send %d recv %d, wire %lld / %lld\n",
              sid, hs, hr, (long long)wh, (long long)wn);
      dx_fail("h2wire's stream windows differ from the wire", sid, 0);
    }
    ns = nghttp2_session_get_stream_remote_window_size(d->ng, (int32_t)sid);
    nr = nghttp2_session_get_stream_local_window_size(d->ng, (int32_t)sid);
    /* nghttp2 reports a negative send window (§6.9.2) as 0 */
    if (ns != (wn < 0 ? 0 : wn) || nr != wh) {
      fprintf(stderr, "stream %u: nghttp2 send %d recv %d, wire %lld / %lld\n",
              sid, ns, nr, (long long)wn, (long long)wh);
      dx_fail("nghttp2's stream windows differ from the wire", sid, 0);
    }
  }
}

static void dump_exchanges(dx *d) {
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    dx_xchg *x = &d->xs[i];
    fprintf(stderr,
            "  stream %d%s: req sent %u/%u got %u head %d end %d; resp "
            "submitted %d sent %u/%u got %u head %d end %d; cli closed %d "
            "code %u retry %d; srv seen %d closed %d code %u; app reset %d "
            "not sent %d; h2w state %d, nghttp2 has %d\n",
            x->id, x->pushed ? " (pushed)" : "", x->req.sent, x->req.body_len,
            x->req.r_body, x->req.r_head_done, x->req.r_end, x->resp.submitted,
            x->resp.sent, x->resp.body_len, x->resp.r_body, x->resp.r_head_done,
            x->resp.r_end, x->cli_closed, x->cli_code, x->cli_retry,
            x->srv_seen, x->srv_closed, x->srv_code, x->app_reset, x->not_sent,
            h2w_session_stream_state(d->h, (uint32_t)x->id),
            ng_has_stream(d, (uint32_t)x->id));
  }
}

static void check_exchanges(dx *d) {
  if (getenv("DX_VERBOSE") != NULL) {
    dump_exchanges(d);
  }
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    dx_xchg *x = &d->xs[i];
    if (x->not_sent) {
      continue;
    }
    if (x->pushed && !x->req.r_head_done) {
      /* The client never got the promise (it went away with the request
       * stream or the connection): only the server had the stream. */
      continue;
    }
    if (!x->cli_closed && x->pushed && !x->resp.r_head_done &&
        (d->h2w_server ? d->ng_goaway : d->h_goaway)) {
      /* nghttp2 never starts a pushed response once it has received a
       * GOAWAY, and as a client ignores pushed responses once it has sent
       * one, whatever the last-stream-id: the promise stays reserved in
       * nghttp2. nghttp2's choice; RFC 9113 §6.8 would allow both. */
      continue;
    }
    if (!x->cli_closed) {
      if (d->ng_over || (!nghttp2_session_want_read(d->ng) &&
                         !nghttp2_session_want_write(d->ng))) {
        /* nghttp2 considers the connection over (GOAWAY, no stream it
         * knows of): its application closes the socket, and the stream
         * ends with the connection (issue 14 defect J: h2wire reports no
         * close for it then). */
        continue;
      }
      if (!d->h2w_server && (d->ng_goaway || d->h_goaway) &&
          h2w_session_stream_state(d->h, (uint32_t)x->id) ==
              H2W_STREAM_STATE_IDLE) {
        dx_fail("a request queued behind MAX_CONCURRENT_STREAMS was never "
                "sent nor closed after a GOAWAY (issue 14 defect E)",
                x->id, 0);
      }
      dx_fail("a stream never closed on the client", x->id, 0);
    }
    if (x->resp.r_end) {
      continue; /* the full response arrived (checked in rx_end) */
    }
    if (x->cli_retry) {
      /* §8.7: retryable only if the server never processed it */
      if (x->srv_seen && !x->srv_refused && !x->pushed) {
        dx_fail("closed as retryable although the server got the request",
                x->id, (long)x->cli_code);
      }
      continue;
    }
    if (!x->app_reset) {
      fprintf(stderr, "stream %d: client code %u, server seen %d closed %d\n",
              x->id, x->cli_code, x->srv_seen, x->srv_closed);
      dx_fail("a request ended without its response, a reset or a refusal",
              x->id, (long)x->cli_code);
    }
  }
}

static int answer_all(dx *d) {
  int n = 0;
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    if (can_respond(d, &d->xs[i])) {
      respond(d, &d->xs[i], 0, 0, 0);
      n++;
    }
  }
  return n;
}

/* Body octets and message ends the applications have received. */
static uint64_t progress(const dx *d) {
  uint64_t n = 0;
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    const dx_xchg *x = &d->xs[i];
    n += (uint64_t)x->req.r_body + x->resp.r_body + (uint64_t)x->req.r_end +
         (uint64_t)x->resp.r_end;
  }
  return n;
}

static void finish(dx *d) {
  d->finishing = 1;
  if (d->ng_over) {
    check_exchanges(d);
    return;
  }
  /* Undo what could keep the exchanges from ending: a zero window, a
   * zero stream limit (the last entry of each wins, §6.5.3). A side that
   * announced a window above 0 must reopen it with WINDOW_UPDATEs as
   * its application consumes (§6.9): raising it here would hide a stall,
   * so only a zero window is raised. */
  h2w_settings_entry he[2] = {{H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 65535},
                              {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100}};
  nghttp2_settings_entry ne[2] = {
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535},
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  int hz = d->last_iws[0] == 0, nz = d->last_iws[1] == 0;
  /* h2wire refuses a SETTINGS while 8 of its own are unacknowledged
   * (H2W_E_LIMIT, h2w_session_submit_settings() in include/h2wire.h):
   * the reopening then waits for nghttp2's ACKs, tried again each round
   * until it is queued. Ignoring the refusal left a zero stream window
   * in force, and a request body stalled under it for good. */
  int h_reopen = 1;
  (void)nghttp2_submit_settings(d->ng, NGHTTP2_FLAG_NONE, ne + !nz,
                                2 - (size_t)!nz);
  /* Bytes may keep moving without an end (a livelock); what must keep
   * growing is what the applications receive. A body under a 1-octet
   * window, submitted before that window was announced, legitimately
   * takes one round per octet. */
  uint64_t seen = progress(d);
  for (int idle = 0;; idle++) {
    if (h_reopen) {
      int rc = h2w_session_submit_settings(d->h, he + !hz, 2 - (size_t)!hz);
      if (rc == H2W_OK) {
        h_mfs_queued(d, he + !hz, 2 - (size_t)!hz);
      }
      h_reopen = rc == H2W_E_LIMIT;
    }
    int work = resume_side(d, 0) + resume_side(d, 1) + answer_all(d);
    work += consume_all(d);
    work += pump(d) > 0;
    if (d->stopped) {
      return;
    }
    if (work == 0) {
      break;
    }
    if (progress(d) != seen) {
      seen = progress(d);
      idle = 0;
    }
    if (idle == 20000) {
      dx_fail("the final phase does not settle", 0, 0);
    }
  }
  (void)consume_all(d);
  (void)pump(d);
  if (d->stopped) {
    return;
  }
  if (d->ng_over) {
    check_exchanges(d);
    return;
  }
  if (h2w_session_want_write(d->h)) {
    dx_fail("h2wire wants to write after send() gave nothing", 0, 0);
  }
  check_windows(d);
  check_exchanges(d);
  if (getenv("DX_VERBOSE") != NULL) {
    /* for seed writing and debugging: what the run reached */
    uint32_t done = 0, retry = 0, reset = 0;
    for (uint32_t i = 0; i < d->n_xchg; i++) {
      done += (uint32_t)d->xs[i].resp.r_end;
      retry += (uint32_t)d->xs[i].cli_retry;
      reset += (uint32_t)d->xs[i].app_reset;
    }
    fprintf(stderr,
            "dx: %u exchanges, %u answered, %u retryable, %u reset; "
            "windows %lld/%lld\n",
            d->n_xchg, done, retry, reset, (long long)d->conn[0],
            (long long)d->conn[1]);
  }
}

/* ---- the run ---------------------------------------------------------- */

static int dx_run(const uint8_t *data, size_t size, int h2w_server) {
  static dx D;
  dx *d = &D;
  memset(d, 0, sizeof *d);
  g_dx = d;
  d->h2w_server = h2w_server;
  d->in.p = data;
  d->in.len = size;
  d->flags = in_u8(&d->in);
  uint8_t o1 = in_u8(&d->in), o2 = in_u8(&d->in), o3 = in_u8(&d->in);
  d->conn[0] = d->conn[1] = 65535; /* §6.9.2: connection windows start */
  d->init[0] = d->init[1] = 65535; /* at 65535, whatever SETTINGS say */
  d->ng_local_iws = 65535;
  d->h_mfs_acked = 16384;  /* §6.5.2: the initial MAX_FRAME_SIZE */
  d->ng_grant_max = 16384; /* nghttp2's frame buffer holds 16384 at first */
  d->emit[0].magic = d->deliver[0].magic = 24; /* §3.4 client preface */
  d->body_budget = 1u << 20;
  d->manual = d->flags & 1;

  h2w_callbacks *cb;
  h2w_options *opt;
  if (h2w_callbacks_new(&cb, NULL) != 0 || h2w_options_new(&opt, NULL) != 0) {
    abort();
  }
  h2w_callbacks_set_on_begin_headers(cb, h_begin);
  h2w_callbacks_set_on_header(cb, h_header);
  h2w_callbacks_set_on_headers(cb, h_headers);
  h2w_callbacks_set_on_data(cb, h_data);
  h2w_callbacks_set_on_stream_end(cb, h_end);
  h2w_callbacks_set_on_stream_close(cb, h_close);
  h2w_callbacks_set_on_error(cb, h_error);
  h2w_callbacks_set_on_frame_send(cb, h_frame_send);
  h2w_callbacks_set_on_goaway(cb, h_goaway);
  h2w_callbacks_set_on_push_promise(cb, h_push);
  static const uint32_t connw[4] = {65535, 100000, 1u << 20, 0x7fffffffu};
  static const uint32_t mfs[4] = {16384, 16385, 65536, 16777215};
  static const uint32_t tbl[4] = {4096, 0, 256, 65536};
  static const uint32_t mcs[4] = {100, 1, 3, 10};
  d->last_iws[0] = dx_iws[(o1 & 15) % 9];
  if (d->last_iws[0] <= 10) {
    d->body_budget = 8192; /* tiny windows move bodies octet by octet */
  }
  d->last_iws[1] = 65535;
  h2w_options_set_initial_window_size(opt, (uint32_t)d->last_iws[0]);
  h2w_options_set_connection_window_size(opt, connw[(o1 >> 4) & 3]);
  h2w_options_set_max_frame_size(opt, mfs[o2 & 3]);
  /* the value h2wire's preface SETTINGS leaves (queued by _new below) */
  h2w_settings_entry pre = {H2W_SETTINGS_MAX_FRAME_SIZE, 0, mfs[o2 & 3]};
  h_mfs_queued(d, &pre, 1);
  h2w_options_set_header_table_size(opt, tbl[(o2 >> 2) & 3]);
  h2w_options_set_encoder_table_size(opt, tbl[(o2 >> 4) & 3]);
  h2w_options_set_max_concurrent_streams(opt, mcs[o3 & 3]);
  h2w_options_set_manual_flow_control(opt, d->manual);
  if (d->flags & 2) {
    h2w_options_set_keepalive(opt, 1000, 500);
  }
  if (!h2w_server && (d->flags & 4)) {
    h2w_options_set_enable_push(opt, 1);
  }
  int rc = h2w_server ? h2w_session_server_new(&d->h, cb, opt, d, NULL)
                      : h2w_session_client_new(&d->h, cb, opt, d, NULL);
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  if (rc != 0) {
    abort();
  }
  /* The clock starts with the connection, as in a real server: the abuse
   * budgets are enforced from the first frame (h2w_session_tick). */
  if (h2w_session_tick(d->h, d->now) != H2W_OK) {
    abort();
  }

  nghttp2_session_callbacks *ncb;
  nghttp2_option *nopt;
  if (nghttp2_session_callbacks_new(&ncb) != 0 ||
      nghttp2_option_new(&nopt) != 0) {
    abort();
  }
  nghttp2_session_callbacks_set_on_begin_headers_callback(ncb, ng_begin);
  nghttp2_session_callbacks_set_on_header_callback(ncb, ng_header);
  nghttp2_session_callbacks_set_on_begin_frame_callback(ncb, ng_begin_frame);
  nghttp2_session_callbacks_set_on_frame_recv_callback(ncb, ng_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(ncb, ng_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(ncb, ng_close);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(ncb, ng_invalid);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(ncb, ng_not_send);
  nghttp2_session_callbacks_set_on_frame_send_callback(ncb, ng_frame_send);
  nghttp2_session_callbacks_set_error_callback2(ncb, ng_error);
  if (d->flags & 0x10) {
    nghttp2_session_callbacks_set_select_padding_callback(ncb, ng_padding);
  }
  if (d->flags & 0x08) {
    nghttp2_session_callbacks_set_data_source_read_length_callback(ncb,
                                                                   ng_read_len);
  }
  nghttp2_option_set_no_closed_streams(nopt, 1);
  rc = h2w_server ? nghttp2_session_client_new2(&d->ng, ncb, d, nopt)
                  : nghttp2_session_server_new2(&d->ng, ncb, d, nopt);
  nghttp2_session_callbacks_del(ncb);
  nghttp2_option_del(nopt);
  if (rc != 0) {
    abort();
  }
  /* nghttp2's first SETTINGS: RFC 9218 priorities (§2.1: only in the
   * first frame), push for a client, then fuzzed entries, repeats of
   * HEADER_TABLE_SIZE and INITIAL_WINDOW_SIZE included. */
  nghttp2_settings_entry iv[10];
  size_t niv = 0;
  iv[niv].settings_id = NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES;
  iv[niv++].value = 1;
  if (h2w_server) {
    iv[niv].settings_id = NGHTTP2_SETTINGS_ENABLE_PUSH;
    iv[niv++].value = (d->flags & 4) ? 1 : 0;
  }
  size_t extra = in_u8(&d->in) % 8;
  for (size_t i = 0; i < extra; i++) {
    uint16_t id;
    uint32_t v;
    gen_setting(d, &id, &v, 1);
    iv[niv].settings_id = id;
    iv[niv++].value = v;
  }
  for (size_t i = 0; i < niv; i++) {
    if (iv[i].settings_id == NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE) {
      d->last_iws[1] = iv[i].value;
    }
  }
  if (nghttp2_submit_settings(d->ng, NGHTTP2_FLAG_NONE, iv, niv) != 0) {
    abort();
  }

  while (d->in.pos < d->in.len && !d->stopped && !d->ng_over) {
    uint8_t op = in_u8(&d->in);
    switch (op % 16) {
    case 0:
      to_ng(d, split_of(in_u8(&d->in)));
      break;
    case 1:
      to_h(d, split_of(in_u8(&d->in)));
      break;
    case 2: {
      size_t cap = split_of(in_u8(&d->in));
      h_produce(d, cap > sizeof dx_scratch ? sizeof dx_scratch : cap, 1);
      break;
    }
    case 3:
      ng_produce(d, 1 + (op >> 4));
      break;
    case 4:
      op_request(d);
      break;
    case 5:
      op_respond(d);
      break;
    case 6:
      resume_side(d, (op >> 4) & 1);
      break;
    case 7:
      op_reset(d);
      break;
    case 8:
      op_ping(d);
      break;
    case 9:
      op_settings(d);
      break;
    case 10:
      op_priority(d);
      break;
    case 11:
      op_goaway(d);
      break;
    case 12:
      op_push(d);
      break;
    case 13:
      op_tick(d);
      break;
    case 14:
      op_window(d);
      break;
    default:
      (void)pump(d);
      break;
    }
  }
  if (!d->stopped) {
    finish(d);
  }

  h2w_session_del(d->h);
  nghttp2_session_del(d->ng);
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    x_free(&d->xs[i]);
  }
  for (int i = 0; i < 2; i++) {
    db_free(&d->pipe[i]);
    db_free(&d->emit[i].payload);
    db_free(&d->deliver[i].payload);
  }
  db_free(&d->ng_big);
  return 0;
}

#endif /* H2W_DIFF_PEER_OPS_H */

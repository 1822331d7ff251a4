/* Part of session_fuzz.h: what the application does (submits, body
 * sources, callbacks) and the op-script main loop. */
#ifndef H2W_SESSION_FUZZ_ACT_H
#define H2W_SESSION_FUZZ_ACT_H

/* Submit kinds, shared by ops (op - FZ_OP_SUBMIT) and callback actions
 * (action & 15). */
enum {
  FZ_NONE,
  FZ_PAUSE,
  FZ_FAIL,
  FZ_RST,
  FZ_PING,
  FZ_GOAWAY,
  FZ_SHUTDOWN,
  FZ_SETTINGS,
  FZ_ANSWER, /* server: respond; client: new request */
  FZ_WU,
  FZ_CONSUME,
  FZ_RESUME,
  FZ_TRAILERS,
  FZ_INFO,  /* server: 103; client: new request with a body */
  FZ_PROBE, /* getters and stream user data */
  FZ_RST_PAUSE
};

#define FZ_NV(n, v)                                                            \
  {                                                                            \
    (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1,  \
        0                                                                      \
  }

/* A header value big enough to need CONTINUATION frames (RFC 9113
 * §6.10) at the default frame size, and to pass small header-list
 * limits of the peer. */
static uint8_t fz_big[65536];

/* ---- body sources ------------------------------------------------------ */

static size_t fz_slot(const fz *f, uint32_t id) {
  size_t i;
  for (i = 0; i < FZ_SLOTS && f->ids[i] != id; i++) {
  }
  return i;
}

static void fz_submit(fz *f, int kind, uint8_t param, uint32_t id);
static void fz_observe(fz *f, uint32_t id);
static void fz_api(fz *f, uint8_t param, uint32_t id);

/* Read verdicts come from the callback script like any callback's
 * (action & 7): 1 defer, 2 fail, 3 nothing without EOF (also defers),
 * 4 end now, 5 reset our own stream from inside the source, 6 and 7 a
 * submit (kind action >> 4, 7 on another known stream) and then a normal
 * chunk, else a normal chunk. The buffer is filled after the submit:
 * the contract says a submit never moves or shares it. */
static h2w_ssize fz_read(h2w_session *s, uint32_t id, uint8_t *buf, size_t len,
                         uint32_t *flags, void *user) {
  fz *f = user;
  size_t i = fz_slot(f, id), n;
  uint8_t act;
  fz_enter(f);
  if (i == FZ_SLOTS || len == 0) {
    abort(); /* only live bodies are polled, with room for 1 octet */
  }
  f->data_polled = 1;
  act = fz_next_action(f);
  switch (act & 7) {
  case 1:
    f->deferred[i] = 1;
    return H2W_E_DEFERRED;
  case 2:
    return -1; /* the stream is reset with INTERNAL_ERROR */
  case 3:
    f->deferred[i] = 1;
    return 0; /* nothing and no EOF: also defers (h2wire.h) */
  case 4:
    f->left[i] = 0; /* the body ends here, possibly empty */
    break;
  case 5:
    fz_submit(f, FZ_RST, act >> 4, id); /* reset our own stream */
    return H2W_E_DEFERRED;
  case 6:
  case 7:
    fz_submit(f, act >> 4, (uint8_t)(act | 8),
              (act & 7) == 7 ? fz_pick_id(f, act) : id);
    if (h2w_session_error(s, NULL, NULL, NULL) != H2W_OK) {
      return H2W_E_DEFERRED; /* the submit ended the session */
    }
    i = fz_slot(f, id);
    if (i == FZ_SLOTS) {
      return H2W_E_DEFERRED; /* it reset this stream */
    }
    break;
  default:
    break;
  }
  n = 1 + fz_rand(f) % sizeof f->body;
  n = n < len ? n : len;
  n = n < f->left[i] ? n : f->left[i];
  if (f->flags & 0x8) {
    *flags |= H2W_DATA_FLAG_NO_COPY;
  } else {
    memcpy(buf, f->body, n);
  }
  f->left[i] -= (uint32_t)n;
  if (f->left[i] == 0) {
    *flags |= H2W_DATA_FLAG_EOF;
    *flags |= f->trailers[i] ? H2W_DATA_FLAG_NO_END_STREAM : 0u;
    f->ids[i] = 0;
  }
  return (h2w_ssize)n;
}

static int fz_write(h2w_session *s, uint32_t id, uint8_t *dst, size_t len,
                    void *user) {
  fz *f = user;
  (void)s;
  (void)id;
  fz_enter(f);
  memcpy(dst, fz_big, len < sizeof fz_big ? len : sizeof fz_big);
  return (fz_next_action(f) & 15) == FZ_FAIL ? -1 : 0;
}

/* A body source of a pseudo-random length for stream id (UINT32_MAX:
 * not known yet), or NULL when every slot is busy; *slot names the slot
 * it took, for fz_body_give once the submit's outcome is known. */
static const h2w_data_source *fz_body(fz *f, uint32_t id, int trailers,
                                      size_t *slot) {
  static h2w_data_source ds = {fz_read, fz_write, NULL};
  size_t i = fz_slot(f, 0);
  if (i == FZ_SLOTS) {
    return NULL;
  }
  f->ids[i] = id;
  f->left[i] = fz_rand(f) % 4 == 0 ? fz_rand(f) % 100000 : fz_rand(f) % 2000;
  f->deferred[i] = 0;
  f->trailers[i] = (uint8_t)trailers;
  ds.user = f;
  *slot = i;
  return &ds;
}

/* Settle the slot fz_body handed out: stream `to` owns it, or 0 when the
 * submit was refused. By slot, not by id: a refused second response on a
 * stream whose first body is still being sent (H2W_E_INVALID_STATE,
 * "already answered") names the id of that live slot, which must stay
 * (regress_harness_refused_response_frees_live_body). */
static void fz_body_give(fz *f, size_t slot, uint32_t to) {
  f->ids[slot] = to;
}

/* The stream ended (on_stream_close): its body slot, if any, is free. */
static void fz_body_id(fz *f, uint32_t from, uint32_t to) {
  size_t i = fz_slot(f, from);
  if (i < FZ_SLOTS && from != 0) {
    f->ids[i] = to;
  }
}

/* ---- submits ----------------------------------------------------------- */

static void fz_request(fz *f, uint8_t param) {
  static const h2w_nv get[] = {FZ_NV(":method", "GET"),
                               FZ_NV(":scheme", "https"),
                               FZ_NV(":authority", "example.org"),
                               FZ_NV(":path", "/"), FZ_NV("x-big", "")};
  static const h2w_nv post[] = {
      FZ_NV(":method", "POST"), FZ_NV(":scheme", "https"),
      FZ_NV(":authority", "example.org"), FZ_NV(":path", "/up")};
  static const h2w_nv trailer = FZ_NV("x-t", "1");
  h2w_nv big[5];
  size_t slot = 0;
  const h2w_data_source *body =
      (param & 1) ? fz_body(f, UINT32_MAX, (param & 2) != 0, &slot) : NULL;
  int32_t id;
  memcpy(big, get, sizeof big);
  big[4].value = fz_big;
  big[4].valuelen = (param & 4) ? 256u * param : 0u; /* < sizeof fz_big */
  if (f->requests++ >= 40) {
    if (body != NULL) {
      fz_body_give(f, slot, 0);
    }
    return;
  }
  id = h2w_session_submit_request(f->s, body ? post : big, body ? 4 : 5, body,
                                  NULL);
  if (body != NULL) {
    fz_body_give(f, slot, id > 0 ? (uint32_t)id : 0);
  }
  if (id > 0) {
    fz_note_id(f, (uint32_t)id);
    if (body != NULL && (param & 2)) {
      (void)h2w_session_submit_trailers(f->s, (uint32_t)id, &trailer, 1);
    }
  }
}

static void fz_respond(fz *f, uint32_t id, uint8_t param) {
  static const h2w_nv ok[] = {FZ_NV(":status", "200"), FZ_NV("x-big", "")};
  static const h2w_nv early = FZ_NV(":status", "103");
  static const h2w_nv trailer = FZ_NV("x-t", "1");
  h2w_nv nv[2];
  const h2w_data_source *body = NULL;
  size_t slot = 0;
  int rv;
  memcpy(nv, ok, sizeof nv);
  nv[1].value = fz_big;
  nv[1].valuelen = (param & 8) ? 256u * param : 0u; /* < sizeof fz_big */
  if (param & 4) {
    (void)h2w_session_submit_informational(f->s, id, &early, 1);
  }
  if (param & 1) {
    body = fz_body(f, id, (param & 2) != 0, &slot);
  }
  rv = h2w_session_submit_response(f->s, id, nv, 2, body);
  if (rv != H2W_OK && body != NULL) {
    fz_body_give(f, slot, 0);
  } else if (rv == H2W_OK && body != NULL && (param & 2)) {
    (void)h2w_session_submit_trailers(f->s, id, &trailer, 1);
  }
}

/* Server push (RFC 9113 §8.4) on the client's stream id; param & 8 gives
 * the promised request a big field (PUSH_PROMISE + CONTINUATION). The
 * promised stream joins the known ids, to be answered or reset later. */
static void fz_push(fz *f, uint32_t id, uint8_t param) {
  static const h2w_nv req[] = {FZ_NV(":method", "GET"),
                               FZ_NV(":scheme", "https"),
                               FZ_NV(":authority", "example.org"),
                               FZ_NV(":path", "/pushed"), FZ_NV("x-big", "")};
  h2w_nv nv[5];
  int32_t pid;
  memcpy(nv, req, sizeof nv);
  nv[4].value = fz_big;
  nv[4].valuelen = (param & 8) ? 256u * param : 0u; /* < sizeof fz_big */
  pid = h2w_session_submit_push_promise(f->s, id, nv, 5, NULL);
  if (pid > 0) {
    fz_note_id(f, (uint32_t)pid);
  }
}

static void fz_settings_submit(fz *f, uint8_t param) {
  static const h2w_settings_entry iv[16] = {
      {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 0},
      {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 100000},
      {H2W_SETTINGS_ENABLE_PUSH, 0, 0},
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0},
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0x7fffffff},
      {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 16384},
      {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 16777215},
      {H2W_SETTINGS_MAX_HEADER_LIST_SIZE, 0, 100},
      {H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0, 1},
      {H2W_SETTINGS_NO_RFC7540_PRIORITIES, 0, 1},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 65535},
      {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 4096},
      {0x99, 0, 7}};
  h2w_settings_entry pick[3];
  size_t j, n = 1u + (param >> 4) % 3u;
  for (j = 0; j < n; j++) {
    pick[j] = iv[(param + j * 5u) % 16u];
  }
  (void)h2w_session_submit_settings(f->s, pick, n);
}

static void fz_consume(fz *f) {
  size_t i;
  for (i = 0; i < FZ_SLOTS; i++) {
    if (f->owe_id[i] != 0) {
      (void)h2w_session_consume(f->s, f->owe_id[i], f->owe_n[i]);
      f->owe_id[i] = 0;
      f->owe_n[i] = 0;
    }
  }
}

static void fz_resume(fz *f) {
  size_t i;
  for (i = 0; i < FZ_SLOTS; i++) {
    if (f->ids[i] != 0 && f->ids[i] != UINT32_MAX && f->deferred[i]) {
      f->deferred[i] = 0;
      (void)h2w_session_resume_data(f->s, f->ids[i]);
    }
  }
}

/* h2w_session_foreach_stream: live streams only, ascending; the
 * visitor is inside a callback too, so it may submit (here: reset one
 * stream in eight) and the refused calls stay refused. */
static int fz_visit(h2w_session *s, uint32_t id, int state, void *su,
                    void *user) {
  fz *f = user;
  (void)su;
  /* A queued request is live but still idle (never sent). */
  if (id == 0 || id <= f->visited || state < H2W_STREAM_STATE_IDLE ||
      state >= H2W_STREAM_STATE_CLOSED ||
      h2w_session_stream_state(s, id) != state) {
    abort();
  }
  f->visited = id;
  fz_refused(f);
  if (fz_rand(f) % 8 == 0) {
    (void)h2w_session_submit_rst_stream(s, id, H2W_CANCEL);
  }
  return 0;
}

/* Getters must not fail on a live stream and must agree with each
 * other; user data round-trips. */
static void fz_probe(fz *f, uint32_t id) {
  int32_t rw, sw;
  uint32_t v;
  int st = h2w_session_stream_state(f->s, id);
  if (st < H2W_STREAM_STATE_IDLE || st > H2W_STREAM_STATE_CLOSED ||
      h2w_session_setting(f->s, H2W_SETTINGS_REMOTE,
                          H2W_SETTINGS_INITIAL_WINDOW_SIZE, &v) != H2W_OK ||
      h2w_session_window(f->s, 0, &rw, &sw) != H2W_OK || rw < 0) {
    abort();
  }
  if (h2w_session_set_stream_user_data(f->s, id, f) == H2W_OK &&
      h2w_session_get_stream_user_data(f->s, id) != f) {
    abort();
  }
  (void)h2w_session_next_deadline(f->s);
  (void)h2w_session_want_read(f->s);
  fz_observe(f, id);
  if (f->visited == 0) { /* not from inside a walk */
    int rv = h2w_session_foreach_stream(f->s, fz_visit, f);
    f->visited = 0;
    if (rv != H2W_OK && rv != H2W_E_NOMEM && rv != H2W_E_LIMIT &&
        rv != h2w_session_error(f->s, NULL, NULL, NULL)) {
      abort();
    }
  }
}

/* One submit of `kind` on stream id (0: the connection or none). Results
 * are not checked here: fz_after() sees a sticky error. */
static void fz_submit(fz *f, int kind, uint8_t param, uint32_t id) {
  static const uint8_t debug[8] = {'d', 'b', 'g', '0', '1', '2', '3', '4'};
  switch (kind) {
  case FZ_RST:
  case FZ_RST_PAUSE:
    (void)h2w_session_submit_rst_stream(f->s, id, param % 14u);
    break;
  case FZ_PING:
    (void)h2w_session_submit_ping(f->s, (param & 1) ? debug : NULL);
    break;
  case FZ_GOAWAY:
    /* Top bits 11: debug data longer than the library keeps (cut). */
    (void)h2w_session_submit_goaway(f->s, (param & 15) < 2 ? 0 : param % 14u,
                                    (param & 0xc0) == 0xc0 ? fz_big : debug,
                                    (param & 0xc0) == 0xc0 ? 20000u
                                                           : param % 4u);
    break;
  case FZ_SHUTDOWN:
    (void)h2w_session_shutdown(f->s);
    break;
  case FZ_SETTINGS:
    fz_settings_submit(f, param);
    break;
  case FZ_ANSWER:
  case FZ_INFO:
    if (f->server) {
      if (param & 0x10) {
        fz_push(f, id, param); /* a promise before the response */
      }
      fz_respond(f, id, (uint8_t)(kind == FZ_INFO ? param | 4 : param));
    } else {
      fz_request(f, (uint8_t)(kind == FZ_INFO ? param | 1 : param));
    }
    break;
  case FZ_WU:
    (void)h2w_session_submit_window_update(f->s, (param & 1) ? id : 0,
                                           1u << (param % 32));
    break;
  case FZ_CONSUME:
    fz_consume(f);
    break;
  case FZ_RESUME:
    fz_resume(f);
    break;
  case FZ_TRAILERS: {
    static const h2w_nv t = FZ_NV("x-trailer", "v");
    (void)h2w_session_submit_trailers(f->s, id, &t, 1);
    break;
  }
  case FZ_PROBE:
    fz_probe(f, id);
    if (f->ext && (param & 8)) {
      fz_api(f, param, id);
    }
    break;
  default:
    break;
  }
}

/* ---- callbacks --------------------------------------------------------- */

/* After a callback's submit: an application checks want_write after
 * each submit, so what it made pending is announced there, also when the
 * callback runs inside send() or peek() (fz_send,
 * regress_harness_close_callback_submit). */
static void fz_cb_announce(fz *f) {
  if (h2w_session_want_write(f->s)) {
    f->cb_announced = 1;
  }
}

/* A callback's verdict: the scripted action for this call, if any.
 * `stream`: on_begin_headers, on_header, on_headers or on_data, where
 * H2W_CB_RESET_STREAM is an answer (h2wire.h). */
static int fz_cb_of(fz *f, uint32_t id, int stream) {
  uint8_t act;
  fz_enter(f);
  act = fz_next_action(f);
  switch (act & 15) {
  case FZ_NONE:
    return 0;
  case FZ_PAUSE:
    f->paused = 1;
    return H2W_E_PAUSE;
  case FZ_FAIL:
    /* Top bits 111 in a stream callback: reset just this stream. */
    if ((act >> 5) == 7 && stream) {
      return H2W_CB_RESET_STREAM;
    }
    /* A failure ends the connection: the GOAWAY it queues may leave in
     * the send() or peek() this callback runs in (fz_send). */
    f->cb_failed = 1;
    return (act & 16) ? H2W_E_CALLBACK_FAILURE : -1000 - (act >> 5);
  case FZ_RST_PAUSE:
    fz_submit(f, FZ_RST, act >> 4, id != 0 ? id : fz_pick_id(f, act));
    fz_cb_announce(f);
    f->paused = 1;
    return H2W_E_PAUSE;
  default:
    fz_submit(f, act & 15, act >> 4, id != 0 ? id : fz_pick_id(f, act));
    fz_cb_announce(f);
    return 0;
  }
}

static int fz_cb(fz *f, uint32_t id) {
  return fz_cb_of(f, id, 0);
}

/* The scripted action of a callback whose default answer (a submit, made
 * after its fz_enter()) may have ended the session, e.g. the HPACK encoder
 * refused by the memory budget: the application is still inside that same
 * callback, so this is no callback after a fatal error; skip the action,
 * whose result the library no longer reads. */
static int fz_cb_after_submit(fz *f, uint32_t id, int stream) {
  if (h2w_session_error(f->s, NULL, NULL, NULL) != H2W_OK) {
    return 0;
  }
  return fz_cb_of(f, id, stream);
}

static int fz_begin(h2w_session *s, uint32_t id, int kind, void *user) {
  (void)s;
  (void)kind;
  fz_note_id(user, id);
  return fz_cb_of(user, id, 1);
}

/* A promise (client, §8.4): the scripted action, and one in four
 * declined (RST_STREAM CANCEL). */
static int fz_push_promise(h2w_session *s, uint32_t id, uint32_t promised,
                           void *user) {
  fz *f = user;
  int rv;
  (void)s;
  if (!f->push || (id & 1u) == 0 || (promised & 1u) != 0) {
    abort(); /* only promised on our requests, and only when enabled */
  }
  fz_note_id(f, promised);
  rv = fz_cb(f, promised);
  return rv == 0 && fz_rand(f) % 4 == 0 ? H2W_PUSH_REFUSE : rv;
}

static int fz_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  fz *f = user;
  (void)s;
  if (nv->name == NULL || (nv->namelen == 0 && !(f->flags & 0x2)) ||
      (nv->valuelen > 0 && nv->value == NULL)) {
    abort(); /* docs/security.md row 5: empty names never reach a callback
              * (unless validation is off, flag 0x2) */
  }
  return fz_cb_of(f, id, 1);
}

static int fz_data(h2w_session *s, uint32_t id, const uint8_t *d, size_t n,
                   void *user) {
  fz *f = user;
  size_t i;
  (void)s;
  if (n > 0 && d == NULL) {
    abort();
  }
  /* Manual flow control: remember what to consume (the FZ_CONSUME
   * action or op does it). */
  for (i = 0; (f->flags & 0x1) && i < FZ_SLOTS; i++) {
    if (f->owe_id[i] == id || f->owe_id[i] == 0) {
      f->owe_id[i] = id;
      f->owe_n[i] += n;
      break;
    }
  }
  return fz_cb_of(f, id, 1);
}

static int fz_reset(h2w_session *s, uint32_t id, uint32_t code, void *user) {
  (void)s;
  (void)code;
  return fz_cb(user, id);
}

/* The one callback after a fatal error and inside h2w_session_del: the
 * connection's end closes every live stream once, in ascending id order,
 * flagged H2W_CLOSE_FLAG_CONNECTION (h2wire.h, "Reentrancy"). */
static int fz_on_close(h2w_session *s, uint32_t id, uint32_t code,
                       uint32_t flags, void *user) {
  fz *f = user;
  int err = h2w_session_error(s, NULL, NULL, NULL);
  int rv;
  (void)code;
  fz_body_id(f, id, 0);
  if (flags & H2W_CLOSE_FLAG_CONNECTION) {
    if (err == H2W_OK || id <= f->conn_closed) {
      abort(); /* only at the end, each once, ascending */
    }
    f->conn_closed = id;
  }
  if (err != H2W_OK || f->deleting) {
    /* Still refused, and every submit answers the sticky error. */
    void *su = h2w_session_get_stream_user_data(s, id);
    fz_refused(f);
    if (h2w_session_submit_ping(s, NULL) != err ||
        h2w_session_set_stream_user_data(s, id, &su) != err ||
        h2w_session_get_stream_user_data(s, id) != su) {
      abort();
    }
    return (fz_next_action(f) & 15) == FZ_FAIL ? -1 : 0;
  }
  /* send() and peek() first fire the close callbacks still due (h2wire.h,
   * "Reentrancy": on_stream_close runs inside recv, send, peek, ack or
   * tick), e.g. of queued requests a foreach visitor reset, which left
   * nothing to write; what this callback submits or its failure's GOAWAY
   * may leave in that same call (fz_cb_of, fz_send). */
  rv = fz_cb(f, 0);
  return rv;
}

static int fz_settings(h2w_session *s, const h2w_settings_entry *iv, size_t n,
                       void *user) {
  (void)s;
  if (n > 0 && iv == NULL) {
    abort();
  }
  return fz_cb(user, 0);
}

static int fz_void(h2w_session *s, void *user) {
  (void)s;
  return fz_cb(user, 0);
}

static int fz_ping_ack(h2w_session *s, const uint8_t *o, uint64_t rtt,
                       void *user) {
  (void)s;
  (void)o;
  (void)rtt;
  return fz_cb(user, 0);
}

static int fz_goaway(h2w_session *s, uint32_t last, uint32_t code,
                     const uint8_t *d, size_t n, void *user) {
  (void)s;
  (void)last;
  (void)code;
  if (n > 0 && d == NULL) {
    abort();
  }
  return fz_cb(user, 0);
}

static int fz_frame(h2w_session *s, const h2w_frame_info *fi, const uint8_t *p,
                    void *user) {
  (void)s;
  (void)p;
  return fz_cb(user, fi->stream_id);
}

/* Informational; a connection error is reported once (docs/security.md row 20).
 * A callback like the others: the refused calls stay refused, and the
 * scripted submit (an error GOAWAY included, which ends the connection
 * through the same path) is made from inside it. */
static void fz_error(h2w_session *s, uint32_t id, uint32_t code,
                     const char *reason, void *user) {
  fz *f = user;
  uint8_t act;
  if (reason != NULL && strcmp(reason, H2W_REASON_NO_CLOCK) == 0) {
    /* A warning, not an error: once, on the connection, code NO_ERROR,
     * the session still healthy (h2w_session_tick()). */
    if (f->dead || id != 0 || code != H2W_NO_ERROR || f->no_clock_told++ ||
        h2w_session_error(s, NULL, NULL, NULL) != H2W_OK) {
      abort();
    }
    return;
  }
  if (f->dead || reason == NULL ||
      h2w_session_error(s, NULL, NULL, NULL) != H2W_OK ||
      (id == 0 && f->conn_errors++ > 0)) {
    abort();
  }
  fz_refused(f);
  act = fz_next_action(f);
  if ((act & 15) > FZ_FAIL && (act & 15) != FZ_RST_PAUSE) {
    fz_submit(f, act & 15, act >> 4, id != 0 ? id : fz_pick_id(f, act));
  }
}

#include "session_fuzz_api.h"
#include "session_fuzz_run.h"

#endif

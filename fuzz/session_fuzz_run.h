/* Part of session_fuzz.h: options, the op-script main loop, and the
 * session's input and output paths with their checks. */
#ifndef H2W_SESSION_FUZZ_RUN_H
#define H2W_SESSION_FUZZ_RUN_H

/* ---- output ------------------------------------------------------------ */

static void fz_out(fz *f, const uint8_t *p, size_t n, uint32_t peer_mfs) {
  fz_wire_out(&f->w, f->server, p, n, peer_mfs);
}

static uint32_t fz_peer_mfs(const fz *f) {
  uint32_t v = H2W_FRAME_DEFAULT_MAX_SIZE;
  (void)h2w_session_setting(f->s, H2W_SETTINGS_REMOTE,
                            H2W_SETTINGS_MAX_FRAME_SIZE, &v);
  return v;
}

static void fz_autoack(fz *f);

/* Output of one send() or peek() that nothing announced: want_write was
 * 0 before the call (an event loop would never write otherwise), no
 * callback of this call made it 1 with a submit (fz_cb_announce), and
 * none failed and so ended the healthy session, whose GOAWAY send() and
 * peek() still give (h2wire.h, h2w_session_send();
 * regress_harness_close_callback_fail). */
static int fz_unannounced(fz *f, int ww, int err) {
  return !ww && !f->cb_announced &&
         !(f->cb_failed && err == H2W_OK &&
           h2w_session_error(f->s, NULL, NULL, NULL) != H2W_OK);
}

/* One send() into a buffer of cap octets: no unannounced output
 * (fz_unannounced); a negative result only comes from a dead session. */
static h2w_ssize fz_send(fz *f, size_t cap) {
  static uint8_t buf[65536];
  uint32_t mfs = fz_peer_mfs(f);
  int ww = h2w_session_want_write(f->s);
  int err = h2w_session_error(f->s, NULL, NULL, NULL);
  h2w_ssize n;
  cap = cap < sizeof buf ? cap : sizeof buf;
  f->data_polled = 0;
  f->cb_announced = f->cb_failed = 0;
  n = h2w_session_send(f->s, buf, cap);
  if (n > (h2w_ssize)cap || (n > 0 && fz_unannounced(f, ww, err))) {
    abort();
  }
  if (n > 0) {
    fz_out(f, buf, (size_t)n, mfs);
  }
  fz_after(f);
  if (n < 0 && !f->dead) {
    abort();
  }
  if (n > 0) {
    fz_autoack(f);
  }
  return n;
}

/* Zero-copy output: acknowledge a fuzzer-chosen part of what is pending. */
static void fz_peek(fz *f, uint8_t arg) {
  const uint8_t *p = NULL;
  uint32_t mfs = fz_peer_mfs(f);
  int ww, err;
  h2w_ssize n;
  size_t k;
  ww = h2w_session_want_write(f->s);
  err = h2w_session_error(f->s, NULL, NULL, NULL);
  f->cb_announced = f->cb_failed = 0;
  n = h2w_session_peek(f->s, &p);
  if ((n > 0 && (fz_unannounced(f, ww, err) || p == NULL)) ||
      (n < 0 && h2w_session_error(f->s, NULL, NULL, NULL) == H2W_OK)) {
    abort();
  }
  if (n > 0) {
    k = arg >= 128 ? (size_t)n : (size_t)arg * arg + 1;
    k = k < (size_t)n ? k : (size_t)n;
    fz_out(f, p, k, mfs); /* valid until the next call on the session */
    if (h2w_session_ack(f->s, k) != H2W_OK ||
        h2w_session_ack(f->s, (size_t)n + 1) != H2W_E_INVALID_ARGUMENT) {
      abort();
    }
  }
  fz_after(f);
  if (n > 0) {
    fz_autoack(f);
  }
}

/* Read everything, in pseudo-random pieces. */
static void fz_drain(fz *f) {
  long guard = 0;
  h2w_ssize n;
  do {
    size_t cap =
        fz_rand(f) % 8 == 0 ? 1 + fz_rand(f) % 32 : 1 + fz_rand(f) % 20000;
    n = fz_send(f, cap);
    if (++guard > 1000000) {
      abort(); /* output that never ends */
    }
  } while (n > 0);
  if (n == 0 && !f->data_polled && h2w_session_want_write(f->s)) {
    abort(); /* want_write promised bytes that send() did not give */
  }
}

/* ---- input and time ---------------------------------------------------- */

/* Feed the next k peer octets (fewer if the input ends). */
static void fz_feed(fz *f, size_t k) {
  size_t avail = (size_t)(f->in_end - f->in), used;
  h2w_ssize n;
  k = k < avail ? k : avail;
  if (k == 0) {
    return;
  }
  f->paused = 0;
  n = h2w_session_recv(f->s, f->in, k);
  if (n > (h2w_ssize)k || (f->dead && n >= 0) ||
      (n >= 0 && (size_t)n < k && !f->paused)) {
    abort(); /* only a pause returns early; a dead session stays dead */
  }
  used = n >= 0 ? (size_t)n : k; /* after an error all is consumed */
  fz_wire_in(&f->w, f->in, used);
  f->in += used;
  fz_after(f);
  if (n < 0 && !f->dead) {
    abort(); /* recv errors end the session (h2wire.h) */
  }
}

/* Auto-ack mode (extended mode without bit 0x20 of the seed's first
 * octet): a peer that answers our PINGs and SETTINGS at once
 * (PING ACK with the same opaque data, one SETTINGS ACK at a time),
 * between the scripted peer frames: after its first frame, at a frame
 * boundary. The paths that need answers (round trips, window autotuning,
 * SETTINGS acknowledged before their timeout) are then reached. The
 * answers go through the input mirror like every peer byte. */
static void fz_autoack(fz *f) {
  uint8_t buf[9 + 8 + 9];
  size_t n = 0, done = 0, used;
  long guard = 0;
  h2w_ssize r;
  if (!f->autoack || f->dead || f->w.in_frames == 0 || f->w.in.hdlen != 0 ||
      f->w.in.in_payload || (!f->w.ping_due && f->w.settings_due == 0)) {
    return;
  }
  if (f->w.ping_due) {
    static const uint8_t hd[9] = {0, 0, 8, H2W_FRAME_PING, H2W_FLAG_ACK, 0,
                                  0, 0, 0};
    memcpy(buf, hd, sizeof hd);
    memcpy(buf + 9, f->w.ping_out, 8);
    n = 17;
    f->w.ping_due = 0;
  }
  if (f->w.settings_due > 0) {
    static const uint8_t hd[9] = {0, 0, 0, H2W_FRAME_SETTINGS, H2W_FLAG_ACK, 0,
                                  0, 0, 0};
    memcpy(buf + n, hd, sizeof hd);
    n += 9;
    f->w.settings_due--;
  }
  while (done < n && !f->dead) {
    f->paused = 0;
    r = h2w_session_recv(f->s, buf + done, n - done);
    if (r > (h2w_ssize)(n - done) ||
        (r >= 0 && (size_t)r < n - done && !f->paused) || ++guard > 100000) {
      abort();
    }
    used = r >= 0 ? (size_t)r : n - done;
    fz_wire_in(&f->w, buf + done, used);
    done += used;
    fz_after(f);
    if (r < 0 && !f->dead) {
      abort();
    }
  }
}

static void fz_tick(fz *f) {
  int rv = h2w_session_tick(f->s, f->now);
  fz_after(f);
  /* NOMEM from a timer is transient (fuzz/README.md, finding F1). */
  if (rv != H2W_OK && (!f->dead || rv > 0) && rv != H2W_E_NOMEM) {
    fprintf(stderr, "tick: %s with session error %s\n", h2w_error_name(rv),
            h2w_error_name(h2w_session_error(f->s, NULL, NULL, NULL)));
    abort();
  }
}

/* ---- the op script ----------------------------------------------------- */

enum {
  FZ_OP_FEED,
  FZ_OP_FEED_BYTES,
  FZ_OP_SEND,
  FZ_OP_PEEK,
  FZ_OP_DRAIN,
  FZ_OP_TICK,
  FZ_OP_SUBMIT, /* ops 6..17: submit kinds FZ_RST..FZ_PROBE */
  FZ_OP_DEADLINE = FZ_OP_SUBMIT + FZ_PROBE - FZ_RST + 1,
  FZ_OP_UPGRADE,
  FZ_OP_COUNT
};

/* h2c Upgrade (RFC 7540 §3.2): valid only first; later it must fail
 * cleanly. Server: a valid HTTP2-Settings value or a broken one (bad
 * base64url, a cut entry, '=' padding, a value a client may not send,
 * more entries than max_settings_entries); client: its own value, NULL,
 * or (arg & 4) a broken one. Stream 1 then exists on both sides. */
static void fz_upgrade(fz *f, uint8_t arg) {
#ifdef H2W_FUZZ_HAVE_UPGRADE
  static const h2w_settings_entry iv[3] = {
      {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 10},
      {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 20000}};
  static const char *const bad[8] = {"!",        "AAMAAAB",    "AAMAAABk=x",
                                     "AAIAAAAB", /* ENABLE_PUSH 1 is ok */
                                     "AAIAAAAC", "AAMAAABk==", "AAMAAABk=",
                                     NULL}; /* NULL: 60 entries */
  char buf[512];
  const char *b = bad[(arg >> 2) % 8u];
  h2w_ssize n;
  int rv;
  size_t i;
  if (f->server && (arg & 1)) {
    n = h2w_http2_settings_encode(iv, (arg >> 2) % 4u, buf, sizeof buf);
  } else if (f->server || (arg & 4)) {
    if (!f->server) {
      b = bad[(arg >> 3) % 8u];
    }
    if (b == NULL) {
      for (i = 0; i < 60; i++) {
        memcpy(buf + 8 * i, "AAMAAABk", 8);
      }
      n = 480;
    } else {
      n = (h2w_ssize)strlen(b);
      memcpy(buf, b, (size_t)n);
    }
  } else {
    n = h2w_session_upgrade_settings(f->s, buf, sizeof buf);
  }
  if (n < 0) {
    abort(); /* 512 octets are always enough (h2wire.h) */
  }
  rv = h2w_session_upgrade(f->s, (f->server || (arg & 5)) ? buf : NULL,
                           (size_t)n, (arg & 2) != 0, NULL);
  if (rv == H2W_OK) {
    fz_note_id(f, 1);
    if (f->server) {
      f->w.max_peer_id = f->w.max_peer_id > 1 ? f->w.max_peer_id : 1;
    } else {
      f->w.max_own_id = f->w.max_own_id > 1 ? f->w.max_own_id : 1;
      fz_end(&f->w, 1); /* half-closed (local): no HEADERS/DATA from us */
    }
  }
#else
  (void)f;
  (void)arg;
#endif
}

static void fz_op(fz *f, uint8_t op, uint8_t arg) {
  uint64_t d;
  unsigned i;
  op = (uint8_t)(op % FZ_OP_COUNT);
  if (op == FZ_OP_FEED) {
    fz_feed(f, arg == 0 ? SIZE_MAX : arg < 128 ? arg : (arg - 127u) * 128u);
  } else if (op == FZ_OP_FEED_BYTES) {
    for (i = 0; i <= arg % 32u; i++) {
      fz_feed(f, 1);
    }
  } else if (op == FZ_OP_SEND) {
    (void)fz_send(f, arg < 64 ? arg + 1u : (arg - 63u) * 100u);
  } else if (op == FZ_OP_PEEK) {
    fz_peek(f, arg);
  } else if (op == FZ_OP_DRAIN) {
    fz_drain(f);
  } else if (op == FZ_OP_TICK) {
    f->now += arg < 128 ? arg : (arg - 127u) * 1000u;
    fz_tick(f);
  } else if (op == FZ_OP_DEADLINE) {
    d = h2w_session_next_deadline(f->s);
    if (d != UINT64_MAX) {
      f->now = d > f->now ? d : f->now;
    }
    fz_tick(f);
  } else if (op == FZ_OP_UPGRADE) {
    fz_upgrade(f, arg);
    fz_after(f);
  } else {
    f->outside = 1; /* until a callback runs (fz_refused) */
    fz_submit(f, op - FZ_OP_SUBMIT + FZ_RST, arg, fz_pick_id(f, arg));
    f->outside = 0;
    fz_after(f);
  }
}

/* Ops first; then the rest of the peer's bytes in rng-sized pieces with
 * the clock running; then flush (resume, consume, drain). */
static void fz_run(fz *f) {
  int i;
  while (f->op_end - f->op >= 2) {
    fz_op(f, f->op[0], f->op[1]);
    f->op += 2;
  }
  while (f->in < f->in_end) {
    fz_feed(f, 1 + fz_rand(f) % (fz_rand(f) % 4 == 0 ? 16 : 2048));
    f->now += fz_rand(f) % 300;
    fz_tick(f);
    fz_drain(f);
  }
  for (i = 0; i < 4; i++) {
    fz_consume(f);
    fz_resume(f);
    fz_after(f);
    fz_drain(f);
  }
  if (fz_rand(f) % 2 == 0) {
    /* The peer closes the transport (h2w_session_eof): every stream ends
     * now, nothing more is wanted either way, and the result is the
     * session's sticky error or a clean end. */
    int rv = h2w_session_eof(f->s);
    int err = h2w_session_error(f->s, NULL, NULL, NULL);
    if (err == H2W_OK || (rv != H2W_OK && rv != err) ||
        h2w_session_want_read(f->s) || h2w_session_want_write(f->s) ||
        h2w_session_open_streams(f->s) != 0 || h2w_session_eof(f->s) != rv) {
      abort();
    }
  }
}

/* ---- setup ------------------------------------------------------------- */

static void fz_limits(fz *f, h2w_options *opt) {
  uint8_t l = f->limits;
  /* Flag 0x80: small protocol limits, so that their paths are reached. */
  if (f->flags & 0x80) {
    h2w_options_set_initial_window_size(opt, 16u * l);
    h2w_options_set_connection_window_size(opt, 65535u + 1000u * l);
    h2w_options_set_max_header_list_size(opt, 64u + 8u * l);
    h2w_options_set_max_header_fields(opt, 1u + l % 8u);
    h2w_options_set_max_control_queue(opt, 1u + l % 16u);
    h2w_options_set_header_table_size(opt, 16u * l);
    h2w_options_set_encoder_table_size(opt, (l & 1) ? 0 : 256);
    h2w_options_set_shutdown_timeout(opt, 100);
  }
  /* Flag 0x20: small rate limits and memory budget (docs/security.md rows 4,
   * 7-10 and the budget), where this h2wire has them. */
#ifdef H2W_FUZZ_HAVE_GLITCH_LIMIT
  if (f->flags & 0x20) {
    h2w_options_set_glitch_limit(opt, 1u + l % 8u, (l >> 3) % 4u * 10u);
  }
#endif
#ifdef H2W_FUZZ_HAVE_RESET_LIMIT
  if (f->flags & 0x20) {
    h2w_options_set_reset_limit(opt, 1u + (l >> 2) % 8u, (l >> 5) * 5u);
  }
#endif
#ifdef H2W_FUZZ_HAVE_MEMORY_BUDGET
  {
    static const size_t budgets[8] = {4096,  8192,   16384,  32768,
                                      65536, 131072, 262144, 4194304};
    f->budget = (f->flags & 0x20) ? budgets[l >> 5] : 4194304u;
    h2w_options_set_memory_budget(opt, f->budget);
  }
#endif
#ifdef H2W_FUZZ_HAVE_KEEPALIVE
  if (f->flags & 0x10) {
    h2w_options_set_keepalive(opt, 1000, 500);
  }
#endif
#ifdef H2W_FUZZ_HAVE_IDLE_TIMEOUT
  if (f->flags & 0x10) {
    h2w_options_set_idle_timeout(opt, 3000);
  }
#endif
#ifdef H2W_FUZZ_HAVE_WINDOW_AUTOTUNE
  /* With the timers: BDP PINGs, their ACKs and the SETTINGS it sends;
   * small caps, so that they are reached. */
  if (f->flags & 0x10) {
    h2w_options_set_window_autotune(opt, 262144u + 1024u * l, 131072u);
  }
#endif
}

static h2w_options *fz_options(fz *f) {
  h2w_options *opt = NULL;
  if (h2w_options_new(&opt, NULL) != H2W_OK) {
    abort();
  }
  if (f->ext && (f->xopt & 0x01)) {
    fz_option_checks(opt);
  }
  h2w_options_set_manual_flow_control(opt, f->flags & 0x1);
  h2w_options_set_validate_messages(opt, !(f->flags & 0x2));
  h2w_options_set_max_concurrent_streams(opt, (f->flags & 0x4) ? 3 : 100);
  h2w_options_set_settings_timeout(opt, (f->flags & 0x10) ? 500 : 0);
  h2w_options_set_enable_push(opt, f->push);
  fz_limits(f, opt);
  fz_ext_options(f, opt);
  return opt;
}

static h2w_callbacks *fz_callbacks(void) {
  h2w_callbacks *cb = NULL;
  if (h2w_callbacks_new(&cb, NULL) != H2W_OK) {
    abort();
  }
  h2w_callbacks_set_on_begin_headers(cb, fz_begin);
  h2w_callbacks_set_on_header(cb, fz_header);
  h2w_callbacks_set_on_data(cb, fz_data);
  h2w_callbacks_set_on_stream_reset(cb, fz_reset);
  h2w_callbacks_set_on_stream_close(cb, fz_on_close);
  h2w_callbacks_set_on_settings(cb, fz_settings);
  h2w_callbacks_set_on_settings_ack(cb, fz_void);
  h2w_callbacks_set_on_ping_ack(cb, fz_ping_ack);
  h2w_callbacks_set_on_goaway(cb, fz_goaway);
  h2w_callbacks_set_on_frame_recv(cb, fz_frame);
  h2w_callbacks_set_on_frame_send(cb, fz_frame);
  h2w_callbacks_set_on_error(cb, fz_error);
  h2w_callbacks_set_on_push_promise(cb, fz_push_promise);
  return cb;
}

/* Split the input into its sections (layout in session_fuzz.h) and
 * create the session with `cb` (deleted here). Returns 0 when there is
 * nothing to run (input too short, or creation failed as scripted). */
static int fz_start(fz *f, const uint8_t *data, size_t size, int server,
                    h2w_callbacks *cb) {
  h2w_mem mem = {fz_malloc, fz_realloc, fz_free, NULL};
  h2w_options *opt;
  size_t l, c;
  int rv;
  memset(f, 0, sizeof *f);
  memset(fz_big, 'v', sizeof fz_big);
  memset(f->body, 'b', sizeof f->body);
  f->server = server;
  f->rng = ((uint32_t)data[0] << 8 | data[1]) * 2654435761u | 1u;
  f->flags = data[2];
  f->push = !server && (data[0] & 0x80) != 0;
  f->ext = (data[0] & 0x40) != 0;
  f->xopt = data[1];
  f->autoack = f->ext && (data[0] & 0x20) == 0;
  f->limits = data[3];
  l = (size_t)data[4] << 8 | data[5];
  l = l < size - FZ_HEADER ? l : size - FZ_HEADER;
  c = data[6] < size - FZ_HEADER - l ? data[6] : size - FZ_HEADER - l;
  f->op = data + FZ_HEADER;
  f->op_end = f->cbs = f->op + l;
  f->cb_end = f->in = f->cbs + c;
  f->in_end = data + size;
  if (f->cb_end - f->cbs >= 2) { /* the first (gap, action) pair */
    f->gap = f->cbs[0];
    f->action = f->cbs[1];
    f->cbs += 2;
  } else {
    f->script_done = 1;
  }
  if (f->flags & 0x40) { /* allocation number `limits` fails */
    f->fail_at = 1u + f->limits;
    f->fail_sticky = data[1] & 1;
  }
  mem.user = f;
  fz_ext_callbacks(f, cb);
  fz_wire_init(&f->w, server);
  opt = fz_options(f);
  rv = server ? h2w_session_server_new(&f->s, cb, opt, f, &mem)
              : h2w_session_client_new(&f->s, cb, opt, f, &mem);
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  if (rv != H2W_OK) {
    /* NOMEM from an injected failure, or LIMIT for a budget smaller than
     * the fresh session (h2w_options_set_memory_budget). */
    if (!(rv == H2W_E_NOMEM && f->fail_at != 0) &&
        !(rv == H2W_E_LIMIT && f->budget != 0)) {
      abort();
    }
    if (f->live != 0) {
      abort();
    }
    f->s = NULL;
    fz_wire_free(&f->w);
    return 0;
  }
  fz_after(f);
  return 1;
}

static void fz_teardown(fz *f) {
  /* All output read: it was whole frames. A frame cut short (a DATA frame
   * written over by a submit from inside its own source, issue 14 A)
   * leaves the output mirror inside a frame. */
  if (!h2w_session_want_write(f->s) &&
      (f->w.out.hdlen != 0 || f->w.out.in_payload)) {
    abort();
  }
  /* h2w_session_del fires on_stream_close for every live stream, and
   * nothing else. */
  f->deleting = 1;
  h2w_session_del(f->s);
  fz_wire_free(&f->w);
  if (f->live != 0) {
    abort(); /* the session leaked through its allocator */
  }
}

#endif

/* Part of session_fuzz.h: the rest of the public API (issue 15 §3). In
 * "extended" mode (bit 0x40 of the seed's first octet, see fz_ext_options)
 * the session also gets the options the other bits never choose (the
 * CONNECT protocol, frames above 16384, windows near 2^31-1, large decoder
 * tables, odd encoder caps, an extension payload limit with the ALTSVC,
 * ORIGIN and extension callbacks), and a probe (FZ_PROBE with bit 3 of its
 * parameter) from an op, a callback or a body source makes one call of
 * fz_api: ALTSVC, ORIGIN and extension frames, priorities (RFC 9218),
 * prepared and packed submits with memory-range bodies, and
 * h2w_session_shrink. Every probe also runs the read-only getters
 * (fz_observe), which leave the session as it was. */
#ifndef H2W_SESSION_FUZZ_API_H
#define H2W_SESSION_FUZZ_API_H

/* ---- options and callbacks of extended mode ---------------------------- */

/* A client's preface, SETTINGS, a POST on stream 1 (HPACK: :method
 * POST, :scheme https, :path /, :authority example.org) and its body. */
static const uint8_t fz_post[] = {
    'P', 'R',  'I',  ' ',  '*',  ' ',  'H',  'T',  'T',  'P',  '/',  '2', '.',
    '0', '\r', '\n', '\r', '\n', 'S',  'M',  '\r', '\n', '\r', '\n', 0,   0,
    0,   4,    0,    0,    0,    0,    0,    0,    0,    16,   1,    4,   0,
    0,   0,    1,    0x83, 0x87, 0x84, 0x41, 11,   'e',  'x',  'a',  'm', 'p',
    'l', 'e',  '.',  'o',  'r',  'g',  0,    0,    10,   0,    1,    0,   0,
    0,   1,    'h',  'e',  'l',  'l',  'o',  'w',  'o',  'r',  'l',  'd'};

/* Sessions made with no callbacks, no options and the default allocator
 * (every argument but the first may be NULL): a client's HTTP2-Settings
 * value is its default SETTINGS, both describe themselves, and a NULL
 * output pointer is refused. */
static void fz_default_sessions(void) {
  static char buf[16384];
  h2w_session *c = NULL, *sv = NULL;
  h2w_options *o = NULL;
  size_t len = 0;
  if (h2w_session_client_new(NULL, NULL, NULL, NULL, NULL) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_server_new(NULL, NULL, NULL, NULL, NULL) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_client_new(&c, NULL, NULL, NULL, NULL) != H2W_OK ||
      h2w_session_server_new(&sv, NULL, NULL, NULL, NULL) != H2W_OK ||
      h2w_session_upgrade_settings(c, buf, sizeof buf) <= 0 ||
      h2w_session_upgrade_settings(sv, buf, sizeof buf) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_dump_json(c, buf, sizeof buf, &len) != H2W_OK ||
      h2w_session_dump_json(sv, buf, sizeof buf, &len) != H2W_OK) {
    abort();
  }
  /* Without on_data the server consumes DATA itself, also a frame that
   * arrives in two pieces. */
  if (h2w_session_recv(sv, fz_post, 70) != 70 ||
      h2w_session_recv(sv, fz_post + 70, sizeof fz_post - 70) !=
          (h2w_ssize)(sizeof fz_post - 70) ||
      h2w_session_error(sv, NULL, NULL, NULL) != H2W_OK) {
    abort();
  }
  h2w_session_del(c);
  h2w_session_del(sv);
  /* No memory budget and no glitch or reset budget: the dump says null. */
  sv = NULL;
  if (h2w_options_new(&o, NULL) != H2W_OK ||
      h2w_options_set_memory_budget(o, 0) != H2W_OK ||
      h2w_options_set_glitch_limit(o, 0, 0) != H2W_OK ||
      h2w_options_set_reset_limit(o, 0, 0) != H2W_OK ||
      h2w_session_server_new(&sv, NULL, o, NULL, NULL) != H2W_OK ||
      h2w_session_dump_json(sv, buf, sizeof buf, &len) != H2W_OK) {
    abort();
  }
  h2w_options_del(o);
  h2w_session_del(sv);
}

/* Bit 0x01 of the extended options: every option setter and constructor
 * refuses a NULL object and each out-of-range value (h2wire.h gives the
 * ranges) with H2W_E_INVALID_ARGUMENT. Run on fresh options, before the
 * harness sets its own: what it sets afterwards decides. */
static void fz_option_checks(h2w_options *opt) {
  static const uint32_t bad_u32[4] = {0, 16383, 16777216, 0x80000000u};
  h2w_options *o = NULL;
  h2w_callbacks *cb = NULL;
  size_t i;
  if (h2w_options_new(NULL, NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_callbacks_new(NULL, NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_callbacks_set_on_header(NULL, NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_max_frame_size(NULL, 16384) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_glitch_limit(NULL, 1, 1) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_reset_limit(NULL, 1, 1) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_memory_budget(NULL, 1) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_keepalive(opt, 0, 5) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_keepalive(opt, 5, 0) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_manual_flow_control(opt, 2) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_enable_push(opt, -1) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_enable_connect_protocol(opt, 2) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_validate_messages(opt, 3) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_window_autotune(NULL, 0, 0) != H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_window_autotune(opt, 65534, 65535) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_options_set_window_autotune(opt, 65535, 0x80000000u) !=
          H2W_E_INVALID_ARGUMENT) {
    abort();
  }
  /* The frame size outside 16384 ... 16777215 (RFC 9113 §6.5.2), windows
   * past 2^31-1 (§6.9.1). */
  for (i = 0; i < 4; i++) {
    if (h2w_options_set_max_frame_size(opt, bad_u32[i]) !=
            H2W_E_INVALID_ARGUMENT ||
        (bad_u32[i] > 0x7fffffffu &&
         (h2w_options_set_initial_window_size(opt, bad_u32[i]) !=
              H2W_E_INVALID_ARGUMENT ||
          h2w_options_set_connection_window_size(opt, bad_u32[i]) !=
              H2W_E_INVALID_ARGUMENT))) {
      abort();
    }
  }
  /* Autotuning on, then off again (0, 0): what the caller sets next
   * decides. */
  if (h2w_options_set_window_autotune(opt, 1u << 20, 1u << 18) != H2W_OK ||
      h2w_options_set_window_autotune(opt, 0, 0) != H2W_OK ||
      h2w_options_new(&o, NULL) != H2W_OK ||
      h2w_callbacks_new(&cb, NULL) != H2W_OK) {
    abort();
  }
  h2w_options_del(o);
  h2w_callbacks_del(cb);
  fz_default_sessions();
}

static void fz_ext_options(fz *f, h2w_options *opt) {
  uint8_t x = f->xopt, l = f->limits;
  f->max_ext = 16384;
  if (!f->ext) {
    return;
  }
  if (x & 0x02) {
    h2w_options_set_enable_connect_protocol(opt, 1);
  }
  if (x & 0x04) {
    h2w_options_set_max_frame_size(opt,
                                   (x & 0x08) ? 16777215u : 16385u + 97u * l);
  }
  if (x & 0x10) {
    f->max_ext = (l & 1) ? 16777215u : 4u * l;
    h2w_options_set_max_extension_payload(opt, f->max_ext);
  }
  if (x & 0x20) { /* windows near 2^31-1 (RFC 9113 §6.9.1) */
    h2w_options_set_initial_window_size(opt, 0x7fffffffu - (l & 15u));
    h2w_options_set_connection_window_size(opt, 0x7fffffffu - l);
  }
  if (x & 0x40) { /* a decoder table above 4080 octets */
    h2w_options_set_header_table_size(opt, 4081u + 257u * l);
  }
  if (x & 0x80) { /* encoder caps other than 0, 256 and 4096 */
    h2w_options_set_encoder_table_size(opt, 1u + 131u * l);
  }
}

/* Client only (RFC 7838 §4): ALTSVC on stream 0 names an origin, on a
 * stream none. */
static int fz_altsvc_cb(h2w_session *s, uint32_t id, const uint8_t *origin,
                        size_t originlen, const uint8_t *value, size_t valuelen,
                        void *user) {
  fz *f = user;
  (void)s;
  if (f->server || (originlen > 0 && origin == NULL) ||
      (valuelen > 0 && value == NULL) || (id == 0) != (originlen > 0)) {
    abort();
  }
  return fz_cb(f, id);
}

/* Client only (RFC 8336 §2.1); the entries of one frame counted from 0. */
static int fz_origin_cb(h2w_session *s, const uint8_t *origin, size_t len,
                        size_t index, void *user) {
  fz *f = user;
  (void)s;
  if (f->server || (len > 0 && origin == NULL) ||
      (index != 0 && index != f->origin_next)) {
    abort();
  }
  f->origin_next = index + 1;
  return fz_cb(f, 0);
}

/* Only types the library does not implement, no longer than the limit. */
static int fz_ext_frame_cb(h2w_session *s, const h2w_frame_info *fi,
                           const uint8_t *p, void *user) {
  fz *f = user;
  (void)s;
  if (fi->length > f->max_ext || (fi->length > 0 && p == NULL) ||
      fi->type <= H2W_FRAME_CONTINUATION || fi->type == 0xa ||
      fi->type == 0xc || fi->type == 0x10) {
    abort();
  }
  return fz_cb(f, fi->stream_id);
}

static void fz_ext_callbacks(fz *f, h2w_callbacks *cb) {
  if (f->ext) {
    h2w_callbacks_set_on_altsvc(cb, fz_altsvc_cb);
    h2w_callbacks_set_on_origin(cb, fz_origin_cb);
    h2w_callbacks_set_on_extension_frame(cb, fz_ext_frame_cb);
  }
}

/* ---- read-only getters ------------------------------------------------- */

/* Calls that only read the session: their answers agree with their
 * contracts, and nothing changes (fz_after checks the memory). */
static void fz_observe(fz *f, uint32_t id) {
  static char json[1 << 16];
  size_t len = 0, idx = 0, cap = (id % 3u == 1) ? 24 : sizeof json;
  h2w_flow_estimate fe;
  const char *reason = NULL;
  int u = -1, inc = -1, rv;
  h2w_ssize left;
  /* The dump walks every stream and, instrumented, cost 93 % of a long
   * run's time (perf of fuzz_session_server, a corpus that had grown
   * probe-heavy inputs). At the 1st, 2nd, 4th, 8th... probe of a run it
   * still sees the session early and late, at a fraction of the cost. */
  f->probes++;
  if ((f->probes & (f->probes - 1)) == 0) {
    rv = h2w_session_dump_json(f->s, json, cap, &len);
    if ((rv == H2W_OK && (len + 1 > cap || strlen(json) != len ||
                          json[0] != '{' || json[len - 1] != '}')) ||
        (rv == H2W_E_BUFFER_TOO_SMALL && (len + 1 <= cap || json[0] != 0)) ||
        (rv != H2W_OK && rv != H2W_E_BUFFER_TOO_SMALL)) {
      abort();
    }
  }
  memset(&fe, 0, sizeof fe);
  fe.size = sizeof fe;
  if (h2w_session_flow_estimate(f->s, &fe) != H2W_OK ||
      (fe.enabled != 0 && fe.enabled != 1) || (!fe.enabled && fe.samples)) {
    abort();
  }
  fe.size = 1;
  if (h2w_session_flow_estimate(f->s, &fe) != H2W_E_INVALID_ARGUMENT) {
    abort();
  }
  rv = h2w_session_stream_priority(f->s, id, &u, &inc);
  if (rv == H2W_OK && (u < 0 || u > 7 || (inc != 0 && inc != 1))) {
    abort();
  }
  rv = h2w_session_last_submit_error(f->s, &reason, &idx);
  if ((rv != H2W_OK && rv != H2W_E_INVALID_ARGUMENT) ||
      (rv == H2W_E_INVALID_ARGUMENT && reason == NULL)) {
    abort();
  }
  left = h2w_session_data_range_left(f->s, id);
  if (left < 0 && left != H2W_E_INVALID_ARGUMENT &&
      left != H2W_E_INVALID_STATE) {
    abort();
  }
  if (h2w_session_is_server(f->s) != f->server) {
    abort();
  }
  (void)h2w_session_open_streams(f->s);
}

/* ---- the calls of fz_api ----------------------------------------------- */

static const uint8_t fz_origin_a[] = "https://example.org";
static const uint8_t fz_origin_b[] = "https://a.example.org:8443";
static const uint8_t fz_altsvc_value[] = "h2=\":8443\"; ma=3600";

static void fz_api_altsvc(fz *f, uint32_t id, uint32_t r) {
  int on0 = (r & 1) != 0;
  size_t vlen = (r & 2) ? sizeof fz_altsvc_value - 1 : (r >> 8) % 20000u;
  const uint8_t *value = (r & 2) ? fz_altsvc_value : fz_big;
  int rv = h2w_session_submit_altsvc(
      f->s, on0 ? 0 : id, (on0 || (r & 4)) ? fz_origin_a : NULL,
      (on0 || (r & 4)) ? sizeof fz_origin_a - 1 : 0, value, vlen);
  if (!f->server && rv == H2W_OK) {
    abort(); /* only servers advertise */
  }
}

static void fz_api_origin(fz *f, uint32_t r) {
  const uint8_t *o[3] = {fz_origin_a, fz_origin_b, fz_big};
  size_t lens[3] = {sizeof fz_origin_a - 1, sizeof fz_origin_b - 1, 0};
  lens[2] = (r >> 8) % 70000u; /* past 65535: refused */
  lens[2] = lens[2] < sizeof fz_big ? lens[2] : sizeof fz_big;
  if (h2w_session_submit_origin(f->s, o, lens, r % 4u) == H2W_OK &&
      !f->server) {
    abort();
  }
}

static void fz_api_extension(fz *f, uint32_t id, uint32_t r) {
  /* Mostly unknown types; one in eight an implemented one (refused). */
  uint8_t type = (r & 7) == 0 ? (uint8_t)((r >> 3) % 17u) : 0x20u + (r & 7u);
  size_t len = (r & 8) ? (r >> 8) % sizeof fz_big : (r >> 8) % 16u;
  int known = type <= H2W_FRAME_CONTINUATION || type == 0xa || type == 0xc ||
              type == 0x10;
  int rv = h2w_session_submit_extension(f->s, type, (uint8_t)(r >> 4),
                                        (r & 16) ? id : 0, fz_big, len);
  if (known && rv == H2W_OK) {
    abort();
  }
}

static void fz_api_priority(fz *f, uint32_t id, uint32_t r) {
  static const char *const values[16] = {"u=0",
                                         "u=7, i",
                                         "i=?0, u=3",
                                         "u=9",
                                         "u=1, u=9",
                                         "(",
                                         "u=2;x=1, i",
                                         "",
                                         "x=\"a\\\"b\", u=1",
                                         "l=(a (b) \"c\"), i",
                                         "u=1,",
                                         "u=;",
                                         "i=?1;q, u=4",
                                         "u=-1, i=2",
                                         "a=)",
                                         "u=5 , i , x=*t"};
  const char *v = values[r % 16u];
  int u = -1, inc = -1;
  int rv = h2w_priority_parse(v, strlen(v), &u, &inc);
  if ((rv != H2W_OK && rv != H2W_E_PROTOCOL) || u < 0 || u > 7 ||
      (inc != 0 && inc != 1)) {
    abort();
  }
  rv = h2w_session_submit_priority_update(f->s, id != 0 ? id : 1u + (r & 2u), v,
                                          strlen(v));
  if (f->server && rv == H2W_OK) {
    abort(); /* only clients send PRIORITY_UPDATE (RFC 9218 §7.1) */
  }
}

/* Set a stream's priority; the getter then gives it back. Urgency 8 and
 * incremental 2 are out of range. */
static void fz_api_set_priority(fz *f, uint32_t id, uint32_t r) {
  int u = (int)(r % 9u), inc = (int)((r >> 4) % 3u), gu = -1, ginc = -1;
  if (h2w_session_set_stream_priority(f->s, id, u, inc) == H2W_OK &&
      (u > 7 || inc > 1 ||
       h2w_session_stream_priority(f->s, id, &gu, &ginc) != H2W_OK || gu != u ||
       ginc != inc)) {
    abort();
  }
}

/* A packed header list (h2wire.h, "Packed header lists") of n fields
 * from nv into buf; returns its length. */
static size_t fz_pack(uint8_t *buf, const h2w_nv *nv, size_t n) {
  size_t i, at = 4 + 8 * n;
  uint32_t w[1 + 2 * 8];
  w[0] = (uint32_t)n;
  for (i = 0; i < n; i++) {
    w[1 + 2 * i] = (uint32_t)nv[i].namelen | (uint32_t)nv[i].flags
                                                 << H2W_PACKED_FLAGS_SHIFT;
    w[2 + 2 * i] = (uint32_t)nv[i].valuelen;
  }
  for (i = 0; i < 1 + 2 * n; i++) { /* little-endian */
    buf[4 * i] = (uint8_t)w[i];
    buf[4 * i + 1] = (uint8_t)(w[i] >> 8);
    buf[4 * i + 2] = (uint8_t)(w[i] >> 16);
    buf[4 * i + 3] = (uint8_t)(w[i] >> 24);
  }
  for (i = 0; i < n; i++) {
    memcpy(buf + at, nv[i].name, nv[i].namelen);
    at += nv[i].namelen;
    memcpy(buf + at, nv[i].value, nv[i].valuelen);
    at += nv[i].valuelen;
  }
  return at;
}

/* A packed list of the n fields of nv, then "x-f: 1" up to 40 fields:
 * more than the 32 the library unpacks on its stack. */
static size_t fz_pack_many(uint8_t *buf, const h2w_nv *nv, size_t n) {
  size_t i, at = 4 + 8 * 40;
  buf[0] = 40;
  buf[1] = buf[2] = buf[3] = 0;
  for (i = 0; i < 40; i++) {
    const uint8_t *name = i < n ? nv[i].name : (const uint8_t *)"x-f";
    const uint8_t *value = i < n ? nv[i].value : (const uint8_t *)"1";
    size_t nl = i < n ? nv[i].namelen : 3, vl = i < n ? nv[i].valuelen : 1;
    memset(buf + 4 + 8 * i, 0, 8);
    buf[4 + 8 * i] = (uint8_t)nl;
    buf[8 + 8 * i] = (uint8_t)vl;
    memcpy(buf + at, name, nl);
    memcpy(buf + at + nl, value, vl);
    at += nl + vl;
  }
  return at;
}

/* Prepared (server) and packed (both) submits; the range bodies read
 * fz_big, which outlives every session. */
static void fz_api_packed(fz *f, uint32_t id, uint32_t r, int packed) {
  static const h2w_nv resp[3] = {FZ_NV(":status", "200"),
                                 FZ_NV("content-type", "text/plain"),
                                 FZ_NV("x-set", "1")};
  static const h2w_nv req[5] = {FZ_NV(":method", "POST"),
                                FZ_NV(":scheme", "https"),
                                FZ_NV(":authority", "example.org"),
                                FZ_NV(":path", "/packed"), FZ_NV("x-p", "1")};
  static const h2w_nv connect[5] = {
      FZ_NV(":method", "CONNECT"), FZ_NV(":protocol", "websocket"),
      FZ_NV(":scheme", "https"), FZ_NV(":authority", "example.org"),
      FZ_NV(":path", "/ws")};
  uint8_t blob[1024];
  size_t bodylen = (r >> 8) % 3000u, n;
  uint32_t flags = (r >> 4) & 7u; /* H2W_RANGE_*; 0 without a body */
  int32_t sid;
  if (!(flags & H2W_RANGE_BODY)) {
    bodylen = 0;
  }
  if (f->server && !packed) {
    h2w_nvset *set = NULL;
    size_t slot = FZ_SLOTS; /* none: no fz_body source */
    const h2w_data_source *body = (r & 8) ? fz_body(f, id, 0, &slot) : NULL;
    h2w_data_source mem;
    if (body == NULL && (r & 0x800)) {
      /* h2w_data_source_mem over fz_big (RFC 9113 §8.1: the last read
       * ends the stream unless trailers are announced). */
      h2w_mem_source *ms = &f->mem_src[f->mem_next++ % 4u];
      if (h2w_data_source_mem(&mem, ms, fz_big, (r >> 13) % 3000u,
                              (r & 0x1000) ? H2W_DATA_FLAG_NO_END_STREAM
                                           : 0u) != H2W_OK) {
        abort();
      }
      body = &mem;
    }
    if (h2w_nvset_new(&set, resp, 1 + r % 3u, H2W_NVSET_RESPONSE, NULL) !=
            H2W_OK ||
        h2w_nvset_count(set) != 1 + r % 3u) {
      abort();
    }
    if (h2w_session_submit_response_set(f->s, id, set, body) != H2W_OK &&
        slot < FZ_SLOTS) {
      /* Refused: the slot this call took is free again. Only that one: a
       * refused h2w_data_source_mem body took none, and the stream may
       * hold a live slot from an earlier response still being sent. */
      fz_body_give(f, slot, 0);
    }
    h2w_nvset_del(set);
  } else if (f->server) {
    n = ((r >> 12) & 3u) == 3 ? fz_pack_many(blob, resp, 1)
                              : fz_pack(blob, resp, 1 + r % 3u);
    (void)h2w_session_submit_response_packed(f->s, id, blob, n, fz_big, bodylen,
                                             flags);
  } else {
    /* An extended CONNECT (RFC 8441 §4) one time in four. */
    n = (r & 3) == 0 ? fz_pack(blob, connect, 5) : fz_pack(blob, req, 5);
    if (((r >> 12) & 3u) == 3) {
      n = fz_pack_many(blob, req, 4);
    }
    if (f->requests++ >= 40) {
      return;
    }
    sid = h2w_session_submit_request_packed(f->s, blob, n, fz_big, bodylen,
                                            flags, NULL);
    if (sid > 0) {
      fz_note_id(f, (uint32_t)sid);
    }
  }
}

/* A new range for a stream's packed body; the getter agrees. */
static void fz_api_range(fz *f, uint32_t id, uint32_t r) {
  size_t len = (r >> 8) % 5000u;
  h2w_ssize left;
  if (h2w_session_set_data_range(f->s, id, fz_big, len, (r >> 2) & 6u) ==
      H2W_OK) {
    left = h2w_session_data_range_left(f->s, id);
    if (left < 0 || (size_t)left > len) {
      abort();
    }
  }
}

/* Calls whose arguments the contract refuses outright (NULL session,
 * NULL outputs, arrays with a length, values out of range): each returns
 * H2W_E_INVALID_ARGUMENT (or the documented neutral answer) and touches
 * nothing; the event-buffer calls on a session not in that mode are
 * H2W_E_INVALID_STATE, and from a callback even switching it off is
 * refused. Then the HTTP2-Settings codec on values no upgrade op makes:
 * '=' padding, too many entries, a too small array, a bad value. */
static void fz_api_args(fz *f, uint32_t id) {
  static const h2w_settings_entry iws = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                         100};
  static const h2w_settings_entry iv70[70];
  static const uint8_t nofield[4] = {0, 0, 0, 0};
  static const h2w_nv get[4] = {
      FZ_NV(":method", "GET"), FZ_NV(":scheme", "https"),
      FZ_NV(":authority", "example.org"), FZ_NV(":path", "/")};
  static const h2w_nv upper[2] = {FZ_NV(":status", "200"), FZ_NV("X-Up", "1")};
  static const h2w_nv early[1] = {FZ_NV(":status", "103")};
  static const h2w_data_source noread = {NULL, NULL, NULL};
  static const uint8_t past[14] = {1, 0, 0, 0, 50, 0,   0,
                                   0, 1, 0, 0, 0,  'x', '1'};
  const uint8_t *origins[1] = {fz_origin_a};
  size_t lens[1] = {sizeof fz_origin_a - 1};
  h2w_settings_entry out[2];
  h2w_event_batch batch;
  h2w_data_source ds;
  h2w_mem_source ms;
  h2w_nvset *set = NULL;
  h2w_nv nv = FZ_NV(":status", "200");
  const uint8_t *data = NULL;
  char buf[600];
  size_t i, len = 0;
  int u = 0, inc = 0, rv;
  const int bad = H2W_E_INVALID_ARGUMENT;
  h2w_session *s = f->s;
  if (h2w_session_submit_request(NULL, &nv, 1, NULL, NULL) != bad ||
      h2w_session_submit_response(NULL, id, &nv, 1, NULL) != bad ||
      h2w_session_submit_response_set(s, id, NULL, NULL) == H2W_OK ||
      h2w_session_submit_informational(NULL, id, &nv, 1) != bad ||
      h2w_session_submit_push_promise(NULL, id, &nv, 1, NULL) != bad ||
      h2w_session_submit_push_promise(s, id, NULL, 0, NULL) >= 0 ||
      h2w_session_submit_trailers(NULL, id, &nv, 1) != bad ||
      h2w_session_resume_data(NULL, id) != bad ||
      h2w_session_submit_rst_stream(NULL, id, 0) != bad ||
      h2w_session_submit_ping(NULL, NULL) != bad ||
      h2w_session_submit_settings(NULL, &iws, 1) != bad ||
      h2w_session_submit_settings(s, NULL, 1) == H2W_OK ||
      h2w_session_submit_window_update(NULL, 0, 1) != bad ||
      h2w_session_consume(NULL, id, 1) != bad ||
      h2w_session_submit_goaway(NULL, 0, NULL, 0) != bad ||
      h2w_session_shutdown(NULL) != bad ||
      h2w_priority_parse(NULL, 1, &u, &inc) != bad ||
      h2w_session_submit_priority_update(NULL, 1, "u=1", 3) != bad ||
      h2w_session_submit_priority_update(s, 1, NULL, 3) == H2W_OK ||
      h2w_session_set_stream_priority(NULL, id, 1, 0) != bad ||
      h2w_session_stream_priority(NULL, id, &u, &inc) != bad ||
      h2w_session_submit_altsvc(NULL, 0, NULL, 0, NULL, 0) != bad ||
      h2w_session_submit_origin(NULL, origins, lens, 1) != bad ||
      h2w_session_submit_origin(s, NULL, NULL, 1) == H2W_OK ||
      h2w_session_submit_extension(NULL, 0x20, 0, 0, NULL, 0) != bad ||
      h2w_session_submit_extension(s, 0x20, 0, 0, NULL, 1) == H2W_OK ||
      h2w_session_set_stream_user_data(NULL, id, NULL) != bad ||
      h2w_session_get_stream_user_data(NULL, id) != NULL ||
      h2w_session_foreach_stream(NULL, fz_visit, f) != bad ||
      h2w_session_foreach_stream(s, NULL, f) == H2W_OK ||
      h2w_session_stream_state(NULL, id) != bad ||
      h2w_session_window(NULL, id, NULL, NULL) != bad ||
      h2w_session_flow_estimate(NULL, NULL) != bad ||
      h2w_session_flow_estimate(s, NULL) == H2W_OK ||
      h2w_session_setting(NULL, 0, 1, NULL) != bad ||
      h2w_session_setting(s, H2W_SETTINGS_LOCAL, 1, NULL) == H2W_OK ||
      h2w_session_is_server(NULL) != 0 ||
      h2w_session_last_submit_error(NULL, NULL, NULL) != bad ||
      h2w_session_recv(NULL, NULL, 0) != bad ||
      h2w_session_send(NULL, NULL, 0) != bad ||
      h2w_session_peek(NULL, &data) != bad || h2w_session_ack(NULL, 0) != bad ||
      h2w_session_eof(NULL) != bad || h2w_session_tick(NULL, 0) != bad ||
      h2w_session_next_deadline(NULL) != UINT64_MAX ||
      h2w_session_want_read(NULL) != 0 || h2w_session_want_write(NULL) != 0 ||
      h2w_session_upgrade(NULL, NULL, 0, 0, NULL) != bad ||
      h2w_session_upgrade(s, NULL, 1, 0, NULL) == H2W_OK ||
      h2w_session_upgrade_settings(NULL, buf, sizeof buf) != bad ||
      h2w_session_dump_json(NULL, buf, sizeof buf, &len) != bad ||
      h2w_session_set_events(NULL, H2W_EVENTS_ON, 0) != bad ||
      h2w_session_set_events(s, 0x80, 0) == H2W_OK ||
      h2w_session_events(NULL, NULL, NULL, NULL, NULL) != bad ||
      h2w_session_events(s, NULL, NULL, NULL, NULL) != H2W_E_INVALID_STATE ||
      h2w_session_events_clear(NULL) != bad ||
      h2w_session_events_clear(s) != H2W_E_INVALID_STATE ||
      h2w_session_recv_events(NULL, NULL, 0, &batch) != bad ||
      h2w_session_recv_events(s, NULL, 0, NULL) != bad ||
      h2w_session_recv_events(s, NULL, 0, &batch) != H2W_E_INVALID_STATE ||
      h2w_session_submit_request_packed(NULL, NULL, 0, NULL, 0, 0, NULL) !=
          bad ||
      h2w_session_submit_response_packed(NULL, id, NULL, 0, NULL, 0, 0) !=
          bad ||
      h2w_session_set_data_range(NULL, id, NULL, 0, 0) != bad ||
      h2w_session_data_range_left(NULL, id) != bad ||
      h2w_nvset_new(NULL, &nv, 1, H2W_NVSET_RESPONSE, NULL) != bad ||
      h2w_nvset_new(&set, &nv, 1, 0, NULL) != bad ||
      h2w_nvset_new(&set, &nv, 1, H2W_NVSET_RESPONSE, NULL) != H2W_OK ||
      h2w_nvset_count(NULL) != 0 ||
      h2w_data_source_mem(NULL, &ms, NULL, 0, 0) != bad ||
      h2w_data_source_mem(&ds, &ms, fz_big, 1, 0x80) != bad ||
      h2w_session_memory(NULL) != 0) {
    abort();
  }
  h2w_nvset_del(set);
  h2w_nvset_del(NULL);
  /* SETTINGS names (RFC 9113 §6.5.2, RFC 8441, RFC 9218), unknown ids
   * included; more entries than one submit takes; body sources without
   * a read(); consume without manual flow control, or more than
   * delivered; response sets that are not a final response. */
  for (i = 0; i < 12; i++) {
    const char *name = h2w_settings_name((uint16_t)(i < 10 ? i : 0x99 + i));
    if (name == NULL || name[0] == 0) {
      abort();
    }
  }
  if (h2w_session_submit_settings(s, iv70, 17) == H2W_OK ||
      h2w_session_submit_request(s, get, 4, &noread, NULL) > 0 ||
      h2w_session_submit_response(s, id, &nv, 1, &noread) == H2W_OK ||
      h2w_session_consume(s, 0, SIZE_MAX) == H2W_OK ||
      h2w_nvset_new(&set, upper, 2, H2W_NVSET_RESPONSE, NULL) != bad ||
      h2w_nvset_new(&set, upper + 1, 1, H2W_NVSET_RESPONSE, NULL) != bad ||
      h2w_nvset_new(&set, early, 1, H2W_NVSET_RESPONSE, NULL) != bad) {
    abort();
  }
  /* Packed lists that are not one (h2wire.h, "Packed header lists"): too
   * short, no field, a length past the end; a range flag unknown or
   * without a body. */
  if (h2w_session_submit_response_packed(s, id, NULL, 0, NULL, 0, 0) != bad ||
      h2w_session_submit_response_packed(s, id, nofield, 3, NULL, 0, 0) !=
          bad ||
      h2w_session_submit_response_packed(s, id, nofield, 4, NULL, 0, 0) !=
          bad ||
      h2w_session_submit_request_packed(s, past, sizeof past, NULL, 0, 0,
                                        NULL) != bad ||
      h2w_session_submit_request_packed(s, past, sizeof past, fz_big, 1, 0x80u,
                                        NULL) != bad ||
      h2w_session_submit_response_packed(s, id, past, sizeof past, NULL, 0,
                                         H2W_RANGE_MORE) != bad) {
    abort();
  }
  /* Event mode cannot be switched from inside a callback (not even off,
   * which outside one is a no-op when it is off already). */
  rv = h2w_session_set_events(s, 0, 0);
  if ((rv != H2W_OK && rv != H2W_E_INVALID_STATE) ||
      (f->outside && rv != H2W_OK)) {
    abort();
  }
  /* HTTP2-Settings (RFC 7540 §3.2.1): padded, 65 entries, a 1-entry
   * array for 2, ENABLE_PUSH 2, 70 entries to encode. */
  memset(buf, 'A', sizeof buf);
  if (h2w_http2_settings_decode("AAMAAABk==", 10, out, 2) != H2W_E_PROTOCOL ||
      h2w_http2_settings_decode("AAMAAABk=", 9, out, 2) != H2W_E_PROTOCOL ||
      h2w_http2_settings_decode(buf, 520, out, 2) != H2W_E_BUFFER_TOO_SMALL ||
      h2w_http2_settings_decode("AAMAAABkAAQAAAAK", 16, out, 1) !=
          H2W_E_BUFFER_TOO_SMALL ||
      h2w_http2_settings_decode("AAIAAAAC", 8, out, 2) != H2W_E_PROTOCOL ||
      h2w_http2_settings_decode("AA-_AAAB", 8, out, 2) != 1 ||
      (f->server && h2w_session_upgrade(s, NULL, 0, 0, NULL) == H2W_OK) ||
      h2w_http2_settings_decode(NULL, 1, out, 2) != bad ||
      h2w_http2_settings_encode(iv70, 70, buf, sizeof buf) != bad ||
      h2w_http2_settings_encode(&iws, 1, buf, 3) != H2W_E_BUFFER_TOO_SMALL) {
    abort();
  }
  for (i = 0; i < 2; i++) {
    (void)h2w_session_stream_priority(s, id + (uint32_t)i, NULL, NULL);
  }
}

/* Calls the contract refuses (NULL session or outputs, field lists that
 * break RFC 9113 §8 rules, out-of-range values): each fails, and
 * fz_after sees nothing change in the session's memory. The getters with
 * every output also agree with the session. */
static void fz_api_bad(fz *f, uint32_t id, uint32_t r) {
  static const h2w_nv bad[8][2] = {
      {FZ_NV(":method", "GET"), FZ_NV("X-Upper", "1")},
      {FZ_NV(":status", "200"), FZ_NV("connection", "close")},
      {FZ_NV(":path", "/"), FZ_NV(":method", "GET")},
      {FZ_NV(":status", "103"), FZ_NV("x", "1")},
      {FZ_NV(":status", "200"), FZ_NV("x", "a\nb")},
      {FZ_NV(":status", "2000"), FZ_NV("te", "gzip")},
      {FZ_NV("x", "1"), FZ_NV(":status", "200")},
      {FZ_NV(":bogus", "1"), FZ_NV("", "empty")}};
  static const h2w_settings_entry badset[4] = {
      {H2W_SETTINGS_ENABLE_PUSH, 0, 2},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0x80000000u},
      {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 100},
      {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 16777216}};
  static const h2w_nv noslash[4] = {
      FZ_NV(":method", "GET"), FZ_NV(":scheme", "https"),
      FZ_NV(":authority", "example.org"), FZ_NV(":path", "x")};
  const h2w_nv *nv = bad[r % 8u];
  h2w_nv nulls = {NULL, 3, NULL, 0, 0};
  uint32_t wire = 0;
  uint64_t off = 0;
  const char *reason = NULL;
  int32_t rw, sw;
  uint32_t v;
  (void)h2w_session_error(f->s, &wire, &reason, &off);
  fz_api_args(f, id);
  if (h2w_session_error(NULL, NULL, NULL, NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_session_memory(NULL) != 0 || h2w_session_open_streams(NULL) != 0 ||
      h2w_session_shrink(NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_session_setting(f->s, 7, H2W_SETTINGS_MAX_FRAME_SIZE, &v) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_setting(f->s, H2W_SETTINGS_LOCAL, 0x99, &v) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_submit_settings(f->s, &badset[(r >> 3) % 4u], 1) == H2W_OK ||
      h2w_session_submit_window_update(f->s, id, 0) == H2W_OK ||
      h2w_session_submit_window_update(f->s, 0, 0x80000000u) == H2W_OK ||
      h2w_session_submit_goaway(f->s, H2W_NO_ERROR, NULL, 4) == H2W_OK ||
      h2w_session_submit_rst_stream(f->s, 0, H2W_CANCEL) == H2W_OK ||
      h2w_session_submit_trailers(f->s, id, NULL, 0) == H2W_OK ||
      h2w_session_submit_informational(f->s, id, NULL, 0) == H2W_OK) {
    abort();
  }
  if (f->server &&
      (h2w_session_submit_response(f->s, id, NULL, 0, NULL) == H2W_OK ||
       h2w_session_submit_request(f->s, nv, 2, NULL, NULL) > 0)) {
    abort();
  }
  if (!f->server &&
      (h2w_session_submit_request(f->s, NULL, 0, NULL, NULL) > 0 ||
       h2w_session_submit_response(f->s, id, nv, 2, NULL) == H2W_OK)) {
    abort();
  }
  if (f->flags & 0x2) {
    return; /* validation off: the field lists are not checked */
  }
  /* Every list breaks a rule of each kind (bad[3] is a fine 103). */
  if (h2w_session_submit_trailers(f->s, id, nv, 2) == H2W_OK ||
      (r % 8u != 3 &&
       h2w_session_submit_informational(f->s, id, nv, 2) == H2W_OK) ||
      h2w_session_submit_informational(f->s, id, &nulls, 1) == H2W_OK) {
    abort();
  }
  if (f->server &&
      (h2w_session_submit_response(f->s, id, nv, 2, NULL) == H2W_OK ||
       h2w_session_submit_push_promise(f->s, id, nv, 2, NULL) > 0)) {
    abort();
  }
  if (!f->server &&
      (h2w_session_submit_request(f->s, nv, 2, NULL, NULL) > 0 ||
       h2w_session_submit_request(f->s, &nulls, 1, NULL, NULL) > 0)) {
    abort();
  }
  /* Lists refused only once whole (RFC 9113 §8.3): a final :status in
   * a 1xx, a 1xx as the final response, a :path without '/' (the field
   * is named), a request without :scheme (none is). */
  if (f->server &&
      (h2w_session_submit_informational(f->s, id, &bad[1][0], 1) == H2W_OK ||
       h2w_session_submit_response(f->s, id, &bad[3][0], 1, NULL) == H2W_OK)) {
    abort();
  }
  if (!f->server &&
      (h2w_session_submit_request(f->s, noslash, 4, NULL, NULL) > 0 ||
       h2w_session_submit_request(f->s, noslash, 3, NULL, NULL) > 0 ||
       h2w_session_submit_request(f->s, noslash + 1, 3, NULL, NULL) > 0)) {
    abort();
  }
  if (h2w_session_window(f->s, id, &rw, &sw) == H2W_OK && id != 0 &&
      h2w_session_stream_state(f->s, id) < 0) {
    abort();
  }
}

/* Outside callbacks shrink works, gives back memory, and changes nothing
 * else; inside, fz_refused checks that it is refused. */
static void fz_api_shrink(fz *f) {
  size_t mem = h2w_session_memory(f->s);
  int err = h2w_session_error(f->s, NULL, NULL, NULL);
  int ww = h2w_session_want_write(f->s);
  int rv = h2w_session_shrink(f->s);
  if (!f->outside) {
    return;
  }
  if (rv != H2W_OK || h2w_session_memory(f->s) > mem ||
      h2w_session_error(f->s, NULL, NULL, NULL) != err ||
      h2w_session_want_write(f->s) != ww) {
    abort();
  }
}

/* One call of the rest of the API, chosen by param & 7 (by the rng when
 * param comes from a body source's probe, 0xe8 | verdict, or is 0xe8 and
 * up from an op); its arguments from the rng. */
static void fz_api(fz *f, uint8_t param, uint32_t id) {
  uint32_t r = fz_rand(f);
  unsigned k = (param & 0xf0) == 0xe0 ? r >> 29 : param & 7u;
  switch (k) {
  case 0:
    fz_api_altsvc(f, id, r);
    break;
  case 1:
    fz_api_origin(f, r);
    break;
  case 2:
    fz_api_extension(f, id, r);
    break;
  case 3:
    fz_api_priority(f, id, r);
    break;
  case 4:
    if (r & 0x40000000u) {
      fz_api_bad(f, id, r);
    } else {
      fz_api_set_priority(f, id, r);
    }
    break;
  case 5:
    fz_api_packed(f, id, r, 0);
    break;
  case 6:
    fz_api_packed(f, id, r, 1);
    break;
  default:
    if (r & 1) {
      fz_api_range(f, id, r);
    } else {
      fz_api_shrink(f);
    }
    break;
  }
}

#endif

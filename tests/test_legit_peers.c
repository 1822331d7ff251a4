/* Issue 15 §1: no abuse limit may cut off a legitimate peer. Each test
 * plays the pattern a real peer produces against the heuristic that
 * watches for its abusive neighbour, at ten times the rate the real peer
 * produces it (or with no clock at all, where the heuristic must not
 * depend on time), and expects the connection to finish its work with no
 * GOAWAY. docs/limits.md has the table: heuristic, the legitimate
 * behaviour it tolerates, the rate assumed, and the test here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"

/* ---- the peer's view of our output -------------------------------------
 */

#define MAX_IDS 64

/* What a peer parsing our output frame by frame sees. Frames may be cut
 * across send() calls, so octets wait in `buf` until a frame is whole. */
typedef struct wire {
  uint8_t *buf;
  size_t len, cap;
  uint64_t got[MAX_IDS];   /* DATA payload per stream (id / 2), low ids */
  int ended[MAX_IDS];      /* END_STREAM seen */
  uint32_t min_frame;      /* smallest DATA payload, END_STREAM ones apart */
  unsigned long frames;    /* DATA frames */
  unsigned long goaways;   /* GOAWAY frames */
  unsigned long rsts;      /* RST_STREAM frames */
  unsigned long ping_acks; /* PING ACKs */
} wire;

static void wire_init(wire *w) {
  memset(w, 0, sizeof *w);
  w->min_frame = UINT32_MAX;
}

static void wire_free(wire *w) {
  free(w->buf);
}

static uint32_t get24(const uint8_t *p) {
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t get31(const uint8_t *p) {
  return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
          p[3]) &
         0x7fffffffu;
}

static void wire_frame(wire *w, const uint8_t *f, uint32_t len) {
  uint8_t type = f[3], flags = f[4];
  uint32_t id = get31(f + 5);
  if (type == ATK_DATA) {
    w->frames++;
    if (id / 2 < MAX_IDS) {
      w->got[id / 2] += len;
    }
    if (flags & 0x1) {
      w->ended[id / 2 % MAX_IDS] = 1;
    } else if (len < w->min_frame) {
      w->min_frame = len;
    }
  } else if (type == ATK_GOAWAY) {
    w->goaways++;
  } else if (type == ATK_RST_STREAM) {
    w->rsts++;
  } else if (type == ATK_PING && (flags & 0x1)) {
    w->ping_acks++;
  }
}

/* Take everything the session has to send and account for it. */
static void drain(tpeer *p, wire *w) {
  uint8_t chunk[32768];
  size_t off = 0;
  for (;;) {
    h2w_ssize n = h2w_session_send(p->s, chunk, sizeof chunk);
    assert_true(n >= 0);
    if (n == 0) {
      break;
    }
    if (w->cap - w->len < (size_t)n) {
      w->cap = w->len + (size_t)n + 65536;
      w->buf = realloc(w->buf, w->cap);
      assert_non_null(w->buf);
    }
    memcpy(w->buf + w->len, chunk, (size_t)n);
    w->len += (size_t)n;
  }
  while (w->len - off >= 9 && w->len - off >= 9 + get24(w->buf + off)) {
    uint32_t len = get24(w->buf + off);
    wire_frame(w, w->buf + off, len);
    off += 9 + len;
  }
  if (off > 0) {
    memmove(w->buf, w->buf + off, w->len - off);
    w->len -= off;
  }
}

static void expect_no_goaway(tpeer *p, const wire *w) {
  assert_int_equal(h2w_session_error(p->s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(w->goaways, 0);
}

/* A server that admits `n` concurrent streams (row 15 is not under test
 * here), with the default abuse limits. */
static void server(tpeer *s, void **state, uint32_t n) {
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, n), H2W_OK);
  atk_server(s, tmode(state), opt);
  h2w_options_del(opt);
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS | TEV_CLOSE |
             TEV_DATA | TEV_SETTINGS | TEV_END | TEV_RESET | TEV_SETTINGS_ACK;
}

/* server() with the wire view and frame builder every test uses; undone
 * by close_server(). */
static void open_server(tpeer *s, void **state, uint32_t n, wire *w,
                        h2w_fb *b) {
  server(s, state, n);
  wire_init(w);
  h2w_fb_init(b);
}

static void close_server(tpeer *s, wire *w, h2w_fb *b) {
  h2w_fb_free(b);
  wire_free(w);
  tpeer_free(s);
}

/* Answer the request on `id` with a bodiless 200 and take the output. */
static void respond_200(tpeer *s, uint32_t id, wire *w) {
  h2w_nv nv[2];
  assert_int_equal(
      h2w_session_submit_response(s->s, id, nv, tnv(nv, 2, RESP_200), NULL),
      H2W_OK);
  drain(s, w);
}

/* GET on `id`, answered with `len` generated octets. */
static void get_and_respond(tpeer *s, h2w_fb *b, uint32_t id, atk_gen *gen,
                            uint64_t len) {
  h2w_data_source ds;
  h2w_nv nv[2];
  tpeer_fb_headers(s, b, id, 0x1, GET_REQ);
  tpeer_feed_ok(s, b);
  ds = atk_gen_source(gen, len);
  assert_int_equal(
      h2w_session_submit_response(s->s, id, nv, tnv(nv, 2, RESP_200), &ds),
      H2W_OK);
}

static void set_stream_window(h2w_fb *b, uint32_t window) {
  h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, window};
  h2w_fb_settings(b, 0, &iv, 1);
}

/* ---- WINDOW_UPDATE dribble (docs/security.md row 7)
 * --------------------------
 */

/* node (nghttp2 underneath) with a stream window of 100, 500 or 1000
 * octets downloading 1 MB: it returns window once half of it is consumed,
 * so every update is 50-500 octets and the window never exceeds 1000.
 * The session is never ticked: no refill at all, which is stricter than
 * any rate. Before issue 15 this ended with GOAWAY ENHANCE_YOUR_CALM
 * "too many tiny WINDOW_UPDATEs" after about 1000 updates. */
static void node_download(void **state, uint32_t window) {
  tpeer s;
  h2w_fb b;
  wire w;
  atk_gen gen;
  uint64_t total = 1000000, stream_due = 0, conn_due = 0, seen = 0;
  open_server(&s, state, 100, &w, &b);
  set_stream_window(&b, window);
  tpeer_feed_ok(&s, &b);
  get_and_respond(&s, &b, 1, &gen, total);
  while (!w.ended[0]) {
    drain(&s, &w);
    expect_no_goaway(&s, &w);
    stream_due += w.got[0] - seen;
    conn_due += w.got[0] - seen;
    seen = w.got[0];
    /* nghttp2_should_send_window_update(): 2 * consumed >= window. */
    if (2 * stream_due >= window && !w.ended[0]) {
      h2w_fb_window_update(&b, 1, (uint32_t)stream_due);
      stream_due = 0;
    }
    if (2 * conn_due >= 65535) {
      h2w_fb_window_update(&b, 0, (uint32_t)conn_due);
      conn_due = 0;
    }
    if (b.len == 0 && !w.ended[0]) {
      fail_msg("stalled at %llu of %llu octets", (unsigned long long)seen,
               (unsigned long long)total);
    }
    tpeer_feed_ok(&s, &b);
  }
  assert_int_equal(w.got[0], total);
  expect_no_goaway(&s, &w);
  /* The window is sent as it comes: at least half of it per frame. */
  assert_true(w.min_frame >= window / 2);
  close_server(&s, &w, &b);
}

static void test_window_dribble_node_100(void **state) {
  node_download(state, 100);
}

static void test_window_dribble_node_500(void **state) {
  node_download(state, 500);
}

static void test_window_dribble_node_1000(void **state) {
  node_download(state, 1000);
}

/* Go 1.19's server reading a request body `step` octets per Read: it
 * returns a stream and a connection WINDOW_UPDATE of `step` for every
 * Read, each in its own write, and its windows are 1 MiB. Here the roles
 * are mirrored (our server sends, the peer reads), which is the same
 * send path. Every update is fed on its own and our output taken after
 * each, the worst case for coalescing; connection update first, then
 * the other way round. No tick: no refill. */
static void go_reader(void **state, uint32_t step, uint64_t total,
                      int stream_first) {
  tpeer s;
  h2w_fb b;
  wire w;
  atk_gen gen;
  uint64_t read = 0;
  open_server(&s, state, 100, &w, &b);
  set_stream_window(&b, 1u << 20);
  h2w_fb_window_update(&b, 0, (1u << 20) - 65535u);
  tpeer_feed_ok(&s, &b);
  get_and_respond(&s, &b, 1, &gen, total);
  drain(&s, &w);
  while (read < total) {
    uint32_t n = (uint32_t)(w.got[0] - read < step ? w.got[0] - read : step);
    if (n == 0) {
      fail_msg("stalled at %llu of %llu octets", (unsigned long long)read,
               (unsigned long long)total);
    }
    read += n;
    if (stream_first && !w.ended[0]) {
      h2w_fb_window_update(&b, 1, n);
      tpeer_feed_ok(&s, &b);
      drain(&s, &w);
    }
    h2w_fb_window_update(&b, 0, n);
    tpeer_feed_ok(&s, &b);
    drain(&s, &w);
    if (!stream_first && !w.ended[0]) {
      h2w_fb_window_update(&b, 1, n);
      tpeer_feed_ok(&s, &b);
      drain(&s, &w);
    }
    expect_no_goaway(&s, &w);
  }
  assert_int_equal(w.got[0], total);
  assert_true(w.ended[0]);
  /* Held until 16 KiB had accumulated, so about one frame per 16 KiB:
   * a frame cut to fit the room left in our 32 KiB send buffer leaves
   * the rest of its window for one more, never one per update. */
  if (w.frames > 2 * (total / 16384) + 2) {
    fail_msg("%lu DATA frames for %llu octets", w.frames,
             (unsigned long long)total);
  }
  close_server(&s, &w, &b);
}

static void test_window_dribble_go_512(void **state) {
  go_reader(state, 512, 2u << 20, 0);
  go_reader(state, 512, 2u << 20, 1);
}

/* A handler that reads one octet at a time is slow, not hostile: two
 * 1-octet updates per octet read, every one of them held. */
static void test_window_dribble_go_1(void **state) {
  go_reader(state, 1, 256u << 10, 0);
  go_reader(state, 1, 256u << 10, 1);
}

/* A peer that shrinks its window with SETTINGS while we are held must
 * not leave us waiting for a threshold it can no longer reach: the
 * threshold follows the window it now offers (RFC 9113 §6.9.2). */
static void test_window_dribble_shrunk_window(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  atk_gen gen;
  uint64_t total = 200000, seen = 0, due = 0;
  open_server(&s, state, 100, &w, &b);
  h2w_fb_window_update(&b, 0, 1u << 24);
  tpeer_feed_ok(&s, &b);
  get_and_respond(&s, &b, 1, &gen, total);
  drain(&s, &w);
  assert_int_equal(w.got[0], 65535);
  /* 1000 octets back: held (under 16384), nothing sent. */
  h2w_fb_window_update(&b, 1, 1000);
  tpeer_feed_ok(&s, &b);
  drain(&s, &w);
  assert_int_equal(w.got[0], 65535);
  /* Now a 2000-octet window: 1000 - 63535 left, so the peer returns all
   * it read, 65535 in 1000-octet steps, half its new window each. */
  set_stream_window(&b, 2000);
  tpeer_feed_ok(&s, &b);
  seen = w.got[0];
  due = 65535 - 1000;
  while (!w.ended[0]) {
    due += w.got[0] - seen;
    seen = w.got[0];
    if (due >= 1000) {
      h2w_fb_window_update(&b, 1, (uint32_t)due);
      due = 0;
    } else if (!w.ended[0]) {
      fail_msg("stalled at %llu octets", (unsigned long long)seen);
    }
    tpeer_feed_ok(&s, &b);
    drain(&s, &w);
    expect_no_goaway(&s, &w);
  }
  assert_int_equal(w.got[0], total);
  close_server(&s, &w, &b);
}

/* nghttp -w 10 -W 14: a 1023-octet stream window announced in SETTINGS
 * and a connection window cut to 16383 without telling us (nghttp2 just
 * returns less until the 65535 we were given is used up, RFC 9113
 * §6.9.2 has no SETTINGS for it). It returns the connection window once
 * 8192 octets are consumed. A hold-back threshold derived from the
 * 65535 we were first given would wait for 16384 octets that never come:
 * connection windows are never held. */
static void test_window_dribble_conn_shrunk(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  atk_gen gen;
  uint64_t total = 1000000, stream_due = 0, conn_back = 0, seen = 0;
  const uint64_t kept = 65535 - 16383; /* never returned */
  open_server(&s, state, 100, &w, &b);
  set_stream_window(&b, 1023);
  tpeer_feed_ok(&s, &b);
  get_and_respond(&s, &b, 1, &gen, total);
  while (!w.ended[0]) {
    drain(&s, &w);
    expect_no_goaway(&s, &w);
    stream_due += w.got[0] - seen;
    seen = w.got[0];
    if (2 * stream_due >= 1023 && !w.ended[0]) {
      h2w_fb_window_update(&b, 1, (uint32_t)stream_due);
      stream_due = 0;
    }
    /* The first `kept` octets are never returned; the rest once half of
     * the 16383-octet window is consumed (nghttp2's rule). */
    if (seen > kept && 2 * (seen - kept - conn_back) >= 16383) {
      h2w_fb_window_update(&b, 0, (uint32_t)(seen - kept - conn_back));
      conn_back = seen - kept;
    }
    if (b.len == 0 && !w.ended[0]) {
      fail_msg("stalled at %llu of %llu octets", (unsigned long long)seen,
               (unsigned long long)total);
    }
    tpeer_feed_ok(&s, &b);
  }
  assert_int_equal(w.got[0], total);
  expect_no_goaway(&s, &w);
  close_server(&s, &w, &b);
}

/* ---- the other heuristics, at ten times a real peer's rate -------------
 */

/* Frames on streams we closed (glitch budget): RFC 9113 §5.1 lets
 * WINDOW_UPDATE and RST_STREAM arrive "for a short period" after our
 * END_STREAM. A real client sends at most one such frame per request (a
 * cancel that crossed our last frame, or a stream window update for the
 * data it just read), and we take its 10 requests a second as the real
 * rate. Ten times that: 100 requests a second, each followed by a late
 * WINDOW_UPDATE or RST_STREAM, for two minutes of the caller's clock. */
static void test_legit_late_frames_on_closed_streams(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  uint32_t sec, i, id = 1;
  open_server(&s, state, 1000, &w, &b);
  for (sec = 1; sec <= 120; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 100; i++, id += 2) {
      tpeer_fb_headers(&s, &b, id, 0x1, GET_REQ);
      tpeer_feed_ok(&s, &b);
      respond_200(&s, id, &w);
      if (i % 2) {
        h2w_fb_window_update(&b, id, 100);
      } else {
        h2w_fb_rst_stream(&b, id, H2W_CANCEL);
      }
      tpeer_feed_ok(&s, &b);
    }
    expect_no_goaway(&s, &w);
  }
  close_server(&s, &w, &b);
}

/* PING (control queue cap, docs/security.md row 1): gRPC's BDP estimator and
 * keepalives have at most a few PINGs outstanding; a peer that reads our
 * output is never cut off however many it sends. Ten times a real
 * client: 100 PINGs in one read, then our output taken, 100 times over
 * (10,000 PINGs, ten times the cap), plus SETTINGS frames likewise. */
static void test_legit_pings_drained(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  uint32_t round, i;
  open_server(&s, state, 100, &w, &b);
  for (round = 0; round < 100; round++) {
    for (i = 0; i < 100; i++) {
      h2w_fb_ping(&b, 0, (uint64_t)round * 100 + i);
    }
    h2w_fb_settings(&b, 0, NULL, 0);
    tpeer_feed_ok(&s, &b);
    drain(&s, &w);
    expect_no_goaway(&s, &w);
  }
  assert_int_equal(w.ping_acks, 10000);
  close_server(&s, &w, &b);
}

/* RST_STREAM received (reset budget, docs/security.md row 9): a browser
 * cancels requests as the user navigates or scrolls, a few a second.
 * Ten times three a second, for five minutes, with each cancelled
 * stream having been answered in part. */
static void test_legit_cancels(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  atk_gen gen;
  uint32_t sec, i, id = 1;
  open_server(&s, state, 1000, &w, &b);
  for (sec = 1; sec <= 300; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 30; i++, id += 2) {
      get_and_respond(&s, &b, id, &gen, 100000);
      drain(&s, &w);
      h2w_fb_rst_stream(&b, id, H2W_CANCEL);
      h2w_fb_window_update(&b, 0, 65535);
      tpeer_feed_ok(&s, &b);
      drain(&s, &w);
    }
    expect_no_goaway(&s, &w);
  }
  close_server(&s, &w, &b);
}

/* Empty DATA without END_STREAM (glitch budget, docs/security.md row 4): a
 * streaming client may flush an empty frame now and then (an empty write
 * on a stream); a real one does so at most a few times a second. Ten
 * times five a second, for ten minutes. */
static void test_legit_empty_data(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  uint32_t sec, i;
  open_server(&s, state, 100, &w, &b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  for (sec = 1; sec <= 600; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 50; i++) {
      h2w_fb_data(&b, 1, 0, "");
      h2w_fb_data(&b, 1, 0, "x");
    }
    tpeer_feed_ok(&s, &b);
    drain(&s, &w);
    expect_no_goaway(&s, &w);
  }
  close_server(&s, &w, &b);
}

/* PRIORITY frames (glitch budget, docs/security.md row 8): Firefox opened
 * with five PRIORITY frames building its dependency tree and sent one
 * per reprioritisation (a tab switch), a handful a second at most. Ten
 * times: 50 at the start, then 50 a second for ten minutes, with a
 * request now and then. */
static void test_legit_priority_frames(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  uint32_t sec, i, id = 1;
  open_server(&s, state, 1000, &w, &b);
  for (sec = 1; sec <= 600; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 50; i++) {
      h2w_fb_hd(&b, 5, ATK_PRIORITY, 0, 2001 + 2 * i);
      h2w_fb_u32(&b, 0);
      h2w_fb_u8(&b, 15);
    }
    tpeer_fb_headers(&s, &b, id, 0x1, GET_REQ);
    id += 2;
    tpeer_feed_ok(&s, &b);
    drain(&s, &w);
    expect_no_goaway(&s, &w);
  }
  close_server(&s, &w, &b);
}

/* DATA in flight on a stream we reset (glitch budget, "frames on closed
 * streams"): a server that refuses an upload part-way (RFC 9113 §8.1: an
 * early response, then RST_STREAM) still receives what the client had
 * already sent, up to the stream window: four 16 KiB frames for a 64 KiB
 * window (65535 octets). Take two refused uploads a second as the real rate;
 * ten times that for 30 s of the caller's clock (2400 frames, more than
 * twice the burst) is 80 late frames a second. */
static void test_legit_inflight_data_after_reset(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  static uint8_t chunk[16384];
  uint32_t sec, i, k, id = 1;
  h2w_nv nv[2];
  open_server(&s, state, 1000, &w, &b);
  for (sec = 1; sec <= 30; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 20; i++, id += 2) {
      tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
      tpeer_feed_ok(&s, &b);
      assert_int_equal(
          h2w_session_submit_response(s.s, id, nv, tnv(nv, 2, RESP_200), NULL),
          H2W_OK);
      assert_int_equal(h2w_session_submit_rst_stream(s.s, id, H2W_NO_ERROR),
                       H2W_OK);
      drain(&s, &w);
      for (k = 0; k < 4; k++) {
        uint32_t n = k < 3 ? 16384 : 16383; /* 65535 in all */
        h2w_fb_hd(&b, n, ATK_DATA, 0, id);
        h2w_fb_bytes(&b, chunk, n);
      }
      tpeer_feed_ok(&s, &b);
      drain(&s, &w);
    }
    expect_no_goaway(&s, &w);
  }
  close_server(&s, &w, &b);
}

/* A client streaming an upload in small DATA frames (100 octets: a
 * chunked producer flushing each write) has up to 655 of them in flight
 * in a 64 KiB stream window when we reset the stream. Those frames are
 * bounded by the window we granted (RFC 9113 §6.9), so they are not
 * glitches: before the fix each cost a token and the second reset in a
 * row ended the connection ("too many frames on closed streams"). The
 * session is never ticked: no refill at all. Four uploads in a row. */
static void test_legit_small_frames_after_reset(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  static uint8_t chunk[100];
  uint32_t i, k, id;
  open_server(&s, state, 100, &w, &b);
  for (i = 0, id = 1; i < 4; i++, id += 2) {
    tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
    tpeer_feed_ok(&s, &b);
    assert_int_equal(h2w_session_submit_rst_stream(s.s, id, H2W_CANCEL),
                     H2W_OK);
    drain(&s, &w);
    for (k = 0; k < 655; k++) { /* 65500 of the 65535 octets granted */
      h2w_fb_hd(&b, sizeof chunk, ATK_DATA, 0, id);
      h2w_fb_bytes(&b, chunk, sizeof chunk);
    }
    tpeer_feed_ok(&s, &b);
    drain(&s, &w);
    expect_no_goaway(&s, &w);
  }
  close_server(&s, &w, &b);
}

/* A request body crossing our GOAWAY (glitch budget, "frames on closed
 * streams"; the differential finding kept as
 * fuzz/corpus/diff_server/regress_glitch_budget_body_crossing_own_goaway):
 * the server sends GOAWAY NO_ERROR before any request arrives (last
 * stream id 0); nghttp2 as the client, not having read it yet, sends a
 * request whose 1000-octet body its application produced an octet at a
 * time: HEADERS, 1000 one-octet DATA frames, trailers. RFC 9113 §6.8
 * has us ignore all of it, but the client cannot know before the GOAWAY
 * reaches it, and flow control bounds the DATA (§6.9), as after our
 * RST_STREAM. Ten such requests; the session is never ticked: no refill.
 * Before the fix the 1,001st ignored frame ended the connection with
 * GOAWAY ENHANCE_YOUR_CALM. */
static void test_legit_body_crossing_our_goaway(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  uint32_t i, k, id;
  open_server(&s, state, 100, &w, &b);
  assert_int_equal(h2w_session_submit_goaway(s.s, H2W_NO_ERROR, NULL, 0),
                   H2W_OK);
  drain(&s, &w);
  assert_int_equal(w.goaways, 1);
  for (i = 0, id = 1; i < 10; i++, id += 2) {
    tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
    for (k = 0; k < 1000; k++) {
      h2w_fb_data(&b, id, 0, "x");
    }
    tpeer_fb_headers(&s, &b, id, 0x1, H("x-checksum", "0"));
    tpeer_feed_ok(&s, &b);
    drain(&s, &w);
    assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
    assert_int_equal(w.goaways, 1); /* ours alone, no second one */
  }
  assert_int_equal(w.rsts, 0);
  assert_int_equal(atk_log_count(&s, "error *"), 0);
  close_server(&s, &w, &b);
}

/* An empty header fragment without END_HEADERS (glitch budget, row 4):
 * an encoder that cuts a block exactly at a frame boundary may end it
 * with an empty CONTINUATION, or open with an empty HEADERS; once per
 * request at most. Ten times a real 10 requests a second: 100 requests
 * a second, each as empty HEADERS + CONTINUATION, for two minutes. */
static void test_legit_empty_header_fragments(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  uint8_t blk[256];
  uint32_t sec, i, id = 1;
  open_server(&s, state, 1000, &w, &b);
  for (sec = 1; sec <= 120; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 100; i++, id += 2) {
      size_t n = tpeer_block(&s, blk, sizeof blk, GET_REQ);
      h2w_fb_hd(&b, 0, ATK_HEADERS, 0x1, id);
      h2w_fb_hd(&b, (uint32_t)n, ATK_CONTINUATION, 0x4, id);
      h2w_fb_bytes(&b, blk, n);
      tpeer_feed_ok(&s, &b);
      respond_200(&s, id, &w);
    }
    expect_no_goaway(&s, &w);
  }
  assert_int_equal(atk_log_count(&s, "error *"), 0);
  close_server(&s, &w, &b);
}

/* PRIORITY_UPDATE for a stream that is gone (glitch budget, RFC 9218
 * §7.1): a browser reprioritising a request that has just completed
 * (the update crossed our last frame), about once per request. Ten
 * times a real 10 requests a second: 100 such updates a second, each
 * after its stream closed, for two minutes. */
static void test_legit_late_priority_updates(void **state) {
  tpeer s;
  h2w_fb b;
  wire w;
  uint32_t sec, i, id = 1;
  open_server(&s, state, 1000, &w, &b);
  for (sec = 1; sec <= 120; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 100; i++, id += 2) {
      tpeer_fb_headers(&s, &b, id, 0x1, GET_REQ);
      tpeer_feed_ok(&s, &b);
      respond_200(&s, id, &w);
      h2w_fb_begin(&b, 0x10, 0, 0);
      h2w_fb_u32(&b, id);
      h2w_fb_str(&b, "u=1");
      h2w_fb_end(&b);
      tpeer_feed_ok(&s, &b);
    }
    expect_no_goaway(&s, &w);
  }
  close_server(&s, &w, &b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_window_dribble_node_100),
      SPLIT_TESTS(test_window_dribble_node_500),
      SPLIT_TESTS(test_window_dribble_node_1000),
      cmocka_unit_test_prestate(test_window_dribble_go_512,
                                &tsplit_modes[H2W_SPLIT_WHOLE]),
      cmocka_unit_test_prestate(test_window_dribble_go_1,
                                &tsplit_modes[H2W_SPLIT_WHOLE]),
      SPLIT_TESTS(test_window_dribble_shrunk_window),
      SPLIT_TESTS(test_window_dribble_conn_shrunk),
      SPLIT_TESTS(test_legit_late_frames_on_closed_streams),
      SPLIT_TESTS(test_legit_pings_drained),
      SPLIT_TESTS(test_legit_cancels),
      SPLIT_TESTS(test_legit_empty_data),
      SPLIT_TESTS(test_legit_priority_frames),
      /* 4 MB of DATA: fed whole and at random splits, not octet by
       * octet (the heuristic counts frames, not reads). */
      cmocka_unit_test_prestate(test_legit_inflight_data_after_reset,
                                &tsplit_modes[H2W_SPLIT_WHOLE]),
      cmocka_unit_test_prestate(test_legit_inflight_data_after_reset,
                                &tsplit_modes[H2W_SPLIT_RANDOM]),
      SPLIT_TESTS(test_legit_small_frames_after_reset),
      SPLIT_TESTS(test_legit_body_crossing_our_goaway),
      SPLIT_TESTS(test_legit_empty_header_fragments),
      SPLIT_TESTS(test_legit_late_priority_updates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

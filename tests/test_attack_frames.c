/* docs/security.md rows 4, 7 and 8: frames that cost work and carry nothing.
 * Empty frames (CVE-2019-9518), the data dribble (CVE-2019-9511) and
 * PRIORITY abuse (CVE-2019-9513) each take one token of the glitch
 * budget (h2w_options_set_glitch_limit, default burst 1000 refilled at
 * 100/s of the caller's clock); an empty bucket ends the connection with
 * GOAWAY ENHANCE_YOUR_CALM. Every test runs whole, in 1-byte pieces and
 * at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "attack.h"

#define BURST 1000u /* default glitch burst */
#define REFILL 100u /* default glitch refill per second */

/* The flood verdict: sticky FLOODED, one on_error, one GOAWAY. */
static void expect_flooded(tpeer *s, uint64_t offset, const char *goaway) {
  uint64_t off = 0;
  atk_expect_error(s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  (void)h2w_session_error(s->s, NULL, NULL, &off);
  assert_int_equal(off, offset);
  assert_int_equal(atk_log_count(s, "error 0 ENHANCE_YOUR_CALM"), 1);
  assert_int_equal(atk_log_count(s, "error *"), 1);
  tpeer_parse_out(s);
  if (atk_frames_count(s, goaway) != 1 || atk_frames_count(s, "GOAWAY*") != 1) {
    fail_msg("output:\n%s", s->frames.buf ? s->frames.buf : "");
  }
  tpeer_out_clear(s);
}

/* Open stream `id` with a POST (no END_STREAM); returns the octets fed. */
static size_t open_post(tpeer *s, h2w_fb *b, uint32_t id) {
  size_t n;
  tpeer_fb_headers(s, b, id, 0, POST_REQ);
  n = b->len;
  atk_feed_ok(s, b);
  tpeer_log_clear(s);
  return n;
}

static void empty_data(h2w_fb *b, uint32_t id, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    h2w_fb_hd(b, 0, ATK_DATA, 0, id);
  }
}

/* A server that admits `n` concurrent streams, so requests the test
 * leaves unanswered do not run into the concurrency limit (row 15). */
static void server_with_streams(tpeer *s, void **state, uint32_t n) {
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_concurrent_streams(opt, n), H2W_OK);
  atk_server(s, tmode(state), opt);
  h2w_options_del(opt);
}

/* ---- row 4: empty frames -------------------------------------------------
 */

/* 1000 empty DATA frames without END_STREAM use up the burst; the next
 * one ends the connection. None reaches on_data. */
static void test_attack_04_empty_data(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, fed;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  fed = ATK_HANDSHAKE_LEN + open_post(&s, &b, 1);
  base = s.alloc.peak = s.alloc.bytes;
  empty_data(&b, 1, BURST);
  fed += b.len;
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  EXPECT_OUT_EMPTY(&s);
  empty_data(&b, 1, 100000);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  expect_flooded(&s, fed, "GOAWAY last=1 ENHANCE_YOUR_CALM*");
  assert_false(tpeer_log_has(&s, "data *"));
  atk_bound("row 4: 101,000 empty DATA, peak above the open stream",
            atk_peak_above(&s, base), 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* HEADERS and CONTINUATION with empty fragments and no END_HEADERS: two
 * glitches per request, so request 501 ends the connection. */
static void glitchy_request(tpeer *s, h2w_fb *b, uint32_t id) {
  uint8_t blk[256];
  size_t n = tpeer_block(s, blk, sizeof blk, GET_REQ);
  h2w_fb_hd(b, 0, ATK_HEADERS, 0x1, id);
  h2w_fb_hd(b, 0, ATK_CONTINUATION, 0, id);
  h2w_fb_hd(b, (uint32_t)n, ATK_CONTINUATION, 0x4, id);
  h2w_fb_bytes(b, blk, n);
}

static void test_attack_04_empty_header_fragments(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, fed;
  uint32_t id;
  server_with_streams(&s, state, BURST);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_CLOSE;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (id = 1; id < BURST; id += 2) {
    glitchy_request(&s, &b, id);
  }
  fed = ATK_HANDSHAKE_LEN + b.len;
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "end *"), BURST / 2);
  tpeer_log_clear(&s);
  glitchy_request(&s, &b, id);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  expect_flooded(&s, fed, "GOAWAY last=* ENHANCE_YOUR_CALM*");
  assert_false(tpeer_log_has(&s, "end *"));
  /* 500 requests left unanswered: their stream objects (about 160
   * octets each with the table) and the queue. */
  atk_bound("row 4: 501 requests in empty fragments, peak above handshake",
            atk_peak_above(&s, base), BURST / 2 * 256 + 16384);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: a steady 50 empty DATA frames a second, for ten
 * minutes of the caller's clock (30,000 in all, 30 times the burst),
 * under the refill of 100/s; and empty DATA that carries END_STREAM
 * (the usual end of a body) is never a glitch. */
static void test_attack_04_legit_steady(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t sec, id;
  server_with_streams(&s, state, 10000);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS | TEV_CLOSE;
  h2w_fb_init(&b);
  (void)open_post(&s, &b, 1);
  for (sec = 1; sec <= 600; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    empty_data(&b, 1, 50);
    atk_feed_ok(&s, &b);
  }
  for (id = 3; id < 3 + 2 * 5000; id += 2) {
    tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
    h2w_fb_data(&b, id, 0x1, "");
    if (b.len > 65536) {
      atk_feed_ok(&s, &b);
    }
  }
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "end *"), 5000);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 4: frames on streams above our GOAWAY --------------------------
 */

/* GOAWAY NO_ERROR before any request: last stream id 0, so every stream
 * the client opens from now on is ignored (RFC 9113 §6.8). */
static void goaway_first(tpeer *s) {
  assert_int_equal(h2w_session_submit_goaway(s->s, H2W_NO_ERROR, NULL, 0),
                   H2W_OK);
  tpeer_parse_out(s);
  assert_int_equal(atk_frames_count(s, "GOAWAY last=0 NO_ERROR*"), 1);
  tpeer_out_clear(s);
}

/* 1-octet DATA frames on stream `id`. */
static void tiny_data(h2w_fb *b, uint32_t id, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    h2w_fb_data(b, id, 0, "x");
  }
}

/* A stream above our GOAWAY's last id: its body in flight within the
 * stream window is ignored for free (the peer could not know), but past
 * that window every ignored frame is charged again. The HEADERS takes
 * one token, the 65535 octets granted none, and 999 one-octet frames
 * past them use up the burst: the next ends the connection. */
static void test_attack_04_data_past_goaway_window(void **state) {
  tpeer s;
  h2w_fb b;
  static uint8_t chunk[16384];
  size_t fed;
  uint32_t i;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  goaway_first(&s);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  for (i = 0; i < 4; i++) {
    uint32_t n = i < 3 ? 16384 : 16383; /* the 65535 the window allows */
    h2w_fb_hd(&b, n, ATK_DATA, 0, 1);
    h2w_fb_bytes(&b, chunk, n);
  }
  fed = ATK_HANDSHAKE_LEN + b.len;
  atk_feed_ok(&s, &b);
  tpeer_parse_out(&s); /* the connection WINDOW_UPDATE: §6.9 as before */
  assert_int_equal(atk_frames_count(&s, "WINDOW_UPDATE*"), 1);
  tpeer_out_clear(&s);
  tiny_data(&b, 1, BURST - 1);
  fed += b.len;
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  tiny_data(&b, 1, 1000);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  expect_flooded(&s, fed, "GOAWAY last=0 ENHANCE_YOUR_CALM*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* No allowance covers empty DATA: on a stream above our GOAWAY each one
 * costs two tokens from the first (an empty frame, row 4, and an ignored
 * one). After the HEADERS's token, 499 fit in the burst; the 500th ends
 * the connection. */
static void test_attack_04_empty_data_past_goaway(void **state) {
  tpeer s;
  h2w_fb b;
  size_t fed;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  goaway_first(&s);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  empty_data(&b, 1, BURST / 2 - 1);
  fed = ATK_HANDSHAKE_LEN + b.len;
  atk_feed_ok(&s, &b);
  empty_data(&b, 1, 100);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  expect_flooded(&s, fed, "GOAWAY last=0 ENHANCE_YOUR_CALM*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* What bounds the free DATA: each new stream above our GOAWAY pays a
 * token for its HEADERS (1000 use up the burst, the 1001st ends the
 * connection), and only the last H2W_CLOSED_RING (64) such streams are
 * remembered with their allowance; frames on an older one are charged.
 * With a burst of 70: 65 streams, then 100 free one-octet frames on the
 * newest, then 5 charged ones on the first (forgotten), and the 6th ends
 * the connection. */
static void test_attack_04_streams_past_goaway(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt = NULL;
  size_t fed;
  uint32_t id;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  goaway_first(&s);
  for (id = 1; id < 2 * BURST; id += 2) {
    tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
  }
  fed = ATK_HANDSHAKE_LEN + b.len;
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  expect_flooded(&s, fed, "GOAWAY last=0 ENHANCE_YOUR_CALM*");
  tpeer_free(&s);

  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_glitch_limit(opt, 70, 1), H2W_OK);
  atk_server(&s, tmode(state), opt);
  h2w_options_del(opt);
  goaway_first(&s);
  for (id = 1; id <= 129; id += 2) { /* 65 streams */
    tpeer_fb_headers(&s, &b, id, 0, POST_REQ);
  }
  tiny_data(&b, 129, 100);
  tiny_data(&b, 1, 5);
  fed = ATK_HANDSHAKE_LEN + b.len;
  atk_feed_ok(&s, &b);
  EXPECT_LOG_EMPTY(&s);
  tiny_data(&b, 1, 1);
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  expect_flooded(&s, fed, "GOAWAY last=0 ENHANCE_YOUR_CALM*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 7: data dribble -------------------------------------------------
 */

/* A response of 1 MB to a peer that opened with a stream window of 1 and
 * then grants one octet at a time. A window that small can never add up
 * to a worthwhile frame (half the window it offers is 0), so each grant
 * is sent at once, and a grant under 32 octets that leaves the window
 * that small is a glitch. We never send more octets than were granted,
 * never read the body source more than once per grant, and stop after
 * the burst. (A peer with a larger window is held back instead: see
 * test_attack_07_dribble_held.) */
static void test_attack_07_data_dribble(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 1};
  tsrc *src;
  size_t base, i;
  long data_frames;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_SETTINGS;
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, &iv, 1);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  atk_feed_ok(&s, &b);
  src = tpeer_source(&s, NULL, 1000000);
  tpeer_respond(&s, 1, RESP_200, src);
  tpeer_out_clear(&s);
  tpeer_log_clear(&s);
  base = s.alloc.peak = s.alloc.bytes;
  /* One WINDOW_UPDATE of 1, then read our output: the dribble. */
  for (i = 0; i < 2000 && h2w_session_error(s.s, NULL, NULL, NULL) == H2W_OK;
       i++) {
    h2w_fb_window_update(&b, 1, 1);
    (void)tpeer_feed_fb(&s, &b);
    h2w_fb_clear(&b);
    tpeer_parse_out(&s);
  }
  data_frames = atk_frames_count(&s, "DATA 1 *");
  print_message("[ DRIBBLE  ] row 7: %zu grants, %u source reads, %ld DATA "
                "lines\n",
                i, src->reads, data_frames);
  /* 1 octet from the SETTINGS window, then one per granted update that
   * the budget paid for. */
  assert_int_equal(i, BURST + 1);
  assert_true(src->off <= 1 + BURST);
  assert_true(src->reads <= 2 + BURST);
  tpeer_out_clear(&s);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  assert_int_equal(atk_log_count(&s, "error 0 ENHANCE_YOUR_CALM"), 1);
  atk_bound("row 7: 1001 one-octet grants, peak above the response",
            atk_peak_above(&s, base), 4096);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The dribble on a real window: the peer takes its 64 KiB, then grants
 * one octet at a time on the stream and the connection, reading our
 * output after each. We hold DATA back until 16 KiB has added up, so the
 * attacker gets no small DATA frame and no body-source read per grant:
 * each grant costs one frame parse. That is no more than any other frame
 * costs, so it is not charged and the connection is not cut off (the
 * legitimate neighbours, Go 1.19 returning window per 512-octet Read,
 * look the same: tests/test_legit_peers.c). */
static void test_attack_07_dribble_held(void **state) {
  tpeer s;
  h2w_fb b;
  tsrc *src;
  size_t base;
  unsigned i, reads;
  long small;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_SETTINGS;
  s.keep_data_frames = 1;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  atk_feed_ok(&s, &b);
  src = tpeer_source(&s, NULL, 1000000);
  tpeer_respond(&s, 1, RESP_200, src);
  tpeer_parse_out(&s);
  assert_int_equal(src->off, 65535);
  tpeer_out_clear(&s);
  tpeer_log_clear(&s);
  reads = src->reads;
  base = s.alloc.peak = s.alloc.bytes;
  for (i = 0; i < 40000; i++) {
    h2w_fb_window_update(&b, 0, 1);
    h2w_fb_window_update(&b, 1, 1);
    atk_feed_ok(&s, &b);
    tpeer_parse_out(&s);
  }
  /* 40000 octets granted: two 16 KiB frames' worth, the rest held. */
  small = atk_frames_count(&s, "DATA 1 ?") + atk_frames_count(&s, "DATA 1 ??") +
          atk_frames_count(&s, "DATA 1 ???") +
          atk_frames_count(&s, "DATA 1 ????");
  print_message("[ DRIBBLE  ] row 7 held: 40000 grants, %u source reads, "
                "%ld DATA frames, %ld under 10000 octets\n",
                src->reads - reads, atk_frames_count(&s, "DATA 1 *"), small);
  assert_int_equal(small, 0);
  assert_int_equal(src->off, 65535 + 2 * 16384);
  assert_true(src->reads - reads <= 4);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(atk_frames_count(&s, "GOAWAY*"), 0);
  atk_bound("row 7: 40000 one-octet grants on a 64 KiB window, peak",
            atk_peak_above(&s, base), 4096);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: a reader that returns window in 16 KiB steps moves
 * 100 MB through a 64 KiB window without a glitch; and a small
 * increment on a window that is already large is not a dribble. */
static void test_attack_07_legit_window_updates(void **state) {
  tpeer s;
  h2w_fb b;
  atk_gen gen;
  h2w_data_source ds;
  h2w_nv nv[2];
  uint64_t got = 0;
  int32_t sw = 0;
  int i;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  atk_feed_ok(&s, &b);
  ds = atk_gen_source(&gen, 100000000);
  assert_int_equal(
      h2w_session_submit_response(s.s, 1, nv, tnv(nv, 2, RESP_200), &ds),
      H2W_OK);
  while (got < 100000000) {
    uint8_t buf[16384 + 9];
    h2w_ssize k = h2w_session_send(s.s, buf, sizeof buf);
    assert_true(k >= 0);
    if (k == 0) {
      h2w_fb_window_update(&b, 0, 16384);
      h2w_fb_window_update(&b, 1, 16384);
      atk_feed_ok(&s, &b);
      continue;
    }
    got += (uint64_t)k;
    if (got > 200000000) {
      fail_msg("runaway output");
    }
    got = gen.pulled;
  }
  assert_int_equal(gen.pulled, 100000000);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  /* Stream 3 open with a 65535 window: +1 leaves it above 16384. */
  tpeer_fb_headers(&s, &b, 3, 0x1, GET_REQ);
  atk_feed_ok(&s, &b);
  for (i = 0; i < 1000; i++) {
    h2w_fb_window_update(&b, 0, 1);
  }
  atk_feed_ok(&s, &b);
  assert_int_equal(h2w_session_window(s.s, 0, NULL, &sw), H2W_OK);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 8: PRIORITY abuse -----------------------------------------------
 */

static void priority(h2w_fb *b, uint32_t id, uint32_t dep, uint32_t len) {
  h2w_fb_hd(b, len, ATK_PRIORITY, 0, id);
  if (len >= 5) {
    h2w_fb_u32(b, dep);
    h2w_fb_u8(b, 15);
    h2w_fb_zeros(b, len - 5);
  } else {
    h2w_fb_zeros(b, len);
  }
}

/* §5.3.1: a stream cannot depend on itself: stream error
 * PROTOCOL_ERROR, by PRIORITY frame or by the HEADERS priority field. */
static void test_attack_08_self_dependency(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t blk[256];
  size_t n;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  (void)open_post(&s, &b, 1);
  priority(&b, 1, 1, 5);
  atk_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&s, "error 1 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR reset");
  /* HEADERS with PRIORITY flag, depending on itself. */
  n = tpeer_block(&s, blk, sizeof blk, GET_REQ);
  h2w_fb_hd(&b, (uint32_t)(5 + n), ATK_HEADERS, 0x25, 3);
  h2w_fb_u32(&b, 3);
  h2w_fb_u8(&b, 15);
  h2w_fb_bytes(&b, blk, n);
  atk_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 3 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "headers 3 *"));
  assert_false(tpeer_log_has(&s, "end 3"));
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.3: a PRIORITY frame of a length other than 5 is a stream error
 * FRAME_SIZE_ERROR; on stream 0 a connection error PROTOCOL_ERROR. */
static void test_attack_08_bad_priority_frames(void **state) {
  static const uint32_t lens[] = {0, 4, 6, 100};
  size_t i;
  for (i = 0; i < 4; i++) {
    tpeer s;
    h2w_fb b;
    char want[48];
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    /* On an open stream: a stream error (§6.3), the connection goes on. */
    tpeer_fb_headers(&s, &b, 5, 0, POST_REQ);
    priority(&b, 5, 0, lens[i]);
    tpeer_fb_headers(&s, &b, 7, 0x1, GET_REQ);
    atk_feed_ok(&s, &b);
    snprintf(want, sizeof want, "RST_STREAM 5 FRAME_SIZE_ERROR");
    EXPECT_OUT(&s, want);
    assert_true(tpeer_log_has(&s, "end 7"));
    h2w_fb_free(&b);
    tpeer_free(&s);
    /* On an idle stream RST_STREAM is forbidden (§6.4): the connection
     * error of the same code instead (§5.4.1). */
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    priority(&b, 5, 0, lens[i]);
    atk_feed_err(&s, &b, H2W_E_FRAME_SIZE);
    EXPECT_OUT(&s, "GOAWAY last=0 FRAME_SIZE_ERROR*");
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
  {
    tpeer s;
    h2w_fb b;
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    priority(&b, 0, 1, 5);
    atk_feed_err(&s, &b, H2W_E_PROTOCOL);
    atk_expect_error(&s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR);
    EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
    EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* A million PRIORITY frames (cycles among idle streams included) cost
 * one token each: the 1001st ends the connection, the rest is skipped. */
static void test_attack_08_priority_flood(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, fed;
  uint32_t i;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (i = 0; i < BURST; i++) {
    /* 1 -> 3 -> 5 -> 1: a dependency cycle, on idle streams. */
    priority(&b, 1 + 2 * (i % 3), 1 + 2 * ((i + 1) % 3), 5);
  }
  fed = ATK_HANDSHAKE_LEN + b.len;
  atk_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  for (i = 0; i < 1000000; i++) {
    priority(&b, 7 + 2 * (i % 1000), 9, 5);
  }
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  expect_flooded(&s, fed, "GOAWAY last=0 ENHANCE_YOUR_CALM*");
  EXPECT_LOG(&s, "error 0 ENHANCE_YOUR_CALM");
  atk_bound("row 8: a million PRIORITY frames, peak above handshake",
            atk_peak_above(&s, base), 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: a browser-like 50 PRIORITY frames a second for ten
 * minutes of the caller's clock, and PRIORITY fields on HEADERS, which
 * are not glitches at all. */
static void test_attack_08_legit_priority(void **state) {
  tpeer s;
  h2w_fb b;
  uint8_t blk[256];
  uint32_t sec, i, id = 2001;
  server_with_streams(&s, state, 10000);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS | TEV_CLOSE;
  h2w_fb_init(&b);
  for (sec = 1; sec <= 600; sec++) {
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)sec), H2W_OK);
    for (i = 0; i < 50; i++) {
      priority(&b, 1001 + 2 * i, 1, 5);
    }
    atk_feed_ok(&s, &b);
  }
  for (i = 0; i < 2000; i++, id += 2) {
    size_t n = tpeer_block(&s, blk, sizeof blk, GET_REQ);
    h2w_fb_hd(&b, (uint32_t)(5 + n), ATK_HEADERS, 0x25, id);
    h2w_fb_u32(&b, 0);
    h2w_fb_u8(&b, 200);
    h2w_fb_bytes(&b, blk, n);
  }
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "end *"), 2000);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_04_empty_data),
      SPLIT_TESTS(test_attack_04_empty_header_fragments),
      SPLIT_TESTS(test_attack_04_legit_steady),
      SPLIT_TESTS(test_attack_04_data_past_goaway_window),
      SPLIT_TESTS(test_attack_04_empty_data_past_goaway),
      SPLIT_TESTS(test_attack_04_streams_past_goaway),
      SPLIT_TESTS(test_attack_07_data_dribble),
      SPLIT_TESTS(test_attack_07_dribble_held),
      SPLIT_TESTS(test_attack_07_legit_window_updates),
      SPLIT_TESTS(test_attack_08_self_dependency),
      SPLIT_TESTS(test_attack_08_bad_priority_frames),
      SPLIT_TESTS(test_attack_08_priority_flood),
      SPLIT_TESTS(test_attack_08_legit_priority),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* DATA delivered in the pieces that arrived (issue 16 §1): a DATA frame
 * that straddles h2w_session_recv() calls reaches on_data from the
 * caller's buffer, one callback per piece, never copied; padding (RFC 9113
 * §6.1) is stripped exactly wherever the cuts fall, the whole frame is
 * charged to the flow-control windows when it begins (§6.9), and
 * END_STREAM with its content-length check (§8.1.1) applies when the
 * last piece arrives. Tests that cut the input themselves call
 * h2w_session_recv() directly; the others run in the three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

enum { DATA = 0, PADDED = 0x8, ES = 0x1 };

/* What the hook saw: every on_data piece, and what to do on one. */
typedef struct pieces {
  const uint8_t *lo, *hi; /* the buffer of the current recv call */
  size_t n;
  size_t len[16];
  int in_place;  /* every piece pointed into [lo, hi) */
  size_t act_at; /* 1-based piece at which to act (0: never) */
  int act;       /* 0 pause, 1 reset the stream, 2 fail the callback */
} pieces;

static int hook(tpeer *p, const tev *ev) {
  pieces *pc = p->app;
  if (ev->type != TEV_DATA || pc == NULL) {
    return 0;
  }
  if (ev->data < pc->lo || ev->data + ev->len > pc->hi) {
    pc->in_place = 0;
  }
  if (pc->n < 16) {
    pc->len[pc->n] = ev->len;
  }
  pc->n++;
  if (pc->n == pc->act_at) {
    if (pc->act == 0) {
      return H2W_E_PAUSE;
    }
    if (pc->act == 1) {
      assert_int_equal(
          h2w_session_submit_rst_stream(p->s, ev->stream_id, H2W_CANCEL),
          H2W_OK);
      return 0;
    }
    return H2W_E_CALLBACK_FAILURE;
  }
  return 0;
}

static void server(tpeer *s, int mode, const h2w_options *opt, pieces *pc) {
  tpeer_start(s, 1, mode, opt);
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpeer_handshake(s);
  memset(pc, 0, sizeof *pc);
  pc->in_place = 1;
  s->app = pc;
  s->hook = hook;
}

/* Feed b[from, to) in one recv call; returns its result. */
static h2w_ssize feed_cut(tpeer *s, const h2w_fb *b, size_t from, size_t to) {
  pieces *pc = s->app;
  pc->lo = b->buf + from;
  pc->hi = b->buf + to;
  return h2w_session_recv(s->s, b->buf + from, to - from);
}

static void windows(const tpeer *p, uint32_t id, int32_t recv) {
  int32_t r = 0, snd = 0;
  assert_int_equal(h2w_session_window(p->s, id, &r, &snd), H2W_OK);
  assert_int_equal(r, recv);
}

/* A request whose body follows, with an optional content-length. */
static void request(tpeer *s, h2w_fb *b, const char *content_length) {
  if (content_length != NULL) {
    tpeer_fb_headers(s, b, 1, 0,
                     H(":method", "POST", ":scheme", "https", ":authority",
                       "example.org", ":path", "/upload", "content-length",
                       content_length));
  } else {
    tpeer_fb_headers(s, b, 1, 0, POST_REQ);
  }
  tpeer_feed_ok(s, b);
}

/* The start of most tests here: server() with a frame builder, and the
 * request on stream 1 whose body the test then sends. */
static void upload(tpeer *s, int mode, const h2w_options *opt, pieces *pc,
                   h2w_fb *b, const char *content_length) {
  server(s, mode, opt, pc);
  h2w_fb_init(b);
  request(s, b, content_length);
}

static void finish(tpeer *s, h2w_fb *b) {
  h2w_fb_free(b);
  tpeer_free(s);
}

/* A DATA frame of `n` pattern octets on stream 1, padded with `pad`
 * octets when pad >= 0. */
static void data_frame(h2w_fb *b, size_t n, int pad, uint32_t flags) {
  uint8_t buf[4096];
  assert_true(n <= sizeof buf);
  tpattern(buf, n);
  h2w_fb_begin(b, DATA, flags | (pad >= 0 ? PADDED : 0u), 1);
  if (pad >= 0) {
    h2w_fb_u8(b, (uint32_t)pad);
  }
  h2w_fb_bytes(b, buf, n);
  if (pad > 0) {
    h2w_fb_zeros(b, (size_t)pad);
  }
  h2w_fb_end(b);
}

/* What was consumed of the connection window is only visible once a
 * WINDOW_UPDATE carries it: 32000 more octets on stream `id` push the
 * total past half the window, and the update must be exactly `prior`
 * more than they. */
static void credited(tpeer *s, h2w_fb *b, uint32_t id, unsigned prior) {
  char want[64];
  int i;
  tpeer_fb_headers(s, b, id, 0, POST_REQ);
  for (i = 0; i < 8; i++) {
    h2w_fb_begin(b, DATA, 0, id);
    h2w_fb_zeros(b, 4000);
    h2w_fb_end(b);
  }
  tpeer_feed_ok(s, b);
  snprintf(want, sizeof want, "WINDOW_UPDATE 0 %u", prior + 32000u);
  if (!tpeer_out_has(s, want)) {
    fail_msg("no %s in:\n%s", want, s->frames.buf ? s->frames.buf : "");
  }
}

/* The body received on stream 1 is the pattern, n octets. */
static void body_is(const tpeer *s, size_t n) {
  size_t len = 0;
  const uint8_t *d = tpeer_body(s, 1, &len);
  assert_int_equal(len, n);
  if (n > 0) {
    assert_true(tpattern_check(d, n));
  }
}

/* Three cuts, each delivered in place as its own on_data call; END_STREAM
 * only once the last octet is in. */
static void test_pieces_in_place(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  (void)state;
  upload(&s, H2W_SPLIT_WHOLE, NULL, &pc, &b, NULL);
  data_frame(&b, 3000, -1, ES);
  assert_int_equal(feed_cut(&s, &b, 0, 9 + 1000), 9 + 1000);
  assert_int_equal(feed_cut(&s, &b, 1009, 2009), 1000);
  assert_false(tpeer_log_has(&s, "end 1"));
  assert_int_equal(feed_cut(&s, &b, 2009, 3008), 999);
  assert_false(tpeer_log_has(&s, "end 1"));
  assert_int_equal(feed_cut(&s, &b, 3008, 3009), 1);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 3000", "end 1");
  assert_int_equal(pc.n, 4);
  assert_int_equal(pc.len[0], 1000);
  assert_int_equal(pc.len[1], 1000);
  assert_int_equal(pc.len[2], 999);
  assert_int_equal(pc.len[3], 1);
  assert_true(pc.in_place);
  body_is(&s, 3000);
  /* §6.9: the whole frame counted on both windows. */
  windows(&s, 0, 65535 - 3000);
  finish(&s, &b);
}

/* Padding split at every place: the header and Pad Length alone, data
 * cut in two, the padding itself cut in two. Only data is delivered,
 * every padded octet is counted (§6.9.1), and the padding (consumed at
 * once) is credited with the first piece. */
static void test_padding_across_pieces(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  size_t cuts[] = {9, 10, 400, 1010, 1100, 9 + 1 + 1000 + 200};
  size_t i, at = 0;
  (void)state;
  upload(&s, H2W_SPLIT_WHOLE, NULL, &pc, &b, "1000");
  data_frame(&b, 1000, 200, ES);
  for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    assert_int_equal(feed_cut(&s, &b, at, cuts[i]), (h2w_ssize)(cuts[i] - at));
    at = cuts[i];
  }
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 1000", "end 1");
  assert_int_equal(pc.n, 2); /* [10, 400) and [400, 1010): no padding */
  assert_int_equal(pc.len[0], 390);
  assert_int_equal(pc.len[1], 610);
  assert_true(pc.in_place);
  body_is(&s, 1000);
  h2w_fb_clear(&b);
  credited(&s, &b, 3, 1201);
  finish(&s, &b);
}

/* The same frames in the three split modes: the log, the body and the
 * windows do not depend on the cuts. */
static void test_padded_and_plain_split(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  upload(&s, tmode(state), NULL, &pc, &b, "3100");
  data_frame(&b, 1000, 0, 0);
  data_frame(&b, 1000, 255, 0);
  data_frame(&b, 1000, -1, 0);
  data_frame(&b, 100, 3, ES);
  pc.lo = b.buf;
  pc.hi = b.buf + b.len;
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 3100", "end 1");
  assert_true(pc.in_place);
  finish(&s, &b);
}

/* content-length exceeded (§8.1.1): refused from the first piece, before
 * any octet reaches the application. */
static void test_content_length_exceeded(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  upload(&s, tmode(state), NULL, &pc, &b, "10");
  data_frame(&b, 2000, 7, ES);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&s, "headers 1 req es=0", "error 1 PROTOCOL_ERROR",
             "close 1 PROTOCOL_ERROR reset");
  assert_int_equal(pc.n, 0);
  credited(&s, &b, 3, 2008);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  finish(&s, &b);
}

/* content-length short of the body at END_STREAM: the data arrived, the
 * end does not reach the application, the stream is reset. */
static void test_content_length_short(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  upload(&s, tmode(state), NULL, &pc, &b, "3000");
  data_frame(&b, 2000, -1, ES);
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 2000", "error 1 PROTOCOL_ERROR",
             "close 1 PROTOCOL_ERROR reset");
  assert_true(tpeer_out_has(&s, "RST_STREAM 1 PROTOCOL_ERROR"));
  finish(&s, &b);
}

/* A frame past the stream window: reset from its header and Pad Length,
 * nothing delivered, the connection credited for all of it. */
static void test_stream_window_exceeded(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(opt, 1000), H2W_OK);
  upload(&s, tmode(state), opt, &pc, &b, NULL);
  h2w_options_del(opt);
  data_frame(&b, 990, 10, 0); /* 1001 octets with Pad Length */
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "error 1 FLOW_CONTROL_ERROR",
             "close 1 FLOW_CONTROL_ERROR reset");
  assert_int_equal(pc.n, 0);
  EXPECT_OUT(&s, "RST_STREAM 1 FLOW_CONTROL_ERROR");
  windows(&s, 0, 65535 - 1001);
  finish(&s, &b);
}

/* Past the connection window: a connection error at the first piece. */
static void test_connection_window_exceeded(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  h2w_options *opt = NULL;
  size_t i, len = 0;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_manual_flow_control(opt, 1), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(opt, 1000000), H2W_OK);
  upload(&s, tmode(state), opt, &pc, &b, NULL);
  h2w_options_del(opt);
  for (i = 0; i < 16; i++) {
    data_frame(&b, 4095, -1, 0); /* 65520 octets */
  }
  tpeer_feed_ok(&s, &b);
  data_frame(&b, 16, -1, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_FLOW_CONTROL);
  EXPECT_OUT(&s, "GOAWAY last=1 FLOW_CONTROL_ERROR*");
  assert_non_null(tpeer_body(&s, 1, &len));
  assert_int_equal(len, 65520);
  finish(&s, &b);
}

/* Padding as long as the payload (§6.1), seen at the first piece. */
static void test_padding_too_long_split(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  upload(&s, tmode(state), NULL, &pc, &b, NULL);
  h2w_fb_begin(&b, DATA, PADDED, 1);
  h2w_fb_u8(&b, 200);
  h2w_fb_zeros(&b, 199);
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&s, "GOAWAY last=1 PROTOCOL_ERROR*");
  assert_int_equal(pc.n, 0);
  finish(&s, &b);
}

/* The application resets the stream from on_data mid-frame: the rest of
 * the frame is not delivered and goes back to the connection window; the
 * next frame on the connection is read normally. */
static void test_reset_mid_frame(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  (void)state;
  upload(&s, H2W_SPLIT_WHOLE, NULL, &pc, &b, NULL);
  data_frame(&b, 3000, 100, ES);
  h2w_fb_ping(&b, 0, 7);
  pc.act_at = 1;
  pc.act = 1;
  assert_int_equal(feed_cut(&s, &b, 0, 1000), 1000);
  assert_int_equal(feed_cut(&s, &b, 1000, b.len), (h2w_ssize)(b.len - 1000));
  assert_int_equal(pc.n, 1);
  assert_int_equal(pc.len[0], 1000 - 10);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 990", "close 1 CANCEL reset");
  EXPECT_OUT(&s, "RST_STREAM 1 CANCEL", "PING*");
  h2w_fb_clear(&b);
  credited(&s, &b, 3, 3101);
  finish(&s, &b);
}

/* A failing on_data mid-frame is a connection error; what follows is
 * consumed and ignored. */
static void test_callback_failure_mid_frame(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  (void)state;
  upload(&s, H2W_SPLIT_WHOLE, NULL, &pc, &b, NULL);
  data_frame(&b, 3000, -1, ES);
  pc.act_at = 2;
  pc.act = 2;
  assert_int_equal(feed_cut(&s, &b, 0, 1000), 1000);
  assert_int_equal(feed_cut(&s, &b, 1000, 2000), H2W_E_CALLBACK_FAILURE);
  assert_int_equal(feed_cut(&s, &b, 2000, b.len), H2W_E_CALLBACK_FAILURE);
  assert_int_equal(pc.n, 2);
  assert_false(tpeer_log_has(&s, "end 1"));
  EXPECT_OUT(&s, "GOAWAY last=1 INTERNAL_ERROR*");
  finish(&s, &b);
}

/* on_data pausing on a piece: recv returns at the end of that piece, and
 * the rest of the call resumes where it stopped. */
static void test_pause_on_piece(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  h2w_ssize n;
  (void)state;
  upload(&s, H2W_SPLIT_WHOLE, NULL, &pc, &b, NULL);
  data_frame(&b, 100, -1, 0);
  data_frame(&b, 3000, -1, ES);
  pc.act_at = 1;
  pc.act = 0;
  /* The first frame pauses: the call stops after it. */
  n = feed_cut(&s, &b, 0, 9 + 100 + 9 + 500);
  assert_int_equal(n, 9 + 100);
  pc.act_at = 2; /* the piece of the second frame in this call pauses */
  n = feed_cut(&s, &b, 109, 618);
  assert_int_equal(n, 509);
  assert_int_equal(pc.len[1], 500);
  assert_false(tpeer_log_has(&s, "end 1"));
  n = feed_cut(&s, &b, 618, b.len);
  assert_int_equal(n, (h2w_ssize)(b.len - 618));
  assert_int_equal(pc.n, 3);
  assert_true(pc.in_place);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 3100", "end 1");
  finish(&s, &b);
}

/* After a request, three DATA frames (plain 1000, padded 1000 +
 * 200, plain 500 with END_STREAM): 1000 + (1 + 1000 + 200) + 500 = 2701
 * flow-controlled octets, 2500 of data (past half the connection window
 * with credited()'s 32000). Returns where the DATA begins. */
static size_t three_frames(tpeer *s, h2w_fb *b) {
  size_t at;
  tpeer_fb_headers(s, b, 1, 0, POST_REQ);
  at = b->len;
  data_frame(b, 1000, -1, 0);
  data_frame(b, 1000, 200, 0);
  data_frame(b, 500, -1, ES);
  return at;
}

/* The body on stream 1: each frame's data is the pattern from 0. */
static void three_bodies(const tpeer *s) {
  size_t len = 0;
  const uint8_t *d = tpeer_body(s, 1, &len);
  assert_int_equal(len, 2500);
  assert_true(tpattern_check(d, 1000));
  assert_true(tpattern_check(d + 1000, 1000));
  assert_true(tpattern_check(d + 2000, 500));
}

/* The input cut once at every offset of the three frames (inside a
 * header, Pad Length, the data, the padding): the same log, body and
 * flow-control accounting whatever the cut (§6.1, §6.9). */
static void test_every_cut(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  size_t start, cut;
  (void)state;
  server(&s, H2W_SPLIT_WHOLE, NULL, &pc);
  h2w_fb_init(&b);
  start = three_frames(&s, &b);
  h2w_fb_free(&b);
  tpeer_free(&s);
  for (cut = start + 1; cut < start + 9 + 1000 + 9 + 1201 + 9 + 500; cut++) {
    server(&s, H2W_SPLIT_WHOLE, NULL, &pc);
    h2w_fb_init(&b);
    three_frames(&s, &b);
    assert_int_equal(feed_cut(&s, &b, 0, cut), (h2w_ssize)cut);
    assert_int_equal(feed_cut(&s, &b, cut, b.len), (h2w_ssize)(b.len - cut));
    EXPECT_LOG(&s, "headers 1 req es=0", "data 1 2500", "end 1");
    assert_true(pc.in_place);
    three_bodies(&s);
    windows(&s, 0, 65535 - 2701);
    h2w_fb_clear(&b);
    credited(&s, &b, 3, 2701);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* One octet per call: every data octet is its own on_data piece, in
 * place; Pad Length and padding deliver nothing; the accounting is exact
 * (§6.9.1: padding counts, and is consumed at once). */
static void test_byte_pieces(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  size_t start, at;
  (void)state;
  server(&s, H2W_SPLIT_WHOLE, NULL, &pc);
  h2w_fb_init(&b);
  start = three_frames(&s, &b);
  assert_int_equal(feed_cut(&s, &b, 0, start), (h2w_ssize)start);
  for (at = start; at < b.len; at++) {
    assert_int_equal(feed_cut(&s, &b, at, at + 1), 1);
  }
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 2500", "end 1");
  assert_int_equal(pc.n, 2500);
  assert_true(pc.in_place);
  three_bodies(&s);
  h2w_fb_clear(&b);
  credited(&s, &b, 3, 2701);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A pause on the rest of a frame begun in an earlier call, in a call
 * that also holds the next frame's header and first piece: recv stops
 * at the end of the paused piece, and the rest of the call resumes
 * with the next frame. */
static void test_pause_on_rest_then_resume(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  size_t start;
  h2w_ssize n;
  (void)state;
  server(&s, H2W_SPLIT_WHOLE, NULL, &pc);
  h2w_fb_init(&b);
  start = three_frames(&s, &b);
  /* call 1: the request and 100 octets of the first frame's data */
  assert_int_equal(feed_cut(&s, &b, 0, start + 9 + 100),
                   (h2w_ssize)(start + 9 + 100));
  pc.act_at = 2; /* the rest of the first frame pauses */
  pc.act = 0;
  n = feed_cut(&s, &b, start + 109, start + 1009 + 9 + 50);
  assert_int_equal(n, 900);
  assert_false(tpeer_log_has(&s, "end 1"));
  n = feed_cut(&s, &b, start + 1009, b.len);
  assert_int_equal(n, (h2w_ssize)(b.len - start - 1009));
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 2500", "end 1");
  assert_true(pc.in_place);
  three_bodies(&s);
  h2w_fb_clear(&b);
  credited(&s, &b, 3, 2701);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A reset from on_data of a frame's first piece, the rest arriving in
 * octets over many calls (the stream is closed and its object recycled
 * after the first): nothing more is delivered, every octet of the frame
 * and of the frames after it goes back to the connection window. */
static void test_reset_first_piece_rest_in_octets(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  size_t start, at;
  (void)state;
  server(&s, H2W_SPLIT_WHOLE, NULL, &pc);
  h2w_fb_init(&b);
  start = three_frames(&s, &b);
  pc.act_at = 1;
  pc.act = 1;
  assert_int_equal(feed_cut(&s, &b, 0, start + 9 + 10),
                   (h2w_ssize)(start + 19));
  for (at = start + 19; at < b.len; at++) {
    assert_int_equal(feed_cut(&s, &b, at, at + 1), 1);
  }
  assert_int_equal(pc.n, 1);
  assert_int_equal(pc.len[0], 10);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 10", "close 1 CANCEL reset");
  EXPECT_OUT(&s, "RST_STREAM 1 CANCEL");
  h2w_fb_clear(&b);
  credited(&s, &b, 3, 2701);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* on_frame_recv reports a DATA frame that came in pieces once, at its
 * end, without a payload (it was never whole in one place). */
static const uint8_t *frame_payload = (const uint8_t *)"unset";
static int frames;
static int on_frame_recv(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  (void)s, (void)user;
  if (fi->type == 0 && fi->stream_id == 1) {
    frame_payload = payload;
    frames++;
  }
  return 0;
}

static void test_frame_recv_without_payload(void **state) {
  h2w_callbacks *cb = NULL;
  h2w_session *s = NULL;
  h2w_fb b;
  tpeer peer;
  (void)state;
  /* A bare session: the tpeer only builds the input. */
  tpeer_start(&peer, 0, H2W_SPLIT_WHOLE, NULL);
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  assert_int_equal(h2w_callbacks_set_on_frame_recv(cb, on_frame_recv), H2W_OK);
  assert_int_equal(h2w_session_server_new(&s, cb, NULL, NULL, NULL), H2W_OK);
  h2w_callbacks_del(cb);
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  tpeer_fb_headers(&peer, &b, 1, 0, POST_REQ);
  assert_int_equal(h2w_session_recv(s, b.buf, b.len), (h2w_ssize)b.len);
  h2w_fb_clear(&b);
  data_frame(&b, 100, -1, 0);
  assert_int_equal(h2w_session_recv(s, b.buf, b.len), (h2w_ssize)b.len);
  assert_int_equal(frames, 1);
  assert_non_null(frame_payload);
  h2w_fb_clear(&b);
  data_frame(&b, 100, 5, 0);
  assert_int_equal(h2w_session_recv(s, b.buf, 50), 50);
  assert_int_equal(frames, 1);
  assert_int_equal(h2w_session_recv(s, b.buf + 50, b.len - 50),
                   (h2w_ssize)(b.len - 50));
  assert_int_equal(frames, 2);
  assert_null(frame_payload);
  h2w_fb_free(&b);
  h2w_session_del(s);
  tpeer_free(&peer);
}

/* Bodies on two streams in alternating DATA frames, and one of them
 * reset by the peer in between: each frame is charged and delivered to
 * its own stream whatever the cuts, and DATA after the RST_STREAM is the
 * §5.1 stream error STREAM_CLOSED, never delivered, although the frame
 * before it was on that same stream (recv.c keeps the last DATA frame's
 * stream to skip the lookup: it must forget a stream that closed). */
static void test_two_bodies_interleaved(void **state) {
  tpeer s;
  pieces pc;
  h2w_fb b;
  size_t len = 0;
  server(&s, tmode(state), NULL, &pc);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_fb_headers(&s, &b, 3, 0, POST_REQ);
  h2w_fb_data(&b, 1, 0, "aaaa");
  h2w_fb_data(&b, 3, 0, "bbbbbbbb");
  h2w_fb_data(&b, 1, 0, "cc");
  h2w_fb_rst_stream(&b, 1, 8 /* CANCEL */);
  h2w_fb_data(&b, 1, 0, "dddddd");
  h2w_fb_data(&b, 3, ES, "eee");
  pc.lo = b.buf;
  pc.hi = b.buf + b.len;
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "headers 3 req es=0", "data 1 4",
             "data 3 8", "data 1 2", "reset 1 CANCEL", "close 1 CANCEL reset",
             "error 1 STREAM_CLOSED", "data 3 3", "end 3");
  assert_true(tpeer_out_has(&s, "RST_STREAM 1 STREAM_CLOSED"));
  assert_true(pc.in_place);
  assert_memory_equal(tpeer_body(&s, 3, &len), "bbbbbbbbeee", 11);
  assert_int_equal(len, 11);
  /* §6.9: every DATA octet counted on the connection, the refused frame
   * included; stream 3's window saw only its own. */
  windows(&s, 0, 65535 - 23);
  windows(&s, 3, 65535 - 11);
  finish(&s, &b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pieces_in_place),
      cmocka_unit_test(test_padding_across_pieces),
      SPLIT_TESTS(test_padded_and_plain_split),
      SPLIT_TESTS(test_content_length_exceeded),
      SPLIT_TESTS(test_content_length_short),
      SPLIT_TESTS(test_stream_window_exceeded),
      SPLIT_TESTS(test_connection_window_exceeded),
      SPLIT_TESTS(test_padding_too_long_split),
      cmocka_unit_test(test_reset_mid_frame),
      cmocka_unit_test(test_callback_failure_mid_frame),
      cmocka_unit_test(test_pause_on_piece),
      cmocka_unit_test(test_frame_recv_without_payload),
      cmocka_unit_test(test_every_cut),
      cmocka_unit_test(test_byte_pieces),
      cmocka_unit_test(test_pause_on_rest_then_resume),
      cmocka_unit_test(test_reset_first_piece_rest_in_octets),
      SPLIT_TESTS(test_two_bodies_interleaved),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

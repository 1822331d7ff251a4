/* Findings of the differential harnesses fuzz_diff_server and
 * fuzz_diff_client (h2wire against libnghttp2, fuzz/README.md); each test
 * is the reproducer's pattern reduced by hand. Every test feeds a
 * hand-driven peer's bytes whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

#define PUSH_REQ                                                               \
  H(":method", "GET", ":scheme", "https", ":authority", "example.org",         \
    ":path", "/pushed.css")

static void assert_no_error(tpeer *p) {
  assert_int_equal(h2w_session_error(p->s, NULL, NULL, NULL), H2W_OK);
  assert_false(tpeer_out_has(p, "GOAWAY*"));
}

static void settings1(tpeer *p, uint16_t id, uint32_t value) {
  h2w_settings_entry iv;
  h2w_fb b;
  iv.id = id;
  iv.reserved = 0;
  iv.value = value;
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, &iv, 1);
  tpeer_feed_ok(p, &b);
  h2w_fb_free(&b);
}

/* A hand-driven client session (we play the server) told
 * SETTINGS_MAX_CONCURRENT_STREAMS `limit` (0: none). */
static void client(tpeer *c, void **state, uint32_t limit) {
  tpeer_start(c, 0, tmode(state), NULL);
  c->mute |= TEV_HEADER;
  tpeer_handshake(c);
  if (limit != 0) {
    settings1(c, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, limit);
  }
  tpeer_parse_out(c);
  tpeer_out_clear(c);
  tpeer_log_clear(c);
}

/* A hand-driven server session (we play the client). */
static void server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_start(s, 1, tmode(state), opt);
  s->mute |= TEV_HEADER;
  tpeer_handshake(s);
  tpeer_parse_out(s);
  tpeer_out_clear(s);
}

/* finding_streams_opened_past_applied_max_concurrent: three requests are
 * submitted while the server allows any number, then its SETTINGS
 * MAX_CONCURRENT_STREAMS 1 arrives before our output is written. §5.1.2
 * "Endpoints MUST NOT exceed the limit set by their peer": only stream 1
 * may leave; 3 and 5 follow as slots free up. Before the fix the slot was
 * taken at submit time and all three HEADERS left. */
static void test_diff_max_concurrent_applied_before_write(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, 0);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 5);
  settings1(&c, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 1);
  EXPECT_OUT(&c, "SETTINGS ack", "HEADERS 1 es*");
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "HEADERS 3 es*");
  tpeer_fb_headers(&c, &b, 3, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "HEADERS 5 es*");
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* finding_trailers_refused_for_queued_request: a request waiting for a
 * stream slot, whose body ends with NO_END_STREAM, takes trailers; they
 * follow its body once it starts. Before the fix submit_trailers returned
 * H2W_E_INVALID_STATE and the request could never end. */
static void test_diff_trailers_for_queued_request(void **state) {
  tpeer c;
  h2w_fb b;
  tsrc *src;
  h2w_nv tr[1];
  client(&c, state, 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  src = tpeer_source(&c, NULL, 10);
  src->trailers = 1;
  assert_int_equal(tpeer_request(&c, POST_REQ, src), 3);
  assert_int_equal(tnv(tr, 1, H("x-trailer", "1")), 1);
  assert_int_equal(h2w_session_submit_trailers(c.s, 3, tr, 1), H2W_OK);
  /* one set of trailers per request */
  assert_int_equal(h2w_session_submit_trailers(c.s, 3, tr, 1),
                   H2W_E_INVALID_STATE);
  EXPECT_OUT(&c, "HEADERS 1 es*");
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "HEADERS 3 eh*", "DATA 3 10", "HEADERS 3 es eh*");
  assert_int_equal(h2w_session_stream_state(c.s, 3),
                   H2W_STREAM_STATE_HALF_CLOSED_LOCAL);
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* finding_window_update_on_reserved_local_stream: §5.1, a stream we
 * reserved with PUSH_PROMISE may carry only HEADERS, RST_STREAM and
 * PRIORITY from us. Before the fix the WINDOW_UPDATE was sent (nghttp2
 * answers it with a connection PROTOCOL_ERROR). */
static void test_diff_window_update_on_reserved_local(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv pr[8];
  size_t n = tnv(pr, 8, PUSH_REQ);
  int32_t promised;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  promised = h2w_session_submit_push_promise(s.s, 1, pr, n, NULL);
  assert_int_equal(promised, 2);
  assert_int_equal(h2w_session_submit_window_update(s.s, 2, 100),
                   H2W_E_INVALID_STATE);
  EXPECT_OUT(&s, "PUSH_PROMISE 1*");
  /* Answered, it stays reserved until its HEADERS are written (they
   * wait for a stream slot, test_diff_push_response_waits_for_lowered_limit).
   */
  tpeer_respond(&s, 2, RESP_200, NULL);
  assert_int_equal(h2w_session_submit_window_update(s.s, 2, 100),
                   H2W_E_INVALID_STATE);
  EXPECT_OUT(&s, "HEADERS 2 es eh*");
  assert_int_equal(h2w_session_submit_window_update(s.s, 1, 100), H2W_OK);
  EXPECT_OUT(&s, "WINDOW_UPDATE 1 100");
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* finding_recv_window_stall_small_initial_window (and _after_iws_change,
 * its 2^31-1 to 65535 form): our SETTINGS lowers INITIAL_WINDOW_SIZE
 * from 65535 to 1024 while the client, which has not seen it, sends a
 * 16384-octet DATA frame that the application consumes at once. When the
 * ACK arrives both sides move the stream window by -64511 (§6.9.2): the
 * client's is now -15360, and only a WINDOW_UPDATE can reopen it. Before
 * the fix the 16384 consumed octets were due but the stream was never
 * marked for an update (the rebase, not a consume, made them due): the
 * upload stalled for ever. */
static void test_diff_recv_window_shrunk_after_consume(void **state) {
  static const h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                        1024};
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  assert_int_equal(h2w_session_submit_settings(s.s, &iv, 1), H2W_OK);
  EXPECT_OUT(&s, "SETTINGS 4:1024");
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x4, POST_REQ);
  h2w_fb_begin(&b, 0x0, 0x0, 1);
  h2w_fb_zeros(&b, 16384);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  tpeer_parse_out(&s);
  assert_false(tpeer_out_has(&s, "WINDOW_UPDATE*"));
  tpeer_out_clear(&s);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "WINDOW_UPDATE 1 16384");
  /* The client may send again: 1024 octets, the new window. */
  h2w_fb_begin(&b, 0x0, 0x0, 1);
  h2w_fb_zeros(&b, 1024);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* finding_push_response_past_lowered_max_concurrent: stream 2 is
 * promised while the client allows 100 streams, then its SETTINGS
 * MAX_CONCURRENT_STREAMS 0 arrives and the application answers the
 * promise. §5.1.2: reserved streams "do not count toward the stream
 * limit", the response's HEADERS opens the stream (reserved (local) to
 * half-closed (remote)), and "Endpoints MUST NOT exceed the limit set by
 * their peer". The response waits until the client raises the limit.
 * Before the fix its HEADERS left at once and nghttp2 called it a
 * protocol error. */
static void test_diff_push_response_waits_for_lowered_limit(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv pr[8];
  h2w_nv rs[1];
  size_t n = tnv(pr, 8, PUSH_REQ);
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_push_promise(s.s, 1, pr, n, NULL), 2);
  EXPECT_OUT(&s, "PUSH_PROMISE 1*");
  settings1(&s, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0);
  tpeer_respond(&s, 2, RESP_200, NULL);
  /* answered once: the response waits, it is not submitted twice, and a
   * 1xx cannot go ahead of it (it would open the stream) */
  assert_int_equal(tnv(rs, 1, RESP_200), 1);
  assert_int_equal(h2w_session_submit_response(s.s, 2, rs, 1, NULL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(tnv(rs, 1, H(":status", "103")), 1);
  assert_int_equal(h2w_session_submit_informational(s.s, 2, rs, 1),
                   H2W_E_INVALID_STATE);
  EXPECT_OUT(&s, "SETTINGS ack");
  assert_false(h2w_session_want_write(s.s));
  assert_int_equal(h2w_session_stream_state(s.s, 2),
                   H2W_STREAM_STATE_RESERVED_LOCAL);
  /* The request stream's response still goes out. */
  tpeer_respond(&s, 1, RESP_200, NULL);
  EXPECT_OUT(&s, "HEADERS 1 es eh*");
  settings1(&s, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 1);
  EXPECT_OUT(&s, "SETTINGS ack", "HEADERS 2 es eh*");
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The same with the limit lowered to 1 while three promises wait: one
 * pushed response at a time, the next once the open one has closed. A
 * reset of a waiting promise sends RST_STREAM (the client knows the
 * stream: it is reserved for it). */
static void test_diff_push_responses_one_slot(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv pr[8];
  tsrc *src;
  size_t n = tnv(pr, 8, PUSH_REQ);
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_push_promise(s.s, 1, pr, n, NULL), 2);
  assert_int_equal(h2w_session_submit_push_promise(s.s, 1, pr, n, NULL), 4);
  assert_int_equal(h2w_session_submit_push_promise(s.s, 1, pr, n, NULL), 6);
  EXPECT_OUT(&s, "PUSH_PROMISE 1*", "PUSH_PROMISE 1*", "PUSH_PROMISE 1*");
  assert_int_equal(h2w_session_open_streams(s.s), 4);
  settings1(&s, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 1);
  /* No new promise while the reserved and open pushed streams fill the
   * client's limit (h2wire.h). */
  assert_int_equal(h2w_session_submit_push_promise(s.s, 1, pr, n, NULL),
                   H2W_E_LIMIT);
  src = tpeer_source(&s, NULL, 10);
  src->defer_at = 5; /* stream 2 stays open */
  tpeer_respond(&s, 2, RESP_200, src);
  tpeer_respond(&s, 4, RESP_200, NULL);
  tpeer_respond(&s, 6, RESP_200, NULL);
  EXPECT_OUT(&s, "SETTINGS ack", "HEADERS 2 eh*", "DATA 2 5");
  assert_int_equal(h2w_session_stream_state(s.s, 4),
                   H2W_STREAM_STATE_RESERVED_LOCAL);
  assert_int_equal(h2w_session_submit_rst_stream(s.s, 6, H2W_CANCEL), H2W_OK);
  EXPECT_OUT(&s, "RST_STREAM 6 CANCEL");
  assert_int_equal(h2w_session_resume_data(s.s, 2), H2W_OK);
  EXPECT_OUT(&s, "DATA 2 5 es", "HEADERS 4 es eh*");
  assert_int_equal(h2w_session_open_streams(s.s), 1); /* the request */
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A response block starting with a dynamic table size update (RFC 7541
 * §6.3) to `size` < 2^12 + 31, then :status 200 (static index 8). */
static void headers_with_update(h2w_fb *b, uint32_t id, uint32_t size,
                                uint32_t flags) {
  uint32_t rest = size - 31;
  h2w_fb_begin(b, 0x1, 0x4 | flags, id);
  h2w_fb_u8(b, 0x3f);
  h2w_fb_u8(b, 0x80 | (rest & 0x7f));
  h2w_fb_u8(b, rest >> 7);
  h2w_fb_u8(b, 0x88);
  h2w_fb_end(b);
}

/* finding_hpack_error_after_own_goaway: our SETTINGS_HEADER_TABLE_SIZE is
 * 0 in force and 4096 announced, not yet acknowledged; nghttp2 applied
 * the 4096 (it sends no ACK once closing) and starts its next block with
 * a size update to 4096. The update's limit is the largest value we have
 * announced and not seen superseded by an acknowledged one (RFC 7541
 * §6.3: "The new maximum size MUST be lower than or equal to the limit
 * determined by the protocol"): we agreed to hold that much. Before the
 * fix the limit was the value in force (0): COMPRESSION_ERROR. */
static void test_diff_hpack_update_up_to_pending_size(void **state) {
  static const h2w_settings_entry hts0 = {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 0};
  static const h2w_settings_entry hts4k = {H2W_SETTINGS_HEADER_TABLE_SIZE, 0,
                                           4096};
  static const uint8_t to_zero[] = {0x20, 0x88}; /* update to 0, :status */
  tpeer c;
  h2w_fb b;
  client(&c, state, 0);
  h2w_fb_init(&b);
  assert_int_equal(h2w_session_submit_settings(c.s, &hts0, 1), H2W_OK);
  EXPECT_OUT(&c, "SETTINGS 1:0");
  h2w_fb_settings(&b, 0x1, NULL, 0);
  tpeer_feed_ok(&c, &b);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  EXPECT_OUT(&c, "HEADERS 1 es*");
  h2w_fb_headers(&b, 1, 0x5, to_zero, sizeof to_zero);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "settings_ack", "begin_headers 1 resp", "headers 1 resp es=1",
             "end 1", "close 1 NO_ERROR");
  /* 0 in force, 4096 announced: the peer applies it before its ACK */
  assert_int_equal(h2w_session_submit_settings(c.s, &hts4k, 1), H2W_OK);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  EXPECT_OUT(&c, "SETTINGS 1:4096", "HEADERS 3 es*");
  headers_with_update(&b, 3, 4096, 0x1);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "begin_headers 3 resp", "headers 3 resp es=1", "end 3",
             "close 3 NO_ERROR");
  /* A size update above every value announced is still refused. */
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 5);
  EXPECT_OUT(&c, "HEADERS 5 es*");
  headers_with_update(&b, 5, 4097, 0x1);
  (void)tpeer_feed_fb(&c, &b);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_E_COMPRESSION);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The §4.2 rule still binds once a lower value is acknowledged: our
 * SETTINGS_HEADER_TABLE_SIZE 1024 is announced while 4096 is in force;
 * an update to 2048 before the ACK is within what we allowed, but after
 * the ACK the next block must start with an update to at most 1024. */
static void test_diff_hpack_lowered_size_still_signalled(void **state) {
  static const h2w_settings_entry hts1k = {H2W_SETTINGS_HEADER_TABLE_SIZE, 0,
                                           1024};
  tpeer c;
  h2w_fb b;
  client(&c, state, 0);
  h2w_fb_init(&b);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(h2w_session_submit_settings(c.s, &hts1k, 1), H2W_OK);
  EXPECT_OUT(&c, "SETTINGS 1:1024", "HEADERS 1 es*");
  headers_with_update(&b, 1, 2048, 0x1);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "begin_headers 1 resp", "headers 1 resp es=1", "end 1",
             "close 1 NO_ERROR");
  h2w_fb_settings(&b, 0x1, NULL, 0);
  tpeer_feed_ok(&c, &b);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  EXPECT_OUT(&c, "HEADERS 3 es*");
  tpeer_fb_headers(&c, &b, 3, 0x1, RESP_200); /* no update */
  (void)tpeer_feed_fb(&c, &b);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_E_COMPRESSION);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The other half of finding_hpack_error_after_own_goaway: a request
 * still waiting for a stream slot when we send GOAWAY does not start
 * afterwards (it would open a stream on a connection we are closing, and
 * h2w_session_submit_request() refuses new ones then): it closes at once
 * as never sent, retryable (RFC 9113 §8.7). Before the fix it left once
 * a slot freed up, after our GOAWAY. */
static void test_diff_queued_request_after_own_goaway(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  EXPECT_OUT(&c, "HEADERS 1 es*");
  assert_int_equal(h2w_session_submit_goaway(c.s, H2W_NO_ERROR, NULL, 0),
                   H2W_OK);
  EXPECT_OUT(&c, "GOAWAY*");
  EXPECT_LOG(&c, "close 3 * retryable");
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "begin_headers 1 resp", "headers 1 resp es=1", "end 1",
             "close 1 NO_ERROR");
  EXPECT_OUT_EMPTY(&c);
  assert_false(h2w_session_want_read(c.s));
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* A response header block of 12 + vlen octets (vlen > 127): :status 200
 * and one literal field "x-big" (not indexed, not Huffman-coded). */
static size_t big_block(uint8_t *out, size_t vlen) {
  size_t n = 0;
  size_t rest = vlen - 127u;
  out[n++] = 0x88; /* indexed :status 200 */
  out[n++] = 0x00; /* literal without indexing, new name */
  out[n++] = 5;
  memcpy(out + n, "x-big", 5);
  n += 5;
  out[n++] = 0x7f; /* value length: 127 + the integer that follows */
  while (rest >= 128u) {
    out[n++] = (uint8_t)(0x80u | (rest & 0x7fu));
    rest >>= 7;
  }
  out[n++] = (uint8_t)rest;
  memset(out + n, 'a', vlen);
  return n + vlen;
}

/* finding_frame_size_error_on_large_headers, h2wire's side (nghttp2's is
 * an allowed difference of the harness, fuzz/README.md): our
 * SETTINGS_MAX_FRAME_SIZE goes from 65536 (acknowledged) down to 16384,
 * followed by a SETTINGS without MAX_FRAME_SIZE. Until the lowering is
 * acknowledged the peer may still send frames up to 65536 (§6.5.3: it
 * may not have processed it yet); ACKs answer our SETTINGS oldest first,
 * so the first ACK puts 16384 in force although the second SETTINGS is
 * still outstanding, and a 17,012-octet HEADERS is then refused (§4.2:
 * "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame
 * exceeds the size defined in SETTINGS_MAX_FRAME_SIZE"), as a connection
 * error (a frame carrying a field block), at the frame's first octet. */
static void test_diff_frame_size_after_acked_lowering(void **state) {
  static const h2w_settings_entry low = {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 16384};
  static const h2w_settings_entry iws = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                         65535};
  static uint8_t blk[17100];
  size_t n = big_block(blk, 17000);
  tpeer c;
  h2w_fb b;
  h2w_options *opt = NULL;
  uint64_t fed = 18; /* tpeer_handshake(): the peer's SETTINGS and ACK */
  uint64_t at = 0;
  uint32_t code = 0;
  uint32_t v = 0;
  assert_int_equal(n, 17012);
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_frame_size(opt, 65536), H2W_OK);
  tpeer_start(&c, 0, tmode(state), opt);
  h2w_options_del(opt);
  c.mute |= TEV_HEADER;
  tpeer_handshake(&c);
  assert_int_equal(h2w_session_setting(c.s, H2W_SETTINGS_LOCAL,
                                       H2W_SETTINGS_MAX_FRAME_SIZE, &v),
                   H2W_OK);
  assert_int_equal(v, 65536);
  h2w_fb_init(&b);
  assert_int_equal(h2w_session_submit_settings(c.s, &low, 1), H2W_OK);
  assert_int_equal(h2w_session_submit_settings(c.s, &iws, 1), H2W_OK);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  EXPECT_OUT(&c, "SETTINGS 5:16384", "SETTINGS 4:65535", "HEADERS 1 es*");
  /* both SETTINGS outstanding: the peer may not have seen the 16384 */
  h2w_fb_headers(&b, 1, 0x5, blk, n);
  fed += b.len;
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "begin_headers 1 resp", "headers 1 resp es=1", "end 1",
             "close 1 NO_ERROR");
  /* the first ACK answers the first SETTINGS */
  h2w_fb_settings(&b, 0x1, NULL, 0);
  fed += b.len;
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "settings_ack");
  assert_int_equal(h2w_session_setting(c.s, H2W_SETTINGS_LOCAL,
                                       H2W_SETTINGS_MAX_FRAME_SIZE, &v),
                   H2W_OK);
  assert_int_equal(v, 16384);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  EXPECT_OUT(&c, "HEADERS 3 es*");
  h2w_fb_headers(&b, 3, 0x5, blk, n);
  assert_true(tpeer_feed_fb(&c, &b) < 0);
  assert_int_equal(h2w_session_error(c.s, &code, NULL, &at), H2W_E_FRAME_SIZE);
  assert_int_equal(code, H2W_FRAME_SIZE_ERROR);
  assert_int_equal(at, fed);
  assert_false(tpeer_log_has(&c, "begin_headers 3*"));
  assert_true(tpeer_out_has(&c, "GOAWAY last=0 FRAME_SIZE_ERROR*"));
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* One h2w_session_send() of `cap` octets, kept in the peer's unparsed
 * output as if the transport had taken them. */
static void send_cut(tpeer *c, size_t cap) {
  uint8_t buf[16];
  size_t i;
  assert_true(cap <= sizeof buf);
  assert_int_equal(h2w_session_send(c->s, buf, cap), (h2w_ssize)cap);
  for (i = 0; i < cap; i++) {
    if (c->outlen == c->outcap) {
      c->outcap = c->outcap != 0 ? c->outcap * 2 : 64;
      c->out = realloc(c->out, c->outcap);
      assert_non_null(c->out);
    }
    c->out[c->outlen++] = buf[i];
  }
}

/* regress_harness_headers_cut_across_lowered_limit: a send() of 3 octets
 * starts stream 3's HEADERS while the server allows any number of
 * streams; its SETTINGS MAX_CONCURRENT_STREAMS 1 arrives before the rest
 * is written. The stream opened with the frame's first octet (§5.1.2, the
 * limit then in force): the frame is finished whole, before the ACK
 * (§6.5.3), and only streams started later obey the new limit: 5 waits
 * until both 1 and 3 are closed. The server may refuse 3 (§5.1.2
 * REFUSED_STREAM: it counts 2 streams against its 1), which closes it as
 * retryable (§8.7). The harness had judged the frame by the limit in
 * force at its last octet and called the refusal h2wire's fault. */
static void test_diff_cut_headers_finished_after_lowered_limit(void **state) {
  tpeer c;
  h2w_fb b;
  client(&c, state, 0);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  EXPECT_OUT(&c, "HEADERS 1 es*");
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 5);
  send_cut(&c, 3);
  settings1(&c, H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 1);
  EXPECT_OUT(&c, "HEADERS 3 es*", "SETTINGS ack");
  EXPECT_LOG(&c, "settings 3:1");
  assert_int_equal(h2w_session_stream_state(c.s, 5), H2W_STREAM_STATE_IDLE);
  h2w_fb_init(&b);
  h2w_fb_rst_stream(&b, 3, H2W_REFUSED_STREAM);
  tpeer_feed_ok(&c, &b);
  EXPECT_LOG(&c, "reset 3 REFUSED_STREAM",
             "close 3 REFUSED_STREAM reset retryable");
  /* stream 1 still holds the one slot */
  EXPECT_OUT_EMPTY(&c);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  EXPECT_OUT(&c, "HEADERS 5 es*");
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The client, told SETTINGS_MAX_CONCURRENT_STREAMS 2, sends request 1
 * (POST: 10 octets of body, then either trailers to come (trailers) or
 * 10 more octets after a deferral) and 3 (GET, END_STREAM); 5 (GET)
 * waits. The server then ends 1 (END_STREAM): half-closed (remote), it
 * still holds its slot (§5.1.2), so 5 still waits. b is left initialised
 * for the caller's frames. */
static void ended_request_holds_slot(tpeer *c, void **state, h2w_fb *b,
                                     int trailers) {
  tsrc *src;
  client(c, state, 2);
  src = tpeer_source(c, NULL, trailers ? 10 : 20);
  if (trailers) {
    src->trailers = 1;
  } else {
    src->defer_at = 10;
  }
  assert_int_equal(tpeer_request(c, POST_REQ, src), 1);
  assert_int_equal(tpeer_request(c, GET_REQ, NULL), 3);
  assert_int_equal(tpeer_request(c, GET_REQ, NULL), 5);
  tpeer_parse_out(c);
  assert_true(tpeer_out_has(c, "HEADERS 1 eh*"));
  assert_true(tpeer_out_has(c, "DATA 1 10"));
  assert_true(tpeer_out_has(c, "HEADERS 3 es*"));
  assert_false(tpeer_out_has(c, "HEADERS 5*"));
  tpeer_out_clear(c);
  h2w_fb_init(b);
  tpeer_fb_headers(c, b, 1, 0x1, RESP_200);
  tpeer_feed_ok(c, b);
  EXPECT_OUT_EMPTY(c);
  assert_int_equal(h2w_session_stream_state(c->s, 5), H2W_STREAM_STATE_IDLE);
}

/* finding_nghttp2_counts_stream_it_is_resetting (nghttp2's; this pins
 * h2wire's side): the server allows 2 streams. Request 1 has a body that
 * ends with trailers; the server answers it with END_STREAM and then
 * decides to reset it, but its RST_STREAM has not left when our trailers
 * close the stream: both sides have sent END_STREAM, so stream 1 is
 * closed (RFC 9113 §5.1) and stops counting (§5.1.2). The waiting
 * request 5 leaves in the same output as the trailers. nghttp2 1.52
 * ignores frames on a stream it is resetting, still counts it, and ends
 * the connection over request 5, where §5.1.2 asks for a stream error. */
static void test_diff_trailers_free_slot_before_peer_reset(void **state) {
  tpeer c;
  h2w_fb b;
  h2w_nv tr[1];
  ended_request_holds_slot(&c, state, &b, 1);
  assert_int_equal(tnv(tr, 1, H("x-trailer", "1")), 1);
  assert_int_equal(h2w_session_submit_trailers(c.s, 1, tr, 1), H2W_OK);
  EXPECT_OUT(&c, "HEADERS 1 es eh*", "HEADERS 5 es*");
  assert_int_equal(h2w_session_stream_state(c.s, 1), H2W_STREAM_STATE_CLOSED);
  /* the server's reset arrives after: a frame on a closed stream that
   * we ended ourselves a moment ago, not an error (§5.1 "closed") */
  h2w_fb_rst_stream(&b, 1, H2W_NO_ERROR);
  tpeer_feed_ok(&c, &b);
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* diff_client/regress_nghttp2_counts_stream_it_is_resetting_block_in_parts
 * (nghttp2's, as above; this pins h2wire's side of the new shape): the
 * server allows 2 streams and frames up to 2^24-1 octets. Request 1
 * (body, then trailers) is answered with END_STREAM; request 3 is
 * half-closed (local); 5 and a request 7 with a 28,000-octet field
 * (17,500 octets Huffman-coded) wait. We reset 3: 5 takes its slot. Our
 * trailers then close 1 (END_STREAM both ways, §5.1), and 7 leaves behind them
 * in the same output as one HEADERS frame of more than 16384 octets (§4.2: the
 * peer's MAX_FRAME_SIZE allows it), with 2 streams open (5, 7). Its first
 * octets go out before the rest; the server's late RST_STREAM on 1
 * arriving meanwhile is no error. nghttp2 judges the stream limit at the
 * frame header, before the block is whole, which the harness had
 * numbered only at its last octet. */
static void
test_diff_reset_and_trailers_free_slots_for_big_request(void **state) {
  static char big[28001]; /* Huffman: 5 bits an octet, 17,500 octets */
  tpeer c;
  h2w_fb b;
  tsrc *src;
  h2w_nv tr[1];
  size_t first;
  client(&c, state, 2);
  settings1(&c, H2W_SETTINGS_MAX_FRAME_SIZE, 16777215);
  memset(big, 'a', sizeof big - 1);
  src = tpeer_source(&c, NULL, 10);
  src->trailers = 1;
  assert_int_equal(tpeer_request(&c, POST_REQ, src), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  tpeer_parse_out(&c);
  tpeer_out_clear(&c);
  h2w_fb_init(&b);
  tpeer_fb_headers(&c, &b, 1, 0x1, RESP_200);
  tpeer_feed_ok(&c, &b);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 5);
  assert_int_equal(
      tpeer_request(&c,
                    H(":method", "GET", ":scheme", "https", ":authority",
                      "example.org", ":path", "/big", "x-big", big),
                    NULL),
      7);
  EXPECT_OUT_EMPTY(&c); /* 1 (half-closed remote) and 3 hold both slots */
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 3, H2W_CANCEL), H2W_OK);
  EXPECT_OUT(&c, "RST_STREAM 3*", "HEADERS 5 es*");
  assert_int_equal(h2w_session_stream_state(c.s, 7), H2W_STREAM_STATE_IDLE);
  assert_int_equal(tnv(tr, 1, H("x-trailer", "1")), 1);
  assert_int_equal(h2w_session_submit_trailers(c.s, 1, tr, 1), H2W_OK);
  send_cut(&c, 16);
  send_cut(&c, 16);
  send_cut(&c, 16);
  assert_int_equal(h2w_session_stream_state(c.s, 1), H2W_STREAM_STATE_CLOSED);
  assert_int_equal(h2w_session_stream_state(c.s, 7),
                   H2W_STREAM_STATE_HALF_CLOSED_LOCAL);
  h2w_fb_rst_stream(&b, 1, H2W_NO_ERROR);
  tpeer_feed_ok(&c, &b);
  assert_true(tpeer_read_out(&c) > 0);
  /* the trailers, then request 7's whole block in one HEADERS frame */
  assert_true(c.outlen > 9);
  first = 9 + ((size_t)c.out[0] << 16 | (size_t)c.out[1] << 8 | c.out[2]);
  assert_true(c.outlen > first + 9);
  assert_int_equal(c.out[first + 3], 1);   /* HEADERS */
  assert_int_equal(c.out[first + 4], 0x5); /* END_STREAM|END_HEADERS */
  assert_int_equal(c.out[first + 8], 7);
  assert_true(((size_t)c.out[first] << 16 | (size_t)c.out[first + 1] << 8 |
               c.out[first + 2]) > 16384);
  EXPECT_OUT(&c, "HEADERS 1 es eh*", "HEADERS 7 es eh*");
  assert_int_equal(h2w_session_stream_state(c.s, 5),
                   H2W_STREAM_STATE_HALF_CLOSED_LOCAL);
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* diff_client/regress_nghttp2_counts_stream_it_resets_for_flow_control
 * (nghttp2's; this pins h2wire's side): the server allows 2 streams and
 * has ended request 1, whose deferred body is still running. When the
 * body's last DATA (END_STREAM) leaves, stream 1 is closed (§5.1) and the
 * waiting request 5 leaves in the same output. nghttp2 had queued a
 * RST_STREAM FLOW_CONTROL_ERROR on 1 at our SETTINGS ACK (its raised
 * INITIAL_WINDOW_SIZE overflowed its own receive window there), ignored
 * the END_STREAM and still counted 1 when 5's HEADERS arrived; its late
 * RST_STREAM on the closed stream is no error for us. */
static void test_diff_body_end_frees_slot_before_peer_flow_reset(void **state) {
  tpeer c;
  h2w_fb b;
  ended_request_holds_slot(&c, state, &b, 0);
  assert_int_equal(h2w_session_resume_data(c.s, 1), H2W_OK);
  EXPECT_OUT(&c, "DATA 1 10 es", "HEADERS 5 es*");
  assert_int_equal(h2w_session_stream_state(c.s, 1), H2W_STREAM_STATE_CLOSED);
  h2w_fb_rst_stream(&b, 1, H2W_FLOW_CONTROL_ERROR);
  tpeer_feed_ok(&c, &b);
  assert_no_error(&c);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* finding_request_stream_never_closed_on_client (a harness fault, this
 * pins h2wire's side of it): the server lowers INITIAL_WINDOW_SIZE to 0
 * while the client, which has not seen it, sends 60 octets of a longer
 * body; the server answers with END_STREAM. The stream is half-closed
 * (local), still receiving (§5.1): the consumed octets go back with a
 * WINDOW_UPDATE after the ACK, which leaves the stream window at 0, the
 * window the application chose (§6.9.2). Reopening it is the
 * application's: a SETTINGS is refused while 8 are unacknowledged
 * (H2W_E_LIMIT, nothing sent) and accepted once one is acknowledged;
 * then the rest of the body arrives. */
static void test_diff_upload_after_early_response_zero_window(void **state) {
  static const h2w_settings_entry zero = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                          0};
  static const h2w_settings_entry open = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                          65535};
  static const h2w_settings_entry hts = {H2W_SETTINGS_HEADER_TABLE_SIZE, 0,
                                         4096};
  tpeer s;
  h2w_fb b;
  int32_t rw = -1;
  server(&s, state, NULL);
  assert_int_equal(h2w_session_submit_settings(s.s, &zero, 1), H2W_OK);
  EXPECT_OUT(&s, "SETTINGS 4:0");
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x4, POST_REQ);
  h2w_fb_begin(&b, 0x0, 0x0, 1);
  h2w_fb_zeros(&b, 60);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  tpeer_respond(&s, 1, RESP_200, NULL);
  EXPECT_OUT(&s, "HEADERS 1 es eh*");
  assert_int_equal(h2w_session_stream_state(s.s, 1),
                   H2W_STREAM_STATE_HALF_CLOSED_LOCAL);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "WINDOW_UPDATE 1 60");
  assert_int_equal(h2w_session_window(s.s, 1, &rw, NULL), H2W_OK);
  assert_int_equal(rw, 0);
  for (int i = 0; i < 8; i++) {
    assert_int_equal(h2w_session_submit_settings(s.s, &hts, 1), H2W_OK);
  }
  assert_int_equal(h2w_session_submit_settings(s.s, &open, 1), H2W_E_LIMIT);
  tpeer_parse_out(&s);
  assert_false(tpeer_out_has(&s, "SETTINGS 4:*"));
  tpeer_out_clear(&s);
  h2w_fb_settings(&b, 0x1, NULL, 0); /* one ACK frees a slot */
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_settings(s.s, &open, 1), H2W_OK);
  EXPECT_OUT(&s, "SETTINGS 4:65535");
  for (int i = 0; i < 8; i++) {
    h2w_fb_settings(&b, 0x1, NULL, 0);
  }
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_window(s.s, 1, &rw, NULL), H2W_OK);
  assert_int_equal(rw, 65535);
  h2w_fb_begin(&b, 0x0, 0x1, 1);
  h2w_fb_zeros(&b, 40);
  h2w_fb_end(&b);
  tpeer_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 1"));
  assert_int_equal(h2w_session_stream_state(s.s, 1), H2W_STREAM_STATE_CLOSED);
  assert_no_error(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_diff_max_concurrent_applied_before_write),
      SPLIT_TESTS(test_diff_trailers_for_queued_request),
      SPLIT_TESTS(test_diff_window_update_on_reserved_local),
      SPLIT_TESTS(test_diff_recv_window_shrunk_after_consume),
      SPLIT_TESTS(test_diff_push_response_waits_for_lowered_limit),
      SPLIT_TESTS(test_diff_push_responses_one_slot),
      SPLIT_TESTS(test_diff_hpack_update_up_to_pending_size),
      SPLIT_TESTS(test_diff_hpack_lowered_size_still_signalled),
      SPLIT_TESTS(test_diff_queued_request_after_own_goaway),
      SPLIT_TESTS(test_diff_frame_size_after_acked_lowering),
      SPLIT_TESTS(test_diff_cut_headers_finished_after_lowered_limit),
      SPLIT_TESTS(test_diff_upload_after_early_response_zero_window),
      SPLIT_TESTS(test_diff_trailers_free_slot_before_peer_reset),
      SPLIT_TESTS(test_diff_reset_and_trailers_free_slots_for_big_request),
      SPLIT_TESTS(test_diff_body_end_frees_slot_before_peer_flow_reset),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

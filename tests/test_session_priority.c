/* RFC 9218 in the session: the priority header and PRIORITY_UPDATE set a
 * stream's urgency, and the DATA scheduler serves urgent streams first,
 * round-robins incremental ones and finishes non-incremental ones in
 * turn. Receive tests in the three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

#define BODY 200000

#define REQ_PRIO(p)                                                            \
  H(":method", "GET", ":scheme", "https", ":authority", "example.org",         \
    ":path", "/", "priority", p)

static void pair(tpeer *c, tpeer *s, void **state) {
  tpeer_start(c, 0, tmode(state), NULL);
  tpeer_start(s, 1, tmode(state), NULL);
  c->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump(c, s);
  tpeer_log_clear(c);
  tpeer_log_clear(s);
}

/* Stream `id` of session `s` has urgency u and incremental flag i. */
static void expect_prio(const h2w_session *s, uint32_t id, int u, int i) {
  int gu = -1, gi = -1;
  assert_int_equal(h2w_session_stream_priority(s, id, &gu, &gi), H2W_OK);
  assert_int_equal(gu, u);
  assert_int_equal(gi, i);
}

/* Two requests, both answered with BODY octets before any output is
 * read; returns the client's log for checking. */
static void race(tpeer *c, tpeer *s, const char *p1, const char *p3) {
  int32_t a = tpeer_request(c, REQ_PRIO(p1), NULL);
  int32_t b = tpeer_request(c, REQ_PRIO(p3), NULL);
  assert_int_equal(a, 1);
  assert_int_equal(b, 3);
  tpump(c, s);
  tpeer_respond(s, 1, RESP_200, tpeer_source(s, NULL, BODY));
  tpeer_respond(s, 3, RESP_200, tpeer_source(s, NULL, BODY));
  tpump(c, s);
}

/* The high-urgency stream overtakes the bulk one answered before it. */
static void test_priority_urgent_overtakes_bulk(void **state) {
  tpeer c, s;
  int u, i;
  pair(&c, &s, state);
  race(&c, &s, "u=5", "u=0");
  assert_int_equal(h2w_session_stream_priority(s.s, 1, &u, &i),
                   H2W_E_INVALID_STATE); /* closed by now */
  /* All of stream 3 before the first octet of stream 1's body. */
  assert_true(tpeer_log_index(&c, "end 3") >= 0);
  assert_true(tpeer_log_index(&c, "end 3") < tpeer_log_index(&c, "data 1 *"));
  assert_true(tpeer_log_index(&c, "end 1") >= 0);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* The control: same urgency, not incremental: served in turn, so the
 * first answered finishes first. */
static void test_priority_same_urgency_in_turn(void **state) {
  tpeer c, s;
  pair(&c, &s, state);
  race(&c, &s, "u=3", "u=3");
  assert_true(tpeer_log_index(&c, "end 1") >= 0);
  assert_true(tpeer_log_index(&c, "end 1") < tpeer_log_index(&c, "data 3 *"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Incremental streams of one urgency share the connection: their data
 * lines alternate many times. */
static void test_priority_incremental_share(void **state) {
  tpeer c, s;
  const char *p;
  int switches = 0, last = 0;
  pair(&c, &s, state);
  race(&c, &s, "u=3, i", "u=3, i");
  for (p = c.log.buf; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1) {
    if (strncmp(p, "data ", 5) == 0) {
      int id = p[5] - '0';
      switches += last != 0 && id != last;
      last = id;
    }
    if (strchr(p, '\n') == NULL) {
      break;
    }
  }
  assert_true(switches >= 10);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A client's PRIORITY_UPDATE reorders responses already being sent, and
 * one sent before its request opens is applied when it does. */
static void test_priority_update_frames(void **state) {
  tpeer c, s;
  int u;
  pair(&c, &s, state);
  assert_int_equal(h2w_session_submit_priority_update(c.s, 5, "u=1, i", 6),
                   H2W_OK);
  tpump(&c, &s);
  (void)tpeer_request(&c, REQ_PRIO("u=3"), NULL);
  (void)tpeer_request(&c, REQ_PRIO("u=3"), NULL);
  (void)tpeer_request(&c, REQ_PRIO("u=6"), NULL);
  tpump(&c, &s);
  /* The frame outranks the header (RFC 9218 §7). */
  expect_prio(s.s, 5, 1, 1);
  expect_prio(s.s, 3, 3, 0);
  assert_int_equal(h2w_session_submit_priority_update(c.s, 3, "u=0", 3),
                   H2W_OK);
  tpump(&c, &s);
  assert_int_equal(h2w_session_stream_priority(s.s, 3, &u, NULL), H2W_OK);
  assert_int_equal(u, 0);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, BODY));
  tpeer_respond(&s, 3, RESP_200, tpeer_source(&s, NULL, BODY));
  tpeer_respond(&s, 5, RESP_200, tpeer_source(&s, NULL, BODY));
  tpump(&c, &s);
  assert_true(tpeer_log_index(&c, "end 3") < tpeer_log_index(&c, "data 5 *"));
  assert_true(tpeer_log_index(&c, "end 5") < tpeer_log_index(&c, "data 1 *"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* The application overrides the client's signal. */
static void test_priority_set_by_application(void **state) {
  tpeer c, s;
  pair(&c, &s, state);
  (void)tpeer_request(&c, REQ_PRIO("u=0"), NULL);
  (void)tpeer_request(&c, REQ_PRIO("u=7"), NULL);
  tpump(&c, &s);
  assert_int_equal(h2w_session_set_stream_priority(s.s, 1, 7, 0), H2W_OK);
  assert_int_equal(h2w_session_set_stream_priority(s.s, 3, 0, 0), H2W_OK);
  assert_int_equal(h2w_session_set_stream_priority(s.s, 3, 8, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_set_stream_priority(s.s, 99, 1, 0),
                   H2W_E_INVALID_STATE);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, BODY));
  tpeer_respond(&s, 3, RESP_200, tpeer_source(&s, NULL, BODY));
  tpump(&c, &s);
  assert_true(tpeer_log_index(&c, "end 3") < tpeer_log_index(&c, "data 1 *"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* §7.1: a client receiving PRIORITY_UPDATE closes the connection; a server
 * ignores one for a closed stream (a glitch), and the frame on
 * a stream other than 0 is a PROTOCOL_ERROR. Our preface announces
 * NO_RFC7540_PRIORITIES. */
static void test_priority_update_rules(void **state) {
  tpeer c, s;
  h2w_fb b;
  h2w_options *opt;
  int k;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  h2w_fb_init(&b);
  h2w_fb_begin(&b, 0x10, 0, 0);
  h2w_fb_u32(&b, 1);
  h2w_fb_str(&b, "u=1");
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&c, &b), H2W_E_PROTOCOL);
  EXPECT_OUT(&c, "GOAWAY last=0 PROTOCOL_ERROR*");
  tpeer_free(&c);
  /* A small glitch budget shows each ignored frame is counted. */
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_glitch_limit(opt, 20, 0), H2W_OK);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  tpeer_handshake(&s);
  {
    uint32_t v = 0;
    assert_int_equal(h2w_session_setting(s.s, H2W_SETTINGS_LOCAL,
                                         H2W_SETTINGS_NO_RFC7540_PRIORITIES,
                                         &v),
                     H2W_OK);
    assert_int_equal(v, 1);
  }
  h2w_fb_clear(&b);
  tpeer_fb_headers(&s, &b, 1, 0x5, GET_REQ);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  /* Stream 1 is closed. (Stream 2, a push stream never promised, is a
   * PROTOCOL_ERROR since issue 14 H: see test_defects_streams.c.) */
  for (k = 0; k < 19; k++) {
    h2w_fb_begin(&b, 0x10, 0, 0);
    h2w_fb_u32(&b, 1u);
    h2w_fb_str(&b, "u=1");
    h2w_fb_end(&b);
  }
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_clear(&b);
  h2w_fb_begin(&b, 0x10, 0, 0);
  h2w_fb_u32(&b, 1);
  h2w_fb_end(&b);
  h2w_fb_begin(&b, 0x10, 0, 0);
  h2w_fb_u32(&b, 1);
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_FLOODED);
  assert_true(tpeer_out_has(&s, "GOAWAY last=1 ENHANCE_YOUR_CALM*"));
  tpeer_free(&s);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  h2w_fb_clear(&b);
  h2w_fb_begin(&b, 0x10, 0, 1);
  h2w_fb_u32(&b, 1);
  h2w_fb_end(&b);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A client's own request: its priority field (RFC 9218 §5) is the
 * stream's priority, which orders its body; a request without one has the
 * default (u=3, not incremental). With message validation (whose checks
 * note the field, so that a list without one is not searched) and
 * without it (the list is searched). */
static void test_priority_of_own_request(void **state) {
  int validate;
  for (validate = 0; validate <= 1; validate++) {
    tpeer c;
    h2w_options *opt = NULL;
    assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
    assert_int_equal(h2w_options_set_validate_messages(opt, validate), H2W_OK);
    tpeer_start(&c, 0, tmode(state), opt);
    h2w_options_del(opt);
    assert_int_equal(tpeer_request(&c, REQ_PRIO("u=1, i"), NULL), 1);
    assert_int_equal(tpeer_request(&c,
                                   H(":method", "GET", ":scheme", "https",
                                     ":authority", "example.org", ":path", "/",
                                     "x-priority", "u=0", "prioritx", "u=0"),
                                   NULL),
                     3);
    expect_prio(c.s, 1, 1, 1);
    expect_prio(c.s, 3, 3, 0);
    tpeer_free(&c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_priority_urgent_overtakes_bulk),
      SPLIT_TESTS(test_priority_same_urgency_in_turn),
      SPLIT_TESTS(test_priority_incremental_share),
      SPLIT_TESTS(test_priority_update_frames),
      SPLIT_TESTS(test_priority_set_by_application),
      SPLIT_TESTS(test_priority_update_rules),
      SPLIT_TESTS(test_priority_of_own_request),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* RFC 9113 §8 message validation in a session: malformed requests and
 * responses are stream errors PROTOCOL_ERROR (§8.1.1), the offending
 * field never reaches on_header and the application never sees the
 * stream end (docs/security.md rows 17, 18); with validation off the same
 * fields are delivered. Each case in the three split modes. */
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

#define REQ_PSEUDO                                                             \
  ":method", "GET", ":scheme", "https", ":authority", "example.org", ":path",  \
      "/"

typedef struct bad_case {
  const char *name;
  const char *const *fields;
  const char *leak; /* a field that must never be delivered ("name value") */
} bad_case;

static void start(tpeer *p, int is_server, void **state, int validate) {
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_validate_messages(opt, validate), H2W_OK);
  tpeer_start(p, is_server, tmode(state), opt);
  h2w_options_del(opt);
  tpeer_handshake(p);
}

/* The request is refused on its own stream; the connection lives on and
 * a following valid request is served. */
static void check_refused(tpeer *s, const bad_case *c) {
  h2w_fb b;
  h2w_fb_init(&b);
  tpeer_fb_headers(s, &b, 1, 0x1, c->fields);
  tpeer_feed_ok(s, &b);
  if (!tpeer_out_has(s, "RST_STREAM 1 PROTOCOL_ERROR")) {
    print_error("case %s: no RST_STREAM\n%s", c->name, s->frames.buf);
    fail();
  }
  tpeer_out_clear(s);
  if (c->leak != NULL && tpeer_log_has(s, c->leak)) {
    print_error("case %s: field delivered\n%s", c->name, s->log.buf);
    fail();
  }
  assert_false(tpeer_log_has(s, "end 1"));
  assert_false(tpeer_log_has(s, "headers 1 *"));
  assert_true(tpeer_log_has(s, "error 1 PROTOCOL_ERROR"));
  assert_int_equal(h2w_session_error(s->s, NULL, NULL, NULL), H2W_OK);
  tpeer_log_clear(s);
  tpeer_fb_headers(s, &b, 3, 0x1, GET_REQ);
  tpeer_feed_ok(s, &b);
  assert_true(tpeer_log_has(s, "end 3"));
  h2w_fb_free(&b);
}

static const bad_case bad_requests[] = {
    {"uppercase name", H(REQ_PSEUDO, "X-Foo", "1"), "header 1 X-Foo 1"},
    {"connection", H(REQ_PSEUDO, "connection", "keep-alive"),
     "header 1 connection*"},
    {"keep-alive", H(REQ_PSEUDO, "keep-alive", "300"), "header 1 keep-alive*"},
    {"transfer-encoding", H(REQ_PSEUDO, "transfer-encoding", "chunked"),
     "header 1 transfer-encoding*"},
    {"upgrade", H(REQ_PSEUDO, "upgrade", "h2c"), "header 1 upgrade*"},
    {"te gzip", H(REQ_PSEUDO, "te", "gzip"), "header 1 te*"},
    {"missing :path",
     H(":method", "GET", ":scheme", "https", ":authority", "example.org"),
     NULL},
    {"missing :method",
     H(":scheme", "https", ":authority", "example.org", ":path", "/"), NULL},
    {"pseudo after regular",
     H(":method", "GET", ":scheme", "https", "x-a", "1", ":path", "/"),
     "header 1 :path /"},
    {"duplicated pseudo", H(REQ_PSEUDO, ":path", "/again"),
     "header 1 :path /again"},
    {"unknown pseudo", H(REQ_PSEUDO, ":foo", "bar"), "header 1 :foo*"},
    {"response pseudo in request", H(REQ_PSEUDO, ":status", "200"),
     "header 1 :status*"},
    {"empty name", H(REQ_PSEUDO, "", "v"), NULL},
    {"CR in value", H(REQ_PSEUDO, "x-a", "a\rb"), "header 1 x-a*"},
    {"LF in value", H(REQ_PSEUDO, "x-a", "a\nb"), "header 1 x-a*"},
    {"leading space", H(REQ_PSEUDO, "x-a", " v"), "header 1 x-a*"},
    {"colon in name", H(REQ_PSEUDO, "x:a", "v"), "header 1 x:a*"},
    {"empty :path",
     H(":method", "GET", ":scheme", "https", ":authority", "e", ":path", ""),
     NULL},
    {"content-length not digits", H(REQ_PSEUDO, "content-length", "1x"),
     "header 1 content-length*"},
};

static void test_bad_requests(void **state) {
  size_t i;
  for (i = 0; i < sizeof bad_requests / sizeof bad_requests[0]; i++) {
    tpeer s;
    start(&s, 1, state, 1);
    check_refused(&s, &bad_requests[i]);
    tpeer_free(&s);
  }
}

/* te: trailers is the one te value allowed (§8.2.2). */
static void test_te_trailers_ok(void **state) {
  tpeer s;
  h2w_fb b;
  start(&s, 1, state, 1);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, H(REQ_PSEUDO, "te", "trailers"));
  tpeer_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "header 1 te trailers"));
  assert_true(tpeer_log_has(&s, "end 1"));
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §8.1.1: DATA shorter than content-length at END_STREAM. */
static void test_content_length_short(void **state) {
  tpeer s;
  h2w_fb b;
  start(&s, 1, state, 1);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0,
                   H(":method", "POST", ":scheme", "https", ":authority", "e",
                     ":path", "/", "content-length", "10"));
  h2w_fb_data(&b, 1, 0, "12345");
  h2w_fb_data(&b, 1, 0x1, "");
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "data 1 5",
             "error 1 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR reset");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §8.1.1: more DATA than content-length: refused before it is
 * delivered. */
static void test_content_length_excess(void **state) {
  tpeer s;
  h2w_fb b;
  start(&s, 1, state, 1);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0,
                   H(":method", "POST", ":scheme", "https", ":authority", "e",
                     ":path", "/", "content-length", "3"));
  h2w_fb_data(&b, 1, 0, "12");
  h2w_fb_data(&b, 1, 0, "345");
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "data 1 2",
             "error 1 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR reset");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A matching content-length is fine. */
static void test_content_length_exact(void **state) {
  tpeer s;
  h2w_fb b;
  start(&s, 1, state, 1);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0,
                   H(":method", "POST", ":scheme", "https", ":authority", "e",
                     ":path", "/", "content-length", "5"));
  h2w_fb_data(&b, 1, 0, "12");
  h2w_fb_data(&b, 1, 0x1, "345");
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT_EMPTY(&s);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "data 1 5",
             "end 1");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §8.3: trailers carry no pseudo-header fields. */
static void test_pseudo_in_trailers(void **state) {
  tpeer s;
  h2w_fb b;
  start(&s, 1, state, 1);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_data(&b, 1, 0, "x");
  tpeer_fb_headers(&s, &b, 1, 0x1, H(":path", "/x"));
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "end 1"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §8.1: trailers without END_STREAM are malformed. */
static void test_trailers_without_end_stream(void **state) {
  tpeer s;
  h2w_fb b;
  start(&s, 1, state, 1);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_fb_headers(&s, &b, 1, 0, H("x-t", "1"));
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "headers 1 trailers*"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Client side: bad responses are reset the same way. */
static const bad_case bad_responses[] = {
    {"missing :status", H("content-type", "x"), NULL},
    {"bad :status", H(":status", "2x0"), "header 1 :status*"},
    {"101", H(":status", "101"), "header 1 :status*"},
    {"request pseudo", H(":status", "200", ":path", "/"), "header 1 :path*"},
    {"uppercase", H(":status", "200", "Content-Type", "x"),
     "header 1 Content-Type*"},
};

static void test_bad_responses(void **state) {
  size_t i;
  for (i = 0; i < sizeof bad_responses / sizeof bad_responses[0]; i++) {
    tpeer c;
    h2w_fb b;
    start(&c, 0, state, 1);
    assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
    tpeer_out_clear(&c);
    h2w_fb_init(&b);
    tpeer_fb_headers(&c, &b, 1, 0x1, bad_responses[i].fields);
    tpeer_feed_ok(&c, &b);
    if (!tpeer_out_has(&c, "RST_STREAM 1 PROTOCOL_ERROR")) {
      print_error("case %s: no RST_STREAM\n", bad_responses[i].name);
      fail();
    }
    if (bad_responses[i].leak != NULL &&
        tpeer_log_has(&c, bad_responses[i].leak)) {
      print_error("case %s: field delivered\n", bad_responses[i].name);
      fail();
    }
    assert_false(tpeer_log_has(&c, "end 1"));
    assert_true(tpeer_log_has(&c, "close 1 PROTOCOL_ERROR reset"));
    h2w_fb_free(&b);
    tpeer_free(&c);
  }
}

/* Validation off: the same fields reach the application verbatim and the
 * stream ends normally; frame and stream rules still apply. */
static void test_validation_off_delivers(void **state) {
  tpeer s;
  h2w_fb b;
  start(&s, 1, state, 0);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1,
                   H(":method", "GET", "X-Foo", "1", "connection", "close",
                     ":path", "/", "te", "gzip"));
  tpeer_feed_ok(&s, &b);
  EXPECT_LOG(&s, "begin_headers 1 req", "header 1 :method GET",
             "header 1 X-Foo 1", "header 1 connection close",
             "header 1 :path /", "header 1 te gzip", "headers 1 req es=1",
             "end 1");
  EXPECT_OUT_EMPTY(&s);
  /* A content-length mismatch is not checked either. */
  tpeer_fb_headers(&s, &b, 3, 0,
                   H(":method", "POST", ":path", "/", "content-length", "9"));
  h2w_fb_data(&b, 3, 0x1, "abc");
  tpeer_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 3"));
  EXPECT_OUT_EMPTY(&s);
  /* Stream rules still hold: DATA after END_STREAM. */
  h2w_fb_data(&b, 3, 0x1, "more");
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "RST_STREAM 3 STREAM_CLOSED");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_bad_requests),
      SPLIT_TESTS(test_te_trailers_ok),
      SPLIT_TESTS(test_content_length_short),
      SPLIT_TESTS(test_content_length_excess),
      SPLIT_TESTS(test_content_length_exact),
      SPLIT_TESTS(test_pseudo_in_trailers),
      SPLIT_TESTS(test_trailers_without_end_stream),
      SPLIT_TESTS(test_bad_responses),
      SPLIT_TESTS(test_validation_off_delivers),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

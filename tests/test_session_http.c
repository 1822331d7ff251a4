/* Requests and responses through the loopback pump (RFC 9113 §8.1): a
 * client session talks to a server session in memory, in the three split
 * modes, and both event logs are checked as a conversation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "h2wire.h"
#include "pump.h"

/* What the server's hook answers, set per test. */
typedef struct app {
  const char *const *resp; /* response header list */
  size_t body;             /* body length (pattern), 0: none */
  const char *text;        /* or a text body */
  int trailers;            /* end the response with trailers */
  int informational;       /* send a 103 first */
  size_t defer_at;         /* the body source defers once there */
  int no_copy;             /* NO_COPY body source */
  int respond_at_headers;  /* answer at the request headers */
  tsrc *last;              /* the last body source created */
} app;

static void respond(tpeer *s, uint32_t id) {
  app *a = s->app;
  tsrc *src = NULL;
  if (a->informational) {
    h2w_nv nv[4];
    size_t n = tnv(nv, 4, H(":status", "103", "link", "</a.css>"));
    assert_int_equal(h2w_session_submit_informational(s->s, id, nv, n), H2W_OK);
  }
  if (a->text != NULL || a->body != 0) {
    src = tpeer_source(s, a->text, a->text ? strlen(a->text) : a->body);
    src->trailers = a->trailers;
    src->defer_at = a->defer_at;
    src->no_copy = a->no_copy;
    a->last = src;
  }
  tpeer_respond(s, id, a->resp ? a->resp : RESP_200, src);
  if (a->trailers) {
    h2w_nv nv[2];
    size_t n = tnv(nv, 2, H("x-checksum", "42"));
    assert_int_equal(h2w_session_submit_trailers(s->s, id, nv, n), H2W_OK);
  }
}

static int server_hook(tpeer *s, const tev *ev) {
  app *a = s->app;
  if ((ev->type == TEV_END && !a->respond_at_headers) ||
      (ev->type == TEV_HEADERS && a->respond_at_headers &&
       ev->kind == H2W_HEADERS_REQUEST)) {
    respond(s, ev->stream_id);
  }
  return 0;
}

/* A client and a server after the handshake, logs cleared. */
static void pair(tpeer *c, tpeer *s, void **state, app *a) {
  tpeer_start(c, 0, tmode(state), NULL);
  tpeer_start(s, 1, tmode(state), NULL);
  s->app = a;
  s->hook = server_hook;
  tpump(c, s);
  assert_int_equal(c->recv_err, 0);
  assert_int_equal(s->recv_err, 0);
  tpeer_log_clear(c);
  tpeer_log_clear(s);
}

static void done(tpeer *c, tpeer *s) {
  assert_int_equal(c->recv_err, 0);
  assert_int_equal(s->recv_err, 0);
  assert_int_equal(h2w_session_open_streams(c->s), 0);
  assert_int_equal(h2w_session_open_streams(s->s), 0);
  tpeer_free(c);
  tpeer_free(s);
}

static void test_get(void **state) {
  tpeer c, s;
  app a = {.resp = H(":status", "200", "content-type", "text/plain"),
           .text = "hello"};
  pair(&c, &s, state, &a);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  tpump(&c, &s);
  EXPECT_LOG(&s, "begin_headers 1 req", "header 1 :method GET",
             "header 1 :scheme https", "header 1 :authority example.org",
             "header 1 :path /", "headers 1 req es=1", "end 1",
             "close 1 NO_ERROR");
  EXPECT_LOG(&c, "begin_headers 1 resp", "header 1 :status 200",
             "header 1 content-type text/plain", "headers 1 resp es=0",
             "data 1 5", "end 1", "close 1 NO_ERROR");
  done(&c, &s);
}

/* A response without a body ends the stream on HEADERS. */
static void test_get_no_body(void **state) {
  tpeer c, s;
  app a = {.resp = H(":status", "204")};
  pair(&c, &s, state, &a);
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 1 resp", "header 1 :status 204",
             "headers 1 resp es=1", "end 1", "close 1 NO_ERROR");
  done(&c, &s);
}

static void test_post_body(void **state) {
  tpeer c, s;
  app a = {.resp = NULL};
  const uint8_t *body;
  size_t len;
  tsrc *src;
  pair(&c, &s, state, &a);
  s.mute |= TEV_HEADER;
  src = tpeer_source(&c, NULL, 1000);
  assert_int_equal(tpeer_request(&c, POST_REQ, src), 1);
  tpump(&c, &s);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "data 1 1000",
             "end 1", "close 1 NO_ERROR");
  body = tpeer_body(&s, 1, &len);
  assert_int_equal(len, 1000);
  assert_true(tpattern_check(body, len));
  assert_true(src->reads >= 1);
  done(&c, &s);
}

/* An empty body: the source's first read returns EOF with no data. */
static void test_post_empty_body(void **state) {
  tpeer c, s;
  app a = {.resp = NULL};
  pair(&c, &s, state, &a);
  s.mute |= TEV_HEADER;
  tpeer_request(&c, POST_REQ, tpeer_source(&c, "", 0));
  tpump(&c, &s);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "end 1",
             "close 1 NO_ERROR");
  done(&c, &s);
}

/* Trailers both ways (§8.1: a trailing header section ends the stream). */
static void test_trailers(void **state) {
  tpeer c, s;
  app a = {.text = "resp", .trailers = 1};
  tsrc *src;
  h2w_nv nv[2];
  int32_t id;
  pair(&c, &s, state, &a);
  s.mute |= TEV_HEADER;
  src = tpeer_source(&c, "body", 4);
  src->trailers = 1;
  id = tpeer_request(&c, POST_REQ, src);
  assert_int_equal(h2w_session_submit_trailers(c.s, (uint32_t)id, nv,
                                               tnv(nv, 2, H("x-sum", "7"))),
                   H2W_OK);
  tpump(&c, &s);
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "data 1 4",
             "begin_headers 1 trailers", "headers 1 trailers es=1", "end 1",
             "close 1 NO_ERROR");
  EXPECT_LOG(&c, "begin_headers 1 resp", "header 1 :status 200",
             "headers 1 resp es=0", "data 1 4", "begin_headers 1 trailers",
             "header 1 x-checksum 42", "headers 1 trailers es=1", "end 1",
             "close 1 NO_ERROR");
  done(&c, &s);
}

/* §8.1: informational responses precede the final one. */
static void test_informational(void **state) {
  tpeer c, s;
  app a = {.resp = NULL};
  a.informational = 1;
  pair(&c, &s, state, &a);
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 1 resp", "header 1 :status 103",
             "header 1 link </a.css>", "headers 1 info es=0",
             "begin_headers 1 resp", "header 1 :status 200",
             "headers 1 resp es=1", "end 1", "close 1 NO_ERROR");
  done(&c, &s);
}

/* §8.6: 101 does not exist in HTTP/2; a final response cannot be sent
 * twice. */
static void test_submit_response_checks(void **state) {
  tpeer c, s;
  app a = {.resp = NULL};
  h2w_nv nv[2];
  pair(&c, &s, state, &a);
  s.hook = NULL;
  tpeer_request(&c, POST_REQ, tpeer_source(&c, "x", 1));
  tpump(&c, &s);
  assert_int_equal(h2w_session_submit_informational(
                       s.s, 1, nv, tnv(nv, 2, H(":status", "101"))),
                   H2W_E_INVALID_ARGUMENT);
  tpeer_respond(&s, 1, RESP_200, NULL);
  assert_int_equal(
      h2w_session_submit_response(s.s, 1, nv, tnv(nv, 2, RESP_200), NULL),
      H2W_E_INVALID_STATE);
  assert_int_equal(
      h2w_session_submit_response(s.s, 3, nv, tnv(nv, 2, RESP_200), NULL),
      H2W_E_INVALID_STATE);
  tpump(&c, &s);
  done(&c, &s);
}

/* A deferred source sleeps until resume_data (h2wire.h data sources). */
static void test_deferred_source(void **state) {
  tpeer c, s;
  app a = {.text = "hello", .defer_at = 3};
  pair(&c, &s, state, &a);
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 1 resp", "header 1 :status 200",
             "headers 1 resp es=0", "data 1 3");
  assert_true(a.last->deferred);
  assert_false(h2w_session_want_write(s.s));
  assert_int_equal(h2w_session_resume_data(s.s, 3), H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_resume_data(s.s, 1), H2W_OK);
  tpump(&c, &s);
  EXPECT_LOG(&c, "data 1 2", "end 1", "close 1 NO_ERROR");
  assert_int_equal(h2w_session_resume_data(s.s, 1), H2W_E_INVALID_STATE);
  done(&c, &s);
}

/* NO_COPY: the payload is written straight into the output slot. */
static void test_no_copy_source(void **state) {
  tpeer c, s;
  app a = {.body = 50000};
  const uint8_t *body;
  size_t len;
  a.no_copy = 1;
  pair(&c, &s, state, &a);
  c.mute |= TEV_HEADER;
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 1 resp", "headers 1 resp es=0", "data 1 50000",
             "end 1", "close 1 NO_ERROR");
  body = tpeer_body(&c, 1, &len);
  assert_int_equal(len, 50000);
  assert_true(tpattern_check(body, len));
  assert_true(a.last->writes >= 4); /* at least one per 16384-octet frame */
  assert_int_equal(a.last->writes, a.last->reads);
  done(&c, &s);
}

/* A body far larger than the initial windows (65535, §6.9.2): the
 * automatic WINDOW_UPDATEs keep it moving. */
static void test_large_body(void **state) {
  tpeer c, s;
  size_t size = tmode(state) == H2W_SPLIT_BYTEWISE ? 300000 : 1500000, len;
  app a = {.resp = NULL};
  char want[64];
  const uint8_t *body;
  a.body = size;
  pair(&c, &s, state, &a);
  c.mute |= TEV_HEADER;
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  snprintf(want, sizeof want, "data 1 %zu", size);
  EXPECT_LOG(&c, "begin_headers 1 resp", "headers 1 resp es=0", want, "end 1",
             "close 1 NO_ERROR");
  body = tpeer_body(&c, 1, &len);
  assert_int_equal(len, size);
  assert_true(tpattern_check(body, len));
  /* Every read was within the window the library allowed. */
  assert_true(a.last->last_len <= 16384);
  done(&c, &s);
}

/* Several streams at once, bodies interleaved on the wire, each intact. */
static int sized_hook(tpeer *s, const tev *ev) {
  if (ev->type == TEV_END) {
    tsrc *src = tpeer_source(s, NULL, 20000 + ev->stream_id * 1000);
    tpeer_respond(s, ev->stream_id, RESP_200, src);
  }
  return 0;
}

static void test_concurrent_streams(void **state) {
  tpeer c, s;
  app a = {.resp = NULL};
  uint32_t id;
  pair(&c, &s, state, &a);
  s.hook = sized_hook;
  for (id = 1; id <= 19; id += 2) {
    assert_int_equal(tpeer_request(&c, GET_REQ, NULL), (int32_t)id);
  }
  tpump(&c, &s);
  for (id = 1; id <= 19; id += 2) {
    size_t len;
    const uint8_t *body = tpeer_body(&c, id, &len);
    char end[32];
    assert_int_equal(len, 20000 + id * 1000);
    assert_true(tpattern_check(body, len));
    snprintf(end, sizeof end, "close %u NO_ERROR", id);
    assert_true(tpeer_log_has(&c, end));
  }
  done(&c, &s);
}

/* Stream user data: given at submit time or set later, readable in the
 * stream's callbacks, gone once the stream is closed. (Its availability
 * inside on_stream_close is checked by the pending tests.) */
static int user_hook(tpeer *p, const tev *ev) {
  int *seen = p->app;
  if (ev->type == TEV_HEADERS) {
    assert_ptr_equal(h2w_session_get_stream_user_data(p->s, ev->stream_id),
                     seen);
    (*seen)++;
  }
  return 0;
}

static int user_server_hook(tpeer *s, const tev *ev) {
  static int mark;
  if (ev->type == TEV_BEGIN_HEADERS) {
    assert_null(h2w_session_get_stream_user_data(s->s, ev->stream_id));
    assert_int_equal(
        h2w_session_set_stream_user_data(s->s, ev->stream_id, &mark), H2W_OK);
  } else if (ev->type == TEV_END) {
    assert_ptr_equal(h2w_session_get_stream_user_data(s->s, ev->stream_id),
                     &mark);
    tpeer_respond(s, ev->stream_id, RESP_200, NULL);
  }
  return 0;
}

static void test_stream_user_data(void **state) {
  tpeer c, s;
  app a = {.resp = NULL};
  int seen = 0;
  h2w_nv nv[8];
  int32_t id;
  pair(&c, &s, state, &a);
  s.hook = user_server_hook;
  c.hook = user_hook;
  c.app = &seen;
  id = h2w_session_submit_request(c.s, nv, tnv(nv, 8, GET_REQ), NULL, &seen);
  assert_int_equal(id, 1);
  assert_ptr_equal(h2w_session_get_stream_user_data(c.s, 1), &seen);
  tpump(&c, &s);
  assert_int_equal(seen, 1);
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  assert_null(h2w_session_get_stream_user_data(c.s, 1));
  assert_null(h2w_session_get_stream_user_data(s.s, 1));
  assert_int_equal(h2w_session_set_stream_user_data(c.s, 1, &seen),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_set_stream_user_data(c.s, 7, &seen),
                   H2W_E_INVALID_STATE);
  done(&c, &s);
}

/* The zero-copy output path gives the same conversation. */
static void test_peek_ack_output(void **state) {
  tpeer c, s;
  app a = {.body = 40000};
  size_t len;
  const uint8_t *body;
  pair(&c, &s, state, &a);
  c.use_peek = 1;
  s.use_peek = 1;
  c.mute |= TEV_HEADER;
  tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 70000));
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 1 resp", "headers 1 resp es=0", "data 1 40000",
             "end 1", "close 1 NO_ERROR");
  body = tpeer_body(&s, 1, &len);
  assert_true(tpattern_check(body, len));
  assert_int_equal(len, 70000);
  done(&c, &s);
}

/* The client resets its own stream while its body is still running:
 * the server hears RST_STREAM CANCEL after the part already sent. */
static void test_client_cancels(void **state) {
  tpeer c, s;
  app a = {.resp = NULL};
  tsrc *src;
  pair(&c, &s, state, &a);
  s.hook = NULL;
  s.mute |= TEV_HEADER;
  src = tpeer_source(&c, NULL, 100000);
  src->defer_at = 1000;
  tpeer_request(&c, POST_REQ, src);
  tpump(&c, &s);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 1, H2W_CANCEL), H2W_OK);
  assert_int_equal(h2w_session_submit_rst_stream(c.s, 1, H2W_CANCEL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_resume_data(c.s, 1), H2W_E_INVALID_STATE);
  tpump(&c, &s);
  EXPECT_LOG(&c, "close 1 CANCEL reset");
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "data 1 1000",
             "reset 1 CANCEL", "close 1 CANCEL reset");
  done(&c, &s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_get),
      SPLIT_TESTS(test_get_no_body),
      SPLIT_TESTS(test_post_body),
      SPLIT_TESTS(test_post_empty_body),
      SPLIT_TESTS(test_trailers),
      SPLIT_TESTS(test_informational),
      SPLIT_TESTS(test_submit_response_checks),
      SPLIT_TESTS(test_deferred_source),
      SPLIT_TESTS(test_no_copy_source),
      SPLIT_TESTS(test_large_body),
      SPLIT_TESTS(test_concurrent_streams),
      SPLIT_TESTS(test_stream_user_data),
      SPLIT_TESTS(test_peek_ack_output),
      SPLIT_TESTS(test_client_cancels),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Failure paths of a session (docs/security.md row 21; a failing-allocator
 * sweep): every allocation of a whole conversation failed in
 * turn, callbacks pausing and failing, data sources failing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

/* ---- allocation failure sweep ------------------------------------------- */

typedef struct sweep_app {
  int nomem; /* a submit call returned H2W_E_NOMEM */
} sweep_app;

/* A submit result during the sweep: success, the injected NOMEM, or a
 * consequence of a failure (the sticky NOMEM, or INVALID_STATE once the
 * peer's GOAWAY arrived). Anything else is a bug. */
static void note(tpeer *p, int rv) {
  sweep_app *a = p->app;
  if (rv == H2W_E_NOMEM) {
    a->nomem = 1;
  } else if (rv < 0 && rv != H2W_E_INVALID_STATE && rv != H2W_E_CLOSED) {
    const char *reason = "";
    uint32_t code = 0;
    uint64_t off = 0;
    (void)h2w_session_error(p->s, &code, &reason, &off);
    fail_msg("%s: unexpected result %s (%s: %s at %llu)",
             p->is_server ? "server" : "client", h2w_error_name(rv),
             h2w_http2_error_name(code), reason, (unsigned long long)off);
  }
}

static int sweep_server_hook(tpeer *s, const tev *ev) {
  if (ev->type == TEV_END) {
    h2w_nv nv[2];
    tsrc *src = tpeer_source(s, NULL, 70000);
    h2w_data_source ds = tsrc_ds(src);
    int rv;
    src->trailers = 1;
    rv = h2w_session_submit_response(s->s, ev->stream_id, nv,
                                     tnv(nv, 2, RESP_200), &ds);
    note(s, rv);
    if (rv == H2W_OK) {
      note(s, h2w_session_submit_trailers(s->s, ev->stream_id, nv,
                                          tnv(nv, 2, H("x-t", "1"))));
    }
  }
  return 0;
}

/* One request/response exchange with bodies both ways, trailers, a PING
 * and a SETTINGS change. Returns 1 if the response arrived complete. */
static int conversation(tpeer *c, tpeer *s) {
  h2w_nv nv[8];
  h2w_data_source ds = tsrc_ds(tpeer_source(c, NULL, 30000));
  h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 100000};
  int32_t id;
  tpump(c, s);
  note(c, h2w_session_submit_ping(c->s, NULL));
  note(s, h2w_session_submit_settings(s->s, &iv, 1));
  id = h2w_session_submit_request(c->s, nv, tnv(nv, 8, POST_REQ), &ds, NULL);
  note(c, id);
  tpump(c, s);
  return id == 1 && tpeer_log_has(c, "close 1 NO_ERROR") &&
         tpeer_log_has(c, "data 1 70000");
}

/* Fail allocation number k of one side; the other side works normally.
 * Returns 1 while the failure was actually injected. */
static int sweep_one(int mode, int server_side, long k) {
  tpeer c, s, *bad;
  sweep_app ca = {0}, sa = {0};
  int ok, err;
  tpeer_init(&c, 0, mode);
  tpeer_init(&s, 1, mode);
  c.app = &ca;
  s.app = &sa;
  s.hook = sweep_server_hook;
  c.mute |= TEV_HEADER;
  s.mute |= TEV_HEADER;
  bad = server_side ? &s : &c;
  bad->alloc.fail_at = k;
  if (tpeer_open(&c, NULL) != H2W_OK || tpeer_open(&s, NULL) != H2W_OK) {
    assert_true(bad->alloc.failed);
    assert_null(bad->s);
    tpeer_free(&c);
    tpeer_free(&s);
    return 1;
  }
  ok = conversation(&c, &s);
  err = h2w_session_error(bad->s, NULL, NULL, NULL);
  if (!bad->alloc.failed) {
    assert_true(ok);
  } else if (!ok) {
    /* The failure surfaced as NOMEM: a submit result or the sticky
     * error of the session that could not allocate. */
    sweep_app *a = bad->app;
    assert_true(a->nomem || err == H2W_E_NOMEM ||
                bad->recv_err == H2W_E_NOMEM || bad->send_err == H2W_E_NOMEM);
  }
  if (err != H2W_OK) {
    assert_int_equal(err, H2W_E_NOMEM);
  }
  tpeer_free(&c); /* fails the test on a leak */
  tpeer_free(&s);
  return bad->alloc.failed;
}

static void test_alloc_failure_sweep(void **state) {
  int side;
  for (side = 0; side < 2; side++) {
    long k = 1;
    while (sweep_one(tmode(state), side, k)) {
      k++;
      assert_true(k < 100000);
    }
    /* The conversation allocates: the sweep covered something. */
    assert_true(k > 2);
  }
}

/* ---- callbacks that pause ------------------------------------------------ */

static int pause_at(tpeer *p, const tev *ev) {
  const unsigned *type = p->app;
  return ev->type == *type ? H2W_E_PAUSE : 0;
}

/* H2W_E_PAUSE makes recv return right after the frame being processed;
 * the rest is processed by the next call. */
static void pause_case(unsigned type, size_t first_len) {
  tpeer s;
  h2w_fb b;
  h2w_ssize n;
  unsigned t = type;
  size_t total;
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpeer_handshake(&s);
  s.app = &t;
  s.hook = pause_at;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  if (first_len == 0) {
    first_len = b.len;
  }
  h2w_fb_data(&b, 1, 0, "abc");
  h2w_fb_data(&b, 1, 0x1, "de");
  total = b.len;
  n = h2w_session_recv(s.s, b.buf, b.len);
  assert_int_equal(n, (h2w_ssize)first_len);
  s.hook = NULL;
  n = h2w_session_recv(s.s, b.buf + first_len, total - first_len);
  assert_int_equal(n, (h2w_ssize)(total - first_len));
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 5", "end 1");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_pause_at_headers(void **state) {
  (void)state;
  pause_case(TEV_HEADERS, 0);
}

static void test_pause_at_data(void **state) {
  h2w_fb b;
  tpeer tmp;
  size_t hlen;
  (void)state;
  /* The HEADERS frame's length, from an identical encoder state. */
  tpeer_init(&tmp, 1, H2W_SPLIT_WHOLE);
  h2w_fb_init(&b);
  tpeer_fb_headers(&tmp, &b, 1, 0, POST_REQ);
  hlen = b.len;
  h2w_fb_free(&b);
  tpeer_free(&tmp);
  pause_case(TEV_DATA, hlen + 9 + 3);
}

/* Pausing at every receive event, in every split mode, changes nothing
 * in the conversation. */
static int pause_every_event(tpeer *p, const tev *ev) {
  (void)p;
  return ev->type == TEV_FRAME_SEND ? 0 : H2W_E_PAUSE;
}

static void test_pause_everywhere_pump(void **state) {
  tpeer c, s;
  size_t len;
  const uint8_t *body;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  c.hook = pause_every_event;
  s.hook = pause_every_event;
  c.mute |= TEV_HEADER;
  s.mute |= TEV_HEADER;
  tpump(&c, &s);
  tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 100000));
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "end 1"));
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 5000));
  tpump(&c, &s);
  body = tpeer_body(&s, 1, &len);
  assert_true(tpattern_check(body, len));
  assert_int_equal(len, 100000);
  body = tpeer_body(&c, 1, &len);
  assert_true(tpattern_check(body, len));
  assert_int_equal(len, 5000);
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  if (tmode(state) == H2W_SPLIT_WHOLE) {
    assert_true(c.pauses > 0 && s.pauses > 0);
  }
  tpeer_free(&c);
  tpeer_free(&s);
}

/* ---- callbacks that fail ---------------------------------------------------
 */

static int fail_at(tpeer *p, const tev *ev) {
  const unsigned *type = p->app;
  return ev->type == *type ? -1 : 0;
}

/* A failing callback: CALLBACK_FAILURE, sticky; GOAWAY INTERNAL_ERROR; no
 * callback fires afterwards but the on_stream_close of each stream. */
static void fail_case(int mode, unsigned type) {
  tpeer s;
  h2w_fb b;
  unsigned t = type;
  int calls;
  uint8_t buf[256];
  tpeer_start(&s, 1, mode, NULL);
  s.app = &t;
  s.hook = fail_at;
  h2w_fb_init(&b);
  tfb_client_preface(&b, NULL, 0);
  h2w_fb_settings(&b, 1, NULL, 0);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_data(&b, 1, 0x1, "abc");
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_CALLBACK_FAILURE);
  calls = s.callbacks;
  assert_true(tpeer_out_has(&s, "GOAWAY last=* INTERNAL_ERROR*"));
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL),
                   H2W_E_CALLBACK_FAILURE);
  assert_int_equal(h2w_session_recv(s.s, b.buf, b.len), H2W_E_CALLBACK_FAILURE);
  assert_int_equal(h2w_session_submit_ping(s.s, NULL), H2W_E_CALLBACK_FAILURE);
  assert_int_equal(h2w_session_send(s.s, buf, sizeof buf),
                   H2W_E_CALLBACK_FAILURE);
  assert_int_equal(s.callbacks, calls);
  /* Stream 1, once reported, ends exactly once, before the failing call
   * returned (h2wire.h: on_stream_close is the one callback after a fatal
   * error). */
  {
    const char *l = s.log.buf;
    int n = 0;
    while ((l = strstr(l, "close 1 ")) != NULL) {
      n++;
      l++;
    }
    assert_int_equal(n, tpeer_log_has(&s, "begin_headers 1 *") ? 1 : 0);
  }
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_callback_failure(void **state) {
  static const unsigned types[] = {
      TEV_SETTINGS, TEV_SETTINGS_ACK, TEV_BEGIN_HEADERS, TEV_HEADER,
      TEV_HEADERS,  TEV_DATA,         TEV_END,           TEV_FRAME_RECV};
  size_t i;
  for (i = 0; i < sizeof types / sizeof types[0]; i++) {
    fail_case(tmode(state), types[i]);
  }
}

/* on_stream_close failing. */
static void test_close_callback_failure(void **state) {
  tpeer s;
  h2w_fb b;
  unsigned t = TEV_CLOSE;
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  s.app = &t;
  s.hook = fail_at;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  h2w_fb_ping(&b, 0, 1);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_CALLBACK_FAILURE);
  assert_true(tpeer_out_has(&s, "GOAWAY last=1 INTERNAL_ERROR*"));
  assert_false(tpeer_out_has(&s, "PING ack*"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- data sources that fail
 * -------------------------------------------------- */

/* A read error resets the stream with INTERNAL_ERROR; the connection
 * continues. */
static void test_source_read_failure(void **state) {
  tpeer c, s;
  tsrc *src;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  c.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump(&c, &s);
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  tpeer_log_clear(&c);
  tpeer_log_clear(&s);
  src = tpeer_source(&s, NULL, 1000);
  src->fail = -1;
  tpeer_respond(&s, 1, RESP_200, src);
  tpump(&c, &s);
  EXPECT_LOG(&c, "headers 1 resp es=0", "reset 1 INTERNAL_ERROR",
             "close 1 INTERNAL_ERROR reset");
  EXPECT_LOG(&s, "error 1 INTERNAL_ERROR", "close 1 INTERNAL_ERROR reset");
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "end 3"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A NO_COPY write error is fatal: the frame header is already out. */
static int failing_write(h2w_session *s, uint32_t id, uint8_t *dst, size_t len,
                         void *user) {
  (void)s;
  (void)id;
  (void)dst;
  (void)len;
  (void)user;
  return -1;
}

static void test_no_copy_write_failure(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_nv nv[2];
  tsrc *src;
  h2w_data_source ds;
  uint8_t buf[1024];
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  tpeer_feed_ok(&s, &b);
  src = tpeer_source(&s, NULL, 100);
  src->no_copy = 1;
  ds = tsrc_ds(src);
  ds.write = failing_write;
  assert_int_equal(
      h2w_session_submit_response(s.s, 1, nv, tnv(nv, 2, RESP_200), &ds),
      H2W_OK);
  (void)tpeer_read_out(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL),
                   H2W_E_CALLBACK_FAILURE);
  assert_int_equal(h2w_session_send(s.s, buf, sizeof buf),
                   H2W_E_CALLBACK_FAILURE);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_alloc_failure_sweep),
      cmocka_unit_test(test_pause_at_headers),
      cmocka_unit_test(test_pause_at_data),
      SPLIT_TESTS(test_pause_everywhere_pump),
      SPLIT_TESTS(test_callback_failure),
      SPLIT_TESTS(test_close_callback_failure),
      SPLIT_TESTS(test_source_read_failure),
      SPLIT_TESTS(test_no_copy_write_failure),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The per-stream send-side object (h2w_stream_tx in session_int.h): a
 * stream holds one exactly while it sends a body, it goes back to a
 * per-session pool when the body ends, the stream closes or the submit
 * fails, the pool is reused and trimmed, and running out of memory for it
 * leaves the stream as it was. Each test in the three split modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"
#include "session_int.h"

static void pair(tpeer *c, tpeer *s, void **state) {
  tpeer_start(c, 0, tmode(state), NULL);
  tpeer_start(s, 1, tmode(state), NULL);
  c->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump(c, s);
  tpeer_log_clear(c);
  tpeer_log_clear(s);
}

static h2w_stream *stream(const tpeer *p, uint32_t id) {
  h2w_stream *st = h2w_stream_find(p->s, id);
  assert_non_null(st);
  return st;
}

/* The spare objects in the pool, counted by walking it. */
static uint32_t spare_tx(const tpeer *p) {
  const h2w_stream_tx *tx;
  uint32_t n = 0;
  for (tx = p->s->pool.free_tx; tx != NULL; tx = tx->next_free) {
    n++;
  }
  assert_int_equal(n, p->s->pool.nfree_tx);
  return n;
}

/* Open requests hold none; a response without a body takes none; one with
 * a body holds one until its last DATA frame, then gives it to the pool. */
static void test_tx_only_while_sending(void **state) {
  tpeer c, s;
  size_t len;
  pair(&c, &s, state);
  tpeer_request(&c, GET_REQ, NULL);
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_null(stream(&s, 1)->tx);
  assert_null(stream(&s, 3)->tx);
  /* Stream 1 ends both ways at once: closed without ever having one. */
  tpeer_respond(&s, 1, RESP_200, NULL);
  assert_int_equal(spare_tx(&s), 0);
  tpeer_respond(&s, 3, RESP_200, tpeer_source(&s, NULL, 40000));
  assert_non_null(stream(&s, 3)->tx);
  assert_int_equal(stream(&s, 3)->src_state, H2W_SRC_ACTIVE);
  assert_int_equal(spare_tx(&s), 0);
  tpump(&c, &s);
  EXPECT_LOG(&c, "headers 1 resp es=1", "end 1", "close 1 NO_ERROR",
             "headers 3 resp es=0", "data 3 40000", "end 3",
             "close 3 NO_ERROR");
  assert_true(tpattern_check(tpeer_body(&c, 3, &len), 40000));
  assert_int_equal(len, 40000);
  /* One object was ever made, and it is spare now. */
  assert_int_equal(spare_tx(&s), 1);
  assert_int_equal(s.s->ss.levels, 0);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A client's request body holds one too, also while the source sleeps
 * (deferred), and gives it back when the body ends. */
static void test_tx_request_body_deferred(void **state) {
  tpeer c, s;
  tsrc *up;
  int32_t id;
  pair(&c, &s, state);
  up = tpeer_source(&c, NULL, 30000);
  up->defer_at = 10000;
  id = tpeer_request(&c, POST_REQ, up);
  tpump(&c, &s);
  assert_int_equal(stream(&c, (uint32_t)id)->src_state, H2W_SRC_DEFERRED);
  assert_non_null(stream(&c, (uint32_t)id)->tx);
  assert_int_equal(h2w_session_resume_data(c.s, (uint32_t)id), H2W_OK);
  tpump(&c, &s);
  assert_null(stream(&c, (uint32_t)id)->tx);
  assert_int_equal(spare_tx(&c), 1);
  tpeer_respond(&s, 1, RESP_200, NULL);
  tpump(&c, &s);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 30000", "end 1",
             "close 1 NO_ERROR");
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Steady state: answering one batch after another with bodies reuses the
 * pooled objects; nothing new is allocated after the first batch. */
static void test_tx_pool_reused(void **state) {
  tpeer c, s;
  long after_first = 0;
  int batch, i;
  pair(&c, &s, state);
  c.mute |= TEV_DATA | TEV_HEADERS | TEV_END | TEV_CLOSE;
  s.mute |= TEV_DATA | TEV_HEADERS | TEV_END | TEV_CLOSE;
  for (batch = 0; batch < 4; batch++) {
    uint32_t first = 0;
    for (i = 0; i < 10; i++) {
      int32_t id = tpeer_request(&c, GET_REQ, NULL);
      first = first == 0 ? (uint32_t)id : first;
    }
    tpump(&c, &s);
    for (i = 0; i < 10; i++) {
      tpeer_respond(&s, first + 2u * (uint32_t)i, RESP_200,
                    tpeer_source(&s, NULL, 100));
    }
    /* All ten send at once: ten objects, taken from the pool after the
     * first batch. */
    assert_int_equal(spare_tx(&s), 0);
    tpump(&c, &s);
    assert_int_equal(spare_tx(&s), 10);
    if (batch == 0) {
      after_first = s.alloc.mallocs;
    }
  }
  /* tpeer_source() allocates on the harness side, not through the
   * session's allocator: the session itself allocated nothing more. */
  assert_int_equal(s.alloc.mallocs, after_first);
  /* Trimming (the memory budget's move) frees them all. */
  {
    size_t before = s.alloc.bytes;
    h2w_stream_pool_trim(s.s);
    assert_int_equal(spare_tx(&s), 0);
    assert_true(s.alloc.bytes <= before - 10 * sizeof(h2w_stream_tx));
  }
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Reset while its body is in the scheduler: the object goes back, the
 * scheduler ring no longer holds the stream, the others carry on. */
static void test_tx_reset_while_sending(void **state) {
  tpeer c, s;
  size_t len;
  int i;
  pair(&c, &s, state);
  for (i = 0; i < 3; i++) {
    tpeer_request(&c, GET_REQ, NULL);
  }
  tpump(&c, &s);
  for (i = 0; i < 3; i++) {
    tpeer_respond(&s, 1u + 2u * (uint32_t)i, RESP_200,
                  tpeer_source(&s, NULL, 200000));
  }
  assert_int_equal(h2w_session_submit_rst_stream(s.s, 3, H2W_CANCEL), H2W_OK);
  assert_int_equal(spare_tx(&s), 1);
  assert_true(s.s->ss.levels != 0); /* 1 and 5 still in the ring */
  tpump(&c, &s);
  assert_true(tpeer_log_has(&c, "reset 3 CANCEL"));
  assert_true(tpattern_check(tpeer_body(&c, 1, &len), 200000));
  assert_int_equal(len, 200000);
  assert_true(tpattern_check(tpeer_body(&c, 5, &len), 200000));
  assert_int_equal(len, 200000);
  assert_int_equal(spare_tx(&s), 3);
  assert_int_equal(s.s->ss.levels, 0);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* No memory for the object: the submit fails with H2W_E_NOMEM and
 * changes nothing, and the same submit works once memory is back. With
 * a spare in the pool no allocation is needed at all. */
static void test_tx_nomem(void **state) {
  tpeer c, s;
  h2w_nv nv[4];
  size_t n = tnv(nv, 4, RESP_200);
  h2w_data_source ds;
  pair(&c, &s, state);
  ds = tsrc_ds(tpeer_source(&s, NULL, 1000));
  tpeer_request(&c, GET_REQ, NULL);
  tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  s.alloc.fail_all = 1;
  assert_int_equal(h2w_session_submit_response(s.s, 1, nv, n, &ds),
                   H2W_E_NOMEM);
  assert_null(stream(&s, 1)->tx);
  assert_int_equal(stream(&s, 1)->src_state, H2W_SRC_NONE);
  assert_false(stream(&s, 1)->flags & H2W_SF_FINAL_SENT);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  s.alloc.fail_all = 0;
  assert_int_equal(h2w_session_submit_response(s.s, 1, nv, n, &ds), H2W_OK);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&c, "data 1 1000"));
  /* Stream 1's object is spare now: stream 3 needs no allocation. */
  assert_int_equal(spare_tx(&s), 1);
  ds = tsrc_ds(tpeer_source(&s, NULL, 500));
  s.alloc.fail_all = 1;
  assert_int_equal(h2w_session_submit_response(s.s, 3, nv, n, &ds), H2W_OK);
  s.alloc.fail_all = 0;
  tpump(&c, &s);
  assert_true(tpeer_log_has(&c, "data 3 500"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A client request with a body refused for lack of memory leaves no
 * stream behind, and the stream id is not used up. */
static void test_tx_nomem_request(void **state) {
  tpeer c, s;
  h2w_nv nv[8];
  size_t n = tnv(nv, 8, POST_REQ);
  h2w_data_source ds;
  pair(&c, &s, state);
  ds = tsrc_ds(tpeer_source(&c, NULL, 100));
  c.alloc.fail_all = 1;
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, &ds, NULL),
                   H2W_E_NOMEM);
  c.alloc.fail_all = 0;
  assert_null(h2w_stream_find(c.s, 1));
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, &ds, NULL), 1);
  tpump(&c, &s);
  assert_true(tpeer_log_has(&s, "data 1 100"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* Streams still sending when the session is deleted: their objects are
 * freed with them (tpeer_free fails the test on a leak). */
static void test_tx_freed_with_session(void **state) {
  tpeer c, s;
  tsrc *up;
  pair(&c, &s, state);
  up = tpeer_source(&c, NULL, 100000);
  up->defer_at = 1000; /* the request body sleeps half-way */
  tpeer_request(&c, GET_REQ, NULL);
  tpeer_request(&c, POST_REQ, up);
  tpump(&c, &s);
  tpeer_respond(&s, 1, RESP_200, tpeer_source(&s, NULL, 100000));
  assert_non_null(stream(&s, 1)->tx);
  assert_non_null(stream(&c, 3)->tx);
  tpeer_free(&c);
  tpeer_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_tx_only_while_sending),
      SPLIT_TESTS(test_tx_request_body_deferred),
      SPLIT_TESTS(test_tx_pool_reused),
      SPLIT_TESTS(test_tx_reset_while_sending),
      SPLIT_TESTS(test_tx_nomem),
      SPLIT_TESTS(test_tx_nomem_request),
      SPLIT_TESTS(test_tx_freed_with_session),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* src/nvset.c: prepared header sets (h2w_nvset_new,
 * h2w_session_submit_response_set). A set is checked once by the RFC 9113
 * §8 rules when it is made, copied whole, and then answers any number of
 * streams of any number of sessions exactly as h2w_session_submit_response
 * would with the same fields. Session tests run in the three split
 * modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pump.h"
#include "test_alloc.h"

static h2w_nvset *make(const char *const *fields) {
  h2w_nv nv[16];
  h2w_nvset *set = NULL;
  size_t n = tnv(nv, 16, fields);
  assert_int_equal(h2w_nvset_new(&set, nv, n, H2W_NVSET_RESPONSE, NULL),
                   H2W_OK);
  assert_non_null(set);
  assert_int_equal(h2w_nvset_count(set), n);
  return set;
}

/* Every field list that h2w_session_submit_response refuses is refused
 * here, and *out is NULL afterwards. */
static void test_new_refuses(void **state) {
  const char *const *const bad[] = {
      H("content-type", "text/plain"),            /* no :status */
      H(":status", "103", "link", "</a.css>"),    /* 1xx */
      H(":status", "101"),                        /* §8.6 */
      H(":status", "2000"),                       /* not 3 digits */
      H(":status", "200", ":status", "200"),      /* duplicate */
      H(":status", "200", ":path", "/"),          /* request pseudo */
      H("x-a", "1", ":status", "200"),            /* pseudo after */
      H(":status", "200", "Content-Type", "a"),   /* uppercase */
      H(":status", "200", "x-a", "a\rb"),         /* CR */
      H(":status", "200", "x-a", " a"),           /* leading SP */
      H(":status", "200", "connection", "close"), /* §8.2.2 */
      H(":status", "200", "transfer-encoding", "gzip"),
      H(":status", "200", "content-length", "x"),
      H(":status", "200", "content-length", "1", "content-length", "2"),
  };
  h2w_nv nv[8];
  size_t i;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    h2w_nvset *set = (h2w_nvset *)&nv; /* must be overwritten with NULL */
    size_t n = tnv(nv, 8, bad[i]);
    assert_int_equal(h2w_nvset_new(&set, nv, n, H2W_NVSET_RESPONSE, NULL),
                     H2W_E_INVALID_ARGUMENT);
    assert_null(set);
  }
}

static void test_new_arguments(void **state) {
  h2w_nv nv[2];
  h2w_nvset *set = NULL;
  size_t n = tnv(nv, 2, H(":status", "200"));
  (void)state;
  assert_int_equal(h2w_nvset_new(NULL, nv, n, H2W_NVSET_RESPONSE, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_nvset_new(&set, NULL, 1, H2W_NVSET_RESPONSE, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_nvset_new(&set, nv, 0, H2W_NVSET_RESPONSE, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_nvset_new(&set, nv, n, 0, NULL), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_nvset_new(&set, nv, n, 2, NULL), H2W_E_INVALID_ARGUMENT);
  assert_null(set);
  assert_int_equal(h2w_nvset_count(NULL), 0);
  h2w_nvset_del(NULL);
}

/* One block through the caller's hooks, released by h2w_nvset_del; a
 * failing hook gives H2W_E_NOMEM and leaks nothing. */
static void test_allocation(void **state) {
  h2w_test_alloc t;
  h2w_nv nv[4];
  h2w_nvset *set = NULL;
  size_t n = tnv(nv, 4, H(":status", "200", "content-type", "text/plain"));
  (void)state;
  h2w_test_alloc_init(&t);
  assert_int_equal(h2w_nvset_new(&set, nv, n, H2W_NVSET_RESPONSE, &t.mem),
                   H2W_OK);
  assert_int_equal(t.mallocs, 1);
  assert_int_equal(t.live, 1);
  h2w_nvset_del(set);
  assert_int_equal(t.live, 0);
  h2w_test_alloc_init(&t);
  t.fail_all = 1;
  set = NULL;
  assert_int_equal(h2w_nvset_new(&set, nv, n, H2W_NVSET_RESPONSE, &t.mem),
                   H2W_E_NOMEM);
  assert_null(set);
  assert_int_equal(t.live, 0);
}

/* The set owns copies: the caller's strings may change or go at once. */
static void test_copies_fields(void **state) {
  char name[16] = "x-tag", value[16] = "original";
  h2w_nv nv[2];
  h2w_nvset *set = NULL;
  tpeer c, s;
  int32_t id;
  nv[0].name = (const uint8_t *)":status";
  nv[0].namelen = 7;
  nv[0].value = (const uint8_t *)"200";
  nv[0].valuelen = 3;
  nv[0].flags = 0;
  nv[1].name = (const uint8_t *)name;
  nv[1].namelen = strlen(name);
  nv[1].value = (const uint8_t *)value;
  nv[1].valuelen = strlen(value);
  nv[1].flags = H2W_NV_FLAG_NEVER_INDEX;
  assert_int_equal(h2w_nvset_new(&set, nv, 2, H2W_NVSET_RESPONSE, NULL),
                   H2W_OK);
  memset(name, 'Z', sizeof name);
  memset(value, 0, sizeof value);
  memset(nv, 0, sizeof nv);
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpump(&c, &s);
  id = tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  tpeer_log_clear(&c);
  assert_int_equal(
      h2w_session_submit_response_set(s.s, (uint32_t)id, set, NULL), H2W_OK);
  h2w_nvset_del(set); /* no session keeps a reference */
  tpump(&c, &s);
  EXPECT_LOG(&c, "begin_headers 1 resp", "header 1 :status 200",
             "header 1 x-tag original", "headers 1 resp es=1", "end 1",
             "close 1 NO_ERROR");
  tpeer_free(&c);
  tpeer_free(&s);
}

/* What a client sees from `n` answers on one connection, each made by
 * the set when `set` is non-NULL, by the plain submit otherwise. */
static void answer_all(void **state, const h2w_nvset *set,
                       const char *const *fields, int n, tpeer *c) {
  tpeer s;
  h2w_nv nv[8];
  size_t nn = tnv(nv, 8, fields);
  int i;
  tpeer_start(c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpump(c, &s);
  tpeer_log_clear(c);
  for (i = 0; i < n; i++) {
    int32_t id = tpeer_request(c, GET_REQ, NULL);
    tsrc *src = tpeer_source(&s, "hello", 5);
    h2w_data_source ds = tsrc_ds(src);
    tpump(c, &s);
    if (set != NULL) {
      assert_int_equal(
          h2w_session_submit_response_set(s.s, (uint32_t)id, set, &ds), H2W_OK);
    } else {
      assert_int_equal(
          h2w_session_submit_response(s.s, (uint32_t)id, nv, nn, &ds), H2W_OK);
    }
    tpump(c, &s);
  }
  assert_int_equal(s.recv_err, 0);
  assert_int_equal(c->recv_err, 0);
  tpeer_free(&s);
}

/* The same conversation, field for field and event for event, as the
 * plain submit: five answers so that the HPACK dynamic table is reused. */
static void test_same_as_plain_submit(void **state) {
  const char *const *fields =
      H(":status", "200", "content-type", "text/plain", "content-length", "5",
        "cache-control", "max-age=60");
  h2w_nvset *set = make(fields);
  tpeer a, b;
  answer_all(state, NULL, fields, 5, &a);
  answer_all(state, set, fields, 5, &b);
  assert_string_equal(a.log.buf, b.log.buf);
  assert_true(tpeer_log_has(&b, "header 9 cache-control max-age=60"));
  assert_true(tpeer_log_has(&b, "close 9 NO_ERROR"));
  tpeer_free(&a);
  tpeer_free(&b);
  h2w_nvset_del(set);
}

/* Stream rules still hold: unknown and already answered streams, NULL
 * set, a client session; and one set serves two sessions. */
static void test_stream_rules(void **state) {
  h2w_nvset *set = make(H(":status", "204"));
  tpeer c, s, c2, s2;
  int32_t id;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_start(&c2, 0, tmode(state), NULL);
  tpeer_start(&s2, 1, tmode(state), NULL);
  tpump(&c, &s);
  tpump(&c2, &s2);
  id = tpeer_request(&c, GET_REQ, NULL);
  (void)tpeer_request(&c2, GET_REQ, NULL);
  tpump(&c, &s);
  tpump(&c2, &s2);
  assert_int_equal(h2w_session_submit_response_set(s.s, 1, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_submit_response_set(s.s, 3, set, NULL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_response_set(c.s, 1, set, NULL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_response_set(NULL, 1, set, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(
      h2w_session_submit_response_set(s.s, (uint32_t)id, set, NULL), H2W_OK);
  assert_int_equal(
      h2w_session_submit_response_set(s.s, (uint32_t)id, set, NULL),
      H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_submit_response_set(s2.s, 1, set, NULL), H2W_OK);
  tpump(&c, &s);
  tpump(&c2, &s2);
  assert_true(tpeer_log_has(&c, "header 1 :status 204"));
  assert_true(tpeer_log_has(&c2, "header 1 :status 204"));
  assert_true(tpeer_log_has(&c2, "close 1 NO_ERROR"));
  tpeer_free(&c);
  tpeer_free(&s);
  tpeer_free(&c2);
  tpeer_free(&s2);
  h2w_nvset_del(set);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_new_refuses),
      cmocka_unit_test(test_new_arguments),
      cmocka_unit_test(test_allocation),
      SPLIT_TESTS(test_copies_fields),
      SPLIT_TESTS(test_same_as_plain_submit),
      SPLIT_TESTS(test_stream_rules),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* examples/grpc-style/wire.c: gRPC length-prefixed message framing over
 * bodies cut at any point, its error cases, grpc-message percent-encoding
 * and the status tables. The example is built against the public API
 * only, so its pure module is compiled into this test directly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../examples/grpc-style/wire.c"
#include "test_split.h"

/* What a reader delivered: every message, concatenated, and each length. */
typedef struct rec {
  gw_buf all;
  size_t lens[16];
  size_t n;
  const uint8_t *last_ptr;
  int fail_at; /* return 99 from the callback for message #fail_at (1-based) */
} rec;

static int record(void *user, const uint8_t *msg, size_t len) {
  rec *r = user;
  assert_true(r->n < 16);
  r->lens[r->n++] = len;
  r->last_ptr = msg;
  assert_int_equal(gw_buf_add(&r->all, msg, len), 0);
  return (int)r->n == r->fail_at ? 99 : 0;
}

/* Feed body[0..n) cut as `mode` says; returns the first error. */
static int feed_split(gw_reader *rd, const uint8_t *body, size_t n, int mode,
                      uint32_t *seed, rec *r) {
  size_t off = 0;
  while (off < n) {
    size_t k = n - off;
    if (mode == H2W_SPLIT_BYTEWISE) {
      k = 1;
    } else if (mode == H2W_SPLIT_RANDOM) {
      size_t piece = 1 + h2w_test_rng(seed) % 9000u;
      k = piece < k ? piece : k;
    }
    int rv = gw_reader_feed(rd, body + off, k, record, r);
    if (rv != 0) {
      return rv;
    }
    off += k;
  }
  return 0;
}

static void test_prefix(void **state) {
  uint8_t p[GW_PREFIX_LEN];
  (void)state;
  gw_put_prefix(p, 0x01020304u);
  assert_memory_equal(p, "\x00\x01\x02\x03\x04", 5);
  gw_buf b = {0};
  assert_int_equal(gw_append_msg(&b, (const uint8_t *)"hi", 2), 0);
  assert_int_equal(b.len, 7);
  assert_memory_equal(b.p, "\x00\x00\x00\x00\x02hi", 7);
  gw_buf_free(&b);
}

/* Messages of 0, 1, 5 and 70000 octets survive every way of cutting the
 * body, in order and with their boundaries. */
static void test_round_trip_splits(void **state) {
  static const size_t sizes[] = {3, 0, 1, 70000, 5};
  gw_buf body = {0}, want = {0};
  uint32_t seed = 12345;
  (void)state;
  for (size_t i = 0; i < 5; i++) {
    uint8_t *m = malloc(sizes[i] + 1);
    assert_non_null(m);
    for (size_t j = 0; j < sizes[i]; j++) {
      m[j] = (uint8_t)(i * 31 + j * 7);
    }
    assert_int_equal(gw_append_msg(&body, m, sizes[i]), 0);
    assert_int_equal(gw_buf_add(&want, m, sizes[i]), 0);
    free(m);
  }
  for (int mode = 0; mode < H2W_SPLIT_MODES; mode++) {
    for (int round = 0; round < (mode == H2W_SPLIT_RANDOM ? 20 : 1); round++) {
      gw_reader rd;
      rec r = {0};
      gw_reader_init(&rd, 100000);
      assert_int_equal(feed_split(&rd, body.p, body.len, mode, &seed, &r), 0);
      assert_int_equal(gw_reader_end(&rd), 0);
      assert_int_equal(r.n, 5);
      assert_int_equal(rd.count, 5);
      for (size_t i = 0; i < 5; i++) {
        assert_int_equal(r.lens[i], sizes[i]);
      }
      assert_int_equal(r.all.len, want.len);
      assert_memory_equal(r.all.p, want.p, want.len);
      gw_buf_free(&r.all);
      gw_reader_free(&rd);
    }
  }
  gw_buf_free(&body);
  gw_buf_free(&want);
}

/* A message whole inside one piece is handed over in place; one cut in
 * two is gathered. */
static void test_in_place(void **state) {
  gw_buf body = {0};
  gw_reader rd;
  rec r = {0};
  (void)state;
  assert_int_equal(gw_append_msg(&body, (const uint8_t *)"abcdef", 6), 0);
  gw_reader_init(&rd, 100);
  assert_int_equal(gw_reader_feed(&rd, body.p, body.len, record, &r), 0);
  assert_ptr_equal(r.last_ptr, body.p + GW_PREFIX_LEN);
  assert_int_equal(gw_reader_feed(&rd, body.p, 8, record, &r), 0);
  assert_int_equal(r.n, 1);
  assert_int_equal(gw_reader_end(&rd), GW_E_TRUNCATED);
  assert_int_equal(gw_reader_feed(&rd, body.p + 8, 3, record, &r), 0);
  assert_int_equal(r.n, 2);
  assert_ptr_not_equal(r.last_ptr, body.p + 8);
  assert_memory_equal(r.all.p + 6, "abcdef", 6);
  assert_int_equal(gw_reader_end(&rd), 0);
  gw_buf_free(&r.all);
  gw_buf_free(&body);
  gw_reader_free(&rd);
}

static int feed_bytes(const char *bytes, size_t n, uint32_t max, rec *r,
                      int *end) {
  gw_reader rd;
  gw_reader_init(&rd, max);
  int rv = gw_reader_feed(&rd, (const uint8_t *)bytes, n, record, r);
  if (rv != 0) {
    /* Sticky: a later piece is not even read. */
    size_t before = r->n;
    assert_int_equal(
        gw_reader_feed(&rd, (const uint8_t *)"\0\0\0\0\0", 5, record, r), rv);
    assert_int_equal(r->n, before);
  }
  *end = gw_reader_end(&rd);
  gw_reader_free(&rd);
  return rv;
}

static void test_errors(void **state) {
  rec r = {0};
  int end;
  (void)state;
  assert_int_equal(feed_bytes("\x01\0\0\0\x01x", 6, 10, &r, &end),
                   GW_E_COMPRESSED);
  assert_int_equal(end, GW_E_COMPRESSED);
  assert_int_equal(feed_bytes("\x02\0\0\0\x01x", 6, 10, &r, &end), GW_E_FLAG);
  assert_int_equal(feed_bytes("\0\0\0\0\x0b", 5, 10, &r, &end), GW_E_TOO_BIG);
  assert_int_equal(r.n, 0);
  /* Exactly the limit is fine. */
  assert_int_equal(feed_bytes("\0\0\0\0\x0a"
                              "0123456789",
                              15, 10, &r, &end),
                   GW_OK);
  assert_int_equal(r.n, 1);
  assert_int_equal(end, 0);
  /* The body ends inside a prefix, or inside a payload. */
  assert_int_equal(feed_bytes("\0\0", 2, 10, &r, &end), 0);
  assert_int_equal(end, GW_E_TRUNCATED);
  assert_int_equal(feed_bytes("\0\0\0\0\x03"
                              "ab",
                              7, 10, &r, &end),
                   0);
  assert_int_equal(end, GW_E_TRUNCATED);
  assert_int_equal(r.n, 1);
  /* The callback's own failure is passed through and sticks. */
  r.n = 0;
  r.fail_at = 1;
  assert_int_equal(feed_bytes("\0\0\0\0\x01z", 6, 10, &r, &end), 99);
  assert_int_equal(end, 99);
  gw_buf_free(&r.all);
}

/* A peer that announces a large message and sends little of it makes the
 * reader hold about what arrived, not what was announced. */
static void test_grows_with_input(void **state) {
  gw_reader rd;
  rec r = {0};
  uint8_t piece[1000];
  (void)state;
  memset(piece, 'q', sizeof piece);
  gw_reader_init(&rd, 4u << 20);
  assert_int_equal(
      gw_reader_feed(&rd, (const uint8_t *)"\0\0\x40\0\0", 5, record, &r), 0);
  assert_int_equal(gw_reader_feed(&rd, piece, sizeof piece, record, &r), 0);
  assert_true(rd.body.cap < 4096);
  assert_int_equal(r.n, 0);
  gw_reader_free(&rd);
}

static void test_pct(void **state) {
  char out[64];
  (void)state;
  const uint8_t in[] = "a%b\n\xff~ z";
  assert_int_equal(gw_pct_encode(in, sizeof in - 1, out, sizeof out), 14);
  assert_string_equal(out, "a%25b%0A%FF~ z");
  char back[64];
  gw_pct_decode((const uint8_t *)out, strlen(out), back, sizeof back);
  assert_memory_equal(back, in, sizeof in);
  /* No %XX is cut in half by a short output. */
  assert_int_equal(gw_pct_encode(in, sizeof in - 1, out, 3), 1);
  assert_string_equal(out, "a");
  /* Malformed escapes are kept as they are. */
  gw_pct_decode((const uint8_t *)"%zz%4%41", 8, back, sizeof back);
  assert_string_equal(back, "%zz%4A");
}

static void test_status_tables(void **state) {
  (void)state;
  assert_string_equal(gw_status_name(0), "OK");
  assert_string_equal(gw_status_name(12), "UNIMPLEMENTED");
  assert_string_equal(gw_status_name(16), "UNAUTHENTICATED");
  assert_string_equal(gw_status_name(17), "UNKNOWN_CODE");
  assert_string_equal(gw_status_name(-1), "UNKNOWN_CODE");
  assert_int_equal(gw_status_from_http(404), GW_UNIMPLEMENTED);
  assert_int_equal(gw_status_from_http(503), GW_UNAVAILABLE);
  assert_int_equal(gw_status_from_http(400), GW_INTERNAL);
  assert_int_equal(gw_status_from_http(401), 16);
  assert_int_equal(gw_status_from_http(403), 7);
  assert_int_equal(gw_status_from_http(500), GW_UNKNOWN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prefix),
      cmocka_unit_test(test_round_trip_splits),
      cmocka_unit_test(test_in_place),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_grows_with_input),
      cmocka_unit_test(test_pct),
      cmocka_unit_test(test_status_tables),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

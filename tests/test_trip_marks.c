/* A dynamic-table entry added while a header block is over the peer's
 * header-list limit (RFC 9113 §6.5.2: fields are no longer delivered, the
 * block is still decoded to keep HPACK in sync, RFC 7541 §2.2) was never
 * checked by the session, so it must not be marked as checked. Found in
 * review: the decoder's "the session checked this field" note survived
 * from the last delivered field, so the entry came back trusted in the
 * next block and a malformed request (a connection-specific field, a bad
 * content-length, an uppercase name or a NUL in a value; §8.2.1, §8.2.2,
 * §8.1.1) reached the application.
 *
 * Each case runs on the decoder's fast path (the entry referenced by a
 * one-octet index) and its general path (a two-octet index, 127), with the
 * input fed whole and in 1-byte pieces. Public API only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "h2wire.h"

typedef struct seen {
  const char *bad; /* the malformed field's name */
  int bad_on_3;    /* it was delivered on stream 3 */
  int headers_3;   /* stream 3's request was delivered */
} seen;

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  seen *w = user;
  (void)s;
  if (id == 3 && nv->namelen == strlen(w->bad) &&
      memcmp(nv->name, w->bad, nv->namelen) == 0) {
    w->bad_on_3 = 1;
  }
  return 0;
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                      void *user) {
  seen *w = user;
  (void)s, (void)kind, (void)end_stream;
  w->headers_3 |= id == 3;
  return 0;
}

typedef struct buf {
  uint8_t b[4096];
  size_t n;
} buf;

static void put(buf *b, const void *p, size_t n) {
  assert_true(b->n + n <= sizeof(b->b));
  if (n > 0) {
    memcpy(b->b + b->n, p, n);
  }
  b->n += n;
}

static void put1(buf *b, uint8_t octet) {
  put(b, &octet, 1);
}

/* A literal with incremental indexing and a new name (RFC 7541 §6.2.1),
 * raw strings shorter than 127 octets. */
static void literal_indexed(buf *b, const char *name, const uint8_t *value,
                            size_t valuelen) {
  put1(b, 0x40);
  put1(b, (uint8_t)strlen(name));
  put(b, name, strlen(name));
  put1(b, (uint8_t)valuelen);
  put(b, value, valuelen);
}

/* :method GET, :scheme https, :path /, :authority a.example. */
static void request_start(buf *b) {
  static const uint8_t start[] = {0x82, 0x87, 0x84, 0x01, 0x09};
  put(b, start, sizeof(start));
  put(b, "a.example", 9);
}

static void frame(buf *out, uint8_t type, uint8_t flags, uint32_t id,
                  const buf *payload) {
  uint8_t hd[9];
  size_t n = payload != NULL ? payload->n : 0;
  hd[0] = (uint8_t)(n >> 16);
  hd[1] = (uint8_t)(n >> 8);
  hd[2] = (uint8_t)n;
  hd[3] = type;
  hd[4] = flags;
  hd[5] = (uint8_t)(id >> 24);
  hd[6] = (uint8_t)(id >> 16);
  hd[7] = (uint8_t)(id >> 8);
  hd[8] = (uint8_t)id;
  put(out, hd, sizeof(hd));
  if (payload != NULL) {
    put(out, payload->b, payload->n);
  }
}

/* Block 1 (stream 1): a checked field, one that trips the 250-octet list
 * limit, then the malformed field with indexing, then `fillers` small
 * entries; block 2 (stream 3) references the malformed entry. */
static void run(const char *name, const uint8_t *value, size_t valuelen,
                int general_path, int one_octet) {
  static const uint8_t preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  h2w_callbacks *cb = NULL;
  h2w_options *opt = NULL;
  h2w_session *s = NULL;
  seen w = {name, 0, 0};
  buf in = {{0}, 0}, blk = {{0}, 0};
  size_t i, fillers = general_path ? 65 : 0;
  uint8_t big[200];
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_callbacks_set_on_header(cb, on_header), H2W_OK);
  assert_int_equal(h2w_callbacks_set_on_headers(cb, on_headers), H2W_OK);
  assert_int_equal(h2w_options_set_max_header_list_size(opt, 250), H2W_OK);
  assert_int_equal(h2w_session_server_new(&s, cb, opt, &w, NULL), H2W_OK);

  put(&in, preface, 24);
  frame(&in, 0x4, 0, 0, NULL); /* SETTINGS */
  request_start(&blk);
  literal_indexed(&blk, "x-a", (const uint8_t *)"b", 1);
  memset(big, 'a', sizeof(big));
  put1(&blk, 0x00); /* literal without indexing, new name */
  put1(&blk, 5);
  put(&blk, "x-big", 5);
  put1(&blk, 0x7f); /* 200 = 127 + 73 */
  put1(&blk, 73);
  put(&blk, big, sizeof(big));
  literal_indexed(&blk, name, value, valuelen);
  for (i = 0; i < fillers; i++) {
    literal_indexed(&blk, "k", NULL, 0);
  }
  frame(&in, 0x1, 0x5, 1, &blk); /* HEADERS, END_STREAM|END_HEADERS */

  blk.n = 0;
  request_start(&blk);
  if (general_path) {
    /* Index 127 = 61 static + 65 fillers + 1: the malformed entry, an
     * index of two octets (7-bit prefix, RFC 7541 §5.1). */
    put1(&blk, 0xff);
    put1(&blk, 0x00);
  } else {
    put1(&blk, 0x80 | 62); /* the newest entry */
  }
  frame(&in, 0x1, 0x5, 3, &blk);

  if (one_octet) {
    for (i = 0; i < in.n; i++) {
      assert_int_equal(h2w_session_recv(s, in.b + i, 1), 1);
    }
  } else {
    assert_int_equal(h2w_session_recv(s, in.b, in.n), (h2w_ssize)in.n);
  }
  assert_false(w.bad_on_3);
  assert_false(w.headers_3);
  h2w_session_del(s);
  h2w_options_del(opt);
  h2w_callbacks_del(cb);
}

static void all_ways(const char *name, const uint8_t *value, size_t len) {
  int general, one;
  for (general = 0; general < 2; general++) {
    for (one = 0; one < 2; one++) {
      run(name, value, len, general, one);
    }
  }
}

static void test_tripped_connection_field_not_trusted(void **state) {
  (void)state;
  all_ways("connection", (const uint8_t *)"close", 5);
}

static void test_tripped_content_length_not_trusted(void **state) {
  (void)state;
  all_ways("content-length", (const uint8_t *)"1x9", 3);
}

static void test_tripped_uppercase_name_not_trusted(void **state) {
  (void)state;
  all_ways("X-Bad", (const uint8_t *)"ab", 2);
}

static void test_tripped_nul_in_value_not_trusted(void **state) {
  static const uint8_t v[] = {'a', 0x00, 'b'};
  (void)state;
  all_ways("x-nul", v, sizeof(v));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tripped_connection_field_not_trusted),
      cmocka_unit_test(test_tripped_content_length_not_trusted),
      cmocka_unit_test(test_tripped_uppercase_name_not_trusted),
      cmocka_unit_test(test_tripped_nul_in_value_not_trusted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

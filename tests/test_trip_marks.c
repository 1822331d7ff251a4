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

#include "frame_builder.h"
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

/* A literal with incremental indexing and a new name (RFC 7541 §6.2.1),
 * raw strings shorter than 127 octets. */
static void literal_indexed(h2w_fb *b, const char *name, const uint8_t *value,
                            size_t valuelen) {
  h2w_fb_u8(b, 0x40);
  h2w_fb_u8(b, (uint8_t)strlen(name));
  h2w_fb_str(b, name);
  h2w_fb_u8(b, (uint8_t)valuelen);
  h2w_fb_bytes(b, value, valuelen);
}

/* :method GET, :scheme https, :path /, :authority a.example. */
static void request_start(h2w_fb *b) {
  static const uint8_t start[] = {0x82, 0x87, 0x84, 0x01, 0x09};
  h2w_fb_bytes(b, start, sizeof(start));
  h2w_fb_str(b, "a.example");
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
  h2w_fb in, blk;
  size_t i, fillers = general_path ? 65 : 0;
  uint8_t big[200];
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_callbacks_set_on_header(cb, on_header), H2W_OK);
  assert_int_equal(h2w_callbacks_set_on_headers(cb, on_headers), H2W_OK);
  assert_int_equal(h2w_options_set_max_header_list_size(opt, 250), H2W_OK);
  assert_int_equal(h2w_session_server_new(&s, cb, opt, &w, NULL), H2W_OK);

  h2w_fb_init(&in);
  h2w_fb_init(&blk);
  h2w_fb_bytes(&in, preface, 24);
  h2w_fb_settings(&in, 0, NULL, 0);
  request_start(&blk);
  literal_indexed(&blk, "x-a", (const uint8_t *)"b", 1);
  memset(big, 'a', sizeof(big));
  h2w_fb_u8(&blk, 0x00); /* literal without indexing, new name */
  h2w_fb_u8(&blk, 5);
  h2w_fb_str(&blk, "x-big");
  h2w_fb_u8(&blk, 0x7f); /* 200 = 127 + 73 */
  h2w_fb_u8(&blk, 73);
  h2w_fb_bytes(&blk, big, sizeof(big));
  literal_indexed(&blk, name, value, valuelen);
  for (i = 0; i < fillers; i++) {
    literal_indexed(&blk, "k", NULL, 0);
  }
  /* HEADERS, END_STREAM|END_HEADERS */
  h2w_fb_headers(&in, 1, 0x5, blk.buf, blk.len);

  h2w_fb_clear(&blk);
  request_start(&blk);
  if (general_path) {
    /* Index 127 = 61 static + 65 fillers + 1: the malformed entry, an
     * index of two octets (7-bit prefix, RFC 7541 §5.1). */
    h2w_fb_u8(&blk, 0xff);
    h2w_fb_u8(&blk, 0x00);
  } else {
    h2w_fb_u8(&blk, 0x80 | 62); /* the newest entry */
  }
  h2w_fb_headers(&in, 3, 0x5, blk.buf, blk.len);

  if (one_octet) {
    for (i = 0; i < in.len; i++) {
      assert_int_equal(h2w_session_recv(s, in.buf + i, 1), 1);
    }
  } else {
    assert_int_equal(h2w_session_recv(s, in.buf, in.len), (h2w_ssize)in.len);
  }
  assert_false(w.bad_on_3);
  assert_false(w.headers_3);
  h2w_fb_free(&in);
  h2w_fb_free(&blk);
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

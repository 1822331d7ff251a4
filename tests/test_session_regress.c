/* Regressions found by the example programs, each fed whole and one octet
 * at a time: RST_STREAM answered with RST_STREAM (RFC 9113 §5.4.2),
 * h2w_session_consume() inside on_data, and stream user data inside
 * on_stream_close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "h2wire.h"

typedef struct conv {
  uint8_t in[1024];
  size_t n;
  int consume_rv;
  int closes;
  void *close_user;
  int marker;
} conv;

static void put_hd(conv *c, uint32_t len, uint8_t type, uint8_t flags,
                   uint32_t id) {
  uint8_t *p = c->in + c->n;
  p[0] = (uint8_t)(len >> 16);
  p[1] = (uint8_t)(len >> 8);
  p[2] = (uint8_t)len;
  p[3] = type;
  p[4] = flags;
  p[5] = (uint8_t)(id >> 24);
  p[6] = (uint8_t)(id >> 16);
  p[7] = (uint8_t)(id >> 8);
  p[8] = (uint8_t)id;
  c->n += 9;
}

static void put_bytes(conv *c, const void *p, size_t len) {
  memcpy(c->in + c->n, p, len);
  c->n += len;
}

static void put_rst(conv *c, uint32_t id, uint32_t code) {
  uint8_t b[4] = {(uint8_t)(code >> 24), (uint8_t)(code >> 16),
                  (uint8_t)(code >> 8), (uint8_t)code};
  put_hd(c, 4, 0x3, 0, id);
  put_bytes(c, b, 4);
}

/* Client preface, empty SETTINGS, then a POST on stream 1. */
static void put_request(conv *c, int end_stream) {
  static const char *const f[] = {":method", "POST", ":scheme",    "http",
                                  ":path",   "/",    ":authority", "x"};
  h2w_hpack_encoder *enc;
  h2w_nv nv[4];
  uint8_t blk[256];
  h2w_ssize bl;
  size_t i;
  put_bytes(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
  put_hd(c, 0, 0x4, 0, 0);
  memset(nv, 0, sizeof(nv));
  for (i = 0; i < 4; i++) {
    nv[i].name = (const uint8_t *)f[2 * i];
    nv[i].namelen = strlen(f[2 * i]);
    nv[i].value = (const uint8_t *)f[2 * i + 1];
    nv[i].valuelen = strlen(f[2 * i + 1]);
  }
  assert_int_equal(h2w_hpack_encoder_new(&enc, NULL), H2W_OK);
  bl = h2w_hpack_encode(enc, blk, sizeof(blk), nv, 4);
  assert_true(bl > 0);
  put_hd(c, (uint32_t)bl, 0x1, (uint8_t)(0x4 | (end_stream ? 0x1 : 0)), 1);
  put_bytes(c, blk, (size_t)bl);
  h2w_hpack_encoder_del(enc);
}

static void feed(h2w_session *s, const conv *c, int bytewise) {
  size_t off;
  if (!bytewise) {
    assert_int_equal(h2w_session_recv(s, c->in, c->n), (h2w_ssize)c->n);
    return;
  }
  for (off = 0; off < c->n; off++) {
    assert_int_equal(h2w_session_recv(s, c->in + off, 1), 1);
  }
}

/* Count frames of `type` in everything the session sends now. */
static int count_sent(h2w_session *s, uint8_t type) {
  uint8_t out[4096];
  h2w_ssize m = h2w_session_send(s, out, sizeof(out));
  size_t off = 0;
  int count = 0;
  assert_true(m >= 0);
  while (off + 9 <= (size_t)m) {
    uint32_t len =
        (uint32_t)out[off] << 16 | (uint32_t)out[off + 1] << 8 | out[off + 2];
    count += out[off + 3] == type;
    off += 9 + len;
  }
  assert_int_equal(off, (size_t)m);
  return count;
}

static void test_no_rst_for_rst(void **state) {
  int bytewise;
  (void)state;
  for (bytewise = 0; bytewise < 2; bytewise++) {
    conv c;
    h2w_session *s;
    memset(&c, 0, sizeof(c));
    put_request(&c, 0);
    put_rst(&c, 1, H2W_CANCEL);
    put_rst(&c, 1, H2W_STREAM_CLOSED); /* a late duplicate */
    assert_int_equal(h2w_session_server_new(&s, NULL, NULL, NULL, NULL),
                     H2W_OK);
    feed(s, &c, bytewise);
    assert_int_equal(count_sent(s, 0x3), 0);
    assert_int_equal(h2w_session_error(s, NULL, NULL, NULL), H2W_OK);
    h2w_session_del(s);
  }
}

static int consume_in_data(h2w_session *s, uint32_t id, const uint8_t *d,
                           size_t len, void *user) {
  conv *c = user;
  (void)d;
  c->consume_rv = h2w_session_consume(s, id, len);
  return 0;
}

static void test_consume_inside_on_data(void **state) {
  int bytewise;
  (void)state;
  for (bytewise = 0; bytewise < 2; bytewise++) {
    conv c;
    h2w_session *s;
    h2w_callbacks *cb;
    h2w_options *opt;
    int32_t recv_window = 0;
    memset(&c, 0, sizeof(c));
    c.consume_rv = 1;
    put_request(&c, 0);
    put_hd(&c, 5, 0x0, 0, 1);
    put_bytes(&c, "hello", 5);
    assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
    assert_int_equal(h2w_callbacks_set_on_data(cb, consume_in_data), H2W_OK);
    assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
    assert_int_equal(h2w_options_set_manual_flow_control(opt, 1), H2W_OK);
    assert_int_equal(h2w_session_server_new(&s, cb, opt, &c, NULL), H2W_OK);
    feed(s, &c, bytewise);
    assert_int_equal(c.consume_rv, H2W_OK);
    /* Consumed, but not credited before a WINDOW_UPDATE leaves. */
    assert_int_equal(h2w_session_window(s, 1, &recv_window, NULL), H2W_OK);
    assert_int_equal(recv_window, 65535 - 5);
    /* More than was delivered is refused. */
    assert_int_equal(h2w_session_consume(s, 1, 1), H2W_E_INVALID_ARGUMENT);
    h2w_session_del(s);
    h2w_options_del(opt);
    h2w_callbacks_del(cb);
  }
}

static int answer(h2w_session *s, uint32_t id, int kind, int es, void *user) {
  static const uint8_t name[] = ":status", value[] = "204";
  conv *c = user;
  h2w_nv nv;
  (void)kind;
  (void)es;
  memset(&nv, 0, sizeof(nv));
  nv.name = name;
  nv.namelen = 7;
  nv.value = value;
  nv.valuelen = 3;
  assert_int_equal(h2w_session_set_stream_user_data(s, id, &c->marker), H2W_OK);
  assert_int_equal(h2w_session_submit_response(s, id, &nv, 1, NULL), H2W_OK);
  return 0;
}

static int on_close(h2w_session *s, uint32_t id, uint32_t code, uint32_t flags,
                    void *user) {
  conv *c = user;
  (void)code;
  (void)flags;
  c->closes++;
  c->close_user = h2w_session_get_stream_user_data(s, id);
  return 0;
}

static void test_user_data_in_close(void **state) {
  int bytewise;
  (void)state;
  for (bytewise = 0; bytewise < 2; bytewise++) {
    conv c;
    h2w_session *s;
    h2w_callbacks *cb;
    memset(&c, 0, sizeof(c));
    put_request(&c, 1);
    assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
    assert_int_equal(h2w_callbacks_set_on_headers(cb, answer), H2W_OK);
    assert_int_equal(h2w_callbacks_set_on_stream_close(cb, on_close), H2W_OK);
    assert_int_equal(h2w_session_server_new(&s, cb, NULL, &c, NULL), H2W_OK);
    feed(s, &c, bytewise);
    (void)count_sent(s, 0x1); /* the response closes the stream */
    assert_int_equal(c.closes, 1);
    assert_ptr_equal(c.close_user, &c.marker);
    /* Forgotten once the callback returned. */
    assert_null(h2w_session_get_stream_user_data(s, 1));
    h2w_session_del(s);
    h2w_callbacks_del(cb);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_rst_for_rst),
      cmocka_unit_test(test_consume_inside_on_data),
      cmocka_unit_test(test_user_data_in_close),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

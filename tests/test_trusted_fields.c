/* Trusted fields: the session skips the RFC 9113 §8.2.1 octet checks for
 * a field the HPACK decoder took from the static table, or from a dynamic
 * entry whose octets were checked when it first arrived. These tests pin
 * the safety side of that shortcut: a dynamic entry whose first copy was
 * refused (or never checked) is checked again on every indexed copy, and
 * the per-message rules of §8 apply to trusted fields too. Every session
 * test runs whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "attack.h"
#include "http.h"

#define NV(n, v)                                                               \
  {                                                                            \
    (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1,  \
        0                                                                      \
  }

/* ---- h2w_http_msg_field_trusted ---------------------------------------- */

/* Trust skips exactly the octet rules it names. */
static void test_trust_skips_octets_only(void **state) {
  h2w_http_msg m;
  const char *reason = NULL;
  const h2w_nv bad_value = NV("x-a", "a\rb");
  const h2w_nv bad_name = NV("X-A", "v");
  (void)state;
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &bad_value, 0, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "NUL, CR or LF in field value");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(
      h2w_http_msg_field_trusted(&m, &bad_value, H2W_HTTP_TRUST_VALUE, &reason),
      H2W_OK);
  /* A trusted value does not vouch for the name, nor the reverse. */
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(
      h2w_http_msg_field_trusted(&m, &bad_name, H2W_HTTP_TRUST_VALUE, &reason),
      H2W_E_PROTOCOL);
  assert_string_equal(reason, "uppercase character in field name");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(
      h2w_http_msg_field_trusted(&m, &bad_value, H2W_HTTP_TRUST_NAME, &reason),
      H2W_E_PROTOCOL);
  assert_string_equal(reason, "NUL, CR or LF in field value");
}

/* The message rules (§8.2.2, §8.3) hold whatever the trust. */
static void test_trust_keeps_message_rules(void **state) {
  const unsigned all = H2W_HTTP_TRUST_NAME | H2W_HTTP_TRUST_VALUE;
  const h2w_nv method = NV(":method", "GET");
  const h2w_nv conn = NV("connection", "close");
  const h2w_nv te = NV("te", "gzip");
  const h2w_nv cl = NV("content-length", "1x");
  const h2w_nv status = NV(":status", "200");
  h2w_http_msg m;
  const char *reason = NULL;
  (void)state;
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &method, all, &reason),
                   H2W_OK);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &method, all, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "duplicate pseudo-header field");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &conn, all, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "connection field in HTTP/2");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &te, all, &reason),
                   H2W_E_PROTOCOL);
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &cl, all, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "invalid content-length");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &status, all, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, ":status in a request");
  /* h2w_http_msg_field is the untrusted form. */
  h2w_http_msg_begin(&m, H2W_HTTP_RESPONSE, 0);
  assert_int_equal(h2w_http_msg_field(&m, &status, &reason), H2W_OK);
  assert_int_equal(h2w_http_msg_status(&m), 200);
}

/* ---- through a server session ------------------------------------------ */

/* A GET on `id` whose last field is an indexed reference to dynamic
 * entry `index` (RFC 7541 §6.1), after the static pseudo-headers. */
static void get_with_index(h2w_fb *b, uint32_t id, uint32_t index) {
  h2w_fb blk;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_hp_int(&blk, 0x80, 7, index);
  atk_fb_block(b, id, 0x5, &blk);
  h2w_fb_free(&blk);
}

/* A GET on `id` that adds name: value to the dynamic table (§6.2.1). */
static void get_adding(h2w_fb *b, uint32_t id, const char *name, size_t nlen,
                       const char *value, size_t vlen) {
  h2w_fb blk;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_hp_indexed_literal(&blk, name, nlen, value, vlen);
  atk_fb_block(b, id, 0x5, &blk);
  h2w_fb_free(&blk);
}

/* Dynamic index of the entry get_adding() added: the newest, right after
 * the 61 static entries (atk_hp_get_pseudo() adds none: its :authority is
 * a literal without indexing). */
#define NEWEST 62u

typedef struct bad_entry {
  const char *what;
  const char *name, *value;
  size_t nlen, vlen;
} bad_entry;

#define F(n, v) n, v, sizeof(n) - 1, sizeof(v) - 1
static const bad_entry bad_entries[] = {
    {"CR in value", F("x-a", "a\rb")},  {"NUL in value", F("x-a", "a\0b")},
    {"uppercase name", F("X-A", "v")},  {"space in name", F("x a", "v")},
    {"trailing space", F("x-a", "v ")},
};
#undef F

/* The refused first copy leaves an unmarked entry: its indexed copy on
 * the next stream is checked and refused again, never delivered. */
static void test_refused_entry_checked_again(void **state) {
  size_t i;
  for (i = 0; i < sizeof bad_entries / sizeof bad_entries[0]; i++) {
    const bad_entry *c = &bad_entries[i];
    tpeer s;
    h2w_fb b;
    long before;
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    get_adding(&b, 1, c->name, c->nlen, c->value, c->vlen);
    atk_feed_ok(&s, &b);
    if (atk_out_count(&s, "RST_STREAM 1 PROTOCOL_ERROR") != 1) {
      fail_msg("%s: first copy not refused", c->what);
    }
    before = atk_out_count(&s, "RST_STREAM 3 PROTOCOL_ERROR");
    tpeer_log_clear(&s);
    h2w_fb_clear(&b);
    get_with_index(&b, 3, NEWEST);
    atk_feed_ok(&s, &b);
    if (atk_out_count(&s, "RST_STREAM 3 PROTOCOL_ERROR") != before + 1 ||
        tpeer_log_has(&s, "headers 3 *") || tpeer_log_has(&s, "end 3")) {
      fail_msg("%s: indexed copy not refused\n%s", c->what, s.log.buf);
    }
    assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* A good entry is delivered both times, and the message rules still
 * refuse its indexed copy where it does not belong: a checked
 * "connection: close" can never be marked, and a marked x-a is fine. */
static void test_checked_entry_reused(void **state) {
  tpeer s;
  h2w_fb b;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  get_adding(&b, 1, "x-a", 3, "good", 4);
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 1"));
  assert_int_equal(atk_out_count(&s, "RST_STREAM 1 *"), 0);
  tpeer_log_clear(&s);
  h2w_fb_clear(&b);
  get_with_index(&b, 3, NEWEST);
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 3"));
  assert_int_equal(atk_out_count(&s, "RST_STREAM 3 *"), 0);
  tpeer_log_clear(&s);
  h2w_fb_clear(&b);
  /* connection: close enters the table although the block is refused. */
  get_adding(&b, 5, "connection", 10, "close", 5);
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_out_count(&s, "RST_STREAM 5 PROTOCOL_ERROR"), 1);
  h2w_fb_clear(&b);
  get_with_index(&b, 7, NEWEST);
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_out_count(&s, "RST_STREAM 7 PROTOCOL_ERROR"), 1);
  assert_false(tpeer_log_has(&s, "end 7"));
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trust_skips_octets_only),
      cmocka_unit_test(test_trust_keeps_message_rules),
      SPLIT_TESTS(test_refused_entry_checked_again),
      SPLIT_TESTS(test_checked_entry_reused),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

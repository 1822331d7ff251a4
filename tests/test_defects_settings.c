/* Regression tests for issue 14 defects C, I and K: SETTINGS entries
 * applied one by one in wire order (RFC 9113 §6.5.3), and header-list cap
 * changes that bind between header blocks only. Every receive-path test
 * runs whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

enum { F_HEADERS = 1, F_CONTINUATION = 9 };
enum { END_STREAM = 0x1, END_HEADERS = 0x4 };

static void server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_start(s, 1, tmode(state), opt);
  tpeer_handshake(s);
}

/* An HPACK integer with a 7-bit prefix under pattern bits `first` (RFC
 * 7541 §5.1). */
static void hp_int7(h2w_fb *b, uint8_t first, size_t v) {
  if (v < 127) {
    h2w_fb_u8(b, first | (uint32_t)v);
    return;
  }
  h2w_fb_u8(b, first | 0x7fu);
  v -= 127;
  while (v >= 128) {
    h2w_fb_u8(b, (uint32_t)(v % 128 + 128));
    v /= 128;
  }
  h2w_fb_u8(b, (uint32_t)v);
}

/* A literal field without indexing, new name (RFC 7541 §6.2.2), whose
 * value is `vlen` copies of `fill`: it never touches the dynamic table,
 * so the octets counted are exactly name + value + 32. */
static void hp_literal(h2w_fb *b, const char *name, size_t vlen, char fill) {
  size_t i, nlen = strlen(name);
  h2w_fb_u8(b, 0x00);
  hp_int7(b, 0x00, nlen);
  h2w_fb_bytes(b, name, nlen);
  hp_int7(b, 0x00, vlen);
  for (i = 0; i < vlen; i++) {
    h2w_fb_u8(b, (uint8_t)fill);
  }
}

/* The request pseudo-fields, all from the static table: GET, https, /,
 * and :authority as a literal without indexing. */
static void hp_get(h2w_fb *b) {
  h2w_fb_u8(b, 0x82);
  h2w_fb_u8(b, 0x87);
  h2w_fb_u8(b, 0x84);
  h2w_fb_u8(b, 0x01); /* :authority, name index 1 */
  hp_int7(b, 0x00, 11);
  h2w_fb_str(b, "example.org");
}

/* ---- C: several HEADER_TABLE_SIZE entries in one SETTINGS --------------- */

static const char *const RESP_INDEXED[] = {":status", "200", "x-defect",
                                           "c-value", NULL};

/* The frame of the issue: SETTINGS {HEADER_TABLE_SIZE 0, HEADER_TABLE_SIZE
 * 4096}. The peer's decoder applies both (RFC 7541 §4.2), so our next
 * block must start with a size update to 0 (the entry it evicted is gone)
 * then one to 4096. The harness decoder plays the peer: told of both
 * limits, it rejects a block without the updates as the peer would
 * (nghttp2: COMPRESSION_ERROR). */
static void test_defect_c_min_table_size_signalled(void **state) {
  static const uint8_t settings[] = {0x00, 0x00, 0x0c, 0x04, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x01, 0x00, 0x00, 0x10, 0x00};
  uint32_t hts = 0;
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, END_STREAM, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_respond(&s, 1, RESP_INDEXED, NULL);
  EXPECT_OUT(&s, "HEADERS 1 * :status=200 x-defect=c-value");
  /* The peer applies the entries in order to its own decoder. */
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(s.dec, 0), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(s.dec, 4096), H2W_OK);
  assert_int_equal(tpeer_feed(&s, settings, sizeof settings),
                   (h2w_ssize)sizeof settings);
  tpeer_fb_headers(&s, &b, 3, END_STREAM, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_respond(&s, 3, RESP_INDEXED, NULL);
  EXPECT_OUT(&s, "SETTINGS ack", "HEADERS 3 * :status=200 x-defect=c-value");
  assert_int_equal(h2w_session_setting(s.s, H2W_SETTINGS_REMOTE,
                                       H2W_SETTINGS_HEADER_TABLE_SIZE, &hts),
                   H2W_OK);
  assert_int_equal(hts, 4096);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The same on the raw bytes: the block starts with the two updates,
 * 0 (0x20) then 4096 (0x3f 0xe1 0x1f), RFC 7541 §6.3. */
static void test_defect_c_update_bytes(void **state) {
  h2w_settings_entry iv[2] = {{H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 0},
                              {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 4096}};
  static const uint8_t want[] = {0x20, 0x3f, 0xe1, 0x1f};
  const uint8_t *out;
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, iv, 2);
  tpeer_fb_headers(&s, &b, 1, END_STREAM, GET_REQ);
  tpeer_feed_ok(&s, &b);
  tpeer_respond(&s, 1, RESP_INDEXED, NULL);
  /* Output: SETTINGS ACK (9 octets), then HEADERS: 9 + block. */
  assert_true(tpeer_read_out(&s) > 0);
  out = s.out;
  assert_true(s.outlen > 18 + sizeof want);
  assert_int_equal(out[3], 0x04);  /* SETTINGS */
  assert_int_equal(out[9 + 3], 1); /* HEADERS */
  assert_memory_equal(out + 18, want, sizeof want);
  EXPECT_OUT(&s, "SETTINGS ack", "HEADERS 1 * :status=200 x-defect=c-value");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Ours: we announce {HEADER_TABLE_SIZE 0, HEADER_TABLE_SIZE 4096}. Once
 * acknowledged, the peer's next block must signal 0 first (RFC 7541
 * §4.2); one that does is accepted, one that does not is a
 * COMPRESSION_ERROR. */
static void local_min_table_size(void **state, int peer_signals) {
  h2w_settings_entry iv[2] = {{H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 0},
                              {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 4096}};
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  assert_int_equal(h2w_session_submit_settings(s.s, iv, 2), H2W_OK);
  EXPECT_OUT(&s, "SETTINGS *");
  if (s.enc == NULL) {
    assert_int_equal(h2w_hpack_encoder_new(&s.enc, NULL), H2W_OK);
  }
  if (peer_signals) {
    /* The fake peer's encoder applies both, in order. */
    assert_int_equal(h2w_hpack_encoder_set_max_table_size(s.enc, 0), H2W_OK);
    assert_int_equal(h2w_hpack_encoder_set_max_table_size(s.enc, 4096), H2W_OK);
  }
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  tpeer_fb_headers(&s, &b, 1, END_STREAM, GET_REQ);
  if (peer_signals) {
    tpeer_feed_ok(&s, &b);
    assert_true(tpeer_log_has(&s, "headers 1 req es=1"));
  } else {
    assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_COMPRESSION);
    EXPECT_OUT(&s, "GOAWAY * COMPRESSION_ERROR*");
  }
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_defect_c_local_min_signalled(void **state) {
  local_min_table_size(state, 1);
}

static void test_defect_c_local_min_required(void **state) {
  local_min_table_size(state, 0);
}

/* ---- I: entries applied in order ---------------------------------------- */

/* A stream whose send window is 65536 (65535 + WINDOW_UPDATE 1). SETTINGS
 * {INITIAL_WINDOW_SIZE 2^31-1, INITIAL_WINDOW_SIZE 65535}: the first entry
 * alone moves the window to 2^31, past the §6.9.1 maximum, and §6.9.2
 * makes that a connection FLOW_CONTROL_ERROR even though the second entry
 * would bring it back. */
static void test_defect_i_first_entry_overflows(void **state) {
  h2w_settings_entry iv[2] = {
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 0x7fffffffu},
      {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 65535}};
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_window_update(&b, 1, 1);
  tpeer_feed_ok(&s, &b);
  h2w_fb_settings(&b, 0, iv, 2);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_FLOW_CONTROL);
  EXPECT_OUT(&s, "GOAWAY last=1 FLOW_CONTROL_ERROR*");
  assert_true(tpeer_log_has(&s, "error 0 FLOW_CONTROL_ERROR"));
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* In order, not folded, the other way round too: {65535 + 1000, 65535}
 * on a window of 65536 grows it by 1000, then shrinks it back; the frame
 * is acknowledged and the window ends where it began. */
static void test_defect_i_entries_in_order_ok(void **state) {
  h2w_settings_entry iv[3] = {{H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 66535},
                              {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 100},
                              {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, 65535}};
  int32_t recv = 0, send = 0;
  tpeer s;
  h2w_fb b;
  server(&s, state, NULL);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_window_update(&b, 1, 1);
  h2w_fb_settings(&b, 0, iv, 3);
  tpeer_feed_ok(&s, &b);
  EXPECT_OUT(&s, "SETTINGS ack");
  assert_int_equal(h2w_session_window(s.s, 1, &recv, &send), H2W_OK);
  assert_int_equal(send, 65536);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- K: header-list cap lowered in the middle of a block ----------------- */

#define K_FIELDS 170
#define K_VALUE 600
#define K_CAP 1000
/* The server's cap while the block begins (h2w_options default). */
#define K_OLD_CAP 65536

/* HEADERS 1 (no END_HEADERS) with the request and 4 big fields, then a
 * CONTINUATION with K_FIELDS more (END_HEADERS), ~107 KB in all. */
static void k_block(h2w_fb *first, h2w_fb *rest) {
  h2w_fb blk;
  size_t off, k;
  int i;
  h2w_fb_init(&blk);
  hp_get(&blk);
  for (i = 0; i < 4; i++) {
    hp_literal(&blk, "x-k", K_VALUE, 'a');
  }
  h2w_fb_headers(first, 1, END_STREAM, blk.buf, blk.len);
  h2w_fb_clear(&blk);
  for (i = 0; i < K_FIELDS; i++) {
    hp_literal(&blk, "x-k", K_VALUE, 'b');
  }
  /* CONTINUATION frames of at most 16384 octets (the default
   * SETTINGS_MAX_FRAME_SIZE): 7 of them. */
  for (off = 0; off < blk.len; off += k) {
    k = blk.len - off < 16384 ? blk.len - off : 16384;
    h2w_fb_begin(rest, F_CONTINUATION, off + k == blk.len ? END_HEADERS : 0, 1);
    h2w_fb_bytes(rest, blk.buf + off, k);
    h2w_fb_end(rest);
  }
  h2w_fb_free(&blk);
}

static void k_lower_cap(tpeer *s) {
  h2w_settings_entry iv = {H2W_SETTINGS_MAX_HEADER_LIST_SIZE, 0, K_CAP};
  assert_int_equal(h2w_session_submit_settings(s->s, &iv, 1), H2W_OK);
}

/* The block in flight keeps the cap it began with: delivery stops at
 * K_OLD_CAP and the request is refused (431 or RST_STREAM), never handed
 * over whole. */
static void k_expect_capped(tpeer *s) {
  long fields = 0;
  size_t off = 0;
  const char *log = s->log.buf ? s->log.buf : "";
  const char *hit;
  while ((hit = strstr(log + off, "header 1 x-k ")) != NULL) {
    fields++;
    off = (size_t)(hit - log) + 1;
  }
  assert_true(fields * (3 + K_VALUE + 32) <= K_OLD_CAP);
  assert_false(tpeer_log_has(s, "headers 1 *"));
  assert_true(tpeer_out_has(s, "HEADERS 1 * :status=431*") ||
              tpeer_out_has(s, "RST_STREAM 1 *"));
}

/* SETTINGS queued between the two recv calls that carry the block. */
static void test_defect_k_cap_lowered_between_recv(void **state) {
  tpeer s;
  h2w_fb first, rest;
  server(&s, state, NULL);
  h2w_fb_init(&first);
  h2w_fb_init(&rest);
  k_block(&first, &rest);
  tpeer_feed_ok(&s, &first);
  k_lower_cap(&s);
  tpeer_feed_ok(&s, &rest);
  k_expect_capped(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&first);
  h2w_fb_free(&rest);
  tpeer_free(&s);
}

/* Lower the cap from on_header at the 4th x-k field, when the list
 * counted so far (~2.6 KB) already exceeds the new cap. */
static int k_hook(tpeer *p, const tev *ev) {
  int *seen = p->app;
  if (ev->type == TEV_HEADER && ev->nv->namelen == 3 &&
      memcmp(ev->nv->name, "x-k", 3) == 0 && ++*seen == 4) {
    k_lower_cap(p);
  }
  return 0;
}

/* SETTINGS queued from inside on_header, block fed in one go. */
static void test_defect_k_cap_lowered_from_on_header(void **state) {
  tpeer s;
  h2w_fb first, rest;
  int seen = 0;
  server(&s, state, NULL);
  s.hook = k_hook;
  s.app = &seen;
  h2w_fb_init(&first);
  h2w_fb_init(&rest);
  k_block(&first, &rest);
  h2w_fb_bytes(&first, rest.buf, rest.len);
  tpeer_feed_ok(&s, &first);
  assert_true(seen >= 4);
  k_expect_capped(&s);
  h2w_fb_free(&first);
  h2w_fb_free(&rest);
  tpeer_free(&s);
}

/* The next block is judged by the new cap: 2 KB of fields exceed 1000. */
static void test_defect_k_new_cap_binds_next_block(void **state) {
  tpeer s;
  h2w_fb first, rest, blk;
  server(&s, state, NULL);
  h2w_fb_init(&first);
  h2w_fb_init(&rest);
  h2w_fb_init(&blk);
  k_block(&first, &rest);
  tpeer_feed_ok(&s, &first);
  k_lower_cap(&s);
  tpeer_feed_ok(&s, &rest);
  tpeer_out_clear(&s);
  tpeer_log_clear(&s);
  hp_get(&blk);
  hp_literal(&blk, "x-k", 2000, 'c');
  h2w_fb_headers(&first, 3, END_STREAM | END_HEADERS, blk.buf, blk.len);
  tpeer_feed_ok(&s, &first);
  assert_false(tpeer_log_has(&s, "headers 3 *"));
  assert_true(tpeer_out_has(&s, "HEADERS 3 * :status=431*") ||
              tpeer_out_has(&s, "RST_STREAM 3 *"));
  h2w_fb_free(&blk);
  h2w_fb_free(&first);
  h2w_fb_free(&rest);
  tpeer_free(&s);
}

typedef struct k_count {
  size_t fields;
  size_t octets;
} k_count;

static int k_count_field(void *user, const h2w_nv *nv) {
  k_count *c = user;
  c->fields++;
  c->octets += nv->namelen + nv->valuelen + 32;
  return 0;
}

/* The standalone decoder: its cap lowered between two pieces of one
 * block. The block keeps its cap (4000): delivery stops there and the
 * block ends with H2W_E_LIMIT, instead of the wrapped room letting every
 * later field through; the next block is held to the new cap. */
static void test_defect_k_standalone_decoder(void **state) {
  h2w_hpack_decoder *dec = NULL;
  k_count c = {0, 0};
  h2w_fb one, two;
  int i;
  (void)state;
  assert_int_equal(h2w_hpack_decoder_new(&dec, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_header_list_size(dec, 4000),
                   H2W_OK);
  h2w_fb_init(&one);
  h2w_fb_init(&two);
  for (i = 0; i < 3; i++) {
    hp_literal(&one, "x-k", K_VALUE, 'a'); /* 3 x 635 = 1905 */
  }
  for (i = 0; i < K_FIELDS; i++) {
    hp_literal(&two, "x-k", K_VALUE, 'b');
  }
  assert_int_equal(
      h2w_hpack_decode(dec, one.buf, one.len, 0, k_count_field, &c), H2W_OK);
  assert_int_equal(c.fields, 3);
  assert_int_equal(h2w_hpack_decoder_set_max_header_list_size(dec, K_CAP),
                   H2W_OK);
  assert_int_equal(h2w_hpack_decode(dec, two.buf, two.len, H2W_HPACK_FINAL,
                                    k_count_field, &c),
                   H2W_E_LIMIT);
  assert_true(c.octets <= 4000);
  assert_int_equal(c.fields, 4000 / (3 + K_VALUE + 32));
  /* Next block: the new cap. One 635-octet field fits 1000, two do not. */
  c.fields = c.octets = 0;
  h2w_fb_clear(&one);
  hp_literal(&one, "x-k", K_VALUE, 'c');
  assert_int_equal(h2w_hpack_decode(dec, one.buf, one.len, H2W_HPACK_FINAL,
                                    k_count_field, &c),
                   H2W_OK);
  hp_literal(&one, "x-k", K_VALUE, 'd');
  c.fields = 0;
  assert_int_equal(h2w_hpack_decode(dec, one.buf, one.len, H2W_HPACK_FINAL,
                                    k_count_field, &c),
                   H2W_E_LIMIT);
  assert_int_equal(c.fields, 1);
  h2w_fb_free(&one);
  h2w_fb_free(&two);
  h2w_hpack_decoder_del(dec);
}

/* ---- h2w_http2_settings_decode past 64 entries --------------------------- */

/* 65 entries {MAX_CONCURRENT_STREAMS 100}: "AAMAAABk" is the base64url of
 * one (00 03 00 00 00 64). More than the 64 the function decodes is
 * H2W_E_BUFFER_TOO_SMALL, as h2wire.h documents, not H2W_E_PROTOCOL. */
static void test_http2_settings_decode_too_many(void **state) {
  char value[8 * 65 + 1];
  h2w_settings_entry iv[80];
  int i;
  (void)state;
  for (i = 0; i < 65; i++) {
    memcpy(value + 8 * i, "AAMAAABk", 8);
  }
  value[8 * 65] = '\0';
  assert_int_equal(h2w_http2_settings_decode(value, 8 * 64, iv, 80), 64);
  assert_int_equal(iv[63].id, H2W_SETTINGS_MAX_CONCURRENT_STREAMS);
  assert_int_equal(iv[63].value, 100);
  assert_int_equal(h2w_http2_settings_decode(value, 8 * 65, iv, 80),
                   H2W_E_BUFFER_TOO_SMALL);
  assert_int_equal(h2w_http2_settings_decode(value, 8 * 3, iv, 2),
                   H2W_E_BUFFER_TOO_SMALL);
  assert_int_equal(h2w_http2_settings_decode("AAMAAAB", 7, iv, 80),
                   H2W_E_PROTOCOL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_defect_c_min_table_size_signalled),
      SPLIT_TESTS(test_defect_c_update_bytes),
      SPLIT_TESTS(test_defect_c_local_min_signalled),
      SPLIT_TESTS(test_defect_c_local_min_required),
      SPLIT_TESTS(test_defect_i_first_entry_overflows),
      SPLIT_TESTS(test_defect_i_entries_in_order_ok),
      SPLIT_TESTS(test_defect_k_cap_lowered_between_recv),
      SPLIT_TESTS(test_defect_k_cap_lowered_from_on_header),
      SPLIT_TESTS(test_defect_k_new_cap_binds_next_block),
      cmocka_unit_test(test_defect_k_standalone_decoder),
      cmocka_unit_test(test_http2_settings_decode_too_many),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

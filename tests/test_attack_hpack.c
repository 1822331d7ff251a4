/* docs/security.md rows 11-13: header blocks as a weapon. CONTINUATION floods
 * (CVE-2024-28182 and family), the HPACK bomb (CVE-2016-6581: one large
 * indexed value referenced thousands of times) and malformed HPACK
 * (RFC 7541 §5, §6, §4.2) must be stopped by counts and limits enforced
 * while decoding, never by buffering or decoding everything first. Every
 * test runs whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "attack.h"

#define MAX_CONT 8u      /* default CONTINUATIONs per block */
#define LIST_MAX 65536u  /* default SETTINGS_MAX_HEADER_LIST_SIZE */
#define FIELDS_MAX 1000u /* default fields per block */

/* ---- row 11: CONTINUATION flood ------------------------------------------
 */

/* One field "x-<tag>: <n>" per fragment, so every fragment is a whole
 * field and the test sees which were decoded. */
static void field_fragment(h2w_fb *blk, const char *tag, unsigned n) {
  char name[32], value[16];
  int nl = snprintf(name, sizeof name, "x-%s", tag);
  int vl = snprintf(value, sizeof value, "%u", n);
  h2w_fb_clear(blk);
  atk_hp_literal(blk, name, (size_t)nl, value, (size_t)vl);
}

/* CONTINUATIONs number first..last-1 of one field each on `id`, the last
 * with END_HEADERS when `end`. */
static void continuations(h2w_fb *b, uint32_t id, unsigned first, unsigned last,
                          int end, const char *tag) {
  h2w_fb blk;
  unsigned i;
  h2w_fb_init(&blk);
  for (i = first; i < last; i++) {
    uint32_t flags = end && i + 1 == last ? 0x4u : 0u;
    field_fragment(&blk, tag, i);
    h2w_fb_hd(b, (uint32_t)blk.len, ATK_CONTINUATION, flags, id);
    h2w_fb_bytes(b, blk.buf, blk.len);
  }
  h2w_fb_free(&blk);
}

/* HEADERS carrying the GET pseudo-headers without END_HEADERS, then `n`
 * CONTINUATIONs of one field each (END_HEADERS on the last when `end`). */
static void split_block(h2w_fb *b, uint32_t id, unsigned n, int end,
                        const char *tag) {
  h2w_fb blk;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_fb_block(b, id, 0x1, &blk);
  h2w_fb_free(&blk);
  continuations(b, id, 0, n, end, tag);
}

/* The ninth CONTINUATION is refused from its frame header: nothing of it
 * is decoded and the connection ends with ENHANCE_YOUR_CALM. */
static void test_attack_11_continuation_flood(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, allowed;
  uint64_t off = 0;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  split_block(&b, 1, MAX_CONT, 0, "c");
  allowed = b.len;
  continuations(&b, 1, MAX_CONT, 1000, 0, "c");
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  (void)h2w_session_error(s.s, NULL, NULL, &off);
  assert_int_equal(off, ATK_HANDSHAKE_LEN + allowed);
  /* Fields may be delivered as they are decoded, but none past the cap,
   * and the block never completes. */
  assert_false(tpeer_log_has(&s, "header 1 x-c 8"));
  assert_false(tpeer_log_has(&s, "headers 1 *"));
  assert_true(tpeer_log_has(&s, "error 0 ENHANCE_YOUR_CALM"));
  assert_int_equal(atk_log_count(&s, "error *"), 1);
  EXPECT_OUT(&s, "GOAWAY last=* ENHANCE_YOUR_CALM*");
  atk_bound("row 11: 1000 CONTINUATIONs, peak above handshake",
            atk_peak_above(&s, base), 4096);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Empty CONTINUATIONs (no payload at all) are counted the same way. */
static void test_attack_11_empty_continuations(void **state) {
  tpeer s;
  h2w_fb b, blk;
  size_t base;
  unsigned i;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_fb_block(&b, 1, 0x1, &blk);
  for (i = 0; i < 100000; i++) {
    h2w_fb_hd(&b, 0, ATK_CONTINUATION, 0, 1);
  }
  atk_feed_err(&s, &b, H2W_E_FLOODED);
  atk_expect_error(&s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM);
  assert_false(tpeer_log_has(&s, "headers 1 *"));
  EXPECT_OUT(&s, "GOAWAY last=* ENHANCE_YOUR_CALM*");
  atk_bound("row 11: 100,000 empty CONTINUATIONs, peak above handshake",
            atk_peak_above(&s, base), 4096);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* §6.10: nothing but CONTINUATION of the same stream may follow a
 * HEADERS without END_HEADERS: any other frame is PROTOCOL_ERROR. */
static void test_attack_11_frame_inside_block(void **state) {
  int k;
  for (k = 0; k < 5; k++) {
    tpeer s;
    h2w_fb b;
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    split_block(&b, 1, 2, 0, "c");
    switch (k) {
    case 0:
      h2w_fb_ping(&b, 0, 1);
      break;
    case 1:
      h2w_fb_data(&b, 1, 0, "x");
      break;
    case 2: /* a CONTINUATION of another stream */
      h2w_fb_hd(&b, 1, ATK_CONTINUATION, 0x4, 3);
      h2w_fb_u8(&b, 0x82);
      break;
    case 3: /* a new HEADERS on the next stream */
      tpeer_fb_headers(&s, &b, 3, 0x1, GET_REQ);
      break;
    default:
      h2w_fb_window_update(&b, 0, 100);
      break;
    }
    atk_feed_err(&s, &b, H2W_E_PROTOCOL);
    atk_expect_error(&s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR);
    assert_false(tpeer_log_has(&s, "headers 1 *"));
    assert_false(tpeer_log_has(&s, "begin_headers 3 *"));
    EXPECT_OUT(&s, "GOAWAY last=* PROTOCOL_ERROR*");
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* A CONTINUATION with no open block is PROTOCOL_ERROR as well. */
static void test_attack_11_stray_continuation(void **state) {
  tpeer s;
  h2w_fb b;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 1, ATK_CONTINUATION, 0x4, 1);
  h2w_fb_u8(&b, 0x82);
  atk_feed_err(&s, &b, H2W_E_PROTOCOL);
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR");
  EXPECT_OUT(&s, "GOAWAY last=0 PROTOCOL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: exactly 8 CONTINUATIONs pass, block after block (the
 * count is per block), in whatever pieces the input arrives. */
static void test_attack_11_legit_8_continuations(void **state) {
  tpeer s;
  h2w_fb b;
  uint32_t id;
  size_t base;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (id = 1; id < 200; id += 2) {
    split_block(&b, id, MAX_CONT, 1, "c");
  }
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "headers * req es=1"), 100);
  assert_int_equal(atk_log_count(&s, "end *"), 100);
  assert_int_equal(atk_log_count(&s, "header 199 x-c 7"), 1);
  assert_int_equal(atk_log_count(&s, "header * x-c *"), 800);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  atk_bound("row 11: 100 blocks of 8 CONTINUATIONs, peak above handshake",
            atk_peak_above(&s, base), 64 * 1024);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 12: HPACK bomb --------------------------------------------------
 */

#define BOMB_VALUE 4000u
#define BOMB_REFS 15000u

typedef struct bomb_count {
  unsigned long fields; /* x-bomb fields delivered */
  unsigned long long octets;
} bomb_count;

static int bomb_hook(tpeer *p, const tev *ev) {
  bomb_count *c = p->app;
  if (ev->type == TEV_HEADER && ev->nv->namelen == 6 &&
      memcmp(ev->nv->name, "x-bomb", 6) == 0) {
    c->fields++;
    c->octets += ev->nv->valuelen;
  }
  return 0;
}

/* Stream 1 puts "x-bomb: a*4000" into the dynamic table (index 62,
 * RFC 7541 §2.3.3); stream 3 references it BOMB_REFS times: 15 KB of
 * input that would decode to 60 MB. */
static void bomb_input(h2w_fb *b, unsigned refs) {
  static uint8_t value[BOMB_VALUE];
  h2w_fb blk;
  unsigned i;
  memset(value, 'a', sizeof value);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_hp_indexed_literal(&blk, "x-bomb", 6, value, sizeof value);
  atk_fb_block(b, 1, 0x5, &blk);
  h2w_fb_clear(&blk);
  atk_hp_get_pseudo(&blk);
  for (i = 0; i < refs; i++) {
    h2w_fb_u8(&blk, 0xbe); /* indexed field 62 */
  }
  atk_fb_block(b, 3, 0x5, &blk);
  h2w_fb_free(&blk);
}

static void test_attack_12_hpack_bomb(void **state) {
  tpeer s;
  h2w_fb b;
  bomb_count cnt = {0, 0};
  size_t base;
  /* Fields that fit the list limit (RFC 9113 §6.5.2 counts 32 octets of
   * overhead per field): pseudo-headers first, then x-bomb ones. */
  const unsigned long fit = LIST_MAX / (6 + BOMB_VALUE + 32);
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER;
  s.app = &cnt;
  s.hook = bomb_hook;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  bomb_input(&b, BOMB_REFS);
  atk_feed_ok(&s, &b);
  /* Stream 1 is a normal request with one x-bomb field. */
  assert_true(tpeer_log_has(&s, "end 1"));
  assert_true(cnt.fields >= 1 && cnt.fields <= 1 + fit);
  assert_true(cnt.octets <= BOMB_VALUE + LIST_MAX);
  print_message("[ DELIVER  ] row 12: %lu x-bomb fields, %llu octets of %u "
                "referenced\n",
                cnt.fields - 1, cnt.octets - BOMB_VALUE, BOMB_REFS);
  /* Stream 3 is refused and never completed. */
  assert_false(tpeer_log_has(&s, "headers 3 *"));
  assert_false(tpeer_log_has(&s, "end 3"));
  tpeer_parse_out(&s);
  assert_true(atk_frames_count(&s, "HEADERS 3 * :status=431*") == 1 ||
              atk_frames_count(&s, "RST_STREAM 3 *") == 1);
  tpeer_out_clear(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  /* The bomb costs less than one legal header list would. */
  atk_bound("row 12: HPACK bomb, peak above handshake",
            atk_peak_above(&s, base), LIST_MAX);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The decoder went on through the refused block (without delivering), so
 * the dynamic table is still in sync: stream 5 references entry 62 and
 * gets the 4000-octet value. */
static void test_attack_12_table_in_sync_after_bomb(void **state) {
  tpeer s;
  h2w_fb b, blk;
  bomb_count cnt = {0, 0};
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER;
  s.app = &cnt;
  s.hook = bomb_hook;
  h2w_fb_init(&b);
  bomb_input(&b, BOMB_REFS);
  atk_feed_ok(&s, &b);
  tpeer_out_clear(&s);
  tpeer_log_clear(&s);
  cnt.fields = 0;
  cnt.octets = 0;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  h2w_fb_u8(&blk, 0xbe);
  atk_fb_block(&b, 5, 0x5, &blk);
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 5"));
  assert_int_equal(cnt.fields, 1);
  assert_int_equal(cnt.octets, BOMB_VALUE);
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The field count cap: 2000 references to a tiny static entry (index 16,
 * accept-encoding: gzip, deflate) stop after at most 1000 fields. */
static void test_attack_12_field_count(void **state) {
  tpeer s;
  h2w_fb b, blk;
  size_t base;
  unsigned i;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  for (i = 0; i < 2000; i++) {
    h2w_fb_u8(&blk, 0x90);
  }
  atk_fb_block(&b, 1, 0x5, &blk);
  atk_feed_ok(&s, &b);
  assert_true(atk_log_count(&s, "header 1 *") <= (long)FIELDS_MAX);
  assert_false(tpeer_log_has(&s, "headers 1 *"));
  assert_false(tpeer_log_has(&s, "end 1"));
  tpeer_parse_out(&s);
  assert_true(atk_frames_count(&s, "HEADERS 1 * :status=431*") == 1 ||
              atk_frames_count(&s, "RST_STREAM 1 *") == 1);
  tpeer_out_clear(&s);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  /* At most one frame (16384) buffered plus decoder state. */
  atk_bound("row 12: 2000 fields, peak above handshake",
            atk_peak_above(&s, base), 2 * 16384);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Client side: a response bomb is refused too (the stream is reset). */
static void test_attack_12_response_bomb(void **state) {
  tpeer c;
  h2w_fb b, blk;
  bomb_count cnt = {0, 0};
  static uint8_t value[BOMB_VALUE];
  size_t base;
  unsigned i;
  memset(value, 'a', sizeof value);
  atk_client(&c, tmode(state), NULL);
  c.mute |= TEV_HEADER;
  c.app = &cnt;
  c.hook = bomb_hook;
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  tpeer_out_clear(&c);
  base = c.alloc.peak = c.alloc.bytes;
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  h2w_fb_u8(&blk, 0x88); /* :status 200 */
  atk_hp_indexed_literal(&blk, "x-bomb", 6, value, sizeof value);
  for (i = 0; i < BOMB_REFS; i++) {
    h2w_fb_u8(&blk, 0xbe);
  }
  atk_fb_block_split(&b, 1, 0x1, &blk, 16384);
  atk_feed_ok(&c, &b);
  assert_true(cnt.octets <= LIST_MAX);
  assert_false(tpeer_log_has(&c, "headers 1 *"));
  assert_false(tpeer_log_has(&c, "end 1"));
  assert_true(tpeer_log_has(&c, "close 1 *"));
  assert_int_equal(atk_out_count(&c, "RST_STREAM 1 *"), 1);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  atk_bound("row 12: response bomb, peak above handshake",
            atk_peak_above(&c, base), LIST_MAX);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&c);
}

/* The neighbour: a header list just under the limit (15 fields of 4000
 * octets: 15 * 4038 + the pseudo-headers < 65536) spread over HEADERS and
 * CONTINUATIONs is delivered whole. */
static void test_attack_12_legit_large_list(void **state) {
  tpeer s;
  h2w_fb b, blk;
  bomb_count cnt = {0, 0};
  static uint8_t value[BOMB_VALUE];
  unsigned i;
  memset(value, 'b', sizeof value);
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER;
  s.app = &cnt;
  s.hook = bomb_hook;
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  for (i = 0; i < 15; i++) {
    atk_hp_literal(&blk, "x-bomb", 6, value, sizeof value);
  }
  /* 60 KB of block in frames of at most 16384 octets. */
  atk_fb_block_split(&b, 1, 0x1, &blk, 16384);
  atk_feed_ok(&s, &b);
  assert_int_equal(cnt.fields, 15);
  assert_int_equal(cnt.octets, 15 * BOMB_VALUE);
  assert_true(tpeer_log_has(&s, "headers 1 req es=1"));
  assert_true(tpeer_log_has(&s, "end 1"));
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 13: HPACK decoding errors ---------------------------------------
 */

typedef struct hp_case {
  const char *what;
  const uint8_t *octets;
  size_t len;
} hp_case;

#define O(...)                                                                 \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
static const hp_case hp_cases[] = {
    /* §5.1: an index that does not fit any integer we could hold. */
    {"integer overflow",
     O(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)},
    {"string length overflow",
     O(0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)},
    {"string longer than the block", O(0x00, 0x05, 'a', 'b')},
    /* §5.2: EOS inside a Huffman string. */
    {"Huffman EOS", O(0x00, 0x84, 0xff, 0xff, 0xff, 0xff, 0x01, 'v')},
    /* 'a' (00011) then 11 padding bits: padding longer than 7 bits. */
    {"Huffman over-long padding", O(0x00, 0x82, 0x1f, 0xff, 0x01, 'v')},
    /* 'a' (00011) then 000: padding that is not the EOS prefix. */
    {"Huffman zero padding", O(0x00, 0x81, 0x18, 0x01, 'v')},
    /* §6.1: index 0 is not used. */
    {"index 0", O(0x80)},
    /* §2.3.3: 62 with an empty dynamic table. */
    {"index past the table", O(0xbe)},
    {"name index past the table", O(0x7f, 0x07, 0x01, 'v')},
    {"huge index", O(0xff, 0xff, 0xff, 0xff, 0xff, 0x0f)},
    /* §6.3: above SETTINGS_HEADER_TABLE_SIZE (4096). */
    {"table size update too big", O(0x3f, 0xe2, 0x1f)},
    /* §4.2: only at the start of a block. */
    {"table size update after a field", O(0x82, 0x20)},
    /* docs/security.md: at most two updates per block. */
    {"three table size updates", O(0x20, 0x20, 0x20, 0x82)},
};
#undef O

static void test_attack_13_hpack_errors(void **state) {
  size_t i;
  for (i = 0; i < sizeof hp_cases / sizeof hp_cases[0]; i++) {
    const hp_case *c = &hp_cases[i];
    tpeer s;
    h2w_fb b;
    size_t base;
    uint64_t off = 0;
    h2w_ssize rv;
    atk_server(&s, tmode(state), NULL);
    base = s.alloc.peak = s.alloc.bytes;
    h2w_fb_init(&b);
    h2w_fb_hd(&b, (uint32_t)c->len, ATK_HEADERS, 0x5, 1);
    h2w_fb_bytes(&b, c->octets, c->len);
    h2w_fb_ping(&b, 0, 7); /* never answered */
    rv = tpeer_feed_fb(&s, &b);
    if (rv != H2W_E_COMPRESSION) {
      fail_msg("%s: %s", c->what,
               rv >= 0 ? "accepted" : h2w_error_name((int)rv));
    }
    atk_expect_error(&s, H2W_E_COMPRESSION, H2W_COMPRESSION_ERROR);
    (void)h2w_session_error(s.s, NULL, NULL, &off);
    assert_int_equal(off, ATK_HANDSHAKE_LEN);
    assert_false(tpeer_log_has(&s, "headers 1 *"));
    assert_false(tpeer_log_has(&s, "end 1"));
    assert_int_equal(atk_log_count(&s, "error 0 COMPRESSION_ERROR"), 1);
    EXPECT_OUT(&s, "GOAWAY last=* COMPRESSION_ERROR*");
    assert_true(atk_peak_above(&s, base) < 4096);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* The neighbour: two table size updates at the start of a block (§4.2
 * allows a smaller then a larger one), Huffman strings with legal
 * padding, multi-octet integers. */
static void test_attack_13_legit_hpack(void **state) {
  tpeer s;
  h2w_fb b, blk;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  h2w_fb_u8(&blk, 0x20);           /* size 0 */
  atk_hp_int(&blk, 0x20, 5, 4096); /* size 4096 */
  atk_hp_get_pseudo(&blk);
  /* "x-h: a" with the value Huffman coded: 00011 + 111 padding. */
  h2w_fb_u8(&blk, 0x00);
  atk_hp_str(&blk, "x-h", 3);
  h2w_fb_u8(&blk, 0x81);
  h2w_fb_u8(&blk, 0x1f);
  atk_hp_indexed_literal(&blk, "x-i", 3, "1", 1);
  h2w_fb_u8(&blk, 0xbe); /* the entry just added */
  atk_fb_block(&b, 1, 0x5, &blk);
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "header 1 x-h a"));
  assert_int_equal(atk_log_count(&s, "header 1 x-i 1"), 2);
  assert_true(tpeer_log_has(&s, "end 1"));
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_11_continuation_flood),
      SPLIT_TESTS(test_attack_11_empty_continuations),
      SPLIT_TESTS(test_attack_11_frame_inside_block),
      SPLIT_TESTS(test_attack_11_stray_continuation),
      SPLIT_TESTS(test_attack_11_legit_8_continuations),
      SPLIT_TESTS(test_attack_12_hpack_bomb),
      SPLIT_TESTS(test_attack_12_table_in_sync_after_bomb),
      SPLIT_TESTS(test_attack_12_field_count),
      SPLIT_TESTS(test_attack_12_response_bomb),
      SPLIT_TESTS(test_attack_12_legit_large_list),
      SPLIT_TESTS(test_attack_13_hpack_errors),
      SPLIT_TESTS(test_attack_13_legit_hpack),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

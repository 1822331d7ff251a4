/* docs/security.md rows 5, 17 and 18: malformed messages (RFC 9113 §8.1.1,
 * §8.2, §8.3). An empty field name (CVE-2019-9516), a content-length that
 * disagrees with the body (request smuggling, H2.CL) and injected octets
 * or forbidden fields are stream errors PROTOCOL_ERROR: the offending
 * field never reaches a callback, the application never sees the stream
 * end, and the connection serves the next request. Every test runs whole,
 * in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "attack.h"

/* A field that must never be delivered, checked on every on_header. */
typedef struct banned {
  const void *name, *value;
  size_t nlen, vlen;
  int seen;
} banned;

static int ban_hook(tpeer *p, const tev *ev) {
  banned *b = p->app;
  if (ev->type == TEV_HEADER && b != NULL && ev->nv->namelen == b->nlen &&
      ev->nv->valuelen == b->vlen &&
      memcmp(ev->nv->name, b->name, b->nlen) == 0 &&
      (b->vlen == 0 || memcmp(ev->nv->value, b->value, b->vlen) == 0)) {
    b->seen = 1;
  }
  return 0;
}

/* A request that is answered normally proves the connection lived on. */
static void expect_next_request_served(tpeer *s, uint32_t id) {
  h2w_fb b;
  char want[32];
  h2w_fb_init(&b);
  tpeer_fb_headers(s, &b, id, 0x1, GET_REQ);
  atk_feed_ok(s, &b);
  snprintf(want, sizeof want, "end %u", id);
  assert_true(tpeer_log_has(s, want));
  assert_int_equal(h2w_session_error(s->s, NULL, NULL, NULL), H2W_OK);
  tpeer_log_clear(s);
  h2w_fb_free(&b);
}

/* The common verdict on a malformed request on stream 1. */
static void expect_refused(tpeer *s, const char *what) {
  if (atk_out_count(s, "RST_STREAM 1 PROTOCOL_ERROR") != 1) {
    fail_msg("%s: no RST_STREAM 1 PROTOCOL_ERROR", what);
  }
  if (tpeer_log_has(s, "headers 1 *") || tpeer_log_has(s, "end 1") ||
      !tpeer_log_has(s, "error 1 PROTOCOL_ERROR") ||
      !tpeer_log_has(s, "close 1 PROTOCOL_ERROR reset")) {
    fail_msg("%s: unexpected events\n%s", what, s->log.buf);
  }
  assert_int_equal(h2w_session_error(s->s, NULL, NULL, NULL), H2W_OK);
  tpeer_log_clear(s);
}

/* ---- row 5: zero-length header names ---------------------------------------
 */

static void empty_name_request(h2w_fb *b, uint32_t id) {
  h2w_fb blk;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_hp_literal(&blk, "", 0, "v", 1);
  atk_fb_block(b, id, 0x5, &blk);
  h2w_fb_free(&blk);
}

static void test_attack_05_empty_name(void **state) {
  tpeer s;
  h2w_fb b;
  banned ban = {"", "v", 0, 1, 0};
  atk_server(&s, tmode(state), NULL);
  s.app = &ban;
  s.hook = ban_hook;
  h2w_fb_init(&b);
  empty_name_request(&b, 1);
  atk_feed_ok(&s, &b);
  expect_refused(&s, "empty name");
  assert_false(ban.seen);
  expect_next_request_served(&s, 3);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* 100,000 such blocks, 25 per second of the caller's clock (under the
 * reset budget's 33/s refill) from a peer that reads our output: each is
 * refused, the heap stays flat. */
static void test_attack_05_empty_name_100k(void **state) {
  tpeer s;
  h2w_fb b;
  size_t base, after_first = 0;
  uint32_t id = 1;
  long rsts = 0, round;
  atk_server(&s, tmode(state), NULL);
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  for (round = 0; round < 4000; round++) {
    int i;
    assert_int_equal(h2w_session_tick(s.s, 1000 * (uint64_t)(round + 1)),
                     H2W_OK);
    for (i = 0; i < 25; i++, id += 2) {
      empty_name_request(&b, id);
    }
    atk_feed_ok(&s, &b);
    rsts += atk_out_count(&s, "RST_STREAM * PROTOCOL_ERROR");
    /* The pseudo-headers before the bad field may be seen; the block is
     * never completed and the field never delivered. */
    assert_int_equal(atk_log_count(&s, "begin_headers * req"), 25);
    assert_int_equal(atk_log_count(&s, "error * PROTOCOL_ERROR"), 25);
    assert_int_equal(atk_log_count(&s, "close * PROTOCOL_ERROR reset"), 25);
    assert_int_equal(atk_log_count(&s, "headers *"), 0);
    assert_int_equal(atk_log_count(&s, "end *"), 0);
    assert_int_equal(atk_log_count(&s, "header *  v"), 0);
    tpeer_log_clear(&s);
    if (round == 0) {
      after_first = s.alloc.peak;
    }
  }
  assert_int_equal(rsts, 100000);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  atk_bound("row 5: 100,000 empty-name blocks, peak above handshake",
            atk_peak_above(&s, base), 16 * 1024);
  atk_bound("row 5: peak growth after the first 25 blocks",
            s.alloc.peak - after_first, 1);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: one-character names and empty values are legal
 * (RFC 9110 §5.1, §5.5) and delivered verbatim, block after block. */
static void test_attack_05_legit_short_fields(void **state) {
  tpeer s;
  h2w_fb b, blk;
  uint32_t id;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_hp_literal(&blk, "a", 1, "", 0);
  atk_hp_literal(&blk, "b", 1, "1", 1);
  /* 90 requests: unanswered, they stay under the concurrency limit. */
  for (id = 1; id < 180; id += 2) {
    atk_fb_block(&b, id, 0x5, &blk);
  }
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "header * a "), 90);
  assert_int_equal(atk_log_count(&s, "header * b 1"), 90);
  assert_int_equal(atk_log_count(&s, "end *"), 90);
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 17: content-length and request smuggling -------------------------
 */

#define POST_PSEUDO                                                            \
  ":method", "POST", ":scheme", "https", ":authority", "example.org", ":path", \
      "/upload"

/* content-length values that are not strictly 1*DIGIT (RFC 9110 §8.6). */
static const char *const bad_lengths[] = {"+5",
                                          "5 ",
                                          "0x5",
                                          "5,5",
                                          "",
                                          "-1",
                                          "1e3",
                                          "5;q=1",
                                          "\t5",
                                          "5a",
                                          "18446744073709551621"};

static void test_attack_17_bad_content_length(void **state) {
  size_t i;
  for (i = 0; i < sizeof bad_lengths / sizeof bad_lengths[0]; i++) {
    tpeer s;
    h2w_fb b;
    banned ban = {"content-length", bad_lengths[i], 14, 0, 0};
    size_t base;
    ban.vlen = strlen(bad_lengths[i]);
    atk_server(&s, tmode(state), NULL);
    base = s.alloc.peak = s.alloc.bytes;
    s.app = &ban;
    s.hook = ban_hook;
    h2w_fb_init(&b);
    tpeer_fb_headers(&s, &b, 1, 0,
                     H(POST_PSEUDO, "content-length", bad_lengths[i]));
    h2w_fb_data(&b, 1, 0x1, "12345");
    atk_feed_ok(&s, &b);
    expect_refused(&s, bad_lengths[i]);
    assert_false(ban.seen);
    assert_true(atk_peak_above(&s, base) < 4096);
    expect_next_request_served(&s, 3);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* Two content-length fields that disagree: the second is refused. */
static void test_attack_17_conflicting_lengths(void **state) {
  tpeer s;
  h2w_fb b;
  banned ban = {"content-length", "50", 14, 2, 0};
  atk_server(&s, tmode(state), NULL);
  s.app = &ban;
  s.hook = ban_hook;
  h2w_fb_init(&b);
  tpeer_fb_headers(
      &s, &b, 1, 0,
      H(POST_PSEUDO, "content-length", "5", "content-length", "50"));
  h2w_fb_data(&b, 1, 0x1, "12345");
  atk_feed_ok(&s, &b);
  expect_refused(&s, "two lengths");
  assert_false(ban.seen);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

typedef struct body_case {
  const char *name;
  const char *length;
  const char *const *data; /* NULL-terminated DATA payloads */
  int end_on_headers;      /* END_STREAM on HEADERS (no DATA) */
  int trailers;            /* END_STREAM on a trailer block */
  const char *delivered;   /* the data line of the log, or NULL */
} body_case;

#define DATA(...) ((const char *const[]){__VA_ARGS__, NULL})

/* §8.1.1: the sum of DATA must equal content-length at END_STREAM;
 * excess is refused before it is delivered. */
static const body_case body_cases[] = {
    {"short", "10", DATA("12345", ""), 0, 0, "data 1 5"},
    {"excess in one frame", "3", DATA("12345"), 0, 0, NULL},
    {"excess over frames", "4", DATA("12", "345"), 0, 0, "data 1 2"},
    {"excess after exact", "3", DATA("123", "4"), 0, 0, "data 1 3"},
    {"no body", "5", DATA(NULL), 1, 0, NULL},
    {"short with trailers", "6", DATA("12345"), 0, 1, "data 1 5"},
    {"zero with body", "0", DATA("1"), 0, 0, NULL},
};

static void run_body_case(void **state, const body_case *c) {
  tpeer s;
  h2w_fb b;
  size_t i, base;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  base = s.alloc.peak = s.alloc.bytes;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, c->end_on_headers ? 0x1u : 0u,
                   H(POST_PSEUDO, "content-length", c->length));
  for (i = 0; !c->end_on_headers && c->data[i] != NULL; i++) {
    int last = c->data[i + 1] == NULL && !c->trailers;
    h2w_fb_data(&b, 1, last ? 0x1u : 0u, c->data[i]);
  }
  if (c->trailers) {
    tpeer_fb_headers(&s, &b, 1, 0x1, H("x-checksum", "0"));
  }
  atk_feed_ok(&s, &b);
  if (atk_out_count(&s, "RST_STREAM 1 PROTOCOL_ERROR") != 1) {
    fail_msg("%s: no RST_STREAM 1 PROTOCOL_ERROR", c->name);
  }
  if (tpeer_log_has(&s, "end 1") ||
      !tpeer_log_has(&s, "error 1 PROTOCOL_ERROR") ||
      tpeer_log_has(&s, "headers 1 trailers *") ||
      (c->delivered != NULL) != (atk_log_count(&s, "data 1 *") == 1) ||
      (c->delivered != NULL && !tpeer_log_has(&s, c->delivered))) {
    fail_msg("%s: unexpected events\n%s", c->name, s.log.buf);
  }
  assert_true(atk_peak_above(&s, base) < 4096);
  tpeer_log_clear(&s);
  expect_next_request_served(&s, 3);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

static void test_attack_17_length_mismatch(void **state) {
  size_t i;
  for (i = 0; i < sizeof body_cases / sizeof body_cases[0]; i++) {
    run_body_case(state, &body_cases[i]);
  }
}

/* The neighbour: bodies that match content-length, in many small DATA
 * frames, with trailers, and an empty body with "0". */
static void test_attack_17_legit_lengths(void **state) {
  tpeer s;
  h2w_fb b;
  int i;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, H(POST_PSEUDO, "content-length", "100"));
  for (i = 0; i < 100; i++) {
    h2w_fb_data(&b, 1, i == 99 ? 0x1u : 0u, "x");
  }
  tpeer_fb_headers(&s, &b, 3, 0, H(POST_PSEUDO, "content-length", "5"));
  h2w_fb_data(&b, 3, 0, "12345");
  tpeer_fb_headers(&s, &b, 3, 0x1, H("x-checksum", "0"));
  tpeer_fb_headers(&s, &b, 5, 0x1, H(POST_PSEUDO, "content-length", "0"));
  tpeer_fb_headers(&s, &b, 7, 0,
                   H(POST_PSEUDO, "content-length", "00000000000000000003"));
  h2w_fb_data(&b, 7, 0x1, "abc");
  atk_feed_ok(&s, &b);
  EXPECT_LOG(&s, "headers 1 req es=0", "data 1 100", "end 1",
             "headers 3 req es=0", "data 3 5", "headers 3 trailers es=1",
             "end 3", "headers 5 req es=1", "end 5", "headers 7 req es=0",
             "data 7 3", "end 7");
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 18: field injection
 * -------------------------------------------------
 */

typedef struct inj_case {
  const char *what;
  const char *name, *value; /* the injected field (octets, NUL allowed) */
  size_t nlen, vlen;
  int position; /* 0: after the pseudo-headers, 1: before them */
} inj_case;

#define F(n, v) n, v, sizeof(n) - 1, sizeof(v) - 1
static const inj_case inj_cases[] = {
    {"CR in value", F("x-a", "a\rb"), 0},
    {"LF in value", F("x-a", "a\nb"), 0},
    {"NUL in value", F("x-a", "a\0b"), 0},
    {"CR in name", F("x\ra", "v"), 0},
    {"LF in name", F("x\na", "v"), 0},
    {"NUL in name", F("x\0a", "v"), 0},
    {"colon in name", F("x:a", "v"), 0},
    {"space in name", F("x a", "v"), 0},
    {"uppercase name", F("X-A", "v"), 0},
    {"leading space", F("x-a", " v"), 0},
    {"trailing space", F("x-a", "v "), 0},
    {"leading tab", F("x-a", "\tv"), 0},
    {"trailing tab", F("x-a", "v\t"), 0},
    {"connection", F("connection", "close"), 0},
    {"keep-alive", F("keep-alive", "timeout=5"), 0},
    {"proxy-connection", F("proxy-connection", "keep-alive"), 0},
    {"transfer-encoding", F("transfer-encoding", "chunked"), 0},
    {"upgrade", F("upgrade", "h2c"), 0},
    {"te gzip", F("te", "gzip"), 0},
    {"te trailers, gzip", F("te", "trailers, gzip"), 0},
    {"duplicated :path", F(":path", "/admin"), 0},
    {"duplicated :method", F(":method", "POST"), 0},
    {"unknown pseudo", F(":foo", "bar"), 0},
    {"response pseudo", F(":status", "200"), 0},
    {"pseudo after regular", F(":protocol", "websocket"), 0},
    {"empty :path", F(":path", ""), 1},
};
#undef F

/* The injected field first or after the pseudo-headers of a GET; a
 * duplicate of a pseudo-header makes the block malformed whichever comes
 * first (§8.3). */
static void inj_request(h2w_fb *b, uint32_t id, const inj_case *c) {
  h2w_fb blk;
  h2w_fb_init(&blk);
  if (c->position == 1) {
    atk_hp_literal(&blk, c->name, c->nlen, c->value, c->vlen);
    h2w_fb_u8(&blk, 0x82); /* :method GET */
    h2w_fb_u8(&blk, 0x87); /* :scheme https */
    h2w_fb_u8(&blk, 0x01); /* :authority */
    atk_hp_str(&blk, "example.org", 11);
  } else {
    atk_hp_get_pseudo(&blk);
    atk_hp_literal(&blk, "x-ok", 4, "1", 1);
    atk_hp_literal(&blk, c->name, c->nlen, c->value, c->vlen);
  }
  atk_fb_block(b, id, 0x5, &blk);
  h2w_fb_free(&blk);
}

static void test_attack_18_field_injection(void **state) {
  size_t i;
  for (i = 0; i < sizeof inj_cases / sizeof inj_cases[0]; i++) {
    const inj_case *c = &inj_cases[i];
    tpeer s;
    h2w_fb b;
    banned ban = {NULL, NULL, 0, 0, 0};
    size_t base;
    ban.name = c->name;
    ban.nlen = c->nlen;
    ban.value = c->value;
    ban.vlen = c->vlen;
    atk_server(&s, tmode(state), NULL);
    base = s.alloc.peak = s.alloc.bytes;
    s.app = &ban;
    s.hook = ban_hook;
    h2w_fb_init(&b);
    inj_request(&b, 1, c);
    atk_feed_ok(&s, &b);
    expect_refused(&s, c->what);
    if (ban.seen) {
      fail_msg("%s: the field reached on_header", c->what);
    }
    assert_true(atk_peak_above(&s, base) < 4096);
    expect_next_request_served(&s, 3);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* Missing mandatory pseudo-headers (§8.3.1). */
static void test_attack_18_missing_pseudo(void **state) {
  const char *const *const lists[] = {
      H(":scheme", "https", ":authority", "e", ":path", "/"),
      H(":method", "GET", ":authority", "e", ":path", "/"),
      H(":method", "GET", ":scheme", "https", ":authority", "e"),
      H("x-a", "1"),
  };
  size_t i;
  for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    tpeer s;
    h2w_fb b;
    atk_server(&s, tmode(state), NULL);
    h2w_fb_init(&b);
    tpeer_fb_headers(&s, &b, 1, 0x1, lists[i]);
    atk_feed_ok(&s, &b);
    expect_refused(&s, "missing pseudo-header");
    expect_next_request_served(&s, 3);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* Trailers carry no pseudo-headers and no connection-specific fields
 * (§8.1, §8.2.2). */
static void test_attack_18_trailer_injection(void **state) {
  const char *const *const lists[] = {
      H(":path", "/admin"), H(":status", "200"), H("connection", "close"),
      H("x-a", "a\r\nx-b: 1"), H("Host", "evil")};
  size_t i;
  for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    tpeer s;
    h2w_fb b;
    banned ban = {NULL, NULL, 0, 0, 0};
    ban.name = lists[i][0];
    ban.nlen = strlen(lists[i][0]);
    ban.value = lists[i][1];
    ban.vlen = strlen(lists[i][1]);
    atk_server(&s, tmode(state), NULL);
    s.app = &ban;
    s.hook = ban_hook;
    s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
    h2w_fb_init(&b);
    tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
    h2w_fb_data(&b, 1, 0, "x");
    tpeer_fb_headers(&s, &b, 1, 0x1, lists[i]);
    atk_feed_ok(&s, &b);
    assert_int_equal(atk_out_count(&s, "RST_STREAM 1 PROTOCOL_ERROR"), 1);
    EXPECT_LOG(&s, "headers 1 req es=0", "data 1 1", "error 1 PROTOCOL_ERROR",
               "close 1 PROTOCOL_ERROR reset");
    assert_false(ban.seen);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* The neighbour: unusual but legal fields all pass, verbatim: obs-text
 * octets, inner spaces and tabs, te: trailers, an empty value, a
 * 1000-octet value, pseudo-headers in any order. */
static void test_attack_18_legit_fields(void **state) {
  tpeer s;
  h2w_fb b, blk;
  static const char obs[] = "caf\xc3\xa9 \x80\xff";
  char big[1001];
  memset(big, 'v', 1000);
  big[1000] = '\0';
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  h2w_fb_u8(&blk, 0x84); /* :path / first */
  h2w_fb_u8(&blk, 0x01);
  atk_hp_str(&blk, "example.org", 11);
  h2w_fb_u8(&blk, 0x87);
  h2w_fb_u8(&blk, 0x82);
  atk_hp_literal(&blk, "x-obs", 5, obs, sizeof obs - 1);
  atk_hp_literal(&blk, "x-inner", 7, "a b\tc", 5);
  atk_hp_literal(&blk, "te", 2, "trailers", 8);
  atk_hp_literal(&blk, "x-empty", 7, "", 0);
  atk_hp_literal(&blk, "x-big", 5, big, 1000);
  atk_hp_literal(&blk, "x-!#$%&'*+-.^_`|~09", 19, "1", 1);
  atk_fb_block(&b, 1, 0x5, &blk);
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_log_count(&s, "header 1 *"), 10);
  assert_true(tpeer_log_has(&s, "header 1 x-obs caf\xc3\xa9 \x80\xff"));
  assert_true(tpeer_log_has(&s, "header 1 x-inner a b\tc"));
  assert_true(tpeer_log_has(&s, "header 1 x-empty "));
  assert_true(tpeer_log_has(&s, "header 1 x-!#$%&'*+-.^_`|~09 1"));
  assert_true(tpeer_log_has(&s, "end 1"));
  EXPECT_OUT_EMPTY(&s);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_05_empty_name),
      SPLIT_TESTS(test_attack_05_empty_name_100k),
      SPLIT_TESTS(test_attack_05_legit_short_fields),
      SPLIT_TESTS(test_attack_17_bad_content_length),
      SPLIT_TESTS(test_attack_17_conflicting_lengths),
      SPLIT_TESTS(test_attack_17_length_mismatch),
      SPLIT_TESTS(test_attack_17_legit_lengths),
      SPLIT_TESTS(test_attack_18_field_injection),
      SPLIT_TESTS(test_attack_18_missing_pseudo),
      SPLIT_TESTS(test_attack_18_trailer_injection),
      SPLIT_TESTS(test_attack_18_legit_fields),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* src/hpack_encode.c: representation choices, Huffman choice, table-size
 * updates (RFC 7541 §4.2, §6.3), the RFC 7541 Appendix C examples encoded
 * and decoded back, BUFFER_TOO_SMALL and NOMEM leaving the state unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpack.h"
#include "huffman.h"
#include "test_alloc.h"
#include "test_split.h"

#define NV(n, v)                                                               \
  {                                                                            \
    (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1,  \
        0                                                                      \
  }
#define NVF(n, v, f)                                                           \
  {                                                                            \
    (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1,  \
        (f)                                                                    \
  }

static size_t unhex(uint8_t *dst, const char *hex) {
  size_t n = 0;
  int hi = -1;
  for (; *hex; hex++) {
    int v = *hex <= '9' ? *hex - '0' : (*hex | 0x20) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      dst[n++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  return n;
}

/* Decoded fields, checked against the encoder's input. */
typedef struct got {
  const h2w_nv *want;
  size_t n, count;
  int bad;
} got;

static int check_field(void *user, const h2w_nv *nv) {
  got *g = user;
  const h2w_nv *w = &g->want[g->count++];
  uint32_t never = (w->flags & H2W_NV_FLAG_NEVER_INDEX) ? 1u : 0u;
  if (g->count > g->n || nv->namelen != w->namelen ||
      nv->valuelen != w->valuelen ||
      (nv->namelen > 0 && memcmp(nv->name, w->name, nv->namelen) != 0) ||
      (nv->valuelen > 0 && memcmp(nv->value, w->value, nv->valuelen) != 0) ||
      (never && !(nv->flags & H2W_NV_FLAG_NEVER_INDEX))) {
    g->bad = 1;
  }
  return 0;
}

/* Encode one block and decode it back with `d`; returns the length. */
static size_t encode_check(h2w_hpack_encoder *e, h2w_hpack_decoder *d,
                           const h2w_nv *nva, size_t n, uint8_t *buf,
                           size_t cap) {
  got g = {nva, n, 0, 0};
  h2w_ssize k = h2w_hpack_encode(e, buf, cap, nva, n);
  assert_true(k >= 0);
  assert_true((size_t)k <= h2w_hpack_encode_bound(e, nva, n));
  assert_int_equal(
      h2w_hpack_decode(d, buf, (size_t)k, H2W_HPACK_FINAL, check_field, &g),
      H2W_OK);
  assert_int_equal(g.count, n);
  assert_false(g.bad);
  assert_int_equal(h2w_hpack_encoder_table_size(e),
                   h2w_hpack_decoder_table_size(d));
  return (size_t)k;
}

/* ---- RFC 7541 Appendix C ---------------------------------------------- */

static const h2w_nv req1[] = {NV(":method", "GET"), NV(":scheme", "http"),
                              NV(":path", "/"),
                              NV(":authority", "www.example.com")};
static const h2w_nv req2[] = {
    NV(":method", "GET"), NV(":scheme", "http"), NV(":path", "/"),
    NV(":authority", "www.example.com"), NV("cache-control", "no-cache")};
static const h2w_nv req3[] = {
    NV(":method", "GET"), NV(":scheme", "https"), NV(":path", "/index.html"),
    NV(":authority", "www.example.com"), NV("custom-key", "custom-value")};

#define D1 "Mon, 21 Oct 2013 20:13:21 GMT"
#define LOC "https://www.example.com"
static const h2w_nv resp1[] = {NV(":status", "302"),
                               NV("cache-control", "private"), NV("date", D1),
                               NV("location", LOC)};
static const h2w_nv resp2[] = {NV(":status", "307"),
                               NV("cache-control", "private"), NV("date", D1),
                               NV("location", LOC)};
static const h2w_nv resp3[] = {
    NV(":status", "200"),
    NV("cache-control", "private"),
    NV("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
    NV("location", LOC),
    NV("content-encoding", "gzip"),
    NV("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; "
                     "version=1")};

typedef struct seq {
  const h2w_nv *nva;
  size_t n;
  const char *rfc; /* the RFC's block when ours matches it octet for octet,
                     NULL where the strategies differ */
  size_t table_size;
} seq;

#define SEQ(a) (a), sizeof(a) / sizeof((a)[0])

static void run_seq(const seq *s, int huffman, uint32_t size,
                    const char *update) {
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  uint8_t buf[512], rfc[512];
  size_t i, n, skip;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_huffman(e, huffman), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, size), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, size), H2W_OK);
  for (i = 0; i < 3; i++) {
    n = encode_check(e, d, s[i].nva, s[i].n, buf, sizeof(buf));
    /* The first block starts with the §6.3 update the RFC leaves out. */
    skip = i == 0 ? unhex(rfc, update) : 0;
    assert_memory_equal(buf, rfc, skip);
    if (s[i].rfc != NULL) {
      assert_int_equal(n - skip, unhex(rfc, s[i].rfc));
      assert_memory_equal(buf + skip, rfc, n - skip);
    }
    assert_int_equal(h2w_hpack_encoder_table_size(e), s[i].table_size);
  }
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
}

static void test_encode_c3_c4(void **state) {
  static const seq c3[] = {
      {SEQ(req1), "828684410f7777772e6578616d706c652e636f6d", 57},
      {SEQ(req2), "828684be58086e6f2d6361636865", 110},
      {SEQ(req3), "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
       164}};
  static const seq c4[] = {
      {SEQ(req1), "828684418cf1e3c2e5f23a6ba0ab90f4ff", 57},
      {SEQ(req2), "828684be5886a8eb10649cbf", 110},
      {SEQ(req3), "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", 164}};
  (void)state;
  run_seq(c3, 0, 4096, "");
  run_seq(c4, 1, 4096, "");
}

static void test_encode_c5_c6(void **state) {
  static const seq c5[] = {
      {SEQ(resp1),
       "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032"
       "303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e63"
       "6f6d",
       222},
      {SEQ(resp2), "4803333037c1c0bf", 222},
      {SEQ(resp3),
       "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c0"
       "5a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f504955415851"
       "57454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
       215}};
  static const seq c6[] = {
      {SEQ(resp1),
       "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1b"
       "ff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
       222},
      /* The RFC Huffman-codes "307" although it is no shorter (3 octets
       * either way); we keep it raw. Decoded and table state still match. */
      {SEQ(resp2), NULL, 222},
      {SEQ(resp3),
       "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad"
       "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f95873160"
       "65c003ed4ee5b1063d5007",
       215}};
  (void)state;
  run_seq(c5, 0, 256, "3fe101");
  run_seq(c6, 1, 256, "3fe101");
}

/* ---- representation choices ------------------------------------------- */

static void test_encode_sensitive_never_indexed(void **state) {
  static const h2w_nv f[] = {NV("authorization", "Basic dXNlcjpwYXNz"),
                             NV("proxy-authorization", "secret"),
                             NV("cookie", "short=1"),
                             NVF("x-token", "abc", H2W_NV_FLAG_NEVER_INDEX),
                             NVF(":method", "GET", H2W_NV_FLAG_NEVER_INDEX)};
  static const h2w_nv long_cookie[] = {
      NV("cookie", "session=0123456789abcdef0123")};
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  uint8_t buf[1024];
  size_t n;
  (void)state;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_huffman(e, 0), H2W_OK);
  n = encode_check(e, d, f, 5, buf, sizeof(buf));
  /* §6.2.3 with the static name index: authorization is 23. */
  assert_int_equal(buf[0], 0x1f);
  assert_int_equal(buf[1], 23 - 15);
  assert_int_equal(buf[n - 5], 0x12); /* :method (2), never indexed */
  assert_int_equal(h2w_hpack_encoder_table_size(e), 0);
  /* Twice: still literals, nothing was indexed. */
  assert_int_equal(encode_check(e, d, f, 5, buf, sizeof(buf)), n);
  /* A long cookie is worth indexing (§7.1.3 is about guessable ones). */
  n = encode_check(e, d, long_cookie, 1, buf, sizeof(buf));
  assert_int_equal(buf[0], 0x40 | 32);
  assert_int_equal(encode_check(e, d, long_cookie, 1, buf, sizeof(buf)), 1);
  assert_int_equal(buf[0], 0x80 | 62);
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
}

static void test_encode_indexing_choices(void **state) {
  static const h2w_nv churn[] = {NV(":path", "/a/b?x=1"),
                                 NV("content-length", "1234")};
  static const h2w_nv noidx[] = {NVF("x-a", "b", H2W_NV_FLAG_NO_INDEX)};
  h2w_nv big = NV("x-big", "");
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  uint8_t buf[8192], *val = malloc(4000);
  (void)state;
  assert_non_null(val);
  memset(val, 'v', 4000);
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  encode_check(e, d, churn, 2, buf, sizeof(buf));
  assert_int_equal(buf[0], 0x04); /* §6.2.2, static name :path (4) */
  assert_int_equal(h2w_hpack_encoder_table_size(e), 0);
  encode_check(e, d, noidx, 1, buf, sizeof(buf));
  assert_int_equal(buf[0], 0x00);
  assert_int_equal(h2w_hpack_encoder_table_size(e), 0);
  /* Over 3/4 of the table: not worth flushing everything else for. */
  big.value = val;
  big.valuelen = 3100;
  encode_check(e, d, &big, 1, buf, sizeof(buf));
  assert_int_equal(buf[0], 0x00);
  big.valuelen = 100;
  encode_check(e, d, &big, 1, buf, sizeof(buf));
  assert_int_equal(buf[0], 0x40);
  assert_int_equal(encode_check(e, d, &big, 1, buf, sizeof(buf)), 1);
  /* Same name, new value: the dynamic name is reused (index 62). */
  big.valuelen = 99;
  encode_check(e, d, &big, 1, buf, sizeof(buf));
  assert_int_equal(buf[0], 0x40 | 62);
  free(val);
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
}

/* Integers that fit their prefix are one octet (RFC 7541 §5.1), written
 * by the encoder without the general integer encoder: around each
 * boundary, the octets are exactly h2w_hpack_int_encode()'s. Indexes
 * 62..171 (dynamic entries, one-octet form up to 126), a name index of
 * 14..15 (4-bit prefix of a literal without indexing), and string lengths
 * up to 300, raw and Huffman-coded (7-bit prefixes). */
static void test_encode_one_octet_integers(void **state) {
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  uint8_t buf[1024], want[16], val[300];
  char name[8];
  size_t k = 0, j, len, w;
  (void)state;
  memset(val, '0', sizeof(val)); /* '0' is a 5-bit Huffman code */
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_huffman(e, 0), H2W_OK);
  /* 110 entries of 4 + 1 + 32 octets fill 4070 of the 4096. */
  for (k = 0; k < 110; k++) {
    h2w_nv nv = NV("x000", "v");
    snprintf(name, sizeof(name), "x%03zu", k);
    nv.name = (const uint8_t *)name;
    encode_check(e, d, &nv, 1, buf, sizeof(buf));
    assert_int_equal(buf[0], 0x40);
  }
  for (j = 0; j < k; j++) {
    h2w_nv nv = NV("x000", "v");
    snprintf(name, sizeof(name), "x%03zu", j);
    nv.name = (const uint8_t *)name;
    w = h2w_hpack_int_encode(want, H2W_HPACK_STATIC_COUNT + (k - j), 7, 0x80);
    assert_int_equal(encode_check(e, d, &nv, 1, buf, sizeof(buf)), w);
    assert_memory_equal(buf, want, w);
  }
  /* accept-charset is static name 15, the first that needs two octets
   * with a 4-bit prefix; :status (8, its first row) one. */
  {
    h2w_nv nv[2] = {NVF("accept-charset", "x", H2W_NV_FLAG_NO_INDEX),
                    NVF(":status", "299", H2W_NV_FLAG_NO_INDEX)};
    assert_int_equal(encode_check(e, d, nv, 2, buf, sizeof(buf)), 4 + 5);
    assert_memory_equal(buf,
                        "\x0f\x00\x01x\x08\x03"
                        "299",
                        9);
  }
  /* String lengths, raw then Huffman-coded, in a literal without indexing
   * with the new name "y" (never stored). */
  for (len = 0; len <= sizeof(val); len++) {
    h2w_nv nv = NVF("y", "", H2W_NV_FLAG_NO_INDEX);
    size_t n, pre;
    nv.value = val;
    nv.valuelen = len;
    assert_int_equal(h2w_hpack_encoder_set_huffman(e, 0), H2W_OK);
    n = encode_check(e, d, &nv, 1, buf, sizeof(buf));
    w = h2w_hpack_int_encode(want, len, 7, 0);
    assert_int_equal(n, 3 + w + len);
    assert_memory_equal(buf, "\x00\x01y", 3);
    assert_memory_equal(buf + 3, want, w);
    assert_int_equal(h2w_hpack_encoder_set_huffman(e, 1), H2W_OK);
    n = encode_check(e, d, &nv, 1, buf, sizeof(buf));
    /* "y" does not code shorter than its one octet: raw, as above. */
    assert_memory_equal(buf, "\x00\x01y", 3);
    pre = (len * 5 + 7) / 8;
    if (pre >= len) {
      assert_int_equal(n, 3 + 1 + len); /* not shorter coded: raw */
      continue;
    }
    w = h2w_hpack_int_encode(want, pre, 7, 0x80);
    assert_int_equal(n, 3 + w + pre);
    assert_memory_equal(buf + 3, want, w);
  }
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
}

static void test_encode_huffman_only_when_shorter(void **state) {
  static const h2w_nv text[] = {NV("x-a", "aaaaaaaaaa")};
  static const h2w_nv bin[] = {NV("x-b", "\xfe\xfe\xfe\xfe")};
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  uint8_t buf[64];
  (void)state;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_huffman(e, 2), H2W_E_INVALID_ARGUMENT);
  /* "x-a" is 3 octets either way (kept raw); ten 'a' are 50 bits. */
  assert_int_equal(encode_check(e, d, text, 1, buf, sizeof(buf)),
                   1 + 4 + 1 + 7);
  assert_int_equal(buf[1], 0x03);
  assert_int_equal(buf[5], 0x87);
  assert_int_equal(encode_check(e, d, bin, 1, buf, sizeof(buf)), 1 + 4 + 5);
  assert_int_equal(buf[5], 0x04); /* raw: Huffman would be longer */
  assert_int_equal(h2w_hpack_encoder_set_huffman(e, 0), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_table_size_cap(e, 0), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 0), H2W_OK);
  assert_int_equal(encode_check(e, d, text, 1, buf, sizeof(buf)),
                   1 + 1 + 4 + 1 + 10);
  assert_int_equal(buf[0], 0x20); /* the update to 0 */
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
}

/* The encoder codes and sizes in one pass and gives up early; compare each
 * value's string literal with one built from the Huffman module's length
 * and encoder (RFC 7541 §5.2: Huffman exactly when strictly shorter), for
 * lengths around the 7-bit prefix limit and symbol mixes that put the code
 * length just below, at and just above the raw length. */
static void test_encode_huffman_boundaries(void **state) {
  /* 5-bit, 8-bit and 13-bit symbols (RFC 7541 Appendix B). */
  static const uint8_t sym[] = {'a', '&', '<'};
  enum { MAXLEN = 300 };
  uint8_t *val = malloc(MAXLEN), *buf = malloc(2 * MAXLEN + 64);
  uint8_t *want = malloc(2 * MAXLEN + 64);
  uint32_t seed = 12345;
  size_t len, mix, shorter = 0, equal = 0, longer = 0, moved = 0;
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  (void)state;
  assert_non_null(val);
  assert_non_null(buf);
  assert_non_null(want);
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  for (len = 1; len <= MAXLEN; len++) {
    for (mix = 0; mix < 6; mix++) {
      h2w_nv nv = NVF("x", "", H2W_NV_FLAG_NO_INDEX);
      size_t i, n, hlen, w;
      for (i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        /* mix 0: all 'a'; otherwise more 8- and 13-bit symbols. */
        val[i] = sym[mix == 0 ? 0 : (seed >> 16) % (mix < 3 ? 2 : 3)];
      }
      nv.value = val;
      nv.valuelen = len;
      n = encode_check(e, d, &nv, 1, buf, 2 * MAXLEN + 64);
      /* 0x00 (§6.2.2, literal name), "x" raw (7 bits is not shorter). */
      w = h2w_hpack_int_encode(want, 0, 4, 0);
      w += h2w_hpack_int_encode(want + w, 1, 7, 0);
      want[w++] = 'x';
      hlen = h2w_huffman_encoded_len(val, len);
      if (hlen < len) {
        w += h2w_hpack_int_encode(want + w, hlen, 7, 0x80);
        w += h2w_huffman_encode(want + w, val, len);
        shorter++;
        moved += h2w_hpack_int_len(len, 7) > h2w_hpack_int_len(hlen, 7);
      } else {
        w += h2w_hpack_int_encode(want + w, len, 7, 0);
        memcpy(want + w, val, len);
        w += len;
        equal += hlen == len;
        longer += hlen > len;
      }
      assert_int_equal(n, w);
      assert_memory_equal(buf, want, w);
    }
  }
  /* Every branch was taken, including the code moving down. */
  assert_true(shorter > 0 && equal > 0 && longer > 0 && moved > 0);
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
  free(val);
  free(buf);
  free(want);
}

/* ---- table size updates (§4.2, §6.3) ---------------------------------- */

static void test_encode_size_updates(void **state) {
  static const h2w_nv f[] = {NV("x-key", "value")};
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  uint8_t buf[64];
  size_t n;
  (void)state;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  encode_check(e, d, f, 1, buf, sizeof(buf));
  assert_int_equal(h2w_hpack_encoder_table_size(e), 42);
  /* Lowered to 0 then raised back: the smallest, then the final. */
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, 0), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, 4096), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 0), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 4096), H2W_OK);
  n = encode_check(e, d, f, 1, buf, sizeof(buf));
  assert_memory_equal(buf, "\x20\x3f\xe1\x1f\x40", 5);
  assert_int_equal(n, 5 + 10);
  /* Nothing changed: no update. */
  n = encode_check(e, d, f, 1, buf, sizeof(buf));
  assert_int_equal(n, 1);
  /* Our own cap lowers the limit whatever the peer allows. */
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, 65536), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 65536), H2W_OK);
  n = encode_check(e, d, NULL, 0, buf, sizeof(buf));
  assert_int_equal(n, 0);
  assert_int_equal(h2w_hpack_encoder_set_table_size_cap(e, 100), H2W_OK);
  n = encode_check(e, d, NULL, 0, buf, sizeof(buf));
  assert_memory_equal(buf, "\x3f\x45", 2);
  assert_int_equal(n, 2);
  assert_int_equal(h2w_hpack_encoder_table_size(e), 42);
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_encoder_set_table_size_cap(NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_encoder_set_huffman(NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_encoder_table_size(NULL), 0);
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
}

/* ---- hints: the previous block's matches per position ----------------- */

/* Encode f until the encoder uses its hints (hint_rest 0); a repeating
 * block gets there within the rest period and then stays there. */
static void warm_hints(h2w_hpack_encoder *e, h2w_hpack_decoder *d,
                       const h2w_nv *f, size_t n, uint8_t *buf, size_t cap) {
  int k;
  for (k = 0; k < 100 && e->hint_rest != 0; k++) {
    encode_check(e, d, f, n, buf, cap);
  }
  assert_int_equal(e->hint_rest, 0);
}

/* A repeated block is all indexes, straight from the hints; what a hint
 * names is checked octet by octet, and a never-indexed flag, a changed
 * value, an evicted entry or a position past the hinted ones take the
 * full path; a block whose guesses mostly miss turns the hints off until
 * blocks repeat again. */
static void test_encode_hints_repeated_block(void **state) {
  h2w_nv f[] = {NV(":method", "GET"), NV("x-a", "1"), NV("x-b", "2"),
                NV("user-agent", "h2wire-test")};
  h2w_nv many[H2W_HPACK_HINTS + 4];
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  uint8_t buf[1024];
  size_t i;
  (void)state;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_huffman(e, 0), H2W_OK);
  /* A new encoder waits a few blocks before it records and tries. */
  encode_check(e, d, f, 4, buf, sizeof(buf));
  assert_true(e->hint_rest > 1);
  warm_hints(e, d, f, 4, buf, sizeof(buf));
  /* x-a, x-b, user-agent were stored: 64, 63, 62 now. */
  assert_int_equal(encode_check(e, d, f, 4, buf, sizeof(buf)), 4);
  assert_memory_equal(buf, "\x82\xc0\xbf\xbe", 4);
  assert_int_equal(e->hint_rest, 0);
  /* Never indexed: a literal, although the hint names an equal entry
   * (its name is still indexed: 64). Not a miss. */
  f[1].flags = H2W_NV_FLAG_NEVER_INDEX;
  assert_int_equal(encode_check(e, d, f, 4, buf, sizeof(buf)), 7);
  assert_memory_equal(buf, "\x82\x1f\x31\x01\x31\xbf\xbe", 7);
  assert_int_equal(e->hint_rest, 0);
  f[1].flags = H2W_NV_FLAG_NO_INDEX; /* an index is still fine */
  assert_int_equal(encode_check(e, d, f, 4, buf, sizeof(buf)), 4);
  assert_memory_equal(buf, "\x82\xc0\xbf\xbe", 4);
  f[1].flags = 0;
  /* Same length, other octets: stored anew, with the name of x-b (63).
   * One miss in three tries: the hints rest. */
  f[2].value = (const uint8_t *)"3";
  assert_int_equal(encode_check(e, d, f, 4, buf, sizeof(buf)), 7);
  assert_memory_equal(buf, "\x82\xc0\x7f\x00\x01\x33\xbf", 7);
  assert_true(e->hint_rest > 1);
  warm_hints(e, d, f, 4, buf, sizeof(buf));
  assert_int_equal(encode_check(e, d, f, 4, buf, sizeof(buf)), 4);
  assert_memory_equal(buf, "\x82\xc1\xbe\xbf", 4);
  /* Evicted (table emptied and back): the hints name dead entries, the
   * fields are stored again. */
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, 0), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, 4096), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 0), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 4096), H2W_OK);
  assert_true(encode_check(e, d, f, 4, buf, sizeof(buf)) > 4 + 2);
  warm_hints(e, d, f, 4, buf, sizeof(buf));
  assert_int_equal(encode_check(e, d, f, 4, buf, sizeof(buf)), 4);
  /* Beyond the hinted positions the full lookup finds the same entries. */
  for (i = 0; i < H2W_HPACK_HINTS + 4; i++) {
    many[i] = f[i % 4];
  }
  warm_hints(e, d, many, H2W_HPACK_HINTS + 4, buf, sizeof(buf));
  assert_int_equal(
      encode_check(e, d, many, H2W_HPACK_HINTS + 4, buf, sizeof(buf)),
      H2W_HPACK_HINTS + 4);
  for (i = 0; i < H2W_HPACK_HINTS + 4; i++) {
    assert_int_equal(buf[i], buf[i % 4]);
  }
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
}

/* Hints change no output: random blocks from a small pool (repeats,
 * reorders, flags, table-size changes), in phases from fully repeating
 * (hints on) to mostly random (hints off), encoded by one encoder that
 * keeps its hints and one that never uses them (hints cleared and kept
 * resting before every block) give the same octets and decode back. */
static void test_encode_hints_change_nothing(void **state) {
  static const h2w_nv pool[] = {
      NV(":method", "GET"),    NV(":method", "POST"),
      NV(":path", "/"),        NV(":path", "/x/y"),
      NV(":authority", "a.b"), NV("cookie", "c=1"),
      NV("x-a", "1"),          NV("x-a", "2"),
      NV("x-b", "1"),          NV("accept", "*/*"),
      NV("content-type", ""),  NV(":scheme", "https"),
      NV("user-agent", "ua"),  NV("x-long", "0123456789abcdef0123456789"),
  };
  /* Per phase: one field in `change` is replaced at random (0: none). */
  static const uint32_t change[] = {0, 40, 4, 0, 12, 2, 0};
  const size_t npool = sizeof(pool) / sizeof(pool[0]);
  h2w_hpack_encoder *a, *b;
  h2w_hpack_decoder *da, *db;
  uint8_t ba[4096], bb[4096];
  uint32_t seed = 0x2545f491u;
  size_t phase, on = 0, off = 0;
  (void)state;
  assert_int_equal(h2w_hpack_encoder_new(&a, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_new(&b, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&da, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&db, NULL), H2W_OK);
  for (phase = 0; phase < sizeof(change) / sizeof(change[0]); phase++) {
    h2w_nv blk[24];
    size_t n = 6 + h2w_test_rng(&seed) % 18, i;
    int round;
    for (i = 0; i < n; i++) {
      blk[i] = pool[h2w_test_rng(&seed) % npool];
    }
    for (round = 0; round < 600; round++) {
      uint32_t r = h2w_test_rng(&seed);
      size_t la, lb;
      if (r % 150 == 0) {
        /* Small tables evict constantly: hints go stale. */
        uint32_t size = r % 3 == 0 ? 0 : 64 + r % 300;
        assert_int_equal(h2w_hpack_encoder_set_max_table_size(a, size), H2W_OK);
        assert_int_equal(h2w_hpack_encoder_set_max_table_size(b, size), H2W_OK);
        assert_int_equal(h2w_hpack_decoder_set_max_table_size(da, size),
                         H2W_OK);
        assert_int_equal(h2w_hpack_decoder_set_max_table_size(db, size),
                         H2W_OK);
      }
      for (i = 0; i < n; i++) {
        uint32_t pick = h2w_test_rng(&seed);
        if (change[phase] != 0 && pick % change[phase] == 0) {
          blk[i] = pool[(pick >> 8) % npool];
        }
        blk[i].flags = pick % 97 == 0   ? H2W_NV_FLAG_NEVER_INDEX
                       : pick % 89 == 0 ? H2W_NV_FLAG_NO_INDEX
                                        : 0;
      }
      if (a->hint_rest == 0) {
        on++;
      } else {
        off++;
      }
      memset(b->hint, 0, sizeof(b->hint));
      b->hint_rest = 255;
      la = encode_check(a, da, blk, n, ba, sizeof(ba));
      lb = encode_check(b, db, blk, n, bb, sizeof(bb));
      assert_int_equal(la, lb);
      assert_memory_equal(ba, bb, la);
    }
  }
  /* Both ways were exercised. */
  assert_true(on > 500);
  assert_true(off > 500);
  h2w_hpack_encoder_del(a);
  h2w_hpack_encoder_del(b);
  h2w_hpack_decoder_del(da);
  h2w_hpack_decoder_del(db);
}

/* ---- failures leave the encoder unchanged ----------------------------- */

static void test_encode_buffer_too_small(void **state) {
  static const h2w_nv f[] = {NV("x-key", "value"), NV(":path", "/p")};
  h2w_hpack_encoder *e, *ref;
  uint8_t buf[128], want[128];
  size_t bound;
  h2w_ssize n, m;
  (void)state;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_new(&ref, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, 200), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(ref, 200), H2W_OK);
  bound = h2w_hpack_encode_bound(e, f, 2);
  assert_int_equal(h2w_hpack_encode(e, buf, bound - 1, f, 2),
                   H2W_E_BUFFER_TOO_SMALL);
  assert_int_equal(h2w_hpack_encoder_table_size(e), 0);
  /* Same output as an encoder that never saw the failed call, update
   * included. */
  n = h2w_hpack_encode(e, buf, sizeof(buf), f, 2);
  m = h2w_hpack_encode(ref, want, sizeof(want), f, 2);
  assert_true(n > 0);
  assert_int_equal(n, m);
  assert_memory_equal(buf, want, (size_t)n);
  assert_int_equal(h2w_hpack_encode(e, NULL, 0, NULL, 0),
                   H2W_E_BUFFER_TOO_SMALL);
  assert_int_equal(h2w_hpack_encode(NULL, buf, 1, f, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_encode(e, NULL, 10, f, 1), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_encode(e, buf, 10, NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_encode_bound(e, NULL, 1), SIZE_MAX);
  h2w_hpack_encoder_del(e);
  h2w_hpack_encoder_del(ref);
  assert_int_equal(h2w_hpack_encoder_new(NULL, NULL), H2W_E_INVALID_ARGUMENT);
  h2w_hpack_encoder_del(NULL);
}

static void test_encode_bound_overflow(void **state) {
  h2w_nv f[2] = {NV("a", "b"), NV("c", "d")};
  h2w_hpack_encoder *e;
  (void)state;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  f[0].valuelen = SIZE_MAX - 10;
  assert_int_equal(h2w_hpack_encode_bound(e, f, 1), SIZE_MAX);
  f[0].valuelen = SIZE_MAX / 2;
  f[1].valuelen = SIZE_MAX / 2;
  assert_int_equal(h2w_hpack_encode_bound(e, f, 2), SIZE_MAX);
  h2w_hpack_encoder_del(e);
}

static void test_encode_alloc_failures(void **state) {
  long k;
  int done = 0;
  (void)state;
  for (k = 1; !done; k++) {
    h2w_test_alloc c;
    h2w_hpack_encoder *e, *ref;
    uint8_t buf[512], want[512];
    h2w_ssize n, r;
    int rv;
    h2w_test_alloc_init(&c);
    c.fail_at = k;
    rv = h2w_hpack_encoder_new(&e, &c.mem);
    if (rv != H2W_OK) {
      assert_int_equal(rv, H2W_E_NOMEM);
      assert_int_equal(c.live, 0);
      continue;
    }
    assert_int_equal(h2w_hpack_encoder_set_table_size_cap(e, 8192), H2W_OK);
    assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, 8192), H2W_OK);
    n = h2w_hpack_encode(e, buf, sizeof(buf), req3, 5);
    if (n == H2W_E_NOMEM) {
      /* Unchanged: the retry gives what a fresh encoder gives. */
      assert_int_equal(h2w_hpack_encoder_table_size(e), 0);
      assert_int_equal(h2w_hpack_encoder_new(&ref, NULL), H2W_OK);
      assert_int_equal(h2w_hpack_encoder_set_table_size_cap(ref, 8192), H2W_OK);
      assert_int_equal(h2w_hpack_encoder_set_max_table_size(ref, 8192), H2W_OK);
      n = h2w_hpack_encode(e, buf, sizeof(buf), req3, 5);
      r = h2w_hpack_encode(ref, want, sizeof(want), req3, 5);
      assert_int_equal(n, r);
      assert_memory_equal(buf, want, (size_t)n);
      h2w_hpack_encoder_del(ref);
    } else {
      assert_true(n > 0);
      done = !c.failed;
    }
    h2w_hpack_encoder_del(e);
    assert_int_equal(c.live, 0);
  }
  assert_true(k > 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encode_c3_c4),
      cmocka_unit_test(test_encode_c5_c6),
      cmocka_unit_test(test_encode_sensitive_never_indexed),
      cmocka_unit_test(test_encode_indexing_choices),
      cmocka_unit_test(test_encode_one_octet_integers),
      cmocka_unit_test(test_encode_huffman_only_when_shorter),
      cmocka_unit_test(test_encode_huffman_boundaries),
      cmocka_unit_test(test_encode_size_updates),
      cmocka_unit_test(test_encode_hints_repeated_block),
      cmocka_unit_test(test_encode_hints_change_nothing),
      cmocka_unit_test(test_encode_buffer_too_small),
      cmocka_unit_test(test_encode_bound_overflow),
      cmocka_unit_test(test_encode_alloc_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

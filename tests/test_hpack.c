/* src/hpack_int.c, src/hpack_table.c, src/hpack_decode.c: RFC 7541
 * integers, tables and the decoder, including the attacks of docs/security.md
 * rows 5, 12 and 13. Every decode test also runs with the block fed one
 * octet at a time and split at random (fixed-seed) points. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpack.h"
#include "test_split.h"
#include "test_alloc.h"

/* ---- helpers ------------------------------------------------------------ */

/* Decoded fields, serialised as "name\0value\0flags\n" records. */
typedef struct out {
  uint8_t *buf;
  size_t len, cap;
  size_t fields;
  size_t octets; /* name + value octets delivered */
  int fail_at;   /* make the callback fail at this field (1-based) */
} out;

static void out_put(out *o, const void *p, size_t n) {
  if (o->len + n > o->cap) {
    o->cap = (o->len + n) * 2 + 64;
    o->buf = realloc(o->buf, o->cap);
    assert_non_null(o->buf);
  }
  if (n > 0) {
    memcpy(o->buf + o->len, p, n);
  }
  o->len += n;
}

static void out_field(out *o, const uint8_t *name, size_t nl,
                      const uint8_t *value, size_t vl, uint32_t flags) {
  char tail[16];
  int k = snprintf(tail, sizeof(tail), "%u\n", (unsigned)flags);
  out_put(o, name, nl);
  out_put(o, "", 1);
  out_put(o, value, vl);
  out_put(o, "", 1);
  out_put(o, tail, (size_t)k);
  o->fields++;
  o->octets += nl + vl;
}

static int collect(void *user, const h2w_nv *nv) {
  out *o = user;
  out_field(o, nv->name, nv->namelen, nv->value, nv->valuelen, nv->flags);
  return o->fail_at != 0 && (int)o->fields == o->fail_at ? -1 : 0;
}

static void out_free(out *o) {
  free(o->buf);
  memset(o, 0, sizeof(*o));
}

/* Expected fields as a NULL-terminated list of name, value pairs. */
static void expect(out *o, const char *const *nv) {
  for (; nv[0] != NULL; nv += 2) {
    out_field(o, (const uint8_t *)nv[0], strlen(nv[0]), (const uint8_t *)nv[1],
              strlen(nv[1]), 0);
  }
}

static size_t unhex(uint8_t *dst, const char *hex) {
  size_t n = 0;
  int hi = -1;
  for (; *hex; hex++) {
    int v;
    if (*hex == ' ') {
      continue;
    }
    v = *hex <= '9' ? *hex - '0' : (*hex | 0x20) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      dst[n++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  return n;
}

/* Feed one block in pieces (test_split.h); the last carries FINAL. */
static int feed(h2w_hpack_decoder *d, const uint8_t *p, size_t n, int mode,
                uint32_t *seed, out *o) {
  return h2w_test_hpack_feed(d, p, n, mode, seed, 17, collect, o);
}

static void assert_same(const out *a, const out *b) {
  assert_int_equal(a->len, b->len);
  assert_memory_equal(a->buf, b->buf, a->len);
}

/* ---- integers (RFC 7541 §5.1, Appendix C.1) --------------------------- */

static void test_int_rfc_examples(void **state) {
  static const uint8_t c11[] = {0x0a}, c12[] = {0x1f, 0x9a, 0x0a},
                       c13[] = {0x2a};
  uint8_t buf[16];
  uint32_t v = 0;
  (void)state;
  /* C.1.1: 10 with a 5-bit prefix; C.1.2: 1337, 5 bits; C.1.3: 42, 8. */
  assert_int_equal(h2w_hpack_int_decode(&v, c11, 1, 5), 1);
  assert_int_equal(v, 10);
  assert_int_equal(h2w_hpack_int_decode(&v, c12, 3, 5), 3);
  assert_int_equal(v, 1337);
  assert_int_equal(h2w_hpack_int_decode(&v, c13, 1, 8), 1);
  assert_int_equal(v, 42);
  assert_int_equal(h2w_hpack_int_encode(buf, 10, 5, 0), 1);
  assert_memory_equal(buf, c11, 1);
  assert_int_equal(h2w_hpack_int_encode(buf, 1337, 5, 0), 3);
  assert_memory_equal(buf, c12, 3);
  assert_int_equal(h2w_hpack_int_len(1337, 5), 3);
  assert_int_equal(h2w_hpack_int_encode(buf, 42, 8, 0), 1);
  assert_memory_equal(buf, c13, 1);
  /* Bits above the prefix are the representation's, not the value's. */
  buf[0] = 0xea;
  assert_int_equal(h2w_hpack_int_decode(&v, buf, 1, 5), 1);
  assert_int_equal(v, 10);
}

static void test_int_roundtrip_and_truncation(void **state) {
  static const uint64_t vals[] = {0,     1,     14,       15,        16,
                                  126,   127,   128,      255,       256,
                                  16383, 16384, 1u << 21, UINT32_MAX};
  uint8_t buf[16];
  uint32_t v;
  unsigned prefix;
  size_t i, n, k;
  (void)state;
  for (prefix = 1; prefix <= 8; prefix++) {
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
      n = h2w_hpack_int_encode(buf, vals[i], prefix, 0);
      assert_int_equal(n, h2w_hpack_int_len(vals[i], prefix));
      for (k = 0; k < n; k++) {
        assert_int_equal(h2w_hpack_int_decode(&v, buf, k, prefix), 0);
      }
      assert_int_equal(h2w_hpack_int_decode(&v, buf, n, prefix), (long)n);
      assert_int_equal(v, vals[i]);
    }
  }
}

static void test_int_overflow(void **state) {
  /* 127 + 127 + ... + (127 << 28) is past UINT32_MAX. */
  static const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
  /* 2^32 exactly: 127 + 0xffffff81, continuation octets 81 ff ff ff 0f. */
  static const uint8_t two32[] = {0x7f, 0x81, 0xff, 0xff, 0xff, 0x0f};
  /* A zero value padded with 0x80 octets past what 32 bits need. */
  static const uint8_t padded[] = {0x7f, 0x80, 0x80, 0x80,
                                   0x80, 0x80, 0x80, 0x00};
  static const uint8_t max[] = {0x7f, 0x80, 0xff, 0xff, 0xff, 0x0f};
  uint32_t v;
  (void)state;
  assert_int_equal(h2w_hpack_int_decode(&v, big, sizeof(big), 7),
                   H2W_E_COMPRESSION);
  assert_int_equal(h2w_hpack_int_decode(&v, two32, sizeof(two32), 7),
                   H2W_E_COMPRESSION);
  assert_int_equal(h2w_hpack_int_decode(&v, padded, sizeof(padded), 7),
                   H2W_E_COMPRESSION);
  /* Detected before the end arrives: six continuation octets. */
  assert_int_equal(h2w_hpack_int_decode(&v, padded, 7, 7), H2W_E_COMPRESSION);
  assert_int_equal(h2w_hpack_int_decode(&v, max, sizeof(max), 7), 6);
  assert_int_equal(v, UINT32_MAX);
}

/* ---- static and dynamic tables ---------------------------------------- */

static void test_static_lookup(void **state) {
  size_t i, name_index, idx;
  (void)state;
  for (i = 0; i < H2W_HPACK_STATIC_COUNT; i++) {
    h2w_hpack_static_entry e = h2w_hpack_static_at(i);
    idx = h2w_hpack_static_find(e.name, e.namelen, e.value, e.valuelen,
                                &name_index);
    assert_int_equal(idx, i + 1);
    assert_true(name_index <= i + 1);
    assert_int_equal(h2w_hpack_static_at(name_index - 1).namelen, e.namelen);
  }
  idx = h2w_hpack_static_find((const uint8_t *)":status", 7,
                              (const uint8_t *)"404", 3, &name_index);
  assert_int_equal(idx, 13);
  assert_int_equal(name_index, 8);
  idx = h2w_hpack_static_find((const uint8_t *)":status", 7,
                              (const uint8_t *)"201", 3, &name_index);
  assert_int_equal(idx, 0);
  assert_int_equal(name_index, 8);
  idx = h2w_hpack_static_find((const uint8_t *)"x-custom", 8,
                              (const uint8_t *)"", 0, &name_index);
  assert_int_equal(idx + name_index, 0);
  idx = h2w_hpack_static_find((const uint8_t *)"a", 1, NULL, 0, &name_index);
  assert_int_equal(idx + name_index, 0);
  /* Same length and hash inputs as a real name, different bytes. */
  idx =
      h2w_hpack_static_find((const uint8_t *)"cookiE", 6, NULL, 0, &name_index);
  assert_int_equal(idx + name_index, 0);
}

static void test_table_ring_and_eviction(void **state) {
  h2w_alloc a;
  h2w_hpack_table t;
  uint8_t name[8], value[64];
  size_t i, dn, k;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_table_init(&t, 300, 1);
  /* Many inserts of varying sizes wrap the byte ring many times; every
   * live entry must read back intact and be found by the index. */
  for (i = 0; i < 2000; i++) {
    size_t vl = (i * 7) % 60, nl = 1 + i % 7;
    memset(name, (int)('a' + i % 26), nl);
    memset(value, (int)('0' + i % 10), vl);
    assert_int_equal(h2w_hpack_table_insert(&t, &a, name, nl, value, vl),
                     H2W_OK);
    assert_true(t.size <= 300);
    for (k = 1; k <= h2w_hpack_table_count(&t); k++) {
      size_t j = i + 1 - k;
      h2w_hpack_field f = h2w_hpack_table_get(&t, k);
      assert_int_equal(f.namelen, 1 + j % 7);
      assert_int_equal(f.valuelen, (j * 7) % 60);
      assert_int_equal(f.name[0], 'a' + j % 26);
      if (f.valuelen > 0) {
        assert_int_equal(f.value[f.valuelen - 1], '0' + j % 10);
      }
    }
    assert_int_equal(h2w_hpack_table_find(&t, name, nl, value, vl, &dn), 1);
  }
  assert_true(a.in_use <= 2 * 300 + 64 * sizeof(h2w_hpack_entry) * 4);
  /* §4.4: an entry larger than the table empties it. */
  memset(value, 'z', sizeof(value));
  h2w_hpack_table_set_limit(&t, 60);
  assert_int_equal(h2w_hpack_table_insert(&t, &a, name, 1, value, 28), H2W_OK);
  assert_int_equal(h2w_hpack_table_count(&t), 0);
  assert_int_equal(t.size, 0);
  assert_int_equal(h2w_hpack_table_insert(&t, &a, name, 1, value, 27), H2W_OK);
  assert_int_equal(t.size, 60);
  h2w_hpack_table_free(&t, &a);
  assert_int_equal(a.in_use, 0);
}

static void test_table_name_from_evicted_entry(void **state) {
  h2w_alloc a;
  h2w_hpack_table t;
  h2w_hpack_field f;
  size_t dn;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_table_init(&t, 90, 1);
  assert_int_equal(h2w_hpack_table_insert(&t, &a, (const uint8_t *)"name", 4,
                                          (const uint8_t *)"value-one", 9),
                   H2W_OK);
  /* RFC 7541 §4.4: the name refers to the entry the insertion evicts. */
  f = h2w_hpack_table_get(&t, 1);
  assert_int_equal(h2w_hpack_table_insert(&t, &a, f.name, f.namelen,
                                          (const uint8_t *)"v2-longer-value!",
                                          16),
                   H2W_OK);
  assert_int_equal(h2w_hpack_table_count(&t), 1);
  f = h2w_hpack_table_get(&t, 1);
  assert_memory_equal(f.name, "name", 4);
  assert_memory_equal(f.value, "v2-longer-value!", 16);
  assert_int_equal(h2w_hpack_table_find(&t, (const uint8_t *)"name", 4,
                                        (const uint8_t *)"value-one", 9, &dn),
                   0);
  assert_int_equal(dn, 1);
  h2w_hpack_table_free(&t, &a);
}

/* ---- the decoder's fast path (hpack_decode.c fast_rep) ----------------- */

/* Append a string literal (§5.2), Huffman-coded if huff. */
static size_t put_str(uint8_t *b, const uint8_t *str, size_t n, int huff) {
  size_t k;
  if (huff) {
    size_t el = h2w_huffman_encoded_len(str, n);
    k = h2w_hpack_int_encode(b, el, 7, 0x80);
    return k + h2w_huffman_encode(b + k, str, n);
  }
  k = h2w_hpack_int_encode(b, n, 7, 0);
  memcpy(b + k, str, n);
  return k + n;
}

/* Blocks whose representations sit on both sides of every limit of the
 * fast path: one- and multi-octet indexes (6-bit, 4-bit and 7-bit
 * prefixes) and string lengths (126, 127, 128 and longer), raw and
 * Huffman strings, names from both tables, the three literal kinds, and a
 * dynamic table that wraps its byte ring and evicts the entry a name
 * comes from. Decoded whole (fast path), one octet at a time (the general
 * path) and at random points, the fields and the table must agree. */
static void test_decode_fast_path_boundaries(void **state) {
  static const size_t lens[] = {0, 1, 5, 31, 32, 33, 126, 127, 128, 200, 300};
  uint8_t *wire = malloc(1 << 16), val[320];
  out runs[H2W_SPLIT_MODES];
  uint32_t seed = 5;
  int mode, settings;
  (void)state;
  assert_non_null(wire);
  for (settings = 0; settings < 2; settings++) {
    for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
      h2w_hpack_decoder *d;
      size_t blk, i;
      memset(&runs[mode], 0, sizeof(runs[mode]));
      assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
      if (settings) {
        /* A small table: every block wraps the ring and evicts. */
        assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 400), H2W_OK);
      }
      /* Entries are at most 8 + 300 + 32 octets and every round adds
       * three: a lower bound of the dynamic entries at any point. */
      size_t inserted = 0;
      for (blk = 0; blk < 12; blk++) {
        size_t n = 0;
        if (settings && blk == 0) {
          n += h2w_hpack_int_encode(wire + n, 400, 5, 0x20); /* §6.3 */
        }
        for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
          size_t vl = lens[(i + blk) % (sizeof(lens) / sizeof(lens[0]))];
          char name[16];
          int nl = snprintf(name, sizeof name, "x-%zu-%zu", blk, i);
          size_t j;
          for (j = 0; j < vl; j++) {
            val[j] = (uint8_t)("abcxyz019-_~=%"[(j * 7 + i + blk) % 14]);
          }
          size_t have;
          /* §6.2.1 with a new name. */
          wire[n++] = 0x40;
          inserted++;
          have = settings ? 1 : (inserted < 11 ? inserted : 11);
          n += put_str(wire + n, (const uint8_t *)name, (size_t)nl,
                       (int)((i + blk) & 1));
          n += put_str(wire + n, val, vl, (int)((i + blk) & 2));
          /* §6.2.1 with the name of older entries (indexes past 62 need
           * a second octet) and of the static table. */
          n += h2w_hpack_int_encode(wire + n, 62 + (i * 5 + blk) % have, 6,
                                    0x40);
          n += put_str(wire + n, val, vl / 2, (int)(i & 1));
          n += h2w_hpack_int_encode(wire + n, 1 + (i * 13) % 61, 6, 0x40);
          n += put_str(wire + n, val, vl % 40, 0);
          /* §6.2.2 and §6.2.3 with names past 15 (two octets). */
          n += h2w_hpack_int_encode(wire + n, 14 + i * 3, 4, 0x00);
          n += put_str(wire + n, val, vl, 1);
          n += h2w_hpack_int_encode(wire + n, 62 + i % have, 4, 0x10);
          n += put_str(wire + n, val, vl / 3, 0);
          /* §6.1: static, newest dynamic, and past 126 (two octets)
           * once the table holds that many. */
          n += h2w_hpack_int_encode(wire + n, 1 + (i * 11) % 61, 7, 0x80);
          n += h2w_hpack_int_encode(wire + n, 62, 7, 0x80);
          n += h2w_hpack_int_encode(wire + n, 62 + (i + 1) % have, 7, 0x80);
          inserted += 2;
        }
        assert_true(n < (1 << 16));
        assert_int_equal(feed(d, wire, n, mode, &seed, &runs[mode]), H2W_OK);
        /* The table as both paths left it, newest entry first. */
        for (i = 62; i < 62 + (settings ? 1 : 4); i++) {
          uint8_t one[2];
          size_t k = h2w_hpack_int_encode(one, i, 7, 0x80);
          assert_int_equal(h2w_hpack_decode(d, one, k, H2W_HPACK_FINAL, collect,
                                            &runs[mode]),
                           H2W_OK);
        }
      }
      h2w_hpack_decoder_del(d);
    }
    for (mode = 1; mode < H2W_SPLIT_MODES; mode++) {
      assert_same(&runs[0], &runs[mode]);
    }
    /* Nothing tripped a limit: 8 fields a round, then the table's. */
    assert_int_equal(runs[0].fields, 12 * (11 * 8 + (settings ? 1 : 4)));
    for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
      out_free(&runs[mode]);
    }
  }
  free(wire);
}

/* A decoder table (unindexed) wrapping its byte ring many times, with
 * entries of every length the inline copy distinguishes (0..60 octets)
 * and names taken from the entry the insertion evicts (RFC 7541 §4.4),
 * overlapping the place the new entry goes. */
static void test_table_unindexed_ring(void **state) {
  h2w_alloc a;
  h2w_hpack_table t;
  uint8_t name[64], value[320];
  size_t i, k;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_table_init(&t, 300, 0);
  for (i = 0; i < 3000; i++) {
    size_t vl = (i * 7) % 61, nl = 1 + (i * 3) % 40;
    if (i % 5 == 4 && h2w_hpack_table_count(&t) > 0) {
      /* The oldest entry's name: the eviction below frees its octets. */
      h2w_hpack_field old = h2w_hpack_table_get(&t, h2w_hpack_table_count(&t));
      memcpy(name, old.name, old.namelen);
      nl = old.namelen;
      while (t.size + nl + vl + 32 <= 300) {
        vl++; /* make sure it is evicted */
      }
      memset(value, (int)('0' + i % 10), vl);
      assert_int_equal(h2w_hpack_table_insert(&t, &a, old.name, nl, value, vl),
                       H2W_OK);
    } else {
      memset(name, (int)('a' + i % 26), nl);
      memset(value, (int)('0' + i % 10), vl);
      assert_int_equal(h2w_hpack_table_insert(&t, &a, name, nl, value, vl),
                       H2W_OK);
    }
    assert_true(t.size <= 300);
    {
      h2w_hpack_field f = h2w_hpack_table_get(&t, 1);
      assert_int_equal(f.namelen, nl);
      assert_int_equal(f.valuelen, vl);
      assert_memory_equal(f.name, name, nl);
      assert_memory_equal(f.value, value, vl);
      assert_int_equal(h2w_hpack_table_mark(&t, 1), 0);
    }
    for (k = 1; k <= h2w_hpack_table_count(&t); k++) {
      h2w_hpack_field f = h2w_hpack_table_get(&t, k);
      assert_true(f.namelen + f.valuelen + 32 <= 300);
    }
  }
  h2w_hpack_table_free(&t, &a);
  assert_int_equal(a.in_use, 0);
}

/* ---- RFC 7541 Appendix C decoding ------------------------------------- */

typedef struct rfc_block {
  const char *hex;
  const char *const *fields;
  size_t table_size;        /* after the block */
  const char *const *table; /* dynamic entries, newest first */
} rfc_block;

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char date1[] = "Mon, 21 Oct 2013 20:13:21 GMT";
static const char date2[] = "Mon, 21 Oct 2013 20:13:22 GMT";
static const char loc[] = "https://www.example.com";
static const char cookie[] =
    "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

/* C.3 (raw) and C.4 (Huffman): the same three requests. */
static const rfc_block c3[] = {
    {"828684410f7777772e6578616d706c652e636f6d",
     L(":method", "GET", ":scheme", "http", ":path", "/", ":authority",
       "www.example.com"),
     57, L(":authority", "www.example.com")},
    {"828684be58086e6f2d6361636865",
     L(":method", "GET", ":scheme", "http", ":path", "/", ":authority",
       "www.example.com", "cache-control", "no-cache"),
     110, L("cache-control", "no-cache", ":authority", "www.example.com")},
    {"828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
     L(":method", "GET", ":scheme", "https", ":path", "/index.html",
       ":authority", "www.example.com", "custom-key", "custom-value"),
     164,
     L("custom-key", "custom-value", "cache-control", "no-cache", ":authority",
       "www.example.com")},
    {NULL, NULL, 0, NULL}};

static const rfc_block c4[] = {
    {"828684418cf1e3c2e5f23a6ba0ab90f4ff", NULL, 57, NULL},
    {"828684be5886a8eb10649cbf", NULL, 110, NULL},
    {"828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", NULL, 164, NULL},
    {NULL, NULL, 0, NULL}};

/* C.5 (raw) and C.6 (Huffman): three responses, table size 256. */
static const rfc_block c5[] = {
    {"4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032"
     "303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e63"
     "6f6d",
     L(":status", "302", "cache-control", "private", "date", date1, "location",
       loc),
     222,
     L("location", loc, "date", date1, "cache-control", "private", ":status",
       "302")},
    {"4803333037c1c0bf",
     L(":status", "307", "cache-control", "private", "date", date1, "location",
       loc),
     222,
     L(":status", "307", "location", loc, "date", date1, "cache-control",
       "private")},
    {"88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c0"
     "5a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f504955415851"
     "57454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
     L(":status", "200", "cache-control", "private", "date", date2, "location",
       loc, "content-encoding", "gzip", "set-cookie", cookie),
     215, L("set-cookie", cookie, "content-encoding", "gzip", "date", date2)},
    {NULL, NULL, 0, NULL}};

static const rfc_block c6[] = {
    {"488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1b"
     "ff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
     NULL, 222, NULL},
    {"4883640effc1c0bf", NULL, 222, NULL},
    {"88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad"
     "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f95873160"
     "65c003ed4ee5b1063d5007",
     NULL, 215, NULL},
    {NULL, NULL, 0, NULL}};

static void check_table(const h2w_hpack_table *t, const char *const *want) {
  size_t i = 1;
  for (; want[0] != NULL; want += 2, i++) {
    h2w_hpack_field f;
    assert_true(i <= h2w_hpack_table_count(t));
    f = h2w_hpack_table_get(t, i);
    assert_int_equal(f.namelen, strlen(want[0]));
    assert_memory_equal(f.name, want[0], f.namelen);
    assert_int_equal(f.valuelen, strlen(want[1]));
    assert_memory_equal(f.value, want[1], f.valuelen);
  }
  assert_int_equal(h2w_hpack_table_count(t), i - 1);
}

/* `blocks` gives the wire; `ref` the fields and table (C.4 reuses C.3's). */
static void run_rfc(const rfc_block *blocks, const rfc_block *ref,
                    uint32_t table_size) {
  int mode;
  uint32_t seed = 12345;
  for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
    h2w_hpack_decoder *d;
    size_t i;
    assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
    if (table_size != 4096) {
      /* The peer must follow our smaller limit with an update (§4.2);
       * the RFC examples predate that, so prepend it here. */
      static const uint8_t upd[] = {0x3f, 0xe1, 0x01}; /* 256 */
      out o = {0};
      assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, table_size),
                       H2W_OK);
      assert_int_equal(h2w_hpack_decode(d, upd, 3, 0, collect, &o), H2W_OK);
    }
    for (i = 0; blocks[i].hex != NULL; i++) {
      uint8_t wire[512];
      size_t n = unhex(wire, blocks[i].hex);
      out got = {0}, want = {0};
      assert_int_equal(feed(d, wire, n, mode, &seed, &got), H2W_OK);
      expect(&want, ref[i].fields);
      assert_same(&got, &want);
      assert_int_equal(h2w_hpack_decoder_table_size(d), blocks[i].table_size);
      check_table(&d->table, ref[i].table);
      out_free(&got);
      out_free(&want);
    }
    h2w_hpack_decoder_del(d);
  }
}

static void test_decode_c3_c4(void **state) {
  (void)state;
  run_rfc(c3, c3, 4096);
  run_rfc(c4, c3, 4096);
}

static void test_decode_c5_c6(void **state) {
  (void)state;
  run_rfc(c5, c5, 256);
  run_rfc(c6, c5, 256);
}

/* C.2: one block each, fresh decoder; flags reported per representation. */
static void test_decode_c2_literals(void **state) {
  static const struct {
    const char *hex, *name, *value;
    uint32_t flags;
    size_t table_size;
  } cases[] = {
      {"400a637573746f6d2d6b65790d637573746f6d2d686561646572", "custom-key",
       "custom-header", 0, 55},
      {"040c2f73616d706c652f70617468", ":path", "/sample/path", 0, 0},
      {"100870617373776f726406736563726574", "password", "secret",
       H2W_NV_FLAG_NEVER_INDEX, 0},
      {"82", ":method", "GET", 0, 0},
  };
  size_t i;
  int mode;
  uint32_t seed = 7;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
      h2w_hpack_decoder *d;
      uint8_t wire[64];
      size_t n = unhex(wire, cases[i].hex);
      out got = {0}, want = {0};
      assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
      assert_int_equal(feed(d, wire, n, mode, &seed, &got), H2W_OK);
      out_field(&want, (const uint8_t *)cases[i].name, strlen(cases[i].name),
                (const uint8_t *)cases[i].value, strlen(cases[i].value),
                cases[i].flags);
      assert_same(&got, &want);
      assert_int_equal(h2w_hpack_decoder_table_size(d), cases[i].table_size);
      out_free(&got);
      out_free(&want);
      h2w_hpack_decoder_del(d);
    }
  }
}

/* Raw literals point into the caller's input; indexed fields into the
 * table: nothing is copied when the bytes allow it. */
typedef struct where {
  const uint8_t *lo, *hi;
  int inside;
} where;

static int check_where(void *user, const h2w_nv *nv) {
  where *w = user;
  w->inside = nv->value >= w->lo && nv->value + nv->valuelen <= w->hi;
  return 0;
}

static void test_decode_zero_copy(void **state) {
  uint8_t wire[64];
  size_t n =
      unhex(wire, "400a637573746f6d2d6b65790d637573746f6d2d686561646572");
  h2w_hpack_decoder *d;
  where w;
  uint8_t be = 0xbe;
  (void)state;
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  w.lo = wire;
  w.hi = wire + n;
  assert_int_equal(
      h2w_hpack_decode(d, wire, n, H2W_HPACK_FINAL, check_where, &w), H2W_OK);
  assert_true(w.inside);
  w.lo = d->table.buf;
  w.hi = d->table.buf + d->table.bufcap;
  assert_int_equal(
      h2w_hpack_decode(d, &be, 1, H2W_HPACK_FINAL, check_where, &w), H2W_OK);
  assert_true(w.inside);
  h2w_hpack_decoder_del(d);
}

/* ---- errors (docs/security.md row 13) --------------------------------- */

typedef struct bad_case {
  const char *hex;
  uint32_t settings; /* 0: leave the default */
  int err;
  size_t fields; /* delivered before the error */
} bad_case;

static void test_decode_errors_sticky(void **state) {
  static const bad_case cases[] = {
      {"ffffffffff7f", 0, H2W_E_COMPRESSION, 0},       /* index overflows */
      {"ff80808080808000", 0, H2W_E_COMPRESSION, 0},   /* over-long integer */
      {"000161ffffffffff7f", 0, H2W_E_COMPRESSION, 0}, /* length overflow */
      {"00016184ffffffff", 0, H2W_E_COMPRESSION, 0},   /* Huffman EOS */
      {"00016181ff", 0, H2W_E_COMPRESSION, 0},         /* padding over 7 bits */
      {"0001618118", 0, H2W_E_COMPRESSION, 0},   /* padding not all ones */
      {"4184ffffffff", 0, H2W_E_COMPRESSION, 0}, /* EOS, indexed name */
      {"4081ff0161", 0, H2W_E_COMPRESSION, 0},   /* bad padding in a name */
      {"0f2f0161", 0, H2W_E_COMPRESSION, 0},     /* 2-octet name index 62 */
      {"80", 0, H2W_E_COMPRESSION, 0},           /* index 0 */
      {"be", 0, H2W_E_COMPRESSION, 0},           /* past an empty table */
      {"82c0", 0, H2W_E_COMPRESSION, 1},         /* past the static table */
      {"7e0161", 0, H2W_E_COMPRESSION, 0},       /* name index past table */
      {"3fe21f", 0, H2W_E_COMPRESSION, 0},       /* update 4097 > 4096 */
      {"8220", 0, H2W_E_COMPRESSION, 1},         /* update after a field */
      {"202020", 0, H2W_E_COMPRESSION, 0},       /* three updates */
      {"82", 100, H2W_E_COMPRESSION, 0},         /* lowered, no update */
      {"", 100, H2W_E_COMPRESSION, 0},           /* empty block, no update */
      {"3f4682", 100, H2W_E_COMPRESSION, 0},     /* update 101 > 100 */
      {"41", 0, H2W_E_TRUNCATED, 0},             /* FINAL inside a literal */
      {"410f77", 0, H2W_E_TRUNCATED, 0},         /* inside its value */
      {"3f", 0, H2W_E_TRUNCATED, 0},             /* inside an integer */
      {"3f4582", 100, H2W_OK, 1},                /* update to exactly 100 */
      {"202082", 0, H2W_OK, 1},                  /* two updates are fine */
  };
  size_t i;
  int mode;
  uint32_t seed = 99;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
      h2w_hpack_decoder *d;
      uint8_t wire[64], ok = 0x82;
      size_t n = unhex(wire, cases[i].hex);
      int want = cases[i].err;
      out o = {0};
      assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
      if (cases[i].settings != 0) {
        assert_int_equal(
            h2w_hpack_decoder_set_max_table_size(d, cases[i].settings), H2W_OK);
      }
      assert_int_equal(feed(d, wire, n, mode, &seed, &o), want);
      assert_int_equal(o.fields, cases[i].fields);
      /* Sticky: the table may differ from the peer's now, so nothing
       * decodes any more; a valid block decodes after success. */
      assert_int_equal(
          h2w_hpack_decode(d, &ok, 1, H2W_HPACK_FINAL, collect, &o), want);
      assert_int_equal(o.fields, cases[i].fields + (want == H2W_OK));
      out_free(&o);
      h2w_hpack_decoder_del(d);
    }
  }
}

/* §4.2: after 4096 -> 100 -> 4096 the first update must be <= 100. */
static void test_decode_smallest_update_first(void **state) {
  static const uint8_t bad[] = {0x3f, 0xe1, 0x1f, 0x82};
  static const uint8_t good[] = {0x3f, 0x45, 0x3f, 0xe1, 0x1f, 0x82};
  h2w_hpack_decoder *d;
  out o = {0};
  (void)state;
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 100), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 4096), H2W_OK);
  assert_int_equal(h2w_hpack_decode(d, bad, 4, H2W_HPACK_FINAL, collect, &o),
                   H2W_E_COMPRESSION);
  h2w_hpack_decoder_del(d);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 100), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 4096), H2W_OK);
  assert_int_equal(h2w_hpack_decode(d, good, 6, H2W_HPACK_FINAL, collect, &o),
                   H2W_OK);
  assert_int_equal(o.fields, 1);
  /* Raising the limit alone needs no update. */
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 8192), H2W_OK);
  assert_int_equal(
      h2w_hpack_decode(d, good + 5, 1, H2W_HPACK_FINAL, collect, &o), H2W_OK);
  /* Settings change only between blocks. */
  assert_int_equal(h2w_hpack_decode(d, good + 5, 1, 0, collect, &o), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, 0),
                   H2W_E_INVALID_STATE);
  out_free(&o);
  h2w_hpack_decoder_del(d);
}

static void test_decode_invalid_arguments(void **state) {
  h2w_hpack_decoder *d;
  out o = {0};
  (void)state;
  assert_int_equal(h2w_hpack_decoder_new(NULL, NULL), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decode(NULL, NULL, 0, 1, collect, &o),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decode(d, NULL, 1, 1, collect, &o),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decode(d, NULL, 0, 1, NULL, &o),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decoder_set_max_fields(d, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decoder_set_max_fields(NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decoder_set_max_header_list_size(NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(NULL, 1),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_hpack_decoder_table_size(NULL), 0);
  /* Not sticky: the decoder still works. */
  assert_int_equal(h2w_hpack_decode(d, NULL, 0, 1, collect, &o), H2W_OK);
  h2w_hpack_decoder_del(d);
  h2w_hpack_decoder_del(NULL);
}

static void test_decode_callback_failure(void **state) {
  static const uint8_t wire[] = {0x82, 0x86, 0x84};
  h2w_hpack_decoder *d;
  out o = {0};
  (void)state;
  o.fail_at = 2;
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decode(d, wire, 3, H2W_HPACK_FINAL, collect, &o),
                   H2W_E_CALLBACK_FAILURE);
  assert_int_equal(o.fields, 2);
  assert_int_equal(h2w_hpack_decode(d, wire, 1, H2W_HPACK_FINAL, collect, &o),
                   H2W_E_CALLBACK_FAILURE);
  assert_int_equal(o.fields, 2);
  out_free(&o);
  h2w_hpack_decoder_del(d);
}

/* ---- limits (docs/security.md row 12) --------------------------------- */

#define BOMB_VALUE 4000u
#define BOMB_REFS 15000u

/* A 4000-octet value indexed once, then referenced 15,000 times: 19 KB of
 * input that would expand to 60 MB. */
static uint8_t *make_bomb(size_t *n) {
  uint8_t *w = malloc(BOMB_VALUE + 8 + BOMB_REFS);
  size_t k = 0;
  assert_non_null(w);
  w[k++] = 0x40;
  w[k++] = 0x01;
  w[k++] = 'x';
  k += h2w_hpack_int_encode(w + k, BOMB_VALUE, 7, 0);
  memset(w + k, 'a', BOMB_VALUE);
  k += BOMB_VALUE;
  memset(w + k, 0xbe, BOMB_REFS);
  *n = k + BOMB_REFS;
  return w;
}

static void test_decode_bomb(void **state) {
  size_t n, per = 1 + BOMB_VALUE + H2W_HPACK_ENTRY_OVERHEAD;
  size_t cap = H2W_HPACK_DEFAULT_MAX_HEADER_LIST_SIZE / per;
  uint8_t *w = make_bomb(&n), be = 0xbe;
  uint32_t seed = 5;
  int mode;
  (void)state;
  for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
    h2w_hpack_decoder *d;
    out o = {0};
    assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
    assert_int_equal(feed(d, w, n, mode, &seed, &o), H2W_E_LIMIT);
    /* Delivery stopped at the cap: 16 fields, each field once. */
    assert_int_equal(o.fields, cap);
    assert_int_equal(o.octets, cap * (1 + BOMB_VALUE));
    assert_int_equal(h2w_hpack_decoder_table_size(d), per);
    /* The decoder stays in sync and usable for the next block. */
    o.fields = 0;
    assert_int_equal(h2w_hpack_decode(d, &be, 1, H2W_HPACK_FINAL, collect, &o),
                     H2W_OK);
    assert_int_equal(o.fields, 1);
    out_free(&o);
    h2w_hpack_decoder_del(d);
  }
  free(w);
}

static void test_decode_field_count_cap(void **state) {
  static const uint8_t wire[] = {0x82, 0x86, 0x84, 0x87, 0x85};
  h2w_hpack_decoder *d;
  out o = {0};
  (void)state;
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_fields(d, 3), H2W_OK);
  assert_int_equal(h2w_hpack_decode(d, wire, 5, H2W_HPACK_FINAL, collect, &o),
                   H2W_E_LIMIT);
  assert_int_equal(o.fields, 3);
  assert_int_equal(h2w_hpack_decode(d, wire, 3, H2W_HPACK_FINAL, collect, &o),
                   H2W_OK);
  assert_int_equal(o.fields, 6);
  out_free(&o);
  h2w_hpack_decoder_del(d);
}

/* After a limit trip, indexing literals still enter the table (the peer's
 * table has them), and the next block sees them. */
static void test_decode_limit_keeps_table_in_sync(void **state) {
  uint8_t wire[128], be = 0xbe;
  size_t n =
      unhex(wire, "82400a637573746f6d2d6b65790d637573746f6d2d686561646572"
                  "0408637573746f6d2d6b");
  h2w_hpack_decoder *d;
  uint32_t seed = 3;
  int mode;
  (void)state;
  for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
    out o = {0};
    assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
    assert_int_equal(h2w_hpack_decoder_set_max_header_list_size(d, 40), H2W_OK);
    assert_int_equal(feed(d, wire, n, mode, &seed, &o), H2W_E_LIMIT);
    assert_int_equal(o.fields, 0);
    assert_int_equal(h2w_hpack_decoder_table_size(d), 55);
    assert_int_equal(h2w_hpack_decoder_set_max_header_list_size(d, 1000),
                     H2W_OK);
    assert_int_equal(h2w_hpack_decode(d, &be, 1, H2W_HPACK_FINAL, collect, &o),
                     H2W_OK);
    assert_int_equal(o.fields, 1);
    assert_memory_equal(o.buf, "custom-key\0custom-header", 24);
    out_free(&o);
    h2w_hpack_decoder_del(d);
  }
}

/* A literal longer than anything we would deliver or index is skipped as
 * it streams past, never buffered, whatever its length. */
static void test_decode_huge_literal_skipped(void **state) {
  static const uint8_t be = 0xbe;
  const size_t vlen = 4u << 20, chunk = 1000;
  h2w_alloc a;
  h2w_hpack_decoder d;
  uint8_t hdr[16], *body = calloc(chunk, 1);
  size_t k, sent;
  int pass;
  (void)state;
  assert_non_null(body);
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_decoder_init(&d, &a); /* the internal, embeddable API */
  for (pass = 0; pass < 2; pass++) {
    out o = {0};
    /* Pass 0: without indexing; pass 1: incremental (larger than the
     * table, so it empties it, RFC 7541 §4.4). */
    hdr[0] = pass == 0 ? 0x00 : 0x40;
    hdr[1] = 0x01;
    hdr[2] = 'y';
    k = 3 + h2w_hpack_int_encode(hdr + 3, vlen, 7, 0);
    assert_int_equal(h2w_hpack_decoder_decode(&d, hdr, k, 0, collect, &o),
                     H2W_OK);
    for (sent = 0; sent < vlen; sent += chunk) {
      assert_int_equal(
          h2w_hpack_decoder_decode(&d, body, chunk, 0, collect, &o), H2W_OK);
    }
    assert_true(a.peak < 16384);
    assert_int_equal(h2w_hpack_decoder_decode(&d, hdr, 0, 1, collect, &o),
                     H2W_E_LIMIT);
    assert_int_equal(o.fields, 0);
    /* Pass 1 found the entry pass 0 left and evicted it. */
    assert_int_equal(d.table.size, 0);
    if (pass == 0) {
      static const uint8_t add[] = {0x41, 0x01, 'z'};
      assert_int_equal(h2w_hpack_decoder_decode(&d, add, 3, 1, collect, &o),
                       H2W_OK);
      assert_int_equal(h2w_hpack_decoder_decode(&d, &be, 1, 1, collect, &o),
                       H2W_OK);
      assert_int_equal(o.fields, 2);
      assert_int_equal(d.table.size, 10 + 1 + 32);
    }
    out_free(&o);
  }
  h2w_hpack_decoder_free(&d);
  assert_int_equal(a.in_use, 0);
  free(body);
}

/* ---- zero-length names (docs/security.md row 5) ----------------------- */

static void test_decode_empty_names_heap_flat(void **state) {
  /* Without indexing, incremental (a 32-octet entry) and indexed. */
  static const uint8_t block[] = {0x00, 0x00, 0x00, 0x40, 0x00,
                                  0x00, 0xbe, 0x00, 0x80, 0x00};
  h2w_test_alloc c;
  h2w_hpack_decoder *d;
  long calls_after_warmup = 0, live_after_warmup = 0;
  int i;
  out o = {0};
  (void)state;
  h2w_test_alloc_init(&c);
  assert_int_equal(h2w_hpack_decoder_new(&d, &c.mem), H2W_OK);
  for (i = 0; i < 100000; i++) {
    o.len = 0;
    o.fields = 0;
    assert_int_equal(h2w_hpack_decode(d, block, 3, 0, collect, &o), H2W_OK);
    assert_int_equal(h2w_hpack_decode(d, block + 3, sizeof(block) - 3,
                                      H2W_HPACK_FINAL, collect, &o),
                     H2W_OK);
    /* HPACK delivers them; rejecting them is the session's job. */
    assert_int_equal(o.fields, 4);
    assert_memory_equal(o.buf,
                        "\0\0"
                        "0\n",
                        4);
    if (i == 1000) {
      calls_after_warmup = c.calls;
      live_after_warmup = c.live;
    }
  }
  assert_true(h2w_hpack_decoder_table_size(d) <= 4096);
  assert_int_equal(c.calls, calls_after_warmup);
  assert_int_equal(c.live, live_after_warmup);
  out_free(&o);
  h2w_hpack_decoder_del(d);
  assert_int_equal(c.live, 0);
}

/* ---- allocation failures (docs/security.md row 21) -------------------- */

static void test_decode_alloc_failures(void **state) {
  long k;
  int completed = 0;
  (void)state;
  for (k = 1; !completed; k++) {
    h2w_test_alloc c;
    h2w_hpack_decoder *d;
    uint32_t seed = 1;
    int rv = H2W_OK, mode;
    size_t i;
    h2w_test_alloc_init(&c);
    c.fail_at = k;
    rv = h2w_hpack_decoder_new(&d, &c.mem);
    if (rv != H2W_OK) {
      assert_int_equal(rv, H2W_E_NOMEM);
      assert_int_equal(c.live, 0);
      continue;
    }
    for (mode = 0; mode < H2W_SPLIT_MODES && rv == H2W_OK; mode++) {
      const rfc_block *seq = mode == H2W_SPLIT_RANDOM ? c4 : c6;
      for (i = 0; seq[i].hex != NULL && rv == H2W_OK; i++) {
        uint8_t wire[512];
        size_t n = unhex(wire, seq[i].hex);
        out o = {0};
        rv = feed(d, wire, n,
                  mode == H2W_SPLIT_BYTEWISE ? H2W_SPLIT_BYTEWISE
                                             : H2W_SPLIT_WHOLE,
                  &seed, &o);
        out_free(&o);
      }
    }
    assert_int_equal(rv, c.failed ? H2W_E_NOMEM : H2W_OK);
    completed = !c.failed;
    h2w_hpack_decoder_del(d);
    assert_int_equal(c.live, 0);
  }
  assert_true(k > 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_int_rfc_examples),
      cmocka_unit_test(test_int_roundtrip_and_truncation),
      cmocka_unit_test(test_int_overflow),
      cmocka_unit_test(test_static_lookup),
      cmocka_unit_test(test_table_ring_and_eviction),
      cmocka_unit_test(test_table_name_from_evicted_entry),
      cmocka_unit_test(test_decode_c2_literals),
      cmocka_unit_test(test_decode_c3_c4),
      cmocka_unit_test(test_decode_c5_c6),
      cmocka_unit_test(test_decode_zero_copy),
      cmocka_unit_test(test_decode_errors_sticky),
      cmocka_unit_test(test_decode_smallest_update_first),
      cmocka_unit_test(test_decode_invalid_arguments),
      cmocka_unit_test(test_decode_callback_failure),
      cmocka_unit_test(test_decode_bomb),
      cmocka_unit_test(test_decode_field_count_cap),
      cmocka_unit_test(test_decode_limit_keeps_table_in_sync),
      cmocka_unit_test(test_decode_huge_literal_skipped),
      cmocka_unit_test(test_decode_empty_names_heap_flat),
      cmocka_unit_test(test_decode_alloc_failures),
      cmocka_unit_test(test_decode_fast_path_boundaries),
      cmocka_unit_test(test_table_unindexed_ring),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* src/huffman.c: HPACK Huffman coding (RFC 7541 §5.2, Appendix B).
 *
 * The byte automaton is checked against an independent bit-at-a-time
 * canonical decoder written here, on every 1- and 2-octet input and on
 * random input, and against the RFC 7541 Appendix C examples.
 *
 * `test_huffman --bench` measures encode/decode speed instead of testing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "huffman.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* xorshift64*: deterministic, seeded per test. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545f4914f6cdd1dull;
}

static size_t rng_below(uint64_t *s, size_t n) {
  return (size_t)(rng_next(s) % n);
}

static size_t unhex(uint8_t *out, const char *hex) {
  size_t n = 0;
  while (hex[0] != '\0' && hex[1] != '\0') {
    char pair[3] = {hex[0], hex[1], '\0'};
    out[n++] = (uint8_t)strtoul(pair, NULL, 16);
    hex += 2;
  }
  return n;
}

/* Exact-size heap copy, so that ASan reports any read past the end. */
static uint8_t *dup_exact(const uint8_t *p, size_t n) {
  uint8_t *q = malloc(n > 0 ? n : 1);
  assert_non_null(q);
  if (n > 0) {
    memcpy(q, p, n);
  }
  return q;
}

/* MSB-first bit writer for hand-built inputs. */
typedef struct bitw {
  uint8_t buf[64];
  size_t nbits;
} bitw;

static void bw_put(bitw *w, uint32_t code, unsigned nbits) {
  while (nbits-- > 0) {
    size_t at = w->nbits++;
    assert_true(at < sizeof w->buf * 8);
    if ((code >> nbits) & 1u) {
      w->buf[at / 8] |= (uint8_t)(0x80u >> (at % 8));
    }
  }
}

static void bw_sym(bitw *w, unsigned sym) {
  bw_put(w, h2w_huffman_code[sym], h2w_huffman_bits[sym]);
}

static size_t bw_bytes(const bitw *w) {
  return (w->nbits + 7) / 8;
}

/* Reference decoder: one bit at a time over the canonical code, which the
 * generator verified (codes of one length are consecutive, in symbol
 * order). Shares no logic with the automaton. */
typedef struct refcode {
  uint32_t first[31];  /* first code of each length */
  unsigned count[31];  /* number of codes of each length */
  unsigned offset[31]; /* index in `sorted` of that first code */
  uint16_t sorted[257];
} refcode;

static void ref_init(refcode *r) {
  unsigned len, sym, k = 0;
  memset(r, 0, sizeof *r);
  for (len = 1; len <= 30; len++) {
    r->offset[len] = k;
    for (sym = 0; sym < 257; sym++) {
      if (h2w_huffman_bits[sym] == len) {
        if (r->count[len] == 0) {
          r->first[len] = h2w_huffman_code[sym];
        }
        r->count[len]++;
        r->sorted[k++] = (uint16_t)sym;
      }
    }
  }
  assert_int_equal(k, 257);
}

static h2w_ssize ref_decode(const refcode *r, uint8_t *out, size_t cap,
                            const uint8_t *src, size_t len) {
  uint32_t code = 0;
  unsigned nbits = 0;
  size_t n = 0, i;
  for (i = 0; i < len * 8; i++) {
    code = (code << 1) | (((unsigned)src[i / 8] >> (7 - i % 8)) & 1u);
    nbits++;
    if (r->count[nbits] > 0 && code >= r->first[nbits] &&
        code - r->first[nbits] < r->count[nbits]) {
      unsigned sym = r->sorted[r->offset[nbits] + code - r->first[nbits]];
      if (sym == 256) {
        return H2W_E_COMPRESSION;
      }
      if (n == cap) {
        return H2W_E_BUFFER_TOO_SMALL;
      }
      out[n++] = (uint8_t)sym;
      code = 0;
      nbits = 0;
    }
  }
  if (nbits > 7 || code != (1u << nbits) - 1) {
    return H2W_E_COMPRESSION;
  }
  return (h2w_ssize)n;
}

/* Encode with exact-size buffers and check the length contract; returns a
 * heap buffer of *outlen octets. */
static uint8_t *encode_exact(const uint8_t *src, size_t len, size_t *outlen) {
  uint8_t *in = dup_exact(src, len);
  size_t elen = h2w_huffman_encoded_len(in, len);
  uint8_t *out = malloc(elen > 0 ? elen : 1);
  assert_non_null(out);
  assert_int_equal(h2w_huffman_encode(out, in, len), elen);
  free(in);
  *outlen = elen;
  return out;
}

/* Decode with exact-size buffers: the input is exactly len octets and the
 * output exactly `cap`. Returns the result; the output goes to `copy`. */
static h2w_ssize decode_exact(const uint8_t *src, size_t len, size_t cap,
                              uint8_t *copy) {
  uint8_t *in = dup_exact(src, len);
  uint8_t *out = malloc(cap > 0 ? cap : 1);
  h2w_ssize rc;
  assert_non_null(out);
  rc = h2w_huffman_decode(out, cap, in, len);
  if (rc > 0) {
    memcpy(copy, out, (size_t)rc);
  }
  free(out);
  free(in);
  return rc;
}

/* Encode, check the length, decode with an exact-size buffer, compare. */
static void round_trip(const uint8_t *src, size_t len) {
  size_t elen;
  uint8_t *enc = encode_exact(src, len, &elen);
  uint8_t *dec = malloc(len > 0 ? len : 1);
  assert_non_null(dec);
  assert_true(len <= h2w_huffman_decoded_bound(elen));
  assert_int_equal(decode_exact(enc, elen, len, dec), (h2w_ssize)len);
  if (len > 0) {
    assert_memory_equal(dec, src, len);
  }
  if (len > 0) {
    /* One octet short of the result must be refused, not overrun. */
    assert_int_equal(decode_exact(enc, elen, len - 1, dec),
                     H2W_E_BUFFER_TOO_SMALL);
  }
  free(dec);
  free(enc);
}

/* ------------------------------------------------------------------------ */
/* RFC 7541 Appendix C.4 and C.6                                            */
/* ------------------------------------------------------------------------ */

typedef struct vector {
  const char *text;
  const char *hex;
} vector;

static const vector rfc_vectors[] = {
    /* C.4.1 .. C.4.3 */
    {"www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"},
    {"no-cache", "a8eb10649cbf"},
    {"custom-key", "25a849e95ba97d7f"},
    {"custom-value", "25a849e95bb8e8b4bf"},
    /* C.6.1 .. C.6.3 */
    {"302", "6402"},
    {"private", "aec3771a4b"},
    {"Mon, 21 Oct 2013 20:13:21 GMT",
     "d07abe941054d444a8200595040b8166e082a62d1bff"},
    {"https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3"},
    {"307", "640eff"},
    {"Mon, 21 Oct 2013 20:13:22 GMT",
     "d07abe941054d444a8200595040b8166e084a62d1bff"},
    {"gzip", "9bd9ab"},
    {"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
     "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065"
     "c003ed4ee5b1063d5007"},
};

#define N_VECTORS (sizeof rfc_vectors / sizeof rfc_vectors[0])

static void test_rfc_vectors_encode(void **state) {
  size_t v;
  (void)state;
  for (v = 0; v < N_VECTORS; v++) {
    uint8_t want[64];
    size_t wlen = unhex(want, rfc_vectors[v].hex);
    size_t elen;
    uint8_t *enc = encode_exact((const uint8_t *)rfc_vectors[v].text,
                                strlen(rfc_vectors[v].text), &elen);
    assert_int_equal(elen, wlen);
    assert_memory_equal(enc, want, wlen);
    free(enc);
  }
}

static void test_rfc_vectors_decode(void **state) {
  size_t v;
  (void)state;
  for (v = 0; v < N_VECTORS; v++) {
    uint8_t in[64], out[64];
    size_t inlen = unhex(in, rfc_vectors[v].hex);
    size_t tlen = strlen(rfc_vectors[v].text);
    size_t cap;
    assert_int_equal(decode_exact(in, inlen, tlen, out), (h2w_ssize)tlen);
    assert_memory_equal(out, rfc_vectors[v].text, tlen);
    /* Every smaller output buffer is refused without being overrun. */
    for (cap = 0; cap < tlen; cap++) {
      assert_int_equal(decode_exact(in, inlen, cap, out),
                       H2W_E_BUFFER_TOO_SMALL);
    }
  }
}

/* A few rows of RFC 7541 Appendix B, typed independently of the generator:
 * the shortest, the longest, EOS, and some in between. */
static void test_table_spot_checks(void **state) {
  (void)state;
  assert_int_equal(h2w_huffman_code['0'], 0x0);
  assert_int_equal(h2w_huffman_bits['0'], 5);
  assert_int_equal(h2w_huffman_code['a'], 0x3);
  assert_int_equal(h2w_huffman_bits['a'], 5);
  assert_int_equal(h2w_huffman_code[' '], 0x14);
  assert_int_equal(h2w_huffman_bits[' '], 6);
  assert_int_equal(h2w_huffman_code['\\'], 0x7fff0);
  assert_int_equal(h2w_huffman_bits['\\'], 19);
  assert_int_equal(h2w_huffman_code[0], 0x1ff8);
  assert_int_equal(h2w_huffman_bits[0], 13);
  assert_int_equal(h2w_huffman_code[10], 0x3ffffffc);
  assert_int_equal(h2w_huffman_bits[10], 30);
  assert_int_equal(h2w_huffman_code[255], 0x3ffffee);
  assert_int_equal(h2w_huffman_bits[255], 26);
  assert_int_equal(h2w_huffman_code[256], 0x3fffffff);
  assert_int_equal(h2w_huffman_bits[256], 30);
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                              */
/* ------------------------------------------------------------------------ */

static void test_empty(void **state) {
  uint8_t out[1] = {0xaa};
  h2w_huffman_decoder d;
  (void)state;
  assert_int_equal(h2w_huffman_encoded_len(NULL, 0), 0);
  assert_int_equal(h2w_huffman_encode(out, NULL, 0), 0);
  assert_int_equal(out[0], 0xaa);
  assert_int_equal(h2w_huffman_decode(NULL, 0, NULL, 0), 0);
  assert_int_equal(h2w_huffman_decoded_bound(0), 0);
  h2w_huffman_decoder_init(&d);
  assert_int_equal(h2w_huffman_decoder_feed(&d, NULL, 0, NULL, 0), 0);
  assert_int_equal(h2w_huffman_decoder_finish(&d), H2W_OK);
}

static void test_single_octets(void **state) {
  unsigned b;
  (void)state;
  for (b = 0; b < 256; b++) {
    uint8_t c = (uint8_t)b;
    size_t elen;
    uint8_t *enc = encode_exact(&c, 1, &elen);
    assert_int_equal(elen, (h2w_huffman_bits[b] + 7u) / 8u);
    free(enc);
    round_trip(&c, 1);
  }
}

static const char header_alphabet[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " -_.:/;=,?&%+()\"'*";

static void random_string(uint64_t *s, uint8_t *buf, size_t len, int text) {
  size_t i;
  for (i = 0; i < len; i++) {
    buf[i] =
        text
            ? (uint8_t)header_alphabet[rng_below(s, sizeof header_alphabet - 1)]
            : (uint8_t)rng_next(s);
  }
}

static void test_random_round_trips(void **state) {
  static uint8_t buf[70000];
  uint64_t s = 0x9e3779b97f4a7c15ull;
  size_t len;
  int text;
  (void)state;
  for (text = 0; text <= 1; text++) {
    for (len = 0; len <= 300; len++) {
      random_string(&s, buf, len, text);
      round_trip(buf, len);
    }
    for (len = 1000; len <= 70000; len = len * 4 + 17) {
      random_string(&s, buf, len, text);
      round_trip(buf, len);
    }
  }
}

/* The output written is exactly encoded_len, for inputs that end on every
 * bit offset and for every code length. */
static void test_encoded_len_is_exact(void **state) {
  uint64_t s = 7;
  int iter;
  (void)state;
  for (iter = 0; iter < 2000; iter++) {
    uint8_t in[40], out[40 * 4 + 8];
    size_t len = rng_below(&s, sizeof in) + 1, i, elen;
    uint64_t bits = 0;
    random_string(&s, in, len, iter % 2);
    for (i = 0; i < len; i++) {
      bits += h2w_huffman_bits[in[i]];
    }
    elen = h2w_huffman_encoded_len(in, len);
    assert_int_equal(elen, (size_t)((bits + 7) / 8));
    memset(out, 0x5a, sizeof out);
    assert_int_equal(h2w_huffman_encode(out, in, len), elen);
    /* Nothing past the reported length is touched. */
    for (i = elen; i < sizeof out; i++) {
      assert_int_equal(out[i], 0x5a);
    }
  }
}

static void test_decoded_bound(void **state) {
  uint8_t zeros[200], enc[200];
  size_t len;
  (void)state;
  for (len = 0; len < 1000; len++) {
    assert_int_equal(h2w_huffman_decoded_bound(len), len * 8 / 5);
  }
  assert_int_equal(h2w_huffman_decoded_bound(SIZE_MAX), SIZE_MAX);
  /* The bound is reached by strings of 5-bit codes. */
  memset(zeros, '0', sizeof zeros);
  for (len = 1; len <= sizeof zeros; len++) {
    size_t elen = h2w_huffman_encode(enc, zeros, len);
    assert_true(len <= h2w_huffman_decoded_bound(elen));
    assert_true(h2w_huffman_decoded_bound(elen) - len <= 1);
  }
}

/* ------------------------------------------------------------------------ */
/* Error rules of RFC 7541 §5.2                                             */
/* ------------------------------------------------------------------------ */

static void expect_invalid(const uint8_t *in, size_t len) {
  uint8_t out[256];
  assert_true(len * 2 <= sizeof out);
  assert_int_equal(decode_exact(in, len, len * 2, out), H2W_E_COMPRESSION);
}

static void test_eos_rejected(void **state) {
  static const uint8_t eos_alone[] = {0xff, 0xff, 0xff, 0xff};
  bitw w;
  (void)state;
  /* EOS (30 ones) plus 2 bits of padding. */
  expect_invalid(eos_alone, sizeof eos_alone);
  /* After a symbol, mid-octet. */
  memset(&w, 0, sizeof w);
  bw_sym(&w, 'a');
  bw_put(&w, 0x3fffffff, 30);
  bw_put(&w, 0x1f, 5);
  assert_int_equal(w.nbits % 8, 0);
  expect_invalid(w.buf, bw_bytes(&w));
  /* Followed by valid symbols. */
  memset(&w, 0, sizeof w);
  bw_sym(&w, 'x');
  bw_put(&w, 0x3fffffff, 30);
  bw_sym(&w, 'y');
  bw_sym(&w, 'z');
  bw_put(&w, 0x7f, (unsigned)(8 - w.nbits % 8) % 8);
  expect_invalid(w.buf, bw_bytes(&w));
}

static void test_padding_too_long(void **state) {
  static const uint8_t ones[] = {0xff};
  /* "&" is exactly 8 bits (0xf8): one more octet of ones is 8 bits of
   * padding. */
  static const uint8_t amp_pad8[] = {0xf8, 0xff};
  static const uint8_t amp[] = {0xf8};
  /* "0" + 3 padding bits is fine; another octet makes 11. */
  static const uint8_t zero_pad3[] = {0x07};
  static const uint8_t zero_pad11[] = {0x07, 0xff};
  uint8_t out[8];
  (void)state;
  expect_invalid(ones, sizeof ones);
  expect_invalid(amp_pad8, sizeof amp_pad8);
  expect_invalid(zero_pad11, sizeof zero_pad11);
  assert_int_equal(decode_exact(amp, 1, 1, out), 1);
  assert_int_equal(out[0], '&');
  assert_int_equal(decode_exact(zero_pad3, 1, 1, out), 1);
  assert_int_equal(out[0], '0');
}

/* For each padding length 1..7, the all-ones pad is accepted and no other
 * pattern of that length passes as padding: it is rejected, or (when the
 * bits happen to form codes, e.g. 00000 is '0') decoded as symbols. */
static void test_padding_not_ones(void **state) {
  refcode r;
  unsigned pad;
  (void)state;
  ref_init(&r);
  for (pad = 1; pad <= 7; pad++) {
    uint32_t pattern;
    int rejected = 0;
    for (pattern = 0; pattern < (1u << pad); pattern++) {
      bitw w;
      unsigned k;
      uint8_t out[32], ref[32];
      h2w_ssize rc;
      memset(&w, 0, sizeof w);
      /* 5-bit '0' codes until exactly `pad` bits remain in the octet. */
      for (k = 0; (w.nbits + pad) % 8 != 0 || k == 0; k++) {
        bw_sym(&w, '0');
      }
      bw_put(&w, pattern, pad);
      rc = decode_exact(w.buf, bw_bytes(&w), sizeof out, out);
      if (pattern == (1u << pad) - 1) {
        assert_int_equal(rc, (h2w_ssize)k);
        continue;
      }
      assert_int_not_equal(rc, (h2w_ssize)k);
      assert_int_equal(rc,
                       ref_decode(&r, ref, sizeof ref, w.buf, bw_bytes(&w)));
      rejected += rc == H2W_E_COMPRESSION;
    }
    /* Short pads can never complete a code (the shortest is 5 bits). */
    if (pad < 5) {
      assert_int_equal(rejected, (1 << pad) - 1);
    } else {
      assert_true(rejected > 0);
    }
  }
}

static void test_truncated_code(void **state) {
  /* '\\' is 1111111111111110000 (19 bits): its first 16 bits end with a
   * zero, so they are neither a code nor padding. */
  static const uint8_t cut16[] = {0xff, 0xfe};
  bitw w;
  (void)state;
  expect_invalid(cut16, sizeof cut16);
  /* A 26-bit code cut after 20 bits, after some symbols. */
  memset(&w, 0, sizeof w);
  bw_sym(&w, 'G');
  bw_sym(&w, 'E');
  bw_sym(&w, 'T');
  bw_put(&w, h2w_huffman_code[192] >> 6, 20);
  bw_put(&w, 0x7f, (unsigned)(8 - w.nbits % 8) % 8);
  expect_invalid(w.buf, bw_bytes(&w));
}

/* Every 1- and 2-octet input against the reference decoder. */
static void test_exhaustive_short_inputs(void **state) {
  refcode r;
  uint32_t v;
  (void)state;
  ref_init(&r);
  for (v = 0; v < 256; v++) {
    uint8_t in[1] = {(uint8_t)v}, a[4], b[4];
    h2w_ssize want = ref_decode(&r, a, sizeof a, in, 1);
    assert_int_equal(h2w_huffman_decode(b, sizeof b, in, 1), want);
    if (want > 0) {
      assert_memory_equal(a, b, (size_t)want);
    }
  }
  for (v = 0; v < 65536; v++) {
    uint8_t in[2] = {(uint8_t)(v >> 8), (uint8_t)v}, a[4], b[4];
    h2w_ssize want = ref_decode(&r, a, sizeof a, in, 2);
    assert_int_equal(h2w_huffman_decode(b, sizeof b, in, 2), want);
    if (want > 0) {
      assert_memory_equal(a, b, (size_t)want);
    }
  }
}

/* Random octets (mostly invalid somewhere) and random valid encodings with
 * one bit flipped, against the reference decoder. */
static void test_random_vs_reference(void **state) {
  refcode r;
  uint64_t s = 12345;
  int iter;
  (void)state;
  ref_init(&r);
  for (iter = 0; iter < 20000; iter++) {
    uint8_t in[64], a[128], b[128];
    size_t len = rng_below(&s, sizeof in) + 1;
    h2w_ssize want;
    if (iter % 2 == 0) {
      random_string(&s, in, len, 0);
    } else {
      uint8_t plain[32];
      size_t plen = rng_below(&s, sizeof plain) + 1;
      random_string(&s, plain, plen, iter % 4 == 1);
      len = h2w_huffman_encoded_len(plain, plen);
      if (len > sizeof in) {
        continue;
      }
      h2w_huffman_encode(in, plain, plen);
      in[rng_below(&s, len)] ^= (uint8_t)(1u << rng_below(&s, 8));
    }
    want = ref_decode(&r, a, sizeof a, in, len);
    assert_int_equal(decode_exact(in, len, sizeof b, b), want);
    if (want > 0) {
      assert_memory_equal(a, b, (size_t)want);
    }
  }
}

/* h2w_huffman_decode_roomy() into a heap buffer of exactly
 * h2w_huffman_roomy_bound() octets (so that a sanitizer sees any store
 * past it): same result as the reference decoder. */
static void roomy_vs_reference(refcode *r, const uint8_t *in, size_t len) {
  size_t cap = h2w_huffman_roomy_bound(len);
  uint8_t *b = malloc(cap), *a = malloc(cap);
  h2w_ssize want, got;
  assert_non_null(b);
  assert_non_null(a);
  want = ref_decode(r, a, cap, in, len);
  got = h2w_huffman_decode_roomy(b, in, len);
  assert_int_equal(got, want);
  if (want > 0) {
    assert_memory_equal(a, b, (size_t)want);
  }
  free(a);
  free(b);
}

/* The one-pass decoder: every symbol (every code length, 5 to 30 bits)
 * repeated 1..12 times, so that runs of the shortest codes fill the room
 * to its bound; every 1- and 2-octet input (EOS, padding errors); random
 * encodings with a bit flipped. */
static void test_roomy(void **state) {
  refcode r;
  uint64_t s = 777;
  uint32_t v;
  int sym, k, iter;
  (void)state;
  ref_init(&r);
  assert_int_equal(h2w_huffman_decode_roomy(NULL, NULL, 0), 0);
  for (sym = 0; sym < 256; sym++) {
    for (k = 1; k <= 12; k++) {
      uint8_t plain[12], enc[64], dec[128];
      size_t len;
      memset(plain, sym, (size_t)k);
      len = h2w_huffman_encode(enc, plain, (size_t)k);
      roomy_vs_reference(&r, enc, len);
      assert_int_equal(h2w_huffman_decode_roomy(dec, enc, len), k);
      assert_memory_equal(dec, plain, (size_t)k);
    }
  }
  for (v = 0; v < 256; v++) {
    uint8_t in[1] = {(uint8_t)v};
    roomy_vs_reference(&r, in, 1);
  }
  for (v = 0; v < 65536; v++) {
    uint8_t in[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    roomy_vs_reference(&r, in, 2);
  }
  for (iter = 0; iter < 20000; iter++) {
    uint8_t in[64], plain[48];
    size_t plen = rng_below(&s, sizeof plain) + 1, len;
    random_string(&s, plain, plen, iter % 4 == 1);
    len = h2w_huffman_encoded_len(plain, plen);
    if (len > sizeof in) {
      continue;
    }
    h2w_huffman_encode(in, plain, plen);
    if (iter % 2 == 0) {
      in[rng_below(&s, len)] ^= (uint8_t)(1u << rng_below(&s, 8));
    }
    roomy_vs_reference(&r, in, len);
  }
}

/* Random encodings decoded into every output capacity below and at the
 * result: too small is refused, exact fits. */
static void test_buffer_too_small(void **state) {
  uint64_t s = 99;
  int iter;
  (void)state;
  for (iter = 0; iter < 200; iter++) {
    uint8_t plain[48], enc[48 * 4], out[48];
    size_t plen = rng_below(&s, sizeof plain) + 1, elen, cap;
    random_string(&s, plain, plen, iter % 2);
    elen = h2w_huffman_encode(enc, plain, plen);
    for (cap = 0; cap < plen; cap++) {
      assert_int_equal(decode_exact(enc, elen, cap, out),
                       H2W_E_BUFFER_TOO_SMALL);
    }
    assert_int_equal(decode_exact(enc, elen, plen, out), (h2w_ssize)plen);
    assert_memory_equal(out, plain, plen);
  }
}

/* ------------------------------------------------------------------------ */
/* Incremental decoding: 1 octet at a time and at random split points      */
/* ------------------------------------------------------------------------ */

/* Feed `in` in pieces (size 1 when step is 0, else random in 1..step) and
 * return what the whole-string decoder would: a length or an error. */
static h2w_ssize feed_split(const uint8_t *in, size_t len, uint8_t *out,
                            size_t cap, uint64_t *s, size_t step) {
  h2w_huffman_decoder d;
  size_t at = 0, n = 0;
  h2w_huffman_decoder_init(&d);
  while (at < len) {
    size_t piece = step == 0 ? 1 : rng_below(s, step) + 1;
    uint8_t *p;
    h2w_ssize rc;
    if (piece > len - at) {
      piece = len - at;
    }
    p = dup_exact(in + at, piece); /* reads past the piece would show */
    rc = h2w_huffman_decoder_feed(&d, out + n, cap - n, p, piece);
    free(p);
    if (rc < 0) {
      return rc;
    }
    n += (size_t)rc;
    at += piece;
  }
  if (h2w_huffman_decoder_finish(&d) != H2W_OK) {
    return H2W_E_COMPRESSION;
  }
  return (h2w_ssize)n;
}

static void check_splits(const uint8_t *in, size_t len, uint64_t *s) {
  static uint8_t whole[4096], part[4096];
  h2w_ssize want = h2w_huffman_decode(whole, sizeof whole, in, len);
  size_t step;
  assert_true(len * 2 <= sizeof whole);
  for (step = 0; step <= 9; step += 3) {
    h2w_ssize got = feed_split(in, len, part, sizeof part, s, step);
    assert_int_equal(got, want);
    if (want > 0) {
      assert_memory_equal(part, whole, (size_t)want);
    }
  }
}

static void test_split_input(void **state) {
  uint64_t s = 4242;
  size_t v;
  int iter;
  (void)state;
  for (v = 0; v < N_VECTORS; v++) {
    uint8_t in[64];
    size_t len = unhex(in, rfc_vectors[v].hex);
    check_splits(in, len, &s);
  }
  for (iter = 0; iter < 3000; iter++) {
    uint8_t plain[600], enc[2048];
    size_t plen = rng_below(&s, sizeof plain) + 1, elen;
    random_string(&s, plain, plen, iter % 2);
    elen = h2w_huffman_encode(enc, plain, plen);
    if (iter % 3 == 2) {
      /* Corrupt it: EOS, padding and truncation errors must surface the
       * same way whatever the split. */
      enc[rng_below(&s, elen)] ^= (uint8_t)(1u << rng_below(&s, 8));
      if (iter % 6 == 5) {
        elen = rng_below(&s, elen) + 1;
      }
    }
    check_splits(enc, elen, &s);
  }
}

/* The incremental decoder also respects the capacity of each piece. */
static void test_split_buffer_too_small(void **state) {
  static const uint8_t www[] = {0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a,
                                0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff};
  h2w_huffman_decoder d;
  uint8_t *out = malloc(15);
  size_t i, n = 0;
  (void)state;
  assert_non_null(out);
  h2w_huffman_decoder_init(&d);
  for (i = 0; i < sizeof www; i++) {
    h2w_ssize rc = h2w_huffman_decoder_feed(&d, out + n, 15 - n, www + i, 1);
    assert_true(rc >= 0);
    n += (size_t)rc;
  }
  assert_int_equal(h2w_huffman_decoder_finish(&d), H2W_OK);
  assert_int_equal(n, 15);
  assert_memory_equal(out, "www.example.com", 15);
  /* Same again with the output one short: the piece that would overflow
   * fails, nothing is written past the buffer. */
  h2w_huffman_decoder_init(&d);
  n = 0;
  for (i = 0; i < sizeof www; i++) {
    h2w_ssize rc = h2w_huffman_decoder_feed(&d, out + n, 14 - n, www + i, 1);
    if (rc < 0) {
      assert_int_equal(rc, H2W_E_BUFFER_TOO_SMALL);
      break;
    }
    n += (size_t)rc;
  }
  assert_true(i < sizeof www);
  free(out);
}

/* ------------------------------------------------------------------------ */
/* Measurement (`test_huffman --bench`), not a test                         */
/* ------------------------------------------------------------------------ */

static const char *const bench_fields[] = {
    "www.example.com",
    "/api/v2/users/48213/preferences?lang=en-US&fields=name,email,avatar",
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36"),
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "gzip, deflate, br",
    "en-US,en;q=0.9",
    "session=3f9a2c71e0b84d5f9c1a; theme=dark; _ga=GA1.2.1733408913.1699",
    "Mon, 21 Oct 2013 20:13:21 GMT",
    "max-age=31536000; includeSubDomains",
    "W/\"5e15153d-120f\"",
    "no-cache",
    "application/json; charset=utf-8",
};

static double now_seconds(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run_bench(void) {
  static uint8_t plain[8192], enc[8192 * 4], dec[8192 * 2];
  size_t plen = 0, elen, k = 0, rounds = 0, sink = 0;
  double t0, t1;
  while (plen + 200 < 4096) {
    const char *f =
        bench_fields[k++ % (sizeof bench_fields / sizeof bench_fields[0])];
    memcpy(plain + plen, f, strlen(f));
    plen += strlen(f);
  }
  elen = h2w_huffman_encode(enc, plain, plen);
  t0 = now_seconds();
  do {
    size_t r;
    for (r = 0; r < 1000; r++) {
      sink += h2w_huffman_encode(enc, plain, plen);
    }
    rounds += 1000;
    t1 = now_seconds();
  } while (t1 - t0 < 1.0);
  printf("encode: %zu octets of header text -> %zu: %.0f MB/s of input\n", plen,
         elen, (double)plen * (double)rounds / (t1 - t0) / 1e6);
  rounds = 0;
  t0 = now_seconds();
  do {
    size_t r;
    for (r = 0; r < 1000; r++) {
      sink += (size_t)h2w_huffman_decode(dec, sizeof dec, enc, elen);
    }
    rounds += 1000;
    t1 = now_seconds();
  } while (t1 - t0 < 1.0);
  printf("decode: %zu octets -> %zu: %.0f MB/s of input, %.0f MB/s output\n",
         elen, plen, (double)elen * (double)rounds / (t1 - t0) / 1e6,
         (double)plen * (double)rounds / (t1 - t0) / 1e6);
  return sink == 0;
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc_vectors_encode),
      cmocka_unit_test(test_rfc_vectors_decode),
      cmocka_unit_test(test_table_spot_checks),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_single_octets),
      cmocka_unit_test(test_random_round_trips),
      cmocka_unit_test(test_encoded_len_is_exact),
      cmocka_unit_test(test_decoded_bound),
      cmocka_unit_test(test_eos_rejected),
      cmocka_unit_test(test_padding_too_long),
      cmocka_unit_test(test_padding_not_ones),
      cmocka_unit_test(test_truncated_code),
      cmocka_unit_test(test_exhaustive_short_inputs),
      cmocka_unit_test(test_random_vs_reference),
      cmocka_unit_test(test_buffer_too_small),
      cmocka_unit_test(test_roomy),
      cmocka_unit_test(test_split_input),
      cmocka_unit_test(test_split_buffer_too_small),
  };
  if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
    return run_bench();
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}

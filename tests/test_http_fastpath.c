/* The application-field fast paths (issue 16 §4): h2w_http_msg_field()'s
 * lean path for regular and pseudo-header fields, the SSE2 name test, and
 * h2w_nvbuf_new_sized()'s inline copy of short strings.
 *
 * The field checks are tested differentially: h2w_http_msg_field_trusted()
 * with no trust takes the general path (field_checks()), so for every
 * field below, with one octet changed at every position of the name and
 * of the value to each octet some rule is about, both must give the same
 * result, the same reason and the same message state, after every kind
 * of block start. Built twice (with SSE2 and with H2W_NO_SIMD, as
 * *_alt_huffman), so both scans are covered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2wire.h"
#include "hpack.h"
#include "http.h"
#include "session_int.h"

static const char *const names[] = {
    ":method",
    ":scheme",
    ":authority",
    ":path",
    ":status",
    ":protocol",
    ":bogus",
    ":",
    "te",
    "host",
    "upgrade",
    "connection",
    "keep-alive",
    "content-length",
    "proxy-connection",
    "transfer-encoding",
    "priority",
    "accept",
    "user-agent",
    "accept-encoding",
    "accept-language",
    "cookie",
    "x",
    "a-0.9^_`z",
    "x-sixteen-octets",
    "x-seventeen-octets",
    "x-a-rather-long-field-name-of-forty-oct",
};

static const char *const values[] = {
    "",
    "GET",
    "https",
    "/",
    "example.com:443",
    "200",
    "trailers",
    "12345",
    "a",
    "ab",
    "abcdefg",
    "abcdefgh",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
};

/* Octets at range edges of the word and block tests, and ones that some
 * rule names: controls, SP, HTAB, DEL, obs-text, uppercase, ':'... */
static const uint8_t octets[] = {0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x21,
                                 0x22, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x39,
                                 0x3a, 0x40, 0x41, 0x5a, 0x5d, 0x5e, 0x60,
                                 0x7a, 0x7b, 0x7c, 0x7e, 0x7f, 0x80, 0xff};

typedef struct prefix {
  int kind;
  size_t n;
  const char *f[4][2];
} prefix;

static const prefix prefixes[] = {
    {H2W_HTTP_REQUEST, 0, {{NULL, NULL}}},
    {H2W_HTTP_REQUEST,
     3,
     {{":method", "GET"}, {":scheme", "http"}, {":authority", "a.org:80"}}},
    {H2W_HTTP_REQUEST, 1, {{"accept", "*/*"}}},
    {H2W_HTTP_RESPONSE, 0, {{NULL, NULL}}},
    {H2W_HTTP_PUSH_REQUEST, 0, {{NULL, NULL}}},
    {H2W_HTTP_TRAILERS, 0, {{NULL, NULL}}},
};

static h2w_nv mknv(const uint8_t *n, size_t nl, const uint8_t *v, size_t vl) {
  h2w_nv nv;
  nv.name = n;
  nv.namelen = nl;
  nv.value = v;
  nv.valuelen = vl;
  nv.flags = 0;
  return nv;
}

/* An exact-size copy, as the session makes one for a list too large for
 * its spare blocks. */
static h2w_nvbuf *nvbuf_copy(h2w_alloc *a, const h2w_nv *nva, size_t n) {
  size_t sum = 0;
  return h2w_nvbuf_new_sized(a, nva, n, h2w_nvbuf_size(nva, n, &sum));
}

static void start(h2w_http_msg *m, const prefix *p, int connect_protocol) {
  size_t i;
  const char *reason = NULL;
  memset(m, 0, sizeof(*m));
  h2w_http_msg_begin(m, p->kind,
                     connect_protocol ? H2W_HTTP_CONNECT_PROTOCOL : 0);
  for (i = 0; i < p->n; i++) {
    h2w_nv nv = mknv((const uint8_t *)p->f[i][0], strlen(p->f[i][0]),
                     (const uint8_t *)p->f[i][1], strlen(p->f[i][1]));
    assert_int_equal(h2w_http_msg_field(m, &nv, &reason), H2W_OK);
  }
}

static unsigned long compared;

/* One field through both paths after every prefix: same result, reason
 * and state. */
static void same_both_ways(const uint8_t *n, size_t nl, const uint8_t *v,
                           size_t vl) {
  size_t k;
  int cp;
  /* Exactly-sized copies, so that a scan reading past either string
   * shows up under a memory checker. */
  uint8_t *nc = malloc(nl > 0 ? nl : 1), *vc = malloc(vl > 0 ? vl : 1);
  h2w_nv nv;
  assert_non_null(nc);
  assert_non_null(vc);
  memcpy(nc, n, nl);
  memcpy(vc, v, vl);
  nv = mknv(nc, nl, vc, vl);
  for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
    for (cp = 0; cp < 2; cp++) {
      h2w_http_msg fast, slow;
      const char *rf = NULL, *rs = NULL;
      int a, b;
      start(&fast, &prefixes[k], cp);
      start(&slow, &prefixes[k], cp);
      a = h2w_http_msg_field(&fast, &nv, &rf);
      b = h2w_http_msg_field_trusted(&slow, &nv, 0, NULL, &rs);
      assert_int_equal(a, b);
      if (a != H2W_OK) {
        assert_non_null(rf);
        assert_non_null(rs);
        assert_string_equal(rf, rs);
      } else {
        assert_memory_equal(&fast, &slow, sizeof(fast));
      }
      compared++;
    }
  }
  free(nc);
  free(vc);
}

static void test_fast_path_matches_general_path(void **state) {
  size_t i, j, pos, o;
  uint8_t nb[64], vb[128];
  (void)state;
  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    size_t nl = strlen(names[i]);
    for (j = 0; j < sizeof(values) / sizeof(values[0]); j++) {
      size_t vl = strlen(values[j]);
      same_both_ways((const uint8_t *)names[i], nl, (const uint8_t *)values[j],
                     vl);
      for (pos = 0; pos < nl; pos++) {
        for (o = 0; o < sizeof(octets); o++) {
          memcpy(nb, names[i], nl);
          nb[pos] = octets[o];
          same_both_ways(nb, nl, (const uint8_t *)values[j], vl);
        }
      }
      for (pos = 0; pos < vl; pos++) {
        for (o = 0; o < sizeof(octets); o++) {
          memcpy(vb, values[j], vl);
          vb[pos] = octets[o];
          same_both_ways((const uint8_t *)names[i], nl, vb, vl);
        }
      }
    }
  }
  /* An empty name, and one of nothing but ':'. */
  same_both_ways((const uint8_t *)"", 0, (const uint8_t *)"x", 1);
  assert_true(compared > 100000);
}

/* Names of every length from 1 to 40 octets with one bad octet at each
 * position: the SSE2 block test (a short name's word doubled, two
 * overlapping ends, then blocks of 16) may let no bad octet through, and
 * the reason is the exact check's. */
static void test_name_lengths(void **state) {
  size_t nl, pos, o;
  uint8_t nb[40];
  const char *reason;
  (void)state;
  for (nl = 1; nl <= sizeof(nb); nl++) {
    memset(nb, 'x', nl);
    same_both_ways(nb, nl, (const uint8_t *)"v", 1);
    for (pos = 0; pos < nl; pos++) {
      for (o = 0; o < sizeof(octets); o++) {
        h2w_http_msg m;
        h2w_nv nv;
        memset(nb, 'x', nl);
        nb[pos] = octets[o];
        same_both_ways(nb, nl, (const uint8_t *)"v", 1);
        /* Outside the lowercase tchars of the word test: refused (the
         * exact rule is compared above), except where pos 0 holds ':'
         * and the name becomes an unknown pseudo-header. */
        h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
        nv = mknv(nb, nl, (const uint8_t *)"v", 1);
        reason = NULL;
        if ((octets[o] >= 0x5e && octets[o] <= 0x7a) ||
            (octets[o] >= 0x30 && octets[o] <= 0x39) || octets[o] == 0x2d ||
            octets[o] == 0x2e || octets[o] == 0x21 || octets[o] == 0x7c ||
            octets[o] == 0x7e) {
          continue; /* a token octet: the name is valid */
        }
        assert_int_equal(h2w_http_msg_field(&m, &nv, &reason), H2W_E_PROTOCOL);
        assert_non_null(reason);
      }
    }
  }
}

/* Values of every length from 1 to 40 octets with one octet some rule is
 * about at each position: the SSE2 value test (a short value's word in
 * the low half of a block, 8 to 15 octets its two overlapping ends, then
 * blocks of 16) must give the general path's result and reason. */
static void test_value_lengths(void **state) {
  size_t vl, pos, o;
  uint8_t vb[40];
  (void)state;
  for (vl = 1; vl <= sizeof(vb); vl++) {
    memset(vb, 'v', vl);
    same_both_ways((const uint8_t *)"x-v", 3, vb, vl);
    for (pos = 0; pos < vl; pos++) {
      for (o = 0; o < sizeof(octets); o++) {
        memset(vb, 'v', vl);
        vb[pos] = octets[o];
        same_both_ways((const uint8_t *)"x-v", 3, vb, vl);
      }
    }
  }
}

/* nvbuf_copy(): names and values of 0 to 40 octets are copied exactly,
 * each into its own place, with nothing written outside the allocation
 * (a memory checker sees the last string's end). */
static void test_nvbuf_copy_lengths(void **state) {
  h2w_alloc a;
  uint8_t src[2][48];
  size_t i, nl, vl;
  (void)state;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  for (i = 0; i < sizeof(src[0]); i++) {
    src[0][i] = (uint8_t)('a' + i % 26);
    src[1][i] = (uint8_t)('A' + (i * 7) % 26);
  }
  for (nl = 0; nl <= 40; nl++) {
    for (vl = 0; vl <= 40; vl++) {
      h2w_nv nva[3];
      h2w_nvbuf *b;
      nva[0] = mknv(src[0], nl, src[1], vl);
      nva[1] = mknv(src[1] + 1, vl, src[0] + 2, nl);
      nva[2] = mknv(src[0] + 3, 3, src[1] + 5, 1);
      nva[2].flags = H2W_NV_FLAG_NO_INDEX;
      b = nvbuf_copy(&a, nva, 3);
      assert_non_null(b);
      assert_int_equal(b->n, 3);
      for (i = 0; i < 3; i++) {
        assert_int_equal(b->nv[i].namelen, nva[i].namelen);
        assert_int_equal(b->nv[i].valuelen, nva[i].valuelen);
        assert_int_equal(b->nv[i].flags, nva[i].flags);
        assert_true(b->nv[i].name != nva[i].name);
        if (nva[i].namelen > 0) {
          assert_memory_equal(b->nv[i].name, nva[i].name, nva[i].namelen);
        }
        if (nva[i].valuelen > 0) {
          assert_memory_equal(b->nv[i].value, nva[i].value, nva[i].valuelen);
        }
      }
      h2w_nvbuf_free(&a, b);
    }
  }
}

/* h2w_nvbuf_fill(): a list that fits the block is copied (n and octets
 * set); one octet or one field more than the block holds, wherever it
 * is, is refused, with nothing written past the block (allocated at its
 * exact size, so a memory checker sees its end); a length near SIZE_MAX
 * is refused without a sum that wraps. */
static void test_nvbuf_fill_room(void **state) {
  h2w_alloc a;
  uint8_t src[64];
  h2w_nv nva[4], more[4];
  h2w_nvbuf *b;
  size_t k;
  (void)state;
  memset(src, 'q', sizeof(src));
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  nva[0] = mknv(src, 10, src + 1, 20);
  nva[1] = mknv(src + 2, 5, src + 3, 30);
  nva[2] = mknv(src + 4, 7, src + 5, 3);
  nva[3] = mknv(src, 1, src, 1);
  b = nvbuf_copy(&a, nva, 3);
  assert_non_null(b);
  assert_int_equal(b->octets, 75);
  assert_int_equal(h2w_nvbuf_fill(b, nva, 3), 1);
  assert_int_equal(b->n, 3);
  assert_int_equal(b->octets, 75);
  assert_memory_equal(b->nv[1].value, src + 3, 30);
  for (k = 0; k < 3; k++) {
    memcpy(more, nva, sizeof(more));
    more[k].valuelen++;
    assert_int_equal(h2w_nvbuf_fill(b, more, 3), 0);
    more[k].valuelen--;
    more[k].namelen++;
    assert_int_equal(h2w_nvbuf_fill(b, more, 3), 0);
    more[k].namelen--;
    more[k].valuelen = SIZE_MAX;
    assert_int_equal(h2w_nvbuf_fill(b, more, 3), 0);
    more[k].valuelen = nva[k].valuelen;
    more[k].namelen = SIZE_MAX - 1;
    assert_int_equal(h2w_nvbuf_fill(b, more, 3), 0);
  }
  assert_int_equal(h2w_nvbuf_fill(b, nva, 4), 0); /* no room for the array */
  assert_int_equal(h2w_nvbuf_fill(b, nva, 2), 1); /* a shorter list fits */
  assert_int_equal(b->n, 2);
  assert_int_equal(b->octets, 65);
  assert_memory_equal(b->nv[0].name, src, 10);
  h2w_nvbuf_free(&a, b);
}

/* h2w_nvbuf_size(): the sum of one OR-checked pass is the exact sum of
 * the checked pass, which lists with more fields or longer strings than
 * the first takes; a size that would wrap is SIZE_MAX on either.
 * Only lengths are read, so no string needs to exist. */
static void test_nvbuf_size_sums(void **state) {
  size_t many = 16385, i, sum = 0, fixed;
  h2w_nv *nva = calloc(many, sizeof(h2w_nv));
  (void)state;
  assert_non_null(nva);
  fixed = offsetof(h2w_nvbuf, nv);
  assert_int_equal(h2w_nvbuf_size(nva, 0, &sum), fixed);
  assert_int_equal(sum, 0);
  /* The one-pass sum. */
  nva[0].namelen = 7;
  nva[0].valuelen = 3;
  nva[1].namelen = 10;
  nva[1].valuelen = 100;
  assert_int_equal(h2w_nvbuf_size(nva, 2, &sum),
                   fixed + 2 * sizeof(h2w_nv) + 120);
  assert_int_equal(sum, 120);
  /* More fields than the one pass covers: the same sum, checked. */
  for (i = 0; i < many; i++) {
    nva[i].namelen = i % 3;
    nva[i].valuelen = i % 5;
  }
  {
    size_t want = 0;
    for (i = 0; i < many; i++) {
      want += i % 3 + i % 5;
    }
    assert_int_equal(h2w_nvbuf_size(nva, many, &sum),
                     fixed + many * sizeof(h2w_nv) + want);
    assert_int_equal(sum, want);
  }
  memset(nva, 0, 2 * sizeof(h2w_nv));
  /* A length past the one pass's bound that does not wrap: exact. */
  nva[0].namelen = (SIZE_MAX >> 16) + 1;
  nva[1].valuelen = 5;
  assert_int_equal(h2w_nvbuf_size(nva, 2, &sum),
                   fixed + 2 * sizeof(h2w_nv) + (SIZE_MAX >> 16) + 6);
  assert_int_equal(sum, (SIZE_MAX >> 16) + 6);
  /* Sums that wrap, and one that fits but not with the h2w_nv array. */
  nva[0].namelen = SIZE_MAX;
  nva[1].valuelen = 1;
  sum = 42;
  assert_int_equal(h2w_nvbuf_size(nva, 2, &sum), SIZE_MAX);
  assert_int_equal(sum, 42); /* untouched */
  nva[0].namelen = SIZE_MAX / 2 + 1;
  nva[0].valuelen = SIZE_MAX / 2 + 1;
  nva[1].valuelen = 0;
  assert_int_equal(h2w_nvbuf_size(nva, 2, &sum), SIZE_MAX);
  nva[0].namelen = SIZE_MAX - fixed - 2 * sizeof(h2w_nv);
  nva[0].valuelen = 1;
  assert_int_equal(h2w_nvbuf_size(nva, 2, &sum), SIZE_MAX);
  nva[0].valuelen = 0;
  assert_int_equal(h2w_nvbuf_size(nva, 2, &sum), SIZE_MAX);
  free(nva);
}

/* h2w_http_msg_fields(): the first field at fault, the reason of
 * h2w_http_msg_field() for it, and a NULL name or value with a length
 * refused with its own reason; a NULL with length 0 is an empty string. */
static void test_fields_loop(void **state) {
  h2w_http_msg m;
  size_t idx = 99;
  const char *reason = NULL;
  h2w_nv nva[6];
  (void)state;
  nva[0] = mknv((const uint8_t *)":method", 7, (const uint8_t *)"GET", 3);
  nva[1] = mknv((const uint8_t *)":scheme", 7, (const uint8_t *)"https", 5);
  nva[2] = mknv((const uint8_t *)":path", 5, (const uint8_t *)"/", 1);
  nva[3] = mknv((const uint8_t *)":authority", 10, (const uint8_t *)"a.b", 3);
  nva[4] = mknv((const uint8_t *)"x-e", 3, NULL, 0);
  nva[5] = mknv((const uint8_t *)"accept", 6, (const uint8_t *)"*/*", 3);
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_fields(&m, nva, 6, &idx, &reason), H2W_OK);
  assert_int_equal(h2w_http_msg_end(&m, 1, &reason), H2W_OK);
  nva[4] = mknv((const uint8_t *)"x-e", 3, NULL, 2);
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_fields(&m, nva, 6, &idx, &reason),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(idx, 4);
  assert_string_equal(reason, "NULL name or value with a length");
  nva[4] = mknv(NULL, 1, (const uint8_t *)"v", 1);
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_fields(&m, nva, 6, &idx, &reason),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(idx, 4);
  /* h2w_http_msg_field() is the same loop over one field. */
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  reason = NULL;
  assert_int_equal(h2w_http_msg_field(&m, &nva[4], &reason),
                   H2W_E_INVALID_ARGUMENT);
  assert_string_equal(reason, "NULL name or value with a length");
  assert_int_equal(h2w_http_msg_field(&m, &nva[4], NULL),
                   H2W_E_INVALID_ARGUMENT);
  nva[4] = mknv((const uint8_t *)"x-e", 3, (const uint8_t *)"v", 1);
  nva[5] = mknv((const uint8_t *)":path", 5, (const uint8_t *)"/", 1);
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_fields(&m, nva, 6, &idx, &reason),
                   H2W_E_PROTOCOL);
  assert_int_equal(idx, 5);
  assert_string_equal(reason, "pseudo-header field after a regular field");
  nva[2] = mknv((const uint8_t *)":path", 5, (const uint8_t *)"/ x", 3);
  nva[1] = mknv((const uint8_t *)":scheme", 7, (const uint8_t *)"ht tp", 5);
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_fields(&m, nva, 6, &idx, &reason),
                   H2W_E_PROTOCOL);
  assert_int_equal(idx, 1);
  assert_string_equal(reason, "invalid :scheme");
}

/* A copied list's HPACK bound from its octet count is the bound the
 * encoder computes field by field; overflow gives SIZE_MAX. */
static void test_bound_from_octet_sum(void **state) {
  h2w_alloc a;
  h2w_hpack_encoder e;
  uint8_t src[64];
  size_t n, len;
  (void)state;
  memset(src, 'q', sizeof(src));
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_encoder_init(&e, &a);
  for (n = 0; n <= 8; n++) {
    for (len = 0; len <= 64; len += 7) {
      h2w_nv nva[8];
      h2w_nvbuf *b;
      size_t i;
      for (i = 0; i < n; i++) {
        nva[i] = mknv(src, len / (i + 1), src, len - len / (i + 1));
      }
      b = nvbuf_copy(&a, nva, n);
      assert_non_null(b);
      assert_int_equal(h2w_hpack_encoder_bound_sum(b->n, b->octets),
                       h2w_hpack_encoder_bound(&e, nva, n));
      h2w_nvbuf_free(&a, b);
    }
  }
  assert_int_equal(h2w_hpack_encoder_bound_sum(1, SIZE_MAX), SIZE_MAX);
  assert_int_equal(h2w_hpack_encoder_bound_sum(SIZE_MAX / 8, 0), SIZE_MAX);
  h2w_hpack_encoder_free(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fast_path_matches_general_path),
      cmocka_unit_test(test_name_lengths),
      cmocka_unit_test(test_value_lengths),
      cmocka_unit_test(test_nvbuf_copy_lengths),
      cmocka_unit_test(test_nvbuf_fill_room),
      cmocka_unit_test(test_nvbuf_size_sums),
      cmocka_unit_test(test_bound_from_octet_sum),
      cmocka_unit_test(test_fields_loop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

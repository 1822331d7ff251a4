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

#include <stdio.h>
#include <string.h>

#include "attack.h"
#include "hpack.h"
#include "hpack_table.h"
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
  assert_int_equal(h2w_http_msg_field_trusted(&m, &bad_value, 0, NULL, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "NUL, CR or LF in field value");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(
                       &m, &bad_value, H2W_HTTP_TRUST_VALUE, NULL, &reason),
                   H2W_OK);
  /* A trusted value does not vouch for the name, nor the reverse. */
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(
                       &m, &bad_name, H2W_HTTP_TRUST_VALUE, NULL, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "uppercase character in field name");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(
                       &m, &bad_value, H2W_HTTP_TRUST_NAME, NULL, &reason),
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
  assert_int_equal(h2w_http_msg_field_trusted(&m, &method, all, NULL, &reason),
                   H2W_OK);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &method, all, NULL, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "duplicate pseudo-header field");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &conn, all, NULL, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "connection field in HTTP/2");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &te, all, NULL, &reason),
                   H2W_E_PROTOCOL);
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &cl, all, NULL, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "invalid content-length");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(&m, &status, all, NULL, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, ":status in a request");
  /* h2w_http_msg_field is the untrusted form. */
  h2w_http_msg_begin(&m, H2W_HTTP_RESPONSE, 0);
  assert_int_equal(h2w_http_msg_field(&m, &status, &reason), H2W_OK);
  assert_int_equal(h2w_http_msg_status(&m), 200);
}

/* The name classes: for every static-table entry, in every kind of
 * block, the class-driven path gives exactly what the string compares
 * give (result, reason, message state), and the class the string path
 * finds for an accepted name is the static table's. */
static void msg_state(const h2w_http_msg *m, long out[6]) {
  out[0] = h2w_http_msg_status(m);
  out[1] = h2w_http_msg_method(m);
  out[2] = (long)h2w_http_msg_content_length(m);
  out[3] = h2w_http_msg_has_protocol(m);
  out[4] = h2w_http_msg_is_informational(m);
  out[5] = 0;
}

static void test_static_name_classes(void **state) {
  const unsigned all = H2W_HTTP_TRUST_NAME | H2W_HTTP_TRUST_VALUE;
  const int kinds[] = {H2W_HTTP_REQUEST, H2W_HTTP_RESPONSE, H2W_HTTP_TRAILERS,
                       H2W_HTTP_PUSH_REQUEST};
  size_t i, k;
  (void)state;
  for (i = 1; i <= H2W_HPACK_STATIC_COUNT; i++) {
    h2w_hpack_static_entry e = h2w_hpack_static_at(i - 1);
    h2w_nv nv;
    unsigned cls = h2w_http_static_name_class((unsigned)i);
    memset(&nv, 0, sizeof(nv));
    nv.name = e.name;
    nv.namelen = e.namelen;
    nv.value = e.value;
    nv.valuelen = e.valuelen;
    assert_int_not_equal(cls, H2W_HTTP_NAME_UNKNOWN);
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      /* After a valid first field of the kind, so that order rules run
       * both ways (a pseudo-header after another, or after a regular). */
      const h2w_nv pre_req = NV(":method", "GET");
      const h2w_nv pre_reg = NV("x-a", "b");
      const h2w_nv *pre[] = {NULL, &pre_req, &pre_reg};
      size_t j;
      for (j = 0; j < 3; j++) {
        h2w_http_msg a, b;
        const char *ra = "none", *rb = "none";
        unsigned ca = 99, cb = 99;
        long sa[6], sb[6];
        int va, vb;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        h2w_http_msg_begin(&a, kinds[k], 0);
        h2w_http_msg_begin(&b, kinds[k], 0);
        if (pre[j] != NULL) {
          (void)h2w_http_msg_field(&a, pre[j], NULL);
          (void)h2w_http_msg_field(&b, pre[j], NULL);
        }
        va = h2w_http_msg_field_trusted(&a, &nv, 0, &ca, &ra);
        vb = h2w_http_msg_field_trusted(
            &b, &nv, all | cls << H2W_HTTP_TRUST_CLASS_SHIFT, &cb, &rb);
        /* The same by static index, as the decoder hands it over. */
        {
          h2w_http_msg c;
          const char *rc = "none";
          unsigned cc = 99;
          long sc[6];
          int vc;
          memset(&c, 0, sizeof(c));
          h2w_http_msg_begin(&c, kinds[k], 0);
          if (pre[j] != NULL) {
            (void)h2w_http_msg_field(&c, pre[j], NULL);
          }
          vc = h2w_http_msg_field_trusted(&c, &nv,
                                          all | H2W_HTTP_TRUST_STATIC |
                                              (unsigned)i
                                                  << H2W_HTTP_TRUST_CLASS_SHIFT,
                                          &cc, &rc);
          if (vc != va || strcmp(rc, ra) != 0) {
            fail_msg("static %zu kind %d by index: %d (%s) vs %d (%s)", i,
                     kinds[k], va, ra, vc, rc);
          }
          msg_state(&c, sc);
          assert_int_equal(h2w_http_msg_end(&c, 1, NULL),
                           h2w_http_msg_end(&a, 1, NULL));
          if (vc == H2W_OK) {
            assert_int_equal(cc, cls);
          }
        }
        if (va != vb || strcmp(ra, rb) != 0) {
          fail_msg("static %zu kind %d: %d (%s) vs %d (%s)", i, kinds[k], va,
                   ra, vb, rb);
        }
        msg_state(&a, sa);
        msg_state(&b, sb);
        assert_memory_equal(sa, sb, sizeof(sa));
        assert_int_equal(h2w_http_msg_end(&a, 1, NULL),
                         h2w_http_msg_end(&b, 1, NULL));
        if (va == H2W_OK) {
          assert_int_equal(ca, cls);
          assert_int_equal(cb, cls);
        }
      }
    }
  }
  /* Past the table, and index 0: no class. */
  assert_int_equal(h2w_http_static_name_class(0), H2W_HTTP_NAME_UNKNOWN);
  assert_int_equal(h2w_http_static_name_class(62), H2W_HTTP_NAME_UNKNOWN);
}

/* A class out of range, or one given without a trusted name, is ignored:
 * the name is found from its octets. */
static void test_name_class_ignored(void **state) {
  const h2w_nv conn = NV("connection", "close");
  const h2w_nv upper = NV("X-A", "v");
  h2w_http_msg m;
  const char *reason = NULL;
  unsigned cls = 0;
  (void)state;
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(
      h2w_http_msg_field_trusted(&m, &conn,
                                 H2W_HTTP_TRUST_NAME | H2W_HTTP_TRUST_VALUE |
                                     200u << H2W_HTTP_TRUST_CLASS_SHIFT,
                                 &cls, &reason),
      H2W_E_PROTOCOL);
  assert_string_equal(reason, "connection field in HTTP/2");
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  assert_int_equal(h2w_http_msg_field_trusted(
                       &m, &upper,
                       H2W_HTTP_TRUST_VALUE | H2W_HTTP_NAME_PLAIN
                                                  << H2W_HTTP_TRUST_CLASS_SHIFT,
                       &cls, &reason),
                   H2W_E_PROTOCOL);
  assert_string_equal(reason, "uppercase character in field name");
  /* A plain trusted name with an untrusted value: the value is checked. */
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  {
    const h2w_nv bad = NV("x-a", "a\nb");
    assert_int_equal(h2w_http_msg_field_trusted(
                         &m, &bad,
                         H2W_HTTP_TRUST_NAME |
                             H2W_HTTP_NAME_PLAIN << H2W_HTTP_TRUST_CLASS_SHIFT,
                         &cls, &reason),
                     H2W_E_PROTOCOL);
    assert_string_equal(reason, "NUL, CR or LF in field value");
  }
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

/* A GET on `id` with extra representations `rep` after the pseudo-header
 * fields, and END_STREAM as `es`. */
static void get_with(h2w_fb *b, uint32_t id, int es, const uint8_t *rep,
                     size_t n) {
  h2w_fb blk;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  h2w_fb_bytes(&blk, rep, n);
  atk_fb_block(b, id, es ? 0x5u : 0x4u, &blk);
  h2w_fb_free(&blk);
}

/* Entries whose names some rule is about keep those rules when they come
 * back indexed with their class: a host that differs from :authority, a
 * content-length the stream does not meet, a pseudo-header repeated or
 * after a regular field, each refused on the indexed copy. */
static void test_classed_entries_keep_rules(void **state) {
  tpeer s;
  h2w_fb b;
  const uint8_t idx = (uint8_t)(0x80u | NEWEST);
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  /* host: example.org matches :authority; entered and accepted. */
  get_adding(&b, 1, "host", 4, "example.org", 11);
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 1"));
  h2w_fb_clear(&b);
  /* Indexed copy twice: still compared with :authority, and equal. */
  {
    const uint8_t rep[] = {idx, idx};
    get_with(&b, 3, 1, rep, sizeof rep);
  }
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 3"));
  assert_int_equal(atk_out_count(&s, "RST_STREAM 3 *"), 0);
  h2w_fb_clear(&b);
  /* content-length: 5 enters the table on a stream that then ends
   * without its 5 octets: refused, and refused again indexed. */
  get_adding(&b, 5, "content-length", 14, "5", 1);
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_out_count(&s, "RST_STREAM 5 PROTOCOL_ERROR"), 1);
  h2w_fb_clear(&b);
  {
    const uint8_t rep[] = {idx};
    get_with(&b, 7, 1, rep, sizeof rep);
  }
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_out_count(&s, "RST_STREAM 7 PROTOCOL_ERROR"), 1);
  assert_false(tpeer_log_has(&s, "end 7"));
  h2w_fb_clear(&b);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A pseudo-header field from the dynamic table, with its class: repeated
 * it is a duplicate, after a regular field it is out of order (§8.3). */
static void test_classed_pseudo_rules(void **state) {
  tpeer s;
  h2w_fb b, blk;
  atk_server(&s, tmode(state), NULL);
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  /* :method GET (static), :scheme https, :authority, then :path /x with
   * incremental indexing (name from static entry 4): entry 62. */
  h2w_fb_u8(&blk, 0x82);
  h2w_fb_u8(&blk, 0x87);
  h2w_fb_u8(&blk, 0x01);
  atk_hp_str(&blk, "example.org", 11);
  h2w_fb_u8(&blk, 0x44);
  atk_hp_str(&blk, "/x", 2);
  atk_fb_block(&b, 1, 0x5, &blk);
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 1"));
  h2w_fb_clear(&b);
  /* Indexed :path /x, valid. */
  h2w_fb_clear(&blk);
  h2w_fb_u8(&blk, 0x82);
  h2w_fb_u8(&blk, 0x87);
  h2w_fb_u8(&blk, 0x01);
  atk_hp_str(&blk, "example.org", 11);
  h2w_fb_u8(&blk, (uint8_t)(0x80u | NEWEST));
  atk_fb_block(&b, 3, 0x5, &blk);
  atk_feed_ok(&s, &b);
  assert_true(tpeer_log_has(&s, "end 3"));
  assert_int_equal(atk_out_count(&s, "RST_STREAM 3 *"), 0);
  h2w_fb_clear(&b);
  /* A second :path, indexed: a duplicate. */
  get_with_index(&b, 5, NEWEST);
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_out_count(&s, "RST_STREAM 5 PROTOCOL_ERROR"), 1);
  assert_false(tpeer_log_has(&s, "end 5"));
  h2w_fb_clear(&b);
  /* After a regular field (accept-encoding, static 16): out of order. */
  h2w_fb_clear(&blk);
  h2w_fb_u8(&blk, 0x82);
  h2w_fb_u8(&blk, 0x87);
  h2w_fb_u8(&blk, 0x01);
  atk_hp_str(&blk, "example.org", 11);
  h2w_fb_u8(&blk, 0x90);
  h2w_fb_u8(&blk, (uint8_t)(0x80u | NEWEST));
  atk_fb_block(&b, 7, 0x5, &blk);
  atk_feed_ok(&s, &b);
  assert_int_equal(atk_out_count(&s, "RST_STREAM 7 PROTOCOL_ERROR"), 1);
  assert_false(tpeer_log_has(&s, "end 7"));
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- the decoder's trust bits, whole block and in 1-octet pieces ------- */

/* Whole in the input, a representation takes the decoder's fast path; in
 * 1-octet pieces, the general one. Both must report the same fields with
 * the same trust (and name tag), and fail alike. */
typedef struct {
  h2w_hpack_decoder *d;
  size_t n;
  char text[16][40];
  unsigned trust[16];
} trust_log;

static int trust_cb(void *user, const h2w_nv *nv) {
  trust_log *l = user;
  assert_true(l->n < 16);
  snprintf(l->text[l->n], sizeof(l->text[0]), "%.*s=%.*s/%u", (int)nv->namelen,
           (const char *)nv->name, (int)nv->valuelen, (const char *)nv->value,
           (unsigned)nv->flags);
  l->trust[l->n] = h2w_hpack_decoder_field_trust(l->d);
  /* A tag from the name, so that tagged entries come back with it. */
  h2w_hpack_decoder_field_checked(l->d, (unsigned)(nv->namelen & 0x7fu) + 1u);
  l->n++;
  return 0;
}

static int decode_log(const uint8_t *in, size_t len, size_t piece,
                      trust_log *l) {
  h2w_alloc a;
  h2w_hpack_decoder d;
  size_t pos = 0;
  int rv = H2W_OK;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  h2w_hpack_decoder_init(&d, &a);
  memset(l, 0, sizeof(*l));
  l->d = &d;
  while (rv == H2W_OK && pos < len) {
    size_t k = len - pos < piece ? len - pos : piece;
    rv = h2w_hpack_decoder_decode(&d, in + pos, k, pos + k == len, trust_cb, l);
    pos += k;
  }
  h2w_hpack_decoder_free(&d);
  assert_int_equal(a.in_use, 0);
  return rv;
}

static void test_fast_trust_as_general(void **state) {
  static const uint8_t ok[] = {
      0x88,                                  /* :status 200 */
      0x5c, 0x03, '1',  '0', '0',            /* content-length, indexed */
      0x0f, 0x10, 0x04, 't', 'e', 'x',  't', /* content-type, not indexed */
      0x14, 0x02, '/',  'x',                 /* :path, never indexed */
      0xbe,                                  /* dynamic 62 */
      0x7e, 0x01, '7',                       /* dynamic 62's name */
      0x40, 0x03, 'x',  '-', 'a', 0x01, 'b', /* new name */
      0xbe,                                  /* x-a: b */
      0x5f, 0x01, 'c',                       /* static name 31, indexed */
      0x0f, 0x30, 0x01, 'd',                 /* dynamic 63's name */
      0x82, 0xbf,                            /* :method GET, dynamic 63 */
  };
  static const uint8_t bad[] = {0x88, 0xc8}; /* index past the tables */
  trust_log whole, split;
  size_t i;
  (void)state;
  assert_int_equal(decode_log(ok, sizeof(ok), sizeof(ok), &whole), H2W_OK);
  assert_int_equal(decode_log(ok, sizeof(ok), 1, &split), H2W_OK);
  assert_int_equal(whole.n, 12);
  assert_int_equal(split.n, whole.n);
  for (i = 0; i < whole.n; i++) {
    assert_string_equal(whole.text[i], split.text[i]);
    assert_int_equal(whole.trust[i], split.trust[i]);
  }
  /* A static entry, whole or by name, names its index. */
  assert_int_equal(whole.trust[0], H2W_HPACK_CHECKED_NAME |
                                       H2W_HPACK_CHECKED_VALUE |
                                       H2W_HPACK_NAME_STATIC | 8u << 8);
  assert_int_equal(whole.trust[1],
                   H2W_HPACK_CHECKED_NAME | H2W_HPACK_NAME_STATIC | 28u << 8);
  assert_int_equal(whole.trust[2],
                   H2W_HPACK_CHECKED_NAME | H2W_HPACK_NAME_STATIC | 31u << 8);
  /* A checked dynamic entry, and its name alone, carry the tag. */
  assert_int_equal(whole.trust[4] & H2W_HPACK_CHECKED_NAME, 1u);
  assert_int_equal(whole.trust[4] >> 8, 15u);
  assert_int_equal(whole.trust[5] & ~0xffu, whole.trust[4] & ~0xffu);
  assert_int_equal(whole.trust[5] & H2W_HPACK_CHECKED_VALUE, 0u);
  assert_int_equal(whole.trust[6], 0u);
  assert_int_equal(decode_log(bad, sizeof(bad), sizeof(bad), &whole),
                   H2W_E_COMPRESSION);
  assert_int_equal(decode_log(bad, sizeof(bad), 1, &split), H2W_E_COMPRESSION);
  assert_int_equal(whole.n, 1);
  assert_int_equal(split.n, 1);
  assert_int_equal(whole.trust[0], split.trust[0]);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trust_skips_octets_only),
      cmocka_unit_test(test_trust_keeps_message_rules),
      SPLIT_TESTS(test_refused_entry_checked_again),
      SPLIT_TESTS(test_checked_entry_reused),
      cmocka_unit_test(test_static_name_classes),
      cmocka_unit_test(test_name_class_ignored),
      SPLIT_TESTS(test_classed_entries_keep_rules),
      SPLIT_TESTS(test_classed_pseudo_rules),
      cmocka_unit_test(test_fast_trust_as_general),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}

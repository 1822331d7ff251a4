/* src/frame.c and src/frame_pack.c: the RFC 9113 §4/§6 frame codec.
 * Expected wire bytes come from the independent frame builder
 * (tests/support/frame_builder.c), never from the encoder under test. */
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS under -std=c11 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "frame.h"
#include "frame_builder.h"
#include "test_split.h"

#define HD H2W_FRAME_HD_LEN

static int decode_buf(const h2w_fb *b, h2w_frame *f, h2w_frame_err *err) {
  h2w_frame_hd hd;
  h2w_frame_hd_unpack(&hd, b->buf);
  assert_int_equal(hd.length, b->len - HD);
  return h2w_frame_decode(&hd, b->buf + HD, f, err);
}

static void assert_bytes(const uint8_t *p, size_t n, const char *want) {
  assert_int_equal(n, strlen(want));
  assert_memory_equal(p, want, n);
}

/* ---- frame header ---------------------------------------------------- */

static void test_header_all_flags(void **state) {
  uint8_t buf[HD];
  h2w_frame_hd hd, back;
  unsigned f, t;
  h2w_fb b;
  (void)state;
  h2w_fb_init(&b);
  for (t = 0; t < 256; t += 17) {
    for (f = 0; f < 256; f++) {
      hd.length = 0xabcdefu;
      hd.type = (uint8_t)t;
      hd.flags = (uint8_t)f;
      hd.stream_id = 0x7fffff01u;
      assert_int_equal(h2w_frame_pack_hd(buf, sizeof buf, &hd), HD);
      h2w_fb_clear(&b);
      h2w_fb_hd(&b, 0xabcdefu, t, f, 0x7fffff01u);
      assert_memory_equal(buf, b.buf, HD);
      h2w_frame_hd_unpack(&back, buf);
      assert_int_equal(back.length, hd.length);
      assert_int_equal(back.type, t);
      assert_int_equal(back.flags, f);
      assert_int_equal(back.stream_id, hd.stream_id);
    }
  }
  h2w_fb_free(&b);
}

static void test_header_reserved_bit(void **state) {
  uint8_t buf[HD];
  h2w_frame_hd hd = {5, H2W_FRAME_DATA, 0, 0x80000003u};
  h2w_frame_hd back;
  h2w_fb b;
  (void)state;
  /* RFC 9113 §4.1: cleared on send... */
  assert_int_equal(h2w_frame_pack_hd(buf, sizeof buf, &hd), HD);
  assert_int_equal(buf[5], 0x00);
  assert_int_equal(buf[8], 0x03);
  /* ...and ignored on receipt. */
  h2w_fb_init(&b);
  h2w_fb_hd(&b, 0, 0x8, 0, 0xffffffffu);
  h2w_frame_hd_unpack(&back, b.buf);
  assert_int_equal(back.stream_id, 0x7fffffffu);
  h2w_fb_free(&b);
}

static void test_header_errors(void **state) {
  uint8_t buf[HD];
  h2w_frame_hd hd = {H2W_FRAME_MAX_MAX_SIZE + 1u, 0, 0, 1};
  (void)state;
  assert_int_equal(h2w_frame_pack_hd(buf, sizeof buf, &hd),
                   H2W_E_INVALID_ARGUMENT);
  hd.length = H2W_FRAME_MAX_MAX_SIZE;
  assert_int_equal(h2w_frame_pack_hd(buf, HD - 1, &hd), H2W_E_BUFFER_TOO_SMALL);
  assert_int_equal(h2w_frame_pack_hd(NULL, HD, &hd), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_pack_hd(buf, HD, NULL), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_pack_hd(buf, HD, &hd), HD);
  assert_int_equal(buf[0], 0xff);
  assert_int_equal(buf[2], 0xff);
}

/* ---- one sample frame per type, parametrised by the flags byte -------- */

typedef struct sample {
  uint8_t type;
  uint8_t defined; /* flags the type defines; re-encoding keeps only these */
  void (*build)(h2w_fb *b, unsigned flags);
  void (*check)(const h2w_frame *f, unsigned flags);
} sample;

static void build_data(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_DATA, fl, 1);
  if (fl & H2W_FLAG_PADDED) {
    h2w_fb_u8(b, 3);
  }
  h2w_fb_str(b, "hello");
  h2w_fb_zeros(b, (fl & H2W_FLAG_PADDED) ? 3 : 0);
  h2w_fb_end(b);
}

static void check_data(const h2w_frame *f, unsigned fl) {
  assert_bytes(f->u.data.data, f->u.data.datalen, "hello");
  assert_int_equal(f->u.data.padlen, (fl & H2W_FLAG_PADDED) ? 3 : 0);
}

static void build_headers(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_HEADERS, fl, 3);
  if (fl & H2W_FLAG_PADDED) {
    h2w_fb_u8(b, 2);
  }
  if (fl & H2W_FLAG_PRIORITY) {
    h2w_fb_u32(b, 0x80000005u); /* E set, depends on stream 5 */
    h2w_fb_u8(b, 200);
  }
  h2w_fb_str(b, "\x82\x86");
  h2w_fb_zeros(b, (fl & H2W_FLAG_PADDED) ? 2 : 0);
  h2w_fb_end(b);
}

static void check_headers(const h2w_frame *f, unsigned fl) {
  const h2w_frame_headers *h = &f->u.headers;
  int pri = (fl & H2W_FLAG_PRIORITY) != 0;
  assert_bytes(h->block, h->blocklen, "\x82\x86");
  assert_int_equal(h->padlen, (fl & H2W_FLAG_PADDED) ? 2 : 0);
  assert_int_equal(h->pri.exclusive, pri ? 1 : 0);
  assert_int_equal(h->pri.stream_dep, pri ? 5 : 0);
  assert_int_equal(h->pri.weight, pri ? 200 : 0);
}

static void build_priority(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_PRIORITY, fl, 3);
  h2w_fb_u32(b, 7);
  h2w_fb_u8(b, 15);
  h2w_fb_end(b);
}

static void check_priority(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_int_equal(f->u.priority.stream_dep, 7);
  assert_int_equal(f->u.priority.exclusive, 0);
  assert_int_equal(f->u.priority.weight, 15);
}

static void build_rst(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_RST_STREAM, fl, 5);
  h2w_fb_u32(b, H2W_CANCEL);
  h2w_fb_end(b);
}

static void check_rst(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_int_equal(f->u.rst_stream.error_code, H2W_CANCEL);
}

static const h2w_settings_entry sample_iv[] = {
    {H2W_SETTINGS_HEADER_TABLE_SIZE, 0, 4096},
    {H2W_SETTINGS_MAX_FRAME_SIZE, 0, 32768},
    {0xabcd, 0, 0xffffffffu}, /* unknown id and value stay raw */
};

static void build_settings(h2w_fb *b, unsigned fl) {
  h2w_fb_settings(b, fl, sample_iv, (fl & H2W_FLAG_ACK) ? 0 : 3);
}

static void check_settings(const h2w_frame *f, unsigned fl) {
  h2w_frame_iter it;
  h2w_settings_entry e;
  size_t i = 0;
  h2w_frame_iter_settings(&it, &f->u.settings);
  while (h2w_frame_settings_next(&it, &e)) {
    assert_true(i < 3);
    assert_int_equal(e.id, sample_iv[i].id);
    assert_int_equal(e.value, sample_iv[i].value);
    assert_int_equal(e.reserved, 0);
    i++;
  }
  assert_int_equal(i, (fl & H2W_FLAG_ACK) ? 0 : 3);
  assert_int_equal(f->u.settings.nentries, i);
}

static void build_push(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_PUSH_PROMISE, fl, 1);
  if (fl & H2W_FLAG_PADDED) {
    h2w_fb_u8(b, 4);
  }
  h2w_fb_u32(b, 2);
  h2w_fb_str(b, "\x88");
  h2w_fb_zeros(b, (fl & H2W_FLAG_PADDED) ? 4 : 0);
  h2w_fb_end(b);
}

static void check_push(const h2w_frame *f, unsigned fl) {
  const h2w_frame_push_promise *pp = &f->u.push_promise;
  assert_int_equal(pp->promised_stream_id, 2);
  assert_bytes(pp->block, pp->blocklen, "\x88");
  assert_int_equal(pp->padlen, (fl & H2W_FLAG_PADDED) ? 4 : 0);
}

static void build_ping(h2w_fb *b, unsigned fl) {
  h2w_fb_ping(b, fl, 0x0102030405060708u);
}

static void check_ping(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_memory_equal(f->u.ping.opaque, "\1\2\3\4\5\6\7\10", 8);
}

static void build_goaway(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_GOAWAY, fl, 0);
  h2w_fb_u32(b, 7);
  h2w_fb_u32(b, H2W_ENHANCE_YOUR_CALM);
  h2w_fb_str(b, "calm down");
  h2w_fb_end(b);
}

static void check_goaway(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_int_equal(f->u.goaway.last_stream_id, 7);
  assert_int_equal(f->u.goaway.error_code, H2W_ENHANCE_YOUR_CALM);
  assert_bytes(f->u.goaway.debug, f->u.goaway.debuglen, "calm down");
}

static void build_wu(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_WINDOW_UPDATE, fl, 0);
  h2w_fb_u32(b, 65535);
  h2w_fb_end(b);
}

static void check_wu(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_int_equal(f->u.window_update.increment, 65535);
}

static void build_cont(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_CONTINUATION, fl, 1);
  h2w_fb_str(b, "\x84\x87");
  h2w_fb_end(b);
}

static void check_cont(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_bytes(f->u.continuation.block, f->u.continuation.blocklen, "\x84\x87");
}

static void build_altsvc(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_ALTSVC, fl, 0);
  h2w_fb_u16(b, 17);
  h2w_fb_str(b, "https://a.example");
  h2w_fb_str(b, "h2=\":443\"");
  h2w_fb_end(b);
}

static void check_altsvc(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_bytes(f->u.altsvc.origin, f->u.altsvc.originlen, "https://a.example");
  assert_bytes(f->u.altsvc.value, f->u.altsvc.valuelen, "h2=\":443\"");
}

static void build_origin(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_ORIGIN, fl, 0);
  h2w_fb_u16(b, 17);
  h2w_fb_str(b, "https://a.example");
  h2w_fb_u16(b, 0);
  h2w_fb_u16(b, 18);
  h2w_fb_str(b, "https://bb.example");
  h2w_fb_end(b);
}

static void check_origin(const h2w_frame *f, unsigned fl) {
  static const char *const want[] = {"https://a.example", "",
                                     "https://bb.example"};
  h2w_frame_iter it;
  const uint8_t *o;
  size_t n, i = 0;
  (void)fl;
  h2w_frame_iter_origin(&it, &f->u.origin);
  while (h2w_frame_origin_next(&it, &o, &n)) {
    assert_true(i < 3);
    assert_bytes(o, n, want[i++]);
  }
  assert_int_equal(i, 3);
}

static void build_pu(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, H2W_FRAME_PRIORITY_UPDATE, fl, 0);
  h2w_fb_u32(b, 9);
  h2w_fb_str(b, "u=1, i");
  h2w_fb_end(b);
}

static void check_pu(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_int_equal(f->u.priority_update.prioritized_stream_id, 9);
  assert_bytes(f->u.priority_update.value, f->u.priority_update.valuelen,
               "u=1, i");
}

static void build_unknown(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, 0xb, fl, 3);
  h2w_fb_str(b, "xyz");
  h2w_fb_end(b);
}

static void build_unknown_ff(h2w_fb *b, unsigned fl) {
  h2w_fb_begin(b, 0xff, fl, 0);
  h2w_fb_end(b);
}

static void check_unknown(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_bytes(f->u.unknown.payload, f->u.unknown.len, "xyz");
}

static void check_unknown_ff(const h2w_frame *f, unsigned fl) {
  (void)fl;
  assert_int_equal(f->u.unknown.len, 0);
}

static const sample samples[] = {
    {H2W_FRAME_DATA, H2W_FLAG_END_STREAM | H2W_FLAG_PADDED, build_data,
     check_data},
    {H2W_FRAME_HEADERS,
     H2W_FLAG_END_STREAM | H2W_FLAG_END_HEADERS | H2W_FLAG_PADDED |
         H2W_FLAG_PRIORITY,
     build_headers, check_headers},
    {H2W_FRAME_PRIORITY, 0, build_priority, check_priority},
    {H2W_FRAME_RST_STREAM, 0, build_rst, check_rst},
    {H2W_FRAME_SETTINGS, H2W_FLAG_ACK, build_settings, check_settings},
    {H2W_FRAME_PUSH_PROMISE, H2W_FLAG_END_HEADERS | H2W_FLAG_PADDED, build_push,
     check_push},
    {H2W_FRAME_PING, H2W_FLAG_ACK, build_ping, check_ping},
    {H2W_FRAME_GOAWAY, 0, build_goaway, check_goaway},
    {H2W_FRAME_WINDOW_UPDATE, 0, build_wu, check_wu},
    {H2W_FRAME_CONTINUATION, H2W_FLAG_END_HEADERS, build_cont, check_cont},
    {H2W_FRAME_ALTSVC, 0, build_altsvc, check_altsvc},
    {H2W_FRAME_ORIGIN, 0, build_origin, check_origin},
    {H2W_FRAME_PRIORITY_UPDATE, 0, build_pu, check_pu},
    {0xb, 0xff, build_unknown, check_unknown},
    {0xff, 0xff, build_unknown_ff, check_unknown_ff},
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

/* Every type, every one of the 256 flag bytes: defined flags change the
 * layout, undefined ones are ignored on receipt but kept in hd for tracing
 * (RFC 9113 §4.1) and dropped when re-encoding. */
static void test_round_trip_all_flags(void **state) {
  uint8_t out[256];
  h2w_frame f, g;
  h2w_frame_err err;
  h2w_fb b, want;
  size_t i;
  unsigned fl;
  (void)state;
  h2w_fb_init(&b);
  h2w_fb_init(&want);
  for (i = 0; i < NSAMPLES; i++) {
    const sample *s = &samples[i];
    for (fl = 0; fl < 256; fl++) {
      h2w_ssize n;
      h2w_fb_clear(&b);
      s->build(&b, fl);
      assert_int_equal(decode_buf(&b, &f, &err), H2W_OK);
      assert_int_equal(err.scope, H2W_FRAME_SCOPE_NONE);
      assert_int_equal(f.hd.type, s->type);
      assert_int_equal(f.hd.flags, fl);
      s->check(&f, fl);
      n = h2w_frame_encode(out, sizeof out, &f);
      h2w_fb_clear(&want);
      s->build(&want, fl & s->defined);
      assert_int_equal(n, want.len);
      assert_memory_equal(out, want.buf, want.len);
      /* ...and the re-encoded frame decodes to the same fields. */
      h2w_fb_clear(&b);
      h2w_fb_bytes(&b, out, (size_t)n);
      assert_int_equal(decode_buf(&b, &g, NULL), H2W_OK);
      assert_int_equal(g.hd.flags, fl & s->defined);
      s->check(&g, fl & s->defined);
    }
  }
  h2w_fb_free(&b);
  h2w_fb_free(&want);
}

/* The per-type encoders, called directly, produce the builder's bytes for
 * every combination of the flags the type defines. */
static h2w_ssize pack_sample(uint8_t *out, size_t cap, uint8_t type,
                             uint8_t fl) {
  static const h2w_frame_priority pri = {5, 1, 200};
  static const h2w_frame_priority pri7 = {7, 0, 15};
  static const h2w_frame_bytes origins[] = {
      {(const uint8_t *)"https://a.example", 17},
      {NULL, 0},
      {(const uint8_t *)"https://bb.example", 18}};
  const uint8_t *u = (const uint8_t *)"\x82\x86hello\x88\x84\x87";
  int pad = (fl & H2W_FLAG_PADDED) != 0;
  switch (type) {
  case H2W_FRAME_DATA:
    return h2w_frame_pack_data(out, cap, 1, fl, u + 2, 5, pad ? 3 : 0);
  case H2W_FRAME_HEADERS:
    return h2w_frame_pack_headers(out, cap, 3, fl, &pri, u, 2, pad ? 2 : 0);
  case H2W_FRAME_PRIORITY:
    return h2w_frame_pack_priority(out, cap, 3, &pri7);
  case H2W_FRAME_RST_STREAM:
    return h2w_frame_pack_rst_stream(out, cap, 5, H2W_CANCEL);
  case H2W_FRAME_SETTINGS:
    return h2w_frame_pack_settings(out, cap, fl, sample_iv,
                                   (fl & H2W_FLAG_ACK) ? 0 : 3);
  case H2W_FRAME_PUSH_PROMISE:
    return h2w_frame_pack_push_promise(out, cap, 1, fl, 2, u + 7, 1,
                                       pad ? 4 : 0);
  case H2W_FRAME_PING:
    return h2w_frame_pack_ping(out, cap, fl,
                               (const uint8_t *)"\1\2\3\4\5\6\7\10");
  case H2W_FRAME_GOAWAY:
    return h2w_frame_pack_goaway(out, cap, 7, H2W_ENHANCE_YOUR_CALM,
                                 (const uint8_t *)"calm down", 9);
  case H2W_FRAME_WINDOW_UPDATE:
    return h2w_frame_pack_window_update(out, cap, 0, 65535);
  case H2W_FRAME_CONTINUATION:
    return h2w_frame_pack_continuation(out, cap, 1, fl, u + 8, 2);
  case H2W_FRAME_ALTSVC:
    return h2w_frame_pack_altsvc(out, cap, 0,
                                 (const uint8_t *)"https://a.example", 17,
                                 (const uint8_t *)"h2=\":443\"", 9);
  case H2W_FRAME_ORIGIN:
    return h2w_frame_pack_origin(out, cap, origins, 3);
  case H2W_FRAME_PRIORITY_UPDATE:
    return h2w_frame_pack_priority_update(out, cap, 9,
                                          (const uint8_t *)"u=1, i", 6);
  default:
    return h2w_frame_pack_unknown(out, cap, type, fl, type == 0xb ? 3 : 0,
                                  (const uint8_t *)"xyz", type == 0xb ? 3 : 0);
  }
}

static int takes_flags(uint8_t type) {
  return type == H2W_FRAME_DATA || type == H2W_FRAME_HEADERS ||
         type == H2W_FRAME_SETTINGS || type == H2W_FRAME_PUSH_PROMISE ||
         type == H2W_FRAME_PING || type == H2W_FRAME_CONTINUATION;
}

static void test_pack_defined_flags(void **state) {
  uint8_t out[256];
  h2w_fb want;
  size_t i, cap;
  unsigned fl;
  (void)state;
  h2w_fb_init(&want);
  for (i = 0; i < NSAMPLES; i++) {
    const sample *s = &samples[i];
    for (fl = 0; fl < 256; fl++) {
      h2w_ssize n;
      if ((fl & ~(unsigned)s->defined) != 0) {
        /* RFC 9113 §4.1: undefined flags must be sent unset; encoders of
         * types without flags take no flags argument at all. */
        if (takes_flags(s->type)) {
          assert_int_equal(pack_sample(out, sizeof out, s->type, (uint8_t)fl),
                           H2W_E_INVALID_ARGUMENT);
        }
        continue;
      }
      h2w_fb_clear(&want);
      s->build(&want, fl);
      n = pack_sample(out, sizeof out, s->type, (uint8_t)fl);
      assert_int_equal(n, want.len);
      assert_memory_equal(out, want.buf, want.len);
      for (cap = 0; cap < want.len; cap++) {
        assert_int_equal(pack_sample(out, cap, s->type, (uint8_t)fl),
                         H2W_E_BUFFER_TOO_SMALL);
      }
    }
  }
  h2w_fb_free(&want);
}

/* ---- validity rules -------------------------------------------------- */

typedef struct vcase {
  const char *name;
  uint8_t type, flags;
  uint32_t sid; /* written raw: the reserved bit may be set */
  const char *payload;
  size_t len;
  int rv;
  uint32_t code;
  int scope;
} vcase;

#define PL(s) s, sizeof(s) - 1
#define CONN_PROTO                                                             \
  H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR, H2W_FRAME_SCOPE_CONNECTION
#define CONN_SIZE                                                              \
  H2W_E_FRAME_SIZE, H2W_FRAME_SIZE_ERROR, H2W_FRAME_SCOPE_CONNECTION
#define STREAM_SIZE                                                            \
  H2W_E_FRAME_SIZE, H2W_FRAME_SIZE_ERROR, H2W_FRAME_SCOPE_STREAM
#define IGNORED H2W_FRAME_IGNORED, H2W_NO_ERROR, H2W_FRAME_SCOPE_IGNORE
#define VALID H2W_OK, H2W_NO_ERROR, H2W_FRAME_SCOPE_NONE

static const vcase vcases[] = {
    /* RFC 9113 §6.x stream-id rules: all connection PROTOCOL_ERROR. */
    {"DATA on stream 0", 0x0, 0, 0, PL("abc"), CONN_PROTO},
    {"DATA on 0 behind the reserved bit", 0x0, 0, 0x80000000u, PL("abc"),
     CONN_PROTO},
    {"HEADERS on stream 0", 0x1, 0x4, 0, PL("\x82"), CONN_PROTO},
    {"PRIORITY on stream 0", 0x2, 0, 0, PL("\0\0\0\1\x10"), CONN_PROTO},
    {"PRIORITY on 0, bad length too", 0x2, 0, 0, PL("\0"), CONN_PROTO},
    {"RST_STREAM on stream 0", 0x3, 0, 0, PL("\0\0\0\x08"), CONN_PROTO},
    {"PUSH_PROMISE on stream 0", 0x5, 0x4, 0, PL("\0\0\0\2\x82"), CONN_PROTO},
    {"CONTINUATION on stream 0", 0x9, 0x4, 0, PL("\x82"), CONN_PROTO},
    {"SETTINGS on stream 1", 0x4, 0, 1, PL(""), CONN_PROTO},
    {"PING on stream 1", 0x6, 0, 1, PL("12345678"), CONN_PROTO},
    {"GOAWAY on stream 1", 0x7, 0, 1, PL("\0\0\0\0\0\0\0\0"), CONN_PROTO},
    {"PRIORITY_UPDATE on stream 1", 0x10, 0, 1, PL("\0\0\0\1u=1"), CONN_PROTO},
    {"WINDOW_UPDATE on stream 0", 0x8, 0, 0, PL("\0\0\0\1"), VALID},
    {"WINDOW_UPDATE on stream 1", 0x8, 0, 1, PL("\0\0\0\1"), VALID},
    {"WINDOW_UPDATE increment 0 is the session's", 0x8, 0, 1, PL("\0\0\0\0"),
     VALID},
    /* RFC 7838 §4 and RFC 8336 §2: ignore, never an error. */
    {"ALTSVC on 0 without origin", 0xa, 0, 0, PL("\0\0h2=\":443\""), IGNORED},
    {"ALTSVC on a stream with origin", 0xa, 0, 1, PL("\0\1ah2"), IGNORED},
    {"ALTSVC shorter than Origin-Len", 0xa, 0, 0, PL("\0"), IGNORED},
    {"ALTSVC empty", 0xa, 0, 3, PL(""), IGNORED},
    {"ALTSVC origin past payload", 0xa, 0, 0, PL("\0\5abc"), IGNORED},
    {"ALTSVC on 0 with origin", 0xa, 0, 0, PL("\0\1ah2"), VALID},
    {"ALTSVC on a stream without origin", 0xa, 0, 7, PL("\0\0h2"), VALID},
    {"ORIGIN on stream 1", 0xc, 0, 1, PL("\0\1a"), IGNORED},
    {"ORIGIN entry past payload", 0xc, 0, 0, PL("\0\1a\0\5ab"), IGNORED},
    {"ORIGIN trailing octet", 0xc, 0, 0, PL("\0\1a\0"), IGNORED},
    {"ORIGIN empty", 0xc, 0, 0, PL(""), VALID},
    /* RFC 9113 §6.1/§6.2/§6.6 padding. */
    {"DATA padding fills payload", 0x0, 0x8, 1, PL("\3abc"), VALID},
    {"DATA pad length = payload", 0x0, 0x8, 1, PL("\4abc"), CONN_PROTO},
    {"DATA pad length > payload", 0x0, 0x8, 1,
     PL("\xff"
        "abc"),
     CONN_PROTO},
    {"DATA PADDED without Pad Length", 0x0, 0x8, 1, PL(""), CONN_SIZE},
    {"HEADERS pad length = payload", 0x1, 0x8, 1, PL("\3\x82\0"), CONN_PROTO},
    {"HEADERS padding fills payload", 0x1, 0x8, 1, PL("\2\x82\0"), VALID},
    {"HEADERS padding over priority", 0x1, 0x28, 1, PL("\1\0\0\0\3\x10"),
     CONN_PROTO},
    {"HEADERS PADDED without Pad Length", 0x1, 0x8, 1, PL(""), CONN_SIZE},
    {"HEADERS PRIORITY too short", 0x1, 0x20, 1, PL("\0\0\0\3"), CONN_SIZE},
    {"HEADERS PADDED|PRIORITY too short", 0x1, 0x28, 1, PL("\0\0\0\0\3"),
     CONN_SIZE},
    {"HEADERS PADDED|PRIORITY minimal", 0x1, 0x28, 1, PL("\0\0\0\0\3\x10"),
     VALID},
    {"PUSH_PROMISE padding over id", 0x5, 0x8, 1, PL("\1\0\0\0\2"), CONN_PROTO},
    {"PUSH_PROMISE pad length = payload", 0x5, 0x8, 1,
     PL("\x08\0\0\0\2\x82\0\0"), CONN_PROTO},
    {"PUSH_PROMISE too short", 0x5, 0, 1, PL("\0\0\2"), CONN_SIZE},
    {"PUSH_PROMISE PADDED too short", 0x5, 0x8, 1, PL("\0\0\0\2"), CONN_SIZE},
    {"PUSH_PROMISE promises stream 0", 0x5, 0, 1, PL("\0\0\0\0"), CONN_PROTO},
    {"PUSH_PROMISE promises 0 behind R", 0x5, 0, 1, PL("\x80\0\0\0"),
     CONN_PROTO},
    /* RFC 9113 §6.5, §6.7, §6.9, §6.4, §6.3, §6.8 lengths. */
    {"SETTINGS length 5", 0x4, 0, 0, PL("\0\1\0\0\0"), CONN_SIZE},
    {"SETTINGS length 7", 0x4, 0, 0, PL("\0\1\0\0\0\0\0"), CONN_SIZE},
    {"SETTINGS ACK with payload", 0x4, 0x1, 0, PL("\0\1\0\0\0\0"), CONN_SIZE},
    {"SETTINGS undefined flags only", 0x4, 0xfe, 0, PL("\0\1\0\0\0\0"), VALID},
    {"PING length 7", 0x6, 0, 0, PL("1234567"), CONN_SIZE},
    {"PING length 9", 0x6, 0, 0, PL("123456789"), CONN_SIZE},
    {"PING ACK length 0", 0x6, 0x1, 0, PL(""), CONN_SIZE},
    {"WINDOW_UPDATE length 3 on 0", 0x8, 0, 0, PL("\0\0\1"), CONN_SIZE},
    {"WINDOW_UPDATE length 5 on a stream", 0x8, 0, 1, PL("\0\0\0\0\1"),
     CONN_SIZE},
    {"WINDOW_UPDATE length 0 on a stream", 0x8, 0, 3, PL(""), CONN_SIZE},
    {"RST_STREAM length 3", 0x3, 0, 1, PL("\0\0\0"), CONN_SIZE},
    {"RST_STREAM length 5", 0x3, 0, 1, PL("\0\0\0\0\0"), CONN_SIZE},
    {"PRIORITY length 4", 0x2, 0, 1, PL("\0\0\0\3"), STREAM_SIZE},
    {"PRIORITY length 6", 0x2, 0, 1, PL("\0\0\0\3\0\0"), STREAM_SIZE},
    {"GOAWAY length 7", 0x7, 0, 0, PL("\0\0\0\0\0\0\0"), CONN_SIZE},
    {"GOAWAY length 0", 0x7, 0, 0, PL(""), CONN_SIZE},
    {"GOAWAY length 8", 0x7, 0, 0, PL("\0\0\0\0\0\0\0\0"), VALID},
    /* RFC 9218 §7.1. */
    {"PRIORITY_UPDATE length 3", 0x10, 0, 0, PL("\0\0\1"), CONN_SIZE},
    {"PRIORITY_UPDATE for stream 0", 0x10, 0, 0, PL("\0\0\0\0u=1"), CONN_PROTO},
    {"PRIORITY_UPDATE for 0 behind R", 0x10, 0, 0, PL("\x80\0\0\0"),
     CONN_PROTO},
    {"PRIORITY_UPDATE empty value", 0x10, 0, 0, PL("\0\0\0\1"), VALID},
    {"unknown type on any stream", 0xee, 0xff, 0x80000000u, PL("zz"), VALID},
};
#define NVCASES (sizeof vcases / sizeof vcases[0])

static void build_vcase(h2w_fb *b, const vcase *c) {
  h2w_fb_hd(b, (uint32_t)c->len, c->type, c->flags, c->sid);
  h2w_fb_bytes(b, c->payload, c->len);
}

static void assert_verdict(const vcase *c, int rv, const h2w_frame_err *err) {
  if (rv != c->rv || err->code != c->code || err->scope != c->scope) {
    fail_msg("%s: rv %d code %u scope %d", c->name, rv, (unsigned)err->code,
             err->scope);
  }
  if (c->scope != H2W_FRAME_SCOPE_NONE) {
    assert_non_null(err->reason);
  }
}

static void test_validity_rules(void **state) {
  h2w_fb b;
  h2w_frame f;
  h2w_frame_err err;
  size_t i;
  (void)state;
  h2w_fb_init(&b);
  for (i = 0; i < NVCASES; i++) {
    h2w_fb_clear(&b);
    build_vcase(&b, &vcases[i]);
    assert_verdict(&vcases[i], decode_buf(&b, &f, &err), &err);
    assert_int_equal(f.hd.flags, vcases[i].flags);
  }
  h2w_fb_free(&b);
}

/* Feed `in` to a fresh reader in pieces chosen by `mode` (0: whole, 1: one
 * byte at a time, else: random sizes from seed `mode`) and decode the one
 * frame it yields. */
static int read_one(const uint8_t *in, size_t len, uint32_t mode, h2w_frame *f,
                    h2w_frame_err *err) {
  h2w_alloc a;
  h2w_frame_reader r;
  h2w_frame_hd hd;
  const uint8_t *payload = NULL;
  size_t pos = 0, used;
  int rv = H2W_OK, got = 0;
  assert_int_equal(h2w_alloc_init(&a, NULL), H2W_OK);
  assert_int_equal(h2w_frame_reader_init(&r, &a), H2W_OK);
  while (pos < len) {
    size_t n = len - pos;
    if (mode == 1) {
      n = 1;
    } else if (mode != 0) {
      n = 1 + h2w_test_rng(&mode) % n;
    }
    rv = h2w_frame_reader_next(&r, in + pos, n, &used, &hd, &payload, NULL);
    assert_true(rv == H2W_OK || rv == H2W_FRAME_READY);
    pos += used;
    if (rv == H2W_FRAME_READY) {
      assert_int_equal(pos, len);
      got = 1;
      rv = h2w_frame_decode(&hd, payload, f, err);
    }
  }
  assert_true(got);
  h2w_frame_reader_free(&r);
  assert_int_equal(a.in_use, 0);
  return rv;
}

static void test_validity_rules_split(void **state) {
  h2w_fb b;
  h2w_frame f;
  h2w_frame_err err;
  size_t i;
  uint32_t mode;
  (void)state;
  h2w_fb_init(&b);
  for (i = 0; i < NVCASES; i++) {
    h2w_fb_clear(&b);
    build_vcase(&b, &vcases[i]);
    for (mode = 0; mode < 40; mode++) {
      int rv =
          read_one(b.buf, b.len, mode == 0 ? 0 : 1 + mode * 7919u, &f, &err);
      assert_verdict(&vcases[i], rv, &err);
    }
    assert_verdict(&vcases[i], read_one(b.buf, b.len, 1, &f, &err), &err);
  }
  h2w_fb_free(&b);
}

/* Reserved bits inside payloads are ignored on receipt; the E bit of a
 * dependency is not a reserved bit (RFC 9113 §6.2, §6.3). */
static void test_reserved_bits_on_receipt(void **state) {
  h2w_fb b;
  h2w_frame f;
  (void)state;
  h2w_fb_init(&b);
  h2w_fb_goaway(&b, 0xffffffffu, 0, "");
  assert_int_equal(decode_buf(&b, &f, NULL), H2W_OK);
  assert_int_equal(f.u.goaway.last_stream_id, 0x7fffffffu);
  h2w_fb_clear(&b);
  h2w_fb_window_update(&b, 0x80000001u, 0x80000010u);
  assert_int_equal(decode_buf(&b, &f, NULL), H2W_OK);
  assert_int_equal(f.hd.stream_id, 1);
  assert_int_equal(f.u.window_update.increment, 0x10);
  h2w_fb_clear(&b);
  h2w_fb_hd(&b, 5, H2W_FRAME_PRIORITY, 0, 3);
  h2w_fb_u32(&b, 0xffffffffu);
  h2w_fb_u8(&b, 0);
  assert_int_equal(decode_buf(&b, &f, NULL), H2W_OK);
  assert_int_equal(f.u.priority.exclusive, 1);
  assert_int_equal(f.u.priority.stream_dep, 0x7fffffffu);
  h2w_fb_clear(&b);
  h2w_fb_hd(&b, 4, H2W_FRAME_PUSH_PROMISE, 0, 1);
  h2w_fb_u32(&b, 0x80000002u);
  assert_int_equal(decode_buf(&b, &f, NULL), H2W_OK);
  assert_int_equal(f.u.push_promise.promised_stream_id, 2);
  h2w_fb_clear(&b);
  h2w_fb_hd(&b, 4, H2W_FRAME_PRIORITY_UPDATE, 0, 0);
  h2w_fb_u32(&b, 0x80000009u);
  assert_int_equal(decode_buf(&b, &f, NULL), H2W_OK);
  assert_int_equal(f.u.priority_update.prioritized_stream_id, 9);
  h2w_fb_free(&b);
}

static void test_reserved_bits_cleared_on_send(void **state) {
  uint8_t out[64];
  h2w_frame_priority pri = {0x80000005u, 0, 16};
  h2w_fb want;
  (void)state;
  h2w_fb_init(&want);
  assert_int_equal(
      h2w_frame_pack_goaway(out, sizeof out, 0x80000007u, 0, NULL, 0), 17);
  h2w_fb_goaway(&want, 7, 0, "");
  assert_memory_equal(out, want.buf, want.len);
  h2w_fb_clear(&want);
  assert_int_equal(
      h2w_frame_pack_window_update(out, sizeof out, 0x80000003u, 0x80000001u),
      13);
  h2w_fb_window_update(&want, 3, 1);
  assert_memory_equal(out, want.buf, want.len);
  h2w_fb_clear(&want);
  assert_int_equal(h2w_frame_pack_priority(out, sizeof out, 1, &pri), 14);
  h2w_fb_hd(&want, 5, H2W_FRAME_PRIORITY, 0, 1);
  h2w_fb_u32(&want, 5); /* E comes from `exclusive` only */
  h2w_fb_u8(&want, 16);
  assert_memory_equal(out, want.buf, want.len);
  h2w_fb_clear(&want);
  assert_int_equal(h2w_frame_pack_push_promise(out, sizeof out, 1, 0,
                                               0x80000002u, NULL, 0, 0),
                   13);
  h2w_fb_hd(&want, 4, H2W_FRAME_PUSH_PROMISE, 0, 1);
  h2w_fb_u32(&want, 2);
  assert_memory_equal(out, want.buf, want.len);
  h2w_fb_clear(&want);
  assert_int_equal(
      h2w_frame_pack_priority_update(out, sizeof out, 0x80000009u, NULL, 0),
      13);
  h2w_fb_hd(&want, 4, H2W_FRAME_PRIORITY_UPDATE, 0, 0);
  h2w_fb_u32(&want, 9);
  assert_memory_equal(out, want.buf, want.len);
  h2w_fb_free(&want);
}

/* What the encoders refuse (everything here would be rejected by the peer
 * or cannot be represented). */
#define REJECT(call) assert_int_equal((call), H2W_E_INVALID_ARGUMENT)

static void test_pack_rejects(void **state) {
  static const uint8_t x[8] = {0};
  static const h2w_settings_entry iv = {1, 0, 0};
  h2w_frame_priority pri = {1, 0, 0};
  h2w_frame_bytes big = {x, 0x10000}, nul = {NULL, 1};
  uint8_t out[64];
  const size_t c = sizeof out;
  h2w_frame f;
  (void)state;
  REJECT(h2w_frame_pack_data(out, c, 0, 0, x, 1, 0));
  REJECT(h2w_frame_pack_data(out, c, 0x80000000u, 0, x, 1, 0));
  REJECT(h2w_frame_pack_data(out, c, 1, 0, x, 1, 1));
  REJECT(h2w_frame_pack_data(out, c, 1, H2W_FLAG_PADDED, x, 1, 256));
  REJECT(h2w_frame_pack_data(out, c, 1, 0, NULL, 1, 0));
  REJECT(h2w_frame_pack_data(NULL, c, 1, 0, x, 1, 0));
  assert_int_equal(
      h2w_frame_pack_data(out, c, 1, 0, x, H2W_FRAME_MAX_MAX_SIZE, 0),
      H2W_E_BUFFER_TOO_SMALL);
  REJECT(h2w_frame_pack_data(out, c, 1, H2W_FLAG_PADDED, x,
                             H2W_FRAME_MAX_MAX_SIZE, 0));
  assert_int_equal(h2w_frame_pack_data(out, c, 1, H2W_FLAG_PADDED, x, 0, 255),
                   H2W_E_BUFFER_TOO_SMALL);
  REJECT(h2w_frame_pack_headers(out, c, 1, H2W_FLAG_PRIORITY, NULL, x, 1, 0));
  REJECT(h2w_frame_pack_headers(out, c, 0, 0, NULL, x, 1, 0));
  REJECT(h2w_frame_pack_priority(out, c, 0, &pri));
  REJECT(h2w_frame_pack_priority(out, c, 1, NULL));
  REJECT(h2w_frame_pack_rst_stream(out, c, 0, 0));
  REJECT(h2w_frame_pack_settings(out, c, H2W_FLAG_ACK, &iv, 1));
  REJECT(h2w_frame_pack_settings(out, c, 0, NULL, 1));
  REJECT(h2w_frame_pack_push_promise(out, c, 1, 0, 0, x, 1, 0));
  REJECT(h2w_frame_pack_push_promise(out, c, 1, 0, 0x80000000u, x, 1, 0));
  REJECT(h2w_frame_pack_push_promise(out, c, 0, 0, 2, x, 1, 0));
  REJECT(h2w_frame_pack_ping(out, c, 0, NULL));
  REJECT(h2w_frame_pack_goaway(out, c, 0, 0, NULL, 1));
  REJECT(h2w_frame_pack_window_update(out, c, 1, 0));
  REJECT(h2w_frame_pack_window_update(out, c, 1, 0x80000000u));
  REJECT(h2w_frame_pack_continuation(out, c, 0, 0, x, 1));
  REJECT(h2w_frame_pack_altsvc(out, c, 0, NULL, 0, x, 1));
  REJECT(h2w_frame_pack_altsvc(out, c, 1, x, 1, x, 1));
  REJECT(h2w_frame_pack_altsvc(out, c, 0, x, 0x10000, x, 1));
  REJECT(h2w_frame_pack_origin(out, c, &big, 1));
  REJECT(h2w_frame_pack_origin(out, c, &nul, 1));
  REJECT(h2w_frame_pack_origin(out, c, NULL, 1));
  REJECT(h2w_frame_pack_priority_update(out, c, 0, x, 1));
  REJECT(h2w_frame_pack_unknown(out, c, H2W_FRAME_PING, 0, 0, x, 8));
  REJECT(h2w_frame_encode(out, c, NULL));
  /* Hand-made views the decoder would never produce. */
  memset(&f, 0, sizeof f);
  f.hd.type = H2W_FRAME_SETTINGS;
  f.hd.flags = H2W_FLAG_ACK;
  f.u.settings.entries = x;
  f.u.settings.nentries = 1;
  REJECT(h2w_frame_encode(out, c, &f));
  f.hd.type = H2W_FRAME_ORIGIN;
  f.u.origin.entries = (const uint8_t *)"\0\5ab";
  f.u.origin.len = 4;
  REJECT(h2w_frame_encode(out, c, &f));
  f.u.origin.entries = NULL;
  REJECT(h2w_frame_encode(out, c, &f));
}

/* A padded frame of the largest size: 255 octets of padding (RFC 9113
 * §6.1: the Pad Length octet caps it) are zeros. */
static void test_pack_max_padding(void **state) {
  uint8_t out[HD + 1 + 3 + 255];
  h2w_frame f;
  h2w_fb b;
  size_t i;
  (void)state;
  memset(out, 0xaa, sizeof out);
  assert_int_equal(h2w_frame_pack_data(out, sizeof out, 9, H2W_FLAG_PADDED,
                                       (const uint8_t *)"abc", 3, 255),
                   sizeof out);
  for (i = HD + 4; i < sizeof out; i++) {
    assert_int_equal(out[i], 0);
  }
  h2w_fb_init(&b);
  h2w_fb_bytes(&b, out, sizeof out);
  assert_int_equal(decode_buf(&b, &f, NULL), H2W_OK);
  assert_bytes(f.u.data.data, f.u.data.datalen, "abc");
  assert_int_equal(f.u.data.padlen, 255);
  h2w_fb_free(&b);
}

static void test_decode_arguments(void **state) {
  h2w_frame_hd hd = {1, 0, 0, 1};
  h2w_frame f;
  h2w_frame_err err;
  (void)state;
  assert_int_equal(h2w_frame_decode(&hd, NULL, &f, &err),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_decode(NULL, (const uint8_t *)"x", &f, &err),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_decode(&hd, (const uint8_t *)"x", NULL, &err),
                   H2W_E_INVALID_ARGUMENT);
  hd.length = 0;
  assert_int_equal(h2w_frame_decode(&hd, NULL, &f, &err), H2W_OK);
  assert_int_equal(f.u.data.datalen, 0);
  /* The header may live in the output frame itself. */
  f.hd.length = 3;
  f.hd.type = H2W_FRAME_CONTINUATION;
  f.hd.flags = H2W_FLAG_END_HEADERS;
  f.hd.stream_id = 7;
  assert_int_equal(
      h2w_frame_decode(&f.hd, (const uint8_t *)"\x82\x84\x87", &f, &err),
      H2W_OK);
  assert_int_equal(f.hd.stream_id, 7);
  assert_int_equal(f.hd.flags, H2W_FLAG_END_HEADERS);
  assert_bytes(f.u.continuation.block, f.u.continuation.blocklen,
               "\x82\x84\x87");
}

static void test_type_names(void **state) {
  (void)state;
  assert_string_equal(h2w_frame_type_name(H2W_FRAME_DATA), "DATA");
  assert_string_equal(h2w_frame_type_name(H2W_FRAME_ALTSVC), "ALTSVC");
  assert_string_equal(h2w_frame_type_name(H2W_FRAME_ORIGIN), "ORIGIN");
  assert_string_equal(h2w_frame_type_name(H2W_FRAME_PRIORITY_UPDATE),
                      "PRIORITY_UPDATE");
  assert_string_equal(h2w_frame_type_name(0xb), "UNKNOWN");
  assert_string_equal(h2w_frame_type_name(0xff), "UNKNOWN");
}

/* ---- no over-read: frames end right before a PROT_NONE page ---------- */

static void assert_view_inside(const uint8_t *v, size_t n, const uint8_t *lo,
                               size_t len) {
  if (n != 0) {
    assert_true(v >= lo && v + n <= lo + len);
  }
}

static void check_views(const h2w_frame *f, const uint8_t *p, size_t len) {
  switch (f->hd.type) {
  case H2W_FRAME_DATA:
    assert_view_inside(f->u.data.data, f->u.data.datalen, p, len);
    break;
  case H2W_FRAME_HEADERS:
    assert_view_inside(f->u.headers.block, f->u.headers.blocklen, p, len);
    break;
  case H2W_FRAME_PUSH_PROMISE:
    assert_view_inside(f->u.push_promise.block, f->u.push_promise.blocklen, p,
                       len);
    break;
  case H2W_FRAME_PING:
    assert_view_inside(f->u.ping.opaque, H2W_PING_LEN, p, len);
    break;
  case H2W_FRAME_GOAWAY:
    assert_view_inside(f->u.goaway.debug, f->u.goaway.debuglen, p, len);
    break;
  case H2W_FRAME_ALTSVC:
    assert_view_inside(f->u.altsvc.origin, f->u.altsvc.originlen, p, len);
    assert_view_inside(f->u.altsvc.value, f->u.altsvc.valuelen, p, len);
    break;
  case H2W_FRAME_PRIORITY_UPDATE:
    assert_view_inside(f->u.priority_update.value,
                       f->u.priority_update.valuelen, p, len);
    break;
  default:
    break;
  }
}

static void test_no_overread(void **state) {
  long page = sysconf(_SC_PAGESIZE);
  size_t ps = (size_t)page, i, t;
  uint8_t *map, *end;
  h2w_fb b;
  unsigned fl;
  (void)state;
  assert_true(page > 0);
  map = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
  assert_true(map != MAP_FAILED);
  assert_int_equal(mprotect(map + ps, ps, PROT_NONE), 0);
  end = map + ps;
  h2w_fb_init(&b);
  for (i = 0; i < NSAMPLES; i++) {
    for (fl = 0; fl < 256; fl++) {
      if ((fl & ~(unsigned)samples[i].defined) != 0) {
        continue; /* undefined flags do not change the layout */
      }
      h2w_fb_clear(&b);
      samples[i].build(&b, fl);
      for (t = 0; t <= b.len - HD; t++) {
        h2w_frame_hd hd;
        h2w_frame f;
        uint8_t *p = end - t;
        int rv;
        memcpy(p, b.buf + HD, t);
        h2w_frame_hd_unpack(&hd, b.buf);
        hd.length = (uint32_t)t;
        rv = h2w_frame_decode(&hd, t ? p : NULL, &f, NULL);
        if (rv >= 0) {
          check_views(&f, p, t);
        }
        /* The same prefix through the reader, header included. */
        p = end - HD - t;
        memcpy(p, b.buf, HD);
        p[0] = (uint8_t)(t >> 16);
        p[1] = (uint8_t)(t >> 8);
        p[2] = (uint8_t)t;
        memcpy(p + HD, b.buf + HD, t);
        assert_int_equal(read_one(p, HD + t, 1, &f, NULL), rv);
        assert_int_equal(read_one(p, HD + t, 0, &f, NULL), rv);
      }
    }
  }
  h2w_fb_free(&b);
  munmap(map, 2 * ps);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_all_flags),
      cmocka_unit_test(test_header_reserved_bit),
      cmocka_unit_test(test_header_errors),
      cmocka_unit_test(test_round_trip_all_flags),
      cmocka_unit_test(test_pack_defined_flags),
      cmocka_unit_test(test_validity_rules),
      cmocka_unit_test(test_validity_rules_split),
      cmocka_unit_test(test_reserved_bits_on_receipt),
      cmocka_unit_test(test_reserved_bits_cleared_on_send),
      cmocka_unit_test(test_pack_rejects),
      cmocka_unit_test(test_pack_max_padding),
      cmocka_unit_test(test_decode_arguments),
      cmocka_unit_test(test_type_names),
      cmocka_unit_test(test_no_overread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Helpers of the security suite (attack.h). */
#include "attack.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pump_int.h"

void atk_server(tpeer *s, int mode, const h2w_options *opt) {
  tpeer_start(s, 1, mode, opt);
  tpeer_handshake(s);
}

void atk_client(tpeer *c, int mode, const h2w_options *opt) {
  tpeer_start(c, 0, mode, opt);
  tpeer_handshake(c);
}

void atk_feed_ok(tpeer *p, h2w_fb *b) {
  tpeer_feed_ok(p, b);
}

void atk_feed_err(tpeer *p, h2w_fb *b, int err) {
  h2w_ssize rv = tpeer_feed_fb(p, b);
  if (rv != err) {
    print_error("feed: %s, expected %s\n",
                rv >= 0 ? "all consumed" : h2w_error_name((int)rv),
                h2w_error_name(err));
  }
  assert_int_equal(rv, err);
  h2w_fb_clear(b);
}

static long count_lines(const char *s, const char *pattern) {
  long n = 0;
  while (s != NULL && *s != '\0') {
    const char *nl = strchr(s, '\n');
    size_t len = nl ? (size_t)(nl - s) : strlen(s);
    n += tline_match(pattern, s, len);
    s += nl ? len + 1 : len;
  }
  return n;
}

long atk_log_count(const tpeer *p, const char *pattern) {
  return count_lines(p->log.buf, pattern);
}

long atk_frames_count(const tpeer *p, const char *pattern) {
  return count_lines(p->frames.buf, pattern);
}

long atk_out_count(tpeer *p, const char *pattern) {
  long n;
  tpeer_parse_out(p);
  n = count_lines(p->frames.buf, pattern);
  tstr_clear(&p->frames);
  return n;
}

void atk_expect_error(const tpeer *p, int err, uint32_t code) {
  uint32_t got = 0;
  const char *reason = NULL;
  int rv = h2w_session_error(p->s, &got, &reason, NULL);
  if (rv != err || got != code) {
    print_error("sticky error %s/%s (%s), expected %s/%s\n", h2w_error_name(rv),
                h2w_http2_error_name(got), reason ? reason : "-",
                h2w_error_name(err), h2w_http2_error_name(code));
  }
  assert_int_equal(rv, err);
  assert_int_equal(got, code);
}

size_t atk_peak_above(const tpeer *p, size_t base) {
  return p->alloc.peak > base ? p->alloc.peak - base : 0;
}

void atk_bound(const char *what, size_t measured, size_t bound) {
  print_message("[ MEMORY   ] %s: %zu bytes (bound %zu)\n", what, measured,
                bound);
  if (measured >= bound) {
    fail_msg("%s: %zu bytes, not below %zu", what, measured, bound);
  }
}

/* ---- raw HPACK -------------------------------------------------------------
 */

void atk_hp_int(h2w_fb *b, uint8_t first, unsigned prefix, uint64_t v) {
  uint64_t max = (1u << prefix) - 1u;
  if (v < max) {
    h2w_fb_u8(b, first | (uint32_t)v);
    return;
  }
  h2w_fb_u8(b, first | (uint32_t)max);
  v -= max;
  while (v >= 128) {
    h2w_fb_u8(b, (uint32_t)(v & 0x7fu) | 0x80u);
    v >>= 7;
  }
  h2w_fb_u8(b, (uint32_t)v);
}

void atk_hp_str(h2w_fb *b, const void *s, size_t n) {
  atk_hp_int(b, 0x00, 7, n);
  h2w_fb_bytes(b, s, n);
}

void atk_hp_literal(h2w_fb *b, const void *name, size_t nlen, const void *value,
                    size_t vlen) {
  h2w_fb_u8(b, 0x00);
  atk_hp_str(b, name, nlen);
  atk_hp_str(b, value, vlen);
}

void atk_hp_indexed_literal(h2w_fb *b, const void *name, size_t nlen,
                            const void *value, size_t vlen) {
  h2w_fb_u8(b, 0x40);
  atk_hp_str(b, name, nlen);
  atk_hp_str(b, value, vlen);
}

void atk_hp_get_pseudo(h2w_fb *b) {
  /* RFC 7541 Appendix A: 2 = :method GET, 7 = :scheme https,
   * 4 = :path /, 1 = :authority (name only). */
  h2w_fb_u8(b, 0x82);
  h2w_fb_u8(b, 0x87);
  h2w_fb_u8(b, 0x84);
  h2w_fb_u8(b, 0x01);
  atk_hp_str(b, "example.org", 11);
}

void atk_fb_block(h2w_fb *b, uint32_t id, uint32_t flags, const h2w_fb *blk) {
  h2w_fb_hd(b, (uint32_t)blk->len, ATK_HEADERS, flags, id);
  h2w_fb_bytes(b, blk->buf, blk->len);
}

void atk_fb_block_split(h2w_fb *b, uint32_t id, uint32_t flags,
                        const h2w_fb *blk, size_t max) {
  size_t off = 0;
  int first = 1;
  do {
    size_t k = blk->len - off < max ? blk->len - off : max;
    uint32_t f = off + k == blk->len ? 0x4u : 0u;
    h2w_fb_hd(b, (uint32_t)k, first ? ATK_HEADERS : ATK_CONTINUATION,
              f | (first ? flags : 0u), id);
    h2w_fb_bytes(b, blk->buf + off, k);
    off += k;
    first = 0;
  } while (off < blk->len);
}

/* ---- bodies without storage ------------------------------------------------
 */

static h2w_ssize gen_read(h2w_session *s, uint32_t id, uint8_t *buf, size_t len,
                          uint32_t *flags, void *user) {
  atk_gen *g = user;
  uint64_t left = g->len - g->off;
  size_t n = left < len ? (size_t)left : len, i;
  (void)s;
  (void)id;
  g->reads++;
  for (i = 0; i < n; i++) {
    buf[i] = (uint8_t)((g->off + i) * 131u);
  }
  g->off += n;
  g->pulled += n;
  if (g->off == g->len) {
    *flags |= H2W_DATA_FLAG_EOF;
  }
  return (h2w_ssize)n;
}

h2w_data_source atk_gen_source(atk_gen *g, uint64_t len) {
  h2w_data_source ds;
  memset(g, 0, sizeof *g);
  g->len = len;
  ds.read = gen_read;
  ds.write = NULL;
  ds.user = g;
  return ds;
}

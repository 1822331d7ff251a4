/* Test helper: raw frame bytes built field by field (RFC 9113 §4.1). */
#include "frame_builder.h"

#include <stdlib.h>
#include <string.h>

void h2w_fb_init(h2w_fb *b) {
  memset(b, 0, sizeof *b);
}

void h2w_fb_free(h2w_fb *b) {
  free(b->buf);
  memset(b, 0, sizeof *b);
}

void h2w_fb_clear(h2w_fb *b) {
  b->len = 0;
  b->mark = 0;
}

static uint8_t *grow(h2w_fb *b, size_t n) {
  if (b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 64;
    uint8_t *p;
    while (cap - b->len < n) {
      cap *= 2;
    }
    p = realloc(b->buf, cap);
    if (p == NULL) {
      abort();
    }
    b->buf = p;
    b->cap = cap;
  }
  b->len += n;
  return b->buf + b->len - n;
}

void h2w_fb_u8(h2w_fb *b, uint32_t v) {
  *grow(b, 1) = (uint8_t)v;
}

void h2w_fb_u16(h2w_fb *b, uint32_t v) {
  uint8_t *p = grow(b, 2);
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

void h2w_fb_u24(h2w_fb *b, uint32_t v) {
  uint8_t *p = grow(b, 3);
  p[0] = (uint8_t)(v >> 16);
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)v;
}

void h2w_fb_u32(h2w_fb *b, uint32_t v) {
  uint8_t *p = grow(b, 4);
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

void h2w_fb_bytes(h2w_fb *b, const void *p, size_t n) {
  if (n != 0) {
    memcpy(grow(b, n), p, n);
  }
}

void h2w_fb_str(h2w_fb *b, const char *s) {
  h2w_fb_bytes(b, s, strlen(s));
}

void h2w_fb_zeros(h2w_fb *b, size_t n) {
  if (n != 0) {
    memset(grow(b, n), 0, n);
  }
}

void h2w_fb_hd(h2w_fb *b, uint32_t length, uint32_t type, uint32_t flags,
               uint32_t stream_id) {
  h2w_fb_u24(b, length);
  h2w_fb_u8(b, type);
  h2w_fb_u8(b, flags);
  h2w_fb_u32(b, stream_id);
}

void h2w_fb_begin(h2w_fb *b, uint32_t type, uint32_t flags,
                  uint32_t stream_id) {
  b->mark = b->len;
  h2w_fb_hd(b, 0, type, flags, stream_id);
}

void h2w_fb_end(h2w_fb *b) {
  size_t n = b->len - b->mark - 9;
  b->buf[b->mark] = (uint8_t)(n >> 16);
  b->buf[b->mark + 1] = (uint8_t)(n >> 8);
  b->buf[b->mark + 2] = (uint8_t)n;
}

void h2w_fb_data(h2w_fb *b, uint32_t stream_id, uint32_t flags,
                 const char *data) {
  h2w_fb_begin(b, 0x0, flags, stream_id);
  h2w_fb_str(b, data);
  h2w_fb_end(b);
}

void h2w_fb_headers(h2w_fb *b, uint32_t stream_id, uint32_t flags,
                    const uint8_t *block, size_t len) {
  h2w_fb_begin(b, 0x1, flags, stream_id);
  h2w_fb_bytes(b, block, len);
  h2w_fb_end(b);
}

void h2w_fb_settings(h2w_fb *b, uint32_t flags, const h2w_settings_entry *iv,
                     size_t n) {
  size_t i;
  h2w_fb_begin(b, 0x4, flags, 0);
  for (i = 0; i < n; i++) {
    h2w_fb_u16(b, iv[i].id);
    h2w_fb_u32(b, iv[i].value);
  }
  h2w_fb_end(b);
}

void h2w_fb_ping(h2w_fb *b, uint32_t flags, uint64_t opaque) {
  h2w_fb_begin(b, 0x6, flags, 0);
  h2w_fb_u32(b, (uint32_t)(opaque >> 32));
  h2w_fb_u32(b, (uint32_t)opaque);
  h2w_fb_end(b);
}

void h2w_fb_window_update(h2w_fb *b, uint32_t stream_id, uint32_t increment) {
  h2w_fb_begin(b, 0x8, 0, stream_id);
  h2w_fb_u32(b, increment);
  h2w_fb_end(b);
}

void h2w_fb_rst_stream(h2w_fb *b, uint32_t stream_id, uint32_t code) {
  h2w_fb_begin(b, 0x3, 0, stream_id);
  h2w_fb_u32(b, code);
  h2w_fb_end(b);
}

void h2w_fb_goaway(h2w_fb *b, uint32_t last_stream_id, uint32_t code,
                   const char *debug) {
  h2w_fb_begin(b, 0x7, 0, 0);
  h2w_fb_u32(b, last_stream_id);
  h2w_fb_u32(b, code);
  h2w_fb_str(b, debug);
  h2w_fb_end(b);
}

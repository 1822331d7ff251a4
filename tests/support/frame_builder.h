/* Hand-built raw frames for tests.
 * Every field is written exactly as given, so tests can produce frames the
 * library's own encoders refuse to: lying lengths, reserved bits set,
 * wrong stream ids, oversized padding. The builder is independent of
 * src/frame*.c on purpose, so it can serve as an oracle for the encoders.
 * Out of memory aborts: this is test code. */
#ifndef H2W_FRAME_BUILDER_H
#define H2W_FRAME_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

typedef struct h2w_fb {
  uint8_t *buf;
  size_t len;
  size_t cap;
  size_t mark; /* offset of the header opened by h2w_fb_begin() */
} h2w_fb;

void h2w_fb_init(h2w_fb *b);
void h2w_fb_free(h2w_fb *b);
/* Forget the contents, keep the memory. */
void h2w_fb_clear(h2w_fb *b);

void h2w_fb_u8(h2w_fb *b, uint32_t v);
void h2w_fb_u16(h2w_fb *b, uint32_t v);
void h2w_fb_u24(h2w_fb *b, uint32_t v);
void h2w_fb_u32(h2w_fb *b, uint32_t v);
void h2w_fb_bytes(h2w_fb *b, const void *p, size_t n);
void h2w_fb_str(h2w_fb *b, const char *s);
void h2w_fb_zeros(h2w_fb *b, size_t n);

/* A raw 9-octet header; `stream_id` is written with all 32 bits, so the
 * reserved bit can be set. */
void h2w_fb_hd(h2w_fb *b, uint32_t length, uint32_t type, uint32_t flags,
               uint32_t stream_id);
/* Open a frame whose length h2w_fb_end() fills in from what was appended. */
void h2w_fb_begin(h2w_fb *b, uint32_t type, uint32_t flags, uint32_t stream_id);
void h2w_fb_end(h2w_fb *b);

/* Whole frames with the usual layouts; arguments are not validated. */
void h2w_fb_data(h2w_fb *b, uint32_t stream_id, uint32_t flags,
                 const char *data);
void h2w_fb_headers(h2w_fb *b, uint32_t stream_id, uint32_t flags,
                    const uint8_t *block, size_t len);
void h2w_fb_settings(h2w_fb *b, uint32_t flags, const h2w_settings_entry *iv,
                     size_t n);
void h2w_fb_ping(h2w_fb *b, uint32_t flags, uint64_t opaque);
void h2w_fb_window_update(h2w_fb *b, uint32_t stream_id, uint32_t increment);
void h2w_fb_rst_stream(h2w_fb *b, uint32_t stream_id, uint32_t code);
void h2w_fb_goaway(h2w_fb *b, uint32_t last_stream_id, uint32_t code,
                   const char *debug);

#endif

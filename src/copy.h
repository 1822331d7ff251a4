/* Short copies without a libc call. Header names and most values are a
 * few dozen octets at most, and calling memcpy costs more than moving
 * them; both the decoder's table (hpack_table.c) and copied field lists
 * (config.c) copy such strings on every field. */
#ifndef H2W_COPY_H
#define H2W_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define H2W_ALWAYS_INLINE __attribute__((always_inline)) static inline
#else
#define H2W_ALWAYS_INLINE static inline
#endif

/* Copy n octets (n <= 32) with memmove's semantics: every load is made
 * before the first store, so the source may overlap the destination (a
 * name taken from an entry that a table insertion just evicted). The
 * overlapping loads and stores stay inside [src, src + n) and
 * [dst, dst + n). */
H2W_ALWAYS_INLINE void h2w_copy_short(uint8_t *dst, const uint8_t *src,
                                      size_t n) {
  uint64_t a, b, c, d;
  uint32_t u, v;
  if (n >= 8) {
    if (n > 16) {
      memcpy(&a, src, 8);
      memcpy(&b, src + 8, 8);
      memcpy(&c, src + n - 16, 8);
      memcpy(&d, src + n - 8, 8);
      memcpy(dst, &a, 8);
      memcpy(dst + 8, &b, 8);
      memcpy(dst + n - 16, &c, 8);
      memcpy(dst + n - 8, &d, 8);
      return;
    }
    memcpy(&a, src, 8);
    memcpy(&b, src + n - 8, 8);
    memcpy(dst, &a, 8);
    memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    memcpy(&u, src, 4);
    memcpy(&v, src + n - 4, 4);
    memcpy(dst, &u, 4);
    memcpy(dst + n - 4, &v, 4);
  } else if (n > 0) {
    uint8_t x = src[0], y = src[n / 2], z = src[n - 1];
    dst[0] = x;
    dst[n / 2] = y;
    dst[n - 1] = z;
  }
}

/* Any length, overlap allowed: short strings inline, the rest memmove. */
H2W_ALWAYS_INLINE void h2w_copy_any(uint8_t *dst, const uint8_t *src,
                                    size_t n) {
  if (n <= 32) {
    h2w_copy_short(dst, src, n);
  } else {
    memmove(dst, src, n);
  }
}

#endif

/* HPACK integer representation (RFC 7541 §5.1). */
#include "hpack.h"

/* A 32-bit value needs at most 5 continuation octets (5 * 7 = 35 bits);
 * anything longer is padding with 0x80 octets that only burns CPU. */
#define MAX_CONTINUATION 5u

h2w_ssize h2w_hpack_int_decode(uint32_t *out, const uint8_t *p, size_t len,
                               unsigned prefix) {
  uint32_t mask = (1u << prefix) - 1u;
  uint64_t v;
  size_t i;
  unsigned shift = 0;
  if (len == 0) {
    return 0;
  }
  v = p[0] & mask;
  if (v < mask) {
    *out = (uint32_t)v;
    return 1;
  }
  for (i = 1; i < len; i++) {
    if (i > MAX_CONTINUATION) {
      return H2W_E_COMPRESSION;
    }
    v += (uint64_t)(p[i] & 0x7fu) << shift;
    if (v > UINT32_MAX) {
      return H2W_E_COMPRESSION;
    }
    if ((p[i] & 0x80u) == 0) {
      *out = (uint32_t)v;
      return (h2w_ssize)(i + 1);
    }
    shift += 7;
  }
  return len > MAX_CONTINUATION ? H2W_E_COMPRESSION : 0;
}

size_t h2w_hpack_int_len(uint64_t v, unsigned prefix) {
  uint64_t mask = (1u << prefix) - 1u;
  size_t n = 1;
  if (v < mask) {
    return 1;
  }
  v -= mask;
  while (v >= 128) {
    v >>= 7;
    n++;
  }
  return n + 1;
}

size_t h2w_hpack_int_encode(uint8_t *dst, uint64_t v, unsigned prefix,
                            uint8_t first) {
  uint64_t mask = (1u << prefix) - 1u;
  size_t n = 1;
  if (v < mask) {
    dst[0] = (uint8_t)(first | v);
    return 1;
  }
  dst[0] = (uint8_t)(first | mask);
  v -= mask;
  while (v >= 128) {
    dst[n++] = (uint8_t)(0x80u | (v & 0x7fu));
    v >>= 7;
  }
  dst[n++] = (uint8_t)v;
  return n;
}

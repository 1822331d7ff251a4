#include "test_split.h"

uint32_t h2w_test_rng(uint32_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

int h2w_test_hpack_feed(h2w_hpack_decoder *dec, const uint8_t *p, size_t n,
                        int mode, uint32_t *seed, size_t max_piece,
                        h2w_hpack_field_cb cb, void *user) {
  size_t pos = 0;
  if (mode == H2W_SPLIT_WHOLE) {
    return h2w_hpack_decode(dec, p, n, H2W_HPACK_FINAL, cb, user);
  }
  while (pos < n) {
    size_t k =
        mode == H2W_SPLIT_BYTEWISE ? 1 : 1 + h2w_test_rng(seed) % max_piece;
    int rv;
    if (k > n - pos) {
      k = n - pos;
    }
    rv = h2w_hpack_decode(dec, p + pos, k, 0, cb, user);
    if (rv != H2W_OK) {
      return rv;
    }
    pos += k;
  }
  return h2w_hpack_decode(dec, NULL, 0, H2W_HPACK_FINAL, cb, user);
}

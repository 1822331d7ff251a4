/* libFuzzer harness: the HPACK decoder on arbitrary bytes (RFC 7541).
 *
 * Input layout: [size hi][size lo][caps][nsplit][split...][block...]
 *   size:  our SETTINGS_HEADER_TABLE_SIZE before the block (the peer must
 *          then follow it with a size update, RFC 7541 §4.2);
 *   caps:  low nibble picks a header-list cap, high nibble a field cap, so
 *          that the limit paths (docs/security.md row 12) are reached;
 *   split: up to 15 piece lengths; the block is fed in those pieces.
 * The same block is also decoded whole by a second decoder: the results
 * and the delivered fields must be identical (abort() otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpack.h"

typedef struct digest {
  uint64_t h;
  size_t fields;
} digest;

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    h = (h ^ p[i]) * 1099511628211u;
  }
  return (h ^ n) * 1099511628211u;
}

static int on_field(void *user, const h2w_nv *nv) {
  digest *d = user;
  uint8_t flags = (uint8_t)nv->flags;
  d->h = mix(d->h, nv->name, nv->namelen);
  d->h = mix(d->h, nv->value, nv->valuelen);
  d->h = mix(d->h, &flags, 1);
  d->fields++;
  return 0;
}

static void setup(h2w_hpack_decoder *d, uint32_t size, uint8_t caps) {
  static const uint32_t lists[4] = {0, 100, 4096, 65536};
  static const uint32_t fields[4] = {1, 3, 100, 1000};
  h2w_hpack_decoder_set_max_header_list_size(d, lists[caps & 3]);
  h2w_hpack_decoder_set_max_fields(d, fields[(caps >> 4) & 3]);
  h2w_hpack_decoder_set_max_table_size(d, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint8_t next[] = {0x82};
  h2w_hpack_decoder *whole, *parts;
  digest dw = {14695981039346656037u, 0}, dp = dw;
  size_t nsplit, i, pos = 0;
  uint32_t tsize;
  int rw, rp = H2W_OK;
  if (size < 4) {
    return 0;
  }
  tsize = (uint32_t)data[0] << 8 | data[1];
  nsplit = data[3] & 15u;
  if (size < 4 + nsplit) {
    return 0;
  }
  if (h2w_hpack_decoder_new(&whole, NULL) != H2W_OK) {
    return 0;
  }
  if (h2w_hpack_decoder_new(&parts, NULL) != H2W_OK) {
    h2w_hpack_decoder_del(whole);
    return 0;
  }
  setup(whole, tsize, data[2]);
  setup(parts, tsize, data[2]);
  {
    const uint8_t *split = data + 4, *blk = data + 4 + nsplit;
    size_t n = size - 4 - nsplit;
    rw = h2w_hpack_decode(whole, blk, n, H2W_HPACK_FINAL, on_field, &dw);
    for (i = 0; i < nsplit && rp == H2W_OK && pos < n; i++) {
      size_t k = split[i] < n - pos ? split[i] : n - pos;
      rp = h2w_hpack_decode(parts, blk + pos, k, 0, on_field, &dp);
      pos += k;
    }
    if (rp == H2W_OK) {
      rp = h2w_hpack_decode(parts, blk + pos, n - pos, H2W_HPACK_FINAL,
                            on_field, &dp);
    }
  }
  if (rw != rp || dw.h != dp.h || dw.fields != dp.fields ||
      h2w_hpack_decoder_table_size(whole) !=
          h2w_hpack_decoder_table_size(parts)) {
    abort();
  }
  /* After success or a limit the decoder must still work; after anything
   * else the error must be sticky. */
  rp = h2w_hpack_decode(parts, next, 1, H2W_HPACK_FINAL, on_field, &dp);
  if (rw == H2W_OK || rw == H2W_E_LIMIT) {
    if (rp != H2W_OK && rp != H2W_E_LIMIT) {
      abort();
    }
  } else if (rp != rw) {
    abort();
  }
  h2w_hpack_decoder_del(whole);
  h2w_hpack_decoder_del(parts);
  return 0;
}

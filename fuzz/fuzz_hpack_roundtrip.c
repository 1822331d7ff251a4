/* libFuzzer harness: HPACK encoder -> decoder round trip (RFC 7541).
 *
 * The input is a program: byte 0 picks Huffman on/off; then
 *   0xff            ends the current block: encode it, decode it back (in
 *                   pieces of a fuzzer-chosen length), compare;
 *   0xfe hi lo      both sides switch to table size hi*256+lo, as after a
 *                   SETTINGS exchange (§4.2 updates are the encoder's job);
 *   other op        a field: name length op & 15, value length from the
 *                   next byte, bytes taken from the input; op bits 4-5
 *                   set H2W_NV_FLAG_NEVER_INDEX / NO_INDEX.
 * Any difference between the fields in and the fields out, or between the
 * two tables' sizes, aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpack.h"

#define MAX_FIELDS 64

typedef struct check {
  const h2w_nv *want;
  size_t n, seen;
} check;

static int on_field(void *user, const h2w_nv *nv) {
  check *c = user;
  const h2w_nv *w = &c->want[c->seen++];
  if (c->seen > c->n || nv->namelen != w->namelen ||
      nv->valuelen != w->valuelen ||
      (w->namelen && memcmp(nv->name, w->name, w->namelen) != 0) ||
      (w->valuelen && memcmp(nv->value, w->value, w->valuelen) != 0) ||
      ((w->flags & H2W_NV_FLAG_NEVER_INDEX) &&
       !(nv->flags & H2W_NV_FLAG_NEVER_INDEX))) {
    abort();
  }
  return 0;
}

static void roundtrip(h2w_hpack_encoder *e, h2w_hpack_decoder *d,
                      const h2w_nv *nva, size_t n, size_t piece) {
  static uint8_t buf[1 << 16];
  check c = {nva, n, 0};
  size_t pos = 0;
  h2w_ssize k = h2w_hpack_encode(e, buf, sizeof(buf), nva, n);
  if (k < 0) {
    abort(); /* fields are small: the bound always fits */
  }
  while ((size_t)k - pos > piece) {
    if (h2w_hpack_decode(d, buf + pos, piece, 0, on_field, &c) != H2W_OK) {
      abort();
    }
    pos += piece;
  }
  if (h2w_hpack_decode(d, buf + pos, (size_t)k - pos, H2W_HPACK_FINAL, on_field,
                       &c) != H2W_OK ||
      c.seen != n ||
      h2w_hpack_encoder_table_size(e) != h2w_hpack_decoder_table_size(d)) {
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  h2w_nv nva[MAX_FIELDS];
  size_t n = 0, pos = 1;
  if (size < 1 || h2w_hpack_encoder_new(&e, NULL) != H2W_OK) {
    return 0;
  }
  if (h2w_hpack_decoder_new(&d, NULL) != H2W_OK) {
    h2w_hpack_encoder_del(e);
    return 0;
  }
  h2w_hpack_encoder_set_huffman(e, data[0] & 1);
  h2w_hpack_decoder_set_max_header_list_size(d, UINT32_MAX);
  h2w_hpack_decoder_set_max_fields(d, UINT32_MAX);
  while (pos < size) {
    uint8_t op = data[pos++];
    if (op == 0xff || n == MAX_FIELDS) {
      roundtrip(e, d, nva, n, 1 + (size_t)(data[0] >> 1));
      n = 0;
    } else if (op == 0xfe && size - pos >= 2) {
      uint32_t ts = (uint32_t)data[pos] << 8 | data[pos + 1];
      pos += 2;
      h2w_hpack_encoder_set_table_size_cap(e, ts);
      h2w_hpack_encoder_set_max_table_size(e, ts);
      if (h2w_hpack_decoder_set_max_table_size(d, ts) != H2W_OK) {
        abort();
      }
    } else if (size - pos >= 1) {
      size_t nl = op & 15u, vl = data[pos++];
      if (size - pos < nl + vl) {
        break;
      }
      nva[n].name = data + pos;
      nva[n].namelen = nl;
      nva[n].value = data + pos + nl;
      nva[n].valuelen = vl;
      nva[n].flags = (op >> 4) & 3u;
      pos += nl + vl;
      n++;
    }
  }
  roundtrip(e, d, nva, n, 7);
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
  return 0;
}

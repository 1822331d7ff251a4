/* libFuzzer differential target: h2wire's HPACK decoder (RFC 7541)
 * against nghttp2's inflater (public API only), on a sequence of header
 * blocks that share one dynamic table. After every block both must have
 * succeeded with the same field list (names, values, never-indexed flag)
 * and the same dynamic table size, or both must have failed; abort()
 * otherwise. Built only when pkg-config finds libnghttp2.
 *
 * Input: a list of blocks, each [ctl][len hi][len lo][len octets].
 *   ctl bit 7: before the block, SETTINGS_HEADER_TABLE_SIZE changes to
 *              sizes[ctl & 7] (both decoders are told, as after an ACK);
 *   ctl bits 3-4: how the block is fed, identically to both: whole, in
 *              1-octet pieces, in two pieces, or in three.
 *
 * Where h2wire is deliberately stricter or capped (also in
 * fuzz/README.md), a divergence is accepted, and only then:
 *   1. Header-list size and field-count caps (docs/security.md row 12):
 *      nghttp2's inflater has none. Set to 16 MiB and 1,000,000 fields
 *      here, so they cannot trip at libFuzzer's input sizes; if h2wire
 *      still reports H2W_E_LIMIT, its fields must be a prefix of
 *      nghttp2's and the tables must still agree.
 *   2. More than two Dynamic Table Size Updates at the start of a block
 *      (docs/security.md row 13; RFC 7541 §4.2 needs at most two: the smallest
 *      value, then the final one): h2wire fails, nghttp2 accepts.
 *   3. nghttp2 refuses a string literal longer than 64 KiB; h2wire only
 *      counts it against the header-list cap. Accepted when the block is
 *      longer than 65536 octets (no shorter block can carry one).
 * Once both failed the sequence ends (both decoders are then unusable:
 * their tables may be out of sync with the encoder). */
#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2wire.h"

/* Decoded fields, flattened: [flags][namelen: 4][valuelen: 4][name][value]
 * per field, so that two lists compare with one memcmp. */
typedef struct list {
  uint8_t *buf;
  size_t len, cap, fields;
} list;

static void list_add(list *l, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, int never) {
  size_t need = l->len + 9 + namelen + valuelen;
  uint32_t nl = (uint32_t)namelen, vl = (uint32_t)valuelen;
  if (need > l->cap) {
    size_t cap = need * 2;
    uint8_t *p = realloc(l->buf, cap);
    if (p == NULL) {
      abort();
    }
    l->buf = p;
    l->cap = cap;
  }
  l->buf[l->len] = (uint8_t)never;
  memcpy(l->buf + l->len + 1, &nl, 4);
  memcpy(l->buf + l->len + 5, &vl, 4);
  if (namelen > 0) {
    memcpy(l->buf + l->len + 9, name, namelen);
  }
  if (valuelen > 0) {
    memcpy(l->buf + l->len + 9 + namelen, value, valuelen);
  }
  l->len = need;
  l->fields++;
}

static int on_field(void *user, const h2w_nv *nv) {
  list_add(user, nv->name, nv->namelen, nv->value, nv->valuelen,
           (nv->flags & H2W_NV_FLAG_NEVER_INDEX) != 0);
  return 0;
}

/* One piece into nghttp2's inflater. Returns 0 or -1 (failed). */
static int ng_piece(nghttp2_hd_inflater *ng, const uint8_t *in, size_t len,
                    int final, list *out) {
  for (;;) {
    nghttp2_nv nv;
    int fl = 0;
    ssize_t rv = nghttp2_hd_inflate_hd2(ng, &nv, &fl, (uint8_t *)(uintptr_t)in,
                                        len, final);
    if (rv < 0) {
      return -1;
    }
    in += rv;
    len -= (size_t)rv;
    if (fl & NGHTTP2_HD_INFLATE_EMIT) {
      list_add(out, nv.name, nv.namelen, nv.value, nv.valuelen,
               (nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) != 0);
    }
    if (fl & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(ng);
      return 0;
    }
    if (!(fl & NGHTTP2_HD_INFLATE_EMIT) && len == 0) {
      return 0;
    }
  }
}

/* How many Dynamic Table Size Updates (RFC 7541 §6.3: 001xxxxx with a
 * 5-bit prefix integer) open the block. */
static size_t leading_updates(const uint8_t *p, size_t len) {
  size_t pos = 0, n = 0;
  while (pos < len && (p[pos] & 0xe0) == 0x20) {
    n++;
    if ((p[pos++] & 0x1f) == 0x1f) {
      while (pos < len && (p[pos] & 0x80)) {
        pos++;
      }
      pos++;
    }
  }
  return n;
}

typedef struct pair {
  h2w_hpack_decoder *h;
  nghttp2_hd_inflater *ng;
  list lh, ln;
} pair;

/* Where piece i of a block of n octets starts when fed in `parts`
 * pieces: 1-octet pieces (mode 1) end with an empty final piece, the
 * other modes cut evenly. */
static size_t cut(size_t n, unsigned mode, size_t parts, size_t i) {
  if (mode == 1) {
    return i < n ? i : n;
  }
  return i >= parts ? n : n * i / parts;
}

/* Feed one block to both decoders in the same pieces. */
static void feed(pair *p, const uint8_t *blk, size_t n, unsigned mode, int *rh,
                 int *rn) {
  size_t parts = mode == 0 ? 1 : mode == 1 ? n + 1 : mode == 2 ? 2 : 3, i;
  *rh = H2W_OK;
  *rn = 0;
  for (i = 0; i < parts && (*rh == H2W_OK || *rn == 0); i++) {
    size_t from = cut(n, mode, parts, i), to = cut(n, mode, parts, i + 1);
    int fin = i + 1 == parts;
    if (*rh == H2W_OK) {
      *rh = h2w_hpack_decode(p->h, blk + from, to - from,
                             fin ? H2W_HPACK_FINAL : 0u, on_field, &p->lh);
    }
    if (*rn == 0) {
      *rn = ng_piece(p->ng, blk + from, to - from, fin, &p->ln);
    }
  }
}

/* Compare the outcome of one block. Returns 1 to go on, 0 to stop. */
static int judge(pair *p, const uint8_t *blk, size_t n, int rh, int rn) {
  if (rh == H2W_E_LIMIT && rn == 0) {
    /* Exception 1: a prefix of nghttp2's fields, tables in step. */
    if (p->lh.len > p->ln.len || memcmp(p->lh.buf, p->ln.buf, p->lh.len)) {
      abort();
    }
  } else if (rh != H2W_OK && rn == 0) {
    if (leading_updates(blk, n) > 2) {
      return 0; /* exception 2 */
    }
    abort(); /* h2wire refused a block nghttp2 accepts */
  } else if (rh == H2W_OK && rn != 0) {
    if (n > 65536) {
      return 0; /* exception 3 */
    }
    abort(); /* h2wire accepted a block nghttp2 refuses */
  } else if (rh != H2W_OK) {
    return 0; /* both failed */
  } else if (p->lh.fields != p->ln.fields || p->lh.len != p->ln.len ||
             (p->lh.len > 0 && memcmp(p->lh.buf, p->ln.buf, p->lh.len))) {
    abort(); /* different fields */
  }
  if (h2w_hpack_decoder_table_size(p->h) !=
      nghttp2_hd_inflate_get_dynamic_table_size(p->ng)) {
    abort(); /* RFC 7541 §4.1 sizes differ: the tables diverged */
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint32_t sizes[8] = {0, 1, 32, 100, 256, 4096, 16384, 65536};
  pair p;
  size_t pos = 0;
  memset(&p, 0, sizeof p);
  if (h2w_hpack_decoder_new(&p.h, NULL) != H2W_OK ||
      nghttp2_hd_inflate_new(&p.ng) != 0) {
    abort();
  }
  h2w_hpack_decoder_set_max_header_list_size(p.h, 16u << 20);
  h2w_hpack_decoder_set_max_fields(p.h, 1000000);
  while (size - pos >= 3) {
    uint8_t ctl = data[pos];
    size_t n = (size_t)data[pos + 1] << 8 | data[pos + 2];
    int rh, rn;
    pos += 3;
    n = n < size - pos ? n : size - pos;
    if ((ctl & 0x80) &&
        (h2w_hpack_decoder_set_max_table_size(p.h, sizes[ctl & 7]) != H2W_OK ||
         nghttp2_hd_inflate_change_table_size(p.ng, sizes[ctl & 7]) != 0)) {
      abort(); /* both are between blocks */
    }
    p.lh.len = p.lh.fields = p.ln.len = p.ln.fields = 0;
    feed(&p, data + pos, n, (ctl >> 3) & 3u, &rh, &rn);
    pos += n;
    if (!judge(&p, data + pos - n, n, rh, rn)) {
      break;
    }
  }
  h2w_hpack_decoder_del(p.h);
  nghttp2_hd_inflate_del(p.ng);
  free(p.lh.buf);
  free(p.ln.buf);
  return 0;
}

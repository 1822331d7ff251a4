/* HPACK Huffman coding, RFC 7541 §5.2 with the code of Appendix B. The
 * tables come from tools/gen_huffman.py (src/huffman_table.c). */
#include "huffman.h"

size_t h2w_huffman_encoded_len(const uint8_t *src, size_t len) {
  /* 64-bit so that 30 bits per octet cannot wrap where size_t is 32-bit. */
  uint64_t bits = 0;
  size_t i;
  for (i = 0; i < len; i++) {
    bits += h2w_huffman_bits[src[i]];
  }
  return (size_t)((bits + 7) / 8);
}

static void put32(uint8_t *dst, uint32_t w) {
  dst[0] = (uint8_t)(w >> 24);
  dst[1] = (uint8_t)(w >> 16);
  dst[2] = (uint8_t)(w >> 8);
  dst[3] = (uint8_t)w;
}

size_t h2w_huffman_encode(uint8_t *dst, const uint8_t *src, size_t len) {
  /* Codes are at most 30 bits and fewer than 32 bits stay pending after
   * each flush, so the pending bits always fit the 64-bit register; bits
   * above them have already been written and may be shifted out. */
  uint64_t acc = 0;
  unsigned pending = 0;
  size_t n = 0;
  size_t i;
  for (i = 0; i < len; i++) {
    unsigned nbits = h2w_huffman_bits[src[i]];
    acc = (acc << nbits) | h2w_huffman_code[src[i]];
    pending += nbits;
    if (pending >= 32) {
      pending -= 32;
      put32(dst + n, (uint32_t)(acc >> pending));
      n += 4;
    }
  }
  if (pending % 8 != 0) {
    /* RFC 7541 §5.2: pad to an octet boundary with the most significant
     * bits of EOS, which are all ones. */
    unsigned pad = 8 - pending % 8;
    acc = (acc << pad) | ((1u << pad) - 1);
    pending += pad;
  }
  while (pending > 0) {
    pending -= 8;
    dst[n++] = (uint8_t)(acc >> pending);
  }
  return n;
}

size_t h2w_huffman_decoded_bound(size_t len) {
  /* len * 8 / 5 without overflowing the multiplication; saturate when the
   * result itself does not fit. */
  size_t whole = len / 5;
  size_t rest = (len % 5) * 8 / 5;
  if (whole > (SIZE_MAX - rest) / 8) {
    return SIZE_MAX;
  }
  return whole * 8 + rest;
}

/* Decode src[*pos..end) while dst is known to have room for two octets per
 * input octet (the most one octet can complete, as the shortest code has 5
 * bits). Both symbol slots are stored unconditionally and n advances by the
 * count, which keeps the loop free of data-dependent branches. Returns the
 * last entry, or one with H2W_HUFFMAN_FAIL set. */
static uint32_t decode_fast(uint8_t *dst, size_t *n, uint32_t *state,
                            const uint8_t *src, size_t begin, size_t end) {
  const uint32_t *t = h2w_huffman_decode_table;
  uint32_t e = H2W_HUFFMAN_ACCEPT;
  uint32_t row = *state << 8;
  size_t o = *n;
  size_t i;
  for (i = begin; i < end; i++) {
    e = t[row | src[i]];
    if (e & H2W_HUFFMAN_FAIL) {
      return e;
    }
    dst[o] = (uint8_t)H2W_HUFFMAN_SYM1(e);
    dst[o + 1] = (uint8_t)H2W_HUFFMAN_SYM2(e);
    o += H2W_HUFFMAN_COUNT(e);
    row = H2W_HUFFMAN_ROW(e);
  }
  *state = row >> 8;
  *n = o;
  return e;
}

/* The same for one octet with an exact room check, for the end of a
 * buffer that is nearly full. */
static h2w_ssize decode_one(uint8_t *dst, size_t cap, size_t *n,
                            uint32_t *state, uint8_t octet, uint32_t *last) {
  uint32_t e = h2w_huffman_decode_table[(*state << 8) | octet];
  uint32_t count = H2W_HUFFMAN_COUNT(e);
  if (e & H2W_HUFFMAN_FAIL) {
    return H2W_E_COMPRESSION;
  }
  if (count > cap - *n) {
    return H2W_E_BUFFER_TOO_SMALL;
  }
  if (count > 0) {
    dst[*n] = (uint8_t)H2W_HUFFMAN_SYM1(e);
  }
  if (count > 1) {
    dst[*n + 1] = (uint8_t)H2W_HUFFMAN_SYM2(e);
  }
  *n += count;
  *state = H2W_HUFFMAN_ROW(e) >> 8;
  *last = e;
  return H2W_OK;
}

void h2w_huffman_decoder_init(h2w_huffman_decoder *d) {
  d->state = 0;
  d->last = H2W_HUFFMAN_ACCEPT; /* an empty string is valid */
}

h2w_ssize h2w_huffman_decoder_feed(h2w_huffman_decoder *d, uint8_t *dst,
                                   size_t cap, const uint8_t *src, size_t len) {
  size_t n = 0;
  size_t i = 0;
  while (i < len) {
    size_t room = (cap - n) / 2;
    if (room > 0) {
      size_t end = len - i < room ? len : i + room;
      d->last = decode_fast(dst, &n, &d->state, src, i, end);
      if (d->last & H2W_HUFFMAN_FAIL) {
        return H2W_E_COMPRESSION;
      }
      i = end;
    } else {
      h2w_ssize rc = decode_one(dst, cap, &n, &d->state, src[i], &d->last);
      if (rc < 0) {
        return rc;
      }
      i++;
    }
  }
  return (h2w_ssize)n;
}

int h2w_huffman_decoder_check(h2w_huffman_decoder *d, const uint8_t *src,
                              size_t len) {
  /* The same automaton as decoding, symbols discarded: one table read per
   * octet, so checking a skipped string costs about what skipping it
   * does. */
  const uint32_t *t = h2w_huffman_decode_table;
  uint32_t row = d->state << 8;
  uint32_t e = d->last;
  size_t i;
  for (i = 0; i < len; i++) {
    e = t[row | src[i]];
    if (e & H2W_HUFFMAN_FAIL) {
      d->last = e;
      return H2W_E_COMPRESSION;
    }
    row = H2W_HUFFMAN_ROW(e);
  }
  d->state = row >> 8;
  d->last = e;
  return H2W_OK;
}

int h2w_huffman_decoder_finish(const h2w_huffman_decoder *d) {
  /* RFC 7541 §5.2: padding longer than 7 bits, or padding that is not the
   * most significant bits of EOS, is a decoding error. */
  return (d->last & H2W_HUFFMAN_ACCEPT) ? H2W_OK : H2W_E_COMPRESSION;
}

h2w_ssize h2w_huffman_decode(uint8_t *dst, size_t cap, const uint8_t *src,
                             size_t len) {
  h2w_huffman_decoder d;
  h2w_ssize n;
  h2w_huffman_decoder_init(&d);
  n = h2w_huffman_decoder_feed(&d, dst, cap, src, len);
  if (n < 0) {
    return n;
  }
  if (h2w_huffman_decoder_finish(&d) != H2W_OK) {
    return H2W_E_COMPRESSION;
  }
  return n;
}

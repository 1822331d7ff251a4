/* HPACK Huffman coding, RFC 7541 §5.2 with the code of Appendix B. The
 * tables come from tools/gen_huffman.py (src/huffman_table.c). */
#include "huffman.h"

#include <string.h>

/* The decoding loop is inlined into each of its two callers: the one-pass
 * decoder's pointer arguments then stay in registers. */
#if defined(__GNUC__)
#define DECODE_INLINE static inline __attribute__((always_inline))
#else
#define DECODE_INLINE static inline
#endif

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

#if H2W_HUFFMAN_IS_COMPACT
/* The compact automaton (H2W_HUFFMAN_COMPACT): two table reads per
 * octet, high nibble first, each emitting at most one symbol (the
 * shortest code has 5 bits). Same contracts as the byte-at-a-time
 * functions below, except that the entry returned only tells FAIL apart:
 * whether the string may end is read from the state (ends_ok). */

/* The entry for walking nibble `nib` from state `st`. The callers store
 * each symbol slot unconditionally (there is room for it) and advance by
 * whether the walk emitted one. */
#define STEP4(e, st, nib) ((e) = h2w_huffman_decode_table4[((st) << 4) | (nib)])

DECODE_INLINE uint32_t decode_fast(uint8_t *dst, size_t *n, uint32_t *state,
                                   const uint8_t *src, size_t begin,
                                   size_t end) {
  uint32_t st = *state, e;
  size_t o = *n;
  size_t i;
  for (i = begin; i < end; i++) {
    STEP4(e, st, (uint32_t)(src[i] >> 4));
    if (e == H2W_HUFFMAN4_FAIL) {
      return H2W_HUFFMAN_FAIL;
    }
    st = e & 0xffu;
    dst[o] = (uint8_t)(e >> 8);
    o += st < H2W_HUFFMAN4_EMITS;
    STEP4(e, st, (uint32_t)(src[i] & 0xfu));
    if (e == H2W_HUFFMAN4_FAIL) {
      return H2W_HUFFMAN_FAIL;
    }
    st = e & 0xffu;
    dst[o] = (uint8_t)(e >> 8);
    o += st < H2W_HUFFMAN4_EMITS;
  }
  *state = st;
  *n = o;
  return 0;
}

static h2w_ssize decode_one(uint8_t *dst, size_t cap, size_t *n,
                            uint32_t *state, uint8_t octet, uint32_t *last) {
  uint32_t hi, lo, mid;
  STEP4(hi, *state, (uint32_t)(octet >> 4));
  if (hi == H2W_HUFFMAN4_FAIL) {
    return H2W_E_COMPRESSION;
  }
  mid = hi & 0xffu;
  STEP4(lo, mid, (uint32_t)(octet & 0xfu));
  if (lo == H2W_HUFFMAN4_FAIL) {
    return H2W_E_COMPRESSION;
  }
  if ((size_t)(mid < H2W_HUFFMAN4_EMITS) +
          (size_t)((lo & 0xffu) < H2W_HUFFMAN4_EMITS) >
      cap - *n) {
    return H2W_E_BUFFER_TOO_SMALL;
  }
  if (mid < H2W_HUFFMAN4_EMITS) {
    dst[(*n)++] = (uint8_t)(hi >> 8);
  }
  if ((lo & 0xffu) < H2W_HUFFMAN4_EMITS) {
    dst[(*n)++] = (uint8_t)(lo >> 8);
  }
  *state = lo & 0xffu;
  *last = 0;
  return H2W_OK;
}

/* One octet through the automaton without output (decoder_check):
 * H2W_HUFFMAN_FAIL or 0. */
static uint32_t step_check(uint32_t *state, uint8_t octet) {
  uint32_t e;
  STEP4(e, *state, (uint32_t)(octet >> 4));
  if (e == H2W_HUFFMAN4_FAIL) {
    return H2W_HUFFMAN_FAIL;
  }
  STEP4(e, e & 0xffu, (uint32_t)(octet & 0xfu));
  if (e == H2W_HUFFMAN4_FAIL) {
    return H2W_HUFFMAN_FAIL;
  }
  *state = e & 0xffu;
  return 0;
}

/* RFC 7541 §5.2: the string may end in this state. */
static int ends_ok(const h2w_huffman_decoder *d) {
  return (h2w_huffman_accept4[d->state >> 3] >> (d->state & 7u)) & 1u;
}
#else
/* Both symbol slots of an entry (its low 16 bits, first symbol lowest) at
 * p[0] and p[1]: one 16-bit store where the byte order allows it. */
static void store_pair(uint8_t *p, uint32_t e) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint16_t pair = (uint16_t)e;
  memcpy(p, &pair, 2);
#else
  p[0] = (uint8_t)e;
  p[1] = (uint8_t)(e >> 8);
#endif
}

/* Decode src[*pos..end) while dst is known to have room for two octets per
 * input octet (the most one octet can complete, as the shortest code has 5
 * bits). Both symbol slots are stored unconditionally and n advances by the
 * count, which keeps the loop free of data-dependent branches; FAIL is
 * gathered and tested once at the end (a FAIL entry restarts at the root
 * and emits nothing, so the octets after it stay within the room, and the
 * caller discards the output of a failed string). Returns the last entry,
 * or H2W_HUFFMAN_FAIL. */
DECODE_INLINE uint32_t decode_fast(uint8_t *dst, size_t *n, uint32_t *state,
                                   const uint8_t *src, size_t begin,
                                   size_t end) {
  const uint32_t *t = h2w_huffman_decode_table;
  uint32_t e = H2W_HUFFMAN_ACCEPT, seen = 0;
  uint32_t row = *state << 8;
  size_t o = *n;
  size_t i;
  i = begin;
  /* Two octets a round: the loop's own compare and branch are paid once
   * per two table steps. */
  for (; end - i >= 2; i += 2) {
    e = t[row | src[i]];
    seen |= e;
    store_pair(dst + o, e);
    o += H2W_HUFFMAN_COUNT(e);
    row = H2W_HUFFMAN_ROW(e);
    e = t[row | src[i + 1]];
    seen |= e;
    store_pair(dst + o, e);
    o += H2W_HUFFMAN_COUNT(e);
    row = H2W_HUFFMAN_ROW(e);
  }
  if (i < end) {
    e = t[row | src[i]];
    seen |= e;
    store_pair(dst + o, e);
    o += H2W_HUFFMAN_COUNT(e);
    row = H2W_HUFFMAN_ROW(e);
  }
  if (seen & H2W_HUFFMAN_FAIL) {
    return H2W_HUFFMAN_FAIL;
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

/* One octet through the automaton without output (decoder_check): the
 * entry, FAIL included. */
static uint32_t step_check(uint32_t *state, uint8_t octet) {
  uint32_t e = h2w_huffman_decode_table[(*state << 8) | octet];
  *state = H2W_HUFFMAN_ROW(e) >> 8;
  return e;
}

/* RFC 7541 §5.2: the string may end after the last octet fed. */
static int ends_ok(const h2w_huffman_decoder *d) {
  return (d->last & H2W_HUFFMAN_ACCEPT) != 0;
}
#endif

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
  /* The same automaton as decoding, symbols discarded, so checking a
   * skipped string costs about what skipping it does. */
  uint32_t state = d->state;
  uint32_t e = d->last;
  size_t i;
  for (i = 0; i < len; i++) {
    e = step_check(&state, src[i]);
    if (e & H2W_HUFFMAN_FAIL) {
      d->last = e;
      return H2W_E_COMPRESSION;
    }
  }
  d->state = state;
  d->last = e;
  return H2W_OK;
}

int h2w_huffman_decoder_finish(const h2w_huffman_decoder *d) {
  /* RFC 7541 §5.2: padding longer than 7 bits, or padding that is not the
   * most significant bits of EOS, is a decoding error. */
  return ends_ok(d) ? H2W_OK : H2W_E_COMPRESSION;
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

h2w_ssize h2w_huffman_decode_roomy(uint8_t *dst, const uint8_t *src,
                                   size_t len) {
  /* One pass of the unchecked loop: the caller's room covers every store
   * it makes (see huffman.h), so no room is computed per piece. */
  h2w_huffman_decoder d;
  size_t n = 0;
  d.state = 0;
  d.last = decode_fast(dst, &n, &d.state, src, 0, len);
  if ((d.last & H2W_HUFFMAN_FAIL) || !ends_ok(&d)) {
    return H2W_E_COMPRESSION; /* EOS decoded, or bad padding (§5.2) */
  }
  return (h2w_ssize)n;
}

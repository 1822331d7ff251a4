/* HPACK Huffman coding (RFC 7541 §5.2, code table in Appendix B).
 *
 * Stateless, allocation-free helpers used by the HPACK string literal codec.
 * The whole string is always available to the caller (a string literal is
 * length-prefixed, RFC 7541 §5.2), so there is no incremental API: the
 * decoder checks the padding rules against the real end of the input. */
#ifndef H2W_HUFFMAN_H
#define H2W_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

/* Exact number of octets the Huffman encoding of src[0..len) takes, padding
 * included (RFC 7541 §5.2). src may be NULL when len is 0. */
size_t h2w_huffman_encoded_len(const uint8_t *src, size_t len);

/* Encode src into dst, which has room for h2w_huffman_encoded_len(src, len)
 * octets; pads with the EOS prefix (all ones). Returns octets written. */
size_t h2w_huffman_encode(uint8_t *dst, const uint8_t *src, size_t len);

/* Upper bound of the decoded length of len Huffman octets (shortest code is
 * 5 bits: len * 8 / 5). */
size_t h2w_huffman_decoded_bound(size_t len);

/* Decode src[0..len) into dst[0..cap). Returns octets written,
 * H2W_E_COMPRESSION for invalid input (EOS symbol decoded, padding longer
 * than 7 bits, padding not all ones — RFC 7541 §5.2), or
 * H2W_E_BUFFER_TOO_SMALL. Never reads src past len, never writes dst past
 * cap. Empty input decodes to 0 octets. */
h2w_ssize h2w_huffman_decode(uint8_t *dst, size_t cap, const uint8_t *src,
                             size_t len);

/* Room h2w_huffman_decode_roomy() needs for len input octets: the
 * decoded length bound (len * 8 / 5, shortest code 5 bits) plus 2, for the
 * unconditional stores of its loop (each step writes every symbol slot it
 * has, at most 2 octets, at the current output position, which is never
 * past the bound of the octets consumed so far). Saturates. */
static inline size_t h2w_huffman_roomy_bound(size_t len) {
  size_t b = h2w_huffman_decoded_bound(len);
  return b > SIZE_MAX - 2 ? SIZE_MAX : b + 2;
}

/* h2w_huffman_decode() for a caller whose dst holds
 * h2w_huffman_roomy_bound(len) octets: one pass, no room checks. Octets
 * past the returned length may have been written. Same results
 * otherwise. */
h2w_ssize h2w_huffman_decode_roomy(uint8_t *dst, const uint8_t *src,
                                   size_t len);

/* Incremental decoding, for a string whose octets arrive in pieces. The
 * concatenated outputs equal what h2w_huffman_decode() gives for the whole
 * string. A plain struct so that it can live inside its owner; no
 * allocation, no teardown. */
typedef struct h2w_huffman_decoder {
  uint32_t state; /* node of the code tree reached so far; 0 = root */
  uint32_t last;  /* last automaton entry (its ACCEPT bit matters) */
} h2w_huffman_decoder;

/* Start a new string. */
void h2w_huffman_decoder_init(h2w_huffman_decoder *d);

/* Decode the next piece src[0..len) into dst[0..cap). Returns octets
 * written, H2W_E_COMPRESSION (EOS decoded) or H2W_E_BUFFER_TOO_SMALL; after
 * an error the decoder must be re-initialised before reuse. Never reads src
 * past len, never writes dst past cap. */
h2w_ssize h2w_huffman_decoder_feed(h2w_huffman_decoder *d, uint8_t *dst,
                                   size_t cap, const uint8_t *src, size_t len);

/* Validate the next piece src[0..len) without producing output, for a
 * string that is skipped rather than decoded (it cannot be delivered):
 * RFC 7541 §5.2 makes an EOS symbol or bad padding a decoding error
 * whether or not the string is used. H2W_OK or H2W_E_COMPRESSION (EOS
 * decoded). End with h2w_huffman_decoder_finish() as for _feed(). */
int h2w_huffman_decoder_check(h2w_huffman_decoder *d, const uint8_t *src,
                              size_t len);

/* The string ends here: H2W_OK if the octets fed so far end with valid
 * padding (at most 7 bits, all ones — RFC 7541 §5.2), otherwise
 * H2W_E_COMPRESSION. */
int h2w_huffman_decoder_finish(const h2w_huffman_decoder *d);

/* Generated tables (src/huffman_table.c, by tools/gen_huffman.py), for
 * src/huffman.c and its tests only. */

/* Code and bit length of each symbol 0..255 and EOS (256), RFC 7541
 * Appendix B. The code sits in the low h2w_huffman_bits[s] bits. */
extern const uint32_t h2w_huffman_code[257];
extern const uint8_t h2w_huffman_bits[257];

/* Which decoding automaton is built in. The byte-at-a-time one (256 KiB)
 * takes one table read per input octet; the compact one (8 KiB, four bits
 * a step) takes two, but fits in a first-level data cache. Define
 * H2W_HUFFMAN_COMPACT (non-zero, or empty: `-DH2W_HUFFMAN_COMPACT`) for
 * the compact one; CMake's option of the same name does. */
#if defined(H2W_HUFFMAN_COMPACT)
/* The second test is true only for an empty definition (`0 - - 1`), as a
 * bare `#define H2W_HUFFMAN_COMPACT` in a configuration header gives. */
#if (H2W_HUFFMAN_COMPACT + 0) != 0 || (0 - H2W_HUFFMAN_COMPACT - 1) == 1
#define H2W_HUFFMAN_IS_COMPACT 1
#else
#define H2W_HUFFMAN_IS_COMPACT 0
#endif
#else
#define H2W_HUFFMAN_IS_COMPACT 0
#endif

#if H2W_HUFFMAN_IS_COMPACT
/* Four-bits-a-step automaton: entry [state * 16 + nibble], the high
 * nibble of an octet first. A state is an internal node of the code tree
 * (256 of them, numbered breadth-first; 0 is the root). An entry is the
 * next state in bits 0..7 and the symbol it emitted in bits 8..15; it
 * emitted one exactly when the next state is below
 * H2W_HUFFMAN4_EMITS (tools/gen_huffman.py says why). */
extern const uint16_t h2w_huffman_decode_table4[256 * 16];
/* Bit [state] set when a string may end in that state: the unfinished
 * code is at most 7 bits, all ones (RFC 7541 §5.2 padding). */
extern const uint8_t h2w_huffman_accept4[32];
#define H2W_HUFFMAN4_EMITS 15u
/* The entry of a walk that decoded EOS (an error, RFC 7541 §5.2). */
#define H2W_HUFFMAN4_FAIL 0xffffu
#else
/* Byte-at-a-time decoding automaton: entry [state * 256 + octet]. A state
 * is an internal node of the code tree (256 of them; 0 is the root). */
extern const uint32_t h2w_huffman_decode_table[256 * 256];
#endif

/* Entry layout of h2w_huffman_decode_table (see tools/gen_huffman.py):
 * the two symbol slots are the low 16 bits, so that both are stored
 * together; the count is the top two bits, one shift away. */
#define H2W_HUFFMAN_SYM1(e) ((uint32_t)(e)&0xffu)
#define H2W_HUFFMAN_SYM2(e) (((e) >> 8) & 0xffu)
/* Next state times 256: the offset of its row, ready to OR the next octet
 * into. */
#define H2W_HUFFMAN_ROW(e) (((uint32_t)(e) >> 8) & 0xff00u)
#define H2W_HUFFMAN_COUNT(e) ((uint32_t)(e) >> 30)
/* The input may end after this octet: the unfinished code so far is at
 * most 7 bits, all ones (valid padding, RFC 7541 §5.2). */
#define H2W_HUFFMAN_ACCEPT (1u << 28)
/* The octet completed the EOS code (an error, RFC 7541 §5.2). */
#define H2W_HUFFMAN_FAIL (1u << 29)

#endif

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

#endif

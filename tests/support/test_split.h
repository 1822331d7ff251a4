/* Feeding input in pieces, as every receive-path test must: whole, one byte at
 * a time, or at pseudo-random split points from a fixed seed so that runs are
 * repeatable. */
#ifndef H2W_TEST_SPLIT_H
#define H2W_TEST_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

/* Deterministic PRNG (xorshift32); *s must not be 0. */
uint32_t h2w_test_rng(uint32_t *s);

enum { H2W_SPLIT_WHOLE, H2W_SPLIT_BYTEWISE, H2W_SPLIT_RANDOM, H2W_SPLIT_MODES };

/* Decode one header block p[0..n) with `dec`, cut as `mode` says (random
 * pieces are 1..max_piece octets long); the last call carries
 * H2W_HPACK_FINAL. Returns the first non-OK result of h2w_hpack_decode. */
int h2w_test_hpack_feed(h2w_hpack_decoder *dec, const uint8_t *p, size_t n,
                        int mode, uint32_t *seed, size_t max_piece,
                        h2w_hpack_field_cb cb, void *user);

#endif

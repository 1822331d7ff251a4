/* Rate limiters on the caller's clock (docs/security.md rows 4, 7-10): token
 * buckets that a peer's cheap-to-send, costly-to-handle events drain and
 * time refills. The library has no clock of its own; `now` is the last
 * value given to h2w_session_tick(), so a session that is never ticked
 * gets the burst and no refill. */
#ifndef H2W_LIMITS_H
#define H2W_LIMITS_H

#include <stdint.h>

/* Amounts are kept in thousandths of a token so that a refill rate in
 * tokens per second is exact per millisecond. */
typedef struct h2w_bucket {
  uint64_t level; /* thousandths of a token */
  uint64_t cap;   /* burst * 1000; 0 = limiter off */
  uint32_t rate;  /* tokens per second = thousandths per millisecond */
  uint64_t last;  /* time of the last refill, ms */
} h2w_bucket;

/* A full bucket of `burst` tokens refilled at `per_second`. burst 0
 * turns the limiter off. */
void h2w_bucket_init(h2w_bucket *b, uint32_t burst, uint32_t per_second,
                     uint64_t now);
/* The caller's clock started: count refills from `now`, not from 0. */
void h2w_bucket_restart(h2w_bucket *b, uint64_t now);
/* Take one token at time `now`. Returns 0, or -1 when the bucket is
 * empty (the token is not taken). */
int h2w_bucket_take(h2w_bucket *b, uint64_t now);

#endif

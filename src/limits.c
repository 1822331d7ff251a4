#include "limits.h"

void h2w_bucket_init(h2w_bucket *b, uint32_t burst, uint32_t per_second,
                     uint64_t now) {
  b->cap = (uint64_t)burst * 1000u;
  b->level = b->cap;
  b->rate = per_second;
  b->last = now;
}

void h2w_bucket_restart(h2w_bucket *b, uint64_t now) {
  b->last = now;
}

int h2w_bucket_take(h2w_bucket *b, uint64_t now) {
  if (b->cap == 0) {
    return 0;
  }
  if (now > b->last) {
    uint64_t dt = now - b->last;
    uint64_t room = b->cap - b->level;
    /* dt * rate can only overflow after ~5.8e9 years at 2^32/s; the
     * division keeps the check exact anyway. */
    if (b->rate != 0 && dt >= room / b->rate + 1) {
      b->level = b->cap;
    } else {
      b->level += dt * b->rate;
    }
    b->last = now;
  }
  if (b->level < 1000u) {
    return -1;
  }
  b->level -= 1000u;
  return 0;
}

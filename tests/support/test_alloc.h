/* A counting, failure-injecting h2w_mem for tests: counts calls and live
 * blocks/bytes (with the peak, for memory-bound assertions), and fails the
 * k-th allocation call, or every call while fail_all is set. */
#ifndef H2W_TEST_ALLOC_H
#define H2W_TEST_ALLOC_H

#include <stddef.h>

#include "h2wire.h"

typedef struct h2w_test_alloc {
  h2w_mem mem;   /* hooks bound to this struct: pass &t.mem */
  long calls;    /* malloc + realloc calls, failed ones included */
  long mallocs;  /* successful malloc calls */
  long reallocs; /* successful realloc calls */
  long frees;    /* free calls with a non-NULL pointer */
  long live;     /* blocks currently allocated */
  size_t bytes;  /* bytes currently allocated */
  size_t peak;   /* high-water mark of bytes */
  long fail_at;  /* fail call number k (1-based); 0 = never */
  int fail_all;  /* fail every call while non-zero */
  int failed;    /* set once a call was made to fail */
} h2w_test_alloc;

/* Reset all counters and bind t->mem to t. */
void h2w_test_alloc_init(h2w_test_alloc *t);

#endif

/* Internal allocator wrapper: every allocation of every object goes through
 * the caller's h2w_mem hooks (no global allocator), and is counted so that a
 * memory budget can be enforced per object. Frees are sized: each owner knows
 * how much it allocated, which keeps the accounting exact without a hidden
 * header in front of every block. */
#ifndef H2W_MEM_H
#define H2W_MEM_H

#include <stddef.h>

#include "h2wire.h"

typedef struct h2w_alloc {
  h2w_mem hooks;
  size_t in_use; /* bytes currently held through this allocator */
  size_t peak;   /* high-water mark of in_use */
  size_t budget; /* 0 = unlimited; otherwise in_use never exceeds it */
  int refused;   /* the last allocation failed on the budget, not the hook */
} h2w_alloc;

/* Copy `mem` (or the libc defaults when NULL). Returns H2W_OK or
 * H2W_E_INVALID_ARGUMENT when a hook is missing. */
int h2w_alloc_init(h2w_alloc *a, const h2w_mem *mem);

/* 1 when `extra` more bytes would pass the budget (never without one). */
int h2w_alloc_over(const h2w_alloc *a, size_t extra);

/* NULL when n == 0, on hook failure, or when the budget would be passed. */
void *h2w_alloc_malloc(h2w_alloc *a, size_t n);

/* Like realloc; `old` is the size previously allocated for p (0 if p is
 * NULL). On failure p is left untouched and NULL is returned. n must be
 * > 0. */
void *h2w_alloc_realloc(h2w_alloc *a, void *p, size_t old, size_t n);

/* `n` must be the size p was allocated with. NULL is a no-op. */
void h2w_alloc_free(h2w_alloc *a, void *p, size_t n);

/* Allocate storage for one object of type T, or an array of k. The
 * multiplication is checked. */
void *h2w_alloc_array(h2w_alloc *a, size_t k, size_t size);

/* Public handles carry their own allocator inside the block they live in.
 * h2w_alloc_box allocates `size` bytes through an allocator built from
 * `mem` and stores that allocator at byte offset `alloc_off` of the block.
 * Returns the block, or NULL with *err set to H2W_E_INVALID_ARGUMENT (bad
 * hooks) or H2W_E_NOMEM. h2w_alloc_unbox frees such a block. */
void *h2w_alloc_box(const h2w_mem *mem, size_t size, size_t alloc_off,
                    int *err);
void h2w_alloc_unbox(void *box, size_t size, size_t alloc_off);

#endif

#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *libc_malloc(size_t size, void *user) {
  (void)user;
  return malloc(size);
}

static void *libc_realloc(void *ptr, size_t size, void *user) {
  (void)user;
  return realloc(ptr, size);
}

static void libc_free(void *ptr, void *user) {
  (void)user;
  free(ptr);
}

int h2w_alloc_init(h2w_alloc *a, const h2w_mem *mem) {
  if (a == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (mem == NULL) {
    a->hooks.malloc_fn = libc_malloc;
    a->hooks.realloc_fn = libc_realloc;
    a->hooks.free_fn = libc_free;
    a->hooks.user = NULL;
  } else {
    if (mem->malloc_fn == NULL || mem->realloc_fn == NULL ||
        mem->free_fn == NULL) {
      return H2W_E_INVALID_ARGUMENT;
    }
    a->hooks = *mem;
  }
  a->in_use = 0;
  a->peak = 0;
  a->budget = 0;
  a->refused = 0;
  return H2W_OK;
}

int h2w_alloc_over(const h2w_alloc *a, size_t extra) {
  return a->budget != 0 && (extra > a->budget || a->in_use > a->budget - extra);
}

static int over_budget(h2w_alloc *a, size_t extra) {
  a->refused = h2w_alloc_over(a, extra);
  return a->refused;
}

static void charge(h2w_alloc *a, size_t n) {
  a->in_use += n;
  if (a->in_use > a->peak) {
    a->peak = a->in_use;
  }
}

void *h2w_alloc_malloc(h2w_alloc *a, size_t n) {
  void *p;
  if (n == 0 || over_budget(a, n)) {
    return NULL;
  }
  p = a->hooks.malloc_fn(n, a->hooks.user);
  if (p != NULL) {
    charge(a, n);
  }
  return p;
}

void *h2w_alloc_realloc(h2w_alloc *a, void *p, size_t old, size_t n) {
  void *q;
  if (n == 0) {
    return NULL;
  }
  if (over_budget(a, n > old ? n - old : 0)) {
    return NULL;
  }
  q = a->hooks.realloc_fn(p, n, a->hooks.user);
  if (q == NULL) {
    return NULL;
  }
  a->in_use -= old;
  charge(a, n);
  return q;
}

void h2w_alloc_free(h2w_alloc *a, void *p, size_t n) {
  if (p == NULL) {
    return;
  }
  a->hooks.free_fn(p, a->hooks.user);
  a->in_use -= n;
}

void *h2w_alloc_array(h2w_alloc *a, size_t k, size_t size) {
  if (size != 0 && k > SIZE_MAX / size) {
    return NULL;
  }
  return h2w_alloc_malloc(a, k * size);
}

void *h2w_alloc_box(const h2w_mem *mem, size_t size, size_t alloc_off,
                    int *err) {
  h2w_alloc a;
  unsigned char *box;
  *err = h2w_alloc_init(&a, mem);
  if (*err != H2W_OK) {
    return NULL;
  }
  box = h2w_alloc_malloc(&a, size);
  if (box == NULL) {
    *err = H2W_E_NOMEM;
    return NULL;
  }
  memcpy(box + alloc_off, &a, sizeof(a));
  return box;
}

void h2w_alloc_unbox(void *box, size_t size, size_t alloc_off) {
  h2w_alloc a;
  if (box == NULL) {
    return;
  }
  /* Copy the allocator out first: it lives in the block being freed. */
  memcpy(&a, (unsigned char *)box + alloc_off, sizeof(a));
  h2w_alloc_free(&a, box, size);
}

#include "test_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Each block carries its size in a prefix, so frees can be counted in
 * bytes; max_align_t keeps the user pointer suitably aligned. */
typedef union prefix {
  size_t size;
  max_align_t align;
} prefix;

static int should_fail(h2w_test_alloc *t) {
  t->calls++;
  if (t->fail_all || t->calls == t->fail_at) {
    t->failed = 1;
    return 1;
  }
  return 0;
}

static void note_alloc(h2w_test_alloc *t, size_t n) {
  t->bytes += n;
  if (t->bytes > t->peak) {
    t->peak = t->bytes;
  }
}

static void *t_malloc(size_t n, void *user) {
  h2w_test_alloc *t = user;
  prefix *p;
  if (should_fail(t) || n > SIZE_MAX - sizeof(prefix)) {
    return NULL;
  }
  p = malloc(sizeof(prefix) + n);
  if (p == NULL) {
    return NULL;
  }
  p->size = n;
  t->mallocs++;
  t->live++;
  note_alloc(t, n);
  return p + 1;
}

static void *t_realloc(void *ptr, size_t n, void *user) {
  h2w_test_alloc *t = user;
  prefix *p, *q;
  size_t old;
  if (ptr == NULL) {
    return t_malloc(n, user);
  }
  if (should_fail(t) || n > SIZE_MAX - sizeof(prefix)) {
    return NULL;
  }
  p = (prefix *)ptr - 1;
  old = p->size;
  q = realloc(p, sizeof(prefix) + n);
  if (q == NULL) {
    return NULL;
  }
  q->size = n;
  t->reallocs++;
  t->bytes -= old;
  note_alloc(t, n);
  return q + 1;
}

static void t_free(void *ptr, void *user) {
  h2w_test_alloc *t = user;
  prefix *p;
  if (ptr == NULL) {
    return;
  }
  p = (prefix *)ptr - 1;
  t->frees++;
  t->live--;
  t->bytes -= p->size;
  free(p);
}

void h2w_test_alloc_init(h2w_test_alloc *t) {
  memset(t, 0, sizeof(*t));
  t->mem.malloc_fn = t_malloc;
  t->mem.realloc_fn = t_realloc;
  t->mem.free_fn = t_free;
  t->mem.user = t;
}

/* Output queue: see outq.h. */
#include "outq.h"

#include <string.h>

void h2w_outq_init(h2w_outq *q, h2w_alloc *a) {
  memset(q, 0, sizeof(*q));
  q->alloc = a;
}

void h2w_outq_free(h2w_outq *q) {
  h2w_alloc_free(q->alloc, q->buf, q->cap);
  q->buf = NULL;
  q->cap = q->head = q->tail = q->mark = 0;
  q->hw = 0;
  q->drains = 0;
}

uint8_t *h2w_outq_reserve(h2w_outq *q, size_t n) {
  size_t len = q->tail - q->head;
  size_t want;
  uint8_t *nb;
  if (q->cap - q->tail >= n) {
    return q->buf + q->tail;
  }
  /* Sliding the live octets to the front is enough when at least half of
   * the buffer is already consumed; otherwise grow geometrically. */
  if (!q->pinned && q->head > 0 && q->cap - len >= n && q->head >= len) {
    memmove(q->buf, q->buf + q->head, len);
    q->mark -= q->head;
    q->tail = len;
    q->head = 0;
    return q->buf + q->tail;
  }
  if (n > SIZE_MAX / 2 - q->tail) {
    return NULL;
  }
  want = q->cap < 512 ? 512 : q->cap;
  while (want - q->tail < n) {
    want *= 2;
  }
  nb = h2w_alloc_realloc(q->alloc, q->buf, q->cap, want);
  if (nb == NULL) {
    return NULL;
  }
  q->buf = nb;
  q->cap = want;
  return q->buf + q->tail;
}

void h2w_outq_commit(h2w_outq *q, size_t n) {
  q->tail += n;
  if (q->tail > q->hw) {
    q->hw = q->tail;
  }
}

static void release(h2w_outq *q) {
  h2w_alloc_free(q->alloc, q->buf, q->cap);
  q->buf = NULL;
  q->cap = q->head = q->tail = q->mark = 0;
}

void h2w_outq_consume(h2w_outq *q, size_t n) {
  q->head += n;
  if (q->head == q->tail && !q->pinned && q->mark == q->tail) {
    q->head = q->tail = q->mark = 0;
    if (++q->drains >= H2W_OUTQ_DECAY_DRAINS) {
      if (q->cap > H2W_OUTQ_KEEP && q->hw <= q->cap / 4) {
        release(q);
      }
      q->hw = 0;
      q->drains = 0;
    }
  }
}

void h2w_outq_truncate(h2w_outq *q, size_t off) {
  if (off < q->tail) {
    q->tail = off;
  }
  if (q->mark > q->tail) {
    q->mark = q->tail;
  }
}

void h2w_outq_shrink(h2w_outq *q, size_t keep) {
  if (q->head == q->tail && q->cap > keep && !q->pinned) {
    release(q);
  }
}

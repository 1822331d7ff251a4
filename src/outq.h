/* The output queue: a byte FIFO of complete frames waiting to be written,
 * in the order they must reach the peer. Frames are appended whole and
 * leave in pieces of any size; a mark remembers where the next frame not
 * yet reported to the application begins, so that tracing callbacks see
 * each frame exactly once, when it is handed out. No session state. */
#ifndef H2W_OUTQ_H
#define H2W_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct h2w_outq {
  h2w_alloc *alloc; /* borrowed */
  uint8_t *buf;
  size_t cap;
  size_t head;     /* first octet not yet handed out */
  size_t tail;     /* end of the queued octets */
  size_t mark;     /* start of the next frame not yet reported (>= head's
                      frame start; tail when all are reported) */
  int pinned;      /* octets must not move (pointers into buf are live) */
  size_t hw;       /* highest tail since the last decay check */
  uint32_t drains; /* times the queue emptied since then */
} h2w_outq;

/* Hysteresis of the automatic release: every H2W_OUTQ_DECAY_DRAINS times
 * the queue empties, a buffer larger than H2W_OUTQ_KEEP of which at most a
 * quarter was used meanwhile is released (the next frame allocates one
 * to fit). A burst does not pin its memory for the connection's life, and
 * a steady load, which keeps using its buffer, never reallocates. */
#define H2W_OUTQ_DECAY_DRAINS 64u
#define H2W_OUTQ_KEEP 4096u

void h2w_outq_init(h2w_outq *q, h2w_alloc *a);
void h2w_outq_free(h2w_outq *q);
/* Room for n more octets at the tail: a pointer to them, or NULL on
 * NOMEM. Nothing is queued until h2w_outq_commit(). May move the queued
 * octets to the front unless pinned (offsets head/tail/mark follow). */
uint8_t *h2w_outq_reserve(h2w_outq *q, size_t n);
void h2w_outq_commit(h2w_outq *q, size_t n);
static inline size_t h2w_outq_len(const h2w_outq *q) {
  return q->tail - q->head;
}
static inline const uint8_t *h2w_outq_data(const h2w_outq *q) {
  return q->buf + q->head;
}
/* n octets were handed out. An emptied queue starts again at offset 0. */
void h2w_outq_consume(h2w_outq *q, size_t n);
/* Drop every queued octet from offset `off` (a frame boundary) on. */
void h2w_outq_truncate(h2w_outq *q, size_t off);
/* Release the buffer when the queue is empty and it grew past `keep`. */
void h2w_outq_shrink(h2w_outq *q, size_t keep);

#endif

/* A binary min-heap of deadlines (CLOCK_MONOTONIC ms), so the event loop
 * finds the earliest of thousands of session deadlines and /events ticks
 * in O(1) and re-arms one in O(log n). Timers are embedded in their
 * owners; the heap only holds pointers. */
#ifndef EX_TIMER_H
#define EX_TIMER_H

#include <stddef.h>
#include <stdint.h>

typedef struct ex_timer ex_timer;
/* Called when the timer is due; it has already been removed from the heap
 * and may be re-armed or its owner freed. */
typedef void (*ex_timer_fn)(ex_timer *t, uint64_t now);

struct ex_timer {
  uint64_t due;
  size_t slot; /* 1 + index in the heap; 0 when not armed */
  ex_timer_fn fire;
  void *owner;
};

typedef struct ex_heap {
  ex_timer **v;
  size_t n;
  size_t cap;
} ex_heap;

void ex_timer_init(ex_timer *t, ex_timer_fn fire, void *owner);
/* Arm (or move) t to `due`. Returns 0, or -1 when the heap cannot grow. */
int ex_heap_arm(ex_heap *h, ex_timer *t, uint64_t due);
/* Disarm t; a no-op when it is not armed. */
void ex_heap_disarm(ex_heap *h, ex_timer *t);
/* The earliest due time, UINT64_MAX when empty. */
uint64_t ex_heap_next(const ex_heap *h);
/* Fire every timer due at or before `now`, earliest first. A callback that
 * re-arms its timer at `now` or earlier is called again in the same run,
 * so callbacks re-arm strictly later. */
void ex_heap_run(ex_heap *h, uint64_t now);
void ex_heap_free(ex_heap *h);

#endif

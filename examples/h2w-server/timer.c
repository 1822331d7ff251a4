#include "timer.h"

#include <stdlib.h>

void ex_timer_init(ex_timer *t, ex_timer_fn fire, void *owner) {
  t->due = 0;
  t->slot = 0;
  t->fire = fire;
  t->owner = owner;
}

static void place(ex_heap *h, size_t i, ex_timer *t) {
  h->v[i] = t;
  t->slot = i + 1;
}

static void sift_up(ex_heap *h, size_t i) {
  ex_timer *t = h->v[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (h->v[parent]->due <= t->due) {
      break;
    }
    place(h, i, h->v[parent]);
    i = parent;
  }
  place(h, i, t);
}

static void sift_down(ex_heap *h, size_t i) {
  ex_timer *t = h->v[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n) {
      break;
    }
    if (c + 1 < h->n && h->v[c + 1]->due < h->v[c]->due) {
      c++;
    }
    if (t->due <= h->v[c]->due) {
      break;
    }
    place(h, i, h->v[c]);
    i = c;
  }
  place(h, i, t);
}

int ex_heap_arm(ex_heap *h, ex_timer *t, uint64_t due) {
  if (t->slot != 0) {
    size_t i = t->slot - 1;
    uint64_t old = t->due;
    t->due = due;
    if (due < old) {
      sift_up(h, i);
    } else {
      sift_down(h, i);
    }
    return 0;
  }
  if (h->n == h->cap) {
    size_t cap = h->cap != 0 ? h->cap * 2 : 64;
    ex_timer **v = realloc(h->v, cap * sizeof *v);
    if (v == NULL) {
      return -1;
    }
    h->v = v;
    h->cap = cap;
  }
  t->due = due;
  h->v[h->n] = t;
  h->n++;
  sift_up(h, h->n - 1);
  return 0;
}

void ex_heap_disarm(ex_heap *h, ex_timer *t) {
  if (t->slot == 0) {
    return;
  }
  size_t i = t->slot - 1;
  t->slot = 0;
  h->n--;
  if (i == h->n) {
    return;
  }
  /* The last entry fills the hole and moves whichever way it must. */
  ex_timer *last = h->v[h->n];
  place(h, i, last);
  if (i > 0 && h->v[(i - 1) / 2]->due > last->due) {
    sift_up(h, i);
  } else {
    sift_down(h, i);
  }
}

uint64_t ex_heap_next(const ex_heap *h) {
  return h->n != 0 ? h->v[0]->due : UINT64_MAX;
}

void ex_heap_run(ex_heap *h, uint64_t now) {
  while (h->n != 0 && h->v[0]->due <= now) {
    ex_timer *t = h->v[0];
    ex_heap_disarm(h, t);
    t->fire(t, now);
  }
}

void ex_heap_free(ex_heap *h) {
  free(h->v);
  h->v = NULL;
  h->n = 0;
  h->cap = 0;
}

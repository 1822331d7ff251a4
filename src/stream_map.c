/* Stream table: see stream_map.h. */
#include "stream_map.h"

#include <string.h>

static size_t slot_of(uint32_t id, size_t cap) {
  /* Fibonacci hashing: consecutive odd ids land far apart. */
  return (size_t)((id * 2654435769u) >> 7) & (cap - 1);
}

void h2w_stream_map_init(h2w_stream_map *m, h2w_alloc *a) {
  memset(m, 0, sizeof(*m));
  m->alloc = a;
}

void h2w_stream_map_free(h2w_stream_map *m) {
  h2w_alloc_free(m->alloc, m->slots, m->cap * sizeof(*m->slots));
  m->slots = NULL;
  m->cap = m->len = 0;
}

void *h2w_stream_map_get(const h2w_stream_map *m, uint32_t id) {
  size_t i;
  if (m->cap == 0 || id == 0) {
    return NULL;
  }
  for (i = slot_of(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->slots[i].id == id) {
      return m->slots[i].value;
    }
    if (m->slots[i].id == 0) {
      return NULL;
    }
  }
}

static void insert_slot(h2w_stream_map_slot *slots, size_t cap, uint32_t id,
                        void *value) {
  size_t i = slot_of(id, cap);
  while (slots[i].id != 0) {
    i = (i + 1) & (cap - 1);
  }
  slots[i].id = id;
  slots[i].value = value;
}

static int grow(h2w_stream_map *m) {
  size_t ncap = m->cap == 0 ? 16 : m->cap * 2;
  size_t i;
  h2w_stream_map_slot *ns = h2w_alloc_array(m->alloc, ncap, sizeof(*ns));
  if (ns == NULL) {
    return H2W_E_NOMEM;
  }
  memset(ns, 0, ncap * sizeof(*ns));
  for (i = 0; i < m->cap; i++) {
    if (m->slots[i].id != 0) {
      insert_slot(ns, ncap, m->slots[i].id, m->slots[i].value);
    }
  }
  h2w_alloc_free(m->alloc, m->slots, m->cap * sizeof(*m->slots));
  m->slots = ns;
  m->cap = ncap;
  return H2W_OK;
}

int h2w_stream_map_put(h2w_stream_map *m, uint32_t id, void *value) {
  /* Keep the load under 3/4 so probe runs stay short. */
  if ((m->len + 1) * 4 > m->cap * 3) {
    int rv = grow(m);
    if (rv != H2W_OK) {
      return rv;
    }
  }
  insert_slot(m->slots, m->cap, id, value);
  m->len++;
  return H2W_OK;
}

void *h2w_stream_map_del(h2w_stream_map *m, uint32_t id) {
  size_t i, j, home;
  void *value;
  if (m->cap == 0 || id == 0) {
    return NULL;
  }
  for (i = slot_of(id, m->cap); m->slots[i].id != id;
       i = (i + 1) & (m->cap - 1)) {
    if (m->slots[i].id == 0) {
      return NULL;
    }
  }
  value = m->slots[i].value;
  /* Backward shift: pull later members of the probe run into the hole
   * when their home slot does not lie cyclically in (hole, their slot]. */
  for (j = (i + 1) & (m->cap - 1); m->slots[j].id != 0;
       j = (j + 1) & (m->cap - 1)) {
    home = slot_of(m->slots[j].id, m->cap);
    if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
      m->slots[i] = m->slots[j];
      i = j;
    }
  }
  m->slots[i].id = 0;
  m->slots[i].value = NULL;
  m->len--;
  return value;
}

void h2w_stream_map_each(const h2w_stream_map *m,
                         void (*fn)(void *value, void *arg), void *arg) {
  size_t i;
  for (i = 0; i < m->cap; i++) {
    if (m->slots[i].id != 0) {
      fn(m->slots[i].value, arg);
    }
  }
}

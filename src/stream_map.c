/* Stream table: see stream_map.h. */
#include "stream_map.h"

#include <string.h>

/* One slot: a value pointer and an id. */
#define SLOT_SIZE (sizeof(void *) + sizeof(uint32_t))

/* Fibonacci hashing: multiply by 2^32 / phi and keep the HIGH log2(cap)
 * bits of the 32-bit product. The high bits depend on every bit of the id;
 * the low bits of a product depend only on the id's low bits, so ids that
 * differ only above bit 17 (e.g. spaced 2^17 apart, as a peer may choose
 * under RFC 9113 §5.1.1, which only asks ids to increase) would all land in
 * one probe run. */
static size_t slot_of(uint32_t id, unsigned bits) {
  uint32_t h = id * 2654435769u;
  return bits == 0 ? 0 : (size_t)(h >> (32u - bits));
}

void h2w_stream_map_init(h2w_stream_map *m, h2w_alloc *a) {
  memset(m, 0, sizeof(*m));
  m->alloc = a;
}

void h2w_stream_map_free(h2w_stream_map *m) {
  h2w_alloc_free(m->alloc, m->values, m->cap * SLOT_SIZE);
  m->values = NULL;
  m->ids = NULL;
  m->cap = m->len = 0;
  m->bits = 0;
}

void *h2w_stream_map_get(const h2w_stream_map *m, uint32_t id) {
  size_t i;
  if (m->cap == 0 || id == 0) {
    return NULL;
  }
  for (i = slot_of(id, m->bits);; i = (i + 1) & (m->cap - 1)) {
    if (m->ids[i] == id) {
      return m->values[i];
    }
    if (m->ids[i] == 0) {
      return NULL;
    }
  }
}

size_t h2w_stream_map_probes(const h2w_stream_map *m, uint32_t id) {
  size_t i, n = 1;
  if (m->cap == 0) {
    return 0;
  }
  for (i = slot_of(id, m->bits); m->ids[i] != id && m->ids[i] != 0;
       i = (i + 1) & (m->cap - 1)) {
    n++;
  }
  return n;
}

static void insert_slot(void **values, uint32_t *ids, size_t cap, unsigned bits,
                        uint32_t id, void *value) {
  size_t i = slot_of(id, bits);
  while (ids[i] != 0) {
    i = (i + 1) & (cap - 1);
  }
  ids[i] = id;
  values[i] = value;
}

static int grow(h2w_stream_map *m) {
  size_t ncap = m->cap == 0 ? 16 : m->cap * 2;
  unsigned nbits = m->cap == 0 ? 4u : m->bits + 1u;
  size_t i;
  void **nv = h2w_alloc_array(m->alloc, ncap, SLOT_SIZE);
  uint32_t *ni;
  if (nv == NULL) {
    return H2W_E_NOMEM;
  }
  ni = (uint32_t *)(void *)(nv + ncap);
  memset(ni, 0, ncap * sizeof(*ni));
  for (i = 0; i < m->cap; i++) {
    if (m->ids[i] != 0) {
      insert_slot(nv, ni, ncap, nbits, m->ids[i], m->values[i]);
    }
  }
  h2w_alloc_free(m->alloc, m->values, m->cap * SLOT_SIZE);
  m->values = nv;
  m->ids = ni;
  m->cap = ncap;
  m->bits = nbits;
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
  insert_slot(m->values, m->ids, m->cap, m->bits, id, value);
  m->len++;
  return H2W_OK;
}

void *h2w_stream_map_del(h2w_stream_map *m, uint32_t id) {
  size_t i, j, home, mask;
  void *value;
  if (m->cap == 0 || id == 0) {
    return NULL;
  }
  mask = m->cap - 1;
  for (i = slot_of(id, m->bits); m->ids[i] != id; i = (i + 1) & mask) {
    if (m->ids[i] == 0) {
      return NULL;
    }
  }
  value = m->values[i];
  /* Backward shift: pull later members of the probe run into the hole
   * when their home slot does not lie cyclically in (hole, their slot]. */
  for (j = (i + 1) & mask; m->ids[j] != 0; j = (j + 1) & mask) {
    home = slot_of(m->ids[j], m->bits);
    if (((j - home) & mask) >= ((j - i) & mask)) {
      m->ids[i] = m->ids[j];
      m->values[i] = m->values[j];
      i = j;
    }
  }
  m->ids[i] = 0;
  m->values[i] = NULL;
  m->len--;
  return value;
}

void h2w_stream_map_each(const h2w_stream_map *m,
                         void (*fn)(void *value, void *arg), void *arg) {
  size_t i;
  for (i = 0; i < m->cap; i++) {
    if (m->ids[i] != 0) {
      fn(m->values[i], arg);
    }
  }
}

/* Stream id -> stream object, an open-addressing hash table with linear
 * probing and backward-shift deletion (no tombstones, so lookups stay
 * short under churn). Stream ids are odd or even and increase, so a
 * multiplicative hash spreads them. No session state.
 *
 * Ids and values are two arrays in one allocation rather than an array of
 * {id, value} pairs: a probe reads ids only (16 to a cache line), and a
 * slot costs 12 octets instead of 16 with padding (RFC 9113 §5.1.2 lets a
 * peer keep many streams open, each holding a slot). */
#ifndef H2W_STREAM_MAP_H
#define H2W_STREAM_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct h2w_stream_map {
  h2w_alloc *alloc;
  void **values; /* cap values, then cap ids, in one allocation */
  uint32_t *ids; /* 0 = empty (stream 0 is never stored) */
  size_t cap;    /* 0 or a power of two */
  unsigned bits; /* log2(cap) when cap != 0: the hash keeps this many bits */
  size_t len;
} h2w_stream_map;

void h2w_stream_map_init(h2w_stream_map *m, h2w_alloc *a);
void h2w_stream_map_free(h2w_stream_map *m);
void *h2w_stream_map_get(const h2w_stream_map *m, uint32_t id);
/* Slots a lookup of id inspects (1 = found or ruled out at its home
 * slot); 0 for an empty map. A statistic for tests of the hash spread. */
size_t h2w_stream_map_probes(const h2w_stream_map *m, uint32_t id);
/* Insert a new id (id != 0, not present). H2W_OK or H2W_E_NOMEM (the map
 * is then unchanged). */
int h2w_stream_map_put(h2w_stream_map *m, uint32_t id, void *value);
/* Remove id; returns its value or NULL when absent. */
void *h2w_stream_map_del(h2w_stream_map *m, uint32_t id);
/* Visit every value (in table order). The callback must not change the
 * map. */
void h2w_stream_map_each(const h2w_stream_map *m,
                         void (*fn)(void *value, void *arg), void *arg);

#endif

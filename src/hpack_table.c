/* HPACK dynamic table (RFC 7541 §2.3.2, §4): see hpack_table.h for the
 * layout and why it is shaped this way. */
#include "hpack_table.h"

#include "copy.h"

#include <string.h>

/* Bytes an entry occupies in the byte ring. At least one, so that distinct
 * entries always have distinct offsets and the ring's wrapped state can be
 * read from the offsets of the oldest and newest entries. */
static size_t span_of(const h2w_hpack_entry *e) {
  size_t n = (size_t)e->namelen + e->valuelen;
  return n == 0 ? 1 : n;
}

static h2w_hpack_entry *ent(const h2w_hpack_table *t, uint64_t n) {
  return &t->ents[(size_t)(n & (uint64_t)(t->entcap - 1))];
}

/* The hashes are already mixed down to their low bits. */
static size_t bucket(const h2w_hpack_table *t, uint32_t h) {
  return (size_t)h & (t->nbuckets - 1);
}

void h2w_hpack_table_init(h2w_hpack_table *t, size_t limit, int indexed) {
  memset(t, 0, sizeof(*t));
  t->limit = limit;
  t->indexed = indexed;
}

void h2w_hpack_table_free(h2w_hpack_table *t, h2w_alloc *a) {
  h2w_alloc_free(a, t->buf, t->bufcap);
  h2w_alloc_free(a, t->ents, t->entcap * sizeof(h2w_hpack_entry));
  h2w_alloc_free(a, t->bname, t->nbuckets * sizeof(uint64_t));
  h2w_alloc_free(a, t->bnv, t->nbuckets * sizeof(uint64_t));
  h2w_hpack_table_init(t, t->limit, t->indexed);
}

static void evict_oldest(h2w_hpack_table *t) {
  const h2w_hpack_entry *e = ent(t, t->first);
  t->size -= (size_t)e->namelen + e->valuelen + H2W_HPACK_ENTRY_OVERHEAD;
  t->first++;
}

void h2w_hpack_table_set_limit(h2w_hpack_table *t, size_t limit) {
  t->limit = limit;
  while (t->size > limit) {
    evict_oldest(t);
  }
}

/* Inline: once per encoder insertion, where a call costs as much. */
static inline void link_entry(h2w_hpack_table *t, uint64_t n) {
  h2w_hpack_entry *e = ent(t, n);
  size_t bn = bucket(t, e->hname), bv = bucket(t, e->hnv);
  e->next_name = t->bname[bn];
  e->next_nv = t->bnv[bv];
  t->bname[bn] = n + 1;
  t->bnv[bv] = n + 1;
}

/* Move the entry records into a ring of `cap` slots (a power of two) and,
 * for an indexed table, rebuild the hash chains for the new bucket count. */
static int grow_ring(h2w_hpack_table *t, h2w_alloc *a, size_t cap) {
  h2w_hpack_entry *ne = h2w_alloc_array(a, cap, sizeof(*ne));
  uint64_t *bn = NULL, *bv = NULL, n;
  if (ne == NULL) {
    return H2W_E_NOMEM;
  }
  if (t->indexed) {
    bn = h2w_alloc_array(a, 2 * cap, sizeof(uint64_t));
    bv = h2w_alloc_array(a, 2 * cap, sizeof(uint64_t));
    if (bn == NULL || bv == NULL) {
      h2w_alloc_free(a, bn, bn ? 2 * cap * sizeof(uint64_t) : 0);
      h2w_alloc_free(a, bv, bv ? 2 * cap * sizeof(uint64_t) : 0);
      h2w_alloc_free(a, ne, cap * sizeof(*ne));
      return H2W_E_NOMEM;
    }
    memset(bn, 0, 2 * cap * sizeof(uint64_t));
    memset(bv, 0, 2 * cap * sizeof(uint64_t));
  }
  for (n = t->first; n != t->next; n++) {
    ne[(size_t)(n & (uint64_t)(cap - 1))] = *ent(t, n);
  }
  h2w_alloc_free(a, t->ents, t->entcap * sizeof(h2w_hpack_entry));
  h2w_alloc_free(a, t->bname, t->nbuckets * sizeof(uint64_t));
  h2w_alloc_free(a, t->bnv, t->nbuckets * sizeof(uint64_t));
  t->ents = ne;
  t->entcap = cap;
  if (t->indexed) {
    t->bname = bn;
    t->bnv = bv;
    t->nbuckets = 2 * cap;
    for (n = t->first; n != t->next; n++) {
      link_entry(t, n);
    }
  }
  return H2W_OK;
}

/* Copy the live entries to the start of a new byte ring of `cap` bytes.
 * The old ring is returned in *old (size *oldcap) rather than freed, so
 * that a name being inserted from it stays readable. */
static int grow_buf(h2w_hpack_table *t, h2w_alloc *a, size_t cap, uint8_t **old,
                    size_t *oldcap) {
  uint8_t *nb = h2w_alloc_malloc(a, cap);
  size_t pos = 0;
  uint64_t n;
  if (nb == NULL) {
    return H2W_E_NOMEM;
  }
  for (n = t->first; n != t->next; n++) {
    h2w_hpack_entry *e = ent(t, n);
    size_t s = span_of(e);
    memcpy(nb + pos, t->buf + e->off, (size_t)e->namelen + e->valuelen);
    e->off = pos;
    pos += s;
  }
  *old = t->buf;
  *oldcap = t->bufcap;
  t->buf = nb;
  t->bufcap = cap;
  return H2W_OK;
}

/* The largest number of entries the limit allows, plus the one being
 * inserted before the oldest is evicted, rounded up to a power of two. */
static size_t ring_need(size_t limit) {
  size_t want = limit / H2W_HPACK_ENTRY_OVERHEAD + 1, cap = 8;
  while (cap < want) {
    cap *= 2;
  }
  return cap;
}

int h2w_hpack_table_reserve(h2w_hpack_table *t, h2w_alloc *a) {
  uint8_t *old = NULL;
  size_t oldcap = 0;
  int rv;
  /* The encoder asks before every block and the answer is nearly always
   * "done": the entry ring holds ring_need(limit) slots exactly when it is
   * a power of two >= 8 above limit / 32, checked without the loop. */
  if (t->limit == 0 ||
      (t->entcap >= 8 && t->entcap > t->limit / H2W_HPACK_ENTRY_OVERHEAD &&
       (t->limit > SIZE_MAX / 2 || t->bufcap >= 2 * t->limit))) {
    return H2W_OK;
  }
  if (t->entcap < ring_need(t->limit)) {
    rv = grow_ring(t, a, ring_need(t->limit));
    if (rv != H2W_OK) {
      return rv;
    }
  }
  if (t->limit <= SIZE_MAX / 2 && t->bufcap < 2 * t->limit) {
    rv = grow_buf(t, a, 2 * t->limit, &old, &oldcap);
    if (rv != H2W_OK) {
      return rv;
    }
    h2w_alloc_free(a, old, oldcap);
  }
  return H2W_OK;
}

/* Inlined into the decoder's insertion, which runs once per indexed
 * literal. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
/* Where a new entry of `span` bytes can go, or SIZE_MAX if nowhere. */
static inline size_t
place(const h2w_hpack_table *t, size_t span) {
  const h2w_hpack_entry *oldest, *newest;
  size_t head, tail;
  if (t->first == t->next) {
    return t->bufcap >= span ? 0 : SIZE_MAX;
  }
  oldest = ent(t, t->first);
  newest = ent(t, t->next - 1);
  head = oldest->off;
  tail = newest->off + span_of(newest);
  if (t->next - t->first == 1 || newest->off > oldest->off) {
    if (t->bufcap - tail >= span) {
      return tail;
    }
    return head >= span ? 0 : SIZE_MAX;
  }
  return head - tail >= span ? tail : SIZE_MAX;
}

/* Room for one more entry of `span` bytes after evictions; may move the
 * byte ring (the old one is handed back through *old for the caller to
 * free once the name has been copied). */
static int make_room(h2w_hpack_table *t, h2w_alloc *a, size_t span, size_t *off,
                     uint8_t **old, size_t *oldcap) {
  size_t live = 0, cap;
  uint64_t n;
  int rv;
  *off = place(t, span);
  if (*off != SIZE_MAX) {
    return H2W_OK;
  }
  for (n = t->first; n != t->next; n++) {
    live += span_of(ent(t, n));
  }
  cap = t->bufcap < 128 ? 256 : t->bufcap * 2;
  if (cap / 2 > t->limit) {
    cap = 2 * t->limit;
  }
  if (cap < live + span) {
    cap = live + span;
  }
  rv = grow_buf(t, a, cap, old, oldcap);
  if (rv != H2W_OK) {
    return rv;
  }
  *off = live;
  return H2W_OK;
}

/* Record the octets just copied to buf[off] as the newest entry; an
 * indexed table's gets k's hashes and its links, an unindexed table's no
 * mark yet (h2w_hpack_table_mark). */
H2W_ALWAYS_INLINE void add_entry(h2w_hpack_table *t, size_t off, size_t namelen,
                                 size_t valuelen, const h2w_hpack_key *k) {
  h2w_hpack_entry *e = ent(t, t->next);
  e->off = off;
  e->namelen = (uint32_t)namelen;
  e->valuelen = (uint32_t)valuelen;
  t->size += namelen + valuelen + H2W_HPACK_ENTRY_OVERHEAD;
  if (k != NULL) {
    e->hname = k->hname;
    e->hnv = k->hnv;
    link_entry(t, t->next);
  } else {
    e->hname = 0;
  }
  t->next++;
}

/* Insert with the hashes already known (NULL for an unindexed table). */
static int insert(h2w_hpack_table *t, h2w_alloc *a, const uint8_t *name,
                  size_t namelen, const uint8_t *value, size_t valuelen,
                  const h2w_hpack_key *k) {
  uint8_t *old = NULL;
  size_t oldcap = 0, off, span;
  int rv;
  /* RFC 7541 §4.4: an entry larger than the whole table empties it. */
  if (namelen > t->limit || valuelen > t->limit - namelen ||
      H2W_HPACK_ENTRY_OVERHEAD > t->limit - namelen - valuelen) {
    while (t->first != t->next) {
      evict_oldest(t);
    }
    return H2W_OK;
  }
  if (h2w_hpack_table_count(t) + 1 > t->entcap) {
    rv = grow_ring(t, a, t->entcap == 0 ? 8 : t->entcap * 2);
    if (rv != H2W_OK) {
      return rv;
    }
  }
  while (t->size + namelen + valuelen + H2W_HPACK_ENTRY_OVERHEAD > t->limit) {
    evict_oldest(t);
  }
  span = namelen + valuelen == 0 ? 1 : namelen + valuelen;
  rv = make_room(t, a, span, &off, &old, &oldcap);
  if (rv != H2W_OK) {
    return rv;
  }
  /* The name may be an evicted entry's bytes overlapping the new slot. */
  if (namelen > 0) {
    memmove(t->buf + off, name, namelen);
  }
  if (valuelen > 0) {
    memcpy(t->buf + off + namelen, value, valuelen);
  }
  h2w_alloc_free(a, old, oldcap);
  add_entry(t, off, namelen, valuelen, k);
  return H2W_OK;
}

/* The insertion when the rings need not grow: the §4.4 evictions, the
 * place after the newest entry, two inline copies. For an unindexed
 * (decoder) table k is NULL; an indexed (encoder) table's entry gets k's
 * hashes and is linked. Returns 0 when insert() must do it (it then
 * repeats the evictions, which are already done and so find nothing more
 * to evict). Inlined into both callers, so the decoder's copy has no
 * hashing and no linking. */
H2W_ALWAYS_INLINE int add_fast(h2w_hpack_table *t, const uint8_t *name,
                               size_t namelen, const uint8_t *value,
                               size_t valuelen, const h2w_hpack_key *k) {
  size_t need, span, off;
  if (namelen > t->limit || valuelen > t->limit ||
      h2w_hpack_table_count(t) >= t->entcap) {
    return 0;
  }
  need = namelen + valuelen + H2W_HPACK_ENTRY_OVERHEAD;
  if (need > t->limit) {
    return 0; /* §4.4: empties the table; insert() does that */
  }
  while (t->size + need > t->limit) {
    evict_oldest(t);
  }
  span = namelen + valuelen == 0 ? 1 : namelen + valuelen;
  off = place(t, span);
  if (off == SIZE_MAX) {
    return 0;
  }
  h2w_copy_any(t->buf + off, name, namelen);
  h2w_copy_any(t->buf + off + namelen, value, valuelen);
  add_entry(t, off, namelen, valuelen, k);
  return 1;
}

/* Kept out of line, so that the decoder's calls (unindexed tables) do not
 * pay for this one's key record and its stack frame. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
insert_indexed(h2w_hpack_table *t, h2w_alloc *a, const uint8_t *name,
               size_t namelen, const uint8_t *value, size_t valuelen) {
  h2w_hpack_key k;
  size_t sname = 0;
  /* Hashed before the insertion may overwrite an evicted name (§4.4). */
  (void)h2w_hpack_static_find(name, namelen, value, valuelen, &sname);
  h2w_hpack_key_init(&k, name, namelen, value, valuelen, sname);
  return insert(t, a, name, namelen, value, valuelen, &k);
}

int h2w_hpack_table_insert(h2w_hpack_table *t, h2w_alloc *a,
                           const uint8_t *name, size_t namelen,
                           const uint8_t *value, size_t valuelen) {
  if (t->indexed) {
    return insert_indexed(t, a, name, namelen, value, valuelen);
  }
  if (add_fast(t, name, namelen, value, valuelen, NULL)) {
    return H2W_OK;
  }
  return insert(t, a, name, namelen, value, valuelen, NULL);
}

int h2w_hpack_table_insert_key(h2w_hpack_table *t, h2w_alloc *a,
                               const h2w_hpack_key *k) {
  if (add_fast(t, k->name, k->namelen, k->value, k->valuelen, k)) {
    return H2W_OK;
  }
  return insert(t, a, k->name, k->namelen, k->value, k->valuelen, k);
}

size_t h2w_hpack_table_find_name(const h2w_hpack_table *t,
                                 const h2w_hpack_key *k) {
  uint64_t id;
  if (t->first == t->next) {
    return 0;
  }
  for (id = t->bname[bucket(t, k->hname)]; id > t->first;
       id = ent(t, id - 1)->next_name) {
    const h2w_hpack_entry *e = ent(t, id - 1);
    if (e->hname == k->hname && e->namelen == k->namelen &&
        h2w_hpack_same(t->buf + e->off, k->name, k->namelen)) {
      return (size_t)(t->next - (id - 1));
    }
  }
  return 0;
}

size_t h2w_hpack_table_find(const h2w_hpack_table *t, const uint8_t *name,
                            size_t namelen, const uint8_t *value,
                            size_t valuelen, size_t *name_index) {
  h2w_hpack_key k;
  size_t sname = 0, idx;
  *name_index = 0;
  if (!t->indexed || t->first == t->next) {
    return 0;
  }
  (void)h2w_hpack_static_find(name, namelen, value, valuelen, &sname);
  h2w_hpack_key_init(&k, name, namelen, value, valuelen, sname);
  idx = h2w_hpack_table_find_field(t, &k);
  *name_index = idx != 0 ? idx : h2w_hpack_table_find_name(t, &k);
  return idx;
}

void h2w_hpack_table_compact(h2w_hpack_table *t, h2w_alloc *a) {
  uint8_t *old = NULL;
  size_t oldcap = 0, live = 0, cap = 8;
  uint64_t n, count = t->next - t->first;
  while (cap < count) {
    cap *= 2;
  }
  /* Out of memory in either step leaves that part as it was. */
  if (cap < t->entcap) {
    (void)grow_ring(t, a, cap);
  }
  for (n = t->first; n != t->next; n++) {
    live += span_of(ent(t, n));
  }
  if (live == 0) {
    h2w_alloc_free(a, t->buf, t->bufcap);
    t->buf = NULL;
    t->bufcap = 0;
  } else if (live < t->bufcap &&
             grow_buf(t, a, live, &old, &oldcap) == H2W_OK) {
    h2w_alloc_free(a, old, oldcap);
  }
}

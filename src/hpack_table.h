/* HPACK indexing tables (RFC 7541 §2.3): the static table of Appendix A and
 * the dynamic table, a FIFO of recent fields bounded by a size limit counted
 * as in §4.1 (name + value + 32 per entry).
 *
 * The dynamic table is a ring of entry records over a byte ring holding each
 * entry's name and value contiguously, so a decoded field can be handed to
 * the application as pointers into the table (zero copy). The byte ring has
 * room for twice the size limit: an entry that would straddle its end goes
 * to its start instead, and with 2x room that always fits once the §4.4
 * evictions are done (no compaction, no allocation in steady state).
 *
 * An encoder's table also keeps two hash chains (by name, by name+value)
 * so that finding a reusable entry does not scan the table. Entries are
 * numbered by insertion order (a 64-bit counter that never wraps in
 * practice); the chains run from newest to oldest, so an evicted entry is
 * recognised by its number alone and nothing needs unlinking. */
#ifndef H2W_HPACK_TABLE_H
#define H2W_HPACK_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mem.h"

/* SSE2 is part of x86-64 itself; H2W_NO_SIMD keeps the portable path (one
 * test build uses it, as for http.c). */
#if defined(__SSE2__) && !defined(H2W_NO_SIMD)
#include <emmintrin.h>
#define H2W_HPACK_SAME_SSE2 1
#endif

/* Equality of two n-octet ranges (either may be NULL when n is 0). Inline
 * word compares: the names and values the encoder compares are short, and
 * a libc memcmp call cost more than the comparison itself. */
static inline int h2w_hpack_same(const uint8_t *a, const uint8_t *b, size_t n) {
  uint64_t x, y;
  uint32_t u, v;
  size_t i;
#ifdef H2W_HPACK_SAME_SSE2
  if (n > 16) {
    /* The long values the encoder checks against its hints (user-agent,
     * accept, cookie) nearly always match: 16 octets per step, the
     * differences ORed together and tested once, no exit per step. */
    __m128i d = _mm_setzero_si128();
    for (i = 0; i + 16 < n; i += 16) {
      d = _mm_or_si128(
          d, _mm_xor_si128(
                 _mm_loadu_si128((const __m128i *)(const void *)(a + i)),
                 _mm_loadu_si128((const __m128i *)(const void *)(b + i))));
    }
    d = _mm_or_si128(
        d, _mm_xor_si128(
               _mm_loadu_si128((const __m128i *)(const void *)(a + n - 16)),
               _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16))));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) == 0xffff;
  }
#endif
  if (n >= 8) {
    for (i = 0; i + 8 < n; i += 8) {
      memcpy(&x, a + i, 8);
      memcpy(&y, b + i, 8);
      if (x != y) {
        return 0;
      }
    }
    memcpy(&x, a + n - 8, 8); /* the last 8, overlapping if need be */
    memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    memcpy(&u, a, 4);
    memcpy(&v, b, 4);
    if (u != v) {
      return 0;
    }
    memcpy(&u, a + n - 4, 4);
    memcpy(&v, b + n - 4, 4);
    return u == v;
  }
  return n == 0 ||
         (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* RFC 7541 §4.1: the per-entry overhead. */
#define H2W_HPACK_ENTRY_OVERHEAD 32u
/* RFC 7541 Appendix A: the static table has 61 entries. */
#define H2W_HPACK_STATIC_COUNT 61u

typedef struct h2w_hpack_static_entry {
  const uint8_t *name;
  size_t namelen;
  const uint8_t *value;
  size_t valuelen;
} h2w_hpack_static_entry;

/* The table as generated (src/hpack_static.c): each distinct string once
 * in h2w_hpack_static_text, rows as offsets into it, so that the table
 * holds no pointer (no load-time relocation in a shared library). */
typedef struct h2w_hpack_static_row {
  uint16_t name, value; /* offsets into h2w_hpack_static_text */
  uint8_t namelen, valuelen;
} h2w_hpack_static_row;

extern const uint8_t h2w_hpack_static_text[];
extern const h2w_hpack_static_row h2w_hpack_static_rows[H2W_HPACK_STATIC_COUNT];

/* Row i (0-based: index i + 1 of RFC 7541 Appendix A). */
static inline h2w_hpack_static_entry h2w_hpack_static_at(size_t i) {
  const h2w_hpack_static_row *r = &h2w_hpack_static_rows[i];
  h2w_hpack_static_entry e;
  e.name = h2w_hpack_static_text + r->name;
  e.namelen = r->namelen;
  e.value = h2w_hpack_static_text + r->value;
  e.valuelen = r->valuelen;
  return e;
}

/* A collision-free hash over the 52 distinct names of the static table:
 * the length and the first and last octets, two loads and a few adds.
 * tools/gen_hpack_static.py finds the constants, and the generated
 * src/hpack_static.c (its slot tables) fails to build if these differ. */
#define H2W_HPACK_STATIC_SLOTS 256u
#define H2W_HPACK_STATIC_MUL 25u
#define H2W_HPACK_STATIC_SHIFT 1
extern const uint8_t h2w_hpack_static_slot_first[H2W_HPACK_STATIC_SLOTS];
extern const uint8_t h2w_hpack_static_slot_count[H2W_HPACK_STATIC_SLOTS];

/* Static-table lookup. Returns the index (1..61) of the row matching name
 * and value, or 0; *name_index gets the first row with that name, or 0.
 * Inline: the encoder asks for every field, and most names it sees are in
 * the table, so a call's register saves cost as much as the lookup. */
static inline size_t h2w_hpack_static_find(const uint8_t *name, size_t namelen,
                                           const uint8_t *value,
                                           size_t valuelen,
                                           size_t *name_index) {
  size_t slot, first, count, i;
  const h2w_hpack_static_row *r;
  *name_index = 0;
  if (namelen == 0) {
    return 0;
  }
  slot = (namelen * H2W_HPACK_STATIC_MUL +
          ((size_t)name[0] << H2W_HPACK_STATIC_SHIFT) + name[namelen - 1]) &
         (H2W_HPACK_STATIC_SLOTS - 1);
  first = h2w_hpack_static_slot_first[slot];
  if (first == 0) {
    return 0;
  }
  r = &h2w_hpack_static_rows[first - 1];
  if (r->namelen != namelen ||
      !h2w_hpack_same(h2w_hpack_static_text + r->name, name, namelen)) {
    return 0;
  }
  *name_index = first;
  count = h2w_hpack_static_slot_count[slot];
  if (count == 1 && r->valuelen == 0) {
    return valuelen == 0 ? first : 0; /* most names: one row, no value */
  }
  for (i = 0; i < count; i++, r++) {
    if (r->valuelen == valuelen &&
        h2w_hpack_same(h2w_hpack_static_text + r->value, value, valuelen)) {
      return first + i;
    }
  }
  return 0;
}

typedef struct h2w_hpack_entry {
  uint64_t next_name; /* older entry in the same name bucket, +1; 0 = none */
  uint64_t next_nv;   /* same for the name+value bucket */
  size_t off;         /* name at buf[off], value right after it */
  uint32_t namelen;
  uint32_t valuelen;
  /* Hashes, kept only by indexed (encoder) tables. An unindexed (decoder)
   * table keeps its entry marks in hname instead (h2w_hpack_table_mark),
   * so the mark costs no octet per entry. */
  uint32_t hname;
  uint32_t hnv;
} h2w_hpack_entry;

typedef struct h2w_hpack_table {
  uint8_t *buf;
  size_t bufcap;
  h2w_hpack_entry *ents; /* ring, entry number n at ents[n & (entcap-1)] */
  size_t entcap;         /* power of two, or 0 */
  uint64_t first;        /* number of the oldest live entry */
  uint64_t next;         /* number the next insertion gets */
  size_t size;           /* RFC 7541 §4.1 size of the live entries */
  size_t limit;          /* current maximum size (§4.2) */
  uint64_t *bname;       /* hash buckets (indexed tables only): newest + 1 */
  uint64_t *bnv;
  size_t nbuckets; /* 2 * entcap when indexed, else 0 */
  int indexed;
} h2w_hpack_table;

/* A field as the table stores it. */
typedef struct h2w_hpack_field {
  const uint8_t *name;
  size_t namelen;
  const uint8_t *value;
  size_t valuelen;
} h2w_hpack_field;

void h2w_hpack_table_init(h2w_hpack_table *t, size_t limit, int indexed);
/* Fit the storage to the live entries (an idle session keeps the
 * contents, RFC 7541 §4, not the room to grow): the byte ring to their
 * octets, the entry ring (and an indexed table's buckets) to the smallest
 * power of two >= 8 holding them. Inserting grows them again; the
 * encoder's h2w_hpack_table_reserve() restores its full reservation
 * before its next block. Out of memory leaves the table as it was. */
void h2w_hpack_table_compact(h2w_hpack_table *t, h2w_alloc *a);
void h2w_hpack_table_free(h2w_hpack_table *t, h2w_alloc *a);

/* Number of live dynamic entries. Inline, as the next one: the decoder
 * asks for every indexed field. */
static inline size_t h2w_hpack_table_count(const h2w_hpack_table *t) {
  return (size_t)(t->next - t->first);
}

/* Entry by dynamic index (1 = newest, RFC 7541 §2.3.3); i must be in
 * 1..count. Pointers stay valid until the next insert or limit change. */
static inline h2w_hpack_field h2w_hpack_table_get(const h2w_hpack_table *t,
                                                  size_t i) {
  uint64_t n = t->next - i;
  const h2w_hpack_entry *e = &t->ents[(size_t)(n & (t->entcap - 1))];
  h2w_hpack_field f;
  f.name = t->buf + e->off;
  f.namelen = e->namelen;
  f.value = f.name + e->namelen;
  f.valuelen = e->valuelen;
  return f;
}

/* The mark of an unindexed table's entry by dynamic index (1..count):
 * bits its owner set with h2w_hpack_table_set_mark(), 0 for a new entry.
 * The decoder marks entries whose octets the session's RFC 9113 §8.2.1
 * checks have passed, so that an indexed copy need not be checked again. */
static inline uint32_t h2w_hpack_table_mark(const h2w_hpack_table *t,
                                            size_t i) {
  return t->ents[(size_t)((t->next - i) & (t->entcap - 1))].hname;
}

static inline void h2w_hpack_table_set_mark(h2w_hpack_table *t, size_t i,
                                            uint32_t mark) {
  t->ents[(size_t)((t->next - i) & (t->entcap - 1))].hname = mark;
}

/* Change the maximum size, evicting oldest entries until it holds
 * (RFC 7541 §4.3). Never allocates. */
void h2w_hpack_table_set_limit(h2w_hpack_table *t, size_t limit);

/* Grow storage so that inserts up to the current limit never allocate.
 * Returns H2W_OK or H2W_E_NOMEM (table unchanged). */
int h2w_hpack_table_reserve(h2w_hpack_table *t, h2w_alloc *a);

/* Add a field as the newest entry, evicting as §4.4 says; a field larger
 * than the limit empties the table and is not added. The name may point
 * into the table itself (a literal with an indexed name, §6.2.1). Returns
 * H2W_OK or H2W_E_NOMEM (only when storage had to grow; the table is then
 * unchanged). */
int h2w_hpack_table_insert(h2w_hpack_table *t, h2w_alloc *a,
                           const uint8_t *name, size_t namelen,
                           const uint8_t *value, size_t valuelen);

/* Encoder lookup in an indexed table. Returns the dynamic index of the
 * newest entry equal to name+value, or 0; *name_index gets the dynamic
 * index of the newest entry with that name, or 0. */
size_t h2w_hpack_table_find(const h2w_hpack_table *t, const uint8_t *name,
                            size_t namelen, const uint8_t *value,
                            size_t valuelen, size_t *name_index);

/* A field with its hashes, computed once by the encoder and reused by every
 * lookup and by the insertion that may follow (hashing dominated the
 * encoder's time when each step rehashed the same octets). */
typedef struct h2w_hpack_key {
  const uint8_t *name;
  size_t namelen;
  const uint8_t *value;
  size_t valuelen;
  uint32_t hname;
  uint32_t hnv;
} h2w_hpack_key;

/* Odd 64-bit multipliers with well-spread bits (the golden ratio and
 * MurmurHash3's finaliser constant); any such pair would do. */
#define H2W_HPACK_MUL_A 0x9e3779b97f4a7c15u
#define H2W_HPACK_MUL_B 0xff51afd7ed558ccdu

static inline uint64_t h2w_hpack_load64(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, sizeof(w)); /* no alignment assumed */
  return w;
}

static inline uint64_t h2w_hpack_load32(const uint8_t *p) {
  uint32_t w;
  memcpy(&w, p, sizeof(w));
  return w;
}

/* Eight octets per step: the byte-at-a-time hash this replaces was most of
 * the encoder's time. Host byte order is fine, hashes never leave the
 * process. The length is mixed in first, so the tail may be read as
 * overlapping words (1-3 octets: first, middle, last; 4-8: two 4-octet
 * words) and still identify the octets exactly. */
static inline uint64_t h2w_hpack_hash_bytes(uint64_t h, const uint8_t *p,
                                            size_t n) {
  uint64_t w = 0;
  h = (h ^ (uint64_t)n) * H2W_HPACK_MUL_A;
  for (; n > 8; p += 8, n -= 8) {
    h = (h ^ h2w_hpack_load64(p)) * H2W_HPACK_MUL_B;
    h ^= h >> 29;
  }
  if (n >= 4) {
    w = h2w_hpack_load32(p) << 32 | h2w_hpack_load32(p + n - 4);
  } else if (n > 0) {
    w = (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
  }
  h = (h ^ w) * H2W_HPACK_MUL_B;
  return h ^ (h >> 32);
}

/* A static-table name is identified by its row (RFC 7541 Appendix A) and
 * never hashed. Should such a seed equal some other name's hash, lookups
 * only pay one extra comparison: every match is checked octet by octet. */
static inline uint64_t h2w_hpack_name_seed(const uint8_t *name, size_t len,
                                           size_t static_name) {
  if (static_name != 0) {
    return ((uint64_t)static_name * H2W_HPACK_MUL_A) ^ (uint64_t)static_name;
  }
  return h2w_hpack_hash_bytes(H2W_HPACK_MUL_B, name, len);
}

/* Fill *k for the field. `static_name` must be what h2w_hpack_static_find()
 * gives for the name (its *name_index): a name of the static table is
 * identified by its row instead of being hashed octet by octet. Inline,
 * with its hash: the encoder keys most fields, and the call with its
 * register saves cost a third of the hashing. */
static inline void h2w_hpack_key_init(h2w_hpack_key *k, const uint8_t *name,
                                      size_t namelen, const uint8_t *value,
                                      size_t valuelen, size_t static_name) {
  uint64_t hn = h2w_hpack_name_seed(name, namelen, static_name);
  k->name = name;
  k->namelen = namelen;
  k->value = value;
  k->valuelen = valuelen;
  k->hname = (uint32_t)hn;
  k->hnv = (uint32_t)h2w_hpack_hash_bytes(hn, value, valuelen);
}

/* Dynamic index of the newest entry equal to the key's name and value, or
 * 0. Indexed tables only. Inline: the encoder asks for nearly every
 * field, and the lookup is a few loads when the chain is short. */
static inline size_t h2w_hpack_table_find_field(const h2w_hpack_table *t,
                                                const h2w_hpack_key *k) {
  uint64_t id;
  size_t mask = t->entcap - 1;
  if (t->first == t->next) {
    return 0;
  }
  /* Chains run newest to oldest: the first number below `first` ends it. */
  for (id = t->bnv[(size_t)k->hnv & (t->nbuckets - 1)]; id > t->first;
       id = t->ents[(size_t)(id - 1) & mask].next_nv) {
    const h2w_hpack_entry *e = &t->ents[(size_t)(id - 1) & mask];
    const uint8_t *p = t->buf + e->off;
    if (e->hnv == k->hnv && e->namelen == k->namelen &&
        e->valuelen == k->valuelen && h2w_hpack_same(p, k->name, k->namelen) &&
        h2w_hpack_same(p + k->namelen, k->value, k->valuelen)) {
      return (size_t)(t->next - (id - 1));
    }
  }
  return 0;
}

/* Dynamic index of the newest entry with the key's name, or 0. */
size_t h2w_hpack_table_find_name(const h2w_hpack_table *t,
                                 const h2w_hpack_key *k);

/* h2w_hpack_table_insert() for an indexed table, with the hashes of k. */
int h2w_hpack_table_insert_key(h2w_hpack_table *t, h2w_alloc *a,
                               const h2w_hpack_key *k);

#endif

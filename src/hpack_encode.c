/* HPACK encoder (RFC 7541 §6): fields in, one header block out.
 *
 * Choice of representation, per field:
 *  - sensitive fields (§7.1.3) are never-indexed literals (§6.2.3), so
 *    that neither we nor an intermediary put them in a compression
 *    context where a CRIME-style probe could recover them;
 *  - a full match in the static or dynamic table is an indexed field
 *    (§6.1);
 *  - otherwise a literal with the name indexed when possible, added to the
 *    dynamic table (§6.2.1) unless the field is too large to be worth a
 *    slot or is known to change on nearly every request (§6.2.2).
 * Strings are Huffman-coded only when that is shorter (§5.2). */
#include "hpack.h"

#include <string.h>

#include "huffman.h"

/* §7.1.3: short cookies are guessable, so they are never indexed. */
#define SHORT_COOKIE 20u

/* ---- hints ------------------------------------------------------------
 * Clients and servers send much the same header block again and again,
 * field for field in the same order. Each of the first H2W_HPACK_HINTS
 * positions remembers the table entry its field was encoded as (or stored
 * as) in the previous block; a field that has exactly that entry's octets
 * is encoded as its index straight away, without the static lookup, the
 * hashing and the chain walk. A hint is only a guess, checked octet by
 * octet, and gives the index the full lookup would give: a field is only
 * stored when no static row and no live entry equals it, so while an
 * entry lives no newer one equals it. A field flagged never-indexed
 * always takes the full path (§7.1.3). */
#define HINT_NONE 0u
#define HINT_STATIC 0x80000000u /* | static index (1..61) */
/* Otherwise the low 31 bits of (dynamic entry number + 1), not 0. */
#define HINT_NUMBER 0x7fffffffu
/* A failed guess costs a mispredicted branch on top of the full lookup.
 * Measured on the hpack-test-case stories, where fields seldom repeat at
 * the same position, trying hints on every block cost 8 % of the
 * encoder's time, and a hit that only saves a static lookup pays little
 * back. So hints run only where nearly every guess hits: a block in
 * which more than one tried hint in 8 missed turns them off for
 * HINT_REST blocks, which take the plain full path; the last of those
 * records hints again and the next block tries them. hint_rest counts
 * down to 0 (hints on); a new encoder starts at HINT_START, so a short
 * exchange never pays for them. */
#define HINT_REST 64u
#define HINT_START 8u

void h2w_hpack_encoder_init(h2w_hpack_encoder *e, h2w_alloc *a) {
  memset(e, 0, sizeof(*e));
  e->alloc = a;
  h2w_hpack_table_init(&e->table, H2W_HPACK_DEFAULT_TABLE_SIZE, 1);
  e->peer_max = H2W_HPACK_DEFAULT_TABLE_SIZE;
  e->cap = H2W_HPACK_DEFAULT_TABLE_SIZE;
  e->lowest = H2W_HPACK_DEFAULT_TABLE_SIZE;
  e->huffman = 1;
  e->hint_rest = HINT_START;
}

void h2w_hpack_encoder_free(h2w_hpack_encoder *e) {
  h2w_hpack_table_free(&e->table, e->alloc);
}

void h2w_hpack_encoder_limits(h2w_hpack_encoder *e, uint32_t peer,
                              uint32_t cap) {
  uint32_t limit = peer < cap ? peer : cap;
  e->peer_max = peer;
  e->cap = cap;
  if (limit == e->table.limit && !e->pending) {
    return;
  }
  /* Evicting now is safe: the peer applies the same change when it reads
   * the update at the start of our next block, before any reference. */
  h2w_hpack_table_set_limit(&e->table, limit);
  if (limit < e->lowest) {
    e->lowest = limit;
  }
  e->pending = 1;
}

/* What the encoder does with a name of the static table, by its first row
 * (RFC 7541 Appendix A). Every name with a special policy is a static-table
 * name, so the static lookup classifies a field with no string compare. */
enum {
  NAME_PLAIN,
  /* §7.1.3: credentials are never indexed. */
  NAME_SECRET,
  /* §7.1.3: short cookies are guessable, so they are never indexed. */
  NAME_COOKIE,
  /* Values rarely repeat, so that a table slot would only push out entries
   * that do. Chosen by measurement on the hpack-test-case raw-data stories
   * at table size 4096 (each name kept only if leaving it out of the table
   * made the total smaller); see test_hpack_corpus. Never inserted, so
   * never in the dynamic table either: no dynamic lookup is needed. */
  NAME_CHURN
};

static const uint8_t name_policy[H2W_HPACK_STATIC_COUNT + 1] = {
    [4] = NAME_CHURN,   /* :path */
    [21] = NAME_CHURN,  /* age */
    [23] = NAME_SECRET, /* authorization */
    [28] = NAME_CHURN,  /* content-length */
    [32] = NAME_COOKIE, /* cookie */
    [34] = NAME_CHURN,  /* etag */
    [44] = NAME_CHURN,  /* last-modified */
    [49] = NAME_SECRET, /* proxy-authorization */
};

static int sensitive(const h2w_nv *nv, unsigned policy) {
  return (nv->flags & H2W_NV_FLAG_NEVER_INDEX) || policy == NAME_SECRET ||
         (policy == NAME_COOKIE && nv->valuelen < SHORT_COOKIE);
}

static int worth_indexing(const h2w_hpack_encoder *e, const h2w_nv *nv) {
  size_t limit = e->table.limit;
  if (nv->flags & H2W_NV_FLAG_NO_INDEX) {
    return 0;
  }
  /* A field filling most of the table would flush everything else. */
  return nv->namelen <= limit && nv->valuelen <= limit &&
         nv->namelen + nv->valuelen + H2W_HPACK_ENTRY_OVERHEAD <= limit / 4 * 3;
}

static void put_u32(uint8_t *dst, uint64_t w) {
  dst[0] = (uint8_t)(w >> 24);
  dst[1] = (uint8_t)(w >> 16);
  dst[2] = (uint8_t)(w >> 8);
  dst[3] = (uint8_t)w;
}

/* Compilers merge these into one byte swap and one store. */
static void put_u64(uint8_t *dst, uint64_t w) {
  put_u32(dst, w >> 32);
  put_u32(dst + 4, w);
}

/* Huffman-code s into dst in one pass, giving up (returning 0) as soon as
 * the code cannot end up shorter than the len raw octets: §5.2 lets the
 * encoder pick either, and the shorter wins. So it never writes past
 * dst[len - 1]. acc holds the pending bits (the newest in its low bits;
 * bits above them are stale and shifted out or cut off when written). */
static size_t huffman_shorter(uint8_t *dst, const uint8_t *s, size_t len) {
  uint64_t acc = 0;
  unsigned pending = 0;
  size_t n, i;
  /* Pointers and last positions for the fast loop: p + 4 <= s + len and
   * o + 8 <= dst + len, for strings of 8 octets or more. */
  const uint8_t *p = s, *p_end = len >= 8 ? s + len - 3 : s;
  uint8_t *o = dst, *o_last = len >= 8 ? dst + len - 8 : dst;
  /* Four symbols a step, then every whole octet out in one 8-octet store,
   * leaving at most 7 bits pending: no unpredictable branch per symbol.
   * The four codes must fit the 64 bits with what is pending, which text
   * (codes of 5 to 15 bits) always does; a step that would not is left to
   * the loop below. The store stays within the len octets (n + 8 <= len),
   * so it never runs past what the raw string would take. */
  while (p < p_end && o <= o_last) {
    unsigned b0 = h2w_huffman_bits[p[0]], b1 = h2w_huffman_bits[p[1]];
    unsigned b2 = h2w_huffman_bits[p[2]], b3 = h2w_huffman_bits[p[3]];
    unsigned total = pending + b0 + b1 + b2 + b3;
    if (total > 64) {
      break;
    }
    acc = (acc << b0) | h2w_huffman_code[p[0]];
    acc = (acc << b1) | h2w_huffman_code[p[1]];
    acc = (acc << b2) | h2w_huffman_code[p[2]];
    acc = (acc << b3) | h2w_huffman_code[p[3]];
    put_u64(o, acc << (64 - total)); /* total >= 20: 4 codes of 5+ */
    o += total / 8;
    pending = total % 8;
    p += 4;
  }
  i = (size_t)(p - s);
  n = (size_t)(o - dst);
  /* One symbol at a time, 32 bits out whenever that many are pending:
   * codes are at most 30 bits and fewer than 32 stay pending after a
   * flush, so the pending bits always fit 64. */
  for (; i < len; i++) {
    unsigned nbits = h2w_huffman_bits[s[i]];
    acc = (acc << nbits) | h2w_huffman_code[s[i]];
    pending += nbits;
    if (pending >= 32) {
      if (n + 4 >= len) {
        return 0; /* these 32 bits alone reach len octets */
      }
      pending -= 32;
      put_u32(dst + n, acc >> pending);
      n += 4;
    }
  }
  if (n + (pending + 7) / 8 >= len) {
    return 0;
  }
  if (pending % 8 != 0) {
    /* §5.2: pad with the most significant bits of EOS (all ones). */
    unsigned pad = 8 - pending % 8;
    acc = (acc << pad) | ((1u << pad) - 1);
    pending += pad;
  }
  while (pending > 0) {
    pending -= 8;
    dst[n++] = (uint8_t)(acc >> pending);
  }
  return n;
}

/* An integer with an N-bit prefix (§5.1). A value below 2^N - 1 fits the
 * prefix of one octet: every index a repeated block refers to (static
 * entries, the newest dynamic ones: 7 bits), the name index of a literal
 * and the length of most strings, so those skip the general encoder's
 * call. */
static size_t put_int(uint8_t *dst, size_t v, unsigned prefix, uint8_t first) {
  if (v < (1u << prefix) - 1u) {
    dst[0] = (uint8_t)(first | v);
    return 1;
  }
  return h2w_hpack_int_encode(dst, v, prefix, first);
}

/* An indexed field (§6.1). */
static size_t put_indexed(uint8_t *dst, size_t idx) {
  return put_int(dst, idx, 7, 0x80);
}

/* Octets put_int() takes for a string length (7-bit prefix, §5.2). */
static size_t len_octets(size_t len) {
  return len < 127 ? 1 : h2w_hpack_int_len(len, 7);
}

/* A string literal (§5.2), Huffman-coded when that is shorter. The code is
 * written after room for the raw length's prefix, which is never shorter
 * than the code's, and moved down in the rare case it is longer. */
static size_t put_string(const h2w_hpack_encoder *e, uint8_t *dst,
                         const uint8_t *s, size_t len) {
  size_t n;
  if (e->huffman && len > 0) {
    size_t room = len_octets(len);
    size_t hlen = huffman_shorter(dst + room, s, len);
    if (hlen > 0) {
      n = len_octets(hlen);
      if (n < room) {
        memmove(dst + n, dst + room, hlen);
      }
      (void)put_int(dst, hlen, 7, 0x80);
      return n + hlen;
    }
  }
  n = put_int(dst, len, 7, 0);
  if (len > 0) {
    memcpy(dst + n, s, len);
  }
  return n + len;
}

/* A literal (§6.2) with name index `idx` (0: the name follows). */
static size_t put_literal(const h2w_hpack_encoder *e, uint8_t *dst,
                          const h2w_nv *nv, size_t idx, uint8_t first,
                          unsigned prefix) {
  size_t n = put_int(dst, idx, prefix, first);
  if (idx == 0) {
    n += put_string(e, dst + n, nv->name, nv->namelen);
  }
  return n + put_string(e, dst + n, nv->value, nv->valuelen);
}

/* §6.2.3 for a sensitive field: the name may still come from a table. */
static size_t encode_secret(h2w_hpack_encoder *e, uint8_t *dst,
                            const h2w_nv *nv, size_t sname) {
  size_t idx = sname;
  if (idx == 0) {
    h2w_hpack_key k;
    h2w_hpack_key_init(&k, nv->name, nv->namelen, nv->value, nv->valuelen, 0);
    idx = h2w_hpack_table_find_name(&e->table, &k);
    idx = idx == 0 ? 0 : idx + H2W_HPACK_STATIC_COUNT;
  }
  return put_literal(e, dst, nv, idx, 0x10, 4);
}

static uint32_t hint_of_entry(uint64_t n) {
  return (uint32_t)(n + 1) & HINT_NUMBER;
}

/* The field encoded as the entry its hint names, or 0 octets written. */
static size_t encode_hinted(const h2w_hpack_encoder *e, uint8_t *dst,
                            const h2w_nv *nv, uint32_t hint) {
  const h2w_hpack_table *t = &e->table;
  const uint8_t *name, *value;
  size_t namelen, valuelen, idx;
  if (hint & HINT_STATIC) {
    h2w_hpack_static_entry r;
    idx = hint & ~HINT_STATIC;
    r = h2w_hpack_static_at(idx - 1);
    name = r.name;
    namelen = r.namelen;
    value = r.value;
    valuelen = r.valuelen;
  } else {
    /* Dynamic index (1 = newest) of the entry, if it still lives; a
     * number that wrapped may land on another live entry, which the
     * comparison below then judges like any other. */
    h2w_hpack_field f;
    size_t i = (((uint32_t)t->next - hint) & HINT_NUMBER) + 1u;
    if (hint == HINT_NONE || i > h2w_hpack_table_count(t)) {
      return 0;
    }
    f = h2w_hpack_table_get(t, i);
    name = f.name;
    namelen = f.namelen;
    value = f.value;
    valuelen = f.valuelen;
    idx = i + H2W_HPACK_STATIC_COUNT;
  }
  if (namelen != nv->namelen || valuelen != nv->valuelen ||
      !h2w_hpack_same(value, nv->value, valuelen) ||
      !h2w_hpack_same(name, nv->name, namelen)) {
    return 0;
  }
  return put_indexed(dst, idx); /* §6.1 */
}

/* Inline: the plain loop is the encoder's hot path, and a call per field
 * there costs measurably more than the code it saves. */
static inline size_t encode_field(h2w_hpack_encoder *e, uint8_t *dst,
                                  const h2w_nv *nv) {
  size_t sname, idx;
  unsigned policy;
  h2w_hpack_key k;
  idx = h2w_hpack_static_find(nv->name, nv->namelen, nv->value, nv->valuelen,
                              &sname);
  policy = name_policy[sname];
  if (sensitive(nv, policy)) {
    return encode_secret(e, dst, nv, sname);
  }
  if (idx != 0) {
    return put_indexed(dst, idx); /* §6.1 */
  }
  if (policy == NAME_CHURN) {
    return put_literal(e, dst, nv, sname, 0, 4); /* §6.2.2 */
  }
  h2w_hpack_key_init(&k, nv->name, nv->namelen, nv->value, nv->valuelen, sname);
  idx = h2w_hpack_table_find_field(&e->table, &k);
  if (idx != 0) {
    return put_indexed(dst, idx + H2W_HPACK_STATIC_COUNT); /* §6.1 */
  }
  if (sname == 0) {
    idx = h2w_hpack_table_find_name(&e->table, &k);
    sname = idx == 0 ? 0 : idx + H2W_HPACK_STATIC_COUNT;
  }
  if (!worth_indexing(e, nv)) {
    return put_literal(e, dst, nv, sname, 0, 4); /* §6.2.2 */
  }
  idx = put_literal(e, dst, nv, sname, 0x40, 6); /* §6.2.1 */
  /* Storage was reserved up front, so this cannot fail. */
  (void)h2w_hpack_table_insert_key(&e->table, e->alloc, &k);
  return idx;
}

/* The hint for a field the full path just wrote at rep[0..len), read back
 * from its representation (RFC 7541 §6): an indexed field names its
 * entry, a literal with incremental indexing that grew the table is the
 * newest entry, anything else (never or not indexed) gives none. */
static uint32_t hint_of_output(const h2w_hpack_encoder *e, const uint8_t *rep,
                               size_t len, uint64_t next_before) {
  uint32_t idx;
  if (rep[0] & 0x80) {
    if (h2w_hpack_int_decode(&idx, rep, len, 7) <= 0 || idx == 0) {
      return HINT_NONE; /* not reached: the encoder wrote it */
    }
    return idx <= H2W_HPACK_STATIC_COUNT
               ? HINT_STATIC | idx
               : hint_of_entry(e->table.next - (idx - H2W_HPACK_STATIC_COUNT));
  }
  if ((rep[0] & 0xc0) == 0x40 && e->table.next != next_before) {
    return hint_of_entry(e->table.next - 1);
  }
  return HINT_NONE;
}

/* Per field: a 6-octet index or a literal name with a header of up to 11
 * octets, and a value with the same; 32 covers it with room to spare. */
#define FIELD_OVERHEAD 32u
/* Two size updates of at most 6 octets each (§4.2). */
#define UPDATES_MAX 12u

size_t h2w_hpack_encoder_bound_sum(size_t nvlen, size_t octets) {
  if (nvlen > (SIZE_MAX - UPDATES_MAX) / FIELD_OVERHEAD ||
      octets > SIZE_MAX - UPDATES_MAX - nvlen * FIELD_OVERHEAD) {
    return SIZE_MAX;
  }
  return UPDATES_MAX + nvlen * FIELD_OVERHEAD + octets;
}

/* Lengths below this, in fewer fields than this, cannot make their sum
 * wrap: 2 * 2^(w/2-1) * 2^(w/2-1) = 2^(w-1) for a w-bit size_t. */
#define LEN_SMALL ((size_t)1 << (sizeof(size_t) * 4 - 1))

/* The bound with a wrap check at every step, for fields whose lengths the
 * one-pass sum below cannot vouch for. */
static size_t bound_checked(const h2w_nv *nva, size_t nvlen) {
  size_t octets = 0, i;
  for (i = 0; i < nvlen; i++) {
    size_t f = nva[i].namelen;
    if (f > SIZE_MAX - nva[i].valuelen ||
        octets > SIZE_MAX - f - nva[i].valuelen) {
      return SIZE_MAX;
    }
    octets += f + nva[i].valuelen;
  }
  return h2w_hpack_encoder_bound_sum(nvlen, octets);
}

/* A NULL name or value is only allowed with length 0. */
static inline int bad_field(const h2w_nv *nv) {
  return (nv->name == NULL && nv->namelen > 0) ||
         (nv->value == NULL && nv->valuelen > 0);
}

/* One pass over the fields for the bound and, when `check`, bad_field():
 * the bound is asked for every block, often twice (the caller sizing its
 * buffer, then the encoder checking it), so the loop is kept to two adds
 * and two ORs per field; the OR of all lengths (and the count) tells
 * afterwards whether the sum may have wrapped. */
typedef struct field_sum {
  size_t bound;
  int bad; /* a NULL pointer with a nonzero length */
} field_sum;

static inline field_sum sum_fields(const h2w_nv *nva, size_t nvlen, int check) {
  field_sum r;
  size_t octets = 0, big = nvlen, i;
  r.bad = 0;
  for (i = 0; i < nvlen; i++) {
    if (check && bad_field(&nva[i])) {
      r.bad = 1;
      r.bound = SIZE_MAX;
      return r;
    }
    octets += nva[i].namelen + nva[i].valuelen;
    big |= nva[i].namelen | nva[i].valuelen;
  }
  r.bound = big < LEN_SMALL ? h2w_hpack_encoder_bound_sum(nvlen, octets)
                            : bound_checked(nva, nvlen);
  return r;
}

size_t h2w_hpack_encoder_bound(const h2w_hpack_encoder *e, const h2w_nv *nva,
                               size_t nvlen) {
  (void)e;
  return sum_fields(nva, nvlen, 0).bound;
}

static int valid_fields(const h2w_nv *nva, size_t nvlen) {
  size_t i;
  for (i = 0; i < nvlen; i++) {
    if (bad_field(&nva[i])) {
      return 0;
    }
  }
  return 1;
}

/* The block, arguments checked and buf sized by the caller. */
static h2w_ssize encode_block(h2w_hpack_encoder *e, uint8_t *buf,
                              const h2w_nv *nva, size_t nvlen) {
  size_t n = 0, i, tried = 0, missed = 0;
  int rv, try;
  /* All the table memory this block can need, before any state changes. */
  rv = h2w_hpack_table_reserve(&e->table, e->alloc);
  if (rv != H2W_OK) {
    return rv;
  }
  if (e->pending) {
    /* §4.2: the smallest limit reached since the last block, then the
     * final one, so that the peer evicts exactly as we did. */
    if (e->lowest < e->table.limit) {
      n += h2w_hpack_int_encode(buf + n, e->lowest, 5, 0x20);
    }
    n += h2w_hpack_int_encode(buf + n, e->table.limit, 5, 0x20);
    e->pending = 0;
  }
  e->lowest = (uint32_t)e->table.limit;
  if (e->hint_rest > 1) {
    /* Resting: the plain full path. */
    e->hint_rest--;
    for (i = 0; i < nvlen; i++) {
      n += encode_field(e, buf + n, &nva[i]);
    }
    return (h2w_ssize)n;
  }
  try = e->hint_rest == 0; /* 1: record only */
  for (i = 0; i < nvlen; i++) {
    const h2w_nv *nv = &nva[i];
    size_t w = 0;
    uint64_t before = e->table.next;
    if (i >= H2W_HPACK_HINTS) {
      n += encode_field(e, buf + n, nv);
      continue;
    }
    if (try && e->hint[i] != HINT_NONE &&
        !(nv->flags & H2W_NV_FLAG_NEVER_INDEX)) {
      tried++;
      w = encode_hinted(e, buf + n, nv, e->hint[i]);
      missed += w == 0;
    }
    if (w == 0) {
      w = encode_field(e, buf + n, nv);
      e->hint[i] = hint_of_output(e, buf + n, w, before);
    }
    n += w;
  }
  e->hint_rest = missed * 8 > tried ? HINT_REST : 0;
  return (h2w_ssize)n;
}

h2w_ssize h2w_hpack_encoder_encode(h2w_hpack_encoder *e, uint8_t *buf,
                                   size_t cap, const h2w_nv *nva,
                                   size_t nvlen) {
  field_sum f;
  if ((buf == NULL && cap > 0) || (nva == NULL && nvlen > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  f = sum_fields(nva, nvlen, 1);
  if (f.bad) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (cap < f.bound) {
    return H2W_E_BUFFER_TOO_SMALL;
  }
  return encode_block(e, buf, nva, nvlen);
}

h2w_ssize h2w_hpack_encoder_encode_sized(h2w_hpack_encoder *e, uint8_t *buf,
                                         const h2w_nv *nva, size_t nvlen) {
  if (!valid_fields(nva, nvlen)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return encode_block(e, buf, nva, nvlen);
}

h2w_ssize h2w_hpack_encoder_encode_valid(h2w_hpack_encoder *e, uint8_t *buf,
                                         const h2w_nv *nva, size_t nvlen) {
  return encode_block(e, buf, nva, nvlen);
}

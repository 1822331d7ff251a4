/* HPACK decoder (RFC 7541 §3, §6): header block pieces in, fields out.
 *
 * Each representation is handled in two steps: scan() reads only its
 * integers and string lengths (cheap, so rescanning a representation that
 * is completed octet by octet costs O(1) per octet), then apply() decodes
 * the strings, delivers the field and updates the table. A representation
 * split across pieces is the only thing ever copied into `partial`.
 *
 * Limits are enforced here, not by the caller (docs/security.md row 12): once
 * the header list or field count cap is passed nothing more is delivered, and
 * the rest of the block is only parsed to keep the table in sync with the
 * peer; a string that can neither be delivered nor enter the table is
 * skipped without being buffered or Huffman-decoded. A skipped Huffman
 * string is still run through the code automaton without output: RFC 7541
 * §5.2 makes EOS or bad padding a decoding error in every string, so a
 * skip must never turn a COMPRESSION_ERROR into a mere limit. */
#include "hpack.h"

#include <string.h>

#include "huffman.h"

/* The fast path's helpers are used twice or more in one function and
 * must stay in registers there: inlining them is the point. */
#if defined(__GNUC__)
#define FAST_INLINE static inline __attribute__((always_inline))
#else
#define FAST_INLINE static inline
#endif

enum {
  ST_REP,        /* at the start of a representation */
  ST_SKIP_NAME,  /* inside a skipped name string; its value follows */
  ST_VALUE_HDR,  /* at the value string after a skipped name */
  ST_SKIP_VALUE, /* inside a skipped value string */
};

enum { K_INDEXED, K_LITERAL, K_UPDATE, K_SKIP };

typedef struct wstr {
  const uint8_t *p;
  uint32_t len;
  uint8_t huff;
} wstr;

/* What scan() found. For K_SKIP, the skipped string starts at `len` and
 * is `skip` octets long; skip_name says it is a name (a value follows). */
typedef struct rep {
  int kind;
  int indexing; /* §6.2.1 incremental indexing */
  uint32_t flags;
  uint32_t index; /* indexed field or indexed name; 0 = literal name */
  wstr name, value;
  size_t len; /* octets of the unit; when incomplete, octets needed */
  uint64_t skip;
  int skip_name;
  int skip_huff;
} rep;

void h2w_hpack_decoder_init(h2w_hpack_decoder *d, h2w_alloc *a) {
  memset(d, 0, sizeof(*d));
  d->alloc = a;
  h2w_hpack_table_init(&d->table, H2W_HPACK_DEFAULT_TABLE_SIZE, 0);
  d->settings_max = H2W_HPACK_DEFAULT_TABLE_SIZE;
  d->lowest = H2W_HPACK_DEFAULT_TABLE_SIZE;
  d->max_list = H2W_HPACK_DEFAULT_MAX_HEADER_LIST_SIZE;
  d->next_list = d->max_list;
  d->max_fields = H2W_HPACK_DEFAULT_MAX_FIELDS;
  d->state = ST_REP;
}

void h2w_hpack_decoder_free(h2w_hpack_decoder *d) {
  h2w_hpack_table_free(&d->table, d->alloc);
  h2w_alloc_free(d->alloc, d->partial, d->partial_cap);
  h2w_alloc_free(d->alloc, d->scratch, d->scratch_cap);
  d->partial = NULL;
  d->scratch = NULL;
  d->partial_cap = d->scratch_cap = d->partial_len = 0;
}

void h2w_hpack_decoder_list_cap(h2w_hpack_decoder *d, uint32_t cap) {
  d->next_list = cap;
  if (!d->in_block) {
    d->max_list = cap;
  }
}

int h2w_hpack_decoder_settings(h2w_hpack_decoder *d, uint32_t size) {
  if (d->in_block) {
    return H2W_E_INVALID_STATE;
  }
  d->settings_max = size;
  if (size < d->lowest) {
    d->lowest = size;
  }
  /* RFC 7541 §4.2: a limit lowered below the table's current maximum must
   * be acknowledged by an update at the start of the next block. */
  if (d->lowest < d->table.limit) {
    d->need_update = 1;
  }
  return H2W_OK;
}

void h2w_hpack_decoder_raise(h2w_hpack_decoder *d, uint32_t size) {
  /* Only the bound of §6.3 moves: what §4.2 owes (lowest, need_update)
   * depends on values lowered, never on one raised. */
  if (size > d->settings_max) {
    d->settings_max = size;
  }
}

static size_t dyn_count(const h2w_hpack_decoder *d) {
  return h2w_hpack_table_count(&d->table);
}

/* Most integers fit their prefix (§5.1); only longer ones pay a call. */
static h2w_ssize int_decode(uint32_t *out, const uint8_t *p, size_t n,
                            unsigned prefix) {
  uint32_t mask = (1u << prefix) - 1u;
  if (n > 0 && (p[0] & mask) != mask) {
    *out = p[0] & mask;
    return 1;
  }
  return h2w_hpack_int_decode(out, p, n, prefix);
}

/* An integer (§5.1) whose prefix is full: most such values fit one more
 * octet (up to prefix max + 127), read here without a call. */
FAST_INLINE h2w_ssize fast_int(uint32_t *out, const uint8_t *p, size_t n,
                               unsigned prefix) {
  uint32_t mask = (1u << prefix) - 1u;
  if (n >= 2 && (p[1] & 0x80u) == 0) {
    *out = mask + p[1];
    return 2;
  }
  return h2w_hpack_int_decode(out, p, n, prefix);
}

/* Fewest octets a string of `len` wire octets decodes to: a Huffman code
 * is at most 30 bits and padding at most 7 (RFC 7541 §5.2, Appendix B). */
static uint64_t min_len(uint32_t len, uint8_t huff) {
  uint64_t bits = (uint64_t)len * 8;
  if (!huff) {
    return len;
  }
  return bits < 7 ? 0 : (bits - 7) / 30;
}

static uint64_t min_decoded(const wstr *s) {
  return min_len(s->len, s->huff);
}

/* Could a field of at least `octets` decoded name+value still be
 * delivered in this block? A list already at or over the cap never takes
 * another field: the room left is computed only when there is some, so
 * it cannot wrap around to a huge value (RFC 9113 §6.5.2). */
static int deliverable(const h2w_hpack_decoder *d, uint64_t octets) {
  return !d->tripped && d->nfields < d->max_fields &&
         d->list_size < d->max_list &&
         octets + H2W_HPACK_ENTRY_OVERHEAD <= d->max_list - d->list_size;
}

/* deliverable() for the fast path: list_size never exceeds max_list (it
 * only grows by what the last test allowed, and max_list only changes
 * between blocks, when list_size is 0), so the room cannot wrap and one
 * test less is needed. */
FAST_INLINE int fast_deliverable(const h2w_hpack_decoder *d, uint64_t octets) {
  return !d->tripped && d->nfields < d->max_fields &&
         octets + H2W_HPACK_ENTRY_OVERHEAD <=
             (uint64_t)d->max_list - d->list_size;
}

static int fits_table(const h2w_hpack_decoder *d, uint64_t octets) {
  return octets + H2W_HPACK_ENTRY_OVERHEAD <= d->table.limit;
}

static size_t name_len_of(const h2w_hpack_decoder *d, uint32_t index) {
  if (index <= H2W_HPACK_STATIC_COUNT) {
    return h2w_hpack_static_rows[index - 1].namelen;
  }
  return h2w_hpack_table_get(&d->table, index - H2W_HPACK_STATIC_COUNT).namelen;
}

/* Read a string header (H bit + 7-bit prefix length, §5.2) at p[*pos].
 * Returns 1, 0 (need more; r->len set) or H2W_E_COMPRESSION. */
static int str_hdr(const uint8_t *p, size_t n, size_t *pos, wstr *s, rep *r) {
  h2w_ssize k;
  if (*pos >= n) {
    r->len = *pos + 1;
    return 0;
  }
  k = int_decode(&s->len, p + *pos, n - *pos, 7);
  if (k <= 0) {
    r->len = n + 1;
    return (int)k;
  }
  s->huff = (p[*pos] & 0x80u) != 0;
  *pos += (size_t)k;
  s->p = p + *pos;
  return 1;
}

/* Mark a string for skipping instead of reading it. */
static int skip_str(rep *r, size_t pos, const wstr *s, int is_name) {
  r->kind = K_SKIP;
  r->len = pos;
  r->skip = s->len;
  r->skip_name = is_name;
  r->skip_huff = s->huff;
  return 1;
}

/* Make sure s (starting at *pos) is entirely in p[0..n); advance. */
static int need_str(size_t n, size_t *pos, const wstr *s, rep *r) {
  if (s->len > n - *pos) {
    r->len = *pos + s->len;
    return 0;
  }
  *pos += s->len;
  return 1;
}

/* The rest of a literal (§6.2) after its first integer: name, value. */
static int scan_literal(const h2w_hpack_decoder *d, const uint8_t *p, size_t n,
                        size_t pos, rep *r) {
  uint64_t nmin;
  int rv;
  if (r->index > H2W_HPACK_STATIC_COUNT + dyn_count(d)) {
    return H2W_E_COMPRESSION; /* §2.3.3: index past both tables */
  }
  if (r->index == 0) {
    rv = str_hdr(p, n, &pos, &r->name, r);
    if (rv != 1) {
      return rv;
    }
    nmin = min_decoded(&r->name);
    if (!deliverable(d, nmin) && !(r->indexing && fits_table(d, nmin))) {
      return skip_str(r, pos, &r->name, 1);
    }
    rv = need_str(n, &pos, &r->name, r);
    if (rv != 1) {
      return rv;
    }
  } else {
    /* No literal name: grow_scratch() and apply read name.huff/len only
     * for index 0, but the compiler may load them either way. */
    r->name.len = 0;
    r->name.huff = 0;
    nmin = name_len_of(d, r->index);
  }
  rv = str_hdr(p, n, &pos, &r->value, r);
  if (rv != 1) {
    return rv;
  }
  nmin += min_decoded(&r->value);
  if (!deliverable(d, nmin) && !(r->indexing && fits_table(d, nmin))) {
    return skip_str(r, pos, &r->value, 0);
  }
  rv = need_str(n, &pos, &r->value, r);
  if (rv == 1) {
    r->len = pos;
  }
  return rv;
}

/* A dynamic table size update (§6.3) and the rules around it (§4.2). */
static int check_update(const h2w_hpack_decoder *d, uint32_t size) {
  if (d->seen_field || d->updates >= 2 || size > d->settings_max) {
    return H2W_E_COMPRESSION;
  }
  if (d->need_update && d->updates == 0 && size > d->lowest) {
    return H2W_E_COMPRESSION; /* must signal the smallest limit first */
  }
  return H2W_OK;
}

/* Read the integers and string lengths of the unit at p[0..n). Returns 1
 * (complete or skip), 0 (need r->len octets in all) or an error. */
static int scan(const h2w_hpack_decoder *d, const uint8_t *p, size_t n,
                rep *r) {
  size_t pos = 0;
  h2w_ssize k;
  unsigned prefix;
  /* Every member a later step reads is set on the way (no memset: this
   * runs once per field). */
  r->indexing = 0;
  r->flags = 0;
  if (d->state == ST_VALUE_HDR) {
    int rv = str_hdr(p, n, &pos, &r->value, r);
    return rv == 1 ? skip_str(r, pos, &r->value, 0) : rv;
  }
  if (p[0] & 0x80u) {
    r->kind = K_INDEXED, prefix = 7; /* §6.1 */
  } else if (p[0] & 0x40u) {
    r->kind = K_LITERAL, r->indexing = 1, prefix = 6; /* §6.2.1 */
  } else if (p[0] & 0x20u) {
    r->kind = K_UPDATE, prefix = 5; /* §6.3 */
  } else {
    r->kind = K_LITERAL, prefix = 4; /* §6.2.2, §6.2.3 */
    r->flags = (p[0] & 0x10u) ? H2W_NV_FLAG_NEVER_INDEX : 0;
  }
  if (r->kind != K_UPDATE && d->need_update) {
    return H2W_E_COMPRESSION; /* §4.2: the mandatory update is missing */
  }
  k = int_decode(&r->index, p, n, prefix);
  if (k <= 0) {
    r->len = n + 1;
    return (int)k;
  }
  pos = (size_t)k;
  if (r->kind == K_UPDATE) {
    r->len = pos;
    return check_update(d, r->index) == H2W_OK ? 1 : H2W_E_COMPRESSION;
  }
  if (r->kind == K_INDEXED) {
    if (r->index == 0 || r->index > H2W_HPACK_STATIC_COUNT + dyn_count(d)) {
      return H2W_E_COMPRESSION; /* §6.1: index 0 or past the tables */
    }
    r->len = pos;
    return 1;
  }
  return scan_literal(d, p, n, pos, r);
}

static h2w_hpack_field lookup(const h2w_hpack_decoder *d, uint32_t index) {
  h2w_hpack_field f;
  if (index <= H2W_HPACK_STATIC_COUNT) {
    h2w_hpack_static_entry s = h2w_hpack_static_at(index - 1);
    f.name = s.name;
    f.namelen = s.namelen;
    f.value = s.value;
    f.valuelen = s.valuelen;
    return f;
  }
  return h2w_hpack_table_get(&d->table, index - H2W_HPACK_STATIC_COUNT);
}

/* What the session need not check again of the field at `index`
 * (H2W_HPACK_CHECKED_* bits, see hpack.h): all of a static entry, and of
 * a dynamic one what its mark says. */
static unsigned trust_of(const h2w_hpack_decoder *d, uint32_t index) {
  if (index <= H2W_HPACK_STATIC_COUNT) {
    return H2W_HPACK_CHECKED_NAME | H2W_HPACK_CHECKED_VALUE |
           H2W_HPACK_NAME_STATIC | index << H2W_HPACK_TAG_SHIFT;
  }
  return h2w_hpack_table_mark(&d->table, index - H2W_HPACK_STATIC_COUNT);
}

static int deliver(h2w_hpack_decoder *d, const h2w_hpack_field *f,
                   uint32_t flags, unsigned trust, h2w_hpack_dec_cb cb,
                   void *user) {
  h2w_nv nv;
  /* The session's "checked" note is for the field it is given; one not
   * delivered (over the list limit) was checked by no one, and must not
   * enter the table marked with the previous field's note. */
  d->field_checked = 0;
  if (!deliverable(d, (uint64_t)f->namelen + f->valuelen)) {
    d->tripped = 1; /* RFC 9113 §6.5.2: stop delivering, keep parsing */
    return H2W_OK;
  }
  d->nfields++;
  d->list_size += f->namelen + f->valuelen + H2W_HPACK_ENTRY_OVERHEAD;
  nv.name = f->name;
  nv.namelen = f->namelen;
  nv.value = f->value;
  nv.valuelen = f->valuelen;
  nv.flags = flags;
  d->field_trust = (uint16_t)trust;
  return cb(user, &nv) == 0 ? H2W_OK : H2W_E_CALLBACK_FAILURE;
}

/* Raw strings point into the input (zero copy); Huffman ones are decoded
 * into the scratch buffer at *used. */
static int read_str(h2w_hpack_decoder *d, const wstr *s, size_t *used,
                    const uint8_t **out, size_t *outlen) {
  h2w_ssize k;
  if (!s->huff || s->len == 0) {
    *out = s->p;
    *outlen = s->len;
    return H2W_OK;
  }
  k = h2w_huffman_decode_roomy(d->scratch + *used, s->p, s->len);
  if (k < 0) {
    return H2W_E_COMPRESSION;
  }
  *out = d->scratch + *used;
  *outlen = (size_t)k;
  *used += (size_t)k;
  return H2W_OK;
}

/* Room for the Huffman-decoded strings: the shortest code is 5 bits
 * (RFC 7541 Appendix B), so len octets decode to at most len * 8 / 5,
 * and 2 more for the unchecked stores of h2w_huffman_decode_roomy() (the
 * name's overshoot lands where the value is written next). Computed here
 * in 64 bits (string lengths are 32-bit) rather than by a call per
 * string; the sum cannot wrap. */
static int grow_scratch_to(h2w_hpack_decoder *d, uint64_t need) {
  uint8_t *p;
  if (need <= d->scratch_cap) {
    return H2W_OK;
  }
  if (need > SIZE_MAX) {
    return H2W_E_NOMEM;
  }
  p = h2w_alloc_malloc(d->alloc, (size_t)need);
  if (p == NULL) {
    return H2W_E_NOMEM;
  }
  h2w_alloc_free(d->alloc, d->scratch, d->scratch_cap);
  d->scratch = p;
  d->scratch_cap = (size_t)need;
  return H2W_OK;
}

static uint64_t huff_room(uint32_t len, uint8_t huff) {
  return huff ? (uint64_t)len * 8 / 5 : 0;
}

static int grow_scratch(h2w_hpack_decoder *d, const rep *r) {
  uint64_t need = huff_room(r->value.len, r->value.huff);
  if (r->index == 0) {
    need += huff_room(r->name.len, r->name.huff);
  }
  /* Raw strings need no scratch at all. */
  return need == 0 ? H2W_OK : grow_scratch_to(d, need + 2);
}

static int apply_literal(h2w_hpack_decoder *d, const rep *r,
                         h2w_hpack_dec_cb cb, void *user) {
  h2w_hpack_field f;
  size_t used = 0;
  unsigned trust = 0;
  uint64_t next;
  int rv = grow_scratch(d, r);
  if (rv != H2W_OK) {
    return rv;
  }
  if (r->index != 0) {
    f = lookup(d, r->index);
    /* The name's trust and tag; the value is new. */
    trust = trust_of(d, r->index) & ~H2W_HPACK_CHECKED_VALUE;
  } else {
    rv = read_str(d, &r->name, &used, &f.name, &f.namelen);
    if (rv != H2W_OK) {
      return rv;
    }
  }
  rv = read_str(d, &r->value, &used, &f.value, &f.valuelen);
  if (rv != H2W_OK) {
    return rv;
  }
  rv = deliver(d, &f, r->flags, trust, cb, user);
  if (rv != H2W_OK || !r->indexing) {
    return rv;
  }
  /* §4.4: the name may be an entry this insertion evicts; the table copes
   * with a name pointing into itself. */
  next = d->table.next;
  rv = h2w_hpack_table_insert(&d->table, d->alloc, f.name, f.namelen, f.value,
                              f.valuelen);
  if (rv == H2W_OK && d->table.next != next && d->field_checked) {
    /* The entry just added (one too large for the table adds none). */
    h2w_hpack_table_set_mark(&d->table, 1,
                             H2W_HPACK_CHECKED_NAME | H2W_HPACK_CHECKED_VALUE |
                                 (uint32_t)d->field_tag << H2W_HPACK_TAG_SHIFT);
  }
  return rv;
}

/* Octets p[0..n) of the string being skipped: validate them if it is
 * Huffman-coded, and at its end (`last`) check the padding (§5.2). */
static int check_skipped(h2w_hpack_decoder *d, const uint8_t *p, size_t n,
                         int last) {
  if (!d->skip_huff) {
    return H2W_OK;
  }
  if (h2w_huffman_decoder_check(&d->skip_check, p, n) != H2W_OK ||
      (last && h2w_huffman_decoder_finish(&d->skip_check) != H2W_OK)) {
    return H2W_E_COMPRESSION;
  }
  return H2W_OK;
}

/* Start skipping the string r describes; `unit` holds `avail` octets of
 * the representation. Returns the octets consumed or H2W_E_COMPRESSION. */
static h2w_ssize apply_skip(h2w_hpack_decoder *d, const rep *r,
                            const uint8_t *unit, size_t avail) {
  uint64_t have = avail - r->len;
  int rv;
  d->tripped = 1;
  d->skip_huff = (uint8_t)(r->skip_huff != 0);
  h2w_huffman_decoder_init(&d->skip_check);
  if (d->state == ST_REP) {
    d->seen_field = 1;
    if (r->indexing) {
      /* §4.4: the entry would be larger than the table, emptying it. */
      size_t limit = d->table.limit;
      h2w_hpack_table_set_limit(&d->table, 0);
      h2w_hpack_table_set_limit(&d->table, limit);
    }
  }
  if (have >= r->skip) {
    rv = check_skipped(d, unit + r->len, (size_t)r->skip, 1);
    if (rv != H2W_OK) {
      return rv;
    }
    d->state = r->skip_name ? ST_VALUE_HDR : ST_REP;
    return (h2w_ssize)(r->len + (size_t)r->skip);
  }
  rv = check_skipped(d, unit + r->len, (size_t)have, 0);
  if (rv != H2W_OK) {
    return rv;
  }
  d->skip_left = r->skip - have;
  d->state = r->skip_name ? ST_SKIP_NAME : ST_SKIP_VALUE;
  return (h2w_ssize)avail;
}

/* Act on a scanned unit. Returns octets consumed or an error. */
static h2w_ssize apply(h2w_hpack_decoder *d, const rep *r, const uint8_t *unit,
                       size_t avail, h2w_hpack_dec_cb cb, void *user) {
  int rv = H2W_OK;
  switch (r->kind) {
  case K_SKIP:
    return apply_skip(d, r, unit, avail);
  case K_UPDATE:
    h2w_hpack_table_set_limit(&d->table, r->index);
    d->updates++;
    d->need_update = 0;
    break;
  case K_INDEXED: {
    h2w_hpack_field f = lookup(d, r->index);
    d->seen_field = 1;
    rv = deliver(d, &f, 0, trust_of(d, r->index), cb, user);
    break;
  }
  default:
    d->seen_field = 1;
    rv = apply_literal(d, r, cb, user);
    break;
  }
  return rv == H2W_OK ? (h2w_ssize)r->len : rv;
}

/* Append up to `want` octets of input to the partial representation. */
static int buffer_more(h2w_hpack_decoder *d, const uint8_t *in, size_t n) {
  if (d->partial_len + n > d->partial_cap) {
    size_t cap = d->partial_cap < 64 ? 64 : d->partial_cap;
    uint8_t *p;
    while (cap < d->partial_len + n) {
      cap *= 2;
    }
    p = h2w_alloc_realloc(d->alloc, d->partial, d->partial_cap, cap);
    if (p == NULL) {
      return H2W_E_NOMEM;
    }
    d->partial = p;
    d->partial_cap = cap;
  }
  memcpy(d->partial + d->partial_len, in, n);
  d->partial_len += n;
  return H2W_OK;
}

/* Continue the representation held in `partial` with input octets, only
 * as many as it needs. Returns input octets used or an error. */
static h2w_ssize resume_partial(h2w_hpack_decoder *d, const uint8_t *in,
                                size_t len, h2w_hpack_dec_cb cb, void *user) {
  size_t used = 0;
  rep r;
  for (;;) {
    h2w_ssize k;
    int rv = scan(d, d->partial, d->partial_len, &r);
    if (rv < 0) {
      return rv;
    }
    if (rv == 0) {
      size_t add = r.len - d->partial_len;
      if (add > len - used) {
        add = len - used;
      }
      if (add == 0) {
        return (h2w_ssize)used;
      }
      rv = buffer_more(d, in + used, add);
      if (rv != H2W_OK) {
        return rv;
      }
      used += add;
      continue;
    }
    k = apply(d, &r, d->partial, d->partial_len, cb, user);
    d->partial_len = 0;
    return k < 0 ? k : (h2w_ssize)used;
  }
}

/* A string literal (§5.2) at p[*pos..n), whole in the input: 1 with
 * *s, *len, *huff set and *pos past it, 0 otherwise (the general path then
 * takes the representation and gives any error its length has). */
FAST_INLINE int fast_str(const uint8_t *p, size_t n, size_t *pos,
                         const uint8_t **s, uint32_t *len, uint8_t *huff) {
  size_t at = *pos, k = 1;
  uint32_t l;
  if (at >= n) {
    return 0;
  }
  l = p[at] & 0x7fu;
  if (l == 0x7fu) {
    h2w_ssize r = fast_int(&l, p + at, n - at, 7);
    if (r <= 0) {
      return 0;
    }
    k = (size_t)r;
  }
  if (l > n - at - k) {
    return 0;
  }
  *s = p + at + k;
  *len = l;
  *huff = (uint8_t)(p[at] >> 7);
  *pos = at + k + l;
  return 1;
}

/* The field at `index` (1..61 + entries, checked by the caller) into *nv;
 * returns its H2W_HPACK_CHECKED_* bits (see trust_of). */
FAST_INLINE unsigned fast_field(const h2w_hpack_decoder *d, uint32_t index,
                                h2w_nv *nv) {
  const h2w_hpack_table *t = &d->table;
  const h2w_hpack_entry *e;
  if (index <= H2W_HPACK_STATIC_COUNT) {
    const h2w_hpack_static_row *r = &h2w_hpack_static_rows[index - 1];
    nv->name = h2w_hpack_static_text + r->name;
    nv->namelen = r->namelen;
    nv->value = h2w_hpack_static_text + r->value;
    nv->valuelen = r->valuelen;
    /* As trust_of(): the name's index too, so that the session knows
     * which name it is without a string compare. */
    return H2W_HPACK_CHECKED_NAME | H2W_HPACK_CHECKED_VALUE |
           H2W_HPACK_NAME_STATIC | index << H2W_HPACK_TAG_SHIFT;
  }
  e = &t->ents[(size_t)((t->next - (index - H2W_HPACK_STATIC_COUNT)) &
                        (t->entcap - 1))];
  nv->name = t->buf + e->off;
  nv->namelen = e->namelen;
  nv->value = nv->name + e->namelen;
  nv->valuelen = e->valuelen;
  return e->hname;
}

/* s (len octets, Huffman if huff) decoded into the scratch at *used, or
 * pointed at in the input. */
FAST_INLINE int fast_read(h2w_hpack_decoder *d, const uint8_t *s, uint32_t len,
                          uint8_t huff, size_t *used, const uint8_t **out,
                          size_t *outlen) {
  h2w_ssize k;
  if (!huff) {
    *out = s;
    *outlen = len;
    return H2W_OK;
  }
  k = h2w_huffman_decode_roomy(d->scratch + *used, s, len);
  if (k < 0) {
    return H2W_E_COMPRESSION; /* §5.2: EOS or bad padding */
  }
  *out = d->scratch + *used;
  *outlen = (size_t)k;
  *used += (size_t)k;
  return H2W_OK;
}

/* The common representations, taken without the general scan record:
 * an indexed field (§6.1) or a literal (§6.2), whole in p[0..n), when
 * the field can be delivered. Returns octets used, 0 when the general
 * path must take it (it then repeats every check, so nothing here may
 * have changed the decoder before returning 0), or an error. */
static h2w_ssize fast_rep(h2w_hpack_decoder *d, const uint8_t *p, size_t n,
                          h2w_hpack_dec_cb cb, void *user) {
  const uint32_t count =
      H2W_HPACK_STATIC_COUNT + (uint32_t)h2w_hpack_table_count(&d->table);
  const uint32_t b = p[0];
  uint32_t index, flags = 0;
  unsigned trust;
  int indexing = 0;
  size_t pos = 1;
  h2w_nv nv;
  if (b & 0x80u) { /* §6.1 */
    index = b & 0x7fu;
    if (index == 0x7fu) {
      return 0;
    }
    if (index - 1u >= count) {
      return H2W_E_COMPRESSION; /* §6.1: index 0 or past the tables */
    }
    trust = fast_field(d, index, &nv);
  } else {
    const uint8_t *ns = NULL, *vs;
    uint32_t nlen = 0, vlen, mask;
    uint8_t nhuff = 0, vhuff;
    size_t used = 0;
    uint64_t nmin;
    int rv;
    if (b & 0x40u) {
      indexing = 1, mask = 0x3fu; /* §6.2.1 */
    } else if (b & 0x20u) {
      return 0; /* §6.3 size update: the general path's rules */
    } else {
      mask = 0x0fu; /* §6.2.2, §6.2.3 */
      flags = (b & 0x10u) ? H2W_NV_FLAG_NEVER_INDEX : 0;
    }
    index = b & mask;
    if (index == mask) {
      h2w_ssize r = fast_int(&index, p, n, mask == 0x3fu ? 6 : 4);
      if (r <= 0) {
        return 0;
      }
      pos = (size_t)r;
    }
    if (index > count) {
      return 0;
    }
    if (index == 0) {
      if (!fast_str(p, n, &pos, &ns, &nlen, &nhuff)) {
        return 0;
      }
      nmin = min_len(nlen, nhuff);
      trust = 0;
    } else {
      /* Only reads the table: nothing changes before a return of 0. */
      /* The name's trust and tag, as the general path; the value is new. */
      trust = fast_field(d, index, &nv) & ~H2W_HPACK_CHECKED_VALUE;
      nmin = nv.namelen;
    }
    if (!fast_str(p, n, &pos, &vs, &vlen, &vhuff)) {
      return 0;
    }
    nmin += min_len(vlen, vhuff);
    if (!fast_deliverable(d, nmin)) {
      return 0; /* the general path decides between skipping and tripping */
    }
    if (nhuff | vhuff) {
      rv = grow_scratch_to(d,
                           huff_room(nlen, nhuff) + huff_room(vlen, vhuff) + 2);
      if (rv != H2W_OK) {
        return rv;
      }
    }
    if (index == 0) {
      rv = fast_read(d, ns, nlen, nhuff, &used, &nv.name, &nv.namelen);
      if (rv != H2W_OK) {
        return rv;
      }
    }
    rv = fast_read(d, vs, vlen, vhuff, &used, &nv.value, &nv.valuelen);
    if (rv != H2W_OK) {
      return rv;
    }
  }
  d->seen_field = 1;
  /* deliver(), here so that nv stays in this frame (and, as there, no
   * earlier field's "checked" note survives for this one). */
  d->field_checked = 0;
  if (fast_deliverable(d, (uint64_t)nv.namelen + nv.valuelen)) {
    d->nfields++;
    d->list_size += nv.namelen + nv.valuelen + H2W_HPACK_ENTRY_OVERHEAD;
    nv.flags = flags;
    d->field_trust = (uint16_t)trust;
    if (cb(user, &nv) != 0) {
      return H2W_E_CALLBACK_FAILURE;
    }
  } else {
    d->tripped = 1; /* RFC 9113 §6.5.2: stop delivering, keep parsing */
  }
  if (indexing) {
    uint64_t next = d->table.next;
    /* §4.4: the name may be an entry this insertion evicts. */
    int rv = h2w_hpack_table_insert(&d->table, d->alloc, nv.name, nv.namelen,
                                    nv.value, nv.valuelen);
    if (rv != H2W_OK) {
      return rv;
    }
    if (d->table.next != next && d->field_checked) {
      h2w_hpack_table_set_mark(
          &d->table, 1,
          H2W_HPACK_CHECKED_NAME | H2W_HPACK_CHECKED_VALUE |
              (uint32_t)d->field_tag << H2W_HPACK_TAG_SHIFT);
    }
  }
  return (h2w_ssize)pos;
}

/* Decode what the input holds, buffering only a split representation. */
static int decode_piece(h2w_hpack_decoder *d, const uint8_t *in, size_t len,
                        h2w_hpack_dec_cb cb, void *user) {
  size_t pos = 0;
  while (pos < len) {
    h2w_ssize k;
    rep r;
    int rv;
    if (d->state == ST_SKIP_NAME || d->state == ST_SKIP_VALUE) {
      size_t n = len - pos;
      if (d->skip_left < n) {
        n = (size_t)d->skip_left;
      }
      d->skip_left -= n;
      rv = check_skipped(d, in + pos, n, d->skip_left == 0);
      if (rv != H2W_OK) {
        return rv;
      }
      pos += n;
      if (d->skip_left == 0) {
        d->state = d->state == ST_SKIP_NAME ? ST_VALUE_HDR : ST_REP;
      }
      continue;
    }
    if (d->partial_len > 0) {
      k = resume_partial(d, in + pos, len - pos, cb, user);
      if (k < 0) {
        return (int)k;
      }
      pos += (size_t)k;
      continue;
    }
    if (d->state == ST_REP && !d->need_update) {
      /* fast_rep() changes none of the three conditions: stay here until
       * it hands a representation to the general path. */
      do {
        k = fast_rep(d, in + pos, len - pos, cb, user);
        if (k < 0) {
          return (int)k;
        }
        pos += (size_t)k;
      } while (k > 0 && pos < len);
      if (k > 0) {
        break;
      }
    }
    rv = scan(d, in + pos, len - pos, &r);
    if (rv < 0) {
      return rv;
    }
    if (rv == 0) {
      return buffer_more(d, in + pos, len - pos);
    }
    k = apply(d, &r, in + pos, len - pos, cb, user);
    if (k < 0) {
      return (int)k;
    }
    pos += (size_t)k;
  }
  return H2W_OK;
}

/* FINAL: the block must end between representations (RFC 7541 §2.2 and
 * RFC 9113 §4.3: a field block is a complete sequence of them). */
static int end_block(h2w_hpack_decoder *d) {
  int tripped = d->tripped;
  if (d->partial_len > 0 || d->state != ST_REP) {
    return H2W_E_TRUNCATED;
  }
  if (d->need_update) {
    return H2W_E_COMPRESSION; /* §4.2: the block lacked the update */
  }
  d->in_block = 0;
  d->updates = 0;
  d->seen_field = 0;
  d->tripped = 0;
  d->list_size = 0;
  d->nfields = 0;
  d->lowest = d->settings_max;
  d->max_list = d->next_list; /* a cap set during the block binds now */
  return tripped ? H2W_E_LIMIT : H2W_OK;
}

int h2w_hpack_decoder_decode(h2w_hpack_decoder *d, const uint8_t *in,
                             size_t len, int final, h2w_hpack_dec_cb cb,
                             void *user) {
  int rv;
  if (d->err != 0) {
    return d->err;
  }
  if ((in == NULL && len > 0) || cb == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  d->in_block = 1;
  rv = decode_piece(d, in, len, cb, user);
  if (rv == H2W_OK && final) {
    rv = end_block(d);
  }
  if (rv != H2W_OK && rv != H2W_E_LIMIT) {
    d->err = rv; /* the table may be out of sync with the peer's: sticky */
  }
  return rv;
}

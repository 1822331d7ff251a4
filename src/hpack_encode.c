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

void h2w_hpack_encoder_init(h2w_hpack_encoder *e, h2w_alloc *a) {
  memset(e, 0, sizeof(*e));
  e->alloc = a;
  h2w_hpack_table_init(&e->table, H2W_HPACK_DEFAULT_TABLE_SIZE, 1);
  e->peer_max = H2W_HPACK_DEFAULT_TABLE_SIZE;
  e->cap = H2W_HPACK_DEFAULT_TABLE_SIZE;
  e->lowest = H2W_HPACK_DEFAULT_TABLE_SIZE;
  e->huffman = 1;
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

static int name_is(const h2w_nv *nv, const char *lit, size_t n) {
  return nv->namelen == n && memcmp(nv->name, lit, n) == 0;
}

#define NAME_IS(nv, lit) name_is((nv), (lit), sizeof(lit) - 1)

static int sensitive(const h2w_nv *nv) {
  if (nv->flags & H2W_NV_FLAG_NEVER_INDEX) {
    return 1;
  }
  return NAME_IS(nv, "authorization") || NAME_IS(nv, "proxy-authorization") ||
         (NAME_IS(nv, "cookie") && nv->valuelen < SHORT_COOKIE);
}

/* Fields whose values rarely repeat, so that a table slot would only push
 * out entries that do. Chosen by measurement on the hpack-test-case
 * raw-data stories at table size 4096 (each name kept only if leaving it
 * out of the table made the total smaller); see test_hpack_corpus. */
static int churns(const h2w_nv *nv) {
  return NAME_IS(nv, ":path") || NAME_IS(nv, "content-length") ||
         NAME_IS(nv, "age") || NAME_IS(nv, "etag") ||
         NAME_IS(nv, "last-modified");
}

static int worth_indexing(const h2w_hpack_encoder *e, const h2w_nv *nv) {
  size_t limit = e->table.limit;
  if (nv->flags & H2W_NV_FLAG_NO_INDEX) {
    return 0;
  }
  /* A field filling most of the table would flush everything else. */
  if (nv->namelen > limit || nv->valuelen > limit ||
      nv->namelen + nv->valuelen + H2W_HPACK_ENTRY_OVERHEAD > limit / 4 * 3) {
    return 0;
  }
  return !churns(nv);
}

static size_t put_string(const h2w_hpack_encoder *e, uint8_t *dst,
                         const uint8_t *s, size_t len) {
  size_t n;
  if (e->huffman && len > 0) {
    size_t hlen = h2w_huffman_encoded_len(s, len);
    if (hlen < len) {
      n = h2w_hpack_int_encode(dst, hlen, 7, 0x80);
      return n + h2w_huffman_encode(dst + n, s, len);
    }
  }
  n = h2w_hpack_int_encode(dst, len, 7, 0);
  if (len > 0) {
    memcpy(dst + n, s, len);
  }
  return n + len;
}

static size_t encode_field(h2w_hpack_encoder *e, uint8_t *dst,
                           const h2w_nv *nv) {
  size_t sname, dname = 0, idx, n;
  int secret = sensitive(nv), indexing;
  idx = h2w_hpack_static_find(nv->name, nv->namelen, nv->value, nv->valuelen,
                              &sname);
  if (idx == 0) {
    idx = h2w_hpack_table_find(&e->table, nv->name, nv->namelen, nv->value,
                               nv->valuelen, &dname);
    idx = idx == 0 ? 0 : idx + H2W_HPACK_STATIC_COUNT;
  }
  if (idx != 0 && !secret) {
    return h2w_hpack_int_encode(dst, idx, 7, 0x80); /* §6.1 */
  }
  idx = sname != 0 ? sname : (dname != 0 ? dname + H2W_HPACK_STATIC_COUNT : 0);
  indexing = !secret && worth_indexing(e, nv);
  if (indexing) {
    n = h2w_hpack_int_encode(dst, idx, 6, 0x40); /* §6.2.1 */
  } else {
    n = h2w_hpack_int_encode(dst, idx, 4, secret ? 0x10 : 0); /* §6.2.2-3 */
  }
  if (idx == 0) {
    n += put_string(e, dst + n, nv->name, nv->namelen);
  }
  n += put_string(e, dst + n, nv->value, nv->valuelen);
  if (indexing) {
    /* Storage was reserved up front, so this cannot fail. */
    (void)h2w_hpack_table_insert(&e->table, e->alloc, nv->name, nv->namelen,
                                 nv->value, nv->valuelen);
  }
  return n;
}

/* Per field: a 6-octet index or a literal name with a header of up to 11
 * octets, and a value with the same; 32 covers it with room to spare. */
#define FIELD_OVERHEAD 32u
/* Two size updates of at most 6 octets each (§4.2). */
#define UPDATES_MAX 12u

size_t h2w_hpack_encoder_bound(const h2w_hpack_encoder *e, const h2w_nv *nva,
                               size_t nvlen) {
  size_t total = UPDATES_MAX, i;
  (void)e;
  for (i = 0; i < nvlen; i++) {
    size_t f = nva[i].namelen;
    if (f > SIZE_MAX - nva[i].valuelen - FIELD_OVERHEAD ||
        nva[i].valuelen > SIZE_MAX - FIELD_OVERHEAD) {
      return SIZE_MAX;
    }
    f += nva[i].valuelen + FIELD_OVERHEAD;
    if (total > SIZE_MAX - f) {
      return SIZE_MAX;
    }
    total += f;
  }
  return total;
}

static int valid_fields(const h2w_nv *nva, size_t nvlen) {
  size_t i;
  for (i = 0; i < nvlen; i++) {
    if ((nva[i].name == NULL && nva[i].namelen > 0) ||
        (nva[i].value == NULL && nva[i].valuelen > 0)) {
      return 0;
    }
  }
  return 1;
}

h2w_ssize h2w_hpack_encoder_encode(h2w_hpack_encoder *e, uint8_t *buf,
                                   size_t cap, const h2w_nv *nva,
                                   size_t nvlen) {
  size_t n = 0, i;
  int rv;
  if ((buf == NULL && cap > 0) || (nva == NULL && nvlen > 0) ||
      !valid_fields(nva, nvlen)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (cap < h2w_hpack_encoder_bound(e, nva, nvlen)) {
    return H2W_E_BUFFER_TOO_SMALL;
  }
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
  for (i = 0; i < nvlen; i++) {
    n += encode_field(e, buf + n, &nva[i]);
  }
  return (h2w_ssize)n;
}

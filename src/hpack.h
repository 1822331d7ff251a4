/* HPACK (RFC 7541): integer codec, decoder and encoder, as embeddable
 * structs for the session (which owns one decoder and one encoder per
 * connection) and wrapped by the public h2w_hpack_* API of h2wire.h.
 *
 * Both structs are initialised with an h2w_alloc that must outlive them;
 * every allocation goes through it. Neither keeps a pointer to caller
 * memory between calls. */
#ifndef H2W_HPACK_H
#define H2W_HPACK_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"
#include "hpack_table.h"
#include "huffman.h"
#include "mem.h"

/* ---- Integers (RFC 7541 §5.1) ------------------------------------------ */

/* Decode an integer with an N-bit prefix (1 <= prefix <= 8) from p[0..len).
 * The prefix bits of p[0] are used; the bits above them are ignored.
 * Returns the octets used (> 0) with *out set; 0 if the input ends first;
 * H2W_E_COMPRESSION if the value exceeds UINT32_MAX or the encoding is
 * longer than a 32-bit value ever needs (no HPACK quantity is larger, and
 * an endless run of 0x80 octets must not be accepted). */
h2w_ssize h2w_hpack_int_decode(uint32_t *out, const uint8_t *p, size_t len,
                               unsigned prefix);

/* Octets h2w_hpack_int_encode() writes for v with an N-bit prefix. */
size_t h2w_hpack_int_len(uint64_t v, unsigned prefix);

/* Write v with an N-bit prefix at dst; `first` holds the representation's
 * pattern bits above the prefix. Returns the octets written. */
size_t h2w_hpack_int_encode(uint8_t *dst, uint64_t v, unsigned prefix,
                            uint8_t first);

/* ---- Decoder ----------------------------------------------------------- */

/* Field callback: same contract as the public h2w_hpack_field_cb. */
typedef int (*h2w_hpack_dec_cb)(void *user, const h2w_nv *nv);

struct h2w_hpack_decoder {
  h2w_alloc *alloc;
  h2w_hpack_table table;
  uint32_t settings_max; /* limit of size updates (§6.3) */
  uint32_t lowest;       /* smallest settings value since the last block */
  uint32_t max_list;     /* cap on the decoded list (RFC 9113 §6.5.2) */
  uint32_t next_list;    /* the cap for blocks from the next one on */
  uint32_t max_fields;   /* cap on fields per block */
  uint64_t list_size;    /* decoded so far in this block */
  uint32_t nfields;      /* fields seen so far in this block */
  uint8_t need_update;   /* §4.2: next block must start with an update */
  uint8_t updates;       /* size updates seen in this block */
  uint8_t seen_field;    /* a field representation was seen in this block */
  uint8_t in_block;      /* a piece without FINAL was decoded */
  uint8_t tripped;       /* a limit was passed in this block */
  uint8_t state;         /* what the next input octet belongs to */
  uint64_t skip_left;    /* octets of a skipped string still to come */
  uint8_t skip_huff;     /* the skipped string is Huffman-coded */
  h2w_huffman_decoder skip_check; /* validates a skipped Huffman string */
  uint8_t *partial;               /* one representation split across pieces */
  size_t partial_len, partial_cap;
  uint8_t *scratch; /* Huffman output (name, then value) */
  size_t scratch_cap;
  int err; /* sticky error, 0 if none */
  /* The field being delivered: which of its octets are known to pass the
   * RFC 9113 §8.2.1 checks (H2W_HPACK_CHECKED_*, with its name tag), and
   * whether the callback has just checked them all, with which tag
   * (h2w_hpack_decoder_field_checked). */
  uint16_t field_trust;
  uint8_t field_checked;
  uint8_t field_tag;
};
typedef struct h2w_hpack_decoder h2w_hpack_decoder;

/* h2w_hpack_decoder_field_trust() bits: the name / the value of the field
 * being delivered is a static-table string (RFC 7541 Appendix A, all
 * valid), or a copy of a dynamic-table entry whose octets were checked
 * when it was first delivered. The session's §8.2.1 octet checks may skip
 * what is trusted; the per-message rules still apply to every field. */
#define H2W_HPACK_CHECKED_NAME 0x1u
#define H2W_HPACK_CHECKED_VALUE 0x2u
/* With H2W_HPACK_CHECKED_NAME, bits H2W_HPACK_TAG_SHIFT.. of the trust
 * say which name it is, so that the session need not compare strings
 * (what a name is depends on its octets alone): with H2W_HPACK_NAME_STATIC
 * the name's static-table index (1..61, RFC 7541 Appendix A; for a
 * literal too, when it names a static entry), otherwise the tag the
 * session gave h2w_hpack_decoder_field_checked() when the dynamic entry
 * arrived (0: none). */
#define H2W_HPACK_NAME_STATIC 0x4u
#define H2W_HPACK_TAG_SHIFT 8

/* Inside the decode callback only: H2W_HPACK_CHECKED_* of the field, with
 * H2W_HPACK_NAME_STATIC and its name tag. */
static inline unsigned
h2w_hpack_decoder_field_trust(const h2w_hpack_decoder *d) {
  return d->field_trust;
}

/* Inside the decode callback only: the caller has checked the name and
 * value octets of this field (RFC 9113 §8.2.1) and found them valid. If
 * the field enters the dynamic table, its entry is marked, and later
 * indexed copies of it (or literals naming it) come with the
 * H2W_HPACK_CHECKED_* bits and `tag` (1..255, the caller's own meaning;
 * 0 for none). */
static inline void h2w_hpack_decoder_field_checked(h2w_hpack_decoder *d,
                                                   unsigned tag) {
  d->field_checked = 1;
  d->field_tag = (uint8_t)tag;
}

/* Table limit 4096 (RFC 9113 §6.5.2), default caps. */
void h2w_hpack_decoder_init(h2w_hpack_decoder *d, h2w_alloc *a);
/* Between header blocks: release the Huffman scratch and the buffer of a
 * split representation, which only live within a block (the dynamic
 * table, which RFC 7541 §4 obliges us to keep, stays). No-op mid-block. */
void h2w_hpack_decoder_shrink(h2w_hpack_decoder *d);
void h2w_hpack_decoder_free(h2w_hpack_decoder *d);

/* See h2w_hpack_decoder_set_max_table_size() in h2wire.h. */
int h2w_hpack_decoder_settings(h2w_hpack_decoder *d, uint32_t size);
/* Raise the limit of size updates to `size` (never lowers it), also in
 * the middle of a block: the session's largest SETTINGS_HEADER_TABLE_SIZE
 * announced, acknowledged or not (settings.c). */
void h2w_hpack_decoder_raise(h2w_hpack_decoder *d, uint32_t size);

/* Set the header-list cap. A block already begun keeps the cap it began
 * with, or fields counted under the old cap could already exceed the new
 * one; the new cap applies from the next block (see the public
 * h2w_hpack_decoder_set_max_header_list_size()). The only way to change
 * max_list. */
void h2w_hpack_decoder_list_cap(h2w_hpack_decoder *d, uint32_t cap);

/* Decode the next piece of a block; `final` ends it. Same results as the
 * public h2w_hpack_decode(). */
int h2w_hpack_decoder_decode(h2w_hpack_decoder *d, const uint8_t *in,
                             size_t len, int final, h2w_hpack_dec_cb cb,
                             void *user);

/* ---- Encoder ----------------------------------------------------------- */

/* Positions of a block that remember the previous block's match. */
#define H2W_HPACK_HINTS 16

struct h2w_hpack_encoder {
  h2w_alloc *alloc;
  h2w_hpack_table table;
  uint32_t peer_max; /* peer's acknowledged SETTINGS_HEADER_TABLE_SIZE */
  uint32_t cap;      /* our own ceiling on the table size */
  uint32_t lowest;   /* smallest limit since the last block (§4.2) */
  uint8_t pending;   /* size update(s) owed at the next block start */
  uint8_t huffman;   /* 1: Huffman when shorter, 0: never */
  /* Per field position, the table entry the field at that position of
   * the previous block was encoded as (hpack_encode.c). Only a guess:
   * clearing them changes no output. */
  uint32_t hint[H2W_HPACK_HINTS];
  /* Blocks to go before the hints are tried again; 0: in use
   * (hpack_encode.c). */
  uint8_t hint_rest;
};
typedef struct h2w_hpack_encoder h2w_hpack_encoder;

void h2w_hpack_encoder_init(h2w_hpack_encoder *e, h2w_alloc *a);
void h2w_hpack_encoder_free(h2w_hpack_encoder *e);

/* Peer's acknowledged SETTINGS_HEADER_TABLE_SIZE (`peer`) or our cap
 * changed: recompute the limit, evict, and owe the §6.3 update(s). */
void h2w_hpack_encoder_limits(h2w_hpack_encoder *e, uint32_t peer,
                              uint32_t cap);

/* Bound and encode: same contract as the public functions. */
size_t h2w_hpack_encoder_bound(const h2w_hpack_encoder *e, const h2w_nv *nva,
                               size_t nvlen);
h2w_ssize h2w_hpack_encoder_encode(h2w_hpack_encoder *e, uint8_t *buf,
                                   size_t cap, const h2w_nv *nva, size_t nvlen);
/* h2w_hpack_encoder_encode() for a caller that has just sized buf with
 * h2w_hpack_encoder_bound() (the session, which needs the bound to place
 * its frames): the same, without computing the bound a second time. buf
 * must hold that bound. */
h2w_ssize h2w_hpack_encoder_encode_sized(h2w_hpack_encoder *e, uint8_t *buf,
                                         const h2w_nv *nva, size_t nvlen);

/* h2w_hpack_encoder_bound() of nvlen fields whose names and values add up
 * to `octets` (SIZE_MAX if that overflows): a caller that knows the sum,
 * such as a copied list (h2w_nvbuf), need not walk the fields for it. */
size_t h2w_hpack_encoder_bound_sum(size_t nvlen, size_t octets);
/* h2w_hpack_encoder_encode_sized() of fields known to have no NULL name
 * or value with a length (a copied list: every pointer points into the
 * copy), which skips that check. */
h2w_ssize h2w_hpack_encoder_encode_valid(h2w_hpack_encoder *e, uint8_t *buf,
                                         const h2w_nv *nva, size_t nvlen);

#endif

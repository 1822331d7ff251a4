/*
 * h2wire — an embeddable, sans-I/O HTTP/2 protocol library.
 *
 * This header is the reference manual. Conventions that hold for every
 * function below, stated once:
 *
 * Ownership and lifetimes
 *   - Objects are opaque handles created by h2w_<x>_new(&out, ..., mem) and
 *     destroyed by h2w_<x>_del(x). h2w_<x>_del(NULL) is a no-op.
 *   - Byte ranges are (const uint8_t *, size_t) pairs, never NUL-terminated.
 *     The library never keeps a pointer to caller memory after a call returns
 *     unless the function says so.
 *   - Pointers handed to a callback are valid for the duration of that
 *     callback only. Copy what you need to keep.
 *
 * NULL rules
 *   - Handles and output pointers must not be NULL unless a function says so;
 *     passing NULL where it is not allowed returns H2W_E_INVALID_ARGUMENT.
 *   - A byte range with length 0 may have a NULL pointer.
 *   - A NULL h2w_mem means the C library's malloc/realloc/free.
 *
 * Thread model
 *   - No global state. Distinct objects may be used from distinct threads
 *     at the same time; one object must not be used from two threads at
 *     once. The library owns no socket, clock, thread or randomness.
 *
 * Error model
 *   - Functions return 0 (H2W_OK) or a negative h2w_error code. Functions
 *     that return a size return an h2w_ssize: the non-negative size, or a
 *     negative h2w_error code.
 *   - Three value spaces are kept apart: library results (h2w_error,
 *     negative), RFC 9113 §7 wire error codes (H2W_NO_ERROR ...,
 *     uint32_t), and SETTINGS identifiers (H2W_SETTINGS_*, uint16_t).
 *   - h2w_strerror() describes a library result; h2w_error_name() gives its
 *     identifier; h2w_http2_error_name() names a wire error code.
 *
 * ABI
 *   - Public structs are small fixed-layout PODs; no enum-typed fields, no
 *     bitfields, nothing larger than a pointer passed by value. Enumerated
 *     constants are passed as int/uint32_t so that foreign-function
 *     interfaces can bind them without knowing the compiler's enum width.
 */
#ifndef H2WIRE_H
#define H2WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Symbol visibility: only what is marked H2W_EXTERN is exported from the
 * shared library. H2W_STATIC is defined by consumers of the static library
 * on Windows-like targets; on ELF it is irrelevant. */
#if defined(_WIN32) && !defined(H2W_STATIC)
#ifdef H2W_BUILDING
#define H2W_EXTERN __declspec(dllexport)
#else
#define H2W_EXTERN __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define H2W_EXTERN __attribute__((visibility("default")))
#else
#define H2W_EXTERN
#endif

/** Signed size-or-error type: >= 0 is a size, < 0 an h2w_error. */
typedef ptrdiff_t h2w_ssize;

/* ------------------------------------------------------------------------ */
/* Library results                                                          */
/* ------------------------------------------------------------------------ */

/** Library result codes. 0 is success; every failure is negative. */
enum h2w_error {
  H2W_OK = 0,
  /** An argument was NULL, out of range or inconsistent. */
  H2W_E_INVALID_ARGUMENT = -1,
  /** An allocation through the h2w_mem hooks failed. */
  H2W_E_NOMEM = -2,
  /** The caller's output buffer is too small for the result. */
  H2W_E_BUFFER_TOO_SMALL = -3,
  /** Input ended in the middle of a unit that must be complete. */
  H2W_E_TRUNCATED = -4,
  /** The peer violated HPACK (RFC 7541): maps to COMPRESSION_ERROR. */
  H2W_E_COMPRESSION = -5,
  /** A configured limit (header list size, field count...) was passed. */
  H2W_E_LIMIT = -6,
  /** The peer violated RFC 9113 in a way that ends the connection. */
  H2W_E_PROTOCOL = -7,
  /** A frame had an invalid length for its type. */
  H2W_E_FRAME_SIZE = -8,
  /** A flow-control window was violated or overflowed. */
  H2W_E_FLOW_CONTROL = -9,
  /** The operation is not valid in the object's current state. */
  H2W_E_INVALID_STATE = -10,
  /** A callback returned failure; the object is now unusable. */
  H2W_E_CALLBACK_FAILURE = -11,
  /** A callback asked to pause; call again to continue. */
  H2W_E_PAUSE = -12,
  /** No more stream identifiers are available (RFC 9113 §5.1.1). */
  H2W_E_STREAM_ID_EXHAUSTED = -13,
  /** The peer flooded us (queued control frames, glitches, resets). */
  H2W_E_FLOODED = -14,
  /** The object was closed after an earlier fatal error (sticky). */
  H2W_E_CLOSED = -15
};

/** Human-readable description of an h2w_error value. Never NULL; the
 *  string is static. Unknown values give "unknown error". */
H2W_EXTERN const char *h2w_strerror(int err);

/** The identifier of an h2w_error value ("H2W_E_NOMEM"). Never NULL; the
 *  string is static. Unknown values give "H2W_E_UNKNOWN". */
H2W_EXTERN const char *h2w_error_name(int err);

/* ------------------------------------------------------------------------ */
/* RFC 9113 §7 wire error codes (uint32_t, never mixed with h2w_error)      */
/* ------------------------------------------------------------------------ */

#define H2W_NO_ERROR 0x0u
#define H2W_PROTOCOL_ERROR 0x1u
#define H2W_INTERNAL_ERROR 0x2u
#define H2W_FLOW_CONTROL_ERROR 0x3u
#define H2W_SETTINGS_TIMEOUT 0x4u
#define H2W_STREAM_CLOSED 0x5u
#define H2W_FRAME_SIZE_ERROR 0x6u
#define H2W_REFUSED_STREAM 0x7u
#define H2W_CANCEL 0x8u
#define H2W_COMPRESSION_ERROR 0x9u
#define H2W_CONNECT_ERROR 0xau
#define H2W_ENHANCE_YOUR_CALM 0xbu
#define H2W_INADEQUATE_SECURITY 0xcu
#define H2W_HTTP_1_1_REQUIRED 0xdu

/** The RFC name of a wire error code ("PROTOCOL_ERROR"). Never NULL; the
 *  string is static. Unknown codes give "UNKNOWN_ERROR" (RFC 9113 §7: an
 *  unknown code must not trigger special behaviour). */
H2W_EXTERN const char *h2w_http2_error_name(uint32_t code);

/* ------------------------------------------------------------------------ */
/* SETTINGS identifiers (RFC 9113 §6.5.2, RFC 8441, RFC 9218)               */
/* ------------------------------------------------------------------------ */

#define H2W_SETTINGS_HEADER_TABLE_SIZE 0x1u
#define H2W_SETTINGS_ENABLE_PUSH 0x2u
#define H2W_SETTINGS_MAX_CONCURRENT_STREAMS 0x3u
#define H2W_SETTINGS_INITIAL_WINDOW_SIZE 0x4u
#define H2W_SETTINGS_MAX_FRAME_SIZE 0x5u
#define H2W_SETTINGS_MAX_HEADER_LIST_SIZE 0x6u
#define H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL 0x8u
#define H2W_SETTINGS_NO_RFC7540_PRIORITIES 0x9u

/** One SETTINGS parameter (RFC 9113 §6.5.1). */
typedef struct h2w_settings_entry {
  uint16_t id;
  uint16_t reserved; /**< Always 0; keeps the layout explicit. */
  uint32_t value;
} h2w_settings_entry;

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

/** Library version at run time. Each output pointer may be NULL. Returns
 *  the version string ("1.2.3"), static, never NULL. Compare with the
 *  H2W_VERSION_* macros of h2wire_version.h to detect a header/library
 *  mismatch. */
H2W_EXTERN const char *h2w_version(int *major, int *minor, int *patch);

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */
/* ------------------------------------------------------------------------ */

/** Allocator hooks, passed per object (never global). All three function
 *  pointers must be set; `user` is passed back unchanged. The struct is
 *  copied by the object that receives it, so it may live on the stack.
 *  realloc_fn(NULL, n) must behave as malloc; free_fn(NULL) must be a
 *  no-op. A failing malloc/realloc returns NULL and the library reports
 *  H2W_E_NOMEM without leaking. */
typedef struct h2w_mem {
  void *(*malloc_fn)(size_t size, void *user);
  void *(*realloc_fn)(void *ptr, size_t size, void *user);
  void (*free_fn)(void *ptr, void *user);
  void *user;
} h2w_mem;

/* ------------------------------------------------------------------------ */
/* Header fields                                                            */
/* ------------------------------------------------------------------------ */

/** h2w_nv.flags: never index this field, and tell intermediaries not to
 *  either (RFC 7541 §6.2.3, "never indexed" literal). */
#define H2W_NV_FLAG_NEVER_INDEX 0x1u
/** h2w_nv.flags: do not add this field to the dynamic table, but allow
 *  intermediaries to (RFC 7541 §6.2.2). */
#define H2W_NV_FLAG_NO_INDEX 0x2u

/** One header field: a name/value pair of byte ranges. Names handed to the
 *  encoder must already be lowercase for HTTP/2 (RFC 9113 §8.2.1). */
typedef struct h2w_nv {
  const uint8_t *name;
  size_t namelen;
  const uint8_t *value;
  size_t valuelen;
  uint32_t flags; /**< H2W_NV_FLAG_* bits; unknown bits are ignored. */
} h2w_nv;

/* ------------------------------------------------------------------------ */
/* HPACK (RFC 7541), usable without a session                               */
/* ------------------------------------------------------------------------ */

/** An HPACK encoder: one per direction of one connection. Opaque. */
typedef struct h2w_hpack_encoder h2w_hpack_encoder;
/** An HPACK decoder: one per direction of one connection. Opaque. */
typedef struct h2w_hpack_decoder h2w_hpack_decoder;

/** Default dynamic table size of both peers (RFC 9113 §6.5.2). */
#define H2W_HPACK_DEFAULT_TABLE_SIZE 4096u
/** Default decoder cap on the decoded header list, counted as in
 *  RFC 9113 §6.5.2 (name + value + 32 per field). */
#define H2W_HPACK_DEFAULT_MAX_HEADER_LIST_SIZE 65536u
/** Default decoder cap on the number of fields in one block. */
#define H2W_HPACK_DEFAULT_MAX_FIELDS 1000u

/** Create an encoder whose dynamic table starts at 4096 octets (the
 *  protocol default). `mem` may be NULL; it is copied.
 *  Returns H2W_OK, H2W_E_INVALID_ARGUMENT (out NULL) or H2W_E_NOMEM. */
H2W_EXTERN int h2w_hpack_encoder_new(h2w_hpack_encoder **out,
                                     const h2w_mem *mem);

/** Destroy an encoder. NULL is a no-op. */
H2W_EXTERN void h2w_hpack_encoder_del(h2w_hpack_encoder *enc);

/** The peer's acknowledged SETTINGS_HEADER_TABLE_SIZE changed to `size`.
 *  The encoder uses min(size, its own cap) and emits the required
 *  Dynamic Table Size Update(s) at the start of the next block
 *  (RFC 7541 §4.2: the smallest value reached, then the final one).
 *  Returns H2W_OK or H2W_E_INVALID_ARGUMENT (enc NULL). */
H2W_EXTERN int h2w_hpack_encoder_set_max_table_size(h2w_hpack_encoder *enc,
                                                    uint32_t size);

/** Cap the table the encoder is willing to use, whatever the peer allows
 *  (memory bound; default 4096). Takes effect like a SETTINGS change.
 *  Returns H2W_OK or H2W_E_INVALID_ARGUMENT (enc NULL). */
H2W_EXTERN int h2w_hpack_encoder_set_table_size_cap(h2w_hpack_encoder *enc,
                                                    uint32_t cap);

/** Huffman mode: 1 (default) encodes a string with Huffman only when that
 *  is shorter; 0 never uses Huffman. Returns H2W_OK or
 *  H2W_E_INVALID_ARGUMENT (enc NULL, mode not 0/1). */
H2W_EXTERN int h2w_hpack_encoder_set_huffman(h2w_hpack_encoder *enc, int mode);

/** Upper bound of the encoded size of `nva[0..nvlen)` in the encoder's
 *  current state, pending table-size updates included. Pure; never fails
 *  (returns SIZE_MAX if the bound does not fit a size_t). */
H2W_EXTERN size_t h2w_hpack_encode_bound(const h2w_hpack_encoder *enc,
                                         const h2w_nv *nva, size_t nvlen);

/** Encode one complete header block of `nvlen` fields into buf[0..cap).
 *  Fields are encoded in order; names must be lowercase. The encoder
 *  chooses indexed / incremental / without-indexing / never-indexed
 *  representations (never-indexed for authorization, proxy-authorization,
 *  short cookies and fields flagged H2W_NV_FLAG_NEVER_INDEX).
 *  Returns the number of bytes written, or H2W_E_INVALID_ARGUMENT,
 *  H2W_E_BUFFER_TOO_SMALL (cap < h2w_hpack_encode_bound(); the encoder
 *  state is then unchanged) or H2W_E_NOMEM. */
H2W_EXTERN h2w_ssize h2w_hpack_encode(h2w_hpack_encoder *enc, uint8_t *buf,
                                      size_t cap, const h2w_nv *nva,
                                      size_t nvlen);

/** Create a decoder whose dynamic table limit is 4096 (the protocol
 *  default), with the default header-list and field-count caps. `mem` may
 *  be NULL; it is copied. Returns H2W_OK, H2W_E_INVALID_ARGUMENT or
 *  H2W_E_NOMEM. */
H2W_EXTERN int h2w_hpack_decoder_new(h2w_hpack_decoder **out,
                                     const h2w_mem *mem);

/** Destroy a decoder. NULL is a no-op. */
H2W_EXTERN void h2w_hpack_decoder_del(h2w_hpack_decoder *dec);

/** Our SETTINGS_HEADER_TABLE_SIZE, as acknowledged by the peer, is now
 *  `size`. Size updates in later blocks above it are COMPRESSION_ERROR;
 *  if it shrank below the table's current limit, the next block must start
 *  with a size update (RFC 7541 §4.2). Call between blocks only.
 *  Returns H2W_OK, H2W_E_INVALID_ARGUMENT or H2W_E_INVALID_STATE (in the
 *  middle of a block). */
H2W_EXTERN int h2w_hpack_decoder_set_max_table_size(h2w_hpack_decoder *dec,
                                                    uint32_t size);

/** Cap the decoded header list of one block (RFC 9113 §6.5.2 accounting:
 *  name + value + 32 per field). Default
 *  H2W_HPACK_DEFAULT_MAX_HEADER_LIST_SIZE. Returns H2W_OK or
 *  H2W_E_INVALID_ARGUMENT. */
H2W_EXTERN int
h2w_hpack_decoder_set_max_header_list_size(h2w_hpack_decoder *dec,
                                           uint32_t size);

/** Cap the number of fields in one block. Default
 *  H2W_HPACK_DEFAULT_MAX_FIELDS. Returns H2W_OK or
 *  H2W_E_INVALID_ARGUMENT (dec NULL or n == 0). */
H2W_EXTERN int h2w_hpack_decoder_set_max_fields(h2w_hpack_decoder *dec,
                                                uint32_t n);

/** Called once per decoded field, in block order. `nv` and the bytes it
 *  points to are valid during the call only; nv->flags has
 *  H2W_NV_FLAG_NEVER_INDEX when the field was sent as never-indexed.
 *  Return 0 to continue; any other value aborts decoding with
 *  H2W_E_CALLBACK_FAILURE. */
typedef int (*h2w_hpack_field_cb)(void *user, const h2w_nv *nv);

/** h2w_hpack_decode() flag: this piece ends the header block. */
#define H2W_HPACK_FINAL 0x1u

/** Decode the next piece of a header block (a block may arrive in any
 *  number of pieces, as HEADERS + CONTINUATION fragments do). Complete
 *  fields are delivered through `cb` at once; a representation split
 *  across pieces is held internally, bounded by the header-list cap or,
 *  for a literal the peer adds to the dynamic table, by the table size
 *  (x 30/8 for Huffman); a literal that can neither be delivered nor
 *  indexed is skipped as it streams past, never buffered.
 *  Pass H2W_HPACK_FINAL with the last piece (it may be empty).
 *  Returns:
 *  - H2W_OK: the piece was consumed (and, with FINAL, the block ended).
 *  - H2W_E_LIMIT (only on the FINAL piece): the block passed the
 *    header-list or field-count cap. No field was delivered past the cap;
 *    the rest of the block was parsed at O(input) cost only to keep the
 *    dynamic table in sync, so the decoder stays usable (a stream error
 *    for the session, RFC 9113 §6.5.2 / §8.1).
 *  - H2W_E_TRUNCATED: FINAL given inside an unfinished representation.
 *  - H2W_E_COMPRESSION: invalid HPACK (bad index, integer overflow, bad
 *    Huffman padding or EOS, misplaced or oversized table-size update).
 *  - H2W_E_CALLBACK_FAILURE, H2W_E_NOMEM, H2W_E_INVALID_ARGUMENT.
 *  After TRUNCATED, COMPRESSION, CALLBACK_FAILURE or NOMEM the decoder's
 *  table is out of sync with the peer: every later call returns the same
 *  error (sticky). */
H2W_EXTERN int h2w_hpack_decode(h2w_hpack_decoder *dec, const uint8_t *in,
                                size_t len, uint32_t flags,
                                h2w_hpack_field_cb cb, void *user);

/** Current size of the decoder's dynamic table in RFC 7541 §4.1 octets
 *  (for tests and session dumps). 0 if dec is NULL. */
H2W_EXTERN size_t h2w_hpack_decoder_table_size(const h2w_hpack_decoder *dec);

/** Current size of the encoder's dynamic table in RFC 7541 §4.1 octets.
 *  0 if enc is NULL. */
H2W_EXTERN size_t h2w_hpack_encoder_table_size(const h2w_hpack_encoder *enc);

#ifdef __cplusplus
}
#endif

#endif /* H2WIRE_H */

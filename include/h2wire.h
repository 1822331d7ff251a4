/**
 * @file
 * h2wire — an embeddable, sans-I/O HTTP/2 protocol library.
 *
 * This header is the reference manual. Conventions that hold for every
 * function below, stated once:
 *
 * Ownership and lifetimes
 *   - Objects are opaque handles created by `h2w_<x>_new(&out, ..., mem)`
 *     and destroyed by `h2w_<x>_del(x)`. `h2w_<x>_del(NULL)` is a no-op.
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

/** @defgroup h2w_sessions Sessions
 *  One HTTP/2 connection, client or server: creating and deleting it, the
 *  pump (h2w_session_recv(), h2w_session_send(), h2w_session_peek(),
 *  h2w_session_ack(), h2w_session_eof(), want_read/want_write), time
 *  (h2w_session_tick()), graceful shutdown, per-stream user data and the
 *  getters. How a session is driven: @ref session_model,
 *  @ref lifecycle; what may be called from a callback: @ref reentrancy.
 *
 *  @defgroup h2w_callbacks Callbacks
 *  The callbacks a session raises as input is processed, the values they
 *  receive and return, and the h2w_callbacks object that holds them. One
 *  rule for every return value: @ref session_model.
 *
 *  @defgroup h2w_options Options and SETTINGS
 *  The h2w_options object: settings announced to the peer, limits and
 *  abuse budgets (docs/security.md, docs/limits.md), timers; and the
 *  SETTINGS identifiers (RFC 9113 §6.5.2).
 *
 *  @defgroup h2w_data_sources Data sources
 *  Where a body comes from: a pull callback (h2w_data_source, deferred or
 *  zero-copy), a buffer in memory (h2w_data_source_mem()), or a memory
 *  range read by the library itself (h2w_session_set_data_range()).
 *
 *  @defgroup h2w_submits Submits
 *  Queueing output: requests, responses (and prepared response header
 *  sets, h2w_nvset), 1xx, trailers, server push, RST_STREAM, PING,
 *  SETTINGS, WINDOW_UPDATE, GOAWAY, ALTSVC, ORIGIN and extension frames;
 *  why a submit was refused (h2w_session_last_submit_error()).
 *
 *  @defgroup h2w_priorities Priorities (RFC 9218)
 *  Stream urgency and incremental delivery: @ref priorities.
 *
 *  @defgroup h2w_events Event-buffer mode and packed submits
 *  For bindings: session events as records in a buffer instead of
 *  callbacks, and submits that take a packed header list and a memory
 *  range body. See @ref events.
 *
 *  @defgroup h2w_hpack HPACK
 *  The HPACK encoder and decoder (RFC 7541), usable without a session.
 *
 *  @defgroup h2w_frames Frames, traces and dumps
 *  Frame headers as the tracing callbacks see them, one-line frame and
 *  field traces, and the session's whole state as JSON.
 *
 *  @defgroup h2w_alpn h2c Upgrade and ALPN
 *  Starting HTTP/2: from an HTTP/1.1 Upgrade (@ref h2c_upgrade) or over
 *  TLS with ALPN (@ref alpn).
 *
 *  @defgroup h2w_errors Errors
 *  Library results (h2w_error) and their descriptions, and the RFC 9113
 *  §7 error codes of the wire, kept apart from them.
 *
 *  @defgroup h2w_basics Basics: types, memory, header fields, version
 *  What every part of the API shares: h2w_ssize, the allocator hooks
 *  (h2w_mem), header fields (h2w_nv), the version, symbol visibility.
 */

#ifdef __cplusplus
extern "C" {
#endif

/** @addtogroup h2w_basics
 *  @{ */
/** @def H2W_EXTERN
 * Symbol visibility: only what is marked H2W_EXTERN is exported from the
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
/** @} */

/* ------------------------------------------------------------------------ */
/* Library results                                                          */
/* ------------------------------------------------------------------------ */

/** @addtogroup h2w_errors
 *  @{ */
/** Library result codes. 0 is success; every failure is negative. */
enum h2w_error {
  /** Success. */
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
  /** The connection is over (sticky): the application sent an error
   *  GOAWAY, or the peer closed the transport (h2w_session_eof()). */
  H2W_E_CLOSED = -15,
  /** A data source has nothing to send now (see h2w_data_read_fn). */
  H2W_E_DEFERRED = -16,
  /** A timer of the caller's clock expired (e.g. SETTINGS not ACKed). */
  H2W_E_TIMEOUT = -17
};

/** Human-readable description of an h2w_error value. Never NULL; the
 *  string is static. Unknown values give "unknown error".
 *  @param err An h2w_error value; any int is accepted.
 *  @return The description, a static string. */
H2W_EXTERN const char *h2w_strerror(int err);

/** The identifier of an h2w_error value ("H2W_E_NOMEM"). Never NULL; the
 *  string is static. Unknown values give "H2W_E_UNKNOWN".
 *  @param err An h2w_error value; any int is accepted.
 *  @return The identifier, a static string. */
H2W_EXTERN const char *h2w_error_name(int err);

/* ------------------------------------------------------------------------ */
/* RFC 9113 §7 wire error codes (uint32_t, never mixed with h2w_error)      */
/* ------------------------------------------------------------------------ */

/** No error: a graceful GOAWAY, a normal close. */
#define H2W_NO_ERROR 0x0u
/** A protocol error with no more specific code. */
#define H2W_PROTOCOL_ERROR 0x1u
/** An unexpected internal error of the sender. */
#define H2W_INTERNAL_ERROR 0x2u
/** Flow control was violated (§6.9). */
#define H2W_FLOW_CONTROL_ERROR 0x3u
/** SETTINGS not acknowledged in time (§6.5.3). */
#define H2W_SETTINGS_TIMEOUT 0x4u
/** A frame arrived on a half-closed stream (§5.1). */
#define H2W_STREAM_CLOSED 0x5u
/** A frame had an invalid size. */
#define H2W_FRAME_SIZE_ERROR 0x6u
/** Refused unprocessed: safe to retry (§8.7). */
#define H2W_REFUSED_STREAM 0x7u
/** The stream is no longer needed. */
#define H2W_CANCEL 0x8u
/** The HPACK context was lost (RFC 7541). */
#define H2W_COMPRESSION_ERROR 0x9u
/** A CONNECT request's tunnel failed (§8.5). */
#define H2W_CONNECT_ERROR 0xau
/** The peer is causing excessive load. */
#define H2W_ENHANCE_YOUR_CALM 0xbu
/** The TLS setup is too weak (§9.2). */
#define H2W_INADEQUATE_SECURITY 0xcu
/** The request must use HTTP/1.1 instead. */
#define H2W_HTTP_1_1_REQUIRED 0xdu

/** The RFC name of a wire error code ("PROTOCOL_ERROR"). Never NULL; the
 *  string is static. Unknown codes give "UNKNOWN_ERROR" (RFC 9113 §7: an
 *  unknown code must not trigger special behaviour).
 *  @param code An RFC 9113 §7 error code; any value is accepted.
 *  @return The name, a static string. */
H2W_EXTERN const char *h2w_http2_error_name(uint32_t code);
/** @} */

/* ------------------------------------------------------------------------ */
/* SETTINGS identifiers (RFC 9113 §6.5.2, RFC 8441, RFC 9218)               */
/* ------------------------------------------------------------------------ */

/** @addtogroup h2w_options
 *  @{ */
/** HPACK table the sender's decoder allows. */
#define H2W_SETTINGS_HEADER_TABLE_SIZE 0x1u
/** 0 or 1: server push allowed. */
#define H2W_SETTINGS_ENABLE_PUSH 0x2u
/** Streams the peer may open. */
#define H2W_SETTINGS_MAX_CONCURRENT_STREAMS 0x3u
/** Initial stream window. */
#define H2W_SETTINGS_INITIAL_WINDOW_SIZE 0x4u
/** Largest payload accepted. */
#define H2W_SETTINGS_MAX_FRAME_SIZE 0x5u
/** Largest header list accepted. */
#define H2W_SETTINGS_MAX_HEADER_LIST_SIZE 0x6u
/** RFC 8441 §3. */
#define H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL 0x8u
/** RFC 9218 §2.1. */
#define H2W_SETTINGS_NO_RFC7540_PRIORITIES 0x9u

/**
 * The RFC name of a SETTINGS identifier.
 *
 * @param id  a SETTINGS identifier (H2W_SETTINGS_*).
 * @return "SETTINGS_HEADER_TABLE_SIZE" and so on, as RFC 9113 §6.5.2,
 *         RFC 8441 §3 and RFC 9218 §2.1 spell them; "UNKNOWN" for any other
 *         identifier (RFC 9113 §6.5.2: unknown ones are ignored). Never
 *         NULL; the string is static.
 */
H2W_EXTERN const char *h2w_settings_name(uint16_t id);

/** One SETTINGS parameter (RFC 9113 §6.5.1). */
typedef struct h2w_settings_entry {
  uint16_t id;       /**< An H2W_SETTINGS_* identifier (or an unknown one). */
  uint16_t reserved; /**< Always 0; keeps the layout explicit. */
  uint32_t value;    /**< The parameter's value. */
} h2w_settings_entry;
/** @} */

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

/** @addtogroup h2w_basics
 *  @{ */
/** Library version at run time. Each output pointer may be NULL. @return
 *  the version string ("1.2.3"), static, never NULL. Compare with the
 *  H2W_VERSION_* macros of h2wire_version.h to detect a header/library
 *  mismatch.
 *  @param[out] major Receives the major version, or NULL.
 *  @param[out] minor Receives the minor version, or NULL.
 *  @param[out] patch Receives the patch version, or NULL. */
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
  /** Allocate size bytes; NULL on failure. */
  void *(*malloc_fn)(size_t size, void *user);
  /** Resize ptr (NULL: allocate) to size bytes; NULL on failure. */
  void *(*realloc_fn)(void *ptr, size_t size, void *user);
  /** Release ptr (NULL: do nothing). */
  void (*free_fn)(void *ptr, void *user);
  void *user; /**< Passed to the three hooks. */
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
  /** The name's octets. */
  const uint8_t *name;
  /** Length of name. */
  size_t namelen;
  /** The value's octets. */
  const uint8_t *value;
  /** Length of value. */
  size_t valuelen;
  uint32_t flags; /**< H2W_NV_FLAG_* bits; unknown bits are ignored. */
} h2w_nv;

/** An h2w_nv initializer from two string literals, lengths from sizeof
 *  (no strlen at run time): `h2w_nv nv[] = {H2W_NV_LIT(":status", "200"),
 *  H2W_NV_LIT("content-type", "text/plain")};`. Only literals compile
 *  (each argument is pasted next to ""), so a `char *` cannot silently
 *  give the size of a pointer. flags is 0. */
#define H2W_NV_LIT(name, value)                                                \
  {                                                                            \
    (const uint8_t *)("" name ""), sizeof("" name "") - 1,                     \
        (const uint8_t *)("" value ""), sizeof("" value "") - 1, 0             \
  }

/** @} */
/* ------------------------------------------------------------------------ */
/* HPACK (RFC 7541), usable without a session                               */
/* ------------------------------------------------------------------------ */

/** @addtogroup h2w_hpack
 *  @{ */
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
 *  @return H2W_OK, H2W_E_INVALID_ARGUMENT (out NULL) or H2W_E_NOMEM.
 *  @param[out] out Receives the new encoder.
 *  @param mem Allocator hooks, or NULL for the C library's; copied. */
H2W_EXTERN int h2w_hpack_encoder_new(h2w_hpack_encoder **out,
                                     const h2w_mem *mem);

/** Destroy an encoder. NULL is a no-op.
 *  @param enc The encoder, or NULL. */
H2W_EXTERN void h2w_hpack_encoder_del(h2w_hpack_encoder *enc);

/** The peer's acknowledged SETTINGS_HEADER_TABLE_SIZE changed to `size`.
 *  The encoder uses min(size, its own cap) and emits the required
 *  Dynamic Table Size Update(s) at the start of the next block
 *  (RFC 7541 §4.2: the smallest value reached, then the final one).
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (enc NULL).
 *  @param enc The encoder.
 *  @param size The peer's acknowledged SETTINGS_HEADER_TABLE_SIZE, in
 *      octets. */
H2W_EXTERN int h2w_hpack_encoder_set_max_table_size(h2w_hpack_encoder *enc,
                                                    uint32_t size);

/** Cap the table the encoder is willing to use, whatever the peer allows
 *  (memory bound; default 4096). Takes effect like a SETTINGS change.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (enc NULL).
 *  @param enc The encoder.
 *  @param cap The largest dynamic table the encoder uses, in octets. */
H2W_EXTERN int h2w_hpack_encoder_set_table_size_cap(h2w_hpack_encoder *enc,
                                                    uint32_t cap);

/** Huffman mode: 1 (default) encodes a string with Huffman only when that
 *  is shorter; 0 never uses Huffman. @return H2W_OK or
 *  H2W_E_INVALID_ARGUMENT (enc NULL, mode not 0/1).
 *  @param enc The encoder.
 *  @param mode 1 or 0, as above. */
H2W_EXTERN int h2w_hpack_encoder_set_huffman(h2w_hpack_encoder *enc, int mode);

/** Upper bound of the encoded size of `nva[0..nvlen)` in the encoder's
 *  current state, pending table-size updates included. Pure; never fails
 *  (returns SIZE_MAX if the bound does not fit a size_t).
 *  @param enc The encoder (not changed).
 *  @param nva The fields that would be encoded.
 *  @param nvlen Number of fields in nva.
 *  @return The bound in octets, or SIZE_MAX. */
H2W_EXTERN size_t h2w_hpack_encode_bound(const h2w_hpack_encoder *enc,
                                         const h2w_nv *nva, size_t nvlen);

/** Encode one complete header block of `nvlen` fields into buf[0..cap).
 *  Fields are encoded in order; names must be lowercase. The encoder
 *  chooses indexed / incremental / without-indexing / never-indexed
 *  representations (never-indexed for authorization, proxy-authorization,
 *  short cookies and fields flagged H2W_NV_FLAG_NEVER_INDEX).
 *  @return the number of bytes written, or H2W_E_INVALID_ARGUMENT,
 *  H2W_E_BUFFER_TOO_SMALL (cap < h2w_hpack_encode_bound(); the encoder
 *  state is then unchanged) or H2W_E_NOMEM.
 *  @param enc The encoder.
 *  @param[out] buf Where the block is written.
 *  @param cap Size of buf in octets.
 *  @param nva The fields, in order.
 *  @param nvlen Number of fields in nva. */
H2W_EXTERN h2w_ssize h2w_hpack_encode(h2w_hpack_encoder *enc, uint8_t *buf,
                                      size_t cap, const h2w_nv *nva,
                                      size_t nvlen);

/** Create a decoder whose dynamic table limit is 4096 (the protocol
 *  default), with the default header-list and field-count caps. `mem` may
 *  be NULL; it is copied. @return H2W_OK, H2W_E_INVALID_ARGUMENT or
 *  H2W_E_NOMEM.
 *  @param[out] out Receives the new decoder.
 *  @param mem Allocator hooks, or NULL for the C library's; copied. */
H2W_EXTERN int h2w_hpack_decoder_new(h2w_hpack_decoder **out,
                                     const h2w_mem *mem);

/** Destroy a decoder. NULL is a no-op.
 *  @param dec The decoder, or NULL. */
H2W_EXTERN void h2w_hpack_decoder_del(h2w_hpack_decoder *dec);

/** Our SETTINGS_HEADER_TABLE_SIZE, as acknowledged by the peer, is now
 *  `size`. Size updates in later blocks above it are COMPRESSION_ERROR;
 *  if it shrank below the table's current limit, the next block must start
 *  with a size update (RFC 7541 §4.2). Call between blocks only.
 *  @return H2W_OK, H2W_E_INVALID_ARGUMENT or H2W_E_INVALID_STATE (in the
 *  middle of a block).
 *  @param dec The decoder.
 *  @param size Our acknowledged SETTINGS_HEADER_TABLE_SIZE, in octets. */
H2W_EXTERN int h2w_hpack_decoder_set_max_table_size(h2w_hpack_decoder *dec,
                                                    uint32_t size);

/** Cap the decoded header list of one block (RFC 9113 §6.5.2 accounting:
 *  name + value + 32 per field). Default
 *  H2W_HPACK_DEFAULT_MAX_HEADER_LIST_SIZE. Called between blocks, the cap
 *  applies to the next block; called in the middle of a block (between
 *  pieces, or from the field callback), it applies from the next block
 *  on and the current block keeps the cap it began with, so a lowered
 *  cap can never find more octets already counted than it allows. A
 *  field that would take the list past the cap is not delivered, nor is
 *  any later field of the block, and the block ends with H2W_E_LIMIT.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT.
 *  @param dec The decoder.
 *  @param size The cap, in octets counted as above. */
H2W_EXTERN int
h2w_hpack_decoder_set_max_header_list_size(h2w_hpack_decoder *dec,
                                           uint32_t size);

/** Cap the number of fields in one block. Default
 *  H2W_HPACK_DEFAULT_MAX_FIELDS. @return H2W_OK or
 *  H2W_E_INVALID_ARGUMENT (dec NULL or n == 0).
 *  @param dec The decoder.
 *  @param n The most fields in one block (at least 1). */
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
 *  @return One of:
 *  - H2W_OK: the piece was consumed (and, with FINAL, the block ended).
 *  - H2W_E_LIMIT (only on the FINAL piece): the block passed the
 *    header-list or field-count cap. No field was delivered past the cap;
 *    the rest of the block was parsed at O(input) cost only to keep the
 *    dynamic table in sync, so the decoder stays usable (a stream error
 *    for the session, RFC 9113 §6.5.2 / §8.1).
 *  - H2W_E_TRUNCATED: FINAL given inside an unfinished representation.
 *  - H2W_E_COMPRESSION: invalid HPACK (bad index, integer overflow, bad
 *    Huffman padding or EOS, misplaced or oversized table-size update).
 *    A Huffman string skipped past the cap is still checked as it
 *    streams past (RFC 7541 §5.2 admits no exception), so this wins over
 *    H2W_E_LIMIT.
 *  - H2W_E_CALLBACK_FAILURE, H2W_E_NOMEM, H2W_E_INVALID_ARGUMENT.
 *  After TRUNCATED, COMPRESSION, CALLBACK_FAILURE or NOMEM the decoder's
 *  table is out of sync with the peer: every later call returns the same
 *  error (sticky).
 *  @param dec The decoder.
 *  @param in The next piece of the block.
 *  @param len Length of in; 0 is allowed (an empty final piece).
 *  @param flags H2W_HPACK_FINAL with the last piece, else 0.
 *  @param cb Called once per decoded field.
 *  @param user Passed to cb unchanged. */
H2W_EXTERN int h2w_hpack_decode(h2w_hpack_decoder *dec, const uint8_t *in,
                                size_t len, uint32_t flags,
                                h2w_hpack_field_cb cb, void *user);

/** Current size of the decoder's dynamic table in RFC 7541 §4.1 octets
 *  (for tests and session dumps). 0 if dec is NULL.
 *  @param dec The decoder, or NULL.
 *  @return The size in octets. */
H2W_EXTERN size_t h2w_hpack_decoder_table_size(const h2w_hpack_decoder *dec);

/** Current size of the encoder's dynamic table in RFC 7541 §4.1 octets.
 *  0 if enc is NULL.
 *  @param enc The encoder, or NULL.
 *  @return The size in octets. */
H2W_EXTERN size_t h2w_hpack_encoder_table_size(const h2w_hpack_encoder *enc);
/** @} */

/* ------------------------------------------------------------------------ */
/* Sessions: one HTTP/2 connection (RFC 9113), client or server role        */
/* ------------------------------------------------------------------------ */

/** @page session_model Sessions: callbacks, streams, time
 * A session is a state machine with no I/O of its own:
 *
 * @verbatim
   bytes read from the transport   --> h2w_session_recv() --> callbacks
   h2w_session_submit_*(), replies --> h2w_session_send() --> bytes to write
                                                              to the transport
   @endverbatim
 *
 * Callbacks
 *   - Every callback receives the session and the `user` pointer given to
 *     h2w_session_*_new(). Pointers passed to a callback are valid for the
 *     duration of that callback only.
 *   - One rule for every callback that returns int: 0 continues;
 *     H2W_E_PAUSE makes h2w_session_recv() return early (after the frame
 *     being processed, with the count of bytes consumed so far; call it
 *     again with the rest of the input to continue); a positive value is
 *     an answer only where the callback defines one: H2W_CB_RESET_STREAM
 *     from on_begin_headers, on_header, on_headers and on_data (reset
 *     just that stream), H2W_PUSH_REFUSE from on_push_promise; any other
 *     value, negative or an undefined positive one (H2W_CB_RESET_STREAM
 *     from any other callback included), is a failure: the session then
 *     becomes unusable and every later call returns
 *     H2W_E_CALLBACK_FAILURE (sticky). So a stray "return 1" never passes
 *     silently.
 *   - What a callback may call: see @ref reentrancy.
 *   - After a fatal error no callback fires again, with one exception:
 *     on_stream_close, which ends every stream the application knows
 *     (see on_stream_close and H2W_CLOSE_FLAG_CONNECTION).
 *
 * Streams
 *   - Every stream that was reported (on_begin_headers, a PUSH_PROMISE)
 *     or submitted ends with exactly one on_stream_close, also when the
 *     connection dies or the session is deleted, so per-stream state
 *     freed there never leaks. h2w_session_foreach_stream() walks the
 *     live ones.
 *   - Stream ids are uint32_t (31 bits). Client-initiated ids are odd,
 *     server-initiated even; 0 is the connection.
 *   - A stream's user data (set at submit time or with
 *     h2w_session_set_stream_user_data()) lives until its on_stream_close
 *     callback returns; the library never dereferences it.
 *
 * Time
 *   - The library has no clock. The caller passes the time with
 *     h2w_session_tick(s, now_ms) (any monotonic millisecond clock, e.g.
 *     CLOCK_MONOTONIC) and asks h2w_session_next_deadline() when to call it
 *     next. The session's notion of "now" is the last value ticked (0 until
 *     the first tick); it stamps PINGs with it to measure RTT.
 */

/** @page reentrancy Reentrancy: what may be called from where
 * Callbacks run inside a library call on the same session. From inside
 * any callback (every on_* callback, a data source's read() and write(),
 * and the visitor of h2w_session_foreach_stream()), on that session:
 *   - Allowed: every h2w_session_submit_*() (for the stream being reported
 *     or any other; from a data source's read()/write() as well: frames
 *     submitted there are queued behind the DATA frame being built, whose
 *     buffer they never touch), h2w_session_resume_data(),
 *     h2w_session_consume(), h2w_session_shutdown(),
 *     h2w_session_set_stream_user_data(), h2w_session_set_stream_priority(),
 *     h2w_session_foreach_stream(), h2w_session_set_data_range(),
 *     h2w_session_events(), h2w_session_events_clear(), and every getter
 * (want_read/write, next_deadline, stream_state, window, setting, error,
 * memory, dump_json...).
 *   - Refused: h2w_session_recv(), h2w_session_recv_events(),
 *     h2w_session_set_events(), h2w_session_send(), h2w_session_peek(),
 *     h2w_session_ack(), h2w_session_tick(), h2w_session_eof() and
 *     h2w_session_upgrade()
 *     return H2W_E_INVALID_STATE and change nothing (not even the clock:
 *     tick again after the call returns). h2w_session_del() does nothing:
 *     a session cannot be freed under the call that runs the callback;
 *     delete it after that call returns.
 *   - Other sessions are independent: any call on another session is
 *     allowed.
 *   - A callback returns: it may not leave the library's call by a C++
 *     exception or a longjmp(), which would skip the session's own
 *     bookkeeping (and the library is built without the unwind tables a
 *     C++ exception needs to cross it, unless H2W_UNWIND_TABLES). Catch
 *     inside the callback and return an error instead.
 *   - After a fatal error the allowed functions return the sticky error,
 *     as everywhere; during the on_stream_close callbacks fired by
 *     h2w_session_del() they return H2W_E_INVALID_STATE (the session is
 *     closing). Getters, h2w_session_get_stream_user_data() included,
 *     keep working.
 *
 * Per callback, where it runs and what is particular to it:
 *   - on_begin_headers, on_header, on_headers, on_data, on_stream_end,
 *     on_stream_reset, on_settings, on_settings_ack, on_ping_ack,
 *     on_goaway, on_frame_recv, on_altsvc, on_origin, on_extension_frame,
 *     on_push_promise: inside h2w_session_recv(), after the frame they
 *     report was applied; they may return H2W_E_PAUSE. Frames they
 *     submit go out after those already queued, in submit order.
 *   - on_frame_send: inside h2w_session_send() or h2w_session_ack(), as
 *     each frame leaves; H2W_E_PAUSE is ignored there (pausing is for
 *     input).
 *   - read() and write() of a data source: inside h2w_session_send() or
 *     h2w_session_peek(). Their buffer is theirs for the call; frames
 *     they submit (for their own stream or any other) follow the DATA
 *     frame being built. Resetting their own stream discards what the
 *     call returns.
 *   - on_stream_close: inside recv, send, peek, ack or tick (after the
 *     frame or call that closed the stream), an error GOAWAY submit, or
 *     h2w_session_del(). The stream is already closed: submits for it
 *     return H2W_E_INVALID_STATE; its user data is still readable.
 *   - on_error: inside any call that finds the error, submits included,
 *     before the session is marked failed; frames submitted from it for
 *     a connection error are dropped (only the final GOAWAY follows the
 *     frame being written).
 *   - the visitor of h2w_session_foreach_stream(): inside that call,
 *     itself allowed anywhere; the rules of any callback apply.
 *
 * Order at the end of a connection: when h2w_session_recv(), send(),
 * peek(), ack(), tick() or eof() ends it (a connection error, a failing
 * callback, a timer), the streams' on_stream_close callbacks fire before
 * that call returns; so do they before h2w_session_submit_goaway()
 * returns when it sends an error GOAWAY outside any callback. A submit
 * that ends the connection otherwise (the HPACK encoder out of memory)
 * leaves them to the next of those calls or to h2w_session_del(). First
 * the streams that had already closed, in the order they closed, then
 * every stream still live (queued, reserved, open or half-closed), in
 * ascending id order, each with H2W_CLOSE_FLAG_CONNECTION and the
 * GOAWAY's error code. h2w_session_del() does the same for the streams
 * still live (code H2W_NO_ERROR) before it frees anything. */

/** @page lifecycle The connection lifecycle: start, pump, close
 * A session is one connection from its first octet to its last. The
 * socket (and TLS) are the application's; this is when to do what.
 *
 * Start
 *   - Server: after accept() (and, over TLS, once ALPN chose "h2", see
 *     @ref alpn) create the session with h2w_session_server_new(); over
 *     cleartext with prior knowledge (RFC 9113 §3.3) the client preface
 *     arrives first, for an HTTP/1.1 Upgrade see @ref h2c_upgrade. A
 *     client calls h2w_session_client_new() once connected: its preface
 *     is queued, and requests may be submitted at once.
 *   - Tick right away, h2w_session_tick(s, now) with a monotonic clock in
 *     ms: the session has no clock until then, and a server's abuse
 *     budgets are off without one (see h2w_session_tick()).
 *
 * The pump loop (one per connection; any event loop)
 *   - Wait for readable while h2w_session_want_read(), for writable while
 *     h2w_session_want_write() (or while bytes taken from the session are
 *     still unwritten), with a timeout that ends at
 *     h2w_session_next_deadline().
 *   - Readable: read, then h2w_session_recv() every byte read (if it
 *     returns fewer, a callback paused: call it again with the rest
 *     later). read() returning 0 (or TLS close_notify): call
 *     h2w_session_eof() and go to "closing the socket".
 *   - Writable: h2w_session_send() into a buffer and write it (keep what
 *     write() did not take), or h2w_session_peek() / h2w_session_ack()
 *     to write from the session's own buffer. Submits, timers and input
 *     all queue output: check want_write after each.
 *   - Every turn: h2w_session_tick(s, now). A server must tick: the
 *     glitch and reset budgets refill only through it, and the keepalive,
 *     idle timeout, SETTINGS timeout and graceful-shutdown deadline fire
 *     only through it.
 *
 * Per-stream state
 *   - Allocate it when the stream appears: a server in on_begin_headers
 *     (kind H2W_HEADERS_REQUEST), a client at h2w_session_submit_request()
 *     (the `stream_user` argument); attach it with
 *     h2w_session_set_stream_user_data() or pass it at submit time, and
 *     find it with h2w_session_get_stream_user_data().
 *   - Free it in on_stream_close, and only there: it fires exactly once
 *     for every stream that was reported or submitted, however the stream
 *     ends: normally, reset (either side, or by returning
 *     H2W_CB_RESET_STREAM), refused or above a GOAWAY's last stream id
 *     (H2W_CLOSE_FLAG_RETRYABLE), at a connection error, at
 *     h2w_session_eof() or at h2w_session_del() (H2W_CLOSE_FLAG_CONNECTION).
 *     Data handed to the session with a body (a data source's `user`,
 *     an h2w_mem_source and its buffer) must live until then too.
 *
 * Graceful close (RFC 9113 §6.8)
 *   - Call h2w_session_shutdown(): a server sends GOAWAY with the largest
 *     id and a PING, then the real last stream id once the PING returns
 *     (or the shutdown timeout passes on its clock); a client sends one
 *     GOAWAY. No new stream starts; those in flight finish.
 *   - Keep pumping until want_read and want_write are both 0 (no stream
 *     left, output flushed).
 *   - Then half-close the transport (shutdown(SHUT_WR), or TLS
 *     close_notify) and keep reading, discarding what arrives, until the
 *     peer closes or a lingering timeout passes (a second or two). Closing
 *     a socket that still has unread input makes the kernel answer with a
 *     TCP reset, which can destroy the GOAWAY and the last responses before
 *     the peer reads them (the same "lingering close" as RFC 9112 §9.6).
 *     After h2w_session_eof() nothing more is written, so nothing is lost.
 *   - What arrives while lingering goes unanswered: a PING the peer sent
 *     as your GOAWAY crossed it gets no ACK. Where that matters, submit a
 *     PING of your own (h2w_session_submit_ping()) just before the
 *     shutdown, keep the write side open and keep pumping until
 *     on_ping_ack reports it (or a short timeout), and only then
 *     half-close: everything the peer sent before that ACK has been
 *     answered. h2w-client does this; it costs one round trip.
 *
 * Abortive close
 *   - To end at once with an error: h2w_session_submit_goaway() with that
 *     code. The connection ends when it is queued (every stream closes with
 *     H2W_CLOSE_FLAG_CONNECTION); write what h2w_session_send() still
 *     returns (up to the GOAWAY, then the sticky error), then close as
 *     above, with a short lingering timeout.
 *   - A connection error the session finds (a protocol violation, a flood,
 *     a timer) ends it the same way: the call returns the error, the GOAWAY
 *     is queued, and h2w_session_error() says why.
 *   - When the transport fails (ECONNRESET, EPIPE, a TLS error): call
 *     h2w_session_eof() so the streams end, and close the socket.
 *
 * Closing the socket, and the session
 *   - Close it when want_read and want_write are both 0 and the lingering
 *     read is over; or right after h2w_session_eof(); or after a fatal
 *     error once the GOAWAY is written (and a short linger).
 *   - h2w_session_del() frees the session, at any point outside its
 *     callbacks; streams still live get their on_stream_close first.
 *
 * examples/minimal/ is a poll() server and client that do all of this in
 * about 200 lines each. */

/** @addtogroup h2w_sessions
 *  @{ */
/** One HTTP/2 connection, client or server. Opaque. */
typedef struct h2w_session h2w_session;
/** @} */
/** @addtogroup h2w_callbacks
 *  @{ */
/** The callbacks a session raises. Opaque; see h2w_callbacks_new(). */
typedef struct h2w_callbacks h2w_callbacks;
/** @} */
/** @addtogroup h2w_options
 *  @{ */
/** A session's settings and limits. Opaque; see h2w_options_new(). */
typedef struct h2w_options h2w_options;
/** @} */

/** @addtogroup h2w_callbacks
 *  @{ */
/* Kinds of header blocks, passed to on_begin_headers / on_headers as int. */
/** Request headers (received by a server). */
#define H2W_HEADERS_REQUEST 0
/** Final response headers (received by a client). At on_begin_headers a
 *  response is not yet known to be informational. */
#define H2W_HEADERS_RESPONSE 1
/** An informational (1xx) response; only reported by on_headers. */
#define H2W_HEADERS_INFORMATIONAL 2
/** Trailers: a header block after the body, always with END_STREAM. */
#define H2W_HEADERS_TRAILERS 3
/** The request carried by a PUSH_PROMISE (client side, RFC 9113 §8.4):
 *  on_begin_headers and on_header report it on the promised stream; its
 *  end is reported by on_push_promise, not on_headers. The pushed response
 *  then arrives on the promised stream as H2W_HEADERS_RESPONSE. */
#define H2W_HEADERS_PUSH_PROMISE 4

/** @} */
/** @addtogroup h2w_sessions
 *  @{ */
/* Stream states (RFC 9113 §5.1), returned by h2w_session_stream_state(). */
/** Not used yet (or an id the session never saw). */
#define H2W_STREAM_STATE_IDLE 0
/** Reserved by a PUSH_PROMISE we sent. */
#define H2W_STREAM_STATE_RESERVED_LOCAL 1
/** Reserved by a PUSH_PROMISE we received. */
#define H2W_STREAM_STATE_RESERVED_REMOTE 2
/** Both sides may send. */
#define H2W_STREAM_STATE_OPEN 3
/** We ended our side. */
#define H2W_STREAM_STATE_HALF_CLOSED_LOCAL 4
/** The peer ended its side. */
#define H2W_STREAM_STATE_HALF_CLOSED_REMOTE 5
/** Finished. */
#define H2W_STREAM_STATE_CLOSED 6
/** @} */

/** @addtogroup h2w_callbacks
 *  @{ */
/** on_stream_close flags: the peer never processed this stream (it was
 *  above the last-stream-id of a GOAWAY, refused with REFUSED_STREAM
 *  before any response, RFC 9113 §8.7, or still queued for a stream slot,
 *  never sent, when a GOAWAY arrived, §6.8, or when we sent one; or the
 *  connection ended
 *  before any octet of its HEADERS left the session, see
 *  H2W_CLOSE_FLAG_CONNECTION): the request is safe to retry on a new
 *  connection. */
#define H2W_CLOSE_FLAG_RETRYABLE 0x1u
/** on_stream_close flags: the stream was reset (by either side). */
#define H2W_CLOSE_FLAG_RESET 0x2u
/** on_stream_close flags: the stream did not finish by itself: the
 *  connection ended (a fatal error, an error GOAWAY, the peer closing the
 *  transport, h2w_session_eof()) or the session was deleted while it was
 *  live (see @ref reentrancy for the order). A request that never left
 *  the session also carries H2W_CLOSE_FLAG_RETRYABLE: queued for a slot,
 *  or its HEADERS still in output the session drops (at a connection
 *  error it found, h2w_session_eof() or h2w_session_del(); an error
 *  GOAWAY the application submits keeps the output before it). */
#define H2W_CLOSE_FLAG_CONNECTION 0x4u

/** @} */
/** @addtogroup h2w_frames
 *  @{ */
/** The 9-octet header of a frame, for tracing callbacks. */
typedef struct h2w_frame_info {
  uint32_t length;    /**< Payload length. */
  uint32_t stream_id; /**< 31-bit stream id, 0 for the connection. */
  uint8_t type;       /**< RFC 9113 §6 frame type octet. */
  uint8_t flags;      /**< Flags octet as sent/received. */
  /** Always 0. */
  uint8_t reserved[2];
} h2w_frame_info;

/**
 * The RFC name of a frame type octet.
 *
 * @param type  the type octet of a frame header (h2w_frame_info.type).
 * @return "DATA" ... "CONTINUATION" (RFC 9113 §6), "ALTSVC" (RFC 7838),
 *         "ORIGIN" (RFC 8336), "PRIORITY_UPDATE" (RFC 9218), or "UNKNOWN"
 *         for any other type. Never NULL; the string is static.
 */
H2W_EXTERN const char *h2w_frame_type_name(uint8_t type);
/** @} */

/** @addtogroup h2w_callbacks
 *  @{ */
/* ---- callbacks ----------------------------------------------------------
 * Every callback is optional; an unset one is simply not called. */

/** Return value of on_begin_headers, on_header, on_headers and on_data:
 *  reset the stream being reported, and only it (RFC 9113 §5.4.2), e.g.
 *  to reject a request from on_header without ending the connection.
 *
 *  - The stream is reset with RST_STREAM INTERNAL_ERROR and closes
 *    (on_stream_close follows with H2W_CLOSE_FLAG_RESET). To pick the
 *    code (H2W_CANCEL, H2W_REFUSED_STREAM when the request was not
 *    processed and may be retried, RFC 9113 §8.7...), call
 *    h2w_session_submit_rst_stream(s, stream_id, code) in the callback
 *    first and then return H2W_CB_RESET_STREAM (or 0: the effect is the
 *    same; the return value then adds nothing).
 *  - No further callback fires for the stream but on_stream_close: the
 *    rest of a header block is still decoded, since the HPACK table is
 *    the connection's (RFC 7541 §2.3.2), and its fields are dropped; the
 *    frames the peer sends on the stream afterwards are ignored (§5.1,
 *    "closed" after our RST_STREAM), DATA still counted on the
 *    connection window.
 *  - It is the application's decision: on_error does not fire and the
 *    reset budget is not charged.
 *  - From on_begin_headers or on_header of a PUSH_PROMISE's request (kind
 *    H2W_HEADERS_PUSH_PROMISE) it resets the promised stream.
 *  - From any other callback it is an undefined positive value: a
 *    callback failure that ends the connection, like any stray value
 *    (on_stream_end, on_stream_reset and on_stream_close report a stream
 *    that has ended or is ending; call h2w_session_submit_rst_stream()
 *    there instead if needed). Distinct from H2W_PUSH_REFUSE, so no value
 *    means two things. */
#define H2W_CB_RESET_STREAM 2

/** A header block starts on `stream_id` (kind: H2W_HEADERS_*). */
typedef int (*h2w_on_begin_headers_cb)(h2w_session *s, uint32_t stream_id,
                                       int kind, void *user);
/** One decoded, validated header field of the current block (pseudo-
 *  headers first). Malformed fields never reach this callback: the stream
 *  is reset instead (RFC 9113 §8.1.1). */
typedef int (*h2w_on_header_cb)(h2w_session *s, uint32_t stream_id,
                                const h2w_nv *nv, void *user);
/** The header block is complete. kind is final (INFORMATIONAL resolved);
 *  end_stream is 1 when the block also ended the peer's side. */
typedef int (*h2w_on_headers_cb)(h2w_session *s, uint32_t stream_id, int kind,
                                 int end_stream, void *user);
/** A chunk of body data (padding removed). `data` points into the buffer
 *  the application passed to h2w_session_recv(), never into a copy, and
 *  is valid only during the callback. A DATA frame that arrives over
 *  several h2w_session_recv() calls is delivered in the pieces that
 *  arrived, so one frame may give several calls (and a frame split
 *  inside its padding none for that part): chunk boundaries carry no
 *  meaning. Flow control is exact whatever the cuts: a frame counts
 *  against the windows, padding included, from its first piece
 *  (RFC 9113 §6.9), and on_stream_end, with its content-length check,
 *  follows the frame's last piece. In automatic flow-control mode the
 *  bytes count as consumed when the callback returns; in manual mode
 *  call h2w_session_consume(). */
typedef int (*h2w_on_data_cb)(h2w_session *s, uint32_t stream_id,
                              const uint8_t *data, size_t len, void *user);
/** The peer ended its side of the stream (END_STREAM), after any trailers;
 *  for a validated message, the body length matched content-length. */
typedef int (*h2w_on_stream_end_cb)(h2w_session *s, uint32_t stream_id,
                                    void *user);
/** The peer reset the stream with RST_STREAM `code` (RFC 9113 §7 code). */
typedef int (*h2w_on_stream_reset_cb)(h2w_session *s, uint32_t stream_id,
                                      uint32_t code, void *user);
/** The stream is closed and forgotten: the last event of every stream that
 *  was reported or submitted, fired exactly once, also when the
 *  connection dies or at h2w_session_del() (then with
 *  H2W_CLOSE_FLAG_CONNECTION; the one callback that fires after a fatal
 *  error). `code` is H2W_NO_ERROR for a normal close, else the RST_STREAM
 *  / GOAWAY code; flags: H2W_CLOSE_FLAG_*. The stream's user data is still
 *  readable (h2w_session_get_stream_user_data()) during the callback. */
typedef int (*h2w_on_stream_close_cb)(h2w_session *s, uint32_t stream_id,
                                      uint32_t code, uint32_t flags,
                                      void *user);
/** The peer's SETTINGS frame was applied (and its ACK queued). */
typedef int (*h2w_on_settings_cb)(h2w_session *s, const h2w_settings_entry *iv,
                                  size_t n, void *user);
/** The peer acknowledged our oldest unacknowledged SETTINGS: those values
 *  are now in force. */
typedef int (*h2w_on_settings_ack_cb)(h2w_session *s, void *user);
/** A PING we sent was acknowledged. rtt_ms is the session time at receipt
 *  minus the session time when the PING was emitted (caller's clock). */
typedef int (*h2w_on_ping_ack_cb)(h2w_session *s, const uint8_t *opaque8,
                                  uint64_t rtt_ms, void *user);
/** The peer sent GOAWAY. Streams we opened above last_stream_id were not
 *  processed, and requests still queued for a slot will never be sent
 *  (RFC 9113 §6.8: no new streams): each is then closed with
 *  H2W_CLOSE_FLAG_RETRYABLE (code REFUSED_STREAM), so once the streams
 *  below last_stream_id end the session wants no more input. */
typedef int (*h2w_on_goaway_cb)(h2w_session *s, uint32_t last_stream_id,
                                uint32_t code, const uint8_t *debug,
                                size_t debuglen, void *user);
/** A frame was received (after it was processed) or sent (when handed to
 *  the output). payload holds fi->length octets; it is NULL for a DATA
 *  frame sent through a NO_COPY source, and for a received DATA frame
 *  that arrived over several h2w_session_recv() calls (reported once,
 *  after its last piece: it was never whole in one place). For tracing. */
typedef int (*h2w_on_frame_cb)(h2w_session *s, const h2w_frame_info *fi,
                               const uint8_t *payload, void *user);
/** Error detail, for logs: a connection error (stream_id 0) or a stream
 *  error the session detected, with the wire code it sends and a static
 *  reason. Informational: its return value is ignored. An error GOAWAY
 *  the application submits itself is not reported here. Two reports send
 *  nothing: input truncated at h2w_session_eof() (stream 0,
 *  PROTOCOL_ERROR; the peer is gone), and the warning that the abuse
 *  budgets are off because the session was never ticked (stream 0,
 *  NO_ERROR, reason H2W_REASON_NO_CLOCK, at most once; the session goes
 *  on). */
typedef void (*h2w_on_error_cb)(h2w_session *s, uint32_t stream_id,
                                uint32_t code, const char *reason, void *user);

/** Client: an ALTSVC frame (RFC 7838 §4) advertised an alternative
 *  service. On stream 0 `origin` names the origin it applies to; on a
 *  stream (originlen 0) it applies to that stream's origin. `value` is the
 *  Alt-Svc field value, unparsed. Frames that break the origin/stream rule,
 *  arrive at a server, or name a stream that is not open are ignored. */
typedef int (*h2w_on_altsvc_cb)(h2w_session *s, uint32_t stream_id,
                                const uint8_t *origin, size_t originlen,
                                const uint8_t *value, size_t valuelen,
                                void *user);
/** Client: one entry of an ORIGIN frame (RFC 8336 §2), an ASCII origin
 *  such as "https://example.org", unparsed; called once per entry, in
 *  order. `index` counts from 0 within the frame. Frames off stream 0, with
 *  an entry overrunning the payload, or arriving at a server are ignored
 *  (RFC 8336 §2.1). */
typedef int (*h2w_on_origin_cb)(h2w_session *s, const uint8_t *origin,
                                size_t len, size_t index, void *user);

/** Return value of on_push_promise: decline the push (RST_STREAM CANCEL
 *  on the promised stream, RFC 9113 §8.4); 0 accepts it. */
#define H2W_PUSH_REFUSE 1
/** Client: a PUSH_PROMISE on `stream_id` (our request) reserved
 *  `promised_stream_id` for a response the server will push. The promised
 *  request's fields were delivered by on_header on promised_stream_id
 *  (kind H2W_HEADERS_PUSH_PROMISE) and passed the §8.4 checks (GET or
 *  HEAD, :authority, no content). Return 0 to accept (the response then
 *  arrives on promised_stream_id through the usual callbacks, and
 *  on_stream_close ends it), H2W_PUSH_REFUSE to decline it (CANCEL; only
 *  on_stream_close follows), or a negative value (callback failure). With
 *  no callback set, promises are accepted. Only called when push is
 *  enabled (h2w_options_set_enable_push()). */
typedef int (*h2w_on_push_promise_cb)(h2w_session *s, uint32_t stream_id,
                                      uint32_t promised_stream_id, void *user);

/** New callback set, all unset. @return H2W_OK, H2W_E_NOMEM or
 *  H2W_E_INVALID_ARGUMENT.
 *
 *  A callback set is copied into each session created from it, so it
 *  may be deleted or reused right after.
 *  @param[out] out Receives the new callback set.
 *  @param mem Allocator hooks, or NULL for the C library's; copied. */
H2W_EXTERN int h2w_callbacks_new(h2w_callbacks **out, const h2w_mem *mem);
/** Destroy a callback set. NULL is a no-op.
 *  @param cb The callback set, or NULL. */
H2W_EXTERN void h2w_callbacks_del(h2w_callbacks *cb);
/* Setters: NULL unsets. Each returns H2W_OK or H2W_E_INVALID_ARGUMENT
 * (cb NULL). */
/** Set on_begin_headers (h2w_on_begin_headers_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_begin_headers(h2w_callbacks *cb,
                                                  h2w_on_begin_headers_cb f);
/** Set on_header (h2w_on_header_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_header(h2w_callbacks *cb,
                                           h2w_on_header_cb f);
/** Set on_headers (h2w_on_headers_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_headers(h2w_callbacks *cb,
                                            h2w_on_headers_cb f);
/** Set on_data (h2w_on_data_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_data(h2w_callbacks *cb, h2w_on_data_cb f);
/** Set on_stream_end (h2w_on_stream_end_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_stream_end(h2w_callbacks *cb,
                                               h2w_on_stream_end_cb f);
/** Set on_stream_reset (h2w_on_stream_reset_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_stream_reset(h2w_callbacks *cb,
                                                 h2w_on_stream_reset_cb f);
/** Set on_stream_close (h2w_on_stream_close_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_stream_close(h2w_callbacks *cb,
                                                 h2w_on_stream_close_cb f);
/** Set on_settings (h2w_on_settings_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_settings(h2w_callbacks *cb,
                                             h2w_on_settings_cb f);
/** Set on_settings_ack (h2w_on_settings_ack_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_settings_ack(h2w_callbacks *cb,
                                                 h2w_on_settings_ack_cb f);
/** Set on_ping_ack (h2w_on_ping_ack_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_ping_ack(h2w_callbacks *cb,
                                             h2w_on_ping_ack_cb f);
/** Set on_goaway (h2w_on_goaway_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_goaway(h2w_callbacks *cb,
                                           h2w_on_goaway_cb f);
/** Set on_frame_recv (h2w_on_frame_cb, for each frame received).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_frame_recv(h2w_callbacks *cb,
                                               h2w_on_frame_cb f);
/** Set on_frame_send (h2w_on_frame_cb, for each frame sent).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_frame_send(h2w_callbacks *cb,
                                               h2w_on_frame_cb f);
/** Set on_error (h2w_on_error_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_error(h2w_callbacks *cb, h2w_on_error_cb f);
/** Set on_altsvc (h2w_on_altsvc_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_altsvc(h2w_callbacks *cb,
                                           h2w_on_altsvc_cb f);
/** Set on_origin (h2w_on_origin_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_origin(h2w_callbacks *cb,
                                           h2w_on_origin_cb f);
/** Set on_push_promise (h2w_on_push_promise_cb).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it (promises are then accepted).
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_push_promise(h2w_callbacks *cb,
                                                 h2w_on_push_promise_cb f);
/** A frame of a type this library does not implement arrived (an
 *  extension: RFC 9113 §5.5 says to ignore it unless the application
 *  understands it, e.g. WebTransport's). fi describes it, payload holds
 *  fi->length octets, valid during the call. Frames longer than
 *  h2w_options_set_max_extension_payload() are dropped without a call.
 *  Frames inside a header block are still a PROTOCOL_ERROR (§6.10).
 *  @param cb The callback set.
 *  @param f The callback; NULL unsets it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (cb NULL). */
H2W_EXTERN int h2w_callbacks_set_on_extension_frame(h2w_callbacks *cb,
                                                    h2w_on_frame_cb f);
/** @} */

/** @addtogroup h2w_options
 *  @{ */
/* ---- options ------------------------------------------------------------
 * Safe defaults; NULL options = all defaults. Copied into each session. */

/** New option set with the defaults listed at each setter. @return H2W_OK,
 *  H2W_E_NOMEM or H2W_E_INVALID_ARGUMENT.
 *  @param[out] out Receives the new option set.
 *  @param mem Allocator hooks, or NULL for the C library's; copied. */
H2W_EXTERN int h2w_options_new(h2w_options **out, const h2w_mem *mem);
/** Destroy an option set. NULL is a no-op.
 *  @param opt The option set, or NULL. */
H2W_EXTERN void h2w_options_del(h2w_options *opt);
/* Setters return H2W_OK, or H2W_E_INVALID_ARGUMENT (opt NULL or value out
 * of range; the option is then unchanged). */
/** SETTINGS_MAX_CONCURRENT_STREAMS we announce and enforce (streams the
 *  peer may open). Default 100. Beyond it: REFUSED_STREAM (§5.1.2).
 *  @param opt The option set.
 *  @param n The stream count (0 refuses every peer stream).
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_max_concurrent_streams(h2w_options *opt,
                                                      uint32_t n);
/** SETTINGS_INITIAL_WINDOW_SIZE we announce: the receive window of each
 *  stream (≤ 2^31-1). Default 65535.
 *  @param opt The option set.
 *  @param n The window in octets, at most 2^31-1.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL or n out of range). */
H2W_EXTERN int h2w_options_set_initial_window_size(h2w_options *opt,
                                                   uint32_t n);
/** The connection-level receive window we offer (65535..2^31-1), raised
 *  with a WINDOW_UPDATE right after the preface. Default 65535.
 *  @param opt The option set.
 *  @param n The window in octets, 65535..2^31-1.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL or n out of range). */
H2W_EXTERN int h2w_options_set_connection_window_size(h2w_options *opt,
                                                      uint32_t n);
/** SETTINGS_MAX_FRAME_SIZE we announce (16384..16777215). Default 16384.
 *  @param opt The option set.
 *  @param n The size in octets, 16384..16777215.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL or n out of range). */
H2W_EXTERN int h2w_options_set_max_frame_size(h2w_options *opt, uint32_t n);
/** SETTINGS_MAX_HEADER_LIST_SIZE we announce and enforce inside the HPACK
 *  decoder (RFC 9113 §6.5.2), with field count and CONTINUATION caps.
 *  Default 65536. Past it no further field is delivered: a server answers
 *  431 (RFC 6585 §5) and closes the stream; a client resets it with
 *  CANCEL.
 *  @param opt The option set.
 *  @param n The size in octets (name + value + 32 per field), at least 1.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL or n out of range). */
H2W_EXTERN int h2w_options_set_max_header_list_size(h2w_options *opt,
                                                    uint32_t n);
/** Most fields accepted in one header block. Default 1000.
 *  @param opt The option set.
 *  @param n The field count, at least 1.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL or n out of range). */
H2W_EXTERN int h2w_options_set_max_header_fields(h2w_options *opt, uint32_t n);
/** SETTINGS_HEADER_TABLE_SIZE we announce (our HPACK decoder's dynamic
 *  table). Default 4096. A dynamic table size update from the peer (RFC
 *  7541 §6.3) may go up to the largest value we have announced and not
 *  seen superseded by an acknowledged one (the peer may apply our
 *  SETTINGS before its ACK reaches us); above it is COMPRESSION_ERROR.
 *  Once a lower value is acknowledged, the peer's next block must start
 *  with an update to at most that value (§4.2).
 *  @param opt The option set.
 *  @param n The table size in octets.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_header_table_size(h2w_options *opt, uint32_t n);
/** Ceiling on our HPACK encoder's dynamic table, whatever the peer allows.
 *  Default 4096.
 *  @param opt The option set.
 *  @param n The table size in octets.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_encoder_table_size(h2w_options *opt, uint32_t n);
/** 1: the application reports consumed body bytes with
 *  h2w_session_consume(); 0 (default): bytes count as consumed once
 *  on_data returns. WINDOW_UPDATE is credited only when it is emitted.
 *  @param opt The option set.
 *  @param on 1 for manual, 0 for automatic.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL, on not 0/1). */
H2W_EXTERN int h2w_options_set_manual_flow_control(h2w_options *opt, int on);
/** 0: turn off RFC 9113 §8 message validation (pseudo-headers, field
 *  syntax, content-length), e.g. for a proxy that wants raw frames. Frame
 *  and stream rules still apply. Default 1.
 *
 *  Validation applies the same rules to received messages (a malformed
 *  one is a stream error PROTOCOL_ERROR and is never delivered) and to
 *  submitted ones (H2W_E_INVALID_ARGUMENT, nothing queued). Besides the
 *  §8.2-§8.3 field rules:
 *  - a request with both ":authority" and a "host" field that names
 *    another host or port is malformed (§8.3.1 says SHOULD; we do).
 *    Hosts compare case-insensitively, and a missing port equals the
 *    scheme's default (80 for http, 443 for https; RFC 3986 §6.2.3);
 *  - an http or https request whose ":authority" has an empty host
 *    ("" or ":8080") is malformed (RFC 9110 §4.2.1-§4.2.2);
 *  - a client ignores content-length in a 2xx response to CONNECT, plain
 *    or extended (RFC 9110 §9.3.6): the DATA that follows is the tunnel;
 *  - on a plain CONNECT stream only DATA follows the request (server) and
 *    the 2xx response (client); a later HEADERS is a stream error
 *    PROTOCOL_ERROR (§8.5).
 *  @param opt The option set.
 *  @param on 1 validates, 0 does not.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL, on not 0/1). */
H2W_EXTERN int h2w_options_set_validate_messages(h2w_options *opt, int on);
/** How long our SETTINGS may stay unacknowledged before the connection is
 *  closed with SETTINGS_TIMEOUT (RFC 9113 §6.5.3), in ms of the caller's
 *  clock; 0 disables. Default 10000.
 *  @param opt The option set.
 *  @param ms The timeout in ms; 0 disables it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_settings_timeout(h2w_options *opt, uint32_t ms);
/** Most control frames (PING/SETTINGS ACKs, RST_STREAM, ...) queued for
 *  output at once. A peer that provokes more without reading our output
 *  is flooding (docs/security.md rows 1-3): GOAWAY ENHANCE_YOUR_CALM and the
 *  sticky error H2W_E_FLOODED. Default 1000.
 *  @param opt The option set.
 *  @param n The frame count, at least 1.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL or n out of range). */
H2W_EXTERN int h2w_options_set_max_control_queue(h2w_options *opt, uint32_t n);
/** Graceful shutdown: how long after the first GOAWAY (and its PING) the
 *  final GOAWAY is sent if the PING is not acknowledged first, in ms.
 *  Default 1000.
 *  @param opt The option set.
 *  @param ms The timeout in ms.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_shutdown_timeout(h2w_options *opt, uint32_t ms);
/** Server: 1 announces SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3), so
 *  clients may send extended CONNECT requests (":method CONNECT" with
 *  ":protocol", ":scheme", ":path" and ":authority", e.g. WebSockets over
 *  HTTP/2, RFC 8441 §4). The stream then carries data both ways after a
 *  2xx response. Without it such requests are malformed (RST_STREAM
 *  PROTOCOL_ERROR). A client sends ":protocol" only when the server has
 *  announced support (see h2w_session_setting() with
 *  H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL), otherwise the submit returns
 *  H2W_E_INVALID_ARGUMENT. Default 0.
 *  @param opt The option set.
 *  @param on 1 announces the setting, 0 does not.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL, on not 0/1). */
H2W_EXTERN int h2w_options_set_enable_connect_protocol(h2w_options *opt,
                                                       int on);
/** Client: 1 announces SETTINGS_ENABLE_PUSH 1 (RFC 9113 §6.5.2), letting
 *  the server push responses (see on_push_promise); at most
 *  h2w_options_set_max_concurrent_streams() pushed streams, reserved ones
 *  included, are accepted at once (more are declined with
 *  REFUSED_STREAM). 0 announces ENABLE_PUSH 0: a PUSH_PROMISE then is a
 *  connection error (PROTOCOL_ERROR) once the server has acknowledged the
 *  setting, and declined with CANCEL before that. Ignored by servers
 *  (they never announce push). Default 0.
 *  @param opt The option set.
 *  @param on 1 accepts server push, 0 refuses it.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL, on not 0/1). */
H2W_EXTERN int h2w_options_set_enable_push(h2w_options *opt, int on);
/** The longest extension frame payload delivered to on_extension_frame;
 *  longer ones are consumed and dropped. At most 16777215. Default 16384.
 *  @param opt The option set.
 *  @param n The payload size in octets.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL or n out of range). */
H2W_EXTERN int h2w_options_set_max_extension_payload(h2w_options *opt,
                                                     uint32_t n);
/** The glitch budget (docs/security.md rows 4, 7, 8): a token bucket of `burst`
 *  tokens refilled at `per_second` tokens per second of the caller's clock
 *  (h2w_session_tick(); not enforced at all before the first tick, see
 *  H2W_REASON_NO_CLOCK). Frames that cost
 *  us work but carry nothing each take one token: DATA with no payload and
 *  no END_STREAM; HEADERS or CONTINUATION with an empty fragment and no
 *  END_HEADERS; every PRIORITY frame; a WINDOW_UPDATE under 32 octets
 *  that leaves its window under 32 octets and buys a DATA frame that
 *  small at once (a data dribble, see below); a frame on a stream we
 *  closed, which we ignore (but not non-empty DATA within the stream
 *  window we had granted when we reset it: in flight, bounded by flow
 *  control). A peer that returns window in small steps is
 *  not charged: once a WINDOW_UPDATE leaves a stream's window under half
 *  the largest size it has had since SETTINGS_INITIAL_WINDOW_SIZE (at
 *  most 16384 octets), DATA on that stream waits until credits reach that
 *  much, so small updates cost one frame parse each and never buy a small
 *  DATA frame (docs/limits.md). When the bucket is empty the
 *  connection ends: GOAWAY ENHANCE_YOUR_CALM, sticky H2W_E_FLOODED.
 *  burst 0 turns the limit off. Default 1000 and 100/s.
 *  @param opt The option set.
 *  @param burst The bucket size in tokens; 0 turns the limit off.
 *  @param per_second Tokens added per second.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_glitch_limit(h2w_options *opt, uint32_t burst,
                                            uint32_t per_second);
/** The reset budget (docs/security.md rows 9 "Rapid Reset", 10 "MadeYouReset"):
 *  a token bucket like the glitch budget's. One token per RST_STREAM the
 *  peer sends on a live stream, and one per RST_STREAM the peer makes us
 *  send (a malformed request, DATA past the window or after END_STREAM,
 *  a refused stream...). When it is empty: GOAWAY ENHANCE_YOUR_CALM,
 *  sticky H2W_E_FLOODED, and no further stream is admitted, not even from
 *  the rest of the same input. burst 0 turns the limit off. Like the
 *  glitch budget it is not enforced before the first h2w_session_tick().
 *  Default 1000 and 33/s, which a steady 30 resets a second never trips.
 *  @param opt The option set.
 *  @param burst The bucket size in tokens; 0 turns the limit off.
 *  @param per_second Tokens added per second.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_reset_limit(h2w_options *opt, uint32_t burst,
                                           uint32_t per_second);
/** The memory budget: the most bytes the session may hold at once through
 *  its allocator (streams, queued output, HPACK tables, buffers; see
 *  h2w_session_memory()). A new peer stream that would pass it is refused
 *  with RST_STREAM REFUSED_STREAM (no callback fires for it); any other
 *  allocation the peer provokes that would pass it ends the connection
 *  with GOAWAY ENHANCE_YOUR_CALM and the sticky error H2W_E_LIMIT; a
 *  submit that would pass it returns H2W_E_LIMIT and changes no protocol
 *  state (buffers it already grew may stay allocated for reuse).
 *  0 means unlimited. Default 4 MiB. A budget smaller than what a new
 *  session holds (about 4 KiB: h2w_session_memory() of a fresh session)
 *  makes h2w_session_client_new() / h2w_session_server_new() fail with
 *  H2W_E_LIMIT.
 *  @param opt The option set.
 *  @param bytes The budget in bytes; 0 means unlimited.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_memory_budget(h2w_options *opt, size_t bytes);
/** Keepalive on the caller's clock: when no frame has arrived for
 *  `interval_ms`, the session queues a PING (its ACK is the library's own
 *  and is not reported through on_ping_ack). When no frame at all arrives
 *  within `timeout_ms` after that, the peer is dead: on_error fires (code
 *  NO_ERROR), the sticky error is H2W_E_TIMEOUT and a GOAWAY is queued.
 *  Both 0 (the default) turn it off; one 0 without the other is
 *  H2W_E_INVALID_ARGUMENT.
 *  @param opt The option set.
 *  @param interval_ms Quiet time before a PING, in ms; 0 with timeout_ms 0
 *      turns it off.
 *  @param timeout_ms Time allowed for any frame after that, in ms.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL, or only one of the
 *      two is 0). */
H2W_EXTERN int h2w_options_set_keepalive(h2w_options *opt, uint32_t interval_ms,
                                         uint32_t timeout_ms);
/** Close a connection that has had no stream open for `ms` of the
 *  caller's clock (since its last stream closed, or since the first tick):
 *  GOAWAY NO_ERROR, on_error fires, sticky error H2W_E_TIMEOUT. PINGs and
 *  other control frames do not keep a connection from being idle. 0 (the
 *  default) never closes an idle connection.
 *  @param opt The option set.
 *  @param ms The idle time in ms; 0 turns it off.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL). */
H2W_EXTERN int h2w_options_set_idle_timeout(h2w_options *opt, uint32_t ms);
/** Adaptive flow control: receive windows that size themselves to the
 *  path. When on, the session estimates the bandwidth-delay product from
 *  its own PING round trips while DATA arrives (a PING is queued when DATA
 *  arrives and none of these is outstanding; the octets received until its
 *  ACK over the round trip are the delivery rate) and offers about twice
 *  that: the connection window grows by WINDOW_UPDATE and the stream
 *  windows by SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 §6.9.2), up to the
 *  caps given here; when the estimate falls the windows shrink again (the
 *  connection window by granting less: window already granted is never
 *  taken back). The windows never go below those configured with
 *  h2w_options_set_connection_window_size() and
 *  h2w_options_set_initial_window_size(); once on, the tuner owns both
 *  windows (a connection WINDOW_UPDATE or SETTINGS_INITIAL_WINDOW_SIZE the
 *  application sends is a starting point it may move from). With manual
 *  flow control the windows do not grow while the application holds half
 *  the connection window unconsumed: it, not the path, is the bottleneck.
 *
 *  These PINGs and SETTINGS are the library's own: on_ping_ack and
 *  on_settings_ack do not see them. While outstanding, a PING holds one of
 *  the session's PING slots (h2w_session_submit_ping() may then meet
 *  H2W_E_LIMIT one PING earlier). They need a ticking clock
 *  (h2w_session_tick() before each receive call gives the best estimate;
 *  without one every round trip counts as 1 ms and the target is simply
 *  twice the octets per round trip), only follow DATA from the peer
 *  (never on an idle connection, and always with DATA between two of
 *  them), are at most one outstanding and at least 10 ms apart, so no
 *  peer's PING-flood limit is approached. Tuned windows are credited back
 *  per eighth rather than per half once an eighth is worth a frame. The
 *  estimate is read with h2w_session_flow_estimate() and
 *  h2w_session_dump_json().
 *
 *  Off by default: the caps are a memory promise only the application can
 *  size (what a peer may have in flight towards it, per connection), and
 *  turning it on changes what goes on the wire (PINGs, SETTINGS) and the
 *  PING slots left to the application. Where the path's bandwidth-delay
 *  product exceeds the static windows (1 Gbit/s at 1 ms already), turn it
 *  on: on the test suite's simulated links it is never slower than the
 *  static windows. Both 0 turn it off.
 *  @param opt The option set.
 *  @param max_connection_window The largest connection window to offer,
 *      65535..2^31-1 octets (raised to the configured connection window
 *      if smaller).
 *  @param max_stream_window The largest stream window to offer,
 *      65535..2^31-1 octets (raised to the configured initial window if
 *      smaller).
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (opt NULL, or a cap out of
 *      range and not both 0). */
H2W_EXTERN int h2w_options_set_window_autotune(h2w_options *opt,
                                               uint32_t max_connection_window,
                                               uint32_t max_stream_window);

/** @} */
/** @addtogroup h2w_sessions
 *  @{ */
/* ---- lifecycle ---------------------------------------------------------- */

/** Create a client session: the preface (magic + SETTINGS) is queued at
 *  once. `cb` and `opt` may be NULL and are copied; `user` is passed to
 *  every callback; `mem` may be NULL (libc). @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT, H2W_E_NOMEM, or H2W_E_LIMIT (a memory budget
 *  smaller than the new session itself).
 *  @param[out] out Receives the new session.
 *  @param cb The callbacks, or NULL for none; copied.
 *  @param opt The options, or NULL for the defaults; copied.
 *  @param user Passed to every callback.
 *  @param mem Allocator hooks, or NULL for the C library's; copied. */
H2W_EXTERN int h2w_session_client_new(h2w_session **out,
                                      const h2w_callbacks *cb,
                                      const h2w_options *opt, void *user,
                                      const h2w_mem *mem);
/** Create a server session: our SETTINGS are queued at once; the client
 *  magic is expected first (a bad one: GOAWAY PROTOCOL_ERROR). Same
 *  arguments and results as h2w_session_client_new().
 *  @param[out] out Receives the new session.
 *  @param cb The callbacks, or NULL for none; copied.
 *  @param opt The options, or NULL for the defaults; copied.
 *  @param user Passed to every callback.
 *  @param mem Allocator hooks, or NULL for the C library's; copied.
 *  @return As h2w_session_client_new(). */
H2W_EXTERN int h2w_session_server_new(h2w_session **out,
                                      const h2w_callbacks *cb,
                                      const h2w_options *opt, void *user,
                                      const h2w_mem *mem);
/** Free the session and everything it holds. First every stream still
 *  live gets its on_stream_close (H2W_CLOSE_FLAG_CONNECTION, ascending
 *  id order; see @ref reentrancy), so per-stream state can be freed
 *  there; no other callback fires. From inside a callback of the same
 *  session it does nothing (the session stays usable): delete it after
 *  the running call returns.
 *  @param s The session, or NULL. */
H2W_EXTERN void h2w_session_del(h2w_session *s);

/** @} */
/* ---- h2c Upgrade (RFC 7540 §3.2) ------------------------------------------
 */
/** @page h2c_upgrade h2c Upgrade (RFC 7540 §3.2)
 * Cleartext HTTP/2 can start from an HTTP/1.1 request carrying
 * "Upgrade: h2c" and "HTTP2-Settings: <base64url SETTINGS payload>". The
 * HTTP/1.1 exchange, up to and including the "101 Switching Protocols"
 * answer, is the caller's; then the session takes over with the request
 * as stream 1. */

/** @addtogroup h2w_alpn
 *  @{ */
/** Encode SETTINGS entries as an HTTP2-Settings value: base64url (RFC 4648
 *  §5) of the SETTINGS payload, 6 octets per entry, '=' padding omitted
 *  (RFC 7540 §3.2.1). No NUL is written. @return the length, or
 *  H2W_E_INVALID_ARGUMENT (NULL with a count, more than 64 entries) or
 *  H2W_E_BUFFER_TOO_SMALL (4 * ceil(6n / 3) octets are always enough).
 *  @param iv The entries.
 *  @param n Number of entries in iv.
 *  @param[out] out Where the value is written.
 *  @param cap Size of out in octets. */
H2W_EXTERN h2w_ssize h2w_http2_settings_encode(const h2w_settings_entry *iv,
                                               size_t n, char *out, size_t cap);
/** Decode an HTTP2-Settings value into at most `cap` entries. Strict: only
 *  the base64url alphabet (correct '=' padding is tolerated), whole 6-octet
 *  entries, and values a client may send (RFC 9113 §6.5.2). @return the
 *  number of entries, H2W_E_INVALID_ARGUMENT (NULL with a length or a
 *  room), H2W_E_PROTOCOL (malformed) or H2W_E_BUFFER_TOO_SMALL (more
 *  entries than `cap`, or more than 64, the most this function decodes:
 *  a value that long is reported so before the rest of it is checked).
 *  @param in The HTTP2-Settings value.
 *  @param len Length of in.
 *  @param[out] iv Receives the entries.
 *  @param cap Room in iv, in entries. */
H2W_EXTERN h2w_ssize h2w_http2_settings_decode(const char *in, size_t len,
                                               h2w_settings_entry *iv,
                                               size_t cap);
/** Client: the HTTP2-Settings value for the upgrade request, i.e. the
 *  SETTINGS the session's preface carries. @return the length written, or
 *  H2W_E_INVALID_ARGUMENT (NULL, a server session) or
 *  H2W_E_BUFFER_TOO_SMALL (64 octets are always enough).
 *  @param s A client session.
 *  @param[out] out Where the value is written.
 *  @param cap Size of out in octets. */
H2W_EXTERN h2w_ssize h2w_session_upgrade_settings(h2w_session *s, char *out,
                                                  size_t cap);
/** Switch a fresh session to the upgraded connection. Allowed only before
 *  any input was received and before any stream exists
 *  (H2W_E_INVALID_STATE otherwise; docs/security.md row 19).
 *  - Server: `http2_settings` is the request's HTTP2-Settings value (must
 *    not be NULL). Its settings are applied as if received in a SETTINGS
 *    frame, without an ACK (the 101 acknowledges them). A malformed value
 *    returns H2W_E_PROTOCOL and changes nothing: answer the request over
 *    HTTP/1.1 instead. Stream 1 is created half-closed (remote): answer it
 *    with h2w_session_submit_response(s, 1, ...). Frames the client sends
 *    on stream 1 are answered with RST_STREAM STREAM_CLOSED. Then feed the
 *    bytes after the request (the client's connection preface) to
 *    h2w_session_recv(); the session's own SETTINGS go out first.
 *  - Client: after sending the request and reading the 101, call it with
 *    the value the request carried (or NULL; it is only checked). Stream 1
 *    is created half-closed (local) and the response arrives on it through
 *    the usual callbacks; new requests get ids 3, 5, ... The connection
 *    preface goes out with the next h2w_session_send().
 *  `head_request`: the request was HEAD, so the response has no content.
 *  `stream_user_data` is stream 1's user data. @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT, H2W_E_INVALID_STATE (also from inside a
 *  callback, see @ref reentrancy), H2W_E_PROTOCOL,
 *  H2W_E_NOMEM or H2W_E_LIMIT (memory budget).
 *  @param s A fresh session.
 *  @param http2_settings The HTTP2-Settings value (see above).
 *  @param len Length of http2_settings.
 *  @param head_request 1 if the upgraded request was HEAD, else 0.
 *  @param stream_user_data Stream 1's user data. */
H2W_EXTERN int h2w_session_upgrade(h2w_session *s, const char *http2_settings,
                                   size_t len, int head_request,
                                   void *stream_user_data);

/** @} */
/** @addtogroup h2w_sessions
 *  @{ */
/* ---- input and output --------------------------------------------------- */

/** Process in[0..len) read from the transport.
 *
 *  Each frame about a stream is judged by the RFC 9113 §5.1 state table,
 *  which knows who initiated the stream: HEADERS on a stream of ours the
 *  peer has never seen (not used yet, or a request still queued for a
 *  slot) is a connection PROTOCOL_ERROR (§5.1.1), and so is PUSH_PROMISE
 *  on a stream that is neither open nor half-closed (local) (§6.6).
 *  Frames on a stream we reset are ignored (HEADERS decoded for the HPACK
 *  table, never delivered), each costing a glitch token, except
 *  non-empty DATA that fits the stream window we had granted when we
 *  reset it (the peer had it in flight; flow control bounds it, §6.9;
 *  still counted on the connection window). The session
 *  remembers how the last 64 closed streams ended; for older ones it does
 *  not, and treats late frames on them like frames on a stream it reset
 *  (ignored, glitch-charged) rather than as an error, so memory stays
 *  bounded. Ids the peer skipped (§5.1.1) are remembered separately:
 *  HEADERS on one is a PROTOCOL_ERROR. A stream error on a stream that is
 *  idle (a PRIORITY frame of the wrong length or depending on itself)
 *  becomes a connection error with the same code, since RST_STREAM may
 *  not be sent on an idle stream (§6.4).
 *
 *
 *  A server must also call h2w_session_tick() (right after creating the
 *  session, then as time passes): the abuse budgets are off until the
 *  first tick and refill only through it (see h2w_session_tick()).
 *  When the transport reports the end of input (read() returned 0),
 *  call h2w_session_eof().
 *
 *  @return the bytes consumed
 *  (len, or fewer when a callback paused), or a negative error:
 *  H2W_E_INVALID_ARGUMENT, H2W_E_NOMEM, H2W_E_CALLBACK_FAILURE, or the
 *  connection error that ended the session (H2W_E_PROTOCOL,
 *  H2W_E_COMPRESSION, H2W_E_FLOW_CONTROL, H2W_E_FRAME_SIZE,
 *  H2W_E_FLOODED, H2W_E_TIMEOUT...). After a connection error the GOAWAY
 *  is queued: keep calling h2w_session_send() to flush it. Later calls
 *  consume and ignore all input and return the same error (sticky).
 *  From inside a callback: H2W_E_INVALID_STATE, nothing consumed (see
 *  @ref reentrancy).
 *  @param s The session.
 *  @param in Bytes read from the transport.
 *  @param len Length of in. */
H2W_EXTERN h2w_ssize h2w_session_recv(h2w_session *s, const uint8_t *in,
                                      size_t len);
/** Fill buf[0..cap) with bytes to write to the transport. @return the
 *  count (0: nothing to send now), H2W_E_INVALID_ARGUMENT, or
 *  H2W_E_INVALID_STATE from inside a callback (nothing written, see
 *  @ref reentrancy).
 *
 *  Body data is pulled from data sources here, directly into buf when a
 *  frame fits; data-source and on_frame_send callbacks may run. After a
 *  fatal error it still returns the queued bytes up to and including the
 *  GOAWAY, and then the sticky error.
 *  @param s The session.
 *  @param[out] buf Where the bytes to write are put.
 *  @param cap Size of buf in octets. */
H2W_EXTERN h2w_ssize h2w_session_send(h2w_session *s, uint8_t *buf, size_t cap);
/** Zero-copy output: point *data at the next pending output bytes (in the
 *  session's buffer) and return their count (0: nothing pending), or a
 *  negative error as for h2w_session_send(). The bytes stay valid until
 *  the next call on the session; h2w_session_ack() says how many were
 *  written (on_frame_send fires then). From inside a callback:
 *  H2W_E_INVALID_STATE (see @ref reentrancy).
 *  @param s The session.
 *  @param[out] data Receives a pointer to the pending bytes.
 *  @return The count of pending bytes (0: none), or a negative h2w_error. */
H2W_EXTERN h2w_ssize h2w_session_peek(h2w_session *s, const uint8_t **data);
/** Mark n bytes of the last h2w_session_peek() as written. @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT (n larger than what was peeked) or
 *  H2W_E_INVALID_STATE (from inside a callback: nothing marked, see
 *  @ref reentrancy).
 *  @param s The session.
 *  @param n How many of the peeked bytes were written. */
H2W_EXTERN int h2w_session_ack(h2w_session *s, size_t n);
/** The peer closed its side of the transport: read() returned 0 (or
 *  the TLS close_notify arrived). Call it once, outside any callback,
 *  after feeding every byte read before the end to h2w_session_recv();
 *  then close the socket (see @ref lifecycle).
 *
 *  - Every live stream closes at once with H2W_CLOSE_FLAG_CONNECTION
 *    (its on_stream_close fires before this returns, ascending ids, as
 *    at any end of the connection, see @ref reentrancy). A client's
 *    request that never left the session (still queued for a stream
 *    slot, or its HEADERS still in the output, which is dropped) also
 *    carries H2W_CLOSE_FLAG_RETRYABLE: the server cannot have processed
 *    it (RFC 9113 §8.7). One whose HEADERS were handed out does not: the
 *    server may have processed it, unless its GOAWAY said otherwise (and
 *    then the stream closed, retryable, at that GOAWAY, §6.8). `code` is the
 * error code of the peer's GOAWAY if it sent one, else H2W_NO_ERROR (or
 *    H2W_PROTOCOL_ERROR when the input was truncated, below).
 *  - want_read and want_write become 0 and stay 0. Queued output, a
 *    final GOAWAY included, is dropped: HTTP/2 has no half-closed
 *    connection (§5.1 half-closes streams, not the connection), so
 *    nothing written now would be read. h2w_session_send() and peek()
 *    return the sticky error; bytes peeked before are forgotten (a later
 *    h2w_session_ack() of them returns H2W_E_INVALID_ARGUMENT).
 *  - Input that ends inside the client preface, inside a frame, or
 *    inside a header block (HEADERS or PUSH_PROMISE without its
 *    END_HEADERS, §6.10) is a truncated connection: on_error fires with
 *    stream 0, code H2W_PROTOCOL_ERROR (what a connection error would
 *    have said; nothing is sent since the peer is gone) and a reason,
 *    and the sticky error is H2W_E_TRUNCATED. A clean end sets the
 *    sticky error H2W_E_CLOSED with reason "the peer closed the
 *    connection" (h2w_session_error()); on_error does not fire.
 *  - After an earlier fatal error the streams have closed already; the
 *    output is dropped and that error stays.
 *  @param s The session.
 *  @return H2W_OK (a clean end), H2W_E_TRUNCATED, the earlier sticky
 *      error, H2W_E_INVALID_ARGUMENT (s NULL) or H2W_E_INVALID_STATE
 *      (from inside a callback: refused, nothing changes; see
 *      @ref reentrancy). Calling it again returns the same. */
H2W_EXTERN int h2w_session_eof(h2w_session *s);
/** 1 if the session expects more input (0 once the connection is over:
 *  after a fatal error, after h2w_session_eof(), or GOAWAY both ways
 *  with no stream left).
 *  @param s The session.
 *  @return 1 or 0. */
H2W_EXTERN int h2w_session_want_read(const h2w_session *s);
/** 1 if h2w_session_send() would produce bytes now.
 *  @param s The session.
 *  @return 1 or 0. */
H2W_EXTERN int h2w_session_want_write(const h2w_session *s);

/* ---- time --------------------------------------------------------------- */

/** The reason on_error reports, once, when a budget would have been
 *  charged before the first h2w_session_tick() (stream 0, code
 *  H2W_NO_ERROR; a warning: the session goes on). Compare with strcmp(). */
#define H2W_REASON_NO_CLOCK                                                    \
  "abuse limits off: the session has no clock (call h2w_session_tick())"

/** Tell the session the time (caller's monotonic clock, ms) and run due
 *  timers (SETTINGS ACK timeout, graceful-shutdown deadline, keepalive,
 *  idle timeout). May queue output.
 *
 *  Servers must tick: the glitch and reset budgets
 *  (h2w_options_set_glitch_limit(), h2w_options_set_reset_limit()) refill
 *  only with the time given here. Until the first tick the session has no
 *  clock and does not enforce them at all (a budget that never refilled
 *  would cut off a well-behaved client after ~1,000 cancels); the first
 *  time one would have been charged, on_error reports it once with
 *  H2W_REASON_NO_CLOCK. Tick once right after creating the session and
 *  then whenever h2w_session_next_deadline() passes, and at least every
 *  second or so while frames arrive (refills are computed from it). @return
 * H2W_OK, or the sticky error (H2W_E_TIMEOUT when our SETTINGS went
 * unacknowledged), or H2W_E_INVALID_STATE from inside a callback (the time is
 * not taken either, see @ref reentrancy). Time never goes backwards: a smaller
 * value is treated as no change.
 *  @param s The session.
 *  @param now_ms The caller's monotonic clock, in ms. */
H2W_EXTERN int h2w_session_tick(h2w_session *s, uint64_t now_ms);
/** The earliest time at which h2w_session_tick() has work to do, or
 *  UINT64_MAX when no timer is armed.
 *  @param s The session.
 *  @return A time on the clock given to h2w_session_tick(), or UINT64_MAX. */
H2W_EXTERN uint64_t h2w_session_next_deadline(const h2w_session *s);

/** @} */
/** @addtogroup h2w_data_sources
 *  @{ */
/* ---- submitting --------------------------------------------------------- */

/** h2w_data_source read flags (out): this read ends the body. */
#define H2W_DATA_FLAG_EOF 0x1u
/** With EOF: do not set END_STREAM; trailers follow
 *  (h2w_session_submit_trailers()). */
#define H2W_DATA_FLAG_NO_END_STREAM 0x2u
/** The read only announces the length: the library lays out the frame
 *  header and then calls the source's write() with the exact slot of the
 *  output where the payload goes. */
#define H2W_DATA_FLAG_NO_COPY 0x4u

/** Pull `len` bytes at most of body for `stream_id` into buf (the output
 *  itself when it fits). Returns bytes written (≥ 0), H2W_E_DEFERRED (no
 *  data now: the stream sleeps until h2w_session_resume_data()), or
 *  another negative value (the stream is reset with INTERNAL_ERROR).
 *  Set *flags (starts at 0) to H2W_DATA_FLAG_*. Returning 0 without EOF
 *  also defers. Called only when flow control allows at least one byte.
 *  buf belongs to the source for the duration of the call: submits made
 *  from inside it (for this or any other stream) are queued behind this
 *  DATA frame and never write to, move or free buf (see @ref reentrancy
 *  for what else may be called). They still precede the body's end: when
 *  this read ends the stream and one of them is on this stream (a
 *  PUSH_PROMISE, which RFC 9113 §6.6 allows only before our END_STREAM),
 *  END_STREAM leaves in an empty DATA frame behind them, and trailers
 *  always follow them. */
typedef h2w_ssize (*h2w_data_read_fn)(h2w_session *s, uint32_t stream_id,
                                      uint8_t *buf, size_t len, uint32_t *flags,
                                      void *source_user);
/** NO_COPY sources: write exactly len bytes at dst. Returns 0, or a
 *  negative value (fatal: H2W_E_CALLBACK_FAILURE, since the frame header
 *  is already laid out). */
typedef int (*h2w_data_write_fn)(h2w_session *s, uint32_t stream_id,
                                 uint8_t *dst, size_t len, void *source_user);

/** A body: copied at submit time; `user` is passed back to read/write and
 *  must stay valid until the stream closes. write may be NULL unless read
 *  returns NO_COPY. */
typedef struct h2w_data_source {
  h2w_data_read_fn read;   /**< Pulls body bytes; must be set. */
  h2w_data_write_fn write; /**< Writes a NO_COPY payload, or NULL. */
  void *user;              /**< Passed to read and write. */
} h2w_data_source;

/** The state of a body read from memory (h2w_data_source_mem()): owned by
 *  the caller, written only by the library. */
typedef struct h2w_mem_source {
  const uint8_t *buf; /**< The body (borrowed, not copied). */
  size_t len;         /**< Its length. */
  size_t off;         /**< Octets handed to the session so far. */
  uint32_t end_flags; /**< Added to H2W_DATA_FLAG_EOF at the end. */
} h2w_mem_source;

/** A data source that sends buf[0..len) as a body, for
 *  h2w_session_submit_request() / submit_response(). No allocation and no
 *  copy here: the session copies the octets into its output as flow
 *  control allows.
 *
 *  Lifetimes: `state` and `buf` must stay valid and unchanged until the
 *  stream's on_stream_close (or until state->off == state->len and the
 *  body has ended, whichever is first); one state serves one stream. *out
 *  is copied by the submit and may go right after it.
 *  @param[out] out Receives the data source.
 *  @param state Caller-owned state, initialized here.
 *  @param buf The body; NULL when len is 0.
 *  @param len Length of buf; 0 sends an empty body (END_STREAM on an
 *      empty DATA frame).
 *  @param flags 0, or H2W_DATA_FLAG_NO_END_STREAM when trailers follow
 *      (h2w_session_submit_trailers()).
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (out or state NULL, buf NULL
 *      with a length, an unknown flag). */
H2W_EXTERN int h2w_data_source_mem(h2w_data_source *out, h2w_mem_source *state,
                                   const void *buf, size_t len, uint32_t flags);

/** @} */
/** @addtogroup h2w_submits
 *  @{ */
/** Client: open a stream with request headers nva[0..n) (pseudo-headers
 *  first; names lowercase; copied) and an optional body (NULL: END_STREAM
 *  on HEADERS). The request waits in a queue (in submit order) until
 *  output is written: h2w_session_send() or h2w_session_peek() builds its
 *  HEADERS when a stream slot is free under the peer's
 *  SETTINGS_MAX_CONCURRENT_STREAMS in force at that moment (RFC 9113
 *  §5.1.2), so a SETTINGS lowering it that is received in between is
 *  obeyed. Until then the stream is idle: a reset sends nothing, and if a
 *  GOAWAY arrives first it is closed unsent, with
 *  H2W_CLOSE_FLAG_RETRYABLE. `stream_user` becomes the stream's user data.
 *  @return the new stream id (> 0), or H2W_E_INVALID_ARGUMENT (why and
 *  which field: h2w_session_last_submit_error()),
 *  H2W_E_INVALID_STATE (server session, or GOAWAY sent/received),
 *  H2W_E_STREAM_ID_EXHAUSTED (open a new connection, RFC 9113 §5.1.1),
 *  H2W_E_NOMEM, or the sticky error.
 *  @param s A client session.
 *  @param nva The header fields; copied.
 *  @param n Number of fields in nva.
 *  @param body The body source, or NULL for none; copied.
 *  @param stream_user The stream's user data. */
H2W_EXTERN int32_t h2w_session_submit_request(h2w_session *s, const h2w_nv *nva,
                                              size_t n,
                                              const h2w_data_source *body,
                                              void *stream_user);
/** Why the last header submit of this session was refused for its
 *  arguments: h2w_session_submit_request(), submit_response(),
 *  submit_informational(), submit_trailers() or submit_push_promise()
 *  returned H2W_E_INVALID_ARGUMENT. Each of those calls clears the record
 *  when it starts, so it always describes the latest one; a refusal for
 *  another reason (state, memory, sticky error) leaves it clear.
 *
 *  Reasons are the RFC 9113 §8 rules a field list breaks, e.g.
 *  "uppercase character in field name", "connection field in HTTP/2",
 *  "NUL, CR or LF in field value", ":path does not start with '/'" (an
 *  absolute URI with a scheme), "pseudo-header field after a regular
 *  field", "missing :path"; and "no header fields", "data source without
 *  read()", "informational :status in a final response". With message
 *  validation off (h2w_options_set_validate_messages()) fields are not
 *  checked, so fewer refusals have a reason.
 *
 *  Allowed anywhere, callbacks included (a getter).
 *  @param s The session.
 *  @param[out] reason Receives the reason, a static string (valid for the
 *      life of the program), or NULL when the last header submit was not
 *      refused for its arguments. May be NULL.
 *  @param[out] field_index Receives the index in the submitted nva[] of
 *      the field at fault (for a rule checked on the whole list, the
 *      pseudo-header it names, e.g. ":path" for an absolute URI), or
 *      SIZE_MAX when no field is (a missing field, another argument).
 *      May be NULL.
 *  @return H2W_E_INVALID_ARGUMENT when a reason is recorded (also for s
 *      NULL, with the reason "NULL session"), else H2W_OK. */
H2W_EXTERN int h2w_session_last_submit_error(const h2w_session *s,
                                             const char **reason,
                                             size_t *field_index);
/** Server: answer stream_id with response headers (":status" first) and an
 *  optional body (NULL: END_STREAM on HEADERS); stream_id may also be a
 *  stream reserved by h2w_session_submit_push_promise(). A pushed
 *  response's HEADERS open the reserved stream, which then counts toward
 *  the client's SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §5.1.2): like a
 *  client's request, the response waits (its fields copied, not yet
 *  encoded) until output is written while the client's limit in force
 *  then leaves a slot, so a limit lowered after the promise is obeyed;
 *  the stream stays reserved (local) meanwhile, and
 *  h2w_session_submit_trailers() may already follow a body.
 *  @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT (see h2w_session_last_submit_error()),
 *  H2W_E_INVALID_STATE (unknown/closed stream, or
 *  already answered), H2W_E_NOMEM, or the sticky error.
 *  @param s A server session.
 *  @param stream_id The request stream.
 *  @param nva The header fields; copied.
 *  @param n Number of fields in nva.
 *  @param body The body source, or NULL for none; copied. */
H2W_EXTERN int h2w_session_submit_response(h2w_session *s, uint32_t stream_id,
                                           const h2w_nv *nva, size_t n,
                                           const h2w_data_source *body);
/** A prepared header set: a response header list checked once against
 *  the RFC 9113 §8 rules and copied, for a server that sends the same
 *  fields again and again (a fixed status, content-type and the like).
 *  h2w_session_submit_response_set() then skips the per-field checks
 *  that h2w_session_submit_response() repeats on every call. Immutable
 *  once made: one set may be used by any number of sessions, from any
 *  number of threads at once (it is only read). Opaque. */
typedef struct h2w_nvset h2w_nvset;

/** h2w_nvset_new() `kind`: a final (non-1xx) response header list. */
#define H2W_NVSET_RESPONSE 1

/** Make a prepared header set from nva[0..n) (pseudo-header fields first,
 *  names lowercase). The fields are checked as h2w_session_submit_response()
 *  checks them, and must form a complete final response (":status"
 *  present and not 1xx: use h2w_session_submit_informational() for those);
 *  names, values and flags are copied into one block, so nva and its
 *  strings may be freed right after. @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT (NULL out, NULL nva with n > 0, n == 0, an
 *  unknown kind, bad hooks, or a field list that breaks a rule: *out is
 *  then NULL), or H2W_E_NOMEM.
 *  @param[out] out Receives the new set.
 *  @param nva The header fields; copied.
 *  @param n Number of fields in nva.
 *  @param kind H2W_NVSET_RESPONSE.
 *  @param mem Allocator hooks, or NULL for the C library's; copied. */
H2W_EXTERN int h2w_nvset_new(h2w_nvset **out, const h2w_nv *nva, size_t n,
                             int kind, const h2w_mem *mem);
/** Destroy a prepared header set. No session keeps a reference to a set
 *  after the submit call that used it returns, so this may follow any
 *  submit at once. NULL is a no-op.
 *  @param set The set, or NULL. */
H2W_EXTERN void h2w_nvset_del(h2w_nvset *set);
/** The number of fields in a set.
 *  @return the count, 0 for NULL.
 *  @param set The set, or NULL. */
H2W_EXTERN size_t h2w_nvset_count(const h2w_nvset *set);
/** Server: h2w_session_submit_response() with a prepared header set: the
 *  same results and the same frames, without checking the fields again
 *  (they were checked by h2w_nvset_new()); what depends on the stream is
 *  still checked (its state, as for any response). The set is read during
 *  the call only.
 *  @param s A server session.
 *  @param stream_id The request stream.
 *  @param set A set made with H2W_NVSET_RESPONSE.
 *  @param body The body source, or NULL for none; copied.
 *  @return As h2w_session_submit_response(); H2W_E_INVALID_ARGUMENT for a
 *  NULL set. */
H2W_EXTERN int h2w_session_submit_response_set(h2w_session *s,
                                               uint32_t stream_id,
                                               const h2w_nvset *set,
                                               const h2w_data_source *body);
/** Server: an informational 1xx response (any number, before the final
 *  one; 101 is not allowed in HTTP/2, RFC 9113 §8.6). Same results as
 *  h2w_session_submit_response(); H2W_E_INVALID_STATE on a pushed stream
 *  still reserved (local), whose first HEADERS must be the final
 *  response (it waits for a stream slot, see there).
 *  @param s A server session.
 *  @param stream_id The request stream.
 *  @param nva The header fields; copied.
 *  @param n Number of fields in nva.
 *  @return As h2w_session_submit_response(). */
H2W_EXTERN int h2w_session_submit_informational(h2w_session *s,
                                                uint32_t stream_id,
                                                const h2w_nv *nva, size_t n);
/** Server: promise a pushed response (RFC 9113 §8.4) on the client's
 *  request stream `stream_id`, which must be open or half-closed (remote)
 *  and not yet finished on our side. nva[0..n) is the promised request
 *  (GET or HEAD, with :method, :scheme, :authority and :path; copied); a
 *  PUSH_PROMISE carrying it is queued on stream_id and a new even stream
 *  is reserved (local). Answer it later with
 *  h2w_session_submit_response(s, <returned id>, ...), or reset it with
 *  h2w_session_submit_rst_stream(). `stream_user` becomes the promised
 *  stream's user data; on_stream_close fires when it ends (also when the
 *  client declines it with RST_STREAM CANCEL). A promise is refused
 *  (H2W_E_LIMIT) while our reserved and open pushed streams together
 *  reach the client's SETTINGS_MAX_CONCURRENT_STREAMS, so a limit of 0
 *  refuses pushes; reserved streams themselves do not count toward the
 *  limit (RFC 9113 §5.1.2), the response's HEADERS do, and wait for a
 *  slot when the client lowered its limit after the promise (see
 *  h2w_session_submit_response()). It may be called from inside the
 *  stream's own data source (the promise goes out before the body's end,
 *  see h2w_data_read_fn); from on_frame_send of the frame that ended our
 *  side of the stream it is refused, as after any other such frame.
 *  @param s A server session.
 *  @param stream_id The client's request stream the promise rides on.
 *  @param nva The promised request's header fields; copied.
 *  @param n Number of fields in nva.
 *  @param stream_user The promised stream's user data.
 *  @return The promised stream id
 *  (> 0), or H2W_E_INVALID_ARGUMENT (malformed request), H2W_E_INVALID_STATE
 *  (a client session; the client disabled push with ENABLE_PUSH 0; the
 *  stream is unknown, not a client request, or our side of it has ended;
 *  a GOAWAY was received), H2W_E_LIMIT (the client's concurrency limit is
 *  reached, or the memory budget), H2W_E_STREAM_ID_EXHAUSTED, H2W_E_NOMEM
 *  or the sticky error. */
H2W_EXTERN int32_t h2w_session_submit_push_promise(h2w_session *s,
                                                   uint32_t stream_id,
                                                   const h2w_nv *nva, size_t n,
                                                   void *stream_user);
/** Trailers (no pseudo-headers) ending our side of stream_id: sent after
 *  all body data, whose source must have ended with
 *  H2W_DATA_FLAG_NO_END_STREAM (or be still running). A request still
 *  waiting for output or a stream slot (h2w_session_submit_request()), or
 *  a pushed response waiting for one (h2w_session_submit_response()), with
 *  a body takes them too: they follow its body. Same results; also
 *  H2W_E_INVALID_STATE on a plain CONNECT tunnel (our request, or our 2xx
 *  response to one), which carries only DATA (RFC 9113 §8.5).
 *  @param s The session.
 *  @param stream_id The stream.
 *  @param nva The header fields; copied.
 *  @param n Number of fields in nva.
 *  @return As h2w_session_submit_response(). */
H2W_EXTERN int h2w_session_submit_trailers(h2w_session *s, uint32_t stream_id,
                                           const h2w_nv *nva, size_t n);
/** @} */
/** @addtogroup h2w_data_sources
 *  @{ */
/** A data source that was deferred has data again: poll it. @return
 *  H2W_OK, H2W_E_INVALID_STATE (no deferred source on that stream) or the
 *  sticky error.
 *  @param s The session.
 *  @param stream_id The stream. */
H2W_EXTERN int h2w_session_resume_data(h2w_session *s, uint32_t stream_id);
/** @} */
/** @addtogroup h2w_submits
 *  @{ */
/** Reset a stream with RST_STREAM `code`. Pending output of the stream is
 *  dropped; on_stream_close follows. @return H2W_OK, H2W_E_INVALID_STATE
 *  (unknown or closed stream), H2W_E_NOMEM, H2W_E_FLOODED or the sticky
 *  error.
 *  @param s The session.
 *  @param stream_id The stream.
 *  @param code An RFC 9113 §7 error code. */
H2W_EXTERN int h2w_session_submit_rst_stream(h2w_session *s, uint32_t stream_id,
                                             uint32_t code);
/** Send a PING with the 8 octets at opaque8 (NULL: the session time as
 *  big-endian). on_ping_ack reports the RTT. @return H2W_OK, H2W_E_NOMEM,
 *  H2W_E_LIMIT (too many PINGs outstanding) or the sticky error.
 *  @param s The session.
 *  @param opaque8 The 8 octets of PING data, or NULL. */
H2W_EXTERN int h2w_session_submit_ping(h2w_session *s, const uint8_t *opaque8);
/** Send SETTINGS iv[0..n) (copied). They take effect when acknowledged
 *  (RFC 9113 §6.5.3). @return H2W_OK, H2W_E_INVALID_ARGUMENT (value out of
 *  its RFC range), H2W_E_LIMIT (too many unacknowledged), H2W_E_NOMEM or
 *  the sticky error.
 *  @param s The session.
 *  @param iv The settings.
 *  @param n Number of entries in iv. */
H2W_EXTERN int h2w_session_submit_settings(h2w_session *s,
                                           const h2w_settings_entry *iv,
                                           size_t n);
/** Grow our receive window of stream_id (0: the connection) by increment
 *  and tell the peer with WINDOW_UPDATE. @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT (0, or past 2^31-1), H2W_E_INVALID_STATE
 *  (unknown stream, a request not yet sent, or a stream we reserved with
 *  PUSH_PROMISE and have not answered: RFC 9113 §5.1 allows only HEADERS,
 *  RST_STREAM and PRIORITY there) or the sticky error.
 *  @param s The session.
 *  @param stream_id The stream, or 0 for the connection.
 *  @param increment Octets added to the window, 1..2^31-1. */
H2W_EXTERN int h2w_session_submit_window_update(h2w_session *s,
                                                uint32_t stream_id,
                                                uint32_t increment);
/** Manual flow control: the application consumed n body bytes of
 *  stream_id (and so of the connection); WINDOW_UPDATEs follow as
 *  needed. @return H2W_OK, H2W_E_INVALID_ARGUMENT (more than delivered),
 *  H2W_E_INVALID_STATE (automatic mode) or the sticky error.
 *
 *  A stream that is already closed only credits the connection.
 *  @param s The session.
 *  @param stream_id The stream.
 *  @param n Body octets consumed. */
H2W_EXTERN int h2w_session_consume(h2w_session *s, uint32_t stream_id,
                                   size_t n);
/** Send GOAWAY at once with `code` and debug data (copied, may be empty)
 *  and the last peer stream id we processed; no new stream is accepted.
 *  With a code other than NO_ERROR the connection ends once the GOAWAY is
 *  sent. A client opens no new stream either: requests still waiting for
 *  a stream slot close at once, never sent, with H2W_CLOSE_FLAG_RETRYABLE
 *  (as h2w_session_submit_request() is refused from now on).
 *  @return H2W_OK, H2W_E_NOMEM or the sticky error.
 *  @param s The session.
 *  @param code An RFC 9113 §7 error code.
 *  @param debug Opaque debug data, or NULL when debuglen is 0.
 *  @param debuglen Length of debug. */
H2W_EXTERN int h2w_session_submit_goaway(h2w_session *s, uint32_t code,
                                         const uint8_t *debug, size_t debuglen);
/** @} */
/** @addtogroup h2w_sessions
 *  @{ */
/** Graceful shutdown (RFC 9113 §6.8): a first GOAWAY with last-stream-id
 *  2^31-1 and a PING; when the PING is acknowledged (or the shutdown
 *  timeout passes on the caller's clock) the final GOAWAY with the real
 *  last stream id. Open streams finish; want_read/want_write drop to 0
 *  when none is left and the output is flushed. A client sends its GOAWAY
 *  at once, and its requests still waiting for a stream slot close
 *  retryable (see h2w_session_submit_goaway()). @return H2W_OK,
 *  H2W_E_NOMEM or the sticky error.
 *  @param s The session. */
H2W_EXTERN int h2w_session_shutdown(h2w_session *s);

/** @} */
/* ---- priorities (RFC 9218) --------------------------------------------- */
/** @page priorities Priorities (RFC 9218)
 * Outgoing DATA is scheduled by each stream's urgency (0 most urgent, 7
 * least; default 3) and incremental flag: the most urgent streams with
 * data and window go first; among equals, incremental streams share
 * frame by frame (round-robin) while a non-incremental one is served
 * until it finishes or blocks, in the order the streams became ready.
 * A request's "priority" header field (e.g. "u=1, i") sets it on both
 * sides. Several "priority" field lines are one value, joined with ", "
 * (RFC 8941 §4.2): a later member replaces an earlier one ("u=1" then
 * "u=5" is u=5; "u=1" then "i" is u=1, i), and if the joined value is
 * not a dictionary the field is ignored and the defaults apply. A
 * client's PRIORITY_UPDATE overrides it on the server; the
 * application may override it at any time. Our preface carries
 * SETTINGS_NO_RFC7540_PRIORITIES = 1; RFC 7540 PRIORITY frames are
 * validated and otherwise ignored. */

/** @addtogroup h2w_priorities
 *  @{ */
/** The urgency of a stream without a priority signal (RFC 9218 §4.1). */
#define H2W_PRIORITY_DEFAULT_URGENCY 3

/** Parse a Priority field value (RFC 9218 §4, a Structured Fields
 *  dictionary): "u" (integer 0-7) and "i" (boolean; a bare "i" is true).
 *  Other keys, parameters and out-of-range values are ignored; a repeated
 *  key keeps its last value (RFC 8941 §3.2), so "u=1, u=9" gives the
 *  default urgency (9 replaced 1 and is ignored). Always sets
 *  *urgency and *incremental (the defaults 3 and 0 where absent). @return
 *  H2W_OK, H2W_E_PROTOCOL (not a dictionary: the defaults apply, as §4
 *  says) or H2W_E_INVALID_ARGUMENT.
 *  @param value The field value (not NUL-terminated).
 *  @param len Length of value.
 *  @param[out] urgency Receives the urgency, 0-7.
 *  @param[out] incremental Receives the incremental flag, 0 or 1. */
H2W_EXTERN int h2w_priority_parse(const char *value, size_t len, int *urgency,
                                  int *incremental);
/** Client: queue a PRIORITY_UPDATE (RFC 9218 §7.1) re-prioritizing
 *  stream_id (open, or not opened yet) with a Priority field value such
 *  as "u=0"; also reorders our own request body. @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT (id 0, too long), H2W_E_INVALID_STATE (a
 *  server), H2W_E_NOMEM, H2W_E_LIMIT or the sticky error.
 *
 *  A server that receives PRIORITY_UPDATE for a request stream not opened
 *  yet keeps up to 16 for when it opens (dropped once the client opens a
 *  higher id); idle streams so prioritized plus open ones may not exceed
 *  our SETTINGS_MAX_CONCURRENT_STREAMS, and one for an idle push stream
 *  is not allowed either (RFC 9218 §7.1: both PROTOCOL_ERROR); for closed
 *  streams it is ignored (each costs a glitch token). A client receiving
 *  one closes the connection with PROTOCOL_ERROR.
 *  @param s A client session.
 *  @param stream_id The stream.
 *  @param value A Priority field value (not NUL-terminated).
 *  @param len Length of value. */
H2W_EXTERN int h2w_session_submit_priority_update(h2w_session *s,
                                                  uint32_t stream_id,
                                                  const char *value,
                                                  size_t len);
/** Set a stream's scheduling priority (urgency 0-7, incremental 0/1),
 *  e.g. a server overriding the client's signal. @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT, H2W_E_INVALID_STATE (unknown stream) or the
 *  sticky error.
 *  @param s The session.
 *  @param stream_id The stream.
 *  @param urgency 0 (most urgent) to 7.
 *  @param incremental 1 for incremental, else 0. */
H2W_EXTERN int h2w_session_set_stream_priority(h2w_session *s,
                                               uint32_t stream_id, int urgency,
                                               int incremental);
/** A stream's priority in force; either pointer may be NULL. @return
 *  H2W_OK, H2W_E_INVALID_ARGUMENT or H2W_E_INVALID_STATE.
 *  @param s The session.
 *  @param stream_id The stream.
 *  @param[out] urgency Receives the urgency, or NULL.
 *  @param[out] incremental Receives the incremental flag, or NULL. */
H2W_EXTERN int h2w_session_stream_priority(const h2w_session *s,
                                           uint32_t stream_id, int *urgency,
                                           int *incremental);

/** @} */
/** @addtogroup h2w_submits
 *  @{ */
/* ---- ALTSVC, ORIGIN and extension frames ------------------------------ */

/** Server: queue an ALTSVC frame (RFC 7838 §4). On stream 0 `origin` must
 *  be non-empty (the origin the alternative applies to); on a stream it
 *  must be empty and the stream open. `value` is an Alt-Svc field value
 *  such as "h2=\":8443\"; ma=3600"; both are copied. @return H2W_OK,
 *  H2W_E_INVALID_ARGUMENT (NULL with a length, origin rule, frame longer
 *  than the peer's SETTINGS_MAX_FRAME_SIZE), H2W_E_INVALID_STATE (a client,
 *  or the stream is not open), H2W_E_NOMEM, H2W_E_LIMIT, or the sticky
 *  error.
 *  @param s A server session.
 *  @param stream_id The stream, or 0 for the connection.
 *  @param origin The origin (stream 0 only).
 *  @param originlen Length of origin; 0 on a stream.
 *  @param value The Alt-Svc field value.
 *  @param valuelen Length of value. */
H2W_EXTERN int h2w_session_submit_altsvc(h2w_session *s, uint32_t stream_id,
                                         const uint8_t *origin,
                                         size_t originlen, const uint8_t *value,
                                         size_t valuelen);
/** Server: queue an ORIGIN frame (RFC 8336 §2) listing the origins this
 *  connection is authoritative for. origins[i] holds lens[i] octets (at
 *  most 65535 each); n may be 0 (an empty set). Copied. @return as
 *  h2w_session_submit_altsvc().
 *  @param s A server session.
 *  @param origins The origins.
 *  @param lens The length of each origin.
 *  @param n Number of origins. */
H2W_EXTERN int h2w_session_submit_origin(h2w_session *s,
                                         const uint8_t *const *origins,
                                         const size_t *lens, size_t n);
/** Queue a frame of an extension type (RFC 9113 §5.5) with the given
 *  flags, stream and payload (copied). Types this library implements
 *  (0x0-0x9, ALTSVC 0xa, ORIGIN 0xc, PRIORITY_UPDATE 0x10) are refused
 *  with H2W_E_INVALID_ARGUMENT, as is a payload longer than the peer's
 *  SETTINGS_MAX_FRAME_SIZE. Such frames are not flow-controlled and never
 *  change stream state. @return H2W_OK, H2W_E_INVALID_ARGUMENT,
 *  H2W_E_NOMEM, H2W_E_LIMIT or the sticky error.
 *  @param s The session.
 *  @param type The frame type octet.
 *  @param flags The flags octet.
 *  @param stream_id The stream id of the frame, 0 for the connection.
 *  @param payload The payload.
 *  @param len Length of payload. */
H2W_EXTERN int h2w_session_submit_extension(h2w_session *s, uint8_t type,
                                            uint8_t flags, uint32_t stream_id,
                                            const uint8_t *payload, size_t len);

/** @} */
/** @addtogroup h2w_sessions
 *  @{ */
/* ---- streams and getters ------------------------------------------------ */

/** Attach user data to a live stream. @return H2W_OK,
 *  H2W_E_INVALID_STATE (unknown stream) or the sticky error.
 *  @param s The session.
 *  @param stream_id The stream.
 *  @param data The user data; never dereferenced. */
H2W_EXTERN int h2w_session_set_stream_user_data(h2w_session *s,
                                                uint32_t stream_id, void *data);
/** Visitor of h2w_session_foreach_stream(): one live stream, its
 *  H2W_STREAM_STATE_* and user data. Return 0 to go on; any other value
 *  stops the walk and is returned by h2w_session_foreach_stream(). It may
 *  call what any callback may (see @ref reentrancy), submits included. */
typedef int (*h2w_stream_visit_cb)(h2w_session *s, uint32_t stream_id,
                                   int state, void *stream_user, void *user);
/** Call cb for every live stream (queued, reserved, open, half-closed) in
 *  ascending id order, e.g. to find what to cancel; a request still
 *  queued for a stream slot is reported as H2W_STREAM_STATE_IDLE. The
 *  ids are taken when the walk starts: a stream that closes during the
 *  walk is skipped from then on, one opened during it is not visited.
 *  Allowed from inside callbacks. @return H2W_OK, H2W_E_INVALID_ARGUMENT
 *  (s or cb NULL), H2W_E_NOMEM / H2W_E_LIMIT (no room for the id
 *  snapshot; nothing visited), or the first non-zero value cb returned.
 *  @param s The session.
 *  @param cb The visitor.
 *  @param user Passed to cb. */
H2W_EXTERN int h2w_session_foreach_stream(h2w_session *s,
                                          h2w_stream_visit_cb cb, void *user);
/** The stream's user data, NULL if none or unknown.
 *  @param s The session.
 *  @param stream_id The stream.
 *  @return The user data, or NULL. */
H2W_EXTERN void *h2w_session_get_stream_user_data(const h2w_session *s,
                                                  uint32_t stream_id);
/** H2W_STREAM_STATE_*: IDLE for ids never used, CLOSED for finished ones;
 *  H2W_E_INVALID_ARGUMENT if s is NULL.
 *  @param s The session.
 *  @param stream_id The stream.
 *  @return An H2W_STREAM_STATE_* value, or H2W_E_INVALID_ARGUMENT. */
H2W_EXTERN int h2w_session_stream_state(const h2w_session *s,
                                        uint32_t stream_id);
/** Flow-control windows of stream_id (0: the connection): *recv_window is
 *  what the peer may still send us, *send_window what we may still send
 *  (may be negative, RFC 9113 §6.9.2). Each pointer may be NULL. @return
 *  H2W_OK or H2W_E_INVALID_STATE (unknown stream).
 *  @param s The session.
 *  @param stream_id The stream, or 0 for the connection.
 *  @param[out] recv_window Receives the receive window, or NULL.
 *  @param[out] send_window Receives the send window, or NULL. */
H2W_EXTERN int h2w_session_window(const h2w_session *s, uint32_t stream_id,
                                  int32_t *recv_window, int32_t *send_window);
/** What window autotuning (h2w_options_set_window_autotune()) knows of
 *  the path, and the windows it offers. */
typedef struct h2w_flow_estimate {
  /** Set by the caller to sizeof(h2w_flow_estimate) before the call. */
  size_t size;
  /** 1 when autotuning is on. */
  int enabled;
  /** The last PING round trip measured, in ms of the caller's clock (0:
   *  none yet). */
  uint32_t rtt_ms;
  /** The smallest recent round trip: the path's delay without queues. */
  uint32_t min_rtt_ms;
  /** Estimated delivery rate in octets per second (0: none yet). */
  uint64_t bytes_per_second;
  /** The connection receive window we aim to offer, in octets. */
  uint32_t connection_window;
  /** The stream receive window in force (our largest
   *  SETTINGS_INITIAL_WINDOW_SIZE in force or pending), in octets. */
  uint32_t stream_window;
  /** Round trips measured so far. */
  uint64_t samples;
} h2w_flow_estimate;

/** The window autotuning estimate; also valid when autotuning is off
 *  (enabled 0, no samples, the static windows). Reads the session only.
 *  @param s The session.
 *  @param[in,out] out Its size member set by the caller; filled in.
 *  @return H2W_OK or H2W_E_INVALID_ARGUMENT (s or out NULL, or out->size
 *      too small). */
H2W_EXTERN int h2w_session_flow_estimate(const h2w_session *s,
                                         h2w_flow_estimate *out);
/** Which settings h2w_session_setting() reads. */
#define H2W_SETTINGS_LOCAL 0  /**< ours, as acknowledged by the peer */
#define H2W_SETTINGS_REMOTE 1 /**< the peer's, as applied */
/** A setting in force. @return H2W_OK or H2W_E_INVALID_ARGUMENT (unknown
 *  id or side).
 *  @param s The session.
 *  @param side H2W_SETTINGS_LOCAL or H2W_SETTINGS_REMOTE.
 *  @param id An H2W_SETTINGS_* identifier.
 *  @param[out] value Receives the value. */
H2W_EXTERN int h2w_session_setting(const h2w_session *s, int side, uint16_t id,
                                   uint32_t *value);
/** The sticky error (H2W_OK if none) and its detail: *wire_code the
 *  RFC 9113 §7 code sent or received in GOAWAY, *reason a static
 *  human-readable string, *offset the input byte offset where the error
 *  was detected. Each output may be NULL.
 *  @param s The session.
 *  @param[out] wire_code Receives the wire error code, or NULL.
 *  @param[out] reason Receives the reason, or NULL.
 *  @param[out] offset Receives the input offset, or NULL.
 *  @return The sticky error, H2W_OK if none, or H2W_E_INVALID_ARGUMENT (s
 *      NULL). */
H2W_EXTERN int h2w_session_error(const h2w_session *s, uint32_t *wire_code,
                                 const char **reason, uint64_t *offset);
/** Number of streams currently open (any state but idle/closed).
 *  @param s The session.
 *  @return The stream count (0 if s is NULL). */
H2W_EXTERN uint32_t h2w_session_open_streams(const h2w_session *s);
/** 1 for a server session, 0 for a client.
 *  @param s The session.
 *  @return 1 or 0. */
H2W_EXTERN int h2w_session_is_server(const h2w_session *s);
/** Bytes the session currently holds through its allocator.
 *  @param s The session.
 *  @return The byte count (0 if s is NULL). */
H2W_EXTERN size_t h2w_session_memory(const h2w_session *s);
/** Give back the memory an idle session keeps only to make its next busy
 *  phase cheap: spare stream objects, the stream table's slots beyond
 *  what the open streams need, an empty output queue's buffer, the frame
 *  reader's reassembly buffer and the HPACK decoder's scratch. What the
 *  protocol obliges the session to keep (the contents of both HPACK
 *  dynamic tables, RFC 7541 §4) stays, so an idle session that served
 *  traffic comes back to about the size of a fresh one plus its tables.
 *  Nothing observable changes; the next requests allocate again what they
 *  need. Meant for servers parking many idle keep-alive connections, e.g.
 *  when a read would block and h2w_session_open_streams() is 0. Some of
 *  this memory is also released automatically, with hysteresis, once it
 *  has gone unused for a while. Call it outside callbacks (output handed
 *  out by h2w_session_peek() and not yet acknowledged is kept).
 *  @param s The session.
 *  @return H2W_OK, H2W_E_INVALID_ARGUMENT (s NULL) or H2W_E_INVALID_STATE
 *          (called from inside a callback). */
H2W_EXTERN int h2w_session_shrink(h2w_session *s);
/** @} */

/* ------------------------------------------------------------------------ */
/* Event-buffer mode, memory-range bodies and packed header lists           */
/* ------------------------------------------------------------------------ */

/** @page events Event-buffer mode (for bindings)
 * A binding to another language pays for every crossing of the language
 * boundary far more than for the HTTP/2 work itself. In event-buffer mode
 * (h2w_session_set_events()) the session does not call a callback per
 * event: it appends a compact record (h2w_event) to a buffer the caller
 * reads back in one go, with h2w_session_events() or, for a receive and
 * its events in a single call, h2w_session_recv_events().
 *
 * Records
 *   - Every event a callback would report gets one record, in the order
 *     the callbacks would have fired: H2W_EVENT_* below says which
 *     callback each kind stands for and how its arguments are stored.
 *     Variable-length arguments (header names and values, body data,
 *     SETTINGS entries, debug data...) are copied into a byte area that
 *     comes with the records; a record names them by offset and length.
 *   - Records accumulate over every call that may report events (recv,
 *     send, peek, ack, tick, submits, upgrade) until taken by
 *     h2w_session_events() or h2w_session_recv_events(). The records and
 *     bytes they return stay valid and unchanged until the next call of
 *     either of them, h2w_session_events_clear(), h2w_session_set_events()
 *     or h2w_session_del(); records added meanwhile go to a second buffer,
 *     so the session may be used freely while they are read.
 *   - Offsets and lengths are uint32_t: one batch holds at most 4 GiB of
 *     bytes (more fails the session with H2W_E_LIMIT). Records are 24
 *     octets, naturally aligned.
 *
 * Callbacks in this mode
 *   - None of the session's callbacks is called, with one exception:
 *     on_push_promise, the one callback whose return value is an answer.
 *     If set, it is called as usual (after the promised request's
 *     H2W_EVENT_BEGIN_HEADERS and H2W_EVENT_HEADER records, which it may
 *     read with h2w_session_events()), and its answer is stored in the
 *     H2W_EVENT_PUSH_PROMISE record that follows. Without it promises are
 *     accepted; h2w_session_submit_rst_stream(promised, H2W_CANCEL)
 *     declines one later.
 *   - Frame tracing (on_frame_recv / on_frame_send) is recorded only when
 *     the mode includes H2W_EVENTS_FRAMES, since it costs a copy of every
 *     frame.
 *   - The reentrancy contract is unchanged: every stream's end is an
 *     H2W_EVENT_STREAM_CLOSE record, also at the end of the connection
 *     (H2W_CLOSE_FLAG_CONNECTION). Those fired by h2w_session_del() are
 *     discarded with the buffer.
 *
 * Backpressure
 *   - With a pause threshold (h2w_session_set_events()), a receive stops
 *     after the frame during which the buffered records and bytes passed
 *     it, exactly as if a callback had returned H2W_E_PAUSE: it returns
 *     the count of input octets consumed; take the events and pass the
 *     rest of the input again. 0 never pauses.
 *   - With automatic flow control, body octets count as consumed when
 *     their record is appended; with manual flow control, call
 *     h2w_session_consume() as usual.
 *
 * Errors
 *   - If the buffer cannot grow, the session fails with the sticky error
 *     H2W_E_NOMEM (a GOAWAY INTERNAL_ERROR is queued), or H2W_E_LIMIT past
 *     4 GiB of bytes in one batch. A record that cannot be stored after
 *     the session has failed (a stream's close, an error detail) is lost.
 *
 * Memory-range bodies and packed header lists
 *   - h2w_session_submit_request_packed() and
 *     h2w_session_submit_response_packed() take the header list as one
 *     blob (format at H2W_PACKED_HEADERS) and the body as a memory range
 *     the library reads itself, without a callback per frame;
 *     h2w_session_set_data_range() gives such a stream more body. They
 *     may be used with or without event-buffer mode.
 */

/** @addtogroup h2w_events
 *  @{ */
/** Event-buffer mode on (h2w_session_set_events() mode bit). */
#define H2W_EVENTS_ON 0x1u
/** Also record every frame received and sent (H2W_EVENT_FRAME_RECV,
 *  H2W_EVENT_FRAME_SEND), with a copy of its payload. */
#define H2W_EVENTS_FRAMES 0x2u
/** Body data of a received DATA frame that lies whole in the input of the
 *  receive call that reports it is not copied: its H2W_EVENT_DATA record
 *  gets H2W_EVENT_FLAG_INPUT and an offset into that input (the `in` of
 *  h2w_session_recv() or h2w_session_recv_events()), which the caller
 *  must then keep as long as it reads the record. Data split across
 *  receive calls is still copied into the byte area. */
#define H2W_EVENTS_DATA_IN_INPUT 0x4u

/** @name Event kinds (h2w_event.kind) and what their fields hold
 *  Unless said otherwise a field is 0. "bytes" is the byte area returned
 *  with the records. */
/** @{ */
/** on_begin_headers: a = H2W_HEADERS_* kind. Once the record that ends
 *  the block is appended (H2W_EVENT_HEADERS, or H2W_EVENT_PUSH_PROMISE for
 *  a promised request), b = that record's index minus this one's (the
 *  block's H2W_EVENT_HEADER records lie in between), if both are in the
 *  same batch; else (a block cut by a take, or one that failed) b stays
 *  0. */
#define H2W_EVENT_BEGIN_HEADERS 1u
/** on_header: the name at bytes[off, off + a), the value at
 *  bytes[b, b + len); flags = h2w_nv.flags. Each name and each value is
 *  followed by one NUL octet in the byte area (so a field without NUL
 *  octets, as every validated one is, can be read as C strings); the
 *  fields of one block are laid out one after the other, name NUL value
 *  NUL. */
#define H2W_EVENT_HEADER 2u
/** on_headers: a = H2W_HEADERS_* kind (final), flags =
 *  H2W_EVENT_FLAG_END_STREAM if the block ended the stream, b = the
 *  number of H2W_EVENT_HEADER records of the block; bytes[off, off + len)
 *  spans their names and values (as laid out above) when all of them are
 *  in this batch and no other record's bytes lie among them (only frame
 *  records of H2W_EVENTS_FRAMES can), else off and len are 0. */
#define H2W_EVENT_HEADERS 3u
/** on_data: the body octets at bytes[off, off + len), or at
 *  in[off, off + len) of the receive call's input when flags has
 *  H2W_EVENT_FLAG_INPUT (see H2W_EVENTS_DATA_IN_INPUT). */
#define H2W_EVENT_DATA 4u
/** on_stream_end: no arguments but stream_id. */
#define H2W_EVENT_STREAM_END 5u
/** on_stream_reset: a = the RFC 9113 §7 code. */
#define H2W_EVENT_STREAM_RESET 6u
/** on_stream_close: a = the code, b = H2W_CLOSE_FLAG_* bits. */
#define H2W_EVENT_STREAM_CLOSE 7u
/** on_settings: a = the number of entries, bytes[off, off + len) holds
 *  them as h2w_settings_entry structs (off is a multiple of 4). */
#define H2W_EVENT_SETTINGS 8u
/** on_settings_ack: no arguments. */
#define H2W_EVENT_SETTINGS_ACK 9u
/** on_ping_ack: bytes[off, off + 8) the opaque data, rtt_ms = a | b << 32. */
#define H2W_EVENT_PING_ACK 10u
/** on_goaway: a = last_stream_id, b = the code, bytes[off, off + len)
 *  the debug data. */
#define H2W_EVENT_GOAWAY 11u
/** on_error: stream_id, a = the code, bytes[off, off + len) the reason
 *  text (not NUL-terminated; empty when there is none). */
#define H2W_EVENT_ERROR 12u
/** on_altsvc: stream_id, the origin at bytes[off, off + a), the value at
 *  bytes[b, b + len). */
#define H2W_EVENT_ALTSVC 13u
/** on_origin: a = the entry's index, bytes[off, off + len) the origin. */
#define H2W_EVENT_ORIGIN 14u
/** on_extension_frame: stream_id, a = frame type, flags = frame flags,
 *  bytes[off, off + len) the payload. */
#define H2W_EVENT_EXTENSION 15u
/** on_push_promise: stream_id = the request stream, a = the promised
 *  stream, b = the answer of on_push_promise (0 accepted,
 *  H2W_PUSH_REFUSE declined). */
#define H2W_EVENT_PUSH_PROMISE 16u
/** on_frame_recv (H2W_EVENTS_FRAMES only): stream_id, a = frame type,
 *  flags = frame flags, b = payload length, bytes[off, off + len) the
 *  payload. */
#define H2W_EVENT_FRAME_RECV 17u
/** on_frame_send (H2W_EVENTS_FRAMES only): as H2W_EVENT_FRAME_RECV;
 *  flags has H2W_EVENT_FLAG_NO_PAYLOAD (bit 8) when the payload was not
 *  available (a NO_COPY DATA frame), len is then 0. */
#define H2W_EVENT_FRAME_SEND 18u
/** @} */

/** H2W_EVENT_HEADERS flag: the block ended the peer's side. */
#define H2W_EVENT_FLAG_END_STREAM 0x1u
/** H2W_EVENT_DATA flag: off is an offset into the receive call's input. */
#define H2W_EVENT_FLAG_INPUT 0x2u
/** H2W_EVENT_FRAME_SEND flag: the payload was not available. */
#define H2W_EVENT_FLAG_NO_PAYLOAD 0x100u

/** One event record; 24 octets, six uint32_t-aligned fields, so a
 *  foreign-function interface may read an array of them as uint32_t
 *  words: word 0 holds kind in its low 16 bits and flags in its high 16
 *  bits on a little-endian host. */
typedef struct h2w_event {
  uint16_t kind;      /**< H2W_EVENT_*. */
  uint16_t flags;     /**< Per kind, see H2W_EVENT_*. */
  uint32_t stream_id; /**< The stream the event is about, or 0. */
  uint32_t a;         /**< Per kind. */
  uint32_t b;         /**< Per kind. */
  uint32_t off;       /**< Offset into the byte area (or the input). */
  uint32_t len;       /**< Length at off. */
} h2w_event;

/** A batch of records and its byte area, as h2w_session_recv_events()
 *  returns them. */
typedef struct h2w_event_batch {
  const h2w_event *events; /**< The records, oldest first. */
  size_t nevents;          /**< How many. */
  const uint8_t *bytes;    /**< The byte area the records point into. */
  size_t nbytes;           /**< Its length. */
} h2w_event_batch;

/** Turn event-buffer mode on or off (see @ref events). `mode` 0 turns it
 *  off: the callbacks of the session's callback set are called again and
 *  records not yet taken are dropped. Otherwise it has H2W_EVENTS_ON and
 *  any of H2W_EVENTS_FRAMES, H2W_EVENTS_DATA_IN_INPUT.
 *  @param s The session.
 *  @param mode 0, or H2W_EVENTS_ON with other H2W_EVENTS_* bits.
 *  @param pause_bytes A receive pauses once the records and bytes
 *      buffered pass this many octets; 0 never pauses.
 *  @return H2W_OK, H2W_E_INVALID_ARGUMENT (s NULL, unknown mode bits),
 *      H2W_E_INVALID_STATE (from inside a callback) or H2W_E_NOMEM. */
H2W_EXTERN int h2w_session_set_events(h2w_session *s, uint32_t mode,
                                      size_t pause_bytes);

/** Take the records appended since the last take: *events and *bytes
 *  point at them (NULL when there are none) until the next
 *  h2w_session_events(), h2w_session_recv_events(),
 *  h2w_session_events_clear(), h2w_session_set_events() or
 *  h2w_session_del(). Allowed from callbacks. Any output pointer may be
 *  NULL.
 *  @param s The session.
 *  @param[out] events Receives the records, or NULL.
 *  @param[out] nevents Receives their count, or NULL.
 *  @param[out] bytes Receives the byte area, or NULL.
 *  @param[out] nbytes Receives its length, or NULL.
 *  @return H2W_OK, H2W_E_INVALID_ARGUMENT (s NULL) or H2W_E_INVALID_STATE
 *      (event-buffer mode is off). */
H2W_EXTERN int h2w_session_events(h2w_session *s, const h2w_event **events,
                                  size_t *nevents, const uint8_t **bytes,
                                  size_t *nbytes);

/** Drop every record, taken or not.
 *  @param s The session.
 *  @return H2W_OK, H2W_E_INVALID_ARGUMENT or H2W_E_INVALID_STATE
 *      (event-buffer mode is off). */
H2W_EXTERN int h2w_session_events_clear(h2w_session *s);

/** h2w_session_recv() then h2w_session_events() in one call: the records
 *  of this receive, preceded by those appended since the last take (e.g.
 *  stream closes during h2w_session_send()), are put in *batch, also when
 *  the receive fails (the records up to the error).
 *  @param s A session in event-buffer mode.
 *  @param in Bytes read from the transport.
 *  @param len Length of in.
 *  @param[out] batch Receives the records (all zero if none).
 *  @return As h2w_session_recv(); also H2W_E_INVALID_ARGUMENT when batch
 *      is NULL and H2W_E_INVALID_STATE when event-buffer mode is off. */
H2W_EXTERN h2w_ssize h2w_session_recv_events(h2w_session *s, const uint8_t *in,
                                             size_t len,
                                             h2w_event_batch *batch);

/** @name Packed header lists
 * The format of the `headers` blob of the packed submits, every integer a
 * uint32_t in little-endian order: the field count n (at least 1), then n
 * pairs (name length | flags << 24, value length), with flags the
 * H2W_NV_FLAG_* bits and name lengths below 2^24; then the octets of
 * every field in order, name then value, with nothing in between. The
 * blob's length must be exactly 4 + 8n + the sum of the lengths. */
/** @{ */
/** Shift of the h2w_nv flags in a packed name length. */
#define H2W_PACKED_FLAGS_SHIFT 24u
/** Mask of the length in a packed name length. */
#define H2W_PACKED_LEN_MASK 0xffffffu
/** @} */

/** @} */
/** @addtogroup h2w_data_sources
 *  @{ */
/** Packed-submit flag: a body follows the headers, starting with the
 *  memory range given (possibly empty). Without it the header block ends
 *  the stream and the range must be empty. */
#define H2W_RANGE_BODY 0x1u
/** Range flag: more body follows; when the range is used up the stream
 *  waits for h2w_session_set_data_range() instead of ending. */
#define H2W_RANGE_MORE 0x2u
/** Range flag: the body ends without END_STREAM: trailers follow
 *  (h2w_session_submit_trailers()). */
#define H2W_RANGE_NO_END_STREAM 0x4u

/** @} */
/** @addtogroup h2w_events
 *  @{ */
/** Client: h2w_session_submit_request() with the header list as a packed
 *  blob (copied) and the body read by the library from
 *  body[0..bodylen), which the caller keeps valid and unchanged until the
 *  stream closes or the range is replaced (h2w_session_set_data_range()).
 *  @param s A client session.
 *  @param headers The packed header list (format above).
 *  @param headerslen Its length.
 *  @param body The body's first octets, or NULL when bodylen is 0.
 *  @param bodylen Their count.
 *  @param flags H2W_RANGE_* bits; without H2W_RANGE_BODY there is no body.
 *  @param stream_user The stream's user data.
 *  @return As h2w_session_submit_request(); H2W_E_INVALID_ARGUMENT also
 *      for a malformed blob or unknown flags. */
H2W_EXTERN int32_t h2w_session_submit_request_packed(
    h2w_session *s, const uint8_t *headers, size_t headerslen,
    const uint8_t *body, size_t bodylen, uint32_t flags, void *stream_user);

/** Server: h2w_session_submit_response() with a packed header list and a
 *  memory-range body, as h2w_session_submit_request_packed().
 *  @param s A server session.
 *  @param stream_id The request stream.
 *  @param headers The packed header list.
 *  @param headerslen Its length.
 *  @param body The body's first octets, or NULL when bodylen is 0.
 *  @param bodylen Their count.
 *  @param flags H2W_RANGE_* bits.
 *  @return As h2w_session_submit_response(); H2W_E_INVALID_ARGUMENT also
 *      for a malformed blob or unknown flags. */
H2W_EXTERN int h2w_session_submit_response_packed(
    h2w_session *s, uint32_t stream_id, const uint8_t *headers,
    size_t headerslen, const uint8_t *body, size_t bodylen, uint32_t flags);

/** @} */
/** @addtogroup h2w_data_sources
 *  @{ */
/** Replace the memory range a packed-submit body reads from: the octets of
 *  the old range not yet sent are dropped (see
 *  h2w_session_data_range_left(); pass them again at the front of the new
 *  range to keep them), and a stream waiting for more body is resumed.
 *  The caller keeps data[0..len) valid until the stream closes or the
 *  range is replaced again.
 *  @param s The session.
 *  @param stream_id A stream whose body is a memory range.
 *  @param data The new range, or NULL when len is 0.
 *  @param len Its length.
 *  @param flags H2W_RANGE_MORE and H2W_RANGE_NO_END_STREAM bits.
 *  @return H2W_OK, H2W_E_INVALID_ARGUMENT, H2W_E_INVALID_STATE (no such
 *      stream, or its body is not a range still being sent) or the
 *      sticky error. */
H2W_EXTERN int h2w_session_set_data_range(h2w_session *s, uint32_t stream_id,
                                          const uint8_t *data, size_t len,
                                          uint32_t flags);

/** Octets of a stream's memory range not sent yet.
 *  @param s The session.
 *  @param stream_id A stream whose body is a memory range.
 *  @return The count, or H2W_E_INVALID_ARGUMENT / H2W_E_INVALID_STATE (no
 *      such stream, or its body is not a range still being sent). */
H2W_EXTERN h2w_ssize h2w_session_data_range_left(const h2w_session *s,
                                                 uint32_t stream_id);
/** @} */

/* ------------------------------------------------------------------------ */
/* Debugging aids: frame traces and session dumps                           */
/* ------------------------------------------------------------------------ */

/** @addtogroup h2w_frames
 *  @{ */
/*
 * Both trace functions write like snprintf(): into buf[0..cap), always
 * NUL-terminated when cap > 0, never past cap, and return the length the
 * whole line would have (NUL excluded), so a result >= cap means the line
 * was cut. buf may be NULL when cap is 0, to measure. They read no
 * session state, allocate nothing and may be called from any callback.
 */

/**
 * Render one frame as a single human-readable line, without a newline
 * (the GOAWAY line is shown on two here):
 *
 * @code
 * recv SETTINGS stream=0 len=6 flags=0x00 MAX_CONCURRENT_STREAMS=100
 * send HEADERS stream=1 len=29 flags=0x05<END_STREAM|END_HEADERS> block=29
 * recv GOAWAY stream=0 len=12 flags=0x00 last_stream_id=3 code=CANCEL
 *   debug="bye\x0a"
 * @endcode
 *
 * The line holds "send" or "recv", the type name (UNKNOWN(0xNN) for a
 * type this library does not implement), the stream, the payload length
 * and the flags octet in hex, followed for a known type by the names of
 * its set flags and, in hex, any bits its type does not define. Then the
 * decoded payload: DATA pad= and data= octets; HEADERS pad=,
 * depends_on= [exclusive] weight= and the length of the field block
 * fragment, block= (the block itself is HPACK-compressed: see
 * h2w_nv_trace()); PRIORITY; RST_STREAM code=; SETTINGS NAME=value per
 * entry (the RFC name without its "SETTINGS_" prefix, UNKNOWN(0xNNNN)
 * for others; at most 16 shown); PUSH_PROMISE promised_stream= and
 * block=; PING opaque= in hex; GOAWAY last_stream_id=, code= and
 * debug="..."; WINDOW_UPDATE increment=; CONTINUATION block=; ALTSVC
 * origin="..." value="..."; ORIGIN one origin="..." per entry (at most 16
 * shown); PRIORITY_UPDATE prioritized_stream= and value="..."; an unknown
 * type its first 16 payload octets in hex, payload=. Error codes show as
 * their RFC 9113 §7 names, UNKNOWN(0xNN) for others. Peer-chosen strings
 * are cut at 128 octets (then followed by ...) and escaped: printable
 * ASCII stays, a backslash or double quote gets a backslash in front,
 * any other octet becomes a backslash, "x" and two hex digits. A payload
 * whose layout does not fit its length (a wrong size, padding longer
 * than the frame...) ends the line with malformed(why). Nothing past
 * fi->length octets of payload is ever read.
 *
 * Usable as is from an h2w_on_frame_cb:
 *
 * @code
 * char line[256];
 * h2w_frame_trace(line, sizeof line, 1, fi, payload);
 * fprintf(stderr, "%s\n", line);
 * @endcode
 *
 * @param buf      output buffer (may be NULL if cap is 0).
 * @param cap      size of buf in octets, the NUL included.
 * @param sent     non-zero for a frame we sent ("send"), 0 for a received
 *                 one ("recv").
 * @param fi       the frame header. NULL renders an empty line.
 * @param payload  fi->length octets of payload, as the frame callbacks
 *                 give it. May be NULL (a DATA frame sent by a NO_COPY
 *                 source): only the length is shown then, as data=N for
 *                 an unpadded DATA frame, payload=unavailable otherwise.
 * @return the length of the full line, NUL excluded (0 if fi is NULL).
 */
H2W_EXTERN size_t h2w_frame_trace(char *buf, size_t cap, int sent,
                                  const h2w_frame_info *fi,
                                  const uint8_t *payload);

/**
 * Render one decoded header field as a line, "name: value", without a
 * newline, for the on_header callback: a HEADERS frame's block can only
 * be read with the session's HPACK state, which on_header reports field
 * by field. Octets are escaped as in h2w_frame_trace() except double
 * quotes, which stay; nothing is cut. A field the peer sent as
 * never-indexed (RFC 7541 §6.2.3, H2W_NV_FLAG_NEVER_INDEX) ends with
 * " (never-indexed)".
 *
 * @param buf  output buffer (may be NULL if cap is 0).
 * @param cap  size of buf in octets, the NUL included.
 * @param nv   the field; a NULL name or value pointer is taken as empty.
 *             NULL renders an empty line.
 * @return the length of the full line, NUL excluded (0 if nv is NULL).
 */
H2W_EXTERN size_t h2w_nv_trace(char *buf, size_t cap, const h2w_nv *nv);

/**
 * Write the session's state as one JSON object (RFC 8259, ASCII only),
 * NUL-terminated, for logs and bug reports. It reads the session and
 * changes nothing (no allocation, no callback), so it may be called at
 * any time, from callbacks too, and after a fatal error. The output is
 * deterministic: the same state gives the same text, with streams in
 * ascending id order. Its cost grows with the square of the number of
 * live streams: a debugging aid, not for hot paths.
 *
 * Schema, version 1. Numbers are JSON integers; a key marked "?" may hold
 * null; SETTINGS, STREAM and BUCKET are described below.
 *
 * @code
 * { "schema": 1, "version": "0.1.0",
 *   "role": "client" | "server",
 *   "state": "open" | "going_away" | "closed" | "failed",
 *   "error"?: { "code": "H2W_E_PROTOCOL", "description": "protocol error",
 *               "wire_code": "PROTOCOL_ERROR", "reason"?: "...",
 *               "offset": 123 },
 *   "goaway": { "sent": bool, "sent_last_stream_id"?: n,
 *               "received": bool, "received_last_stream_id"?: n,
 *               "shutdown": "none" | "draining" | "done" },
 *   "clock": { "now_ms": n, "started": bool, "no_clock_notice": bool,
 *              "next_deadline_ms"?: n },
 *   "input": { "octets": n, "frames": n, "preface_received": bool,
 *              "settings_received": bool, "eof": bool,
 *              "header_block"?: { "stream_id": n, "frame_stream_id": n,
 *                                 "continuations": n } },
 *   "settings": { "local": SETTINGS, "remote": SETTINGS,
 *                 "local_unacked": [ SETTINGS + "sent_ms": n, ... ] },
 *   "flow": { "manual": bool, "stream_initial_recv_window": n,
 *             "connection": { "recv_window": n, "recv_target": n,
 *                             "recv_consumed_uncredited": n,
 *                             "recv_unconsumed": n, "send_window": n },
 *             "autotune"?: { "max_connection_window": n,
 *                            "max_stream_window": n, "rtt_ms": n,
 *                            "min_rtt_ms": n, "bytes_per_second": n,
 *                            "connection_window": n, "stream_window": n,
 *                            "samples": n, "pings": n,
 *                            "ping_outstanding": bool } },
 *   "streams": [ STREAM, ... ],
 *   "output": { "queued_octets": n, "queued_frames": n,
 *               "reactive_frames": n, "goaway_pending_octets": n,
 *               "want_write": bool, "data_streams_ready": n,
 *               "window_updates_due": n,
 *               "connection_window_update_due": n },
 *   "hpack": { "encoder": { "size": n, "max": n, "entries": n,
 *                           "peer_max": n, "cap": n, "huffman": bool },
 *              "decoder": { "size": n, "max": n, "entries": n,
 *                           "settings_max": n } },
 *   "memory": { "in_use": n, "peak": n, "budget"?: n, "spare_streams": n },
 *   "limits": { "local_streams": { "open": n, "max"?: n, "waiting": n },
 *               "peer_streams": { "open": n, "max": n },
 *               "stream_ids": { "next_local": n, "last_peer": n,
 *                               "max": 2147483647 },
 *               "glitches"?: BUCKET, "resets"?: BUCKET,
 *               "control_queue": { "queued": n, "max": n },
 *               "pings": { "outstanding": n, "max": n },
 *               "settings_unacked": { "pending": n, "max": n },
 *               "header_list": { "max_size": n, "max_fields": n,
 *                                "max_continuations": n,
 *                                "peer_max_size": n },
 *               "max_extension_payload": n },
 *   "timers": { "settings_timeout_ms": n, "settings_ack_deadline_ms"?: n,
 *               "keepalive"?: { "interval_ms": n, "timeout_ms": n,
 *                               "last_recv_ms": n,
 *                               "ping_outstanding": bool,
 *                               "deadline_ms": n },
 *               "idle"?: { "timeout_ms": n, "last_active_ms": n,
 *                          "deadline_ms"?: n },
 *               "shutdown_deadline_ms"?: n } }
 *
 * SETTINGS: { "header_table_size", "enable_push", "max_concurrent_streams",
 *             "initial_window_size", "max_frame_size",
 *             "max_header_list_size", "enable_connect_protocol",
 *             "no_rfc7540_priorities" }
 * STREAM:   { "id", "state", "initiator": "local" | "remote",
 *             "recv_window", "send_window", "unconsumed", "queued_octets",
 *             "urgency", "incremental": bool,
 *             "data": "none" | "active" | "deferred", "scheduled": bool,
 *             "headers_sent": bool, "headers_received": bool,
 *             "waiting_for_slot": bool, "headers_pending": bool,
 *             "trailers_pending": bool, "window_update_due": bool,
 *             "body_received", "content_length"?, "closing": bool,
 *             "close_code"? }
 * BUCKET:   { "tokens", "burst", "per_second" }
 * @endcode
 *
 * SETTINGS values are integers, 4294967295 meaning no limit. "local" is
 * ours as acknowledged by the peer, "local_unacked" each SETTINGS frame we
 * sent that awaits its ACK (oldest first, each the whole set it puts in
 * force), "remote" the peer's as applied. A stream's "state" is the
 * RFC 9113 §5.1 name ("idle", "open", "half-closed (local)"...);
 * "send_window" may be negative (§6.9.2); "unconsumed" counts body octets
 * delivered but not yet consumed (manual flow control); "queued_octets"
 * its frames waiting in the output queue; "urgency" and "incremental" its
 * RFC 9218 priority; "data" its data source; "scheduled" whether the DATA
 * scheduler holds it; "headers_sent" / "headers_received" whether the
 * request or final response went out / came in; "waiting_for_slot" a
 * request held back by the peer's MAX_CONCURRENT_STREAMS, whose
 * "headers_pending" wait with it; "content_length" the peer's announced
 * body length; "closing" a closed stream whose on_stream_close is still
 * due, with "close_code" the RFC 9113 §7 name of why it closed (as for
 * "wire_code", a code the RFC does not define is given as a number).
 * "started" says h2w_session_tick() has been called; "no_clock_notice"
 * that on_error has said, once, that the abuse budgets are off because
 * it had not been (H2W_REASON_NO_CLOCK). "preface_received" says a server
 * has read the client's connection magic (always true for a client);
 * "eof" that h2w_session_eof() was called (the peer closed the
 * transport). "autotune" is null unless window
 * autotuning is on (h2w_options_set_window_autotune()); its "rtt_ms",
 * "bytes_per_second", "connection_window" and "stream_window" are those
 * of h2w_session_flow_estimate(), "pings" the BDP PINGs sent. A BUCKET is a
 * token bucket at the session's time (null: that limit is off). Deadlines are
 * on the caller's clock (h2w_session_tick()); null means none is armed.
 *
 * @param s    the session.
 * @param buf  output buffer; may be NULL if cap is 0.
 * @param cap  size of buf in octets, the NUL included.
 * @param len  receives the length of the JSON text, NUL excluded: what was
 *             written on H2W_OK, what is needed on H2W_E_BUFFER_TOO_SMALL
 *             (then allocate *len + 1 octets and call again).
 * @return H2W_OK; H2W_E_BUFFER_TOO_SMALL when cap < *len + 1 (buf then
 *         holds an empty string if cap > 0); H2W_E_INVALID_ARGUMENT when s
 *         or len is NULL, or buf is NULL with cap > 0.
 */
H2W_EXTERN int h2w_session_dump_json(const h2w_session *s, char *buf,
                                     size_t cap, size_t *len);
/** @} */

/* ------------------------------------------------------------------------ */
/* ALPN (RFC 7301): choosing h2 over TLS (RFC 9113 §3.2)                     */
/* ------------------------------------------------------------------------ */

/** @page alpn TLS and ALPN
 * TLS stays the caller's: these ids and h2w_alpn_select() plug into any TLS
 * library's ALPN hooks. "h2c" is never offered over TLS (RFC 9113 §3.1). */

/** @addtogroup h2w_alpn
 *  @{ */
/** The ALPN protocol id of HTTP/2 over TLS, and its length. */
#define H2W_ALPN_H2 "h2"
/** Length of H2W_ALPN_H2. */
#define H2W_ALPN_H2_LEN 2u
/** The same id in the wire form of an ALPN list (a length octet, then the
 *  name): what a client hands to its TLS library to offer h2 only. */
#define H2W_ALPN_H2_WIRE "\x02h2"
/** Length of H2W_ALPN_H2_WIRE. */
#define H2W_ALPN_H2_WIRE_LEN 3u
/** HTTP/1.1's ALPN id, for callers that also serve HTTP/1.1. */
#define H2W_ALPN_HTTP_1_1 "http/1.1"
/** Length of H2W_ALPN_HTTP_1_1. */
#define H2W_ALPN_HTTP_1_1_LEN 8u
/** HTTP/1.1's id in the wire form of an ALPN list. */
#define H2W_ALPN_HTTP_1_1_WIRE "\x08http/1.1"
/** Length of H2W_ALPN_HTTP_1_1_WIRE. */
#define H2W_ALPN_HTTP_1_1_WIRE_LEN 9u

/** Server side of ALPN: pick "h2" from the list a client offered,
 *  in[0..inlen) in wire form (RFC 7301 §3.1: each name is a length octet
 *  and that many octets; no empty name; the list itself is not empty and
 *  at most 65535 octets). The whole list is validated first. On success
 *  *out points at the "h2" octets inside `in` and *outlen is 2, which is
 *  what OpenSSL's SSL_CTX_set_alpn_select_cb() callback returns.
 *  @return H2W_OK; H2W_E_PROTOCOL when the list is malformed;
 *  H2W_E_INVALID_STATE when the list is well formed but has no "h2" (the
 *  caller either continues with another protocol or, serving h2 only,
 *  refuses with the no_application_protocol alert, RFC 7301 §3.2);
 *  H2W_E_INVALID_ARGUMENT when out or outlen is NULL, or in is NULL with
 *  inlen > 0. *out and *outlen are only written on success.
 *  @param in The offered list, in wire form.
 *  @param inlen Length of in.
 *  @param[out] out Receives a pointer to "h2" inside in.
 *  @param[out] outlen Receives 2. */
H2W_EXTERN int h2w_alpn_select(const uint8_t *in, size_t inlen,
                               const uint8_t **out, uint8_t *outlen);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* H2WIRE_H */

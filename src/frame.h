/* RFC 9113 §4 and §6 frame codec, plus the extension frames ALTSVC
 * (RFC 7838 §4), ORIGIN (RFC 8336 §2) and PRIORITY_UPDATE (RFC 9218 §7.1).
 *
 * This module is a pure codec: it knows the wire layout of every frame and
 * every validity rule that can be checked from one frame alone. Rules that
 * need connection or stream state (stream states, a WINDOW_UPDATE increment
 * of 0, self-dependency, SETTINGS value ranges, promised-id choice) belong to
 * the session.
 *
 * Shape
 *   - h2w_frame_hd: the 9-octet header. Reserved bits of stream ids are
 *     dropped on unpack and cleared on pack (RFC 9113 §4.1). Flags are kept
 *     as received, undefined ones included, for tracing; the decoder simply
 *     does not look at them (RFC 9113 §4.1).
 *   - h2w_frame_decode(): header + complete payload -> h2w_frame, a tagged
 *     union (tag = hd.type) of per-type views. Views are pointer+length
 *     into the payload passed in: nothing is copied or allocated, and they
 *     live exactly as long as that payload.
 *   - h2w_frame_reader: splits a byte stream arriving in pieces of any size
 *     into (header, payload) pairs, copying only payloads that straddle
 *     calls.
 *   - h2w_frame_pack_*(): one encoder per type into a caller buffer;
 *     h2w_frame_encode() re-encodes a decoded h2w_frame.
 *
 * Verdicts. A failed check fills an h2w_frame_err: the RFC 9113 §7 wire
 * code, whether it is a connection error (GOAWAY), a stream error
 * (RST_STREAM on hd.stream_id) or a frame the RFC says to ignore, and a
 * static reason string for logs.
 */
#ifndef H2W_FRAME_H
#define H2W_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"
#include "mem.h"

/* Frame types (RFC 9113 §6, RFC 7838 §4, RFC 8336 §2, RFC 9218 §7.1). */
#define H2W_FRAME_DATA 0x0u
#define H2W_FRAME_HEADERS 0x1u
#define H2W_FRAME_PRIORITY 0x2u
#define H2W_FRAME_RST_STREAM 0x3u
#define H2W_FRAME_SETTINGS 0x4u
#define H2W_FRAME_PUSH_PROMISE 0x5u
#define H2W_FRAME_PING 0x6u
#define H2W_FRAME_GOAWAY 0x7u
#define H2W_FRAME_WINDOW_UPDATE 0x8u
#define H2W_FRAME_CONTINUATION 0x9u
#define H2W_FRAME_ALTSVC 0xau
#define H2W_FRAME_ORIGIN 0xcu
#define H2W_FRAME_PRIORITY_UPDATE 0x10u

/* Flags (RFC 9113 §6). The same bit means different things per type. */
#define H2W_FLAG_NONE 0x0u
#define H2W_FLAG_END_STREAM 0x1u  /* DATA, HEADERS */
#define H2W_FLAG_ACK 0x1u         /* SETTINGS, PING */
#define H2W_FLAG_END_HEADERS 0x4u /* HEADERS, PUSH_PROMISE, CONTINUATION */
#define H2W_FLAG_PADDED 0x8u      /* DATA, HEADERS, PUSH_PROMISE */
#define H2W_FLAG_PRIORITY 0x20u   /* HEADERS */

#define H2W_FRAME_HD_LEN 9u
/* RFC 9113 §4.2: the initial SETTINGS_MAX_FRAME_SIZE and its legal range. */
#define H2W_FRAME_DEFAULT_MAX_SIZE 16384u
#define H2W_FRAME_MAX_MAX_SIZE 16777215u
/* The 31 bits of a stream id; the top bit is reserved (RFC 9113 §4.1). */
#define H2W_STREAM_ID_MASK 0x7fffffffu
#define H2W_SETTINGS_ENTRY_LEN 6u
#define H2W_PING_LEN 8u

typedef struct h2w_frame_hd {
  uint32_t length; /* payload length, 24 bits */
  uint8_t type;
  uint8_t flags;      /* as received; undefined bits preserved */
  uint32_t stream_id; /* 31 bits; the reserved bit is never set here */
} h2w_frame_hd;

/* RFC 9113 §5.3.2 / §6.3 priority fields (deprecated by RFC 9113 but still
 * on the wire). `weight` is the raw octet: the weight is weight + 1. */
typedef struct h2w_frame_priority {
  uint32_t stream_dep; /* 31 bits */
  uint8_t exclusive;   /* 0 or 1: the E bit */
  uint8_t weight;
} h2w_frame_priority;

/* Per-type payload views. Every pointer points into the decoded payload; a
 * zero length may come with any pointer value, including NULL. `padlen` is
 * the Pad Length octet (0 when the PADDED flag is absent). */
typedef struct h2w_frame_data {
  const uint8_t *data;
  size_t datalen;
  uint8_t padlen;
} h2w_frame_data;

typedef struct h2w_frame_headers {
  h2w_frame_priority pri; /* zeroed unless H2W_FLAG_PRIORITY */
  uint8_t padlen;
  const uint8_t *block; /* field block fragment */
  size_t blocklen;
} h2w_frame_headers;

typedef struct h2w_frame_rst_stream {
  uint32_t error_code;
} h2w_frame_rst_stream;

/* SETTINGS entries stay raw: walk them with h2w_frame_iter_settings(). */
typedef struct h2w_frame_settings {
  const uint8_t *entries;
  size_t nentries;
} h2w_frame_settings;

typedef struct h2w_frame_push_promise {
  uint32_t promised_stream_id; /* 31 bits */
  uint8_t padlen;
  const uint8_t *block;
  size_t blocklen;
} h2w_frame_push_promise;

typedef struct h2w_frame_ping {
  const uint8_t *opaque; /* exactly H2W_PING_LEN octets */
} h2w_frame_ping;

typedef struct h2w_frame_goaway {
  uint32_t last_stream_id; /* 31 bits */
  uint32_t error_code;
  const uint8_t *debug;
  size_t debuglen;
} h2w_frame_goaway;

typedef struct h2w_frame_window_update {
  uint32_t increment; /* 31 bits; 0 is the session's to reject (§6.9) */
} h2w_frame_window_update;

typedef struct h2w_frame_continuation {
  const uint8_t *block;
  size_t blocklen;
} h2w_frame_continuation;

typedef struct h2w_frame_altsvc {
  const uint8_t *origin;
  size_t originlen;
  const uint8_t *value; /* Alt-Svc field value */
  size_t valuelen;
} h2w_frame_altsvc;

/* ORIGIN entries stay raw: walk them with h2w_frame_iter_origin(). The
 * decoder has checked that the entries exactly fill the payload. */
typedef struct h2w_frame_origin {
  const uint8_t *entries;
  size_t len;
} h2w_frame_origin;

typedef struct h2w_frame_priority_update {
  uint32_t prioritized_stream_id; /* 31 bits, never 0 */
  const uint8_t *value;           /* Priority Field Value (RFC 9218 §4) */
  size_t valuelen;
} h2w_frame_priority_update;

typedef struct h2w_frame_unknown {
  const uint8_t *payload;
  size_t len;
} h2w_frame_unknown;

/* A decoded frame. Which member of `u` is valid follows hd.type; any type
 * without an H2W_FRAME_* constant uses u.unknown. */
typedef struct h2w_frame {
  h2w_frame_hd hd;
  union {
    h2w_frame_data data;
    h2w_frame_headers headers;
    h2w_frame_priority priority;
    h2w_frame_rst_stream rst_stream;
    h2w_frame_settings settings;
    h2w_frame_push_promise push_promise;
    h2w_frame_ping ping;
    h2w_frame_goaway goaway;
    h2w_frame_window_update window_update;
    h2w_frame_continuation continuation;
    h2w_frame_altsvc altsvc;
    h2w_frame_origin origin;
    h2w_frame_priority_update priority_update;
    h2w_frame_unknown unknown;
  } u;
} h2w_frame;

/* h2w_frame_err.scope */
#define H2W_FRAME_SCOPE_NONE 0
#define H2W_FRAME_SCOPE_CONNECTION 1 /* GOAWAY with `code` */
#define H2W_FRAME_SCOPE_STREAM 2     /* RST_STREAM hd.stream_id with `code` */
#define H2W_FRAME_SCOPE_IGNORE 3     /* drop the frame silently */

typedef struct h2w_frame_err {
  uint32_t code;      /* RFC 9113 §7 wire code; H2W_NO_ERROR when ignored */
  int scope;          /* H2W_FRAME_SCOPE_* */
  const char *reason; /* static, never NULL after a failed check */
} h2w_frame_err;

/* Positive results of h2w_frame_decode() and h2w_frame_reader_next(). */
#define H2W_FRAME_READY 1   /* reader: a whole frame was yielded */
#define H2W_FRAME_IGNORED 2 /* decode: well-formed, but the RFC says ignore */
#define H2W_FRAME_PIECE 3   /* reader: a piece of a passed-through payload */

/* ---- header ---------------------------------------------------------- */

/* A 32-bit field in network byte order, as every frame payload field
 * (stream ids, error codes, increments, setting values) is sent. */
static inline void h2w_frame_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* Read 9 octets. Never fails; the reserved stream-id bit is dropped. */
void h2w_frame_hd_unpack(h2w_frame_hd *hd, const uint8_t *in);

/* The same, by value, for the frame reader's hot path: a header built in
 * registers and stored whole is not read back through stores of its
 * single fields (a wider load of narrower stores stalls the CPU). */
static inline h2w_frame_hd h2w_frame_hd_read(const uint8_t *in) {
  h2w_frame_hd hd;
  hd.length = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | (uint32_t)in[2];
  hd.type = in[3];
  hd.flags = in[4];
  /* RFC 9113 §4.1: the reserved bit "MUST be ignored when receiving". */
  hd.stream_id = ((uint32_t)in[5] << 24 | (uint32_t)in[6] << 16 |
                  (uint32_t)in[7] << 8 | (uint32_t)in[8]) &
                 H2W_STREAM_ID_MASK;
  return hd;
}

/* Write the 9-octet header of `hd` into buf[0..cap), e.g. in front of a
 * DATA payload the session writes in place. The reserved bit is cleared.
 * Only the 24-bit length limit is checked here, not per-type rules.
 * Returns 9, H2W_E_BUFFER_TOO_SMALL or H2W_E_INVALID_ARGUMENT (NULL,
 * length > 2^24-1). */
h2w_ssize h2w_frame_pack_hd(uint8_t *buf, size_t cap, const h2w_frame_hd *hd);

/* ---- decoding -------------------------------------------------------- */

/* Decode a complete frame: `payload` must hold hd->length octets (it may be
 * NULL when the length is 0). `out` views point into `payload`; hd may
 * point to out->hd. `err` may be NULL. Returns:
 *   H2W_OK             `out` is valid and err->scope is NONE;
 *   H2W_FRAME_IGNORED  the frame must be dropped: ALTSVC breaking the
 *                      origin/stream rule or malformed (RFC 7838 §4
 *                      says invalid ALTSVC frames are ignored); ORIGIN off
 *                      stream 0 or with an entry overrunning the payload
 *                      (RFC 8336 §2); `out` is filled as far as it parsed;
 *   H2W_E_PROTOCOL     PROTOCOL_ERROR, see err->scope (stream-id rules,
 *                      padding, PUSH_PROMISE promising stream 0 and
 *                      PRIORITY_UPDATE for stream 0, which no state can
 *                      make valid: RFC 9113 §5.1.1, RFC 9218 §7.1);
 *   H2W_E_FRAME_SIZE   FRAME_SIZE_ERROR, see err->scope;
 *   H2W_E_INVALID_ARGUMENT  hd or out NULL, or payload NULL with a
 *                      non-zero length. */
int h2w_frame_decode(const h2w_frame_hd *hd, const uint8_t *payload,
                     h2w_frame *out, h2w_frame_err *err);

/* Walk a SETTINGS payload or an ORIGIN payload entry by entry. */
typedef struct h2w_frame_iter {
  const uint8_t *p;
  size_t left;
} h2w_frame_iter;

void h2w_frame_iter_settings(h2w_frame_iter *it, const h2w_frame_settings *s);
/* 1 and *out filled (raw id and value; ranges are the session's to check,
 * RFC 9113 §6.5.2), or 0 at the end. */
int h2w_frame_settings_next(h2w_frame_iter *it, h2w_settings_entry *out);

void h2w_frame_iter_origin(h2w_frame_iter *it, const h2w_frame_origin *o);
/* 1 and the next ASCII-Origin as a byte range into the payload (parsing
 * it as an RFC 6454 origin is the caller's job), or 0 at the end (also if
 * the entries were not validated by h2w_frame_decode and one overruns). */
int h2w_frame_origin_next(h2w_frame_iter *it, const uint8_t **origin,
                          size_t *len);

/* ---- incremental reader ---------------------------------------------- */

typedef struct h2w_frame_reader {
  h2w_alloc *alloc;        /* borrowed; must outlive the reader */
  uint32_t max_frame_size; /* our SETTINGS_MAX_FRAME_SIZE */
  uint8_t hdbuf[H2W_FRAME_HD_LEN];
  size_t hdlen; /* header octets gathered so far */
  h2w_frame_hd hd;
  uint8_t *buf;    /* reassembly buffer for payloads split across calls */
  size_t bufcap;   /* its allocated size (sized frees) */
  size_t buflen;   /* payload octets gathered so far */
  int in_payload;  /* header complete, payload being gathered */
  int release_buf; /* drop an oversized buffer on the next call */
  int failed;      /* sticky error, until reset */
  h2w_frame_err last_err;
  /* Frame types (bit 1 << type, types 0..31) whose payload is handed out
   * in the pieces that arrived instead of being reassembled: DATA for a
   * session, whose body never needs to be whole (RFC 9113 §6.1). */
  uint32_t pass_types;
  size_t piece_off;   /* H2W_FRAME_PIECE: offset of the piece in the payload */
  size_t piece_len;   /* and its length */
  uint8_t buf_used;   /* the buffer held a payload since the last idle tick */
  uint8_t idle_ticks; /* ticks in a row without the buffer being used */
} h2w_frame_reader;

/* Start with max frame size 16384. `alloc` is borrowed. No allocation.
 * Returns H2W_OK or H2W_E_INVALID_ARGUMENT. */
int h2w_frame_reader_init(h2w_frame_reader *r, h2w_alloc *alloc);

/* Forget any partial frame and a sticky error; keep the settings and the
 * buffer. NULL is a no-op. */
void h2w_frame_reader_reset(h2w_frame_reader *r);

/* Release the buffer. NULL is a no-op; the reader may be re-initialised. */
void h2w_frame_reader_free(h2w_frame_reader *r);

/* Called once per input call: a reassembly buffer unused for
 * H2W_READER_IDLE_TICKS ticks in a row is released (hysteresis: a
 * connection whose frames keep straddling reads keeps it). `force`
 * releases it at once when no frame is being gathered. */
#define H2W_READER_IDLE_TICKS 16
void h2w_frame_reader_tick(h2w_frame_reader *r, int force);

/* The session's hot path for DATA read in pieces smaller than a frame:
 * whether the frame being read is a pass-through payload already begun,
 * and taking its next piece (at most `avail` octets, >= 1) without a
 * call to h2w_frame_reader_next(). Returns the piece's length; its offset
 * in the payload was r->buflen before the call, and r->hd stays the
 * frame's header until the next frame begins. */
static inline int h2w_frame_reader_continuing(const h2w_frame_reader *r) {
  return r->in_payload && r->buflen != 0 && r->hd.type < 32 &&
         (r->pass_types >> r->hd.type & 1u);
}
static inline size_t h2w_frame_reader_take(h2w_frame_reader *r, size_t avail) {
  size_t n = r->hd.length - r->buflen;
  if (n > avail) {
    n = avail;
  }
  r->piece_off = r->buflen;
  r->piece_len = n;
  r->buflen += n;
  if (r->buflen == r->hd.length) {
    r->in_payload = 0;
    r->hdlen = 0;
    r->buflen = 0;
  }
  return n;
}

/* The first piece of a pass-through frame, for a caller that read its
 * whole header `hd` in place (h2w_frame_hd_read) with no frame begun
 * (hdlen 0, not in_payload, nothing to release, not failed), checked its
 * length against max_frame_size and its type against pass_types, and
 * holds `n` payload octets after it, 0 < n < hd.length: the state
 * h2w_frame_reader_next() leaves after handing out that piece. */
static inline void h2w_frame_reader_start(h2w_frame_reader *r, h2w_frame_hd hd,
                                          size_t n) {
  r->hd = hd;
  r->in_payload = 1;
  r->piece_off = 0;
  r->piece_len = n;
  r->buflen = n;
}

/* Our SETTINGS_MAX_FRAME_SIZE: applies to frame headers read from now on.
 * Returns H2W_OK or H2W_E_INVALID_ARGUMENT (outside 16384..16777215,
 * RFC 9113 §6.5.2). */
int h2w_frame_reader_set_max_frame_size(h2w_frame_reader *r, uint32_t size);

/* Feed in[0..len); *consumed gets how much was used. Returns:
 *   H2W_FRAME_READY  *hd and *payload (hd->length octets; a pointer into
 *                    `in` when the whole payload arrived in this piece,
 *                    else into the reader's buffer, valid until the next
 *                    call on the reader). Call again with the rest.
 *   H2W_FRAME_PIECE  a frame of a type in r->pass_types did not arrive
 *                    whole: *hd is its header and *payload points into
 *                    `in` at r->piece_len (>= 1) octets of its payload,
 *                    starting at payload offset r->piece_off; the piece
 *                    with piece_off + piece_len == hd->length is the
 *                    last. Nothing is copied. A frame that arrives whole
 *                    is still H2W_FRAME_READY.
 *   H2W_OK           all of `in` was consumed without finishing a frame.
 *   H2W_E_FRAME_SIZE a header announced more than the max frame size
 *                    (RFC 9113 §4.2, connection FRAME_SIZE_ERROR); seen
 *                    from the header alone, nothing buffered. Sticky.
 *   H2W_E_NOMEM      the reassembly buffer could not be allocated; no
 *                    input of this call was consumed past the header, so
 *                    the call may be retried.
 *   H2W_E_INVALID_ARGUMENT  NULL arguments (in may be NULL iff len is 0).
 * `err` may be NULL; it is filled on H2W_E_FRAME_SIZE. */
int h2w_frame_reader_next(h2w_frame_reader *r, const uint8_t *in, size_t len,
                          size_t *consumed, h2w_frame_hd *hd,
                          const uint8_t **payload, h2w_frame_err *err);

/* ---- encoding -------------------------------------------------------- */
/* Every encoder writes one whole frame into buf[0..cap) and returns its
 * size, H2W_E_BUFFER_TOO_SMALL (nothing useful written), or
 * H2W_E_INVALID_ARGUMENT for what would be invalid on the wire: a NULL
 * pointer with a non-zero length, flags not defined for the type
 * (RFC 9113 §4.1: they must be sent unset), a stream id the type forbids,
 * padlen without H2W_FLAG_PADDED, padding that does not fit, a payload
 * past 2^24-1. Reserved bits in stream ids are cleared. Padding octets are
 * zero (RFC 9113 §6.1). Peer SETTINGS_MAX_FRAME_SIZE is the caller's. */

h2w_ssize h2w_frame_pack_data(uint8_t *buf, size_t cap, uint32_t stream_id,
                              uint8_t flags, const uint8_t *data, size_t len,
                              size_t padlen);
/* `pri` is read only when flags has H2W_FLAG_PRIORITY. */
h2w_ssize h2w_frame_pack_headers(uint8_t *buf, size_t cap, uint32_t stream_id,
                                 uint8_t flags, const h2w_frame_priority *pri,
                                 const uint8_t *block, size_t len,
                                 size_t padlen);
h2w_ssize h2w_frame_pack_priority(uint8_t *buf, size_t cap, uint32_t stream_id,
                                  const h2w_frame_priority *pri);
h2w_ssize h2w_frame_pack_rst_stream(uint8_t *buf, size_t cap,
                                    uint32_t stream_id, uint32_t error_code);
/* Entry ids and values are written as given; with H2W_FLAG_ACK, n must be 0
 * (RFC 9113 §6.5). */
h2w_ssize h2w_frame_pack_settings(uint8_t *buf, size_t cap, uint8_t flags,
                                  const h2w_settings_entry *iv, size_t n);
h2w_ssize h2w_frame_pack_push_promise(uint8_t *buf, size_t cap,
                                      uint32_t stream_id, uint8_t flags,
                                      uint32_t promised_stream_id,
                                      const uint8_t *block, size_t len,
                                      size_t padlen);
h2w_ssize h2w_frame_pack_ping(uint8_t *buf, size_t cap, uint8_t flags,
                              const uint8_t *opaque);
h2w_ssize h2w_frame_pack_goaway(uint8_t *buf, size_t cap,
                                uint32_t last_stream_id, uint32_t error_code,
                                const uint8_t *debug, size_t debuglen);
/* Increment 1..2^31-1 after clearing the reserved bit (RFC 9113 §6.9). */
h2w_ssize h2w_frame_pack_window_update(uint8_t *buf, size_t cap,
                                       uint32_t stream_id, uint32_t increment);
h2w_ssize h2w_frame_pack_continuation(uint8_t *buf, size_t cap,
                                      uint32_t stream_id, uint8_t flags,
                                      const uint8_t *block, size_t len);
/* RFC 7838 §4: on stream 0 the origin must be non-empty, on a stream it
 * must be empty; originlen <= 65535. */
h2w_ssize h2w_frame_pack_altsvc(uint8_t *buf, size_t cap, uint32_t stream_id,
                                const uint8_t *origin, size_t originlen,
                                const uint8_t *value, size_t valuelen);

/* One ASCII-Origin for h2w_frame_pack_origin(), at most 65535 octets. */
typedef struct h2w_frame_bytes {
  const uint8_t *base;
  size_t len;
} h2w_frame_bytes;
/* Always on stream 0 (RFC 8336 §2). */
h2w_ssize h2w_frame_pack_origin(uint8_t *buf, size_t cap,
                                const h2w_frame_bytes *origins, size_t n);
/* Always on stream 0; prioritized id must be non-zero (RFC 9218 §7.1). */
h2w_ssize h2w_frame_pack_priority_update(uint8_t *buf, size_t cap,
                                         uint32_t prioritized_stream_id,
                                         const uint8_t *value, size_t valuelen);
/* A frame of a type this module does not know (an extension passed through
 * by the application); known types are rejected. Flags go out as given. */
h2w_ssize h2w_frame_pack_unknown(uint8_t *buf, size_t cap, uint8_t type,
                                 uint8_t flags, uint32_t stream_id,
                                 const uint8_t *payload, size_t len);

/* Re-encode a frame as decoded by h2w_frame_decode() (dispatching to the
 * encoder of f->hd.type; flags not defined for the type are dropped,
 * hd.length is recomputed). Same returns as the encoders; note that a
 * WINDOW_UPDATE with increment 0 decodes but does not encode. */
h2w_ssize h2w_frame_encode(uint8_t *buf, size_t cap, const h2w_frame *f);

/* h2w_frame_type_name() is public: see h2wire.h. */

#endif

/* The gRPC-over-HTTP/2 message layer, independent of any session: the
 * length-prefixed message framing of a request or response body, the
 * grpc-message percent-encoding and the status code names. Pure C, no
 * I/O, so that tests/test_grpc_frame.c can exercise it directly.
 *
 * A body is a sequence of messages, each
 *   1 octet  compressed flag (0: plain, 1: compressed with grpc-encoding)
 *   4 octets payload length, big-endian
 *   N octets payload
 * and message boundaries have nothing to do with DATA frame boundaries. */
#ifndef GRPC_WIRE_H
#define GRPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Length of the prefix in front of every message. */
#define GW_PREFIX_LEN 5u

/* gRPC status codes (the values are fixed by the gRPC protocol). */
#define GW_OK 0
#define GW_CANCELLED 1
#define GW_UNKNOWN 2
#define GW_INVALID_ARGUMENT 3
#define GW_RESOURCE_EXHAUSTED 8
#define GW_UNIMPLEMENTED 12
#define GW_INTERNAL 13
#define GW_UNAVAILABLE 14
#define GW_MAX_STATUS 16

/* gw_reader results besides 0; a nonzero value returned by the message
 * callback is passed through unchanged. */
#define GW_E_NOMEM (-1)
/* A message longer than the reader's limit was announced. */
#define GW_E_TOO_BIG (-2)
/* Compressed flag 1: we never offer a grpc-encoding, so a compressed
 * message cannot be decoded. */
#define GW_E_COMPRESSED (-3)
/* A compressed flag other than 0 or 1. */
#define GW_E_FLAG (-4)
/* The body ended inside a message. */
#define GW_E_TRUNCATED (-5)

/* A growable byte buffer. */
typedef struct gw_buf {
  uint8_t *p;
  size_t len, cap;
} gw_buf;

/* Append len octets. Returns 0 or GW_E_NOMEM. */
int gw_buf_add(gw_buf *b, const void *data, size_t len);
void gw_buf_free(gw_buf *b);

/* Write the 5-octet prefix of an uncompressed message of len octets. */
void gw_put_prefix(uint8_t out[GW_PREFIX_LEN], uint32_t len);

/* Append one framed, uncompressed message (len < 2^32). Returns 0,
 * GW_E_TOO_BIG or GW_E_NOMEM. */
int gw_append_msg(gw_buf *b, const uint8_t *msg, size_t len);

/* Called once per complete message; msg is valid during the call only.
 * A nonzero return stops gw_reader_feed(), which returns that value. */
typedef int (*gw_msg_fn)(void *user, const uint8_t *msg, size_t len);

/* Splits a body that arrives in pieces of any size into messages. A
 * message that lies whole inside one piece is handed over in place;
 * others are gathered in a buffer that grows with what arrived, never
 * beyond the announced length. */
typedef struct gw_reader {
  uint8_t hdr[GW_PREFIX_LEN];
  size_t hdr_len; /* prefix octets of the current message seen */
  uint32_t want;  /* payload length of the current message */
  gw_buf body;    /* its payload gathered so far */
  uint32_t max;   /* longest payload accepted */
  int err;        /* sticky: the first error */
  uint64_t count; /* messages delivered */
} gw_reader;

void gw_reader_init(gw_reader *r, uint32_t max_len);
void gw_reader_free(gw_reader *r);
/* Feed in[0..len). Returns 0 or the first error (sticky: later calls
 * return it again without reading). */
int gw_reader_feed(gw_reader *r, const uint8_t *in, size_t len, gw_msg_fn fn,
                   void *user);
/* The body is over: 0 if it ended on a message boundary, else
 * GW_E_TRUNCATED (or the sticky error). */
int gw_reader_end(const gw_reader *r);

/* The name of a gRPC status code ("UNIMPLEMENTED"), "UNKNOWN_CODE" for
 * values outside 0..16. Static. */
const char *gw_status_name(int code);

/* The gRPC status a client reports for a response whose HTTP status is not
 * 200 (gRPC's published HTTP-to-gRPC mapping). */
int gw_status_from_http(int http_status);

/* A grpc-message value: the octets outside 0x20..0x7e and '%' become
 * %XX. Writes at most cap-1 characters and a NUL (a sequence that would
 * not fit is left out whole). Returns the length written. */
size_t gw_pct_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/* Undo gw_pct_encode(); a '%' not followed by two hex digits is kept as
 * it is (a malformed value must not fail the call). Same output rules. */
size_t gw_pct_decode(const uint8_t *in, size_t len, char *out, size_t cap);

#endif

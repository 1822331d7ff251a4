/* SETTINGS (RFC 9113 §6.5): the parameters in force in each direction,
 * their validation, and the queue of our own SETTINGS awaiting an ACK
 * (they take effect only when acknowledged, §6.5.3). */
#ifndef H2W_SETTINGS_H
#define H2W_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

/* RFC 9113 §6.5.2 bounds. */
#define H2W_MIN_MAX_FRAME_SIZE 16384u
#define H2W_MAX_MAX_FRAME_SIZE 16777215u
/* "Unlimited" for MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE. */
#define H2W_SETTINGS_UNLIMITED UINT32_MAX

/* How many of our SETTINGS frames may await an ACK at once. A peer that
 * never acknowledges cannot make us queue without bound. */
#define H2W_SETTINGS_MAX_PENDING 8

typedef struct h2w_settings {
  uint32_t header_table_size;
  uint32_t enable_push;
  uint32_t max_concurrent_streams;
  uint32_t initial_window_size;
  uint32_t max_frame_size;
  uint32_t max_header_list_size;
  uint32_t enable_connect_protocol;
  uint32_t no_rfc7540_priorities;
} h2w_settings;

/* The values in force before any SETTINGS is exchanged (RFC 9113 §6.5.2,
 * RFC 8441 §3, RFC 9218 §2.1). */
void h2w_settings_init(h2w_settings *s);

/* Validate one received parameter against its RFC range. Returns H2W_OK,
 * or an error with *wire_code set to the RFC 9113 §7 code the connection
 * must close with: ENABLE_PUSH > 1, ENABLE_CONNECT_PROTOCOL > 1 or 1 -> 0,
 * NO_RFC7540_PRIORITIES > 1, MAX_FRAME_SIZE out of range: PROTOCOL_ERROR;
 * INITIAL_WINDOW_SIZE > 2^31-1: FLOW_CONTROL_ERROR. `current` is the value
 * set in force so far, for rules that depend on it. `is_server_peer` is
 * non-zero when the sender is a server: ENABLE_PUSH = 1 from a server is a
 * PROTOCOL_ERROR (§6.5.2). */
int h2w_settings_check(const h2w_settings *current, uint16_t id, uint32_t value,
                       int is_server_peer, uint32_t *wire_code);

/* Apply one parameter; unknown identifiers are ignored (§6.5.2). The value
 * must have passed h2w_settings_check. */
void h2w_settings_set(h2w_settings *s, uint16_t id, uint32_t value);

/* Read one parameter; 0 for unknown identifiers (*known set to 0). */
uint32_t h2w_settings_get(const h2w_settings *s, uint16_t id, int *known);

/* Our sent-but-unacknowledged SETTINGS frames, oldest first. Each slot
 * holds the parameter set that will be in force once that frame is
 * acknowledged, built by applying its entries one by one in wire order
 * (RFC 9113 §6.5.3), and the smallest HEADER_TABLE_SIZE those entries
 * passed through: the one value whose intermediate steps the peer must
 * signal (RFC 7541 §4.2, an encoder emits the minimum, then the final
 * size). Every other parameter takes effect at the ACK, when the peer has
 * processed the whole frame, so its final value is all that matters. */
typedef struct h2w_settings_pending {
  h2w_settings after[H2W_SETTINGS_MAX_PENDING];
  uint32_t hts_low[H2W_SETTINGS_MAX_PENDING];
  uint8_t head;
  uint8_t len;
} h2w_settings_pending;

void h2w_settings_pending_init(h2w_settings_pending *p);

/* Queue a SETTINGS frame of n entries we are about to send, on top of
 * `local` (the set in force) and any frame still pending. Returns H2W_OK,
 * H2W_E_INVALID_ARGUMENT (a value out of its RFC range) or H2W_E_LIMIT
 * (H2W_SETTINGS_MAX_PENDING frames already await an ACK). */
int h2w_settings_pending_push(h2w_settings_pending *p,
                              const h2w_settings *local,
                              const h2w_settings_entry *iv, size_t n);

/* The peer acknowledged our oldest SETTINGS: `local` becomes the set it
 * announced, and *hts_low (if not NULL) the smallest HEADER_TABLE_SIZE
 * its entries reached. Returns H2W_OK, or H2W_E_PROTOCOL for an ACK we
 * never asked for (RFC 9113 §6.5.3 gives no meaning to one). */
int h2w_settings_pending_ack(h2w_settings_pending *p, h2w_settings *local,
                             uint32_t *hts_low);

#endif

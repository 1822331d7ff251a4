/* Adaptive receive windows (issue 18): the receiver estimates the
 * bandwidth-delay product of the path from its own PING round trips and
 * sizes the connection window (WINDOW_UPDATE, RFC 9113 §6.9) and the
 * stream windows (SETTINGS_INITIAL_WINDOW_SIZE, §6.9.2) to about twice
 * it, between the static windows the application configured and the caps
 * it gave. All state lives in h2w_session.autotune and only autotune.c
 * writes it; the rest of the session calls the hooks below. */
#ifndef H2W_AUTOTUNE_H
#define H2W_AUTOTUNE_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

/* No BDP PING outstanding (a ping slot index otherwise). */
#define H2W_AUTOTUNE_NO_PING 0xffu

typedef struct h2w_autotune {
  uint8_t on;
  uint8_t ping_slot;             /* ping slot of our BDP PING, or NO_PING */
  uint8_t settings_inflight;     /* our SETTINGS is the oldest unacknowledged */
  uint8_t changed;               /* the last sample moved a target */
  uint32_t max_conn, max_stream; /* the caps (never below the floors) */
  uint32_t floor_conn, floor_stream; /* the static windows configured */
  uint32_t conn_target;              /* connection window we offer now */
  uint32_t stream_target; /* stream window we aim for (announced or due) */
  uint64_t bytes_in;      /* flow-controlled DATA octets received */
  uint64_t bytes_at_ping; /* bytes_in when the BDP PING was queued */
  uint64_t last_ping_ms;  /* when the last BDP PING was queued */
  uint32_t win_at_ping;   /* the window the peer could fill then */
  uint32_t rtt_ms;        /* last round trip measured */
  uint32_t min_rtt_ms;    /* the path's delay: windowed minimum */
  uint64_t min_rtt_at;    /* when min_rtt_ms was measured */
  uint64_t bw[2];         /* the last two delivery rates, octets/s */
  uint64_t pings;         /* BDP PINGs sent */
  uint64_t samples;       /* round trips measured */
} h2w_autotune;

/* Session creation: take the options (off unless both caps are set). */
void h2w_autotune_init(h2w_session *s);
/* session.c: a new stream's receive window (its credit steps). */
struct h2w_stream;
void h2w_autotune_stream_init(h2w_session *s, struct h2w_stream *st);
/* recv.c: `n` flow-controlled DATA octets arrived (already charged to the
 * connection window). May queue a BDP PING; never fails the session. */
void h2w_autotune_data(h2w_session *s, uint32_t n);
/* recv.c: the ACK of the PING in ping slot `slot` arrived after `rtt_ms`.
 * 1 when it was our BDP PING (consumed here, never reported to the
 * application), else 0. */
int h2w_autotune_ping_acked(h2w_session *s, size_t slot, uint64_t rtt_ms);
/* settings.c: the peer acknowledged our oldest SETTINGS. 1 when that was
 * the autotuner's (not reported through on_settings_ack), else 0. */
int h2w_autotune_settings_acked(h2w_session *s);

#endif

/* Adaptive receive windows: BDP estimation on the caller's clock.
 *
 * Throughput over one connection is bounded by window / RTT (RFC 9113
 * §5.2 and §6.9: the sender may not have more than the window in
 * flight). The receiver sees both terms: it owns PING round trips (§6.7)
 * and counts the DATA that arrives. One BDP PING at a time is queued when
 * DATA arrives and none is outstanding; when its ACK comes back, the
 * octets received meanwhile divided by the round trip are the delivery
 * rate. The estimate is
 *
 *     BDP = max(last two delivery rates) x min RTT
 *
 * and the windows aim at 2 x BDP. Using the minimum RTT rather than the
 * sample's own keeps a full bottleneck queue from inflating the estimate
 * (with a queue, the octets per round trip always equal the window, and
 * "2 x octets per RTT" would grow the window forever); when the window is
 * what limits, the rate is window / RTT and the target doubles each
 * round trip, a slow start. When the path slows down, the rate falls and
 * the target follows within two samples.
 *
 * Growing: the connection window by WINDOW_UPDATE (§6.9.1, the only way
 * to grow it), stream windows by SETTINGS_INITIAL_WINDOW_SIZE, which
 * moves every open stream's window by the difference and sizes new ones
 * (§6.9.2). Shrinking: the connection window by granting less: credit
 * already given is never taken back, the target just stops the next
 * WINDOW_UPDATEs until the peer's window has fallen below it; stream
 * windows by a lower SETTINGS_INITIAL_WINDOW_SIZE, which §6.9.2 allows
 * (the peer's windows may go negative and recover as we credit).
 *
 * Respecting the peer: a PING only follows DATA the peer sent, so there
 * is always DATA between two of ours (gRPC servers count PINGs without
 * DATA in between as abuse, "too_many_pings"), at most one is
 * outstanding (nghttp2 and node bound outstanding PINGs and queued
 * ACKs), at least H2W_AUTOTUNE_GAP_MS apart, and an idle connection
 * gets none. Our own SETTINGS is sent only when none of ours is pending
 * and the stream target moved by half or more. Neither reaches the
 * application's on_ping_ack / on_settings_ack. */
#include "cold.h"
#include "autotune.h"

#include <string.h>

#include "session_int.h"

/* With autotuning, windows are credited back once an eighth of them is
 * consumed instead of half (flow.h): a sender held by a half-window
 * credit step has only about half its window in flight per round trip,
 * and "2 x the octets per round trip" would then never grow it. A
 * WINDOW_UPDATE per eighth of a window of megabytes costs nothing. */
#define H2W_AUTOTUNE_CREDIT_SHIFT 3u
/* Two BDP PINGs are at least this far apart on the caller's clock, so a
 * short path is not pinged a thousand times a second. */
#define H2W_AUTOTUNE_GAP_MS 10u
/* The minimum RTT is forgotten after this long, so a path that got
 * longer (a route change) is learnt again. */
#define H2W_AUTOTUNE_MIN_RTT_TTL_MS 10000u

H2W_COLD void h2w_autotune_init(h2w_session *s) {
  h2w_autotune *a = &s->autotune;
  memset(a, 0, sizeof(*a));
  a->ping_slot = H2W_AUTOTUNE_NO_PING;
  a->floor_conn = s->opt.connection_window_size;
  a->floor_stream = s->opt.initial_window_size;
  a->conn_target = a->floor_conn;
  a->stream_target = a->floor_stream;
  if (s->opt.autotune_max_conn == 0) {
    return;
  }
  a->on = 1;
  s->conn_rw.credit_shift = H2W_AUTOTUNE_CREDIT_SHIFT;
  /* Autotuning never offers less than the application configured. */
  a->max_conn = s->opt.autotune_max_conn > a->floor_conn
                    ? s->opt.autotune_max_conn
                    : a->floor_conn;
  a->max_stream = s->opt.autotune_max_stream > a->floor_stream
                      ? s->opt.autotune_max_stream
                      : a->floor_stream;
}

void h2w_autotune_stream_init(h2w_session *s, struct h2w_stream *st) {
  if (s->autotune.on) {
    st->rw.credit_shift = H2W_AUTOTUNE_CREDIT_SHIFT;
  }
}

void h2w_autotune_data(h2w_session *s, uint32_t n) {
  static const uint8_t tag[6] = {'h', '2', 'w', 'b', 'd', 'p'};
  h2w_autotune *a = &s->autotune;
  uint8_t opaque[8];
  uint64_t gap;
  size_t slot = H2W_MAX_PINGS;
  if (!a->on) {
    return;
  }
  a->bytes_in += n;
  /* Empty DATA frames (a glitch, docs/security.md row 4) buy no PING. */
  if (n == 0 || a->ping_slot != H2W_AUTOTUNE_NO_PING || s->err.lib != H2W_OK ||
      s->goaway.recv || s->goaway.sent || s->goaway.shutdown != 0) {
    return;
  }
  /* While the estimate moves, measure as often as the gap allows; once
   * it is steady, every second round trip is enough to notice a change. */
  gap = H2W_AUTOTUNE_GAP_MS;
  if (!a->changed && a->min_rtt_ms > gap) {
    gap = a->min_rtt_ms;
  }
  if (a->pings != 0 && s->clock.now < a->last_ping_ms + gap) {
    return;
  }
  memcpy(opaque, tag, sizeof(tag));
  opaque[6] = (uint8_t)(a->pings >> 8);
  opaque[7] = (uint8_t)a->pings;
  /* A PING the queue cannot take (every slot the application's, or no
   * memory) is simply not sent: the estimate waits for the next DATA. */
  if (h2w_queue_ping(s, opaque, &slot) != H2W_OK) {
    return;
  }
  a->ping_slot = (uint8_t)slot;
  a->bytes_at_ping = a->bytes_in;
  a->win_at_ping = (uint32_t)s->conn_rw.target < s->settings.recv_iws
                       ? (uint32_t)s->conn_rw.target
                       : s->settings.recv_iws;
  a->last_ping_ms = s->clock.now;
  a->pings++;
}

static uint32_t clamp32(uint64_t v, uint32_t lo, uint32_t hi) {
  if (v < lo) {
    return lo;
  }
  return v > hi ? hi : (uint32_t)v;
}

/* Lower the connection target to t: credit already granted stays (a
 * receiver cannot take window back, §6.9), credit not yet granted shrinks
 * with the target so the peer is offered less from now on. */
static void conn_shrink(h2w_recv_window *w, uint32_t t) {
  uint32_t excess = (uint32_t)(w->target - (int32_t)t);
  w->consumed = w->consumed > excess ? w->consumed - excess : 0;
  w->target = (int32_t)t;
}

/* Announce stream target t with SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2)
 * when it moved by half or more (or reached a bound) and nothing of ours
 * is pending: one SETTINGS in flight at a time. */
static void stream_retarget(h2w_session *s, uint32_t t) {
  h2w_autotune *a = &s->autotune;
  uint32_t cur = s->settings.recv_iws;
  h2w_settings_entry e;
  int worth;
  if (a->settings_inflight || s->settings.pending.len != 0 || t == cur) {
    return;
  }
  worth = t > cur ? (uint64_t)t * 8 >= (uint64_t)cur * 9 || t == a->max_stream
                  : (uint64_t)t * 2 <= cur || t == a->floor_stream;
  if (!worth) {
    return;
  }
  e.id = H2W_SETTINGS_INITIAL_WINDOW_SIZE;
  e.value = t;
  if (h2w_queue_settings(s, &e, 1) == H2W_OK) {
    a->settings_inflight = 1;
    a->stream_target = t;
  }
}

H2W_COLD int h2w_autotune_ping_acked(h2w_session *s, size_t slot,
                                     uint64_t rtt_ms) {
  h2w_autotune *a = &s->autotune;
  uint64_t sample, rate, want;
  uint32_t rtt, target, stream;
  if (!a->on || slot != a->ping_slot) {
    return 0;
  }
  a->ping_slot = H2W_AUTOTUNE_NO_PING;
  sample = a->bytes_in - a->bytes_at_ping;
  /* The clock counts milliseconds: a loopback round trip may read 0. */
  rtt = rtt_ms == 0 ? 1u : rtt_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt_ms;
  a->rtt_ms = rtt;
  a->samples++;
  if (a->min_rtt_ms == 0 || rtt <= a->min_rtt_ms ||
      s->clock.now >= a->min_rtt_at + H2W_AUTOTUNE_MIN_RTT_TTL_MS) {
    a->min_rtt_ms = rtt;
    a->min_rtt_at = s->clock.now;
  }
  rate = sample > UINT64_MAX / 1000u ? UINT64_MAX / rtt : sample * 1000u / rtt;
  a->bw[1] = a->bw[0];
  a->bw[0] = rate;
  rate = a->bw[0] > a->bw[1] ? a->bw[0] : a->bw[1];
  /* The window target: twice the BDP, so the peer can keep sending
   * while our credit for the last round trip is on its way back. */
  want = rate / 1000u * a->min_rtt_ms * 2u;
  if (sample * 4u >= (uint64_t)a->win_at_ping * 3u &&
      (uint64_t)rtt * 4u <= (uint64_t)a->min_rtt_ms * 5u + 4u) {
    /* The peer filled (3/4 of) the window in a round trip that no queue
     * lengthened: the window, not the path, is the limit, and the rate
     * measured is the window's. Grow fourfold: the sample after a change
     * is still taken at the old window (our SETTINGS needs a round trip
     * to take effect), so this is a doubling per round trip, a slow
     * start; the rate-based target takes over once a queue forms. */
    want = want > sample * 4u ? want : sample * 4u;
  }
  target = clamp32(want, a->floor_conn, a->max_conn);
  if (target > a->conn_target && s->opt.manual_flow_control &&
      s->conn_unconsumed * 2u > a->conn_target) {
    /* Manual flow control: the application holds half the window
     * unread, so it is the bottleneck, not the path: no growth. */
    target = a->conn_target;
  }
  a->changed = target != a->conn_target;
  a->conn_target = target;
  /* Against the window's own target, which a WINDOW_UPDATE the
   * application submitted may have moved: the tuner owns it now. */
  if ((int32_t)target > s->conn_rw.target) {
    (void)h2w_recv_window_set_target(&s->conn_rw, target);
  } else if ((int32_t)target < s->conn_rw.target) {
    conn_shrink(&s->conn_rw, target);
  }
  stream = target < a->max_stream ? target : a->max_stream;
  stream = stream > a->floor_stream ? stream : a->floor_stream;
  stream_retarget(s, stream);
  return 1;
}

H2W_COLD int h2w_autotune_settings_acked(h2w_session *s) {
  if (!s->autotune.settings_inflight) {
    return 0;
  }
  s->autotune.settings_inflight = 0;
  return 1;
}

/* ---- public API --------------------------------------------------------- */

H2W_COLD int h2w_options_set_window_autotune(h2w_options *opt,
                                             uint32_t max_connection_window,
                                             uint32_t max_stream_window) {
  if (opt == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (max_connection_window == 0 && max_stream_window == 0) {
    opt->o.autotune_max_conn = 0;
    opt->o.autotune_max_stream = 0;
    return H2W_OK;
  }
  /* RFC 9113 §6.9.1: no window exceeds 2^31-1; below the protocol's
   * default there would be nothing to tune. */
  if (max_connection_window < H2W_DEFAULT_WINDOW_SIZE ||
      max_connection_window > H2W_MAX_WINDOW_SIZE ||
      max_stream_window < H2W_DEFAULT_WINDOW_SIZE ||
      max_stream_window > H2W_MAX_WINDOW_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.autotune_max_conn = max_connection_window;
  opt->o.autotune_max_stream = max_stream_window;
  return H2W_OK;
}

H2W_COLD int h2w_session_flow_estimate(const h2w_session *s,
                                       h2w_flow_estimate *out) {
  const h2w_autotune *a;
  if (s == NULL || out == NULL || out->size < sizeof(*out)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  a = &s->autotune;
  out->enabled = a->on;
  out->rtt_ms = a->rtt_ms;
  out->min_rtt_ms = a->min_rtt_ms;
  out->bytes_per_second = a->bw[0] > a->bw[1] ? a->bw[0] : a->bw[1];
  out->connection_window = (uint32_t)s->conn_rw.target;
  out->stream_window = s->settings.recv_iws;
  out->samples = a->samples;
  return H2W_OK;
}

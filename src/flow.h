/* Flow-control window arithmetic (RFC 9113 §5.2, §6.9). No session state:
 * the session owns one send and one receive window per stream and per
 * connection and calls these to change them. */
#ifndef H2W_FLOW_H
#define H2W_FLOW_H

#include <stdint.h>

#include "h2wire.h"

/* RFC 9113 §6.9.1: a window can never exceed 2^31-1 octets. */
#define H2W_MAX_WINDOW_SIZE 0x7fffffff
/* RFC 9113 §6.9.2: the initial window of a connection and of new streams. */
#define H2W_DEFAULT_WINDOW_SIZE 65535

/* A send window: what the peer lets us send. It may be negative after the
 * peer lowers SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 §6.9.2). */
typedef struct h2w_send_window {
  int32_t avail;
  /* The largest the window has been since the peer last set its size
   * (SETTINGS_INITIAL_WINDOW_SIZE, §6.9.2): our estimate of the window
   * the peer offers, from which the hold-back threshold is derived. */
  int32_t peak;
  /* The last WINDOW_UPDATE left the window below that threshold: DATA
   * waits until more credit makes a frame worth sending (docs/security.md
   * row 7). Window we were given but did not use is never held back. */
  uint8_t dribbled;
} h2w_send_window;

/* The hold-back threshold never asks for more than one default-sized
 * frame (RFC 9113 §4.2: SETTINGS_MAX_FRAME_SIZE is at least 16384). */
#define H2W_WORTHWHILE_MAX 16384

/* A receive window: what we let the peer send, and how much of what it sent
 * the application has consumed but we have not yet credited back. */
typedef struct h2w_recv_window {
  int32_t avail;     /* octets the peer may still send */
  int32_t target;    /* window size we aim to keep offering */
  uint32_t consumed; /* consumed by the application, not yet credited */
  /* Credit once consumed >= target >> credit_shift: 1 (half) by default;
   * window autotuning credits in smaller steps (autotune.c), but never
   * in steps under H2W_WORTHWHILE_MAX unless they are half the target. */
  uint8_t credit_shift;
} h2w_recv_window;

void h2w_send_window_init(h2w_send_window *w, uint32_t initial);

/* WINDOW_UPDATE received. Returns H2W_OK, or H2W_E_FLOW_CONTROL when the
 * window would pass 2^31-1 (RFC 9113 §6.9.1); the window is then unchanged.
 * An increment of 0 is the caller's PROTOCOL_ERROR to detect (§6.9).
 * Updates the peak, and marks the window dribbled when the credit leaves
 * it below the hold-back threshold. */
int h2w_send_window_credit(h2w_send_window *w, uint32_t increment);

/* The window worth a DATA frame once the peer has taken to returning it
 * in small steps: half the window it offers, at most H2W_WORTHWHILE_MAX.
 * Half, because a receiver returns window at the latest once half of it
 * is consumed (nghttp2, node, curl, python-h2 and h2wire all do), so a
 * peer that has all but less than half its window outstanding always has
 * more to return: holding back can never deadlock such a peer. A window
 * of 1 gives 0 (nothing is held). */
uint32_t h2w_send_window_threshold(const h2w_send_window *w);

/* DATA should wait: the last credit was too small to reach the threshold
 * and the window is still below it (or the window is closed). */
int h2w_send_window_held(const h2w_send_window *w);

/* Octets we may send now given `want` (never more than the window). */
uint32_t h2w_send_window_allow(const h2w_send_window *w, uint32_t want);

/* We sent `n` flow-controlled octets; n must be <= what allow() gave. */
void h2w_send_window_consume(h2w_send_window *w, uint32_t n);

/* The peer changed SETTINGS_INITIAL_WINDOW_SIZE from old to new: every open
 * stream's window moves by the difference (RFC 9113 §6.9.2), and the peak
 * restarts from the new size, so a peer that shrinks its window is never
 * held to a threshold it can no longer reach. Returns
 * H2W_E_FLOW_CONTROL if that passes 2^31-1; the window is then unchanged. */
int h2w_send_window_rebase(h2w_send_window *w, uint32_t old_initial,
                           uint32_t new_initial);

void h2w_recv_window_init(h2w_recv_window *w, uint32_t initial);

/* receive, consume and update_due run for every DATA frame (RFC 9113
 * §6.9): inline, so a frame costs no calls for its accounting. */

/* The peer sent `n` flow-controlled octets (DATA payload including padding,
 * RFC 9113 §6.9.1). Returns H2W_E_FLOW_CONTROL if it had no room; the window
 * is then unchanged. */
static inline int h2w_recv_window_receive(h2w_recv_window *w, uint32_t n) {
  if ((int64_t)n > (int64_t)w->avail) {
    return H2W_E_FLOW_CONTROL;
  }
  w->avail -= (int32_t)n;
  return H2W_OK;
}

/* The application consumed `n` octets (the session calls this for padding
 * at once, and for data when delivered or when the application says so). */
static inline void h2w_recv_window_consume(h2w_recv_window *w, uint32_t n) {
  /* Never credit more than keeps the window at 2^31-1. */
  uint64_t room = (uint64_t)H2W_MAX_WINDOW_SIZE - (uint64_t)(int64_t)w->avail;
  uint64_t next = (uint64_t)w->consumed + n;
  w->consumed = (uint32_t)(next > room ? room : next);
}

/* The WINDOW_UPDATE increment worth sending now, 0 if none. We wait until
 * half of the target (target >> credit_shift) is consumed, so small reads do
 * not each cost a frame (and a tiny-update stream from us cannot be provoked).
 */
static inline uint32_t h2w_recv_window_update_due(const h2w_recv_window *w) {
  int64_t deficit = (int64_t)w->target - (int64_t)w->avail;
  uint32_t inc;
  if (w->consumed == 0 || deficit <= 0) {
    return 0;
  }
  inc = (int64_t)w->consumed < deficit ? w->consumed : (uint32_t)deficit;
  /* Credit once half the target is outstanding, or when the window is
   * nearly shut and waiting would stall the peer. */
  if ((int64_t)inc * 2 >= (int64_t)w->target || w->avail < w->target / 4) {
    return inc;
  }
  /* Smaller steps (window autotuning) only once a step is worth a whole
   * default-sized frame: a sender holding DATA back until its credits add
   * up (H2W_WORTHWHILE_MAX, docs/security.md row 7) is never kept
   * waiting by them. */
  if ((int64_t)inc << w->credit_shift >= (int64_t)w->target &&
      inc >= H2W_WORTHWHILE_MAX) {
    return inc;
  }
  return 0;
}

/* A WINDOW_UPDATE of `increment` was actually emitted: only now is the
 * window re-credited (docs/security.md, general rules). increment must be <=
 * the consumed amount. */
void h2w_recv_window_commit(h2w_recv_window *w, uint32_t increment);

/* Change the target (our SETTINGS_INITIAL_WINDOW_SIZE, or a connection
 * window the application asks for). Growing it makes the difference due
 * as an update at once; shrinking only stops future credits. Returns
 * H2W_E_INVALID_ARGUMENT above 2^31-1. */
int h2w_recv_window_set_target(h2w_recv_window *w, uint32_t target);
/* Our SETTINGS_INITIAL_WINDOW_SIZE changed from old to new (both
 * <= 2^31-1) and the peer now applies it: move the window by the
 * difference, as the peer does (RFC 9113 §6.9.2), and aim for the new
 * size. The change itself is never credited (the peer counts it too), but
 * consumed octets may become due when the window shrinks: the caller
 * checks (h2w_recv_window_update_due). */
void h2w_recv_window_rebase(h2w_recv_window *w, uint32_t old_initial,
                            uint32_t new_initial);

#endif

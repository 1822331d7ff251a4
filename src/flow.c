#include "flow.h"

#include "h2wire.h"

void h2w_send_window_init(h2w_send_window *w, uint32_t initial) {
  w->avail =
      initial > H2W_MAX_WINDOW_SIZE ? H2W_MAX_WINDOW_SIZE : (int32_t)initial;
  w->peak = w->avail;
  w->dribbled = 0;
}

uint32_t h2w_send_window_threshold(const h2w_send_window *w) {
  uint32_t half = w->peak > 0 ? (uint32_t)w->peak / 2 : 0;
  return half < H2W_WORTHWHILE_MAX ? half : H2W_WORTHWHILE_MAX;
}

int h2w_send_window_held(const h2w_send_window *w) {
  if (w->avail <= 0) {
    return 1;
  }
  return w->dribbled && (uint32_t)w->avail < h2w_send_window_threshold(w);
}

int h2w_send_window_credit(h2w_send_window *w, uint32_t increment) {
  int64_t next = (int64_t)w->avail + (int64_t)increment;
  if (next > H2W_MAX_WINDOW_SIZE) {
    return H2W_E_FLOW_CONTROL;
  }
  w->avail = (int32_t)next;
  if (w->avail > w->peak) {
    w->peak = w->avail;
  }
  w->dribbled =
      (uint8_t)((int64_t)w->avail < (int64_t)h2w_send_window_threshold(w));
  return H2W_OK;
}

uint32_t h2w_send_window_allow(const h2w_send_window *w, uint32_t want) {
  if (w->avail <= 0) {
    return 0;
  }
  return want < (uint32_t)w->avail ? want : (uint32_t)w->avail;
}

void h2w_send_window_consume(h2w_send_window *w, uint32_t n) {
  w->avail = (int32_t)((int64_t)w->avail - (int64_t)n);
}

int h2w_send_window_rebase(h2w_send_window *w, uint32_t old_initial,
                           uint32_t new_initial) {
  int64_t next =
      (int64_t)w->avail + (int64_t)new_initial - (int64_t)old_initial;
  /* The lower bound cannot be reached: new_initial >= 0 and the window was
   * at most old_initial + credits, so next >= -(2^31-1). */
  if (next > H2W_MAX_WINDOW_SIZE || next < -(int64_t)H2W_MAX_WINDOW_SIZE) {
    return H2W_E_FLOW_CONTROL;
  }
  w->avail = (int32_t)next;
  /* new_initial <= 2^31-1: the SETTINGS parser refuses larger (§6.5.2). */
  w->peak = w->avail > (int32_t)new_initial ? w->avail : (int32_t)new_initial;
  return H2W_OK;
}

void h2w_recv_window_init(h2w_recv_window *w, uint32_t initial) {
  int32_t v =
      initial > H2W_MAX_WINDOW_SIZE ? H2W_MAX_WINDOW_SIZE : (int32_t)initial;
  w->avail = v;
  w->target = v;
  w->consumed = 0;
  w->credit_shift = 1;
}

void h2w_recv_window_commit(h2w_recv_window *w, uint32_t increment) {
  w->avail = (int32_t)((int64_t)w->avail + (int64_t)increment);
  w->consumed -= increment;
}

int h2w_recv_window_set_target(h2w_recv_window *w, uint32_t target) {
  if (target > H2W_MAX_WINDOW_SIZE) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if ((int32_t)target > w->target) {
    /* The new room counts as consumed so the next update offers it. */
    h2w_recv_window_consume(w, (uint32_t)((int32_t)target - w->target));
  }
  w->target = (int32_t)target;
  return H2W_OK;
}

void h2w_recv_window_rebase(h2w_recv_window *w, uint32_t old_initial,
                            uint32_t new_initial) {
  /* RFC 9113 §6.9.2: the peer moves its view of every stream window by
   * the difference once it applies our new SETTINGS_INITIAL_WINDOW_SIZE;
   * we mirror it. Both values are <= 2^31-1, so the sum stays within
   * int64 and is clamped to the representable range. */
  int64_t avail =
      (int64_t)w->avail + (int64_t)new_initial - (int64_t)old_initial;
  if (avail > H2W_MAX_WINDOW_SIZE) {
    avail = H2W_MAX_WINDOW_SIZE;
  }
  if (avail < -(int64_t)H2W_MAX_WINDOW_SIZE) {
    avail = -(int64_t)H2W_MAX_WINDOW_SIZE;
  }
  w->avail = (int32_t)avail;
  w->target = (int32_t)new_initial;
}

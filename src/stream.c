#include "stream.h"

#include "h2wire.h"

#define X (-1)

/* RFC 9113 §5.1, Figure 2, one row per state, one column per event:
 *              send H   recv H   send PP  recv PP  send ES  recv ES
 *              send R   recv R */
static const signed char transitions[H2W_SS_COUNT_][H2W_EV_COUNT_] = {
    /* idle: H opens; PP reserves. */
    [H2W_SS_IDLE] = {H2W_SS_OPEN, H2W_SS_OPEN, H2W_SS_RESERVED_LOCAL,
                     H2W_SS_RESERVED_REMOTE, X, X, X, X},
    /* reserved (local): we send the pushed response's HEADERS. */
    [H2W_SS_RESERVED_LOCAL] = {H2W_SS_HALF_CLOSED_REMOTE, X, X, X, X, X,
                               H2W_SS_CLOSED, H2W_SS_CLOSED},
    [H2W_SS_RESERVED_REMOTE] = {X, H2W_SS_HALF_CLOSED_LOCAL, X, X, X, X,
                                H2W_SS_CLOSED, H2W_SS_CLOSED},
    /* open: headers (1xx, final, trailers) may follow in both directions. */
    [H2W_SS_OPEN] = {H2W_SS_OPEN, H2W_SS_OPEN, X, X, H2W_SS_HALF_CLOSED_LOCAL,
                     H2W_SS_HALF_CLOSED_REMOTE, H2W_SS_CLOSED, H2W_SS_CLOSED},
    [H2W_SS_HALF_CLOSED_LOCAL] = {X, H2W_SS_HALF_CLOSED_LOCAL, X, X, X,
                                  H2W_SS_CLOSED, H2W_SS_CLOSED, H2W_SS_CLOSED},
    [H2W_SS_HALF_CLOSED_REMOTE] = {H2W_SS_HALF_CLOSED_REMOTE, X, X, X,
                                   H2W_SS_CLOSED, X, H2W_SS_CLOSED,
                                   H2W_SS_CLOSED},
    /* closed: only a late RST of ours is tolerated (no change). */
    [H2W_SS_CLOSED] = {X, X, X, X, X, X, H2W_SS_CLOSED, H2W_SS_CLOSED},
};

int h2w_stream_next(h2w_stream_state from, h2w_stream_event ev) {
  if ((unsigned)from >= H2W_SS_COUNT_ || (unsigned)ev >= H2W_EV_COUNT_) {
    return X;
  }
  return transitions[from][ev];
}

h2w_closed_by h2w_stream_closed_by(h2w_stream_event ev) {
  switch (ev) {
  case H2W_EV_SEND_RST_STREAM:
    return H2W_CLOSED_BY_RST_SENT;
  case H2W_EV_RECV_RST_STREAM:
    return H2W_CLOSED_BY_RST_RECV;
  case H2W_EV_SEND_END_STREAM:
  case H2W_EV_RECV_END_STREAM:
    return H2W_CLOSED_BY_END_STREAM;
  default:
    return H2W_CLOSED_BY_NONE;
  }
}

/* Columns of the receive table: the frame types §5.1 speaks of. */
enum { K_DATA, K_HEADERS, K_PRIORITY, K_RST, K_PUSH, K_WU, K_COUNT };

#define A                                                                      \
  { H2W_RECV_ACCEPT, 0 }
#define I                                                                      \
  { H2W_RECV_IGNORE, 0 }
#define CP                                                                     \
  { H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR }
#define CC                                                                     \
  { H2W_RECV_CONN_ERROR, H2W_STREAM_CLOSED }
#define SC                                                                     \
  { H2W_RECV_STREAM_ERROR, H2W_STREAM_CLOSED }

/* Row per state (closed split by cause), column per frame kind:
 *               DATA HEADERS PRIORITY RST PUSH_PROMISE WINDOW_UPDATE */
enum {
  R_IDLE,
  R_RES_LOCAL,
  R_RES_REMOTE,
  R_OPEN,
  R_HC_LOCAL,
  R_HC_REMOTE,
  R_CLOSED_ES,
  R_CLOSED_RST_SENT,
  R_CLOSED_RST_RECV,
  R_COUNT
};
static const h2w_recv_verdict recv_rules[R_COUNT][K_COUNT] = {
    /* idle: only HEADERS and PRIORITY; anything else is a connection
     * PROTOCOL_ERROR. */
    [R_IDLE] = {CP, A, A, CP, CP, CP},
    /* reserved (local): PRIORITY, RST_STREAM, WINDOW_UPDATE only. */
    [R_RES_LOCAL] = {CP, CP, A, A, CP, A},
    /* reserved (remote): HEADERS, RST_STREAM, PRIORITY; WINDOW_UPDATE is
     * not listed, so PROTOCOL_ERROR. */
    [R_RES_REMOTE] = {CP, A, A, A, CP, CP},
    [R_OPEN] = {A, A, A, A, A, A},
    [R_HC_LOCAL] = {A, A, A, A, A, A},
    /* half-closed (remote): the peer is done sending: STREAM_CLOSED. */
    [R_HC_REMOTE] = {SC, SC, A, A, SC, A},
    /* closed after END_STREAM: late WINDOW_UPDATE / RST_STREAM may still
     * arrive and are ignored; more content is a connection error. */
    [R_CLOSED_ES] = {CC, CC, A, I, CC, I},
    /* we reset it: the peer may not know yet, so ignore everything. */
    [R_CLOSED_RST_SENT] = {I, I, A, I, I, I},
    /* the peer reset it: anything but PRIORITY is STREAM_CLOSED. */
    /* ...except a second RST_STREAM: §5.4.2 forbids answering RST_STREAM
     * with RST_STREAM (two endpoints would reset each other forever). */
    [R_CLOSED_RST_RECV] = {SC, SC, A, I, SC, SC},
};

static int row_of(h2w_stream_state state, h2w_closed_by closed_by) {
  switch (state) {
  case H2W_SS_IDLE:
    return R_IDLE;
  case H2W_SS_RESERVED_LOCAL:
    return R_RES_LOCAL;
  case H2W_SS_RESERVED_REMOTE:
    return R_RES_REMOTE;
  case H2W_SS_OPEN:
    return R_OPEN;
  case H2W_SS_HALF_CLOSED_LOCAL:
    return R_HC_LOCAL;
  case H2W_SS_HALF_CLOSED_REMOTE:
    return R_HC_REMOTE;
  case H2W_SS_CLOSED:
    if (closed_by == H2W_CLOSED_BY_RST_SENT) {
      return R_CLOSED_RST_SENT;
    }
    if (closed_by == H2W_CLOSED_BY_RST_RECV) {
      return R_CLOSED_RST_RECV;
    }
    return R_CLOSED_ES;
  default:
    return -1;
  }
}

static int kind_of(uint8_t frame_type) {
  /* RFC 9113 §6 type octets. CONTINUATION follows its HEADERS and is
   * checked as part of it by the session. */
  switch (frame_type) {
  case 0x0:
    return K_DATA;
  case 0x1:
  case 0x9:
    return K_HEADERS;
  case 0x2:
    return K_PRIORITY;
  case 0x3:
    return K_RST;
  case 0x5:
    return K_PUSH;
  case 0x8:
    return K_WU;
  default:
    return -1;
  }
}

h2w_recv_verdict h2w_stream_on_recv(h2w_stream_state state,
                                    h2w_closed_by closed_by,
                                    uint8_t frame_type) {
  static const h2w_recv_verdict accept = A;
  static const h2w_recv_verdict invalid = CP;
  int row = row_of(state, closed_by);
  int kind = kind_of(frame_type);
  if (row < 0) {
    return invalid;
  }
  if (kind < 0) {
    return accept;
  }
  return recv_rules[row][kind];
}

const char *h2w_stream_state_name(h2w_stream_state state) {
  static const char *const names[H2W_SS_COUNT_] = {
      "idle",   "reserved (local)",    "reserved (remote)",
      "open",   "half-closed (local)", "half-closed (remote)",
      "closed",
  };
  if ((unsigned)state >= H2W_SS_COUNT_) {
    return "invalid";
  }
  return names[state];
}

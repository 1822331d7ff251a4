/* The stream state machine of RFC 9113 §5.1, as two tables with the RFC's
 * state names: how each sent/received event moves a stream, and what to do
 * with each frame type received in each state. No session state here: the
 * session stores the state per stream and asks these tables. */
#ifndef H2W_STREAM_H
#define H2W_STREAM_H

#include <stdint.h>

typedef enum h2w_stream_state {
  H2W_SS_IDLE = 0,
  H2W_SS_RESERVED_LOCAL,
  H2W_SS_RESERVED_REMOTE,
  H2W_SS_OPEN,
  H2W_SS_HALF_CLOSED_LOCAL,
  H2W_SS_HALF_CLOSED_REMOTE,
  H2W_SS_CLOSED,
  H2W_SS_COUNT_
} h2w_stream_state;

/* How a closed stream got closed: the RFC gives each a different reply to
 * late frames (§5.1, "closed"). */
typedef enum h2w_closed_by {
  H2W_CLOSED_BY_NONE = 0,   /* not closed */
  H2W_CLOSED_BY_END_STREAM, /* END_STREAM both ways */
  H2W_CLOSED_BY_RST_SENT,   /* we sent RST_STREAM */
  H2W_CLOSED_BY_RST_RECV,   /* the peer sent RST_STREAM */
  /* Closed without ever being opened on the wire, so the peer never saw
   * it: our request closed while still queued (never sent), or a peer id
   * the peer skipped, which §5.1.1 closes implicitly. Frames on it are
   * the same error as on an idle stream. */
  H2W_CLOSED_BY_NEVER_OPENED,
  /* Closed so long ago that the session no longer remembers how (the
   * record is bounded). It may be one we reset, whose late frames §5.1
   * says to ignore, so everything is ignored (and charged to the glitch
   * budget by the session), never a connection error. */
  H2W_CLOSED_BY_FORGOTTEN,
  /* A stream the peer opened above the last stream id of a GOAWAY we had
   * sent: never processed (RFC 9113 §6.8). The peer may not have seen
   * the GOAWAY yet, so frames on it are ignored, as after our
   * RST_STREAM. */
  H2W_CLOSED_BY_GOAWAY_SENT
} h2w_closed_by;

/* The events of the §5.1 diagram: H, PP, ES and R, each sent or received.
 * END_STREAM on a HEADERS frame is two events: H, then ES. */
typedef enum h2w_stream_event {
  H2W_EV_SEND_HEADERS = 0,
  H2W_EV_RECV_HEADERS,
  H2W_EV_SEND_PUSH_PROMISE, /* on the promised stream */
  H2W_EV_RECV_PUSH_PROMISE, /* on the promised stream */
  H2W_EV_SEND_END_STREAM,
  H2W_EV_RECV_END_STREAM,
  H2W_EV_SEND_RST_STREAM,
  H2W_EV_RECV_RST_STREAM,
  H2W_EV_COUNT_
} h2w_stream_event;

/* RFC 9113 §5.1, Figure 2 (stream.c): the next state, -1 for an event
 * not allowed. */
extern const signed char h2w_stream_transitions[H2W_SS_COUNT_][H2W_EV_COUNT_];

/* Apply `ev`. Returns the next state, or -1 when the event is not allowed
 * in `from` (for a sent event: a caller bug the API must refuse; for a
 * received one, check h2w_stream_on_recv first, which gives the error).
 * Inline: a stream goes through it a few times. */
static inline int h2w_stream_next(h2w_stream_state from, h2w_stream_event ev) {
  if ((unsigned)from >= H2W_SS_COUNT_ || (unsigned)ev >= H2W_EV_COUNT_) {
    return -1;
  }
  return h2w_stream_transitions[from][ev];
}

/* When `ev` closes the stream, how (for the closed-state rules). */
static inline h2w_closed_by h2w_stream_closed_by(h2w_stream_event ev) {
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

typedef enum h2w_recv_action {
  H2W_RECV_ACCEPT = 0,   /* process the frame */
  H2W_RECV_IGNORE,       /* discard it (flow control still counts DATA) */
  H2W_RECV_STREAM_ERROR, /* RST_STREAM with `code` (§5.4.2) */
  H2W_RECV_CONN_ERROR    /* GOAWAY with `code` (§5.4.1) */
} h2w_recv_action;

typedef struct h2w_recv_verdict {
  h2w_recv_action action;
  uint32_t code; /* RFC 9113 §7 error code for the two error actions */
} h2w_recv_verdict;

/* Everything the receive table needs to know about a stream id: its §5.1
 * state and who opens streams with that id (§5.1.1: clients odd ids,
 * servers even ones). The initiator matters because the RFC's rules do:
 * HEADERS may open an idle stream only when a client sends it on its own
 * id; PUSH_PROMISE may only arrive on a stream the client opened (§6.6);
 * a PRIORITY_UPDATE may name an idle request stream but not an idle push
 * stream (RFC 9218 §7.1). A stream of ours in state idle is one the peer
 * has never seen: never used, or a request queued for a slot and not yet
 * sent (§5.1.1: any frame on it but PRIORITY is a PROTOCOL_ERROR). */
typedef struct h2w_stream_facts {
  h2w_stream_state state;
  h2w_closed_by closed_by; /* for state closed */
  uint8_t ours;            /* the id is one we initiate */
  uint8_t server;          /* we are the server */
} h2w_stream_facts;

/* Pseudo frame type for h2w_stream_on_recv: a PUSH_PROMISE seen from the
 * stream it promises (§6.6: that id must be an idle server stream). The
 * PRIORITY_UPDATE type (0x10) is looked up for its prioritized stream. */
#define H2W_RECV_PROMISED 0x105u

/* What to do with a frame of `frame_type` (RFC 9113 §6 type octet, or
 * H2W_RECV_PROMISED) received about the stream `f` describes. Frame types
 * this table does not know (extensions, §5.5) are accepted: their own
 * rules apply. Role checks that do not depend on a stream (a server
 * receiving PUSH_PROMISE, a client receiving PRIORITY_UPDATE) are the
 * session's. */
h2w_recv_verdict h2w_stream_on_recv(const h2w_stream_facts *f,
                                    unsigned frame_type);

/* The RFC's name of a state ("half-closed (remote)"), for traces. */
const char *h2w_stream_state_name(h2w_stream_state state);

#endif

#include "stream.h"

#include "h2wire.h"

#define X (-1)

/* RFC 9113 §5.1, Figure 2, one row per state, one column per event:
 *              send H   recv H   send PP  recv PP  send ES  recv ES
 *              send R   recv R */
const signed char h2w_stream_transitions[H2W_SS_COUNT_][H2W_EV_COUNT_] = {
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

/* Columns of the receive tables: the frame types §5.1 speaks of, plus
 * the stream a PRIORITY_UPDATE names (RFC 9218 §7.1) and the stream a
 * PUSH_PROMISE promises (§6.6). */
enum {
  K_DATA,
  K_HEADERS,
  K_PRIORITY,
  K_RST,
  K_PUSH,
  K_WU,
  K_PRIO_UPDATE,
  K_PROMISED,
  K_COUNT
};

/* The five verdicts the tables use. A table cell is an index into this
 * array, an octet instead of an 8-octet verdict: 192 octets of tables
 * instead of 1,536 (bench/README.md, "Library size"). */
enum { A, I, CP, CC, SC, V_COUNT };

static const h2w_recv_verdict verdicts[V_COUNT] = {
    [A] = {H2W_RECV_ACCEPT, 0},
    [I] = {H2W_RECV_IGNORE, 0},
    [CP] = {H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR},
    [CC] = {H2W_RECV_CONN_ERROR, H2W_STREAM_CLOSED},
    [SC] = {H2W_RECV_STREAM_ERROR, H2W_STREAM_CLOSED},
};

/* Rows: the §5.1 states, idle split by how the peer may open it, closed
 * split by cause. */
enum {
  R_IDLE,      /* ours: never sent (or queued); theirs: a client's id */
  R_IDLE_PUSH, /* theirs only: a server's id, opened by PUSH_PROMISE */
  R_RES_LOCAL,
  R_RES_REMOTE,
  R_OPEN,
  R_HC_LOCAL,
  R_HC_REMOTE,
  R_CLOSED_ES,
  R_CLOSED_RST_SENT,
  R_CLOSED_RST_RECV,
  R_NEVER_OPENED,
  R_FORGOTTEN,
  R_COUNT
};

/* Streams we initiate (a client's requests, a server's pushes).
 *          DATA HEADERS PRIORITY RST PUSH_PROMISE WINDOW_UPDATE
 *          PRIORITY_UPDATE promised-by-PUSH_PROMISE
 * The promised column is all PROTOCOL_ERROR: a server promises its own
 * (even) ids, which are never ours on a client (§5.1.1, §6.6). */
static const uint8_t ours[R_COUNT][K_COUNT] = {
    /* idle: the peer has never seen it (never used, or a request queued
     * for a slot). §5.1.1: a frame on it other than PRIORITY is
     * PROTOCOL_ERROR; RFC 9218 §7.1: so is a PRIORITY_UPDATE for an idle
     * push stream. */
    [R_IDLE] = {CP, CP, A, CP, CP, CP, CP, CP},
    [R_IDLE_PUSH] = {CP, CP, A, CP, CP, CP, CP, CP},
    /* reserved (local): PRIORITY, RST_STREAM, WINDOW_UPDATE only. */
    [R_RES_LOCAL] = {CP, CP, A, A, CP, A, A, CP},
    /* (not reachable for our ids) */
    [R_RES_REMOTE] = {CP, CP, A, A, CP, CP, CP, CP},
    /* open / half-closed (local): a response may come, with pushes on
     * our request (§6.6). */
    [R_OPEN] = {A, A, A, A, A, A, A, CP},
    [R_HC_LOCAL] = {A, A, A, A, A, A, A, CP},
    /* half-closed (remote): the peer is done sending: STREAM_CLOSED;
     * §6.6: PUSH_PROMISE on it is a connection PROTOCOL_ERROR. */
    [R_HC_REMOTE] = {SC, SC, A, A, CP, A, A, CP},
    /* closed after END_STREAM: late WINDOW_UPDATE / RST_STREAM may still
     * arrive and are ignored; more content is a connection error (§6.6
     * names PROTOCOL_ERROR for PUSH_PROMISE). RFC 9218 §7.1: a server
     * may discard PRIORITY_UPDATE for a closed stream. */
    [R_CLOSED_ES] = {CC, CC, A, I, CP, I, I, CP},
    /* we reset it: the peer may not know yet, so ignore everything
     * (§5.1; §6.6 for PUSH_PROMISE). */
    [R_CLOSED_RST_SENT] = {I, I, A, I, I, I, I, CP},
    /* the peer reset it: anything but PRIORITY is STREAM_CLOSED, except
     * a second RST_STREAM (§5.4.2 forbids answering one with another) and
     * PUSH_PROMISE (§6.6: connection error). */
    [R_CLOSED_RST_RECV] = {SC, SC, A, I, CP, SC, I, CP},
    /* closed before its HEADERS left (a queued request): as idle. */
    [R_NEVER_OPENED] = {CP, CP, A, CP, CP, CP, CP, CP},
    /* closed and forgotten: possibly reset by us, so ignored. */
    [R_FORGOTTEN] = {I, I, A, I, I, I, I, CP},
};

/* Streams the peer initiates (a client's requests on a server, a
 * server's pushes on a client). No PUSH_PROMISE is ever valid on them:
 * §6.6, a server pushes only on a stream the client opened. */
static const uint8_t theirs[R_COUNT][K_COUNT] = {
    /* idle, a client's id (we are the server): HEADERS opens it (§5.1),
     * a PRIORITY_UPDATE may come first (RFC 9218 §7.1). */
    [R_IDLE] = {CP, A, A, CP, CP, CP, A, CP},
    /* idle, a server's id (we are the client): only a PUSH_PROMISE may
     * reserve it (§5.1, §8.4); HEADERS cannot open it. */
    [R_IDLE_PUSH] = {CP, CP, A, CP, CP, CP, CP, A},
    /* (not reachable for their ids) */
    [R_RES_LOCAL] = {CP, CP, A, A, CP, A, A, CP},
    /* reserved (remote): HEADERS, RST_STREAM, PRIORITY; WINDOW_UPDATE is
     * not listed, so PROTOCOL_ERROR. */
    [R_RES_REMOTE] = {CP, A, A, A, CP, CP, A, CP},
    [R_OPEN] = {A, A, A, A, CP, A, A, CP},
    [R_HC_LOCAL] = {A, A, A, A, CP, A, A, CP},
    [R_HC_REMOTE] = {SC, SC, A, A, CP, A, A, CP},
    [R_CLOSED_ES] = {CC, CC, A, I, CP, I, I, CP},
    [R_CLOSED_RST_SENT] = {I, I, A, I, CP, I, I, CP},
    [R_CLOSED_RST_RECV] = {SC, SC, A, I, CP, SC, I, CP},
    /* an id the peer skipped (§5.1.1: implicitly closed, never opened):
     * using it now is an unexpected stream identifier (PROTOCOL_ERROR). */
    [R_NEVER_OPENED] = {CP, CP, A, CP, CP, CP, I, CP},
    /* closed and forgotten: possibly reset by us, so ignored (§5.1);
     * never a connection error merely because we forgot. */
    [R_FORGOTTEN] = {I, I, A, I, CP, I, I, CP},
};

static int closed_row(h2w_closed_by closed_by) {
  switch (closed_by) {
  case H2W_CLOSED_BY_RST_SENT:
  case H2W_CLOSED_BY_GOAWAY_SENT: /* the peer may not know yet either */
    return R_CLOSED_RST_SENT;
  case H2W_CLOSED_BY_RST_RECV:
    return R_CLOSED_RST_RECV;
  case H2W_CLOSED_BY_NEVER_OPENED:
    return R_NEVER_OPENED;
  case H2W_CLOSED_BY_FORGOTTEN:
    return R_FORGOTTEN;
  default:
    return R_CLOSED_ES;
  }
}

static int row_of(const h2w_stream_facts *f) {
  switch (f->state) {
  case H2W_SS_IDLE:
    /* Of the peer's ids, a client's are opened by HEADERS, a server's
     * by PUSH_PROMISE. */
    return !f->ours && !f->server ? R_IDLE_PUSH : R_IDLE;
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
    return closed_row(f->closed_by);
  default:
    return -1;
  }
}

static int kind_of(unsigned frame_type) {
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
  case 0x10: /* RFC 9218 §7.1 */
    return K_PRIO_UPDATE;
  case H2W_RECV_PROMISED:
    return K_PROMISED;
  default:
    return -1;
  }
}

h2w_recv_verdict h2w_stream_on_recv(const h2w_stream_facts *f,
                                    unsigned frame_type) {
  int row = row_of(f);
  int kind = kind_of(frame_type);
  if (row < 0) {
    return verdicts[CP];
  }
  if (kind < 0) {
    return verdicts[A];
  }
  return verdicts[f->ours ? ours[row][kind] : theirs[row][kind]];
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

/* src/stream.c: RFC 9113 §5.1 transitions and receive rules. Each test
 * states the RFC sentence it checks, so the tables are checked against the
 * text rather than against themselves. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "h2wire.h"
#include "stream.h"

enum {
  DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST = 0x3,
  PUSH = 0x5,
  WU = 0x8,
  CONT = 0x9,
  UNKNOWN = 0xfa
};

static void walk(h2w_stream_state *s, h2w_stream_event ev,
                 h2w_stream_state expect) {
  int next = h2w_stream_next(*s, ev);
  assert_int_equal(next, (int)expect);
  *s = (h2w_stream_state)next;
}

static void expect_as(int ours, int server, h2w_stream_state st,
                      h2w_closed_by by, unsigned type, h2w_recv_action action,
                      uint32_t code) {
  h2w_stream_facts f;
  h2w_recv_verdict v;
  f.state = st;
  f.closed_by = by;
  f.ours = (uint8_t)ours;
  f.server = (uint8_t)server;
  v = h2w_stream_on_recv(&f, type);
  assert_int_equal(v.action, action);
  if (action == H2W_RECV_STREAM_ERROR || action == H2W_RECV_CONN_ERROR) {
    assert_int_equal(v.code, code);
  }
}

/* The verdict seen from the side where `st` is the usual state: an idle
 * id is a client's new request on a server, reserved (local) a server's
 * push, reserved (remote) a push on a client, anything else a client's
 * own request. */
static void expect_verdict(h2w_stream_state st, h2w_closed_by by, uint8_t type,
                           h2w_recv_action action, uint32_t code) {
  int ours = st != H2W_SS_IDLE && st != H2W_SS_RESERVED_REMOTE;
  int server = st == H2W_SS_IDLE || st == H2W_SS_RESERVED_LOCAL;
  expect_as(ours, server, st, by, type, action, code);
}

static void test_request_lifecycle_client(void **state) {
  h2w_stream_state s = H2W_SS_IDLE;
  (void)state;
  /* GET: HEADERS with END_STREAM, response HEADERS, DATA with ES. */
  walk(&s, H2W_EV_SEND_HEADERS, H2W_SS_OPEN);
  walk(&s, H2W_EV_SEND_END_STREAM, H2W_SS_HALF_CLOSED_LOCAL);
  walk(&s, H2W_EV_RECV_HEADERS, H2W_SS_HALF_CLOSED_LOCAL);
  walk(&s, H2W_EV_RECV_END_STREAM, H2W_SS_CLOSED);
  assert_int_equal(h2w_stream_closed_by(H2W_EV_RECV_END_STREAM),
                   H2W_CLOSED_BY_END_STREAM);
}

static void test_request_lifecycle_server(void **state) {
  h2w_stream_state s = H2W_SS_IDLE;
  (void)state;
  walk(&s, H2W_EV_RECV_HEADERS, H2W_SS_OPEN);
  walk(&s, H2W_EV_RECV_END_STREAM, H2W_SS_HALF_CLOSED_REMOTE);
  walk(&s, H2W_EV_SEND_HEADERS, H2W_SS_HALF_CLOSED_REMOTE); /* 1xx */
  walk(&s, H2W_EV_SEND_HEADERS, H2W_SS_HALF_CLOSED_REMOTE); /* final */
  walk(&s, H2W_EV_SEND_END_STREAM, H2W_SS_CLOSED);
}

static void test_push_lifecycle(void **state) {
  h2w_stream_state s = H2W_SS_IDLE, c = H2W_SS_IDLE;
  (void)state;
  /* Server side of a promised stream. */
  walk(&s, H2W_EV_SEND_PUSH_PROMISE, H2W_SS_RESERVED_LOCAL);
  walk(&s, H2W_EV_SEND_HEADERS, H2W_SS_HALF_CLOSED_REMOTE);
  walk(&s, H2W_EV_SEND_END_STREAM, H2W_SS_CLOSED);
  /* Client side. */
  walk(&c, H2W_EV_RECV_PUSH_PROMISE, H2W_SS_RESERVED_REMOTE);
  walk(&c, H2W_EV_RECV_HEADERS, H2W_SS_HALF_CLOSED_LOCAL);
  walk(&c, H2W_EV_RECV_END_STREAM, H2W_SS_CLOSED);
  /* Either side may reset a reserved stream. */
  assert_int_equal(
      h2w_stream_next(H2W_SS_RESERVED_REMOTE, H2W_EV_SEND_RST_STREAM),
      H2W_SS_CLOSED);
  assert_int_equal(
      h2w_stream_next(H2W_SS_RESERVED_LOCAL, H2W_EV_RECV_RST_STREAM),
      H2W_SS_CLOSED);
}

static void test_reset_from_every_active_state(void **state) {
  const h2w_stream_state active[] = {
      H2W_SS_RESERVED_LOCAL, H2W_SS_RESERVED_REMOTE, H2W_SS_OPEN,
      H2W_SS_HALF_CLOSED_LOCAL, H2W_SS_HALF_CLOSED_REMOTE};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(active) / sizeof(active[0]); i++) {
    assert_int_equal(h2w_stream_next(active[i], H2W_EV_SEND_RST_STREAM),
                     H2W_SS_CLOSED);
    assert_int_equal(h2w_stream_next(active[i], H2W_EV_RECV_RST_STREAM),
                     H2W_SS_CLOSED);
  }
  /* RST_STREAM on idle is never valid (§6.4). */
  assert_int_equal(h2w_stream_next(H2W_SS_IDLE, H2W_EV_SEND_RST_STREAM), -1);
  assert_int_equal(h2w_stream_closed_by(H2W_EV_SEND_RST_STREAM),
                   H2W_CLOSED_BY_RST_SENT);
  assert_int_equal(h2w_stream_closed_by(H2W_EV_RECV_RST_STREAM),
                   H2W_CLOSED_BY_RST_RECV);
  assert_int_equal(h2w_stream_closed_by(H2W_EV_SEND_HEADERS),
                   H2W_CLOSED_BY_NONE);
}

static void test_invalid_sends(void **state) {
  (void)state;
  /* Nothing but RST may be sent after our END_STREAM. */
  assert_int_equal(
      h2w_stream_next(H2W_SS_HALF_CLOSED_LOCAL, H2W_EV_SEND_HEADERS), -1);
  assert_int_equal(
      h2w_stream_next(H2W_SS_HALF_CLOSED_LOCAL, H2W_EV_SEND_END_STREAM), -1);
  assert_int_equal(h2w_stream_next(H2W_SS_CLOSED, H2W_EV_SEND_HEADERS), -1);
  assert_int_equal(h2w_stream_next(H2W_SS_IDLE, H2W_EV_SEND_END_STREAM), -1);
  /* PUSH_PROMISE only reserves an idle stream. */
  assert_int_equal(h2w_stream_next(H2W_SS_OPEN, H2W_EV_SEND_PUSH_PROMISE), -1);
  /* A reserved (remote) stream cannot be used to send headers. */
  assert_int_equal(h2w_stream_next(H2W_SS_RESERVED_REMOTE, H2W_EV_SEND_HEADERS),
                   -1);
  assert_int_equal(h2w_stream_next(H2W_SS_COUNT_, H2W_EV_SEND_HEADERS), -1);
  assert_int_equal(h2w_stream_next(H2W_SS_OPEN, H2W_EV_COUNT_), -1);
}

static void test_recv_idle(void **state) {
  (void)state;
  /* §5.1 idle: "Receiving any frame other than HEADERS or PRIORITY on a
   * stream in this state MUST be treated as a connection error of type
   * PROTOCOL_ERROR." */
  expect_verdict(H2W_SS_IDLE, H2W_CLOSED_BY_NONE, HEADERS, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_IDLE, H2W_CLOSED_BY_NONE, PRIORITY, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_IDLE, H2W_CLOSED_BY_NONE, DATA, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
  expect_verdict(H2W_SS_IDLE, H2W_CLOSED_BY_NONE, RST, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
  expect_verdict(H2W_SS_IDLE, H2W_CLOSED_BY_NONE, WU, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
  expect_verdict(H2W_SS_IDLE, H2W_CLOSED_BY_NONE, PUSH, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
}

static void test_recv_reserved(void **state) {
  (void)state;
  /* reserved (local): RST_STREAM, PRIORITY, WINDOW_UPDATE only. */
  expect_verdict(H2W_SS_RESERVED_LOCAL, 0, RST, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_RESERVED_LOCAL, 0, PRIORITY, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_RESERVED_LOCAL, 0, WU, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_RESERVED_LOCAL, 0, HEADERS, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
  expect_verdict(H2W_SS_RESERVED_LOCAL, 0, DATA, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
  /* reserved (remote): HEADERS, RST_STREAM, PRIORITY only. */
  expect_verdict(H2W_SS_RESERVED_REMOTE, 0, HEADERS, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_RESERVED_REMOTE, 0, RST, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_RESERVED_REMOTE, 0, PRIORITY, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_RESERVED_REMOTE, 0, WU, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
  expect_verdict(H2W_SS_RESERVED_REMOTE, 0, DATA, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
}

static void test_recv_open_and_half_closed(void **state) {
  const uint8_t all[] = {DATA, HEADERS, PRIORITY, RST, PUSH, WU, CONT};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(all); i++) {
    /* open and half-closed (local): the peer may send anything. */
    expect_verdict(H2W_SS_OPEN, 0, all[i], H2W_RECV_ACCEPT, 0);
    expect_verdict(H2W_SS_HALF_CLOSED_LOCAL, 0, all[i], H2W_RECV_ACCEPT, 0);
  }
  /* half-closed (remote): "If an endpoint receives additional frames,
   * other than WINDOW_UPDATE, PRIORITY, or RST_STREAM ... stream error of
   * type STREAM_CLOSED." */
  expect_verdict(H2W_SS_HALF_CLOSED_REMOTE, 0, DATA, H2W_RECV_STREAM_ERROR,
                 H2W_STREAM_CLOSED);
  expect_verdict(H2W_SS_HALF_CLOSED_REMOTE, 0, HEADERS, H2W_RECV_STREAM_ERROR,
                 H2W_STREAM_CLOSED);
  expect_verdict(H2W_SS_HALF_CLOSED_REMOTE, 0, CONT, H2W_RECV_STREAM_ERROR,
                 H2W_STREAM_CLOSED);
  expect_verdict(H2W_SS_HALF_CLOSED_REMOTE, 0, WU, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_HALF_CLOSED_REMOTE, 0, PRIORITY, H2W_RECV_ACCEPT, 0);
  expect_verdict(H2W_SS_HALF_CLOSED_REMOTE, 0, RST, H2W_RECV_ACCEPT, 0);
}

static void test_recv_closed(void **state) {
  (void)state;
  /* After END_STREAM: more frames are a connection error STREAM_CLOSED,
   * but WINDOW_UPDATE / RST_STREAM may legitimately race our ES. */
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_END_STREAM, DATA,
                 H2W_RECV_CONN_ERROR, H2W_STREAM_CLOSED);
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_END_STREAM, HEADERS,
                 H2W_RECV_CONN_ERROR, H2W_STREAM_CLOSED);
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_END_STREAM, WU, H2W_RECV_IGNORE,
                 0);
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_END_STREAM, RST, H2W_RECV_IGNORE,
                 0);
  /* After we sent RST_STREAM: "MUST ignore frames that it receives on
   * closed streams after it has sent a RST_STREAM frame". */
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_RST_SENT, DATA, H2W_RECV_IGNORE,
                 0);
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_RST_SENT, HEADERS,
                 H2W_RECV_IGNORE, 0);
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_RST_SENT, PUSH, H2W_RECV_IGNORE,
                 0);
  /* After the peer's RST_STREAM: "any frame other than PRIORITY ... stream
   * error of type STREAM_CLOSED". */
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_RST_RECV, DATA,
                 H2W_RECV_STREAM_ERROR, H2W_STREAM_CLOSED);
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_RST_RECV, WU,
                 H2W_RECV_STREAM_ERROR, H2W_STREAM_CLOSED);
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_RST_RECV, PRIORITY,
                 H2W_RECV_ACCEPT, 0);
  /* §5.4.2: never RST_STREAM in answer to RST_STREAM. */
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_RST_RECV, RST, H2W_RECV_IGNORE,
                 0);
  /* PRIORITY is accepted in every state (§5.3.2 keeps it harmless). */
  expect_verdict(H2W_SS_CLOSED, H2W_CLOSED_BY_END_STREAM, PRIORITY,
                 H2W_RECV_ACCEPT, 0);
}

/* Who initiated the stream decides (issue 14, defects D, F, G, H). */
static void test_recv_initiator(void **state) {
  const unsigned PROMISED = H2W_RECV_PROMISED, PU = 0x10;
  (void)state;
  /* §5.1.1: HEADERS on an idle id of ours (never sent, or a request
   * still queued) is a frame on a stream we never opened (F); so is a
   * server's HEADERS opening a stream instead of promising it. */
  expect_as(1, 0, H2W_SS_IDLE, 0, HEADERS, H2W_RECV_CONN_ERROR,
            H2W_PROTOCOL_ERROR);
  expect_as(0, 0, H2W_SS_IDLE, 0, HEADERS, H2W_RECV_CONN_ERROR,
            H2W_PROTOCOL_ERROR);
  expect_as(1, 0, H2W_SS_CLOSED, H2W_CLOSED_BY_NEVER_OPENED, HEADERS,
            H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR);
  expect_as(1, 0, H2W_SS_IDLE, 0, PRIORITY, H2W_RECV_ACCEPT, 0);
  /* §5.1 "closed": ignored after our RST_STREAM, and when we no longer
   * remember how it closed (D). */
  expect_as(0, 1, H2W_SS_CLOSED, H2W_CLOSED_BY_RST_SENT, HEADERS,
            H2W_RECV_IGNORE, 0);
  expect_as(0, 1, H2W_SS_CLOSED, H2W_CLOSED_BY_FORGOTTEN, HEADERS,
            H2W_RECV_IGNORE, 0);
  /* §6.8: a stream the peer opened above our GOAWAY's last id, which it
   * may not have seen yet: as after our RST_STREAM. */
  expect_as(0, 1, H2W_SS_CLOSED, H2W_CLOSED_BY_GOAWAY_SENT, HEADERS,
            H2W_RECV_IGNORE, 0);
  expect_as(0, 1, H2W_SS_CLOSED, H2W_CLOSED_BY_GOAWAY_SENT, DATA,
            H2W_RECV_IGNORE, 0);
  expect_as(0, 1, H2W_SS_CLOSED, H2W_CLOSED_BY_END_STREAM, HEADERS,
            H2W_RECV_CONN_ERROR, H2W_STREAM_CLOSED);
  /* §5.1.1: an id the client skipped is an unexpected identifier. */
  expect_as(0, 1, H2W_SS_CLOSED, H2W_CLOSED_BY_NEVER_OPENED, HEADERS,
            H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR);
  /* §6.6: "A receiver MUST treat the receipt of a PUSH_PROMISE on a
   * stream that is neither 'open' nor 'half-closed (local)' as a
   * connection error of type PROTOCOL_ERROR", except on one we reset
   * (G); never on a stream the server opened. */
  expect_as(1, 0, H2W_SS_HALF_CLOSED_REMOTE, 0, PUSH, H2W_RECV_CONN_ERROR,
            H2W_PROTOCOL_ERROR);
  expect_as(1, 0, H2W_SS_CLOSED, H2W_CLOSED_BY_RST_RECV, PUSH,
            H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR);
  expect_as(1, 0, H2W_SS_CLOSED, H2W_CLOSED_BY_RST_SENT, PUSH, H2W_RECV_IGNORE,
            0);
  expect_as(0, 0, H2W_SS_HALF_CLOSED_LOCAL, 0, PUSH, H2W_RECV_CONN_ERROR,
            H2W_PROTOCOL_ERROR);
  expect_as(0, 0, H2W_SS_CLOSED, H2W_CLOSED_BY_RST_SENT, PUSH,
            H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR);
  /* The promised id: only an idle server id. */
  expect_as(0, 0, H2W_SS_IDLE, 0, PROMISED, H2W_RECV_ACCEPT, 0);
  expect_as(1, 0, H2W_SS_IDLE, 0, PROMISED, H2W_RECV_CONN_ERROR,
            H2W_PROTOCOL_ERROR);
  expect_as(0, 0, H2W_SS_CLOSED, H2W_CLOSED_BY_FORGOTTEN, PROMISED,
            H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR);
  /* RFC 9218 §7.1: "Servers that receive a PRIORITY_UPDATE for a push
   * stream in the 'idle' state MUST respond with a connection error of
   * type PROTOCOL_ERROR" (H); an idle request stream may be prioritized;
   * a closed one is discarded. */
  expect_as(1, 1, H2W_SS_IDLE, 0, PU, H2W_RECV_CONN_ERROR, H2W_PROTOCOL_ERROR);
  expect_as(0, 1, H2W_SS_IDLE, 0, PU, H2W_RECV_ACCEPT, 0);
  expect_as(1, 1, H2W_SS_RESERVED_LOCAL, 0, PU, H2W_RECV_ACCEPT, 0);
  expect_as(0, 1, H2W_SS_CLOSED, H2W_CLOSED_BY_END_STREAM, PU, H2W_RECV_IGNORE,
            0);
}

static void test_recv_extension_and_invalid_state(void **state) {
  int s;
  (void)state;
  /* §5.5: extension frames are not governed by this table. */
  for (s = 0; s < H2W_SS_COUNT_; s++) {
    expect_verdict((h2w_stream_state)s, H2W_CLOSED_BY_END_STREAM, UNKNOWN,
                   H2W_RECV_ACCEPT, 0);
  }
  expect_verdict(H2W_SS_COUNT_, 0, DATA, H2W_RECV_CONN_ERROR,
                 H2W_PROTOCOL_ERROR);
}

static void test_state_names(void **state) {
  (void)state;
  assert_string_equal(h2w_stream_state_name(H2W_SS_IDLE), "idle");
  assert_string_equal(h2w_stream_state_name(H2W_SS_HALF_CLOSED_REMOTE),
                      "half-closed (remote)");
  assert_string_equal(h2w_stream_state_name(H2W_SS_RESERVED_LOCAL),
                      "reserved (local)");
  assert_string_equal(h2w_stream_state_name(H2W_SS_COUNT_), "invalid");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_lifecycle_client),
      cmocka_unit_test(test_request_lifecycle_server),
      cmocka_unit_test(test_push_lifecycle),
      cmocka_unit_test(test_reset_from_every_active_state),
      cmocka_unit_test(test_invalid_sends),
      cmocka_unit_test(test_recv_idle),
      cmocka_unit_test(test_recv_reserved),
      cmocka_unit_test(test_recv_open_and_half_closed),
      cmocka_unit_test(test_recv_closed),
      cmocka_unit_test(test_recv_initiator),
      cmocka_unit_test(test_recv_extension_and_invalid_state),
      cmocka_unit_test(test_state_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

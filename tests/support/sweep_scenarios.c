/* The conversations the failure sweeps replay (sweep.h). Bodies are small
 * and windows smaller still, so that flow control works in every run
 * (several WINDOW_UPDATEs, RFC 9113 §6.9) while a 1-byte sweep stays
 * cheap: every callback call is one more run. */
#include "sweep.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static void expect_log(tpeer *p, const char *pattern) {
  if (!tpeer_log_has(p, pattern)) {
    fail_msg("%s log has no '%s'; log:\n%s", p->is_server ? "server" : "client",
             pattern, p->log.buf ? p->log.buf : "");
  }
}

static void expect_body(const tpeer *p, uint32_t id, size_t want) {
  size_t len = 0;
  const uint8_t *b = tpeer_body(p, id, &len);
  assert_int_equal(len, want);
  assert_true(tpattern_check(b, len));
}

/* ---- handshake: prefaces, SETTINGS both ways, both ACKs (§3.4) ------- */

static void handshake_drive(sw_run *r) {
  sw_pump(r);
}

static void handshake_check(sw_run *r) {
  expect_log(&r->c, "settings *");
  expect_log(&r->c, "settings_ack");
  expect_log(&r->s, "settings *");
  expect_log(&r->s, "settings_ack");
}

const sw_scenario sw_handshake = {"handshake", NULL, handshake_drive, NULL,
                                  handshake_check};

/* ---- exchange: an upload and a download with trailers both ways, a
 * PING, and a SETTINGS change of the stream window in flight (§6.9.2) -- */

static void exchange_options(h2w_options *c, h2w_options *s) {
  assert_int_equal(h2w_options_set_initial_window_size(c, 600), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(s, 500), H2W_OK);
}

static void exchange_drive(sw_run *r) {
  sw_side *c = sw_client(r);
  int32_t id;
  sw_pump(r);
  (void)sw_ping(c);
  id = sw_request(c, POST_REQ, 1200, SW_BODY_TRAILERS);
  if (id > 0) {
    (void)sw_trailers(c, (uint32_t)id, H("x-req-trailer", "done"));
  }
  (void)sw_settings(sw_server(r), H2W_SETTINGS_INITIAL_WINDOW_SIZE, 900);
  sw_pump(r);
}

static void exchange_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd == sw_server(r) && ev->type == TEV_END) {
    if (sw_respond(sd, ev->stream_id,
                   H(":status", "200", "content-type", "text/plain"), 1500,
                   SW_BODY_TRAILERS | SW_BODY_NO_COPY) == H2W_OK) {
      (void)sw_trailers(sd, ev->stream_id, H("x-resp-trailer", "ok"));
    }
  }
}

static void exchange_check(sw_run *r) {
  expect_log(&r->c, "ping_ack *");
  expect_log(&r->s, "headers 1 trailers es=1");
  expect_log(&r->s, "header 1 x-req-trailer done");
  expect_log(&r->c, "headers 1 trailers es=1");
  expect_log(&r->c, "header 1 x-resp-trailer ok");
  expect_log(&r->c, "close 1 NO_ERROR");
  expect_log(&r->s, "close 1 NO_ERROR");
  expect_body(&r->s, 1, 1200);
  expect_body(&r->c, 1, 1500);
}

const sw_scenario sw_exchange = {"exchange", exchange_options, exchange_drive,
                                 exchange_react, exchange_check};

/* ---- bulk: a 66000-octet download with the default windows, past the
 * connection window (65535, §6.9.2): only a connection-level
 * WINDOW_UPDATE of the client reopens it; the server hands its output
 * over zero-copy (h2w_session_peek/ack) and its body NO_COPY. One big
 * direction only: a 1-byte run moves every octet in its own call. ----- */

#define BULK 66000u

static void bulk_drive(sw_run *r) {
  r->s.use_peek = 1;
  sw_pump(r);
  (void)sw_request(sw_client(r), POST_REQ, 3000, SW_BODY_BIG_READS);
  sw_pump(r);
}

static void bulk_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd == sw_server(r) && ev->type == TEV_END) {
    (void)sw_respond(sd, ev->stream_id, RESP_200, BULK,
                     SW_BODY_NO_COPY | SW_BODY_BIG_READS);
  }
}

static void bulk_check(sw_run *r) {
  expect_log(&r->c, "close 1 NO_ERROR");
  expect_body(&r->s, 1, 3000);
  expect_body(&r->c, 1, BULK);
}

const sw_scenario sw_bulk = {"bulk", NULL, bulk_drive, bulk_react, bulk_check};

/* ---- streams: three uploads against a limit of two concurrent streams
 * (the third waits in the client's queue, §5.1.2), answered under manual
 * flow control (h2w_session_consume() from on_data); the client hands
 * its output over zero-copy (h2w_session_peek/ack) --------------------- */

static void streams_options(h2w_options *c, h2w_options *s) {
  (void)c;
  assert_int_equal(h2w_options_set_max_concurrent_streams(s, 2), H2W_OK);
  assert_int_equal(h2w_options_set_manual_flow_control(s, 1), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(s, 400), H2W_OK);
}

static void streams_drive(sw_run *r) {
  int i;
  r->c.use_peek = 1;
  sw_pump(r);
  for (i = 0; i < 3; i++) {
    (void)sw_request(sw_client(r), POST_REQ, 700, 0);
  }
  sw_pump(r);
}

static void streams_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd != sw_server(r)) {
    return;
  }
  if (ev->type == TEV_DATA) {
    (void)sw_consume(sd, ev->stream_id, ev->len);
  } else if (ev->type == TEV_END) {
    (void)sw_respond(sd, ev->stream_id, RESP_200, 100 * ev->stream_id, 0);
  }
}

static void streams_check(sw_run *r) {
  uint32_t id;
  for (id = 1; id <= 5; id += 2) {
    char pat[32];
    snprintf(pat, sizeof pat, "close %u NO_ERROR", id);
    expect_log(&r->c, pat);
    expect_body(&r->s, id, 700);
    expect_body(&r->c, id, 100 * id);
  }
  expect_log(&r->s, "app consume 5 *");
}

const sw_scenario sw_streams = {"streams", streams_options, streams_drive,
                                streams_react, streams_check};

/* ---- shutdown: the server's graceful shutdown (§6.8: GOAWAY 2^31-1 and
 * a PING, then the real last id) with two streams in flight; a request
 * after it is refused locally; the client says goodbye too ------------ */

static void shutdown_drive(sw_run *r) {
  sw_side *c = sw_client(r);
  sw_pump(r);
  (void)sw_request(c, GET_REQ, 0, 0);
  (void)sw_request(c, GET_REQ, 0, 0);
  sw_pump(r);
  (void)sw_request(c, GET_REQ, 0, 0);
  (void)sw_goaway(c, H2W_NO_ERROR, "bye");
  sw_pump_at(r, 100);
}

static void shutdown_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd != sw_server(r) || ev->type != TEV_END) {
    return;
  }
  if (ev->stream_id == 1) {
    (void)sw_shutdown(sd);
    (void)sw_respond(sd, 1, RESP_200, 500, 0);
  } else {
    (void)sw_respond(sd, ev->stream_id, RESP_200, 0, 0);
  }
}

static void shutdown_check(sw_run *r) {
  expect_log(&r->c, "goaway 2147483647 NO_ERROR");
  expect_log(&r->c, "goaway 3 NO_ERROR");
  expect_log(&r->c, "close 1 NO_ERROR");
  expect_log(&r->c, "close 3 NO_ERROR");
  expect_log(&r->c, "app request H2W_E_INVALID_STATE");
  expect_log(&r->s, "goaway 0 NO_ERROR debug=bye");
  expect_body(&r->c, 1, 500);
  assert_int_equal(h2w_session_want_read(r->c.s), 0);
  assert_int_equal(h2w_session_want_read(r->s.s), 0);
}

const sw_scenario sw_shutdown_sc = {"shutdown", NULL, shutdown_drive,
                                    shutdown_react, shutdown_check};

/* ---- goaway: the server sends GOAWAY NO_ERROR at once when request 1
 * begins, while request 3 is already on its way: stream 1 completes,
 * stream 3 is ignored by the server and closed retryable by the client
 * (§6.8, §8.7) -------------------------------------------------------- */

static void goaway_drive(sw_run *r) {
  sw_side *c = sw_client(r);
  sw_pump(r);
  (void)sw_request(c, GET_REQ, 0, 0);
  (void)sw_request(c, GET_REQ, 0, 0);
  sw_pump(r);
}

static void goaway_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd != sw_server(r)) {
    return;
  }
  if (ev->type == TEV_BEGIN_HEADERS && ev->stream_id == 1) {
    (void)sw_goaway(sd, H2W_NO_ERROR, "drain");
  } else if (ev->type == TEV_END) {
    (void)sw_respond(sd, ev->stream_id, RESP_200, 300, 0);
  }
}

static void goaway_check(sw_run *r) {
  expect_log(&r->c, "goaway 1 NO_ERROR debug=drain");
  expect_log(&r->c, "close 1 NO_ERROR");
  expect_log(&r->c, "close 3 * retryable");
  expect_body(&r->c, 1, 300);
  assert_false(tpeer_log_has(&r->s, "* 3 *"));
}

const sw_scenario sw_goaway_sc = {"goaway", NULL, goaway_drive, goaway_react,
                                  goaway_check};

/* ---- reset: the server resets an upload at its headers, the client a
 * download at its response headers (§6.4); a third stream still works - */

static void reset_options(h2w_options *c, h2w_options *s) {
  (void)s;
  assert_int_equal(h2w_options_set_initial_window_size(c, 512), H2W_OK);
}

static void reset_drive(sw_run *r) {
  sw_side *c = sw_client(r);
  sw_pump(r);
  (void)sw_request(c, POST_REQ, 3000, 0);
  sw_pump(r);
  (void)sw_request(c, GET_REQ, 0, 0);
  sw_pump(r);
  (void)sw_request(c, GET_REQ, 0, 0);
  sw_pump(r);
}

static void reset_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd == sw_client(r)) {
    if (ev->type == TEV_HEADERS && ev->stream_id == 3) {
      (void)sw_rst(sd, 3, H2W_CANCEL);
    }
  } else if (ev->type == TEV_HEADERS && ev->stream_id == 1) {
    (void)sw_rst(sd, 1, H2W_CANCEL);
  } else if (ev->type == TEV_END) {
    (void)sw_respond(sd, ev->stream_id, RESP_200,
                     ev->stream_id == 3 ? 4000 : 100, 0);
  }
}

static void reset_check(sw_run *r) {
  expect_log(&r->c, "reset 1 CANCEL");
  expect_log(&r->c, "close 1 CANCEL reset");
  expect_log(&r->s, "close 1 CANCEL reset");
  expect_log(&r->s, "reset 3 CANCEL");
  expect_log(&r->c, "close 3 CANCEL reset");
  expect_log(&r->c, "close 5 NO_ERROR");
  expect_body(&r->c, 5, 100);
}

const sw_scenario sw_reset = {"reset", reset_options, reset_drive, reset_react,
                              reset_check};

/* ---- upgrade: an h2c Upgrade (RFC 7540 §3.2; the HTTP/1.1 exchange is
 * the caller's): stream 1 exists on both sides before any frame, the
 * server answers it with a body, then a normal request on stream 3 ---- */

static void upgrade_drive(sw_run *r) {
  (void)sw_upgrade(r);
  (void)sw_respond(sw_server(r), 1, RESP_200, 2000, 0);
  sw_pump(r);
  (void)sw_request(sw_client(r), GET_REQ, 0, 0);
  sw_pump(r);
}

static void upgrade_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd == sw_server(r) && ev->type == TEV_END) {
    (void)sw_respond(sd, ev->stream_id, RESP_200, 100, 0);
  }
}

static void upgrade_check(sw_run *r) {
  expect_log(&r->c, "app upgrade 0");
  expect_log(&r->s, "app upgrade 0");
  expect_log(&r->c, "headers 1 resp es=0");
  expect_log(&r->c, "close 1 NO_ERROR");
  expect_log(&r->c, "close 3 NO_ERROR");
  expect_body(&r->c, 1, 2000);
  expect_body(&r->c, 3, 100);
}

const sw_scenario sw_upgrade_sc = {"upgrade", NULL, upgrade_drive,
                                   upgrade_react, upgrade_check};

/* ---- push: the server promises a response on the client's request
 * (RFC 9113 §8.4), answers both, the pushed one with a body past the
 * stream window; the client accepts it -------------------------------- */

static void push_options(h2w_options *c, h2w_options *s) {
  assert_int_equal(h2w_options_set_enable_push(c, 1), H2W_OK);
  assert_int_equal(h2w_options_set_initial_window_size(c, 700), H2W_OK);
  (void)s;
}

static void push_drive(sw_run *r) {
  sw_pump(r);
  (void)sw_request(sw_client(r), GET_REQ, 0, 0);
  sw_pump(r);
}

static void push_react(sw_run *r, sw_side *sd, const tev *ev) {
  if (sd == sw_server(r) && ev->type == TEV_END) {
    int32_t pid = sw_push(sd, ev->stream_id,
                          H(":method", "GET", ":scheme", "https", ":authority",
                            "example.org", ":path", "/p.css"));
    if (pid > 0) {
      (void)sw_respond(sd, (uint32_t)pid, RESP_200, 1800, 0);
    }
    (void)sw_respond(sd, ev->stream_id, RESP_200, 300, 0);
  }
}

static void push_check(sw_run *r) {
  expect_log(&r->c, "push 1 promised=2");
  expect_log(&r->c, "close 2 NO_ERROR");
  expect_log(&r->c, "close 1 NO_ERROR");
  expect_log(&r->s, "close 2 NO_ERROR");
  expect_body(&r->c, 2, 1800);
  expect_body(&r->c, 1, 300);
}

const sw_scenario sw_push_sc = {"push", push_options, push_drive, push_react,
                                push_check};

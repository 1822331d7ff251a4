/* Issue 14, the HTTP-semantics part: defects L (content-length on a 2xx
 * response to CONNECT), M (an invalid Huffman string that is skipped
 * rather than decoded) and the smaller ones found with them (HEADERS on a
 * CONNECT tunnel, Host against :authority, priority field lines, the
 * CONTINUATION cap). Every receive-path test runs whole, in 1-byte pieces
 * and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "hpack.h"
#include "http.h"
#include "huffman.h"
#include "pump.h"

/* ---- helpers -------------------------------------------------------------
 */

#define CONNECT_REQ H(":method", "CONNECT", ":authority", "example.org:443")
#define WS_REQ                                                                 \
  H(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",        \
    ":path", "/chat", ":authority", "example.org")

/* A hand-driven client after the handshake; with `ext`, the server has
 * announced SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3). */
static void client(tpeer *c, void **state, int ext) {
  tpeer_start(c, 0, tmode(state), NULL);
  tpeer_handshake(c);
  if (ext) {
    h2w_settings_entry iv = {H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0, 1};
    h2w_fb b;
    h2w_fb_init(&b);
    h2w_fb_settings(&b, 0, &iv, 1);
    assert_int_equal(tpeer_feed_fb(c, &b), (h2w_ssize)b.len);
    h2w_fb_free(&b);
    EXPECT_OUT(c, "SETTINGS ack");
  }
  c->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpeer_log_clear(c);
}

/* A hand-driven server after the handshake. */
static void server(tpeer *s, void **state, const h2w_options *opt) {
  tpeer_start(s, 1, tmode(state), opt);
  tpeer_handshake(s);
  s->mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpeer_log_clear(s);
}

static void feed_headers(tpeer *p, uint32_t id, uint32_t flags,
                         const char *const *fields) {
  h2w_fb b;
  h2w_fb_init(&b);
  tpeer_fb_headers(p, &b, id, flags, fields);
  assert_int_equal(tpeer_feed_fb(p, &b), (h2w_ssize)b.len);
  h2w_fb_free(&b);
}

static void feed_data(tpeer *p, uint32_t id, uint32_t flags, const char *d) {
  h2w_fb b;
  h2w_fb_init(&b);
  h2w_fb_data(&b, id, flags, d);
  assert_int_equal(tpeer_feed_fb(p, &b), (h2w_ssize)b.len);
  h2w_fb_free(&b);
}

/* ---- L: content-length on a 2xx response to CONNECT ---------------------
 */

/* Submit `req` (no body: a tunnel the test never writes into), answer
 * 200 with content-length 0, then tunnel DATA: RFC 9110 §9.3.6 says the
 * client MUST ignore content-length here, so the DATA is delivered and
 * nothing is reset. */
static void connect_2xx_case(void **state, int ext, const char *const *req) {
  tpeer c;
  client(&c, state, ext);
  assert_int_equal(tpeer_request(&c, req, tpeer_source(&c, NULL, 0)), 1);
  tpeer_parse_out(&c); /* the request */
  tpeer_out_clear(&c);
  feed_headers(&c, 1, 0, H(":status", "200", "content-length", "0"));
  feed_data(&c, 1, 0, "tunnel bytes");
  feed_data(&c, 1, 0x1, "more");
  EXPECT_LOG(&c, "headers 1 resp es=0", "data 1 16", "end 1",
             "close 1 NO_ERROR");
  assert_false(tpeer_out_has(&c, "RST_STREAM*"));
  assert_false(tpeer_out_has(&c, "GOAWAY*"));
  tpeer_free(&c);
}

static void test_defect_l_connect_2xx_ignores_content_length(void **state) {
  connect_2xx_case(state, 0, CONNECT_REQ);
}

static void
test_defect_l_extended_connect_2xx_ignores_content_length(void **state) {
  connect_2xx_case(state, 1, WS_REQ);
}

/* The neighbour: a non-2xx response to CONNECT is an ordinary message
 * whose content-length binds (RFC 9113 §8.1.1). */
static void test_defect_l_connect_407_keeps_content_length(void **state) {
  tpeer c;
  client(&c, state, 0);
  assert_int_equal(tpeer_request(&c, CONNECT_REQ, tpeer_source(&c, NULL, 0)),
                   1);
  tpeer_parse_out(&c); /* the request */
  tpeer_out_clear(&c);
  feed_headers(&c, 1, 0, H(":status", "407", "content-length", "0"));
  feed_data(&c, 1, 0, "x");
  EXPECT_OUT(&c, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&c, "data 1*"));
  tpeer_free(&c);
}

/* ---- HEADERS on a plain CONNECT tunnel (RFC 9113 §8.5) -------------------
 */

/* After the 2xx, only DATA: a HEADERS (trailers) is a stream error of
 * type PROTOCOL_ERROR and never reaches the application. */
static void test_connect_tunnel_headers_after_2xx_client(void **state) {
  tpeer c;
  client(&c, state, 0);
  assert_int_equal(tpeer_request(&c, CONNECT_REQ, tpeer_source(&c, NULL, 0)),
                   1);
  tpeer_parse_out(&c); /* the request */
  tpeer_out_clear(&c);
  feed_headers(&c, 1, 0, H(":status", "200"));
  feed_data(&c, 1, 0, "abc");
  feed_headers(&c, 1, 0x1, H("x-trailer", "1"));
  EXPECT_OUT(&c, "RST_STREAM 1 PROTOCOL_ERROR");
  EXPECT_LOG(&c, "headers 1 resp es=0", "data 1 3", "error 1 PROTOCOL_ERROR",
             "close 1 PROTOCOL_ERROR reset");
  tpeer_free(&c);
}

/* A server: the request was the client's first HEADERS; a second one on
 * the tunnel is refused the same way. */
static void test_connect_tunnel_headers_after_request_server(void **state) {
  tpeer s;
  server(&s, state, NULL);
  feed_headers(&s, 1, 0, CONNECT_REQ);
  feed_data(&s, 1, 0, "abc");
  feed_headers(&s, 1, 0x1, H("x-trailer", "1"));
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "headers 1 trailers*"));
  assert_true(tpeer_log_has(&s, "close 1 PROTOCOL_ERROR*"));
  tpeer_free(&s);
}

/* Extended CONNECT is not a raw tunnel: its protocol may use trailers. */
static void test_connect_extended_trailers_still_allowed(void **state) {
  tpeer c;
  client(&c, state, 1);
  assert_int_equal(tpeer_request(&c, WS_REQ, tpeer_source(&c, NULL, 0)), 1);
  tpeer_parse_out(&c); /* the request */
  tpeer_out_clear(&c);
  feed_headers(&c, 1, 0, H(":status", "200"));
  feed_headers(&c, 1, 0x1, H("x-trailer", "1"));
  assert_false(tpeer_out_has(&c, "RST_STREAM*"));
  assert_true(tpeer_log_has(&c, "headers 1 trailers es=1"));
  tpeer_free(&c);
}

/* Submitted: the library does not put trailers on a plain CONNECT tunnel,
 * ours (client) or one we answered with 2xx (server); a non-2xx answer is
 * an ordinary response that may have them. */
static void test_connect_tunnel_trailers_not_submitted(void **state) {
  tpeer c, s;
  h2w_nv nv[2];
  size_t n = tnv(nv, 2, H("x-trailer", "1"));
  tsrc *src;
  client(&c, state, 0);
  src = tpeer_source(&c, NULL, 10);
  src->defer_at = 5; /* the body, and so the stream, stays open */
  assert_int_equal(tpeer_request(&c, CONNECT_REQ, src), 1);
  assert_int_equal(h2w_session_submit_trailers(c.s, 1, nv, n),
                   H2W_E_INVALID_STATE);
  src = tpeer_source(&c, NULL, 10);
  src->defer_at = 5;
  assert_int_equal(tpeer_request(&c, POST_REQ, src), 3);
  assert_int_equal(h2w_session_submit_trailers(c.s, 3, nv, n), H2W_OK);
  tpeer_free(&c);

  server(&s, state, NULL);
  feed_headers(&s, 1, 0, CONNECT_REQ);
  feed_headers(&s, 3, 0, CONNECT_REQ);
  src = tpeer_source(&s, NULL, 10);
  src->defer_at = 5;
  tpeer_respond(&s, 1, RESP_200, src);
  assert_int_equal(h2w_session_submit_trailers(s.s, 1, nv, n),
                   H2W_E_INVALID_STATE);
  src = tpeer_source(&s, NULL, 10);
  src->defer_at = 5;
  tpeer_respond(&s, 3, H(":status", "407"), src);
  assert_int_equal(h2w_session_submit_trailers(s.s, 3, nv, n), H2W_OK);
  tpeer_free(&s);
}

/* ---- M: a skipped Huffman string is still validated ----------------------
 */

static int ignore_field(void *user, const h2w_nv *nv) {
  (void)nv;
  (*(int *)user)++;
  return 0;
}

/* Literal field (without indexing, or with incremental indexing) with a
 * new name; the name or the value is the Huffman string `huff` of n
 * octets, far larger than the header-list cap, so the decoder skips it. */
static size_t literal_block(uint8_t *out, int indexing, int in_name,
                            const uint8_t *huff, size_t n) {
  size_t k = 0;
  out[k++] = indexing ? 0x40 : 0x00;
  if (in_name) {
    k += h2w_hpack_int_encode(out + k, n, 7, 0x80);
    memcpy(out + k, huff, n);
    k += n;
    out[k++] = 0x01;
    out[k++] = 'v';
  } else {
    out[k++] = 0x01;
    out[k++] = 'x';
    k += h2w_hpack_int_encode(out + k, n, 7, 0x80);
    memcpy(out + k, huff, n);
    k += n;
  }
  return k;
}

enum { HUFF_VALID, HUFF_EOS, HUFF_LONG_PAD, HUFF_ZERO_PAD, HUFF_CASES };

/* A Huffman string of about 3,000 octets that is valid, or broken the way
 * `how` says (RFC 7541 §5.2). Returns its length. */
static size_t huff_string(uint8_t *out, int how) {
  static uint8_t plain[4800];
  size_t n;
  memset(plain, 'a', sizeof(plain)); /* 'a' is 00011: 8 per 5 octets */
  n = h2w_huffman_encode(out, plain, sizeof(plain));
  switch (how) {
  case HUFF_EOS:
    /* 30 ones in a row: the EOS symbol, in the middle of the string. */
    memset(out + n / 2, 0xff, 4);
    break;
  case HUFF_LONG_PAD:
    out[n++] = 0xff; /* 8 bits of padding */
    break;
  case HUFF_ZERO_PAD:
    out[n++] = 0x18; /* 'a' then 000: padding that is not EOS's prefix */
    break;
  default:
    break;
  }
  return n;
}

static void
test_defect_m_skipped_invalid_huffman_is_compression_error(void **state) {
  static uint8_t huff[4096], blk[4200];
  int how, indexing, in_name;
  uint32_t seed = 0x2545f491u;
  for (how = 0; how < HUFF_CASES; how++) {
    size_t hn = huff_string(huff, how);
    for (indexing = 0; indexing < 2; indexing++) {
      for (in_name = 0; in_name < 2; in_name++) {
        h2w_hpack_decoder *d;
        int fields = 0, rv;
        size_t n = literal_block(blk, indexing, in_name, huff, hn);
        assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
        assert_int_equal(h2w_hpack_decoder_set_max_header_list_size(d, 100),
                         H2W_OK);
        rv = h2w_test_hpack_feed(d, blk, n, tmode(state), &seed, 97,
                                 ignore_field, &fields);
        /* A valid skipped string is only over the cap; a broken one is a
         * decoding error whether or not it was decoded. */
        assert_int_equal(rv,
                         how == HUFF_VALID ? H2W_E_LIMIT : H2W_E_COMPRESSION);
        assert_int_equal(fields, 0);
        h2w_hpack_decoder_del(d);
      }
    }
  }
}

/* The same through a session: a request whose oversized value is broken
 * Huffman is a connection error COMPRESSION_ERROR, not a 431. */
static void test_defect_m_session_skipped_huffman_goaway(void **state) {
  static uint8_t huff[4096], blk[4300];
  int how;
  for (how = 0; how < HUFF_CASES; how++) {
    h2w_options *opt;
    tpeer s;
    h2w_fb b;
    size_t hn = huff_string(huff, how), n;
    assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
    assert_int_equal(h2w_options_set_max_header_list_size(opt, 1000), H2W_OK);
    server(&s, state, opt);
    h2w_options_del(opt);
    n = tpeer_block(&s, blk, sizeof(blk), GET_REQ);
    n += literal_block(blk + n, 0, 0, huff, hn);
    h2w_fb_init(&b);
    h2w_fb_headers(&b, 1, 0x5, blk, n);
    (void)tpeer_feed_fb(&s, &b);
    h2w_fb_free(&b);
    if (how == HUFF_VALID) {
      EXPECT_OUT(&s, "HEADERS 1 es eh :status=431", "RST_STREAM 1 NO_ERROR");
    } else {
      EXPECT_OUT(&s, "GOAWAY last=* COMPRESSION_ERROR*");
    }
    tpeer_free(&s);
  }
}

/* ---- the CONTINUATION cap follows the header-list limit ------------------
 */

enum { BIG_FIELDS = 50, BIG_VALUE = 4000 };

/* A request of about 200 KB: 50 fields of 4,000 '#' (a 12-bit Huffman
 * code, so the encoder sends them raw and the block stays that large). */
static size_t big_request(tpeer *s, uint8_t *blk, size_t cap) {
  static char names[BIG_FIELDS][8], value[BIG_VALUE + 1];
  const char *fields[8 + 2 * BIG_FIELDS + 1];
  size_t k = 0, i;
  const char *const *req = GET_REQ;
  memset(value, '#', BIG_VALUE);
  value[BIG_VALUE] = 0;
  for (i = 0; req[i] != NULL; i++) {
    fields[k++] = req[i];
  }
  for (i = 0; i < BIG_FIELDS; i++) {
    names[i][0] = 'x';
    names[i][1] = '-';
    names[i][2] = (char)('0' + i / 10);
    names[i][3] = (char)('0' + i % 10);
    names[i][4] = 0;
    fields[k++] = names[i];
    fields[k++] = value;
  }
  fields[k] = NULL;
  return tpeer_block(s, blk, cap, fields);
}

/* HEADERS + CONTINUATIONs of at most `piece` octets each. */
static void split_block(h2w_fb *b, uint32_t id, const uint8_t *blk, size_t n,
                        size_t piece) {
  size_t off = 0;
  int first = 1;
  do {
    size_t len = n - off < piece ? n - off : piece;
    uint32_t flags = (first ? 0x1u : 0) | (off + len == n ? 0x4u : 0);
    h2w_fb_hd(b, (uint32_t)len, first ? 0x1u : 0x9u, flags, id);
    h2w_fb_bytes(b, blk + off, len);
    off += len;
    first = 0;
  } while (off < n);
}

static void test_continuation_cap_follows_header_list_limit(void **state) {
  static uint8_t blk[256 * 1024];
  h2w_options *opt;
  tpeer s;
  h2w_fb b;
  size_t n;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_header_list_size(opt, 256 * 1024),
                   H2W_OK);
  server(&s, state, opt);
  h2w_options_del(opt);
  n = big_request(&s, blk, sizeof(blk));
  assert_true(n > 12 * 16384); /* HEADERS and 12 CONTINUATIONs at least */
  h2w_fb_init(&b);
  split_block(&b, 1, blk, n, 16384);
  assert_int_equal(tpeer_feed_fb(&s, &b), (h2w_ssize)b.len);
  h2w_fb_free(&b);
  EXPECT_LOG(&s, "headers 1 req es=1", "end 1");
  assert_false(tpeer_out_has(&s, "GOAWAY*"));
  tpeer_free(&s);
}

/* Empty CONTINUATIONs still trip the cap, at the default limit and at a
 * larger one, long before anything else would stop them. */
static void test_continuation_flood_still_trips(void **state) {
  static const uint32_t limits[] = {0, 256 * 1024};
  size_t li;
  for (li = 0; li < 2; li++) {
    h2w_options *opt;
    tpeer s;
    h2w_fb b;
    uint8_t blk[512];
    size_t n, i;
    assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
    if (limits[li] != 0) {
      assert_int_equal(h2w_options_set_max_header_list_size(opt, limits[li]),
                       H2W_OK);
    }
    server(&s, state, opt);
    h2w_options_del(opt);
    n = tpeer_block(&s, blk, sizeof(blk), GET_REQ);
    h2w_fb_init(&b);
    h2w_fb_hd(&b, (uint32_t)n, 0x1, 0x1, 1);
    h2w_fb_bytes(&b, blk, n);
    for (i = 0; i < 100; i++) {
      h2w_fb_hd(&b, 0, 0x9, 0, 1);
    }
    (void)tpeer_feed_fb(&s, &b);
    h2w_fb_free(&b);
    EXPECT_OUT(&s, "GOAWAY last=* ENHANCE_YOUR_CALM*");
    assert_true(tpeer_log_has(&s, "error 0 ENHANCE_YOUR_CALM*"));
    assert_false(tpeer_log_has(&s, "headers 1*"));
    tpeer_free(&s);
  }
}

/* ---- Host against :authority, empty :authority ---------------------------
 */

typedef struct host_case {
  const char *scheme, *authority, *host;
  int ok;
} host_case;

/* RFC 9113 §8.3.1 with RFC 3986 §6.2.2.1 / §6.2.3 normalisation, and RFC
 * 9110 §4.2: the rules on their own, through h2w_http_msg. */
static void test_host_authority_rules(void **state) {
  static const host_case cases[] = {
      {"https", "example.org", "example.org", 1},
      {"https", "example.org", "EXAMPLE.Org", 1},
      {"https", "example.org", "example.org:443", 1},
      {"https", "example.org:443", "example.org", 1},
      {"https", "example.org:", "example.org:443", 1},
      {"http", "example.org", "example.org:80", 1},
      {"https", "[::1]:8443", "[::1]:8443", 1},
      {"https", "[::1]", "[::1]:443", 1},
      {"https", "example.org", "other.org", 0},
      {"https", "example.org", "example.org:80", 0},
      {"http", "example.org", "example.org:443", 0},
      {"https", "example.org:8443", "example.org", 0},
      {"https", "example.org", "example.org.", 0},
      {"https", "[::1]:8443", "[::2]:8443", 0},
      {"https", "example.org", "", 0},
      {"https", "", "", 0},       /* empty host: RFC 9110 §4.2.2 */
      {"https", ":443", NULL, 0}, /* empty host with a port */
      {"http", "", NULL, 0},      /* RFC 9110 §4.2.1 */
      {"https", "example.org", NULL, 1},
      {"foo", "", NULL, 1}, /* other schemes: not ours to judge */
      {"foo", "a:1", "a:1", 1},
      {"foo", "a:1", "a:2", 0},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const host_case *c = &cases[i];
    const char *const f[] = {":method", "GET",        ":scheme",
                             c->scheme, ":authority", c->authority,
                             ":path",   "/",          c->host ? "host" : NULL,
                             c->host,   NULL};
    h2w_nv nv[5];
    h2w_http_msg m;
    const char *reason = NULL;
    size_t n = tnv(nv, 5, f), k;
    int rv = H2W_OK;
    h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
    for (k = 0; k < n && rv == H2W_OK; k++) {
      rv = h2w_http_msg_field(&m, &nv[k], &reason);
    }
    if (rv == H2W_OK) {
      rv = h2w_http_msg_end(&m, 1, &reason);
    }
    if ((rv == H2W_OK) != c->ok) {
      fail_msg("case %zu (%s, \"%s\", host %s): %s", i, c->scheme, c->authority,
               c->host ? c->host : "(none)",
               rv == H2W_OK ? "accepted" : reason);
    }
  }
}

/* Received: a request whose Host names another host is malformed (a
 * stream error, nothing delivered); a matching one passes. */
static void test_host_differs_from_authority_received(void **state) {
  tpeer s;
  server(&s, state, NULL);
  feed_headers(&s, 1, 0x1,
               H(":method", "GET", ":scheme", "https", ":authority",
                 "example.org", ":path", "/", "host", "evil.example"));
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "headers 1*"));
  feed_headers(&s, 3, 0x1,
               H(":method", "GET", ":scheme", "https", ":authority",
                 "example.org", ":path", "/", "host", "Example.org:443"));
  assert_true(tpeer_log_has(&s, "headers 3 req es=1"));
  assert_false(tpeer_out_has(&s, "RST_STREAM 3*"));
  tpeer_free(&s);
}

static void test_empty_authority_received(void **state) {
  tpeer s;
  server(&s, state, NULL);
  feed_headers(
      &s, 1, 0x1,
      H(":method", "GET", ":scheme", "https", ":authority", "", ":path", "/"));
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR");
  assert_false(tpeer_log_has(&s, "headers 1*"));
  tpeer_free(&s);
}

/* Submitted: the library does not put either on the wire. */
static void test_host_and_empty_authority_submitted(void **state) {
  tpeer c;
  h2w_nv nv[8];
  size_t n;
  client(&c, state, 0);
  n = tnv(nv, 8,
          H(":method", "GET", ":scheme", "https", ":authority", "example.org",
            ":path", "/", "host", "other.org"));
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  n = tnv(
      nv, 8,
      H(":method", "GET", ":scheme", "http", ":authority", "", ":path", "/"));
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  n = tnv(nv, 8,
          H(":method", "GET", ":scheme", "https", ":authority", "example.org",
            ":path", "/", "host", "example.org"));
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, NULL, NULL), 1);
  tpeer_free(&c);
}

/* ---- several priority field lines are one dictionary ---------------------
 */

typedef struct prio_case {
  const char *lines[3]; /* NULL-terminated */
  int urgency, incremental;
} prio_case;

/* RFC 9218 §4 / RFC 8941 §4.2: the lines join with ", " into one
 * dictionary, where a later member replaces an earlier one; a value §4
 * cannot use leaves the parameter at its default; a combined value that
 * is not a dictionary is ignored as a whole. */
static const prio_case prio_cases[] = {
    {{"u=1", "i", NULL}, 1, 1},      {{"i", "u=1", NULL}, 1, 1},
    {{"u=1", "u=5", NULL}, 5, 0},    {{"u=1, i", "i=?0", NULL}, 1, 0},
    {{"u=1", "u=9", NULL}, 3, 0}, /* the later u wins, and is ignored */
    {{"u=1", "x=(", NULL}, 3, 0}, /* not a dictionary: all ignored */
    {{"u=1", "", NULL}, 3, 0},    /* "u=1, " ends with a comma */
    {{"u=0", "foo=bar", "i"}, 0, 1}, {{"u=2", NULL, NULL}, 2, 0},
};

static void test_priority_field_lines_combined_received(void **state) {
  size_t i;
  for (i = 0; i < sizeof(prio_cases) / sizeof(prio_cases[0]); i++) {
    const prio_case *c = &prio_cases[i];
    const char *f[16];
    size_t k = 0, j;
    const char *const *req = GET_REQ;
    int u = -1, inc = -1;
    tpeer s;
    server(&s, state, NULL);
    for (j = 0; req[j] != NULL; j++) {
      f[k++] = req[j];
    }
    for (j = 0; j < 3 && c->lines[j] != NULL; j++) {
      f[k++] = "priority";
      f[k++] = c->lines[j];
    }
    f[k] = NULL;
    feed_headers(&s, 1, 0, f); /* no END_STREAM: the stream stays */
    assert_true(tpeer_log_has(&s, "headers 1 req es=0"));
    assert_int_equal(h2w_session_stream_priority(s.s, 1, &u, &inc), H2W_OK);
    if (u != c->urgency || inc != c->incremental) {
      fail_msg("case %zu: got u=%d i=%d, want u=%d i=%d", i, u, inc, c->urgency,
               c->incremental);
    }
    tpeer_free(&s);
  }
}

/* A client's own request body is scheduled by the same combined value. */
static void test_priority_field_lines_combined_submitted(void **state) {
  tpeer c;
  h2w_nv nv[8];
  size_t n;
  int u = -1, inc = -1;
  int32_t id;
  client(&c, state, 0);
  n = tnv(nv, 8,
          H(":method", "POST", ":scheme", "https", ":authority", "example.org",
            ":path", "/", "priority", "u=1", "priority", "i"));
  id = h2w_session_submit_request(c.s, nv, n, NULL, NULL);
  assert_true(id > 0);
  assert_int_equal(h2w_session_stream_priority(c.s, (uint32_t)id, &u, &inc),
                   H2W_OK);
  assert_int_equal(u, 1);
  assert_int_equal(inc, 1);
  tpeer_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_defect_l_connect_2xx_ignores_content_length),
      SPLIT_TESTS(test_defect_l_extended_connect_2xx_ignores_content_length),
      SPLIT_TESTS(test_defect_l_connect_407_keeps_content_length),
      SPLIT_TESTS(test_connect_tunnel_headers_after_2xx_client),
      SPLIT_TESTS(test_connect_tunnel_headers_after_request_server),
      SPLIT_TESTS(test_connect_extended_trailers_still_allowed),
      SPLIT_TESTS(test_connect_tunnel_trailers_not_submitted),
      SPLIT_TESTS(test_defect_m_skipped_invalid_huffman_is_compression_error),
      SPLIT_TESTS(test_defect_m_session_skipped_huffman_goaway),
      SPLIT_TESTS(test_continuation_cap_follows_header_list_limit),
      SPLIT_TESTS(test_continuation_flood_still_trips),
      cmocka_unit_test(test_host_authority_rules),
      SPLIT_TESTS(test_host_differs_from_authority_received),
      SPLIT_TESTS(test_empty_authority_received),
      SPLIT_TESTS(test_host_and_empty_authority_submitted),
      SPLIT_TESTS(test_priority_field_lines_combined_received),
      SPLIT_TESTS(test_priority_field_lines_combined_submitted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

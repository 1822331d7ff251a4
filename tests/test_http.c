/* src/http.c: RFC 9113 §8 message rules (docs/security.md rows 17 and 18). The
 * octet tests compare the tables with the RFC 9110 grammar spelt out here
 * independently; every malformed case checks the exact reason, so a test
 * fails if a different rule fires than the one it is about. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2wire.h"
#include "http.h"
#include "test_split.h"

typedef struct field {
  const char *name;
  const char *value;
} field;

#define FIELDS(...)                                                            \
  (const field[]){__VA_ARGS__},                                                \
      sizeof((const field[]){__VA_ARGS__}) / sizeof(field)

#define GET_REQ                                                                \
  {":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {                  \
    ":authority", "example.com"                                                \
  }

static h2w_nv nv_bytes(const void *name, size_t nl, const void *value,
                       size_t vl) {
  h2w_nv nv;
  nv.name = (const uint8_t *)name;
  nv.namelen = nl;
  nv.value = (const uint8_t *)value;
  nv.valuelen = vl;
  nv.flags = 0;
  return nv;
}

static h2w_nv nv_str(const char *name, const char *value) {
  return nv_bytes(name, strlen(name), value, strlen(value));
}

/* Feed a whole block. Returns the index of the field that failed, or n
 * when the block passed every field (then *rv is h2w_http_msg_end's). */
static size_t feed(h2w_http_msg *m, int kind, uint32_t flags, const field *f,
                   size_t n, int end_stream, int *rv, const char **reason) {
  size_t i;
  h2w_http_msg_begin(m, kind, flags);
  for (i = 0; i < n; i++) {
    h2w_nv nv = nv_str(f[i].name, f[i].value);
    *rv = h2w_http_msg_field(m, &nv, reason);
    if (*rv != H2W_OK) {
      return i;
    }
  }
  *rv = h2w_http_msg_end(m, end_stream, reason);
  return n;
}

static void expect_ok(h2w_http_msg *m, int kind, uint32_t flags, const field *f,
                      size_t n, int end_stream) {
  const char *reason = NULL;
  int rv = H2W_OK;
  size_t at = feed(m, kind, flags, f, n, end_stream, &rv, &reason);
  if (rv != H2W_OK) {
    fail_msg("field %zu refused: %s", at, reason ? reason : "(no reason)");
  }
  assert_null(reason);
}

/* The block fails at field `at` (n: at the end) with exactly `why`. */
static void expect_bad(int kind, uint32_t flags, const field *f, size_t n,
                       int end_stream, size_t at, const char *why) {
  h2w_http_msg m;
  const char *reason = NULL;
  int rv = H2W_OK;
  size_t got = feed(&m, kind, flags, f, n, end_stream, &rv, &reason);
  assert_int_equal(rv, H2W_E_PROTOCOL);
  assert_non_null(reason);
  assert_string_equal(reason, why);
  assert_int_equal(got, at);
}

/* One field checked on its own, as the first field of a request. */
static int one_field(int kind, h2w_nv nv, const char **reason) {
  h2w_http_msg m;
  *reason = NULL;
  h2w_http_msg_begin(&m, kind, 0);
  return h2w_http_msg_field(&m, &nv, reason);
}

static void expect_field_bad(int kind, h2w_nv nv, const char *why) {
  const char *reason;
  assert_int_equal(one_field(kind, nv, &reason), H2W_E_PROTOCOL);
  assert_non_null(reason);
  assert_string_equal(reason, why);
}

static void expect_field_ok(int kind, h2w_nv nv) {
  const char *reason;
  assert_int_equal(one_field(kind, nv, &reason), H2W_OK);
  assert_null(reason);
}

/* ---- field names (RFC 9113 §8.2.1, RFC 9110 §5.1 / §5.6.2) ---------- */

/* RFC 9110 §5.6.2 tchar, lowercased as RFC 9113 §8.2.1 requires. */
static int is_lower_tchar(int c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *name_reason_for(int c) {
  if (c <= 0x20 || c == 0x7f) {
    return "control or whitespace octet in field name";
  }
  if (c >= 0x80) {
    return "non-ASCII octet in field name";
  }
  if (c >= 'A' && c <= 'Z') {
    return "uppercase character in field name";
  }
  return c == ':' ? "':' inside field name"
                  : "separator character in field name";
}

static void test_name_every_octet(void **state) {
  int c;
  (void)state;
  for (c = 0; c < 256; c++) {
    uint8_t mid[3] = {'a', (uint8_t)c, 'b'};
    uint8_t last[2] = {'x', (uint8_t)c};
    uint8_t pseudo[3] = {':', 'p', (uint8_t)c};
    const char *reason;
    int want = is_lower_tchar(c) ? H2W_OK : H2W_E_PROTOCOL;
    assert_int_equal(
        one_field(H2W_HTTP_REQUEST, nv_bytes(mid, 3, "v", 1), &reason), want);
    assert_int_equal(
        one_field(H2W_HTTP_REQUEST, nv_bytes(last, 2, "v", 1), &reason), want);
    if (want != H2W_OK) {
      assert_string_equal(reason, name_reason_for(c));
    }
    /* Inside a pseudo-header name the same classes apply after ':'; a
     * valid one is merely unknown. */
    assert_int_equal(
        one_field(H2W_HTTP_REQUEST, nv_bytes(pseudo, 3, "v", 1), &reason),
        H2W_E_PROTOCOL);
    assert_string_equal(reason, want == H2W_OK ? "unknown pseudo-header field"
                                               : name_reason_for(c));
  }
}

static void test_name_empty_and_case(void **state) {
  (void)state;
  /* CVE-2019-9516 (docs/security.md row 5): an empty name is malformed. */
  expect_field_bad(H2W_HTTP_REQUEST, nv_bytes("", 0, "v", 1),
                   "empty field name");
  expect_field_bad(H2W_HTTP_RESPONSE, nv_bytes(NULL, 0, NULL, 0),
                   "empty field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str(":", "GET"),
                   "empty pseudo-header field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("Content-Type", "text/html"),
                   "uppercase character in field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str(":Method", "GET"),
                   "uppercase character in field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("x-foO", "1"),
                   "uppercase character in field name");
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("x-custom_1.2~!", "1"));
}

static void test_name_injection(void **state) {
  (void)state;
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("foo:bar", "1"),
                   "':' inside field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("::path", "/"),
                   "':' inside field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("x\r\nevil", "1"),
                   "control or whitespace octet in field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("x evil", "1"),
                   "control or whitespace octet in field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_bytes("con\0nection", 11, "x", 1),
                   "control or whitespace octet in field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("caf\xc3\xa9", "1"),
                   "non-ASCII octet in field name");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("a(b)", "1"),
                   "separator character in field name");
  /* A name broken in several ways still fails with one reason. */
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("A b", "1"),
                   "control or whitespace octet in field name");
}

/* The octet rules are checked a word at a time, with the tail read as
 * overlapping words: every octet value at every position of names of 1 to
 * 40 octets, each in a buffer of exactly that size (so that ASan sees any
 * read past the end), gets the verdict and reason of the RFC grammar. */
static void test_name_every_octet_every_position(void **state) {
  size_t len, pos;
  (void)state;
  for (len = 1; len <= 40; len++) {
    uint8_t *name = malloc(len);
    assert_non_null(name);
    for (pos = 0; pos < len; pos++) {
      int c;
      for (c = 0; c < 256; c++) {
        const char *reason;
        int rv;
        memset(name, 'a', len);
        name[pos] = (uint8_t)c;
        if (pos == 0 && c == ':') {
          continue; /* a pseudo-header name: its own rules */
        }
        rv = one_field(H2W_HTTP_REQUEST, nv_bytes(name, len, "v", 1), &reason);
        if (is_lower_tchar(c)) {
          assert_int_equal(rv, H2W_OK);
        } else {
          assert_int_equal(rv, H2W_E_PROTOCOL);
          assert_string_equal(reason, name_reason_for(c));
        }
      }
    }
    free(name);
  }
}

/* ---- field values (RFC 9113 §8.2.1, RFC 9110 §5.5) ------------------- */

static void test_value_every_octet(void **state) {
  int c;
  (void)state;
  for (c = 0; c < 256; c++) {
    uint8_t v[3] = {'a', (uint8_t)c, 'b'};
    const char *reason;
    int rv = one_field(H2W_HTTP_REQUEST, nv_bytes("x", 1, v, 3), &reason);
    if (c == 0 || c == '\r' || c == '\n') {
      assert_int_equal(rv, H2W_E_PROTOCOL);
      assert_string_equal(reason, "NUL, CR or LF in field value");
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      assert_int_equal(rv, H2W_E_PROTOCOL);
      assert_string_equal(reason, "control character in field value");
    } else {
      /* VCHAR, SP and HTAB inside, obs-text (0x80-0xff) allowed. */
      assert_int_equal(rv, H2W_OK);
    }
  }
}

static void test_value_whitespace_edges(void **state) {
  static const char *bad[] = {" x", "x ", "\tx", "x\t", " ", "\t", " x "};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    expect_field_bad(H2W_HTTP_REQUEST, nv_str("x-a", bad[i]),
                     "leading or trailing whitespace in field value");
  }
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("x-a", "a b\tc"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("x-a", ""));
  expect_field_ok(H2W_HTTP_REQUEST, nv_bytes("x-a", 3, NULL, 0));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("x-a", "\x80\xff obs-text"));
  /* Header splitting attempts in a value. */
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("x-a", "1\r\nhost: evil"),
                   "NUL, CR or LF in field value");
  expect_field_bad(H2W_HTTP_REQUEST, nv_bytes("x-a", 3, "a\0b", 3),
                   "NUL, CR or LF in field value");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("x-a", "a\nb"),
                   "NUL, CR or LF in field value");
}

/* One bad octet anywhere in a long value is found (the scan covers every
 * position, not just a prefix). */
static void test_value_bad_octet_any_position(void **state) {
  uint8_t v[300];
  uint32_t seed = 0x9e3779b9u;
  size_t pos;
  (void)state;
  for (pos = 0; pos < sizeof(v); pos++) {
    size_t i;
    for (i = 0; i < sizeof(v); i++) {
      v[i] = (uint8_t)('!' + h2w_test_rng(&seed) % 94u);
    }
    v[pos] = (pos % 3 == 0) ? 0 : (pos % 3 == 1) ? '\r' : '\n';
    expect_field_bad(H2W_HTTP_RESPONSE, nv_bytes("x", 1, v, sizeof(v)),
                     "NUL, CR or LF in field value");
    v[pos] = 0x01;
    expect_field_bad(H2W_HTTP_RESPONSE, nv_bytes("x", 1, v, sizeof(v)),
                     "control character in field value");
    v[pos] = 'z';
    expect_field_ok(H2W_HTTP_RESPONSE, nv_bytes("x", 1, v, sizeof(v)));
  }
}

/* As for names: every octet value at every position of values of 1 to 40
 * octets, in buffers of exactly that size; SP and HTAB are refused only at
 * either end. */
static void test_value_every_octet_every_position(void **state) {
  size_t len, pos;
  (void)state;
  for (len = 1; len <= 40; len++) {
    uint8_t *v = malloc(len);
    assert_non_null(v);
    for (pos = 0; pos < len; pos++) {
      int c;
      for (c = 0; c < 256; c++) {
        const char *reason;
        const char *want = NULL;
        int rv;
        memset(v, 'a', len);
        v[pos] = (uint8_t)c;
        if (c == 0 || c == '\r' || c == '\n') {
          want = "NUL, CR or LF in field value";
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
          want = "control character in field value";
        } else if ((c == ' ' || c == '\t') && (pos == 0 || pos == len - 1)) {
          want = "leading or trailing whitespace in field value";
        }
        rv = one_field(H2W_HTTP_RESPONSE, nv_bytes("x-a", 3, v, len), &reason);
        if (want == NULL) {
          assert_int_equal(rv, H2W_OK);
        } else {
          assert_int_equal(rv, H2W_E_PROTOCOL);
          assert_string_equal(reason, want);
        }
      }
    }
    free(v);
  }
}

static void test_value_rules_cover_pseudo_fields(void **state) {
  (void)state;
  expect_field_bad(H2W_HTTP_REQUEST, nv_str(":path", "/a\r\nb"),
                   "NUL, CR or LF in field value");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str(":authority", " example.com"),
                   "leading or trailing whitespace in field value");
  expect_field_bad(H2W_HTTP_RESPONSE, nv_str(":status", "200 "),
                   "leading or trailing whitespace in field value");
}

/* ---- requests (RFC 9113 §8.3.1) ------------------------------------- */

static void test_request_valid(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS(GET_REQ, {"accept", "*/*"}, {"cookie", "a=b"},
                   {"cookie", "c=d"}, {"user-agent", "t"}),
            1);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_GET);
  assert_int_equal(h2w_http_msg_status(&m), -1);
  assert_int_equal(h2w_http_msg_content_length(&m), -1);
  assert_int_equal(h2w_http_msg_has_protocol(&m), 0);
  assert_int_equal(h2w_http_msg_is_informational(&m), 0);
  /* Pseudo-header order among themselves is free; :authority optional. */
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS({":path", "/x?y=1"}, {":scheme", "http"},
                   {":method", "POST"}, {"host", "example.com"},
                   {"content-length", "3"}),
            0);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_OTHER);
  assert_int_equal(h2w_http_msg_content_length(&m), 3);
}

static void test_request_methods(void **state) {
  static const struct {
    const char *method;
    int cls;
  } cases[] = {{"GET", H2W_HTTP_METHOD_GET},
               {"HEAD", H2W_HTTP_METHOD_HEAD},
               {"OPTIONS", H2W_HTTP_METHOD_OPTIONS},
               {"PROPFIND", H2W_HTTP_METHOD_OTHER},
               /* RFC 9110 §9.1: methods are case-sensitive. */
               {"get", H2W_HTTP_METHOD_OTHER},
               {"GETS", H2W_HTTP_METHOD_OTHER},
               {"M-SEARCH", H2W_HTTP_METHOD_OTHER}};
  h2w_http_msg m;
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    expect_ok(&m, H2W_HTTP_REQUEST, 0,
              FIELDS({":method", cases[i].method}, {":scheme", "https"},
                     {":path", "/"}),
              1);
    assert_int_equal(h2w_http_msg_method(&m), cases[i].cls);
  }
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", ""}, {":scheme", "https"}, {":path", "/"}), 1,
             0, "invalid :method");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":method", "GE T"}), 1, 0,
             "invalid :method");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":method", "GET/1"}), 1, 0,
             "invalid :method");
}

static void test_request_missing_pseudo(void **state) {
  (void)state;
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":scheme", "https"}, {":path", "/"}),
             1, 2, "missing :method");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":method", "GET"}, {":path", "/"}), 1,
             2, "missing :scheme");
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "GET"}, {":scheme", "https"}), 1, 2,
             "missing :path");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({"accept", "*/*"}), 1, 1,
             "missing :method");
}

static void test_request_pseudo_misuse(void **state) {
  (void)state;
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ, {":method", "GET"}), 1, 4,
             "duplicate pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ, {":path", "/other"}), 1, 4,
             "duplicate pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ, {":scheme", "http"}), 1, 4,
             "duplicate pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ, {":authority", "x"}), 1, 4,
             "duplicate pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "GET"}, {":scheme", "https"}, {"accept", "*/*"},
                    {":path", "/"}),
             1, 3, "pseudo-header field after a regular field");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":method", "GET"}, {":foo", "1"}), 1,
             1, "unknown pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":methods", "GET"}), 1, 0,
             "unknown pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":host", "example.com"}), 1, 0,
             "unknown pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ, {":status", "200"}), 1, 4,
             ":status in a request");
}

static void test_request_scheme(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":scheme", ""}), 1, 0,
             "invalid :scheme");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":scheme", "1http"}), 1, 0,
             "invalid :scheme");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":scheme", "ht tp"}), 1, 0,
             "invalid :scheme");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":scheme", "http:"}), 1, 0,
             "invalid :scheme");
  /* RFC 3986 §3.1: scheme case does not matter, so the http rules hold. */
  expect_bad(
      H2W_HTTP_REQUEST, 0,
      FIELDS({":method", "GET"}, {":scheme", "HTTPS"}, {":path", "index.html"}),
      1, 3, ":path does not start with '/'");
  /* Other schemes keep their own path syntax (§8.3.1 binds http/https). */
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS({":method", "GET"}, {":scheme", "urn+x-1.a"},
                   {":path", "isbn:0451450523"}),
            1);
}

static void test_request_path(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":method", "GET"}, {":path", ""}), 1,
             1, "empty :path");
  expect_ok(
      &m, H2W_HTTP_REQUEST, 0,
      FIELDS({":method", "OPTIONS"}, {":scheme", "https"}, {":path", "*"}), 1);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_OPTIONS);
  expect_ok(
      &m, H2W_HTTP_REQUEST, 0,
      FIELDS({":method", "OPTIONS"}, {":scheme", "https"}, {":path", "/index"}),
      1);
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "GET"}, {":scheme", "https"}, {":path", "*"}),
             1, 3, ":path \"*\" without OPTIONS");
  expect_bad(
      H2W_HTTP_REQUEST, 0,
      FIELDS({":method", "OPTIONS"}, {":scheme", "http"}, {":path", "*x"}), 1,
      3, ":path does not start with '/'");
  /* Absolute-form smuggled into :path. */
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "GET"}, {":scheme", "https"},
                    {":path", "https://evil.example/"}),
             1, 3, ":path does not start with '/'");
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS({":method", "GET"}, {":scheme", "https"}, {":path", "//x"}),
            1);
}

static void test_request_authority_userinfo(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "GET"}, {":scheme", "https"}, {":path", "/"},
                    {":authority", "user:pw@example.com"}),
             1, 4, "userinfo in :authority");
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS({":method", "GET"}, {":scheme", "https"}, {":path", "/"},
                   {":authority", "example.com:8443"}),
            1);
  /* RFC 9110 §4.2.2: an https URI with an empty host is invalid, and
   * RFC 9113 §8.3.1 makes the request malformed (issue 14). */
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "GET"}, {":scheme", "https"}, {":path", "/"},
                    {":authority", ""}),
             1, 4, "empty host in :authority");
}

/* ---- connection-specific fields and te (§8.2.2) --------------------- */

static void test_connection_specific_fields(void **state) {
  static const struct {
    const char *name;
    const char *why;
  } cases[] = {
      {"connection", "connection field in HTTP/2"},
      {"keep-alive", "keep-alive field in HTTP/2"},
      {"proxy-connection", "proxy-connection field in HTTP/2"},
      {"transfer-encoding", "transfer-encoding field in HTTP/2"},
      {"upgrade", "upgrade field in HTTP/2"},
  };
  static const int kinds[] = {H2W_HTTP_REQUEST, H2W_HTTP_RESPONSE,
                              H2W_HTTP_TRAILERS, H2W_HTTP_PUSH_REQUEST};
  size_t i;
  size_t k;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
      expect_field_bad(kinds[k], nv_str(cases[i].name, "close"), cases[i].why);
      expect_field_bad(kinds[k], nv_str(cases[i].name, ""), cases[i].why);
    }
  }
  /* Names that only share a length or a prefix are ordinary fields. */
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("connectiox", "1"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("keep-alivf", "1"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("connections", "1"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("upgrade-insecure-requests", "1"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("x-transfer-encoding", "1"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("proxy-connectiom", "1"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("content-lengthy", "x"));
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("tf", "gzip"));
}

static void test_te(void **state) {
  (void)state;
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("te", "trailers"));
  /* RFC 9110 §10.1.4: the keyword is case-insensitive. */
  expect_field_ok(H2W_HTTP_REQUEST, nv_str("te", "Trailers"));
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("te", "gzip"),
                   "te other than \"trailers\"");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("te", "trailers, gzip"),
                   "te other than \"trailers\"");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("te", "trailer"),
                   "te other than \"trailers\"");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("te", ""),
                   "te other than \"trailers\"");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("te", "trailers;q=1"),
                   "te other than \"trailers\"");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("TE", "trailers"),
                   "uppercase character in field name");
}

/* ---- content-length (RFC 9110 §8.6, RFC 9113 §8.1.1) ---------------- */

static void test_content_length_syntax(void **state) {
  static const char *invalid[] = {"+1",  "-1",   "1,1",      "1 1",
                                  "0x1", "1.0",  "\xd9\xa1", "12a",
                                  "a",   "1, 2", "--0"};
  h2w_http_msg m;
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
    expect_field_bad(H2W_HTTP_REQUEST, nv_str("content-length", invalid[i]),
                     "invalid content-length");
  }
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("content-length", ""),
                   "invalid content-length");
  expect_field_bad(H2W_HTTP_REQUEST, nv_str("content-length", " 1"),
                   "leading or trailing whitespace in field value");
  expect_field_bad(H2W_HTTP_REQUEST,
                   nv_str("content-length", "9223372036854775808"),
                   "content-length too large");
  expect_field_bad(H2W_HTTP_REQUEST,
                   nv_str("content-length", "99999999999999999999999"),
                   "content-length too large");
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS(GET_REQ, {"content-length", "9223372036854775807"}), 0);
  assert_true(h2w_http_msg_content_length(&m) == INT64_MAX);
  expect_ok(&m, H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ, {"content-length", "0"}),
            1);
  assert_int_equal(h2w_http_msg_content_length(&m), 0);
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS(GET_REQ, {"content-length", "0042"}), 0);
  assert_int_equal(h2w_http_msg_content_length(&m), 42);
}

static void test_content_length_repeated(void **state) {
  h2w_http_msg m;
  (void)state;
  /* Our choice (RFC 9110 §8.6 allows it): identical numbers merge. */
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS(GET_REQ, {"content-length", "5"}, {"content-length", "5"},
                   {"content-length", "005"}),
            0);
  assert_int_equal(h2w_http_msg_content_length(&m), 5);
  /* H2.CL smuggling: two framings for one message. */
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS(GET_REQ, {"content-length", "5"}, {"content-length", "6"}),
             1, 5, "conflicting content-length values");
  expect_bad(H2W_HTTP_RESPONSE, 0,
             FIELDS({":status", "200"}, {"content-length", "0"},
                    {"content-length", "10"}),
             0, 2, "conflicting content-length values");
}

/* ---- responses (§8.3.2, §8.1) --------------------------------------- */

static void test_response_valid(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_RESPONSE, 0,
            FIELDS({":status", "200"}, {"content-type", "text/plain"},
                   {"content-length", "12"}),
            0);
  assert_int_equal(h2w_http_msg_status(&m), 200);
  assert_int_equal(h2w_http_msg_is_informational(&m), 0);
  assert_int_equal(h2w_http_msg_content_length(&m), 12);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_NONE);
  expect_ok(&m, H2W_HTTP_RESPONSE, 0, FIELDS({":status", "404"}), 1);
  assert_int_equal(h2w_http_msg_status(&m), 404);
  /* RFC 9110 §15: 600-999 are not errors of framing; the client decides. */
  expect_ok(&m, H2W_HTTP_RESPONSE, 0, FIELDS({":status", "999"}), 1);
  assert_int_equal(h2w_http_msg_status(&m), 999);
}

static void test_response_status_syntax(void **state) {
  static const char *invalid[] = {"",    "20",  "2000", "abc", "-10",  "099",
                                  "000", "2 0", "20a",  "+20", "200.", "1e2"};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
    expect_bad(H2W_HTTP_RESPONSE, 0, FIELDS({":status", invalid[i]}), 0, 0,
               "invalid :status");
  }
  /* §8.6: no Switching Protocols in HTTP/2. */
  expect_bad(H2W_HTTP_RESPONSE, 0, FIELDS({":status", "101"}), 0, 0,
             ":status 101 in HTTP/2");
}

static void test_response_pseudo_misuse(void **state) {
  (void)state;
  expect_bad(H2W_HTTP_RESPONSE, 0, FIELDS({"server", "x"}), 1, 1,
             "missing :status");
  expect_bad(H2W_HTTP_RESPONSE, 0, FIELDS({":status", "200"}, {":path", "/"}),
             1, 1, "request pseudo-header field in a response");
  expect_bad(H2W_HTTP_RESPONSE, 0,
             FIELDS({":method", "GET"}, {":status", "200"}), 1, 0,
             "request pseudo-header field in a response");
  expect_bad(H2W_HTTP_RESPONSE, 0,
             FIELDS({":status", "200"}, {":status", "200"}), 1, 1,
             "duplicate pseudo-header field");
  expect_bad(H2W_HTTP_RESPONSE, 0,
             FIELDS({"date", "today"}, {":status", "200"}), 1, 1,
             "pseudo-header field after a regular field");
  expect_bad(H2W_HTTP_RESPONSE, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":status", "200"}, {":protocol", "websocket"}), 1, 1,
             "request pseudo-header field in a response");
}

static void test_response_informational(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_RESPONSE, 0,
            FIELDS({":status", "103"}, {"link", "</s.css>; rel=preload"}), 0);
  assert_int_equal(h2w_http_msg_is_informational(&m), 1);
  assert_int_equal(h2w_http_msg_status(&m), 103);
  /* The same stream's final response reuses the message. */
  expect_ok(&m, H2W_HTTP_RESPONSE, 0, FIELDS({":status", "200"}), 1);
  assert_int_equal(h2w_http_msg_is_informational(&m), 0);
  expect_ok(&m, H2W_HTTP_RESPONSE, 0, FIELDS({":status", "100"}), 0);
  assert_int_equal(h2w_http_msg_is_informational(&m), 1);
  /* §8.1: a 1xx cannot carry END_STREAM; a final response can. */
  expect_bad(H2W_HTTP_RESPONSE, 0, FIELDS({":status", "100"}), 1, 1,
             "informational response with END_STREAM");
  expect_bad(H2W_HTTP_RESPONSE, 0, FIELDS({":status", "199"}), 1, 1,
             "informational response with END_STREAM");
  expect_ok(&m, H2W_HTTP_RESPONSE, 0, FIELDS({":status", "204"}), 1);
}

/* ---- trailers (§8.1) ------------------------------------------------- */

static void test_trailers(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_TRAILERS, 0,
            FIELDS({"grpc-status", "0"}, {"x-checksum", "abc"}), 1);
  expect_ok(&m, H2W_HTTP_TRAILERS, 0, FIELDS({"x-a", "1"}, {"x-a", "2"}), 1);
  expect_bad(H2W_HTTP_TRAILERS, 0, FIELDS({"grpc-status", "0"}), 0, 1,
             "trailers without END_STREAM");
  expect_bad(H2W_HTTP_TRAILERS, 0, FIELDS({":status", "200"}), 1, 0,
             "pseudo-header field in trailers");
  expect_bad(H2W_HTTP_TRAILERS, 0, FIELDS({"x", "1"}, {":path", "/"}), 1, 1,
             "pseudo-header field in trailers");
  expect_bad(H2W_HTTP_TRAILERS, 0, FIELDS({":foo", "1"}), 1, 0,
             "pseudo-header field in trailers");
  expect_bad(H2W_HTTP_TRAILERS, 0, FIELDS({"content-length", "5"}), 1, 0,
             "content-length in trailers");
  expect_bad(H2W_HTTP_TRAILERS, 0, FIELDS({"X-Upper", "5"}), 1, 0,
             "uppercase character in field name");
}

/* ---- CONNECT (§8.5) and extended CONNECT (RFC 8441 §4) -------------- */

static void test_connect(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS({":method", "CONNECT"}, {":authority", "example.com:443"}),
            0);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_CONNECT);
  assert_int_equal(h2w_http_msg_has_protocol(&m), 0);
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "CONNECT"}, {":authority", "e.com:443"},
                    {":scheme", "https"}),
             0, 3, "CONNECT with :scheme or :path");
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "CONNECT"}, {":authority", "e.com:443"},
                    {":path", "/"}),
             0, 3, "CONNECT with :scheme or :path");
  expect_bad(H2W_HTTP_REQUEST, 0, FIELDS({":method", "CONNECT"}), 0, 1,
             "CONNECT without :authority");
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "CONNECT"}, {":authority", ""}), 0, 2,
             "CONNECT without :authority");
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "CONNECT"}, {":authority", "u@e.com:443"}), 0,
             2, "userinfo in :authority");
}

static void test_extended_connect(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
            FIELDS({":method", "CONNECT"}, {":protocol", "websocket"},
                   {":scheme", "https"}, {":path", "/chat"},
                   {":authority", "server.example.com"},
                   {"sec-websocket-version", "13"}),
            0);
  assert_int_equal(h2w_http_msg_has_protocol(&m), 1);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_CONNECT);
  /* Without SETTINGS_ENABLE_CONNECT_PROTOCOL the field is unknown to us. */
  expect_bad(H2W_HTTP_REQUEST, 0,
             FIELDS({":method", "CONNECT"}, {":protocol", "websocket"}), 0, 1,
             ":protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "GET"}, {":protocol", "websocket"},
                    {":scheme", "https"}, {":path", "/chat"},
                    {":authority", "e.com"}),
             0, 5, ":protocol without CONNECT");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "CONNECT"}, {":protocol", "websocket"},
                    {":scheme", "https"}, {":authority", "e.com"}),
             0, 4, "missing :path");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "CONNECT"}, {":protocol", "websocket"},
                    {":path", "/chat"}, {":authority", "e.com"}),
             0, 4, "missing :scheme");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "CONNECT"}, {":protocol", "websocket"},
                    {":scheme", "https"}, {":path", "/chat"}),
             0, 4, "extended CONNECT without :authority");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "CONNECT"}, {":protocol", "web socket"}), 0, 1,
             "invalid :protocol");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "CONNECT"}, {":protocol", ""}), 0, 1,
             "invalid :protocol");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":protocol", "a"}, {":protocol", "b"}), 0, 1,
             "duplicate pseudo-header field");
  expect_bad(H2W_HTTP_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "CONNECT"}, {":protocol", "websocket"},
                    {":scheme", "https"}, {":path", "chat"},
                    {":authority", "e.com"}),
             0, 5, ":path does not start with '/'");
}

/* ---- push requests (§8.4) -------------------------------------------- */

static void test_push_request(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_PUSH_REQUEST, 0, FIELDS(GET_REQ), 0);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_GET);
  /* PUSH_PROMISE has no END_STREAM flag: the argument does not matter. */
  expect_ok(&m, H2W_HTTP_PUSH_REQUEST, 0, FIELDS(GET_REQ), 1);
  expect_ok(&m, H2W_HTTP_PUSH_REQUEST, 0,
            FIELDS({":method", "HEAD"}, {":scheme", "https"},
                   {":path", "/s.css"}, {":authority", "e.com"},
                   {"content-length", "0"}),
            0);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_HEAD);
  expect_bad(H2W_HTTP_PUSH_REQUEST, 0,
             FIELDS({":method", "POST"}, {":scheme", "https"}, {":path", "/"},
                    {":authority", "e.com"}),
             0, 4, "push request method is not GET or HEAD");
  expect_bad(H2W_HTTP_PUSH_REQUEST, 0,
             FIELDS({":method", "CONNECT"}, {":authority", "e.com:443"}), 0, 2,
             "push request method is not GET or HEAD");
  expect_bad(H2W_HTTP_PUSH_REQUEST, 0,
             FIELDS({":method", "GET"}, {":scheme", "https"}, {":path", "/"}),
             0, 3, "push request without :authority");
  expect_bad(H2W_HTTP_PUSH_REQUEST, 0,
             FIELDS(GET_REQ, {"content-length", "10"}), 0, 5,
             "push request with content");
  expect_bad(H2W_HTTP_PUSH_REQUEST, H2W_HTTP_CONNECT_PROTOCOL,
             FIELDS({":method", "GET"}, {":protocol", "websocket"}), 0, 1,
             ":protocol in a push request");
  expect_bad(H2W_HTTP_PUSH_REQUEST, 0, FIELDS(GET_REQ, {":status", "200"}), 0,
             4, ":status in a request");
  /* The ordinary request rules still hold. */
  expect_bad(
      H2W_HTTP_PUSH_REQUEST, 0,
      FIELDS({":method", "GET"}, {":scheme", "https"}, {":authority", "e.com"}),
      0, 3, "missing :path");
  expect_bad(H2W_HTTP_PUSH_REQUEST, 0, FIELDS(GET_REQ, {"upgrade", "h2c"}), 0,
             4, "upgrade field in HTTP/2");
}

/* ---- body tracking (§8.1.1) ------------------------------------------ */

static void test_body_exact_short_excess(void **state) {
  h2w_http_body b;
  const char *reason = NULL;
  (void)state;
  h2w_http_body_init(&b, 10);
  assert_int_equal(h2w_http_body_data(&b, 4, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_data(&b, 0, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_data(&b, 6, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_end(&b, &reason), H2W_OK);
  assert_null(reason);

  h2w_http_body_init(&b, 10);
  assert_int_equal(h2w_http_body_data(&b, 9, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_end(&b, &reason), H2W_E_PROTOCOL);
  assert_string_equal(reason, "END_STREAM before content-length octets");

  /* Excess is refused as it arrives, the tracker left unchanged. */
  reason = NULL;
  h2w_http_body_init(&b, 10);
  assert_int_equal(h2w_http_body_data(&b, 8, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_data(&b, 3, &reason), H2W_E_PROTOCOL);
  assert_string_equal(reason, "DATA beyond content-length");
  assert_int_equal(b.received, 8);
  reason = NULL;
  assert_int_equal(h2w_http_body_data(&b, 2, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_end(&b, &reason), H2W_OK);
  assert_null(reason);
}

static void test_body_zero_and_unknown(void **state) {
  h2w_http_body b;
  const char *reason = NULL;
  (void)state;
  h2w_http_body_init(&b, 0);
  assert_int_equal(h2w_http_body_end(&b, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_data(&b, 1, &reason), H2W_E_PROTOCOL);
  assert_string_equal(reason, "DATA beyond content-length");

  reason = NULL;
  h2w_http_body_init(&b, -1);
  assert_int_equal(h2w_http_body_data(&b, 1u << 20, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_data(&b, 1u << 20, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_end(&b, &reason), H2W_OK);
  assert_int_equal(b.received, 2u << 20);
  /* Below -1 is unknown too, never the "no content" marker. */
  h2w_http_body_init(&b, -2);
  assert_int_equal(h2w_http_body_data(&b, 5, &reason), H2W_OK);
  assert_null(reason);

  /* The count cannot wrap, even with a length nobody can send. */
  h2w_http_body_init(&b, -1);
  b.received = UINT64_MAX - 1;
  assert_int_equal(h2w_http_body_data(&b, 2, &reason), H2W_E_PROTOCOL);
  assert_string_equal(reason, "DATA length overflow");
  assert_true(b.received == UINT64_MAX - 1);

  h2w_http_body_init(&b, INT64_MAX);
  assert_int_equal(h2w_http_body_data(&b, 100, NULL), H2W_OK);
  assert_int_equal(h2w_http_body_end(&b, NULL), H2W_E_PROTOCOL);
}

static void test_body_none(void **state) {
  h2w_http_body b;
  const char *reason = NULL;
  (void)state;
  h2w_http_body_init_none(&b);
  assert_int_equal(h2w_http_body_data(&b, 0, &reason), H2W_OK);
  assert_int_equal(h2w_http_body_end(&b, &reason), H2W_OK);
  assert_null(reason);
  assert_int_equal(h2w_http_body_data(&b, 1, &reason), H2W_E_PROTOCOL);
  assert_string_equal(reason, "DATA in a message without content");
  assert_int_equal(b.received, 0);
}

static void test_response_has_body(void **state) {
  (void)state;
  assert_int_equal(h2w_http_response_has_body(0, 200), 1);
  assert_int_equal(h2w_http_response_has_body(0, 404), 1);
  assert_int_equal(h2w_http_response_has_body(0, 205), 1);
  assert_int_equal(h2w_http_response_has_body(0, 204), 0);
  assert_int_equal(h2w_http_response_has_body(0, 304), 0);
  assert_int_equal(h2w_http_response_has_body(0, 100), 0);
  assert_int_equal(h2w_http_response_has_body(0, 103), 0);
  assert_int_equal(h2w_http_response_has_body(1, 200), 0);
  assert_int_equal(h2w_http_response_has_body(1, 404), 0);
}

/* §8.1.1: a HEAD or 204/304 response may announce a length it never
 * sends; what a session does with such a response, end to end. */
static void test_head_and_204_with_content_length(void **state) {
  static const struct {
    int head;
    const char *status;
  } cases[] = {{1, "200"}, {0, "204"}, {0, "304"}};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    h2w_http_msg m;
    h2w_http_body b;
    const char *reason = NULL;
    expect_ok(&m, H2W_HTTP_RESPONSE, 0,
              FIELDS({":status", cases[i].status}, {"content-length", "1000"}),
              1);
    assert_int_equal(h2w_http_msg_content_length(&m), 1000);
    if (h2w_http_response_has_body(cases[i].head, h2w_http_msg_status(&m))) {
      h2w_http_body_init(&b, h2w_http_msg_content_length(&m));
    } else {
      h2w_http_body_init_none(&b);
    }
    assert_int_equal(h2w_http_body_end(&b, &reason), H2W_OK);
    assert_null(reason);
  }
  {
    /* The same announcement on a GET 200 must be honoured. */
    h2w_http_msg m;
    h2w_http_body b;
    const char *reason = NULL;
    expect_ok(&m, H2W_HTTP_RESPONSE, 0,
              FIELDS({":status", "200"}, {"content-length", "1000"}), 1);
    assert_int_equal(h2w_http_response_has_body(0, h2w_http_msg_status(&m)), 1);
    h2w_http_body_init(&b, h2w_http_msg_content_length(&m));
    assert_int_equal(h2w_http_body_end(&b, &reason), H2W_E_PROTOCOL);
    assert_non_null(reason);
  }
}

/* docs/security.md row 17: a request that announces content and ends on its
 * HEADERS frame is caught by the tracker's end check. */
static void test_request_content_length_end_stream(void **state) {
  h2w_http_msg m;
  h2w_http_body b;
  const char *reason = NULL;
  (void)state;
  expect_ok(&m, H2W_HTTP_REQUEST, 0,
            FIELDS({":method", "POST"}, {":scheme", "https"}, {":path", "/"},
                   {"content-length", "5"}),
            1);
  h2w_http_body_init(&b, h2w_http_msg_content_length(&m));
  assert_int_equal(h2w_http_body_end(&b, &reason), H2W_E_PROTOCOL);
  assert_string_equal(reason, "END_STREAM before content-length octets");
}

/* ---- API contract ---------------------------------------------------- */

static void test_reason_contract(void **state) {
  h2w_http_msg m;
  h2w_nv ok = nv_str("x", "1");
  h2w_nv bad = nv_str("X", "1");
  const char *sentinel = "untouched";
  const char *reason = sentinel;
  (void)state;
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  /* Success leaves *reason alone; a NULL reason pointer is allowed. */
  assert_int_equal(h2w_http_msg_field(&m, &ok, &reason), H2W_OK);
  assert_ptr_equal(reason, sentinel);
  assert_int_equal(h2w_http_msg_field(&m, &bad, NULL), H2W_E_PROTOCOL);
  assert_int_equal(h2w_http_msg_end(&m, 1, NULL), H2W_E_PROTOCOL);
  /* An unknown kind is a caller bug, not the peer's. */
  h2w_http_msg_begin(&m, 7, 0);
  assert_int_equal(h2w_http_msg_end(&m, 1, &reason), H2W_E_INVALID_ARGUMENT);
  assert_string_equal(reason, "unknown message kind");
  /* Flags other than ours are dropped. */
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0xfeu);
  {
    h2w_nv proto = nv_str(":protocol", "websocket");
    assert_int_equal(h2w_http_msg_field(&m, &proto, &reason), H2W_E_PROTOCOL);
    assert_string_equal(reason,
                        ":protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL");
  }
}

/* begin() forgets everything from the previous block. */
static void test_begin_resets(void **state) {
  h2w_http_msg m;
  (void)state;
  expect_ok(&m, H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ, {"content-length", "3"}),
            0);
  expect_ok(&m, H2W_HTTP_TRAILERS, 0, FIELDS({"x-sum", "1"}), 1);
  assert_int_equal(h2w_http_msg_content_length(&m), -1);
  assert_int_equal(h2w_http_msg_method(&m), H2W_HTTP_METHOD_NONE);
  expect_ok(&m, H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ), 1);
  expect_ok(&m, H2W_HTTP_REQUEST, 0, FIELDS(GET_REQ), 1);
}

/* The empty-host rule of :authority (RFC 9110 §4.2.1-§4.2.2, RFC 9113
 * §8.5), checked against a plain RFC 3986 §3.2 split written here: after
 * the userinfo, the host runs up to the ']' of an IP literal, or else up
 * to the first ':'. Every authority of up to 6 octets from "a@:[]" goes
 * through an https GET (userinfo refused first) and a CONNECT (empty host
 * refused first); the library decides from one octet after the userinfo,
 * which must give the same answer as the split every time. */
static int split_empty_host(const char *p, size_t n) {
  const char *at = memchr(p, '@', n);
  size_t from = at != NULL ? (size_t)(at - p) + 1 : 0, end = n, i;
  if (from < n && p[from] == '[') {
    const char *close = memchr(p + from, ']', n - from);
    i = close != NULL ? (size_t)(close - p) + 1 : n;
    end = i < n && p[i] == ':' ? i : n;
  } else {
    const char *colon = memchr(p + from, ':', n - from);
    end = colon != NULL ? (size_t)(colon - p) : n;
  }
  return end == from;
}

static const char *end_reason(int method_connect, const char *auth, size_t n) {
  h2w_http_msg m;
  h2w_nv nv;
  const char *reason = NULL;
  h2w_http_msg_begin(&m, H2W_HTTP_REQUEST, 0);
  nv = nv_str(":method", method_connect ? "CONNECT" : "GET");
  assert_int_equal(h2w_http_msg_field(&m, &nv, &reason), H2W_OK);
  if (!method_connect) {
    nv = nv_str(":scheme", "https");
    assert_int_equal(h2w_http_msg_field(&m, &nv, &reason), H2W_OK);
    nv = nv_str(":path", "/");
    assert_int_equal(h2w_http_msg_field(&m, &nv, &reason), H2W_OK);
  }
  nv = nv_bytes(":authority", 10, auth, n);
  assert_int_equal(h2w_http_msg_field(&m, &nv, &reason), H2W_OK);
  return h2w_http_msg_end(&m, 1, &reason) == H2W_OK ? NULL : reason;
}

static void test_authority_empty_host_split(void **state) {
  static const char alphabet[] = "a@:[]";
  char auth[6];
  size_t n, k, combos, c;
  (void)state;
  for (n = 0, combos = 1; n <= sizeof(auth); n++, combos *= 5) {
    for (c = 0; c < combos; c++) {
      size_t v = c;
      int userinfo, empty;
      const char *got;
      for (k = 0; k < n; k++, v /= 5) {
        auth[k] = alphabet[v % 5];
      }
      userinfo = memchr(auth, '@', n) != NULL;
      empty = split_empty_host(auth, n);
      got = end_reason(0, auth, n);
      if (userinfo) {
        assert_string_equal(got, "userinfo in :authority");
      } else if (empty) {
        assert_string_equal(got, "empty host in :authority");
      } else {
        assert_null(got);
      }
      got = end_reason(1, auth, n);
      if (empty) {
        assert_string_equal(got, "CONNECT without :authority");
      } else if (userinfo) {
        assert_string_equal(got, "userinfo in :authority");
      } else {
        assert_null(got);
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_name_every_octet),
      cmocka_unit_test(test_name_empty_and_case),
      cmocka_unit_test(test_name_injection),
      cmocka_unit_test(test_name_every_octet_every_position),
      cmocka_unit_test(test_value_every_octet),
      cmocka_unit_test(test_value_whitespace_edges),
      cmocka_unit_test(test_value_bad_octet_any_position),
      cmocka_unit_test(test_value_every_octet_every_position),
      cmocka_unit_test(test_value_rules_cover_pseudo_fields),
      cmocka_unit_test(test_request_valid),
      cmocka_unit_test(test_request_methods),
      cmocka_unit_test(test_request_missing_pseudo),
      cmocka_unit_test(test_request_pseudo_misuse),
      cmocka_unit_test(test_request_scheme),
      cmocka_unit_test(test_request_path),
      cmocka_unit_test(test_request_authority_userinfo),
      cmocka_unit_test(test_authority_empty_host_split),
      cmocka_unit_test(test_connection_specific_fields),
      cmocka_unit_test(test_te),
      cmocka_unit_test(test_content_length_syntax),
      cmocka_unit_test(test_content_length_repeated),
      cmocka_unit_test(test_response_valid),
      cmocka_unit_test(test_response_status_syntax),
      cmocka_unit_test(test_response_pseudo_misuse),
      cmocka_unit_test(test_response_informational),
      cmocka_unit_test(test_trailers),
      cmocka_unit_test(test_connect),
      cmocka_unit_test(test_extended_connect),
      cmocka_unit_test(test_push_request),
      cmocka_unit_test(test_body_exact_short_excess),
      cmocka_unit_test(test_body_zero_and_unknown),
      cmocka_unit_test(test_body_none),
      cmocka_unit_test(test_response_has_body),
      cmocka_unit_test(test_head_and_204_with_content_length),
      cmocka_unit_test(test_request_content_length_end_stream),
      cmocka_unit_test(test_reason_contract),
      cmocka_unit_test(test_begin_resets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

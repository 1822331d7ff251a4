/* src/trace.c: h2w_frame_trace() and h2w_nv_trace(). Every frame type
 * with its flags and decoded payload, malformed and short payloads, the
 * snprintf contract at every buffer size, NULL payloads, and the traces
 * of a real client/server conversation. Every payload is handed over in
 * a heap block of exactly fi->length octets, so a read past it is caught
 * by AddressSanitizer and valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "h2wire.h"

#define CANARY 0xa5

/* The full line, after checking the snprintf contract at every capacity
 * from 0 to one past the line: a prefix of the line, NUL-terminated, no
 * octet written past cap, the full length always returned. */
static char *render(int sent, const h2w_frame_info *fi,
                    const uint8_t *payload) {
  size_t full = h2w_frame_trace(NULL, 0, sent, fi, payload), cap, i;
  char *line = malloc(full + 1);
  char *buf = malloc(full + 8);
  assert_non_null(line);
  assert_non_null(buf);
  assert_int_equal(h2w_frame_trace(line, full + 1, sent, fi, payload), full);
  assert_int_equal(strlen(line), full);
  /* One line of printable ASCII, whatever the payload. */
  for (i = 0; i < full; i++) {
    assert_true(line[i] >= 0x20 && line[i] <= 0x7e);
  }
  for (cap = 0; cap <= full + 1; cap++) {
    memset(buf, CANARY, full + 8);
    assert_int_equal(h2w_frame_trace(buf, cap, sent, fi, payload), full);
    if (cap > 0) {
      size_t kept = cap - 1 < full ? cap - 1 : full;
      assert_memory_equal(buf, line, kept);
      assert_int_equal(buf[kept], '\0');
    }
    for (i = cap; i < full + 8; i++) {
      assert_int_equal((uint8_t)buf[i], CANARY);
    }
  }
  free(buf);
  return line;
}

/* Trace a frame whose payload sits alone in a block of exactly len
 * octets, and compare with the expected line. */
static void expect(int sent, uint8_t type, uint8_t flags, uint32_t id,
                   const void *payload, size_t len, const char *want) {
  h2w_frame_info fi;
  uint8_t *p = malloc(len > 0 ? len : 1);
  char *line;
  assert_non_null(p);
  if (len > 0) {
    memcpy(p, payload, len);
  }
  memset(&fi, 0, sizeof fi);
  fi.length = (uint32_t)len;
  fi.stream_id = id;
  fi.type = type;
  fi.flags = flags;
  line = render(sent, &fi, p);
  free(p);
  if (strcmp(line, want) != 0) {
    print_error("got  %s\nwant %s\n", line, want);
  }
  assert_string_equal(line, want);
  free(line);
}

#define EXPECT(type, flags, id, bytes, want)                                   \
  expect(0, (type), (flags), (id), (bytes), sizeof(bytes) - 1, (want))

static void test_data(void **state) {
  (void)state;
  EXPECT(0x0, 0x1, 1, "hello",
         "recv DATA stream=1 len=5 flags=0x01"
         "<END_STREAM> data=5");
  expect(1, 0x0, 0x0, 3, NULL, 0, "send DATA stream=3 len=0 flags=0x00 data=0");
  /* Pad Length 2: 3 data octets, 2 of padding. */
  EXPECT(0x0, 0x9, 5,
         "\x02"
         "abc\0\0",
         "recv DATA stream=5 len=6 flags=0x09<END_STREAM|PADDED> pad=2 "
         "data=3");
  /* Padding as long as the rest: no data, still valid (RFC 9113 §6.1). */
  EXPECT(0x0, 0x8, 5,
         "\x03"
         "\0\0\0",
         "recv DATA stream=5 len=4 flags=0x08<PADDED> pad=3 data=0");
}

static void test_data_malformed(void **state) {
  (void)state;
  /* PADDED without even the Pad Length octet. */
  expect(0, 0x0, 0x8, 1, NULL, 0,
         "recv DATA stream=1 len=0 flags=0x08<PADDED> malformed(padding)");
  /* More padding than payload. */
  EXPECT(0x0, 0x8, 1,
         "\x05"
         "ab",
         "recv DATA stream=1 len=3 flags=0x08<PADDED> pad=5 "
         "malformed(padding)");
  EXPECT(0x0, 0x8, 1, "\xff",
         "recv DATA stream=1 len=1 flags=0x08<PADDED> pad=255 "
         "malformed(padding)");
}

static void test_headers(void **state) {
  (void)state;
  EXPECT(0x1, 0x5, 1, "\x82\x86\x84",
         "recv HEADERS stream=1 len=3 flags=0x05<END_STREAM|END_HEADERS> "
         "block=3");
  /* PRIORITY: E bit set, depends on 3, weight octet 15 = weight 16. */
  EXPECT(0x1, 0x24, 5, "\x80\x00\x00\x03\x0f\x82",
         "recv HEADERS stream=5 len=6 flags=0x24<END_HEADERS|PRIORITY> "
         "depends_on=3 exclusive weight=16 block=1");
  EXPECT(0x1, 0x2c, 7, "\x01\x00\x00\x00\x01\xff\x82\x00",
         "recv HEADERS stream=7 len=8 flags=0x2c<END_HEADERS|PADDED|PRIORITY> "
         "pad=1 depends_on=1 weight=256 block=1");
  EXPECT(0x1, 0x0, 9, "", "recv HEADERS stream=9 len=0 flags=0x00 block=0");
}

static void test_headers_malformed(void **state) {
  (void)state;
  /* PRIORITY flag but fewer than 5 octets of fields. */
  EXPECT(0x1, 0x20, 1, "\x00\x00\x00",
         "recv HEADERS stream=1 len=3 flags=0x20<PRIORITY> malformed(length)");
  /* Padding eats into the priority fields. */
  EXPECT(0x1, 0x28, 1, "\x02\x00\x00\x00\x00\x10\x00",
         "recv HEADERS stream=1 len=7 flags=0x28<PADDED|PRIORITY> pad=2 "
         "malformed(length)");
  EXPECT(0x1, 0x8, 1,
         "\x09"
         "ab",
         "recv HEADERS stream=1 len=3 flags=0x08<PADDED> pad=9 "
         "malformed(padding)");
}

static void test_priority(void **state) {
  (void)state;
  EXPECT(0x2, 0x0, 3, "\x00\x00\x00\x01\x00",
         "recv PRIORITY stream=3 len=5 flags=0x00 depends_on=1 weight=1");
  EXPECT(0x2, 0x0, 3, "\xff\xff\xff\xff\xff",
         "recv PRIORITY stream=3 len=5 flags=0x00 depends_on=2147483647 "
         "exclusive weight=256");
  EXPECT(0x2, 0x0, 3, "\x00\x00\x00\x01",
         "recv PRIORITY stream=3 len=4 flags=0x00 malformed(length)");
  EXPECT(0x2, 0x0, 3, "\x00\x00\x00\x01\x00\x00",
         "recv PRIORITY stream=3 len=6 flags=0x00 malformed(length)");
}

static void test_rst_stream(void **state) {
  (void)state;
  EXPECT(0x3, 0x0, 1, "\x00\x00\x00\x08",
         "recv RST_STREAM stream=1 len=4 flags=0x00 code=CANCEL");
  EXPECT(0x3, 0x0, 1, "\x00\x00\x00\x0d",
         "recv RST_STREAM stream=1 len=4 flags=0x00 code=HTTP_1_1_REQUIRED");
  EXPECT(0x3, 0x0, 1, "\x00\x00\x00\x0e",
         "recv RST_STREAM stream=1 len=4 flags=0x00 code=UNKNOWN(0x0e)");
  EXPECT(0x3, 0x0, 1, "\xde\xad\xbe\xef",
         "recv RST_STREAM stream=1 len=4 flags=0x00 code=UNKNOWN(0xdeadbeef)");
  EXPECT(0x3, 0x0, 1, "\x00\x00\x08",
         "recv RST_STREAM stream=1 len=3 flags=0x00 malformed(length)");
  EXPECT(0x3, 0x0, 1, "",
         "recv RST_STREAM stream=1 len=0 flags=0x00 malformed(length)");
}

static void test_settings(void **state) {
  (void)state;
  EXPECT(0x4, 0x0, 0,
         "\x00\x01\x00\x00\x10\x00"
         "\x00\x02\x00\x00\x00\x00"
         "\x00\x03\x00\x00\x00\x64"
         "\x00\x04\x7f\xff\xff\xff"
         "\x00\x05\x00\x00\x40\x00"
         "\x00\x06\xff\xff\xff\xff"
         "\x00\x08\x00\x00\x00\x01"
         "\x00\x09\x00\x00\x00\x01"
         "\xab\xcd\x00\x00\x00\x07",
         "recv SETTINGS stream=0 len=54 flags=0x00 HEADER_TABLE_SIZE=4096 "
         "ENABLE_PUSH=0 MAX_CONCURRENT_STREAMS=100 "
         "INITIAL_WINDOW_SIZE=2147483647 MAX_FRAME_SIZE=16384 "
         "MAX_HEADER_LIST_SIZE=4294967295 ENABLE_CONNECT_PROTOCOL=1 "
         "NO_RFC7540_PRIORITIES=1 UNKNOWN(0xabcd)=7");
  EXPECT(0x4, 0x1, 0, "", "recv SETTINGS stream=0 len=0 flags=0x01<ACK>");
  expect(1, 0x4, 0x0, 0, NULL, 0, "send SETTINGS stream=0 len=0 flags=0x00");
}

static void test_settings_malformed(void **state) {
  (void)state;
  /* Whole entries are shown, then the length is flagged (§6.5). */
  EXPECT(0x4, 0x0, 0, "\x00\x03\x00\x00\x00\x0a\x00\x04",
         "recv SETTINGS stream=0 len=8 flags=0x00 MAX_CONCURRENT_STREAMS=10 "
         "malformed(length)");
  EXPECT(0x4, 0x0, 0, "\x00",
         "recv SETTINGS stream=0 len=1 flags=0x00 malformed(length)");
  /* An ACK must be empty. */
  EXPECT(0x4, 0x1, 0, "\x00\x03\x00\x00\x00\x0a",
         "recv SETTINGS stream=0 len=6 flags=0x01<ACK> "
         "MAX_CONCURRENT_STREAMS=10 malformed(length)");
}

/* More than 16 entries: the first 16 and a count of the rest. */
static void test_settings_many(void **state) {
  uint8_t p[6 * 18];
  char want[1024];
  size_t i, off;
  h2w_frame_info fi;
  char *line;
  (void)state;
  off = (size_t)snprintf(want, sizeof want,
                         "recv SETTINGS stream=0 len=108 flags=0x00");
  for (i = 0; i < 18; i++) {
    p[6 * i] = 0;
    p[6 * i + 1] = 3;
    p[6 * i + 2] = 0;
    p[6 * i + 3] = 0;
    p[6 * i + 4] = 0;
    p[6 * i + 5] = (uint8_t)i;
    if (i < 16) {
      off += (size_t)snprintf(want + off, sizeof want - off,
                              " MAX_CONCURRENT_STREAMS=%u", (unsigned)i);
    }
  }
  snprintf(want + off, sizeof want - off, " ...(+2)");
  memset(&fi, 0, sizeof fi);
  fi.type = 0x4;
  fi.length = sizeof p;
  line = render(0, &fi, p);
  assert_string_equal(line, want);
  free(line);
}

static void test_push_promise(void **state) {
  (void)state;
  EXPECT(0x5, 0x4, 1, "\x00\x00\x00\x02\x82\x84",
         "recv PUSH_PROMISE stream=1 len=6 flags=0x04<END_HEADERS> "
         "promised_stream=2 block=2");
  EXPECT(0x5, 0xc, 1, "\x01\x80\x00\x00\x04\x82\x00",
         "recv PUSH_PROMISE stream=1 len=7 flags=0x0c<END_HEADERS|PADDED> "
         "pad=1 promised_stream=4 block=1");
  EXPECT(0x5, 0x4, 1, "\x00\x00\x02",
         "recv PUSH_PROMISE stream=1 len=3 flags=0x04<END_HEADERS> "
         "malformed(length)");
  EXPECT(0x5, 0x8, 1, "\x04\x00\x00\x00\x02",
         "recv PUSH_PROMISE stream=1 len=5 flags=0x08<PADDED> pad=4 "
         "malformed(length)");
}

static void test_ping(void **state) {
  (void)state;
  EXPECT(0x6, 0x0, 0, "\x01\x23\x45\x67\x89\xab\xcd\xef",
         "recv PING stream=0 len=8 flags=0x00 opaque=0123456789abcdef");
  expect(1, 0x6, 0x1, 0, "h2wkeep1", 8,
         "send PING stream=0 len=8 flags=0x01<ACK> opaque=6832776b65657031");
  EXPECT(0x6, 0x0, 0, "\x01\x02\x03\x04\x05\x06\x07",
         "recv PING stream=0 len=7 flags=0x00 malformed(length)");
  EXPECT(0x6, 0x0, 0, "\x01\x02\x03\x04\x05\x06\x07\x08\x09",
         "recv PING stream=0 len=9 flags=0x00 malformed(length)");
}

static void test_goaway(void **state) {
  (void)state;
  EXPECT(0x7, 0x0, 0, "\x00\x00\x00\x03\x00\x00\x00\x00",
         "recv GOAWAY stream=0 len=8 flags=0x00 last_stream_id=3 "
         "code=NO_ERROR");
  /* Debug data escaped: quote, backslash, newline, a high octet. */
  EXPECT(0x7, 0x0, 0,
         "\x80\x00\x00\x05\x00\x00\x00\x01"
         "say \"hi\"\\\n\xff",
         "recv GOAWAY stream=0 len=19 flags=0x00 last_stream_id=5 "
         "code=PROTOCOL_ERROR debug=\"say \\\"hi\\\"\\\\\\x0a\\xff\"");
  EXPECT(0x7, 0x0, 0, "\x00\x00\x00\x03\x00\x00\x00",
         "recv GOAWAY stream=0 len=7 flags=0x00 malformed(length)");
}

/* Peer-chosen strings are cut at 128 octets, and say so. */
static void test_goaway_long_debug(void **state) {
  uint8_t p[8 + 200];
  char want[512];
  h2w_frame_info fi;
  char *line;
  int n;
  (void)state;
  memset(p, 0, 8);
  p[7] = 0xb;
  memset(p + 8, 'x', 200);
  n = snprintf(want, sizeof want,
               "send GOAWAY stream=0 len=208 flags=0x00 last_stream_id=0 "
               "code=ENHANCE_YOUR_CALM debug=\"%0128d\"...",
               0);
  assert_true(n > 0);
  /* %0128d gave 128 zeros: make them the x's of the payload. */
  memset(strchr(want, '"') + 1, 'x', 128);
  memset(&fi, 0, sizeof fi);
  fi.type = 0x7;
  fi.length = sizeof p;
  line = render(1, &fi, p);
  assert_string_equal(line, want);
  free(line);
}

static void test_window_update(void **state) {
  (void)state;
  EXPECT(0x8, 0x0, 0, "\x00\x01\x00\x00",
         "recv WINDOW_UPDATE stream=0 len=4 flags=0x00 increment=65536");
  /* The reserved bit is not part of the increment (RFC 9113 §6.9). */
  EXPECT(0x8, 0x0, 7, "\x80\x00\x00\x01",
         "recv WINDOW_UPDATE stream=7 len=4 flags=0x00 increment=1");
  EXPECT(0x8, 0x0, 0, "\x00\x00\x00\x00",
         "recv WINDOW_UPDATE stream=0 len=4 flags=0x00 increment=0");
  EXPECT(0x8, 0x0, 0, "\x00\x01\x00",
         "recv WINDOW_UPDATE stream=0 len=3 flags=0x00 malformed(length)");
}

static void test_continuation(void **state) {
  (void)state;
  EXPECT(0x9, 0x4, 1, "\x82\x84",
         "recv CONTINUATION stream=1 len=2 flags=0x04<END_HEADERS> block=2");
  EXPECT(0x9, 0x0, 1, "",
         "recv CONTINUATION stream=1 len=0 flags=0x00 "
         "block=0");
}

static void test_altsvc(void **state) {
  (void)state;
  EXPECT(0xa, 0x0, 0, "\x00\x13https://example.orgh2=\":8443\"",
         "recv ALTSVC stream=0 len=31 flags=0x00 "
         "origin=\"https://example.org\" value=\"h2=\\\":8443\\\"\"");
  EXPECT(0xa, 0x0, 3, "\x00\x00h2=\":443\"; ma=60",
         "recv ALTSVC stream=3 len=18 flags=0x00 origin=\"\" "
         "value=\"h2=\\\":443\\\"; ma=60\"");
  EXPECT(0xa, 0x0, 0,
         "\x00\x05"
         "abc",
         "recv ALTSVC stream=0 len=5 flags=0x00 malformed(length)");
  EXPECT(0xa, 0x0, 0, "\x00",
         "recv ALTSVC stream=0 len=1 flags=0x00 malformed(length)");
}

static void test_origin(void **state) {
  (void)state;
  EXPECT(0xc, 0x0, 0, "\x00\x05https\x00\x00\x00\x03h\tx",
         "recv ORIGIN stream=0 len=14 flags=0x00 origin=\"https\" "
         "origin=\"\" origin=\"h\\x09x\"");
  EXPECT(0xc, 0x0, 0, "", "recv ORIGIN stream=0 len=0 flags=0x00");
  /* The second entry overruns the payload. */
  EXPECT(0xc, 0x0, 0,
         "\x00\x01"
         "a\x00\x09"
         "abc",
         "recv ORIGIN stream=0 len=8 flags=0x00 origin=\"a\" "
         "malformed(entry length)");
  EXPECT(0xc, 0x0, 0,
         "\x00\x01"
         "a\x00",
         "recv ORIGIN stream=0 len=4 flags=0x00 origin=\"a\" "
         "malformed(entry length)");
}

static void test_origin_many(void **state) {
  uint8_t p[3 * 20];
  char want[1024];
  size_t i, off;
  h2w_frame_info fi;
  char *line;
  (void)state;
  off = (size_t)snprintf(want, sizeof want,
                         "recv ORIGIN stream=0 len=60 flags=0x00");
  for (i = 0; i < 20; i++) {
    p[3 * i] = 0;
    p[3 * i + 1] = 1;
    p[3 * i + 2] = (uint8_t)('a' + i);
    if (i < 16) {
      off += (size_t)snprintf(want + off, sizeof want - off, " origin=\"%c\"",
                              (char)('a' + i));
    }
  }
  snprintf(want + off, sizeof want - off, " ...");
  memset(&fi, 0, sizeof fi);
  fi.type = 0xc;
  fi.length = sizeof p;
  line = render(0, &fi, p);
  assert_string_equal(line, want);
  free(line);
}

static void test_priority_update(void **state) {
  (void)state;
  EXPECT(0x10, 0x0, 0, "\x00\x00\x00\x05u=1, i",
         "recv PRIORITY_UPDATE stream=0 len=10 flags=0x00 "
         "prioritized_stream=5 value=\"u=1, i\"");
  EXPECT(0x10, 0x0, 0, "\x00\x00\x05",
         "recv PRIORITY_UPDATE stream=0 len=3 flags=0x00 malformed(length)");
}

static void test_unknown_type(void **state) {
  (void)state;
  EXPECT(0xb, 0x0, 0, "", "recv UNKNOWN(0x0b) stream=0 len=0 flags=0x00");
  /* Extension flags have no names here, not even the undefined-bit hex. */
  EXPECT(0x41, 0x5, 3, "\x00\x01\xfe",
         "recv UNKNOWN(0x41) stream=3 len=3 flags=0x05 payload=0001fe");
  EXPECT(0xff, 0x0, 0, "0123456789abcdefXYZ",
         "recv UNKNOWN(0xff) stream=0 len=19 flags=0x00 "
         "payload=30313233343536373839616263646566...");
}

/* Bits a type does not define are shown in hex after the named ones. */
static void test_undefined_flags(void **state) {
  (void)state;
  EXPECT(0x0, 0xf3, 1, "\x00\x00",
         "recv DATA stream=1 len=2 flags=0xf3<END_STREAM|0xf2> data=2");
  EXPECT(0x3, 0x1, 1, "\x00\x00\x00\x00",
         "recv RST_STREAM stream=1 len=4 flags=0x01<0x01> code=NO_ERROR");
  EXPECT(0x6, 0xff, 0, "\x00\x00\x00\x00\x00\x00\x00\x00",
         "recv PING stream=0 len=8 flags=0xff<ACK|0xfe> "
         "opaque=0000000000000000");
  EXPECT(0x9, 0x5, 1, "",
         "recv CONTINUATION stream=1 len=0 flags=0x05<END_HEADERS|0x01> "
         "block=0");
}

/* A NULL payload (a DATA frame a NO_COPY source wrote): only what the
 * header says, and nothing read. */
static void test_null_payload(void **state) {
  h2w_frame_info fi;
  char *line;
  (void)state;
  memset(&fi, 0, sizeof fi);
  fi.type = 0x0;
  fi.flags = 0x1;
  fi.stream_id = 1;
  fi.length = 16384;
  line = render(1, &fi, NULL);
  assert_string_equal(line, "send DATA stream=1 len=16384 flags=0x01"
                            "<END_STREAM> data=16384");
  free(line);
  fi.flags = 0x8;
  line = render(1, &fi, NULL);
  assert_string_equal(line, "send DATA stream=1 len=16384 flags=0x08<PADDED> "
                            "payload=unavailable");
  free(line);
  fi.type = 0x7;
  fi.flags = 0;
  fi.stream_id = 0;
  fi.length = 8;
  line = render(0, &fi, NULL);
  assert_string_equal(line, "recv GOAWAY stream=0 len=8 flags=0x00 "
                            "payload=unavailable");
  free(line);
  /* Nothing to read: decoded as the empty payload it is. */
  fi.type = 0x4;
  fi.flags = 0x1;
  fi.length = 0;
  line = render(0, &fi, NULL);
  assert_string_equal(line, "recv SETTINGS stream=0 len=0 flags=0x01<ACK>");
  free(line);
}

static void test_null_arguments(void **state) {
  char buf[8];
  h2w_frame_info fi;
  (void)state;
  memset(buf, 'x', sizeof buf);
  assert_int_equal(h2w_frame_trace(buf, sizeof buf, 0, NULL, NULL), 0);
  assert_string_equal(buf, "");
  memset(buf, 'x', sizeof buf);
  assert_int_equal(h2w_nv_trace(buf, sizeof buf, NULL), 0);
  assert_string_equal(buf, "");
  /* A NULL buffer with a capacity is measured, never written. */
  memset(&fi, 0, sizeof fi);
  fi.type = 0x4;
  fi.flags = 0x1;
  assert_int_equal(h2w_frame_trace(NULL, 100, 0, &fi, NULL),
                   strlen("recv SETTINGS stream=0 len=0 flags=0x01<ACK>"));
  assert_int_equal(h2w_nv_trace(NULL, 100, NULL), 0);
}

/* ---- header fields ------------------------------------------------------ */

static char *nv_line(const char *name, size_t namelen, const char *value,
                     size_t valuelen, uint32_t flags) {
  h2w_nv nv;
  uint8_t *n = malloc(namelen + 1), *v = malloc(valuelen + 1);
  size_t full, cap, i;
  char *line, *buf;
  assert_non_null(n);
  assert_non_null(v);
  memcpy(n, name, namelen);
  memcpy(v, value, valuelen);
  nv.name = n;
  nv.namelen = namelen;
  nv.value = v;
  nv.valuelen = valuelen;
  nv.flags = flags;
  full = h2w_nv_trace(NULL, 0, &nv);
  line = malloc(full + 1);
  buf = malloc(full + 8);
  assert_non_null(line);
  assert_non_null(buf);
  assert_int_equal(h2w_nv_trace(line, full + 1, &nv), full);
  for (cap = 0; cap <= full + 1; cap++) {
    memset(buf, CANARY, full + 8);
    assert_int_equal(h2w_nv_trace(buf, cap, &nv), full);
    if (cap > 0) {
      size_t kept = cap - 1 < full ? cap - 1 : full;
      assert_memory_equal(buf, line, kept);
      assert_int_equal(buf[kept], '\0');
    }
    for (i = cap; i < full + 8; i++) {
      assert_int_equal((uint8_t)buf[i], CANARY);
    }
  }
  free(buf);
  free(n);
  free(v);
  return line;
}

#define NV(name, value, flags)                                                 \
  nv_line((name), sizeof(name) - 1, (value), sizeof(value) - 1, (flags))

static void expect_nv(char *line, const char *want) {
  assert_string_equal(line, want);
  free(line);
}

static void test_nv(void **state) {
  (void)state;
  expect_nv(NV(":status", "200", 0), ":status: 200");
  expect_nv(NV("content-type", "text/plain; charset=\"utf-8\"", 0),
            "content-type: text/plain; charset=\"utf-8\"");
  expect_nv(NV("x-bin", "a\\b\x00\x7f\x80\xff\r\n", 0),
            "x-bin: a\\\\b\\x00\\x7f\\x80\\xff\\x0d\\x0a");
  expect_nv(NV("authorization", "secret", H2W_NV_FLAG_NEVER_INDEX),
            "authorization: secret (never-indexed)");
  /* NO_INDEX is an encoder hint, not something the peer said. */
  expect_nv(NV("x", "", H2W_NV_FLAG_NO_INDEX), "x: ");
  expect_nv(NV("", "", 0), ": ");
}

static void test_nv_null_pointers(void **state) {
  h2w_nv nv;
  char buf[16];
  (void)state;
  memset(&nv, 0, sizeof nv);
  assert_int_equal(h2w_nv_trace(buf, sizeof buf, &nv), 2);
  assert_string_equal(buf, ": ");
  /* A length with a NULL pointer is taken as empty, never read. */
  nv.namelen = 5;
  nv.valuelen = 7;
  assert_int_equal(h2w_nv_trace(buf, sizeof buf, &nv), 2);
  assert_string_equal(buf, ": ");
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_HEADER_TABLE_SIZE),
                      "SETTINGS_HEADER_TABLE_SIZE");
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_ENABLE_PUSH),
                      "SETTINGS_ENABLE_PUSH");
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_MAX_CONCURRENT_STREAMS),
                      "SETTINGS_MAX_CONCURRENT_STREAMS");
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_INITIAL_WINDOW_SIZE),
                      "SETTINGS_INITIAL_WINDOW_SIZE");
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_MAX_FRAME_SIZE),
                      "SETTINGS_MAX_FRAME_SIZE");
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_MAX_HEADER_LIST_SIZE),
                      "SETTINGS_MAX_HEADER_LIST_SIZE");
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL),
                      "SETTINGS_ENABLE_CONNECT_PROTOCOL");
  assert_string_equal(h2w_settings_name(H2W_SETTINGS_NO_RFC7540_PRIORITIES),
                      "SETTINGS_NO_RFC7540_PRIORITIES");
  assert_string_equal(h2w_settings_name(0), "UNKNOWN");
  assert_string_equal(h2w_settings_name(0x7), "UNKNOWN");
  assert_string_equal(h2w_settings_name(0xffff), "UNKNOWN");
  assert_string_equal(h2w_frame_type_name(0x10), "PRIORITY_UPDATE");
  assert_string_equal(h2w_frame_type_name(0x0b), "UNKNOWN");
}

/* ---- a real conversation ------------------------------------------------ */

/* Every frame both sessions send and receive, traced from the frame
 * callbacks exactly as an application would. */
typedef struct tlog {
  char text[16384];
  size_t len;
  unsigned frames;
} tlog;

static int log_frame(const h2w_frame_info *fi, const uint8_t *payload, int sent,
                     void *user) {
  tlog *l = user;
  char line[512];
  size_t n = h2w_frame_trace(line, sizeof line, sent, fi, payload);
  assert_true(n < sizeof line);
  assert_int_equal(strlen(line), n);
  assert_null(strstr(line, "malformed"));
  assert_true(l->len + n + 2 < sizeof l->text);
  memcpy(l->text + l->len, line, n);
  l->len += n;
  l->text[l->len++] = '\n';
  l->text[l->len] = '\0';
  l->frames++;
  return 0;
}

static int on_recv(h2w_session *s, const h2w_frame_info *fi,
                   const uint8_t *payload, void *user) {
  (void)s;
  return log_frame(fi, payload, 0, user);
}

static int on_send(h2w_session *s, const h2w_frame_info *fi,
                   const uint8_t *payload, void *user) {
  (void)s;
  return log_frame(fi, payload, 1, user);
}

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  tlog *l = user;
  char line[256];
  size_t n = h2w_nv_trace(line, sizeof line, nv);
  (void)s;
  assert_true(n < sizeof line);
  l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len,
                             "header %u %s\n", (unsigned)id, line);
  return 0;
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                      void *user) {
  static const h2w_nv resp[] = {
      {(const uint8_t *)":status", 7, (const uint8_t *)"204", 3, 0}};
  (void)end_stream;
  (void)user;
  if (kind == H2W_HEADERS_REQUEST) {
    return h2w_session_submit_response(s, id, resp, 1, NULL);
  }
  return 0;
}

static void pump(h2w_session *a, h2w_session *b) {
  uint8_t buf[4096];
  int moved = 1, rounds = 0;
  while (moved && rounds++ < 100) {
    h2w_ssize n;
    moved = 0;
    while ((n = h2w_session_send(a, buf, sizeof buf)) > 0) {
      assert_int_equal(h2w_session_recv(b, buf, (size_t)n), n);
      moved = 1;
    }
    while ((n = h2w_session_send(b, buf, sizeof buf)) > 0) {
      assert_int_equal(h2w_session_recv(a, buf, (size_t)n), n);
      moved = 1;
    }
  }
  assert_false(moved);
}

static void test_conversation(void **state) {
  static const h2w_nv req[] = {
      {(const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0},
      {(const uint8_t *)":scheme", 7, (const uint8_t *)"http", 4, 0},
      {(const uint8_t *)":authority", 10, (const uint8_t *)"a.example", 9, 0},
      {(const uint8_t *)":path", 5, (const uint8_t *)"/", 1, 0},
      {(const uint8_t *)"authorization", 13, (const uint8_t *)"x", 1, 0}};
  h2w_callbacks *cb;
  h2w_session *c, *s;
  tlog *cl = calloc(1, sizeof *cl), *sl = calloc(1, sizeof *sl);
  (void)state;
  assert_non_null(cl);
  assert_non_null(sl);
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  h2w_callbacks_set_on_frame_recv(cb, on_recv);
  h2w_callbacks_set_on_frame_send(cb, on_send);
  h2w_callbacks_set_on_header(cb, on_header);
  h2w_callbacks_set_on_headers(cb, on_headers);
  assert_int_equal(h2w_session_client_new(&c, cb, NULL, cl, NULL), H2W_OK);
  assert_int_equal(h2w_session_server_new(&s, cb, NULL, sl, NULL), H2W_OK);
  h2w_callbacks_del(cb);
  assert_int_equal(h2w_session_submit_request(c, req, 5, NULL, NULL), 1);
  assert_int_equal(h2w_session_submit_ping(c, (const uint8_t *)"pingpong"),
                   H2W_OK);
  pump(c, s);
  assert_int_equal(
      h2w_session_submit_goaway(s, H2W_NO_ERROR, (const uint8_t *)"bye", 3),
      H2W_OK);
  pump(c, s);
  /* What one side sent, the other received, in the same words. */
  assert_non_null(strstr(cl->text, "send SETTINGS stream=0 len="));
  assert_non_null(strstr(sl->text, "recv SETTINGS stream=0 len="));
  assert_non_null(strstr(cl->text, "send PING stream=0 len=8 flags=0x00 "
                                   "opaque=70696e67706f6e67\n"));
  assert_non_null(strstr(sl->text, "send PING stream=0 len=8 flags=0x01<ACK> "
                                   "opaque=70696e67706f6e67\n"));
  assert_non_null(strstr(cl->text, "send HEADERS stream=1 len="));
  assert_non_null(strstr(sl->text, "header 1 :method: GET\n"));
  assert_non_null(strstr(sl->text, "header 1 authorization: x "
                                   "(never-indexed)\n"));
  assert_non_null(strstr(cl->text, "header 1 :status: 204\n"));
  assert_non_null(strstr(sl->text, "send GOAWAY stream=0 len=11 flags=0x00 "
                                   "last_stream_id=1 code=NO_ERROR "
                                   "debug=\"bye\"\n"));
  assert_non_null(strstr(cl->text, "recv GOAWAY stream=0 len=11 flags=0x00 "
                                   "last_stream_id=1 code=NO_ERROR "
                                   "debug=\"bye\"\n"));
  assert_true(cl->frames >= 6);
  assert_true(sl->frames >= 6);
  h2w_session_del(c);
  h2w_session_del(s);
  free(cl);
  free(sl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_data),
      cmocka_unit_test(test_data_malformed),
      cmocka_unit_test(test_headers),
      cmocka_unit_test(test_headers_malformed),
      cmocka_unit_test(test_priority),
      cmocka_unit_test(test_rst_stream),
      cmocka_unit_test(test_settings),
      cmocka_unit_test(test_settings_malformed),
      cmocka_unit_test(test_settings_many),
      cmocka_unit_test(test_push_promise),
      cmocka_unit_test(test_ping),
      cmocka_unit_test(test_goaway),
      cmocka_unit_test(test_goaway_long_debug),
      cmocka_unit_test(test_window_update),
      cmocka_unit_test(test_continuation),
      cmocka_unit_test(test_altsvc),
      cmocka_unit_test(test_origin),
      cmocka_unit_test(test_origin_many),
      cmocka_unit_test(test_priority_update),
      cmocka_unit_test(test_unknown_type),
      cmocka_unit_test(test_undefined_flags),
      cmocka_unit_test(test_null_payload),
      cmocka_unit_test(test_null_arguments),
      cmocka_unit_test(test_nv),
      cmocka_unit_test(test_nv_null_pointers),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_conversation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

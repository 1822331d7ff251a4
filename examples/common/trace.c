#include "trace.h"

#include <stdarg.h>
#include <string.h>

/* Frame types (RFC 9113 §6; ALTSVC RFC 7838, ORIGIN RFC 8336,
 * PRIORITY_UPDATE RFC 9218). */
enum {
  FT_DATA = 0x0,
  FT_HEADERS = 0x1,
  FT_PRIORITY = 0x2,
  FT_RST_STREAM = 0x3,
  FT_SETTINGS = 0x4,
  FT_PUSH_PROMISE = 0x5,
  FT_PING = 0x6,
  FT_GOAWAY = 0x7,
  FT_WINDOW_UPDATE = 0x8,
  FT_CONTINUATION = 0x9,
  FT_ALTSVC = 0xa,
  FT_ORIGIN = 0xc,
  FT_PRIORITY_UPDATE = 0x10
};

/* Flag bits; their meaning depends on the type (RFC 9113 §6). */
#define FL_END_STREAM 0x1u /* DATA, HEADERS; ACK on SETTINGS and PING */
#define FL_END_HEADERS 0x4u
#define FL_PADDED 0x8u
#define FL_PRIORITY 0x20u

/* One line is assembled here and written with a single fputs, so lines of
 * two programs sharing a terminal do not interleave mid-line. */
typedef struct line {
  char buf[512];
  size_t len;
} line;

static void add(line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add(line *l, const char *fmt, ...) {
  size_t room = sizeof l->buf - l->len;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(l->buf + l->len, room, fmt, ap);
  va_end(ap);
  if (n < 0) {
    return;
  }
  /* On truncation the buffer is full; later adds write nothing. */
  l->len += (size_t)n < room ? (size_t)n : room - 1;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

const char *ex_frame_type_name(uint8_t type) {
  static const char *const names[] = {
      "DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
      "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION",
      "ALTSVC",       NULL,      "ORIGIN"};
  if (type < sizeof names / sizeof names[0]) {
    return names[type];
  }
  return type == FT_PRIORITY_UPDATE ? "PRIORITY_UPDATE" : NULL;
}

static const char *settings_name(uint16_t id) {
  switch (id) {
  case H2W_SETTINGS_HEADER_TABLE_SIZE:
    return "HEADER_TABLE_SIZE";
  case H2W_SETTINGS_ENABLE_PUSH:
    return "ENABLE_PUSH";
  case H2W_SETTINGS_MAX_CONCURRENT_STREAMS:
    return "MAX_CONCURRENT_STREAMS";
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    return "INITIAL_WINDOW_SIZE";
  case H2W_SETTINGS_MAX_FRAME_SIZE:
    return "MAX_FRAME_SIZE";
  case H2W_SETTINGS_MAX_HEADER_LIST_SIZE:
    return "MAX_HEADER_LIST_SIZE";
  case H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return "ENABLE_CONNECT_PROTOCOL";
  case H2W_SETTINGS_NO_RFC7540_PRIORITIES:
    return "NO_RFC7540_PRIORITIES";
  default:
    return NULL;
  }
}

static void add_flags(line *l, const h2w_frame_info *fi) {
  unsigned f = fi->flags;
  const char *sep = "";
  add(l, " flags=0x%02x", f);
  if (f == 0) {
    return;
  }
  add(l, "<");
  if ((f & FL_END_STREAM) != 0) {
    int ack = fi->type == FT_SETTINGS || fi->type == FT_PING;
    add(l, "%s", ack ? "ACK" : "END_STREAM");
    sep = "|";
  }
  if ((f & FL_END_HEADERS) != 0) {
    add(l, "%sEND_HEADERS", sep);
    sep = "|";
  }
  if ((f & FL_PADDED) != 0) {
    add(l, "%sPADDED", sep);
    sep = "|";
  }
  if ((f & FL_PRIORITY) != 0) {
    add(l, "%sPRIORITY", sep);
  }
  add(l, ">");
}

/* §6.5.1: a sequence of 6-octet (identifier, value) pairs. */
static void add_settings(line *l, const uint8_t *p, uint32_t len) {
  for (uint32_t off = 0; off + 6 <= len; off += 6) {
    uint16_t id = (uint16_t)(p[off] << 8 | p[off + 1]);
    const char *name = settings_name(id);
    uint32_t v = be32(p + off + 2);
    if (name != NULL) {
      add(l, " %s=%u", name, (unsigned)v);
    } else {
      add(l, " 0x%04x=%u", (unsigned)id, (unsigned)v);
    }
  }
}

/* §6.8: last-stream-id, error code, then opaque debug data, shown escaped
 * and shortened since a peer chooses its content. */
static void add_goaway(line *l, const uint8_t *p, uint32_t len) {
  if (len < 8) {
    return;
  }
  uint32_t code = be32(p + 4);
  add(l, " last_stream_id=%u code=%s", (unsigned)(be32(p) & 0x7fffffffu),
      h2w_http2_error_name(code));
  if (len == 8) {
    return;
  }
  add(l, " debug=\"");
  for (uint32_t i = 8; i < len && i < 8 + 64; i++) {
    uint8_t c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      add(l, "%c", (char)c);
    } else {
      add(l, "\\x%02x", (unsigned)c);
    }
  }
  add(l, len > 8 + 64 ? "\"..." : "\"");
}

static void add_ping(line *l, const uint8_t *p, uint32_t len) {
  if (len != 8) {
    return;
  }
  add(l, " opaque=");
  for (int i = 0; i < 8; i++) {
    add(l, "%02x", (unsigned)p[i]);
  }
}

/* §6.3 (and the priority fields of HEADERS): E bit, dependency, weight
 * (the octet holds weight - 1). */
static void add_priority(line *l, const uint8_t *p) {
  uint32_t dep = be32(p);
  add(l, " depends_on=%u%s weight=%u", (unsigned)(dep & 0x7fffffffu),
      (dep & 0x80000000u) != 0 ? " exclusive" : "", (unsigned)p[4] + 1u);
}

static void add_values(line *l, const h2w_frame_info *fi, const uint8_t *p) {
  uint32_t len = fi->length;
  size_t pad = (fi->flags & FL_PADDED) != 0 ? 1u : 0u;
  switch (fi->type) {
  case FT_SETTINGS:
    add_settings(l, p, len);
    break;
  case FT_GOAWAY:
    add_goaway(l, p, len);
    break;
  case FT_RST_STREAM:
    if (len == 4) {
      add(l, " code=%s", h2w_http2_error_name(be32(p)));
    }
    break;
  case FT_WINDOW_UPDATE:
    if (len == 4) {
      add(l, " increment=%u", (unsigned)(be32(p) & 0x7fffffffu));
    }
    break;
  case FT_PING:
    add_ping(l, p, len);
    break;
  case FT_PRIORITY:
    if (len == 5) {
      add_priority(l, p);
    }
    break;
  case FT_HEADERS:
    if ((fi->flags & FL_PRIORITY) != 0 && len >= pad + 5) {
      add_priority(l, p + pad);
    }
    break;
  case FT_PUSH_PROMISE:
    if (len >= pad + 4) {
      add(l, " promised_stream=%u", (unsigned)(be32(p + pad) & 0x7fffffffu));
    }
    break;
  default:
    break;
  }
}

void ex_trace_frame(FILE *out, const char *prefix, const char *dir,
                    const h2w_frame_info *fi, const uint8_t *payload) {
  line l;
  l.len = 0;
  l.buf[0] = '\0';
  const char *name = ex_frame_type_name(fi->type);
  add(&l, "%s%s ", prefix, dir);
  if (name != NULL) {
    add(&l, "%s", name);
  } else {
    add(&l, "UNKNOWN(0x%02x)", (unsigned)fi->type);
  }
  add(&l, " stream=%u len=%u", (unsigned)fi->stream_id, (unsigned)fi->length);
  add_flags(&l, fi);
  if (payload != NULL) {
    add_values(&l, fi, payload);
  }
  /* A truncated line still ends with its newline. */
  if (l.len > sizeof l.buf - 2) {
    l.len = sizeof l.buf - 2;
  }
  l.buf[l.len++] = '\n';
  l.buf[l.len] = '\0';
  fputs(l.buf, out);
}

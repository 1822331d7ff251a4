/* Frame and header-field tracing (h2w_frame_trace, h2w_nv_trace): one
 * human-readable line per frame, decoded from the 9-octet header and the
 * payload the frame callbacks hand out. Only the wire layout is needed
 * (RFC 9113 §6, RFC 7838 §4, RFC 8336 §2, RFC 9218 §7.1), so this works on
 * frames of either direction without session state. A payload is never
 * trusted: every read is bounded by fi->length, and a layout that does not
 * fit is reported as "malformed(...)" rather than decoded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cold.h"
#include "frame.h"
#include "h2wire.h"
#include "textbuf.h"

/* Bounds on what one line shows of peer-chosen content, so that a trace
 * stays a line: octets of a quoted string (GOAWAY debug data, ALTSVC,
 * ORIGIN, PRIORITY_UPDATE values), entries of a SETTINGS or ORIGIN frame,
 * octets of an unknown frame's payload shown in hex. */
#define TRACE_STR_MAX 128u
#define TRACE_ITEMS_MAX 16u
#define TRACE_HEX_MAX 16u

/* What the name functions of h2wire.h return for an identifier they do
 * not know. */
static int is_unknown(const char *name) {
  return strcmp(name, "UNKNOWN") == 0;
}

static uint32_t be16(const uint8_t *p) {
  return (uint32_t)p[0] << 8 | (uint32_t)p[1];
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* Printable ASCII as is; backslash, a double quote when `quoted`, and
 * every other octet as \xNN, so the line stays one line of ASCII whatever
 * the peer sent. */
static void escaped(h2w_textbuf *t, const uint8_t *p, size_t n, int quoted) {
  size_t i, run = 0;
  for (i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '\\' && !(quoted && c == '"')) {
      run++;
      continue;
    }
    h2w_tb_bytes(t, (const char *)p + i - run, run);
    run = 0;
    if (c == '\\' || c == '"') {
      h2w_tb_char(t, '\\');
      h2w_tb_char(t, (char)c);
    } else {
      h2w_tb_bytes(t, "\\x", 2);
      h2w_tb_hex(t, c, 2);
    }
  }
  h2w_tb_bytes(t, (const char *)p + n - run, run);
}

/* ` key="value"`, cut at TRACE_STR_MAX octets with `...` after the quote. */
static void quoted(h2w_textbuf *t, const char *key, const uint8_t *p,
                   size_t n) {
  h2w_tb_char(t, ' ');
  h2w_tb_str(t, key);
  h2w_tb_bytes(t, "=\"", 2);
  escaped(t, p, n < TRACE_STR_MAX ? n : TRACE_STR_MAX, 1);
  h2w_tb_char(t, '"');
  if (n > TRACE_STR_MAX) {
    h2w_tb_bytes(t, "...", 3);
  }
}

static void key_u64(h2w_textbuf *t, const char *key, uint64_t v) {
  h2w_tb_char(t, ' ');
  h2w_tb_str(t, key);
  h2w_tb_char(t, '=');
  h2w_tb_u64(t, v);
}

static void malformed(h2w_textbuf *t, const char *why) {
  h2w_tb_bytes(t, " malformed(", 11);
  h2w_tb_str(t, why);
  h2w_tb_char(t, ')');
}

/* RFC 9113 §7 name, or UNKNOWN(0x..) for a code the RFC does not define. */
static void error_code(h2w_textbuf *t, uint32_t code) {
  h2w_tb_bytes(t, " code=", 6);
  if (code <= H2W_HTTP_1_1_REQUIRED) {
    h2w_tb_str(t, h2w_http2_error_name(code));
  } else {
    h2w_tb_bytes(t, "UNKNOWN(0x", 10);
    h2w_tb_hex(t, code, 2);
    h2w_tb_char(t, ')');
  }
}

/* The flag bits RFC 9113 §6 defines for each type; bit 0x1 is ACK on
 * SETTINGS and PING, END_STREAM elsewhere. */
static unsigned defined_flags(uint8_t type) {
  switch (type) {
  case H2W_FRAME_DATA:
    return H2W_FLAG_END_STREAM | H2W_FLAG_PADDED;
  case H2W_FRAME_HEADERS:
    return H2W_FLAG_END_STREAM | H2W_FLAG_END_HEADERS | H2W_FLAG_PADDED |
           H2W_FLAG_PRIORITY;
  case H2W_FRAME_SETTINGS:
  case H2W_FRAME_PING:
    return H2W_FLAG_ACK;
  case H2W_FRAME_PUSH_PROMISE:
    return H2W_FLAG_END_HEADERS | H2W_FLAG_PADDED;
  case H2W_FRAME_CONTINUATION:
    return H2W_FLAG_END_HEADERS;
  default:
    return 0;
  }
}

/* flags=0xNN, then for a type this library knows the names of the set
 * bits, and the bits the type does not define (which a receiver ignores,
 * RFC 9113 §4.1) in hex: flags=0x25<END_STREAM|END_HEADERS|PRIORITY>. An
 * extension type's flags have no names here. */
static void flags(h2w_textbuf *t, const h2w_frame_info *fi, int known) {
  static const struct {
    unsigned bit;
    const char *name;
  } names[] = {{H2W_FLAG_END_STREAM, "END_STREAM"},
               {H2W_FLAG_END_HEADERS, "END_HEADERS"},
               {H2W_FLAG_PADDED, "PADDED"},
               {H2W_FLAG_PRIORITY, "PRIORITY"}};
  unsigned f = fi->flags, def = defined_flags(fi->type), undef = f & ~def;
  const char *sep = "<";
  size_t i;
  h2w_tb_bytes(t, " flags=0x", 9);
  h2w_tb_hex(t, f, 2);
  if (!known || f == 0) {
    return;
  }
  for (i = 0; i < sizeof names / sizeof names[0]; i++) {
    if ((f & def & names[i].bit) != 0) {
      h2w_tb_str(t, sep);
      h2w_tb_str(t, def == H2W_FLAG_ACK ? "ACK" : names[i].name);
      sep = "|";
    }
  }
  if (undef != 0) {
    h2w_tb_str(t, sep);
    h2w_tb_bytes(t, "0x", 2);
    h2w_tb_hex(t, undef, 2);
  }
  h2w_tb_char(t, '>');
}

/* The payload of a frame being decoded: what is left of it. */
typedef struct span {
  const uint8_t *p;
  size_t n;
} span;

/* RFC 9113 §6.1, §6.2, §6.6: drop the Pad Length octet and the padding of
 * a PADDED frame, then check `fixed` octets of fields still fit. Returns
 * 0, or -1 after rendering why the frame is malformed. */
static int unpad(h2w_textbuf *t, const h2w_frame_info *fi, span *sp,
                 size_t fixed) {
  if ((fi->flags & H2W_FLAG_PADDED) != 0) {
    size_t pad;
    if (sp->n < 1) {
      malformed(t, "padding");
      return -1;
    }
    pad = sp->p[0];
    key_u64(t, "pad", pad);
    if (pad > sp->n - 1) {
      malformed(t, "padding");
      return -1;
    }
    sp->p++;
    sp->n -= 1 + pad;
  }
  if (sp->n < fixed) {
    malformed(t, "length");
    return -1;
  }
  return 0;
}

/* RFC 9113 §5.3.2 fields (PRIORITY, HEADERS with PRIORITY): E bit,
 * 31-bit dependency, weight octet holding weight - 1. */
static void priority_fields(h2w_textbuf *t, const uint8_t *p) {
  uint32_t dep = be32(p);
  key_u64(t, "depends_on", dep & H2W_STREAM_ID_MASK);
  if ((dep & ~H2W_STREAM_ID_MASK) != 0) {
    h2w_tb_bytes(t, " exclusive", 10);
  }
  key_u64(t, "weight", (uint64_t)p[4] + 1u);
}

static void trace_data(h2w_textbuf *t, const h2w_frame_info *fi, span sp) {
  if (unpad(t, fi, &sp, 0) == 0) {
    key_u64(t, "data", sp.n);
  }
}

static void trace_headers(h2w_textbuf *t, const h2w_frame_info *fi, span sp) {
  size_t fixed = (fi->flags & H2W_FLAG_PRIORITY) != 0 ? 5 : 0;
  if (unpad(t, fi, &sp, fixed) != 0) {
    return;
  }
  if (fixed != 0) {
    priority_fields(t, sp.p);
  }
  key_u64(t, "block", sp.n - fixed);
}

static void trace_push_promise(h2w_textbuf *t, const h2w_frame_info *fi,
                               span sp) {
  if (unpad(t, fi, &sp, 4) != 0) {
    return;
  }
  key_u64(t, "promised_stream", be32(sp.p) & H2W_STREAM_ID_MASK);
  key_u64(t, "block", sp.n - 4);
}

/* RFC 9113 §6.5.1: 6-octet (identifier, value) pairs. */
static void trace_settings(h2w_textbuf *t, const h2w_frame_info *fi, span sp) {
  size_t off, shown = 0;
  for (off = 0; off + 6 <= sp.n; off += 6) {
    uint16_t id = (uint16_t)be16(sp.p + off);
    const char *name = h2w_settings_name(id);
    if (shown == TRACE_ITEMS_MAX) {
      h2w_tb_bytes(t, " ...(+", 6);
      h2w_tb_u64(t, (sp.n - off) / 6);
      h2w_tb_char(t, ')');
      break;
    }
    shown++;
    h2w_tb_char(t, ' ');
    if (!is_unknown(name)) {
      /* Its RFC name less the "SETTINGS_" every one of them starts with:
       * the frame type is already on the line. */
      h2w_tb_str(t, name + strlen("SETTINGS_"));
    } else {
      h2w_tb_bytes(t, "UNKNOWN(0x", 10);
      h2w_tb_hex(t, id, 4);
      h2w_tb_char(t, ')');
    }
    h2w_tb_char(t, '=');
    h2w_tb_u64(t, be32(sp.p + off + 2));
  }
  /* §6.5: a length that is not a multiple of 6, or an ACK with a
   * payload, is a FRAME_SIZE_ERROR. */
  if (sp.n % 6 != 0 || ((fi->flags & H2W_FLAG_ACK) != 0 && sp.n != 0)) {
    malformed(t, "length");
  }
}

static void trace_ping(h2w_textbuf *t, span sp) {
  size_t i;
  if (sp.n != H2W_PING_LEN) {
    malformed(t, "length");
    return;
  }
  h2w_tb_bytes(t, " opaque=", 8);
  for (i = 0; i < H2W_PING_LEN; i++) {
    h2w_tb_hex(t, sp.p[i], 2);
  }
}

static void trace_goaway(h2w_textbuf *t, span sp) {
  if (sp.n < 8) {
    malformed(t, "length");
    return;
  }
  key_u64(t, "last_stream_id", be32(sp.p) & H2W_STREAM_ID_MASK);
  error_code(t, be32(sp.p + 4));
  if (sp.n > 8) {
    quoted(t, "debug", sp.p + 8, sp.n - 8);
  }
}

/* RFC 7838 §4: Origin-Len (16 bits), Origin, Alt-Svc-Field-Value. */
static void trace_altsvc(h2w_textbuf *t, span sp) {
  size_t olen;
  if (sp.n < 2 || (olen = be16(sp.p)) > sp.n - 2) {
    malformed(t, "length");
    return;
  }
  quoted(t, "origin", sp.p + 2, olen);
  quoted(t, "value", sp.p + 2 + olen, sp.n - 2 - olen);
}

/* RFC 8336 §2: a sequence of (Origin-Len, ASCII-Origin) entries. */
static void trace_origin(h2w_textbuf *t, span sp) {
  size_t off = 0, shown = 0, olen;
  while (off < sp.n) {
    if (sp.n - off < 2 || (olen = be16(sp.p + off)) > sp.n - off - 2) {
      malformed(t, "entry length");
      return;
    }
    if (shown < TRACE_ITEMS_MAX) {
      quoted(t, "origin", sp.p + off + 2, olen);
    } else if (shown == TRACE_ITEMS_MAX) {
      h2w_tb_bytes(t, " ...", 4);
    }
    shown++;
    off += 2 + olen;
  }
}

static void trace_unknown(h2w_textbuf *t, span sp) {
  size_t i, n = sp.n < TRACE_HEX_MAX ? sp.n : TRACE_HEX_MAX;
  if (sp.n == 0) {
    return;
  }
  h2w_tb_bytes(t, " payload=", 9);
  for (i = 0; i < n; i++) {
    h2w_tb_hex(t, sp.p[i], 2);
  }
  if (sp.n > n) {
    h2w_tb_bytes(t, "...", 3);
  }
}

static void trace_payload(h2w_textbuf *t, const h2w_frame_info *fi, span sp) {
  switch (fi->type) {
  case H2W_FRAME_DATA:
    trace_data(t, fi, sp);
    break;
  case H2W_FRAME_HEADERS:
    trace_headers(t, fi, sp);
    break;
  case H2W_FRAME_PRIORITY:
    if (sp.n != 5) {
      malformed(t, "length");
    } else {
      priority_fields(t, sp.p);
    }
    break;
  case H2W_FRAME_RST_STREAM:
    if (sp.n != 4) {
      malformed(t, "length");
    } else {
      error_code(t, be32(sp.p));
    }
    break;
  case H2W_FRAME_SETTINGS:
    trace_settings(t, fi, sp);
    break;
  case H2W_FRAME_PUSH_PROMISE:
    trace_push_promise(t, fi, sp);
    break;
  case H2W_FRAME_PING:
    trace_ping(t, sp);
    break;
  case H2W_FRAME_GOAWAY:
    trace_goaway(t, sp);
    break;
  case H2W_FRAME_WINDOW_UPDATE:
    if (sp.n != 4) {
      malformed(t, "length");
    } else {
      key_u64(t, "increment", be32(sp.p) & H2W_STREAM_ID_MASK);
    }
    break;
  case H2W_FRAME_CONTINUATION:
    key_u64(t, "block", sp.n);
    break;
  case H2W_FRAME_ALTSVC:
    trace_altsvc(t, sp);
    break;
  case H2W_FRAME_ORIGIN:
    trace_origin(t, sp);
    break;
  case H2W_FRAME_PRIORITY_UPDATE:
    if (sp.n < 4) {
      malformed(t, "length");
    } else {
      key_u64(t, "prioritized_stream", be32(sp.p) & H2W_STREAM_ID_MASK);
      quoted(t, "value", sp.p + 4, sp.n - 4);
    }
    break;
  default:
    trace_unknown(t, sp);
    break;
  }
}

H2W_COLD size_t h2w_frame_trace(char *buf, size_t cap, int sent,
                                const h2w_frame_info *fi,
                                const uint8_t *payload) {
  h2w_textbuf t;
  const char *name;
  int known;
  span sp;
  h2w_tb_init(&t, buf, cap);
  if (fi == NULL) {
    return 0;
  }
  name = h2w_frame_type_name(fi->type);
  known = !is_unknown(name);
  h2w_tb_str(&t, sent ? "send " : "recv ");
  if (known) {
    h2w_tb_str(&t, name);
  } else {
    h2w_tb_bytes(&t, "UNKNOWN(0x", 10);
    h2w_tb_hex(&t, fi->type, 2);
    h2w_tb_char(&t, ')');
  }
  key_u64(&t, "stream", fi->stream_id);
  key_u64(&t, "len", fi->length);
  flags(&t, fi, known);
  if (payload == NULL && fi->length > 0) {
    /* A DATA frame written by a NO_COPY source: its length is known, its
     * octets are not. */
    if (fi->type == H2W_FRAME_DATA && (fi->flags & H2W_FLAG_PADDED) == 0) {
      key_u64(&t, "data", fi->length);
    } else {
      h2w_tb_bytes(&t, " payload=unavailable", 20);
    }
    return t.len;
  }
  sp.p = payload;
  sp.n = fi->length;
  trace_payload(&t, fi, sp);
  return t.len;
}

H2W_COLD size_t h2w_nv_trace(char *buf, size_t cap, const h2w_nv *nv) {
  h2w_textbuf t;
  h2w_tb_init(&t, buf, cap);
  if (nv == NULL) {
    return 0;
  }
  if (nv->name != NULL) {
    escaped(&t, nv->name, nv->namelen, 0);
  }
  h2w_tb_bytes(&t, ": ", 2);
  if (nv->value != NULL) {
    escaped(&t, nv->value, nv->valuelen, 0);
  }
  if ((nv->flags & H2W_NV_FLAG_NEVER_INDEX) != 0) {
    h2w_tb_bytes(&t, " (never-indexed)", 16);
  }
  return t.len;
}

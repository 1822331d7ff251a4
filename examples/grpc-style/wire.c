/* Message framing, grpc-message encoding and status names (see wire.h). */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

int gw_buf_add(gw_buf *b, const void *data, size_t len) {
  if (len == 0) {
    return 0;
  }
  if (b->cap - b->len < len) {
    size_t cap = b->cap != 0 ? b->cap : 256;
    while (cap - b->len < len) {
      if (cap > SIZE_MAX / 2) {
        return GW_E_NOMEM;
      }
      cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL) {
      return GW_E_NOMEM;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, len);
  b->len += len;
  return 0;
}

void gw_buf_free(gw_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

void gw_put_prefix(uint8_t out[GW_PREFIX_LEN], uint32_t len) {
  out[0] = 0; /* not compressed: no grpc-encoding is ever negotiated */
  out[1] = (uint8_t)(len >> 24);
  out[2] = (uint8_t)(len >> 16);
  out[3] = (uint8_t)(len >> 8);
  out[4] = (uint8_t)len;
}

int gw_append_msg(gw_buf *b, const uint8_t *msg, size_t len) {
  uint8_t pre[GW_PREFIX_LEN];
  if (len > UINT32_MAX) {
    return GW_E_TOO_BIG;
  }
  gw_put_prefix(pre, (uint32_t)len);
  int rv = gw_buf_add(b, pre, sizeof pre);
  return rv != 0 ? rv : gw_buf_add(b, msg, len);
}

void gw_reader_init(gw_reader *r, uint32_t max_len) {
  memset(r, 0, sizeof *r);
  r->max = max_len;
}

void gw_reader_free(gw_reader *r) {
  gw_buf_free(&r->body);
}

/* The prefix is complete: check the flag and the announced length. */
static int take_prefix(gw_reader *r) {
  if (r->hdr[0] == 1) {
    return GW_E_COMPRESSED;
  }
  if (r->hdr[0] != 0) {
    return GW_E_FLAG;
  }
  r->want = (uint32_t)r->hdr[1] << 24 | (uint32_t)r->hdr[2] << 16 |
            (uint32_t)r->hdr[3] << 8 | (uint32_t)r->hdr[4];
  return r->want > r->max ? GW_E_TOO_BIG : 0;
}

/* The current message is whole: hand it over and start the next. */
static int deliver(gw_reader *r, const uint8_t *msg, size_t len, gw_msg_fn fn,
                   void *user) {
  r->hdr_len = 0;
  r->body.len = 0;
  r->count++;
  return fn(user, msg, len);
}

/* Consume payload octets of the current message from in[0..len); sets
 * *used. */
static int take_payload(gw_reader *r, const uint8_t *in, size_t len,
                        size_t *used, gw_msg_fn fn, void *user) {
  size_t need = r->want - r->body.len;
  if (r->body.len == 0 && len >= need) {
    /* The whole payload is in this piece: no copy. */
    *used = need;
    return deliver(r, in, need, fn, user);
  }
  size_t n = len < need ? len : need;
  *used = n;
  if (gw_buf_add(&r->body, in, n) != 0) {
    return GW_E_NOMEM;
  }
  if (r->body.len < r->want) {
    return 0;
  }
  return deliver(r, r->body.p, r->body.len, fn, user);
}

static int feed(gw_reader *r, const uint8_t *in, size_t len, gw_msg_fn fn,
                void *user) {
  size_t off = 0;
  while (off < len) {
    if (r->hdr_len < GW_PREFIX_LEN) {
      r->hdr[r->hdr_len++] = in[off++];
      if (r->hdr_len < GW_PREFIX_LEN) {
        continue;
      }
      int rv = take_prefix(r);
      if (rv == 0 && r->want == 0) {
        rv = deliver(r, in + off, 0, fn, user);
      }
      if (rv != 0) {
        return rv;
      }
      continue;
    }
    size_t used = 0;
    int rv = take_payload(r, in + off, len - off, &used, fn, user);
    off += used;
    if (rv != 0) {
      return rv;
    }
  }
  return 0;
}

int gw_reader_feed(gw_reader *r, const uint8_t *in, size_t len, gw_msg_fn fn,
                   void *user) {
  if (r->err == 0) {
    r->err = feed(r, in, len, fn, user);
  }
  return r->err;
}

int gw_reader_end(const gw_reader *r) {
  if (r->err != 0) {
    return r->err;
  }
  return r->hdr_len == 0 ? 0 : GW_E_TRUNCATED;
}

const char *gw_status_name(int code) {
  static const char *const names[GW_MAX_STATUS + 1] = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  return code >= 0 && code <= GW_MAX_STATUS ? names[code] : "UNKNOWN_CODE";
}

int gw_status_from_http(int http_status) {
  switch (http_status) {
  case 400:
    return GW_INTERNAL;
  case 401:
    return 16; /* UNAUTHENTICATED */
  case 403:
    return 7; /* PERMISSION_DENIED */
  case 404:
    return GW_UNIMPLEMENTED;
  case 429:
  case 502:
  case 503:
  case 504:
    return GW_UNAVAILABLE;
  default:
    return GW_UNKNOWN;
  }
}

size_t gw_pct_encode(const uint8_t *in, size_t len, char *out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  if (cap == 0) {
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    uint8_t c = in[i];
    int plain = c >= 0x20 && c <= 0x7e && c != '%';
    size_t need = plain ? 1 : 3;
    if (cap - 1 - n < need) {
      break;
    }
    if (plain) {
      out[n++] = (char)c;
    } else {
      out[n++] = '%';
      out[n++] = hex[c >> 4];
      out[n++] = hex[c & 0xf];
    }
  }
  out[n] = '\0';
  return n;
}

static int hexval(uint8_t c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

size_t gw_pct_decode(const uint8_t *in, size_t len, char *out, size_t cap) {
  size_t n = 0;
  if (cap == 0) {
    return 0;
  }
  for (size_t i = 0; i < len && n + 1 < cap; i++) {
    int hi = in[i] == '%' && i + 2 < len ? hexval(in[i + 1]) : -1;
    int lo = hi >= 0 ? hexval(in[i + 2]) : -1;
    if (lo >= 0) {
      out[n++] = (char)(hi << 4 | lo);
      i += 2;
    } else {
      out[n++] = (char)in[i];
    }
  }
  out[n] = '\0';
  return n;
}

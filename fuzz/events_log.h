/* One text line per event, written either by callbacks or from the
 * records of event-buffer mode (h2wire.h, "Event-buffer mode"), so that
 * the two can be compared for equality: fuzz/fuzz_events.c and
 * tests/test_events.c. Octets are written in hex, whole. Test code:
 * allocation failure aborts. */
#ifndef H2W_EVENTS_LOG_H
#define H2W_EVENTS_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2wire.h"

typedef struct evlog {
  char *buf;
  size_t len, cap;
  size_t lines;
  int push_answer; /* what the callback logger answers to a promise */
} evlog;

static void evlog_grow(evlog *l, size_t more) {
  size_t cap = l->cap ? l->cap : 256;
  char *p;
  while (cap - l->len <= more) {
    cap *= 2;
  }
  if (cap == l->cap) {
    return;
  }
  p = realloc(l->buf, cap);
  if (p == NULL) {
    abort();
  }
  l->buf = p;
  l->cap = cap;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void
evlog_put(evlog *l, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    abort();
  }
  evlog_grow(l, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
  va_end(ap);
  l->len += (size_t)n;
}

static void evlog_hex(evlog *l, const uint8_t *p, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i;
  evlog_grow(l, 2 * n + 3);
  l->buf[l->len++] = ' ';
  l->buf[l->len++] = '[';
  for (i = 0; i < n; i++) {
    l->buf[l->len++] = hex[p[i] >> 4];
    l->buf[l->len++] = hex[p[i] & 15];
  }
  l->buf[l->len++] = ']';
  l->buf[l->len] = 0;
}

static void evlog_end(evlog *l) {
  evlog_put(l, "\n");
  l->lines++;
}

static void evlog_free(evlog *l) {
  free(l->buf);
  memset(l, 0, sizeof(*l));
}

/* ---- the callback side ---------------------------------------------- */

static int evl_begin(h2w_session *s, uint32_t id, int kind, void *u) {
  (void)s;
  evlog_put(u, "begin %u %d", id, kind);
  evlog_end(u);
  return 0;
}
static int evl_header(h2w_session *s, uint32_t id, const h2w_nv *nv, void *u) {
  (void)s;
  evlog_put(u, "header %u %u", id, nv->flags);
  evlog_hex(u, nv->name, nv->namelen);
  evlog_hex(u, nv->value, nv->valuelen);
  evlog_end(u);
  return 0;
}
static int evl_headers(h2w_session *s, uint32_t id, int kind, int es, void *u) {
  (void)s;
  evlog_put(u, "headers %u %d %d", id, kind, es);
  evlog_end(u);
  return 0;
}
static int evl_data(h2w_session *s, uint32_t id, const uint8_t *d, size_t n,
                    void *u) {
  (void)s;
  evlog_put(u, "data %u", id);
  evlog_hex(u, d, n);
  evlog_end(u);
  return 0;
}
static int evl_stream_end(h2w_session *s, uint32_t id, void *u) {
  (void)s;
  evlog_put(u, "end %u", id);
  evlog_end(u);
  return 0;
}
static int evl_reset(h2w_session *s, uint32_t id, uint32_t code, void *u) {
  (void)s;
  evlog_put(u, "reset %u %u", id, code);
  evlog_end(u);
  return 0;
}
static int evl_close(h2w_session *s, uint32_t id, uint32_t code, uint32_t flags,
                     void *u) {
  (void)s;
  evlog_put(u, "close %u %u %u", id, code, flags);
  evlog_end(u);
  return 0;
}
static int evl_settings(h2w_session *s, const h2w_settings_entry *iv, size_t n,
                        void *u) {
  size_t i;
  (void)s;
  evlog_put(u, "settings %zu", n);
  for (i = 0; i < n; i++) {
    evlog_put(u, " %u=%u", iv[i].id, iv[i].value);
  }
  evlog_end(u);
  return 0;
}
static int evl_settings_ack(h2w_session *s, void *u) {
  (void)s;
  evlog_put(u, "settings_ack");
  evlog_end(u);
  return 0;
}
static int evl_ping_ack(h2w_session *s, const uint8_t *op, uint64_t rtt,
                        void *u) {
  (void)s;
  evlog_put(u, "ping_ack %llu", (unsigned long long)rtt);
  evlog_hex(u, op, 8);
  evlog_end(u);
  return 0;
}
static int evl_goaway(h2w_session *s, uint32_t last, uint32_t code,
                      const uint8_t *d, size_t n, void *u) {
  (void)s;
  evlog_put(u, "goaway %u %u", last, code);
  evlog_hex(u, d, n);
  evlog_end(u);
  return 0;
}
static void evl_error(h2w_session *s, uint32_t id, uint32_t code,
                      const char *reason, void *u) {
  (void)s;
  evlog_put(u, "error %u %u %s", id, code, reason != NULL ? reason : "");
  evlog_end(u);
}
static int evl_altsvc(h2w_session *s, uint32_t id, const uint8_t *o, size_t on,
                      const uint8_t *v, size_t vn, void *u) {
  (void)s;
  evlog_put(u, "altsvc %u", id);
  evlog_hex(u, o, on);
  evlog_hex(u, v, vn);
  evlog_end(u);
  return 0;
}
static int evl_origin(h2w_session *s, const uint8_t *o, size_t n, size_t i,
                      void *u) {
  (void)s;
  evlog_put(u, "origin %zu", i);
  evlog_hex(u, o, n);
  evlog_end(u);
  return 0;
}
static void evl_frame(evlog *l, const char *what, const h2w_frame_info *fi,
                      const uint8_t *payload) {
  evlog_put(l, "%s %u %u %u %u", what, fi->stream_id, fi->type, fi->flags,
            fi->length);
  if (payload != NULL) {
    evlog_hex(l, payload, fi->length);
  } else {
    evlog_put(l, " -");
  }
  evlog_end(l);
}
static int evl_ext(h2w_session *s, const h2w_frame_info *fi,
                   const uint8_t *payload, void *u) {
  (void)s;
  evl_frame(u, "ext", fi, payload);
  return 0;
}
static int evl_frame_recv(h2w_session *s, const h2w_frame_info *fi,
                          const uint8_t *payload, void *u) {
  (void)s;
  evl_frame(u, "frame_recv", fi, payload);
  return 0;
}
static int evl_frame_send(h2w_session *s, const h2w_frame_info *fi,
                          const uint8_t *payload, void *u) {
  (void)s;
  evl_frame(u, "frame_send", fi, payload);
  return 0;
}
static int evl_push(h2w_session *s, uint32_t id, uint32_t promised, void *u) {
  evlog *l = u;
  (void)s;
  evlog_put(l, "push %u %u %d", id, promised, l->push_answer);
  evlog_end(l);
  return l->push_answer;
}

/* Every callback, logging to the session's user pointer (an evlog);
 * `frames`: the tracing callbacks too. */
static void evlog_callbacks(h2w_callbacks *cb, int frames) {
  h2w_callbacks_set_on_begin_headers(cb, evl_begin);
  h2w_callbacks_set_on_header(cb, evl_header);
  h2w_callbacks_set_on_headers(cb, evl_headers);
  h2w_callbacks_set_on_data(cb, evl_data);
  h2w_callbacks_set_on_stream_end(cb, evl_stream_end);
  h2w_callbacks_set_on_stream_reset(cb, evl_reset);
  h2w_callbacks_set_on_stream_close(cb, evl_close);
  h2w_callbacks_set_on_settings(cb, evl_settings);
  h2w_callbacks_set_on_settings_ack(cb, evl_settings_ack);
  h2w_callbacks_set_on_ping_ack(cb, evl_ping_ack);
  h2w_callbacks_set_on_goaway(cb, evl_goaway);
  h2w_callbacks_set_on_error(cb, evl_error);
  h2w_callbacks_set_on_altsvc(cb, evl_altsvc);
  h2w_callbacks_set_on_origin(cb, evl_origin);
  h2w_callbacks_set_on_extension_frame(cb, evl_ext);
  h2w_callbacks_set_on_push_promise(cb, evl_push);
  if (frames) {
    h2w_callbacks_set_on_frame_recv(cb, evl_frame_recv);
    h2w_callbacks_set_on_frame_send(cb, evl_frame_send);
  }
}

/* ---- the record side -------------------------------------------------- */

/* Log records ev[0..n) with their byte area; `in` is the input of the
 * receive that produced them (for H2W_EVENT_FLAG_INPUT), or NULL. Checks
 * the layout promises of h2wire.h on the way; returns 0, or -1 at the
 * first record that breaks one. */
static int evlog_records(evlog *l, const h2w_event *ev, size_t n,
                         const uint8_t *bytes, size_t nbytes,
                         const uint8_t *in) {
  static const uint8_t empty[1] = {0};
  size_t i;
  /* An empty batch has no byte area: empty ranges then point here. */
  if (bytes == NULL) {
    if (nbytes != 0) {
      return -1;
    }
    bytes = empty;
  }
  for (i = 0; i < n; i++) {
    const h2w_event *r = &ev[i];
    const uint8_t *area = bytes;
    uint64_t end = (uint64_t)r->off + r->len;
    h2w_frame_info fi;
    if ((r->flags & H2W_EVENT_FLAG_INPUT) && r->kind == H2W_EVENT_DATA) {
      if (in == NULL) {
        return -1;
      }
      area = in;
    } else if (end > nbytes) {
      return -1;
    }
    switch (r->kind) {
    case H2W_EVENT_BEGIN_HEADERS:
      /* b, when set, leads to the record that ends the block. */
      if (r->b != 0 &&
          (i + r->b >= n || (ev[i + r->b].kind != H2W_EVENT_HEADERS &&
                             ev[i + r->b].kind != H2W_EVENT_PUSH_PROMISE))) {
        return -1;
      }
      evlog_put(l, "begin %u %d", r->stream_id, (int)r->a);
      break;
    case H2W_EVENT_HEADER:
      if ((uint64_t)r->off + r->a + 1 > nbytes ||
          (uint64_t)r->b + r->len + 1 > nbytes || bytes[r->off + r->a] != 0 ||
          bytes[r->b + r->len] != 0) {
        return -1;
      }
      evlog_put(l, "header %u %u", r->stream_id, r->flags);
      evlog_hex(l, bytes + r->off, r->a);
      evlog_hex(l, bytes + r->b, r->len);
      break;
    case H2W_EVENT_HEADERS:
      evlog_put(l, "headers %u %d %d", r->stream_id, (int)r->a,
                (r->flags & H2W_EVENT_FLAG_END_STREAM) ? 1 : 0);
      break;
    case H2W_EVENT_DATA:
      evlog_put(l, "data %u", r->stream_id);
      evlog_hex(l, area + r->off, r->len);
      break;
    case H2W_EVENT_STREAM_END:
      evlog_put(l, "end %u", r->stream_id);
      break;
    case H2W_EVENT_STREAM_RESET:
      evlog_put(l, "reset %u %u", r->stream_id, r->a);
      break;
    case H2W_EVENT_STREAM_CLOSE:
      evlog_put(l, "close %u %u %u", r->stream_id, r->a, r->b);
      break;
    case H2W_EVENT_SETTINGS: {
      h2w_settings_entry e;
      size_t k;
      if (r->off % 4 != 0 || r->len != r->a * sizeof(e)) {
        return -1;
      }
      evlog_put(l, "settings %u", r->a);
      for (k = 0; k < r->a; k++) {
        memcpy(&e, bytes + r->off + k * sizeof(e), sizeof(e));
        evlog_put(l, " %u=%u", e.id, e.value);
      }
      break;
    }
    case H2W_EVENT_SETTINGS_ACK:
      evlog_put(l, "settings_ack");
      break;
    case H2W_EVENT_PING_ACK:
      evlog_put(l, "ping_ack %llu",
                (unsigned long long)((uint64_t)r->a | (uint64_t)r->b << 32));
      evlog_hex(l, bytes + r->off, 8);
      break;
    case H2W_EVENT_GOAWAY:
      evlog_put(l, "goaway %u %u", r->a, r->b);
      evlog_hex(l, bytes + r->off, r->len);
      break;
    case H2W_EVENT_ERROR:
      evlog_put(l, "error %u %u %.*s", r->stream_id, r->a, (int)r->len,
                (const char *)(bytes + r->off));
      break;
    case H2W_EVENT_ALTSVC:
      if ((uint64_t)r->off + r->a > nbytes ||
          (uint64_t)r->b + r->len > nbytes) {
        return -1;
      }
      evlog_put(l, "altsvc %u", r->stream_id);
      evlog_hex(l, bytes + r->off, r->a);
      evlog_hex(l, bytes + r->b, r->len);
      break;
    case H2W_EVENT_ORIGIN:
      evlog_put(l, "origin %u", r->a);
      evlog_hex(l, bytes + r->off, r->len);
      break;
    case H2W_EVENT_EXTENSION:
    case H2W_EVENT_FRAME_RECV:
    case H2W_EVENT_FRAME_SEND:
      memset(&fi, 0, sizeof(fi));
      fi.stream_id = r->stream_id;
      fi.type = (uint8_t)r->a;
      fi.flags = (uint8_t)(r->flags & 0xffu);
      fi.length = r->kind == H2W_EVENT_EXTENSION ? r->len : r->b;
      evl_frame(l, /* which ends the line itself */
                r->kind == H2W_EVENT_EXTENSION    ? "ext"
                : r->kind == H2W_EVENT_FRAME_RECV ? "frame_recv"
                                                  : "frame_send",
                &fi,
                (r->flags & H2W_EVENT_FLAG_NO_PAYLOAD) ? NULL : bytes + r->off);
      continue;
    case H2W_EVENT_PUSH_PROMISE:
      evlog_put(l, "push %u %u %u", r->stream_id, r->a, r->b);
      break;
    default:
      return -1;
    }
    evlog_end(l);
  }
  return 0;
}

#endif

/* Event-buffer mode (h2wire.h, "Event-buffer mode"): while it is on, the
 * session's callback table holds the recorders below instead of the
 * application's callbacks, so the receive path, the send path and the
 * stream-close machinery report events exactly as they would to
 * callbacks -- same points, same order -- and nothing outside this file
 * needs to know about records. The application's table is kept aside and
 * put back when the mode ends. */
#include <string.h>

#include "cold.h"
#include "events.h"
#include "session_int.h"

/* One growing array of records and one of bytes. */
typedef struct h2w_evbuf {
  h2w_event *recs;
  size_t n, cap;
  uint8_t *bytes;
  size_t nb, capb;
} h2w_evbuf;

struct h2w_events {
  uint32_t mode;
  size_t pause_bytes;
  h2w_cb_table saved; /* the application's callbacks */
  /* Records are appended to `cur`; a take hands `cur` out and swaps the
   * two, so what was handed out never moves while the session goes on
   * appending (the lifetime promised in h2wire.h). */
  h2w_evbuf cur;
  h2w_evbuf out;
  const uint8_t *in; /* input of the running receive */
  size_t inlen;
  uint8_t in_recv;
  int failure; /* H2W_E_NOMEM / H2W_E_LIMIT: a record could not be stored */
  /* The header block being recorded (one at a time, RFC 9113 §6.10): its
   * BEGIN_HEADERS record's index in `cur` (SIZE_MAX when unknown or
   * taken), where its field octets start, whether nothing else was stored
   * among them, and how many fields it has. */
  size_t begin;
  size_t begin_nb;
  uint8_t span_ok;
  uint32_t nfields;
};

#define EV_RECS0 64u
#define EV_BYTES0 4096u

/* Growing is rare (the buffers double, and keep their size across takes). */
static H2W_COLD int grow(h2w_session *s, void **p, size_t *cap, size_t need,
                         size_t elem, size_t first) {
  size_t ncap = *cap != 0 ? *cap : first;
  void *q;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2 / elem) {
      return H2W_E_NOMEM;
    }
    ncap *= 2;
  }
  q = h2w_alloc_realloc(&s->alloc, *p, *cap * elem, ncap * elem);
  if (q == NULL) {
    return H2W_E_NOMEM;
  }
  *p = q;
  *cap = ncap;
  return H2W_OK;
}

/* A zeroed record of `kind` at the end of `cur`, with room for `extra`
 * more bytes; NULL (failure noted) if the buffer cannot grow. Out of line:
 * inlined into every recorder it made them four times their size at -O3,
 * for the cost of one call per event. */
static H2W_NOINLINE h2w_event *append(h2w_session *s, unsigned kind,
                                      uint32_t id, size_t extra) {
  h2w_events *e = s->ev;
  h2w_evbuf *b = &e->cur;
  h2w_event *r;
  int rv = H2W_OK;
  /* Offsets are uint32_t: one batch holds at most 4 GiB of bytes. */
  if (extra > UINT32_MAX || b->nb > UINT32_MAX - extra) {
    e->failure = H2W_E_LIMIT;
    return NULL;
  }
  if (b->n == b->cap) {
    rv = grow(s, (void **)&b->recs, &b->cap, b->n + 1, sizeof(h2w_event),
              EV_RECS0);
  }
  if (rv == H2W_OK && b->capb - b->nb < extra) {
    rv = grow(s, (void **)&b->bytes, &b->capb, b->nb + extra, 1, EV_BYTES0);
  }
  if (rv != H2W_OK) {
    e->failure = rv;
    return NULL;
  }
  if (e->begin != SIZE_MAX && kind != H2W_EVENT_HEADER && extra != 0) {
    e->span_ok = 0; /* something else lies among the block's fields */
  }
  r = &b->recs[b->n++];
  memset(r, 0, sizeof(*r));
  r->kind = (uint16_t)kind;
  r->stream_id = id;
  return r;
}

/* Copy n octets (room reserved by append()) and return their offset; with
 * `nul` a NUL octet follows them. */
static H2W_NOINLINE uint32_t put(h2w_events *e, const void *p, size_t n,
                                 int nul) {
  h2w_evbuf *b = &e->cur;
  uint32_t off = (uint32_t)b->nb;
  if (n != 0) {
    memcpy(b->bytes + b->nb, p, n);
  }
  b->nb += n;
  if (nul) {
    b->bytes[b->nb++] = 0;
  }
  return off;
}

/* What a recorder returns: a failure (the session maps it to the noted
 * error), a pause when a receive filled the buffer past the threshold,
 * else 0. */
static H2W_NOINLINE int done(h2w_session *s, const h2w_event *r) {
  h2w_events *e = s->ev;
  if (r == NULL) {
    return -1;
  }
  if (e->in_recv && e->pause_bytes != 0 &&
      e->cur.n * sizeof(h2w_event) + e->cur.nb >= e->pause_bytes) {
    return H2W_E_PAUSE;
  }
  return 0;
}

/* ---- recorders, one per callback ------------------------------------- */

static int rec_begin_headers(h2w_session *s, uint32_t id, int kind,
                             void *user) {
  h2w_events *e = s->ev;
  h2w_event *r = append(s, H2W_EVENT_BEGIN_HEADERS, id, 0);
  (void)user;
  if (r != NULL) {
    r->a = (uint32_t)kind;
    e->begin = e->cur.n - 1;
    e->begin_nb = e->cur.nb;
    e->span_ok = 1;
    e->nfields = 0;
  }
  return done(s, r);
}

static int rec_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                      void *user) {
  h2w_events *e = s->ev;
  h2w_event *r;
  (void)user;
  if (nv->namelen > UINT32_MAX || nv->valuelen > UINT32_MAX - 2 - nv->namelen) {
    e->failure = H2W_E_LIMIT;
    return -1;
  }
  r = append(s, H2W_EVENT_HEADER, id, nv->namelen + nv->valuelen + 2);
  if (r != NULL) {
    r->flags = (uint16_t)(nv->flags & 0xffffu);
    r->a = (uint32_t)nv->namelen;
    r->off = put(e, nv->name, nv->namelen, 1);
    r->b = put(e, nv->value, nv->valuelen, 1);
    r->len = (uint32_t)nv->valuelen;
    e->nfields++;
  }
  return done(s, r);
}

/* The block ends with record r: point its BEGIN_HEADERS at it and, when
 * the fields lie together, give r their span. */
static void block_end(h2w_events *e, h2w_event *r, int span) {
  size_t idx = e->cur.n - 1;
  r->b = e->nfields;
  if (e->begin != SIZE_MAX && e->begin < idx &&
      e->cur.recs[e->begin].stream_id == r->stream_id) {
    e->cur.recs[e->begin].b = (uint32_t)(idx - e->begin);
    if (span && e->span_ok) {
      r->off = (uint32_t)e->begin_nb;
      r->len = (uint32_t)(e->cur.nb - e->begin_nb);
    }
  }
  e->begin = SIZE_MAX;
  e->nfields = 0;
}

static int rec_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                       void *user) {
  h2w_event *r = append(s, H2W_EVENT_HEADERS, id, 0);
  (void)user;
  if (r != NULL) {
    r->a = (uint32_t)kind;
    r->flags = end_stream ? H2W_EVENT_FLAG_END_STREAM : 0;
    block_end(s->ev, r, 1);
  }
  return done(s, r);
}

static int rec_data(h2w_session *s, uint32_t id, const uint8_t *data,
                    size_t len, void *user) {
  h2w_events *e = s->ev;
  h2w_event *r;
  uintptr_t p = (uintptr_t)data, in = (uintptr_t)e->in;
  (void)user;
  /* Compared as integers: the data either lies in the receive's input
   * (a frame that arrived whole) or in the frame reader's buffer. */
  if ((e->mode & H2W_EVENTS_DATA_IN_INPUT) && e->in_recv && len != 0 &&
      p >= in && p - in <= e->inlen && len <= e->inlen - (p - in) &&
      p - in <= UINT32_MAX && len <= UINT32_MAX) {
    r = append(s, H2W_EVENT_DATA, id, 0);
    if (r != NULL) {
      r->flags = H2W_EVENT_FLAG_INPUT;
      r->off = (uint32_t)(p - in);
      r->len = (uint32_t)len;
    }
    return done(s, r);
  }
  r = append(s, H2W_EVENT_DATA, id, len);
  if (r != NULL) {
    r->off = put(e, data, len, 0);
    r->len = (uint32_t)len;
  }
  return done(s, r);
}

static int rec_stream_end(h2w_session *s, uint32_t id, void *user) {
  (void)user;
  return done(s, append(s, H2W_EVENT_STREAM_END, id, 0));
}

static int rec_stream_reset(h2w_session *s, uint32_t id, uint32_t code,
                            void *user) {
  h2w_event *r = append(s, H2W_EVENT_STREAM_RESET, id, 0);
  (void)user;
  if (r != NULL) {
    r->a = code;
  }
  return done(s, r);
}

static int rec_stream_close(h2w_session *s, uint32_t id, uint32_t code,
                            uint32_t flags, void *user) {
  h2w_event *r = append(s, H2W_EVENT_STREAM_CLOSE, id, 0);
  (void)user;
  if (r != NULL) {
    r->a = code;
    r->b = flags;
  }
  return done(s, r);
}

static int rec_settings(h2w_session *s, const h2w_settings_entry *iv, size_t n,
                        void *user) {
  h2w_events *e = s->ev;
  /* Entries are stored as structs, 4-aligned for readers that cast. */
  size_t pad = (4u - (e->cur.nb & 3u)) & 3u;
  h2w_event *r;
  (void)user;
  if (n > (UINT32_MAX - 3u) / sizeof(*iv)) {
    e->failure = H2W_E_LIMIT;
    return -1;
  }
  r = append(s, H2W_EVENT_SETTINGS, 0, pad + n * sizeof(*iv));
  if (r != NULL) {
    if (pad > 0) { /* an empty area may have no buffer yet (NULL + 0) */
      memset(e->cur.bytes + e->cur.nb, 0, pad);
      e->cur.nb += pad;
    }
    r->a = (uint32_t)n;
    r->off = put(e, iv, n * sizeof(*iv), 0);
    r->len = (uint32_t)(n * sizeof(*iv));
  }
  return done(s, r);
}

static int rec_settings_ack(h2w_session *s, void *user) {
  (void)user;
  return done(s, append(s, H2W_EVENT_SETTINGS_ACK, 0, 0));
}

static int rec_ping_ack(h2w_session *s, const uint8_t *opaque8, uint64_t rtt_ms,
                        void *user) {
  h2w_event *r = append(s, H2W_EVENT_PING_ACK, 0, 8);
  (void)user;
  if (r != NULL) {
    r->a = (uint32_t)(rtt_ms & 0xffffffffu);
    r->b = (uint32_t)(rtt_ms >> 32);
    r->off = put(s->ev, opaque8, 8, 0);
    r->len = 8;
  }
  return done(s, r);
}

static int rec_goaway(h2w_session *s, uint32_t last, uint32_t code,
                      const uint8_t *debug, size_t debuglen, void *user) {
  h2w_event *r = append(s, H2W_EVENT_GOAWAY, 0, debuglen);
  (void)user;
  if (r != NULL) {
    r->a = last;
    r->b = code;
    r->off = put(s->ev, debug, debuglen, 0);
    r->len = (uint32_t)debuglen;
  }
  return done(s, r);
}

static void rec_error(h2w_session *s, uint32_t id, uint32_t code,
                      const char *reason, void *user) {
  size_t n = reason != NULL ? strlen(reason) : 0;
  h2w_event *r = append(s, H2W_EVENT_ERROR, id, n);
  (void)user;
  /* Informational, like on_error itself: a record that cannot be stored
   * is lost, the session goes on. */
  if (r != NULL) {
    r->a = code;
    r->off = put(s->ev, reason, n, 0);
    r->len = (uint32_t)n;
  } else {
    s->ev->failure = 0;
  }
}

static int rec_altsvc(h2w_session *s, uint32_t id, const uint8_t *origin,
                      size_t originlen, const uint8_t *value, size_t valuelen,
                      void *user) {
  h2w_event *r;
  (void)user;
  if (originlen > UINT32_MAX - valuelen) {
    s->ev->failure = H2W_E_LIMIT;
    return -1;
  }
  r = append(s, H2W_EVENT_ALTSVC, id, originlen + valuelen);
  if (r != NULL) {
    r->a = (uint32_t)originlen;
    r->off = put(s->ev, origin, originlen, 0);
    r->b = put(s->ev, value, valuelen, 0);
    r->len = (uint32_t)valuelen;
  }
  return done(s, r);
}

static int rec_origin(h2w_session *s, const uint8_t *origin, size_t len,
                      size_t index, void *user) {
  h2w_event *r = append(s, H2W_EVENT_ORIGIN, 0, len);
  (void)user;
  if (r != NULL) {
    r->a = (uint32_t)index;
    r->off = put(s->ev, origin, len, 0);
    r->len = (uint32_t)len;
  }
  return done(s, r);
}

/* A frame record (extension, or tracing): type, flags, payload. */
static H2W_NOINLINE h2w_event *frame_rec(h2w_session *s, unsigned kind,
                                         const h2w_frame_info *fi,
                                         const uint8_t *payload) {
  size_t n = payload != NULL ? fi->length : 0;
  h2w_event *r = append(s, kind, fi->stream_id, n);
  if (r != NULL) {
    r->a = fi->type;
    r->flags = fi->flags;
    if (kind != H2W_EVENT_EXTENSION) {
      r->b = fi->length;
    }
    if (payload == NULL) {
      r->flags |= H2W_EVENT_FLAG_NO_PAYLOAD;
    }
    r->off = put(s->ev, payload, n, 0);
    r->len = (uint32_t)n;
  }
  return r;
}

static int rec_extension(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *payload, void *user) {
  (void)user;
  return done(s, frame_rec(s, H2W_EVENT_EXTENSION, fi, payload));
}

static int rec_frame_recv(h2w_session *s, const h2w_frame_info *fi,
                          const uint8_t *payload, void *user) {
  (void)user;
  return done(s, frame_rec(s, H2W_EVENT_FRAME_RECV, fi, payload));
}

static int rec_frame_send(h2w_session *s, const h2w_frame_info *fi,
                          const uint8_t *payload, void *user) {
  (void)user;
  return done(s, frame_rec(s, H2W_EVENT_FRAME_SEND, fi, payload));
}

/* The one callback with an answer: the application's, if any, decides
 * (it may read the promise's fields with h2w_session_events()); the
 * record carries the answer. */
static int rec_push_promise(h2w_session *s, uint32_t id, uint32_t promised,
                            void *user) {
  h2w_events *e = s->ev;
  h2w_event *r;
  int answer = 0, rv;
  if (e->saved.on_push_promise != NULL) {
    answer = e->saved.on_push_promise(s, id, promised, user);
    if (answer != 0 && answer != H2W_PUSH_REFUSE && answer != H2W_E_PAUSE) {
      return answer; /* a failure: the session ends, as with callbacks */
    }
  }
  r = append(s, H2W_EVENT_PUSH_PROMISE, id, 0);
  if (r != NULL) {
    r->a = promised;
    r->stream_id = promised; /* block_end() matches the promised stream */
    block_end(e, r, 0);
    r->stream_id = id;
    r->b = answer == H2W_PUSH_REFUSE ? H2W_PUSH_REFUSE : 0;
  }
  rv = done(s, r);
  if (rv < 0 && rv != H2W_E_PAUSE) {
    return rv;
  }
  return answer == H2W_PUSH_REFUSE ? answer : (answer != 0 ? answer : rv);
}

static void install(h2w_session *s) {
  h2w_cb_table *t = &s->cb;
  int frames = (s->ev->mode & H2W_EVENTS_FRAMES) != 0;
  t->on_begin_headers = rec_begin_headers;
  t->on_header = rec_header;
  t->on_headers = rec_headers;
  t->on_data = rec_data;
  t->on_stream_end = rec_stream_end;
  t->on_stream_reset = rec_stream_reset;
  t->on_stream_close = rec_stream_close;
  t->on_settings = rec_settings;
  t->on_settings_ack = rec_settings_ack;
  t->on_ping_ack = rec_ping_ack;
  t->on_goaway = rec_goaway;
  t->on_frame_recv = frames ? rec_frame_recv : NULL;
  t->on_frame_send = frames ? rec_frame_send : NULL;
  t->on_error = rec_error;
  t->on_altsvc = rec_altsvc;
  t->on_origin = rec_origin;
  t->on_extension_frame = rec_extension;
  t->on_push_promise = rec_push_promise;
}

static void buf_free(h2w_session *s, h2w_evbuf *b) {
  h2w_alloc_free(&s->alloc, b->recs, b->cap * sizeof(h2w_event));
  h2w_alloc_free(&s->alloc, b->bytes, b->capb);
  memset(b, 0, sizeof(*b));
}

void h2w_events_free(h2w_session *s) {
  h2w_events *e = s->ev;
  if (e == NULL) {
    return;
  }
  buf_free(s, &e->cur);
  buf_free(s, &e->out);
  s->ev = NULL;
  h2w_alloc_free(&s->alloc, e, sizeof(*e));
}

void h2w_events_recv_begin(h2w_session *s, const uint8_t *in, size_t len) {
  h2w_events *e = s->ev;
  e->in = in;
  e->inlen = len;
  e->in_recv = 1;
}

void h2w_events_recv_end(h2w_session *s) {
  h2w_events *e = s->ev;
  e->in = NULL;
  e->inlen = 0;
  e->in_recv = 0;
}

int h2w_events_failure(h2w_session *s) {
  int rv = s->ev != NULL ? s->ev->failure : 0;
  if (s->ev != NULL) {
    s->ev->failure = 0;
  }
  return rv != 0 ? rv : H2W_E_CALLBACK_FAILURE;
}

/* ---- public API ------------------------------------------------------ */

H2W_COLD int h2w_session_set_events(h2w_session *s, uint32_t mode,
                                    size_t pause_bytes) {
  const uint32_t known =
      H2W_EVENTS_ON | H2W_EVENTS_FRAMES | H2W_EVENTS_DATA_IN_INPUT;
  h2w_events *e;
  if (s == NULL || (mode & ~known) != 0 ||
      (mode != 0 && !(mode & H2W_EVENTS_ON))) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    return H2W_E_INVALID_STATE; /* the table must not change under a call */
  }
  if (mode == 0) {
    if (s->ev != NULL) {
      s->cb = s->ev->saved;
      h2w_events_free(s);
    }
    return H2W_OK;
  }
  if (s->ev == NULL) {
    e = h2w_alloc_malloc(&s->alloc, sizeof(*e));
    if (e == NULL) {
      return H2W_E_NOMEM;
    }
    memset(e, 0, sizeof(*e));
    e->saved = s->cb;
    e->begin = SIZE_MAX;
    s->ev = e;
  }
  s->ev->mode = mode;
  s->ev->pause_bytes = pause_bytes;
  install(s);
  return H2W_OK;
}

/* Hand `cur` out: the previous batch is dropped and the buffers swap. */
static void take(h2w_events *e, h2w_event_batch *batch) {
  h2w_evbuf t = e->out;
  t.n = 0;
  t.nb = 0;
  e->out = e->cur;
  e->cur = t;
  /* The open block's first records left with the batch. */
  e->begin = SIZE_MAX;
  batch->events = e->out.n != 0 ? e->out.recs : NULL;
  batch->nevents = e->out.n;
  batch->bytes = e->out.nb != 0 ? e->out.bytes : NULL;
  batch->nbytes = e->out.nb;
}

int h2w_session_events(h2w_session *s, const h2w_event **events,
                       size_t *nevents, const uint8_t **bytes, size_t *nbytes) {
  h2w_event_batch b;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->ev == NULL) {
    return H2W_E_INVALID_STATE;
  }
  take(s->ev, &b);
  if (events != NULL) {
    *events = b.events;
  }
  if (nevents != NULL) {
    *nevents = b.nevents;
  }
  if (bytes != NULL) {
    *bytes = b.bytes;
  }
  if (nbytes != NULL) {
    *nbytes = b.nbytes;
  }
  return H2W_OK;
}

int h2w_session_events_clear(h2w_session *s) {
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->ev == NULL) {
    return H2W_E_INVALID_STATE;
  }
  s->ev->cur.n = s->ev->cur.nb = 0;
  s->ev->out.n = s->ev->out.nb = 0;
  s->ev->begin = SIZE_MAX;
  return H2W_OK;
}

h2w_ssize h2w_session_recv_events(h2w_session *s, const uint8_t *in, size_t len,
                                  h2w_event_batch *batch) {
  h2w_ssize rv;
  if (batch != NULL) {
    memset(batch, 0, sizeof(*batch));
  }
  if (s == NULL || batch == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->ev == NULL || s->depth != 0) {
    return H2W_E_INVALID_STATE; /* from a callback: nothing taken either */
  }
  rv = h2w_session_recv(s, in, len);
  take(s->ev, batch);
  return rv;
}

/* Shared by fuzz_session_server.c and fuzz_session_client.c: a session
 * driven from a fuzz input, its output checked frame by frame.
 *
 * Input: [rng seed: 4 octets][flags: 1 octet] then the peer's byte
 * stream. The seed drives every choice (piece sizes fed to recv, output
 * read sizes, clock steps, callbacks pausing or failing, responses,
 * resets); the flags pick options. Deterministic: no clock, no global
 * state kept across runs.
 *
 * Checks (abort on violation): recv/send never return more than asked;
 * once a call returned a fatal error no callback fires again and every
 * later call fails; every frame the session writes decodes cleanly
 * (src/frame.c is the oracle). */
#ifndef H2W_SESSION_FUZZ_H
#define H2W_SESSION_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "h2wire.h"

#define FZ_SLOTS 16

typedef struct fz {
  h2w_session *s;
  uint32_t rng;
  uint8_t flags;
  int dead;               /* a call failed: callbacks must stay silent */
  uint64_t now;           /* the caller's clock */
  size_t magic_left;      /* client output starts with the 24-octet magic */
  h2w_alloc a;            /* for the output frame reader */
  h2w_frame_reader rd;    /* re-parses everything the session writes */
  uint32_t ids[FZ_SLOTS]; /* bodies being sent: stream id ... */
  uint32_t left[FZ_SLOTS];
  uint8_t deferred[FZ_SLOTS];
  uint8_t trailers[FZ_SLOTS]; /* end with NO_END_STREAM, trailers queued */
  uint32_t owe_id[FZ_SLOTS];  /* manual flow control: received body octets */
  size_t owe_n[FZ_SLOTS];     /* ... not yet consumed */
  uint8_t body[4096];
} fz;

static uint32_t fz_rand(fz *f) {
  f->rng ^= f->rng << 13;
  f->rng ^= f->rng >> 17;
  f->rng ^= f->rng << 5;
  return f->rng;
}

/* A callback's verdict: mostly continue, sometimes pause, rarely fail. */
static int fz_cb(fz *f) {
  uint32_t r = fz_rand(f) % 256;
  if (f->dead) {
    abort(); /* h2wire.h: after a fatal error no callback fires */
  }
  return r == 0 ? -1 : r < 16 ? H2W_E_PAUSE : 0;
}

static h2w_ssize fz_read(h2w_session *s, uint32_t id, uint8_t *buf, size_t len,
                         uint32_t *flags, void *user) {
  fz *f = user;
  size_t i, n;
  (void)s;
  for (i = 0; i < FZ_SLOTS && f->ids[i] != id; i++) {
  }
  if (i == FZ_SLOTS || f->dead) {
    abort(); /* only live streams with a body are polled */
  }
  if (len == 0) {
    abort(); /* h2wire.h: a source is polled only with room for 1 octet */
  }
  if (fz_rand(f) % 8 == 0) {
    f->deferred[i] = 1;
    return H2W_E_DEFERRED;
  }
  n = 1 + fz_rand(f) % sizeof f->body;
  n = n < len ? n : len;
  n = n < f->left[i] ? n : f->left[i];
  if (f->flags & 0x8) {
    *flags |= H2W_DATA_FLAG_NO_COPY;
  } else {
    memcpy(buf, f->body, n);
  }
  f->left[i] -= (uint32_t)n;
  if (f->left[i] == 0) {
    *flags |= H2W_DATA_FLAG_EOF;
    *flags |= f->trailers[i] ? H2W_DATA_FLAG_NO_END_STREAM : 0u;
    f->ids[i] = 0;
  }
  return (h2w_ssize)n;
}

static int fz_write(h2w_session *s, uint32_t id, uint8_t *dst, size_t len,
                    void *user) {
  (void)s;
  (void)id;
  memcpy(dst, ((fz *)user)->body, len < 4096 ? len : 4096);
  return 0;
}

/* A body source of a pseudo-random length for stream id (0: id not
 * known yet, see fz_body_id), or NULL when every slot is busy. */
static const h2w_data_source *fz_body(fz *f, uint32_t id, int trailers) {
  static h2w_data_source ds = {fz_read, fz_write, NULL};
  size_t i;
  for (i = 0; i < FZ_SLOTS; i++) {
    if (f->ids[i] == 0) {
      f->ids[i] = id == 0 ? UINT32_MAX : id;
      f->left[i] = fz_rand(f) % 100000;
      f->deferred[i] = 0;
      f->trailers[i] = (uint8_t)trailers;
      ds.user = f;
      return &ds;
    }
  }
  return NULL;
}

/* Give the slot reserved for `from` (an id, or UINT32_MAX) to `to` (0:
 * the submit failed, free it). */
static void fz_body_id(fz *f, uint32_t from, uint32_t to) {
  size_t i;
  for (i = 0; i < FZ_SLOTS; i++) {
    if (f->ids[i] == from) {
      f->ids[i] = to;
      return;
    }
  }
}

static int fz_on_close(h2w_session *s, uint32_t id, uint32_t code,
                       uint32_t flags, void *user) {
  fz *f = user;
  (void)s;
  (void)code;
  (void)flags;
  fz_body_id(f, id, 0);
  return fz_cb(f);
}

static void fz_fatal(fz *f, h2w_ssize rv) {
  if (rv < 0 && rv != H2W_E_INVALID_STATE && rv != H2W_E_LIMIT &&
      rv != H2W_E_DEFERRED) {
    f->dead = 1;
  }
}

/* Read the session's output in pseudo-random pieces and decode every
 * frame in it. */
static void fz_drain(fz *f) {
  uint8_t buf[20000];
  h2w_ssize n;
  size_t i;
  for (i = 0; i < FZ_SLOTS; i++) {
    if (f->ids[i] != 0 && f->deferred[i] && fz_rand(f) % 2 == 0) {
      f->deferred[i] = 0;
      fz_fatal(f, h2w_session_resume_data(f->s, f->ids[i]));
    }
    if (f->owe_id[i] != 0 && fz_rand(f) % 4 != 0) {
      fz_fatal(f, h2w_session_consume(f->s, f->owe_id[i], f->owe_n[i]));
      f->owe_id[i] = 0;
      f->owe_n[i] = 0;
    }
  }
  do {
    size_t cap = 1 + fz_rand(f) % sizeof buf, off = 0;
    n = h2w_session_send(f->s, buf, cap);
    if (n > (h2w_ssize)cap) {
      abort();
    }
    fz_fatal(f, n);
    if (f->magic_left > 0 && n > 0) {
      off = (size_t)n < f->magic_left ? (size_t)n : f->magic_left;
      f->magic_left -= off;
    }
    while (n > 0 && off < (size_t)n) {
      size_t used;
      h2w_frame_hd hd;
      const uint8_t *pl;
      h2w_frame fr;
      int rv = h2w_frame_reader_next(&f->rd, buf + off, (size_t)n - off, &used,
                                     &hd, &pl, NULL);
      if (rv < 0 || (rv == H2W_FRAME_READY &&
                     h2w_frame_decode(&hd, pl, &fr, NULL) != H2W_OK)) {
        abort(); /* the session wrote an invalid frame */
      }
      off += used;
    }
  } while (n > 0);
}

/* Feed the peer's bytes in pieces, draining and ticking in between. */
static void fz_run(fz *f, const uint8_t *in, size_t len) {
  while (len > 0) {
    size_t k = 1 + fz_rand(f) % (fz_rand(f) % 4 == 0 ? 16 : 2048);
    h2w_ssize n;
    k = k < len ? k : len;
    n = h2w_session_recv(f->s, in, k);
    if (n > (h2w_ssize)k || (f->dead && n >= 0)) {
      abort();
    }
    fz_fatal(f, n);
    in += n > 0 ? (size_t)n : k;
    len -= n > 0 ? (size_t)n : k;
    f->now += fz_rand(f) % 300;
    fz_fatal(f, h2w_session_tick(f->s, f->now));
    fz_drain(f);
  }
  fz_drain(f);
}

/* Callbacks with nothing to do but the checks (and pause or fail). */
static int fz_begin(h2w_session *s, uint32_t id, int kind, void *user) {
  (void)s;
  (void)id;
  (void)kind;
  return fz_cb(user);
}

static int fz_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  (void)s;
  (void)id;
  if (nv->name == NULL || (nv->valuelen > 0 && nv->value == NULL)) {
    abort();
  }
  return fz_cb(user);
}

static int fz_data(h2w_session *s, uint32_t id, const uint8_t *d, size_t n,
                   void *user) {
  fz *f = user;
  size_t i;
  (void)s;
  (void)d;
  /* Manual flow control: remember what to consume; fz_drain does it
   * (the session counts the chunk as delivered once on_data returns). */
  for (i = 0; (f->flags & 0x1) && i < FZ_SLOTS; i++) {
    if (f->owe_id[i] == id || f->owe_id[i] == 0) {
      f->owe_id[i] = id;
      f->owe_n[i] += n;
      break;
    }
  }
  return fz_cb(f);
}

static int fz_reset(h2w_session *s, uint32_t id, uint32_t code, void *user) {
  (void)s;
  (void)id;
  (void)code;
  return fz_cb(user);
}

static int fz_settings(h2w_session *s, const h2w_settings_entry *iv, size_t n,
                       void *user) {
  (void)s;
  (void)iv;
  (void)n;
  return fz_cb(user);
}

static int fz_void(h2w_session *s, void *user) {
  (void)s;
  return fz_cb(user);
}

static int fz_ping_ack(h2w_session *s, const uint8_t *o, uint64_t rtt,
                       void *user) {
  (void)s;
  (void)o;
  (void)rtt;
  return fz_cb(user);
}

static int fz_goaway(h2w_session *s, uint32_t last, uint32_t code,
                     const uint8_t *d, size_t n, void *user) {
  (void)s;
  (void)last;
  (void)code;
  (void)d;
  (void)n;
  return fz_cb(user);
}

/* on_frame_send may pause (ignored) or fail inside send(). */
static int fz_frame_send(h2w_session *s, const h2w_frame_info *fi,
                         const uint8_t *p, void *user) {
  (void)s;
  (void)fi;
  (void)p;
  return fz_cb(user);
}

static h2w_callbacks *fz_callbacks(void) {
  h2w_callbacks *cb = NULL;
  if (h2w_callbacks_new(&cb, NULL) != H2W_OK) {
    abort();
  }
  h2w_callbacks_set_on_begin_headers(cb, fz_begin);
  h2w_callbacks_set_on_header(cb, fz_header);
  h2w_callbacks_set_on_data(cb, fz_data);
  h2w_callbacks_set_on_stream_reset(cb, fz_reset);
  h2w_callbacks_set_on_stream_close(cb, fz_on_close);
  h2w_callbacks_set_on_settings(cb, fz_settings);
  h2w_callbacks_set_on_settings_ack(cb, fz_void);
  h2w_callbacks_set_on_ping_ack(cb, fz_ping_ack);
  h2w_callbacks_set_on_goaway(cb, fz_goaway);
  h2w_callbacks_set_on_frame_send(cb, fz_frame_send);
  return cb;
}

/* Options from the flag octet; the frame reader accepts any frame size
 * the peer may allow us. */
static h2w_options *fz_setup(fz *f, const uint8_t *data) {
  h2w_options *opt = NULL;
  memset(f, 0, sizeof *f);
  f->rng = ((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
            (uint32_t)data[2] << 8 | data[3]) |
           1u;
  f->flags = data[4];
  memset(f->body, 'b', sizeof f->body);
  if (h2w_options_new(&opt, NULL) != H2W_OK ||
      h2w_alloc_init(&f->a, NULL) != H2W_OK ||
      h2w_frame_reader_init(&f->rd, &f->a) != H2W_OK ||
      h2w_frame_reader_set_max_frame_size(&f->rd, 16777215u) != H2W_OK) {
    abort();
  }
  h2w_options_set_manual_flow_control(opt, f->flags & 0x1);
  h2w_options_set_validate_messages(opt, !(f->flags & 0x2));
  h2w_options_set_max_concurrent_streams(opt, (f->flags & 0x4) ? 3 : 100);
  h2w_options_set_settings_timeout(opt, (f->flags & 0x10) ? 500 : 0);
  return opt;
}

static void fz_teardown(fz *f) {
  f->dead = 1; /* h2w_session_del fires no callback */
  h2w_session_del(f->s);
  h2w_frame_reader_free(&f->rd);
}

#endif

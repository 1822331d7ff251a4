/* Shared by fuzz_session_server.c and fuzz_session_client.c: a session
 * driven by a fuzzer-written script, its output checked frame by frame.
 *
 * Input layout (fuzz/README.md has the op and action tables):
 *   [rng seed: 2][flags: 1][limits: 1][L: 2, big endian][C: 1]
 *   [op script: L octets][callback script: C octets][peer bytes...]
 * The op script is a list of (op, arg) pairs run by the main loop: feed
 * the next peer bytes in a chosen piece size, read output with send()
 * or peek()/ack() in chosen sizes, tick the clock, submit requests,
 * responses, RST_STREAM, GOAWAY, PING, SETTINGS, WINDOW_UPDATE,
 * trailers, resume deferred bodies, consume, shut down. The callback
 * script is a list of (gap, action) pairs: after `gap` more callbacks,
 * the next one performs `action` (pause, fail, or one of the submits,
 * from inside the callback). Once the ops run out, the rest of the peer
 * bytes is fed in rng-sized pieces. The rng (seeded from the input) only
 * picks body lengths and default answers. Flags pick options and small
 * limits; the limits octet sizes them, or the allocation that fails.
 *
 * Checks (abort on violation): see session_fuzz_check.h for the output
 * and input mirrors; here: no callback once the session has a sticky
 * error (RFC 9113 §5.4.1: the connection is over) but on_stream_close,
 * which ends every stream once (H2W_CLOSE_FLAG_CONNECTION ones in
 * ascending id order), also at h2w_session_del; from inside every
 * callback the entry points the reentrancy contract refuses (recv, send,
 * peek, ack, tick, eof, upgrade, shrink, del) return H2W_E_INVALID_STATE and
 * change nothing; recv/send never return more than asked, a dead session stays
 * dead, the session's memory count equals what our allocator holds for it and
 * stays within its budget, everything is freed by h2w_session_del. */
#ifndef H2W_SESSION_FUZZ_H
#define H2W_SESSION_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "h2wire.h"

#define FZ_SLOTS 16
#define FZ_IDS 8
#define FZ_ENDED 64
#define FZ_HEADER 7

typedef struct fz fz;

/* What the session wrote and what it was fed, re-parsed (see
 * session_fuzz_check.h). */
typedef struct fz_wire {
  h2w_alloc a;
  h2w_frame_reader out;   /* our output */
  h2w_frame_reader in;    /* the peer's bytes the session consumed */
  size_t out_magic;       /* client: magic octets still to check */
  size_t in_magic;        /* server: magic octets still to skip */
  uint64_t out_frames;    /* frames written */
  uint64_t data_out;      /* DATA payload octets written (flow-controlled) */
  uint64_t conn_credit;   /* 65535 + connection WINDOW_UPDATEs received */
  uint64_t settings_in;   /* non-ACK SETTINGS received */
  uint64_t settings_acks; /* SETTINGS ACKs written */
  uint64_t pings_in;      /* non-ACK PINGs received */
  uint64_t ping_acks;     /* PING ACKs written */
  uint32_t max_peer_id;   /* highest stream id of a HEADERS received */
  uint32_t max_own_id;    /* client: highest stream id we opened */
  uint32_t max_promised;  /* server: highest stream id we promised */
  uint32_t goaway_last;   /* last-stream-id of our previous GOAWAY */
  int goaway_seen;
  int closed;               /* an error GOAWAY went out: nothing may follow */
  uint32_t max_frame;       /* largest peer SETTINGS_MAX_FRAME_SIZE seen */
  uint32_t ended[FZ_ENDED]; /* streams we ended (END_STREAM or RST) */
  uint64_t in_frames;       /* frames the session consumed */
  uint8_t ping_out[8];      /* the opaque data of our last PING */
  int ping_due;             /* ... not answered by fz_autoack yet */
  unsigned settings_due;    /* our SETTINGS fz_autoack has not answered */
  size_t nended;
} fz_wire;

struct fz {
  h2w_session *s;
  int server;
  uint32_t rng;
  uint8_t flags;
  uint8_t limits;
  const uint8_t *op, *op_end;  /* op script */
  const uint8_t *cbs, *cb_end; /* callback script */
  const uint8_t *in, *in_end;  /* peer bytes not yet consumed */
  uint32_t gap;                /* callbacks before the next action */
  uint8_t action;              /* the next scripted action */
  int script_done;             /* callback script exhausted */
  int dead;             /* sticky error seen: callbacks must stay silent */
  int deleting;         /* inside h2w_session_del: only closes may fire */
  uint32_t conn_closed; /* last id closed with H2W_CLOSE_FLAG_CONNECTION */
  uint32_t visited;     /* foreach_stream: last id visited, 0 outside */
  int paused;           /* a callback asked to pause */
  int push;             /* client: ENABLE_PUSH 1 (top bit of the seed's first
                           octet) */
  int ext;              /* extended mode: bit 0x40 of the seed's first octet
                           (session_fuzz_api.h) */
  uint8_t xopt;         /* ... its options: the seed's second octet */
  uint32_t max_ext;     /* the max_extension_payload in force */
  size_t origin_next;   /* the next ORIGIN entry's index */
  int outside;          /* an op's submit, no callback run since */
  int autoack;          /* extended mode without bit 0x20 of the seed's
                           first octet: fz_autoack answers PINGs and
                           SETTINGS */
  int data_polled;      /* a body source ran in this send() */
  int cb_announced;     /* in this send()/peek(), a callback's submit
                           made want_write 1 */
  int cb_failed;        /* in this send()/peek(), a callback failed */
  int conn_errors;      /* on_error calls for the connection */
  unsigned probes;      /* fz_observe calls in this run */
  int no_clock_told;    /* on_error said the budgets are off (no tick) */
  uint64_t now;         /* the caller's clock */
  /* Counting allocator handed to the session. */
  size_t live;     /* bytes the session holds through it */
  size_t nallocs;  /* allocations so far */
  size_t fail_at;  /* 1-based allocation that fails (0: none) */
  int fail_sticky; /* ... and every one after it */
  size_t budget;   /* memory budget set (0: none) */
  /* Streams the harness knows (peer-opened and submitted), a ring. */
  uint32_t sid[FZ_IDS];
  unsigned nsid;
  /* Bodies being sent: stream id (UINT32_MAX: id not known yet). */
  uint32_t ids[FZ_SLOTS];
  uint32_t left[FZ_SLOTS];
  uint8_t deferred[FZ_SLOTS];
  uint8_t trailers[FZ_SLOTS];
  uint32_t owe_id[FZ_SLOTS]; /* manual flow control: octets delivered */
  size_t owe_n[FZ_SLOTS];    /* ... and not yet consumed */
  int requests;
  h2w_mem_source mem_src[4]; /* h2w_data_source_mem states, a ring */
  unsigned mem_next;
  fz_wire w;
  uint8_t body[4096];
};

static uint32_t fz_rand(fz *f) {
  f->rng ^= f->rng << 13;
  f->rng ^= f->rng >> 17;
  f->rng ^= f->rng << 5;
  return f->rng;
}

/* ---- the counting allocator ------------------------------------------ */

/* Each block carries its size in front so that frees can be counted. */
#define FZ_ALIGN 16

static int fz_alloc_fails(fz *f) {
  f->nallocs++;
  return f->fail_at != 0 && (f->nallocs == f->fail_at ||
                             (f->fail_sticky && f->nallocs > f->fail_at));
}

static void *fz_malloc(size_t n, void *user) {
  fz *f = user;
  uint8_t *p;
  if (fz_alloc_fails(f) || (p = malloc(n + FZ_ALIGN)) == NULL) {
    return NULL;
  }
  memcpy(p, &n, sizeof n);
  f->live += n;
  return p + FZ_ALIGN;
}

static void fz_free(void *ptr, void *user) {
  fz *f = user;
  size_t n;
  if (ptr == NULL) {
    return;
  }
  memcpy(&n, (uint8_t *)ptr - FZ_ALIGN, sizeof n);
  f->live -= n;
  free((uint8_t *)ptr - FZ_ALIGN);
}

static void *fz_realloc(void *ptr, size_t n, void *user) {
  fz *f = user;
  size_t old = 0;
  uint8_t *p;
  if (ptr == NULL) {
    return fz_malloc(n, user);
  }
  if (fz_alloc_fails(f)) {
    return NULL;
  }
  memcpy(&old, (uint8_t *)ptr - FZ_ALIGN, sizeof old);
  p = realloc((uint8_t *)ptr - FZ_ALIGN, n + FZ_ALIGN);
  if (p == NULL) {
    return NULL;
  }
  memcpy(p, &n, sizeof n);
  f->live = f->live - old + n;
  return p + FZ_ALIGN;
}

#include "session_fuzz_check.h"

/* ---- streams the harness knows ---------------------------------------- */

static void fz_note_id(fz *f, uint32_t id) {
  unsigned i;
  for (i = 0; i < FZ_IDS; i++) {
    if (f->sid[i] == id) {
      return;
    }
  }
  f->sid[f->nsid++ % FZ_IDS] = id;
}

/* A known stream id picked by `arg` (0 if none yet). */
static uint32_t fz_pick_id(const fz *f, uint8_t arg) {
  unsigned n = f->nsid < FZ_IDS ? f->nsid : FZ_IDS;
  return n == 0 ? 0 : f->sid[arg % n];
}

/* ---- liveness --------------------------------------------------------- */

/* After every call on the session: a sticky error makes it dead for
 * good, and its memory must match our allocator and the budget. */
static void fz_after(fz *f) {
  size_t mem;
  if (f->s == NULL) {
    return;
  }
  if (h2w_session_error(f->s, NULL, NULL, NULL) != H2W_OK) {
    f->dead = 1;
  } else if (f->dead) {
    abort(); /* a sticky error went away */
  }
  mem = h2w_session_memory(f->s);
  if (mem != f->live || (f->budget != 0 && mem > f->budget)) {
    abort();
  }
}

/* The reentrancy contract (h2wire.h, "Reentrancy"): from inside any
 * callback these are refused with H2W_E_INVALID_STATE and change nothing
 * (no input consumed, no output taken, not even the clock); del does
 * nothing (the session is used again right after, so ASan would see a
 * free). */
static void fz_refused(fz *f) {
  static const uint8_t junk[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
  uint8_t buf[16];
  const uint8_t *data = NULL;
  size_t mem;
  uint64_t deadline = h2w_session_next_deadline(f->s);
  int err = h2w_session_error(f->s, NULL, NULL, NULL);
  int ww = h2w_session_want_write(f->s);
  f->outside = 0;
  mem = h2w_session_memory(f->s);
  if (h2w_session_recv(f->s, junk, sizeof junk) != H2W_E_INVALID_STATE ||
      h2w_session_send(f->s, buf, sizeof buf) != H2W_E_INVALID_STATE ||
      h2w_session_peek(f->s, &data) != H2W_E_INVALID_STATE || data != NULL ||
      h2w_session_ack(f->s, 1) != H2W_E_INVALID_STATE ||
      h2w_session_tick(f->s, UINT64_MAX - 1) != H2W_E_INVALID_STATE ||
      h2w_session_eof(f->s) != H2W_E_INVALID_STATE ||
      h2w_session_shrink(f->s) != H2W_E_INVALID_STATE ||
      h2w_session_upgrade(f->s, "", 0, 0, NULL) != H2W_E_INVALID_STATE) {
    abort();
  }
  h2w_session_del(f->s);
  if (h2w_session_memory(f->s) != mem ||
      h2w_session_next_deadline(f->s) != deadline ||
      h2w_session_error(f->s, NULL, NULL, NULL) != err ||
      h2w_session_want_write(f->s) != ww) {
    abort();
  }
}

/* Every callback starts here: nothing may fire once the session has a
 * sticky error (h2wire.h: "After a fatal error no callback fires" but
 * on_stream_close, see fz_on_close). */
static void fz_enter(fz *f) {
  if (f->dead || f->deleting ||
      h2w_session_error(f->s, NULL, NULL, NULL) != H2W_OK) {
    abort();
  }
  fz_refused(f);
}

/* The next scripted action, or 0 (none) for this callback. */
static uint8_t fz_next_action(fz *f) {
  uint8_t act;
  if (f->script_done) {
    return 0;
  }
  if (f->gap > 0) {
    f->gap--;
    return 0;
  }
  act = f->action;
  if (f->cb_end - f->cbs >= 2) {
    f->gap = f->cbs[0];
    f->action = f->cbs[1];
    f->cbs += 2;
  } else {
    f->script_done = 1;
  }
  return act;
}

#include "session_fuzz_act.h"

#endif

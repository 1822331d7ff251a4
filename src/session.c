/* Session lifecycle and API glue: creation with the connection preface,
 * the stream table and stream lifetimes, connection and stream errors
 * (RFC 9113 §5.4), timers on the caller's clock, and the getters. The
 * input side lives in recv*.c, the output side in send.c and submit.c. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cold.h"
#include "session_int.h"

/* RFC 9113 §3.4: the client connection preface. */
const uint8_t h2w_client_magic[24] = {
    'P', 'R', 'I',  ' ',  '*',  ' ',  'H', 'T', 'T',  'P',  '/',  '2',
    '.', '0', '\r', '\n', '\r', '\n', 'S', 'M', '\r', '\n', '\r', '\n'};

/* Recycled stream objects kept per session, so steady-state request
 * handling does not allocate. */
#define H2W_STREAM_POOL 64
#define H2W_STREAM_POOL_MAX 1024

/* ---- streams ---------------------------------------------------------- */

h2w_stream *h2w_stream_create(h2w_session *s, uint32_t id, uint32_t flags) {
  h2w_stream *st = s->pool.free_streams;
  if (st != NULL) {
    s->pool.free_streams = st->link;
    s->pool.nfree--;
  } else {
    st = h2w_alloc_malloc(&s->alloc, sizeof(*st));
    if (st == NULL) {
      return NULL;
    }
  }
  memset(st, 0, sizeof(*st));
  st->id = id;
  st->flags = flags;
  st->state = H2W_SS_IDLE;
  st->prio = H2W_PRIO_DEFAULT;
  h2w_send_window_init(&st->sw, s->settings.remote.initial_window_size);
  h2w_recv_window_init(&st->rw, s->settings.recv_iws);
  h2w_autotune_stream_init(s, st);
  h2w_http_body_init(&st->body, -1);
  if (h2w_stream_map_put(&s->map, id, st) != H2W_OK) {
    st->link = s->pool.free_streams;
    s->pool.free_streams = st;
    s->pool.nfree++;
    return NULL;
  }
  return st;
}

/* Keep as many spare objects as streams may be open at once, so a
 * server at its concurrency limit reuses them all. */
static int keep_spare(const h2w_session *s, uint32_t nfree) {
  return nfree < H2W_STREAM_POOL ||
         (nfree < s->settings.peer_stream_limit && nfree < H2W_STREAM_POOL_MAX);
}

int h2w_stream_tx_start(h2w_session *s, h2w_stream *st,
                        const h2w_data_source *src) {
  h2w_stream_tx *tx = st->tx;
  if (tx == NULL) {
    tx = s->pool.free_tx;
    if (tx != NULL) {
      s->pool.free_tx = tx->next_free;
      s->pool.nfree_tx--;
    } else {
      tx = h2w_alloc_malloc(&s->alloc, sizeof(*tx));
      if (tx == NULL) {
        return H2W_E_NOMEM;
      }
    }
    memset(tx, 0, sizeof(*tx));
    st->tx = tx;
  }
  tx->src = *src;
  st->src_state = H2W_SRC_ACTIVE;
  return H2W_OK;
}

void h2w_stream_tx_end(h2w_session *s, h2w_stream *st) {
  h2w_stream_tx *tx = st->tx;
  h2w_sched_remove(s, st);
  st->src_state = H2W_SRC_NONE;
  if (tx == NULL) {
    return;
  }
  st->tx = NULL;
  if (keep_spare(s, s->pool.nfree_tx)) {
    tx->next_free = s->pool.free_tx;
    s->pool.free_tx = tx;
    s->pool.nfree_tx++;
  } else {
    h2w_alloc_free(&s->alloc, tx, sizeof(*tx));
  }
}

static void recycle(h2w_session *s, h2w_stream *st) {
  h2w_recv_stream_gone(s, st);
  h2w_nvbuf_give(s, st->pending);
  st->pending = NULL;
  h2w_nvbuf_give(s, st->queued_trailers);
  st->queued_trailers = NULL;
  h2w_stream_tx_end(s, st);
  if (keep_spare(s, s->pool.nfree)) {
    st->link = s->pool.free_streams;
    s->pool.free_streams = st;
    s->pool.nfree++;
  } else {
    h2w_alloc_free(&s->alloc, st, sizeof(*st));
  }
}

/* Spare header-list copies: sizes rounded up to this, so that lists that
 * differ by a few octets (the :path of each request) fit the same blocks,
 * and blocks above H2W_NVBUF_SPARE_MAX (a list with a large cookie, say)
 * are never kept. With at most as many spares as stream objects
 * (keep_spare), the most they hold is H2W_NVBUF_SPARE_MAX per spare
 * stream, and h2w_session_shrink() gives them back. */
#define H2W_NVBUF_GRAIN 64u
#define H2W_NVBUF_SPARE_MAX 2048u

/* h2w_nvbuf_take() when the first spare (b, or NULL) does not hold the
 * list: measured, then a new block. Out of line: the common path then has
 * no local whose address is taken, so no stack protector. */
H2W_NOINLINE static h2w_nvbuf *take_new(h2w_session *s, const h2w_nv *nva,
                                        size_t n, h2w_nvbuf *b) {
  size_t octets = 0, size = h2w_nvbuf_size(nva, n, &octets);
  (void)octets;
  if (size > H2W_NVBUF_SPARE_MAX) {
    /* never kept: exact size */
    return h2w_nvbuf_new_sized(&s->alloc, nva, n, size);
  }
  if (b != NULL) {
    /* Made for shorter lists than the traffic now has: replace it. */
    s->pool.free_nv = b->next_free;
    s->pool.nfree_nv--;
    h2w_alloc_free(&s->alloc, b, b->size);
  }
  size = (size + H2W_NVBUF_GRAIN - 1) / H2W_NVBUF_GRAIN * H2W_NVBUF_GRAIN;
  b = h2w_nvbuf_new_sized(&s->alloc, nva, n, size);
  if (b == NULL && s->alloc.refused) {
    /* Spares must not hold the memory budget hostage: give them back
     * and try once more. */
    h2w_stream_pool_trim(s);
    b = h2w_nvbuf_new_sized(&s->alloc, nva, n, size);
  }
  return b;
}

h2w_nvbuf *h2w_nvbuf_take(h2w_session *s, const h2w_nv *nva, size_t n) {
  h2w_nvbuf *b = s->pool.free_nv;
  /* The common case first: a spare that holds the list, copied into
   * without measuring the list beforehand (h2w_nvbuf_fill checks the room
   * as it goes, and leaves next_free alone: the spare is still listed). */
  if (b != NULL && h2w_nvbuf_fill(b, nva, n)) {
    s->pool.free_nv = b->next_free;
    s->pool.nfree_nv--;
    b->next_free = NULL;
    return b;
  }
  return take_new(s, nva, n, b);
}

void h2w_nvbuf_give(h2w_session *s, h2w_nvbuf *b) {
  if (b == NULL) {
    return;
  }
  if (b->size <= H2W_NVBUF_SPARE_MAX && keep_spare(s, s->pool.nfree_nv)) {
    b->next_free = s->pool.free_nv;
    s->pool.free_nv = b;
    s->pool.nfree_nv++;
  } else {
    h2w_alloc_free(&s->alloc, b, b->size);
  }
}

H2W_COLD void h2w_stream_pool_trim(h2w_session *s) {
  h2w_stream *st;
  h2w_stream_tx *tx;
  h2w_nvbuf *b;
  while ((st = s->pool.free_streams) != NULL) {
    s->pool.free_streams = st->link;
    h2w_alloc_free(&s->alloc, st, sizeof(*st));
  }
  s->pool.nfree = 0;
  while ((tx = s->pool.free_tx) != NULL) {
    s->pool.free_tx = tx->next_free;
    h2w_alloc_free(&s->alloc, tx, sizeof(*tx));
  }
  s->pool.nfree_tx = 0;
  while ((b = s->pool.free_nv) != NULL) {
    s->pool.free_nv = b->next_free;
    h2w_alloc_free(&s->alloc, b, b->size);
  }
  s->pool.nfree_nv = 0;
}

/* Take st out of the map, and out of the header block being decoded and
 * the DATA path, which cache their stream (recv_headers.c, recv.c):
 * fields and frames that follow must see it gone, as a lookup by id
 * would. */
static void unmap(h2w_session *s, h2w_stream *st) {
  h2w_stream_map_del(&s->map, st->id);
  if (s->rs.hb.st == st) {
    s->rs.hb.st = NULL;
  }
  if (s->rs.data_last == st) {
    s->rs.data_last = NULL;
  }
}

void h2w_stream_discard(h2w_session *s, h2w_stream *st) {
  unmap(s, st);
  recycle(s, st);
}

static int closed_lookup(const h2w_session *s, uint32_t id,
                         h2w_closed_by *closed_by) {
  uint32_t i;
  for (i = 0; i < H2W_CLOSED_RING; i++) {
    if (s->pool.closed[i].id == id && id != 0) {
      *closed_by = (h2w_closed_by)s->pool.closed[i].closed_by;
      return 1;
    }
  }
  return 0;
}

/* Remember how stream `id` closed in the ring of recent ones. */
static void closed_note(h2w_session *s, uint32_t id, h2w_closed_by by,
                        uint32_t allowance) {
  uint32_t at = s->pool.closed_pos % H2W_CLOSED_RING;
  s->pool.closed[at].id = id;
  s->pool.closed[at].closed_by = (uint8_t)by;
  s->pool.closed[at].allowance =
      by == H2W_CLOSED_BY_RST_SENT || by == H2W_CLOSED_BY_GOAWAY_SENT
          ? allowance
          : 0;
  s->pool.closed_pos++;
}

void h2w_closed_above_goaway(h2w_session *s, uint32_t id) {
  /* RFC 9113 §6.8: the peer opened `id` before our GOAWAY reached it,
   * and may send the stream's body up to the window it starts with
   * (§6.9.2): SETTINGS_INITIAL_WINDOW_SIZE as the peer may have applied
   * it, the largest we announced and have not seen superseded by an
   * acknowledged one (recv_iws). We never send WINDOW_UPDATE on the
   * stream, so it cannot get more; a later raise of our SETTINGS that
   * would grow it is not followed (those frames are charged).
   *
   * Bound: this allowance is given only here, once per id, for the
   * HEADERS that used a new id, and that HEADERS took a glitch token
   * (recv_headers.c); any other allowance comes from a reset, which
   * costs its own token or is the application's choice. The ring is a
   * fixed FIFO of H2W_CLOSED_RING entries: an evicted id is forgotten
   * and its frames are charged again. So the frames a peer gets ignored
   * for free are at most (tokens spent) x (stream window), as for a
   * stream we reset; flow control still bounds the octets (§6.9). */
  closed_note(s, id, H2W_CLOSED_BY_GOAWAY_SENT, s->settings.recv_iws);
}

int h2w_closed_data_allowed(h2w_session *s, uint32_t id, uint32_t n) {
  uint32_t i;
  for (i = 0; i < H2W_CLOSED_RING; i++) {
    if (s->pool.closed[i].id == id && id != 0) {
      /* §5.1: DATA the peer sent before it saw our RST_STREAM (or, for
       * a stream above our GOAWAY's last id, §6.8, before it saw the
       * GOAWAY). Flow control bounds it (§6.9), so only what passes the
       * window we granted is work for nothing. Only those two kinds
       * have an allowance (closed_note); empty frames never pass. */
      if (n == 0 || s->pool.closed[i].allowance < n) {
        s->pool.closed[i].allowance = 0;
        return 0;
      }
      s->pool.closed[i].allowance -= n;
      return 1;
    }
  }
  return 0;
}

static int skipped_lookup(const h2w_session *s, uint32_t id) {
  uint32_t i;
  for (i = 0; i < H2W_SKIPPED_RANGES; i++) {
    if (s->ids.skipped[i].lo != 0 && s->ids.skipped[i].lo <= id &&
        id <= s->ids.skipped[i].hi) {
      return 1;
    }
  }
  return 0;
}

void h2w_local_id_used(h2w_session *s) {
  s->ids.next_local_id += 2;
}

void h2w_peer_id_used(h2w_session *s, uint32_t id) {
  /* The first id the peer may use: 1 for a client, 2 for a server. */
  uint32_t lo = s->ids.last_peer_id != 0 ? s->ids.last_peer_id + 2
                                         : (s->is_server ? 1u : 2u);
  if (id > lo) {
    /* §5.1.1: using `id` closes the lower idle ids of the peer; they
     * were never opened, so a frame on one later is an unexpected stream
     * identifier, not a late frame. */
    uint32_t at = s->ids.skipped_pos % H2W_SKIPPED_RANGES;
    s->ids.skipped[at].lo = lo;
    s->ids.skipped[at].hi = id - 2;
    s->ids.skipped_pos++;
  }
  s->ids.last_peer_id = id;
}

h2w_stream_state h2w_stream_state_of_id(const h2w_session *s, uint32_t id,
                                        h2w_closed_by *closed_by) {
  int ours = h2w_id_is_ours(s, id);
  *closed_by = H2W_CLOSED_BY_NONE;
  if (id == 0 ||
      (ours ? id >= s->ids.next_local_id : id > s->ids.last_peer_id)) {
    return H2W_SS_IDLE; /* never used: no need to search */
  }
  if (closed_lookup(s, id, closed_by)) {
    return H2W_SS_CLOSED;
  }
  if (!ours && skipped_lookup(s, id)) {
    *closed_by = H2W_CLOSED_BY_NEVER_OPENED;
    return H2W_SS_CLOSED;
  }
  /* Closed long ago: how is forgotten. Memory stays bounded whatever the
   * peer makes us close; the price is leniency (the table ignores frames
   * on it, as on a stream we reset). */
  *closed_by = H2W_CLOSED_BY_FORGOTTEN;
  return H2W_SS_CLOSED;
}

void h2w_stream_take_slot(h2w_session *s, h2w_stream *st) {
  /* RFC 9113 §5.1.2: open and half-closed streams count. */
  if (st->flags & H2W_SF_COUNTED) {
    return;
  }
  st->flags |= H2W_SF_COUNTED;
  if (st->flags & H2W_SF_LOCAL) {
    s->ids.n_local++;
  } else {
    s->ids.n_peer++;
  }
}

void h2w_stream_apply(h2w_session *s, h2w_stream *st, h2w_stream_event ev) {
  int next = h2w_stream_next((h2w_stream_state)st->state, ev);
  if (next < 0) {
    return;
  }
  /* RFC 9113 §5.1.2: "Streams in either of the "reserved" states do not
   * count toward the stream limit"; our reserved ones are counted apart,
   * for the promise-time policy of h2w_session_submit_push_promise(). */
  if (st->state == H2W_SS_RESERVED_LOCAL && next != H2W_SS_RESERVED_LOCAL) {
    s->ids.n_reserved--;
  } else if (next == H2W_SS_RESERVED_LOCAL &&
             st->state != H2W_SS_RESERVED_LOCAL) {
    s->ids.n_reserved++;
  }
  st->state = (uint8_t)next;
  if (next == H2W_SS_OPEN || next == H2W_SS_HALF_CLOSED_LOCAL ||
      next == H2W_SS_HALF_CLOSED_REMOTE) {
    h2w_stream_take_slot(s, st);
  }
  if (next == H2W_SS_CLOSED) {
    h2w_stream_close(s, st, h2w_stream_closed_by(ev), H2W_NO_ERROR, 0);
  }
}

void h2w_stream_close(h2w_session *s, h2w_stream *st, h2w_closed_by by,
                      uint32_t code, uint32_t flags) {
  if (st->flags & H2W_SF_CLOSING) {
    return;
  }
  if (st->flags & H2W_SF_QUEUED) {
    /* Its HEADERS never left: for the peer it is still idle, and a frame
     * on it stays the §5.1.1 error it would have been (defect F). */
    h2w_squeue_unlink(&s->ss.rq, st, H2W_SF_QUEUED);
    by = H2W_CLOSED_BY_NEVER_OPENED;
  }
  if (st->flags & H2W_SF_PUSH_WAIT) {
    /* The client knows the promise; only the response never left. */
    h2w_squeue_unlink(&s->ss.pw, st, H2W_SF_PUSH_WAIT);
  }
  if (st->state == H2W_SS_RESERVED_LOCAL) {
    s->ids.n_reserved--;
  }
  st->state = H2W_SS_CLOSED;
  st->closed_by = (uint8_t)by;
  st->close_code = code;
  st->close_flags |= flags;
  h2w_stream_tx_end(s, st);
  h2w_wu_unlink(s, st);
  unmap(s, st);
  closed_note(s, st->id, by, st->rw.avail > 0 ? (uint32_t)st->rw.avail : 0);
  st->flags |= H2W_SF_CLOSING;
  /* The close callback fires at the next reap, outside whatever frame or
   * submit call closed it; until then the stream keeps its concurrency
   * slot (docs/security.md row 10). */
  st->link = NULL;
  if (s->pool.reap_tail != NULL) {
    s->pool.reap_tail->link = st;
  } else {
    s->pool.reap = st;
  }
  s->pool.reap_tail = st;
}

int h2w_reap(h2w_session *s) {
  while (s->pool.reap != NULL) {
    h2w_stream *st = s->pool.reap;
    /* Still on the list during its callback, so its user data can be
     * read there (h2w_session_get_stream_user_data). */
    /* The one callback that still fires after a fatal error: every
     * stream the application knows ends with it (h2w_close_all). */
    if ((st->flags & H2W_SF_REPORTED) && s->cb.on_stream_close != NULL) {
      int rv;
      H2W_CB_ENTER(s);
      rv = s->cb.on_stream_close(s, st->id, st->close_code, st->close_flags,
                                 s->user);
      H2W_CB_LEAVE(s);
      h2w_cb_result(s, rv, "on_stream_close");
    }
    s->pool.reap = st->link;
    if (s->pool.reap == NULL) {
      s->pool.reap_tail = NULL;
    }
    if (st->flags & H2W_SF_COUNTED) {
      if (st->flags & H2W_SF_LOCAL) {
        s->ids.n_local--;
      } else {
        s->ids.n_peer--;
      }
    }
    recycle(s, st);
    s->clock.last_active_ms =
        s->clock.now; /* the idle timeout counts from here */
  }
  /* A freed slot lets the send path start a queued request. */
  return s->err.lib;
}

/* ---- errors ----------------------------------------------------------- */

static void mark_unsent(void *value, void *arg) {
  h2w_stream *st = value;
  (void)arg;
  if ((st->flags & H2W_SF_LOCAL) && !(st->flags & H2W_SF_HEADERS_OUT)) {
    st->close_flags |= H2W_CLOSE_FLAG_RETRYABLE;
  }
}

/* The output is dropped for good (the connection ends without it): a
 * client's requests whose HEADERS never left the session were never seen
 * by the server, so they are safe to retry on a new connection (RFC 9113
 * §8.7), as queued ones are. */
static void unsent_requests_retryable(h2w_session *s) {
  if (!s->is_server && !s->all_closed) {
    h2w_stream_map_each(&s->map, mark_unsent, NULL);
  }
}

/* The one path by which a connection ends (RFC 9113 §5.4.1, §6.8): the
 * sticky error, on_error, and the final GOAWAY, unless the application
 * already queued its own (`goaway_queued`: no on_error either, it is not
 * an error the session found). The streams end with it at the end of the
 * public call (h2w_api_done). */
static int conn_end(h2w_session *s, int lib_err, uint32_t code,
                    const char *reason, int goaway_queued) {
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (lib_err == H2W_E_NOMEM && s->alloc.refused) {
    /* Not the allocator failing: the peer made us pass the budget. */
    lib_err = H2W_E_LIMIT;
    code = H2W_ENHANCE_YOUR_CALM;
    reason = "memory budget exceeded";
  }
  if (s->cb.on_error != NULL && !s->ending && !goaway_queued) {
    /* Errors the session found, once: an error GOAWAY the application
     * sends (from on_error too) ends the connection through here without
     * a report, so nothing it submits from on_error can follow that
     * GOAWAY, and on_error is never re-entered. */
    s->ending = 1;
    H2W_CB_ENTER(s);
    s->cb.on_error(s, 0, code, reason, s->user);
    H2W_CB_LEAVE(s);
    s->ending = 0;
    if (s->err.lib != H2W_OK) {
      return s->err.lib; /* on_error submitted an error GOAWAY itself */
    }
  }
  s->err.lib = lib_err;
  s->err.code = code;
  s->err.reason = reason;
  if (goaway_queued) {
    s->err.offset = s->in_total;
    h2w_sched_stop(s);
  } else {
    s->err.offset = s->rs.frame_start;
    h2w_send_fatal(s, h2w_goaway_last(s), code, reason);
    unsent_requests_retryable(s); /* only the GOAWAY follows now */
  }
  return lib_err;
}

H2W_COLD int h2w_conn_error(h2w_session *s, int lib_err, uint32_t code,
                            const char *reason) {
  return conn_end(s, lib_err, code, reason, 0);
}

H2W_COLD int h2w_conn_error_sent(h2w_session *s, int lib_err, uint32_t code,
                                 const char *reason) {
  return conn_end(s, lib_err, code, reason, 1);
}

static void collect_cb(void *value, void *arg) {
  h2w_stream *st = value;
  h2w_stream **list = arg;
  st->link = *list;
  *list = st;
}

/* Merge sort of a list linked through `link`, ascending by id: no
 * allocation, so a connection that died of NOMEM still ends its streams
 * in order. */
static h2w_stream *sort_by_id(h2w_stream *list) {
  h2w_stream *a = NULL, *b = NULL, *next, *out = NULL, **tail = &out;
  int flip = 0;
  if (list == NULL || list->link == NULL) {
    return list;
  }
  for (; list != NULL; list = next, flip ^= 1) {
    next = list->link;
    if (flip) {
      list->link = a;
      a = list;
    } else {
      list->link = b;
      b = list;
    }
  }
  a = sort_by_id(a);
  b = sort_by_id(b);
  while (a != NULL && b != NULL) {
    h2w_stream **min = a->id < b->id ? &a : &b;
    *tail = *min;
    tail = &(*min)->link;
    *min = (*min)->link;
  }
  *tail = a != NULL ? a : b;
  return out;
}

H2W_COLD void h2w_close_all(h2w_session *s, uint32_t code) {
  h2w_stream *list = NULL, *st;
  if (s->all_closed) {
    return;
  }
  s->all_closed = 1;
  /* Queued requests are in the table too; their `link` is the queue's. */
  while ((st = h2w_squeue_pop(&s->ss.rq, H2W_SF_QUEUED)) != NULL) {
    /* Never on the wire: safe to retry elsewhere (RFC 9113 §8.7). */
    st->close_flags |= H2W_CLOSE_FLAG_RETRYABLE;
  }
  /* Waiting pushed responses too: collect_cb reuses `link`. */
  while (h2w_squeue_pop(&s->ss.pw, H2W_SF_PUSH_WAIT) != NULL) {
    /* Popping is all: each is closed with the others below. */
  }
  h2w_stream_map_each(&s->map, collect_cb, &list);
  list = sort_by_id(list);
  while ((st = list) != NULL) {
    list = st->link;
    h2w_stream_close(s, st, H2W_CLOSED_BY_RST_SENT, code,
                     H2W_CLOSE_FLAG_CONNECTION);
  }
  h2w_reap(s);
}

H2W_COLD int h2w_callback_failed(h2w_session *s, const char *which) {
  /* In event-buffer mode a "callback" that fails is a recorder whose
   * buffer could not grow: report that, not a callback failure. */
  int err = s->ev != NULL ? h2w_events_failure(s) : H2W_E_CALLBACK_FAILURE;
  return h2w_conn_error(s, err, H2W_INTERNAL_ERROR,
                        err == H2W_E_CALLBACK_FAILURE ? which
                                                      : "event buffer full");
}

int h2w_cb_result(h2w_session *s, int rv, const char *which) {
  if (rv != 0 && rv != H2W_E_PAUSE) {
    return h2w_callback_failed(s, which);
  }
  if (s->err.lib != H2W_OK) {
    /* The callback ended the connection itself (an error GOAWAY is a
     * submit the contract allows from any callback): whatever it
     * returned, nothing more may fire for this frame. */
    return s->err.lib;
  }
  if (rv == H2W_E_PAUSE) {
    s->rs.paused = 1;
  }
  return 0;
}

H2W_COLD void h2w_err_peer_goaway(h2w_session *s, uint32_t code) {
  if (code != H2W_NO_ERROR && s->err.code == H2W_NO_ERROR) {
    /* Not an error of ours, but the reason the connection is ending. */
    s->err.code = code;
    s->err.reason = "the peer sent GOAWAY with an error code";
    s->err.offset = s->rs.frame_start;
  }
}

int h2w_cb_stream_result(h2w_session *s, uint32_t id, int rv,
                         const char *which) {
  int r;
  if (rv != H2W_CB_RESET_STREAM) {
    return h2w_cb_result(s, rv, which);
  }
  if (s->err.lib != H2W_OK || h2w_stream_find(s, id) == NULL) {
    /* Reset already (the callback chose the code with
     * h2w_session_submit_rst_stream()), or the connection is over. */
    return s->err.lib;
  }
  /* The application's own decision: no on_error, not charged to the
   * peer's reset budget. Frames that follow on the stream are ignored
   * (§5.1, closed after our RST_STREAM); a header block still being
   * decoded goes on for the HPACK table (RFC 7541 §2.3.2). */
  r = h2w_session_submit_rst_stream(s, id, H2W_INTERNAL_ERROR);
  if (r != H2W_OK && s->err.lib == H2W_OK) {
    return h2w_conn_error(s, r == H2W_E_LIMIT ? H2W_E_LIMIT : H2W_E_NOMEM,
                          H2W_INTERNAL_ERROR, "out of memory");
  }
  return s->err.lib;
}

/* One token from bucket b at the session's time; an empty bucket ends the
 * connection. */
static int charge(h2w_session *s, h2w_bucket *b, const char *reason) {
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (!s->clock.started) {
    /* A budget that never refills would cut off a well-behaved peer
     * after its burst (a browser's 1000th cancel): without a clock the
     * budgets are off, and the application is told once why. */
    if (!s->clock.no_clock_told && b->cap != 0) {
      s->clock.no_clock_told = 1;
      if (s->cb.on_error != NULL) {
        H2W_CB_ENTER(s);
        s->cb.on_error(s, 0, H2W_NO_ERROR, H2W_REASON_NO_CLOCK, s->user);
        H2W_CB_LEAVE(s);
      }
    }
    return 0;
  }
  if (h2w_bucket_take(b, s->clock.now) < 0) {
    return h2w_conn_error(s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM, reason);
  }
  return 0;
}

H2W_COLD int h2w_glitch(h2w_session *s, const char *reason) {
  return charge(s, &s->abuse.glitches, reason);
}

H2W_COLD int h2w_charge_reset(h2w_session *s) {
  return charge(s, &s->abuse.resets, "too many stream resets");
}

H2W_COLD int h2w_stream_error(h2w_session *s, uint32_t id, uint32_t code,
                              const char *reason) {
  /* Every reset the peer provokes counts (MadeYouReset, row 10). */
  if (h2w_charge_reset(s) < 0) {
    return s->err.lib;
  }
  return h2w_stream_fail(s, id, code, reason);
}

H2W_COLD int h2w_stream_fail(h2w_session *s, uint32_t id, uint32_t code,
                             const char *reason) {
  h2w_stream *st;
  int rv;
  if (s->cb.on_error != NULL) {
    H2W_CB_ENTER(s);
    s->cb.on_error(s, id, code, reason, s->user);
    H2W_CB_LEAVE(s);
  }
  rv = h2w_queue_rst(s, id, code, 1);
  st = h2w_stream_find(s, id);
  if (st != NULL) {
    h2w_stream_close(s, st, H2W_CLOSED_BY_RST_SENT, code, H2W_CLOSE_FLAG_RESET);
  } else {
    /* A stream refused before it had an object (concurrency or memory
     * limit): the peer may send up to the initial window after its
     * HEADERS. */
    closed_note(s, id, H2W_CLOSED_BY_RST_SENT, s->settings.recv_iws);
  }
  return rv;
}

/* ---- lifecycle -------------------------------------------------------- */

static int queue_preface_settings(h2w_session *s) {
  h2w_settings_entry iv[H2W_PREFACE_SETTINGS_MAX];
  size_t n = h2w_preface_settings(s, iv);
  return h2w_queue_settings(s, iv, n);
}

static H2W_COLD int session_new(h2w_session **out, int is_server,
                                const h2w_callbacks *cb, const h2w_options *opt,
                                void *user, const h2w_mem *mem) {
  int err = H2W_OK;
  h2w_session *s;
  h2w_alloc alloc;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *out = NULL;
  s = h2w_alloc_box(mem, sizeof(*s), offsetof(h2w_session, alloc), &err);
  if (s == NULL) {
    return err;
  }
  alloc = s->alloc;
  memset(s, 0, sizeof(*s));
  s->alloc = alloc;
  if (cb != NULL) {
    s->cb = cb->t;
  }
  if (opt != NULL) {
    s->opt = opt->o;
  } else {
    h2w_opts_defaults(&s->opt);
  }
  s->user = user;
  s->is_server = (uint8_t)is_server;
  s->ids.next_local_id = is_server ? 2 : 1;
  h2w_hpack_decoder_init(&s->dec, &s->alloc);
  s->dec.max_fields = s->opt.max_header_fields;
  h2w_hpack_encoder_init(&s->enc, &s->alloc);
  h2w_settings_state_init(s);
  h2w_stream_map_init(&s->map, &s->alloc);
  h2w_send_window_init(&s->conn_sw, H2W_DEFAULT_WINDOW_SIZE);
  h2w_recv_window_init(&s->conn_rw, H2W_DEFAULT_WINDOW_SIZE);
  h2w_recv_init(s);
  h2w_outq_init(&s->ss.q, &s->alloc);
  h2w_outq_init(&s->ss.side, &s->alloc);
  h2w_bucket_init(&s->abuse.glitches, s->opt.glitch_burst, s->opt.glitch_rate,
                  0);
  h2w_bucket_init(&s->abuse.resets, s->opt.reset_burst, s->opt.reset_rate, 0);
  s->clock.ka_slot = H2W_MAX_PINGS;
  h2w_autotune_init(s);
  s->submit_field = SIZE_MAX;
  if (!is_server) {
    uint8_t *p = h2w_outq_reserve(&s->ss.q, sizeof(h2w_client_magic));
    if (p == NULL) {
      h2w_session_del(s);
      return H2W_E_NOMEM;
    }
    memcpy(p, h2w_client_magic, sizeof(h2w_client_magic));
    h2w_outq_commit(&s->ss.q, sizeof(h2w_client_magic));
    s->ss.q.mark = s->ss.q.tail; /* the magic is not a frame */
  }
  err = queue_preface_settings(s);
  if (err == H2W_OK &&
      s->opt.connection_window_size > H2W_DEFAULT_WINDOW_SIZE) {
    /* RFC 9113 §6.9.2: only WINDOW_UPDATE grows the connection window. */
    err =
        h2w_recv_window_set_target(&s->conn_rw, s->opt.connection_window_size);
  }
  if (err != H2W_OK) {
    h2w_session_del(s);
    return err;
  }
  /* From here on the session lives within its budget (what it holds now
   * counts against it). A budget smaller than the fresh session could
   * never be kept: refused now rather than broken from the start. */
  if (s->opt.memory_budget != 0 && s->alloc.in_use > s->opt.memory_budget) {
    h2w_session_del(s);
    return H2W_E_LIMIT;
  }
  s->alloc.budget = s->opt.memory_budget;
  *out = s;
  return H2W_OK;
}

H2W_COLD int h2w_session_client_new(h2w_session **out, const h2w_callbacks *cb,
                                    const h2w_options *opt, void *user,
                                    const h2w_mem *mem) {
  return session_new(out, 0, cb, opt, user, mem);
}

H2W_COLD int h2w_session_server_new(h2w_session **out, const h2w_callbacks *cb,
                                    const h2w_options *opt, void *user,
                                    const h2w_mem *mem) {
  return session_new(out, 1, cb, opt, user, mem);
}

static void free_stream_cb(void *value, void *arg) {
  h2w_session *s = arg;
  h2w_stream *st = value;
  h2w_nvbuf_free(&s->alloc, st->pending);
  if (st->tx != NULL) {
    h2w_alloc_free(&s->alloc, st->tx, sizeof(*st->tx));
  }
  h2w_alloc_free(&s->alloc, st, sizeof(*st));
}

H2W_COLD void h2w_session_del(h2w_session *s) {
  h2w_stream *st;
  if (s == NULL || s->depth != 0) {
    /* From inside a callback the session cannot be freed under the call
     * that runs it: refused, nothing changes (h2wire.h, "Reentrancy"). */
    return;
  }
  if (s->err.lib == H2W_OK) {
    /* Closing: while the streams' close callbacks run, calls that would
     * change the session return H2W_E_INVALID_STATE. */
    s->err.lib = H2W_E_INVALID_STATE;
    s->err.code = H2W_NO_ERROR;
    s->err.reason = "session deleted";
  }
  unsent_requests_retryable(s); /* nothing more leaves the session */
  h2w_close_all(s, s->err.code);
  h2w_stream_map_each(&s->map, free_stream_cb, s);
  /* Queued requests are in the table too; closed ones only here. */
  while ((st = s->pool.reap) != NULL) {
    s->pool.reap = st->link;
    free_stream_cb(st, s);
  }
  h2w_events_free(s); /* the close records above go with it */
  h2w_stream_pool_trim(s);
  h2w_stream_map_free(&s->map);
  h2w_frame_reader_free(&s->rs.reader);
  h2w_hpack_decoder_free(&s->dec);
  h2w_hpack_encoder_free(&s->enc);
  h2w_outq_free(&s->ss.q);
  h2w_outq_free(&s->ss.side);
  h2w_alloc_unbox(s, sizeof(*s), offsetof(h2w_session, alloc));
}

/* ---- input, output, state ------------------------------------------- */

h2w_ssize h2w_session_recv(h2w_session *s, const uint8_t *in, size_t len) {
  h2w_ssize rv;
  if (s == NULL || (in == NULL && len > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    return H2W_E_INVALID_STATE; /* from a callback: refused, no change */
  }
  /* Every receive-side callback runs inside this call: count it once
   * here rather than at each of them. */
  H2W_CB_ENTER(s);
  if (s->ev != NULL) {
    h2w_events_recv_begin(s, in, len);
  }
  rv = h2w_recv(s, in, len);
  if (s->ev != NULL) {
    h2w_events_recv_end(s);
  }
  H2W_CB_LEAVE(s);
  h2w_api_done(s);
  return rv;
}

int h2w_session_want_read(const h2w_session *s) {
  if (s == NULL || s->err.lib != H2W_OK) {
    return 0;
  }
  if ((s->goaway.sent || s->goaway.recv) && s->map.len == 0 &&
      s->pool.reap == NULL) {
    return 0;
  }
  return 1;
}

int h2w_session_want_write(const h2w_session *s) {
  return s != NULL && h2w_send_pending(s);
}

/* What the input was in the middle of when it ended, or NULL. */
static const char *unfinished_input(const h2w_session *s) {
  if (s->rs.preface_left > 0 &&
      s->rs.preface_left < (uint8_t)sizeof(h2w_client_magic)) {
    return "connection closed inside the connection preface";
  }
  if (s->rs.reader.hdlen > 0 || s->rs.reader.in_payload) {
    return "connection closed inside a frame";
  }
  if (s->rs.hb.active) {
    /* §6.10: a header block is one run of frames; without its end the
     * HPACK state (§4.3) and the message are incomplete. */
    return "connection closed inside a header block";
  }
  return NULL;
}

/* The reason of a clean end of input; compared by address. */
static const char peer_closed[] = "the peer closed the connection";

H2W_COLD int h2w_session_eof(h2w_session *s) {
  const char *reason;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    return H2W_E_INVALID_STATE; /* from a callback: refused, no change */
  }
  if (!s->eof && s->err.lib == H2W_OK) {
    reason = unfinished_input(s);
    if (reason != NULL) {
      /* What we would answer with a connection error (§4.1, §6.10), but
       * the peer is gone: reported, never put on the wire. */
      s->err.offset = s->rs.reader.hdlen > 0 || s->rs.reader.in_payload
                          ? s->rs.frame_start
                          : s->in_total;
      if (s->cb.on_error != NULL) {
        /* As for a connection error (conn_end): reported once, and an
         * error the callback causes itself (an error GOAWAY) stands. */
        s->ending = 1;
        H2W_CB_ENTER(s);
        s->cb.on_error(s, 0, H2W_PROTOCOL_ERROR, reason, s->user);
        H2W_CB_LEAVE(s);
        s->ending = 0;
      }
      if (s->err.lib == H2W_OK) {
        s->err.lib = H2W_E_TRUNCATED;
        s->err.code = H2W_PROTOCOL_ERROR;
        s->err.reason = reason;
      }
    } else {
      /* A clean end of input. err_code keeps the peer's GOAWAY code, if
       * it sent one: the reason its streams end. */
      s->err.lib = H2W_E_CLOSED;
      s->err.reason = peer_closed;
      s->err.offset = s->in_total;
    }
  }
  s->eof = 1;
  /* Nothing we could write reaches anyone: HTTP/2 has no half-closed
   * connection (streams half-close, §5.1, the connection does not), so
   * the output, a final GOAWAY included, is dropped. */
  h2w_outq_truncate(&s->ss.q, s->ss.q.head);
  h2w_outq_truncate(&s->ss.side, s->ss.side.head);
  s->ss.goaway_len = 0;
  s->ss.goaway_off = 0;
  s->ss.peeked = 0; /* a later ack has nothing to mark */
  h2w_sched_stop(s);
  unsent_requests_retryable(s);
  h2w_api_done(s);
  return s->err.reason == peer_closed ? H2W_OK : s->err.lib;
}

/* ---- time ------------------------------------------------------------- */

/* When the keepalive has work: the next PING, or the death of the peer. */
uint64_t h2w_keepalive_deadline(const h2w_session *s) {
  if (s->opt.keepalive_interval_ms == 0) {
    return UINT64_MAX;
  }
  if (s->clock.ka_slot != H2W_MAX_PINGS &&
      s->clock.frames_in == s->clock.ka_frames) {
    return s->clock.ka_deadline;
  }
  return h2w_deadline_add(s->clock.last_recv_ms, s->opt.keepalive_interval_ms);
}

void h2w_clock_frame_in(h2w_session *s) {
  h2w_clock_piece_in(s, 1);
}

int h2w_keepalive_acked(h2w_session *s, size_t slot) {
  if (slot != s->clock.ka_slot) {
    return 0;
  }
  s->clock.ka_slot = H2W_MAX_PINGS;
  return 1;
}

uint64_t h2w_idle_deadline(const h2w_session *s) {
  if (s->opt.idle_timeout_ms == 0 || s->map.len != 0 || s->pool.reap != NULL ||
      s->goaway.sent) {
    return UINT64_MAX;
  }
  return h2w_deadline_add(s->clock.last_active_ms, s->opt.idle_timeout_ms);
}

uint64_t h2w_session_next_deadline(const h2w_session *s) {
  uint64_t d = UINT64_MAX, t;
  if (s == NULL || s->err.lib != H2W_OK) {
    return UINT64_MAX;
  }
  if ((t = h2w_keepalive_deadline(s)) < d) {
    d = t;
  }
  if ((t = h2w_idle_deadline(s)) < d) {
    d = t;
  }
  if ((t = h2w_settings_deadline(s)) < d) {
    d = t; /* the earliest timer wins, not the last one looked at */
  }
  if (s->goaway.shutdown == 1 && s->goaway.shutdown_deadline < d) {
    d = s->goaway.shutdown_deadline;
  }
  return d;
}

/* The keepalive deadline passed: either the PING went unanswered (and no
 * other frame came either), or the connection has been quiet for the
 * interval and gets a PING. */
static int keepalive(h2w_session *s) {
  static const uint8_t opaque[8] = {'h', '2', 'w', 'k', 'e', 'e', 'p', '1'};
  size_t slot = H2W_MAX_PINGS;
  int rv;
  if (s->clock.ka_slot != H2W_MAX_PINGS &&
      s->clock.frames_in == s->clock.ka_frames) {
    return h2w_conn_error(s, H2W_E_TIMEOUT, H2W_NO_ERROR,
                          "keepalive PING not answered in time");
  }
  if (s->clock.ka_slot != H2W_MAX_PINGS) {
    /* The peer is alive, but the old PING's ACK is still due: reuse its
     * slot rather than spend another one. */
    s->ss.pings[s->clock.ka_slot].used = 0;
    s->clock.ka_slot = H2W_MAX_PINGS;
  }
  rv = h2w_queue_ping(s, opaque, &slot);
  if (rv == H2W_E_LIMIT) {
    /* Every PING slot is the application's: its PINGs prove liveness
     * just as well; try again after another interval. */
    s->clock.last_recv_ms = s->clock.now;
    return 0;
  }
  if (rv != H2W_OK) {
    return h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory");
  }
  s->clock.ka_slot = (uint8_t)slot;
  s->clock.ka_frames = s->clock.frames_in;
  s->clock.ka_deadline =
      h2w_deadline_add(s->clock.now, s->opt.keepalive_timeout_ms);
  return 0;
}

static int tick(h2w_session *s, uint64_t now_ms);

int h2w_session_tick(h2w_session *s, uint64_t now_ms) {
  int rv;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    /* From a callback: refused, the clock included (a reap re-entered
     * from on_stream_close would free the stream being reported). */
    return H2W_E_INVALID_STATE;
  }
  rv = tick(s, now_ms);
  h2w_api_done(s);
  return rv;
}

static int tick(h2w_session *s, uint64_t now_ms) {
  if (!s->clock.started) {
    /* Until the first tick the session time is 0: move what was stamped
     * with it to the caller's clock, or the first tick would expire it. */
    uint32_t i;
    s->clock.started = 1;
    s->clock.now = now_ms;
    h2w_settings_clock_start(s, now_ms);
    for (i = 0; i < H2W_MAX_PINGS; i++) {
      s->ss.pings[i].sent_ms = now_ms;
    }
    if (s->goaway.shutdown == 1) {
      s->goaway.shutdown_deadline =
          h2w_deadline_add(now_ms, s->opt.shutdown_timeout_ms);
    }
    h2w_bucket_restart(&s->abuse.glitches, now_ms);
    h2w_bucket_restart(&s->abuse.resets, now_ms);
    s->clock.last_recv_ms = now_ms;
    s->clock.last_active_ms = now_ms;
    if (s->clock.ka_slot != H2W_MAX_PINGS) {
      s->clock.ka_deadline =
          h2w_deadline_add(now_ms, s->opt.keepalive_timeout_ms);
    }
  }
  if (now_ms > s->clock.now) {
    s->clock.now = now_ms;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (h2w_settings_deadline(s) != UINT64_MAX &&
      s->clock.now >= h2w_settings_deadline(s)) {
    /* RFC 9113 §6.5.3: no ACK in time. */
    return h2w_conn_error(s, H2W_E_TIMEOUT, H2W_SETTINGS_TIMEOUT,
                          "SETTINGS not acknowledged in time");
  }
  if (s->goaway.shutdown == 1 && s->clock.now >= s->goaway.shutdown_deadline) {
    int rv = h2w_finish_shutdown(s);
    if (rv != H2W_OK) {
      /* A timer cannot be retried by the caller: losing it is fatal. */
      return h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory");
    }
  }
  if (s->clock.now >= h2w_keepalive_deadline(s) && keepalive(s) < 0) {
    return s->err.lib;
  }
  if (s->clock.now >= h2w_idle_deadline(s)) {
    return h2w_conn_error(s, H2W_E_TIMEOUT, H2W_NO_ERROR,
                          "connection idle for too long");
  }
  return h2w_reap(s);
}

/* ---- getters ---------------------------------------------------------- */

int h2w_session_set_stream_user_data(h2w_session *s, uint32_t stream_id,
                                     void *data) {
  h2w_stream *st;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib; /* sticky, as every call that changes the session */
  }
  st = h2w_stream_find(s, stream_id);
  if (st == NULL) {
    return H2W_E_INVALID_STATE;
  }
  st->user = data;
  return H2W_OK;
}

void *h2w_session_get_stream_user_data(const h2w_session *s,
                                       uint32_t stream_id) {
  const h2w_stream *st;
  const h2w_stream *r;
  if (s == NULL) {
    return NULL;
  }
  st = h2w_stream_find(s, stream_id);
  if (st != NULL) {
    return st->user;
  }
  /* Closed streams keep their data until their close callback ran. */
  for (r = s->pool.reap; r != NULL; r = r->link) {
    if (r->id == stream_id) {
      return r->user;
    }
  }
  return NULL;
}

int h2w_session_stream_state(const h2w_session *s, uint32_t stream_id) {
  const h2w_stream *st;
  h2w_closed_by by;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  st = h2w_stream_find(s, stream_id);
  if (st != NULL) {
    return st->state;
  }
  if (stream_id == 0) {
    return H2W_STREAM_STATE_IDLE;
  }
  return (int)h2w_stream_state_of_id(s, stream_id, &by);
}

int h2w_session_window(const h2w_session *s, uint32_t stream_id,
                       int32_t *recv_window, int32_t *send_window) {
  const h2w_recv_window *rw;
  const h2w_send_window *sw;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (stream_id == 0) {
    rw = &s->conn_rw;
    sw = &s->conn_sw;
  } else {
    const h2w_stream *st = h2w_stream_find(s, stream_id);
    if (st == NULL) {
      return H2W_E_INVALID_STATE;
    }
    rw = &st->rw;
    sw = &st->sw;
  }
  if (recv_window != NULL) {
    *recv_window = rw->avail;
  }
  if (send_window != NULL) {
    *send_window = sw->avail;
  }
  return H2W_OK;
}

int h2w_session_setting(const h2w_session *s, int side, uint16_t id,
                        uint32_t *value) {
  int known = 0;
  uint32_t v;
  if (s == NULL || value == NULL ||
      (side != H2W_SETTINGS_LOCAL && side != H2W_SETTINGS_REMOTE)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  v = h2w_settings_get(side == H2W_SETTINGS_LOCAL ? &s->settings.local
                                                  : &s->settings.remote,
                       id, &known);
  if (!known) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *value = v;
  return H2W_OK;
}

int h2w_session_error(const h2w_session *s, uint32_t *wire_code,
                      const char **reason, uint64_t *offset) {
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (wire_code != NULL) {
    *wire_code = s->err.code;
  }
  if (reason != NULL) {
    *reason = s->err.reason;
  }
  if (offset != NULL) {
    *offset = s->err.offset;
  }
  return s->err.lib;
}

uint32_t h2w_session_open_streams(const h2w_session *s) {
  return s == NULL ? 0 : s->ids.n_local + s->ids.n_peer + s->ids.n_reserved;
}

int h2w_session_is_server(const h2w_session *s) {
  return s != NULL && s->is_server;
}

size_t h2w_session_memory(const h2w_session *s) {
  return s == NULL ? 0 : s->alloc.in_use;
}

/* ---- walking the streams ---------------------------------------------- */

static void ids_cb(void *value, void *arg) {
  const h2w_stream *st = value;
  uint32_t **p = arg;
  *(*p)++ = st->id;
}

static int cmp_id(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

H2W_COLD int h2w_session_foreach_stream(h2w_session *s, h2w_stream_visit_cb cb,
                                        void *user) {
  uint32_t *ids, *end;
  size_t n, i, size;
  int rv = H2W_OK;
  if (s == NULL || cb == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  n = s->map.len;
  if (n == 0) {
    return H2W_OK;
  }
  /* A snapshot of the ids, so that the callback may open, reset or close
   * streams (submits) while the walk goes on: a stream closed meanwhile
   * is skipped, one opened meanwhile is not visited. */
  size = n * sizeof(*ids);
  ids = h2w_alloc_malloc(&s->alloc, size);
  if (ids == NULL) {
    return h2w_local_rv(s, H2W_E_NOMEM);
  }
  end = ids;
  h2w_stream_map_each(&s->map, ids_cb, &end);
  qsort(ids, n, sizeof(*ids), cmp_id);
  for (i = 0; i < n && rv == H2W_OK; i++) {
    h2w_stream *st = h2w_stream_find(s, ids[i]);
    if (st != NULL) {
      H2W_CB_ENTER(s);
      rv = cb(s, st->id, st->state, st->user, user);
      H2W_CB_LEAVE(s);
    }
  }
  h2w_alloc_free(&s->alloc, ids, size);
  return rv;
}

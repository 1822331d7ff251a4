/* The session's internal state, shared by the files that implement it:
 *   config.c    callbacks and options objects (public setters);
 *   session.c   lifecycle, stream table and lifetimes, errors, timers,
 *               getters;
 *   recv.c      connection preface and the per-frame-type handlers;
 *   recv_headers.c  header blocks: HEADERS/CONTINUATION assembly, HPACK
 *               decoding and RFC 9113 §8 validation into callbacks;
 *   send.c      the output: control queue, WINDOW_UPDATEs, DATA
 *               scheduling, send/peek/ack;
 *   submit.c    the h2w_session_submit_*() API.
 *
 * The state is grouped by owner: every file reads what it needs, but
 * each sub-struct of struct h2w_session is changed by one file only.
 *   s->settings  h2w_settings_state  settings.c
 *   s->err.lib       h2w_err_state       session.c (the one error path)
 *   s->clock     h2w_clock_state     session.c (ticks, keepalive, idle)
 *   s->pool      h2w_pool_state      session.c (stream pools, reap list,
 *                                    closed ring)
 *   s->ids       h2w_ids_state       session.c (stream ids, slot counts,
 *                                    skipped ranges)
 *   s->abuse     h2w_abuse_state     session.c (glitch/reset buckets)
 *   s->goaway    h2w_goaway_state    send.c (GOAWAY, graceful shutdown)
 *   s->prio      h2w_prio_state      priority.c
 * Other files change them only through functions of the owner
 * (h2w_local_id_used, h2w_peer_id_used, h2w_clock_frame_in,
 * h2w_keepalive_acked, h2w_err_peer_goaway, h2w_goaway_note_sent/recv,
 * h2w_start_shutdown, ...).
 * Not grouped by a single owner yet: s->rs (recv.c, recv_headers.c;
 * session.c sets rs.paused), s->ss (send.c; session.c and submit.c
 * link streams into its lists) and the loose members (depth, all_closed,
 * ending, in_total, conn_unconsumed, the HPACK coders, the stream map,
 * the connection windows). */
#ifndef H2W_SESSION_INT_H
#define H2W_SESSION_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "events.h"
#include "autotune.h"
#include "flow.h"
#include "frame.h"
#include "h2wire.h"
#include "hpack.h"
#include "http.h"
#include "limits.h"
#include "mem.h"
#include "outq.h"
#include "settings.h"
#include "stream.h"
#include "stream_map.h"

/* ---- configuration (config.c) ------------------------------------------ */

typedef struct h2w_cb_table {
  h2w_on_begin_headers_cb on_begin_headers;
  h2w_on_header_cb on_header;
  h2w_on_headers_cb on_headers;
  h2w_on_data_cb on_data;
  h2w_on_stream_end_cb on_stream_end;
  h2w_on_stream_reset_cb on_stream_reset;
  h2w_on_stream_close_cb on_stream_close;
  h2w_on_settings_cb on_settings;
  h2w_on_settings_ack_cb on_settings_ack;
  h2w_on_ping_ack_cb on_ping_ack;
  h2w_on_goaway_cb on_goaway;
  h2w_on_frame_cb on_frame_recv;
  h2w_on_frame_cb on_frame_send;
  h2w_on_error_cb on_error;
  h2w_on_altsvc_cb on_altsvc;
  h2w_on_origin_cb on_origin;
  h2w_on_frame_cb on_extension_frame;
  h2w_on_push_promise_cb on_push_promise;
} h2w_cb_table;

typedef struct h2w_opts {
  uint32_t max_concurrent_streams;
  uint32_t initial_window_size;
  uint32_t connection_window_size;
  uint32_t max_frame_size;
  uint32_t max_header_list_size;
  uint32_t max_header_fields;
  uint32_t header_table_size;
  uint32_t encoder_table_size;
  uint32_t settings_timeout_ms;
  uint32_t max_control_queue;
  uint32_t shutdown_timeout_ms;
  uint32_t max_continuations;    /* per block (docs/security.md row 11) */
  uint32_t max_settings_entries; /* per SETTINGS frame (row 2) */
  uint32_t glitch_burst;         /* rows 4, 7, 8: token bucket */
  uint32_t glitch_rate;          /* tokens per second */
  uint32_t reset_burst;          /* rows 9, 10: token bucket */
  uint32_t reset_rate;
  uint32_t keepalive_interval_ms; /* 0 = no keepalive PINGs */
  uint32_t keepalive_timeout_ms;
  uint32_t idle_timeout_ms;       /* 0 = never close an idle connection */
  uint32_t max_extension_payload; /* longer extension frames: dropped */
  size_t memory_budget;           /* 0 = unlimited */
  uint8_t manual_flow_control;
  uint8_t validate_messages;
  uint8_t enable_connect_protocol; /* RFC 8441: accept :protocol */
  uint8_t enable_push;             /* client: announce ENABLE_PUSH 1 */
  uint32_t autotune_max_conn;      /* window autotuning caps; 0 = off */
  uint32_t autotune_max_stream;    /* (autotune.c) */
} h2w_opts;

struct h2w_callbacks {
  h2w_alloc alloc;
  h2w_cb_table t;
};

struct h2w_options {
  h2w_alloc alloc;
  h2w_opts o;
};

void h2w_opts_defaults(h2w_opts *o);

/* ---- streams ------------------------------------------------------------ */

/* A header list copied out of the caller's h2w_nv array, for header blocks
 * that must wait (queued requests, trailers behind body data). One
 * allocation: the h2w_nv array followed by the name/value octets. */
typedef struct h2w_nvbuf {
  size_t n;
  size_t size;                 /* of the whole allocation (may have room) */
  size_t octets;               /* names and values together: the HPACK
                                  bound's sum */
  struct h2w_nvbuf *next_free; /* the session's spares (h2w_nvbuf_take) */
  h2w_nv nv[];
} h2w_nvbuf;

/* A copy of nva[0..n) in a block of `size` octets, at least
 * h2w_nvbuf_size() of the list (the exact size, or rounded up for reuse;
 * SIZE_MAX: none), or NULL when out of memory. */
h2w_nvbuf *h2w_nvbuf_new_sized(h2w_alloc *a, const h2w_nv *nva, size_t n,
                               size_t size);
void h2w_nvbuf_free(h2w_alloc *a, h2w_nvbuf *b);
/* Octets of a block holding a copy of nva[0..n) (SIZE_MAX if that does not
 * fit a size_t); *octets gets the names' and values' sum. */
size_t h2w_nvbuf_size(const h2w_nv *nva, size_t n, size_t *octets);
/* Copy nva[0..n) into b if its b->size octets hold it (b->size and
 * b->next_free are left as they are): 1, with b->n and b->octets set; 0
 * when the list does not fit, b then holding part of it. Room is checked
 * field by field against what is left, so a block can be tried before the
 * list is measured. */
int h2w_nvbuf_fill(h2w_nvbuf *b, const h2w_nv *nva, size_t n);

/* h2w_stream.flags */
#define H2W_SF_LOCAL 0x1u         /* we initiated it */
#define H2W_SF_REPORTED 0x2u      /* the application knows it: close due */
#define H2W_SF_FINAL_SENT 0x4u    /* request / final response queued */
#define H2W_SF_FINAL_RECV 0x8u    /* request / final response received */
#define H2W_SF_QUEUED 0x10u       /* request waiting for a stream slot */
#define H2W_SF_HEAD 0x20u         /* request was HEAD: response has no body */
#define H2W_SF_IN_DATA_RING 0x40u /* linked in the DATA scheduler */
#define H2W_SF_WU_DUE 0x80u       /* linked in the WINDOW_UPDATE list */
#define H2W_SF_COUNTED 0x100u     /* holds a concurrency slot */
#define H2W_SF_CLOSING 0x200u     /* closed, waiting in the reap list */
#define H2W_SF_PRIO_FRAME 0x400u  /* priority set by PRIORITY_UPDATE */
#define H2W_SF_CONNECT 0x800u     /* request was CONNECT (plain or RFC 8441) */
#define H2W_SF_CONNECT_PROTOCOL 0x1000u /* ... with :protocol (RFC 8441) */
#define H2W_SF_TUNNEL 0x2000u     /* plain CONNECT tunnel: only DATA follows */
#define H2W_SF_TUNNEL_OUT 0x4000u /* ... and we may send only DATA */
/* Client: the request's HEADERS left the session (handed to the caller,
 * or sent over HTTP/1.1 before an h2c upgrade). Until then the peer
 * cannot have processed it (RFC 9113 §8.7). */
#define H2W_SF_HEADERS_OUT 0x8000u
/* Server: a pushed response waiting for a stream slot; its HEADERS open
 * the reserved stream (RFC 9113 §5.1.2), so they are built only when the
 * client's limit in force allows it (h2w_start_queued). */
#define H2W_SF_PUSH_WAIT 0x10000u

/* h2w_stream.prio: RFC 9218 urgency (0 most urgent .. 7) and the
 * incremental bit. */
#define H2W_PRIO(u, i) ((uint8_t)((unsigned)(u) << 1 | (unsigned)(i)))
#define H2W_PRIO_DEFAULT H2W_PRIO(H2W_PRIORITY_DEFAULT_URGENCY, 0)
#define H2W_PRIO_URGENCY(p) ((int)((p) >> 1))
#define H2W_PRIO_INCREMENTAL(p) ((int)((p)&1u))
#define H2W_PRIO_LEVELS 8
#define H2W_PRIO_PENDING 16

/* The "priority" field lines of one message seen so far, combined as one
 * dictionary (RFC 9218 §4, RFC 8941 §4.2). All-zero is the empty state. */
typedef struct h2w_prio_lines {
  uint8_t lines; /* priority field lines seen (saturates) */
  uint8_t empty; /* one of them was empty */
  uint8_t bad;   /* the combined value is not a dictionary */
  uint8_t u1;    /* urgency + 1; 0: not given */
  uint8_t inc1;  /* incremental + 1; 0: not given */
} h2w_prio_lines;

/* h2w_stream.src_state */
#define H2W_SRC_NONE 0     /* no body to send (or it is finished) */
#define H2W_SRC_ACTIVE 1   /* poll the source when the window allows */
#define H2W_SRC_DEFERRED 2 /* sleeping until h2w_session_resume_data() */

typedef struct h2w_stream h2w_stream;

/* What a stream needs only while it sends a body: the application's
 * source and the stream's place in the DATA scheduler. A stream has one
 * exactly while src_state is not H2W_SRC_NONE (h2w_stream_tx_start /
 * h2w_stream_tx_end), so the many streams that are only received on, or
 * answered without a body, do not carry it; the objects are recycled
 * through a per-session pool, as the streams are. */
typedef struct h2w_stream_tx h2w_stream_tx;
struct h2w_stream_tx {
  h2w_data_source src;
  h2w_stream *ring_prev, *ring_next; /* DATA scheduler ring */
  h2w_stream_tx *next_free;          /* pool */
  /* A memory-range body (packed.c): src reads range[range_off..len). */
  const uint8_t *range;
  size_t range_len, range_off;
  uint32_t range_flags;
};

struct h2w_stream {
  uint32_t id;
  uint32_t flags;
  uint8_t state;     /* h2w_stream_state */
  uint8_t closed_by; /* h2w_closed_by */
  uint8_t src_state; /* H2W_SRC_* */
  uint8_t prio;      /* H2W_PRIO() */
  h2w_send_window sw;
  h2w_recv_window rw;
  uint32_t unconsumed; /* delivered in manual mode, not yet consumed */
  void *user;
  h2w_stream_tx *tx;          /* body being sent, or NULL (src_state NONE) */
  h2w_nvbuf *pending;         /* queued request headers, or trailers */
  h2w_nvbuf *queued_trailers; /* trailers of a queued request */
  h2w_http_body body;         /* content-length tracking of the peer's body */
  uint32_t close_code;
  uint32_t close_flags;
  h2w_stream *link;    /* request queue / reap / pool */
  h2w_stream *wu_next; /* WINDOW_UPDATE list */
};

/* ---- receiving (recv.c, recv_headers.c) -------------------------------- */

/* An open header block: HEADERS or PUSH_PROMISE plus its CONTINUATIONs
 * (RFC 9113 §6.10: nothing else may come in between). */
typedef struct h2w_hblock {
  uint8_t active;
  uint8_t deliver;       /* fields go to the application */
  uint8_t end_stream;    /* the HEADERS carried END_STREAM */
  uint8_t invalid;       /* a field was malformed: reset at the end */
  uint8_t limit;         /* the decoder hit a size/count limit */
  uint8_t kind;          /* H2W_HEADERS_* */
  uint8_t informational; /* validation off: :status 1xx seen */
  uint32_t stream_id;    /* the stream the block is about (promised id) */
  uint32_t frame_id;     /* the stream its frames arrive on */
  uint32_t end_code;     /* stream error to send when the block ends, or 0 */
  uint32_t ncont;        /* CONTINUATION frames so far */
  const char *reason;
  /* The stream of a delivered block, looked up once at its start rather
   * than per field; cleared when the stream leaves the map (closed or
   * discarded, e.g. reset by the application from on_header), so a
   * non-NULL value is exactly what a lookup by stream_id would give. */
  h2w_stream *st;
  /* §8 checks of the block: one block at a time per connection (§6.10),
   * so this lives here rather than in every stream. Set up by
   * h2w_http_msg_begin() for a delivered block, never zeroed whole (its
   * :authority copy is large and only read up to authority_len). */
  h2w_http_msg msg;
  h2w_prio_lines prio; /* the request's priority field lines */
} h2w_hblock;

typedef struct h2w_recv_state {
  h2w_frame_reader reader;
  uint8_t preface_left; /* server: client magic octets still expected */
  uint8_t got_settings; /* the peer's first frame (SETTINGS) was seen */
  uint8_t paused;       /* a callback asked to pause */
  uint8_t in_recv;      /* inside h2w_recv(): callbacks may be running */
  unsigned field_class; /* on_field: the class of the field being checked */
  h2w_hblock hb;
  uint64_t frame_start; /* input offset of the current frame */
  /* A DATA frame arriving in pieces (recv.c recv_piece): its stream, the
   * payload offsets of its data (after Pad Length, before the padding),
   * and what is done with the pieces still to come. */
  uint32_t data_id;
  uint32_t data_lo, data_hi;
  uint32_t data_owed; /* delivered, consumed when the frame ends */
  uint8_t data_mode;  /* H2W_DATA_* */
  /* The stream of that frame while its data is delivered (mode DELIVER),
   * so later pieces need no lookup. The object outlives a close from a
   * callback (it waits in the reap list, H2W_SF_CLOSING); recycling it
   * clears this (h2w_recv_stream_gone) before it can be reused. */
  struct h2w_stream *data_st;
  /* The stream the last DATA frame was accepted on, NULL once it leaves
   * the stream table (session.c unmap): a body arrives as a run of frames
   * on one stream, and this saves each of them the lookup by id. */
  struct h2w_stream *data_last;
} h2w_recv_state;

#define H2W_DATA_SKIP 0    /* consume silently (decode failed) */
#define H2W_DATA_REPORT 1  /* not delivered; on_frame_recv at the end */
#define H2W_DATA_DELIVER 2 /* delivered to on_data piece by piece */

/* ---- output (send.c) ----------------------------------------------------- */

#define H2W_MAX_PINGS 8
typedef struct h2w_ping_slot {
  uint8_t used;
  uint8_t stamped; /* the frame left the session: sent_ms is valid */
  uint8_t opaque[8];
  uint64_t sent_ms;
} h2w_ping_slot;

/* Streams waiting for a stream slot, first in first out, linked through
 * h2w_stream.link: a client's requests and a server's pushed responses
 * wait alike (RFC 9113 §5.1.2). `flag` is the h2w_stream flag that marks
 * a stream as in this queue (H2W_SF_QUEUED or H2W_SF_PUSH_WAIT). */
typedef struct h2w_squeue {
  h2w_stream *head, *tail;
} h2w_squeue;

static inline void h2w_squeue_push(h2w_squeue *q, h2w_stream *st,
                                   uint32_t flag) {
  st->flags |= flag;
  st->link = NULL;
  if (q->tail != NULL) {
    q->tail->link = st;
  } else {
    q->head = st;
  }
  q->tail = st;
}

/* Takes the first stream out (NULL when empty). */
static inline h2w_stream *h2w_squeue_pop(h2w_squeue *q, uint32_t flag) {
  h2w_stream *st = q->head;
  if (st != NULL) {
    q->head = st->link;
    if (q->head == NULL) {
      q->tail = NULL;
    }
    st->link = NULL;
    st->flags &= ~flag;
  }
  return st;
}

/* Takes `st` out wherever it stands. */
static inline void h2w_squeue_unlink(h2w_squeue *q, h2w_stream *st,
                                     uint32_t flag) {
  h2w_stream **pp = &q->head;
  h2w_stream *prev = NULL;
  while (*pp != NULL && *pp != st) {
    prev = *pp;
    pp = &(*pp)->link;
  }
  if (*pp == st) {
    *pp = st->link;
    if (q->tail == st) {
      q->tail = prev;
    }
  }
  st->link = NULL;
  st->flags &= ~flag;
}

typedef struct h2w_send_state {
  h2w_outq q;        /* committed frames, in order */
  uint32_t reactive; /* queued frames the peer provoked (ACKs, RST) */
  h2w_stream *ring;  /* DATA scheduler: next stream to serve */
  /* One ring per RFC 9218 urgency; `ring` is the head of the most urgent
   * non-empty one, `levels` has a bit per non-empty ring. */
  h2w_stream *rings[H2W_PRIO_LEVELS];
  uint8_t levels;
  h2w_stream *wu_head; /* streams owing a WINDOW_UPDATE */
  h2w_squeue rq;       /* requests waiting for a stream slot */
  h2w_squeue pw;       /* pushed responses waiting for a stream slot */
  size_t peeked;       /* bytes handed out by the last peek */
  /* While a data source's read()/write() runs, the buffer it fills is a
   * reservation at the tail of `q` (or the caller's buffer): frames the
   * application submits from inside the call go to `side` instead, so
   * nothing can overwrite or move that buffer, and join `q` behind the
   * DATA frame once the call is over. */
  h2w_outq side;
  uint8_t in_source;
  uint8_t preface_out; /* our first frame (SETTINGS) has left */
  uint8_t goaway_len;  /* the final GOAWAY after a fatal error */
  uint8_t goaway_off;  /* octets of it already emitted */
  uint8_t goaway[64];
  h2w_ping_slot pings[H2W_MAX_PINGS];
} h2w_send_state;

/* ---- SETTINGS (settings.c) ---------------------------------------------
 * Everything the SETTINGS exchange decides, in one place with one owner:
 * other files read these values, only settings.c changes them, and it
 * does so one entry at a time (RFC 9113 §6.5.3: "the values in the
 * SETTINGS frame MUST be processed in the order they appear"). */
typedef struct h2w_settings_state {
  h2w_settings local;           /* ours, acknowledged */
  h2w_settings remote;          /* the peer's: every entry received, in order */
  h2w_settings_pending pending; /* ours, awaiting an ACK */
  uint64_t sent_ms[H2W_SETTINGS_MAX_PENDING]; /* per pending slot */
  /* The stream receive window we enforce: the largest of our
   * SETTINGS_INITIAL_WINDOW_SIZE in force and those still awaiting an
   * ACK, since the peer may apply a pending one at any moment. */
  uint32_t recv_iws;
  /* MAX_CONCURRENT_STREAMS we enforce on the peer: the value we
   * announced last. */
  uint32_t peer_stream_limit;
} h2w_settings_state;

/* ---- the session ----------------------------------------------------------
 */

#define H2W_CLOSED_RING 64
#define H2W_SKIPPED_RANGES 8
/* The largest stream id (RFC 9113 §5.1.1: 31 bits, never wraps). */
#define H2W_LAST_STREAM_ID 0x7fffffffu

/* The sticky error (session.c: h2w_conn_error and its callers). Once
 * `lib` is set, every call returns it and no callback fires but the
 * streams' on_stream_close (h2w_close_all). */
typedef struct h2w_err_state {
  int lib;            /* H2W_OK or the sticky H2W_E_* */
  uint32_t code;      /* wire error code of the ending (ours or the peer's) */
  const char *reason; /* why, for h2w_session_error() */
  uint64_t offset;    /* input offset of the frame that caused it */
} h2w_err_state;

/* GOAWAY and graceful shutdown (RFC 9113 §6.8; send.c). */
typedef struct h2w_goaway_state {
  uint8_t sent;     /* final GOAWAY queued: no new peer stream */
  uint8_t recv;     /* the peer sent one: no new stream of ours */
  uint8_t shutdown; /* 1: first GOAWAY of a graceful shutdown sent; 2: done */
  uint32_t last_sent;
  uint32_t last_recv;
  uint64_t shutdown_deadline;
  size_t shutdown_ping; /* ping slot of the graceful-shutdown PING */
} h2w_goaway_state;

/* The caller's clock and liveness: keepalive, idle timeout (session.c). */
typedef struct h2w_clock_state {
  uint64_t now;
  uint8_t started;         /* h2w_session_tick() was called at least once */
  uint64_t frames_in;      /* frames received so far */
  uint64_t last_recv_ms;   /* when the last frame arrived */
  uint64_t last_active_ms; /* last frame in or out, or stream closed */
  uint64_t ka_deadline;    /* keepalive PING outstanding: dead after this */
  uint64_t ka_frames;      /* frames_in when that PING was queued */
  uint8_t ka_slot;         /* its ping slot, or H2W_MAX_PINGS for none */
  uint8_t no_clock_told;   /* on_error said the budgets are off (no clock) */
} h2w_clock_state;

/* Stream objects' pools and lifetime lists (session.c). */
typedef struct h2w_pool_state {
  h2w_stream *free_streams; /* recycled stream objects */
  uint32_t nfree;
  uint32_t nfree_nv;      /* (beside nfree: no padding of its own) */
  h2w_stream_tx *free_tx; /* recycled h2w_stream_tx objects */
  uint32_t nfree_tx;
  h2w_nvbuf *free_nv; /* recycled header-list copies (h2w_nvbuf_take) */
  h2w_stream *reap;   /* closed, close callback still due (FIFO) */
  h2w_stream *reap_tail;
  /* How recently closed streams closed (§5.1 "closed" replies to late
   * frames by cause); older ones are H2W_CLOSED_BY_FORGOTTEN. */
  struct {
    uint32_t id;
    uint8_t closed_by;
    /* Streams we reset, or that the peer opened above our GOAWAY's last
     * id (§6.8): DATA octets the peer may still have in flight, the
     * stream window we had granted (RFC 9113 §6.9); 0 for every other
     * kind. Late DATA within it is not a glitch (docs/limits.md). */
    uint32_t allowance;
  } closed[H2W_CLOSED_RING];
  uint32_t closed_pos;
} h2w_pool_state;

/* Stream ids and concurrency counts (RFC 9113 §5.1.1, §5.1.2; session.c). */
typedef struct h2w_ids_state {
  uint32_t next_local_id; /* next id we will open */
  uint32_t last_peer_id;  /* highest id the peer opened (or promised) */
  uint32_t n_local;       /* our streams holding a slot */
  uint32_t n_peer;        /* the peer's streams holding a slot */
  uint32_t n_reserved;    /* our streams in reserved (local): no slot */
  /* Peer ids the peer skipped (§5.1.1: implicitly closed, never opened),
   * as ranges, newest last; the oldest is dropped when full, its ids then
   * count as forgotten. */
  struct {
    uint32_t lo, hi;
  } skipped[H2W_SKIPPED_RANGES];
  uint32_t skipped_pos;
} h2w_ids_state;

/* Abuse limits (docs/security.md rows 4, 7-10) on the caller's clock
 * (session.c). */
typedef struct h2w_abuse_state {
  h2w_bucket glitches;
  h2w_bucket resets;
} h2w_abuse_state;

/* RFC 9218 (priority.c). */
typedef struct h2w_prio_state {
  /* §7.1: PRIORITY_UPDATEs for streams not opened yet. */
  struct {
    uint32_t id; /* 0 = free */
    uint8_t prio;
  } pending[H2W_PRIO_PENDING];
  /* Slots in use above may be non-zero only when this is set; a new
   * request then skips the scan (nearly every connection has none). */
  uint8_t any_pending;
} h2w_prio_state;

struct h2w_session {
  h2w_alloc alloc;
  h2w_cb_table cb;
  h2w_opts opt;
  void *user;
  uint8_t is_server;

  h2w_err_state err; /* session.c */
  /* Reentrancy contract (h2wire.h, "Reentrancy"): how many callbacks, or
   * receive calls (whose callbacks all run inside them), are in progress.
   * recv/send/peek/ack/tick/upgrade/del refuse to run while it is not 0. */
  uint32_t depth;
  uint8_t all_closed; /* h2w_close_all() ran: no stream is left */
  uint8_t eof;        /* h2w_session_eof(): the peer closed the transport */
  uint8_t ending;     /* on_error of a connection error is running */
  uint64_t in_total;  /* input octets consumed so far */
  /* Why the last header submit was refused for its arguments (static
   * string, NULL if it was not) and the index of the field at fault
   * (SIZE_MAX: the list as a whole): h2w_session_last_submit_error(). */
  const char *submit_reason;
  size_t submit_field;

  h2w_clock_state clock;       /* session.c */
  h2w_settings_state settings; /* settings.c */
  uint64_t conn_unconsumed;    /* manual mode: delivered, not yet consumed */

  h2w_hpack_decoder dec;
  h2w_hpack_encoder enc;

  h2w_recv_state rs; /* recv.c, recv_headers.c */
  h2w_send_state ss; /* send.c */

  h2w_stream_map map;
  h2w_pool_state pool; /* session.c */
  h2w_ids_state ids;   /* session.c */

  h2w_send_window conn_sw;
  h2w_recv_window conn_rw;

  h2w_goaway_state goaway; /* send.c */
  h2w_abuse_state abuse;   /* session.c */
  h2w_prio_state prio;     /* priority.c */

  /* Event-buffer mode (events.c), NULL when off. */
  h2w_events *ev;

  h2w_autotune autotune; /* adaptive receive windows: autotune.c alone */
};

/* ---- session.c ------------------------------------------------------------
 */

/* The client connection preface (RFC 9113 §3.4). */
extern const uint8_t h2w_client_magic[24];

/* Report a connection error (RFC 9113 §5.4.1): set the sticky error, tell
 * on_error, drop queued output after the frame being written, and queue
 * exactly one GOAWAY with `code`. Returns `lib_err`. Idempotent. */
int h2w_conn_error(h2w_session *s, int lib_err, uint32_t code,
                   const char *reason);
/* The same for an error GOAWAY the application queued itself
 * (h2w_session_submit_goaway): the queue is kept, no second GOAWAY. */
int h2w_conn_error_sent(h2w_session *s, int lib_err, uint32_t code,
                        const char *reason);
/* The connection is over (fatal error, or h2w_session_del): close every
 * live stream with H2W_CLOSE_FLAG_CONNECTION and fire the due
 * on_stream_close callbacks, streams already closed first, then the live
 * ones in ascending id order. Runs once; only when no callback is in
 * progress (s->depth == 0), since callers up the stack hold streams. */
void h2w_close_all(h2w_session *s, uint32_t code);
/* At the end of a public call: when it ended the connection, the streams
 * end with it (h2w_close_all). */
static inline void h2w_api_done(h2w_session *s) {
  if (s->err.lib != H2W_OK && s->depth == 0 && !s->all_closed) {
    h2w_close_all(s, s->err.code);
  }
}
/* Enter / leave an application callback (the reentrancy counter). */
#define H2W_CB_ENTER(s) ((s)->depth++)
#define H2W_CB_LEAVE(s) ((s)->depth--)
/* A deadline `ms` after `t`, saturating at UINT64_MAX (never armed). */
static inline uint64_t h2w_deadline_add(uint64_t t, uint32_t ms) {
  return t > UINT64_MAX - ms ? UINT64_MAX : t + ms;
}
/* A callback failed (rv < 0 and not PAUSE): sticky CALLBACK_FAILURE with a
 * GOAWAY INTERNAL_ERROR. Returns the sticky error. */
int h2w_callback_failed(h2w_session *s, const char *which);
/* Map a callback's return value: 0 -> 0, PAUSE -> 0 with rs.paused set,
 * other values -> h2w_callback_failed(); the sticky error whenever the
 * callback ended the connection itself (so callers stop at once). */
int h2w_cb_result(h2w_session *s, int rv, const char *which);
/* The peer's GOAWAY carried error `code`: not an error of ours, but the
 * reason the connection is ending, kept (code, reason, offset; not the
 * sticky error) unless one is known already. */
void h2w_err_peer_goaway(h2w_session *s, uint32_t code);
/* The same for a callback that reports stream `id` (on_begin_headers,
 * on_header, on_headers, on_data), where H2W_CB_RESET_STREAM also
 * means: reset that stream (INTERNAL_ERROR unless the callback reset it
 * already with a code of its choice) and go on. */
int h2w_cb_stream_result(h2w_session *s, uint32_t id, int rv,
                         const char *which);

/* Non-empty DATA of n octets on a stream we reset: 1 when it fits in
 * what the peer could have had in flight under the stream window we had
 * granted (then taken from it), 0 when the frame is a glitch. */
int h2w_closed_data_allowed(h2w_session *s, uint32_t id, uint32_t n);
/* The peer's new stream `id` is ignored because it is above the last
 * stream id of a GOAWAY we sent (RFC 9113 §6.8): remember it, with the
 * DATA it may still carry in flight, as for a stream we reset. */
void h2w_closed_above_goaway(h2w_session *s, uint32_t id);

/* A stream error (RFC 9113 §5.4.2) on stream `id`: on_error, RST_STREAM
 * with `code` queued, the stream (if any) closed as reset by us. Returns
 * 0 or a fatal error (flood). */
int h2w_stream_error(h2w_session *s, uint32_t id, uint32_t code,
                     const char *reason);
/* The same for a failure on our side (a data source failed): not charged
 * to the peer's reset budget. */
int h2w_stream_fail(h2w_session *s, uint32_t id, uint32_t code,
                    const char *reason);

/* The stream with that id, or NULL. Inline: several times per request. */
static inline h2w_stream *h2w_stream_find(const h2w_session *s, uint32_t id) {
  return h2w_stream_map_get(&s->map, id);
}
/* A stream that never reached the wire: out of the table, back to the
 * pool, no callback. */
void h2w_stream_discard(h2w_session *s, h2w_stream *st);
/* Free the spare stream objects and header-list copies kept for reuse
 * (memory budget). */
void h2w_stream_pool_trim(h2w_session *s);
/* A copy of nva[0..n) for a header block that waits (h2w_nvbuf_new_sized()),
 * in a spare block when one has room: a client that queues requests
 * copies each one's list, and reusing the blocks of those already sent
 * keeps it allocation-free. NULL when out of memory. */
h2w_nvbuf *h2w_nvbuf_take(h2w_session *s, const h2w_nv *nva, size_t n);
/* Done with b (NULL: no-op): kept as a spare, or freed. */
void h2w_nvbuf_give(h2w_session *s, h2w_nvbuf *b);
/* The stream starts sending the body `src` (src_state ACTIVE): it gets an
 * h2w_stream_tx. H2W_OK or H2W_E_NOMEM (stream unchanged). */
int h2w_stream_tx_start(h2w_session *s, h2w_stream *st,
                        const h2w_data_source *src);
/* The body is over or dropped: out of the DATA scheduler, src_state NONE,
 * the h2w_stream_tx back to the pool. No-op without one. */
void h2w_stream_tx_end(h2w_session *s, h2w_stream *st);
/* A new stream object in state idle, in the table. NULL on NOMEM. */
h2w_stream *h2w_stream_create(h2w_session *s, uint32_t id, uint32_t flags);
/* The state of a stream id that has no live object: idle or closed, and
 * for closed ones how (the ring of recently closed streams, the skipped
 * ranges, else H2W_CLOSED_BY_FORGOTTEN). */
h2w_stream_state h2w_stream_state_of_id(const h2w_session *s, uint32_t id,
                                        h2w_closed_by *closed_by);
/* The peer used the new id `id` (HEADERS or a promise, §5.1.1): it
 * becomes last_peer_id and the ids it skipped are remembered as never
 * opened. */
void h2w_peer_id_used(h2w_session *s, uint32_t id);
/* The stream next_local_id named is now ours (opened, promised, or the
 * h2c upgrade's stream 1): the next one is two higher. */
void h2w_local_id_used(h2w_session *s);
/* A stream id we initiate (RFC 9113 §5.1.1: clients odd, servers even). */
static inline int h2w_id_is_ours(const h2w_session *s, uint32_t id) {
  return (id & 1u) == (s->is_server ? 0u : 1u);
}
/* Apply a sent or received event; closes the stream when it reaches the
 * closed state. */
void h2w_stream_apply(h2w_session *s, h2w_stream *st, h2w_stream_event ev);
/* Close now: out of the table, the scheduler and the lists; the close
 * callback fires at the next reap. */
void h2w_stream_close(h2w_session *s, h2w_stream *st, h2w_closed_by by,
                      uint32_t code, uint32_t flags);
/* Fire due close callbacks, free the objects, release concurrency slots,
 * start queued requests. Returns 0 or the sticky error. */
int h2w_reap(h2w_session *s);
/* Count the stream against MAX_CONCURRENT_STREAMS. */
void h2w_stream_take_slot(h2w_session *s, h2w_stream *st);

/* ---- settings.c: the one owner of h2w_settings_state ------------------
 * Every change to a SETTINGS value goes through one entry at a time, in
 * wire order (RFC 9113 §6.5.3); there is no function that takes a whole
 * parameter set to put in force, so a frame cannot be folded into its
 * last values. */

/* The values before any exchange, and the limits they imply (decoder
 * caps, encoder table). Call after the HPACK coders are initialised. */
void h2w_settings_state_init(h2w_session *s);
#define H2W_PREFACE_SETTINGS_MAX 10
/* The SETTINGS of our connection preface (at most 10 entries); also the
 * HTTP2-Settings of an h2c upgrade request. Returns the count. */
size_t h2w_preface_settings(const h2w_session *s, h2w_settings_entry *iv);
/* Send our SETTINGS (at most 16 entries): queue the frame and its
 * pending slot. H2W_E_INVALID_ARGUMENT, H2W_E_LIMIT (too many await an
 * ACK) or an output-queue error leave nothing queued. */
int h2w_queue_settings(h2w_session *s, const h2w_settings_entry *iv, size_t n);
/* A received SETTINGS frame, ACK or not (RFC 9113 §6.5). */
int h2w_recv_settings(h2w_session *s, const h2w_frame *f);
/* Server, h2c upgrade: the client's HTTP2-Settings entries, applied in
 * order as if from a SETTINGS frame the 101 acknowledged (RFC 7540
 * §3.2.1). Returns 0 or a fatal error. */
int h2w_settings_upgrade_remote(h2w_session *s, const h2w_settings_entry *iv,
                                size_t n);
/* Client, h2c upgrade: the 101 acknowledged the settings our request
 * carried (our oldest pending frame), so they are in force already. */
void h2w_settings_upgrade_local(h2w_session *s);
/* When our oldest unacknowledged SETTINGS times out (§6.5.3), or
 * UINT64_MAX when none is due. */
uint64_t h2w_settings_deadline(const h2w_session *s);
/* The session clock started at `now`: restamp the pending frames sent
 * at time 0. */
void h2w_settings_clock_start(h2w_session *s, uint64_t now);

/* When the keepalive has work (the next PING, or the peer's death) and
 * when an idle connection closes; UINT64_MAX when not armed. */
uint64_t h2w_keepalive_deadline(const h2w_session *s);
uint64_t h2w_idle_deadline(const h2w_session *s);
/* A whole frame arrived (liveness for the keepalive and idle timers). */
void h2w_clock_frame_in(h2w_session *s);
/* recv.c: stream object `st` is about to be recycled (freed or pooled):
 * the DATA frame arriving in pieces must not keep pointing at it. */
void h2w_recv_stream_gone(h2w_session *s, const struct h2w_stream *st);
/* A piece of a DATA frame passed through in place; `first` when it is the
 * frame's first piece (counted as a frame then). Inline: it runs for
 * every piece. */
static inline void h2w_clock_piece_in(h2w_session *s, int first) {
  s->clock.frames_in += first != 0;
  s->clock.last_recv_ms = s->clock.now;
}
/* The ACK of the PING in `slot` came: 1 when it was the keepalive's own
 * (which is then no longer outstanding), else 0. */
int h2w_keepalive_acked(h2w_session *s, size_t slot);

/* Charge one token to the glitch budget (docs/security.md rows 4, 7, 8) or to
 * the reset budget (rows 9, 10). Returns 0, or the fatal H2W_E_FLOODED
 * after a GOAWAY ENHANCE_YOUR_CALM when the bucket is empty. */
int h2w_glitch(h2w_session *s, const char *reason);
int h2w_charge_reset(h2w_session *s);

/* The last-stream-id of a GOAWAY we send now: the highest peer stream
 * we may have processed, but never more than one we already announced
 * (RFC 9113 §6.8: it MUST NOT increase). */
static inline uint32_t h2w_goaway_last(const h2w_session *s) {
  return s->goaway.sent && s->goaway.last_sent < s->ids.last_peer_id
             ? s->goaway.last_sent
             : s->ids.last_peer_id;
}

/* The public description of a frame header, for the frame callbacks. */
static inline h2w_frame_info h2w_frame_info_of(const h2w_frame_hd *hd) {
  h2w_frame_info fi;
  memset(&fi, 0, sizeof(fi));
  fi.length = hd->length;
  fi.stream_id = hd->stream_id;
  fi.type = hd->type;
  fi.flags = hd->flags;
  return fi;
}

/* The request facts its response rules depend on. §8.1.1: the response
 * to a HEAD request (sent, received or promised) has no content. RFC 9110
 * §9.3.6: a 2xx response to CONNECT (plain or extended, RFC 8441) opens a
 * tunnel and its content-length is ignored. An unvalidated message has no
 * method, so only checked ones mark the stream. */
static inline void h2w_stream_note_head(h2w_stream *st, const h2w_http_msg *m) {
  int method = h2w_http_msg_method(m);
  if (method == H2W_HTTP_METHOD_HEAD) {
    st->flags |= H2W_SF_HEAD;
  } else if (method == H2W_HTTP_METHOD_CONNECT) {
    st->flags |= H2W_SF_CONNECT;
    if (h2w_http_msg_has_protocol(m)) {
      st->flags |= H2W_SF_CONNECT_PROTOCOL;
    }
  }
}

/* A local submit that failed to allocate: H2W_E_LIMIT when the memory
 * budget refused it (the session is unchanged and usable). */
static inline int h2w_local_rv(const h2w_session *s, int rv) {
  return rv == H2W_E_NOMEM && s->alloc.refused ? H2W_E_LIMIT : rv;
}

/* ---- submit.c: check an outgoing header list of `kind` (H2W_HTTP_*)
 * with the same §8 rules the peer applies; *m holds what it learnt. A
 * refusal is recorded for h2w_session_last_submit_error(). */
int h2w_check_fields(h2w_session *s, int kind, const h2w_nv *nva, size_t n,
                     int end_stream, h2w_http_msg *m);
/* A header submit starts: forget the last refusal. */
static inline void h2w_submit_begin(h2w_session *s) {
  s->submit_reason = NULL;
  s->submit_field = SIZE_MAX;
}
/* A header submit refused for its arguments: record why (a static
 * string) and which field (SIZE_MAX: none in particular). */
static inline int h2w_submit_refuse(h2w_session *s, const char *reason,
                                    size_t field) {
  s->submit_reason = reason;
  s->submit_field = field;
  return H2W_E_INVALID_ARGUMENT;
}

/* h2w_session_submit_response(); with `checked` non-NULL, nva[0..n) were
 * already fed to h2w_http_msg_field() as a response and *checked is the
 * message state they left (a prepared set, nvset.c), so only the
 * end-of-block rules run. */
int h2w_submit_response_checked(h2w_session *s, uint32_t stream_id,
                                const h2w_nv *nva, size_t n,
                                const h2w_data_source *body,
                                const h2w_http_msg *checked);

/* ---- recv.c: where a frame of `type` (or H2W_RECV_PROMISED) about
 * stream `id` stands in the §5.1 table; *st is the live stream object, if
 * any. Every frame about a stream is judged here, nowhere else. */
h2w_recv_verdict h2w_recv_verdict_for(h2w_session *s, uint32_t id,
                                      unsigned type, h2w_stream **st);
/* Act on a verdict that is not ACCEPT: IGNORE charges the glitch budget,
 * STREAM_ERROR resets the stream, CONN_ERROR ends the connection with
 * `reason`. Returns 0 or a fatal error. */
int h2w_recv_refuse(h2w_session *s, uint32_t id, h2w_recv_verdict v,
                    const char *reason);

/* ---- priority.c: RFC 9218 ---------------------------------------------- */
/* The H2W_PRIO() of a Priority field value; defaults if malformed. */
uint8_t h2w_prio_from_field(const uint8_t *v, size_t len);
/* 1 and *prio, the H2W_PRIO() of all the message's priority lines so far
 * (this one included), when nv is a "priority" field (RFC 9218 §5); else
 * 0. */
int h2w_prio_of_field(h2w_prio_lines *pl, const h2w_nv *nv, uint8_t *prio);
/* Change a stream's priority, moving it between scheduler rings. */
void h2w_stream_set_prio(h2w_session *s, h2w_stream *st, uint8_t prio);
/* 1 and *prio when a PRIORITY_UPDATE came before stream id opened. The
 * notes for every id up to `id` go: once the client used `id`, lower ones
 * can no longer open (§5.1.1). */
int h2w_prio_take_pending(h2w_session *s, uint32_t id, uint8_t *prio);
int h2w_recv_priority_update(h2w_session *s, const h2w_frame *f);

/* ---- ext.c: ALTSVC (RFC 7838), ORIGIN (RFC 8336) and frames of types
 * this library does not know (RFC 9113 §5.5). */
int h2w_recv_altsvc(h2w_session *s, const h2w_frame *f);
int h2w_recv_origin(h2w_session *s, const h2w_frame *f);
int h2w_recv_extension(h2w_session *s, const h2w_frame *f);

/* ---- recv_headers.c -------------------------------------------------------
 */

int h2w_recv_headers(h2w_session *s, const h2w_frame *f);
int h2w_recv_continuation(h2w_session *s, const h2w_frame *f);
int h2w_recv_push_promise(h2w_session *s, const h2w_frame *f);
/* The peer ended its side: content-length check, on_stream_end, state. */
int h2w_recv_end_stream(h2w_session *s, h2w_stream *st);

/* ---- send.c -----------------------------------------------------------------
 */

/* Room for one frame of `size` octets at the end of the output queue.
 * `reactive`: the peer provoked it, so the control-queue cap applies
 * first (docs/security.md rows 1-3). NULL with *rv set: H2W_E_NOMEM,
 * H2W_E_FLOODED (after starting the connection error) or the sticky
 * error. */
uint8_t *h2w_queue_reserve(h2w_session *s, size_t size, int reactive, int *rv);
/* Queue the frame a frame-module packer wrote at the reserved room;
 * `packed` is the packer's result. */
int h2w_queue_commit(h2w_session *s, h2w_ssize packed);
int h2w_queue_rst(h2w_session *s, uint32_t id, uint32_t code, int reactive);
int h2w_queue_goaway(h2w_session *s, uint32_t last_id, uint32_t code,
                     const uint8_t *debug, size_t debuglen);
/* A PING in a free slot (H2W_E_LIMIT when all are taken); *slot, if not
 * NULL, says which, for the library's own PINGs. */
int h2w_queue_ping(h2w_session *s, const uint8_t *opaque8, size_t *slot);
int h2w_queue_window_update(h2w_session *s, uint32_t id, uint32_t inc);
/* HPACK-encode nva into HEADERS (+ CONTINUATION) frames on the queue. */
int h2w_queue_headers(h2w_session *s, h2w_stream *st, const h2w_nv *nva,
                      size_t n, int end_stream);
/* The same for a copied list: its size and validity are known, so the
 * encoder's bound and NULL checks need not walk it again. */
int h2w_queue_headers_nvbuf(h2w_session *s, h2w_stream *st, const h2w_nvbuf *b,
                            int end_stream);
/* The same as a PUSH_PROMISE on stream `st` promising `promised`. */
int h2w_queue_push_promise(h2w_session *s, h2w_stream *st, h2w_stream *promised,
                           const h2w_nv *nva, size_t n);
/* Put a stream with an active source in the DATA ring (if it has
 * window), or take it out. */
void h2w_sched_add(h2w_session *s, h2w_stream *st);
void h2w_sched_remove(h2w_session *s, h2w_stream *st);
/* Stop serving DATA for good (fatal error, error GOAWAY). */
void h2w_sched_stop(h2w_session *s);
/* The stream owes a WINDOW_UPDATE (emitted lazily by send). */
void h2w_wu_mark(h2w_session *s, h2w_stream *st);
/* Mark st for a WINDOW_UPDATE if its receive window has credit due. */
void h2w_wu_check(h2w_session *s, h2w_stream *st);
void h2w_wu_unlink(h2w_session *s, h2w_stream *st);
/* Requests waiting for a slot: start as many as the peer's limit allows. */
int h2w_start_queued(h2w_session *s);
int h2w_queued_startable(const h2w_session *s);
void h2w_refuse_queued(h2w_session *s);
/* The frame queue has been cut after a fatal error: build the GOAWAY. */
void h2w_send_fatal(h2w_session *s, uint32_t last_id, uint32_t code,
                    const char *reason);
/* s->goaway, which only this file changes: a GOAWAY with `last_id` was
 * queued (sent), or arrived (recv: the lowest last-stream-id wins). */
void h2w_goaway_note_sent(h2w_session *s, uint32_t last_id);
void h2w_goaway_note_recv(h2w_session *s, uint32_t last_id);
/* Server, graceful shutdown (RFC 9113 §6.8): the first GOAWAY with the
 * largest id and a PING, with the shutdown deadline armed. H2W_OK or the
 * error of queueing the GOAWAY (nothing changed). */
int h2w_start_shutdown(h2w_session *s);
/* The final GOAWAY of a graceful shutdown (RFC 9113 §6.8). */
int h2w_finish_shutdown(h2w_session *s);
/* Anything to write? */
int h2w_send_pending(const h2w_session *s);
/* Mark bytes consumed (automatic or manual flow control). Inline: it
 * runs at the end of every DATA frame (RFC 9113 §6.9); a stream already
 * owing a WINDOW_UPDATE has its increment computed when it is sent, so
 * only the others are checked (h2w_wu_check). */
static inline void h2w_flow_consumed(h2w_session *s, h2w_stream *st, size_t n) {
  uint32_t v = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
  h2w_recv_window_consume(&s->conn_rw, v);
  if (st != NULL && !(st->flags & H2W_SF_CLOSING)) {
    h2w_recv_window_consume(&st->rw, v);
    /* Most frames leave no credit due: the test is inline, and
     * h2w_wu_check() looks at the stream's state only when there is. */
    if (!(st->flags & H2W_SF_WU_DUE) &&
        h2w_recv_window_update_due(&st->rw) > 0) {
      h2w_wu_check(s, st);
    }
  }
}

/* ---- recv.c -----------------------------------------------------------------
 */

void h2w_recv_init(h2w_session *s);
h2w_ssize h2w_recv(h2w_session *s, const uint8_t *in, size_t len);

#endif

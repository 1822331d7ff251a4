/* Shared by fuzz_diff_server.c and fuzz_diff_client.c (issue 15 §2): an
 * h2wire session wired to a libnghttp2 session of the opposite role in
 * one process, through two memory pipes. nghttp2 is the oracle for the
 * well-formedness of h2wire's output, h2wire is checked to accept
 * nghttp2's, and both applications are checked end to end.
 *
 * Input: [flags: 1][h2w options: 3][nghttp2 SETTINGS: 1 + 2 per entry]
 * then ops, one octet each followed by the octets the op reads (see
 * fuzz/README.md for the table). Every read past the end gives 0, so any
 * input is valid. The run is deterministic: no clock, no randomness, no
 * address is looked at.
 *
 * Oracle (abort() with a message on any violation):
 *  1. nghttp2 reports no error about h2wire's output: no
 *     on_invalid_frame_recv, no on_frame_not_send other than the
 *     application-level ones listed in fuzz/README.md, no error from
 *     nghttp2_session_mem_recv, no GOAWAY with a code other than
 *     NO_ERROR, no RST_STREAM with a protocol-level code.
 *  2. h2wire reports no error about nghttp2's output: no on_error, no
 *     error from h2w_session_recv/tick, no GOAWAY other than NO_ERROR, no
 *     RST_STREAM with a protocol-level code. It must refuse with
 *     FRAME_SIZE_ERROR the first frame past the SETTINGS_MAX_FRAME_SIZE
 *     it announced (RFC 9113 §4.2), which only nghttp2's grown frame
 *     buffer produces (fuzz/README.md).
 *  3. Every header block and body arrives exactly as the other side's
 *     application submitted it (fields in order, body octets compared as
 *     they arrive); at the end every request got its full response, or
 *     was reset by an application, or was closed as retryable/refused
 *     (and then the server never saw it).
 *  4. Flow-control windows are modelled from the bytes on the wire (RFC
 *     9113 §6.9): DATA is charged when the sender emits it (the whole
 *     payload, padding included, §6.9.1), WINDOW_UPDATE and SETTINGS
 *     INITIAL_WINDOW_SIZE (entries applied in order, §6.5.3) are applied
 *     when the frame has been handed to the peer. No DATA may take a
 *     window below 0; at quiescence both libraries' getters agree with
 *     the model for the connection and every open stream.
 */
#ifndef H2W_DIFF_PEER_H
#define H2W_DIFF_PEER_H

#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2wire.h"

#define DX_MAX_XCHG 96 /* exchanges (streams) per run */
#define DX_MAX_ID 1024 /* stream ids modelled */
#define DX_PUMP_ROUNDS 4000

static void dx_fail(const char *what, long a, long b) {
  fprintf(stderr, "diff oracle: %s (%ld, %ld)\n", what, a, b);
  abort();
}

/* ---- growable byte buffer -------------------------------------------- */
typedef struct dbuf {
  uint8_t *p;
  size_t len, cap;
} dbuf;

static void db_add(dbuf *b, const void *src, size_t n) {
  if (n == 0) {
    return;
  }
  if (b->len + n > b->cap) {
    size_t cap = (b->len + n) * 2 + 64;
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL) {
      abort();
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, src, n);
  b->len += n;
}

static void db_drop(dbuf *b, size_t n) {
  memmove(b->p, b->p + n, b->len - n);
  b->len -= n;
}

static void db_free(dbuf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* A header field list flattened as [namelen: 4][valuelen: 4][name][value]
 * per field, so that what was submitted and what arrived compare with
 * one memcmp. */
static void fl_add(dbuf *b, const uint8_t *n, size_t nl, const uint8_t *v,
                   size_t vl) {
  uint32_t l[2] = {(uint32_t)nl, (uint32_t)vl};
  db_add(b, l, sizeof l);
  db_add(b, n, nl);
  db_add(b, v, vl);
}

static int db_eq(const dbuf *a, const dbuf *b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* ---- input ------------------------------------------------------------ */
typedef struct dx_in {
  const uint8_t *p;
  size_t len, pos;
} dx_in;

static uint8_t in_u8(dx_in *in) {
  return in->pos < in->len ? in->p[in->pos++] : 0;
}

/* ---- one request/response exchange ------------------------------------ */

/* One direction of an exchange: what the sending application submitted
 * and what the receiving application got. */
typedef struct dx_msg {
  dbuf info, head, trail;  /* submitted: 1xx blocks, header, trailers */
  uint32_t body_len, seed; /* body: body_len octets of dx_body(seed, i) */
  uint32_t sent;           /* body octets handed to the library */
  uint32_t chunk;          /* at most this many per read (0: any) */
  int defer;               /* reads that still defer */
  int deferred;            /* the source is sleeping */
  int trailers;            /* trailers follow the body */
  int submitted;
  dbuf r_info, r_head, r_trail, cur; /* received; cur: block in progress */
  uint32_t r_body;
  int r_head_done, r_end;
} dx_msg;

typedef struct dx_xchg {
  int32_t id;
  int pushed;         /* a promised stream */
  int app_reset;      /* an application reset it (or declined the push) */
  int ng_cut_promise; /* the nghttp2 client reset it inside its promise's
                       * header block: the rest of it is not reported */
  int srv_refused;    /* the server application reset it REFUSED_STREAM */
  int srv_seen;       /* the server library reported the request */
  int not_sent;       /* nghttp2 gave up sending its HEADERS/PUSH_PROMISE */
  int cli_closed, srv_closed, cli_retry;
  int prio_sent;    /* an RFC 7540 PRIORITY was sent for it */
  int promise_sent; /* nghttp2 put its PUSH_PROMISE on the wire */
  /* h2wire server, pushed stream: its response HEADERS left, and whether a
   * WINDOW_UPDATE of h2wire's left before them (reserved (local), §5.1) */
  int h_push_resp_out, h_wu_reserved;
  /* h2wire server: the nghttp2 client queued a RST_STREAM on this request
   * stream (nghttp2 marks it closing then); on a pushed stream: nghttp2
   * ended its promise's header block after that (see ng_orphan_promise()) */
  int ng_rst_queued, ng_promise_orphaned;
  /* nghttp2's application reset it, or nghttp2 itself did at its SETTINGS
   * ACK (FLOW_CONTROL_ERROR, ng_settings_acked()), and the RST_STREAM has
   * not left yet:
   * nghttp2 then ignores the stream's frames and still counts it against
   * its SETTINGS_MAX_CONCURRENT_STREAMS (see ng_counts_resetting()) */
  int ng_rst_pending;
  /* h2wire's frames on the wire (h_emit_n) when it ended its side of the
   * stream (END_STREAM or RST_STREAM) and when the stream closed for it
   * (that frame, or the peer's END_STREAM arriving after it; §5.1);
   * 0: not yet */
  uint32_t h_end_seq, h_closed_seq;
  /* a WINDOW_UPDATE from nghttp2 took h2wire's send window of the stream
   * past 2^31-1: h2wire may reset it FLOW_CONTROL_ERROR (§6.9.1) */
  int h_fc_legit;
  dx_msg *h_rx, *ng_rx; /* the message each library is receiving */
  uint32_t cli_code, srv_code;
  size_t unconsumed; /* h2w manual flow control: delivered, not consumed */
  /* nghttp2's local window of the stream when a SETTINGS ACK began, and
   * whether applying the ACK left the stream's window out of nghttp2's
   * bounds (it may then reset it FLOW_CONTROL_ERROR, fuzz/README.md) */
  int32_t ng_lw_snap;
  int ng_lw_snapped, ng_fc_affected;
  dx_msg req, resp;
} dx_xchg;

/* ---- frame parser for the window model -------------------------------- */
typedef struct dx_wire {
  size_t magic;   /* connection preface octets still to skip */
  uint64_t fed;   /* octets through this parser, the preface included */
  uint64_t start; /* offset (as fed) of the current frame's header */
  uint8_t hdr[9];
  size_t hlen;
  dbuf payload;
  uint32_t need;
  /* Emit side: a DATA frame counts against the windows in force when its
   * first octet left (a send() of small capacity can leave the rest
   * behind a SETTINGS or WINDOW_UPDATE that arrives meanwhile): the
   * stream initial window then, and the credits delivered since. */
  int64_t init0;
  /* h2wire client's emit side: the server's SETTINGS_MAX_CONCURRENT_STREAMS
   * h2wire had applied when the frame's first octet left. A HEADERS cut
   * by a send() of small capacity is finished after a SETTINGS lowering
   * the limit may have arrived: the stream opened with that first octet
   * (RFC 9113 §5.1.2, §6.5.3), under the limit then in force. */
  uint32_t mcs0;
  uint32_t mid_n;
  struct {
    uint32_t sid, inc;
  } mid[32];
} dx_wire;

typedef struct dx dx;
static void wire_begins(dx *d, dx_wire *w);
typedef void (*dx_frame_fn)(dx *d, int dir, uint8_t type, uint8_t flags,
                            uint32_t sid, const uint8_t *p, uint32_t len);
/* A frame header is complete (its payload may still be on its way). */
typedef void (*dx_head_fn)(dx *d, int dir, const dx_wire *w);

/* The stream id of w's frame header (RFC 9113 §4.1: the reserved bit
 * dropped). */
static uint32_t wire_sid(const dx_wire *w) {
  return (((uint32_t)w->hdr[5] & 0x7f) << 24) | ((uint32_t)w->hdr[6] << 16) |
         ((uint32_t)w->hdr[7] << 8) | w->hdr[8];
}

/* init_now: the stream initial window of direction dir now (init0). */
static void wire_feed(dx *d, dx_wire *w, int dir, int64_t init_now,
                      const uint8_t *p, size_t n, dx_head_fn head,
                      dx_frame_fn fn) {
  while (n > 0) {
    if (w->magic > 0) {
      size_t k = n < w->magic ? n : w->magic;
      w->magic -= k;
      w->fed += k;
      p += k;
      n -= k;
      continue;
    }
    if (w->hlen < 9) {
      if (w->hlen == 0) {
        w->init0 = init_now;
        w->mid_n = 0;
        w->start = w->fed;
        wire_begins(d, w);
      }
      w->hdr[w->hlen++] = *p++;
      w->fed++;
      n--;
      if (w->hlen == 9) {
        w->need = ((uint32_t)w->hdr[0] << 16) | ((uint32_t)w->hdr[1] << 8) |
                  w->hdr[2];
        w->payload.len = 0;
        head(d, dir, w);
      } else {
        continue;
      }
    } else {
      size_t k = w->need - w->payload.len;
      if (k > n) {
        k = n;
      }
      db_add(&w->payload, p, k);
      w->fed += k;
      p += k;
      n -= k;
    }
    if (w->hlen == 9 && w->payload.len == w->need) {
      fn(d, dir, w->hdr[3], w->hdr[4], wire_sid(w), w->payload.p, w->need);
      w->hlen = 0;
    }
  }
}

/* ---- the two peers ----------------------------------------------------- */
struct dx {
  int h2w_server; /* 1: h2wire is the server, nghttp2 the client */
  h2w_session *h;
  nghttp2_session *ng;
  dx_in in;
  uint8_t flags;
  int manual;         /* h2w manual flow control */
  uint64_t now;       /* h2w clock */
  dbuf pipe[2];       /* [0] client->server, [1] server->client */
  dx_wire emit[2];    /* parsed as the sender emits */
  dx_wire deliver[2]; /* parsed as the receiver is handed the bytes */
  /* window model, per direction of DATA (0: client->server) */
  int64_t conn[2];
  int64_t init[2];
  int64_t delta[2][DX_MAX_ID];
  int legit_fc_error[2]; /* the receiver of SETTINGS may now fail (§6.9.2) */
  int64_t last_iws[2];   /* [1] nghttp2, [0] h2wire: last window announced */
  /* [1] nghttp2, [0] h2wire: stream WINDOW_UPDATEs submitted, not yet
   * delivered. nghttp2 sends SETTINGS ahead of them, so an
   * INITIAL_WINDOW_SIZE submitted after one could pass it and make it
   * overflow (§6.9.1, the sender's fault): such values stay <= 2^30. */
  int wu_unsent[2];
  int h_stream_wu;  /* h2wire has submitted a stream WINDOW_UPDATE */
  int big_iws[2];   /* [1] nghttp2, [0] h2wire announced a window > 2^30 */
  int ng_multi_hts; /* nghttp2 sent several HEADER_TABLE_SIZE at once */
  uint32_t h_last_opened;         /* h2wire client: highest stream it opened */
  uint8_t h_over_mcs[DX_MAX_ID];  /* opened past the limit it had received */
  uint32_t h_emit_n;              /* frames h2wire has put on the wire */
  uint32_t h_open_seq[DX_MAX_ID]; /* h_emit_n of the HEADERS opening it */
  /* [receiving direction][sid]: a frame earlier in the chunk being handed
   * over closes the stream for its receiver (RST_STREAM, or END_STREAM on
   * a stream it had half-closed), which processes the chunk only later */
  uint8_t closing[2][DX_MAX_ID];
  /* a PUSH_PROMISE block from h2wire that nghttp2 has begun and not yet
   * ended (CONTINUATION follows): its request stream and promised id */
  uint32_t ng_pp_assoc, ng_pp_promised;
  uint32_t ng_local_iws; /* nghttp2's INITIAL_WINDOW_SIZE in force (ACKed) */
  int ng_goaway, h_goaway;
  uint32_t n_xchg;
  dx_xchg xs[DX_MAX_XCHG];
  uint32_t next_push_path;
  uint64_t body_budget;  /* body octets the run may still submit */
  uint32_t cheap_frames; /* PRIORITY / PRIORITY_UPDATE / WINDOW_UPDATE ops */
  uint32_t req_no;
  int ng_over;             /* nghttp2 wanted neither to read nor to write */
  uint32_t ng_goaway_last; /* last-stream-id of nghttp2's GOAWAY */
  int ng_goaway_sent;
  int32_t ng_last_promised; /* nghttp2 client: highest promise received */
  int finishing;            /* final phase: sources no longer defer */
  int stopped; /* a legitimate connection error ended the run early */
  /* RFC 9113 §4.2 on frames towards h2wire. Its receive limit is the
   * largest SETTINGS_MAX_FRAME_SIZE among the one in force and those of
   * its SETTINGS not yet acknowledged, from the moment it queues them
   * (local_changed() in src/settings.c). h_mfs_pend: the value each
   * unacknowledged SETTINGS leaves, oldest first; an ACK handed to
   * h2wire puts the oldest in force (§6.5.3: ACKs answer in order). */
  uint32_t h_mfs_acked;
  uint32_t h_mfs_pend[16];
  uint32_t h_mfs_n;
  uint32_t h_set_sub, h_set_emit; /* h2wire SETTINGS queued / on the wire */
  /* nghttp2 sizes HEADERS, PUSH_PROMISE and CONTINUATION frames by its
   * frame buffer, which its DATA path grows to the largest payload
   * read_length_callback granted and never shrinks (fuzz/README.md):
   * ng_grant_max is that payload (16384 before any growth). ng_big: per
   * such frame over 16384 octets emitted and not yet parsed on delivery,
   * 1 if the buffer then explains its size. */
  uint32_t ng_grant_max;
  dbuf ng_big;
  int h_over;         /* a frame over h2wire's limit reached h2wire: */
  uint64_t h_over_at; /* where it starts in h2wire's input */
  int h_over_ok;      /* it is such a header-block frame of nghttp2's */
  int h_over_err;     /* h2wire reported FRAME_SIZE_ERROR meanwhile */
};

/* Direction of DATA sent by a side: the client sends on 0. */
#define DIR_OF_H2W(d) ((d)->h2w_server ? 1 : 0)
#define DIR_OF_NG(d) ((d)->h2w_server ? 0 : 1)

static uint32_t h_peer_mcs(dx *d);

/* A frame's first octet is parsed (w is one of d's wires). */
static void wire_begins(dx *d, dx_wire *w) {
  if (!d->h2w_server && w == &d->emit[DIR_OF_H2W(d)]) {
    w->mcs0 = h_peer_mcs(d);
  }
}

static dx_xchg *xfind(dx *d, int32_t id) {
  for (uint32_t i = 0; i < d->n_xchg; i++) {
    if (d->xs[i].id == id) {
      return &d->xs[i];
    }
  }
  return NULL;
}

static uint8_t dx_body(uint32_t seed, uint32_t i) {
  uint32_t v = seed * 2654435761u + i * 40503u + (i >> 7);
  return (uint8_t)(v >> 13);
}

/* ---- window model ------------------------------------------------------ */

static int64_t *delta_of(dx *d, int dir, uint32_t sid) {
  return sid < DX_MAX_ID ? &d->delta[dir][sid] : NULL;
}

/* ---- frame sizes towards h2wire (RFC 9113 §4.2) ----------------------- */

static uint32_t h_mfs_limit(const dx *d) {
  uint32_t m = d->h_mfs_acked;
  for (uint32_t i = 0; i < d->h_mfs_n; i++) {
    m = d->h_mfs_pend[i] > m ? d->h_mfs_pend[i] : m;
  }
  return m;
}

/* h2wire queued a SETTINGS frame with these entries (the connection
 * preface's included): the value it leaves is pending until its ACK. */
static void h_mfs_queued(dx *d, const h2w_settings_entry *iv, size_t n) {
  uint32_t v = d->h_mfs_n > 0 ? d->h_mfs_pend[d->h_mfs_n - 1] : d->h_mfs_acked;
  for (size_t i = 0; i < n; i++) {
    if (iv[i].id == H2W_SETTINGS_MAX_FRAME_SIZE) {
      v = iv[i].value;
    }
  }
  if (d->h_mfs_n == sizeof d->h_mfs_pend / sizeof d->h_mfs_pend[0]) {
    dx_fail("harness: too many h2wire SETTINGS awaiting an ACK", 0, 0);
  }
  d->h_mfs_pend[d->h_mfs_n++] = v;
  d->h_set_sub++;
}

static int block_frame(uint8_t type) {
  return type == 1 /* HEADERS */ || type == 5 /* PUSH_PROMISE */ ||
         type == 9 /* CONTINUATION */;
}

/* A frame of h2wire's client leaving on dir is a HEADERS that opens a
 * request stream (client stream ids grow, §5.1.1). */
static int h_opens_stream(const dx *d, int dir, uint8_t type, uint32_t sid) {
  return type == 1 /* HEADERS */ && !d->h2w_server && dir == DIR_OF_H2W(d) &&
         (sid & 1) && sid > d->h_last_opened;
}

/* A frame header left its sender. */
static void on_emit_head(dx *d, int dir, const dx_wire *w) {
  uint32_t sid = wire_sid(w);
  if (h_opens_stream(d, dir, w->hdr[3], sid) && sid < DX_MAX_ID) {
    /* The request opens its stream for nghttp2 at this header, before its
     * block is whole (a big block can reach nghttp2 in parts): it is
     * h2wire's frame number h_emit_n + 1 (on_emit() counts it once it is
     * complete), which ng_counts_resetting() compares with. */
    d->h_open_seq[sid] = d->h_emit_n + 1;
  }
  if (dir == DIR_OF_NG(d) && block_frame(w->hdr[3]) && w->need > 16384) {
    uint8_t fits = w->need <= d->ng_grant_max;
    db_add(&d->ng_big, &fits, 1);
  }
}

/* A frame header is about to reach its receiver. */
static void on_deliver_head(dx *d, int dir, const dx_wire *w) {
  if (dir != DIR_OF_NG(d)) {
    return;
  }
  int grown = 0;
  if (block_frame(w->hdr[3]) && w->need > 16384) {
    if (d->ng_big.len == 0) {
      dx_fail("harness: a header-block frame delivered but never emitted",
              (long)w->need, 0);
    }
    grown = d->ng_big.p[0];
    db_drop(&d->ng_big, 1);
  }
  if (w->need > h_mfs_limit(d) && !d->h_over) {
    /* §4.2: "An endpoint MUST send an error code of FRAME_SIZE_ERROR if
     * a frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE".
     * Only the first such frame counts: h2wire must end the connection
     * on it (to_h). */
    d->h_over = 1;
    d->h_over_at = w->start;
    d->h_over_ok = grown;
  }
}

/* Frames as their sender emits them: DATA is charged here. */
static void note_h_open(dx *d, uint32_t sid);

static void on_emit(dx *d, int dir, uint8_t type, uint8_t flags, uint32_t sid,
                    const uint8_t *p, uint32_t len) {
  (void)p;
  if (getenv("DX_WIRE") != NULL) {
    fprintf(stderr, "wire %s type=%u flags=0x%02x stream=%u len=%u\n",
            dir == DIR_OF_H2W(d) ? "h2wire " : "nghttp2", type, flags, sid,
            len);
  }
  if (type == 4 /* SETTINGS */ && !(flags & 1) && dir == DIR_OF_H2W(d) &&
      ++d->h_set_emit > d->h_set_sub) {
    /* h2wire queued SETTINGS of its own (window autotuning, off here):
     * h_mfs_pend would no longer match the ACKs. */
    dx_fail("harness: h2wire sent a SETTINGS the harness did not submit",
            (long)d->h_set_emit, 0);
  }
  if (dir == DIR_OF_H2W(d)) {
    d->h_emit_n++;
  }
  if (h_opens_stream(d, dir, type, sid)) { /* numbered by on_emit_head() */
    d->h_last_opened = sid;
    note_h_open(d, sid);
  }
  if (dir == DIR_OF_H2W(d) && sid != 0 &&
      (type == 3 /* RST_STREAM */ ||
       ((type == 0 || type == 1) && (flags & 1 /* END_STREAM */)))) {
    dx_xchg *x = xfind(d, (int32_t)sid);
    if (x != NULL && x->h_end_seq == 0) {
      x->h_end_seq = d->h_emit_n;
    }
    /* a reset closes it; an END_STREAM does once the peer's has arrived
     * (received before the write that carries ours) */
    if (x != NULL && x->h_closed_seq == 0 &&
        (type == 3 || (d->h2w_server ? x->req.r_end : x->resp.r_end))) {
      x->h_closed_seq = d->h_emit_n;
    }
  }
  if ((type == 1 || type == 8 /* WINDOW_UPDATE */) && d->h2w_server &&
      dir == DIR_OF_H2W(d) && sid != 0 && !(sid & 1)) {
    dx_xchg *x = xfind(d, (int32_t)sid);
    if (x != NULL && type == 1) {
      x->h_push_resp_out = 1;
    } else if (x != NULL && !x->h_push_resp_out) {
      x->h_wu_reserved = 1;
    }
  }
  if (type != 0 /* DATA */) {
    return;
  }
  /* §6.9.1: the entire DATA payload, padding included, counts, against
   * the windows as they were when the frame's first octet left. */
  const dx_wire *w = &d->emit[dir];
  int64_t mid_conn = 0, mid_stream = 0;
  for (uint32_t i = 0; i < w->mid_n; i++) {
    if (w->mid[i].sid == 0) {
      mid_conn += w->mid[i].inc;
    } else if (w->mid[i].sid == sid) {
      mid_stream += w->mid[i].inc;
    }
  }
  d->conn[dir] -= len;
  if (d->conn[dir] - mid_conn < 0) {
    dx_fail(dir == DIR_OF_H2W(d)
                ? "h2wire sent DATA past the connection window"
                : "nghttp2 sent DATA past the connection window",
            (long)sid, (long)d->conn[dir]);
  }
  int64_t *dl = delta_of(d, dir, sid);
  if (dl != NULL) {
    *dl -= len;
    if (w->init0 + *dl - mid_stream < 0) {
      dx_fail(dir == DIR_OF_H2W(d) ? "h2wire sent DATA past the stream window"
                                   : "nghttp2 sent DATA past the stream window",
              (long)sid, (long)(w->init0 + *dl - mid_stream));
    }
  }
}

static int ng_has_stream(dx *d, uint32_t sid);
static int h_has_stream(dx *d, uint32_t sid);
static int stream_half_closed_local(dx *d, int dir, uint32_t sid);
static void ng_orphan_promise(dx *d, uint32_t assoc, uint32_t promised);

/* The promised stream id of a PUSH_PROMISE payload (0 if not all there). */
static uint32_t promised_of(uint8_t flags, const uint8_t *p, size_t len) {
  size_t off = (flags & 8 /* PADDED */) ? 1 : 0;
  if (len < off + 4) {
    return 0;
  }
  return (((uint32_t)p[off] & 0x7f) << 24) | ((uint32_t)p[off + 1] << 16) |
         ((uint32_t)p[off + 2] << 8) | p[off + 3];
}

/* Frames as they are handed to their receiver: WINDOW_UPDATE and
 * SETTINGS from the receiver's peer change the receiver's send windows,
 * i.e. those of the opposite direction. */
static void on_deliver(dx *d, int dir, uint8_t type, uint8_t flags,
                       uint32_t sid, const uint8_t *p, uint32_t len) {
  int other = 1 - dir;
  if (type == 4 /* SETTINGS */ && (flags & 1) && dir == DIR_OF_NG(d) &&
      d->h_mfs_n > 0) {
    /* h2wire's oldest pending SETTINGS is now in force (§6.5.3) */
    d->h_mfs_acked = d->h_mfs_pend[0];
    d->h_mfs_n--;
    memmove(d->h_mfs_pend, d->h_mfs_pend + 1,
            d->h_mfs_n * sizeof d->h_mfs_pend[0]);
  }
  if (dir == DIR_OF_H2W(d) && (type == 5 || type == 9)) {
    /* PUSH_PROMISE / CONTINUATION to nghttp2: is a promise block open? */
    if (type == 5) {
      d->ng_pp_assoc = sid;
      d->ng_pp_promised = promised_of(flags, p, len);
    }
    if (flags & 4 /* END_HEADERS */) {
      ng_orphan_promise(d, d->ng_pp_assoc, d->ng_pp_promised);
      d->ng_pp_assoc = 0;
    }
  }
  if (sid != 0 && sid < DX_MAX_ID &&
      (type == 3 /* RST_STREAM */ ||
       ((type == 0 || type == 1) && (flags & 1) /* END_STREAM */ &&
        stream_half_closed_local(d, dir, sid)))) {
    d->closing[dir][sid] = 1;
  }
  if (type == 8 /* WINDOW_UPDATE */ && len == 4) {
    uint32_t inc = (((uint32_t)p[0] & 0x7f) << 24) | ((uint32_t)p[1] << 16) |
                   ((uint32_t)p[2] << 8) | p[3];
    int ng_receives = (other == DIR_OF_NG(d));
    dx_wire *e = &d->emit[other];
    if (e->hlen > 0) {
      /* a frame of the receiver's is on its way: not for that one */
      if (e->mid_n == sizeof e->mid / sizeof e->mid[0]) {
        dx_fail("harness: too many WINDOW_UPDATEs within one frame", 0, 0);
      }
      e->mid[e->mid_n].sid = sid;
      e->mid[e->mid_n++].inc = inc;
    }
    if (sid == 0) {
      d->conn[other] += inc;
    } else {
      int64_t *dl = delta_of(d, other, sid);
      if (dl != NULL) {
        *dl += inc;
        dx_xchg *x = xfind(d, (int32_t)sid);
        if (!ng_receives && x != NULL && d->init[other] + *dl > 0x7fffffff) {
          /* RFC 9113 §6.9.1: "If a sender receives a WINDOW_UPDATE that
           * causes a flow-control window to exceed this maximum, it MUST
           * terminate either the stream or the connection". nghttp2
           * composes such a window when an explicit update (op 14) was
           * followed by its INITIAL_WINDOW_SIZE 2^31-1 while h2wire had
           * DATA in flight, and then returns those octets. */
          x->h_fc_legit = 1;
        }
      }
      if (d->wu_unsent[ng_receives ? 0 : 1] > 0) {
        d->wu_unsent[ng_receives ? 0 : 1]--;
      }
    }
  } else if (type == 4 /* SETTINGS */ && !(flags & 1)) {
    int ng_receives = (other == DIR_OF_NG(d));
    int hts = 0;
    for (uint32_t i = 0; i + 6 <= len; i += 6) {
      uint32_t id = ((uint32_t)p[i] << 8) | p[i + 1];
      uint32_t v = ((uint32_t)p[i + 2] << 24) | ((uint32_t)p[i + 3] << 16) |
                   ((uint32_t)p[i + 4] << 8) | p[i + 5];
      if (id == 1) {
        hts++;
      }
      if (id != 4) {
        continue;
      }
      /* §6.5.3: entries apply in order; §6.9.2: an entry that takes a
       * live stream's window past 2^31-1 is a FLOW_CONTROL_ERROR of the
       * receiver. The harness may provoke that (manual WINDOW_UPDATEs),
       * so it is legitimate then, and only then. */
      d->init[other] = v;
      for (uint32_t s = 1; s < DX_MAX_ID; s++) {
        int64_t w = d->init[other] + d->delta[other][s];
        if (w > 0x7fffffff && d->delta[other][s] != 0 && !d->closing[dir][s] &&
            (ng_receives ? ng_has_stream(d, s) : h_has_stream(d, s))) {
          d->legit_fc_error[ng_receives ? 1 : 0] = 1;
        }
      }
    }
    if (hts > 1 && dir == DIR_OF_NG(d)) {
      d->ng_multi_hts = 1;
    }
  }
}

/* ---- moving bytes ------------------------------------------------------ */

static uint8_t dx_scratch[1 << 16];

/* h2wire's output into its pipe; cap octets per send() call. */
static size_t h_produce(dx *d, size_t cap, int calls) {
  size_t total = 0;
  int dir = DIR_OF_H2W(d);
  for (int i = 0; i < calls; i++) {
    h2w_ssize n = h2w_session_send(d->h, dx_scratch, cap);
    if (n < 0) {
      if (h2w_session_error(d->h, NULL, NULL, NULL) == n && d->stopped) {
        return total;
      }
      dx_fail("h2w_session_send failed", (long)n, 0);
    }
    if (n == 0) {
      break;
    }
    wire_feed(d, &d->emit[dir], dir, d->init[dir], dx_scratch, (size_t)n,
              on_emit_head, on_emit);
    db_add(&d->pipe[dir], dx_scratch, (size_t)n);
    total += (size_t)n;
  }
  return total;
}

static size_t ng_produce(dx *d, int calls) {
  size_t total = 0;
  int dir = DIR_OF_NG(d);
  for (int i = 0; i < calls; i++) {
    const uint8_t *out;
    ssize_t n = nghttp2_session_mem_send(d->ng, &out);
    if (n < 0) {
      dx_fail("nghttp2_session_mem_send failed", (long)n, 0);
    }
    if (n == 0) {
      break;
    }
    wire_feed(d, &d->emit[dir], dir, d->init[dir], out, (size_t)n, on_emit_head,
              on_emit);
    db_add(&d->pipe[dir], out, (size_t)n);
    total += (size_t)n;
  }
  return total;
}

static int h_dead(dx *d) {
  return h2w_session_error(d->h, NULL, NULL, NULL) != H2W_OK;
}

/* Hand up to n octets of the pipe towards h2wire to h2wire. */
static size_t to_h(dx *d, size_t n) {
  int dir = DIR_OF_NG(d);
  dbuf *pp = &d->pipe[dir];
  if (n > pp->len) {
    n = pp->len;
  }
  if (n == 0) {
    return 0;
  }
  memset(d->closing[dir], 0, sizeof d->closing[dir]);
  wire_feed(d, &d->deliver[dir], dir, d->init[dir], pp->p, n, on_deliver_head,
            on_deliver);
  if (getenv("DX_WIRE") != NULL) {
    fprintf(stderr, "to h2wire: %zu octets\n", n);
  }
  h2w_ssize r = h2w_session_recv(d->h, pp->p, n);
  if (d->h_over_err) {
    /* h_error: FRAME_SIZE_ERROR after nghttp2's oversized header-block
     * frame reached h2wire; it must be about that very frame. */
    uint64_t at = 0;
    uint32_t code = 0;
    (void)h2w_session_error(d->h, &code, NULL, &at);
    if (code != H2W_FRAME_SIZE_ERROR || at != d->h_over_at) {
      dx_fail("h2wire's FRAME_SIZE_ERROR is not about nghttp2's oversized "
              "header-block frame",
              (long)at, (long)d->h_over_at);
    }
    if (getenv("DX_WIRE") != NULL) {
      fprintf(stderr,
              "h2wire refused nghttp2's oversized header-block frame at "
              "input offset %llu (FRAME_SIZE_ERROR): the run ends\n",
              (unsigned long long)at);
    }
    d->stopped = 1;
    return 0;
  }
  if (r < 0) {
    if (d->legit_fc_error[0] && r == H2W_E_FLOW_CONTROL) {
      d->stopped = 1;
      return 0;
    }
    dx_fail("h2w_session_recv rejected nghttp2's output", (long)r, 0);
  }
  if ((size_t)r != n) {
    dx_fail("h2w_session_recv consumed less without a pause", (long)r, (long)n);
  }
  if (d->h_over && !h_dead(d)) {
    /* the whole header of a frame over the limit is in (the parser saw
     * it in these octets): h2wire must have refused it */
    dx_fail("h2wire accepted a frame larger than its SETTINGS_MAX_FRAME_SIZE "
            "(§4.2)",
            (long)d->h_over_at, (long)h_mfs_limit(d));
  }
  if (d->legit_fc_error[0] && !h_dead(d)) {
    /* §6.9.2: "A change to SETTINGS_INITIAL_WINDOW_SIZE can cause the
     * available space in a flow-control window to exceed the maximum
     * size. An endpoint MUST treat this as a connection error of type
     * FLOW_CONTROL_ERROR" — issue 14 defect I when it does not. */
    dx_fail("h2wire accepted a SETTINGS entry that overflows a stream "
            "window (issue 14 defect I)",
            0, 0);
  }
  db_drop(pp, n);
  return n;
}

static size_t to_ng(dx *d, size_t n) {
  int dir = DIR_OF_H2W(d);
  dbuf *pp = &d->pipe[dir];
  if (n > pp->len) {
    n = pp->len;
  }
  if (n == 0) {
    return 0;
  }
  if (!nghttp2_session_want_read(d->ng)) {
    /* nghttp2 wants no more input (GOAWAY, no stream): feeding it more
     * makes it skip input and later misparse what follows. Its
     * application stops reading and closes the socket: the run ends. */
    d->ng_over = 1;
    db_drop(pp, n);
    return n;
  }
  memset(d->closing[dir], 0, sizeof d->closing[dir]);
  wire_feed(d, &d->deliver[dir], dir, d->init[dir], pp->p, n, on_deliver_head,
            on_deliver);
  if (getenv("DX_WIRE") != NULL) {
    fprintf(stderr, "to nghttp2: %zu octets:", n);
    for (size_t i = 0; i < n && i < 24; i++) {
      fprintf(stderr, " %02x", pp->p[i]);
    }
    fprintf(stderr, "\n");
  }
  ssize_t r = nghttp2_session_mem_recv(d->ng, pp->p, n);
  if (r < 0) {
    if (d->legit_fc_error[1] && r == NGHTTP2_ERR_FLOW_CONTROL) {
      d->stopped = 1;
      return 0;
    }
    dx_fail("nghttp2_session_mem_recv rejected h2wire's output", (long)r, 0);
  }
  if ((size_t)r != n) {
    dx_fail("nghttp2_session_mem_recv consumed less", (long)r, (long)n);
  }
  db_drop(pp, n);
  return n;
}

/* Move everything both ways until nothing moves (a fast network). */
static size_t pump(dx *d) {
  size_t total = 0;
  for (int round = 0; round < DX_PUMP_ROUNDS && !d->stopped; round++) {
    size_t moved = h_produce(d, sizeof dx_scratch, 64);
    moved += ng_produce(d, 64);
    moved += to_ng(d, SIZE_MAX);
    if (d->stopped) {
      return total;
    }
    moved += to_h(d, SIZE_MAX);
    if (moved == 0) {
      return total;
    }
    total += moved;
  }
  /* Still moving (one-octet windows move one octet a round): the final
   * phase keeps pumping, and judges a livelock there. */
  return total;
}

#include "diff_peer_app.h"

#endif /* H2W_DIFF_PEER_H */

/* Part of session_fuzz.h: two mirrors that re-parse the bytes around the
 * session with the frame codec (src/frame.c is the oracle) and abort()
 * on anything RFC 9113 forbids the session to write:
 *   - every output frame decodes, is no larger than the largest
 *     SETTINGS_MAX_FRAME_SIZE the peer announced (§4.2), and the first is
 *     our SETTINGS (§3.4), after the client magic;
 *   - DATA never passes the connection window: 65535 plus the peer's
 *     connection WINDOW_UPDATEs (§6.9.1);
 *   - no more SETTINGS ACKs than SETTINGS received (§6.5.3), no more
 *     PING ACKs than PINGs received (§6.7);
 *   - no DATA or HEADERS on a stream we ended with END_STREAM or reset
 *     (§5.1: half-closed (local) / closed);
 *   - stream frames use odd ids, or (server) even ids it promised
 *     (§5.1.1); a server answers only on streams the client opened;
 *   - only a server sends PUSH_PROMISE (§8.4), on an odd stream the
 *     client opened and we have not ended, promising increasing even
 *     ids;
 *   - GOAWAY last-stream-ids never increase (§6.8), and nothing follows
 *     a GOAWAY with an error code (the connection is over).
 * The input mirror only counts (SETTINGS, PINGs, WINDOW_UPDATEs, stream
 * ids) over the bytes the session consumed; bytes after an error can
 * only loosen these bounds, never tighten them. */
#ifndef H2W_SESSION_FUZZ_CHECK_H
#define H2W_SESSION_FUZZ_CHECK_H

static const uint8_t fz_magic[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static void fz_wire_init(fz_wire *w, int server) {
  memset(w, 0, sizeof *w);
  if (h2w_alloc_init(&w->a, NULL) != H2W_OK ||
      h2w_frame_reader_init(&w->out, &w->a) != H2W_OK ||
      h2w_frame_reader_init(&w->in, &w->a) != H2W_OK ||
      h2w_frame_reader_set_max_frame_size(&w->out, H2W_FRAME_MAX_MAX_SIZE) !=
          H2W_OK ||
      h2w_frame_reader_set_max_frame_size(&w->in, H2W_FRAME_MAX_MAX_SIZE) !=
          H2W_OK) {
    abort();
  }
  w->out_magic = server ? 0 : sizeof fz_magic;
  w->in_magic = server ? sizeof fz_magic : 0;
  w->conn_credit = 65535;
  w->max_frame = H2W_FRAME_DEFAULT_MAX_SIZE;
}

static void fz_wire_free(fz_wire *w) {
  h2w_frame_reader_free(&w->out);
  h2w_frame_reader_free(&w->in);
  if (w->a.in_use != 0) {
    abort();
  }
}

static void fz_wire_in_frame(fz_wire *w, const h2w_frame_hd *hd,
                             const uint8_t *pl) {
  int ack = (hd->flags & H2W_FLAG_ACK) != 0;
  if (hd->type == H2W_FRAME_SETTINGS && !ack) {
    w->settings_in++;
  } else if (hd->type == H2W_FRAME_PING && !ack) {
    w->pings_in++;
  } else if (hd->type == H2W_FRAME_WINDOW_UPDATE && hd->stream_id == 0 &&
             hd->length == 4) {
    w->conn_credit += ((uint32_t)pl[0] << 24 | (uint32_t)pl[1] << 16 |
                       (uint32_t)pl[2] << 8 | pl[3]) &
                      H2W_STREAM_ID_MASK;
  } else if (hd->type == H2W_FRAME_HEADERS && hd->stream_id > w->max_peer_id) {
    w->max_peer_id = hd->stream_id;
  }
}

/* The session consumed in[0..n) of the peer's bytes. */
static void fz_wire_in(fz_wire *w, const uint8_t *in, size_t n) {
  size_t skip = n < w->in_magic ? n : w->in_magic;
  w->in_magic -= skip;
  in += skip;
  n -= skip;
  while (n > 0) {
    size_t used;
    h2w_frame_hd hd;
    const uint8_t *pl;
    int rv = h2w_frame_reader_next(&w->in, in, n, &used, &hd, &pl, NULL);
    if (rv < 0) {
      abort(); /* 16777215 is the largest frame a header can announce */
    }
    if (rv == H2W_FRAME_READY) {
      w->in_frames++;
      fz_wire_in_frame(w, &hd, pl);
    }
    in += used;
    n -= used;
  }
}

static int fz_ended(const fz_wire *w, uint32_t id) {
  size_t i;
  for (i = 0; i < FZ_ENDED; i++) {
    if (w->ended[i] == id && id != 0) {
      return 1;
    }
  }
  return 0;
}

static void fz_end(fz_wire *w, uint32_t id) {
  if (!fz_ended(w, id)) {
    w->ended[w->nended++ % FZ_ENDED] = id;
  }
}

/* A stream frame we wrote (DATA or HEADERS) on stream id. */
static void fz_wire_stream_frame(fz_wire *w, int server, uint32_t id, int es) {
  int pushed = server && (id & 1u) == 0 && id != 0 && id <= w->max_promised;
  if (((id & 1u) == 0 && !pushed) || fz_ended(w, id)) {
    fprintf(stderr, "stream frame on %s stream %u\n",
            (id & 1u) ? "ended" : "even", (unsigned)id);
    abort(); /* even ids are pushes we promised; ended streams stay quiet */
  }
  if (server && !pushed && id > w->max_peer_id) {
    abort(); /* a server only answers streams the client opened */
  }
  if (!server && id > w->max_own_id) {
    w->max_own_id = id; /* opening, in increasing order by construction */
  }
  if (es) {
    fz_end(w, id);
  }
}

static void fz_wire_out_frame(fz_wire *w, int server, const h2w_frame *fr) {
  const h2w_frame_hd *hd = &fr->hd;
  int ack = (hd->flags & H2W_FLAG_ACK) != 0;
  int es = (hd->flags & H2W_FLAG_END_STREAM) != 0;
  if (w->closed || hd->length > w->max_frame ||
      (w->out_frames++ == 0 && (hd->type != H2W_FRAME_SETTINGS || ack))) {
    abort();
  }
  switch (hd->type) {
  case H2W_FRAME_DATA:
    w->data_out += hd->length;
    if (w->data_out > w->conn_credit) {
      abort(); /* RFC 9113 §6.9.1: past the connection window */
    }
    fz_wire_stream_frame(w, server, hd->stream_id, es);
    break;
  case H2W_FRAME_HEADERS:
    fz_wire_stream_frame(w, server, hd->stream_id, es);
    break;
  case H2W_FRAME_RST_STREAM:
    fz_end(w, hd->stream_id);
    break;
  case H2W_FRAME_SETTINGS:
    if (ack && ++w->settings_acks > w->settings_in) {
      abort();
    }
    w->settings_due += !ack;
    break;
  case H2W_FRAME_PING:
    if (ack && ++w->ping_acks > w->pings_in) {
      abort();
    }
    if (!ack) {
      memcpy(w->ping_out, fr->u.ping.opaque, sizeof w->ping_out);
      w->ping_due = 1;
    }
    break;
  case H2W_FRAME_GOAWAY:
    if (w->goaway_seen && fr->u.goaway.last_stream_id > w->goaway_last) {
      fprintf(stderr, "GOAWAY last-stream-id %u after %u\n",
              (unsigned)fr->u.goaway.last_stream_id, (unsigned)w->goaway_last);
      abort(); /* RFC 9113 §6.8: MUST NOT increase */
    }
    w->goaway_seen = 1;
    w->goaway_last = fr->u.goaway.last_stream_id;
    w->closed = fr->u.goaway.error_code != H2W_NO_ERROR;
    break;
  case H2W_FRAME_PUSH_PROMISE: {
    uint32_t p = fr->u.push_promise.promised_stream_id;
    if (!server || (hd->stream_id & 1u) == 0 ||
        hd->stream_id > w->max_peer_id || fz_ended(w, hd->stream_id) ||
        (p & 1u) != 0 || p <= w->max_promised) {
      fprintf(stderr, "PUSH_PROMISE on %u promising %u\n",
              (unsigned)hd->stream_id, (unsigned)p);
      abort();
    }
    w->max_promised = p;
    break;
  }
  default:
    break;
  }
}

/* The session wrote out[0..n); peer_max_frame is its peer's
 * SETTINGS_MAX_FRAME_SIZE now. */
static void fz_wire_out(fz_wire *w, int server, const uint8_t *out, size_t n,
                        uint32_t peer_max_frame) {
  size_t m = n < w->out_magic ? n : w->out_magic;
  if (m > 0 && memcmp(out, fz_magic + sizeof fz_magic - w->out_magic, m)) {
    abort(); /* RFC 9113 §3.4: the client starts with the magic */
  }
  w->out_magic -= m;
  out += m;
  n -= m;
  if (peer_max_frame > w->max_frame) {
    w->max_frame = peer_max_frame;
  }
  while (n > 0) {
    size_t used;
    h2w_frame_hd hd;
    const uint8_t *pl;
    h2w_frame fr;
    int rv = h2w_frame_reader_next(&w->out, out, n, &used, &hd, &pl, NULL);
    if (rv < 0 || (rv == H2W_FRAME_READY &&
                   h2w_frame_decode(&hd, pl, &fr, NULL) != H2W_OK)) {
      abort(); /* the session wrote an invalid frame */
    }
    if (rv == H2W_FRAME_READY) {
      fz_wire_out_frame(w, server, &fr);
    }
    out += used;
    n -= used;
  }
}

#endif

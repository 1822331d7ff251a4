/* Header blocks (RFC 9113 §4.3, §6.2, §6.6, §6.10): HEADERS or
 * PUSH_PROMISE plus CONTINUATIONs, decoded by HPACK as they arrive (no
 * reassembly buffer), each field checked by the §8 rules before it may
 * reach on_header.
 *
 * A block is always decoded to its end, even for a stream we refuse or
 * ignore: the HPACK dynamic table is shared by the whole connection
 * (RFC 7541 §2.3.2). Fields of such blocks are dropped, never delivered. */
#include <string.h>

#include "cold.h"
#include "session_int.h"

static int http_kind(int kind) {
  switch (kind) {
  case H2W_HEADERS_REQUEST:
    return H2W_HTTP_REQUEST;
  case H2W_HEADERS_TRAILERS:
    return H2W_HTTP_TRAILERS;
  case H2W_HEADERS_PUSH_PROMISE:
    return H2W_HTTP_PUSH_REQUEST;
  default:
    return H2W_HTTP_RESPONSE;
  }
}

/* The decoder's trust goes to the §8 checks unchanged: the same bits. */
_Static_assert(H2W_HPACK_CHECKED_NAME == H2W_HTTP_TRUST_NAME &&
                   H2W_HPACK_CHECKED_VALUE == H2W_HTTP_TRUST_VALUE &&
                   H2W_HPACK_NAME_STATIC == H2W_HTTP_TRUST_STATIC &&
                   H2W_HPACK_TAG_SHIFT == H2W_HTTP_TRUST_CLASS_SHIFT,
               "HPACK trust and HTTP trust layouts differ");

static int on_field(void *user, const h2w_nv *nv) {
  h2w_session *s = user;
  h2w_hblock *hb = &s->rs.hb;
  h2w_stream *st;
  int rv;
  if (!hb->deliver || hb->invalid || s->err.lib != H2W_OK) {
    return 0;
  }
  st = hb->st; /* cleared if the stream left the map meanwhile */
  if (st == NULL) {
    hb->deliver = 0; /* the application reset it meanwhile */
    return 0;
  }
  if (s->opt.validate_messages) {
    /* Octets the decoder vouches for (a static entry, or a dynamic one
     * checked when it arrived) skip the §8.2.1 octet checks, and a name
     * it can identify (a static index, or the class we tagged its entry
     * with) skips the string compares that would find it; the message
     * rules of §8 apply to every field. The decoder's trust has the
     * layout h2w_http_msg_field_trusted() reads. */
    /* The class and the reason go straight into the receive state (the
     * reason is only written for a refusal): no local has its address
     * taken, so this per-field function needs no stack protector. */
    if (h2w_http_msg_field_trusted(&s->rs.hb.msg, nv,
                                   h2w_hpack_decoder_field_trust(&s->dec),
                                   &s->rs.field_class, &hb->reason) != H2W_OK) {
      /* Rejected, never delivered (docs/security.md row 18); decoding goes on
       * to keep the table in sync. */
      hb->invalid = 1;
      return 0;
    }
    /* Should the field enter the dynamic table, its copies come back
     * trusted, with the name's class. */
    h2w_hpack_decoder_field_checked(&s->dec, s->rs.field_class);
  } else if (nv->namelen == 7 && memcmp(nv->name, ":status", 7) == 0 &&
             nv->valuelen > 0 && nv->value[0] == '1') {
    hb->informational = 1;
  }
  if (hb->kind == H2W_HEADERS_REQUEST && nv->namelen == 8 &&
      !(st->flags & H2W_SF_PRIO_FRAME)) {
    /* RFC 9218 §5: the request's own signal, unless a PRIORITY_UPDATE
     * came first (§7). Only an 8-octet name can be `priority`: the
     * parser is not called for the others. */
    (void)h2w_prio_of_field(&hb->prio, nv, &st->prio);
  }
  if (s->cb.on_header == NULL) {
    return 0;
  }
  rv = s->cb.on_header(s, hb->stream_id, nv, s->user);
  /* 0 with the connection intact is the common answer and needs nothing
   * done; anything else goes through the full result rules. */
  if ((rv != 0 || s->err.lib != H2W_OK) &&
      h2w_cb_stream_result(s, hb->stream_id, rv, "on_header") < 0) {
    return s->err.lib;
  }
  return 0;
}

/* Answer a request whose header list passed our limit: 431 (RFC 6585
 * §5), then a reset, since the rest of the request will not be read. */
static int refuse_too_large(h2w_session *s, h2w_stream *st) {
  static const uint8_t status[] = ":status", code[] = "431";
  h2w_nv nv;
  int rv;
  if (!s->is_server || (st->flags & H2W_SF_FINAL_SENT)) {
    return h2w_stream_error(s, st->id, H2W_CANCEL,
                            "header list larger than the limit");
  }
  memset(&nv, 0, sizeof(nv));
  nv.name = status;
  nv.namelen = sizeof(status) - 1;
  nv.value = code;
  nv.valuelen = sizeof(code) - 1;
  st->flags |= H2W_SF_FINAL_SENT;
  h2w_stream_tx_end(s, st);
  rv = h2w_queue_headers(s, st, &nv, 1, 1);
  if (rv != H2W_OK) {
    return rv == H2W_E_NOMEM
               ? h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory")
               : rv;
  }
  if (!(st->flags & H2W_SF_CLOSING)) {
    return h2w_stream_error(s, st->id, H2W_NO_ERROR,
                            "header list larger than the limit");
  }
  return 0;
}

/* RFC 9113 §8.5: after the first HEADERS each peer sends on a plain
 * CONNECT stream (the request; a 2xx response), only DATA follows: the
 * tunnel's octets. A server knows this from the request, a client from
 * the 2xx. Extended CONNECT (RFC 8441) streams carry a protocol with its
 * own rules and are left alone. */
static void note_tunnel(h2w_stream *st) {
  if ((st->flags & (H2W_SF_CONNECT | H2W_SF_CONNECT_PROTOCOL)) ==
      H2W_SF_CONNECT) {
    st->flags |= H2W_SF_TUNNEL;
  }
}

/* Settle the message once its block is complete. */
static int finish_message(h2w_session *s, h2w_stream *st, int kind, int es) {
  const char *reason = NULL;
  int status;
  if (s->opt.validate_messages &&
      h2w_http_msg_end(&s->rs.hb.msg, es, &reason) != H2W_OK) {
    return h2w_stream_error(s, st->id, H2W_PROTOCOL_ERROR, reason);
  }
  if (kind == H2W_HEADERS_RESPONSE &&
      (s->opt.validate_messages ? h2w_http_msg_is_informational(&s->rs.hb.msg)
                                : s->rs.hb.informational)) {
    return H2W_HEADERS_INFORMATIONAL;
  }
  if (kind == H2W_HEADERS_REQUEST || kind == H2W_HEADERS_RESPONSE) {
    st->flags |= H2W_SF_FINAL_RECV;
    if (!s->opt.validate_messages) {
      return kind;
    }
    status = h2w_http_msg_status(&s->rs.hb.msg);
    if (kind == H2W_HEADERS_RESPONSE &&
        !h2w_http_response_has_body((st->flags & H2W_SF_HEAD) != 0, status)) {
      h2w_http_body_init_none(&st->body);
    } else if (kind == H2W_HEADERS_RESPONSE && (st->flags & H2W_SF_CONNECT) &&
               status >= 200 && status < 300) {
      /* RFC 9110 §9.3.6: a client MUST ignore content-length in a 2xx
       * response to CONNECT; the DATA that follows is the tunnel. */
      h2w_http_body_init(&st->body, -1);
      note_tunnel(st);
    } else {
      h2w_http_body_init(&st->body, h2w_http_msg_content_length(&s->rs.hb.msg));
    }
    if (kind == H2W_HEADERS_REQUEST) {
      h2w_stream_note_head(st, &s->rs.hb.msg);
      note_tunnel(st);
    }
  }
  if (es && s->opt.validate_messages &&
      h2w_http_body_end(&st->body, &reason) != H2W_OK) {
    /* §8.1.1, docs/security.md row 17: a block that ends the stream short of
     * its content-length is never shown with END_STREAM. */
    return h2w_stream_error(s, st->id, H2W_PROTOCOL_ERROR, reason);
  }
  return kind;
}

/* A valid promise is complete (§8.4): ask the application. */
static int push_promised(h2w_session *s, h2w_stream *st, uint32_t assoc) {
  int rv = 0;
  h2w_stream_note_head(st, &s->rs.hb.msg);
  if (s->cb.on_push_promise != NULL) {
    rv = s->cb.on_push_promise(s, assoc, st->id, s->user);
  }
  if (rv == H2W_PUSH_REFUSE) {
    /* Our choice, not the server's fault: not charged. */
    return h2w_stream_fail(s, st->id, H2W_CANCEL, "server push refused");
  }
  return h2w_cb_result(s, rv, "on_push_promise") < 0 ? s->err.lib : 0;
}

static int block_end(h2w_session *s) {
  h2w_hblock *hb = &s->rs.hb;
  h2w_stream *st = hb->st; /* NULL unless delivered and still mapped */
  int kind, rv;
  hb->active = 0;
  if (hb->end_code != 0) {
    return h2w_stream_error(s, hb->stream_id, hb->end_code, hb->reason);
  }
  if (!hb->deliver || st == NULL) {
    return 0;
  }
  if (hb->limit) {
    return refuse_too_large(s, st);
  }
  if (hb->invalid) {
    return h2w_stream_error(s, st->id, H2W_PROTOCOL_ERROR, hb->reason);
  }
  kind = finish_message(s, st, hb->kind, hb->end_stream);
  if (kind < 0 || (st->flags & H2W_SF_CLOSING)) {
    return kind < 0 ? kind : 0;
  }
  if (kind == H2W_HEADERS_PUSH_PROMISE) {
    return push_promised(s, st, hb->frame_id);
  }
  if (s->cb.on_headers != NULL) {
    rv = s->cb.on_headers(s, st->id, kind, hb->end_stream, s->user);
    if (h2w_cb_stream_result(s, st->id, rv, "on_headers") < 0) {
      return s->err.lib;
    }
  }
  if (st->flags & H2W_SF_CLOSING) {
    return 0;
  }
  h2w_stream_apply(s, st, H2W_EV_RECV_HEADERS);
  if (hb->end_stream) {
    return h2w_recv_end_stream(s, st);
  }
  return 0;
}

static int fragment(h2w_session *s, const uint8_t *p, size_t len, int end) {
  int rv = h2w_hpack_decoder_decode(&s->dec, p, len, end, on_field, s);
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (rv == H2W_E_LIMIT) {
    s->rs.hb.limit = 1; /* rows 11-12: fields past the limit dropped */
  } else if (rv == H2W_E_NOMEM) {
    return h2w_conn_error(s, rv, H2W_INTERNAL_ERROR, "out of memory");
  } else if (rv < 0) {
    return h2w_conn_error(s, H2W_E_COMPRESSION, H2W_COMPRESSION_ERROR,
                          "invalid HPACK header block");
  }
  return end ? block_end(s) : 0;
}

/* A new header block on stream `id`; `st` is its stream when the caller
 * has it at hand (else NULL: looked up when delivered). */
static int begin_block(h2w_session *s, uint32_t id, int kind, int deliver,
                       int es, h2w_stream *st) {
  h2w_hblock *hb = &s->rs.hb;
  int rv;
  /* Every member but msg, which h2w_http_msg_begin() sets up below for
   * a delivered block and nothing reads otherwise. */
  hb->active = 1;
  hb->deliver = (uint8_t)deliver;
  hb->end_stream = (uint8_t)es;
  hb->invalid = 0;
  hb->limit = 0;
  hb->kind = (uint8_t)kind;
  hb->informational = 0;
  hb->stream_id = id;
  hb->frame_id = id;
  hb->end_code = 0;
  hb->ncont = 0;
  hb->reason = NULL;
  hb->st = NULL;
  memset(&hb->prio, 0, sizeof(hb->prio));
  if (!deliver) {
    return 0;
  }
  if (st == NULL) {
    st = h2w_stream_find(s, id); /* the caller did not look it up */
  }
  hb->st = st;
  st->flags |= H2W_SF_REPORTED;
  /* RFC 8441 §3: :protocol is allowed once we have announced support;
   * the announcement cannot be taken back, so our option decides. */
  h2w_http_msg_begin(&s->rs.hb.msg, http_kind(kind),
                     s->is_server && s->opt.enable_connect_protocol
                         ? H2W_HTTP_CONNECT_PROTOCOL
                         : 0);
  if (s->cb.on_begin_headers != NULL) {
    rv = s->cb.on_begin_headers(s, id, kind, s->user);
    if (h2w_cb_stream_result(s, id, rv, "on_begin_headers") < 0) {
      return s->err.lib;
    }
  }
  return 0;
}

/* Room a new stream needs under the memory budget: its object plus some
 * headroom for what it will make us hold (queued headers, a map slot). */
#define H2W_STREAM_RESERVE (sizeof(h2w_stream) + 1024u)

static int over_budget(h2w_session *s) {
  if (!h2w_alloc_over(&s->alloc, H2W_STREAM_RESERVE)) {
    return 0;
  }
  /* Spare stream (and h2w_stream_tx) objects kept for reuse must not
   * hold the budget hostage: give them back and look again. */
  h2w_stream_pool_trim(s);
  return h2w_alloc_over(&s->alloc, H2W_STREAM_RESERVE);
}

/* HEADERS opening a new stream: the table said the id is an idle one a
 * client may open (§5.1), so we are the server. */
static int new_peer_stream(h2w_session *s, const h2w_frame *f, int es) {
  uint32_t id = f->hd.stream_id;
  h2w_stream *st;
  uint8_t prio = H2W_PRIO_DEFAULT;
  int rv, noted;
  h2w_peer_id_used(s, id);
  /* RFC 9218 §7.1: a note made for this id is taken, those for lower
   * ids (which can no longer open) dropped, even if the stream is
   * refused below. */
  noted = h2w_prio_take_pending(s, id, &prio);
  if (s->goaway.sent && id > s->goaway.last_sent) {
    /* §6.8: ignored, like every frame on the stream after it, and
     * charged like them (row 4): this token is what pays for the body
     * the peer may still have in flight on the stream, which is not
     * charged within the stream window (h2w_closed_above_goaway()). A
     * block that ends the stream leaves no body to wait for. */
    if (h2w_glitch(s, "too many frames on closed streams") < 0) {
      return s->err.lib;
    }
    if (!es) {
      h2w_closed_above_goaway(s, id);
    }
    return begin_block(s, id, H2W_HEADERS_REQUEST, 0, es, NULL);
  }
  if (s->ids.n_peer >= s->settings.peer_stream_limit) {
    /* §5.1.2: over our limit; nothing was processed, the client may
     * retry. */
    rv = begin_block(s, id, H2W_HEADERS_REQUEST, 0, es, NULL);
    s->rs.hb.end_code = H2W_REFUSED_STREAM;
    s->rs.hb.reason = "MAX_CONCURRENT_STREAMS reached";
    return rv;
  }
  if (over_budget(s)) {
    /* The memory budget: refuse the stream, keep the connection. */
    rv = begin_block(s, id, H2W_HEADERS_REQUEST, 0, es, NULL);
    s->rs.hb.end_code = H2W_REFUSED_STREAM;
    s->rs.hb.reason = "memory budget reached";
    return rv;
  }
  st = h2w_stream_create(s, id, 0);
  if (st == NULL) {
    return h2w_conn_error(s, H2W_E_NOMEM, H2W_INTERNAL_ERROR, "out of memory");
  }
  if (noted) {
    st->prio = prio;
    st->flags |= H2W_SF_PRIO_FRAME;
  }
  /* The stream is open (and counted) from its first frame on. */
  h2w_stream_apply(s, st, H2W_EV_RECV_HEADERS);
  return begin_block(s, id, H2W_HEADERS_REQUEST, 1, es, st);
}

int h2w_recv_headers(h2w_session *s, const h2w_frame *f) {
  uint32_t id = f->hd.stream_id;
  int es = (f->hd.flags & H2W_FLAG_END_STREAM) != 0;
  int end = (f->hd.flags & H2W_FLAG_END_HEADERS) != 0;
  h2w_stream *st;
  h2w_recv_verdict v;
  int rv, kind;
  if (f->u.headers.blocklen == 0 && !end &&
      h2w_glitch(s, "too many empty header fragments") < 0) {
    return s->err.lib; /* docs/security.md row 4 */
  }
  /* Every case is the §5.1 table's: idle ids only a client may open
   * (§5.1.1), our own never-sent ones (queued requests), streams we reset
   * (ignored however long ago), the peer's ended ones. */
  v = h2w_recv_verdict_for(s, id, H2W_FRAME_HEADERS, &st);
  switch (v.action) {
  case H2W_RECV_CONN_ERROR:
    return h2w_conn_error(s, H2W_E_PROTOCOL, v.code,
                          "HEADERS not allowed in this stream state");
  case H2W_RECV_IGNORE:
    /* §5.1: after our RST_STREAM. Decoded for the HPACK table, never
     * delivered, and charged like any ignored frame. */
    if (h2w_glitch(s, "too many frames on closed streams") < 0) {
      return s->err.lib;
    }
    rv = begin_block(s, id, H2W_HEADERS_TRAILERS, 0, es, NULL);
    break;
  case H2W_RECV_STREAM_ERROR:
    rv = begin_block(s, id, H2W_HEADERS_TRAILERS, 0, es, NULL);
    s->rs.hb.end_code = v.code;
    s->rs.hb.reason = "HEADERS on a stream the peer ended";
    break;
  default:
    if (st == NULL) {
      rv = new_peer_stream(s, f, es);
      break;
    }
    if (st->flags & H2W_SF_FINAL_RECV) {
      kind = H2W_HEADERS_TRAILERS;
    } else {
      kind = s->is_server ? H2W_HEADERS_TRAILERS : H2W_HEADERS_RESPONSE;
    }
    rv = begin_block(s, id, kind, 1, es, st);
    if (st->flags & H2W_SF_TUNNEL) {
      /* §8.5: a frame other than DATA (or stream management) on a
       * connected stream is a stream error; decoded for the HPACK table,
       * never delivered. */
      s->rs.hb.deliver = 0;
      s->rs.hb.end_code = H2W_PROTOCOL_ERROR;
      s->rs.hb.reason = "HEADERS on a CONNECT tunnel";
    }
    break;
  }
  if (rv < 0) {
    return rv;
  }
  if ((f->hd.flags & H2W_FLAG_PRIORITY) && f->u.headers.pri.stream_dep == id &&
      s->rs.hb.end_code == 0 && v.action == H2W_RECV_ACCEPT) {
    /* §5.3.1: a stream cannot depend on itself. (Not answered on a
     * stream whose frames we ignore: it is closed, we reset it.) */
    s->rs.hb.end_code = H2W_PROTOCOL_ERROR;
    s->rs.hb.reason = "stream depends on itself";
    s->rs.hb.deliver = 0;
  }
  return fragment(s, f->u.headers.block, f->u.headers.blocklen, end);
}

/* The most CONTINUATIONs one block may use (docs/security.md row 11). A fixed
 * number would cut off a legitimate peer once our header-list limit
 * needs more frames than that, so the cap is derived from the limit in
 * force: enough 2^14-octet frames (a size every peer may use whatever
 * we announced, RFC 9113 §4.2; many never send larger ones) for an
 * encoded block of that many octets, plus one frame of slack for padding,
 * the priority block and table size updates. An encoded block is not larger
 * than its §6.5.2 list size: a literal's HPACK framing (three prefixes, RFC
 * 7541 §6.2) is well under the 32 octets counted per field, and an encoder uses
 * Huffman only when it is shorter. The option is the floor. */
static uint32_t continuation_cap(const h2w_session *s) {
  uint64_t frames =
      ((uint64_t)s->dec.max_list + 2 * H2W_MIN_MAX_FRAME_SIZE - 1) /
      H2W_MIN_MAX_FRAME_SIZE;
  return frames > s->opt.max_continuations ? (uint32_t)frames
                                           : s->opt.max_continuations;
}

int h2w_recv_continuation(h2w_session *s, const h2w_frame *f) {
  h2w_hblock *hb = &s->rs.hb;
  if (!hb->active || f->hd.stream_id != hb->frame_id) {
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "CONTINUATION without its header block");
  }
  /* docs/security.md row 11: counted per frame header, not per read. */
  if (++hb->ncont > continuation_cap(s)) {
    return h2w_conn_error(s, H2W_E_FLOODED, H2W_ENHANCE_YOUR_CALM,
                          "too many CONTINUATION frames");
  }
  if (f->u.continuation.blocklen == 0 &&
      !(f->hd.flags & H2W_FLAG_END_HEADERS) &&
      h2w_glitch(s, "too many empty header fragments") < 0) {
    return s->err.lib; /* docs/security.md row 4 */
  }
  return fragment(s, f->u.continuation.block, f->u.continuation.blocklen,
                  (f->hd.flags & H2W_FLAG_END_HEADERS) != 0);
}

/* Whether we want pushes now (the ENABLE_PUSH we announced last), and in
 * *allowed whether the server may think we do: our acknowledged value or
 * one still in flight (RFC 9113 §6.5.3: it may apply it before we see
 * the ACK). */
static int push_wanted(const h2w_session *s, int *allowed) {
  const h2w_settings_pending *p = &s->settings.pending;
  int newest = s->settings.local.enable_push != 0;
  unsigned i;
  *allowed = newest;
  for (i = 0; i < p->len; i++) {
    newest =
        p->after[(p->head + i) % H2W_SETTINGS_MAX_PENDING].enable_push != 0;
    *allowed |= newest;
  }
  return newest;
}

/* The promise's header block (with its CONTINUATIONs), about the promised
 * stream, arriving on the associated one. Delivered to the application
 * when `code` is 0; otherwise decoded only to keep the HPACK table in
 * step (RFC 7541 §2.3.2), then the promised stream is reset with `code`. */
static int push_block(h2w_session *s, const h2w_frame *f, uint32_t code,
                      const char *reason) {
  int rv = begin_block(s, f->u.push_promise.promised_stream_id,
                       H2W_HEADERS_PUSH_PROMISE, code == 0, 0, NULL);
  if (rv < 0) {
    return rv;
  }
  s->rs.hb.frame_id = f->hd.stream_id;
  s->rs.hb.end_code = code;
  s->rs.hb.reason = reason;
  return fragment(s, f->u.push_promise.block, f->u.push_promise.blocklen,
                  (f->hd.flags & H2W_FLAG_END_HEADERS) != 0);
}

H2W_COLD int h2w_recv_push_promise(h2w_session *s, const h2w_frame *f) {
  uint32_t id = f->hd.stream_id;
  uint32_t promised = f->u.push_promise.promised_stream_id;
  h2w_stream *st, *ps;
  h2w_recv_verdict v, pv;
  int allowed, wanted = push_wanted(s, &allowed);
  /* §8.4: only servers push, and only when the client allows it. */
  if (s->is_server || !allowed) {
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "PUSH_PROMISE not allowed");
  }
  /* §6.6, by the table: on a request of ours that is open or
   * half-closed (local); anything else is a connection error, except a
   * stream we reset, whose late promises are ignored (the promised
   * stream is refused below). */
  v = h2w_recv_verdict_for(s, id, H2W_FRAME_PUSH_PROMISE, &st);
  if (v.action == H2W_RECV_CONN_ERROR || v.action == H2W_RECV_STREAM_ERROR) {
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "PUSH_PROMISE on a stream not open for it");
  }
  /* §5.1.1, §6.6: the promised id must be an idle server id. */
  pv = h2w_recv_verdict_for(s, promised, H2W_RECV_PROMISED, &ps);
  if (pv.action != H2W_RECV_ACCEPT) {
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "PUSH_PROMISE with an invalid promised id");
  }
  h2w_peer_id_used(s, promised);
  if (v.action == H2W_RECV_IGNORE) {
    /* We reset the associated stream; the server had not seen it yet. */
    if (h2w_glitch(s, "too many frames on closed streams") < 0) {
      return s->err.lib;
    }
    return push_block(s, f, H2W_CANCEL, "PUSH_PROMISE on a reset stream");
  }
  if (!wanted) {
    /* Our SETTINGS disabling push may not be acknowledged yet. */
    return push_block(s, f, H2W_CANCEL, "server push declined");
  }
  if (s->goaway.sent && promised > s->goaway.last_sent) {
    return push_block(s, f, H2W_REFUSED_STREAM, "GOAWAY sent"); /* §6.8 */
  }
  /* §5.1.2: pushed streams count against our MAX_CONCURRENT_STREAMS;
   * reserved ones too, so a server cannot park unbounded promises. */
  if (s->ids.n_peer >= s->settings.peer_stream_limit) {
    return push_block(s, f, H2W_REFUSED_STREAM,
                      "MAX_CONCURRENT_STREAMS reached");
  }
  if (over_budget(s)) {
    return push_block(s, f, H2W_REFUSED_STREAM, "memory budget reached");
  }
  ps = h2w_stream_create(s, promised, 0);
  if (ps == NULL) {
    return h2w_conn_error(s, H2W_E_NOMEM, H2W_INTERNAL_ERROR, "out of memory");
  }
  h2w_stream_apply(s, ps, H2W_EV_RECV_PUSH_PROMISE);
  h2w_stream_take_slot(s, ps);
  return push_block(s, f, 0, NULL);
}

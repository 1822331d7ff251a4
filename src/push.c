/* Server push, the sending side (RFC 9113 §8.4): a PUSH_PROMISE on a
 * client's request stream reserves a new even stream for a response the
 * client did not ask for. The client's side of push (accepting or
 * declining a promise) lives with the other header blocks in
 * recv_headers.c. */
#include "cold.h"
#include "session_int.h"

/* The request stream a promise may ride on (§6.6): one the client opened,
 * open or half-closed (remote), so our side of it has not ended. */
static h2w_stream *associated(h2w_session *s, uint32_t id) {
  h2w_stream *st = h2w_stream_find(s, id);
  if (st == NULL || (st->flags & (H2W_SF_LOCAL | H2W_SF_CLOSING)) ||
      (st->state != H2W_SS_OPEN && st->state != H2W_SS_HALF_CLOSED_REMOTE)) {
    return NULL;
  }
  return st;
}

H2W_COLD int32_t h2w_session_submit_push_promise(h2w_session *s,
                                                 uint32_t stream_id,
                                                 const h2w_nv *nva, size_t n,
                                                 void *stream_user) {
  h2w_http_msg m;
  h2w_stream *assoc, *st;
  uint32_t id;
  int rv;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_submit_begin(s);
  if (n == 0 || nva == NULL) {
    return h2w_submit_refuse(
        s, n == 0 ? "no header fields" : "NULL header array", SIZE_MAX);
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  /* §8.4: only a server pushes, and only while the client allows it
   * (SETTINGS_ENABLE_PUSH, §6.5.2); §6.8: no new stream after the
   * client's GOAWAY. */
  if (!s->is_server || s->settings.remote.enable_push == 0 || s->goaway.recv) {
    return H2W_E_INVALID_STATE;
  }
  assoc = associated(s, stream_id);
  if (assoc == NULL) {
    return H2W_E_INVALID_STATE;
  }
  if (s->ids.next_local_id > H2W_LAST_STREAM_ID) {
    return H2W_E_STREAM_ID_EXHAUSTED; /* §5.1.1: never wrap */
  }
  /* §5.1.2 counts only open and half-closed streams toward the limit;
   * promising no more streams than the client allows, reserved ones
   * included, keeps pushes from piling up behind it, and a client limit
   * of 0 refuses pushes outright. A later, lower limit can still hold a
   * response back: it waits for a slot (h2w_start_queued). */
  if (s->ids.n_local + s->ids.n_reserved >=
      s->settings.remote.max_concurrent_streams) {
    return H2W_E_LIMIT;
  }
  rv = h2w_check_fields(s, H2W_HTTP_PUSH_REQUEST, nva, n, 1, &m);
  if (rv != H2W_OK) {
    return rv;
  }
  id = s->ids.next_local_id;
  st = h2w_stream_create(s, id, H2W_SF_LOCAL | H2W_SF_REPORTED);
  if (st == NULL) {
    return h2w_local_rv(s, H2W_E_NOMEM);
  }
  st->user = stream_user;
  h2w_stream_note_head(st, &m);
  rv = h2w_queue_push_promise(s, assoc, st, nva, n);
  if (rv != H2W_OK) {
    if (s->err.lib == H2W_OK) {
      h2w_stream_discard(s, st);
    }
    return h2w_local_rv(s, rv);
  }
  h2w_local_id_used(s);
  return (int32_t)id;
}

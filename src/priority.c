/* Extensible priorities (RFC 9218): the Priority field value (§4, a
 * Structured Fields dictionary with "u" urgency 0-7 and "i" incremental),
 * PRIORITY_UPDATE frames (§7.1), and the per-stream value the DATA
 * scheduler in send.c orders by. RFC 7540's priority tree is not used:
 * our preface says SETTINGS_NO_RFC7540_PRIORITIES = 1 (§2.1). */
#include <string.h>

#include "cold.h"
#include "session_int.h"

/* ---- the Priority field value (RFC 9218 §4, RFC 8941 §3.2) --------------- */

static int is_ows(char c) {
  return c == ' ' || c == '\t';
}

static int is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '*';
}

/* Skip a bare item or inner list we do not interpret (strings may hold
 * commas). Returns the index after it, or len + 1 when malformed. */
static size_t skip_value(const char *v, size_t len, size_t i) {
  int depth = 0, quoted = 0;
  for (; i < len; i++) {
    char c = v[i];
    if (quoted) {
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = 0;
      }
    } else if (c == '"') {
      quoted = 1;
    } else if (c == '(') {
      depth++;
    } else if (c == ')') {
      if (--depth < 0) {
        return len + 1;
      }
    } else if ((c == ',' || c == ';' || is_ows(c)) && depth == 0) {
      return i; /* a bare item ends here; spaces only inside lists */
    }
  }
  return quoted || depth != 0 ? len + 1 : len;
}

/* The parameters after a member (";a=1;b"): not used by RFC 9218. */
static size_t skip_params(const char *v, size_t len, size_t i) {
  while (i < len && v[i] == ';') {
    i++;
    if (i >= len || !((v[i] >= 'a' && v[i] <= 'z') || v[i] == '*')) {
      return len + 1; /* a parameter needs a key */
    }
    i = skip_value(v, len, i);
  }
  return i;
}

/* Parse the dictionary members of v[0..len) on top of *u and *inc (-1:
 * not given), which the members named "u" and "i" replace: RFC 8941 §3.2
 * keeps the last value of a repeated key, and a value RFC 9218 §4 cannot
 * use makes its parameter absent again, not the earlier value valid.
 * H2W_OK or H2W_E_PROTOCOL (not a dictionary; *u and *inc may have
 * changed). */
static int parse_members(const char *v, size_t len, int *u, int *inc) {
  size_t i = 0;
  while (i < len) {
    size_t k, klen;
    while (i < len && is_ows(v[i])) {
      i++;
    }
    k = i;
    if (i >= len || !((v[i] >= 'a' && v[i] <= 'z') || v[i] == '*')) {
      return H2W_E_PROTOCOL;
    }
    while (i < len && is_key_char(v[i])) {
      i++;
    }
    klen = i - k;
    if (i < len && v[i] == '=') {
      size_t start = ++i, end = skip_value(v, len, i);
      if (end > len) {
        return H2W_E_PROTOCOL;
      }
      /* "u" takes an integer 0-7, "i" a boolean; anything else for them
       * is ignored (§4: unknown or invalid values are). */
      if (klen == 1 && v[k] == 'u') {
        *u = end - start == 1 && v[start] >= '0' && v[start] <= '7'
                 ? v[start] - '0'
                 : -1;
      } else if (klen == 1 && v[k] == 'i') {
        *inc = end - start == 2 && v[start] == '?' &&
                       (v[start + 1] == '0' || v[start + 1] == '1')
                   ? v[start + 1] == '1'
                   : -1;
      }
      i = end;
    } else if (klen == 1 && v[k] == 'i') {
      *inc = 1; /* a bare key is boolean true (RFC 8941 §3.2) */
    } else if (klen == 1 && v[k] == 'u') {
      *u = -1; /* boolean true: not an urgency */
    }
    i = skip_params(v, len, i);
    if (i > len) {
      return H2W_E_PROTOCOL;
    }
    while (i < len && is_ows(v[i])) {
      i++;
    }
    if (i < len) {
      if (v[i] != ',') {
        return H2W_E_PROTOCOL;
      }
      i++;
      while (i < len && is_ows(v[i])) {
        i++;
      }
      if (i == len) {
        return H2W_E_PROTOCOL; /* a trailing comma */
      }
    }
  }
  return H2W_OK;
}

int h2w_priority_parse(const char *v, size_t len, int *urgency,
                       int *incremental) {
  int u = -1, inc = -1, rv;
  if ((v == NULL && len > 0) || urgency == NULL || incremental == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  rv = parse_members(v, len, &u, &inc);
  if (rv != H2W_OK) {
    u = inc = -1;
  }
  *urgency = u < 0 ? H2W_PRIORITY_DEFAULT_URGENCY : u;
  *incremental = inc < 0 ? 0 : inc;
  return rv;
}

uint8_t h2w_prio_from_field(const uint8_t *v, size_t len) {
  int u, inc;
  /* A malformed value means the defaults (§4). */
  if (h2w_priority_parse((const char *)v, len, &u, &inc) != H2W_OK) {
    return H2W_PRIO_DEFAULT;
  }
  return H2W_PRIO(u, inc);
}

/* RFC 9218 §4 is a Dictionary Structured Field: several field lines are
 * one value, the lines joined with ", " (RFC 8941 §4.2; RFC 9110 §5.3).
 * Parsing each line on top of the members of the lines before it is the
 * same as parsing the joined value, except for an empty line, which
 * joins into an empty list member: the whole field is then invalid. If
 * the combined value fails to parse, the field is ignored (RFC 8941 §4.2)
 * and the defaults apply. */
int h2w_prio_of_field(h2w_prio_lines *pl, const h2w_nv *nv, uint8_t *prio) {
  int u, inc;
  if (nv->namelen != 8 || memcmp(nv->name, "priority", 8) != 0) {
    return 0;
  }
  if (pl->lines < UINT8_MAX) {
    pl->lines++;
  }
  pl->empty = (uint8_t)(pl->empty | (nv->valuelen == 0));
  u = pl->u1 - 1;
  inc = pl->inc1 - 1;
  if (!pl->bad && parse_members((const char *)nv->value, nv->valuelen, &u,
                                &inc) == H2W_OK) {
    pl->u1 = (uint8_t)(u + 1);
    pl->inc1 = (uint8_t)(inc + 1);
  } else {
    pl->bad = 1;
  }
  if (pl->bad || (pl->empty && pl->lines > 1)) {
    *prio = H2W_PRIO_DEFAULT;
  } else {
    *prio = H2W_PRIO(pl->u1 == 0 ? H2W_PRIORITY_DEFAULT_URGENCY : pl->u1 - 1,
                     pl->inc1 == 2);
  }
  return 1;
}

/* ---- applying a priority ---------------------------------------------- */

void h2w_stream_set_prio(h2w_session *s, h2w_stream *st, uint8_t prio) {
  if (st->prio == prio) {
    return;
  }
  if (st->flags & H2W_SF_IN_DATA_RING) {
    /* Move it to its new level's ring. */
    h2w_sched_remove(s, st);
    st->prio = prio;
    h2w_sched_add(s, st);
  } else {
    st->prio = prio;
  }
}

/* Priorities for streams the client has not opened yet (RFC 9218 §7.1
 * allows PRIORITY_UPDATE before the request). Returns 0, or -1 when the
 * table is full. */
static int pending_put(h2w_session *s, uint32_t id, uint8_t prio) {
  size_t i, free_slot = H2W_PRIO_PENDING;
  for (i = 0; i < H2W_PRIO_PENDING; i++) {
    if (s->prio.pending[i].id == id) {
      s->prio.pending[i].prio = prio;
      return 0;
    }
    if (s->prio.pending[i].id == 0 && free_slot == H2W_PRIO_PENDING) {
      free_slot = i;
    }
  }
  if (free_slot == H2W_PRIO_PENDING) {
    return -1;
  }
  s->prio.pending[free_slot].id = id;
  s->prio.pending[free_slot].prio = prio;
  s->prio.any_pending = 1;
  return 0;
}

/* Notes held, and whether `id` has one. */
static uint32_t pending_count(const h2w_session *s, uint32_t id, int *has) {
  uint32_t n = 0;
  size_t i;
  *has = 0;
  for (i = 0; i < H2W_PRIO_PENDING; i++) {
    if (s->prio.pending[i].id != 0) {
      n++;
      *has |= s->prio.pending[i].id == id;
    }
  }
  return n;
}

/* The notes are there only after a PRIORITY_UPDATE for a stream not yet
 * open: out of line, so that -O3 does not unroll this loop into every
 * request's path. */
static H2W_COLD int take_pending(h2w_session *s, uint32_t id, uint8_t *prio) {
  int found = 0, left = 0;
  size_t i;
  for (i = 0; i < H2W_PRIO_PENDING; i++) {
    uint32_t pid = s->prio.pending[i].id;
    if (pid == id && id != 0) {
      *prio = s->prio.pending[i].prio;
      found = 1;
    }
    if (pid <= id) {
      /* §5.1.1: ids below one the client used can never open. */
      s->prio.pending[i].id = 0;
    } else {
      left = 1;
    }
  }
  s->prio.any_pending = (uint8_t)left;
  return found;
}

int h2w_prio_take_pending(h2w_session *s, uint32_t id, uint8_t *prio) {
  return s->prio.any_pending ? take_pending(s, id, prio) : 0;
}

H2W_COLD int h2w_recv_priority_update(h2w_session *s, const h2w_frame *f) {
  const h2w_frame_priority_update *pu = &f->u.priority_update;
  uint32_t id = pu->prioritized_stream_id;
  h2w_recv_verdict v;
  uint8_t prio;
  h2w_stream *st;
  int has;
  if (!s->is_server) {
    /* §7.1: only clients send it. */
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "PRIORITY_UPDATE sent by a server");
  }
  /* The §5.1 table knows the prioritized stream's state and initiator:
   * an idle push stream is a PROTOCOL_ERROR (§7.1), a closed one is
   * discarded (a glitch). */
  v = h2w_recv_verdict_for(s, id, H2W_FRAME_PRIORITY_UPDATE, &st);
  if (v.action != H2W_RECV_ACCEPT) {
    return h2w_recv_refuse(s, id, v,
                           "PRIORITY_UPDATE for a stream not open for it");
  }
  prio = h2w_prio_from_field(pu->value, pu->valuelen);
  if (st != NULL) {
    st->flags |= H2W_SF_PRIO_FRAME; /* the frame outranks the header */
    h2w_stream_set_prio(s, st, prio);
    return 0;
  }
  /* An idle request stream. §7.1: prioritized idle streams plus active
   * ones MUST NOT exceed our SETTINGS_MAX_CONCURRENT_STREAMS. */
  if (pending_count(s, id, &has) + (has ? 0u : 1u) + s->ids.n_peer >
      s->settings.peer_stream_limit) {
    return h2w_conn_error(s, H2W_E_PROTOCOL, H2W_PROTOCOL_ERROR,
                          "PRIORITY_UPDATE for more idle streams than "
                          "MAX_CONCURRENT_STREAMS");
  }
  if (pending_put(s, id, prio) == 0) {
    return 0;
  }
  /* Within the limit but beyond what we keep notes for: the note is
   * dropped (the stream will use its priority field), and a flood of them
   * is work for nothing. */
  return h2w_glitch(s, "too many PRIORITY_UPDATEs for unknown streams");
}

/* ---- public API -------------------------------------------------------- */

H2W_COLD int h2w_session_submit_priority_update(h2w_session *s,
                                                uint32_t stream_id,
                                                const char *value, size_t len) {
  h2w_stream *st;
  uint8_t *p;
  size_t size;
  int rv;
  if (s == NULL || stream_id == 0 || stream_id > H2W_LAST_STREAM_ID ||
      (value == NULL && len > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  if (s->is_server) {
    return H2W_E_INVALID_STATE;
  }
  size = H2W_FRAME_HD_LEN + 4 + len;
  if (size - H2W_FRAME_HD_LEN > s->settings.remote.max_frame_size) {
    return H2W_E_INVALID_ARGUMENT;
  }
  p = h2w_queue_reserve(s, size, 0, &rv);
  if (p == NULL) {
    return h2w_local_rv(s, rv);
  }
  rv =
      h2w_queue_commit(s, h2w_frame_pack_priority_update(
                              p, size, stream_id, (const uint8_t *)value, len));
  if (rv != H2W_OK) {
    return h2w_local_rv(s, rv);
  }
  st = h2w_stream_find(s, stream_id);
  if (st != NULL) {
    /* Our own request body follows the same order. */
    h2w_stream_set_prio(s, st,
                        h2w_prio_from_field((const uint8_t *)value, len));
  }
  return H2W_OK;
}

H2W_COLD int h2w_session_set_stream_priority(h2w_session *s, uint32_t stream_id,
                                             int urgency, int incremental) {
  h2w_stream *st;
  if (s == NULL || urgency < 0 || urgency > 7 ||
      (incremental != 0 && incremental != 1)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib; /* sticky: the scheduler is stopped for good */
  }
  st = h2w_stream_find(s, stream_id);
  if (st == NULL) {
    return H2W_E_INVALID_STATE;
  }
  h2w_stream_set_prio(s, st, H2W_PRIO(urgency, incremental));
  return H2W_OK;
}

H2W_COLD int h2w_session_stream_priority(const h2w_session *s,
                                         uint32_t stream_id, int *urgency,
                                         int *incremental) {
  const h2w_stream *st;
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  st = h2w_stream_find(s, stream_id);
  if (st == NULL) {
    return H2W_E_INVALID_STATE;
  }
  if (urgency != NULL) {
    *urgency = H2W_PRIO_URGENCY(st->prio);
  }
  if (incremental != NULL) {
    *incremental = H2W_PRIO_INCREMENTAL(st->prio);
  }
  return H2W_OK;
}

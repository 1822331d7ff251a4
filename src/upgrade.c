/* Starting HTTP/2 from an HTTP/1.1 Upgrade: h2c (RFC 7540 §3.2; RFC 9113
 * §3.1 deprecates it, but clients still use it). The HTTP/1.1 exchange
 * (the request with "Upgrade: h2c" and "HTTP2-Settings", the 101 answer)
 * belongs to the caller; the session gets the settings and the request's
 * stream 1, half-closed on the side that sent the request.
 *
 * docs/security.md row 19 (upgrade smuggling): an upgrade is only possible on a
 * fresh session (no stream, no input yet), a malformed HTTP2-Settings
 * leaves the session untouched, and stream 1 is half-closed (remote) on
 * the server, so frames the client sends on it are STREAM_CLOSED. */
#include <string.h>

#include "cold.h"
#include "session_int.h"

/* RFC 4648 §5: the URL- and filename-safe alphabet. */
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-') {
    return 62;
  }
  if (c == '_') {
    return 63;
  }
  return -1;
}

/* Encode without padding (RFC 7540 §3.2.1: trailing '=' omitted).
 * Returns the length, or -1 when it does not fit. */
static h2w_ssize b64url_encode(const uint8_t *in, size_t len, char *out,
                               size_t cap) {
  size_t need = len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0), i, o = 0;
  if (need > cap) {
    return -1;
  }
  for (i = 0; i + 2 < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = b64url[v >> 18];
    out[o++] = b64url[v >> 12 & 63];
    out[o++] = b64url[v >> 6 & 63];
    out[o++] = b64url[v & 63];
  }
  if (len - i == 1) {
    out[o++] = b64url[in[i] >> 2];
    out[o++] = b64url[(in[i] & 3) << 4];
  } else if (len - i == 2) {
    uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
    out[o++] = b64url[v >> 10];
    out[o++] = b64url[v >> 4 & 63];
    out[o++] = b64url[(v & 15) << 2];
  }
  return (h2w_ssize)o;
}

/* Decode strictly: alphabet only, optional correct '=' padding, unused
 * low bits zero (one spelling per payload). Returns the decoded length or
 * -1 (malformed) / -2 (does not fit). */
static h2w_ssize b64url_decode(const char *in, size_t len, uint8_t *out,
                               size_t cap) {
  size_t i, o = 0, pad = 0;
  uint32_t acc = 0;
  unsigned bits = 0;
  while (len > 0 && in[len - 1] == '=' && pad < 2) {
    len--;
    pad++;
  }
  if (len % 4 == 1 || (pad > 0 && (len + pad) % 4 != 0)) {
    return -1;
  }
  for (i = 0; i < len; i++) {
    int v = b64url_value(in[i]);
    if (v < 0) {
      return -1;
    }
    acc = (acc << 6 | (uint32_t)v) & 0xffffffu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o == cap) {
        return -2;
      }
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1u)) != 0) {
    return -1;
  }
  return (h2w_ssize)o;
}

/* Most entries an HTTP2-Settings value may carry here. */
#define H2W_UPGRADE_MAX_ENTRIES 64

H2W_COLD h2w_ssize h2w_http2_settings_encode(const h2w_settings_entry *iv,
                                             size_t n, char *out, size_t cap) {
  uint8_t frame[H2W_FRAME_HD_LEN +
                H2W_SETTINGS_ENTRY_LEN * H2W_UPGRADE_MAX_ENTRIES];
  h2w_ssize r;
  if ((iv == NULL && n > 0) || (out == NULL && cap > 0) ||
      n > H2W_UPGRADE_MAX_ENTRIES) {
    return H2W_E_INVALID_ARGUMENT;
  }
  /* The frame codec writes the payload; the value is its base64url. */
  r = h2w_frame_pack_settings(frame, sizeof(frame), 0, iv, n);
  if (r < 0) {
    return r;
  }
  r = b64url_encode(frame + H2W_FRAME_HD_LEN, (size_t)r - H2W_FRAME_HD_LEN, out,
                    cap);
  return r < 0 ? H2W_E_BUFFER_TOO_SMALL : r;
}

H2W_COLD h2w_ssize h2w_http2_settings_decode(const char *in, size_t len,
                                             h2w_settings_entry *iv,
                                             size_t cap) {
  uint8_t payload[H2W_SETTINGS_ENTRY_LEN * H2W_UPGRADE_MAX_ENTRIES];
  h2w_frame_settings fs;
  h2w_settings_entry e;
  h2w_frame_iter it;
  h2w_settings check;
  uint32_t code;
  size_t n = 0;
  h2w_ssize r;
  if ((in == NULL && len > 0) || (iv == NULL && cap > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  r = b64url_decode(in, len, payload, sizeof(payload));
  if (r == -2) {
    return H2W_E_BUFFER_TOO_SMALL; /* more than 64 entries */
  }
  if (r < 0 || r % H2W_SETTINGS_ENTRY_LEN != 0) {
    return H2W_E_PROTOCOL; /* §3.2.1: a SETTINGS payload, whole entries */
  }
  if ((size_t)r / H2W_SETTINGS_ENTRY_LEN > cap) {
    return H2W_E_BUFFER_TOO_SMALL;
  }
  fs.entries = payload;
  fs.nentries = (size_t)r / H2W_SETTINGS_ENTRY_LEN;
  h2w_frame_iter_settings(&it, &fs);
  h2w_settings_init(&check);
  while (h2w_frame_settings_next(&it, &e)) {
    /* Values a client may send (the sender of HTTP2-Settings is always
     * the client). */
    if (h2w_settings_check(&check, e.id, e.value, 0, &code) != H2W_OK) {
      return H2W_E_PROTOCOL;
    }
    h2w_settings_set(&check, e.id, e.value);
    iv[n++] = e;
  }
  return (h2w_ssize)n;
}

H2W_COLD h2w_ssize h2w_session_upgrade_settings(h2w_session *s, char *out,
                                                size_t cap) {
  h2w_settings_entry iv[H2W_PREFACE_SETTINGS_MAX];
  if (s == NULL || s->is_server) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return h2w_http2_settings_encode(iv, h2w_preface_settings(s, iv), out, cap);
}

/* The server side: the client's settings as if from a SETTINGS frame
 * (acknowledged by the 101 itself, §3.2.1), then the request's stream. */
static int upgrade_server(h2w_session *s, const char *value, size_t len,
                          h2w_stream **out) {
  h2w_settings_entry iv[H2W_UPGRADE_MAX_ENTRIES];
  h2w_ssize n;
  int rv;
  if (value == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  n = h2w_http2_settings_decode(value, len, iv, H2W_UPGRADE_MAX_ENTRIES);
  if (n == H2W_E_BUFFER_TOO_SMALL ||
      n > (h2w_ssize)s->opt.max_settings_entries) {
    return H2W_E_PROTOCOL; /* docs/security.md row 2 applies here too */
  }
  if (n < 0) {
    return (int)n;
  }
  *out = h2w_stream_create(s, 1, H2W_SF_REPORTED | H2W_SF_FINAL_RECV);
  if (*out == NULL) {
    return h2w_local_rv(s, H2W_E_NOMEM);
  }
  /* Applied in order like a SETTINGS frame's entries (RFC 9113 §6.5.3);
   * an INITIAL_WINDOW_SIZE moves the new stream's send window too. */
  rv = h2w_settings_upgrade_remote(s, iv, (size_t)n);
  if (rv < 0) {
    return rv;
  }
  h2w_stream_apply(s, *out, H2W_EV_RECV_HEADERS);
  h2w_stream_apply(s, *out, H2W_EV_RECV_END_STREAM);
  h2w_peer_id_used(s, 1);
  return H2W_OK;
}

static int upgrade_client(h2w_session *s, const char *value, size_t len,
                          h2w_stream **out) {
  h2w_settings_entry iv[H2W_UPGRADE_MAX_ENTRIES];
  if (value != NULL) {
    /* Our own settings, which the preface repeats: only checked, so a
     * caller that sent a malformed header learns it here. */
    h2w_ssize n =
        h2w_http2_settings_decode(value, len, iv, H2W_UPGRADE_MAX_ENTRIES);
    if (n < 0) {
      return n == H2W_E_BUFFER_TOO_SMALL ? H2W_E_PROTOCOL : (int)n;
    }
  }
  h2w_settings_upgrade_local(s); /* §3.2.1: the 101 acknowledged them */
  /* The request went out over HTTP/1.1 (RFC 7540 §3.2). */
  *out = h2w_stream_create(s, 1,
                           H2W_SF_LOCAL | H2W_SF_REPORTED | H2W_SF_FINAL_SENT |
                               H2W_SF_HEADERS_OUT);
  if (*out == NULL) {
    return h2w_local_rv(s, H2W_E_NOMEM);
  }
  h2w_stream_apply(s, *out, H2W_EV_SEND_HEADERS);
  h2w_stream_apply(s, *out, H2W_EV_SEND_END_STREAM);
  h2w_local_id_used(s); /* 1 -> 3 */
  return H2W_OK;
}

H2W_COLD int h2w_session_upgrade(h2w_session *s, const char *http2_settings,
                                 size_t len, int head_request,
                                 void *stream_user_data) {
  h2w_stream *st = NULL;
  int rv;
  if (s == NULL || (http2_settings == NULL && len > 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->depth != 0) {
    return H2W_E_INVALID_STATE; /* from a callback (h2wire.h, Reentrancy) */
  }
  if (s->err.lib != H2W_OK) {
    return s->err.lib;
  }
  /* Only a fresh session: no input, no stream ever (row 19). */
  if (s->in_total != 0 || s->map.len != 0 || s->ids.last_peer_id != 0 ||
      s->goaway.sent || s->goaway.recv || s->goaway.shutdown ||
      s->ids.next_local_id != (s->is_server ? 2u : 1u) ||
      s->ss.rq.head != NULL) {
    return H2W_E_INVALID_STATE;
  }
  rv = s->is_server ? upgrade_server(s, http2_settings, len, &st)
                    : upgrade_client(s, http2_settings, len, &st);
  if (rv != H2W_OK) {
    if (st != NULL && s->err.lib == H2W_OK) {
      h2w_stream_discard(s, st);
    }
    return rv;
  }
  st->user = stream_user_data;
  if (head_request) {
    st->flags |= H2W_SF_HEAD; /* §8.1.1: the response has no content */
  }
  return H2W_OK;
}

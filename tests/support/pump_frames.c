/* Session test harness, second half: the session's output parsed back into
 * frames (one summary line each), the fake peer's input, and bodies. The
 * parser is written from RFC 9113 §4.1/§6 directly, independent of
 * src/frame*.c, so that it checks the session's encoder rather than
 * trusting it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pump.h"
#include "pump_int.h"

static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define MAGIC_LEN 24u

const char *tframe_type_name(uint8_t type) {
  static const char *const names[] = {
      "DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
      "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION"};
  static char other[8];
  if (type < sizeof names / sizeof names[0]) {
    return names[type];
  }
  snprintf(other, sizeof other, "0x%02x", (unsigned)type);
  return other;
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* ---- summaries
 * --------------------------------------------------------------- */

static int collect_field(void *user, const h2w_nv *nv) {
  tstr *t = user;
  tstr_add(t, " ", 1);
  tstr_add(t, (const char *)nv->name, nv->namelen);
  tstr_add(t, "=", 1);
  tstr_add(t, (const char *)nv->value, nv->valuelen);
  return 0;
}

/* Decode a header block fragment of the session's output; with
 * END_HEADERS, append the block's fields to the line. */
static void block(tpeer *p, char *line, size_t cap, const uint8_t *frag,
                  size_t n, int end) {
  int rv;
  size_t off;
  if (p->dec == NULL) {
    assert_int_equal(h2w_hpack_decoder_new(&p->dec, NULL), H2W_OK);
  }
  rv = h2w_hpack_decode(p->dec, frag, n, end ? H2W_HPACK_FINAL : 0,
                        collect_field, &p->fields);
  off = strlen(line);
  if (rv != H2W_OK) {
    snprintf(line + off, cap - off, " <hpack %s>", h2w_error_name(rv));
    tstr_clear(&p->fields);
    return;
  }
  if (end) {
    snprintf(line + off, cap - off, "%.*s", (int)p->fields.len,
             p->fields.buf ? p->fields.buf : "");
    tstr_clear(&p->fields);
  }
}

static void flag_words(char *line, size_t cap, uint8_t type, uint8_t flags) {
  size_t off = strlen(line);
  int es = (type == 0 || type == 1) && (flags & 0x1);
  int eh = (type == 1 || type == 5 || type == 9) && (flags & 0x4);
  int pad = (type == 0 || type == 1 || type == 5) && (flags & 0x8);
  int prio = type == 1 && (flags & 0x20);
  snprintf(line + off, cap - off, "%s%s%s%s", es ? " es" : "", eh ? " eh" : "",
           pad ? " padded" : "", prio ? " prio" : "");
}

/* The header block fragment of HEADERS/PUSH_PROMISE (RFC 9113 §6.2, §6.6):
 * skip the pad length, priority or promised id, drop the padding. */
static int fragment(uint8_t type, uint8_t flags, const uint8_t **pl,
                    size_t *n) {
  size_t pad = 0, skip = 0;
  if (type != 9 && (flags & 0x8)) {
    if (*n < 1) {
      return -1;
    }
    pad = (*pl)[0];
    skip = 1;
  }
  skip += type == 1 && (flags & 0x20) ? 5 : 0;
  skip += type == 5 ? 4 : 0;
  if (*n < skip + pad) {
    return -1;
  }
  *pl += skip;
  *n -= skip + pad;
  return 0;
}

static void summarize_control(char *line, size_t cap, uint8_t type,
                              uint8_t flags, const uint8_t *pl, size_t n) {
  size_t off = strlen(line), i;
  if (type == 3 && n == 4) {
    snprintf(line + off, cap - off, " %s", h2w_http2_error_name(get32(pl)));
  } else if (type == 4) {
    snprintf(line + off, cap - off, "%s", (flags & 1) ? " ack" : "");
    for (i = 0; i + 6 <= n; i += 6) {
      off = strlen(line);
      snprintf(line + off, cap - off, " %u:%u",
               (unsigned)pl[i] << 8 | (unsigned)pl[i + 1], get32(pl + i + 2));
    }
  } else if (type == 6 && n == 8) {
    snprintf(line + off, cap - off, "%s %08x%08x", (flags & 1) ? " ack" : "",
             get32(pl), get32(pl + 4));
  } else if (type == 7 && n >= 8) {
    snprintf(line + off, cap - off, " last=%u %s%s%.*s",
             get32(pl) & 0x7fffffffu, h2w_http2_error_name(get32(pl + 4)),
             n > 8 ? " debug=" : "", (int)(n - 8), (const char *)pl + 8);
  } else if (type == 8 && n == 4) {
    snprintf(line + off, cap - off, " %u", get32(pl) & 0x7fffffffu);
  } else if (type == 2 && n == 5) {
    snprintf(line + off, cap - off, " dep=%u", get32(pl) & 0x7fffffffu);
  } else {
    snprintf(line + off, cap - off, " len=%zu", n);
  }
}

/* Consecutive DATA frames of one stream are summarized as one line with
 * their total (the session may cut DATA to fit the caller's buffer, so
 * frame boundaries depend on the split mode). Returns the octets of the
 * line taken back, 0 if the last line is not a mergeable DATA line. */
static size_t merge_data(tpeer *p, uint32_t id) {
  char want[32], *last;
  size_t n, prev = 0;
  char rest = 0;
  if (p->frames.len == 0 || p->keep_data_frames) {
    return 0;
  }
  n = (size_t)snprintf(want, sizeof want, "DATA %u ", id);
  last = p->frames.buf + p->frames.len - 1;
  while (last > p->frames.buf && last[-1] != '\n') {
    last--;
  }
  /* Only a plain line ("DATA <id> <n>", no flags) can grow. */
  if (strncmp(last, want, n) != 0 ||
      sscanf(last + n, "%zu%c", &prev, &rest) != 2 || rest != '\n') {
    return 0;
  }
  p->frames.len = (size_t)(last - p->frames.buf);
  p->frames.buf[p->frames.len] = '\0';
  return prev;
}

/* One summary line per frame: "<TYPE> <stream> ..." except for the
 * connection-only types, which carry no stream id on the line. */
static void summarize(tpeer *p, uint8_t type, uint8_t flags, uint32_t id,
                      const uint8_t *pl, size_t n) {
  char line[4096];
  int conn = type == 4 || type == 6 || type == 7;
  if (conn && id == 0) {
    snprintf(line, sizeof line, "%s", tframe_type_name(type));
  } else {
    snprintf(line, sizeof line, "%s %u", tframe_type_name(type), id);
  }
  if (type == 0) {
    size_t off = strlen(line);
    snprintf(line + off, sizeof line - off, " %zu", n + merge_data(p, id));
    flag_words(line, sizeof line, type, flags);
  } else if (type == 1 || type == 5 || type == 9) {
    if (type == 5 && n >= 4 + ((flags & 0x8) ? 1u : 0u)) {
      size_t off = strlen(line);
      snprintf(line + off, sizeof line - off, " promised=%u",
               get32(pl + ((flags & 0x8) ? 1 : 0)) & 0x7fffffffu);
    }
    flag_words(line, sizeof line, type, flags);
    if (fragment(type, flags, &pl, &n) == 0) {
      block(p, line, sizeof line, pl, n, (flags & 0x4) != 0);
    }
  } else {
    summarize_control(line, sizeof line, type, flags, pl, n);
  }
  tstr_line(&p->frames, line);
}

void tpeer_parse_out(tpeer *p) {
  size_t pos = 0;
  (void)tpeer_read_out(p);
  if (!p->is_server && !p->preface_seen && p->outlen >= MAGIC_LEN) {
    /* RFC 9113 §3.4: the client preface starts with the magic. */
    if (memcmp(p->out, magic, MAGIC_LEN) != 0) {
      fail_msg("client output does not start with the preface magic");
    }
    p->preface_seen = 1;
    pos = MAGIC_LEN;
    tstr_line(&p->frames, "PREFACE");
  }
  while (p->outlen - pos >= 9) {
    const uint8_t *h = p->out + pos;
    size_t len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
    if (p->outlen - pos - 9 < len) {
      break;
    }
    summarize(p, h[3], h[4], get32(h + 5) & 0x7fffffffu, h + 9, len);
    pos += 9 + len;
  }
  if (pos > 0) { /* p->out may still be NULL when nothing was read */
    memmove(p->out, p->out + pos, p->outlen - pos);
    p->outlen -= pos;
  }
}

void tpeer_expect_out(tpeer *p, const char *file, int line,
                      const char *const *lines) {
  tpeer_parse_out(p);
  texpect_lines(&p->frames, p->is_server ? "server output" : "client output",
                file, line, lines);
}

/* ---- the fake peer's input
 * ---------------------------------------------------- */

size_t tnv(h2w_nv *out, size_t max, const char *const *fields) {
  size_t n = 0;
  while (fields[2 * n] != NULL && n < max) {
    out[n].name = (const uint8_t *)fields[2 * n];
    out[n].namelen = strlen(fields[2 * n]);
    out[n].value = (const uint8_t *)fields[2 * n + 1];
    out[n].valuelen = strlen(fields[2 * n + 1]);
    out[n].flags = 0;
    n++;
  }
  return n;
}

size_t tpeer_block(tpeer *p, uint8_t *out, size_t cap,
                   const char *const *fields) {
  h2w_nv nv[64];
  size_t n = tnv(nv, 64, fields);
  h2w_ssize len;
  if (p->enc == NULL) {
    assert_int_equal(h2w_hpack_encoder_new(&p->enc, NULL), H2W_OK);
  }
  len = h2w_hpack_encode(p->enc, out, cap, nv, n);
  assert_true(len >= 0);
  return (size_t)len;
}

void tpeer_fb_headers(tpeer *p, h2w_fb *b, uint32_t id, uint32_t flags,
                      const char *const *fields) {
  uint8_t buf[8192];
  size_t n = tpeer_block(p, buf, sizeof buf, fields);
  h2w_fb_headers(b, id, flags | 0x4u, buf, n);
}

void tfb_client_preface(h2w_fb *b, const h2w_settings_entry *iv, size_t n) {
  h2w_fb_bytes(b, magic, MAGIC_LEN);
  h2w_fb_settings(b, 0, iv, n);
}

static int frames_have(const tpeer *p, const char *pattern) {
  const char *s = p->frames.buf ? p->frames.buf : "";
  while (*s != '\0') {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    if (tline_match(pattern, s, n)) {
      return 1;
    }
    s += nl ? n + 1 : n;
  }
  return 0;
}

int tpeer_out_has(tpeer *p, const char *pattern) {
  tpeer_parse_out(p);
  return frames_have(p, pattern);
}

void tpeer_out_clear(tpeer *p) {
  tpeer_parse_out(p);
  tstr_clear(&p->frames);
}

void tpeer_handshake(tpeer *p) {
  h2w_fb b;
  const char *first;
  h2w_fb_init(&b);
  if (p->is_server) {
    tfb_client_preface(&b, NULL, 0);
  } else {
    h2w_fb_settings(&b, 0, NULL, 0);
  }
  assert_int_equal(tpeer_feed_fb(p, &b), (h2w_ssize)b.len);
  tpeer_parse_out(p);
  first = p->frames.buf ? p->frames.buf : "";
  if (!p->is_server) {
    assert_true(strncmp(first, "PREFACE\n", 8) == 0);
    first += 8;
  }
  assert_true(strncmp(first, "SETTINGS", 8) == 0 &&
              strncmp(first, "SETTINGS ack", 12) != 0);
  assert_true(frames_have(p, "SETTINGS ack"));
  /* Acknowledge the session's SETTINGS. */
  h2w_fb_clear(&b);
  h2w_fb_settings(&b, 0x1, NULL, 0);
  assert_int_equal(tpeer_feed_fb(p, &b), (h2w_ssize)b.len);
  h2w_fb_free(&b);
  assert_true(tpeer_log_has(p, "settings_ack"));
  tpeer_parse_out(p);
  tstr_clear(&p->frames);
  tpeer_log_clear(p);
}

/* ---- bodies
 * ------------------------------------------------------------------- */

void tpattern(uint8_t *buf, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    buf[i] = (uint8_t)((i * 131u + (i >> 8) * 7u + 1u) & 0xffu);
  }
}

int tpattern_check(const uint8_t *buf, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    if (buf[i] != (uint8_t)((i * 131u + (i >> 8) * 7u + 1u) & 0xffu)) {
      return 0;
    }
  }
  return 1;
}

const uint8_t *tpeer_body(const tpeer *p, uint32_t id, size_t *len) {
  size_t i;
  for (i = 0; i < p->nbodies; i++) {
    if (p->bodies[i].id == id) {
      *len = p->bodies[i].len;
      return p->bodies[i].buf;
    }
  }
  *len = 0;
  return NULL;
}

static h2w_ssize src_read(h2w_session *s, uint32_t id, uint8_t *buf, size_t len,
                          uint32_t *flags, void *user) {
  tsrc *src = user;
  size_t n = src->len - src->off;
  (void)s;
  (void)id;
  src->reads++;
  if (src->fail != 0) {
    return src->fail;
  }
  if (src->defer_at != 0 && !src->deferred && src->off >= src->defer_at) {
    src->deferred = 1;
    return H2W_E_DEFERRED;
  }
  if (src->defer_at != 0 && !src->deferred && src->defer_at - src->off < n) {
    n = src->defer_at - src->off;
  }
  if (src->max_read != 0 && n > src->max_read) {
    n = src->max_read;
  }
  n = n < len ? n : len;
  if (src->no_copy) {
    *flags |= H2W_DATA_FLAG_NO_COPY;
  } else if (n != 0) {
    memcpy(buf, src->data + src->off, n);
  }
  src->off += n;
  if (src->off == src->len) {
    *flags |= H2W_DATA_FLAG_EOF;
    if (src->trailers) {
      *flags |= H2W_DATA_FLAG_NO_END_STREAM;
    }
  }
  src->last_len = (uint32_t)n;
  return (h2w_ssize)n;
}

/* NO_COPY: the payload of the last read goes straight into the output. */
static int src_write(h2w_session *s, uint32_t id, uint8_t *dst, size_t len,
                     void *user) {
  tsrc *src = user;
  (void)s;
  (void)id;
  src->writes++;
  assert_int_equal(len, src->last_len);
  assert_true(len <= src->off);
  memcpy(dst, src->data + src->off - len, len);
  return 0;
}

tsrc *tpeer_source(tpeer *p, const void *data, size_t len) {
  tsrc *src = calloc(1, sizeof *src);
  if (src == NULL || (src->data = malloc(len ? len : 1)) == NULL) {
    abort();
  }
  if (data != NULL) {
    memcpy(src->data, data, len);
  } else {
    tpattern(src->data, len);
  }
  src->len = len;
  src->next = p->sources;
  p->sources = src;
  return src;
}

h2w_data_source tsrc_ds(tsrc *src) {
  h2w_data_source ds;
  ds.read = src_read;
  ds.write = src_write;
  ds.user = src;
  return ds;
}

void tsrc_free_all(tpeer *p) {
  while (p->sources != NULL) {
    tsrc *next = p->sources->next;
    free(p->sources->data);
    free(p->sources);
    p->sources = next;
  }
}

int32_t tpeer_request(tpeer *c, const char *const *fields, tsrc *body) {
  h2w_nv nv[64];
  size_t n = tnv(nv, 64, fields);
  h2w_data_source ds;
  int32_t id;
  if (body != NULL) {
    ds = tsrc_ds(body);
  }
  id = h2w_session_submit_request(c->s, nv, n, body ? &ds : NULL, NULL);
  if (id <= 0) {
    fail_msg("submit_request: %s", h2w_error_name(id));
  }
  return id;
}

void tpeer_respond(tpeer *s, uint32_t id, const char *const *fields,
                   tsrc *body) {
  h2w_nv nv[64];
  size_t n = tnv(nv, 64, fields);
  h2w_data_source ds;
  int rv;
  if (body != NULL) {
    ds = tsrc_ds(body);
  }
  rv = h2w_session_submit_response(s->s, id, nv, n, body ? &ds : NULL);
  if (rv != H2W_OK) {
    fail_msg("submit_response %u: %s", id, h2w_error_name(rv));
  }
}

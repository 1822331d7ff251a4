/* The server side of a call: one request stream, its messages, and the
 * response. Every request message is answered by one reply message (the
 * usual unary call carries exactly one); the reply messages go out after
 * the request ended, followed by trailers with grpc-status 0. A call that
 * fails gets a trailers-only response instead: a single HEADERS frame
 * with :status 200, grpc-status and grpc-message, and END_STREAM. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc.h"
#include "util.h"

#define SERVICE "/pkg.Service/"

enum method { M_NONE, M_ECHO, M_UPPER };

struct gs_call {
  gs_call *prev, *next;
  gs_call **head;
  uint32_t id;
  int method;
  int is_post;
  int grpc_type;     /* content-type application/grpc[+x|;x] */
  int answered;      /* a response was submitted */
  char path[256];    /* :path, cut short if longer (only for messages) */
  uint64_t received; /* request body octets */
  gw_reader rd;
  gw_buf out; /* framed reply messages */
  size_t out_off;
};

static gs_call *call_of(h2w_session *s, uint32_t id) {
  return h2w_session_get_stream_user_data(s, id);
}

static int is_name(const h2w_nv *nv, const char *name) {
  size_t n = strlen(name);
  return nv->namelen == n && memcmp(nv->name, name, n) == 0;
}

/* gRPC content types: "application/grpc" alone or followed by "+format"
 * or ";parameters". */
static int grpc_content_type(const uint8_t *v, size_t len) {
  static const char ct[] = "application/grpc";
  size_t n = sizeof ct - 1;
  return len >= n && memcmp(v, ct, n) == 0 &&
         (len == n || v[n] == '+' || v[n] == ';');
}

static void release(gs_call *c) {
  gw_reader_free(&c->rd);
  gw_buf_free(&c->out);
}

/* A trailers-only response carrying `code` and a percent-encoded
 * grpc-message. */
static int answer_status(h2w_session *s, gs_call *c, int code,
                         const char *msg) {
  char num[8], enc[384];
  snprintf(num, sizeof num, "%d", code);
  gw_pct_encode((const uint8_t *)msg, strlen(msg), enc, sizeof enc);
  h2w_nv nv[4];
  nv[0] = ex_nvs(":status", "200");
  nv[1] = ex_nvs("content-type", "application/grpc");
  nv[2] = ex_nvs("grpc-status", num);
  nv[3] = ex_nvs("grpc-message", enc);
  c->answered = 1;
  release(c);
  return h2w_session_submit_response(s, c->id, nv, 4, NULL);
}

/* Not a gRPC request at all: a plain HTTP answer with no body. */
static int answer_http(h2w_session *s, gs_call *c, const char *status) {
  h2w_nv nv[2];
  nv[0] = ex_nvs(":status", status);
  nv[1] = ex_nvs("allow", "POST");
  c->answered = 1;
  release(c);
  size_t n = strcmp(status, "405") == 0 ? 2 : 1; /* RFC 9110 §15.5.6 */
  return h2w_session_submit_response(s, c->id, nv, n, NULL);
}

static h2w_ssize reply_read(h2w_session *s, uint32_t id, uint8_t *buf,
                            size_t len, uint32_t *flags, void *user) {
  gs_call *c = user;
  size_t n = c->out.len - c->out_off;
  (void)s;
  (void)id;
  n = n < len ? n : len;
  memcpy(buf, c->out.p + c->out_off, n);
  c->out_off += n;
  if (c->out_off == c->out.len) {
    /* The trailers end the stream (submitted with the response). */
    *flags |= H2W_DATA_FLAG_EOF | H2W_DATA_FLAG_NO_END_STREAM;
  }
  return (h2w_ssize)n;
}

/* The request ended well: the reply messages, then grpc-status 0. */
static int answer_ok(h2w_session *s, gs_call *c) {
  h2w_nv nv[2];
  nv[0] = ex_nvs(":status", "200");
  nv[1] = ex_nvs("content-type", "application/grpc");
  h2w_data_source src;
  src.read = reply_read;
  src.write = NULL;
  src.user = c;
  c->answered = 1;
  int rv = h2w_session_submit_response(s, c->id, nv, 2, &src);
  if (rv != H2W_OK) {
    return rv;
  }
  h2w_nv tr = ex_nvs("grpc-status", "0");
  return h2w_session_submit_trailers(s, c->id, &tr, 1);
}

static int lookup_method(gs_call *c) {
  size_t n = sizeof SERVICE - 1;
  if (strncmp(c->path, SERVICE, n) != 0) {
    return M_NONE;
  }
  const char *m = c->path + n;
  return strcmp(m, "Echo") == 0    ? M_ECHO
         : strcmp(m, "Upper") == 0 ? M_UPPER
                                   : M_NONE;
}

/* One request message: its reply is appended to the call's output. */
static int on_message(void *user, const uint8_t *msg, size_t len) {
  gs_call *c = user;
  size_t start = c->out.len + GW_PREFIX_LEN;
  if (gw_append_msg(&c->out, msg, len) != 0) {
    return GW_E_NOMEM;
  }
  for (size_t i = start; c->method == M_UPPER && i < c->out.len; i++) {
    uint8_t ch = c->out.p[i];
    c->out.p[i] = ch >= 'a' && ch <= 'z' ? (uint8_t)(ch - 'a' + 'A') : ch;
  }
  return 0;
}

/* A framing error of the request body, as the status the call ends with.
 * A compressed message cannot be read: no grpc-encoding was agreed. */
static int framing_error(h2w_session *s, gs_call *c, int err) {
  switch (err) {
  case GW_E_TOO_BIG:
    return answer_status(s, c, GW_RESOURCE_EXHAUSTED,
                         "request message larger than 4194304 octets");
  case GW_E_NOMEM:
    return answer_status(s, c, GW_RESOURCE_EXHAUSTED, "out of memory");
  case GW_E_COMPRESSED:
    return answer_status(s, c, GW_INTERNAL,
                         "compressed message without grpc-encoding");
  case GW_E_FLAG:
    return answer_status(s, c, GW_INTERNAL,
                         "invalid compressed-flag octet in message prefix");
  default:
    return answer_status(s, c, GW_INTERNAL,
                         "request body ends inside a message");
  }
}

static int on_begin_headers(h2w_session *s, uint32_t id, int kind, void *user) {
  gs_call **head = user;
  if (kind != H2W_HEADERS_REQUEST) {
    return 0;
  }
  gs_call *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return h2w_session_submit_rst_stream(s, id, H2W_REFUSED_STREAM);
  }
  c->id = id;
  c->head = head;
  gw_reader_init(&c->rd, GS_MAX_MSG);
  c->next = *head;
  if (*head != NULL) {
    (*head)->prev = c;
  }
  *head = c;
  return h2w_session_set_stream_user_data(s, id, c);
}

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  gs_call *c = call_of(s, id);
  (void)user;
  if (c == NULL || c->answered) {
    return 0;
  }
  if (is_name(nv, ":method")) {
    c->is_post = nv->valuelen == 4 && memcmp(nv->value, "POST", 4) == 0;
  } else if (is_name(nv, ":path")) {
    size_t n =
        nv->valuelen < sizeof c->path ? nv->valuelen : sizeof c->path - 1;
    memcpy(c->path, nv->value, n);
    c->path[n] = '\0';
  } else if (is_name(nv, "content-type")) {
    c->grpc_type = grpc_content_type(nv->value, nv->valuelen);
  }
  return 0;
}

/* The request headers are complete: refuse what is not a call we serve
 * before any message arrives. gRPC answers a wrong content type with
 * HTTP 415 and an unknown method with UNIMPLEMENTED. */
static int on_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                      void *user) {
  gs_call *c = call_of(s, id);
  char why[320];
  (void)end_stream;
  (void)user;
  if (c == NULL || kind != H2W_HEADERS_REQUEST || c->answered) {
    return 0;
  }
  if (!c->is_post) {
    return answer_http(s, c, "405");
  }
  if (!c->grpc_type) {
    return answer_http(s, c, "415");
  }
  c->method = lookup_method(c);
  if (c->method == M_NONE) {
    snprintf(why, sizeof why, "unknown method %s", c->path);
    return answer_status(s, c, GW_UNIMPLEMENTED, why);
  }
  return 0;
}

static int on_data(h2w_session *s, uint32_t id, const uint8_t *data, size_t len,
                   void *user) {
  gs_call *c = call_of(s, id);
  (void)user;
  if (c == NULL || c->answered) {
    return 0; /* the rest of a refused request is dropped */
  }
  c->received += len;
  if (c->received > GS_MAX_BODY) {
    return answer_status(s, c, GW_RESOURCE_EXHAUSTED,
                         "request body larger than 8388608 octets");
  }
  int rv = gw_reader_feed(&c->rd, data, len, on_message, c);
  return rv != 0 ? framing_error(s, c, rv) : 0;
}

static int on_stream_end(h2w_session *s, uint32_t id, void *user) {
  gs_call *c = call_of(s, id);
  (void)user;
  if (c == NULL || c->answered) {
    return 0;
  }
  int rv = gw_reader_end(&c->rd);
  if (rv != 0) {
    return framing_error(s, c, rv);
  }
  if (c->rd.count == 0) {
    return answer_status(s, c, GW_INTERNAL, "no request message");
  }
  return answer_ok(s, c);
}

static void unlink_call(gs_call *c) {
  if (c->prev != NULL) {
    c->prev->next = c->next;
  } else {
    *c->head = c->next;
  }
  if (c->next != NULL) {
    c->next->prev = c->prev;
  }
  release(c);
  free(c);
}

static int on_stream_close(h2w_session *s, uint32_t id, uint32_t code,
                           uint32_t flags, void *user) {
  gs_call *c = call_of(s, id);
  (void)code;
  (void)flags;
  (void)user;
  if (c != NULL) {
    h2w_session_set_stream_user_data(s, id, NULL);
    unlink_call(c);
  }
  return 0;
}

void gs_call_free_all(gs_call **head) {
  while (*head != NULL) {
    unlink_call(*head);
  }
}

int gs_call_callbacks(h2w_callbacks **out) {
  h2w_callbacks *cb;
  int rv = h2w_callbacks_new(&cb, NULL);
  if (rv != H2W_OK) {
    return rv;
  }
  h2w_callbacks_set_on_begin_headers(cb, on_begin_headers);
  h2w_callbacks_set_on_header(cb, on_header);
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_data(cb, on_data);
  h2w_callbacks_set_on_stream_end(cb, on_stream_end);
  h2w_callbacks_set_on_stream_close(cb, on_stream_close);
  *out = cb;
  return H2W_OK;
}

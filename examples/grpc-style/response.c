/* The client session of grpc-style: the request, the response's header
 * blocks and messages, and the call's outcome. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "util.h"

int gc_parse_url(const char *url, gcli *c) {
  uint64_t port;
  const char *p = url;
  if (strncmp(p, "http://", 7) != 0) {
    fprintf(stderr, "grpc-style: %s: only http:// URLs (h2c)\n", url);
    return -1;
  }
  p += 7;
  size_t hlen = strcspn(p, ":/");
  size_t plen = p[hlen] == ':' ? strcspn(p + hlen + 1, "/") : 0;
  const char *path = p + hlen + (p[hlen] == ':' ? plen + 1 : 0);
  if (hlen == 0 || hlen >= sizeof c->host || *path != '/' ||
      strlen(path) >= sizeof c->path ||
      (p[hlen] == ':' && ex_parse_u64(p + hlen + 1, plen, 65535, &port) != 0)) {
    fprintf(stderr, "grpc-style: %s: want http://HOST[:PORT]/Service/Method\n",
            url);
    return -1;
  }
  memcpy(c->host, p, hlen);
  c->host[hlen] = '\0';
  c->port = p[hlen] == ':' ? (unsigned)port : 80u;
  snprintf(c->authority, sizeof c->authority, "%s:%u", c->host, c->port);
  snprintf(c->path, sizeof c->path, "%s", path);
  return 0;
}

static int is_name(const h2w_nv *nv, const char *name) {
  size_t n = strlen(name);
  return nv->namelen == n && memcmp(nv->name, name, n) == 0;
}

static int on_begin_headers(h2w_session *s, uint32_t id, int kind, void *user) {
  gcli *c = user;
  (void)s;
  (void)id;
  c->kind = kind;
  c->blk_http = 0;
  c->blk_grpc = -1;
  c->blk_ct = 0;
  c->blk_msg[0] = '\0';
  return 0;
}

static int on_header(h2w_session *s, uint32_t id, const h2w_nv *nv,
                     void *user) {
  gcli *c = user;
  uint64_t v;
  static const char ct[] = "application/grpc";
  (void)s;
  (void)id;
  if (is_name(nv, ":status") &&
      ex_parse_u64((const char *)nv->value, nv->valuelen, 999, &v) == 0) {
    c->blk_http = (int)v;
  } else if (is_name(nv, "content-type")) {
    size_t n = sizeof ct - 1;
    c->blk_ct =
        nv->valuelen >= n && memcmp(nv->value, ct, n) == 0 &&
        (nv->valuelen == n || nv->value[n] == '+' || nv->value[n] == ';');
  } else if (is_name(nv, "grpc-status")) {
    /* A value that is not a small number is a status we cannot know. */
    c->blk_grpc =
        ex_parse_u64((const char *)nv->value, nv->valuelen, 255, &v) == 0
            ? (int)v
            : GW_UNKNOWN;
  } else if (is_name(nv, "grpc-message")) {
    gw_pct_decode(nv->value, nv->valuelen, c->blk_msg, sizeof c->blk_msg);
  }
  return 0;
}

/* A response block sets the HTTP status and content type; the block that
 * ends the stream (trailers, or the only block of a trailers-only
 * response) carries the gRPC status. 1xx blocks are passed over. */
static int on_headers(h2w_session *s, uint32_t id, int kind, int end_stream,
                      void *user) {
  gcli *c = user;
  (void)s;
  (void)id;
  if (kind == H2W_HEADERS_RESPONSE) {
    c->http_status = c->blk_http;
    c->grpc_type = c->blk_ct;
    c->trailers_only = end_stream;
  }
  if ((kind == H2W_HEADERS_RESPONSE && end_stream) ||
      kind == H2W_HEADERS_TRAILERS) {
    c->grpc_status = c->blk_grpc;
    memcpy(c->grpc_msg, c->blk_msg, sizeof c->grpc_msg);
  }
  return 0;
}

static int print_message(void *user, const uint8_t *msg, size_t len) {
  (void)user;
  fwrite(msg, 1, len, stdout);
  fputc('\n', stdout);
  return 0;
}

/* Only a gRPC response (200, application/grpc) has a body of
 * length-prefixed messages. Any other body (a 404 page in text/plain, say)
 * is not read as messages but discarded: the HTTP status then decides the
 * call's status (gRPC's HTTP-to-gRPC mapping, 404 -> 12 UNIMPLEMENTED). */
static int is_grpc_response(const gcli *c) {
  return c->http_status == 200 && c->grpc_type;
}

static int on_data(h2w_session *s, uint32_t id, const uint8_t *data, size_t len,
                   void *user) {
  gcli *c = user;
  if (c->frame_err != 0 || !is_grpc_response(c)) {
    return 0;
  }
  c->frame_err = gw_reader_feed(&c->reader, data, len, print_message, c);
  /* A body we cannot read: stop the response (RFC 9113 §8.1). */
  return c->frame_err != 0 ? h2w_session_submit_rst_stream(s, id, H2W_CANCEL)
                           : 0;
}

static int on_stream_close(h2w_session *s, uint32_t id, uint32_t code,
                           uint32_t flags, void *user) {
  gcli *c = user;
  (void)s;
  (void)id;
  c->closed = 1;
  c->close_code = code;
  c->close_flags = flags;
  if (c->frame_err == 0 && (flags & H2W_CLOSE_FLAG_RESET) == 0 &&
      is_grpc_response(c)) {
    c->frame_err = gw_reader_end(&c->reader);
  }
  return 0;
}

int gc_session_new(gcli *c) {
  h2w_callbacks *cb = NULL;
  h2w_options *opt = NULL;
  int rv = h2w_callbacks_new(&cb, NULL);
  if (rv == H2W_OK) {
    rv = h2w_options_new(&opt, NULL);
  }
  /* A server that stops answering ends the call (UNAVAILABLE) instead of
   * leaving the client waiting forever: PING after 10 s of silence, dead
   * 5 s later. */
  if (rv == H2W_OK) {
    rv = h2w_options_set_keepalive(opt, 10000, 5000);
  }
  if (rv != H2W_OK) {
    h2w_callbacks_del(cb);
    h2w_options_del(opt);
    return rv;
  }
  h2w_callbacks_set_on_begin_headers(cb, on_begin_headers);
  h2w_callbacks_set_on_header(cb, on_header);
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_data(cb, on_data);
  h2w_callbacks_set_on_stream_close(cb, on_stream_close);
  /* Default windows (65535): a large message crosses several of them. */
  rv = h2w_session_client_new(&c->io.s, cb, opt, c, NULL);
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  return rv;
}

static h2w_ssize body_read(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  gcli *c = user;
  size_t n = c->body.len - c->body_off;
  (void)s;
  (void)id;
  n = n < len ? n : len;
  if (n != 0) {
    memcpy(buf, c->body.p + c->body_off, n);
  }
  c->body_off += n;
  if (c->body_off == c->body.len) {
    *flags |= H2W_DATA_FLAG_EOF;
  }
  return (h2w_ssize)n;
}

int gc_submit(gcli *c) {
  char ua[64];
  int v[3];
  h2w_version(&v[0], &v[1], &v[2]);
  snprintf(ua, sizeof ua, "grpc-style-h2wire/%d.%d.%d", v[0], v[1], v[2]);
  /* te: trailers tells intermediaries we read trailers (RFC 9113
   * §8.2.2: the only te value HTTP/2 allows). */
  h2w_nv nv[7];
  nv[0] = ex_nvs(":method", "POST");
  nv[1] = ex_nvs(":scheme", "http");
  nv[2] = ex_nvs(":authority", c->authority);
  nv[3] = ex_nvs(":path", c->path);
  nv[4] = ex_nvs("content-type", "application/grpc");
  nv[5] = ex_nvs("te", "trailers");
  nv[6] = ex_nvs("user-agent", ua);
  h2w_data_source src;
  src.read = body_read;
  src.write = NULL;
  src.user = c;
  int32_t id = h2w_session_submit_request(c->io.s, nv, 7,
                                          c->body.len != 0 ? &src : NULL, c);
  return id < 0 ? (int)id : H2W_OK;
}

void gc_transport_error(gcli *c, int rv) {
  uint32_t code = 0;
  const char *reason = NULL;
  if (rv == GS_E_EOF) {
    snprintf(c->transport, sizeof c->transport,
             "connection closed by the server");
  } else if (rv == GS_E_SOCKET) {
    snprintf(c->transport, sizeof c->transport, "socket error");
  } else {
    h2w_session_error(c->io.s, &code, &reason, NULL);
    snprintf(c->transport, sizeof c->transport, "connection error: %s (%s%s%s)",
             h2w_strerror(rv), h2w_http2_error_name(code),
             reason != NULL ? ", " : "", reason != NULL ? reason : "");
    gs_flush(&c->io);
  }
}

/* The gRPC status of the call and why, from what arrived; *local is 1
 * when the reason is ours rather than the server's grpc-message. */
static int outcome(const gcli *c, char *why, size_t cap, int *local) {
  *local = 1;
  if (c->transport[0] != '\0') {
    snprintf(why, cap, "%s", c->transport);
    return GW_UNAVAILABLE;
  }
  /* RFC 9113 §8.1: a server may reset with NO_ERROR once its response is
   * complete, to stop an upload it does not need. */
  if ((c->close_flags & H2W_CLOSE_FLAG_RESET) != 0 &&
      !(c->close_code == H2W_NO_ERROR && c->grpc_status >= 0)) {
    snprintf(why, cap, "stream reset (%s)",
             h2w_http2_error_name(c->close_code));
    return c->close_code == H2W_REFUSED_STREAM ? GW_UNAVAILABLE
           : c->close_code == H2W_CANCEL       ? GW_CANCELLED
                                               : GW_INTERNAL;
  }
  if (c->http_status != 200) {
    snprintf(why, cap, "HTTP status %d", c->http_status);
    return gw_status_from_http(c->http_status);
  }
  if (!c->grpc_type) {
    snprintf(why, cap, "response content-type is not application/grpc");
    return GW_UNKNOWN;
  }
  if (c->frame_err != 0) {
    snprintf(why, cap, "malformed response body (error %d)", c->frame_err);
    return GW_INTERNAL;
  }
  if (c->grpc_status < 0) {
    snprintf(why, cap, "no grpc-status in the response");
    return GW_INTERNAL;
  }
  *local = 0;
  snprintf(why, cap, "%s", c->grpc_msg);
  return c->grpc_status;
}

int gc_report(const gcli *c) {
  char why[600];
  int local;
  int code = outcome(c, why, sizeof why, &local);
  fflush(stdout);
  if (c->trailers_only) {
    fputs("response: trailers-only\n", stderr);
  } else if (c->transport[0] == '\0') {
    fprintf(stderr, "response: %llu message(s)\n",
            (unsigned long long)c->reader.count);
  }
  fprintf(stderr, "grpc-status: %d %s\n", code, gw_status_name(code));
  if (why[0] != '\0') {
    fprintf(stderr, "%s: %s\n", local ? "error" : "grpc-message", why);
  }
  if (c->want_trailers_only) {
    return c->trailers_only && c->http_status == 200 && c->grpc_status >= 0 ? 0
                                                                            : 1;
  }
  return code == GW_OK ? 0 : 1;
}

/* HTTP message rules of RFC 9113 §8 over decoded header fields: which
 * fields and pseudo-header fields a header block may carry, what they may
 * contain, and whether the DATA that follows matches content-length
 * (§8.1.1). A pure module: no session state, no allocation, no callback.
 * The session keeps one h2w_http_msg and one h2w_http_body per stream,
 * feeds every field it decodes (after HPACK) to h2w_http_msg_field(), calls
 * h2w_http_msg_end() when the block is complete, and feeds DATA lengths to
 * the body tracker.
 *
 * Every malformed message gives H2W_E_PROTOCOL and a static reason string;
 * §8.1.1 makes it a stream error of type PROTOCOL_ERROR, and the offending
 * field must not reach the application (docs/security.md rows 17 and 18). Once
 * a call has failed the message is malformed: stop feeding it. */
#ifndef H2W_HTTP_H
#define H2W_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

/* Kinds of header block (h2w_http_msg_begin's `kind`). */
#define H2W_HTTP_REQUEST                                                       \
  0                         /* HEADERS opening a stream, received by a server  \
                             */
#define H2W_HTTP_RESPONSE 1 /* HEADERS received by a client (1xx or final) */
#define H2W_HTTP_TRAILERS 2 /* a later HEADERS block; must end the stream */
/* The request in a PUSH_PROMISE (§8.4): GET or HEAD, :authority present,
 * no content. */
#define H2W_HTTP_PUSH_REQUEST 3

/* h2w_http_msg_begin's `flags`: we advertised
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, so a request may carry :protocol
 * with CONNECT (RFC 8441 §4). */
#define H2W_HTTP_CONNECT_PROTOCOL 0x1u
/* h2w_http_msg.flags: a field named "priority" went through
 * h2w_http_msg_fields() (h2w_http_msg_has_priority). */
#define H2W_HTTP_PRIORITY_FIELD 0x2u

/* The request method, as far as these rules care (h2w_http_msg_method).
 * Methods are case-sensitive (RFC 9110 §9.1): "get" is OTHER. */
#define H2W_HTTP_METHOD_NONE 0 /* no :method (responses, trailers) */
#define H2W_HTTP_METHOD_OTHER 1
#define H2W_HTTP_METHOD_GET 2
#define H2W_HTTP_METHOD_HEAD 3
#define H2W_HTTP_METHOD_CONNECT 4
#define H2W_HTTP_METHOD_OPTIONS 5

/* Longest :authority kept for comparison with a Host field (RFC 9113
 * §8.3.1): a DNS name (253 octets, RFC 1035 §2.3.4), ':' and a port, with
 * room to spare. A longer one cannot name a host; with a Host field
 * beside it the request is malformed. */
#define H2W_HTTP_AUTHORITY_MAX 272

/* One header block being checked. A POD that lives in the session's
 * header-block state or on the stack of a submit; its members are private
 * to http.c (use the accessors). */
typedef struct h2w_http_msg {
  int64_t content_length; /* -1 when absent */
  uint16_t seen;          /* pseudo-headers seen and state bits (http.c) */
  uint16_t authority_len; /* octets of :authority kept in authority[] */
  int16_t status;         /* parsed :status, -1 when absent */
  uint8_t kind;           /* H2W_HTTP_REQUEST ... */
  uint8_t method;         /* H2W_HTTP_METHOD_* */
  uint8_t path;           /* what :path looks like (http.c) */
  uint8_t flags;          /* H2W_HTTP_CONNECT_PROTOCOL */
  uint8_t authority[H2W_HTTP_AUTHORITY_MAX]; /* copy of :authority */
} h2w_http_msg;

/* h2w_http_msg.path before any :path (http.c has the other shapes). */
#define H2W_HTTP_PATH_NONE 0

/* Start checking a header block of `kind` (H2W_HTTP_REQUEST ...) with
 * `flags` (H2W_HTTP_CONNECT_PROTOCOL or 0). This and the accessors below
 * are inline: every request and response calls several of them, and a
 * call costs more than any of them. */
static inline void h2w_http_msg_begin(h2w_http_msg *m, int kind,
                                      uint32_t flags) {
  m->content_length = -1;
  m->seen = 0;
  m->authority_len = 0;
  m->status = -1;
  m->kind = (uint8_t)kind;
  m->method = H2W_HTTP_METHOD_NONE;
  m->path = H2W_HTTP_PATH_NONE;
  m->flags = (uint8_t)(flags & H2W_HTTP_CONNECT_PROTOCOL);
}

/* Check one decoded field, in the order received. Returns H2W_OK, or
 * H2W_E_PROTOCOL with *reason set to a static string naming the rule
 * broken (RFC 9113 §8.2, §8.3, RFC 9110 §5.5, §8.6). `reason` may be NULL;
 * it is left untouched on success. Rules applied:
 *  - names: non-empty, lowercase RFC 9110 token characters only; ':' only
 *    as the first octet of a pseudo-header field (§8.2.1);
 *  - values: no NUL, CR, LF or other control octet except HTAB, no leading
 *    or trailing SP/HTAB; obs-text (0x80-0xff) is allowed (§8.2.1);
 *  - pseudo-header fields: only the kind's own (:protocol only with
 *    H2W_HTTP_CONNECT_PROTOCOL), each at most once, all before the first
 *    regular field, none in trailers (§8.3); :status is three digits,
 *    100-999, and not 101 (§8.6); :method, :scheme and :protocol are
 *    tokens; :path is non-empty;
 *  - connection-specific fields (connection, keep-alive, proxy-connection,
 *    transfer-encoding, upgrade) are refused; te only as "trailers"
 *    (ASCII case-insensitive, RFC 9110 §10.1.4) (§8.2.2);
 *  - content-length: 1*DIGIT, at most 2^63-1; a repeated content-length
 *    must carry the same number (RFC 9110 §8.6 lets us merge identical
 *    values); never in trailers, where it cannot frame anything;
 *  - host, in a request with :authority: must name the same host and port
 *    (§8.3.1), compared after RFC 3986 §6.2.2.1 / §6.2.3 normalisation
 *    (host case-insensitive; an absent or empty port equals the scheme's
 *    default, 80 for http and 443 for https). */
int h2w_http_msg_field(h2w_http_msg *m, const h2w_nv *nv, const char **reason);

/* h2w_http_msg_field() for each of nva[0..n) in order, which also refuses
 * (H2W_E_INVALID_ARGUMENT, reason "NULL name or value with a length") a
 * NULL name or value with a non-zero length. On an error, *index is the
 * field at fault and *reason says why. */
int h2w_http_msg_fields(h2w_http_msg *m, const h2w_nv *nva, size_t n,
                        size_t *index, const char **reason);

/* h2w_http_msg_field()'s `trust` bits: the name / the value octets are
 * known to pass the §8.2.1 octet rules above (the same values as
 * H2W_HPACK_CHECKED_*: a field the HPACK decoder took from the static
 * table, or from a dynamic entry checked when it was first received). */
#define H2W_HTTP_TRUST_NAME 0x1u
#define H2W_HTTP_TRUST_VALUE 0x2u

/* What a valid field name is to the rules above. A name's class depends on
 * its octets alone, so it can be found once (when the field first arrives
 * and is checked) and handed back with later indexed copies of it: the
 * checks then dispatch on the class instead of comparing strings. */
#define H2W_HTTP_NAME_UNKNOWN 0 /* not known: found from the octets */
#define H2W_HTTP_NAME_PLAIN 1   /* a regular name no rule singles out */
#define H2W_HTTP_NAME_SPECIAL 2 /* a regular name with a rule (§8.2.2 ...) */
#define H2W_HTTP_NAME_METHOD 3
#define H2W_HTTP_NAME_SCHEME 4
#define H2W_HTTP_NAME_AUTHORITY 5
#define H2W_HTTP_NAME_PATH 6
#define H2W_HTTP_NAME_PROTOCOL 7
#define H2W_HTTP_NAME_STATUS 8
/* `trust` carries a class (with H2W_HTTP_TRUST_NAME only) from this bit on;
 * H2W_HTTP_NAME_UNKNOWN there is always correct. With H2W_HTTP_TRUST_STATIC
 * it is instead the name's static-table index (RFC 7541 Appendix A), whose
 * class h2w_http_static_name_class() gives. The same layout as the HPACK
 * decoder's trust (H2W_HPACK_NAME_STATIC, H2W_HPACK_TAG_SHIFT), which the
 * session passes through as it is. */
#define H2W_HTTP_TRUST_STATIC 0x4u
#define H2W_HTTP_TRUST_CLASS_SHIFT 8

/* The class of the name of static-table entry `index` (RFC 7541 Appendix
 * A, 1..61); H2W_HTTP_NAME_UNKNOWN for any other index. */
unsigned h2w_http_static_name_class(unsigned index);

/* h2w_http_msg_field() that skips the octet rules for what `trust` says
 * (H2W_HTTP_TRUST_*) was checked before, and, given a name class (which
 * must be that of nv's name), the string compares that find it; every
 * other rule applies. On H2W_OK, *out_class (if not NULL) is the class of
 * the name, to be handed back with a later copy of the same name. */
int h2w_http_msg_field_trusted(h2w_http_msg *m, const h2w_nv *nv,
                               unsigned trust, unsigned *out_class,
                               const char **reason);

/* The block is complete; `end_stream` is the END_STREAM flag of the
 * HEADERS frame (ignored for H2W_HTTP_PUSH_REQUEST). Returns H2W_OK or
 * H2W_E_PROTOCOL with *reason, for:
 *  - requests: :method missing; without :protocol and not CONNECT,
 *    :scheme or :path missing (§8.3.1); CONNECT with :scheme or :path, or
 *    without :authority (§8.5); :protocol with a method other than CONNECT
 *    or without :scheme, :path and :authority (RFC 8441 §4); for http and
 *    https, a :path that starts with neither '/' nor is "*" with OPTIONS,
 *    or an :authority with userinfo or with an empty host (§8.3.1, RFC
 *    9110 §4.2.1-§4.2.2: an http or https URI has a non-empty host);
 *  - push requests: the request rules, plus a method other than GET or
 *    HEAD, no :authority, or content-length above 0 (§8.4);
 *  - responses: :status missing, or 1xx with END_STREAM (§8.1);
 *  - trailers: END_STREAM missing (§8.1).
 * An unknown kind gives H2W_E_INVALID_ARGUMENT (a caller bug).
 * A request's content-length is not compared with END_STREAM here: start
 * the body tracker and call h2w_http_body_end() when the stream ends, on
 * this HEADERS frame or later. */
int h2w_http_msg_end(h2w_http_msg *m, int end_stream, const char **reason);

/* The parsed :status (100-999), or -1 when there is none. */
static inline int h2w_http_msg_status(const h2w_http_msg *m) {
  return m->status;
}

/* 1 for an informational (1xx) response, after which a final response
 * follows on the same stream (§8.1); 0 otherwise. 101 never gets here: it
 * is malformed in HTTP/2 (§8.6). */
static inline int h2w_http_msg_is_informational(const h2w_http_msg *m) {
  return m->status >= 100 && m->status < 200;
}

/* The content-length value, or -1 when absent. */
static inline int64_t h2w_http_msg_content_length(const h2w_http_msg *m) {
  return m->content_length;
}

/* The request method class (H2W_HTTP_METHOD_*); a server keeps it to know
 * whether it answers HEAD, a client reads it from a push request. */
static inline int h2w_http_msg_method(const h2w_http_msg *m) {
  return m->method;
}

/* 1 when h2w_http_msg_fields() was given a field named "priority" (RFC
 * 9218 §5): 0 tells a caller that checked the list that it need not look
 * for one. The receive side's trusted fields do not promise it. */
static inline int h2w_http_msg_has_priority(const h2w_http_msg *m) {
  return (m->flags & H2W_HTTP_PRIORITY_FIELD) != 0;
}

/* 1 when the request carried :protocol (extended CONNECT, RFC 8441). */
int h2w_http_msg_has_protocol(const h2w_http_msg *m);

/* 1 when a response with `status` to a request whose method was HEAD
 * (`request_was_head` != 0) may carry content, 0 when it has none whatever
 * its content-length says: responses to HEAD (RFC 9110 §9.3.2), 1xx, 204
 * and 304 (RFC 9110 §6.4.1). Initialise the body tracker of a response
 * with h2w_http_body_init_none() when this is 0. */
static inline int h2w_http_response_has_body(int request_was_head, int status) {
  /* RFC 9110 §6.4.1: responses to HEAD, 1xx, 204 and 304 end with the
   * header section whatever content-length says (RFC 9113 §8.1.1). */
  if (request_was_head || (status >= 100 && status < 200)) {
    return 0;
  }
  return status != 204 && status != 304;
}

/* Counts DATA octets against content-length (§8.1.1). */
typedef struct h2w_http_body {
  int64_t expected;  /* content-length; -1 unknown; -2 no content at all */
  uint64_t received; /* DATA payload octets so far, padding excluded */
} h2w_http_body;

/* Track a message whose content-length is `content_length` (-1: unknown,
 * any amount allowed; values below -1 are treated as unknown). */
static inline void h2w_http_body_init(h2w_http_body *b,
                                      int64_t content_length) {
  b->expected = content_length < 0 ? -1 : content_length;
  b->received = 0;
}

/* Track a message that has no content at all (see
 * h2w_http_response_has_body): any DATA octet is malformed. */
#define H2W_HTTP_BODY_NONE (-2)
static inline void h2w_http_body_init_none(h2w_http_body *b) {
  b->expected = H2W_HTTP_BODY_NONE;
  b->received = 0;
}

/* `n` DATA payload octets arrived (padding excluded). Returns H2W_OK, or
 * H2W_E_PROTOCOL with *reason when they pass content-length or the message
 * has no content; the tracker is then unchanged (so the same call fails
 * again the same way). `reason` may be NULL. */
int h2w_http_body_data(h2w_http_body *b, size_t n, const char **reason);

/* The stream ended (END_STREAM). Returns H2W_OK, or H2W_E_PROTOCOL with
 * *reason when fewer octets arrived than content-length announced. */
int h2w_http_body_end(const h2w_http_body *b, const char **reason);

#endif

/* Plumbing of the session workloads: a counting allocator both libraries
 * can be given, growable buffers, recorded scripts, feeding and draining a
 * session of either library, and raw frame helpers (RFC 9113 §4.1). */
#include "bench_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- counting allocator ------------------------------------------------ */

/* Neither hook set passes the old size to free/realloc, so each block
 * carries its requested size in a header; 16 octets keep the user part
 * aligned for any type. */
#define BS_ALLOC_HDR 16u

static void *ca_malloc(size_t n, void *user) {
  bs_alloc *a = user;
  uint8_t *p = malloc(n + BS_ALLOC_HDR);
  if (p == NULL) {
    return NULL;
  }
  memcpy(p, &n, sizeof(n));
  a->in_use += n;
  a->peak = a->in_use > a->peak ? a->in_use : a->peak;
  a->calls++;
  return p + BS_ALLOC_HDR;
}

static void ca_free(void *ptr, void *user) {
  bs_alloc *a = user;
  uint8_t *p;
  size_t n;
  if (ptr == NULL) {
    return;
  }
  p = (uint8_t *)ptr - BS_ALLOC_HDR;
  memcpy(&n, p, sizeof(n));
  a->in_use -= n;
  free(p);
}

static void *ca_realloc(void *ptr, size_t n, void *user) {
  bs_alloc *a = user;
  uint8_t *p, *np;
  size_t old;
  if (ptr == NULL) {
    return ca_malloc(n, user);
  }
  p = (uint8_t *)ptr - BS_ALLOC_HDR;
  memcpy(&old, p, sizeof(old));
  np = realloc(p, n + BS_ALLOC_HDR);
  if (np == NULL) {
    return NULL;
  }
  memcpy(np, &n, sizeof(n));
  a->in_use = a->in_use - old + n;
  a->peak = a->in_use > a->peak ? a->in_use : a->peak;
  a->calls++;
  return np + BS_ALLOC_HDR;
}

static void *ca_calloc(size_t k, size_t size, void *user) {
  void *p;
  if (size != 0 && k > SIZE_MAX / size) {
    return NULL;
  }
  p = ca_malloc(k * size, user);
  if (p != NULL) {
    memset(p, 0, k * size);
  }
  return p;
}

void bs_alloc_h2w(bs_alloc *a, h2w_mem *m) {
  m->malloc_fn = ca_malloc;
  m->realloc_fn = ca_realloc;
  m->free_fn = ca_free;
  m->user = a;
}

void bs_alloc_ngh(bs_alloc *a, nghttp2_mem *m) {
  m->mem_user_data = a;
  m->malloc = ca_malloc;
  m->free = ca_free;
  m->calloc = ca_calloc;
  m->realloc = ca_realloc;
}

/* ---- buffers and scripts ----------------------------------------------- */

int bs_buf_put(bs_buf *b, const void *d, size_t n) {
  if (n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 4096;
    uint8_t *p;
    while (cap - b->len < n) {
      cap *= 2;
    }
    p = realloc(b->p, cap);
    if (p == NULL) {
      fprintf(stderr, "h2w-bench: out of memory\n");
      return -1;
    }
    b->p = p;
    b->cap = cap;
  }
  if (n > 0) {
    memcpy(b->p + b->len, d, n);
    b->len += n;
  }
  return 0;
}

void bs_buf_free(bs_buf *b) {
  free(b->p);
  memset(b, 0, sizeof(*b));
}

int bs_script_cut(bs_script *s) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    size_t *e = realloc(s->end, cap * sizeof(*e));
    if (e == NULL) {
      fprintf(stderr, "h2w-bench: out of memory\n");
      return -1;
    }
    s->end = e;
    s->cap = cap;
  }
  s->end[s->n++] = s->bytes.len;
  return 0;
}

const uint8_t *bs_script_chunk(const bs_script *s, size_t i, size_t *len) {
  size_t start = i == 0 ? 0 : s->end[i - 1];
  *len = s->end[i] - start;
  return s->bytes.p + start;
}

void bs_script_free(bs_script *s) {
  bs_buf_free(&s->bytes);
  free(s->end);
  memset(s, 0, sizeof(*s));
}

/* ---- feeding and draining ---------------------------------------------- */

const char *bs_lib_name(int lib) {
  return lib == BENCH_H2WIRE ? "h2wire" : "nghttp2";
}

static int feed_h2w(h2w_session *s, const uint8_t *in, size_t len) {
  while (len > 0) {
    h2w_ssize n = h2w_session_recv(s, in, len);
    if (n <= 0) {
      const char *why = "";
      h2w_session_error(s, NULL, &why, NULL);
      fprintf(stderr, "h2w-bench: h2wire: recv: %s (%s)\n",
              n == 0 ? "no progress" : h2w_error_name((int)n), why ? why : "");
      return -1;
    }
    in += n;
    len -= (size_t)n;
  }
  return 0;
}

static int feed_ngh(nghttp2_session *s, const uint8_t *in, size_t len) {
  while (len > 0) {
    ssize_t n = nghttp2_session_mem_recv(s, in, len);
    if (n <= 0) {
      fprintf(stderr, "h2w-bench: nghttp2: mem_recv: %s\n",
              n == 0 ? "no progress" : nghttp2_strerror((int)n));
      return -1;
    }
    in += n;
    len -= (size_t)n;
  }
  return 0;
}

int bs_feed(bs_peer *p, const uint8_t *in, size_t len) {
  return p->lib == BENCH_H2WIRE ? feed_h2w(p->h2w, in, len)
                                : feed_ngh(p->ngh, in, len);
}

static int out_put(bs_out *o, const uint8_t *d, size_t n) {
  o->total += n;
  return o->rec != NULL ? bs_buf_put(o->rec, d, n) : 0;
}

/* h2wire writes straight into the application buffer. */
static int drain_h2w(h2w_session *s, bs_out *o) {
  for (;;) {
    h2w_ssize n = h2w_session_send(s, o->app, o->cap);
    if (n < 0) {
      fprintf(stderr, "h2w-bench: h2wire: send: %s\n", h2w_error_name((int)n));
      return -1;
    }
    if (n == 0) {
      return 0;
    }
    if (out_put(o, o->app, (size_t)n) != 0) {
      return -1;
    }
  }
}

/* nghttp2 hands out its own buffer; the application copies from it, as a
 * send callback would. */
static int drain_ngh(nghttp2_session *s, bs_out *o) {
  for (;;) {
    const uint8_t *d;
    ssize_t n = nghttp2_session_mem_send(s, &d);
    size_t left;
    if (n < 0) {
      fprintf(stderr, "h2w-bench: nghttp2: mem_send: %s\n",
              nghttp2_strerror((int)n));
      return -1;
    }
    if (n == 0) {
      return 0;
    }
    for (left = (size_t)n; left > 0;) {
      size_t take = left < o->cap ? left : o->cap;
      memcpy(o->app, d, take);
      if (out_put(o, o->app, take) != 0) {
        return -1;
      }
      d += take;
      left -= take;
    }
  }
}

int bs_drain(bs_peer *p, bs_out *o) {
  return p->lib == BENCH_H2WIRE ? drain_h2w(p->h2w, o) : drain_ngh(p->ngh, o);
}

void bs_peer_del(bs_peer *p) {
  h2w_session_del(p->h2w);
  nghttp2_session_del(p->ngh);
  p->h2w = NULL;
  p->ngh = NULL;
}

/* ---- frames ------------------------------------------------------------ */

void bs_frame_hd(uint8_t out[BS_FRAME_HD], uint32_t len, uint8_t type,
                 uint8_t flags, uint32_t sid) {
  out[0] = (uint8_t)(len >> 16);
  out[1] = (uint8_t)(len >> 8);
  out[2] = (uint8_t)len;
  out[3] = type;
  out[4] = flags;
  out[5] = (uint8_t)((sid >> 24) & 0x7fu);
  out[6] = (uint8_t)(sid >> 16);
  out[7] = (uint8_t)(sid >> 8);
  out[8] = (uint8_t)sid;
}

int bs_put_frame(bs_buf *b, uint8_t type, uint8_t flags, uint32_t sid,
                 const uint8_t *payload, uint32_t len) {
  uint8_t hd[BS_FRAME_HD];
  bs_frame_hd(hd, len, type, flags, sid);
  return bs_buf_put(b, hd, sizeof(hd)) == 0 && bs_buf_put(b, payload, len) == 0
             ? 0
             : -1;
}

long bs_walk(const uint8_t *p, size_t len, bs_frame_fn fn, void *user) {
  size_t at = 0;
  while (len - at >= BS_FRAME_HD) {
    const uint8_t *h = p + at;
    uint32_t flen = (uint32_t)h[0] << 16 | (uint32_t)h[1] << 8 | h[2];
    uint32_t sid = ((uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 |
                    (uint32_t)h[7] << 8 | h[8]) &
                   0x7fffffffu;
    if (len - at - BS_FRAME_HD < flen) {
      break;
    }
    if (fn(user, h[3], h[4], sid, h + BS_FRAME_HD, flen) != 0) {
      return -1;
    }
    at += BS_FRAME_HD + flen;
  }
  return (long)at;
}

/* Prepared header sets (h2w_nvset_new in h2wire.h): a response header
 * list checked once by the RFC 9113 §8 rules of http.c and copied into one
 * block, so that a server answering with the same fields again and again
 * does not pay for the per-field checks on every response. The set keeps
 * the h2w_http_msg state its fields left; a submit copies that state and
 * runs only the end-of-block rules, which depend on the call (whether a
 * body follows). */
#include <stddef.h>
#include <string.h>

#include "cold.h"
#include "session_int.h"

struct h2w_nvset {
  h2w_alloc alloc; /* the block's own allocator (h2w_alloc_box) */
  size_t size;     /* octets of the whole block */
  size_t n;
  h2w_nv *nv;       /* n fields, inside the block */
  h2w_http_msg msg; /* state after all fields, before the end of block */
};

/* Fields start at the first offset past the header suitably aligned for
 * h2w_nv (pointers and size_t). */
#define NV_ALIGN                                                               \
  (sizeof(void *) > sizeof(size_t) ? sizeof(void *) : sizeof(size_t))
#define NV_OFFSET                                                              \
  ((sizeof(struct h2w_nvset) + NV_ALIGN - 1) / NV_ALIGN * NV_ALIGN)

/* Check nva as a final response; *m gets the state the fields left. */
static int check_response(const h2w_nv *nva, size_t n, h2w_http_msg *m) {
  h2w_http_msg end;
  const char *reason;
  size_t bad;
  /* §8.3: no :protocol in a response, so the flag does not matter. The
   * list form, as submissions use: h2w_http_msg_field() is then not in the
   * shared library at all (--gc-sections), where -O3 gave it a copy of
   * the whole per-field check (3.7 KB). */
  h2w_http_msg_begin(m, H2W_HTTP_RESPONSE, 0);
  if (h2w_http_msg_fields(m, nva, n, &bad, &reason) != H2W_OK) {
    return H2W_E_INVALID_ARGUMENT;
  }
  /* §8.3.2: :status present; without END_STREAM so that the 1xx rule is
   * not what refuses an informational set, which the test below does. */
  end = *m;
  if (h2w_http_msg_end(&end, 0, &reason) != H2W_OK ||
      h2w_http_msg_is_informational(m)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return H2W_OK;
}

H2W_COLD int h2w_nvset_new(h2w_nvset **out, const h2w_nv *nva, size_t n,
                           int kind, const h2w_mem *mem) {
  h2w_http_msg m;
  h2w_nvset *set;
  uint8_t *p;
  size_t size, i;
  int err = H2W_OK;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *out = NULL;
  if (nva == NULL || n == 0 || kind != H2W_NVSET_RESPONSE ||
      n > (SIZE_MAX - NV_OFFSET) / sizeof(h2w_nv)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (check_response(nva, n, &m) != H2W_OK) {
    return H2W_E_INVALID_ARGUMENT;
  }
  size = NV_OFFSET + n * sizeof(h2w_nv);
  for (i = 0; i < n; i++) {
    if (nva[i].namelen > SIZE_MAX - size ||
        nva[i].valuelen > SIZE_MAX - size - nva[i].namelen) {
      return H2W_E_INVALID_ARGUMENT;
    }
    size += nva[i].namelen + nva[i].valuelen;
  }
  set = h2w_alloc_box(mem, size, offsetof(h2w_nvset, alloc), &err);
  if (set == NULL) {
    return err;
  }
  set->size = size;
  set->n = n;
  set->msg = m;
  set->nv = (h2w_nv *)(void *)((uint8_t *)set + NV_OFFSET);
  p = (uint8_t *)(set->nv + n);
  for (i = 0; i < n; i++) {
    h2w_nv *f = &set->nv[i];
    *f = nva[i];
    /* Copies, so the caller's strings may go (and NULL with length 0
     * stays valid). */
    if (f->namelen > 0) {
      memcpy(p, nva[i].name, f->namelen);
    }
    f->name = p;
    p += f->namelen;
    if (f->valuelen > 0) {
      memcpy(p, nva[i].value, f->valuelen);
    }
    f->value = p;
    p += f->valuelen;
  }
  *out = set;
  return H2W_OK;
}

void h2w_nvset_del(h2w_nvset *set) {
  if (set != NULL) {
    h2w_alloc_unbox(set, set->size, offsetof(h2w_nvset, alloc));
  }
}

size_t h2w_nvset_count(const h2w_nvset *set) {
  return set != NULL ? set->n : 0;
}

int h2w_session_submit_response_set(h2w_session *s, uint32_t stream_id,
                                    const h2w_nvset *set,
                                    const h2w_data_source *body) {
  if (set == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return h2w_submit_response_checked(s, stream_id, set->nv, set->n, body,
                                     &set->msg);
}

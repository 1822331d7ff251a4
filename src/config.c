/* The opaque callback-set and option-set objects of h2wire.h: one setter
 * per member, so adding one never changes the ABI (README, "ABI policy"). */
#include <stddef.h>
#include <string.h>

#include "copy.h"
#include "session_int.h"

void h2w_opts_defaults(h2w_opts *o) {
  memset(o, 0, sizeof(*o));
  o->max_concurrent_streams = 100;
  o->initial_window_size = H2W_DEFAULT_WINDOW_SIZE;
  o->connection_window_size = H2W_DEFAULT_WINDOW_SIZE;
  o->max_frame_size = H2W_FRAME_DEFAULT_MAX_SIZE;
  o->max_header_list_size = 65536;
  o->max_header_fields = 1000;
  o->header_table_size = 4096;
  o->encoder_table_size = 4096;
  o->settings_timeout_ms = 10000;
  o->max_control_queue = 1000;
  o->shutdown_timeout_ms = 1000;
  o->max_continuations = 8;
  o->max_settings_entries = 32;
  o->glitch_burst = 1000;
  o->glitch_rate = 100;
  o->reset_burst = 1000;
  o->reset_rate = 33;
  o->memory_budget = (size_t)4 << 20;
  o->max_extension_payload = 16384;
  o->manual_flow_control = 0;
  o->validate_messages = 1;
}

int h2w_callbacks_new(h2w_callbacks **out, const h2w_mem *mem) {
  int err = H2W_OK;
  h2w_callbacks *cb;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *out = NULL;
  cb = h2w_alloc_box(mem, sizeof(*cb), offsetof(h2w_callbacks, alloc), &err);
  if (cb == NULL) {
    return err;
  }
  memset(&cb->t, 0, sizeof(cb->t));
  *out = cb;
  return H2W_OK;
}

void h2w_callbacks_del(h2w_callbacks *cb) {
  if (cb != NULL) {
    h2w_alloc_unbox(cb, sizeof(*cb), offsetof(h2w_callbacks, alloc));
  }
}

#define CB_SETTER(name, type)                                                  \
  int h2w_callbacks_set_##name(h2w_callbacks *cb, type f) {                    \
    if (cb == NULL) {                                                          \
      return H2W_E_INVALID_ARGUMENT;                                           \
    }                                                                          \
    cb->t.name = f;                                                            \
    return H2W_OK;                                                             \
  }

CB_SETTER(on_begin_headers, h2w_on_begin_headers_cb)
CB_SETTER(on_header, h2w_on_header_cb)
CB_SETTER(on_headers, h2w_on_headers_cb)
CB_SETTER(on_data, h2w_on_data_cb)
CB_SETTER(on_stream_end, h2w_on_stream_end_cb)
CB_SETTER(on_stream_reset, h2w_on_stream_reset_cb)
CB_SETTER(on_stream_close, h2w_on_stream_close_cb)
CB_SETTER(on_settings, h2w_on_settings_cb)
CB_SETTER(on_settings_ack, h2w_on_settings_ack_cb)
CB_SETTER(on_ping_ack, h2w_on_ping_ack_cb)
CB_SETTER(on_goaway, h2w_on_goaway_cb)
CB_SETTER(on_frame_recv, h2w_on_frame_cb)
CB_SETTER(on_frame_send, h2w_on_frame_cb)
CB_SETTER(on_error, h2w_on_error_cb)
CB_SETTER(on_altsvc, h2w_on_altsvc_cb)
CB_SETTER(on_origin, h2w_on_origin_cb)
CB_SETTER(on_extension_frame, h2w_on_frame_cb)
CB_SETTER(on_push_promise, h2w_on_push_promise_cb)

int h2w_options_new(h2w_options **out, const h2w_mem *mem) {
  int err = H2W_OK;
  h2w_options *opt;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *out = NULL;
  opt = h2w_alloc_box(mem, sizeof(*opt), offsetof(h2w_options, alloc), &err);
  if (opt == NULL) {
    return err;
  }
  h2w_opts_defaults(&opt->o);
  *out = opt;
  return H2W_OK;
}

void h2w_options_del(h2w_options *opt) {
  if (opt != NULL) {
    h2w_alloc_unbox(opt, sizeof(*opt), offsetof(h2w_options, alloc));
  }
}

static int out_of_range(uint32_t v, uint32_t lo, uint32_t hi) {
  return v < lo || v > hi;
}

/* A setter whose value must lie in [lo, hi]. */
#define OPT_RANGE(name, field, lo, hi)                                         \
  int h2w_options_set_##name(h2w_options *opt, uint32_t v) {                   \
    if (opt == NULL || out_of_range(v, (uint32_t)(lo), (uint32_t)(hi))) {      \
      return H2W_E_INVALID_ARGUMENT;                                           \
    }                                                                          \
    opt->o.field = v;                                                          \
    return H2W_OK;                                                             \
  }

OPT_RANGE(max_concurrent_streams, max_concurrent_streams, 0, UINT32_MAX)
/* RFC 9113 §6.5.2 / §6.9.1 bounds. */
OPT_RANGE(initial_window_size, initial_window_size, 0, H2W_MAX_WINDOW_SIZE)
OPT_RANGE(connection_window_size, connection_window_size,
          H2W_DEFAULT_WINDOW_SIZE, H2W_MAX_WINDOW_SIZE)
OPT_RANGE(max_frame_size, max_frame_size, H2W_MIN_MAX_FRAME_SIZE,
          H2W_MAX_MAX_FRAME_SIZE)
OPT_RANGE(max_header_list_size, max_header_list_size, 1, UINT32_MAX)
OPT_RANGE(max_header_fields, max_header_fields, 1, UINT32_MAX)
OPT_RANGE(header_table_size, header_table_size, 0, UINT32_MAX)
OPT_RANGE(encoder_table_size, encoder_table_size, 0, UINT32_MAX)
OPT_RANGE(settings_timeout, settings_timeout_ms, 0, UINT32_MAX)
OPT_RANGE(max_control_queue, max_control_queue, 1, UINT32_MAX)
OPT_RANGE(shutdown_timeout, shutdown_timeout_ms, 0, UINT32_MAX)

int h2w_options_set_glitch_limit(h2w_options *opt, uint32_t burst,
                                 uint32_t per_second) {
  if (opt == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.glitch_burst = burst;
  opt->o.glitch_rate = per_second;
  return H2W_OK;
}

int h2w_options_set_reset_limit(h2w_options *opt, uint32_t burst,
                                uint32_t per_second) {
  if (opt == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.reset_burst = burst;
  opt->o.reset_rate = per_second;
  return H2W_OK;
}

int h2w_options_set_memory_budget(h2w_options *opt, size_t bytes) {
  if (opt == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.memory_budget = bytes;
  return H2W_OK;
}

int h2w_options_set_keepalive(h2w_options *opt, uint32_t interval_ms,
                              uint32_t timeout_ms) {
  /* A timeout without an interval would never start. */
  if (opt == NULL || (interval_ms == 0 && timeout_ms != 0) ||
      (interval_ms != 0 && timeout_ms == 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.keepalive_interval_ms = interval_ms;
  opt->o.keepalive_timeout_ms = timeout_ms;
  return H2W_OK;
}

OPT_RANGE(idle_timeout, idle_timeout_ms, 0, UINT32_MAX)
OPT_RANGE(max_extension_payload, max_extension_payload, 0,
          H2W_MAX_MAX_FRAME_SIZE)

int h2w_options_set_manual_flow_control(h2w_options *opt, int on) {
  if (opt == NULL || (on != 0 && on != 1)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.manual_flow_control = (uint8_t)on;
  return H2W_OK;
}

int h2w_options_set_enable_push(h2w_options *opt, int on) {
  if (opt == NULL || (on != 0 && on != 1)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.enable_push = (uint8_t)on;
  return H2W_OK;
}

int h2w_options_set_enable_connect_protocol(h2w_options *opt, int on) {
  if (opt == NULL || (on != 0 && on != 1)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.enable_connect_protocol = (uint8_t)on;
  return H2W_OK;
}

int h2w_options_set_validate_messages(h2w_options *opt, int on) {
  if (opt == NULL || (on != 0 && on != 1)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  opt->o.validate_messages = (uint8_t)on;
  return H2W_OK;
}

/* ---- copied header lists ------------------------------------------------ */

/* Lists of up to NVBUF_FAST_N fields with no length above NVBUF_FAST_LEN
 * cannot make the sum wrap, whatever the width of size_t (at most
 * 2 * 2^14 * (SIZE_MAX >> 16) octets, about SIZE_MAX / 2): one OR per
 * field finds out, and only a list past that takes the checked sum. */
#define NVBUF_FAST_N 16384u
#define NVBUF_FAST_LEN (SIZE_MAX >> 16)

size_t h2w_nvbuf_size(const h2w_nv *nva, size_t n, size_t *octets) {
  size_t i, bytes = 0, big = 0, fixed;
  if (n > (SIZE_MAX - offsetof(h2w_nvbuf, nv)) / sizeof(h2w_nv)) {
    return SIZE_MAX;
  }
  fixed = offsetof(h2w_nvbuf, nv) + n * sizeof(h2w_nv);
  for (i = 0; i < n; i++) {
    bytes += nva[i].namelen + nva[i].valuelen;
    big |= nva[i].namelen | nva[i].valuelen;
  }
  if (n > NVBUF_FAST_N || big > NVBUF_FAST_LEN) {
    for (bytes = 0, i = 0; i < n; i++) {
      if (nva[i].namelen > SIZE_MAX - bytes ||
          nva[i].valuelen > SIZE_MAX - bytes - nva[i].namelen) {
        return SIZE_MAX;
      }
      bytes += nva[i].namelen + nva[i].valuelen;
    }
  }
  if (bytes > SIZE_MAX - fixed) {
    return SIZE_MAX;
  }
  *octets = bytes;
  return fixed + bytes;
}

int h2w_nvbuf_fill(h2w_nvbuf *b, const h2w_nv *nva, size_t n) {
  size_t room = b->size - offsetof(h2w_nvbuf, nv), i;
  uint8_t *p, *start;
  if (n > room / sizeof(h2w_nv)) {
    return 0;
  }
  room -= n * sizeof(h2w_nv);
  start = p = (uint8_t *)(b->nv + n);
  for (i = 0; i < n; i++) {
    size_t nl = nva[i].namelen, vl = nva[i].valuelen;
    /* Against what is left, so that no sum is formed that could wrap. */
    if (nl > room || vl > room - nl) {
      return 0;
    }
    room -= nl + vl;
    b->nv[i] = nva[i];
    h2w_copy_any(p, nva[i].name, nl);
    b->nv[i].name = p;
    p += nl;
    h2w_copy_any(p, nva[i].value, vl);
    b->nv[i].value = p;
    p += vl;
  }
  b->n = n;
  b->octets = (size_t)(p - start);
  return 1;
}

h2w_nvbuf *h2w_nvbuf_new_sized(h2w_alloc *a, const h2w_nv *nva, size_t n,
                               size_t size) {
  h2w_nvbuf *b = size != SIZE_MAX ? h2w_alloc_malloc(a, size) : NULL;
  if (b == NULL) {
    return NULL;
  }
  b->size = size;
  b->next_free = NULL;
  (void)h2w_nvbuf_fill(b, nva, n); /* sized for it: fits */
  return b;
}

void h2w_nvbuf_free(h2w_alloc *a, h2w_nvbuf *b) {
  if (b != NULL) {
    h2w_alloc_free(a, b, b->size);
  }
}

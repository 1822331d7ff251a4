#include "settings.h"

#include <string.h>

#include "flow.h"

void h2w_settings_init(h2w_settings *s) {
  s->header_table_size = 4096;
  s->enable_push = 1;
  s->max_concurrent_streams = H2W_SETTINGS_UNLIMITED;
  s->initial_window_size = H2W_DEFAULT_WINDOW_SIZE;
  s->max_frame_size = H2W_MIN_MAX_FRAME_SIZE;
  s->max_header_list_size = H2W_SETTINGS_UNLIMITED;
  s->enable_connect_protocol = 0;
  s->no_rfc7540_priorities = 0;
}

int h2w_settings_check(const h2w_settings *current, uint16_t id, uint32_t value,
                       int is_server_peer, uint32_t *wire_code) {
  switch (id) {
  case H2W_SETTINGS_ENABLE_PUSH:
    /* RFC 9113 §6.5.2: only 0 or 1, and a server must never send 1. */
    if (value > 1 || (is_server_peer && value == 1)) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    if (value > H2W_MAX_WINDOW_SIZE) {
      *wire_code = H2W_FLOW_CONTROL_ERROR;
      return H2W_E_FLOW_CONTROL;
    }
    break;
  case H2W_SETTINGS_MAX_FRAME_SIZE:
    if (value < H2W_MIN_MAX_FRAME_SIZE || value > H2W_MAX_MAX_FRAME_SIZE) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  case H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    /* RFC 8441 §3: 0 or 1, and once 1 it must not go back to 0. */
    if (value > 1 || (current->enable_connect_protocol == 1 && value == 0)) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  case H2W_SETTINGS_NO_RFC7540_PRIORITIES:
    /* RFC 9218 §2.1: 0 or 1. */
    if (value > 1) {
      *wire_code = H2W_PROTOCOL_ERROR;
      return H2W_E_PROTOCOL;
    }
    break;
  default:
    break;
  }
  return H2W_OK;
}

static uint32_t *field(h2w_settings *s, uint16_t id) {
  switch (id) {
  case H2W_SETTINGS_HEADER_TABLE_SIZE:
    return &s->header_table_size;
  case H2W_SETTINGS_ENABLE_PUSH:
    return &s->enable_push;
  case H2W_SETTINGS_MAX_CONCURRENT_STREAMS:
    return &s->max_concurrent_streams;
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    return &s->initial_window_size;
  case H2W_SETTINGS_MAX_FRAME_SIZE:
    return &s->max_frame_size;
  case H2W_SETTINGS_MAX_HEADER_LIST_SIZE:
    return &s->max_header_list_size;
  case H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return &s->enable_connect_protocol;
  case H2W_SETTINGS_NO_RFC7540_PRIORITIES:
    return &s->no_rfc7540_priorities;
  default:
    return NULL;
  }
}

void h2w_settings_set(h2w_settings *s, uint16_t id, uint32_t value) {
  uint32_t *f = field(s, id);
  if (f != NULL) {
    *f = value;
  }
}

uint32_t h2w_settings_get(const h2w_settings *s, uint16_t id, int *known) {
  /* field() does not write through the pointer here. */
  uint32_t *f = field((h2w_settings *)(uintptr_t)s, id);
  if (known != NULL) {
    *known = f != NULL;
  }
  return f != NULL ? *f : 0;
}

const char *h2w_settings_name(uint16_t id) {
  switch (id) {
  case H2W_SETTINGS_HEADER_TABLE_SIZE:
    return "SETTINGS_HEADER_TABLE_SIZE";
  case H2W_SETTINGS_ENABLE_PUSH:
    return "SETTINGS_ENABLE_PUSH";
  case H2W_SETTINGS_MAX_CONCURRENT_STREAMS:
    return "SETTINGS_MAX_CONCURRENT_STREAMS";
  case H2W_SETTINGS_INITIAL_WINDOW_SIZE:
    return "SETTINGS_INITIAL_WINDOW_SIZE";
  case H2W_SETTINGS_MAX_FRAME_SIZE:
    return "SETTINGS_MAX_FRAME_SIZE";
  case H2W_SETTINGS_MAX_HEADER_LIST_SIZE:
    return "SETTINGS_MAX_HEADER_LIST_SIZE";
  case H2W_SETTINGS_ENABLE_CONNECT_PROTOCOL:
    return "SETTINGS_ENABLE_CONNECT_PROTOCOL";
  case H2W_SETTINGS_NO_RFC7540_PRIORITIES:
    return "SETTINGS_NO_RFC7540_PRIORITIES";
  default:
    return "UNKNOWN";
  }
}

void h2w_settings_pending_init(h2w_settings_pending *p) {
  memset(p, 0, sizeof(*p));
}

int h2w_settings_pending_push(h2w_settings_pending *p,
                              const h2w_settings *local,
                              const h2w_settings_entry *iv, size_t n) {
  h2w_settings next;
  uint32_t code;
  size_t i;
  if (n > 0 && iv == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (p->len == H2W_SETTINGS_MAX_PENDING) {
    return H2W_E_LIMIT;
  }
  next = p->len == 0
             ? *local
             : p->after[(p->head + p->len - 1u) % H2W_SETTINGS_MAX_PENDING];
  for (i = 0; i < n; i++) {
    /* Our own values obey the ranges we demand of the peer (§6.5.2); a
     * client may announce ENABLE_PUSH 0 or 1, so check as from a client. */
    if (h2w_settings_check(&next, iv[i].id, iv[i].value, 0, &code) != H2W_OK) {
      return H2W_E_INVALID_ARGUMENT;
    }
    h2w_settings_set(&next, iv[i].id, iv[i].value);
  }
  p->after[(p->head + p->len) % H2W_SETTINGS_MAX_PENDING] = next;
  p->len++;
  return H2W_OK;
}

int h2w_settings_pending_ack(h2w_settings_pending *p, h2w_settings *local) {
  if (p->len == 0) {
    return H2W_E_PROTOCOL;
  }
  *local = p->after[p->head];
  p->head = (uint8_t)((p->head + 1u) % H2W_SETTINGS_MAX_PENDING);
  p->len--;
  return H2W_OK;
}

/* Names and descriptions of the three value spaces of h2wire.h: library
 * results, RFC 9113 §7 wire error codes. */
#include "cold.h"
#include "h2wire.h"

#include <stddef.h>

typedef struct err_row {
  int code;
  const char *name;
  const char *text;
} err_row;

static const err_row err_rows[] = {
    {H2W_OK, "H2W_OK", "success"},
    {H2W_E_INVALID_ARGUMENT, "H2W_E_INVALID_ARGUMENT", "invalid argument"},
    {H2W_E_NOMEM, "H2W_E_NOMEM", "out of memory"},
    {H2W_E_BUFFER_TOO_SMALL, "H2W_E_BUFFER_TOO_SMALL",
     "output buffer too small"},
    {H2W_E_TRUNCATED, "H2W_E_TRUNCATED", "input truncated"},
    {H2W_E_COMPRESSION, "H2W_E_COMPRESSION", "header compression error"},
    {H2W_E_LIMIT, "H2W_E_LIMIT", "configured limit exceeded"},
    {H2W_E_PROTOCOL, "H2W_E_PROTOCOL", "protocol error"},
    {H2W_E_FRAME_SIZE, "H2W_E_FRAME_SIZE", "invalid frame size"},
    {H2W_E_FLOW_CONTROL, "H2W_E_FLOW_CONTROL", "flow-control error"},
    {H2W_E_INVALID_STATE, "H2W_E_INVALID_STATE",
     "operation invalid in this state"},
    {H2W_E_CALLBACK_FAILURE, "H2W_E_CALLBACK_FAILURE", "callback failed"},
    {H2W_E_PAUSE, "H2W_E_PAUSE", "paused by callback"},
    {H2W_E_STREAM_ID_EXHAUSTED, "H2W_E_STREAM_ID_EXHAUSTED",
     "stream identifiers exhausted"},
    {H2W_E_FLOODED, "H2W_E_FLOODED", "peer flooded the connection"},
    {H2W_E_CLOSED, "H2W_E_CLOSED", "closed after a fatal error"},
    {H2W_E_DEFERRED, "H2W_E_DEFERRED", "no data available yet"},
    {H2W_E_TIMEOUT, "H2W_E_TIMEOUT", "timed out on the caller's clock"},
};

static const err_row *find_err(int err) {
  size_t i;
  for (i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++) {
    if (err_rows[i].code == err) {
      return &err_rows[i];
    }
  }
  return NULL;
}

H2W_COLD const char *h2w_strerror(int err) {
  const err_row *r = find_err(err);
  return r != NULL ? r->text : "unknown error";
}

H2W_COLD const char *h2w_error_name(int err) {
  const err_row *r = find_err(err);
  return r != NULL ? r->name : "H2W_E_UNKNOWN";
}

/* RFC 9113 §7, in code order. */
static const char *const wire_names[] = {
    "NO_ERROR",
    "PROTOCOL_ERROR",
    "INTERNAL_ERROR",
    "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT",
    "STREAM_CLOSED",
    "FRAME_SIZE_ERROR",
    "REFUSED_STREAM",
    "CANCEL",
    "COMPRESSION_ERROR",
    "CONNECT_ERROR",
    "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY",
    "HTTP_1_1_REQUIRED",
};

H2W_COLD const char *h2w_http2_error_name(uint32_t code) {
  if (code < sizeof(wire_names) / sizeof(wire_names[0])) {
    return wire_names[code];
  }
  return "UNKNOWN_ERROR";
}

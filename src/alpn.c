/* ALPN (RFC 7301) protocol selection for HTTP/2 over TLS (RFC 9113 §3.2).
 * TLS itself stays with the caller; this only reads the peer's list. */
#include "h2wire.h"

#include <string.h>

/* The ProtocolNameList of RFC 7301 §3.1 has a 16-bit length, so no real
 * list is longer than this. */
#define ALPN_LIST_MAX 0xffffu

int h2w_alpn_select(const uint8_t *in, size_t inlen, const uint8_t **out,
                    uint8_t *outlen) {
  const uint8_t *found = NULL;
  size_t i = 0;
  if (out == NULL || outlen == NULL || (in == NULL && inlen != 0)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  /* RFC 7301 §3.1: at least one name, and "empty strings MUST NOT be
   * included and byte strings MUST NOT be truncated". The whole list is
   * checked before any answer, so h2 followed by garbage is refused. */
  if (inlen == 0 || inlen > ALPN_LIST_MAX) {
    return H2W_E_PROTOCOL;
  }
  while (i < inlen) {
    size_t n = in[i];
    if (n == 0 || n > inlen - i - 1) {
      return H2W_E_PROTOCOL;
    }
    /* Identifiers are compared octet for octet (RFC 7301 §6): "h2c" or
     * "H2" is not h2, and h2c is never negotiated over TLS (RFC 9113
     * §3.1). */
    if (found == NULL && n == H2W_ALPN_H2_LEN &&
        memcmp(in + i + 1, H2W_ALPN_H2, H2W_ALPN_H2_LEN) == 0) {
      found = in + i + 1;
    }
    i += 1 + n;
  }
  if (found == NULL) {
    return H2W_E_INVALID_STATE;
  }
  *out = found;
  *outlen = (uint8_t)H2W_ALPN_H2_LEN;
  return H2W_OK;
}

/* libFuzzer differential target (issue 15 §2): an h2wire server and a
 * libnghttp2 client in one process, both driven by the input; see
 * diff_peer.h for the input, the actions and the oracle, and
 * fuzz/README.md for the allowlist. */
#include "diff_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return dx_run(data, size, 1);
}

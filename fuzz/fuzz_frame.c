/* libFuzzer harness for the frame layer (src/frame*.c).
 * Input: [seed][limit] then a byte stream. `seed` drives the piece sizes
 * fed to the incremental reader, `limit` the max frame size. Every frame
 * the reader yields is decoded; every frame that decodes is re-encoded,
 * and the result must equal the input frame in canonical form (undefined
 * flags dropped, reserved bits cleared, padding zeroed: RFC 9113 §4.1,
 * §6.1) and decode cleanly again. Any mismatch aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

/* Flags each type defines (RFC 9113 §6); unknown types keep them all. */
static uint8_t defined_flags(uint8_t type) {
  static const uint8_t known[] = {0x09, 0x2d, 0, 0,    0x01, 0x0c,
                                  0x01, 0,    0, 0x04, 0};
  if (type < sizeof known) {
    return known[type];
  }
  return type == H2W_FRAME_ORIGIN || type == H2W_FRAME_PRIORITY_UPDATE ? 0
                                                                       : 0xff;
}

/* What the encoder must produce for this frame. */
static void canonical(uint8_t *out, const h2w_frame *f, const uint8_t *pl) {
  h2w_frame_hd hd = f->hd;
  uint8_t *p = out + H2W_FRAME_HD_LEN;
  hd.flags &= defined_flags(hd.type);
  h2w_frame_pack_hd(out, H2W_FRAME_HD_LEN, &hd);
  if (hd.length != 0) {
    memcpy(p, pl, hd.length);
  }
  if ((hd.flags & H2W_FLAG_PADDED) && hd.type <= H2W_FRAME_PUSH_PROMISE) {
    /* DATA, HEADERS, PUSH_PROMISE: Pad Length is the first octet. */
    memset(p + hd.length - p[0], 0, p[0]);
  }
  switch (hd.type) {
  case H2W_FRAME_PUSH_PROMISE:
    p[(hd.flags & H2W_FLAG_PADDED) ? 1 : 0] &= 0x7f;
    break;
  case H2W_FRAME_GOAWAY:
  case H2W_FRAME_WINDOW_UPDATE:
  case H2W_FRAME_PRIORITY_UPDATE:
    p[0] &= 0x7f;
    break;
  default:
    break;
  }
}

static void check_frame(const h2w_frame_hd *hd, const uint8_t *payload) {
  h2w_frame f, g;
  h2w_frame_err err;
  size_t total = H2W_FRAME_HD_LEN + hd->length;
  uint8_t *enc, *want;
  h2w_ssize n;
  int rv = h2w_frame_decode(hd, payload, &f, &err);
  if (rv < 0) {
    int size = err.code == H2W_FRAME_SIZE_ERROR;
    if (err.reason == NULL || (rv == H2W_E_FRAME_SIZE) != size ||
        (err.scope != H2W_FRAME_SCOPE_CONNECTION &&
         err.scope != H2W_FRAME_SCOPE_STREAM)) {
      abort();
    }
    return;
  }
  if (f.hd.type != hd->type || f.hd.flags != hd->flags) {
    abort();
  }
  if (rv == H2W_FRAME_IGNORED) {
    if (err.scope != H2W_FRAME_SCOPE_IGNORE) {
      abort();
    }
    return;
  }
  enc = malloc(total + 1);
  want = malloc(total);
  if (enc == NULL || want == NULL) {
    abort();
  }
  n = h2w_frame_encode(enc, total, &f);
  if (hd->type == H2W_FRAME_WINDOW_UPDATE && f.u.window_update.increment == 0) {
    /* Accepted on receipt (the session decides, RFC 9113 §6.9), refused
     * on send. */
    if (n != H2W_E_INVALID_ARGUMENT) {
      abort();
    }
  } else {
    canonical(want, &f, payload);
    if (n != (h2w_ssize)total || memcmp(enc, want, total) != 0 ||
        h2w_frame_encode(enc, total - 1, &f) != H2W_E_BUFFER_TOO_SMALL) {
      abort();
    }
    h2w_frame_hd_unpack(&g.hd, enc);
    if (h2w_frame_decode(&g.hd, enc + H2W_FRAME_HD_LEN, &g, NULL) != H2W_OK) {
      abort();
    }
  }
  free(enc);
  free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  h2w_alloc a;
  h2w_frame_reader r;
  uint32_t seed;
  size_t pos = 2, piece_at = 0;
  if (size < 2) {
    return 0;
  }
  seed = 0x9e3779b9u ^ data[0];
  if (h2w_alloc_init(&a, NULL) != H2W_OK ||
      h2w_frame_reader_init(&r, &a) != H2W_OK ||
      h2w_frame_reader_set_max_frame_size(&r, 16384u + data[1] * 256u) !=
          H2W_OK) {
    abort();
  }
  if (data[1] & 1) {
    /* DATA passed through in pieces, as a session reads it. */
    r.pass_types = 1u << H2W_FRAME_DATA;
  }
  while (pos < size) {
    size_t len = size - pos, used;
    const uint8_t *payload;
    h2w_frame_hd hd;
    h2w_frame_err err;
    int rv;
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    if (data[0] != 0) { /* seed 0: the whole stream in one piece */
      size_t cap = (seed & 0x100) ? len : 16;
      len = 1 + seed % cap < len ? 1 + seed % cap : len;
    }
    rv = h2w_frame_reader_next(&r, data + pos, len, &used, &hd, &payload, &err);
    if (used > len || (rv == H2W_OK && used != len)) {
      abort();
    }
    pos += used;
    if (rv == H2W_FRAME_READY) {
      check_frame(&hd, payload);
      piece_at = 0;
    } else if (rv == H2W_FRAME_PIECE) {
      /* In order, never empty, inside this call's input, within the
       * frame; the last one ends it. */
      if (hd.type != H2W_FRAME_DATA || r.piece_len == 0 ||
          r.piece_off != piece_at || r.piece_off + r.piece_len > hd.length ||
          payload < data + pos - used || payload + r.piece_len > data + pos) {
        abort();
      }
      piece_at += r.piece_len;
      if (piece_at == hd.length) {
        piece_at = 0;
      }
    } else if (rv == H2W_E_FRAME_SIZE) {
      /* Only a header over the limit may cause it (RFC 9113 §4.2). */
      if (err.code != H2W_FRAME_SIZE_ERROR ||
          err.scope != H2W_FRAME_SCOPE_CONNECTION ||
          r.hd.length <= r.max_frame_size) {
        abort();
      }
      break;
    } else if (rv != H2W_OK) {
      abort();
    }
  }
  h2w_frame_reader_free(&r);
  if (a.in_use != 0) {
    abort();
  }
  return 0;
}

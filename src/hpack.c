/* Public standalone HPACK API (h2wire.h): each handle is the internal
 * codec struct followed by the allocator it uses, in one allocation. */
#include "hpack.h"

#include <stddef.h>

typedef struct dec_box {
  h2w_hpack_decoder dec; /* first: the public handle points here */
  h2w_alloc alloc;
} dec_box;

typedef struct enc_box {
  h2w_hpack_encoder enc; /* first: the public handle points here */
  h2w_alloc alloc;
} enc_box;

int h2w_hpack_encoder_new(h2w_hpack_encoder **out, const h2w_mem *mem) {
  h2w_alloc a;
  enc_box *b;
  int rv;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *out = NULL;
  rv = h2w_alloc_init(&a, mem);
  if (rv != H2W_OK) {
    return rv;
  }
  b = h2w_alloc_malloc(&a, sizeof(*b));
  if (b == NULL) {
    return H2W_E_NOMEM;
  }
  b->alloc = a;
  h2w_hpack_encoder_init(&b->enc, &b->alloc);
  *out = &b->enc;
  return H2W_OK;
}

void h2w_hpack_encoder_del(h2w_hpack_encoder *enc) {
  enc_box *b = (enc_box *)(void *)enc;
  h2w_alloc a;
  if (enc == NULL) {
    return;
  }
  h2w_hpack_encoder_free(&b->enc);
  a = b->alloc;
  h2w_alloc_free(&a, b, sizeof(*b));
}

int h2w_hpack_encoder_set_max_table_size(h2w_hpack_encoder *enc,
                                         uint32_t size) {
  if (enc == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_hpack_encoder_limits(enc, size, enc->cap);
  return H2W_OK;
}

int h2w_hpack_encoder_set_table_size_cap(h2w_hpack_encoder *enc, uint32_t cap) {
  if (enc == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  h2w_hpack_encoder_limits(enc, enc->peer_max, cap);
  return H2W_OK;
}

int h2w_hpack_encoder_set_huffman(h2w_hpack_encoder *enc, int mode) {
  if (enc == NULL || (mode != 0 && mode != 1)) {
    return H2W_E_INVALID_ARGUMENT;
  }
  enc->huffman = (uint8_t)mode;
  return H2W_OK;
}

size_t h2w_hpack_encode_bound(const h2w_hpack_encoder *enc, const h2w_nv *nva,
                              size_t nvlen) {
  if (nva == NULL && nvlen > 0) {
    return SIZE_MAX;
  }
  return h2w_hpack_encoder_bound(enc, nva, nvlen);
}

h2w_ssize h2w_hpack_encode(h2w_hpack_encoder *enc, uint8_t *buf, size_t cap,
                           const h2w_nv *nva, size_t nvlen) {
  if (enc == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return h2w_hpack_encoder_encode(enc, buf, cap, nva, nvlen);
}

size_t h2w_hpack_encoder_table_size(const h2w_hpack_encoder *enc) {
  return enc == NULL ? 0 : enc->table.size;
}

int h2w_hpack_decoder_new(h2w_hpack_decoder **out, const h2w_mem *mem) {
  h2w_alloc a;
  dec_box *b;
  int rv;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  *out = NULL;
  rv = h2w_alloc_init(&a, mem);
  if (rv != H2W_OK) {
    return rv;
  }
  b = h2w_alloc_malloc(&a, sizeof(*b));
  if (b == NULL) {
    return H2W_E_NOMEM;
  }
  b->alloc = a;
  h2w_hpack_decoder_init(&b->dec, &b->alloc);
  *out = &b->dec;
  return H2W_OK;
}

void h2w_hpack_decoder_del(h2w_hpack_decoder *dec) {
  dec_box *b = (dec_box *)(void *)dec;
  h2w_alloc a;
  if (dec == NULL) {
    return;
  }
  h2w_hpack_decoder_free(&b->dec);
  a = b->alloc;
  h2w_alloc_free(&a, b, sizeof(*b));
}

int h2w_hpack_decoder_set_max_table_size(h2w_hpack_decoder *dec,
                                         uint32_t size) {
  if (dec == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return h2w_hpack_decoder_settings(dec, size);
}

int h2w_hpack_decoder_set_max_header_list_size(h2w_hpack_decoder *dec,
                                               uint32_t size) {
  if (dec == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  dec->max_list = size;
  return H2W_OK;
}

int h2w_hpack_decoder_set_max_fields(h2w_hpack_decoder *dec, uint32_t n) {
  if (dec == NULL || n == 0) {
    return H2W_E_INVALID_ARGUMENT;
  }
  dec->max_fields = n;
  return H2W_OK;
}

int h2w_hpack_decode(h2w_hpack_decoder *dec, const uint8_t *in, size_t len,
                     uint32_t flags, h2w_hpack_field_cb cb, void *user) {
  if (dec == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  return h2w_hpack_decoder_decode(dec, in, len, (flags & H2W_HPACK_FINAL) != 0,
                                  cb, user);
}

size_t h2w_hpack_decoder_table_size(const h2w_hpack_decoder *dec) {
  return dec == NULL ? 0 : dec->table.size;
}

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
  enc_box *b;
  int rv;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  b = h2w_alloc_box(mem, sizeof(*b), offsetof(enc_box, alloc), &rv);
  *out = NULL;
  if (b != NULL) {
    h2w_hpack_encoder_init(&b->enc, &b->alloc);
    *out = &b->enc;
  }
  return rv;
}

void h2w_hpack_encoder_del(h2w_hpack_encoder *enc) {
  if (enc != NULL) {
    h2w_hpack_encoder_free(enc);
    h2w_alloc_unbox(enc, sizeof(enc_box), offsetof(enc_box, alloc));
  }
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
  dec_box *b;
  int rv;
  if (out == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  b = h2w_alloc_box(mem, sizeof(*b), offsetof(dec_box, alloc), &rv);
  *out = NULL;
  if (b != NULL) {
    h2w_hpack_decoder_init(&b->dec, &b->alloc);
    *out = &b->dec;
  }
  return rv;
}

void h2w_hpack_decoder_del(h2w_hpack_decoder *dec) {
  if (dec != NULL) {
    h2w_hpack_decoder_free(dec);
    h2w_alloc_unbox(dec, sizeof(dec_box), offsetof(dec_box, alloc));
  }
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
  h2w_hpack_decoder_list_cap(dec, size);
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

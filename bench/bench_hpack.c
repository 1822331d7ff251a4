/* HPACK (RFC 7541) workloads of h2w-bench: decode every encoder folder of
 * hpack-test-case, encode raw-data, and compare compressed sizes. Both
 * libraries get the same in-memory input; correctness is checked outside
 * the timed region, field by field, before any speed is reported. */
#include "bench.h"
#include "hpack_corpus.h"

#include <h2wire.h>
#include <nghttp2/nghttp2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The folder whose decode speed is reported as plain "hpack_decode":
 * nghttp2's own output is the most realistic encoder mix in the corpus. */
#define MAIN_DECODE_FOLDER "nghttp2"
#define RAW_FOLDER "raw-data"

typedef struct hp_set {
  char folder[64];
  h2w_corpus_story *stories;
  size_t nstories;
  uint64_t nfields; /* fields in one pass over the set */
  uint64_t nbytes;  /* name + value octets in one pass */
} hp_set;

/* Validation state: the case being decoded and the next expected field.
 * NULL in timed passes, which only count. */
typedef struct hp_check {
  const char *path;
  size_t caseno;
  const h2w_corpus_case *c;
  size_t next;
  int bad;
} hp_check;

typedef struct hp_count {
  uint64_t fields, bytes;
  hp_check *check;
} hp_count;

static void free_set(hp_set *set) {
  size_t i;
  for (i = 0; i < set->nstories; i++) {
    h2w_corpus_free_story(&set->stories[i]);
  }
  free(set->stories);
  memset(set, 0, sizeof(*set));
}

static int load_set(const bench_ctx *ctx, const char *folder, hp_set *set) {
  char dir[1024], err[1024];
  char **paths;
  size_t n, i, k;
  memset(set, 0, sizeof(*set));
  snprintf(set->folder, sizeof(set->folder), "%s", folder);
  snprintf(dir, sizeof(dir), "%s/%s", ctx->corpus, folder);
  if (h2w_corpus_list(dir, &paths, &n, err, sizeof(err)) < 0) {
    fprintf(stderr, "h2w-bench: %s\n", err);
    return -1;
  }
  set->stories = calloc(n + 1, sizeof(*set->stories));
  for (i = 0; set->stories != NULL && i < n; i++) {
    if (h2w_corpus_load_story(paths[i], &set->stories[i], err, sizeof(err))) {
      fprintf(stderr, "h2w-bench: %s\n", err);
      break;
    }
    set->nstories++;
    for (k = 0; k < set->stories[i].ncases; k++) {
      const h2w_corpus_case *c = &set->stories[i].cases[k];
      size_t f;
      set->nfields += c->nfields;
      for (f = 0; f < c->nfields; f++) {
        set->nbytes += c->fields[f].namelen + c->fields[f].valuelen;
      }
    }
  }
  h2w_corpus_free_list(paths, n);
  if (set->stories == NULL || set->nstories != n) {
    free_set(set);
    return -1;
  }
  if (set->nfields == 0) {
    /* Nothing to time: a rate over no work would be meaningless. */
    fprintf(stderr, "h2w-bench: %s: no header fields found\n", dir);
    free_set(set);
    return -1;
  }
  return 0;
}

/* Compare one decoded field with the corpus (validation only). */
static void check_field(hp_check *k, const uint8_t *name, size_t namelen,
                        const uint8_t *value, size_t valuelen) {
  const h2w_corpus_field *f;
  if (k->bad) {
    return;
  }
  f = k->next < k->c->nfields ? &k->c->fields[k->next] : NULL;
  if (f == NULL || f->namelen != namelen || f->valuelen != valuelen ||
      memcmp(f->name, name, namelen) != 0 ||
      memcmp(f->value, value, valuelen) != 0) {
    fprintf(stderr, "h2w-bench: %s case %zu field %zu: decoded \"%.*s: %.*s\"",
            k->path, k->caseno, k->next, (int)namelen, (const char *)name,
            (int)valuelen, (const char *)value);
    if (f != NULL) {
      fprintf(stderr, ", corpus has \"%s: %s\"\n", (const char *)f->name,
              (const char *)f->value);
    } else {
      fprintf(stderr, ", corpus has only %zu fields\n", k->c->nfields);
    }
    k->bad = 1;
  }
  k->next++;
}

static void check_begin(hp_check *k, const char *path, size_t caseno,
                        const h2w_corpus_case *c) {
  if (k != NULL) {
    k->path = path;
    k->caseno = caseno;
    k->c = c;
    k->next = 0;
  }
}

static int check_end(hp_check *k) {
  if (k == NULL) {
    return 0;
  }
  if (!k->bad && k->next != k->c->nfields) {
    fprintf(stderr,
            "h2w-bench: %s case %zu: %zu fields decoded, corpus "
            "has %zu\n",
            k->path, k->caseno, k->next, k->c->nfields);
    k->bad = 1;
  }
  return k->bad ? -1 : 0;
}

/* ---- h2wire side (public API only) -------------------------------------- */

static int h2w_count_cb(void *user, const h2w_nv *nv) {
  hp_count *cnt = user;
  cnt->fields++;
  cnt->bytes += nv->namelen + nv->valuelen;
  return 0;
}

static int h2w_check_cb(void *user, const h2w_nv *nv) {
  hp_count *cnt = user;
  check_field(cnt->check, nv->name, nv->namelen, nv->value, nv->valuelen);
  return h2w_count_cb(user, nv);
}

static int h2w_decode_block(h2w_hpack_decoder *dec, const uint8_t *in,
                            size_t len, hp_count *cnt, const char *path,
                            size_t caseno) {
  int rc = h2w_hpack_decode(dec, in, len, H2W_HPACK_FINAL,
                            cnt->check ? h2w_check_cb : h2w_count_cb, cnt);
  if (rc != H2W_OK) {
    fprintf(stderr, "h2w-bench: h2wire: %s case %zu: %s\n", path, caseno,
            h2w_error_name(rc));
    return -1;
  }
  return 0;
}

/* The corpus's header_table_size is our SETTINGS_HEADER_TABLE_SIZE, acked
 * just before the case (hpack-test-case README; RFC 7541 §4.2). */
static int h2w_decode_story(const h2w_corpus_story *s, hp_count *cnt) {
  h2w_hpack_decoder *dec;
  size_t i;
  int rc = 0;
  if (h2w_hpack_decoder_new(&dec, NULL) != H2W_OK) {
    fprintf(stderr, "h2w-bench: h2w_hpack_decoder_new failed\n");
    return -1;
  }
  for (i = 0; i < s->ncases && rc == 0; i++) {
    const h2w_corpus_case *c = &s->cases[i];
    check_begin(cnt->check, s->path, i, c);
    if (c->has_table_size && h2w_hpack_decoder_set_max_table_size(
                                 dec, c->header_table_size) != H2W_OK) {
      fprintf(stderr, "h2w-bench: h2wire: %s case %zu: set_max_table_size\n",
              s->path, i);
      rc = -1;
      break;
    }
    rc = h2w_decode_block(dec, c->wire, c->wirelen, cnt, s->path, i);
    if (rc == 0) {
      rc = check_end(cnt->check);
    }
  }
  h2w_hpack_decoder_del(dec);
  return rc;
}

/* ---- nghttp2 side ------------------------------------------------------- */

/* The documented nghttp2_hd_inflate_hd2 loop; like the h2wire callback it
 * only counts, so neither side pays for copies the other skips. */
static int ngh_decode_block(nghttp2_hd_inflater *inf, const uint8_t *in,
                            size_t left, hp_count *cnt, const char *path,
                            size_t caseno) {
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, left, 1);
    if (rv < 0) {
      fprintf(stderr, "h2w-bench: nghttp2: %s case %zu: %s\n", path, caseno,
              nghttp2_strerror((int)rv));
      return -1;
    }
    in += rv;
    left -= (size_t)rv;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      if (cnt->check != NULL) {
        check_field(cnt->check, nv.name, nv.namelen, nv.value, nv.valuelen);
      }
      cnt->fields++;
      cnt->bytes += nv.namelen + nv.valuelen;
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inf);
      return 0;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) {
      fprintf(stderr, "h2w-bench: nghttp2: %s case %zu: block not final\n",
              path, caseno);
      return -1;
    }
  }
}

static int ngh_decode_story(const h2w_corpus_story *s, hp_count *cnt) {
  nghttp2_hd_inflater *inf;
  size_t i;
  int rc = 0;
  if (nghttp2_hd_inflate_new2(&inf, NULL) != 0) {
    fprintf(stderr, "h2w-bench: nghttp2_hd_inflate_new2 failed\n");
    return -1;
  }
  for (i = 0; i < s->ncases && rc == 0; i++) {
    const h2w_corpus_case *c = &s->cases[i];
    check_begin(cnt->check, s->path, i, c);
    if (c->has_table_size &&
        nghttp2_hd_inflate_change_table_size(inf, c->header_table_size) != 0) {
      fprintf(stderr, "h2w-bench: nghttp2: %s case %zu: change_table_size\n",
              s->path, i);
      rc = -1;
      break;
    }
    rc = ngh_decode_block(inf, c->wire, c->wirelen, cnt, s->path, i);
    if (rc == 0) {
      rc = check_end(cnt->check);
    }
  }
  nghttp2_hd_inflate_del(inf);
  return rc;
}

/* ---- decode workloads --------------------------------------------------- */

static int decode_set(const hp_set *set, int lib, hp_count *cnt) {
  size_t i;
  for (i = 0; i < set->nstories; i++) {
    int rc = lib == BENCH_H2WIRE ? h2w_decode_story(&set->stories[i], cnt)
                                 : ngh_decode_story(&set->stories[i], cnt);
    if (rc != 0) {
      return -1;
    }
  }
  return 0;
}

static int decode_pass(void *arg, int lib, unsigned long loops,
                       uint64_t *units) {
  const hp_set *set = arg;
  hp_count cnt = {0, 0, NULL};
  unsigned long l;
  for (l = 0; l < loops; l++) {
    if (decode_set(set, lib, &cnt) != 0) {
      return -1;
    }
  }
  /* The count doubles as a cheap check that nothing was skipped. */
  if (cnt.fields != set->nfields * loops || cnt.bytes != set->nbytes * loops) {
    fprintf(stderr, "h2w-bench: %s: %s decoded %llu fields, expected %llu\n",
            set->folder, lib == BENCH_H2WIRE ? "h2wire" : "nghttp2",
            (unsigned long long)cnt.fields,
            (unsigned long long)(set->nfields * loops));
    return -1;
  }
  *units = cnt.fields;
  return 0;
}

static int validate_decode(const hp_set *set) {
  int lib;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
    hp_check k;
    hp_count cnt = {0, 0, NULL};
    memset(&k, 0, sizeof(k));
    cnt.check = &k;
    if (decode_set(set, lib, &cnt) != 0 || cnt.fields != set->nfields) {
      fprintf(stderr, "h2w-bench: folder %s: %s decoding failed validation\n",
              set->folder, lib == BENCH_H2WIRE ? "h2wire" : "nghttp2");
      return -1;
    }
  }
  return 0;
}

static void decode_name(char *buf, size_t cap, const char *folder) {
  char *p;
  if (strcmp(folder, MAIN_DECODE_FOLDER) == 0) {
    snprintf(buf, cap, "hpack_decode");
    return;
  }
  snprintf(buf, cap, "hpack_decode_%s", folder);
  for (p = buf; *p != '\0'; p++) {
    if (*p == '-') {
      *p = '_';
    }
  }
}

static int run_decode(bench_ctx *ctx, const char *folder, const char *name) {
  hp_set set;
  int rc;
  if (load_set(ctx, folder, &set) != 0) {
    return -1;
  }
  rc = validate_decode(&set);
  if (rc == 0) {
    rc = bench_compare_rates(ctx, name, "fields", decode_pass, &set);
  }
  free_set(&set);
  return rc;
}

/* ---- encode workloads --------------------------------------------------- */

/* raw-data, with every field already in both libraries' nv layouts so the
 * timed loop converts nothing. */
typedef struct hp_enc {
  hp_set set;
  h2w_nv *h2w_nva;     /* every field of every case, in corpus order */
  nghttp2_nv *ngh_nva; /* the same fields */
  uint8_t *buf;
  size_t cap;
  size_t max_bound;    /* largest encode bound seen while validating */
  uint64_t h2w_octets; /* compressed size of one pass, per library */
  uint64_t ngh_octets;
} hp_enc;

static void free_enc(hp_enc *e) {
  free_set(&e->set);
  free(e->h2w_nva);
  free(e->ngh_nva);
  free(e->buf);
  memset(e, 0, sizeof(*e));
}

static int prepare_enc(const bench_ctx *ctx, hp_enc *e) {
  size_t i, k, f, at = 0;
  memset(e, 0, sizeof(*e));
  if (load_set(ctx, RAW_FOLDER, &e->set) != 0) {
    return -1;
  }
  e->h2w_nva = calloc(e->set.nfields + 1, sizeof(*e->h2w_nva));
  e->ngh_nva = calloc(e->set.nfields + 1, sizeof(*e->ngh_nva));
  if (e->h2w_nva == NULL || e->ngh_nva == NULL) {
    fprintf(stderr, "h2w-bench: out of memory\n");
    return -1;
  }
  for (i = 0; i < e->set.nstories; i++) {
    for (k = 0; k < e->set.stories[i].ncases; k++) {
      const h2w_corpus_case *c = &e->set.stories[i].cases[k];
      for (f = 0; f < c->nfields; f++, at++) {
        const h2w_corpus_field *cf = &c->fields[f];
        h2w_nv *a = &e->h2w_nva[at];
        nghttp2_nv *b = &e->ngh_nva[at];
        a->name = cf->name;
        a->namelen = cf->namelen;
        a->value = cf->value;
        a->valuelen = cf->valuelen;
        b->name = cf->name;
        b->namelen = cf->namelen;
        b->value = cf->value;
        b->valuelen = cf->valuelen;
        b->flags = NGHTTP2_NV_FLAG_NONE;
      }
    }
  }
  return 0;
}

/* Validation hooks: the other library's decoder for the story being
 * encoded, and the check state. NULL in timed passes. */
typedef struct hp_peer {
  h2w_hpack_decoder *h2w_dec;
  nghttp2_hd_inflater *ngh_inf;
  hp_count cnt;
  hp_check check;
} hp_peer;

/* Make sure the output buffer holds `bound`; only validation may grow it,
 * timed passes replay the same states and so need no more. */
static int ensure_cap(hp_enc *e, size_t bound, const hp_peer *peer) {
  uint8_t *nb;
  if (bound > e->max_bound) {
    e->max_bound = bound;
  }
  if (bound <= e->cap) {
    return 0;
  }
  if (peer == NULL) {
    fprintf(stderr, "h2w-bench: encode bound %zu above validated %zu\n", bound,
            e->cap);
    return -1;
  }
  nb = realloc(e->buf, bound);
  if (nb == NULL) {
    fprintf(stderr, "h2w-bench: out of memory\n");
    return -1;
  }
  e->buf = nb;
  e->cap = bound;
  return 0;
}

/* Hand one encoded block to the other library's decoder and compare. */
static int peer_decode(hp_peer *peer, int lib, const h2w_corpus_story *s,
                       size_t caseno, const uint8_t *blk, size_t len) {
  int rc;
  if (bench_dump_block(lib, s->path, caseno, blk, len) != 0) {
    return -1;
  }
  check_begin(&peer->check, s->path, caseno, &s->cases[caseno]);
  if (lib == BENCH_H2WIRE) {
    rc = ngh_decode_block(peer->ngh_inf, blk, len, &peer->cnt, s->path, caseno);
  } else {
    rc = h2w_decode_block(peer->h2w_dec, blk, len, &peer->cnt, s->path, caseno);
  }
  return rc == 0 ? check_end(&peer->check) : -1;
}

static int h2w_encode_story(hp_enc *e, size_t si, size_t *at, hp_count *cnt,
                            hp_peer *peer) {
  const h2w_corpus_story *s = &e->set.stories[si];
  h2w_hpack_encoder *enc;
  size_t k;
  int rc = 0;
  if (h2w_hpack_encoder_new(&enc, NULL) != H2W_OK) {
    fprintf(stderr, "h2w-bench: h2w_hpack_encoder_new failed\n");
    return -1;
  }
  for (k = 0; k < s->ncases && rc == 0; k++) {
    const h2w_nv *nva = &e->h2w_nva[*at];
    size_t n = s->cases[k].nfields;
    h2w_ssize w;
    if (ensure_cap(e, h2w_hpack_encode_bound(enc, nva, n), peer) != 0) {
      rc = -1;
      break;
    }
    w = h2w_hpack_encode(enc, e->buf, e->cap, nva, n);
    if (w < 0) {
      fprintf(stderr, "h2w-bench: h2wire: %s case %zu: encode: %s\n", s->path,
              k, h2w_error_name((int)w));
      rc = -1;
      break;
    }
    cnt->fields += n;
    cnt->bytes += (uint64_t)w;
    *at += n;
    if (peer != NULL) {
      rc = peer_decode(peer, BENCH_H2WIRE, s, k, e->buf, (size_t)w);
    }
  }
  h2w_hpack_encoder_del(enc);
  return rc;
}

static int ngh_encode_story(hp_enc *e, size_t si, size_t *at, hp_count *cnt,
                            hp_peer *peer) {
  const h2w_corpus_story *s = &e->set.stories[si];
  nghttp2_hd_deflater *def;
  size_t k;
  int rc = 0;
  if (nghttp2_hd_deflate_new2(&def, H2W_HPACK_DEFAULT_TABLE_SIZE, NULL) != 0) {
    fprintf(stderr, "h2w-bench: nghttp2_hd_deflate_new2 failed\n");
    return -1;
  }
  for (k = 0; k < s->ncases && rc == 0; k++) {
    const nghttp2_nv *nva = &e->ngh_nva[*at];
    size_t n = s->cases[k].nfields;
    ssize_t w;
    if (ensure_cap(e, nghttp2_hd_deflate_bound(def, nva, n), peer) != 0) {
      rc = -1;
      break;
    }
    w = nghttp2_hd_deflate_hd(def, e->buf, e->cap, nva, n);
    if (w < 0) {
      fprintf(stderr, "h2w-bench: nghttp2: %s case %zu: deflate: %s\n", s->path,
              k, nghttp2_strerror((int)w));
      rc = -1;
      break;
    }
    cnt->fields += n;
    cnt->bytes += (uint64_t)w;
    *at += n;
    if (peer != NULL) {
      rc = peer_decode(peer, BENCH_NGHTTP2, s, k, e->buf, (size_t)w);
    }
  }
  nghttp2_hd_deflate_del(def);
  return rc;
}

/* One pass over raw-data with a fresh encoder per story (a story is one
 * connection's compression context, RFC 7541 §2.2). */
static int encode_set(hp_enc *e, int lib, hp_count *cnt, int validate) {
  size_t i, at = 0;
  for (i = 0; i < e->set.nstories; i++) {
    hp_peer peer, *pp = NULL;
    int rc;
    if (validate) {
      memset(&peer, 0, sizeof(peer));
      peer.cnt.check = &peer.check;
      if (h2w_hpack_decoder_new(&peer.h2w_dec, NULL) != H2W_OK ||
          nghttp2_hd_inflate_new2(&peer.ngh_inf, NULL) != 0) {
        fprintf(stderr, "h2w-bench: cannot create validation decoders\n");
        h2w_hpack_decoder_del(peer.h2w_dec);
        return -1;
      }
      pp = &peer;
    }
    rc = lib == BENCH_H2WIRE ? h2w_encode_story(e, i, &at, cnt, pp)
                             : ngh_encode_story(e, i, &at, cnt, pp);
    if (pp != NULL) {
      h2w_hpack_decoder_del(peer.h2w_dec);
      nghttp2_hd_inflate_del(peer.ngh_inf);
    }
    if (rc != 0) {
      return -1;
    }
  }
  return 0;
}

static int encode_pass(void *arg, int lib, unsigned long loops,
                       uint64_t *units) {
  hp_enc *e = arg;
  hp_count cnt = {0, 0, NULL};
  unsigned long l;
  for (l = 0; l < loops; l++) {
    if (encode_set(e, lib, &cnt, 0) != 0) {
      return -1;
    }
  }
  /* Same input, same state: the output size must replay exactly. */
  if (cnt.bytes !=
      (lib == BENCH_H2WIRE ? e->h2w_octets : e->ngh_octets) * loops) {
    fprintf(stderr, "h2w-bench: %s encoder output is not deterministic\n",
            lib == BENCH_H2WIRE ? "h2wire" : "nghttp2");
    return -1;
  }
  *units = cnt.fields;
  return 0;
}

/* Cross-decode every block and record both compressed sizes. */
static int validate_encode(hp_enc *e) {
  int lib;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
    hp_count cnt = {0, 0, NULL};
    if (encode_set(e, lib, &cnt, 1) != 0 || cnt.fields != e->set.nfields) {
      fprintf(stderr, "h2w-bench: %s encoder failed validation\n",
              lib == BENCH_H2WIRE ? "h2wire" : "nghttp2");
      return -1;
    }
    if (lib == BENCH_H2WIRE) {
      e->h2w_octets = cnt.bytes;
    } else {
      e->ngh_octets = cnt.bytes;
    }
  }
  return 0;
}

static int record_size(bench_ctx *ctx, const hp_enc *e) {
  bench_result r;
  memset(&r, 0, sizeof(r));
  snprintf(r.name, sizeof(r.name), "hpack_size");
  snprintf(r.unit, sizeof(r.unit), "out/in B");
  r.h2w = (double)e->h2w_octets / (double)e->set.nbytes;
  r.ngh = (double)e->ngh_octets / (double)e->set.nbytes;
  r.ratio = (double)e->ngh_octets / (double)e->h2w_octets;
  snprintf(r.note, sizeof(r.note), "%llu vs %llu of %llu B",
           (unsigned long long)e->h2w_octets, (unsigned long long)e->ngh_octets,
           (unsigned long long)e->set.nbytes);
  return bench_record(ctx, &r);
}

static int run_encode(bench_ctx *ctx) {
  hp_enc e;
  int rc = prepare_enc(ctx, &e);
  if (rc == 0) {
    rc = validate_encode(&e);
  }
  if (rc == 0 && bench_selected(ctx, "hpack_encode")) {
    rc = bench_compare_rates(ctx, "hpack_encode", "fields", encode_pass, &e);
  }
  if (rc == 0 && bench_selected(ctx, "hpack_size")) {
    rc = record_size(ctx, &e);
  }
  free_enc(&e);
  return rc;
}

/* ---- family glue -------------------------------------------------------- */

static int is_encoder_folder(const char *name) {
  return strcmp(name, RAW_FOLDER) != 0;
}

static void hpack_list(const bench_ctx *ctx, bench_name_cb cb, void *user) {
  char err[1024], name[96];
  char **folders;
  size_t n, i;
  cb(user, "hpack_decode");
  if (h2w_corpus_folders(ctx->corpus, &folders, &n, err, sizeof(err)) >= 0) {
    for (i = 0; i < n; i++) {
      if (is_encoder_folder(folders[i]) &&
          strcmp(folders[i], MAIN_DECODE_FOLDER) != 0) {
        decode_name(name, sizeof(name), folders[i]);
        cb(user, name);
      }
    }
    h2w_corpus_free_list(folders, n);
  }
  cb(user, "hpack_encode");
  cb(user, "hpack_size");
}

static int hpack_run(bench_ctx *ctx) {
  char err[1024], name[96];
  char **folders;
  size_t n, i;
  int rc = 0;
  if (h2w_corpus_folders(ctx->corpus, &folders, &n, err, sizeof(err)) < 0) {
    fprintf(stderr, "h2w-bench: %s\n", err);
    return -1;
  }
  /* The main folder first, so a partial run still reports the headline. */
  if (bench_selected(ctx, "hpack_decode")) {
    rc = run_decode(ctx, MAIN_DECODE_FOLDER, "hpack_decode");
  }
  for (i = 0; i < n && rc == 0; i++) {
    if (!is_encoder_folder(folders[i]) ||
        strcmp(folders[i], MAIN_DECODE_FOLDER) == 0) {
      continue;
    }
    decode_name(name, sizeof(name), folders[i]);
    if (bench_selected(ctx, name)) {
      rc = run_decode(ctx, folders[i], name);
    }
  }
  h2w_corpus_free_list(folders, n);
  if (rc == 0 && (bench_selected(ctx, "hpack_encode") ||
                  bench_selected(ctx, "hpack_size"))) {
    rc = run_encode(ctx);
  }
  return rc;
}

const bench_family bench_hpack_family = {"hpack", hpack_list, hpack_run};

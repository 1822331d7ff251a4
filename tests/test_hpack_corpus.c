/* The HPACK codec against an hpack-test-case corpus: `test_hpack_corpus DIR
 * subset|full` (see h2w_corpus_args). ctest runs it on the subset shipped in
 * tests/data/hpack-test-case and, as test_hpack_corpus_full, on the whole
 * corpus when H2W_HPACK_TEST_CASE_DIR names one. Every encoder folder
 * decodes to the recorded fields, whole, one octet at a time and split at
 * random points; every raw-data story survives our encoder and decoder at
 * four table sizes; and our compression ratio on raw-data is measured
 * against nghttp2's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpack.h"
#include "test_split.h"
#include "hpack_corpus.h"

/* nghttp2 1.52, table size 4096, fresh encoder per story: compressed
 * octets per octet of name + value over all raw-data stories of the full
 * corpus; the acceptance target is to be at least as good. */
#define NGHTTP2_RATIO 0.3087
/* On the subset the reference is the corpus's own nghttp2 folder (an older
 * nghttp2, same table size), measured by nghttp2_ratio(). Four stories are
 * too few for the acceptance target (h2wire 0.2827 against 0.2799 when
 * the subset was picked, while h2wire wins on the whole corpus), so there
 * the check is a regression guard: within 3% of that reference. */
#define SUBSET_SLACK 1.03

static const char *corpus_dir; /* from the command line */
static int corpus_full;

typedef struct list {
  h2w_nv *nv;
  size_t n, cap;
  uint8_t *store; /* copies of the strings, so they outlive callbacks */
  size_t used, storecap;
} list;

/* Offsets into `store` are kept in the pointers until the list is done,
 * since the store may move while growing. */
static int collect(void *user, const h2w_nv *nv) {
  list *l = user;
  h2w_nv *e;
  if (l->n == l->cap) {
    l->cap = l->cap * 2 + 16;
    l->nv = realloc(l->nv, l->cap * sizeof(*l->nv));
    assert_non_null(l->nv);
  }
  if (l->used + nv->namelen + nv->valuelen > l->storecap) {
    l->storecap = (l->used + nv->namelen + nv->valuelen) * 2 + 256;
    l->store = realloc(l->store, l->storecap);
    assert_non_null(l->store);
  }
  e = &l->nv[l->n++];
  *e = *nv;
  if (nv->namelen > 0) {
    memcpy(l->store + l->used, nv->name, nv->namelen);
  }
  e->name = (const uint8_t *)(uintptr_t)l->used;
  l->used += nv->namelen;
  if (nv->valuelen > 0) {
    memcpy(l->store + l->used, nv->value, nv->valuelen);
  }
  e->value = (const uint8_t *)(uintptr_t)l->used;
  l->used += nv->valuelen;
  return 0;
}

static void list_check(const list *l, const h2w_corpus_case *c,
                       const char *path, size_t ci) {
  size_t i;
  if (l->n != c->nfields) {
    fail_msg("%s case %zu: %zu fields, want %zu", path, ci, l->n, c->nfields);
  }
  for (i = 0; i < l->n; i++) {
    const h2w_nv *e = &l->nv[i];
    const h2w_corpus_field *f = &c->fields[i];
    size_t no = (size_t)(uintptr_t)e->name, vo = (size_t)(uintptr_t)e->value;
    if (e->namelen != f->namelen || e->valuelen != f->valuelen ||
        memcmp(l->store + no, f->name, f->namelen) != 0 ||
        memcmp(l->store + vo, f->value, f->valuelen) != 0) {
      fail_msg("%s case %zu field %zu differs (want %s: %s)", path, ci, i,
               (const char *)f->name, (const char *)f->value);
    }
  }
}

static void list_free(list *l) {
  free(l->nv);
  free(l->store);
  memset(l, 0, sizeof(*l));
}

/* Feed one block in pieces (test_split.h); the last carries FINAL. */
static int feed(h2w_hpack_decoder *d, const uint8_t *p, size_t n, int mode,
                uint32_t *seed, list *o) {
  return h2w_test_hpack_feed(d, p, n, mode, seed, 23, collect, o);
}

static char **folders(size_t *n) {
  char err[512];
  char **names;
  if (h2w_corpus_folders(corpus_dir, &names, n, err, sizeof(err)) < 0) {
    fail_msg("hpack-test-case corpus missing at %s: %s", corpus_dir, err);
  }
  return names;
}

static void load(const char *path, h2w_corpus_story *s) {
  char err[512];
  if (h2w_corpus_load_story(path, s, err, sizeof(err)) != 0) {
    fail_msg("%s", err);
  }
}

static char **stories(const char *folder, size_t *n) {
  char err[512], dir[1024];
  char **paths;
  snprintf(dir, sizeof(dir), "%s/%s", corpus_dir, folder);
  if (h2w_corpus_list(dir, &paths, n, err, sizeof(err)) < 0) {
    fail_msg("%s", err);
  }
  return paths;
}

static void decode_story(const h2w_corpus_story *s, int mode, uint32_t *seed) {
  h2w_hpack_decoder *d;
  size_t ci;
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  for (ci = 0; ci < s->ncases; ci++) {
    const h2w_corpus_case *c = &s->cases[ci];
    list l = {0};
    int rv;
    if (c->has_table_size) {
      assert_int_equal(
          h2w_hpack_decoder_set_max_table_size(d, c->header_table_size),
          H2W_OK);
    }
    rv = feed(d, c->wire, c->wirelen, mode, seed, &l);
    if (rv != H2W_OK) {
      fail_msg("%s case %zu mode %d: %s", s->path, ci, mode,
               h2w_error_name(rv));
    }
    list_check(&l, c, s->path, ci);
    list_free(&l);
  }
  h2w_hpack_decoder_del(d);
}

static void test_corpus_decode(void **state) {
  size_t nf, f, total = 0;
  char **names = folders(&nf);
  uint32_t seed = 2024;
  (void)state;
  for (f = 0; f < nf; f++) {
    size_t ns, i;
    char **paths;
    if (strcmp(names[f], "raw-data") == 0) {
      continue;
    }
    paths = stories(names[f], &ns);
    for (i = 0; i < ns; i++) {
      h2w_corpus_story s;
      int mode;
      load(paths[i], &s);
      for (mode = 0; mode < H2W_SPLIT_MODES; mode++) {
        decode_story(&s, mode, &seed);
      }
      total++;
      h2w_corpus_free_story(&s);
    }
    h2w_corpus_free_list(paths, ns);
  }
  h2w_corpus_free_list(names, nf);
  printf("decoded %zu corpus stories (%s), 3 ways each\n", total,
         corpus_full ? "full corpus" : "shipped subset");
  /* 11 encoder folders: 32 stories each in the full corpus, 4 in the
   * subset. */
  assert_true(total >= (corpus_full ? 300u : 44u));
}

/* Octets of wire per octet of name + value in the corpus's nghttp2 folder,
 * over the stories that raw-data has too. */
static double nghttp2_ratio(void) {
  size_t ns, i, ci, k, wire = 0, plain = 0;
  char **paths = stories("nghttp2", &ns);
  for (i = 0; i < ns; i++) {
    h2w_corpus_story s;
    load(paths[i], &s);
    for (ci = 0; ci < s.ncases; ci++) {
      wire += s.cases[ci].wirelen;
      for (k = 0; k < s.cases[ci].nfields; k++) {
        plain += s.cases[ci].fields[k].namelen + s.cases[ci].fields[k].valuelen;
      }
    }
    h2w_corpus_free_story(&s);
  }
  h2w_corpus_free_list(paths, ns);
  assert_true(plain > 0);
  return (double)wire / (double)plain;
}

static h2w_nv *case_fields(const h2w_corpus_case *c) {
  h2w_nv *nva = calloc(c->nfields + 1, sizeof(*nva));
  size_t i;
  assert_non_null(nva);
  for (i = 0; i < c->nfields; i++) {
    nva[i].name = c->fields[i].name;
    nva[i].namelen = c->fields[i].namelen;
    nva[i].value = c->fields[i].value;
    nva[i].valuelen = c->fields[i].valuelen;
  }
  return nva;
}

/* Encode a story, decode it back (random splits), compare. Returns the
 * encoded octets; *plain gets the name + value octets. */
static size_t roundtrip_story(const h2w_corpus_story *s, uint32_t size,
                              size_t *plain, uint32_t *seed) {
  h2w_hpack_encoder *e;
  h2w_hpack_decoder *d;
  size_t ci, total = 0, k;
  assert_int_equal(h2w_hpack_encoder_new(&e, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_new(&d, NULL), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_table_size_cap(e, size), H2W_OK);
  assert_int_equal(h2w_hpack_encoder_set_max_table_size(e, size), H2W_OK);
  assert_int_equal(h2w_hpack_decoder_set_max_table_size(d, size), H2W_OK);
  for (ci = 0; ci < s->ncases; ci++) {
    const h2w_corpus_case *c = &s->cases[ci];
    h2w_nv *nva = case_fields(c);
    size_t cap = h2w_hpack_encode_bound(e, nva, c->nfields);
    uint8_t *buf = malloc(cap);
    list l = {0};
    h2w_ssize n;
    assert_non_null(buf);
    n = h2w_hpack_encode(e, buf, cap, nva, c->nfields);
    assert_true(n >= 0);
    assert_int_equal(feed(d, buf, (size_t)n, H2W_SPLIT_RANDOM, seed, &l),
                     H2W_OK);
    list_check(&l, c, s->path, ci);
    assert_int_equal(h2w_hpack_encoder_table_size(e),
                     h2w_hpack_decoder_table_size(d));
    total += (size_t)n;
    for (k = 0; k < c->nfields; k++) {
      *plain += c->fields[k].namelen + c->fields[k].valuelen;
    }
    list_free(&l);
    free(buf);
    free(nva);
  }
  h2w_hpack_encoder_del(e);
  h2w_hpack_decoder_del(d);
  return total;
}

static void test_corpus_roundtrip_and_ratio(void **state) {
  static const uint32_t sizes[] = {0, 256, 4096, 16384};
  size_t ns, i, z, enc[4] = {0}, plain[4] = {0};
  char **paths = stories("raw-data", &ns);
  uint32_t seed = 77;
  double reference;
  (void)state;
  assert_true(ns > 0);
  for (i = 0; i < ns; i++) {
    h2w_corpus_story s;
    load(paths[i], &s);
    for (z = 0; z < 4; z++) {
      enc[z] += roundtrip_story(&s, sizes[z], &plain[z], &seed);
    }
    h2w_corpus_free_story(&s);
  }
  h2w_corpus_free_list(paths, ns);
  for (z = 0; z < 4; z++) {
    printf("raw-data, table %5u: %zu -> %zu octets, ratio %.4f\n",
           (unsigned)sizes[z], plain[z], enc[z],
           (double)enc[z] / (double)plain[z]);
  }
  /* At least as good as nghttp2 at 4096 (see NGHTTP2_RATIO). */
  if (corpus_full) {
    reference = NGHTTP2_RATIO;
    printf("nghttp2 1.52 ratio on the full corpus: %.4f\n", reference);
  } else {
    reference = nghttp2_ratio();
    printf("the corpus's nghttp2 output: ratio %.4f; limit %.4f\n", reference,
           reference * SUBSET_SLACK);
    reference *= SUBSET_SLACK;
  }
  assert_true((double)enc[2] / (double)plain[2] <= reference);
}

int main(int argc, char **argv) {
  int rc = h2w_corpus_args(argc, argv, &corpus_dir, &corpus_full);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus_decode),
      cmocka_unit_test(test_corpus_roundtrip_and_ratio),
  };
  if (rc >= 0) {
    return rc;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}

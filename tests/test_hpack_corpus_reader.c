/* tests/support/hpack_corpus.c: the strict JSON story reader and the corpus
 * listing, on hand-written snippets and on a real hpack-test-case tree:
 * `test_hpack_corpus_reader DIR subset|full` (see h2w_corpus_args), the
 * subset shipped in tests/data/hpack-test-case or the whole corpus. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "hpack_corpus.h"

static const char *corpus_dir; /* from the command line */
static int corpus_full;

/* A story exercising every escape, raw UTF-8, nested members to skip, all
 * literal kinds and numbers, and both optional members present/absent. */
static const char good_story[] =
    "{\n"
    "  \"description\": {\"nested\": [1, -2.5e+3, 0.25, 1E2, true, false,"
    " null, [], {}], \"s\": \"x\\\"y\"},\n"
    "  \"cases\": [\n"
    "    {\"seqno\": 0, \"header_table_size\": 16384,\n"
    "     \"wire\": \"00ff0AbC\",\n"
    "     \"headers\": [{\":method\": \"GET\"},\n"
    "                 {\"esc\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"},\n"
    "                 {\"u\\u0041\": \"\\u00e9\\u20ac\\ud83d\\ude00\"},\n"
    "                 {\"raw\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"},\n"
    "                 {\"nul\": \"a\\u0000b\"},\n"
    "                 {\"\": \"\"}]},\n"
    "    {\"extra\": [[[]]], \"headers\": []}\n"
    "  ],\n"
    "  \"context\": \"request\"\n"
    "}\n";

static void expect_field(const h2w_corpus_field *f, const char *name,
                         size_t namelen, const char *value, size_t valuelen) {
  assert_int_equal(f->namelen, namelen);
  assert_memory_equal(f->name, name, namelen + 1);
  assert_int_equal(f->valuelen, valuelen);
  assert_memory_equal(f->value, value, valuelen + 1);
}

static void check_good_story(const h2w_corpus_story *s) {
  static const uint8_t wire[] = {0x00, 0xff, 0x0a, 0xbc};
  const h2w_corpus_case *c;
  assert_int_equal(s->ncases, 2);
  c = &s->cases[0];
  assert_int_equal(c->has_table_size, 1);
  assert_int_equal(c->header_table_size, 16384);
  assert_int_equal(c->has_wire, 1);
  assert_int_equal(c->wirelen, 4);
  assert_memory_equal(c->wire, wire, 4);
  assert_int_equal(c->nfields, 6);
  expect_field(&c->fields[0], ":method", 7, "GET", 3);
  expect_field(&c->fields[1], "esc", 3, "\"\\/\b\f\n\r\t", 8);
  expect_field(&c->fields[2], "uA", 2, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
               9);
  expect_field(&c->fields[3], "raw", 3, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
               9);
  expect_field(&c->fields[4], "nul", 3, "a\0b", 3);
  expect_field(&c->fields[5], "", 0, "", 0);
  c = &s->cases[1];
  assert_int_equal(c->has_table_size, 0);
  assert_int_equal(c->header_table_size, 4096);
  assert_int_equal(c->has_wire, 0);
  assert_null(c->wire);
  assert_int_equal(c->wirelen, 0);
  assert_int_equal(c->nfields, 0);
}

static void test_parse_good(void **state) {
  h2w_corpus_story s;
  char err[256] = "";
  (void)state;
  assert_int_equal(h2w_corpus_parse_story("mem.json", good_story,
                                          sizeof(good_story) - 1, &s, err,
                                          sizeof(err)),
                   0);
  assert_string_equal(s.path, "mem.json");
  check_good_story(&s);
  h2w_corpus_free_story(&s);
  assert_null(s.cases);
  assert_int_equal(s.ncases, 0);
  h2w_corpus_free_story(&s); /* zeroed: a no-op */
  h2w_corpus_free_story(NULL);
}

/* Strictness means no proper prefix of a document is a document: each cut
 * must fail with a message, and nothing may leak (ASan checks). */
static void test_every_prefix_fails(void **state) {
  size_t len = sizeof(good_story) - 1, cut;
  (void)state;
  for (cut = 0; cut < len; cut++) {
    h2w_corpus_story s;
    char err[256] = "";
    /* Trailing whitespace after the final '}' is still a full document. */
    if (cut >= len - 1) {
      continue;
    }
    assert_int_equal(h2w_corpus_parse_story("cut.json", good_story, cut, &s,
                                            err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "cut.json:"));
    assert_null(s.cases);
    assert_null(s.path);
  }
}

typedef struct bad_doc {
  const char *json;
  const char *reason; /* expected in the message */
  const char *where;  /* expected "path:line:col" prefix */
} bad_doc;

static const bad_doc bad_docs[] = {
    {"", "expected an object", "b.json:1:1:"},
    {"[]", "expected an object", "b.json:1:1:"},
    {"{\"cases\": [", "expected an object", "b.json:1:12:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"b", "unterminated string",
     "b.json:1:33:"},
    {"{\"cases\": [{\"wire\": \"0g\", \"headers\": []}]}", "bad hex digit",
     "b.json:1:21:"},
    {"{\"cases\": [{\"wire\": \"abc\", \"headers\": []}]}", "odd number",
     "b.json:1:21:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\\x\"}]}]}", "bad escape",
     "b.json:1:33:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\\u12g4\"}]}]}", "bad hex digit",
     "b.json:1:34:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\\u12\"}]}]}", "bad hex digit",
     "b.json:1:34:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\\udc00\"}]}]}", "lone low",
     "b.json:1:38:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\\ud800x\"}]}]}",
     "high surrogate not followed", "b.json:1:38:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\\ud800\\u0041\"}]}]}",
     "high surrogate not followed", "b.json:1:44:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\t\"}]}]}", "control character",
     "b.json:1:32:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\xc0\xaf\"}]}]}", "invalid UTF-8",
     "b.json:1:32:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\xed\xa0\x80\"}]}]}",
     "invalid UTF-8", "b.json:1:32:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"\xe2\x82\"}]}]}", "invalid UTF-8",
     "b.json:1:32:"},
    {"{\"cases\": [{\"headers\": [{\"a\": \"b\", \"c\": \"d\"}]}]}",
     "exactly one member", "b.json:1:41:"},
    {"{\"cases\": [{\"headers\": [{}]}]}", "exactly one member",
     "b.json:1:27:"},
    {"{\"cases\": [{\"headers\": [{\"a\": 1}]}]}", "expected a string",
     "b.json:1:31:"},
    {"{\"cases\": [{\"headers\": [],}]}", "expected a string", "b.json:1:27:"},
    {"{\"cases\": [{\"headers\": []},]}", "expected an object", "b.json:1:28:"},
    {"{\"cases\": []} x", "trailing data", "b.json:1:15:"},
    {"{\"cases\": []}{}", "trailing data", "b.json:1:14:"},
    {"{\"description\": \"no cases\"}", "without \"cases\"", "b.json:1:28:"},
    {"{\"cases\": [], \"cases\": []}", "duplicate \"cases\"", "b.json:1:24:"},
    {"{\"cases\": [{\"seqno\": 0}]}", "without \"headers\"", "b.json:1:23:"},
    {"{\"cases\": [{\"headers\": [], \"headers\": []}]}", "duplicate member",
     "b.json:1:39:"},
    {"{\"cases\": [{\"header_table_size\": -1, \"headers\": []}]}",
     "non-negative integer", "b.json:1:36:"},
    {"{\"cases\": [{\"header_table_size\": 1.5, \"headers\": []}]}",
     "non-negative integer", "b.json:1:37:"},
    {"{\"cases\": [{\"header_table_size\": 4294967296, \"headers\": []}]}",
     "non-negative integer", "b.json:1:44:"},
    {"{\"cases\": [{\"header_table_size\": \"4096\", \"headers\": []}]}",
     "expected a number", "b.json:1:34:"},
    {"{\"cases\": [{\"seqno\": 01, \"headers\": []}]}", "leading zero",
     "b.json:1:22:"},
    {"{\"x\": 1., \"cases\": []}", "after '.'", "b.json:1:9:"},
    {"{\"x\": 1e, \"cases\": []}", "in exponent", "b.json:1:9:"},
    {"{\"x\": -, \"cases\": []}", "expected a digit", "b.json:1:8:"},
    {"{\"x\": tru, \"cases\": []}", "unexpected character", "b.json:1:7:"},
    {"{\"x\" 1, \"cases\": []}", "expected ':'", "b.json:1:6:"},
    {"{\"x\": 1 \"cases\": []}", "expected ',' or '}'", "b.json:1:9:"},
    {"{\"x\": [1 2], \"cases\": []}", "expected ',' or ']'", "b.json:1:10:"},
    {"{\n\"cases\": [\n{\"wire\": \"zz\", \"headers\": []}]}", "bad hex digit",
     "b.json:3:10:"},
};

static void test_bad_documents(void **state) {
  size_t i, failures = 0;
  (void)state;
  for (i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
    h2w_corpus_story s;
    char err[256] = "";
    int r =
        h2w_corpus_parse_story("b.json", bad_docs[i].json,
                               strlen(bad_docs[i].json), &s, err, sizeof(err));
    if (r != -1 || strstr(err, bad_docs[i].reason) == NULL ||
        strncmp(err, bad_docs[i].where, strlen(bad_docs[i].where)) != 0) {
      print_error("doc %zu: r=%d err=\"%s\"\n", i, r, err);
      failures++;
    }
    assert_null(s.cases);
  }
  assert_int_equal(failures, 0);
}

static void test_deep_nesting_rejected(void **state) {
  char doc[400];
  size_t i, n = 0;
  h2w_corpus_story s;
  char err[256] = "";
  (void)state;
  n += (size_t)snprintf(doc, sizeof(doc), "{\"cases\": [], \"x\": ");
  for (i = 0; i < 100; i++) {
    doc[n++] = '[';
  }
  for (i = 0; i < 100; i++) {
    doc[n++] = ']';
  }
  doc[n++] = '}';
  assert_int_equal(
      h2w_corpus_parse_story("deep.json", doc, n, &s, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "nesting too deep"));
}

static void test_small_err_buffer(void **state) {
  h2w_corpus_story s;
  char err[8];
  (void)state;
  memset(err, 'x', sizeof(err));
  assert_int_equal(
      h2w_corpus_parse_story("long-name.json", "[", 1, &s, err, sizeof(err)),
      -1);
  assert_int_equal(err[7], '\0');
  assert_string_equal(err, "long-na");
  /* No buffer at all is allowed too. */
  assert_int_equal(h2w_corpus_parse_story("x", "[", 1, &s, NULL, 0), -1);
  assert_int_equal(h2w_corpus_parse_story("x", NULL, 1, &s, err, sizeof(err)),
                   -1);
}

/* ---- files and folders -------------------------------------------------- */

typedef struct tmpdir {
  char root[64];
} tmpdir;

static void write_file(const char *path, const char *data) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
  assert_int_equal(fclose(f), 0);
}

static void join(char *out, size_t cap, const char *a, const char *b) {
  int n = snprintf(out, cap, "%s/%s", a, b);
  assert_true(n > 0 && (size_t)n < cap);
}

static int make_tree(void **state) {
  tmpdir *t = malloc(sizeof(*t));
  char p[128];
  assert_non_null(t);
  strcpy(t->root, "/tmp/h2w_corpus_XXXXXX");
  assert_non_null(mkdtemp(t->root));
  join(p, sizeof(p), t->root, "zeta");
  assert_int_equal(mkdir(p, 0700), 0);
  join(p, sizeof(p), t->root, "alpha");
  assert_int_equal(mkdir(p, 0700), 0);
  join(p, sizeof(p), t->root, "alpha/story_01.json");
  write_file(p, good_story);
  join(p, sizeof(p), t->root, "alpha/story_00.json");
  write_file(p, "{\"cases\": [{\"headers\": [{\"k\": \"v\"}]}]}");
  join(p, sizeof(p), t->root, "alpha/notes.txt");
  write_file(p, "not a story");
  join(p, sizeof(p), t->root, "alpha/story_02.json");
  assert_int_equal(mkdir(p, 0700), 0); /* a directory, not a story */
  join(p, sizeof(p), t->root, "README.md");
  write_file(p, "a file, not a folder");
  *state = t;
  return 0;
}

static int remove_tree(void **state) {
  static const char *const files[] = {"alpha/story_01.json",
                                      "alpha/story_00.json", "alpha/notes.txt",
                                      "README.md"};
  static const char *const dirs[] = {"alpha/story_02.json", "alpha", "zeta"};
  tmpdir *t = *state;
  char p[128];
  size_t i;
  for (i = 0; i < 4; i++) {
    join(p, sizeof(p), t->root, files[i]);
    unlink(p);
  }
  for (i = 0; i < 3; i++) {
    join(p, sizeof(p), t->root, dirs[i]);
    rmdir(p);
  }
  rmdir(t->root);
  free(t);
  return 0;
}

static void test_load_from_file(void **state) {
  tmpdir *t = *state;
  char p[128], err[256] = "";
  h2w_corpus_story s;
  join(p, sizeof(p), t->root, "alpha/story_01.json");
  assert_int_equal(h2w_corpus_load_story(p, &s, err, sizeof(err)), 0);
  assert_string_equal(s.path, p);
  check_good_story(&s);
  h2w_corpus_free_story(&s);
  join(p, sizeof(p), t->root, "alpha/missing.json");
  assert_int_equal(h2w_corpus_load_story(p, &s, err, sizeof(err)), -1);
  assert_non_null(strstr(err, p));
  assert_non_null(strstr(err, "cannot open"));
  assert_null(s.path);
  join(p, sizeof(p), t->root, "alpha/notes.txt");
  assert_int_equal(h2w_corpus_load_story(p, &s, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "notes.txt:1:1: expected an object"));
}

static void test_list_stories(void **state) {
  tmpdir *t = *state;
  char p[128], want[128], err[256] = "";
  char **paths;
  size_t n = 99;
  join(p, sizeof(p), t->root, "alpha");
  assert_int_equal(h2w_corpus_list(p, &paths, &n, err, sizeof(err)), 2);
  assert_int_equal(n, 2);
  join(want, sizeof(want), p, "story_00.json");
  assert_string_equal(paths[0], want);
  join(want, sizeof(want), p, "story_01.json");
  assert_string_equal(paths[1], want);
  h2w_corpus_free_list(paths, n);
  join(p, sizeof(p), t->root, "zeta");
  assert_int_equal(h2w_corpus_list(p, &paths, &n, err, sizeof(err)), 0);
  assert_int_equal(n, 0);
  h2w_corpus_free_list(paths, n);
  join(p, sizeof(p), t->root, "nosuch");
  assert_int_equal(h2w_corpus_list(p, &paths, &n, err, sizeof(err)), -1);
  assert_non_null(strstr(err, p));
  assert_null(paths);
  assert_int_equal(n, 0);
}

static void test_list_folders(void **state) {
  tmpdir *t = *state;
  char p[128], err[256] = "";
  char **names;
  size_t n = 0;
  assert_int_equal(h2w_corpus_folders(t->root, &names, &n, err, sizeof(err)),
                   2);
  assert_string_equal(names[0], "alpha");
  assert_string_equal(names[1], "zeta");
  h2w_corpus_free_list(names, n);
  join(p, sizeof(p), t->root, "README.md");
  assert_int_equal(h2w_corpus_folders(p, &names, &n, err, sizeof(err)), -1);
  assert_non_null(strstr(err, p));
  assert_int_equal(h2w_corpus_folders(NULL, &names, &n, err, sizeof(err)), -1);
  h2w_corpus_free_list(NULL, 0);
}

/* ---- the real corpus ---------------------------------------------------- */

typedef struct folder_counts {
  const char *name;
  size_t stories, cases, fields;
} folder_counts;

/* Counted by this reader on the corpus snapshot of upstream commit 8a1406e;
 * the two nghttp2 variants lack story_31. */
static const folder_counts full_counts[] = {
    {"go-hpack", 32, 3384, 39359},
    {"haskell-http2-linear", 32, 3384, 39359},
    {"haskell-http2-linear-huffman", 32, 3384, 39359},
    {"haskell-http2-naive", 32, 3384, 39359},
    {"haskell-http2-naive-huffman", 32, 3384, 39359},
    {"haskell-http2-static", 32, 3384, 39359},
    {"haskell-http2-static-huffman", 32, 3384, 39359},
    {"nghttp2", 32, 3384, 39359},
    {"nghttp2-16384-4096", 31, 3267, 38037},
    {"nghttp2-change-table-size", 31, 3267, 38037},
    {"python-hpack", 32, 3384, 39359},
    {"raw-data", 32, 3384, 39359},
};
/* The shipped subset: stories 00, 01, 08 and 24 of every folder (see
 * tests/data/hpack-test-case/README.md). */
static const folder_counts subset_counts[] = {
    {"go-hpack", 4, 48, 481},
    {"haskell-http2-linear", 4, 48, 481},
    {"haskell-http2-linear-huffman", 4, 48, 481},
    {"haskell-http2-naive", 4, 48, 481},
    {"haskell-http2-naive-huffman", 4, 48, 481},
    {"haskell-http2-static", 4, 48, 481},
    {"haskell-http2-static-huffman", 4, 48, 481},
    {"nghttp2", 4, 48, 481},
    {"nghttp2-16384-4096", 4, 48, 481},
    {"nghttp2-change-table-size", 4, 48, 481},
    {"python-hpack", 4, 48, 481},
    {"raw-data", 4, 48, 481},
};
#define NFOLDERS (sizeof(full_counts) / sizeof(full_counts[0]))

static void same_headers(const h2w_corpus_story *a, const h2w_corpus_story *b) {
  size_t i, k;
  assert_int_equal(a->ncases, b->ncases);
  for (i = 0; i < a->ncases; i++) {
    const h2w_corpus_case *x = &a->cases[i], *y = &b->cases[i];
    assert_int_equal(x->nfields, y->nfields);
    for (k = 0; k < x->nfields; k++) {
      assert_int_equal(x->fields[k].namelen, y->fields[k].namelen);
      assert_memory_equal(x->fields[k].name, y->fields[k].name,
                          x->fields[k].namelen);
      assert_int_equal(x->fields[k].valuelen, y->fields[k].valuelen);
      assert_memory_equal(x->fields[k].value, y->fields[k].value,
                          x->fields[k].valuelen);
    }
  }
}

static void check_folder(const folder_counts *want, size_t *sized) {
  char dir[512], rawdir[512], raw[1024], err[512] = "";
  char **paths;
  size_t n, i, k, cases = 0, fields = 0;
  int is_raw = strcmp(want->name, "raw-data") == 0;
  join(dir, sizeof(dir), corpus_dir, want->name);
  assert_int_equal(h2w_corpus_list(dir, &paths, &n, err, sizeof(err)),
                   (int)want->stories);
  for (i = 0; i < n; i++) {
    h2w_corpus_story s, r;
    const char *base = strrchr(paths[i], '/') + 1;
    if (h2w_corpus_load_story(paths[i], &s, err, sizeof(err)) != 0) {
      print_error("%s\n", err);
      fail();
    }
    cases += s.ncases;
    for (k = 0; k < s.ncases; k++) {
      fields += s.cases[k].nfields;
      assert_int_equal(s.cases[k].has_wire, !is_raw);
      *sized += (size_t)s.cases[k].has_table_size;
    }
    /* Every encoder encoded the same header lists as raw-data. */
    join(rawdir, sizeof(rawdir), corpus_dir, "raw-data");
    join(raw, sizeof(raw), rawdir, base);
    assert_int_equal(h2w_corpus_load_story(raw, &r, err, sizeof(err)), 0);
    same_headers(&s, &r);
    h2w_corpus_free_story(&r);
    h2w_corpus_free_story(&s);
  }
  h2w_corpus_free_list(paths, n);
  assert_int_equal(cases, want->cases);
  assert_int_equal(fields, want->fields);
}

static void test_real_corpus_folders(void **state) {
  const folder_counts *want = corpus_full ? full_counts : subset_counts;
  char **names;
  size_t n, i, sized = 0;
  char err[512] = "";
  (void)state;
  assert_int_equal(h2w_corpus_folders(corpus_dir, &names, &n, err, sizeof(err)),
                   (int)NFOLDERS);
  for (i = 0; i < n; i++) {
    assert_string_equal(names[i], want[i].name);
    check_folder(&want[i], &sized);
  }
  h2w_corpus_free_list(names, n);
  /* header_table_size appears in every go-hpack case, once per
   * nghttp2-16384-4096 story and twice per change-table-size story. */
  if (corpus_full) {
    assert_int_equal(sized, 3384 + 31 + 31 * 2);
  } else {
    assert_int_equal(sized, 48 + 4 + 4 * 2);
  }
}

static int has_ampersand(const h2w_corpus_story *s) {
  size_t i, k;
  for (i = 0; i < s->ncases; i++) {
    for (k = 0; k < s->cases[i].nfields; k++) {
      if (memchr(s->cases[i].fields[k].value, '&',
                 s->cases[i].fields[k].valuelen) != NULL) {
        return 1;
      }
    }
  }
  return 0;
}

static void test_real_corpus_known_case(void **state) {
  static const uint8_t wire0[] = {0x82, 0x86, 0x41, 0x88, 0xf4, 0x39, 0xce,
                                  0x75, 0xc8, 0x75, 0xfa, 0x57, 0x84};
  h2w_corpus_story s;
  char err[512] = "";
  (void)state;
  char p[512];
  join(p, sizeof(p), corpus_dir, "nghttp2/story_00.json");
  assert_int_equal(h2w_corpus_load_story(p, &s, err, sizeof(err)), 0);
  assert_int_equal(s.cases[0].wirelen, sizeof(wire0));
  assert_memory_equal(s.cases[0].wire, wire0, sizeof(wire0));
  assert_int_equal(s.cases[0].nfields, 4);
  expect_field(&s.cases[0].fields[2], ":authority", 10, "yahoo.co.jp", 11);
  h2w_corpus_free_story(&s);
  /* A \u0026 escape in go-hpack's output decodes to '&' like raw-data's
   * (both files are in the subset too). */
  join(p, sizeof(p), corpus_dir, "go-hpack/story_08.json");
  assert_int_equal(h2w_corpus_load_story(p, &s, err, sizeof(err)), 0);
  assert_true(has_ampersand(&s));
  h2w_corpus_free_story(&s);
}

static void test_real_corpus_missing_folder(void **state) {
  char **paths;
  size_t n;
  char err[512] = "", p[512];
  (void)state;
  join(p, sizeof(p), corpus_dir, "no-such-encoder");
  assert_int_equal(h2w_corpus_list(p, &paths, &n, err, sizeof(err)), -1);
  assert_non_null(strstr(err, p));
  join(p, sizeof(p), corpus_dir, "../no-such-root");
  assert_int_equal(h2w_corpus_folders(p, &paths, &n, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "no-such-root"));
}

int main(int argc, char **argv) {
  int rc = h2w_corpus_args(argc, argv, &corpus_dir, &corpus_full);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_good),
      cmocka_unit_test(test_every_prefix_fails),
      cmocka_unit_test(test_bad_documents),
      cmocka_unit_test(test_deep_nesting_rejected),
      cmocka_unit_test(test_small_err_buffer),
      cmocka_unit_test_setup_teardown(test_load_from_file, make_tree,
                                      remove_tree),
      cmocka_unit_test_setup_teardown(test_list_stories, make_tree,
                                      remove_tree),
      cmocka_unit_test_setup_teardown(test_list_folders, make_tree,
                                      remove_tree),
      cmocka_unit_test(test_real_corpus_folders),
      cmocka_unit_test(test_real_corpus_known_case),
      cmocka_unit_test(test_real_corpus_missing_folder),
  };
  if (rc >= 0) {
    return rc;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Reader for the hpack-test-case corpus (github.com/http2jp/hpack-test-case),
 * shared by the HPACK tests and h2w-bench.
 *
 * The corpus is a set of folders (one per encoder, plus raw-data), each with
 * story_NN.json files. A story is one compression context (RFC 7541 §2.2):
 * its cases must be decoded in order with one decoder. The JSON reader is
 * strict and self-contained (RFC 8259 grammar; only what the format needs is
 * kept, unknown members are parsed and discarded).
 *
 * Memory is plain malloc/free: this is test and bench support, not library
 * code. Every load/list call either fully succeeds or frees what it built and
 * writes "<path>: <reason>" into err (truncated to errlen, always
 * NUL-terminated when errlen > 0). */
#ifndef H2W_HPACK_CORPUS_H
#define H2W_HPACK_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/** One header field of a case, in corpus order. Both strings are decoded
 *  from JSON (escapes resolved, \uXXXX as UTF-8) and NUL-terminated for
 *  convenience; the lengths exclude the NUL. */
typedef struct h2w_corpus_field {
  uint8_t *name;
  size_t namelen;
  uint8_t *value;
  size_t valuelen;
} h2w_corpus_field;

/** One header block. header_table_size is 4096 (the RFC 9113 §6.5.2
 *  default) when the case has no such member; has_table_size says whether
 *  it was present. wire is NULL/0 when has_wire is 0 (raw-data). */
typedef struct h2w_corpus_case {
  int has_table_size;
  uint32_t header_table_size;
  uint8_t *wire;
  size_t wirelen;
  int has_wire;
  h2w_corpus_field *fields;
  size_t nfields;
} h2w_corpus_case;

/** One story file: its path (a copy) and its cases in file order. */
typedef struct h2w_corpus_story {
  char *path;
  h2w_corpus_case *cases;
  size_t ncases;
} h2w_corpus_story;

/** Load one story file into *out. Returns 0, or -1 with *out zeroed and a
 *  message in err naming the path, the line/column and the reason. */
int h2w_corpus_load_story(const char *path, h2w_corpus_story *out, char *err,
                          size_t errlen);

/** Parse a story from memory (json[0..len)); `path` is only used for the
 *  story's path and in messages. Same results as h2w_corpus_load_story. */
int h2w_corpus_parse_story(const char *path, const char *json, size_t len,
                           h2w_corpus_story *out, char *err, size_t errlen);

/** Free everything a successful load allocated and zero *s. NULL and an
 *  already-freed (zeroed) story are no-ops. */
void h2w_corpus_free_story(h2w_corpus_story *s);

/** List the story files (story_*.json, regular files) of one folder, e.g.
 *  "<root>/nghttp2", as "<folder>/<name>" paths sorted by name. Returns the
 *  count (also stored in *count) or -1 with a message naming the folder
 *  (missing, not a directory, out of memory). */
int h2w_corpus_list(const char *folder, char ***paths, size_t *count, char *err,
                    size_t errlen);

/** Free a list returned by h2w_corpus_list or h2w_corpus_folders. */
void h2w_corpus_free_list(char **paths, size_t count);

/** List the names (not paths) of every sub-directory of the corpus root,
 *  sorted, raw-data included; only "." entries are skipped. Returns the
 *  count (also in *count) or -1 with a message naming the root. */
int h2w_corpus_folders(const char *root, char ***names, size_t *count,
                       char *err, size_t errlen);

/** The command line of the corpus tests: `PROGRAM DIR subset|full`.
 *  "subset" is the copy shipped in tests/data/hpack-test-case, which must be
 *  there; "full" is the whole corpus (CMake's H2W_HPACK_TEST_CASE_DIR),
 *  which may be absent. Returns -1 to go on, with *dir and *full set;
 *  otherwise the exit status to return at once: 77 (ctest: skipped) after a
 *  "SKIP: <reason>" line when the full corpus is absent or DIR is empty, 1
 *  instead when the environment sets H2W_REQUIRE_FULL_CORPUS=1 (CI), and
 *  2 on a bad command line. */
int h2w_corpus_args(int argc, char **argv, const char **dir, int *full);

#endif

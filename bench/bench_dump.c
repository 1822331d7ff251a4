/* --dump DIR: what each library emitted during validation, for a third
 * decoder (bench/verify_hpack.py, python-hpack) to check, so that no
 * library's output is judged only by the other library (issue 16 §3).
 * Files, all written during the untimed validation:
 *   server_rps.<lib>.h2     a server's whole output (frames, no preface)
 *   client_rps.<lib>.h2     a client's whole output (preface, frames)
 *   requests.expect         per request, its fields as the bench built
 *                           them: "namehex:valuehex" separated by spaces
 *   responses.expect        the response fields, then "body:<hex>"
 *   hpack_encode.<lib>.txt  per encoded block: story path, case number
 *                           and the block in hex, tab-separated; the
 *                           expected fields are the corpus's own. */
#include "bench_session.h"

#include <stdio.h>

const char *bench_dump_dir;

static FILE *open_dump(const char *name, const char *lib, const char *ext) {
  char path[4096];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s%s%s%s", bench_dump_dir, name,
           lib != NULL ? "." : "", lib != NULL ? lib : "", ext);
  f = fopen(path, "wb");
  if (f == NULL) {
    fprintf(stderr, "h2w-bench: cannot write %s\n", path);
  }
  return f;
}

static void hex(FILE *f, const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    fprintf(f, "%02x", p[i]);
  }
}

static void fields(FILE *f, const h2w_nv *nv, size_t n) {
  size_t k;
  for (k = 0; k < n; k++) {
    fputs(k != 0 ? " " : "", f);
    hex(f, nv[k].name, nv[k].namelen);
    fputc(':', f);
    hex(f, nv[k].value, nv[k].valuelen);
  }
}

int bs_dump_output(const char *workload, int lib, const uint8_t *p,
                   size_t len) {
  FILE *f;
  if (bench_dump_dir == NULL) {
    return 0;
  }
  f = open_dump(workload, bs_lib_name(lib), ".h2");
  if (f == NULL) {
    return -1;
  }
  if (len != 0 && fwrite(p, 1, len, f) != len) {
    fclose(f);
    return -1;
  }
  return fclose(f) == 0 ? 0 : -1;
}

int bs_dump_expectations(const bs_world *w, size_t nreq) {
  h2w_nv nv[BS_REQ_FIELDS];
  FILE *f;
  size_t i;
  if (bench_dump_dir == NULL) {
    return 0;
  }
  f = open_dump("requests", NULL, ".expect");
  if (f == NULL) {
    return -1;
  }
  for (i = 0; i < nreq; i++) {
    bs_request_h2w(w, i, nv);
    fields(f, nv, BS_REQ_FIELDS);
    fputc('\n', f);
  }
  if (fclose(f) != 0 || (f = open_dump("responses", NULL, ".expect")) == NULL) {
    return -1;
  }
  bs_response_h2w(nv);
  fields(f, nv, BS_RESP_FIELDS);
  fputs(" body:", f);
  hex(f, w->body, BS_BODY_LEN);
  fputc('\n', f);
  return fclose(f) == 0 ? 0 : -1;
}

int bench_dump_block(int lib, const char *story, size_t caseno,
                     const uint8_t *blk, size_t len) {
  static FILE *files[2];
  FILE *f;
  if (bench_dump_dir == NULL) {
    return 0;
  }
  if (files[lib] == NULL) {
    files[lib] = open_dump("hpack_encode", bs_lib_name(lib), ".txt");
    if (files[lib] == NULL) {
      return -1;
    }
  }
  f = files[lib];
  fprintf(f, "%s\t%zu\t", story, caseno);
  hex(f, blk, len);
  fputc('\n', f);
  return fflush(f) == 0 ? 0 : -1;
}

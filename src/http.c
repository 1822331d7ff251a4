/* RFC 9113 §8 message rules over decoded header fields. See http.h. */
#include "http.h"

#include <string.h>

#include "copy.h"

/* SSE2 is part of x86-64 itself, so every such build has it; elsewhere (or
 * with H2W_NO_SIMD, as one test build does to keep the portable path
 * tested) the word-at-a-time scan below does the same job. */
#if defined(__SSE2__) && !defined(H2W_NO_SIMD)
#include <emmintrin.h>
#define H2W_HTTP_SSE2 1
#endif

/* Bits of h2w_http_msg.seen: one per pseudo-header field (so duplicates
 * are one AND away), then facts the end-of-block checks need. */
#define SEEN_METHOD 0x001u
#define SEEN_SCHEME 0x002u
#define SEEN_AUTHORITY 0x004u
#define SEEN_PATH 0x008u
#define SEEN_PROTOCOL 0x010u
#define SEEN_STATUS 0x020u
#define SEEN_REGULAR 0x040u      /* a regular field was seen (§8.3) */
#define SEEN_SCHEME_HTTP 0x080u  /* :scheme is http or https */
#define SEEN_USERINFO 0x100u     /* :authority contains '@' */
#define SEEN_AUTH_EMPTY 0x200u   /* :authority has an empty host */
#define SEEN_SCHEME_HTTPS 0x400u /* :scheme is https (default port 443) */
#define SEEN_AUTH_LONG 0x800u    /* :authority too long to keep a copy */

#define REQUEST_PSEUDO                                                         \
  (SEEN_METHOD | SEEN_SCHEME | SEEN_AUTHORITY | SEEN_PATH | SEEN_PROTOCOL)

/* h2w_http_msg.path: the shape of :path that §8.3.1 cares about. */
#define PATH_NONE H2W_HTTP_PATH_NONE
#define PATH_SLASH 1    /* starts with '/' (origin-form) */
#define PATH_ASTERISK 2 /* exactly "*" (asterisk-form, OPTIONS only) */
#define PATH_OTHER 3

/* Octet classes for field names (RFC 9110 §5.1: a name is a token; RFC
 * 9113 §8.2.1: lowercase only). Bits, so a whole name can be OR-ed into
 * one class and the loop has no branch per octet. */
enum {
  NC_UPPER = 0x01, /* A-Z */
  NC_COLON = 0x02, /* ':' */
  NC_CTL = 0x04,   /* 0x00-0x20 and 0x7f */
  NC_HIGH = 0x08,  /* 0x80-0xff */
  NC_SEP = 0x10    /* other separators: "(),/;<=>?@[\]{} */
};
/* Two-letter names for the table only; 0 is a lowercase token octet. */
#define TK 0x00
#define UP NC_UPPER
#define CO NC_COLON
#define CT NC_CTL
#define HI NC_HIGH
#define SP NC_SEP

/* clang-format off */
static const uint8_t name_class[256] = {
    /* 00 */ CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT,
    /* 10 */ CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT,
    /* 20 */ CT, TK, SP, TK, TK, TK, TK, TK, SP, SP, TK, TK, SP, TK, TK, SP,
    /* 30 */ TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, CO, SP, SP, SP, SP, SP,
    /* 40 */ SP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP,
    /* 50 */ UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, SP, SP, SP, TK, TK,
    /* 60 */ TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, TK,
    /* 70 */ TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, TK, SP, TK, SP, TK, CT,
    /* 80 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* 90 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* a0 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* b0 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* c0 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* d0 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* e0 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    /* f0 */ HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
};
/* clang-format on */

#undef TK
#undef UP
#undef CO
#undef CT
#undef HI
#undef SP

/* Octet classes for field values (RFC 9110 §5.5: field-vchar, SP, HTAB and
 * obs-text; RFC 9113 §8.2.1 singles out NUL, CR and LF). */
enum {
  VC_NUL_CR_LF = 0x01,
  VC_CTL = 0x02 /* other controls except HTAB, and DEL */
};
#define OK 0x00
#define NL VC_NUL_CR_LF
#define CT VC_CTL

/* clang-format off */
static const uint8_t value_class[256] = {
    /* 00 */ NL, CT, CT, CT, CT, CT, CT, CT, CT, OK, NL, CT, CT, NL, CT, CT,
    /* 10 */ CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT,
    /* 20 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* 30 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* 40 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* 50 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* 60 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* 70 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, CT,
    /* 80 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* 90 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* a0 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* b0 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* c0 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* d0 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* e0 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
    /* f0 */ OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
};
/* clang-format on */

#undef OK
#undef NL
#undef CT

/* Functions kept out of line so that the per-field path stays small (no
 * frame, registers or stack protector for what most fields never need):
 * the exact checks that only run on a failed word test, the :authority
 * and Host parsing, content-length. */
#if defined(__GNUC__)
#define H2W_OUT_OF_LINE __attribute__((noinline))
#define H2W_RARE __attribute__((noinline, cold))
/* A few instructions of SIMD, where a call would cost as much. */
#define H2W_INLINE inline __attribute__((always_inline))
#else
#define H2W_OUT_OF_LINE
#define H2W_RARE
#define H2W_INLINE inline
#endif

/* Store the reason and give the one result every malformed message maps
 * to: a stream error of type PROTOCOL_ERROR (RFC 9113 §8.1.1). */
static int malformed(const char **reason, const char *why) {
  if (reason != NULL) {
    *reason = why;
  }
  return H2W_E_PROTOCOL;
}

/* Same octets, ignoring ASCII case; `lower` is lowercase already. */
static int eq_nocase(const uint8_t *p, size_t n, const char *lower) {
  size_t i;
  if (strlen(lower) != n) {
    return 0;
  }
  for (i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c >= 'A' && c <= 'Z') {
      c = (uint8_t)(c + ('a' - 'A'));
    }
    if (c != (uint8_t)lower[i]) {
      return 0;
    }
  }
  return 1;
}

static int eq(const uint8_t *p, size_t n, const char *s, size_t slen) {
  return n == slen && memcmp(p, s, n) == 0;
}

#define EQ(p, n, lit) eq((p), (n), (lit), sizeof(lit) - 1)

/* The fast path of the octet rules: whole words of 8 octets tested at
 * once. The tests are per octet, so a scan may look at an octet twice: a
 * string of 8 or more octets ends with its last 8 (overlapping the word
 * before), a shorter one is read as one word (two overlapping 4-octet
 * halves, or first, middle and last octet padded with 'a', which passes
 * both tests). A field that fails goes to the exact octet-by-octet checks,
 * which name the rule broken; the word tests only have to let no bad
 * octet through. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t load64(const uint8_t *p) {
  uint64_t x;
  memcpy(&x, p, 8);
  return x;
}

/* p[0..n), 1 <= n <= 7, as one word. */
static uint64_t load_short(const uint8_t *p, size_t n) {
  uint32_t a, b;
  if (n >= 4) {
    memcpy(&a, p, 4);
    memcpy(&b, p + n - 4, 4);
    return (uint64_t)a | (uint64_t)b << 32;
  }
  return (ONES * 'a') << 24 | (uint64_t)p[0] | (uint64_t)p[n / 2] << 8 |
         (uint64_t)p[n - 1] << 16;
}

/* High bit of each octet of x (all below 0x80) set when lo <= octet <= hi:
 * adding 0x80 - lo sets it from lo up, adding 0x7f - hi from hi + 1 up, and
 * neither sum carries into the next octet. */
static uint64_t in_range(uint64_t x, unsigned lo, unsigned hi) {
  return (x + ONES * (0x80u - lo)) & ~(x + ONES * (0x7fu - hi));
}

/* Non-zero unless all eight octets are "-", ".", a digit, or one of
 * ^ _ ` a-z (0x5e-0x7a): lowercase tchars, which covers nearly every real
 * name. An octet of 0x80 or more sets its own high bit, so the carries it
 * may cause in in_range() do not matter. */
static uint64_t name_word_bad(uint64_t x) {
  uint64_t ok = in_range(x, 0x5e, 0x7a) | in_range(x, 0x30, 0x39) |
                in_range(x, 0x2d, 0x2e);
  return (x | ~ok) & HIGHS;
}

/* Non-zero when some octet is below 0x20 or equal to 0x7f: otherwise all
 * are field-vchar, SP or obs-text (only HTAB, legal but below 0x20, is
 * sent to the exact check). Both halves are the classic "some octet below
 * n" and "some octet zero" word tests, exact as a whole. */
static uint64_t value_word_bad(uint64_t x) {
  uint64_t del = x ^ (ONES * 0x7fu);
  return ((x - ONES * 0x20u) & ~x) | ((del - ONES) & ~del);
}

#ifdef H2W_HTTP_SSE2
/* All-ones in each octet of x from lo to hi (0 <= lo <= hi <= 0x7f): the
 * add maps lo..hi onto -128..-128 + (hi - lo), the bottom of the signed
 * range, and every other octet above it (the add wraps, so this holds for
 * all 256 values), which leaves one signed compare. */
static H2W_INLINE __m128i block_in(__m128i x, int lo, int hi) {
  __m128i t = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo)));
  return _mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + hi - lo + 1)), t);
}

/* Non-zero unless all 16 octets of x pass name_word_bad()'s test (the
 * same three ranges). */
static H2W_INLINE unsigned name_block_bad(__m128i x) {
  __m128i ok = _mm_or_si128(
      block_in(x, 0x5e, 0x7a),
      _mm_or_si128(block_in(x, 0x30, 0x39), block_in(x, 0x2d, 0x2e)));
  return (unsigned)_mm_movemask_epi8(ok) ^ 0xffffu;
}

/* The first and the last 8 octets of p[0..n), 8 <= n, as one block. */
static __m128i load_ends(const uint8_t *p, size_t n) {
  return _mm_unpacklo_epi64(
      _mm_loadl_epi64((const __m128i *)(const void *)p),
      _mm_loadl_epi64((const __m128i *)(const void *)(p + n - 8)));
}
#endif

/* Names are mostly 4 to 16 octets: with SSE2, one block test covers any
 * of them (a short name is its load_short() word twice, 8 to 16 octets
 * its two overlapping ends), where the word test needs one or two words
 * of three range tests each. */
static H2W_INLINE uint64_t name_bad(const uint8_t *p, size_t n) {
  uint64_t bad = 0;
  size_t i;
#ifdef H2W_HTTP_SSE2
  if (n <= 16) {
    __m128i x;
    uint64_t w;
    if (n == 0) {
      return 0;
    }
    if (n < 8) {
      w = load_short(p, n);
      x = _mm_loadl_epi64((const __m128i *)(const void *)&w);
      x = _mm_unpacklo_epi64(x, x);
    } else {
      x = load_ends(p, n);
    }
    return name_block_bad(x);
  }
  {
    unsigned b = 0;
    for (i = 0; i + 16 < n; i += 16) {
      b |= name_block_bad(
          _mm_loadu_si128((const __m128i *)(const void *)(p + i)));
    }
    return b | name_block_bad(_mm_loadu_si128(
                   (const __m128i *)(const void *)(p + n - 16)));
  }
#endif
  if (n < 8) {
    return n == 0 ? 0 : name_word_bad(load_short(p, n));
  }
  for (i = 0; i + 8 < n; i += 8) {
    bad |= name_word_bad(load64(p + i));
  }
  return bad | name_word_bad(load64(p + n - 8));
}

#ifdef H2W_HTTP_SSE2
/* Non-zero when some octet of the 16 in x is below 0x20 or equal to 0x7f,
 * as value_word_bad() for two words: min(x, 0x1f) == x exactly for the
 * octets up to 0x1f (an unsigned compare, so obs-text passes). */
static H2W_INLINE __m128i value_block_mask(__m128i x) {
  __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
  return _mm_or_si128(ctl, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
}

static H2W_INLINE unsigned value_block_bad(__m128i x) {
  return (unsigned)_mm_movemask_epi8(value_block_mask(x));
}

static H2W_INLINE __m128i value_at_mask(const uint8_t *p) {
  return value_block_mask(_mm_loadu_si128((const __m128i *)(const void *)p));
}
#endif

/* Sixteen octets per step, one test at the end: bad values are rare, and
 * a header list is bounded, so there is nothing to gain by stopping
 * early. With SSE2 a value under 16 octets is one block too, as names
 * are (name_bad): its two overlapping 8-octet ends, or its load_short()
 * word in the low half (the zero high half is not looked at). */
static H2W_INLINE uint64_t value_bad(const uint8_t *p, size_t n) {
  uint64_t bad = 0;
  size_t i;
#ifdef H2W_HTTP_SSE2
  if (n >= 16) {
    /* The last 16 octets and the whole blocks before them (the last
     * overlapping the one before, as the word scan does with its last 8),
     * their masks OR-ed together and looked at once. */
    __m128i b = value_at_mask(p + n - 16);
    for (i = 0; i + 16 < n; i += 16) {
      b = _mm_or_si128(b, value_at_mask(p + i));
    }
    return (unsigned)_mm_movemask_epi8(b);
  }
  if (n >= 8) {
    return value_block_bad(load_ends(p, n));
  }
  if (n > 0) {
    uint64_t w = load_short(p, n);
    return value_block_bad(_mm_loadl_epi64((const __m128i *)(const void *)&w)) &
           0xffu;
  }
  return 0;
#endif
  if (n < 8) {
    return n == 0 ? 0 : value_word_bad(load_short(p, n)) & HIGHS;
  }
  for (i = 0; i + 16 <= n; i += 16) {
    bad |= value_word_bad(load64(p + i)) | value_word_bad(load64(p + i + 8));
  }
  if (n - i > 8) {
    bad |= value_word_bad(load64(p + i));
  }
  return (bad | value_word_bad(load64(p + n - 8))) & HIGHS;
}

/* 1 when the name octets from `from` on and, unless `value_known`, every
 * value octet pass the word tests and the value neither starts nor ends
 * with SP (HTAB already failed the word test). */
static int field_plain(const h2w_nv *nv, size_t from, int value_known) {
  const uint8_t *v = nv->value;
  size_t n = nv->valuelen;
  /* One call of each scan, so that both inline into the caller. */
  uint64_t bad = name_bad(nv->name + from, nv->namelen - from);
  if (!value_known) {
    bad |= value_bad(v, n);
    if (n > 0 && (v[0] == ' ' || v[n - 1] == ' ')) {
      return 0;
    }
  }
  return bad == 0;
}

/* RFC 9113 §8.2.1: names are non-empty lowercase tokens; `from` is 1 for
 * a pseudo-header field, whose leading ':' is the only one allowed. */
H2W_RARE static int check_name(const uint8_t *p, size_t n, size_t from,
                               const char **reason) {
  unsigned acc = 0;
  size_t i;
  if (n == from) {
    return malformed(reason, from == 0 ? "empty field name"
                                       : "empty pseudo-header field name");
  }
  for (i = from; i < n; i++) {
    acc |= name_class[p[i]];
  }
  if (acc == 0) {
    return H2W_OK;
  }
  if (acc & NC_CTL) {
    return malformed(reason, "control or whitespace octet in field name");
  }
  if (acc & NC_HIGH) {
    return malformed(reason, "non-ASCII octet in field name");
  }
  if (acc & NC_COLON) {
    return malformed(reason, "':' inside field name");
  }
  if (acc & NC_SEP) {
    return malformed(reason, "separator character in field name");
  }
  return malformed(reason, "uppercase character in field name");
}

/* RFC 9113 §8.2.1 and RFC 9110 §5.5: field-vchar, SP, HTAB and obs-text,
 * with no whitespace at either end. */
H2W_RARE static int check_value(const uint8_t *p, size_t n,
                                const char **reason) {
  unsigned acc = 0;
  size_t i;
  for (i = 0; i < n; i++) {
    acc |= value_class[p[i]];
  }
  if (acc & VC_NUL_CR_LF) {
    return malformed(reason, "NUL, CR or LF in field value");
  }
  if (acc & VC_CTL) {
    return malformed(reason, "control character in field value");
  }
  if (n > 0 &&
      (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t')) {
    return malformed(reason, "leading or trailing whitespace in field value");
  }
  return H2W_OK;
}

/* A non-empty token of either case (RFC 9110 §5.6.2): methods (§9.1) and
 * upgrade tokens for :protocol (RFC 8441 §4) are case-sensitive tokens. */
static int is_token(const uint8_t *p, size_t n) {
  unsigned acc = 0;
  size_t i;
  for (i = 0; i < n; i++) {
    acc |= name_class[p[i]];
  }
  return n > 0 && (acc & ~(unsigned)NC_UPPER) == 0;
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static int is_scheme(const uint8_t *p, size_t n) {
  size_t i;
  if (n == 0) {
    return 0;
  }
  for (i = 0; i < n; i++) {
    uint8_t c = p[i];
    int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    int other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && (i == 0 || !other)) {
      return 0;
    }
  }
  return 1;
}

/* The SEEN_* bit of a pseudo-header field name, 0 if unknown (§8.3). */
static H2W_INLINE unsigned pseudo_bit(const uint8_t *p, size_t n) {
  switch (n) {
  case 5:
    return EQ(p, n, ":path") ? SEEN_PATH : 0;
  case 7:
    if (EQ(p, n, ":method")) {
      return SEEN_METHOD;
    }
    if (EQ(p, n, ":scheme")) {
      return SEEN_SCHEME;
    }
    return EQ(p, n, ":status") ? SEEN_STATUS : 0;
  case 9:
    return EQ(p, n, ":protocol") ? SEEN_PROTOCOL : 0;
  case 10:
    return EQ(p, n, ":authority") ? SEEN_AUTHORITY : 0;
  default:
    return 0;
  }
}

static uint8_t method_class(const uint8_t *p, size_t n) {
  if (EQ(p, n, "GET")) {
    return H2W_HTTP_METHOD_GET;
  }
  if (EQ(p, n, "HEAD")) {
    return H2W_HTTP_METHOD_HEAD;
  }
  if (EQ(p, n, "CONNECT")) {
    return H2W_HTTP_METHOD_CONNECT;
  }
  if (EQ(p, n, "OPTIONS")) {
    return H2W_HTTP_METHOD_OPTIONS;
  }
  return H2W_HTTP_METHOD_OTHER;
}

/* :status is exactly three digits (§8.3.2, RFC 9110 §15); a first digit of
 * 0 is no status class at all, and 101 does not exist in HTTP/2 (§8.6). */
static int take_status(h2w_http_msg *m, const uint8_t *p, size_t n,
                       const char **reason) {
  if (n != 3 || p[0] < '1' || p[0] > '9' || p[1] < '0' || p[1] > '9' ||
      p[2] < '0' || p[2] > '9') {
    return malformed(reason, "invalid :status");
  }
  m->status = (int16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
  if (m->status == 101) {
    return malformed(reason, ":status 101 in HTTP/2");
  }
  return H2W_OK;
}

/* RFC 3986 §3.2: authority = [ userinfo "@" ] host [ ":" port ]; the
 * host is an IP literal in brackets or has no ':'. Splits p[0..n) into
 * the host (userinfo included: §8.3.1 refuses it separately) and the
 * port, *port NULL when there is no ':'. */
static size_t split_host_port(const uint8_t *p, size_t n, size_t from,
                              const uint8_t **port, size_t *portlen) {
  size_t end = n, i;
  if (from < n && p[from] == '[') {
    const uint8_t *close = memchr(p + from, ']', n - from);
    i = close != NULL ? (size_t)(close - p) + 1 : n;
    end = i < n && p[i] == ':' ? i : n;
  } else {
    const uint8_t *colon = memchr(p + from, ':', n - from);
    end = colon != NULL ? (size_t)(colon - p) : n;
  }
  *port = end < n ? p + end + 1 : NULL;
  *portlen = end < n ? n - end - 1 : 0;
  return end;
}

/* split_host_port() after the userinfo, if any. */
static size_t split_authority(const uint8_t *p, size_t n, const uint8_t **port,
                              size_t *portlen) {
  const uint8_t *at = memchr(p, '@', n);
  return split_host_port(p, n, at != NULL ? (size_t)(at - p) + 1 : 0, port,
                         portlen);
}

H2W_OUT_OF_LINE static void take_authority(h2w_http_msg *m, const uint8_t *p,
                                           size_t n) {
  const uint8_t *at = memchr(p, '@', n);
  size_t from = 0;
  if (at != NULL) {
    m->seen = (uint16_t)(m->seen | SEEN_USERINFO);
    from = (size_t)(at - p) + 1;
  }
  /* The host split_host_port() would find is empty exactly when nothing
   * follows the userinfo or a ':' (the port) comes first: a '[' opens an
   * IP literal, never empty, and any other octet is part of the host. So
   * one octet tells, without searching for the port. */
  if (from == n || p[from] == ':') {
    m->seen = (uint16_t)(m->seen | SEEN_AUTH_EMPTY);
  }
  if (n > H2W_HTTP_AUTHORITY_MAX) {
    m->seen = (uint16_t)(m->seen | SEEN_AUTH_LONG);
    return;
  }
  /* Kept for a Host field that may follow (host_matches). */
  h2w_copy_any(m->authority, p, n);
  m->authority_len = (uint16_t)n;
}

/* A port as a number: 0-65535, the scheme's default when empty (RFC 3986
 * §6.2.3), -1 when it is not a port at all (compared as text then). */
static long port_number(const uint8_t *p, size_t n, long dflt) {
  long v = 0;
  size_t i;
  if (p == NULL || n == 0) {
    return dflt;
  }
  for (i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9' || (v = v * 10 + (p[i] - '0')) > 65535) {
      return -1;
    }
  }
  return v;
}

/* RFC 9113 §8.3.1: does a Host field value name the entity :authority
 * names? Hosts compare case-insensitively (RFC 3986 §6.2.2.1), ports
 * numerically with the scheme's default for a missing one (§6.2.3). */
H2W_OUT_OF_LINE static int host_matches(const h2w_http_msg *m, const uint8_t *p,
                                        size_t n) {
  const uint8_t *ap, *hp;
  size_t al, hl, ahost, hhost, i;
  long dflt = !(m->seen & SEEN_SCHEME_HTTP)   ? -2
              : (m->seen & SEEN_SCHEME_HTTPS) ? 443
                                              : 80;
  long aport, hport;
  if (m->seen & SEEN_AUTH_LONG) {
    return 0; /* names no host (see H2W_HTTP_AUTHORITY_MAX) */
  }
  ahost = split_authority(m->authority, m->authority_len, &ap, &al);
  hhost = split_authority(p, n, &hp, &hl);
  if (ahost != hhost) {
    return 0;
  }
  for (i = 0; i < ahost; i++) {
    uint8_t a = m->authority[i], b = p[i];
    a = (uint8_t)(a >= 'A' && a <= 'Z' ? a + ('a' - 'A') : a);
    b = (uint8_t)(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
    if (a != b) {
      return 0;
    }
  }
  aport = port_number(ap, al, dflt);
  hport = port_number(hp, hl, dflt);
  if (aport == -1 || hport == -1) {
    /* Not ports: equal only as the same text. */
    return al == hl && (al == 0 || memcmp(ap, hp, al) == 0) &&
           (ap == NULL) == (hp == NULL);
  }
  return aport == hport;
}

/* Record one pseudo-header value that passed the generic value checks. */
static H2W_INLINE int take_pseudo(h2w_http_msg *m, unsigned bit,
                                  const uint8_t *p, size_t n,
                                  const char **reason) {
  switch (bit) {
  case SEEN_METHOD:
    if (!is_token(p, n)) {
      return malformed(reason, "invalid :method");
    }
    m->method = method_class(p, n);
    return H2W_OK;
  case SEEN_SCHEME:
    /* The two schemes nearly every request carries, as clients spell
     * them, first; then the RFC 3986 §3.1 grammar for any other. */
    if (EQ(p, n, "https")) {
      m->seen = (uint16_t)(m->seen | SEEN_SCHEME_HTTP | SEEN_SCHEME_HTTPS);
      return H2W_OK;
    }
    if (EQ(p, n, "http")) {
      m->seen = (uint16_t)(m->seen | SEEN_SCHEME_HTTP);
      return H2W_OK;
    }
    if (!is_scheme(p, n)) {
      return malformed(reason, "invalid :scheme");
    }
    /* RFC 3986 §3.1: schemes compare case-insensitively. */
    if (eq_nocase(p, n, "http")) {
      m->seen = (uint16_t)(m->seen | SEEN_SCHEME_HTTP);
    } else if (eq_nocase(p, n, "https")) {
      m->seen = (uint16_t)(m->seen | SEEN_SCHEME_HTTP | SEEN_SCHEME_HTTPS);
    }
    return H2W_OK;
  case SEEN_AUTHORITY:
    take_authority(m, p, n);
    return H2W_OK;
  case SEEN_PATH:
    if (n == 0) {
      return malformed(reason, "empty :path");
    }
    m->path = p[0] == '/'               ? PATH_SLASH
              : (n == 1 && p[0] == '*') ? PATH_ASTERISK
                                        : PATH_OTHER;
    return H2W_OK;
  case SEEN_PROTOCOL:
    return is_token(p, n) ? H2W_OK : malformed(reason, "invalid :protocol");
  default:
    return take_status(m, p, n, reason);
  }
}

/* RFC 9113 §8.3: the kind decides which pseudo-header fields may appear;
 * all of them come first, once each. */
static H2W_INLINE int on_pseudo(h2w_http_msg *m, unsigned bit, const h2w_nv *nv,
                                const char **reason) {
  unsigned allowed;
  if (m->kind == H2W_HTTP_TRAILERS) {
    return malformed(reason, "pseudo-header field in trailers");
  }
  if (m->seen & SEEN_REGULAR) {
    return malformed(reason, "pseudo-header field after a regular field");
  }
  if (bit == 0) {
    return malformed(reason, "unknown pseudo-header field");
  }
  allowed = m->kind == H2W_HTTP_RESPONSE       ? SEEN_STATUS
            : m->kind == H2W_HTTP_PUSH_REQUEST ? REQUEST_PSEUDO & ~SEEN_PROTOCOL
                                               : REQUEST_PSEUDO;
  if ((allowed & bit) == 0) {
    return malformed(reason, m->kind == H2W_HTTP_RESPONSE
                                 ? "request pseudo-header field in a response"
                             : bit == SEEN_STATUS
                                 ? ":status in a request"
                                 : ":protocol in a push request");
  }
  if (bit == SEEN_PROTOCOL && !(m->flags & H2W_HTTP_CONNECT_PROTOCOL)) {
    return malformed(reason,
                     ":protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL");
  }
  if (m->seen & bit) {
    return malformed(reason, "duplicate pseudo-header field");
  }
  m->seen = (uint16_t)(m->seen | bit);
  return take_pseudo(m, bit, nv->value, nv->valuelen, reason);
}

/* content-length = 1*DIGIT (RFC 9110 §8.6), kept within int64_t. A repeat
 * must name the same number; we merge it, as §8.6 allows. */
H2W_OUT_OF_LINE static int on_content_length(h2w_http_msg *m, const uint8_t *p,
                                             size_t n, const char **reason) {
  int64_t v = 0;
  size_t i;
  if (m->kind == H2W_HTTP_TRAILERS) {
    /* RFC 9110 §6.5.1: framing fields are not allowed in trailers. */
    return malformed(reason, "content-length in trailers");
  }
  if (n == 0) {
    return malformed(reason, "invalid content-length");
  }
  for (i = 0; i < n; i++) {
    int d = p[i] - '0';
    if (d < 0 || d > 9) {
      return malformed(reason, "invalid content-length");
    }
    /* v * 10 + d > INT64_MAX, without a division per digit. */
    if (v > INT64_MAX / 10 || (v == INT64_MAX / 10 && d > INT64_MAX % 10)) {
      return malformed(reason, "content-length too large");
    }
    v = v * 10 + d;
  }
  if (m->content_length >= 0 && m->content_length != v) {
    return malformed(reason, "conflicting content-length values");
  }
  m->content_length = v;
  return H2W_OK;
}

/* RFC 9113 §8.2.2: HTTP/1 connection-level fields have no meaning in
 * HTTP/2 and let a message be reframed downstream; te may only say that
 * trailers are welcome. Dispatch on length so most names cost one jump.
 * *cls becomes H2W_HTTP_NAME_SPECIAL for a name some rule here is about,
 * H2W_HTTP_NAME_PLAIN for the rest (which then need nothing but
 * SEEN_REGULAR: see h2w_http_msg_field_trusted). */
static H2W_INLINE int on_regular(h2w_http_msg *m, const h2w_nv *nv,
                                 unsigned *cls, const char **reason) {
  const uint8_t *p = nv->name;
  size_t n = nv->namelen;
  m->seen = (uint16_t)(m->seen | SEEN_REGULAR);
  *cls = H2W_HTTP_NAME_SPECIAL;
  switch (n) {
  case 2:
    if (!EQ(p, n, "te")) {
      break;
    }
    if (!eq_nocase(nv->value, nv->valuelen, "trailers")) {
      return malformed(reason, "te other than \"trailers\"");
    }
    return H2W_OK;
  case 4:
    if (!EQ(p, n, "host")) {
      break;
    }
    /* §8.3.1: a Host that names another entity than :authority. */
    if ((m->seen & SEEN_AUTHORITY) &&
        (m->kind == H2W_HTTP_REQUEST || m->kind == H2W_HTTP_PUSH_REQUEST) &&
        !host_matches(m, nv->value, nv->valuelen)) {
      return malformed(reason, "host differs from :authority");
    }
    return H2W_OK;
  case 7:
    if (EQ(p, n, "upgrade")) {
      return malformed(reason, "upgrade field in HTTP/2");
    }
    break;
  case 8:
    /* No rule here (RFC 9218 §5 is the stream's business), but noted so
     * that a request without one is not searched for it again. The class
     * stays PLAIN: a trusted repeat skips this function, which is why
     * only h2w_http_msg_fields() promises the note. */
    if (EQ(p, n, "priority")) {
      m->flags = (uint8_t)(m->flags | H2W_HTTP_PRIORITY_FIELD);
    }
    break;
  case 10:
    if (EQ(p, n, "connection")) {
      return malformed(reason, "connection field in HTTP/2");
    }
    if (EQ(p, n, "keep-alive")) {
      return malformed(reason, "keep-alive field in HTTP/2");
    }
    break;
  case 14:
    if (EQ(p, n, "content-length")) {
      return on_content_length(m, nv->value, nv->valuelen, reason);
    }
    break;
  case 16:
    if (EQ(p, n, "proxy-connection")) {
      return malformed(reason, "proxy-connection field in HTTP/2");
    }
    break;
  case 17:
    if (EQ(p, n, "transfer-encoding")) {
      return malformed(reason, "transfer-encoding field in HTTP/2");
    }
    break;
  default:
    break;
  }
  *cls = H2W_HTTP_NAME_PLAIN;
  return H2W_OK;
}

/* RFC 7541 Appendix A: the class of each static-table name. Checked
 * against the octet-by-octet classification, entry by entry, in
 * tests/test_trusted_fields.c. */
static const uint8_t static_class[62] = {
    H2W_HTTP_NAME_UNKNOWN,   /* (no entry 0) */
    H2W_HTTP_NAME_AUTHORITY, /* 1 :authority */
    H2W_HTTP_NAME_METHOD,    /* 2 :method GET */
    H2W_HTTP_NAME_METHOD,    /* 3 :method POST */
    H2W_HTTP_NAME_PATH,      /* 4 :path / */
    H2W_HTTP_NAME_PATH,      /* 5 :path /index.html */
    H2W_HTTP_NAME_SCHEME,    /* 6 :scheme http */
    H2W_HTTP_NAME_SCHEME,    /* 7 :scheme https */
    H2W_HTTP_NAME_STATUS,    /* 8-14 :status */
    H2W_HTTP_NAME_STATUS,    H2W_HTTP_NAME_STATUS,
    H2W_HTTP_NAME_STATUS,    H2W_HTTP_NAME_STATUS,
    H2W_HTTP_NAME_STATUS,    H2W_HTTP_NAME_STATUS,
    H2W_HTTP_NAME_PLAIN, /* 15 accept-charset ... */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN, /* 20 */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_SPECIAL, /* 28 content-length */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,   /* 30 */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_SPECIAL, /* 38 host */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,   /* 40 */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN, /* 50 */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_SPECIAL, /* 57 transfer-encoding */
    H2W_HTTP_NAME_PLAIN,     H2W_HTTP_NAME_PLAIN,
    H2W_HTTP_NAME_PLAIN, /* 60 */
    H2W_HTTP_NAME_PLAIN, /* 61 www-authenticate */
};

unsigned h2w_http_static_name_class(unsigned index) {
  return index < sizeof(static_class) ? static_class[index]
                                      : H2W_HTTP_NAME_UNKNOWN;
}

/* The SEEN_* bit of a pseudo-header class, and back. */
static unsigned class_bit(unsigned cls) {
  static const uint8_t bits[] = {SEEN_METHOD, SEEN_SCHEME,   SEEN_AUTHORITY,
                                 SEEN_PATH,   SEEN_PROTOCOL, SEEN_STATUS};
  return bits[cls - H2W_HTTP_NAME_METHOD];
}

static unsigned bit_class(unsigned bit) {
  switch (bit) {
  case SEEN_METHOD:
    return H2W_HTTP_NAME_METHOD;
  case SEEN_SCHEME:
    return H2W_HTTP_NAME_SCHEME;
  case SEEN_AUTHORITY:
    return H2W_HTTP_NAME_AUTHORITY;
  case SEEN_PATH:
    return H2W_HTTP_NAME_PATH;
  case SEEN_PROTOCOL:
    return H2W_HTTP_NAME_PROTOCOL;
  default:
    return H2W_HTTP_NAME_STATUS;
  }
}

/* Everything but the fully trusted plain field: the octet rules for what
 * is not trusted, then the pseudo-header or regular field rules. */
static int field_checks(h2w_http_msg *m, const h2w_nv *nv, unsigned trust,
                        unsigned cls, unsigned *out_class,
                        const char **reason) {
  size_t pseudo;
  unsigned bit;
  int name_known, value_known, rv;
  size_t from;
  if (cls >= H2W_HTTP_NAME_METHOD) {
    pseudo = 1;
    bit = class_bit(cls);
  } else if (cls != H2W_HTTP_NAME_UNKNOWN) {
    pseudo = 0;
    bit = 0;
  } else {
    pseudo = nv->namelen > 0 && nv->name[0] == ':';
    /* A known pseudo-header name is valid as it is: only an unknown one
     * needs its octets checked. A trusted name passed the checks before,
     * and no pseudo-header name that did is unknown. */
    bit = pseudo ? pseudo_bit(nv->name, nv->namelen) : 0;
  }
  name_known = bit != 0 || (trust & H2W_HTTP_TRUST_NAME) != 0;
  value_known = (trust & H2W_HTTP_TRUST_VALUE) != 0;
  from = name_known ? nv->namelen : pseudo;
  if ((!name_known && nv->namelen == from) ||
      !field_plain(nv, from, value_known)) {
    /* Something to report (or an unusual octet): the exact checks, in
     * the order that picks the reason. */
    rv = name_known ? H2W_OK : check_name(nv->name, nv->namelen, from, reason);
    if (rv == H2W_OK && !value_known) {
      rv = check_value(nv->value, nv->valuelen, reason);
    }
    if (rv != H2W_OK) {
      return rv;
    }
  }
  if (pseudo) {
    rv = on_pseudo(m, bit, nv, reason);
    cls = bit_class(bit);
  } else if (cls == H2W_HTTP_NAME_PLAIN) {
    m->seen = (uint16_t)(m->seen | SEEN_REGULAR);
    rv = H2W_OK;
  } else {
    rv = on_regular(m, nv, &cls, reason);
  }
  if (rv == H2W_OK && out_class != NULL) {
    *out_class = cls;
  }
  return rv;
}

int h2w_http_msg_field_trusted(h2w_http_msg *m, const h2w_nv *nv,
                               unsigned trust, unsigned *out_class,
                               const char **reason) {
  unsigned cls = (trust & H2W_HTTP_TRUST_NAME)
                     ? (trust >> H2W_HTTP_TRUST_CLASS_SHIFT) & 0xffu
                     : H2W_HTTP_NAME_UNKNOWN;
  if (trust & H2W_HTTP_TRUST_STATIC) {
    cls =
        cls < sizeof(static_class) ? static_class[cls] : H2W_HTTP_NAME_UNKNOWN;
  } else if (cls > H2W_HTTP_NAME_STATUS) {
    cls = H2W_HTTP_NAME_UNKNOWN; /* not one of ours: find it again */
  }
  if (cls == H2W_HTTP_NAME_PLAIN && (trust & H2W_HTTP_TRUST_VALUE)) {
    /* Octets checked before, and a name none of the §8 rules is about:
     * all that is left is that a regular field was seen (§8.3, pseudo-
     * header fields come first). The common case of a request: fields
     * indexed from the dynamic table. */
    m->seen = (uint16_t)(m->seen | SEEN_REGULAR);
    if (out_class != NULL) {
      *out_class = cls;
    }
    return H2W_OK;
  }
  return field_checks(m, nv, trust, cls, out_class, reason);
}

/* 1 when nv's value passes the word tests (field-vchar, SP, obs-text:
 * RFC 9113 §8.2.1, RFC 9110 §5.5) and neither starts nor ends with SP. */
static H2W_INLINE int value_plain(const h2w_nv *nv) {
  const uint8_t *v = nv->value;
  size_t n = nv->valuelen;
  if (n > 0 && (v[0] == ' ' || v[n - 1] == ' ')) {
    return 0;
  }
  return value_bad(v, n) == 0;
}

/* The application's fields (submitted, or a prepared set) are new octets
 * every time, so every §8.2.1 rule runs on each; what the fast path saves
 * is field_checks()'s generality (trust bits, classes), which only the
 * receive side needs. A regular field whose octets pass the word tests
 * goes straight to the §8.2.2 name rules; a pseudo-header field is known
 * by its first octet and its length, then pseudo_bit() names it (a known
 * name is valid as it is) and only its value is scanned. Anything else,
 * and anything to report, takes field_checks(), which picks the reason
 * octet by octet: the result is the same either way. */
static H2W_INLINE int app_field(h2w_http_msg *m, const h2w_nv *nv,
                                const char **reason) {
  size_t nl = nv->namelen;
  unsigned cls;
  if (nl > 0 && nv->name[0] != ':') {
    if (name_bad(nv->name, nl) == 0 && value_plain(nv)) {
      return on_regular(m, nv, &cls, reason);
    }
  } else if (nl > 0) {
    unsigned bit = pseudo_bit(nv->name, nl);
    if (bit != 0 && value_plain(nv)) {
      return on_pseudo(m, bit, nv, reason);
    }
  }
  return field_checks(m, nv, 0, H2W_HTTP_NAME_UNKNOWN, NULL, reason);
}

/* A list of one: app_field() inlines into the loop only. */
int h2w_http_msg_field(h2w_http_msg *m, const h2w_nv *nv, const char **reason) {
  size_t i;
  const char *why = NULL;
  int rv = h2w_http_msg_fields(m, nv, 1, &i, &why);
  if (rv != H2W_OK && reason != NULL) {
    *reason = why;
  }
  return rv;
}

/* One loop over the list, with app_field() inlined into it: a call per
 * field cost about as much as the checks of a short one. */
int h2w_http_msg_fields(h2w_http_msg *m, const h2w_nv *nva, size_t n,
                        size_t *index, const char **reason) {
  size_t i;
  for (i = 0; i < n; i++) {
    const h2w_nv *nv = &nva[i];
    int rv;
    if ((nv->name == NULL && nv->namelen > 0) ||
        (nv->value == NULL && nv->valuelen > 0)) {
      *index = i;
      *reason = "NULL name or value with a length";
      return H2W_E_INVALID_ARGUMENT;
    }
    rv = app_field(m, nv, reason);
    if (rv != H2W_OK) {
      *index = i;
      return rv;
    }
  }
  return H2W_OK;
}

/* §8.3.1 for http and https targets: origin-form, or "*" for OPTIONS;
 * no userinfo in :authority. */
static int check_http_target(const h2w_http_msg *m, const char **reason) {
  if (m->path == PATH_ASTERISK && m->method != H2W_HTTP_METHOD_OPTIONS) {
    return malformed(reason, ":path \"*\" without OPTIONS");
  }
  if (m->path == PATH_OTHER) {
    return malformed(reason, ":path does not start with '/'");
  }
  if (m->seen & SEEN_USERINFO) {
    return malformed(reason, "userinfo in :authority");
  }
  /* RFC 9110 §4.2.1, §4.2.2: an http or https URI with an empty host is
   * invalid, and a recipient must reject it. */
  if ((m->seen & SEEN_AUTHORITY) && (m->seen & SEEN_AUTH_EMPTY)) {
    return malformed(reason, "empty host in :authority");
  }
  return H2W_OK;
}

/* §8.3.1 mandatory fields, with the CONNECT forms of §8.5 and RFC 8441
 * §4 (extended CONNECT carries :scheme, :path and :authority too). */
static int end_request(const h2w_http_msg *m, const char **reason) {
  unsigned seen = m->seen;
  if (!(seen & SEEN_METHOD)) {
    return malformed(reason, "missing :method");
  }
  if (seen & SEEN_PROTOCOL) {
    if (m->method != H2W_HTTP_METHOD_CONNECT) {
      return malformed(reason, ":protocol without CONNECT");
    }
    if (!(seen & SEEN_AUTHORITY)) {
      return malformed(reason, "extended CONNECT without :authority");
    }
  } else if (m->method == H2W_HTTP_METHOD_CONNECT) {
    if (seen & (SEEN_SCHEME | SEEN_PATH)) {
      return malformed(reason, "CONNECT with :scheme or :path");
    }
    if (!(seen & SEEN_AUTHORITY) || (seen & SEEN_AUTH_EMPTY)) {
      return malformed(reason, "CONNECT without :authority");
    }
    /* §8.5: :authority is host and port, where '@' has no place. */
    return (seen & SEEN_USERINFO) ? malformed(reason, "userinfo in :authority")
                                  : H2W_OK;
  }
  if (!(seen & SEEN_SCHEME)) {
    return malformed(reason, "missing :scheme");
  }
  if (!(seen & SEEN_PATH)) {
    return malformed(reason, "missing :path");
  }
  return (seen & SEEN_SCHEME_HTTP) ? check_http_target(m, reason) : H2W_OK;
}

/* §8.4: a promised request is safe and cacheable (GET or HEAD here), has
 * no content, and names an authority the server must be authoritative
 * for. */
static int end_push_request(const h2w_http_msg *m, const char **reason) {
  int rv = end_request(m, reason);
  if (rv != H2W_OK) {
    return rv;
  }
  if (m->method != H2W_HTTP_METHOD_GET && m->method != H2W_HTTP_METHOD_HEAD) {
    return malformed(reason, "push request method is not GET or HEAD");
  }
  if (!(m->seen & SEEN_AUTHORITY)) {
    return malformed(reason, "push request without :authority");
  }
  if (m->content_length > 0) {
    return malformed(reason, "push request with content");
  }
  return H2W_OK;
}

int h2w_http_msg_end(h2w_http_msg *m, int end_stream, const char **reason) {
  switch (m->kind) {
  case H2W_HTTP_REQUEST:
    return end_request(m, reason);
  case H2W_HTTP_PUSH_REQUEST:
    return end_push_request(m, reason);
  case H2W_HTTP_RESPONSE:
    if (!(m->seen & SEEN_STATUS)) {
      return malformed(reason, "missing :status");
    }
    /* §8.1: an informational response is followed by a final one, so it
     * cannot end the stream. */
    if (h2w_http_msg_is_informational(m) && end_stream) {
      return malformed(reason, "informational response with END_STREAM");
    }
    return H2W_OK;
  case H2W_HTTP_TRAILERS:
    /* §8.1: the trailer section is the last frame of the message. */
    return end_stream ? H2W_OK
                      : malformed(reason, "trailers without END_STREAM");
  default:
    if (reason != NULL) {
      *reason = "unknown message kind";
    }
    return H2W_E_INVALID_ARGUMENT;
  }
}

#define BODY_NONE H2W_HTTP_BODY_NONE

int h2w_http_msg_has_protocol(const h2w_http_msg *m) {
  return (m->seen & SEEN_PROTOCOL) != 0;
}

int h2w_http_body_data(h2w_http_body *b, size_t n, const char **reason) {
  uint64_t total;
  if (n == 0) {
    return H2W_OK;
  }
  if (b->expected == BODY_NONE) {
    return malformed(reason, "DATA in a message without content");
  }
  if ((uint64_t)n > UINT64_MAX - b->received) {
    return malformed(reason, "DATA length overflow");
  }
  total = b->received + (uint64_t)n;
  /* §8.1.1: more DATA than content-length is malformed at once; waiting
   * for END_STREAM would deliver the excess first. */
  if (b->expected >= 0 && total > (uint64_t)b->expected) {
    return malformed(reason, "DATA beyond content-length");
  }
  b->received = total;
  return H2W_OK;
}

int h2w_http_body_end(const h2w_http_body *b, const char **reason) {
  if (b->expected >= 0 && b->received != (uint64_t)b->expected) {
    return malformed(reason, "END_STREAM before content-length octets");
  }
  return H2W_OK;
}

/* H2W_COLD marks functions that run at most a few times per connection,
 * or only for debugging: the debugging aids (frame traces, session dumps
 * and the text and JSON builders under them), error names, the HTTP/1.1
 * Upgrade handshake, the extension frames (ALTSVC, ORIGIN, unknown
 * types). GCC and clang then optimize them for size whatever the build
 * type, keep them apart from the hot code (.text.unlikely), and predict
 * the branches that lead to them as not taken. At -O3 this is most of the
 * library's size that is not on a per-request path (bench/README.md,
 * "Library size"). Nothing on a per-request or per-frame path of the
 * frames every connection uses may carry it. */
#ifndef H2W_COLD_H
#define H2W_COLD_H

#if defined(__GNUC__)
#define H2W_COLD __attribute__((cold))
#else
#define H2W_COLD
#endif

/* H2W_NOINLINE keeps a function out of its callers: a slow branch of a hot
 * path (so that the hot function stays small and, in hardened builds,
 * carries no stack-protector canary for the slow branch's locals), or a
 * helper that -O3 would otherwise copy into every caller. */
#if defined(__GNUC__)
#define H2W_NOINLINE __attribute__((noinline))
#else
#define H2W_NOINLINE
#endif

/* H2W_HOT_INLINE asks that a function be copied into each of its few
 * callers even where the optimizer's size estimate says no: only for a
 * per-frame step whose call, register saves and restores would cost as
 * much as its body (recv.c data_begin). */
#if defined(__GNUC__)
#define H2W_HOT_INLINE inline __attribute__((always_inline))
#else
#define H2W_HOT_INLINE inline
#endif

#endif

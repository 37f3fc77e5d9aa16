/*
 * media_internal.h (internal): helpers shared by the files of lib/media.
 *
 *   mbuf.c   a growable byte buffer with a hard cap (the muxer's output)
 *   averr.c  translation of FFmpeg's AVERROR codes to porch codes
 */
#ifndef PORCH_MEDIA_INTERNAL_H
#define PORCH_MEDIA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Invariant: len <= cap <= max; p is NULL exactly when cap is 0. */
typedef struct porch__mbuf {
    uint8_t *p;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len */
} porch__mbuf;

void porch__mbuf_init(porch__mbuf *b, size_t max);
/* Appends n bytes; PORCH_ERR_TOO_LARGE past max, PORCH_ERR_NOMEM. On error
 * the buffer is unchanged. */
int porch__mbuf_append(porch__mbuf *b, const uint8_t *data, size_t n);
/* Forgets the contents, keeps the allocation. */
void porch__mbuf_reset(porch__mbuf *b);
/* Frees the allocation; the buffer may be reused after porch__mbuf_init. */
void porch__mbuf_free(porch__mbuf *b);

/* Saturating int64 arithmetic for timestamps read from untrusted media:
 * a hostile file may carry values near INT64_MIN/MAX. */
static inline int64_t porch__ts_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static inline int64_t porch__ts_sub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

/* Maps an AVERROR to a porch code: ENOMEM -> NOMEM, file-system errnos ->
 * IO (errno set), everything else -> `fallback`. 0 and positive -> OK. */
int porch__averr(int averr, int fallback);

#endif

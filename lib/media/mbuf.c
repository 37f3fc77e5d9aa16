/*
 * mbuf.c: a growable byte buffer with a hard cap. The muxer's AVIO write
 * callback appends here; a piece is handed out once complete and the
 * buffer is reset, so its capacity settles at the largest piece seen.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "media/media_internal.h"

void porch__mbuf_init(porch__mbuf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Grows cap geometrically (from 64 KiB) to at least need, never past max.
 * Ownership: b->p belongs to b, freed by porch__mbuf_free. */
static int mbuf_grow(porch__mbuf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 65536;
    uint8_t *p;

    while (cap < need)
        cap = cap > b->max / 2 ? b->max : cap * 2;
    if (cap > b->max)
        cap = b->max;
    p = realloc(b->p, cap);
    if (p == NULL)
        return PORCH_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return PORCH_OK;
}

int porch__mbuf_append(porch__mbuf *b, const uint8_t *data, size_t n)
{
    int err;

    if (n > b->max - b->len)
        return PORCH_ERR_TOO_LARGE;
    if (n == 0)
        return PORCH_OK;
    if (b->len + n > b->cap && (err = mbuf_grow(b, b->len + n)) != PORCH_OK)
        return err;
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return PORCH_OK;
}

void porch__mbuf_reset(porch__mbuf *b)
{
    b->len = 0;
}

void porch__mbuf_free(porch__mbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

/*
 * ring.c: the pre-roll ring of compressed packets (references).
 *
 * Invariant: the first packet held is a keyframe, and it is the newest
 * keyframe whose time is at least `preroll` before the newest packet (or
 * the oldest keyframe seen, while less than `preroll` has gone by).
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/hub_record.h"

struct slot {
    AVPacket *pkt;
    int64_t ts_us;
};

struct porch_pkt_ring {
    struct slot *s;
    size_t n, cap;
    size_t bytes, max_bytes;
    int64_t preroll_us;
    uint64_t overflows;
};

int porch_pkt_ring_new(porch_pkt_ring **out, int64_t preroll_us, size_t max_bytes)
{
    porch_pkt_ring *r;

    if (out)
        *out = NULL;
    if (!out || preroll_us < 0 || max_bytes == 0)
        return PORCH_ERR_INVALID_ARG;
    if (!(r = calloc(1, sizeof *r)))
        return PORCH_ERR_NOMEM;
    r->preroll_us = preroll_us;
    r->max_bytes = max_bytes;
    *out = r;
    return PORCH_OK;
}

/* Drops the first k packets. */
static void drop_front(porch_pkt_ring *r, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        r->bytes -= (size_t)r->s[i].pkt->size;
        av_packet_free(&r->s[i].pkt);
    }
    memmove(r->s, r->s + k, (r->n - k) * sizeof *r->s);
    r->n -= k;
}

/* Index of the next keyframe after 0, or n. */
static size_t next_key(const porch_pkt_ring *r)
{
    size_t i = 1;

    while (i < r->n && !(r->s[i].pkt->flags & AV_PKT_FLAG_KEY))
        i++;
    return i;
}

static void trim(porch_pkt_ring *r)
{
    int64_t limit = r->s[r->n - 1].ts_us - r->preroll_us;
    size_t keep = 0;

    for (size_t i = 1; i < r->n && r->s[i].ts_us <= limit; i++)
        if (r->s[i].pkt->flags & AV_PKT_FLAG_KEY)
            keep = i;
    if (keep)
        drop_front(r, keep);
    /* Caps: whole GOPs go, oldest first, and are counted (never the last GOP). */
    while ((r->bytes > r->max_bytes || r->n > PORCH_RING_MAX_PACKETS) && next_key(r) < r->n) {
        size_t k = next_key(r);
        r->overflows += k;
        drop_front(r, k);
    }
}

int porch_pkt_ring_push(porch_pkt_ring *r, const AVPacket *pkt, int64_t ts_us)
{
    AVPacket *ref;

    if (!r || !pkt)
        return PORCH_ERR_INVALID_ARG;
    if (r->n == 0 && !(pkt->flags & AV_PKT_FLAG_KEY))
        return PORCH_OK;
    if (r->n == r->cap) {
        size_t ncap = r->cap ? 2 * r->cap : 256;
        struct slot *s = realloc(r->s, ncap * sizeof *s);
        if (!s)
            return PORCH_ERR_NOMEM;
        r->s = s;
        r->cap = ncap;
    }
    if (!(ref = av_packet_clone(pkt)))
        return PORCH_ERR_NOMEM;
    r->s[r->n].pkt = ref;
    r->s[r->n].ts_us = ts_us;
    r->n++;
    r->bytes += (size_t)pkt->size;
    trim(r);
    return PORCH_OK;
}

size_t porch_pkt_ring_count(const porch_pkt_ring *r)
{
    return r ? r->n : 0;
}

const AVPacket *porch_pkt_ring_get(const porch_pkt_ring *r, size_t i)
{
    return r && i < r->n ? r->s[i].pkt : NULL;
}

int64_t porch_pkt_ring_ts(const porch_pkt_ring *r, size_t i)
{
    return r && i < r->n ? r->s[i].ts_us : 0;
}

uint64_t porch_pkt_ring_overflows(const porch_pkt_ring *r)
{
    return r ? r->overflows : 0;
}

void porch_pkt_ring_clear(porch_pkt_ring *r)
{
    if (r && r->n)
        drop_front(r, r->n);
}

void porch_pkt_ring_free(porch_pkt_ring *r)
{
    if (!r)
        return;
    porch_pkt_ring_clear(r);
    free(r->s);
    free(r);
}

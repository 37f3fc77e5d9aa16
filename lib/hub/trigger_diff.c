/*
 * trigger_diff.c: the frame-difference trigger (interim, until the
 * analysis pipeline lands). Stateless except for the previous picture and
 * the event bookkeeping; one per camera, used on the camera's thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "porchlight/error.h"
#include "porchlight/hub_trigger.h"

struct diff {
    porch_diff_trigger_opts o;
    uint8_t *prev;
    int w, h;
    int have_prev;
    int active;
    int64_t last_motion_us;
    double best;                /* largest changed fraction in this event */
};

struct change {
    double fraction;
    int x0, y0, x1, y1;         /* bounding box of changed pixels */
};

#define CBLOCK 16

#if defined(__SSE2__)
/* Pixels of a row that changed by more than thr, 16 at a time with SSE2:
 * |a - b| as two saturating subtractions, "> thr" as max(d, thr + 1) == d,
 * and the 0xff lanes subtracted from byte counters that are summed before
 * they can wrap (255 blocks). About 0.6 instructions a pixel against 1.6
 * for GCC's vectorisation of the plain-C loop below (which reduces every
 * block); this runs on every analysed picture. thr < 255 (the caller's
 * 255 never fires and is handled there). */
static size_t count_row(const uint8_t *a, const uint8_t *b, int w, uint8_t thr)
{
    const __m128i t1 = _mm_set1_epi8((char)(thr + 1)), zero = _mm_setzero_si128();
    size_t n = 0;
    int x = 0;

    while (x + CBLOCK <= w) {
        __m128i acc = zero;
        for (int k = 0; k < 255 && x + CBLOCK <= w; k++, x += CBLOCK) {
            __m128i va = _mm_loadu_si128((const __m128i *)(a + x));
            __m128i vb = _mm_loadu_si128((const __m128i *)(b + x));
            __m128i d = _mm_or_si128(_mm_subs_epu8(va, vb), _mm_subs_epu8(vb, va));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_max_epu8(d, t1), d));
        }
        acc = _mm_sad_epu8(acc, zero); /* two 64-bit lane sums */
        n += (size_t)_mm_cvtsi128_si32(acc) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(acc, 8));
    }
    for (; x < w; x++)
        n += (unsigned)abs((int)a[x] - (int)b[x]) > thr;
    return n;
}
#else
/* Pixels of a row that changed by more than thr. Fixed-size blocks so
 * that -O2 vectorises them (GCC's cheap cost model takes only loops with
 * a known trip count); most rows of a quiet scene end here. */
static size_t count_row(const uint8_t *restrict a, const uint8_t *restrict b, int w, uint8_t thr)
{
    size_t n = 0;
    int x = 0;

    for (; x + CBLOCK <= w; x += CBLOCK) {
        uint8_t c = 0;
        for (int j = 0; j < CBLOCK; j++) {
            uint8_t d = a[x + j] > b[x + j] ? a[x + j] - b[x + j] : b[x + j] - a[x + j];
            c += d > thr;
        }
        n += c;
    }
    for (; x < w; x++)
        n += (unsigned)abs((int)a[x] - (int)b[x]) > thr;
    return n;
}
#endif

static int changed(const uint8_t *a, const uint8_t *b, int x, uint8_t thr)
{
    return (unsigned)abs((int)a[x] - (int)b[x]) > thr;
}

static struct change measure(const struct diff *d, const porch_trigger_input *in)
{
    struct change c = { 0, in->width, in->height, -1, -1 };
    /* A difference is at most 255: a threshold above it never fires. */
    uint8_t thr = d->o.threshold >= 255 ? 255 : (uint8_t)d->o.threshold;
    size_t n = 0;

    if (thr == 255) { /* nothing changes by more than 255 */
        c.fraction = 0;
        return c;
    }

    for (int y = 0; y < in->height; y++) {
        const uint8_t *a = in->grey + (size_t)y * in->stride, *b = d->prev + (size_t)y * d->w;
        size_t row = count_row(a, b, in->width, thr);
        int l = 0, r = in->width - 1;
        if (!row)
            continue;
        /* The row's extent: scan in from both ends (a changed pixel exists). */
        while (!changed(a, b, l, thr))
            l++;
        while (!changed(a, b, r, thr))
            r--;
        c.x0 = l < c.x0 ? l : c.x0;
        c.x1 = r > c.x1 ? r : c.x1;
        c.y0 = y < c.y0 ? y : c.y0;
        c.y1 = y;
        n += row;
    }
    c.fraction = (double)n / ((double)in->width * in->height);
    return c;
}

static void keep(struct diff *d, const porch_trigger_input *in)
{
    for (int y = 0; y < in->height; y++)
        memcpy(d->prev + (size_t)y * d->w, in->grey + (size_t)y * in->stride, (size_t)d->w);
    d->have_prev = 1;
}

static uint16_t frac16(int v, int whole)
{
    long x = lround(65535.0 * v / whole);
    return (uint16_t)(x < 0 ? 0 : x > 65535 ? 65535 : x);
}

static void label_of(const struct change *c, const porch_trigger_input *in,
                     porch_trigger_result *out)
{
    out->has_label = 1;
    out->label.cls = PORCH_CLASS_MOTION;
    out->label.score = frac16(c->fraction > 1 ? 1 : (int)(c->fraction * 1000), 1000);
    out->label.x = frac16(c->x0, in->width);
    out->label.y = frac16(c->y0, in->height);
    out->label.w = frac16(c->x1 - c->x0 + 1, in->width);
    out->label.h = frac16(c->y1 - c->y0 + 1, in->height);
}

static void decide(struct diff *d, const struct change *c, const porch_trigger_input *in,
                   porch_trigger_result *out)
{
    int motion = c->fraction >= d->o.fraction;

    if (motion)
        d->last_motion_us = in->pts_us;
    if (!d->active && motion) {
        d->active = 1;
        d->best = c->fraction;
        out->state = PORCH_TRIGGER_STARTED;
        out->thumbnail = 1;
        snprintf(out->reason, sizeof out->reason,
                 "frame difference: %.1f%% of pixels changed by more than %.0f grey levels "
                 "(threshold %.1f%%)",
                 100 * c->fraction, d->o.threshold, 100 * d->o.fraction);
    } else if (d->active && !motion && in->pts_us - d->last_motion_us >= d->o.quiet_us) {
        d->active = 0;
        out->state = PORCH_TRIGGER_ENDED;
    } else if (d->active) {
        out->state = PORCH_TRIGGER_ONGOING;
        /* A clearly better view of the moment (half as much change again). */
        if (c->fraction > 1.5 * d->best) {
            d->best = c->fraction;
            out->thumbnail = 1;
        }
    }
    if (motion && out->thumbnail)
        label_of(c, in, out);
}

static int diff_frame(void *self, const porch_trigger_input *in, porch_trigger_result *out)
{
    struct diff *d = self;
    struct change c;

    if (!in || !in->grey || in->width <= 0 || in->height <= 0 || in->stride < (size_t)in->width)
        return PORCH_ERR_INVALID_ARG;
    if (in->width != d->w || in->height != d->h) {
        uint8_t *p = realloc(d->prev, (size_t)in->width * in->height);
        if (!p)
            return PORCH_ERR_NOMEM;
        d->prev = p;
        d->w = in->width;
        d->h = in->height;
        d->have_prev = 0;
    }
    if (d->have_prev) {
        c = measure(d, in);
        decide(d, &c, in, out);
    } else if (d->active) {
        out->state = PORCH_TRIGGER_ONGOING;
    }
    keep(d, in);
    return PORCH_OK;
}

static void diff_reset(void *self)
{
    struct diff *d = self;

    d->have_prev = 0;
}

static void diff_free(void *self)
{
    struct diff *d = self;

    if (d)
        free(d->prev);
    free(d);
}

static const porch_trigger_ops diff_ops = { diff_frame, diff_reset, diff_free };

int porch_diff_trigger_new(porch_trigger *out, const porch_diff_trigger_opts *opts)
{
    struct diff *d;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out)
        return PORCH_ERR_INVALID_ARG;
    if (!(d = calloc(1, sizeof *d)))
        return PORCH_ERR_NOMEM;
    d->o.threshold = opts && opts->threshold > 0 ? opts->threshold : 25;
    d->o.fraction = opts && opts->fraction > 0 ? opts->fraction : 0.01;
    d->o.quiet_us = opts && opts->quiet_us > 0 ? opts->quiet_us : 1000000;
    out->ops = &diff_ops;
    out->self = d;
    return PORCH_OK;
}

void porch_trigger_free(porch_trigger *t)
{
    if (!t)
        return;
    if (t->ops && t->ops->free)
        t->ops->free(t->self);
    memset(t, 0, sizeof *t);
}

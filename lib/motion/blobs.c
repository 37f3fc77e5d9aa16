/*
 * blobs.c: connected-component labelling by flood fill with an explicit
 * stack (each foreground pixel is pushed once: the stack never exceeds w*h),
 * then merging of regions whose boxes nearly touch (a person split by a
 * railing is one region), then an area filter.
 */
#include <stdlib.h>
#include <string.h>

#include "motion/blobs.h"

/* Blink level (bgmodel.h) above which a pixel counts as dynamic background.
 * (Also counting pixels whose threshold the model raised, as on water, was
 * tried: it cost more recall than it removed nuisance; docs/MOTION.md.) */
#ifndef DYNAMIC_LEVEL
#define DYNAMIC_LEVEL 128
#endif
#define MIN_FRAGMENT 3      /* fragments smaller than this are not even merged */

static void add_pixel(porch__blob *b, const porch__blob_input *in, int x, int y)
{
    size_t i = (size_t)y * (size_t)in->w + (size_t)x;

    b->x0 = x < b->x0 ? x : b->x0;
    b->x1 = x > b->x1 ? x : b->x1;
    b->y0 = y < b->y0 ? y : b->y0;
    b->y1 = y > b->y1 ? y : b->y1;
    b->area++;
    b->sx += x;
    b->sy += y;
    b->ndyn += in->dynamic[i] >= DYNAMIC_LEVEL;
    b->nzone += in->zone[i];
}

/* Floods the region containing seed; scratch pixels are cleared as pushed. */
static porch__blob flood(const porch__blob_input *in, uint8_t *scratch, int32_t *stack,
                         int32_t seed)
{
    porch__blob b = { in->w, in->h, -1, -1, 0, 0, 0, 0, 0 };
    size_t top = 0;

    stack[top++] = seed;
    scratch[seed] = 0;
    while (top > 0) {
        int32_t p = stack[--top];
        int x = p % in->w, y = p / in->w;
        add_pixel(&b, in, x, y);
        for (int ny = y - 1; ny <= y + 1; ny++) {
            for (int nx = x - 1; nx <= x + 1; nx++) {
                int32_t q = ny * in->w + nx;
                if (nx < 0 || ny < 0 || nx >= in->w || ny >= in->h || !scratch[q])
                    continue;
                scratch[q] = 0;
                stack[top++] = q;
            }
        }
    }
    return b;
}

/* Keeps the PORCH__BLOBS_MAX largest: replaces the smallest when full. */
static void keep(porch__blob *out, int *n, const porch__blob *b)
{
    int small = 0;

    if (*n < PORCH__BLOBS_MAX) {
        out[(*n)++] = *b;
        return;
    }
    for (int k = 1; k < *n; k++)
        small = out[k].area < out[small].area ? k : small;
    if (b->area > out[small].area)
        out[small] = *b;
}

static int near(const porch__blob *a, const porch__blob *b, int gap)
{
    return a->x0 <= b->x1 + gap && b->x0 <= a->x1 + gap &&
           a->y0 <= b->y1 + gap && b->y0 <= a->y1 + gap;
}

static void absorb(porch__blob *a, const porch__blob *b)
{
    a->x0 = b->x0 < a->x0 ? b->x0 : a->x0;
    a->y0 = b->y0 < a->y0 ? b->y0 : a->y0;
    a->x1 = b->x1 > a->x1 ? b->x1 : a->x1;
    a->y1 = b->y1 > a->y1 ? b->y1 : a->y1;
    a->area += b->area;
    a->sx += b->sx;
    a->sy += b->sy;
    a->ndyn += b->ndyn;
    a->nzone += b->nzone;
}

/* Merges until no two boxes are within gap; O(n^2) per pass, n <= 256. */
static int merge(porch__blob *b, int n, int gap)
{
    int changed = 1;

    while (changed) {
        changed = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (!near(&b[i], &b[j], gap))
                    continue;
                absorb(&b[i], &b[j]);
                b[j--] = b[--n];
                changed = 1;
            }
        }
    }
    return n;
}

static int by_area_desc(const void *a, const void *b)
{
    const porch__blob *x = a, *y = b;

    return (y->area > x->area) - (y->area < x->area);
}

int porch__blobs_find(const porch__blob_input *in, uint8_t *scratch, int32_t *stack,
                      porch__blob *out)
{
    size_t npix = (size_t)in->w * (size_t)in->h;
    int n = 0, kept = 0;

    memcpy(scratch, in->mask, npix);
    for (size_t i = 0; i < npix; i++) {
        porch__blob b;
        if (!scratch[i])
            continue;
        b = flood(in, scratch, stack, (int32_t)i);
        if (b.area >= MIN_FRAGMENT)
            keep(out, &n, &b);
    }
    n = merge(out, n, in->merge_gap);
    for (int k = 0; k < n; k++)
        if (out[k].area >= in->min_area)
            out[kept++] = out[k];
    qsort(out, (size_t)kept, sizeof(*out), by_area_desc);
    return kept;
}

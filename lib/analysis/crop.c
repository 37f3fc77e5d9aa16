/*
 * crop.c: where the detector looks when motion candidates are small.
 * NanoDet sees a 416x416 letterbox, so a source wider than 416 pixels is
 * scaled down and small distant objects lose pixels. A square crop around
 * the candidates, at least 416 source pixels wide, shows them at the source's
 * full resolution. Crops are never smaller than that: scaling a crop *up*
 * was measured to hurt (psu-walk's pedestrian, 320x244 source, cropped and
 * scaled up ~4x: detected on 27 of 108 frames, against 91 on the whole
 * frame; docs/DETECTION.md).
 */
#include "porchlight/analysis.h"
#include "porchlight/nanodet.h"
#include "analysis/analysis_internal.h"

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Union of the candidates' boxes in normalised coordinates; 0 if none. */
static int candidates_union(const porch_motion_result *m, int gw, int gh, porch__an_rect *u)
{
    int any = 0;

    for (int i = 0; i < m->nregions; i++) {
        const porch_motion_region *r = &m->regions[i];
        if (!r->candidate)
            continue;
        float x0 = (float)r->x / (float)gw, y0 = (float)r->y / (float)gh;
        float x1 = (float)(r->x + r->w) / (float)gw, y1 = (float)(r->y + r->h) / (float)gh;
        if (!any) {
            *u = (porch__an_rect){ x0, y0, x1, y1 };
            any = 1;
            continue;
        }
        u->x0 = x0 < u->x0 ? x0 : u->x0;
        u->y0 = y0 < u->y0 ? y0 : u->y0;
        u->x1 = x1 > u->x1 ? x1 : u->x1;
        u->y1 = y1 > u->y1 ? y1 : u->y1;
    }
    return any;
}

/* Centres an interval of length len (pixels) on c within [0, size]. */
static void place(float c, float len, float size, float *lo, float *hi)
{
    if (len >= size) {
        *lo = 0.0f;
        *hi = size;
        return;
    }
    *lo = clampf(c - len / 2.0f, 0.0f, size - len);
    *hi = *lo + len;
}

int porch__an_crop(const porch_motion_result *m, int gw, int gh, int cw, int ch,
                   float margin, float max_area, porch__an_rect *crop)
{
    porch__an_rect u;
    float W = (float)cw, H = (float)ch, x0, x1, y0, y1;

    *crop = (porch__an_rect){ 0.0f, 0.0f, 1.0f, 1.0f };
    if (!candidates_union(m, gw, gh, &u))
        return 0;
    /* In colour pixels: widen by margin, then make it square and not tiny. */
    float w = (u.x1 - u.x0) * W * (1.0f + 2.0f * margin);
    float h = (u.y1 - u.y0) * H * (1.0f + 2.0f * margin);
    float side = w > h ? w : h;
    float shorter = W < H ? W : H;
    float least = shorter < (float)PORCH_NANODET_SIZE ? shorter : (float)PORCH_NANODET_SIZE;
    side = side < least ? least : side;
    place((u.x0 + u.x1) / 2.0f * W, side, W, &x0, &x1);
    place((u.y0 + u.y1) / 2.0f * H, side, H, &y0, &y1);
    *crop = (porch__an_rect){ x0 / W, y0 / H, x1 / W, y1 / H };
    if ((crop->x1 - crop->x0) * (crop->y1 - crop->y0) > max_area) {
        *crop = (porch__an_rect){ 0.0f, 0.0f, 1.0f, 1.0f };
        return 0;
    }
    return 1;
}

/*
 * mask.c: polygon rasterisation for zones/masks, and the 3x3 majority
 * filter that removes isolated foreground pixels and fills pin holes.
 */
#include <math.h>
#include <string.h>

#include "motion/mask.h"

int porch__poly_valid(const porch_motion_polygon *p)
{
    if (p->nvertices < 3 || p->nvertices > PORCH_MOTION_MAX_VERTICES)
        return 0;
    for (int k = 0; k < p->nvertices; k++) {
        float x = p->v[k].x, y = p->v[k].y;
        if (!isfinite(x) || !isfinite(y) || x < 0 || x > 1 || y < 0 || y > 1)
            return 0;
    }
    return 1;
}

int porch__poly_contains(const porch_motion_polygon *p, float x, float y)
{
    int in = 0;

    for (int i = 0, j = p->nvertices - 1; i < p->nvertices; j = i++) {
        porch_motion_point a = p->v[i], b = p->v[j];
        if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x)
            in = !in;
    }
    return in;
}

void porch__poly_raster(const porch_motion_polygon *p, int w, int h, uint8_t *out)
{
    for (int y = 0; y < h; y++) {
        float fy = ((float)y + 0.5f) / (float)h;
        for (int x = 0; x < w; x++) {
            if (porch__poly_contains(p, ((float)x + 0.5f) / (float)w, fy))
                out[(size_t)y * (size_t)w + (size_t)x] = 1;
        }
    }
}

void porch__majority3(const uint8_t *in, uint8_t *out, int w, int h, uint8_t *colsum)
{
    const size_t sw = (size_t)w;

    for (int y = 0; y < h; y++) {
        const uint8_t *c = in + (size_t)y * sw;
        const uint8_t *u = y > 0 ? c - sw : NULL;
        const uint8_t *d = y + 1 < h ? c + sw : NULL;
        uint8_t *o = out + (size_t)y * sw;
        for (int x = 0; x < w; x++)
            colsum[x] = (uint8_t)(c[x] + (u ? u[x] : 0) + (d ? d[x] : 0));
        for (int x = 0; x < w; x++) {
            int s = colsum[x] + (x > 0 ? colsum[x - 1] : 0) + (x + 1 < w ? colsum[x + 1] : 0);
            o[x] = (uint8_t)(s >= 5);
        }
    }
}

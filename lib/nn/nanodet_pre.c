/*
 * nanodet_pre.c: letterbox + normalisation for NanoDet-g (original
 * pipeline: keep-ratio warp onto black, BGR, (x - mean) / std, NCHW;
 * ML-MODELS.md §4.1). Resize is bilinear with half-pixel centres, as
 * tf.image.resizeBilinear(halfPixelCenters=true); at scale 1 it copies.
 */
#include <math.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/nanodet.h"

#define S PORCH_NANODET_SIZE

static const float mean_bgr[3] = { 103.53f, 116.28f, 123.675f };
static const float std_bgr[3] = { 57.375f, 57.12f, 58.395f };

static void fit(int w, int h, porch_nanodet_letterbox *lb)
{
    double s = fmin((double)S / w, (double)S / h);
    lb->src_w = w, lb->src_h = h;
    lb->w = (int)lround(w * s), lb->h = (int)lround(h * s);
    lb->w = lb->w < 1 ? 1 : lb->w > S ? S : lb->w;
    lb->h = lb->h < 1 ? 1 : lb->h > S ? S : lb->h;
    lb->left = (S - lb->w) / 2, lb->top = (S - lb->h) / 2;
}

typedef struct tap { int lo, hi; float f; } tap;

static tap src_tap(int i, int in, int out)
{
    double s = (i + 0.5) * ((double)in / out) - 0.5;
    tap t;
    t.lo = s < 0 ? 0 : (int)floor(s);
    t.hi = (int)ceil(s) > in - 1 ? in - 1 : (int)ceil(s);
    t.lo = t.lo > in - 1 ? in - 1 : t.lo;
    t.f = (float)(s - t.lo);
    return t;
}

/* One output pixel (x, y inside the scaled image), channel c in source order. */
static float sample(const uint8_t *pix, size_t stride, tap tx, tap ty, int c)
{
    const uint8_t *r0 = pix + (size_t)ty.lo * stride, *r1 = pix + (size_t)ty.hi * stride;
    float tl = r0[tx.lo * 3 + c], tr = r0[tx.hi * 3 + c];
    float bl = r1[tx.lo * 3 + c], br = r1[tx.hi * 3 + c];
    float top = tl + (tr - tl) * tx.f, bot = bl + (br - bl) * tx.f;
    return top + (bot - top) * ty.f;
}

int porch_nanodet_preprocess(const uint8_t *pix, int w, int h, size_t stride, int order,
                             float *out, porch_nanodet_letterbox *lb)
{
    if (lb)
        memset(lb, 0, sizeof *lb);
    if (!pix || !out || !lb || w < 1 || h < 1 || w > 16384 || h > 16384 ||
        stride < (size_t)w * 3 || (order != PORCH_NANODET_BGR && order != PORCH_NANODET_RGB))
        return PORCH_ERR_INVALID_ARG;
    fit(w, h, lb);
    for (int c = 0; c < 3; c++) /* black bars: pixel value 0 before normalisation */
        for (int i = 0; i < S * S; i++)
            out[c * S * S + i] = -mean_bgr[c] / std_bgr[c];
    for (int y = 0; y < lb->h; y++) {
        tap ty = src_tap(y, h, lb->h);
        for (int x = 0; x < lb->w; x++) {
            tap tx = src_tap(x, w, lb->w);
            size_t o = (size_t)(y + lb->top) * S + (size_t)(x + lb->left);
            for (int c = 0; c < 3; c++) { /* c: BGR plane; source channel per order */
                int sc = order == PORCH_NANODET_BGR ? c : 2 - c;
                out[c * S * S + o] = (sample(pix, stride, tx, ty, sc) - mean_bgr[c]) / std_bgr[c];
            }
        }
    }
    return PORCH_OK;
}

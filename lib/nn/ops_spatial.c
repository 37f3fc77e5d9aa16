/*
 * ops_spatial.c: MaxPool and ResizeBilinear on NHWC float32, with
 * TensorFlow's exact semantics (ML-MODELS.md §5.2).
 */
#include <math.h>

#include "nn/ops.h"

/* Taps outside the input (SAME padding or a folded -inf PadV2) are ignored. */
void porch__op_maxpool(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                       float *y, const porch__shape *ys)
{
    int64_t H = xs->d[1], W = xs->d[2], C = xs->d[3];
    for (int64_t n = 0; n < ys->d[0]; n++)
    for (int64_t oh = 0; oh < ys->d[1]; oh++)
    for (int64_t ow = 0; ow < ys->d[2]; ow++) {
        float *out = y + ((n * ys->d[1] + oh) * ys->d[2] + ow) * C;
        for (int64_t c = 0; c < C; c++)
            out[c] = -INFINITY;
        for (int kh = 0; kh < cp->kh; kh++) {
            int64_t ih = oh * cp->sh + kh - cp->pad[0];
            if (ih < 0 || ih >= H)
                continue;
            for (int kw = 0; kw < cp->kw; kw++) {
                int64_t iw = ow * cp->sw + kw - cp->pad[1];
                if (iw < 0 || iw >= W)
                    continue;
                const float *in = x + ((n * H + ih) * W + iw) * C;
                for (int64_t c = 0; c < C; c++)
                    out[c] = in[c] > out[c] ? in[c] : out[c];
            }
        }
    }
}

typedef struct tap { int64_t lo, hi; float f; } tap;

/* Source coordinate of output index i, in double as tfjs computes it. */
static tap src_tap(int half, int align, int64_t i, int64_t in, int64_t out)
{
    double scale = (align && out > 1) ? (double)(in - 1) / (double)(out - 1)
                                      : (double)in / (double)out;
    double s = half ? ((double)i + 0.5) * scale - 0.5 : (double)i * scale;
    tap t;
    double fl = floor(s);
    t.lo = fl < 0 ? 0 : (int64_t)fl;
    t.hi = (int64_t)ceil(s);
    t.hi = t.hi > in - 1 ? in - 1 : t.hi;
    t.lo = t.lo > in - 1 ? in - 1 : t.lo;
    t.f = (float)(s - (double)t.lo);
    return t;
}

void porch__op_resize(int half, int align, const float *x, const porch__shape *xs, float *y,
                      const porch__shape *ys)
{
    int64_t H = xs->d[1], W = xs->d[2], C = xs->d[3];
    for (int64_t n = 0; n < ys->d[0]; n++)
    for (int64_t oh = 0; oh < ys->d[1]; oh++) {
        tap ty = src_tap(half, align, oh, H, ys->d[1]);
        for (int64_t ow = 0; ow < ys->d[2]; ow++) {
            tap tx = src_tap(half, align, ow, W, ys->d[2]);
            const float *tl = x + ((n * H + ty.lo) * W + tx.lo) * C;
            const float *tr = x + ((n * H + ty.lo) * W + tx.hi) * C;
            const float *bl = x + ((n * H + ty.hi) * W + tx.lo) * C;
            const float *br = x + ((n * H + ty.hi) * W + tx.hi) * C;
            float *out = y + ((n * ys->d[1] + oh) * ys->d[2] + ow) * C;
            for (int64_t c = 0; c < C; c++) {
                float top = tl[c] + (tr[c] - tl[c]) * tx.f;
                float bot = bl[c] + (br[c] - bl[c]) * tx.f;
                out[c] = top + (bot - top) * ty.f;
            }
        }
    }
}

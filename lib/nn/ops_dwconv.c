/*
 * ops_dwconv.c: depthwise convolution (channel multiplier 1) on NHWC with
 * zero padding (taps outside the input are skipped), bias and activation.
 * Weights [tap][C]; the channel loop is innermost and contiguous so the
 * compiler vectorises it. Depthwise layers are memory-bound (9 MACs per
 * loaded value), so no ISA-specific version exists yet.
 */
#include "nn/ops.h"

static void act_row(const porch__conv_params *cp, float *o, int64_t C)
{
    for (int64_t c = 0; c < C; c++) {
        float v = o[c];
        switch (cp->act) {
        case PORCH__A_RELU: v = v > 0 ? v : 0; break;
        case PORCH__A_RELU6: v = v < 0 ? 0 : v > 6 ? 6 : v; break;
        case PORCH__A_LEAKY: v = v > 0 ? v : cp->alpha * v; break;
        default: break;
        }
        o[c] = v;
    }
}

void porch__op_dwconv(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                      float *y, const porch__shape *ys)
{
    int64_t H = xs->d[1], W = xs->d[2], C = xs->d[3];
    for (int64_t oh = 0; oh < ys->d[1]; oh++)
    for (int64_t ow = 0; ow < ys->d[2]; ow++) {
        float *o = y + (oh * ys->d[2] + ow) * C;
        for (int64_t c = 0; c < C; c++)
            o[c] = cp->bias[c];
        for (int ky = 0; ky < cp->kh; ky++) {
            int64_t ih = oh * cp->sh + ky - cp->pad[0];
            if (ih < 0 || ih >= H)
                continue;
            for (int kx = 0; kx < cp->kw; kx++) {
                int64_t iw = ow * cp->sw + kx - cp->pad[1];
                if (iw < 0 || iw >= W)
                    continue;
                const float *in = x + (ih * W + iw) * C, *w = cp->w + (ky * cp->kw + kx) * C;
                for (int64_t c = 0; c < C; c++)
                    o[c] += in[c] * w[c];
            }
        }
        act_row(cp, o, C);
    }
}

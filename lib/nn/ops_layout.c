/*
 * ops_layout.c: Pad, ConcatV2 and SplitV on physical layouts. Concat and
 * split copy contiguous runs: outer = product of dims before the axis,
 * each part contributes d[axis] * inner elements per outer index.
 */
#include <string.h>

#include "nn/ops.h"

void porch__op_pad(const int64_t *pads, float val, const float *x, const porch__shape *xs,
                   float *y, const porch__shape *ys)
{
    size_t n = (size_t)porch__shape_count(ys);
    for (size_t i = 0; i < n; i++)
        y[i] = val;
    int64_t dim[6], ost[6], off0 = 0, acc = 1;
    int k0 = 6 - xs->rank;
    for (int i = 5; i >= 0; i--) {
        int k = i - k0;
        dim[i] = k >= 0 ? xs->d[k] : 1;
        ost[i] = acc;
        if (k >= 0) {
            off0 += pads[2 * k] * acc;
            acc *= ys->d[k];
        }
    }
    size_t o = 0;
    for (int64_t a = 0; a < dim[0]; a++)
    for (int64_t b = 0; b < dim[1]; b++)
    for (int64_t c = 0; c < dim[2]; c++)
    for (int64_t d = 0; d < dim[3]; d++)
    for (int64_t e = 0; e < dim[4]; e++) {
        float *dst = y + off0 + a * ost[0] + b * ost[1] + c * ost[2] + d * ost[3] + e * ost[4];
        memcpy(dst, x + o, sizeof(float) * (size_t)dim[5]);
        o += (size_t)dim[5];
    }
}

static void outer_inner(const porch__shape *s, int axis, int64_t *outer, int64_t *inner)
{
    *outer = 1, *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= s->d[i];
    for (int i = axis; i < s->rank; i++)
        *inner *= s->d[i];
}

void porch__op_concat(int axis, const float *const *x, const porch__shape *xs, int n, float *y)
{
    int64_t outer, inner;
    outer_inner(&xs[0], axis, &outer, &inner);
    for (int64_t o = 0; o < outer; o++)
        for (int i = 0; i < n; i++) {
            outer_inner(&xs[i], axis, &(int64_t){ 0 }, &inner);
            memcpy(y, x[i] + o * inner, sizeof(float) * (size_t)inner);
            y += inner;
        }
}

void porch__op_split(int axis, const float *x, float *const *y, const porch__shape *ys, int n)
{
    int64_t outer, inner;
    outer_inner(&ys[0], axis, &outer, &inner);
    for (int64_t o = 0; o < outer; o++)
        for (int i = 0; i < n; i++) {
            outer_inner(&ys[i], axis, &(int64_t){ 0 }, &inner);
            memcpy(y[i] + o * inner, x, sizeof(float) * (size_t)inner);
            x += inner;
        }
}

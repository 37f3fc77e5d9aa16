/*
 * ops_reduce.c: reductions along rows of dense row-major data: the spatial
 * mean of an NHWC tensor (x[H*W][C] -> y[C]) and the last-axis softmax,
 * computed the way TensorFlow.js's cpu backend does (double sums, softmax as
 * exp(x - max) / sum).
 */
#include <math.h>

#include "nn/ops.h"

void porch__op_mean_rows(const float *x, int64_t n, int64_t c, float *y)
{
    for (int64_t k = 0; k < c; k++) {
        double s = 0;
        for (int64_t i = 0; i < n; i++)
            s += x[i * c + k];
        y[k] = (float)(s / (double)n);
    }
}

void porch__op_softmax(const float *x, int64_t n, int64_t c, float *y)
{
    for (int64_t r = 0; r < n; r++) {
        const float *a = x + r * c;
        float *b = y + r * c, mx = a[0];
        for (int64_t k = 1; k < c; k++)
            mx = a[k] > mx ? a[k] : mx;
        double s = 0;
        for (int64_t k = 0; k < c; k++) {
            b[k] = expf(a[k] - mx);
            s += b[k];
        }
        float fs = (float)s;
        for (int64_t k = 0; k < c; k++)
            b[k] /= fs;
    }
}

/*
 * ops_elem.c: broadcasting binary ops and activations.
 * Broadcasting follows numpy on equal-rank shapes (ranks are aligned at
 * load): a dim of 1 repeats. Shapes are padded to rank 6 so one loop nest
 * serves every rank; the common cases (equal shapes, a per-channel vector,
 * a scalar) take flat loops.
 */
#include <math.h>

#include "nn/ops.h"

static inline float bin(int op, float a, float b)
{
    switch (op) {
    case PORCH__B_ADD: return a + b;
    case PORCH__B_SUB: return a - b;
    case PORCH__B_MUL: return a * b;
    case PORCH__B_MAX: return a > b ? a : b;
    case PORCH__B_PRELU: return a > 0 ? a : a * b; /* = max(0,a) + b * min(0,a) exactly */
    default: return a < b ? a : b;
    }
}

static inline int32_t bin_i32(int op, int32_t a, int32_t b)
{
    /* wrapping arithmetic, as TensorFlow's int32 kernels */
    switch (op) {
    case PORCH__B_ADD: return (int32_t)((uint32_t)a + (uint32_t)b);
    case PORCH__B_SUB: return (int32_t)((uint32_t)a - (uint32_t)b);
    case PORCH__B_MUL: return (int32_t)((uint32_t)a * (uint32_t)b);
    case PORCH__B_MAX: return a > b ? a : b;
    default: return a < b ? a : b;
    }
}

/* Rank-6 dims of os and element strides of s broadcast to os (0 on repeated dims). */
static void strides6(const porch__shape *s, const porch__shape *os, int64_t *dim, int64_t *st)
{
    int off = 6 - os->rank;
    int64_t acc = 1;
    for (int i = 5; i >= 0; i--) {
        int k = i - off;
        dim[i] = k >= 0 ? os->d[k] : 1;
        int64_t sd = k >= 0 ? s->d[k] : 1;
        st[i] = sd == 1 ? 0 : acc;
        acc *= sd;
    }
}

#define BROADCAST_LOOP(FN)                                                        \
    int64_t dim[6], sa[6], sb[6];                                                 \
    strides6(as, os, dim, sa);                                                    \
    strides6(bs, os, dim, sb);                                                    \
    size_t o_ = 0;                                                                \
    for (int64_t i0 = 0; i0 < dim[0]; i0++)                                       \
    for (int64_t i1 = 0; i1 < dim[1]; i1++)                                       \
    for (int64_t i2 = 0; i2 < dim[2]; i2++)                                       \
    for (int64_t i3 = 0; i3 < dim[3]; i3++)                                       \
    for (int64_t i4 = 0; i4 < dim[4]; i4++) {                                     \
        int64_t pa = i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3] + i4 * sa[4]; \
        int64_t pb = i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3] + i4 * sb[4]; \
        for (int64_t i5 = 0; i5 < dim[5]; i5++)                                   \
            o[o_++] = FN(op, a[pa + i5 * sa[5]], b[pb + i5 * sb[5]]);             \
    }

static int same_shape(const porch__shape *a, const porch__shape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i])
            return 0;
    return 1;
}

void porch__op_binary(int op, const float *a, const porch__shape *as, const float *b,
                      const porch__shape *bs, float *o, const porch__shape *os)
{
    if (same_shape(as, os) && same_shape(bs, os)) {
        size_t n = (size_t)porch__shape_count(os);
        if (op == PORCH__B_ADD) /* the hot case (residuals, PAN): no switch per element */
            for (size_t i = 0; i < n; i++)
                o[i] = a[i] + b[i];
        else
            for (size_t i = 0; i < n; i++)
                o[i] = bin(op, a[i], b[i]);
        return;
    }
    BROADCAST_LOOP(bin)
}

void porch__op_binary_i32(int op, const int32_t *a, const porch__shape *as, const int32_t *b,
                          const porch__shape *bs, int32_t *o, const porch__shape *os)
{
    BROADCAST_LOOP(bin_i32)
}

void porch__op_unary(int act, float alpha, const float *x, float *y, size_t n)
{
    switch (act) {
    case PORCH__A_RELU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
        break;
    case PORCH__A_RELU6:
        for (size_t i = 0; i < n; i++) y[i] = x[i] < 0 ? 0 : x[i] > 6 ? 6 : x[i];
        break;
    case PORCH__A_LEAKY:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
        break;
    case PORCH__A_SIGMOID:
        for (size_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    default:
        for (size_t i = 0; i < n; i++) y[i] = x[i];
    }
}

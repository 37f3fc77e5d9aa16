/*
 * ops.h (internal to lib/nn): reference kernels of the non-convolution ops.
 * All work on dense physical row-major float32 data; shapes were checked
 * at load, so the kernels do no validation of their own.
 */
#ifndef PORCH_NN_OPS_H
#define PORCH_NN_OPS_H

#include "nn/nn_internal.h"

void porch__op_binary(int op, const float *a, const porch__shape *as, const float *b,
                      const porch__shape *bs, float *o, const porch__shape *os);
void porch__op_binary_i32(int op, const int32_t *a, const porch__shape *as, const int32_t *b,
                          const porch__shape *bs, int32_t *o, const porch__shape *os);
void porch__op_unary(int act, float alpha, const float *x, float *y, size_t n);
void porch__op_maxpool(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                       float *y, const porch__shape *ys);
void porch__op_dwconv(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                      float *y, const porch__shape *ys);
void porch__op_dwconv_avx2(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                           float *y, const porch__shape *ys);
void porch__op_resize(int half, int align, const float *x, const porch__shape *xs, float *y,
                      const porch__shape *ys);
void porch__op_pad(const int64_t *pads, float val, const float *x, const porch__shape *xs,
                   float *y, const porch__shape *ys);
void porch__op_concat(int axis, const float *const *x, const porch__shape *xs, int n, float *y);
void porch__op_split(int axis, const float *x, float *const *y, const porch__shape *ys, int n);
/* Mean over the n rows of x[n][c] (NHWC spatial mean), double accumulation. */
void porch__op_mean_rows(const float *x, int64_t n, int64_t c, float *y);
/* Softmax of each of the n rows of x[n][c] (TensorFlow.js: max, exp(x - max), / sum). */
void porch__op_softmax(const float *x, int64_t n, int64_t c, float *y);

#endif

/*
 * conv.h (internal to lib/nn): convolution as an implicit GEMM on NHWC.
 *
 * Output pixels are the GEMM rows (M), output channels the columns (N),
 * taps x input channels the reduction (K). Weights are packed at load into
 * panels of 16 output channels, [panel][tap][cin][16], zero-padded, so a
 * micro-kernel streams one panel while broadcasting input values. Input
 * rows are addressed through per-pixel base pointers plus per-tap offsets,
 * so no im2col buffer is built; zero padding is materialised once per conv
 * into a scratch copy of the input (only when the conv pads).
 */
#ifndef PORCH_NN_CONV_H
#define PORCH_NN_CONV_H

#include <stddef.h>

#include "nn/nn_internal.h"

#define PORCH__CONV_NR 16
#define PORCH__CONV_MR_MAX 16

typedef struct porch__tile {
    const float *a[PORCH__CONV_MR_MAX]; /* input base pointer per output pixel */
    float *c[PORCH__CONV_MR_MAX];       /* output pointer per pixel (channel 0 of panel) */
    const ptrdiff_t *tap_off;           /* per tap, floats from the base pointer */
    int n_taps, cin;
    const float *w;                     /* packed panel [n_taps*cin][16], 64-byte aligned */
    const float *bias;                  /* 16 entries */
    int mr, nr;                         /* valid rows (<= kernel MR) and columns (<= 16) */
    int act;
    float alpha;
} porch__tile;

typedef void (*porch__tile_fn)(const porch__tile *t);

void porch__conv_tile_portable(const porch__tile *t);
void porch__conv_tile_avx2(const porch__tile *t);
void porch__conv_tile_avx512(const porch__tile *t);
/* Bias, activation and store of an accumulator block acc[mr][16]. */
void porch__conv_epilogue(const porch__tile *t, const float *acc);

/* rows per micro-kernel call for an ISA */
int porch__conv_mr(int isa);
porch__tile_fn porch__conv_kernel(int isa);
int porch__cpu_best_isa(void);
int porch__cpu_has_isa(int isa);

/* Runs conv instruction I: x (NHWC, padded copy if I pads) -> y. */
typedef struct porch__conv_job {
    const porch__conv_params *cp;
    const float *x;        /* input, already padded when cp->pad is non-zero */
    int64_t xh, xw;        /* dims of x as addressed (padded dims) */
    float *y;
    int64_t oh, ow;
    int isa;
} porch__conv_job;

void porch__conv_pad_input(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                           float *dst);
void porch__conv_run_part(const porch__conv_job *job, int part, int nparts);

#endif

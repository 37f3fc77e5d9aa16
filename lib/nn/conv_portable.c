/*
 * conv_portable.c: the plain-C micro-kernel (4 pixels x 16 channels), used
 * where no SIMD path applies; compilers vectorise its inner loop.
 */
#include "nn/conv.h"

void porch__conv_tile_portable(const porch__tile *t)
{
    float acc[4 * PORCH__CONV_NR] = { 0 };
    const float *w = t->w;
    for (int tap = 0; tap < t->n_taps; tap++) {
        ptrdiff_t off = t->tap_off[tap];
        for (int ci = 0; ci < t->cin; ci++, w += PORCH__CONV_NR)
            for (int m = 0; m < 4; m++) {
                float a = t->a[m][off + ci];
                for (int j = 0; j < PORCH__CONV_NR; j++)
                    acc[m * PORCH__CONV_NR + j] += a * w[j];
            }
    }
    porch__conv_epilogue(t, acc);
}

/*
 * transpose.c: dense permutation copy, any rank <= 6, 4-byte elements.
 * out physical dim j = in physical dim perm[j]. Used for layout changes the
 * optimiser could not remove and for constants at load.
 */
#include <string.h>

#include "nn/nn_internal.h"

void porch__transpose(const float *in, float *out, const porch__shape *in_phys,
                      const uint8_t *perm, size_t esize)
{
    int r = in_phys->rank;
    int64_t in_stride[PORCH__NN_MAX_RANK], dim[PORCH__NN_MAX_RANK], st[PORCH__NN_MAX_RANK];
    int64_t s = 1;
    for (int i = r - 1; i >= 0; i--) {
        in_stride[i] = s;
        s *= in_phys->d[i];
    }
    /* Pad to rank 6 so one fixed loop nest serves every rank. */
    for (int j = 0; j < PORCH__NN_MAX_RANK; j++) {
        int k = j - (PORCH__NN_MAX_RANK - r);
        dim[j] = k >= 0 ? in_phys->d[perm[k]] : 1;
        st[j] = k >= 0 ? in_stride[perm[k]] : 0;
    }
    const uint32_t *src = (const uint32_t *)(const void *)in;
    uint32_t *dst = (uint32_t *)(void *)out;
    (void)esize; /* every runtime and constant element is 4 bytes */
    size_t o = 0;
    for (int64_t a = 0; a < dim[0]; a++)
    for (int64_t b = 0; b < dim[1]; b++)
    for (int64_t c = 0; c < dim[2]; c++)
    for (int64_t d = 0; d < dim[3]; d++)
    for (int64_t e = 0; e < dim[4]; e++) {
        const uint32_t *p = src + a * st[0] + b * st[1] + c * st[2] + d * st[3] + e * st[4];
        for (int64_t f = 0; f < dim[5]; f++)
            dst[o++] = p[f * st[5]];
    }
}

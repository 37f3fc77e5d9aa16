/*
 * conv.c: convolution driver: weight packing, input padding, tiling over
 * output pixels and channel panels, and the split of the work between
 * threads (contiguous ranges of pixel blocks: each thread writes disjoint
 * output rows, so no synchronisation is needed inside a conv).
 */
#include <stdlib.h>
#include <string.h>

#include "nn/conv.h"
#include "porchlight/error.h"

/* Pixel blocks: MB tiles share each weight panel while it is hot in L1/L2. */
#define PORCH__CONV_MB_TILES 8

static float *alloc_aligned(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p)
        memset(p, 0, bytes ? bytes : 64);
    return p;
}

/* Replaces cp->w (HWIO) by packed panels and cp->bias by a 16-padded copy;
 * cp keeps ownership of both (freed by porch__prog_free). */
int porch__conv_pack(porch__conv_params *cp)
{
    size_t k = (size_t)cp->kh * (size_t)cp->kw * (size_t)cp->cin;
    size_t np = ((size_t)cp->cout + PORCH__CONV_NR - 1) / PORCH__CONV_NR;
    float *w = alloc_aligned(np * k * PORCH__CONV_NR);
    float *b = alloc_aligned(np * PORCH__CONV_NR);
    if (!w || !b) {
        free(w);
        free(b);
        return PORCH_ERR_NOMEM;
    }
    for (size_t p = 0; p < np; p++)
        for (size_t r = 0; r < k; r++)
            for (size_t j = 0; j < PORCH__CONV_NR; j++) {
                size_t co = p * PORCH__CONV_NR + j;
                if (co < (size_t)cp->cout)
                    w[(p * k + r) * PORCH__CONV_NR + j] = cp->w[r * (size_t)cp->cout + co];
            }
    memcpy(b, cp->bias, sizeof(float) * (size_t)cp->cout);
    free(cp->w);
    free(cp->bias);
    cp->w = w;
    cp->bias = b;
    return PORCH_OK;
}

void porch__conv_pad_input(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                           float *dst)
{
    int64_t H = xs->d[1], W = xs->d[2], C = xs->d[3];
    int64_t Wp = W + cp->pad[1] + cp->pad[3], Hp = H + cp->pad[0] + cp->pad[2];
    size_t row = sizeof(float) * (size_t)(W * C);
    memset(dst, 0, sizeof(float) * (size_t)(Hp * Wp * C));
    for (int64_t h = 0; h < H; h++)
        memcpy(dst + ((h + cp->pad[0]) * Wp + cp->pad[1]) * C, x + h * W * C, row);
}

static void setup_tile(const porch__conv_job *j, porch__tile *t, int64_t m0, int mr, int kmr)
{
    const porch__conv_params *cp = j->cp;
    for (int m = 0; m < kmr; m++) {
        int64_t pix = m0 + (m < mr ? m : mr - 1); /* spare rows repeat the last pixel */
        int64_t oh = pix / j->ow, ow = pix % j->ow;
        t->a[m] = j->x + ((oh * cp->sh) * j->xw + ow * cp->sw) * cp->cin;
        t->c[m] = j->y + pix * cp->cout;
    }
    t->mr = mr;
}

void porch__conv_run_part(const porch__conv_job *j, int part, int nparts)
{
    const porch__conv_params *cp = j->cp;
    ptrdiff_t off[64 * 64];
    int n_taps = cp->kh * cp->kw;
    for (int ky = 0; ky < cp->kh; ky++)
        for (int kx = 0; kx < cp->kw; kx++)
            off[ky * cp->kw + kx] = (ptrdiff_t)((ky * j->xw + kx) * cp->cin);
    int kmr = porch__conv_mr(j->isa);
    porch__tile_fn fn = porch__conv_kernel(j->isa);
    int64_t M = j->oh * j->ow, tiles = (M + kmr - 1) / kmr;
    int64_t blocks = (tiles + PORCH__CONV_MB_TILES - 1) / PORCH__CONV_MB_TILES;
    int64_t b0 = blocks * part / nparts, b1 = blocks * (part + 1) / nparts;
    int np = (cp->cout + PORCH__CONV_NR - 1) / PORCH__CONV_NR;
    size_t k = (size_t)n_taps * (size_t)cp->cin;
    porch__tile t;
    memset(&t, 0, sizeof t);
    t.tap_off = off, t.n_taps = n_taps, t.cin = cp->cin, t.act = cp->act, t.alpha = cp->alpha;
    for (int64_t b = b0; b < b1; b++) {
        int64_t t0 = b * PORCH__CONV_MB_TILES, t1 = t0 + PORCH__CONV_MB_TILES;
        t1 = t1 > tiles ? tiles : t1;
        for (int p = 0; p < np; p++) {
            t.w = cp->w + (size_t)p * k * PORCH__CONV_NR;
            t.bias = cp->bias + p * PORCH__CONV_NR;
            t.nr = cp->cout - p * PORCH__CONV_NR < PORCH__CONV_NR ? cp->cout - p * PORCH__CONV_NR
                                                                 : PORCH__CONV_NR;
            for (int64_t ti = t0; ti < t1; ti++) {
                int64_t m0 = ti * kmr;
                setup_tile(j, &t, m0, (int)(M - m0 < kmr ? M - m0 : kmr), kmr);
                for (int m = 0; m < kmr; m++)
                    t.c[m] += p * PORCH__CONV_NR;
                fn(&t);
            }
        }
    }
}

void porch__conv_epilogue(const porch__tile *t, const float *acc)
{
    for (int m = 0; m < t->mr; m++) {
        float *c = t->c[m];
        const float *a = acc + m * PORCH__CONV_NR;
        for (int j = 0; j < t->nr; j++) {
            float v = a[j] + t->bias[j];
            switch (t->act) {
            case PORCH__A_RELU: v = v > 0 ? v : 0; break;
            case PORCH__A_RELU6: v = v < 0 ? 0 : v > 6 ? 6 : v; break;
            case PORCH__A_LEAKY: v = v > 0 ? v : t->alpha * v; break;
            default: break;
            }
            c[j] = v;
        }
    }
}

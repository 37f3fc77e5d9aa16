/*
 * conv_avx2.c: AVX2 + FMA micro-kernel, 6 pixels x 16 channels = 12 ymm
 * accumulators (FMA latency 4 x 2 ports needs >= 8 independent chains),
 * 2 weight registers and one broadcast. Compiled for baseline x86-64 with
 * a function-level target attribute and only called after the CPU check.
 */
#include "nn/conv.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define ROW(m)                                                    \
    do {                                                          \
        __m256 b_ = _mm256_broadcast_ss(a##m + ci);               \
        c##m##0 = _mm256_fmadd_ps(b_, w0, c##m##0);               \
        c##m##1 = _mm256_fmadd_ps(b_, w1, c##m##1);               \
    } while (0)

#define STORE(m)                                                  \
    do {                                                          \
        _mm256_storeu_ps(acc + (m) * 16, c##m##0);                \
        _mm256_storeu_ps(acc + (m) * 16 + 8, c##m##1);            \
    } while (0)

/* Bias + activation on one 8-wide accumulator (act is uniform per conv). */
__attribute__((target("avx2,fma")))
static inline __m256 act8(__m256 v, int act, __m256 alpha)
{
    __m256 z = _mm256_setzero_ps();
    switch (act) {
    case PORCH__A_RELU: return _mm256_max_ps(v, z);
    case PORCH__A_RELU6: return _mm256_min_ps(_mm256_max_ps(v, z), _mm256_set1_ps(6.0f));
    case PORCH__A_LEAKY:
        return _mm256_blendv_ps(_mm256_mul_ps(v, alpha), v, _mm256_cmp_ps(v, z, _CMP_GT_OQ));
    default: return v;
    }
}

/* Full-width tiles store straight from registers; edge tiles take the scalar path. */
__attribute__((target("avx2,fma")))
static void epilogue8(const porch__tile *t, const float *acc)
{
    if (t->nr != 16) {
        porch__conv_epilogue(t, acc);
        return;
    }
    __m256 b0 = _mm256_loadu_ps(t->bias), b1 = _mm256_loadu_ps(t->bias + 8);
    __m256 al = _mm256_set1_ps(t->alpha);
    for (int m = 0; m < t->mr; m++) {
        __m256 v0 = _mm256_add_ps(_mm256_load_ps(acc + m * 16), b0);
        __m256 v1 = _mm256_add_ps(_mm256_load_ps(acc + m * 16 + 8), b1);
        _mm256_storeu_ps(t->c[m], act8(v0, t->act, al));
        _mm256_storeu_ps(t->c[m] + 8, act8(v1, t->act, al));
    }
}

__attribute__((target("avx2,fma")))
void porch__conv_tile_avx2(const porch__tile *t)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const float *w = t->w;
    for (int tap = 0; tap < t->n_taps; tap++) {
        ptrdiff_t off = t->tap_off[tap];
        const float *a0 = t->a[0] + off, *a1 = t->a[1] + off, *a2 = t->a[2] + off;
        const float *a3 = t->a[3] + off, *a4 = t->a[4] + off, *a5 = t->a[5] + off;
        for (int ci = 0; ci < t->cin; ci++, w += 16) {
            __m256 w0 = _mm256_load_ps(w), w1 = _mm256_load_ps(w + 8);
            ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5);
        }
    }
    float acc[6 * 16] __attribute__((aligned(32)));
    STORE(0); STORE(1); STORE(2); STORE(3); STORE(4); STORE(5);
    epilogue8(t, acc);
}
#else
void porch__conv_tile_avx2(const porch__tile *t)
{
    porch__conv_tile_portable(t);
}
#endif

/*
 * conv_avx512.c: AVX-512F micro-kernel, 14 pixels x 16 channels = 14 zmm
 * accumulators; each input value is broadcast straight from memory into
 * the FMA. Function-level target attribute, called only after the CPU
 * check (porch__cpu_best_isa).
 */
#include "nn/conv.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define FMA(m) c##m = _mm512_fmadd_ps(_mm512_set1_ps(a##m[ci]), w0, c##m)

__attribute__((target("avx512f")))
static inline __m512 act16(__m512 v, int act, __m512 alpha)
{
    __m512 z = _mm512_setzero_ps();
    switch (act) {
    case PORCH__A_RELU: return _mm512_max_ps(v, z);
    case PORCH__A_RELU6: return _mm512_min_ps(_mm512_max_ps(v, z), _mm512_set1_ps(6.0f));
    case PORCH__A_LEAKY:
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, z, _CMP_GT_OQ), _mm512_mul_ps(v, alpha), v);
    default: return v;
    }
}

/* Bias + activation + store; edge tiles (nr < 16) use a masked store. */
__attribute__((target("avx512f")))
static void epilogue16(const porch__tile *t, const float *acc)
{
    __m512 b = _mm512_loadu_ps(t->bias), al = _mm512_set1_ps(t->alpha);
    __mmask16 k = (__mmask16)((1u << t->nr) - 1u);
    for (int m = 0; m < t->mr; m++) {
        __m512 v = act16(_mm512_add_ps(_mm512_load_ps(acc + m * 16), b), t->act, al);
        _mm512_mask_storeu_ps(t->c[m], k, v);
    }
}

__attribute__((target("avx512f")))
void porch__conv_tile_avx512(const porch__tile *t)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0;
    __m512 c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0;
    const float *w = t->w;
    for (int tap = 0; tap < t->n_taps; tap++) {
        ptrdiff_t off = t->tap_off[tap];
        const float *a0 = t->a[0] + off, *a1 = t->a[1] + off, *a2 = t->a[2] + off;
        const float *a3 = t->a[3] + off, *a4 = t->a[4] + off, *a5 = t->a[5] + off;
        const float *a6 = t->a[6] + off, *a7 = t->a[7] + off, *a8 = t->a[8] + off;
        const float *a9 = t->a[9] + off, *a10 = t->a[10] + off, *a11 = t->a[11] + off;
        const float *a12 = t->a[12] + off, *a13 = t->a[13] + off;
        for (int ci = 0; ci < t->cin; ci++, w += 16) {
            __m512 w0 = _mm512_load_ps(w);
            FMA(0); FMA(1); FMA(2); FMA(3); FMA(4); FMA(5); FMA(6);
            FMA(7); FMA(8); FMA(9); FMA(10); FMA(11); FMA(12); FMA(13);
        }
    }
    float acc[14 * 16] __attribute__((aligned(64)));
    _mm512_store_ps(acc + 0 * 16, c0); _mm512_store_ps(acc + 1 * 16, c1);
    _mm512_store_ps(acc + 2 * 16, c2); _mm512_store_ps(acc + 3 * 16, c3);
    _mm512_store_ps(acc + 4 * 16, c4); _mm512_store_ps(acc + 5 * 16, c5);
    _mm512_store_ps(acc + 6 * 16, c6); _mm512_store_ps(acc + 7 * 16, c7);
    _mm512_store_ps(acc + 8 * 16, c8); _mm512_store_ps(acc + 9 * 16, c9);
    _mm512_store_ps(acc + 10 * 16, c10); _mm512_store_ps(acc + 11 * 16, c11);
    _mm512_store_ps(acc + 12 * 16, c12); _mm512_store_ps(acc + 13 * 16, c13);
    epilogue16(t, acc);
}
#else
void porch__conv_tile_avx512(const porch__tile *t)
{
    porch__conv_tile_portable(t);
}
#endif

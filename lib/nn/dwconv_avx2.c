/*
 * dwconv_avx2.c: depthwise convolution with AVX2 + FMA: 8 channels per
 * register, taps accumulated in registers, bias + activation before one
 * store; the last C % 8 channels use masked loads/stores. Called only when
 * the model's ISA (cached in the model) is AVX2 or better.
 */
#include "nn/ops.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static inline __m256 dw_act(__m256 v, const porch__conv_params *cp)
{
    __m256 z = _mm256_setzero_ps();
    switch (cp->act) {
    case PORCH__A_RELU: return _mm256_max_ps(v, z);
    case PORCH__A_RELU6: return _mm256_min_ps(_mm256_max_ps(v, z), _mm256_set1_ps(6.0f));
    case PORCH__A_LEAKY:
        return _mm256_blendv_ps(_mm256_mul_ps(v, _mm256_set1_ps(cp->alpha)), v,
                                _mm256_cmp_ps(v, z, _CMP_GT_OQ));
    default: return v;
    }
}

/* One output pixel: channels [c, c+8) under mask m (all-ones except the tail). */
__attribute__((target("avx2,fma")))
static void dw_pixel(const porch__conv_params *cp, const float *x, int64_t H, int64_t W, int64_t C,
                     int64_t oh, int64_t ow, float *o)
{
    for (int64_t c = 0; c < C; c += 8) {
        int n = C - c < 8 ? (int)(C - c) : 8;
        __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 acc = _mm256_maskload_ps(cp->bias + c, m);
        for (int ky = 0; ky < cp->kh; ky++) {
            int64_t ih = oh * cp->sh + ky - cp->pad[0];
            if (ih < 0 || ih >= H)
                continue;
            for (int kx = 0; kx < cp->kw; kx++) {
                int64_t iw = ow * cp->sw + kx - cp->pad[1];
                if (iw < 0 || iw >= W)
                    continue;
                __m256 a = _mm256_maskload_ps(x + (ih * W + iw) * C + c, m);
                __m256 w = _mm256_maskload_ps(cp->w + (ky * cp->kw + kx) * C + c, m);
                acc = _mm256_fmadd_ps(a, w, acc);
            }
        }
        _mm256_maskstore_ps(o + c, m, dw_act(acc, cp));
    }
}

__attribute__((target("avx2,fma")))
void porch__op_dwconv_avx2(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                           float *y, const porch__shape *ys)
{
    for (int64_t oh = 0; oh < ys->d[1]; oh++)
        for (int64_t ow = 0; ow < ys->d[2]; ow++)
            dw_pixel(cp, x, xs->d[1], xs->d[2], xs->d[3], oh, ow, y + (oh * ys->d[2] + ow) * xs->d[3]);
}
#else
void porch__op_dwconv_avx2(const porch__conv_params *cp, const float *x, const porch__shape *xs,
                           float *y, const porch__shape *ys)
{
    porch__op_dwconv(cp, x, xs, y, ys);
}
#endif

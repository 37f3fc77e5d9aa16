/*
 * cpu.c: run-time choice of the convolution micro-kernel. The result is
 * cached in the model (porch_nn_model.isa), never in a global.
 */
#include "nn/conv.h"

int porch__cpu_best_isa(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    /* AMD cores up to Zen 4 split 512-bit FMAs into two 256-bit halves: the
     * 6x16 AVX2 kernel is measured 10% faster there (docs/NN.md), so AVX-512
     * is the default only on other vendors. */
    if (__builtin_cpu_supports("avx512f") && !__builtin_cpu_is("amd"))
        return PORCH_NN_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return PORCH_NN_ISA_AVX2;
#endif
    return PORCH_NN_ISA_PORTABLE;
}

int porch__cpu_has_isa(int isa)
{
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (isa == PORCH_NN_ISA_AVX512)
        return __builtin_cpu_supports("avx512f");
    if (isa == PORCH_NN_ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return isa == PORCH_NN_ISA_PORTABLE;
}

int porch__conv_mr(int isa)
{
    return isa == PORCH_NN_ISA_AVX512 ? 14 : isa == PORCH_NN_ISA_AVX2 ? 6 : 4;
}

porch__tile_fn porch__conv_kernel(int isa)
{
    return isa == PORCH_NN_ISA_AVX512 ? porch__conv_tile_avx512
         : isa == PORCH_NN_ISA_AVX2 ? porch__conv_tile_avx2 : porch__conv_tile_portable;
}

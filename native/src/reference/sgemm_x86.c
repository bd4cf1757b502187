/* x86-64 SGEMM micro-kernels, compiled for AVX2+FMA and AVX-512F through target attributes and chosen at
 * run time (sgemm_kernels), so the library still loads on older CPUs. The accumulator tile lives in
 * registers: 6x16 uses 12 of the 16 ymm registers, 12x32 uses 24 of the 32 zmm registers, leaving room
 * for the B row and the broadcast A value. */
#if defined(__x86_64__) || defined(__i386__)
#include "reference/sgemm.h"

#include <immintrin.h>

enum { AVX2_MR = 6, AVX2_NR = 16, AVX512_MR = 12, AVX512_NR = 32 };

__attribute__((target("avx2,fma")))
static void micro_avx2(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int accumulate) {
    __m256 acc[AVX2_MR][2];
#pragma GCC unroll 8
    for (int i = 0; i < AVX2_MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; p++, a += AVX2_MR, b += AVX2_NR) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 8
        for (int i = 0; i < AVX2_MR; i++) {
            __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < AVX2_MR; i++) {
        float *ci = c + i * ldc;
        if (accumulate) {
            acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
            acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
        }
        _mm256_storeu_ps(ci, acc[i][0]);
        _mm256_storeu_ps(ci + 8, acc[i][1]);
    }
}

__attribute__((target("avx512f")))
static void micro_avx512(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int accumulate) {
    __m512 acc[AVX512_MR][2];
#pragma GCC unroll 16
    for (int i = 0; i < AVX512_MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kc; p++, a += AVX512_MR, b += AVX512_NR) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
        for (int i = 0; i < AVX512_MR; i++) {
            __m512 ai = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
#pragma GCC unroll 16
    for (int i = 0; i < AVX512_MR; i++) {
        float *ci = c + i * ldc;
        if (accumulate) {
            acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(ci));
            acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(ci + 16));
        }
        _mm512_storeu_ps(ci, acc[i][0]);
        _mm512_storeu_ps(ci + 16, acc[i][1]);
    }
}

/* Rows of the 8x8 block in, columns out: pairwise unpack, 4x4 shuffles, then swap 128-bit halves. */
__attribute__((target("avx")))
static void transpose8_avx(const float *src, int64_t rs, float *dst, int64_t ld) {
    __m256 r[8], t[8], s[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * rs);
#pragma GCC unroll 4
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);     /* a0 b0 a1 b1 | a4 b4 a5 b5 */
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]); /* a2 b2 a3 b3 | a6 b6 a7 b7 */
    }
#pragma GCC unroll 2
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));     /* a0 b0 c0 d0 | a4 b4 c4 d4 */
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2)); /* a1 b1 c1 d1 | a5 .. */
        s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        _mm256_storeu_ps(dst + i * ld, _mm256_permute2f128_ps(s[i], s[i + 4], 0x20));
        _mm256_storeu_ps(dst + (i + 4) * ld, _mm256_permute2f128_ps(s[i], s[i + 4], 0x31));
    }
}

const sgemm_kernel sgemm_kernel_avx2 = { "avx2", AVX2_MR, AVX2_NR, 120, 256, 1024, micro_avx2, transpose8_avx };
const sgemm_kernel sgemm_kernel_avx512 = {
    "avx512", AVX512_MR, AVX512_NR, 120, 256, 1024, micro_avx512, transpose8_avx
};
#endif

/* exp over arrays, the transcendental behind softmax, sigmoid, silu and gelu. glibc's scalar expf costs
 * ~2 ns per element; on x86-64 with AVX2+FMA eight lanes are computed at once instead (chosen at run time):
 * exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln(2)/2, exp(r) by its Taylor series to degree 7
 * (truncation error < 6e-9 relative), within 2 ulp of the exact value. Results below FLT_MIN (x < -87.34)
 * are flushed to 0: subnormal arithmetic is 4x slower here (every masked score in attention lands there),
 * and such values are far below what fp16 outputs can hold anyway. */
#include "reference/ops_util.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static __m256 exp8(__m256 x) {
    const __m256 magic = _mm256_set1_ps(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
    const __m256 min_arg = _mm256_set1_ps(-87.33654f);  /* ln(FLT_MIN), rounded up */
    __m256 keep = _mm256_cmp_ps(x, min_arg, _CMP_NLT_UQ); /* false only below min_arg (NaN: true) */
    /* max/min return their second operand when one is NaN, so NaN passes through. Above 88.8 the result
     * overflows to infinity, which the clamped value still does. */
    x = _mm256_min_ps(_mm256_set1_ps(88.8f), _mm256_max_ps(min_arg, x));
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    /* r = x - n ln2 with ln2 split in two so that n * ln2_hi is exact */
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145752f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.42860677e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    /* 2^n as two factors 2^(n/2) and 2^(n - n/2), both normal for n in [-126, 128] (an overflowing result
     * then comes from one correctly rounded multiplication). */
    __m256i ni = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
    return _mm256_and_ps(_mm256_mul_ps(_mm256_mul_ps(p, s1), s2), keep);
}

__attribute__((target("avx2,fma")))
static void exp_avx2(const float *x, float *out, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, exp8(_mm256_loadu_ps(x + i)));
    if (i == n) return;
    float t[8] = { 0 };
    memcpy(t, x + i, (n - i) * sizeof(float));
    _mm256_storeu_ps(t, exp8(_mm256_loadu_ps(t)));
    memcpy(out + i, t, (n - i) * sizeof(float));
}
#endif

void ops_exp_array(const float *x, float *out, size_t n) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        exp_avx2(x, out, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++) out[i] = expf(x[i]);
}

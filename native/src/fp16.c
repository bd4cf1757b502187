/* binary16 <-> binary32 conversion. The scalar functions define the semantics (round to nearest even,
 * NaN stays NaN with the quiet bit set, overflow to infinity, exact subnormals); the vector paths
 * (F16C / AVX-512F on x86-64, NEON on arm64) produce bit-identical results and are chosen once. */
#include "fp16.h"

#include <pthread.h>
#include <string.h>

#include "error.h"
#include "fp16_paths.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif
#if defined(__aarch64__) || defined(__arm64__)
#include <arm_neon.h>
#endif

uint16_t ane_fp16_from_float(float f) {
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) {                              /* inf or NaN */
        if (ax == 0x7f800000u) return (uint16_t)(sign | 0x7c00u);
        return (uint16_t)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu)); /* quiet, keep the payload's top bits */
    }
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520 rounds to infinity */
    if (ax >= 0x38800000u) {                              /* normal half: rebias, round away 13 bits */
        uint32_t h = (ax >> 13) - ((127u - 15u) << 10);
        uint32_t rem = ax & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++; /* a carry into the exponent is right */
        return (uint16_t)(sign | h);
    }
    if (ax <= 0x33000000u) return (uint16_t)sign;         /* <= 2^-25 (the tie rounds to even: 0) */
    /* Subnormal half: value = m * 2^(e-150), in units of 2^-24 that is m >> (126 - e). */
    uint32_t e = ax >> 23;
    uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126u - e;                            /* 14..24 */
    uint32_t h = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (h & 1u))) h++;
    return (uint16_t)(sign | h);
}

float ane_fp16_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    uint32_t x;
    if (exp == 0x1fu) {
        x = sign | 0x7f800000u | (man ? 0x400000u | (man << 13) : 0u); /* NaNs come out quiet */
    } else if (exp != 0) {
        x = sign | ((exp + 127u - 15u) << 23) | (man << 13);
    } else if (man == 0) {
        x = sign;
    } else {                                              /* subnormal: normalise the mantissa */
        uint32_t e = 127u - 15u + 1u;
        while (!(man & 0x400u)) { man <<= 1; e--; }
        x = sign | (e << 23) | ((man & 0x3ffu) << 13);
    }
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

static void to_fp16_scalar(const float *src, uint16_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = ane_fp16_from_float(src[i]);
}

static void to_fp32_scalar(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = ane_fp16_to_float(src[i]);
}

static void round_scalar(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = ane_fp16_to_float(ane_fp16_from_float(x[i]));
}

#if defined(__x86_64__)
/* The x86 conversions move W elements per instruction. Stores that cross a cache line cost twice as much,
 * and a caller's buffer (a Java array, a range of a surface) can start anywhere: so the first block is
 * converted unaligned, the loop resumes at the first element whose destination is ALIGN-byte aligned, and
 * the last block overlaps the one before it instead of a scalar tail. Elements converted twice get the same
 * bits both times (src and dst never overlap). Fewer than W elements go the scalar way. */
#define ALIGNED_BLOCKS(n, dst, W, ALIGN, BLOCK, SCALAR)                                              \
    do {                                                                                            \
        if ((n) < (W)) { SCALAR; break; }                                                           \
        BLOCK(0);                                                                                   \
        size_t skew_ = (uintptr_t)(dst) % (ALIGN), i_ = (W);                                        \
        if (skew_ % sizeof *(dst) == 0 && skew_ != 0) i_ = ((ALIGN) - skew_) / sizeof *(dst);       \
        for (; i_ + (W) <= (n); i_ += (W)) BLOCK(i_);                                               \
        if (i_ < (n)) BLOCK((n) - (W));                                                             \
    } while (0)

__attribute__((target("f16c,avx")))
static void to_fp16_f16c(const float *src, uint16_t *dst, size_t n) {
#define BLOCK(i) _mm_storeu_si128((__m128i *)(dst + (i)), _mm256_cvtps_ph(_mm256_loadu_ps(src + (i)), _MM_FROUND_TO_NEAREST_INT))
    ALIGNED_BLOCKS(n, dst, 8, 16, BLOCK, to_fp16_scalar(src, dst, n));
#undef BLOCK
}

__attribute__((target("f16c,avx")))
static void to_fp32_f16c(const uint16_t *src, float *dst, size_t n) {
#define BLOCK(i) _mm256_storeu_ps(dst + (i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + (i)))))
    ALIGNED_BLOCKS(n, dst, 8, 32, BLOCK, to_fp32_scalar(src, dst, n));
#undef BLOCK
}

__attribute__((target("f16c,avx")))
static void round_f16c(float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(h));
    }
    round_scalar(x + i, n - i);
}

__attribute__((target("avx512f")))
static void to_fp16_avx512(const float *src, uint16_t *dst, size_t n) {
#define BLOCK(i) _mm256_storeu_si256((__m256i *)(dst + (i)), _mm512_cvtps_ph(_mm512_loadu_ps(src + (i)), _MM_FROUND_TO_NEAREST_INT))
    ALIGNED_BLOCKS(n, dst, 16, 32, BLOCK, to_fp16_f16c(src, dst, n));
#undef BLOCK
}

__attribute__((target("avx512f")))
static void to_fp32_avx512(const uint16_t *src, float *dst, size_t n) {
#define BLOCK(i) _mm512_storeu_ps(dst + (i), _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + (i)))))
    ALIGNED_BLOCKS(n, dst, 16, 64, BLOCK, to_fp32_f16c(src, dst, n));
#undef BLOCK
}

__attribute__((target("avx512f")))
static void round_avx512(float *x, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256i h = _mm512_cvtps_ph(_mm512_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm512_storeu_ps(x + i, _mm512_cvtph_ps(h));
    }
    round_scalar(x + i, n - i);
}
#endif

#if defined(__aarch64__) || defined(__arm64__)
static void to_fp16_neon(const float *src, uint16_t *dst, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1_u16(dst + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(src + i))));
    to_fp16_scalar(src + i, dst + i, n - i);
}

static void to_fp32_neon(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(dst + i, vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(src + i))));
    to_fp32_scalar(src + i, dst + i, n - i);
}

static void round_neon(float *x, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vcvt_f32_f16(vcvt_f16_f32(vld1q_f32(x + i))));
    round_scalar(x + i, n - i);
}
#endif

/* Every path this build has, best first; the first the CPU supports is used. The scalar one is last. */
static const ane_fp16_path paths[] = {
#if defined(__x86_64__)
    { "avx512f", to_fp16_avx512, to_fp32_avx512, round_avx512 },
    { "f16c", to_fp16_f16c, to_fp32_f16c, round_f16c },
#elif defined(__aarch64__) || defined(__arm64__)
    { "neon", to_fp16_neon, to_fp32_neon, round_neon },
#endif
    { "scalar", to_fp16_scalar, to_fp32_scalar, round_scalar },
};
#define N_PATHS ((int)(sizeof paths / sizeof paths[0]))

#if defined(__x86_64__)
/* Read from CPUID directly: not every compiler's __builtin_cpu_supports knows "f16c". */
static int cpu_has_f16c(void) {
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}
#endif

static int path_supported(const ane_fp16_path *p) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (!strcmp(p->name, "avx512f")) return __builtin_cpu_supports("avx512f");
    if (!strcmp(p->name, "f16c")) return __builtin_cpu_supports("avx") && cpu_has_f16c();
#endif
    return 1;
}

static ane_fp16_path supported[N_PATHS];
static int n_supported;
static pthread_once_t paths_once = PTHREAD_ONCE_INIT;

static void find_paths(void) {
    for (int i = 0; i < N_PATHS; i++)
        if (path_supported(&paths[i])) supported[n_supported++] = paths[i];
}

int ane_fp16_paths(const ane_fp16_path **out) {
    pthread_once(&paths_once, find_paths);
    *out = supported;
    return n_supported;
}

void ane_fp32_to_fp16(const float *src, uint16_t *dst, size_t n) {
    pthread_once(&paths_once, find_paths);
    supported[0].to_fp16(src, dst, n);
}

void ane_fp16_to_fp32(const uint16_t *src, float *dst, size_t n) {
    pthread_once(&paths_once, find_paths);
    supported[0].to_fp32(src, dst, n);
}

void ane_round_to_fp16(float *x, size_t n) {
    pthread_once(&paths_once, find_paths);
    supported[0].round(x, n);
}

void ane_bridge_fp32_to_fp16(const float *src, uint16_t *dst, size_t n) {
    ane_error_clear();
    if (n == 0) return;
    if (!src || !dst) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "fp32_to_fp16: %s is NULL with n = %zu", src ? "dst" : "src", n);
        return;
    }
    ane_fp32_to_fp16(src, dst, n);
}

void ane_bridge_fp16_to_fp32(const uint16_t *src, float *dst, size_t n) {
    ane_error_clear();
    if (n == 0) return;
    if (!src || !dst) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "fp16_to_fp32: %s is NULL with n = %zu", src ? "dst" : "src", n);
        return;
    }
    ane_fp16_to_fp32(src, dst, n);
}

/* fp16 conversion against a naive reference written with double arithmetic: a half's value is
 * sign * mantissa * 2^exponent, and a float rounds to the nearest half by searching the sorted halves. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "ane_bridge.h"
#include "fp16.h"
#include "fp16_paths.h"
#include "test.h"

static double half_value(uint16_t h) {
    int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    double v = exp == 0 ? ldexp(man, -24) : ldexp(1024 + man, exp - 25);
    return (h & 0x8000) ? -v : v;
}

/* Magnitudes of the positive halves 0..0x7c00, where 0x7c00 (infinity) stands for 65536 so the
 * overflow threshold falls out of the same nearest-value rule (65520 ties to the even pattern 0x7c00). */
static double magnitude(uint16_t h) { return h == 0x7c00 ? 65536.0 : half_value(h); }

static uint16_t naive_from_float(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint16_t sign = (bits >> 16) & 0x8000;
    if (isnan(f)) return 0xffff; /* marker: caller checks NaN separately */
    double x = fabs((double)f);
    if (x >= 65536.0) return sign | 0x7c00;
    uint16_t lo = 0, hi = 0x7c00; /* largest h with magnitude(h) <= x */
    while (lo < hi) {
        uint16_t mid = (uint16_t)((lo + hi + 1) / 2);
        if (magnitude(mid) <= x) lo = mid; else hi = mid - 1;
    }
    if (magnitude(lo) == x) return sign | lo;
    double below = x - magnitude(lo), above = magnitude(lo + 1) - x;
    uint16_t h = below < above ? lo : above < below ? (uint16_t)(lo + 1) : (lo & 1) ? (uint16_t)(lo + 1) : lo;
    return sign | h;
}

static float bits_float(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t float_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

static int check_from_float(float f) {
    uint16_t got = ane_fp16_from_float(f);
    if (isnan(f)) {
        int ok = (got & 0x7c00) == 0x7c00 && (got & 0x3ff) && (got & 0x8000) == ((float_bits(f) >> 16) & 0x8000);
        CHECK_MSG(ok, "float bits 0x%08x (NaN) -> 0x%04x, expected a NaN of the same sign", float_bits(f), got);
        return ok;
    }
    uint16_t want = naive_from_float(f);
    CHECK_MSG(got == want, "float %.9g (0x%08x) -> 0x%04x, expected 0x%04x", (double)f, float_bits(f), got, want);
    return got == want;
}

TEST(fp16_to_float_matches_naive_value_for_all_65536_halves) {
    int bad = 0;
    for (uint32_t h = 0; h < 65536 && bad < 5; h++) {
        float got = ane_fp16_to_float((uint16_t)h);
        int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
        if (exp == 31 && man) {
            bad += !isnan(got) || !!signbit(got) != !!(h & 0x8000);
            CHECK_MSG(isnan(got), "half 0x%04x should give NaN", h);
        } else if (exp == 31) {
            bad += !(isinf(got) && !!signbit(got) == !!(h & 0x8000));
            CHECK_MSG(isinf(got), "half 0x%04x should give infinity", h);
        } else {
            double want = half_value((uint16_t)h);
            bad += (double)got != want || !!signbit(got) != !!(h & 0x8000);
            CHECK_MSG((double)got == want && !!signbit(got) == !!(h & 0x8000), "half 0x%04x -> %.17g, expected %.17g",
                      h, (double)got, want);
        }
    }
}

TEST(fp16_round_trip_is_identity_for_all_non_nan_halves) {
    for (uint32_t h = 0; h < 65536; h++) {
        if (((h >> 10) & 0x1f) == 31 && (h & 0x3ff)) continue;
        uint16_t back = ane_fp16_from_float(ane_fp16_to_float((uint16_t)h));
        if (back != h) { CHECK_MSG(0, "half 0x%04x round-trips to 0x%04x", h, back); return; }
    }
}

TEST(fp16_from_float_rounds_ties_and_neighbours_of_every_midpoint_to_nearest_even) {
    int bad = 0;
    for (uint32_t h = 0; h < 0x7c00 && bad < 5; h++) {
        /* The midpoint between h and h+1 is exact in float; test it and the floats on either side. */
        float mid = (float)((magnitude((uint16_t)h) + magnitude((uint16_t)(h + 1))) / 2);
        float around[] = { mid, nextafterf(mid, 0), nextafterf(mid, INFINITY), (float)half_value((uint16_t)h) };
        for (int i = 0; i < 4; i++) {
            bad += !check_from_float(around[i]);
            bad += !check_from_float(-around[i]);
        }
    }
}

TEST(fp16_from_float_special_values) {
    CHECK_EQ_INT(0x0000, ane_fp16_from_float(0.0f));
    CHECK_EQ_INT(0x8000, ane_fp16_from_float(-0.0f));
    CHECK_EQ_INT(0x3c00, ane_fp16_from_float(1.0f));
    CHECK_EQ_INT(0xc000, ane_fp16_from_float(-2.0f));
    CHECK_EQ_INT(0x7bff, ane_fp16_from_float(65504.0f));
    CHECK_EQ_INT(0x7bff, ane_fp16_from_float(65519.99f));
    CHECK_EQ_INT(0x7c00, ane_fp16_from_float(65520.0f));      /* tie between 65504 and 2^16: even = inf */
    CHECK_EQ_INT(0x7c00, ane_fp16_from_float(1e30f));
    CHECK_EQ_INT(0xfc00, ane_fp16_from_float(-INFINITY));
    CHECK_EQ_INT(0x0001, ane_fp16_from_float(5.9604645e-8f)); /* 2^-24, smallest subnormal */
    CHECK_EQ_INT(0x0000, ane_fp16_from_float(2.9802322e-8f)); /* 2^-25: tie, rounds to even 0 */
    CHECK_EQ_INT(0x0001, ane_fp16_from_float(nextafterf(2.9802322e-8f, 1.0f)));
    CHECK_EQ_INT(0x0002, ane_fp16_from_float(1.4901161e-7f)); /* 2.5 * 2^-24: tie, rounds to even 2 */
    CHECK_EQ_INT(0x03ff, ane_fp16_from_float(6.0975552e-5f)); /* largest subnormal */
    CHECK_EQ_INT(0x0400, ane_fp16_from_float(6.1035156e-5f)); /* 2^-14, smallest normal */
    CHECK_EQ_INT(0x0000, ane_fp16_from_float(1e-45f));        /* float subnormal */
    CHECK_EQ_INT(0x3c00, ane_fp16_from_float(1.00048828125f)); /* 1 + 2^-11: tie, rounds to even 1 */
    CHECK_EQ_INT(0x3c02, ane_fp16_from_float(1.00146484375f)); /* 1 + 3*2^-11: tie, rounds to even */
    CHECK_EQ_INT(0x00a8, ane_fp16_from_float(0.00001f));      /* upstream doc: 1.0013580322265625e-05 */
    CHECK_NEAR(1.0013580322265625e-05, ane_fp16_to_float(ane_fp16_from_float(0.00001f)), 0);
    uint16_t qnan = ane_fp16_from_float(bits_float(0x7fc00000u));
    uint16_t snan = ane_fp16_from_float(bits_float(0xff800001u)); /* payload only in the low bits */
    CHECK((qnan & 0x7c00) == 0x7c00 && (qnan & 0x3ff) && !(qnan & 0x8000));
    CHECK((snan & 0x7c00) == 0x7c00 && (snan & 0x3ff) && (snan & 0x8000));
}

static uint32_t xorshift(uint32_t *s) {
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5;
    return *s;
}

TEST(fp16_from_float_matches_naive_reference_on_a_million_floats) {
    uint32_t seed = 12345;
    int bad = 0;
    for (int i = 0; i < 1000000 && bad < 5; i++) {
        uint32_t b = i < 500000 ? xorshift(&seed)
                                : (xorshift(&seed) & 0x80ffffffu) | ((uint32_t)(98 + i % 48) << 23); /* near half range */
        bad += !check_from_float(bits_float(b));
    }
}

/* Every vector path must give the scalar path's exact bits, including the tails of odd lengths. */
TEST(fp16_every_vector_path_equals_the_scalar_path) {
    const ane_fp16_path *paths;
    int n = ane_fp16_paths(&paths);
    CHECK(n >= 1);
    CHECK(!strcmp(paths[n - 1].name, "scalar"));
    const size_t N = 1u << 20;
    float *src = malloc(N * sizeof *src), *back = malloc(N * sizeof *back), *rounded = malloc(N * sizeof *rounded);
    uint16_t *h = malloc(N * sizeof *h), *all = malloc(65536 * sizeof *all);
    float *allf = malloc(65536 * sizeof *allf);
    uint32_t seed = 777;
    for (size_t i = 0; i < N; i++) src[i] = bits_float(i % 3 ? xorshift(&seed) : (uint32_t)(i * 4099u));
    for (uint32_t i = 0; i < 65536; i++) all[i] = (uint16_t)i;
    for (int p = 0; p < n; p++) {
        size_t lens[] = { N, N - 1, 15, 7, 1 };
        for (int l = 0; l < 5; l++) {
            size_t len = lens[l];
            paths[p].to_fp16(src, h, len);
            memcpy(rounded, src, len * sizeof *src);
            paths[p].round(rounded, len);
            size_t bad = 0;
            for (size_t i = 0; i < len && bad < 3; i++) {
                uint16_t want = ane_fp16_from_float(src[i]);
                float want_round = ane_fp16_to_float(want);
                if (h[i] != want || float_bits(rounded[i]) != float_bits(want_round)) {
                    bad++;
                    CHECK_MSG(0, "%s: float 0x%08x -> 0x%04x / round 0x%08x, scalar 0x%04x / 0x%08x", paths[p].name,
                              float_bits(src[i]), h[i], float_bits(rounded[i]), want, float_bits(want_round));
                }
            }
        }
        paths[p].to_fp32(all, allf, 65536);
        for (uint32_t i = 0; i < 65536; i++) {
            if (float_bits(allf[i]) != float_bits(ane_fp16_to_float((uint16_t)i))) {
                CHECK_MSG(0, "%s: half 0x%04x -> 0x%08x, scalar 0x%08x", paths[p].name, i, float_bits(allf[i]),
                          float_bits(ane_fp16_to_float((uint16_t)i)));
                break;
            }
        }
    }
    /* The public entry points use the first (best) path. */
    ane_bridge_fp32_to_fp16(src, h, 1000);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_fp16_to_fp32(h, back, 1000);
    for (int i = 0; i < 1000; i++) CHECK(float_bits(back[i]) == float_bits(ane_fp16_to_float(ane_fp16_from_float(src[i]))) || isnan(back[i]));
    free(src); free(back); free(rounded); free(h); free(all); free(allf);
}

/* Every path from and to buffers at every offset from a cache line, at lengths around the vector widths:
 * the vector paths align their stores and overlap their last block, and must still write every element
 * exactly once in value and nothing outside the range. */
TEST(fp16_every_path_converts_at_every_alignment_and_length) {
    const ane_fp16_path *paths;
    int n = ane_fp16_paths(&paths);
    enum { CAP = 256 };
    static float src[CAP + 32] __attribute__((aligned(64))), fdst[CAP + 32] __attribute__((aligned(64)));
    static uint16_t hsrc[CAP + 32] __attribute__((aligned(64))), hdst[CAP + 32] __attribute__((aligned(64)));
    uint32_t seed = 4242;
    for (int i = 0; i < CAP + 32; i++) {
        src[i] = bits_float(xorshift(&seed) & 0xc7ffffffu); /* exponents near 1: mostly normal halves */
        hsrc[i] = (uint16_t)(xorshift(&seed) & 0xfbffu);    /* no infinities or NaNs: bits compare as values */
    }
    const size_t lens[] = { 1, 7, 8, 9, 15, 16, 17, 31, 33, 47, 100, 200 };
    for (int p = 0; p < n; p++) {
        for (size_t off = 0; off < 17; off++) {
            for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
                size_t len = lens[l];
                memset(hdst, 0xee, sizeof hdst);
                memset(fdst, 0xee, sizeof fdst);
                paths[p].to_fp16(src + 3, hdst + off, len);
                paths[p].to_fp32(hsrc + 5, fdst + off, len);
                int bad = 0;
                for (size_t i = 0; i < CAP + 32 && !bad; i++) {
                    int inside = i >= off && i < off + len;
                    uint16_t want_h = inside ? ane_fp16_from_float(src[3 + i - off]) : 0xeeee;
                    uint32_t want_f = inside ? float_bits(ane_fp16_to_float(hsrc[5 + i - off])) : 0xeeeeeeeeu;
                    if (hdst[i] != want_h || float_bits(fdst[i]) != want_f) {
                        bad = 1;
                        CHECK_MSG(0, "%s: offset %zu, length %zu: element %zu is 0x%04x / 0x%08x, expected 0x%04x / "
                                  "0x%08x", paths[p].name, off, len, i, hdst[i], float_bits(fdst[i]), want_h, want_f);
                    }
                }
            }
        }
    }
}

#if defined(__x86_64__)
/* The register state the OS saves (XCR0), which makes a vector extension usable and not only present. */
static unsigned os_saved_state(void) {
    unsigned a, b, c, d, lo, hi;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo;
}
#endif

/* The conversions run on the best path of this CPU: NEON on arm64 (what Apple Silicon runs), AVX-512F or F16C
 * on x86-64 as CPUID reports them. The expectation comes from the architecture and the CPU, not from the
 * library's own choice; the path list's first entry is the one every conversion entry point uses. */
TEST(fp16_conversions_run_on_the_best_path_the_cpu_has) {
    const char *expected = "scalar";
#if defined(__aarch64__) || defined(__arm64__)
    expected = "neon";
#elif defined(__x86_64__)
    unsigned a, b, c, d, saved = os_saved_state(); /* 0x6: SSE+AVX registers, 0xe6: and AVX-512's */
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX512F) && (saved & 0xe6) == 0xe6) expected = "avx512f";
    else if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C) && (c & bit_AVX) && (saved & 0x6) == 0x6) expected = "f16c";
#endif
    const ane_fp16_path *paths;
    int n = ane_fp16_paths(&paths);
    printf("    fp16 path: %s\n", paths[0].name);
    CHECK_MSG(!strcmp(expected, paths[0].name), "conversions use the %s path, expected %s", paths[0].name, expected);
    CHECK(n >= 2 || !strcmp(expected, "scalar")); /* a vector path comes with the scalar one behind it */
}

TEST(fp16_round_to_fp16_of_a_sum_shows_fp16_precision) {
    float x[9] = { 2049.0f, 2051.0f, 0.1f, 1.0f / 3.0f, -65519.0f, 70000.0f, 1e-9f, 3.0f, 0.5f };
    ane_round_to_fp16(x, 9);
    CHECK_EQ_INT(2048, x[0]);              /* 2049 is a tie between 2048 and 2050: even mantissa */
    CHECK_EQ_INT(2052, x[1]);              /* 2051: tie between 2050 and 2052 -> 2052 */
    CHECK_NEAR(0.0999755859375, x[2], 0);
    CHECK_NEAR(0.333251953125, x[3], 0);
    CHECK_NEAR(-65504.0, x[4], 0);
    CHECK(isinf(x[5]) && x[5] > 0);
    CHECK_NEAR(0.0, x[6], 0);
    CHECK_NEAR(3.0, x[7], 0);
    CHECK_NEAR(0.5, x[8], 0);
}

TEST(fp16_abi_conversion_refuses_null_buffers) {
    uint16_t h[2] = { 0xaaaa, 0xaaaa };
    ane_bridge_fp32_to_fp16(NULL, h, 2);
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() && strstr(ane_bridge_last_error(), "src is NULL"));
    CHECK_EQ_INT(0xaaaa, h[0]);
    float f[2] = { 7, 7 };
    ane_bridge_fp16_to_fp32(h, NULL, 2);
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    ane_bridge_fp16_to_fp32(NULL, NULL, 0);        /* nothing to convert: fine */
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() == NULL);
    CHECK_EQ_INT(7, f[0]);
}
